"""A workbook saved in a process whose numeric locale writes a decimal comma
(as a German or French analyst's Python may, after locale.setlocale) is the
same workbook, and the process keeps its locale: the writer switches the C
numeric locale for its own thread only (pb_c_numeric_begin/_end in
csrc/pb_platform.h; _configthreadlocale + setlocale on Windows, uselocale
elsewhere)."""
import os
import shutil
import subprocess
import sys

import pytest

from conftest import EXAMPLES

SCRIPT = r"""
import locale, re, sys, zipfile
import planbook

src, out_c, out_comma = sys.argv[1:4]
plan = planbook.load(src)
plan.save(out_c)
locale.setlocale(locale.LC_NUMERIC, "de_DE.UTF-8")
assert locale.localeconv()["decimal_point"] == ","
plan.save(out_comma)
print("decimal point after:", locale.localeconv()["decimal_point"])

def parts(path):
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}
a, b = parts(out_c), parts(out_comma)
print("same parts:", a == b)
print("decimal widths:", sum(len(re.findall(rb'width="[0-9]+[.][0-9]+"', p)) for p in a.values()))
"""


@pytest.fixture(scope="module")
def locpath(tmp_path_factory):
    if shutil.which("localedef") is None:
        pytest.skip("needs localedef to make a locale with a decimal comma")
    d = tmp_path_factory.mktemp("locale")
    subprocess.run(["localedef", "-i", "de_DE", "-f", "UTF-8", str(d / "de_DE.UTF-8")],
                   capture_output=True)
    if not (d / "de_DE.UTF-8").exists():
        pytest.skip("localedef could not make de_DE.UTF-8")
    return str(d)


def test_save_under_a_decimal_comma_locale(tmp_path, locpath):
    env = dict(os.environ, LOCPATH=locpath)
    src = EXAMPLES / "manchester-children-2018-19.yaml"
    run = subprocess.run([sys.executable, "-c", SCRIPT, str(src), str(tmp_path / "c.xlsx"),
                          str(tmp_path / "comma.xlsx")],
                         capture_output=True, text=True, env=env, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "decimal point after: ," in run.stdout
    assert "same parts: True" in run.stdout, run.stdout
    # the sheets carry numbers with decimals (column widths), so the
    # comparison above would have seen a comma
    assert "decimal widths: 0" not in run.stdout
