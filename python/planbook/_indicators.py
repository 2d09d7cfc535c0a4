"""Performance indicators: views onto the core's indicator sets, and the
dashboard the status engine works out.

Nothing is copied: :class:`IndicatorSet` and :class:`Measure` find their
data in the core on each access (by set id and measure ref, so a view
follows its measure when others are added or removed).  Figures come out
as :class:`decimal.Decimal`, exactly as printed (``Decimal('80.9')``).

>>> import planbook
>>> plan = planbook.examples.load("manchester-children-families-2015-17")
>>> m = plan.indicators["children"]["1.3"]
>>> m.values["2014/15 Q3"].value, m.polarity
(Decimal('80.9'), 'low')
>>> s = m.status()
>>> s.rag, s.rag_reason
('red', '2014/15 Q3 80.9 against Of concern 59.8, lower is better: red')
>>> s.last, s.last_reason
('better', '2014/15 Q3 80.9 against 2013/14 82.0, lower is better: better')
"""

from __future__ import annotations

import datetime
import html
from dataclasses import dataclass, field
from decimal import Decimal
from typing import (TYPE_CHECKING, Any, Callable, Dict, cast, Iterator, List, Mapping, Optional,
                    Sequence, Tuple, Union, overload)

from ._model import _amount_text
from ._parts import (PART, ItemSequence, PartMapping, basis_assumed, field_properties,
                     item_field_properties)
from .errors import ValidationError

if TYPE_CHECKING:  # pragma: no cover
    from ._core import ObsTuple, PlanCore

__all__ = ["Indicators", "IndicatorSet", "Measure", "Observation", "Milestone", "Status",
           "Dashboard", "StatusCodes"]

_SCALE = 6
RAG: Tuple[str, ...] = ("none", "green", "amber", "red")
CMP: Tuple[str, ...] = ("none", "better", "worse", "same", "up", "down")
_SYMBOL = {"green": "\u2714 green", "amber": "\u25b2 amber", "red": "\u2716 red", "none": ""}
_ARROW = {"better": "\u2191", "worse": "\u2193", "same": "\u2192", "up": "\u2197",
          "down": "\u2198", "none": ""}
# aspects of pb_ind_explain
_RAG, _PREV, _YAGO, _OUT, _TARGET, _LAST, _COMP = range(7)


# ---------------------------------------------------------------- cells

@dataclass(frozen=True)
class Observation:
    """One cell of a series (a result, a target, a comparator figure or a
    threshold): a figure (``value``, Decimal, as printed) or none, its
    ``status`` and an optional ``note``.

    ``status`` is one of normal, provisional, estimated, not available,
    not applicable, not reported (blank), tbc, text (a statement in place
    of a figure, in ``note``).  ``str()`` gives the cell as printed.
    """
    status: str
    value: Optional[Decimal] = None
    note: str = ""
    percent: bool = False
    grouped: bool = False

    @classmethod
    def _from_core(cls, t: ObsTuple) -> "Observation":
        status, v, dec, flags, note = t
        value = None
        if v is not None:
            value = Decimal(v).scaleb(-_SCALE).quantize(Decimal(1).scaleb(-dec))
        return cls(status, value, note or "", bool(flags & 1), bool(flags & 2))

    @property
    def has_value(self) -> bool:
        return self.value is not None

    def __str__(self) -> str:
        if self.value is not None:
            text = f"{self.value:,}" if self.grouped else str(self.value)
            text += "%" if self.percent else ""
            if self.status != "normal":
                text += f" ({self.status})"
            return text + (f" ({self.note})" if self.note else "")
        words = {"not reported": "", "not applicable": "n/a", "not available": "Not available",
                 "tbc": "TBC", "text": ""}.get(self.status, self.status)
        if self.note:
            return f"{words} ({self.note})" if words else self.note
        return words

    def _to_core(self) -> ObsTuple:
        v = None
        dec = 0
        if self.value is not None:
            exp = self.value.as_tuple().exponent
            dec = max(0, -exp) if isinstance(exp, int) else 0
            v = int(self.value.scaleb(_SCALE))
        return (self.status, v, dec, (1 if self.percent else 0) | (2 if self.grouped else 0),
                self.note or None)


def _cell_arg(value: Any) -> Union[str, ObsTuple]:
    """What the core's m_cell_set takes: text as printed, or a tuple."""
    if isinstance(value, Observation):
        return value._to_core()
    if value is None:
        return ""
    return _amount_text(value, "a figure", "str, int, Decimal or Observation")


@dataclass(frozen=True)
class Milestone:
    """A dated target: ``due`` (a date), ``due_text`` (as written), ``target``."""
    due: datetime.date
    due_text: str
    target: Observation


# ---------------------------------------------------------------- views

