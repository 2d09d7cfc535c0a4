"""Issue 8's "done when": a workbook planbook wrote, edited by a script that
acts as finance would (openpyxl edits, then LibreOffice opening and saving
it again, recalculating), reads back with the edits, and `planbook diff`
names each of them, and nothing else.

Two shipped examples between them carry every part: seed 000 (a budget
table, a performance plan, a strategic risk register) and seed 004 (the
post-inspection action plan with due dates and statuses).
"""

import json
import warnings
from decimal import Decimal
from pathlib import Path

import pytest

import planbook
from planbook.cli import main
from planbook.errors import ReadWarning

import xlsx_tools as xt

openpyxl = pytest.importorskip("openpyxl")
needs_lo = pytest.mark.skipif(xt.soffice() is None, reason="needs LibreOffice (soffice)")

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def rows_by(ws, col, header_row=4):
    """{value of column `col`: sheet row} below the heading row."""
    return {ws.cell(r, col).value: r for r in range(header_row + 1, ws.max_row + 1)
            if ws.cell(r, col).value is not None}


def col_of(ws, heading, header_row=4):
    for c in range(1, ws.max_column + 1):
        if ws.cell(header_row, c).value == heading:
            return c
    raise KeyError(heading)


def finance_edits_000(src, dst):
    """What finance does to seed 000's workbook."""
    wb = openpyxl.load_workbook(src)
    # the budget: a line's amount, and a line inserted in a section
    ws = wb["subjective"]
    labels = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
    ws.cell(labels["Employees"], 2).value = 56000                 # 55,919 -> 56,000
    r = labels["Capital Financing Costs"]
    ws.insert_rows(r + 1)
    ws.cell(r + 1, 1).value = "Agency staff"
    ws.cell(r + 1, 2).value = 120
    # the performance plan: a result corrected, a target revised
    ws = wb["Performance Plan"]
    refs = rows_by(ws, 2)
    ws.cell(refs["2"], col_of(ws, "2017/18")).value = 36.1        # 35.3 -> 36.1
    ws.cell(refs["1"], col_of(ws, "Target 2017/18")).value = 65   # no target -> 65
    # the risk register: a risk re-scored, an owner changed
    ws = wb["strategic"]
    ids = rows_by(ws, 1)
    ws.cell(ids["2"], col_of(ws, "Current L")).value = 3          # 2 x 4 = 8 -> 3 x 4 = 12
    ws.cell(ids["3"], col_of(ws, "Risk owner")).value = "Director of Children's Services"
    wb.move_sheet("Findings", offset=-3)                          # sheets reordered
    wb.save(dst)


def finance_edits_004(src, dst):
    """What finance does to seed 004's action plan: one action closed, one
    due date moved."""
    plan = planbook.load(EXAMPLES / "manchester-children-post-inspection-2018.yaml")
    coll = next(cid for cid in plan.records if plan.records[cid].title)
    wb = openpyxl.load_workbook(src)
    sheet = xt.expected_sheet_names(plan)[1 + len(plan.budgets) + len(plan.indicators) +
                                          2 * len(plan.risks) + list(plan.records).index(coll)]
    ws = wb[sheet]
    ids = rows_by(ws, 1)
    heads = {ws.cell(4, c).value: c for c in range(1, ws.max_column + 1)}
    if "status" not in heads:                        # finance adds a Status column
        c = ws.max_column + 1
        ws.cell(4, c).value = "status"
        heads["status"] = c
    ws.cell(ids["4.12"], heads["status"]).value = "Complete"
    ws.cell(ids["4.23"], heads["Due (date)"]).value = \
        __import__("datetime").datetime(2019, 3, 31)
    wb.save(dst)
    return coll


@pytest.fixture
def lo(tmp_path):
    def resave(path):
        return xt.libreoffice_convert([path], tmp_path / "lo")[0]
    return resave


