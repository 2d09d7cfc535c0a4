"""planbook's Excel reader: .xlsx workbooks read in C (minizip, expat)
straight into the core.

Registered for reading ``.xlsx`` through ``planbook.formats`` (the writer,
``planbook_xlsx``, writes them): ``planbook.load("book.xlsx")`` reads a
workbook planbook wrote, edited or not, back into its plan.  What the
workbook holds that the plan cannot is reported as
:class:`planbook.errors.ReadWarning` warnings.  A workbook planbook did
not write is imported through a mapping: :func:`import_table`
(docs/import.md).  See docs/excel.md ("Reading workbooks").
"""

from __future__ import annotations

import os
import warnings
from typing import Any, List, Tuple, Union

from planbook.plugin import (BUDGETS_ONLY, PARTS, Format, PlanbookError, ReadError,
                             ReadWarning, core_of, plan_from_core)

from . import _xlsxread
from ._import import import_indicators, import_table, load_mapping

__all__ = ["FORMAT", "XlsxReadFormat", "read", "sheets", "rows", "import_table",
           "import_indicators", "load_mapping"]

LIBRARIES = _xlsxread.LIBRARIES


def read(source, **limits) -> Tuple[Any, List[str]]:
    """Read a workbook (a path or its bytes) into a plan.

    Returns ``(plan, warnings)``: a :class:`planbook.Plan` and one sentence
    for each thing in the workbook the plan does not hold (naming the sheet
    and cell).  ``limits`` override the reader's safety limits:
    ``max_entries``, ``max_part``, ``max_total``, ``max_ratio``, ``max_cells``.

    A workbook planbook wrote carries the plan without its budget tables on
    a hidden sheet (``planbook``): the plan is made from it, the budget
    tables are read from their sheets into it, and what finance changed on
    the dashboard, register and record sheets is applied to it
    (docs/excel.md, "Reading workbooks").
    """
    is_bytes = isinstance(source, (bytes, bytearray, memoryview))
    src = (source if isinstance(source, bytes) else bytes(source)) if is_bytes \
        else os.fspath(source)
    found: List[str] = []
    made: List[Any] = []

    def base(text):
        core = _structure_plan(text, found)
        made.append(core)
        return core

    # the dashboard sheets are read on a second thread meanwhile (the XML of
    # a big one takes longer than the plan's YAML); the sheets are compared
    # with the plan after (docs/decisions.md, "Reading dashboards ahead")
    ahead = _xlsxread.ahead(src)
    try:
        core, c_found, parts = _xlsxread.read(src, base, **limits)
        found.extend(c_found)
        file = None if is_bytes else os.fspath(source)
        # without planbook's structure sheet, the workbook carries the budget
        # tables only (planbook.diff then leaves the other parts out)
        plan = plan_from_core(core, file,
                              parts=PARTS if any(c is not None for c in made) else BUDGETS_ONLY)
        if parts:
            found.extend(_apply_part_sheets(plan, ahead, parts))
    finally:
        ahead.close()
    return plan, found


def _structure_plan(text: str, found: List[str]):
    """The plan the structure sheet's YAML describes (its core), or None
    (with a warning) when the YAML does not load."""
    import planbook_yaml
    try:
        return core_of(planbook_yaml.loads(text, "planbook!structure"))
    except PlanbookError as e:
        found.append(f"sheet 'planbook': the plan's structure does not read ({e}); "
                     "the workbook is read from its visible sheets only")
        return None


def _apply_part_sheets(plan, src, parts) -> List[str]:
    """Apply the edits on each indicator, register and record sheet; say
    which parts have no sheet left."""
    from ._parts import apply_edits
    found: List[str] = []
    seen = set()
    for kind, part_id, sheet in parts:
        seen.add((kind, part_id))
        if kind == "heatmap":
            continue  # counts of the register, worked out again
        # the workbook itself: a dashboard is compared with the plan in C
        found.extend(apply_edits(plan, kind, part_id, src, sheet))
    for kind, ids in (("indicators", plan.indicators), ("risks", plan.risks),
                      ("records", plan.records)):
        for part_id in ids:
            if (kind, part_id) not in seen:
                found.append(f"{kind} '{part_id}' has no sheet in the workbook (deleted?); "
                             "kept as planbook wrote it")
    return found


def sheets(source) -> List[Tuple[str, str]]:
    """The worksheets of a workbook: ``[(name, state), ...]`` in tab order."""
    return _xlsxread.sheets(source)


def rows(source: Any, sheet: Union[int, str] = 0, numbers: str = "float") -> List[List[Any]]:
    """A sheet's values as a list of rows (a rectangle, ``None`` where
    empty).  Numbers come as ``int``/``float``, or with ``numbers="text"``
    as the exact text the workbook holds.  An error value (``#N/A``) is a
    ``str`` of the subclass CellError, told apart from a text that reads
    the same."""
    from ._parts import CellError
    return _xlsxread.rows(source, sheet, numbers, CellError)


def _refuse_foreign(plan, path, found: List[str]) -> None:
    """A workbook that gave nothing and shows no sign of planbook (no
    structure sheet, no Contents and Findings sheets, no sheet named as one
    of a plan's parts) is not a planbook workbook: say so, and how to import
    it, instead of loading an empty plan that checks clean."""
    if plan.parts != BUDGETS_ONLY or len(plan.budgets):
        return
    if any("no planbook structure sheet" in m for m in found):
        return  # planbook's part sheets, without the structure: the warnings say so
    names = [name for name, _state in sheets(path)]
    if "Contents" in names and "Findings" in names:
        return  # planbook's, with no budget table left
    if "planbook" in names:
        first = rows(path, "planbook", "text")[:1]
        if first and first[0] and first[0][0] == "planbook structure":
            return  # planbook's, with a structure that does not read: the warnings say so
    shown = ", ".join(repr(n) for n in names[:5]) + (", ..." if len(names) > 5 else "")
    # what the reader passed over (a sheet its relationships do not place,
    # a missing part) may be why nothing was read: said with the refusal
    passed = [m for m in found if "is not a table planbook wrote" not in m]
    noted = f" (the reader noted: {'; '.join(passed[:3])})" if passed else ""
    raise ReadError(f"is not a planbook workbook: planbook did not write it (no structure "
                    f"sheet 'planbook'), and none of its sheets ({shown or 'none'}) is laid "
                    "out as a planbook table; import its tables with a mapping: "
                    f"planbook_xlsxread.import_table, see docs/import.md{noted}",
                    file=os.fspath(path), code="foreign")


class XlsxReadFormat(Format):
    """The reading side of ``.xlsx`` (``planbook_xlsx`` is the writing side)."""

    name = "xlsxread"
    suffixes = (".xlsx",)

    def load(self, path):
        plan, found = read(path)
        _refuse_foreign(plan, path, found)
        for message in found:
            warnings.warn(f"{os.fspath(path)}: {message}", ReadWarning, stacklevel=3)
        return plan

    def __repr__(self):
        return f"<planbook format xlsxread ({LIBRARIES})>"


FORMAT = XlsxReadFormat()