class Indicators(PartMapping):
    """The plan's indicator sets (dashboards), by id."""

    __slots__ = ()
    _part = PART["indicators"]

    def add(self, id: str, *, periods: Sequence[str], title: Optional[str] = None,
            direction: str = "previous", comparators: Optional[Mapping[str, str]] = None,
            cumulative: bool = False, **texts: Optional[str]) -> "IndicatorSet":
        """Add an indicator set with its periods (and comparators, which
        come before any measure)."""
        def fill(c: PlanCore, si: int) -> None:
            for p in periods:
                c.ind_set(si, "add_period", p)
            for cid, name in (comparators or {}).items():
                c.ind_set(si, "add_comparator", (cid, name))
            self._set_fields(c.ind_set, si, {"direction": direction})
            c.ind_set(si, "cumulative", cumulative)
            if title is not None:
                c.ind_set(si, "title", title)
            self._set_fields(c.ind_set, si, texts)
        return self._new(id, fill)

    def from_pandas(self, id: str, df: Any, *, ref: str = "ref", period: str = "period",
                    value: str = "value", name: Optional[str] = None,
                    periods: Optional[Sequence[str]] = None,
                    **measure_fields: Any) -> "IndicatorSet":
        """An indicator set from observations in long form: one row per
        measure and period with the figure as text, int, Decimal or exact
        float (NaN is not reported).  Periods come in order of first
        appearance unless given; ``name`` names a column of measure names;
        ``measure_fields`` (unit=, polarity=...) apply to every measure.

        >>> import pandas as pd, planbook
        >>> plan = planbook.Plan()
        >>> s = plan.indicators.from_pandas("kpi", pd.DataFrame({
        ...     "ref": ["A", "A", "B"], "period": ["2023/24", "2024/25", "2024/25"],
        ...     "value": ["50", "60", "7.5"]}), polarity="high")
        >>> s["A"].status().last, str(s["B"].values["2024/25"])
        ('better', '7.5')
        """
        from ._model import _exact
        from . import _core as core
        canon = [core.parse_period(str(p), self._plan.year_start)[0] for p in df[period]]
        order = list(periods) if periods is not None else list(dict.fromkeys(canon))
        s = self.add(id, periods=order)
        try:
            c, si = self._plan._c, s._i
            names: Dict[str, Any] = {}
            cells: Dict[str, Dict[str, Any]] = {}
            for r, (rf, pk) in enumerate(zip(df[ref], canon)):
                rf = str(rf)
                cells.setdefault(rf, {})[pk] = df[value].iloc[r]
                if name is not None:
                    names.setdefault(rf, df[name].iloc[r])
            for rf, byp in cells.items():
                s.add(rf, None if name is None else str(names[rf]), **measure_fields)
                mi = c.m_find(si, rf)
                for pk, v in byp.items():
                    x = _exact(v, 6, f"measure {rf!r}, {pk}")
                    c.m_cell_set(si, 0, mi, order.index(pk), _cell_arg(x))
        except BaseException:
            self.remove(id)
            raise
        return s

    def status(self, period: Optional[str] = None) -> "Dashboard":
        """The dashboard of every set: one :class:`Status` per measure, at
        ``period`` (in each set that has it) or at each set's report
        period."""
        rows: List[Status] = []
        for sid in self:
            s = self[sid]
            if period is not None and period not in s.periods:
                continue
            rows.extend(s.status(period).rows)
        return Dashboard(rows)


