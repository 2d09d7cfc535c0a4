"""Hostile workbooks: DTDs and entities, too many members, zip bombs, cell
references past Excel's limits.  Each is a ReadError naming what and where."""

import io
import re
import zipfile

import pytest

import planbook
from planbook.errors import ReadError, ReadWarning
import planbook_xlsxread
from planbook_xlsxread import _xlsxread

RELS = ('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        '</Relationships>')
WB = ('<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
      '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
      '<sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>')
WB_RELS = ('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
           '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
           'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
           '</Relationships>')


def sheet(cells: str) -> str:
    return ('<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            f'spreadsheetml/2006/main"><sheetData>{cells}</sheetData></worksheet>')


def package(sheet_xml: str, workbook: str = WB, extra=(), method=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("_rels/.rels", RELS)
        z.writestr("xl/workbook.xml", workbook)
        z.writestr("xl/_rels/workbook.xml.rels", WB_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        for name, data in extra:
            z.writestr(name, data)
    return buf.getvalue()


def test_a_sound_package_reads():
    data = package(sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c>'
                         '<c r="B1"><v>1.5</v></c></row>'))
    assert _xlsxread.rows(data, 0) == [["x", 1.5]]


def test_doctype_refused():
    wb = WB.replace('<?xml version="1.0"?>', '<?xml version="1.0"?><!DOCTYPE workbook>')
    with pytest.raises(ReadError, match="DOCTYPE"):
        _xlsxread.sheets(package(sheet(""), workbook=wb))


def test_external_entity_refused(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    xml = (f'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM "file://{secret}">]>'
           + sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>&x;</t></is></c></row>')
           .split("?>", 1)[1])
    with pytest.raises(ReadError) as e:
        _xlsxread.rows(package(xml), 0)
    assert "DOCTYPE" in str(e.value) and e.value.sheet == "Data"
    assert "top secret" not in str(e.value)


def test_billion_laughs_refused():
    ents = '<!ENTITY a "lol">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
    xml = f'<?xml version="1.0"?><!DOCTYPE w [{ents}]><worksheet><sheetData/></worksheet>'
    with pytest.raises(ReadError, match="DOCTYPE"):
        _xlsxread.rows(package(xml), 0)


def test_too_many_members():
    extra = [(f"junk/{i}.bin", b"") for i in range(40)]
    data = package(sheet(""), extra=extra)
    with pytest.raises(ReadError, match="members, over the limit") as e:
        _xlsxread.read(data, max_entries=20)
    assert e.value.code == "limit"


def test_zip_bomb_ratio_refused():
    bomb = sheet("") + " " * (64 << 20)   # 64 MiB of spaces deflate about 1000:1
    data = package(bomb)
    assert len(data) < 1 << 20
    with pytest.raises(ReadError, match="ratio") as e:
        _xlsxread.rows(data, 0)
    assert e.value.code == "limit"


def test_uncompressed_size_limit():
    data = package(sheet('<row r="1"><c r="A1"><v>1</v></c></row>' * 2000),
                   method=zipfile.ZIP_STORED)
    with pytest.raises(ReadError, match="over the limit of 1000"):
        _xlsxread.read(data, max_part=1000)


def test_cell_limit():
    cells = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 101))
    with pytest.raises(ReadError, match="cells with content") as e:
        _xlsxread.read(package(sheet(cells)), max_cells=50)
    assert e.value.cell == "A51"


@pytest.mark.parametrize("ref", ["XFE1", "A1048577", "AAAA1", "A0", "1A"])
def test_cell_reference_past_excel_limits(ref):
    data = package(sheet(f'<row r="1"><c r="{ref}"><v>1</v></c></row>'))
    with pytest.raises(ReadError) as e:
        _xlsxread.rows(data, 0)
    assert e.value.sheet == "Data" and e.value.cell == ref
    assert "XFD1048576" in str(e.value)


def test_last_cell_allowed():
    data = package(sheet('<row r="1048576"><c r="XFD1048576"><v>7</v></c></row>'))
    assert _xlsxread.cells(data, 0)[1] == [(1048575, 16383, "number", "7", None, 0, 0, -1)]


def test_row_past_limit():
    with pytest.raises(ReadError, match="1,048,576 rows"):
        _xlsxread.rows(package(sheet('<row r="1048577"></row>')), 0)


def test_cells_out_of_order():
    data = package(sheet('<row r="2"><c r="B2"><v>1</v></c><c r="A2"><v>2</v></c></row>'))
    with pytest.raises(ReadError, match="out of order") as e:
        _xlsxread.rows(data, 0)
    assert e.value.cell == "A2"


def test_shared_string_out_of_range():
    data = package(sheet('<row r="1"><c r="C1" t="s"><v>99</v></c></row>'))
    with pytest.raises(ReadError, match="shared string") as e:
        _xlsxread.rows(data, 0)
    assert e.value.cell == "C1"


def test_deep_nesting_refused():
    xml = '<?xml version="1.0"?><worksheet>' + "<x>" * 200 + "</x>" * 200 + "</worksheet>"
    with pytest.raises(ReadError, match="nested more than"):
        _xlsxread.rows(package(xml), 0)


@pytest.mark.parametrize("data", [b"", b"PK\x03\x04 truncated", b"not a zip at all" * 10])
def test_not_a_workbook(data, tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(data)
    with pytest.raises(ReadError, match="not a readable workbook|is empty|not an Excel workbook"):
        planbook.load(path)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        planbook.load(tmp_path / "nope.xlsx")


def test_bzip2_member_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_BZIP2) as z:
        z.writestr("_rels/.rels", RELS)
        z.writestr("xl/workbook.xml", WB)
    with pytest.raises(ReadError, match="compression method"):
        _xlsxread.sheets(buf.getvalue())


# ------------------------------------------------- the zip itself
# The reader is on minizip's unzip, which checks less than libzip did
# (docs/decisions.md): these are what planbook checks itself.

SHEET1 = "xl/worksheets/sheet1.xml"


def patched(data: bytes, name: str, local=None, central=None) -> bytes:
    """data with fields of member `name` overwritten: local / central are
    {offset in the header: (struct format, value)}."""
    import struct
    b = bytearray(data)
    lo = zipfile.ZipFile(io.BytesIO(data)).getinfo(name).header_offset
    co = b.find(b"PK\x01\x02")
    while b[co + 46:co + 46 + struct.unpack_from("<H", b, co + 28)[0]] != name.encode():
        co = b.find(b"PK\x01\x02", co + 4)
    for base, fields in ((lo, local or {}), (co, central or {})):
        for off, (fmt, value) in fields.items():
            struct.pack_into(fmt, b, base + off, value)
    return bytes(b)


def test_members_whose_names_differ_only_in_case_are_refused():
    data = package(sheet(""), extra=[("XL/Workbook.xml", WB)])
    with pytest.raises(ReadError, match="two members named XL/Workbook.xml"):
        _xlsxread.sheets(data)


def test_encrypted_member_refused():
    data = package(sheet(""))
    flag = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/workbook.xml").flag_bits | 1
    data = patched(data, "xl/workbook.xml", {6: ("<H", flag)}, {8: ("<H", flag)})
    with pytest.raises(ReadError, match="part xl/workbook.xml is encrypted"):
        _xlsxread.sheets(data)


@pytest.mark.parametrize("cut", [0.5, 0.9, -10, -22])
def test_truncated_package(cut, tmp_path):
    data = package(sheet('<row r="1"><c r="A1"><v>1</v></c></row>'))
    data = data[:int(len(data) * cut) if cut > 0 else cut]
    with pytest.raises(ReadError, match="not a readable workbook"):
        _xlsxread.sheets(data)
    path = tmp_path / "cut.xlsx"
    path.write_bytes(data)
    with pytest.raises(ReadError, match="not a readable workbook"):
        planbook.load(path)


def test_something_in_front_of_the_zip_refused():
    with pytest.raises(ReadError, match="does not start with a zip member"):
        _xlsxread.sheets(b"MZ" + b"\0" * 100 + package(sheet("")))


def test_damaged_member_data():
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 2000))
    data = package(sheet(rows))
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(SHEET1)
    with pytest.raises(ReadError, match="sheet1.xml is damaged: its CRC") as e:
        _xlsxread.rows(patched(data, SHEET1, {14: ("<I", 1)}, {16: ("<I", 1)}), 0)
    assert e.value.sheet == "Data"
    # sizes that say more than the member holds: a lying entry cannot pad a part
    more = info.file_size + 10
    with pytest.raises(ReadError, match=f"inflates to {info.file_size} bytes, not the {more}"):
        _xlsxread.rows(patched(data, SHEET1, {22: ("<I", more)}, {24: ("<I", more)}), 0)
    # the directory and the member's own header disagree
    with pytest.raises(ReadError, match="local header does not match"):
        _xlsxread.rows(patched(data, SHEET1, central={24: ("<I", 100)}), 0)
    # compressed bytes scrambled
    b = bytearray(data)
    start = info.header_offset + 30 + len(SHEET1) + len(info.extra)
    for k in range(start + 8, start + info.compress_size - 8):
        b[k] ^= 0x5A
    with pytest.raises(ReadError, match="sheet1.xml is damaged"):
        _xlsxread.rows(bytes(b), 0)


