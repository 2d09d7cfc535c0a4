#!/usr/bin/env bash
# build.sh - build the libFuzzer targets (ASan+UBSan) into tests/fuzz/build/.
#
#   bash tests/fuzz/build.sh [TARGET...]     (default: every fuzz_*.c here)
#
# Needs clang with libFuzzer (Debian: apt-get install clang), libyaml-dev,
# libminizip-dev and libexpat1-dev.
# CC overrides the compiler; EXTRA_CFLAGS adds flags; FUZZ_BUILD_DIR the
# output directory.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${FUZZ_BUILD_DIR:-$here/build}"
CC="${CC:-clang}"
if ! command -v "$CC" >/dev/null 2>&1; then
    for c in clang-18 clang-17 clang-16 clang-15 clang-14; do
        if command -v "$c" >/dev/null 2>&1; then CC="$c"; break; fi
    done
fi
command -v "$CC" >/dev/null 2>&1 || {
    echo "build.sh: clang not found (apt-get install clang)" >&2; exit 1; }

yaml_cflags="$(pkg-config --cflags yaml-0.1 2>/dev/null || true)"
yaml_libs="$(pkg-config --libs yaml-0.1 2>/dev/null || echo -lyaml)"
zip_cflags="$(pkg-config --cflags minizip 2>/dev/null || echo -I/usr/include/minizip)"
zip_libs="$(pkg-config --libs minizip 2>/dev/null || echo -lminizip)"

CFLAGS=(-g -O1 -std=c11 -D_GNU_SOURCE
        -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
        -fno-omit-frame-pointer
        -I"$root/csrc" -I"$root/plugins/yaml" -I"$root/plugins/xlsxread" $yaml_cflags $zip_cflags
        ${EXTRA_CFLAGS:-})
SOURCES=("$root"/csrc/*.c "$root"/plugins/yaml/pb_yaml*.c
         "$root"/plugins/xlsxread/pb_xlsxread*.c)

if [ $# -gt 0 ]; then
    targets=("$@")
else
    targets=()
    for f in "$here"/fuzz_*.c; do targets+=("$(basename "$f" .c)"); done
fi

mkdir -p "$out"
for t in "${targets[@]}"; do
    t="${t%.c}"
    echo "build.sh: $t"
    "$CC" "${CFLAGS[@]}" -o "$out/$t" "$here/$t.c" "${SOURCES[@]}" $yaml_libs $zip_libs -lexpat -lz
done
