"""Tricky texts in every field that reaches a cell, a sheet name or a YAML
scalar, round-tripped through both formats (YAML and xlsx): the same plan
back, an empty planbook.diff, no warnings (issue 15, "Text").

The corpus: characters XML 1.0 forbids (written in Excel's _xHHHH_ form
and decoded on read-back), texts that already look like _xHHHH_, RTL and
bidi controls, astral characters, combining marks, the 31- and
32,767-character boundaries, spaces, error-looking and formula-looking
texts.
"""

from __future__ import annotations

import copy
import re
import warnings
import zipfile
from pathlib import Path

import pytest
import yaml

import planbook

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "manchester-children-2018-19.yaml"
BASE = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))


def _set(*path):
    def setter(d, value):
        for key in path[:-1]:
            d = d[key]
        d[path[-1]] = value
    return setter


# every kind of field that reaches a cell (the plan's own texts reach the
# Contents sheet, a table's title its sheet name and A1, ...)
FIELDS = {
    "plan.title": _set("plan", "title"),
    "plan.organisation": _set("plan", "organisation"),
    "plan.source": _set("plan", "source"),
    "table.title": _set("budgets", "subjective", "title"),
    "table.note": _set("budgets", "subjective", "note"),
    "table.unit": _set("budgets", "subjective", "unit"),
    "column.label": _set("budgets", "subjective", "columns", 0, "label"),
    "section.label": _set("budgets", "subjective", "rows", 0, "section"),
    "row.label": _set("budgets", "subjective", "rows", 0, "rows", 0, "line"),
    "indicators.title": _set("indicators", "performance", "title"),
    "measure.name": _set("indicators", "performance", "measures", 0, "name"),
    "measure.group": _set("indicators", "performance", "measures", 0, "group"),
    "measure.objective": _set("indicators", "performance", "measures", 0, "objective"),
    "risks.title": _set("risks", "strategic", "title"),
    "risk.description": _set("risks", "strategic", "risks", 0, "description"),
    "risk.owner": _set("risks", "strategic", "risks", 0, "owner"),
    "risk.category": _set("risks", "strategic", "risks", 0, "category"),
    "risk.controls": _set("risks", "strategic", "risks", 0, "controls"),
    "risk.actions": _set("risks", "strategic", "risks", 0, "actions"),
    "records.title": _set("records", "workforce_activities", "title"),
    "record.title": _set("records", "workforce_activities", "items", 0, "title"),
    "record.text": _set("records", "workforce_activities", "items", 0, "text"),
    "record.lead": _set("records", "equality_assessments", "items", 0, "lead"),
    "record.comments": _set("records", "equality_assessments", "items", 0, "comments"),
}

# texts XML 1.0 forbids, and texts that look like Excel's escapes
ESCAPES = {
    "escape-looking": "_x0041_",
    "escape-looking-lower": "a _x00e9_ b _x005F_ c",
    "tab": "a\tb",
    "carriage-return": "a\rb\r\nc",
    "U+FFFF": "x\uffffy",
    "U+FFFE": "x\ufffey",
    "ESC": "e\x1bz",
    "C0 controls": "\x01\x02\x07\x08\x0b\x0c\x1f end",
}

OTHERS = {
    "RTL": "שלום עולם",
    "bidi controls": "abc \u202edef\u202c \u2067ghi\u2069",
    "astral": "😀 𝄞 𠀋",
    "combining": "e\u0301\u0308 n\u0303",
    "31 characters": "x" * 31,
    "31 accented": "é" * 31,
    "32 accented": "é" * 32,
    "200 accented": "é" * 200,
    "300 euro signs": "€" * 300,
    "32,767 characters": "x" * 32767,
    "32,767 euro signs": "€" * 32767,
    "spaces": "  leading and trailing  ",
    "only a space": " ",
    "#N/A": "#N/A",
    "#DIV/0!": "#DIV/0!",
    "formula =": "=1+2",
    "formula +": "+44 161 234 5000",
    "formula -": "-5",
    "formula @": "@SUM(A1:A3)",
    "formula =HYPERLINK": '=HYPERLINK("http://example.com","x")',
}

