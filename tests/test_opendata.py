"""The open-data standards (issue 19), checked by their own tools: budget
tables as an Open Fiscal Data Package validated by ``frictionless``, and
indicator sets as SDMX-CSV 2.0 read by ``sdmx1`` against the structure
they claim; both read back into a plan with nothing lost that the
standard holds, for one plan (convert, the API) and for many (a folder,
processes, Dask)."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from decimal import Decimal

import pytest

import planbook
from planbook._parts import PARTS
from conftest import EXAMPLES, SANITIZED, example_paths

CI = bool(os.environ.get("CI"))


def _need(module):
    try:
        return __import__(module)
    except ImportError:
        if CI:
            raise
        pytest.skip(f"{module} is not installed (pip install 'planbook[opendata]')")


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "planbook", *map(str, args)],
                          capture_output=True, text=True, env={**os.environ, "CI": "1"})


BUDGETS = [p for p in example_paths() if len(planbook.load(p).budgets)]
INDICATORS = [p for p in example_paths() if len(planbook.load(p).indicators)]


def budgets_only(plan):
    """What a fiscal data package carries of a plan: its metadata and
    budget tables (no dashboards, registers, records or agreements)."""
    ref = plan.copy()
    for part in (ref.indicators, ref.risks, ref.records):
        for k in list(part):
            part.remove(k)
    for a in list(ref.agreements):
        ref.remove_agreement(a.name)
    for described in (p for p in PARTS if p.described):      # contacts, timeline
        getattr(ref, described.name).clear()
    return ref


# ------------------------------------------------------------------ fiscal data package

@pytest.mark.parametrize("path", BUDGETS, ids=[p.stem for p in BUDGETS])
def test_fiscal_data_package_is_valid_and_reads_back(path, tmp_path):
    frictionless = _need("frictionless")
    plan = planbook.load(path)
    out = tmp_path / "out" / "datapackage.json"
    out.parent.mkdir()
    plan.save(out)
    report = frictionless.validate(str(out))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]
    pkg = json.loads(out.read_text(encoding="utf-8"))
    assert sorted(r["path"] for r in pkg["resources"]) == sorted(f"{t}.csv" for t in plan.budgets)
    assert sorted(os.listdir(out.parent)) == sorted(["datapackage.json"] +
                                                   [f"{t}.csv" for t in plan.budgets])
    back = planbook.load(out)
    assert back.parts == ("plan", "budgets")
    assert back.dumps() == budgets_only(plan).dumps()        # every table, row and figure
    assert sorted((f.code, f.table, f.row, f.column, f.message) for f in back.check()) == \
        sorted((f.code, f.table, f.row, f.column, f.message) for f in plan.check()
               if f.part == "budgets" and f.code not in ("agreement", "narrative"))


def test_fiscal_model_says_currency_factor_phase_and_classification(tmp_path):
    plan = planbook.load(EXAMPLES / "manchester-children-2018-19.yaml")
    out = tmp_path / "datapackage.json"
    plan.save(out)
    pkg = json.loads(out.read_text(encoding="utf-8"))
    m = pkg["model"]["measures"]
    assert m["subjective.y2018"] == {
        "source": "y2018", "resource": "subjective", "currency": "GBP",
        "title": "2018-2019 Budget £'000", "factor": 1000, "phase": "approved",
        "period": "2018/19"}
    assert m["subjective.y2019"]["phase"] == "proposed"          # Indicative Budget
    dims = pkg["model"]["dimensions"]
    assert dims["subjective.label"]["classificationType"] == "economic"
    with open(tmp_path / "subjective.csv", newline="", encoding="utf-8") as f:
        rows = {r["label"]: r for r in csv.DictReader(f)}
    assert (rows["Employees"]["y2018"], rows["Employees"]["direction"]) == ("55919", "expenditure")
    assert (rows["Government Grants"]["y2019"], rows["Government Grants"]["direction"]) == (
        "333474", "revenue")
    assert rows["Gross Expenditure"]["y2018"] == "449923"         # totals as printed
    objective = planbook.load(EXAMPLES / "manchester-children-families-2015-17.yaml")
    (tmp_path / "o").mkdir()
    objective.save(tmp_path / "o" / "datapackage.json")
    pkg = json.loads((tmp_path / "o" / "datapackage.json").read_text(encoding="utf-8"))
    assert pkg["model"]["dimensions"]["objective.label"]["classificationType"] == "functional"
    fte = pkg["model"]["measures"]["business_areas.fte_2015"]
    assert "currency" not in fte and fte["unit"] == "FTE"       # FTE is not money


def test_fiscal_data_package_by_convert_and_back(tmp_path):
    r = _cli("convert", EXAMPLES / "manchester-spod-2007-08.yaml",
             tmp_path / "out" / "datapackage.json")
    assert r.returncode == 0, r.stderr
    r = _cli("convert", tmp_path / "out" / "datapackage.json", tmp_path / "plan.yaml")
    assert r.returncode == 0, r.stderr
    back = planbook.load(tmp_path / "plan.yaml")
    spod = planbook.load(EXAMPLES / "manchester-spod-2007-08.yaml")
    assert back.dumps() == budgets_only(spod).dumps()
    r = _cli("convert", EXAMPLES / "manchester-children-post-inspection-2018.yaml",
             tmp_path / "none" / "datapackage.json")
    assert r.returncode == 2 and "the plan has no budget tables" in r.stderr
    (tmp_path / "other.json").write_text('{"name": "x", "resources": []}', encoding="utf-8")
    with pytest.raises(planbook.ReadError, match="not a data package planbook wrote"):
        planbook.load(tmp_path / "other.json", format="ofdp")


# ------------------------------------------------------------------ SDMX-CSV

def _dsd():
    """The structure the files name (PLANBOOK:PLAN_INDICATORS(1.0)), built
    with sdmx1's own model."""
    _need("sdmx")
    from sdmx.model import common, v30
    import planbook_sdmx
    d = v30.DataStructureDefinition(id="PLAN_INDICATORS", version="1.0",
                                    maintainer=common.Agency(id="PLANBOOK"))
    for i, dim in enumerate(planbook_sdmx.DIMENSIONS):
        cls = v30.TimeDimension if dim == "TIME_PERIOD" else v30.Dimension
        d.dimensions.append(cls(id=dim, order=i))
    d.measures.append(v30.Measure(id="OBS_VALUE"))
    for a in planbook_sdmx.ATTRIBUTES:
        d.attributes.append(v30.DataAttribute(id=a))
    return d


