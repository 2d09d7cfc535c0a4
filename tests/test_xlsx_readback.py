"""The Excel writer, read back: every cell of every budget sheet of each
shipped example against the model (openpyxl for formulas, openpyxl
data_only for cached results, python-calamine for values), the Contents and
Findings sheets, comments, defined names and document properties; and the
writer's guards (text never a formula, the 15-digit limit, sheet names).
"""

from __future__ import annotations

import os
from decimal import Decimal

import pytest

import planbook

openpyxl = pytest.importorskip("openpyxl")
pytest.importorskip("python_calamine")

import xlsx_tools as xt  # noqa: E402


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """Each example's plan and workbook (written once with plan.save), and
    the golden plan's (tests/data/golden/plan.yaml: decimals, select totals,
    income printed negative with an income total, a chart)."""
    out = {}
    d = tmp_path_factory.mktemp("xlsx_readback")
    for name in xt.EXAMPLES + ["golden"]:
        plan = planbook.examples.load(name) if name != "golden" else xt.golden_plan()
        path = d / f"{name}.xlsx"
        plan.save(path)
        wf, wv = xt.load_openpyxl(path)
        out[name] = (plan, path, wf, wv, xt.load_calamine(path))
    return out


@pytest.fixture(params=xt.EXAMPLES + ["golden"])
def example(request, written):
    return written[request.param]


# ------------------------------------------------------------ the sheets

def test_sheet_names(example):
    plan, path, wf, wv, cal = example
    expected = xt.expected_sheet_names(plan)
    assert wf.sheetnames == expected
    assert xt.sheet_order(path) == expected
    assert list(cal) == expected
    for name in expected:
        assert xt.valid_sheet_name(name), name
    # each budget sheet carries its table's title
    for tid, sheet in xt.table_sheets(plan, wf.sheetnames).items():
        t = plan.budgets[tid]
        assert wf[sheet]["A1"].value == (t.title or tid)


def test_every_budget_cell(example):
    """Labels, numbers as printed, formulas with the core's figures as their
    cached results, text, blanks: every cell, through both readers."""
    plan, path, wf, wv, cal = example
    problems = []
    ncells = 0
    for tid, sheet in xt.table_sheets(plan, wf.sheetnames).items():
        problems += xt.compare_budget_sheet(plan, plan.budgets[tid], sheet, wf, wv, cal)
        ncells += len(xt.expected_budget_sheet(plan, plan.budgets[tid]))
    assert ncells > 40
    assert not problems, "\n".join(problems[:40])


def test_formulas_and_numbers_are_where_the_core_computes(example):
    """Counted the other way round: a formula exactly where the core has a
    computed figure, a plain number where it has a printed one only."""
    plan, path, wf, wv, cal = example
    nformulas = 0
    for tid, sheet in xt.table_sheets(plan, wf.sheetnames).items():
        t = plan.budgets[tid]
        ws = wf[sheet]
        for r, cells in enumerate(t.cells()):
            for c, cell in enumerate(cells):
                xc = ws.cell(*xt.model_cell(r, c))
                v = xc.value
                is_formula = xc.data_type == "f"
                assert not is_formula or v.startswith("=")
                if t.rows[r].kind == "section" or cell.state == "text":
                    assert not is_formula
                    continue
                assert is_formula == (cell.computed is not None), (sheet, r, c, v, cell)
                nformulas += is_formula
    assert nformulas > 0


