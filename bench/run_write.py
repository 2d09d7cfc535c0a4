#!/usr/bin/env python3
"""The write benchmark: planbook's formatted workbook (``plan.save("x.xlsx")``)
against pandas ``to_excel``, XlsxWriter in constant_memory mode,
rustpy-xlsxwriter (rust_xlsxwriter from Python) and a bare libxlsxwriter C loop, on the budget tables of synthetic plans of about 100k
and 1M amount cells.

    python bench/run_write.py [--cells 100000 1000000] [--repeat 3] [--seed 1]
                              [--quick] [--json PATH] [--docs PATH | --no-docs]
                              [--writers planbook pandas xlsxwriter rustpy loop]
                              [--python PATH]

Plans.  For each target cell count a plan is generated into bench/build/write/
by bench/generate.py at the size in MB that gives about that many amount
cells (found by generating, loading with planbook and counting, a few
rounds; the answer is cached by seed and a hash of the generator).  Cells
are counted as rows x amount columns, summed over the budget tables; the
exact counts are reported.  From the loaded plan the same cells are then
extracted once per plan (``Table.cells()``: for each row its label and, for
each amount column, the figure as printed, else the computed figure, else
blank) into a pickle for the Python writers and a text dump for the C loop.

Writers, each run in a fresh process, ``--repeat`` times, taking turns:

* planbook    ``planbook.load(plan)`` and ``plan.check()`` (not timed), then the wall time of
              ``plan.save(out.xlsx)``: the finance workbook in constant-memory
              mode with formulas for totals and computed columns (cached
              results), number formats, comments on misprints, a contents and
              a findings sheet; plan.save also checks the plan, writes to a
              temporary file, fsyncs it and renames it.
* pandas      one DataFrame per budget table (a label column and one column
              per amount column; built from the extracted cells, not timed),
              then the wall time of writing them all with
              ``pd.ExcelWriter(out, engine="xlsxwriter")`` and
              ``df.to_excel(writer, sheet_name=<table id[:31]>, index=False)``
              (the ``with`` block, so the close is included).  No formats
              but pandas' own heading style; all in memory (pandas does not
              pass constant_memory).
* xlsxwriter  XlsxWriter ``Workbook(out, {"constant_memory": True})``, the
              same cells written in row order with write_string /
              write_number from plain lists (prepared before the clock), to
              the end of ``close()``.
* rustpy      rustpy-xlsxwriter ``write_worksheets([(sheet, records), ...], out)``:
              rust_xlsxwriter (its own XML writer, zlib-rs), one list of
              dicts per table (heading -> value; built before the clock),
              the call to its end.  The fastest peer (issue 18).
* loop        bench/build/xlsxloop (bench/xlsxloop.c, compiled here if
              missing): libxlsxwriter with constant_memory, write_string and
              write_number, no formats - the floor.  It reads the dump before
              its clock starts and reports its own time and memory.

Memory: each process resets its peak RSS (``/proc/self/clear_refs``) just
before the timed region, after the imports, the load and the data
preparation, and reads VmRSS; the peak delta is VmHWM after the write minus
that RSS.  Without /proc the Python writers fall back to ``ru_maxrss``.

Outputs are checked outside the timing: after each run the workbook is
opened with openpyxl (read-only) in another process, and the number of
sheets and the values of a few known cells (a printed figure and its row's
label in the first and the last table; for planbook also that a total is a
formula) must be as expected, else that run - and the writer - is reported
as failed.  Without openpyxl the outputs are reported as unchecked.

Reported per size: median (min-max) seconds, cells per second, peak delta
median (min-max) MB, and the ratios with the issue's targets: pandas /
planbook time (>= 4), XlsxWriter / planbook time (>= 2), rustpy-xlsxwriter /
planbook time (>= 1), planbook / loop time (<= 1.2), each also on CPU time
(what tells, on a machine other work shares), and planbook's peak delta at the largest size / at the
smallest (<= 1.5; "flat as rows grow").  The table is printed and written to
docs/benchmarks.md between ``<!-- write-benchmark:start -->`` and
``<!-- write-benchmark:end -->`` (not with ``--quick`` unless ``--docs`` is
given).  MB means 10**6 bytes throughout.

``--quick`` is a smoke test: about 10k and 50k cells, 1 repeat.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import statistics
import subprocess
import sys
from pathlib import Path

from benchlib import (BENCH, BUILD, CHILD_PEAK, DOCS, REPO, build_c, child_env, child_json,  # noqa: E402
                      choose_python, docs_path, generate, interpreters, kib_to_mb, last_json,
                      log, machine_info, markdown_head, marks, not_measured, peer_options,
                      print_ratios, print_summaries, probe_json, ratio_table, report_head,
                      run_child, save_report, short_hash, sizes_and_repeat, peer_summaries,
                      tool_version, verdict, warm)

WORK = BUILD / "write"          # plans, extracted cells, dumps, workbooks
GENERATOR = BENCH / "generate.py"
LOOP_SRC = BENCH / "xlsxloop.c"
LOOP_BIN = BUILD / "xlsxloop"
MARK_START, MARK_END = marks("write")

TARGET_VS_PANDAS = 4.0       # pandas time / planbook time >=
TARGET_VS_XLSXWRITER = 2.0   # XlsxWriter constant_memory time / planbook time >=
TARGET_VS_LOOP = 1.2         # planbook time / bare loop time <= (issue 18; 1.3 before)
TARGET_VS_RUSTPY = 1.0       # rustpy-xlsxwriter time / planbook time >= (issue 18; aim 1.5)
RATIOS = (   # heading, short heading, ratio, target, which way is better
    ("pandas / planbook time", "pandas/planbook", "pandas_over_planbook", TARGET_VS_PANDAS,
     "high"),
    ("XlsxWriter / planbook time", "XlsxWriter/planbook", "xlsxwriter_over_planbook",
     TARGET_VS_XLSXWRITER, "high"),
    ("rustpy-xlsxwriter / planbook time", "rustpy/planbook", "rustpy_over_planbook",
     TARGET_VS_RUSTPY, "high"),
    ("planbook / loop time", "planbook/loop", "planbook_over_loop", TARGET_VS_LOOP, "low"))
TARGET_MEMORY_GROWTH = 1.5   # planbook peak delta, largest / smallest size <=

DEFAULT_CELLS = (100_000, 1_000_000)
QUICK_CELLS = (10_000, 50_000)
SIZE_TOLERANCE = 0.02        # the generated plan's cells within 2% of the target

WRITERS = ("planbook", "pandas", "xlsxwriter", "rustpy", "loop")
WRITER_TITLES = {
    "planbook": "planbook plan.save",
    "pandas": "pandas to_excel",
    "xlsxwriter": "XlsxWriter constant_memory",
    "rustpy": "rustpy-xlsxwriter",
    "loop": "libxlsxwriter loop (C)",
}
PIP_HINT = {"pandas": "pip install pandas XlsxWriter", "xlsxwriter": "pip install XlsxWriter",
            "rustpy": "pip install -r bench/requirements.txt",
            "planbook": "pip install -e .", "check": "pip install openpyxl"}

# Layout of planbook's budget sheets (plugins/xlsx/pb_xlsx_private.h): the
# first sheet is the contents, then one sheet per table, then the findings;
# a table's row r is sheet row XL_FIRST_DATA_ROW + r, its column c is sheet
# column c + 1.
PB_FIRST_DATA_ROW = 5
PB_EXTRA_SHEETS = 2

# --------------------------------------------------------------------------
# Child programs.  Each prints one JSON line.

# python -c PREPARE count PLAN
# python -c PREPARE extract PLAN PICKLE DUMP
PREPARE = r"""
import json, pickle, sys
from decimal import Decimal
import planbook
action, path = sys.argv[1], sys.argv[2]
plan = planbook.load(path)
tables = list(plan.budgets.values())

