"""A plan's contents as plain data, and a new core from them: what
:meth:`planbook.Plan.copy` and ``Plan.__eq__`` use, with no format plugin.

:func:`snapshot` reads everything a plan holds through the core's binding
(metadata and settings, budget tables, agreements, indicator sets, risk
registers, collections of records) except where it was read from (source
lines and columns) and what the core derives (layout counters, cached
computed figures are derived from the rest); :func:`restore` builds a new
``PlanCore`` from a snapshot with the same binding's setters.  Each part
is one pair of functions in ``PARTS`` below: a new part of a plan adds a
pair there (docs/decisions.md, "Plan.copy and == without a format").
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Sequence, Tuple

from . import _core

# what is not content: where it was read from, and counters the core keeps
_NOT_CONTENT = frozenset(("source", "line", "col", "layout", "count", "index",
                          "last_reviewed_date", "next_review_date", "report_period",
                          "cumulative", "due"))


def _content(d: Dict[str, Any]) -> Dict[str, Any]:
    return {k: v for k, v in d.items() if k not in _NOT_CONTENT}


# ------------------------------------------------------------ plan settings

def _settings(c: _core.PlanCore) -> Dict[str, Any]:
    return {"meta": {k: c.get_meta(k) for k in c.meta_keys()},
            "year_start": c.year_start, "tolerance": c.tolerance,
            "rag_tolerance": tuple(c.rag_tolerance), "risk_matrix": tuple(c.risk_matrix),
            "risk_bands": tuple(c.risk_bands)}


def _put_settings(c: _core.PlanCore, s: Dict[str, Any]) -> None:
    for k, v in s["meta"].items():
        if v is not None:
            c.set_meta(k, v)
    for k in ("year_start", "tolerance", "rag_tolerance", "risk_matrix", "risk_bands"):
        setattr(c, k, s[k])


# ------------------------------------------------------------ budget tables

_ROW_SOURCE = 10  # row_get: (kind, label, id, note, select, role, effective role,
#                   parent, depth, is part, source, end)
# cell_get: (state, printed, value, computed state, computed, decimals,
# source): the first three are content


def _tables(c: _core.PlanCore) -> List[Any]:
    out: List[Any] = []
    for t in range(c.table_count()):
        info = c.table_get(t)
        cols = [{k: v for k, v in c.column_get(t, k).items() if k != "source"}
                for k in range(c.column_count(t))]
        rows = [r[:_ROW_SOURCE] + r[_ROW_SOURCE + 1:] for r in c.rows(t)]
        cells = [[c.cell_get(t, r, k)[:3] for k in range(len(cols))]
                 for r in range(len(rows))]
        out.append((_content(info), cols, rows, cells))
    return out


def _put_tables(c: _core.PlanCore, tables: List[Any]) -> None:
    for info, cols, rows, cells in tables:
        t = c.add_table(info["id"])
        for k in ("title", "kind", "unit", "note", "tolerance"):
            if info[k] is not None:
                c.table_set(t, k, info[k])
        for k in ("decimals", "income_sign", "blank_zero"):
            c.table_set(t, k, info[k])
        for col in cols:
            k = c.add_column(t, col["id"])
            for f in ("label", "phase", "measure", "unit", "period"):
                if col[f] is not None:
                    c.column_set(t, k, f, col[f])
            c.column_set(t, k, "type", col["type"])
            if col["own_decimals"]:
                c.column_set(t, k, "decimals", col["decimals"])
        for k, col in enumerate(cols):
            if col["sum"]:
                c.column_set(t, k, "sum", col["sum"])
            if col["equals"] is not None:
                c.column_set(t, k, "equals", col["equals"])
            if col.get("compute"):
                c.column_set(t, k, "compute", col["compute"])
        for r, row in enumerate(rows):
            kind, label, rid, note, select, role = row[:6]
            c.insert_row(t, r, kind, row[7], label)
            for f, v in (("id", rid), ("note", note), ("select", select)):
                if v is not None:
                    c.row_set(t, r, f, v)
            if role != "inherit":
                c.row_set(t, r, "role", role)
            for k, (state, printed, _value) in enumerate(cells[r]):
                if state == "text":
                    c.cell_set_text(t, r, k, printed)
                elif state != "blank":
                    c.cell_set_value(t, r, k, state, printed, True)


def _agreements(c: _core.PlanCore) -> List[Any]:
    return [c.agreement_get(i) for i in range(c.agreement_count())]


def _put_agreements(c: _core.PlanCore, agreements: List[Any]) -> None:
    for a in agreements:
        c.add_agreement(a["name"], a["note"], a["tolerance"], a["left"], a["right"])


# ------------------------------------------------------------ indicators

_SET_TEXTS = ("title", "framework", "reporting", "as_of", "note", "basis")
_MEASURE_TEXTS = ("name", "group", "objective", "owner", "framework", "definition", "footnote")


def _indicators(c: _core.PlanCore) -> List[Any]:
    out: List[Any] = []
    for si in range(c.ind_count()):
        info = c.ind_get(si)
        measures = [_content(c.m_get(si, i)) for i in range(info["count"])]
        out.append((dict(_content(info), cumulative=info["cumulative"]),
                    c.ind_footnotes(si), measures))
    return out


def _put_measure(c: _core.PlanCore, si: int, periods: List[str],
                 comparators: List[Tuple[str, str]], m: Dict[str, Any]) -> None:
    i = c.m_add(si, m["parent"], m["ref"])
    for f in _MEASURE_TEXTS:
        if m[f] is not None:
            c.m_set(si, i, f, m[f])
    for f in ("unit", "polarity", "role", "per", "decimals"):
        if m[f] is not None:
            c.m_set(si, i, f, m[f])
    c.m_set(si, i, "cumulative", m["cumulative_setting"])
    series = [m["values"], m["targets"]] + [m["compare"].get(cid, ()) for cid, _ in comparators]
    for s, cells in enumerate(series):
        for k, cell in enumerate(cells):
            if cell[0] != "not reported" or cell[4]:
                c.m_cell_set(si, s, i, k, cell)
    from ._indicators import Observation
    for level, cell in enumerate(m["thresholds"]):
        text = str(Observation._from_core(cell))
        if text:
            c.m_threshold_set(si, i, level, text)
    if m["threshold_state"] == 2:
        c.m_set(si, i, "thresholds", "not available")
    for _date, due, target in m["milestones"]:
        c.m_milestone_add(si, i, due, target)
    for key, arrow in m["printed"].items():
        c.m_printed_set(si, i, key, arrow)


def _put_container(add: Callable[[str], int], put: Callable[[int, str, Any], Any],
                   info: Dict[str, Any], texts: Sequence[str],
                   lists: Sequence[Tuple[str, str]] = ()) -> int:
    """A part's container (an indicator set, a register, a collection):
    added by its id, then its texts that are set, then every entry of its
    lists (``("periods", "period")``: each period through ``add_period``).
    Its index."""
    i = add(info["id"])
    for f in texts:
        if info[f] is not None:
            put(i, f, info[f])
    for key, name in lists:
        for v in info[key]:
            put(i, "add_" + name, v)
    return i


def _put_indicators(c: _core.PlanCore, sets: List[Any]) -> None:
    for info, footnotes, measures in sets:
        si = _put_container(c.ind_add, c.ind_set, info, _SET_TEXTS,
                            (("periods", "period"), ("comparators", "comparator")))
        c.ind_set(si, "direction", info["direction"])
        c.ind_set(si, "cumulative", info["cumulative"])
        if info["latest"] is not None:
            c.ind_set(si, "latest", info["periods"][info["latest"]])
        for footnote in footnotes:
            c.ind_set(si, "add_footnote", footnote)
        for m in measures:
            _put_measure(c, si, info["periods"], info["comparators"], m)


# ------------------------------------------------------------ risks, records

_SCORES = ("inherent", "current", "target")


def _members(c: _core.PlanCore, part: str) -> List[Any]:
    """Each of a part's containers and its members, through the binding's
    generic part methods."""
    return [(_content(c.part_get(part, i)), [_content(m) for m in c.members(part, i)])
            for i in range(c.part_count(part))]


def _risks(c: _core.PlanCore) -> List[Any]:
    return _members(c, "risks")


def _put_risks(c: _core.PlanCore, registers: List[Any]) -> None:
    for info, risks in registers:
        ri = _put_container(c.reg_add, c.reg_set, info, [f for f in info if f != "id"])
        for risk in risks:
            i = c.risk_add(ri, risk["id"])
            for f, v in risk.items():
                if f == "id" or v is None:
                    continue
                if f in _SCORES:
                    v = v["text"] if v["text"] is not None else \
                        (v["likelihood"], v["impact"], v["score"])
                c.risk_set(ri, i, f, v)


def _records(c: _core.PlanCore) -> List[Any]:
    return _members(c, "records")


def _put_records(c: _core.PlanCore, collections: List[Any]) -> None:
    for info, items in collections:
        ci = _put_container(c.coll_add, c.coll_set, info, ("title", "kind", "note"),
                            (("dates", "date"), ("links", "link")))
        for item in items:
            i = c.item_add(ci, item["parent"], item["id"])
            for name, value in item["fields"]:
                c.item_set(ci, i, name, value)


# ---------------------------------------------------------- described parts

def _described(c: _core.PlanCore) -> List[Any]:
    """Every described part (contacts, ...): its key and its rows' fields."""
    return [(c.part_get("described", k)["id"],
             [_content(r) for r in c.members("described", k)])
            for k in range(c.part_count("described"))]


