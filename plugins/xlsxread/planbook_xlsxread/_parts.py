"""What finance changed on the dashboard, risk register and record sheets,
applied to the plan as planbook wrote it.

The workbook carries the plan exactly as written (a hidden sheet), so each
visible sheet of an indicator set, a risk register or a collection of
records is read against it: every cell is compared with what the writer
put there for the plan, and the plan is changed only where they differ.  An
unedited sheet therefore changes nothing at all, and nothing the sheet does
not show (notes, comparators, milestones, definitions, hierarchy, printed
score texts...) is touched unless its row is deleted.

Rules
-----
* **Figures are exact.** A number is read from its XML text (never through
  a float), rounded to 15 significant digits as a spreadsheet keeps them
  (``78.90000000000001`` is 78.9), and compared by value, so ``82`` on the
  sheet is the plan's ``82.0``.  An edited figure keeps the decimals it was
  printed with, or more when it needs more (79 over 82.0 is ``79.0``, 79.25
  is ``79.25``); more than the six an indicator holds is not read.
  Percentages are written in percentage points with a ``"%"`` format (61.59
  shows as 61.59%), so the cell is the figure; a fraction where points
  belong (0.615 typed as 61.5% over 61.59) is read as points, with a warning.
  Notes and provisional/estimated statuses (the cells' comments) stay with
  an edited figure.
* **Text results**: ``n/a``, ``Not available``, ``TBC`` are those statuses;
  ``61.5%`` or ``1,257`` typed as text are figures as printed; any other
  text is a statement in place of a figure.
* **Rows are matched** to measures, risks and items by their ref / ID in
  order (id-less items by their fields; a changed ID is recognised by an
  unchanged name, description or fields).  A row without a match is added
  at the end of its part (the API appends), a measure, risk or item without
  a row is removed; each with a warning.  Rows moved are matched but the
  order is not carried (warning).
* **Derived cells are not read**: the dashboard's RAG, Better than last /
  target / comparator columns and the reason; the register's RAG columns
  and any score that is a formula (``=L*I``: where the plan gives both
  likelihood and impact; re-scoring L or I re-scores it, and a number typed
  over the formula is the declared score, with a warning); the record
  sheet's Overdue? column; the heat map sheet.
* **Targets**: the Target column is the target in force at the period in
  its heading; a revised figure there is set as that period's target.
* **Dates**: the record sheet's "Due (date)" is an Excel date serial; when
  it is the date the plan's text gives (``May 2018``, ``10 - 12 February
  2015``), the text stays as written; a new date rewrites the item's date
  field in the style of its old text (``31/10/2016``, ``September 2018``,
  ``9 March 2015``).  Record fields are matched to columns by heading, so a
  column finance adds (``status``, to close an action) is a field.
* **Titles and details**: A1 is the part's title; the register sheet's
  second row carries its details and review dates (``Version: v0.2 |
  Next review: 01/11/16``), read when edited.  The dashboard's and record
  sheet's second rows (framework, reporting, kind) are not read.
* Anything on a sheet that cannot be carried into the plan (an unknown
  column, a logical value or an error where a figure belongs, a change the
  public API cannot make: a ref another measure has, a count series added or
  removed, a row's position, an item's parent) is reported: one sentence
  each, naming the sheet and cell (``Sheet!D7: ...``), or the sheet alone
  for a deleted row.

Only the public API of ``planbook`` is used (indicator sets, measures and
observations; registers, risks and scores; collections and records).
"""

from __future__ import annotations

import calendar
import datetime
import difflib
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from typing import Any, Dict, List, Optional, Sequence, Tuple

from planbook.plugin import Observation, PlanbookError, core_of, date_range

from . import _xlsxread
from ._import import _col_name as _column_letters  # 0-based column -> letters (0 -> A)

__all__ = ["apply_edits"]

_FAILS = (PlanbookError, ValueError, KeyError, TypeError, IndexError)
_MAX_DECIMALS = 6           # what an indicator figure holds (PB_OBS_SCALE)
_SIGNIFICANT = 15           # what a spreadsheet keeps
_HEAD_SEARCH = 20           # rows searched for the heading row
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_PRINTED_FIGURE = re.compile(r"[+-]?\d{1,3}(,\d{3})*(\.\d+)?%?|[+-]?\d+(\.\d+)?%")
_WORDS = {"n/a": "not applicable", "not applicable": "not applicable",
          "not available": "not available", "tbc": "tbc", "to be confirmed": "tbc"}
_SHOWN_WORDS = {"not applicable": "n/a", "not available": "Not available", "tbc": "TBC"}
_EXCEL_EPOCH = datetime.date(1899, 12, 30)


def apply_edits(plan, kind: str, part_id: str, rows: Any, sheet: str) -> List[str]:
    """Apply the edits a sheet shows to `plan` (modified in place).

    kind: "indicators" (a dashboard sheet of indicator set part_id), "risks"
    (the register sheet of register part_id), "records" (the sheet of
    collection part_id).  rows: the workbook (a path or its bytes), or the
    sheet as ``planbook_xlsxread.rows(book, sheet, numbers="text")`` returns
    it (None where empty, numbers as their exact XML text, formula cells as
    their cached result or None).  Given the workbook, a dashboard is
    compared with its set in C (_xlsxread.dashboard): Python reads only the
    rows that differ from what planbook wrote.

    Returns warnings: one sentence each, naming the sheet and cell
    ("Sheet!D7: ..."), for what was in the sheet that could not be carried
    into the plan, or was read with a guess."""
    readers = {"indicators": (_DashboardSheet, lambda: plan.indicators),
               "risks": (_RegisterSheet, lambda: plan.risks),
               "records": (_RecordSheet, lambda: plan.records)}
    if kind == "described":  # a described part: plan.<part_id>, its rows
        part = getattr(plan, part_id, None)
        if part is None or not hasattr(part, "headings"):
            return [f"sheet '{sheet}': the plan has no part '{part_id}'; the sheet is not read"]
        if not isinstance(rows, list):
            rows = _xlsxread.rows(rows, sheet, "text", CellError)
        return _DescribedSheet(plan, part, rows, sheet).apply()
    if kind not in readers:
        return [f"sheet '{sheet}': a sheet of kind '{kind}' is not read"]
    reader, parts = readers[kind]
    try:
        part = parts()[part_id]
    except KeyError:
        return [f"sheet '{sheet}': the plan has no {kind} '{part_id}'; the sheet is not read"]
    if kind == "indicators" and not isinstance(rows, list):
        return _DashboardSheet(plan, part, None, sheet, source=rows).apply()
    if not isinstance(rows, list):
        rows = _xlsxread.rows(rows, sheet, "text", CellError)
    return reader(plan, part, rows, sheet).apply()


# ------------------------------------------------------------ cells