def test_mismatches_are_shaded_and_commented(example):
    """A figure that disagrees with the arithmetic is shaded and carries the
    finding's message, which names the printed and the computed figure;
    no other data cell is shaded or commented."""
    plan, path, wf, wv, cal = example
    findings = [f for f in plan.check() if f.part == "budgets"]
    marks = xt.findings_by_cell(plan, findings)
    sheets = xt.table_sheets(plan, wf.sheetnames)
    seen = 0
    for tid, sheet in sheets.items():
        t = plan.budgets[tid]
        ws = wf[sheet]
        for r, cells in enumerate(t.cells()):
            for c, cell in enumerate(cells):
                if t.rows[r].kind == "section":
                    continue
                xc = ws.cell(*xt.model_cell(r, c))
                f = marks.get((tid, r, c))
                if t.columns[c].type != "amount":
                    # a computed column's printed figure kept as text (issue 17)
                    if f is not None:
                        seen += 1
                        assert xc.comment is not None and f.message in xc.comment.text
                        assert str(xc.fill.fgColor.rgb or "").upper().endswith(xt.MISMATCH_FILL)
                    continue
                filled = (xc.fill is not None and xc.fill.fgColor is not None
                          and str(xc.fill.fgColor.rgb or "").upper().endswith(xt.MISMATCH_FILL))
                written_cell = cell.computed is not None or cell.state in ("value", "nil")
                if f is not None and written_cell:
                    seen += 1
                    assert filled, (sheet, xc.coordinate)
                    assert xc.comment is not None, (sheet, xc.coordinate, f.message)
                    text = xc.comment.text
                    assert f.message in text
                    if f.declared is not None:
                        assert xt.finance_text(f.declared) in text, (text, f.declared)
                        assert xt.finance_text(f.computed) in text, (text, f.computed)
                else:
                    assert not filled, (sheet, xc.coordinate)
                    assert xc.comment is None, (sheet, xc.coordinate, xc.comment.text)
        # the only other comment: the table's note on its title
        expected = {xt.cell_name(*xt.model_cell(r, c)) for (tid2, r, c) in marks
                    if tid2 == tid and (t.cells()[r][c].computed is not None
                                        or t.cells()[r][c].state in ("value", "nil", "text"))}
        if t.note:
            expected.add("A1")
            assert ws["A1"].comment.text.strip() == t.note.strip()
        commented = {xc.coordinate for row in ws.iter_rows() for xc in row if xc.comment}
        assert commented == expected
    assert seen == len([k for k in marks if k[0] in sheets])


def test_findings_sheet(example):
    plan, path, wf, wv, cal = example
    findings = plan.check()
    sheets = xt.table_sheets(plan, wf.sheetnames)
    ws = wf[wf.sheetnames[-2]]
    assert ws["A1"].value == "Check findings"
    assert [ws.cell(4, c).value for c in range(1, 11)] == [
        "Severity", "Code", "Table", "Row", "Column", "Printed", "Computed", "Difference",
        "Message", "Go to cell"]
    if not findings:
        assert ws["A5"].value.startswith("No findings")
    for i, f in enumerate(findings):
        row = 5 + i
        got = [ws.cell(row, c).value for c in range(1, 11)]
        assert got[0] == f.severity and got[1] == f.code, got
        assert got[8] == f.message
        if f.part == "risks":
            assert got[2:5] == [f.table, f.row_id, f.column] and got[9] is None
            continue
        if f.part == "indicators":
            dash = dict(zip(plan.indicators, wf.sheetnames[1 + len(plan.budgets):]))
            assert got[2:4] == [dash[f.table], f.row_id]
            assert ws.cell(row, 10).hyperlink.location.startswith(xt.quoted_ref(dash[f.table], ""))
            continue
        if f.table is not None:
            assert got[2] == sheets[f.table]
            assert got[3] == f.row
            assert got[4] == f.column
        if f.declared is not None:
            assert [xt.as_decimal(v) for v in got[5:8]] == [f.declared, f.computed, f.difference]
        if f.table is not None and f.row_index is not None and f.column is not None:
            c = [col.id for col in plan.budgets[f.table].columns].index(f.column)
            cell = xt.cell_name(*xt.model_cell(f.row_index, c))
            link = ws.cell(row, 10).hyperlink
            assert link is not None, (row, f.message)
            assert link.location == xt.quoted_ref(sheets[f.table], cell)
            assert got[9] == f"{sheets[f.table]}!{cell}"
            # the link's target really is that cell of that sheet
            assert sheets[f.table] in wf.sheetnames
    # nothing after the last finding
    assert all(ws.cell(5 + len(findings) + (0 if findings else 1), c).value is None
               for c in range(1, 11))


