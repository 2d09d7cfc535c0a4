"""Building plans from the DataFrames analysts already have."""

import os
from decimal import Decimal

import pytest

import planbook
from planbook import ValidationError

pd = pytest.importorskip("pandas")
np = pytest.importorskip("numpy")


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


def _one_column(values, decimals=2, **kw):
    """The line values of a table built from one column of ``values``."""
    q = planbook.Plan()
    labels = [f"l{i}" for i in range(len(values))]
    series = values if isinstance(values, pd.api.extensions.ExtensionArray) else \
        pd.Series(values, **kw)
    t = q.budgets.from_pandas("t", pd.DataFrame({"label": labels, "2024/25": series}),
                              decimals=decimals)
    return [r["y2024_25"].value for r in t.rows]


def test_floats_rounded_half_away_from_zero_to_the_scale_and_nan_is_blank():
    assert _one_column([12.5, float("nan")], decimals=1) == [Decimal("12.5"), None]
    # at their shortest decimal form, then rounded: 0.1 + 0.2 is 0.30, 2.675 is 2.68
    assert _one_column([0.1 + 0.2, 2.675, -2.675, 1e15]) == [
        Decimal("0.30"), Decimal("2.68"), Decimal("-2.68"), Decimal("1000000000000000.00")]
    assert _one_column([1234.5], decimals=0) == [Decimal("1235")]


def test_under_numpy_2_a_row_of_mixed_dtypes_reads():
    # a float column beside a text column: NumPy 2's repr of np.float64 is
    # "np.float64(12.5)", which decimal refused (InvalidOperation)
    q = planbook.Plan()
    t = q.budgets.from_pandas("t", pd.DataFrame(
        {"label": ["a"], "2024/25": [12.5], "2025/26": ["(1,000)"], "2026/27": [np.int64(7)]}),
        decimals=1)
    assert t.rows["a"].values == [Decimal("12.5"), Decimal("-1000.0"), Decimal("7.0")]
    assert _one_column(np.array([1.25, 2.5], dtype=object)) == [Decimal("1.25"),
                                                                 Decimal("2.50")]


def test_nullable_columns_blank_where_missing():
    assert _one_column(pd.array([1, None, 3], dtype="Int64")) == [
        Decimal("1.00"), None, Decimal("3.00")]
    assert _one_column(pd.array([1.5, None], dtype="Float64")) == [Decimal("1.50"), None]
    assert _one_column([Decimal("1.25"), None, "2,000.50", pd.NA, np.nan],
                       dtype=object) == [Decimal("1.25"), None, Decimal("2000.50"), None, None]


def test_ints_decimals_and_text_must_be_exact_at_the_scale():
    assert _one_column([10, -3], decimals=0) == [Decimal(10), Decimal(-3)]
    with pytest.raises(planbook.errors.AmountError):
        _one_column([Decimal("1.234")])
    with pytest.raises(planbook.errors.AmountError):
        _one_column(["1.234"])


@pytest.mark.parametrize("bad, match", [
    (float("inf"), "an infinity"), (float("-inf"), "an infinity"),
    (1e300, "beyond the amounts"), (9.3e16, "beyond the amounts")])
def test_floats_not_representable_are_refused_and_nothing_is_left(bad, match):
    q = planbook.Plan()
    with pytest.raises(ValidationError, match=match):
        q.budgets.from_pandas("u", pd.DataFrame({"label": ["a"], "x": [bad]}), decimals=2)
    assert "u" not in q.budgets


def test_a_bool_is_not_a_figure():
    q = planbook.Plan()
    with pytest.raises(TypeError, match="True is not a figure"):
        q.budgets.from_pandas("u", pd.DataFrame({"label": ["a"], "x": [True]}))
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


# ------------------------------------------------ numeric frames out



def _examples():
    import pathlib
    folder = pathlib.Path(planbook.examples.__file__).parent
    return sorted(p.stem for p in folder.glob("*.yaml"))


@pytest.mark.parametrize("name", _examples())
def test_every_table_sums_and_plots_as_numbers(name, tmp_path):
    # matplotlib's C++ exceptions abort under ASan's interceptors (as in
    # tests/test_plots.py): the sanitized pass checks the sums, not the plots
    plt = None
    if os.environ.get("PLANBOOK_SANITIZED") != "1":
        mpl = pytest.importorskip("matplotlib")
        mpl.use("Agg")
        import matplotlib.pyplot as plt
    plan = planbook.examples.load(name)
    for tid in plan.budgets:
        t = plan.budgets[tid]
        long = t.to_pandas()
        exact = t.to_pandas(amounts="decimal")
        scale = long.attrs["scale"]
        assert long.attrs["table"] == tid and long.attrs["unit"] == t.unit
        for k in ("printed", "value", "computed", "difference"):
            assert str(long[k].dtype) == "Int64"
            want = sum((v for v in exact[k] if v is not None), Decimal(0))
            assert long[k].sum() == want.scaleb(scale), (tid, k)   # exact, in the scale's units
            as_float = t.to_pandas(amounts="float")[k]
            assert str(as_float.dtype) == "float64"
            assert as_float.sum() == pytest.approx(float(want))
        wide = t.to_pandas("wide")
        amount_cols = [c.id for c in t.columns if c.type != "text"]
        assert all(str(wide[c].dtype) == "Int64" for c in amount_cols)
        if plt and amount_cols and wide[amount_cols].notna().any().any():
            ax = wide[amount_cols].astype("float64").plot()
            fig = ax.get_figure()
            fig.savefig(tmp_path / f"{tid}.png")
            plt.close(fig)
    for sid in plan.indicators:
        s = plan.indicators[sid]
        long = s.to_pandas()
        assert str(long["value"].dtype) == "float64"
        assert {"printed", "status"} <= set(long.columns)
        exact = s.to_pandas(figures="decimal")
        assert long["value"].sum() == pytest.approx(
            float(sum((v for v in exact["value"] if v is not None), Decimal(0))))
        wide = s.to_pandas("wide")
        numeric = wide[s.periods]
        assert all(str(d) == "float64" for d in numeric.dtypes)
        if plt and numeric.notna().any().any():
            ax = numeric.T.plot(legend=False)
            plt.close(ax.get_figure())


def test_text_cells_come_in_their_own_column():
    plan = planbook.Plan()
    t = plan.budgets.add("t", decimals=2, columns=[{"id": "y"}, {"id": "n", "type": "text"}])
    t.add_line("Staff", ["1,250.50", "agreed"])
    t.add_line("Vacancies", [None, None])
    long = t.to_pandas()
    assert long["text"].isna().tolist() == [True, False, True, True]
    assert long["text"][1] == "agreed"
    assert long["value"].tolist()[0] == 125050 and long.attrs["scale"] == 2
    assert long["value"].isna().tolist() == [False, True, True, True]
    assert t.to_pandas(amounts="decimal")["value"].tolist()[0] == Decimal("1250.50")
    assert t.to_pandas(amounts="float")["value"].tolist()[0] == 1250.5
    with pytest.raises(ValueError, match="amounts is 'int', 'float' or 'decimal', not 'str'"):
        t.to_pandas(amounts="str")
