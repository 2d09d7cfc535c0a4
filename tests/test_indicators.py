"""Indicators: the model, the observation cells, the status engine's rules
and reasons, the checks of printed arrows, and the seed dashboards.

The seed tests compare the engine with what the seed dashboards print
(001's children's "How are we doing?" arrows) and with an independent
oracle (tests/oracle/indicator_oracle.py, PyYAML + Decimal)."""

from __future__ import annotations

import importlib.util
import json
import pathlib
import subprocess
import sys
from decimal import Decimal

import pytest

import planbook
from planbook import ReadError, ValidationError

ROOT = pathlib.Path(__file__).resolve().parent.parent
EX = ROOT / "examples"
CF = EX / "manchester-children-families-2015-17.yaml"


def oracle():
    spec = importlib.util.spec_from_file_location(
        "indicator_oracle", ROOT / "tests" / "oracle" / "indicator_oracle.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def cf():
    return planbook.load(CF)


ARROW = {"up": "better", "down": "worse", "same": "same"}


# ------------------------------------------------------------ the seeds

def test_children_dashboard_arrows_match_the_engine(cf):
    """For each of the 24 measures with a printed arrow, the engine's
    "better than last" (against the 2013/14 outturn) is the printed arrow."""
    d = cf.indicators["children"].status()
    rows = d.measures()
    assert len(rows) == 24
    assert {r.period for r in rows} == {"2014/15 Q3"}
    agree = [r.ref for r in rows if ARROW.get(r.printed.get("last")) == r.last]
    assert len(agree) == 24, [(r.ref, r.printed, r.last, r.last_reason) for r in rows
                              if r.ref not in agree]
    # and the check reports no disagreement
    assert [f for f in cf.check() if f.code == "status"] == []


def test_children_rag_matches_the_independent_oracle(cf):
    expected = oracle().status(str(CF), "children")
    got = {r.ref: r for r in cf.indicators["children"].status().measures()}
    assert set(got) == set(expected)
    for ref, e in expected.items():
        assert (got[ref].rag if got[ref].rag != "none" else None) == e["rag"], ref
        if got[ref].rag != "none":
            assert got[ref].rag_basis == "thresholds"
    counts = cf.indicators["children"].status().counts()
    assert (counts["red"], counts["amber"], counts["green"], counts["no rag"]) == (7, 9, 1, 7)
    assert (counts["improving"], counts["worsening"]) == (14, 10)


@pytest.mark.parametrize("direction,agreeing", [("outturn", 24), ("previous", 11)])
def test_which_comparison_the_printed_arrows_make(cf, direction, agreeing):
    """Found from the data (docs/decisions.md): the arrows compare the
    latest quarter with the previous year's outturn, not with the previous
    quarter."""
    plan = planbook.loads(planbook.dumps(cf))
    s = plan.indicators["children"]
    s.direction = direction
    rows = s.status().measures()
    assert sum(ARROW.get(r.printed.get("last")) == r.last for r in rows) == agreeing
    findings = [f for f in plan.check() if f.code == "status"]
    assert len(findings) == 24 - agreeing - sum(r.last == "none" for r in rows)


def test_reasons_in_words(cf):
    s = cf.indicators["children"]["1.3"].status()
    assert s.rag_reason == "2014/15 Q3 80.9 against Of concern 59.8, lower is better: red"
    assert s.last_reason == "2014/15 Q3 80.9 against 2013/14 82.0, lower is better: better"
    assert s.previous == "worse"  # against Q2's 78.9
    s = cf.indicators["children"]["3.2f"].status()
    assert s.rag == "amber"
    assert s.rag_reason.startswith("2014/15 Q3 74.2 meets Of concern 63.7 (misses Good 82.2)")
    s = cf.indicators["children"]["1.0"].status()
    assert s.rag == "none"
    assert s.rag_reason == "thresholds not available and no target"


def test_every_seed_cell_form_is_carried():
    p = planbook.examples.load("manchester-children-2018-19")
    perf = p.indicators["performance"]
    vals = {m.name: m.values["2017/18"] for m in perf}
    assert str(vals["KS2 achieving expected standard in Reading Writing & Maths"]) == "60%"
    eet = vals["Post-16 Education, Employment and Training (EET)"]
    assert (eet.value, eet.note, eet.percent, str(eet)) == (Decimal("91.2"), "Dec-Feb", True,
                                                          "91.2% (Dec-Feb)")
    lac = vals["Number of looked after children"]
    assert (lac.value, lac.grouped, str(lac)) == (Decimal("1257"), True, "1,257")
    targets = [(str(m.targets["2018/19"]), str(m.targets["2019/20"])) for m in perf]
    assert ("n/a", "n/a") in targets and ("0.18%", "TBC") in targets
    assert ("1,139", "1,139") in targets
    adults = planbook.load(CF).indicators["adults"]
    cell = adults["2B"].values["Apr 2014"]
    assert cell.status == "not reported" and cell.note.startswith("This measure covers")
    counts = adults["1C part 1"].counts
    assert counts[0].role == "numerator"
    assert str(counts[0].values["2013/14"]) == "7980"
    assert adults.footnotes["1"].startswith("Result following SALT guidance")


def test_examples_round_trip_through_yaml_byte_for_byte():
    for path in sorted(EX.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert planbook.dumps(planbook.loads(text)) == text, path.name


def test_milestones_from_seed_003():
    """"50 % by end Sept 2016, 65% by end December 2016, 80% end March 2017"."""
    p = planbook.examples.load("manchester-childrens-services-2016-20")
    m = p.indicators["workstream_measures"]["1.6"]
    assert [(x.due.isoformat(), x.due_text, str(x.target)) for x in m.milestones] == [
        ("2016-09-30", "end Sept 2016", "50%"), ("2016-12-31", "end December 2016", "65%"),
        ("2017-03-31", "end March 2017", "80%")]
    text = p.indicators["workstream_measures"]["1.3"].milestones[0]
    assert (text.due.isoformat(), text.target.status) == ("2016-06-30", "text")


# ------------------------------------------------------------ the engine

def small(extra_measure: str = "", periods="[2013/14, 2014/15 Q1, 2014/15 Q2, 2014/15 Q3, 2014/15 Q4]",
          settings: str = "", comparators: str = "") -> planbook.Plan:
    return planbook.loads(f"""planbook: 1
plan: {{title: t}}
{settings}
indicators:
  s:
    periods: {periods}
{comparators}
    measures:
{extra_measure}
""")


def measure(body: str) -> str:
    return "\n".join("    " + line for line in body.strip("\n").splitlines())


THRESHOLDS = {"low": "{good: '42.1', of_concern: '59.8', action_required: '118.7'}",
              "high": "{good: '82.2', of_concern: '63.7', action_required: '0.0'}"}


@pytest.mark.parametrize("polarity,value,rag", [
    # lower is better
    ("low", "42.1", "green"), ("low", "42.2", "amber"), ("low", "59.8", "amber"),
    ("low", "59.9", "red"), ("low", "200", "red"), ("low", "0", "green"),
    # higher is better
    ("high", "82.2", "green"), ("high", "82.1", "amber"), ("high", "63.7", "amber"),
    ("high", "63.6", "red")])
def test_rag_from_thresholds(polarity, value, rag):
    p = small(measure(f"""
- ref: a
  polarity: {polarity}
  thresholds: {THRESHOLDS[polarity]}
  values: ['1', '1', '1', '{value}', '']
"""))
    s = p.indicators["s"]["a"].status()
    assert (s.period, s.rag, s.rag_basis) == ("2014/15 Q3", rag, "thresholds")


@pytest.mark.parametrize("value,tol,rag", [("100", None, "green"), ("95", None, "amber"),
                                           ("94.99", None, "red"), ("99.5", "'0.5'", "amber"),
                                           ("99.49", "'0.5'", "red"), ("90", "10%", "amber")])
def test_rag_from_a_target_with_the_plan_tolerance(value, tol, rag):
    settings = f"settings: {{rag_tolerance: {tol}}}" if tol else ""
    p = small(measure(f"""
- ref: a
  polarity: high
  values: ['1', '1', '1', '{value}', '']
  targets: {{2014/15 Q3: '100'}}
"""), settings=settings)
    s = p.indicators["s"]["a"].status()
    assert (s.rag, s.rag_basis) == (rag, "target")
    if rag != "green":
        assert "tolerance" in s.rag_reason


def test_a_year_target_applies_to_its_quarters_unless_a_running_total():
    body = """
- ref: a
  polarity: high
  values: ['1', '1', '1', '96', '']
  targets: {2013/14: '100'}
"""
    # the target of 2013/14 does not apply to 2014/15: no target
    p = small(measure(body))
    assert p.indicators["s"]["a"].status().rag_reason == "no thresholds and no target"
    p = small(measure(body.replace("2013/14: '100'", "2014/15: '100'")),
              periods="[2013/14, 2014/15, 2014/15 Q1, 2014/15 Q2, 2014/15 Q3]")
    m = p.indicators["s"]["a"]
    m.values["2014/15 Q3"] = "96"
    assert m.status("2014/15 Q3").rag == "amber"
    m.unit = "count"
    m.cumulative = True
    s = m.status("2014/15 Q3")
    assert (s.rag, s.target) == ("none", "none")
    assert s.rag_reason.startswith("not like for like: 2014/15 Q3 is a running total")


@pytest.mark.parametrize("target,reason", [
    ("n/a", "no target planned (n/a)"), ("TBC", "target to be confirmed"),
    ("{status: text, note: Plan in place}", "the target is in words, not a figure")])
def test_no_rag_where_the_target_does_not_allow_one(target, reason):
    p = small(measure(f"""
- ref: a
  polarity: high
  values: ['1', '1', '1', '5', '']
  targets: {{2014/15 Q3: {target}}}
"""))
    s = p.indicators["s"]["a"].status()
    assert (s.rag, s.rag_reason, s.target, s.target_reason) == ("none", reason, "none", reason)


def test_no_status_without_a_figure_or_a_polarity():
    p = small(measure("""
- ref: a
  polarity: high
  thresholds: {good: '5', of_concern: '3'}
  values: ['1', '1', '1', '', '']
- ref: b
  values: ['1', '1', '2', '3', '']
  thresholds: {good: '5', of_concern: '3'}
"""))
    s = p.indicators["s"]
    a = s["a"].status("2014/15 Q3")
    assert (a.rag, a.rag_reason) == ("none", "no figure for 2014/15 Q3 (not reported)")
    b = s["b"].status("2014/15 Q3")
    assert (b.rag, b.previous) == ("none", "up")
    assert b.rag_reason == "no polarity: neither direction is better"
    assert b.previous_reason == "2014/15 Q3 3 against 2014/15 Q2 2, no polarity: up"


def test_direction_of_travel_previous_year_ago_outturn_and_running_totals():
    p = small(measure("""
- ref: a
  polarity: low
  unit: count
  cumulative: true
  values: ['40', '10', '20', '30', '35', '12', '25', '28']
"""), periods="[2013/14, 2014/15 Q1, 2014/15 Q2, 2014/15 Q3, 2014/15 Q4, 2015/16 Q1, 2015/16 Q2,"
              " 2015/16 Q3]")
    m = p.indicators["s"]["a"]
    s = m.status("2015/16 Q3")
    # a running total: Q3 against Q2 is not like for like; against Q3 a
    # year earlier it is (28 < 30: better)
    assert (s.previous, s.year_ago, s.outturn) == ("none", "better", "none")
    assert s.previous_reason.startswith("not like for like")
    assert s.year_ago_reason == "2015/16 Q3 28 against 2014/15 Q3 30, lower is better: better"
    assert s.outturn_reason.startswith("not like for like")
    # at the year's end a running total is the year's figure
    s = m.status("2014/15 Q4")
    assert (s.outturn, s.outturn_reason) == (
        "better", "2014/15 Q4 35 against 2013/14 40, lower is better: better")
    m.cumulative = False
    s = m.status("2015/16 Q3")
    assert (s.previous, s.outturn) == ("worse", "none")


def test_milestones_give_the_target_in_force():
    p = small(measure("""
- ref: a
  unit: percent
  polarity: high
  values: ['', '40%', '52%', '60%', '']
  milestones:
  - {due: end June 2014, target: 45%}
  - {due: end Sept 2014, target: 50%}
  - {due: 31st December 2014, target: 65%}
  - {due: end March 2015, target: 80%}
"""))
    m = p.indicators["s"]["a"]
    assert [x.due.isoformat() for x in m.milestones] == [
        "2014-06-30", "2014-09-30", "2014-12-31", "2015-03-31"]
    # 40 against 45: short by more than 5% of 45
    assert m.status("2014/15 Q1").rag == "red"
    s = m.status("2014/15 Q2")
    assert (s.rag, s.target, s.target_value) == ("green", "better", Decimal("50"))
    assert "(due end Sept 2014)" in s.rag_reason
    s = m.status("2014/15 Q3")
    assert (s.rag, s.target_value) == ("red", Decimal("65"))
    p2 = small(measure("""
- ref: a
  polarity: high
  values: ['', '40', '', '', '']
  milestones:
  - {due: end Sept 2014, target: '50'}
"""))
    s = p2.indicators["s"]["a"].status("2014/15 Q1")
    assert (s.rag, s.rag_reason) == (
        "none", "no milestone due by the end of 2014/15 Q1 (the first is due end Sept 2014)")


def test_comparators():
    p = small(measure("""
- ref: a
  polarity: low
  values: ['1', '1', '1', '10', '']
  compare: {england: ['', '', '', '12', ''], sn: ['', '', '', '9', '']}
  printed: {england: up, sn: up}
"""), comparators="    comparators:\n    - {id: sn, name: Statistical neighbours}\n"
                    "    - {id: england, name: England}")
    s = p.indicators["s"]["a"].status()
    assert s.comparators == {"sn": "worse", "england": "better"}
    assert s.comparator_reason("sn") == \
        "2014/15 Q3 10 against Statistical neighbours 9, lower is better: worse"
    f = [f for f in p.check() if f.code == "status"]
    assert len(f) == 1
    assert "'a' better than Statistical neighbours, 2014/15 Q3: printed up (better)" in f[0].message


def test_a_misprinted_arrow_and_disordered_thresholds_are_findings(tmp_path):
    text = CF.read_text(encoding="utf-8")
    # flip 1.1's printed arrow (it is printed up: 1163 against 1180, lower is better)
    lines = text.splitlines()
    i = next(n for n, l in enumerate(lines) if l.strip() == "- ref: '1.1'")
    j = next(n for n in range(i, len(lines)) if lines[n].strip().startswith("printed:"))
    assert "last: up" in lines[j]
    lines[j] = lines[j].replace("last: up", "last: down")
    k = next(n for n in range(i, len(lines)) if lines[n].strip().startswith("thresholds:"))
    lines[k] = "      thresholds: {good: '790', of_concern: '573', action_required: '1385'}"
    broken = tmp_path / "broken.yaml"
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    p = planbook.load(broken)
    found = {f.code: f for f in p.check() if f.code in ("status", "threshold")}
    assert set(found) == {"status", "threshold"}
    st = found["status"]
    assert (st.table, st.row_id, st.column) == ("children", "1.1", "last")
    assert st.line == i + 1 and st.file == str(broken)
    assert st.message == ("'1.1' better than last, 2014/15 Q3: printed down (worse), but "
                          "2014/15 Q3 1163 against 2013/14 1180, lower is better: better")
    assert found["threshold"].severity == "error"
    assert "best to worst" in found["threshold"].message


# ------------------------------------------------------------ reading

@pytest.mark.parametrize("cell,message", [
    ("'8O.9'", "is not a figure"),
    ("'1,00'", "is not a figure"),
    ("'1.2345678'", "more than 6 decimals"),
    ("'50%'", "only for measures with unit: percent"),
    ("'12 (a (b))'", "is not a figure"),
    ("{status: normal}", "needs a value"),
    ("{value: '3', status: tbc}", "has no value"),
    ("{status: maybe}", "unknown status"),
])
def test_bad_cells_are_errors_with_line_and_column(cell, message):
    text = f"""planbook: 1
indicators:
  s:
    periods: [2014/15, 2015/16]
    measures:
    - ref: a
      values: ['1', {cell}]
"""
    with pytest.raises(ReadError) as e:
        planbook.loads(text)
    assert message in str(e.value)
    assert e.value.line == 7 and e.value.column > 7
    assert "indicators.s.measures[0].values" in str(e.value)


@pytest.mark.parametrize("body,message", [
    ("    measures:\n    - name: x\n      ref: a", "a measure starts with its ref"),
    ("    measures:\n    - ref: a\n      values: ['1']", "1 cells for the set's 2 periods"),
    ("    measures:\n    - ref: a\n    - ref: a", "duplicate measure ref 'a'"),
    ("    measures:\n    - ref: a\n      targets: {2016/17: '1'}", "is not one of the set's periods"),
    ("    measures:\n    - ref: a\n      printed: {sn: up}", "is not last, target or a comparator"),
    ("    measures:\n    - ref: a\n      milestones:\n      - {due: sometime, target: '1'}",
     "is not a date"),
    ("    measures:\n    - ref: a\n      polarity: sideways", "polarity is high, low or none"),
])
def test_bad_measures_are_errors(body, message):
    text = "planbook: 1\nindicators:\n  s:\n    periods: [2014/15, 2015/16]\n" + body + "\n"
    with pytest.raises(ReadError) as e:
        planbook.loads(text)
    assert message in str(e.value)
    assert e.value.line


def test_periods_come_before_measures_and_year_start_before_indicators():
    with pytest.raises(ReadError, match="'periods' must come before 'measures'"):
        planbook.loads("planbook: 1\nindicators:\n  s:\n    measures: []\n    periods: [2014/15]\n")
    with pytest.raises(ReadError, match="year_start must come before"):
        planbook.loads("planbook: 1\nindicators:\n  s:\n    periods: [2014/15]\n"
                       "plan:\n  year_start: January\n")


# ------------------------------------------------------------ Python API

def test_building_and_editing_a_dashboard_in_python():
    plan = planbook.Plan(title="Quarterly report")
    s = plan.indicators.add("kpi", periods=["2023/24", "2024/25 Q1", "2024/25 Q2"],
                            title="Key measures", direction="outturn",
                            comparators={"eng": "England"})
    m = s.add("1", "Rate of referrals", unit="rate", per=10000, polarity="low",
              thresholds=("500", "700", "1000"), values=["650", "620", ""])
    c = m.add_count("Number of referrals", role="numerator", values=["3,100", "2,950", ""])
    assert c.role == "numerator" and m.counts[0].name == "Number of referrals"
    assert m.status().period == "2024/25 Q1"
    assert (m.status().rag, m.status().last) == ("amber", "better")
    m.values["2024/25 Q2"] = Decimal("720.5")
    assert m.status().period == "2024/25 Q2"
    assert (m.status().rag, m.status().last) == ("red", "worse")
    with pytest.raises(TypeError, match="exact"):
        m.values["2024/25 Q2"] = 720.5
    s.add_period("2024/25 Q3")
    assert str(m.values["2024/25 Q3"]) == "" and str(m.values["2023/24"]) == "650"
    m.comparator("eng")["2024/25 Q2"] = "700"
    assert m.status().comparators == {"eng": "worse"}
    text = planbook.dumps(plan)
    again = planbook.loads(text)
    assert planbook.dumps(again) == text
    assert again.indicators["kpi"]["1"].status().rag == "red"
    s2 = again.indicators["kpi"]
    s2.remove("1")
    assert len(s2) == 0 and "1" not in s2
    with pytest.raises(KeyError):
        m2 = again.indicators["kpi"]["1"]


def test_a_measure_view_follows_its_measure():
    plan = planbook.Plan()
    s = plan.indicators.add("k", periods=["2024/25"])
    a = s.add("a", "A", values=["1"])
    b = s.add("b", "B", values=["2"])
    s.remove("a")
    assert b.name == "B" and str(b.values["2024/25"]) == "2"
    with pytest.raises(KeyError, match="no longer"):
        a.name


def test_dashboard_to_pandas_and_html(cf):
    pd = pytest.importorskip("pandas")
    d = cf.indicators.status()
    df = d.to_pandas()
    assert list(df["rag"].cat.categories) == ["red", "amber", "green", "none"]
    assert len(df) == len(d)
    html = d._repr_html_()
    assert "&lt;" not in "".join(r.name or "" for r in d)  # the seed has no markup
    assert html.count("<tr>") == len(d.measures()) + 1
    long = cf.indicators["children"].to_pandas()
    assert set(long["series"]) == {"value"}
    assert long["period"].cat.ordered
    wide = cf.indicators["children"].to_pandas("wide")
    assert wide.loc[wide["ref"] == "1.3", "2014/15 Q3"].item() == 80.9
    assert str(wide["2014/15 Q3"].dtype) == "float64"
    printed = cf.indicators["children"].to_pandas("wide", figures="printed")
    assert printed.loc[printed["ref"] == "1.3", "2014/15 Q3"].item() == "80.9"


def test_html_escapes_user_text():
    plan = planbook.Plan()
    s = plan.indicators.add("k", periods=["2024/25"])
    s.add("<b>", "<script>alert(1)</script>", polarity="high", values=["1"],
          targets={"2024/25": "2"})
    html = plan.indicators.status()._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html and "&lt;b&gt;" in html


@pytest.mark.parametrize("name", planbook.examples.names())
def test_status_codes_in_bulk_agree_with_single_statuses(name):
    """The bulk path (pb_indset_status_codes) answers as the per-period
    engine does, on every measure and period of every example."""
    plan = planbook.examples.load(name)
    compared = 0
    for sid in plan.indicators:
        s = plan.indicators[sid]
        codes = s.status_codes()
        for k, period in enumerate(s.periods):
            for i, st in enumerate(s.status(period)):
                got = {a: codes.at(a, i, k) for a in
                       ("rag", "last", "previous", "year_ago", "outturn", "target")}
                want = {"rag": st.rag, "last": st.last, "previous": st.previous,
                        "year_ago": st.year_ago, "outturn": st.outturn, "target": st.target}
                assert got == want, (sid, st.ref, period)
                for n, cid in enumerate(s.comparators):
                    assert CMP_NAMES[codes.codes["comparators"][n][i * len(s.periods) + k]] \
                        == st.comparators[cid]
                compared += 1
    assert compared or not len(plan.indicators)


CMP_NAMES = ("none", "better", "worse", "same", "up", "down")


def test_status_codes_to_pandas(cf):
    pytest.importorskip("pandas")
    codes = cf.indicators["children"].status_codes()
    df = codes.to_pandas()
    assert len(df) == codes.count * len(codes.periods)
    row = df[(df["ref"] == "1.3") & (df["period"] == "2014/15 Q3")]
    assert (row["rag"].item(), row["last"].item()) == ("red", "better")


def test_status_codes_pickle_with_their_answers(cf):
    """A StatusCodes crosses to a Dask worker or a cache: the arrays (views
    of one buffer) travel as bytes and come back as views, the refs and
    every answer the same, and the original still works after."""
    import pickle
    s = cf.indicators["children"]
    codes = s.status_codes()
    back = pickle.loads(pickle.dumps(codes))
    assert isinstance(back.codes["rag"], memoryview)
    assert (back.periods, back.count, back.refs) == (codes.periods, codes.count, codes.refs)
    for name in ("rag", "basis", "last", "previous", "target"):
        assert back.codes[name] == codes.codes[name]
    assert back.counts() == codes.counts() and back.counts()["red"] > 0
    assert back.at("rag", 2, 3) == codes.at("rag", 2, 3)
    only = pickle.loads(pickle.dumps(s.status_codes(("rag",))))
    assert only.codes["target"] is None and only.codes["rag"] == codes.codes["rag"]


# ------------------------------------------------------------ CLI

def test_cli_status_json_and_text():
    run = subprocess.run([sys.executable, "-m", "planbook", "status", str(CF), "--json"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    children = next(s for s in data["sets"] if s["set"] == "children")
    assert children["counts"]["red"] == 7
    m = next(m for m in children["measures"] if m["ref"] == "1.3")
    assert (m["rag"], m["last"], m["period"], m["value"]) == ("red", "better", "2014/15 Q3", "80.9")
    run = subprocess.run([sys.executable, "-m", "planbook", "status", str(CF), "--period",
                          "2014/15 Q2"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "at 2014/15 Q2" in run.stdout
    assert "RAG: 2014/15 Q2 78.9 against Of concern 59.8, lower is better: red" in run.stdout


def test_status_codes_agree_on_random_sets():
    """Random sets (years, quarters and months; thresholds, targets, milestones,
    running totals, comparators, every polarity): bulk = per period."""
    import random
    rng = random.Random(20261128)
    for trial in range(6):
        plan = planbook.Plan()
        periods = ["2013/14", "2014/15", "2014/15 Q1", "2014/15 Q2", "Apr 2014", "May 2014",
                   "2014/15 Q3", "2014/15 Q4", "2015/16", "2015/16 Q1", "Apr 2015", "Mar 2016"]
        rng.shuffle(periods)
        s = plan.indicators.add("r", periods=periods, comparators={"c": "C"},
                                direction=rng.choice(["previous", "year_ago", "outturn"]))
        for i in range(40):
            cells = []
            for _ in periods:
                x = rng.random()
                cells.append("" if x < 0.15 else "n/a" if x < 0.2 else
                             str(rng.choice([rng.randint(0, 100), rng.randint(0, 20)])))
            unit = rng.choice(["number", "count", "percent"])
            m = s.add(str(i), unit=unit, polarity=rng.choice(["high", "low", "none"]),
                      values=cells, cumulative=rng.random() < 0.3)
            if rng.random() < 0.4:
                good, concern = sorted([rng.randint(0, 100), rng.randint(0, 100)],
                                       reverse=m.polarity == "high")
                m.thresholds = (str(good), str(concern), None)
            for p in rng.sample(periods, 3):
                m.targets[p] = rng.choice([str(rng.randint(0, 100)), "TBC", "n/a"])
            if rng.random() < 0.3:
                m.add_milestone("end June 2014", str(rng.randint(0, 100)))
                m.add_milestone("31 March 2015", str(rng.randint(0, 100)))
            for p in rng.sample(periods, 4):
                m.comparator("c")[p] = str(rng.randint(0, 100))
        codes = s.status_codes()
        for i, k, st in codes_agree_with_statuses(s, codes, trial):
            assert CMP_NAMES[codes.codes["comparators"][0][i * len(s.periods) + k]] == \
                st.comparators["c"]


def codes_agree_with_statuses(s, codes, where):
    """Assert that the bulk codes give every measure's per-period status;
    yield (measure, period index, status) of each."""
    for k, period in enumerate(s.periods):
        for i, st in enumerate(s.status(period)):
            got = tuple(codes.at(a, i, k) for a in
                        ("rag", "last", "previous", "year_ago", "outturn", "target"))
            assert got == (st.rag, st.last, st.previous, st.year_ago, st.outturn,
                           st.target), (where, st.ref, period)
            yield i, k, st


def test_compact_pass_agrees_with_the_cell_pass_on_random_sets():
    """The compact columns' pass (pb_ragcodes.c: no comparators asked for)
    gives the same bytes as the pass over the cells (taken when comparators
    are asked for) and the per-period engine, on random sets: negative,
    decimal and near-limit figures, targets on exactly the tolerance, year
    targets for months, both tolerances, and edits after the figures were
    written (a period added, a measure removed, cells overwritten)."""
    import random
    rng = random.Random(20261207)
    aspects = ("rag", "basis", "last", "previous", "year_ago", "outturn", "target")
    big = "9199999999999.999999"
    for trial in range(8):
        plan = planbook.Plan()
        if trial % 2:
            plan.rag_tolerance = rng.choice(["0.5", "0", "12.5%", "0%"])
        periods = ["2013/14", "2014/15", "2014/15 Q1", "2014/15 Q2", "Apr 2014", "May 2014",
                   "Mar 2015", "2014/15 Q4", "2015/16", "2015/16 Q1", "Apr 2015", "Mar 2016"]
        rng.shuffle(periods)
        s = plan.indicators.add("r", periods=periods, comparators={"c": "C"},
                                direction=rng.choice(["previous", "year_ago", "outturn"]))

        def figure():
            x = rng.random()
            if x < 0.1:
                return ""
            if x < 0.15:
                return rng.choice(["n/a", "Not available", "TBC"])
            if x < 0.18:
                return rng.choice([big, "-" + big, "0"])
            return str(rng.choice([rng.randint(-20, 100), rng.randint(0, 20)])) + \
                rng.choice(["", ".5", ".25", ".000001"])
        for i in range(60):
            unit = rng.choice(["number", "count", "percent", "money"])
            m = s.add(str(i), unit=unit, polarity=rng.choice(["high", "low", "none"]),
                      values=[figure() for _ in periods], cumulative=rng.random() < 0.2)
            if rng.random() < 0.4:
                good, concern = sorted([rng.randint(-50, 100), rng.randint(-50, 100)],
                                       reverse=m.polarity == "high")
                m.thresholds = (str(good), str(concern), None)
            for p in rng.sample(periods, 4):
                t = rng.randint(-100, 100)
                # a target 5% (or 0.5) from a figure now and then
                m.targets[p] = rng.choice([str(t), str(t * 20), "TBC", "n/a", "", big])
            if rng.random() < 0.1:
                m.add_milestone("end June 2014", str(rng.randint(0, 100)))
        # figures exactly at the tolerance of a target, and one millionth beyond
        from decimal import ROUND_FLOOR, Decimal
        tol = plan.rag_tolerance
        for m in list(s)[:30]:
            if m.polarity == "none" or m.is_companion:
                continue
            p = rng.choice(s.periods)
            t = Decimal(rng.randint(-400, 400))
            gap = (abs(t) * Decimal(tol[:-1]) / 100).quantize(Decimal("0.000001"),
                                                               rounding=ROUND_FLOOR) \
                if tol.endswith("%") else Decimal(tol)
            step = gap + Decimal("0.000001") * rng.randint(0, 1)
            m.targets[p] = str(t)
            m.values[p] = str(t - step if m.polarity == "high" else t + step)
        # edits after the figures were written
        s.add_period("2012/13")
        s.remove(str(rng.randint(0, 59)))
        for m in list(s)[:10]:
            p = rng.choice(s.periods)
            m.values[p] = figure()
            m.targets[rng.choice(s.periods)] = figure()
        cells = s.status_codes()                      # with comparators: the cell pass
        compact = s.status_codes(aspects)            # without: the compact pass
        for a in aspects:
            assert cells.codes[a] == compact.codes[a], (trial, a)
        for _ in codes_agree_with_statuses(s, compact, trial):
            pass


def test_targets_written_period_by_period_agree_in_both_passes():
    """The targets the compact pass reads (pb_indicator_targets.c: each
    measure's cells that are not blank, a run per measure) follow every
    write: targets written period by period (every run grows, most move,
    and the dead runs are repacked), blanked again, and measures removed
    between the writes.  The compact pass and the cell pass give the same
    bytes, and the targets read back as written."""
    import random
    rng = random.Random(18)
    periods = [f"{y}/{(y + 1) % 100:02d}" for y in range(2000, 2030)]
    plan = planbook.Plan()
    s = plan.indicators.add("t", periods=periods, comparators={"c": "C"})
    for i in range(40):
        s.add(f"m{i}", unit="number", polarity=("high", "low")[i % 2],
              values=[str(rng.randint(0, 100)) for _ in periods])
    written = {}
    for k, p in enumerate(periods):
        for m in list(s):
            t = rng.choice([str(rng.randint(0, 100)), "", "n/a", "TBC"])
            m.targets[p] = t
            written[m.ref, p] = t
        if k % 7 == 3:                          # a measure goes; its run is dead
            gone = rng.choice(list(s)).ref
            s.remove(gone)
            written = {key: t for key, t in written.items() if key[0] != gone}
        if k % 5 == 4:                          # earlier targets blanked
            for m in list(s)[::4]:
                q = rng.choice(periods[:k + 1])
                m.targets[q] = ""
                written[m.ref, q] = ""
    aspects = ("rag", "basis", "last", "previous", "year_ago", "outturn", "target")
    for m in s:
        for p in periods:
            assert str(m.targets[p]) == written[m.ref, p], (m.ref, p)
    compact = s.status_codes(aspects)               # the compact pass
    cells = s.status_codes()                        # with comparators: the cell pass
    for a in aspects:
        assert cells.codes[a] == compact.codes[a], a
    for _ in codes_agree_with_statuses(s, compact, "by period"):   # the per-period engine
        pass
    assert compact.counts("target")["better"] > 100


def test_compact_pass_agrees_over_several_chunks():
    """Rows longer than one chunk of the compact pass (32 periods): four
    financial years and their months (52 periods, as the status
    benchmark), in the set's order and shuffled, so that the previous
    period is one back for most, two back for each April, thirteen for
    each year, or anywhere; targets per year (at most 7: the AVX-512
    build's table of targets) and per month (more: painted).  The compact
    pass gives the cell pass's bytes and the per-period engine's answers."""
    import random
    rng = random.Random(52)
    months = ["Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar"]
    periods = []
    for y in range(2010, 2014):
        periods.append(f"{y}/{(y + 1) % 100:02d}")
        periods += [f"{mo} {y if q < 9 else y + 1}" for q, mo in enumerate(months)]
    aspects = ("rag", "basis", "last", "previous", "year_ago", "outturn", "target")
    for trial in range(3):
        plan = planbook.Plan()
        order = list(periods)
        if trial == 2:
            rng.shuffle(order)
        s = plan.indicators.add("c", periods=order, comparators={"c": "C"},
                                direction=("previous", "year_ago", "outturn")[trial])
        for i in range(40):
            m = s.add(f"m{i}", unit="number", polarity=("high", "low", "none")[i % 3],
                      values=[rng.choice([str(rng.randint(0, 30)), "", "n/a"]) for _ in order])
            if i % 4 == 0:
                m.thresholds = ("20", "10", None) if m.polarity != "low" else ("10", "20", None)
            per_month = i % 5 == 1
            for p in rng.sample(order, 30 if per_month else 4):
                if per_month or "/" in p:
                    m.targets[p] = rng.choice([str(rng.randint(0, 30)), "TBC"])
        cells = s.status_codes()
        compact = s.status_codes(aspects)
        for a in aspects:
            assert cells.codes[a] == compact.codes[a], (trial, a)
        for _ in codes_agree_with_statuses(s, compact, trial):
            pass


def test_compact_pass_agrees_on_short_rows():
    """Rows shorter than the 8 words the AVX-512 row compares at once (1 to
    7 periods, each a year: the previous one period back): the compact
    pass reads no further back than the row before (or the blank words in
    front of a copied row) and gives the cell pass's bytes."""
    aspects = ("rag", "basis", "last", "previous", "year_ago", "outturn", "target")
    for np_ in range(1, 8):
        plan = planbook.Plan()
        periods = [f"{y}/{(y + 1) % 100:02d}" for y in range(2010, 2010 + np_)]
        s = plan.indicators.add("y", periods=periods, comparators={"c": "C"})
        for i in range(12):
            m = s.add(f"m{i}", unit="number", polarity=("high", "low", "none")[i % 3],
                      values=[str((i * 7 + k * 3) % 11) for k in range(np_)])
            m.targets[periods[-1]] = str(i % 9)
        cells = s.status_codes()
        compact = s.status_codes(aspects)
        for a in aspects:
            assert cells.codes[a] == compact.codes[a], (np_, a)
        assert np_ == 1 or compact.counts("previous")["none"] < 12 * np_


def test_targets_in_force_at_the_rows_end_leave_the_tolerances_alone():
    """Rows of 30, 31, 32 and 64 periods (3 or fewer short of a chunk's 32,
    so the compact pass's padding is under the 3 words that the last block
    of 4 of targets in force may write past the row): a target in the
    last periods once overwrote the first periods' tolerances in scratch,
    and the first period, short of its target, came out amber, not red.
    Measures with 4 targets (the AVX-512 build's table) and with 9 (the
    targets painted, as in every other build)."""
    aspects = ("rag", "basis", "last", "previous", "year_ago", "outturn", "target")
    for np_ in (30, 31, 32, 33, 64):
        plan = planbook.Plan()
        plan.rag_tolerance = "0.5"
        periods = [f"{y}/{(y + 1) % 100:02d}" for y in range(1960, 1960 + np_)]
        s = plan.indicators.add("y", periods=periods, comparators={"c": "C"})
        for i in range(16):
            high = i % 2 == 0
            m = s.add(f"m{i}", unit="number", polarity="high" if high else "low",
                      values=["10"] * np_)
            for p in periods[:3 if i < 8 else 8]:
                m.targets[p] = "50" if high else "-30"     # missed by far: red
            m.targets[periods[-1 - i % 4]] = "5" if high else "15"   # met: green
        cells = s.status_codes()
        compact = s.status_codes(aspects)
        for a in aspects:
            assert cells.codes[a] == compact.codes[a], (np_, a)
        rag = compact.codes["rag"]
        for i in range(16):
            assert [rag[i * np_ + k] for k in range(3)] == [3, 3, 3], (np_, i)
            assert rag[i * np_ + np_ - 1 - i % 4] == 1, (np_, i)


@pytest.mark.parametrize("simd", ["none", "avx2"])
def test_each_build_of_the_compact_pass_agrees(simd):
    """The compact pass is built for the baseline, AVX2 and AVX-512 and the
    widest the processor runs is taken (pb_ragcodes.c); PLANBOOK_SIMD caps
    it, so the narrower builds are checked here too, in a fresh process,
    by the five tests above."""
    import os
    env = dict(os.environ, PLANBOOK_SIMD=simd)
    here = pathlib.Path(__file__).resolve()
    tests = [f"{here}::test_compact_pass_agrees_with_the_cell_pass_on_random_sets",
             f"{here}::test_targets_written_period_by_period_agree_in_both_passes",
             f"{here}::test_compact_pass_agrees_over_several_chunks",
             f"{here}::test_compact_pass_agrees_on_short_rows",
             f"{here}::test_targets_in_force_at_the_rows_end_leave_the_tolerances_alone"]
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          "-p", "no:xdist", *tests], env=env, capture_output=True, text=True,
                         cwd=ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "5 passed" in run.stdout, run.stdout