def test_contents_sheet(example):
    plan, path, wf, wv, cal = example
    findings = plan.check()
    sheets = xt.table_sheets(plan, wf.sheetnames)
    ws, vs = wf["Contents"], wv["Contents"]
    crow = cal["Contents"]
    col_a = [ws.cell(r, 1).value for r in range(1, ws.max_row + 1)]
    assert col_a[0] == (plan.title or "Plan")
    # metadata
    for label, key in (("Organisation", "organisation"), ("Directorate", "directorate"),
                       ("Service", "service"), ("Period", "period"), ("Status", "status"),
                       ("Version", "version"), ("Owner", "owner"), ("Source", "source")):
        value = getattr(plan, key)
        if value is None:
            assert label not in col_a
        else:
            assert ws.cell(col_a.index(label) + 1, 2).value == value
    # the findings count, linked to the Findings sheet
    r = col_a.index("Check findings") + 1
    ne, nw = len(findings.errors), len(findings.warnings)
    assert ws.cell(r, 2).value == (f"{ne} error{'' if ne == 1 else 's'}, {nw} warning"
                                   f"{'' if nw == 1 else 's'} (see the Findings sheet)")
    assert ws.cell(r, 2).hyperlink.location == xt.quoted_ref(wf.sheetnames[-2], "A1")
    # one linked line per sheet
    r = col_a.index("Sheets") + 2
    for tid, sheet in sheets.items():
        assert ws.cell(r, 1).value == sheet
        assert ws.cell(r, 1).hyperlink.location == xt.quoted_ref(sheet, "A1")
        assert ws.cell(r, 2).value == plan.budgets[tid].title
        r += 1
    # headline figures
    r = col_a.index("Headline figures") + 2
    expected = xt.headline_rows(plan, sheets)
    assert expected, "every example has a grand total"
    for text, formula, value in expected:
        assert ws.cell(r, 1).value == text, r
        if formula is None:
            assert ws.cell(r, 2).value is None
        else:
            assert ws.cell(r, 2).value == formula, r
            assert xt.as_decimal(vs.cell(r, 2).value) == value, (r, text)
            assert xt.as_decimal(xt.calamine_value(crow, r, 2)) == value, (r, text)
        r += 1
    assert all(ws.cell(rr, c).value is None for rr in range(r, ws.max_row + 2) for c in (1, 2))


def test_defined_names(example):
    plan, path, wf, wv, cal = example
    names = xt.defined_names(path)
    sheets = xt.table_sheets(plan, wf.sheetnames)
    for tid, sheet in sheets.items():
        t = plan.budgets[tid]
        name = "tbl_" + tid.replace("-", "_")
        assert names.get(name) is not None, name
        assert len(names[name]) == 1, (name, names[name])
        last_row = 6 + max(len(t.rows) - 1, 0)
        last_col = xt.column_letter(1 + len(t.columns))
        assert names[name][0] == f"{xt.quoted_ref(sheet, '$A$4')}:${last_col}${last_row}"
        assert name in wf.defined_names
    assert len([n for n in names if n.startswith("tbl_")]) == len(sheets)
    # the other parts' sheets and the hidden structure sheet are named too
    # (the reader finds them by these names, whatever the sheets are called)
    for prefix, ids in (("ind_", plan.indicators), ("reg_", plan.risks),
                        ("heat_", plan.risks), ("rec_", plan.records)):
        for pid in ids:
            assert prefix + pid.replace("-", "_") in names, (prefix, pid)
    assert names["planbook_structure"] == [xt.quoted_ref("planbook", "$A$1")]
    assert wf["planbook"].sheet_state == "hidden"
    assert wf["planbook"]["A1"].value == "planbook structure"


def test_document_properties(example):
    plan, path, wf, wv, cal = example
    props = wf.properties
    assert props.title == plan.title
    assert props.subject == (plan.directorate or plan.service)
    assert props.creator == plan.owner
    assert props.description == plan.source
    assert props.keywords == "planbook, business plan, budget"
    assert props.category == "Business plan"
    assert props.created is not None
    app = xt.app_properties(path)
    assert app.get("Company") == plan.organisation


def test_to_excel_bytes_is_the_same_workbook(example, tmp_path):
    plan, path, wf, wv, cal = example
    data = plan.to_excel_bytes()
    assert data[:2] == b"PK"
    other = tmp_path / "bytes.xlsx"
    other.write_bytes(data)
    assert xt.diff_parts(xt.xlsx_parts(path), xt.xlsx_parts(other)) is None


@pytest.mark.parametrize("constant_memory", [False, True])
def test_options_give_the_same_cells(example, tmp_path, constant_memory):
    """constant_memory changes how strings are stored, not what the cells
    hold; cached_results=False keeps every formula but caches 0."""
    plan, path, wf, wv, cal = example
    from planbook_xlsx import FORMAT
    p = tmp_path / "opt.xlsx"
    FORMAT.save(plan, p, constant_memory=constant_memory)
    f2, v2 = xt.load_openpyxl(p)
    c2 = xt.load_calamine(p)
    problems = []
    for tid, sheet in xt.table_sheets(plan, f2.sheetnames).items():
        problems += xt.compare_budget_sheet(plan, plan.budgets[tid], sheet, f2, v2, c2)
    assert not problems, "\n".join(problems[:20])
    q = tmp_path / "nocache.xlsx"
    FORMAT.save(plan, q, cached_results=False)
    f3, v3 = xt.load_openpyxl(q)
    nformulas = 0
    for ws in f3.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f":
                    nformulas += 1
                    assert wf[ws.title][c.coordinate].value == c.value
                    assert v3[ws.title][c.coordinate].value == 0
    assert nformulas > 0


# ------------------------------------------------------------ the guards

