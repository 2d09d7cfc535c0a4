"""Edits finance makes on the dashboard, risk register and record sheets,
applied back to the plan (planbook_xlsxread._parts.apply_edits).

Real data: each shipped example is written with ``plan.save`` (xlsx),
edited with openpyxl as finance would (cells changed, rows inserted and
deleted, a column added), read back with ``planbook_xlsxread.rows(...,
numbers="text")`` and applied to the plan loaded from the same YAML.  The
tests assert the exact values the plan then holds, that an unedited sheet
(written, re-saved by openpyxl, or re-saved by LibreOffice) changes nothing
at all, and the warnings about what could not be carried.

Sheets are found by the names the writer gives them (tests/xlsx_tools.py,
``expected_sheet_names``: Contents, the budget tables, a dashboard per
indicator set, a register and a heat map per register, a sheet per
collection, Findings, the hidden planbook sheet).
"""

from __future__ import annotations

import datetime
import pathlib
from decimal import Decimal

import pytest

import planbook
import planbook_xlsxread as rx
from planbook_xlsxread._parts import apply_edits

import xlsx_tools as xt
from conftest import change_kinds

openpyxl = pytest.importorskip("openpyxl")

ROOT = pathlib.Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
FAMILIES = "manchester-children-families-2015-17"
CHILDREN_2018 = "manchester-children-2018-19"
SERVICES = "manchester-childrens-services-2016-20"
INSPECTION = "manchester-children-post-inspection-2018"
SPOD = "manchester-spod-2007-08"
HEAD = 4                     # the heading row of every part sheet (1-based)


# ------------------------------------------------------------ helpers

def load(name: str):
    return planbook.load(ROOT / "examples" / f"{name}.yaml")


def part_sheets(plan):
    """(kind, id, sheet name) of every dashboard, register and record sheet,
    by the writer's naming and order."""
    names = xt.expected_sheet_names(plan)
    k = 1 + len(plan.budgets)
    out = []
    for sid in plan.indicators:
        out.append(("indicators", sid, names[k]))
        k += 1
    for rid in plan.risks:
        out.append(("risks", rid, names[k]))
        k += 2                          # the heat map follows its register
    for cid in plan.records:
        out.append(("records", cid, names[k]))
        k += 1
    return out


def sheet_of(plan, kind: str, part_id: str) -> str:
    return next(s for k, i, s in part_sheets(plan) if (k, i) == (kind, part_id))


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    """name -> the workbook planbook wrote for the example."""
    out = tmp_path_factory.mktemp("parts")
    paths = {}
    for path in EXAMPLES:
        book = out / f"{path.stem}.xlsx"
        planbook.load(path).save(book)
        paths[path.stem] = book
    return paths


def edit(books, tmp_path, name: str, kind: str, part_id: str, change):
    """Open the example's workbook in openpyxl, let `change(ws)` edit the
    part's sheet, save it as finance would; return the saved path."""
    plan = load(name)
    sheet = sheet_of(plan, kind, part_id)
    wb = openpyxl.load_workbook(books[name])
    change(wb[sheet])
    out = tmp_path / f"{name}-edited.xlsx"
    wb.save(out)
    return out


_VIA = {"source": "book"}


@pytest.fixture(autouse=True, params=["book", "rows"])
def via(request):
    """Every test twice: the sheet read from the workbook (a dashboard is
    compared with the plan in C, as planbook.load does), and given as rows
    (every row compared in Python)."""
    _VIA["source"] = request.param
    yield request.param


def read_back(path, name: str, kind: str, part_id: str):
    """The example's plan with the sheet's edits applied, and the warnings."""
    plan = load(name)
    sheet = sheet_of(plan, kind, part_id)
    source = str(path) if _VIA["source"] == "book" else rx.rows(path, sheet, numbers="text")
    warnings = apply_edits(plan, kind, part_id, source, sheet)
    return plan, warnings


def columns(ws):
    """Heading -> 1-based column, from the heading row."""
    return {c.value: c.column for c in ws[HEAD] if c.value is not None}


