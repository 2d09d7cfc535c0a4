#!/usr/bin/env python3
"""Two builds of planbook against each other, in the same run: the
version-specific build (A) and the limited-API / abi3 build (B), each
installed in its own interpreter, on the planbook figures of the load, write
and status benchmarks (no peers).

    python bench/run_abi3.py PYTHON_A PYTHON_B [--rounds 7] [--seed 1]
                             [--sizes 10 50] [--cells 100000 1000000]
                             [--measures 20000] [--only load write status]
                             [--json PATH] [--markdown]

PYTHON_A and PYTHON_B are interpreters (e.g. .venv-full/bin/python and
.venv-abi3/bin/python) that import planbook; the status benchmark's child
also needs numpy and pandas in both, and the write outputs are checked with
openpyxl where A has it.  Each measurement is one fresh process, exactly as
bench/run_load.py, run_write.py and run_status.py take it (their children
are reused: the same plans, sizes and timed regions):

* load      the wall time of ``planbook.load(path)`` on the generated plans
            of ``--sizes`` MB (run_load.py's defaults: 10 and 50);
* write     the wall time of ``plan.save(out.xlsx)`` after load and check, on
            the budget books of about ``--cells`` cells (100k and 1M);
* status    the wall time of ``status_codes`` on the indicator set of
            ``--measures`` measures (20000) after the load (the load and
            to_pandas parts of that child are reported too, not judged).

Times are wall times, as the benchmarks report them; CPU times (the child's
process_time over the same region) are reported beside them: on a shared
CPU the wall time includes waiting for a core, the CPU time much less so.

``--instructions`` instead counts the instructions executed by one load,
write and status (the first size of each) under valgrind's callgrind, per
build: a count that does not depend on what else the machine runs.

The builds are interleaved at every measurement: in each round every
benchmark runs A then B (odd rounds) or B then A (even rounds), so that a
change in the machine's load (the CPU is shared) falls on both alike.
Reported per benchmark: the median and min-max of each build, the ratio of
the medians B / A, and the median and min-max of the per-round ratios (B's
time over A's in the same round).  The decision rule of issue 14: abi3 is
adopted unless it is more than 3% slower (ratio > 1.03) on any of load,
write, status.
"""

from __future__ import annotations

import argparse
import datetime
import json
import statistics
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import run_load  # noqa: E402
import run_status  # noqa: E402
import run_write  # noqa: E402
from benchlib import (child_env, choose_python, last_json, log, machine_info, report_head,  # noqa: E402
                      run_child, save_report, short_hash)

THRESHOLD = 1.03

PROBE = r"""
import json, sys
import planbook, planbook._core as c, planbook_yaml._yaml as y, planbook_xlsx._xlsx as x
import planbook_xlsxread._xlsxread as r
print(json.dumps({"python": sys.version.split()[0], "executable": sys.executable,
                  "modules": [m.__file__.rsplit("/", 1)[-1] for m in (c, y, x, r)]}))
"""


def probe(python: str) -> dict:
    rc, out, err, _ = run_child([python, "-c", PROBE], child_env())
    info = last_json(out)
    if info is None:
        raise SystemExit(f"{python} cannot import planbook (exit {rc}): {err.strip()[-500:]}")
    return info


def build_kind(info: dict) -> str:
    kinds = {"abi3" if ".abi3." in m else "version-specific" for m in info["modules"]}
    return kinds.pop() if len(kinds) == 1 else "mixed: " + ", ".join(info["modules"])


def tag(python: str) -> str:
    """A short stable name for an interpreter's output files."""
    return short_hash(python.encode())


class Bench:
    """One benchmark item: a name and how to take one measurement with a
    given interpreter, returning {"seconds": ..., ...} or raising."""

    def __init__(self, key: str, title: str, measure, judged: bool = True):
        self.key, self.title, self.measure, self.judged = key, title, measure, judged


