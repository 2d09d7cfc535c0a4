"""planbook's Excel reader: .xlsx workbooks read in C (libzip, expat)
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
from typing import Any, List, Tuple

from . import _xlsxread
from ._import import import_table, load_mapping

__all__ = ["FORMAT", "XlsxReadFormat", "read", "sheets", "rows", "import_table",
           "load_mapping"]

LIBRARIES = _xlsxread.LIBRARIES


def read(source, **limits) -> Tuple[Any, List[str]]:
    """Read a workbook (a path or its bytes) into a plan.

    Returns ``(plan, warnings)``: a :class:`planbook.Plan` and one sentence
    for each thing in the workbook the plan does not hold (naming the sheet
    and cell).  ``limits`` override the reader's safety limits:
    ``max_entries``, ``max_part``, ``max_total``, ``max_ratio``, ``max_cells``.
    """
    from planbook import Plan
    core, found = _xlsxread.read(source if isinstance(source, (bytes, bytearray, memoryview))
                                 else os.fspath(source), **limits)
    file = None if isinstance(source, (bytes, bytearray, memoryview)) else os.fspath(source)
    return Plan._wrap(core, file), found


def sheets(source) -> List[Tuple[str, str]]:
    """The worksheets of a workbook: ``[(name, state), ...]`` in tab order."""
    return _xlsxread.sheets(source)


def rows(source, sheet=0, numbers: str = "float") -> List[list]:
    """A sheet's values as a list of rows (a rectangle, ``None`` where
    empty).  Numbers come as ``int``/``float``, or with ``numbers="text"``
    as the exact text the workbook holds."""
    return _xlsxread.rows(source, sheet, numbers)


class XlsxReadFormat:
    """The reading side of ``.xlsx`` (``planbook_xlsx`` is the writing side)."""

    name = "xlsxread"
    suffixes = (".xlsx",)

    def load(self, path):
        from planbook.errors import ReadWarning
        plan, found = read(path)
        for message in found:
            warnings.warn(f"{os.fspath(path)}: {message}", ReadWarning, stacklevel=3)
        return plan

    def __repr__(self):
        return f"<planbook format xlsxread ({LIBRARIES})>"


FORMAT = XlsxReadFormat()
