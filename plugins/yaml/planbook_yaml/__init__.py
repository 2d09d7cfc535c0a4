"""planbook's YAML format: reader and writer in C on the system libyaml.

Registered for ``.yaml`` and ``.yml`` through the ``planbook.formats``
entry point (``FORMAT``).  The file format is described in docs/format.md.
"""

from __future__ import annotations

import os

from . import _yaml

__all__ = ["FORMAT", "YamlFormat"]

LIBYAML_VERSION = _yaml.LIBYAML_VERSION


class YamlFormat:
    """The YAML format object registered with planbook."""

    name = "yaml"
    suffixes = (".yaml", ".yml")

    def load(self, path):
        return _yaml.load(os.fspath(path))

    def loads(self, text, name=None):
        return _yaml.loads(text, name)

    def save(self, plan, path):
        _yaml.dump(plan._c, os.fspath(path))

    def dumps(self, plan):
        return _yaml.dumps(plan._c)

    def __repr__(self):
        return f"<planbook format yaml (libyaml {LIBYAML_VERSION})>"


FORMAT = YamlFormat()
