"""Shared helpers for the Excel writer's tests (test_xlsx_*.py).

What the workbook should hold is worked out here from the Python model
(``planbook``'s public API), independently of the C writer: the sheet names,
every cell of a budget sheet, the headline figures of the Contents sheet,
the comments and the links of the Findings sheet.  The tests then read the
workbook back (openpyxl, python-calamine, LibreOffice) and compare.

Layout (plugins/xlsx/pb_xlsx_*.c): sheets 'Contents', one per
budget table, 'Findings'.  A budget sheet has the title in A1, the subtitle
in A2, headings in rows 4-5 and model row r in Excel row 6 + r; column A is
the row label and model column c is Excel column c + 2.
"""

from __future__ import annotations

import difflib
import os
import pathlib
import re
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from typing import Dict, List, Optional, Sequence, Tuple

import planbook

ROOT = pathlib.Path(__file__).resolve().parent.parent
GOLDEN_DIR = ROOT / "tests" / "data" / "golden"
GOLDEN_PLAN = GOLDEN_DIR / "plan.yaml"
GOLDEN_XLSX = GOLDEN_DIR / "plan.xlsx"

# the examples with budget tables: these helpers and the workbook tests are
# about budget sheets (a plan of indicators only is covered by
# tests/test_indicators_xlsx.py)
EXAMPLES = [n for n in planbook.examples.names() if len(planbook.examples.load(n).budgets)]

FIRST_DATA_ROW = 6   # 1-based Excel row of model row 0
FIRST_DATA_COL = 2   # 1-based Excel column of model column 0
MISMATCH_FILL = "FDE2E1"
FORBIDDEN_IN_SHEET_NAMES = set("[]:*?/\\")


# ------------------------------------------------------------ numbers

def as_decimal(value) -> Decimal:
    """A number read from a workbook as an exact Decimal: from the float's
    shortest repr (which is what a 15-digit figure written as the nearest
    double reads back as), ints as they are."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise AssertionError(f"expected a number, got {value!r} ({type(value).__name__})")
    if isinstance(value, int):
        return Decimal(value)
    return Decimal(repr(value))


def same_amount(value, expected: Decimal, decimals: int) -> bool:
    """``value`` (a number read back) is exactly ``expected``, and carries no
    more decimals than its column."""
    d = as_decimal(value)
    if d != expected:
        return False
    return d.scaleb(decimals) == d.scaleb(decimals).to_integral_value()


def finance_text(value: Decimal) -> str:
    """A figure as the core's messages print it: 1,234.5 / -50."""
    sign = "-" if value < 0 else ""
    mag = abs(value)
    _, _, exp = mag.as_tuple()
    decimals = -exp if exp < 0 else 0
    return sign + f"{mag:,.{decimals}f}"


# ------------------------------------------------------------- layout

def column_letter(col: int) -> str:
    """1-based column number -> letters."""
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def cell_name(row: int, col: int) -> str:
    return f"{column_letter(col)}{row}"


def model_cell(r: int, c: int) -> Tuple[int, int]:
    """(Excel row, Excel column), 1-based, of model row r, column c."""
    return FIRST_DATA_ROW + r, FIRST_DATA_COL + c


def quoted_ref(sheet: str, cell: str) -> str:
    return "'" + sheet.replace("'", "''") + "'!" + cell


def print_sign(table, row) -> int:
    """-1 where a row's figures are printed with the opposite sign of their
    meaning (income in an ``income_sign: negative`` table)."""
    return -1 if table.income_sign == "negative" and row.effective_role == "income" else 1


def _sanitise(wish: str) -> str:
    out: List[str] = []
    for ch in wish:
        if ch in FORBIDDEN_IN_SHEET_NAMES or ord(ch) < 0x20:
            ch = " "
        if ch == " " and out and out[-1] == " ":
            continue
        out.append(ch)
    return "".join(out).strip(" '")


