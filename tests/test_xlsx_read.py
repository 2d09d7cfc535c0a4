"""Reading workbooks planbook wrote back into plans (planbook_xlsxread):
the examples round trip, finance's edits (openpyxl, LibreOffice) come back
and planbook.diff names them, numbers are exact."""

import shutil
import subprocess
import warnings
from decimal import Decimal
from pathlib import Path

import pytest

import planbook
from planbook.errors import ReadError, ReadWarning

import xlsx_tools as xt
from conftest import change_kinds

openpyxl = pytest.importorskip("openpyxl")
from planbook_xlsxread import _xlsxread  # noqa: E402

EXAMPLES = sorted(Path(__file__).resolve().parent.parent.joinpath("examples").glob("*.yaml"))


def shown(plan):
    return {tid: [(r.kind, r.label, r.depth, [c.shown for c in r.cells]) for r in t.rows]
            for tid, t in plan.budgets.items()}


def finding_keys(plan):
    return sorted((f.table, f.code, f.row, str(f.difference)) for f in plan.check())


@pytest.fixture
def book(tmp_path):
    def make(name="manchester-children-2018-19"):
        plan = planbook.load(Path(__file__).resolve().parent.parent / "examples" / f"{name}.yaml")
        path = tmp_path / f"{name}.xlsx"
        plan.save(path)
        return plan, path
    return make


@pytest.mark.parametrize("example", [p.stem for p in EXAMPLES])
def test_examples_round_trip(book, example):
    """Every part of every example comes back exactly: budgets from their
    sheets (figures, labels, levels, notes), and with the hidden structure
    sheet their ids, roles, kinds, column headings, periods, equals and
    sums, the agreements, settings, indicators, risks and records.  The
    canonical YAML of the plan read back is the YAML of the plan written,
    byte for byte, and nothing is reported."""
    plan, path = book(example)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        back = planbook.load(path)
    assert [str(w.message) for w in caught if issubclass(w.category, ReadWarning)] == []
    assert back.dumps() == plan.dumps()
    assert list(back.budgets) == list(plan.budgets)
    a, b = shown(plan), shown(back)
    for tid in a:
        assert a[tid] == b[tid], tid
    assert finding_keys(back) == finding_keys(plan)


@pytest.mark.parametrize("example", [p.stem for p in EXAMPLES])
def test_examples_without_the_structure_sheet(book, tmp_path, example):
    """A workbook whose structure sheet was deleted (or an older one) still
    gives its budget tables as the sheets show them; the other parts'
    sheets are reported as not read."""
    plan, path = book(example)
    wb = openpyxl.load_workbook(path)
    del wb["planbook"]
    bare = tmp_path / "bare.xlsx"
    wb.save(bare)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        back = planbook.load(bare)
    found = [str(w.message) for w in caught if issubclass(w.category, ReadWarning)]
    assert list(back.budgets) == list(plan.budgets)
    assert not back.indicators and not back.risks and not back.records
    described = xt.described_sheets(plan)
    assert not any(len(getattr(back, key)) for key, _ in described)
    parts = len(plan.indicators) + len(plan.risks) + len(plan.records) + len(described)
    assert len([m for m in found if "no planbook structure sheet" in m]) == parts
    # openpyxl drops the formulas' results, so compare the lines' own figures
    for tid, t in plan.budgets.items():
        lines = [(r.label, [c.printed for c in r.cells]) for r in t.rows if r.kind == "line"
                 and r.parent is None or (r.kind == "line" and not r.children)]
        got = [(r.label, [c.printed for c in r.cells]) for r in back.budgets[tid].rows
               if r.kind == "line" and r.parent is None or (r.kind == "line" and not r.children)]
        assert [lab for lab, _ in got] == [lab for lab, _ in lines], tid


def test_select_total_and_income_printed_negative(book):
    plan, path = book("manchester-children-families-2015-17")
    back = planbook.load(path)
    sub = back.budgets["subjective"]
    assert sub.income_sign == "negative"
    grants = sub.rows["Government Grants"]
    assert grants.effective_role == "income"
    assert grants["y2014"].printed == Decimal("-375771")
    assert grants["y2014"].value == Decimal("375771")


