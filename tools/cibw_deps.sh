#!/usr/bin/env bash
# cibuildwheel's before-all step (pyproject.toml [tool.cibuildwheel]): the C
# libraries each platform's wheel links, got the way that platform gets them.
#   Linux (manylinux_2_28, musllinux_1_2 images): built from the upstream
#     release tarballs, static and position-independent (tools/build_deps.sh)
#   macOS: static archives of a prefix built the same way with Apple's clang
#     (Homebrew's bottles target the runner's own macOS version, too new for
#     the wheel's deployment target)
#   Windows: vcpkg's static triplet (x64-windows-static-md), then the folder
#     laid out as setup.py's PLANBOOK_DEPS expects
# This runs on CI machines with a network; it cannot run on the development
# machine, which reaches only PyPI and Debian (docs/install.md).
set -euo pipefail
PREFIX_OUT=${1:?prefix folder}
here=$(cd "$(dirname "$0")" && pwd)
case "$(uname -s)" in
  Linux|Darwin)
    PLANBOOK_DEPS_CC=system PLANBOOK_DEPS_SOURCES=upstream \
      bash "$here/build_deps.sh" "$(command -v python3)" /tmp/planbook-deps-build
    mkdir -p "$PREFIX_OUT"
    cp -R /tmp/planbook-deps-build/prefix/. "$PREFIX_OUT/"
    ;;
  MINGW*|MSYS*|CYGWIN*)
    triplet=x64-windows-static-md
    # libxlsxwriter with its dtoa feature: numbers in the shortest form that
    # reads back to the same value, as the Linux and macOS wheels write them
    vcpkg install --triplet "$triplet" libyaml "libxlsxwriter[dtoa]" minizip expat zlib
    root="${VCPKG_INSTALLATION_ROOT:-C:/vcpkg}/installed/$triplet"
    mkdir -p "$PREFIX_OUT"
    cp -R "$root/include" "$root/lib" "$PREFIX_OUT/"
    ;;
  *) echo "cibw_deps: no recipe for $(uname -s)" >&2; exit 2 ;;
esac
