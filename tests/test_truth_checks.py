"""Issue 17's checks that were missing, asserted by their figures on the
shipped examples: printed shares (computed columns checked at the printed
precision), totals rows held to the equals of their lines, agreements an
analyst declares between tables (one side computed, sign flipped), money
figures in the narrative in the wrong magnitude, and printed dashes."""
import pathlib
import warnings
from decimal import Decimal

import pytest

import planbook
from planbook.errors import PlanbookError

SPOD = "manchester-spod-2007-08"
CF = "manchester-children-families-2015-17"


def findings(plan, **match):
    return [f for f in plan.check()
            if all(getattr(f, k) == v for k, v in match.items())]


def col(table, cid):
    return next(c for c in table.columns if c.id == cid)


def figures(f):
    return (f.declared, f.computed, f.difference)


# ------------------------------------------------------ printed shares

def test_the_workforce_profile_shares_are_checked_at_the_printed_precision():
    plan = planbook.examples.load(SPOD)
    t = plan.budgets["workforce_profile"]
    assert col(t, "percentage").compute == "share(number, 623)"
    got = {f.row: f for f in findings(plan, table="workforce_profile")}
    assert sorted(got) == ["Ethnicity.", "Man. Resid."]
    eth, man = got["Ethnicity."], got["Man. Resid."]
    # 74 / 623 = 11.878..., 11.88 at the two places printed
    assert eth.code == "computed" and eth.severity == "error"
    assert figures(eth) == (Decimal("11.87"), Decimal("11.88"), Decimal("-0.01"))
    # 303 / 623 = 48.64: 486 is 48.6 without its decimal point
    assert figures(man) == (Decimal("486"), Decimal("48.64"), Decimal("437.36"))
    assert (eth.column, man.column) == ("percentage", "percentage")
    lines = pathlib.Path(planbook.examples.path(SPOD)).read_text().splitlines()
    assert "'11.87'" in lines[eth.line - 1][eth.col - 2:]
    assert "'486'" in lines[man.line - 1][man.col - 2:]
    assert "printed 486, but share(number, 623) gives 48.64" in man.message
    # the cells that are not single numbers are kept exactly as printed
    rows = {r.label: r for r in t.rows}
    assert rows["Male/female."]["number"].printed == "185/438"
    assert rows["Turnover."]["number"].printed == "11.64%"
    assert rows["Man. Resid."]["number"].printed == "303."
    assert rows["Male/female."].note and rows["Turnover."].note


def test_a_printed_share_agrees_with_every_exact_figure_that_rounds_to_it():
    # 11.87 printed: agrees with [11.865, 11.875) half-up
    def plan_with(number, printed, rounding=""):
        text = f"""planbook: 1
budgets:
  t:
    columns:
    - {{id: n, type: text}}
    - {{id: p, type: text, decimals: 2, compute: 'share(n, 1000){rounding}'}}
    rows:
    - line: a
      values: ['{number}', '{printed}']
"""
        return planbook.loads(text, format="yaml")

    assert plan_with("118.65", "11.87").check() == []       # 11.865: half-up
    assert plan_with("118.7499", "11.87").check() == []
    [f] = plan_with("118.75", "11.87").check()              # 11.875 rounds to 11.88
    assert figures(f) == (Decimal("11.87"), Decimal("11.88"), Decimal("-0.01"))
    [f] = plan_with("118.6499", "11.87").check()
    assert figures(f) == (Decimal("11.87"), Decimal("11.86"), Decimal("0.01"))
    # half-even: 11.865 rounds to 11.86
    [f] = plan_with("118.65", "11.87", " half-even").check()
    assert f.computed == Decimal("11.86")
    # one printed decimal is compared at one decimal
    assert plan_with("117", "11.7").check() == []


