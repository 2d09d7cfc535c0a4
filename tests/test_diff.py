"""planbook.diff and `planbook diff`: what changed between two plans."""

import json
from decimal import Decimal

import planbook
from planbook.cli import main

from conftest import change_kinds


def base():
    plan = planbook.Plan(title="Demo")
    t = plan.budgets.add("costs", title="Costs", columns=[
        {"id": "y2024", "period": "2024/25"}, {"id": "y2025", "period": "2025/26"}])
    t.add_line("Staff", [100, 110])
    t.add_line("Premises", [20, 30])
    t.add_line("Transport", [5, 5])
    t.add_total("Total", [125, 145])
    return plan


def test_no_changes():
    d = planbook.diff(base(), base())
    assert not d and str(d) == "no changes"


def test_each_kind_of_change():
    a, b = base(), base()
    t = b.budgets["costs"]
    t.rows["Staff"]["y2025"] = 150                 # amount changed, total moved
    t.rows["Premises"].label = "Buildings"         # renamed (same figures)
    t.remove("Transport")                          # removed
    t.add_line("Agency <b>", [1, 2], before="Total")  # added (a name to escape)
    b.budgets.add("capital", title="Capital")      # table added
    d = planbook.diff(a, b)
    kinds = change_kinds(d)
    assert {("amount changed", "Staff"), ("line renamed", "Buildings"),
            ("line removed", "Transport"), ("line added", "Agency <b>"),
            ("total moved", "Total"), ("table added", None)} <= kinds
    assert ("amount changed", "Agency <b>") not in kinds
    staff = [c for c in d if c.row == "Staff"][0]
    assert (staff.old, staff.new, staff.difference) == (Decimal(110), Decimal(150), Decimal(40))
    # findings: Total was printed 125/145; now the lines add up differently
    assert any(c.kind == "finding appeared" for c in d)
    text = str(d)
    assert "'Staff', 2025/26: 110 -> 150 (+40)" in text
    data = json.loads(d.to_json())
    assert {"kind": "amount changed", "row": "Staff", "difference": "40"}.items() <= \
        [c for c in data["changes"] if c["row"] == "Staff"][0].items()
    html = d._repr_html_()
    assert "Agency &lt;b&gt;" in html and "Agency <b>" not in html


def test_finding_disappeared():
    a, b = base(), base()
    b.budgets["costs"].rows["Staff"]["y2025"] = 110  # unchanged
    b.budgets["costs"].rows["Total"].set_values([125, 145], printed=True)
    assert not planbook.diff(a, b)
    a.budgets["costs"].rows["Total"].set_values([126, 145], printed=True)
    d = planbook.diff(a, b)
    assert [c.kind for c in d if c.kind.startswith("finding")] == ["finding disappeared"]
    assert [c.kind for c in d if c.row == "Total" and not c.kind.startswith("finding")] == \
        ["amount changed"]  # the printed figure changed, not what the total adds up to


def test_cli_diff(tmp_path, capsys):
    a, b = base(), base()
    b.budgets["costs"].rows["Staff"]["y2024"] = 90
    pa, pb = tmp_path / "a.yaml", tmp_path / "b.xlsx"
    a.save(pa)
    b.save(pb)
    assert main(["diff", str(pa), str(pa)]) == 0
    capsys.readouterr()
    assert main(["diff", str(pa), str(pb)]) == 1          # YAML against a workbook
    out = capsys.readouterr().out
    assert "'Staff', 2024/25: 100 -> 90 (-10)" in out
    assert main(["diff", "--json", str(pa), str(pb)]) == 1
    data = json.loads(capsys.readouterr().out)
    assert any(c["row"] == "Staff" and c["difference"] == "-10" for c in data["changes"])


def test_diff_names_changes_in_indicators_risks_and_records():
    import planbook
    a = planbook.examples.load("manchester-children-families-2015-17")
    b = planbook.loads(planbook.dumps(a))
    assert len(planbook.diff(a, b)) == 0
    m = b.indicators["children"]["1.3"]
    m.values["2014/15 Q3"] = "40.0"
    m.targets["2014/15 Q3"] = "60"
    m.thresholds = ("40", "50", "100")
    b.risks["thematic"]["1"].current = "12 (3x4)"
    b.records["swot"].remove(b.records["swot"][1])
    got = {(c.part, c.kind, c.row, c.column) for c in planbook.diff(a, b)}
    assert ("indicators", "result changed", "1.3", "2014/15 Q3") in got
    assert ("indicators", "target revised", "1.3", "2014/15 Q3") in got
    assert ("indicators", "thresholds revised", "1.3", None) in got
    assert ("indicators", "RAG changed", "1.3", "2014/15 Q3") in got
    assert ("risks", "risk re-scored", "1", "current") in got
    assert any(k == ("records", "item removed") for k in ((p, kd) for p, kd, _, _ in got))
    result = next(c for c in planbook.diff(a, b) if c.kind == "result changed")
    assert str(result.difference) == "-40.9"
    assert "80.9 -> 40.0 (-40.9)" in result.message


def test_diff_marks_an_action_closed():
    import planbook
    c = planbook.examples.load("manchester-children-post-inspection-2018")
    d = planbook.loads(planbook.dumps(c))
    d.records["actions"]["4.12"]["status"] = "Complete"
    changes = planbook.diff(c, d)
    assert [(x.kind, x.row, x.new) for x in changes] == [("action closed", "4.12", "Complete")]


