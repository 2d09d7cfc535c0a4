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


# ------------------------------------------------------------- risks

SOCIAL_CARE_2016 = "manchester-childrens-services-2016-20"


def _cells(ax, prefix):
    """{(likelihood, impact): artist} for the artists whose gid is prefix-L-I."""
    out = {}
    for a in list(ax.patches) + list(ax.texts):
        gid = a.get_gid() or ""
        if gid.startswith(prefix + "-"):
            lk, im = gid[len(prefix) + 1:].split("-")
            out[(int(lk), int(im))] = a
    return out


def _drawn_counts(ax, plan):
    lmax, imax = plan.risk_matrix
    counts = _cells(ax, "count")
    return [[int(counts[(lk, im)].get_text()) if (lk, im) in counts else 0
             for im in range(1, imax + 1)] for lk in range(1, lmax + 1)]


@pytest.mark.parametrize("name,rid", [(SOCIAL_CARE_2016, "social_care"),
                                      (CHILDREN_2018, "strategic")])
def test_risk_heat_map_counts_are_the_register_matrix(name, rid, plt, save):
    from planbook import plots
    plan = examples.load(name)
    reg = plan.risks[rid]
    ax = plots.risk_heat_map(reg)
    assert _drawn_counts(ax, plan) == reg.matrix()
    # the ids of the risks in each cell, under the count
    ids = {k: t.get_text() for k, t in _cells(ax, "ids").items()}
    for r in reg:
        s = r.current
        if s is not None:
            assert r.id in ids[(s.likelihood, s.impact)].replace("\n", ", ").replace(
                "risks ", "").replace("risk ", "").split(", ")
    # likelihood up the side, impact across, the matrix's sides
    assert ax.get_xlabel() == "Impact" and ax.get_ylabel() == "Likelihood"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "2", "3", "4", "5"]
    assert ax.get_ylim() == (0.5, 5.5)
    title = ax.get_title()
    assert reg.title in title and "Current scores" in title
    save(ax, f"risk_heat_map_{rid}")


def test_risk_heat_map_social_care_2016(plt):
    from planbook import plots
    plan = examples.load(SOCIAL_CARE_2016)
    ax = plots.risk_heat_map(plan.risks["social_care"])
    counts = _cells(ax, "count")
    assert set(counts) == {(3, 4), (3, 5)}
    assert counts[(3, 4)].get_text() == "6" and counts[(3, 5)].get_text() == "1"
    assert _cells(ax, "ids")[(3, 5)].get_text() == "risk 1"
    assert "7 of 10 risks" in ax.get_title()
    # the three risks without a score are named, not silently dropped
    note = " ".join(_texts(ax)).replace("\n", " ")
    assert "no current score: 3 risks (8, 9, 10)" in note
    plt.close(ax.figure)


def test_risk_heat_map_notes_a_misprinted_score(plt):
    from planbook import plots
    plan = examples.load(CHILDREN_2018)
    ax = plots.risk_heat_map(plan.risks["strategic"])
    # risk 4 printed '8 (4x4)': placed by likelihood and impact, at 16 (red)
    assert "risks 4, 5, 6" in _cells(ax, "ids")[(4, 4)].get_text()
    note = " ".join(_texts(ax)).replace("\n", " ")
    assert "risk 4 printed 8 (4x4), but likelihood 4 \u00d7 impact 4 is 16" in note
    plt.close(ax.figure)


def _band_by_engine(plan, score):
    return plan._c.risk_rag(score)


@pytest.mark.parametrize("matrix,bands", [((5, 5), (4, 12)), ((4, 6), (3, 9)),
                                          ((3, 3), (2, 5))])
