"""What the benchmark scripts share: running a measurement in a fresh child
process, the machine's description, and rewriting one marked section of
docs/benchmarks.md."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

DOCS_INTRO = ("# Benchmarks\n\n"
              "Numbers measured by the scripts in `bench/` (`make bench` runs them all). "
              "Each section between a pair of markers is rewritten by the script that "
              "measured it; edit outside the markers.\n\n")


# Helpers for the code a measurement runs in its child interpreter: the
# process's own memory figures from /proc, and resetting its peak.
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