def expected_sheet_names(plan) -> List[str]:
    """The sheet names the layout promises: 'Contents', then per table its
    title when that has at most 31 characters (else the table id), made
    valid (no []:*?/\\, no apostrophe at either end, at most 31 characters)
    and unique ignoring case (Excel's rule, for every alphabet) with " (2)",
    " (3)", ...; then a dashboard per indicator set named the same way;
    then registers with their heat maps, collections, 'Findings', and last
    the hidden structure sheet 'planbook' (its name is reserved right after
    'Contents').  'History' is reserved by Excel."""
    used: List[str] = []

    def taken(name):
        return name.casefold() in {u.casefold() for u in used} or name.casefold() == "history"

    def make(wish, fallback):
        base = _sanitise(wish or "") or fallback
        base = base[:31].strip(" '")
        name, k = base, 2
        while taken(name):
            suffix = f" ({k})"
            name = base[:31 - len(suffix)].strip(" '") + suffix
            k += 1
        used.append(name)
        return name

    names = [make("Contents", "Contents")]
    structure = make("planbook", "planbook")
    for tid in plan.budgets:
        t = plan.budgets[tid]
        title = t.title
        names.append(make(title if title and len(title) <= 31 else tid, tid))
    for sid in plan.indicators:
        title = plan.indicators[sid].title
        names.append(make(title if title and len(title) <= 31 else sid, sid))
    for rid in plan.risks:
        title = plan.risks[rid].title
        names.append(make(title if title and len(title) <= 31 else rid, rid))
        names.append(make(f"Heat map {rid}", "Heat map"))
    for cid in plan.records:
        title = plan.records[cid].title
        names.append(make(title if title and len(title) <= 31 else cid, cid))
    for key, sheet in described_sheets(plan):
        names.append(make(sheet, key))
    names.append(make("Findings", "Findings"))
    names.append(structure)
    return names


def described_sheets(plan) -> List[Tuple[str, str]]:
    """(key, sheet name as the descriptor gives it) of each described part
    the plan holds (contacts, timeline), in the descriptors' order."""
    from planbook import _core
    return [(key, sheet) for key, _noun, sheet, _title, _fields in
            _core.PlanCore().described_kinds() if getattr(plan, key).exists()]


def valid_sheet_name(name: str) -> bool:
    return (0 < len(name) <= 31 and not (set(name) & FORBIDDEN_IN_SHEET_NAMES)
            and not name.startswith("'") and not name.endswith("'")
            and name.casefold() != "history")


def table_sheets(plan, sheetnames: Sequence[str]) -> Dict[str, str]:
    """Table id -> sheet name (the budget sheets are in table order)."""
    ids = list(plan.budgets)
    assert len(sheetnames) == (len(ids) + len(plan.indicators) + 2 * len(plan.risks) +
                               len(plan.records) + len(described_sheets(plan)) + 3), \
        (sheetnames, ids)
    assert sheetnames[-1] == "planbook", sheetnames  # the hidden structure sheet
    return dict(zip(ids, sheetnames[1:-2]))


@dataclass
class Expect:
    """What one cell of a budget sheet must hold.

    kind: 'text' (value is the string), 'number' (value is the Decimal as
    printed), 'formula' (value is the cached/recalculated Decimal), 'blank'.
    """
    kind: str
    value: object = None
    decimals: int = 0
    what: str = ""      # for messages: "row 'Employees', column y2015"
    nil: bool = False   # a '-' (number 0 shown as a dash)


def heading_top(col) -> str:
    if col.period:
        return col.period
    return col.label or col.id


def heading_bottom(col) -> Optional[str]:
    if col.phase:
        return col.phase
    if col.period and col.measure:
        return col.measure
    return col.unit


