"""The Python view of a plan held by the C core.

Nothing here copies the plan: :class:`Plan` owns a ``_core.PlanCore``;
:class:`Table`, :class:`Row` and :class:`Cell` are small views that ask the
core for what they show, when they are asked.
"""

from __future__ import annotations

import datetime
import json
import os
import threading
import weakref
from decimal import ROUND_HALF_UP, Decimal
from typing import (TYPE_CHECKING, Any, Callable, Dict, Iterable, Iterator, List, Mapping,
                    Optional, Sequence, Set, Tuple, Union, overload)

from . import _core
from ._parts import PART, PARTS, PartMapping, PartView, field_properties, part_property
from .errors import ValidationError

if TYPE_CHECKING:  # pragma: no cover
    from ._core import CellTuple, PlanCore, RowTuple
    from ._described import DescribedRows
    from ._indicators import Indicators
    from ._records import Records
    from ._risks import Risks
    from .cycle import Figure as ActualsRow, Update

__all__ = ["Plan", "Table", "Column", "Row", "Cell", "Finding", "Findings", "Agreement"]

Amount = Decimal
CellValue = Union[Decimal, str, None]
#: a figure as the API takes it: exact (int, Decimal) or text in finance notation
Exact = Union[int, Decimal, str]
#: a row named by its Row, its position or its id or label
RowRef = Union["Row", int, str]
#: a row's figures: one per column, or by column id
RowValues = Union[Sequence[Any], Mapping[str, Any], None]
_PathLike = Union[str, "os.PathLike[str]"]

_META = _core.PlanCore().meta_keys()
# guards the weak sets of live Row views (iterated while other threads add)
_VIEWS_LOCK = threading.Lock()
_MONTHS = ["January", "February", "March", "April", "May", "June", "July",
           "August", "September", "October", "November", "December"]


# --------------------------------------------------------------- amounts

def _to_decimal(scaled: int, decimals: int) -> Decimal:
    return Decimal(scaled).scaleb(-decimals)


def _amount_text(value: Any, what: str = "an amount",
                 kinds: str = "int, Decimal or str") -> str:
    """Text for the core's exact parser from an int, Decimal or str
    (``what``: "an amount", "a figure": as the errors name it)."""
    noun = what.split()[-1]
    if isinstance(value, bool) or isinstance(value, float):
        raise TypeError(
            f"{noun}s are exact: give an int, a decimal.Decimal or a string, "
            f"not {type(value).__name__} ({value!r})")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValidationError(f"{value} is not {what}", code="syntax")
        return format(value, "f")
    if isinstance(value, str):
        return value
    raise TypeError(f"expected {what} ({kinds}), got {type(value).__name__}")


def _scaled(value: Any, decimals: int) -> Tuple[str, int]:
    """(state, scaled int) for a value given by meaning."""
    if value is None:
        return "blank", 0
    return _core.parse_amount(_amount_text(value), decimals)


def _tolerance_from(value: Any) -> int:
    state, scaled = _core.parse_amount(_amount_text(value), _core.TOLERANCE_DECIMALS)
    if state != "value" or scaled < 0:
        raise ValidationError(f"a tolerance is a number, zero or more, not {value!r}")
    return scaled


def format_amount(value: Optional[Decimal], *, parens: bool = True, zero: str = "0") -> str:
    """Finance presentation: thousands separators, negatives in parentheses.

    >>> format_amount(Decimal("-3215"))
    '(3,215)'
    >>> format_amount(Decimal("1180.50"))
    '1,180.50'
    >>> format_amount(None)
    ''
    """
    if value is None:
        return ""
    if value == 0:
        return zero
    sign, _, exp = value.as_tuple()
    decimals = -exp if isinstance(exp, int) and exp < 0 else 0
    scaled = int(value.scaleb(decimals))
    if not -2**63 < scaled < 2**63:
        # beyond the core's 64 bits: the difference of two figures near the
        # ends of the range can be; the same layout, from Python
        body = f"{abs(value):,.{decimals}f}"
        return body if not sign else f"({body})" if parens else "-" + body
    return _core.format_amount(scaled, decimals, thousands=True, parens=parens)


# ------------------------------------------------------------------- plan

#: The parts of a plan, as planbook.diff and Plan.parts name them.
# The parts a plan's source can carry (plan.parts): its metadata and
# settings ("plan"), then every part the registry describes.
PART_NAMES: Tuple[str, ...] = ("plan",) + tuple(_part.name for _part in PARTS)


