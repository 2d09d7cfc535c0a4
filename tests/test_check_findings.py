"""The fields of a finding as core.check() gathers them in C without the
GIL (python/planbook/_corefindings.c): the column heading follows the
rule of Column.heading, the amounts are exact Decimals at the column's
scale, the other cell and the agreement are named (issue 18)."""
from decimal import Decimal

import pytest

import planbook

from conftest import EXAMPLES

PLAN = """\
planbook: 1
budgets:
  t:
    columns:
    - {id: a, period: 2024/25, phase: budget}
    - {id: b, period: 2025/26, measure: fte}
    - {id: c, period: 2026/27}
    - {id: d, label: Gross spend, period: 2027/28, phase: outturn}
    - {id: e}
    - {id: f, decimals: 2}
    rows:
    - line: Staff
      values: [1, 2, 3, 4, 5, 1.25]
    - line: Supplies
      values: [10, 20, 30, 40, 50, 2.5]
    - total: Total
      values: [12, 23, 34, 45, 56, 3.76]
"""


def test_each_heading_follows_the_column_rule():
    plan = planbook.loads(PLAN)
    findings = plan.check()
    got = {f.column: f.column_heading for f in findings}
    assert got == {"a": "2024/25 budget", "b": "2025/26 fte", "c": "2026/27",
                   "d": "Gross spend", "e": "e", "f": "f"}
    table = plan.budgets["t"]
    for f in findings:
        assert f.column_heading == {c.id: c for c in table.columns}[f.column].heading
        assert f.table == "t" and f.row == "Total" and f.row_index == 2
        assert f.declared - f.computed == f.difference


def test_amounts_are_exact_at_the_column_scale():
    f = {f.column: f for f in planbook.loads(PLAN).check()}
    assert (repr(f["f"].declared), repr(f["f"].computed), repr(f["f"].difference)) == \
        ("Decimal('3.76')", "Decimal('3.75')", "Decimal('0.01')")
    assert (f["a"].declared, f["a"].computed, f["a"].difference) == (12, 11, 1)
    assert f["a"].declared.as_tuple().exponent == 0


def test_amounts_made_when_read_are_the_same_everywhere():
    """The amounts travel as exact text and become Decimals when first read
    (docs/decisions.md): unread findings pickle, copy into dicts and frames
    with the same exact figures as read ones, and a set amount stays set."""
    import pickle
    unread = planbook.loads(PLAN).check()
    read = planbook.loads(PLAN).check()
    want = [(f.column, f.declared, f.computed, f.difference) for f in read]
    back = pickle.loads(pickle.dumps(unread))
    assert [(f.column, f.declared, f.computed, f.difference) for f in back] == want
    assert all(isinstance(f.declared, Decimal) for f in back)
    assert [f.to_dict() for f in planbook.loads(PLAN).check()] == [f.to_dict() for f in read]
    assert planbook.loads(PLAN).check()[5].to_dict()["difference"] == "0.01"
    frame = planbook.loads(PLAN).check().to_pandas()
    assert list(frame["declared"]) == [str(d) for _, d, _, _ in want]
    assert "_declared" not in frame.columns
    f = read[0]
    f.difference = Decimal("7.5")
    assert f.difference == Decimal("7.5") and f.declared - f.computed == 1


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_examples_findings_name_what_the_plan_has(path):
    plan = planbook.load(path)
    for f in plan.check():
        assert f.file == str(path) and f.message
        if f.part == "budgets" and f.table in plan.budgets and f.column is not None:
            table = plan.budgets[f.table]
            assert f.column_heading == {c.id: c for c in table.columns}[f.column].heading
        if f.declared is not None:
            assert isinstance(f.declared, Decimal)
            assert f.declared - f.computed == f.difference
        if f.other is not None:
            assert set(f.other) == {"table", "row", "column"}
