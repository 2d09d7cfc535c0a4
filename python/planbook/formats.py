"""Formats: readers and writers found by file suffix through the entry-point
group ``planbook.formats``.

A format is any object with these attributes (see docs/plugins.md):

- ``name``: a short name (``"yaml"``);
- ``suffixes``: the file suffixes it handles (``(".yaml", ".yml")``);
- ``load(path) -> Plan`` (optional, for readers);
- ``save(plan, path) -> None`` (optional, for writers): write the whole
  file at ``path``; planbook makes the save atomic around it;
- ``loads(text) -> Plan`` and ``dumps(plan) -> str`` (optional, text formats).

``load`` and ``loads`` may return a :class:`planbook.Plan` or the core's
``planbook._core.PlanCore``.  A package registers its format in its
``pyproject.toml``::

    [project.entry-points."planbook.formats"]
    csv = "planbook_csv:FORMAT"
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
from typing import Any, Dict, List, Optional

from . import _core
from ._model import Plan
from .errors import FormatError, PlanbookError, ReadError, WriteError

__all__ = ["register", "formats", "get_format", "load", "loads", "save", "dumps"]

GROUP = "planbook.formats"
# The formats that ship with planbook, by module; they are loaded on first
# use without scanning every installed distribution's entry points (that
# scan costs ~20 ms, a tenth of loading a 10 MB plan).
# A suffix may have a writer and a reader in different plugins (.xlsx:
# planbook_xlsx writes, planbook_xlsxread reads): the first format for the
# suffix (or name) that can do what is asked is used.
BUILTIN = {"yaml": ("planbook_yaml", (".yaml", ".yml")),
           "xlsx": ("planbook_xlsx", (".xlsx",)),
           "xlsxread": ("planbook_xlsxread", (".xlsx",))}
_lock = threading.Lock()
_registry: Dict[str, Any] = {}
_discovered = False
# plugins that failed to load: name -> why (the library or module missing),
# told in the error of a load or save that needed them
_failures: Dict[str, str] = {}


def _failed(name: str, where: str, exc: BaseException) -> None:
    with _lock:
        _failures[name] = f"the plugin {name!r} ({where}) could not be loaded: {exc}"


def _builtin_for(suffix: Optional[str] = None, name: Optional[str] = None,
                 need: Optional[str] = None) -> Optional[Any]:
    if name is not None and name in BUILTIN:  # "xlsx" names the suffix's formats
        suffix, name = BUILTIN[name][1][0], None
    for fname, (module, suffixes) in BUILTIN.items():
        if (name is not None and name == fname) or (suffix is not None and suffix in suffixes):
            with _lock:
                fmt = _registry.get(fname)
            if fmt is None:
                try:
                    import importlib
                    fmt = importlib.import_module(module).FORMAT
                except (ImportError, OSError) as exc:
                    _failed(fname, module, exc)
                    continue
                with _lock:
                    fmt = _registry.setdefault(fname, fmt)
            if need is None or callable(getattr(fmt, need, None)):
                return fmt
    return None


def _entry_points():
    if sys.version_info >= (3, 10):
        from importlib.metadata import entry_points
        return list(entry_points(group=GROUP))
    from importlib.metadata import entry_points
    return list(entry_points().get(GROUP, []))


def _discover() -> None:
    global _discovered
    if _discovered:
        return
    with _lock:
        if _discovered:
            return
        for ep in _entry_points():
            if ep.name in _registry:
                continue
            try:
                fmt = ep.load()
            except Exception as exc:  # a broken plugin must not break planbook
                import warnings
                warnings.warn(f"planbook format plugin {ep.name!r} ({ep.value}) failed to "
                              f"load: {exc!r}", RuntimeWarning, stacklevel=3)
                _failures.setdefault(ep.name, f"the plugin {ep.name!r} ({ep.value}) could "
                                              f"not be loaded: {exc}")
                continue
            _registry.setdefault(getattr(fmt, "name", ep.name), fmt)
        _discovered = True


def register(fmt: Any, *, replace: bool = False) -> None:
    """Register a format object by hand (entry points are found without this)."""
    name = getattr(fmt, "name", None)
    if not name or not getattr(fmt, "suffixes", None):
        raise TypeError("a format needs a name and suffixes")
    _discover()
    with _lock:
        if name in _registry and not replace:
            raise ValueError(f"a format named {name!r} is already registered")
        _registry[name] = fmt


def unregister(name: str) -> None:
    _discover()
    with _lock:
        _registry.pop(name, None)


def formats() -> List[Any]:
    """The registered formats."""
    _discover()
    return list(_registry.values())


def _why_missing(names) -> str:
    """What went wrong loading the plugins that could have done the job."""
    with _lock:
        why = [_failures[n] for n in names if n in _failures]
    return ": " + "; ".join(why) if why else ""


def get_format(path=None, format: Optional[str] = None, need: str = "load") -> Any:
    """The format for a name, or for a path's suffix."""
    fast = _builtin_for(
        name=format,
        suffix=None if format is not None else os.path.splitext(os.fspath(path))[1].lower(),
        need=need)
    if fast is not None and callable(getattr(fast, need, None)):
        return fast
    _discover()
    if format is not None:
        fmt = _registry.get(format)
        if fmt is None:
            raise FormatError(f"no planbook format named {format!r} (installed: "
                              f"{', '.join(sorted(_registry)) or 'none'})"
                              + _why_missing([format] + [n for n in BUILTIN if n.startswith(format)]))
    else:
        suffix = os.path.splitext(os.fspath(path))[1].lower()
        matches = [f for f in _registry.values()
                   if suffix in tuple(s.lower() for s in f.suffixes)]
        if not matches:
            known = sorted({s for f in _registry.values() for s in f.suffixes})
            could = [n for n, (_, sfx) in BUILTIN.items() if suffix in sfx] + sorted(_failures)
            raise FormatError(f"no planbook format reads or writes '{suffix or path}' files "
                              f"(known suffixes: {', '.join(known) or 'none'})"
                              + _why_missing(dict.fromkeys(could)),
                              file=os.fspath(path))
        with_op = [f for f in matches if callable(getattr(f, need, None))]
        fmt = with_op[0] if with_op else matches[0]
    if not callable(getattr(fmt, need, None)):
        could = [n for n, (_, sfx) in BUILTIN.items() if set(sfx) & set(fmt.suffixes)]
        raise FormatError(f"the {fmt.name} format cannot {need}" + _why_missing(could))
    return fmt


