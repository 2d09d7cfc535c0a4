"""The command line as a new user meets it (issue 16): what each exit status
means, one line in the user's words for whatever goes wrong, plan text never
reaching the terminal raw, --version, a closed pipe, progress only on a
terminal.  Every case runs ``python -m planbook`` as a subprocess.

Exit status: 0 nothing wrong; 1 findings with errors (diff: the plans
differ); 2 the command could not do its job; 141 the output pipe closed.
"""
import json
import os
import re
import subprocess
import sys
import textwrap

import pytest

import planbook
from conftest import EXAMPLES, strings_in

FINDINGS = EXAMPLES / "manchester-children-2018-19.yaml"         # 3 errors
CLEAN = EXAMPLES / "manchester-children-families-2015-17.yaml"   # two dashboards
# 0 errors (the 2015-17 plan has its analyst-declared agreements' 14, issue 17)
CHECKS_CLEAN = EXAMPLES / "manchester-childrens-services-2016-20.yaml"
NO_INDICATORS = EXAMPLES / "manchester-children-post-inspection-2018.yaml"


def run(*args, env=None, timeout=120, cwd=None):
    """Run the CLI; stdout and stderr as text (bytes kept in .raw_*)."""
    full_env = dict(os.environ, **(env or {}))
    full_env.pop("CI", None)
    proc = subprocess.run([sys.executable, "-m", "planbook", *map(str, args)],
                          capture_output=True, env=full_env, timeout=timeout, cwd=cwd)
    proc.raw_stdout, proc.raw_stderr = proc.stdout, proc.stderr
    proc.stdout = proc.stdout.decode("utf-8", "backslashreplace")
    proc.stderr = proc.stderr.decode("utf-8", "backslashreplace")
    return proc


# ------------------------------------------------------------ bad inputs

def _foreign_workbook(path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Budget 2024-25"
    ws.append(["Service", "2024/25"])
    ws.append(["Staff", 100])
    wb.save(path)


def _empty_workbook(path):
    openpyxl = pytest.importorskip("openpyxl")
    openpyxl.Workbook().save(path)


def _fifo(path):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    os.mkfifo(path)


BAD_FILES = {
    # name in tmp_path: (how to make it, what the one line says)
    "missing.yaml": (None, "missing.yaml: does not exist"),
    "plan.yaml": (os.mkdir, "plan.yaml: is a folder"),
    "book.xlsx": (os.mkdir, "book.xlsx: is a folder"),
    "empty.yaml": (lambda p: open(p, "wb").close(), "empty.yaml: is empty"),
    "empty.xlsx": (lambda p: open(p, "wb").close(), "empty.xlsx: is empty"),
    "binary.yaml": (lambda p: open(p, "wb").write(bytes(range(256))),
                    "binary.yaml: is not a YAML plan"),
    "binary.xlsx": (lambda p: open(p, "wb").write(b"\x00\x01junk" * 50),
                    "binary.xlsx: is not an Excel workbook (not a zip archive)"),
    "old.xlsx": (lambda p: open(p, "wb").write(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500)),
                 "old.xlsx: is not an Excel workbook (not a zip archive): it is an Excel "
                 "97-2003 .xls file"),
    "workbook.yaml": (lambda p: open(p, "wb").write(b"PK\x03\x04" + bytes(100)),
                      "workbook.yaml: is not a YAML plan: it is a zip archive"),
    "fifo.yaml": (_fifo, "fifo.yaml: is not a regular file: it is a named pipe (FIFO)"),
    "foreign.xlsx": (_foreign_workbook,
                     "foreign.xlsx: is not a planbook workbook: planbook did not write it"),
    "blank.xlsx": (_empty_workbook, "blank.xlsx: is not a planbook workbook"),
    "notes.docx": (lambda p: open(p, "w").write("x"),
                   "no planbook format reads or writes '.docx' files"),
}


