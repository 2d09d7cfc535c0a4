"""The compact layout of a loaded plan (issue 18: the plan no larger than its
file), asserted as behaviour on the example plans: amounts kept in 4 bytes
until one needs 8 (or a cell holds text), the rows' rare fields out of line,
the rows' source columns in 2 bytes unless far right, the index of texts
dropped after a load.  Each path is taken on real data and must read, check
and save as before.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

import planbook

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
CHILDREN = EXAMPLES / "manchester-children-2018-19.yaml"
SPOD = EXAMPLES / "manchester-spod-2007-08.yaml"


def snapshot(plan):
    return {k: [(r.label, r.id, r.note, r.source, r.values) for r in t.rows]
            for k, t in plan.budgets.items()}


def lines(table):
    return [r for r in table.rows if r.kind == "line"]


@pytest.mark.parametrize("big", [2**31, -(2**31) - 1, 2**40, -(2**53), 10**15])
def test_an_amount_beyond_32_bits_set_after_load_keeps_every_cell(big):
    plan = planbook.load(CHILDREN)
    before = snapshot(plan)
    findings = len(plan.check())
    key = next(iter(plan.budgets))
    t = plan.budgets[key]
    row = lines(t)[len(lines(t)) // 2]
    col = next(c.id for c in t.columns if row[c.id].state == "value")
    old = row[col].printed
    row[col] = big
    assert row[col].printed == Decimal(big)
    after = snapshot(plan)
    i = row.index
    assert after[key][:i] == before[key][:i] and after[key][i + 1:] == before[key][i + 1:]
    assert {k: v for k, v in after.items() if k != key} == \
           {k: v for k, v in before.items() if k != key}
    back = planbook.loads(plan.dumps())
    assert back.budgets[key].rows[i][col].printed == Decimal(big)
    assert plan == back
    row[col] = old  # back to the file's figure: the same plan, the same findings
    assert snapshot(plan) == before
    assert len(plan.check()) == findings


def test_the_32_bit_bounds_read_back_exactly():
    head = "planbook: 1\nbudgets:\n  t:\n    columns: [{id: a}, {id: b}]\n    rows:\n"
    rows = [(2**31 - 1, -(2**31)), (5, 6), (2**31, -(2**31) - 1), (7, 8)]
    text = head + "".join(f"      - line: r{i}\n        values: [{a}, {b}]\n"
                          for i, (a, b) in enumerate(rows))
    plan = planbook.loads(text)
    got = [tuple(int(v) for v in r.values) for r in plan.budgets["t"].rows]
    assert got == rows
    assert planbook.loads(plan.dumps()) == plan


def test_text_cells_read_and_set_after_load():
    plan = planbook.load(SPOD)
    before = snapshot(plan)
    # a table whose text column is blank throughout (its values narrow) and
    # one whose text column holds text (read wide)
    blank = [(k, t, c.id) for k, t in plan.budgets.items() for c in t.columns
             if c.type == "text" and all(r[c.id].state == "blank" for r in lines(t))]
    held = [(k, t, c.id) for k, t in plan.budgets.items() for c in t.columns
            if c.type == "text" and any(r[c.id].state == "text" for r in lines(t))]
    assert blank and held
    assert [r["ref"].printed for r in lines(plan.budgets["capital"])][:4] == \
           ["0501", "0473", "0481", "0498"]
    changed = {}
    for key, t, tcol in (blank[0], held[0]):
        row = lines(t)[-1]
        row[tcol] = f"set after the load in {key}"
        assert row[tcol].printed == f"set after the load in {key}"
        changed[key] = (row.index, tcol)
    after = snapshot(plan)
    for key, (i, tcol) in changed.items():
        assert after[key][:i] == before[key][:i]
        assert [v for c, v in zip(plan.budgets[key].columns, after[key][i][4]) if c.id != tcol] \
               == [v for c, v in zip(plan.budgets[key].columns, before[key][i][4]) if c.id != tcol]
    back = planbook.loads(plan.dumps())
    for key, (i, tcol) in changed.items():
        assert back.budgets[key].rows[i][tcol].printed == f"set after the load in {key}"
    assert {k: v for k, v in snapshot(back).items() if k not in changed} == \
           {k: v for k, v in before.items() if k not in changed}
    assert plan == back


def test_row_ids_and_notes_set_after_load_round_trip():
    plan = planbook.load(CHILDREN)
    before = snapshot(plan)
    key = next(iter(plan.budgets))
    t = plan.budgets[key]
    bare = [r for r in t.rows if r.id is None and r.note is None]
    assert len(bare) >= 3
    for n, r in enumerate(bare[:3]):
        r.id = f"later_{n}"
        r.note = f"note {n} set after the load"
    assert t.rows["later_1"].index == bare[1].index
    t.remove(t.rows["later_0"])  # its extra stays behind, unused
    again = [r for r in t.rows if r.id is None and r.note is None][0]
    again.id = "later_again"
    back = planbook.loads(plan.dumps())
    bt = back.budgets[key]
    assert bt.rows["later_again"].label == again.label
    assert bt.rows["later_2"].note == "note 2 set after the load"
    assert "later_0" not in [r.id for r in bt.rows]
    assert {k: v for k, v in snapshot(back).items() if k != key} == \
           {k: v for k, v in before.items() if k != key}
    assert plan == back


def test_a_row_far_right_keeps_its_column():
    # a flow sequence of rows on one line: the second row starts past
    # column 65535, beyond the row's 2-byte column
    pad = "x" * 70_000
    text = ("planbook: 1\nbudgets:\n  t:\n    columns: [{id: a}]\n"
            f"    rows: [{{line: {pad}, values: [1]}}, {{line: far, values: [2]}}, "
            f"{{line: farther, id: f2, values: [3]}}]\n")
    plan = planbook.loads(text)
    rows = plan.budgets["t"].rows
    first, far, farther = rows[0].source, rows[1].source, rows[2].source
    assert first[0] == far[0] == farther[0] == 5
    assert first[1] < 65535 < far[1] < farther[1]
    assert text.splitlines()[4][far[1] - 1:].startswith("line: far,")
    assert text.splitlines()[4][farther[1] - 1:].startswith("line: farther,")
    assert rows["f2"].source == farther
    rows[1].id = "f1"  # an extra made after the column went into one
    assert rows["f1"].source == far
    # a cell there keeps its own far column too
    bad = text.replace("values: [2]", "values: [oops]")
    with pytest.raises(planbook.ReadError) as e:
        planbook.loads(bad)
    assert f"5:{bad.splitlines()[4].index('oops') + 1}:" in str(e.value)


def test_texts_set_after_load_are_the_texts_set():
    # the index of interned texts is gone after a load; texts set later
    # (equal to loaded ones, or to each other) are still those texts
    plan = planbook.load(CHILDREN)
    key = next(iter(plan.budgets))
    t = plan.budgets[key]
    label = lines(t)[0].label
    for r in lines(t)[1:4]:
        r.label = label
    for r in lines(t)[4:7]:
        r.label = "A label set three times"
    assert [r.label for r in lines(t)[:4]] == [label] * 4
    assert [r.label for r in lines(t)[4:7]] == ["A label set three times"] * 3
    back = planbook.loads(plan.dumps())
    assert [r.label for r in lines(back.budgets[key])[:7]] == [r.label for r in lines(t)[:7]]


def columns(plan):
    return {k: [(c.id, c.label, c.period, c.phase, c.measure, c.unit, c.type, c.decimals,
                 c.sum, c.equals, c.compute) for c in t.columns]
            for k, t in plan.budgets.items()}


@pytest.mark.parametrize("name", ["manchester-children-families-2015-17.yaml",
                                  "manchester-spod-2007-08.yaml"])
def test_columns_rare_fields_and_shared_texts_round_trip(name):
    # sums, equals and computations live out of line; texts are one list
    # kept once for the columns that share them: every field reads back,
    # copies (which sets each field anew, after the load) and saves
    plan = planbook.load(EXAMPLES / name)
    cols = columns(plan)
    assert any(c[8] for t in cols.values() for c in t)       # sums
    assert any(c[10] for t in cols.values() for c in t)      # computations
    copy = plan.copy()
    assert columns(copy) == cols
    assert copy == plan
    assert len(copy.check()) == len(plan.check())
    back = planbook.loads(copy.dumps())
    assert columns(back) == cols and back == plan


def test_column_texts_set_on_columns_that_share_them():
    # two tables whose columns have the same texts (one list for both):
    # a text set on one column changes that column only
    plan = planbook.Plan()
    spec = dict(label="Gross 2024/25", period="2024/25", measure="gross")
    for k in ("a", "b"):
        t = plan.budgets.add(k)
        t.add_column("g", **spec)
        t.add_column("n", label="Net 2024/25", period="2024/25", measure="net")
        t.add_column("total", label="Total", sum=["g", "n"])
        t.add_line("x", [1, 2, 3])
    c = plan._c
    ta = plan.budgets["a"]
    c.column_set(ta._t, 0, "unit", "FTE")
    c.column_set(ta._t, 1, "label", None)
    got = columns(plan)
    assert got["a"][0][1:6] == ("Gross 2024/25", "2024/25", None, "gross", "FTE")
    assert got["b"][0][1:6] == ("Gross 2024/25", "2024/25", None, "gross", None)
    assert got["a"][1][1] is None and got["b"][1][1] == "Net 2024/25"
    c.column_set(ta._t, 2, "label", None)  # a column with no text left
    assert columns(plan)["a"][2][1:6] == (None, None, None, None, None)
    assert columns(plan)["a"][2][8] == ["g", "n"]
    back = planbook.loads(plan.dumps())
    assert columns(back) == columns(plan)