def row_of(ws, value, col: int = 1) -> int:
    """The 1-based row whose column `col` holds `value` (below the headings)."""
    for r in range(HEAD + 1, ws.max_row + 1):
        if ws.cell(r, col).value == value:
            return r
    raise KeyError(value)


def set_cell(ws, value, key, heading, key_col: int = 1):
    ws.cell(row_of(ws, key, key_col), columns(ws)[heading]).value = value


def applied_all(path, plan):
    """Apply every part sheet of a workbook to `plan`; the warnings."""
    found = []
    for kind, part_id, sheet in part_sheets(plan):
        found += apply_edits(plan, kind, part_id, rx.rows(path, sheet, numbers="text"), sheet)
    return found


# ------------------------------------------------------------ no edit, no change

@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_unedited_workbook_changes_nothing(path, books):
    plan = planbook.load(path)
    assert [n for n, _ in rx.sheets(books[path.stem])] == xt.expected_sheet_names(plan)
    before = plan.dumps()
    assert applied_all(books[path.stem], plan) == []
    assert plan.dumps() == before


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_openpyxl_resave_changes_nothing(path, books, tmp_path):
    """openpyxl keeps the formulas but drops their cached results: the
    derived cells read as empty, which is not an edit."""
    wb = openpyxl.load_workbook(books[path.stem])
    out = tmp_path / "resaved.xlsx"
    wb.save(out)
    plan = planbook.load(path)
    before = plan.dumps()
    assert applied_all(out, plan) == []
    assert plan.dumps() == before


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_workbook_without_cached_results_changes_nothing(path, tmp_path):
    """Written without cached results, every formula caches 0 (RAG, a
    score =L*I, Overdue?): still not an edit."""
    from planbook_xlsx import FORMAT
    plan = planbook.load(path)
    book = tmp_path / "nocache.xlsx"
    FORMAT.save(plan, book, cached_results=False)
    before = plan.dumps()
    assert applied_all(book, plan) == []
    assert plan.dumps() == before


def test_libreoffice_resave_changes_nothing(books, tmp_path):
    """LibreOffice recalculates every formula (RAG, score, overdue) and
    writes the figures its own way (78.9 for 78.90000000000001): an
    unedited workbook changes nothing, and an edited one (re-scored in
    openpyxl, which drops the formulas' results, then recalculated) gives
    the same edits."""
    if xt.soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    edited = edit(books, tmp_path, CHILDREN_2018, "risks", "strategic",
                  lambda ws: set_cell(ws, 2, "8", "Current L"))
    names = sorted(books)
    converted = xt.libreoffice_convert([books[n] for n in names] + [edited], tmp_path / "lo",
                                       recalc=True, timeout=240)
    for name, path in zip(names, converted):
        plan = load(name)
        before = plan.dumps()
        assert applied_all(path, plan) == [], name
        assert plan.dumps() == before, name
    sheet = sheet_of(load(CHILDREN_2018), "risks", "strategic")
    assert rx.rows(converted[-1], sheet, numbers="text")[11][8] == "6"   # recalculated
    plan, warnings = read_back(converted[-1], CHILDREN_2018, "risks", "strategic")
    s = plan.risks["strategic"]["8"].current
    assert warnings == [] and (s.likelihood, s.impact, s.value, s.text) == (2, 3, 6, "6 (3x2)")


def test_derived_columns_are_not_read(books, tmp_path):
    """RAG, Better than last?, the reason, a risk's RAG and Overdue? are
    the workbook's answers, not the plan's data."""
    def dashboard(ws):
        set_cell(ws, "\u2714 green", "1.3", "RAG", key_col=2)
        set_cell(ws, "\u2193 worse", "1.3", "Better than last?", key_col=2)
        set_cell(ws, "because", "1.3", "Why (RAG; better than last)", key_col=2)
    path = edit(books, tmp_path, FAMILIES, "indicators", "children", dashboard)
    plan, warnings = read_back(path, FAMILIES, "indicators", "children")
    assert warnings == [] and plan.dumps() == load(FAMILIES).dumps()
    assert plan.indicators["children"]["1.3"].status().rag == "red"

    path = edit(books, tmp_path, SERVICES, "risks", "social_care",
                lambda ws: set_cell(ws, "\u2714 green", "1", "Current RAG"))
    plan, warnings = read_back(path, SERVICES, "risks", "social_care")
    assert warnings == [] and plan.dumps() == load(SERVICES).dumps()

    path = edit(books, tmp_path, INSPECTION, "records", "actions",
                lambda ws: set_cell(ws, "", "4.12", "Overdue?"))
    plan, warnings = read_back(path, INSPECTION, "records", "actions")
    assert warnings == [] and plan.dumps() == load(INSPECTION).dumps()


