"""Figures in the narrative: ``{{table.row.column}}`` in a record's text
refers to a budget table's cell and is rendered with the table's unit, so
prose cannot drift from the tables (docs/format.md, "Figures in the
narrative").  The core checks that every reference names a cell; this
renders them.

Formats, after a ``|``: for a money table (unit ``£'000``, ``£000``, ``£m``
or ``£``) the default is pounds in full (``£720,036,000``); ``k``, ``m``,
``million``, ``bn`` and ``billion`` scale it (``£720.036m``,
``£720.036 million``), exactly, without trailing zeros; ``printed`` is the
figure as the table prints it with its unit (``720,036 £'000``).  Other
units: the figure and the column's (else the table's) unit
(``2,691 FTE``).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Optional

REF = re.compile(r"\{\{([^{}|]*)(?:\|\s*([\w-]+)\s*)?\}\}")

_SCALE = {"k": (Decimal(1000), "k"), "m": (Decimal(10) ** 6, "m"),
          "million": (Decimal(10) ** 6, " million"), "bn": (Decimal(10) ** 9, "bn"),
          "billion": (Decimal(10) ** 9, " billion")}


def unit_pounds(unit: Optional[str]) -> Optional[Decimal]:
    """Pounds per unit of a money unit, as the core reads it; None if not money."""
    if not unit or "£" not in unit:
        return None
    rest = unit.split("£", 1)[1].lstrip("' ")
    if rest.startswith("000,000") or rest.startswith("m"):
        return Decimal(10) ** 6
    if rest.startswith("000") or rest.startswith("k"):
        return Decimal(1000)
    return Decimal(1) if not rest else None


def _plain(d: Decimal) -> str:
    """A Decimal with thousands separators and no trailing zeros."""
    d = d.normalize() if d != d.to_integral_value() else d.quantize(Decimal(1))
    whole, _, frac = f"{d:f}".partition(".")
    sign = "-" if whole.startswith("-") else ""
    whole = f"{int(whole.lstrip('-')):,}"
    return f"{sign}{whole}" + (f".{frac}" if frac else "")


def figure_text(value: Decimal, unit: Optional[str], fmt: Optional[str]) -> str:
    pounds = unit_pounds(unit)
    if pounds is None or fmt == "printed":
        return f"{_plain(value)} {unit}".strip() if unit else _plain(value)
    amount = value * pounds
    if fmt in _SCALE:
        scale, word = _SCALE[fmt]
        return f"£{_plain(amount / scale)}{word}"
    return f"£{_plain(amount)}"


def render(plan: Any, text: str) -> str:
    """The text with every ``{{table.row.column}}`` replaced by the cell's
    figure (printed, else computed); a reference that names no cell, or a
    cell without a figure, stays as written (the check reports it)."""

    def one(m: "re.Match[str]") -> str:
        parts = m.group(1).strip().split(".", 2)
        if len(parts) != 3:
            return m.group(0)
        tid, rid, cid = (p.strip() for p in parts)
        try:
            table = plan.budgets[tid]
            cell = table.rows[rid][cid]
        except (KeyError, IndexError, TypeError, ValueError):
            return m.group(0)
        value = cell.value if cell.value is not None else cell.computed
        if not isinstance(value, Decimal):
            return m.group(0)
        col = next((c for c in table.columns if c.id == cell.column), None)
        unit = (col.unit if col is not None and col.unit else None) or table.unit
        return figure_text(value, unit, m.group(2))

    return REF.sub(one, text) if "{{" in text else text
