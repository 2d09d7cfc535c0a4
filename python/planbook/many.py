"""Many plans at once: the same tidy tables as one plan's ``to_pandas``,
for a folder (or a list, or globs) of plans, with a ``plan`` column naming
the file each row comes from.

>>> import planbook
>>> batch = planbook.open_many(planbook.examples.paths())   # doctest: +SKIP
>>> batch["budgets"].groupby("plan")["value"].count()      # doctest: +SKIP

Every frame of a part has the same columns and dtypes whatever the plan
(see :data:`COLUMNS`), so frames of many plans concatenate, and the Dask
reader (:mod:`planbook.dask`) gives each partition the same meta.  A file
that cannot be read is never the end of the run: it is a row of the
``findings`` frame (code ``unreadable``, severity ``error``, the file and
the reason) and of the ``plans`` frame (``loaded`` False), so that every
file given is accounted for: plans in = plans loaded + plans failed.

Amounts stay exact: ``decimal.Decimal`` in object columns (summing them
with pandas gives an exact Decimal); a text column's cells are in
``text``.
"""

from __future__ import annotations

import contextlib
import decimal
import glob
import os
from concurrent.futures import ProcessPoolExecutor
from typing import (TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Optional, Sequence, Set,
                    Tuple, Union)

from ._pandas import require_pandas

if TYPE_CHECKING:  # pragma: no cover
    from ._model import Findings, Plan

#: one row of a frame, by column name
FrameRow = Dict[str, Any]
_Path = Union[str, "os.PathLike[str]"]
#: plans to read: a path, a glob or a folder, or several
Paths = Union[_Path, Iterable[_Path]]

__all__ = ["open_many", "expand", "Batch", "PARTS", "COLUMNS", "plan_frames", "frames_of_files",
           "empty", "rollup", "convert_many", "convert_targets"]

# Suffixes a folder is searched for (the built-in formats' readers).
SUFFIXES = (".yaml", ".yml", ".xlsx")

# The parts of a batch, and the columns of each part's frame, in order.
# "string" columns hold text (pandas' string dtype), "int" whole numbers
# (nullable Int64), "object" exact Decimals, dates or lists, "bool" flags.
COLUMNS: Dict[str, List[Tuple[str, str]]] = {
    "plans": [("plan", "string"), ("loaded", "bool"), ("error", "string"),
              ("title", "string"), ("organisation", "string"), ("directorate", "string"),
              ("service", "string"), ("period", "string"), ("status", "string"),
              ("year_start", "int"), ("tables", "int"), ("indicator_sets", "int"),
              ("registers", "int"), ("collections", "int"), ("errors", "int"),
              ("warnings", "int")],
    "budgets": [("plan", "string"), ("table", "string"), ("kind", "string"),
                ("unit", "string"), ("row", "int"), ("label", "string"),
                ("row_id", "string"), ("row_kind", "string"), ("role", "string"),
                ("section", "string"), ("depth", "int"), ("column", "string"),
                ("period", "string"), ("phase", "string"), ("state", "string"),
                ("printed", "object"), ("value", "object"), ("computed", "object"),
                ("difference", "object"), ("text", "string")],
    "indicators": [("plan", "string"), ("set", "string"), ("ref", "string"),
                   ("name", "string"), ("group", "string"), ("period", "string"),
                   ("value", "string"), ("figure", "object"), ("polarity", "string"),
                   ("rag", "string"), ("rag_reason", "string"), ("last", "string"),
                   ("target", "string"), ("target_value", "object")],
    "observations": [("plan", "string"), ("set", "string"), ("ref", "string"),
                     ("name", "string"), ("role", "string"), ("period", "string"),
                     ("series", "string"), ("status", "string"), ("value", "object"),
                     ("note", "string")],
    "risks": [("plan", "string"), ("register", "string"), ("id", "string"),
              ("category", "string"), ("description", "string"), ("owner", "string"),
              ("status", "string"),
              ("inherent_likelihood", "int"), ("inherent_impact", "int"),
              ("inherent_score", "int"), ("inherent_rag", "string"),
              ("current_likelihood", "int"), ("current_impact", "int"),
              ("current_score", "int"), ("current_rag", "string"),
              ("target_likelihood", "int"), ("target_impact", "int"),
              ("target_score", "int"), ("target_rag", "string")],
    "records": [("plan", "string"), ("collection", "string"), ("kind", "string"),
                ("item", "int"), ("id", "string"), ("parent", "string"), ("depth", "int"),
                ("due_date", "object"), ("field", "string"), ("text", "string")],
    "findings": [("plan", "string"), ("code", "string"), ("severity", "string"),
                 ("message", "string"), ("part", "string"), ("table", "string"),
                 ("row", "string"), ("column", "string"), ("declared", "object"),
                 ("computed", "object"), ("difference", "object"), ("line", "int"),
                 ("col", "int")],
}
PARTS = tuple(COLUMNS)
_DTYPES = {"string": "string", "int": "Int64", "object": "object", "bool": "bool"}


