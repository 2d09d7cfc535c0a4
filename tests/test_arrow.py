"""The Arrow PyCapsule interface: budget tables and indicator observations
read by pyarrow, polars and DuckDB straight from the core, exactly."""

import gc
import os
from decimal import Decimal

import pytest

import planbook

SANITIZED = os.environ.get("PLANBOOK_SANITIZED") == "1"


def test_a_stream_nobody_reads_is_released():
    """Runs in the sanitizer pass too: the capsule frees its batch."""
    p = planbook.examples.load("manchester-children-families-2015-17")
    for _ in range(3):
        cap = p.budgets["savings"].__arrow_c_stream__()
        assert type(cap).__name__ == "PyCapsule"
        cap2 = p.indicators["children"].__arrow_c_stream__()
        del cap, cap2
        gc.collect()


def consumers():
    if SANITIZED:
        pytest.skip("pyarrow, polars and DuckDB are not run under the ASan preload")
    return (pytest.importorskip("pyarrow"), pytest.importorskip("polars"),
            pytest.importorskip("duckdb"))


@pytest.mark.parametrize("name", planbook.examples.names())
def test_budget_tables_through_arrow_are_exact(name):
    pa, pl, duckdb = consumers()
    plan = planbook.examples.load(name)
    for tid in plan.budgets:
        t = plan.budgets[tid]
        at = pa.table(t)
        got = at.to_pylist()   # rows in print order, then amount columns
        n = 0
        types = {c.id: c.type for c in t.columns}
        for row, cells in zip(t.rows, t.cells()):
            if row.kind == "section":
                continue
            for cell in cells:
                if types[cell.column] != "amount":
                    continue
                g = got[n]
                assert (g["label"], g["column"]) == (row.label, cell.column)
                want_p = cell.printed if cell.state == "value" else (
                    Decimal(0) if cell.state == "nil" else None)
                assert g["printed"] == want_p, (tid, row.label, cell.column)
                assert g["computed"] == cell.computed, (tid, row.label, cell.column)
                n += 1
        assert at.num_rows == n
        assert pl.from_arrow(at).height == at.num_rows


def test_observations_through_pyarrow_polars_and_duckdb():
    pa, pl, duckdb = consumers()
    s = planbook.examples.load("manchester-children-families-2015-17").indicators["children"]
    obs = pa.table(s)
    assert str(obs.schema.field("value").type) == "decimal128(38, 6)"
    df = pl.DataFrame(s)  # polars reads the stream itself
    row = df.filter((pl.col("ref") == "1.3") & (pl.col("period") == "2014/15 Q3"))
    assert row["value"].to_list() == [Decimal("80.900000")]
    rel = duckdb.sql("select count(*) from obs where series = 'value' and status = 'normal'")
    assert rel.fetchall()[0][0] == sum(1 for m in s for p in s.periods
                                    if m.values[p].value is not None)