def test_long_member_names_are_harmless():
    """Names past minizip's 256-byte buffer in unzLocateFile (the reader
    keeps its own index of the directory)."""
    extra = [("x" * n, b"") for n in (255, 256, 300, 5000)]
    data = package(sheet('<row r="1"><c r="A1"><v>2</v></c></row>'), extra=extra)
    assert _xlsxread.rows(data, 0) == [[2]]


def test_table_column_limit():
    wide = ('<row r="1"><c r="A1" t="inlineStr"><is><t>T</t></is></c></row><row r="4">'
            '<c r="B4" t="inlineStr"><is><t>2024/25</t></is></c>'
            '<c r="XFB4" t="inlineStr"><is><t>Total</t></is></c></row>')
    with pytest.raises(ReadError, match="more than the limit of 1000 table columns") as e:
        _xlsxread.read(package(sheet(wide)), max_columns=1000)
    assert e.value.sheet == "Data" and e.value.code == "limit"
    plan, _, _ = _xlsxread.read(package(sheet(wide)))  # 16,381 columns are allowed
    assert plan.table_count() == 1


def test_fuzz_inputs_replay():
    """The fuzzers' seed corpora and the inputs they found (tests/fuzz):
    a plan or a ReadError, nothing else."""
    import pathlib
    fuzz = pathlib.Path(__file__).resolve().parent / "fuzz"
    files = [p for kind in ("corpus", "crashes") for t in ("fuzz_xlsx",)
             for p in sorted((fuzz / kind / t).glob("*"))]
    assert files
    for p in files:
        try:
            _xlsxread.read(p.read_bytes())
        except ReadError:
            pass


