"""Described parts: a plan's lists of rows whose fields the core describes
once (``csrc/pb_described_parts.c``): the contact officers, ...

One generic view serves every described part: ``plan.contacts`` is a
:class:`DescribedRows` (a sequence of :class:`DescribedRow`), its fields
are the descriptor's, and its entry in ``_parts.PARTS`` is made from the
descriptor (``described("contacts", ...)``).  Nothing here names a part.

>>> import planbook
>>> plan = planbook.Plan()
>>> _ = plan.contacts.add(id="1", name="Paul Marshall", position="Strategic Director",
...                       telephone="0161 234 3804")
>>> plan.contacts["1"].name, len(plan.contacts)
('Paul Marshall', 1)
>>> _ = plan.contacts.add(id="1", email="x@example.org")
>>> [f.message for f in plan.check() if f.part == "contacts"]
["contacts contact '1': name is required", "contacts contact '1': id '1' repeats an earlier contact's"]
"""

from __future__ import annotations

import datetime
from typing import (TYPE_CHECKING, Any, Dict, Iterator, List, Optional, Sequence, Union,
                    overload)

from ._parts import Part
from ._records import DONE, _as_of, date_range

#: a row's status that closes it: never overdue (a record's words, and cancelled)
_CLOSED = DONE | {"cancelled"}

if TYPE_CHECKING:  # pragma: no cover
    from ._diff import Change
    from ._model import Plan

__all__ = ["DescribedRows", "DescribedRow", "diff_rows"]

_CORE = "described"  # the binding's part name for every described part


class _ByValue:
    """Equal to another of its own class with the same value (``_value``:
    its rows, or its fields); unhashable, as it changes with the plan."""

    __slots__ = ()

    def _value(self) -> Any:
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        if isinstance(other, type(self)):
            return self._value() == other._value()
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


class DescribedRows(_ByValue, Sequence["DescribedRow"]):
    """The rows of one described part, in order: ``rows[0]`` by position,
    ``rows["1"]`` by id (when the part has an id field)."""

    __slots__ = ("_plan", "_part")

    def __init__(self, plan: Plan, part: Part):
        self._plan = plan
        self._part = part

    @property
    def id(self) -> str:
        return self._part.name

    @property
    def title(self) -> Optional[str]:
        return self._part.caption or None

    @property
    def headings(self) -> Dict[str, str]:
        """Each field's column heading on the part's sheet, in order:
        ``{"id": "Id", "name": "Name", ...}``."""
        return dict(zip((f.name for f in self._part.item_fields), self._part.headings))

    @property
    def date_fields(self) -> List[str]:
        """The fields whose values are dates (``date``: a date or range as
        plans write it)."""
        return list(self._part.date_fields)

    def _index(self, create: bool = False) -> int:
        """The part's index in the core; -1 when the plan has none (made
        when create)."""
        c = self._plan._c
        i = c.part_find(_CORE, self.id)
        if i < 0 and create:
            i = c.part_add(_CORE, self.id)
        return i

    def exists(self) -> bool:
        """Does the plan hold this part (even with no rows)?"""
        return self._index() >= 0

    def _rows(self) -> List[Dict[str, Any]]:
        i = self._index()
        return self._plan._c.members(_CORE, i) if i >= 0 else []

    def __len__(self) -> int:
        i = self._index()
        return self._plan._c.member_count(_CORE, i) if i >= 0 else 0

    @overload
    def __getitem__(self, key: Union[int, str]) -> "DescribedRow": ...
    @overload
    def __getitem__(self, key: slice) -> List["DescribedRow"]: ...

    def __getitem__(self, key: Union[int, str, slice]) -> Union["DescribedRow",
                                                                List["DescribedRow"]]:
        rows = self._rows()
        if isinstance(key, slice):
            return [DescribedRow(self, d) for d in rows[key]]
        if isinstance(key, int):
            return DescribedRow(self, rows[key])
        idf = self._part.id_field
        for d in rows:
            if idf is not None and d.get(idf) == key:
                return DescribedRow(self, d)
        raise KeyError(key)

    def __iter__(self) -> Iterator["DescribedRow"]:
        return iter([DescribedRow(self, d) for d in self._rows()])

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            idf = self._part.id_field
            return idf is not None and any(d.get(idf) == key for d in self._rows())
        return isinstance(key, DescribedRow) and key.to_dict() in [
            DescribedRow(self, d).to_dict() for d in self._rows()]

    def add(self, **fields: Optional[str]) -> "DescribedRow":
        """Append a row with these fields (text, or None); each name is one
        of the part's fields.  The check reports what is wrong in it (a
        required field missing, an id repeated, a word or date not valid)."""
        names = [f.name for f in self._part.item_fields]
        for k, v in fields.items():
            if k not in names:
                raise KeyError(f"a {self._part.item_noun} has no field {k!r} "
                               f"({', '.join(names)})")
            if v is not None:
                self._part.item_field(k).check(v)
        c, pi = self._plan._c, self._index(create=True)
        r = c.member_add(_CORE, pi, None, None)
        try:
            for k, v in fields.items():
                if v is not None:
                    c.member_set(_CORE, pi, r, k, v)
        except BaseException:
            c.member_remove(_CORE, pi, r)
            raise
        return DescribedRow(self, c.member_get(_CORE, pi, r))

    def remove(self, key: Union[int, str]) -> None:
        """Remove a row, by position or id."""
        row = self[key]
        self._plan._c.member_remove(_CORE, self._index(), row.index)

    def clear(self) -> None:
        """Take the part out of the plan (rows and all)."""
        i = self._index()
        if i >= 0:
            self._plan._c.part_remove(_CORE, i)

    def to_list(self) -> List[Dict[str, Optional[str]]]:
        """Every row as a dict of its fields."""
        return [r.to_dict() for r in self]

    def overdue(self, as_of: Union[str, datetime.date]) -> List["DescribedRow"]:
        """The rows due before ``as_of`` whose status does not close them
        (a record's complete words, or ``cancelled``): a row is due at the end of its first date field that
        reads as a date (``10 - 12 February 2015``: the 12th); a part with no
        date field has none."""
        day = _as_of(as_of)
        return [r for r in self if r.due is not None and r.due < day
                and (r.to_dict().get("status") or "").strip().lower() not in _CLOSED]

    def _value(self) -> Any:
        return self.to_list()

    def __repr__(self) -> str:
        return f"<{self._part.name}: {len(self)} {self._part.item_noun}s>"


