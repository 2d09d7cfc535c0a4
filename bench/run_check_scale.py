#!/usr/bin/env python3
"""The check scale benchmark: ``plan.check()`` at 1x, 2x and 4x the size of a
plan with many ``select`` totals and agreements that name rows by label
(issue 15, "Scale and memory": 2x the size must take at most 2.3x the time).

    python bench/run_check_scale.py [--base N] [--scales 1 2 4] [--repeat 7]
                                    [--quick] [--json PATH] [--docs PATH | --no-docs]
                                    [--python PATH]

The plan (``plan_text()`` below, deterministic) has, at scale 1, ``--base``
directorates (default 400). Each is a section of a funding table
(``funding``) with ten service lines, each line split into three parts
(Mainstream, DSG, Traded Service), a section total and a section ``select``
total of the Mainstream parts; after each section, at top level, two running
``select`` totals (Mainstream to date, DSG to date) sum every matching part
above them. Two more tables hold one line per directorate and one per
service, and agreements name their rows by label only: one agreement over
every service line, one over every directorate total, and one small one per
directorate. A few printed figures are wrong on purpose, so that check()
reports findings (the same number at every run of a scale). The file is
written to bench/build/check-scale/ (cached by scale and a hash of this
script).

Every measurement runs in a fresh process: ``planbook.load`` (not timed),
then ``plan.check()`` (timed), up to five times while the checks have taken
less than half a second in all, the plan touched before each further check
(its tolerance set to itself) so that every check computes the totals
afresh, as after a load or an edit; the process reports the median of its
checks. The scales take turns, ``--repeat`` rounds, so that drift in a shared
machine affects every scale alike. Reported: the median over the rounds per
scale with its min-max spread, and the ratio of medians of each scale to the
one before (target: <= 2.3 for twice the size). The table
is printed and written to docs/benchmarks.md between
``<!-- check-scale-benchmark:start -->`` and ``<!-- check-scale-benchmark:end -->``
(not with ``--quick`` unless ``--docs`` is given). MB means 10**6 bytes.

``--quick`` is a smoke test: base 60, 3 rounds.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from pathlib import Path

from benchlib import (BUILD as BENCH_BUILD, DOCS, MB, REPO, child_json, docs_path, log,  # noqa: E402
                      machine_info, markdown_head, marks, output_options, report_head,
                      save_report, short_hash)

BUILD = BENCH_BUILD / "check-scale"
MARK_START, MARK_END = marks("check-scale")
TARGET = 2.3           # time at 2x size / time at 1x size <=
YEARS = (2024, 2025, 2026, 2027, 2028)
PARTS = ("Mainstream", "DSG", "Traded Service")
SERVICES = 10          # service lines per directorate
P_WRONG = 0.01         # share of printed total cells misprinted on purpose


# --------------------------------------------------------------------------
# The plan.

def _row(out, pad, kind, label, values, extra=()):
    out.append(f"{pad}- {kind}: {label}\n")
    for k, v in extra:
        out.append(f"{pad}  {k}: {v}\n")
    out.append(f"{pad}  values: [{', '.join(str(v) for v in values)}]\n")


def plan_text(directorates: int, seed: int = 1) -> str:
    """A valid plan with `directorates` sections of SERVICES lines each."""
    rnd = random.Random(seed)
    ncol = len(YEARS)

    def printed(values):
        return [v + rnd.choice((-7, 3, 11)) if rnd.random() < P_WRONG else v for v in values]

    out = ["planbook: 1\n",
           "plan:\n  title: Check scale benchmark\n  organisation: Synthetic Council\n",
           "budgets:\n"]
    cols = "".join(f"    - {{id: g{y}, period: {y}/{(y + 1) % 100:02d}, measure: gross}}\n"
                   for y in YEARS)
    out.append("  funding:\n    title: Funding by source\n    kind: funding\n"
               "    columns:\n" + cols + "    rows:\n")
    running = {p: [0] * ncol for p in PARTS[:2]}
    dir_totals, service_totals = [], []
    for d in range(directorates):
        out.append(f"    - section: Directorate {d}\n      rows:\n")
        dtot, dmain = [0] * ncol, [0] * ncol
        for s in range(SERVICES):
            parts = {p: [rnd.randint(0, 900) for _ in YEARS] for p in PARTS}
            line = [sum(parts[p][i] for p in PARTS) for i in range(ncol)]
            _row(out, "      ", "line", f"Service {d}.{s}", line)
            out.append("        parts:\n")
            for p in PARTS:
                _row(out, "        ", "line", p, parts[p])
            for i in range(ncol):
                dtot[i] += line[i]
                dmain[i] += parts["Mainstream"][i]
                for p in running:
                    running[p][i] += parts[p][i]
            service_totals.append((f"Service {d}.{s}", line))
        _row(out, "      ", "total", f"Total Directorate {d}", printed(dtot))
        _row(out, "      ", "total", f"Mainstream in Directorate {d}", printed(dmain),
             [("select", "Mainstream")])
        dir_totals.append(dtot)
        for p in running:
            _row(out, "    ", "total", f"{p} to date after Directorate {d}",
                 printed(running[p]), [("select", p)])
    out.append("  directorates:\n    title: Directorates\n    kind: other\n"
               "    columns:\n" + cols + "    rows:\n")
    for d, tot in enumerate(dir_totals):
        _row(out, "    ", "line", f"Directorate {d}", printed(tot))
    out.append("  services:\n    title: Services\n    kind: other\n"
               "    columns:\n" + cols + "    rows:\n")
    for label, tot in service_totals:
        _row(out, "    ", "line", label, printed(tot))

    years = ", ".join(f"g{y}" for y in YEARS)

    def side(table, rows):
        return f"{{table: {table}, rows: [{', '.join(rows)}], columns: [{years}]}}"

    out.append("agreements:\n")
    labels = [label for label, _ in service_totals]
    out.append("- name: Every service agrees to the list of services\n"
               f"  left: {side('funding', labels)}\n  right: {side('services', labels)}\n")
    out.append("- name: Every directorate agrees to the summary\n"
               f"  left: {side('funding', [f'Total Directorate {d}' for d in range(directorates)])}\n"
               f"  right: {side('directorates', [f'Directorate {d}' for d in range(directorates)])}\n")
    for d in range(directorates):
        out.append(f"- name: Directorate {d}\n"
                   f"  left: {side('funding', [f'Total Directorate {d}'])}\n"
                   f"  right: {side('directorates', [f'Directorate {d}'])}\n")
    return "".join(out)


def script_hash() -> str:
    return short_hash(Path(__file__).read_bytes())


def indicator_text(periods: int, measures: int = 50, seed: int = 1) -> str:
    """A plan of one indicator set: `measures` measures over `periods` years."""
    rnd = random.Random(seed)
    years = [f"{y}/{(y + 1) % 100:02d}" for y in range(1900, 1900 + periods)]
    out = ["planbook: 1\nplan:\n  title: Indicator scale benchmark\n",
           "indicators:\n  big:\n    title: Measures\n",
           f"    periods: [{', '.join(years)}]\n    measures:\n"]
    for m in range(measures):
        out.append(f"    - ref: m{m}\n      name: Measure {m}\n      polarity: high\n"
                   f"      values: [{', '.join(str(rnd.randint(0, 999)) for _ in years)}]\n"
                   f"      targets: {{{', '.join(f'{y}: {rnd.randint(0, 999)}' for y in years)}}}\n")
    return "".join(out)


def plan_file(kind: str, size: int, seed: int) -> Path:
    BUILD.mkdir(parents=True, exist_ok=True)
    path = BUILD / f"{kind}-{size}-seed{seed}-{script_hash()}.yaml"
    if not path.exists():
        for old in BUILD.glob("*.yaml"):     # made by an older version of this script
            if not old.name.endswith(f"-{script_hash()}.yaml"):
                old.unlink()
        tmp = path.with_suffix(".tmp")
        text = plan_text(size, seed) if kind == "budgets" else indicator_text(size, seed=seed)
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    return path


# --------------------------------------------------------------------------
# One measurement, in a fresh interpreter: python -c CHILD TASK PATH.

CHILD = r"""
import json, statistics, sys, time
import planbook
task, path = sys.argv[1], sys.argv[2]
plan = planbook.load(path)
if task == "check":
    def once():
        plan._c.tolerance = plan._c.tolerance   # an edit: the totals are computed afresh
        return len(plan.check())
