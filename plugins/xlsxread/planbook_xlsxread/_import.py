"""Importing a budget table, or an indicator set's observations, from a
workbook planbook did not write, through a mapping that names the sheet,
the heading rows, the label column, the columns of figures, and the section
and total rows (or the measure, polarity, target and threshold columns)
(docs/import.md).

The cells are read by the C reader (values as the workbook's own text, so
numbers are exact); the table is built through planbook's API, so totals
printed as values are checked like any other: a total that does not add
up is a finding.
"""

from __future__ import annotations

import os
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Tuple

from planbook.plugin import Plan, PlanbookError, ReadError

from . import _xlsxread

if TYPE_CHECKING:  # pragma: no cover
    from planbook import Table

__all__ = ["import_table", "import_indicators", "load_mapping"]

_KEYS = {"sheet", "table", "header_rows", "first_row", "last_row", "label_column", "columns",
         "sections", "totals", "total_pattern", "skip", "stop"}
_TABLE_KEYS = {"id", "title", "kind", "unit", "decimals", "income_sign", "blank", "tolerance",
               "note"}
_COLUMN_KEYS = {"column", "id", "label", "period", "phase", "measure", "unit", "decimals"}


def _error(message: str, **where):
    return ReadError(message, code="schema", **where)


def load_mapping(source: Any) -> Dict[str, Any]:
    """A mapping from a dict, a YAML or JSON file, or YAML/JSON text.
    YAML needs PyYAML (``pip install PyYAML``); JSON does not."""
    if isinstance(source, Mapping):
        return dict(source)
    text = source
    if isinstance(source, os.PathLike) or (isinstance(source, str) and "\n" not in source
                                           and os.path.exists(source)):
        with open(source, encoding="utf-8") as f:
            text = f.read()
    text = str(text)
    if text.lstrip().startswith("{"):
        import json
        return json.loads(text)
    try:
        import yaml
    except ImportError:  # pragma: no cover - PyYAML is in the test extras
        raise ImportError("a YAML mapping needs PyYAML: pip install PyYAML "
                          "(or give the mapping as JSON or a dict)") from None
    data = yaml.safe_load(text)
    if not isinstance(data, Mapping):
        raise _error("a mapping is a YAML mapping (sheet:, columns:, ...)")
    return dict(data)


def _col_index(ref: Any, what: str) -> int:
    """0-based column of "B" (or 2, 1-based)."""
    if isinstance(ref, int) and not isinstance(ref, bool) and ref >= 1:
        return ref - 1
    if isinstance(ref, str) and re.fullmatch(r"[A-Za-z]{1,3}", ref):
        n = 0
        for ch in ref.upper():
            n = n * 26 + ord(ch) - 64
        if n <= 16384:
            return n - 1
    raise _error(f"{what}: {ref!r} is not a column (a letter such as 'B', or a number from 1)")


def _col_name(c: int) -> str:
    s = ""
    c += 1
    while c:
        c, r = divmod(c - 1, 26)
        s = chr(65 + r) + s
    return s


def _norm(label: Optional[str]) -> str:
    return re.sub(r"\s+", " ", label or "").strip().casefold()


def _open_mapped(book, mapping, keys, required):
    """The mapping checked against its keys, and the sheet it names: (the
    mapping, the source, the sheet's name, its cells {(row, col): (kind,
    value, formula)}, its comments, the 0-based header rows, and the first
    and last data rows)."""
    m = load_mapping(mapping)
    unknown = set(m) - keys
    if unknown:
        raise _error(f"unknown mapping key(s): {', '.join(sorted(unknown))}")
    for key in required:
        if key not in m:
            raise _error(f"the mapping needs '{key}'")
    src = book if isinstance(book, (bytes, bytearray)) else os.fspath(book)
    sheet = m["sheet"]
    try:
        _merges, cells, comments = _xlsxread.cells(src, sheet)
    except KeyError:
        names = [n for n, _ in _xlsxread.sheets(src)]
        raise _error(f"the workbook has no sheet {sheet!r} (it has: {', '.join(names)})",
                     file=None if isinstance(src, (bytes, bytearray)) else src) from None
    sheet_name = sheet if isinstance(sheet, str) else _xlsxread.sheets(src)[sheet][0]
    grid: Dict[Tuple[int, int], Tuple[str, str, Optional[str]]] = {
        (r, c): (t, v, f) for r, c, t, v, f, _b, _i, _d in cells}
    nrows = max((r for r, *_ in cells), default=-1) + 1
    header_rows = [int(r) - 1 for r in (m.get("header_rows") or [])]
    first = int(m.get("first_row") or ((max(header_rows) + 2) if header_rows else 1)) - 1
    last = int(m["last_row"]) - 1 if m.get("last_row") else nrows - 1
    return m, src, sheet_name, grid, comments, header_rows, first, last


