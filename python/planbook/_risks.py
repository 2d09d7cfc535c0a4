"""Risk registers: views onto the core's registers, the matrix counts, the
risk profile and the movement between two versions of a register.

>>> import planbook
>>> plan = planbook.Plan()
>>> reg = plan.risks.add("strategic", title="Strategic risks", score_order="impact x likelihood")
>>> r = reg.add("4", description="Legislative reform", current="8 (4x4)")
>>> r.current
Score(likelihood=4, impact=4, declared=8, text='8 (4x4)', value=16, rag='red', declared_rag='amber', assumed='assumed bands')
>>> [f.message for f in plan.check()]
["risk '4': current score '8 (4x4)' is 8, but likelihood 4 x impact 4 is 16"]
"""

from __future__ import annotations

import datetime
import html
from dataclasses import dataclass
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple, Union, overload

from ._parts import (PART, RISK_TEXTS, ItemSequence, PartMapping, basis_assumed,
                     field_properties, item_field_properties)
from ._records import _as_of

__all__ = ["Risks", "RiskRegister", "Risk", "Score"]

_FIELDS = ("id",) + RISK_TEXTS
_REG_FIELDS = ("title", "register_for", "version", "last_reviewed", "reviewed_by",
               "next_review", "note", "basis")
_KINDS = ("inherent", "current", "target")


@dataclass(frozen=True)
class Score:
    """A risk score: likelihood, impact, the declared score and the text
    as printed (each None when not given); ``value`` the score in force
    (likelihood x impact when both are given, else the declared score) and
    its ``rag`` band; ``declared_rag`` the band of the declared score
    (which differs from ``rag`` when the printed score is not likelihood x
    impact); ``assumed`` is "assumed bands" when the register's bands are
    an assumption (its ``basis`` is not "printed")."""
    likelihood: Optional[int]
    impact: Optional[int]
    declared: Optional[int]
    text: Optional[str]
    value: int
    rag: str
    declared_rag: Optional[str] = None
    assumed: Optional[str] = None

    @property
    def rag_text(self) -> str:
        """The band as a word, marked: ``red (assumed bands; printed 8 is
        amber)``."""
        marks = [self.assumed] if self.assumed else []
        if not self.consistent:
            marks.append(f"printed {self.declared} is {self.declared_rag}")
        return self.rag + (f" ({'; '.join(marks)})" if marks else "")

    @property
    def consistent(self) -> bool:
        """Is the declared score likelihood x impact (or not checkable)?"""
        if self.likelihood and self.impact and self.declared:
            return self.declared == self.likelihood * self.impact
        return True


def _date(t: Optional[Tuple[int, int, int]]) -> Optional[datetime.date]:
    return None if t is None else datetime.date(*t)


class Risks(PartMapping):
    """The plan's risk registers, by id."""

    __slots__ = ()
    _part = PART["risks"]

    def add(self, id: str, *, score_order: str = "likelihood x impact",
            **fields: Optional[str]) -> "RiskRegister":
        return self._new(id, lambda c, ri: self._set_fields(
            c.reg_set, ri, {"score_order": score_order, **fields}))


