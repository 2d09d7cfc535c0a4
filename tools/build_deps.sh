#!/usr/bin/env bash
# Build the C libraries a binary wheel carries, as static, position-independent
# archives for an old glibc, so the wheel needs nothing on the analyst's machine:
#
#   libyaml        (the YAML plugin)
#   libxlsxwriter  (the Excel writer) with its bundled minizip writer and MD5,
#                  so no libcrypto and no system minizip, and its dtoa option:
#                  numbers in their shortest round-trip form (83.21), not %.16G
#   expat          (the Excel reader's XML)
#   zlib: zlib-ng in zlib-compatible mode, which deflates a workbook about
#                  1.4x as fast. Debian carries no zlib-ng; its C source comes
#                  from PyPI, inside the sdist of python-zlib-ng (zlib-ng 1.1.0
#                  bundles zlib-ng 2.3.3), pinned by version and sha256; and
#                  minizip's unzip from Debian's zlib source contrib/ (the
#                  Excel reader's zip)
#
# Sources are Debian's source packages (the only source this build machine
# reaches), fetched with apt-get through a private list of deb-src entries
# derived from the machine's own apt sources: nothing in /etc is changed.
# Debian's patches (security fixes included) are applied by dpkg-source.
# The compiler is zig's clang targeting glibc 2.28, so the wheel is
# manylinux_2_28 (RHEL 8 and newer) although this machine has glibc 2.36.
#
# usage: tools/build_deps.sh PYTHON OUTDIR
#   PYTHON  a Python with the PyPI package ziglang installed
#   OUTDIR  where sources, objects and the prefix go (OUTDIR/prefix/{include,lib})
# Prints nothing on success but the prefix; a second run reuses what is built.
#
# PLANBOOK_DEPS_ONLY=xlsxwriter builds zlib-ng and libxlsxwriter alone, for the
# development build (the Makefile's .venv: setup.py links them statically
# from build-deps/xlsxwriter/prefix; the other libraries come from pkg-config).
#
# On cibuildwheel's manylinux and musllinux images (tools/cibw_deps.sh), where
# the system compiler already targets an old C library and the network reaches
# the projects' release pages, PLANBOOK_DEPS_CC=system uses that compiler and
# PLANBOOK_DEPS_SOURCES=upstream takes the newest upstream releases instead.
set -euo pipefail

case "${1:?python with ziglang}" in
  */*) PY="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")" ;;
  *) PY=$(command -v "$1") ;;
esac  # not resolved: a venv's python is a symlink
OUT=$(realpath -m "${2:?output folder}")
GLIBC=${PLANBOOK_GLIBC:-2.28}
ARCH=$(uname -m)
TARGET="$ARCH-linux-gnu.$GLIBC"
PREFIX="$OUT/prefix"
JOBS=${PLANBOOK_DEPS_JOBS:-$(nproc)}

ONLY=${PLANBOOK_DEPS_ONLY:-}

# zlib-ng's C source: the sdist of python-zlib-ng on PyPI bundles it
ZLIB_NG_SDIST="zlib-ng==1.1.0"
ZLIB_NG_SHA256=08a3a8468d4f130e3dc80d28ec42fcc7a878a57dfed616233e791066327d78a3
fetch_zlib_ng() {  # prints the folder of zlib-ng's source
  local d="$OUT/src/pypi/zlib-ng" pip=("$PY" -m pip)  # not src/zlib-*: srcdir zlib
  if [ ! -f "$d/.unpacked" ]; then
    rm -rf "$d"; mkdir -p "$d"
    if ! "$PY" -m pip --version >/dev/null 2>&1; then  # a python without pip: a venv's
      "$PY" -m venv "$OUT/pip-venv" >&2 && pip=("$OUT/pip-venv/bin/python" -m pip)
    fi
    "${pip[@]}" download -q --no-deps --no-binary :all: -d "$d" \
      "$ZLIB_NG_SDIST" >&2 || { echo "build_deps: could not download $ZLIB_NG_SDIST from PyPI" >&2; exit 2; }
    local tgz; tgz=$(ls "$d"/zlib_ng-*.tar.gz)
    echo "$ZLIB_NG_SHA256  $tgz" | sha256sum -c --quiet - >&2 ||
      { echo "build_deps: $tgz does not have the expected sha256" >&2; exit 2; }
    tar xzf "$tgz" -C "$d" && touch "$d/.unpacked"
  fi
  echo "$d"/zlib_ng-*/src/zlib_ng/zlib-ng
}
if [ -f "$PREFIX/.complete-$TARGET" ]; then echo "$PREFIX"; exit 0; fi
mkdir -p "$OUT/bin" "$OUT/src" "$OUT/apt/lists/partial" "$PREFIX/lib" "$PREFIX/include/minizip"

