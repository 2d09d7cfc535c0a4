"""pandas interop (optional: planbook does not need pandas to import)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Dict, List, Optional, Sequence, Tuple


def require(module: str, feature: str, extra: str):
    """An optional dependency, imported; else an ImportError that says what
    needs it and how to install it (``pip install 'planbook[extra]'``)."""
    import importlib
    try:
        return importlib.import_module(module)
    except ImportError as exc:  # pragma: no cover - depends on the environment
        name = module.split(".")[0]
        raise ImportError(f"{feature} needs {name}: pip install {name} "
                          f"(or pip install 'planbook[{extra}]')") from exc


def require_pandas(feature: str):
    return require("pandas", feature, "pandas")


#: How amounts come out of ``Table.to_pandas``: ``int`` (pandas' nullable
#: Int64, in units of the table's scale: ``df.attrs["scale"]`` decimals),
#: ``float`` (float64, NaN for a blank) or ``decimal`` (exact
#: :class:`decimal.Decimal` objects, None for a blank).
AMOUNTS = ("int", "float", "decimal")
#: How indicator figures come out: ``float``, ``decimal`` or ``printed`` (text).
FIGURES = ("float", "decimal", "printed")


def _choice(name: str, value: str, choices: Tuple[str, ...]) -> str:
    if value not in choices:
        raise ValueError(f"{name} is {', '.join(map(repr, choices[:-1]))} or "
                         f"{choices[-1]!r}, not {value!r}")
    return value


def numbers(pd: Any, values: Sequence[Optional[Decimal]], how: str, scale: int = 0) -> Any:
    """One column of amounts or figures (Decimals, None for a blank) in the
    dtype asked for: ``int`` (nullable Int64, scaled by ``10**scale``),
    ``float`` (float64, NaN for a blank) or ``decimal`` (object, exact).
    The one place where planbook's frames get their number dtypes."""
    if how == "decimal":
        return pd.array(list(values), dtype=object)
    if how == "float":
        return pd.array([float("nan") if v is None else float(v) for v in values],
                        dtype="float64")
    ints = [None if v is None else int(v.scaleb(scale)) for v in values]
    if any(v is not None and not -2**63 <= v < 2**63 for v in ints):
        raise OverflowError("an amount is beyond 64 bits at the table's scale: "
                            "to_pandas(amounts='decimal') gives it exactly")
    return pd.array(ints, dtype="Int64")


_AMOUNT_FIELDS = ("printed", "value", "computed", "difference")


def table_to_pandas(table: Any, form: str = "long", amounts: str = "int") -> Any:
    pd = require_pandas("Table.to_pandas")
    _choice("form", form, ("long", "wide"))
    _choice("amounts", amounts, AMOUNTS)
    c, t = table._plan._c, table._t
    cols = table.columns
    rows = c.rows(t)
    cells = table.cells()
    scale = max([table.decimals] + [col.decimals for col in cols if col.type != "text"])
    attrs = {"table": table.id, "unit": table.unit, "scale": scale, "amounts": amounts}
    # section label of each row
    section: List[Optional[str]] = []
    for r, rt in enumerate(rows):
        parent = rt[7]
        while parent is not None and rows[parent][0] != "section":
            parent = rows[parent][7]
        section.append(rows[parent][1] if parent is not None else None)
    if form == "long":
        records: List[Dict[str, Any]] = []
        amount: Dict[str, List[Optional[Decimal]]] = {k: [] for k in _AMOUNT_FIELDS}
        for r, (rt, row_cells) in enumerate(zip(rows, cells)):
            if rt[0] == "section":
                continue
            for col, cell in zip(cols, row_cells):
                text = cell.printed if cell.state == "text" else None
                records.append({
                    "table": table.id, "row": r, "label": rt[1], "row_id": rt[2],
                    "kind": "part" if rt[9] else rt[0], "role": rt[6], "section": section[r],
                    "depth": rt[8], "column": col.id, "period": col.period, "phase": col.phase,
                    "measure": col.measure, "state": cell.state, "text": text})
                for k in _AMOUNT_FIELDS:
                    amount[k].append(None if text is not None else getattr(cell, k))
        df = pd.DataFrame.from_records(records, columns=[
            "table", "row", "label", "row_id", "kind", "role", "section", "depth", "column",
            "period", "phase", "measure", "state", "text"])
        for k in _AMOUNT_FIELDS:
            df.insert(len(df.columns) - 1, k, numbers(pd, amount[k], amounts, scale))
        df.attrs.update(attrs)
        return df
    data: Dict[str, Any] = {"label": [rt[1] for rt in rows],
                            "kind": ["part" if rt[9] else rt[0] for rt in rows],
                            "depth": [rt[8] for rt in rows]}
    for i, col in enumerate(cols):
        shown = [row_cells[i].shown for row_cells in cells]
        data[col.id] = (pd.array(shown, dtype=object) if col.type == "text"
                        else numbers(pd, shown, amounts, scale))
    df = pd.DataFrame(data)
    df.index.name = "row"
    df.attrs.update(attrs)
    return df
