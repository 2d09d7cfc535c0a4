"""Many plans at once (issue 19): planbook.open_many, planbook.dask.read,
and planbook check/summary over a folder, in processes and on a Dask
cluster.  Every file given is accounted for: a corrupt or foreign file is a
row of the findings and plans frames, never the end of the run."""

from __future__ import annotations

import decimal
import os
import shutil
import subprocess
import sys

import pytest

from conftest import EXAMPLES, SANITIZED, example_paths

pd = pytest.importorskip("pandas")

import planbook  # noqa: E402
from planbook.many import COLUMNS, PARTS, empty, expand, open_many  # noqa: E402

CI = bool(os.environ.get("CI"))


def _dask():
    """Dask is an extra; in CI (where the test extra installs it) its
    absence is a failure, elsewhere a skip.  Not in the sanitizer pass:
    Dask's frames go through pyarrow, whose C++ exceptions abort under
    ASan's interceptors (as matplotlib's do, tests/test_plots.py); the
    batch code is plain Python over planbook's API, which that pass covers
    (open_many, threads in tests/test_threads.py)."""
    if SANITIZED:
        pytest.skip("Dask (pyarrow) is not run under the ASan preload")
    try:
        import dask.dataframe  # noqa: F401
        import distributed  # noqa: F401
    except ImportError:
        if CI:
            raise
        pytest.skip("Dask is not installed (pip install 'planbook[dask]')")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """The examples, one of them also as a workbook, one in a subfolder, a
    second copy under the same name elsewhere, a plan with a July year
    start, a corrupt YAML file, a foreign .xlsx and a file of another kind
    (ignored: not a plan's suffix)."""
    d = tmp_path_factory.mktemp("plans")
    for p in example_paths():
        shutil.copy(p, d / p.name)
    (d / "sub").mkdir()
    shutil.copy(EXAMPLES / "manchester-children-2018-19.yaml", d / "sub" / "2018-19.yaml")
    (d / "other").mkdir()
    shutil.copy(EXAMPLES / "manchester-children-2018-19.yaml", d / "other" / "2018-19.yaml")
    spod = planbook.load(EXAMPLES / "manchester-spod-2007-08.yaml")
    spod.save(d / "spod.xlsx")
    july = planbook.load(EXAMPLES / "manchester-children-2018-19.yaml")
    july.year_start = 7
    july.save(d / "july.yaml")
    (d / "broken.yaml").write_text("planbook: 1\nbudgets: [unclosed\n", encoding="utf-8")
    (d / "foreign.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    (d / "notes.txt").write_text("not a plan", encoding="utf-8")
    return d


def _files(folder):
    return sorted(str(p) for p in folder.rglob("*") if p.suffix in (".yaml", ".xlsx"))


def test_expand_finds_every_plan_once(folder):
    files = expand([folder, folder / "sub" / "2018-19.yaml", str(folder / "*.yaml")])
    assert sorted(files) == _files(folder)
    assert len(files) == len(set(files))
    assert expand(folder / "missing.yaml") == [str(folder / "missing.yaml")]


def test_a_folder_named_like_a_plan_or_empty_is_reported_not_searched(tmp_path):
    (tmp_path / "plan.yaml").mkdir()
    (tmp_path / "empty").mkdir()
    assert expand([tmp_path / "plan.yaml", tmp_path / "empty"]) == [
        str(tmp_path / "plan.yaml"), str(tmp_path / "empty")]
    batch = open_many([tmp_path / "plan.yaml", tmp_path / "empty"])
    assert list(batch["plans"]["loaded"]) == [False, False]
    assert "is a folder" in batch["plans"]["error"].iloc[0]


@pytest.fixture(scope="module")
def batch(folder):
    return open_many(folder)


def test_every_file_is_accounted_for(batch, folder):
    plans = batch["plans"]
    assert sorted(plans["plan"]) == _files(folder)
    failed = batch.failures.set_index("plan")["error"]
    assert sorted(failed.index) == [str(folder / "broken.yaml"), str(folder / "foreign.xlsx")]
    assert "broken.yaml:3:1" in failed[str(folder / "broken.yaml")] \
        or "broken.yaml:2" in failed[str(folder / "broken.yaml")]
    assert "zip" in failed[str(folder / "foreign.xlsx")]
    unreadable = batch["findings"].query("code == 'unreadable'")
    assert sorted(unreadable["plan"]) == sorted(failed.index)
    assert (unreadable["severity"] == "error").all()
    assert int(plans["loaded"].sum()) + len(failed) == len(_files(folder))
    assert batch.summary() == (f"{len(plans)} plans: {len(plans) - 2} read, 2 could not be read; "
                               f"{int((plans['errors'].fillna(0) > 0).sum())} with errors")


@pytest.mark.parametrize("part", PARTS)
def test_frames_have_one_schema(batch, part):
    frame = batch[part]
    assert list(frame.columns) == [c for c, _ in COLUMNS[part]]
    assert frame.dtypes.to_dict() == empty(part).dtypes.to_dict()
    if part != "plans":
        assert len(frame), part


def test_each_files_frames_have_the_schema(folder):
    """Every file's own frames have the declared dtypes (object columns
    stay object even when a plan's values are all strings: pandas 3 would
    infer its str dtype, and frames of many plans would then differ)."""
    from planbook.many import frames_of_file
    for path in _files(folder):
        for part, frame in frames_of_file(path).items():
            assert frame.dtypes.to_dict() == empty(part).dtypes.to_dict(), (path, part)


@pytest.mark.parametrize("flush", [1, 50, 10**9])
def test_files_read_together_equal_the_files_read_one_by_one(batch, folder, monkeypatch, flush):
    """frames_of_files builds the rows of several plans into one frame
    (every FLUSH_ROWS rows): the same frames as one file at a time."""
    import planbook.many as many
    monkeypatch.setattr(many, "FLUSH_ROWS", flush)
    seen = []
    got = many.frames_of_files(_files(folder), PARTS, progress=seen.append)
    assert seen == _files(folder)
    for part in PARTS:
        pd.testing.assert_frame_equal(got[part], batch[part])
        one_by_one = pd.concat([many.frames_of_file(f, (part,))[part] for f in _files(folder)],
                               ignore_index=True)
        pd.testing.assert_frame_equal(got[part], one_by_one)
        assert got[part].dtypes.to_dict() == empty(part).dtypes.to_dict()


def test_budgets_are_each_plans_own_figures_exactly(batch, folder):
    path = folder / "manchester-children-families-2015-17.yaml"
    plan = planbook.load(path)
    name = str(path)
    mine = batch["budgets"].query("plan == @name")
    for tid in plan.budgets:
        own = plan.budgets[tid].to_pandas(amounts="decimal")
        rows = mine[mine["table"] == tid]
        assert len(rows) == len(own)
        got = [v for v in rows["value"] if v is not None]
        want = [v for v in own["value"] if isinstance(v, decimal.Decimal)]
        assert got == want
    total = mine.query("table == 'subjective' and column == 'y2015' and row_kind == 'line'")
    assert isinstance(total["value"].sum(), decimal.Decimal)


def test_same_name_in_two_folders_are_two_plans(batch, folder):
    names = set(batch["plans"]["plan"])
    assert str(folder / "sub" / "2018-19.yaml") in names
    assert str(folder / "other" / "2018-19.yaml") in names


def test_a_different_year_start_is_carried(batch, folder):
    plans = batch["plans"].set_index("plan")
    assert plans.loc[str(folder / "july.yaml"), "year_start"] == 7
    assert plans.loc[str(folder / "sub" / "2018-19.yaml"), "year_start"] == 4


def test_findings_of_each_plan_are_its_check(batch, folder):
    path = str(folder / "manchester-spod-2007-08.yaml")
    own = planbook.load(path).check()
    mine = batch["findings"].query("plan == @path")
    assert list(mine["message"]) == [f.message for f in own]
    book = str(folder / "spod.xlsx")
    xlsx = batch["findings"].query("plan == @book")
    assert list(xlsx["declared"]) == list(mine["declared"])


def test_processes_give_the_same_frames(batch, folder):
    two = open_many(folder, jobs=2)
    for part in PARTS:
        pd.testing.assert_frame_equal(two[part], batch[part])


def test_unknown_part_is_named(folder):
    with pytest.raises(ValueError, match="unknown part 'budget'.*budgets"):
        open_many(folder, parts=["budget"])


# ------------------------------------------------------------------ Dask

@pytest.mark.parametrize("part", PARTS)
def test_dask_threads_equal_the_sequential_frames(batch, folder, part):
    _dask()
    import planbook.dask as pbd
    frame = pbd.read(folder, part)
    assert frame.npartitions == len(_files(folder))
    assert frame.known_divisions
    assert list(frame.columns) == [c for c, _ in COLUMNS[part]]
    got = frame.compute(scheduler="threads").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, batch[part])