@pytest.mark.parametrize("command", ["check", "summary", "show", "status"])
@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_file_that_is_not_a_plan_is_one_line_and_exit_2(tmp_path, name, command):
    make, said = BAD_FILES[name]
    path = tmp_path / name
    if make is not None:
        make(str(path))
    proc = run(command, name, cwd=tmp_path, timeout=60)   # a FIFO must not block
    assert proc.returncode == 2, proc
    assert proc.stderr.startswith("planbook: error: ") and said in proc.stderr, proc.stderr
    assert proc.stderr.count("\n") == 1, proc.stderr               # one line, no traceback
    assert proc.stdout == ""


def test_the_loader_gives_the_same_errors(tmp_path):
    """The checks are in planbook.load, so the Python API says the same."""
    (tmp_path / "plan.yaml").mkdir()
    with pytest.raises(planbook.ReadError, match="is a folder"):
        planbook.load(tmp_path / "plan.yaml")
    os.mkfifo(tmp_path / "fifo.xlsx")
    with pytest.raises(planbook.ReadError, match="is not a regular file"):
        planbook.load(tmp_path / "fifo.xlsx")
    _foreign_workbook(tmp_path / "finance.xlsx")
    with pytest.raises(planbook.ReadError, match="docs/import.md"):
        planbook.load(tmp_path / "finance.xlsx")
    with pytest.raises(FileNotFoundError):
        planbook.load(tmp_path / "nope.yaml")


def test_a_foreign_workbook_points_to_the_mapping_import(tmp_path):
    _foreign_workbook(tmp_path / "finance.xlsx")
    proc = run("check", tmp_path / "finance.xlsx")
    assert proc.returncode == 2 and "0 errors" not in proc.stdout
    assert "'Budget 2024-25'" in proc.stderr
    assert "import_table" in proc.stderr and "docs/import.md" in proc.stderr


def test_a_workbook_planbook_wrote_still_checks(tmp_path):
    book = tmp_path / "book.xlsx"
    planbook.load(FINDINGS).save(book)
    proc = run("check", book)
    assert proc.returncode == 1 and "3 errors" in proc.stdout, proc.stderr


def test_one_unreadable_file_does_not_stop_the_others(tmp_path):
    (tmp_path / "plan.yaml").mkdir()
    proc = run("check", tmp_path / "plan.yaml", CHECKS_CLEAN)
    assert proc.returncode == 2
    assert "plan.yaml: is a folder" in proc.stderr
    assert f"{CHECKS_CLEAN}: 0 errors" in proc.stdout
    proc = run("check", "--json", tmp_path / "plan.yaml", CHECKS_CLEAN)
    data = json.loads(proc.stdout)
    assert "is a folder" in data[0]["error"] and data[1]["findings"] == []


# ------------------------------------------------------------ the table

