"""planbook's YAML format: reader and writer in C on the system libyaml.

Registered for ``.yaml`` and ``.yml`` through the ``planbook.formats``
entry point (``FORMAT``).  The file format is described in docs/format.md.
Written against :mod:`planbook.plugin` only, as any outside plugin is.
"""

from __future__ import annotations

import os
import warnings

from planbook.plugin import Format, core_of, plan_from_core

from . import _yaml
from ._comments import first_comment

__all__ = ["FORMAT", "YamlFormat", "dumps", "loads", "CommentsDroppedWarning"]


class CommentsDroppedWarning(UserWarning):
    """Saving a plan read from a YAML file that has comments: planbook
    does not keep YAML comments (libyaml drops them as it reads), so the
    saved file has none (docs/format.md, "Comments")."""


def _warn_if_comments(plan) -> None:
    """A CommentsDroppedWarning when the YAML file the plan was read from
    (``plan.file``) has comments, naming the first one's line and column."""
    source = getattr(plan, "file", None)
    if not isinstance(source, str) or not source.lower().endswith((".yaml", ".yml")):
        return
    try:
        with open(source, "rb") as f:
            data = f.read()
    except OSError:
        return
    # planbook's own files have no "#" at all (the scan holds the GIL)
    where = first_comment(data.decode("utf-8", "replace")) if b"#" in data else None
    if where is not None:
        warnings.warn(f"{source}:{where[0]}:{where[1]}: the comments of {source} are not "
                      f"kept: planbook saves a plan without YAML comments (write notes in "
                      f"the plan's note fields to keep them)", CommentsDroppedWarning,
                      stacklevel=2)

LIBYAML_VERSION = _yaml.LIBYAML_VERSION


def dumps(plan, *, budgets: bool = True) -> str:
    """The plan as planbook YAML; with ``budgets=False`` without its budget
    tables (what a workbook's hidden structure sheet carries: the budget
    sheets carry the tables, docs/excel.md)."""
    return _yaml.dumps(core_of(plan), budgets=budgets)


def loads(text: str, name=None):
    """A :class:`planbook.Plan` from planbook YAML (``name`` is the source
    named in errors)."""
    return plan_from_core(_yaml.loads(text, name))


class YamlFormat(Format):
    """The YAML format object registered with planbook."""

    name = "yaml"
    suffixes = (".yaml", ".yml")

    def load(self, path):
        return _yaml.load(os.fspath(path))

    def loads(self, text, name=None):
        return _yaml.loads(text, name)

    def save(self, plan, path):
        _warn_if_comments(plan)
        _yaml.dump(core_of(plan), os.fspath(path))

    def dumps(self, plan):
        return _yaml.dumps(core_of(plan))

    def __repr__(self):
        return f"<planbook format yaml (libyaml {LIBYAML_VERSION})>"


FORMAT = YamlFormat()
