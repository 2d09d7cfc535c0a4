#!/usr/bin/env bash
# cross_compile.sh - does planbook's C compile for Windows and macOS?
#
#   bash tools/cross_compile.sh [VENV]          (default: .venv)
#
# Compiles (-c only, nothing is linked or run):
#   1. every C file that does not include Python.h (csrc/*.c, plugins/*/*.c)
#      with `zig cc` (PyPI package ziglang, installed into VENV if missing)
#      for x86_64-windows-gnu (MinGW-w64) and aarch64-macos, at
#      -std=c11 -Wall -Wextra -Werror (Windows also -Wconversion -Wshadow);
#   2. the same files with MinGW-w64's gcc, when it is installed (Debian:
#      gcc-mingw-w64-x86-64-win32): gcc checks printf formats against the
#      Microsoft runtime, which zig's clang does not;
#   3. everything, bindings (Python.h) included, with the host's clang -Werror.
# Before that it checks the rule of csrc/pb_platform.h: no compiler- or
# OS-specific construct in any other C file.
# MSVC itself cannot run here: its branches in csrc/pb_platform.h are the
# Windows ones zig compiles, plus PB_PRINTF's empty one and the portable
# overflow checks, which tests/c/test_platform.c runs with gcc.
#
# The cross targets never see the host's /usr/include: the third-party
# headers they need (libyaml, libxlsxwriter, expat, zlib, and the zip
# library's: libzip's zip.h or minizip's unzip.h, whichever is installed)
# are copied into build/xinclude.  Exit status 0 when everything compiled.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
venv="${1:-.venv}"
py="$venv/bin/python"
[ -x "$py" ] || { echo "cross_compile.sh: no Python at $py (run make all)" >&2; exit 2; }
build="build/cross"
xinc="build/xinclude"
fail=0

# ------------------------------------------------------------ the rule
# Outside pb_platform.h: no builtins, attributes, POSIX or Windows headers,
# locale calls, ctype (locale-dependent), gmtime/localtime, strcasecmp,
# or plain fopen (a UTF-8 path needs _wfopen on Windows).
banned='__builtin_|__attribute__|#[[:space:]]*include[[:space:]]*<(strings|unistd|fcntl|pthread|dirent|windows|io|direct|xlocale|ctype)\.h>|#[[:space:]]*include[[:space:]]*<sys/|(^|[^_[:alnum:]])(gmtime|gmtime_r|gmtime_s|localtime|localtime_r|strcasecmp|strncasecmp|newlocale|uselocale|freelocale|setlocale|_configthreadlocale|fopen|_wfopen|isalnum|isalpha|isdigit|isspace|isupper|islower|isxdigit|tolower|toupper)[[:space:]]*\('
mapfile -t all_c < <(ls csrc/*.c csrc/*.h plugins/*/*.c plugins/*/*.h plugins/*/planbook_*/*.c \
                       python/planbook/*.c 2>/dev/null | grep -v '^csrc/pb_platform\.h$')
if hits=$(grep -nE "$banned" "${all_c[@]}" | grep -vE '^[^:]+:[0-9]+:[[:space:]]*(/\*|\*|//)'); then
    echo "cross_compile.sh: compiler- or OS-specific code outside csrc/pb_platform.h" \
         "(use the platform layer; docs/design.md):" >&2
    echo "$hits" >&2
    fail=1
fi

# ------------------------------------------------------------ the files
mapfile -t plain < <(for f in csrc/*.c plugins/*/*.c; do
                         grep -q 'Python\.h' "$f" || echo "$f"; done)