# --- the compiler: zig cc for the target glibc, as plain commands for cmake/configure
[ "${PLANBOOK_DEPS_CC:-zig}" = system ] || for tool in cc c++ ar ranlib; do
  case $tool in
    cc|c++) cmd="$tool -target $TARGET" ;;
    *) cmd="$tool" ;;
  esac
  printf '#!/bin/sh\nexec "%s" -m ziglang %s "$@"\n' "$PY" "$cmd" > "$OUT/bin/$tool"
  chmod +x "$OUT/bin/$tool"
done
if [ "${PLANBOOK_DEPS_CC:-zig}" = system ]; then
  for tool in cc c++ ar ranlib; do  # c++ may be missing: libxlsxwriter is C
    p=$(command -v $tool) && ln -sf "$p" "$OUT/bin/$tool"
  done
fi
CC="$OUT/bin/cc"
AR="$OUT/bin/ar"
RANLIB="$OUT/bin/ranlib"
CFLAGS="-O2 -fPIC -fno-sanitize=undefined -ffunction-sections -fdata-sections"

# --- the sources: Debian's source packages through a private apt configuration
APT=(-o Dir::Etc::SourceParts=/dev/null -o "Dir::Etc::sourcelist=$OUT/apt/main.sources"
     -o "Dir::State::Lists=$OUT/apt/lists" -o "Dir::Cache=$OUT/apt/cache"
     -o APT::Sandbox::User=root -qq)
