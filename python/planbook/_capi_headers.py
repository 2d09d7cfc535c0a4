"""The headers of planbook's C API for plugins: ``planbook_capi.h``,
``planbook_py.h`` and every header they reach through ``#include "..."``.

One definition for the two that need it: setup.py (which loads this file
by its path, before planbook is built) copies them into the built
package's ``planbook/include``, and tests/test_capi_header.py checks that
``planbook.get_include()`` holds them and fingerprints them.  Plain
Python, importing nothing of planbook.
"""

import os
import re
from typing import Dict, Iterable, Optional

START = ("planbook_capi.h", "planbook_py.h")
INCLUDE = re.compile(r'^[ \t]*#[ \t]*include[ \t]+"([^"]+)"', re.M)


def reached(dirs: Iterable[str], start: Iterable[str] = START) -> Dict[str, Optional[str]]:
    """{name: path} of the headers reached from ``start``, each looked up
    in ``dirs`` in order; a header in none of them is {name: None}."""
    dirs = [os.fspath(d) for d in dirs]
    found: Dict[str, Optional[str]] = {}
    todo = list(start)
    while todo:
        name = todo.pop()
        if name in found:
            continue
        paths = [os.path.join(d, name) for d in dirs if os.path.isfile(os.path.join(d, name))]
        found[name] = paths[0] if paths else None
        if paths:
            with open(paths[0], encoding="utf-8") as f:
                todo += INCLUDE.findall(f.read())
    return found
