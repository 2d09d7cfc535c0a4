"""Charts of a plan's budgets and indicators (matplotlib, optional).

planbook imports without matplotlib, and so does this module: matplotlib
is imported when a chart is drawn, and drawing one without it raises an
ImportError that says what to install (``pip install matplotlib``, or
``pip install 'planbook[plot]'``).

Every function draws on ``ax`` (a matplotlib Axes) when given, else on a
new figure, and returns the Axes so that the chart can be adjusted.
Colours are the Okabe-Ito palette (safe for the common kinds of colour
blindness), and nothing is told by colour alone: RAG status is also a
marker shape and a word, bands and bars carry labels.  Amounts are
:class:`decimal.Decimal` in planbook; they become floats here, for drawing
only.

>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import planbook
>>> from planbook import plots
>>> plan = planbook.examples.load("manchester-children-families-2015-17")
>>> ax = plots.reconciliation_bridge(plan.budgets["reconciliation"])
>>> ax.get_title()
'Service Activity net budget reconciliation 2014/15 - 2016/17'
>>> float(ax.patches[-1].get_height())       # the closing net budget, 2016/17
271459.0
"""

# matplotlib's stubs leave the **kwargs of its drawing methods (Axes.plot,
# .text, .legend...) unannotated, so every call through them is "partially
# unknown" in strict mode; this module's own names are all typed
# (docs/decisions.md, 2026-12-07).
# pyright: reportUnknownMemberType=false

from __future__ import annotations

import textwrap
from decimal import Decimal
from typing import (TYPE_CHECKING, Any, Callable, Dict, List, Optional, Sequence, Tuple, Union,
                    cast)

from ._model import format_amount

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.axis import Axis, Tick
    from matplotlib.backend_bases import RendererBase
    from matplotlib.figure import Figure
    from matplotlib.text import Text
    from matplotlib.transforms import Bbox

    from ._indicators import IndicatorSet, Measure
    from ._model import Cell, Column, Row, Table
    from ._risks import RiskRegister

__all__ = ["indicator_trend", "budget_by_service", "reconciliation_bridge", "savings_by_area",
           "risk_heat_map", "PALETTE", "RAG_STYLE", "RISK_BAND_STYLE"]

#: Okabe-Ito: a palette told apart under the common colour-vision deficiencies
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000",
           "#F0E442"]

#: RAG as colour, marker shape and word (never colour alone)
RAG_STYLE: Dict[str, Dict[str, str]] = {
    "green": {"color": "#009E73", "marker": "o", "word": "\u2714 green"},
    "amber": {"color": "#E69F00", "marker": "^", "word": "\u25b2 amber"},
    "red": {"color": "#D55E00", "marker": "X", "word": "\u2716 red"},
    "none": {"color": "#555555", "marker": "s", "word": "no RAG"},
}

#: a risk matrix cell's band as a fill (a light tint of the Okabe-Ito colour, so
#: that the count on it reads), a hatch and a letter (never colour alone)
RISK_BAND_STYLE: Dict[str, Dict[str, str]] = {
    "green": {"fill": "#99D8C7", "hatch": "", "letter": "G", "word": "\u2714 green"},
    "amber": {"fill": "#F5D699", "hatch": "..", "letter": "A", "word": "\u25b2 amber"},
    "red": {"fill": "#E8A57A", "hatch": "//", "letter": "R", "word": "\u2716 red"},
}

_UNIT_LABEL = {"percent": "Percent", "days": "Days", "count": "Count", "money": "£",
               "number": "Value", "text": "Value"}