class Plan:
    """A business plan: metadata, budget tables and agreements, held by the
    C core.

    Build one with :func:`planbook.load` / :func:`planbook.loads`, or empty
    with ``Plan(title=...)`` and add tables to ``plan.budgets``.

    >>> plan = Plan(title="Demo", organisation="A council")
    >>> t = plan.budgets.add("costs", title="Costs", columns=[
    ...     {"id": "y2024", "period": "2024/25"}, {"id": "y2025", "period": "2025-2026"}])
    >>> _ = t.add_line("Staff", [100, 110])
    >>> _ = t.add_line("Premises", ["1,020", 30])
    >>> total = t.add_total("Total", [1120, 150])
    >>> total["y2025"].computed
    Decimal('140')
    >>> [f.code for f in plan.check()]
    ['total']
    """

    __slots__ = ("_c", "file", "_views", "_parts")

    def __init__(self, *, year_start: Union[int, str] = 4, **meta: Optional[str]):
        self._c = _core.PlanCore()
        self._views: weakref.WeakSet[Row] = weakref.WeakSet()
        #: the file the plan was read from or last saved to, if any
        self.file: Optional[str] = None
        self._parts = PART_NAMES
        self.year_start = year_start
        for key, value in meta.items():
            setattr(self, key, value)

    @classmethod
    def _from_core(cls, core: _core.PlanCore, file: Optional[str] = None,
                   parts: Iterable[str] = PART_NAMES) -> "Plan":
        """A plan around a core (planbook.plugin.plan_from_core)."""
        parts = tuple(p for p in PART_NAMES if p in set(parts))
        plan = cls.__new__(cls)
        plan._c = core
        plan.file = file
        plan._views = weakref.WeakSet()
        plan._parts = parts
        return plan

    @property
    def parts(self) -> Tuple[str, ...]:
        """The parts of a plan its source could carry: all of ``PART_NAMES``
        (``"plan"``, ``"budgets"``, ``"indicators"``, ``"risks"``,
        ``"records"``) unless a format said less (a workbook read without
        planbook's structure sheet carries ``("plan", "budgets")``);
        :func:`planbook.diff` compares only the parts both plans carry."""
        return self._parts

    def _moved(self, table: str, old: int, new: int, at: int, delta: int) -> None:
        """Keep live Row views in place after rows were inserted (delta > 0
        at `at`) or removed (rows [at, at - delta) gone) through this API."""
        with _VIEWS_LOCK:
            views = list(self._views)
        for v in views:
            if v.table.id != table or v._layout != old:
                continue
            if delta > 0:
                if v._index >= at:
                    v._index += delta
            elif v._index >= at - delta:
                v._index += delta
            elif v._index >= at:
                continue  # removed: stays stale
            v._layout = new

    # metadata ----------------------------------------------------------
    @property
    def meta(self) -> Dict[str, str]:
        """The metadata fields that are set, in file order."""
        out: Dict[str, str] = {}
        for k in _META:
            v = self._c.get_meta(k)
            if v is not None:
                out[k] = v
        return out

    @property
    def year_start(self) -> int:
        """First month (1-12) of the financial year; 4 (April) by default."""
        return self._c.year_start

    @year_start.setter
    def year_start(self, month: Union[int, str]) -> None:
        if isinstance(month, str):
            names = [m.lower() for m in _MONTHS]
            key = month.strip().lower()
            match = [i + 1 for i, n in enumerate(names) if n == key or n[:3] == key]
            if not match:
                raise ValidationError(f"{month!r} is not a month")
            month = match[0]
        self._c.year_start = month

    @property
    def tolerance(self) -> Decimal:
        """Default tolerance of the checks, in each table's units."""
        return _to_decimal(self._c.tolerance, _core.TOLERANCE_DECIMALS).normalize()

    @tolerance.setter
    def tolerance(self, value: Exact) -> None:
        self._c.tolerance = _tolerance_from(value)

    # budgets, indicators, risks, records: one property per part (below)
    if TYPE_CHECKING:  # pragma: no cover
        # metadata: one property per key of the core (_make_meta_property)
        title: Optional[str]
        organisation: Optional[str]
        directorate: Optional[str]
        service: Optional[str]
        period: Optional[str]
        status: Optional[str]
        version: Optional[str]
        owner: Optional[str]
        review_date: Optional[str]
        next_review: Optional[str]
        source: Optional[str]
        notes: Optional[str]
        budgets: "Budgets"
        indicators: "Indicators"
        risks: "Risks"
        records: "Records"
        # the described parts (csrc/pb_described_parts.c; _parts.described):
        # declared here only for type checkers, the property is made from
        # the descriptor whether declared or not
        contacts: "DescribedRows"
        timeline: "DescribedRows"

    @property
    def risk_matrix(self) -> Tuple[int, int]:
        """(likelihood, impact) sides of the risk matrix; (5, 5) by default."""
        lmax, imax = self._c.risk_matrix
        return lmax, imax

    @risk_matrix.setter
    def risk_matrix(self, value: Sequence[int]) -> None:
        self._c.risk_matrix = tuple(value)

    @property
    def risk_bands(self) -> Tuple[int, int]:
        """RAG bands by risk score: (green up to, amber up to); (4, 12) by
        default, so 1-4 green, 5-12 amber, 15-25 red on a 5 x 5 matrix."""
        green, amber = self._c.risk_bands
        return green, amber

    @risk_bands.setter
    def risk_bands(self, value: Sequence[int]) -> None:
        self._c.risk_bands = tuple(value)

    @property
    def rag_tolerance(self) -> str:
        """How far short of a target is amber rather than red, when a
        measure has no thresholds: ``"5%"`` (of the target; the default)
        or an absolute figure such as ``"0.5"``."""
        pct, v = self._c.rag_tolerance
        text = str(_to_decimal(v, 6).normalize())
        if "E" in text:
            text = format(_to_decimal(v, 6).normalize(), "f")
        return text + ("%" if pct else "")

    @rag_tolerance.setter
    def rag_tolerance(self, value: Exact) -> None:
        text = value if isinstance(value, str) else _amount_text(value)
        text = text.strip()
        pct = text.endswith("%")
        state, scaled = _core.parse_amount(text[:-1] if pct else text, 6)
        if state != "value" or scaled < 0:
            raise ValidationError(f"{value!r} is not a tolerance (a figure or a percentage)")
        self._c.rag_tolerance = (pct, scaled)

    @property
    def agreements(self) -> List["Agreement"]:
        """Figures that must agree between tables (a snapshot list)."""
        return [Agreement._from_core(self._c.agreement_get(i))
                for i in range(self._c.agreement_count())]

    def add_agreement(self, name: str, left: Mapping[str, Any], right: Mapping[str, Any], *,
                      note: Optional[str] = None,
                      tolerance: Optional[Exact] = None) -> "Agreement":
        """Declare that cells of two tables must agree.

        Each side is ``{"table": id, "rows": [ids or labels] or "lines",
        "columns": [ids], "negate": bool}``.
        """
        def side(s: Mapping[str, Any]) -> Dict[str, Any]:
            rows = s["rows"]
            return {"table": s["table"], "rows": [rows] if isinstance(rows, str) else list(rows),
                    "columns": list(s["columns"]), "negate": bool(s.get("negate", False))}
        tol = None if tolerance is None else _tolerance_from(tolerance)
        i = self._c.add_agreement(name, note, tol, side(left), side(right))
        return Agreement._from_core(self._c.agreement_get(i))

    def remove_agreement(self, name: str) -> None:
        for i in range(self._c.agreement_count()):
            if self._c.agreement_get(i)["name"] == name:
                self._c.remove_agreement(i)
                return
        raise KeyError(name)

    # checks ------------------------------------------------------------
    def check(self) -> "Findings":
        """Every place where a printed figure disagrees with the arithmetic.

        Returns a :class:`Findings` list (empty when everything adds up).
        """
        return Finding._from_core(self.file, self._c.check())

    def render_text(self, text: str) -> str:
        """Narrative text with each ``{{table.row.column}}`` (``|m``, ``|k``,
        ``|million``, ``|printed`` ...) replaced by that cell's figure in the
        table's unit: ``{{service_activity.total.gross_2015|m}}`` is
        ``£720.036m``; each ``{{records.<collection>[.<item>]}}`` replaced by
        that list of records as printed bullets (``|paragraphs``,
        ``|numbered``, ``|ordered``, fields by name) (docs/format.md,
        "Figures in the narrative")."""
        from ._narrative import render
        return render(self, text)

    # files -------------------------------------------------------------
    def save(self, path: "Union[str, os.PathLike[str]]", format: Optional[str] = None) -> None:
        """Write the plan to ``path``; the format comes from the suffix
        (``.yaml``) unless given.  The write is atomic: if it fails, the
        previous file is left as it was."""
        from .formats import save
        save(self, path, format=format)

    def to_excel_bytes(self) -> bytes:
        """The plan as an .xlsx workbook, as bytes (for a notebook download).

        Debian's libxlsxwriter 1.1.4 cannot write to memory, so the workbook
        is written to a temporary file, read back and removed."""
        import os
        import tempfile
        from .formats import save
        file = self.file  # the plan stays the file it was (save sets it)
        try:
            with tempfile.TemporaryDirectory(prefix="planbook-") as tmp:
                path = os.path.join(tmp, "plan.xlsx")
                save(self, path, format="xlsx")
                with open(path, "rb") as f:
                    data = f.read()
        finally:
            self.file = file
        return data

    def report(self, path: Optional[_PathLike] = None, *,
               sections: Union[None, str, Sequence[str]] = None,
               periods: Union[None, str, Sequence[str]] = None,
               as_of: Union[None, str, datetime.date] = None, css: Optional[_PathLike] = None,
               logo: Optional[_PathLike] = None, title: Optional[str] = None,
               since: Union[None, "Plan", _PathLike] = None) -> str:
        """The committee pack: one self-contained HTML page (cover,
        contents, budgets, dashboards, risk registers and heat maps,
        actions, findings), returned as text and, with ``path``, written
        there (``.html``, or ``.pdf`` printed by headless Chromium).
        ``since``: an earlier version of the plan (or its path): the pack
        then tells what moved.  Options: docs/report.md."""
        from ._report import report
        return report(self, path, sections=sections, periods=periods, as_of=as_of, css=css,
                      logo=logo, title=title, since=since)

    def update_actuals(self, source: Union[_PathLike, Sequence[ActualsRow]], period: str,
                       **options: Any) -> Update:
        """Merge actuals to ``period`` from ``source`` (actuals.csv, or a
        workbook with ``mapping=``) into a monitoring table with the
        year-end forecast: :func:`planbook.cycle.update_actuals`, whose
        :class:`~planbook.cycle.Update` it returns."""
        from .cycle import update_actuals
        return update_actuals(self, source, period, **options)

    def dumps(self, format: str = "yaml") -> str:
        """The plan as text in a text format (YAML by default)."""
        from .formats import dumps
        return dumps(self, format=format)

    def copy(self) -> "Plan":
        """An independent copy of everything the plan holds (but where it
        was read from: source lines and columns), made through the core,
        with no format involved."""
        from ._copy import restore, snapshot
        return Plan._from_core(restore(snapshot(self._c)), None, self._parts)

    def __reduce__(self) -> Tuple[Callable[[Dict[str, Any], Optional[str], Tuple[str, ...]],
                                           "Plan"],
                                  Tuple[Dict[str, Any], Optional[str], Tuple[str, ...]]]:
        """Pickled as the core's snapshot (plain tuples and strings, no
        text format involved): plans travel to worker processes and Dask
        workers, and come back equal."""
        from ._copy import snapshot
        return (_unpickle_plan, (snapshot(self._c), self.file, self._parts))

    def memory(self) -> int:
        """Bytes of memory the plan holds in the C core."""
        return self._c.memory()

    def __eq__(self, other: object) -> bool:
        """Plans are equal when they hold the same: metadata and settings,
        tables, agreements, indicators, risks and records, figures as
        printed (where each was read from does not count)."""
        if not isinstance(other, Plan):
            return NotImplemented
        from ._copy import snapshot
        return self._c is other._c or snapshot(self._c) == snapshot(other._c)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        title = self._c.get_meta("title") or "(untitled)"
        n = self._c.table_count()
        return f"<planbook.Plan {title!r}: {n} budget table{'s' if n != 1 else ''}>"

    def _repr_html_(self) -> str:
        from ._display import plan_html
        return plan_html(self)


