"""What changed between two versions of a plan: :func:`diff`.

The result is a :class:`PlanDiff`, a list of :class:`Change` records, each
with a ``part`` (``"plan"``, ``"budgets"``; later ``"indicators"``,
``"risks"``), a ``kind`` and where it happened.  Each part of a plan has its
differ in ``DIFFERS``; a new part adds one there.

Two versions may come from different formats (a plan's YAML and the
workbook finance edited): tables are matched by id, columns by id and then
by position, rows by their kind and label in order (a row whose label
changed but whose figures did not is *renamed*), and figures are compared
as a reader sees them (the printed figure, else the computed one).
"""

from __future__ import annotations

import difflib
import html
import json
from decimal import Decimal
from typing import Any, Callable, Dict, List, Optional

__all__ = ["diff", "PlanDiff", "Change", "DIFFERS"]


class Change:
    """One difference between two plans.

    Attributes: part, kind, table, row, column (names as a reader knows
    them: the table id, the row's label, the column's heading), old, new,
    difference (new - old, for figures), message.
    """

    __slots__ = ("part", "kind", "table", "row", "column", "old", "new", "difference")

    def __init__(self, part: str, kind: str, table: Optional[str] = None,
                 row: Optional[str] = None, column: Optional[str] = None, old: Any = None,
                 new: Any = None, difference: Optional[Decimal] = None):
        self.part, self.kind, self.table, self.row, self.column = part, kind, table, row, column
        self.old, self.new, self.difference = old, new, difference

    @property
    def message(self) -> str:
        k, old, new = self.kind, _show(self.old), _show(self.new)
        where = f"'{self.row}'" if self.row is not None else ""
        col = f", {self.column}" if self.column else ""
        if k == "meta changed":
            return f"{self.column}: {old} -> {new}"
        if k in ("table added", "table removed"):
            return f"table {self.table} {k.split()[1]}" + (f" ({old or new})" if old or new else "")
        if k in ("column added", "column removed"):
            return f"column {self.column} {k.split()[1]}"
        if k in ("line added", "line removed", "section added", "section removed",
                 "total added", "total removed"):
            return f"{k.split()[0]} {where} {k.split()[1]}"
        if k.endswith("renamed"):
            return f"{k.split()[0]} '{self.old}' renamed '{self.new}'"
        if k in ("amount changed", "total moved"):
            diff = f" ({_signed(self.difference)})" if self.difference is not None else ""
            return f"{where}{col}: {old} -> {new}{diff}"
        if k.startswith("finding"):
            return f"{k}: {self.new if self.new is not None else self.old}"
        return f"{k}: {old} -> {new}"

    def to_dict(self) -> Dict[str, Any]:
        """Plain, JSON-ready data (figures as exact strings)."""
        out = {}
        for key in self.__slots__:
            v = getattr(self, key)
            out[key] = str(v) if isinstance(v, Decimal) else v
        out["message"] = self.message
        return out

    def __str__(self) -> str:
        return f"[{self.table or self.part}] {self.message}"

    def __repr__(self) -> str:
        return f"<Change {self.kind} {self.table}/{self.row!r}/{self.column}>"


def _show(v: Any) -> str:
    if v is None:
        return "blank"
    if isinstance(v, Decimal):
        from ._model import format_amount
        return format_amount(v)
    return str(v)


def _signed(d: Decimal) -> str:
    from ._model import format_amount
    return ("+" if d > 0 else "") + format_amount(d, parens=False)