class DescribedRow(_ByValue):
    """One row of a described part: its fields as attributes (``row.name``)
    and items (``row["name"]``); set one with ``row.set(name=...)``."""

    __slots__ = ("_rows", "_d")

    def __init__(self, rows: DescribedRows, d: Dict[str, Any]):
        self._rows = rows
        self._d = d

    @property
    def index(self) -> int:
        return self._d["index"]

    @property
    def line(self) -> int:
        return self._d["line"]

    def __getattr__(self, name: str) -> Optional[str]:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, name: str) -> Optional[str]:
        if name not in [f.name for f in self._rows._part.item_fields]:
            raise KeyError(name)
        return self._d[name]

    def set(self, **fields: Optional[str]) -> None:
        """Set (or, with None, clear) fields of the row."""
        part, c = self._rows._part, self._rows._plan._c
        for k, v in fields.items():
            if v is not None:
                part.item_field(k).check(v)
            c.member_set(_CORE, self._rows._index(), self.index, k, v)
            self._d = c.member_get(_CORE, self._rows._index(), self.index)

    def to_dict(self) -> Dict[str, Optional[str]]:
        return {f.name: self._d[f.name] for f in self._rows._part.item_fields}

    @property
    def due(self) -> Optional[datetime.date]:
        """The end of the first date field that holds a date, else None
        (absent, ``TBC``, ``Ongoing`` or not a date: the check says which)."""
        for name in self._rows._part.date_fields:
            text = self._d.get(name)
            if not text:
                continue
            try:
                end = date_range(text)[1]
            except ValueError:
                continue
            if end is not None:
                return end
        return None

    def _value(self) -> Any:
        return self.to_dict()

    def __repr__(self) -> str:
        return f"<{self._rows._part.item_noun} {self.to_dict()!r}>"


def _keys(rows: DescribedRows) -> Dict[str, DescribedRow]:
    """The rows by how a diff names them: the id, else the position as the
    records' diff writes it (``#2``: a bare ``2`` is also an id, and a row
    with id '2' and an id-less second row were one key, one of them not
    diffed).  A repeated id (a check error, but the plan loads) is
    ``1#2`` for its second row, ``1#3`` for its third, so that no row
    hides behind another: the n-th row with an id meets the n-th row with
    that id in the other plan."""
    idf = rows._part.id_field
    got: Dict[str, DescribedRow] = {}
    seen: Dict[str, int] = {}
    for k, row in enumerate(rows):
        key = row.to_dict().get(idf) if idf is not None else None
        if not key:
            key = f"#{k + 1}"
        elif key in seen:
            seen[key] += 1
            key = f"{key}#{seen[key]}"
        else:
            seen[key] = 1
        got[key] = row
    return got


def diff_rows(a: DescribedRows, b: DescribedRows, out: List["Change"]) -> None:
    """The rows removed, added and changed (field by field), matched by id
    (else by position)."""
    from ._diff import Change
    name = a._part.name
    ra, rb = _keys(a), _keys(b)
    for k, r in ra.items():
        if k not in rb:
            out.append(Change(name, "row removed", name, row=k, old=str(r.to_dict())))
    for k, r in rb.items():
        if k not in ra:
            out.append(Change(name, "row added", name, row=k, new=str(r.to_dict())))
            continue
        da, db = ra[k].to_dict(), r.to_dict()
        for f in da:
            if da[f] != db[f]:
                out.append(Change(name, "field changed", name, row=k, column=f, old=da[f],
                                  new=db[f]))
