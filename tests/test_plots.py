"""The charts of planbook.plots, drawn with the Agg backend on the shipped
examples: what each shows (bars, bands, labels, the bridge's closing
figure) and that matplotlib stays optional.

Set PLANBOOK_PLOT_DIR to keep the PNGs somewhere to look at; by default
they go to pytest's temporary directory.
"""

import os
import subprocess
import sys
from decimal import Decimal

import pytest

import planbook
from planbook import examples

# matplotlib's own C++ extensions abort under the preloaded libasan of the
# sanitizer pass; the plots are plain Python over planbook's API, which that
# pass covers elsewhere
pytestmark = pytest.mark.skipif(os.environ.get("PLANBOOK_SANITIZED") == "1",
                                reason="matplotlib does not run under the ASan preload")

FAMILIES = "manchester-children-families-2015-17"
CHILDREN_2018 = "manchester-children-2018-19"
SPOD = "manchester-spod-2007-08"


# ------------------------------------------------- optional dependency

def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)


def test_importing_planbook_and_plots_does_not_import_matplotlib():
    r = _run("import sys, planbook, planbook.plots\n"
             "plan = planbook.examples.load('manchester-children-families-2015-17')\n"
             "plan.check(); plan.indicators.status()\n"
             "print('matplotlib' in sys.modules)")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "False"


def test_a_plot_without_matplotlib_says_what_to_install():
    r = _run("import sys\n"
             "sys.modules['matplotlib'] = None\n"
             "sys.modules['matplotlib.pyplot'] = None\n"
             "import planbook\n"
             "from planbook import plots\n"
             "plan = planbook.examples.load('manchester-children-families-2015-17')\n"
             "try:\n"
             "    plots.budget_by_service(plan.budgets['objective'])\n"
             "except ImportError as e:\n"
             "    print('ImportError:', e)\n")
    assert r.returncode == 0, r.stderr
    assert "ImportError:" in r.stdout
    assert "pip install matplotlib" in r.stdout
    assert "plots.budget_by_service" in r.stdout


# ----------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def plt():
    mpl = pytest.importorskip("matplotlib")
    mpl.use("Agg", force=True)
    import matplotlib.pyplot as plt
    yield plt
    plt.close("all")


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    d = os.environ.get("PLANBOOK_PLOT_DIR")
    if d:
        os.makedirs(d, exist_ok=True)
        return d
    return str(tmp_path_factory.mktemp("plots"))


@pytest.fixture
def save(plt, out_dir):
    def save(ax, name):
        path = os.path.join(out_dir, name + ".png")
        ax.figure.savefig(path, dpi=90)
        plt.close(ax.figure)
        with open(path, "rb") as f:
            head = f.read(8)
        assert head == b"\x89PNG\r\n\x1a\n"
        assert os.path.getsize(path) > 5000
        return path
    return save


@pytest.fixture
def families():
    return examples.load(FAMILIES)


def _by_gid(ax, prefix):
    return [p for p in ax.patches if (p.get_gid() or "").startswith(prefix)]


def _line(ax, gid):
    found = [ln for ln in ax.get_lines() if ln.get_gid() == gid]
    return found[0] if found else None


def _texts(ax):
    return [t.get_text() for t in ax.texts]


# --------------------------------------------------------- indicators

