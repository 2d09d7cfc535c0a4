"""Indicator sets as SDMX-CSV 2.0 (docs/opendata.md).

``planbook convert plan.yaml out/indicators.sdmx.csv`` writes every
indicator set of the plan as one SDMX-CSV 2.0 file; reading it back
(``planbook convert out/indicators.sdmx.csv plan.yaml``) gives the sets.

One observation per measure, series and period.  Dimensions: ``SET`` (the
indicator set), ``MEASURE`` (its ref), ``SERIES`` (``VALUE``, ``TARGET`` or
a comparator's id) and ``TIME_PERIOD`` in SDMX's form: ``2018-A1`` for the
financial year 2018/19, ``2018-Q2`` for its second quarter, with the
attribute ``REPORTING_YEAR_START_DAY`` (``--04-01``) saying when the year
starts; months are ``2018-09``.  The measure is ``OBS_VALUE``, the figure
as printed (its decimals kept).  Attributes: ``OBS_STATUS`` in SDMX's code
list (A normal, P provisional, E estimated, O not available, M not
applicable, L not reported), ``PB_STATUS`` where SDMX has no word (tbc,
text), ``COMMENT_OBS`` (a cell's note), ``UNIT_MEASURE`` (percent, rate
...), ``UNIT_MULT``-like ``PER`` (rate per N), ``POLARITY``,
``MEASURE_NAME``, ``MEASURE_GROUP``, ``COMPARATOR`` (the comparator's name),
``SET_TITLE`` and ``PB_FORMAT`` (``%``, ``,``: how the figure was printed).

Thresholds, milestones, counts and the printed arrows have no place in a
table of observations and are not written; the plan read back carries its
indicator sets only (``plan.parts``).

Only :mod:`planbook.plugin` is used, as for any plugin (docs/plugins.md).
"""

from __future__ import annotations

import csv
import io
import os
import re
from decimal import Decimal
from typing import Any, Dict

from planbook.plugin import (Format, Observation, Plan, ReadError, WriteError, core_of,
                             plan_from_core)

__all__ = ["FORMAT", "SdmxFormat", "dumps", "loads", "sdmx_period", "plan_period",
           "STRUCTURE_ID", "DIMENSIONS", "ATTRIBUTES"]

STRUCTURE_ID = "PLANBOOK:PLAN_INDICATORS(1.0)"
DIMENSIONS = ("SET", "MEASURE", "SERIES", "TIME_PERIOD")
ATTRIBUTES = ("OBS_STATUS", "PB_STATUS", "COMMENT_OBS", "UNIT_MEASURE", "PER", "POLARITY",
              "MEASURE_NAME", "MEASURE_GROUP", "COMPARATOR", "SET_TITLE",
              "REPORTING_YEAR_START_DAY", "PB_FORMAT", "GOOD", "OF_CONCERN", "ACTION_REQUIRED",
              "CUMULATIVE", "SET_DIRECTION", "SET_LATEST", "SET_CUMULATIVE")
HEADER = ("STRUCTURE", "STRUCTURE_ID", "ACTION") + DIMENSIONS + ("OBS_VALUE",) + ATTRIBUTES
_STATUS = {"normal": "A", "provisional": "P", "estimated": "E", "not available": "O",
           "not applicable": "M", "not reported": "L", "tbc": "O", "text": "O"}
_OWN = {"tbc", "text"}            # statuses SDMX's code list has no word for
_BACK = {"A": "normal", "P": "provisional", "E": "estimated", "O": "not available",
         "M": "not applicable", "L": "not reported"}
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
           "Dec"]


def sdmx_period(period: str, year_start: int) -> str:
    """A plan's period in SDMX's form: ``2018/19`` -> ``2018-A1``,
    ``2018/19 Q2`` -> ``2018-Q2`` (of the reporting year), ``Sep 2018`` ->
    ``2018-09``.  Text that is no period is kept as it is."""
    m = re.fullmatch(r"(\d{4})(?:/\d{2})?(?: Q([1-4]))?", period)
    if m:
        return f"{m.group(1)}-Q{m.group(2)}" if m.group(2) else f"{m.group(1)}-A1"
    m = re.fullmatch(r"([A-Z][a-z]{2}) (\d{4})", period)
    if m and m.group(1) in _MONTHS:
        return f"{m.group(2)}-{_MONTHS.index(m.group(1)) + 1:02d}"
    return period