def test_edits_by_openpyxl_come_back_and_diff_names_them(book, tmp_path):
    plan, path = book("manchester-children-2018-19")
    wb = openpyxl.load_workbook(path)
    ws = wb["subjective"]
    labels = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
    ws.cell(labels["Employees"], 2).value = 56000              # 55,919 -> 56,000
    ws.cell(labels["Running Expenses"], 1).value = "Running costs"  # renamed
    r = labels["Capital Financing Costs"]
    ws.insert_rows(r + 1)                                      # a new line in the section
    ws.cell(r + 1, 1).value = "Agency staff"
    ws.cell(r + 1, 2).value = 120
    ws.cell(r + 1, 3).value = 0
    wb.move_sheet("Findings", offset=-1)                        # sheets reordered
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)

    back = planbook.load(edited)
    sub = back.budgets["subjective"]
    assert sub.rows["Employees"]["y2018"].printed == Decimal("56000")
    agency = sub.rows["Agency staff"]
    assert agency.kind == "line" and agency.parent.label == "Expenditure:"
    assert agency["y2018"].printed == Decimal("120")
    # openpyxl drops the formulas' results: the core computes the totals
    total = sub.rows["Total Subjective Expenditure"]
    assert total["y2018"].shown == Decimal("449623") + 81 + 120

    changes = planbook.diff(plan, back)
    assert {("amount changed", "Employees"), ("line renamed", "Running costs"),
            ("line added", "Agency staff"),
            ("total moved", "Total Subjective Expenditure")} <= change_kinds(changes)
    moved = [c for c in changes if c.kind == "amount changed" and c.row == "Employees"][0]
    assert moved.difference == Decimal("81")
    # the misprinted Gross Expenditure: its printed figure came back from the
    # comment, so its finding is still there (with a new difference)
    assert any(c.kind.startswith("finding") for c in changes)


