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

``{{records.<collection>}}`` and ``{{records.<collection>.<item>}}`` refer
to a list carried as records: the collection's items, or the item's
children, rendered as the printed list, one ``- `` bullet a line (deeper
items indented two spaces a level; a reference indented on its own line
indents every line of the list, a sub-list), so a list is carried once, as records,
and printed in place.  After ``|``: ``paragraphs`` (one paragraph an item,
a blank line between) instead of ``bullets``, ``numbered`` to print each
item's id before it (``- 1. Increase ...``), ``ordered`` for a Markdown
ordered list of the ids (``1. The business priorities ...``), and the fields to print,
joined by a space where an item has them (``|title timescale`` prints
"Have achieved ... arrangements. 2008"), ``a/b`` for field ``a`` where the
item has it, else ``b`` (``|restated/title``); default: each item's ``text``,
else ``title``, else ``action``).  The core checks that each names a
collection, an item with children, and that every item listed has one of
the fields.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any, List, Optional

if TYPE_CHECKING:  # pragma: no cover
    from ._records import Record

REF = re.compile(r"\{\{([^{}|]*)(?:\|\s*([\w/-]+(?: +[\w/-]+)*)\s*)?\}\}")
#: fields a list reference prints, in order, when none is named
LIST_FIELDS = ("text", "title", "action")

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
        name = m.group(1).strip()
        if name.startswith("records."):
            listed = _list(plan, name[len("records."):], m.group(2) or "")
            if listed is None:
                return m.group(0)
            # a reference indented on its line indents the whole list (a sub-list)
            lead = m.string[m.string.rfind("\n", 0, m.start()) + 1:m.start()]
            if lead and not lead.strip():
                listed = "\n".join(lead + x if x and k else x
                                    for k, x in enumerate(listed.split("\n")))
            return listed
        parts = name.split(".", 2)
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


def _list(plan: Any, name: str, fmt: str) -> Optional[str]:
    """The list ``{{records.<name>|<fmt>}}`` names, as Markdown; None when
    it names nothing (the check reports it)."""
    cid, _, iid = name.partition(".")
    words = fmt.split()
    style = next((w for w in ("paragraphs", "ordered") if w in words), "bullets")
    numbered = "numbered" in words or style == "ordered"
    fields = [w for w in words if w not in ("bullets", "paragraphs", "numbered", "ordered")]
    try:
        coll = plan.records[cid]
        items: List[Record] = list(coll) if not iid else _descendants(coll[iid])
    except (KeyError, IndexError, TypeError, ValueError):
        return None
    if not items:
        return None
    base = min(r.depth for r in items)
    lines: List[str] = []
    for r in items:
        f = r.fields
        # each word a field, "restated/title" the first of those the item has
        keys = [next((a for a in w.split("/") if f.get(a)), None) for w in fields] \
            if fields else [k for k in LIST_FIELDS if k in f][:1]
        keys = [k for k in keys if k]
        if not keys:
            return None
        value = " ".join(f[k].strip() for k in keys)
        value = render(plan, value) if "{{records." not in value else value
        if numbered and r.id is not None:
            value = f"{r.id}. {value}"
        if style == "paragraphs":
            lines.append(value)
        elif style == "ordered":
            lines.append("   " * (r.depth - base) + value)
        else:
            lines.append("  " * (r.depth - base) + "- " + value)
    return ("\n\n" if style == "paragraphs" else "\n").join(lines)


def _descendants(record: Record) -> List[Record]:
    out: List[Record] = []
    for child in record.children:
        out.append(child)
        out.extend(_descendants(child))
    return out
