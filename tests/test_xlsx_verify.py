"""The written workbook is read back before it replaces a file: libxlsxwriter
does not check its writes to temporary files, so a full disk can drop a chunk
of a part while workbook_close() still reports success."""
import zipfile

import pytest

import planbook
from planbook_xlsx import _xlsx


@pytest.fixture
def book(tmp_path):
    path = tmp_path / "good.xlsx"
    planbook.examples.load("manchester-children-families-2015-17").save(path)
    return path


def rewrite(src, dst, change):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            zout.writestr(info.filename, change(info.filename, data))


def test_a_sound_workbook_passes(book):
    _xlsx.verify(book)


@pytest.mark.parametrize("damage", ["chunk", "tail", "garbage"])
def test_a_part_with_data_missing_is_caught(book, tmp_path, damage):
    bad = tmp_path / "bad.xlsx"

    def change(name, data):
        if name != "xl/worksheets/sheet4.xml":
            return data
        if damage == "chunk":  # what a failed 4 KiB stdio flush leaves
            mid = len(data) // 2
            return data[:mid] + data[mid + 4096:]
        if damage == "tail":
            return data[: len(data) - 300]
        return data[:1000] + b"<c r=" + data[1000:]
    rewrite(book, bad, change)
    with pytest.raises(planbook.WriteError, match="not well-formed"):
        _xlsx.verify(bad)


@pytest.mark.parametrize("damage", ["joined attributes", "cut character", "control character",
                                    "attribute without value"])
def test_damage_with_balanced_tags_is_caught(book, tmp_path, damage):
    """What the full-disk sweep found once the structure sheet's long
    texts were written: a lost chunk that left the tags balanced but joined
    two tags' halves (`<c r="A25"t="inlineStr">`) or left an attribute's
    name without its value (`<c ris></c>`), and the damage a lost chunk can
    do inside a text (a character cut in two)."""
    bad = tmp_path / "bad.xlsx"
    structure = "xl/worksheets/sheet37.xml"  # the hidden structure sheet, last

    def change(name, data):
        if name != structure:
            return data
        if damage == "joined attributes":
            i = data.index(b'" t="inlineStr"')
            return data[:i + 1] + data[i + 2:]
        if damage == "attribute without value":
            # the sweep's find of 2026-12-07: `<c r` + a lost chunk + `is></c>`
            # left `<c ris></c>`, balanced, a name with no value
            i = data.index(b'<c r="', len(data) // 2)
            k = data.index(b"</is></c>", i)
            return data[:i + 4] + data[k + 2:]
        if damage == "cut character":
            i = data.index("£".encode())
            return data[:i + 1] + data[i + 2:]
        i = data.index(b"<t>") + 3
        return data[:i] + b"\x01" + data[i:]
    with zipfile.ZipFile(book) as z:
        assert structure in z.namelist() and b"planbook structure" in z.read(structure)
    rewrite(book, bad, change)
    with pytest.raises(planbook.WriteError, match="not well-formed"):
        _xlsx.verify(bad)


def test_a_damaged_zip_is_caught(book, tmp_path):
    bad = tmp_path / "bad.xlsx"
    data = bytearray(book.read_bytes())
    data[len(data) // 2] ^= 0xFF
    bad.write_bytes(bytes(data))
    with pytest.raises(planbook.WriteError):
        _xlsx.verify(bad)


def test_not_a_zip(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    with pytest.raises(planbook.WriteError):
        _xlsx.verify(bad)


@pytest.mark.skipif(_xlsx.zip_checked() is None,
                    reason="this build reads the package back in full (no --wrap)")
def test_every_part_is_checked_on_its_way_into_the_zip(book, tmp_path):
    """Linux builds check each part as it goes into the zip and then the
    package against what went in (pb_xlsx_zipcheck.c): every member of the
    package passed through that check, and the package it let through is
    sound by the full read-back too."""
    before = _xlsx.zip_checked()
    path = tmp_path / "again.xlsx"
    planbook.examples.load("manchester-children-families-2015-17").save(path)
    with zipfile.ZipFile(path) as z:
        members = z.namelist()
    assert len(members) > 40
    assert _xlsx.zip_checked() - before == len(members)
    _xlsx.verify(path)