# ------------------------------------------------------------ dashboards

def test_results_edited_exactly(books, tmp_path):
    def change(ws):
        set_cell(ws, 61.5, "1.3", "2014/15 Q3", key_col=2)       # was 80.9
        set_cell(ws, 79, "1.3", "2014/15 Q1", key_col=2)         # was 79.5: keeps 1 decimal
        set_cell(ws, 452.25, "1.2", "2014/15 Q3", key_col=2)     # was 451: needs 2
        set_cell(ws, 0.1 + 0.2, "1.7", "2014/15 Q3", key_col=2)  # 0.30000000000000004
    path = edit(books, tmp_path, FAMILIES, "indicators", "children", change)
    plan, warnings = read_back(path, FAMILIES, "indicators", "children")
    assert warnings == []
    kids = plan.indicators["children"]
    assert kids["1.3"].values["2014/15 Q3"].value == Decimal("61.5")
    assert str(kids["1.3"].values["2014/15 Q1"]) == "79.0"
    assert str(kids["1.2"].values["2014/15 Q3"]) == "452.25"
    assert kids["1.7"].values["2014/15 Q3"].value == Decimal("0.3")
    # untouched figures keep their printed decimals (82.0 is shown as 82)
    assert str(kids["1.3"].values["2013/14"]) == "82.0"
    assert kids["1.3"].status().rag_reason == \
        "2014/15 Q3 61.5 against Of concern 59.8, lower is better: red"
    before = load(FAMILIES).indicators["children"]
    for ref in ("1.0", "1.1", "3.1"):
        assert dict(kids[ref].values) == dict(before[ref].values)


def test_numbers_as_excel_writes_them(books):
    """Numbers as a spreadsheet may write them (7.0000000000000007E-2 for
    0.07): the exact text is rounded to 15 significant digits, never
    through a float; a figure with more decimals than an indicator holds
    (=1/3) is not read."""
    plan = load(FAMILIES)
    sheet = sheet_of(plan, "indicators", "children")
    rows = rx.rows(books[FAMILIES], sheet, numbers="text")
    heads = rows[HEAD - 1]
    refs = [r[1] for r in rows]
    q3, q4 = heads.index("2014/15 Q3"), heads.index("2014/15 Q4")
    rows[refs.index("1.3")][q3] = "6.1500000000000004E1"
    rows[refs.index("1.7")][q3] = "7.0000000000000007E-2"
    rows[refs.index("1.7")][q4] = "0.33333333333333331"          # =1/3
    warnings = apply_edits(plan, "indicators", "children", rows, sheet)
    kids = plan.indicators["children"]
    assert str(kids["1.3"].values["2014/15 Q3"]) == "61.5"
    assert str(kids["1.7"].values["2014/15 Q3"]) == "0.07"
    assert kids["1.7"].values["2014/15 Q4"].status == "not reported"
    # the sheet and cell, and the part, the row's measure and the field (issue 15)
    assert warnings == ["children!M14: indicator set 'children', measure '1.7', field "
                        "'2014/15 Q4': 0.333333333333333 has more than 6 decimals, more than "
                        "an indicator figure holds; not read"]