def amount_cols(t):
    return [i for i, c in enumerate(t.columns) if c.type == "amount"]

info = {"tables": len(tables), "rows": sum(len(t.rows) for t in tables),
        "cells": sum(len(t.rows) * len(amount_cols(t)) for t in tables),
        "planbook": getattr(planbook, "__version__", None)}
if action == "count":
    print(json.dumps(info))
    sys.exit(0)

pickle_path, dump_path = sys.argv[3], sys.argv[4]

def number(d):
    return int(d) if d == d.to_integral_value() else float(d)

def clean(s):
    return " ".join(str(s).split()) if s is not None else ""

out_tables, used, numbers, checks, formula = [], set(), 0, [], None
for ti, t in enumerate(tables):
    cols = amount_cols(t)
    name = t.id[:31]
    k = 2
    while name.lower() in used:
        suffix = f"~{k}"
        name = t.id[:31 - len(suffix)] + suffix
        k += 1
    used.add(name.lower())
    header = ["label"] + [t.columns[i].id for i in cols]
    rows, first_plain = [], None
    for r, cells in enumerate(t.cells()):
        label = cells[0].label if cells else t.rows[r].label
        vals = []
        for i in cols:
            cell = cells[i]
            if cell.state in ("value", "nil"):
                v = number(cell.printed)
            elif cell.computed is not None:
                v = number(cell.computed)
            else:
                v = None
            if v is not None:
                numbers += 1
            vals.append(v)
            if (first_plain is None and cell.state == "value" and cell.computed is None
                    and label):
                first_plain = (r, len(vals) - 1, v, label)
            if (formula is None and t.rows[r].kind == "total" and cell.computed is not None):
                formula = {"table": ti, "row": r, "col": len(vals) - 1}
        rows.append([label] + vals)
    # known cells: a printed figure in the first table that has one, and in the last
    if first_plain is not None and (not checks or ti == len(tables) - 1):
        r, c, v, label = first_plain
        checks.append({"table": ti, "row": r, "col": c, "value": v, "label": label})
    out_tables.append({"id": t.id, "sheet": name, "header": header, "rows": rows})

with open(pickle_path, "wb") as f:
    pickle.dump({"tables": out_tables}, f, protocol=pickle.HIGHEST_PROTOCOL)
with open(dump_path, "w", encoding="utf-8", newline="\n") as f:
    for tb in out_tables:
        f.write("S\t" + clean(tb["sheet"]) + "\n")
        f.write("T\t" + "\t".join(clean(h) for h in tb["header"]) + "\n")
        for row in tb["rows"]:
            f.write("R\t" + clean(row[0]) + "\t"
                    + "\t".join("" if v is None else repr(v) for v in row[1:]) + "\n")
info.update(numbers=numbers, checks=checks, formula=formula)
print(json.dumps(info))
"""

# python -c CHILD WRITER ACTION PLAN PICKLE OUT   (ACTION: probe or write)
CHILD = r"""
import os, sys
writer, action, plan_path, pickle_path, out = sys.argv[1:6]

""" + CHILD_PEAK + r"""

