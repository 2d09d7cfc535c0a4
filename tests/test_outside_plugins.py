"""Two plugins written as outsiders write them (tests/outside): planbook_csv
in C, compiled against planbook.get_include() and the capsule alone, and
planbook_json in pure Python, on planbook.plugin and the public API.

`make test-outside` (a step of `make test-py`) installs them into the test
venv; tools/test_wheel.sh into the wheel's venvs.  Here: they are found
through their entry points, save and load every seed example, and what
each format carries comes back equal; the C plugin refuses a capsule of
another major version, or an older and smaller one, with an ImportError
naming both versions, and accepts a newer and larger one.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import planbook
from planbook import formats
from planbook._parts import PARTS

pytest.importorskip("planbook_csv", reason="the outside plugins are not installed: "
                    "make test-outside")
pytest.importorskip("planbook_json", reason="the outside plugins are not installed: "
                    "make test-outside")

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.yaml")) or \
    sorted(Path(planbook.__file__).parent.joinpath("examples").glob("*.yaml"))
OUTSIDE = Path(__file__).resolve().parent / "outside"


def budget_view(plan, rich: bool):
    """What both formats carry: metadata, year start, and the budget tables
    (with ``rich``, also what only the JSON format carries)."""
    tables = []
    for t in plan.budgets.values():
        cols = [(c.id, c.label, c.period, c.type, c.decimals) +
                ((c.phase, c.measure, c.unit, c.sum, c.equals) if rich else ())
                for c in t.columns]
        rows = [(r.kind, r.depth, r.role, r.label, [(c.state, c.printed) for c in r.cells]) +
                ((r.id, r.note, r.select) if rich else ())
                for r in t.rows]
        extra = (t.kind, t.unit, t.note, t.income_sign, t.blank, t.tolerance) if rich else ()
        tables.append((t.id, t.title, t.decimals, cols, rows) + extra)
    return plan.meta, plan.year_start, tables


def budget_findings(plan):
    """The findings of the budget tables themselves: not those of the
    plan's agreements between tables or of its narrative's figures, which
    a format of budget tables alone does not carry."""
    return sorted((f.code, f.table, f.row, f.column, f.message) for f in plan.check()
                  if f.part == "budgets" and f.code not in ("agreement", "narrative"))


def test_both_are_found_through_their_entry_points():
    from importlib.metadata import entry_points
    found = {ep.name: ep.value for ep in entry_points(group=formats.GROUP)}
    assert found["csv"] == "planbook_csv:FORMAT"
    assert found["json"] == "planbook_json:FORMAT"
    import planbook_csv
    import planbook_json
    assert formats.get_format("plan.csv", need="save") is planbook_csv.FORMAT
    assert formats.get_format("plan.json", need="load") is planbook_json.FORMAT
    assert {"csv", "json"} <= {f.name for f in formats.formats()}


@pytest.mark.parametrize("suffix, rich", [(".csv", False), (".json", True)])
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_seed_examples_round_trip(example, suffix, rich, tmp_path):
    plan = planbook.load(example)
    out = tmp_path / ("plan" + suffix)
    plan.save(out)
    back = planbook.load(out)
    assert isinstance(back, planbook.Plan) and back.file == str(out)
    assert back.parts == ("plan", "budgets")
    assert budget_view(back, rich) == budget_view(plan, rich)
    assert back.dumps(suffix[1:]) == plan.dumps(suffix[1:])
    # planbook.diff compares the parts both carry
    changes = planbook.diff(plan, back)
    assert set(changes.skipped) == {p.name for p in PARTS} - {"budgets"}
    if rich:  # the CSV format does not carry sum and equals columns, or selects
        assert budget_findings(back) == budget_findings(plan)
        # what it does not carry: the plan's agreements and narrative, so
        # only their findings may disappear
        left = [c for c in changes if not (c.kind == "finding disappeared" and any(
            w in str(c) for w in ("agreement '", "the narrative (")))]
        assert not left, "\n".join(map(str, left))


def test_errors_name_the_file_and_record(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("table,costs,Costs,0\ncolumn,y2024,,2024/25\nrow,line,0,,Staff,12x\n",
                   encoding="utf-8")
    with pytest.raises(planbook.ReadError) as e:
        planbook.load(bad)
    assert e.value.file == str(bad) and e.value.line == 3
    with pytest.raises(planbook.ReadError, match="not a planbook_json document"):
        planbook.loads('{"tables": []}', format="json")


def test_outside_plugins_use_only_the_public_contract():
    for path in sorted(OUTSIDE.rglob("*.py")):
        for m in re.finditer(r"^\s*(?:from|import)\s+(planbook[\w.]*)", path.read_text(), re.M):
            assert m.group(1) in ("planbook", "planbook.plugin"), f"{path}: {m.group(0)}"
            if m.group(1) == "planbook":  # only setup.py, for get_include()
                assert path.name == "setup.py", f"{path}: {m.group(0)}"
    setup = (OUTSIDE / "planbook_csv" / "setup.py").read_text()
    assert "csrc" not in setup and "include_dirs=planbook.get_include()" in setup
    source = (OUTSIDE / "planbook_csv" / "planbook_csv" / "_csv.c").read_text()
    assert re.findall(r'#include "([^"]+)"', source) == ["planbook_capi.h"]


# A capsule the plugin is given instead of planbook's: a copy of the real
# table (struct pb_capi: unsigned version; size_t size; ...) with its
# version or size changed, published as planbook._core._C_API.
FAKE_CAPSULE = r"""
import ctypes, sys
import planbook._core as core
api = ctypes.pythonapi
api.PyCapsule_GetPointer.restype = ctypes.c_void_p
api.PyCapsule_GetPointer.argtypes = (ctypes.py_object, ctypes.c_char_p)
api.PyCapsule_New.restype = ctypes.py_object
api.PyCapsule_New.argtypes = (ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p)
NAME = ctypes.create_string_buffer(b"planbook._core._C_API")
real = api.PyCapsule_GetPointer(core._C_API, NAME)
size_at = ctypes.sizeof(ctypes.c_size_t)
size = ctypes.c_size_t.from_address(real + size_at).value
table = ctypes.create_string_buffer(size + 64)
ctypes.memmove(table, real, size)
mode = sys.argv[1]
if mode == "major":
    ctypes.c_uint.from_buffer(table).value += 1