def test_percentages_are_points(books, tmp_path):
    """A percentage is written in points with a "%" format (61.59 shows as
    61.59%); an edit keeps the % and the decimals; a fraction typed over
    points is read as points, with a warning."""
    def change(ws):
        set_cell(ws, 55.5, "1C part 1", "2013/14", key_col=2)    # was 52.98%
        set_cell(ws, 0.6, "1C part 1", "2012/13", key_col=2)     # 60%, typed as a fraction
    path = edit(books, tmp_path, FAMILIES, "indicators", "adults", change)
    plan, warnings = read_back(path, FAMILIES, "indicators", "adults")
    m = plan.indicators["adults"]["1C part 1"]
    assert str(m.values["2013/14"]) == "55.50%"
    assert m.values["2013/14"].value == Decimal("55.50") and m.values["2013/14"].percent
    assert str(m.values["2012/13"]) == "60.00%"
    assert len(warnings) == 1
    assert warnings[0].startswith("adults!J") and "read as 60%" in warnings[0]


def test_text_results(books, tmp_path):
    def change(ws):
        set_cell(ws, "n/a", "1.3", "2014/15 Q2", key_col=2)
        set_cell(ws, "TBC", "1.3", "2014/15 Q4", key_col=2)
        set_cell(ws, "Data withheld (small numbers)", "1.2", "2014/15 Q4", key_col=2)
        set_cell(ws, None, "1.1", "2014/15 Q3", key_col=2)       # cleared
    path = edit(books, tmp_path, FAMILIES, "indicators", "children", change)
    plan, warnings = read_back(path, FAMILIES, "indicators", "children")
    assert warnings == []
    kids = plan.indicators["children"]
    assert kids["1.3"].values["2014/15 Q2"].status == "not applicable"
    assert kids["1.3"].values["2014/15 Q4"].status == "tbc"
    obs = kids["1.2"].values["2014/15 Q4"]
    assert (obs.status, obs.note) == ("text", "Data withheld (small numbers)")
    assert kids["1.1"].values["2014/15 Q3"].status == "not reported"


def test_thresholds_polarity_unit_and_name(books, tmp_path):
    def change(ws):
        set_cell(ws, 45, "1.3", "Good", key_col=2)                # was 42.1
        set_cell(ws, 60.25, "1.3", "Of concern", key_col=2)       # was 59.8
        set_cell(ws, "high", "1.6", "Better if", key_col=2)       # was high: unchanged
        set_cell(ws, "high", "1.7", "Better if", key_col=2)       # was low
        set_cell(ws, "per 1000", "1.4", "Unit", key_col=2)        # was rate
        set_cell(ws, "Rate of children in private fostering", "1.7", "Measure", key_col=2)
        set_cell(ws, 5, "3.2d", "Good", key_col=2)                # was Not available
        set_cell(ws, 10, "3.2d", "Of concern", key_col=2)
    path = edit(books, tmp_path, FAMILIES, "indicators", "children", change)
    plan, warnings = read_back(path, FAMILIES, "indicators", "children")
    assert warnings == []
    kids = plan.indicators["children"]
    good, concern, action = kids["1.3"].thresholds
    assert (good.value, concern.value, action.value) == \
        (Decimal("45.0"), Decimal("60.25"), Decimal("118.7"))
    assert str(good) == "45.0"
    assert kids["1.7"].polarity == "high" and kids["1.6"].polarity == "high"
    assert (kids["1.4"].unit, kids["1.4"].per) == ("rate", 1000)
    assert kids["1.7"].name == "Rate of children in private fostering"
    t = kids["3.2d"].thresholds
    assert (t[0].value, t[1].value, t[2].value) == (Decimal("5"), Decimal("10"), None)
    assert (str(t[0]), str(t[1])) == ("5.0", "10.0")    # the decimals of the measure's figures


