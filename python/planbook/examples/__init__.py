"""The example plans shipped with planbook: every money, FTE and workforce
table, every performance dashboard, risk register, action plan and structured list,
and the narrative, of the five seed documents (Manchester
City Council children's services plans and reports, 2007-2019), figures
exactly as printed, inconsistencies included.

>>> from planbook import examples
>>> examples.names()  # doctest: +NORMALIZE_WHITESPACE
['manchester-children-2018-19', 'manchester-children-families-2015-17',
 'manchester-children-post-inspection-2018', 'manchester-childrens-services-2016-20',
 'manchester-spod-2007-08']
>>> plan = examples.load("manchester-spod-2007-08")
"""

from __future__ import annotations

import os
from typing import List

__all__ = ["names", "path", "load"]

_HERE = os.path.dirname(os.path.abspath(__file__))


def names() -> List[str]:
    """Names of the example plans."""
    return sorted(f[:-5] for f in os.listdir(_HERE) if f.endswith(".yaml"))


def path(name: str) -> str:
    """Path of an example plan file."""
    p = os.path.join(_HERE, name if name.endswith(".yaml") else name + ".yaml")
    if not os.path.exists(p):
        raise KeyError(f"no example {name!r} (examples: {', '.join(names())})")
    return p


def load(name: str):
    """Load an example plan."""
    from .. import load as _load
    return _load(path(name))
