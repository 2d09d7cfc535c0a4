"""Described parts (csrc/pb_described.h): a part whose rows' fields the core
describes once is kept, checked, read and written in YAML, carried by a
workbook, copied, compared and diffed over its descriptor alone.

The contact officers are the first: the rows here are the officers the
seeds print (carried by the examples as their `contacts`), added through
``plan.contacts``."""

import datetime

import pytest

import planbook
from planbook._parts import PART, PARTS

from conftest import EXAMPLES

EXAMPLE = EXAMPLES / "manchester-children-families-2015-17.yaml"


def _officers(root):
    """The officers the example carries, as the described part's rows."""
    return planbook.load(EXAMPLE).contacts.to_list()


def _plan_with(part, rows, title=None):
    """A new plan whose described part ``part`` holds ``rows``, added one
    by one through the Python API."""
    plan = planbook.Plan(title=title) if title else planbook.Plan()
    for row in rows:
        getattr(plan, part).add(**row)
    return plan


@pytest.fixture
def root(request):
    return request.config.rootpath


def test_the_part_comes_from_the_core_descriptor():
    part = PART["contacts"]
    assert part.described and part in PARTS
    assert [f.name for f in part.item_fields] == ["id", "name", "position", "telephone", "email"]
    assert isinstance(planbook.Plan.contacts, property)
    assert planbook.Plan.contacts.__doc__ == part.doc


def test_rows_added_in_python_save_and_load_back_equal(root, tmp_path):
    officers = _officers(root)
    assert len(officers) == 6 and officers[0]["name"] == "Geoff Little (People)"
    plan = _plan_with("contacts", officers, "Contacts")
    assert plan.contacts.to_list() == officers
    assert [f for f in plan.check() if f.part == "contacts"] == []
    for suffix in (".yaml", ".xlsx"):
        path = tmp_path / f"plan{suffix}"
        plan.save(path)
        back = planbook.load(path)
        assert back.contacts.to_list() == officers, suffix
        assert back == plan, suffix
        assert list(planbook.diff(plan, back)) == []
    text = (tmp_path / "plan.yaml").read_text(encoding="utf-8")
    assert "\ncontacts:\n- id: '1'\n  name: Geoff Little (People)\n" in text