def load_items(sizes, seed):
    items = []
    for mb in sizes:
        path = run_load.plan_file(mb, seed)
        run_load.warm(path)

        def measure(py, path=path):
            res = run_load.measure_python(py, "planbook", path)
            if not res.get("available"):
                raise RuntimeError(res.get("error"))
            return {"seconds": res["seconds"], "cpu_seconds": res.get("cpu_seconds")}
        items.append(Bench(f"load-{mb:g}MB", f"load {mb:g} MB", measure))
    return items


def write_items(cells_targets, seed, python_a, checker):
    items = []
    out_dir = run_write.WORK / "abi3"
    out_dir.mkdir(parents=True, exist_ok=True)
    for target in cells_targets:
        mb, plan, counts = run_write.book_for(python_a, target, seed)
        pkl, dump, meta = run_write.extract(python_a, plan)
        run_write.warm(plan, pkl)
        checked = set()

        def measure(py, plan=plan, pkl=pkl, meta=meta, target=target, checked=checked):
            out = out_dir / f"planbook-{target}-{tag(py)}.xlsx"
            res = run_write.measure_python(py, "planbook", plan, pkl, out)
            if not res.get("available"):
                raise RuntimeError(res.get("error"))
            if checker and py not in checked:      # each build's output once
                chk = run_write.check_output(checker, "planbook", out, meta)
                if chk["ok"] is False:
                    raise RuntimeError("output wrong: " + chk["error"])
                checked.add(py)
            return {"seconds": res["seconds"], "cpu_seconds": res.get("cpu_seconds")}
        items.append(Bench(f"write-{meta['cells']}", f"write {run_write.fmt_cells(meta['cells'])}",
                           measure))
    return items


def status_items(measures, seed):
    plan, npz = run_status.plan_file(measures, seed)
    run_status.warm(plan, npz)
    out_dir = run_status.WORK / "abi3"
    out_dir.mkdir(parents=True, exist_ok=True)
    hashes = {}
    cache = {}

    def child(py, round_key):
        # one child gives all three parts: run it once per (build, round)
        key = (py, round_key)
        if key not in cache:
            for old in [k for k in cache if k[1] != round_key]:
                del cache[old]
            out = out_dir / f"codes-{tag(py)}.npz"
            res = run_status.run_task(py, "planbook", plan, npz, out)
            if not res.get("available"):
                raise RuntimeError(res.get("error"))
            hashes.setdefault(res.get("codes_sha256"), set()).add(py)
            if len(hashes) > 1:
                raise RuntimeError(f"the builds' status codes differ: {hashes}")
            cache[key] = res["parts"]
        return cache[key]

    def part(name, judged):
        def measure(py, round_key):
            p = child(py, round_key)[name]
            return {"seconds": p["seconds"], "cpu_seconds": p.get("cpu_seconds")}
        measure.wants_round = True
        return Bench(f"status-{name}-{measures}",
                     f"status {measures} measures" + ("" if name == "status" else f" ({name})"),
                     measure, judged)
    return [part("status", True), part("load", False), part("to_pandas", False)]


# --instructions: the same three operations under valgrind's callgrind, which
# counts the instructions executed (Ir).  The count does not depend on what
# else the machine runs, so it tells whether one build does more work even
# when the shared CPU makes the times noisy.  Each operation is counted as
# (setup + operation) - (setup alone), the setup being the imports and, for
# write and status, the load (and check) before the timed call.
INSTR_CHILD = r"""
import os, sys
import planbook
op, path, out, mode = sys.argv[1:5]
if op == "load":
    def run():
        return planbook.load(path)
elif op == "write":
    plan = planbook.load(path)
    plan.check()
    def run():
        plan.save(out)
else:
    plan = planbook.load(path)
    iset = plan.indicators["big"]
    def run():
        return iset.status_codes(("rag", "previous", "target", "last"))
if mode == "run":
    run()
sys.stdout.flush()
os._exit(0)
"""