def test_revised_target_is_set_for_the_report_period(books, tmp_path):
    """The Target column is the target in force at the period in its
    heading (2017/18, the period the dashboard reports)."""
    def change(ws):
        assert "Target 2017/18" in columns(ws)
        set_cell(ws, 0.12, "4", "Target 2017/18", key_col=2)      # 0.15% excluded, low
        set_cell(ws, 1200, "8", "Target 2017/18", key_col=2)      # looked-after children
    path = edit(books, tmp_path, CHILDREN_2018, "indicators", "performance", change)
    plan, warnings = read_back(path, CHILDREN_2018, "indicators", "performance")
    assert warnings == []
    perf = plan.indicators["performance"]
    t = perf["4"].targets["2017/18"]
    assert (t.value, t.percent, str(t)) == (Decimal("0.12"), True, "0.12%")
    assert perf["4"].status().target == "worse"           # 0.15 against 0.12, lower is better
    assert str(perf["8"].targets["2017/18"]) == "1,200"
    assert perf["8"].status().target_value == Decimal("1200")
    # the other periods' targets are as written
    assert str(perf["8"].targets["2018/19"]) == "1,139"
    assert perf["4"].targets["2019/20"].status == "tbc"


def test_measure_rows_added_and_deleted(books, tmp_path):
    def change(ws):
        ws.delete_rows(row_of(ws, "1.3a", 2))
        r = ws.max_row + 1
        for col, value in zip(range(1, 13), ["Workforce", "4.5", "Agency social workers",
                                             "low", "percent", 10, 15, 25, 21.5, 19, 18.25,
                                             12.5]):
            ws.cell(r, col).value = value
    path = edit(books, tmp_path, FAMILIES, "indicators", "children", change)
    plan, warnings = read_back(path, FAMILIES, "indicators", "children")
    kids = plan.indicators["children"]
    assert "1.3a" not in kids
    m = kids["4.5"]
    assert (m.name, m.group, m.unit, m.polarity) == \
        ("Agency social workers", "Workforce", "percent", "low")
    assert [str(m.values[p]) for p in kids.periods] == \
        ["21.5%", "19%", "18.25%", "12.5%", ""]
    assert tuple(t.value for t in m.thresholds) == (Decimal(10), Decimal(15), Decimal(25))
    assert m.status().rag == "amber"
    assert [r.ref for r in kids][-2:] == ["4.4a", "4.5"]
    assert len(warnings) == 2
    assert "measure '1.3a' was deleted" in warnings[0] and warnings[0].startswith("children: ")
    assert warnings[1].startswith("children!B28: a new measure '4.5'")
    assert "at the end of the set" in warnings[1]


def test_measure_ref_changed(books, tmp_path):
    """A changed ref (same name) is the same measure, renamed; a ref that
    another measure has stays as it was, with a warning."""
    def change(ws):
        r = row_of(ws, "1.5", 2)
        ws.cell(r, 2).value = "1.5x"
        ws.cell(r, columns(ws)["2014/15 Q3"]).value = 119
        ws.cell(row_of(ws, "1.6", 2), 2).value = "1.2"          # taken by another measure
    path = edit(books, tmp_path, FAMILIES, "indicators", "children", change)
    plan, warnings = read_back(path, FAMILIES, "indicators", "children")
    kids = plan.indicators["children"]
    assert "1.5" not in kids and kids["1.5x"].values["2014/15 Q3"].value == Decimal("119")
    assert "1.6" in kids
    assert len(warnings) == 1 and "could not become '1.2'" in warnings[0], warnings
    # the rename is what planbook diff sees
    changes = planbook.diff(load(FAMILIES), plan)
    assert change_kinds(changes) >= {("measure removed", "1.5"), ("measure added", "1.5x")}


def test_count_series_rows(books, tmp_path):
    """A measure's numerator row (no ref) is read as its count series."""
    def change(ws):
        r = row_of(ws, "Number of people receiving self-directed support", 3)
        ws.cell(r, columns(ws)["May 2014"]).value = 5901
    path = edit(books, tmp_path, FAMILIES, "indicators", "adults", change)
    plan, warnings = read_back(path, FAMILIES, "indicators", "adults")
    assert warnings == []
    (count,) = plan.indicators["adults"]["1C part 1"].counts
    assert count.values["May 2014"].value == Decimal("5901")


