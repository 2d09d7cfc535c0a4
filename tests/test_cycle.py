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