def test_indicator_trend_with_thresholds_lower_is_better(families, plt, save):
    from planbook import plots
    m = families.indicators["children"]["1.3"]
    ax = plots.indicator_trend(m)
    assert ax.get_title().startswith("1.3 Rate of children subject of cp plans")
    assert "lower is better" in ax.get_title()
    assert ax.get_xlabel() == "Period"
    assert ax.get_ylabel() == "Rate per 10,000"
    assert [t.get_text() for t in ax.get_xticklabels()] == families.indicators["children"].periods
    # the results: the four periods with a figure, as printed
    result = _line(ax, "result")
    assert list(result.get_xdata()) == [0, 1, 2, 3]
    assert list(result.get_ydata()) == [82.0, 79.5, 78.9, 80.9]
    assert {"82.0", "79.5", "78.9", "80.9"} <= set(_texts(ax))
    # threshold bands, following the polarity: green up to Good, amber to
    # Of concern, red beyond; Action required as a line
    bands = {p.get_gid(): p for p in _by_gid(ax, "band-")}
    assert set(bands) == {"band-green", "band-amber", "band-red"}

    from matplotlib.patches import Rectangle

    def span(p):  # axhspan gives a Rectangle (matplotlib >= 3.9) or a Polygon
        if isinstance(p, Rectangle):
            return p.get_y(), p.get_y() + p.get_height()
        ys = [y for _, y in p.get_xy()]
        return min(ys), max(ys)
    g, a, r = (span(bands[k]) for k in ("band-green", "band-amber", "band-red"))
    assert g[0] == 0 and g[1] == pytest.approx(42.1)
    assert a == (pytest.approx(42.1), pytest.approx(59.8))
    assert r[0] == pytest.approx(59.8)
    assert list(_line(ax, "action-required").get_ydata()) == [118.7, 118.7]
    labels = ax.get_legend_handles_labels()[1]
    assert "Good: at or below 42.1" in labels
    # RAG is told by marker and word too: every result here is red
    assert "\u2716 red" in " ".join(_texts(ax))
    assert any("\u2716 red" in t.get_text() for t in ax.get_legend().get_texts())
    save(ax, "indicator_trend_1.3")


def test_indicator_trend_percent_higher_is_better(families, plt, save):
    from matplotlib.ticker import PercentFormatter
    from planbook import plots
    m = families.indicators["children"]["3.5"]
    ax = plots.indicator_trend(m)
    assert isinstance(ax.yaxis.get_major_formatter(), PercentFormatter)
    assert ax.get_ylabel() == "Percent"
    assert "higher is better" in ax.get_title()
    bands = {p.get_gid() for p in _by_gid(ax, "band-")}
    assert bands == {"band-green", "band-amber", "band-red"}
    assert "Good: at or above 69.3" in ax.get_legend_handles_labels()[1]
    save(ax, "indicator_trend_3.5")


def test_indicator_trend_targets_and_no_thresholds(plt, save):
    from planbook import plots
    plan = examples.load(CHILDREN_2018)
    m = plan.indicators["performance"]["8"]
    ax = plots.indicator_trend(m)
    target = _line(ax, "target")
    assert list(target.get_xdata()) == [1, 2]
    assert list(target.get_ydata()) == [1139.0, 1139.0]
    assert _by_gid(ax, "band-") == []          # no thresholds, no bands
    assert ax.get_ylabel() == "Count"
    assert "1,257" in _texts(ax)
    save(ax, "indicator_trend_2018_8")


def test_indicator_trend_monthly_percent_with_target(families, plt, save):
    from planbook import plots
    m = families.indicators["adults"]["1G"]
    ax = plots.indicator_trend(m)
    assert list(_line(ax, "target").get_ydata()) == [91.73]
    assert len(_line(ax, "result").get_xdata()) == 9   # 3 years and 6 months with figures
    save(ax, "indicator_trend_adults_1G")


def test_indicator_trend_draws_comparators(families, plt, save):
    from planbook import plots
    m = families.indicators["children"]["1.3"]
    for p, sn, eng in [("2013/14", "64.2", "42.1"), ("2014/15 Q3", "61.0", "43.0")]:
        m.comparator("sn")[p] = sn
        m.comparator("england")[p] = eng
    ax = plots.indicator_trend(m)
    lines = {ln.get_label(): ln for ln in ax.get_lines()}
    assert list(lines["Statistical neighbours"].get_ydata()) == [64.2, 61.0]
    assert list(lines["England"].get_xdata()) == [0, 3]
    save(ax, "indicator_trend_comparators")


def test_indicator_trend_on_every_measure_of_every_example(plt):
    from planbook import plots
    n = 0
    for name in examples.names():
        plan = examples.load(name)
        for sid in plan.indicators:
            for m in plan.indicators[sid]:
                ax = plots.indicator_trend(m)
                assert ax.get_title().startswith(m.ref)
                plt.close(ax.figure)
                n += 1
    assert n > 50