def _read_sdmx(path):
    from sdmx.reader.csv import Reader
    reader = Reader()
    with open(path, "rb") as f:
        msg = reader.convert(f, structure=_dsd())
    assert reader.options.custom_columns == []        # every column is of the structure
    return [o for ds in msg.data for o in ds.obs]


def indicator_view(plan):
    out = []
    for sid in plan.indicators:
        s = plan.indicators[sid]
        ms = []
        for m in s:
            series = [("values", m.values), ("targets", m.targets)] + \
                [(c, m.comparator(c)) for c in s.comparators]
            ms.append((m.ref, m.name, m.unit, m.per, m.polarity, m.group,
                       [(k, p, o.status, o.value, o.note, o.percent, o.grouped)
                        for k, ser in series for p, o in ser.as_dict().items()]))
        out.append((sid, s.title, s.periods, s.comparators, ms))
    return out


@pytest.mark.parametrize("path", INDICATORS, ids=[p.stem for p in INDICATORS])
def test_sdmx_csv_reads_in_sdmx1_and_back(path, tmp_path):
    plan = planbook.load(path)
    out = tmp_path / "indicators.sdmx.csv"
    plan.save(out)
    obs = _read_sdmx(out)
    with open(out, newline="", encoding="utf-8") as f:
        assert len(obs) == sum(1 for _ in f) - 1
    for o in obs:
        period = o.dimension.values["TIME_PERIOD"].value
        assert re.fullmatch(r"\d{4}-(A1|Q[1-4]|\d{2})", period), period
        assert o.attached_attribute["REPORTING_YEAR_START_DAY"].value == "--04-01"
        assert o.attached_attribute["OBS_STATUS"].value in set("APEOML")
    back = planbook.load(out)
    assert back.parts == ("plan", "indicators")
    assert indicator_view(back) == indicator_view(plan)
    # the status engine gives the same dashboards
    for sid in plan.indicators:
        if plan.indicators[sid].report_period is not None:
            assert back.indicators[sid].status().counts() == \
                plan.indicators[sid].status().counts()