def callgrind_ir(python: str, op: str, path: Path, out: Path, mode: str) -> int:
    import re
    import subprocess
    env = dict(child_env(), PYTHONHASHSEED="0")
    p = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                        python, "-c", INSTR_CHILD, op, str(path), str(out), mode],
                       capture_output=True, text=True, env=env)
    m = re.search(r"Collected : (\d+)", p.stderr)
    if p.returncode != 0 or not m:
        raise RuntimeError(f"callgrind {op} {mode} failed (exit {p.returncode}): "
                           f"{p.stderr.strip()[-500:]}")
    return int(m.group(1))


def instructions(args, info) -> dict:
    ops = [("load", f"load {args.sizes[0]:g} MB", run_load.plan_file(args.sizes[0], args.seed))]
    mb, book, counts = run_write.book_for(args.python_a, args.cells[0], args.seed)
    ops.append(("write", f"write {run_write.fmt_cells(counts['cells'])}", book))
    plan, npz = run_status.plan_file(args.measures, args.seed)
    ops.append(("status", f"status {args.measures} measures", plan))
    out = run_write.WORK / "abi3" / "callgrind.xlsx"
    out.parent.mkdir(parents=True, exist_ok=True)
    res = {}
    for op, title, path in ops:
        row = {}
        for k, py in (("A", args.python_a), ("B", args.python_b)):
            setup = callgrind_ir(py, op, path, out, "setup")
            total = callgrind_ir(py, op, path, out, "run")
            row[k] = {"setup": setup, "total": total, "op": total - setup}
            log(f"instructions {title:<28} {k}: {total - setup:,} "
                f"(setup {setup:,}, total {total:,})")
        row["ratio"] = row["B"]["op"] / row["A"]["op"]
        res[title] = row
    print()
    print("Instructions executed (callgrind Ir, the operation alone), B / A:")
    for title, row in res.items():
        print(f"{title:<36} A {row['A']['op']:>15,}  B {row['B']['op']:>15,}  "
              f"B/A {row['ratio']:.4f}")
    return res


def summarise(runs):
    s = sorted(runs)
    return {"median": statistics.median(s), "min": s[0], "max": s[-1], "n": len(s)}


def report_item(item, a_runs, b_runs) -> dict:
    a = summarise([r["seconds"] for r in a_runs])
    b = summarise([r["seconds"] for r in b_runs])
    paired = [rb["seconds"] / ra["seconds"] for ra, rb in zip(a_runs, b_runs)]
    entry = {"key": item.key, "title": item.title, "judged": item.judged, "a": a, "b": b,
             "ratio": b["median"] / a["median"], "paired": summarise(paired),
             "a_runs": a_runs, "b_runs": b_runs}
    cpu_a = [r.get("cpu_seconds") for r in a_runs]
    cpu_b = [r.get("cpu_seconds") for r in b_runs]
    if all(x is not None for x in cpu_a + cpu_b):
        entry["cpu"] = {"a": summarise(cpu_a), "b": summarise(cpu_b),
                        "paired": summarise([b / a for a, b in zip(cpu_a, cpu_b)])}
        entry["cpu"]["ratio"] = entry["cpu"]["b"]["median"] / entry["cpu"]["a"]["median"]
    return entry


def fmt(s) -> str:
    return f"{s['median']:.3f} s ({s['min']:.3f}-{s['max']:.3f})"