def empty(part: str) -> Any:
    """The frame of ``part`` with no rows: its columns and dtypes (the meta
    of a Dask frame)."""
    return _typed(part, [])


def _typed(part: str, rows: List[FrameRow]) -> Any:
    """The frame of ``part`` from row dicts (missing keys are missing
    values), each column built once with its declared dtype."""
    pd = require_pandas("planbook.open_many")
    if part not in COLUMNS:
        raise ValueError(f"unknown part {part!r}: one of {', '.join(PARTS)}")
    data: Dict[str, Any] = {}
    for name, kind in COLUMNS[part]:
        values = [r.get(name) for r in rows]
        if kind == "object":
            # a Series, not pd.array: pandas 3 would infer its "str" dtype
            # for an object array of strings when the frame is built
            data[name] = pd.Series(values, dtype=object)
        elif kind == "int":
            data[name] = pd.array([None if _missing(v) else int(v)  # pyright: ignore[reportArgumentType]
                                   for v in values],
                                  dtype="Int64")
        elif kind == "bool":
            data[name] = pd.array([bool(v) for v in values], dtype=bool)
        else:
            data[name] = pd.array([None if _missing(v) else str(v) for v in values],
                                  dtype="string")
    return pd.DataFrame(data, copy=False)


def _missing(v: Any) -> bool:
    try:
        return v is None or v != v  # None or NaN
    except (TypeError, ValueError):
        return False


# ------------------------------------------------------------ one plan

def _records_of(frame: Any, **extra: Any) -> List[FrameRow]:
    """A part's own to_pandas frame as row dicts, missing values as None,
    with ``extra`` columns set."""
    out: List[FrameRow] = []
    for rec in frame.to_dict("records"):
        rec = {k: (None if _missing(v) else v) for k, v in rec.items()}
        rec.update(extra)
        out.append(rec)
    return out


def _budget_rows(plan: Plan, name: str) -> List[FrameRow]:
    rows: List[FrameRow] = []
    for tid in plan.budgets:
        t = plan.budgets[tid]
        for rec in _records_of(t.to_pandas(amounts="decimal"), plan=name, unit=t.unit):
            rec["row_kind"], rec["kind"] = rec["kind"], t.kind
            if isinstance(rec.get("printed"), str):  # a text column's cell
                rec["text"], rec["printed"], rec["value"] = rec["printed"], None, None
            rows.append(rec)
    return rows


def _decimal(text: Optional[str]) -> Optional[decimal.Decimal]:
    return None if text is None else decimal.Decimal(text)


def _indicator_rows(plan: Plan, name: str) -> List[FrameRow]:
    rows: List[FrameRow] = []
    for sid in plan.indicators:
        s = plan.indicators[sid]
        if s.report_period is None:
            continue
        for rec in s.status().to_dicts():
            rec.update(plan=name, figure=_decimal(rec.get("figure")),
                       target_value=_decimal(rec.get("target_value")))
            rows.append(rec)
    return rows


