"""The workbook's formulas, recalculated by a real spreadsheet engine.

Each example is written with cached_results=False (every formula caches 0),
opened by LibreOffice headless with a private profile that recalculates
OOXML formulas on load (OOXMLRecalcMode = 0, "always"), and saved again;
every formula cell's recalculated value must equal the core's figure (as
printed).  One soffice run converts all the workbooks.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

import planbook

openpyxl = pytest.importorskip("openpyxl")

import xlsx_tools as xt  # noqa: E402

if xt.soffice() is None:
    pytest.skip("LibreOffice (soffice) is not installed: cannot recalculate the workbooks",
                allow_module_level=True)

from planbook_xlsx import FORMAT  # noqa: E402


def _part_sign_plan():
    """A part printed with another sign than its line (an income part of an
    expenditure line in an income_sign: negative table)."""
    plan = planbook.Plan(title="Parts with their own sign")
    t = plan.budgets.add("parts", title="Parts", income_sign="negative",
                         columns=[{"id": "y1"}])
    line = t.add_line("Service", [None], role="expenditure")
    t.add_line("Fees", [10], section=line, role="income")
    t.add_line("Costs", [30], section=line)
    t.add_total("Total", [None])
    return plan


PLANS = {name: (lambda name=name: planbook.examples.load(name)) for name in xt.EXAMPLES}
PLANS["golden"] = xt.golden_plan
PLANS["part-sign"] = _part_sign_plan


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory):
    """name -> (plan, written workbook, recalculated workbook); one soffice run."""
    src = tmp_path_factory.mktemp("xlsx_nocache")
    out = tmp_path_factory.mktemp("xlsx_recalc")
    plans, paths = {}, []
    for name, make in PLANS.items():
        plan = make()
        path = src / f"{name}.xlsx"
        FORMAT.save(plan, path, cached_results=False)
        plans[name] = plan
        paths.append(path)
    converted = xt.libreoffice_convert(paths, out, recalc=True, timeout=240)
    return {name: (plans[name], src / f"{name}.xlsx", conv)
            for name, conv in zip(PLANS, converted)}


def _close(value, expected: Decimal, decimals: int) -> bool:
    """A recalculated float equals the exact figure: binary floating point
    may leave noise far below the column's last decimal, nothing more."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return False
    got = xt.as_decimal(value)
    return abs(got - expected) <= Decimal(1).scaleb(-(decimals + 6)) * max(1, abs(expected))


