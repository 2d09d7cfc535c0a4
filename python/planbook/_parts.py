"""The parts of a plan, each described once: budgets, indicators, risks
and records, and the described parts (contacts, ...).

A :class:`Part` names the part's Plan attribute (also its key in the file
formats), its classes, the family of ``PlanCore`` methods it wraps, its
fields (with their valid values where there is a fixed set), how it reads
in a diff and how a reader calls it.  The Plan's part properties, the
containers (:class:`PartMapping`), the views of one table, set, register
or collection (:class:`PartView`), the summary card and :func:`planbook.diff`
iterate over :data:`PARTS` instead of naming each part.

A new part adds one entry here and a module with its container (a
:class:`PartMapping`), view (a :class:`PartView` or :class:`ItemSequence`)
and item classes.  The Plan's property comes from the entry; planbook.diff
reports its tables, sets... added and removed by id, and compares inside a
pair with the part's view differ (``@_view_differ`` in _diff.py, if it has
one); the summary card lists each with the part's line (``@_summary`` in
_display.py; else title, id and size).

A described part (one list of rows whose fields the core describes:
csrc/pb_described_parts.c) is one line here, ``described(name, doc)``,
whose fields, nouns and headings come from the core's descriptor; its
view is the generic ``_described.DescribedRows``.

>>> [p.name for p in PARTS][:5]
['budgets', 'indicators', 'risks', 'records', 'contacts']
>>> [f.name for f in PART["contacts"].item_fields]
['id', 'name', 'position', 'telephone', 'email']
>>> PART["risks"].field("score_order").choices
('likelihood x impact', 'impact x likelihood')
>>> import planbook
>>> planbook.Plan().risks.add("r", score_order="sideways")
Traceback (most recent call last):
...
planbook.errors.ValidationError: score_order is 'likelihood x impact' or 'impact x likelihood', not 'sideways'
"""

from __future__ import annotations

import functools
import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterator, Mapping, Optional, Tuple

from .errors import ValidationError

if TYPE_CHECKING:  # pragma: no cover
    from ._core import PlanCore
    from ._model import Plan

__all__ = ["Field", "Part", "PARTS", "PART", "PartMapping", "PartView", "ItemSequence",
           "field_property", "field_properties", "item_field_properties", "either",
           "TABLE_KINDS", "ROW_ROLES", "UNITS", "POLARITIES", "MEASURE_ROLES", "RISK_TEXTS"]


def either(choices: Tuple[Any, ...]) -> str:
    """``'a', 'b' or 'c'``: the valid choices, as an error names them."""
    names = [repr(c) for c in choices]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


@dataclass(frozen=True)
class Field:
    """One field of a part's table, set, register or collection: its name,
    type, valid values (when there is a fixed set), what reads back when it
    is not set, and its documentation."""
    name: str
    type: type = str
    choices: Tuple[Any, ...] = ()
    default: Any = None
    doc: Optional[str] = None
    nullable: bool = True
    #: a valid value to set (tests/test_fields.py walks every field with
    #: it), when the type and choices do not give one (a period, a tolerance)
    sample: Any = None

    def check(self, value: Any) -> Any:
        """The value, when it is valid for the field; else a
        ValidationError that names the valid choices (a TypeError for a
        value of the wrong type: a list for a text, True for a number).

        >>> Field("kind", choices=("a", "b")).check(True)
        Traceback (most recent call last):
        ...
        TypeError: kind is 'a' or 'b', not bool (True)
        """
        if value is None and self.nullable and not self.choices:
            return value
        if self.choices:
            if value in self.choices and type(value) is type(self.choices[0]):
                return value
            if value is None or isinstance(value, self.type):
                raise ValidationError(f"{self.name} is {either(self.choices)}, not {value!r}")
            raise TypeError(f"{self.name} is {either(self.choices)}, not "
                            f"{type(value).__name__} ({value!r})")
        # a bool is an int to Python, never a number of decimals or a rate's base
        if not isinstance(value, self.type) or (isinstance(value, bool)
                                                and self.type is not bool
                                                and self.type is not object):
            raise TypeError(f"{self.name} is {self.type.__name__}"
                            f"{' or None' if self.nullable else ''}, not "
                            f"{type(value).__name__} ({value!r})")
        return value

    def samples(self) -> Tuple[Any, ...]:
        """Valid values to set: the sample, else each choice, else one of
        the type."""
        if self.sample is not None:
            return (self.sample,)
        if self.choices:
            return self.choices
        return {str: ("Some text \u2013 with \"quotes\": and a colon",), int: (2,),
                bool: (True, False)}[self.type]


