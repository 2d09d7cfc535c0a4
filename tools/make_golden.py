#!/usr/bin/env python3
"""Regenerate the Excel writer's reference workbook,
tests/data/golden/plan.xlsx, from tests/data/golden/plan.yaml.

Run it (from the repository, with planbook built) only after a deliberate
change to what the workbook holds or how it is laid out, then review the
difference part by part before committing it:

    .venv/bin/python tools/make_golden.py           # write the reference
    .venv/bin/python tools/make_golden.py --check   # only compare (exit 1 if it differs)

See tests/data/golden/README.md.
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import xlsx_tools as xt  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true",
                    help="compare a fresh workbook with the reference; write nothing")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="planbook-golden-") as tmp:
        fresh = pathlib.Path(tmp) / "plan.xlsx"
        xt.write_golden(fresh)
        if args.check:
            if not xt.GOLDEN_XLSX.exists():
                print(f"{xt.GOLDEN_XLSX} does not exist", file=sys.stderr)
                return 1
            diff = xt.diff_parts(xt.xlsx_parts(xt.GOLDEN_XLSX), xt.xlsx_parts(fresh))
            if diff:
                print(diff)
                return 1
            print("the reference workbook is up to date")
            return 0
        data = fresh.read_bytes()
    old = xt.GOLDEN_XLSX.read_bytes() if xt.GOLDEN_XLSX.exists() else None
    if old is not None:
        diff = xt.diff_parts(xt.xlsx_parts(xt.GOLDEN_XLSX), _parts_of(data))
        print(diff or "no change beyond the volatile parts (dates)")
    xt.GOLDEN_XLSX.write_bytes(data)
    print(f"wrote {xt.GOLDEN_XLSX.relative_to(ROOT)} ({len(data)} bytes)")
    return 0


def _parts_of(data: bytes):
    import io
    import zipfile
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name) for name in z.namelist()}


if __name__ == "__main__":
    sys.exit(main())
