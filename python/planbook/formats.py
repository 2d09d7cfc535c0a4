"""Formats: readers and writers found by file suffix through the entry-point
group ``planbook.formats``.  Plugins use this module through
:mod:`planbook.plugin` (``register``, ``write_atomically``), their contract.

A format is any object with these attributes (see docs/plugins.md and
:class:`planbook.plugin.Format`):

- ``name``: a short name (``"yaml"``);
- ``suffixes``: the file suffixes it handles (``(".yaml", ".yml")``);
- ``load(path) -> Plan`` (optional, for readers);
- ``save(plan, path) -> None`` (optional, for writers): write the whole
  file at ``path``; planbook makes the save atomic around it;
- ``loads(text) -> Plan`` and ``dumps(plan) -> str`` (optional, text formats).

``load`` and ``loads`` may return a :class:`planbook.Plan` or the core's
``planbook._core.PlanCore`` (see :func:`planbook.plugin.plan_from_core`).  A package registers its format in its
``pyproject.toml``::

    [project.entry-points."planbook.formats"]
    csv = "planbook_csv:FORMAT"
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import stat
import sys
import threading
import time
import zlib
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple, Union

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


def _why_missing(names: Iterable[str]) -> str:
    """What went wrong loading the plugins that could have done the job."""
    with _lock:
        why = [_failures[n] for n in names if n in _failures]
    return ": " + "; ".join(why) if why else ""


def get_format(path: "Union[str, os.PathLike[str], None]" = None, format: Optional[str] = None,
               need: str = "load") -> Any:
    """The format for a name, or for a path's suffix."""
    spath = ""
    if format is None:
        if path is None:
            raise TypeError("get_format needs a path or a format name")
        spath = os.fspath(path)
    fast = _builtin_for(
        name=format,
        suffix=None if format is not None else os.path.splitext(spath)[1].lower(),
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
        suffix = os.path.splitext(spath)[1].lower()
        matches = [f for f in _registry.values()
                   if suffix in tuple(s.lower() for s in f.suffixes)]
        # a longer suffix (".sdmx.csv") or a whole name ("datapackage.json")
        # names its format first
        base = os.path.basename(spath).lower()
        matches = [f for f in _registry.values()
                   if any(len(s) > len(suffix) and (base.endswith(s.lower()) if s[:1] == "."
                                                    else base == s.lower())
                          for s in f.suffixes)] + matches
        if not matches:
            known = sorted({s for f in _registry.values() for s in f.suffixes})
            could = [n for n, (_, sfx) in BUILTIN.items() if suffix in sfx] + sorted(_failures)
            raise FormatError(f"no planbook format reads or writes '{suffix or path}' files "
                              f"(known suffixes: {', '.join(known) or 'none'})"
                              + _why_missing(dict.fromkeys(could)),
                              file=spath)
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
        return Plan._from_core(obj, file)
    raise TypeError(f"a format's load returned {type(obj).__name__}, not a Plan")


def load(path: "Union[str, os.PathLike[str]]", format: Optional[str] = None) -> Plan:
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


def _check_readable(path: "Union[str, os.PathLike[str]]", fmt: Any = None) -> None:
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


def loads(text: str, format: str = "yaml", name: Optional[str] = None) -> Plan:
    """Read a plan from text (YAML by default)."""
    fmt = get_format(None, format, "loads")
    return _as_plan(fmt.loads(text, name) if name is not None else fmt.loads(text), name)


def dumps(plan: Plan, format: str = "yaml") -> str:
    fmt = get_format(None, format, "dumps")
    return fmt.dumps(plan)


# ------------------------------------------------------------------ saving
#
# The save protocol (docs/decisions.md, "Saving: ..."):
#
# 1. Stray folders of earlier saves of the same target that were killed are
#    removed (see _stray).
# 2. A private folder ``.{name}.planbook-tmp-{pid}-{host}-{random}`` is made
#    beside the target (same filesystem, so the final rename is atomic) and
#    the new file is written inside it under the target's own name; the
#    format's helpers (libxlsxwriter's temporary files) go in the same
#    folder, so whatever a failure or a kill leaves is recognisable.
# 3. The new file gets the old file's mode (and owner, where allowed), or
#    for a new target the mode the umask gives: the file is created with
#    os.open(..., 0o666), which applies the umask without reading or
#    changing it (os.umask is process-wide: never called here).
# 4. It is flushed to disk (fsync), renamed over the target (os.replace,
#    which replaces on Windows too) and the folder is fsynced (POSIX).
#
# A read-only target is refused (Excel refuses too), and so are a folder or
# a device in the target's place.

_TMP_MARK = ".planbook-tmp-"
_TMP_TAIL = re.compile(r"(?P<pid>[1-9][0-9]{0,9})-(?P<host>[0-9a-f]{8})-[0-9a-f]+")
# A stray whose process cannot be checked (made on another machine sharing
# the folder) is removed once nothing in it has changed for this long.
STRAY_AGE = 3600.0
# Windows refuses to replace a file another program holds open (Excel
# does): retry for about 1.5 s before saying so.
REPLACE_RETRIES = (0.05, 0.1, 0.2, 0.4, 0.8)


def _host_tag() -> str:
    import socket
    try:
        name = socket.gethostname()
    except OSError:  # pragma: no cover
        name = ""
    return "%08x" % (zlib.crc32(name.encode("utf-8", "replace")) & 0xFFFFFFFF)


def _tmp_prefix(base: str) -> str:
    """``.{base}.planbook-tmp-``; a very long name is shortened and given a
    checksum so that the folder's name stays within 255 bytes."""
    prefix = f".{base}{_TMP_MARK}"
    if len(os.fsencode(prefix)) > 200:
        short = base
        while len(os.fsencode(short)) > 100:
            short = short[:-1]
        crc = zlib.crc32(os.fsencode(base)) & 0xFFFFFFFF
        prefix = f".{short}~{crc:08x}{_TMP_MARK}"
    return prefix


def _pid_running(pid: int) -> bool:
    """Whether a process with this id runs on this machine (True when it
    cannot be told: a stray is then left for the age rule)."""
    if os.name == "nt":  # pragma: no cover - Windows only
        try:
            import ctypes
            from ctypes import wintypes
            k32 = ctypes.WinDLL("kernel32", use_last_error=True)
            k32.OpenProcess.restype = wintypes.HANDLE
            k32.OpenProcess.argtypes = (wintypes.DWORD, wintypes.BOOL, wintypes.DWORD)
            k32.GetExitCodeProcess.argtypes = (wintypes.HANDLE, ctypes.POINTER(wintypes.DWORD))
            k32.CloseHandle.argtypes = (wintypes.HANDLE,)
            handle = k32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
            if not handle:
                return ctypes.get_last_error() != 87  # ERROR_INVALID_PARAMETER: no such id
            try:
                code = wintypes.DWORD()
                if not k32.GetExitCodeProcess(handle, ctypes.byref(code)):
                    return True
                return code.value == 259  # STILL_ACTIVE
            finally:
                k32.CloseHandle(handle)
        except Exception:  # noqa: BLE001 - cannot tell
            return True
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except (OSError, OverflowError, ValueError):
        return True  # exists but is not ours (EPERM), or cannot tell
    try:  # a killed process not yet reaped by its parent is a zombie
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat_line = f.read()
        return stat_line[stat_line.rindex(b")") + 2:][:1] not in (b"Z", b"X")
    except (OSError, ValueError):
        return True


def _newest_mtime(folder: str) -> float:
    newest = os.lstat(folder).st_mtime
    for entry in os.scandir(folder):
        try:
            newest = max(newest, entry.stat(follow_symlinks=False).st_mtime)
        except OSError:
            pass
    return newest


def _stray(directory: str, prefix: str, host: str) -> List[str]:
    """The stray folders of earlier saves of this target: planbook's own
    (the name is this target's prefix, a process id, a host tag and a random
    part, and it is a folder) whose process no longer runs on this machine,
    or, made on another machine, unchanged for STRAY_AGE seconds.  A folder
    of a save still running (in this process or another) is never one."""
    out: List[str] = []
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return out
    for entry in entries:
        if not entry.name.startswith(prefix):
            continue
        m = _TMP_TAIL.fullmatch(entry.name[len(prefix):])
        if not m:
            continue
        try:
            if not entry.is_dir(follow_symlinks=False):
                continue
            if m.group("host") == host:
                if _pid_running(int(m.group("pid"))):
                    continue
            elif time.time() - _newest_mtime(entry.path) < STRAY_AGE:
                continue
        except OSError:
            continue
        out.append(entry.path)
    return out


def _remove_tree(folder: str) -> None:
    import shutil
    shutil.rmtree(folder, ignore_errors=True)


def _errno_of(exc: BaseException) -> Optional[int]:
    e = getattr(exc, "errno", None)
    return e if isinstance(e, int) and e > 0 else None


def _io_message(err: int, path: str, directory: str, strerror: Optional[str] = None) -> str:
    """A sentence for a system error met while saving path."""
    if err == errno.ENOSPC:
        return f"no space left on device while writing {path}: the disk is full"
    if err == getattr(errno, "EDQUOT", -1):
        return f"disk quota exceeded while writing {path}: your share of the disk is full"
    if err == errno.EFBIG:
        return f"the file is too large for its filesystem while writing {path}"
    if err in (errno.EACCES, errno.EPERM):
        return (f"permission denied: cannot create a file in the folder {directory} "
                f"to save {path}")
    if err == errno.EROFS:
        return f"the folder {directory} is on a read-only filesystem: cannot save {path}"
    if err in (errno.ENOENT, errno.ENOTDIR):
        return f"the folder {directory} does not exist: cannot save {path}"
    if err == errno.EIO:
        return (f"input/output error while writing {path} (a failing disk, or a network "
                f"drive that went away?)")
    if err in (errno.EMFILE, errno.ENFILE):
        return f"too many open files while writing {path}"
    if err == errno.ENAMETOOLONG:
        return f"the name is too long for its filesystem: {path}"
    return f"{strerror or os.strerror(err)} while writing {path}"


def _check_target(path: str, target: str, directory: str) -> Optional[os.stat_result]:
    """The target's stat (None when it does not exist yet), or a WriteError
    when it may not be replaced."""
    try:
        st = os.stat(target)
    except FileNotFoundError:
        return None
    except NotADirectoryError as exc:
        raise WriteError(_io_message(errno.ENOTDIR, path, directory), file=path,
                         code="io") from exc
    except OSError as exc:
        raise WriteError(_io_message(_errno_of(exc) or errno.EIO, path, directory,
                                     exc.strerror), file=path, code="io") from exc
    if stat.S_ISDIR(st.st_mode):
        raise WriteError(f"{path} is a folder, not a file: cannot save a plan over it",
                         file=path, code="io")
    if not stat.S_ISREG(st.st_mode):
        raise WriteError(f"{path} is not a regular file (a device or a pipe): planbook "
                         f"saves only into ordinary files", file=path, code="io")
    kw = {"effective_ids": True} if os.access in os.supports_effective_ids else {}
    if hasattr(os, "statvfs") and os.statvfs(directory).f_flag & os.ST_RDONLY:
        raise WriteError(_io_message(errno.EROFS, path, directory), file=path, code="io")
    if not st.st_mode & 0o222:
        raise WriteError(f"{path} is read-only: planbook does not replace a read-only file "
                         f"(Excel refuses too); make it writable, or save under another name",
                         file=path, code="io")
    if not os.access(target, os.W_OK, **kw):
        raise WriteError(f"permission denied: you may not change {path} (it belongs to "
                         f"another user, or is read-only); save under another name",
                         file=path, code="io")
    return st


def _windows_busy(exc: OSError) -> bool:
    """A PermissionError as Windows raises it when a file it would replace is
    open in another program (sharing violation) or is read-only."""
    return isinstance(exc, PermissionError) and (
        getattr(exc, "winerror", None) in (5, 32, 33) or os.name == "nt")


def _replace(tmp: str, target: str, path: str) -> None:
    for delay in REPLACE_RETRIES + (None,):
        try:
            os.replace(tmp, target)
            return
        except PermissionError as exc:
            if not _windows_busy(exc):
                raise
            if delay is None:
                raise WriteError(
                    f"cannot replace {path}: the file is in use by another program (is it "
                    f"open in Excel?) or read-only; close it and save again (the file is "
                    f"unchanged)", file=path, code="io") from exc
            time.sleep(delay)


def _fsync_folder(directory: str) -> None:
    """Make the rename durable (POSIX; Windows cannot open a folder this
    way, and NTFS logs the rename).  Best effort: the target is already
    replaced, so a filesystem that cannot fsync a folder is not an error."""
    if os.name == "nt":  # pragma: no cover
        return
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _finish(tmp: str, mode: int, owner: Optional[Tuple[int, int]]) -> None:
    """Give the new file its mode (and owner), calls on that file alone, and
    flush it to disk."""
    fd = os.open(tmp, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        if os.chmod in os.supports_fd:
            os.fchmod(fd, mode)
        else:  # pragma: no cover - Windows before 3.13: only the read-only bit
            os.chmod(tmp, mode)
        if owner is not None and hasattr(os, "fchown"):
            st = os.fstat(fd)
            if (st.st_uid, st.st_gid) != owner:
                try:  # root keeps the owner; anyone keeps a group they are in
                    os.fchown(fd, owner[0], owner[1])
                except OSError:
                    try:
                        os.fchown(fd, -1, owner[1])
                    except OSError:
                        pass
                os.fchmod(fd, mode)  # chown clears set-id bits
        os.fsync(fd)
    finally:
        os.close(fd)


def save(plan: Plan, path: "Union[str, os.PathLike[str]]", format: Optional[str] = None) -> None:
    """Write a plan atomically: into a private folder beside the target,
    flushed to disk, then renamed over it.  On any failure the temporary
    folder is removed and the previous file is left exactly as it was.
    A read-only target is refused; a symbolic link is followed (the file it
    points to is replaced, the link stays)."""
    fmt = get_format(path, format, "save")
    path = os.fspath(path)
    write_atomically(path, lambda tmp: fmt.save(plan, tmp))
    plan.file = path


def write_atomically(path: str, write: Callable[[str], None]) -> None:
    """The save protocol for any file planbook writes (plans, packs):
    ``write(tmp)`` fills a new file created in a private folder beside
    ``path`` (mode by the umask, or the old file's mode and owner), which
    is then flushed and renamed over ``path``; on failure nothing is left
    and the old file is untouched.  Errors are WriteErrors naming ``path``."""
    target = os.path.realpath(path) if os.path.islink(path) else os.path.abspath(path)
    directory = os.path.dirname(target)
    base = os.path.basename(target)
    old = _check_target(path, target, directory)
    prefix = _tmp_prefix(base)
    host = _host_tag()
    for folder in _stray(directory, prefix, host):
        _remove_tree(folder)
    private = tmp = None
    try:
        for _ in range(100):
            name = os.path.join(directory,
                                f"{prefix}{os.getpid()}-{host}-{secrets.token_hex(4)}")
            try:
                os.mkdir(name, 0o700)
            except FileExistsError:
                continue
            private = name  # ours: only now may a failure remove it
            if stat.S_IMODE(os.stat(private).st_mode) & 0o700 != 0o700:
                os.chmod(private, 0o700)  # a umask such as 0o277 took our own rights
            break
        else:  # pragma: no cover
            raise FileExistsError(errno.EEXIST, "no free temporary name", directory)
        tmp = os.path.join(private, base)
        # created here with 0o666, so the umask decides its mode exactly as
        # for any new file, without touching the process's umask
        fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_BINARY", 0),
                     0o666)
        try:
            new_mode = os.fstat(fd).st_mode & 0o777
            if not new_mode & stat.S_IWUSR and os.chmod in os.supports_fd:
                os.fchmod(fd, new_mode | 0o600)  # the format must open it to write
        finally:
            os.close(fd)
        if old is not None:
            mode = old.st_mode & 0o7777
            owner = (old.st_uid, old.st_gid) if os.name != "nt" else None
        else:
            mode, owner = new_mode, None
        write(tmp)
        _finish(tmp, mode, owner)
        _replace(tmp, target, path)
    except BaseException as exc:
        if private is not None:
            _remove_tree(private)
        if isinstance(exc, PlanbookError):
            if exc.file in (tmp, None):
                exc.file = path
            err = _errno_of(exc)
            if isinstance(exc, WriteError) and err is not None:
                new = WriteError(_io_message(err, path, directory, exc.strerror), file=path,
                                 code=exc.code or "io")
                new.errno = err
                raise new from exc
            raise
        if isinstance(exc, OSError):
            err = _errno_of(exc)
            new = WriteError(_io_message(err, path, directory, exc.strerror) if err else
                             f"writing {path} failed: {exc}", file=path, code="io")
            new.errno = err
            raise new from exc
        raise
    _remove_tree(private)
    _fsync_folder(directory)
