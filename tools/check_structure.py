#!/usr/bin/env python3
"""The house rules a newcomer relies on, checked (docs/design.md, "Rules").

- No C file (.c or .h) of the project over 1,000 lines.
- No C function over 120 lines (from the line of its opening brace to its
  closing brace).
- No cycle among the core's modules (csrc/): a module is a .c file with
  its .h (and _private.h); module a depends on b when a's files include
  b's header, or when a calls a function b defines (found by compiling
  each file and reading its symbols with nm, so functions declared in a
  private header count too).
- Format plugins (plugins/*/planbook_*/*.py) import from planbook only its
  public plugin module, ``planbook.plugin``.

Run: python tools/check_structure.py [ROOT]; exit 0 when every rule holds,
1 with a line per breach.  tests/test_structure.py runs it.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Dict, Iterator, List, Set, Tuple

MAX_FILE_LINES = 1000
MAX_FUNCTION_LINES = 120
# Where the project's own C lives (third-party and generated code is not
# the project's: tests/outside holds plugins written as an outsider would).
C_DIRS = ("csrc", "plugins", "python", "tools", "bench", "tests/c", "tests/fuzz")
PUBLIC_PLUGIN_MODULE = "planbook.plugin"


def c_files(root: Path) -> Iterator[Path]:
    for d in C_DIRS:
        base = root / d
        if base.is_dir():
            for p in sorted(base.rglob("*")):
                if p.suffix in (".c", ".h") and p.is_file():
                    yield p


def strip_c(text: str) -> str:
    """Comments, strings and character literals blanked (newlines kept), so
    braces inside them are not counted."""
    out: List[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            out.append(c + " " * (min(j, n) - i - 1) + (c if j < n else ""))
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def functions(text: str) -> Iterator[Tuple[str, int, int]]:
    """(name, first line, last line) of each function definition: a brace
    at depth 0 whose preceding text ends in `name(...)`."""
    code = strip_c(text)
    depth = 0
    start_line = 0
    name = ""
    line = 1
    last_stmt_end = 0
    for i, c in enumerate(code):
        if c == "\n":
            line += 1
        elif c == "{":
            if depth == 0:
                head = code[last_stmt_end:i]
                m = re.search(r"(\w+)\s*\([^;{}]*\)\s*$", head)
                name = m.group(1) if m and m.group(1) not in ("if", "for", "while", "switch") else ""
                start_line = line
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                if name:
                    yield name, start_line, line
                last_stmt_end = i + 1
        elif c == ";" and depth == 0:
            last_stmt_end = i + 1
        elif c == "#" and depth == 0:
            # a preprocessor line ends the head before it
            j = code.find("\n", i)
            last_stmt_end = j if j >= 0 else i


def check_sizes(root: Path) -> List[str]:
    problems = []
    for p in c_files(root):
        text = p.read_text(encoding="utf-8", errors="replace")
        rel = p.relative_to(root)
        n = text.count("\n")
        if n > MAX_FILE_LINES:
            problems.append(f"{rel}: {n} lines (at most {MAX_FILE_LINES})")
        for name, a, b in functions(text):
            if b - a + 1 > MAX_FUNCTION_LINES:
                problems.append(f"{rel}:{a}: function {name} is {b - a + 1} lines "
                                f"(at most {MAX_FUNCTION_LINES})")
    return problems


def module_of(path: Path) -> str:
    stem = path.stem
    return stem[: -len("_private")] if stem.endswith("_private") else stem


def core_symbol_deps(core: Path) -> Dict[str, Set[str]]:
    """Module -> the modules whose functions it calls: each csrc/*.c is
    compiled and its undefined symbols matched with the others' defined
    ones (what the linker sees, declarations in private headers included)."""
    import shutil
    import subprocess
    import tempfile
    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    nm = shutil.which("nm")
    if not cc or not nm:
        return {}
    defined: Dict[str, str] = {}
    undefined: Dict[str, Set[str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for src in sorted(core.glob("*.c")):
            obj = Path(tmp) / (src.stem + ".o")
            subprocess.run([cc, "-std=c11", "-c", "-o", str(obj), str(src)], check=True)
            out = subprocess.run([nm, "-P", str(obj)], check=True, capture_output=True,
                                 text=True).stdout
            m = module_of(src)
            for line in out.splitlines():
                parts = line.split()
                if len(parts) < 2:
                    continue
                sym, kind = parts[0], parts[1]
                if kind == "U":
                    undefined.setdefault(m, set()).add(sym)
                elif kind.isupper():
                    defined[sym] = m
    deps: Dict[str, Set[str]] = {}
    for m, syms in undefined.items():
        for sym in syms:
            d = defined.get(sym)
            if d and d != m:
                deps.setdefault(m, set()).add(d)
    return deps


def core_include_deps(core: Path) -> Dict[str, Set[str]]:
    deps: Dict[str, Set[str]] = {}
    names = {module_of(p) for p in core.glob("*.[ch]")}
    for p in sorted(core.glob("*.[ch]")):
        m = module_of(p)
        for inc in re.findall(r'^\s*#\s*include\s+"([^"]+)"', p.read_text(), re.M):
            dep = module_of(Path(inc))
            if dep in names and dep != m:
                deps.setdefault(m, set()).add(dep)
    return deps


# The tables of every public function and the umbrella header name every
# module by design; they are not a module of the core's own logic.
UMBRELLAS = {"planbook", "pb_api", "pb_api_list"}


def cycles(deps: Dict[str, Set[str]], what: str) -> List[str]:
    problems: List[str] = []
    seen: Set[Tuple[str, ...]] = set()

    def visit(node: str, path: List[str]) -> None:
        for nxt in sorted(deps.get(node, ())):
            if nxt in UMBRELLAS:
                continue
            if nxt in path:
                cyc = path[path.index(nxt):] + [nxt]
                key = tuple(sorted(set(cyc)))
                if key not in seen:
                    seen.add(key)
                    problems.append(f"{what} cycle in csrc: " + " -> ".join(cyc))
            elif len(path) < 50:
                visit(nxt, path + [nxt])

    for m in sorted(deps):
        if m not in UMBRELLAS:
            visit(m, [m])
    return problems


def check_core_cycles(root: Path) -> List[str]:
    core = root / "csrc"
    return (cycles(core_include_deps(core), "include")
            + cycles(core_symbol_deps(core), "call"))


def check_plugin_imports(root: Path) -> List[str]:
    problems = []
    pat = re.compile(r"^[ \t]*(?:from\s+(planbook(?:\.[\w.]+)?)(?!\w)\s*import|import\s+(planbook(?:\.[\w.]+)?)(?!\w))",
                     re.M)
    for p in sorted((root / "plugins").glob("*/planbook_*/*.py")):
        text = p.read_text()
        for m in pat.finditer(text):
            mod = m.group(1) or m.group(2)
            if mod != PUBLIC_PLUGIN_MODULE:
                line = text.count("\n", 0, m.start()) + 1
                problems.append(f"{p.relative_to(root)}:{line}: imports {mod}; "
                                f"format plugins import only {PUBLIC_PLUGIN_MODULE}")
    return problems


def main(argv: List[str]) -> int:
    root = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent
    problems = check_sizes(root) + check_core_cycles(root) + check_plugin_imports(root)
    for line in problems:
        print(line)
    if not problems:
        print("structure: every rule holds")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