def test_unknown_column_and_unreadable_cells_are_reported(books, tmp_path):
    def change(ws):
        ws.cell(HEAD, 30).value = "Comments"
        ws.cell(row_of(ws, "1.3", 2), 30).value = "check with the service"
        set_cell(ws, True, "1.2", "2014/15 Q3", key_col=2)
        set_cell(ws, "#DIV/0!", "1.1", "2014/15 Q3", key_col=2)
    path = edit(books, tmp_path, FAMILIES, "indicators", "children", change)
    plan, warnings = read_back(path, FAMILIES, "indicators", "children")
    kids = plan.indicators["children"]
    assert kids["1.2"].values["2014/15 Q3"].value == Decimal("451")
    assert kids["1.1"].values["2014/15 Q3"].value == Decimal("1163")
    assert sorted(warnings) == sorted([
        "children!L6: indicator set 'children', measure '1.1', field '2014/15 Q3': an error "
        "value (#DIV/0!) where a figure belongs; not read",
        "children!L7: indicator set 'children', measure '1.2', field '2014/15 Q3': a logical "
        "value (TRUE) where a figure belongs; not read",
        "children!AD8: the column headed 'Comments' is not part of the layout; not read"])


# ------------------------------------------------------------ risk registers

def test_risk_rescored(books, tmp_path):
    """Likelihood 3 -> 2 on risk 8 (printed '9 (3x3)', impact x
    likelihood): the score is the formula's, 6, printed '6 (3x2)'."""
    def change(ws):
        set_cell(ws, 2, "8", "Current L")
        set_cell(ws, 5, "1", "Current I")             # '12 (4x3)': impact 4 -> 5
    path = edit(books, tmp_path, CHILDREN_2018, "risks", "strategic", change)
    plan, warnings = read_back(path, CHILDREN_2018, "risks", "strategic")
    assert warnings == []
    reg = plan.risks["strategic"]
    s = reg["8"].current
    assert (s.likelihood, s.impact, s.declared, s.value, s.text) == (2, 3, 6, 6, "6 (3x2)")
    s = reg["1"].current
    assert (s.likelihood, s.impact, s.value, s.text, s.rag) == (3, 5, 15, "15 (5x3)", "red")
    # risk 4, printed 8 (4x4), is untouched: its misprint stays for the check
    s = reg["4"].current
    assert (s.declared, s.value, s.text) == (8, 16, "8 (4x4)")
    assert [f.code for f in plan.check() if f.part == "risks"] == ["score"]


def test_risk_texts_owner_status_and_review_dates(books, tmp_path):
    def change(ws):
        set_cell(ws, "Closed", "2", "Status")
        set_cell(ws, "30th September 2016", "2", "Status date")
        set_cell(ws, "Vince Clarke, Deputy Director", "3", "Risk owner")
        set_cell(ws, None, "4", "Response actions")
        ws["A2"] = ws["A2"].value.replace("Next review: 01/11/16", "Next review: 01/02/17") \
            .replace("Version: v0.2", "Version: v0.3")
    path = edit(books, tmp_path, SERVICES, "risks", "social_care", change)
    plan, warnings = read_back(path, SERVICES, "risks", "social_care")
    assert warnings == []
    reg = plan.risks["social_care"]
    assert (reg["2"].status, reg["2"].status_date) == ("Closed", "30th September 2016")
    assert reg["3"].owner == "Vince Clarke, Deputy Director"
    assert reg["4"].actions is None
    assert (reg.next_review, reg.next_review_date) == ("01/02/17", datetime.date(2017, 2, 1))
    assert (reg.version, reg.last_reviewed) == ("v0.3", "11/09/16")
    assert reg["1"].owner == load(SERVICES).risks["social_care"]["1"].owner


def test_score_typed_over_the_formula(books, tmp_path):
    """Risk 1 is scored L 3 x I 5 = 15 by formula; 12 typed in its place is
    the declared score (a finding), with a warning."""
    path = edit(books, tmp_path, SERVICES, "risks", "social_care",
                lambda ws: set_cell(ws, 12, "1", "Current Score"))
    plan, warnings = read_back(path, SERVICES, "risks", "social_care")
    s = plan.risks["social_care"]["1"].current
    assert (s.likelihood, s.impact, s.declared, s.value) == (3, 5, 12, 15)
    assert len(warnings) == 1 and warnings[0].startswith("social_care!K5: the current score 12")
    assert [f.code for f in plan.check() if f.part == "risks"] == ["score"]