def test_computed_columns_in_amount_columns_show_everywhere():
    text = """planbook: 1
budgets:
  t:
    unit: "£'000"
    columns:
    - {id: y1, period: 2015/16}
    - {id: y2, period: 2016/17}
    - {id: change, compute: 'change(y1, y2)'}
    - {id: pct, decimals: 1, compute: 'pct_change(y1, y2)'}
    - {id: ratio, decimals: 3, compute: 'ratio(y2, y1)'}
    - {id: share, decimals: 2, compute: 'share(y2, row total)'}
    rows:
    - line: a
      values: [200, 150, ~, ~, ~, ~]
    - line: b
      values: [100, 125, ~, ~, ~, ~]
    - total: Total
      id: total
      values: [300, 275, ~, ~, ~, ~]
"""
    plan = planbook.loads(text, format="yaml")
    assert plan.check() == []
    t = plan.budgets["t"]
    a = t.rows["a"]
    assert [a[c].computed for c in ("change", "pct", "ratio", "share")] == [
        Decimal(-50), Decimal("-25.0"), Decimal("0.750"), Decimal("54.55")]
    total = t.rows["total"]
    assert total["change"].computed == Decimal(-25)
    assert total["pct"].computed == Decimal("-8.3")   # -25 / 300 = -8.333...
    assert total["share"].computed == Decimal("100.00")
    df = t.to_pandas("wide", amounts="decimal")
    assert list(df["change"]) == [Decimal(-50), Decimal(25), Decimal(-25)]
    df = t.to_pandas("wide")             # numbers in units of the table's scale
    assert list(df["change"] / 10 ** df.attrs["scale"]) == [-50, 25, -25]
    assert "54.55" in t._repr_html_()
    # the definition survives a YAML round trip and a copy
    again = planbook.loads(plan.dumps(format="yaml"), format="yaml")
    assert again == plan and col(again.budgets["t"], "share").compute == \
        "share(y2, row total)"
    # a printed figure that disagrees is a finding
    t.rows["b"]["pct"] = "25.1"
    [f] = plan.check()
    assert (f.code, f.row, f.column) == ("computed", "b", "pct")
    assert figures(f) == (Decimal("25.1"), Decimal("25.0"), Decimal("0.1"))


def test_a_bad_computation_is_a_located_error():
    text = """planbook: 1
budgets:
  t:
    columns:
    - {id: a}
    - {id: b, compute: 'share(nope, 10)'}
"""
    with pytest.raises(PlanbookError) as e:
        planbook.loads(text, format="yaml")
    assert e.value.line == 6 and "no column 'nope'" in str(e.value)
    for spec in ("share(a)", "mean(a, a)", "ratio(a, a) half-down", "share(a, 0)"):
        with pytest.raises(PlanbookError):
            planbook.loads(text.replace("share(nope, 10)", spec), format="yaml")


# ------------------------------------------------------ totals rows

def test_the_totals_row_is_held_to_the_equals_of_its_lines():
    plan = planbook.examples.load(SPOD)
    got = findings(plan, table="proposed", row="Totals (4)")
    assert [(f.code, f.column) + figures(f) for f in got] == [
        ("equals", "funding_2007", Decimal(29034), Decimal(29042), Decimal(-8)),
        ("equals", "funding_2008", Decimal(29646), Decimal(29665), Decimal(-19)),
        ("equals", "funding_2009", Decimal(30272), Decimal(30275), Decimal(-3)),
    ]
    assert got[0].other == {"table": "proposed", "row": "Totals (4)", "column": "gross_2007"}
    # the select total (Mainstream funding only) has no gross to equal
    assert findings(plan, row="Total Mainstream Funding Required (5)") == []
    # 12 lines and 3 totals in the table; the profile's 2 shares
    assert len(findings(plan, table="proposed")) == 15


# ----------------------------------------------- agreements between tables