def test_a_workbook_of_changes(tmp_path):
    import subprocess
    import sys

    import openpyxl
    import planbook
    a = planbook.examples.load("manchester-children-2018-19")
    b = planbook.loads(planbook.dumps(a))
    b.budgets["subjective"].rows["Employees"]["y2018"] = 56000
    pa, pb = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.save(pa)
    b.save(pb)
    out = tmp_path / "changes.xlsx"
    run = subprocess.run([sys.executable, "-m", "planbook", "diff", str(pa), str(pb), "-o",
                          str(out)], capture_output=True, text=True)
    assert run.returncode == 1, run.stderr
    ws = openpyxl.load_workbook(out)["Changes"]
    heads = [c.value for c in ws[4]]
    rows = [dict(zip(heads, [c.value for c in r])) for r in ws.iter_rows(min_row=5)]
    first = rows[0]
    assert (first["change"], first["row"], first["old"], first["new"], first["difference"]) == (
        "amount changed", "Employees", "55,919", "56,000", "+81")
    assert len(rows) == len(planbook.diff(a, b))


def test_due_dates_moved_and_what_became_overdue(tmp_path, capsys):
    """Seed 004's action plan: a due date moved, an undated action given a
    date that has passed; with --as-of, the action that became overdue is
    named. Seed 003's register: a next review brought forward past the date."""
    import planbook
    a = planbook.examples.load("manchester-children-post-inspection-2018")
    b = planbook.loads(a.dumps())
    acts = {r.id: r for r in b.records["actions"]}
    acts["4.23"]["due"] = "September 2018"              # was June - July 2018
    acts["4.28"]["due"] = "1 August 2018"               # had only a review: Ongoing
    acts["4.12"]["start"] = "June 2018"                 # was May 2018: a start, not due
    got = {(c.kind, c.row, c.old, c.new) for c in planbook.diff(a, b)}
    assert ("due date moved", "4.23", "June - July 2018", "September 2018") in got
    assert ("due date moved", "4.28", None, "1 August 2018") in got
    assert ("start date moved", "4.12", "May 2018", "June 2018") in got
    assert not any(k == "action overdue" for k, *_ in got)   # no date given: not asked
    d = planbook.diff(a, b, as_of="2018-09-01")
    overdue = [(c.row, c.new) for c in d if c.kind == "action overdue"]
    assert overdue == [("4.28", "2018-08-01")]          # 4.12 has a start only: never due
    pa, pb = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.save(pa)
    b.save(pb)
    assert main(["diff", "--as-of", "2018-09-01", str(pa), str(pb)]) == 1
    assert "'4.28', due: action overdue" in capsys.readouterr().out

    r_a = planbook.examples.load("manchester-childrens-services-2016-20")
    r_b = planbook.loads(r_a.dumps())
    r_b.risks["social_care"].next_review = "01/01/16"   # was 01/11/16
    kinds = [(c.part, c.kind) for c in planbook.diff(r_a, r_b, as_of="2016-06-01")]
    assert ("risks", "review overdue") in kinds
    assert ("risks", "review overdue") not in \
        [(c.part, c.kind) for c in planbook.diff(r_a, r_b, as_of="2015-06-01")]


# ------------------------------------------------- scale (issue 15)

def test_differences_beyond_64_bits_are_shown():
    """Two figures near the ends of the range differ by more than 64 bits
    hold: the change is still shown (it raised OverflowError)."""
    from planbook._model import format_amount
    assert format_amount(Decimal(2**64)) == "18,446,744,073,709,551,616"
    assert format_amount(Decimal(-2**64) / 100) == "(184,467,440,737,095,516.16)"
    assert format_amount(Decimal(-2**64), parens=False) == "-18,446,744,073,709,551,616"
    a, b = base(), base()
    a.budgets["costs"].rows["Staff"]["y2024"] = -9_000_000_000_000_000_000
    b.budgets["costs"].rows["Staff"]["y2024"] = 9_000_000_000_000_000_000
    assert "(+18,000,000,000,000,000,000)" in str(planbook.diff(a, b))


def test_diff_of_large_plans():
    """Rows sharing a label (thousands of parts called Mainstream) made the
    row matching quadratic, and every indicator cell read its whole measure
    and the set's periods again.  The diff of such plans finds exactly the
    edits; how its time grows is measured by bench/run_check_scale.py (a
    timed test would fail on a busy machine and prove nothing on a fast one)."""
    out = ["planbook: 1\nplan: {title: Scale}\nbudgets:\n  t:\n    title: T\n"
           "    columns: [{id: a}]\n    rows:\n"]
    for i in range(2000):
        out.append(f"    - {{line: Line {i}, values: [{2 * i}], parts: [{{line: Mainstream, "
                   f"values: [{i}]}}, {{line: DSG, values: [{i}]}}]}}\n")
    out.append("indicators:\n  big:\n    periods: [" +
               ", ".join(f"{y}/{(y + 1) % 100:02d}" for y in range(1960, 2010)) +
               "]\n    measures:\n")
    for m in range(300):
        out.append(f"    - ref: m{m}\n      values: [" + ", ".join(
            str((m * 7 + k) % 97) for k in range(50)) + "]\n")
    text = "".join(out)
    a, b = planbook.loads(text), planbook.loads(text)
    b.budgets["t"].rows[3000]["a"] = 1
    b.indicators["big"]["m7"].values["1999/00"] = 5
    d = planbook.diff(a, b)
    assert [c.kind for c in d] == ["amount changed", "finding appeared", "result changed"]
