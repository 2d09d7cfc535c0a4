"""Issue 17: nothing assumed shown as printed.

- every dashboard and register says where its RAG basis comes from, and
  every status computed from an assumed basis says so (CLI, to_pandas,
  the committee pack, the workbook);
- a summary never silently counts a figure that has a finding one way
  (risk 4 of the 2018/19 register: printed 8, likelihood x impact 16);
- a start or a review date never makes an action overdue (seed 004's
  "This roll out of this will commence in May 2018").
"""

import datetime
import subprocess
import sys
import zipfile

import pytest

import planbook

EXAMPLES = planbook.examples.names()
POST = "manchester-children-post-inspection-2018"


def _cli(*args):
    run = subprocess.run([sys.executable, "-m", "planbook", *args],
                         capture_output=True, text=True)
    assert run.returncode in (0, 1), run.stderr
    return run.stdout


# ------------------------------------------------------ assumed bases

def test_every_dashboard_and_register_says_where_its_basis_comes_from():
    seen = 0
    for name in EXAMPLES:
        plan = planbook.examples.load(name)
        for part in (plan.indicators, plan.risks):
            for pid in part:
                basis = part[pid].basis
                assert basis and basis.split(":")[0] in ("printed", "assumed"), (name, pid)
                # every seed prints no bands and no tolerance (003 names its 5x5
                # matrix without printing it): every basis here is an assumption
                assert basis.startswith("assumed: seed 00"), (name, pid, basis)
                seen += 1
    assert seen == 8


def test_the_2016_20_register_quotes_the_matrix_it_does_not_print():
    reg = planbook.examples.load("manchester-childrens-services-2016-20").risks["social_care"]
    assert "RAG rated in accordance with the 5x5 risk matrix" in reg.basis
    assert reg.bands_assumed


def test_statuses_from_an_assumed_basis_are_marked_and_only_they():
    plan = planbook.examples.load("manchester-children-families-2015-17")
    d = plan.indicators["children"].status()
    rags = [r for r in d.measures() if r.rag != "none"]
    assert len(rags) > 10 and all(r.assumed == "assumed thresholds" for r in rags)
    assert all(r.assumed is None for r in d.measures() if r.rag == "none")
    assert d.counts()["assumed"] == len(rags)
    assert {r.rag_basis for r in rags} == {"thresholds"}
    # the reading the basis names: 7 reds lie between Of concern and Action
    # required, amber if Action required were the red line
    reds = [r.ref for r in rags if r.rag == "red"]
    assert reds == ["1.1", "1.3", "1.3b", "1.4", "1.5", "3.1", "3.5"]
    assert "turns 7 of these reds amber" in plan.indicators["children"].basis
    # printed thresholds leave their RAGs unmarked; a target's amber band stays assumed
    plan.indicators["children"].basis = "printed: a test's thresholds"
    d2 = plan.indicators["children"].status()
    assert d2.counts()["assumed"] == 0
    for r in d2.measures():
        assert (r.assumed is not None) == (r.rag != "none" and r.rag_basis == "target")


def test_printed_thresholds_unmark_threshold_statuses():
    plan = planbook.examples.load("manchester-children-families-2015-17")
    iset = plan.indicators["children"]
    before = iset.status().measures()
    by_thresholds = [r.ref for r in before if r.rag_basis == "thresholds"]
    assert by_thresholds and all(r.assumed for r in before if r.rag != "none")
    iset.basis = "printed: What does good look like? (a test)"
    after = {r.ref: r for r in iset.status().measures()}
    assert all(after[ref].assumed is None for ref in by_thresholds)


def test_the_dashboard_frame_has_the_assumed_column():
    pytest.importorskip("pandas")
    plan = planbook.examples.load("manchester-children-families-2015-17")
    df = plan.indicators["children"].status().to_pandas()
    marked = df[df["rag"] != "none"]
    assert len(marked) and set(marked["rag_assumed"]) == {"assumed thresholds"}
    assert df[df["rag"] == "none"]["rag_assumed"].isna().all()


