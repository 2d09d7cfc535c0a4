"""Read benchmark for dashboards: the status benchmark's indicator plans
(bench/gen_indicators.py: 2,000 and 20,000 measures x 48 months, with
targets and thresholds) written by planbook as workbooks, read back with

- planbook: ``planbook.load(book)``: the plan from the hidden structure
  sheet, then every dashboard cell compared with it (the edits finance
  made are applied; here there are none, and the plan read back is checked
  to be the plan written);
- openpyxl (read_only) and python-calamine: every sheet into Python lists.

Each measurement runs in a fresh interpreter (bench/run_read.py's child);
median (min-max) of ``--repeat`` runs.  Issue 21's target: planbook.load of
the 20,000-measure book no slower than python-calamine reading the same
sheets into lists, in the same run.  Also shown: openpyxl, and loading the
plan's YAML.  Written to
docs/benchmarks.md between ``<!-- read-parts-benchmark:start -->`` and
``<!-- read-parts-benchmark:end -->``.

    python bench/run_read_parts.py [--measures 2000 20000] [--repeat 3] [--cpu-rounds 5]

On a machine shared with other work the wall times vary; --cpu-rounds adds
CPU times of planbook.load and calamine run in turns (planbook's over its
two threads, and its calling thread's alone).
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

from benchlib import BENCH, BUILD, DOCS, child_env, log, marks, publish, run_child  # noqa: E402

WORK = BUILD / "read-parts"
MARK_START, MARK_END = marks("read-parts")

sys.path.insert(0, str(BENCH))
import run_read  # noqa: E402

READERS = ("planbook", "yaml", "openpyxl", "calamine")
TITLES = {"planbook": "planbook.load (full model, edits compared)",
          "yaml": "planbook.load of the plan's YAML",
          "openpyxl": "openpyxl read_only (lists)", "calamine": "python-calamine (lists)"}

YAML_CHILD = r"""
import json, sys, time
import planbook
t0 = time.perf_counter()
plan = planbook.load(sys.argv[1])
print(json.dumps({"seconds": time.perf_counter() - t0, "values": None}))
"""

CHECK = r"""
import sys, warnings
import planbook
warnings.simplefilter("error")          # a warning would mean something was not read
a, b = planbook.load(sys.argv[1]), planbook.load(sys.argv[2])
sys.exit(0 if a.dumps() == b.dumps() else 3)
"""


def books(n: int, seed: int):
    """(yaml, xlsx) for n measures, generated and written when missing or
    older than the Excel writer."""
    WORK.mkdir(parents=True, exist_ok=True)
    yaml_path = WORK / f"indicators-{n}-seed{seed}.yaml"
    if not yaml_path.exists():
        log(f"generating {yaml_path.name}")
        code, _, err, _ = run_child([sys.executable, str(BENCH / "gen_indicators.py"), "-o",
                                     str(yaml_path), "--measures", str(n), "--seed", str(seed)],
                                    child_env())
        if code:
            raise SystemExit(f"generation failed: {err[-2000:]}")
    xlsx = yaml_path.with_suffix(".xlsx")
    run_read.save_as_planbook_does(yaml_path, xlsx)
    return yaml_path, xlsx


def measure(reader: str, yaml_path: Path, xlsx: Path) -> dict:
    if reader == "yaml":
        return run_read.measure_child([sys.executable, "-c", YAML_CHILD, str(yaml_path)],
                                      "yaml load")
    return run_read.measure(reader, xlsx)


# The same run on the commit before the comparison moved into C (cba933a,
# 2026-12-07, the machine shared with five other builds: slow for every
# reader alike), for the ratio.
BEFORE = ("Before the comparison moved into C (issue 21; same machine, same day, "
          "busier): planbook.load 132.6 s (120.6-146.9), openpyxl 54.5 s, calamine 8.7 s, "
          "the YAML 2.9 s for the 20,000-measure book: 15.2x calamine's time, with "
          "`ind_get` once per row, `m_get` 250k times and each cell compared in Python. "
          "(Before two lookups were fixed, the set's periods read through a call that also "
          "works out the report period from every measure, and each period's cell read by "
          "a read of the whole measure, the book took about 100 s on a quiet machine.)")


# The reader before the dashboards were read ahead and the structure sheet
# parsed once (main at e5cacd9: its planbook_xlsxread built apart, first on
# PYTHONPATH), in turns with this one and calamine, 10 rounds, the
# 20,000-measure book, medians of CPU time.
AHEAD_BEFORE = ("Before the structure sheet was parsed once and the dashboards read ahead "
                "(2026-12-07, main at e5cacd9 in turns with the new reader and calamine, 10 "
                "rounds, CPU medians): planbook.load 1.281 s of CPU, 1.32x calamine's 0.968 s; "
                "after, in the same rounds, 1.129 s over both threads (1.17x), 0.492 s on the "
                "calling thread (0.51x). The wall times of those rounds (1.0-3.1 s for every "
                "reader, twice their CPU time: the host gave this machine less than one core) "
                "say nothing.")


# CPU time, for a machine shared with other work: planbook.load and
# calamine in turns, each in a fresh process.  planbook's process time
# counts both of its threads; "main" is the calling thread's alone.
CPU_CHILD = r"""
import json, resource, sys, time
reader, path = sys.argv[1], sys.argv[2]
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
if reader == "planbook":
    import planbook, warnings
    warnings.simplefilter("error")