info = {"python": sys.version.split()[0], "executable": sys.executable}
try:
    if writer == "planbook":
        import planbook
        import planbook_xlsx
        info["version"] = getattr(planbook, "__version__", None)
        info["libxlsxwriter"] = getattr(planbook_xlsx, "LIBXLSXWRITER_VERSION", None)
        planbook.formats.get_format("x.xlsx", None, "save")
    elif writer == "pandas":
        import pandas as pd
        import xlsxwriter
        info["version"] = pd.__version__
        info["xlsxwriter"] = xlsxwriter.__version__
    elif writer == "rustpy":
        import rustpy_xlsxwriter
        info["version"] = rustpy_xlsxwriter.get_version()
    else:
        import xlsxwriter
        info["version"] = xlsxwriter.__version__
except Exception as e:
    give(info, available=False, error=f"{type(e).__name__}: {e}")
if action == "probe":
    give(info, available=True)

# ---- preparation, not timed
if writer == "planbook":
    plan = planbook.load(plan_path)
    plan.check()  # as an analyst does before saving; the figures are then cached in the core
    def run():
        plan.save(out)
else:
    import pickle
    with open(pickle_path, "rb") as f:
        data = pickle.load(f)
    tables = data["tables"]
    if writer == "rustpy":
        sheets = [(t["sheet"], [dict(zip(t["header"], row)) for row in t["rows"]])
                  for t in tables]
        def run():
            rustpy_xlsxwriter.write_worksheets(sheets, out)
    elif writer == "pandas":
        frames = [(t["sheet"], pd.DataFrame(t["rows"], columns=t["header"])) for t in tables]
        def run():
            with pd.ExcelWriter(out, engine="xlsxwriter") as xw:
                for name, df in frames:
                    df.to_excel(xw, sheet_name=name, index=False)
    else:
        tmpdir = os.path.dirname(os.path.abspath(out))
        def run():
            wb = xlsxwriter.Workbook(out, {"constant_memory": True, "tmpdir": tmpdir})
            for t in tables:
                ws = wb.add_worksheet(t["sheet"])
                write_string, write_number = ws.write_string, ws.write_number
                for c, h in enumerate(t["header"]):
                    write_string(0, c, h)
                r = 1
                for row in t["rows"]:
                    if row[0]:
                        write_string(r, 0, row[0])
                    c = 1
                    for v in row[1:]:
                        if v is not None:
                            write_number(r, c, v)
                        c += 1
                    r += 1
            wb.close()

try:
    os.unlink(out)
except FileNotFoundError:
    pass
measure(run, info)   # the data are not freed: teardown is not part of the write
"""

# python -c CHECK probe | python -c CHECK PATH EXPECT_JSON
CHECK = r"""
import json, sys
try:
    import openpyxl
except Exception as e:
    print(json.dumps({"available": False, "error": f"{type(e).__name__}: {e}"}))
    sys.exit(0)
if sys.argv[1] == "probe":
    print(json.dumps({"available": True, "version": openpyxl.__version__}))
    sys.exit(0)
path, expect = sys.argv[1], json.loads(sys.argv[2])
problems = []
try:
    wb = openpyxl.load_workbook(path, read_only=True)
except Exception as e:
    print(json.dumps({"available": True, "ok": False,
                      "error": f"cannot open: {type(e).__name__}: {e}"}))
    sys.exit(0)
sheets = wb.worksheets
if len(sheets) != expect["sheets"]:
    problems.append(f"{len(sheets)} sheets, expected {expect['sheets']}")
else:
    for c in expect["cells"]:
        ws = sheets[c["sheet"]]
        got = ws.cell(row=c["row"], column=c["col"]).value
        where = f"{ws.title}!{openpyxl.utils.get_column_letter(c['col'])}{c['row']}"
        want = c["want"]
        if c["kind"] == "number":
            ok = (isinstance(got, (int, float)) and not isinstance(got, bool)
                  and abs(got - want) <= 1e-9 * max(1.0, abs(want)))
        elif c["kind"] == "text":
            ok = isinstance(got, str) and " ".join(got.split()) == want
        else:   # formula
            ok = isinstance(got, str) and got.startswith("=")
        if not ok:
            problems.append(f"{where} is {got!r}, expected {c['kind']} {want!r}")
