"""The committee pack: one self-contained HTML page (or its PDF) of a plan.

``plan.report()`` (and ``planbook report PLAN -o pack.html``) lays out
what a scrutiny committee reads: a cover and contents, the budget tables
as finance prints them with the findings marked at their cells, each
indicator dashboard with RAG as symbol, word and colour and the direction
of travel as arrow and word, the risk registers with their heat maps (an
inline SVG with a text alternative, and the same matrix as a table), the
actions and other records with owners, dates and what is overdue as of a
date, and the findings, each linked to the place it concerns.

The page needs nothing from a network and no script: styles are inline,
charts are SVG written here, a logo is embedded as a data URI.  Every text
from the plan goes through Jinja2's autoescaping.  ``.pdf`` prints the
same page with headless Chromium (:mod:`planbook._chromium`).

>>> import planbook
>>> plan = planbook.examples.load("manchester-children-2018-19")
>>> html = plan.report(as_of="2018-09-01")
>>> html.startswith("<!DOCTYPE html>"), "449,923" in html
(True, True)
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import html as _html
import os
import pathlib
import re
import tempfile
from decimal import Decimal
from typing import (TYPE_CHECKING, Any, Dict, Iterator, List, Optional, Sequence, Set, Tuple,
                    Union, cast)

from ._described import DescribedRow, DescribedRows
from ._display import _headline
from ._model import _MONTHS, format_amount
from ._parts import PARTS as _PLAN_PARTS
from ._records import DONE
from ._version import __version__
from .errors import ValidationError

if TYPE_CHECKING:  # pragma: no cover
    import jinja2

    from ._indicators import IndicatorSet, Measure, Observation, Status
    from ._model import Cell, Column, Finding, Plan, Table
    from ._records import Collection
    from ._risks import RiskRegister

#: what the template lays out: dicts of text, numbers and lists of the same
Ctx = Dict[str, Any]
#: a place in the plan a finding is about: (part letter, table, row, column...)
_Key = Tuple[Any, ...]
_Path = Union[str, "os.PathLike[str]"]
#: sections and periods: a list, or text with commas
_Names = Union[None, str, Sequence[str]]

__all__ = ["report", "PARTS"]

#: the parts of a pack, in their default order
PARTS = ("summary", "budgets", "indicators", "risks", "records", "findings")
_TITLES = {"summary": "At a glance", "budgets": "Budgets", "indicators": "Performance",
           "risks": "Risks", "records": "Actions and plans", "findings": "Findings",
           "movement": "What moved"}
#: record collections left out unless named (``sections=["records.narrative"]``)
_SKIPPED_KINDS = ("narrative", "other")
_RAG_SYMBOL = {"red": "\u2716", "amber": "\u25b2", "green": "\u2714", "none": ""}
_ARROW = {"better": "\u2191", "worse": "\u2193", "same": "\u2192", "up": "\u2197",
          "down": "\u2198"}
_LOGO_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".gif": "image/gif", ".svg": "image/svg+xml", ".webp": "image/webp"}
_LOGO_MAX = 5 * 1024 * 1024
_OWNER = re.compile(r"owner|lead|responsib|officer|manager", re.I)
_WHEN = ("due", "date", "timescale", "deadline", "target_date")
_TITLE_FIELDS = ("title", "action", "name")
#: lists whose dates are deadlines: an item past its date and not done is overdue
_TRACKED = ("actions", "objectives", "workstreams", "equality")

_env: Any = None


# ------------------------------------------------------------------ helpers

def _jinja() -> jinja2.Template:
    global _env
    if _env is None:
        try:
            import jinja2
        except ImportError:
            raise ImportError("a committee pack needs Jinja2: pip install Jinja2") from None
        from ._report_template import TEMPLATE
        env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined,
                                 keep_trailing_newline=True)
        _env = env.from_string(TEMPLATE)
    return _env


def _day(d: datetime.date) -> str:
    """``12 February 2015`` (the month's name, whatever the locale)."""
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def _date_of(value: object, what: str) -> datetime.date:
    if value is None:
        return datetime.date.today()
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValidationError(f"{what} is a date (YYYY-MM-DD), not {value!r}")


class _Ids:
    """Unique, valid HTML ids made from plan ids (which may hold anything)."""

    def __init__(self) -> None:
        self.used: Set[str] = set()

    def make(self, *parts: Any) -> str:
        text = "-".join(str(p) for p in parts if p is not None and str(p) != "")
        base = re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-").lower() or "x"
        if not base[0].isalpha():
            base = "x-" + base
        base = base[:80]
        out, k = base, 2
        while out in self.used:
            out, k = f"{base}-{k}", k + 1
        self.used.add(out)
        return out


def _prose(name: str) -> str:
    """A field name as a heading: ``eia_completion`` -> ``Eia completion``."""
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _count(n: int, word: str, plural: Optional[str] = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


# ------------------------------------------------------------------ options

def _periods(plan: Plan, periods: _Names) -> Optional[List[str]]:
    """The periods asked for, as the plan writes them; a ValidationError
    naming the plan's periods when one is not a period or not in the plan."""
    if periods is None:
        return None
    if isinstance(periods, str):
        periods = [p for p in periods.split(",")] if "," in periods else [periods]
    from ._core import parse_period
    known: List[str] = []
    for sid in plan.indicators:
        known += [p for p in plan.indicators[sid].periods if p not in known]
    for tid in plan.budgets:
        known += [c.period for c in plan.budgets[tid].columns
                  if c.period and c.period not in known]
    out: List[str] = []
    for p in periods:
        text = str(p).strip()
        try:
            canon = parse_period(text, plan.year_start)[0]
        except Exception:
            canon = text
        if canon not in known:
            raise ValidationError(f"no table or dashboard of the plan has the period {text!r}; "
                                  f"its periods are {', '.join(known) or 'none'}",
                                  code="period")
        if canon not in out:
            out.append(canon)
    return out


def _part_ids(plan: Plan, part: str) -> List[str]:
    if part == "budgets":
        return list(plan.budgets)
    if part == "indicators":
        return list(plan.indicators)
    if part == "risks":
        return list(plan.risks)
    if part == "records":
        # the collections, then the described parts that have rows
        # (contacts, timeline), shown alike as lists
        ids = list(plan.records)
        return ids + [k for k in _described(plan) if k not in ids]
    return []


def _described(plan: Plan) -> Dict[str, DescribedRows]:
    """The plan's described parts that have rows, by key."""
    out: Dict[str, DescribedRows] = {}
    for p in _PLAN_PARTS:
        if p.described:
            rows = getattr(plan, p.name)
            if isinstance(rows, DescribedRows) and len(rows):
                out[p.name] = rows
    return out


class _Row:
    """A described part's row, as the list layout reads a record."""

    depth = 0
    start: Optional[datetime.date] = None

    def __init__(self, row: DescribedRow):
        d = row.to_dict()
        self.id: Optional[str] = d.pop("id", None)
        self.index: int = row.index
        self.due: Optional[datetime.date] = row.due
        self.fields: Dict[str, str] = {k: v for k, v in d.items() if v}


class _Rows:
    """A described part, as the list layout reads a collection: its title
    the descriptor's, its dates the date fields (a timeline's date is when
    something happens, not a deadline: never overdue, as a timeline
    collection's)."""

    note: Optional[str] = None

    def __init__(self, rows: DescribedRows):
        self.id = rows.id
        self.title = rows.title
        self.kind = rows.id
        self.date_fields = rows.date_fields
        self._rows = [_Row(r) for r in rows]

    def __iter__(self) -> Iterator[_Row]:
        return iter(self._rows)


def _sections(plan: Plan, sections: _Names) -> List[Tuple[str, Optional[List[str]]]]:
    """[(part, ids or None for the part's default)] in the order asked."""
    if sections is None:
        sections = PARTS
    if isinstance(sections, str):
        sections = [s for s in sections.split(",")]
    plan_parts = ("budgets", "indicators", "risks", "records")
    out: Dict[str, Optional[List[str]]] = {}
    for raw in sections:
        s = str(raw).strip()
        if not s:
            continue
        if s in PARTS or s == "movement":
            out[s] = None          # the whole part (where it was first named)
            continue
        part, _, ident = s.partition(".")
        if ident and part in plan_parts:
            if ident not in _part_ids(plan, part):
                what = {"budgets": "table", "indicators": "indicator set",
                        "risks": "risk register", "records": "list"}[part]
                raise ValidationError(f"the plan has no {what} {ident!r}; its {part}: "
                                      f"{', '.join(_part_ids(plan, part)) or 'none'}",
                                      code="section")
            found = [(part, ident)]
        else:
            found = [(p, s) for p in plan_parts if s in _part_ids(plan, p)]
            if len(found) > 1:
                raise ValidationError(f"{s!r} names more than one part of the plan: say "
                                      + " or ".join(f"{p}.{s}" for p, _ in found),
                                      code="section")
            if not found:
                names = ", ".join(PARTS)
                raise ValidationError(f"no section {s!r}: a section is one of {names}, or a "
                                      f"table, dashboard, register or list of the plan "
                                      f"(budgets.ID, indicators.ID, risks.ID, records.ID)",
                                      code="section")
        part, ident = found[0]
        if part in out and out[part] is None:
            continue
        idents = out.setdefault(part, [])
        if idents is not None and ident not in idents:
            idents.append(ident)
    return list(out.items())


def _logo(logo: Optional[_Path], organisation: Optional[str]) -> Optional[Dict[str, str]]:
    if logo is None:
        return None
    path = os.fspath(logo)
    kind = _LOGO_TYPES.get(os.path.splitext(path)[1].lower())
    if kind is None:
        raise ValidationError(f"{path}: a logo is a PNG, JPEG, GIF, SVG or WebP image "
                              f"(by its suffix)", code="logo")
    with open(path, "rb") as f:
        data = f.read(_LOGO_MAX + 1)
    if len(data) > _LOGO_MAX:
        raise ValidationError(f"{path}: a logo of more than 5 MB is not embedded", code="logo")
    src = f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"
    return {"src": src, "alt": f"{organisation} logo" if organisation else "Logo"}


def _user_css(css: object) -> Optional[str]:
    """CSS text: ``css`` is a file (a path, or text without braces) or the
    rules themselves.  ``</`` is written ``<\\/`` so it cannot end the
    style element."""
    if css is None:
        return None
    if isinstance(css, os.PathLike) or (isinstance(css, str) and "{" not in css):
        # a path: os.PathLike is checked at run time without its type argument
        with open(os.fspath(cast("Union[str, os.PathLike[str]]", css)), encoding="utf-8") as f:
            text = f.read()
    elif isinstance(css, str):
        text = css
    else:
        raise TypeError("css is a path to a .css file or the CSS text")
    return text.replace("</", "<\\/")


def _css() -> str:
    from ._report_template import CSS
    return CSS


# ------------------------------------------------------------------ findings

class _Findings:
    """The plan's findings, numbered, with where each one points; the
    parts of the pack say which places they show (``place``), so that a
    finding links only to something that is in the pack."""

    def __init__(self, plan: Plan, ids: _Ids, linked: bool):
        self.items: List[Ctx] = []
        self.by_key: Dict[_Key, List[Ctx]] = {}
        self.placed: Dict[_Key, str] = {}
        for n, f in enumerate(plan.check(), 1):
            key = self._key(f)
            item: Ctx = {"n": n, "finding": f, "key": key, "severity": f.severity,
                    "symbol": "\u2716" if f.severity == "error" else "!",
                    "message": f.message, "anchor": ids.make("finding", n) if linked else None,
                    "short": f.message if len(f.message) <= 120 else f.message[:117] + "...",
                    "where": self._where(plan, f), "target": self._target(f),
                    "location": self._location(f), "href": None}
            self.items.append(item)
            if key is not None:
                self.by_key.setdefault(key, []).append(item)

    @staticmethod
    def _key(f: Finding) -> Optional[_Key]:
        if f.table is None or f.row_index is None:
            return None
        if f.part == "budgets":
            return ("b", f.table, f.row_index, f.column)
        if f.part == "indicators":
            return ("i", f.table, f.row_index)
        if f.part == "risks":
            return ("r", f.table, f.row_index, f.column)
        if f.part == "records":
            return ("c", f.table, f.row_index)
        return None

    @staticmethod
    def _location(f: Finding) -> str:
        """``plan.yaml:49:16``: where the printed figure is in the file."""
        parts = [os.path.basename(f.file) if f.file else None, f.line, f.col]
        return ":".join(str(p) for p in parts if p) if f.file else ""

    @staticmethod
    def _where(plan: Plan, f: Finding) -> str:
        title = None
        try:
            if f.part == "budgets" and f.table in plan.budgets:
                title = plan.budgets[f.table].title
            elif f.part == "indicators" and f.table in plan.indicators:
                title = plan.indicators[f.table].title
            elif f.part == "risks" and f.table in plan.risks:
                title = plan.risks[f.table].title
            elif f.part == "records" and f.table in plan.records:
                title = plan.records[f.table].title
        except KeyError:
            title = None
        return title or f.table or "plan"

    @staticmethod
    def _target(f: Finding) -> str:
        if f.part == "budgets":
            if f.column_heading:
                return f"the figure ({f.row}, {f.column_heading})"
            return f"the line ({f.row})" if f.row else "the table"
        if f.part == "indicators":
            return f"the measure ({f.row_id or f.row})"
        if f.part == "risks":
            return f"the risk ({f.row_id})"
        if f.part == "records":
            return f"the item ({f.row_id or f.row})"
        return "the place"

    def at(self, key: _Key, anchor: str) -> List[Ctx]:
        """The findings about ``key``, which the pack shows at ``anchor``."""
        found = self.by_key.get(key, [])
        for item in found:
            if item["href"] is None:
                item["href"] = anchor
        return found

    def marks(self, key: _Key, anchor: str) -> List[Ctx]:
        return [{"n": i["n"], "anchor": i["anchor"], "short": i["short"]}
                for i in self.at(key, anchor)]


# ------------------------------------------------------------------ budgets

def _shown_amount(cell: Cell, negate: bool) -> str:
    """A cell as finance prints it: thousands separators, negatives in
    brackets, ``-`` for a nil, text as written; a figure the plan does not
    print but the arithmetic gives in [square brackets]."""
    if cell.state == "text":
        return cell.value if isinstance(cell.value, str) else ""
    if cell.state == "nil":
        return "-"
    if cell.state == "value" and isinstance(cell.printed, Decimal):
        return format_amount(cell.printed)
    if cell.computed is not None:
        v = -cell.computed if negate else cell.computed
        return f"[{format_amount(v)}]"
    return ""


#: how many characters of table fit across an A4 portrait page at the size of
#: a wide table's print (more, and the table is printed on a landscape page)
_PORTRAIT_CHARS = 85


def _width_needed(table: Table, keep: List[Column], rows: List[Ctx]) -> int:
    """About how many characters wide the table must be: per column its
    longest word of heading or text, or its longest figure (with a finding
    mark), and a character of padding; the line labels' longest word."""
    need = 0
    for k, c in enumerate(keep):
        w = max([len(x) for x in c.heading.split()] + [1])
        for r in rows:
            cell = r["cells"][k]
            if c.type == "amount":
                w = max(w, len(cell["text"]) + (5 if cell["findings"] else 0))
            else:
                w = max([w] + [len(x) for x in cell["text"].split()])
        need += w + 1
    return need + max([len(x) for r in rows for x in r["label"].split()] + [5]) + 1


def _budget(plan: Plan, table: Table, wanted: Optional[List[str]], ids: _Ids,
            found: _Findings) -> Optional[Ctx]:
    cols = table.columns
    keep = [c for c in cols if not (wanted and c.period and c.period not in wanted)]
    if wanted and any(c.period for c in cols) and not any(c.period for c in keep):
        return None
    unit = table.unit or ""
    anchor = ids.make("budget", table.id)
    title = table.title or table.id
    # two heading rows when the headings repeat (Gross, Net, FTE under each year)
    heads = [c.heading for c in keep]
    two = any(c.period for c in keep) and len(set(heads)) < len(heads)
    first: Ctx = {"text": unit or "Line", "scope": "col", "colspan": 1, "rowspan": 2 if two else 1,
             "num": False}
    head_rows: List[List[Ctx]] = [[first]]
    colgroups: List[int] = [1]
    if two:
        second: List[Dict[str, Any]] = []
        i = 0
        while i < len(keep):
            c = keep[i]
            if not c.period:
                head_rows[0].append({"text": c.heading, "scope": "col", "colspan": 1,
                                     "rowspan": 2, "num": c.type == "amount"})
                colgroups.append(1)
                i += 1
                continue
            j = i
            while j < len(keep) and keep[j].period == c.period:
                j += 1
            head_rows[0].append({"text": c.period, "scope": "colgroup", "colspan": j - i,
                                 "rowspan": 1, "num": False})
            colgroups.append(j - i)
            for c2 in keep[i:j]:
                second.append({"text": c2.heading, "scope": "col", "colspan": 1, "rowspan": 1,
                               "num": c2.type == "amount"})
            i = j
        head_rows.append(second)
    else:
        colgroups = []
        for c in keep:
            head_rows[0].append({"text": c.heading, "scope": "col", "colspan": 1, "rowspan": 1,
                                 "num": c.type == "amount"})
    negative_income = table.income_sign == "negative"
    rows: List[Ctx] = []
    all_rows = list(table.rows)
    grand = [r.index for r in all_rows if r.kind == "total" and r.depth == 0]
    index_of = {c.id: c.index for c in cols}
    for row, cells in zip(all_rows, table.cells()):
        r_anchor = ids.make("b", table.id, "row", row.index)
        cls = row.kind if not row.is_part else "part"
        if row.kind == "total" and grand and row.index == grand[-1]:
            cls += " grand"
        negate = negative_income and row.effective_role == "income"
        out_cells: List[Ctx] = []
        for c in keep:
            cell = cells[index_of[c.id]]
            key = ("b", table.id, row.index, c.id)
            text = "" if row.kind == "section" else _shown_amount(cell, negate)
            item: Dict[str, Any] = {"text": text, "anchor": None, "findings": [],
                                    "computed": None, "num": c.type == "amount"}
            if found.by_key.get(key):
                item["anchor"] = ids.make("b", table.id, row.index, c.id)
                item["findings"] = found.marks(key, item["anchor"])
            if cell.difference and cell.computed is not None:
                v = -cell.computed if negate else cell.computed
                item["computed"] = format_amount(v)
            out_cells.append(item)
        row_marks = found.marks(("b", table.id, row.index, None), r_anchor)
        # a finding on a column this pack leaves out is still shown, on the row
        for c in cols:
            if c not in keep:
                row_marks += found.marks(("b", table.id, row.index, c.id), r_anchor)
        rows.append({"cls": cls, "anchor": r_anchor, "depth": min(row.depth, 4),
                     "label": row.label or "", "cells": out_cells, "findings": row_marks})
    notes: List[str] = []
    if unit:
        notes.append(f"Amounts in {unit}. Negative figures are in brackets; - is nil; a "
                     f"figure in [square brackets] is not printed in the plan but is what its "
                     f"lines add up to.")
    if any(r["findings"] or any(c["findings"] for c in r["cells"]) for r in rows):
        notes.append("\u26a0 marks a printed figure that does not agree with the arithmetic, "
                     "with what it adds up to; the number leads to the finding.")
    after: List[str] = []
    left = [c.heading for c in cols if c not in keep]
    if left:
        notes.append("Columns not shown (other periods): " + "; ".join(left) + ".")
    if table.note:
        after.append(f"Note: {table.note.strip()}")
    width = _width_needed(table, keep, rows)
    return {"id": anchor, "title": title, "caption": f"{title} ({unit})" if unit else title,
            "notes": notes, "after": after, "head_rows": head_rows, "colgroups": colgroups,
            "rows": rows, "wide": len(keep) >= 6 or width > 70,
            "landscape": width > _PORTRAIT_CHARS}


# ------------------------------------------------------------------ indicators

def _obs(obs: Optional[Observation]) -> Dict[str, str]:
    """A dashboard cell: the figure as printed, right-aligned when it is a
    figure, wrapped as text when it is words ("Plan in place")."""
    text = str(obs) if obs is not None else ""
    short = obs is not None and (obs.value is not None or len(text) <= 14) and len(text) <= 24
    return {"text": text, "cls": "num" if short else "text small"}


def _comparison(answer: str, printed: Optional[str]) -> Dict[str, Any]:
    """A "better than ...?" cell: the engine's answer (from the comparator's
    figures), else the arrow the plan printed, said to be printed."""
    if answer != "none":
        return {"arrow": _ARROW.get(answer, ""), "word": answer, "hide": True}
    if printed in ("up", "down"):
        return {"arrow": "\u2191" if printed == "up" else "\u2193", "word": "printed",
                "hide": False}
    if printed in ("better", "worse", "same"):
        return {"arrow": _ARROW[printed], "word": f"{printed} (printed)", "hide": True}
    if printed == "not applicable":
        return {"arrow": "", "word": "n/a", "hide": True}
    return {"arrow": "", "word": printed or "", "hide": True}


def _spark(ref: str, series: List[Tuple[str, Observation]]) -> Optional[Ctx]:
    pts = [(p, o, o.value) for p, o in series if o.value is not None]
    if len(pts) < 2:
        return None
    values = [float(v) for _, _, v in pts]
    lo, hi = min(values), max(values)
    w, h, pad = 60.0, 18.0, 2.0
    span = (hi - lo) or 1.0
    xs = [pad + (w - 2 * pad) * k / (len(values) - 1) for k in range(len(values))]
    ys = [h - pad - (h - 2 * pad) * (v - lo) / span for v in values]
    label = f"Trend of {ref}: " + "; ".join(f"{p} {o}" for p, o, _ in pts)
    return {"label": label, "width": int(w), "height": int(h),
            "points": " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys)),
            "last_x": f"{xs[-1]:.1f}", "last_y": f"{ys[-1]:.1f}"}


def _measure_key(m: Measure, status_period: Optional[str], periods: List[str],
                 shown: List[str]) -> List[str]:
    key: List[str] = []
    if m.polarity in ("high", "low"):
        key.append("Higher is better" if m.polarity == "high" else "Lower is better")
    th = m.thresholds
    if th == "not available":
        key.append("Thresholds: not available")
    elif th:
        names = ("Good", "Of concern", "Action required")
        parts = [f"{n} {o}" for n, o in zip(names, th) if str(o)]
        if parts:
            key.append(" \u00b7 ".join(parts))
    if m.unit == "rate" and m.per:
        key.append(f"Rate per {m.per:,}")
    if m.owner:
        key.append(f"Responsible: {m.owner}")
    if m.footnote:
        key.append(f"See note {m.footnote}")
    if status_period is not None:
        later = periods[periods.index(status_period) + 1:]
        targets = m.targets.as_dict()
        ahead = [f"{p} {targets[p]}" for p in later if str(targets[p])]
        if ahead:
            key.append("Targets ahead: " + "; ".join(ahead))
    stones = m.milestones
    if stones:
        key.append("Milestones: " + "; ".join(f"{s.due_text} {s.target}" for s in stones))
    return key


def _dashboard(plan: Plan, iset: IndicatorSet, wanted: Optional[List[str]], ids: _Ids,
               found: _Findings) -> Optional[Ctx]:
    periods = iset.periods
    if wanted:
        shown = [p for p in periods if p in wanted]
        if not shown:
            return None
        at: Optional[str] = shown[-1]
    elif iset.report_period is None:
        shown, at = list(periods), None
    else:
        at = iset.report_period
        k = periods.index(at)
        shown = periods[max(0, k - 3):k + 1]
    anchor = ids.make("dashboard", iset.id)
    title = iset.title or iset.id
    comps = list(iset.comparators.items())
    series: List[Tuple[Measure, bool]] = []
    for m in iset:
        series.append((m, False))
        series.extend((c, True) for c in m.counts)
    dash: List[Optional[Status]] = (list(iset.status(at).rows) if at is not None
                                    else [None] * len(series))
    groups: List[Ctx] = []
    exceptions: List[Ctx] = []
    any_trend = False
    # the dashboard's rows are the set's series in order (measures, each
    # followed by its counts), which is the order findings count them in
    for i, ((m, companion), st) in enumerate(zip(series, dash)):
        values = m.values.as_dict()
        targets = m.targets.as_dict()
        r_anchor = ids.make("m", iset.id, m.ref, "count" if companion else None)
        marks = found.marks(("i", iset.id, i), r_anchor)
        row: Dict[str, Any] = {
            "anchor": r_anchor, "companion": companion, "findings": marks,
            "ref": "" if companion else m.ref, "name": m.name or "",
            "key": [] if companion else _measure_key(m, at, periods, shown),
            "figures": [_obs(values[p]) if at is not None else _obs(targets[p])
                        for p in shown],
            "target": _obs(targets[at]) if at is not None else _obs(None),
            "spark": None}
        if st is not None and at is not None and not companion:
            row["rag"] = {"rag": st.rag, "symbol": _RAG_SYMBOL[st.rag], "word": st.rag_text}
            row["travel"] = {"arrow": _ARROW.get(st.last, ""), "hide": True,
                             "word": st.last if st.last != "none" else ""}
            row["comps"] = [_comparison(st.comparators.get(cid, "none"), st.printed.get(cid))
                            for cid, _ in comps]
            upto = periods[:periods.index(at) + 1]
            row["spark"] = _spark(m.ref, [(p, values[p]) for p in upto])
            any_trend = any_trend or row["spark"] is not None
            if st.rag in ("red", "amber"):
                exceptions.append({"anchor": r_anchor, "ref": m.ref, "rag": st.rag,
                                   "symbol": _RAG_SYMBOL[st.rag], "word": st.rag_text,
                                   "reason": st.rag_reason})
        group = None if companion else (m.group or None)
        if not groups or (not companion and group != groups[-1]["name"]):
            groups.append({"name": group, "rows": []})
        groups[-1]["rows"].append(row)
    exceptions.sort(key=lambda e: 0 if e["rag"] == "red" else 1)
    has_status = at is not None
    has_target = at is not None and any(r["target"]["text"] for g in groups for r in g["rows"])
    notes: List[str] = []
    counts_text = None
    counts = None
    if has_status:
        c = iset.status(at).counts()
        counts = c
        counts_text = (f"\u2716 {c['red']} red, \u25b2 {c['amber']} amber, \u2714 {c['green']} "
                       f"green, {c['no rag']} without RAG"
                       + (f"; {c['assumed']} RAGs on assumed thresholds" if c['assumed']
                          else "") + f"; \u2191 {c['improving']} improving, "
                       f"\u2193 {c['worsening']} worsening, \u2192 {c['same']} the same, "
                       f"{c['no direction']} with no direction of travel.")
        against = {"previous": "the period before", "year_ago": "the same period a year before",
                   "outturn": "the last year's outturn"}.get(iset.direction, iset.direction)
        notes.append(f"RAG from the thresholds (Good, Of concern, Action required) where the "
                     f"plan sets them, else from the target; better than last compares with "
                     f"{against}. Each is shown as a symbol and a word as well as a colour.")
        if iset.basis_assumed:
            notes.append("Assumed thresholds: " + (iset.basis or "the dashboard prints none")
                         + ". Every RAG from them is marked so.")
        else:
            notes.append(f"Thresholds {iset.basis}. A RAG from a target's amber band (the "
                         f"plan's tolerance, never printed) is marked as assumed.")
    else:
        notes.append("No results are reported yet: the table shows the targets by period.")
    for attr, label in (("framework", "Framework"), ("reporting", "Reporting"),
                        ("as_of", "Data as of")):
        v = getattr(iset, attr)
        if v:
            notes.append(f"{label}: {v.strip()}")
    after = [f"({mark}) {text}" for mark, text in iset.footnotes.items()]
    if iset.note:
        after.append(f"Note: {iset.note.strip()}")
    ncols = 1 + len(shown) + (1 if has_target else 0) + \
        ((2 + len(comps)) if has_status else 0) + (1 if any_trend else 0)
    caption = (f"{title}: results for {', '.join(shown)}, status at {at}" if has_status
               else f"{title}: targets for {', '.join(shown)}")
    return {"id": anchor, "title": title, "period": at, "caption": caption, "notes": notes,
            "after": after,
            "counts_text": counts_text, "counts": counts,
            "periods": shown if has_status else [f"Target {p}" for p in shown],
            "comparators": comps, "has_target": has_target, "has_status": has_status,
            "has_trend": any_trend, "travel_head": "Better than last?", "groups": groups,
            "ncols": ncols, "exceptions": exceptions}


# ------------------------------------------------------------------ risks

def _band(score: int, bands: Tuple[int, int]) -> str:
    from .plots import _risk_band
    return _risk_band(score, bands)


def _heat(plan: Plan, reg: RiskRegister, kind: str, ids_of: Dict[str, str]) -> Optional[Ctx]:
    from .plots import RISK_BAND_STYLE
    lmax, imax = plan.risk_matrix
    bands = plan.risk_bands
    from ._risks import Placed
    placed = Placed(reg, kind)
    cells, misprinted = placed.cells, placed.misprinted
    # in the pack, a risk that cannot be placed is listed once, whatever the reason
    unplaced = [r.id for r in reg
                if r.id in set(placed.unscored + placed.unplaced + placed.outside)]
    if not cells:
        return None
    size, left, top = 56, 44, 6
    w, h = imax * size, lmax * size
    out_cells: List[Ctx] = []
    rows: List[Ctx] = []
    by_band: Dict[str, List[str]] = {"red": [], "amber": [], "green": []}
    described: List[str] = []
    for lk in range(lmax, 0, -1):
        row_cells: List[Ctx] = []
        for im in range(1, imax + 1):
            score = lk * im
            band = _band(score, bands)
            ids = cells.get((lk, im), [])
            by_band[band] += ids
            short = ", ".join(ids)
            if len(short) > 11:
                first: List[str] = []
                for x in ids:
                    if len(", ".join(first + [x])) > 8:
                        break
                    first.append(x)
                short = ", ".join(first) + f" +{len(ids) - len(first)}"
            c: Ctx = {"band": band, "letter": RISK_BAND_STYLE[band]["letter"], "score": score,
                 "count": len(ids), "ids": short, "x": left + (im - 1) * size,
                 "y": top + (lmax - lk) * size}
            out_cells.append(c)
            row_cells.append(dict(c, ids=", ".join(ids)))
            if ids:
                described.append(f"likelihood {lk}, impact {im} (score {score}, {band}): "
                                 f"{_count(len(ids), 'risk')} ({', '.join(ids)})")
        rows.append({"likelihood": lk, "cells": row_cells})
    green, amber = bands
    top_score = lmax * imax
    spans = {"green": f"1 to {green}", "amber": f"{green + 1} to {amber}",
             "red": f"{amber + 1} to {top_score}"}
    placed = sum(len(v) for v in cells.values())
    title = f"Heat map of {reg.title or reg.id}: {placed} of {len(reg)} risks by likelihood " \
            f"and impact ({kind} scores)"
    desc = ("; ".join(f"{b} (score {spans[b]}): {_count(len(by_band[b]), 'risk')}"
                      + (f" ({', '.join(by_band[b])})" if by_band[b] else "")
                      for b in ("red", "amber", "green"))
            + ". " + "; ".join(described) + ".")
    notes: List[str] = []
    if unplaced:
        notes.append(f"Not in the matrix (no {kind} likelihood and impact): "
                     f"{_count(len(unplaced), 'risk')} ({', '.join(unplaced)}).")
    if misprinted:
        notes.append("Printed score disagrees: " + "; ".join(misprinted)
                     + " (placed by likelihood and impact).")
    ticks = [{"x": left + (im - 0.5) * size, "y": top + h + 14, "text": im}
             for im in range(1, imax + 1)]
    ticks += [{"x": left - 10, "y": top + (lmax - lk + 0.5) * size + 4, "text": lk}
              for lk in range(1, lmax + 1)]
    caption = (f"Each cell: its band (R red, score {spans['red']}; A amber, {spans['amber']}; "
               f"G green, {spans['green']}) and score, likelihood \u00d7 impact; then how many "
               f"risks are in it, and their IDs.")
    return {"kind": kind, "size": size, "width": left + w + 6, "height": top + h + 36,
            "cells": out_cells, "rows": rows, "impacts": list(range(1, imax + 1)),
            "ticks": ticks, "xlabel_x": left + w / 2, "ylabel_y": top + h / 2,
            "title": title, "desc": desc, "caption": caption, "notes": notes}


_RISK_TEXTS = (("impacts", "Impacts"), ("controls", "Existing controls"),
               ("mitigations", "Mitigations"), ("actions", "Actions"), ("outcome", "Outcome"))


def _register(plan: Plan, reg: RiskRegister, ids: _Ids, found: _Findings,
              as_of: datetime.date) -> Ctx:
    anchor = ids.make("register", reg.id)
    title = reg.title or reg.id
    risks = list(reg)
    kinds = [k for k in ("inherent", "current", "target")
             if any(getattr(r, k) is not None for r in risks)]
    texts = [(f, h) for f, h in _RISK_TEXTS if any(getattr(r, f) for r in risks)]
    rows: List[Ctx] = []
    for index, r in enumerate(risks):
        r_anchor = ids.make("risk", reg.id, r.id)
        scores: List[Ctx] = []
        for k in kinds:
            s = getattr(r, k)
            marks = found.marks(("r", reg.id, index, k), r_anchor)
            if s is None or not s.value:
                scores.append({"rag": "none", "findings": marks, "parts": "", "printed": "",
                               "assumed": ""})
                continue
            parts = f"L {s.likelihood} \u00d7 I {s.impact}" if s.likelihood and s.impact else ""
            printed = s.text if s.text and s.text.strip() != str(s.value) else ""
            scores.append({"rag": s.rag, "symbol": _RAG_SYMBOL.get(s.rag, ""), "word": s.rag,
                           "assumed": s.assumed or "",
                           "value": s.value, "parts": parts, "printed": printed,
                           "findings": marks})
        status = ", ".join(x for x in (r.status, r.status_date) if x)
        if r.updated:
            status = (status + "; " if status else "") + f"updated {r.updated}"
        rows.append({"anchor": r_anchor, "rid": r.id, "category": r.category or "",
                     "description": r.description or "", "status": status,
                     "owner": r.owner or "", "texts": [getattr(r, f) or "" for f, _ in texts],
                     "scores": scores})
    kind = "current" if "current" in kinds else (kinds[0] if kinds else "current")
    heat = None
    for k in [kind] + [x for x in kinds if x != kind]:
        heat = _heat(plan, reg, k, {})
        if heat is not None:
            kind = k
            break
    p = reg.profile(kind)
    # a printed score with a finding is counted both ways, never silently one
    profile_text = f"Of {_count(len(reg), 'risk')}: {reg.profile_text(kind, symbols=True)}."
    notes: List[str] = []
    meta = [("Register for", reg.register_for), ("Version", reg.version),
            ("Last reviewed", reg.last_reviewed), ("Reviewed by", reg.reviewed_by)]
    line = "; ".join(f"{k}: {v}" for k, v in meta if v)
    if line:
        notes.append(line + ".")
    if reg.next_review:
        overdue = reg.review_overdue(as_of)
        notes.append(f"Next review: {reg.next_review}"
                     + (f" \u2014 \u26a0 overdue as of {_day(as_of)}." if overdue else "."))
    if kinds:
        green, amber = plan.risk_bands
        notes.append(f"Scores are likelihood \u00d7 impact on a {plan.risk_matrix[0]} \u00d7 "
                     f"{plan.risk_matrix[1]} matrix: green up to {green}, amber up to {amber}, "
                     f"red above"
                     + (f" (assumed bands: {reg.basis or 'the register prints none'})."
                        if reg.bands_assumed else f" ({reg.basis})."))
    else:
        notes.append("The register prints no scores, so there is no heat map.")
    after = [f"Note: {reg.note.strip()}"] if reg.note else []
    return {"id": anchor, "title": title, "notes": notes, "after": after,
            "profile_text": profile_text,
            "profile": p, "scored_as": f"{kind.capitalize()} scores" if kinds else "Scores",
            "heat": heat, "caption": f"{title}: {_count(len(reg), 'risk')}",
            "has_owner": any(r["owner"] for r in rows),
            "text_columns": [{"field": f, "head": hd} for f, hd in texts],
            "kinds": [{"kind": k, "head": f"{k.capitalize()} score"} for k in kinds],
            "rows": rows}


# ------------------------------------------------------------------ records

def _collection(plan: Plan, coll: Union[Collection, _Rows], ids: _Ids, found: _Findings,
                as_of: datetime.date) -> Ctx:
    anchor = ids.make("records", coll.id)
    title = coll.title or coll.id
    items = list(coll)
    names: List[str] = []
    for r in items:
        for k in r.fields:
            if k not in names:
                names.append(k)
    when_fields = [f for f in list(coll.date_fields) + list(_WHEN) if f in names]
    when_fields = list(dict.fromkeys(when_fields))
    owner_fields = [f for f in names if _OWNER.search(f) and f not in when_fields]
    title_field = next((f for f in _TITLE_FIELDS if f in names and f not in owner_fields), None)
    rest = [f for f in names if f not in when_fields and f not in owner_fields
            and f != title_field and f != "status"]
    has_when = bool(when_fields) or any(r.due for r in items)
    # a date is a deadline in these lists; elsewhere (a timeline) it is when
    # something happens, and a date gone by is not overdue
    tracked = coll.kind in _TRACKED
    rows: List[Ctx] = []
    overdue = undated = 0
    for index, r in enumerate(items):
        f = r.fields
        r_anchor = ids.make("item", coll.id, r.id if r.id is not None else f"n{index + 1}")
        marks = found.marks(("c", coll.id, r.index), r_anchor)
        when = "; ".join((f[w] if len(when_fields) == 1 else f"{_prose(w)}: {f[w]}")
                         for w in when_fields if f.get(w))
        status_text = (f.get("status") or "").strip()
        done = status_text.lower() in DONE
        if r.due is not None and r.due < as_of and not done and not tracked:
            cls, sym, word = "past", "", f"Past: {_day(r.due)}"
        elif r.due is not None and r.due < as_of and not done:
            cls, sym, word = "overdue", "\u26a0", f"Overdue: due {_day(r.due)}"
            overdue += 1
        elif done:
            cls, sym, word = "done", "\u2714", status_text or "Done"
        elif r.due is not None:
            days = (r.due - as_of).days
            cls, sym, word = "due", "", (f"Due {_day(r.due)}"
                                         + (f" (in {_count(days, 'day')})" if days <= 30 else ""))
        elif when:
            # a start or a review is not a deadline: said as such, never overdue
            cls, sym, word = "undated", "", "No due date"
            if r.start is not None:
                word = (f"{'Started' if r.start <= as_of else 'Starts'} {_day(r.start)};"
                        " no due date")
            undated += 1
        else:
            cls, sym, word = "undated", "", ""
        if status_text and not done and cls != "done":
            word = f"{word}; status {status_text}" if word else f"Status: {status_text}"
        rows.append({"anchor": r_anchor, "rid": r.id or "\u2013", "depth": min(r.depth, 4),
                     "title": f.get(title_field, "") if title_field else "",
                     "fields": [(_prose(k), plan.render_text(f[k])) for k in rest if f.get(k)],
                     "owner": "; ".join(f[o] for o in owner_fields if f.get(o)),
                     "when": when, "status_cls": cls, "status_sym": sym, "status": word,
                     "findings": marks})
    notes: List[str] = []
    if has_when and tracked:
        notes.append(f"As of {_day(as_of)}: {overdue} overdue"
                     + (f", {undated} with no due date" if undated else "") + ".")
    after = [f"Note: {coll.note.strip()}"] if coll.note else []
    return {"id": anchor, "title": title, "notes": notes, "after": after, "rows": rows,
            "caption": f"{title}: {_count(len(items), 'item')}", "overdue": overdue,
            "undated": undated, "has_when": has_when, "tracked": tracked,
            "has_owner": any(r["owner"] for r in rows)}


# ------------------------------------------------------------------ summary

def _summary(plan: Plan, built: Dict[str, List[Ctx]], found: _Findings,
             ids: _Ids, as_of: datetime.date, findings_linked: bool) -> Ctx:
    blocks: List[Ctx] = []
    intro: List[str] = []
    errors = sum(1 for i in found.items if i["severity"] == "error")
    warnings = len(found.items) - errors
    if found.items:
        intro.append(f"\u26a0 The checks found {_count(errors, 'error')} and "
                     f"{_count(warnings, 'warning')}: printed figures that do not agree with "
                     f"the arithmetic, scores that are not likelihood \u00d7 impact, references "
                     f"to nothing" + (" (see Findings)." if findings_linked else "."))
    else:
        intro.append("\u2714 The checks found nothing: every printed figure agrees with the "
                     "arithmetic.")
    tables = built.get("budgets", [])
    if tables:
        rows: List[Ctx] = []
        for t in tables:
            table = plan.budgets[t["source"]]
            head = _headline(table)
            if not head or not head[1]:
                continue
            label, figs = head
            rows.append({"label": t["title"], "href": t["id"],
                         "cells": [label, "; ".join(f"{h}: {format_amount(v)}"
                                                    for h, v in figs[:4])]})
        if rows:
            blocks.append({"id": ids.make("glance", "budgets"), "title": "Budgets",
                           "caption": "Budget headlines: each table's last total",
                           "head": ["Table", "Total line", "Figures"], "rows": rows, "num": 99,
                           "notes": []})
    dashes = [d for d in built.get("indicators", []) if d["counts"]]
    if dashes:
        rows = [{"label": d["title"], "href": d["id"],
                 "cells": [d["period"], d["counts"]["red"], d["counts"]["amber"],
                           d["counts"]["green"], d["counts"]["no rag"],
                           d["counts"]["improving"], d["counts"]["worsening"],
                           d["counts"]["same"]]} for d in dashes]
        blocks.append({"id": ids.make("glance", "indicators"), "title": "Performance",
                       "caption": "Measures by RAG and direction of travel",
                       "head": ["Dashboard", "At", "\u2716 Red", "\u25b2 Amber", "\u2714 Green",
                                "No RAG", "\u2191 Improving", "\u2193 Worsening",
                                "\u2192 Same"],
                       "rows": rows, "num": 1,
                       "notes": [f"{d['title']}: {d['counts']['assumed']} of the RAGs rest on "
                                 f"assumed thresholds." for d in dashes
                                 if d["counts"].get("assumed")]})
    regs = built.get("risks", [])
    if regs:
        rows = [{"label": g["title"], "href": g["id"],
                 "cells": [g["profile"]["red"] + g["profile"]["amber"] + g["profile"]["green"]
                           + g["profile"]["unscored"], g["profile"]["red"],
                           g["profile"]["amber"], g["profile"]["green"],
                           g["profile"]["unscored"]]} for g in regs]
        blocks.append({"id": ids.make("glance", "risks"), "title": "Risks",
                       "caption": "Risks by band of their score",
                       "head": ["Register", "Risks", "\u2716 Red", "\u25b2 Amber",
                                "\u2714 Green", "Not scored"], "rows": rows, "num": 1,
                       # a misprinted score or assumed bands: the counts are not
                       # silently one reading
                       "notes": [f"{g['title']}: {g['profile_text']}" for g in regs
                                 if g["profile"]["misprinted"]
                                 or "assumed bands" in g["profile_text"]]})
    colls = [c for c in built.get("records", []) if c["has_when"] and c["tracked"]]
    if colls:
        rows = [{"label": c["title"], "href": c["id"],
                 "cells": [len(c["rows"]), c["overdue"], c["undated"]]} for c in colls]
        blocks.append({"id": ids.make("glance", "actions"), "title": "Actions",
                       "caption": f"Items overdue as of {_day(as_of)}",
                       "head": ["List", "Items", "\u26a0 Overdue", "No due date"],
                       "rows": rows, "notes": [], "num": 1})
    return {"intro": intro, "blocks": blocks}


# ------------------------------------------------------------------ movement

def _since(since: Union[None, Plan, _Path]) -> Optional[Plan]:
    """The earlier plan: a Plan, a path, or None."""
    if since is None:
        return None
    if isinstance(since, (str, os.PathLike)):
        from .formats import load
        return load(since)
    return since


_MOVE_WORDS = {"up": "\u2191 up", "down": "\u2193 down", "added": "+ added",
               "removed": "\u2212 removed"}


def _rag_words(rag: Optional[str]) -> str:
    rag = rag or "none"
    return f"{_RAG_SYMBOL.get(rag, '')} {rag if rag != 'none' else 'no RAG'}".strip()


def _part_title(plan: Plan, earlier: Plan, part: str, ident: str) -> str:
    for p in (plan, earlier):
        container = getattr(p, part)
        if ident in container:
            return container[ident].title or ident
    return ident


def _movement(plan: Plan, earlier: Plan, built: Dict[str, List[Ctx]], ids: _Ids) -> Ctx:
    """What moved since ``earlier`` (cycle.movement), as the summary's
    tables: risks re-scored, added or removed with their old and new
    scores; measures whose RAG changed, old and new."""
    from .cycle import movement
    moves = movement(earlier, plan)
    where = {(part, e["source"]): e["id"] for part in ("risks", "indicators")
             for e in built.get(part, [])}
    name = os.path.basename(earlier.file) if earlier.file else (earlier.title or "the earlier plan")
    risks = [m for m in moves if m.part.startswith("risks.")]
    rags = [m for m in moves if m.part.startswith("indicators.")]
    intro = [f"Since {name}: {_count(len(risks), 'risk')} moved (scored up or down, added or "
             f"removed) and {_count(len(rags), 'measure')} changed RAG."]
    blocks: List[Ctx] = []
    if risks:
        rows: List[Ctx] = []
        for m in risks:
            reg = m.part.split(".", 1)[1]
            title = ""
            with contextlib.suppress(KeyError):
                src = plan if m.change != "removed" else earlier
                title = " ".join((src.risks[reg][m.id].description or "").split())
            if len(title) > 100:
                title = title[:99] + "\u2026"
            rows.append({"label": f"{m.id} {title}".strip(), "href": where.get(("risks", reg)),
                         "cells": [_part_title(plan, earlier, "risks", reg),
                                   _MOVE_WORDS.get(m.change, m.change),
                                   "" if m.before is None else m.before,
                                   "" if m.after is None else m.after]})
        up = sum(1 for m in risks if m.change == "up")
        down = sum(1 for m in risks if m.change == "down")
        blocks.append({"id": ids.make("moved", "risks"), "title": "Risks that moved",
                       "caption": f"Current scores then and now: {up} up, {down} down, "
                                  f"{sum(1 for m in risks if m.change == 'added')} added, "
                                  f"{sum(1 for m in risks if m.change == 'removed')} removed",
                       "head": ["Risk", "Register", "Movement", "Score before", "Score now"],
                       "rows": rows, "num": 3, "notes": []})
    if rags:
        rows = [{"label": m.id, "href": where.get(("indicators", m.part.split(".", 1)[1])),
                 "cells": [_part_title(plan, earlier, "indicators", m.part.split(".", 1)[1]),
                           _rag_words(m.before), _rag_words(m.after),
                           m.text.split(": ", 1)[-1]]} for m in rags]
        blocks.append({"id": ids.make("moved", "indicators"), "title": "Measures changing RAG",
                       "caption": "RAG at each dashboard's report period, then and now",
                       "head": ["Measure", "Dashboard", "RAG before", "RAG now", "Why now"],
                       "rows": rows, "num": 99, "notes": []})
    if not blocks:
        intro = [f"Nothing moved since {name}: no risk was re-scored, added or removed, and "
                 f"no measure changed RAG."]
    return {"intro": intro, "blocks": blocks}


# ------------------------------------------------------------------ the pack

def build(plan: Plan, *, sections: _Names = None, periods: _Names = None,
          as_of: Union[None, str, datetime.date] = None, title: Optional[str] = None,
          css: Optional[_Path] = None, logo: Optional[_Path] = None,
          since: Union[None, Plan, _Path] = None) -> Ctx:
    """The data the template lays out (see :func:`report`)."""
    as_of_day = _date_of(as_of, "as_of")
    wanted = _periods(plan, periods)
    earlier = _since(since)
    if earlier is not None and sections is None:
        sections = PARTS[:1] + ("movement",) + PARTS[1:]
    chosen = _sections(plan, sections)
    if earlier is None and "movement" in dict(chosen):
        raise ValidationError("the movement section needs the earlier plan (since=...)",
                              code="section")
    parts = dict(chosen)
    ids = _Ids()
    for fixed in ("cover", "contents-heading", "contents"):
        ids.used.add(fixed)
    found = _Findings(plan, ids, linked="findings" in parts)
    meta = plan.meta
    the_title = title or meta.get("title") or "Plan"
    organisation = meta.get("organisation")

    built: Dict[str, List[Dict[str, Any]]] = {}
    skipped: Dict[str, List[str]] = {}
    for part, wanted_ids in chosen:
        if part in ("summary", "findings", "movement"):
            continue
        items: List[Ctx] = []
        for ident in (wanted_ids if wanted_ids is not None else _part_ids(plan, part)):
            if part == "budgets":
                item = _budget(plan, plan.budgets[ident], wanted, ids, found)
            elif part == "indicators":
                item = _dashboard(plan, plan.indicators[ident], wanted, ids, found)
            elif part == "risks":
                item = _register(plan, plan.risks[ident], ids, found, as_of_day)
            else:
                coll = (plan.records[ident] if ident in plan.records
                        else _Rows(_described(plan)[ident]))
                if wanted_ids is None and coll.kind in _SKIPPED_KINDS:
                    skipped.setdefault(part, []).append(coll.title or ident)
                    continue
                item = _collection(plan, coll, ids, found, as_of_day)
            if item is None:
                skipped.setdefault(part, []).append(ident)
                continue
            item["source"] = ident
            items.append(item)
        built[part] = items

    sections_out: List[Dict[str, Any]] = []
    contents: List[Ctx] = []
    for part, _ in chosen:
        sec: Dict[str, Any] = {"kind": part, "id": ids.make("part", part),
                               "title": _TITLES[part], "intro": [], "entries": []}
        children: List[Ctx] = []
        if part in ("summary", "movement"):
            if part == "summary":
                s = _summary(plan, built, found, ids, as_of_day, "findings" in parts)
            else:
                assert earlier is not None  # refused above without it
                s = _movement(plan, earlier, built, ids)
            sec["intro"], sec["blocks"] = s["intro"], s["blocks"]
            children = [{"id": b["id"], "text": b["title"]} for b in s["blocks"]]
        elif part == "findings":
            sec["findings"] = found.items
            n = len(found.items)
            if n:
                sec["intro"].append(f"{_count(n, 'finding')}, in the order the checks report "
                                    f"them. Each links to the figure, measure, risk or item "
                                    f"it concerns, where that is in this pack.")
        else:
            sec["entries"] = built.get(part, [])
            if not sec["entries"] and not skipped.get(part):
                continue
            if skipped.get(part):
                why = ("not for the periods chosen" if part in ("budgets", "indicators")
                       else "name them in sections to include them")
                sec["intro"].append(f"Not in this pack ({why}): "
                                    + "; ".join(skipped[part]) + ".")
            children = [{"id": i["id"], "text": i["title"]} for i in sec["entries"]]
        sections_out.append(sec)
        contents.append({"id": sec["id"], "text": sec["title"], "children": children})

    cover: List[Tuple[str, str]] = []
    for label, key in (("Directorate", "directorate"), ("Service", "service"),
                       ("Period", "period"), ("Status", "status"), ("Version", "version"),
                       ("Owner", "owner"), ("Review date", "review_date"),
                       ("Next review", "next_review")):
        if meta.get(key):
            cover.append((label, meta[key]))
    if wanted:
        cover.append(("Periods shown", ", ".join(wanted)))
    cover.append(("Date", _day(datetime.date.today())))
    cover.append(("As of", _day(as_of_day)))
    source = os.path.basename(plan.file) if plan.file else None
    return {"lang": "en-GB", "title": the_title, "organisation": organisation,
            "cover": cover, "logo": _logo(logo, organisation), "css": _css(),
            "user_css": _user_css(css), "version": __version__,
            "generated": _day(datetime.date.today()), "as_of": _day(as_of_day),
            "source": source, "contents": contents, "sections": sections_out}


def render(context: Dict[str, Any]) -> str:
    from markupsafe import Markup
    ctx = dict(context)
    ctx["css"] = Markup(ctx["css"].replace("</", "<\\/"))
    if ctx.get("user_css"):
        ctx["user_css"] = Markup(ctx["user_css"])
    return _jinja().render(**ctx)


def _write(path: str, data: bytes) -> None:
    """Write atomically, by the save protocol of plans (formats.py)."""
    from .formats import write_atomically

    def fill(tmp: str) -> None:
        with open(tmp, "wb") as f:
            f.write(data)
    write_atomically(path, fill)


def print_pdf(html: str, title: str = "") -> bytes:
    """The page printed by headless Chromium: A4, page numbers in the
    footer (the @page rules of the style sheet set the size and margins)."""
    from ._chromium import Chromium
    with tempfile.TemporaryDirectory(prefix="planbook-pack-") as tmp:
        page_file = os.path.join(tmp, "pack.html")
        with open(page_file, "w", encoding="utf-8") as f:
            f.write(html)
        url = pathlib.Path(page_file).as_uri()
        footer = ('<div style="font-size:8pt;font-family:sans-serif;color:#333;width:100%;'
                  'margin:0 14mm;display:flex;justify-content:space-between">'
                  f'<span>{_html.escape(title[:120])}</span><span>Page '
                  '<span class="pageNumber"></span> of <span class="totalPages"></span>'
                  '</span></div>')
        with Chromium() as browser:
            page = browser.open(url)
            return page.print_pdf(footer=footer)


def report(plan: Plan, path: Optional[_Path] = None, *, sections: _Names = None,
           periods: _Names = None, as_of: Union[None, str, datetime.date] = None,
           css: Optional[_Path] = None, logo: Optional[_Path] = None,
           title: Optional[str] = None, since: Union[None, Plan, _Path] = None) -> str:
    """The committee pack of ``plan`` as one self-contained HTML page.

    Returns the HTML; with ``path`` also writes it there: ``.html`` (or
    ``.htm``) the page, ``.pdf`` the page printed by headless Chromium (A4,
    page numbers).  Writing is atomic.

    sections : parts and in which order (default: summary, budgets,
        indicators, risks, records, findings); a part or one table,
        dashboard, register or list: ``["indicators.children", "findings"]``
        or ``"budgets,risks"``.  ``records`` leaves out narrative and
        ``other`` lists unless named (``records.narrative``); it shows the
        described parts that have rows (``contacts``, ``timeline``) after
        the lists.
    periods : the periods to show (``["2014/15 Q3"]``): dashboards show
        these columns and their status at the last of them; budget tables
        keep the columns of these periods (and those of no period).
    as_of : the date actions and reviews are overdue against (default today).
    css : a .css file (or CSS text) laid over the pack's own style sheet.
    logo : an image file (PNG, JPEG, GIF, SVG, WebP), embedded on the cover.
    title : the cover's title (default: the plan's).
    since : the earlier plan (a Plan or a path): adds the section
        ``movement`` after the summary: risks re-scored, added or removed
        with their old and new scores, measures whose RAG changed.
    """
    context = build(plan, sections=sections, periods=periods, as_of=as_of, title=title,
                    css=css, logo=logo, since=since)
    html = render(context)
    if path is not None:
        target = os.fspath(path)
        suffix = os.path.splitext(target)[1].lower()
        if suffix in (".html", ".htm"):
            _write(target, html.encode("utf-8"))
        elif suffix == ".pdf":
            _write(target, print_pdf(html, context["title"]))
        else:
            raise ValidationError(f"{target}: a pack is written as .html or .pdf",
                                  code="format")
    return html
