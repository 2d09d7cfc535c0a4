#!/usr/bin/env bash
# valgrind.sh - run the pytest suite under valgrind memcheck.
#
#   tools/valgrind.sh                 the whole suite (tests/)
#   tools/valgrind.sh tests/test_x.py [pytest args...]   a part of it
#
# Uses the project's .venv python (the normal, unsanitized build) with
# PYTHONMALLOC=malloc, so every Python object is a malloc block that memcheck
# sees; CPython's own false positives are suppressed by tools/valgrind.supp
# (which names no planbook code).  Child processes (the CLI tests' python
# subprocesses, LibreOffice) are not traced: valgrind follows children only
# with --trace-children=yes.
#
# Excluded, because they cannot run meaningfully under valgrind:
#   tests/test_c_core.py::test_c_core_under_sanitizers
#       builds and runs an ASan/UBSan binary (sanitizers and valgrind do not mix;
#       the C core is covered by that test in the normal pass);
#   tests/test_refs_memory.py
#       measures RSS and sys.getallocatedblocks(): under valgrind freed blocks
#       sit in memcheck's quarantine (--freelist-vol) so RSS grows, and with
#       PYTHONMALLOC=malloc getallocatedblocks() is always 0.
#
# PLANBOOK_VALGRIND=1 is set for the tests (a test that needs glibc's malloc
# reusing freed blocks skips itself under valgrind).
#
# Slow: the suite takes ~10 s natively and tens of minutes here.
# Output: the memcheck log in $VALGRIND_LOG (default build/valgrind/memcheck.log),
# pytest's output on the terminal; at the end a summary: valgrind's ERROR
# SUMMARY and LEAK SUMMARY and the number of error/leak records whose stack
# includes planbook code.  Exit status: non-zero when pytest failed, when
# memcheck reported an error or a definite leak, or when a record names
# planbook code.
set -u
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit 2
PY="$ROOT/.venv/bin/python"
[ -x "$PY" ] || { echo "valgrind.sh: $PY missing (run make)" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind is not installed" >&2; exit 2; }

LOG="${VALGRIND_LOG:-$ROOT/build/valgrind/memcheck.log}"
mkdir -p "$(dirname "$LOG")"

if [ "$#" -gt 0 ]; then TARGETS=("$@"); else TARGETS=(tests); fi

echo "valgrind.sh: memcheck log: $LOG" >&2
PYTHONMALLOC=malloc PYTHONFAULTHANDLER=1 PLANBOOK_VALGRIND=1 \
valgrind --tool=memcheck \
    --leak-check=full \
    --errors-for-leak-kinds=definite \
    --show-leak-kinds=definite,indirect \
    --suppressions="$ROOT/tools/valgrind.supp" \
    --num-callers=40 \
    --error-limit=no \
    --gen-suppressions=all \
    --error-exitcode=99 \
    --log-file="$LOG" \
    "$PY" -m pytest -q -p no:cacheprovider \
        --deselect tests/test_c_core.py::test_c_core_under_sanitizers \
        --ignore tests/test_refs_memory.py \
        "${TARGETS[@]}"
status=$?

echo "---- valgrind summary ($LOG)"
grep -E "ERROR SUMMARY|definitely lost|indirectly lost|possibly lost|still reachable|suppressed:" "$LOG" | sed 's/^==[0-9]*== *//'
# A record is one error or leak report: from its headline to the blank line.
ours=$(awk '
    !/^==[0-9]+==/ { next }
    /^==[0-9]+== [^ ]/ && !/^==[0-9]+==    / { if (rec != "" && rec ~ PAT) n++; rec = "" }
    /^==[0-9]+== $/ { if (rec != "" && rec ~ PAT) n++; rec = ""; next }
    { rec = rec "\n" $0 }
    END { if (rec ~ PAT) n++; print n + 0 }' \
    PAT='(pb_[A-Za-z0-9_]+|_core[a-z]*\.c|_yamlmodule\.c|_xlsxmodule\.c|pb_yaml_[a-z_]+\.c|pb_xlsx[a-z_]*\.c|/csrc/)' "$LOG")
echo "records with planbook code on the stack: $ours"
if [ "$ours" != 0 ]; then status=$(( status == 0 ? 98 : status )); fi
exit "$status"
