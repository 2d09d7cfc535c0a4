"""planbook's version, in one place: ``planbook.__version__`` and
``planbook --version`` read it from here (and the packaging metadata should
too)."""

__version__ = "0.2.0"
