"""A workbook re-saved by LibreOffice reads back into the plan it was
written from: an empty planbook.diff and no warnings (issue 15, "Also
found": no renames nobody made, such as _x0041_ -> _x005F_x0041_).

Every shipped example, and one plan per text of the payload corpus
(tests/test_text_payloads.py) with that text in every field that reaches a
cell or a sheet name, is written by planbook, opened and saved again as
.xlsx by headless LibreOffice (one soffice run for all), and read back.
What LibreOffice itself changes is stated (CHANGED_BY_LIBREOFFICE) and
checked to be exactly that.
"""

from __future__ import annotations

import copy
import warnings

import pytest
import yaml

import planbook

import xlsx_tools as xt  # noqa: E402
import test_text_payloads as payloads  # noqa: E402

if xt.soffice() is None:
    pytest.skip("LibreOffice (soffice) is not installed", allow_module_level=True)

TEXTS = {**payloads.ESCAPES, **payloads.OTHERS}

# what LibreOffice changes in a text (it keeps line breaks as LF only), as
# the text planbook then reads back
CHANGED_BY_LIBREOFFICE = {"carriage-return": "a\nb\nc"}

# texts LibreOffice damages beyond reading back: the reason.  (It breaks a
# paragraph of a multi-line cell after about 16,380 characters: the
# structure sheet's YAML is written in pieces of at most 16,000 bytes, so
# that "x" * 32767 in every field comes back.)
DAMAGED_BY_LIBREOFFICE: dict = {}


def payload_plan(text):
    d = copy.deepcopy(payloads.BASE)
    for setter in payloads.FIELDS.values():
        setter(d, text)
    return planbook.loads(yaml.safe_dump(d, allow_unicode=True, sort_keys=False,
                                         width=10**9))


PLANS = {name: (lambda name=name: planbook.examples.load(name))
         for name in planbook.examples.names()}
PLANS.update({f"payload {kind}": (lambda text=text: payload_plan(text))
              for kind, text in TEXTS.items()})


@pytest.fixture(scope="module")
def resaved(tmp_path_factory):
    """name -> (plan, the workbook LibreOffice saved); one soffice run."""
    src = tmp_path_factory.mktemp("xlsx_planbook")
    out = tmp_path_factory.mktemp("xlsx_libreoffice")
    plans, paths = {}, []
    for k, (name, make) in enumerate(PLANS.items()):
        plan = make()
        path = src / f"plan{k}.xlsx"
        plan.save(path)
        plans[name] = plan
        paths.append(path)
    converted = xt.libreoffice_convert(paths, out, recalc=False, timeout=600)
    return {name: (plans[name], conv) for name, conv in zip(PLANS, converted)}


@pytest.mark.parametrize("name", list(PLANS))
def test_a_libreoffice_resave_reads_back_unchanged(name, resaved):
    kind = name[len("payload "):] if name.startswith("payload ") else None
    if kind in DAMAGED_BY_LIBREOFFICE:
        pytest.xfail(DAMAGED_BY_LIBREOFFICE[kind])
    plan, path = resaved[name]
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        back = planbook.load(path)
    assert [str(x.message) for x in w] == []
    if kind in CHANGED_BY_LIBREOFFICE:
        plan = payload_plan(CHANGED_BY_LIBREOFFICE[kind])
    assert [str(c) for c in planbook.diff(plan, back)] == []
    assert back.parts == plan.parts