def _observation_rows(plan: Plan, name: str) -> List[FrameRow]:
    rows: List[FrameRow] = []
    for sid in plan.indicators:
        for rec in _records_of(plan.indicators[sid].to_pandas(figures="decimal"),
                              plan=name):
            rec["period"] = str(rec["period"])
            rows.append(rec)
    return rows


def _risk_rows(plan: Plan, name: str) -> List[FrameRow]:
    rows: List[FrameRow] = []
    for rid in plan.risks:
        rows += _records_of(plan.risks[rid].to_pandas(), plan=name, register=rid)
    return rows


def _record_rows(plan: Plan, name: str) -> List[FrameRow]:
    """Long form: one row per item and field (collections declare their
    own fields, so a wide frame would differ from plan to plan)."""
    rows: List[FrameRow] = []
    for cid in plan.records:
        coll = plan.records[cid]
        for k, item in enumerate(coll):
            base = {"plan": name, "collection": cid, "kind": coll.kind, "item": k,
                    "id": item.id, "parent": item.parent.id if item.parent is not None else None,
                    "depth": item.depth, "due_date": item.due}
            fields = item.fields
            if not fields:
                rows.append(dict(base, field=None, text=None))
            for field, text in fields.items():
                rows.append(dict(base, field=field, text=text))
    return rows


def _finding_rows(findings: Findings, name: str) -> List[FrameRow]:
    rows: List[FrameRow] = []
    for f in findings:
        d = f.to_dict()
        rows.append({"plan": name, "code": d.get("code"), "severity": d.get("severity"),
                     "message": d.get("message"), "part": d.get("part"),
                     "table": d.get("table"), "row": d.get("row"), "column": d.get("column"),
                     "declared": d.get("declared"), "computed": d.get("computed"),
                     "difference": d.get("difference"), "line": d.get("line"),
                     "col": d.get("col")})
    return rows


def _plan_row(plan: Plan, name: str, findings: Findings) -> FrameRow:
    meta = plan.meta
    return {"plan": name, "loaded": True, "error": None,
            **{k: meta.get(k) for k in ("title", "organisation", "directorate", "service",
                                         "period", "status")},
            "year_start": plan.year_start, "tables": len(plan.budgets),
            "indicator_sets": len(plan.indicators), "registers": len(plan.risks),
            "collections": len(plan.records), "errors": len(findings.errors),
            "warnings": len(findings.warnings)}


_ROWS: Dict[str, Callable[[Any, str], List[FrameRow]]] = {
    "budgets": _budget_rows, "indicators": _indicator_rows,
    "observations": _observation_rows, "risks": _risk_rows, "records": _record_rows,
}


def _plan_rows(plan: Plan, name: str, parts: Sequence[str]) -> Dict[str, List[FrameRow]]:
    findings = plan.check()
    out: Dict[str, List[FrameRow]] = {}
    for part in parts:
        if part == "plans":
            out[part] = [_plan_row(plan, name, findings)]
        elif part == "findings":
            out[part] = _finding_rows(findings, name)
        else:
            out[part] = _ROWS[part](plan, name)
    return out


def _failure_rows(name: str, message: str, parts: Sequence[str]) -> Dict[str, List[FrameRow]]:
    out: Dict[str, List[FrameRow]] = {}
    for part in parts:
        if part == "plans":
            out[part] = [{"plan": name, "loaded": False, "error": message}]
        elif part == "findings":
            out[part] = [{"plan": name, "code": "unreadable", "severity": "error",
                          "message": message}]
        else:
            out[part] = []
    return out


def plan_frames(plan: Plan, name: str, parts: Sequence[str] = PARTS) -> Dict[str, Any]:
    """The frames of one loaded plan, each with ``plan`` = name."""
    return {part: _typed(part, rows) for part, rows in _plan_rows(plan, name, parts).items()}


def failure_frames(name: str, message: str, parts: Sequence[str] = PARTS) -> Dict[str, Any]:
    """The frames of a file that could not be read: a row in ``plans``
    and in ``findings``, nothing elsewhere."""
    return {part: _typed(part, rows)
            for part, rows in _failure_rows(name, message, parts).items()}