def _require_matplotlib(feature: str):
    """matplotlib.pyplot, or an ImportError saying what to install."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(f"{feature} needs matplotlib: pip install matplotlib "
                          f"(or pip install 'planbook[plot]')") from exc
    return plt


#: An A4 sheet in inches, (width, height), by orientation: ``page=`` of
#: the charts that are printed (risk_heat_map).
A4 = {"portrait": (8.27, 11.69), "landscape": (11.69, 8.27)}


def _axes(feature: str, ax: Optional[Axes], figsize: Tuple[float, float],
          page: Optional[str] = None) -> Tuple[Any, Axes]:
    plt = _require_matplotlib(feature)
    if page is not None:
        if page not in A4:
            raise ValueError(f"page is 'portrait' or 'landscape' (A4), not {page!r}")
        if ax is not None:
            raise ValueError("give page (a new A4 figure) or ax (an Axes to draw on), not both")
        figsize = A4[page]
    if ax is None:
        made: Axes
        _, made = plt.subplots(figsize=figsize, layout="constrained")
        return plt, made
    return plt, ax


def _f(value: Optional[Decimal]) -> Optional[float]:
    return None if value is None else float(value)


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width)) if text else ""


def _clip(text: str, width: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "\u2026"


def _thousands(ax_axis: Axis) -> None:
    """Tick labels as finance prints amounts: 10,000 and (3,000)."""
    from matplotlib.ticker import FuncFormatter

    def tick(v: float, _pos: Optional[int]) -> str:
        return format_amount(Decimal(int(round(v))), zero="0")
    ax_axis.set_major_formatter(FuncFormatter(tick))


def _amount_label(value: Decimal, sign: bool = False) -> str:
    text = format_amount(value)
    if sign and value > 0:
        text = "+" + text
    return text


# ------------------------------------------------------------ indicators

def _measure_axis_label(measure: Measure) -> str:
    unit = measure.unit
    if unit == "rate":
        per = measure.per
        return f"Rate per {per:,}" if per else "Rate"
    return _UNIT_LABEL.get(unit, unit.capitalize() if unit else "Value")


def _band_limits(lo: float, hi: float) -> Tuple[float, float]:
    span = hi - lo
    pad = span * 0.08 if span > 0 else (abs(hi) * 0.1 or 1.0)
    return lo - pad, hi + pad


def indicator_trend(measure: Measure, ax: Optional[Axes] = None) -> Axes:
    """A measure's results by period, with its targets, threshold bands
    and comparators.

    The results are a line through the periods that have a figure; each
    point is marked by its RAG at that period (a circle green, a triangle
    amber, a cross red, a square without RAG) and labelled with its
    figure.  Targets are a dashed line of diamonds, comparator series
    dotted lines.  When Good and Of concern are figures, the chart is
    shaded by what the status engine makes of each figure (green at or
    better than Good, amber up to Of concern, red beyond), following the
    measure's polarity; Action required is a dotted line.  Percentages
    get a percent axis.

    Parameters
    ----------
    measure : Measure
        ``plan.indicators["children"]["1.3"]``.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    _, ax = _axes("plots.indicator_trend", ax, (8.5, 5.0))
    from matplotlib.lines import Line2D
    from matplotlib.ticker import PercentFormatter

    iset = measure._set
    periods = iset.periods
    xs = list(range(len(periods)))
    unit = measure.unit
    polarity = measure.polarity

    values = measure.values
    points: List[Tuple[int, float, str, str]] = []   # x, y, rag, text
    for k, p in enumerate(periods):
        obs = values[p]
        if obs.value is None:
            continue
        try:
            rag = measure.status(p).rag
        except Exception:  # a period the engine cannot judge: no RAG
            rag = "none"
        points.append((k, float(obs.value), rag, str(obs)))

    targets = [(k, float(o.value)) for k, (_, o) in enumerate(measure.targets.items())
               if o.value is not None]
    comps: List[Tuple[str, List[Tuple[int, float]]]] = []
    for cid, cname in iset.comparators.items():
        series = [(k, float(o.value)) for k, (_, o) in
                  enumerate(measure.comparator(cid).items()) if o.value is not None]
        if series:
            comps.append((cname, series))

    thresholds = measure.thresholds
    good: Optional[float] = None
    concern: Optional[float] = None
    action: Optional[float] = None
    text: Dict[str, str] = {}
    if isinstance(thresholds, tuple):
        good, concern, action = (_f(o.value) for o in thresholds)
        # the thresholds as printed (30.0 stays 30.0)
        text = dict(zip(("good", "concern", "action"), (str(o) for o in thresholds)))

    ys = [y for _, y, _, _ in points] + [y for _, y in targets]
    ys += [y for _, s in comps for _, y in s]
    ys += [v for v in (good, concern, action) if v is not None]
    if not ys:
        ys = [0.0, 1.0]
    lo, hi = _band_limits(min(ys), max(ys))
    banded = good is not None and concern is not None and polarity in ("high", "low")
    if min(ys) >= 0 and (lo < 0 or banded):
        lo = 0.0   # bands run from zero: the whole of the green (or red) side shows
    if unit == "percent":
        lo, hi = max(lo, 0.0), min(hi, 100.0) if max(ys) <= 100 else hi

    # threshold bands: what the engine calls green, amber and red
    if banded:
        assert good is not None and concern is not None  # banded says so
        if polarity == "low":
            spans = [("green", lo, good), ("amber", good, concern), ("red", concern, hi)]
            words = {"green": f"Good: at or below {text['good']}",
                     "amber": f"Of concern: above Good, up to {text['concern']}",
                     "red": f"Red: above Of concern {text['concern']}"}
        else:
            spans = [("green", good, hi), ("amber", concern, good), ("red", lo, concern)]
            words = {"green": f"Good: at or above {text['good']}",
                     "amber": f"Of concern: below Good, down to {text['concern']}",
                     "red": f"Red: below Of concern {text['concern']}"}
        for rag, a, b in spans:
            a, b = max(a, lo), min(b, hi)
            if b <= a:
                continue
            ax.axhspan(a, b, color=RAG_STYLE[rag]["color"], alpha=0.18, lw=0,
                       label=words[rag], gid=f"band-{rag}", zorder=0)
            ax.text(1.0, (a + b) / 2, f" {RAG_STYLE[rag]['word']} ",
                    transform=ax.get_yaxis_transform(), ha="right", va="center",
                    fontsize=8, color="#333333", zorder=1)
        if action is not None and lo <= action <= hi:
            ax.axhline(action, color="#333333", lw=1, ls=":",
                       label=f"Action required {text['action']}", gid="action-required")

    # comparators, targets, results
    styles = [("#56B4E9", "s"), ("#CC79A7", "v"), ("#0072B2", "P"), ("#999999", "*")]
    for n, (cname, series) in enumerate(comps):
        colour, marker = styles[n % len(styles)]
        ax.plot([x for x, _ in series], [y for _, y in series], ls=":", lw=1.6,
                marker=marker, color=colour, label=cname, zorder=3)
    if targets:
        ax.plot([x for x, _ in targets], [y for _, y in targets], ls="--", lw=1.4,
                marker="D", ms=6, color="#000000", mfc="white", label="Target", zorder=4,
                gid="target")
    if points:
        ax.plot([x for x, _, _, _ in points], [y for _, y, _, _ in points], color="#0072B2",
                lw=2, zorder=5, label="Result", gid="result")
        for x, y, rag, shown in points:
            st = RAG_STYLE[rag]
            ax.plot([x], [y], ls="none", marker=st["marker"], ms=9, color=st["color"],
                    mec="#222222", mew=0.8, zorder=6)
            ax.annotate(shown, (x, y), textcoords="offset points", xytext=(0, 9),
                        ha="center", fontsize=8, zorder=7)

    ax.set_xticks(xs)
    ax.set_xticklabels(periods, rotation=45 if len(periods) > 6 else 0,
                       ha="right" if len(periods) > 6 else "center")
    ax.set_xlim(-0.5, len(periods) - 0.5)
    ax.set_ylim(lo, hi)
    if unit == "percent":
        ax.yaxis.set_major_formatter(PercentFormatter(xmax=100))
    ax.set_xlabel("Period")
    ax.set_ylabel(_measure_axis_label(measure))
    better = {"high": "higher is better", "low": "lower is better"}.get(polarity,
                                                                         "no polarity")
    name = measure.name or ""
    ax.set_title(_wrap(f"{measure.ref} {name}", 70) + f"\n({better})", fontsize=11)
    ax.grid(axis="y", color="#dddddd", lw=0.6, zorder=0)

    handles, labels = ax.get_legend_handles_labels()
    used = sorted({rag for _, _, rag, _ in points}, key=list(RAG_STYLE).index)
    for rag in used:
        st = RAG_STYLE[rag]
        handles.append(Line2D([], [], ls="none", marker=st["marker"], ms=8, color=st["color"],
                              mec="#222222"))
        labels.append(f"Result: {st['word']}")
    if handles:
        ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8,
                  frameon=False)
    return ax


