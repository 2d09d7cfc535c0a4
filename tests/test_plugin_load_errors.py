"""A format plugin that cannot load (its C extension or the library under
it missing) is named in the error the user sees, with the reason, not
swallowed into "no format reads '.yaml' files (known suffixes: none)"."""
import subprocess
import sys

import pytest

CASES = [
    # the extension module of each built-in plugin made unimportable, as a
    # missing shared library makes it
    ("planbook_yaml._yaml", "load", "plan.yaml", "'yaml' (planbook_yaml)"),
    ("planbook_xlsxread._xlsxread", "load", "book.xlsx", "'xlsxread' (planbook_xlsxread)"),
    ("planbook_xlsx._xlsx", "save", "book.xlsx", "'xlsx' (planbook_xlsx)"),
]


@pytest.mark.parametrize("module, op, name, plugin", CASES)
def test_a_plugin_that_cannot_load_is_named(tmp_path, module, op, name, plugin):
    script = f"""
import sys
sys.modules[{module!r}] = None          # 'import {module}' now fails
import planbook
from planbook.errors import FormatError
plan = planbook.examples.load('manchester-children-2018-19') if {op!r} == 'save' else None
try:
    if {op!r} == 'load':
        open({str(tmp_path / name)!r}, 'wb').write(b'x: 1\\n')
        planbook.load({str(tmp_path / name)!r})
    else:
        plan.save({str(tmp_path / name)!r})
except FormatError as exc:
    print(exc)
else:
    print('NO ERROR')
"""
    if module == "planbook_yaml._yaml":   # examples need YAML: load without it only
        script = script.replace("planbook.examples.load('manchester-children-2018-19')", "None")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    message = out.stdout.strip()
    assert plugin in message, message
    assert "could not be loaded" in message, message
    assert module.split(".")[1] in message or "halted" in message, message