wb.close()
print(json.dumps({"available": True, "ok": not problems, "error": "; ".join(problems)}))
"""


# --------------------------------------------------------------------------
# Children.


def probe_python(python: str, writer: str) -> dict:
    if writer == "check":
        return probe_json([python, "-c", CHECK, "probe"])
    return probe_json([python, "-c", CHILD, writer, "probe", os.devnull, os.devnull, os.devnull])


def measure_python(python: str, writer: str, plan: Path, cells: Path, out: Path) -> dict:
    return child_json([python, "-c", CHILD, writer, "write", str(plan), str(cells), str(out)])


# --------------------------------------------------------------------------
# The C loop.

# the libxlsxwriter and zlib planbook's development build links (setup.py,
# tools/build_deps.sh): the loop links the same, so the ratio compares like
# with like; else the system's, through pkg-config
OWN_PREFIX = Path(os.environ.get("PLANBOOK_XLSXWRITER") or REPO / "build-deps" / "xlsxwriter" / "prefix")
OWN_ARCHIVES = [OWN_PREFIX / "lib" / "libxlsxwriter.a", OWN_PREFIX / "lib" / "libz.a"]


def planbook_deflate_level() -> int | None:
    """The level planbook's save deflates a workbook's parts at where
    libxlsxwriter asks for zlib's default (plugins/xlsx/pb_xlsx.h; Linux
    builds on the static library wrap deflateInit2_ for it), or None."""
    m = re.search(r"#define PB_XLSX_DEFLATE_LEVEL (\d+)",
                  (REPO / "plugins" / "xlsx" / "pb_xlsx.h").read_text(encoding="utf-8"))
    return int(m.group(1)) if m and sys.platform.startswith("linux") else None


LOOP_LEVEL = None  # the deflate level the loop was built with (build_loop)


def build_loop() -> tuple[bool, str]:
    global LOOP_BIN, LOOP_LEVEL
    if all(a.exists() for a in OWN_ARCHIVES):
        # the same library, zlib and deflate level as planbook's save
        level = planbook_deflate_level()
        LOOP_BIN = BUILD / ("xlsxloop-own" + (f"-level{level}" if level else ""))
        if LOOP_BIN.exists() and LOOP_BIN.stat().st_mtime < OWN_ARCHIVES[0].stat().st_mtime:
            LOOP_BIN.unlink()
        wrap = [f"-DLOOP_DEFLATE_LEVEL={level}", "-Wl,--wrap=deflateInit2_"] if level else []
        LOOP_LEVEL = level
        return build_c(LOOP_SRC, LOOP_BIN,
                       [f"-I{OWN_PREFIX / 'include'}", *wrap, *map(str, OWN_ARCHIVES)])
    try:
        flags = subprocess.run(["pkg-config", "--cflags", "--libs", "xlsxwriter"],
                               capture_output=True, text=True)
        pc = shlex.split(flags.stdout) if flags.returncode == 0 else ["-lxlsxwriter", "-lz"]
    except OSError:
        pc = ["-lxlsxwriter", "-lz"]
    return build_c(LOOP_SRC, LOOP_BIN, pc)


def loop_version() -> str | None:
    return tool_version(LOOP_BIN)


def measure_loop(dump: Path, out: Path) -> dict:
    try:
        out.unlink()
    except FileNotFoundError:
        pass
    rc, text, err, maxrss = run_child([str(LOOP_BIN), str(dump), str(out)])
    if rc != 0:
        return {"available": False, "error": err.strip()[-500:] or f"exit {rc}",
                "child_maxrss_kib": maxrss}
    fields = dict(kv.split("=", 1) for kv in text.split())
    res = {"available": True, "seconds": float(fields["seconds"]),
           "cpu_seconds": float(fields["cpu_seconds"]),
           "sheets": int(fields["sheets"]), "cells_written": int(fields["cells"]),
           "rss_before_kib": int(fields["rss_before_kib"]),
           "hwm_after_kib": int(fields["peak_kib"]), "child_maxrss_kib": maxrss}
    if res["hwm_after_kib"] >= 0 and res["rss_before_kib"] >= 0:
        res.update(peak_delta_kib=res["hwm_after_kib"] - res["rss_before_kib"],
                   memory_method="VmHWM")
    else:
        res.update(peak_delta_kib=None, memory_method="unknown")
    return res


# --------------------------------------------------------------------------
# Checks of the outputs.

def expectations(writer: str, meta: dict) -> dict:
    """What the output of writer must hold: sheet count and known cells
    (1-based rows and columns, as openpyxl counts)."""
    nt = meta["tables"]
    cells = []
    for c in meta["checks"]:
        if writer == "planbook":
            sheet, row = PB_EXTRA_SHEETS - 1 + c["table"], PB_FIRST_DATA_ROW + c["row"] + 1
        else:
            sheet, row = c["table"], c["row"] + 2     # heading row first
        cells.append({"sheet": sheet, "row": row, "col": c["col"] + 2,
                      "kind": "number", "want": c["value"]})
        cells.append({"sheet": sheet, "row": row, "col": 1, "kind": "text",
                      "want": " ".join(c["label"].split())})
    f = meta.get("formula")
    if writer == "planbook" and f:
        cells.append({"sheet": PB_EXTRA_SHEETS - 1 + f["table"],
                      "row": PB_FIRST_DATA_ROW + f["row"] + 1, "col": f["col"] + 2,
                      "kind": "formula", "want": "="})
    # planbook's workbooks also have the hidden structure sheet, last
    return {"sheets": nt + (PB_EXTRA_SHEETS + 1 if writer == "planbook" else 0), "cells": cells}


def check_output(python: str | None, writer: str, path: Path, meta: dict) -> dict:
    if python is None:
        return {"checked": False, "ok": None, "error": "openpyxl not available"}
    rc, out, err, _ = run_child([python, "-c", CHECK, str(path),
                                 json.dumps(expectations(writer, meta))], child_env())
    res = last_json(out)
    if rc != 0 or res is None:
        return {"checked": True, "ok": False, "error": f"check exit {rc}: {err.strip()[-300:]}"}
    return {"checked": True, "ok": bool(res.get("ok")), "error": res.get("error") or ""}


# --------------------------------------------------------------------------
# Plans: sizes in MB for the target cell counts, files, extracted cells.

def generator_hash() -> str:
    return short_hash(GENERATOR.read_bytes())


def prepare_hash() -> str:
    return short_hash(PREPARE.encode())


def plan_file(mb: float, seed: int) -> Path:
    WORK.mkdir(parents=True, exist_ok=True)
    path = plan_file_name(mb, seed)
    if not path.exists():
        cmd = [sys.executable, str(GENERATOR), "--megabytes", f"{mb:g}",
               "-o", str(path), "--seed", str(seed), "--quiet"]
        generate(cmd)
    return path


def prepare(python: str, action: str, plan: Path, *extra: Path) -> dict:
    rc, out, err, _ = run_child([python, "-c", PREPARE, action, str(plan),
                                 *map(str, extra)], child_env())
    res = last_json(out)
    if rc != 0 or res is None:
        raise RuntimeError(f"reading {plan.name} with planbook failed (exit {rc}): "
                           f"{err.strip()[-800:]}")
    return res


def size_for(python: str, target: int, seed: int) -> tuple[float, Path, dict]:
    """The plan (MB, path, counts) whose cell count is nearest the target."""
    cache_path = WORK / f"sizes-seed{seed}-{generator_hash()}.json"
    try:
        cache = json.loads(cache_path.read_text())
    except (OSError, ValueError):
        cache = {}
    hit = cache.get(str(target))
    if hit:
        path = plan_file(hit["megabytes"], seed)
        return hit["megabytes"], path, hit["counts"]
    mb = max(0.05, round(target / 52_000, 2))     # about 52k cells per MB
    best, tried = None, []
    for _ in range(6):
        path = plan_file(mb, seed)
        tried.append(path)
        counts = prepare(python, "count", path)
        log(f"  {mb:g} MB: {counts['cells']} cells ({counts['tables']} tables)")
        err = abs(counts["cells"] - target) / target
        if best is None or err < best[0]:
            best = (err, mb, path, counts)
        if err <= SIZE_TOLERANCE:
            break
        new = round(mb * target / counts["cells"], 2)
        if new == mb:
            break
        mb = max(0.01, new)
    _, mb, path, counts = best
    cache[str(target)] = {"megabytes": mb, "counts": counts}
    cache_path.write_text(json.dumps(cache, indent=1) + "\n")
    keep = {plan_file_name(v["megabytes"], seed) for v in cache.values()}
    for stale in tried:             # the other tries
        if stale not in keep and stale.exists():
            stale.unlink()
    return mb, path, counts


BOOK_TABLES = 10
BOOK_YEARS = [2024, 2025, 2026, 2027, 2028]
BOOK_SECTION = 40
SERVICES = ["Adult Social Care", "Children's Services", "Education", "Highways", "Waste",
            "Housing", "Public Health", "Libraries", "Planning", "Leisure", "Parks",
            "Transport", "Regeneration", "Revenues and Benefits", "Legal Services"]
ITEMS = ["staffing", "agency cover", "contracts", "premises", "transport", "supplies",
         "grants paid", "placements", "ICT", "training", "insurance", "utilities"]


def write_book(path: Path, target: int, seed: int) -> None:
    """A budget book of BOOK_TABLES big tables (five years and a Total sum
    column), rows in sections of BOOK_SECTION lines with a sub-total each and
    a grand total: the shape where a table grows by rows, not by tables."""
    import random
    rnd = random.Random(seed)
    ncols = len(BOOK_YEARS) + 1
    lines_per_table = max(BOOK_SECTION, target // (BOOK_TABLES * ncols))
    with open(path, "w", encoding="utf-8") as f:
        f.write("planbook: 1\nplan:\n  title: Synthetic budget book\n"
                "  organisation: Anytown Council\n  year_start: April\nbudgets:\n")
        for t in range(BOOK_TABLES):
            f.write(f"  t{t:02d}:\n    title: Budget book part {t + 1}\n    kind: savings\n"
                    "    columns:\n")
            for y in BOOK_YEARS:
                f.write(f"    - {{id: y{y}, period: {y}/{(y + 1) % 100:02d}}}\n")
            f.write("    - {id: total, label: Total, sum: [" +
                    ", ".join(f"y{y}" for y in BOOK_YEARS) + "]}\n    rows:\n")
            grand = [0] * len(BOOK_YEARS)
            n = 0
            s_no = 0
            while n < lines_per_table:
                s_no += 1
                f.write(f"    - section: {rnd.choice(SERVICES)} area {s_no}\n      rows:\n")
                sub = [0] * len(BOOK_YEARS)
                for _ in range(min(BOOK_SECTION, lines_per_table - n)):
                    vals = [rnd.randint(-500, 50000) for _ in BOOK_YEARS]
                    sub = [a + b for a, b in zip(sub, vals)]
                    label = f"{rnd.choice(SERVICES)} - {rnd.choice(ITEMS)} {rnd.randint(100, 9999)}"
                    f.write(f"      - line: {label}\n        values: [" +
                            ", ".join(map(str, vals)) + f", {sum(vals)}]\n")
                    n += 1
                grand = [a + b for a, b in zip(grand, sub)]
                f.write("      - total: Sub-total\n        values: [" +
                        ", ".join(map(str, sub)) + f", {sum(sub)}]\n")
            f.write("    - total: Total\n      values: [" + ", ".join(map(str, grand)) +
                    f", {sum(grand)}]\n")


def book_for(python: str, target: int, seed: int) -> tuple[float, Path, dict]:
    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / f"book-{target}-seed{seed}-{short_hash(inspect_source())}.yaml"
    if not path.exists():
        log(f"writing a budget book of about {target} cells: {path.name}")
        write_book(path, target, seed)
    counts = prepare(python, "count", path)
    return round(path.stat().st_size / 1e6, 2), path, counts


def inspect_source() -> bytes:
    import inspect
    return inspect.getsource(write_book).encode()


def plan_file_name(mb: float, seed: int) -> Path:
    return WORK / f"plan-{mb:g}mb-seed{seed}-{generator_hash()}.yaml"


def extract(python: str, plan: Path) -> tuple[Path, Path, dict]:
    """The plan's cells as a pickle and a dump (cached), and their meta data."""
    stem = plan.stem + f"-cells-{prepare_hash()}"
    pkl, dump, meta_path = (WORK / f"{stem}.pickle", WORK / f"{stem}.txt",
                            WORK / f"{stem}.json")
    if not (pkl.exists() and dump.exists() and meta_path.exists()):
        log(f"extracting the cells of {plan.name}")
        meta = prepare(python, "extract", plan, pkl, dump)
        meta_path.write_text(json.dumps(meta) + "\n")
    return pkl, dump, json.loads(meta_path.read_text())