def _as_plan(obj: Any, file: Optional[str]) -> Plan:
    if isinstance(obj, Plan):
        if file and obj.file is None:
            obj.file = file
        return obj
    if isinstance(obj, _core.PlanCore):
        return Plan._wrap(obj, file)
    raise TypeError(f"a format's load returned {type(obj).__name__}, not a Plan")


def load(path, format: Optional[str] = None) -> Plan:
    """Read a plan from a file; the format comes from the suffix unless given."""
    fmt = get_format(path, format, "load")
    _check_readable(path, fmt)
    return _as_plan(fmt.load(path), os.fspath(path))


# The first bytes of files often given by mistake, and what they are.
_MAGIC = ((b"PK\x03\x04", "a zip archive (an Excel workbook? then name it .xlsx)"),
          (b"PK\x05\x06", "an empty zip archive"),
          (b"\xd0\xcf\x11\xe0", "an Excel 97-2003 .xls file or a password-protected workbook: "
                                "save it from Excel as an .xlsx workbook without a password"),
          (b"%PDF", "a PDF document"), (b"\x7fELF", "a program"), (b"\x89PNG", "a PNG image"),
          (b"\xff\xd8\xff", "a JPEG image"), (b"\x1f\x8b", "a gzip archive"))


def _check_readable(path, fmt: Any = None) -> None:
    """Refuse, in the user's words, a path that cannot hold a plan, before a
    reader opens it: a folder, or what is not a regular file (a FIFO is
    never opened, so a read cannot block on it).  A missing file raises
    :class:`FileNotFoundError` as ``open`` does.  For planbook's own
    formats also an empty file, a binary file given as YAML and a file
    given as .xlsx that is not a zip archive (what Excel saves)."""
    import stat
    p = os.fspath(path)
    st = os.stat(p)
    if stat.S_ISDIR(st.st_mode):
        raise ReadError("is a folder, not a plan file", file=p, code="io")
    if not stat.S_ISREG(st.st_mode):
        kind = ("a named pipe (FIFO)" if stat.S_ISFIFO(st.st_mode)
                else "a socket" if stat.S_ISSOCK(st.st_mode)
                else "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode)
                else "something else")
        raise ReadError(f"is not a regular file: it is {kind}; planbook reads plans from files",
                        file=p, code="io")
    name = getattr(fmt, "name", None)
    if name not in BUILTIN:
        return  # another format judges its own files
    workbook = name != "yaml"
    if st.st_size == 0:
        raise ReadError("is empty (0 bytes), not " + ("an Excel workbook" if workbook
                                                      else "a YAML plan"),
                        file=p, code="io")
    fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # replaced since the stat
            raise ReadError("is not a regular file; planbook reads plans from files",
                            file=p, code="io")
        head = os.read(fd, 4096)
    finally:
        os.close(fd)
    what = next((w for magic, w in _MAGIC if head.startswith(magic)), None)
    if workbook:
        if not head.startswith(b"PK"):
            raise ReadError("is not an Excel workbook (not a zip archive)"
                            + (f": it is {what}" if what else ""), file=p, code="parse")
    elif what is not None or b"\0" in head:
        raise ReadError(f"is not a YAML plan: it is {what or 'a binary file'}", file=p,
                        code="parse")


def loads(text, format: str = "yaml", name: Optional[str] = None) -> Plan:
    """Read a plan from text (YAML by default)."""
    fmt = get_format(None, format, "loads")
    return _as_plan(fmt.loads(text, name) if name is not None else fmt.loads(text), name)


def dumps(plan: Plan, format: str = "yaml") -> str:
    fmt = get_format(None, format, "dumps")
    return fmt.dumps(plan)


def save(plan: Plan, path, format: Optional[str] = None) -> None:
    """Write a plan atomically: into a temporary file beside the target,
    flushed to disk, then renamed over it.  On any failure the temporary
    file is removed and the previous file is left exactly as it was."""
    fmt = get_format(path, format, "save")
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    base = os.path.basename(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{base}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise WriteError(f"cannot write in {directory}: {exc.strerror}", file=path,
                         code="io") from exc
    os.close(fd)
    try:
        try:
            mode = os.stat(path).st_mode & 0o7777
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        fmt.save(plan, tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, PlanbookError):
            if isinstance(exc, WriteError) and exc.file == tmp:
                exc.file = path
            raise
        if isinstance(exc, OSError):
            raise WriteError(f"writing failed: {exc.strerror or exc}", file=path,
                             code="io") from exc
        raise
    plan.file = path