class PlanDiff(list):
    """The changes between two plans (a list of :class:`Change`)."""

    def __init__(self, changes=(), a_name: Optional[str] = None, b_name: Optional[str] = None):
        super().__init__(changes)
        self.a_name, self.b_name = a_name, b_name

    def to_json(self, **kw) -> str:
        kw.setdefault("indent", 2)
        kw.setdefault("ensure_ascii", False)
        return json.dumps({"a": self.a_name, "b": self.b_name,
                           "changes": [c.to_dict() for c in self]}, **kw)

    def __str__(self) -> str:
        if not self:
            return "no changes"
        lines: List[str] = []
        group = object()
        for c in self:
            key = (c.part, c.table)
            if key != group:
                group = key
                lines.append(f"{c.part}: {c.table}" if c.table else c.part)
            lines.append(f"  {c.message}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<PlanDiff: {len(self)} change{'s' if len(self) != 1 else ''}>"

    def _repr_html_(self) -> str:
        esc = html.escape
        text = esc(str(self))
        if not self:
            return f"<p>no changes</p><pre style='display:none'>{text}</pre>"
        symbols = {"added": "+", "removed": "&minus;", "renamed": "~", "changed": "&Delta;",
                   "moved": "&Delta;", "appeared": "!", "disappeared": "&check;"}
        rows = []
        for c in self:
            sym = symbols.get(c.kind.split()[-1], "&middot;")
            rows.append("<tr>" + "".join(
                f"<td>{x}</td>" for x in (
                    sym, esc(c.part), esc(c.table or ""), esc(c.kind), esc(str(c.row or "")),
                    esc(str(c.column or "")), esc(_show(c.old)), esc(_show(c.new)),
                    esc(_signed(c.difference)) if c.difference is not None else "")) + "</tr>")
        head = "".join(f"<th>{h}</th>" for h in ("", "part", "table", "change", "row", "column",
                                                  "old", "new", "difference"))
        return (f"<table class='planbook-diff'><thead><tr>{head}</tr></thead><tbody>"
                f"{''.join(rows)}</tbody></table><pre style='display:none'>{text}</pre>")


# ---------------------------------------------------------------- plan

_META = ("title", "organisation", "directorate", "service", "period", "status", "version",
         "owner", "review_date", "next_review", "source")


def _diff_meta(a, b, out: List[Change]) -> None:
    for key in _META:
        va, vb = getattr(a, key, None), getattr(b, key, None)
        if va != vb:
            out.append(Change("plan", "meta changed", column=key, old=va, new=vb))


# ------------------------------------------------------------- budgets

def _pair_columns(ta, tb):
    """Columns of b matched to columns of a: by id, then the rest by position."""
    ca, cb = ta.columns, tb.columns
    pairs, left_a, left_b = [], [], []
    ids_b = {c.id: c for c in cb}
    used = set()
    for c in ca:
        if c.id in ids_b:
            pairs.append((c, ids_b[c.id]))
            used.add(c.id)
        else:
            left_a.append(c)
    left_b = [c for c in cb if c.id not in used]
    if len(left_a) == len(left_b):
        pairs += list(zip(left_a, left_b))
        left_a, left_b = [], []
    pairs.sort(key=lambda p: p[0].index)
    return pairs, left_a, left_b


def _shown_row(row, cols):
    return tuple(row[c.index].shown for c in cols)


def _diff_table(ta, tb, out: List[Change]) -> Dict[str, str]:
    tid = ta.id
    pairs, gone, new = _pair_columns(ta, tb)
    for c in gone:
        out.append(Change("budgets", "column removed", tid, column=c.heading))
    for c in new:
        out.append(Change("budgets", "column added", tid, column=c.heading))
    cols_a = [p[0] for p in pairs]
    cols_b = [p[1] for p in pairs]
    rows_a, rows_b = list(ta.rows), list(tb.rows)
    key_a = [(r.kind, r.label) for r in rows_a]
    key_b = [(r.kind, r.label) for r in rows_b]
    matched = []
    sm = difflib.SequenceMatcher(a=key_a, b=key_b, autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            matched += list(zip(rows_a[i1:i2], rows_b[j1:j2]))
            continue
        olds, news = rows_a[i1:i2], rows_b[j1:j2]
        if op == "replace" and len(olds) == len(news):
            for ra, rb in zip(olds, news):
                if ra.kind == rb.kind and _shown_row(ra, cols_a) == _shown_row(rb, cols_b):
                    out.append(Change("budgets", f"{ra.kind} renamed", tid, row=rb.label,
                                      old=ra.label, new=rb.label))
                    matched.append((ra, rb))
                else:
                    out.append(Change("budgets", f"{ra.kind} removed", tid, row=ra.label))
                    out.append(Change("budgets", f"{rb.kind} added", tid, row=rb.label))
            continue
        for ra in olds:
            out.append(Change("budgets", f"{ra.kind} removed", tid, row=ra.label))
        for rb in news:
            out.append(Change("budgets", f"{rb.kind} added", tid, row=rb.label))
    for ra, rb in matched:
        if ra.kind == "section":
            continue
        for c_a, c_b in pairs:
            cell_a, cell_b = ra[c_a.index], rb[c_b.index]
            kind = "amount changed"
            va, vb = cell_a.shown, cell_b.shown
            if ra.kind == "total" and cell_a.computed is not None and cell_b.computed is not None \
                    and cell_a.computed != cell_b.computed:
                # what the total adds up to moved (its printed figure may not have)
                kind, va, vb = "total moved", cell_a.computed, cell_b.computed
            if va == vb:
                continue
            d = vb - va if isinstance(va, Decimal) and isinstance(vb, Decimal) else None
            out.append(Change("budgets", kind, tid, row=rb.label, column=c_a.heading, old=va,
                              new=vb, difference=d))
    return {p[1].id: p[0].id for p in pairs}


def _diff_budgets(a, b, out: List[Change]) -> None:
    colmaps: Dict[str, Dict[str, str]] = {}
    for tid in a.budgets:
        if tid not in b.budgets:
            out.append(Change("budgets", "table removed", tid, old=a.budgets[tid].title))
    for tid in b.budgets:
        if tid not in a.budgets:
            out.append(Change("budgets", "table added", tid, new=b.budgets[tid].title))
            continue
        colmaps[tid] = _diff_table(a.budgets[tid], b.budgets[tid], out)
    # findings, keyed so that the same finding in either format compares equal
    def keys(plan, mapped):
        got = {}
        tables = set(plan.budgets)
        for f in plan.check():
            if f.table not in tables:
                continue  # another part's finding (indicators, risks): its differ's
            col = f.column
            if mapped and f.table in colmaps and col in colmaps[f.table]:
                col = colmaps[f.table][col]
            got[(f.table, f.code, f.row, col, f.difference)] = f
        return got
    fa, fb = keys(a, False), keys(b, True)
    for k, f in fa.items():
        if k not in fb:
            out.append(Change("budgets", "finding disappeared", f.table, row=f.row,
                              column=f.column_heading, old=f.message))
    for k, f in fb.items():
        if k not in fa:
            out.append(Change("budgets", "finding appeared", f.table, row=f.row,
                              column=f.column_heading, new=f.message))


#: The differ of each part of a plan, in report order.  A part added to
#: the plan (indicators, risks) adds its own: ``fn(a, b, out)``.
DIFFERS: Dict[str, Callable[[Any, Any, List[Change]], None]] = {
    "plan": _diff_meta,
    "budgets": _diff_budgets,
}


def diff(a, b) -> PlanDiff:
    """What changed from plan ``a`` to plan ``b`` (plans or paths of any
    format): tables, columns and rows added, removed or renamed, figures
    changed (with the difference), totals moved, findings that appeared or
    disappeared.

    >>> import planbook
    >>> a = planbook.Plan(title="Demo")
    >>> t = a.budgets.add("costs", columns=[{"id": "y2024", "period": "2024/25"}])
    >>> _ = t.add_line("Staff", [100]), t.add_line("Premises", [20]), t.add_total("Total", [120])
    >>> b = a.copy()
    >>> b.budgets["costs"].rows["Staff"]["y2024"] = 110
    >>> print(planbook.diff(a, b))
    budgets: costs
      'Staff', 2024/25: 100 -> 110 (+10)
      'Total', 2024/25: 120 -> 130 (+10)
      finding appeared: 'Total', 2024/25: printed 120, but what it totals adds up to 130 (difference -10)
    """
    from ._model import Plan
    from .formats import load
    names = []
    plans = []
    for p in (a, b):
        if not isinstance(p, Plan):
            names.append(str(p))
            p = load(p)
        else:
            names.append(p.file)
        plans.append(p)
    out: List[Change] = []
    for differ in DIFFERS.values():
        differ(plans[0], plans[1], out)
    return PlanDiff(out, names[0], names[1])