class IndicatorSet(ItemSequence):
    """One dashboard: its periods, comparators and measures.

    ``set["1.3"]`` is a :class:`Measure`; iterating gives the measures
    (not their companion count rows, which are in ``measure.counts``).
    """

    __slots__ = ()
    _part = PART["indicators"]

    title, framework, reporting, as_of, note, basis, direction = field_properties(
        _part, "title", "framework", "reporting", "as_of", "note", "basis", "direction")

    @property
    def basis_assumed(self) -> bool:
        """Is the basis of this dashboard's RAG thresholds an assumption
        (``basis`` "assumed: ...", or not given)?  Every RAG from them is
        then marked "assumed thresholds" (:attr:`Status.assumed`)."""
        return basis_assumed(self.basis)

    @property
    def periods(self) -> List[str]:
        """The periods, as canonical text (``2014/15 Q3``)."""
        return self._plan._c.ind_periods(self._i)

    def add_period(self, period: str) -> None:
        """Add a period (a new quarter of results); existing measures get
        blank cells for it."""
        self._plan._c.ind_set(self._i, "add_period", period)

    @property
    def latest(self) -> Optional[str]:
        """The period the dashboard reports, as set (or None)."""
        info = self._info()
        return None if info["latest"] is None else info["periods"][info["latest"]]

    @latest.setter
    def latest(self, period: Optional[str]) -> None:
        self._plan._c.ind_set(self._i, "latest", self._part.field("latest").check(period))

    @property
    def report_period(self) -> Optional[str]:
        """``latest``, or the last period with any figure."""
        info = self._info()
        k = info["report_period"]
        return None if k is None else info["periods"][k]

    @property
    def cumulative(self) -> bool:
        return self._info()["cumulative"]

    @cumulative.setter
    def cumulative(self, value: bool) -> None:
        self._plan._c.ind_set(self._i, "cumulative", self._part.field("cumulative").check(value))

    @property
    def comparators(self) -> Dict[str, str]:
        """Comparator ids and names (``{"sn": "Statistical neighbours"}``)."""
        return dict(self._info()["comparators"])

    @property
    def footnotes(self) -> Dict[str, str]:
        return dict(self._plan._c.ind_footnotes(self._i))

    def add_footnote(self, mark: str, text: str) -> None:
        self._plan._c.ind_set(self._i, "add_footnote", (mark, text))

    # measures
    _count = ItemSequence.__len__

    def __iter__(self) -> Iterator["Measure"]:
        c, si = self._plan._c, self._i
        for i in range(self._count()):
            m = c.m_get(si, i)
            if m["parent"] is None:
                yield Measure(self, m["ref"])

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __getitem__(self, ref: str) -> "Measure":
        if self._item_index(ref) < 0:
            raise KeyError(ref)
        return Measure(self, ref)

    def add(self, ref: str, name: Optional[str] = None, *, unit: str = "number",
            polarity: str = "none", values: Optional[Sequence[Any]] = None,
            targets: Optional[Mapping[str, Any]] = None,
            thresholds: Optional[Union[str, Sequence[Any]]] = None, **fields: Any) -> "Measure":
        """Add a measure: ``add("1.3", "Rate of ...", unit="rate", per=10000,
        polarity="low", thresholds=("42.1", "59.8", "118.7"), values=[...])``."""
        i = self._plan._c.m_add(self._i, None, ref)
        m = Measure(self, ref)
        self._filled(i, lambda: m._fill(name=name, unit=unit, polarity=polarity, values=values,
                                        targets=targets, thresholds=thresholds, **fields))
        return m

    # status
    def _period_index(self, period: Optional[str]) -> int:
        if period is None:
            k = self._info()["report_period"]
            if k is None:
                raise ValidationError(f"indicator set {self.id!r} has no figures to report")
            return k
        try:
            from ._core import parse_period
            canon = parse_period(period, self._plan.year_start)[0]
        except Exception:
            canon = period
        periods = self.periods
        if canon not in periods:
            hint = ""
            if canon.count("/") == 1 and " " not in canon or canon.isdigit():
                hint = (f": for a year's target, add the year to the set's periods "
                        f"(set.add_period({canon!r}), or periods: [{canon}, ...] in the file); "
                        f"it then holds for its quarters")
            raise KeyError(f"{period!r} is not a period of indicator set {self.id!r} "
                           f"({', '.join(periods)}){hint}")
        return periods.index(canon)

    def status(self, period: Optional[str] = None) -> "Dashboard":
        """The dashboard at ``period`` (default: the report period): one
        :class:`Status` per measure, companions included."""
        c, si = self._plan._c, self._i
        k = self._period_index(period)
        info = c.ind_get(si)
        codes = c.ind_status(si, k)
        rows: List[Status] = []
        comps = [cid for cid, _ in info["comparators"]]
        for i in range(info["count"]):
            m = c.m_get(si, i)
            rows.append(Status._make(self, info, m, i, k, codes, comps))
        return Dashboard(rows)

    def status_codes(self, aspects: Optional[Sequence[str]] = None) -> "StatusCodes":
        """Statuses at every period in bulk, as codes (see :class:`StatusCodes`).

        ``aspects`` limits the work to the answers named (``("rag", "last",
        "target")``; also basis, previous, year_ago, outturn, comparators);
        the others come back as None.  Default: all."""
        c, si = self._plan._c, self._i
        a = None if aspects is None else tuple(aspects)
        codes = c.ind_status(si, -1, a)
        periods = c.ind_periods(si)
        # the arrays are memoryviews of bytes (one byte a code): nbytes is the length
        some = next((b.nbytes for b in codes.values() if isinstance(b, memoryview)), None)
        count = some // len(periods) if some is not None and periods else \
            c.ind_get(si)["count"]
        # the set's basis comes with the codes (self.basis would ask ind_get,
        # which works out the report period over every measure); the refs
        # (a str per measure) are made when first asked for
        basis = codes.pop("set_basis")
        return StatusCodes(codes, {"periods": periods, "count": count, "basis": basis},
                           lambda: c.ind_refs(si))

    # data
    def __arrow_c_stream__(self, requested_schema: object = None) -> object:
        """The observations as an Arrow stream, straight from the core
        (the Arrow PyCapsule interface): ``pyarrow.table(s)``,
        ``polars.from_arrow(s)``, DuckDB.  Columns: set, ref, name, role,
        period, series (value, target or a comparator id), status, value
        (decimal128 at 6 decimals, exact), note."""
        return self._plan._c.ind_arrow(self._i)

    def to_pandas(self, form: str = "long", *, figures: str = "float") -> Any:
        """Observations as a DataFrame: ``long`` (one row per measure,
        period and series: value, target or a comparator; its ``value`` a
        number, ``printed`` the cell as printed, ``status`` and ``note``
        beside it) or ``wide`` (one row per measure, one column per period
        with its result).

        ``figures="float"`` (the default) gives float64 figures (NaN where
        there is none); ``"decimal"`` exact :class:`decimal.Decimal`
        objects, as printed (``Decimal('80.9')``); ``"printed"`` the text
        as printed (``'65.0%'``, ``'n/a'``)."""
        from ._pandas import FIGURES, _choice, numbers, require_pandas
        pd = require_pandas("IndicatorSet.to_pandas")
        _choice("form", form, ("long", "wide"))
        _choice("figures", figures, FIGURES)
        c, si = self._plan._c, self._i
        info = c.ind_get(si)
        periods = info["periods"]
        recs: List[Dict[str, Any]] = []
        wide: List[Dict[str, Any]] = []
        for i in range(info["count"]):
            m = c.m_get(si, i)
            ref = m["ref"] if m["parent"] is None else c.m_get(si, m["parent"])["ref"]
            series = [("value", m["values"]), ("target", m["targets"])]
            series += [(cid, cells) for cid, cells in m["compare"].items()]
            row: Dict[str, Any] = {"ref": ref, "name": m["name"], "role": m["role"]}
            for sname, cells in series:
                for k, t in enumerate(cells):
                    o = Observation._from_core(t)
                    if sname == "value":
                        row[periods[k]] = str(o) if figures == "printed" else o.value
                    if o.status == "not reported" and not o.note:
                        continue
                    recs.append({"set": self.id, "ref": ref, "name": m["name"],
                                 "role": m["role"], "period": periods[k], "series": sname,
                                 "status": o.status, "value": o.value, "printed": str(o),
                                 "note": o.note or None})
            wide.append(row)
        how = "decimal" if figures == "printed" else figures
        if form == "wide":
            df = pd.DataFrame(wide, columns=["ref", "name", "role"] + periods)
            if figures != "printed":
                for p in periods:
                    df[p] = numbers(pd, [r[p] for r in wide], how)
            return df
        df = pd.DataFrame(recs, columns=["set", "ref", "name", "role", "period", "series",
                                         "status", "value", "printed", "note"])
        df["value"] = numbers(pd, [r["value"] for r in recs], how)
        df["period"] = pd.Categorical(df["period"], categories=periods, ordered=True)
        return df

    def __repr__(self) -> str:
        info = self._info()
        return (f"<IndicatorSet {self.id!r}: {info['count']} series, "
                f"periods {info['periods'][0] if info['periods'] else '-'}"
                f"..{info['periods'][-1] if info['periods'] else '-'}>")


