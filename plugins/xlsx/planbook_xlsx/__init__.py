"""planbook's Excel format: a finance workbook written in C with
libxlsxwriter (registered for ``.xlsx`` through ``planbook.formats``).

Writing; ``planbook_xlsxread`` reads the workbooks back.  A hidden sheet
``planbook`` carries what the visible sheets cannot (docs/excel.md).
"""

from __future__ import annotations

import os

from planbook.plugin import Format, core_of

from . import _xlsx

__all__ = ["FORMAT", "XlsxFormat"]

LIBXLSXWRITER_VERSION = _xlsx.LIBXLSXWRITER_VERSION
# numbers in the shortest form that reads back to the same value (libxlsxwriter
# built with its dtoa: tools/build_deps.sh), else printf's %.16G
SHORTEST_NUMBERS = bool(_xlsx.SHORTEST_NUMBERS)


def _structure_yaml(plan):
    """The plan without its budget tables as YAML, for the workbook's hidden
    structure sheet (the budget sheets carry the tables; docs/excel.md)."""
    try:
        import planbook_yaml
    except ImportError:  # pragma: no cover - the YAML plugin ships with planbook
        return None
    return planbook_yaml.dumps(plan, budgets=False)


class XlsxFormat(Format):
    name = "xlsx"
    suffixes = (".xlsx",)

    def save(self, plan, path, *, constant_memory=True, cached_results=True):
        # libxlsxwriter's temporary files go beside the new file: in
        # planbook.save, that is the save's private folder, removed after it
        # (and after a kill, by the next save: docs/design.md, "Saving")
        directory = os.path.dirname(os.path.abspath(os.fspath(path)))
        _xlsx.write(core_of(plan), os.fspath(path), constant_memory=constant_memory,
                    cached_results=cached_results, tmpdir=directory,
                    structure=_structure_yaml(plan))

    def __repr__(self):
        return f"<planbook format xlsx (libxlsxwriter {LIBXLSXWRITER_VERSION})>"


FORMAT = XlsxFormat()
