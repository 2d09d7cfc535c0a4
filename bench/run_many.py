#!/usr/bin/env python3
"""Many plans benchmark (issue 19): N generated plans of a service plan's
size (budget tables from bench/generate.py and a dashboard of 40 measures
x 48 months from bench/gen_indicators.py, about 0.1 MB each) checked and
turned into the indicators and findings frames, four ways, in one run:

- loop: ``planbook.open_many(files, parts=("indicators", "findings"))``,
  one process, one plan after another (the baseline);
- threads: ``planbook.dask.read_all`` on Dask's threaded scheduler, 2 threads;
- 1 worker / 2 workers: the same graph on a ``distributed.LocalCluster``
  of 1 or 2 single-threaded worker processes (started before the clock
  starts; the time is the compute, results gathered to the client).

The goal (issue 19): 2 workers >= 1.7x 1 worker on this 2-core machine,
and a worker's memory bounded by the largest plan, not the total: the
peak RSS of each worker is measured after N plans and after N/10 plans.

    python bench/run_many.py [--plans 1000] [--repeat 3]

Median (min-max) of ``--repeat`` runs; written to docs/benchmarks.md
between ``<!-- many-benchmark:start -->`` and ``<!-- many-benchmark:end -->``.
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


def loop(files):
    from planbook.many import open_many
    batch = open_many(files, parts=PARTS)
    return len(batch["indicators"]), len(batch["findings"])


def graph(files):
    import planbook.dask as pbd
    return list(pbd.read_all(files, PARTS).values())  # one load per file for both frames


def threads(files):
    import dask
    frames = dask.compute(*graph(files), scheduler="threads", num_workers=2)
    return tuple(len(f) for f in frames)


def on_cluster(client, files):
    frames = client.compute(graph(files), sync=True)
    return tuple(len(f) for f in frames)


def worker_peaks(client) -> list:
    def peak():
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return sorted(v / 1024 for v in client.run(peak).values())


def timed(fn, *args):
    t = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t, out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--plans", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-docs", action="store_true")
    args = ap.parse_args(argv)
    from distributed import Client, LocalCluster

    files = make_plans(args.plans)
    small = files[: max(1, args.plans // 10)]
    size = sum(os.path.getsize(f) for f in files)
    largest = max(os.path.getsize(f) for f in files)
    log(f"{len(files)} plans, {size / 1e6:.1f} MB, largest {largest / 1e3:.0f} kB")
    times = {k: [] for k in ("loop", "threads", "1 worker", "2 workers")}
    shape = None
    peaks = {}
    for r in range(args.repeat):
        t, shape_loop = timed(loop, files)
        times["loop"].append(t)
        t, shape_threads = timed(threads, files)
        times["threads"].append(t)
        assert shape_threads == shape_loop, (shape_threads, shape_loop)
        shape = shape_loop
        for n in (1, 2):
            with LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                              dashboard_address=None) as cluster, Client(cluster) as client:
                on_cluster(client, files[:2])          # warm: imports on the workers
                if r == 0:
                    on_cluster(client, small)
                    peaks[(n, len(small))] = worker_peaks(client)
                t, got = timed(on_cluster, client, files)
                assert got == shape, (got, shape)
                times[f"{n} worker{'s' if n > 1 else ''}"].append(t)
                if r == 0:
                    peaks[(n, len(files))] = worker_peaks(client)
        log(f"run {r + 1}: " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in times.items()))
    med = {k: statistics.median(v) for k, v in times.items()}
    rng = {k: (min(v), max(v)) for k, v in times.items()}
    speedup = med["1 worker"] / med["2 workers"]
    m = machine_info()
    lines = [MARK_START, "## Many plans (issue 19)", "",
             f"Measured {datetime.date.today().isoformat()} on {m['cpu_model']} "
             f"({m['nproc']} cores, {m['memory']}), {m['platform']}, Python {m['python']}, "
             f"by `python bench/run_many.py --plans {args.plans} --repeat {args.repeat}`.", "",
             f"{len(files)} generated plans ({size / 1e6:.1f} MB in all, the largest "
             f"{largest / 1e3:.0f} kB: budget tables and a dashboard of 40 measures x 48 "
             f"months each) read, checked and turned into the indicators frame "
             f"({shape[0]} rows) and the findings frame ({shape[1]} rows). "
             f"Median (min-max) of {args.repeat} runs, seconds:", "",
             "| how | time | plans per second | vs loop |", "| --- | ---: | ---: | ---: |"]
    for k in times:
        lines.append(f"| {k} | {med[k]:.2f} ({rng[k][0]:.2f}-{rng[k][1]:.2f}) | "
                     f"{len(files) / med[k]:.0f} | {med['loop'] / med[k]:.2f}x |")
    lines += ["", f"2 workers against 1 worker: **{speedup:.2f}x** (goal: at least 1.7x).", "",
              "Peak memory (RSS) of each worker process, after the small and the whole run:", "",
              "| cluster | after plans | worker peak RSS, MB |", "| --- | ---: | --- |"]
    for (n, count), values in sorted(peaks.items()):
        lines.append(f"| {n} worker{'s' if n > 1 else ''} | {count} | "
                     + ", ".join(f"{v:.0f}" for v in values) + " |")
    lines += ["", "A worker holds one plan at a time (one partition per file); its peak is "
              "the interpreter, pandas and Dask (about 150 MB at start) plus what one plan "
              "and the results it still holds take, to be compared after a tenth of the "
              "plans and after all of them. Every way reads each file once (the Dask "
              "frames share one load per file: planbook.dask.read_all).", "", MARK_END]
    publish("\n".join(lines) + "\n", DOCS, MARK_START, MARK_END, not args.no_docs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