# ------------------------------------------------- the structure sheet
# A workbook's hidden structure sheet is read, not trusted: whatever it
# says, the reader raises a ReadError or warns; it never crashes, and the
# budget sheets are still read.

openpyxl = pytest.importorskip("openpyxl")


def tampered(tmp_path, change):
    plan = planbook.examples.load("manchester-children-families-2015-17")
    path = tmp_path / "book.xlsx"
    plan.save(path)
    wb = openpyxl.load_workbook(path)
    change(wb["planbook"])
    wb.save(path)
    return plan, path


def read_quiet(path):
    import planbook_xlsxread
    return planbook_xlsxread.read(path)


def test_structure_yaml_that_does_not_read(tmp_path):
    def change(ws):
        for row in ws.iter_rows(min_row=2):
            if row[0].value == "yaml":
                row[1].value = "planbook: 1\nplan: [unclosed"
                break
    plan, path = tampered(tmp_path, change)
    back, found = read_quiet(path)
    assert any("the plan's structure does not read" in w for w in found), found
    assert list(back.budgets) == list(plan.budgets)     # the budget sheets still read
    assert back.parts == ("plan", "budgets")


def test_structure_yaml_alias_bomb_is_refused(tmp_path):
    bomb = "planbook: 1\nplan: {title: &a [x, x, x, x, x, x, x, x, x]}\n" + "".join(
        f"k{i}: &b{i} [*{'a' if i == 0 else 'b' + str(i - 1)}, *{'a' if i == 0 else 'b' + str(i - 1)}]\n"
        for i in range(30))

    def change(ws):
        for row in ws.iter_rows(min_row=2):
            if row[0].value == "yaml":
                row[1].value = bomb
            elif row[0].value in (None,):
                pass
    plan, path = tampered(tmp_path, change)
    back, found = read_quiet(path)          # refused by the YAML reader, quickly
    assert any("does not read" in w for w in found), found
    assert list(back.budgets) == list(plan.budgets)