def _unpickle_plan(snap: Dict[str, Any], file: Optional[str], parts: Tuple[str, ...]) -> Plan:
    from ._copy import restore
    return Plan._from_core(restore(snap), file, parts)


def _make_meta_property(key: str) -> property:
    def fget(self: Plan) -> Optional[str]:
        return self._c.get_meta(key)

    def fset(self: Plan, value: object) -> None:
        if value is not None and not isinstance(value, (str, int, Decimal)) or \
                isinstance(value, bool):
            raise TypeError(f"{key} is text (str) or None, not {type(value).__name__} "
                            f"({value!r})")
        self._c.set_meta(key, None if value is None else str(value))
    return property(fget, fset, doc=f"The plan's {key.replace('_', ' ')} (text or None).")


for _k in _META:
    setattr(Plan, _k, _make_meta_property(_k))
for _p in PARTS:
    setattr(Plan, _p.name, part_property(_p))


class Budgets(PartMapping):
    """The budget tables of a plan, by id, in file order."""

    __slots__ = ()
    _part = PART["budgets"]

    def add(self, id: str, *, title: Optional[str] = None, kind: Optional[str] = None,
            unit: Optional[str] = None, decimals: int = 0, income_sign: str = "positive",
            blank: str = "zero", tolerance: Optional[Exact] = None,
            note: Optional[str] = None,
            columns: Sequence[Mapping[str, Any]] = ()) -> "Table":
        """Add an empty table.  ``columns`` are mappings with the keys of a
        column in the file format (``id``, ``label``, ``period``, ``phase``,
        ``measure``, ``type``, ``decimals``, ``unit``, ``sum``, ``equals``)."""
        def fill(c: PlanCore, t: int) -> None:
            for field, value in (("title", title), ("kind", kind), ("unit", unit), ("note", note)):
                if value is not None:
                    c.table_set(t, field, self._part.field(field).check(value))
            c.table_set(t, "decimals", self._part.field("decimals").check(decimals))
            c.table_set(t, "income_sign", _sign_from(income_sign))
            c.table_set(t, "blank_zero", _blank_from(blank))
            if tolerance is not None:
                c.table_set(t, "tolerance", _tolerance_from(tolerance))
            table = Table(self._plan, id)
            for spec in columns:
                table._add_column_spec(spec, resolve=False)
            table._resolve_column_refs(columns)
        return self._new(id, fill)

    def from_pandas(self, id: str, df: Any, *, label: str = "label", kind: Optional[str] = None,
                    title: Optional[str] = None, decimals: int = 0,
                    unit: Optional[str] = None, total: Optional[str] = None) -> "Table":
        """A budget table from a DataFrame as analysts keep one: a column of
        line labels (``label``, else the index) and one column per year or
        phase.  Column headings that read as periods (``2024/25``,
        ``2024-2025``) become the columns' periods.  Figures: ints (also
        nullable ``Int64``), Decimals and text in finance notation must be
        exact at ``decimals``; floats (also ``Float64``) are taken at their
        shortest decimal form and rounded half away from zero to
        ``decimals`` places (``0.1 + 0.2`` is 0.30 at 2); an infinity or a
        float beyond the 64-bit range is refused.  None, NaN, ``<NA>`` and
        NaT are blanks.  ``total`` adds a total row with that label,
        computed from the lines.

        >>> import pandas as pd, planbook
        >>> plan = planbook.Plan()
        >>> t = plan.budgets.from_pandas("costs", pd.DataFrame(
        ...     {"label": ["Staff", "Premises"], "2024/25": [100, 20], "2025/26": [110, 25]}),
        ...     total="Total")
        >>> [c.period for c in t.columns], t.rows["Total"]["y2025_26"].computed
        (['2024/25', '2025/26'], Decimal('135'))
        """
        import re
        if label in df.columns:
            labels = [None if _blank(v) else str(v) for v in df[label].tolist()]
            data = df.drop(columns=[label])
        else:
            labels = [str(v) for v in df.index]
            data = df
        specs: List[Dict[str, Any]] = []
        used: Set[str] = set()
        for name in data.columns:
            text = str(name)
            cid = re.sub(r"[^A-Za-z0-9_]+", "_", text).strip("_") or "c"
            if cid[0].isdigit():
                cid = "y" + cid
            cid = cid[:100]
            base, k = cid, 2
            while cid in used:
                cid, k = f"{base}_{k}", k + 1
            used.add(cid)
            spec = {"id": cid, "label": text}
            try:
                spec["period"] = _core.parse_period(text, self._plan.year_start)[0]
            except Exception:
                pass
            specs.append(spec)
        table = self.add(id, title=title, kind=kind, unit=unit, decimals=decimals, columns=specs)
        try:
            # column by column: each column's own dtype (Int64 with <NA>, Float64,
            # object of Decimals) gives Python values, not a row's common dtype
            columns = [data.iloc[:, c].tolist() for c in range(len(specs))]
            for r, lab in enumerate(labels):
                vals = [_exact(col[r], decimals, f"row {lab!r}, column {specs[c]['label']!r}")
                        for c, col in enumerate(columns)]
                table.add_line(lab, vals)
            if total is not None:
                table.add_total(total)
        except BaseException:
            self.remove(id)
            raise
        return table

    def __repr__(self) -> str:
        return f"<planbook budgets: {', '.join(self)}>"

    if TYPE_CHECKING:  # pragma: no cover
        def __getitem__(self, id: str) -> "Table": ...


