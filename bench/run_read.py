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

from benchlib import child_env, log, machine_info, publish, run_child  # noqa: E402

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
WORK = BENCH / "build" / "read"
DOCS = REPO / "docs" / "benchmarks.md"
MARK_START = "<!-- read-benchmark:start -->"
MARK_END = "<!-- read-benchmark:end -->"
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
    import planbook_xlsx._xlsx as writer
    if not out.exists() or out.stat().st_mtime < Path(writer.__file__).stat().st_mtime:
        log(f"exporting {yaml_path.name} to {out.name}")
        code, so, se, _ = run_child([sys.executable, "-c",
                                     "import sys, planbook; planbook.load(sys.argv[1])"
                                     ".save(sys.argv[2])", str(yaml_path), str(out)], child_env())
        if code:
            raise SystemExit(f"export failed: {se}")
    return out


def measure(reader: str, path: Path) -> dict:
    code, out, err, rss = run_child([sys.executable, "-c", CHILD, reader, str(path)], child_env())
    if code:
        raise SystemExit(f"{reader} failed on {path.name}:\n{err[-2000:]}")
    res = json.loads(out.strip().splitlines()[-1])
    res["maxrss_mb"] = rss * 1024 / 1e6
    return res


def markdown(report: dict) -> str:
    m = report["machine"]
    lines = [MARK_START, "## Reading workbooks (issue 8)", "",
             f"Measured {report['date']} on {m['cpu_model']} ({m['nproc']} CPUs, {m['memory']}), "
             f"Python {m['python']}; `bench/run_read.py`, median (min-max) of "
             f"{report['repeat']} runs, each in a fresh process, the read alone. The books are "
             "the write benchmark's budget books (10 tables, five years and a Total column, "
             "sections of 40 lines with sub-totals) as planbook writes them, so about half "
             "the figures are formulas with cached results. Lists: every sheet into Python "
             "lists of rows.", "",
             "| book | cells | reader | seconds | peak RSS MB |", "| --- | ---: | --- | ---: | ---: |"]
    for b in report["books"]:
        for r in READERS:
            if r not in b["results"]:
                continue
            res = b["results"][r]
            t = res["times"]
            lines.append(f"| {b['name']} ({b['mb']:.1f} MB) | {b['cells']:,} | {TITLES[r]} | "
                         f"{statistics.median(t):.3f} ({min(t):.3f}-{max(t):.3f}) | "
                         f"{res['maxrss_mb']:.0f} |")
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
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cells", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--quick", action="store_true", help="10k and 50k cells, 1 run")
    ap.add_argument("--no-docs", action="store_true")
    args = ap.parse_args(argv)
    if args.quick:
        args.cells, args.repeat = [10_000, 50_000], 1
    report = {"date": datetime.date.today().isoformat(), "machine": machine_info(),
              "repeat": args.repeat, "books": []}
    for target in args.cells:
        path = book(target, args.seed)
        entry = {"name": path.name, "mb": path.stat().st_size / 1e6, "cells": target,
                 "results": {}}
        for r in READERS:
            runs = []
            for _ in range(args.repeat):
                runs.append(measure(r, path))
            entry["results"][r] = {"times": [x["seconds"] for x in runs],
                                   "maxrss_mb": statistics.median(x["maxrss_mb"] for x in runs),
                                   "values": runs[0]["values"]}
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