# --------------------------------------------------------------- budgets

def _column_label(col: Column) -> str:
    if col.period:
        return f"{col.period} {col.phase}" if col.phase else col.period
    return col.heading


def _budget_columns(table: Table, columns: Optional[Sequence[Any]],
                    measure: Optional[str]) -> List[Column]:
    cols = [c for c in table.columns if c.type == "amount"]
    if columns is not None:
        wanted = [table.columns[table._col(c)].id for c in columns]
        return [c for c in table.columns if c.id in wanted]
    cols = [c for c in cols if c.unit in (None, table.unit)]
    if measure is None:
        measures = [c.measure for c in cols if c.measure]
        if measures:
            measure = "net" if "net" in measures else measures[0]
    if measure is not None:
        cols = [c for c in cols if c.measure == measure]
    return cols


def _shown(cell: Cell) -> float:
    v = cell.shown
    return float(v) if isinstance(v, Decimal) else 0.0


def budget_by_service(table: Table, ax: Optional[Axes] = None, *,
                      columns: Optional[Sequence[Any]] = None,
                      measure: Optional[str] = None) -> Axes:
    """A budget by service and year: grouped horizontal bars, one group
    per line of the table (a service), one bar per column (a year).

    By default the columns are the table's amount columns in its own unit
    (FTE columns are left out) and, when the columns say what they
    measure, those measuring ``net`` (else the first measure named);
    ``measure="gross"`` or ``columns=[ids]`` choose others.  Each line's
    figure is as printed, else as computed (a line with parts).

    Returns
    -------
    matplotlib Axes
    """
    cols = _budget_columns(table, columns, measure)
    if not cols:
        raise ValueError(f"table {table.id!r} has no amount columns to draw")
    lines = table.lines()
    n, m = len(lines), len(cols)
    _, ax = _axes("plots.budget_by_service", ax, (9.0, max(3.5, 0.42 * n * max(m, 2) / 2 + 1.8)))
    height = 0.8 / m
    hatches = ["", "//", "..", "\\\\", "xx", "oo"]
    for j, col in enumerate(cols):
        ys = [i - 0.4 + height * (j + 0.5) for i in range(n)]
        widths = [_shown(row[col.id]) for row in lines]
        bars = ax.barh(ys, widths, height=height * 0.95, color=PALETTE[j % len(PALETTE)],
                       hatch=hatches[j % len(hatches)] if m > 1 else "", edgecolor="white",
                       lw=0.5, label=_column_label(col), zorder=3)
        for b in bars.patches:
            b.set_gid(f"bar-{col.id}")
    ax.set_yticks(range(n))
    ax.set_yticklabels([_clip(r.label or "", 48) for r in lines], fontsize=8)
    ax.invert_yaxis()
    _thousands(ax.xaxis)
    measures = {c.measure for c in cols}
    what = (next(iter(measures)) or "").capitalize() + " budget" if len(measures) == 1 \
        and None not in measures else "Budget"
    ax.set_xlabel(f"{what} ({table.unit})")
    ax.set_ylabel("Service")
    ax.axvline(0, color="#333333", lw=0.8)
    ax.grid(axis="x", color="#dddddd", lw=0.6, zorder=0)
    ax.set_title(_wrap(f"{table.title or table.id}: {what.lower()} by service", 80),
                 fontsize=11)
    if m > 1 or cols[0].period:
        ax.legend(title="Year" if all(c.period for c in cols) else "Column", fontsize=8,
                  title_fontsize=8, loc="lower right")
    return ax