def field_property(field: Field, get: str = "_info", set: str = "_set_field") -> property:
    """A property reading ``field`` from ``self.<get>()`` and writing it,
    checked, through ``self.<set>(name, value)``."""
    name, default = field.name, field.default

    def fget(self: Any) -> Any:
        v = getattr(self, get)()[name]
        return default if default is not None and not v else v

    def fset(self: Any, value: Any) -> None:
        getattr(self, set)(name, field.check(value))
    return property(fget, fset, doc=field.doc)


@dataclass(frozen=True)
class Part:
    """One part of a plan, described once.

    ``core`` names the part's ``PlanCore`` methods: (count, find, get,
    add, remove, set) of its tables, sets, registers or collections;
    ``items`` the (find, remove) of the things inside one (``None`` where
    the view manages its own, as a budget table does its rows).
    """
    name: str                   # Plan attribute; the key in the file formats
    noun: str                   # one of them, as errors say it: "table", "risk register"
    module: str                 # the module of its classes
    container: str              # the Mapping of them, by id
    view: str                   # one table, indicator set, register or collection
    item: str                   # one row, measure, risk or record
    core: Tuple[str, str, str, str, str, str]
    items: Optional[Tuple[str, str]]
    fields: Tuple[Field, ...]
    diff_noun: str              # in a diff: "<diff_noun> added" / "<diff_noun> removed"
    diff_title_or_id: bool      # the diff names an added/removed one by title or id
    doc: str                    # the Plan property's documentation
    item_noun: str = "item"     # one of its items, as errors say it: "risk"
    short: str = ""             # one of them, briefly: "set", "register"
    #: the fields of one row, measure or risk (a record's fields are free texts)
    item_fields: Tuple[Field, ...] = ()
    #: a described part (the core's descriptor gives its fields): one list
    #: of rows per plan, its view ``_described.DescribedRows``
    described: bool = False
    caption: str = ""           # a described part's title: "Contact officers"
    headings: Tuple[str, ...] = ()  # its fields' column headings, in item_fields' order
    date_fields: Tuple[str, ...] = ()  # its fields whose type is a date
    id_field: Optional[str] = None     # the field its descriptor flags as the rows' id

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def item_field(self, name: str) -> Field:
        for f in self.item_fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def cls(self, which: str) -> type:
        """The part's container, view or item class."""
        return _class(self.module, getattr(self, which))

    def of(self, plan: Plan) -> "PartMapping":
        """The plan's container of this part."""
        return getattr(plan, self.name)

    def by_id(self, plan: Plan) -> Mapping[str, Any]:
        """The plan's tables, sets, registers or collections of this part
        by id; a described part's rows under its own name, when the plan
        holds it (what diff and the summary card walk)."""
        if not self.described:
            return self.of(plan)
        rows = self.of(plan)
        return {self.name: rows} if rows.exists() else {}  # type: ignore[attr-defined]

    def fn(self, core: PlanCore, op: str) -> Callable[..., Any]:
        """The bound ``PlanCore`` method of an operation (count, find,
        get, add, remove, set)."""
        return getattr(core, self.core[_OPS[op]])

    def title(self, view: Any) -> Optional[str]:
        """How a diff names an added or removed one."""
        return (view.title or view.id) if self.diff_title_or_id else view.title


@functools.lru_cache(maxsize=None)
def _class(module: str, name: str) -> type:
    return getattr(importlib.import_module(module, __package__), name)


_OPS = {op: k for k, op in enumerate(("count", "find", "get", "add", "remove", "set"))}

def _family(prefix: str) -> Tuple[str, str, str, str, str, str]:
    """The PlanCore methods of a part named ``<prefix>_count``, ``<prefix>_find``..."""
    return tuple(f"{prefix}_{op}" for op in _OPS)  # type: ignore[return-value]