class _Series(Mapping[str, Observation]):
    """A measure's cells by period: read with ``series["2014/15 Q3"]``,
    write with ``series["2014/15 Q3"] = "81.2"``."""

    __slots__ = ("_m", "_series", "_key")

    def __init__(self, m: "Measure", series: int, key: str):
        self._m, self._series, self._key = m, series, key

    def _cells(self) -> List[ObsTuple]:
        return self._m._get()[self._key] if self._series < 2 else \
            self._m._get()["compare"][self._key]

    def __getitem__(self, period: str) -> Observation:
        s = self._m._set
        k = s._period_index(period)
        return Observation._from_core(self._cells()[k])

    def __setitem__(self, period: str, value: Any) -> None:
        s = self._m._set
        k = s._period_index(period)
        si, i = self._m._where()
        s._plan._c.m_cell_set(si, self._series, i, k, _cell_arg(value))

    def __iter__(self) -> Iterator[str]:
        return iter(self._m._set.periods)

    def __len__(self) -> int:
        return len(self._m._set.periods)

    def as_dict(self) -> Dict[str, Observation]:
        """Every period's cell in one read of the core (``dict(series)``
        reads the measure once per period)."""
        return {p: Observation._from_core(t)
                for p, t in zip(self._m._set.periods, self._cells())}

    def __repr__(self) -> str:
        return "{" + ", ".join(f"{p!r}: {str(o)!r}" for p, o in self.as_dict().items()) + "}"


