"""Importing finance's own workbooks through a mapping (docs/import.md)."""

from decimal import Decimal

import pytest

import planbook
from planbook.errors import ReadError

openpyxl = pytest.importorskip("openpyxl")
from planbook_xlsxread import import_table  # noqa: E402

MAPPING = """
sheet: Budget 2024-25
table: {id: budget, title: Revenue budget, unit: "£'000", kind: subjective,
        income_sign: negative}
header_rows: [3, 4]
label_column: A
columns:
  - {column: B, id: y2024}
  - {column: C, id: y2025}
sections:
  Expenditure: {role: expenditure}
  Income: {role: income}
totals:
  Net budget: {top: true}
"""


def finance_book(path, *, misprint=False):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Budget 2024-25"
    ws["A1"] = "Anytown Council - Revenue Budget"
    ws.merge_cells("A1:C1")                         # a merged title
    ws["A2"] = "£'000"
    ws["B3"], ws["C3"] = "2024/25", "2025/26"
    ws["B4"], ws["C4"] = "Original Budget", "Indicative"
    ws["A5"] = "Expenditure"
    rows = [("Employees", 1180, "1,250"),           # a number stored as text
            ("Premises", 220.5 - 0.5, 230),
            ("Supplies", "312", 0.1 + 0.2 - 0.3 + 300)]  # 300.00000000000006
    r = 6
    for label, a, b in rows:
        ws.cell(r, 1, label), ws.cell(r, 2, a), ws.cell(r, 3, b)
        r += 1
    ws.cell(r, 1, "Total expenditure")
    ws.cell(r, 2, 1712 if not misprint else 1721)   # totals as values, not formulas
    ws.cell(r, 3, 1780)
    r += 2                                          # a blank spacer row
    ws.cell(r, 1, "Income")
    r += 1
    ws.cell(r, 1, "Fees and charges"), ws.cell(r, 2, "(1,234)"), ws.cell(r, 3, -1300)
    r += 1
    ws.cell(r, 1, "Grants"), ws.cell(r, 2, -100), ws.cell(r, 3, "-")
    r += 1
    ws.cell(r, 1, "Total income"), ws.cell(r, 2, "(1,334)"), ws.cell(r, 3, -1300)
    r += 2
    ws.cell(r, 1, "Net budget"), ws.cell(r, 2, 378), ws.cell(r, 3, 480)
    ws.cell(r + 2, 1, "Prepared by the finance team")  # a footnote-like row, skipped below
    wb.save(path)


def test_import_finance_book(tmp_path):
    path = tmp_path / "finance.xlsx"
    finance_book(path)
    mapping = MAPPING + "skip: [Prepared by the finance team]\n"
    plan, table, warnings = import_table(path, mapping)
    assert table.id == "budget" and table.title == "Revenue budget"
    assert [c.period for c in table.columns] == ["2024/25", "2025/26"]
    assert [c.phase for c in table.columns] == ["Original Budget", "Indicative"]
    kinds = [(r.kind, r.label, r.depth) for r in table.rows]
    assert kinds == [
        ("section", "Expenditure", 0), ("line", "Employees", 1), ("line", "Premises", 1),
        ("line", "Supplies", 1), ("total", "Total expenditure", 1),
        ("section", "Income", 0), ("line", "Fees and charges", 1), ("line", "Grants", 1),
        ("total", "Total income", 1), ("total", "Net budget", 0)]
    assert table.rows["Employees"]["y2025"].printed == Decimal("1250")
    assert table.rows["Supplies"]["y2025"].printed == Decimal("300")
    assert table.rows["Fees and charges"]["y2024"].printed == Decimal("-1234")
    assert table.rows["Grants"]["y2025"].state == "nil"
    # income printed negative in this book: the figures are as printed
    assert table.rows["Total income"]["y2024"].printed == Decimal("-1334")
    assert table.rows["Total income"]["y2024"].value == Decimal("1334")
    assert not warnings
    assert not plan.check()  # every printed total adds up


def test_totals_that_do_not_add_up_are_findings(tmp_path):
    path = tmp_path / "finance.xlsx"
    finance_book(path, misprint=True)
    plan, table, _ = import_table(path, MAPPING + "stop: [Prepared by the finance team]\n")
    found = [(f.row, f.column, f.difference) for f in plan.check()]
    assert found == [("Total expenditure", "y2024", Decimal("9"))]


def test_mapping_errors_name_the_place(tmp_path):
    path = tmp_path / "finance.xlsx"
    finance_book(path)
    with pytest.raises(ReadError, match="no sheet 'Nope'"):
        import_table(path, {"sheet": "Nope", "columns": []})
    with pytest.raises(ReadError, match="unknown mapping key"):
        import_table(path, {"sheet": "Budget 2024-25", "columns": [], "colums": []})
    with pytest.raises(ReadError, match="is not a column"):
        import_table(path, {"sheet": "Budget 2024-25", "columns": [{"column": "B2"}]})
    wb = openpyxl.load_workbook(path)
    wb.active["B7"] = "n/a"
    wb.save(path)
    with pytest.raises(planbook.PlanbookError):
        import_table(path, MAPPING)


