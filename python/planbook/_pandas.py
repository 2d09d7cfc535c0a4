"""pandas interop (optional: planbook does not need pandas to import)."""

from __future__ import annotations


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


def table_to_pandas(table, form: str = "long"):
    pd = require_pandas("Table.to_pandas")
    if form not in ("long", "wide"):
        raise ValueError("form is 'long' or 'wide'")
    c, t = table._plan._c, table._t
    cols = table.columns
    rows = c.rows(t)
    cells = table.cells()
    # section label of each row
    section = []
    for r, rt in enumerate(rows):
        parent = rt[7]
        while parent is not None and rows[parent][0] != "section":
            parent = rows[parent][7]
        section.append(rows[parent][1] if parent is not None else None)
    if form == "long":
        records = []
        for r, (rt, row_cells) in enumerate(zip(rows, cells)):
            if rt[0] == "section":
                continue
            for col, cell in zip(cols, row_cells):
                records.append({
                    "table": table.id, "row": r, "label": rt[1], "row_id": rt[2],
                    "kind": "part" if rt[9] else rt[0], "role": rt[6], "section": section[r],
                    "depth": rt[8], "column": col.id, "period": col.period, "phase": col.phase,
                    "measure": col.measure, "state": cell.state,
                    "printed": cell.printed, "value": cell.value, "computed": cell.computed,
                    "difference": cell.difference})
        df = pd.DataFrame.from_records(records, columns=[
            "table", "row", "label", "row_id", "kind", "role", "section", "depth", "column",
            "period", "phase", "measure", "state", "printed", "value", "computed", "difference"])
        return df
    data = {"label": [rt[1] for rt in rows],
            "kind": ["part" if rt[9] else rt[0] for rt in rows],
            "depth": [rt[8] for rt in rows]}
    for i, col in enumerate(cols):
        data[col.id] = [row_cells[i].shown for row_cells in cells]
    df = pd.DataFrame(data)
    df.index.name = "row"
    return df