@pytest.mark.parametrize("per", [2, 5, 100])
def test_dask_several_files_per_partition_equal_the_sequential_frames(batch, folder, per):
    """files_per_partition: fewer, larger tasks, the same frames; the
    divisions are each run's first file, so .loc still finds one plan."""
    _dask()
    import dask
    import planbook.dask as pbd
    files = _files(folder)
    frame = pbd.read(folder, "budgets", files_per_partition=per)
    assert frame.npartitions == -(-len(files) // per)
    assert frame.divisions == tuple(files[::per]) + (files[-1],)
    got = frame.compute(scheduler="threads").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, batch["budgets"])
    path = str(folder / "manchester-spod-2007-08.yaml")
    one = frame.loc[path].compute(scheduler="sync")
    assert set(one["plan"]) == {path} and len(one) == len(open_many(path)["budgets"])
    frames = pbd.read_all(folder, ("plans", "findings", "indicators"), files_per_partition=per)
    for part, got in zip(frames, dask.compute(*frames.values(), scheduler="threads")):
        assert frames[part].npartitions == -(-len(files) // per)
        pd.testing.assert_frame_equal(got.reset_index(drop=True), batch[part])


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "2"])
def test_dask_files_per_partition_is_a_whole_number(folder, bad):
    _dask()
    import planbook.dask as pbd
    with pytest.raises(ValueError, match="files_per_partition is a whole number >= 1"):
        pbd.read(folder, "plans", files_per_partition=bad)
    with pytest.raises(ValueError, match="files_per_partition is a whole number >= 1"):
        pbd.read_all(folder, files_per_partition=bad)