def _put_described(c: _core.PlanCore, parts: List[Any]) -> None:
    for key, rows in parts:
        k = c.part_add("described", key)
        for row in rows:
            r = c.member_add("described", k, None, None)
            for name, value in row.items():
                if value is not None:
                    c.member_set("described", k, r, name, value)


#: One (read, write) pair per part of a plan, in the order they are rebuilt
#: (agreements after the tables they name).
PARTS: Tuple[Tuple[str, Callable[[_core.PlanCore], Any], Callable[[_core.PlanCore, Any], None]],
             ...] = (
    ("settings", _settings, _put_settings),
    ("budgets", _tables, _put_tables),
    ("agreements", _agreements, _put_agreements),
    ("indicators", _indicators, _put_indicators),
    ("risks", _risks, _put_risks),
    ("records", _records, _put_records),
    ("described", _described, _put_described),
)


def snapshot(core: _core.PlanCore) -> Dict[str, Any]:
    """Everything the plan in ``core`` holds but where it was read from."""
    return {name: read(core) for name, read, _ in PARTS}


def restore(snap: Dict[str, Any]) -> _core.PlanCore:
    """A new PlanCore holding what ``snap`` (from :func:`snapshot`) holds."""
    core = _core.PlanCore()
    for name, _, write in PARTS:
        write(core, snap[name])
    return core
