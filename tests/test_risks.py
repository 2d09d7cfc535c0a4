"""Risk registers: the seeds' registers, the score checks on them and on
broken copies, the score forms, the matrix and bands, reviews overdue, and
movement between two versions of a register."""

from __future__ import annotations

import datetime
import pathlib

import pytest

import planbook
from planbook import ReadError, ValidationError

ROOT = pathlib.Path(__file__).resolve().parent.parent
EX = ROOT / "examples"


def risk_findings(plan):
    return [f for f in plan.check() if f.part == "risks"]


def test_000_reports_risk_4_and_nothing_else():
    plan = planbook.examples.load("manchester-children-2018-19")
    reg = plan.risks["strategic"]
    assert len(reg) == 11 and reg.score_order == "impact x likelihood"
    f = risk_findings(plan)
    assert [(x.code, x.row_id, x.column) for x in f] == [("score", "4", "current")]
    assert f[0].message == "risk '4': current score '8 (4x4)' is 8, but likelihood 4 x impact 4 is 16"
    assert (f[0].declared, f[0].computed) == (8, 16)
    text = (EX / "manchester-children-2018-19.yaml").read_text().splitlines()
    assert text[f[0].line - 1].strip() == "- id: '4'"
    # "12 (3x4)" reads impact 3, likelihood 4 in this register
    r9 = reg["9"].current
    assert (r9.impact, r9.likelihood, r9.declared, r9.value, r9.rag) == (3, 4, 12, 12, "amber")


def test_003_register_with_separate_scores_and_review_dates():
    plan = planbook.examples.load("manchester-childrens-services-2016-20")
    reg = plan.risks["social_care"]
    assert risk_findings(plan) == []
    assert (reg.version, reg.reviewed_by, reg.next_review) == ("v0.2", "V.Clark", "01/11/16")
    assert reg.next_review_date == datetime.date(2016, 11, 1)
    assert reg.last_reviewed_date == datetime.date(2016, 9, 11)
    assert reg.review_overdue("2016-12-01") and not reg.review_overdue(datetime.date(2016, 10, 1))
    r1 = reg["1"]
    assert (r1.status, r1.status_date, r1.category) == ("Open", "5th July 2016", "Legal and Statutory")
    assert (r1.current.likelihood, r1.current.impact, r1.current.declared) == (3, 5, 15)
    grid = reg.matrix()
    assert grid[2][4] == 1 and sum(map(sum, grid)) == 7
    assert reg.profile() == {"red": 1, "amber": 6, "green": 0, "unscored": 3, "misprinted": 0}


def test_001_thematic_register_without_scores():
    plan = planbook.examples.load("manchester-children-families-2015-17")
    reg = plan.risks["thematic"]
    assert len(reg) == 15 and all(r.current is None for r in reg)
    assert all(r.impacts and r.mitigations for r in reg)


def plan_with(body: str, settings: str = "") -> planbook.Plan:
    return planbook.loads(f"planbook: 1\n{settings}risks:\n  r:\n{body}")


@pytest.mark.parametrize("written,parts", [
    ("'12 (4x3)'", (4, 3, 12)), ("'12'", (0, 0, 12)), ("4x3", (4, 3, 0)),
    ("4 x 3", (4, 3, 0)), ("'12 (4 \u00d7 3)'", (4, 3, 12)),
    ("{likelihood: 2, impact: 5, score: 10}", (2, 5, 10)), ("{impact: 5}", (0, 5, 0))])
def test_score_forms(written, parts):
    p = plan_with(f"    risks:\n    - id: a\n      current: {written}\n")
    s = p.risks["r"]["a"].current
    assert (s.likelihood or 0, s.impact or 0, s.declared or 0) == parts
    assert planbook.dumps(planbook.loads(planbook.dumps(p))) == planbook.dumps(p)


@pytest.mark.parametrize("body,message,line", [
    ("    risks:\n    - id: a\n      current: twelve\n", "is not a risk score", 6),
    ("    risks:\n    - id: a\n    - id: a\n", "duplicate risk id 'a'", 6),
    ("    risks:\n    - owner: x\n      id: a\n", "a risk starts with its id", 5),
    ("    risks:\n    - id: a\n      current: {likelihood: -1}\n", "expected a whole number", 6),
    ("    risks: []\n    score_order: sideways\n", "'score_order' must come before", 5),
])
def test_bad_registers_are_errors_with_line(body, message, line):
    with pytest.raises(ReadError) as e:
        plan_with(body)
    assert message in str(e.value) and e.value.line == line


def test_off_the_matrix_and_other_matrices():
    body = "    risks:\n    - id: a\n      current: {likelihood: 6, impact: 2, score: 12}\n"
    p = plan_with(body)
    assert [(f.code, f.severity) for f in risk_findings(p)] == [("matrix", "error")]
    assert "must lie on the 5 x 5 matrix" in risk_findings(p)[0].message
    p = plan_with(body, "settings:\n  risk_matrix: {likelihood: 6, impact: 4}\n  "
                        "risk_bands: {green: 6, amber: 15}\n")
    assert risk_findings(p) == []
    assert p.risk_matrix == (6, 4) and p.risk_bands == (6, 15)
    assert p.risks["r"]["a"].current.rag == "amber"
    text = planbook.dumps(p)
    assert "risk_matrix: {likelihood: 6, impact: 4}" in text
    assert planbook.dumps(planbook.loads(text)) == text
    with pytest.raises(ReadError, match="2 to 10 a side"):
        plan_with(body, "settings:\n  risk_matrix: {likelihood: 11, impact: 4}\n")


def test_editing_and_movement_between_versions():
    old = planbook.examples.load("manchester-childrens-services-2016-20")
    new = planbook.loads(planbook.dumps(old))
    reg = new.risks["social_care"]
    reg["2"].current = (2, 4, 8)            # mitigated
    reg["3"].current = "20 (4x5)"           # worse
    reg.remove("8")
    reg.add("11", category="Finance", description="New pressure", current=(3, 3, 9))
    moves = {m["id"]: (m["change"], m["before"], m["after"])
             for m in reg.movement(old.risks["social_care"])}
    assert moves["2"] == ("down", 12, 8) and moves["3"] == ("up", 12, 20)
    assert moves["11"] == ("added", None, 9) and moves["8"][0] == "removed"
    assert moves["1"] == ("unchanged", 15, 15)
    reg["3"].current = "20 (4x4)"
    assert [f.row_id for f in risk_findings(new)] == ["3"]
    with pytest.raises(ValidationError, match="duplicate risk id"):
        reg.add("1")


def test_register_to_pandas_and_html_escaping():
    pd = pytest.importorskip("pandas")
    plan = planbook.examples.load("manchester-children-2018-19")
    df = plan.risks["strategic"].to_pandas()
    assert len(df) == 11 and list(df["current_rag"].cat.categories)[0] == "red"
    assert df.loc[df["id"] == "4", "current_score"].item() == 16
    p = planbook.Plan()
    reg = p.risks.add("r", title="<b>register</b>")
    reg.add("<1>", description="<script>x</script>", current="4x4")
    h = reg._repr_html_()
    assert "<script>" not in h and "&lt;script&gt;" in h and "&lt;b&gt;register" in h


def test_workbook_of_a_plan_with_risks_reports_the_score_finding(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    plan = planbook.examples.load("manchester-children-2018-19")
    out = tmp_path / "000.xlsx"
    plan.save(out)
    ws = openpyxl.load_workbook(out)["Findings"]
    codes = [r[1].value for r in ws.iter_rows(min_row=5)]
    assert codes.count("score") == 1 and codes.count("total") == 2