def test_the_savings_schedule_by_service_against_the_reconciliation():
    plan = planbook.examples.load(CF)
    name = plan.agreements[-2].name
    got = findings(plan, agreement=name)
    want = {  # savings section total, year: schedule, reconciliation (sign flipped)
        ("TOTAL LAC AND COMPLEX DEPENDENCY", "y2015"): (7306, 6989),
        ("TOTAL LAC AND COMPLEX DEPENDENCY", "y2016"): (300, 353),
        ("TOTAL EARLY YEARS & CHILDREN'S HEALTH", "y2015"): (1705, 1422),
        ("TOTAL LIVING LONGER LIVING BETTER", "y2015"): (8328, 10142),
        ("LEARNING DISABILITY SERVICES", "y2015"): (3200, 4200),
        ("LEARNING DISABILITY SERVICES", "y2016"): (1089, 36),
        ("Sub-total Adult Care Services not inc in LLLB", "y2015"): (3292, 1292),
        ("Subtotal Vol & Community Sector Services", "y2015"): (2973, 3159),
        ("TOTAL EDUCATION & SKILLS", "y2015"): (3902, 3502),
        ("TOTAL EDUCATION & SKILLS", "y2016"): (544, 1544),
    }
    assert {(f.row, f.column): (f.declared, f.computed) for f in got} == {
        k: (Decimal(a), Decimal(b)) for k, (a, b) in want.items()}
    for f in got:
        assert f.table == "savings" and f.difference == f.declared - f.computed
        assert f.other["table"] == "reconciliation"
        assert f.other["column"] == {"y2015": "savings_2015", "y2016": "savings_2016"}[f.column]
    lac = next(f for f in got if f.row.startswith("TOTAL LAC") and f.column == "y2015")
    assert lac.other["row"] == "Looked After Children and Complex Dependency"
    # both year totals agree (the agreement on the totals)
    assert findings(plan, agreement="Savings schedule total agrees to the reconciliation savings") \
        == []
    assert "sign-flipped" in plan.agreements[-2].note and "->" in plan.agreements[-2].note


def test_the_workforce_reductions_against_the_computed_fte_change():
    plan = planbook.examples.load(CF)
    sa = plan.budgets["service_activity"]
    assert col(sa, "fte_change_2015").compute == "change(fte_2014, fte_2015)"
    assert sa.rows["total"]["fte_change_2015"].computed == Decimal(-305)
    got = findings(plan, agreement=plan.agreements[-1].name)
    assert [(f.row, f.column) + figures(f) for f in got] == [
        ("Looked After Children & Complex Dependency", "y2015", 9, 39, -30),
        ("Early Years and Children's Health", "y2015", 3, 0, 3),
        ("Education and Skills", "y2015", 67, 70, -3),
        ("Total", "y2015", 275, 305, -30),
    ]
    for f in got:
        assert f.other["table"] == "service_activity"
        assert f.other["column"] == "fte_change_2015"
    assert got[0].other["row"] == "Looked After Children and Complex Dependency"


# -------------------------------------------------- narrative figures

def test_money_in_the_narrative_in_the_wrong_magnitude_is_a_warning():
    plan = planbook.examples.load(CF)
    got = findings(plan, code="narrative")
    assert [(f.severity, f.table, f.row, f.column) + figures(f) for f in got] == [
        ("warning", "business_areas", "Total", "gross_2015",
         Decimal(720036000), Decimal(720036), Decimal(720036000 - 720036)),
        ("warning", "business_areas", "Total", "net_2015",
         Decimal(272932000), Decimal(272932), Decimal(272932000 - 272932)),
    ]
    for f in got:
        assert f.other == {"table": "report_narrative", "row": "8", "column": "text"}
        text = pathlib.Path(planbook.examples.path(CF)).read_text().splitlines()
        assert "3.0 Children and Families Business Plan" in "".join(text[f.line - 1:f.line + 1])
    assert "writes £720,036 million" in got[0].message
    # "employs 2,691 FTEs" is a count in its own unit: nothing reported


def test_a_figure_in_the_right_magnitude_is_not_reported():
    plan = planbook.examples.load(CF)
    item = plan.records["report_narrative"]
    text = item["8"]["text"]
    item["8"]["text"] = text.replace("£720,036 million", "£720.036 million").replace(
        "£272,932 million", "£272,932,000 thousand")
    assert findings(plan, code="narrative") == [
        f for f in findings(plan, code="narrative") if "272,932,000" in f.message]
    item["8"]["text"] = text.replace("£720,036 million", "£720,036k").replace(
        "£272,932 million", "£272.932m")
    assert findings(plan, code="narrative") == []


