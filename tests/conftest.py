import contextlib
import os
import pathlib
import sys
import threading
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SANITIZED = bool(os.environ.get("PLANBOOK_SANITIZED"))


@pytest.fixture
def root():
    return ROOT


def example_paths():
    return sorted(EXAMPLES.glob("*.yaml"))


# ------------------------------------------------------------ the seed documents
def seeds_dir():
    """The seed documents' text (../shared/seeds from the repository root, or
    $PLANBOOK_SEEDS), or None where they are not at hand."""
    candidates = [os.environ.get("PLANBOOK_SEEDS"), ROOT.parent / "shared" / "seeds",
                  "/work/shared/seeds"]
    for c in candidates:
        if c and pathlib.Path(c).is_dir():
            return pathlib.Path(c)
    return None


SEEDS = seeds_dir()
# the mark of a module whose tests compare a transcription with the seed text
needs_seeds = pytest.mark.skipif(
    SEEDS is None, reason="seed documents not found (../shared/seeds from the repository root, "
                          "or set PLANBOOK_SEEDS): the transcription cannot be checked")


def seed_lines(number):
    """The lines of seed document `number` ("000", "001", ...)."""
    (path,) = SEEDS.glob(f"{number}_*.txt")
    return path.read_text(encoding="utf-8").split("\n")


# ------------------------------------------------------------ threads
@pytest.fixture
def fast_switching():
    """The interpreter's switch interval lowered to 10 us for the test, so
    that threads interleave often."""
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    yield
    sys.setswitchinterval(old)


@contextlib.contextmanager
def ticking(period):
    """A thread appending time.perf_counter() to the list it yields every
    `period` seconds while the block runs: where the ticks stop, the GIL was
    held (the thread runs Python code)."""
    ticks = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(period)

    th = threading.Thread(target=ticker)
    th.start()
    try:
        yield ticks
    finally:
        stop.set()
        th.join()


def strings_in(data):
    """Every string in a tree of dicts and lists (a plan's YAML as data)."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for v in data.values():
            yield from strings_in(v)
    elif isinstance(data, list):
        for v in data:
            yield from strings_in(v)


def change_kinds(changes):
    """The (kind, row) of each change of a planbook.diff."""
    return {(c.kind, c.row) for c in changes}