def _why(exc: BaseException, path: str) -> str:
    from .cli import _problem  # the CLI's words for a file that cannot be read
    return _problem(exc, path)


def _rows_of_file(path: str, parts: Sequence[str]) -> Dict[str, List[FrameRow]]:
    from .errors import PlanbookError
    from .formats import load
    try:
        plan = load(path)
    except (PlanbookError, OSError, ValueError) as exc:
        return _failure_rows(path, _why(exc, path), parts)
    return _plan_rows(plan, path, parts)


#: Rows (of all parts) held as dicts before they are built into typed
#: frames: a frame's construction costs about as much per column as for
#: thousands of rows, so the rows of many small plans are built together,
#: while a large plan's are built as soon as it is read (memory stays
#: bounded by the largest plan, not the number of plans).
FLUSH_ROWS = 20_000


def frames_of_files(paths: Sequence[str], parts: Sequence[str] = PARTS,
                    progress: Optional[Callable[[str], None]] = None) -> Dict[str, Any]:
    """Load files one after another and give one frame per part for them
    all, rows in the files' order (equal to concatenating
    :func:`frames_of_file` of each).  A file that cannot be read gives its
    failure rows (never an exception for bad input).  Each plan is let go
    before the next is read; the rows of plans are built into frames
    every :data:`FLUSH_ROWS` rows."""
    parts = tuple(parts)
    for part in parts:
        if part not in COLUMNS:
            raise ValueError(f"unknown part {part!r}: one of {', '.join(PARTS)}")
    done: Dict[str, List[Any]] = {part: [] for part in parts}
    pending: Dict[str, List[FrameRow]] = {part: [] for part in parts}
    held = 0

    def flush() -> None:
        for part in parts:
            if pending[part] or not done[part]:
                done[part].append(_typed(part, pending[part]))
            pending[part] = []

    for path in paths:
        for part, rows in _rows_of_file(path, parts).items():
            pending[part] += rows
            held += len(rows)
        if progress:
            progress(path)
        if held >= FLUSH_ROWS:
            flush()
            held = 0
    if held or not any(done.values()):
        flush()
    return {part: _join(part, frames) for part, frames in done.items()}


def _join(part: str, frames: List[Any]) -> Any:
    """Typed frames of one part as one (a RangeIndex from 0)."""
    frames = [f for f in frames if len(f)] or frames[:1] or [empty(part)]
    if len(frames) == 1:
        return frames[0]
    pd = require_pandas("planbook.open_many")
    return pd.concat(frames, ignore_index=True)


def frames_of_file(path: str, parts: Sequence[str] = PARTS) -> Dict[str, Any]:
    """Load one file and give its frames; a file that cannot be read gives
    its failure rows instead (never an exception for bad input)."""
    return frames_of_files([path], parts)


# ------------------------------------------------------------ many plans

def is_plan_folder(path: str) -> bool:
    """True for a folder to search for plans: a folder not named like a
    plan (a folder ``plan.yaml/`` is an error to report, not a folder to
    search)."""
    return os.path.isdir(path) and not path.lower().rstrip("/\\").endswith(SUFFIXES)


