"""Collections of records: reading and writing them, dates as plans write
them, links between parts of a plan, overdue and undated items."""

from __future__ import annotations

import datetime

import pytest

import planbook
from planbook import ReadError, ValidationError
from planbook._records import date_range

D = datetime.date


@pytest.mark.parametrize("text,start,end", [
    ("31 March 2017", D(2017, 3, 31), D(2017, 3, 31)),
    ("end Sept 2016", D(2016, 9, 30), D(2016, 9, 30)),
    ("10 - 12 February 2015", D(2015, 2, 10), D(2015, 2, 12)),
    ("10 February - 12 March 2015", D(2015, 2, 10), D(2015, 3, 12)),
    ("December 2015 \u2013 March 2016", D(2015, 12, 31), D(2016, 3, 31)),
    ("11/09/16", D(2016, 9, 11), D(2016, 9, 11)),
    ("TBC", None, None), ("Ongoing", None, None),
])
def test_dates_as_plans_write_them(text, start, end):
    assert date_range(text) == (start, end)


@pytest.mark.parametrize("text", ["sometime", "12 - 10 February 2015", "31 February 2015",
                                  "2015-13-01", "- 12 March 2015"])
def test_not_dates(text):
    with pytest.raises(ValidationError):
        date_range(text)


PLAN = """planbook: 1
risks:
  strategic:
    risks:
    - id: '4'
      current: 8 (4x4)
records:
  corporate:
    kind: objectives
    items:
    - id: '1'
      title: A thriving city
    - id: '3'
      title: A progressive city
  objectives:
    title: Objectives
    kind: objectives
    dates: [due]
    links: {corporate: corporate, risk: risks.strategic}
    items:
    - id: 2(iii)
      title: Improve attainment
      corporate: 1, 3
      risk: '4'
      due: end March 2009
      status: Open
      items:
      - id: 2(iii).a
        title: Review the data
        due: 10 - 12 February 2009
        status: Complete
      - title: An item without an id
        due: TBC
    - id: (8)
      title: Admissions
      corporate: '3'
"""


def test_records_round_trip_and_read():
    p = planbook.loads(PLAN)
    text = planbook.dumps(p)
    assert planbook.dumps(planbook.loads(text)) == text
    objs = p.records["objectives"]
    assert [r.id for r in objs] == ["2(iii)", "2(iii).a", None, "(8)"]
    top = objs["2(iii)"]
    assert (top.depth, top["title"], top.due) == (0, "Improve attainment", D(2009, 3, 31))
    assert [c.id for c in top.children] == ["2(iii).a", None]
    assert objs[2].parent.id == "2(iii)" and objs[2].due is None
    assert objs.links == {"corporate": "corporate", "risk": "risks.strategic"}
    assert [f.code for f in p.check() if f.part == "records"] == []
    assert [r.id for r in objs.overdue("2009-06-30")] == ["2(iii)"]
    assert [r.id for r in objs.overdue("2009-01-01")] == []
    assert [r.id for r in objs.undated()] == [None, "(8)"]


def test_dangling_links_and_bad_dates_are_findings():
    text = PLAN.replace("corporate: 1, 3", "corporate: 1, 7").replace(
        "risk: '4'", "risk: '9'").replace("due: end March 2009", "due: soon")
    p = planbook.loads(text)
    f = [x for x in p.check() if x.part == "records"]
    got = sorted((x.code, x.severity, x.message) for x in f)
    assert got == [
        ("date", "warning", "objectives item '2(iii)': due 'soon' is not a date, so it cannot "
                            "be overdue"),
        ("reference", "error", "objectives item '2(iii)': corporate '7' is not in corporate"),
        ("reference", "error", "objectives item '2(iii)': risk '9' is not in risks.strategic"),
    ]
    assert all(x.table == "objectives" and x.row_id == "2(iii)" for x in f)
    assert {x.column for x in f} == {"corporate", "risk", "due"}
    assert all(x.line == 21 for x in f)  # the item's line in the file
    p2 = planbook.loads(PLAN.replace("risk: risks.strategic", "risk: risks.missing"))
    assert [x.message for x in p2.check() if x.part == "records"] == [
        "objectives item '2(iii)': risk links to 'risks.missing', which is not in the plan"]


@pytest.mark.parametrize("bad,message", [
    ("      title: Improve attainment\n      title: again\n", "duplicate key 'title'"),
    ("      bad-name: x\n", "is not a field name"),
    ("      items: []\n      late: x\n", "'items' comes after the item's fields"),
])
def test_bad_items_are_errors(bad, message):
    text = PLAN.replace("      title: Improve attainment\n", bad, 1)
    with pytest.raises(ReadError) as e:
        planbook.loads(text)
    assert message in str(e.value) and e.value.line


