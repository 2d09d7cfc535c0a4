"""What changed between two versions of a plan: :func:`diff`.

The result is a :class:`PlanDiff`, a list of :class:`Change` records, each
with a ``part`` (``"plan"``, ``"budgets"``, ``"indicators"``, ``"risks"``,
``"records"``), a ``kind`` and where it happened.  ``DIFFERS`` holds a
differ per part, made from the parts' descriptions (planbook._parts): the
tables, sets, registers or collections of a part are matched by id, and
each pair goes through the part's view differ (``@_view_differ``); a new
part registers one there.

Two versions may come from different formats (a plan's YAML and the
workbook finance edited): tables are matched by id, columns by id and then
by position, rows by their kind and label in order (a row whose label
changed but whose figures did not is *renamed*), and figures are compared
as a reader sees them (the printed figure, else the computed one).
"""

from __future__ import annotations

import difflib
import functools
import html
import json
from decimal import Decimal
import datetime
import os
from typing import (TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Optional, Sequence, Set,
                    Tuple, TypeVar, Union)

from ._parts import PART, PARTS
from ._records import DONE

if TYPE_CHECKING:  # pragma: no cover
    from ._core import CellTuple
    from ._indicators import IndicatorSet
    from ._model import Cell, CellValue, Column, Finding, Plan, Table
    from ._parts import Part
    from ._records import Collection, Record
    from ._risks import RiskRegister

_F = TypeVar("_F", bound=Callable[..., Any])

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
        if k.endswith((" added", " removed")):
            return f"{k.rsplit(' ', 1)[0]} {where or (old if self.old is not None else new)} " \
                   f"{k.rsplit(' ', 1)[1]}"
        lead = f"{where}{col}: " if where or col else ""
        diff = f" ({_signed(self.difference)})" if self.difference is not None else ""
        return f"{lead}{k}: {old} -> {new}{diff}"

    def to_dict(self) -> Dict[str, Any]:
        """Plain, JSON-ready data (figures as exact strings)."""
        out: Dict[str, Any] = {}
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


class PlanDiff(List[Change]):
    """The changes between two plans (a list of :class:`Change`)."""

    def __init__(self, changes: Iterable[Change] = (), a_name: Optional[str] = None,
                 b_name: Optional[str] = None):
        super().__init__(changes)
        self.a_name, self.b_name = a_name, b_name
        #: parts not compared (those a workbook read back does not carry)
        self.skipped: List[str] = []

    def to_json(self, **kw: Any) -> str:
        kw.setdefault("indent", 2)
        kw.setdefault("ensure_ascii", False)
        return json.dumps({"a": self.a_name, "b": self.b_name, "not_compared": self.skipped,
                           "changes": [c.to_dict() for c in self]}, **kw)

    def to_plan(self) -> Plan:
        """The changes as a plan holding one collection of records (part,
        change, where, old, new, difference), to save as a workbook of
        changes: ``planbook.diff(a, b).to_plan().save("changes.xlsx")``."""
        from ._model import Plan
        plan = Plan(title=f"Changes from {self.a_name or 'a'} to {self.b_name or 'b'}")
        coll = plan.records.add("changes", kind="other", title="Changes",
                                note=f"From {self.a_name or 'a'} to {self.b_name or 'b'}: "
                                     f"{len(self)} changes.")
        for n, c in enumerate(self, 1):
            coll.add(str(n), part=c.part, change=c.kind, table=c.table, row=c.row,
                     column=c.column, old=None if c.old is None else _show(c.old),
                     new=None if c.new is None else _show(c.new),
                     difference=None if c.difference is None else _signed(c.difference),
                     message=c.message)
        return plan

    def __str__(self) -> str:
        note = (f"\n(not compared: {', '.join(self.skipped)}, which a workbook without its "
                f"structure sheet does not carry)" if self.skipped else "")
        if not self:
            return "no changes" + note
        return self._text() + note

    def _text(self) -> str:
        lines: List[str] = []
        group: object = object()
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
        rows: List[str] = []
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


#: The differ of one table, set, register or collection of each part:
#: ``fn(old, new, out)``.
_VIEW_DIFFERS: Dict[str, Callable[[Any, Any, List[Change]], Any]] = {}


def _view_differ(part: str) -> Callable[[_F], _F]:
    def register(fn: _F) -> _F:
        _VIEW_DIFFERS[part] = fn
        return fn
    return register


# ---------------------------------------------------------------- plan

_META = ("title", "organisation", "directorate", "service", "period", "status", "version",
         "owner", "review_date", "next_review", "source")


