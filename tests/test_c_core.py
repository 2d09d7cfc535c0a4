"""Build and run the C tests of the core and the YAML plugin (tests/c)
under AddressSanitizer, UndefinedBehaviorSanitizer and LeakSanitizer."""
import os
import shutil
import subprocess

import pytest

from conftest import ROOT, SANITIZED

pytestmark = pytest.mark.skipif(SANITIZED, reason="run once, in the plain pass")


def pkg_config(*args):
    return subprocess.check_output(["pkg-config", *args, "yaml-0.1"], text=True).split()


@pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc")
def test_c_core_under_sanitizers(tmp_path):
    out = tmp_path / "test_core"
    sources = sorted(str(p) for p in (ROOT / "csrc").glob("*.c"))
    sources += sorted(str(p) for p in (ROOT / "plugins/yaml").glob("pb_yaml*.c"))
    cmd = ["gcc", "-std=c11", "-g", "-O1", "-Wall", "-Wextra", "-Werror",
           "-Wno-missing-field-initializers", "-fsanitize=address,undefined",
           "-fno-sanitize-recover=undefined", "-fno-omit-frame-pointer",
           f"-I{ROOT / 'csrc'}", f"-I{ROOT / 'plugins/yaml'}", *pkg_config("--cflags"),
           str(ROOT / "tests/c/test_core.c"), *sources, *pkg_config("--libs"), "-o", str(out)]
    subprocess.run(cmd, check=True)
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1:abort_on_error=0",
               UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1")
    env.pop("LD_PRELOAD", None)
    run = subprocess.run([str(out)], capture_output=True, text=True, env=env, timeout=300)
    print(run.stdout, run.stderr)
    assert run.returncode == 0, run.stdout + run.stderr
    assert " 0 failed" in run.stdout


@pytest.fixture(scope="module")
def decimal_comma_locale(tmp_path_factory):
    """(LOCPATH, name) of a locale that prints 1.5 as "1,5", made with
    localedef in a private directory; None when it cannot be made."""
    if shutil.which("localedef") is None:
        return None
    d = tmp_path_factory.mktemp("locale")
    subprocess.run(["localedef", "-i", "de_DE", "-f", "UTF-8", str(d / "de_DE.UTF-8")],
                   capture_output=True)
    return (str(d), "de_DE.UTF-8") if (d / "de_DE.UTF-8").exists() else None


@pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc")
@pytest.mark.parametrize("overflow", ["builtins", "portable"])
def test_platform_layer(tmp_path, overflow, decimal_comma_locale):
    """csrc/pb_platform.h: the overflow checks at the int64 edges with gcc's
    builtins and with the plain-C branch MSVC gets (under UBSan, so the
    checks themselves cannot overflow), the ASCII string helpers, UTF-8
    paths, gmtime and the per-thread C numeric locale."""
    out = tmp_path / "test_platform"
    define = ["-DPB_PORTABLE_OVERFLOW"] if overflow == "portable" else []
    subprocess.run(["gcc", "-std=c11", "-g", "-O1", "-Wall", "-Wextra", "-Werror",
                    "-Wno-missing-field-initializers", "-fsanitize=address,undefined",
                    "-fno-sanitize-recover=undefined", "-fno-omit-frame-pointer", *define,
                    f"-I{ROOT / 'csrc'}", str(ROOT / "tests/c/test_platform.c"), "-pthread",
                    "-o", str(out)], check=True)
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1:abort_on_error=0",
               UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1")
    env.pop("LD_PRELOAD", None)
    args = [str(out), str(tmp_path)]
    if decimal_comma_locale:
        env["LOCPATH"] = decimal_comma_locale[0]
        args.append(decimal_comma_locale[1])
    run = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120)
    print(run.stdout, run.stderr)
    assert run.returncode == 0, run.stdout + run.stderr
    assert " 0 failed" in run.stdout
    assert f"overflow checks: {'portable C' if define else 'compiler builtins'}" in run.stdout
    if decimal_comma_locale:
        assert "C numeric locale: checked" in run.stdout


def test_core_builds_with_strict_warnings(tmp_path):
    """-Wall -Wextra -Werror, and no Python.h in the core."""
    for src in (ROOT / "csrc").glob("*.[ch]"):
        assert "Python.h" not in src.read_text(), src
    for src in sorted((ROOT / "csrc").glob("*.c")):
        subprocess.run(["gcc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic",
                        "-Wno-missing-field-initializers", "-c", str(src), "-o",
                        str(tmp_path / (src.stem + ".o"))], check=True)


def test_c_api_list_is_generated_from_the_headers():
    run = subprocess.run(["python3", str(ROOT / "tools/gen_capi.py"), "--check"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
