#!/usr/bin/env bash
# The wheel as an analyst gets it: installed with pip into a fresh venv
# outside the checkout, for every CPython from 3.10 on that this machine has,
# and the test suite run against the installed package (never the source
# tree: the package is imported from the venv, which the run checks).
#
# usage: tools/test_wheel.sh DIST [full|smoke]...
#   DIST      the folder holding the repaired wheel (make wheel)
#   then one word per Python 3.10, 3.11, 3.12, 3.13: `full` runs the whole
#   suite, `smoke` the wheel smoke test and the example and format tests.
#   Default: full on 3.10 (the abi3 baseline: the oldest C API the wheel
#   meets), smoke on the others (CI's time: the suite takes minutes each).
set -euo pipefail
cd "$(dirname "$0")/.."
CHECKOUT=$(pwd)
DIST=$(realpath "${1:?dist folder}"); shift
WHEEL=$(ls "$DIST"/planbook-*.whl | head -1)
VERSIONS=(3.10 3.11 3.12 3.13)
if [ $# -gt 0 ]; then MODES=("$@"); else MODES=(full smoke smoke smoke); fi
ROOT=$(mktemp -d /tmp/planbook-wheel-test.XXXXXX)
trap 'rm -rf "$ROOT"' EXIT

find_python() {  # the interpreter of one CPython version, wherever this machine keeps it
  local v=$1 c
  for c in "$(command -v "python$v" 2>/dev/null)" "$(pyenv root 2>/dev/null)"/versions/$v*/bin/python$v \
           /usr/local/bin/python$v /usr/bin/python$v; do
    [ -n "$c" ] && [ -x "$c" ] && "$c" -c 'import venv, ssl' >/dev/null 2>&1 && { echo "$c"; return 0; }
  done
  return 1
}

echo "wheel: $WHEEL ($(du -k "$WHEEL" | cut -f1) KiB)"
tested=(); missing=()
for i in "${!VERSIONS[@]}"; do
  v=${VERSIONS[$i]}; mode=${MODES[$i]:-smoke}
  py=$(find_python "$v") || { missing+=("$v"); echo "== Python $v: not on this machine, not tested"; continue; }
  echo "== Python $v ($py): $mode"
  venv="$ROOT/venv-$v"
  "$py" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
  # planbook from the wheel; only the test extra's packages come from PyPI
  "$venv/bin/python" -m pip install -q "$WHEEL[test]" 2>&1 | grep -v '^WARNING: Location' || true
  # the package under test is the installed one
  (cd "$ROOT" && "$venv/bin/python" - "$venv" <<'EOF'
import sys, planbook, planbook_yaml, planbook_xlsx, planbook_xlsxread, planbook_ofdp, planbook_sdmx
for m in (planbook, planbook_yaml, planbook_xlsx, planbook_xlsxread, planbook_ofdp, planbook_sdmx):
    assert m.__file__.startswith(sys.argv[1]), f"{m.__name__} imported from {m.__file__}"
print(f"  planbook {planbook.__version__} from {planbook.__file__}")
EOF
  )
  (cd "$ROOT" && "$venv/bin/python" "$CHECKOUT/tests/wheel/smoke.py" "$CHECKOUT/examples")
  # the outside plugins (tests/outside), built as a third party builds them:
  # against the installed wheel's headers and capsule, from a copy outside
  # the checkout (their build leaves nothing in it)
  cp -r tests/outside "$ROOT/outside-$v"
  "$venv/bin/python" -m pip install -q setuptools wheel 2>&1 | grep -v '^WARNING: Location' || true
  "$venv/bin/python" -m pip install -q --no-build-isolation --no-deps \
    "$ROOT/outside-$v/planbook_csv" "$ROOT/outside-$v/planbook_json" 2>&1 \
    | grep -v '^WARNING: Location' || true
  "$venv/bin/python" -c 'import planbook_csv._csv, planbook_json'
  if [ "$mode" = full ]; then
    (cd tests && "$venv/bin/python" -m pytest -q -n "${PYTEST_JOBS:-auto}" -p no:cacheprovider \
       --rootdir=. -c /dev/null .)
  else
    (cd tests && "$venv/bin/python" -m pytest -q -p no:cacheprovider --rootdir=. -c /dev/null \
       test_examples.py test_formats_cli.py test_xlsx_read.py test_outside_plugins.py \
       test_capi_header.py)
  fi
  tested+=("$v")
done
echo "wheel tested on Python ${tested[*]}${missing:+; not on this machine: ${missing[*]}}"
[ ${#tested[@]} -gt 0 ]
