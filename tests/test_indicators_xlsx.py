"""The dashboard sheets of the Excel writer: layout, cached statuses equal
to the engine's, conditional formats from the thresholds, and a workbook
edited as finance would (a result changed, recalculated by LibreOffice)
whose statuses follow the edit."""

from __future__ import annotations

import pathlib
from decimal import Decimal

import pytest

import planbook
import xlsx_tools as xt

openpyxl = pytest.importorskip("openpyxl")

ROOT = pathlib.Path(__file__).resolve().parent.parent
CF = ROOT / "examples" / "manchester-children-families-2015-17.yaml"


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    plan = planbook.load(CF)
    path = tmp_path_factory.mktemp("dash") / "cf.xlsx"
    plan.save(path)
    return plan, path


def dash(wb, plan, sid):
    names = xt.expected_sheet_names(plan)
    return wb[names[1 + len(plan.budgets) + list(plan.indicators).index(sid)]]


def test_dashboard_layout_and_cached_statuses(book):
    plan, path = book
    wb = openpyxl.load_workbook(path)            # formulas
    wv = openpyxl.load_workbook(path, data_only=True)   # cached results
    assert wb.sheetnames == xt.expected_sheet_names(plan)
    s = plan.indicators["children"]
    ws, wsv = dash(wb, plan, "children"), dash(wv, plan, "children")
    assert ws["A1"].value == s.title
    heads = [c.value for c in ws[4]]
    assert heads[:8] == ["Group", "Ref", "Measure", "Better if", "Unit", "Good", "Of concern",
                         "Action required"]
    assert heads[8:8 + len(s.periods)] == s.periods
    assert heads[8 + len(s.periods):8 + len(s.periods) + 4] == [
        "Target 2014/15 Q3", "RAG", "Better than last?", "Better than target?"]
    assert "Better than England?" in heads
    rows = s.status()
    assert len(rows) == 24
    for i, st in enumerate(rows):
        r = 5 + i
        m = s[st.ref]
        assert ws.cell(r, 2).value == st.ref
        assert ws.cell(r, 3).value == m.name
        assert ws.cell(r, 4).value == m.polarity
        for k, p in enumerate(s.periods):
            o = m.values[p]
            got = ws.cell(r, 9 + k).value
            if o.value is None:
                assert got in (None, ""), (st.ref, p, got)
            else:
                assert xt.as_decimal(got) == o.value, (st.ref, p)
        rag = ws.cell(r, 10 + len(s.periods))
        assert isinstance(rag.value, str) and rag.value.startswith("=IF(")
        assert (wsv.cell(r, 10 + len(s.periods)).value or "") == st.symbol
        assert (wsv.cell(r, 11 + len(s.periods)).value or "") == \
            (f"{st.arrow} {st.last}" if st.arrow else "")
        reason = ws.cell(r, ws.max_column).value
        assert reason.startswith(st.rag_reason)
    # "Not available" thresholds are carried as printed
    assert ws.cell(5, 6).value == "Not available"


def test_conditional_formats_cover_the_results_from_the_rows_thresholds(book):
    plan, path = book
    wb = openpyxl.load_workbook(path)
    ws = dash(wb, plan, "children")
    np_ = len(plan.indicators["children"].periods)
    rules = {}
    for rng in ws.conditional_formatting:
        for rule in rng.rules:
            rules.setdefault(str(rng.sqref), []).append(rule)
    last_col = openpyxl.utils.get_column_letter(8 + np_)
    results = rules[f"I5:{last_col}28"]
    assert [r.type for r in results] == ["expression"] * 3
    assert all(r.stopIfTrue for r in results)
    assert 'AND(ISNUMBER(I5),ISNUMBER($F5),OR(AND($D5="high",I5>=$F5),' \
           'AND($D5="low",I5<=$F5)))' in results[0].formula[0]
    assert "$G5" in results[1].formula[0]
    rag_col = openpyxl.utils.get_column_letter(10 + np_)
    words = rules[f"{rag_col}5:{rag_col}28"]
    assert [r.text for r in words] == ["green", "amber", "red"]
    fills = [r.dxf.fill.bgColor.rgb[-6:] for r in results]
    assert fills == ["C6EFCE", "FFEB9C", "FFC7CE"]


@pytest.mark.skipif(xt.soffice() is None, reason="LibreOffice is not installed")
def test_an_edited_result_recolours_after_recalculation(book, tmp_path):
    """Finance changes 1.3's Q3 result from 80.9 to 40.0: LibreOffice
    recalculates the workbook and the RAG and arrow follow (green, better),
    as the engine says for the same edit."""
    plan, path = book
    wb = openpyxl.load_workbook(path)
    ws = dash(wb, plan, "children")
    s = plan.indicators["children"]
    i = [st.ref for st in s.status()].index("1.3")
    q3 = 9 + s.periods.index("2014/15 Q3")
    assert ws.cell(5 + i, q3).value == 80.9
    ws.cell(5 + i, q3).value = 40.0
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    out = xt.libreoffice_convert([edited], tmp_path / "out")[0]
    wr = openpyxl.load_workbook(out, data_only=True)
    wsr = wr[ws.title]
    np_ = len(s.periods)
    # the engine on the same edit
    again = planbook.loads(planbook.dumps(plan))
    again.indicators["children"]["1.3"].values["2014/15 Q3"] = "40.0"
    st = again.indicators["children"]["1.3"].status()
    assert (st.rag, st.last) == ("green", "better")
    assert wsr.cell(5 + i, 10 + np_).value == st.symbol
    assert wsr.cell(5 + i, 11 + np_).value == f"{st.arrow} {st.last}"
    # an untouched row keeps its status
    j = [x.ref for x in s.status()].index("1.1")
    assert wsr.cell(5 + j, 10 + np_).value == "\u2716 red"


def test_a_plan_of_indicators_only_and_findings_link_to_the_dashboard(tmp_path):
    p = planbook.examples.load("manchester-childrens-services-2016-20")
    out = tmp_path / "003.xlsx"
    p.save(out)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == xt.expected_sheet_names(p)
    contents = wb["Contents"]
    col_a = [c.value for c in contents["A"]]
    assert "Dashboards" in col_a
    # a misprinted arrow: the Findings sheet links to its row on the dashboard
    plan = planbook.load(CF)
    plan.indicators["children"]["1.1"].set_printed("last", "down")
    path = tmp_path / "f.xlsx"
    plan.save(path)
    wf = openpyxl.load_workbook(path)
    fs = wf["Findings"]
    row = next(r for r in fs.iter_rows(min_row=5) if r[1].value == "status")
    assert row[2].value == "children" and row[3].value == "1.1" and row[4].value == "2014/15 Q3"
    # 1.1 is the second measure (row 6); 2014/15 Q3 the fourth period (column L)
    assert row[9].hyperlink.location == "'children'!L6"
    assert "printed down (worse)" in row[8].value
