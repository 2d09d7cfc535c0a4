#!/usr/bin/env python3
"""Fail when a LeakSanitizer report names planbook's code.

The sanitizer pass runs the whole pytest suite with detect_leaks=1.  The
interpreter itself leaves a few kilobytes unreleased at exit (CPython does
not free everything at shutdown), so a bare LSan run always reports
something.  This script reads the reports (ASAN_OPTIONS log_path files) and
fails if any leaked block was allocated with planbook's C code on its stack:
the core (pb_*), the binding (_core*.c) or a plugin (_yamlmodule.c,
pb_yaml_*.c).

Usage: check_leaks.py LOG_PREFIX
"""
import glob
import re
import sys

OURS = re.compile(r"\b(pb_\w+|Plan\w*_\w+|core_\w+|capi_\w+|yaml_(load|loads|dump|dumps)\b)|"
                  r"(csrc/|_core\w*\.c\b|_yamlmodule\.c\b|pb_yaml_\w+\.c\b)")
# (\.c\b: a source file, not a module such as _pydantic_core.cpython-311-...so)


def main(prefix):
    files = glob.glob(prefix + "*")
    leaks = ours = 0
    bad = []
    for path in files:
        text = open(path, errors="replace").read()
        for block in re.split(r"\n(?=(?:Direct|Indirect) leak)", text):
            if not block.startswith(("Direct leak", "Indirect leak")):
                continue
            leaks += 1
            if OURS.search(block):
                ours += 1
                bad.append(block)
    print(f"leak reports: {len(files)} files, {leaks} leaked blocks in all, "
          f"{ours} with planbook code on the stack")
    for block in bad[:5]:
        print(block[:3000])
    return 1 if ours else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