def test_risk_heat_map_cells_follow_the_bands(matrix, bands, plt):
    from matplotlib.colors import to_hex
    from planbook import plots
    plan = examples.load(CHILDREN_2018)
    plan.risk_matrix = matrix
    plan.risk_bands = bands
    reg = plan.risks["strategic"]
    ax = plots.risk_heat_map(reg)
    lmax, imax = matrix
    cells, letters = _cells(ax, "cell"), _cells(ax, "band")
    assert set(cells) == {(lk, im) for lk in range(1, lmax + 1) for im in range(1, imax + 1)}
    green, amber = bands
    for (lk, im), patch in cells.items():
        score = lk * im
        band = "green" if score <= green else "amber" if score <= amber else "red"
        assert band == _band_by_engine(plan, score)          # the engine agrees
        st = plots.RISK_BAND_STYLE[band]
        assert to_hex(patch.get_facecolor()) == st["fill"].lower()
        assert (patch.get_hatch() or "") == st["hatch"]
        assert letters[(lk, im)].get_text() == f"{st['letter']} {score}"
    # hatches and letters differ by band: colour is not the only cue
    assert len({s["hatch"] for s in plots.RISK_BAND_STYLE.values()}) == 3
    assert len({s["letter"] for s in plots.RISK_BAND_STYLE.values()}) == 3
    # the counts still follow the register's own matrix (risks outside are noted)
    assert _drawn_counts(ax, plan) == reg.matrix()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == [f"R  \u2716 red: score {amber + 1} to {lmax * imax}",
                      f"A  \u25b2 amber: score {green + 1} to {amber}",
                      f"G  \u2714 green: score 1 to {green}"]
    if matrix == (3, 3):
        note = " ".join(_texts(ax)).replace("\n", " ")
        assert "outside the 3 \u00d7 3 matrix: 8 risks (1, 2, 3, 4, 5, 6, 7, 9)" in note
        assert sum(map(sum, reg.matrix())) == 3      # only the 3x3 risks, 8, 10 and 11
    plt.close(ax.figure)


def test_risk_heat_map_of_a_register_without_scores_says_so(plt, save):
    # 001's thematic register prints no scores: an empty matrix with a note,
    # not an error, so that every register can be drawn in a loop
    from planbook import plots
    plan = examples.load(FAMILIES)
    reg = plan.risks["thematic"]
    assert reg.matrix() == [[0] * 5 for _ in range(5)]
    ax = plots.risk_heat_map(reg)
    assert _cells(ax, "count") == {}
    assert _drawn_counts(ax, plan) == reg.matrix()
    texts = " ".join(_texts(ax)).replace("\n", " ")
    assert "This register has no current scores" in texts
    assert "no current score: 15 risks" in texts
    assert "0 of 15 risks" in ax.get_title()
    save(ax, "risk_heat_map_unscored")


def test_risk_heat_map_of_an_empty_register(plt):
    from planbook import plots
    plan = planbook.Plan()
    reg = plan.risks.add("new", title="New register")
    ax = plots.risk_heat_map(reg)
    assert "This register has no risks" in " ".join(_texts(ax)).replace("\n", " ")
    assert len(_cells(ax, "cell")) == 25
    plt.close(ax.figure)


def test_risk_heat_map_other_kinds_and_a_given_axes(plt, save):
    from planbook import plots
    plan = examples.load(SOCIAL_CARE_2016)
    reg = plan.risks["social_care"]
    reg["1"].target = (2, 3, 6)
    reg["2"].target = "4x1"
    reg["3"].inherent = (4, 5, 0)
    fig, axes = plt.subplots(1, 2, figsize=(14, 5.5), layout="constrained")
    ax = plots.risk_heat_map(reg, "target", ax=axes[1])
    assert ax is axes[1]
    assert not axes[0].patches
    assert "Target scores: 2 of 10 risks" in ax.get_title()
    assert _drawn_counts(ax, plan) == reg.matrix("target")
    assert _cells(ax, "ids")[(2, 3)].get_text() == "risk 1"
    ax0 = plots.risk_heat_map(reg, kind="inherent", ax=axes[0])
    assert _drawn_counts(ax0, plan) == reg.matrix("inherent")
    assert _cells(ax0, "count")[(4, 5)].get_text() == "1"
    save(ax, "risk_heat_map_inherent_target")


def test_risk_heat_map_many_risks_in_a_cell_gives_the_count_only(plt):
    from planbook import plots
    plan = examples.load(SOCIAL_CARE_2016)
    ax = plots.risk_heat_map(plan.risks["social_care"], max_ids=5)
    assert _cells(ax, "count")[(3, 4)].get_text() == "6"
    assert (3, 4) not in _cells(ax, "ids")
    assert _cells(ax, "ids")[(3, 5)].get_text() == "risk 1"
    plt.close(ax.figure)


def test_risk_heat_map_refuses_an_unknown_kind(plt):
    from planbook import plots
    reg = examples.load(SOCIAL_CARE_2016).risks["social_care"]
    with pytest.raises(ValueError, match="inherent, current, target"):
        plots.risk_heat_map(reg, kind="residual")


def test_risk_heat_map_on_every_register_of_every_example(plt):
    from planbook import plots
    n = 0
    for name in examples.names():
        plan = examples.load(name)
        for rid in plan.risks:
            for kind in ("inherent", "current", "target"):
                ax = plots.risk_heat_map(plan.risks[rid], kind)
                assert _drawn_counts(ax, plan) == plan.risks[rid].matrix(kind)
                plt.close(ax.figure)
                n += 1
    assert n == 9