CASES = [
    # (args, exit status, text expected in stdout, text expected in stderr)
    (["check", CHECKS_CLEAN], 0, "0 errors, 0 warnings", None),
    (["check", FINDINGS], 1, "3 errors", None),
    (["summary", CHECKS_CLEAN], 0, "Findings: 0 (0 errors)", None),
    (["summary", FINDINGS], 1, "Findings: 3 (3 errors)", None),
    (["show", FINDINGS], 0, "Gross Expenditure", None),
    (["show", FINDINGS, "subjective"], 0, "Gross Expenditure", None),
    (["show", FINDINGS, "typo"], 2, None,
     "no table 'typo'; its tables are subjective"),
    (["show", FINDINGS, "subjectiv"], 2, None, "(did you mean 'subjective'?)"),
    (["show", FINDINGS, "subjective", "typo"], 2, None, "no table 'typo'"),
    (["status", CLEAN], 0, "[children] at 2014/15 Q3", None),
    (["status", CLEAN, "--period", "2014/15 Q2"], 0, "at 2014/15 Q2", None),
    (["status", CLEAN, "--period", "q2 2014/15"], 0, "at 2014/15 Q2", None),    # as the API
    (["status", CLEAN, "--period", "bad"], 2, None,
     "--period 'bad' is not a period: unknown month or period word; the dashboards have "
     "these periods: adults: 2011/12, 2012/13"),
    (["status", CLEAN, "--period", "2030/31"], 2, None,
     "no indicator dashboard has the period 2030/31; they have these periods: adults: "),
    (["status", CLEAN, "--period", "2030/31"], 2, None, "children: 2013/14, 2014/15 Q1"),
    (["status", NO_INDICATORS, "--period", "2014/15"], 2, None,
     "has no indicator dashboards, so no period '2014/15'"),
    (["status", "--json", CLEAN, "--period", "bad"], 2, '"error":', "is not a period"),
    (["diff", CLEAN, CLEAN], 0, "--- ", None),
    (["diff", CLEAN, FINDINGS], 1, "+++ ", None),
    (["summary", "--as-of", "yesterday", CLEAN], 2, None,
     "argument --as-of: 'yesterday' is not a date (YYYY-MM-DD)"),
    (["diff", "--as-of", "2018-13-01", CLEAN, CLEAN], 2, None, "is not a date"),
    (["frobnicate"], 2, None, "invalid choice: 'frobnicate'"),
    ([], 2, None, "the following arguments are required: COMMAND"),
    (["check"], 2, None, "the following arguments are required: PLAN"),
    (["check", "--jsn", CLEAN], 2, None, "unrecognized arguments: --jsn"),
    (["convert", CLEAN, "out.docx"], 2, None, "no planbook format reads or writes '.docx'"),
    (["convert", CLEAN, "out.yaml", "--to", "nosuch"], 2, None,
     "no planbook format named 'nosuch'"),
    (["export", CLEAN, "-o", "no/such/folder/book.xlsx"], 2, None, "does not exist: cannot save"),
    (["--version"], 0, f"planbook {planbook.__version__}\n", None),
    (["-V"], 0, f"planbook {planbook.__version__}\n", None),
    (["formats"], 0, "yaml: .yaml, .yml", None),
]


@pytest.mark.parametrize("args,status,out,err", CASES,
                         ids=[" ".join(str(a).replace(str(EXAMPLES) + "/", "")
                                       for a in c[0]) or "(none)" for c in CASES])
def test_exit_status_and_message(tmp_path, args, status, out, err):
    proc = run(*args, cwd=tmp_path)
    assert proc.returncode == status, (proc.stdout[-500:], proc.stderr)
    if out is not None:
        assert out in proc.stdout, proc.stdout[-2000:]
    if err is not None:
        assert err in proc.stderr, proc.stderr
    if status == 2:
        assert "Traceback" not in proc.stderr
    else:
        assert proc.stderr == "", proc.stderr     # nothing else on stderr (no progress in a pipe)


def test_version_lives_in_one_place():
    from planbook import _version
    assert planbook.__version__ == _version.__version__
    assert re.fullmatch(r"\d+\.\d+\.\d+", planbook.__version__)


