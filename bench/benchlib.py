"""What the benchmark scripts share: running a measurement in a fresh child
process, the machine's description, and rewriting one marked section of
docs/benchmarks.md."""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
BUILD = BENCH / "build"
DOCS = REPO / "docs" / "benchmarks.md"   # the report each benchmark rewrites its section of
MB = 1_000_000


def marks(name: str) -> tuple:
    """The markers around a benchmark's section of the report."""
    return f"<!-- {name}-benchmark:start -->", f"<!-- {name}-benchmark:end -->"


DOCS_INTRO = ("# Benchmarks\n\n"
              "Numbers measured by the scripts in `bench/` (`make bench` runs them all). "
              "Each section between a pair of markers is rewritten by the script that "
              "measured it; edit outside the markers.\n\n")


# Helpers for the code a measurement runs in its child interpreter: the
# process's own memory figures from /proc, resetting its peak, timing a run
# and giving the result as one JSON line.
CHILD_PEAK = r"""
def status_kib(field):
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None

def reset_peak():
    # Linux >= 4.0: "5" resets VmHWM, the peak RSS of this process, to its RSS
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False

def give(info, **fields):
    # the result as one JSON line, then leave at once: teardown is not measured
    import json, os, sys
    info.update(fields)
    print(json.dumps(info))
    sys.stdout.flush()
    os._exit(0)

def measure(run, info):
    # time run() (wall and CPU) and the peak memory it adds; give the result
    import gc, resource, time
    gc.collect()
    maxrss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    hwm_reset = reset_peak()
    rss_before = status_kib("VmRSS")
    c0 = time.process_time()
    t0 = time.perf_counter()
    try:
        result = run()   # kept, not freed, until the process leaves
    except Exception as e:
        give(info, available=False, error=f"{type(e).__name__}: {e}")
    t1 = time.perf_counter()
    c1 = time.process_time()
    maxrss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    hwm_after = status_kib("VmHWM") if hwm_reset else None
    info.update(available=True, seconds=t1 - t0, cpu_seconds=c1 - c0,
                rss_before_kib=rss_before, ru_maxrss_before_kib=maxrss_before,
                ru_maxrss_after_kib=maxrss_after, hwm_after_kib=hwm_after)
    if hwm_after is not None and rss_before is not None:
        info.update(peak_delta_kib=hwm_after - rss_before, memory_method="VmHWM")
    else:
        # ru_maxrss before the run may already be above the RSS (the import's
        # peak, or the parent's after vfork+exec): then this overstates the delta
        base = rss_before if rss_before is not None else maxrss_before
        info.update(peak_delta_kib=maxrss_after - base, memory_method="ru_maxrss")
    give(info)   # (result is still held here)
"""


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def run_child(cmd, env=None):
    """Run cmd; return (returncode, stdout, stderr, maxrss_kib of the child),
    waiting with wait4() for the child's own rusage."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env)
        _, status, ru = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return (p.returncode, out.read().decode("utf-8", "replace"),
                err.read().decode("utf-8", "replace"), ru.ru_maxrss)


def child_env():
    env = dict(os.environ)
    env.setdefault("PYTHONHASHSEED", "0")
    return env


def kib_to_mb(kib: float) -> float:
    return kib * 1024 / 1_000_000


def write_docs(path: Path, section: str, mark_start: str, mark_end: str) -> None:
    """Replace the text between the markers (or append the section)."""
    text = path.read_text(encoding="utf-8") if path.exists() else DOCS_INTRO
    start, end = text.find(mark_start), text.find(mark_end)
    if start != -1 and end > start:
        text = text[:start] + section + text[end + len(mark_end):].lstrip("\n")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def publish(section: str, docs: Path, mark_start: str, mark_end: str, write: bool) -> None:
    """Print a benchmark's section, and put it in the docs when ``write``."""
    print(section)
    if write:
        write_docs(docs, section, mark_start, mark_end)


def machine_info() -> dict:
    cpu, mem = "unknown CPU", "unknown memory"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB RAM"
                    break
    except OSError:
        pass
    try:
        nproc = len(os.sched_getaffinity(0))
    except AttributeError:
        nproc = os.cpu_count()
    return {"nproc": nproc, "cpu_model": cpu, "memory": mem,
            "platform": platform.platform(terse=True), "python": platform.python_version()}


# --------------------------------------------------------------------------
# What every run_*.py does around its measurements: children that print one
# JSON line, the interpreter to use, files the runs read, verdicts, and the
# report's options and outputs.

