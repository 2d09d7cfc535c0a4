"""Budget tables as an Open Fiscal Data Package (docs/opendata.md).

``planbook convert plan.yaml out/datapackage.json`` writes the package
descriptor and one CSV per budget table beside it;
``planbook convert out/datapackage.json plan.yaml`` reads them back.

What the standard holds, it is told in its own words: each amount column
is a measure of the fiscal model with its ``currency`` (GBP), ``factor``
(1000 for £'000), ``direction`` and ``phase`` (proposed, approved,
adjusted, executed), and each table's line labels are a dimension whose
``classificationType`` is ``functional`` for an objective table and
``economic`` for a subjective one (the plan's ``kind``).  Each row's own
direction (expenditure or revenue, from its role) is a column.  What the
standard has no word for (sections, totals, roles, notes, sum columns,
the plan's metadata) travels in the descriptor's ``planbook`` key and the
rows' structure columns, so that reading back gives the same tables.
Indicators, risks and records are not budget data: they are not written,
and the plan read back says so (``plan.parts``).

Only :mod:`planbook.plugin` is used, as for any plugin (docs/plugins.md).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from typing import Any, Dict, List, Optional

from planbook.plugin import (BUDGETS_ONLY, Format, Plan, ReadError, WriteError, core_of,
                             plan_from_core)
from planbook.plugin import write_atomically

__all__ = ["FORMAT", "OfdpFormat", "write", "read", "PHASES"]

VERSION = 1
#: A column's phase, as a plan prints it, in the standard's four words.
PHASES = (("outturn", "executed"), ("actual", "executed"), ("executed", "executed"),
          ("forecast", "adjusted"), ("revised", "adjusted"), ("adjusted", "adjusted"),
          ("indicative", "proposed"), ("proposed", "proposed"), ("draft", "proposed"),
          ("estimate", "proposed"), ("approved", "approved"), ("budget", "approved"))
_REVENUE = {"income", "funding", "internal"}
_FACTORS = {"£'000": 1000, "£000": 1000, "£k": 1000, "£m": 1000000, "£": 1, "£'m": 1000000}
_STRUCTURE = ["row", "parent", "kind", "id", "label", "role", "direction", "select", "note"]


def phase_of(text: Optional[str]) -> Optional[str]:
    t = (text or "").lower()
    return next((word for key, word in PHASES if key in t), None)


def _factor(unit: Optional[str]) -> Optional[int]:
    return _FACTORS.get((unit or "£'000").replace(" ", "").replace("\u2019", "'"))


def _amount(cell) -> str:
    if cell.state == "blank":
        return ""
    if cell.state == "nil":
        return "-"
    if cell.state == "text":
        return cell.printed
    return format(cell.printed, "f")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9._-]+", "-", (text or "plan").lower()).strip("-._") or "plan"


def _resource(plan: Plan, t) -> tuple:
    """(resource descriptor, CSV text, fiscal model part) of one table."""
    cols = t.columns
    fields: List[Dict[str, Any]] = [
        {"name": "row", "type": "integer", "description": "position in the table (from 1)"},
        {"name": "parent", "type": "integer", "description": "the section (or line, for a "
         "part) the row is in"},
        {"name": "kind", "type": "string", "constraints": {"enum": ["line", "section", "total"]}},
        {"name": "id", "type": "string"},
        {"name": "label", "type": "string", "description": t.title or t.id},
        {"name": "role", "type": "string"},
        {"name": "direction", "type": "string",
         "constraints": {"enum": ["expenditure", "revenue"]}},
        {"name": "select", "type": "string"},
        {"name": "note", "type": "string"}]
    measures, names = {}, {f["name"] for f in fields}
    for c in cols:
        name = c.id if c.id not in names else f"{c.id}_amount"
        names.add(name)
        field = {"name": name, "title": c.heading}
        if c.type == "text":
            field["type"] = "string"
        else:
            field.update(type="number", bareNumber=False)
            unit = c.unit or t.unit
            m: Dict[str, Any] = {"source": name, "resource": t.id, "currency": "GBP",
                                 "title": c.heading}
            factor = _factor(unit)
            if factor is not None:
                m["factor"] = factor
            else:
                m.pop("currency")        # FTE, %: not money
                m["unit"] = unit
            if phase_of(c.phase):
                m["phase"] = phase_of(c.phase)
            if c.period:
                m["period"] = c.period
            measures[f"{t.id}.{c.id}"] = m
        fields.append(field)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow([f["name"] for f in fields])
    for r in t.rows:
        parent = r.parent
        role = r.effective_role
        w.writerow([r.index + 1, "" if parent is None else parent.index + 1, r.kind,
                    r.id or "", r.label or "", "" if r.role == "inherit" else r.role,
                    "" if r.kind == "section" else
                    ("revenue" if role in _REVENUE else "expenditure"),
                    r.select or "", r.note or ""]
                   + [_amount(cell) for cell in r.cells])
    directions = {"revenue" if r.effective_role in _REVENUE else "expenditure"
                  for r in t.rows if r.kind == "line"}
    if len(directions) == 1:        # the whole table is one way: the measures say so
        for m in measures.values():
            m["direction"] = next(iter(directions))
    kind = (t.kind or "").lower()
    label_dim: Dict[str, Any] = {"attributes": {"label": {"source": "label", "resource": t.id}},
                                 "primaryKey": ["label"], "dimensionType": "classification"}
    if kind in ("objective", "subjective"):
        label_dim["classificationType"] = "functional" if kind == "objective" else "economic"
    dimension = {f"{t.id}.label": label_dim,
                 f"{t.id}.direction": {"attributes": {"direction": {
                     "source": "direction", "resource": t.id}}, "primaryKey": ["direction"],
                     "dimensionType": "other"}}
    resource = {"name": t.id.lower().replace("_", "-"), "path": f"{t.id}.csv",
                "profile": "tabular-data-resource", "format": "csv",
                "mediatype": "text/csv", "encoding": "utf-8", "title": t.title or t.id,
                "schema": {"fields": fields, "primaryKey": ["row"],
                           "missingValues": ["", "-"]}}
    settings = {"id": t.id, "title": t.title, "kind": t.kind, "unit": t.unit,
                "decimals": t.decimals, "income_sign": t.income_sign, "blank": t.blank,
                "tolerance": None if t.tolerance is None else str(t.tolerance), "note": t.note,
                "columns": [{k: v for k, v in (("id", c.id), ("label", c.label),
                                               ("period", c.period), ("phase", c.phase),
                                               ("measure", c.measure), ("type", c.type),
                                               ("decimals", c.decimals
                                                if c.decimals != t.decimals else None),
                                               ("unit", c.unit),
                                               ("sum", c.sum or None), ("equals", c.equals),
                                               ("compute", c.compute))
                             if v is not None} for c in cols]}
    return resource, out.getvalue(), measures, dimension, settings


def descriptor(plan: Plan) -> tuple:
    """(datapackage.json as a dict, {file name: CSV text})."""
    if not len(plan.budgets):
        raise WriteError("the plan has no budget tables: a fiscal data package holds budgets "
                         "(its indicators go to SDMX-CSV, .sdmx.csv)")
    resources, files, measures, dimensions, tables = [], {}, {}, {}, []
    for tid in plan.budgets:
        res, text, m, d, s = _resource(plan, plan.budgets[tid])
        resources.append(res)
        files[res["path"]] = text
        measures.update(m)
        dimensions.update(d)
        tables.append(s)
    meta = plan.meta
    pkg: Dict[str, Any] = {
        "name": _slug(" ".join(filter(None, [meta.get("organisation"), meta.get("title"),
                                             meta.get("period")]))),
        "title": meta.get("title") or "Budget",
        "profile": "tabular-data-package",
        "fiscalDataPackage": "0.3",
        "countryCode": "GB",
        "resources": resources,
        "model": {"measures": measures, "dimensions": dimensions},
        "planbook": {"version": VERSION, "meta": meta, "year_start": plan.year_start,
                     "tolerance": str(plan.tolerance), "tables": tables},
    }
    if meta.get("organisation"):
        pkg["publisher"] = {"name": meta["organisation"]}
    if meta.get("source"):
        pkg["sources"] = [{"title": meta["source"]}]
    return pkg, files


def _write_tables(plan: Plan, folder: str, descriptor_file: str) -> None:
    """Each table's CSV into ``folder`` (atomically, one by one), then the
    descriptor into ``descriptor_file``."""
    pkg, files = descriptor(plan)
    for name, text in files.items():
        def put(tmp: str, text=text) -> None:
            with open(tmp, "w", encoding="utf-8", newline="") as f:
                f.write(text)
        write_atomically(os.path.join(folder, name), put)
    with open(descriptor_file, "w", encoding="utf-8") as f:
        json.dump(pkg, f, indent=2, ensure_ascii=False)
        f.write("\n")


def write(plan: Plan, path) -> None:
    """datapackage.json at ``path`` and a CSV per budget table beside it,
    each written atomically (the descriptor last)."""
    folder = os.path.dirname(os.path.abspath(os.fspath(path)))
    write_atomically(os.fspath(path), lambda tmp: _write_tables(plan, folder, tmp))


def read(path) -> Plan:
    """A plan from a datapackage.json this plugin wrote (or one laid out
    the same way): its metadata and budget tables."""
    path = os.fspath(path)
    try:
        with open(path, encoding="utf-8") as f:
            pkg = json.load(f)
    except json.JSONDecodeError as exc:
        raise ReadError(f"not JSON: {exc.msg}", file=path, line=exc.lineno,
                        column=exc.colno) from None
    info = pkg.get("planbook") if isinstance(pkg, dict) else None
    if not isinstance(info, dict) or "tables" not in info:
        raise ReadError("not a data package planbook wrote (no 'planbook' key: the tables' "
                        "structure is unknown)", file=path)
    try:
        return _read_tables(pkg, info, path)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        if isinstance(exc, ReadError):
            raise
        raise ReadError(f"the descriptor's planbook key is not as planbook writes it: "
                        f"{type(exc).__name__}: {exc}", file=path) from None


def _read_tables(pkg: Dict[str, Any], info: Dict[str, Any], path: str) -> Plan:
    meta = dict(info.get("meta") or {})
    plan = Plan(**{k: v for k, v in meta.items()})
    plan.year_start = info.get("year_start", 4)
    if info.get("tolerance") is not None:
        plan.tolerance = info["tolerance"]
    folder = os.path.dirname(os.path.abspath(path))
    by_name = {r.get("name"): r for r in pkg.get("resources", [])}
    for spec in info["tables"]:
        res = next((r for r in by_name.values() if r.get("path") == f"{spec['id']}.csv"), None)
        if res is None:
            raise ReadError(f"no resource for table {spec['id']!r}", file=path)
        cols = spec["columns"]
        t = plan.budgets.add(spec["id"], title=spec.get("title"), kind=spec.get("kind"),
                             unit=spec.get("unit"), decimals=spec.get("decimals", 0),
                             income_sign=spec.get("income_sign", "positive"),
                             blank=spec.get("blank", "zero"), tolerance=spec.get("tolerance"),
                             note=spec.get("note"), columns=cols)
        names = [f["name"] for f in res["schema"]["fields"]][len(_STRUCTURE):]
        csv_path = os.path.join(folder, res["path"])
        made: Dict[int, Any] = {}
        with open(csv_path, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            for n, rec in enumerate(reader, start=2):
                try:
                    parent = made[int(rec["parent"])] if rec["parent"] else None
                    values = [None if rec[name] == "" else rec[name] for name in names]
                    kw = dict(section=parent, id=rec["id"] or None, role=rec["role"] or None,
                              note=rec["note"] or None)
                    kind = rec["kind"]
                    if kind == "section":
                        row = t.add_section(rec["label"] or None, **kw)
                    elif kind == "total":
                        row = t.add_total(rec["label"] or None, values, printed=True,
                                          select=rec["select"] or None, **kw)
                    elif kind == "line":
                        row = t.add_line(rec["label"] or None, values, printed=True, **kw)
                    else:
                        raise ValueError(f"kind {kind!r} is not line, section or total")
                    made[int(rec["row"])] = row
                except (KeyError, ValueError) as exc:
                    raise ReadError(str(exc).strip("'\""), file=csv_path, line=n) from None
    return plan_from_core(core_of(plan), path, parts=BUDGETS_ONLY)


class OfdpFormat(Format):
    name = "ofdp"
    suffixes = ("datapackage.json",)

    def save(self, plan: Plan, path) -> None:
        # ``path`` is planbook's temporary file in a private folder beside the
        # target; the CSVs go beside the target itself
        target_dir = os.path.dirname(os.path.dirname(os.path.abspath(os.fspath(path))))
        _write_tables(plan, target_dir, os.fspath(path))

    def load(self, path) -> Plan:
        return read(path)


FORMAT = OfdpFormat()