# (kind, field) pairs with a known defect left for later: the reason
XFAIL = {}


def round_trip(d, tmp_path):
    """(warnings, the plan from YAML, from xlsx, from YAML again)."""
    src = yaml.safe_dump(d, allow_unicode=True, sort_keys=False, width=10**9)
    caught = []
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        plan = planbook.loads(src)
        path = tmp_path / "plan.xlsx"
        plan.save(path)
        back = planbook.load(path)
        again = planbook.loads(planbook.dumps(plan))
    caught = [str(x.message) for x in w]
    return caught, plan, path, back, again


def check(kind, field, text, tmp_path):
    reason = XFAIL.get((kind, field)) or XFAIL.get((kind, "*"))
    if reason:
        pytest.xfail(reason)
    d = copy.deepcopy(BASE)
    FIELDS[field](d, text)
    caught, plan, path, back, again = round_trip(d, tmp_path)
    assert not caught
    assert [str(c) for c in planbook.diff(plan, back)] == []
    assert [str(c) for c in planbook.diff(plan, again)] == []
    # and the plan written again is the same text (diff does not compare
    # every field: titles, notes)
    assert planbook.dumps(back) == planbook.dumps(plan)
    assert planbook.dumps(again) == planbook.dumps(plan)
    return path


FORBIDDEN = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")


@pytest.mark.parametrize("field", sorted(FIELDS))
@pytest.mark.parametrize("kind", sorted(ESCAPES))
def test_forbidden_characters_round_trip_escaped(kind, field, tmp_path):
    path = check(kind, field, ESCAPES[kind], tmp_path)
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.endswith(".xml") or name.endswith(".vml") or name.endswith(".rels"):
                data = z.read(name)
                assert not FORBIDDEN.search(data), name


@pytest.mark.parametrize("field", sorted(FIELDS))
@pytest.mark.parametrize("kind", sorted(OTHERS))
def test_other_payloads_round_trip(kind, field, tmp_path):
    check(kind, field, OTHERS[kind], tmp_path)


def test_written_in_excels_form_and_openpyxl_reads_them(tmp_path):
    """Excel's own form: _x001B_ for ESC, _x005F_x0041_ for a literal
    _x0041_; openpyxl (which refuses raw forbidden characters) opens the
    workbook and decodes each text to the plan's."""
    openpyxl = pytest.importorskip("openpyxl")
    d = copy.deepcopy(BASE)
    texts = {"row.label": "_x0041_", "measure.name": "e\x1bz", "risk.owner": "x\uffffy",
             "record.title": "a\tb\rc"}
    for field, text in texts.items():
        FIELDS[field](d, text)
    caught, plan, path, back, again = round_trip(d, tmp_path)
    assert not caught and not list(planbook.diff(plan, back))
    with zipfile.ZipFile(path) as z:
        xml = b"".join(z.read(n) for n in z.namelist() if n.endswith(".xml"))
    assert b"_x005F_x0041_" in xml and b"_x001B_" in xml and b"_xFFFF_" in xml
    assert b"_x000D_" in xml
    wb = openpyxl.load_workbook(path)  # it refuses raw forbidden characters
    # openpyxl leaves inline strings as written: Excel's rule undone here
    found = {excel_decode(c.value) for ws in wb.worksheets for row in ws.iter_rows()
             for c in row if isinstance(c.value, str)}
    for text in texts.values():
        assert text in found, repr(text)


def excel_decode(s):
    """Excel's reading of _xHHHH_: the character (a UTF-16 pair joined)."""
    s = re.sub(r"_x([0-9A-Fa-f]{4})_",
               lambda m: chr(int(m.group(1), 16)), s)
    return s.encode("utf-16", "surrogatepass").decode("utf-16")


# ------------------------------------------------------------ Excel's limits

@pytest.mark.parametrize("field", ["plan.title", "table.title", "row.label", "measure.name",
                                   "risk.owner", "record.text"])