def test_sdmx_statuses_notes_units_and_comparators(tmp_path):
    plan = planbook.load(EXAMPLES / "manchester-children-2018-19.yaml")
    plan.save(tmp_path / "p.sdmx.csv")
    obs = {tuple(v.value for v in o.dimension.values.values()): o
           for o in _read_sdmx(tmp_path / "p.sdmx.csv")}

    def attrs(o):
        return {k: v.value for k, v in o.attached_attribute.items() if v.value}
    eet = obs[("performance", "7", "VALUE", "2017-A1")]           # 91.2% (Dec-Feb)
    assert eet.value == 91.2 or str(eet.value) == "91.2"
    assert attrs(eet) == {"OBS_STATUS": "A", "COMMENT_OBS": "Dec-Feb", "UNIT_MEASURE": "percent",
                          "POLARITY": "high", "PB_FORMAT": "%",
                          "MEASURE_NAME": "Post-16 Education, Employment and Training (EET)",
                          "MEASURE_GROUP": "Young People", "SET_TITLE": "Performance Plan",
                          "REPORTING_YEAR_START_DAY": "--04-01", "CUMULATIVE": "false",
                          "SET_CUMULATIVE": "false", "SET_DIRECTION": "previous",
                          "SET_LATEST": "2017-A1"}
    tbc = obs[("performance", "7", "TARGET", "2019-A1")]
    na = obs[("performance", "7", "TARGET", "2018-A1")]
    assert (attrs(tbc)["OBS_STATUS"], attrs(tbc)["PB_STATUS"]) == ("O", "tbc")
    assert attrs(na)["OBS_STATUS"] == "M" and "PB_STATUS" not in attrs(na)
    kids = planbook.load(EXAMPLES / "manchester-children-families-2015-17.yaml")
    kids.save(tmp_path / "k.sdmx.csv")
    obs = {tuple(v.value for v in o.dimension.values.values()): o
           for o in _read_sdmx(tmp_path / "k.sdmx.csv")}
    # the dashboard's comparators print no figures: each is declared once, blank
    comps = [(k, attrs(o)) for k, o in obs.items() if k[0] == "children"
             and k[2] not in ("VALUE", "TARGET")]
    assert [(k[2], a["COMPARATOR"], a["OBS_STATUS"]) for k, a in comps] == [
        ("sn", "Statistical neighbours", "L"), ("england", "England", "L")]
    q3 = obs[("children", "1.3", "VALUE", "2014-Q3")]
    assert str(q3.value) == "80.9"
    a = attrs(q3)
    assert (a["UNIT_MEASURE"], a["PER"], a["POLARITY"]) == ("rate", "10000", "low")
    assert (a["GOOD"], a["OF_CONCERN"], a["ACTION_REQUIRED"]) == ("42.1", "59.8", "118.7")
    assert (a["SET_DIRECTION"], a["SET_LATEST"]) == ("outturn", "2014-Q3")


