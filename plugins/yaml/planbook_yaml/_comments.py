"""Where a YAML text has comments: libyaml drops them, so planbook cannot
keep them on a save; the plugin finds them with this scan to say so
(docs/format.md, "Comments"; docs/decisions.md).

A comment is a ``#`` at the start of a line or after white space, outside
quoted scalars and block scalars (``|``, ``>``), as YAML 1.2 defines it.

>>> first_comment("title: A  # the draft\\n")
(1, 11)
>>> first_comment("note: 'a # b'\\ntext: |\\n  # not a comment\\nid: x#y\\n") is None
True
>>> first_comment("# top\\n")
(1, 1)
"""

from __future__ import annotations

import re
from typing import Optional, Tuple

__all__ = ["first_comment"]

# a block scalar's header ends a line: ``key: |``, ``- >-``, ``|2+`` ... (a comment may follow)
_BLOCK = re.compile(r"(?:^|[\s:\-?])[|>][0-9+\-]*\s*(?:#.*)?$")
# what a line needs to hold a comment, open a quote or start a block scalar
_SPECIAL = re.compile(r"[#'\"|>]")


def _comment_in_line(line: str, quote: Optional[str]) -> Tuple[Optional[int], Optional[str]]:
    """(0-based column of a comment in ``line`` or None, the quote still
    open at the end of it) for a line that starts inside ``quote``."""
    i, n = 0, len(line)
    while i < n:
        ch = line[i]
        if quote == "'":
            if ch == "'":
                if i + 1 < n and line[i + 1] == "'":
                    i += 2
                    continue
                quote = None
        elif quote == '"':
            if ch == "\\":
                i += 2
                continue
            if ch == '"':
                quote = None
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return i, None
        elif ch in "'\"" and (i == 0 or line[i - 1] in " \t[{,:-?"):
            quote = ch
        i += 1
    return None, quote


def first_comment(text: str, skip_plain: bool = True) -> Optional[Tuple[int, int]]:
    """(line, column), 1-based, of the first comment in ``text``; None when
    it has none. ``skip_plain=False`` sends every line through the character
    loop (the scan as first written: the tests' reference for the skip)."""
    if "#" not in text:
        return None
    quote: Optional[str] = None
    block_indent: Optional[int] = None   # inside a block scalar: the header line's indent
    special = _SPECIAL.search if skip_plain else None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.lstrip(" ")
        indent = len(line) - len(stripped)
        if block_indent is not None:
            if not stripped.strip() or indent > block_indent:
                continue                     # a line of the block scalar's text
            block_indent = None
        if quote is None and special is not None and not special(line):
            continue                         # plain: no comment, no quote, no block
        col, quote = _comment_in_line(line, quote)
        if col is not None:
            return number, col + 1
        if quote is None and _BLOCK.search(line.rstrip()):
            block_indent = indent
    return None
