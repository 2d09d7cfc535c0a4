#!/usr/bin/env python3
"""The status benchmark: the indicator status engine (planbook, C) against a
vectorised pandas implementation of the same rules and a plain Python loop,
on about a million observations; and the whole path to a workbook.

    python bench/run_status.py [--measures 20000] [--repeat 3] [--seed 1]
                               [--quick] [--json PATH] [--docs PATH | --no-docs]
                               [--python PATH]

The plan (one indicator set of ``--measures`` measures x 48 months, Apr 2010
.. Mar 2014, with the four financial years 2010/11 .. 2013/14 as periods too
to carry the targets; ``direction: previous``) is made by
bench/gen_indicators.py into bench/build/status/, cached by size, seed and a
hash of the generator.  The generator also writes the same figures (in
hundredths) to a .npz for the pandas and loop implementations.

Every measurement runs in a fresh process (``python bench/run_status.py
--child TASK ...``), ``--repeat`` times, the tasks taking turns:

* planbook         ``planbook.load`` (timed: *load*), then
                   ``plan.indicators["big"].status_codes()`` (timed:
                   *status*: every measure at every period), then
                   ``.to_pandas()`` of those codes (timed: *to_pandas*).
* pandas           the wide DataFrame (one row per measure: polarity,
                   good, concern, the 48 months' values and the 4 years'
                   targets as float columns, one numpy block) is built
                   first, not timed; then :func:`status_pandas_wide`
                   (timed): branch-free, as a pandas expert writes it.
* pandas_long      the long DataFrame (one row per measure and month:
                   measure, period, value, polarity, good, concern, the
                   target of the month's financial year) is built first, not
                   timed; then :func:`status_pandas` (timed).
* loop             lists built first, not timed; then :func:`status_loop`.
* planbook path    ``planbook.load`` + ``status_codes()`` +
                   ``planbook.save(plan, "x.xlsx")`` (the workbook with its
                   dashboard sheet), one wall time.
* pandas path      (openpyxl, and XlsxWriter when installed): from the same
                   DataFrame in memory, :func:`status_pandas` + the dashboard
                   table (:func:`dashboard_pandas`: the sheet's rows and
                   columns) + ``to_excel``.

The three status implementations must agree on every observation's RAG,
previous-period direction and target answer (the codes are compared in full;
planbook's ``last`` must equal its ``previous``, and its financial-year
periods, which have no results, must have no status): otherwise the script
prints the first disagreements and exits 1 without writing the docs.  The
planbook workbook must have its dashboard sheet (checked with openpyxl, read
only): if it has none, that is reported and the path still timed.

Figures are medians (and min-max); peak delta is the peak RSS during the
timed part (VmHWM, reset just before it) minus the RSS just before it.
Ratios with the targets of issues 4 and 18: pandas (wide) status / planbook
status >= 20x;
pandas status + to_excel / planbook (load + status + save) > 1x.  The table
is printed and written to docs/benchmarks.md between
``<!-- status-benchmark:start -->`` and ``<!-- status-benchmark:end -->``
(not with ``--quick`` unless ``--docs`` is given).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from benchlib import (BUILD, CHILD_PEAK, DOCS, REPO, child_env, child_json, choose_python,  # noqa: E402
                      docs_path, generate, interpreters, kib_to_mb, last_json, log,
                      machine_info, markdown_head, marks, output_options, probe_json,
                      report_head, run_child, save_report, short_hash, verdict, warm)

WORK = BUILD / "status"
GENERATOR = BENCH / "gen_indicators.py"
MARK_START, MARK_END = marks("status")

TARGET_VS_PANDAS = 20.0       # pandas (wide) status time / planbook status time >= (issue 18)
TARGET_PATH = 1.0             # (pandas status + to_excel) / planbook whole path >

NMONTHS, NYEARS = 48, 4
MONTH_POS = [13 * (t // 12) + 1 + t % 12 for t in range(NMONTHS)]   # in the set's periods
YEAR_POS = [13 * y for y in range(NYEARS)]
NPERIODS = 13 * NYEARS
RAG_WORDS = ("", "\u2714 green", "\u25b2 amber", "\u2716 red")          # as the dashboard
CMP_WORDS = ("", "\u2191 better", "\u2193 worse", "\u2192 same", "\u2197 up", "\u2198 down")
RAG_NAMES = ("none", "green", "amber", "red")
CMP_NAMES = ("none", "better", "worse", "same", "up", "down")

TASKS = ("planbook", "pandas", "pandas_long", "loop", "planbook_path", "pandas_path_openpyxl",
         "pandas_path_xlsxwriter")
TITLES = {
    "planbook": "planbook status_codes()",
    "pandas": "pandas, wide (numpy columns)",
    "pandas_long": "pandas, long (row per obs.)",
    "loop": "plain Python loop",
    "planbook_path": "planbook load + status + save",
    "pandas_path_openpyxl": "pandas status + to_excel (openpyxl)",
    "pandas_path_xlsxwriter": "pandas status + to_excel (XlsxWriter)",
}


# ==========================================================================
# The rules, twice.  Figures are in hundredths (float64 in pandas, int in the
# loop), exact like the engine's fixed point: the 5% tolerance test
# |v - T| <= 5% of |T| is 20 * |v - T| <= |T|, with no rounding.
#
# RAG (0 none, 1 green, 2 amber, 3 red): only with a value and polarity high
# or low.  With thresholds (Good and Of concern both figures): high: v >=
# Good green, v >= Of concern amber, else red; low: the same with <=.
# Otherwise, with a target T (a figure): meets it (high v >= T, low v <= T)
# green, shortfall within the tolerance amber, else red.  Otherwise none.
# Previous (0 none, 1 better, 2 worse, 3 same, 4 up, 5 down): the month
# before (Apr with the previous Mar; the first month has none); both need
# values; equal: same; high: higher better; low: lower better; no polarity:
# up or down.  Target: with a value, a target and polarity high or low,
# meets it (equal included) better, else worse.

def status_pandas(df):
    """RAG, previous-month and target codes (uint8 arrays in df's order) from
    a long frame sorted by measure, then period."""
    import numpy as np
    v, good, concern, t = df["value"], df["good"], df["concern"], df["target"]
    high = df["polarity"] == "high"
    low = df["polarity"] == "low"
    judged = v.notna() & (high | low)
    thr = good.notna() & concern.notna()
    meets_good = (high & (v >= good)) | (low & (v <= good))
    meets_concern = (high & (v >= concern)) | (low & (v <= concern))
    has_t = t.notna()
    meets_t = (high & (v >= t)) | (low & (v <= t))
    within = 20 * (v - t).abs() <= t.abs()
    rag = np.select(
        [~judged, thr & meets_good, thr & meets_concern, thr, ~has_t, meets_t, within],
        [0, 1, 2, 3, 0, 1, 2], default=3).astype(np.uint8)
    p = df.groupby("measure", sort=False)["value"].shift(1)
    both = v.notna() & p.notna()
    prev = np.select(
        [~both, v == p, high & (v > p), high, low & (v < p), low, v > p],
        [0, 3, 1, 2, 1, 2, 4], default=5).astype(np.uint8)
    tgt = np.select([~(judged & has_t), meets_t], [0, 1], default=2).astype(np.uint8)
    return rag, prev, tgt


# The same rules as a pandas expert writes them: one row per measure, the 48
# months as numpy columns of one float block, the four years' targets as
# four more, and no per-observation branches: comparisons give boolean
# planes, the answers are arithmetic on them and lookups in small tables.

#   JUDGE[polarity index][sign of v - p + 1]: polarity index 0 none, 1 high, 2 low
JUDGE_CODES = ((5, 3, 4), (2, 3, 1), (1, 3, 2))


def status_pandas_wide(w):
    """RAG, previous-month and target codes (uint8 arrays, measure-major,
    months in order) from the wide frame (wide_frame)."""
    import numpy as np
    u8 = np.uint8
    v = w[VALUE_COLS].to_numpy()                                     # (n, 48) float64
    t = np.repeat(w[TARGET_COLS].to_numpy(), 12, axis=1)             # the month's year's
    pol = w["polarity"].to_numpy()                                   # 1 high, -1 low, 0
    sign = pol.astype(np.float64)[:, None]
    good, concern = w["good"].to_numpy()[:, None], w["concern"].to_numpy()[:, None]
    sv = v * sign                                                    # higher is better
    judged = ~np.isnan(v) & (pol != 0)[:, None]
    has_t = ~np.isnan(t)
    meets_t = sv >= t * sign
    gap = np.abs(v - t)
    gap *= 20
    within = gap <= np.abs(t)                                        # exact: hundredths
    thr = ~np.isnan(good) & ~np.isnan(concern)
    # thresholds: 1 green, 2 amber, 3 red; target: 1 meets, 2 within 5%, 3 red
    rag_thr = np.where(sv >= sign * good, u8(1), u8(3) - (sv >= sign * concern).view(u8))
    rag_t = np.where(meets_t, u8(1), u8(3) - within.view(u8)) * has_t.view(u8)
    rag = np.where(thr, rag_thr, rag_t) * judged.view(u8)
    tgt = (judged & has_t).view(u8) * (u8(2) - meets_t.view(u8))
    d = v[:, 1:] - v[:, :-1]                                         # NaN: no comparison
    table = np.array(JUDGE_CODES, dtype=u8)[pol % 3]                 # -1 % 3 == 2: low
    prev = np.zeros(v.shape, u8)
    prev[:, 1:] = ((d > 0).view(u8) * table[:, 2:3] + (d < 0).view(u8) * table[:, 0:1]
                   + (d == 0).view(u8) * u8(3))
    return rag.ravel(), prev.ravel(), tgt.ravel()


def status_loop(values, polarity, good, concern, targets):
    """The same over lists: values[i] is measure i's 48 months (int or
    None), targets[i] its 4 years' targets (int or None)."""
    n = len(values)
    rag = bytearray(n * NMONTHS)
    prev = bytearray(n * NMONTHS)
    tgt = bytearray(n * NMONTHS)
    j = 0
    for i in range(n):
        pol = polarity[i]
        high, low = pol == "high", pol == "low"
        g, c, ts = good[i], concern[i], targets[i]
        thr = g is not None and c is not None
        p = None
        t = 0
        for v in values[i]:
            if v is not None:
                if high or low:
                    tv = ts[t // 12]
                    if thr:
                        if (v >= g) if high else (v <= g):
                            rag[j] = 1
                        elif (v >= c) if high else (v <= c):
                            rag[j] = 2
                        else:
                            rag[j] = 3
                    if tv is not None:
                        meets = (v >= tv) if high else (v <= tv)
                        tgt[j] = 1 if meets else 2
                        if not thr:
                            rag[j] = 1 if meets else 2 if 20 * abs(v - tv) <= abs(tv) else 3
                if p is not None:
                    if v == p:
                        prev[j] = 3
                    elif high:
                        prev[j] = 1 if v > p else 2
                    elif low:
                        prev[j] = 1 if v < p else 2
                    else:
                        prev[j] = 4 if v > p else 5
            p = v
            t += 1
            j += 1
    return bytes(rag), bytes(prev), bytes(tgt)


# ==========================================================================
# Inputs of the pandas and loop implementations (built before the timer).

def load_npz(path):
    import numpy as np
    with np.load(path) as z:
        return {k: z[k] for k in z.files}


def long_frame(d):
    """One row per measure and month: measure, period (0..47), value,
    polarity, good, concern, target (of the month's financial year)."""
    import numpy as np
    import pandas as pd
    n = d["values"].shape[0]
    pol = pd.Categorical.from_codes(
        np.repeat(np.select([d["polarity"] == 1, d["polarity"] == -1], [0, 1], 2), NMONTHS),
        ["high", "low", "none"])
    return pd.DataFrame({
        "measure": np.repeat(np.arange(n, dtype=np.int32), NMONTHS),
        "period": np.tile(np.arange(NMONTHS, dtype=np.int16), n),
        "value": d["values"].ravel(),
        "polarity": pol,
        "good": np.repeat(d["good"], NMONTHS),
        "concern": np.repeat(d["concern"], NMONTHS),
        "target": d["targets"][:, np.arange(NMONTHS) // 12].ravel(),
    })


VALUE_COLS = [f"m{t:02d}" for t in range(NMONTHS)]
TARGET_COLS = [f"target{y}" for y in range(NYEARS)]


def wide_frame(d):
    """One row per measure: polarity (1 high, -1 low, 0 none), good,
    concern, the 48 months' values and the 4 years' targets (hundredths)."""
    import numpy as np
    import pandas as pd
    data = {"polarity": d["polarity"].astype(np.int8), "good": d["good"],
            "concern": d["concern"]}
    block = np.hstack([d["values"], d["targets"]])
    frame = pd.DataFrame(block, columns=VALUE_COLS + TARGET_COLS)
    for k, col in reversed(list(data.items())):
        frame.insert(0, k, col)
    return frame


def measures_frame(d):
    """The dashboard's descriptive columns, one row per measure."""
    import numpy as np
    import pandas as pd
    n = d["values"].shape[0]
    return pd.DataFrame({
        "Group": [f"Theme {i % 25 + 1}" for i in range(n)],
        "Ref": [f"M{i:05d}" for i in range(n)],
        "Measure": [f"Synthetic measure {i + 1}" for i in range(n)],
        "Better if": np.select([d["polarity"] == 1, d["polarity"] == -1], ["high", "low"], "none"),
        "Unit": np.where(d["percent"] == 1, "percent", "number"),
        "Good": d["good"] / 100, "Of concern": d["concern"] / 100,
        "Action required": d["action"] / 100,
    })


def loop_inputs(d):
    import numpy as np

    def ints(a):
        return [None if x != x else int(x) for x in a.tolist()]
    values = [ints(row) for row in d["values"]]
    targets = [ints(row) for row in d["targets"]]
    pol = np.select([d["polarity"] == 1, d["polarity"] == -1], ["high", "low"], "none").tolist()
    return values, pol, ints(d["good"]), ints(d["concern"]), targets


def period_names():
    months = ("Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar")
    out = []
    for y in range(2010, 2010 + NYEARS):
        out.append(f"{y}/{(y + 1) % 100:02d}")
        out += [f"{m} {y + (k >= 9)}" for k, m in enumerate(months)]
    return out


def dashboard_pandas(df, info, codes):
    """The dashboard sheet's table from the long frame and the codes: the
    descriptive columns, results by period (the financial-year columns
    empty), the target at the report period (Mar 2014) and its RAG, better
    than last and better than target, as symbols and words."""
    import numpy as np
    import pandas as pd
    rag, prev, tgt = codes
    names = period_names()
    wide = df.pivot(index="measure", columns="period", values="value") / 100
    wide.columns = [names[k] for k in MONTH_POS]
    for y in YEAR_POS:
        wide.insert(y, names[y], np.nan)
    last = (df["period"] == NMONTHS - 1).to_numpy()
    status = pd.DataFrame({
        "Target Mar 2014": df["target"].to_numpy()[last] / 100,
        "RAG": np.array(RAG_WORDS, dtype=object)[rag[last]],
        "Better than last?": np.array(CMP_WORDS, dtype=object)[prev[last]],
        "Better than target?": np.array(CMP_WORDS, dtype=object)[tgt[last]],
    })
    return pd.concat([info, wide.reset_index(drop=True), status], axis=1)


# ==========================================================================
# Children.

def child(task: str, plan_path: str, npz_path: str, out: str) -> dict:
    """Run one measurement in this (fresh) process; return its figures."""
    ns: dict = {}
    exec(CHILD_PEAK, ns)
    status_kib, reset_peak = ns["status_kib"], ns["reset_peak"]
    import gc
    import resource

    info = {"python": sys.version.split()[0]}
    parts: dict = {}

    def timed(name, fn):
        gc.collect()
        hwm_reset = reset_peak()
        rss = status_kib("VmRSS")
        maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        c0, t0 = time.process_time(), time.perf_counter()
        result = fn()
        t1, c1 = time.perf_counter(), time.process_time()
        hwm = status_kib("VmHWM") if hwm_reset else None
        if hwm is not None and rss is not None:
            delta = hwm - rss
        else:
            delta = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - (rss or maxrss)
        parts[name] = {"seconds": t1 - t0, "cpu_seconds": c1 - c0, "peak_delta_kib": delta}
        return result

    def save_codes(rag, prev, tgt, extra=None):
        import numpy as np
        arrays = {"rag": np.frombuffer(rag, np.uint8), "previous": np.frombuffer(prev, np.uint8),
                  "target": np.frombuffer(tgt, np.uint8)}
        arrays.update(extra or {})
        h = hashlib.sha256()
        for k in sorted(arrays):
            h.update(arrays[k].tobytes())
        info["codes_sha256"] = h.hexdigest()[:16]
        if out:
            with open(out, "wb") as f:
                np.savez(f, **arrays)

    if task == "probe":
        for mod in ("planbook", "pandas", "numpy", "openpyxl", "xlsxwriter"):
            try:
                m = __import__(mod)
                info[mod] = getattr(m, "__version__", "?")
            except Exception as e:   # noqa: BLE001
                info[mod] = None
                info[mod + "_error"] = f"{type(e).__name__}: {e}"
        return info

    if task == "planbook":
        import planbook
        import numpy  # noqa: F401  (imported before the timers: to_pandas would import them)
        import pandas  # noqa: F401
        plan = timed("load", lambda: planbook.load(plan_path))
        iset = plan.indicators["big"]
        # the answers the pandas and loop versions compute (rag, previous, target),
        # and last (= previous here): like for like
        codes = timed("status", lambda: iset.status_codes(ASPECTS))
        timed("to_pandas", codes.to_pandas)
        c = codes.codes
        import numpy as np
        save_codes(c["rag"], c["previous"], c["target"],
                   {"last": np.frombuffer(c["last"], np.uint8)})
        info["periods"] = len(codes.periods)
        info["count"] = codes.count
        info["periods_ok"] = codes.periods == period_names()
        info["rag_tolerance"] = list(plan._c.rag_tolerance) if hasattr(plan._c, "rag_tolerance") \
            else None
        info["report_period"] = iset.report_period
    elif task == "planbook_path":
        import planbook

        def path():
            t0 = time.perf_counter()
            plan = planbook.load(plan_path)
            t1 = time.perf_counter()
            codes = plan.indicators["big"].status_codes(ASPECTS)
            t2 = time.perf_counter()
            planbook.save(plan, out)
            t3 = time.perf_counter()
            info["split"] = {"load": t1 - t0, "status": t2 - t1, "save": t3 - t2}
            return codes
        timed("total", path)
        info["output_bytes"] = os.path.getsize(out)
    elif task == "pandas":
        d = load_npz(npz_path)
        w = wide_frame(d)
        del d
        rag, prev, tgt = timed("status", lambda: status_pandas_wide(w))
        save_codes(rag.tobytes(), prev.tobytes(), tgt.tobytes())
        info["rows"] = len(w)
    elif task in ("pandas_long", "pandas_path_openpyxl", "pandas_path_xlsxwriter"):
        d = load_npz(npz_path)
        df = long_frame(d)
        if task == "pandas_long":
            rag, prev, tgt = timed("status", lambda: status_pandas(df))
            save_codes(rag.tobytes(), prev.tobytes(), tgt.tobytes())
            info["rows"] = len(df)
        else:
            engine = task.rsplit("_", 1)[1]
            info_df = measures_frame(d)

            def path():
                t0 = time.perf_counter()
                codes = status_pandas(df)
                t1 = time.perf_counter()
                table = dashboard_pandas(df, info_df, codes)
                t2 = time.perf_counter()
                table.to_excel(out, sheet_name="Synthetic dashboard", index=False,
                               engine=engine)
                t3 = time.perf_counter()
                info["split"] = {"status": t1 - t0, "table": t2 - t1, "to_excel": t3 - t2}
                return table.shape
            shape = timed("total", path)
            info["table_shape"] = list(shape)
            info["output_bytes"] = os.path.getsize(out)
    elif task == "loop":
        d = load_npz(npz_path)
        inputs = loop_inputs(d)
        del d
        rag, prev, tgt = timed("status", lambda: status_loop(*inputs))
        save_codes(rag, prev, tgt)
    else:
        raise SystemExit(f"unknown task {task}")
    info["parts"] = parts
    info["available"] = True
    return info


def run_task(python: str, task: str, plan: Path, npz: Path, out: Path | None) -> dict:
    cmd = [python, str(Path(__file__).resolve()), "--child", task, str(plan), str(npz),
           str(out) if out else ""]
    return child_json(cmd, done="available", tail=800)


# ==========================================================================
# Files, checks.

def generator_hash() -> str:
    return short_hash(GENERATOR.read_bytes())


def plan_file(measures: int, seed: int) -> tuple[Path, Path]:
    WORK.mkdir(parents=True, exist_ok=True)
    stem = f"indicators-{measures}-seed{seed}-{generator_hash()}"
    path, npz = WORK / f"{stem}.yaml", WORK / f"{stem}.npz"
    if not (path.exists() and npz.exists()):
        cmd = [sys.executable, str(GENERATOR), "-o", str(path), "--measures", str(measures),
               "--seed", str(seed)]
        generate(cmd)
        for old in WORK.glob("indicators-*.yaml"):
            if not old.name.endswith(f"-{generator_hash()}.yaml"):
                old.unlink()
                old.with_suffix(".npz").unlink(missing_ok=True)
    return path, npz


ASPECTS = ("rag", "previous", "target", "last")


def agreement(pb: Path, pd_: Path, loop: Path, npz: Path, n: int,
              pd_long: Path | None = None) -> dict:
    """Compare the three sets of codes in full; return counts and any
    disagreements (with the data behind the first few)."""
    import numpy as np
    a = np.load(pb)
    b = np.load(pd_)
    c = np.load(loop)
    e = np.load(pd_long) if pd_long is not None else None
    res = {"observations": n * NMONTHS, "problems": [], "counts": {}}
    for name in ("rag", "previous", "target", "last"):
        if a[name].size != n * NPERIODS:
            res["problems"].append(f"planbook {name}: {a[name].size} codes, "
                                   f"expected {n * NPERIODS}")
            return res
    # planbook gives measure-major codes (i * periods + k)
    grid = {k: a[k].reshape(n, NPERIODS).T for k in ("rag", "previous", "target", "last")}
    years = {k: int(np.count_nonzero(g[YEAR_POS])) for k, g in grid.items()}
    if any(years.values()):
        res["problems"].append(f"planbook gives statuses at the blank financial-year periods: "
                               f"{years}")
    if not np.array_equal(grid["last"], grid["previous"]):
        res["problems"].append("planbook's last differs from its previous (direction: previous)")
    d = load_npz(npz)
    mism = []
    for name in ("rag", "previous", "target"):
        p = grid[name][MONTH_POS].T.ravel()      # measure-major, months in order
        q, r = b[name], c[name]
        names = RAG_NAMES if name == "rag" else CMP_NAMES
        res["counts"][name] = {names[k]: int(np.count_nonzero(p == k)) for k in range(len(names))
                               if np.count_nonzero(p == k)}
        peers = [("pandas", q), ("loop", r)] + ([("pandas long", e[name])] if e is not None
                                                else [])
        for other, arr in peers:
            if arr.size != p.size:
                res["problems"].append(f"{other} {name}: {arr.size} codes, expected {p.size}")
                continue
            bad = np.flatnonzero(p != arr)
            if bad.size:
                res["problems"].append(f"{name}: planbook and {other} disagree on "
                                       f"{bad.size} observations")
                for j in bad[:5]:
                    i, t = divmod(int(j), NMONTHS)
                    mism.append({
                        "aspect": name, "with": other, "measure": f"M{i:05d}",
                        "period": period_names()[MONTH_POS[t]],
                        "planbook": names[p[j]], other: names[arr[j]],
                        "value": d["values"][i, t] / 100,
                        "previous_value": d["values"][i, t - 1] / 100 if t else None,
                        "polarity": int(d["polarity"][i]),
                        "good": d["good"][i] / 100, "concern": d["concern"][i] / 100,
                        "target": d["targets"][i, t // 12] / 100})
    res["mismatches"] = mism
    # what a float implementation in natural units would get wrong: the 5% test
    # (T - v).abs() <= 0.05 * T.abs() on figures such as 12.34
    tv = d["targets"][:, np.arange(NMONTHS) // 12]
    v = d["values"]
    with np.errstate(invalid="ignore"):
        exact = 20 * np.abs(v - tv) <= np.abs(tv)
        naive = np.abs(tv / 100 - v / 100) <= 0.05 * np.abs(tv / 100)
        judged = (~np.isnan(v) & ~np.isnan(tv) & np.isnan(d["good"])[:, None]
                  & (d["polarity"] != 0)[:, None])
        pol = d["polarity"][:, None]
        meets = ((pol == 1) & (v >= tv)) | ((pol == -1) & (v <= tv))
    res["naive_float_rag_differences"] = int(np.count_nonzero(judged & ~meets
                                                              & (exact != naive)))
    # how many planted edge cases the data holds (all implementations agreed on them)
    v = d["values"]
    tv = d["targets"][:, np.arange(NMONTHS) // 12]
    with np.errstate(invalid="ignore"):
        res["edges"] = {
            "on_a_threshold": int(np.count_nonzero((v == d["good"][:, None])
                                                   | (v == d["concern"][:, None]))),
            # the last amber or the first red hundredth below (above) a target
            "at_the_tolerance": int(np.count_nonzero(
                np.isnan(d["good"])[:, None] & (d["polarity"] != 0)[:, None]
                & ((d["polarity"][:, None] == 1) == (v < tv)) & (v != tv)
                & (np.abs(np.abs(v - tv) - np.floor(np.abs(tv) / 20) - 0.5) == 0.5))),
            "equal_to_previous": int(np.count_nonzero(v[:, 1:] == v[:, :-1])),
        }
    return res


CHECK_XLSX = r"""
import json, sys
import openpyxl
path = sys.argv[1]
wb = openpyxl.load_workbook(path, read_only=True)
out = {"sheets": wb.sheetnames, "dashboard": None}
for ws in wb.worksheets:
    for r, row in enumerate(ws.iter_rows(min_row=1, max_row=6, values_only=True)):
        if row and any(isinstance(x, str) and x.startswith("Better than last") for x in row):
            out["dashboard"] = {"sheet": ws.title, "dimensions": ws.calculate_dimension(),
                                "heading_row": r + 1, "columns": len(row)}
            break
    if out["dashboard"]:
        break
wb.close()
print(json.dumps(out))
"""


def check_workbook(python: str, path: Path) -> dict:
    rc, text, err, _ = run_child([python, "-c", CHECK_XLSX, str(path)], child_env())
    return last_json(text) or {"error": f"exit {rc}: {err.strip()[-300:]}"}


# ==========================================================================
# Summary and report.

def summarise(runs, part: str) -> dict:
    ok = [r for r in runs if r.get("available") and part in r.get("parts", {})]
    if not ok:
        err = next((r.get("error") for r in runs if r.get("error")), "not available")
        return {"available": False, "error": err}
    secs = [r["parts"][part]["seconds"] for r in ok]
    cpu = [r["parts"][part]["cpu_seconds"] for r in ok]
    mem = [kib_to_mb(r["parts"][part]["peak_delta_kib"]) for r in ok
           if r["parts"][part].get("peak_delta_kib") is not None]
    out = {"available": True, "n": len(ok), "seconds_median": statistics.median(secs),
           "seconds_min": min(secs), "seconds_max": max(secs),
           "cpu_seconds_median": statistics.median(cpu)}
    if mem:
        out.update(peak_delta_mb_median=statistics.median(mem), peak_delta_mb_min=min(mem),
                   peak_delta_mb_max=max(mem))
    splits = [r["split"] for r in ok if "split" in r]
    if splits:
        out["split_median"] = {k: statistics.median(s[k] for s in splits) for k in splits[0]}
    return out


def med(report, key):
    s = report["summary"].get(key, {})
    return s.get("seconds_median") if s.get("available") else None


def ratios(report) -> dict:
    r = {}
    pb, pd_, lp = med(report, "planbook/status"), med(report, "pandas/status"), \
        med(report, "loop/status")
    if pb and pd_:
        r["pandas_over_planbook"] = pd_ / pb
    pl = med(report, "pandas_long/status")
    if pb and pl:
        r["pandas_long_over_planbook"] = pl / pb
    # the same by CPU time: on a machine shared with other work, wall time
    # also counts the waits for a core
    cpu = {k: report["summary"].get(k, {}).get("cpu_seconds_median")
           for k in ("planbook/status", "pandas/status", "pandas_long/status")}
    if cpu["planbook/status"] and cpu["pandas/status"]:
        r["pandas_over_planbook_cpu"] = cpu["pandas/status"] / cpu["planbook/status"]
    if cpu["planbook/status"] and cpu["pandas_long/status"]:
        r["pandas_long_over_planbook_cpu"] = cpu["pandas_long/status"] / cpu["planbook/status"]
    if pb and lp:
        r["loop_over_planbook"] = lp / pb
    if pd_ and lp:
        r["loop_over_pandas"] = lp / pd_
    path = med(report, "planbook_path/total")
    for eng in ("openpyxl", "xlsxwriter"):
        x = med(report, f"pandas_path_{eng}/total")
        if path and x:
            r[f"pandas_path_{eng}_over_planbook_path"] = x / path
    return r


ROWS = [  # (summary key, task title, part title)
    ("planbook/load", "planbook", "planbook.load (not in the status time)"),
    ("planbook/status", "planbook", "status_codes(): every measure x period"),
    ("planbook/to_pandas", "planbook", "status_codes().to_pandas()"),
    ("pandas/status", "pandas", "vectorised status, one row per measure, the months as numpy "
     "columns, branch-free (frame built beforehand)"),
    ("pandas_long/status", "pandas_long", "vectorised status, one row per measure and month "
     "(frame built beforehand)"),
    ("loop/status", "loop", "loop over lists (lists built beforehand)"),
    ("planbook_path/total", "planbook_path", "load + status_codes() + planbook.save(xlsx)"),
    ("pandas_path_openpyxl/total", "pandas_path_openpyxl",
     "status + dashboard table + to_excel(engine=\"openpyxl\")"),
    ("pandas_path_xlsxwriter/total", "pandas_path_xlsxwriter",
     "status + dashboard table + to_excel(engine=\"xlsxwriter\")"),
]


def fmt_row(s) -> tuple[str, str, str]:
    if not s.get("available"):
        return (f"not available: {str(s.get('error', ''))[:160]}", "", "")
    t = f"{s['seconds_median']:.3f} s ({s['seconds_min']:.3f}-{s['seconds_max']:.3f})"
    mem = (f"{s['peak_delta_mb_median']:.1f} MB" if "peak_delta_mb_median" in s else "n/a")
    return t, f"{s['cpu_seconds_median']:.3f} s", mem


def markdown(report) -> str:
    m = report["machine"]
    a = report["agreement"]
    r = report["ratios"]
    n = report["measures"]
    obs = n * NMONTHS
    lines = markdown_head(report, MARK_START, "Status benchmark") + [
        f"- Python {m['python']}; planbook {m.get('planbook') or 'n/a'}; pandas "
        f"{m.get('pandas') or 'n/a'}; numpy {m.get('numpy') or 'n/a'}; openpyxl "
        f"{m.get('openpyxl') or 'n/a'}; XlsxWriter {m.get('xlsxwriter') or 'not installed'}",
        f"- Plan: `bench/gen_indicators.py` (seed {report['seed']}), "
        f"{report['plan_mb']:.1f} MB of YAML: one indicator set of {n:,} measures x 48 months "
        "(Apr 2010 .. Mar 2014) = "
        f"{obs:,} observations, `direction: previous`, default `rag_tolerance` (5%). "
        "The four financial years 2010/11 .. 2013/14 are periods of the set too (blank results), "
        "to carry the targets, which are set per year (a month takes its year's); planbook's "
        f"`status_codes()` therefore answers for {n * NPERIODS:,} measure x period cells, the "
        "year cells all \"none\". Polarity high/low/none 45/45/10%, unit number or percent, "
        "1 or 2 decimals, 5% of results blank, `n/a` or `Not available`; half the measures "
        "with thresholds (a fifth of those with targets too), the rest with a target per year "
        "(5% of them `n/a` or `TBC`). Planted edge cases: "
        f"{a['edges']['on_a_threshold']:,} results exactly on a threshold, "
        f"{a['edges']['at_the_tolerance']:,} on the last amber or the first red hundredth of a "
        "target's 5% tolerance, "
        f"{a['edges']['equal_to_previous']:,} equal to the month before.",
        f"- Runs per task: {report['repeat']}, each in a fresh process, the tasks taking turns. "
        "Time: wall time of the named part only; the pandas frames (wide: one row per measure, "
        "polarity, good, concern, the 48 months' values and the 4 years' targets as numpy "
        "columns; long: one row per measure and month: measure, period, value, polarity, good, "
        "concern, the target of the month's year) and the loop's lists are built from the "
        "generator's .npz before the timer starts, figures in hundredths so that the 5% test "
        "is exact, as the engine's fixed point is. planbook's status is timed on the freshly "
        "loaded plan, in the same process. Peak Δ: peak RSS during the part (VmHWM, reset "
        "just before it) minus the "
        "RSS just before it.",
        f"- Agreement: planbook, pandas and the loop give the same RAG, previous-month and "
        f"target answer for all {obs:,} observations (compared in full, code by code; "
        "planbook's `last` equals its `previous`, its year cells have no status)."
        if not a["problems"] else "- Agreement: **FAILED** " + "; ".join(a["problems"]),
        "- Answers (planbook): RAG " + ", ".join(f"{k} {v:,}" for k, v in a["counts"]["rag"].items())
        + "; previous " + ", ".join(f"{k} {v:,}" for k, v in a["counts"]["previous"].items())
        + "; target " + ", ".join(f"{k} {v:,}" for k, v in a["counts"]["target"].items()) + ".",
        ("- Whole path: planbook loads the YAML, computes `status_codes()` and saves the "
        "workbook (contents, the dashboard sheet `" + str(report.get("dashboard_sheet"))
        + "` — one row per measure, results by period, thresholds, target, RAG, better than "
        "last and better than target as live formulas with cached results, conditional "
        "formats, the reason in words — and the findings sheet). pandas, from its frame in "
        "memory, computes the statuses, builds the same table (the descriptive columns, the "
        "52 period columns, the target at the report period Mar 2014 and the three statuses "
        "as symbols and words; values only: no formulas, colours or reasons) and writes it "
        "with `to_excel`.")
        if "planbook_path" in report["runs"] else "- Whole path: not measured in this run "
        "(`--no-path`).",
        "",
        "| Task | Part | Time median (min-max) | CPU median | Peak Δ median |",
        "| --- | --- | --- | ---: | ---: |",
    ]
    for key, task, part in ROWS:
        s = report["summary"].get(key)
        if s is None:
            continue
        t, cpu, mem = fmt_row(s)
        extra = ""
        if s.get("split_median"):
            extra = " (medians: " + ", ".join(
                f"{k} {v:.3f} s" for k, v in s["split_median"].items()) + ")"
        lines.append(f"| {TITLES[task]} | {part}{extra} | {t} | {cpu} | {mem} |")
    pb = med(report, "planbook/status")
    lines += ["", f"Throughput: planbook {obs / pb / 1e6:.1f}M observations/s"
              + (f", pandas {obs / med(report, 'pandas/status') / 1e6:.1f}M/s"
                 if med(report, "pandas/status") else "")
              + (f", the loop {obs / med(report, 'loop/status') / 1e6:.2f}M/s"
                 if med(report, "loop/status") else "") + " (over the "
              f"{obs:,} monthly observations)." if pb else ""]

    def ratio(key, target=None, better="high"):
        v = r.get(key)
        if v is None:
            return "n/a"
        return f"{v:.2f}x" + (f" ({verdict(v, target, better)})" if target else "")
    lines += [
        "",
        f"| pandas (wide) / planbook status (target >= {TARGET_VS_PANDAS:g}x) "
        "| pandas (long) / planbook status | loop / planbook status "
        "| loop / pandas | pandas status + to_excel (openpyxl) / planbook path (target > 1x) "
        "| pandas status + to_excel (XlsxWriter) / planbook path (target > 1x) |",
        "| --- | --- | --- | --- | --- | --- |",
        f"| {ratio('pandas_over_planbook', TARGET_VS_PANDAS)}; by CPU time "
        f"{ratio('pandas_over_planbook_cpu')} "
        f"| {ratio('pandas_long_over_planbook')}; by CPU time "
        f"{ratio('pandas_long_over_planbook_cpu')} | {ratio('loop_over_planbook')} "
        f"| {ratio('loop_over_pandas')} "
        f"| {ratio('pandas_path_openpyxl_over_planbook_path', TARGET_PATH)} "
        f"| {ratio('pandas_path_xlsxwriter_over_planbook_path', TARGET_PATH)} |",
    ]
    notes = list(report.get("notes", []))
    nf = a.get("naive_float_rag_differences")
    if nf is not None:
        notes.append(f"Exactness: the same pandas rules on figures in natural units, with the "
                     f"tolerance test written `(T - v).abs() <= 0.05 * T.abs()`, would give a "
                     f"different RAG for {nf:,} of the observations at the tolerance (binary "
                     "floating point); hence hundredths here, as the engine's fixed point.")
    if notes:
        lines += [""] + [f"- {x}" for x in notes]
    lines.append(MARK_END)
    return "\n".join(lines).replace("\n\n\n", "\n\n") + "\n"


def print_table(report) -> None:
    print()
    print(f"{'task':<40} {'part':<12} {'median s':>9} {'min s':>8} {'max s':>8} "
          f"{'cpu s':>8} {'peak d MB':>10}")
    for key in report["summary"]:
        task, part = key.split("/")
        s = report["summary"][key]
        if not s.get("available"):
            print(f"{TITLES[task]:<40} {part:<12} not available: {s.get('error')}")
            continue
        mem = s.get("peak_delta_mb_median")
        print(f"{TITLES[task]:<40} {part:<12} {s['seconds_median']:9.3f} {s['seconds_min']:8.3f} "
              f"{s['seconds_max']:8.3f} {s['cpu_seconds_median']:8.3f} "
              f"{'n/a' if mem is None else f'{mem:.1f}':>10}"
              + (f"  split {s['split_median']}" if s.get("split_median") else ""))
    print()
    r = report["ratios"]
    for k, v in r.items():
        tgt = (f" [target >= {TARGET_VS_PANDAS:g}x: {verdict(v, TARGET_VS_PANDAS, 'high')}]"
               if k in ("pandas_over_planbook", "pandas_over_planbook_cpu") else
               f" [target > 1x: {'met' if v > TARGET_PATH else 'NOT met'}]" if "path" in k else "")
        print(f"{k}: {v:.2f}x{tgt}")


# ==========================================================================

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Time planbook's indicator status engine against "
                                 "pandas and a plain Python loop, and the whole path to a "
                                 "workbook against pandas' to_excel.")
    ap.add_argument("--measures", type=int, help="measures (default 20000; --quick: 2000)")
    ap.add_argument("--repeat", type=int, help="runs per task (default 3; --quick: 1)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--quick", action="store_true", help="smoke test: 2000 measures, 1 run")
    ap.add_argument("--no-path", action="store_true", help="skip the whole-path tasks")
    ap.add_argument("--python", help="interpreter for the children (default: this one, or the "
                    "repository's .venv when this one cannot import planbook)")
    output_options(ap, DOCS, REPO)
    ap.add_argument("--child", nargs=4, metavar=("TASK", "PLAN", "NPZ", "OUT"),
                    help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        task, plan, npz, out = args.child
        try:
            res = child(task, plan, npz, out)
        except Exception as e:   # noqa: BLE001
            import traceback
            traceback.print_exc()
            res = {"available": False, "error": f"{type(e).__name__}: {e}"}
        print(json.dumps(res))
        sys.stdout.flush()
        os._exit(0)    # teardown is not measured

    measures = args.measures or (2000 if args.quick else 20000)
    repeat = args.repeat or (1 if args.quick else 3)
    if measures < 1 or repeat < 1:
        ap.error("--measures and --repeat must be positive")
    docs = docs_path(args, DOCS)
    python, probe = choose_python(
        lambda py: probe_json([py, str(Path(__file__).resolve()), "--child", "probe", "", "", ""]),
        interpreters(args.python, REPO), ok=lambda p: p.get("planbook") and p.get("pandas"))
    if python is None:
        log(f"needs planbook and pandas in one interpreter: {probe}")
        return 2
    machine = machine_info()
    for k in ("planbook", "pandas", "numpy", "openpyxl", "xlsxwriter"):
        machine[k] = probe.get(k)
    tasks = ["planbook", "pandas", "pandas_long", "loop"]
    notes = []
    if not args.no_path:
        tasks += ["planbook_path"]
        if probe.get("openpyxl"):
            tasks.append("pandas_path_openpyxl")
        else:
            notes.append("pandas to_excel with openpyxl: not installed")
        if probe.get("xlsxwriter"):
            tasks.append("pandas_path_xlsxwriter")
        else:
            notes.append("pandas to_excel with XlsxWriter: not installed "
                         "(pip install XlsxWriter)")

    t_start = time.perf_counter()
    plan, npz = plan_file(measures, args.seed)
    warm(plan, npz)
    report = {**report_head("run_status.py"), "seed": args.seed, "repeat": repeat, "measures": measures, "machine": machine,
              "plan": str(plan.relative_to(REPO)), "plan_mb": plan.stat().st_size / 1e6,
              "runs": {t: [] for t in tasks}, "notes": notes}
    log(f"{plan.name}: {plan.stat().st_size / 1e6:.1f} MB, {measures} measures x "
        f"{NMONTHS} months; {repeat} runs per task")
    outs = {t: WORK / (f"{t}.xlsx" if "path" in t else f"{t}-codes.npz") for t in tasks}
    for i in range(repeat):
        for t in tasks:
            res = run_task(python, t, plan, npz, outs[t])
            report["runs"][t].append(res)
            if not res.get("available"):
                log(f"  run {i + 1}/{repeat} {TITLES[t]:<40} FAILED: {res.get('error')}")
                continue
            log(f"  run {i + 1}/{repeat} {TITLES[t]:<40} " + "  ".join(
                f"{k} {v['seconds']:.3f} s (peak delta {kib_to_mb(v['peak_delta_kib']):.1f} MB)"
                for k, v in res["parts"].items()))
        if i == 0:
            missing = [t for t in ("planbook", "pandas", "loop")
                       if not report["runs"][t][0].get("available")]
            if missing:
                log(f"cannot compare the implementations: {missing} failed")
                return 1
            a = agreement(outs["planbook"], outs["pandas"], outs["loop"], npz, measures,
                          outs["pandas_long"]
                          if report["runs"]["pandas_long"][0].get("available") else None)
            report["agreement"] = a
            if a["problems"]:
                log("THE IMPLEMENTATIONS DISAGREE:\n  " + "\n  ".join(a["problems"]))
                for mm in a["mismatches"]:
                    log("  " + json.dumps(mm))
                if args.json:
                    Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
                return 1
            log(f"agreement: all {measures * NMONTHS} observations, rag / previous / target")
            if "planbook_path" in tasks and report["runs"]["planbook_path"][0].get("available"):
                wb = check_workbook(python, outs["planbook_path"])
                report["workbook"] = wb
                if wb.get("dashboard"):
                    report["dashboard_sheet"] = wb["dashboard"]["sheet"]
                    log(f"planbook workbook: sheets {wb['sheets']}; dashboard "
                        f"{wb['dashboard']}")
                else:
                    msg = (f"the planbook workbook has NO dashboard sheet (sheets: "
                           f"{wb.get('sheets')}; {wb.get('error', '')})")
                    notes.append(msg)
                    log(msg)
    for t in tasks:   # every run must give the same codes
        hashes = {r.get("codes_sha256") for r in report["runs"][t] if r.get("available")}
        if len(hashes) > 1:
            log(f"{TITLES[t]}: the codes differ between runs: {hashes}")
            return 1
    pb0 = report["runs"]["planbook"][0]
    if pb0.get("rag_tolerance") not in (None, [True, 5000000]):
        notes.append(f"the plan's rag_tolerance is {pb0['rag_tolerance']}, not 5%")
    summary = {}
    for t in tasks:
        parts = ("load", "status", "to_pandas") if t == "planbook" else \
            ("status",) if t in ("pandas", "pandas_long", "loop") else ("total",)
        for p in parts:
            summary[f"{t}/{p}"] = summarise(report["runs"][t], p)
    report["summary"] = summary
    report["ratios"] = ratios(report)
    report["wall_seconds"] = time.perf_counter() - t_start
    print_table(report)
    log(f"benchmark wall time {report['wall_seconds']:.0f} s")
    save_report(report, args.json, docs, markdown(report), MARK_START, MARK_END)
    failed = any(not r.get("available") for runs in report["runs"].values() for r in runs)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