def test_sdmx_errors_name_the_line(tmp_path):
    bad = tmp_path / "bad.sdmx.csv"
    bad.write_text("STRUCTURE,STRUCTURE_ID,ACTION,SET,MEASURE,SERIES,TIME_PERIOD,OBS_VALUE,"
                   "OBS_STATUS\ndataflow,X(1.0),I,k,1,VALUE,2018-A1,8O.9,A\n", encoding="utf-8")
    with pytest.raises(planbook.ReadError, match="'8O.9' is not a number") as e:
        planbook.load(bad)
    assert e.value.line == 2
    bad.write_text("STRUCTURE,STRUCTURE_ID,SET\n", encoding="utf-8")
    with pytest.raises(planbook.ReadError, match="no column MEASURE, OBS_VALUE, SERIES"):
        planbook.load(bad)


# ------------------------------------------------------------------ many plans, Dask

@pytest.fixture
def folder(tmp_path):
    d = tmp_path / "plans"
    d.mkdir()
    for p in example_paths():
        shutil.copy(p, d / p.name)
    (d / "again").mkdir()
    shutil.copy(EXAMPLES / "manchester-spod-2007-08.yaml", d / "again" / p.name)
    (d / "broken.yaml").write_text("planbook: 1\nbudgets: [unclosed\n", encoding="utf-8")
    return d


def test_convert_many_accounts_for_every_file(folder, tmp_path):
    from planbook.many import convert_many, expand
    done = convert_many(folder, tmp_path / "ofdp", to="ofdp")
    assert len(done) == len(expand(folder)) == 7
    failed = {os.path.basename(r["plan"]): r["error"] for r in done if r["error"]}
    assert set(failed) == {"broken.yaml", "manchester-children-post-inspection-2018.yaml",
                           "manchester-childrens-services-2016-20.yaml"}
    assert "no budget tables" in failed["manchester-childrens-services-2016-20.yaml"]
    written = sorted(os.path.relpath(r["output"], tmp_path / "ofdp") for r in done
                     if r["output"])
    assert len(os.listdir(tmp_path / "ofdp")) == 4      # no empty folder for a failure
    assert written == ["manchester-children-2018-19/datapackage.json",
                       "manchester-children-families-2015-17/datapackage.json",
                       "manchester-spod-2007-08-2/datapackage.json",   # the same name twice
                       "manchester-spod-2007-08/datapackage.json"]
    sdmx = convert_many(folder, tmp_path / "sdmx", to="sdmx", jobs=2)
    assert [r["plan"] for r in sdmx] == [r["plan"] for r in done]
    ok = [r for r in sdmx if r["output"]]
    assert len(ok) == 5            # all but the broken file and the plan with no indicators
    for r in ok:
        assert indicator_view(planbook.load(r["output"])) == indicator_view(planbook.load(r["plan"]))


def test_convert_on_dask_equals_the_loop(folder, tmp_path):
    if SANITIZED:
        pytest.skip("Dask is not run under the ASan preload")
    _need("dask")
    import dask
    import planbook.dask
    from planbook.many import convert_many
    job = planbook.dask.convert(folder, tmp_path / "dask", to="sdmx")
    with dask.config.set(scheduler="threads"):
        done = job.compute()
    loop = convert_many(folder, tmp_path / "loop", to="sdmx")
    assert [(r["plan"], r["error"] is None) for r in done] == \
        [(r["plan"], r["error"] is None) for r in loop]
    for a, b in zip(done, loop):
        if a["output"]:
            assert open(a["output"], "rb").read() == open(b["output"], "rb").read()
    # and on a dask.distributed cluster (one worker process, started and
    # closed here), where the workers write the files
    from distributed import Client, LocalCluster
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                      dashboard_address=":0") as cluster, Client(cluster) as client:
        far = client.compute(planbook.dask.convert(folder, tmp_path / "far", to="ofdp")).result()
    near = convert_many(folder, tmp_path / "near", to="ofdp")
    def outcome(results, out):
        return [(r["plan"], r["error"] and r["error"].replace(str(out), "OUT")) for r in results]
    assert outcome(far, tmp_path / "far") == outcome(near, tmp_path / "near")
    for a, b in zip(far, near):
        if a["output"]:
            assert planbook.load(a["output"]).dumps() == planbook.load(b["output"]).dumps()


