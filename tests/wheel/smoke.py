"""What an analyst does first with a freshly installed wheel, on the shipped
examples: load, check, save a workbook, read it back (nothing changed), save
YAML again, and the command line.  Run by tools/test_wheel.sh (every Python)
and tools/test_wheel_isolated.sh (a machine with no compiler and no C
libraries), from a folder outside the checkout.

usage: python smoke.py EXAMPLES_FOLDER
"""
import pathlib
import shutil
import subprocess
import sys
import tempfile

import planbook

examples = sorted(pathlib.Path(sys.argv[1]).glob("*.yaml"))
assert len(examples) == 5, examples
with tempfile.TemporaryDirectory() as tmp:
    tmp = pathlib.Path(tmp)
    for path in examples:
        plan = planbook.load(path)
        findings = list(plan.check())
        book = tmp / (path.stem + ".xlsx")
        plan.save(book)
        back = planbook.load(book)
        changes = planbook.diff(plan, back)
        assert not changes, f"{path.name}: the workbook read back differs:\n{changes}"
        again = tmp / path.name
        back.save(again)
        assert planbook.load(again).check() is not None
        print(f"  {path.name}: {len(findings)} findings, workbook {book.stat().st_size} bytes, "
              "read back unchanged")
    script = shutil.which("planbook", path=str(pathlib.Path(sys.executable).parent))
    out = subprocess.run([script, "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"planbook {planbook.__version__}", out.stdout
    check = subprocess.run([script, "check", str(examples[0])], capture_output=True, text=True)
    assert check.returncode in (0, 1), (check.returncode, check.stderr)
    assert str(examples[0].name) in check.stdout, check.stdout
print(f"  smoke test passed: planbook {planbook.__version__}, {len(examples)} examples")
