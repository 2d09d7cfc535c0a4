"""Memory bounds of loading (issue 15, "Scale and memory"), asserted as
behaviour: a scalar far over the 1 MiB limit is refused while it is read,
blank cells take no cell storage, and the cell pool behind a table (runs of
entries per row, moved and repacked as cells are set anywhere) reads back
exactly what was set.  Peak memory is measured in a child process (VmHWM
after resetting it through /proc/self/clear_refs) with generous bounds;
bench/run_memory.py measures the same shapes at full size.
"""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

import planbook

HEAD = "planbook: 1\n"

KIB = r"""
import planbook
def kib(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1])
"""

CHILD = "import json, os, sys\n" + KIB + r"""
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")
before = kib("VmRSS:")
out = {}
try:
    plan = planbook.load(sys.argv[1])
    out["rows"] = sum(len(t.rows) for t in plan.budgets.values())
except planbook.ReadError as e:
    out.update(code=e.code, line=e.line, column=e.column, path=e.path, message=str(e))
out["peak_delta"] = (kib("VmHWM:") - before) * 1024
print(json.dumps(out))
"""

needs_proc = pytest.mark.skipif(
    not Path("/proc/self/clear_refs").exists() or os.environ.get("PLANBOOK_SANITIZED") == "1",
    reason="peak RSS is read from /proc (Linux), and measures planbook only without ASan "
           "(whose quarantine and redzones hold freed and padded memory): plain pass only")


def load_in_child(path: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(path)], check=True,
                         capture_output=True, text=True, timeout=600).stdout
    return json.loads(out.strip().splitlines()[-1])


@needs_proc
@pytest.mark.parametrize("style", ["plain", "literal"])
def test_a_200_mb_scalar_is_refused_while_read(tmp_path, style):
    # libyaml buffers a scalar whole before the reader sees it: the reader
    # now stops libyaml's input once more than two values' worth has gone
    # by without an event (before: +256 MB before the limit refused it)
    path = tmp_path / "big.yaml"
    with open(path, "w") as f:
        f.write(HEAD + "plan:\n  notes:" + (" " if style == "plain" else " |\n"))
        chunk = ("abcdefgh" * 131072) if style == "plain" else ("    " + "x" * 1019 + "\n") * 1024
        for _ in range(200):
            f.write(chunk)
        f.write("\n")
    assert path.stat().st_size > 200e6
    out = load_in_child(path)
    assert out.get("code") == "limit", out
    assert out["peak_delta"] < 64e6, out
    # located after the key whose value is too long
    assert (out["line"], out["column"], out["path"]) == (3, 8, "plan.notes")
    assert "larger than the limit of 1048576 bytes a value" in out["message"]


def test_values_near_the_limit_still_read():
    # two values of 1 MiB one after the other, with comments around them,
    # stay within what the reader lets libyaml take between two events
    v = "x" * (1 << 20)
    plan = planbook.loads(HEAD + "# " + "c" * 30000 + "\nplan:\n  title: " + v +
                          "\n  notes: " + v + "\n")
    assert len(plan.title) == len(plan.notes) == 1 << 20


def blank_rows_doc(ncols: int, nrows: int) -> str:
    cols = "".join(f"    - {{id: c{i}}}\n" for i in range(ncols))
    rows = "".join(f"    - line: r{i}\n" for i in range(nrows))
    return HEAD + "budgets:\n  t:\n    columns:\n" + cols + "    rows:\n" + rows


@needs_proc
def test_blank_rows_in_a_wide_table_take_no_cell_storage(tmp_path):
    # before: 13 bytes a cell, blank or not (196x the file at 208 columns)
    path = tmp_path / "blank.yaml"
    path.write_text(blank_rows_doc(208, 150_000))
    size = path.stat().st_size
    out = load_in_child(path)
    assert out.get("rows") == 150_000, out
    assert out["peak_delta"] < 6 * size, (out, size)