def test_risk_frame_and_scores_say_assumed_bands():
    pytest.importorskip("pandas")
    reg = planbook.examples.load("manchester-children-2018-19").risks["strategic"]
    df = reg.to_pandas()
    assert set(df["rag_basis"]) == {"assumed bands"}
    assert reg["1"].current.assumed == "assumed bands"
    reg.basis = "printed: a test's bands"
    assert set(reg.to_pandas()["rag_basis"]) == {"printed"}
    assert reg["1"].current.assumed is None


def test_cli_summary_and_status_say_assumed():
    out = _cli("summary", "--as-of", "2018-06-15",
               planbook.examples.path("manchester-children-2018-19"))
    risks = next(line for line in out.splitlines() if "[strategic]" in line)
    assert risks.endswith("assumed bands")
    # 2017/18 has results but targets only from 2018/19: no RAG, nothing marked
    dash = next(line for line in out.splitlines() if "[performance]" in line)
    assert "without RAG;" in dash and "assumed" not in dash
    out = _cli("summary", planbook.examples.path("manchester-children-families-2015-17"))
    dash = next(line for line in out.splitlines() if "[children]" in line)
    assert "7 red, 9 amber, 1 green, 7 without RAG; 17 RAGs on assumed thresholds;" in dash
    out = _cli("status", planbook.examples.path("manchester-children-families-2015-17"))
    assert "(assumed thresholds)" in out


def test_report_and_workbook_say_assumed(tmp_path):
    plan = planbook.examples.load("manchester-children-families-2015-17")
    html = plan.report(as_of="2015-03-01")
    assert "assumed bands" in html and "red (assumed thresholds)" in html
    out = tmp_path / "plan.xlsx"
    plan.save(out)
    with zipfile.ZipFile(out) as z:
        strings = "".join(z.read(n).decode() for n in z.namelist()
                          if n.startswith("xl/") and n.endswith(".xml"))
    assert "(assumed bands: assumed: seed 001" in strings
    assert "(assumed thresholds: assumed: seed 001" in strings


# ------------------------------------------- a figure with a finding

def test_risk_4_is_counted_both_ways():
    reg = planbook.examples.load("manchester-children-2018-19").risks["strategic"]
    s = reg["4"].current
    assert (s.declared, s.likelihood, s.impact, s.value) == (8, 4, 4, 16)
    assert (s.rag, s.declared_rag) == ("red", "amber")
    assert s.rag_text == "red (assumed bands; printed 8 is amber)"
    by_li, printed = reg.profile(), reg.profile(by="printed")
    assert by_li["misprinted"] == printed["misprinted"] == 1
    assert (by_li["red"], printed["red"]) == (printed["red"] + 1, by_li["red"] - 1)
    assert printed["amber"] == by_li["amber"] + 1
    assert [r.id for r in reg.misprinted()] == ["4"]
    text = reg.profile_text()
    assert (f"{by_li['red']} red, {by_li['amber']} amber" in text
            and f"as printed {printed['red']} red, {printed['amber']} amber" in text
            and "risk 4 printed 8 (4x4) but likelihood x impact is 16" in text)


def test_risk_4_marked_in_cli_report_and_frame():
    out = _cli("summary", "--as-of", "2018-06-15",
               planbook.examples.path("manchester-children-2018-19"))
    assert "risk 4 printed 8 (4x4) but likelihood x impact is 16" in out
    plan = planbook.examples.load("manchester-children-2018-19")
    html = plan.report(as_of="2018-06-15")
    assert "risk 4 printed 8 (4x4) but likelihood \u00d7 impact is 16" in html
    pd = pytest.importorskip("pandas")
    df = plan.risks["strategic"].to_pandas().set_index("id")
    assert df.loc["4", "current_consistent"] == False  # noqa: E712
    assert (df.loc["4", "current_declared"], df.loc["4", "current_score"]) == (8, 16)
    assert (df.loc["4", "current_declared_rag"], df.loc["4", "current_rag"]) == ("amber", "red")
    assert df["current_consistent"].sum() == len(df) - 1
    del pd


# ------------------------------------------------ start, due, review

