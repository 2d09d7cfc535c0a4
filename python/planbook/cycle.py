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
from typing import Any, Dict, List, Optional, Sequence, Union

from ._records import DONE, _as_of

__all__ = ["Due", "due", "to_ics", "Move", "movement"]


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


def _title_of(item) -> str:
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


def due(plan, as_of=None, within: Union[int, datetime.timedelta] = 30) -> List[Due]:
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


def to_ics(items: Sequence[Due], path: Optional[Union[str, os.PathLike]] = None, *,
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
    cal = icalendar.Calendar()
    cal.add("prodid", f"-//planbook//planbook {__version__}//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    for d in items:
        ev = icalendar.Event()
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


def movement(earlier, later, *, kind: str = "current") -> List[Move]:
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
