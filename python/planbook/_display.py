"""How plans, tables and findings show themselves: plain text for terminals
and escaped HTML (with a plain-text fallback) for notebooks."""

from __future__ import annotations

import html
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Tuple, TypeVar

from ._model import format_amount
from ._parts import PARTS

if TYPE_CHECKING:  # pragma: no cover
    from ._indicators import IndicatorSet
    from ._model import Cell, Findings, Plan, Table
    from ._records import Collection
    from ._risks import RiskRegister

_F = TypeVar("_F", bound=Callable[..., str])

MISMATCH = "\u26a0"  # warning sign: shown beside a printed figure that is off


def _cell_text(cell: Cell) -> str:
    value = cell.value
    if cell.state == "text" and isinstance(value, str):
        return value
    if cell.state == "nil":
        return "-"
    if cell.state == "value" and isinstance(value, Decimal):
        return format_amount(value)
    if cell.computed is not None:
        return f"[{format_amount(cell.computed)}]"
    return ""


def table_text(table: Table, width: int = 48) -> str:
    """The table as finance lays it out, in plain text.  Computed figures
    that were not printed are shown in [brackets]; a printed figure that
    disagrees with the arithmetic is flagged with its computed value."""
    cols = table.columns
    cells = table.cells()
    rows = list(table.rows)
    heads = [c.heading for c in cols]
    body: List[List[str]] = []
    labels: List[str] = []
    notes: List[str] = []
    for row, row_cells in zip(rows, cells):
        kind, label, depth = row.kind, row.label or "", row.depth
        labels.append(("  " * depth) + label)
        if kind == "section":
            body.append([""] * len(cols))
            continue
        texts: List[str] = []
        for cell in row_cells:
            t = _cell_text(cell)
            if cell.difference:
                t = f"{t} {MISMATCH}"
                notes.append(f"{MISMATCH} {label} / {cell.column}: printed "
                             f"{format_amount(cell.declared)}, computed "
                             f"{format_amount(cell.computed)}")
            texts.append(t)
        body.append(texts)
    lw = min(width, max([len(x) for x in labels] + [5]))
    cw = [max([len(h) for h in [heads[i]]] + [len(b[i]) for b in body] + [4])
          for i in range(len(cols))]
    cw = [min(w, 24) for w in cw]

    def clip(s: str, w: int) -> str:
        return s if len(s) <= w else s[: w - 1] + "\u2026"
    title = table.title or table.id
    out = [f"{title}  ({table.id}, {table.unit})"]
    out.append(" " * lw + " | " + " | ".join(clip(h, w).rjust(w) for h, w in zip(heads, cw)))
    out.append("-" * (lw + sum(w + 3 for w in cw)))
    for label, texts, row in zip(labels, body, rows):
        line = clip(label, lw).ljust(lw) + " | " + " | ".join(
            clip(t, w).rjust(w) for t, w in zip(texts, cw))
        out.append(line)
        if row.kind == "total":
            out.append("-" * (lw + sum(w + 3 for w in cw)))
    out.extend(notes)
    return "\n".join(out)


def _esc(s: object) -> str:
    return html.escape("" if s is None else str(s), quote=True)


def table_html(table: Table) -> str:
    cols = table.columns
    cells = table.cells()
    parts = ["<div class='planbook-table'>",
             f"<table><caption>{_esc(table.title or table.id)} "
             f"<small>({_esc(table.unit)})</small></caption><thead><tr><th></th>"]
    parts += [f"<th style='text-align:right'>{_esc(c.heading)}</th>" for c in cols]
    parts.append("</tr></thead><tbody>")
    for row, row_cells in zip(table.rows, cells):
        style = "font-weight:bold" if row.kind in ("total", "section") else ""
        pad = 1.2 * row.depth
        parts.append(f"<tr style='{style}'><td style='padding-left:{pad:.1f}em'>"
                     f"{_esc(row.label)}</td>")
        for cell in row_cells:
            if row.kind == "section":
                parts.append("<td></td>")
                continue
            text = _cell_text(cell)
            if cell.difference:
                parts.append(f"<td style='text-align:right;background:#fde2e1' title="
                             f"'computed {_esc(format_amount(cell.computed))}'>{_esc(text)} "
                             f"{MISMATCH}</td>")
            else:
                parts.append(f"<td style='text-align:right'>{_esc(text)}</td>")
        parts.append("</tr>")
    parts.append("</tbody></table>")
    parts.append(plain_text(table_text(table)) + "</div>")
    return "".join(parts)


def _headline(table: Table) -> Optional[Tuple[Optional[str], List[Tuple[str, Decimal]]]]:
    """(row label, [(column heading, figure)]) of a table's last top-level
    total, or None."""
    grand = [r for r in table.rows if r.kind == "total" and r.depth == 0 and not r.select]
    if not grand:
        return None
    row = grand[-1]
    figs: List[Tuple[str, Decimal]] = []
    for col in table.columns:
        if col.type != "amount":
            continue
        cell = row[col.id]
        v = cell.computed if cell.computed is not None else cell.value
        if isinstance(v, Decimal):  # not a text cell's words
            figs.append((col.heading, v))
    return row.label, figs