def test_a_bad_row_gives_a_finding_with_table_row_and_column(root, tmp_path):
    officers = _officers(root)
    plan = planbook.Plan()
    plan.contacts.add(**officers[0])
    plan.contacts.add(id="1", position=officers[1]["position"])  # id repeated, no name
    found = sorted((f.code, f.table, f.row_index, f.column) for f in plan.check()
                   if f.part == "contacts")
    assert found == [("field", "contacts", 1, "id"), ("field", "contacts", 1, "name")]
    msgs = {f.column: f.message for f in plan.check() if f.part == "contacts"}
    assert msgs["name"] == "contacts contact '1': name is required"
    assert msgs["id"] == "contacts contact '1': id '1' repeats an earlier contact's"
    # read from YAML, the finding has the row's line
    path = tmp_path / "bad.yaml"
    plan.save(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    f = next(f for f in planbook.load(path).check() if f.column == "name")
    assert lines[f.line - 1].startswith("- id: '1'") and f.line > lines.index("contacts:")
    # the workbook's Findings sheet names the part's sheet, row and field, and links the cell
    import planbook_xlsxread
    book = tmp_path / "bad.xlsx"
    plan.save(book)
    got = [r[:5] + r[8:] for r in planbook_xlsxread.rows(book, "Findings")[4:]]
    assert got == [["error", "field", "Contacts", "2", "Name",
                    "contacts contact '1': name is required", "Contacts!B6"],
                   ["error", "field", "Contacts", "2", "Id",
                    "contacts contact '1': id '1' repeats an earlier contact's", "Contacts!A6"]]
    assert planbook_xlsxread.rows(book, "Contacts")[5][:2] == ["1", None]


def test_unknown_field_is_refused_with_the_fields_named(tmp_path):
    plan = planbook.Plan()
    with pytest.raises(KeyError, match="no field 'phone'"):
        plan.contacts.add(name="A", phone="1")
    assert len(plan.contacts) == 0
    path = tmp_path / "p.yaml"
    path.write_text("planbook: 1\ncontacts:\n- name: A\n  phone: '1'\n", encoding="utf-8")
    with pytest.raises(planbook.errors.ReadError,
                       match=r"contacts\[0\]\.phone: unknown key 'phone' \(expected one of: id, "
                             r"name, position, telephone, email\)"):
        planbook.load(path)


def test_edits_diff_and_copy(root):
    officers = _officers(root)
    a = _plan_with("contacts", officers[:2])
    b = a.copy()
    assert b == a and b.contacts.to_list() == a.contacts.to_list()
    b.contacts["2"].set(telephone="0161 234 0000")
    b.contacts.remove("1")
    b.contacts.add(**officers[2])
    kinds = sorted((c.kind, c.row, c.column) for c in planbook.diff(a, b))
    assert kinds == [("field changed", "2", "telephone"), ("row added", "3", None),
                     ("row removed", "1", None)]
    assert b != a
    card = b._repr_html_()
    assert "Contact officers" in card and "[contacts]: 2</li>" in card


def test_an_unknown_kind_is_refused_naming_every_kind():
    """The core refuses a described part it has no descriptor for, naming
    the kinds it has: all of them (it named the first alone)."""
    kinds = [k[0] for k in planbook._core.PlanCore().described_kinds()]
    assert len(kinds) >= 2
    with pytest.raises(planbook.errors.ValidationError) as e:
        planbook.Plan()._c.part_add("described", "bogus")
    assert str(e.value) == f"'bogus' is not a described part ({', '.join(kinds)})"


def test_diff_tells_an_id_from_a_position():
    """A row without an id is named by its position, written ``#2`` as the
    records' diff writes it: an id '2' and the id-less second row are two
    rows (they were one key, and an edit of the first went unreported)."""
    a = _plan_with("contacts", [{"id": "2", "name": "Alice", "telephone": "1"},
                                {"name": "Bob", "telephone": "2"}])
    b = a.copy()
    b.contacts["2"].set(telephone="999")
    b.contacts[1].set(telephone="888")
    assert b != a
    got = sorted((c.kind, c.row, c.column, c.old, c.new) for c in planbook.diff(a, b))
    assert got == [("field changed", "#2", "telephone", "2", "888"),
                   ("field changed", "2", "telephone", "1", "999")]


def test_diff_reports_a_change_to_a_row_whose_id_repeats():
    """Two officers with id '1' (a check error; the plan still loads and
    saves): an edit of either is reported, the second named ``1#2`` (they
    were one key, and an edit of the first went unreported while the plans
    compared unequal)."""
    a = _plan_with("contacts", [{"id": "1", "name": "Alice"}, {"id": "1", "name": "Bob"},
                                {"id": "2", "name": "Carol"}])
    assert [f.row for f in a.check() if "repeats" in f.message] == ["Bob"]
    for k, name in ((0, "Alicia"), (1, "Robert")):
        b = a.copy()
        b.contacts[k].set(name=name)
        assert b != a
        got = [(c.kind, c.row, c.column, c.old, c.new) for c in planbook.diff(a, b)]
        assert got == [("field changed", "1" if k == 0 else "1#2", "name",
                        a.contacts[k].name, name)]
    b = a.copy()
    b.contacts.remove(1)
    assert [(c.kind, c.row) for c in planbook.diff(a, b)] == [("row removed", "1#2")]


def test_a_workbook_edited_as_finance_would_reads_back(root, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    officers = _officers(root)
    plan = _plan_with("contacts", officers[:3], "Contacts")
    path = tmp_path / "plan.xlsx"
    plan.save(path)
    # an unedited sheet changes nothing
    with _no_warning():
        assert planbook.load(path) == plan
    wb = openpyxl.load_workbook(path)
    ws = wb["Contacts"]
    assert [c.value for c in ws[4]] == ["Id", "Name", "Position", "Telephone", "E-mail"]
    assert ws["B5"].value == officers[0]["name"]
    ws["D6"] = "0161 234 0000"          # officer 2's telephone
    ws.delete_rows(7)                   # officer 3
    ws.append(["9", "New Officer", "Head of Service", None, "n.officer@example.org"])
    wb.save(path)
    with pytest.warns(planbook.errors.ReadWarning) as got:
        back = planbook.load(path)
    rows = back.contacts.to_list()
    assert [r["id"] for r in rows] == ["1", "2", "9"]
    assert rows[1]["telephone"] == "0161 234 0000" and rows[0] == officers[0]
    assert rows[2] == {"id": "9", "name": "New Officer", "position": "Head of Service",
                       "telephone": None, "email": "n.officer@example.org"}
    said = " ".join(str(w.message) for w in got)
    assert "row 3 (id '3') was deleted" in said and "Contacts!A7: a new row" in said
    changes = sorted((c.kind, c.row, c.column) for c in planbook.diff(plan, back))
    assert changes == [("field changed", "2", "telephone"), ("row added", "9", None),
                       ("row removed", "3", None)]
    # a deleted sheet: the rows as planbook wrote them (the structure sheet), said so
    wb = openpyxl.load_workbook(path)
    del wb["Contacts"]
    wb.save(path)
    with pytest.warns(planbook.errors.ReadWarning, match="described 'contacts' is not read: "
                                                          "its defined name dsc_contacts"):
        assert planbook.load(path).contacts.to_list() == plan.contacts.to_list()


def test_a_date_typed_in_excel_reads_as_a_date_and_others_keep_their_text(root, tmp_path):
    """Finance types a date over a timeline's date (Excel stores a serial
    number): it comes back as a date written in the style of the text it
    replaced; the dates not touched keep their text as written (a range
    stays a range)."""
    openpyxl = pytest.importorskip("openpyxl")
    plan = planbook.load(EXAMPLE)
    path = tmp_path / "plan.xlsx"
    plan.save(path)
    wb = openpyxl.load_workbook(path)
    ws = wb["Timeline"]
    rows = {ws.cell(r, 1).value: r for r in range(5, ws.max_row + 1)}
    ws.cell(rows["4"], 2).value = datetime.date(2015, 3, 9)     # was 6 March 2015
    ws.cell(rows["2"], 3).value = "Executive considers the budget"
    ws.append(["6", datetime.date(2015, 4, 30), "Business plans reviewed", None, "planned"])
    wb.save(path)
    with pytest.warns(planbook.errors.ReadWarning, match="a new row"):
        back = planbook.load(path)
    assert [r["date"] for r in back.timeline] == [
        "10 - 12 February 2015", "13 February 2015", "23 February 2015", "9 March 2015",
        "1 April 2015", "30 April 2015"]
    assert back.timeline["2"]["title"] == "Executive considers the budget"
    assert [f for f in back.check() if f.part == "timeline"] == []
    assert [r.id for r in back.timeline.overdue("2015-04-30")] == ["1", "2", "3", "4", "5"]


class _no_warning:
    """No ReadWarning while loading."""

    def __enter__(self):
        import warnings
        self._w = warnings.catch_warnings()
        self._w.__enter__()
        warnings.simplefilter("error", planbook.errors.ReadWarning)

    def __exit__(self, *exc):
        self._w.__exit__(*exc)
        return False


DESCRIBED = [p for p in PARTS if p.described]


@pytest.mark.parametrize("part", DESCRIBED, ids=[p.name for p in DESCRIBED])
def test_every_described_part_round_trips_each_field(part, tmp_path):
    """Every field of every described part, set to each of its valid values
    (its sample, each word, or a text), saves as YAML and as a workbook and
    loads back equal; a word that is not one of the field's is refused in
    Python and, read from a file, found by the check."""
    plan = planbook.Plan(title="Described")
    rows = getattr(plan, part.name)
    width = max(len(f.samples()) for f in part.item_fields)
    for k in range(width):  # ids 1, 2...: unique
        rows.add(**{f.name: str(k + 1) if f.name == "id" else f.samples()[k % len(f.samples())]
                    for f in part.item_fields})
    assert [f for f in plan.check() if f.part == part.name] == []
    for suffix in (".yaml", ".xlsx"):
        back = planbook.load(_saved(plan, tmp_path, suffix))
        assert getattr(back, part.name).to_list() == rows.to_list() and back == plan
    for f in part.item_fields:
        if f.choices:
            with pytest.raises(planbook.errors.ValidationError):
                rows.add(**{f.name: "sideways"})
            path = _saved(plan, tmp_path, ".yaml")
            text = path.read_text(encoding="utf-8").replace(
                f"  {f.name}: {f.choices[0]}\n", f"  {f.name}: sideways\n", 1)
            path.write_text(text, encoding="utf-8")
            found = [g for g in planbook.load(path).check() if g.column == f.name]
            assert found and found[0].code == "field" and "sideways" in found[0].message


def _saved(plan, tmp_path, suffix):
    path = tmp_path / f"plan{suffix}"
    plan.save(path)
    return path


def _timeline(root):
    """The timeline the example carries (seed 001's appendix 1), as rows."""
    return planbook.load(EXAMPLE).timeline.to_list()


def test_timeline_round_trip_and_a_bad_date_is_found(root, tmp_path):
    timeline = _timeline(root)
    assert len(timeline) == 5 and timeline[0]["date"] == "10 - 12 February 2015"
    plan = _plan_with("timeline", timeline, "Timeline")
    plan.timeline["4"].set(status="done")
    assert [f for f in plan.check() if f.part == "timeline"] == []
    for suffix in (".yaml", ".xlsx"):
        back = planbook.load(_saved(plan, tmp_path, suffix))
        assert back.timeline.to_list() == plan.timeline.to_list() and back == plan
    plan.timeline.add(id="6", date="sometime", title="Business plans reviewed")
    f = next(f for f in plan.check() if f.part == "timeline")
    assert (f.code, f.severity, f.table, f.row_index, f.row_id, f.column) == \
        ("date", "warning", "timeline", 5, "6", "date")
    assert f.message == "timeline event '6': date 'sometime' is not a date"