def _blank(v: Any) -> bool:
    """A DataFrame's missing value: None, NaN (float, NumPy or Decimal),
    pandas' NA or NaT."""
    if v is None:
        return True
    if isinstance(v, float):
        return v != v
    if isinstance(v, Decimal):
        return v.is_nan()
    return type(v).__name__ in ("NAType", "NaTType")


def _exact(v: Any, decimals: int, where: str) -> Union[None, int, str, Decimal]:
    """A DataFrame cell as a figure for the core (None for a blank).

    ints, Decimals and text go as they are (the core refuses what does not
    fit the scale); a float is taken at its shortest decimal form (``repr``:
    ``0.1 + 0.2`` is 0.30000000000000004) and rounded half away from zero
    to ``decimals`` places; infinities and floats beyond the 64-bit range
    at that scale are refused."""
    if _blank(v):
        return None
    if hasattr(v, "item") and type(v).__module__ == "numpy":
        v = v.item()        # NumPy scalars (np.float64 is a float; its repr is not a number)
    if isinstance(v, bool):
        raise TypeError(f"{where}: {v!r} is not a figure")
    if isinstance(v, float):
        if v in (float("inf"), float("-inf")):
            raise ValidationError(f"{where}: {v!r} is not a figure (an infinity)",
                                  code="syntax")
        d = Decimal(repr(v))
        exp = d.as_tuple().exponent
        if isinstance(exp, int) and -exp > decimals:
            d = d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        if abs(d.scaleb(decimals)) >= 2**63:
            raise ValidationError(f"{where}: {v!r} is beyond the amounts planbook holds at "
                                  f"{decimals} decimals (64-bit fixed point)", code="range")
        return d
    if isinstance(v, (int, str, Decimal)):
        return v
    raise TypeError(f"{where}: {v!r} ({type(v).__name__}) is not a figure: give an int, "
                    f"a float, a Decimal or text")


_SIGNS = {"positive": 1, "negative": -1}
_BLANKS = {"zero": True, "missing": False}


def _coded(name: str, value: Any, codes: Mapping[Any, Any]):
    """The core's code for a table setting's value (one of the choices the
    part's description names; True or 1 are refused, not guessed at)."""
    return codes[PART["budgets"].field(name).check(value)]


def _sign_from(value: str) -> int:
    return _coded("income_sign", value, _SIGNS)


def _blank_from(value: str) -> bool:
    return _coded("blank", value, _BLANKS)


# ------------------------------------------------------------------ table

def _heading(d: Mapping[str, Any]) -> str:
    if d.get("label"):
        return d["label"]
    if d.get("period"):
        extra = d.get("phase") or d.get("measure")
        return f"{d['period']} {extra}" if extra else d["period"]
    return d["id"]


class Column:
    """A column of a table (a snapshot of its definition)."""

    __slots__ = ("index", "id", "label", "period", "phase", "measure", "type", "decimals",
                 "unit", "sum", "equals", "compute")

    def __init__(self, index: int, d: Mapping[str, Any], ids: Sequence[str]):
        self.index = index
        self.id: str = d["id"]
        self.label: Optional[str] = d["label"]
        self.period: Optional[str] = d["period"]
        self.phase: Optional[str] = d["phase"]
        self.measure: Optional[str] = d["measure"]
        self.type: str = d["type"]
        self.decimals: int = d["decimals"]
        self.unit: Optional[str] = d["unit"]
        self.sum: List[str] = [("-" if s < 0 else "") + ids[int(c)] for c, s in d["sum"]]
        self.equals: Optional[str] = None if d["equals"] is None else ids[int(d["equals"])]
        #: the computation of a computed column ("share(number, 623)"), or None
        self.compute: Optional[str] = d.get("compute")

    @property
    def heading(self) -> str:
        """The heading a reader sees: the label, else period and phase, else the id."""
        return _heading({"label": self.label, "period": self.period, "phase": self.phase,
                         "measure": self.measure, "id": self.id})

    def __repr__(self) -> str:
        extra = f" = {' + '.join(self.sum)}" if self.sum else ""
        return f"<Column {self.id!r} {self.heading!r}{extra}>"