def _closing_row(table: Table) -> Optional[Row]:
    """The row whose figures the bridge draws: the last top-level total."""
    tops = [r for r in table.totals() if r.parent is None]
    return tops[-1] if tops else None


def _step_label(col: Column) -> str:
    if col.measure and col.period:
        return f"{col.measure.capitalize()}\n{col.period}"
    return _wrap(col.heading, 14)


def reconciliation_bridge(table: Table, column: Union[None, int, str, Column] = None,
                          ax: Optional[Axes] = None) -> Axes:
    """The reconciliation as a bridge (waterfall): opening net budget,
    plus growth, less savings, equals the closing net budget.

    The steps come from the closing column's ``sum`` (its terms and their
    signs): ``net_2015 = net_2014 + growth_2015 + savings_2015``.  Without
    ``column``, the last net column that is a sum is the closing one, and
    a term that is itself a sum column is bridged too, so a reconciliation
    over several years is one chain with the net budget of each year as a
    subtotal.  The figures are the table's total row (the last top-level
    total; without one, the sum of its lines), as printed.  When a printed
    net budget is not what its steps add up to, the bar shows the printed
    figure and a note says what the arithmetic gives.

    Returns
    -------
    matplotlib Axes
    """
    cols = table.columns
    by_id = {c.id: c for c in cols}
    if column is None:
        sums = [c for c in cols if c.sum]
        nets = [c for c in sums if c.measure == "net"]
        if not (nets or sums):
            raise ValueError(f"table {table.id!r} has no column computed from others "
                             f"(a reconciliation step)")
        closing = (nets or sums)[-1]
        chain = True
    else:
        closing = cols[table._col(column)]
        if not closing.sum:
            raise ValueError(f"column {closing.id!r} is not computed from other columns")
        chain = False

    total = _closing_row(table)
    if total is not None:
        def figure(col_id: str) -> Decimal:
            v = total[col_id].shown
            return v if isinstance(v, Decimal) else Decimal(0)
        row_label = total.label or "total"
    else:
        lines = table.lines()

        def figure(col_id: str) -> Decimal:
            vals = [r[col_id].shown for r in lines]
            return sum((v for v in vals if isinstance(v, Decimal)), Decimal(0))
        row_label = "sum of the lines"

    def opening_of(col: Column) -> Tuple[Tuple[str, int], List[Tuple[str, int]]]:
        terms = [(t.lstrip("-"), -1 if t.startswith("-") else 1) for t in col.sum]
        same = [t for t in terms if by_id[t[0]].measure == col.measure and t[1] > 0]
        first = same[0] if same else terms[0]
        return first, [t for t in terms if t is not first]

    # the bars, from the closing column back to the first opening figure
    bars: List[Tuple[str, str, Decimal, str]] = []   # kind, label, amount, column id

    def expand(col: Column) -> None:
        (oid, _), steps = opening_of(col)
        ocol = by_id[oid]
        if chain and ocol.sum:
            expand(ocol)
            bars.append(("subtotal", _step_label(ocol), figure(oid), oid))
        else:
            bars.append(("opening", _step_label(ocol), figure(oid), oid))
        for sid, sign in steps:
            bars.append(("step", _step_label(by_id[sid]), sign * figure(sid), sid))
    expand(closing)
    bars.append(("closing", _step_label(closing), figure(closing.id), closing.id))

    _, ax = _axes("plots.reconciliation_bridge", ax, (max(6.5, 1.15 * len(bars) + 2), 5.0))
    colours = {"opening": "#0072B2", "subtotal": "#0072B2", "closing": "#0072B2",
               "up": "#D55E00", "down": "#009E73"}
    hatch = {"up": "//", "down": "\\\\"}
    running = Decimal(0)
    notes: List[str] = []
    tops: List[float] = []
    for x, (kind, label, amount, cid) in enumerate(bars):
        if kind == "step":
            d = "up" if amount >= 0 else "down"
            base = running
            running += amount
            b = ax.bar(x, float(amount), bottom=float(base), color=colours[d], hatch=hatch[d],
                       edgecolor="white", width=0.65, zorder=3)
            b[0].set_gid(f"step-{cid}")
            ax.annotate(_amount_label(amount, sign=True), (x, float(max(base, running))),
                        textcoords="offset points", xytext=(0, 3), ha="center", fontsize=8)
        else:
            if kind != "opening" and amount != running:
                notes.append(f"{label.replace(chr(10), ' ')}: printed {format_amount(amount)}, "
                             f"the steps give {format_amount(running)} "
                             f"(difference {format_amount(amount - running)})")
            running = amount
            b = ax.bar(x, float(amount), color=colours[kind], edgecolor="white", width=0.65,
                       zorder=3)
            b[0].set_gid(f"{kind}-{cid}")
            ax.annotate(_amount_label(amount), (x, float(amount)), textcoords="offset points",
                        xytext=(0, 3), ha="center", fontsize=8, fontweight="bold")
        tops.append(float(running))
    for x in range(len(bars) - 1):  # connectors: where one bar ends the next begins
        ax.plot([x + 0.325, x + 0.675], [tops[x], tops[x]], color="#555555", lw=0.8,
                zorder=2)
    ax.set_xticks(range(len(bars)))
    ax.set_xticklabels([b[1] for b in bars], fontsize=8)
    ax.set_xlim(-0.6, len(bars) - 0.4)
    ymax = max(tops + [float(b[2]) for b in bars if b[0] != "step"])
    ax.set_ylim(0, ymax * 1.18 if ymax > 0 else 1)   # headroom: labels and legend
    _thousands(ax.yaxis)
    ax.set_ylabel(f"Net budget ({table.unit})")
    ax.set_xlabel("Net budget, and the changes that lead from one to the next")
    ax.grid(axis="y", color="#dddddd", lw=0.6, zorder=0)
    ax.set_title(_wrap(table.title or table.id, 80), fontsize=11)
    from matplotlib.patches import Patch
    ax.legend(handles=[Patch(color=colours["opening"], label="Net budget"),
                       Patch(facecolor=colours["up"], hatch="//", edgecolor="white",
                             label="Increase (growth)"),
                       Patch(facecolor=colours["down"], hatch="\\\\", edgecolor="white",
                             label="Decrease (savings)")],
              fontsize=8, loc="upper center", ncol=3, framealpha=0.9)
    foot = f"Figures: {row_label} row."
    if notes:
        foot += " " + "; ".join(notes) + "."
    ax.text(0, -0.2, _wrap(foot, 110), transform=ax.transAxes, fontsize=7.5, va="top",
            color="#333333")
    return ax


