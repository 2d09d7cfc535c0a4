"""The YAML reader with libyaml's parser on a second thread (issue 18,
plugins/yaml/pb_yaml_read_pipe.c) reads every input as the one-thread
reader does: the same plan (written YAML, findings, the line and column of
every row, column and cell) or the same error (status, line, column, path,
message).

tests/c/yaml_pipe_equiv.c reads each input four ways (buffer and file, one
thread and two: lim.pipeline_min 0 and 1) and reports any difference.  The
inputs: the example plans, each also cut short and with a byte changed at
evenly spaced places (errors all through the stream: the consumer stops and
joins the producer wherever it is), the fuzz corpus, the YAML test suite
(every case refused, by libyaml or by the schema), and a plan of several
megabytes (many blocks of events, the queue full, the producer waiting).
The driver is built with AddressSanitizer and UBSan, and once with
ThreadSanitizer (data races between the two threads), where the compiler
has them.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from conftest import EXAMPLES, ROOT

pytestmark = pytest.mark.skipif(
    shutil.which("gcc") is None or shutil.which("pkg-config") is None,
    reason="needs gcc and pkg-config")

SUITE = ROOT.parent / "shared" / "yaml-test-suite"


def build(tmp_path_factory, sanitize):
    d = tmp_path_factory.mktemp("pipe_" + (sanitize or "plain").replace(",", "_"))
    exe = d / "yaml_pipe_equiv"
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "yaml-0.1"],
                           capture_output=True, text=True)
    if flags.returncode != 0:
        pytest.skip("needs libyaml (pkg-config)")
    sources = sorted(str(p) for p in (ROOT / "csrc").glob("*.c"))
    sources += sorted(str(p) for p in (ROOT / "plugins/yaml").glob("pb_yaml*.c"))
    cmd = ["gcc", "-std=c11", "-O1", "-g", "-Wall", "-Wextra", "-Werror",
           "-Wno-missing-field-initializers", f"-I{ROOT / 'csrc'}", f"-I{ROOT / 'plugins/yaml'}",
           str(ROOT / "tests/c/yaml_pipe_equiv.c"), *sources, *flags.stdout.split(),
           "-o", str(exe)]
    if sanitize:
        cmd[1:1] = [f"-fsanitize={sanitize}", "-fno-sanitize-recover=undefined"
                    if "undefined" in sanitize else "-fno-omit-frame-pointer"]
    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
    run = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if run.returncode != 0:
        if sanitize:
            pytest.skip(f"gcc cannot build with -fsanitize={sanitize}: {run.stderr[-300:]}")
        raise AssertionError(run.stderr)
    return exe


def run(exe, *args, timeout=600):
    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
    env["TSAN_OPTIONS"] = "halt_on_error=1 second_deadlock_stack=1"
    out = subprocess.run([str(exe), *map(str, args)], capture_output=True, text=True,
                         timeout=timeout, env=env)
    assert out.returncode == 0, (out.stdout[-3000:], out.stderr[-3000:])
    assert "WARNING: ThreadSanitizer" not in out.stderr, out.stderr[-3000:]
    last = out.stdout.strip().splitlines()[-1]
    assert last.endswith("; 0 differences"), out.stdout[-3000:]
    return last


def counts(line):
    # "yaml_pipe_equiv: N inputs (R refused), each read 4 ways; 0 differences"
    words = line.split()
    return int(words[1]), int(words[3].strip("("))


@pytest.fixture(scope="module")
def asan(tmp_path_factory):
    return build(tmp_path_factory, "address,undefined")


@pytest.fixture(scope="module")
def big_plan(tmp_path_factory):
    """A budget plan of about 3 MB (bench/generate.py): some 50 blocks of
    events, more than the queue holds."""
    path = tmp_path_factory.mktemp("pipe_big") / "plan.yaml"
    subprocess.run([sys.executable, str(ROOT / "bench/generate.py"), "--megabytes", "3",
                    "-o", str(path), "--seed", "3"], check=True, capture_output=True)
    return path


def test_examples_cut_and_changed(asan):
    examples = sorted(EXAMPLES.glob("*.yaml"))
    assert examples
    n, refused = counts(run(asan, "--cuts", 12, *examples))
    assert n == len(examples) * 25
    assert refused >= len(examples)      # cut plans are refused, at many places


def test_fuzz_corpus(asan):
    corpus = sorted((ROOT / "tests/fuzz/corpus/fuzz_yaml").iterdir())
    assert corpus
    n, refused = counts(run(asan, "--cuts", 3, *corpus))
    assert n == len(corpus) * 7 - sum(1 for p in corpus if p.stat().st_size <= 1) * 6
    assert refused > 0


def test_yaml_test_suite(asan):
    if not SUITE.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"no YAML test suite at {SUITE}")
        pytest.skip(f"no YAML test suite at {SUITE}")
    cases = sorted(SUITE.rglob("in.yaml"))
    n, refused = counts(run(asan, *cases))
    assert n == refused == len(cases)      # none is a plan


def test_big_plan(asan, big_plan):
    n, refused = counts(run(asan, "--cuts", 3, big_plan))
    assert n == 7 and refused >= 1


def test_big_plan_thread_sanitizer(tmp_path_factory, big_plan):
    exe = build(tmp_path_factory, "thread")
    n, refused = counts(run(exe, "--cuts", 2, big_plan,
                            EXAMPLES / "manchester-children-2018-19.yaml"))
    assert n == 10 and refused >= 1


# ---- where each cell was read: 2 bytes a cell until a table needs 4

def wide_doc(cols=100):
    """Rows of a table whose cells sit (a) on the line after the row, (b)
    one a line in a block list, up to 100 lines below the row (more than
    the narrow form's 63), (c) beyond column 1023 of a long line."""
    head = ("planbook: 1\nbudgets:\n  t:\n    columns:\n"
            + "".join(f"      - {{id: c{i}}}\n" for i in range(cols)) + "    rows:\n")
    flow = "      - line: near\n        values: [" + ", ".join(map(str, range(cols))) + "]\n"
    block = "      - line: block\n        values:\n" + "".join(f"          - {i}\n"
                                                            for i in range(cols))
    far = ("      - line: far\n        values: ["
           + ", ".join(str(10**9 + i) for i in range(cols)) + "]\n")
    return head, flow, block, far


def expected_sources(text):
    """(line, column) of every value of every row, found in the text."""
    out = {}
    lines = text.split("\n")
    row = None
    for n, line in enumerate(lines, 1):
        s = line.strip()
        if s.startswith("- line: "):
            row = s[len("- line: "):]
            out[row] = []
        elif s.startswith("values: ["):
            at = line.index("[") + 1
            for v in line[at:line.index("]")].split(", "):
                out[row].append((n, at + 1))
                at += len(v) + 2
        elif row == "block" and s.startswith("- ") and s[2:].isdigit():
            out[row].append((n, line.index("-") + 3))
    return out


@pytest.mark.parametrize("parts", [("flow",), ("flow", "block"), ("flow", "far"),
                                   ("flow", "block", "far")])
def test_cell_sources_narrow_and_wide(parts):
    import planbook
    head, flow, block, far = wide_doc()
    text = head + "".join({"flow": flow, "block": block, "far": far}[p] for p in parts)
    plan = planbook.loads(text)
    t = plan.budgets["t"]
    want = expected_sources(text)
    assert set(want) == {r.label for r in t.rows}
    for row in t.rows:
        got = [row[f"c{i}"].source for i in range(100)]
        assert got == want[row.label], row.label
    # an edit after the load keeps every position
    t.rows["near"]["c3"] = 5
    assert [t.rows[r.label][f"c{i}"].source for r in t.rows for i in range(100)] == \
        [s for r in t.rows for s in want[r.label]]