class Table(PartView):
    """A budget table: a view onto the core.

    Rows are reached by position, id or label: ``table.rows[0]``,
    ``table.rows["gross_expenditure"]``, ``table.rows["Employees"]``.
    """

    __slots__ = ()
    _part = PART["budgets"]
    _t = PartView._i

    plan = property(lambda self: self._plan, doc="The plan this table belongs to.")
    title, kind, unit, note = field_properties(_part, "title", "kind", "unit", "note")
    decimals = property(lambda self: self._info()["decimals"],
                        doc="The table's fixed-point scale (decimals of its amounts).")

    @property
    def income_sign(self) -> str:
        """How income lines are printed: 'positive' or 'negative'."""
        return "negative" if self._info()["income_sign"] < 0 else "positive"

    @income_sign.setter
    def income_sign(self, value: str) -> None:
        self._plan._c.table_set(self._t, "income_sign", _sign_from(value))

    @property
    def blank(self) -> str:
        """'zero' when blank cells count as zero, else 'missing'."""
        return "zero" if self._info()["blank_zero"] else "missing"

    @blank.setter
    def blank(self, value: str) -> None:
        self._plan._c.table_set(self._t, "blank_zero", _blank_from(value))

    @property
    def tolerance(self) -> Optional[Decimal]:
        """The table's own check tolerance, or None to use the plan's."""
        tol = self._info()["tolerance"]
        return None if tol is None else _to_decimal(tol, _core.TOLERANCE_DECIMALS).normalize()

    @tolerance.setter
    def tolerance(self, value: Optional[Exact]) -> None:
        self._plan._c.table_set(self._t, "tolerance",
                                None if value is None else _tolerance_from(value))

    # columns -----------------------------------------------------------
    @property
    def columns(self) -> List[Column]:
        c, t = self._plan._c, self._t
        raw = [c.column_get(t, i) for i in range(c.column_count(t))]
        ids = [d["id"] for d in raw]
        return [Column(i, d, ids) for i, d in enumerate(raw)]

    def _col(self, key: Union[int, str, Column]) -> int:
        if isinstance(key, Column):
            key = key.id
        if isinstance(key, int) and not isinstance(key, bool):
            n = self._plan._c.column_count(self._t)
            if not -n <= key < n:
                raise IndexError(f"table {self.id!r} has {n} columns")
            return key % n
        if isinstance(key, str):
            i = self._plan._c.find_column(self._t, key)
            if i >= 0:
                return i
            for col in self.columns:
                if col.label == key or col.period == key:
                    return col.index
            raise KeyError(f"no column {key!r} in table {self.id!r}")
        raise TypeError(f"a column is an index, an id or a Column, not {type(key).__name__}")

    def add_column(self, id: str, **spec: Any) -> Column:
        """Add a column (only while the table has no rows)."""
        spec = dict(spec, id=id)
        self._add_column_spec(spec, resolve=True)
        return self.columns[-1]

    def _add_column_spec(self, spec: Mapping[str, Any], resolve: bool) -> None:
        c, t = self._plan._c, self._t
        unknown = set(spec) - {"id", "label", "period", "phase", "measure", "type",
                               "decimals", "unit", "sum", "equals", "compute"}
        if unknown:
            raise ValidationError(f"unknown column field(s): {', '.join(sorted(unknown))}")
        i = c.add_column(t, spec["id"])
        for field in ("label", "phase", "measure", "unit", "period", "type", "decimals"):
            if spec.get(field) is not None:
                c.column_set(t, i, field, spec[field])
        if resolve:
            self._resolve_column_refs([spec])

    def _resolve_column_refs(self, specs: Sequence[Mapping[str, Any]]) -> None:
        c, t = self._plan._c, self._t
        for spec in specs:
            i = self._col(spec["id"])
            if spec.get("sum"):
                terms: List[Tuple[int, int]] = []
                for term in spec["sum"]:
                    sign = -1 if term.startswith("-") else 1
                    terms.append((self._col(term.lstrip("+-")), sign))
                c.column_set(t, i, "sum", terms)
            if spec.get("equals"):
                c.column_set(t, i, "equals", self._col(spec["equals"]))
            if spec.get("compute"):
                c.column_set(t, i, "compute", spec["compute"])

    # rows --------------------------------------------------------------
    @property
    def rows(self) -> "Rows":
        return Rows(self)

    def lines(self) -> List["Row"]:
        """The lines of the table (not sections, totals or parts), in order."""
        return [r for r in self.rows if r.kind == "line" and not r.is_part]

    def totals(self) -> List["Row"]:
        return [r for r in self.rows if r.kind == "total"]

    def _parent_index(self, section: Optional[RowRef]) -> Optional[int]:
        if section is None:
            return None
        if isinstance(section, Row):
            if section.table.id != self.id:
                raise ValidationError("that row belongs to another table")
            return section.index
        return self.rows[section].index

    def _position(self, parent: Optional[int], before: Optional[RowRef],
                  after: Optional[RowRef]) -> int:
        c, t = self._plan._c, self._t
        if before is not None and after is not None:
            raise ValidationError("give before or after, not both")
        if before is not None:
            return self.rows[before].index if not isinstance(before, Row) else before.index
        if after is not None:
            r = after if isinstance(after, Row) else self.rows[after]
            return r._end
        if parent is None:
            return c.row_count(t)
        return c.row_get(t, parent)[-1]  # end of the parent's subtree

    def _add(self, kind: str, label: Optional[str], values: RowValues, section: Optional[RowRef],
             before: Optional[RowRef], after: Optional[RowRef], **fields: Any) -> "Row":
        c, t = self._plan._c, self._t
        parent = self._parent_index(section)
        at = self._position(parent, before, after)
        old = c.table_layout(t)
        r = c.insert_row(t, at, kind, parent, label)
        try:
            self._plan._moved(self.id, old, c.table_layout(t), r, 1)
            row = Row(self, r)
            for field in ("id", "role", "note", "select"):
                if fields.get(field) is not None:
                    c.row_set(t, r, field, PART["budgets"].item_field(field).check(fields[field]))
            if values is not None:
                row.set_values(values, printed=fields.get("printed", False))
        except BaseException:
            old = c.table_layout(t)
            c.remove_row(t, r)
            self._plan._moved(self.id, old, c.table_layout(t), r, -1)
            raise
        return Row(self, r)

    def add_line(self, label: Optional[str], values: RowValues = None, *,
                 section: Optional[RowRef] = None, before: Optional[RowRef] = None,
                 after: Optional[RowRef] = None, id: Optional[str] = None,
                 role: Optional[str] = None,
                 note: Optional[str] = None, printed: bool = False) -> "Row":
        """Add a line with its figures (a list, one per column, or a dict by
        column id).  ``section`` puts it inside a section (or, for a part,
        under a line); by default it goes at the end of that section, or
        ``before``/``after`` a given row.  Values are meanings (income
        positive) unless ``printed=True``."""
        return self._add("line", label, values, section, before, after, id=id, role=role,
                         note=note, printed=printed)

    def add_section(self, label: Optional[str], *, section: Optional[RowRef] = None,
                    before: Optional[RowRef] = None, after: Optional[RowRef] = None,
                    id: Optional[str] = None, role: Optional[str] = None,
                    note: Optional[str] = None) -> "Row":
        """Add a section (a heading that groups the rows added into it)."""
        return self._add("section", label, None, section, before, after, id=id, role=role,
                         note=note)

    def add_total(self, label: Optional[str], values: RowValues = None, *,
                  section: Optional[RowRef] = None, before: Optional[RowRef] = None,
                  after: Optional[RowRef] = None, id: Optional[str] = None,
                  role: Optional[str] = None,
                  note: Optional[str] = None, select: Optional[str] = None,
                  printed: bool = False) -> "Row":
        """Add a total: computed from what precedes it in its section.
        ``values`` are the figures as printed in the source (declared)."""
        return self._add("total", label, values, section, before, after, id=id, role=role,
                         note=note, select=select, printed=printed)

    def remove(self, row: Union["Row", int, str]) -> None:
        """Remove a row (and, for a section, everything in it)."""
        r = row if isinstance(row, Row) else self.rows[row]
        c, t = self._plan._c, self._t
        index, end = r.index, r._end
        old = c.table_layout(t)
        c.remove_row(t, index)
        self._plan._moved(self.id, old, c.table_layout(t), index, index - end)

    # data --------------------------------------------------------------
    def cells(self) -> List[List["Cell"]]:
        """Every cell, row by row (one call into the core)."""
        c, t = self._plan._c, self._t
        cols = self.columns
        rows, all_cells = c.table_cells(t)  # one call: rows and cells agree
        out: List[List[Cell]] = []
        for r, (row_t, cells) in enumerate(zip(rows, all_cells)):
            out.append([Cell._make(self.id, r, row_t[1], cols[i].id, cell)
                        for i, cell in enumerate(cells)])
        return out

    def __arrow_c_stream__(self, requested_schema: object = None) -> object:
        """The table as an Arrow stream, straight from the core (the Arrow
        PyCapsule interface): ``pyarrow.table(t)``, ``polars.from_arrow(t)``,
        DuckDB.  One row per line, part or total and amount column: table,
        label, kind, role, column, period, phase, printed (as printed),
        value (income positive) and computed, as decimal128 at the table's
        largest scale (exact)."""
        return self._plan._c.table_arrow(self._t)

    def to_pandas(self, form: str = "long", *, amounts: str = "int") -> Any:
        """The table as a pandas DataFrame.

        ``form="long"``: one row per (row, column) cell with columns table,
        row, label, row_id, kind, role, section, depth, column, period,
        phase, measure, state, printed, value, computed, difference and
        text (a text column's cell).  ``form="wide"``: the table as
        printed, one column per table column (the value shown: printed,
        else computed).

        Amounts are numbers: ``amounts="int"`` (the default) gives pandas'
        nullable ``Int64`` in units of the table's scale, which
        ``df.attrs["scale"]`` names (0 decimals: the amounts themselves;
        2: pence), ``<NA>`` for a blank; ``"float"`` float64 (NaN for a
        blank); ``"decimal"`` exact :class:`decimal.Decimal` objects.
        ``df.attrs`` also holds the table's id and unit.
        """
        from ._pandas import table_to_pandas
        return table_to_pandas(self, form, amounts)

    def __repr__(self) -> str:
        from ._display import table_text
        return table_text(self)

    def _repr_html_(self) -> str:
        from ._display import table_html
        return table_html(self)