# --------------------------------------------------------------------------
# Statistics and the report.


def summarise(runs, cells: int) -> dict:
    bad = [r for r in runs if not r.get("available") or r.get("check", {}).get("ok") is False]
    if bad or not runs:
        r = bad[0] if bad else {}
        if r.get("available"):
            err = "output wrong: " + r["check"]["error"]
        else:
            err = r.get("error") or "not measured"
        return {"available": False, "failed": bool(runs), "error": err}
    secs = [r["seconds"] for r in runs]
    deltas = [kib_to_mb(r["peak_delta_kib"]) for r in runs if r.get("peak_delta_kib") is not None]
    med = statistics.median(secs)
    cpu = [r["cpu_seconds"] for r in runs if r.get("cpu_seconds") is not None]
    out = {"available": True, "n": len(runs),
           "checked": all(r.get("check", {}).get("checked") for r in runs),
           "seconds_median": med, "seconds_min": min(secs), "seconds_max": max(secs),
           "cells_per_s": cells / med if med > 0 else None,
           "cpu_seconds_median": statistics.median(cpu) if cpu else None}
    if deltas:
        out.update(peak_delta_mb_median=statistics.median(deltas),
                   peak_delta_mb_min=min(deltas), peak_delta_mb_max=max(deltas))
    return out