def _areas(table: Table) -> List[Tuple[Optional[str], List[Row]]]:
    """The lines grouped by their top-level section (the area)."""
    groups: List[Tuple[Optional[str], List[Row]]] = []
    current: object = object()
    for row in table.lines():
        top = row
        while top.parent is not None:
            top = top.parent
        area = top.label if top.kind == "section" else None
        if not groups or current != top.index:
            groups.append((area, []))
            current = top.index
        groups[-1][1].append(row)
    return groups


def savings_by_area(table: Table, ax: Optional[Axes] = None, *,
                    column: Union[None, int, str, Column] = None, by: str = "line") -> Axes:
    """A savings schedule as horizontal bars: one bar per line (``by=
    "line"``, the default) or per area (``by="area"``, the top-level
    sections), for one column.

    The column is ``column`` (an id, label or period), else the table's
    total column (a sum of the others), else its last amount column.  Lines
    are grouped under their area, whose name heads the group and colours
    its bars; each bar is labelled with its figure, reversals and
    adjustments (negative) in parentheses, to the left of zero.

    Returns
    -------
    matplotlib Axes
    """
    if by not in ("line", "area"):
        raise ValueError("by is 'line' or 'area'")
    cols = table.columns
    if column is not None:
        col = cols[table._col(column)]
    else:
        amount = [c for c in cols if c.type == "amount"]
        totals = [c for c in amount if c.sum and not c.period]
        if not amount:
            raise ValueError(f"table {table.id!r} has no amount columns")
        col = (totals or amount)[-1]
    groups = _areas(table)

    labels: List[Tuple[str, bool]] = []     # (text, is a heading)
    bars: List[Tuple[int, Decimal, int]] = []   # y, value, area number
    y = 0
    for g, (area, rows) in enumerate(groups):
        if by == "area":
            shown = [r[col.id].shown for r in rows]
            value = sum((v for v in shown if isinstance(v, Decimal)), Decimal(0))
            labels.append((_clip(area or "(no area)", 60), False))
            bars.append((y, value, g))
            y += 1
            continue
        if area is not None:
            labels.append((_clip(area, 60), True))
            y += 1
        for r in rows:
            v = r[col.id].shown
            labels.append((_clip(r.label or "", 60), False))
            bars.append((y, v if isinstance(v, Decimal) else Decimal(0), g))
            y += 1

    n = len(labels)
    _, ax = _axes("plots.savings_by_area", ax, (10.0, max(3.5, 0.24 * n + 1.6)))
    for yy, value, g in bars:
        b = ax.barh(yy, float(value), height=0.7, color=PALETTE[g % len(PALETTE)],
                    edgecolor="#333333" if value < 0 else "white", lw=0.6,
                    hatch="//" if value < 0 else "", zorder=3)
        b[0].set_gid(f"area-{g}")
        ax.annotate(_amount_label(value), (float(value), yy), textcoords="offset points",
                    xytext=(3 if value >= 0 else -3, 0), ha="left" if value >= 0 else "right",
                    va="center", fontsize=7)
    ax.set_yticks(range(n))
    ax.set_yticklabels([t for t, _ in labels], fontsize=7)
    for tick, (_, heading) in zip(ax.get_yticklabels(), labels):
        if heading:
            tick.set_fontweight("bold")
            tick.set_fontsize(8)
    ax.set_ylim(n - 0.5, -0.5)
    values = [float(v) for _, v, _ in bars] or [0.0]
    lo, hi = min(values + [0.0]), max(values + [0.0])
    span = (hi - lo) or 1.0
    ax.set_xlim(lo - 0.12 * span if lo < 0 else 0, hi + 0.12 * span)
    ax.axvline(0, color="#333333", lw=0.8)
    _thousands(ax.xaxis)
    ax.grid(axis="x", color="#dddddd", lw=0.6, zorder=0)
    ax.set_xlabel(f"Savings ({col.unit or table.unit}), column: {_column_label(col)}")
    ax.set_ylabel("Area" if by == "area" else "Saving, grouped by area")
    what = "by area" if by == "area" else "by line, grouped by area"
    ax.set_title(_wrap(table.title or table.id, 70) + f"\nSavings {what}: "
                 f"{_clip(_column_label(col), 40)}", fontsize=11)
    return ax