def expected_budget_sheet(plan, table) -> Dict[Tuple[int, int], Expect]:
    """Every non-empty cell of a table's sheet, by (Excel row, Excel column),
    1-based.  Cells not listed must be empty."""
    out: Dict[Tuple[int, int], Expect] = {}
    out[(1, 1)] = Expect("text", table.title or table.id, what="title")
    sub = f"{plan.title} - {table.unit}" if plan.title else table.unit
    out[(2, 1)] = Expect("text", sub, what="subtitle")
    cols = table.columns
    for c, col in enumerate(cols):
        out[(4, FIRST_DATA_COL + c)] = Expect("text", heading_top(col), what=f"heading of {col.id}")
        bottom = heading_bottom(col)
        if bottom:
            out[(5, FIRST_DATA_COL + c)] = Expect("text", bottom, what=f"phase of {col.id}")
    rows = list(table.rows)
    for r, (row, cells) in enumerate(zip(rows, table.cells())):
        xr = FIRST_DATA_ROW + r
        if row.label is not None and row.label != "":
            out[(xr, 1)] = Expect("text", row.label, what=f"label of row {r}")
        if row.kind == "section":
            continue
        sign = print_sign(table, row)
        for c, (col, cell) in enumerate(zip(cols, cells)):
            what = f"row {r} {row.label!r}, column {col.id}"
            key = (xr, FIRST_DATA_COL + c)
            if col.type == "text":
                if cell.printed:
                    out[key] = Expect("text", cell.printed, what=what)
                continue
            if cell.computed is not None:
                out[key] = Expect("formula", sign * cell.computed, col.decimals, what)
            elif cell.state == "value":
                out[key] = Expect("number", cell.printed, col.decimals, what)
            elif cell.state == "nil":
                out[key] = Expect("number", Decimal(0), col.decimals, what, nil=True)
    return out


def headline_rows(plan, sheets: Dict[str, str]) -> List[Tuple[str, object, object]]:
    """The 'Headline figures' block of the Contents sheet, as (A text, B kind,
    B expected): a bold line '<sheet>: <total label>' per table that has a
    top-level total without a selection (its last one), then one line per
    amount column: the heading and a formula pointing at the total's cell
    whose cached result is the figure as printed (computed, else printed,
    else 0)."""
    out = []
    for tid in plan.budgets:
        t = plan.budgets[tid]
        rows = list(t.rows)
        grand = None
        for r, row in enumerate(rows):
            if row.kind == "total" and row.parent is None and not row.select:
                grand = r
        if grand is None:
            continue
        row = rows[grand]
        out.append((f"{sheets[tid]}: {row.label or 'Total'}", None, None))
        cells = t.cells()[grand]
        for c, col in enumerate(t.columns):
            if col.type != "amount":
                continue
            cell = cells[c]
            if cell.computed is not None:
                v = print_sign(t, row) * cell.computed
            elif cell.state == "value":
                v = cell.printed
            else:
                v = Decimal(0)
            ref = "=" + quoted_ref(sheets[tid], cell_name(*model_cell(grand, c)))
            out.append((col.heading, ref, v))
    return out


def findings_by_cell(plan, findings) -> Dict[Tuple[str, int, int], object]:
    """(table id, model row, model column) -> the first finding there that
    marks a cell (every code but 'reference')."""
    out = {}
    for f in findings:
        if f.table is None or f.row_index is None or f.column is None or f.code == "reference":
            continue
        t = plan.budgets[f.table]
        c = [col.id for col in t.columns].index(f.column)
        out.setdefault((f.table, f.row_index, c), f)
    return out


# --------------------------------------------------------- reading back

def load_openpyxl(path):
    """(formulas workbook, cached-values workbook), both with comments."""
    import openpyxl
    return (openpyxl.load_workbook(path), openpyxl.load_workbook(path, data_only=True))


def load_calamine(path) -> Dict[str, List[list]]:
    """Sheet name -> rows of values from A1 (python-calamine)."""
    import python_calamine
    wb = python_calamine.CalamineWorkbook.from_path(str(path))
    return {name: wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            for name in wb.sheet_names}


def calamine_value(rows: List[list], row: int, col: int):
    """1-based; '' (calamine's empty) becomes None."""
    if row - 1 >= len(rows) or col - 1 >= len(rows[row - 1]):
        return None
    v = rows[row - 1][col - 1]
    return None if v == "" else v


def non_empty_cells(ws) -> Dict[Tuple[int, int], object]:
    """(row, col) -> cell, for every cell of an openpyxl sheet with a value."""
    out = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is not None and cell.value != "":
                out[(cell.row, cell.column)] = cell
    return out


