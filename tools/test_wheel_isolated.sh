#!/usr/bin/env bash
# The wheel on a machine like an analyst's: no C compiler, no pkg-config, no
# -dev headers, and none of libyaml, libxlsxwriter or a zip library installed.
# This machine is made to look so inside a private mount namespace (root
# only): tmpfs over /usr/include, /dev/null over every compiler and over the
# libraries' shared objects.  There:
#   - the repaired wheel installs (pip --no-index, nothing else) and the smoke
#     test passes: load, check, save .xlsx, read it back, the CLI;
#   - building the sdist fails at once with the message that names the
#     missing library and how to install it (so this test can fail: if the
#     hiding did not work, the build would succeed and the test says so).
#
# usage: tools/test_wheel_isolated.sh PYTHON DIST
#   PYTHON  the interpreter to make the fresh venv with (any CPython >= 3.10)
set -euo pipefail
cd "$(dirname "$0")/.."
CHECKOUT=$(pwd)
PY=${1:?python}
DIST=$(realpath "${2:?dist folder}")
WHEEL=$(ls "$DIST"/planbook-*.whl | head -1)
SDIST=$(ls "$DIST"/planbook-*.tar.gz | head -1)
[ "$(id -u)" = 0 ] || { echo "test_wheel_isolated: needs root (a private mount namespace)"; exit 2; }
command -v unshare >/dev/null || { echo "test_wheel_isolated: unshare (util-linux) missing"; exit 2; }

ROOT=$(mktemp -d /tmp/planbook-isolated.XXXXXX)
trap 'rm -rf "$ROOT"' EXIT
# what the wheel depends on (pure Python) and what the sdist build needs, from
# PyPI beforehand: inside, pip installs with --no-index
"$PY" -m pip download -q -d "$ROOT/pypi" "$WHEEL" "setuptools>=77" wheel 2>&1 | grep -v '^WARNING: Location' || true
cp "$CHECKOUT/tests/wheel/smoke.py" "$ROOT/"
cp -r "$CHECKOUT/examples" "$ROOT/examples"

unshare --mount --propagation private env PY="$PY" ROOT="$ROOT" WHEEL="$WHEEL" SDIST="$SDIST" \
    bash -euo pipefail <<'INSIDE'
hide_file() { [ -e "$1" ] && mount --bind /dev/null "$1" || true; }
# compilers and pkg-config (every name and every real file they point to)
for tool in cc gcc c99 c89 g++ c++ clang clang++ tcc zig pkg-config pkgconf \
            x86_64-linux-gnu-gcc x86_64-linux-gnu-gcc-12 gcc-12 cpp cpp-12 ld ld.bfd ld.gold as; do
  for path in $(type -ap "$tool" 2>/dev/null); do
    hide_file "$path"; hide_file "$(realpath "$path")"
  done
done
# headers
mount -t tmpfs -o ro none /usr/include
# the C libraries planbook links, wherever the system keeps them
for lib in $(ls /usr/lib/*/lib{yaml,xlsxwriter,minizip,zip}[.-]*so* /usr/lib/lib{yaml,xlsxwriter,minizip,zip}[.-]*so* \
               /usr/lib/*/lib{yaml,xlsxwriter,minizip,zip}.a 2>/dev/null); do
  hide_file "$lib"
done

echo "inside: cc -> $(cc --version 2>&1 | head -1 || true)"
! command -v pkg-config >/dev/null || ! pkg-config --version >/dev/null 2>&1
[ -z "$(ls /usr/include)" ]
if ls /usr/lib/*/libyaml-0.so.2 >/dev/null 2>&1; then
  ! cat /usr/lib/*/libyaml-0.so.2 | head -c 4 | grep -q ELF   # hidden: reads as empty
fi
# no compiler can run
! echo 'int main(void){return 0;}' | gcc -x c - -o "$ROOT/a.out" 2>/dev/null

"$PY" -m venv "$ROOT/venv"
"$ROOT/venv/bin/python" -m pip install -q --no-index --find-links "$ROOT/pypi" "$WHEEL"
cd "$ROOT"
"$ROOT/venv/bin/python" smoke.py "$ROOT/examples"
echo "inside: the wheel installed and works"

# the plain build fails, saying what is missing and how to get it
"$ROOT/venv/bin/python" -m pip install -q --no-index --find-links "$ROOT/pypi" "setuptools>=77" wheel
set +e
"$ROOT/venv/bin/python" -m pip install --no-index --no-build-isolation "$SDIST" >"$ROOT/build.log" 2>&1
status=$?
set -e
if [ $status = 0 ]; then echo "inside: FAIL: the sdist built with no compiler and no libraries"; exit 1; fi
grep -q "planbook cannot be built: the C library" "$ROOT/build.log" ||
  { echo "inside: FAIL: the build failed without naming the library:"; tail -30 "$ROOT/build.log"; exit 1; }
grep -q "apt-get install libyaml-dev" "$ROOT/build.log"
grep -q "brew install" "$ROOT/build.log"
grep -q "vcpkg install" "$ROOT/build.log"
echo "inside: the plain build fails as it should:"
grep -A1 "planbook cannot be built" "$ROOT/build.log" | sed 's/^/    /'
INSIDE
echo "isolated wheel test passed"
