#!/usr/bin/env python3
"""The memory benchmark (issue 15, "Scale and memory"): the peak RSS of
loading plans of several shapes, of refusing a scalar far over the limit,
and of a round trip through xlsx, each case in a fresh process.

    python bench/run_memory.py [--megabytes 10] [--roundtrip-megabytes 20]
                               [--repeat 1] [--quick] [--no-roundtrip]
                               [--json PATH] [--docs PATH | --no-docs]

Cases (files made in bench/build/, cached by size):

* realistic     bench/generate.py's plan (10 MB): target peak <= 2x the file
* blank208      a 208-column table of rows without figures ("- line: rN")
* blank64       the same at 64 columns
* digits64      a 64-column table of rows of one-digit figures in flow
                sequences ("values: [1,2,...]"), the most cells per byte
* nulls208      a 208-column table of rows of "~" in flow sequences (blank
                cells written out, whose positions are kept)
                (the four: target <= 6x the file, "any shape")
* scalar200     a plan whose title is a 200 MB scalar: refused; target
                peak < 64 MB
* roundtrip     the 20 MB realistic plan loaded, saved as .xlsx and loaded
                back: target peak <= 300 MB (peak RSS over the three steps
                minus the RSS after ``import planbook``)

Peak = VmHWM after the step (reset through /proc/self/clear_refs after the
imports) minus VmRSS before it.  Linux only (/proc).  MB means 10**6 bytes.
The table is written to docs/benchmarks.md between
``<!-- memory-benchmark:start -->`` and ``<!-- memory-benchmark:end -->``.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import BENCH, BUILD, DOCS, MB, generate, log, machine_info, marks, publish  # noqa: E402

MARK_START, MARK_END = marks("memory")

CHILD = r"""
import json, sys, time, warnings
warnings.simplefilter("ignore")
import planbook
def kib(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1])
open("/proc/self/clear_refs", "w").write("5")
before = kib("VmRSS:")
out = {}
t0 = time.perf_counter()
try:
    plan = planbook.load(sys.argv[1])
    if len(sys.argv) > 2:
        plan.save(sys.argv[2])
        del plan
        plan = planbook.load(sys.argv[2])
    out["ok"] = True
except planbook.ReadError as e:
    out.update(ok=False, code=e.code, line=e.line, column=e.column, message=str(e)[:200])