def test_dask_read_all_loads_each_file_once(batch, folder, monkeypatch):
    """read_all's frames share one load per file: computed together, every
    part equals the sequential frame and each file was loaded once (read()
    per part would load it once per part)."""
    _dask()
    import dask
    import planbook.dask as pbd
    import planbook.many as many
    loaded = []

    def counting(paths, parts=PARTS):
        loaded.extend(paths)
        return many.frames_of_files(paths, parts)
    monkeypatch.setattr(pbd, "frames_of_files", counting)
    frames = pbd.read_all(folder, ("budgets", "indicators", "findings"))
    assert all(f.npartitions == len(_files(folder)) and f.known_divisions
               for f in frames.values())
    got = dask.compute(*frames.values(), scheduler="threads")
    for part, frame in zip(frames, got):
        pd.testing.assert_frame_equal(frame.reset_index(drop=True), batch[part])
    assert sorted(loaded) == sorted(set(loaded)) and len(loaded) == len(_files(folder))
    with pytest.raises(ValueError, match="unknown part 'budget'"):
        pbd.read_all(folder, ("budget",))


def test_dask_compute_without_a_cluster_is_dask_compute(batch, folder):
    """planbook.dask.compute with no distributed client (or a scheduler
    named) computes the frames together on Dask's scheduler: a dict gives
    a dict, a list a list, each equal to the sequential frame."""
    _dask()
    import dask
    import planbook.dask as pbd
    frames = pbd.read_all(folder, ("budgets", "findings"), files_per_partition=2)
    got = pbd.compute(frames, scheduler="threads")
    assert list(got) == ["budgets", "findings"]
    for part in got:
        pd.testing.assert_frame_equal(got[part].reset_index(drop=True), batch[part])
    with dask.config.set(scheduler="sync"):
        listed = pbd.compute([frames["findings"], pbd.read(folder, "risks")])
    pd.testing.assert_frame_equal(listed[0], got["findings"])
    pd.testing.assert_frame_equal(listed[1].reset_index(drop=True), batch["risks"])
    one = pbd.compute(pbd.read(folder, "plans", files_per_partition=3), scheduler="sync")
    pd.testing.assert_frame_equal(one.reset_index(drop=True), batch["plans"])


def test_dask_reads_one_plan_by_its_name(folder):
    _dask()
    import planbook.dask as pbd
    path = str(folder / "manchester-spod-2007-08.yaml")
    one = pbd.read(folder, "budgets").loc[path].compute(scheduler="sync")
    assert set(one["plan"]) == {path}
    assert len(one) == len(open_many(path)["budgets"])


@pytest.fixture(scope="module")
def cluster():
    _dask()
    if SANITIZED:
        pytest.skip("a cluster's worker processes are not run under the sanitizers")
    from distributed import LocalCluster
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as c:
        yield c