def test_a_text_over_32767_characters_is_refused_saying_where(field, tmp_path):
    d = copy.deepcopy(BASE)
    FIELDS[field](d, "€" * 32768)
    plan = planbook.loads(yaml.safe_dump(d, allow_unicode=True, sort_keys=False))
    with pytest.raises(planbook.errors.WriteError) as info:
        plan.save(tmp_path / "plan.xlsx")
    message = str(info.value)
    assert "32768 characters" in message and "32767" in message
    assert re.search(r"sheet '[^']+', cell [A-Z]+[0-9]+", message), message
    message.encode("utf-8")  # whole characters: no split sequence
    assert "disk full" not in message


def test_a_long_title_is_cut_by_characters_in_the_footer(tmp_path):
    """The footer (a derived label, Excel's limit 255 characters) holds
    the plan's title cut by characters with "...", never inside a UTF-8
    sequence; the subtitle keeps the table's unit whole."""
    d = copy.deepcopy(BASE)
    FIELDS["plan.title"](d, "é&" * 200)
    caught, plan, path, back, again = round_trip(d, tmp_path)
    assert not caught and not list(planbook.diff(plan, back))
    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet2.xml").decode("utf-8")  # strict
    footer = re.search(r"<oddFooter>(.*?)</oddFooter>", sheet).group(1)
    footer = footer.replace("&amp;", "&")
    assert len(footer) <= 255 and "..." in footer
    assert footer.startswith("&L" + "é&&" * 10)


def test_forbidden_characters_in_a_charted_table(tmp_path):
    """The golden plan's tables have charts: a title and unit with ESC,
    U+FFFF and a literal _x0041_ give well-formed chart XML (DrawingML has
    no _xHHHH_ form: the characters are replaced there) and come back
    exactly from the cells."""
    openpyxl = pytest.importorskip("openpyxl")
    d = yaml.safe_load((EXAMPLE.parent.parent / "tests" / "data" / "golden" / "plan.yaml")
                       .read_text(encoding="utf-8"))
    for tid, t in d["budgets"].items():
        t["title"] = "T\x1b\uffff_x0041_ " + tid
        t["unit"] = "£\x01"
    caught, plan, path, back, again = round_trip(d, tmp_path)
    assert not caught
    assert [str(c) for c in planbook.diff(plan, back)] == []
    with zipfile.ZipFile(path) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/")]
        assert charts
        for name in z.namelist():
            if name.endswith(".xml"):
                assert not FORBIDDEN.search(z.read(name)), name
    openpyxl.load_workbook(path)


# ------------------------------------------------------------ formula-like text

# fields with no cell of their own: kept in the structure part only
# (objective), or part of a composed cell (the unit, in "plan title - unit")
NOT_IN_A_CELL = {"measure.objective", "table.unit"}
FORMULA_LIKE = ["=1+2", "+1+2", "-1+2", "@SUM(A1:A2)", '=HYPERLINK("http://x.invalid","y")']


@pytest.mark.parametrize("field", sorted(FIELDS))
def test_formula_like_text_stays_text_in_every_cell(field, tmp_path):
    """A text starting =, +, - or @ is written as a text (a <t> of the
    shared strings or an inline string), never as a formula (<f>), in
    whatever cell the field reaches; and it reads back the same."""
    from xml.sax.saxutils import escape
    for k, text in enumerate(FORMULA_LIKE):
        d = copy.deepcopy(BASE)
        FIELDS[field](d, text)
        out = tmp_path / str(k)
        out.mkdir()
        caught, plan, path, back, again = round_trip(d, out)
        assert not caught and not list(planbook.diff(plan, back)), text
        with zipfile.ZipFile(path) as z:
            xml = "".join(z.read(n).decode("utf-8") for n in z.namelist()
                          if n.startswith("xl/") and n.endswith(".xml"))
        body = escape(text, {'"': "&quot;"})
        # (a sheet named after the text is quoted in references: not a formula of it)
        formulas = [re.sub(r"'(?:[^']|'')*'!", "", f)
                    for f in re.findall(r"<f[^>]*>(.*?)</f>", xml)]
        assert not [f for f in formulas if body[1:] in f or text[1:] in f], text
        if field not in NOT_IN_A_CELL:
            assert re.search(r"<t[^>]*>" + re.escape(body) + "</t>", xml) or \
                re.search(r"<t[^>]*>" + re.escape(text) + "</t>", xml), text


