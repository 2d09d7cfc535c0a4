"""Reading and editing a plan through the Python API: totals and checks follow."""
from decimal import Decimal

import pytest

import planbook


@pytest.fixture
def plan():
    return planbook.examples.load("manchester-children-2018-19")


def test_tables_rows_and_cells(plan):
    subj = plan.budgets["subjective"]
    assert list(plan.budgets) == ["subjective"]
    assert [c.id for c in subj.columns] == ["y2018", "y2019"]
    assert subj.columns[0].period == "2018/19"
    emp = subj.rows["Employees"]
    assert emp.kind == "line" and emp.effective_role == "expenditure"
    assert emp.values == [Decimal(55919), Decimal(56203)]
    assert emp.parent.label == "Expenditure:"
    assert subj.rows[0].kind == "section"
    assert subj.rows["gross_expenditure"].label == "Gross Expenditure"
    with pytest.raises(KeyError):
        subj.rows["No such line"]


def test_editing_an_amount_moves_totals_and_checks(plan):
    subj = plan.budgets["subjective"]
    tse = subj.rows["Total Subjective Expenditure"]
    assert tse["y2018"].computed == Decimal(449623)
    subj.rows["Employees"]["y2018"] = 56219            # +300
    assert subj.rows["Total Subjective Expenditure"]["y2018"].computed == Decimal(449923)
    findings = plan.check()
    rows = {(f.row, f.column) for f in findings}
    # Gross Expenditure now agrees; Total Subjective Expenditure and the net do not
    assert ("Gross Expenditure", "y2018") not in rows
    assert ("Total Subjective Expenditure", "y2018") in rows
    assert ("Total Net Budget", "y2018") in rows


def test_adding_and_removing_lines(plan):
    subj = plan.budgets["subjective"]
    exp = subj.rows["expenditure"]
    new = subj.add_line("Agency staff", [300, 0], section=exp,
                        before=subj.rows["Total Subjective Expenditure"])
    assert new.parent.label == "Expenditure:"
    assert subj.rows["Total Subjective Expenditure"]["y2018"].computed == Decimal(449923)
    assert ("Gross Expenditure", "y2018") not in {(f.row, f.column) for f in plan.check()}
    subj.rows["Agency staff"].remove()
    assert subj.rows["Total Subjective Expenditure"]["y2018"].computed == Decimal(449623)
    with pytest.raises(planbook.ValidationError, match="look the row up again"):
        new.label


def test_amounts_are_exact_and_floats_refused(plan):
    subj = plan.budgets["subjective"]
    with pytest.raises(TypeError, match="exact"):
        subj.rows["Employees"]["y2018"] = 0.1
    with pytest.raises(planbook.AmountError, match="decimals"):
        subj.rows["Employees"]["y2018"] = Decimal("1.5")
    with pytest.raises(planbook.AmountError):
        subj.rows["Employees"]["y2018"] = "lots"
    subj.rows["Employees"]["y2018"] = "(1,000)"
    assert subj.rows["Employees"]["y2018"].value == Decimal(-1000)
    subj.rows["Employees"]["y2018"] = None
    assert subj.rows["Employees"]["y2018"].state == "blank"


def test_income_sign_is_presentation_only():
    plan = planbook.examples.load("manchester-children-families-2015-17")
    subj = plan.budgets["subjective"]
    before = subj.rows["net_budget"]["y2014"].computed
    subj.rows["Government Grants"]["y2014"] = 375772      # by meaning: income up by 1
    assert subj.rows["Government Grants"]["y2014"].printed == Decimal(-375772)
    assert subj.rows["net_budget"]["y2014"].computed == before - 1


def test_building_a_plan_from_scratch_round_trips(tmp_path):
    plan = planbook.Plan(title="Charity budget", organisation="A charity", year_start="July")
    t = plan.budgets.add("funding", title="Funding", kind="funding", columns=[
        {"id": "gross", "measure": "gross"},
        {"id": "other", "measure": "funding"},
        {"id": "net", "measure": "net", "sum": ["gross", "-other"]}])
    shop = t.add_line("Shops", {"gross": 500, "net": 380})
    t.add_line("Lottery", {"other": 100}, section=shop)
    t.add_line("Council grant", {"other": 20}, section=shop)
    t.add_total("Total", [500, 120, 380])
    assert plan.check() == []
    assert t.rows["Shops"]["other"].computed == Decimal(120)
    path = tmp_path / "charity.yaml"
    plan.save(path)
    again = planbook.load(path)
    assert again == plan and again.year_start == 7
    assert again.budgets["funding"].rows["Lottery"].is_part


def test_agreements_from_python():
    plan = planbook.examples.load("manchester-children-families-2015-17")
    before = len(plan.check())  # the analyst's agreements' 14 differences, 2 narrative
    plan.add_agreement("objective total vs business areas",
                       {"table": "objective", "rows": ["Total"], "columns": ["y2015"]},
                       {"table": "business_areas", "rows": ["Total"], "columns": ["gross_2015"]})
    f = [f for f in plan.check() if f.agreement == "objective total vs business areas"]
    assert len(f) == 1 and f[0].declared == 272932 and f[0].computed == 720036
    plan.remove_agreement("objective total vs business areas")
    assert len(plan.check()) == before == 16


def test_dangling_references_are_findings():
    plan = planbook.examples.load("manchester-children-2018-19")
    plan.add_agreement("dangling", {"table": "subjective", "rows": ["Nope"], "columns": ["y2018"]},
                       {"table": "missing", "rows": ["x"], "columns": ["y"]})
    f = [f for f in plan.check() if f.code == "reference"]
    assert len(f) == 1 and "no row 'Nope'" in f[0].message


def test_tolerance_absorbs_rounding(plan):
    subj = plan.budgets["subjective"]
    budget = lambda: [f for f in plan.check() if f.part == "budgets"]  # noqa: E731
    assert len(budget()) == 2
    subj.tolerance = 300
    assert [f.row for f in budget()] == ["Total Net Budget"]
    subj.tolerance = None
    plan.tolerance = 5000
    assert budget() == []


def test_blank_missing_leaves_totals_unchecked():
    plan = planbook.loads("""planbook: 1
budgets:
  t:
    blank: missing
    columns:
    - {id: a}
    rows:
    - line: x
    - line: y
      values: [5]
    - total: Total
      values: [5]
""")
    f = plan.check()
    assert [x.code for x in f] == ["unchecked"] and f[0].severity == "warning"


def test_pandas_long_and_wide(plan):
    pd = pytest.importorskip("pandas")
    long = plan.budgets["subjective"].to_pandas()
    row = long[(long.label == "Gross Expenditure") & (long.column == "y2018")].iloc[0]
    assert row.printed == Decimal(449923) and row.computed == Decimal(449623)
    assert row.difference == Decimal(300)
    wide = plan.budgets["subjective"].to_pandas("wide")
    assert list(wide.columns) == ["label", "kind", "depth", "y2018", "y2019"]
    assert isinstance(long, pd.DataFrame)
    # two budget totals and risk 4's score
    assert plan.check().to_pandas().shape[0] == 3


def test_repr_and_html_escape_user_text(plan):
    plan.budgets["subjective"].rows["Employees"].label = "<script>alert(1)</script>"
    html = plan.budgets["subjective"]._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html
    text = repr(plan.budgets["subjective"])
    assert "449,923" in text and "\u26a0" in text
    assert "Gross Expenditure" in plan.check()._repr_html_()