def _cell_text(grid, r: int, c: int) -> Optional[str]:
    cell = grid.get((r, c))
    if not cell or cell[0] == "empty":
        return None
    return cell[1].strip() or None


def _comments_not_kept(sheet_name: str, comments) -> List[str]:
    return [f"sheet '{sheet_name}', cell {_col_name(c)}{r + 1}: comment not kept"
            for (r, c), _note in sorted(comments.items())]


def import_table(book: Any, mapping: Any,
                 plan: Optional[Plan] = None) -> Tuple[Plan, Table, List[str]]:
    """Import one budget table from a workbook through a mapping.

    Parameters
    ----------
    book : path or bytes
        The workbook.
    mapping : dict, path or YAML/JSON text
        See docs/import.md.
    plan : planbook.Plan, optional
        The plan to add the table to (a new plan when None).

    Returns
    -------
    (plan, table, warnings)
        The plan, the new :class:`planbook.Table`, and what was skipped
        (one sentence each, naming the sheet and cell).  ``plan.check()``
        gives the findings: totals that do not add up.
    """

    m, src, sheet_name, grid, comments, header_rows, first, last = _open_mapped(
        book, mapping, _KEYS, ("sheet", "columns"))

    spec = dict(m.get("table") or {})
    bad = set(spec) - _TABLE_KEYS
    if bad:
        raise _error(f"unknown table key(s): {', '.join(sorted(bad))}")
    spec.setdefault("id", re.sub(r"[^A-Za-z0-9_]+", "_", sheet_name).strip("_").lower() or "table")
    spec.setdefault("title", sheet_name)
    label_col = _col_index(m.get("label_column", "A"), "label_column")

    def text(r, c):
        return _cell_text(grid, r, c)

    # columns
    plan = plan if plan is not None else Plan()
    columns: List[Dict[str, Any]] = []
    sheet_cols: List[int] = []
    for i, cspec in enumerate(m["columns"]):
        cspec = dict(cspec)
        bad = set(cspec) - _COLUMN_KEYS
        if bad:
            raise _error(f"columns[{i}]: unknown key(s): {', '.join(sorted(bad))}")
        c = _col_index(cspec.pop("column", None), f"columns[{i}].column")
        heads = [text(r, c) for r in header_rows]
        heads = [h for h in heads if h]
        if "period" not in cspec and "label" not in cspec and heads:
            # the first heading is the period when it reads as one, else the label
            try:
                probe = Plan(year_start=plan.year_start)
                probe.budgets.add("p", columns=[{"id": "p", "period": heads[0]}])
                cspec["period"] = heads[0]
            except PlanbookError:
                cspec["label"] = heads[0]
            if len(heads) > 1 and "phase" not in cspec:
                cspec["phase"] = heads[1]
        cspec.setdefault("id", f"col_{_col_name(c).lower()}")
        columns.append(cspec)
        sheet_cols.append(c)
    table = plan.budgets.add(spec.pop("id"), columns=columns, **spec)
    col_dec = [col.decimals for col in table.columns]

    sections = m.get("sections") or {}
    if isinstance(sections, list):
        sections = {s: {} for s in sections}
    sections = {_norm(k): (v or {}) for k, v in sections.items()}
    totals = m.get("totals") or []
    if isinstance(totals, Mapping):
        totals_map = {_norm(k): (v or {}) for k, v in totals.items()}
    else:
        totals_map = {_norm(k): {} for k in totals}
    pattern = re.compile(m.get("total_pattern", r"^(sub[- ]?)?totals?\b|^net\b"), re.I)
    skip = {_norm(s) for s in m.get("skip") or []}
    stop = {_norm(s) for s in m.get("stop") or []}

    warnings: List[str] = []
    current = None  # the open section row
    for r in range(first, last + 1):
        label = text(r, label_col)
        values: List[Any] = []
        any_value = False
        for ci, c in enumerate(sheet_cols):
            cell = grid.get((r, c))
            if not cell or cell[0] == "empty":
                values.append(None)
                continue
            kind, v, formula = cell
            if kind == "number":
                try:
                    scaled = _xlsxread.number(v, col_dec[ci])
                except ReadError as exc:
                    raise _error(f"{exc}", sheet=sheet_name, cell=f"{_col_name(c)}{r + 1}")
                values.append(Decimal(scaled).scaleb(-col_dec[ci]))
                any_value = True
            elif kind == "string":
                values.append(v.strip() or None)
                any_value = any_value or bool(v.strip())
            else:
                warnings.append(f"sheet '{sheet_name}', cell {_col_name(c)}{r + 1}: "
                                f"{kind} {v!r} is not an amount; left blank")
                values.append(None)
        if label is None and not any_value:
            continue  # a spacer row
        key = _norm(label)
        if key in stop:
            break
        if key in skip:
            continue
        where = f"sheet '{sheet_name}', row {r + 1}"
        try:
            if key in sections:
                if any_value:
                    warnings.append(f"{where}: figures on the section heading '{label}' not kept")
                current = table.add_section(label, role=sections[key].get("role"))
                continue
            if key in totals_map or pattern.search(label or ""):
                tspec = totals_map.get(key, {})
                # a total closes the open section and is its last row, unless
                # it is marked top-level or the section names another total
                named = sections.get(_norm(current.label), {}).get("total") if current else None
                inside = current is not None and not tspec.get("top") and \
                    (named is None or _norm(named) == key)
                table.add_total(label, values, section=current if inside else None,
                                printed=True, select=tspec.get("select"))
                if current is not None and (inside or tspec.get("top")):
                    current = None
                continue
            table.add_line(label, values, section=current, printed=True)
        except PlanbookError as exc:
            if getattr(exc, "sheet", None) is None:
                exc.sheet = sheet_name
            raise
    # merged cells (a title across the columns) are presentation: not kept,
    # not worth a warning
    warnings.extend(_comments_not_kept(sheet_name, comments))
    return plan, table, warnings