# the bindings: every other C file, less those another file #includes
included=$(grep -ho '#include "[^"]*\.c"' python/planbook/*.c plugins/*/planbook_*/*.c 2>/dev/null |
           sed 's/.*"\(.*\)"/\1/' || true)
mapfile -t bindings < <(for f in csrc/*.c plugins/*/*.c plugins/*/planbook_*/*.c python/planbook/*.c; do
                            grep -q 'Python\.h' "$f" || continue
                            echo "$included" | grep -qx "$(basename "$f")" || echo "$f"; done)
local_inc=(-Icsrc -Ipython/planbook/include)
for d in plugins/*/; do local_inc+=("-I${d%/}"); done
warn=(-std=c11 -Wall -Wextra -Werror -Wno-missing-field-initializers -O2)
# Windows: what MSVC's /W4 adds that -Wall -Wextra do not check, as far as
# gcc and clang can say it: narrowing on a 32-bit long (C4244, C4267) and
# one name hiding another (C4456-C4459)
win_warn=(-Wconversion -Wshadow)

# ------------------------------------------------- third-party headers
multiarch="$(gcc -print-multiarch 2>/dev/null || true)"
search=(/usr/include ${multiarch:+/usr/include/$multiarch})
find_header() { # name -> path, or nothing
    for d in "${search[@]}"; do
        if [ -e "$d/$1" ]; then echo "$d/$1"; return; fi
    done
}
rm -rf "$xinc"
mkdir -p "$xinc/minizip"
copy() { # required|optional name [dest-subdir]
    local p
    p="$(find_header "$2")"
    if [ -z "$p" ]; then
        [ "$1" = optional ] && return 1
        echo "cross_compile.sh: header $2 not found in ${search[*]} (install its -dev package)" >&2
        exit 2
    fi
    cp -r "$p" "$xinc/${3:-}"
}
copy required yaml.h
copy required xlsxwriter.h
copy required xlsxwriter
copy required expat.h
copy required expat_external.h
copy required zlib.h
copy required zconf.h
zip_headers=""
# libzip (zip.h, zipconf.h) and/or minizip (minizip/unzip.h, ioapi.h; found
# either as <unzip.h> with -I.../minizip or as <minizip/unzip.h>)
if copy optional zip.h && copy optional zipconf.h; then zip_headers="libzip"; fi
if copy optional minizip/unzip.h minizip && copy optional minizip/ioapi.h minizip; then
    zip_headers="$zip_headers minizip"
fi
[ -n "$zip_headers" ] || {
    echo "cross_compile.sh: no zip library headers (libzip's zip.h or minizip's unzip.h)" >&2
    exit 2; }
x_inc=(-isystem "$xinc" -isystem "$xinc/minizip")

# ------------------------------------------------------------ zig
if ! "$py" -m ziglang version >/dev/null 2>&1; then
    echo "cross_compile.sh: installing ziglang into $venv"
    "$py" -m pip install -q ziglang
fi

compile_all() { # label, then the compiler command; compiles "${files[@]}"
    local label="$1" n=0 bad=0 f o
    shift
    mkdir -p "$build/$label"
    for f in "${files[@]}"; do
        o="$build/$label/$(echo "$f" | tr / _).o"
        if "$@" -c "$f" -o "$o"; then n=$((n + 1)); else bad=$((bad + 1)); fi
    done
    echo "cross_compile.sh: $label: $n compiled, $bad failed"
    [ "$bad" = 0 ] || fail=1
}

rm -rf "$build"
files=("${plain[@]}")
compile_all x86_64-windows-gnu "$py" -m ziglang cc -target x86_64-windows-gnu "${warn[@]}" \
    "${win_warn[@]}" "${local_inc[@]}" "${x_inc[@]}"
compile_all aarch64-macos "$py" -m ziglang cc -target aarch64-macos "${warn[@]}" \
    "${local_inc[@]}" "${x_inc[@]}"
if command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1; then
    compile_all mingw-gcc x86_64-w64-mingw32-gcc -D__USE_MINGW_ANSI_STDIO=1 "${warn[@]}" \
        "${win_warn[@]}" "${local_inc[@]}" "${x_inc[@]}"
else
    echo "cross_compile.sh: mingw-gcc: skipped (x86_64-w64-mingw32-gcc not installed)"
fi

# ------------------------------------------------------------ native clang
if ! command -v clang >/dev/null 2>&1; then
    echo "cross_compile.sh: installing clang (Debian)"
    sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends clang >/dev/null
fi
py_inc="$("$py" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')"
# the zip library the sources use: minizip's directory (-I.../minizip, for
# <unzip.h>) also holds a zip.h that is not libzip's
libs=(yaml-0.1 xlsxwriter expat)
grep -Eq '#include [<"]zip\.h[>"]' "${all_c[@]}" && libs+=(libzip)
grep -Eq '#include [<"]unzip\.h[>"]' "${all_c[@]}" && libs+=(minizip)
pkg_inc=()
for lib in "${libs[@]}"; do
    read -r -a flags <<<"$(pkg-config --cflags "$lib")"
    pkg_inc+=("${flags[@]}")
done
files=("${plain[@]}" "${bindings[@]}")
compile_all clang-native clang "${warn[@]}" -fvisibility=hidden -fPIC "${local_inc[@]}" \
    "${pkg_inc[@]}" -isystem "$py_inc"

if [ "$fail" != 0 ]; then
    echo "cross_compile.sh: FAILED" >&2
    exit 1
fi
echo "cross_compile.sh: all compiled (zip headers: $zip_headers)"