def plan_period(text: str, year_start: int) -> str:
    """The inverse of :func:`sdmx_period`."""
    m = re.fullmatch(r"(\d{4})-(A1|Q[1-4])", text)
    if m:
        y = int(m.group(1))
        year = str(y) if year_start == 1 else f"{y}/{(y + 1) % 100:02d}"
        return year if m.group(2) == "A1" else f"{year} {m.group(2)}"
    m = re.fullmatch(r"(\d{4})-(\d{2})", text)
    if m and 1 <= int(m.group(2)) <= 12:
        return f"{_MONTHS[int(m.group(2)) - 1]} {m.group(1)}"
    return text


def _figure(o: Observation) -> str:
    return "" if o.value is None else format(o.value, "f")


def _rows(plan: Plan):
    ys = plan.year_start
    start = f"--{ys:02d}-01"
    for sid in plan.indicators:
        s = plan.indicators[sid]
        comps = s.comparators
        latest = sdmx_period(s.latest, ys) if s.latest else ""
        for n, m in enumerate(s):
            th = m.thresholds
            th = (["not available", "", ""] if th == "not available" else
                  ["", "", ""] if th is None else [str(o) for o in th])
            series = [("VALUE", m.values.as_dict(), "")]
            series.append(("TARGET", m.targets.as_dict(), ""))
            series += [(cid, m.comparator(cid).as_dict(), name) for cid, name in comps.items()]
            for key, cells, comp in series:
                for k, (period, o) in enumerate(cells.items()):
                    blank = o.value is None and o.status == "not reported" and not o.note
                    # blanks are left out, but for the results (they give the
                    # set's periods) and one per comparator (it declares it)
                    if blank and key != "VALUE" and not (key != "TARGET" and n == 0 and k == 0):
                        continue
                    fmt = ("%" if o.percent else "") + ("," if o.grouped else "")
                    yield ("dataflow", STRUCTURE_ID, "I", sid, m.ref, key,
                           sdmx_period(period, ys), _figure(o), _STATUS[o.status],
                           o.status if o.status in _OWN else "", o.note or "",
                           m.unit or "", str(m.per or "") if m.unit == "rate" else "",
                           m.polarity or "", m.name or "", m.group or "", comp,
                           s.title or "", start, fmt, *th,
                           "true" if m.cumulative else "false", s.direction or "",
                           latest, "true" if s.cumulative else "false")


def dumps(plan: Plan) -> str:
    """The plan's indicator sets as SDMX-CSV 2.0 text."""
    if not len(plan.indicators):
        raise WriteError("the plan has no indicator sets: SDMX-CSV holds indicators "
                         "(its budgets go to a fiscal data package, datapackage.json)")
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(HEADER)
    w.writerows(_rows(plan))
    return out.getvalue()


