"""libxlsxwriter's temporary files kept in memory while a save's budget
lasts (plugins/xlsx/pb_xlsx_spool.c, Linux builds that wrap lxw_tmpfile):
the workbook is the same whether its temporary files were in memory, moved
to disk on the way, or all on disk; a small plan's save creates no file
but its own; a big one's keeps within the budget and moves the rest."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile

import pytest

import planbook
from conftest import EXAMPLES, SANITIZED

MEDIUM = EXAMPLES / "manchester-children-families-2015-17.yaml"
linux = pytest.mark.skipif(not sys.platform.startswith("linux"),
                           reason="the temporary files are wrapped on Linux only")
# under strace LeakSanitizer cannot stop the child's threads (ptrace) and aborts
traced = pytest.mark.skipif(shutil.which("strace") is None or SANITIZED,
                            reason="needs strace; plain pass only")


def members(path):
    with zipfile.ZipFile(path) as z:
        # docProps/core.xml holds the time of the save
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}


def save_with(plan, path, monkeypatch, spool):
    if spool is None:
        monkeypatch.delenv("PLANBOOK_XLSX_SPOOL", raising=False)
    else:
        monkeypatch.setenv("PLANBOOK_XLSX_SPOOL", spool)
    plan.save(path)
    return members(path)


@pytest.mark.parametrize("example", [MEDIUM, EXAMPLES / "manchester-childrens-services-2016-20.yaml"],
                         ids=lambda p: p.stem)
def test_the_workbook_is_the_same_wherever_its_temporary_files_were(
        tmp_path, monkeypatch, example):
    plan = planbook.load(example)
    on_disk = save_with(plan, tmp_path / "disk.xlsx", monkeypatch, "0")
    assert len(on_disk) > 10
    for spool in (None, "65536", "20000", "1"):
        assert save_with(plan, tmp_path / f"s{spool}.xlsx", monkeypatch, spool) == on_disk, spool
    assert sorted(os.listdir(tmp_path)) == sorted(
        ["disk.xlsx", "sNone.xlsx", "s65536.xlsx", "s20000.xlsx", "s1.xlsx"])
    assert list(planbook.diff(plan, planbook.load(tmp_path / "sNone.xlsx"))) == []


SAVE = """
import sys, planbook
planbook.load(sys.argv[1]).save(sys.argv[2])
"""


def temporary_files(tmp_path, source, spool):
    """The files a save in a child process creates in its folder (strace),
    but the workbook."""
    out = tmp_path / "out.xlsx"
    log = tmp_path / "strace.log"
    env = dict(os.environ)
    if spool is None:
        env.pop("PLANBOOK_XLSX_SPOOL", None)
    else:
        env["PLANBOOK_XLSX_SPOOL"] = spool
    run = subprocess.run(["strace", "-f", "-qq", "-e", "trace=openat", "-o", str(log),
                          sys.executable, "-B", "-c", SAVE, str(source), str(out)],
                         capture_output=True, text=True, env=env, timeout=300)
    assert run.returncode == 0, run.stderr
    made = re.findall(r'openat\([^"]*"([^"]*planbook-tmp[^"]*)", [^)]*O_CREAT',
                      log.read_text())
    os.unlink(log)
    return [m for m in made if not m.endswith("/out.xlsx")]


@linux
@traced
def test_a_small_plans_save_creates_no_temporary_file(tmp_path):
    on_disk = temporary_files(tmp_path, MEDIUM, "0")
    # a file for every sheet's rows and one for every part packaged
    assert len(on_disk) > 2 * len(members(tmp_path / "out.xlsx")) // 3
    assert temporary_files(tmp_path, MEDIUM, None) == []
    # a budget smaller than the plan's files: some in memory, the rest on disk
    some = temporary_files(tmp_path, MEDIUM, "65536")
    assert 0 < len(some) < len(on_disk)


@linux
@traced
def test_a_big_plans_files_pass_the_budget_to_disk(tmp_path, monkeypatch):
    """A sheet whose XML is more than the budget: its files move to
    disk on the way (memory stays near the budget), and the workbook is
    the one written all on disk."""
    rows = "".join(f"    - line: Line {i}\n      values: [{i}, {2 * i}, {3 * i}]\n"
                   for i in range(40000))
    source = tmp_path / "big.yaml"
    source.write_text("planbook: 1\nbudgets:\n  big:\n    columns: [{id: a, period: 2024/25}, "
                      "{id: b, period: 2025/26}, {id: c, period: 2026/27}]\n    rows:\n" + rows,
                      encoding="utf-8")
    plan = planbook.load(source)
    on_disk = save_with(plan, tmp_path / "disk.xlsx", monkeypatch, "0")
    assert max(len(v) for v in on_disk.values()) > (4 << 20)  # over the budget
    assert save_with(plan, tmp_path / "spool.xlsx", monkeypatch, None) == on_disk
    monkeypatch.delenv("PLANBOOK_XLSX_SPOOL", raising=False)
    # the big sheet's rows and its packaged XML: on disk; the rest: not
    assert 1 <= len(temporary_files(tmp_path, source, None)) <= 3