def test_indicator_trend_on_a_given_axes(families, plt):
    from planbook import plots
    fig, axes = plt.subplots(1, 2)
    ax = plots.indicator_trend(families.indicators["children"]["1.1"], ax=axes[1])
    assert ax is axes[1]
    assert not axes[0].lines
    plt.close(fig)


# ------------------------------------------------------------ budgets

def test_budget_by_service_objective_summary(families, plt, save):
    from planbook import plots
    t = families.budgets["objective"]
    ax = plots.budget_by_service(t)
    lines = t.lines()
    cols = t.columns
    assert len(ax.patches) == len(lines) * len(cols)
    for col in cols:
        bars = _by_gid(ax, f"bar-{col.id}")
        assert len(bars) == len(lines)
        assert [b.get_width() for b in bars] == [float(r[col.id].shown) for r in lines]
    assert [t.get_text() for t in ax.get_yticklabels()] == [r.label for r in lines]
    assert ax.get_xlabel() == "Net budget (£'000)"
    assert ax.get_title() == "Objective Summary: net budget by service"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "2014/15 Approved Budget", "2015/16 Indicative Budget", "2016/17 Indicative Budget"]
    save(ax, "budget_by_service_objective")


def test_budget_by_service_picks_net_and_leaves_fte_out(families, plt, save):
    from planbook import plots
    t = families.budgets["service_activity"]
    ax = plots.budget_by_service(t)
    assert {b.get_gid() for b in ax.patches} == {"bar-net_2014", "bar-net_2015", "bar-net_2016"}
    assert len(ax.patches) == 3 * len(t.lines())
    plt.close(ax.figure)
    ax = plots.budget_by_service(t, measure="gross")
    assert ax.get_xlabel() == "Gross budget (£'000)"
    assert len(_by_gid(ax, "bar-gross_2015")) == 10
    save(ax, "budget_by_service_gross")


def test_budget_by_service_lines_with_parts(plt, save):
    from planbook import plots
    t = examples.load(SPOD).budgets["proposed"]
    ax = plots.budget_by_service(t, columns=["gross_2007", "gross_2008", "gross_2009"])
    lines = t.lines()
    assert len(ax.patches) == 3 * len(lines) == 27
    assert _by_gid(ax, "bar-gross_2009")[1].get_width() == 1476.0   # Finance
    save(ax, "budget_by_service_spod")


def test_budget_by_service_on_every_table_with_amounts(plt):
    from planbook import plots
    for name in examples.names():
        plan = examples.load(name)
        for tid in plan.budgets:
            t = plan.budgets[tid]
            if not any(c.type == "amount" for c in t.columns):
                with pytest.raises(ValueError, match="no amount columns"):
                    plots.budget_by_service(t)
                continue
            ax = plots.budget_by_service(t)
            assert len(ax.patches) % len(t.lines()) == 0
            plt.close(ax.figure)


# ----------------------------------------------------- reconciliation

def test_reconciliation_bridge_chains_the_years(families, plt, save):
    from planbook import plots
    t = families.budgets["reconciliation"]
    total = t.rows["total"]
    ax = plots.reconciliation_bridge(t)
    bars = ax.patches
    assert [b.get_gid() for b in bars] == [
        "opening-net_2014", "step-growth_2015", "step-savings_2015", "subtotal-net_2015",
        "step-growth_2016", "step-savings_2016", "closing-net_2016"]
    # the final bar is the table's closing figure, the first its opening one
    assert bars[-1].get_height() == float(total["net_2016"].shown) == 271459.0
    assert bars[0].get_height() == 292361.0
    assert bars[3].get_height() == 272932.0
    # steps float from where the previous bar ended: growth up, savings down
    assert bars[1].get_y() == 292361.0 and bars[1].get_height() == 19263.0
    assert bars[2].get_y() == 292361.0 + 19263.0 and bars[2].get_height() == -38692.0
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "Net\n2014/15", "Growth\n2015/16", "Savings\n2015/16", "Net\n2015/16",
        "Growth\n2016/17", "Savings\n2016/17", "Net\n2016/17"]
    assert ax.get_ylabel() == "Net budget (£'000)"
    assert ax.get_title() == t.title
    assert "+19,263" in _texts(ax) and "(38,692)" in _texts(ax)
    save(ax, "reconciliation_bridge")