def test_structure_lines_with_nonsense(tmp_path):
    def change(ws):
        for row in ws.iter_rows(min_row=2):
            kind = row[0].value
            if kind == "row":
                row[2].value = "99999999999999999999"      # an index far past the table
                row[3].value = "nonsense"
            elif kind == "column" and row[1].value == "reconciliation" and row[12].value:
                row[12].value = "net_2014,-no_such_column," + ",".join(["x"] * 200)
            elif kind == "column" and row[1].value == "objective":
                row[11].value = "no_such_column"            # equals naming nothing
            elif kind == "table" and row[1].value == "savings":
                row[3].value = "not an amount"              # tolerance
    plan, path = tampered(tmp_path, change)
    back, found = read_quiet(path)
    assert list(back.budgets) == list(plan.budgets)
    assert any("sheet 'savings'" in w and "could not be put back" in w for w in found), found
    assert any("sheet 'reconciliation'" in w and "names a column that is not on" in w
               for w in found), found
    assert any("is no longer in the table" in w for w in found), found


def test_structure_of_an_unknown_version_is_not_used(tmp_path):
    def change(ws):
        ws["B1"].value = "2"
    plan, path = tampered(tmp_path, change)
    back, found = read_quiet(path)
    assert any("version 2" in w and "not used" in w for w in found), found
    assert list(back.budgets) == list(plan.budgets)


# ------------------------------------------------- a corpus of odd workbooks
# Each member list is a small workbook with one thing wrong: it is refused
# with a ReadError naming the part (or the sheet and cell), or read as far
# as it can be with a warning saying what was passed over; never a
# traceback, a MemoryError or a silent nothing.

CT = ('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
      'content-types"/>')