class Rows(Sequence["Row"]):
    """The rows of a table, in print order: by position, id or label."""

    __slots__ = ("_table",)

    def __init__(self, table: Table):
        self._table = table

    def __len__(self) -> int:
        return self._table._plan._c.row_count(self._table._t)

    @overload
    def __getitem__(self, key: Union[int, str]) -> "Row": ...
    @overload
    def __getitem__(self, key: slice) -> List["Row"]: ...

    def __getitem__(self, key: Union[int, str, slice]) -> Union["Row", List["Row"]]:  # type: ignore[override]
        if isinstance(key, slice):
            return [self[i] for i in range(*key.indices(len(self)))]
        if isinstance(key, int) and not isinstance(key, bool):
            n = len(self)
            if not -n <= key < n:
                raise IndexError(f"table {self._table.id!r} has {n} rows")
            return Row(self._table, key % n)
        if isinstance(key, str):
            r = self._table._plan._c.find_row(self._table._t, key)
            if r == -2:
                raise KeyError(f"several rows of {self._table.id!r} are labelled {key!r}: "
                               f"use an id or a position")
            if r < 0:
                raise KeyError(f"no row {key!r} in table {self._table.id!r}")
            return Row(self._table, r)
        raise TypeError(f"a row is an index, an id or a label, not {type(key).__name__}")

    def __iter__(self) -> Iterator["Row"]:
        for i in range(len(self)):
            yield Row(self._table, i)