else:
    other = planbook.load(path)                 # the same plan with one figure changed
    if task == "diff":
        other.budgets["funding"].rows[5]["g2024"] = 1
    else:
        s = other.indicators["big"]
        s["m7"].values[s.periods[len(s.periods) // 2]] = 5
    def once():
        return len(planbook.diff(plan, other))
times = []
while len(times) < 5 and sum(times) < 0.5:
    t0 = time.perf_counter()
    count = once()
    times.append(time.perf_counter() - t0)
rows = sum(len(t.rows) for t in plan.budgets.values()) + \
    sum(len(list(s)) for s in plan.indicators.values())
print(json.dumps({"seconds": statistics.median(times), "first": times[0], "runs": len(times),
                  "findings": count, "rows": rows, "version": planbook.__version__}))
"""


def measure(python: str, task: str, path: Path) -> dict:
    res = child_json([python, "-c", CHILD, task, str(path)])
    res.pop("child_maxrss_kib")
    if not res.pop("available", True):
        return {"ok": False, "error": res["error"]}
    res["ok"] = True
    return res


# --------------------------------------------------------------------------
# The report.

TASKS = {
    # task: (plan kind, title, what is timed, what a unit of size is, count name)
    "check": ("budgets", "check()", "`plan.check()`", "directorates", "findings"),
    "diff": ("budgets", "diff (budgets)",
             "`planbook.diff(a, b)`, b the same plan with one figure changed",
             "directorates", "changes"),
    "indicators": ("indicators", "diff (indicators)",
                   "`planbook.diff(a, b)` of a set of 50 measures, b with one result changed",
                   "periods", "changes"),
}
DEFAULT_BASE = {"check": 400, "diff": 100, "indicators": 50}
QUICK_BASE = {"check": 60, "diff": 20, "indicators": 10}


def ratio_text(s, prev) -> str:
    r = s["median"] / prev["median"]
    size = s["scale"] / prev["scale"]
    target = TARGET if size == 2 else TARGET * size / 2
    return f"{r:.2f}x for {size:g}x size ({'met' if r <= target else 'NOT met'}: <= {target:g}x)"


def markdown(report) -> str:
    m = report["machine"]
    lines = markdown_head(report, MARK_START, "Check scale benchmark (issue 15)",
                          ", shared with other work (medians over interleaved runs; the "
                          "spread is min-max)") + [
        f"- Python {m['python']}; planbook {report.get('version') or '?'}",
        "- Budgets: `plan_text()` of `bench/run_check_scale.py`, N directorates: a funding "
        f"table with {SERVICES} lines of three parts (Mainstream, DSG, Traded Service) per "
        "directorate, a section `select` total per directorate and two running top-level "
        "`select` totals after each; agreements naming every service line and every "
        "directorate total by label, and one small agreement per directorate. Indicators: "
        "`indicator_text()`, one set of 50 measures over N periods, results and targets.",
        "- Time: in a fresh process after `planbook.load`, the median of up to 5 runs (while "
        "under 0.5 s in all; each check computes the totals afresh after an edit); "
        f"{report['repeat']} rounds with the scales taking turns, median and min-max over "
        "the rounds.",
        "",
        "| Task | Scale | Size | File | Rows or measures | Found | Time median (min-max) "
        "| Time / previous scale |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for task in report["tasks"]:
        _, title, _, unit, _ = TASKS[task["task"]]
        prev = None
        for s in task["scales"]:
            if not s.get("ok"):
                lines.append(f"| {title} | {s['scale']:g}x | {s['size']} {unit} "
                             f"| {s['mb']:.1f} MB | | | failed: {s['error']} | |")
                prev = None
                continue
            ratio = ratio_text(s, prev) if prev else ""
            lines.append(f"| {title} | {s['scale']:g}x | {s['size']} {unit} | {s['mb']:.1f} MB "
                         f"| {s['rows']:,} | {s['findings']:,} "
                         f"| {s['median']:.3f} s ({s['min']:.3f}-{s['max']:.3f}) | {ratio} |")
            prev = s
    lines += ["", "Timed: " + "; ".join(f"{TASKS[t['task']][1]}: {TASKS[t['task']][2]}"
                                         for t in report["tasks"]) + ".", MARK_END]
    return "\n".join(lines) + "\n"


def print_table(report) -> None:
    print()
    print(f"{'task':<18} {'scale':>5} {'size':>6} {'MB':>6} {'rows':>8} {'found':>6} "
          f"{'median s':>9} {'min s':>8} {'max s':>8} {'x prev':>7}")
    for task in report["tasks"]:
        title = TASKS[task["task"]][1]
        prev = None
        for s in task["scales"]:
            if not s.get("ok"):
                print(f"{title:<18} {s['scale']:>4g}x {s['size']:>6} failed: {s['error']}")
                prev = None
                continue
            ratio = f"{s['median'] / prev['median']:6.2f}x" if prev else ""
            print(f"{title:<18} {s['scale']:>4g}x {s['size']:>6} {s['mb']:6.1f} {s['rows']:8d} "
                  f"{s['findings']:6d} {s['median']:9.3f} {s['min']:8.3f} {s['max']:8.3f} "
                  f"{ratio:>7}")
            prev = s
    print(f"(target: twice the size in at most {TARGET:g}x the time)")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Time plan.check() and planbook.diff() "
                                 "at growing sizes.")
    ap.add_argument("--tasks", nargs="+", choices=list(TASKS), default=list(TASKS),
                    help="what to time (default: all)")
    ap.add_argument("--check-base", type=int, help="directorates at scale 1 for check "
                    f"(default {DEFAULT_BASE['check']}; --quick: {QUICK_BASE['check']})")
    ap.add_argument("--diff-base", type=int, help="directorates at scale 1 for diff "
                    f"(default {DEFAULT_BASE['diff']}; --quick: {QUICK_BASE['diff']})")
    ap.add_argument("--indicators-base", type=int, help="periods at scale 1 for the "
                    f"indicator diff (default {DEFAULT_BASE['indicators']}; --quick: "
                    f"{QUICK_BASE['indicators']})")
    ap.add_argument("--scales", type=float, nargs="+", default=[1, 2, 4],
                    help="sizes as multiples of the base (default 1 2 4)")
    ap.add_argument("--repeat", type=int, help="rounds (default 7; --quick: 3)")
    ap.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    ap.add_argument("--quick", action="store_true", help="smoke test: small bases, 3 rounds")
    ap.add_argument("--python", help="interpreter to measure with (default: this one)")
    output_options(ap, DOCS, REPO)
    args = ap.parse_args(argv)
    bases = dict(QUICK_BASE if args.quick else DEFAULT_BASE)
    for task in TASKS:
        if getattr(args, f"{task}_base"):
            bases[task] = getattr(args, f"{task}_base")
    repeat = args.repeat or (3 if args.quick else 7)
    if min(bases.values()) < 1 or repeat < 1 or any(s <= 0 for s in args.scales):
        ap.error("bases, --repeat and --scales must be positive")
    docs = docs_path(args, DOCS)
    python = args.python or sys.executable

    report = {**report_head("run_check_scale.py"), "bases": bases, "repeat": repeat, "machine": machine_info(), "tasks": []}
    entries = []
    for task in args.tasks:
        kind = TASKS[task][0]
        for scale in sorted(args.scales):
            size = max(1, round(bases[task] * scale))
            path = plan_file(kind, size, args.seed)
            entries.append({"task": task, "scale": scale, "size": size, "path": str(path),
                            "mb": path.stat().st_size / MB, "runs": []})
            log(f"{task} {scale:g}x: {path.name}, {path.stat().st_size / MB:.1f} MB")
    for i in range(repeat):
        for e in entries:
            res = measure(python, e["task"], Path(e["path"]))
            e["runs"].append(res)
            log(f"  round {i + 1}/{repeat} {e['task']} {e['scale']:g}x: " +
                (f"{res['seconds']:.3f} s, {res['findings']} found" if res["ok"]
                 else f"failed: {res['error']}"))
    for task in args.tasks:
        scales = []
        for e in (e for e in entries if e["task"] == task):
            ok = [r for r in e["runs"] if r["ok"]]
            if not ok or len(ok) < len(e["runs"]):
                e.update(ok=False, error=next(r["error"] for r in e["runs"] if not r["ok"]))
            else:
                secs = [r["seconds"] for r in ok]
                counts = {r["findings"] for r in ok}
                if len(counts) != 1:
                    e.update(ok=False, error=f"the number found varies: {sorted(counts)}")
                else:
                    e.update(ok=True, median=statistics.median(secs), min=min(secs),
                             max=max(secs), findings=ok[0]["findings"], rows=ok[0]["rows"])
                    report["version"] = ok[0]["version"]
            scales.append(e)
        report["tasks"].append({"task": task, "scales": scales})

    print_table(report)
    save_report(report, args.json, docs, markdown(report), MARK_START, MARK_END)
    return 0 if all(s.get("ok") for t in report["tasks"] for s in t["scales"]) else 1


if __name__ == "__main__":
    sys.exit(main())