def test_risk_rows_added_and_deleted(books, tmp_path):
    def change(ws):
        ws.delete_rows(row_of(ws, "3"))
        ws.insert_rows(row_of(ws, "8"))
        r = row_of(ws, "8") - 1
        heads = columns(ws)
        for heading, value in [("ID", "11"), ("Category", "Finance"),
                               ("Risk description", "Placement costs rise faster than funding"),
                               ("Risk owner", "Reena Kohli"), ("Current L", 4),
                               ("Current I", 3)]:
            ws.cell(r, heads[heading]).value = value
    path = edit(books, tmp_path, SERVICES, "risks", "social_care", change)
    plan, warnings = read_back(path, SERVICES, "risks", "social_care")
    reg = plan.risks["social_care"]
    assert "3" not in reg
    r = reg["11"]
    assert (r.category, r.owner, r.description) == \
        ("Finance", "Reena Kohli", "Placement costs rise faster than funding")
    s = r.current
    assert (s.likelihood, s.impact, s.value, s.rag) == (4, 3, 12, "amber")
    assert [k.id for k in reg] == ["1", "2", "4", "5", "6", "7", "8", "9", "10", "11"]
    assert len(warnings) == 2
    assert warnings[0] == ("social_care: the row of risk '3' was deleted; the risk is removed "
                           "from the register")
    assert warnings[1].startswith("social_care!A11: a new risk '11': added at the end of the "
                                  "register, not where the row is")


# ------------------------------------------------------------ records

def test_action_closed_and_due_date_moved(books, tmp_path):
    """Finance adds a status column to close action 4.12 and gives due
    dates to 4.12 (which has only a start, May 2018: the new date goes to
    `due`, never to `start`) and 4.28 (only a review, Ongoing)."""
    def change(ws):
        heads = columns(ws)
        ws.insert_cols(heads["Due (date)"])
        ws.cell(HEAD, heads["Due (date)"]).value = "status"
        set_cell(ws, "Complete", "4.12", "status")
        set_cell(ws, datetime.date(2018, 9, 30), "4.12", "Due (date)")
        set_cell(ws, datetime.date(2018, 12, 14), "4.28", "Due (date)")
    path = edit(books, tmp_path, INSPECTION, "records", "actions", change)
    plan, warnings = read_back(path, INSPECTION, "records", "actions")
    assert warnings == []
    acts = plan.records["actions"]
    a = acts["4.12"]
    assert a["status"] == "Complete"
    assert (a["due"], a.due) == ("30 September 2018", datetime.date(2018, 9, 30))
    assert (a["start"], a.start) == ("May 2018", datetime.date(2018, 5, 1))
    assert acts["4.28"]["review"] == "Ongoing"
    assert (acts["4.28"]["due"], acts["4.28"].due) == \
        ("14 December 2018", datetime.date(2018, 12, 14))
    # a date not moved keeps its text as written
    assert (acts["4.23"]["due"], acts["4.23"].due) == \
        ("June - July 2018", datetime.date(2018, 7, 31))
    assert [r.id for r in acts.overdue("2018-10-01")] == ["4.23"]


def test_items_added_and_removed(books, tmp_path):
    def change(ws):
        ws.delete_rows(row_of(ws, "4.33"))
        ws.delete_rows(row_of(ws, "4.20"))
        r = ws.max_row + 1
        heads = columns(ws)
        ws.cell(r, 1).value = "4.34"
        ws.cell(r, heads["progress"]).value = "Care leavers' offer published"
        ws.cell(r, heads["due"]).value = "March 2019"
    path = edit(books, tmp_path, INSPECTION, "records", "actions", change)
    plan, warnings = read_back(path, INSPECTION, "records", "actions")
    acts = plan.records["actions"]
    assert "4.33" not in acts and "4.20" not in acts
    new = acts["4.34"]
    assert (new.parent.id, new["progress"], new.due) == \
        ("12", "Care leavers' offer published", datetime.date(2019, 3, 31))
    assert len(acts) == 32
    assert warnings == [
        "actions: the row of item '4.33' was deleted; the item is removed",
        "actions: the row of item '4.20' was deleted; the item is removed",
        "actions!A36: a new item '4.34': added under '12' at the end of the collection (the "
        "sheet does not show nesting, and the API appends)"]