else:
    ctypes.c_size_t.from_buffer(table, size_at).value = size + (64 if mode == "larger" else -8)
core._C_API = api.PyCapsule_New(ctypes.addressof(table), NAME, None)
try:
    import planbook_csv._csv
except ImportError as e:
    print("ImportError:", e)
else:
    import planbook
    plan = planbook.Plan(title="Demo")
    print("imported", planbook.loads(plan.dumps("csv"), format="csv").title)
"""


def run_with_capsule(mode: str) -> str:
    out = subprocess.run([sys.executable, "-c", FAKE_CAPSULE, mode], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_c_plugin_refuses_another_major_version():
    from planbook.plugin import C_API_VERSION
    capi, core = C_API_VERSION
    said = run_with_capsule("major")
    assert said.startswith("ImportError: this plugin was built for planbook's C API "
                           f"version {capi} (core functions version {core})"), said
    assert f"the installed planbook provides version {capi + 1}" in said
    assert "rebuild the plugin against the installed planbook" in said


def test_c_plugin_refuses_an_older_smaller_table():
    said = run_with_capsule("smaller")
    assert said.startswith("ImportError: this plugin was built for a newer planbook C API"), said
    assert "upgrade planbook" in said


def test_c_plugin_accepts_a_newer_larger_table_of_its_major_version():
    assert run_with_capsule("larger") == "imported Demo"