def sheet_xml_cells(path, sheet_name: str) -> Dict[str, str]:
    """Cell reference -> the raw <c> element text of a sheet (to see how a
    cell was written: t="inlineStr"/"s", <f>, <v>)."""
    with zipfile.ZipFile(path) as z:
        wb = ET.fromstring(z.read("xl/workbook.xml"))
        ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
              "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
        rid = None
        for s in wb.find("m:sheets", ns):
            if s.get("name") == sheet_name:
                rid = s.get(f"{{{ns['r']}}}id")
        rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        target = next(r.get("Target") for r in rels if r.get("Id") == rid)
        xml = z.read("xl/" + target.lstrip("/").replace("xl/", "", 1)).decode("utf-8")
    return {m.group(1): m.group(0) for m in re.finditer(r'<c r="([A-Z]+\d+)"[^>]*?(?:/>|>.*?</c>)', xml)}


def app_properties(path) -> Dict[str, str]:
    """docProps/app.xml's simple elements (Company, Application, ...)."""
    with zipfile.ZipFile(path) as z:
        root = ET.fromstring(z.read("docProps/app.xml"))
    return {el.tag.split("}")[-1]: (el.text or "") for el in root if len(el) == 0}


def defined_names(path) -> Dict[str, List[str]]:
    """Global defined name -> every definition of it (raw workbook.xml, so
    duplicates show)."""
    with zipfile.ZipFile(path) as z:
        root = ET.fromstring(z.read("xl/workbook.xml"))
    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    out: Dict[str, List[str]] = {}
    dn = root.find(f"{ns}definedNames")
    for el in (dn if dn is not None else []):
        if el.get("localSheetId") is None:
            out.setdefault(el.get("name"), []).append(el.text or "")
    return out


def sheet_order(path) -> List[str]:
    with zipfile.ZipFile(path) as z:
        root = ET.fromstring(z.read("xl/workbook.xml"))
    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    return [s.get("name") for s in root.find(f"{ns}sheets")]


# ------------------------------------------------------ a budget sheet

def compare_budget_sheet(plan, table, sheet: str, wf, wv, cal) -> List[str]:
    """Every cell of one budget sheet against the model, through openpyxl
    (formulas and cached values) and calamine; a list of problems."""
    problems: List[str] = []
    expect = expected_budget_sheet(plan, table)
    fs, vs, crow = wf[sheet], wv[sheet], cal[sheet]
    present = non_empty_cells(fs)
    for key in sorted(set(present) - set(expect)):
        problems.append(f"{sheet}!{cell_name(*key)}: unexpected {present[key].value!r}")
    for key, e in sorted(expect.items()):
        ref = f"{sheet}!{cell_name(*key)} ({e.what})"
        f_val = fs.cell(*key).value
        v_val = vs.cell(*key).value
        c_val = calamine_value(crow, *key)
        if e.kind == "text":
            if f_val != e.value or fs.cell(*key).data_type != "s":
                problems.append(f"{ref}: {f_val!r} ({fs.cell(*key).data_type}), expected text {e.value!r}")
            if v_val != e.value or c_val != e.value:
                problems.append(f"{ref}: cached {v_val!r} / calamine {c_val!r}, expected {e.value!r}")
        elif e.kind == "number":
            if not isinstance(f_val, (int, float)) or not same_amount(f_val, e.value, e.decimals):
                problems.append(f"{ref}: {f_val!r}, expected the number {e.value}")
            elif not isinstance(c_val, (int, float)) or not same_amount(c_val, e.value, e.decimals):
                problems.append(f"{ref}: calamine {c_val!r}, expected {e.value}")
            if e.nil and '"-"' not in fs.cell(*key).number_format:
                problems.append(f"{ref}: a nil, but its number format "
                                f"{fs.cell(*key).number_format!r} does not show a dash")
        elif e.kind == "formula":
            if not (isinstance(f_val, str) and f_val.startswith("=")
                    and fs.cell(*key).data_type == "f"):
                problems.append(f"{ref}: {f_val!r}, expected a formula")
            if not isinstance(v_val, (int, float)) or not same_amount(v_val, e.value, e.decimals):
                problems.append(f"{ref}: cached result {v_val!r}, expected {e.value}")
            if not isinstance(c_val, (int, float)) or not same_amount(c_val, e.value, e.decimals):
                problems.append(f"{ref}: calamine {c_val!r}, expected {e.value}")
    return problems


