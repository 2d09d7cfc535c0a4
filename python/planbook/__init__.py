"""planbook: business plans (budgets, checks, formats) on an exact C core.

>>> import planbook
>>> plan = planbook.examples.load("manchester-children-2018-19")
>>> plan.budgets["subjective"].rows["Gross Expenditure"]["y2018"].difference
Decimal('300')
>>> [f.code for f in plan.check()]
['total', 'total', 'score']
"""

from types import ModuleType
from typing import TYPE_CHECKING, List

from . import errors
from ._core import CORE_VERSION
from ._indicators import (Dashboard, IndicatorSet, Indicators, Measure, Observation,
                          Status)
from ._records import Collection, Record, Records
from ._risks import Risk, RiskRegister, Risks, Score
from ._model import Agreement, Cell, Column, Finding, Findings, Plan, Row, Table, format_amount
from .errors import (AmountError, FormatError, PlanbookError, ReadError, ValidationError,
                     WriteError)
from .formats import dumps, load, loads, save
from ._diff import diff
from .many import open_many
from ._version import __version__

if TYPE_CHECKING:  # pragma: no cover - loaded on first use (__getattr__ below)
    from . import cycle as cycle, dask as dask, examples as examples, many as many
    from . import plots as plots, plugin as plugin

__all__ = [
    "Plan", "Table", "Column", "Row", "Cell", "Finding", "Findings", "Agreement",
    "Indicators", "IndicatorSet", "Measure", "Observation", "Status", "Dashboard",
    "Risks", "RiskRegister", "Risk", "Score", "Records", "Collection", "Record",
    "load", "loads", "save", "dumps", "diff", "format_amount", "open_many",
    "PlanbookError", "ReadError", "WriteError", "ValidationError", "AmountError",
    "FormatError", "errors", "examples", "get_include", "__version__", "CORE_VERSION",
]


def get_include() -> List[str]:
    """Directories holding the C headers a format plugin in C compiles
    against: ``planbook_capi.h`` and every header it includes (docs/plugins.md).

    An installed planbook carries them all in ``planbook/include`` (copied
    there when the package is built); a source checkout installed in place
    (``pip install -e .``) gives that folder and the core's own, ``csrc``."""
    import os
    here = os.path.dirname(os.path.abspath(__file__))
    include = os.path.join(here, "include")
    source = os.path.normpath(os.path.join(here, os.pardir, os.pardir, "csrc"))
    if not os.path.exists(os.path.join(include, "pb_api.h")) and \
            os.path.exists(os.path.join(source, "pb_api.h")):
        return [include, source]
    return [include]


def __getattr__(name: str) -> ModuleType:
    if name in ("examples", "plots", "plugin", "many", "cycle", "dask"):
        import importlib
        return importlib.import_module("." + name, __name__)
    raise AttributeError(f"module 'planbook' has no attribute {name!r}")
