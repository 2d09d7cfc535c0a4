"""planbook_csv: a plan's budget tables as one CSV file (an example of a
format plugin in C, written against planbook's public contract only).

Python's csv module reads and writes the text; the C extension ``_csv``
turns the records into a plan through planbook's C API and back.  What a
CSV file carries: the plan's metadata and year start, and each budget
table's id, title, decimals, columns (id, label, period, type, decimals)
and rows (kind, depth, role, label, each cell as printed).
"""

from __future__ import annotations

import csv
import io
import os

from planbook.plugin import Format, ReadError, core_of, plan_from_core

from . import _csv

__all__ = ["FORMAT", "CsvFormat"]


def _plan(text: str, file=None):
    try:
        core = _csv.build(list(csv.reader(io.StringIO(text))))
    except ReadError as exc:
        exc.file = file
        raise
    return plan_from_core(core, file, parts=("plan", "budgets"))


class CsvFormat(Format):
    name = "csv"
    suffixes = (".csv",)

    def load(self, path):
        with open(path, encoding="utf-8", newline="") as f:
            return _plan(f.read(), os.fspath(path))

    def loads(self, text):
        return _plan(text)

    def dumps(self, plan) -> str:
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(_csv.records(core_of(plan)))
        return out.getvalue()

    def save(self, plan, path):
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(self.dumps(plan))


FORMAT = CsvFormat()
