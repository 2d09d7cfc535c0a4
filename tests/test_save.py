"""The save protocol (python/planbook/formats.py; docs/decisions.md, "Saving").

What a save may and may not touch, tested here without root or mounts
(tests/test_faults.py makes saves fail for real: full disks, read-only
mounts, failing system calls, SIGKILL):

* no process-wide state: the umask is never changed, not even for an
  instant (other threads create files meanwhile); the new file gets the old
  file's mode and owner, or for a new file what the umask gives;
* a read-only target, a folder, a pipe in the target's place are refused
  with a sentence naming the path; a symbolic link is followed;
* Windows: replacing a file another program holds open raises
  PermissionError (winerror 32), which is retried and then explained, and
  the target is left as it was (os.replace is made to fail as Windows does);
* the rename is made durable: the file and then its folder are fsynced;
* stray temporary folders of a killed save are recognisable and removed by
  the next save of the same target, but never a live save's.
"""
from __future__ import annotations

import os
import pathlib
import stat
import subprocess
import sys
import threading
import time

import pytest

import planbook
from planbook import formats
from planbook.errors import WriteError

from conftest import EXAMPLES, SANITIZED

SMALL = EXAMPLES / "manchester-children-2018-19.yaml"


def proc_umask():
    """The process's umask, read without calling os.umask (Linux)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    pytest.skip("no Umask line in /proc/self/status")


def leftovers(directory):
    return sorted(n for n in os.listdir(directory) if ".planbook-tmp-" in n or
                  n.endswith(".tmp") or n.startswith("tmp."))


@pytest.fixture
def umask_027():
    old = os.umask(0o027)
    yield 0o027
    os.umask(old)


@pytest.fixture(scope="module")
def plan():
    return planbook.load(SMALL)


# --------------------------------------------------------------- the umask

@pytest.mark.parametrize("fmt", ["yaml", "xlsx"])
def test_saves_never_change_the_umask(tmp_path, plan, umask_027, fmt):
    """A thread creates files in a loop while another saves new files: every
    file it creates gets 0o666 & ~umask, and the umask is the same after.
    (The save used to set os.umask(0) for a moment to read it: 275 of 960
    files came out 0o666.)"""
    if not os.path.exists("/proc/self/status"):
        pytest.skip("reads the umask from /proc")
    other = tmp_path / "other"
    other.mkdir()
    saves = tmp_path / "saves"
    saves.mkdir()
    stop = threading.Event()
    seen = {}

    def create_files():
        k = 0
        while not stop.is_set():
            path = other / f"f{k}"
            fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o666)
            os.close(fd)
            mode = stat.S_IMODE(os.stat(path).st_mode)
            seen[mode] = seen.get(mode, 0) + 1
            os.unlink(path)
            k += 1

    umask_calls = []
    real_umask = os.umask

    def spy_umask(mask):
        umask_calls.append(mask)
        return real_umask(mask)
    thread = threading.Thread(target=create_files)
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # let the threads interleave as often as they can
    os.umask = spy_umask
    try:
        thread.start()
        for k in range(300 if fmt == "yaml" else 30):
            plan.save(saves / f"plan{k}.{fmt}")
            assert proc_umask() == 0o027
    finally:
        os.umask = real_umask
        stop.set()
        thread.join()
        sys.setswitchinterval(switch)
    assert proc_umask() == 0o027
    assert sum(seen.values()) > 0
    assert seen.keys() == {0o640}, f"modes of files another thread made: {seen}"
    assert umask_calls == [], "a save called os.umask, which is process-wide"
    for name in os.listdir(saves):
        assert stat.S_IMODE(os.stat(saves / name).st_mode) == 0o640, name
    assert leftovers(saves) == []


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o077, 0o002])
def test_new_file_mode_follows_the_umask(tmp_path, plan, umask):
    old = os.umask(umask)
    try:
        for fmt in ("yaml", "xlsx"):
            target = tmp_path / f"new-{umask:o}.{fmt}"
            plan.save(target)
            assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    finally:
        os.umask(old)


@pytest.mark.parametrize("fmt", ["yaml", "xlsx"])
@pytest.mark.parametrize("mode", [0o600, 0o640, 0o664, 0o606])
def test_existing_file_keeps_its_mode(tmp_path, plan, umask_027, fmt, mode):
    target = tmp_path / f"plan.{fmt}"
    plan.save(target)
    target.chmod(mode)
    plan.save(target)
    assert stat.S_IMODE(target.stat().st_mode) == mode


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
def test_root_saving_keeps_the_owner(tmp_path, plan):
    """root saving an analyst's file leaves it the analyst's (it used to
    become root's, and the analyst could no longer replace it)."""
    import pwd
    nobody = pwd.getpwnam("nobody")
    target = tmp_path / "plan.yaml"
    plan.save(target)
    os.chown(target, nobody.pw_uid, nobody.pw_gid)
    target.chmod(0o640)
    plan.save(target)
    st = target.stat()
    assert (st.st_uid, st.st_gid) == (nobody.pw_uid, nobody.pw_gid)
    assert stat.S_IMODE(st.st_mode) == 0o640


# ------------------------------------------------- what is refused, and how

@pytest.mark.parametrize("fmt", ["yaml", "xlsx"])
def test_read_only_target_is_refused(tmp_path, plan, fmt):
    """A read-only file (chmod a-w; Windows' read-only attribute) is not
    replaced, even by root: Excel refuses too.  It used to be replaced on
    POSIX (a rename needs only the folder) and failed on Windows."""
    target = tmp_path / f"plan.{fmt}"
    plan.save(target)
    old = target.read_bytes()
    target.chmod(0o444)
    edited = plan.copy()
    edited.title = "changed"
    with pytest.raises(WriteError) as info:
        edited.save(target)
    assert str(info.value).startswith(f"{target} is read-only: ")
    assert "Excel refuses too" in str(info.value)
    assert info.value.file == str(target)
    assert target.read_bytes() == old
    assert stat.S_IMODE(target.stat().st_mode) == 0o444
    assert leftovers(tmp_path) == []


def test_target_is_a_folder(tmp_path, plan):
    target = tmp_path / "plan.yaml"
    target.mkdir()
    (target / "inside").write_text("kept")
    with pytest.raises(WriteError) as info:
        plan.save(target)
    assert str(info.value) == f"{target} is a folder, not a file: cannot save a plan over it"
    assert (target / "inside").read_text() == "kept"
    assert leftovers(tmp_path) == []


def test_target_is_a_pipe(tmp_path, plan):
    """A pipe (or, for root, a device such as /dev/null) in the target's
    place is not replaced by a regular file."""
    target = tmp_path / "plan.yaml"
    os.mkfifo(target)
    with pytest.raises(WriteError, match="not a regular file"):
        plan.save(target)
    assert stat.S_ISFIFO(os.lstat(target).st_mode)
    assert leftovers(tmp_path) == []


def test_folder_that_does_not_exist(tmp_path, plan):
    target = tmp_path / "no-such-folder" / "plan.yaml"
    with pytest.raises(WriteError) as info:
        plan.save(target)
    assert str(info.value) == (f"the folder {target.parent} does not exist: "
                               f"cannot save {target}")


def test_symbolic_link_is_followed(tmp_path, plan):
    """Saving through a link replaces the file it points to; the link stays."""
    real = tmp_path / "real"
    real.mkdir()
    (real / "plan.yaml").write_text("old")
    link = tmp_path / "plan.yaml"
    link.symlink_to(real / "plan.yaml")
    plan.save(link)
    assert link.is_symlink()
    assert (real / "plan.yaml").read_text() == plan.dumps()
    assert plan.file == str(link)
    assert leftovers(tmp_path) == [] and leftovers(real) == []


def test_to_excel_bytes_leaves_the_plan_file_alone(plan):
    copy = planbook.load(SMALL)
    assert copy.to_excel_bytes()[:2] == b"PK"
    assert copy.file == str(SMALL)


# ------------------------------------------------- Windows, as far as Linux can

def windows_sharing_violation(src, dst):
    """What os.replace raises on Windows when dst is open in Excel."""
    exc = PermissionError(13, "The process cannot access the file because it is being "
                              "used by another process", src, None, dst)
    exc.winerror = 32  # ERROR_SHARING_VIOLATION (set by hand: Linux ignores the argument)
    return exc


@pytest.mark.parametrize("fmt", ["yaml", "xlsx"])
def test_replace_over_a_file_open_elsewhere(tmp_path, plan, monkeypatch, fmt):
    target = tmp_path / f"plan.{fmt}"
    plan.save(target)
    old = target.read_bytes()
    calls = []

    def replace(src, dst):
        calls.append(time.monotonic())
        raise windows_sharing_violation(src, dst)
    monkeypatch.setattr(os, "replace", replace)
    edited = plan.copy()
    edited.title = "changed"
    t0 = time.monotonic()
    with pytest.raises(WriteError) as info:
        edited.save(target)
    took = time.monotonic() - t0
    assert str(info.value) == (
        f"cannot replace {target}: the file is in use by another program (is it open in "
        f"Excel?) or read-only; close it and save again (the file is unchanged)")
    assert len(calls) == len(formats.REPLACE_RETRIES) + 1  # retried
    assert calls[-1] - calls[0] >= 0.9 * sum(formats.REPLACE_RETRIES)
    assert took < 5
    assert target.read_bytes() == old
    assert leftovers(tmp_path) == []


def test_replace_retried_until_the_file_is_closed(tmp_path, plan, monkeypatch):
    target = tmp_path / "plan.yaml"
    target.write_text("old")
    real_replace = os.replace
    calls = []

    def replace(src, dst):
        calls.append(dst)
        if len(calls) < 3:  # Excel closes the file during the second wait
            raise windows_sharing_violation(src, dst)
        return real_replace(src, dst)
    monkeypatch.setattr(os, "replace", replace)
    plan.save(target)
    assert len(calls) == 3
    assert target.read_text() == plan.dumps()
    assert leftovers(tmp_path) == []


def test_linux_permission_error_on_replace_is_not_retried(tmp_path, plan, monkeypatch):
    """On POSIX a PermissionError from rename is about the folder: said at once."""
    target = tmp_path / "plan.yaml"
    target.write_text("old")
    calls = []

    def replace(src, dst):
        calls.append(dst)
        raise PermissionError(13, "Permission denied", src, None, dst)
    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(WriteError, match="permission denied"):
        plan.save(target)
    assert len(calls) == 1
    assert target.read_text() == "old"
    assert leftovers(tmp_path) == []


def test_file_and_folder_are_fsynced(tmp_path, plan, monkeypatch):
    if os.name == "nt":
        pytest.skip("POSIX")
    synced = []
    real_fsync = os.fsync

    def fsync(fd):
        st = os.fstat(fd)
        synced.append("folder" if stat.S_ISDIR(st.st_mode) else "file")
        return real_fsync(fd)
    monkeypatch.setattr(os, "fsync", fsync)
    plan.save(tmp_path / "plan.yaml")
    assert synced == ["file", "folder"]


# ------------------------------------------------------------ stray folders

def dead_pid():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def stray(directory, base, pid, host=None, age=0.0):
    name = (f".{base}.planbook-tmp-{pid}-{host or formats._host_tag()}-"
            f"{os.urandom(4).hex()}")
    path = directory / name
    path.mkdir()
    (path / base).write_bytes(b"half a file")
    if age:
        t = time.time() - age
        os.utime(path / base, (t, t))
        os.utime(path, (t, t))
    return name


def test_next_save_removes_stray_folders_of_killed_saves(tmp_path, plan):
    dead = dead_pid()
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        gone = [stray(tmp_path, "plan.yaml", dead),
                stray(tmp_path, "plan.yaml", dead, host="00000000", age=2 * 3600)]
        kept = [stray(tmp_path, "plan.yaml", os.getpid()),  # a save in this process
                stray(tmp_path, "plan.yaml", sleeper.pid),  # a live process's
                # made on another machine, recently: its process cannot be checked
                stray(tmp_path, "plan.yaml", dead, host="00000000", age=60),
                stray(tmp_path, "other.yaml", dead)]  # another target's
        (tmp_path / ".plan.yaml.planbook-tmp-notes").write_text("not ours")
        (tmp_path / f".plan.yaml.planbook-tmp-{dead}-{formats._host_tag()}-ff").write_text(
            "a file, not a folder: not ours")
        plan.save(tmp_path / "plan.yaml")
        names = set(os.listdir(tmp_path))
        assert not names & set(gone)
        assert set(kept) <= names
        assert ".plan.yaml.planbook-tmp-notes" in names
    finally:
        sleeper.kill()
        sleeper.wait()


def test_long_names_get_a_short_recognisable_prefix(tmp_path, plan):
    base = "é" * 120 + ".yaml"  # 245 bytes: the folder's name must stay under 255
    prefix = formats._tmp_prefix(base)
    assert len(os.fsencode(prefix)) < 200 and prefix.endswith(".planbook-tmp-")
    assert formats._tmp_prefix("x" + base[1:]) != prefix
    dead = dead_pid()
    name = f"{prefix}{dead}-{formats._host_tag()}-00ff"
    (tmp_path / name).mkdir()
    plan.save(tmp_path / base)
    assert sorted(os.listdir(tmp_path)) == [base]


def test_concurrent_saves_of_one_target_do_not_remove_each_other(tmp_path, plan):
    """Threads saving the same target at once: each save completes (none
    removes another's folder), the target is one complete save."""
    target = tmp_path / "plan.yaml"
    errors = []

    def work():
        try:
            for _ in range(3):
                plan.save(target)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert leftovers(tmp_path) == []
    assert target.read_text() == plan.dumps()


def test_umask_without_owner_write(tmp_path, plan, request):
    """umask 0o277 makes new files 0o400: the save still writes its file,
    which ends 0o400 like any new file.  Run as nobody where possible (root
    writes whatever the mode)."""
    import shutil
    if os.geteuid() == 0 and shutil.which("setpriv") and not SANITIZED:
        import pwd
        import tempfile
        nobody = pwd.getpwnam("nobody")
        # pytest's tmp_path is in a folder only root may enter
        folder = pathlib.Path(tempfile.mkdtemp(prefix="planbook-umask-"))
        request.addfinalizer(lambda: shutil.rmtree(folder, ignore_errors=True))
        os.chown(folder, nobody.pw_uid, nobody.pw_gid)
        code = ("import os, planbook; os.umask(0o277); "
                f"planbook.load({str(SMALL)!r}).save({str(folder / 'plan.yaml')!r})")
        run = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                              sys.executable, "-B", "-c", code], capture_output=True,
                             text=True, cwd="/", timeout=60)
        if ("ModuleNotFoundError" in run.stderr or "failed to execute" in run.stderr
                or "error while loading shared libraries" in run.stderr):
            pytest.skip(f"nobody cannot run the venv here: {run.stderr[-300:]}")
        assert run.returncode == 0, run.stderr
        target = folder / "plan.yaml"
    else:
        old = os.umask(0o277)
        try:
            plan.save(tmp_path / "plan.yaml")
        finally:
            os.umask(old)
        target = tmp_path / "plan.yaml"
    assert stat.S_IMODE(target.stat().st_mode) == 0o400
    assert target.read_text() == plan.dumps()
    assert leftovers(target.parent) == []


def test_the_pack_is_written_by_the_same_protocol(tmp_path, plan, monkeypatch):
    """plan.report(path) wrote its HTML with its own copy of the old save,
    os.umask(0) included: it now goes through formats.write_atomically,
    so it never touches the umask and keeps an existing file's mode."""
    pytest.importorskip("jinja2")
    calls = []
    real = os.umask
    monkeypatch.setattr(os, "umask", lambda m: calls.append(m) or real(m))
    target = tmp_path / "pack.html"
    target.write_text("old")
    os.chmod(target, 0o640)
    plan.report(target)
    assert calls == []
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert not [p for p in os.listdir(tmp_path) if "planbook-tmp" in p]
