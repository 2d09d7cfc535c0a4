"""Every case of the public YAML test suite through planbook's YAML reader
(issue 15, "YAML test suite").

The suite's data (github.com/yaml/yaml-test-suite, branch ``data``; MIT
licensed) is not part of planbook: it is read at test time from, in order,
``$PLANBOOK_YAML_TEST_SUITE``, or ``<repo>/../shared/yaml-test-suite`` (where
CI has it).  Without it the tests fail in CI (``CI=true``) and are skipped
elsewhere.  One folder per case (some with numbered sub-cases): ``in.yaml``
the input, ``===`` its title, ``error`` present when the input is invalid
YAML.

Each case's bytes go to ``planbook.loads`` (the YAML plugin's
``pb_yaml_read_buffer``).  None is a plan, so every case must be refused
with a ``ReadError`` (never a crash, a hang, a MemoryError or another
exception) that names a line and column inside the input and says what is
wrong in one line of text (no control characters, no broken UTF-8):

* an invalid case (``error``): any such ReadError - libyaml's own syntax
  error, or the schema's when libyaml accepts what YAML forbids;
* a valid case: a ``schema`` error (not a plan), except the cases libyaml
  0.2.5 itself cannot parse (``LIBYAML_REJECTS``), which must get its
  ``parse`` error.

The cases run in one child process, under a time limit, so that a crash or a
hang fails the case it happened in (and the remaining cases run in a new
child), not the whole test session.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

ENV = "PLANBOOK_YAML_TEST_SUITE"
SECONDS_PER_RUN = 60      # the whole suite takes well under a second

# Valid YAML that libyaml 0.2.5 refuses (its known limits: reserved
# directives, tabs and ':' where YAML 1.2 allows them, a document with no
# content after '---' followed by a comment, '%YAML 1.3', ...): planbook
# passes on libyaml's parse error, located.  Checked both ways: a case listed
# here that libyaml comes to read is reported, so that the list stays true.
LIBYAML_REJECTS = {
    "2JQS", "2LFX", "6CA3", "6LVF", "BEC7", "DK95/03", "FRK4", "HWV9", "MUS6/05",
    "MUS6/06", "NHX8", "Q5MG", "QT73", "SM9W/01",
}


def suite_dir() -> Path | None:
    env = os.environ.get(ENV)
    if env:
        return Path(env)
    return ROOT.parent / "shared" / "yaml-test-suite"


def find_cases(root: Path | None):
    if root is None or not root.is_dir():
        return []
    return sorted(str(p.parent.relative_to(root)) for p in root.rglob("in.yaml"))


SUITE = suite_dir()
CASES = find_cases(SUITE)

# Run in the child: python -c CHILD SUITE CASE... ; one JSON line per case,
# with a "start" line before it so that a crash is pinned on its case.
CHILD = r"""
import json, os, sys
import planbook
from planbook.errors import PlanbookError
root = sys.argv[1]
for case in sys.argv[2:]:
    print(json.dumps({"start": case}), flush=True)
    with open(os.path.join(root, case, "in.yaml"), "rb") as f:
        data = f.read()
    res = {"case": case}
    try:
        planbook.loads(data)
        res["outcome"] = "read"
    except PlanbookError as e:
        res.update(outcome="error", type=type(e).__name__, code=e.code, line=e.line,
                   column=e.column, message=e.message, path=e.path, text=str(e),
                   read_error=isinstance(e, planbook.errors.ReadError))
    except BaseException as e:
        res.update(outcome="exception", type=type(e).__name__, text=repr(e)[:500])
    print(json.dumps(res), flush=True)