def test_a_start_is_not_a_due_date():
    acts = planbook.examples.load(POST).records["actions"]
    assert acts.date_fields == ["start", "due", "review"]
    r = acts["4.12"]
    assert r.get("start") == "May 2018" and r.get("due") is None
    assert r.start == datetime.date(2018, 5, 1) and r.due is None
    assert r.timescale == "This roll out of this will commence in May 2018."
    assert acts["4.28"].get("review") == "Ongoing" and acts["4.28"].due is None
    assert acts["4.23"].due == datetime.date(2018, 7, 31)
    # the only real due date, June - July 2018, has not passed on 15 June 2018
    assert acts.overdue("2018-06-15") == []
    assert [x.id for x in acts.overdue("2018-09-01")] == ["4.23"]


def test_summary_on_15_june_2018_reports_nothing_overdue():
    out = _cli("summary", "--as-of", "2018-06-15", planbook.examples.path(POST))
    assert ("33 items; 0 overdue; 33 without a due date" not in out)
    assert ("33 items; 0 overdue; 32 without a due date (2 with only a start or review "
            "date: never overdue)") in out


def test_due_and_ics_leave_a_start_out():
    from planbook.cycle import due, to_ics
    plan = planbook.examples.load(POST)
    items = due(plan, "2018-06-15", 60)
    assert [(d.id, d.date.isoformat(), d.overdue) for d in items] == [
        ("4.23", "2018-07-31", False)]
    ics = to_ics(items)
    assert "OVERDUE" not in (ics.decode() if isinstance(ics, bytes) else str(ics))


def test_report_says_started_not_overdue():
    plan = planbook.examples.load(POST)
    html = plan.report(as_of="2018-06-15")
    assert "Started 1 May 2018; no due date" in html
    assert "Overdue: due" not in html


def test_to_pandas_keeps_start_due_review_apart():
    pytest.importorskip("pandas")
    df = planbook.examples.load(POST).records["actions"].to_pandas().set_index("id")
    assert df.loc["4.12", "start_date"] == datetime.date(2018, 5, 1)
    assert df.loc["4.12", "due_date"] is None
    assert df.loc["4.23", "due_date"] == datetime.date(2018, 7, 31)
    assert df.loc["4.28", "review"] == "Ongoing" and df.loc["4.28", "review_date"] is None


