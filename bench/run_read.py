"""Read benchmark: the Excel benchmark's budget books (bench/run_write.py,
about 100k and 1M amount cells) written by planbook, read back with

- planbook: ``planbook.load(book)``, building its full model (tables,
  sections, totals, findings-ready), and ``planbook_xlsxread.rows`` for
  every sheet into Python lists;
- openpyxl (read_only=True): every sheet's ``iter_rows(values_only=True)``
  into lists;
- python-calamine: every sheet's ``to_python()``.

Each measurement runs in a fresh interpreter; the time is the read alone
(imports and interpreter start excluded), median (min-max) of ``--repeat``
runs (3).  Every reader must return the same number of non-empty values per
book (checked).  Targets: planbook at least 5x faster than openpyxl
read_only and at least as fast as calamine.  The table is written to
docs/benchmarks.md between ``<!-- read-benchmark:start -->`` and
``<!-- read-benchmark:end -->``.

    python bench/run_read.py [--cells 100000 1000000] [--repeat 3] [--quick]
"""

from __future__ import annotations

import argparse
import datetime
import json
import statistics
import sys
from pathlib import Path

from benchlib import (BENCH, BUILD, DOCS, child_env, log, machine_info, marks,  # noqa: E402
                      publish, run_child)

WORK = BUILD / "read"
MARK_START, MARK_END = marks("read")
TARGET_VS_OPENPYXL = 5.0
TARGET_VS_CALAMINE = 1.0

READERS = ("planbook", "planbook_rows", "openpyxl", "calamine")
TITLES = {"planbook": "planbook.load (full model)",
          "planbook_rows": "planbook_xlsxread.rows (lists)",
          "openpyxl": "openpyxl read_only (lists)",
          "calamine": "python-calamine (lists)"}

# python -c CHILD READER BOOK: prints {"seconds": s, "values": n}
CHILD = r"""
import json, sys, time
reader, path = sys.argv[1], sys.argv[2]
def count(rows):
    return sum(1 for row in rows for v in row if v is not None and v != "")
if reader == "planbook":
    import planbook, warnings
    warnings.simplefilter("ignore")
    t0 = time.perf_counter()
    plan = planbook.load(path)
    seconds = time.perf_counter() - t0
    n = sum(len(t.rows) for t in plan.budgets.values())
    print(json.dumps({"seconds": seconds, "values": None, "rows": n}))
    sys.exit(0)
if reader == "planbook_rows":
    import planbook_xlsxread
    t0 = time.perf_counter()
    data = [planbook_xlsxread.rows(path, name) for name, _ in planbook_xlsxread.sheets(path)]
elif reader == "openpyxl":
    import openpyxl
    t0 = time.perf_counter()
    wb = openpyxl.load_workbook(path, read_only=True)
    data = [[list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets]
    wb.close()
elif reader == "calamine":
    from python_calamine import CalamineWorkbook
    t0 = time.perf_counter()
    wb = CalamineWorkbook.from_path(path)
    data = [wb.get_sheet_by_name(n).to_python() for n in wb.sheet_names]
seconds = time.perf_counter() - t0
print(json.dumps({"seconds": seconds, "values": sum(count(s) for s in data)}))
"""


def book(target: int, seed: int) -> Path:
    """The write benchmark's budget book of about `target` cells, as a
    workbook planbook wrote (cached, and written again when the Excel
    writer was built after it, so the book is always what planbook writes
    now: with the hidden structure sheet since it was added)."""
    sys.path.insert(0, str(BENCH))
    import run_write
    WORK.mkdir(parents=True, exist_ok=True)
    _, yaml_path, counts = run_write.book_for(sys.executable, target, seed)
    out = WORK / (yaml_path.stem + ".xlsx")
    save_as_planbook_does(yaml_path, out)
    return out


# ------------------------------------------------- shared with run_read_parts.py

def save_as_planbook_does(yaml_path: Path, out: Path) -> None:
    """Write the plan in yaml_path to the workbook `out` with planbook, in a
    child process, unless `out` is newer than the Excel writer."""
    import planbook_xlsx._xlsx as writer
    if out.exists() and out.stat().st_mtime >= Path(writer.__file__).stat().st_mtime:
        return
    log(f"writing {yaml_path.name} to {out.name}")
    code, _, err, _ = run_child([sys.executable, "-c", "import sys, planbook; "
                                 "planbook.load(sys.argv[1]).save(sys.argv[2])",
                                 str(yaml_path), str(out)], child_env())
    if code:
        raise SystemExit(f"writing {out.name} failed: {err[-2000:]}")


def measure_child(cmd, what: str) -> dict:
    """Run a measuring child that prints its result as JSON on its last
    line: the result, with the child's peak RSS as ``maxrss_mb``."""
    code, out, err, rss = run_child(cmd, child_env())
    if code:
        raise SystemExit(f"{what} failed:\n{err[-2000:]}")
    res = json.loads(out.strip().splitlines()[-1])
    res["maxrss_mb"] = rss * 1024 / 1e6
    return res