# ----------------------------------------------------------------- risks

_SCORE_KINDS = ("inherent", "current", "target")


def _risk_band(score: int, bands: Tuple[int, int]) -> str:
    """The band of a score: up to bands[0] green, up to bands[1] amber,
    above red (the rule of ``plan.risk_bands``)."""
    green, amber = bands
    return "green" if score <= green else "amber" if score <= amber else "red"


def _id_list(ids: List[str], per_line: int = 3) -> str:
    return "\n".join(", ".join(ids[k:k + per_line]) for k in range(0, len(ids), per_line))


def risk_heat_map(register: RiskRegister, kind: str = "current", ax: Optional[Axes] = None, *,
                  max_ids: int = 6, page: Optional[str] = None) -> Axes:
    """A risk register's heat map: the likelihood x impact matrix with the
    number of risks in each cell.

    The matrix has the plan's sides (``plan.risk_matrix``), likelihood up
    the side and impact across.  Each cell is shaded by the band of its
    score, likelihood x impact, under ``plan.risk_bands`` (up to the first
    figure green, up to the second amber, above red), and carries the
    band's letter (G, A, R) and a hatch as well as its colour.  A cell with
    risks shows their number and, when there are at most ``max_ids``, their
    ids.  Risks the matrix cannot place (no ``kind`` score, a score
    without both likelihood and impact, or one outside the matrix) are
    named in a note under the chart, and so is a printed score that is not
    likelihood x impact (the risk is placed by its likelihood and impact,
    as the check reads it).  A register with no such scores at all gives
    an empty matrix that says so.

    Parameters
    ----------
    register : RiskRegister
        ``plan.risks["social_care"]``.
    kind : "current" (default), "inherent" or "target"
    ax : matplotlib Axes, optional
    max_ids : int
        the most risk ids listed in a cell (6); a fuller cell shows its count only.
    page : "portrait" or "landscape", optional
        a new figure the size of an A4 sheet, to print (instead of ``ax``);
        no two texts overlap and none leaves the sheet (tests/test_plots.py).

    Returns
    -------
    matplotlib Axes
    """
    if kind not in _SCORE_KINDS:
        raise ValueError(f"kind is one of {', '.join(_SCORE_KINDS)}, not {kind!r}")
    plan = register._plan
    lmax, imax = plan.risk_matrix
    bands = plan.risk_bands

    from ._risks import Placed
    placed = Placed(register, kind)
    cells, unscored, unplaced = placed.cells, placed.unscored, placed.unplaced
    outside, misprinted = placed.outside, placed.misprinted

    _, ax = _axes("plots.risk_heat_map", ax, (max(6.5, 1.05 * imax + 3.2),
                                                 max(5.0, 0.9 * lmax + 2.2)), page)
    from matplotlib.patches import Patch, Rectangle

    for lk in range(1, lmax + 1):
        for im in range(1, imax + 1):
            score = lk * im
            band = _risk_band(score, bands)
            st = RISK_BAND_STYLE[band]
            x0, y0 = im - 0.5, lk - 0.5
            ax.add_patch(Rectangle((x0, y0), 1, 1, facecolor=st["fill"], hatch=st["hatch"],
                                   edgecolor="white", lw=2, zorder=1, gid=f"cell-{lk}-{im}"))
            ax.text(x0 + 0.06, y0 + 0.94, f"{st['letter']} {score}", ha="left", va="top",
                    fontsize=7, color="#333333", zorder=3, gid=f"band-{lk}-{im}")
            ids = cells.get((lk, im))
            if not ids:
                continue
            box = dict(boxstyle="round,pad=0.25", facecolor="white", edgecolor="#333333",
                       lw=0.6)
            shown = len(ids) <= max_ids
            ax.text(im, lk + 0.12 if shown else lk, str(len(ids)), ha="center", va="center",
                    fontsize=13, fontweight="bold", zorder=4, bbox=box, gid=f"count-{lk}-{im}")
            if shown:
                word = "risk " if len(ids) == 1 else "risks "
                ax.text(im, y0 + 0.1, _id_list([word + ids[0]] + ids[1:]), ha="center",
                        va="bottom", fontsize=7, linespacing=1.1, color="#222222", zorder=4,
                        gid=f"ids-{lk}-{im}",
                        bbox=dict(boxstyle="square,pad=0.15", facecolor="white",
                                  edgecolor="none", alpha=0.85))

    ax.set_xlim(0.5, imax + 0.5)
    ax.set_ylim(0.5, lmax + 0.5)
    ax.set_aspect("equal")
    ax.set_xticks(range(1, imax + 1))
    ax.set_yticks(range(1, lmax + 1))
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    ax.set_xlabel("Impact")
    ax.set_ylabel("Likelihood")
    name = register.title or register.id
    placed = sum(len(v) for v in cells.values())
    ax.set_title(_wrap(name, 60) + f"\n{kind.capitalize()} scores: {placed} of "
                 f"{len(register)} risks by likelihood and impact", fontsize=11)

    green, amber = bands
    top = lmax * imax
    spans = {"green": f"score 1 to {green}", "amber": f"score {green + 1} to {amber}",
             "red": f"score {amber + 1} to {top}" if amber < top else f"above {amber}"}
    handles = [Patch(facecolor=RISK_BAND_STYLE[b]["fill"], hatch=RISK_BAND_STYLE[b]["hatch"],
                     edgecolor="#555555",
                     label=f"{RISK_BAND_STYLE[b]['letter']}  {RISK_BAND_STYLE[b]['word']}: "
                           f"{spans[b]}")
               for b in ("red", "amber", "green")]
    ax.legend(handles=handles, title="Band (likelihood \u00d7 impact)", title_fontsize=8,
              fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False,
              handlelength=2.2, handleheight=1.6)

    if not cells:
        what = "no risks" if not len(register) else f"no {kind} scores"
        ax.text((imax + 1) / 2, (lmax + 1) / 2, f"This register has {what}\n"
                f"with likelihood and impact to place",
                ha="center", va="center", fontsize=10, zorder=5, gid="empty-note",
                bbox=dict(boxstyle="round,pad=0.5", facecolor="white", edgecolor="#333333"))
    missing: List[str] = []
    if unscored:
        missing.append(f"no {kind} score: {_count_ids(unscored)}")
    if unplaced:
        missing.append(f"a score without likelihood and impact: {_count_ids(unplaced)}")
    if outside:
        missing.append(f"outside the {lmax} \u00d7 {imax} matrix: {_count_ids(outside)}")
    notes: List[str] = []
    if missing:
        notes.append(_wrap("Not in the matrix, " + "; ".join(missing) + ".", 95))
    if misprinted:
        notes.append(_wrap("Printed score disagrees: " + "; ".join(misprinted)
                           + " (placed by likelihood and impact).", 95))
    if notes:
        ax.text(0, -0.12, "\n".join(notes), transform=ax.transAxes, fontsize=7.5, va="top",
                color="#333333", gid="note")
    return ax