def test_an_internal_error_is_one_line_and_debug_shows_the_traceback(tmp_path):
    """A bug (here a format plugin that raises ZeroDivisionError) exits 2 with
    one line, not 1 as if it were findings; --debug adds the traceback."""
    (tmp_path / "boomfmt.py").write_text(textwrap.dedent('''
        class Boom:
            name = "boom"
            suffixes = (".boom",)

            def load(self, path):
                return 1 / 0

        FORMAT = Boom()
    '''))
    dist = tmp_path / "boomfmt-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: boomfmt\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[planbook.formats]\nboom = boomfmt:FORMAT\n")
    (tmp_path / "plan.boom").write_text("x")
    env = {"PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    proc = run("check", tmp_path / "plan.boom", env=env)
    assert proc.returncode == 2
    assert proc.stderr.startswith("planbook: error: internal error: ZeroDivisionError")
    assert "--debug" in proc.stderr and proc.stderr.count("\n") == 1
    proc = run("--debug", "check", tmp_path / "plan.boom", env=env)
    assert proc.returncode == 2
    assert "Traceback" in proc.stderr and "return 1 / 0" in proc.stderr
    proc = run("check", "--debug", tmp_path / "plan.boom", env=env)   # after the command too
    assert proc.returncode == 2 and "Traceback" in proc.stderr


# ------------------------------------------------------------ escape sequences

HOSTILE = {
    "title": "Plan \x1b]0;pwned\x07 \x1b[2J\x1b[31mRED",        # OSC retitle, BEL, CSI
    "table": "Budget \x1b[1;1H\x9b31m",                           # cursor move, 8-bit CSI
    "label": "Gross \x1b[8mhidden\x1b[0m \u202egnp.exe\u202c\r\x08",  # conceal, bidi, CR, BS
    "set": "Dashboard \x1bP+q\x1b\\ \x07",                        # DCS
    "measure": "Rate \x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\",   # OSC 8 hyperlink
    "register": "Risks \x1b[6n",                                  # a query the terminal answers
}


@pytest.fixture(scope="module")
def hostile_plans(tmp_path_factory):
    """An example plan with escape sequences in its titles, names and
    labels, and a misprint so that a finding repeats a hostile label; and a
    changed copy, so that diff does too."""
    tmp = tmp_path_factory.mktemp("hostile")
    plan = planbook.examples.load("manchester-children-families-2015-17")
    plan.title = HOSTILE["title"]
    for tid in plan.budgets:
        plan.budgets[tid].title = HOSTILE["table"]
    for sid in plan.indicators:
        plan.indicators[sid].title = HOSTILE["set"]
        for m in plan.indicators[sid]:
            m.name = HOSTILE["measure"]
    for rid in plan.risks:
        plan.risks[rid].title = HOSTILE["register"]
    table = plan.budgets["subjective"]
    col = table.columns[0].id
    line = table.lines()[0]
    line[col] = (line[col].value or 0) + 1
    misprinted = plan.check()[0].to_dict()["row"]
    table.rows[misprinted].label = HOSTILE["label"]
    assert any(HOSTILE["label"] in str(f) for f in plan.check())
    hostile = tmp / "hostile.yaml"
    plan.save(hostile)
    line[col] = line[col].value + 1
    changed = tmp / "changed.yaml"
    plan.save(changed)
    return hostile, changed


ESCAPE_COMMANDS = [
    ["check", "{h}"], ["summary", "{h}"], ["show", "{h}"], ["status", "{h}"],
    ["diff", "{h}", "{c}"], ["check", "--json", "{h}"], ["status", "--json", "{h}"],
    ["diff", "--json", "{h}", "{c}"], ["show", "{h}", "\x1b[31mtypo"],
    ["status", "{h}", "--period", "\x1b]0;x\x07"],
]


@pytest.mark.parametrize("args", ESCAPE_COMMANDS, ids=[" ".join(a[:2]) for a in ESCAPE_COMMANDS])
def test_plan_text_never_reaches_the_terminal_raw(hostile_plans, args):
    hostile, changed = hostile_plans
    proc = run(*[a.format(h=hostile, c=changed) for a in args])
    assert proc.returncode in (0, 1, 2)
    for raw in (proc.raw_stdout, proc.raw_stderr):
        assert b"\x1b" not in raw and b"\x07" not in raw and b"\x08" not in raw
        assert b"\r" not in raw
        assert "\x9b".encode() not in raw and "\u202e".encode() not in raw
    both = proc.stdout + proc.stderr
    assert "\\x1b" in both or "\\u001b" in both, both[:2000]
    if "--json" in args and proc.returncode != 2:
        data = json.loads(proc.stdout)                     # escaped, but the same data
        found = {h for h in HOSTILE.values() for t in strings_in(data) if h in t}
        assert found, proc.stdout[:2000]


def test_the_escaped_text_shows_what_is_there(hostile_plans):
    hostile, _ = hostile_plans
    proc = run("summary", hostile)
    assert "== Plan \\x1b]0;pwned\\x07 \\x1b[2J\\x1b[31mRED" in proc.stdout
    proc = run("show", hostile, "subjective")
    assert "\\u202egnp.exe\\u202c\\x0d\\x08" in proc.stdout
    assert "\\x9b31m" in proc.stdout


def test_terminal_text_keeps_newlines_tabs_and_letters():
    from planbook.cli import terminal_text
    text = "Ünïcode £1,234 — 東京 ☃\tcolumn\nnext line"
    assert terminal_text(text) == text
    assert terminal_text("a\x1b[0mb\x00c\x7fd\x85e") == "a\\x1b[0mb\\x00c\\x7fd\\x85e"


# ------------------------------------------------------------ closed pipe

def test_a_closed_pipe_is_a_quiet_exit():
    """planbook summary PLAN... | head -1: no 'Broken pipe', no traceback."""
    plans = sorted(EXAMPLES.glob("*.yaml")) * 12        # well past a pipe's buffer
    proc = subprocess.Popen([sys.executable, "-m", "planbook", "summary", *map(str, plans)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = proc.stdout.readline()
    proc.stdout.close()                                 # as head -1 does
    err = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait(timeout=120) == 141
    assert first.startswith(b"== ")
    assert err == b""


def test_a_pipe_closed_before_anything_is_written():
    r, w = os.pipe()
    os.close(r)
    proc = subprocess.run([sys.executable, "-m", "planbook", "check", str(CLEAN)],
                          stdout=w, stderr=subprocess.PIPE, timeout=120)
    os.close(w)
    assert proc.returncode == 141 and proc.stderr == b""


def test_head_in_a_shell_pipeline():
    cmd = (f"set -o pipefail; {sys.executable} -m planbook summary "
           + " ".join(str(p) for p in sorted(EXAMPLES.glob('*.yaml')) * 12) + " | head -1")
    proc = subprocess.run(["bash", "-c", cmd], capture_output=True, timeout=120)
    assert proc.stdout.startswith(b"== ") and proc.stdout.count(b"\n") == 1
    assert proc.stderr == b""
    assert proc.returncode == 141                       # as any tool killed by SIGPIPE


# ------------------------------------------------------------ progress

def _on_a_terminal(args, env, stdout_tty=False):
    """Run with stderr (and optionally stdout) on a pseudo-terminal; returns
    (exit status, stdout bytes, what the terminal got)."""
    pty = pytest.importorskip("pty")
    master, slave = pty.openpty()
    full_env = dict(os.environ)
    full_env.pop("CI", None)
    full_env["TERM"] = "xterm"
    full_env.update(env)
    proc = subprocess.Popen([sys.executable, "-m", "planbook", *map(str, args)],
                            stdout=slave if stdout_tty else subprocess.PIPE, stderr=slave,
                            env=full_env)
    os.close(slave)
    out = proc.stdout.read() if proc.stdout else b""
    status = proc.wait(timeout=120)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.close(master)
    return status, out, seen


def test_progress_shows_on_a_terminal_only():
    pytest.importorskip("rich")
    plans = sorted(EXAMPLES.glob("*.yaml"))
    status, out, seen = _on_a_terminal(["check", *plans], {"PLANBOOK_PROGRESS_DELAY": "0"})
    assert status == 1
    assert b"errors" in out and b"\x1b" not in out          # stdout (a pipe) is untouched
    assert b"/5" in seen and (b"reading" in seen or b"checking" in seen), seen[:500]
    # not with --no-progress, not under CI, not on a dumb terminal
    for extra, env in ((["--no-progress"], {}), ([], {"CI": "true"}), ([], {"TERM": "dumb"})):
        status, out, seen = _on_a_terminal([*extra, "check", *plans],
                                           {"PLANBOOK_PROGRESS_DELAY": "0", **env})
        assert status == 1 and seen == b"", (extra, env, seen[:300])


def test_progress_is_not_shown_for_quick_work():
    pytest.importorskip("rich")
    status, out, seen = _on_a_terminal(["check", CHECKS_CLEAN],
                                       {"PLANBOOK_PROGRESS_DELAY": "10"})
    assert status == 0 and seen == b""


def test_progress_and_output_on_the_same_terminal():
    pytest.importorskip("rich")
    plans = sorted(EXAMPLES.glob("*.yaml"))
    status, _, seen = _on_a_terminal(["check", *plans], {"PLANBOOK_PROGRESS_DELAY": "0"},
                                     stdout_tty=True)
    text = re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b"", seen).decode("utf-8", "replace")
    for p in plans:                                     # every file's result line is there
        assert f"{p}: " in text