def load_quiet(path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        plan = planbook.load(path)
    return plan, [str(w.message) for w in caught if issubclass(w.category, ReadWarning)]


@pytest.mark.parametrize("via", ["openpyxl", pytest.param("libreoffice", marks=needs_lo)])
def test_budget_indicator_and_risk_edits_come_back_and_diff_names_each(tmp_path, lo, via):
    yaml_path = EXAMPLES / "manchester-children-2018-19.yaml"
    plan = planbook.load(yaml_path)
    book, edited = tmp_path / "plan.xlsx", tmp_path / "edited.xlsx"
    plan.save(book)
    finance_edits_000(book, edited)
    if via == "libreoffice":
        edited = lo(edited)
    back, found = load_quiet(edited)

    # the edits are in the plan read back
    sub = back.budgets["subjective"]
    assert sub.rows["Employees"]["y2018"].printed == Decimal("56000")
    agency = sub.rows["Agency staff"]
    assert agency.parent.label == "Expenditure:" and agency["y2018"].printed == Decimal("120")
    perf = back.indicators["performance"]
    assert perf["2"].values["2017/18"].value == Decimal("36.1")
    assert perf["1"].targets["2017/18"].value == Decimal("65")
    risk2 = back.risks["strategic"]["2"]
    assert (risk2.current.likelihood, risk2.current.impact, risk2.current.value) == (3, 4, 12)
    assert back.risks["strategic"]["3"].owner == "Director of Children's Services"
    # ... and everything else is as written: ids, agreements, settings, links
    assert back.year_start == plan.year_start and back.agreements == plan.agreements
    assert sub.rows["Total Subjective Expenditure"].id == \
        plan.budgets["subjective"].rows["Total Subjective Expenditure"].id

    changes = planbook.diff(plan, back)
    assert not changes.skipped
    got = {(c.part, c.kind, c.row, c.column) for c in changes}
    expected = {
        ("budgets", "amount changed", "Employees", "2018-2019 Budget"),
        ("budgets", "line added", "Agency staff", None),
        ("indicators", "result changed", "2", "2017/18"),
        ("indicators", "target revised", "1", "2017/18"),
        ("risks", "risk re-scored", "2", "current"),
        ("risks", "owner changed", "3", None),
    }
    missing = {e for e in expected if not any(
        g[:3] == e[:3] and (e[3] is None or g[3] == e[3] or e[3] in str(g[3])) for g in got)}
    assert not missing, (missing, got)
    # nothing else changed but what follows from the edits: totals that
    # moved, RAG and direction worked out again, the check's findings
    derived = ("total moved", "RAG changed", "direction changed", "finding appeared",
               "finding disappeared", "amount changed")
    others = [c for c in changes if not any(g[:3] == (c.part, c.kind, c.row) for g in expected)
              and c.kind not in derived]
    assert not others, [str(c) for c in others]
    assert all(c.part == "budgets" for c in changes if c.kind == "amount changed"), changes
    # nothing in the workbook went unread, except LibreOffice's additions
    assert not [m for m in found if via == "openpyxl"], found


@pytest.mark.parametrize("via", ["openpyxl", pytest.param("libreoffice", marks=needs_lo)])
def test_action_closed_and_date_moved_come_back_and_diff_names_them(tmp_path, lo, via, capsys):
    yaml_path = EXAMPLES / "manchester-children-post-inspection-2018.yaml"
    plan = planbook.load(yaml_path)
    book, edited = tmp_path / "plan.xlsx", tmp_path / "edited.xlsx"
    plan.save(book)
    coll = finance_edits_004(book, edited)
    if via == "libreoffice":
        edited = lo(edited)
    back, found = load_quiet(edited)
    items = {it.id: it for it in back.records[coll]}
    assert items["4.12"].fields.get("status") == "Complete"
    assert str(items["4.23"].due) == "2019-03-31"

    changes = planbook.diff(plan, back)
    got = {(c.part, c.kind, c.row) for c in changes}
    assert ("records", "action closed", "4.12") in got, got
    assert ("records", "due date moved", "4.23") in got, got
    assert {c.row for c in changes} == {"4.12", "4.23"}, [str(c) for c in changes]
    # the command line names them too, as text and as JSON
    yaml_copy = tmp_path / "plan.yaml"
    plan.save(yaml_copy)
    assert main(["diff", str(yaml_copy), str(edited)]) == 1
    out = capsys.readouterr().out
    assert "4.12" in out and "4.23" in out and "Complete" in out
    assert main(["diff", "--json", str(yaml_copy), str(edited)]) == 1
    data = json.loads(capsys.readouterr().out)
    assert {c["row"] for c in data["changes"]} == {"4.12", "4.23"}


def test_a_workbook_of_changes(tmp_path):
    """`planbook diff A B -o changes.xlsx` writes the changes as a workbook
    that reads back (it is a plan like any other)."""
    plan = planbook.load(EXAMPLES / "manchester-children-2018-19.yaml")
    book, edited = tmp_path / "plan.xlsx", tmp_path / "edited.xlsx"
    plan.save(book)
    finance_edits_000(book, edited)
    out = tmp_path / "changes.xlsx"
    assert main(["diff", str(book), str(edited), "-o", str(out)]) == 1
    changes, _ = load_quiet(out)
    rows = [r for coll in changes.records.values() for r in coll]
    assert any("Employees" in str(r.fields) for r in rows)
    assert any("re-scored" in str(r.fields) for r in rows)