class RiskRegister(ItemSequence, Sequence["Risk"]):
    """A register: its metadata and its risks, in order."""

    __slots__ = ()
    _part = PART["risks"]

    (title, register_for, version, last_reviewed, reviewed_by, next_review, note, basis,
     score_order) = field_properties(_part, *_REG_FIELDS, "score_order")

    @property
    def bands_assumed(self) -> bool:
        """Are the RAG bands of this register an assumption (``basis``
        "assumed: ...", or not given)?  Every band is then marked "assumed
        bands"."""
        return basis_assumed(self.basis)

    @property
    def next_review_date(self) -> Optional[datetime.date]:
        return _date(self._info()["next_review_date"])

    @property
    def last_reviewed_date(self) -> Optional[datetime.date]:
        return _date(self._info()["last_reviewed_date"])

    def review_overdue(self, as_of: Union[str, datetime.date]) -> bool:
        """Is the register's next review before ``as_of`` (a date)?"""
        d = self.next_review_date
        return d is not None and d < _as_of(as_of)

    # risks
    @overload
    def __getitem__(self, key: Union[int, str]) -> "Risk": ...
    @overload
    def __getitem__(self, key: slice) -> List["Risk"]: ...

    def __getitem__(self, key: Union[int, str, slice]) -> Union["Risk", List["Risk"]]:
        if isinstance(key, int):
            rows = self._plan._c.risks(self._i)
            return Risk(self, rows[key]["id"])
        if isinstance(key, slice):
            return [Risk(self, r["id"]) for r in self._plan._c.risks(self._i)[key]]
        if self._item_index(key) < 0:
            raise KeyError(key)
        return Risk(self, key)

    def __iter__(self) -> Iterator["Risk"]:
        return iter([Risk(self, r["id"]) for r in self._plan._c.risks(self._i)])

    def add(self, id: str, **fields: Any) -> "Risk":
        """Add a risk: ``add("4", category=..., description=..., owner=...,
        current="8 (4x4)")`` (a score as printed, or a (likelihood, impact,
        score) tuple with 0 for a part not given)."""
        c, ri = self._plan._c, self._i
        i = c.risk_add(ri, id)

        names = {f.name: f for f in self._part.item_fields}

        def fill():
            for k, v in fields.items():
                c.risk_set(ri, i, k, names[k].check(v) if k in names else v)
        self._filled(i, fill)
        return Risk(self, id)

    # analysis
    def matrix(self, kind: str = "current") -> List[List[int]]:
        """Counts of risks in each cell of the matrix:
        ``matrix()[likelihood-1][impact-1]``."""
        lmax, imax = self._plan._c.risk_matrix
        grid = [[0] * imax for _ in range(lmax)]
        for r in self._plan._c.risks(self._i):
            s = r[kind]
            if s and s["likelihood"] and s["impact"] and s["likelihood"] <= lmax \
                    and s["impact"] <= imax:
                grid[s["likelihood"] - 1][s["impact"] - 1] += 1
        return grid

    def profile(self, kind: str = "current", by: str = "computed") -> Dict[str, int]:
        """How many risks are red, amber, green, or unscored: ``by``
        "computed" (likelihood x impact where both are printed) or
        "printed" (the declared score where one is printed).  ``misprinted``
        counts the scores whose printed figure is not likelihood x impact
        (each a finding): where it is not 0 the two counts can differ, and
        a summary shows both."""
        if by not in ("computed", "printed"):
            raise ValueError("by is 'computed' or 'printed'")
        out = {"red": 0, "amber": 0, "green": 0, "unscored": 0, "misprinted": 0}
        rag = self._plan._c.risk_rag
        for r in self._plan._c.risks(self._i):
            s = r[kind]
            if s and s["score"] and s["likelihood"] and s["impact"] and \
                    s["score"] != s["likelihood"] * s["impact"]:
                out["misprinted"] += 1
            v = (s["score"] or s["value"]) if s and by == "printed" else (s["value"] if s else 0)
            band = rag(v) if s else "none"
            out[band if band != "none" else "unscored"] += 1
        return out

    def misprinted(self, kind: str = "current") -> List["Risk"]:
        """The risks whose printed ``kind`` score is not likelihood x impact."""
        return [r for r in self if getattr(r, kind) is not None
                and not getattr(r, kind).consistent]

    def profile_text(self, kind: str = "current", symbols: bool = False) -> str:
        """The profile as a summary says it: counted by likelihood x impact,
        and again as printed where a printed score disagrees (never one of
        them silently, each such risk named), and the bands' basis when it
        is assumed.  ``symbols``: with the RAG symbols and a times sign
        (the committee pack)."""
        red, amber, green, times, warn = (("\u2716 ", "\u25b2 ", "\u2714 ", "\u00d7", "\u26a0 ")
                                          if symbols else ("", "", "", "x", ""))

        def bands(p: Dict[str, Any]) -> str:
            return f"{red}{p['red']} red, {amber}{p['amber']} amber, {green}{p['green']} green"
        p = self.profile(kind)
        text = f"{bands(p)}, {p['unscored']} {'not scored' if symbols else 'unscored'}"
        if p["misprinted"]:
            which = "; ".join(f"{warn}risk {r.id} printed "
                              f"{getattr(r, kind).text or getattr(r, kind).declared} but "
                              f"likelihood {times} impact is {getattr(r, kind).value}"
                              for r in self.misprinted(kind))
            text += (f" by likelihood {times} impact; as printed "
                     f"{bands(self.profile(kind, by='printed'))} ({which})")
        if self.bands_assumed:
            text += "; assumed bands"
        return text

    def movement(self, earlier: "RiskRegister", kind: str = "current") -> List[Dict[str, Any]]:
        """Risks compared with an earlier version of the register, by id:
        added, removed, re-scored (up or down) or unchanged."""
        before = {r["id"]: r for r in earlier._plan._c.risks(earlier._i)}
        now = {r["id"]: r for r in self._plan._c.risks(self._i)}
        out: List[Dict[str, Any]] = []

        def value(risk: Optional[Dict[str, Any]]) -> Optional[int]:
            score: Optional[Dict[str, Any]] = risk[kind] if risk else None
            return score.get("value") if score else None
        for rid in list(now) + [x for x in before if x not in now]:
            a, b = before.get(rid), now.get(rid)
            va, vb = value(a), value(b)
            if a is None:
                change = "added"
            elif b is None:
                change = "removed"
            elif (va or 0) == (vb or 0):
                change = "unchanged"
            else:
                change = "up" if (vb or 0) > (va or 0) else "down"
            out.append({"id": rid, "change": change, "before": va, "after": vb})
        return out

    def to_pandas(self) -> Any:
        """One row per risk: the texts and each score's likelihood, impact,
        value and RAG, its printed (declared) score and that score's RAG,
        ``<kind>_consistent`` (False where the printed score is not
        likelihood x impact: a finding), and ``rag_basis`` ("assumed bands"
        when the register's bands are an assumption, else "printed")."""
        from ._pandas import require_pandas
        pd = require_pandas("RiskRegister.to_pandas")
        rag = self._plan._c.risk_rag
        basis = "assumed bands" if self.bands_assumed else "printed"
        rows: List[Dict[str, Any]] = []
        for r in self._plan._c.risks(self._i):
            row = {k: r[k] for k in _FIELDS}
            for k in _KINDS:
                s = r[k]
                row[f"{k}_likelihood"] = s["likelihood"] or None if s else None
                row[f"{k}_impact"] = s["impact"] or None if s else None
                row[f"{k}_score"] = s["value"] or None if s else None
                row[f"{k}_rag"] = rag(s["value"]) if s else "none"
                row[f"{k}_declared"] = s["score"] or None if s else None
                row[f"{k}_declared_rag"] = rag(s["score"]) if s and s["score"] else None
                row[f"{k}_consistent"] = (not (s["score"] and s["likelihood"] and s["impact"])
                                          or s["score"] == s["likelihood"] * s["impact"]
                                          ) if s else None
            row["rag_basis"] = basis
            rows.append(row)
        df = pd.DataFrame(rows)
        for k in _KINDS:
            df[f"{k}_rag"] = pd.Categorical(df[f"{k}_rag"] if len(df) else [],
                                            categories=["red", "amber", "green", "none"],
                                            ordered=True)
        return df

    def _repr_html_(self) -> str:
        e = html.escape
        from ._display import plain_text
        colours = {"red": "#f4c7c3", "amber": "#fce8b2", "green": "#b7e1cd"}
        symbol = {"red": "\u2716 red", "amber": "\u25b2 amber", "green": "\u2714 green"}
        out = [f"<table class=\"planbook-risks\"><caption>{e(self.title or self.id)}</caption>"
               "<thead><tr><th>ID</th><th>Category</th><th>Risk</th><th>Owner</th>"
               "<th>Likelihood</th><th>Impact</th><th>Score</th><th>RAG</th></tr></thead><tbody>"]
        for r in self:
            s = r.current
            bg = colours.get(s.rag) if s else None
            style = f' style="background:{bg}"' if bg else ""
            out.append(
                f"<tr><td>{e(r.id)}</td><td>{e(r.category or '')}</td>"
                f"<td>{e(r.description or '')}</td><td>{e(r.owner or '')}</td>"
                f"<td>{s.likelihood or '' if s else ''}</td><td>{s.impact or '' if s else ''}</td>"
                f"<td>{e(s.text or str(s.value)) if s else ''}</td>"
                f"<td{style}>{symbol.get(s.rag, '') if s else ''}</td></tr>")
        out.append("</tbody></table>")
        text = "\n".join(f"{r.id}\t{(r.current.text or r.current.value) if r.current else '-'}"
                         f"\t{r.current.rag if r.current else ''}\t{r.description or ''}"
                         for r in self)
        out.append(plain_text(f"{self!r}\n{text}"))
        return "".join(out)

    def __repr__(self) -> str:
        p = self.profile()
        return (f"<RiskRegister {self.id!r}: {len(self)} risks; {p['red']} red, {p['amber']} "
                f"amber, {p['green']} green>")


