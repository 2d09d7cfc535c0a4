"""The Excel writer against a reference workbook, part by part.

tests/data/golden/plan.yaml (a small plan touching every feature of the
layout: sections, totals and a select total, income printed negative, a sum
column, a one-decimal FTE column, nil and blank cells, parts, a text column,
an equals column, an agreement, a mismatch with its comment and finding, a
table note, a chart, a title over 31 characters, an apostrophe in a sheet
name, formula-looking text) is written to .xlsx and every part of the zip
is compared with tests/data/golden/plan.xlsx after normalising what varies
from run to run: only docProps/core.xml's created/modified dates (found by
writing twice, in another directory and time zone).

When the layout changes on purpose, regenerate the reference with
``tools/make_golden.py`` (see tests/data/golden/README.md).
"""

from __future__ import annotations

import time
import zipfile

import pytest

import planbook

import xlsx_tools as xt

REGENERATE = "if the change is intended, run tools/make_golden.py and review the diff"


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    path = tmp_path_factory.mktemp("xlsx_golden") / "plan.xlsx"
    xt.write_golden(path)
    return path


def test_reference_exists():
    assert xt.GOLDEN_PLAN.exists() and xt.GOLDEN_XLSX.exists(), REGENERATE


def test_every_part_matches_the_reference(fresh):
    diff = xt.diff_parts(xt.xlsx_parts(xt.GOLDEN_XLSX), xt.xlsx_parts(fresh))
    assert diff is None, f"{diff}\n({REGENERATE})"


def test_parts_in_the_same_order(fresh):
    with zipfile.ZipFile(xt.GOLDEN_XLSX) as a, zipfile.ZipFile(fresh) as b:
        assert a.namelist() == b.namelist(), REGENERATE


def test_reference_is_read_back_as_the_plan():
    """The reference itself is a correct workbook (so regenerating it from a
    broken writer is caught here too)."""
    openpyxl = pytest.importorskip("openpyxl")
    pytest.importorskip("python_calamine")
    plan = xt.golden_plan()
    wf, wv = xt.load_openpyxl(xt.GOLDEN_XLSX)
    cal = xt.load_calamine(xt.GOLDEN_XLSX)
    assert wf.sheetnames == xt.expected_sheet_names(plan)
    assert wf.sheetnames == ["Contents", "Subjective Summary", "service_activity",
                             "O'Brien's funding", "Findings", "planbook"]
    problems = []
    for tid, sheet in xt.table_sheets(plan, wf.sheetnames).items():
        problems += xt.compare_budget_sheet(plan, plan.budgets[tid], sheet, wf, wv, cal)
    assert not problems, "\n".join(problems)
    # the misprinted total, the line's equals and the Total row's (issue 17)
    assert len(plan.check()) == 3
    assert openpyxl is not None


def test_only_the_dates_vary(tmp_path):
    """Two writes a second apart differ in docProps/core.xml only, and only
    in what the normalisation removes."""
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    xt.write_golden(a)
    time.sleep(1.1)
    xt.write_golden(b)
    pa, pb = xt.xlsx_parts(a), xt.xlsx_parts(b)
    assert [n for n in pa if pa[n] != pb[n]] == ["docProps/core.xml"]
    assert xt.diff_parts(pa, pb) is None


def test_a_change_is_shown_as_a_diff(tmp_path):
    """The comparison bites: one text changed gives a unified diff of the
    sheet that holds it (and of nothing else)."""
    plan = xt.golden_plan()
    plan.budgets["funding"].rows["Revenues and Benefits"]["source"] = "+see nope"
    path = tmp_path / "changed.xlsx"
    from planbook_xlsx import FORMAT
    FORMAT.save(plan, path)
    diff = xt.diff_parts(xt.xlsx_parts(xt.GOLDEN_XLSX), xt.xlsx_parts(path))
    assert diff is not None
    assert diff.startswith("part xl/worksheets/sheet4.xml differs from the reference")
    assert "-<t>+see note</t>" in diff and "+<t>+see nope</t>" in diff
    assert planbook is not None
