"""The indicator sets of the example plans against the seed documents' text.

Each table is parsed here from the seed text itself (tab-separated cells, as
extracted from the source PDFs) and compared with what the example YAML
carries, read with PyYAML: references, names, figures, targets, thresholds
and printed arrows, cell by cell.  The seeds live outside the repository
(../shared/seeds relative to its root, or $PLANBOOK_SEEDS); without them the
tests are skipped.
"""
import pytest

from conftest import EXAMPLES, needs_seeds, seed_lines

yaml = pytest.importorskip("yaml")


pytestmark = needs_seeds


def table_after(lines, starts_with, skip=1):
    """Tab-split rows from the line after the one starting with `starts_with`
    (plus `skip` - 1 further heading lines) up to the next blank line."""
    i = next(k for k, line in enumerate(lines) if line.startswith(starts_with))
    rows = []
    for line in lines[i + skip:]:
        if not line.strip():
            break
        rows.append(line.split("\t"))
    return rows


def indicator_set(example, set_id):
    doc = yaml.safe_load((EXAMPLES / example).read_text(encoding="utf-8"))
    return doc["indicators"][set_id]


def printed(cell):
    """A YAML observation cell back to the text printed in the seed."""
    if cell is None:
        return ""
    if isinstance(cell, dict):
        return cell
    return str(cell)


ARROWS = {"↑": "up", "↓": "down", "Not available": "not available",
          "Not applicable": "not applicable"}


# ------------------------------------------------------------ seed 001: children
def test_children_dashboard_matches_the_seed():
    rows = table_after(seed_lines("001"), "The me\tPI Ref", skip=2)
    s = indicator_set("manchester-children-families-2015-17.yaml", "children")
    measures = s["measures"]
    assert [str(m["ref"]) for m in measures] == [r[1] for r in rows]
    assert len(rows) == 24
    assert [str(p) for p in s["periods"]] == ["2013/14", "2014/15 Q1", "2014/15 Q2",
                                              "2014/15 Q3", "2014/15 Q4"]
    group = None
    for r, m in zip(rows, measures):
        ref = r[1]
        group = r[0] or group
        assert m["name"] == r[2], ref
        assert m["group"] == group, ref
        assert m["polarity"] == r[3], ref
        if r[4] == "Not available":
            assert (r[5], r[6]) == ("", ""), ref
            assert m["thresholds"] == "not available", ref
        else:
            assert m["thresholds"] == {"good": r[4], "of_concern": r[5],
                                       "action_required": r[6]}, ref
        assert [printed(v) for v in m["values"]] == r[7:12], ref
        last, sn, eng, target = r[12:16]
        if sn == "Not available" and eng == "":
            eng = sn  # one "Not available" spans the SN and England columns
        assert m["printed"] == {"last": ARROWS[last], "sn": ARROWS[sn],
                                "england": ARROWS[eng], "target": ARROWS[target]}, ref


def test_children_dashboard_units_follow_the_names():
    s = indicator_set("manchester-children-families-2015-17.yaml", "children")
    for m in s["measures"]:
        if "(per 10,000 pop.)" in m["name"]:
            assert (m["unit"], m.get("per")) == ("rate", 10000), m["ref"]
        if m["name"].endswith("(days)"):
            assert m["unit"] == "days", m["ref"]
        for v in m["values"]:
            assert "%" not in str(v), m["ref"]  # the dashboard prints no % signs


# -------------------------------------------------------------- seed 001: adults
def test_adults_page_matches_the_seed():
    lines = seed_lines("001")
    heading = next(line for line in lines if line.startswith("The indicators on this page"))
    assert heading.split("\t")[2:] == [
        "2011/12 Result", "2012/13 Result", "2013/14 Result", "2013/14 Target", "April", "May",
        "June", "July", "Aug", "Sept", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar"]
    rows = table_after(lines, "The indicators on this page")
    s = indicator_set("manchester-children-families-2015-17.yaml", "adults")
    measures = iter(s["measures"])
    seen = 0
    m = None
    for r in rows:
        r = r + [""] * (18 - len(r))
        figures = r[2:5] + r[6:18]  # results, then the twelve months (target apart)
        if r[0]:
            m = next(measures)
            seen += 1
            ref, marker = r[0], None
            if ref.endswith(")"):
                ref, _, marker = ref.rpartition(" (")
                marker = marker.rstrip(")")
            assert str(m["ref"]) == ref
            assert (str(m["footnote"]) if "footnote" in m else None) == marker, ref
            name, _, owner = r[1].partition(" Responsible manager: ")
            assert (m["name"], m["owner"]) == (name, owner), ref
            got = [printed(v) for v in m["values"]]
            if figures[3].startswith("This measure covers"):
                assert got[3] == {"status": "not reported", "note": figures[3]}, ref
                got[3] = figures[3]
            assert got == figures, ref
            assert {str(k): printed(v) for k, v in m["targets"].items()} == {"2013/14": r[5]}, ref
        else:
            (count,) = m["counts"]
            assert count["name"] == r[1], m["ref"]
            assert count["role"] == "numerator"
            assert [printed(v) for v in count["values"]] == figures, m["ref"]
            want = {"2013/14": r[5]} if r[5] else {}
            assert {str(k): printed(v) for k, v in (count.get("targets") or {}).items()} == want
    assert seen == 8 and next(measures, None) is None
    # the footnotes as printed under the table
    foot = {line[1]: line[4:] for line in lines if line[:4] in ("(1) ", "(2) ")}
    assert {str(k): v for k, v in s["footnotes"].items()} == foot


# ----------------------------------------------------------------------- seed 000
def test_performance_plan_matches_the_seed():
    lines = seed_lines("000")
    rows = table_after(lines, "Our Plan Priority\tObjective\tIndicator")
    s = indicator_set("manchester-children-2018-19.yaml", "performance")
    assert [str(p) for p in s["periods"]] == ["2017/18", "2018/19", "2019/20"]
    assert len(s["measures"]) == len(rows) == 9
    group = objective = None
    for r, m in zip(rows, s["measures"]):
        group = r[0] or group
        objective = r[1] or objective
        assert (m["group"], m["objective"], m["name"]) == (group, objective, r[2])
        assert [printed(v) for v in m["values"]] == [r[3], "", ""], r[2]
        assert {str(k): printed(v) for k, v in m["targets"].items()} == {
            "2018/19": r[4], "2019/20": r[5]}, r[2]
    legend = next(line for line in lines if line.startswith("TBC = Target To Be Confirmed"))
    assert legend in s["note"]
