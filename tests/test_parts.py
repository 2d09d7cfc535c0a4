"""The parts of a plan described once (planbook._parts): the containers,
views and differs of budgets, indicators, risks and records work from the
one registry, and enumerated fields are checked where they are set."""

import pytest

import planbook
from planbook._diff import DIFFERS
from planbook._parts import PART, PARTS, Field, PartMapping, PartView
from planbook.errors import ValidationError

#: the parts kept as mappings of tables, sets... by id (a described part,
#: one list of rows, has its own tests: tests/test_described_parts.py)
MAPPED = [p for p in PARTS if not p.described]


def _one_of_each(plan):
    """Add one table, set, register and collection; their ids by part."""
    plan.budgets.add("t", title="Costs", columns=[{"id": "y", "period": "2024/25"}])
    plan.indicators.add("s", periods=["2024/25"], title="KPIs")
    plan.risks.add("r", title="Risks")
    plan.records.add("c", kind="actions", title="Actions")
    return {"budgets": "t", "indicators": "s", "risks": "r", "records": "c"}


def test_registry_names_each_part_once():
    assert [p.name for p in MAPPED] == ["budgets", "indicators", "risks", "records"]
    # a described part for each of the core's descriptors, in their order
    kinds = planbook._core.PlanCore().described_kinds()
    assert [p.name for p in PARTS if p.described] == [k[0] for k in kinds]
    assert "contacts" in PART and PARTS.index(PART["contacts"]) == len(MAPPED)
    assert set(PART) == {p.name for p in PARTS}
    assert list(DIFFERS) == ["plan"] + [p.name for p in PARTS]
    for p in MAPPED:
        assert issubclass(p.cls("container"), PartMapping)
        assert issubclass(p.cls("view"), PartView)
        assert p.cls("container")._part is p and p.cls("view")._part is p
        assert getattr(planbook.Plan, p.name).__doc__ == p.doc


def test_containers_share_one_behaviour():
    plan = planbook.Plan()
    ids = _one_of_each(plan)
    for p in MAPPED:
        m = p.of(plan)
        assert isinstance(m, p.cls("container"))
        assert list(m) == [ids[p.name]] and len(m) == 1 and ids[p.name] in m
        view = m[ids[p.name]]
        assert type(view).__name__ == p.view and view.id == ids[p.name]
        with pytest.raises(KeyError):
            m["nope"]
        with pytest.raises(KeyError):
            m[3]
        with pytest.raises(KeyError):
            m.remove("nope")
        m.remove(ids[p.name])
        assert len(m) == 0 and repr(m) in ("<planbook budgets: >", f"<{p.container}: none>")
        with pytest.raises(KeyError, match=f"{p.noun} '{ids[p.name]}' is no longer in the plan"):
            view.title


def test_delitem_is_remove():
    plan = planbook.Plan()
    ids = _one_of_each(plan)
    for p in MAPPED:
        del p.of(plan)[ids[p.name]]
        assert not p.of(plan)


@pytest.mark.parametrize("part, field", [(p.name, f.name) for p in PARTS for f in p.fields
                                         if f.choices])
def test_enumerated_fields_take_each_choice_and_name_them_when_refused(part, field):
    plan = planbook.Plan()
    ids = _one_of_each(plan)
    view = PART[part].of(plan)[ids[part]]
    choices = PART[part].field(field).choices
    for choice in choices:
        setattr(view, field, choice)
        assert getattr(view, field) == choice
    with pytest.raises(ValidationError) as e:
        setattr(view, field, "sideways")
    assert str(e.value).startswith(f"{field} is ") and str(e.value).endswith("not 'sideways'")
    assert all(repr(c) in str(e.value) for c in choices)
    assert isinstance(e.value, ValueError)
    assert getattr(view, field) == choices[-1]


def test_enumerations_checked_when_added_and_nothing_left_behind():
    plan = planbook.Plan()
    with pytest.raises(ValidationError, match="kind is 'objectives', .* or 'other', not 'bogus'"):
        plan.records.add("c", kind="bogus")
    with pytest.raises(ValidationError, match="score_order is 'likelihood x impact' or "
                                              "'impact x likelihood', not 'LxI'"):
        plan.risks.add("r", score_order="LxI")
    with pytest.raises(ValidationError, match="direction is 'previous', 'year_ago' or "
                                              "'outturn', not 'sideways'"):
        plan.indicators.add("s", periods=["2024/25"], direction="sideways")
    with pytest.raises(ValidationError, match="income_sign is 'positive' or 'negative'"):
        plan.budgets.add("t", income_sign="upside down")
    assert not plan.records and not plan.risks and not plan.indicators and not plan.budgets


def test_text_fields_want_text():
    plan = planbook.Plan()
    coll = plan.records.add("c")
    with pytest.raises(TypeError, match="title is str or None, not int"):
        coll.title = 5
    coll.title = None
    assert coll.title is None
    with pytest.raises(ValidationError, match="not None"):
        plan.risks.add("r", score_order=None)


def test_field_check():
    f = Field("kind", choices=("a", "b"))
    assert f.check("a") == "a"
    with pytest.raises(ValidationError, match="kind is 'a' or 'b', not None"):
        f.check(None)
    with pytest.raises(TypeError):
        f.check(3)
    assert Field("note").check(None) is None


def test_items_in_remove_and_gone():
    plan = planbook.Plan()
    reg = plan.risks.add("r")
    risk = reg.add("1", description="Flooding")
    coll = plan.records.add("c")
    rec = coll.add("1", title="First")
    s = plan.indicators.add("s", periods=["2024/25"])
    m = s.add("m1", "Measure")
    for view, key, item in ((reg, "1", risk), (coll, "1", rec), (s, "m1", m)):
        assert key in view and "nope" not in view and 3 not in view
        with pytest.raises(KeyError):
            view.remove("nope")
    reg.remove("1")
    with pytest.raises(KeyError, match="risk '1' is no longer in register 'r'"):
        risk.description
    s.remove("m1")
    with pytest.raises(KeyError, match="measure 'm1' is no longer in set 's'"):
        m.name
    coll.remove(rec)
    assert len(coll) == 0


def test_item_added_with_a_bad_field_is_taken_out_again():
    plan = planbook.Plan()
    reg = plan.risks.add("r")
    with pytest.raises(Exception):
        reg.add("1", current="not a score at all (x)")
    assert "1" not in reg and len(reg) == 0
    s = plan.indicators.add("s", periods=["2024/25"])
    with pytest.raises(Exception):
        s.add("m1", unit="furlongs")
    assert "m1" not in s


def test_diff_and_summary_iterate_over_the_parts():
    a = planbook.Plan(title="A")
    b = planbook.Plan(title="A")
    _one_of_each(b)
    d = planbook.diff(a, b)
    assert [(c.part, c.kind, c.table) for c in d] == [
        ("budgets", "table added", "t"), ("indicators", "indicator set added", "s"),
        ("risks", "register added", "r"), ("records", "collection added", "c")]
    assert [(c.part, c.kind) for c in planbook.diff(b, a)] == [
        ("budgets", "table removed"), ("indicators", "indicator set removed"),
        ("risks", "register removed"), ("records", "collection removed")]
    card = b._repr_html_()
    for text in ("budget table <b>Costs</b> [t]", "indicators <b>KPIs</b> [s]",
                 "risk register <b>Risks</b> [r]", "actions <b>Actions</b> [c]"):
        assert text in card