def test_blank_rows_check_save_and_diff_as_before():
    text = blank_rows_doc(70, 300)
    plan = planbook.loads(text)
    t = plan.budgets["t"]
    assert all(v is None for row in t.rows for v in row.values)
    assert len(plan.check()) == 0
    again = planbook.loads(plan.dumps())
    assert not planbook.diff(plan, again)
    assert plan == again
    # a figure in one blank row, then the rows around it are still blank
    t.rows[150]["c69"] = 5
    t.rows[10]["c0"] = 7
    assert t.rows[150].values[69] == 5 and t.rows[10].values[0] == 7
    assert all(v is None for v in t.rows[149].values + t.rows[151].values)
    back = planbook.loads(plan.dumps())
    assert back.budgets["t"].rows[150].values[69] == 5
    assert back.budgets["t"].rows[10].values == [7] + [None] * 69


def test_cells_set_anywhere_read_back_exactly():
    # every path of the pool: a row's run appended to, moved to the end,
    # dead runs repacked (thousands of moves), blank set back, rows
    # inserted and removed in the middle; checked against a plain model
    rng = random.Random(15)
    ncols, nrows = 12, 600
    cols = ", ".join(f"{{id: c{i}}}" for i in range(ncols))
    plan = planbook.loads(HEAD + "budgets:\n  t:\n    columns: [" + cols + "]\n    rows:\n" +
                          "".join(f"    - line: r{i}\n" for i in range(nrows)))
    t = plan.budgets["t"]
    model = [[None] * ncols for _ in range(nrows)]
    for step in range(30_000):
        r, c = rng.randrange(len(model)), rng.randrange(ncols)
        v = None if rng.random() < 0.2 else rng.randrange(-10**6, 10**6)
        t.rows[r][f"c{c}"] = v
        model[r][c] = v
        if step % 3000 == 1500:
            at = rng.randrange(len(model))
            vals = [rng.randrange(100) for _ in range(ncols)]
            t.add_line(f"new{step}", vals, before=t.rows[at])
            model.insert(at, list(vals))
        if step % 3000 == 2999:
            at = rng.randrange(len(model))
            t.remove(t.rows[at])
            del model[at]
    got = [row.values for row in t.rows]
    assert got == [[None if v is None else Decimal(v) for v in m] for m in model]
    back = planbook.loads(plan.dumps())
    assert [row.values for row in back.budgets["t"].rows] == got


SAVE_CHILD = "import json, sys\n" + KIB + r"""
plan = planbook.load(sys.argv[1])
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")
before = kib("VmRSS:")
plan.save(sys.argv[2])
print(json.dumps({"peak_delta": (kib("VmHWM:") - before) * 1024}))
"""


@needs_proc
def test_saving_many_sheets_holds_one_row_buffer_at_a_time(tmp_path):
    # libxlsxwriter's constant-memory mode gave every sheet a 128 KiB row
    # buffer from its creation to the close: 1,000 tables took ~130 MB
    src = tmp_path / "many.yaml"
    src.write_text(HEAD + "plan:\n  title: many\nbudgets:\n" + "".join(
        f"  t{t}:\n    columns: [{{id: a}}, {{id: b}}]\n    rows:\n"
        f"    - line: x\n      values: [1, 2]\n    - total: all\n      values: [1, 2]\n"
        for t in range(1000)))
    out = subprocess.run([sys.executable, "-c", SAVE_CHILD, str(src), str(tmp_path / "m.xlsx")],
                         check=True, capture_output=True, text=True, timeout=600).stdout
    peak = json.loads(out.strip().splitlines()[-1])["peak_delta"]
    assert peak < 60e6, peak
    back = planbook.load(tmp_path / "m.xlsx")
    assert len(back.budgets) == 1000
    assert back.budgets["t999"].rows[1].values == [1, 2]
    assert not planbook.diff(planbook.load(src), back)