def _count_ids(ids: List[str]) -> str:
    n = len(ids)
    return f"{n} risk{'s' if n != 1 else ''} ({', '.join(ids)})"


# ------------------------------------------------------- printed pages

def _shown_texts(fig: Figure) -> List[Text]:
    """The texts a reader sees: visible, not empty, not on a hidden axes,
    and of the tick labels only those of ticks the axis draws (inside its
    view; matplotlib keeps the others as visible texts it does not draw)."""
    from matplotlib.text import Text
    undrawn: set[int] = set()
    for ax in fig.axes:
        if not ax.get_visible():
            undrawn |= {id(t) for t in ax.findobj(Text)}
            continue
        for axis in (ax.xaxis, ax.yaxis):
            # the ticks the axis draws: a private method, not in matplotlib's stubs
            update_ticks: Callable[[], List[Tick]] = getattr(axis, "_update_ticks")
            drawn = {id(t) for t in update_ticks()}
            undrawn |= {id(lab) for t in axis.get_major_ticks() + axis.get_minor_ticks()
                        if id(t) not in drawn for lab in (t.label1, t.label2)}
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()
            and (t.axes is None or t.axes.get_visible()) and id(t) not in undrawn]


def _overlaps(a: Bbox, b: Bbox, eps: float = 0.5) -> bool:
    return a.x0 < b.x1 - eps and b.x0 < a.x1 - eps and a.y0 < b.y1 - eps and b.y0 < a.y1 - eps