else:
    from python_calamine import CalamineWorkbook
t0, c0, m0 = time.perf_counter(), cpu(), time.thread_time()
if reader == "planbook":
    planbook.load(path)
else:
    wb = CalamineWorkbook.from_path(path)
    data = [wb.get_sheet_by_name(n).to_python() for n in wb.sheet_names]
print(json.dumps({"seconds": time.perf_counter() - t0, "cpu": cpu() - c0,
                  "main": time.thread_time() - m0}))
"""


def cpu_rounds(xlsx: Path, rounds: int) -> dict:
    """{reader: {"seconds": [...], "cpu": [...], "main": [...]}} of `rounds`
    alternating runs of planbook.load and calamine."""
    out = {r: {"seconds": [], "cpu": [], "main": []} for r in ("planbook", "calamine")}
    for _ in range(rounds):
        for r in out:
            res = run_read.measure_child([sys.executable, "-c", CPU_CHILD, r, str(xlsx)],
                                         f"{r} (CPU) on {xlsx.name}")
            for k in out[r]:
                out[r][k].append(res[k])
    return out


def cpu_text(b: dict) -> str:
    c = b.get("cpu")
    if not c:
        return ""
    med = {r: {k: statistics.median(v) for k, v in c[r].items()} for r in c}
    pb, cal = med["planbook"], med["calamine"]
    return (f" By CPU time ({len(c['planbook']['cpu'])} rounds of planbook.load and calamine "
            f"in turns, fresh processes, medians; the {b['measures']:,}-measure book): "
            f"planbook.load {pb['cpu']:.3f} s of CPU over its two threads, "
            f"{pb['main']:.3f} s on the calling thread, {pb['seconds']:.3f} s wall; calamine "
            f"{cal['cpu']:.3f} s CPU, {cal['seconds']:.3f} s wall: wall "
            f"{pb['seconds'] / cal['seconds']:.2f}x calamine's, CPU "
            f"{pb['cpu'] / cal['cpu']:.2f}x, the calling thread's CPU "
            f"{pb['main'] / cal['cpu']:.2f}x.")


def markdown(report: dict) -> str:
    lines = run_read.markdown_head(
        report, MARK_START, "## Reading dashboards back (issues 8 and 21)", "run_read_parts.py",
        ". The workbooks are the status benchmark's indicator plans (48 months, targets, "
        "thresholds) as planbook writes them: one dashboard sheet of measures x months with "
        "live RAG and direction formulas. Every plan read back was checked to be the plan "
        "written, with no warning.")
    lines += ["| measures | observations | workbook | reader | seconds | peak RSS MB |",
              "| ---: | ---: | ---: | --- | ---: | ---: |"]
    for b in report["books"]:
        for r in READERS:
            res = b["results"][r]
            lines.append(f"| {b['measures']:,} | {b['measures'] * 48:,} | {b['mb']:.1f} MB | "
                         f"{TITLES[r]} | {run_read.times_text(res['times'])} | "
                         f"{res['maxrss_mb']:.0f} |")
    lines += [""]
    for b in report["books"]:
        med = {r: statistics.median(b["results"][r]["times"]) for r in b["results"]}
        ratio = med['planbook'] / med['calamine']
        c = b.get("cpu")
        by_cpu = ""
        if c:
            cpu = {r: statistics.median(c[r]["cpu"]) for r in c}
            by_cpu = (f"; by CPU time {cpu['planbook'] / cpu['calamine']:.2f}x over both "
                      f"threads, {statistics.median(c['planbook']['main']) / cpu['calamine']:.2f}"
                      "x on the calling thread")
        lines.append(f"- {b['measures']:,} measures: planbook.load takes "
                     f"{med['planbook'] / med['openpyxl']:.2f}x openpyxl's time and "
                     f"{ratio:.2f}x calamine's wall time (target <= 1: "
                     f"{'met' if ratio <= 1 else 'NOT met'}{by_cpu}), and "
                     f"{med['planbook'] / med['yaml']:.1f}x the YAML's.")
    lines += ["", "The dashboard is compared with the plan in C "
              "(`plugins/xlsxread/pb_xlsxread_dash.c`, through `_xlsxread.dashboard`): a row "
              "that shows its measure as planbook wrote it costs no Python work, and Python "
              "applies only the rows that differ (`planbook_xlsxread/_parts.py`). The "
              "dashboard sheets are read (unzipped, parsed by expat into a grid of values) on a "
              "second thread (`_xlsxread.ahead`) while the calling thread reads the structure "
              "sheet once and loads the plan's YAML from it (the YAML row above); the "
              "comparison follows. On two cores with one free, the load takes about the "
              "dashboard's XML plus the comparison; on a machine whose cores are all busy the "
              "two threads share one, and the wall time is their CPU time." +
              "".join(cpu_text(b) for b in report["books"]) + " " + AHEAD_BEFORE + " " +
              BEFORE,
              "", MARK_END, ""]
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = run_read.options(__doc__, "--measures", [2000, 20000])
    ap.add_argument("--cpu-rounds", type=int, default=5,
                    help="rounds of CPU-time runs on the largest book (0: none)")
    args = ap.parse_args(argv)
    report = run_read.new_report(args.repeat)
    for n in args.measures:
        yaml_path, xlsx = books(n, args.seed)
        code, _, err, _ = run_child([sys.executable, "-c", CHECK, str(yaml_path), str(xlsx)],
                                    child_env())
        if code:
            raise SystemExit(f"{xlsx.name} does not read back as its plan (exit {code}): "
                             f"{err[-2000:]}")
        entry = {"measures": n, "mb": xlsx.stat().st_size / 1e6, "results": {}}
        for r in READERS:
            entry["results"][r] = run_read.runs_summary(
                [measure(r, yaml_path, xlsx) for _ in range(args.repeat)])
            log(f"{xlsx.name}: {r}: {statistics.median(entry['results'][r]['times']):.3f} s")
        if n == max(args.measures) and args.cpu_rounds:
            entry["cpu"] = cpu_rounds(xlsx, args.cpu_rounds)
            log(f"{xlsx.name}: CPU: " + cpu_text(entry))
        report["books"].append(entry)
    publish(markdown(report), DOCS, MARK_START, MARK_END, not args.no_docs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
