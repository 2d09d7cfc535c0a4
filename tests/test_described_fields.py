"""The text fields of risk registers, risks, collections and indicator
sets are described once, in the core (csrc/pb_fields.h: key, sheet
heading, role), and every format is driven by those rows: the YAML
reader's key tables and the writer, the register sheet's headings and
details line, and the reader of an edited register sheet.  These tests take the descriptors as the core
gives them (planbook_xlsxread._xlsxread.fields) and check each format
against them on the examples' registers.
"""

from __future__ import annotations

import pathlib

import pytest

import planbook
import planbook_xlsxread as rx
from planbook_xlsxread import _xlsxread
from planbook_xlsxread._parts import apply_edits

import xlsx_tools as xt

openpyxl = pytest.importorskip("openpyxl")

ROOT = pathlib.Path(__file__).resolve().parent.parent
SERVICES = ROOT / "examples" / "manchester-childrens-services-2016-20.yaml"
CHILDREN_2018 = ROOT / "examples" / "manchester-children-2018-19.yaml"
HEAD = 3  # the heading row of a register sheet (0-based)


def register_sheet(plan, rid: str) -> str:
    """The register's sheet name, by the writer's naming and order."""
    names = xt.expected_sheet_names(plan)
    k = 1 + len(plan.budgets) + len(plan.indicators)
    return names[k + 2 * list(plan.risks).index(rid)]


@pytest.fixture(scope="module", params=[SERVICES, CHILDREN_2018], ids=lambda p: p.stem)
def written(request, tmp_path_factory):
    """(example, plan, register id, workbook path, the register sheet's
    rows)."""
    plan = planbook.load(request.param)
    book = tmp_path_factory.mktemp("described") / "book.xlsx"
    plan.save(book)
    rid = list(plan.risks)[0]
    return request.param, plan, rid, book, rx.rows(book, register_sheet(plan, rid), numbers="text")


def test_the_core_describes_every_field_the_api_has():
    """The described keys are the API's fields: a register's texts, a
    risk's texts, a collection's texts (nothing described twice)."""
    from planbook._parts import PART
    reg = [k for k, _, _ in _xlsxread.fields("register")]
    risk = [k for k, _, _ in _xlsxread.fields("risk")]
    coll = [k for k, _, _ in _xlsxread.fields("collection")]
    iset = [k for k, _, _ in _xlsxread.fields("indicator set")]
    assert set(iset) <= {f.name for f in PART["indicators"].fields}
    assert set(reg) <= {f.name for f in PART["risks"].fields}
    assert set(risk) <= {f.name for f in PART["risks"].item_fields} | {"id"}
    assert set(coll) <= {f.name for f in PART["records"].fields}
    for keys in (reg, risk, coll, iset):
        assert len(keys) == len(set(keys))
    assert [flags & _xlsxread.FIELD_ID for _, _, flags in _xlsxread.fields("risk")][0]
    with pytest.raises(KeyError):
        _xlsxread.fields("budgets")


def test_register_sheet_heads_its_columns_from_the_descriptors(written):
    """The heading row lists, in the descriptors' order, the heading of
    every described field some risk of the register has (the ID always);
    each risk's row holds its texts under them."""
    _, plan, rid, _, rows = written
    reg = plan.risks[rid]
    used = [(key, heading) for key, heading, flags in _xlsxread.fields("risk")
            if flags & _xlsxread.FIELD_ID or any(getattr(k, key) for k in reg)]
    heads = [h for h in rows[HEAD] if h is not None]
    assert heads[:len(used)] == [h for _, h in used]
    assert not set(heads[len(used):]) & {h for _, h, _ in _xlsxread.fields("risk")}
    for i, risk in enumerate(reg):
        row = rows[HEAD + 1 + i]
        for c, (key, _) in enumerate(used):
            assert row[c] == getattr(risk, key), (risk.id, key)


def test_register_details_line_names_the_detail_fields(written):
    """The second row carries 'Heading: value' for each detail field the
    register has, in order, and nothing of the fields that are not
    details."""
    src, plan, rid, _, rows = written
    reg = plan.risks[rid]
    line = rows[1][0]
    details = [f"{heading}: {getattr(reg, key)}"
               for key, heading, flags in _xlsxread.fields("register")
               if flags & _xlsxread.FIELD_DETAIL and getattr(reg, key)]
    assert details or src != SERVICES, "the 2016-20 register prints its details"
    assert line.startswith(" | ".join(details) + ". " if details else "Score = ")
    assert reg.title not in line.partition("Score = ")[0]