# the same ratios on CPU time: on a shared machine the wall time of a run is
# mostly its wait for a core, so those tell more there
RATIOS_CPU = tuple((f"{h} on CPU", f"{s} cpu", f"{k}_cpu", t, b) for h, s, k, t, b in RATIOS)


def size_ratios(summary) -> dict:
    pb = summary.get("planbook", {})
    out, why = {}, {}
    for key, other, planbook_over in (("pandas_over_planbook", "pandas", False),
                                      ("xlsxwriter_over_planbook", "xlsxwriter", False),
                                      ("rustpy_over_planbook", "rustpy", False),
                                      ("planbook_over_loop", "loop", True)):
        a, b = (pb.get("cpu_seconds_median"), summary.get(other, {}).get("cpu_seconds_median"))
        if pb.get("available") and summary.get(other, {}).get("available") and a and b:
            out[key + "_cpu"] = a / b if planbook_over else b / a
    for key, other, planbook_over in (("pandas_over_planbook", "pandas", False),
                                      ("xlsxwriter_over_planbook", "xlsxwriter", False),
                                      ("rustpy_over_planbook", "rustpy", False),
                                      ("planbook_over_loop", "loop", True)):
        o = summary.get(other, {})
        if pb.get("available") and o.get("available"):
            a, b = pb["seconds_median"], o["seconds_median"]
            out[key] = a / b if planbook_over else b / a
        else:
            why[key] = "; ".join(f"{WRITER_TITLES[w]} {'failed' if s.get('failed') else 'not available'}"
                                 for w, s in (("planbook", pb), (other, o))
                                 if not s.get("available"))
    out["why_missing"] = why
    return out


def memory_growth(report) -> dict:
    """Peak delta at the largest size / at the smallest, per writer."""
    sizes = report["sizes"]
    out = {}
    if len(sizes) < 2:
        return out
    small, large = sizes[0], sizes[-1]
    for w in WRITERS:
        a, b = small["summary"].get(w, {}), large["summary"].get(w, {})
        if (a.get("available") and b.get("available") and a.get("peak_delta_mb_median")
                and b.get("peak_delta_mb_median") is not None):
            out[w] = b["peak_delta_mb_median"] / a["peak_delta_mb_median"]
    return out


def fmt_secs(x) -> str:
    return "n/a" if x is None else f"{x:.3f} s"


def fmt_cells(n: int) -> str:
    return f"{n / 1e6:.2f}M" if n >= 1_000_000 else f"{n / 1e3:.0f}k"


def size_name(size) -> str:
    return f"{fmt_cells(size['cells'])} cells"


