"""The quarterly cycle (issue 20): what falls due (a list and an iCalendar
file, read back by the icalendar library) and what moved between two
versions of a plan, on the shipped examples."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys

import pytest

import planbook
from planbook.cycle import due, movement, to_ics
from conftest import EXAMPLES

ACTIONS = EXAMPLES / "manchester-children-post-inspection-2018.yaml"
RISKS = EXAMPLES / "manchester-childrens-services-2016-20.yaml"
DASHBOARD = EXAMPLES / "manchester-children-families-2015-17.yaml"


def _icalendar():
    try:
        import icalendar
    except ImportError:
        if os.environ.get("CI"):
            raise
        pytest.skip("icalendar is not installed (pip install 'planbook[ics]')")
    return icalendar


def test_due_lists_the_dated_actions_and_reviews():
    items = due(planbook.load(ACTIONS), "2018-06-15", within=60)
    # 4.12 "will commence in May 2018" is a start, never due (issue 17)
    assert [(d.id, d.date, d.overdue) for d in items] == [
        ("4.23", datetime.date(2018, 7, 31), False)]
    assert items[0].owner == "The North Locality"
    assert items[0].title.startswith("Ensure that plans for permanence progress")
    review, = due(planbook.load(RISKS), "2016-10-15", within=30)
    assert (review.what, review.part, review.date, review.overdue, review.owner) == (
        "review", "risks.social_care", datetime.date(2016, 11, 1), False, "V.Clark")
    assert due(planbook.load(RISKS), "2016-10-15", within=10) == []


def test_a_completed_action_is_not_due():
    plan = planbook.load(ACTIONS)
    plan.records["actions"]["4.23"]["status"] = "Completed"
    assert [d.id for d in due(plan, "2018-06-15", within=60)] == []


def test_ics_is_valid_and_stable_across_exports(tmp_path):
    icalendar = _icalendar()
    plan = planbook.load(ACTIONS)
    stamp = datetime.datetime(2018, 6, 15, tzinfo=datetime.timezone.utc)
    first = to_ics(due(plan, "2018-06-15", 60), tmp_path / "due.ics", stamp=stamp)
    assert (tmp_path / "due.ics").read_bytes() == first
    cal = icalendar.Calendar.from_ical(first)
    events = [c for c in cal.walk("VEVENT")]
    assert [e.decoded("dtstart") for e in events] == [datetime.date(2018, 7, 31)]
    assert str(events[0]["summary"]).startswith("Ensure that plans for permanence")  # not overdue
    # a moved date keeps the event's UID, so a calendar updates it
    plan.records["actions"]["4.23"]["due"] = "September 2018"
    again = icalendar.Calendar.from_ical(to_ics(due(plan, "2018-06-15", 120), stamp=stamp))
    moved = {str(e["uid"]): e.decoded("dtstart") for e in again.walk("VEVENT")}
    assert moved[str(events[0]["uid"])] == datetime.date(2018, 9, 30)
    assert len(set(moved)) == 1


def test_movement_names_risks_rescored_and_rag_changes():
    earlier = planbook.load(RISKS)
    later = planbook.load(RISKS)
    reg = later.risks["social_care"]
    before = reg["1"].current
    impact = before.impact + (1 if before.impact < 5 else -1)
    reg["1"].current = (before.likelihood, impact, before.likelihood * impact)
    moves = movement(earlier, later)
    assert [(m.part, m.id, m.change) for m in moves] == [
        ("risks.social_care", "1", "up" if before.impact < 5 else "down")]
    assert moves[0].before == before.value and moves[0].after == reg["1"].current.value

    old = planbook.load(DASHBOARD)
    new = planbook.load(DASHBOARD)
    m = new.indicators["children"]["1.3"]          # red at 2014/15 Q3 (80.9, lower is better)
    m.values["2014/15 Q3"] = "40.0"                # now at or better than Good (42.1): green
    changed = movement(old, new)
    assert [(c.part, c.id, c.change) for c in changed] == [
        ("indicators.children", "1.3", "red -> green")]
    assert movement(old, planbook.load(DASHBOARD)) == []


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "planbook", *map(str, args)],
                          capture_output=True, text=True, env={**os.environ, "CI": "1"})


def test_due_and_movement_commands(tmp_path):
    _icalendar()
    r = _cli("due", ACTIONS, RISKS, "--as-of", "2018-06-15", "--within", "60d",
             "-o", tmp_path / "due.ics")
    assert r.returncode == 1                        # the register's review is overdue
    assert r.stdout.splitlines()[-1] == "2 due by 2018-08-14 (1 overdue as of 2018-06-15)"
    assert "wrote" in r.stderr and (tmp_path / "due.ics").exists()
    r = _cli("due", ACTIONS, "--as-of", "2017-01-01", "--within", "7")
    assert r.returncode == 0 and r.stdout.strip() == "0 due by 2017-01-08 (0 overdue as of 2017-01-01)"
    r = _cli("due", ACTIONS, "--within", "soon")
    assert r.returncode == 2 and "is not a number of days" in r.stderr
    r = _cli("movement", RISKS, RISKS)
    assert r.returncode == 0 and r.stdout.strip() == "nothing moved"


# ------------------------------------------------------------ new actuals (planbook update)

from decimal import Decimal  # noqa: E402

from planbook.cycle import update_actuals  # noqa: E402

BUDGET = EXAMPLES / "manchester-children-2018-19.yaml"   # subjective, 2018/19 and 2019/20


def _csv(path, rows):
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    return path


def _q2(tmp_path):
    """Actuals to 2018/19 Q2 for the example's subjective table: lines by
    label, a total by id, a line the plan does not have and a section."""
    return _csv(tmp_path / "actuals.csv", [
        ("id", "label", "actual"),
        ("", "Employees", "28000"),
        ("", "running expenses", '"196,577"'),      # label matched without case
        ("", "Capital Financing Costs", "250"),
        ("", "Contribution to reserves", "-"),       # a nil
        ("total_expenditure", "", '"224,827"'),      # a total, by id
        ("", "Government Grants", "165000"),
        ("", "Agency Staff", "1200"),                # in no row of the plan
        ("", "Expenditure:", "5"),                   # a section heading
    ])


def test_update_merges_actuals_and_forecasts_the_year(tmp_path):
    plan = planbook.load(BUDGET)
    done = update_actuals(plan, _q2(tmp_path), "2018/19 Q2")
    assert (done.table, done.into, done.period, done.months, done.method) == (
        "subjective", "subjective_monitoring", "2018/19 Q2", 6, "straight line")
    assert done.new == [("Employees", Decimal(28000)), ("Running Expenses", Decimal(196577)),
                        ("Capital Financing Costs", Decimal(250)),
                        ("Contribution to reserves", Decimal(0)),
                        ("Total Subjective Expenditure", Decimal(224827)),
                        ("Government Grants", Decimal(165000))]
    assert done.changed == [] and done.unchanged == 0
    assert [(f.label, why.split(";")[0]) for f, why in done.unmatched] == [
        ("Agency Staff", "no row of subjective has this id or label"),
        ("Expenditure:", "a section heading holds no figures")]
    assert [f.where for f, _ in done.unmatched] == ["actuals.csv:8", "actuals.csv:9"]
    assert done.missing == ["Other Internal sales",
                            "Contributions from Reserves",
                            "Other Grants Reimbursements and Contributions",
                            "Customer and Client Receipts", "Other Income"]
    assert done.forecasts == [
        ("Employees", Decimal(28000), Decimal(56000), "straight line"),
        ("Running Expenses", Decimal(196577), Decimal(393154), "straight line"),
        ("Capital Financing Costs", Decimal(250), Decimal(500), "straight line"),
        ("Contribution to reserves", Decimal(0), Decimal(0), "straight line"),
        ("Government Grants", Decimal(165000), Decimal(330000), "straight line")]
    mon = plan.budgets["subjective_monitoring"]
    assert [(c.id, c.period, c.phase) for c in mon.columns] == [
        ("budget", "2018/19", "Budget"), ("actual", "2018/19 Q2", "Actual to date"),
        ("forecast", "2018/19", "Forecast outturn (straight line)"),
        ("variance", "2018/19", "Variance")]
    emp = mon.rows["Employees"]
    assert [emp[c].shown for c in ("budget", "actual", "forecast", "variance")] == [
        Decimal(55919), Decimal(28000), Decimal(56000), Decimal(81)]
    total = mon.rows["total_expenditure"]
    assert total["actual"].declared == total["actual"].computed == Decimal(224827)
    assert total["forecast"].computed == Decimal(449654)
    # a total over lines without figures is not made up: blanks are missing, not zero
    net = mon.rows["net_budget"]
    assert net["actual"].computed is None and net["forecast"].computed is None
    assert mon.rows["Other Income"]["variance"].computed is None
    assert not [f for f in plan.check() if f.table == "subjective_monitoring"]
    # the file round-trips with the method stored
    plan.save(tmp_path / "plan.yaml")
    again = planbook.load(tmp_path / "plan.yaml")
    assert again.budgets["subjective_monitoring"].columns[2].phase == \
        "Forecast outturn (straight line)"
    assert "straight line" in again.budgets["subjective_monitoring"].note


def test_update_again_reports_changed_and_keeps_what_the_file_leaves_out(tmp_path):
    plan = planbook.load(BUDGET)
    update_actuals(plan, _q2(tmp_path), "2018/19 Q2")
    second = _csv(tmp_path / "again.csv", [("label", "actual"), ("Employees", "28500"),
                                           ("Running Expenses", "196577")])
    done = update_actuals(plan, second, "2018/19 Q2")
    assert done.changed == [("Employees", Decimal(28000), Decimal(28500))]
    assert done.new == [] and done.unchanged == 1 and done.unmatched == []
    grants = plan.budgets["subjective_monitoring"].rows["Government Grants"]
    assert grants["actual"].value == Decimal(165000)      # kept from the first file
    assert "Government Grants" in done.missing
    # a line added to the budget table since: the others keep what they held
    sub = plan.budgets["subjective"]
    sub.add_line("Agency Staff", [100, 100], section=sub.rows["expenditure"],
                 before=sub.rows["Employees"])
    done = update_actuals(plan, second, "2018/19 Q2")
    assert done.changed == [] and done.new == [] and done.unchanged == 2
    assert done.missing[0] == "Agency Staff"
    assert plan.budgets["subjective_monitoring"].rows["Government Grants"]["actual"].value == \
        Decimal(165000)
    # a new quarter starts afresh: every figure is new
    q3 = update_actuals(plan, second, "Dec 2018")
    assert (q3.period, q3.months) == ("Dec 2018", 9)
    assert q3.changed == [] and [r for r, _ in q3.new] == ["Employees", "Running Expenses"]
    assert q3.forecasts[0] == ("Employees", Decimal(28500), Decimal(38000), "straight line")


def test_update_by_same_period_last_year(tmp_path):
    plan = planbook.load(BUDGET)
    src = _csv(tmp_path / "ly.csv", [
        ("label", "actual", "last_year_to_date", "last_year_outturn"),
        ("Employees", "28000", "27000", "55000"),
        ("Running Expenses", "196577", "", "")])
    done = plan.update_actuals(src, "2018/19 Q2", method="last_year")
    assert done.method == "same period last year"
    assert done.forecasts == [
        # 28,000 x 55,000 / 27,000 = 57,037.04: rounded half up to the table's 0 decimals
        ("Employees", Decimal(28000), Decimal(57037), "same period last year"),
        ("Running Expenses", Decimal(196577), Decimal(393154),
         "straight line (no figures for last year)")]
    mon = plan.budgets["subjective_monitoring"]
    assert mon.columns[2].phase == "Forecast outturn (same period last year)"
    assert "By straight line, with no figures for last year: Running Expenses." in mon.note


def test_update_from_finance_workbook_through_the_mapping(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Actuals"
    for row in [("Line", "Actual"), ("Employees", 28000), ("Running Expenses", "196,577"),
                ("Agency Staff", 1200)]:
        ws.append(row)
    wb.save(tmp_path / "finance.xlsx")
    mapping = {"sheet": "Actuals", "header_rows": [1], "label_column": "A",
               "columns": [{"column": "B", "id": "actual"}]}
    plan = planbook.load(BUDGET)
    done = update_actuals(plan, tmp_path / "finance.xlsx", "2018/19 Q2", mapping=mapping)
    assert done.new == [("Employees", Decimal(28000)), ("Running Expenses", Decimal(196577))]
    assert [(f.label, f.where) for f, _ in done.unmatched] == [
        ("Agency Staff", "finance.xlsx Actuals!A4")]


def test_update_command(tmp_path):
    target = tmp_path / "plan.yaml"
    target.write_bytes(BUDGET.read_bytes())
    r = _cli("update", target, "--from", _q2(tmp_path), "--period", "2018/19 Q2")
    assert r.returncode == 1, r.stderr                 # two rows of the file matched nothing
    out = r.stdout.splitlines()
    assert out[0] == ("[subjective_monitoring] actuals to 2018/19 Q2 (6 of 12 months) from "
                      "subjective; year-end forecast: straight line")
    assert "unmatched actuals.csv:8: 'Agency Staff' (no row of subjective has this id or label)" \
        in out
    assert out[-1] == "0 changed, 6 new, 0 unchanged, 2 unmatched, 5 without a figure"
    assert "subjective_monitoring" in planbook.load(target).budgets
    good = _csv(tmp_path / "good.csv", [("label", "actual"), ("Employees", "28500")])
    r = _cli("update", target, "--from", good, "--period", "2018/19 Q2", "--json",
             "-o", tmp_path / "out.yaml")
    assert r.returncode == 0, r.stderr
    import json
    assert json.loads(r.stdout)["changed"] == [
        {"row": "Employees", "before": "28000", "after": "28500"}]
    r = _cli("update", target, "--from", good, "--period", "2018/19 Q2", "--table", "capital")
    assert r.returncode == 2
    assert "the plan has no budget table 'capital' (its tables: subjective, " in r.stderr
    r = _cli("update", target, "--from", good, "--period", "2018/19 Q2", "--column", "y2031")
    assert r.returncode == 2 and "has no column 'y2031' (its columns: y2018, y2019)" in r.stderr
    r = _cli("update", target, "--from", good, "--period", "2031/32")
    assert r.returncode == 2 and "no budget table has a column for 2031/32" in r.stderr
    r = _cli("update", target, "--from", tmp_path / "finance.xlsx", "--period", "2018/19 Q2")
    assert r.returncode == 2 and "needs --mapping" in r.stderr
    bad = _csv(tmp_path / "bad.csv", [("label", "actual"), ("Employees", "28000"),
                                      ("Running Expenses", '"196,577.5"')])
    r = _cli("update", target, "--from", bad, "--period", "2018/19 Q2")
    assert r.returncode == 2
    assert "bad.csv:3: '196,577.5' has more decimals than the column's 0" in r.stderr
    assert "subjective_monitoring" in planbook.load(target).budgets   # the plan as it was


def test_update_names_a_file_it_cannot_use(tmp_path):
    plan = planbook.load(BUDGET)
    bad = _csv(tmp_path / "x.csv", [("label", "amount"), ("Employees", "1")])
    with pytest.raises(planbook.ReadError, match="names no figure column") as e:
        update_actuals(plan, bad, "2018/19 Q2")
    assert (e.value.line, os.path.basename(e.value.file)) == (1, "x.csv")
    assert "subjective_monitoring" not in plan.budgets
    # a column headed with the period is the figure; a month counts from April
    good = _csv(tmp_path / "y.csv", [("label", "Jan 2019"), ("Employees", "50000")])
    done = update_actuals(plan, good, "Jan 2019")
    assert (done.months, done.forecasts[0][2]) == (10, Decimal(60000))
