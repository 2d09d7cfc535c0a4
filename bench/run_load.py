#!/usr/bin/env python3
"""The load benchmark: planbook.load against PyYAML's CSafeLoader and a bare
libyaml event scan, on synthetic plans of 10 and 50 MB.

    python bench/run_load.py [--sizes 10 50] [--repeat 5] [--seed 1]
                             [--quick] [--json PATH] [--docs PATH | --no-docs]
                             [--readers planbook pyyaml scan] [--python PATH]

For each size the plan is generated into bench/build/ by bench/generate.py
(cached by size, seed and a hash of the generator), then each reader is timed
``--repeat`` times, every measurement in a fresh process, the readers taking
turns so that drift in the machine affects all of them alike:

* planbook   ``import planbook`` first; then the RSS before the load, the wall
             time of ``planbook.load(path)``, and the peak RSS after it
             (``ru_maxrss``).  If the import fails the reader is reported as
             "not available" and the rest still runs.
* pyyaml     the same around ``yaml.load(f, Loader=yaml.CSafeLoader)`` (plain
             dicts and lists, no schema).
* scan       bench/build/yamlscan (compiled here if missing): libyaml events
             pulled and deleted, nothing else; its time and memory are the
             ones it reports itself.

Peak delta = peak RSS during the load minus RSS just before it.  Each process
resets its peak (``/proc/self/clear_refs``) after its imports and reads
VmRSS, then VmHWM after the load.  ``ru_maxrss`` is kept in the JSON but is
not used where /proc works: in a child started by vfork+exec (Python's
subprocess) it starts at the *parent's* peak, and after the imports it may
already be above the RSS.  Without /proc the script falls back to ru_maxrss
(Python readers: after minus RSS before; scan: wait4's ru_maxrss minus that
of the same program on a one-line file).  Reported are
the median and min/max of each, the throughput (file MB / median seconds), the
peak delta as a multiple of the file size, and three ratios with the targets:
CSafeLoader time / planbook time (>= 10), planbook time / scan time (<= 1.2),
planbook peak delta / file size (<= 1), planbook time / rapidyaml time (<= 1).  The table is printed and written to
docs/benchmarks.md between ``<!-- load-benchmark:start -->`` and
``<!-- load-benchmark:end -->`` (not with ``--quick`` unless ``--docs`` is
given).  MB means 10**6 bytes throughout.

``--quick`` is a smoke test: 1 MB, 2 repeats.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

from benchlib import (BENCH, BUILD, CHILD_PEAK, DOCS, MB, REPO, build_c, child_json,  # noqa: E402
                      choose_python, docs_path, generate, interpreters, kib_to_mb, log,
                      machine_info, markdown_head, marks, not_measured, peer_options,
                      print_ratios, print_summaries, probe_json, ratio_table, report_head,
                      run_child, save_report, short_hash, sizes_and_repeat, peer_summaries,
                      tool_version, warm)

GENERATOR = BENCH / "generate.py"
SCAN_SRC = BENCH / "yamlscan.c"
SCAN_BIN = BUILD / "yamlscan"
MARK_START, MARK_END = marks("load")

TARGET_SPEEDUP = 10.0    # CSafeLoader time / planbook time >=
TARGET_VS_SCAN = 1.2     # planbook time / scan time <= (issue 18)
TARGET_MEMORY = 1.0      # planbook peak delta / file size <= (issue 18)
TARGET_VS_RYML = 1.0     # planbook time / rapidyaml tree parse time <=
RATIOS = (   # heading, short heading, ratio, target, which way is better
    ("CSafeLoader / planbook time", "CSafeLoader/planbook", "pyyaml_over_planbook_time",
     TARGET_SPEEDUP, "high"),
    ("planbook / scan time", "planbook/scan", "planbook_over_scan_time", TARGET_VS_SCAN, "low"),
    ("planbook peak Δ / file", "planbook peak/file", "planbook_peak_over_file", TARGET_MEMORY,
     "low"),
    ("planbook / rapidyaml time", "planbook/ryml", "planbook_over_ryml_time", TARGET_VS_RYML,
     "low"))

READERS = ("planbook", "pyyaml", "scan", "ryml")
READER_TITLES = {
    "planbook": "planbook.load",
    "pyyaml": "PyYAML CSafeLoader",
    "scan": "libyaml event scan (C)",
    "ryml": "rapidyaml tree parse",
}

# Run in a fresh interpreter: python -c CHILD READER ACTION PATH, where READER
# is planbook or pyyaml and ACTION is probe (import only) or load.  Prints one
# JSON line.
CHILD = r"""
import sys
reader, action, path = sys.argv[1], sys.argv[2], sys.argv[3]