def last_json(out: str):
    """The JSON object on a child's last line of output, or None."""
    try:
        return json.loads(out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return None


def child_json(cmd, done="seconds", tail: int = 500) -> dict:
    """Run a child that prints its result as JSON on its last line: the
    result, with ``available`` False and the child's ``error`` (else its
    exit status and the end of its stderr) when it failed or did not give
    ``done``; ``child_maxrss_kib`` its peak resident size."""
    rc, out, err, maxrss = run_child(cmd, child_env())
    res = last_json(out) or {"available": False}
    if rc != 0 or done not in res or res.get("available") is False:
        res.update(available=False, error=res.get("error") or f"exit {rc}: {err.strip()[-tail:]}")
    res["child_maxrss_kib"] = maxrss
    return res


def probe_json(cmd, tail: int = 300) -> dict:
    """What a probing child printed, or ``available`` False and why."""
    rc, out, err, _ = run_child(cmd, child_env())
    return last_json(out) or {"available": False, "error": f"exit {rc}: {err.strip()[-tail:]}"}


def interpreters(python, repo: Path) -> list:
    """The interpreters to try: the one asked for, else this one and then
    the repository's .venv (when it is another)."""
    if python:
        return [python]
    out = [sys.executable]
    venv = repo / ".venv" / "bin" / "python"
    if venv.exists() and venv.resolve() != Path(sys.executable).resolve():
        out.append(str(venv))
    return out


def choose_python(probe, candidates, ok=lambda info: info.get("available")):
    """(interpreter, what it said) of the first candidate whose
    ``probe(python)`` is ``ok``; else (None, what the first said)."""
    first = None
    for py in candidates:
        info = probe(py)
        if ok(info):
            return py, info
        if first is None:
            first = info
    return None, first or {"available": False, "error": "no interpreter"}


def short_hash(data: bytes) -> str:
    """Eight hex digits of data's SHA-256 (names cached files after what made them)."""
    return hashlib.sha256(data).hexdigest()[:8]


def generate(cmd) -> None:
    """Run a generator, saying so."""
    log("generating: " + shlex.join(cmd))
    subprocess.run(cmd, check=True)


def warm(*paths: Path) -> None:
    """Read each file once, so that every timed run finds it in the page cache."""
    for path in paths:
        with open(path, "rb") as f:
            while f.read(1 << 20):
                pass


def verdict(value, target, better) -> str:
    met = value >= target if better == "high" else value <= target
    return "met" if met else "NOT met"


def fmt_ratio(r, key, target, better) -> str:
    value = r.get(key)
    if value is None:
        return f"n/a ({r['why_missing'].get(key, 'not measured')})"
    return f"{value:.2f}x ({verdict(value, target, better)})"


def machine_line(m: dict) -> str:
    return f"- Machine: {m['nproc']} CPUs ({m['cpu_model']}), {m['memory']}, {m['platform']}"


def not_measured(report: dict, titles: dict) -> list:
    """The report's closing lines on what could not be measured."""
    notes = [f"- {titles[k]}: {v}" for k, v in report.get("unavailable", {}).items()]
    return ["", "Not measured:", ""] + notes if notes else []


def report_head(script: str) -> dict:
    """When and with what command a report was measured."""
    return {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "command": f"python bench/{script}" + ("" if len(sys.argv) < 2 else
                                                   " " + shlex.join(sys.argv[1:]))}


def output_options(ap, docs: Path, repo: Path) -> None:
    """--json, --docs and --no-docs."""
    ap.add_argument("--json", metavar="PATH", help="also save the raw numbers as JSON")
    ap.add_argument("--docs", metavar="PATH",
                    help=f"Markdown file to update (default {docs.relative_to(repo)}; "
                    "not written with --quick unless given)")
    ap.add_argument("--no-docs", action="store_true", help="do not write the Markdown file")


def docs_path(args, default: Path):
    """The Markdown file to update: --docs, else the default unless --quick
    or --no-docs."""
    if args.no_docs:
        return None
    return Path(args.docs) if args.docs else (None if args.quick else default)


def peer_options(ap, what: str, names, repeat: tuple, quick_help: str, python_for: str) -> None:
    """The options of a benchmark that times planbook and its peers (each a
    `what`, "reader" or "writer", one of `names`) at several sizes: --repeat
    (its defaults (quick, full)), --seed, --quick, --readers or --writers,
    --python (the interpreter `python_for`) and the output options."""
    ap.add_argument("--repeat", type=int,
                    help=f"runs per {what} and size (default {repeat[1]}; --quick: {repeat[0]})")
    ap.set_defaults(repeat_defaults=repeat)
    ap.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    ap.add_argument("--quick", action="store_true", help=quick_help)
    ap.add_argument(f"--{what}s", nargs="+", choices=names, default=list(names),
                    help=f"{what}s to measure (default: all)")
    ap.add_argument("--python", help=f"interpreter for {python_for} "
                    "(default: this one, else the repository's .venv)")
    output_options(ap, DOCS, REPO)


def sizes_and_repeat(ap, args, option: str, sizes: tuple) -> tuple:
    """The sizes (--`option`, its defaults (quick, full)) and the runs per
    size asked for, else the defaults; an error unless all are positive."""
    chosen = getattr(args, option) or sizes[not args.quick]
    runs = args.repeat or args.repeat_defaults[not args.quick]
    if runs < 1 or any(s <= 0 for s in chosen):
        ap.error(f"--repeat and --{option} must be positive")
    return chosen, runs


def peer_summaries(report: dict, runs: dict, summarise) -> dict:
    """Each peer's summary: summarise(its runs), or, where it could not be
    measured, why."""
    return {k: {"available": False, "error": report["unavailable"][k]}
            if k in report["unavailable"] else summarise(v) for k, v in runs.items()}


def save_report(report: dict, json_path, docs=None, section: str = "", mark_start: str = "",
                mark_end: str = "") -> None:
    """Save the raw numbers (--json) and rewrite the report's section of docs."""
    if json_path:
        Path(json_path).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        log(f"wrote {json_path}")
    if docs is not None:
        write_docs(docs, section, mark_start, mark_end)
        log(f"wrote {docs}")


def build_c(src: Path, binary: Path, libs) -> tuple:
    """Compile a baseline C program (unless it is newer than its source and
    the headers beside it, bench/procstat.h): (ok, the compiler's complaint)."""
    binary.parent.mkdir(parents=True, exist_ok=True)
    newest = max(p.stat().st_mtime for p in [src, *src.parent.glob("*.h")])
    if binary.exists() and binary.stat().st_mtime >= newest:
        return True, ""
    cc = os.environ.get("CC", "cc")
    cmd = [cc, "-O2", "-Wall", "-Wextra", "-Werror", str(src), *libs, "-o", str(binary)]
    log("building: " + shlex.join(cmd))
    try:
        p = subprocess.run(cmd, capture_output=True, text=True)
    except OSError as e:
        return False, str(e)
    if p.returncode != 0:
        return False, (p.stderr or p.stdout).strip()
    return True, ""


def tool_version(binary: Path):
    """What ``binary --version`` prints, or None."""
    p = subprocess.run([str(binary), "--version"], capture_output=True, text=True)
    return p.stdout.strip() or None if p.returncode == 0 else None


def markdown_head(report: dict, mark_start: str, title: str, machine_note: str = "") -> list:
    """The first lines of a report's section: its marker, title, when and
    how it was measured, and the machine."""
    return [mark_start, f"## {title}", "", f"Measured {report['date']} with "
            f"`{report['command']}`.", "", machine_line(report["machine"]) + machine_note]


def summaries(report: dict, keys):
    """(size, key, summary) of each size of the report and each key it
    measured, in the order of keys."""
    for size in report["sizes"]:
        for key in keys:
            if key in size["summary"]:
                yield size, key, size["summary"][key]


def _bound(target, better) -> str:
    return f"{'>=' if better == 'high' else '<='} {target:g}x"


def ratio_table(report: dict, first: str, columns, name) -> list:
    """A Markdown table of each size's ratios against their targets:
    ``columns`` are (heading, short heading, key, target, better),
    ``name(size)`` names a size in the first column."""
    heads = [f"{h} (target {_bound(t, b)})" for h, _, _, t, b in columns]
    lines = ["", "| " + " | ".join([first] + heads) + " |",
             "| " + " | ".join(["---"] * (len(columns) + 1)) + " |"]
    for size in report["sizes"]:
        r = size["ratios"]
        lines.append("| " + " | ".join([name(size)] + [fmt_ratio(r, k, t, b)
                                                       for _, _, k, t, b in columns]) + " |")
    return lines


def print_ratios(report: dict, columns, name) -> None:
    """Each size's ratios against their targets, a line a size (``columns``
    as for ratio_table)."""
    for size in report["sizes"]:
        r = size["ratios"]
        print(f"{name(size)}: " + "; ".join(f"{short} {fmt_ratio(r, k, t, b)} [{_bound(t, b)}]"
                                            for _, short, k, t, b in columns))


def print_summaries(report: dict, keys, titles: dict, widths, head: str, name, row) -> None:
    """Each size's summary of each key, a line each: ``name(size)`` and the
    title in columns of ``widths``, then ``row(summary)``, or why it is
    missing; ``head`` the heading line after those two columns."""
    nw, tw = widths
    print()
    print(f"{head[0]:>{nw}}  {head[1]:<{tw}} {head[2]}")
    for size, key, s in summaries(report, keys):
        lead = f"{name(size):>{nw}}  {titles[key]:<{tw}}"
        if not s.get("available"):
            print(f"{lead} {'FAILED' if s.get('failed') else 'not available'}: {s.get('error')}")
        else:
            print(f"{lead} {row(s)}")