_IND_KEYS = {"sheet", "set", "header_rows", "first_row", "last_row", "ref_column", "name_column",
             "polarity_column", "unit_column", "unit", "columns", "targets", "thresholds", "skip",
             "stop"}
_IND_COLUMN_KEYS = {"column", "period", "scale"}


def _polarity(text: Optional[str]) -> str:
    """'Higher is better', 'High', 'up', '↑' -> high; the opposites -> low."""
    t = _norm(text)
    if not t:
        return "none"
    if t.startswith(("high", "up", "more", "bigger", "\u2191")):
        return "high"
    if t.startswith(("low", "down", "less", "fewer", "smaller", "\u2193")):
        return "low"
    return "none"


def import_indicators(book, mapping, plan=None):
    """Import an indicator set's measures and observations from a workbook
    through a mapping (docs/import.md, "Indicators").

    Returns ``(plan, indicator_set, warnings)``.  Figures are exact (the
    workbook's own number text, or text such as ``61.5%``, ``1,257``,
    ``n/a``, ``TBC`` as the YAML format reads it); ``scale: 100`` on a column
    turns fractions (0.615, a percentage cell) into points (61.5) exactly.
    """

    m, src, sheet_name, grid, comments, header_rows, first, last = _open_mapped(
        book, mapping, _IND_KEYS, ("sheet", "columns", "name_column"))

    def text(r, c):
        return _cell_text(grid, r, c)

    def where(r, c):
        return {"sheet": sheet_name, "cell": f"{_col_name(c)}{r + 1}"}

    def columns(key):
        out = []
        for i, cspec in enumerate(m.get(key) or []):
            cspec = dict(cspec)
            bad = set(cspec) - _IND_COLUMN_KEYS
            if bad:
                raise _error(f"{key}[{i}]: unknown key(s): {', '.join(sorted(bad))}")
            c = _col_index(cspec.get("column"), f"{key}[{i}].column")
            period = cspec.get("period")
            if period is None:
                heads = [h for h in (text(r, c) for r in header_rows) if h]
                if not heads:
                    raise _error(f"{key}[{i}]: no period given and no heading in the header rows",
                                 **where(header_rows[0] if header_rows else 0, c))
                period = heads[0]
            out.append((c, str(period), Decimal(str(cspec.get("scale", 1)))))
        return out

    results, targets = columns("columns"), columns("targets")
    thresholds = m.get("thresholds") or {}
    if set(thresholds) - {"good", "concern", "action"}:
        raise _error("thresholds: give the columns of good, concern and action")
    thr_cols = [(_col_index(thresholds[k], f"thresholds.{k}") if k in thresholds else None)
                for k in ("good", "concern", "action")]
    ref_col = _col_index(m["ref_column"], "ref_column") if m.get("ref_column") else None
    name_col = _col_index(m["name_column"], "name_column")
    pol_col = _col_index(m["polarity_column"], "polarity_column") if m.get("polarity_column") \
        else None
    unit_col = _col_index(m["unit_column"], "unit_column") if m.get("unit_column") else None

    plan = plan if plan is not None else Plan()
    spec = dict(m.get("set") or {})
    set_id = spec.pop("id", None) or \
        re.sub(r"[^A-Za-z0-9_]+", "_", sheet_name).strip("_").lower() or "indicators"
    spec.setdefault("title", sheet_name)
    periods: List[str] = []
    for _c, p, _s in results + targets:
        if p not in periods:
            periods.append(p)
    iset = plan.indicators.add(set_id, periods=periods, **spec)
    canonical = iset.periods  # the core's spelling, in the same order

    def figure(r, c, scale):
        """The cell as the observation's text: exact, scaled when asked."""
        cell = grid.get((r, c))
        if not cell or cell[0] == "empty":
            return None
        kind, v, _formula = cell
        v = v.strip()
        if kind == "number":
            d = Decimal(v)
            if scale != 1:
                d = (d * scale).normalize()
                # a spreadsheet's fraction (0.6150000000000001) to 15 digits
                d = Decimal(format(d, ".15g"))
            return format(d, "f")
        if kind == "string":
            return v or None
        return None

    skip = {_norm(s) for s in m.get("skip") or []}
    stop = {_norm(s) for s in m.get("stop") or []}
    warnings: List[str] = []
    seen = set()
    for r in range(first, last + 1):
        name = text(r, name_col)
        ref = text(r, ref_col) if ref_col is not None else None
        if _norm(name) in stop or _norm(ref) in stop:
            break
        if name is None or _norm(name) in skip:
            continue  # a spacer, a group heading without figures, or skipped
        has_figures = any(figure(r, c, s) is not None for c, _p, s in results + targets)
        if not has_figures and not any(text(r, c) for c in thr_cols if c is not None):
            warnings.append(f"sheet '{sheet_name}', row {r + 1}: '{name}' has no figures; "
                            "read as a heading, not a measure")
            continue
        ref = ref or f"r{r + 1}"
        if ref in seen:
            raise _error(f"a second measure with the reference '{ref}'", **where(r, ref_col or 0))
        seen.add(ref)
        unit = (text(r, unit_col) if unit_col is not None else None) or m.get("unit", "number")
        try:
            measure = iset.add(ref, name, unit=str(unit).lower(),
                               polarity=_polarity(text(r, pol_col)) if pol_col is not None
                               else "none")
            for c, p, s in results:
                v = figure(r, c, s)
                if v is not None:
                    measure.values[canonical[periods.index(p)]] = v
            for c, p, s in targets:
                v = figure(r, c, s)
                if v is not None:
                    measure.targets[canonical[periods.index(p)]] = v
            if any(c is not None for c in thr_cols):
                measure.thresholds = tuple(figure(r, c, Decimal(1)) if c is not None else None
                                           for c in thr_cols)
        except PlanbookError as exc:
            if getattr(exc, "sheet", None) is None:
                exc.sheet = sheet_name
                exc.cell = f"{_col_name(name_col)}{r + 1}"
            raise
    warnings.extend(_comments_not_kept(sheet_name, comments))
    return plan, iset, warnings