out["seconds"] = time.perf_counter() - t0
out["peak_delta"] = (kib("VmHWM:") - before) * 1024
print(json.dumps(out))
"""


def table_doc(path: Path, ncols: int, megabytes: float, row) -> None:
    target = int(megabytes * MB)
    with open(path, "w") as f:
        f.write("planbook: 1\nplan:\n  title: shapes\nbudgets:\n  t:\n    columns:\n")
        for c in range(ncols):
            f.write(f"    - {{id: c{c}}}\n")
        f.write("    rows:\n")
        i = 0
        while f.tell() < target:
            f.write(row(i))
            i += 1


def scalar_doc(path: Path, megabytes: float) -> None:
    with open(path, "w") as f:
        f.write("planbook: 1\nplan:\n  title: ")
        chunk = "abcdefgh" * 131072
        for _ in range(int(megabytes * MB) // len(chunk) + 1):
            f.write(chunk)
        f.write("\n")


def make(name: str, mb: float) -> Path:
    BUILD.mkdir(parents=True, exist_ok=True)
    path = BUILD / f"memory-{name}-{mb:g}mb.yaml"
    if path.exists():
        return path
    tmp = path.with_suffix(".tmp")
    if name == "realistic":
        generate([sys.executable, str(BENCH / "generate.py"), "--megabytes", f"{mb:g}",
                  "-o", str(tmp), "--seed", "1"])
    elif name.startswith("blank"):
        table_doc(tmp, int(name[5:]), mb, lambda i: f"    - line: r{i}\n")
    elif name == "digits64":
        vals = "[" + ",".join(str(k % 10) for k in range(64)) + "]"
        table_doc(tmp, 64, mb, lambda i: f"    - line: r{i}\n      values: {vals}\n")
    elif name == "nulls208":
        vals = "[" + ",".join("~" for _ in range(208)) + "]"
        table_doc(tmp, 208, mb, lambda i: f"    - line: r{i}\n      values: {vals}\n")
    elif name == "scalar":
        scalar_doc(tmp, mb)
    tmp.rename(path)
    return path


def run(path: Path, xlsx: Path | None = None) -> dict:
    cmd = [sys.executable, "-c", CHILD, str(path)] + ([str(xlsx)] if xlsx else [])
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=3600)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--megabytes", type=float, default=10)
    ap.add_argument("--roundtrip-megabytes", type=float, default=20)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--quick", action="store_true", help="1 MB files, no round trip")
    ap.add_argument("--no-roundtrip", action="store_true")
    ap.add_argument("--json")
    ap.add_argument("--docs", type=Path)
    ap.add_argument("--no-docs", action="store_true")
    args = ap.parse_args()
    if not Path("/proc/self/clear_refs").exists():
        print("run_memory.py: needs Linux /proc (peak RSS); nothing measured")
        return 0
    mb = 1 if args.quick else args.megabytes
    cases = [  # name, file, target (x file, or MB), kind
        ("realistic", make("realistic", mb), 2.0, "ratio"),
        ("blank208", make("blank208", mb), 6.0, "ratio"),
        ("blank64", make("blank64", mb), 6.0, "ratio"),
        ("digits64", make("digits64", mb), 6.0, "ratio"),
        ("nulls208", make("nulls208", mb), 6.0, "ratio"),
        ("scalar200", make("scalar", 20 if args.quick else 200), 64.0, "mb"),
    ]
    if not (args.quick or args.no_roundtrip):
        cases.append(("roundtrip", make("realistic", args.roundtrip_megabytes), 300.0, "mb"))
    rows = []
    for name, path, target, kind in cases:
        size = path.stat().st_size
        runs = []
        for k in range(args.repeat):
            xlsx = BUILD / f"memory-{name}.xlsx" if name == "roundtrip" else None
            r = run(path, xlsx)
            log(f"  {name:10s} run {k + 1}: peak delta {r['peak_delta'] / MB:8.1f} MB, "
                f"{r['seconds']:.2f} s, {'read' if r['ok'] else 'refused: ' + r['message'][:60]}")
            runs.append(r)
        peak = max(r["peak_delta"] for r in runs)
        value = peak / size if kind == "ratio" else peak / MB
        rows.append({"case": name, "file_bytes": size, "peak_delta": peak, "value": value,
                     "target": target, "kind": kind, "ok": runs[0]["ok"],
                     "met": value <= target if kind == "ratio" else value < target,
                     "seconds": min(r["seconds"] for r in runs)})
    m = machine_info()
    lines = [MARK_START, "## Memory (bench/run_memory.py)", "",
             f"Peak RSS during each step minus the RSS before it, one fresh process a case "
             f"({args.repeat} run(s), the largest peak kept); {m.get('cpu_model', '')}, "
             f"{m.get('nproc')} cores, {m.get('memory')}, Python {sys.version.split()[0]}. "
             "Targets (issue 15): a realistic plan <= 2x the file, any shape <= 6x, "
             "a 200 MB scalar refused under 64 MB, the round trip of a 20 MB plan "
             "(load, save .xlsx, load it) <= 300 MB. Before this work: realistic 1.4x, "
             "blank208 196x (1.87 GB), blank64 60x (595 MB), scalar200 +256 MB, "
             "roundtrip 474-615 MB.", "",
             "| case | file | outcome | peak Δ | measure | target | |",
             "| --- | ---: | --- | ---: | ---: | ---: | --- |"]
    for r in rows:
        measure = f"{r['value']:.2f}x file" if r["kind"] == "ratio" else f"{r['value']:.1f} MB"
        target = (f"<= {r['target']:g}x" if r["kind"] == "ratio" else
                  (f"<= {r['target']:g} MB" if r["case"] == "roundtrip" else f"< {r['target']:g} MB"))
        lines.append(f"| {r['case']} | {r['file_bytes'] / MB:.1f} MB | "
                     f"{'read' if r['ok'] else 'refused'} | {r['peak_delta'] / MB:.1f} MB | "
                     f"{measure} | {target} | {'met' if r['met'] else 'NOT met'} |")
    lines += ["", MARK_END]
    section = "\n".join(lines) + "\n"
    write = not args.no_docs and (not args.quick or args.docs is not None)
    publish(section, args.docs or DOCS, MARK_START, MARK_END, write)
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": m, "rows": rows}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