def test_each_described_column_edited_on_the_sheet_reads_back(written, tmp_path):
    """Every described text column of the first risk, edited in the
    workbook, is carried into that field of the plan by its key, and no
    other risk changes."""
    src, plan, rid, book, rows = written
    sheet = register_sheet(plan, rid)
    heads = {h: c for c, h in enumerate(rows[HEAD]) if h is not None}
    edited = {key: f"edited {key}" for key, heading, flags in _xlsxread.fields("risk")
              if heading in heads and not flags & _xlsxread.FIELD_ID}
    assert len(edited) >= 4
    wb = openpyxl.load_workbook(book)
    ws = wb[sheet]
    by_key = {key: heading for key, heading, _ in _xlsxread.fields("risk")}
    for key, value in edited.items():
        ws.cell(HEAD + 2, heads[by_key[key]] + 1).value = value
    out = tmp_path / "edited.xlsx"
    wb.save(out)
    again = planbook.load(src)
    apply_edits(again, "risks", rid, str(out), sheet)
    first = again.risks[rid][0]
    for key, value in edited.items():
        assert getattr(first, key) == value
    before = plan.risks[rid]
    for i in range(1, len(before)):
        for key in edited:
            assert getattr(again.risks[rid][i], key) == getattr(before[i], key)


@pytest.mark.parametrize("part, yaml, expected", [
    ("risk", "risks:\n  r:\n    risks:\n    - {id: '1', ownr: Me}\n",
     ["inherent", "current", "target"]),
    ("register", "risks:\n  r:\n    titel: T\n", ["score_order", "risks"]),
    ("collection", "records:\n  c:\n    titel: T\n", ["dates", "links", "items"]),
    ("indicator set", "indicators:\n  s:\n    titel: T\n",
     ["periods", "latest", "direction", "cumulative", "comparators", "footnotes", "measures"]),
])
def test_yaml_unknown_key_names_the_described_keys(part, yaml, expected):
    """A misspelt key is refused with the valid keys listed: the described
    ones, in their order, then the part's own."""
    with pytest.raises(planbook.errors.PlanbookError) as e:
        planbook.loads("planbook: 1\nplan: {title: t}\n" + yaml)
    keys = [k for k, _, _ in _xlsxread.fields(part)] + expected
    message = str(e.value)
    listed = message.partition("expected one of: ")[2].rstrip(")").split(", ")
    assert listed == keys, message


def test_every_described_field_round_trips_through_yaml_and_the_workbook(tmp_path):
    """Each described text of a register, a risk and a collection, set
    through the API, comes back from YAML and from a workbook."""
    plan = planbook.Plan()
    reg = plan.risks.add("r")
    risk = reg.add("1")
    coll = plan.records.add("c")
    iset = plan.indicators.add("s", periods=["2016/17"])
    for key, _, flags in _xlsxread.fields("register"):
        setattr(reg, key, "1 May 2016" if key.endswith(("reviewed", "review")) else f"r {key}")
    for key, _, flags in _xlsxread.fields("risk"):
        if not flags & _xlsxread.FIELD_ID:
            setattr(risk, key, f"k {key}")
    for key, _, _ in _xlsxread.fields("collection"):
        setattr(coll, key, "actions" if key == "kind" else f"c {key}")
    for key, _, _ in _xlsxread.fields("indicator set"):
        setattr(iset, key, f"s {key}")
    for path in (tmp_path / "p.yaml", tmp_path / "p.xlsx"):
        plan.save(path)
        back = planbook.load(path)
        for key, _, _ in _xlsxread.fields("register"):
            assert getattr(back.risks["r"], key) == getattr(reg, key), (path.suffix, key)
        for key, _, _ in _xlsxread.fields("risk"):
            assert getattr(back.risks["r"]["1"], key) == getattr(risk, key), (path.suffix, key)
        for key, _, _ in _xlsxread.fields("collection"):
            assert getattr(back.records["c"], key) == getattr(coll, key), (path.suffix, key)
        for key, _, _ in _xlsxread.fields("indicator set"):
            assert getattr(back.indicators["s"], key) == getattr(iset, key), (path.suffix, key)
