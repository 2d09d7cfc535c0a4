"""Collections of records: objectives, workstreams, action plans, equality
assessments, the timeline, SWOT, PESTEL, challenges and narrative
sections (docs/format.md, "Records").

>>> import planbook
>>> plan = planbook.Plan()
>>> acts = plan.records.add("actions", kind="actions", title="Action plan")
>>> r1 = acts.add("1", title="Strengthen the front door")
>>> _ = acts.add("1.1", parent=r1, action="Open the MASH", owner="Head of service",
...              due="end March 2015", status="Open")
>>> _ = acts.add("1.2", parent=r1, action="Review thresholds", due="TBC")
>>> [r.id for r in acts.overdue("2015-06-30")], [r.id for r in acts.undated()]
(['1.1'], ['1', '1.2'])
"""

from __future__ import annotations

import datetime
import html
import re
from typing import (TYPE_CHECKING, Any, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple,
                    Union, overload)

from . import _core
from ._parts import PART, Field, ItemSequence, PartMapping, field_properties

if TYPE_CHECKING:  # pragma: no cover
    from ._core import PlanCore

__all__ = ["Records", "Collection", "Record"]

_MONTH_YEAR = re.compile(r"^\s*[A-Za-z]+\.?\s+\d{4}\s*$")

DONE = {"complete", "completed", "closed", "done", "achieved", "met"}


def _as_of(d: object) -> datetime.date:
    if isinstance(d, datetime.datetime):
        return d.date()
    if isinstance(d, datetime.date):
        return d
    if isinstance(d, str):
        return datetime.date.fromisoformat(d)
    raise TypeError("as_of is a date or 'YYYY-MM-DD'")


def date_range(text: str) -> Tuple[Optional[datetime.date], Optional[datetime.date]]:
    """A date or range as plans write it -> (start, end); (None, None) for
    TBC or ongoing.

    >>> date_range("10 - 12 February 2015")
    (datetime.date(2015, 2, 10), datetime.date(2015, 2, 12))
    """
    a, b = _core.date_range(text)
    return (None if a is None else datetime.date(*a), None if b is None else datetime.date(*b))


def _text(name: str, value: Any) -> Optional[str]:
    """A record's field: text, or None to remove it (a TypeError for a list
    or a number, which would not read back as what was given)."""
    return Field(name).check(value)


class Records(PartMapping):
    """The plan's collections of records, by id."""

    __slots__ = ()
    _part = PART["records"]

    def add(self, id: str, *, kind: str = "other", title: Optional[str] = None,
            note: Optional[str] = None, dates: Sequence[str] = (),
            links: Optional[Mapping[str, str]] = None) -> "Collection":
        def fill(c: PlanCore, ci: int) -> None:
            self._set_fields(c.coll_set, ci, {"kind": kind, "title": title, "note": note})
            for d in dates:
                c.coll_set(ci, "add_date", d)
            for f, t in (links or {}).items():
                c.coll_set(ci, "add_link", (f, t))
        return self._new(id, fill)


class Collection(ItemSequence, Sequence["Record"]):
    """Items in print order (each with its parent); ``coll["2(iii)"]`` by
    id, ``coll[0]`` by position."""

    __slots__ = ()
    _part = PART["records"]
    title, kind, note = field_properties(_part, "title", "kind", "note")

    @property
    def date_fields(self) -> List[str]:
        return self._info()["dates"] or ["due", "date"]

    @property
    def links(self) -> Dict[str, str]:
        return dict(self._info()["links"])

    def _items(self) -> List[Dict[str, Any]]:
        return self._plan._c.items(self._i)

    @overload
    def __getitem__(self, key: Union[int, str]) -> "Record": ...
    @overload
    def __getitem__(self, key: slice) -> List["Record"]: ...

    def __getitem__(self, key: Union[int, str, slice]) -> Union["Record", List["Record"]]:
        if isinstance(key, slice):
            return [Record(self, d) for d in self._items()[key]]
        if isinstance(key, int):
            return Record(self, self._plan._c.item_get(self._i, key if key >= 0 else
                                                       len(self) + key))
        key_is_text = isinstance(key, str)  # pyright: ignore[reportUnnecessaryIsInstance]
        i = self._plan._c.item_find(self._i, key) if key_is_text else -1
        if i < 0:
            raise KeyError(key)
        return Record(self, self._plan._c.item_get(self._i, i))

    def __iter__(self) -> Iterator["Record"]:
        return iter([Record(self, d) for d in self._items()])

    def _item_index(self, key: Any) -> int:
        # a Record (for remove and add's parent) or an id
        return key.index if isinstance(key, Record) else super()._item_index(key)

    def __contains__(self, id: object) -> bool:
        return isinstance(id, str) and super().__contains__(id)

    def add(self, id: Optional[str] = None, *, parent: Union["Record", str, None] = None,
            **fields: Optional[str]) -> "Record":
        """Append an item (under ``parent``: a Record or an id), with its
        fields as text."""
        c, ci = self._plan._c, self._i
        p = None
        if parent is not None:
            p = self._item_index(parent)
            if p < 0:
                raise KeyError(parent)
        i = c.item_add(ci, p, id)

        def fill():
            for k, v in fields.items():
                if v is not None:
                    c.item_set(ci, i, k, _text(k, v))
        self._filled(i, fill)
        return Record(self, c.item_get(ci, i))

    def roots(self) -> List["Record"]:
        return [r for r in self if r.parent_index is None]

    def overdue(self, as_of: Union[str, datetime.date]) -> List["Record"]:
        """Items with a date before ``as_of`` whose status is not complete
        (complete, completed, closed, done, achieved, met)."""
        day = _as_of(as_of)
        return [r for r in self if r.due is not None and r.due < day
                and (r.get("status") or "").strip().lower() not in DONE]

    def undated(self) -> List["Record"]:
        """Items without a date (no date field, or TBC / ongoing)."""
        return [r for r in self if r.due is None]

    def to_pandas(self) -> Any:
        """One row per item: id, parent id, depth, ``due_date`` (the date the
        item is due, parsed; never its start or review), ``start_date`` and
        ``review_date`` (parsed from the ``start`` and ``review`` date
        fields) and each field as written."""
        from ._pandas import require_pandas
        pd = require_pandas("Collection.to_pandas")
        items = self._items()
        ids = {d["index"]: d["id"] for d in items}
        rows: List[Dict[str, Any]] = []
        for d in items:
            row = {"id": d["id"], "parent": ids.get(d["parent"]) if d["parent"] is not None
                   else None, "depth": d["depth"],
                   "due_date": None if d["due"] is None else datetime.date(*d["due"])}
            rec = Record(self, d)
            row["start_date"], row["review_date"] = rec.start, rec.review
            row.update(dict(d["fields"]))
            rows.append(row)
        return pd.DataFrame(rows)

    def _repr_html_(self) -> str:
        e = html.escape
        from ._display import plain_text
        items = self._items()
        names: List[str] = []
        for d in items:
            for k, _ in d["fields"]:
                if k not in names:
                    names.append(k)
        out = [f"<table class=\"planbook-records\"><caption>{e(self.title or self.id)}"
               f"</caption><thead><tr><th>ID</th>"]
        out += [f"<th>{e(n)}</th>" for n in names]
        out.append("</tr></thead><tbody>")
        for d in items:
            # references in the narrative ({{table.row.column}}, {{records.list}}) rendered
            f = {k: self._plan.render_text(v) if "{{" in v else v for k, v in d["fields"]}
            pad = "&nbsp;" * 4 * d["depth"]
            out.append(f"<tr><td>{pad}{e(d['id'] or '')}</td>")
            out += [f"<td>{e(f.get(n, ''))}</td>" for n in names]
            out.append("</tr>")
        out.append("</tbody></table>")
        text = "\n".join("    " * d["depth"] + f"{d['id'] or '-'}: " +
                         "; ".join(f"{k}={v[:60]}" for k, v in d["fields"]) for d in items)
        out.append(plain_text(f"{self!r}\n{text}"))
        return "".join(out)

    def __repr__(self) -> str:
        return f"<Collection {self.id!r} ({self.kind}): {len(self)} items>"