class Risk:
    """One risk of a register (a view: found by id on each access)."""

    __slots__ = ("_reg", "_id")

    def __init__(self, reg: RiskRegister, id: str):
        self._reg = reg
        self._id = id

    def _where(self) -> Tuple[int, int]:
        return self._reg._item_at(self._id)

    def _get(self) -> Dict[str, Any]:
        return self._reg._plan._c.risk_get(*self._where())

    def _set(self, name: str, value: Any) -> None:
        ri, i = self._where()
        self._reg._plan._c.risk_set(ri, i, name, value)
        if name == "id":
            self._id = value

    (id, category, status, status_date, description, owner, objective, controls, impacts,
     mitigations, actions, outcome, updated) = item_field_properties(
        PART["risks"], *_FIELDS, set="_set")

    @staticmethod
    def _score(name: str) -> property:
        def get(self: Risk) -> Optional[Score]:
            s = self._get()[name]
            if s is None:
                return None
            rag = self._reg._plan._c.risk_rag
            return Score(s["likelihood"] or None, s["impact"] or None, s["score"] or None,
                         s["text"], s["value"], rag(s["value"]),
                         rag(s["score"]) if s["score"] else None,
                         "assumed bands" if self._reg.bands_assumed else None)

        def set_(self: Risk, value: Any) -> None:
            self._set(name, value)
        return property(get, set_, doc=f"The {name} score (a :class:`Score` or None); set it "
                                       "as printed ('12 (4x3)') or as (likelihood, impact, score).")

    inherent = _score("inherent")
    current = _score("current")
    target = _score("target")
    del _score

    def __repr__(self) -> str:
        s = self.current
        return f"<Risk {self._reg.id}/{self._id}: {s.text or s.value if s else 'unscored'}>"