REL_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
WB_RELS_ALL = WB_RELS.replace(
    "</Relationships>",
    f'<Relationship Id="rId2" Type="{REL_TYPE}styles" Target="styles.xml"/>'
    f'<Relationship Id="rId3" Type="{REL_TYPE}sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>")
STYLES = ('<?xml version="1.0"?><styleSheet xmlns="http://schemas.openxmlformats.org/'
          'spreadsheetml/2006/main">{numfmts}<cellXfs><xf numFmtId="0"/><xf numFmtId="164"/>'
          '</cellXfs></styleSheet>')
SST = ('<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
       '2006/main"><si><t>shared</t></si></sst>')
CELLS = ('<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c>'
         '<c r="B1" s="1"><v>1.5</v></c></row>')
DOCTYPE = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'


def members(**change):
    """A sound workbook's members (with styles and shared strings), with
    `change` applied: a member's new text, or None to leave it out."""
    m = {"[Content_Types].xml": CT, "_rels/.rels": RELS, "xl/workbook.xml": WB,
         "xl/_rels/workbook.xml.rels": WB_RELS_ALL,
         "xl/styles.xml": STYLES.format(numfmts='<numFmts count="1"><numFmt numFmtId="164" '
                                                'formatCode="0.0"/></numFmts>'),
         "xl/sharedStrings.xml": SST, "xl/worksheets/sheet1.xml": sheet(CELLS)}
    names = {"ct": "[Content_Types].xml", "rels": "_rels/.rels", "wb": "xl/workbook.xml",
             "wb_rels": "xl/_rels/workbook.xml.rels", "styles": "xl/styles.xml",
             "sst": "xl/sharedStrings.xml", "sheet": "xl/worksheets/sheet1.xml"}
    for key, text in change.items():
        m[names[key]] = text
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in m.items():
            if text is not None:
                z.writestr(name, text)
    return buf.getvalue()


def with_doctype(xml: str) -> str:
    return DOCTYPE + xml.split("?>", 1)[1]


# (what is odd, the workbook, the ReadError's message (a regex) and where)
REFUSED = [
    ("no workbook part", dict(wb=None), r"no part xl/workbook\.xml", None),
    ("no sheet part", dict(sheet=None), r"no part xl/worksheets/sheet1\.xml", "Data"),
    ("an empty sheet part", dict(sheet=""), r"part xl/worksheets/sheet1\.xml, line 1, column 1",
     "Data"),
    ("a workbook part cut short", dict(wb="<workbook><sheets>"),
     r"part xl/workbook\.xml, line 1, column 19", None),
    ("an empty styles part", dict(styles=""), r"part xl/styles\.xml, line 1, column 1", None),
    ("a shared string past the table",
     dict(sheet=sheet('<row r="1"><c r="A1" t="s"><v>7</v></c></row>')),
     r"cell A1: shared string '7' does not exist", "Data!A1"),
    ("a shared string index of 23 digits",
     dict(sheet=sheet('<row r="1"><c r="D1" t="s"><v>99999999999999999999999</v></c></row>')),
     r"cell D1: shared string", "Data!D1"),
    ("a shared string and no shared strings part",
     dict(sst=None, sheet=sheet('<row r="3"><c r="B3" t="s"><v>0</v></c></row>')),
     r"cell B3: shared string '0' does not exist: the workbook has no shared strings",
     "Data!B3"),
    ("a row number that is not a number", dict(sheet=sheet('<row r="x"></row>')),
     r"row 'x' is not a row number from 1 to Excel's 1,048,576 rows", "Data"),
    ("styles nested 100 deep", dict(styles="<a>" * 100 + "</a>" * 100),
     r"part xl/styles\.xml: XML elements nested more than 64 deep", None),
] + [(f"a DOCTYPE with an external entity in {key}", {key: with_doctype(text)},
      rf"part {re.escape(part)} has a DOCTYPE declaration", where)
     for key, text, part, where in [
         ("rels", RELS, "_rels/.rels", None), ("wb", WB, "xl/workbook.xml", None),
         ("wb_rels", WB_RELS_ALL, "xl/_rels/workbook.xml.rels", None),
         ("styles", STYLES.format(numfmts=""), "xl/styles.xml", None),
         ("sst", SST, "xl/sharedStrings.xml", None),
         ("sheet", sheet(CELLS), "xl/worksheets/sheet1.xml", "Data")]]


@pytest.mark.parametrize("what,change,message,where", REFUSED, ids=[r[0] for r in REFUSED])
def test_odd_workbook_refused_saying_where(what, change, message, where, tmp_path):
    path = tmp_path / "odd.xlsx"
    path.write_bytes(members(**change))
    with pytest.raises(ReadError) as e:
        planbook.load(path)
    assert re.search(message, str(e.value)), str(e.value)
    assert "passwd" not in str(e.value) or "DOCTYPE" in what
    shown = f"{e.value.sheet}!{e.value.cell}" if e.value.cell else e.value.sheet
    assert shown == where
    assert e.value.file == str(path)


# (what is odd, the workbook, a warning of planbook_xlsxread.read (a regex),
# what sheet 0 still reads as)
PASSED_OVER = [
    ("a number format without an id",
     dict(styles=STYLES.format(numfmts='<numFmts count="1"><numFmt formatCode="0.0"/>'
                                       '</numFmts>')),
     r"part xl/styles\.xml: the number format '0\.0' has no id \(numFmtId\); not read",
     [["x", 1.5]]),
    ("a number format id that is not a number",
     dict(styles=STYLES.format(numfmts='<numFmts><numFmt numFmtId="1e99" formatCode="0"/>'
                                       '</numFmts>')),
     r"the number format '0' has an id that is not a number", [["x", 1.5]]),
    ("no shared strings part", dict(sst=None),
     r"shared strings part xl/sharedStrings\.xml, named in its relationships, is missing",
     [["x", 1.5]]),
    ("no styles part", dict(styles=None),
     r"styles part xl/styles\.xml, named in its relationships, is missing: number formats",
     [["x", 1.5]]),
    ("no package relationships (the workbook found where it always is)", dict(rels=None),
     r"sheet 'Data' is not a table planbook wrote", [["x", 1.5]]),
    ("no content types", dict(ct=None), r"sheet 'Data' is not a table planbook wrote",
     [["x", 1.5]]),
    ("a dimension of the whole sheet",
     dict(sheet=sheet(CELLS).replace("<sheetData>",
                                     '<dimension ref="A1:XFD1048576"/><sheetData>')),
     r"sheet 'Data' is not a table planbook wrote", [["x", 1.5]]),
    ("a cell style past the styles",
     dict(sheet=sheet('<row r="1"><c r="A1" s="4294967297"><v>1</v></c></row>')),
     r"sheet 'Data' is not a table planbook wrote", [[1]]),
]


@pytest.mark.parametrize("what,change,warning,rows", PASSED_OVER,
                         ids=[p[0] for p in PASSED_OVER])
def test_odd_workbook_read_as_far_as_it_can_be(what, change, warning, rows):
    data = members(**change)
    _, found = planbook_xlsxread.read(data)
    assert any(re.search(warning, w) for w in found), found
    assert _xlsxread.rows(data, 0) == rows


@pytest.mark.parametrize("change,warning", [
    (dict(wb_rels=None), r"sheet 'Data': the workbook's relationships \(xl/workbook\.xml's "
                         r"\.rels\) do not say where its part is \(they are missing\)"),
    (dict(wb=WB.replace('r:id="rId1"', 'r:id="rId9"')),
     r"sheet 'Data': .* \(no relationship with its r:id\); not read"),
    (dict(wb=WB.replace('name="Data" ', "")),
     r"part xl/workbook\.xml: a sheet without a name; not read"),
])
def test_a_sheet_that_cannot_be_found_is_said(change, warning, tmp_path):
    """Not a silent nothing: the sheet passed over is named, by read() and
    in planbook.load's refusal of a workbook that then shows nothing."""
    data = members(**change)
    _, found = planbook_xlsxread.read(data)
    assert any(re.search(warning, w) for w in found), found
    path = tmp_path / "lost.xlsx"
    path.write_bytes(data)
    with pytest.raises(ReadError) as e:
        planbook.load(path)
    assert "is not a planbook workbook" in str(e.value)
    assert re.search(warning, str(e.value)), str(e.value)


# ------------------------------------------------- sheets renamed elsewhere
# Excel and LibreOffice carry a defined name along when its sheet is
# renamed; openpyxl (and other programs) do not: tbl_<id> then names a sheet
# the workbook no longer has.  The part is found by its sheet's content.

def renamed(tmp_path, *sheets):
    plan = planbook.examples.load("manchester-children-families-2015-17")
    path = tmp_path / "book.xlsx"
    plan.save(path)
    wb = openpyxl.load_workbook(path)
    for k, name in enumerate(sheets):
        wb[name].title = f"Renamed {k}"
    wb.save(path)
    return plan, path


def test_sheets_renamed_where_defined_names_do_not_follow_are_found(tmp_path):
    # two tables whose A1 shows their old sheet name (their title), one whose
    # A1 does not (found by elimination, once the others are), a dashboard
    # and a collection (each the only one of its layout lost)
    plan, path = renamed(tmp_path, "business_areas", "Objective Summary",
                         "Subjective Summary", "adults", "report_narrative")
    with pytest.warns(ReadWarning) as w:
        back = planbook.load(path)
    found = [str(x.message) for x in w]
    assert not planbook.diff(plan, back), planbook.diff(plan, back)
    for sheet, what, old in [(0, "table 'business_areas'", "business_areas"),
                             (1, "table 'objective'", "Objective Summary"),
                             (3, "indicators 'adults'", "adults"),
                             (4, "records 'report_narrative'", "report_narrative")]:
        assert any(f"sheet 'Renamed {sheet}' is read as {what}" in m and
                   f"names the sheet '{old}', which the workbook no longer has" in m
                   for m in found), found


def test_renamed_sheets_that_cannot_be_told_apart_are_said(tmp_path):
    # two tables whose A1 shows neither their old sheet name nor their id
    plan, path = renamed(tmp_path, "business_areas", "workforce_reductions")
    back, found = read_quiet(path)
    for table in ("business_areas", "workforce_reductions"):
        assert any(f"table '{table}' is not read: its defined name tbl_{table} names the "
                   f"sheet '{table}', which the workbook does not have" in m and
                   "'Renamed 0', 'Renamed 1'" in m for m in found), found
        assert table not in back.budgets
    assert list(back.budgets) == [t for t in plan.budgets
                                  if t not in ("business_areas", "workforce_reductions")]


def test_a_renamed_sheet_found_by_elimination_alone(tmp_path):
    # its A1 shows neither its old name nor its id: the only table lost,
    # and the only table-like sheet without a name
    plan, path = renamed(tmp_path, "business_areas")
    back, found = read_quiet(path)
    assert any("sheet 'Renamed 0' is read as table 'business_areas'" in m for m in found), found
    assert not planbook.diff(plan, back)