def _text(value: Any) -> Optional[str]:
    """A cell as text: None when empty.  A text of only spaces is a text
    (planbook writes it so: it comes back as it was)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    text = str(value)
    return text if text else None


class CellError(str):
    """An error value of a cell (t="e": #N/A, #DIV/0! ...), as the reader
    gives it: a text that merely reads "#N/A" is a plain str."""


def _is_error(value: Any) -> bool:
    return isinstance(value, CellError)


def _figure(value: Any) -> Optional[Decimal]:
    """The exact figure of a number's XML text, rounded to the 15
    significant digits a spreadsheet keeps, without trailing zeros; None
    when the cell is not a number."""
    if not isinstance(value, str) or not _NUMBER.fullmatch(value.strip()):
        return None
    v = value.strip()
    try:
        # the C reader's rule (15 significant digits, exact) at the six
        # decimals an indicator holds: the common case, ten times faster
        scaled = _xlsxread.number(v, 6)
    except PlanbookError:
        pass  # more decimals, or out of range: worked out below
    else:
        if not scaled:
            return Decimal(0)
        d = Decimal(scaled).scaleb(-6).normalize()
        return d.quantize(Decimal(1)) if d.as_tuple().exponent > 0 else d
    with localcontext() as ctx:
        ctx.prec = 1000
        try:
            d = Decimal(value.strip())
        except InvalidOperation:
            return None
        if d.is_zero():
            return Decimal(0)
        if abs(d.adjusted()) > 400:
            return None
        d = d.quantize(Decimal(1).scaleb(d.adjusted() - _SIGNIFICANT + 1),
                       rounding=ROUND_HALF_UP).normalize()
        return d.quantize(Decimal(1)) if d.as_tuple().exponent > 0 else d


def _decimals(d: Decimal) -> int:
    return max(0, -d.as_tuple().exponent)


def _whole(value: Any) -> Optional[int]:
    """A whole number in a cell (3, "3", "3.0"), else None."""
    d = _figure(value)
    if d is None or d != d.to_integral_value():
        return None
    return int(d)


def _excel_date(value: Any) -> Optional[datetime.date]:
    """An Excel date serial (1900 system) or a date typed as text."""
    d = _figure(value)
    if d is not None:
        if d < 1 or d > 2958465:
            return None
        return _EXCEL_EPOCH + datetime.timedelta(days=int(d))
    text = _text(value)
    if text is None:
        return None
    try:
        return date_range(text)[1]
    except _FAILS:
        return None


class _Sheet:
    """A sheet's rows with the warnings about them."""

    def __init__(self, rows: Sequence[Any], name: str, part: str = ""):
        # a row is a list, or the index of the measure it shows exactly as
        # written (_xlsxread.dashboard): nothing in it is read
        self.rows: List[Any] = [r if isinstance(r, int) else list(r) for r in rows]
        self.name = name
        self.warnings: List[str] = []
        # what a refused value was for: the part ("risk register 'x'"), the
        # entry each row shows ("risk 'R3'") and the heading row
        self.part = part
        self.entries: Dict[int, str] = {}
        self.head: Optional[int] = None

    def cell(self, r: int, c: Optional[int]) -> Any:
        if c is None or r >= len(self.rows) or isinstance(self.rows[r], int) or \
                c >= len(self.rows[r]):
            return None
        return self.rows[r][c]

    def where(self, r: int, c: int) -> str:
        return f"{self.name}!{_column_letters(c)}{r + 1}"

    def warn(self, r: int, c: int, message: str) -> None:
        self.warnings.append(f"{self.where(r, c)}: {message}")

    def refuse(self, r: int, c: int, message: str) -> None:
        """Warn that a cell's value is not read: the sheet and cell, and
        the part, the entry of its row and the field (the column's
        heading) it was for."""
        what = [self.part] if self.part else []
        if r in self.entries:
            what.append(self.entries[r])
        heading = _text(self.cell(self.head, c)) if self.head is not None and r > self.head \
            else None
        if heading:
            what.append(f"field '{heading.strip()}'")
        self.warn(r, c, (", ".join(what) + ": " if what else "") + message)

    def heading_row(self, first: str, second: Optional[str] = None) -> Optional[int]:
        """The row whose column A reads `first` (and B `second`)."""
        for r in range(min(_HEAD_SEARCH, len(self.rows))):
            if _text(self.cell(r, 0)) == first and \
                    (second is None or _text(self.cell(r, 1)) == second):
                return r
        return None

    def heading_or_warn(self, first: str, what: str) -> Optional[int]:
        """The heading row, or None with a warning that ``what`` ("the
        register is") not read."""
        head = self.head = self.heading_row(first)
        if head is None:
            self.warnings.append(f"sheet '{self.name}': no heading row ({first}, ...); "
                                 f"{what} not read")
        return head

    def data_rows(self, head: int) -> List[int]:
        """The rows below the headings that hold anything."""
        return [r for r in range(head + 1, len(self.rows))
                if isinstance(self.rows[r], int) or
                any(_text(v) is not None for v in self.rows[r])]

    def stray_columns(self, head: int, known: Sequence[int]) -> None:
        """Warn once per column without a known heading that holds data."""
        width = max((len(r) for r in self.rows if not isinstance(r, int)), default=0)
        rows = [r for r in self.data_rows(head) if not isinstance(self.rows[r], int)]
        for c in range(width):
            if c in known:
                continue
            for r in rows:
                if _text(self.cell(r, c)) is not None:
                    heading = _text(self.cell(head, c))
                    what = f"the column headed '{heading}'" if heading else \
                        "a column without a heading"
                    self.warn(r, c, f"{what} is not part of the layout; not read")
                    break

    def removed(self, remove, what: str, done: str) -> bool:
        """Remove the entry `what` whose row was deleted (``remove()``) and
        say so: "the row of {what} was deleted; {done}"."""
        try:
            remove()
        except _FAILS as e:
            self.warnings.append(f"{self.name}: {what} has no row but could not be removed "
                                 f"({e})")
            return False
        self.warnings.append(f"{self.name}: the row of {what} was deleted; {done}")
        return True

    def unreadable(self, r: int, c: int, value: Any, what: str) -> bool:
        """Warn about a logical value or an error where `what` belongs."""
        if isinstance(value, bool):
            self.refuse(r, c, f"a logical value ({_text(value)}) where {what} belongs; not read")
            return True
        if _is_error(value):
            self.refuse(r, c, f"an error value ({value.strip()}) where {what} belongs; not read")
            return True
        return False


# ------------------------------------------------------------ matching rows

@dataclass
class _Match:
    """Rows paired with plan entries (indexes), and what is left over."""
    pairs: List[Tuple[int, int]]        # (entry, row)
    lone_entries: List[int]
    lone_rows: List[int]
    moved: bool


def _match(entry_keys: Sequence[tuple], row_keys: Sequence[tuple],
           entry_alt: Sequence[Any], row_alt: Sequence[Any]) -> _Match:
    """Pair plan entries with sheet rows by key (``("id", id)`` or
    ``("sig", fields)`` for entries without an id), in order.  Where the
    keys differ, an entry and a row with the same alternative key (name,
    description, fields) pair (a changed id), and so do entries and rows
    without ids in the same place (edited fields).  Then rows and entries
    left over with the same id pair (moved rows)."""
    sm = difflib.SequenceMatcher(None, list(entry_keys), list(row_keys), autojunk=False)
    pairs: List[Tuple[int, int]] = []
    lone_e: List[int] = []
    lone_r: List[int] = []
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            pairs.extend(zip(range(i1, i2), range(j1, j2)))
            continue
        got = _pair_block(list(range(i1, i2)), list(range(j1, j2)), entry_keys, row_keys,
                          entry_alt, row_alt)
        pairs.extend(got)
        lone_e.extend(i for i in range(i1, i2) if i not in {p[0] for p in got})
        lone_r.extend(j for j in range(j1, j2) if j not in {p[1] for p in got})
    for i in list(lone_e):
        if entry_keys[i][0] != "id":
            continue
        same = [j for j in lone_r if row_keys[j] == entry_keys[i]]
        if same:
            pairs.append((i, same[0]))
            lone_e.remove(i)
            lone_r.remove(same[0])
    pairs.sort()
    rows_in_order = [j for _, j in pairs]
    return _Match(pairs, lone_e, lone_r, rows_in_order != sorted(rows_in_order))


def _pair_block(entries: List[int], rows: List[int], entry_keys, row_keys,
                entry_alt, row_alt) -> List[Tuple[int, int]]:
    """Pairs within a run of entries and rows whose keys differ."""
    pairs: List[Tuple[int, int]] = []
    sm = difflib.SequenceMatcher(None, [entry_alt[i] for i in entries],
                                 [row_alt[j] for j in rows], autojunk=False)
    for a, b, n in sm.get_matching_blocks():
        for k in range(n):
            if entry_alt[entries[a + k]] is not None:
                pairs.append((entries[a + k], rows[b + k]))
    used_e = {p[0] for p in pairs}
    used_r = {p[1] for p in pairs}
    left_e = [i for i in entries if i not in used_e and entry_keys[i][0] == "sig"]
    left_r = [j for j in rows if j not in used_r and row_keys[j][0] == "sig"]
    if len(left_e) == len(left_r):
        pairs.extend(zip(left_e, left_r))
    else:
        pairs.extend(_pair_similar(left_e, left_r, entry_alt, row_alt))
    return sorted(pairs)


def _pair_similar(entries, rows, entry_alt, row_alt) -> List[Tuple[int, int]]:
    """Entries and rows without ids, paired in order where their fields
    are mostly alike."""
    def text(alt) -> str:
        return alt if isinstance(alt, str) else " ".join(x for x in (alt or ()) if x)

    pairs: List[Tuple[int, int]] = []
    start = 0
    for i in entries:
        a = text(entry_alt[i])
        for k in range(start, len(rows)):
            b = text(row_alt[rows[k]])
            if difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= 0.6:
                pairs.append((i, rows[k]))
                start = k + 1
                break
    return pairs


def _title(part, sheet: _Sheet) -> None:
    """The part's title in A1 (the id when it has none)."""
    shown = part.title if part.title else part.id
    now = _text(sheet.cell(0, 0))
    if now == shown:
        return
    if now is None:
        sheet.warn(0, 0, "the title cell is empty; the title is kept as written")
        return
    try:
        part.title = now
    except _FAILS as e:
        sheet.warn(0, 0, f"the title could not be set ({e}); kept as written")


# ============================================================ indicators

@dataclass
class _Style:
    """How a new figure is printed: decimals, as a percentage, grouped."""
    decimals: int
    percent: bool
    grouped: bool
    reference: Optional[Decimal] = None


def _shown(o: Observation):
    """What the writer puts in a cell for an observation: its figure, a
    text, or None (empty)."""
    if o.value is not None:
        return o.value
    if o.status in _SHOWN_WORDS:
        return _SHOWN_WORDS[o.status]
    return o.note or None


def _same(value: Any, shown) -> bool:
    """Does a cell hold what the writer wrote for it?"""
    if isinstance(shown, Decimal):
        d = _figure(value)
        return d is not None and d == shown
    text = _text(value)
    if shown is None:
        return text is None
    return text == shown


def _style(obs: Sequence[Observation], unit: str) -> _Style:
    """The print style of the first figure among `obs` (a cell's own
    observation first), else a plain one."""
    for o in obs:
        if o.value is not None:
            return _Style(_decimals(o.value), o.percent, o.grouped, o.value)
    return _Style(0, unit == "percent", False)


def _figure_text(d: Decimal, style: _Style) -> str:
    """A figure as the core reads it printed (thresholds are set as text)."""
    q = d.quantize(Decimal(1).scaleb(-style.decimals))
    text = f"{q:,}" if style.grouped else format(q, "f")
    return text + ("%" if style.percent else "")


_COLS = {"Group": "group", "Ref": "ref", "Measure": "name", "Better if": "polarity",
         "Unit": "unit", "Good": "good", "Of concern": "concern",
         "Action required": "action"}
_DERIVED = ("RAG", "Better than last?", "Better than target?", "Why (RAG; better than last)")


class _Entries:
    """The measures and count series of a set, in order, as (measure,
    companion) pairs, made from their keys (_xlsxread.dashboard) for the
    entries a sheet's edits touch: no call per measure of the set."""

    def __init__(self, iset, keys):
        self.iset, self.keys = iset, keys
        self.made: Dict[int, Tuple[Any, bool]] = {}

    def resolve(self, indexes) -> None:
        """Make the entries at `indexes` (before any edit renames one)."""
        counts: Dict[str, list] = {}
        for i in indexes:
            ref, _, comp = self.keys[i]
            if comp is None:
                self.made[i] = (self.iset[ref], False)
            else:
                if ref not in counts:
                    counts[ref] = self.iset[ref].counts
                self.made[i] = (counts[ref][comp], True)

    def __getitem__(self, i: int) -> Tuple[Any, bool]:
        if i not in self.made:
            self.resolve([i])
        return self.made[i]


class _DashboardSheet:
    """A dashboard sheet of one indicator set."""

    def __init__(self, plan, iset, rows, name, source=None):
        self.plan, self.iset = plan, iset
        self.sheet = _Sheet(rows or [], name, f"indicator set '{iset.id}'")
        self.source = source
        self.cols: Dict[str, int] = {}
        self.periods: Dict[int, str] = {}
        self.target_col: Optional[int] = None
        self.target_period: Optional[str] = None
        self.statuses: list = []
        self.head: Optional[int] = None
        self.known: List[int] = []

    def apply(self) -> List[str]:
        sh = self.sheet
        keys = None
        if self.source is not None:
            unedited, sh.rows, keys = _xlsxread.dashboard(
                self.source, sh.name, core_of(self.plan), self.iset.id, self._layout, CellError)
            if unedited:
                _title(self.iset, sh)
                return sh.warnings
        else:
            self._layout(sh.rows[:_HEAD_SEARCH])
        head = sh.head = self.head
        if head is None:
            sh.warnings.append(f"sheet '{sh.name}': no heading row (Group, Ref, Measure, ...); "
                               "the dashboard is not read")
            return sh.warnings
        _title(self.iset, sh)
        sh.stray_columns(head, self.known)
        if keys is None:
            entries = []
            for m in self.iset:
                entries.append((m, False))
                entries.extend((c, True) for c in m.counts)
            if self.target_period is not None:
                # the statuses the writer showed, before any edit changes them
                self.statuses = self.iset.status(self.target_period).rows
            names = [m.name for m, _ in entries]
            ekeys = [("sig", m.name) if comp else ("id", m.ref) for m, comp in entries]
        else:
            entries = _Entries(self.iset, keys)
            names = [name for _, name, _ in keys]
            ekeys = [("id", ref) if comp is None else ("sig", name) for ref, name, comp in keys]
        self._apply_rows(head, entries, ekeys, names)
        return sh.warnings

    def _apply_rows(self, head: int, entries, ekeys, names) -> None:
        sh = self.sheet
        rows = sh.data_rows(head)
        ref_c, name_c = self.cols.get("ref"), self.cols.get("name")
        rkeys = [ekeys[sh.rows[r]] if isinstance(sh.rows[r], int) else
                 ("id", _text(sh.cell(r, ref_c))) if _text(sh.cell(r, ref_c)) else
                 ("sig", _text(sh.cell(r, name_c))) for r in rows]
        match = _match(ekeys, rkeys, names,
                       [names[sh.rows[r]] if isinstance(sh.rows[r], int) else
                        _text(sh.cell(r, name_c)) for r in rows])
        unread = [j for j in match.lone_rows if isinstance(sh.rows[rows[j]], int)] + \
            [j for i, j in match.pairs if isinstance(sh.rows[rows[j]], int) and
             sh.rows[rows[j]] != i]
        if unread:
            # a row that shows a measure as written is paired with another
            # (a duplicate ref): read every row as it is
            sh.rows = _xlsxread.rows(self.source, sh.name, "text", CellError)
            self._apply_rows(head, entries, ekeys, names)
            return
        pairs = [(i, j) for i, j in match.pairs if sh.rows[rows[j]] != i]
        if isinstance(entries, _Entries):
            entries.resolve([i for i, _ in pairs] + match.lone_entries)
        removed = {entries[i][0].ref for i in match.lone_entries if not entries[i][1]}
        for i, j in pairs:
            m, companion = entries[i]
            if companion and m.ref in removed:
                sh.warn(rows[j], self.cols.get("ref", 1),
                        f"the row of '{m.name}' stays, but the row of its measure '{m.ref}' "
                        "was deleted; the count series goes with the measure")
                continue
            self._row(m, companion, rows[j], self.statuses[i] if self.statuses else None)
        for i in match.lone_entries:
            m, companion = entries[i]
            if not (companion and m.ref in removed):       # those go with their measure
                self._lone_entry(m, companion)
        for j in match.lone_rows:
            self._new_row(rows[j], rkeys[j], rows)
        if match.moved:
            sh.warn(head, 1, "measures were moved on the sheet; their order in the set is "
                             "not changed (the API cannot move a measure)")

    # -- layout
    def _layout(self, head_rows: list):
        """Find the heading row among the first rows and the columns under
        it; the layout for _xlsxread.dashboard, or None without a heading
        row."""
        probe = _Sheet(head_rows, self.sheet.name)
        head = probe.heading_row("Group", "Ref")
        if head is None:
            return None
        self.head = head
        self._columns(probe.rows[head])
        periods = self.iset.periods
        index = {p: k for k, p in enumerate(periods)}
        c = self.cols.get
        return (head, *(-1 if c(k) is None else c(k) for k in
                        ("ref", "name", "group", "polarity", "unit", "good", "concern",
                         "action")),
                -1 if self.target_col is None else self.target_col,
                -1 if self.target_period is None else index[self.target_period],
                tuple(self.known), tuple((col, index[p]) for col, p in self.periods.items()))

    def _columns(self, heading: list) -> None:
        periods = self.iset.periods
        for c, value in enumerate(heading):
            h = _text(value)
            if h is None:
                continue
            h = h.strip()
            if h in _COLS:
                self.cols[_COLS[h]] = c
            elif h in periods:
                self.periods[c] = h
            elif h.startswith("Target"):
                self.target_col = c
                p = h[len("Target"):].strip()
                self.target_period = p if p in periods else None
            elif not (h in _DERIVED or (h.startswith("Better than ") and h.endswith("?"))):
                continue
            self.known.append(c)

    # -- rows
    def _row(self, m, companion: bool, r: int, status=None) -> None:
        """Apply one row's edits to a measure (or a count series); `status`
        is its status at the Target column's period as written."""
        sh = self.sheet
        sh.entries[r] = f"count series '{m.name}' of measure '{m.ref}'" if companion else \
            f"measure '{m.ref}'"
        if status is None and self.target_col is not None and self.target_period is not None:
            status = m.status(self.target_period)        # as written: before the edits
        c = self.cols.get("ref", 1)
        ref = _text(sh.cell(r, c))
        if companion and ref:
            sh.warn(r, c, f"a ref on the row of '{m.name}', a count series of measure "
                          f"'{m.ref}', which has none; not read")
        elif not companion and ref != m.ref:
            if not ref:
                sh.warn(r, c, f"the ref of measure '{m.ref}' was cleared; it stays '{m.ref}'")
            else:
                old = m.ref
                try:
                    m.rename(ref)
                except PlanbookError as e:
                    sh.warn(r, c, f"the ref of measure '{old}' could not become '{ref}' ({e}); "
                                  f"it stays '{old}'")
        self._texts(m, companion, r)
        self._polarity(m, r)
        self._unit(m, r)
        self._thresholds(m, r)
        self._target(m, r, status)
        self._results(m, r)

    def _texts(self, m, companion: bool, r: int) -> None:
        fields = ["name"] if companion else ["name", "group"]
        for field in fields:
            c = self.cols.get(field)
            if c is None:
                continue
            value = self.sheet.cell(r, c)
            if self.sheet.unreadable(r, c, value, "a text"):
                continue
            value = _text(value)
            if value != getattr(m, field):
                self._set(r, c, lambda v=value, f=field: setattr(m, f, v), f"the {field}")

    def _set(self, r: int, c: int, action, what: str) -> bool:
        try:
            action()
            return True
        except _FAILS as e:
            self.sheet.refuse(r, c, f"{what} could not be set ({e}); kept as written")
            return False

    def _polarity(self, m, r: int) -> None:
        c = self.cols.get("polarity")
        if c is None:
            return
        value = _text(self.sheet.cell(r, c)) or "none"
        if value.strip().lower() != m.polarity:
            self._set(r, c, lambda: setattr(m, "polarity", value.strip()), "the polarity")

    def _unit(self, m, r: int) -> None:
        c = self.cols.get("unit")
        if c is None:
            return
        shown = f"per {m.per}" if m.unit == "rate" and m.per else m.unit
        value = _text(self.sheet.cell(r, c))
        if value is None or value.strip() == shown:
            return
        per = re.fullmatch(r"(?:rate\s+)?per\s+([\d,]+)", value.strip(), re.I)
        if per:
            self._set(r, c, lambda: (setattr(m, "unit", "rate"),
                                     setattr(m, "per", int(per.group(1).replace(",", "")))),
                      "the unit")
        else:
            self._set(r, c, lambda: setattr(m, "unit", value.strip().lower()), "the unit")

    # -- figures
    def _new_obs(self, r: int, c: int, value: Any, old: Observation, style: _Style):
        """The observation a cell holds (an Observation, or text for the
        core to read as printed), or None when it cannot be read."""
        sh = self.sheet
        if sh.unreadable(r, c, value, "a figure"):
            return None
        text = _text(value)
        if text is None:
            return Observation("not reported")
        carry = old.status not in ("text", "not reported")
        d = _figure(text)
        if d is not None:
            return self._new_figure(r, c, d, old if carry else None, style)
        word = _WORDS.get(text.strip().lower())
        if word:
            return Observation(word, note=old.note if carry else "")
        if _PRINTED_FIGURE.fullmatch(text.strip()):
            return text.strip()
        return Observation("text", note=text)

    def _new_figure(self, r: int, c: int, d: Decimal, old: Optional[Observation],
                    style: _Style):
        sh = self.sheet
        ref = style.reference
        if style.percent and ref is not None and abs(d) < 1 and d != 0 and \
                abs(d * 100 - ref) < abs(d - ref):
            sh.warn(r, c, f"{d} read as {(d * 100).normalize():f}%: the sheet holds "
                          "percentages as points (61.5 for 61.5%), and the figure looks "
                          "typed as a fraction")
            d = (d * 100).normalize()
            if d.as_tuple().exponent > 0:
                d = d.quantize(Decimal(1))
        if d.adjusted() >= _SIGNIFICANT:
            sh.refuse(r, c, f"{d} is too large for an indicator figure; not read")
            return None
        if _decimals(d) > _MAX_DECIMALS:
            sh.refuse(r, c, f"{d} has more than {_MAX_DECIMALS} decimals, more than an "
                          "indicator figure holds; not read")
            return None
        dec = max(style.decimals, _decimals(d))
        status = old.status if old is not None and old.value is not None else "normal"
        if old is not None and old.value is not None and status in ("provisional", "estimated"):
            sh.warn(r, c, f"the figure replaced was {status}; the new figure is kept "
                          f"{status} (as the cell's comment says)")
        return Observation(status, d.quantize(Decimal(1).scaleb(-dec)),
                           note=old.note if old is not None else "",
                           percent=style.percent, grouped=style.grouped)

    def _put(self, r: int, c: int, series, period: str, obs) -> bool:
        def set_cell():
            series[period] = obs
        return self._set(r, c, set_cell, f"the figure for {period}")

    def _results(self, m, r: int) -> None:
        olds = m.values.as_dict()
        for c, period in self.periods.items():
            value = self.sheet.cell(r, c)
            old = olds[period]
            if _same(value, _shown(old)):
                continue
            style = _style([old] + list(olds.values()), m.unit)
            obs = self._new_obs(r, c, value, old, style)
            if obs is not None:
                self._put(r, c, m.values, period, obs)

    def _target(self, m, r: int, status) -> None:
        c, period = self.target_col, self.target_period
        if c is None:
            return
        value = self.sheet.cell(r, c)
        if period is None:
            if _text(value) is not None:
                self.sheet.warn(r, c, "a target where the dashboard reports no period; "
                                      "not read")
            return
        old = m.targets[period]
        if self._target_unchanged(m, r, c, value, old, status or m.status(period)):
            return
        values = list(m.values.as_dict().values())
        style = _style([old] + list(m.targets.as_dict().values()) + values, m.unit)
        obs = self._new_obs(r, c, value, old, style)
        if obs is None or not self._put(r, c, m.targets, period, obs):
            return
        now = m.status(period).target_value
        if isinstance(obs, Observation) and obs.value is not None and now is not None \
                and now != obs.value:
            self.sheet.warn(r, c, f"the target {obs.value} was set for {period}, but the "
                                  f"target in force there is still {now}")

    def _target_unchanged(self, m, r: int, c: int, value, old: Observation, status) -> bool:
        """Is the Target cell what the writer showed: the period's target,
        else the target in force (the year's or a milestone's)?"""
        period = status.period
        shows_figure = status.target_value is not None and status.target != "none"
        d = _figure(value)
        if d is not None:
            figures = [status.target_value, old.value] + \
                [ms.target.value for ms in m.milestones]
            return any(f is not None and f == d for f in figures)
        if _text(value) is None:
            if _shown(old) is not None:
                return False            # the period's target was cleared
            if shows_figure:
                self.sheet.warn(r, c, f"the target in force at {period} comes from a "
                                      "milestone or the year's target, which the sheet does "
                                      "not show; clearing the cell does not remove it")
            return True
        shown = [_shown(old)] + [_shown(ms.target) for ms in m.milestones]
        return _text(value) in shown

    def _thresholds(self, m, r: int) -> None:
        sh = self.sheet
        cols = [self.cols.get(k) for k in ("good", "concern", "action")]
        if None in cols:
            return
        cells = [sh.cell(r, c) for c in cols]
        th = m.thresholds
        if th is None:
            shown = [None, None, None]
        elif th == "not available":
            shown = ["Not available", None, None]
        else:
            shown = [_shown(o) for o in th]
        if all(_same(v, s) for v, s in zip(cells, shown)):
            return
        texts = [_text(v) for v in cells]
        if texts[0] and texts[0].strip().lower() == "not available" and not any(texts[1:]):
            self._set(r, cols[0], lambda: setattr(m, "thresholds", "not available"),
                      "the thresholds")
            return
        if not any(texts):
            self._set(r, cols[0], lambda: setattr(m, "thresholds", None), "the thresholds")
            return
        olds = list(th) if isinstance(th, tuple) else []
        values = list(m.values.as_dict().values())
        new: List[Optional[str]] = []
        for k, (c, value) in enumerate(zip(cols, cells)):
            if _same(value, shown[k]):
                new.append(None)
                continue
            new.append(self._threshold_text(r, c, value, olds[k:k + 1] + olds + values,
                                            m.unit))
        if any(t is not None for t in new):
            self._set(r, cols[0], lambda: setattr(m, "thresholds", tuple(new)),
                      "the thresholds")

    def _threshold_text(self, r: int, c: int, value, olds, unit) -> Optional[str]:
        """A threshold cell as the text the core reads ("" for none), or
        None (kept) when it is not a figure."""
        sh = self.sheet
        if sh.unreadable(r, c, value, "a threshold"):
            return None
        text = _text(value)
        if text is None:
            return ""
        d = _figure(text)
        if d is None:
            if _PRINTED_FIGURE.fullmatch(text.strip()):
                return text.strip()
            sh.refuse(r, c, f"'{text}' is not a figure; a threshold is a figure (or Not "
                          "available in Good for all three); not read")
            return None
        obs = self._new_figure(r, c, d, None, _style(olds, unit))
        if obs is None:
            return None
        return _figure_text(obs.value, _Style(_decimals(obs.value), obs.percent, obs.grouped))

    # -- rows added and removed
    def _lone_entry(self, m, companion: bool) -> None:
        sh = self.sheet
        if companion:
            sh.warnings.append(f"{sh.name}: the row of '{m.name}', a count series of measure "
                               f"'{m.ref}', is not on the sheet; the API cannot remove a "
                               "count series, so it is kept")
            return
        sh.removed(lambda: self.iset.remove(m.ref), f"measure '{m.ref}'",
                   "the measure (with its targets, comparators, milestones and notes) is "
                   "removed")

    def _new_row(self, r: int, key: tuple, rows: List[int]) -> None:
        sh = self.sheet
        c = self.cols.get("ref", 1)
        name = _text(sh.cell(r, self.cols.get("name")))
        if key[0] == "sig":
            sh.warn(r, c, f"a row without a ref ('{name or ''}'): a new count series cannot "
                          "be added through the API and a measure needs a ref; not read")
            return
        ref = key[1]
        if ref in self.iset:
            sh.warn(r, c, f"a second row for measure '{ref}'; not read")
            return
        unit, polarity = self._new_kind(r)
        try:
            m = self.iset.add(ref, name, unit=unit, polarity=polarity)
        except _FAILS as e:
            sh.warn(r, c, f"a new measure '{ref}' could not be added ({e})")
            return
        self._row(m, False, r)
        where = "at the end of the set" if r == rows[-1] else \
            "at the end of the set, not where the row is (the API appends)"
        pct = ", as percentage points" if m.unit == "percent" else ""
        sh.warn(r, c, f"a new measure '{ref}' ({name or 'no name'}): added {where}; unit "
                      f"'{m.unit}' and polarity '{m.polarity}' as the row gives them (number "
                      f"and none where it does not), figures with the decimals typed{pct}")

    def _new_kind(self, r: int) -> Tuple[str, str]:
        """The unit and polarity a new measure's row gives (else number, none)."""
        sh = self.sheet
        unit = (_text(sh.cell(r, self.cols.get("unit"))) or "number").strip().lower()
        if re.fullmatch(r"(rate\s+)?per\s+[\d,]+", unit):
            unit = "rate"
        if unit not in ("number", "percent", "rate", "count", "days", "money", "text"):
            unit = "number"
        polarity = (_text(sh.cell(r, self.cols.get("polarity"))) or "none").strip().lower()
        polarity = {"higher": "high", "lower": "low"}.get(polarity, polarity)
        if polarity not in ("high", "low", "none"):
            polarity = "none"
        return unit, polarity


# ============================================================ risks

# the risks' columns and the register's details, as the writer heads them
# (the core's descriptors of the fields, pb_fields.h)
_RISK_COLS = {heading: key for key, heading, _ in _xlsxread.fields("risk")}
_KINDS = {"Inherent": "inherent", "Current": "current", "Target": "target"}
_REG_META = tuple((heading, key) for key, heading, flags in _xlsxread.fields("register")
                  if flags & _xlsxread.FIELD_DETAIL)


def _score_text(old: str, lik: int, imp: int, score: int, order: str) -> Optional[str]:
    """The score as printed in the shape of the old text (``12 (4x3)``,
    ``4x3`` or ``12``), or None when that shape cannot say it."""
    a, b = (imp, lik) if order == "impact x likelihood" else (lik, imp)
    runs = re.findall(r"\d+", old)
    if len(runs) == 3 and score and lik and imp:
        values = [score, a, b]
    elif len(runs) == 2 and not score and lik and imp:
        values = [a, b]
    elif len(runs) == 1 and score and not lik and not imp:
        values = [score]
    elif score and lik and imp:
        return f"{score} ({a}x{b})"
    else:
        return None
    it = iter(values)
    return re.sub(r"\d+", lambda _m: str(next(it)), old)


class _PartSheet:
    """The sheet of a register or a collection: its heading row ("ID" first)
    and its title in A1, read alike."""

    noun = ""       # the part, as the warnings name it: "risk register"
    rows_are = ""   # "the register is" (not read: no heading row)

    def __init__(self, plan, part, rows, name):
        self.plan, self.part = plan, part
        self.sheet = _Sheet(rows, name, f"{self.noun} '{part.id}'")

    def _head(self) -> Optional[int]:
        """The heading row, the title read; None (with a warning) when the
        sheet has no heading row."""
        head = self.sheet.heading_or_warn("ID", self.rows_are)
        if head is not None:
            _title(self.part, self.sheet)
        return head


class _RegisterSheet(_PartSheet):
    """The register sheet of one risk register."""

    noun, rows_are = "risk register", "the register is"
    reg = property(lambda self: self.part)

    def __init__(self, plan, reg, rows, name):
        super().__init__(plan, reg, rows, name)
        self.cols: Dict[str, int] = {}
        self.scores: Dict[str, Dict[str, int]] = {}

    def apply(self) -> List[str]:
        sh = self.sheet
        head = self._head()
        if head is None:
            return sh.warnings
        self._meta()
        self._columns(head)
        risks = list(self.reg)
        rows = sh.data_rows(head)
        rkeys = [("id", _text(sh.cell(r, 0))) if _text(sh.cell(r, 0)) else
                 ("sig", self._row_alt(r)) for r in rows]
        match = _match([("id", k.id) for k in risks], rkeys,
                       [k.description for k in risks],
                       [self._row_alt(r) for r in rows])
        for i, j in match.pairs:
            self._row(risks[i], rows[j])
        for i in match.lone_entries:
            self._removed(risks[i].id)
        for j in match.lone_rows:
            self._new_row(rows[j], rkeys[j], rows)
        if match.moved:
            sh.warn(head, 0, "risks were moved on the sheet; their order in the register is "
                             "not changed (the API cannot move a risk)")
        return sh.warnings

    def _row_alt(self, r: int) -> Optional[str]:
        return _text(self.sheet.cell(r, self.cols.get("description")))

    def _columns(self, head: int) -> None:
        known = []
        for c, value in enumerate(self.sheet.rows[head]):
            h = (_text(value) or "").strip()
            if h in _RISK_COLS:
                self.cols[_RISK_COLS[h]] = c
            elif h.partition(" ")[0] in _KINDS and h.partition(" ")[2] in ("L", "I", "Score",
                                                                          "RAG"):
                kind, _, part = h.partition(" ")
                self.scores.setdefault(_KINDS[kind], {})[part] = c
            else:
                continue
            known.append(c)
        self.sheet.stray_columns(head, known)

    # -- the subtitle: the register's details and review dates
    def _meta(self) -> None:
        sh, reg = self.sheet, self.reg
        lmax, imax = self.plan.risk_matrix
        gmax, amax = self.plan.risk_bands
        basis = reg.basis
        printed = bool(basis) and basis.startswith("printed")
        tail = (f"Score = likelihood x impact on a {lmax} x {imax} matrix; RAG: up to {gmax} "
                f"green, up to {amax} amber, above red "
                f"({'bands' if printed else 'assumed bands'}: "
                f"{basis or 'the register prints none'}).")
        parts = [f"{label}: {getattr(reg, field)}" for label, field in _REG_META
                 if getattr(reg, field)]
        expected = (" | ".join(parts) + ". " if parts else "") + tail
        now = _text(sh.cell(1, 0))
        if now == expected or len(expected.encode()) >= 1199:
            return
        if now is None:
            sh.warn(1, 0, "the line of the register's details is empty; the details (version, "
                          "review dates) are kept as written")
            return
        # the rule's own words (a basis may quote a seed's "Risk Score = L x I")
        head, sep, rest = now.partition("Score = likelihood x impact")
        if not sep:
            head, rest = now, ""
        elif sep + rest != tail:
            sh.warn(1, 0, "the score rule and RAG bands are the plan's settings; the edited "
                          "sentence is not read")
        head = head.strip()
        head = head[:-1] if head.endswith(".") and sep else head
        self._meta_fields(head)

    def _meta_fields(self, head: str) -> None:
        sh, reg = self.sheet, self.reg
        labels = {label.lower(): field for label, field in _REG_META}
        found: Dict[str, Optional[str]] = {field: None for _, field in _REG_META}
        for part in [p for p in head.split(" | ") if p.strip()]:
            label, colon, value = part.partition(":")
            if not colon or label.strip().lower() not in labels:
                names = ", ".join(label for label, _ in _REG_META)
                sh.warn(1, 0, f"'{part.strip()}' is not one of the register's details "
                              f"({names}: each 'Name: value', separated by ' | '); the "
                              "details are not read")
                return
            found[labels[label.strip().lower()]] = value.strip() or None
        for field, value in found.items():
            if value != getattr(reg, field):
                try:
                    setattr(reg, field, value)
                except _FAILS as e:
                    sh.warn(1, 0, f"the register's {field.replace('_', ' ')} could not be set "
                                  f"({e}); kept as written")

    # -- rows
    def _row(self, risk, r: int) -> None:
        sh = self.sheet
        sh.entries[r] = f"risk '{risk.id}'"
        rid = _text(sh.cell(r, 0))
        if rid and rid != risk.id:
            try:
                risk.id = rid
            except _FAILS as e:
                sh.warn(r, 0, f"risk '{risk.id}' could not be given the ID '{rid}' ({e})")
        for field, c in self.cols.items():
            if field == "id":
                continue
            value = sh.cell(r, c)
            if sh.unreadable(r, c, value, "a text"):
                continue
            value = _text(value)
            if value != getattr(risk, field):
                try:
                    setattr(risk, field, value)
                except _FAILS as e:
                    sh.refuse(r, c, f"the {field} could not be set ({e}); kept as written")
        for kind, cols in self.scores.items():
            self._score(risk, kind, cols, r)

    def _part(self, r: int, c: Optional[int], old: int, limit: int) -> Optional[int]:
        """A likelihood, impact or score cell: the whole number (0 when
        empty), or the old one when the cell cannot be read."""
        sh = self.sheet
        if c is None:
            return old
        value = sh.cell(r, c)
        if sh.unreadable(r, c, value, "a whole number"):
            return old
        if _text(value) is None:
            return 0
        n = _whole(value)
        if n is None or not 0 <= n <= limit:
            sh.refuse(r, c, f"'{_text(value)}' is not a whole number from 0 to {limit}; "
                            "not read")
            return old
        return n

    def _score(self, risk, kind: str, cols: Dict[str, int], r: int) -> None:
        sh = self.sheet
        s = getattr(risk, kind)
        l0, i0, d0 = (s.likelihood or 0, s.impact or 0, s.declared or 0) if s else (0, 0, 0)
        v0 = s.value if s else 0
        formula = bool(l0 and i0)
        lik = self._part(r, cols.get("L"), l0, 255)
        imp = self._part(r, cols.get("I"), i0, 255)
        sc = cols.get("Score")
        typed = self._part(r, sc, v0 if formula else d0, 65535)
        if formula:
            # a formula's result (recalculated, cached or dropped) is not an edit
            edited = typed not in (0, v0) and typed != lik * imp
        else:
            edited = typed != d0
        if lik == l0 and imp == i0 and not edited:
            return
        if edited:
            score = typed
            if formula and lik and imp and score != lik * imp:
                sh.warn(r, sc, f"the {kind} score {score} was typed over the formula "
                               f"(likelihood x impact = {lik * imp}); kept as the declared "
                               "score, which the check reports")
        elif formula:
            score = lik * imp if lik and imp else 0
        else:
            score = d0
        self._set_score(risk, kind, s, (lik, imp, score), r, cols)

    def _set_score(self, risk, kind: str, old, new: Tuple[int, int, int], r: int,
                   cols: Dict[str, int]) -> None:
        lik, imp, score = new
        c = cols.get("L", cols.get("Score", 0))
        try:
            if not (lik or imp or score):
                setattr(risk, kind, None)
                return
            text = _score_text(old.text, lik, imp, score, self.reg.score_order) \
                if old is not None and old.text else None
            if text is not None:
                setattr(risk, kind, text)
                now = getattr(risk, kind)
                if (now.likelihood or 0, now.impact or 0, now.declared or 0) == new:
                    return
            setattr(risk, kind, new)
        except _FAILS as e:
            self.sheet.refuse(r, c, f"the {kind} score could not be set ({e}); kept as "
                                    "written")

    # -- rows added and removed
    def _removed(self, rid: str) -> None:
        self.sheet.removed(lambda: self.reg.remove(rid), f"risk '{rid}'",
                           "the risk is removed from the register")

    def _new_row(self, r: int, key: tuple, rows: List[int]) -> None:
        sh = self.sheet
        if key[0] != "id":
            sh.warn(r, 0, "a risk without an ID; not read (a risk needs an ID)")
            return
        rid = key[1]
        if rid in self.reg:
            sh.warn(r, 0, f"a second row for risk '{rid}'; not read")
            return
        try:
            risk = self.reg.add(rid)
        except _FAILS as e:
            sh.warn(r, 0, f"a new risk '{rid}' could not be added ({e})")
            return
        self._row(risk, r)
        where = "at the end of the register" if r == rows[-1] else \
            "at the end of the register, not where the row is (the API appends)"
        sh.warn(r, 0, f"a new risk '{rid}': added {where}")


# ============================================================ records

_DATE_STYLES = ((re.compile(r"\d{1,2}/\d{1,2}/\d{4}"), "%d/%m/%Y"),
                (re.compile(r"\d{1,2}/\d{1,2}/\d{2}"), "%d/%m/%y"),
                (re.compile(r"\d{4}-\d{2}-\d{2}"), "%Y-%m-%d"))
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def _date_text(d: datetime.date, old: Optional[str]) -> str:
    """A date written in the style of the text it replaces."""
    old = (old or "").strip()
    text = f"{d.day} {_MONTHS[d.month - 1]} {d.year}"
    for pattern, fmt in _DATE_STYLES:
        if pattern.fullmatch(old):
            text = d.strftime(fmt)
    month_end = d.day == calendar.monthrange(d.year, d.month)[1]  # 9999-12-31 too
    whole_month = re.fullmatch(r"(end\s+(of\s+)?)?[A-Za-z]+\.?\s+\d{4}", old)
    if month_end and whole_month:
        text = f"{whole_month.group(1) or ''}{_MONTHS[d.month - 1]} {d.year}"
    try:
        if date_range(text)[1] == d:
            return text
    except _FAILS:
        pass
    return d.isoformat()


def _some(fields: tuple) -> Optional[tuple]:
    """Fields to match items by, or None when they are all empty."""
    return fields if any(f is not None for f in fields) else None


class _RecordSheet(_PartSheet):
    """The sheet of one collection of records."""

    noun, rows_are = "collection", "the records are"
    coll = property(lambda self: self.part)

    def __init__(self, plan, coll, rows, name):
        super().__init__(plan, coll, rows, name)
        self.fields: Dict[int, str] = {}
        self.due_col: Optional[int] = None

    def apply(self) -> List[str]:
        sh = self.sheet
        head = self._head()
        if head is None:
            return sh.warnings
        self._columns(head)
        items = list(self.coll)
        rows = sh.data_rows(head)
        rsig = [self._row_sig(r) for r in rows]
        esig = [tuple(rec.get(f) for f in self.fields.values()) for rec in items]
        rkeys = [("id", _text(sh.cell(r, 0))) if _text(sh.cell(r, 0)) else ("sig", s)
                 for r, s in zip(rows, rsig)]
        ekeys = [("id", rec.id) if rec.id else ("sig", s) for rec, s in zip(items, esig)]
        match = _match(ekeys, rkeys, [_some(x) for x in esig], [_some(x) for x in rsig])
        for i, j in match.pairs:
            self._row(items[i], rows[j])
        self._remove([items[i] for i in match.lone_entries], {i for i, _ in match.pairs},
                     items)
        placed = {j: _text(sh.cell(rows[j], 0)) for _, j in match.pairs}
        for j in match.lone_rows:
            self._new_row(rows, j, placed)
        if match.moved:
            sh.warn(head, 0, "items were moved on the sheet; their order in the collection is "
                             "not changed (the API cannot move an item)")
        return sh.warnings

    def _row_sig(self, r: int) -> tuple:
        return tuple(_text(self.sheet.cell(r, c)) for c in self.fields)

    def _columns(self, head: int) -> None:
        sh = self.sheet
        known = [0]
        names = set()
        for c, value in enumerate(sh.rows[head]):
            h = _text(value)
            if c == 0 or h is None:
                continue
            h = h.strip()
            if h == "Due (date)":
                self.due_col = c
            elif h == "Overdue?":
                pass
            elif re.fullmatch(r"[A-Za-z0-9_]{1,64}", h) and h not in ("id", "items") \
                    and h not in names:
                self.fields[c] = h
                names.add(h)
            else:
                continue
            known.append(c)
        sh.stray_columns(head, known)
        used = {f for rec in self.coll for f in rec.fields}
        for name in sorted(used - names):
            sh.warn(head, 0, f"the field '{name}' has no column on the sheet (deleted?); its "
                             "values are kept as written")

    # -- rows
    def _row(self, rec, r: int) -> None:
        sh = self.sheet
        sh.entries[r] = self._entry(rec)
        rid = _text(sh.cell(r, 0))
        if rid != rec.id:
            self._set(rec, "id", rid, r, 0)
        old_due = rec.due
        edited_dates = False
        for c, name in self.fields.items():
            value = sh.cell(r, c)
            if sh.unreadable(r, c, value, "a text"):
                continue
            value = _text(value)
            if value != rec.get(name):
                self._set(rec, name, value, r, c)
                edited_dates |= name in self.coll.date_fields
        if self.due_col is not None:
            self._due(rec, r, old_due, edited_dates)

    @staticmethod
    def _entry(rec) -> str:
        return f"item '{rec.id}'" if rec.id else f"item #{rec.index + 1} (no ID)"

    def _set(self, rec, name: str, value, r: int, c: int) -> bool:
        try:
            rec[name] = value
            return True
        except _FAILS as e:
            self.sheet.refuse(r, c, f"the {name} could not be set ({e}); kept as written")
            return False

    def _due(self, rec, r: int, old_due, edited_dates: bool) -> None:
        """The Due (date) cell: a new date rewrites the date field; the same
        date keeps its text as written."""
        sh, c = self.sheet, self.due_col
        value = sh.cell(r, c)
        if sh.unreadable(r, c, value, "a date"):
            return
        if _text(value) is None:
            if old_due is not None and rec.due is not None:
                sh.warn(r, c, f"the due date was cleared, but the item's date field still "
                              f"gives {rec.due.isoformat()}; kept (clear the field instead)")
            return
        new = _excel_date(value)
        if new is None:
            sh.refuse(r, c, f"'{_text(value)}' is not a date; not read")
            return
        if new == old_due or rec.due == new:
            return
        field = self._date_field(rec)
        old_text = rec.get(field)
        if edited_dates:
            sh.warn(r, c, f"the due date {new.isoformat()} disagrees with the edited "
                          f"'{field}' ({old_text}); the date column wins")
        text = _date_text(new, old_text)
        ranged = bool(old_text) and (" - " in old_text or "\u2013" in old_text)
        if self._set(rec, field, text, r, c) and ranged:
            sh.warn(r, c, f"'{field}' was the range '{old_text}'; it is now the date '{text}'")

    def _date_field(self, rec) -> str:
        """The field the item's due date comes from (else the first date
        field it has, else the collection's first date field), never a
        ``start`` or ``review`` field: those are not due dates."""
        dates = [d for d in self.coll.date_fields if d not in ("start", "review")] or ["due"]
        fields = rec.fields
        for name, text in fields.items():
            if name in dates:
                try:
                    if date_range(text)[1] is not None:
                        return name
                except _FAILS:
                    continue
        for name in fields:
            if name in dates:
                return name
        return dates[0]

    # -- rows added and removed
    def _remove(self, gone, kept_index: set, items) -> None:
        """Remove the items without rows, last first, unless a sub-item
        still has its row (removing an item removes its sub-items)."""
        sh = self.sheet
        for rec in sorted(gone, key=lambda x: x.index, reverse=True):
            label = f"'{rec.id}'" if rec.id else f"#{rec.index + 1} (no ID)"
            end = rec.index + 1
            while end < len(items) and items[end].depth > rec.depth:
                end += 1
            if any(k in kept_index for k in range(rec.index + 1, end)):
                sh.warnings.append(f"{sh.name}: the row of item {label} was deleted but its "
                                   "sub-items are still on the sheet; the item is kept (the "
                                   "API cannot move sub-items)")
                continue
            subs = len(self.coll[rec.index].children)
            sh.removed(lambda rec=rec: self.coll.remove(rec), f"item {label}",
                       "the item is removed" + (" with its sub-items" if subs else ""))

    def _new_row(self, rows: List[int], j: int, placed: Dict[int, Optional[str]]) -> None:
        sh = self.sheet
        r = rows[j]
        rid = _text(sh.cell(r, 0))
        if rid is not None and rid in self.coll:
            sh.warn(r, 0, f"a second row for item '{rid}'; not read")
            return
        parent = self._parent_guess(rows, j, placed)
        try:
            rec = self.coll.add(rid, parent=parent)
        except _FAILS as e:
            sh.warn(r, 0, f"a new item could not be added ({e})")
            return
        sh.entries[r] = self._entry(rec)
        for c, name in self.fields.items():
            value = sh.cell(r, c)
            if not sh.unreadable(r, c, value, "a text") and _text(value) is not None:
                self._set(rec, name, _text(value), r, c)
        placed[j] = rec.id
        if self.due_col is not None:
            self._due(rec, r, None, False)
        under = f"under '{parent}'" if parent else "at the top level"
        sh.warn(r, 0, f"a new item {repr(rid) if rid else '(no ID)'}: added {under} at the end "
                      "of the collection (the sheet does not show nesting, and the API "
                      "appends)")

    def _parent_guess(self, rows, j: int, placed) -> Optional[str]:
        """The parent of the item on the row above, when an item can still
        be appended under it (it is the last item or one of its parents)."""
        above = next((placed[k] for k in range(j - 1, -1, -1) if k in placed), None)
        if above is None or above not in self.coll or not len(self.coll):
            return None
        parent = self.coll[above].parent
        if parent is None or parent.id is None:
            return None
        last = self.coll[len(self.coll) - 1]
        while last is not None and last.index != parent.index:
            last = last.parent
        return parent.id if last is not None else None


class _DescribedSheet:
    """The sheet of a described part (``plan.contacts``...): a heading per
    field (the part's ``headings``, as the writer put them), a row per row.
    Rows are matched by id (else by their fields); a changed cell sets the
    field, a deleted row removes its row, a new row is added at the end."""

    def __init__(self, plan, part, rows, name):
        self.plan, self.part = plan, part
        self.sheet = _Sheet(rows, name, f"{part.id}")
        self.fields: Dict[int, str] = {}

    def apply(self) -> List[str]:
        sh, part = self.sheet, self.part
        by_heading = {h: k for k, h in part.headings.items()}
        first = next(iter(part.headings.values()))
        head = sh.heading_or_warn(first, "the rows are")
        if head is None:
            return sh.warnings
        for c, value in enumerate(sh.rows[head]):
            h = _text(value)
            if h is not None and h.strip() in by_heading and \
                    by_heading[h.strip()] not in self.fields.values():
                self.fields[c] = by_heading[h.strip()]
        sh.stray_columns(head, list(self.fields))
        for key in part.headings:
            if key not in self.fields.values():
                sh.warn(head, 0, f"the field '{key}' has no column on the sheet (deleted?); "
                                 "its values are kept as written")
        rows = sh.data_rows(head)
        old = list(part)
        rsig = [tuple(_text(sh.cell(r, c)) for c in self.fields) for r in rows]
        esig = [tuple(row[k] for k in self.fields.values()) for row in old]
        id_col = next((c for c, k in self.fields.items() if k == "id"), None)
        rkeys = [("id", _text(sh.cell(r, id_col))) if id_col is not None and
                 _text(sh.cell(r, id_col)) else ("sig", s) for r, s in zip(rows, rsig)]
        ekeys = [("id", row["id"]) if "id" in part.headings and row["id"] else ("sig", s)
                 for row, s in zip(old, esig)]
        match = _match(ekeys, rkeys, [_some(x) for x in esig], [_some(x) for x in rsig])
        for i, j in match.pairs:
            self._row(old[i], rows[j])
        for i in sorted(match.lone_entries, reverse=True):
            rid = old[i]["id"] if "id" in part.headings else None
            what = f"row {old[i].index + 1}" + (f" (id {rid!r})" if rid else "")
            sh.removed(lambda i=i: part.remove(old[i].index), what, "removed from the plan")
        for j in match.lone_rows:
            values = {}
            for c, key in self.fields.items():
                v = sh.cell(rows[j], c)
                if not sh.unreadable(rows[j], c, v, "a text"):
                    values[key] = self._cell_text(key, v, None)
            try:
                part.add(**values)
                sh.warn(rows[j], 0, "a new row: added at the end of the part")
            except _FAILS as e:
                sh.refuse(rows[j], 0, f"the row could not be added ({e})")
        if match.moved:
            sh.warn(head, 0, "rows were moved on the sheet; their order in the plan is not "
                             "changed")
        return sh.warnings

    def _cell_text(self, key: str, value: Any, old: Optional[str]) -> Optional[str]:
        """A cell as the field's text; in a date field, a date typed in
        Excel (a serial number, not a date as written) becomes a date in the
        style of the text it replaces ("9 March 2015")."""
        text = _text(value)
        if text is None or key not in self.part.date_fields or _figure(text) is None:
            return text
        try:
            date_range(text)
            return text  # a number that reads as a date as written ("2015")
        except _FAILS:
            day = _excel_date(text)
        return text if day is None else _date_text(day, old)

    def _row(self, row, r: int) -> None:
        sh = self.sheet
        for c, key in self.fields.items():
            value = sh.cell(r, c)
            if sh.unreadable(r, c, value, "a text"):
                continue
            value = self._cell_text(key, value, row[key])
            if value != row[key]:
                try:
                    row.set(**{key: value})
                except _FAILS as e:
                    sh.refuse(r, c, f"the {key} could not be set ({e}); kept as written")