class Measure:
    """One indicator (or a companion count series, in ``measure.counts``)."""

    __slots__ = ("_set", "ref", "_companion")

    def __init__(self, iset: IndicatorSet, ref: str, companion: Optional[int] = None):
        self._set = iset
        self.ref = ref
        self._companion = companion

    def _where(self) -> Tuple[int, int]:
        c = self._set._plan._c
        si, i = self._set._item_at(self.ref)
        if self._companion is not None:
            i += 1 + self._companion
            try:
                # (not ind_get's count: that also works out the report period)
                parent = c.m_get(si, i)["parent"]
            except IndexError:
                parent = None
            if parent is None:
                raise KeyError(f"measure {self.ref!r} has no companion {self._companion}")
        return si, i

    def _get(self) -> Dict[str, Any]:
        si, i = self._where()
        return self._set._plan._c.m_get(si, i)

    def _set_field(self, name: str, value: Any) -> None:
        si, i = self._where()
        self._set._plan._c.m_set(si, i, name, value)

    def rename(self, ref: str) -> None:
        """Give the measure a new reference (unique in its set).  Other
        views of it under the old reference no longer find it."""
        if self._companion is not None:
            raise ValidationError("a count series has no reference of its own")
        self._set_field("ref", ref)
        self.ref = ref

    (name, group, objective, owner, framework, definition, footnote, unit, per, decimals,
     polarity, role) = item_field_properties(
        PART["indicators"], "name", "group", "objective", "owner", "framework", "definition",
        "footnote", "unit", "per", "decimals", "polarity", "role")

    @property
    def cumulative(self) -> bool:
        """Do the figures accumulate within the financial year (the
        measure's setting, else the set's)?"""
        return self._get()["cumulative"]

    @cumulative.setter
    def cumulative(self, value: Optional[bool]) -> None:
        self._set_field("cumulative", PART["indicators"].item_field("cumulative").check(value))

    @property
    def is_companion(self) -> bool:
        return self._companion is not None

    @property
    def values(self) -> _Series:
        """Results by period."""
        return _Series(self, 0, "values")

    @property
    def targets(self) -> _Series:
        """Targets by period."""
        return _Series(self, 1, "targets")

    def comparator(self, id: str) -> _Series:
        """A comparator's figures by period (``m.comparator("england")``)."""
        comps = list(self._set.comparators)
        if id not in comps:
            raise KeyError(f"{id!r} is not a comparator of set {self._set.id!r}")
        return _Series(self, 2 + comps.index(id), id)

    @property
    def thresholds(self) -> Union[None, str, Tuple[Observation, Observation, Observation]]:
        """(Good, Of concern, Action required), ``"not available"``, or None."""
        m = self._get()
        if m["threshold_state"] == 0:
            return None
        if m["threshold_state"] == 2:
            return "not available"
        good, concern, action = (Observation._from_core(t) for t in m["thresholds"])
        return good, concern, action

    @thresholds.setter
    def thresholds(self, value: Any) -> None:
        if value is None or value == "not available":
            self._set_field("thresholds", value)
            return
        si, i = self._where()
        for level, v in enumerate(value):
            if v is not None:
                arg = _cell_arg(v)
                if not isinstance(arg, str):
                    raise TypeError("a threshold is a figure as text, int or Decimal, "
                                    "not an Observation")
                self._set._plan._c.m_threshold_set(si, i, level, arg)

    @property
    def milestones(self) -> List[Milestone]:
        out: List[Milestone] = []
        for due, text, t in self._get()["milestones"]:
            out.append(Milestone(datetime.date(due // 10000, due // 100 % 100, due % 100), text,
                                 Observation._from_core(t)))
        return out

    def add_milestone(self, due: str, target: Any) -> None:
        """A dated target: ``add_milestone("end Sept 2016", "50%")``."""
        si, i = self._where()
        self._set._plan._c.m_milestone_add(si, i, due, _cell_arg(target))

    @property
    def printed(self) -> Dict[str, str]:
        """The dashboard's printed "How are we doing?" answers."""
        return dict(self._get()["printed"])

    def set_printed(self, key: str, arrow: str) -> None:
        si, i = self._where()
        self._set._plan._c.m_printed_set(si, i, key, arrow)

    @property
    def counts(self) -> List["Measure"]:
        """The companion count series (numerators, denominators)."""
        if self._companion is not None:
            return []
        c = self._set._plan._c
        si, i = self._where()
        n = c.ind_get(si)["count"]
        out: List[Measure] = []
        j = i + 1
        while j < n and c.m_get(si, j)["parent"] is not None:
            out.append(Measure(self._set, self.ref, j - i - 1))
            j += 1
        return out

    def add_count(self, name: str, *, role: str = "count",
                  values: Optional[Sequence[Any]] = None,
                  targets: Optional[Mapping[str, Any]] = None, **fields: Any) -> "Measure":
        """Add a companion count series (the measure must be the set's last)."""
        if self._companion is not None:
            raise ValidationError("a companion series has no companions")
        c = self._set._plan._c
        si, i = self._where()
        j = c.m_add(si, i, None)
        m = Measure(self._set, self.ref, j - i - 1)
        try:
            m._fill(name=name, role=role, values=values, targets=targets, **fields)
        except BaseException:
            c.m_remove(si, j)
            raise
        return m

    def _fill(self, *, values: Optional[Sequence[Any]] = None,
              targets: Optional[Mapping[str, Any]] = None,
              thresholds: Union[None, str, Sequence[Any]] = None,
              milestones: Optional[Sequence[Tuple[str, Any]]] = None, **fields: Any) -> None:
        part = PART["indicators"]
        names = {f.name for f in part.item_fields}
        for k, v in fields.items():
            if v is not None:
                self._set_field(k, part.item_field(k).check(v) if k in names else v)
        si, i = self._where()
        c = self._set._plan._c
        if thresholds is not None:
            self.thresholds = thresholds
        if values is not None:
            periods = self._set.periods
            if len(values) != len(periods):
                raise ValidationError(f"{len(values)} values for the set's {len(periods)} periods")
            for k, v in enumerate(values):
                c.m_cell_set(si, 0, i, k, _cell_arg(v))
        for p, v in (targets or {}).items():
            self.targets[p] = v
        for due, target in (milestones or []):
            self.add_milestone(due, target)

    def status(self, period: Optional[str] = None) -> "Status":
        """This measure's :class:`Status` at ``period`` (default: the set's
        report period)."""
        s = self._set
        c = s._plan._c
        si, i = self._where()
        k = s._period_index(period)
        info = c.ind_get(si)
        codes = c.ind_status(si, k)
        return Status._make(s, info, c.m_get(si, i), i, k, codes,
                            [cid for cid, _ in info["comparators"]])

    def __repr__(self) -> str:
        m = self._get()
        extra = f" count {self._companion}" if self._companion is not None else ""
        return f"<Measure {self._set.id}/{self.ref}{extra}: {m['name'] or ''}>"


# ---------------------------------------------------------------- status

@dataclass
class Status:
    """One measure's status at one period, with the reason for each answer.

    rag: green, amber, red or none (``rag_basis``: thresholds or target;
    ``assumed``: "assumed thresholds" when that RAG rests on an assumption,
    thresholds whose set's ``basis`` is not "printed", or a target's
    amber band, which is the plan's ``rag_tolerance``, never printed);
    last: better, worse, same (up or down for a measure with no polarity)
    or none, against what the set's ``direction`` names (``last_period``,
    None where it compares with nothing); previous,
    year_ago and outturn: the three comparisons; target: better (meets
    it), worse or none; comparators: {id: answer}.  Each ``*_reason`` is
    the sentence behind the answer.
    """
    set: str
    ref: str
    name: Optional[str]
    group: Optional[str]
    role: str
    period: str
    value: Observation
    polarity: str
    rag: str
    rag_basis: Optional[str]
    last: str
    previous: str
    year_ago: str
    outturn: str
    target: str
    target_value: Optional[Decimal]
    last_period: Optional[str]
    comparators: Dict[str, str]
    printed: Dict[str, str]
    assumed: Optional[str] = None
    _where: Tuple[IndicatorSet, int, int] = field(repr=False, default=None)  # pyright: ignore[reportAssignmentType]

    @classmethod
    def _make(cls, iset: IndicatorSet, info: Dict[str, Any], m: Dict[str, Any], i: int, k: int,
              codes: Dict[str, Any], comps: Sequence[str]) -> "Status":
        j = i if len(codes["rag"]) > i else 0
        ref = m["ref"]
        if m["parent"] is not None:
            ref = iset._plan._c.m_get(iset._i, m["parent"])["ref"]
        tv = codes["target_value"][j] if codes["target_value"] else None
        lp = codes["last_period"][j] if codes["last_period"] else None
        value = Observation._from_core(m["values"][k])
        basis: int = codes["basis"][j]
        rag_code: int = codes["rag"][j]
        rag = RAG[rag_code]
        assumed = None
        if rag != "none" and (basis == 2 or basis_assumed(info.get("basis"))):
            assumed = "assumed thresholds"

        def cmp(name: str) -> str:
            code: int = codes[name][j]
            return CMP[code]
        return cls(
            set=info["id"], ref=ref, name=m["name"], group=m["group"], role=m["role"],
            period=info["periods"][k], value=value, polarity=m["polarity"],
            rag=rag, rag_basis=(None, "thresholds", "target")[basis], assumed=assumed,
            last=cmp("last"), previous=cmp("previous"), year_ago=cmp("year_ago"),
            outturn=cmp("outturn"), target=cmp("target"),
            target_value=None if tv is None else Decimal(tv).scaleb(-_SCALE).normalize(),
            last_period=None if lp is None else info["periods"][lp],
            comparators={cid: CMP[codes["comparators"][n][j]] for n, cid in enumerate(comps)},
            printed=m["printed"], _where=(iset, i, k))

    @property
    def rag_text(self) -> str:
        """The RAG as a word, with its basis when assumed: ``red (assumed
        thresholds)``."""
        return self.rag + (f" ({self.assumed})" if self.assumed else "")

    def _explain(self, aspect: int) -> str:
        iset, i, k = self._where
        return iset._plan._c.ind_explain(iset._i, i, k, aspect)

    def _reason(aspect: int) -> property:  # type: ignore[misc]
        def get(self: Status) -> str:
            return self._explain(aspect)
        return property(get)

    rag_reason = _reason(_RAG)
    last_reason = _reason(_LAST)
    previous_reason = _reason(_PREV)
    year_ago_reason = _reason(_YAGO)
    outturn_reason = _reason(_OUT)
    target_reason = _reason(_TARGET)
    del _reason

    def comparator_reason(self, id: str) -> str:
        return self._explain(_COMP + list(self.comparators).index(id))

    @property
    def symbol(self) -> str:
        """RAG as a symbol and a word (never colour alone): ``✖ red``."""
        return _SYMBOL[self.rag]

    @property
    def arrow(self) -> str:
        """Direction of travel as an arrow (↑ better, ↓ worse, → same)."""
        return _ARROW[self.last]

    def to_dict(self) -> Dict[str, Any]:
        return {"set": self.set, "ref": self.ref, "name": self.name, "group": self.group,
                "role": self.role, "period": self.period, "value": str(self.value),
                "figure": None if self.value.value is None else str(self.value.value),
                "polarity": self.polarity, "rag": self.rag, "rag_basis": self.rag_basis,
                "rag_assumed": self.assumed,
                "rag_reason": self.rag_reason, "last": self.last,
                "last_reason": self.last_reason, "last_period": self.last_period,
                "previous": self.previous,
                "year_ago": self.year_ago, "outturn": self.outturn, "target": self.target,
                "target_value": None if self.target_value is None else str(self.target_value),
                "target_reason": self.target_reason, "comparators": dict(self.comparators),
                "printed": dict(self.printed)}


class Dashboard(Sequence[Status]):
    """The status engine's answers: one :class:`Status` per measure."""

    def __init__(self, rows: List[Status]):
        self.rows = rows

    @overload
    def __getitem__(self, i: int) -> Status: ...

    @overload
    def __getitem__(self, i: slice) -> List[Status]: ...

    def __getitem__(self, i: Union[int, slice]) -> Union[Status, List[Status]]:
        return self.rows[i]

    def __len__(self) -> int:
        return len(self.rows)

    def measures(self) -> List[Status]:
        """The rows of measures (companion count rows left out)."""
        return [r for r in self.rows if r.role == "measure"]

    def counts(self) -> Dict[str, int]:
        """How many measures are red, amber, green, have no RAG, are
        improving (better than last), worsening or the same."""
        out = {"red": 0, "amber": 0, "green": 0, "no rag": 0, "improving": 0,
               "worsening": 0, "same": 0, "no direction": 0, "assumed": 0}
        for r in self.measures():
            out[r.rag if r.rag != "none" else "no rag"] += 1
            out["assumed"] += r.assumed is not None
            out[{"better": "improving", "worse": "worsening", "same": "same"}.get(
                r.last, "no direction")] += 1
        return out

    def to_dicts(self) -> List[Dict[str, Any]]:
        return [r.to_dict() for r in self.rows]

    def to_pandas(self) -> Any:
        """One row per measure; RAG as an ordered categorical."""
        from ._pandas import require_pandas
        pd = require_pandas("Dashboard.to_pandas")
        df = pd.DataFrame(self.to_dicts())
        if len(df):
            df["rag"] = pd.Categorical(df["rag"], categories=["red", "amber", "green", "none"],
                                       ordered=True)
        return df

    def __str__(self) -> str:
        if not self.rows:
            return "(no measures)"
        lines: List[str] = []
        head = f"{'set':<12} {'ref':<10} {'period':<11} {'value':>12}  {'RAG':<9} last"
        lines.append(head)
        for r in self.rows:
            if r.role != "measure":
                continue
            lines.append(f"{r.set[:12]:<12} {r.ref[:10]:<10} {r.period:<11} "
                         f"{str(r.value)[:12]:>12}  {(r.symbol or '-'):<9} "
                         f"{r.arrow or '-'} {r.last}")
        c = self.counts()
        lines.append(f"{c['red']} red, {c['amber']} amber, {c['green']} green, "
                     f"{c['no rag']} without RAG; {c['improving']} improving, "
                     f"{c['worsening']} worsening, {c['same']} the same")
        return "\n".join(lines)

    def __repr__(self) -> str:
        c = self.counts()
        return (f"<Dashboard: {len(self.measures())} measures; {c['red']} red, {c['amber']} "
                f"amber, {c['green']} green; {c['improving']} improving, "
                f"{c['worsening']} worsening>")

    def _repr_html_(self) -> str:
        e = html.escape
        from ._display import plain_text
        colours = {"red": "#f4c7c3", "amber": "#fce8b2", "green": "#b7e1cd"}
        out = ['<table class="planbook-dashboard"><thead><tr>'
               '<th>Set</th><th>Ref</th><th>Measure</th><th>Period</th><th>Value</th>'
               '<th>Polarity</th><th>RAG</th><th>Better than last</th><th>Target</th>'
               '<th>Reason</th></tr></thead><tbody>']
        for r in self.measures():
            bg = colours.get(r.rag)
            style = f' style="background:{bg}"' if bg else ""
            out.append(
                f"<tr><td>{e(r.set)}</td><td>{e(r.ref)}</td><td>{e(r.name or '')}</td>"
                f"<td>{e(r.period)}</td><td style=\"text-align:right\">{e(str(r.value))}</td>"
                f"<td>{e(r.polarity)}</td><td{style}>{e(r.symbol or '-')}</td>"
                f"<td>{e(r.arrow)} {e(r.last)}</td><td>{e(r.target)}</td>"
                f"<td>{e(r.rag_reason)}</td></tr>")
        c = self.counts()
        out.append(f"</tbody><caption>{c['red']} red, {c['amber']} amber, {c['green']} green; "
                   f"{c['improving']} improving, {c['worsening']} worsening</caption></table>")
        out.append(plain_text(str(self)))
        return "".join(out)


class StatusCodes:
    """Statuses of a whole set at every period, as codes, one byte per
    measure and period, measure-major: ``codes["rag"][i * len(periods) + k]``:
    ``rag`` (0 none, 1 green, 2 amber, 3 red), ``basis`` (0 none,
    1 thresholds, 2 target), ``last``, ``previous``, ``year_ago``,
    ``outturn``, ``target`` and ``comparators`` (a list, one per
    comparator) (0 none, 1 better, 2 worse, 3 same, 4 up, 5 down); an
    aspect not asked for is None.  Each array is a read-only
    :class:`memoryview` (format ``"B"``) of one buffer that holds them all:
    indexing gives an int, ``len``, ``==`` with bytes or another view,
    ``bytes(v)``, ``v.tobytes()`` and ``numpy.frombuffer(v, numpy.uint8)``
    (no copy) work as on bytes; for the methods of bytes (``count``,
    ``find``), ``bytes(v)`` first.  Built for volume: no Python object per
    observation; ``refs`` are the measures' refs in order (companions
    carry their measure's)."""

    def __init__(self, codes: Dict[str, Any], info: Dict[str, Any],
                 refs: Union[List[str], Callable[[], List[str]]]):
        self.codes = codes
        self.basis_assumed = basis_assumed(info.get("basis"))
        self.periods: List[str] = info["periods"]
        self.count: int = info["count"]
        self._refs: Union[List[str], Callable[[], List[str]]] = refs

    def __getstate__(self) -> Dict[str, Any]:
        """Pickled (to a Dask worker, a cache): the arrays as bytes, the
        refs worked out; unpickled, the arrays are views again."""
        def plain(v: Any) -> Any:
            if isinstance(v, memoryview):
                return v.tobytes()
            if isinstance(v, list):
                return [plain(x) for x in cast(List[Any], v)]
            return v
        return {"codes": {k: plain(v) for k, v in self.codes.items()},
                "basis_assumed": self.basis_assumed, "periods": self.periods,
                "count": self.count, "refs": self.refs}

    def __setstate__(self, state: Dict[str, Any]) -> None:
        def view(v: Any) -> Any:
            if isinstance(v, bytes):
                return memoryview(v)
            if isinstance(v, list):
                return [view(x) for x in cast(List[Any], v)]
            return v
        self.codes = {k: view(v) for k, v in state["codes"].items()}
        self.basis_assumed = state["basis_assumed"]
        self.periods = state["periods"]
        self.count = state["count"]
        self._refs = cast(List[str], state["refs"])

    @property
    def refs(self) -> List[str]:
        """The measures' refs in order (companions carry their measure's)."""
        if callable(self._refs):
            self._refs = self._refs()
        return self._refs

    def at(self, name: str, measure: int, period: int) -> str:
        """The answer for one measure (index) and period (index), as a word."""
        names = RAG if name == "rag" else CMP
        code: int = self.codes[name][measure * len(self.periods) + period]
        return names[code]

    def counts(self, name: str = "rag") -> Dict[str, int]:
        """How many of each answer of ``name``, by word."""
        b = bytes(self.codes[name])
        names = RAG if name == "rag" else CMP
        return {names[v]: b.count(bytes([v])) for v in range(len(names))}

    def to_pandas(self) -> Any:
        """One row per measure and period, the codes as categoricals;
        ``rag_assumed`` (True where the RAG rests on assumed thresholds)."""
        from ._pandas import require_pandas
        pd = require_pandas("StatusCodes.to_pandas")
        import numpy as np
        n, np_ = self.count, len(self.periods)
        data: Dict[str, Any] = {
            "ref": pd.Categorical(np.repeat(np.asarray(self.refs, dtype=object), np_)),
            "measure": np.repeat(np.arange(n), np_),
            "period": pd.Categorical.from_codes(np.tile(np.arange(np_), n),
                                                self.periods, ordered=True)}
        for name in ("rag", "last", "previous", "year_ago", "outturn", "target"):
            if self.codes.get(name) is None:
                continue
            cats = RAG if name == "rag" else CMP
            data[name] = pd.Categorical.from_codes(
                np.frombuffer(self.codes[name], dtype=np.uint8).astype(np.int8), cats)
        if self.codes.get("rag") is not None and self.codes.get("basis") is not None:
            # a RAG from assumed thresholds, or from a target's (assumed) amber band
            rag = np.frombuffer(self.codes["rag"], dtype=np.uint8)
            basis = np.frombuffer(self.codes["basis"], dtype=np.uint8)
            data["rag_assumed"] = (rag != 0) & ((basis == 2) | self.basis_assumed)
        return pd.DataFrame(data)
