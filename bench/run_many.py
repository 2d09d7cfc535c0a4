#!/usr/bin/env python3
"""Many plans benchmark (issue 19): N generated plans of a service plan's
size (budget tables from bench/generate.py and a dashboard of 40 measures
x 48 months from bench/gen_indicators.py, about 0.1 MB each) checked and
turned into the indicators and findings frames, in one run:

- loop: ``planbook.open_many(files, parts=("indicators", "findings"))``,
  one process, one plan after another (the baseline);
- threads: ``planbook.dask.read_all`` on Dask's threaded scheduler, 2 threads;
- 1 worker / 2 workers: the same graph on a ``distributed.LocalCluster``
  of 1 or 2 single-threaded worker processes (started before the clock
  starts; the time is the compute, results gathered to the client):
  ``planbook.dask.compute`` (each partition to the client as it is done,
  concatenated there), and Dask's ``client.compute`` (".compute()": one
  worker gathers and concatenates each frame, then sends it).

The Dask ways run with ``--files-per-partition`` files a task (25), and
the cluster ones also with one file a task (``read_all``'s default; skip
with ``--no-per-file``).  Besides the wall time, the CPU time per plan
each way spent: the process's for the loop and threads; the workers' and
the client's (where a LocalCluster's scheduler runs too) for a cluster.
On a machine other programs load, the wall time is partly the wait for a
core: the load average is given, and CPU per plan is the steadier figure.

The goal (issue 19): 2 workers >= 1.7x 1 worker on this 2-core machine,
and a worker's memory bounded by the largest plan, not the total: the
peak RSS of each worker is measured after N plans and after N/10 plans.

    python bench/run_many.py [--plans 1000] [--repeat 3] [--files-per-partition 25]

Median (min-max) of ``--repeat`` runs; written to docs/benchmarks.md
between ``<!-- many-benchmark:start -->`` and ``<!-- many-benchmark:end -->``
(not with ``--no-docs``).
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from benchlib import log, machine_info, publish  # noqa: E402

REPO = BENCH.parent
WORK = BENCH / "build" / "many"
DOCS = REPO / "docs" / "benchmarks.md"
MARK_START = "<!-- many-benchmark:start -->"
MARK_END = "<!-- many-benchmark:end -->"
PARTS = ("indicators", "findings")


def make_plans(n: int) -> list:
    """N plans (cached in bench/build/many/N): budgets + a dashboard."""
    import generate
    import gen_indicators
    folder = WORK / str(n)
    files = [folder / f"plan-{i:05d}.yaml" for i in range(n)]
    if all(f.exists() for f in files):
        return [str(f) for f in files]
    folder.mkdir(parents=True, exist_ok=True)
    scratch = folder / "_indicators.yaml"
    for i, f in enumerate(files):
        if f.exists():
            continue
        generate.generate(str(f) + ".tmp", 0.05, seed=i + 1)
        gen_indicators.write(str(scratch), 40, seed=i + 1)
        text = scratch.read_text(encoding="utf-8")
        with open(str(f) + ".tmp", "a", encoding="utf-8") as out:
            out.write(text[text.index("\nindicators:\n") + 1:])
        os.replace(str(f) + ".tmp", f)
    for extra in (scratch, scratch.with_suffix(".npz")):
        if extra.exists():
            extra.unlink()
    return [str(f) for f in files]


def cpu() -> float:
    """CPU seconds of this process so far (user + system, all threads)."""
    import resource
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def loop(files, per):
    from planbook.many import open_many
    batch = open_many(files, parts=PARTS)
    return len(batch["indicators"]), len(batch["findings"])


def graph(files, per):
    import planbook.dask as pbd
    # one load per run of files for both frames
    return list(pbd.read_all(files, PARTS, files_per_partition=per).values())


def threads(files, per):
    import dask
    frames = dask.compute(*graph(files, per), scheduler="threads", num_workers=2)
    return tuple(len(f) for f in frames)


def on_cluster(client, files, per):
    """planbook.dask.compute: each partition comes to the client when it is
    done and the client concatenates (.compute() would have one worker
    gather and concatenate the whole result, then send it)."""
    import planbook.dask as pbd
    frames = pbd.compute(graph(files, per), client=client)
    return tuple(len(f) for f in frames)


def on_cluster_concatenated(client, files, per):
    """client.compute: one worker concatenates each whole frame."""
    frames = client.compute(graph(files, per), sync=True)
    return tuple(len(f) for f in frames)


def _work(n: int) -> float:
    """Seconds a fixed piece of pure-Python work takes in this process."""
    t, total = time.perf_counter(), 0
    for i in range(n):
        total += i * i % 7
    return time.perf_counter() - t


def cores_to_be_had(n: int = 5_000_000) -> float:
    """How many times the work one process does in a second two processes
    do together (the same fixed work each): 2 on two free cores.  When the
    cores are shared with other machines' or sessions' work it can be 1 or
    less, and then two workers cannot be faster than one, whatever the
    code; the processes' CPU times do not show it (a virtual CPU's time
    counts while it runs slower)."""
    from concurrent.futures import ProcessPoolExecutor
    with ProcessPoolExecutor(1) as pool:
        one = min(pool.map(_work, [n, n]))       # the second, warm
    with ProcessPoolExecutor(2) as pool:
        list(pool.map(_work, [n // 10] * 2))     # warm both
        two = max(pool.map(_work, [n, n]))
    return 2 * one / two


def worker_peaks(client) -> list:
    def peak():
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return sorted(v / 1024 for v in client.run(peak).values())


def timed(fn, *args):
    """(wall seconds, CPU seconds of this process, result)."""
    c, t = cpu(), time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t, cpu() - c, out


def timed_on_cluster(client, files, per, how=on_cluster):
    """(wall, CPU of the workers and of this process, the busiest
    worker's CPU plus this process's, result)."""
    before = client.run(cpu)
    wall, here, out = timed(how, client, files, per)
    after = client.run(cpu)
    workers = [after[w] - before[w] for w in after]
    return wall, here + sum(workers), here + max(workers), out


def label(workers: int, per_file: bool = False, concatenated: bool = False) -> str:
    return (f"{workers} worker{'s' if workers > 1 else ''}"
            + (", a file a task" if per_file else "")
            + (", .compute()" if concatenated else ""))


def _median(values) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--plans", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-docs", action="store_true")
    ap.add_argument("--files-per-partition", type=int, default=25,
                    help="files a Dask task reads (planbook.dask.read_all's files_per_partition)")
    ap.add_argument("--no-per-file", action="store_true",
                    help="skip the clusters with one file a task (the default of read_all)")
    args = ap.parse_args(argv)
    from distributed import Client, LocalCluster

    files = make_plans(args.plans)
    per = args.files_per_partition
    small = files[: max(1, args.plans // 10)]
    size = sum(os.path.getsize(f) for f in files)
    largest = max(os.path.getsize(f) for f in files)
    log(f"{len(files)} plans, {size / 1e6:.1f} MB, largest {largest / 1e3:.0f} kB")
    per_file = not args.no_per_file and per != 1
    clusters = [(label(n), n, per, on_cluster) for n in (1, 2)]
    clusters += [(label(n, concatenated=True), n, per, on_cluster_concatenated)
                 for n in (1, 2)]
    clusters += [(label(n, True), n, 1, on_cluster) for n in (1, 2)] if per_file else []
    keys = ["loop", "threads"] + [key for key, _, _, _ in clusters]
    walls = {k: [] for k in keys}
    cpus = {k: [] for k in keys}
    paths = {k: [] for k in keys}   # the busiest worker's CPU + the client's
    shape = None
    peaks = {}
    loop(files[:2], per)                                  # warm: imports
    threads(files[:2], per)
    loads = [os.getloadavg()[0]]
    cores = [cores_to_be_had()]
    for r in range(args.repeat):
        for key, fn in (("loop", loop), ("threads", threads)):
            t, c, got = timed(fn, files, per)
            walls[key].append(t)
            cpus[key].append(c)
            assert shape is None or got == shape, (key, got, shape)
            shape = got
        for key, n, p, how in clusters:
            main_form = p == per and how is on_cluster
            with LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                              dashboard_address=None) as cluster, Client(cluster) as client:
                on_cluster(client, files[:2], p)          # warm: imports on the workers
                if r == 0 and main_form:
                    on_cluster(client, small, p)
                    peaks[(n, len(small))] = worker_peaks(client)
                t, c, path, got = timed_on_cluster(client, files, p, how)
                paths[key].append(path)
                assert got == shape, (key, got, shape)
                walls[key].append(t)
                cpus[key].append(c)
                if r == 0 and main_form:
                    peaks[(n, len(files))] = worker_peaks(client)
        loads.append(os.getloadavg()[0])
        cores.append(cores_to_be_had())
        log(f"run {r + 1}: " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in walls.items())
            + f"; load average {loads[-1]:.1f}; two processes do {cores[-1]:.2f}x "
            "the work of one")
    med = {k: statistics.median(v) for k, v in walls.items()}
    ms = {k: [c / len(files) * 1e3 for c in v] for k, v in cpus.items()}
    m = machine_info()
    lines = [MARK_START, "## Many plans (issue 19)", "",
             f"Measured {datetime.date.today().isoformat()} on {m['cpu_model']} "
             f"({m['nproc']} cores, {m['memory']}), {m['platform']}, Python {m['python']}, "
             f"by `python bench/run_many.py --plans {args.plans} --repeat {args.repeat} "
             f"--files-per-partition {per}`; load average (1 min) "
             + ", ".join(f"{v:.1f}" for v in loads)
             + " at the start and after each run (other programs on the machine); "
             "two processes did then, each the same fixed work, "
             + ", ".join(f"{v:.2f}x" for v in cores)
             + " the work of one a second: two workers can be at most that much faster "
             "than one (2x on two free cores).", "",
             f"{len(files)} generated plans ({size / 1e6:.1f} MB in all, the largest "
             f"{largest / 1e3:.0f} kB: budget tables and a dashboard of 40 measures x 48 "
             f"months each) read, checked and turned into the indicators frame "
             f"({shape[0]} rows) and the findings frame ({shape[1]} rows); the Dask ways "
             f"with {per} files a task unless said, computed with planbook.dask.compute "
             f"(each partition to the client as it is done, concatenated there; "
             f"'.compute()': Dask's client.compute, one worker concatenating each frame). "
             f"Median (min-max) of {args.repeat} runs; "
             f"CPU: milliseconds per plan, of this process (loop, threads) or of the "
             f"workers and the client with its scheduler (clusters); a CPU time also "
             f"counts the time a process runs slower on a shared virtual CPU:", "",
             "| how | time, s | plans per second | vs loop | CPU per plan, ms "
             "| busiest worker + client CPU per plan, ms |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    crit = {k: [c / len(files) * 1e3 for c in v] for k, v in paths.items() if v}
    for k in keys:
        lines.append(f"| {k} | {_median(walls[k])} | {len(files) / med[k]:.0f} | "
                     f"{med['loop'] / med[k]:.2f}x | {_median(ms[k])} | "
                     f"{_median(crit[k]) if k in crit else ''} |")
    ratio = [a / b for a, b in zip(walls["1 worker"], walls["2 workers"])]
    lines += ["", f"2 workers against 1 worker: **{med['1 worker'] / med['2 workers']:.2f}x** "
              f"(ratio of medians; run by run " + ", ".join(f"{v:.2f}" for v in ratio)
              + "; goal: at least 1.7x)"
              + f"; with .compute() "
              f"{med[label(1, concatenated=True)] / med[label(2, concatenated=True)]:.2f}x"
              + (f"; with a file a task {med[label(1, True)] / med[label(2, True)]:.2f}x"
                 if per_file else "") + ".", "",
              "Peak memory (RSS) of each worker process, after the small and the whole run:", "",
              "| cluster | after plans | worker peak RSS, MB |", "| --- | ---: | --- |"]
    for (n, count), values in sorted(peaks.items()):
        lines.append(f"| {n} worker{'s' if n > 1 else ''} | {count} | "
                     + ", ".join(f"{v:.0f}" for v in values) + " |")
    lines += ["", f"A task reads {per} plans one after another (one at a time), so a worker "
              "holds one plan and the frames of the plans of its task; its peak is the "
              "interpreter, pandas and Dask (about 150 MB at start) plus that, plus the "
              "frames of its runs not yet sent to the client (planbook.dask.compute: no "
              "worker holds the whole result): compare after a tenth of the plans and "
              "after all of them. Every "
              "way reads each file once (the Dask frames share one load per run of files: "
              "planbook.dask.read_all).", "", MARK_END]
    publish("\n".join(lines) + "\n", DOCS, MARK_START, MARK_END, not args.no_docs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