def test_deleted_line(book, tmp_path):
    plan, path = book("manchester-children-2018-19")
    wb = openpyxl.load_workbook(path)
    ws = wb["subjective"]
    r = [r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "Contribution to reserves"][0]
    ws.delete_rows(r)
    edited = tmp_path / "deleted.xlsx"
    wb.save(edited)
    back = planbook.load(edited)
    assert back.budgets["subjective"].rows.__len__() == len(plan.budgets["subjective"].rows) - 1
    changes = planbook.diff(plan, back)
    assert ("line removed", "Contribution to reserves") in change_kinds(changes)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_libreoffice_resave(book, tmp_path):
    plan, path = book("manchester-children-families-2015-17")
    wb = openpyxl.load_workbook(path)
    first = wb.sheetnames[1]
    wb.move_sheet(first, offset=3)      # a table's sheet moved three places right
    edited = tmp_path / "in" / "edited.xlsx"
    edited.parent.mkdir()
    wb.save(edited)                     # openpyxl drops every formula's result
    out = tmp_path / "out"
    subprocess.run(["soffice", "--headless", "--convert-to", "xlsx", "--outdir", str(out),
                    str(edited)], check=True, capture_output=True, timeout=180,
                   env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    back = planbook.load(out / "edited.xlsx")
    original = planbook.load(path)
    assert list(back.budgets).index(back.budgets[list(original.budgets)[0]].id) == 3
    assert shown(back) == shown(original)
    assert not planbook.diff(original, back)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_edit_then_libreoffice_recalculates(book, tmp_path):
    """openpyxl drops the formulas' results; LibreOffice recalculates them
    when it re-saves: the totals come back as LibreOffice's figures, which
    agree with the core's, and diff names the edit and the totals it moved."""
    plan, path = book("manchester-children-2018-19")
    wb = openpyxl.load_workbook(path)
    ws = wb["subjective"]
    r = [r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "Employees"][0]
    ws.cell(r, 3).value = 56303                     # 2019/20: 56,203 -> 56,303
    edited = tmp_path / "in" / "edited.xlsx"
    edited.parent.mkdir()
    wb.save(edited)
    out = tmp_path / "out"
    subprocess.run(["soffice", "--headless", "--convert-to", "xlsx", "--outdir", str(out),
                    str(edited)], check=True, capture_output=True, timeout=180,
                   env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    back = planbook.load(out / "edited.xlsx")
    total = back.budgets["subjective"].rows["Total Subjective Expenditure"]["y2019"]
    assert total.state == "value"                  # LibreOffice's cached result, read
    assert total.printed == total.computed == Decimal("462580") + 100
    changes = planbook.diff(plan, back)
    assert {(c.kind, c.row, c.difference) for c in changes if not c.kind.startswith("finding")} \
        == {("amount changed", "Employees", Decimal(100)),
            ("total moved", "Total Subjective Expenditure", Decimal(100)),
            ("total moved", "Gross Expenditure", Decimal(100)),
            ("total moved", "Total Net Budget", Decimal(100))}


def test_numbers_are_exact():
    n = _xlsxread.number
    assert n("0.07000000000000001", 2) == 7
    assert n("7.0000000000000007E-2", 2) == 7
    assert n("449623", 0) == 449623
    assert n("-1234.5", 1) == -12345
    assert n("1E3", 0) == 1000
    assert n("0.30000000000000004", 1) == 3
    with pytest.raises(ReadError):
        n("0.075", 2)          # more decimals than the scale: never rounded
    with pytest.raises(ReadError):
        n("1234.5000001", 0)
    with pytest.raises(ReadError):
        n("12a", 0)


def test_precision_error_names_sheet_and_cell(book, tmp_path):
    plan, path = book("manchester-children-2018-19")
    wb = openpyxl.load_workbook(path)
    ws = wb["subjective"]
    ws["B7"].value = 55919.25
    bad = tmp_path / "bad.xlsx"
    wb.save(bad)
    with pytest.raises(ReadError) as e:
        planbook.load(bad)
    assert e.value.sheet == "subjective" and e.value.cell == "B7"
    assert "more decimals" in str(e.value)


def test_what_the_plan_cannot_hold_is_reported(book, tmp_path):
    plan, path = book("manchester-children-2018-19")
    wb = openpyxl.load_workbook(path)
    ws = wb["subjective"]
    ws.merge_cells("A3:C3")
    ws["H9"] = "a note in the margin"
    wb.create_sheet("Scratch")["A1"] = 1
    edited = tmp_path / "extra.xlsx"
    wb.save(edited)
    with pytest.warns(ReadWarning) as caught:
        planbook.load(edited)
    text = " | ".join(str(w.message) for w in caught)
    assert "merged range" in text and "A3:C3" in text
    assert "outside the table's columns (first H9)" in text
    assert "sheet 'Scratch' is not a budget table; not read" in text


def test_rows_lists(book):
    plan, path = book("manchester-children-2018-19")
    rows = _xlsxread.rows(str(path), "subjective")
    assert rows[0][0] == "Table showing an overall summary of financial position"
    assert rows[6][:3] == ["Employees", 55919, 56203]
    text = _xlsxread.rows(str(path), "subjective", numbers="text")
    assert text[6][1] == "55919"


def test_a_table_like_sheet_without_a_name(tmp_path):
    """A workbook planbook did not write, laid out like one of its sheets:
    read as a table named after the sheet, with a warning; a percentage
    format's figures are hundredths."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Staffing 2024"
    ws["A1"] = "Staffing"
    ws["A2"] = "FTE"
    ws["B4"], ws["C4"] = "2024/25", "Vacancy rate"
    ws["A6"], ws["B6"], ws["C6"] = "Social workers", 120.5, 0.051
    ws["C6"].number_format = "0.0%"
    ws["B6"].number_format = "#,##0.0"
    ws["A7"], ws["B7"], ws["C7"] = "Managers", 14, 0.1
    ws["B7"].number_format = "#,##0.0"
    ws["C7"].number_format = "0.0%"
    path = tmp_path / "own.xlsx"
    wb.save(path)
    with pytest.warns(ReadWarning, match="has no table name"):
        plan = planbook.load(path)
    t = plan.budgets["staffing_2024"]
    assert t.title == "Staffing" and t.unit == "FTE"
    assert [c.period for c in t.columns] == ["2024/25", None]
    assert [c.decimals for c in t.columns] == [1, 3]
    assert t.rows["Social workers"].values == [Decimal("120.5"), Decimal("0.051")]
    assert t.rows["Managers"].values == [Decimal("14"), Decimal("0.1")]


def test_ids_that_defined_names_cannot_hold_come_back(tmp_path):
    """Excel's names cannot hold '-' or more than 128 characters, and two
    ids can give one name (a-b and a_b): the structure sheet says which id
    each name stands for, for tables and for the other parts' sheets."""
    plan = planbook.Plan(title="Ids")
    for tid in ("i" * 125, "a-b", "a_b"):
        plan.budgets.add(tid, title=f"T {tid[:10]}", columns=[{"id": "a"}]).add_line("L", [1])
    families = planbook.examples.load("manchester-children-families-2015-17")
    text = (families.dumps().replace("  children:\n", "  children-kpis:\n")
            .replace("  thematic:\n", "  thematic-risks:\n")
            .replace("  timeline:\n", "  time-line:\n"))
    for p in (plan, planbook.loads(text)):
        path = tmp_path / "ids.xlsx"
        p.save(path)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            back = planbook.load(path)
        assert [str(w.message) for w in caught] == []
        assert back.dumps() == p.dumps()
    assert "children-kpis" in back.indicators and "thematic-risks" in back.risks


def test_a_column_added_by_finance_keeps_the_others_ids(book, tmp_path):
    """Finance adds a Comments column: the columns planbook wrote keep their
    ids, headings and periods (so the agreements naming them still
    resolve), and the new one is read, with a warning naming it."""
    plan, path = book("manchester-children-families-2015-17")
    wb = openpyxl.load_workbook(path)
    ws = wb["Objective Summary"]
    c = 5
    ws.cell(4, c).value = "Comments"
    ws.cell(6, c).value = "checked by JB"
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        back = planbook.load(edited)
    found = [str(w.message) for w in caught]
    assert len(found) == 1 and "a column added in the workbook ('Comments')" in found[0], found
    before = [(c.id, c.label, c.period, c.phase) for c in plan.budgets["objective"].columns]
    after = [(c.id, c.label, c.period, c.phase) for c in back.budgets["objective"].columns]
    assert after[:3] == before and after[3][0] == "comments"
    assert not [f for f in back.check() if f.code == "reference"]
    assert {(c.kind, c.column) for c in planbook.diff(plan, back)} == {("column added", "Comments")}


def subjective_with(book, tmp_path, cell, value):
    """The 2018/19 plan's workbook with `value` typed in `cell` of its
    subjective sheet (a cell of row 7): the row's label and the path."""
    plan, path = book("manchester-children-2018-19")
    wb = openpyxl.load_workbook(path)
    ws = wb["subjective"]
    ws[cell].value = value
    bad = tmp_path / "bad.xlsx"
    wb.save(bad)
    return ws["A7"].value, bad


@pytest.mark.parametrize("value,message", [
    (55919.25, "55919.25 has more decimals than the column's 0"),
    ("12 apples", "12 apples"),
])
def test_a_refused_figure_names_the_table_row_and_column(book, tmp_path, value, message):
    """Issue 15: the sheet and cell, and the table, the row (its label) and
    the column the figure was for."""
    label, bad = subjective_with(book, tmp_path, "B7", value)
    with pytest.raises(ReadError) as e:
        planbook.load(bad)
    assert e.value.sheet == "subjective" and e.value.cell == "B7"
    assert f"table 'subjective', row '{label}', column 'y2018': " in str(e.value), str(e.value)
    assert message in str(e.value)


def test_a_logical_value_where_a_figure_belongs_names_the_table_row_and_column(book, tmp_path):
    label, bad = subjective_with(book, tmp_path, "C7", True)
    with pytest.warns(ReadWarning) as caught:
        planbook.load(bad)
    assert any(f"sheet 'subjective', cell C7: table 'subjective', row '{label}', column "
               "'y2019': the logical value 'TRUE' is not an amount; left blank" in str(w.message)
               for w in caught), [str(w.message) for w in caught]