def markdown(report) -> str:
    lines = ["| Benchmark | Time | A: version-specific, median (min-max) "
             "| B: abi3, median (min-max) | B / A medians | B / A per round, median (min-max) |",
             "| --- | --- | --- | --- | ---: | --- |"]
    for e in report["items"]:
        title = e["title"] + ("" if e["judged"] else " (not judged)")
        for kind, d in (("wall", e), ("CPU", e.get("cpu"))):
            if d is None:
                continue
            p = d["paired"]
            lines.append(f"| {title} | {kind} | {fmt(d['a'])} | {fmt(d['b'])} | "
                         f"{d['ratio']:.3f} | {p['median']:.3f} ({p['min']:.3f}-{p['max']:.3f}) |")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("python_a", help="interpreter with the version-specific build")
    ap.add_argument("python_b", help="interpreter with the abi3 build")
    ap.add_argument("--rounds", type=int, default=7, help="rounds (default 7, at least 5 "
                    "for a decision)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--sizes", type=float, nargs="+", default=[10, 50], metavar="MB")
    ap.add_argument("--cells", type=int, nargs="+", default=list(run_write.DEFAULT_CELLS))
    ap.add_argument("--measures", type=int, default=20000)
    ap.add_argument("--only", nargs="+", choices=("load", "write", "status"),
                    default=["load", "write", "status"])
    ap.add_argument("--json", metavar="PATH", help="also save the raw numbers as JSON")
    ap.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    ap.add_argument("--instructions", action="store_true",
                    help="instead of timing, count the instructions of one load, write and "
                    "status (the first size of each) under valgrind's callgrind")
    args = ap.parse_args(argv)
    if args.rounds < 1:
        ap.error("--rounds must be positive")

    info = {"A": probe(args.python_a), "B": probe(args.python_b)}
    for k in ("A", "B"):
        info[k]["build"] = build_kind(info[k])
        log(f"{k}: {info[k]['executable']} (Python {info[k]['python']}, "
            f"{info[k]['build']}: {', '.join(info[k]['modules'])})")
    if args.instructions:
        res = instructions(args, info)
        if args.json:
            Path(args.json).write_text(json.dumps({"builds": info, "instructions": res},
                                                  indent=2) + "\n", encoding="utf-8")
        return 0
    checker, _ = choose_python(lambda py: run_write.probe_python(py, "check"),
                               [args.python_a, args.python_b])

    items = []
    if "load" in args.only:
        items += load_items(args.sizes, args.seed)
    if "write" in args.only:
        items += write_items(args.cells, args.seed, args.python_a, checker)
    if "status" in args.only:
        items += status_items(args.measures, args.seed)

    runs = {it.key: {"A": [], "B": []} for it in items}
    t0 = datetime.datetime.now()
    for r in range(args.rounds):
        order = ("A", "B") if r % 2 == 0 else ("B", "A")
        for it in items:
            for k in order:
                py = args.python_a if k == "A" else args.python_b
                if getattr(it.measure, "wants_round", False):
                    res = it.measure(py, r)
                else:
                    res = it.measure(py)
                runs[it.key][k].append(res)
            log(f"round {r + 1}/{args.rounds} {it.title:<36} A {runs[it.key]['A'][-1]['seconds']:.3f} s"
                f"  B {runs[it.key]['B'][-1]['seconds']:.3f} s")

    report = {**report_head("run_abi3.py"), "rounds": args.rounds, "machine": machine_info(), "builds": info,
              "wall_seconds": (datetime.datetime.now() - t0).total_seconds(),
              "items": [report_item(it, runs[it.key]["A"], runs[it.key]["B"]) for it in items]}
    worst = max((e for e in report["items"] if e["judged"]), key=lambda e: e["ratio"])
    report["decision"] = {
        "worst": worst["title"], "worst_ratio": worst["ratio"],
        "adopt_abi3": all(e["ratio"] <= THRESHOLD for e in report["items"] if e["judged"])}

    print()
    print(f"A = {info['A']['build']} ({info['A']['executable']}), "
          f"B = {info['B']['build']} ({info['B']['executable']}); {args.rounds} rounds, "
          f"interleaved; wall {report['wall_seconds']:.0f} s")
    if args.markdown:
        print(markdown(report))
    else:
        for e in report["items"]:
            for kind, d in (("wall", e), ("cpu", e.get("cpu"))):
                if d is None:
                    continue
                p = d["paired"]
                print(f"{e['title']:<34} {kind:<4} A {fmt(d['a'])}  B {fmt(d['b'])}  "
                      f"B/A {d['ratio']:.3f}  per round {p['median']:.3f} "
                      f"({p['min']:.3f}-{p['max']:.3f}){'' if e['judged'] else '  (not judged)'}")
    d = report["decision"]
    print(f"worst judged ratio: {d['worst']} {d['worst_ratio']:.3f}; rule (abi3 unless > "
          f"{THRESHOLD:.2f}): {'adopt abi3' if d['adopt_abi3'] else 'keep version-specific'}")
    save_report(report, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