def _check(name, recalculated):
    plan, written, converted = recalculated[name]
    wf = openpyxl.load_workbook(written)
    w0 = openpyxl.load_workbook(written, data_only=True)
    wr = openpyxl.load_workbook(converted, data_only=True)
    sheets = xt.table_sheets(plan, wf.sheetnames)
    assert openpyxl.load_workbook(converted).sheetnames == wf.sheetnames

    # the figure each formula cell must come to
    expected = {}
    for tid, sheet in sheets.items():
        for key, e in xt.expected_budget_sheet(plan, plan.budgets[tid]).items():
            if e.kind == "formula":
                expected[(sheet, key)] = (e.value, e.decimals, e.what)
    contents = wf["Contents"]
    col_a = [contents.cell(r, 1).value for r in range(1, contents.max_row + 1)]
    r = col_a.index("Headline figures") + 2
    for text, formula, value in xt.headline_rows(plan, sheets):
        if formula is not None:
            expected[("Contents", (r, 2))] = (value, 0, f"headline {text}")
        r += 1

    # the dashboards: each status formula must come to the engine's answer
    dash_sheets = wf.sheetnames[1 + len(plan.budgets):-1]
    for sid, sheet in zip(plan.indicators, dash_sheets):
        iset = plan.indicators[sid]
        if iset.report_period is None:
            continue
        npd = len(iset.periods)
        c_rag = 9 + npd + 1   # 1-based: periods from column I, then target, RAG,
        for i, st in enumerate(iset.status()):  # last, against target
            if st.role != "measure":
                continue
            row = 5 + i
            expected[(sheet, (row, c_rag))] = (st.symbol, None, f"{sid} {st.ref} RAG")
            if st.last_period is not None:
                expected[(sheet, (row, c_rag + 1))] = (
                    (st.arrow + " " + st.last) if st.arrow else "", None, f"{sid} {st.ref} last")
            tgt = {"better": "\u2191 better", "worse": "\u2193 worse"}.get(st.target, "")
            expected[(sheet, (row, c_rag + 2))] = (tgt, None, f"{sid} {st.ref} target")

    # risk registers: scores, RAG words and the heat map's counts
    names = wf.sheetnames
    base = 1 + len(plan.budgets) + len(plan.indicators)
    lmax, imax = plan.risk_matrix
    for k, rid in enumerate(plan.risks):
        reg, sheet, heat = plan.risks[rid], names[base + 2 * k], names[base + 2 * k + 1]
        heads = {c.value: c.column for c in wf[sheet][4] if c.value}
        for kind in ("inherent", "current", "target"):
            col = heads.get(f"{kind.capitalize()} Score")
            for i, risk in enumerate(reg):
                sc = getattr(risk, kind)
                if col is None or sc is None:
                    continue
                if sc.likelihood and sc.impact:
                    expected[(sheet, (5 + i, col))] = (Decimal(sc.value), 0, f"{rid} {risk.id}")
                if sc.value:
                    word = {"green": "\u2714 green", "amber": "\u25b2 amber",
                            "red": "\u2716 red"}[sc.rag]
                    expected[(sheet, (5 + i, col + 1))] = (word, None, f"{rid} {risk.id} RAG")
        if any(r.current for r in reg):
            grid = reg.matrix("current")
            for l in range(1, lmax + 1):
                for im in range(1, imax + 1):
                    expected[(heat, (5 + lmax - l, 1 + im))] = (
                        Decimal(grid[l - 1][im - 1]), 0, f"heat map {rid} L{l} I{im}")
    # records: the overdue flag, as of today
    import datetime
    today = datetime.date.today()
    base += 2 * len(plan.risks)
    for k, cid in enumerate(plan.records):
        coll, sheet = plan.records[cid], names[base + k]
        heads = {c.value: c.column for c in wf[sheet][4] if c.value}
        col = heads.get("Overdue?")
        overdue = {r.index for r in coll.overdue(today)}
        for i, r in enumerate(coll):
            if col is not None and r.due is not None:
                expected[(sheet, (5 + i, col))] = ("overdue" if i in overdue else "", None,
                                                   f"{cid} {r.id} overdue")

    problems, nformulas = [], 0
    for ws in wf.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type != "f":
                    continue
                nformulas += 1
                key = (ws.title, (cell.row, cell.column))
                where = f"{ws.title}!{cell.coordinate} {cell.value}"
                # written without cached results: LibreOffice had to compute it
                assert w0[ws.title][cell.coordinate].value == 0, where
                if key not in expected:
                    problems.append(f"{where}: a formula where the core computes nothing")
                    continue
                value, decimals, what = expected.pop(key)
                got = wr[ws.title][cell.coordinate].value
                if isinstance(value, str):
                    if (got or "") != value:
                        problems.append(f"{where} ({what}): LibreOffice gives {got!r}, "
                                        f"the engine {value!r}")
                    continue
                if not _close(got, value, decimals):
                    problems.append(f"{where} ({what}): LibreOffice gives {got!r}, "
                                    f"the core {value}")
    missing = [f"{s}!{xt.cell_name(*k)} ({v[2]})" for (s, k), v in expected.items()]
    assert not missing, "no formula where the core computes: " + ", ".join(missing[:20])
    assert nformulas > 0
    assert not problems, "\n".join(problems[:40])
    return nformulas


@pytest.mark.parametrize("name", xt.EXAMPLES + ["golden"])
def test_recalculated_formulas_equal_the_core(name, recalculated):
    assert _check(name, recalculated) > 0


def test_without_recalculation_the_formulas_stay_zero(tmp_path):
    """The control: with OOXMLRecalcMode = 1 ("never") LibreOffice keeps the
    cached zeros, so the test above really sees recalculated figures."""
    plan = planbook.examples.load(xt.EXAMPLES[0])
    path = tmp_path / "never.xlsx"
    FORMAT.save(plan, path, cached_results=False)
    (conv,) = xt.libreoffice_convert([path], tmp_path / "out", recalc=False, timeout=120)
    wf = openpyxl.load_workbook(path)
    wr = openpyxl.load_workbook(conv, data_only=True)
    formulas = [(ws.title, c.coordinate) for ws in wf.worksheets for row in ws.iter_rows()
                for c in row if c.data_type == "f"]
    assert formulas
    assert [wr[s][c].value for s, c in formulas] == [0] * len(formulas)


def test_part_printed_with_another_sign(recalculated):
    _check("part-sign", recalculated)