class Row:
    """A row of a table: a line, a section heading or a total.

    ``row["y2015"]`` is a :class:`Cell`; ``row["y2015"] = 1180`` sets the
    line's figure (by meaning: income as a positive amount).

    A Row follows its row when rows are added or removed through this API.
    A Row whose row was removed raises an error when used, rather than
    showing another row.
    """

    __slots__ = ("table", "_index", "_layout", "__weakref__")

    def __init__(self, table: Table, index: int):
        self.table = table
        self._index = index
        self._layout = table._plan._c.table_layout(table._t)
        with _VIEWS_LOCK:
            table._plan._views.add(self)

    @property
    def index(self) -> int:
        """Position of the row in its table."""
        if self.table._plan._c.table_layout(self.table._t) != self._layout:
            raise ValidationError(
                "this Row no longer points at the row it was made for: the table's "
                "rows have changed since; look the row up again")
        return self._index

    def _get(self) -> RowTuple:
        return self.table._plan._c.row_get(self.table._t, self.index)

    kind = property(lambda self: self._get()[0], doc="'line', 'section' or 'total'.")

    @property
    def label(self) -> Optional[str]:
        return self._get()[1]

    @label.setter
    def label(self, value: Optional[str]) -> None:
        self.table._plan._c.row_set(self.table._t, self.index, "label",
                                    PART["budgets"].item_field("label").check(value))

    @staticmethod
    def _text_prop(i: int, field: str, doc: str) -> property:
        def fget(self: Row) -> Optional[str]:
            text = self._get()[i]
            return text if isinstance(text, str) else None

        def fset(self: Row, value: Optional[str]) -> None:
            self.table._plan._c.row_set(self.table._t, self.index, field,
                                        PART["budgets"].item_field(field).check(value))
        return property(fget, fset, doc=doc)

    id = _text_prop(2, "id", "The row's id (unique in its table), or None.")
    note = _text_prop(3, "note", "A note on the row, or None.")
    select = _text_prop(4, "select", "For a total: the label of the lines it sums, or None.")
    del _text_prop

    @property
    def role(self) -> str:
        """The role as written ('inherit' when it comes from the section)."""
        return self._get()[5]

    @role.setter
    def role(self, value: str) -> None:
        self.table._plan._c.row_set(self.table._t, self.index, "role",
                                    PART["budgets"].item_field("role").check(value))

    effective_role = property(lambda self: self._get()[6],
                              doc="The role in force (inherited from the sections).")

    @property
    def parent(self) -> Optional["Row"]:
        p = self._get()[7]
        return None if p is None else Row(self.table, p)

    depth = property(lambda self: self._get()[8])
    is_part = property(lambda self: self._get()[9], doc="A part: a line under a line.")
    source = property(lambda self: self._get()[10], doc="(line, column) in the file read.")

    @property
    def _end(self) -> int:
        return self._get()[11]

    @property
    def children(self) -> List["Row"]:
        """Rows directly inside this section (or the parts of this line)."""
        rows: List[Row] = []
        i, end = self.index + 1, self._end
        while i < end:
            row = Row(self.table, i)
            rows.append(row)
            i = row._end
        return rows

    def __getitem__(self, col: Union[int, str, "Column"]) -> "Cell":
        c = self.table._col(col)
        cell = self.table._plan._c.cell_get(self.table._t, self.index, c)
        return Cell._make(self.table.id, self.index, self.label,
                          self.table._plan._c.column_get(self.table._t, c)["id"], cell)

    def __setitem__(self, col: Union[int, str, "Column"], value: Any) -> None:
        self._set(self.table._col(col), value, printed=False)

    def _set(self, c: int, value: Any, printed: bool) -> None:
        core, t = self.table._plan._c, self.table._t
        info = core.column_get(t, c)
        if info["type"] == "text":
            if value is not None and not isinstance(value, str):
                raise TypeError(f"column {info['id']!r} holds text")
            core.cell_set_text(t, self.index, c, value)
            return
        state, scaled = _scaled(value, info["decimals"])
        core.cell_set_value(t, self.index, c, state, scaled, printed)

    @property
    def values(self) -> List[CellValue]:
        """The row's figures by meaning (text for text columns, None for blank)."""
        return [cell.value for cell in self.cells]

    @property
    def cells(self) -> List["Cell"]:
        n = self.table._plan._c.column_count(self.table._t)
        return [self[i] for i in range(n)]

    def set_values(self, values: Union[Sequence[Any], Mapping[str, Any]], *,
                   printed: bool = False) -> None:
        """Set several figures: a list (one per column) or a dict by column id.
        ``printed=True`` takes them as printed (income with its printed sign)."""
        n = self.table._plan._c.column_count(self.table._t)
        if isinstance(values, Mapping):
            items = [(self.table._col(k), v) for k, v in values.items()]
        else:
            values = list(values)
            if len(values) != n:
                raise ValidationError(
                    f"{len(values)} values for the table's {n} columns (use None for a blank)")
            items = list(enumerate(values))
        for c, v in items:
            self._set(c, v, printed)

    def remove(self) -> None:
        self.table.remove(self)

    def __repr__(self) -> str:
        try:
            kind, label = self.kind, self.label
        except ValidationError:
            return "<Row (stale)>"
        return f"<Row {self._index} {kind} {label!r}>"


class Cell:
    """A cell of a table, as the core holds it (a snapshot).

    Attributes
    ----------
    state : str
        'value', 'nil' (printed as a dash), 'blank' or 'text'.
    printed : Decimal, str or None
        The figure as printed (income with its printed sign), or the text.
    value : Decimal or None
        The figure by meaning (income positive); None when blank.
    computed : Decimal or None
        What the arithmetic gives, for totals, sum columns and lines with parts.
    difference : Decimal or None
        printed meaning - computed, where both exist.
    """

    __slots__ = ("table", "row", "label", "column", "state", "printed", "value", "computed",
                 "computed_state", "source")
    table: str
    row: int
    label: Optional[str]
    column: str
    state: str
    printed: CellValue
    value: CellValue
    computed: Optional[Decimal]
    computed_state: str
    source: Optional[Tuple[int, int]]

    @classmethod
    def _make(cls, table: str, row: int, label: Optional[str], column: str,
              t: CellTuple) -> "Cell":
        state, printed, value, cstate, comp, decimals, source = t
        cell = cls.__new__(cls)
        cell.table, cell.row, cell.label, cell.column = table, row, label, column
        cell.state = state
        cell.source = source
        cell.computed_state = cstate
        if state == "text":
            cell.printed, cell.value = printed, printed
        elif state == "blank":
            cell.printed, cell.value = None, None
        else:
            cell.printed = _to_decimal(printed, decimals)
            cell.value = None if value is None else _to_decimal(value, decimals)
        cell.computed = (_to_decimal(comp, decimals) if cstate == "value" and comp is not None
                         else None)
        return cell

    @property
    def declared(self) -> Optional[Decimal]:
        """The printed figure by meaning, when one was printed."""
        v = self.value
        return v if isinstance(v, Decimal) and self.state in ("value", "nil") else None

    @property
    def shown(self) -> CellValue:
        """What a reader sees: the printed figure, else the computed one."""
        if self.state in ("value", "nil", "text"):
            return self.value
        return self.computed

    @property
    def difference(self) -> Optional[Decimal]:
        if self.declared is None or self.computed is None:
            return None
        return self.declared - self.computed

    @property
    def ok(self) -> bool:
        """True unless a printed figure differs from its computed one."""
        d = self.difference
        return d is None or d == 0

    def __repr__(self) -> str:
        parts = [f"{self.table}[{self.label!r}, {self.column!r}]"]
        if self.state == "text":
            parts.append(repr(self.value))
        elif self.state == "nil":
            parts.append("'-'")
        elif self.state == "value":
            parts.append(str(self.value))
        else:
            parts.append("blank")
        if self.computed is not None:
            parts.append(f"computed {self.computed}")
        return f"<Cell {' '.join(parts)}>"