class Record:
    """One item of a collection (a snapshot of its fields; edits go
    through to the core and refresh it)."""

    __slots__ = ("_coll", "_d")

    def __init__(self, coll: Collection, d: Dict[str, Any]):
        self._coll = coll
        self._d = d

    @property
    def index(self) -> int:
        return self._d["index"]

    @property
    def id(self) -> Optional[str]:
        return self._d["id"]

    @property
    def parent_index(self) -> Optional[int]:
        return self._d["parent"]

    @property
    def parent(self) -> Optional["Record"]:
        p: Optional[int] = self._d["parent"]
        return None if p is None else self._coll[p]

    @property
    def depth(self) -> int:
        return self._d["depth"]

    @property
    def fields(self) -> Dict[str, str]:
        return dict(self._d["fields"])

    @property
    def due(self) -> Optional[datetime.date]:
        """The end of the first date field that holds a date, leaving out
        ``start`` and ``review`` (a start or a review is not a deadline),
        else None."""
        d = self._d["due"]
        return None if d is None else datetime.date(*d)

    def _day(self, name: str, end: bool) -> Optional[datetime.date]:
        # a date field read as plans write it; None when absent, TBC or ongoing
        v = self.get(name)
        if not v or name not in self._coll.date_fields:
            return None
        try:
            a, b = date_range(v)
        except ValueError:
            return None
        if not end and a is not None and _MONTH_YEAR.match(v):
            a = a.replace(day=1)        # "May 2018" starts on the 1st
        return b if end else a

    @property
    def start(self) -> Optional[datetime.date]:
        """When the item starts (its ``start`` date field: "will commence in
        May 2018" is 1 May 2018), else None.  A start never makes an item
        due or overdue."""
        return self._day("start", False)

    @property
    def review(self) -> Optional[datetime.date]:
        """When the item is next reviewed (its ``review`` date field, the
        end of the range), else None (also for ``Ongoing``).  A review
        date never makes an item due or overdue."""
        return self._day("review", True)

    @property
    def timescale(self) -> Optional[str]:
        """The timescale as printed (free text, never read as a date)."""
        return self.get("timescale")

    @property
    def children(self) -> List["Record"]:
        return [r for r in self._coll if r.parent_index == self.index]

    def get(self, name: str, default: Optional[str] = None) -> Optional[str]:
        return dict(self._d["fields"]).get(name, default)

    def __getitem__(self, name: str) -> str:
        f = dict(self._d["fields"])
        if name not in f:
            raise KeyError(name)
        return f[name]

    def __setitem__(self, name: str, value: Optional[str]) -> None:
        c = self._coll._plan._c
        ci = self._coll._i
        c.item_set(ci, self.index, name, _text(name, value))
        self._d = c.item_get(ci, self.index)

    def __delitem__(self, name: str) -> None:
        self[name] = None

    def __repr__(self) -> str:
        title = self.get("title") or self.get("action") or ""
        return f"<Record {self._coll.id}/{self.id or self.index}: {title[:50]}>"
