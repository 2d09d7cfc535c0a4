"""Numbers in the workbook's XML are the shortest form that reads back to the
same double (issue 18): libxlsxwriter built with its dtoa
(tools/build_deps.sh).  printf's ``%.16G`` writes the double nearest 83.21
as 83.20999999999999: the same double, but not the figure finance typed,
and longer for zlib and any other reader."""

from __future__ import annotations

import re
from decimal import Decimal
import zipfile

import pytest

import planbook
import planbook_xlsx

PLAN = """\
planbook: 1
plan:
  title: Shortest numbers
  organisation: Example Borough Council
  year_start: April
budgets:
  big:
    title: Large figures
    kind: subjective
    decimals: 2
    columns:
    - {id: y2024, period: 2024/25}
    - {id: y2025, period: 2025/26}
    rows:
    - line: Two decimals
      values: [83.21, 0.07]
    - line: Fifteen significant digits
      values: [1234567890123.45, '-19,999.99']
"""

needs_dtoa = pytest.mark.skipif(
    not planbook_xlsx.SHORTEST_NUMBERS,
    reason="libxlsxwriter from pkg-config (PLANBOOK_XLSXWRITER=system) prints %.16G")


def sheet_values(path):
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet2.xml").decode()
    return re.findall(r"<v>([^<]*)</v>", xml)


@needs_dtoa
def test_amounts_are_written_in_their_shortest_round_trip_form(tmp_path):
    plan = planbook.loads(PLAN)
    out = tmp_path / "big.xlsx"
    plan.save(out)
    values = sheet_values(out)
    # %.16G gave 83.20999999999999, 0.07000000000000001, -19999.99000000000
    for text in ("83.21", "0.07", "1234567890123.45", "-19999.99"):
        assert text in values
    for text in values:
        assert repr(float(text)) == text or text == str(int(float(text)))


@needs_dtoa
def test_the_largest_amounts_read_back_unchanged(tmp_path):
    plan = planbook.loads(PLAN)
    out = tmp_path / "big.xlsx"
    plan.save(out)
    back = planbook.load(out)
    assert list(planbook.diff(plan, back)) == []
    assert back.budgets["big"].rows[0]["y2024"].value == Decimal("83.21")
