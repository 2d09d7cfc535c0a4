"""planbook_json: a plan's metadata and budget tables as JSON (an example
of a format plugin in pure Python, written against planbook's public
contract only: planbook.plugin and the public API of planbook.Plan).

    {"planbook_json": 1, "meta": {...}, "year_start": 4,
     "tables": [{"id": ..., "title": ..., "decimals": 0, ...,
                 "columns": [{"id": ..., "label": ..., "period": ...}, ...],
                 "rows": [{"kind": "line", "depth": 0, "label": ...,
                           "values": ["1180", "-", null, ...]}, ...]}]}

Figures are kept as printed, as text, so they stay exact.
"""

from __future__ import annotations

import json
import os

from planbook.plugin import Format, Plan, ReadError, plan_from_core, core_of, BUDGETS_ONLY

__all__ = ["FORMAT", "JsonFormat", "VERSION"]

VERSION = 1
TABLE_FIELDS = ("title", "kind", "unit", "note", "decimals", "income_sign", "blank",
                "tolerance")
COLUMN_FIELDS = ("id", "label", "period", "phase", "measure", "type", "decimals", "unit",
                 "sum", "equals", "compute")
ROW_FIELDS = ("id", "note", "role")


def _printed(cell):
    if cell.state == "blank":
        return None
    if cell.state == "nil":
        return "-"
    return str(cell.printed)


def to_data(plan) -> dict:
    """The plan's metadata and budget tables as JSON-ready data."""
    tables = []
    for table in plan.budgets.values():
        info = {k: getattr(table, k) for k in TABLE_FIELDS}
        info["tolerance"] = None if info["tolerance"] is None else str(info["tolerance"])
        rows = []
        for row in table.rows:
            r = {"kind": row.kind, "depth": row.depth, "label": row.label}
            r.update((k, getattr(row, k)) for k in ROW_FIELDS
                     if getattr(row, k) not in (None, "inherit"))
            if row.kind == "total" and row.select is not None:
                r["select"] = row.select
            if row.kind != "section":
                r["values"] = [_printed(c) for c in row.cells]
            rows.append(r)
        tables.append({"id": table.id, **info,
                       "columns": [{k: getattr(c, k) for k in COLUMN_FIELDS
                                    if getattr(c, k) not in (None, [])}
                                   for c in table.columns],
                       "rows": rows})
    return {"planbook_json": VERSION, "meta": plan.meta, "year_start": plan.year_start,
            "tables": tables}


def from_data(data, file=None) -> Plan:
    """A plan from what :func:`to_data` gives."""
    if not isinstance(data, dict) or data.get("planbook_json") != VERSION:
        raise ReadError(f"not a planbook_json document (version {VERSION})", file=file,
                        code="schema")
    plan = Plan(year_start=data.get("year_start", 4), **data.get("meta", {}))
    for t in data.get("tables", []):
        table = plan.budgets.add(t["id"], columns=t.get("columns", ()),
                                 **{k: t[k] for k in TABLE_FIELDS
                                    if t.get(k) is not None and k != "title"})
        table.title = t.get("title")
        parents = []
        for r in t.get("rows", []):
            depth = r.get("depth", 0)
            del parents[depth:]
            add = {"line": table.add_line, "section": table.add_section,
                   "total": table.add_total}[r["kind"]]
            extra = {k: r[k] for k in ROW_FIELDS + ("select",) if k in r}
            if r["kind"] != "section":
                extra.update(values=r.get("values"), printed=True)
            parents.append(add(r.get("label"), section=parents[-1] if parents else None,
                               **extra))
    return plan_from_core(core_of(plan), file, parts=BUDGETS_ONLY)


class JsonFormat(Format):
    name = "json"
    suffixes = (".json",)

    def loads(self, text, file=None):
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ReadError(f"not JSON: {exc}", file=file, code="parse") from None
        return from_data(data, file)

    def load(self, path):
        with open(path, encoding="utf-8") as f:
            return self.loads(f.read(), os.fspath(path))

    def dumps(self, plan) -> str:
        return json.dumps(to_data(plan), indent=1, ensure_ascii=False) + "\n"

    def save(self, plan, path):
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.dumps(plan))


FORMAT = JsonFormat()