def described(name: str, doc: str) -> Part:
    """The Part of a described part, from the core's descriptor of
    ``name`` (csrc/pb_described_parts.c): its rows' fields, their valid
    words, its nouns.  ``doc``: the Plan property's documentation."""
    from . import _core
    for key, noun, _sheet, title, fields in _core.PlanCore().described_kinds():
        if key == name:
            break
    else:  # pragma: no cover - a Part for a kind the core does not describe
        raise KeyError(name)
    return Part(name, "described part", "._described", "DescribedRows", "DescribedRows",
                "DescribedRow", core=tuple(f"part_{op}" for op in _OPS),  # type: ignore[arg-type]
                items=("member_find", "member_remove"), fields=(),
                diff_noun="part", diff_title_or_id=True, doc=doc, item_noun=noun,
                short=name, described=True, caption=title,
                headings=tuple(heading for _k, heading, _f, _t, _v in fields),
                date_fields=tuple(k for k, _h, _f, kind, _v in fields if kind == "date"),
                id_field=next((k for k, _h, flags, _t, _v in fields if flags & _core.FIELD_ID),
                              None),
                item_fields=tuple(Field(k, choices=tuple(values.split("|")) if values else (),
                                        doc=f"{heading} ({kind}).",
                                        sample=_DESCRIBED_SAMPLES.get(kind))
                                  for k, heading, _flags, kind, values in fields))


#: a valid value of a described field of each type that is not any text
_DESCRIBED_SAMPLES = {"date": "10 - 12 February 2015", "count": "3"}


def _texts(*names: str, doc: Optional[str] = None) -> Tuple[Field, ...]:
    """Text fields (None when not set); ``doc`` with {} for the field's name."""
    return tuple(Field(n, doc=doc and doc.format(n.replace("_", " "))) for n in names)


#: A table's kinds, as the YAML reader knows them.
TABLE_KINDS = ("objective", "subjective", "savings", "reconciliation", "funding", "fte",
               "capital", "workforce", "other")
#: A row's roles (``inherit``: the role of its section).
ROW_ROLES = ("inherit", "expenditure", "income", "internal", "funding", "saving", "growth",
             "adjustment", "other")
#: A measure's units, polarities and roles (a companion series is a
#: numerator, denominator or count).
UNITS = ("number", "percent", "rate", "count", "days", "money", "text")
POLARITIES = ("none", "high", "low")
MEASURE_ROLES = ("measure", "numerator", "denominator", "count")
#: A risk's texts.
RISK_TEXTS = ("category", "status", "status_date", "description", "owner", "objective",
              "controls", "impacts", "mitigations", "actions", "outcome", "updated")