def markdown(report) -> str:
    m = report["machine"]
    lvl = f", {m['deflate_level']}" if m.get("deflate_level") else ""
    lines = markdown_head(report, MARK_START, "Write benchmark") + [
        f"- Python {m['python']}; planbook {m.get('planbook') or 'not available'}; "
        f"libxlsxwriter {m.get('libxlsxwriter') or 'n/a'}; pandas {m.get('pandas') or 'n/a'}; "
        f"XlsxWriter {m.get('xlsxwriter') or 'n/a'}; rustpy-xlsxwriter {m.get('rustpy') or 'n/a'}; outputs checked with openpyxl "
        f"{m.get('openpyxl') or '(not available: unchecked)'}",
        (f"- Plans: synthetic budget books of 10 tables (five years and a Total column; "
         f"sections of 40 lines with sub-totals; seed {report['seed']}) that grow by rows, "
         "written by `write_book` in this script, sized for "
         if report.get("shape", "book") == "book" else
         f"- Plans: synthetic, from `bench/generate.py` (seed {report['seed']}), sized for ")
        + "about 100k and 1M amount cells (rows x amount columns over the budget tables): "
        + "; ".join(f"{s['megabytes']:g} MB = {s['tables']} tables, {s['rows']} rows, "
                    f"{s['cells']} cells ({s['numbers']} of them with a figure)"
                    for s in report["sizes"]) + ".",
        f"- Runs per writer and size: {report['repeat']}, each in a fresh process, the "
        "writers taking turns. Time: the wall time of `plan.save(\"x.xlsx\")` after "
        "`planbook.load` and `plan.check()` (the formatted workbook: formulas with cached results for totals "
        "and computed columns, number formats, comments, contents and findings sheets, "
        "constant-memory mode; includes the plan check and save's fsync and rename); of the "
        "`pd.ExcelWriter(engine=\"xlsxwriter\")` block writing one DataFrame per table "
        "(frames built beforehand); of rustpy-xlsxwriter's `write_worksheets` "
        "(one list of dicts per table, built beforehand); of XlsxWriter `constant_memory` from "
        "`Workbook()` to `close()` (plain lists prepared beforehand); and as "
        "`bench/build/xlsxloop` reports it (`workbook_new_opt` to the end of "
        "`workbook_close`, no formats, the dump read beforehand; the same libxlsxwriter, zlib "
        f"and deflate level as planbook's save{lvl}). Peak Δ: the peak RSS "
        "during the write (VmHWM, reset just before it) minus the RSS just before it. "
        "Every output was opened with openpyxl and its sheet count and known cells checked."
        + (f" Load average when the run began: {m['loadavg']:.1f} on {m.get('nproc')} CPUs"
           " (other work shared the machine: the CPU-time ratios below tell more than the wall"
           " times then)." if m.get("loadavg") else ""),
        "",
        "| Cells | Writer | Time median (min-max) | Cells/s | CPU time median | Peak Δ median (min-max) |",
        "| --- | --- | --- | ---: | ---: | --- |",
    ]
    for size in report["sizes"]:
        for w in WRITERS:
            if w not in size["summary"]:
                continue
            s = size["summary"][w]
            if not s.get("available"):
                state = "FAILED" if s.get("failed") else "not available"
                lines.append(f"| {size_name(size)} | {WRITER_TITLES[w]} | {state}: "
                             f"{s.get('error', '')[:200]} | | | |")
                continue
            mem = (f"{s['peak_delta_mb_median']:.1f} MB ({s['peak_delta_mb_min']:.1f}-"
                   f"{s['peak_delta_mb_max']:.1f})" if "peak_delta_mb_median" in s else "n/a")
            lines.append(
                f"| {size_name(size)} | {WRITER_TITLES[w]} "
                f"| {s['seconds_median']:.3f} s ({s['seconds_min']:.3f}-{s['seconds_max']:.3f}) "
                f"| {s['cells_per_s'] / 1e3:,.0f}k "
                f"| {fmt_secs(s.get('cpu_seconds_median'))} | {mem} |")
    lines += ratio_table(report, "Cells", RATIOS, size_name)
    lines += ratio_table(report, "Cells (CPU time)", RATIOS_CPU, size_name)
    g = report.get("memory_growth", {})
    if len(report["sizes"]) >= 2:
        a, b = size_name(report["sizes"][0]), size_name(report["sizes"][-1])
        pb = g.get("planbook")
        lines += [
            "",
            f"Peak Δ at {b} / at {a} (planbook target <= {TARGET_MEMORY_GROWTH:g}x): "
            + "; ".join(
                f"{WRITER_TITLES[w]} {g[w]:.2f}x"
                + (f" ({verdict(g[w], TARGET_MEMORY_GROWTH, 'low')})" if w == "planbook" else "")
                for w in WRITERS if w in g)
            + ("" if pb is not None else "; planbook n/a") + ".",
        ]
    lines += not_measured(report, WRITER_TITLES) + [MARK_END]
    return "\n".join(lines) + "\n"


def print_table(report) -> None:
    def row(s):
        mem = s.get("peak_delta_mb_median")
        return (f"{s['seconds_median']:9.3f} {s['seconds_min']:8.3f} {s['seconds_max']:8.3f} "
                f"{s['cells_per_s']:10.0f} {fmt_secs(s.get('cpu_seconds_median'))[:-2]:>8} "
                f"{'n/a' if mem is None else f'{mem:.1f}':>10}  "
                f"{'ok' if s['checked'] else 'unchecked'}")
    print_summaries(
        report, WRITERS, WRITER_TITLES, (7, 27),
        ("cells", "writer", f"{'median s':>9} {'min s':>8} {'max s':>8} {'cells/s':>10} "
                            f"{'cpu s':>8} {'peak d MB':>10}  check"),
        lambda size: fmt_cells(size["cells"]), row)
    print()
    print_ratios(report, RATIOS, lambda size: f"{fmt_cells(size['cells'])} cells")
    print_ratios(report, RATIOS_CPU, lambda size: f"{fmt_cells(size['cells'])} cells")
    g = report.get("memory_growth", {})
    if g:
        print("peak delta, largest / smallest size: " + "; ".join(
            f"{w} {v:.2f}x" + (f" ({verdict(v, TARGET_MEMORY_GROWTH, 'low')}) "
                               f"[<= {TARGET_MEMORY_GROWTH:g}x]" if w == "planbook" else "")
            for w, v in g.items()))


