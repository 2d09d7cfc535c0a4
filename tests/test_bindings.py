"""The CPython bindings under the limited API (abi3, Python 3.10 and later)
and what changed in them for it: every binding compiles with
Py_LIMITED_API=0x030A0000, and the behaviour that moved from the full C API
to the limited one (type names in messages, sequences, workbook bytes)
is the same in both builds.  docs/decisions.md, "abi3"."""
import shutil
import subprocess
import sysconfig

import pytest

import planbook
from conftest import EXAMPLES, ROOT, SANITIZED
from planbook_xlsx import _xlsx
from planbook_xlsxread import _xlsxread
from planbook_yaml import _yaml

SMALL = EXAMPLES / "manchester-children-2018-19.yaml"

BINDINGS = {
    **{f"python/planbook/{p.name}": [] for p in sorted(ROOT.glob("python/planbook/_core*.c"))},
    "plugins/yaml/planbook_yaml/_yamlmodule.c": ["yaml-0.1"],
    "plugins/xlsx/planbook_xlsx/_xlsxmodule.c": ["xlsxwriter"],
    "plugins/xlsxread/planbook_xlsxread/_xlsxread.c": ["minizip", "expat"],
    "plugins/xlsxread/planbook_xlsxread/_xlsxread_ahead.c": ["minizip", "expat"],
}


@pytest.mark.skipif(SANITIZED, reason="run once, in the plain pass")
@pytest.mark.skipif(shutil.which("pkg-config") is None, reason="needs pkg-config")
@pytest.mark.parametrize("cc", ["gcc", "clang"])
@pytest.mark.parametrize("limited", ["-DPy_LIMITED_API=0x030A0000", None],
                         ids=["abi3", "full"])
@pytest.mark.parametrize("source", sorted(BINDINGS))
def test_binding_compiles(source, limited, cc):
    """Each binding compiles, -Werror, with and without the limited API."""
    if shutil.which(cc) is None:
        pytest.skip(f"no {cc}")
    cflags = []
    for lib in BINDINGS[source]:
        run = subprocess.run(["pkg-config", "--cflags", lib], capture_output=True, text=True)
        if run.returncode != 0:
            pytest.skip(f"pkg-config has no {lib}")
        cflags += run.stdout.split()
    cmd = [cc, "-std=c11", "-Wall", "-Wextra", "-Werror", "-Wno-missing-field-initializers",
           "-fsyntax-only", f"-I{sysconfig.get_paths()['include']}",
           *(f"-I{ROOT / d}" for d in ("csrc", "python/planbook/include", "plugins/yaml",
                                        "plugins/xlsx", "plugins/xlsxread")),
           *cflags, *([limited] if limited else []), str(ROOT / source)]
    run = subprocess.run(cmd, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


def test_type_errors_name_the_type():
    core = planbook.load(SMALL)._c
    with pytest.raises(TypeError, match=r"^expected str or None, got int$"):
        core.table_set(0, "title", 5)
    with pytest.raises(TypeError, match=r"^expected planbook\._core\.PlanCore, got str$"):
        _xlsx.write("not a plan", "x.xlsx")
    with pytest.raises(TypeError, match=r"^loads\(\) takes str or bytes, not list$"):
        _yaml.loads([])


def test_sum_terms_and_agreement_sides_take_any_iterable():
    core = planbook.load(SMALL)._c
    core.column_set(0, 1, "sum", (t for t in [(0, -1)]))
    assert core.column_get(0, 1)["sum"] == [(0, -1)]
    core.column_set(0, 1, "sum", ((0, 1),))
    assert core.column_get(0, 1)["sum"] == [(0, 1)]
    with pytest.raises(TypeError, match="^sum terms must be a sequence$"):
        core.column_set(0, 1, "sum", 5)
    with pytest.raises(TypeError, match="^rows and columns must be sequences$"):
        core.add_agreement("a", None, None, {"table": "x", "rows": 5, "columns": []}, {})


@pytest.fixture(scope="module")
def workbook():
    return planbook.load(SMALL).to_excel_bytes()


def test_workbook_bytes_of_every_kind(workbook):
    """bytes are read where they lie; a bytearray or memoryview (even a
    non-contiguous one) is copied first, and reads the same."""
    spread = bytes(v for c in workbook for v in (c, 0))
    kinds = [bytearray(workbook), memoryview(workbook), memoryview(spread)[::2]]
    sheets = _xlsxread.sheets(workbook)
    first = _xlsxread.rows(workbook, 1)
    plan, warnings, parts = _xlsxread.read(workbook)
    for data in kinds:
        assert _xlsxread.sheets(data) == sheets
        assert _xlsxread.rows(data, 1) == first
        assert _xlsxread.cells(data, 1) == _xlsxread.cells(workbook, 1)
        again, w, p = _xlsxread.read(data)
        assert (w, p) == (warnings, parts)
        assert again.table_get(0) == plan.table_get(0)
    buf = bytearray(workbook)
    _xlsxread.sheets(buf)
    buf.clear()  # not left locked against resizing


def test_rows_numbers_refused(workbook):
    with pytest.raises(ValueError, match=r"not 'int'$"):
        _xlsxread.rows(workbook, 0, "int")
    # with the source as a keyword there is no positional argument to quote
    with pytest.raises(ValueError, match=r"not 'int'$"):
        _xlsxread.rows(source=workbook, numbers="int")
