"""The documentation runs as written (issue 16).

- Every ```python block of README.md and docs/*.md runs, the blocks of one
  file in order in one namespace, in a scratch folder holding a copy of the
  examples (so a block that saves writes there).  A line
  ``expr   # 'text'`` (a comment that is a Python literal, or a repr such
  as ``Score(likelihood=4, ...)``) shows a result: the expression must
  give exactly that.
- Every ```text block that starts with ``$ planbook ...`` is a transcript:
  the command is run and prints what the block shows.
- Every ```yaml block of docs/format.md that is an example (a sketch of
  the schema holds placeholders: ``...``, ``<id>``) is read by planbook,
  inside a minimal plan when it is a part of one, and must load.

A block opts out with an HTML comment on the line before it:
``<!-- not run: why -->``.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import planbook
from conftest import SANITIZED

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md"] + sorted((ROOT / "docs").glob("*.md"))
FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.S | re.M)
PLACEHOLDER = re.compile(r"\.\.\.|<\w+>")


def blocks(path: Path, lang: str):
    text = path.read_text(encoding="utf-8")
    for m in FENCE.finditer(text):
        if m.group(1) != lang:
            continue
        before = text[:m.start()].rstrip().rsplit("\n", 1)[-1]
        if before.startswith("<!-- not run"):
            continue
        yield text.count("\n", 0, m.start()) + 2, m.group(2)


def _rel(p: Path) -> str:
    return str(p.relative_to(ROOT))


def _finance_books(folder: Path) -> None:
    """import.md's inputs: finance's own workbooks and their mappings (the
    ones tests/test_xlsx_import.py checks in detail)."""
    from test_xlsx_import import KPI_MAPPING, MAPPING, finance_book, kpi_book
    finance_book(folder / "budget-book.xlsx")
    (folder / "mapping.yaml").write_text(MAPPING, encoding="utf-8")
    kpi_book(folder / "kpis.xlsx")
    (folder / "kpi-mapping.yaml").write_text(KPI_MAPPING, encoding="utf-8")


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    """A folder holding what the docs name: the examples, plan.yaml (the
    2015-17 example), budget-book-from-finance.xlsx (its workbook with one
    figure edited), and for docs/import.md finance's own workbooks."""
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    shutil.copy(ROOT / "examples" / "manchester-children-families-2015-17.yaml",
                tmp_path / "plan.yaml")
    edited = planbook.load(tmp_path / "plan.yaml")
    edited.budgets["subjective"].rows["Employees"]["y2015"] = 75000
    edited.save(tmp_path / "budget-book-from-finance.xlsx")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    return tmp_path


PY_DOCS = [p for p in DOCS if any(blocks(p, "python"))]


def _shown(line: str):
    """(expression, shown) of `expr  # shown`, where shown is a Python
    literal (compared by value) or a repr such as `Score(likelihood=4, ...)`
    (compared as text); None for a comment in words."""
    code, sep, comment = line.partition("#")
    comment = comment.strip()
    if not sep or not code.strip() or "=" in code.replace("==", "").split("(")[0]:
        return None
    if "..." in comment or "…" in comment:
        return None  # abridged
    try:
        ast.parse(code.strip(), mode="eval")
    except SyntaxError:
        return None
    try:
        return code.strip(), ast.literal_eval(comment)
    except (ValueError, SyntaxError):
        pass
    if re.match(r"^[A-Z]\w*\(.*\)$", comment):
        return code.strip(), _Repr(comment)
    return None


class _Repr(str):
    """A result shown as its repr."""

    def __eq__(self, other):
        return str.__eq__(self, repr(other))

    __hash__ = str.__hash__


@pytest.mark.parametrize("doc", PY_DOCS, ids=_rel)
def test_python_blocks_run(doc, scratch):
    if doc.name == "report.md":
        from planbook._chromium import find_chromium
        if SANITIZED:
            pytest.skip("the pack is not run under the sanitizers (tests/test_report.py)")
        if find_chromium() is None and not os.environ.get("CI"):
            pytest.skip("no Chromium installed (apt-get install chromium); in CI it runs")
    if doc.name == "import.md":
        pytest.importorskip("openpyxl")
        _finance_books(scratch)
    namespace = {"__name__": "__doc_example__"}
    for line_no, code in blocks(doc, "python"):
        if SANITIZED and "matplotlib" in code:
            continue  # matplotlib's C++ exceptions abort under ASan (tests/test_plots.py)
        try:
            exec(compile(code, f"{_rel(doc)}:{line_no}", "exec"), namespace)
        except Exception as exc:  # noqa: BLE001 - the message names the block
            pytest.fail(f"{_rel(doc)}:{line_no}: the example fails: {type(exc).__name__}: {exc}")
        for k, line in enumerate(code.splitlines()):
            shown = _shown(line)
            if shown:
                expr, value = shown
                got = eval(expr, namespace)
                assert value == got, f"{_rel(doc)}:{line_no + k}: {expr} gives {got!r}, the docs show {value!r}"


def transcripts():
    for doc in DOCS:
        for line_no, body in blocks(doc, "text"):
            if body.startswith("$ planbook "):
                yield pytest.param(doc, line_no, body, id=f"{_rel(doc)}:{line_no}")


@pytest.mark.parametrize("doc,line_no,body", list(transcripts()))
def test_transcripts_are_what_planbook_prints(doc, line_no, body):
    command, _, shown = body.partition("\n")
    args = command[2:].split()[1:]
    run = subprocess.run([sys.executable, "-m", "planbook", *args], cwd=ROOT,
                         capture_output=True, text=True,
                         env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"})
    assert run.returncode in (0, 1), run.stderr
    assert run.stdout == shown, f"{_rel(doc)}:{line_no}: `{command[2:]}` prints\n{run.stdout}"


def _as_plan(data) -> dict:
    """A format.md example as a whole plan."""
    if isinstance(data, list):  # rows of a table
        width = max(len(r.get("values", [])) for r in data)
        return {"planbook": 1, "budgets": {"example": {
            "columns": [{"id": f"c{k}", "label": f"Column {k}"} for k in range(width)],
            "rows": data}}}
    if "planbook" in data:
        return data
    if set(data) & {"budgets", "indicators", "risks", "records", "agreements", "settings"}:
        return {"planbook": 1, **data}
    return {"planbook": 1, "budgets": data}  # tables by id


def yaml_examples():
    yaml = pytest.importorskip("yaml")
    doc = ROOT / "docs" / "format.md"
    for line_no, body in blocks(doc, "yaml"):
        if PLACEHOLDER.search(body):
            continue  # a sketch of the schema
        yield pytest.param(line_no, body, id=f"format.md:{line_no}")


@pytest.mark.parametrize("line_no,body", list(yaml_examples()))
def test_format_examples_load(line_no, body):
    import yaml
    data = yaml.safe_load(body)
    if isinstance(data, dict) and "agreements" in data and "budgets" not in data:
        pytest.skip("an agreement alone names tables shown elsewhere")
    text = yaml.safe_dump(_as_plan(data), sort_keys=False, allow_unicode=True)
    try:
        plan = planbook.loads(text)
    except planbook.PlanbookError as exc:
        pytest.fail(f"docs/format.md:{line_no}: the example does not load: {exc}")
    assert plan.dumps()