def test_reconciliation_bridge_one_year(families, plt, save):
    from planbook import plots
    t = families.budgets["reconciliation"]
    ax = plots.reconciliation_bridge(t, column="net_2015")
    assert len(ax.patches) == 4
    assert ax.patches[-1].get_height() == float(t.rows["total"]["net_2015"].shown)
    save(ax, "reconciliation_bridge_2015")


def test_reconciliation_bridge_shows_a_printed_figure_that_is_off(families, plt, save):
    from planbook import plots
    t = families.budgets["reconciliation"]
    t.rows["total"]["net_2016"] = 271000
    ax = plots.reconciliation_bridge(t)
    assert ax.patches[-1].get_height() == 271000.0
    note = " ".join(_texts(ax)).replace("\n", " ")
    assert "printed 271,000, the steps give 271,459 (difference (459))" in note
    save(ax, "reconciliation_bridge_off")


def test_reconciliation_bridge_without_a_total_row_sums_the_lines(families, plt):
    from planbook import plots
    t = families.budgets["reconciliation"]
    t.remove("total")
    ax = plots.reconciliation_bridge(t)
    assert ax.patches[-1].get_height() == 271459.0
    assert "sum of the lines" in " ".join(_texts(ax))
    plt.close(ax.figure)


def test_reconciliation_bridge_needs_a_sum_column(families, plt):
    from planbook import plots
    with pytest.raises(ValueError, match="computed from"):
        plots.reconciliation_bridge(families.budgets["objective"])


# ------------------------------------------------------------ savings

def test_savings_by_area_one_bar_per_line(families, plt, save):
    from planbook import plots
    t = families.budgets["savings"]
    ax = plots.savings_by_area(t)
    lines = t.lines()
    assert len(ax.patches) == len(lines) == 66
    assert [b.get_width() for b in ax.patches] == [float(r["total"].shown) for r in lines]
    ticks = [x.get_text() for x in ax.get_yticklabels()]
    # area headings head their groups (lines plus one heading per area)
    areas = [r.label for r in t.rows if r.kind == "section" and r.parent is None]
    assert len(ticks) == len(lines) + len(areas)
    assert ticks[0] == areas[0]
    bold = [x.get_text() for x in ax.get_yticklabels() if x.get_fontweight() == "bold"]
    assert bold == areas
    # the adjustment is a negative bar, labelled in parentheses
    assert min(b.get_width() for b in ax.patches) == -3215.0
    assert "(3,215)" in _texts(ax)
    assert "Total £,000" in ax.get_title()
    assert ax.get_xlabel().startswith("Savings (£'000)")
    save(ax, "savings_by_line")


def test_savings_by_area_totals_per_area(families, plt, save):
    from planbook import plots
    t = families.budgets["savings"]
    ax = plots.savings_by_area(t, by="area", column="y2015")
    areas = [r for r in t.rows if r.kind == "section" and r.parent is None]
    assert len(ax.patches) == len(areas) == 7
    # each area's bar is the printed total of that area (the last total in it)
    printed = []
    for area in areas:
        totals = [c for c in area.children if c.kind == "total"]
        printed.append(float(totals[-1]["y2015"].shown))
    assert [b.get_width() for b in ax.patches] == printed
    assert "2015/16" in ax.get_title()
    save(ax, "savings_by_area_2015")


def test_savings_figures_are_exact_decimals_until_drawn(families):
    # the API keeps Decimals; the plots convert only for drawing
    cell = families.budgets["savings"].rows["Troubled Families"]["total"]
    assert cell.shown == Decimal("3797")
    assert isinstance(planbook.format_amount(cell.shown), str)