SOURCES="libyaml libxlsxwriter expat zlib"
[ -z "$ONLY" ] || SOURCES=libxlsxwriter
fetch_sources() {
  local src
  for src in /etc/apt/sources.list.d/*.sources; do
    [ -f "$src" ] || continue
    # deb-src for the Debian archive's main suites; the security pool does not
    # always serve sources, and point releases carry the security fixes too
    awk 'BEGIN { RS = ""; ORS = "\n\n" } /Types: deb/ && !/security/' "$src" |
      sed 's/^Types: deb$/Types: deb-src/'
  done > "$OUT/apt/main.sources"
  [ -s "$OUT/apt/main.sources" ] || { echo "build_deps: no Debian apt sources found in /etc/apt" >&2; exit 2; }
  mkdir -p "$OUT/apt/cache/archives/partial"
  apt-get "${APT[@]}" update >/dev/null
  (cd "$OUT/src" && apt-get "${APT[@]}" source $SOURCES >/dev/null 2>&1) || {
    echo "build_deps: apt-get source failed (is dpkg-dev installed?)" >&2; exit 2; }
}
# the newest upstream releases (for cibuildwheel's Linux images)
UPSTREAM=(
  "libyaml https://github.com/yaml/libyaml/releases/download/0.2.5/yaml-0.2.5.tar.gz"
  "libxlsxwriter https://github.com/jmcnamara/libxlsxwriter/archive/refs/tags/v1.2.4.tar.gz"
  "expat https://github.com/libexpat/libexpat/releases/download/R_2_7_1/expat-2.7.1.tar.gz"
  "zlib https://github.com/madler/zlib/releases/download/v1.3.1/zlib-1.3.1.tar.gz"
)
fetch_upstream() {
  local entry name url
  for entry in "${UPSTREAM[@]}"; do
    name=${entry%% *}; url=${entry#* }
    case " $SOURCES " in *" $name "*) ;; *) continue ;; esac
    mkdir -p "$OUT/src/$name-upstream"
    curl -fsSL "$url" | tar xz -C "$OUT/src/$name-upstream" --strip-components=1
  done
}
if [ ! -d "$OUT/src/.fetched" ]; then
  if [ "${PLANBOOK_DEPS_SOURCES:-debian}" = upstream ]; then fetch_upstream; else fetch_sources; fi
  mkdir -p "$OUT/src/.fetched"
fi
srcdir() { find "$OUT/src" -maxdepth 1 -mindepth 1 -type d -name "$1-*" | head -1; }

cmake_build() {  # cmake_build SRC NAME ARGS...
  local src=$1 name=$2; shift 2
  mkdir -p "$OUT/obj"
  cmake -S "$src" -B "$OUT/obj/$name" -G "Unix Makefiles" -Wno-dev \
    -DCMAKE_POLICY_VERSION_MINIMUM=3.5 \
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER="$CC" -DCMAKE_AR="$AR" \
    -DCMAKE_RANLIB="$RANLIB" -DCMAKE_C_FLAGS="$CFLAGS" \
    -DCMAKE_POSITION_INDEPENDENT_CODE=ON -DBUILD_SHARED_LIBS=OFF \
    -DCMAKE_INSTALL_PREFIX="$PREFIX" -DCMAKE_INSTALL_LIBDIR=lib "$@" >"$OUT/obj/$name.log" 2>&1 ||
    { cat "$OUT/obj/$name.log" >&2; exit 2; }
  cmake --build "$OUT/obj/$name" -j "$JOBS" >"$OUT/obj/$name.log" 2>&1 ||
    { tail -40 "$OUT/obj/$name.log" >&2; exit 2; }
  cmake --install "$OUT/obj/$name" >/dev/null
}

# --- zlib: zlib-ng built zlib-compatible (the same API and zlib.h; faster
# deflate, inflate and crc32 with the CPU's vector units, chosen at run time)
if [ ! -f "$PREFIX/lib/libz.a" ]; then
  zng=$(fetch_zlib_ng) || exit 2
  cmake_build "$zng" zlib-ng -DZLIB_COMPAT=ON -DBUILD_TESTING=OFF \
    -DZLIBNG_ENABLE_TESTS=OFF -DWITH_GTEST=OFF -DWITH_GZFILEOP=OFF
fi
# --- minizip's unzip (reading only; no decryption)
if [ -z "$ONLY" ] && [ ! -f "$PREFIX/lib/libpbunzip.a" ]; then
  m="$(srcdir zlib)/contrib/minizip"
  mkdir -p "$OUT/obj/unzip"
  for f in ioapi unzip; do
    "$CC" $CFLAGS -DNOUNCRYPT -I"$PREFIX/include" -c "$m/$f.c" -o "$OUT/obj/unzip/$f.o"
  done
  rm -f "$PREFIX/lib/libpbunzip.a"
  "$AR" rcs "$PREFIX/lib/libpbunzip.a" "$OUT/obj/unzip/ioapi.o" "$OUT/obj/unzip/unzip.o"
  cp "$m/unzip.h" "$m/ioapi.h" "$PREFIX/include/minizip/"
fi

# --- expat: Debian's patches test `#if XML_DTD == 1` (its autotools build
# defines XML_DTD to 1), where expat's CMake files define it empty
if [ -z "$ONLY" ] && [ ! -f "$PREFIX/lib/libexpat.a" ]; then
  e=$(srcdir expat); [ -d "$e/expat" ] && e="$e/expat"   # Debian's tree has expat/expat
  sed -i.orig 's/^#cmakedefine XML_DTD$/#cmakedefine XML_DTD 1/' "$e/expat_config.h.cmake"
  cmake_build "$e" expat \
    -DEXPAT_SHARED_LIBS=OFF -DEXPAT_BUILD_TOOLS=OFF -DEXPAT_BUILD_EXAMPLES=OFF \
    -DEXPAT_BUILD_TESTS=OFF -DEXPAT_BUILD_DOCS=OFF -DEXPAT_BUILD_PKGCONFIG=OFF
fi

# --- libyaml
[ -n "$ONLY" ] || [ -f "$PREFIX/lib/libyaml.a" ] || cmake_build "$(srcdir libyaml)" yaml \
  -DBUILD_TESTING=OFF -DINSTALL_CMAKE_DIR=lib/cmake/yaml

# --- libxlsxwriter: bundled minizip writer and MD5 (no libcrypto), our zlib,
# and its third-party dtoa (Milo Yip's Grisu2) for the numbers it writes: the
# shortest form that reads back to the same double, and no printf.
# Its CMakeLists asks for `find_package(ZLIB REQUIRED "1.0")`, which CMake 4
# reads as a component and fails on: ask for zlib without it.
if [ ! -f "$PREFIX/lib/libxlsxwriter.a" ]; then
  sed -i.orig 's/find_package(ZLIB REQUIRED "1.0")/find_package(ZLIB REQUIRED)/' \
    "$(srcdir libxlsxwriter)/CMakeLists.txt"
  cmake_build "$(srcdir libxlsxwriter)" xlsxwriter \
    -DUSE_SYSTEM_MINIZIP=OFF -DUSE_OPENSSL_MD5=OFF -DUSE_DTOA_LIBRARY=ON \
    -DBUILD_TESTS=OFF -DBUILD_EXAMPLES=OFF \
    -DCMAKE_CXX_COMPILER="$OUT/bin/c++" \
    -DZLIB_LIBRARY="$PREFIX/lib/libz.a" -DZLIB_INCLUDE_DIR="$PREFIX/include"
fi

touch "$PREFIX/.complete-$TARGET"
echo "$PREFIX"
