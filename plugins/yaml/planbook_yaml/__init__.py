"""planbook's YAML format: reader and writer in C on the system libyaml.

Registered for ``.yaml`` and ``.yml`` through the ``planbook.formats``
entry point (``FORMAT``).  The file format is described in docs/format.md.
Written against :mod:`planbook.plugin` only, as any outside plugin is.
"""

from __future__ import annotations

import os

from planbook.plugin import Format, core_of, plan_from_core

from . import _yaml

__all__ = ["FORMAT", "YamlFormat", "dumps", "loads"]

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
        _yaml.dump(core_of(plan), os.fspath(path))

    def dumps(self, plan):
        return _yaml.dumps(core_of(plan))

    def __repr__(self):
        return f"<planbook format yaml (libyaml {LIBYAML_VERSION})>"


FORMAT = YamlFormat()