# ------------------------------------------------------------ dashes

def test_a_printed_dash_is_nil_everywhere(tmp_path):
    plan = planbook.examples.load(SPOD)
    cell = plan.budgets["capital"].rows["Green End Primary - consolidation onto one site"]["a2007"]
    assert (cell.state, cell.printed, cell.value) == ("nil", Decimal(0), Decimal(0))
    assert "'-'" in plan.dumps(format="yaml").split("Green End Primary")[1].splitlines()[1]
    long = plan.budgets["capital"].to_pandas()
    nil = long[(long.column == "a2007") & (long.row == 1)].iloc[0]
    assert nil.state == "nil" and nil.value == 0
    assert "<td style='text-align:right'>-</td>" in plan.budgets["capital"]._repr_html_()
    book = tmp_path / "spod.xlsx"
    plan.save(book)
    openpyxl = pytest.importorskip("openpyxl")
    ws = openpyxl.load_workbook(book)["capital"]
    shown = [c for row in ws.iter_rows() for c in row if c.value == 0]
    assert shown and all(c.number_format.endswith('"-"') for c in shown)
    again = planbook.load(book)
    c2 = again.budgets["capital"].rows["Green End Primary - consolidation onto one site"]["a2007"]
    assert c2.state == "nil"


# ---------------------------------------------------------- round trip

@pytest.mark.parametrize("name", [SPOD, CF])
def test_computed_columns_and_agreements_survive_the_workbook(name, tmp_path):
    plan = planbook.examples.load(name)
    book = tmp_path / f"{name}.xlsx"
    plan.save(book)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # every finding's comment is planbook's own
        again = planbook.load(book)
    assert str(planbook.diff(plan, again)) == "no changes"
    assert again == plan
    assert [f.message for f in again.check()] == [f.message for f in plan.check()]
    if name == CF:
        openpyxl = pytest.importorskip("openpyxl")
        ws = openpyxl.load_workbook(book)["service_activity"]
        formulas = [c.value for row in ws.iter_rows() for c in row
                    if isinstance(c.value, str) and c.value.startswith("=ROUND(")]
        assert len(formulas) == 2 * 11
        assert col(again.budgets["service_activity"], "fte_change_2016").compute == \
            "change(fte_2015, fte_2016)"


# ---------------------------------------------- references in the narrative

def test_narrative_text_refers_to_table_cells_in_their_unit():
    plan = planbook.examples.load(CF)
    assert plan.render_text(
        "a gross budget of {{service_activity.total.gross_2015|m}} "
        "({{service_activity.total.gross_2015|printed}}), "
        "{{service_activity.total.net_2015|million}} net, "
        "{{service_activity.total.gross_2015}} in full; "
        "{{service_activity.total.fte_2015}}; {{service_activity.total.fte_change_2015}}"
    ) == ("a gross budget of £720.036m (720,036 £'000), £272.932 million net, "
          "£720,036,000 in full; 2,691 FTE; -305 FTE")
    # a reference that names no cell stays as written, and is a finding
    coll = plan.records["report_narrative"]
    coll["8"]["text"] += "\n\n{{service_activity.nope.gross_2015}} and {{nope.total.x}}"
    assert plan.render_text(coll["8"]["text"]).endswith("{{nope.total.x}}")
    bad = [f for f in findings(plan, code="narrative") if f.severity == "error"]
    assert [f.message.split(" refers to ")[1] for f in bad] == [
        "{{service_activity.nope.gross_2015}}: no row 'nope' in table 'service_activity'",
        "{{nope.total.x}}: no table 'nope'"]
    assert all(f.other == {"table": "report_narrative", "row": "8", "column": "text"}
               for f in bad)
    # the committee pack renders references in record fields
    coll["8"]["text"] = "gross {{service_activity.total.gross_2015|m}}"
    html = plan.report(sections=["records.report_narrative"])
    assert "gross £720.036m" in html and "{{" not in html