# ----------------------------------------------------------- LibreOffice

RECALC_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>{mode}</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>{mode}</value></prop></item>
</oor:items>
"""


def soffice() -> Optional[str]:
    return shutil.which("soffice") or shutil.which("libreoffice")


def libreoffice_convert(paths: Sequence[pathlib.Path], outdir: pathlib.Path, *,
                        recalc: bool = True, timeout: float = 240) -> List[pathlib.Path]:
    """Open every workbook in one headless LibreOffice run with a private
    profile (so no running office or user setting interferes) whose
    OOXMLRecalcMode is 0 ("always recalculate on load"; 1 = never), and
    save each again as .xlsx in outdir.  Returns the converted paths."""
    exe = soffice()
    assert exe, "soffice is not installed"
    outdir.mkdir(parents=True, exist_ok=True)
    profile = pathlib.Path(tempfile.mkdtemp(prefix="planbook-lo-profile-"))
    try:
        (profile / "user").mkdir()
        (profile / "user" / "registrymodifications.xcu").write_text(
            RECALC_XCU.format(mode=0 if recalc else 1), encoding="utf-8")
        cmd = [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               "--nologo", "--nodefault", "--nolockcheck", "--convert-to", "xlsx",
               "--outdir", str(outdir)] + [str(p) for p in paths]
        env = dict(os.environ, HOME=str(profile))
        # LibreOffice is not ours to sanitize: in the sanitizer pass, keep
        # libasan out of its processes
        for var in ("LD_PRELOAD", "ASAN_OPTIONS", "UBSAN_OPTIONS", "PYTHONMALLOC"):
            env.pop(var, None)
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=timeout, env=env, stdin=subprocess.DEVNULL)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    out = [outdir / pathlib.Path(p).name for p in paths]
    missing = [str(p) for p in out if not p.exists()]
    assert not missing, (f"LibreOffice did not convert {missing} (exit {proc.returncode}): "
                         f"{proc.stdout.decode(errors='replace')}{proc.stderr.decode(errors='replace')}")
    return out


# ---------------------------------------------------------------- golden

def golden_plan():
    """The small deterministic plan behind the reference workbook."""
    plan = planbook.load(GOLDEN_PLAN)
    plan.file = None
    return plan


def write_golden(path) -> None:
    """Write the reference workbook for the golden plan (default options)."""
    from planbook_xlsx import FORMAT
    FORMAT.save(golden_plan(), os.fspath(path))


_VOLATILE = [
    # docProps/core.xml: the time of writing
    ("docProps/core.xml",
     re.compile(r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)"), r"\1DATE\2"),
]


def xlsx_parts(path) -> Dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def normalise_part(name: str, data: bytes) -> str:
    text = data.decode("utf-8")
    for part, pattern, repl in _VOLATILE:
        if name == part:
            text = pattern.sub(repl, text)
    return text


def pretty_xml(text: str) -> List[str]:
    """One tag a line, for a readable diff of libxlsxwriter's long lines."""
    return re.sub(r">\s*<", ">\n<", text).splitlines(keepends=True)


def diff_parts(expected: Dict[str, bytes], actual: Dict[str, bytes]) -> Optional[str]:
    """None when the workbooks agree part by part (after normalising), else
    a message: the parts missing or extra, or a unified diff of the first
    part that differs."""
    if sorted(expected) != sorted(actual):
        return (f"the parts differ: missing {sorted(set(expected) - set(actual))}, "
                f"extra {sorted(set(actual) - set(expected))}")
    for name in sorted(expected):
        a, b = normalise_part(name, expected[name]), normalise_part(name, actual[name])
        if a != b:
            diff = "".join(difflib.unified_diff(pretty_xml(a), pretty_xml(b),
                                                f"reference/{name}", f"written/{name}", n=3))
            if len(diff) > 20000:
                diff = diff[:20000] + "\n... (diff cut)\n"
            return f"part {name} differs from the reference:\n{diff}"
    return None