def _declutter(fig: Figure) -> None:
    """Make a drawn page legible: tick labels thinned until they do not
    touch, then each figure label beside a point dropped when it would
    overlap a text already kept (the y axis still reads the value)."""
    from matplotlib.text import Annotation
    fig.canvas.draw()                    # the constrained layout, once; then kept
    fig.set_layout_engine("none")
    # the Agg canvas's renderer (FigureCanvasBase, in the stubs, has none)
    renderer: RendererBase = getattr(fig.canvas, "get_renderer")()
    for ax in fig.axes:
        labels = [t for t in ax.get_xticklabels() if t.get_text()]
        step = 1
        while step < len(labels):
            shown = labels[::step]
            boxes = [t.get_window_extent(renderer) for t in shown]
            if not any(_overlaps(a, b) for a, b in zip(boxes, boxes[1:])):
                break
            step += 1
        for k, t in enumerate(labels):
            t.set_visible(k % step == 0)
    fig.canvas.draw()
    kept = [t.get_window_extent(renderer) for t in _shown_texts(fig)
            if not isinstance(t, Annotation)]
    for t in fig.findobj(Annotation):
        box = t.get_window_extent(renderer)
        if any(_overlaps(box, k) for k in kept) or not fig.bbox.contains(box.x0, box.y0) \
                or not fig.bbox.contains(box.x1, box.y1):
            t.set_visible(False)
        else:
            kept.append(box)


def dashboard(indicators: IndicatorSet, page: str = "portrait", *,
              per_page: Optional[int] = None) -> List[Figure]:
    """An indicator set's measures as printed pages: A4 figures (portrait:
    four trends a page, stacked; landscape: two), each measure drawn by
    :func:`indicator_trend` with its title wrapped to the page, period
    labels thinned and figure labels that would collide left out, so no
    two texts overlap and none leaves the sheet.  Returns the figures, one
    a page (``fig.savefig`` each, or a PdfPages)."""
    plt = _require_matplotlib("plots.dashboard")
    if page not in A4:
        raise ValueError(f"page is 'portrait' or 'landscape' (A4), not {page!r}")
    n = per_page or (4 if page == "portrait" else 2)
    measures: List[Measure] = list(indicators)
    figs: List[Figure] = []
    for k in range(0, max(len(measures), 1), n):
        # declared: matplotlib's stubs type the axes array as Any in some
        # releases and as ndarray[Unknown] in others
        made = cast(Tuple[Any, Any], plt.subplots(n, 1, figsize=A4[page], layout="constrained",
                                                  squeeze=False))
        fig: Figure = made[0]
        grid: Any = made[1]
        axes: List[Axes] = [grid[i, 0] for i in range(n)]
        chunk = measures[k:k + n]
        width = int(A4[page][0] * 72 / (9 * 0.62))      # characters a title line holds
        for ax, m in zip(axes, chunk):
            indicator_trend(m, ax=ax)
            title = ax.get_title().split("\n")
            ax.set_title(_wrap(" ".join(title[:-1]), width) + "\n" + title[-1], fontsize=9)
            ax.xaxis.label.set_visible(False)
            for t in ax.get_xticklabels() + ax.get_yticklabels():
                t.set_fontsize(7)
            ax.yaxis.label.set_fontsize(8)
            leg = ax.get_legend()
            if leg is not None:
                for t in leg.get_texts():
                    t.set_text(_wrap(t.get_text(), 28))
                    t.set_fontsize(7)
        for ax in axes[len(chunk):]:
            ax.set_visible(False)
        _declutter(fig)
        figs.append(fig)
    return figs