def _diff_meta(a: Plan, b: Plan, out: List[Change]) -> None:
    for key in _META:
        va, vb = getattr(a, key, None), getattr(b, key, None)
        if va != vb:
            out.append(Change("plan", "meta changed", column=key, old=va, new=vb))


# ------------------------------------------------------------- budgets

def _pair_columns(ta: Table, tb: Table
                  ) -> Tuple[List[Tuple[Column, Column]], List[Column], List[Column]]:
    """Columns of b matched to columns of a: by id, then the rest by position."""
    ca, cb = ta.columns, tb.columns
    pairs: List[Tuple[Column, Column]] = []
    left_a: List[Column] = []
    ids_b = {c.id: c for c in cb}
    used: Set[str] = set()
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


class _TableRows:
    """A table's rows and cells, read from the core in one call: the rows
    as (kind, label), the cells made on demand."""

    def __init__(self, table: Table):
        from ._model import Cell
        self._make = Cell._make
        self.id = table.id
        rows, cells = table._plan._c.table_cells(table._t)
        self._cells: List[List[CellTuple]] = cells
        self.keys = [(r[0], r[1]) for r in rows]
        self._col_ids = [c.id for c in table.columns]

    def cell(self, r: int, c: int) -> Cell:
        return self._make(self.id, r, self.keys[r][1], self._col_ids[c], self._cells[r][c])


class _Row:
    __slots__ = ("rows", "index", "kind", "label")

    def __init__(self, rows: _TableRows, index: int):
        self.rows, self.index = rows, index
        self.kind, self.label = rows.keys[index]

    def __getitem__(self, c: int) -> Cell:
        return self.rows.cell(self.index, c)


def _shown_row(row: _Row, cols: Sequence[Column]) -> Tuple[CellValue, ...]:
    return tuple(row[c.index].shown for c in cols)


_Key = Tuple[str, Optional[str]]