def test_import_into_existing_plan_from_dict(tmp_path):
    path = tmp_path / "finance.xlsx"
    finance_book(path)
    plan = planbook.Plan(title="Anytown")
    mapping = {"sheet": 0, "header_rows": [3, 4], "table": {"id": "t"},
               "columns": [{"column": "B", "id": "a"}], "first_row": 6, "last_row": 8}
    same, table, _ = import_table(path, mapping, plan=plan)
    assert same is plan and list(plan.budgets) == ["t"]
    assert [r.label for r in table.rows] == ["Employees", "Premises", "Supplies"]
    assert table.columns[0].period == "2024/25"


# ------------------------------------------------------------- indicators

KPI_MAPPING = """
sheet: KPIs
set: {id: kpis, title: Corporate indicators, reporting: 2014/15 Q2}
header_rows: [3]
ref_column: A
name_column: B
polarity_column: C
unit_column: D
columns:
  - {column: E}                      # period from the heading
  - {column: F}
  - {column: G, scale: 100}          # a percentage cell holds a fraction
targets:
  - {column: H, period: 2014/15 Q2}
thresholds: {good: I, concern: J, action: K}
stop: [Notes]
"""


def kpi_book(path):
    """A performance return as a team keeps it: a merged title, a blank
    spacer row, a group heading with no figures, numbers stored as text,
    'n/a', a percentage column formatted as % (so holding fractions), and
    a note under the table."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "KPIs"
    ws["A1"] = "Children's Services - Key Performance Indicators"
    ws.merge_cells("A1:K1")
    for c, h in zip("ABCDEFGHIJK", ["Ref", "Measure", "Better if", "Unit", "2014/15 Q1",
                                    "2014/15 Q2", "2014/15 Q2 (%)", "Target", "Good",
                                    "Of concern", "Action required"]):
        ws[f"{c}3"] = h
    ws["G3"] = "2014/15 Q3"
    ws["B5"] = "Early help"                                  # a heading without figures
    ws.append([])
    rows = [
        ["1.1", "Children with a plan per 10,000", "Lower", "rate", "42.1", 40.5, None,
         "45", 42.1, 59.8, 118.7],
        ["1.2", "Assessments within 45 days", "Higher is better", "percent", 81.2, "n/a", 0.615,
         "85", 85, 80, 75],
        ["1.3", "Referrals", "", "count", "1,257", 1301, None, None, None, None, None],
    ]
    for r, row in enumerate(rows, start=7):
        for c, v in enumerate(row, start=1):
            if v is not None:
                ws.cell(r, c, v)
    ws["G8"].number_format = "0.0%"
    ws["A11"] = "Notes"
    ws["B11"] = "Q3 is provisional."
    wb.save(path)


def test_indicators_import_through_a_mapping(tmp_path):
    from planbook_xlsxread import import_indicators
    path = tmp_path / "kpis.xlsx"
    kpi_book(path)
    plan, kpis, found = import_indicators(path, KPI_MAPPING)
    assert kpis.title == "Corporate indicators"
    assert kpis.periods == ["2014/15 Q1", "2014/15 Q2", "2014/15 Q3"]
    assert [m.ref for m in kpis] == ["1.1", "1.2", "1.3"]
    rate, pct, refs = kpis["1.1"], kpis["1.2"], kpis["1.3"]
    assert (rate.polarity, pct.polarity, refs.polarity) == ("low", "high", "none")
    assert (rate.unit, pct.unit, refs.unit) == ("rate", "percent", "count")
    assert rate.values["2014/15 Q1"].value == Decimal("42.1")      # text "42.1"
    assert refs.values["2014/15 Q1"].value == Decimal("1257")      # "1,257" as text
    assert pct.values["2014/15 Q3"].value == Decimal("61.5")       # 0.615 x 100, exact
    assert not pct.values["2014/15 Q2"].has_value                   # "n/a"
    assert str(pct.values["2014/15 Q2"]) == "n/a"
    assert rate.targets["2014/15 Q2"].value == Decimal("45")
    good, concern, action = rate.thresholds
    assert (good.value, concern.value, action.value) == (Decimal("42.1"), Decimal("59.8"),
                                                         Decimal("118.7"))
    assert refs.thresholds is None
    # the heading row without figures is said, not made a measure; the
    # Notes row ends the table
    assert any("'Early help' has no figures" in w for w in found)
    # statuses work on what was imported: 40.5 per 10,000 with lower better,
    # at or under Good (42.1), is green
    assert rate.status("2014/15 Q2").rag == "green"
    assert pct.status("2014/15 Q3").rag == "red"     # 61.5 < 75, higher is better
    back = planbook.loads(plan.dumps())                # and it saves as a plan
    assert back.indicators["kpis"]["1.2"].values["2014/15 Q3"].value == Decimal("61.5")


def test_indicators_import_errors_name_the_cell(tmp_path):
    from planbook_xlsxread import import_indicators
    path = tmp_path / "kpis.xlsx"
    kpi_book(path)
    wb = openpyxl.load_workbook(path)
    wb["KPIs"]["A9"] = "1.1"                                   # a second 1.1
    wb.save(path)
    with pytest.raises(ReadError) as e:
        import_indicators(path, KPI_MAPPING)
    assert e.value.sheet == "KPIs" and e.value.cell == "A9"
    with pytest.raises(ReadError, match="unknown mapping key"):
        import_indicators(path, {"sheet": "KPIs", "columns": [], "name_column": "B",
                                 "colums": []})