def test_items_without_ids(books, tmp_path):
    """Items without an ID are matched by their place and fields: an edited
    heading stays the same item; a deleted heading whose sub-items are
    still on the sheet is kept."""
    def change(ws):
        r = row_of(ws, "Education: finance", 2)
        ws.cell(r, 2).value = "Education: finance and funding"
        ws.delete_rows(row_of(ws, "Education: strategy & performance", 2))
    path = edit(books, tmp_path, SPOD, "records", "achievements", change)
    plan, warnings = read_back(path, SPOD, "records", "achievements")
    ach = plan.records["achievements"]
    assert ach[0]["title"] == "Education: finance and funding"
    assert [r.id for r in ach[0].children] == ["(i)", "(ii)", "(iii)"]
    assert ach[4]["title"] == "Education: strategy & performance"
    assert len(ach) == len(load(SPOD).records["achievements"])
    assert warnings == ["Achievements in 2006-2007: the row of item #5 (no ID) was deleted "
                        "but its sub-items are still on the sheet; the item is kept (the API "
                        "cannot move sub-items)"]


def test_applying_twice_changes_nothing_more(books, tmp_path):
    """The same workbook read twice gives the same plan (apply is
    idempotent on an edited plan)."""
    def change(ws):
        set_cell(ws, 61.5, "1.3", "2014/15 Q3", key_col=2)
    path = edit(books, tmp_path, FAMILIES, "indicators", "children", change)
    plan, _ = read_back(path, FAMILIES, "indicators", "children")
    once = plan.dumps()
    sheet = sheet_of(plan, "indicators", "children")
    assert apply_edits(plan, "indicators", "children",
                       rx.rows(path, sheet, numbers="text"), sheet) == []
    assert plan.dumps() == once


def test_refused_values_name_the_part_row_and_field(books, tmp_path):
    """Issue 15: a value refused on read names the sheet and cell, and the
    part, the row's entry (its id) and the field (its column's heading)."""
    def risk(ws):
        set_cell(ws, "many", "3", "Current L")
        set_cell(ws, 9.5, "2", "Current I")
    path = edit(books, tmp_path, SERVICES, "risks", "social_care", risk)
    plan, warnings = read_back(path, SERVICES, "risks", "social_care")
    assert sorted(w.split(": ", 1)[1] for w in warnings) == [
        "risk register 'social_care', risk '2', field 'Current I': '9.5' is not a whole "
        "number from 0 to 255; not read",
        "risk register 'social_care', risk '3', field 'Current L': 'many' is not a whole "
        "number from 0 to 255; not read"]

    def action(ws):
        set_cell(ws, "when pigs fly", "4.12", "Due (date)")
    path = edit(books, tmp_path, INSPECTION, "records", "actions", action)
    plan, warnings = read_back(path, INSPECTION, "records", "actions")
    assert len(warnings) == 1
    assert warnings[0].endswith(": collection 'actions', item '4.12', field 'Due (date)': "
                                "'when pigs fly' is not a date; not read"), warnings


def test_the_last_date_excel_holds_is_a_due_date(books, tmp_path):
    """9999-12-31 (Excel's last date, serial 2958465) typed as a due date:
    read, not an OverflowError from the day after it."""
    path = edit(books, tmp_path, INSPECTION, "records", "actions",
                lambda ws: set_cell(ws, datetime.datetime(9999, 12, 31), "4.12", "Due (date)"))
    plan, warnings = read_back(path, INSPECTION, "records", "actions")
    assert warnings == []
    assert plan.records["actions"]["4.12"].due == datetime.date(9999, 12, 31)