PARTS: Tuple[Part, ...] = (
    Part("budgets", "table", "._model", "Budgets", "Table", "Row",
         core=("table_count", "find_table", "table_get", "add_table", "remove_table",
               "table_set"),
         items=None,
         fields=_texts("title") + (
             Field("kind", choices=TABLE_KINDS, default="other",
                   doc="What the table is: " + ", ".join(TABLE_KINDS) + "."),) + _texts(
             "unit", "note") + (
             Field("decimals", int), Field("income_sign", choices=("positive", "negative")),
             Field("blank", choices=("zero", "missing")),
             Field("tolerance", object, sample="0.5")),
         diff_noun="table", diff_title_or_id=False,
         doc='The budget tables, by id: ``plan.budgets["subjective"]``.',
         item_noun="row", short="table",
         item_fields=_texts("label") + (
             Field("id", sample="net_budget",
                   doc="The row's id (unique in its table: letters, digits, _ or -), or None."),
             Field("note", doc="A note on the row, or None."),
             Field("select", sample="Staff",
                   doc="For a total: the label of the lines it sums, or None.")) + (
             Field("role", choices=ROW_ROLES, nullable=False,
                   doc="The role as written ('inherit' when it comes from the section)."),)),
    Part("indicators", "indicator set", "._indicators", "Indicators", "IndicatorSet", "Measure",
         core=_family("ind"), items=("m_find", "m_remove"),
         fields=_texts("title", "framework", "reporting", "as_of", "note",
                       doc="The set's {} (text or None).") + (
             Field("basis", doc='Where the RAG basis comes from: "printed: <where in the '
                                'source>" or "assumed: <where the assumption is written>".'),
             Field("direction", choices=("previous", "year_ago", "outturn"),
                   doc='What "better than last" compares with: previous, year_ago or '
                       'outturn.'),
             Field("cumulative", bool, nullable=False), Field("latest", sample="2024/25")),
         diff_noun="indicator set", diff_title_or_id=True,
         doc='The performance indicator sets (dashboards), by id:\n'
             '``plan.indicators["children"]["1.3"]``; ``plan.indicators.status()``\n'
             'is the whole dashboard.',
         item_noun="measure", short="set",
         item_fields=(Field("name", doc="The measure as printed."),
                      Field("group", doc="Group, theme or plan priority."),
                      Field("objective", doc="The objective or priority it measures (id or "
                                             "text)."),
                      Field("owner", doc="Responsible manager."),
                      Field("framework", doc="Framework, when it differs from the set's."),
                      Field("definition", doc="Definition."),
                      Field("footnote", doc="Marker(s) of the set's footnotes."),
                      Field("unit", choices=UNITS, doc=", ".join(UNITS) + "."),
                      Field("per", int, sample=10000, doc="Rate per N (0 when not a rate)."),
                      Field("decimals", int, doc="Display decimals (0 to 6), or None (as "
                                                 "printed)."),
                      Field("polarity", choices=POLARITIES,
                            doc="high, low or none: which way is better."),
                      Field("role", choices=MEASURE_ROLES, sample="measure",
                            doc="measure, or a companion's numerator, denominator or count."),
                      Field("cumulative", bool,
                            doc="Do the figures accumulate within the financial year (the "
                                "measure's setting, else the set's)?"),
                      Field("thresholds", object, sample=("42.1", "59.8", "118.7"),
                            doc="(Good, Of concern, Action required), 'not available', or "
                                "None."))),
    Part("risks", "risk register", "._risks", "Risks", "RiskRegister", "Risk",
         core=_family("reg"), items=("risk_find", "risk_remove"),
         fields=_texts("title", "register_for", "version", "last_reviewed", "reviewed_by",
                       "next_review", "note") + (
             Field("basis", doc='Where the RAG bands come from: "printed: <where in the '
                                'source>" or "assumed: <where the assumption is written>".'),
             Field("score_order", choices=("likelihood x impact", "impact x likelihood")),),
         diff_noun="register", diff_title_or_id=True,
         doc='The risk registers, by id: ``plan.risks["strategic"]["4"].current``.',
         item_noun="risk", short="register",
         item_fields=(Field("id", nullable=False, sample="R2"),) + _texts(*RISK_TEXTS) + tuple(
             Field(k, object, sample="12 (4x3)",
                   doc=f"The {k} score (a Score or None); set it as printed ('12 (4x3)') or "
                       f"as (likelihood, impact, score).")
             for k in ("inherent", "current", "target"))),
    Part("records", "collection", "._records", "Records", "Collection", "Record",
         core=_family("coll"), items=("item_find", "item_remove"),
         fields=_texts("title") + (
             Field("kind", choices=("objectives", "workstreams", "actions", "equality",
                                    "timeline", "swot", "pestel", "challenges", "narrative",
                                    "other")),) + _texts("note"),
         diff_noun="collection", diff_title_or_id=False,
         doc='Collections of records (objectives, workstreams, action plans,\n'
             'the timeline, SWOT, narrative, ...), by id.',
         item_noun="item", short="collection"),
    # the described parts (pb_described_parts.c): one line each
    described("contacts", "The plan's contact officers (name, position, telephone, e-mail):\n"
                          '``plan.contacts.add(name="...", position="...")``.'),
    described("timeline", "The plan's timeline: its dated events (date, activity, owner,\n"
                          'status):  ``plan.timeline.add(date="6 March 2015", title="...")``.'),
)

def basis_assumed(text: Optional[str]) -> bool:
    """Does a part's ``basis`` say its RAG basis is an assumption?  A part
    without a basis has the engine's defaults, which are assumptions too."""
    return not (text or "").strip().lower().startswith("printed")


#: The parts by name.
PART: Dict[str, Part] = {p.name: p for p in PARTS}


def part_property(part: Part) -> property:
    """The Plan property of a part: its container, by id (a described
    part's: its rows)."""
    def get(plan: Plan) -> Any:
        if part.described:
            return part.cls("container")(plan, part)
        return part.cls("container")(plan)
    return property(get, doc=part.doc)


