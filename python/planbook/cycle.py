"""Between committee packs: what falls due, and what moved.

- :func:`due`: actions and other dated items due within a window from a
  date, or overdue (their date passed and their status is not complete),
  and risk registers whose next review is due or overdue.
- :func:`to_ics`: those as an iCalendar file (RFC 5545), written by the
  ``icalendar`` library (``pip install "planbook[ics]"``): one all-day event
  per item on its due date, with its owner and the plan it comes from, and
  a UID made from the plan, the part and the item, so exporting again
  after an edit updates the same events instead of adding new ones.
- :func:`movement`: what moved since an earlier version of the plan: risks
  added, removed, scored up or down (old and new scores), and measures
  whose RAG changed at their dashboard's report period.

The command line: ``planbook due PLAN --as-of D --within 30 [-o due.ics]``
and ``planbook movement EARLIER LATER``.
"""

from __future__ import annotations

import datetime
import hashlib
import os
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

from ._model import _MONTHS
from ._records import DONE, _as_of

if TYPE_CHECKING:  # pragma: no cover
    from ._model import CellValue, Plan, Row, Table
    from ._records import Record

__all__ = ["Due", "due", "to_ics", "Move", "movement", "Figure", "Update", "update_actuals",
           "read_actuals_csv", "read_actuals_xlsx", "METHODS"]


@dataclass(frozen=True)
class Due:
    """One thing due: an item of a collection (``what`` = "item") or a
    register's review (``what`` = "review")."""
    what: str
    part: str              # "records.actions", "risks.strategic"
    id: Optional[str]
    title: str
    owner: Optional[str]
    date: datetime.date
    overdue: bool
    plan: str              # the plan's title (or file)
    file: Optional[str]

    def to_dict(self) -> Dict[str, Any]:
        d = asdict(self)
        d["date"] = self.date.isoformat()
        return d

    def __str__(self) -> str:
        when = "overdue since" if self.overdue else "due"
        who = f" ({self.owner})" if self.owner else ""
        ref = f" {self.id}" if self.id else ""
        return f"{self.date.isoformat()} {when}: [{self.part}{ref}] {self.title}{who}"


_TITLES = ("title", "action", "name", "description", "recommendation", "text")
_NOT_TITLES = {"owner", "lead", "responsible", "due", "date", "status", "timescale", "id",
               "start", "review"}


def _title_of(item: Record) -> str:
    """The item's own title, else its parent's title with the item's first
    text (an action plan's sub-items are often only a progress note)."""
    def words(text: str) -> str:
        text = " ".join(text.split())
        return text if len(text) <= 160 else text[:159] + "\u2026"
    fields = item.fields
    for key in _TITLES:
        if fields.get(key):
            return words(fields[key])
    first = next((v for k, v in fields.items() if v and k not in _NOT_TITLES), "")
    parent = item.parent
    while parent is not None:
        for key in _TITLES:
            if parent.fields.get(key):
                return words(parent.fields[key] + (": " + first if first else ""))
        parent = parent.parent
    return words(first or item.id or "")


def due(plan: Plan, as_of: Union[None, str, datetime.date] = None,
        within: Union[int, datetime.timedelta] = 30) -> List[Due]:
    """What is due from ``as_of`` (default today) to ``within`` days later,
    and what is overdue, sorted by date: dated items of every collection
    whose status is not complete, and registers' next reviews."""
    day = _as_of(as_of or datetime.date.today())
    days = within if isinstance(within, datetime.timedelta) else datetime.timedelta(days=within)
    if days < datetime.timedelta(0):
        raise ValueError("within is a number of days, 0 or more")
    until = day + days
    name = plan.title or (os.path.basename(plan.file) if plan.file else "plan")
    out: List[Due] = []
    for cid in plan.records:
        coll = plan.records[cid]
        for item in coll:
            when = item.due
            if when is None or when > until:
                continue
            if (item.get("status") or "").strip().lower() in DONE:
                continue
            out.append(Due("item", f"records.{cid}", item.id, _title_of(item),
                           item.get("owner") or item.get("lead") or item.get("responsible"),
                           when, when < day, name, plan.file))
    for rid in plan.risks:
        reg = plan.risks[rid]
        when = reg.next_review_date
        if when is not None and when <= until:
            out.append(Due("review", f"risks.{rid}", None,
                           f"Review of the risk register: {reg.title or rid}",
                           reg.reviewed_by, when, when < day, name, plan.file))
    out.sort(key=lambda d: (d.date, d.part, d.id or ""))
    return out


