"""gcc's code of the AVX-512 status row (csrc/pb_ragcodes.c, row512): no
comparison mask stored one byte wide (kmovb) to the stack and read back
wider.  gcc 12 did that in every sanitizer build of the file (ASan or
UBSan, at -O0 as setup.py's PLANBOOK_SANITIZE build and at -O2): bits
8-31 of a chunk's masks were then stack garbage and the RAG codes wrong,
differing run to run (docs/decisions.md, "the AVX-512 row: gcc 12's spill
of a mask").  The row runs only on an AVX-512 processor, which this
machine may not have, so its code is read here instead: the object is
compiled as those builds compile it, with the row on, and disassembled."""
from __future__ import annotations

import platform
import re
import shutil
import subprocess

import pytest

from conftest import ROOT, SANITIZED

pytestmark = [
    pytest.mark.skipif(SANITIZED, reason="run once, in the plain pass"),
    pytest.mark.skipif(shutil.which("gcc") is None or shutil.which("objdump") is None,
                       reason="needs gcc and objdump"),
    pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"), reason="x86-64 only"),
]

SLOT = re.compile(r"^(-?0x[0-9a-f]+)?\(%(rsp|rbp)\)$")
INSN = re.compile(r":\s+(\S+)\s+(\S+),(\S+)$")
WIDE = {"mov", "movl", "movq", "kmovw", "kmovd", "kmovq"}


def narrow_spills(disassembly: str) -> list[tuple[str, str, str]]:
    """(function, store, load) of each stack slot written by kmovb and read
    by a wider load before anything else writes it, in address order."""
    found, last, fn = [], {}, ""
    for line in disassembly.splitlines():
        head = re.match(r"^[0-9a-f]+ <(.*)>:$", line)
        if head:
            fn, last = head.group(1), {}
            continue
        m = INSN.search(line)
        if not m:
            continue
        op, src, dst = m.groups()
        if SLOT.match(dst):
            last[dst] = (op, line.strip())
        elif SLOT.match(src) and op in WIDE and last.get(src, ("",))[0] == "kmovb":
            if op == "mov" and re.match(r"^%(al|bl|cl|dl|sil|dil|r\d+b)$", dst):
                continue
            found.append((fn, last[src][1], line.strip()))
    return found


def disassemble(tmp_path, flags: list[str]) -> str:
    obj = tmp_path / "pb_ragcodes.o"
    subprocess.run(["gcc", "-std=c11", "-c", *flags, "-DPB_RAGCODES_ROW512=1",
                    f"-I{ROOT / 'csrc'}", str(ROOT / "csrc/pb_ragcodes.c"), "-o", str(obj)],
                   check=True)
    return subprocess.run(["objdump", "-d", "--no-show-raw-insn", str(obj)], check=True,
                          capture_output=True, text=True).stdout


@pytest.mark.parametrize("flags", [
    ["-O0", "-g3", "-fsanitize=address,undefined", "-fno-sanitize-recover=undefined",
     "-fno-omit-frame-pointer"],                           # setup.py's PLANBOOK_SANITIZE
    ["-O2", "-fsanitize=address"],
    ["-O2", "-fPIC"],                                      # the wheel's
], ids=["sanitize", "asan-O2", "O2"])
def test_no_mask_is_spilled_a_byte_wide_and_read_back_wider(tmp_path, flags):
    code = disassemble(tmp_path, flags)
    assert re.search(r"<row512>:|vpcmpnleuq", code), "the row was not compiled"
    assert "kmov" in code
    assert narrow_spills(code) == []


def test_the_check_finds_the_spill_gcc_made():
    """The pattern the check looks for, as gcc 12 -O3 -fsanitize=undefined
    compiled the row before bits8 (trimmed from its disassembly)."""
    seen = """0000000000000000 <f>:
      8e:\tkmovb  %k5,0x480(%rsp)
     295:\tmov    0x480(%rsp),%edi
     29c:\tor     %edx,%edi
     2a5:\tmov    %edi,0x480(%rsp)
     2a9:\tkmovb  %k4,0x400(%rsp)
     2b0:\tkmovb  0x400(%rsp),%k1
     2b7:\tmov    %edi,0x380(%rsp)
     2be:\tmov    0x380(%rsp),%ecx
"""
    assert narrow_spills(seen) == [("f", "8e:\tkmovb  %k5,0x480(%rsp)",
                                    "295:\tmov    0x480(%rsp),%edi")]