# --------------------------------------------------------------------------

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        description="Time planbook's workbook writer against pandas to_excel, XlsxWriter "
                    "constant_memory, rustpy-xlsxwriter and a bare libxlsxwriter loop.")
    ap.add_argument("--cells", type=int, nargs="+", metavar="N",
                    help="target amount cells per plan (default: 100000 1000000; "
                         "--quick: 10000 50000)")
    ap.add_argument("--shape", choices=("book", "generator"), default="book",
                    help="book (default): 10 tables that grow by rows, sections of 40 lines "
                         "with sub-totals; generator: bench/generate.py's plans, which grow "
                         "by adding many small tables")
    peer_options(ap, "writer", WRITERS, (1, 3), "smoke test: small plans, 1 repeat",
                 "the Python writers")
    args = ap.parse_args(argv)
    targets, repeat = sizes_and_repeat(ap, args, "cells", (QUICK_CELLS, DEFAULT_CELLS))
    targets = sorted(targets)
    docs = docs_path(args, DOCS)
    candidates = interpreters(args.python, REPO)

    machine = machine_info()
    report = {"shape": args.shape, **report_head("run_write.py"), "seed": args.seed, "repeat": repeat, "machine": machine, "sizes": [],
              "unavailable": {}}

    # planbook is needed to make the data even when it is not measured
    pb_python, pb_info = choose_python(lambda py: probe_python(py, "planbook"), candidates)
    if pb_python is None:
        log(f"planbook is not available ({pb_info.get('error')}); "
            f"try: {PIP_HINT['planbook']}")
        return 2
    machine["planbook"] = pb_info.get("version") or "?"
    machine["loadavg"] = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    machine["libxlsxwriter"] = pb_info.get("libxlsxwriter")
    pythons = {}
    for w in args.writers:
        if w == "loop":
            ok, err = build_loop()
            if ok:
                machine["libxlsxwriter"] = machine.get("libxlsxwriter") or loop_version()
                machine["deflate_level"] = LOOP_LEVEL
            else:
                report["unavailable"]["loop"] = f"cannot build xlsxloop: {err}"
            continue
        py, info = (pb_python, pb_info) if w == "planbook" else \
            choose_python(lambda py: probe_python(py, w), candidates)
        if py is None:
            report["unavailable"][w] = f"{info.get('error', 'not available')} ({PIP_HINT[w]})"
            log(f"{WRITER_TITLES[w]}: not available ({info.get('error')})")
            continue
        pythons[w] = py
        if w == "pandas":
            machine["pandas"] = info.get("version")
            machine["xlsxwriter"] = machine.get("xlsxwriter") or info.get("xlsxwriter")
        elif w == "xlsxwriter":
            machine["xlsxwriter"] = info.get("version")
        elif w == "rustpy":
            machine["rustpy"] = info.get("version")
    check_python, check_info = choose_python(lambda py: probe_python(py, "check"), candidates)
    if check_python is None:
        log(f"openpyxl not available: the outputs are not checked ({PIP_HINT['check']})")
    else:
        machine["openpyxl"] = check_info.get("version")

    out_dir = WORK / "out"
    out_dir.mkdir(parents=True, exist_ok=True)
    for target in targets:
        log(f"plan for about {target} cells")
        if args.shape == "book":
            mb, plan, counts = book_for(pb_python, target, args.seed)
        else:
            mb, plan, counts = size_for(pb_python, target, args.seed)
        pkl, dump, meta = extract(pb_python, plan)
        warm(plan, pkl, dump)
        cells = meta["cells"]
        entry = {"target_cells": target, "megabytes": mb, "plan": str(plan.relative_to(REPO)),
                 "bytes": plan.stat().st_size, "tables": meta["tables"], "rows": meta["rows"],
                 "cells": cells, "numbers": meta["numbers"],
                 "runs": {w: [] for w in args.writers}, "summary": {}}
        log(f"{plan.name}: {mb:g} MB, {meta['tables']} tables, {meta['rows']} rows, "
            f"{cells} cells ({meta['numbers']} with a figure); {repeat} runs per writer")
        for i in range(repeat):
            for w in args.writers:
                if w in report["unavailable"]:
                    continue
                out = out_dir / f"{w}-{target}.xlsx"
                if w == "loop":
                    res = measure_loop(dump, out)
                else:
                    res = measure_python(pythons[w], w, plan, pkl, out)
                if res.get("available"):
                    res["output_bytes"] = out.stat().st_size if out.exists() else None
                    res["check"] = check_output(check_python, w, out, meta)
                entry["runs"][w].append(res)
                if not res.get("available"):
                    log(f"  run {i + 1}/{repeat} {WRITER_TITLES[w]:<27} failed: "
                        f"{res.get('error')}")
                    continue
                chk = res["check"]
                state = ("output ok" if chk["ok"] else "unchecked" if chk["ok"] is None
                         else "OUTPUT WRONG: " + chk["error"])
                mem = res.get("peak_delta_kib")
                log(f"  run {i + 1}/{repeat} {WRITER_TITLES[w]:<27} {res['seconds']:8.3f} s  "
                    f"(cpu {res.get('cpu_seconds', float('nan')):.3f} s)  peak delta {'n/a' if mem is None else f'{kib_to_mb(mem):7.1f} MB'}  "
                    f"{state}")
        entry["summary"] = peer_summaries(report, entry["runs"],
                                          lambda runs: summarise(runs, cells))
        entry["ratios"] = size_ratios(entry["summary"])
        report["sizes"].append(entry)
    report["memory_growth"] = memory_growth(report)

    print_table(report)
    save_report(report, args.json, docs, markdown(report), MARK_START, MARK_END)
    failed = any(s["summary"][w].get("failed") for s in report["sizes"] for w in s["summary"])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