def test_workbook_has_no_overdue_flag_for_a_start(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    plan = planbook.examples.load(POST)
    out = tmp_path / "post.xlsx"
    plan.save(out)
    wb = openpyxl.load_workbook(out, read_only=True)
    try:
        for ws in wb.worksheets:
            rows = list(ws.iter_rows(values_only=True))
            for row in rows:
                if row and row[0] == "4.12":
                    assert "May 2018" in row and "overdue" not in row
    finally:
        wb.close()
    back = planbook.load(out)
    assert not planbook.diff(plan, back)
    assert back.records["actions"]["4.12"].start == datetime.date(2018, 5, 1)


# ------------------------------------------ structure the narrative hid

SPOD = "manchester-spod-2007-08"


def test_spod_last_narrative_line_is_carried():
    # the last list is carried as records and printed by reference: rendered,
    # the narrative ends with the seed's last line
    plan = planbook.examples.load(SPOD)
    text = plan.render_text(plan.records["narrative"]["children_workforce"]["text"])
    assert text.rstrip().endswith(
        "- The development and introduction of management information systems that support "
        "effective workforce planning.")


def test_spod_workforce_2010_lists_are_records_with_their_timescales():
    coll = planbook.examples.load(SPOD).records["workforce_2010"]
    roots = coll.roots()
    assert [r["title"] for r in roots] == [
        "By 2010 Children's Services will: -",
        "Within Strategy, Performance and Operations division",
        "Managers in the division will:", "By 2010 we will have a workforce that:"]
    assert [len(r.children) for r in roots] == [2, 2, 4, 5]
    assert [(r.id, r.get("timescale")) for r in coll if r.depth == 1 and r.get("timescale")] \
        == [("1.1", "2008"), ("1.2", "2008"), ("2.1", "2008/9"), ("2.2", "2008/9")]
    assert coll["2.2"]["title"].startswith("Have fully implemented an integrated children's system")
    # a printed year is not a due date: nothing here can fall due
    assert all(r.due is None for r in coll)


def test_spod_workforce_development_actions_are_records():
    coll = planbook.examples.load(SPOD).records["workforce_development_actions"]
    assert coll.kind == "actions"
    roots = coll.roots()
    assert [(r.id, r["timescale"], len(r.children)) for r in roots] == [
        ("1", "2007/8", 9), ("2", "2008- 2010", 4), ("3", "by 2010", 11)]
    # as printed, typos included; the bullet split over two lines joined
    assert "appropriate leaning and development activity" in coll["1.2"]["action"]
    assert coll["3.4"]["action"] == ("The development of skills pathways within service areas "
                                     "that Allow staff and managers to map their development "
                                     "over a period of time.")
    assert not planbook.examples.load(SPOD).records["workforce_development_actions"].overdue(
        "2020-01-01")


def test_copy_pickle_and_diff_keep_the_basis():
    import pickle
    plan = planbook.examples.load("manchester-children-families-2015-17")
    for other in (plan.copy(), pickle.loads(pickle.dumps(plan))):
        assert other == plan
        assert other.indicators["children"].basis == plan.indicators["children"].basis
        assert other.risks["thematic"].basis == plan.risks["thematic"].basis
    later = plan.copy()
    later.indicators["children"].basis = "printed: a test"
    later.risks["thematic"].basis = None
    assert [(c.part, c.kind, c.column, c.new) for c in planbook.diff(plan, later)] == [
        ("indicators", "basis changed", "basis", "printed: a test"),
        ("risks", "basis changed", "basis", None)]


def test_2016_20_initial_improvement_figures_are_fields():
    coll = planbook.examples.load("manchester-childrens-services-2016-20").records[
        "initial_improvement"]
    assert len(coll) == 9 and coll["1"]["title"].startswith("Strengthened 'Front Door'")
    c, lac = coll["2"].fields, coll["3"].fields
    assert (c["from"], c["then"], c["then_when"], c["now"], c["now_when"], c["unit"]) == (
        "30", "27", "2014/15", "23", "June 2016", "cases per social worker")
    assert [(lac[k], lac[k + "_when"]) for k in ("from", "then", "now")] == [
        ("1,400", "2014/15"), ("1,380", "Aug 2014"), ("1,225", "June 2016")]
    assert (coll["4"]["hubs"], coll["4"]["launched"]) == ("3", "October 2015")
    assert all(r.due is None for r in coll)


def test_pack_at_a_glance_says_both_counts_and_assumed_bases():
    html = planbook.examples.load("manchester-children-2018-19").report(as_of="2018-06-15")
    glance = html[html.index('id="glance-risks"'):]
    glance = glance[:glance.index("</section>")] if "</section>" in glance else glance
    assert "risk 4 printed 8 (4x4) but likelihood \u00d7 impact is 16" in glance
    assert "assumed bands" in glance
    html = planbook.examples.load("manchester-children-families-2015-17").report(
        as_of="2015-03-01")
    assert "of the RAGs rest on assumed thresholds." in html


def test_a_rag_from_a_target_is_marked_even_with_printed_thresholds():
    """No example has a RAG from a target at its report period, so a small
    plan: the amber band around a target is the plan's tolerance, which no
    source prints."""
    plan = planbook.loads("""planbook: 1
plan: {title: T}
indicators:
  s:
    basis: 'printed: a test'
    periods: [2017/18]
    measures:
    - ref: '1'
      name: by target
      polarity: high
      values: ['97']
      targets: {2017/18: '100'}
    - ref: '2'
      name: by thresholds
      polarity: high
      values: ['97']
      thresholds: {good: '99', of_concern: '90', action_required: '50'}
""")
    d = {r.ref: r for r in plan.indicators["s"].status().measures()}
    assert (d["1"].rag, d["1"].rag_basis, d["1"].assumed) == ("amber", "target",
                                                              "assumed thresholds")
    assert (d["2"].rag, d["2"].rag_basis, d["2"].assumed) == ("amber", "thresholds", None)
    assert d["1"].rag_text == "amber (assumed thresholds)" and d["2"].rag_text == "amber"


def test_bulk_status_frame_marks_assumed_rags():
    pytest.importorskip("pandas")
    iset = planbook.examples.load("manchester-children-families-2015-17").indicators["children"]
    df = iset.status_codes().to_pandas()
    rated = df["rag"] != "none"
    assert rated.sum() > 0 and (df["rag_assumed"] == rated).all()
    iset.basis = "printed: a test"
    assert not iset.status_codes().to_pandas()["rag_assumed"].any()