def _injection_plan():
    plan = planbook.Plan(title="=HYPERLINK(\"http://example.com\",\"x\")",
                         organisation="+Org", directorate="-Dir", service="@Svc")
    t = plan.budgets.add("inj", title="@Sheet", columns=[
        {"id": "amount", "label": "=A1"},
        {"id": "note", "type": "text", "label": "+B1"}])
    sec = t.add_section("=1+1", role="expenditure")
    t.add_line("=SUM(B6:B9)", [10, "=cmd|' /C calc'!A0"], section=sec)
    t.add_line("+44 (0)161 234 5000", [20, "+1"], section=sec)
    t.add_line("-Less: recharges", [-5, "-A1"], section=sec)
    t.add_line("@INDIRECT(\"A1\")", [1, "@SUM(1)"], section=sec)
    t.add_line("\t=tab", [2, "=\"quoted\""], section=sec)
    t.add_total("=Total", [28, None])
    return plan


def test_text_is_never_a_formula(tmp_path):
    plan = _injection_plan()
    path = tmp_path / "inj.xlsx"
    plan.save(path)
    wf, wv = xt.load_openpyxl(path)
    cal = xt.load_calamine(path)
    sheet = xt.table_sheets(plan, wf.sheetnames)["inj"]
    assert sheet == "@Sheet"
    problems = xt.compare_budget_sheet(plan, plan.budgets["inj"], sheet, wf, wv, cal)
    assert not problems, "\n".join(problems)
    raw = xt.sheet_xml_cells(path, sheet)
    t = plan.budgets["inj"]
    texts = 0
    for r, row in enumerate(t.rows):
        cells = t.cells()[r]
        for c, cell in [(-1, None)] + list(enumerate(cells)):
            if c == -1:
                value = row.label
            elif cell.state == "text":
                value = cell.printed
            else:
                continue
            ref = xt.cell_name(*xt.model_cell(r, c))
            assert value[:1] in "=+-@\t"
            assert "<f>" not in raw[ref] and 't="' in raw[ref], raw[ref]
            assert wf[sheet][ref].data_type == "s"
            assert wf[sheet][ref].value == value
            texts += 1
    assert texts == 12
    for ref, value in (("B4", "=A1"), ("C4", "+B1")):   # headings
        assert "<f>" not in raw[ref] and wf[sheet][ref].value == value, raw[ref]
    # the only formula on the sheet is the real total
    formulas = [k for k, v in raw.items() if "<f>" in v]
    assert formulas == ["B12"], formulas
    # metadata that looks like a formula stays text on the Contents sheet
    contents = xt.sheet_xml_cells(path, "Contents")
    for ref in ("A1", "B3", "B4", "B5"):
        assert "<f>" not in contents[ref], contents[ref]
    assert wf["Contents"]["A1"].value == plan.title
    assert wf.properties.title == plan.title


def _too_precise_plan(where):
    plan = planbook.Plan(title="Precision")
    t = plan.budgets.add("big", title="Big figures", decimals=2, columns=[{"id": "a"}, {"id": "b"}])
    if where == "printed":
        t.add_line("Fine", ["9999999999999.99", 1])
        t.add_line("Too precise", ["10000000000000.00", 1])   # 16 significant digits
    else:  # each line fits, the computed total does not
        t.add_line("One", ["9999999999999.99", 1])
        t.add_line("Two", ["9999999999999.99", 1])
        t.add_total("Total", [None, 2])
    return plan


@pytest.mark.parametrize("where", ["printed", "computed"])
def test_more_than_15_digits_is_an_error(tmp_path, where):
    plan = _too_precise_plan(where)
    path = tmp_path / "book.xlsx"
    good = planbook.Plan(title="Previous")
    good.budgets.add("x", columns=[{"id": "a"}]).add_line("L", [1])
    good.save(path)
    before = path.read_bytes()
    listing = sorted(os.listdir(tmp_path))
    with pytest.raises(planbook.WriteError) as info:
        plan.save(path)
    err = info.value
    assert "15 significant digits" in str(err)
    assert "big" in str(err)
    assert err.file == str(path)
    assert path.read_bytes() == before, "the previous workbook was damaged"
    assert sorted(os.listdir(tmp_path)) == listing, "a temporary file was left behind"
    with pytest.raises(planbook.WriteError):
        plan.to_excel_bytes()


