"""planbook's Excel format: a finance workbook written in C with
libxlsxwriter (registered for ``.xlsx`` through ``planbook.formats``).

Writing only: reading workbooks back is a later issue.  See
docs/excel.md for the layout.
"""

from __future__ import annotations

import os

from . import _xlsx

__all__ = ["FORMAT", "XlsxFormat"]

LIBXLSXWRITER_VERSION = _xlsx.LIBXLSXWRITER_VERSION


class XlsxFormat:
    name = "xlsx"
    suffixes = (".xlsx",)

    def save(self, plan, path, *, constant_memory=True, cached_results=True):
        directory = os.path.dirname(os.path.abspath(os.fspath(path)))
        _xlsx.write(plan._c, os.fspath(path), constant_memory=constant_memory,
                    cached_results=cached_results, tmpdir=directory)

    def __repr__(self):
        return f"<planbook format xlsx (libxlsxwriter {LIBXLSXWRITER_VERSION})>"


FORMAT = XlsxFormat()
