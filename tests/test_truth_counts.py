"""Counts in the narrative (issue 17, "Figures in the narrative"): a count
written with its unit word ("employs 2,691 FTEs", "623 staff", "around 600
full-time equivalent posts") is compared with the count columns of the
tables whose unit is of the same family (FTE, staff, posts; children,
pupils; places).  The same digits in another unit of the family, or in
another magnitude, is a warning on the table's cell with the narrative's
place as its other side; where the figures agree nothing is reported.

The examples' narratives write their counts as the tables print them, so
each finding is made by editing one figure of an example's own text and
asserted by its figures; the unedited examples report no count."""
from decimal import Decimal

import pytest

import planbook

SPOD = "manchester-spod-2007-08"
CF = "manchester-children-families-2015-17"


def counts(plan):
    """The narrative warnings about counts (money ones start with "£")."""
    return [f for f in plan.check() if f.code == "narrative" and f.severity == "warning"
            and " writes £" not in f.message]


def edit(plan, coll, item, old, new):
    rec = plan.records[coll][item]
    assert old in rec["text"], old
    rec["text"] = rec["text"].replace(old, new)


@pytest.mark.parametrize("name", [SPOD, CF])
def test_the_counts_the_examples_write_agree_with_their_tables(name):
    assert counts(planbook.examples.load(name)) == []


def test_the_2015_17_counts_are_read_and_agree():
    """The three counts of the 2015-17 narrative agree with the tables: by
    value and unit (2,691 FTEs, 2,996 FTE) and with the sign a reduction
    drops (305 FTE for the FTE change -305).  Each, written in another unit
    of the workforce, is then reported at the cell it matched."""
    for coll, item, old, new, where, decl, comp in [
        ("report_narrative", "8", "employs 2,691 FTEs", "employs 2,691 staff",
         ("business_areas", "Total", "fte_2015"), 2691, 2691),
        ("plan_narrative", "10.4", "workforce of 2,996 FTE", "workforce of 2,996 posts",
         ("service_activity", "Total", "fte_2014"), 2996, 2996),
        ("plan_narrative", "10.4", "circa 305 FTE", "circa 305 staff",
         ("service_activity", "Total", "fte_change_2015"), -305, -305),
    ]:
        plan = planbook.examples.load(CF)
        edit(plan, coll, item, old, new)
        (f,) = counts(plan)
        assert (f.severity, f.table, f.row, f.column) == ("warning",) + where
        assert (f.declared, f.computed, f.difference) == (Decimal(decl), Decimal(comp), 0)
        assert f.other == {"table": coll, "row": item, "column": "text"}
        written = " ".join(new.split()[-2:])  # "2,691 staff"
        assert f"writes {written}, but {where[0]} 'Total'" in f.message
        assert f.message.endswith(f"is {comp:,} FTE: the same digits in another unit")


def test_a_count_in_another_magnitude_is_a_warning_with_its_figures():
    plan = planbook.examples.load(CF)
    edit(plan, "report_narrative", "8", "employs 2,691 FTEs", "employs 2,691 thousand FTEs")
    (f,) = counts(plan)
    assert (f.table, f.row, f.column) == ("business_areas", "Total", "fte_2015")
    assert (f.declared, f.computed, f.difference) == (
        Decimal(2691000), Decimal(2691), Decimal(2691000 - 2691))
    assert "writes 2,691 thousand FTEs, 2,691,000 FTE, but business_areas 'Total'" in f.message
    assert f.message.endswith("is 2,691 FTE: the same digits in another magnitude")
    # the same count, scaled right, agrees
    edit(plan, "report_narrative", "8", "2,691 thousand FTEs", "2.691 thousand FTEs")
    assert counts(plan) == []


def test_the_2007_08_headcount_against_the_staff_tables():
    """The workforce tables of the 2007/08 plan count staff (623 in all):
    "623 staff" agrees, "623 FTE" is another unit at the total's cell; the
    narrative's "around 600 full-time equivalent posts" matches no cell."""
    plan = planbook.examples.load(SPOD)
    text = plan.records["narrative"]["service_overview"]["text"]
    assert "around 600 full-time equivalent posts" in text and counts(plan) == []
    rec = plan.records["narrative"]["workforce_plan"]
    base = rec["text"]
    rec["text"] = base + "\n\nThe division has 623 staff."
    assert counts(plan) == []
    rec["text"] = base + "\n\nThe division has 623 full-time equivalents."
    (f,) = counts(plan)
    assert (f.table, f.row, f.column) == (
        "workforce_counts", "Strategy performance and operations.", "total")
    assert (f.declared, f.computed, f.difference) == (Decimal(623), Decimal(623), 0)
    assert "writes 623 full-time equivalents, but workforce_counts" in f.message
    assert f.message.endswith("is 623 staff: the same digits in another unit")


@pytest.mark.parametrize("written", [
    "2,691 children",        # another family of units: not compared
    "2,691 places",
    "2,691",                 # no unit word: not a count the check reads
    "c2,691 FTE",            # part of a longer token
    "£2,691 FTE",            # money (the money check's)
    "2,692 staff",           # no cell has these digits
    "73 staff",              # under 100: small counts match by chance
])
def test_what_is_not_compared(written):
    plan = planbook.examples.load(CF)
    edit(plan, "report_narrative", "8", "employs 2,691 FTEs", f"employs {written}")
    assert counts(plan) == []


def test_the_cell_reported_is_the_first_tables_whatever_the_order():
    """2,691 FTE is printed in two tables (business_areas and
    service_activity): the finding sits on the table with the first id."""
    plan = planbook.examples.load(CF)
    assert plan.budgets["service_activity"].rows["total"]["fte_2015"].value == 2691
    edit(plan, "report_narrative", "8", "employs 2,691 FTEs", "employs 2,691 staff")
    (f,) = counts(plan)
    assert f.table == "business_areas"