# ------------------------------------------------------------- agreements

class Agreement:
    """Figures declared to agree (a snapshot)."""

    __slots__ = ("name", "note", "tolerance", "left", "right")

    @classmethod
    def _from_core(cls, d: Mapping[str, Any]) -> "Agreement":
        a = cls.__new__(cls)
        a.name, a.note = d["name"], d["note"]
        a.tolerance = (None if d["tolerance"] is None
                       else _to_decimal(d["tolerance"], _core.TOLERANCE_DECIMALS).normalize())
        a.left, a.right = d["left"], d["right"]
        return a

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Agreement):
            return NotImplemented
        return all(getattr(self, k) == getattr(other, k) for k in self.__slots__)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<Agreement {self.name!r}: {self.left['table']} ~ {self.right['table']}>"


# --------------------------------------------------------------- findings

class _ExactAmount:
    """A finding's amount, kept in slot ``slot`` as the core's exact text
    until first read, then as the Decimal made from it."""

    def __init__(self, slot: str, doc: str) -> None:
        self._slot = slot
        self.__doc__ = doc

    @overload
    def __get__(self, obj: None, owner: Any = None) -> "_ExactAmount": ...
    @overload
    def __get__(self, obj: object, owner: Any = None) -> Optional[Decimal]: ...

    def __get__(self, obj: Optional[object], owner: Any = None) -> Any:
        if obj is None:
            return self
        v = getattr(obj, self._slot)
        if isinstance(v, str):
            v = Decimal(v)
            setattr(obj, self._slot, v)
        return v

    def __set__(self, obj: object, value: Optional[Decimal]) -> None:
        setattr(obj, self._slot, value)


class Finding:
    """One place where the figures disagree (or cannot be checked).

    Attributes: code, severity, message, part (budgets, indicators or
    risks), table (a table, indicator set or register id), row (label), row_index,
    row_id, column (id), column_heading, declared, computed, difference
    (Decimal or None), agreement (name or None), other (dict: table, row,
    column of the other cell of an equals or agreement finding, or None),
    file, line, col (where the printed figure was read).
    """

    # the amounts are kept as the core's exact text ("123456E-2") until
    # read: a Decimal is made on first use (most findings are printed or
    # counted, not computed with), which keeps plan.check()'s work with the
    # GIL small (docs/decisions.md, "a finding's amounts made when read")
    __slots__ = ("code", "severity", "message", "part", "table", "row", "row_index", "row_id",
                 "column", "column_heading", "_declared", "_computed", "_difference",
                 "agreement", "other", "file", "line", "col")
    _declared: Union[str, Decimal, None]     # the text until first read
    _computed: Union[str, Decimal, None]
    _difference: Union[str, Decimal, None]
    _FIELDS = ("code", "severity", "message", "part", "table", "row", "row_index", "row_id",
               "column", "column_heading", "declared", "computed", "difference",
               "agreement", "other", "file", "line", "col")

    @classmethod
    def _from_core(cls, file: Optional[str], rows: "List[_core.FindingRow]") -> "Findings":
        """The findings of ``core.check()``: each row holds the fields in
        order but ``file`` (gathered in C without the GIL, _corefindings.c:
        names, heading, ``other``, the amounts as exact decimal text)."""
        out = Findings()
        new, add = cls.__new__, out.append
        for row in rows:
            f = new(cls)
            (f.code, f.severity, f.message, f.part, f.table, f.row, f.row_index, f.row_id,
             f.column, f.column_heading, f._declared, f._computed, f._difference, f.agreement,
             f.other, f.line, f.col) = row
            f.file = file
            add(f)
        return out

    declared = _ExactAmount("_declared", "The printed figure (exact), or None.")
    computed = _ExactAmount("_computed", "The figure the arithmetic gives (exact), or None.")
    difference = _ExactAmount("_difference", "declared - computed (exact), or None.")

    def __getstate__(self) -> Tuple[Any, ...]:
        return tuple(getattr(self, k) for k in self._FIELDS)

    def __setstate__(self, state: Tuple[Any, ...]) -> None:
        for k, v in zip(self._FIELDS, state):
            setattr(self, k, v)

    @property
    def where(self) -> str:
        """``file:line:col`` of the printed figure, as far as known."""
        parts = [p for p in (self.file, self.line, self.col) if p]
        return ":".join(str(p) for p in parts)

    def to_dict(self) -> Dict[str, Any]:
        """Plain, JSON-ready data (amounts as strings, exact)."""
        out: Dict[str, Any] = {}
        for k in self._FIELDS:
            v = getattr(self, k)
            out[k] = str(v) if isinstance(v, Decimal) else v
        return out

    def __str__(self) -> str:
        where = self.where
        return f"{where + ': ' if where else ''}{self.severity}: [{self.table or 'plan'}] " \
               f"{self.message}"

    def __repr__(self) -> str:
        return f"<Finding {self.code} {self.table}/{self.row!r}/{self.column}: " \
               f"{self.difference}>"


class Findings(List["Finding"]):
    """The result of :meth:`Plan.check`: a list of :class:`Finding`."""

    @property
    def errors(self) -> List[Finding]:
        return [f for f in self if f.severity == "error"]

    @property
    def warnings(self) -> List[Finding]:
        return [f for f in self if f.severity == "warning"]

    def to_json(self, **kw: Any) -> str:
        return json.dumps([f.to_dict() for f in self], **kw)

    def to_pandas(self) -> Any:
        from ._pandas import require_pandas
        pd = require_pandas("Findings.to_pandas")
        return pd.DataFrame([f.to_dict() for f in self],
                            columns=list(Finding._FIELDS))

    def __str__(self) -> str:
        if not self:
            return "no findings: every printed figure agrees with the arithmetic"
        return "\n".join(str(f) for f in self)

    def __repr__(self) -> str:
        return f"<Findings: {len(self.errors)} errors, {len(self.warnings)} warnings>"

    def _repr_html_(self) -> str:
        from ._display import findings_html
        return findings_html(self)
