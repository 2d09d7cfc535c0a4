#!/usr/bin/env python3
"""Write a synthetic, deterministic indicator plan for the status benchmark.

    python bench/gen_indicators.py -o PATH.yaml [--measures 20000] [--seed 1]

One indicator set ``big`` (``direction: previous``) of N measures over 52
periods: the four financial years 2010/11 .. 2013/14, each followed by its
twelve months (``2010/11, Apr 2010, ..., Mar 2011, 2011/12, Apr 2011, ...,
Mar 2014``; the plan's year starts in April).  The months carry the results;
the financial-year periods are there to carry the targets (a target is
keyed by a period of the set, and a month with no target of its own takes
its financial year's), and their own results are blank.

Each measure: polarity high or low (45% each) or none (10%); unit number
(60%) or percent (40%); 1 or 2 decimals; a random walk of results, some
blank (``''``, 3%), ``n/a`` (1.5%) or ``Not available`` (0.5%), some equal
to the month before (6%); half with thresholds {good, of_concern,
action_required} ordered for the polarity (20% of those with targets too),
the other half with a target per financial year (3% ``n/a``, 2% ``TBC``).
About 5% of the number measures run around zero (negative figures).  Edge
cases are planted on purpose: results exactly on a threshold, and results
exactly at (and one hundredth beyond) the 5% tolerance of a target.  The
plan keeps the default ``rag_tolerance`` (5%).

Besides the YAML (hand-formatted text, in the canonical layout), the same
data is written to PATH.npz for the pandas and plain-Python implementations
of the benchmark, as figures in hundredths (float64, NaN for no figure):
``values`` (N x 48 months), ``targets`` (N x 4 years; NaN for none, n/a or
TBC), ``good``, ``concern``, ``action`` (N), ``polarity`` (int8: 1 high,
-1 low, 0 none), ``percent`` (int8) and ``decimals`` (int8).  Standard
library and numpy only; the same seed and N give the same bytes.
"""

from __future__ import annotations

import argparse
import os
import random
import sys

GENERATOR_VERSION = 1
YEARS = (2010, 2011, 2012, 2013)
MONTHS = ("Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar")
NMONTHS = 12 * len(YEARS)

P_BLANK, P_NA, P_NOT_AVAILABLE = 0.03, 0.015, 0.005
P_SAME = 0.06              # the result equals the month before
P_ON_THRESHOLD = 0.03      # the result is exactly Good or Of concern
P_ON_TOLERANCE = 0.04      # the result is exactly at / one hundredth beyond the tolerance
P_THRESHOLDS = 0.5
P_THRESHOLDS_AND_TARGET = 0.2
P_TARGET_NA, P_TARGET_TBC = 0.03, 0.02
P_AROUND_ZERO = 0.05


def fy_name(y: int) -> str:
    return f"{y}/{(y + 1) % 100:02d}"


def periods() -> list[str]:
    """The set's periods in order, and for each month its (year, month) index."""
    out = []
    for y in YEARS:
        out.append(fy_name(y))
        for m, name in enumerate(MONTHS):
            out.append(f"{name} {y + (1 if m >= 9 else 0)}")
    return out


