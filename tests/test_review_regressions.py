"""Regression tests for defects found in a review of the C code (the core,
the YAML plugin and the CPython bindings).  Each test failed before its fix."""
import subprocess
import sys
import textwrap

import pytest

from planbook import _core
from planbook._model import Finding
from planbook.errors import AmountError, ReadError, ValidationError
from planbook_yaml import _yaml


# --- messages that quote the input stay decodable ----------------------------

def test_amount_error_quoting_a_cut_pound_sign_is_an_amount_error():
    # the message quotes 60 bytes of the text, cutting the '£' in two; the
    # binding decoded it strictly and raised UnicodeDecodeError instead
    with pytest.raises(AmountError) as info:
        _core.parse_amount("x" * 59 + "£", 0)
    assert "is not an amount" in str(info.value)


def test_read_error_quoting_a_cut_key_is_a_read_error():
    with pytest.raises(ReadError) as info:
        _yaml.loads("planbook: 1\nplan: {" + "x" * 59 + "£: 1}\n")
    assert "unknown key" in str(info.value)


def test_check_message_with_a_long_column_label_is_text():
    p = _core.PlanCore()
    t = p.add_table("t")
    a = p.add_column(t, "a")
    p.add_column(t, "b")
    p.column_set(t, a, "label", "x" * 158 + "£££")
    p.column_set(t, a, "equals", 1)
    r = p.insert_row(t, 0, "line", None, "l")
    p.cell_set_value(t, r, 0, "value", 5, True)
    p.cell_set_value(t, r, 1, "value", 6, True)
    findings = Finding._from_core(None, p.check())  # raised UnicodeDecodeError
    assert len(findings) == 1 and findings[0].code == "equals"
    assert findings[0].message.startswith("'l': xxx")


# --- integers out of C's range are refused, not truncated into range --------

def test_year_start_beyond_int_is_refused():
    p = _core.PlanCore()
    with pytest.raises(ValidationError):
        p.year_start = 2**32 + 1  # was taken as January
    assert p.year_start == 4


def test_table_decimals_and_income_sign_beyond_int_are_refused():
    p = _core.PlanCore()
    t = p.add_table("t")
    with pytest.raises(ValidationError):
        p.table_set(t, "decimals", 2**32 + 2)  # was taken as 2
    with pytest.raises(ValidationError):
        p.table_set(t, "income_sign", 2**32 - 1)  # was taken as -1
    info = p.table_get(t)
    assert info["decimals"] == 0 and info["income_sign"] == 1


def test_column_decimals_and_equals_beyond_range_are_refused():
    p = _core.PlanCore()
    t = p.add_table("t")
    a = p.add_column(t, "a")
    p.add_column(t, "b")
    with pytest.raises(ValidationError):
        p.column_set(t, a, "decimals", 2**32 + 1)  # was taken as 1
    with pytest.raises(IndexError):
        p.column_set(t, a, "equals", 2**32 + 1)  # was taken as column 1
    info = p.column_get(t, a)
    assert info["own_decimals"] is False and info["equals"] is None


# --- periods -----------------------------------------------------------------

def test_early_years_are_written_as_they_are_read():
    assert _core.parse_period("0999/00")[0] == "0999/00"  # was '999/00', unreadable
    assert _core.parse_period("0999", 1)[0] == "0999"


def test_quarter_word_must_be_quarter():
    with pytest.raises(ValidationError):
        _core.parse_period("2018/19 Qxyzabc 2")
    assert _core.parse_period("2018/19 - Quarter 2")[0] == "2018/19 Q2"


# --- the YAML reader ----------------------------------------------------------

def test_sum_columns_with_repeated_terms_load_quickly():
    # 64 terms naming the previous column, seven levels deep: the cycle check
    # walked every path (64**6 of them) and a 2 KB file never loaded
    cols = ["    - {id: c0}"]
    for i in range(1, 8):
        cols.append("    - {id: c%d, sum: [%s]}" % (i, ", ".join(["c%d" % (i - 1)] * 64)))
    doc = "planbook: 1\nbudgets:\n  t:\n    columns:\n" + "\n".join(cols) + "\n    rows: []\n"
    code = "import sys; from planbook_yaml import _yaml; _yaml.loads(sys.stdin.read())"
    run = subprocess.run([sys.executable, "-c", code], input=doc, text=True,
                         capture_output=True, timeout=60)
    assert run.returncode == 0, run.stderr


def test_rows_of_a_very_wide_table_are_bounded_by_the_input():
    # every row holds a cell per column: 16,384 columns and 3,000 short rows
    # (about 0.5 MB of text) took 640 MB, and 20,000 rows 4 GB
    cols = "\n".join("    - {id: c%d}" % i for i in range(16384))
    rows = "\n".join("    - line: x" for _ in range(3000))
    doc = "planbook: 1\nbudgets:\n  t:\n    columns:\n" + cols + "\n    rows:\n" + rows + "\n"
    with pytest.raises(ReadError) as info:
        _yaml.loads(doc)
    assert info.value.code == "limit"
    assert info.value.path.startswith("budgets.t.rows[")


def test_year_start_after_budgets_is_an_error():
    # the periods above were read with an April start and would silently
    # change meaning (2018/19 written back as 2018)
    doc = textwrap.dedent("""\
        planbook: 1
        budgets:
          t:
            columns:
            - {id: a, period: 2018/19}
        plan:
          year_start: January
        """)
    with pytest.raises(ReadError) as info:
        _yaml.loads(doc)
    assert info.value.line == 7 and "year_start" in str(info.value)
    # April, the start the periods were read with, is fine anywhere
    plan = _yaml.loads(doc.replace("January", "April"))
    assert plan.year_start == 4