def test_item_ids_unique_and_id_first():
    with pytest.raises(ReadError, match="duplicate item id '\\(8\\)'"):
        planbook.loads(PLAN.replace("- id: 2(iii).a", "- id: (8)"))
    with pytest.raises(ReadError, match="the id comes first"):
        planbook.loads(PLAN.replace("    - id: '3'\n      title: A progressive city",
                                    "    - title: A progressive city\n      id: '3'"))
    with pytest.raises(ReadError, match="unknown kind"):
        planbook.loads(PLAN.replace("kind: objectives", "kind: wishes", 1))


def test_editing_records_in_python():
    plan = planbook.Plan(title="Action plan")
    acts = plan.records.add("actions", kind="actions", links={"objective": "objectives"})
    objs = plan.records.add("objectives", kind="objectives")
    objs.add("O1", title="Safe children")
    rec = acts.add("1", title="Front door", objective="O1")
    a = acts.add("1.1", parent=rec, action="Open the MASH", due="end March 2015",
                 status="Open")
    assert [f.code for f in plan.check()] == []
    a["status"] = "Complete"
    assert acts.overdue("2016-01-01") == []
    acts["1"]["objective"] = "O2"
    assert [f.message for f in plan.check()] == [
        "actions item '1': objective 'O2' is not in objectives"]
    with pytest.raises(ValidationError, match="duplicate item id"):
        acts.add("1.1")
    acts.remove("1")
    assert len(acts) == 0
    text = planbook.dumps(plan)
    assert planbook.dumps(planbook.loads(text)) == text


def test_records_to_pandas_and_html():
    pytest.importorskip("pandas")
    p = planbook.loads(PLAN)
    df = p.records["objectives"].to_pandas()
    assert list(df["id"].fillna("-")) == ["2(iii)", "2(iii).a", "-", "(8)"]
    assert df.loc[1, "parent"] == "2(iii)" and df.loc[1, "due_date"] == D(2009, 2, 12)
    assert df.loc[1, "due"] == "10 - 12 February 2009"
    q = planbook.Plan()
    c = q.records.add("n", kind="narrative")
    c.add("1", title="<script>", text="a & b")
    h = c._repr_html_()
    assert "<script>" not in h and "&lt;script&gt;" in h and "a &amp; b" in h


@pytest.mark.parametrize("name", planbook.examples.names())
def test_every_example_round_trips_and_reaches_excel(name, tmp_path):
    """Issue 5: each seed is a complete example plan: it reads, saves as YAML
    and reads back with nothing lost, and writes its workbook with a sheet
    for every part."""
    openpyxl = pytest.importorskip("openpyxl")
    import xlsx_tools as xt
    plan = planbook.examples.load(name)
    text = planbook.dumps(plan)
    again = planbook.loads(text)
    assert planbook.dumps(again) == text
    assert [f.message for f in again.check()] == [f.message for f in plan.check()]
    out = tmp_path / f"{name}.xlsx"
    plan.save(out)
    wb = openpyxl.load_workbook(out, read_only=True)
    try:
        assert wb.sheetnames == xt.expected_sheet_names(plan)
    finally:
        wb.close()
    parts = (len(plan.budgets), len(plan.indicators), len(plan.risks), len(plan.records))
    assert sum(parts) >= 2, parts


def test_the_five_seeds_are_all_carried():
    sources = {planbook.examples.load(n).meta["source"][:9] for n in planbook.examples.names()}
    assert sources == {f"Seed 00{k} " for k in range(5)}


def test_summary_states_its_date_and_lists_overdue_actions():
    import subprocess
    import sys
    run = subprocess.run([sys.executable, "-m", "planbook", "summary", "--as-of", "2018-09-01",
                          planbook.examples.path("manchester-children-post-inspection-2018"),
                          planbook.examples.path("manchester-childrens-services-2016-20")],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "Actions (as of 2018-09-01):" in run.stdout
    # 4.12 "will commence in May 2018" is a start and 4.28 "reviewed on an
    # ongoing basis" a review: neither is a deadline
    assert ("33 items; 1 overdue (4.23); 32 without a due date (2 with only a start or "
            "review date: never overdue)") in run.stdout
    assert "Risks (as of 2018-09-01):" in run.stdout
    assert "next review 01/11/16 (overdue)" in run.stdout


def test_plan_card_shows_every_part_with_counts_and_escapes():
    p = planbook.examples.load("manchester-children-families-2015-17")
    h = p._repr_html_()
    assert "budget table <b>CHILDREN AND FAMILIES SAVINGS SCHEDULE</b>" in h
    assert "at 2014/15 Q3: \u2716 7 red, \u25b2 9 amber, \u2714 1 green" in h
    assert "risk register <b>Risk and Resilience</b> [thematic]: 15 risks" in h
    # the analyst's agreements and the narrative's "£720,036 million" (issue 17)
    assert "swot <b>" in h and "14 errors, 2 warnings (16 in budgets)" in h
    q = planbook.Plan(title="<b>x</b>")
    q.records.add("n", title="<script>", kind="narrative")
    h = q._repr_html_()
    assert "<script>" not in h and "&lt;script&gt;" in h and "&lt;b&gt;x" in h
