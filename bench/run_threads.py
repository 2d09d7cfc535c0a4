#!/usr/bin/env python3
"""The threads benchmark: two threads, each working on its own plan, against
doing the same two jobs one after the other, for each operation that may
release the GIL: load, check, status and save.

    python bench/run_threads.py [--megabytes 2] [--measures 20000] [--repeat 5]
                                [--seed 1] [--quick] [--json PATH]
                                [--docs PATH | --no-docs] [--python PATH]

Plans: a budget plan of ``--megabytes`` MB (bench/generate.py, as
bench/run_load.py) for load, check and save (``planbook.save`` of an .xlsx
workbook and of a .yaml file: two rows; and the same saves into a tmpfs,
/dev/shm, where the disk does not count: two more), and the indicator plan of
bench/run_status.py (bench/gen_indicators.py, ``--measures`` measures x 48
months) for status (``status_codes()`` of every measure at every period).
Each operation is measured in one fresh child process: the two plans (two
copies of the file, loaded separately) are made first, then ``--repeat``
times, alternating: *sequential* (the job on plan A, then on plan B, in the
main thread) and *threads* (two threads started together at a barrier, one
per plan; wall time from the barrier until both are done).  A job repeats
the operation enough times to last about 0.1 s (the same count in both
forms).  The ratio is threads / sequential (medians); the target of issue
18 is <= 0.6 on two cores (1.0: the two threads gain nothing, 0.5: perfect).
The table is written to docs/benchmarks.md between
``<!-- threads-benchmark:start -->`` and ``<!-- threads-benchmark:end -->``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from benchlib import (BUILD, DOCS, REPO, child_json, choose_python, docs_path,  # noqa: E402
                      generate, interpreters, log, machine_info, markdown_head, marks,
                      output_options, probe_json, report_head, save_report, short_hash,
                      verdict, warm)

WORK = BUILD / "threads"
MARK_START, MARK_END = marks("threads")
TARGET = 0.6          # threads / sequential <=
OPS = ("load", "check", "status", "save_xlsx", "save_yaml", "save_xlsx_shm", "save_yaml_shm")
TITLES = {"load": "load (planbook.load of the budget plan)",
          "check": "check (plan.check())",
          "status": "status (status_codes() of the indicator set)",
          "save_xlsx": "save .xlsx (planbook.save)",
          "save_yaml": "save .yaml (planbook.save)",
          "save_xlsx_shm": "save .xlsx into a tmpfs (/dev/shm: the CPU's part)",
          "save_yaml_shm": "save .yaml into a tmpfs (/dev/shm: the CPU's part)"}
# the saves' CPU part: into memory (a tmpfs, where fsync costs nothing), the
# same atomic save with its default durability
SHM = Path("/dev/shm")


def child(op: str, path_a: str, path_b: str, repeat: int, out_dir: str) -> dict:
    import threading
    import planbook
    info = {"python": sys.version.split()[0], "planbook": getattr(planbook, "__version__", "?")}
    paths = (path_a, path_b)
    if op == "load":
        jobs = [lambda p=p: planbook.load(p) for p in paths]
    else:
        plans = [planbook.load(p) for p in paths]
        if op == "check":
            jobs = [lambda pl=pl: pl.check() for pl in plans]
        elif op == "status":
            sets = [pl.indicators["big"] for pl in plans]
            jobs = [lambda s=s: s.status_codes(("rag", "previous", "target", "last"))
                    for s in sets]
        else:
            ext = op.split("_")[1]
            if op.endswith("_shm"):
                import tempfile
                out_dir = tempfile.mkdtemp(prefix="planbook-threads-", dir=str(SHM))
            outs = [os.path.join(out_dir, f"t{j}.{ext}") for j in range(2)]
            jobs = [lambda pl=pl, o=o: planbook.save(pl, o) for pl, o in zip(plans, outs)]
    # how many times a job repeats: about 0.1 s, timed on a warm call (the
    # first call of a process pays for first touches and lazy imports)
    jobs[0]()
    t0 = time.perf_counter()
    jobs[0]()
    one = time.perf_counter() - t0
    count = max(1, min(200, int(0.1 / max(one, 1e-6))))
    info["count"] = count

    def work(job):
        for _ in range(count):
            job()

    seq, par, par_cpu = [], [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        work(jobs[0])
        work(jobs[1])
        seq.append(time.perf_counter() - t0)
        barrier = threading.Barrier(3)
        done = []

        def run(job):
            barrier.wait()
            work(job)
            done.append(time.perf_counter())
        threads = [threading.Thread(target=run, args=(j,)) for j in jobs]
        for t in threads:
            t.start()
        barrier.wait()
        t0, c0 = time.perf_counter(), time.process_time()
        for t in threads:
            t.join()
        par.append(max(done) - t0)
        par_cpu.append(time.process_time() - c0)
    # CPU time of the process over wall time while the two threads ran:
    # above 1 only when they ran at once (on a machine with cores to spare)
    info.update(available=True, sequential=seq, threads=par,
                threads_cpu_over_wall=[c / w for c, w in zip(par_cpu, par)])
    if op.endswith("_shm"):
        shutil.rmtree(out_dir, ignore_errors=True)
    return info


def plans(megabytes: float, measures: int, seed: int) -> dict:
    """The two copies of each plan (generated and cached in bench/build/)."""
    WORK.mkdir(parents=True, exist_ok=True)
    out = {}
    gen = BENCH / "generate.py"
    stem = f"plan-{megabytes:g}mb-seed{seed}-{short_hash(gen.read_bytes())}"
    budget = WORK / f"{stem}-a.yaml"
    if not budget.exists():
        generate([sys.executable, str(gen), "--megabytes", f"{megabytes:g}", "-o", str(budget),
                  "--seed", str(seed)])
    gen = BENCH / "gen_indicators.py"
    stem = f"indicators-{measures}-seed{seed}-{short_hash(gen.read_bytes())}"
    ind = WORK / f"{stem}-a.yaml"
    if not ind.exists():
        generate([sys.executable, str(gen), "-o", str(ind), "--measures", str(measures),
                  "--seed", str(seed)])
    for name, a in (("budget", budget), ("indicators", ind)):
        b = a.with_name(a.name.replace("-a.yaml", "-b.yaml"))
        if not b.exists():
            shutil.copyfile(a, b)
        out[name] = (a, b)
    for old in WORK.glob("*.yaml"):
        if old not in {p for pair in out.values() for p in pair}:
            old.unlink()
    return out


def markdown(report) -> str:
    lines = markdown_head(report, MARK_START, "Threads benchmark") + [
        f"- Python {report['machine']['python']}; planbook {report['machine'].get('planbook')}",
        f"- Plans: a {report['megabytes']:g} MB budget plan (`bench/generate.py`, seed "
        f"{report['seed']}) for load, check and save; the indicator plan of the status "
        f"benchmark ({report['measures']:,} measures x 48 months) for status. Two copies of "
        "each, loaded separately: one per thread.",
        f"- {report['repeat']} runs of each form, alternating, in one fresh process per "
        "operation. Sequential: the job on plan A then on plan B in one thread; threads: one "
        "thread per plan, started together at a barrier, timed until both are done. A job "
        "repeats the operation `count` times (about 0.1 s). Ratio: threads / sequential "
        f"(medians; target <= {TARGET:g}: 0.5 is perfect on two cores, 1.0 no gain). CPU / "
        "wall: the process's CPU time over the wall time while the two threads ran (up to 2 "
        "when they run at once; about 1 when the GIL or a lock serialises them, or when the "
        "machine has no core to spare).",
        "",
        "| Operation | count | Sequential median (min-max) | Two threads median (min-max) "
        f"| Threads / sequential (target <= {TARGET:g}) | CPU / wall with two threads |",
        "| --- | ---: | --- | --- | --- | ---: |",
    ]
    for op in report["ops"]:
        r = report["results"][op]
        if not r.get("available"):
            lines.append(f"| {TITLES[op]} | | not available: {r.get('error', '')[:120]} | | |")
            continue
        s, p = r["sequential"], r["threads"]
        ratio = statistics.median(p) / statistics.median(s)
        lines.append(f"| {TITLES[op]} | {r['count']} | {statistics.median(s):.3f} s "
                     f"({min(s):.3f}-{max(s):.3f}) | {statistics.median(p):.3f} s "
                     f"({min(p):.3f}-{max(p):.3f}) | {ratio:.2f} "
                     f"({verdict(ratio, TARGET, 'low')}) "
                     f"| {statistics.median(r.get('threads_cpu_over_wall') or [0]):.2f} |")
    lines += [""] + [f"- {n}" for n in report.get("notes", [])]
    lines.append(MARK_END)
    return "\n".join(lines).replace("\n\n\n", "\n\n") + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Two threads on two plans against one after "
                                 "the other: load, check, status, save.")
    ap.add_argument("--megabytes", type=float, default=2.0)
    ap.add_argument("--measures", type=int, default=20000)
    ap.add_argument("--repeat", type=int, help="runs of each form (default 5; --quick: 2)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--ops", default=",".join(OPS), help="comma-separated: " + ",".join(OPS))
    ap.add_argument("--quick", action="store_true", help="smoke test: 0.5 MB, 2000 measures")
    ap.add_argument("--python", help="interpreter for the children")
    ap.add_argument("--note", action="append", default=[],
                    help="a line for the notes under the table (repeatable)")
    output_options(ap, DOCS, REPO)
    ap.add_argument("--child", nargs=5, metavar=("OP", "A", "B", "REPEAT", "OUT"),
                    help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        op, a, b, rep, out = args.child
        try:
            res = child(op, a, b, int(rep), out)
        except Exception as e:   # noqa: BLE001
            import traceback
            traceback.print_exc()
            res = {"available": False, "error": f"{type(e).__name__}: {e}"}
        print(json.dumps(res))
        sys.stdout.flush()
        os._exit(0)
    if args.quick:
        args.megabytes, args.measures = min(args.megabytes, 0.5), min(args.measures, 2000)
    repeat = args.repeat or (2 if args.quick else 5)
    ops = [o for o in args.ops.split(",") if o]
    bad = [o for o in ops if o not in OPS]
    if bad:
        ap.error(f"unknown operations {bad}")
    if not SHM.is_dir():
        ops = [o for o in ops if not o.endswith("_shm")]
    docs = docs_path(args, DOCS)
    python, probe = choose_python(
        lambda py: probe_json([py, "-c", "import json, planbook; print(json.dumps("
                               "{'available': True, 'planbook': planbook.__version__}))"]),
        interpreters(args.python, REPO))
    if python is None:
        log(f"needs planbook: {probe}")
        return 2
    machine = machine_info()
    machine["planbook"] = probe.get("planbook")
    files = plans(args.megabytes, args.measures, args.seed)
    for pair in files.values():
        warm(*pair)
    report = {**report_head("run_threads.py"), "seed": args.seed, "repeat": repeat,
              "megabytes": args.megabytes, "measures": args.measures, "machine": machine,
              "ops": ops, "results": {}, "notes": []}
    out_dir = WORK / "out"
    out_dir.mkdir(parents=True, exist_ok=True)
    load0 = os.getloadavg() if hasattr(os, "getloadavg") else None
    for op in ops:
        a, b = files["indicators" if op == "status" else "budget"]
        res = child_json([python, str(Path(__file__).resolve()), "--child", op, str(a), str(b),
                          str(repeat), str(out_dir)], done="available", tail=800)
        report["results"][op] = res
        if res.get("available"):
            s, p = statistics.median(res["sequential"]), statistics.median(res["threads"])
            log(f"{op:<10} x{res['count']:<4} sequential {s:.3f} s  threads {p:.3f} s  "
                f"ratio {p / s:.2f}")
        else:
            log(f"{op:<10} FAILED: {res.get('error')}")
    if load0:
        load1 = os.getloadavg()
        busy = max(load0[0], load1[0]) > (os.cpu_count() or 1)
        report["notes"].append(
            f"Load average (1 min) of the machine: {load0[0]:.1f} at the start, {load1[0]:.1f} "
            f"at the end, on {os.cpu_count()} CPUs: " + (
                "above the CPU count, other work competed for the cores and two threads "
                "cannot both run all the time." if busy else
                "below the CPU count (the benchmark's own two threads count in it)."))
    report["notes"] += args.note
    save_report(report, args.json, docs, markdown(report), MARK_START, MARK_END)
    return 0 if all(r.get("available") for r in report["results"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
