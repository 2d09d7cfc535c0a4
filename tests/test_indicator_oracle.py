"""The independent indicator oracle (tests/oracle/indicator_oracle.py) against
the printed "How are we doing?" arrows of seed 001's children's dashboard.

The example file carries the arrows as printed (`printed.last`); the oracle
recomputes them from the figures, the polarity and the set's `direction`.
If the transcription, the `direction` or the oracle's rules were wrong, the
counts below would not hold: under `previous` (latest quarter vs the quarter
before) only 11 of the 24 printed arrows agree.
"""
import importlib.util
import json
import subprocess
import sys

import pytest

from conftest import EXAMPLES, ROOT

yaml = pytest.importorskip("yaml")

ORACLE_PATH = ROOT / "tests" / "oracle" / "indicator_oracle.py"
PLAN = EXAMPLES / "manchester-children-families-2015-17.yaml"


def load_oracle():
    spec = importlib.util.spec_from_file_location("indicator_oracle", ORACLE_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def oracle():
    return load_oracle()


@pytest.fixture(scope="module")
def children(oracle):
    return oracle.status(str(PLAN), "children")


def test_the_oracle_is_independent_of_planbook():
    source = ORACLE_PATH.read_text(encoding="utf-8")
    assert "import planbook" not in source and "from planbook" not in source


def test_the_set_says_outturn_and_reports_the_third_quarter():
    s = yaml.safe_load(PLAN.read_text(encoding="utf-8"))["indicators"]["children"]
    assert s["direction"] == "outturn"
    assert str(s["latest"]) == "2014/15 Q3"
    assert len(s["measures"]) == 24


def test_all_24_printed_better_than_last_arrows_agree(children):
    assert len(children) == 24
    disagree = {ref: (v["better_than_last"], v["printed_last"])
                for ref, v in children.items() if v["better_than_last"] != v["printed_last"]}
    assert disagree == {}
    assert sum(v["printed_last"] == "up" for v in children.values()) == 14
    assert sum(v["printed_last"] == "down" for v in children.values()) == 10


@pytest.mark.parametrize("direction, agreeing", [("outturn", 24), ("previous", 11)])
def test_only_the_outturn_hypothesis_explains_the_arrows(oracle, direction, agreeing):
    got = oracle.status(str(PLAN), "children", direction)
    assert sum(v["better_than_last"] == v["printed_last"] for v in got.values()) == agreeing


@pytest.mark.parametrize("ref, latest, outturn, polarity, arrow", [
    ("1.1", "1163", "1180", "low", "up"),      # fewer referrals than in 2013/14: better
    ("1.3a", "161.9", "148.3", "low", "down"),  # more s47 enquiries: worse
    ("1.6", "43.9", "50.0", "high", "down"),    # fewer ceasing care, high is good: worse
    ("3.2f", "74.2", "67.3", "high", "up"),
    ("3.8", "256", "225", "low", "down"),
    ("4.4a", "29", "31", "low", "up"),          # Q3 29 vs 31; Q2 was 28, so `previous` says worse
])
def test_specific_cases(oracle, children, ref, latest, outturn, polarity, arrow):
    s = yaml.safe_load(PLAN.read_text(encoding="utf-8"))["indicators"]["children"]
    m = next(m for m in s["measures"] if str(m["ref"]) == ref)
    assert (m["values"][3], m["values"][0], m["polarity"]) == (latest, outturn, polarity)
    assert children[ref]["better_than_last"] == arrow == m["printed"]["last"]


def test_rag_from_thresholds(children):
    rags = {ref: v["rag"] for ref, v in children.items()}
    # 1.1: 1163 per 10,000, low is good, good 573, of concern 790 -> red
    assert rags["1.1"] == "red"
    # 1.2: 451 <= 463 (of concern) but > 346 (good) -> amber
    assert rags["1.2"] == "amber"
    # 1.6: high is good, 43.9 >= 26.5 (good) -> green
    assert rags["1.6"] == "green"
    # 3.5: high is good, 40.6 < 49.8 (of concern) -> red
    assert rags["3.5"] == "red"
    # 3.4a: 4.7 just above good (4.5) -> amber
    assert rags["3.4a"] == "amber"
    # thresholds not available -> no RAG
    for ref in ("1.0", "3.2d", "3.2e", "3.2g", "3.10", "4.4", "4.4a"):
        assert rags[ref] is None
    counts = {c: sum(r == c for r in rags.values()) for c in ("green", "amber", "red", None)}
    assert counts == {"green": 1, "amber": 9, "red": 7, None: 7}


def test_the_oracle_can_fail(oracle, tmp_path):
    """Flip one polarity in a copy of the file: that measure's arrow must disagree."""
    doc = yaml.safe_load(PLAN.read_text(encoding="utf-8"))
    m = next(m for m in doc["indicators"]["children"]["measures"] if str(m["ref"]) == "1.1")
    m["polarity"] = "high"
    bad = tmp_path / "flipped.yaml"
    bad.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    got = oracle.status(str(bad), "children")
    assert got["1.1"]["better_than_last"] == "down" != got["1.1"]["printed_last"]
    assert got["1.1"]["rag"] == "green"  # 1163 >= 573 with high polarity
    assert sum(v["better_than_last"] == v["printed_last"] for v in got.values()) == 23


def test_the_oracle_runs_as_a_script():
    out = subprocess.run([sys.executable, str(ORACLE_PATH), str(PLAN), "children"],
                         check=True, capture_output=True, text=True, cwd=ROOT).stdout
    got = json.loads(out)
    assert got["1.1"] == {"rag": "red", "better_than_last": "up", "printed_last": "up"}
