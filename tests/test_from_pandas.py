"""Building plans from the DataFrames analysts already have."""

from decimal import Decimal

import pytest

import planbook
from planbook import ValidationError

pd = pytest.importorskip("pandas")


def test_budget_table_from_a_wide_frame_round_trips():
    plan = planbook.examples.load("manchester-children-families-2015-17")
    wide = plan.budgets["objective"].to_pandas("wide")
    src = plan.budgets["objective"]
    lines = wide[wide["kind"] == "line"].drop(columns=["kind", "depth"]).rename(
        columns={c.id: c.period for c in src.columns})   # headed by year, as analysts do
    q = planbook.Plan()
    t = q.budgets.from_pandas("objective", lines, total="Total")
    assert [c.period for c in t.columns] == [c.period for c in src.columns]
    total = [r for r in src.rows if r.kind == "total"][-1]
    for a, b in zip(t.columns, src.columns):
        assert t.rows["Total"][a.id].computed == total[b.id].value
    assert planbook.dumps(planbook.loads(planbook.dumps(q))) == planbook.dumps(q)


def test_floats_only_when_exact_and_nan_is_blank():
    q = planbook.Plan()
    t = q.budgets.from_pandas("t", pd.DataFrame({"label": ["a", "b"], "2024/25": [12.5, float("nan")]}),
                              decimals=1)
    assert t.rows["a"]["y2024_25"].value == Decimal("12.5")
    assert t.rows["b"]["y2024_25"].state == "blank"
    with pytest.raises(ValidationError, match="binary float"):
        q.budgets.from_pandas("u", pd.DataFrame({"label": ["a"], "x": [0.1 + 0.2]}), decimals=2)
    assert "u" not in q.budgets


def test_indicators_from_long_observations():
    plan = planbook.examples.load("manchester-children-families-2015-17")
    long = plan.indicators["children"].to_pandas()
    long = long[long["series"] == "value"]
    q = planbook.Plan()
    s = q.indicators.from_pandas("children", long.assign(period=long["period"].astype(str)),
                                 polarity="low", periods=plan.indicators["children"].periods)
    assert s["1.3"].values["2014/15 Q3"].value == Decimal("80.9")
    assert s["1.3"].status("2014/15 Q3").previous == "worse"