def loads(text: str, file=None) -> Plan:
    """Indicator sets from SDMX-CSV 2.0 text laid out as :func:`dumps`
    writes it (the dimension and attribute columns by name, in any order)."""
    reader = csv.DictReader(io.StringIO(text))
    # a header may carry names after the ids ("TIME_PERIOD: Time period")
    reader.fieldnames = [h.split(":", 1)[0].strip() for h in (reader.fieldnames or ())]
    need = {"SET", "MEASURE", "SERIES", "TIME_PERIOD", "OBS_VALUE"}
    missing = need - set(reader.fieldnames or ())
    if missing:
        raise ReadError(f"not SDMX-CSV of indicators: no column {', '.join(sorted(missing))}",
                        file=file, line=1)
    recs = list(enumerate(reader, start=2))
    starts = {r.get("REPORTING_YEAR_START_DAY") for _, r in recs} - {None, ""}
    if len(starts) > 1:
        raise ReadError(f"the observations disagree on REPORTING_YEAR_START_DAY "
                        f"({', '.join(sorted(starts))})", file=file)
    year_start = int(starts.pop()[2:4]) if starts else 4
    plan = Plan()
    plan.year_start = year_start
    sets: Dict[str, Dict[str, Any]] = {}
    for n, r in recs:
        s = sets.setdefault(r["SET"], {"title": r.get("SET_TITLE") or None, "periods": [],
                                       "comparators": {}, "measures": {},
                                       "direction": r.get("SET_DIRECTION") or "previous",
                                       "latest": r.get("SET_LATEST") or None,
                                       "cumulative": r.get("SET_CUMULATIVE") == "true"})
        period = plan_period(r["TIME_PERIOD"], year_start)
        if period not in s["periods"]:
            s["periods"].append(period)
        key = r["SERIES"]
        if key not in ("VALUE", "TARGET"):
            s["comparators"].setdefault(key, r.get("COMPARATOR") or key)
        m = s["measures"].setdefault(r["MEASURE"], {
            "name": r.get("MEASURE_NAME") or None, "unit": r.get("UNIT_MEASURE") or "number",
            "per": r.get("PER") or None, "polarity": r.get("POLARITY") or "none",
            "group": r.get("MEASURE_GROUP") or None, "cells": [],
            "thresholds": [r.get(k) or "" for k in ("GOOD", "OF_CONCERN", "ACTION_REQUIRED")],
            "cumulative": r.get("CUMULATIVE")})
        status = r.get("PB_STATUS") or _BACK.get(r.get("OBS_STATUS") or "A")
        if status is None:
            raise ReadError(f"OBS_STATUS {r.get('OBS_STATUS')!r} is not one of "
                            f"{', '.join(_BACK)}", file=file, line=n)
        fmt = r.get("PB_FORMAT") or ""
        try:
            value = Decimal(r["OBS_VALUE"]) if r["OBS_VALUE"] else None
        except ArithmeticError:
            raise ReadError(f"OBS_VALUE {r['OBS_VALUE']!r} is not a number", file=file,
                            line=n) from None
        m["cells"].append((key, period, Observation(status, value, r.get("COMMENT_OBS") or "",
                                                    "%" in fmt, "," in fmt), n))
    for sid, s in sets.items():
        iset = plan.indicators.add(sid, periods=s["periods"], title=s["title"],
                                   comparators=s["comparators"], direction=s["direction"],
                                   cumulative=s["cumulative"])
        if s["latest"]:
            iset.latest = plan_period(s["latest"], year_start)
        for ref, m in s["measures"].items():
            fields = {"group": m["group"]} if m["group"] else {}
            if m["per"]:
                fields["per"] = int(m["per"])
            th = m["thresholds"]
            if th[0] == "not available":
                fields["thresholds"] = "not available"
            elif any(th):
                fields["thresholds"] = tuple(th)
            if m["cumulative"] in ("true", "false") and \
                    (m["cumulative"] == "true") != s["cumulative"]:
                fields["cumulative"] = m["cumulative"] == "true"
            meas = iset.add(ref, m["name"], unit=m["unit"], polarity=m["polarity"], **fields)
            for key, period, o, n in m["cells"]:
                series = (meas.values if key == "VALUE" else meas.targets if key == "TARGET"
                          else meas.comparator(key))
                try:
                    series[period] = o
                except (ValueError, KeyError) as exc:
                    raise ReadError(f"{exc}", file=file, line=n) from None
    return plan_from_core(core_of(plan), file, parts=("plan", "indicators"))


class SdmxFormat(Format):
    name = "sdmx"
    suffixes = (".sdmx.csv",)

    def save(self, plan: Plan, path) -> None:
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(dumps(plan))

    def dumps(self, plan: Plan) -> str:
        return dumps(plan)

    def load(self, path) -> Plan:
        with open(path, encoding="utf-8-sig", newline="") as f:
            return loads(f.read(), os.fspath(path))


FORMAT = SdmxFormat()