def test_risk_heat_map_notes_a_score_without_likelihood_and_impact(plt):
    from planbook import plots
    plan = examples.load(SOCIAL_CARE_2016)
    reg = plan.risks["social_care"]
    reg["8"].current = "12"                    # a score as printed, no likelihood or impact
    ax = plots.risk_heat_map(reg)
    assert _drawn_counts(ax, plan) == reg.matrix()
    note = " ".join(_texts(ax)).replace("\n", " ")
    assert "a score without likelihood and impact: 1 risk (8)" in note
    assert "no current score: 2 risks (9, 10)" in note
    plt.close(ax.figure)


# ------------------------------------------------------ printed on A4

def _text_problems(fig):
    """Texts that leave the figure, and pairs of texts whose boxes overlap
    (matplotlib's extents, drawn by the Agg renderer)."""
    from planbook import plots
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    # what is drawn: visible texts, not on hidden axes, tick labels of drawn ticks
    boxes = [(t.get_text().replace("\n", " ")[:40], t.get_window_extent(renderer))
             for t in plots._shown_texts(fig)]
    fb, eps = fig.bbox, 0.5
    out = [f"leaves the figure: {name!r}" for name, b in boxes
           if b.x0 < fb.x0 - eps or b.y0 < fb.y0 - eps or b.x1 > fb.x1 + eps
           or b.y1 > fb.y1 + eps]
    for i, (na, a) in enumerate(boxes):
        for nb, b in boxes[i + 1:]:
            if a.x0 < b.x1 - eps and b.x0 < a.x1 - eps and a.y0 < b.y1 - eps \
                    and b.y0 < a.y1 - eps:
                out.append(f"overlap: {na!r} and {nb!r}")
    return out, len(boxes)


def test_the_text_check_sees_an_overlap_and_a_text_off_the_sheet(plt):
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.text(0.5, 0.5, "one label")
    ax.text(0.5, 0.5, "another label")
    ax.text(3.0, 0.5, "far off the right edge", transform=ax.transAxes)
    problems, _ = _text_problems(fig)
    plt.close(fig)
    assert any(p.startswith("overlap: 'one label'") for p in problems)
    assert any(p.startswith("leaves the figure: 'far off") for p in problems)


def _all_registers():
    import pathlib
    folder = pathlib.Path(examples.__file__).parent
    for path in sorted(folder.glob("*.yaml")):
        plan = planbook.load(path)
        for rid in plan.risks:
            yield path.stem, rid


@pytest.mark.parametrize("page", ["portrait", "landscape"])
@pytest.mark.parametrize("kind", ["current", "inherent", "target"])
def test_risk_heat_maps_on_a4_keep_every_text_apart_and_on_the_sheet(page, kind, plt):
    from planbook import plots
    seen = 0
    for name, rid in _all_registers():
        ax = plots.risk_heat_map(examples.load(name).risks[rid], kind, page=page)
        fig = ax.get_figure()
        assert tuple(fig.get_size_inches()) == pytest.approx(plots.A4[page])
        problems, n = _text_problems(fig)
        plt.close(fig)
        assert not problems, (name, rid, problems)
        assert n > 20   # the matrix's labels were all there to check
        seen += 1
    assert seen >= 3


def test_page_and_ax_are_one_or_the_other(plt):
    from planbook import plots
    reg = examples.load(CHILDREN_2018).risks["strategic"]
    with pytest.raises(ValueError, match="page is 'portrait' or 'landscape'"):
        plots.risk_heat_map(reg, page="A3")
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="not both"):
        plots.risk_heat_map(reg, ax=ax, page="portrait")
    plt.close(fig)


@pytest.mark.parametrize("page", ["portrait", "landscape"])
def test_dashboards_on_a4_keep_every_text_apart_and_on_the_sheet(page, plt):
    from matplotlib.text import Annotation
    from planbook import plots
    import pathlib
    folder = pathlib.Path(examples.__file__).parent
    sets = labels = kept = 0
    for path in sorted(folder.glob("*.yaml")):
        plan = planbook.load(path)
        for sid in plan.indicators:
            iset = plan.indicators[sid]
            figs = plots.dashboard(iset, page)
            per_page = 4 if page == "portrait" else 2
            assert len(figs) == -(-len(list(iset)) // per_page)
            for fig in figs:
                assert tuple(fig.get_size_inches()) == pytest.approx(plots.A4[page])
                problems, n = _text_problems(fig)
                assert not problems, (path.stem, sid, problems)
                notes = fig.findobj(Annotation)
                labels += len(notes)
                kept += sum(1 for t in notes if t.get_visible())
                plt.close(fig)
            sets += 1
    assert sets >= 5
    assert kept > labels / 2     # most figures by their points are still printed
