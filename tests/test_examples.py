"""The shipped example plans: the seeds' tables as printed.

The expected findings come from tests/oracle/seed_oracle.py, an independent
re-implementation of the rules in PyYAML and Decimal (it shares no code with
planbook); its output is kept in tests/oracle/seed_findings.json and
re-computed here when PyYAML is available.
"""
import json
import subprocess
import sys
from decimal import Decimal

import pytest

import planbook
from conftest import EXAMPLES, ROOT, example_paths

ORACLE = ROOT / "tests" / "oracle"


def oracle_findings():
    return json.loads((ORACLE / "seed_findings.json").read_text())


def test_examples_are_shipped_with_the_package():
    assert planbook.examples.names() == sorted(p.stem for p in example_paths())
    for name in planbook.examples.names():
        with open(planbook.examples.path(name), "rb") as shipped:
            assert shipped.read() == (EXAMPLES / f"{name}.yaml").read_bytes()


def test_oracle_output_is_current(tmp_path):
    """The kept oracle output is what the oracle computes on the examples now."""
    pytest.importorskip("yaml")
    out = tmp_path / "fresh.json"
    subprocess.run([sys.executable, str(ORACLE / "seed_oracle.py"), str(out)], check=True,
                   cwd=ROOT)
    assert json.loads(out.read_text()) == oracle_findings()


@pytest.mark.parametrize("path", example_paths(), ids=lambda p: p.stem)
def test_findings_match_the_independent_oracle(path):
    plan = planbook.load(path)
    got = sorted((f.table, f.row, f.column, f.code, f.declared, f.computed, f.difference)
                 for f in plan.check() if f.part == "budgets" and f.code != "narrative")
    want = sorted((o["table"], o["row"], o["column"], o["code"], Decimal(o["declared"]),
                   Decimal(o["computed"]), Decimal(o["difference"]))
                  for o in oracle_findings() if o["file"].endswith(path.name))
    assert got == want


def test_the_seed_inconsistencies_are_reported_with_figures():
    plan = planbook.examples.load("manchester-children-2018-19")
    findings = plan.check()
    by_row = {(f.row, f.column): f for f in findings}
    gross = by_row[("Gross Expenditure", "y2018")]
    assert (gross.declared, gross.computed, gross.difference) == (
        Decimal(449923), Decimal(449623), Decimal(300))
    net = by_row[("Total Net Budget", "y2019")]
    assert (net.declared, net.computed, net.difference) == (
        Decimal(119934), Decimal(115570), Decimal(4364))
    # the finding says where the printed figure is in the file
    text = (EXAMPLES / "manchester-children-2018-19.yaml").read_text().splitlines()
    assert "449923" in text[gross.line - 1][gross.col - 1:]


@pytest.mark.parametrize("path", example_paths(), ids=lambda p: p.stem)
def test_no_finding_where_the_printed_figures_agree(path):
    """Every printed total, Total column and reconciliation step that is not
    a finding equals its computed value exactly."""
    plan = planbook.load(path)
    if not len(plan.budgets):
        pytest.skip("a plan of indicators only (seed 003): no printed totals")
    # a cell's own arithmetic: an agreement or equals finding may flag a cell
    # whose own total is right (the Total of 2015/16 FTE reductions)
    flagged = {(f.table, f.row_index, f.column) for f in plan.check()
               if f.code in ("total", "formula", "parts")}
    checked = 0
    for tid in plan.budgets:
        table = plan.budgets[tid]
        for r, row in enumerate(table.cells()):
            for cell in row:
                if cell.declared is not None and cell.computed is not None:
                    checked += 1
                    if (tid, r, cell.column) not in flagged:
                        assert cell.declared == cell.computed, cell
                    else:
                        assert cell.declared != cell.computed, cell
    assert checked > 0


@pytest.mark.parametrize("path", example_paths(), ids=lambda p: p.stem)
def test_examples_round_trip_unchanged(path, tmp_path):
    plan = planbook.load(path)
    out = tmp_path / path.name
    plan.save(out)
    assert out.read_bytes() == path.read_bytes()
    assert planbook.load(out) == plan


def test_income_printed_negative_is_income():
    plan = planbook.examples.load("manchester-children-families-2015-17")
    subj = plan.budgets["subjective"]
    assert subj.income_sign == "negative"
    grants = subj.rows["Government Grants"]["y2014"]
    assert grants.printed == Decimal(-375771)
    assert grants.value == Decimal(375771)
    assert subj.rows["net_budget"]["y2014"].computed == Decimal(292361)


def test_the_001_seed_adds_up_and_its_tables_agree():
    """The 2015-17 plan's tables agree with each other as the document says
    (objective = reconciliation = service activity; gross = subjective); the
    only findings are those of the two agreements an analyst declares
    (tests/test_truth_checks.py)."""
    plan = planbook.examples.load("manchester-children-families-2015-17")
    declared_by_analyst = {plan.agreements[-2].name, plan.agreements[-1].name}
    assert [f for f in plan.check() if f.agreement not in declared_by_analyst
            and f.code != "narrative"] == []
    assert len(plan.agreements) >= 5
    savings = plan.budgets["savings"]
    grand = savings.totals()[-1]
    assert [grand[c].computed for c in ("y2015", "y2016", "total")] == [
        Decimal(38692), Decimal(9383), Decimal(48075)]
