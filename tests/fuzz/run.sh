#!/usr/bin/env bash
# run.sh - build and run every libFuzzer target (ASan+UBSan), one after the other.
#
#   bash tests/fuzz/run.sh [SECONDS]      (default 60 seconds per target)
#
# `make fuzz` calls this.  Each target starts from its seed corpus
# tests/fuzz/corpus/<target>/, which is only read: it is copied to a working
# corpus under tests/fuzz/build/work/<target>/ (kept between runs, ignored by
# git), so the kept seed corpus stays small.  Crash inputs land in
# tests/fuzz/build/crashes/<target>/; keep the real ones in
# tests/fuzz/crashes/<target>/ (tests/test_fuzz_regressions.py replays them).
# Prints, per target, its executions, coverage and whether it found anything;
# exits 1 when any target found something.
#
# Environment: FUZZ_ARGS (extra libFuzzer flags), FUZZ_BUILD_DIR (instead
# of tests/fuzz/build), CC (compiler, see build.sh).
set -uo pipefail

seconds="${1:-${FUZZ_SECONDS:-60}}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="${FUZZ_BUILD_DIR:-$here/build}"
export FUZZ_BUILD_DIR="$build"

bash "$here/build.sh" || { echo "run.sh: build failed" >&2; exit 2; }

# -max_len per target: amounts and periods are short strings; a plan needs
# room for a few tables.
max_len() {
    case "$1" in
        fuzz_amount|fuzz_period) echo 128 ;;
        fuzz_yaml) echo 4096 ;;
        fuzz_xlsx) echo 65536 ;;
        fuzz_xlsx_parts) echo 8192 ;;
        *) echo 4096 ;;
    esac
}
dict_of() {
    local d="$here/${1#fuzz_}.dict"
    [ -f "$d" ] && echo "-dict=$d"
}

status=0
summary=()
for bin in "$build"/fuzz_*; do
    [ -x "$bin" ] || continue
    t="$(basename "$bin")"
    work="$build/work/$t"
    art="$build/crashes/$t"
    log="$build/$t.log"
    mkdir -p "$work" "$art"
    if [ -d "$here/corpus/$t" ]; then
        cp -n "$here/corpus/$t"/* "$work"/ 2>/dev/null || true
    fi
    before=$(ls "$art" | wc -l)
    echo "run.sh: $t for ${seconds}s (log: $log)"
    # shellcheck disable=SC2046,SC2086
    "$bin" "$work" -max_total_time="$seconds" -max_len="$(max_len "$t")" \
        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$art/" $(dict_of "$t") ${FUZZ_ARGS:-} \
        >"$log" 2>&1
    rc=$?
    execs=$(grep -h '^stat::number_of_executed_units' "$log" | awk '{s+=$2} END {print s+0}')
    cov=$(grep -ho 'cov: [0-9]*' "$log" | tail -n 1 | awk '{print $2}')
    after=$(ls "$art" | wc -l)
    if [ "$rc" -ne 0 ] || [ "$after" -gt "$before" ]; then
        found="FOUND SOMETHING (exit $rc; new inputs in $art; see $log)"
        grep -m1 -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|SUMMARY' "$log" | sed 's/^/    /'
        status=1
    else
        found="nothing found"
    fi
    summary+=("$(printf '%-12s %12s execs in %ss, cov %s, corpus %s files: %s' \
        "$t" "$execs" "$seconds" "${cov:-?}" "$(ls "$work" | wc -l)" "$found")")
done

echo
echo "run.sh: summary"
printf '  %s\n' "${summary[@]}"
exit $status