# ------------------------------------------------------------ LibreOffice

def test_libreoffice_resave_keeps_the_text(tmp_path):
    """After a LibreOffice re-save the texts come back the same: the
    reader decodes whatever form of _xHHHH_ LibreOffice writes."""
    import sys
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import xlsx_tools as xt
    if xt.soffice() is None:
        pytest.skip("needs LibreOffice (soffice)")
    d = copy.deepcopy(BASE)
    texts = {"row.label": "_x0041_", "measure.name": "e\x1bz", "risk.owner": "a\tb",
             "record.title": "x _x005F_ y", "record.text": "x\uffffy"}
    for field, text in texts.items():
        FIELDS[field](d, text)
    caught, plan, path, back, again = round_trip(d, tmp_path)
    assert not caught
    resaved = xt.libreoffice_convert([path], tmp_path / "lo")[0]
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        back = planbook.load(resaved)
    assert [str(x.message) for x in w] == []
    assert [str(c) for c in planbook.diff(plan, back)] == []


def test_a_text_longer_than_32767_once_escaped_is_refused_saying_where(tmp_path):
    """32,767 characters, one of them ESC (7 once written as _x001B_):
    libxlsxwriter counts what it writes, so the save is refused with the
    sheet and cell, not a bare library message."""
    d = copy.deepcopy(BASE)
    FIELDS["record.text"](d, "\x1b" + "x" * 32766)
    plan = planbook.loads(yaml.safe_dump(d, allow_unicode=True, sort_keys=False))
    with pytest.raises(planbook.errors.WriteError) as info:
        plan.save(tmp_path / "plan.xlsx")
    assert re.search(r"sheet '[^']+', cell [A-Z]+[0-9]+: .*_xHHHH_", str(info.value))


# ------------------------------------------------------------ untitled

def test_an_untitled_table_stays_untitled(tmp_path):
    """A1 shows an untitled table's id; the structure sheet says it is
    untitled, so the id is not read back as a title (issue 15, Text).  A
    table titled with its own id keeps that title."""
    d = copy.deepcopy(BASE)
    del d["budgets"]["subjective"]["title"]
    caught, plan, path, back, again = round_trip(d, tmp_path)
    assert not caught
    assert plan.budgets["subjective"].title is None
    assert back.budgets["subjective"].title is None
    assert planbook.dumps(back) == planbook.dumps(plan)
    d["budgets"]["subjective"]["title"] = "subjective"
    caught, plan, path, back, again = round_trip(d, tmp_path)
    assert back.budgets["subjective"].title == "subjective"


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLE.parent.glob("*.yaml")))
def test_every_example_round_trips_to_the_same_yaml_without_warnings(example, tmp_path):
    d = yaml.safe_load((EXAMPLE.parent / example).read_text(encoding="utf-8"))
    caught, plan, path, back, again = round_trip(d, tmp_path)
    assert caught == []
    assert [str(c) for c in planbook.diff(plan, back)] == []
    assert planbook.dumps(back) == planbook.dumps(plan)


def test_many_escape_looking_texts_fit_the_structure_sheet(tmp_path):
    """The structure sheet holds the plan's YAML in pieces of Excel's size;
    written in _x005F_ form a piece of escape-looking texts doubles, so the
    pieces are made smaller where needed instead of failing the save."""
    d = copy.deepcopy(BASE)
    FIELDS["risk.actions"](d, "_x0041_" * 2300)
    FIELDS["record.text"](d, "_x0041_" * 2300)
    caught, plan, path, back, again = round_trip(d, tmp_path)
    assert not caught
    assert planbook.dumps(back) == planbook.dumps(plan)
