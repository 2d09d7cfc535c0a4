"""Exact money and periods, through the Python API."""
from decimal import Decimal

import pytest

import planbook
from planbook import _core


@pytest.mark.parametrize("text,decimals,expected", [
    ("1,257", 0, ("value", 1257)),
    ("(3,215)", 0, ("value", -3215)),
    ("-", 0, ("nil", 0)),
    ("", 0, ("blank", 0)),
    ("1059", 0, ("value", 1059)),
    ("£1,180", 0, ("value", 1180)),
    ("29.7", 1, ("value", 297)),
    ("11.87", 2, ("value", 1187)),
    ("012", 0, ("value", 12)),
    ("-0.05", 2, ("value", -5)),
])
def test_finance_notation(text, decimals, expected):
    assert _core.parse_amount(text, decimals) == expected


@pytest.mark.parametrize("text,decimals,code", [
    ("1e3", 0, "syntax"), ("0x10", 0, "syntax"), (".nan", 0, "syntax"), (".inf", 0, "syntax"),
    ("1,1", 0, "syntax"), ("12abc", 0, "syntax"), ("1.5", 0, "precision"),
    ("9223372036854775808", 0, "overflow"), ("92233720368547759", 2, "overflow"),
])
def test_not_amounts(text, decimals, code):
    with pytest.raises(planbook.AmountError) as exc:
        _core.parse_amount(text, decimals)
    assert exc.value.code == code


def test_format_amount():
    assert planbook.format_amount(Decimal("-3215")) == "(3,215)"
    assert planbook.format_amount(Decimal("1180.50")) == "1,180.50"
    assert planbook.format_amount(Decimal("0")) == "0"
    assert planbook.format_amount(Decimal("-5"), parens=False) == "-5"


@pytest.mark.parametrize("text,canonical", [
    ("2018-2019", "2018/19"), ("2018/19", "2018/19"), ("15/16", "2015/16"),
    ("2014-2015", "2014/15"), ("2007/8", "2007/08"), ("2018/2019", "2018/19"),
    ("Q2 2014/15", "2014/15 Q2"), ("2014/15 - Quarter 2", "2014/15 Q2"),
    ("Dec-14", "Dec 2014"), ("April 2015", "Apr 2015"), ("2015-04", "Apr 2015"),
    ("2007-08", "2007/08"), ("2011-12", "2011/12"), ("2011-11", "Nov 2011"),
])
def test_period_spellings(text, canonical):
    assert _core.parse_period(text, 4)[0] == canonical


def test_period_year_start_is_a_setting():
    # a July-start body: June 2016 falls in 2015/16, July 2016 in 2016/17
    assert _core.parse_period("June 2016", 7)[4] == 2015
    assert _core.parse_period("July 2016", 7)[4] == 2016
    assert _core.parse_period("2018", 1)[0] == "2018"
    with pytest.raises(planbook.ValidationError) as exc:
        _core.parse_period("2018", 4)
    assert not isinstance(exc.value, planbook.AmountError)
    assert "ambiguous" in str(exc.value)
    with pytest.raises(planbook.ValidationError):
        _core.parse_period("2018/20", 4)


@pytest.mark.parametrize("text", ["1.", "0,100", "(1.)"])
def test_half_written_numbers_are_refused(text):
    with pytest.raises(planbook.AmountError):
        _core.parse_amount(text, 2)


def test_only_a_total_selects():
    plan = planbook.examples.load("manchester-spod-2007-08")
    t = plan.budgets["proposed"]
    with pytest.raises(planbook.ValidationError, match="only a total"):
        t.lines()[0].select = "Mainstream"