def _uid(d: Due) -> str:
    """Stable across exports: the plan, the part, the item (not the date,
    so a moved date updates the same event)."""
    key = "\x1f".join([d.plan, d.part, d.id or d.title, d.what])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32] + "@planbook"


def to_ics(items: Sequence[Due], path: Optional[Union[str, "os.PathLike[str]"]] = None, *,
           stamp: Optional[datetime.datetime] = None) -> bytes:
    """The items as an iCalendar file; written (atomically) to ``path`` when
    given.  ``stamp`` is the DTSTAMP of every event (default: now, UTC)."""
    try:
        import icalendar
    except ImportError:
        raise ImportError('an iCalendar file needs the icalendar package: '
                          'pip install "planbook[ics]"') from None
    from ._version import __version__
    stamp = stamp or datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    # icalendar leaves the value of Component.add untyped: its components
    # are Any here, where planbook meets them
    cal: Any = icalendar.Calendar()
    cal.add("prodid", f"-//planbook//planbook {__version__}//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    for d in items:
        ev: Any = icalendar.Event()
        ev.add("uid", _uid(d))
        ev.add("dtstamp", stamp)
        ev.add("dtstart", d.date)
        ev.add("dtend", d.date + datetime.timedelta(days=1))
        ev.add("summary", ("OVERDUE: " if d.overdue else "") + d.title)
        lines = [f"{d.plan}: {d.part}" + (f" {d.id}" if d.id else "")]
        if d.owner:
            lines.append(f"Owner: {d.owner}")
        if d.file:
            lines.append(f"Plan: {os.path.abspath(d.file)}")
        ev.add("description", "\n".join(lines))
        if d.file:
            ev.add("url", "file://" + os.path.abspath(d.file).replace(os.sep, "/"))
        ev.add("categories", ["planbook", "overdue" if d.overdue else "due"])
        cal.add_component(ev)
    data = cal.to_ical()
    if path is not None:
        from .formats import write_atomically

        def write(tmp: str) -> None:
            with open(tmp, "wb") as f:
                f.write(data)
        write_atomically(os.fspath(path), write)
    return data


@dataclass(frozen=True)
class Move:
    """One change between two versions of a plan: a risk (``part`` =
    "risks.<register>") or a measure's RAG ("indicators.<set>")."""
    part: str
    id: str
    change: str            # added, removed, up, down (risks); red -> green ... (RAG)
    before: Any
    after: Any
    text: str

    def to_dict(self) -> Dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        return f"[{self.part} {self.id}] {self.text}"


def movement(earlier: Plan, later: Plan, *, kind: str = "current") -> List[Move]:
    """What moved between two versions of a plan: risks added, removed and
    re-scored (``kind``: the current score by default), and measures whose
    RAG at their dashboard's report period changed.  Unchanged ones are
    left out."""
    out: List[Move] = []
    for rid in later.risks:
        reg = later.risks[rid]
        if rid not in earlier.risks:
            continue
        for m in reg.movement(earlier.risks[rid], kind):
            if m["change"] == "unchanged":
                continue
            text = {"added": f"added (score {m['after']})",
                    "removed": f"removed (was {m['before']})"}.get(
                m["change"], f"{kind} score {m['change']}: {m['before']} -> {m['after']}")
            out.append(Move(f"risks.{rid}", m["id"], m["change"], m["before"], m["after"], text))
    for sid in later.indicators:
        if sid not in earlier.indicators:
            continue
        now, before = later.indicators[sid], earlier.indicators[sid]
        if now.report_period is None:
            continue
        old = {} if before.report_period is None else {
            s.ref: s for s in before.status().measures()}
        for s in now.status().measures():
            o = old.get(s.ref)
            if o is None or o.rag == s.rag:
                continue
            out.append(Move(f"indicators.{sid}", s.ref, f"{o.rag} -> {s.rag}", o.rag, s.rag,
                            f"RAG {o.rag} at {o.period} -> {s.rag} at {s.period}: "
                            f"{s.rag_reason}"))
    return out


# ------------------------------------------------------------ new actuals

#: How a year-end forecast is made from the year to date.
METHODS = {"straight_line": "straight line",
           "last_year": "same period last year"}
_ACTUAL = ("actual", "actuals", "ytd", "actual_to_date", "value")
_LAST_YTD = ("last_year_to_date", "last_year_ytd")
_LAST_OUT = ("last_year_outturn", "last_year")


@dataclass(frozen=True)
class Figure:
    """One row of the actuals file: its id and/or label, the figures as
    text, and where it is (``file:line`` or ``sheet!cell``)."""
    id: Optional[str]
    label: Optional[str]
    actual: Optional[str]
    last_to_date: Optional[str]
    last_outturn: Optional[str]
    where: str


@dataclass
class Update:
    """What :func:`update_actuals` did.  ``changed``: (row, before, after)
    where the plan held another figure for the period; ``new``: (row,
    figure) where it held none; ``unmatched``: rows of the file that match
    no row of the table (with why); ``missing``: the table's lines the file
    has no figure for (their earlier figure for the same period, if any,
    is kept); ``forecasts``: (row, to date, forecast, method) per line."""
    table: str
    into: str
    period: str
    method: str
    months: int
    changed: List[Tuple[str, CellValue, CellValue]]
    new: List[Tuple[str, CellValue]]
    unchanged: int
    unmatched: List[Tuple[Figure, str]]
    missing: List[str]
    forecasts: List[Tuple[str, Decimal, Decimal, str]]

    def __bool__(self) -> bool:
        return bool(self.changed or self.new)

    def to_dict(self) -> Dict[str, Any]:
        def text(v: CellValue) -> Optional[str]:
            return None if v is None else str(v)
        return {"table": self.table, "into": self.into, "period": self.period,
                "method": self.method, "months": self.months,
                "changed": [{"row": r, "before": text(b), "after": text(a)}
                            for r, b, a in self.changed],
                "new": [{"row": r, "after": text(a)} for r, a in self.new],
                "unchanged": self.unchanged,
                "unmatched": [{"id": f.id, "label": f.label, "figure": f.actual,
                               "where": f.where, "why": why} for f, why in self.unmatched],
                "missing": list(self.missing),
                "forecasts": [{"row": r, "to_date": text(y), "forecast": text(f),
                               "method": m} for r, y, f, m in self.forecasts]}

    def __str__(self) -> str:
        lines = [f"[{self.into}] actuals to {self.period} ({self.months} of 12 months) "
                 f"from {self.table}; year-end forecast: {self.method}"]
        lines += [f"changed {r}: {b} -> {a}" for r, b, a in self.changed]
        lines += [f"new {r}: {a}" for r, a in self.new]
        lines += [f"unmatched {f.where}: {f.label or f.id!r} ({why})" for f, why in self.unmatched]
        lines += [f"no figure in the file for {r}" for r in self.missing]
        lines += [f"forecast {r}: {y} to date -> {f} ({m})" for r, y, f, m in self.forecasts]
        lines.append(f"{len(self.changed)} changed, {len(self.new)} new, {self.unchanged} "
                     f"unchanged, {len(self.unmatched)} unmatched, {len(self.missing)} "
                     f"without a figure")
        return "\n".join(lines)


def _pick(row: Dict[str, str], names: Sequence[str]) -> Optional[str]:
    for n in names:
        v = row.get(n)
        if v is not None and v.strip() != "":
            return v.strip()
    return None


def read_actuals_csv(path: Union[str, "os.PathLike[str]"],
                     period: Optional[str] = None) -> List[Figure]:
    """The rows of an actuals CSV: a header with ``id`` and/or ``label``
    (or ``line``), the figure to date (``actual``, or a column headed with
    the period) and, for the same-period-last-year forecast,
    ``last_year_to_date`` and ``last_year_outturn``.  Figures are text in
    finance notation, as planbook reads amounts."""
    import csv

    from .errors import ReadError
    file = os.fspath(path)
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        try:
            header = [h.strip().lower().replace(" ", "_") for h in next(reader)]
        except StopIteration:
            raise ReadError("the file is empty (a header row is needed)", file=file,
                            line=1) from None
        actual = list(_ACTUAL) + ([period.strip().lower().replace(" ", "_")] if period else [])
        if not {"id", "label", "line"} & set(header):
            raise ReadError("the header names no id or label column", file=file, line=1)
        if not set(actual) & set(header):
            raise ReadError(f"the header names no figure column ({', '.join(actual)})",
                            file=file, line=1)
        name = os.path.basename(file)
        out: List[Figure] = []
        for n, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            row = dict(zip(header, cells))
            out.append(Figure(_pick(row, ("id",)), _pick(row, ("label", "line")),
                              _pick(row, actual), _pick(row, _LAST_YTD),
                              _pick(row, _LAST_OUT), f"{name}:{n}"))
    return out


def read_actuals_xlsx(path: Union[str, "os.PathLike[str]"], mapping: Any) -> List[Figure]:
    """The rows of finance's workbook, read through the mapping import
    (docs/import.md): the mapped columns with id ``actual`` (else the
    first), ``last_year_to_date`` and ``last_year_outturn``."""
    try:
        from planbook_xlsxread import import_table, load_mapping, rows as sheet_rows
    except ImportError as exc:
        raise ImportError(f"reading a workbook needs planbook_xlsxread: {exc}") from None
    m = load_mapping(mapping)
    _, table, _ = import_table(path, m)
    ids = [c.id for c in table.columns]
    first = next((i for i in ids if i in _ACTUAL), ids[0])
    file: str = os.fspath(path)
    name = os.path.basename(file)
    # where each label is on the sheet (the import keeps no cell addresses)
    letters = str(m.get("label_column", "A")).upper()
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    at: Dict[str, List[int]] = {}
    sheet = m.get("sheet", 0)
    for n, cells in enumerate(sheet_rows(file, sheet, numbers="text"), start=1):
        if len(cells) >= col and cells[col - 1] is not None:
            at.setdefault(" ".join(str(cells[col - 1]).split()), []).append(n)
    sheet_name = sheet if isinstance(sheet, str) else f"sheet {sheet + 1}"
    out: List[Figure] = []
    for row in table.rows:
        if row.kind == "section":
            continue
        seen = at.get(" ".join((row.label or "").split()), [])
        where = f"{name} {sheet_name}!{letters}{seen.pop(0)}" if seen else name

        def text(col: str) -> Optional[str]:
            if col not in ids:
                return None
            cell = row[col]
            return None if cell.state == "blank" else str(cell.printed)
        out.append(Figure(row.id, row.label, text(first),
                          next((text(i) for i in _LAST_YTD if i in ids), None),
                          next((text(i) for i in _LAST_OUT if i in ids), None), where))
    return out


def _months_elapsed(period: str, year_start: int) -> Tuple[str, str, int]:
    """(canonical period, canonical year, months of the year elapsed)."""
    from ._core import parse_period
    canon, kind, *_ = parse_period(period, year_start)
    year = canon.split(" ")[0] if kind == "quarter" else canon
    if kind == "year":
        return canon, canon, 12
    if kind == "quarter":
        return canon, year, 3 * int(canon.rsplit("Q", 1)[1])
    # a month ("Sep 2018", English whatever the locale): count from the year's first
    name, y = canon.split(" ")
    number = [m[:3] for m in _MONTHS].index(name) + 1
    elapsed = (number - year_start) % 12 + 1
    first = int(y) if number >= year_start else int(y) - 1
    year = parse_period(f"{first}-{(first + 1) % 100:02d}" if year_start != 1 else str(first),
                        year_start)[0]
    return canon, year, elapsed


def _copy_rows(src: Table, dst: Table,
               values: Callable[[Row], Dict[str, CellValue]]) -> None:
    """Rows of ``src`` into ``dst`` in order, with ``values(row)`` each."""
    made: Dict[int, Any] = {}
    for row in src.rows:
        parent = row.parent
        into = made[parent.index] if parent is not None else None
        kw = dict(section=into, id=row.id, role=None if row.role == "inherit" else row.role,
                  note=row.note)
        if row.kind == "section":
            new = dst.add_section(row.label, **kw)
        elif row.kind == "total":
            new = dst.add_total(row.label, values(row), select=row.select, printed=True, **kw)
        else:
            new = dst.add_line(row.label, values(row), printed=True, **kw)
        made[row.index] = new


def update_actuals(plan: Plan, source: Union[str, "os.PathLike[str]", Sequence[Figure]],
                   period: str, *, table: Optional[str] = None,
                   column: Optional[str] = None, mapping: Any = None,
                   method: str = "straight_line", into: Optional[str] = None) -> Update:
    """Merge actuals to ``period`` (``2018/19 Q2``, ``Sep 2018``) into the
    plan's monitoring table for ``table``, with a year-end forecast.

    ``source``: a CSV path (see :func:`read_actuals_csv`), a workbook with
    its ``mapping`` (docs/import.md), or a list of :class:`Figure`.  Rows
    match by id, else by label (a label two rows share matches neither).
    The monitoring table (``into``, default ``<table>_monitoring``) has the
    year's budget (``column``, default the table's first column of that
    year), the actual to date, the forecast outturn (its phase names the
    method) and the variance; it is made anew each time, keeping the
    earlier figures of the same period the file does not give.  Nothing is
    dropped: rows of the file that match nothing are in ``unmatched``,
    lines without a figure in ``missing``.  Forecasts are exact, rounded
    half up to the table's decimals: straight line = to date x 12 / months
    elapsed; same period last year = to date x last year's outturn / last
    year's figure to the same period (a line without those falls back to
    the straight line, and says so)."""
    if method not in METHODS:
        raise ValueError(f"method is one of {', '.join(METHODS)}, not {method!r}")
    from decimal import ROUND_HALF_UP

    from ._core import parse_amount
    from ._model import _to_decimal
    from .errors import AmountError, ValidationError
    canon, year, months = _months_elapsed(period, plan.year_start)
    tables = list(plan.budgets)
    if table is None:
        table = next((t for t in tables if not t.endswith("_monitoring")
                      and any(c.period == year for c in plan.budgets[t].columns)), None)
        if table is None:
            raise ValidationError(f"no budget table has a column for {year}")
    if table not in plan.budgets:
        raise ValidationError(f"the plan has no budget table {table!r} (its tables: "
                              f"{', '.join(tables) or 'none'})")
    src = plan.budgets[table]
    budget_col = column or next((c.id for c in src.columns if c.period == year), None)
    if budget_col is None:
        raise ValidationError(f"table {table!r} has no column for {year}")
    try:
        bcol = src.columns[src._col(budget_col)]
    except KeyError:
        raise ValidationError(f"table {table!r} has no column {budget_col!r} (its columns: "
                              f"{', '.join(c.id for c in src.columns)})") from None
    into = into or f"{table}_monitoring"
    if not isinstance(source, (str, os.PathLike)):
        figures = list(source)
    elif os.fspath(source).lower().endswith((".xlsx", ".xlsm")):
        if mapping is None:
            raise ValueError("a workbook of actuals needs its mapping (docs/import.md)")
        figures = read_actuals_xlsx(source, mapping)
    else:
        figures = read_actuals_csv(source, canon)
    # what the plan held for this period, by row (its kind, id and label, and
    # which of its kind it is: the budget table may have changed since)
    def keys(table: Table) -> List[Tuple[Any, ...]]:
        seen: Dict[Tuple[Any, ...], int] = {}
        out: List[Tuple[Any, ...]] = []
        for r in table.rows:
            k = (r.kind, r.id, " ".join((r.label or "").split()))
            seen[k] = seen.get(k, 0) + 1
            out.append(k + (seen[k],))
        return out
    held_by_key: Dict[Tuple[Any, ...], CellValue] = {}
    if into in plan.budgets:
        old = plan.budgets[into]
        cols = {c.id: c for c in old.columns}
        if "actual" in cols and cols["actual"].period == canon:
            for k, r in zip(keys(old), old.rows):
                cell = r["actual"]
                held_by_key[k] = None if cell.state == "blank" else cell.printed
    held = {i: held_by_key.get(k) for i, k in enumerate(keys(src))}
    rows = list(src.rows)
    by_id = {r.id: r.index for r in rows if r.id}
    by_label: Dict[str, List[int]] = {}
    for r in rows:
        if r.label:
            by_label.setdefault(" ".join(r.label.split()).lower(), []).append(r.index)
    dec = src.decimals
    given: Dict[int, Tuple[Figure, Optional[Decimal]]] = {}
    unmatched: List[Tuple[Figure, str]] = []
    for f in figures:
        i = by_id.get(f.id) if f.id else None
        if i is None and f.label:
            found = by_label.get(" ".join(f.label.split()).lower(), [])
            if len(found) > 1:
                unmatched.append((f, f"{len(found)} rows of {table} have this label; give its id"))
                continue
            i = found[0] if found else None
        if i is None:
            unmatched.append((f, f"no row of {table} has this id or label"))
            continue
        if rows[i].kind == "section":
            unmatched.append((f, "a section heading holds no figures"))
            continue
        if i in given:
            unmatched.append((f, f"a second figure for {rows[i].label!r} (first at "
                                 f"{given[i][0].where})"))
            continue
        if f.actual is None:
            unmatched.append((f, "no figure"))
            continue
        try:
            state, scaled = parse_amount(f.actual, dec)
            for extra in (f.last_to_date, f.last_outturn):
                if extra is not None:
                    parse_amount(extra, dec)
        except AmountError as exc:
            raise AmountError(f"{f.where}: {exc.message}", code=exc.code) from None
        given[i] = (f, _to_decimal(scaled, dec) if state != "blank" else None)
    changed: List[Tuple[str, CellValue, CellValue]] = []
    new: List[Tuple[str, CellValue]] = []
    same = 0
    missing: List[str] = []
    forecasts: List[Tuple[str, Decimal, Decimal, str]] = []
    actual: Dict[int, CellValue] = {}
    for r in rows:
        name = r.label or r.id or f"row {r.index + 1}"
        before = held.get(r.index)
        if r.index in given:
            after = given[r.index][1]
            if before is None:
                new.append((name, after))
            elif before != after:
                changed.append((name, before, after))
            else:
                same += 1
            actual[r.index] = after
        else:
            actual[r.index] = before
            if r.kind == "line":
                missing.append(name)
    quantum = Decimal(1).scaleb(-dec)

    def forecast(r: Row) -> Optional[Decimal]:
        ytd = actual.get(r.index)
        if not isinstance(ytd, Decimal) or r.kind != "line":  # totals: from the lines; text
            return None
        how = "straight line"
        value = ytd * 12 / months
        if method == "last_year" and r.index in given:
            f = given[r.index][0]
            if f.last_to_date and f.last_outturn:
                lt = _to_decimal(parse_amount(f.last_to_date, dec)[1], dec)
                lo = _to_decimal(parse_amount(f.last_outturn, dec)[1], dec)
                if lt != 0:
                    value, how = ytd * lo / lt, "same period last year"
            if how == "straight line":
                how = "straight line (no figures for last year)"
        value = value.quantize(quantum, rounding=ROUND_HALF_UP)
        forecasts.append((r.label or r.id, ytd, value, how))
        return value
    fc = {r.index: forecast(r) for r in rows}
    title = METHODS[method]
    note = (f"Actuals to {canon} ({months} of 12 months) and the year-end forecast by "
            f"{title}, from {table} ({bcol.label or bcol.id}).")
    fallback = [r for r, _, _, m in forecasts if m.startswith("straight line (")]
    if fallback:
        note += " By straight line, with no figures for last year: " + "; ".join(fallback) + "."
    if into in plan.budgets:
        plan.budgets.remove(into)
    mon = plan.budgets.add(
        into, title=f"Budget monitoring {canon}: {src.title or table}", kind=src.kind,
        unit=src.unit, decimals=dec, income_sign=src.income_sign, blank="missing", note=note,
        columns=[{"id": "budget", "period": year, "phase": bcol.phase or "Budget",
                  "label": bcol.label},
                 {"id": "actual", "period": canon, "phase": "Actual to date"},
                 {"id": "forecast", "period": year, "phase": f"Forecast outturn ({title})",
                  "measure": "forecast"},
                 {"id": "variance", "period": year, "phase": "Variance",
                  "measure": "variance", "sum": ["forecast", "-budget"]}])
    budget = {r.index: r[budget_col].printed if r.kind == "line" else None for r in rows}
    _copy_rows(src, mon, lambda r: {"budget": budget[r.index], "actual": actual[r.index],
                                    "forecast": fc[r.index]})
    return Update(table, into, canon, title, months, changed, new, same, unmatched,
                  missing, forecasts)