def _workers_held(client, until_empty_within):
    """How many keys each worker holds, polled until all are empty or the
    time is up (then the last counts, for the assertion to show)."""
    import time
    deadline = time.monotonic() + until_empty_within
    while True:
        held = client.run(lambda dask_worker: len(dask_worker.data))
        if not any(held.values()) or time.monotonic() > deadline:
            return held
        time.sleep(0.05)


def test_dask_on_a_local_cluster_equals_sequential(batch, folder, cluster):
    import planbook.dask as pbd
    from distributed import Client
    with Client(cluster) as client:
        for part in ("budgets", "findings", "indicators"):
            got = client.compute(pbd.read(folder, part)).result().reset_index(drop=True)
            pd.testing.assert_frame_equal(got, batch[part])
        frames = pbd.read_all(folder, ("plans", "findings"), files_per_partition=4)
        for part, got in zip(frames, client.compute(list(frames.values()), sync=True)):
            pd.testing.assert_frame_equal(got.reset_index(drop=True), batch[part])
        # planbook.dask.compute: partitions to the client as they are done,
        # concatenated here; the same frames, and no worker keeps any
        frames = pbd.read_all(folder, ("indicators", "findings"), files_per_partition=3)
        got = pbd.compute(frames)
        assert list(got) == ["indicators", "findings"]
        for part, frame in got.items():
            assert list(frame.index) == list(frame["plan"])
            pd.testing.assert_frame_equal(frame.reset_index(drop=True), batch[part])
        # a release travels client -> scheduler -> worker asynchronously:
        # every worker is empty within a few seconds (it would hold its
        # partitions for good if compute kept a reference)
        assert _workers_held(client, until_empty_within=30.0) == \
            {w: 0 for w in client.scheduler_info()["workers"]}
        # exact money through a distributed groupby
        sums = pbd.read(folder, "budgets").groupby("plan")["value"].sum().compute()
    assert all(isinstance(v, decimal.Decimal) for v in sums)
    want = batch["budgets"].groupby("plan")["value"].sum()
    assert sums.sort_index().tolist() == want.sort_index().tolist()


# ------------------------------------------------------------------ CLI

def _cli(*args):
    return subprocess.run([sys.executable, "-m", "planbook", *map(str, args)],
                          capture_output=True, text=True, env={**os.environ, "CI": "1"})


def test_check_over_a_folder_reports_every_file_and_a_total(folder):
    r = _cli("check", folder)
    assert r.returncode == 2                        # a file could not be read
    files = _files(folder)
    for f in files:
        assert f in r.stdout + r.stderr
    n_bad = 2
    with_errors = sum(1 for f in files
                      if f"{f}: 0 errors" not in r.stdout and f in r.stdout)
    assert r.stdout.rstrip().splitlines()[-1] == (
        f"{len(files)} plans: {len(files) - n_bad - with_errors} without errors, "
        f"{with_errors} with errors, {n_bad} could not be read")
    assert "Traceback" not in r.stderr


def test_check_in_processes_prints_the_same(folder):
    one, two = _cli("check", folder), _cli("check", folder, "-j", "2")
    assert (two.returncode, two.stdout, two.stderr) == (one.returncode, one.stdout, one.stderr)


def test_only_errors_in_plans_exit_1(folder):
    # the 2016-20 plan has no errors (the 2015/16 plan has its analyst agreements', issue 17)
    r = _cli("summary", folder / "manchester-spod-2007-08.yaml",
             folder / "manchester-childrens-services-2016-20.yaml", "--as-of", "2018-09-01")
    assert r.returncode == 1
    assert r.stdout.rstrip().endswith("2 plans: 1 without errors, 1 with errors, "
                                      "0 could not be read")


def test_an_empty_folder_and_bad_jobs_are_refused(tmp_path):
    r = _cli("check", tmp_path)
    assert r.returncode == 2 and "a folder with no plans in it" in r.stderr
    r = _cli("check", EXAMPLES, "-j", "0")
    assert r.returncode == 2 and "is not a number of processes" in r.stderr


def test_check_on_a_cluster(folder, cluster):
    local = _cli("check", folder)
    remote = _cli("check", folder, "--scheduler", cluster.scheduler_address)
    assert (remote.returncode, remote.stdout) == (local.returncode, local.stdout)