class Placed:
    """Where a register's risks fall on the likelihood x impact matrix, by
    one kind of score: ``cells`` (likelihood, impact) -> ids; ``unscored``
    (no such score), ``unplaced`` (no likelihood and impact), ``outside``
    (beyond the plan's matrix); ``misprinted``: a sentence for each printed
    score that is not likelihood x impact.  What the heat map in a notebook
    (plots.risk_heat_map) and in the committee pack both draw."""

    def __init__(self, register: RiskRegister, kind: str):
        lmax, imax = register._plan.risk_matrix
        self.cells: Dict[Tuple[int, int], List[str]] = {}
        self.unscored: List[str] = []
        self.unplaced: List[str] = []
        self.outside: List[str] = []
        self.misprinted: List[str] = []
        for risk in register:
            s = getattr(risk, kind)
            if s is None:
                self.unscored.append(risk.id)
            elif not (s.likelihood and s.impact):
                self.unplaced.append(risk.id)
            elif s.likelihood > lmax or s.impact > imax:
                self.outside.append(risk.id)
            else:
                self.cells.setdefault((s.likelihood, s.impact), []).append(risk.id)
                if not s.consistent:
                    self.misprinted.append(
                        f"risk {risk.id} printed {s.text or s.declared}, but likelihood "
                        f"{s.likelihood} \u00d7 impact {s.impact} is "
                        f"{s.likelihood * s.impact}")