def test_convert_command_over_a_folder(folder, tmp_path):
    r = _cli("convert", folder, tmp_path / "out", "--to", "sdmx", "-j", "2")
    assert r.returncode == 2                       # two plans could not be converted
    assert r.stdout.splitlines()[-1] == "7 plans: 5 written, 2 could not be converted"
    assert "broken.yaml" in r.stderr and "the plan has no indicator sets" in r.stderr
    assert sorted(os.listdir(tmp_path / "out")) == [
        "manchester-children-2018-19.sdmx.csv", "manchester-children-families-2015-17.sdmx.csv",
        "manchester-childrens-services-2016-20.sdmx.csv", "manchester-spod-2007-08-2.sdmx.csv",
        "manchester-spod-2007-08.sdmx.csv"]


def test_a_damaged_package_is_a_read_error(tmp_path):
    plan = planbook.load(EXAMPLES / "manchester-children-2018-19.yaml")
    plan.save(tmp_path / "datapackage.json")
    pkg = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    del pkg["planbook"]["tables"][0]["columns"]
    (tmp_path / "datapackage.json").write_text(json.dumps(pkg), encoding="utf-8")
    with pytest.raises(planbook.ReadError, match="not as planbook writes it: KeyError"):
        planbook.load(tmp_path / "datapackage.json")
    plan.save(tmp_path / "datapackage.json")
    with open(tmp_path / "subjective.csv", "a", encoding="utf-8") as f:
        f.write("99,,bogus,,,,,,,1,2\r\n")
    with pytest.raises(planbook.ReadError, match="subjective.csv:18: kind 'bogus' is not") as e:
        planbook.load(tmp_path / "datapackage.json")
    assert e.value.line == 18


def test_sdmx_csv_written_elsewhere_reads_in(tmp_path):
    """Only the dimensions and OBS_VALUE are needed, in any order, with
    names after the ids; a quarter of a January year, a provisional figure."""
    f = tmp_path / "other.sdmx.csv"
    f.write_text("STRUCTURE,STRUCTURE_ID,ACTION,TIME_PERIOD: Time,OBS_VALUE,SET,MEASURE,SERIES,"
                 "OBS_STATUS,REPORTING_YEAR_START_DAY\r\n"
                 "dataflow,ESTAT:X(1.0),I,2023-Q4,12.50,kpi,K1,VALUE,A,--01-01\r\n"
                 "dataflow,ESTAT:X(1.0),I,2024-Q1,13.1,kpi,K1,VALUE,P,--01-01\r\n"
                 "dataflow,ESTAT:X(1.0),I,2024-Q1,14,kpi,K1,TARGET,,--01-01\r\n",
                 encoding="utf-8")
    plan = planbook.load(f)
    assert plan.year_start == 1
    k = plan.indicators["kpi"]
    assert k.periods == ["2023 Q4", "2024 Q1"]
    v = k["K1"].values.as_dict()
    assert (v["2023 Q4"].value, v["2023 Q4"].status) == (Decimal("12.50"), "normal")
    assert (v["2024 Q1"].value, v["2024 Q1"].status) == (Decimal("13.1"), "provisional")
    assert k["K1"].targets["2024 Q1"].value == Decimal(14)


def test_a_failed_task_never_removes_the_shared_output_folder(tmp_path):
    """Tasks run at once (Dask threads): one that fails must not remove the
    folder the others write into.  convert_targets makes it before any task
    runs, so a failure finds it there and leaves it (a race before: the
    failing task made the folder, then removed it under a running save)."""
    from planbook.many import convert_one, convert_targets
    out = tmp_path / "out"
    jobs = convert_targets([EXAMPLES / "manchester-children-post-inspection-2018.yaml"],
                           out, "sdmx")
    assert out.is_dir()
    result = convert_one(jobs[0])
    assert result["error"] and "no indicator sets" in result["error"]
    assert out.is_dir()
