"""A text the writer refuses (longer than Excel's 32,767 characters a cell)
is said with the part, the row (its id) and the field it is in, as well as
the sheet and cell (issue 15, "messages name the part, row and field").
Before, the sheet and cell alone were named for every part but budgets."""

from __future__ import annotations

import copy

import pytest
import yaml

import planbook
import test_text_payloads as payloads  # noqa: E402


@pytest.mark.parametrize("field,where", [
    ("risk.owner", "risk register 'strategic', risk '1', field 'owner': sheet 'strategic', "
                   "cell D5: "),
    ("risk.controls", "risk register 'strategic', risk '1', field 'controls': sheet "
                      "'strategic', cell E5: "),
    ("record.text", "collection 'workforce_activities', item '1' (#1), field 'text': sheet "
                    "'Workforce Activities', cell C5: "),
    ("record.lead", "collection 'equality_assessments', item '1' (#1), field 'lead': sheet "
                    "'equality_assessments', cell E5: "),
    ("measure.name", "indicator set 'performance', measure '1', field 'name': sheet "
                     "'Performance Plan', cell C5: "),
    ("measure.group", "indicator set 'performance', measure '1', field 'group': sheet "
                      "'Performance Plan', cell A5: "),
    ("row.label", "table 'subjective', row '"),
])
def test_a_text_too_long_for_a_cell_names_its_part_row_and_field(field, where, tmp_path):
    d = copy.deepcopy(payloads.BASE)
    payloads.FIELDS[field](d, "x" * 32768)
    plan = planbook.loads(yaml.safe_dump(d, allow_unicode=True, sort_keys=False,
                                         width=10**9))
    with pytest.raises(planbook.errors.WriteError) as e:
        plan.save(tmp_path / "plan.xlsx")
    assert where in str(e.value), str(e.value)
    assert "a text of 32768 characters is longer than Excel's limit of 32767" in str(e.value)
