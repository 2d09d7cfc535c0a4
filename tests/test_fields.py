"""Every value the API accepts saves and loads again (issue 16).

The walk is over the part descriptors (planbook._parts): every settable
field of every table, indicator set, risk register and collection, and of
their rows, measures and risks, plus the plan's metadata.  A field added
to a descriptor is covered here without a new test; a settable property a
descriptor does not describe fails test_every_settable_property_is_described.

For each field: each valid value (its sample, each choice, or one of its
type) is set, the plan saved as YAML and as a workbook and loaded again,
and the field reads back equal (and the whole plan is equal); a value of
the wrong kind (a list for a text, True for a choice or a number, a word
not among the choices) is refused at once, the choices named.
"""

from decimal import Decimal

import pytest

import planbook
from planbook._model import _META
from planbook._parts import PART, PARTS
from planbook.errors import ValidationError


def _plan():
    plan = planbook.Plan(title="Fields")
    t = plan.budgets.add("t", title="Costs", columns=[{"id": "y", "period": "2024/25"}])
    t.add_line("Staff", [100])
    t.add_total("Total", [100])
    s = plan.indicators.add("s", periods=["2024/25"], title="KPIs")
    s.add("m", "A measure", values=["5"])
    plan.risks.add("r", title="Risks").add("1", description="Flooding")
    plan.records.add("c", kind="actions", title="Actions").add("1", title="First")
    return plan


def _view(plan, part):
    return PART[part].of(plan)[{"budgets": "t", "indicators": "s", "risks": "r",
                                "records": "c"}[part]]


def _item(plan, part):
    view = _view(plan, part)
    return {"budgets": lambda: view.rows[1],        # the total (select is a total's)
            "indicators": lambda: next(iter(view)),
            "risks": lambda: view[0]}[part]()


def _settable(cls, name):
    prop = getattr(cls, name, None)
    return isinstance(prop, property) and prop.fset is not None


def _cases():
    for p in PARTS:
        view_cls, item_cls = p.cls("view"), p.cls("item")
        for f in p.fields:
            if _settable(view_cls, f.name):
                yield pytest.param(p.name, "view", f, id=f"{p.name}.{f.name}")
        for f in p.item_fields:
            if _settable(item_cls, f.name):
                yield pytest.param(p.name, "item", f, id=f"{p.name}.{p.item_noun}.{f.name}")


CASES = list(_cases())


def _target(plan, part, where):
    return _view(plan, part) if where == "view" else _item(plan, part)


def _reloaded(plan, tmp_path, suffix):
    path = tmp_path / f"plan{suffix}"
    plan.save(path)
    return planbook.load(path)


def test_the_walk_covers_every_part_and_each_kind_of_field():
    walked = {(c.values[0], c.values[1]) for c in CASES}
    # a described part's fields are walked by tests/test_described_parts.py
    assert walked == {(p.name, w) for p in PARTS for w in ("view", "item")
                      if (p.name != "records" or w == "view") and not p.described}
    assert len(CASES) >= 60


def test_every_settable_property_is_described():
    # a property with a setter that no descriptor names is a field this
    # walk cannot see: describe it in planbook/_parts.py
    for p in PARTS:
        for which, fields in (("view", p.fields), ("item", p.item_fields)):
            cls = p.cls(which)
            names = {f.name for f in fields}
            settable = {n for n in dir(cls) if not n.startswith("_") and _settable(cls, n)}
            assert settable <= names, (p.name, which, settable - names)


@pytest.mark.parametrize("part, where, field", CASES)
def test_each_valid_value_saves_and_loads_again(part, where, field, tmp_path):
    for value in field.samples():
        plan = _plan()
        setattr(_target(plan, part, where), field.name, value)
        want = getattr(_target(plan, part, where), field.name)
        for suffix in (".yaml", ".xlsx"):
            back = _reloaded(plan, tmp_path, suffix)
            assert getattr(_target(back, part, where), field.name) == want, (suffix, value)
            assert back == plan, (suffix, value)


def _wrong(field):
    """Values of the wrong kind for a field, and the error each must raise."""
    if field.choices:
        return [("sideways", ValidationError), (True, TypeError), (["a", "b"], TypeError)]
    if field.type is str:
        return [(["a", "b"], TypeError), (3.5, TypeError)]
    if field.type is int:
        return [(True, TypeError), ("3", TypeError)]
    if field.type is bool:
        return [("yes", TypeError), (1, TypeError)]
    return [(["a", "b"], (TypeError, ValueError))]


@pytest.mark.parametrize("part, where, field", CASES)
def test_each_wrong_value_is_refused_at_once(part, where, field):
    plan = _plan()
    target = _target(plan, part, where)
    before = planbook.dumps(plan)
    for value, error in _wrong(field):
        with pytest.raises(error) as e:
            setattr(target, field.name, value)
        assert field.name in str(e.value) or field.type is object, str(e.value)
        if field.choices:
            assert all(repr(c) in str(e.value) for c in field.choices), str(e.value)
        assert planbook.dumps(plan) == before
    assert isinstance(ValidationError("x"), ValueError)