def test_an_unreachable_scheduler_is_one_line():
    _dask()
    r = _cli("check", EXAMPLES, "--scheduler", "tcp://127.0.0.1:9")
    assert r.returncode == 2
    assert "cannot be reached" in r.stderr and "Traceback" not in r.stderr


# ------------------------------------------------------------------ roll-ups

def _service(path, figures, *, year_start=4, columns=("y2024", "y2025")):
    """A service plan: a 'budget' table with Staff and Premises lines for
    2024/25 and 2025/26 (columns named differently in some plans)."""
    plan = planbook.Plan(title=path.stem, year_start=year_start)
    t = plan.budgets.add("budget", kind="objective", decimals=2, columns=[
        {"id": columns[0], "period": "2024/25"}, {"id": columns[1], "period": "2025/26"}])
    for label, values in figures.items():
        t.add_line(label, values)
    plan.save(path)
    return str(path)


def test_rollup_sums_exactly_up_the_hierarchy_and_finds_what_disagrees(tmp_path):
    from planbook.many import rollup
    a = _service(tmp_path / "libraries.yaml", {"Staff": ["100.5", 110], "Premises": [20, 21]})
    b = _service(tmp_path / "parks.yaml", {"Staff": [200, "210.25"], "Premises": [30, 31]},
                 columns=("budget_24", "budget_25"))          # other column ids, same periods
    c = _service(tmp_path / "schools.yaml", {"Staff": [1000, 1100]})
    july = _service(tmp_path / "july.yaml", {"Staff": [5, 5]}, year_start=7)
    # the directorate's own plan declares its totals: Staff 2025/26 misprinted
    own = _service(tmp_path / "neighbourhoods.yaml",
                   {"Staff": ["300.5", "320.00"], "Premises": [50, 52]})
    batch = open_many([a, b, c, july])
    mapping = {a: {"directorate": "Neighbourhoods", "council": "Anytown"},
               b: {"directorate": "Neighbourhoods", "council": "Anytown"},
               c: {"directorate": "Children", "council": "Anytown"},
               july: {"directorate": "Children", "council": "Anytown"}}
    totals, findings = rollup(batch, mapping, table="budget",
                              consolidated={"Neighbourhoods": own})
    got = {(r.level, r.group, r.label, r.period): (r.value, r.plans)
           for r in totals.itertuples()}
    D = decimal.Decimal
    assert got[("directorate", "Neighbourhoods", "Staff", "2024/25")] == (D("300.5"), 2)
    assert got[("directorate", "Neighbourhoods", "Staff", "2025/26")] == (D("320.25"), 2)
    assert got[("council", "Anytown", "Staff", "2024/25")] == (D("1300.5"), 3)
    assert got[("council", "Anytown", "Premises", "2025/26")] == (D("52"), 2)
    assert all(isinstance(v, decimal.Decimal) for v in totals["value"])
    codes = sorted(zip(findings["code"], findings["label"].fillna(""),
                       findings["period"].fillna("")))
    assert codes == [("rollup", "Staff", "2025/26"), ("year_start", "", "")]
    bad = findings[findings["code"] == "rollup"].iloc[0]
    assert (bad["declared"], bad["computed"], bad["difference"]) == (D("320.00"), D("320.25"),
                                                                     D("-0.25"))
    assert july in findings[findings["code"] == "year_start"]["message"].iloc[0]


def test_rollup_names_plans_the_mapping_misses(tmp_path):
    from planbook.many import rollup
    a = _service(tmp_path / "a.yaml", {"Staff": [1, 2]})
    with pytest.raises(ValueError, match="without a place in the mapping: .*a.yaml"):
        rollup(open_many([a]), {}, table="budget")


# ------------------------------------------------------------------ pickling

def _title_in_worker(plan):
    return plan.title, len(plan.check())


def test_plans_and_findings_pickle_without_a_text_format():
    import pickle
    from concurrent.futures import ProcessPoolExecutor
    for path in example_paths():
        plan = planbook.load(path)
        back = pickle.loads(pickle.dumps(plan))
        assert back == plan and back is not plan
        assert (back.file, back.parts) == (plan.file, plan.parts)
        findings = plan.check()
        again = pickle.loads(pickle.dumps(findings))
        assert [f.to_dict() for f in again] == [f.to_dict() for f in findings]
    plans = [planbook.load(p) for p in example_paths()]
    with ProcessPoolExecutor(max_workers=2) as pool:
        got = list(pool.map(_title_in_worker, plans))
    assert got == [(p.title, len(p.check())) for p in plans]