def plain_text(text: str) -> str:
    """The plain-text fallback under an HTML display (escaped)."""
    return f"<details><summary>plain text</summary><pre>{_esc(text)}</pre></details>"


#: How each part's tables, sets, registers or collections show on the
#: plan's summary card: ``fn(view) -> HTML`` (one <li>); a part without
#: one shows its title, id and size.
_SUMMARIES: Dict[str, Callable[[Any], str]] = {}


def _summary(part: str) -> Callable[[_F], _F]:
    def register(fn: _F) -> _F:
        _SUMMARIES[part] = fn
        return fn
    return register


def _named(what: str, view: Any) -> str:
    return f"<li>{_esc(what)} <b>{_esc(view.title or view.id)}</b> [{_esc(view.id)}]"


def _rag_counts(c: Dict[str, int]) -> str:
    return f"\u2716 {c['red']} red, \u25b2 {c['amber']} amber, \u2714 {c['green']} green"


@_summary("budgets")
def _budget_summary(table: Table) -> str:
    line = _named("budget table", table)
    head = _headline(table)
    if head and head[1]:
        label, figs = head
        shown = "; ".join(f"{_esc(h)}: {_esc(format_amount(v))}" for h, v in figs[:4])
        line += f" &mdash; {_esc(label)}: {shown} ({_esc(table.unit)})"
    return line + "</li>"


@_summary("indicators")
def _indicator_summary(s: IndicatorSet) -> str:
    line = _named("indicators", s)
    if s.report_period is not None:
        c = s.status().counts()
        line += (f" at {_esc(s.report_period)}: {_rag_counts(c)}; \u2191 {c['improving']} "
                 f"improving, \u2193 {c['worsening']} worsening")
    return line + "</li>"


@_summary("risks")
def _risk_summary(reg: RiskRegister) -> str:
    return f"{_named('risk register', reg)}: {len(reg)} risks; {_rag_counts(reg.profile())}</li>"


@_summary("records")
def _records_summary(coll: Collection) -> str:
    return f"{_named(coll.kind or 'records', coll)}: {len(coll)} items</li>"


def _default_summary(view: Any) -> str:
    return f"{_named(type(view).__name__, view)}: {len(view)}</li>"


def plan_html(plan: Plan) -> str:
    """The plan's summary card: its details, the parts it holds, the
    headline budget, and counts of findings and of red, amber and green."""
    meta = plan.meta
    findings = plan.check()
    rows = "".join(f"<tr><th style='text-align:left'>{_esc(k)}</th><td>{_esc(v)}</td></tr>"
                   for k, v in meta.items() if k not in ("notes", "source"))
    parts = [_SUMMARIES.get(part.name, _default_summary)(view)
             for part in PARTS for view in part.by_id(plan).values()]
    by_part: Dict[str, int] = {}
    for f in findings:
        by_part[f.part] = by_part.get(f.part, 0) + 1
    status = (f"{MISMATCH} {len(findings.errors)} errors, {len(findings.warnings)} warnings ("
              + ", ".join(f"{n} in {p}" for p, n in by_part.items()) + ")"
              if findings else "\u2713 every printed figure agrees")
    return (f"<div class='planbook-plan'><h4>{_esc(meta.get('title', 'Plan'))}</h4>"
            f"<table>{rows}</table><p>What it holds:</p><ul>{''.join(parts)}</ul>"
            f"<p>{_esc(status)}</p>{plain_text(repr(plan))}</div>")


def _mark(severity: str) -> str:
    return "\u2716 " if severity == "error" else "! "


def findings_html(findings: Findings) -> str:
    if not findings:
        return "<p>\u2713 no findings</p>"
    head = ("<tr><th>severity</th><th>code</th><th>table</th><th>row</th><th>column</th>"
            "<th>printed</th><th>computed</th><th>difference</th><th>where</th></tr>")
    body = "".join(
        f"<tr><td>{_esc(_mark(f.severity) + f.severity)}</td>"
        f"<td>{_esc(f.code)}</td><td>{_esc(f.table)}</td><td>{_esc(f.row)}</td>"
        f"<td>{_esc(f.column_heading)}</td><td style='text-align:right'>"
        f"{_esc(format_amount(f.declared))}</td><td style='text-align:right'>"
        f"{_esc(format_amount(f.computed))}</td><td style='text-align:right'>"
        f"{_esc(format_amount(f.difference))}</td><td>{_esc(f.where)}</td></tr>"
        for f in findings)
    return f"<table>{head}{body}</table>{plain_text(str(findings))}"
