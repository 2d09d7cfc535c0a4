"""No reference or memory leaks across repeated public calls.

A release build of CPython has no sys.gettotalrefcount, so this counts the
interpreter's allocated blocks (sys.getallocatedblocks: every live Python
object and buffer) and the process's resident memory around many repeats
of each public call.  A reference leak in the binding shows as a count that
grows with the repeats.
"""
import gc
import os
import sys

import pytest

import planbook
from conftest import EXAMPLES

EX = str(EXAMPLES / "manchester-children-families-2015-17.yaml")
TEXT = open(EX).read()


def rss_kib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def exercise():
    plan = planbook.load(EX)
    plan.check()
    t = plan.budgets["savings"]
    t.cells()
    row = t.rows["Troubled Families"]
    row["y2015"] = 3800
    row["y2015"].computed
    t.add_line("x", [1, 2, 3], section=t.rows[0]).remove()
    plan.dumps()
    planbook.loads(TEXT)
    try:
        planbook.loads(TEXT.replace("planbook: 1", "planbook: 1\nbogus: 1"))
    except planbook.ReadError:
        pass
    try:
        row["y2015"] = "1.5"
    except planbook.AmountError:
        pass


@pytest.mark.skipif(bool(os.environ.get("PLANBOOK_SANITIZED")),
                    reason="the sanitizer runtime holds memory of its own")
def test_repeated_calls_do_not_leak():
    for _ in range(20):
        exercise()
    gc.collect()
    blocks, rss = sys.getallocatedblocks(), rss_kib()
    for _ in range(300):
        exercise()
    gc.collect()
    grown_blocks = sys.getallocatedblocks() - blocks
    grown_rss = rss_kib() - rss
    assert grown_blocks < 300, grown_blocks       # < 1 block per repeat
    assert grown_rss < 4096, grown_rss             # < 4 MiB over 300 loads of the plan
