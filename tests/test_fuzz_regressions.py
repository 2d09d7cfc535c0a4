"""Replay the fuzzers' seed corpora and crash inputs through the Python API.

Every file under tests/fuzz/corpus/<target>/ and tests/fuzz/crashes/<target>/
(see tests/fuzz/run.sh) is fed to the entry point its target drives:

- fuzz_yaml: ``planbook.loads(data)`` must give a Plan or raise ReadError /
  ValidationError, nothing else; a Plan must check, and its YAML must read
  back as the same plan: the same findings (so the same formulas and
  references) and the same bytes when written again (the fuzz target's
  round-trip checks).
- fuzz_amount: first byte = decimals (byte % 7); the rest is the text given
  to ``planbook._core.parse_amount``: a result or ValidationError.
- fuzz_period: first byte = year start (byte % 12 + 1); the rest is the
  text given to ``planbook._core.parse_period``: a result or ValidationError.

The Python API takes str, so amount and period texts are decoded as UTF-8
(invalid bytes replaced); a text with a NUL is refused by the binding with a
plain ValueError before it reaches the core, which is accepted here.
"""
import pathlib

import pytest

import planbook
from planbook import _core

FUZZ = pathlib.Path(__file__).resolve().parent / "fuzz"
KINDS = ("corpus", "crashes")
MAX_DECIMALS = 6


def _inputs(target):
    files = []
    for kind in KINDS:
        d = FUZZ / kind / target
        if d.is_dir():
            files += sorted(p for p in d.iterdir()
                            if p.is_file() and not p.name.startswith("."))
    return files


def _ids(paths):
    return [f"{p.parent.parent.name}/{p.name}" for p in paths]


def _finding_key(f):
    # everything but the source position, which the canonical layout moves
    return (f.code, f.severity, f.table, f.row_index, f.column,
            str(f.declared), str(f.computed), str(f.difference), f.agreement,
            repr(f.other))


def _text(data):
    return data.decode("utf-8", errors="replace")


YAML_INPUTS = _inputs("fuzz_yaml")
AMOUNT_INPUTS = _inputs("fuzz_amount")
PERIOD_INPUTS = _inputs("fuzz_period")


def test_corpora_present():
    assert YAML_INPUTS and AMOUNT_INPUTS and PERIOD_INPUTS


@pytest.mark.parametrize("path", YAML_INPUTS, ids=_ids(YAML_INPUTS))
def test_yaml_input(path):
    data = path.read_bytes()
    try:
        plan = planbook.loads(data)
    except (planbook.ReadError, planbook.ValidationError):
        return
    assert isinstance(plan, planbook.Plan)
    findings = list(plan.check())
    for finding in findings:
        str(finding)
    first = planbook.dumps(plan)
    again = planbook.loads(first)
    assert sorted(map(_finding_key, again.check())) == sorted(map(_finding_key, findings))
    assert planbook.dumps(again) == first


def _parsed(path, option, parse):
    """What parse(text, option) makes of a fuzz input, as the fuzzer feeds
    it: option(first byte), the rest as text.  (option, result), or None
    where the input is empty or refused (a ValidationError, or a ValueError
    naming the NUL the text holds)."""
    data = path.read_bytes()
    if not data:
        return None
    chosen = option(data[0])
    text = _text(data[1:])
    try:
        return chosen, parse(text, chosen)
    except planbook.ValidationError:
        return None
    except ValueError as exc:
        if "\0" in text and "NUL" in str(exc):
            return None
        raise


@pytest.mark.parametrize("path", AMOUNT_INPUTS, ids=_ids(AMOUNT_INPUTS))
def test_amount_input(path):
    got = _parsed(path, lambda byte: byte % (MAX_DECIMALS + 1), _core.parse_amount)
    if got is None:
        return
    decimals, (state, value) = got
    assert state in ("value", "blank", "nil")
    assert isinstance(value, int)
    if state == "value":
        # the canonical text reads back as the same amount
        assert _core.parse_amount(_core.format_amount(value, decimals), decimals) == (
            "value", value)


@pytest.mark.parametrize("path", PERIOD_INPUTS, ids=_ids(PERIOD_INPUTS))
def test_period_input(path):
    got = _parsed(path, lambda byte: byte % 12 + 1, _core.parse_period)
    if got is None:
        return
    year_start, result = got
    canonical = result[0]
    assert _core.parse_period(canonical, year_start) == result
