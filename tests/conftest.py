import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SANITIZED = bool(os.environ.get("PLANBOOK_SANITIZED"))


@pytest.fixture
def root():
    return ROOT


def example_paths():
    return sorted(EXAMPLES.glob("*.yaml"))