@pytest.mark.parametrize("key", _META)
def test_plan_metadata_saves_and_loads_and_refuses_a_list(key, tmp_path):
    plan = _plan()
    setattr(plan, key, "Some text \u2013 with \"quotes\": and a colon")
    for suffix in (".yaml", ".xlsx"):
        assert getattr(_reloaded(plan, tmp_path, suffix), key) == getattr(plan, key)
    for bad in (["a", "b"], True, {"a": 1}):
        with pytest.raises(TypeError, match=f"{key} is text"):
            setattr(plan, key, bad)


def test_a_record_field_is_text():
    plan = _plan()
    coll = plan.records["c"]
    with pytest.raises(TypeError, match="owner is str or None, not list"):
        coll[0]["owner"] = ["a", "b"]
    with pytest.raises(TypeError, match="due is str or None, not int"):
        coll.add("2", due=2024)
    assert len(coll) == 1 and "owner" not in coll[0].fields


def test_adding_checks_the_same_fields():
    plan = planbook.Plan()
    with pytest.raises(ValidationError, match="kind is 'objective', .* or 'other', not 'revenue'"):
        plan.budgets.add("t", kind="revenue")
    with pytest.raises(TypeError, match="income_sign is 'positive' or 'negative', not bool"):
        plan.budgets.add("t", income_sign=True)
    with pytest.raises(TypeError, match="blank is 'zero' or 'missing', not bool"):
        plan.budgets.add("t", blank=True)
    with pytest.raises(TypeError, match="title is str or None, not list"):
        plan.budgets.add("t", title=["a", "b"])
    assert "t" not in plan.budgets
    s = plan.indicators.add("s", periods=["2024/25"])
    with pytest.raises(ValidationError, match="polarity is 'none', 'high' or 'low', not 'up'"):
        s.add("m", polarity="up")
    with pytest.raises(TypeError, match="name is str or None, not list"):
        s.add("m", ["a", "b"])
    with pytest.raises(ValidationError, match="unit is 'number', .* or 'text', not 'furlongs'"):
        s.add("m", unit="furlongs")
    assert "m" not in s
    reg = plan.risks.add("r")
    with pytest.raises(TypeError, match="owner is str or None, not list"):
        reg.add("1", owner=["a"])
    assert len(reg) == 0
    t = plan.budgets.add("t", columns=[{"id": "y"}])
    with pytest.raises(ValidationError, match="role is 'inherit', .* or 'other', not 'revenue'"):
        t.add_line("a", [1], role="revenue")
    assert len(t.rows) == 0


def test_a_table_with_no_rows_keeps_its_amount_columns_through_a_workbook(tmp_path):
    # the reader takes a column without figures for text; the structure
    # sheet says what planbook wrote (xlsxread: recorded_type)
    plan = planbook.Plan()
    plan.budgets.add("t", columns=[{"id": "y", "period": "2024/25"}, {"id": "n", "type": "text"},
                                   {"id": "z", "decimals": 1}])
    back = _reloaded(plan, tmp_path, ".xlsx")
    assert [(c.id, c.type, c.decimals) for c in back.budgets["t"].columns] == [
        ("y", "amount", 0), ("n", "text", 0), ("z", "amount", 1)]
    assert back == plan
    back.budgets["t"].add_line("Staff", [5, "a note", "1.5"])
    assert back.budgets["t"].rows["Staff"].values == [5, "a note", Decimal("1.5")]


ANNUAL = """\
planbook: 1
indicators:
  k:
    periods: [{periods}]
    measures:
    - ref: '1'
      polarity: high
      values: [{values}]
      targets: {{2014/15: '5'}}
"""


def test_an_annual_target_needs_the_year_among_the_periods_and_the_error_says_how():
    quarters = "2014/15 Q1, 2014/15 Q2, 2014/15 Q3, 2014/15 Q4"
    with pytest.raises(planbook.ReadError) as e:
        planbook.loads(ANNUAL.format(periods=quarters, values="'1', '2', '3', '6'"))
    assert str(e.value).endswith(
        "'2014/15' is not one of the set's periods (2014/15 Q1 .. 2014/15 Q4): for a year's "
        "target, add the year to the set's periods (periods: [2014/15, ...]); it then holds "
        "for its quarters")
    plan = planbook.loads(ANNUAL.format(periods="2014/15, " + quarters,
                                        values="'', '1', '2', '3', '6'"))
    m = plan.indicators["k"]["1"]
    assert [m.status(q).target for q in ("2014/15 Q1", "2014/15 Q4")] == ["worse", "better"]
    s = planbook.Plan().indicators.add("k", periods=["2014/15 Q1"])
    with pytest.raises(KeyError, match=r"add the year to the set's periods "
                                       r"\(set.add_period\('2014/15'\)"):
        s.add("1", values=["1"]).targets["2014/15"] = "5"
