"""planbook.plugin: everything a format plugin may use, and nothing more.

This module is the whole Python contract between planbook and its format
plugins (docs/plugins.md).  The built-in plugins (``planbook_yaml``,
``planbook_xlsx``, ``planbook_xlsxread``) import from planbook only this
module, exactly as a third party's plugin does; what is not named here is
private and may change in any release.

The contract is versioned: :data:`API_VERSION` grows when something is
added (a plugin checks ``API_VERSION >= n`` for what it needs) and a name
is removed or changes meaning only with a new major version of planbook.
The C side (headers from :func:`get_include`, the capsule
``planbook._core._C_API``) has its own versions, :data:`C_API_VERSION`.

>>> from planbook import plugin
>>> plugin.API_VERSION
1
>>> plan = plugin.plan_from_core(plugin.core_of(plugin.Plan(title="Demo")))
>>> plan.title, plan.parts == plugin.PARTS
('Demo', True)
"""

from __future__ import annotations

import os
from typing import Any, Iterable, List, Optional, Tuple

from . import _core
from ._indicators import Observation
from ._model import PART_NAMES as PARTS, Plan
from ._records import date_range
from .errors import (AmountError, FormatError, PlanbookError, ReadError, ReadWarning,
                     ValidationError, WriteError)
from .formats import register, unregister, write_atomically

__all__ = [
    "API_VERSION", "C_API_VERSION", "PARTS", "BUDGETS_ONLY",
    "Format", "register", "unregister", "write_atomically",
    "core_of", "plan_from_core", "get_include",
    "Plan", "Observation", "date_range",
    "PlanbookError", "ReadError", "WriteError", "ValidationError", "AmountError",
    "FormatError", "ReadWarning",
]

#: Version of this module's contract (names and their meaning).
API_VERSION = 1

#: The parts of a plan a source carried when it holds the budget tables
#: only (a workbook read without planbook's structure sheet): pass it as
#: ``plan_from_core(core, parts=BUDGETS_ONLY)``; :func:`planbook.diff`
#: then leaves the other parts out instead of reporting them removed.
BUDGETS_ONLY: Tuple[str, ...] = ("plan", "budgets")


class Format:
    """What a format is: subclass it, or write any object with the same
    attributes (planbook only looks them up).

    ``name``
        A short name (``"csv"``), the entry point's name.
    ``suffixes``
        The file suffixes it handles, lower case with the dot
        (``(".csv",)``).  Several formats may share a suffix: the first one
        that can do what is asked is used.
    ``load(path) -> Plan``
        Read a file.  Return a :class:`Plan` or a core (a C plugin's
        ``PlanCore``, see :func:`plan_from_core`).
    ``save(plan, path) -> None``
        Write the whole file at ``path``, a temporary file that planbook
        renames over the target when ``save`` returns
        (:func:`write_atomically`); raise :class:`WriteError` or ``OSError``.
    ``loads(text) -> Plan`` and ``dumps(plan) -> str``
        The same for text formats.

    A method a format does not have is an operation it does not offer;
    this base class offers none.
    """

    name: str = ""
    suffixes: Tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"<planbook format {self.name} ({', '.join(self.suffixes)})>"


def core_of(plan: Plan) -> Any:
    """The C object holding ``plan`` (a ``planbook._core.PlanCore``): what a
    C plugin's functions take, and what the capsule's ``plan_unwrap``
    accepts.  It shares the plan; it is not a copy."""
    # for callers without a type checker
    if not isinstance(plan, Plan):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError(f"expected a planbook.Plan, not {type(plan).__name__}")
    return plan._c


def plan_from_core(core: Any, file: Optional[str] = None, *,
                   parts: Iterable[str] = PARTS) -> Plan:
    """A :class:`Plan` around a core made by a C plugin (the capsule's
    ``plan_wrap``), or a core taken from another plan with :func:`core_of`
    (the two plans then share it).

    ``file`` is the file it was read from; ``parts`` the parts of a plan
    the source could carry (a subset of :data:`PARTS`, e.g.
    :data:`BUDGETS_ONLY`), told by ``plan.parts``."""
    if not isinstance(core, _core.PlanCore):
        raise TypeError(f"expected a planbook._core.PlanCore, not {type(core).__name__}")
    return Plan._from_core(core, None if file is None else os.fspath(file), parts)


def get_include() -> List[str]:
    """The directories of the C headers a plugin in C compiles against
    (``planbook_capi.h`` and every header it includes)."""
    from . import get_include as folders
    return folders()


#: ``(PB_CAPI_VERSION, PB_API_VERSION)`` of the installed core: the major
#: versions of the capsule's table and of the core's function table.  A C
#: plugin built for other major versions refuses to import.
C_API_VERSION: Tuple[int, int] = _core.C_API_VERSION
