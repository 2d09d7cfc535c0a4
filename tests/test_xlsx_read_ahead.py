"""The dashboard sheets read ahead on a second thread (_xlsxread.ahead,
plugins/xlsxread/planbook_xlsxread/_xlsxread_ahead.c) while
planbook_xlsxread.read loads the plan from the structure sheet.

Real data: the shipped examples with indicator sets, written with
``plan.save``.  What the thread read is what a reading of the sheet gives
(values; formulas are read again where asked for); an error in a dashboard
or in a budget sheet while the thread reads says the sheet and cell as it
always did and leaves no file open; a workbook in memory reads the same.
"""

from __future__ import annotations

import io
import os
import pathlib
import re
import sys
import zipfile

import pytest

import planbook
import planbook_xlsxread
from planbook.errors import ReadError
from planbook_xlsxread import _xlsxread
from planbook_xlsxread._parts import CellError

ROOT = pathlib.Path(__file__).resolve().parent.parent
FAMILIES = ROOT / "examples" / "manchester-children-families-2015-17.yaml"
CHILDREN_2018 = ROOT / "examples" / "manchester-children-2018-19.yaml"


def _dashboards(path) -> list:
    """The sheets a defined name ind_... names, by the reader's own list."""
    _, _, parts = _xlsxread.read(os.fspath(path))
    return [sheet for kind, _, sheet in parts if kind == "indicators"]


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    path = tmp_path_factory.mktemp("ahead") / "families.xlsx"
    plan = planbook.load(FAMILIES)
    plan.save(path)
    return plan, path


def _open_files() -> set:
    if not sys.platform.startswith("linux"):
        pytest.skip("counts open files through /proc/self/fd")
    out = set()
    for n in os.listdir("/proc/self/fd"):
        try:
            out.add(os.readlink(f"/proc/self/fd/{n}"))
        except OSError:
            pass  # the listing's own descriptor, gone
    return out


def test_the_grids_read_ahead_are_the_sheets(book):
    """rows() of an Ahead's dashboard (the grid the thread read) equals
    rows() of the workbook; cells() (formulas) and the other sheets are
    read from the workbook; after close() the Ahead still reads."""
    _, path = book
    sheets = _dashboards(path)
    assert sheets  # the example has indicator sets
    ahead = _xlsxread.ahead(os.fspath(path))
    try:
        for sheet in sheets:
            assert _xlsxread.rows(ahead, sheet, "text", CellError) == \
                _xlsxread.rows(os.fspath(path), sheet, "text", CellError)
            merges, cells, comments = _xlsxread.cells(ahead, sheet)
            assert any(f for *_, f, _b, _i, _d in cells)  # RAG and direction formulas
            assert (merges, cells, comments) == _xlsxread.cells(os.fspath(path), sheet)
        assert _xlsxread.rows(ahead, "Contents") == _xlsxread.rows(os.fspath(path), "Contents")
        assert _xlsxread.sheets(ahead) == _xlsxread.sheets(os.fspath(path))
    finally:
        ahead.close()
    ahead.close()  # twice is harmless
    assert _xlsxread.rows(ahead, sheets[0], "text") == \
        _xlsxread.rows(os.fspath(path), sheets[0], "text")


def test_read_with_the_thread_is_the_plan(book):
    """The plan read back (dashboards compared with the grids read ahead)
    is the plan written, from the file and from its bytes."""
    plan, path = book
    back, found = planbook_xlsxread.read(path)
    assert back.dumps() == plan.dumps()
    assert found == []
    again, found = planbook_xlsxread.read(bytearray(path.read_bytes()))
    assert again.dumps() == plan.dumps() and found == []


def _damaged(path, out, sheet_name: str, old: str, new: str) -> None:
    """A copy of the workbook with `old` made `new` (once) in the XML of
    the sheet named `sheet_name`."""
    with zipfile.ZipFile(path) as z:
        wb = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
        rid = re.search(r'<sheet [^>]*name="%s"[^>]*r:id="([^"]+)"' % re.escape(sheet_name),
                        wb).group(1)
        target = re.search(r'Id="%s"[^>]*Target="([^"]+)"' % rid, rels) or \
            re.search(r'Target="([^"]+)"[^>]*Id="%s"' % rid, rels)
        part = "xl/" + target.group(1).lstrip("/").removeprefix("xl/")
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as w:
            for item in z.infolist():
                data = z.read(item.filename)
                if item.filename == part:
                    text = data.decode()
                    assert old in text
                    data = text.replace(old, new, 1).encode()
                w.writestr(item, data)
    out.write_bytes(buf.getvalue())


def test_error_in_a_dashboard_names_sheet_and_cell(book, tmp_path):
    """A dashboard the thread cannot read (a cell past column XFD) fails
    the load with the sheet and cell, as without the thread, from the file
    and from its bytes; no file is left open."""
    _, path = book
    sheet = _dashboards(path)[0]
    bad = tmp_path / "bad-dashboard.xlsx"
    _damaged(path, bad, sheet, '<c r="B5"', '<c r="XFE5"')
    before = _open_files()
    for source in (bad, bad.read_bytes()):
        with pytest.raises(ReadError) as e:
            planbook_xlsxread.read(source)
        assert e.value.sheet == sheet
        assert e.value.cell == "XFE5"
    with pytest.raises(ReadError) as e:
        planbook.load(bad)
    assert (e.value.sheet, e.value.cell) == (sheet, "XFE5")
    assert _open_files() == before


def test_error_in_a_budget_sheet_while_the_thread_reads(tmp_path):
    """A budget sheet that does not read fails the load on the caller's
    side while the dashboards are read ahead: the error names that sheet
    and cell, the thread is waited for and no file is left open."""
    plan = planbook.load(CHILDREN_2018)
    assert len(plan.budgets) and len(plan.indicators)
    path = tmp_path / "children.xlsx"
    plan.save(path)
    budget_sheet = next(name for name, _ in planbook_xlsxread.sheets(path)
                        if name not in ("Contents", "Findings", "planbook")
                        and name not in _dashboards(path))
    bad = tmp_path / "bad-budget.xlsx"
    _damaged(path, bad, budget_sheet, '<c r="A1"', '<c r="XFE1"')
    before = _open_files()
    with pytest.raises(ReadError) as e:
        planbook_xlsxread.read(bad)
    assert (e.value.sheet, e.value.cell) == (budget_sheet, "XFE1")
    assert _open_files() == before


def test_an_ahead_cannot_be_made_directly():
    with pytest.raises(TypeError):
        _xlsxread.Ahead()
    with pytest.raises(FileNotFoundError):
        _xlsxread.ahead(ROOT / "no-such-workbook.xlsx")