def runs_summary(runs) -> dict:
    """A reader's runs: their times and their median peak RSS."""
    return {"times": [x["seconds"] for x in runs],
            "maxrss_mb": statistics.median(x["maxrss_mb"] for x in runs)}


def times_text(t) -> str:
    """Times as "median (min-max)", in seconds."""
    return f"{statistics.median(t):.3f} ({min(t):.3f}-{max(t):.3f})"


def options(doc: str, sizes: str, default: list) -> argparse.ArgumentParser:
    """A read benchmark's options: its sizes (`sizes`, whole numbers),
    --repeat, --seed and --no-docs."""
    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    ap.add_argument(sizes, type=int, nargs="+", default=default)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-docs", action="store_true")
    return ap


def new_report(repeat: int) -> dict:
    return {"date": datetime.date.today().isoformat(), "machine": machine_info(),
            "repeat": repeat, "books": []}


def markdown_head(report: dict, mark_start: str, title: str, script: str, method: str) -> list:
    """The first lines of a read benchmark's section: its marker, title, and
    when, where and how it was measured (`method` goes on from "each in a
    fresh process")."""
    m = report["machine"]
    return [mark_start, title, "",
            f"Measured {report['date']} on {m['cpu_model']} ({m['nproc']} CPUs, {m['memory']}), "
            f"Python {m['python']}; `bench/{script}`, median (min-max) of "
            f"{report['repeat']} runs, each in a fresh process{method}", ""]


# --------------------------------------------------------------------------

def measure(reader: str, path: Path) -> dict:
    return measure_child([sys.executable, "-c", CHILD, reader, str(path)],
                         f"{reader} on {path.name}")


def markdown(report: dict) -> str:
    lines = markdown_head(
        report, MARK_START, "## Reading workbooks (issue 8)", "run_read.py",
        ", the read alone. The books are the write benchmark's budget books (10 tables, five "
        "years and a Total column, sections of 40 lines with sub-totals) as planbook writes "
        "them, so about half the figures are formulas with cached results. Lists: every sheet "
        "into Python lists of rows.")
    lines += ["| book | cells | reader | seconds | peak RSS MB |", "| --- | ---: | --- | ---: | ---: |"]
    for b in report["books"]:
        for r in READERS:
            if r not in b["results"]:
                continue
            res = b["results"][r]
            lines.append(f"| {b['name']} ({b['mb']:.1f} MB) | {b['cells']:,} | {TITLES[r]} | "
                         f"{times_text(res['times'])} | {res['maxrss_mb']:.0f} |")
    lines += ["", "Targets (medians):", ""]
    for b in report["books"]:
        med = {r: statistics.median(b["results"][r]["times"]) for r in b["results"]}
        pb = med["planbook"]
        vs_o = med["openpyxl"] / pb
        vs_c = med["calamine"] / pb
        lines.append(
            f"- {b['cells']:,} cells: openpyxl read_only / planbook.load = {vs_o:.1f}x "
            f"(target >= {TARGET_VS_OPENPYXL:g}x: {'met' if vs_o >= TARGET_VS_OPENPYXL else 'NOT met'}); "
            f"calamine / planbook.load = {vs_c:.2f}x "
            f"(target >= {TARGET_VS_CALAMINE:g}: {'met' if vs_c >= TARGET_VS_CALAMINE else 'NOT met'}); "
            f"planbook rows into lists: {med['calamine'] / med['planbook_rows']:.2f}x calamine's speed.")
    lines += ["", MARK_END, ""]
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = options(__doc__, "--cells", default=[100_000, 1_000_000])
    ap.add_argument("--quick", action="store_true", help="10k and 50k cells, 1 run")
    args = ap.parse_args(argv)
    if args.quick:
        args.cells, args.repeat = [10_000, 50_000], 1
    report = new_report(args.repeat)
    for target in args.cells:
        path = book(target, args.seed)
        entry = {"name": path.name, "mb": path.stat().st_size / 1e6, "cells": target,
                 "results": {}}
        for r in READERS:
            runs = [measure(r, path) for _ in range(args.repeat)]
            entry["results"][r] = {**runs_summary(runs), "values": runs[0]["values"]}
            log(f"{path.name}: {r}: {statistics.median(entry['results'][r]['times']):.3f} s")
        counts = {r: entry["results"][r]["values"] for r in ("planbook_rows", "openpyxl",
                                                               "calamine")}
        if len(set(counts.values())) != 1:
            log(f"WARNING: the readers read different numbers of values: {counts}")
        entry["values"] = counts
        report["books"].append(entry)
    (WORK / "read-results.json").write_text(json.dumps(report, indent=2))
    publish(markdown(report), DOCS, MARK_START, MARK_END, not args.no_docs and not args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