def month_positions() -> list[int]:
    """Index in periods() of each of the 48 months, in time order."""
    return [13 * (t // 12) + 1 + t % 12 for t in range(NMONTHS)]


def fig(c: int, decimals: int, percent: bool) -> str:
    """Hundredths as printed text with the given decimals (exactly)."""
    sign = "-" if c < 0 else ""
    a = abs(c)
    text = f"{sign}{a // 100}"
    if decimals == 1:
        assert a % 10 == 0, c
        text += f".{a % 100 // 10}"
    elif decimals == 2:
        text += f".{a % 100:02d}"
    return f"{text}%" if percent else f"'{text}'"


def generate(n: int, seed: int):
    """Yield one dict per measure (figures in hundredths)."""
    rng = random.Random(seed)
    for i in range(n):
        r = rng.random()
        pol = "high" if r < 0.45 else "low" if r < 0.9 else "none"
        sign = {"high": 1, "low": -1, "none": 1}[pol]
        percent = rng.random() < 0.4
        dec = rng.choice((1, 2))
        step = 10 if dec == 1 else 1

        def q(x: float) -> int:
            return int(round(x / step)) * step

        if percent:
            base = rng.uniform(20.0, 90.0) * 100
        elif rng.random() < P_AROUND_ZERO:
            base = rng.uniform(-50.0, 50.0) * 100
        else:
            base = 10 ** rng.uniform(1.0, 4.0) * 100
        scale = max(abs(base), 100.0)
        thr = None
        if rng.random() < P_THRESHOLDS:
            g, c, a = (q(base + sign * f * scale) for f in (0.03, -0.05, -0.12))
            thr = (g, c, a)
        targets = None
        if thr is None or rng.random() < P_THRESHOLDS_AND_TARGET:
            targets = []
            for _ in YEARS:
                x = rng.random()
                if x < P_TARGET_NA:
                    targets.append("n/a")
                elif x < P_TARGET_NA + P_TARGET_TBC:
                    targets.append("TBC")
                else:
                    targets.append(q(base + rng.gauss(0.0, 0.04 * scale)))
        values = []
        level = base
        prev = None
        for t in range(NMONTHS):
            level += rng.gauss(0.0, 0.03 * scale)
            if percent:
                level = min(max(level, 0.0), 10000.0)
            c = q(level)
            x = rng.random()
            if x < P_SAME and prev is not None:
                c = prev
            elif thr is not None and x < P_SAME + P_ON_THRESHOLD:
                c = thr[rng.randrange(2)]
            elif (targets is not None and dec == 2 and x < P_SAME + P_ON_THRESHOLD + P_ON_TOLERANCE
                  and isinstance(targets[t // 12], int)):
                tv = targets[t // 12]
                gap = abs(tv) // 20 + rng.randrange(2)      # at the tolerance, or just beyond
                c = tv - sign * gap
            y = rng.random()
            if y < P_BLANK:
                values.append("")
            elif y < P_BLANK + P_NA:
                values.append("n/a")
            elif y < P_BLANK + P_NA + P_NOT_AVAILABLE:
                values.append("Not available")
            else:
                values.append(c)
            prev = values[-1] if isinstance(values[-1], int) else None
        yield {"ref": f"M{i:05d}", "group": f"Theme {i % 25 + 1}", "polarity": pol,
               "percent": percent, "decimals": dec, "thresholds": thr, "targets": targets,
               "values": values}


def cell(v, dec: int, percent: bool) -> str:
    if isinstance(v, int):
        return fig(v, dec, percent)
    return {"": "''", "n/a": "n/a", "Not available": "Not available", "TBC": "TBC"}[v]


def write(path: str, n: int, seed: int) -> None:
    import numpy as np

    per = periods()
    npz = {
        "values": np.full((n, NMONTHS), np.nan), "targets": np.full((n, len(YEARS)), np.nan),
        "good": np.full(n, np.nan), "concern": np.full(n, np.nan), "action": np.full(n, np.nan),
        "polarity": np.zeros(n, np.int8), "percent": np.zeros(n, np.int8),
        "decimals": np.zeros(n, np.int8),
    }
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write("planbook: 1\n"
                "plan:\n"
                "  title: Synthetic performance plan (status benchmark)\n"
                "  organisation: Anytown Metropolitan Borough Council\n"
                "  period: 2010/11 - 2013/14\n"
                "  status: Draft\n"
                "  year_start: April\n"
                f"  source: Synthetic figures from bench/gen_indicators.py (seed {seed}, "
                f"{n} measures)\n"
                "indicators:\n"
                "  big:\n"
                "    title: Synthetic dashboard\n"
                "    framework: Benchmark\n"
                f"    periods: [{', '.join(per)}]\n"
                "    direction: previous\n"
                "    measures:\n")
        blank_years = {0, 13, 26, 39}
        for i, m in enumerate(generate(n, seed)):
            dec, pct = m["decimals"], m["percent"]
            out = [f"    - ref: {m['ref']}\n",
                   f"      name: Synthetic measure {i + 1}\n",
                   f"      group: {m['group']}\n",
                   f"      unit: {'percent' if pct else 'number'}\n",
                   f"      polarity: {m['polarity']}\n"]
            npz["polarity"][i] = {"high": 1, "low": -1, "none": 0}[m["polarity"]]
            npz["percent"][i] = pct
            npz["decimals"][i] = dec
            if m["thresholds"]:
                g, c, a = m["thresholds"]
                out.append(f"      thresholds: {{good: {fig(g, dec, pct)}, of_concern: "
                           f"{fig(c, dec, pct)}, action_required: {fig(a, dec, pct)}}}\n")
                npz["good"][i], npz["concern"][i], npz["action"][i] = g, c, a
            cells = []
            it = iter(m["values"])
            for k in range(len(per)):
                cells.append("''" if k in blank_years else cell(next(it), dec, pct))
            out.append(f"      values: [{', '.join(cells)}]\n")
            for t, v in enumerate(m["values"]):
                if isinstance(v, int):
                    npz["values"][i, t] = v
            if m["targets"]:
                out.append("      targets: {" + ", ".join(
                    f"{fy_name(y)}: {cell(v, dec, pct)}" for y, v in zip(YEARS, m["targets"]))
                    + "}\n")
                for j, v in enumerate(m["targets"]):
                    if isinstance(v, int):
                        npz["targets"][i, j] = v
            f.write("".join(out))
    with open(tmp + ".npz", "wb") as f:
        np.savez(f, **npz)
    os.replace(tmp + ".npz", os.path.splitext(path)[0] + ".npz")
    os.replace(tmp, path)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-o", "--output", required=True, help="the YAML file (the .npz goes beside it)")
    ap.add_argument("--measures", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    if args.measures < 1:
        ap.error("--measures must be positive")
    write(args.output, args.measures, args.seed)
    print(f"wrote {args.output} ({os.path.getsize(args.output) / 1e6:.1f} MB, "
          f"{args.measures} measures x {NMONTHS} months)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