def test_15_digits_are_exact(tmp_path):
    """The largest figures Excel holds exactly come back exactly."""
    plan = planbook.Plan(title="Precision")
    t = plan.budgets.add("big", title="Big figures", decimals=6, columns=[{"id": "a"}])
    values = ["999999999.999999", "-999999999.999999", "0.000001", "123456789.123456",
              "961425548.800875", "564680097.636944", "100000000.000001", "-0.000001"]
    for i, v in enumerate(values):
        t.add_line(f"L{i}", [v])
    t0 = plan.budgets.add("int", title="Integers", columns=[{"id": "a"}])
    for i, v in enumerate(["999999999999999", "-999999999999999", "1"]):
        t0.add_line(f"I{i}", [v])
    path = tmp_path / "exact.xlsx"
    plan.save(path)
    wf, wv = xt.load_openpyxl(path)
    cal = xt.load_calamine(path)
    problems = []
    for tid, sheet in xt.table_sheets(plan, wf.sheetnames).items():
        problems += xt.compare_budget_sheet(plan, plan.budgets[tid], sheet, wf, wv, cal)
    assert not problems, "\n".join(problems)


def test_sheet_names_are_made_valid_and_unique(tmp_path):
    titles = {
        "brackets": "Costs [2024]: a/b\\c*d?",
        "same1": "Costs 2024 a b c d",   # what the one above becomes: needs " (2)"
        "long": "A title that is much longer than thirty-one characters",
        "quoted": "'Quoted title'",
        "contents": "Contents",
        "findings": "findings",
        "history": "HISTORY",
        "apos": "O'Brien's budget",
        "dup1": "Duplicate",
        "dup2": "DUPLICATE",
        "dup3": "duplicate",
        "exact31": "x" * 31,
        "exact31b": "X" * 31,
        "empty": "[]:*?",
        "structure": "PlanBook",  # the hidden structure sheet's name is reserved
    }
    plan = planbook.Plan(title="Names")
    for tid, title in titles.items():
        plan.budgets.add(tid, title=title, columns=[{"id": "a"}]).add_line("L", [1])
    path = tmp_path / "names.xlsx"
    plan.save(path)
    wf, wv = xt.load_openpyxl(path)
    names = xt.sheet_order(path)
    assert names == xt.expected_sheet_names(plan)
    assert names[0] == "Contents" and wf.sheetnames == names
    assert len({n.casefold() for n in names}) == len(names)
    for n in names:
        assert xt.valid_sheet_name(n), n
    sheets = xt.table_sheets(plan, names)
    assert sheets["brackets"] == "Costs 2024 a b c d"
    assert sheets["same1"] == "Costs 2024 a b c d (2)"
    assert sheets["long"] == "long"
    assert sheets["quoted"] == "Quoted title"
    assert sheets["contents"] == "Contents (2)"
    assert sheets["history"] == "HISTORY (2)"
    assert sheets["apos"] == "O'Brien's budget"
    assert [sheets[k] for k in ("dup1", "dup2", "dup3")] == [
        "Duplicate", "DUPLICATE (2)", "duplicate (3)"]
    assert sheets["exact31"] == "x" * 31 and sheets["exact31b"] == "X" * 27 + " (2)"
    assert sheets["empty"] == "empty"
    assert sheets["structure"] == "PlanBook (2)" and names[-1] == "planbook"
    # the findings sheet still comes last of the visible sheets and every link resolves
    assert names[-2].casefold().startswith("findings") and names[-2] != sheets["findings"]
    contents = wf["Contents"]
    links = [c.hyperlink.location for row in contents.iter_rows() for c in row if c.hyperlink]
    for loc in links:
        target = loc.rsplit("!", 1)[0]
        assert target.startswith("'") and target.endswith("'")
        assert target[1:-1].replace("''", "'") in names, loc
    # every table keeps its defined name, on its own sheet
    dn = xt.defined_names(path)
    for tid, sheet in sheets.items():
        assert dn["tbl_" + tid] == [f"{xt.quoted_ref(sheet, '$A$4')}:$B$6"]


def test_sheet_names_unique_ignoring_non_ascii_case(tmp_path):
    plan = planbook.Plan(title="Names")
    for tid, title in (("u1", "Übersicht"), ("u2", "übersicht")):
        plan.budgets.add(tid, title=title, columns=[{"id": "a"}]).add_line("L", [1])
    path = tmp_path / "unicode.xlsx"
    plan.save(path)
    names = xt.sheet_order(path)
    assert len({n.casefold() for n in names}) == len(names), names


def test_defined_names_unique(tmp_path):
    plan = planbook.Plan(title="Names")
    for tid in ("a-b", "a_b"):
        plan.budgets.add(tid, title="T " + tid, columns=[{"id": "a"}]).add_line("L", [1])
    path = tmp_path / "dn.xlsx"
    plan.save(path)
    dn = xt.defined_names(path)
    assert all(len(v) == 1 for v in dn.values()), dn
