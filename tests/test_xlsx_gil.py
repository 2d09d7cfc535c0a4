"""The workbook writer lets other Python threads run while it works (issue
18): from the plan's check through the sheets, the packaging (deflate) and
the read-back, pb_xlsx_write touches no Python object and runs without the
GIL, the plan's guard keeping other threads off the plan
(planbook_xlsx/_xlsxmodule.c)."""

from __future__ import annotations

import time

import planbook
import planbook_xlsx
from planbook.plugin import core_of

from conftest import ticking


def test_other_threads_run_during_the_read_back(tmp_path, fast_switching):
    rows = "".join(f"    - line: l{i}\n      values: [{i}, {2 * i}, {3 * i}]\n"
                   for i in range(40000))
    plan = planbook.loads("planbook: 1\nbudgets:\n  t:\n    columns: [{id: a}, {id: b}, "
                          "{id: c}]\n    rows:\n" + rows)
    core, out = core_of(plan), str(tmp_path / "t.xlsx")
    structure = planbook_xlsx._structure_yaml(plan)
    with ticking(0.0002) as ticks:
        time.sleep(0.01)
        t0 = time.perf_counter()
        # the C writer alone: plan.save's own steps (fsync, rename) release
        # the GIL anyway
        planbook_xlsx._xlsx.write(core, out, structure=structure)
        t1 = time.perf_counter()
    inside = [t for t in ticks if t0 < t < t1]
    # with the GIL held through the whole call the ticker cannot run in it
    assert len(inside) >= 3, (t1 - t0, len(inside))
    # nor, were it released for the read-back only (the last tenth of the
    # call), in the first half: the sheets and their packaging
    assert any(t < (t0 + t1) / 2 for t in inside), (t1 - t0, len(inside))
    assert len(planbook.load(tmp_path / "t.xlsx").budgets["t"].rows) == 40000