def expand(paths: Paths) -> List[str]:
    """Files from paths, globs and folders (searched recursively for
    .yaml, .yml and .xlsx files), sorted within each argument, each once.
    A path that names nothing, a folder named like a plan (``plan.yaml/``)
    and a folder with no plans in it are kept as they are, so that each is
    reported as a file that cannot be read."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    out: List[str] = []
    seen: Set[str] = set()
    for p in paths:
        p = os.fspath(p)
        if is_plan_folder(p):
            found = sorted(f for f in glob.glob(os.path.join(glob.escape(p), "**", "*"),
                                                recursive=True)
                           if f.lower().endswith(SUFFIXES) and os.path.isfile(f)
                           and not os.path.basename(f).startswith((".", "~$")))
        elif glob.has_magic(p):
            found = sorted(glob.glob(p, recursive=True))
        else:
            found = [p]
        for f in found or [p]:
            if f not in seen:
                seen.add(f)
                out.append(f)
    return out


class Batch:
    """The frames of many plans: ``batch["budgets"]`` (or
    ``batch.budgets``), one per part of :data:`PARTS`, and ``failures``,
    the files that could not be read."""

    def __init__(self, frames: Dict[str, Any], files: List[str]):
        self.frames = frames
        self.files = files

    def __getitem__(self, part: str) -> Any:
        return self.frames[part]

    def __getattr__(self, part: str) -> Any:
        frames = self.__dict__.get("frames", {})
        if part in frames:
            return frames[part]
        raise AttributeError(part)

    @property
    def failures(self) -> Any:
        plans = self.frames["plans"]
        return plans.loc[~plans["loaded"], ["plan", "error"]].reset_index(drop=True)

    def __len__(self) -> int:
        return len(self.files)

    def summary(self) -> str:
        """One line: how many plans, loaded, with errors, unreadable."""
        plans = self.frames["plans"]
        loaded = int(plans["loaded"].sum())
        with_errors = int((plans["errors"].fillna(0) > 0).sum())
        return (f"{len(plans)} plans: {loaded} read, {len(plans) - loaded} could not be read; "
                f"{with_errors} with errors")

    def __repr__(self) -> str:
        return f"<planbook.Batch: {self.summary()}>"


def chunks(files: Sequence[str], size: int) -> List[List[str]]:
    """Files in runs of ``size`` (the last one shorter), in order."""
    if size < 1:
        raise ValueError(f"files per chunk is at least 1, not {size!r}")
    return [list(files[i:i + size]) for i in range(0, len(files), size)]


def _some(args: Tuple[List[str], Tuple[str, ...]]) -> Dict[str, Any]:
    return frames_of_files(args[0], args[1])


def open_many(paths: Paths, *, parts: Sequence[str] = PARTS, jobs: int = 1,
              progress: Optional[Callable[[str], None]] = None) -> Batch:
    """Read many plans (paths, globs or folders; YAML and xlsx mixed) into
    one frame per part, each with a ``plan`` column.

    ``jobs`` > 1 reads them in that many processes (each given runs of
    files, a frame per part and run sent back).  ``progress``, when
    given, is called with each file's name as it is done.  The ``plans``
    frame always comes along (it accounts for every file)."""
    parts = tuple(dict.fromkeys(["plans", *parts]))
    for part in parts:
        if part not in COLUMNS:
            raise ValueError(f"unknown part {part!r}: one of {', '.join(PARTS)}")
    files = expand(paths)
    if jobs > 1 and len(files) > 1:
        runs = chunks(files, max(1, len(files) // (jobs * 8)))
        results: Dict[str, List[Any]] = {part: [] for part in parts}
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            for run, r in zip(runs, pool.map(_some, [(run, parts) for run in runs])):
                for part in parts:
                    results[part].append(r[part])
                for path in run if progress else ():
                    progress(path)  # pyright: ignore[reportOptionalCall]
        frames = {part: _join(part, results[part]) for part in parts}
    else:
        frames = frames_of_files(files, parts, progress)
    return Batch(frames, files)


# ------------------------------------------------------------ roll-ups

def rollup(budgets: Any, mapping: Any, *, table: str, rows: str = "lines",
           consolidated: Optional[Dict[str, str]] = None) -> Any:
    """Sum one budget table across plans, up a hierarchy, exactly.

    ``budgets``: a :class:`Batch` or its ``budgets`` frame.  ``mapping``:
    plan (file) -> {level: group} in order from the smallest, e.g.
    ``{"plans/libraries.yaml": {"directorate": "Neighbourhoods",
    "council": "Anytown"}}``; every plan of the frame must be mapped.
    ``table``: the table id (or, when no plan has that id, the table kind)
    to roll up.  ``rows``: ``"lines"`` (lines and parts, summed by label)
    or ``"totals"`` (top-level totals, by label).  Figures are aligned by
    the columns' fiscal periods (``2024/25``), not their ids, and summed as
    exact Decimals.

    ``consolidated``: group -> the file of that group's own plan (the
    directorate's, the council's): its table's figures are compared with
    the roll-up.

    Returns ``(totals, findings)``: ``totals`` has one row per level,
    group, label and period with the ``value`` and the number of ``plans``
    it sums; ``findings`` has a row per figure a consolidated plan declares
    that the roll-up does not reach (declared, computed, difference), per
    label or period the roll-up has and the consolidated plan lacks, and
    per plan whose fiscal year does not start in the same month as the
    others (its figures are left out: its periods are other spans of
    time)."""
    pd = require_pandas("planbook.many.rollup")
    frame = budgets["budgets"] if isinstance(budgets, Batch) else budgets
    plans_frame = budgets["plans"] if isinstance(budgets, Batch) else None
    sel = frame[frame["table"] == table]
    if not len(sel):
        sel = frame[frame["kind"] == table]
    if rows == "lines":
        sel = sel[sel["row_kind"].isin(["line", "part"])]
    elif rows == "totals":
        sel = sel[(sel["row_kind"] == "total") & (sel["depth"] == 0)]
    else:
        raise ValueError("rows is 'lines' or 'totals'")
    sel = sel[sel["period"].notna()]
    findings: List[FrameRow] = []
    if plans_frame is not None:
        starts = plans_frame.dropna(subset=["year_start"]).set_index("plan")["year_start"]
        used = starts[starts.index.isin(set(sel["plan"]))]
        if len(used):
            common = used.mode().iloc[0]
            for plan, start in used.items():
                if start != common:
                    findings.append({"group": None, "plan": plan, "code": "year_start",
                                     "message": f"{plan}: its financial year starts in month "
                                                f"{start}, the others' in month {common}: "
                                                f"its figures are left out"})
            sel = sel[~sel["plan"].isin([f["plan"] for f in findings])]
    unmapped = sorted(set(sel["plan"]) - set(mapping))
    if unmapped:
        raise ValueError(f"plans without a place in the mapping: {', '.join(unmapped)}")
    levels: List[str] = []
    for groups in mapping.values():
        for level in groups:
            if level not in levels:
                levels.append(level)
    out: List[FrameRow] = []
    for level in levels:
        group_of = {plan: groups.get(level) for plan, groups in mapping.items()}
        keyed: Dict[Tuple[str, str, str], List[Any]] = {}
        for plan, label, period, value in zip(sel["plan"], sel["label"], sel["period"],
                                              sel["value"]):
            group = group_of.get(plan)
            if group is None or value is None:
                continue
            entry = keyed.setdefault((group, label, period), [decimal.Decimal(0), set()])
            entry[0] += value
            entry[1].add(plan)
        for (group, label, period), (value, plans) in keyed.items():
            out.append({"level": level, "group": group, "label": label, "period": period,
                        "value": value, "plans": len(plans)})
    totals = pd.DataFrame(out, columns=["level", "group", "label", "period", "value", "plans"])
    if consolidated:
        findings += _against_consolidated(totals, consolidated, table, rows)
    return totals, pd.DataFrame(findings, columns=["group", "plan", "code", "label", "period",
                                                   "declared", "computed", "difference",
                                                   "message"])


def _against_consolidated(totals: Any, consolidated: Dict[str, str], table: str,
                          rows: str) -> List[FrameRow]:
    findings: List[FrameRow] = []
    for group, path in consolidated.items():
        own = frames_of_file(path, ("plans", "budgets"))
        if not bool(own["plans"]["loaded"].iloc[0]):
            findings.append({"group": group, "plan": path, "code": "unreadable",
                             "message": own["plans"]["error"].iloc[0]})
            continue
        mine, = rollup(own["budgets"], {path: {"own": group}}, table=table, rows=rows)[:1]
        declared = {(r.label, r.period): r.value for r in mine.itertuples()}
        computed = {(r.label, r.period): r.value
                    for r in totals[totals["group"] == group].itertuples()}
        for key in sorted(set(declared) | set(computed)):
            label, period = key
            d, c = declared.get(key), computed.get(key)
            if d is None:
                findings.append({"group": group, "plan": path, "code": "missing",
                                 "label": label, "period": period, "computed": c,
                                 "message": f"{group}: {label!r} {period} sums to {c} across "
                                            f"its plans, but {path} does not declare it"})
            elif c is None:
                findings.append({"group": group, "plan": path, "code": "missing",
                                 "label": label, "period": period, "declared": d,
                                 "message": f"{group}: {path} declares {label!r} {period} "
                                            f"{d}, but no plan of the group has it"})
            elif d != c:
                findings.append({"group": group, "plan": path, "code": "rollup",
                                 "label": label, "period": period, "declared": d,
                                 "computed": c, "difference": d - c,
                                 "message": f"{group}: {path} declares {label!r} {period} "
                                            f"{d}, but its plans sum to {c} "
                                            f"(difference {d - c})"})
    return findings


# ------------------------------------------------------------ open-data files

#: Where each open-data standard's file goes for a plan (its file's stem):
#: a Fiscal Data Package is a folder (datapackage.json and its CSVs).
TARGETS = {"ofdp": os.path.join("{stem}", "datapackage.json"), "sdmx": "{stem}.sdmx.csv"}


def convert_targets(files: Sequence[str], out_dir: _Path, to: str) -> List[Tuple[str, str]]:
    """(plan file, output path) for each file: the stem of its name, made
    unique by a number when two plans share one (``plan``, ``plan-2``).
    Makes ``out_dir`` here, once, before any task runs: a task that fails
    removes only a folder of its own (a data package's), never the one the
    other tasks are writing into at the same time."""
    if to not in TARGETS:
        raise ValueError(f"to is one of {', '.join(TARGETS)}, not {to!r}")
    os.makedirs(os.fspath(out_dir), exist_ok=True)
    seen: Dict[str, int] = {}
    out: List[Tuple[str, str]] = []
    for f in files:
        stem = os.path.basename(os.fspath(f).rstrip("/\\")).split(".")[0] or "plan"
        n = seen[stem] = seen.get(stem, 0) + 1
        name = stem if n == 1 else f"{stem}-{n}"
        out.append((f, os.path.join(os.fspath(out_dir), TARGETS[to].format(stem=name))))
    return out


def convert_one(job: Tuple[str, str]) -> Dict[str, Optional[str]]:
    """Convert one plan; a file that cannot be read or written is an
    ``error``, never an exception."""
    from .errors import PlanbookError
    from .formats import load, save
    path, target = job
    folder = os.path.dirname(target) or "."
    made = not os.path.isdir(folder)
    try:
        os.makedirs(folder, exist_ok=True)
        save(load(path), target)
    except (PlanbookError, OSError, ValueError) as exc:
        if made:                      # no empty folder left for a plan not written
            with contextlib.suppress(OSError):
                os.rmdir(folder)
        return {"plan": path, "output": None, "error": _why(exc, path)}
    return {"plan": path, "output": target, "error": None}


def convert_many(paths: Paths, out_dir: _Path, *, to: str = "ofdp", jobs: int = 1,
                 progress: Optional[Callable[[str], None]] = None) -> List[Dict[str, Optional[str]]]:
    """Write each plan (paths, globs or folders) as an open-data file under
    ``out_dir``: ``to="ofdp"`` a Fiscal Data Package per plan
    (``out_dir/<plan>/datapackage.json`` and its CSVs), ``"sdmx"`` an
    SDMX-CSV file of its indicators (``out_dir/<plan>.sdmx.csv``).  One
    dict per file given (plan, output, error): plans in = written + failed."""
    work = convert_targets(expand(paths), out_dir, to)
    results: List[Dict[str, Optional[str]]] = []
    if jobs > 1 and len(work) > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            for r in pool.map(convert_one, work):
                results.append(r)
                if progress:
                    progress(str(r["plan"]))
    else:
        for job in work:
            results.append(convert_one(job))
            if progress:
                progress(job[0])
    return results