""" + CHILD_PEAK + r"""

info = {"python": sys.version.split()[0], "executable": sys.executable}
try:
    if reader == "planbook":
        import planbook
        info["version"] = getattr(planbook, "__version__", None)
        load = planbook.load
        def run():
            return load(path)
    elif reader == "ryml":
        import ryml
        info["version"] = getattr(ryml, "__version__", "?")
        def run():
            # rapidyaml's tree parse (no Python object a value), the file
            # read inside the timing as planbook's is
            with open(path, "rb") as f:
                return ryml.parse_in_arena(f.read())
    else:
        import yaml
        info["version"] = yaml.__version__
        if not getattr(yaml, "__with_libyaml__", False):
            raise ImportError("PyYAML is installed without libyaml (no CSafeLoader)")
        Loader = yaml.CSafeLoader
        def run():
            with open(path, "rb") as f:
                return yaml.load(f, Loader=Loader)
except Exception as e:
    give(info, available=False, error=f"{type(e).__name__}: {e}")
if action == "probe":
    give(info, available=True)
measure(run, info)
"""


def probe_python(python: str, reader: str) -> dict:
    return probe_json([python, "-c", CHILD, reader, "probe", os.devnull])


def measure_python(python: str, reader: str, path: Path) -> dict:
    return child_json([python, "-c", CHILD, reader, "load", str(path)])


# --------------------------------------------------------------------------
# The scan.

def build_scan() -> tuple[bool, str]:
    return build_c(SCAN_SRC, SCAN_BIN, ["-lyaml"])


def libyaml_version() -> str | None:
    return tool_version(SCAN_BIN)


def parse_scan(out: str) -> dict:
    fields = dict(kv.split("=", 1) for kv in out.split())
    return {"events": int(fields["events"]), "seconds": float(fields["seconds"]),
            "cpu_seconds": float(fields.get("cpu_seconds", fields["seconds"])),
            "bytes": int(fields["bytes"]),
            "rss_before_kib": int(fields.get("rss_before_kib", -1)),
            "hwm_after_kib": int(fields.get("peak_kib", -1))}


def scan_baseline_kib() -> int:
    tiny = BUILD / "tiny.yaml"
    tiny.write_text("planbook: 1\n")
    peaks = []
    for _ in range(3):
        rc, out, err, maxrss = run_child([str(SCAN_BIN), str(tiny)])
        if rc == 0:
            peaks.append(maxrss)
    return min(peaks) if peaks else 0


def measure_scan(path: Path, baseline) -> dict:
    rc, out, err, maxrss = run_child([str(SCAN_BIN), str(path)])
    if rc != 0:
        return {"available": False, "error": err.strip()[-500:], "child_maxrss_kib": maxrss}
    res = parse_scan(out)
    res.update(available=True, child_maxrss_kib=maxrss)
    if res["hwm_after_kib"] >= 0 and res["rss_before_kib"] >= 0:
        res.update(peak_delta_kib=res["hwm_after_kib"] - res["rss_before_kib"],
                   memory_method="VmHWM")
    else:
        # wait4's ru_maxrss of the child, less the same on a one-line file
        # (after vfork+exec it starts at this process's own peak)
        res.update(peak_delta_kib=maxrss - baseline(), baseline_kib=baseline(),
                   memory_method="ru_maxrss")
    return res


# --------------------------------------------------------------------------
# Files.

def generator_hash() -> str:
    return short_hash(GENERATOR.read_bytes())


def plan_file(size: float, seed: int) -> Path:
    BUILD.mkdir(parents=True, exist_ok=True)
    path = BUILD / f"plan-{size:g}mb-seed{seed}-{generator_hash()}.yaml"
    if not path.exists():
        cmd = [sys.executable, str(GENERATOR), "--megabytes", f"{size:g}",
               "-o", str(path), "--seed", str(seed)]
        generate(cmd)
        for old in BUILD.glob("plan-*mb-seed*-*.yaml"):   # made by an older generator
            if not old.name.endswith(f"-{generator_hash()}.yaml"):
                old.unlink()
    return path


# --------------------------------------------------------------------------
# Statistics and the report.


def summarise(runs, file_bytes) -> dict:
    ok = [r for r in runs if r.get("available")]
    if not ok:
        err = next((r.get("error") for r in runs if r.get("error")), "not available")
        return {"available": False, "error": err}
    secs = [r["seconds"] for r in ok]
    cpus = [r.get("cpu_seconds", r["seconds"]) for r in ok]
    deltas = [kib_to_mb(r["peak_delta_kib"]) for r in ok]
    file_mb = file_bytes / MB
    med = statistics.median(secs)
    dmed = statistics.median(deltas)
    return {
        "available": True, "n": len(ok),
        "seconds_median": med, "seconds_min": min(secs), "seconds_max": max(secs),
        "cpu_seconds_median": statistics.median(cpus),
        "mb_per_s": file_mb / med if med > 0 else None,
        "peak_delta_mb_median": dmed, "peak_delta_mb_min": min(deltas),
        "peak_delta_mb_max": max(deltas),
        "peak_delta_x_file": dmed / file_mb,
    }


def ratios(summary) -> dict:
    pb, py, sc, ry = (summary.get(k, {}) for k in READERS)
    out = {}
    if pb.get("available") and py.get("available"):
        out["pyyaml_over_planbook_time"] = py["seconds_median"] / pb["seconds_median"]
    if pb.get("available") and sc.get("available"):
        out["planbook_over_scan_time"] = pb["seconds_median"] / sc["seconds_median"]
    if pb.get("available"):
        out["planbook_peak_over_file"] = pb["peak_delta_x_file"]
    if pb.get("available") and ry.get("available"):
        out["planbook_over_ryml_time"] = pb["seconds_median"] / ry["seconds_median"]
    missing = [READER_TITLES[k] + (" not available" if k in summary else " not measured")
               for k in READERS if not summary.get(k, {}).get("available")]
    out["why_missing"] = {
        "pyyaml_over_planbook_time": "; ".join(m for m in missing if "scan" not in m),
        "planbook_over_scan_time": "; ".join(m for m in missing if "PyYAML" not in m),
        "planbook_peak_over_file": "; ".join(m for m in missing if m.startswith("planbook")),
        "planbook_over_ryml_time": "; ".join(m for m in missing if "scan" not in m
                                             and "PyYAML" not in m),
    }
    return out


def markdown(report) -> str:
    m = report["machine"]
    lines = markdown_head(report, MARK_START, "Load benchmark") + [
        f"- Python {m['python']}; PyYAML {m.get('pyyaml') or 'n/a'}; "
        f"rapidyaml {m.get('ryml') or 'n/a'}; "
        f"libyaml {m.get('libyaml') or 'n/a'}; planbook {m.get('planbook') or 'not available'}",
        f"- Files: synthetic plans from `bench/generate.py` (seed {report['seed']}); "
        f"runs per reader and size: {report['repeat']}, each in a fresh process, the "
        "readers taking turns; MB = 10^6 bytes.",
        "- Time: wall time of the load call (planbook, PyYAML; the file is opened "
        "inside it) or as reported by `bench/build/yamlscan` (fopen to the last event); "
        "CPU: the process's CPU time over the same span (planbook's parser thread "
        "included). "
        "Peak Δ: the process's peak RSS during the load (VmHWM, reset just before it "
        "through /proc/self/clear_refs) minus its RSS just before it, after the imports.",
        "",
        "| File | Reader | Time median (min-max) | CPU median | MB/s | Peak Δ median (min-max) "
        "| Peak Δ / file |",
        "| --- | --- | --- | ---: | ---: | --- | ---: |",
    ]
    for size in report["sizes"]:
        fname = f"{size['mb']:.1f} MB"
        for reader in READERS:
            if reader not in size["summary"]:
                continue
            s = size["summary"][reader]
            if not s.get("available"):
                lines.append(f"| {fname} | {READER_TITLES[reader]} | not available | | | | |")
                continue
            lines.append(
                f"| {fname} | {READER_TITLES[reader]} "
                f"| {s['seconds_median']:.3f} s ({s['seconds_min']:.3f}-{s['seconds_max']:.3f}) "
                f"| {s['cpu_seconds_median']:.3f} s "
                f"| {s['mb_per_s']:.1f} "
                f"| {s['peak_delta_mb_median']:.1f} MB ({s['peak_delta_mb_min']:.1f}-"
                f"{s['peak_delta_mb_max']:.1f}) "
                f"| {s['peak_delta_x_file']:.2f}x |")
    lines += ratio_table(report, "File", RATIOS, lambda size: f"{size['mb']:.1f} MB")
    lines += not_measured(report, READER_TITLES) + [MARK_END]
    return "\n".join(lines) + "\n"


def print_table(report) -> None:
    print_summaries(
        report, READERS, READER_TITLES, (8, 24),
        ("file", "reader", f"{'median s':>9} {'min s':>8} {'max s':>8} {'MB/s':>8} "
                          f"{'peak d MB':>10} {'x file':>7}"),
        lambda size: f"{size['mb']:.1f} MB",
        lambda s: f"{s['seconds_median']:9.3f} {s['seconds_min']:8.3f} {s['seconds_max']:8.3f} "
                  f"{s['mb_per_s']:8.1f} {s['peak_delta_mb_median']:10.1f} "
                  f"{s['peak_delta_x_file']:6.2f}x")
    print()
    print_ratios(report, RATIOS, lambda size: f"{size['mb']:.1f} MB")


# --------------------------------------------------------------------------

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        description="Time planbook.load against PyYAML's CSafeLoader and a bare libyaml scan.")
    ap.add_argument("--sizes", type=float, nargs="+", metavar="MB",
                    help="file sizes in MB (default: 10 50; --quick: 1)")
    peer_options(ap, "reader", READERS, (2, 5), "smoke test: 1 MB, 2 repeats",
                 "the planbook and PyYAML runs")
    args = ap.parse_args(argv)
    sizes, repeat = sizes_and_repeat(ap, args, "sizes", ([1.0], [10.0, 50.0]))
    docs = docs_path(args, DOCS)
    candidates = interpreters(args.python, REPO)

    machine = machine_info()
    report = {**report_head("run_load.py"), "seed": args.seed, "repeat": repeat, "machine": machine, "sizes": [],
              "unavailable": {}}
    pythons = {}
    for reader in args.readers:
        if reader == "scan":
            ok, err = build_scan()
            if ok:
                machine["libyaml"] = libyaml_version()
            else:
                report["unavailable"]["scan"] = f"cannot build yamlscan: {err}"
            continue
        py, info = choose_python(lambda py: probe_python(py, reader), candidates)
        if py is None:
            report["unavailable"][reader] = info.get("error", "not available")
            log(f"{READER_TITLES[reader]}: not available ({info.get('error')})")
        else:
            pythons[reader] = py
            machine[reader if reader != "pyyaml" else "pyyaml"] = info.get("version") or "?"
            machine[f"python_{reader}"] = f"{py} (Python {info.get('python')})"
    for reader in READERS:   # also report the PyYAML / libyaml versions when not measured
        if reader == "pyyaml" and "pyyaml" not in machine:
            _, info = choose_python(lambda py: probe_python(py, "pyyaml"), candidates)
            if info.get("available"):
                machine["pyyaml"] = info.get("version")
        if reader == "scan" and "libyaml" not in machine and SCAN_BIN.exists():
            machine["libyaml"] = libyaml_version()

    baseline_cache = []

    def baseline():
        if not baseline_cache:
            baseline_cache.append(scan_baseline_kib())
        return baseline_cache[0]

    for size in sizes:
        path = plan_file(size, args.seed)
        nbytes = path.stat().st_size
        warm(path)
        entry = {"megabytes_requested": size, "path": str(path.relative_to(REPO)),
                 "bytes": nbytes, "mb": nbytes / MB, "runs": {r: [] for r in args.readers},
                 "summary": {}}
        log(f"{path.name}: {nbytes / MB:.1f} MB, {repeat} runs per reader")
        for i in range(repeat):
            for reader in args.readers:
                if reader in report["unavailable"]:
                    continue
                if reader == "scan":
                    res = measure_scan(path, baseline)
                else:
                    res = measure_python(pythons[reader], reader, path)
                entry["runs"][reader].append(res)
                if res.get("available"):
                    log(f"  run {i + 1}/{repeat} {READER_TITLES[reader]:<24} "
                        f"{res['seconds']:8.3f} s  peak delta "
                        f"{kib_to_mb(res['peak_delta_kib']):8.1f} MB")
                else:
                    log(f"  run {i + 1}/{repeat} {READER_TITLES[reader]:<24} failed: "
                        f"{res.get('error')}")
        entry["summary"] = peer_summaries(report, entry["runs"],
                                          lambda runs: summarise(runs, nbytes))
        entry["ratios"] = ratios(entry["summary"])
        report["sizes"].append(entry)

    print_table(report)
    save_report(report, args.json, docs, markdown(report), MARK_START, MARK_END)
    return 0


if __name__ == "__main__":
    sys.exit(main())