class PartMapping(Mapping[str, Any]):
    """The plan's tables, sets, registers or collections of one part, by
    id, in file order.  A subclass names its part in ``_part``."""

    __slots__ = ("_plan",)
    _part: Part

    def __init__(self, plan: Plan):
        self._plan = plan

    def _view(self, id: str) -> Any:
        return self._part.cls("view")(self._plan, id)

    def __getitem__(self, id: str) -> Any:
        # Mapping's `in` and get() pass any key, not only text
        text = isinstance(id, str)  # pyright: ignore[reportUnnecessaryIsInstance]
        if not text or self._part.fn(self._plan._c, "find")(id) < 0:
            raise KeyError(id)
        return self._view(id)

    def __iter__(self) -> Iterator[str]:
        c, p = self._plan._c, self._part
        get = p.fn(c, "get")
        return iter([get(i)["id"] for i in range(p.fn(c, "count")())])

    def __len__(self) -> int:
        return self._part.fn(self._plan._c, "count")()

    def remove(self, id: str) -> None:
        c, p = self._plan._c, self._part
        i = p.fn(c, "find")(id)
        if i < 0:
            raise KeyError(id)
        p.fn(c, "remove")(i)

    __delitem__ = remove

    def _new(self, id: str, fill: Callable[[PlanCore, int], None]) -> Any:
        """Add ``id`` and fill it through ``fill(core, index)``; on any
        error it is taken out again, so the plan is as it was."""
        c, p = self._plan._c, self._part
        i = p.fn(c, "add")(id)
        try:
            fill(c, i)
        except BaseException:
            p.fn(c, "remove")(p.fn(c, "find")(id))
            raise
        return self._view(id)

    def _set_fields(self, set_: Callable[[int, str, Any], Any], i: int,
                    values: Mapping[str, Any]) -> None:
        """Set fields of a new one, each checked where the part describes it."""
        names = {f.name: f for f in self._part.fields}
        for k, v in values.items():
            set_(i, k, names[k].check(v) if k in names else v)

    def __repr__(self) -> str:
        return f"<{self._part.container}: {', '.join(self) or 'none'}>"


class PartView:
    """One table, indicator set, risk register or collection: found in the
    core by id on each access.  A subclass names its part in ``_part``."""

    __slots__ = ("_plan", "id")
    _part: Part

    def __init__(self, plan: Plan, id: str):
        self._plan = plan
        self.id = id

    @property
    def _i(self) -> int:
        i = self._part.fn(self._plan._c, "find")(self.id)
        if i < 0:
            raise KeyError(f"{self._part.noun} {self.id!r} is no longer in the plan")
        return i

    def _info(self) -> Dict[str, Any]:
        return self._part.fn(self._plan._c, "get")(self._i)

    def _set_field(self, name: str, value: Any) -> None:
        self._part.fn(self._plan._c, "set")(self._i, name, value)



def field_properties(part: Part, *names: str, get: str = "_info",
                     set: str = "_set_field") -> Tuple[property, ...]:
    """Properties for the named fields of ``part``, in order."""
    return tuple(field_property(part.field(n), get, set) for n in names)


def item_field_properties(part: Part, *names: str, get: str = "_get",
                          set: str = "_set_field") -> Tuple[property, ...]:
    """Properties for the named fields of one of ``part``'s items (a
    measure, a risk), in order."""
    return tuple(field_property(part.item_field(n), get, set) for n in names)


class ItemSequence(PartView):
    """A view whose items (measures, risks, records) are found by id in the
    core: ``in``, ``remove`` and adding with rollback, shared."""

    __slots__ = ()

    def _item_fn(self, op: str) -> Callable[..., Any]:
        items = self._part.items
        assert items is not None, "a part whose view manages its own items"
        return getattr(self._plan._c, items[op == "remove"])

    def _item_index(self, key: object) -> int:
        return self._item_fn("find")(self._i, key) if isinstance(key, str) else -1

    def __contains__(self, key: object) -> bool:
        return self._item_index(key) >= 0

    def _item_at(self, key: str) -> Tuple[int, int]:
        """(this one's index, the item's index) of item ``key`` in the
        core; a KeyError when it is no longer there."""
        vi = self._i
        i = self._item_fn("find")(vi, key)
        if i < 0:
            p = self._part
            raise KeyError(f"{p.item_noun} {key!r} is no longer in {p.short} {self.id!r}")
        return vi, i

    def remove(self, key: str) -> None:
        """Remove an item (and what hangs from it)."""
        i = self._item_index(key)
        if i < 0:
            raise KeyError(key)
        self._item_fn("remove")(self._i, i)

    def __len__(self) -> int:
        return self._info()["count"]

    def _filled(self, i: int, fill: Callable[[], None]) -> None:
        """Run ``fill`` for the new item ``i``; on any error take it out."""
        try:
            fill()
        except BaseException:
            self._item_fn("remove")(self._i, i)
            raise