"""


def run_cases(cases):
    """Results by case; a case whose child crashed or hung gets an outcome
    saying so, and the cases after it run in a new child."""
    results = {}
    todo = list(cases)
    while todo:
        try:
            run = subprocess.run([sys.executable, "-c", CHILD, str(SUITE), *todo],
                                 capture_output=True, text=True, timeout=SECONDS_PER_RUN,
                                 env=dict(os.environ, PYTHONFAULTHANDLER="1"))
            out, err, how = run.stdout, run.stderr, f"crashed (exit {run.returncode})"
        except subprocess.TimeoutExpired as e:
            out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
            err = e.stderr.decode() if isinstance(e.stderr, bytes) else (e.stderr or "")
            how = f"hung (no answer in {SECONDS_PER_RUN} s)"
        started = None
        for line in out.splitlines():
            item = json.loads(line)
            if "start" in item:
                started = item["start"]
            else:
                results[item["case"]] = item
                started = None
        if started is not None:
            results[started] = {"case": started, "outcome": how, "text": err[-2000:]}
        todo = [c for c in todo if c not in results]
        if started is None and todo:  # the child ended between cases
            for c in todo:
                results[c] = {"case": c, "outcome": how, "text": err[-2000:]}
            break
    return results


@pytest.fixture(scope="module")
def results():
    return run_cases(CASES)


def _require_suite():
    if CASES:
        return
    where = f"${ENV} ({os.environ[ENV]})" if os.environ.get(ENV) else str(SUITE)
    msg = (f"the YAML test suite's data is not at {where}: put a copy of yaml-test-suite "
           f"(branch 'data') there, or set {ENV} to its folder")
    if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
        pytest.fail(msg)
    pytest.skip(msg)


def test_suite_is_there():
    _require_suite()
    assert len(CASES) > 300, f"only {len(CASES)} cases in {SUITE}"
    errors = [c for c in CASES if (SUITE / c / "error").exists()]
    assert len(errors) > 80, f"only {len(errors)} invalid cases in {SUITE}"


def _one_clean_line(text: str) -> bool:
    return not any(ord(ch) < 32 or ord(ch) == 127 or 0x80 <= ord(ch) < 0xA0 or ch == "\ufffd"
                   for ch in text)


def _inside(data: bytes, line: int, column: int) -> bool:
    lines = data.decode("utf-8", "replace").split("\n")
    if not 1 <= line <= len(lines) + 1:
        return False
    width = len(lines[line - 1]) if line <= len(lines) else 0
    return 1 <= column <= width + 2


@pytest.mark.parametrize("case", CASES or ["(no cases)"])
def test_case(case, results):
    _require_suite()
    res = results[case]
    folder = SUITE / case
    title = (folder / "===").read_text(encoding="utf-8", errors="replace").strip() \
        if (folder / "===").exists() else ""
    invalid = (folder / "error").exists()
    where = f"case {case} ({title})"
    assert res["outcome"] == "error", f"{where}: {res['outcome']}: {res.get('text')}"
    assert res["read_error"], f"{where}: {res['type']} instead of a ReadError: {res['text']}"
    assert res["code"] not in ("nomem", "limit", "io", None), f"{where}: {res['text']}"
    assert res["line"] and res["column"], f"{where}: no line and column: {res['text']}"
    data = (folder / "in.yaml").read_bytes()
    assert _inside(data, res["line"], res["column"]), f"{where}: not inside the input: {res['text']}"
    assert res["message"].strip(), f"{where}: no message"
    assert _one_clean_line(res["text"]), f"{where}: control characters: {res['text']!r}"
    if not invalid:
        if case in LIBYAML_REJECTS:
            assert res["code"] == "parse", \
                f"{where}: libyaml now reads this valid case: drop it from LIBYAML_REJECTS " \
                f"({res['text']})"
        else:
            assert res["code"] == "schema", \
                f"{where}: valid YAML refused with {res['code']}: {res['text']}"


def test_a_crash_or_a_hang_is_pinned_on_its_case(tmp_path, monkeypatch):
    """The runner itself: a case that kills the child is reported as crashed,
    and the cases after it still run."""
    _require_suite()
    import test_yaml_test_suite as me
    crash = r"""
import os, sys, json
for case in sys.argv[2:]:
    print(json.dumps({"start": case}), flush=True)
    if case == %r:
        os.abort()
    print(json.dumps({"case": case, "outcome": "error"}), flush=True)
""" % CASES[1]
    monkeypatch.setattr(me, "CHILD", crash)
    got = me.run_cases(CASES[:4])
    assert [got[c]["outcome"][:7] for c in CASES[:4]] == ["error", "crashed", "error", "error"]