def _row_opcodes(key_a: Sequence[_Key], key_b: Sequence[_Key]
                 ) -> List[Tuple[str, int, int, int, int]]:
    """difflib's opcodes from key_a to key_b, the common head and tail taken
    off first: SequenceMatcher is quadratic in the rows that share a key
    (a thousand parts labelled Mainstream), and most of two versions of a
    table is usually one unchanged run."""
    n = min(len(key_a), len(key_b))
    head = 0
    while head < n and key_a[head] == key_b[head]:
        head += 1
    tail = 0
    while tail < n - head and key_a[-1 - tail] == key_b[-1 - tail]:
        tail += 1
    ea, eb = len(key_a) - tail, len(key_b) - tail
    ops = [("equal", 0, head, 0, head)] if head else []
    sm = difflib.SequenceMatcher(a=key_a[head:ea], b=key_b[head:eb], autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        ops.append((op, head + i1, head + i2, head + j1, head + j2))
    if tail:
        ops.append(("equal", ea, len(key_a), eb, len(key_b)))
    return ops


@_view_differ("budgets")
def _diff_table(ta: Table, tb: Table, out: List[Change]) -> Dict[str, str]:
    tid = ta.id
    pairs, gone, new = _pair_columns(ta, tb)
    for c in gone:
        out.append(Change("budgets", "column removed", tid, column=c.heading))
    for c in new:
        out.append(Change("budgets", "column added", tid, column=c.heading))
    cols_a = [p[0] for p in pairs]
    cols_b = [p[1] for p in pairs]
    ra_all, rb_all = _TableRows(ta), _TableRows(tb)
    rows_a = [_Row(ra_all, i) for i in range(len(ra_all.keys))]
    rows_b = [_Row(rb_all, i) for i in range(len(rb_all.keys))]
    matched: List[Tuple[_Row, _Row]] = []
    for op, i1, i2, j1, j2 in _row_opcodes(ra_all.keys, rb_all.keys):
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


def _diff_part(part: Part, a: Plan, b: Plan, out: List[Change]) -> Dict[str, Any]:
    """One part's tables, sets, registers or collections, matched by id:
    those removed and added, then each pair through the part's view
    differ (if it has one); what the view differs return, by id."""
    ma, mb = part.by_id(a), part.by_id(b)
    for id in ma:
        if id not in mb:
            out.append(Change(part.name, f"{part.diff_noun} removed", id,
                              old=part.title(ma[id])))
    got: Dict[str, Any] = {}
    differ = _VIEW_DIFFERS.get(part.name)
    if differ is None and part.described:
        from ._described import diff_rows
        differ = diff_rows
    for id in mb:
        if id not in ma:
            out.append(Change(part.name, f"{part.diff_noun} added", id, new=part.title(mb[id])))
        elif differ is not None:
            got[id] = differ(ma[id], mb[id], out)
    return got


def _diff_budgets(a: Plan, b: Plan, out: List[Change]) -> None:
    colmaps = _diff_part(PART["budgets"], a, b, out)
    # findings, keyed so that the same finding in either format compares equal
    def keys(plan: Plan, mapped: bool) -> Dict[Tuple[Any, ...], Finding]:
        got: Dict[Tuple[Any, ...], Finding] = {}
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


def _diff_basis(part: str, a: Union[IndicatorSet, RiskRegister],
                b: Union[IndicatorSet, RiskRegister], out: List[Change]) -> None:
    """The RAG basis of a dashboard or register changed (printed or assumed,
    and where): every status from it may now be marked otherwise."""
    if a.basis != b.basis:
        out.append(Change(part, "basis changed", a.id, column="basis", old=a.basis,
                          new=b.basis))


@_view_differ("indicators")
def _diff_set(sa: IndicatorSet, sb: IndicatorSet, out: List[Change]) -> None:
    from ._indicators import Observation
    sid = sa.id
    _diff_basis("indicators", sa, sb, out)
    ra, rb = [m.ref for m in sa], [m.ref for m in sb]
    for ref in ra:
        if ref not in sb:
            out.append(Change("indicators", "measure removed", sid, row=ref))
    for ref in rb:
        if ref not in sa:
            out.append(Change("indicators", "measure added", sid, row=ref))
    # each period's position in either set, and each measure's cells
    # read once (a cell read through ma.values[p] reads the whole
    # measure and the periods again: quadratic in the periods)
    pos_a = {p: k for k, p in enumerate(sa.periods)}
    pos_b = {p: k for k, p in enumerate(sb.periods)}
    for p in pos_b:
        if p not in pos_a:
            out.append(Change("indicators", "period added", sid, column=p, new=p))
    common_p = [p for p in pos_b if p in pos_a]
    obs = Observation._from_core
    for ref in rb:
        if ref not in sa:
            continue
        ma, mb = sa[ref], sb[ref]
        ga, gb = ma._get(), mb._get()
        for p in common_p:
            ka, kb = pos_a[p], pos_b[p]
            # the same cell from the core is the same observation
            xa, xb = ga["values"][ka], gb["values"][kb]
            va, vb = (None, None) if xa == xb else (obs(xa), obs(xb))
            if va is not None and vb is not None and (str(va) != str(vb)
                                                      or va.status != vb.status):
                d = vb.value - va.value if va.value is not None and vb.value is not None \
                    else None
                out.append(Change("indicators", "result changed", sid, row=ref, column=p,
                                  old=str(va), new=str(vb), difference=d))
            xa, xb = ga["targets"][ka], gb["targets"][kb]
            if xa != xb and str(obs(xa)) != str(obs(xb)):
                ta, tb = obs(xa), obs(xb)
                out.append(Change("indicators", "target revised", sid, row=ref, column=p,
                                  old=str(ta), new=str(tb)))
        tha, thb = ma.thresholds, mb.thresholds

        def show(t: Union[None, str, Tuple[Any, ...]]) -> Optional[str]:
            return t if t is None or isinstance(t, str) else " / ".join(str(o) for o in t)
        if show(tha) != show(thb):
            out.append(Change("indicators", "thresholds revised", sid, row=ref,
                              old=show(tha), new=show(thb)))
    # statuses at each plan's report period
    if sa.report_period and sb.report_period:
        da = {r.ref: r for r in sa.status().measures()}
        for r in sb.status().measures():
            o = da.get(r.ref)
            if o is None:
                continue
            if o.rag != r.rag:
                out.append(Change("indicators", "RAG changed", sid, row=r.ref,
                                  column=r.period, old=o.rag, new=r.rag))
            if o.last != r.last:
                out.append(Change("indicators", "direction changed", sid, row=r.ref,
                                  column=r.period, old=o.last, new=r.last))


@_view_differ("risks")
def _diff_register(ga: RiskRegister, gb: RiskRegister, out: List[Change]) -> None:
    rid = ga.id
    _diff_basis("risks", ga, gb, out)
    for m in gb.movement(ga):
        if m["change"] in ("added", "removed"):
            out.append(Change("risks", f"risk {m['change']}", rid, row=m["id"]))
    for r in gb:
        risk_id: str = r.id
        if risk_id not in ga:
            continue
        o = ga[risk_id]
        for kind in ("inherent", "current", "target"):
            so, sn = getattr(o, kind), getattr(r, kind)
            vo = None if so is None else (so.text or f"{so.likelihood}x{so.impact}")
            vn = None if sn is None else (sn.text or f"{sn.likelihood}x{sn.impact}")
            if (so and so.value) != (sn and sn.value) or vo != vn:
                d = Decimal((sn.value if sn else 0) - (so.value if so else 0))
                out.append(Change("risks", "risk re-scored", rid, row=r.id, column=kind,
                                  old=vo, new=vn, difference=d))
        for field in ("status", "owner", "category"):
            if getattr(o, field) != getattr(r, field):
                out.append(Change("risks", f"{field} changed", rid, row=r.id,
                                  old=getattr(o, field), new=getattr(r, field)))


def _record_key(r: Record) -> str:
    """A record as a diff names it: its id, else its position (#1, #2...)."""
    return r.id if r.id is not None else f"#{r.index + 1}"


@_view_differ("records")
def _diff_collection(ca: Collection, cb: Collection, out: List[Change]) -> None:
    cid = ca.id
    ka, kb = ({_record_key(r): r for r in coll} for coll in (ca, cb))
    dates = set(cb.date_fields)
    for key in ka:
        if key not in kb:
            out.append(Change("records", "item removed", cid, row=key))
    for key, r in kb.items():
        if key not in ka:
            out.append(Change("records", "item added", cid, row=key))
            continue
        fa, fb = ka[key].fields, r.fields
        for name in list(fa) + [n for n in fb if n not in fa]:
            if fa.get(name) != fb.get(name):
                kind = "field changed"
                if name in ("start", "review") and name in dates:
                    # a start or a review is not a deadline: said as what it is
                    if getattr(ka[key], name) != getattr(r, name):
                        kind = f"{name} date moved"
                elif name in dates and ka[key].due != r.due:
                    kind = "due date moved"
                if name == "status" and (fb.get(name) or "").strip().lower() in DONE:
                    kind = "action closed"
                out.append(Change("records", kind, cid, row=key, column=name,
                                  old=fa.get(name), new=fb.get(name)))


def _diff_overdue(a: Plan, b: Plan, out: List[Change],
                  as_of: Union[str, datetime.date]) -> None:
    """What has become overdue as of a date: actions (items with a date
    before it and not complete) and registers' reviews."""
    for cid in b.records:
        if cid not in a.records:
            continue
        was = {_record_key(r) for r in a.records[cid].overdue(as_of)}
        for r in b.records[cid].overdue(as_of):
            key = _record_key(r)
            if key not in was:
                out.append(Change("records", "action overdue", cid, row=key, column="due",
                                  new=r.due.isoformat()))
    for rid in b.risks:
        if rid in a.risks and b.risks[rid].review_overdue(as_of) and \
                not a.risks[rid].review_overdue(as_of):
            out.append(Change("risks", "review overdue", rid, column="next review",
                              new=str(b.risks[rid].next_review_date)))


#: The differ of each part of a plan, in report order: ``fn(a, b, out)``.
DIFFERS: Dict[str, Callable[[Any, Any, List[Change]], None]] = {"plan": _diff_meta}
DIFFERS.update((p.name, functools.partial(_diff_part, p))  # pyright: ignore[reportCallIssue, reportArgumentType]
               for p in PARTS)
DIFFERS["budgets"] = _diff_budgets


def diff(a: Union[Plan, str, "os.PathLike[str]"], b: Union[Plan, str, "os.PathLike[str]"], *,
         as_of: Union[str, datetime.date, None] = None) -> PlanDiff:
    """What changed from plan ``a`` to plan ``b`` (plans or paths of any
    format): tables, columns and rows added, removed or renamed, figures
    changed (with the difference), totals moved, findings that appeared or
    disappeared; results, targets, thresholds and statuses of indicators;
    risks re-scored and their fields; records added, removed and changed,
    actions closed and due dates moved.  With ``as_of`` (a date or
    ``"YYYY-MM-DD"``), also the actions and register reviews that are
    overdue at that date in ``b`` and were not in ``a``.

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
    names: List[Optional[str]] = []
    plans: List[Plan] = []
    for p in (a, b):
        if not isinstance(p, Plan):
            names.append(str(p))
            p = load(p)
        else:
            names.append(p.file)
        plans.append(p)
    # a part one of the plans' sources could not carry (a workbook read
    # back without planbook's structure sheet holds budget tables only:
    # Plan.parts) is left out, not reported as removed
    carried = [p for p in DIFFERS if all(p in plan.parts for plan in plans)]
    out: List[Change] = []
    skipped: List[str] = []
    for part, differ in DIFFERS.items():
        if part not in carried:
            skipped.append(part)
            continue
        differ(plans[0], plans[1], out)
    if as_of is not None and {"records", "risks"} <= set(carried):
        _diff_overdue(plans[0], plans[1], out, as_of)
    result = PlanDiff(out, names[0], names[1])
    result.skipped = skipped
    return result
