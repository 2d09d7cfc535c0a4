"""The planbook command line (also ``python -m planbook``).

    planbook check PLAN... [--json]   findings; exit 1 when there are errors
    planbook summary PLAN...          totals of every table, then findings
                                      (check and summary: PLAN may be a folder;
                                      -j N in N processes, --scheduler ADDRESS
                                      on a Dask cluster; a line of totals)
    planbook show PLAN [TABLE...]     tables laid out as finance prints them
    planbook status PLAN... [--period P] [--json]
                                      indicator dashboards: RAG, direction, reasons
    planbook convert IN OUT           from one format to another (IN a folder of
                                      plans and OUT a folder with --to ofdp|sdmx)
    planbook diff A B [--json]        what changed between two versions of a plan
    planbook export PLAN -o OUT       write a workbook (or any format) from a plan
    planbook report PLAN -o OUT       the committee pack: pack.html, or pack.pdf (Chromium)
    planbook due PLAN... [--as-of D] [--within DAYS] [-o due.ics]
                                      actions and reviews due soon or overdue
    planbook movement EARLIER LATER   risks re-scored, measures changing RAG
    planbook update PLAN --from FILE --period P [-o OUT]
                                      merge actuals (CSV, or a workbook with
                                      --mapping) with a year-end forecast
    planbook formats                  the installed formats
    planbook --version                version (-V); before or after a command:
                                      --debug (traceback on an error), --no-progress

Exit status: 0 nothing wrong; 1 a plan has errors (check, summary), or the
two plans differ (diff, as diff(1)), or rows of the actuals match no row of
the plan (update: the plan is written, they are listed); 2 the command could not do its job (bad
arguments, a file that cannot be read or written or is not a plan, an
unknown table or period, an internal error); 130 interrupted; 141 the
output pipe was closed (``planbook summary PLAN | head``), quietly.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import difflib
import io
import json
import os
import sys
import threading
import traceback
import warnings
from decimal import Decimal
from typing import (TYPE_CHECKING, Any, Callable, Dict, Generator, Iterator, List, Optional,
                    Sequence, TextIO, Tuple, Type, Union)

from . import formats as _formats
from ._model import Plan, format_amount
from ._version import __version__
from .errors import PlanbookError, ReadWarning, ValidationError

if TYPE_CHECKING:  # pragma: no cover
    from ._indicators import Dashboard, IndicatorSet
    from ._model import Table

#: what a command does with one plan: (status, text to print, JSON data)
Work = Callable[..., Tuple[int, Optional[str], Any]]
#: (path, status, text, data, problem) of one plan, as the commands print them
Result = Tuple[str, int, Optional[str], Any, Optional[str]]

# What an exit status means (docs/api.md, "Command line").
OK, FINDINGS, FAILED = 0, 1, 2
INTERRUPTED, PIPE_CLOSED = 130, 141


class CommandError(Exception):
    """The command cannot do what was asked (an unknown table, a period no
    dashboard has): one line for the user, exit status 2."""


# ------------------------------------------------------------ terminal text

def _escape_table() -> Dict[int, str]:
    table = {c: f"\\x{c:02x}" for c in range(0x20) if c not in (0x09, 0x0A)}
    table.update({c: f"\\x{c:02x}" for c in range(0x7F, 0xA0)})        # DEL, C1 (8-bit CSI...)
    # bidirectional embeddings, overrides and isolates: they reorder what
    # follows on the line ("Trojan Source")
    table.update({c: f"\\u{c:04x}" for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))})
    return table


_TERMINAL = _escape_table()
_JSON = {c: f"\\u{c:04x}" for c in _TERMINAL if c >= 0x7F}


def terminal_text(text: Any) -> str:
    """``text`` made safe for a terminal: control characters (ESC and so
    CSI and OSC sequences, BEL, CR, backspace, the C1 controls) and the
    bidirectional overrides are shown escaped (``\\x1b``), never sent raw;
    newline and tab are kept.  Every line the CLI prints passes here."""
    return str(text).translate(_TERMINAL)


def _json_text(text: str) -> str:
    """JSON text with DEL, the C1 controls and the bidirectional overrides
    as ``\\uXXXX`` escapes (json escapes the C0 controls itself): the same
    data, nothing a terminal acts on."""
    return text.translate(_JSON)


# The running command's progress display and --debug (set by main only).
_progress: Optional["_Progress"] = None
_debug = False


def _emit(text: Any = "", *, err: bool = False) -> None:
    """Print ``text`` (any number of lines) escaped for the terminal, on
    stdout (or stderr), out of the way of a progress display."""
    stream = sys.stderr if err else sys.stdout
    with _progress.paused(stream) if _progress is not None else contextlib.nullcontext():
        stream.write(terminal_text(text) + "\n")
        if err:
            stream.flush()


def _emit_json(data: Any) -> None:
    _emit_json_text(json.dumps(data, indent=2, ensure_ascii=False))


def _emit_json_text(text: str) -> None:
    with _progress.paused(sys.stdout) if _progress is not None else contextlib.nullcontext():
        sys.stdout.write(_json_text(text) + "\n")


def _error(message: Any) -> None:
    _emit(f"planbook: error: {message}", err=True)


# ------------------------------------------------------------ progress

class _Progress:
    """Progress on stderr, only when stderr is a terminal (never in a pipe,
    a file or a CI log), drawn by rich: a bar over the files when there is
    more than one, else a spinner with the elapsed time.  Nothing is shown
    for work that ends within ``delay`` seconds, and output printed through
    :func:`_emit` pauses the display so the two never mix."""

    def __init__(self, total: int, enabled: bool, delay: float = 0.4):
        self.total = total
        self.enabled = enabled
        self.delay = delay
        self._lock = threading.Lock()
        self._bar: Any = None
        self._task: Any = None
        self._shown = False
        self._closed = False
        self._timer: Optional[threading.Timer] = None
        self._description = ""
        self._done = 0

    def __enter__(self) -> "_Progress":
        if self.enabled and self.delay <= 0:
            self._show()
        elif self.enabled:
            self._timer = threading.Timer(self.delay, self._show)
            self._timer.daemon = True
            self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._timer is not None:
            self._timer.cancel()
        with self._lock:
            self._closed = True
            if self._shown:
                self._bar.stop()
                self._shown = False

    def _show(self) -> None:
        with self._lock:
            if self._closed or self._shown:
                return
            if self._bar is None:
                try:
                    from rich.console import Console
                    from rich.progress import (BarColumn, MofNCompleteColumn, Progress,
                                               SpinnerColumn, TextColumn, TimeElapsedColumn)
                except ImportError:       # progress is a nicety: never a failure
                    self._closed = True
                    return
                columns: List[Any] = [SpinnerColumn(), TextColumn("{task.description}")]
                if self.total > 1:
                    columns += [BarColumn(), MofNCompleteColumn()]
                columns.append(TimeElapsedColumn())
                self._bar = Progress(*columns, console=Console(file=sys.stderr),
                                     transient=True, redirect_stdout=False,
                                     redirect_stderr=False)
                self._task = self._bar.add_task(terminal_text(self._description),
                                                total=self.total if self.total > 1 else None,
                                                completed=self._done)
            self._bar.start()
            self._shown = True

    def doing(self, description: str) -> None:
        """What is being done now ("reading plan.yaml")."""
        with self._lock:
            self._description = description
            if self._bar is not None:
                self._bar.update(self._task, description=terminal_text(description))

    def advance(self) -> None:
        with self._lock:
            self._done += 1
            if self._bar is not None:
                self._bar.update(self._task, completed=self._done)

    @contextlib.contextmanager
    def paused(self, stream: Any) -> Generator[None, None, None]:
        """Hide the display while something is printed on ``stream``, when
        that is a terminal (output to a pipe or a file goes on beside it)."""
        with self._lock:
            hide = self._shown and (stream is sys.stderr or _isatty(stream))
            if hide:
                self._bar.stop()
                self._shown = False
            try:
                yield
            finally:
                if hide and not self._closed:
                    sys.stdout.flush()
                    self._bar.start()
                    self._shown = True


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def _progress_wanted(args: argparse.Namespace) -> bool:
    """Progress only on a terminal: never in a pipe, a file or a CI log."""
    if getattr(args, "no_progress", False) or os.environ.get("CI"):
        return False
    return os.environ.get("TERM") != "dumb" and _isatty(sys.stderr)


def _progress_delay() -> float:
    """Seconds of work before progress shows (PLANBOOK_PROGRESS_DELAY, 0.4)."""
    try:
        return max(0.0, float(os.environ.get("PLANBOOK_PROGRESS_DELAY", "0.4")))
    except ValueError:
        return 0.4


def _name(path: str) -> str:
    return os.path.basename(os.fspath(path)) or os.fspath(path)


# ------------------------------------------------------------ running over files

def _load(path: str, format: Optional[str] = None) -> Plan:
    from .many import is_plan_folder
    if is_plan_folder(path):
        raise CommandError(f"{path}: a folder with no plans in it (.yaml, .yml or .xlsx files)")
    if _progress is not None:
        _progress.doing(f"reading {_name(path)}")
    return _formats.load(path, format=format)


def _save(plan: Plan, path: str, format: Optional[str] = None) -> None:
    if _progress is not None:
        _progress.doing(f"writing {_name(path)}")
    _formats.save(plan, path, format=format)


def _problem(exc: BaseException, path: Optional[str] = None) -> str:
    """One line, in the user's words, for an error reading or writing a file."""
    if isinstance(exc, PlanbookError):
        text = str(exc)
        if path and not exc.file:
            text = f"{path}: {text}"
        return text
    if isinstance(exc, OSError):
        import errno
        words = {errno.ENOENT: "does not exist", errno.EISDIR: "is a folder",
                 errno.ENOTDIR: "is not in a folder (a part of the path is a file)",
                 errno.EACCES: "permission denied", errno.EPERM: "permission denied",
                 errno.ENOSPC: "the disk is full", errno.ELOOP: "too many symbolic links",
                 errno.ENAMETOOLONG: "the name is too long",
                 errno.EROFS: "is on a read-only file system"}
        what = words.get(exc.errno or 0) or (exc.strerror or str(exc)).lower()
        where = exc.filename if exc.filename is not None else path
        return f"{os.fsdecode(where)}: {what}" if where is not None else what
    return str(exc)


def _over_files(paths: Sequence[str], work: Callable[[str], int],
                failed: Optional[Callable[[str, str], None]] = None) -> int:
    """Run ``work(path)`` on each file; a file that cannot be read (or a
    period or table it lacks) is reported and the others are still done.
    The exit status is the worst: 2 over 1 over 0."""
    worst = OK
    for path in paths:
        try:
            worst = max(worst, work(path))
        except (PlanbookError, OSError, CommandError) as exc:
            if isinstance(exc, BrokenPipeError):
                raise
            if _debug:
                traceback.print_exc()
            message = _problem(exc, path)
            _error(message)
            if failed is not None:
                failed(path, message)
            worst = FAILED
        if _progress is not None:
            _progress.advance()
    return worst


def _safe_one(work: Work, path: str,
              *extra: Any) -> Tuple[int, Optional[str], Any, Optional[str]]:
    """``work(path, *extra)`` -> (status, text, data, None); a file that
    cannot be read gives (FAILED, None, None, the reason).  Runs in this
    process, in a worker process (--jobs) or on a Dask worker
    (--scheduler), so it takes and returns only picklable things."""
    try:
        status, text, data = work(path, *extra)
        return status, text, data, None
    except BrokenPipeError:
        raise
    except (PlanbookError, OSError, CommandError) as exc:
        if _debug:
            traceback.print_exc()
        return FAILED, None, None, _problem(exc, path)


def _results(args: argparse.Namespace, work: Work, *extra: Any) -> Iterator[Result]:
    """(path, status, text, data, problem) for each plan, in the order
    given: here, in --jobs processes, or on the Dask cluster at
    --scheduler."""
    paths = list(args.plans)
    jobs = getattr(args, "jobs", 1) or 1
    scheduler = getattr(args, "scheduler", None)
    if scheduler:
        try:
            from distributed import Client
        except ImportError:
            raise CommandError('--scheduler needs Dask: pip install "planbook[dask]"') from None
        try:
            # distributed types its futures only in part: Any where planbook meets it
            client: Any = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise CommandError(f"the Dask scheduler at {scheduler} cannot be reached: "
                               f"{exc}") from None
        with client:
            n = len(paths)
            futures = client.map(_safe_one, [work] * n, paths, *[[e] * n for e in extra],
                                 pure=False)
            for path, future in zip(paths, futures):
                yield (path, *future.result())
        return
    if jobs > 1 and len(paths) > 1:
        from concurrent.futures import ProcessPoolExecutor
        n = len(paths)
        with ProcessPoolExecutor(max_workers=min(jobs, n)) as pool:
            for path, r in zip(paths, pool.map(_safe_one, [work] * n, paths,
                                               *[[e] * n for e in extra])):
                yield (path, *r)
        return
    for path in paths:
        yield (path, *_safe_one(work, path, *extra))


def _over_plans(args: argparse.Namespace, work: Work, *extra: Any) -> int:
    """Run ``work`` over every plan, print each result as it comes (JSON
    at the end), then, for more than one plan, a line of totals.  The exit
    status is the worst: 2 over 1 over 0."""
    as_json = getattr(args, "json", False)
    results: List[Dict[str, Any]] = []
    tally = {OK: 0, FINDINGS: 0, FAILED: 0}
    for path, status, text, data, problem in _results(args, work, *extra):
        if problem is not None:
            _error(problem)
            results.append({"file": path, "error": problem})
        elif as_json:
            results.append(data)
        else:
            _emit(text)
        tally[status] = tally.get(status, 0) + 1
        if _progress is not None:
            _progress.advance()
    if as_json:
        _emit_json(results[0] if len(results) == 1 else results)
    elif len(args.plans) > 1:
        n = sum(tally.values())
        _emit(f"{n} plans: {tally[OK]} without errors, {tally[FINDINGS]} with errors, "
              f"{tally[FAILED]} could not be read")
    return max((s for s, k in tally.items() if k), default=OK)


# ------------------------------------------------------------ commands

def _check_one(path: str, as_json: bool):
    """One file's check: (status, text, JSON data)."""
    plan = _load(path)
    if _progress is not None:
        _progress.doing(f"checking {_name(path)}")
    findings = plan.check()
    status = FINDINGS if findings.errors else OK
    if as_json:
        return status, None, {"file": path, "findings": [f.to_dict() for f in findings]}
    n_err, n_warn = len(findings.errors), len(findings.warnings)
    lines = [f"{path}: {n_err} error{'s' if n_err != 1 else ''}, "
             f"{n_warn} warning{'s' if n_warn != 1 else ''}"]
    lines += [f"  {f}" for f in findings]
    return status, "\n".join(lines), None


def _cmd_check(args: argparse.Namespace) -> int:
    return _over_plans(args, _check_one, args.json)


def _table_summary(table: Table) -> List[str]:
    cols = [c for c in table.columns if c.type == "amount"]
    lines: List[str] = []
    grand = [r for r in table.rows if r.kind == "total" and r.depth == 0 and not r.select]
    shown = grand[-1] if grand else None
    heading = f"  {table.title or table.id} [{table.id}, {table.kind}, {table.unit}]: " \
              f"{len(table.lines())} lines"
    lines.append(heading)
    if shown is not None:
        figures: List[str] = []
        for col in cols:
            cell = shown[col.id]
            value = cell.shown
            text = (format_amount(value) if isinstance(value, Decimal)
                    else "blank" if value is None else value)
            if cell.difference:
                text += f" (computed {format_amount(cell.computed)})"
            figures.append(f"{col.heading}: {text}")
        lines.append(f"    {shown.label}: " + "; ".join(figures))
    return lines


def _cmd_summary(args: argparse.Namespace) -> int:
    return _over_plans(args, _summary_one, args.as_of or datetime.date.today())


def _summary_one(path: str, as_of: datetime.date):
    """One file's summary: (status, text, None)."""
    plan = _load(path)
    if _progress is not None:
        _progress.doing(f"summarising {_name(path)}")
    out: List[str] = []
    meta = plan.meta
    out.append(f"== {meta.get('title', path)}")
    who = ", ".join(v for v in (meta.get("organisation"), meta.get("directorate"),
                                meta.get("period"), meta.get("status")) if v)
    if who:
        out.append(f"   {who}")
    out.append(f"   file: {path}")
    for tid in plan.budgets:
        out.extend(_table_summary(plan.budgets[tid]))
    dash = _dashboard_lines(plan)
    if dash:
        out.append("  Indicators:")
        out.extend("  " + line for line in dash)
    if len(plan.risks):
        out.append(f"  Risks (as of {as_of.isoformat()}):")
        for rid in plan.risks:
            reg = plan.risks[rid]
            review = ""
            if reg.next_review:
                review = f"; next review {reg.next_review}"
                if reg.review_overdue(as_of):
                    review += " (overdue)"
            out.append(f"    {reg.title or rid} [{rid}]: {len(reg)} risks; "
                       f"{reg.profile_text()}{review}")
    acts = [cid for cid in plan.records if plan.records[cid].kind == "actions"]
    if acts:
        out.append(f"  Actions (as of {as_of.isoformat()}):")
        for cid in acts:
            coll = plan.records[cid]
            late = coll.overdue(as_of)
            undated = coll.undated()
            ids = ", ".join(r.id or f"#{r.index + 1}" for r in late[:10])
            more = f" and {len(late) - 10} more" if len(late) > 10 else ""
            started = [r for r in undated if r.get("start") or r.get("review")]
            kept = (f" ({len(started)} with only a start or review date: never overdue)"
                    if started else "")
            out.append(f"    {coll.title or cid} [{cid}]: {len(coll)} items; {len(late)} "
                       f"overdue{' (' + ids + more + ')' if late else ''}; "
                       f"{len(undated)} without a due date{kept}")
    findings = plan.check()
    out.append(f"  Findings: {len(findings)} ({len(findings.errors)} errors)")
    out.extend(f"    - {f}" for f in findings)
    out.append("")
    return FINDINGS if findings.errors else OK, "\n".join(out), None


def _sets_at(plan: Plan, period: Optional[str] = None
             ) -> Iterator[Tuple[str, IndicatorSet, Union[str, Dashboard]]]:
    """(id, set, what) for each indicator set: what is "absent" (the set
    has no such period), "empty" (no figures yet, and no period asked) or
    its dashboard at the period (each set's latest when None)."""
    for sid in plan.indicators:
        iset = plan.indicators[sid]
        if period is not None and period not in iset.periods:
            yield sid, iset, "absent"
        elif iset.report_period is None and period is None:
            yield sid, iset, "empty"
        else:
            yield sid, iset, iset.status(period)


def _dashboard_lines(plan: Plan, period: Optional[str] = None,
                     indent: str = "  ") -> List[str]:
    """One line per indicator set: how many red, amber, green, improving,
    worsening."""
    lines: List[str] = []
    for sid, iset, d in _sets_at(plan, period):
        if isinstance(d, str):
            if d == "empty":
                lines.append(f"{indent}{iset.title or sid} [{sid}]: no figures yet")
            continue
        c = d.counts()
        at = d[0].period if len(d) else period
        lines.append(f"{indent}{iset.title or sid} [{sid}] at {at}: {len(d.measures())} measures; "
                     f"{c['red']} red, {c['amber']} amber, {c['green']} green, "
                     f"{c['no rag']} without RAG{_assumed_words(c)}; {c['improving']} "
                     f"improving, {c['worsening']} worsening, {c['same']} the same")
    return lines


def _assumed_words(counts: Dict[str, int]) -> str:
    """How many RAGs rest on assumed thresholds, said beside the counts."""
    n = counts.get("assumed", 0)
    return f"; {n} RAG{'s' if n != 1 else ''} on assumed thresholds" if n else ""


def _some(items: Sequence[str], most: int = 12) -> str:
    if len(items) <= most:
        return ", ".join(items)
    half = most // 2
    return (", ".join(items[:half]) + ", ..., " + ", ".join(items[-half:])
            + f" ({len(items)} in all)")


def _periods_text(plan: Plan) -> str:
    sets = [f"{sid}: {_some(plan.indicators[sid].periods) or 'none'}" for sid in plan.indicators]
    return "; ".join(sets)


def _period_of(plan: Plan, text: str, path: str) -> str:
    """The period ``--period`` names, as the plan writes it; a CommandError
    when it is not a period or no dashboard of the plan has it."""
    from ._core import parse_period
    if not len(plan.indicators):
        raise CommandError(f"{path}: has no indicator dashboards, so no period {text!r}")
    try:
        canon = parse_period(text, plan.year_start)[0]
    except PlanbookError as exc:
        raise CommandError(f"{path}: --period {exc.message}; the dashboards have these "
                           f"periods: {_periods_text(plan)}") from None
    if not any(canon in plan.indicators[sid].periods for sid in plan.indicators):
        raise CommandError(f"{path}: no indicator dashboard has the period {canon}; they have "
                           f"these periods: {_periods_text(plan)}")
    return canon


def _cmd_status(args: argparse.Namespace) -> int:
    results: List[Dict[str, Any]] = []

    def one(path: str) -> int:
        plan = _load(path)
        period = None if args.period is None else _period_of(plan, args.period, path)
        if args.json:
            sets = [{"set": sid, "title": iset.title, "counts": d.counts(),
                     "measures": d.to_dicts()}
                    for sid, iset, d in _sets_at(plan, period) if not isinstance(d, str)]
            results.append({"file": path, "sets": sets})
            return OK
        out = [f"== {plan.meta.get('title', path)}", f"   file: {path}"]
        if not len(plan.indicators):
            out.append("  (no indicators)")
        for sid, iset, d in _sets_at(plan, period):
            if isinstance(d, str):
                why = f"has no period {period}" if d == "absent" else "no figures yet"
                out.append(f"  {iset.title or sid} [{sid}]: {why}")
                continue
            out.append(f"  {iset.title or sid} [{sid}] at {d[0].period if len(d) else '-'} "
                       f"(better than last: against the {iset.direction.replace('_', ' ')})")
            for r in d.measures():
                out.append(f"    {r.ref:<10} {str(r.value)[:24]:>24}  {(r.symbol or '-'):<9} "
                           f"{r.arrow or '-'} {r.last:<7} {(r.name or '')[:60]}")
                out.append(f"    {'':<10} RAG: {r.rag_reason}"
                           + (f" ({r.assumed})" if r.assumed else ""))
                out.append(f"    {'':<10} last: {r.last_reason}")
            c = d.counts()
            out.append(f"    {c['red']} red, {c['amber']} amber, {c['green']} green, "
                       f"{c['no rag']} without RAG{_assumed_words(c)}; {c['improving']} "
                       f"improving, {c['worsening']} worsening, {c['same']} the same")
        out.append("")
        _emit("\n".join(out))
        return OK

    worst = _over_files(args.plans, one,
                        lambda path, message: results.append({"file": path, "error": message}))
    if args.json:
        _emit_json(results[0] if len(results) == 1 else results)
    return worst


def _cmd_show(args: argparse.Namespace) -> int:
    plan = _load(args.plan)
    known = list(plan.budgets)
    for tid in args.tables:
        if tid not in known:
            if not known:
                raise CommandError(f"{args.plan}: has no budget tables, so no table {tid!r}")
            close = difflib.get_close_matches(str(tid), known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise CommandError(f"{args.plan}: no table {tid!r}{hint}; its tables are "
                               f"{', '.join(known)}")
    for tid in args.tables or known:
        _emit(f"{plan.budgets[tid]!r}\n")
    return OK


def _convert_to(path: str, targets: Dict[str, str]) -> Tuple[int, Optional[str], Any]:
    from .many import convert_one
    r = convert_one((path, targets[path]))
    if r["error"]:
        raise CommandError(r["error"])
    return OK, f"wrote {r['output']}", r


def _convert_many(args: argparse.Namespace) -> int:
    """A folder (or glob) of plans into OUT, a folder: one open-data file
    per plan (many.convert_many), here, in -j processes or on a cluster;
    exit 2 when any plan could not be converted (each is named)."""
    from .many import convert_targets, expand
    args.plans = expand(args.input)
    targets = dict(convert_targets(args.plans, args.output, args.to_format))
    done = failed = 0
    for _, _, text, _, problem in _results(args, _convert_to, targets):
        if problem is not None:
            _error(problem)
            failed += 1
        else:
            _emit(text)
            done += 1
    _emit(f"{len(args.plans)} plans: {done} written, {failed} could not be converted")
    return FAILED if failed else OK


def _cmd_convert(args: argparse.Namespace) -> int:
    import glob
    if args.to_format in ("ofdp", "sdmx") and (os.path.isdir(args.input)
                                               or glob.has_magic(args.input)):
        return _convert_many(args)
    plan = _load(args.input, format=args.from_format)
    if os.path.basename(args.output).lower() == "datapackage.json":
        # a data package is a folder (the descriptor and its CSVs): make it
        os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    _save(plan, args.output, format=args.to_format)
    _emit(f"wrote {args.output}")
    return OK


def _cmd_export(args: argparse.Namespace) -> int:
    plan = _load(args.plan)
    _save(plan, args.output, format=args.format)
    _emit(f"wrote {args.output}")
    return OK


def _cmd_report(args: argparse.Namespace) -> int:
    """Exit 0 when the pack is written and the plan has no errors, 1 when
    it is written and the plan has errors (marked in the pack), 2 when it
    could not be made."""
    from ._report import report
    pdf = args.output.lower().endswith(".pdf")
    if not pdf and not args.output.lower().endswith((".html", ".htm")):
        raise CommandError(f"{args.output}: a pack is written as .html or .pdf")
    plan = _load(args.plan)
    if _progress is not None:
        _progress.doing(f"{'printing' if pdf else 'writing'} {_name(args.output)}")
    since = _load(args.since) if args.since else None
    try:
        report(plan, args.output, sections=args.sections, periods=args.periods,
               as_of=args.as_of, css=args.css, logo=args.logo, title=args.title,
               since=since)
    except ImportError as exc:        # Jinja2 or websocket-client missing
        raise CommandError(str(exc)) from None
    except ValidationError as exc:    # a section or period the plan does not have
        raise CommandError(f"{args.plan}: {exc.message}") from None
    findings = plan.check()
    _emit(f"wrote {args.output} ({len(findings.errors)} errors, {len(findings.warnings)} "
          f"warnings marked)" if findings else f"wrote {args.output}")
    return FINDINGS if findings.errors else OK


def _cmd_formats(args: argparse.Namespace) -> int:
    lines: List[str] = []
    for fmt in _formats.formats():
        ops = [op for op in ("load", "save", "loads", "dumps") if callable(getattr(fmt, op, None))]
        lines.append(f"{fmt.name}: {', '.join(fmt.suffixes)} ({', '.join(ops)})")
    _emit("\n".join(lines))
    return OK


def _cmd_diff(args: argparse.Namespace) -> int:
    """Exit 0 when the plans are the same, 1 when they differ (as diff(1))."""
    from ._diff import diff
    plans: List[Plan] = []
    for path in (args.a, args.b):
        plans.append(_load(path))
        if _progress is not None:
            _progress.advance()
    if _progress is not None:
        _progress.doing("comparing")
    changes = diff(plans[0], plans[1], as_of=args.as_of)
    if args.json:
        _emit_json_text(changes.to_json())
    else:
        _emit(f"--- {args.a}\n+++ {args.b}\n{changes}")
    if args.output:
        _save(changes.to_plan(), args.output)
        _emit(f"wrote {args.output}", err=True)
    return FINDINGS if changes else OK


def _cmd_due(args: argparse.Namespace) -> int:
    """Actions and reviews due within --within days of --as-of, or overdue;
    exit 1 when any is overdue."""
    from .cycle import Due, due, to_ics
    as_of = args.as_of or datetime.date.today()
    items: List[Due] = []
    for path in args.plans:
        items += due(_load(path), as_of, args.within)
        if _progress is not None:
            _progress.advance()
    items.sort(key=lambda d: d.date)
    if args.output:
        try:
            to_ics(items, args.output)
        except ImportError as exc:
            raise CommandError(str(exc)) from None
        _emit(f"wrote {args.output} ({len(items)} event{'s' if len(items) != 1 else ''})",
              err=True)
    if args.json:
        _emit_json([d.to_dict() for d in items])
    else:
        late = sum(1 for d in items if d.overdue)
        _emit("\n".join([str(d) for d in items]
                        + [f"{len(items)} due by {(as_of + datetime.timedelta(days=args.within)).isoformat()}"
                           f" ({late} overdue as of {as_of.isoformat()})"]))
    return FINDINGS if any(d.overdue for d in items) else OK


def _cmd_movement(args: argparse.Namespace) -> int:
    """What moved from EARLIER to LATER; exit 1 when anything moved."""
    from .cycle import movement
    earlier, later = _load(args.earlier), _load(args.later)
    moves = movement(earlier, later, kind=args.kind)
    if args.json:
        _emit_json([m.to_dict() for m in moves])
    else:
        _emit("\n".join([str(m) for m in moves]
                        + [f"{len(moves)} moved" if moves else "nothing moved"]))
    return FINDINGS if moves else OK


def _cmd_update(args: argparse.Namespace) -> int:
    """Merge actuals into PLAN (written atomically, to -o OUT or PLAN
    itself); exit 1 when rows of the file match no row of the plan (the
    plan is written, the rows are listed), 2 when nothing could be done."""
    from .cycle import update_actuals
    plan = _load(args.plan)
    if args.source.lower().endswith((".xlsx", ".xlsm")) and not args.mapping:
        raise CommandError(f"{args.source}: a workbook of actuals needs --mapping "
                           f"(docs/import.md)")
    try:
        done = update_actuals(plan, args.source, args.period, table=args.table,
                              column=args.column, mapping=args.mapping, method=args.method)
    except (ValueError, KeyError, ImportError) as exc:
        if isinstance(exc, PlanbookError):
            raise
        raise CommandError(str(exc).strip("'\"")) from None
    out = args.output or args.plan
    _save(plan, out)
    if args.json:
        _emit_json(done.to_dict())
    else:
        _emit(str(done))
    _emit(f"wrote {out}", err=True)
    return FINDINGS if done.unmatched else OK


def _days(text: str) -> int:
    t = text.strip().lower().rstrip("d")
    try:
        n = int(t)
    except ValueError:
        n = -1
    if n < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of days (30, or 30d)")
    return n


# ------------------------------------------------------------ arguments

def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _jobs(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of processes (1 or more)")
    return n


def _many_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("-j", "--jobs", type=_jobs, default=1, metavar="N",
                   help="work on N plans at once, in N processes (default 1)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="run on a Dask cluster (tcp://host:8786); needs planbook[dask]")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="planbook", description=(__doc__ or "").split("\n\n")[0],
        epilog="Exit status: 0 nothing wrong; 1 a plan has errors (diff: the plans differ); "
               "2 the command could not do its job.")
    p.add_argument("-V", "--version", action="version", version=f"planbook {__version__}")
    p.add_argument("--debug", action="store_true",
                   help="on an error, also show the traceback")
    p.add_argument("--no-progress", action="store_true",
                   help="no progress display (it is shown only on a terminal anyway)")
    # the same options after the command (planbook check --debug PLAN)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help=argparse.SUPPRESS)
    common.add_argument("--no-progress", action="store_true", default=argparse.SUPPRESS,
                        help=argparse.SUPPRESS)
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help: str, func: Callable[[argparse.Namespace], int],
                json: Optional[str] = None) -> argparse.ArgumentParser:
        """A subcommand that runs func; json: what its --json option prints."""
        c = sub.add_parser(name, help=help, description=help, parents=[common])
        c.set_defaults(func=func)
        if json:
            c.add_argument("--json", action="store_true", help=f"print {json} as JSON")
        return c

    def as_of(c: argparse.ArgumentParser, help: str) -> None:
        c.add_argument("--as-of", default=None, metavar="YYYY-MM-DD", type=_date, help=help)

    c = command("check", "report where printed figures disagree with the arithmetic", _cmd_check,
                json="the findings")
    c.add_argument("plans", nargs="+", metavar="PLAN")
    _many_options(c)
    s = command("summary", "totals of every table, then the findings", _cmd_summary)
    s.add_argument("plans", nargs="+", metavar="PLAN")
    as_of(s, "the date reviews are overdue against (default: today)")
    _many_options(s)
    sh = command("show", "print tables as finance lays them out", _cmd_show)
    sh.add_argument("plan", metavar="PLAN")
    sh.add_argument("tables", nargs="*", metavar="TABLE")
    st = command("status", "indicator dashboards: RAG, direction of travel, reasons", _cmd_status,
                 json="the dashboards")
    st.add_argument("plans", nargs="+", metavar="PLAN")
    st.add_argument("--period", default=None,
                    help="the period to report, e.g. 2014/15 Q3 (default: each set's latest)")
    df = command("diff", "what changed between two versions of a plan (exit 1 when they "
                         "differ)", _cmd_diff, json="the changes")
    df.add_argument("a", metavar="A")
    df.add_argument("b", metavar="B")
    as_of(df, "also the actions and reviews overdue at this date in B that were not in A")
    df.add_argument("-o", "--output", default=None, metavar="OUT",
                    help="also write the changes as a plan file (changes.xlsx: a workbook)")
    cv = command("convert", "convert a plan between formats", _cmd_convert)
    cv.add_argument("input", metavar="IN")
    cv.add_argument("output", metavar="OUT")
    cv.add_argument("--from", dest="from_format", default=None, metavar="FORMAT")
    cv.add_argument("--to", dest="to_format", default=None, metavar="FORMAT",
                    help="the format (default: from OUT's suffix); with --to ofdp or sdmx, IN "
                         "may be a folder or glob of plans and OUT a folder")
    _many_options(cv)
    ex = command("export", "write a plan in another format (e.g. a workbook)", _cmd_export)
    ex.add_argument("plan", metavar="PLAN")
    ex.add_argument("-o", "--output", required=True, metavar="OUT")
    ex.add_argument("--format", default=None, help="format name (default: from the suffix)")
    rp = command("report", "the committee pack: one self-contained HTML page, or its PDF "
                           "printed by headless Chromium (exit 1 when the plan has errors)",
                 _cmd_report)
    rp.add_argument("plan", metavar="PLAN")
    rp.add_argument("-o", "--output", required=True, metavar="OUT",
                    help="pack.html, or pack.pdf (needs Chromium)")
    rp.add_argument("--sections", default=None, metavar="LIST",
                    help="parts, in order, comma-separated: summary, budgets, indicators, "
                         "risks, records, findings, or one of them (budgets.savings, "
                         "records.actions); default: all")
    rp.add_argument("--periods", default=None, metavar="LIST",
                    help="the periods to show, comma-separated (2014/15 Q3); dashboards "
                         "report at the last (default: each dashboard's latest)")
    as_of(rp, "the date actions and reviews are overdue against (default: today)")
    rp.add_argument("--css", default=None, metavar="FILE",
                    help="a style sheet laid over the pack's own (colours, fonts)")
    rp.add_argument("--logo", default=None, metavar="FILE",
                    help="an image for the cover (PNG, JPEG, GIF, SVG, WebP)")
    rp.add_argument("--title", default=None, help="the cover's title (default: the plan's)")
    rp.add_argument("--since", default=None, metavar="EARLIER",
                    help="an earlier version of the plan: add what moved since (risks "
                         "re-scored, measures changing RAG)")
    du = command("due", "actions and register reviews due soon or overdue, as a list or "
                        "an iCalendar file (exit 1 when any is overdue)", _cmd_due, json="them")
    du.add_argument("plans", nargs="+", metavar="PLAN")
    as_of(du, "the date to count from (default: today)")
    du.add_argument("--within", default=30, type=_days, metavar="DAYS",
                    help="how far ahead, in days (default 30; 30d also works)")
    du.add_argument("-o", "--output", default=None, metavar="FILE.ics",
                    help="also write them as an iCalendar file (needs planbook[ics])")
    mv = command("movement", "what moved since an earlier version: risks re-scored, "
                             "added or removed, measures changing RAG (exit 1 when any)",
                 _cmd_movement, json="the moves")
    mv.add_argument("earlier", metavar="EARLIER")
    mv.add_argument("later", metavar="LATER")
    mv.add_argument("--kind", default="current", choices=["inherent", "current", "target"],
                    help="which risk score to compare (default current)")
    up = command("update", "merge new actuals into a plan, by row id or label, with a "
                           "year-end forecast (exit 1 when rows of the file match nothing)",
                 _cmd_update, json="what changed")
    up.add_argument("plan", metavar="PLAN")
    up.add_argument("--from", dest="source", required=True, metavar="FILE",
                    help="actuals.csv (id or label, actual; see docs/api.md), or a "
                         "workbook with --mapping")
    up.add_argument("--period", required=True,
                    help="the period the actuals run to: 2018/19 Q2, Sep 2018")
    up.add_argument("--mapping", default=None, metavar="FILE",
                    help="the mapping of the workbook (docs/import.md)")
    up.add_argument("--table", default=None, help="the budget table (default: the first "
                                                   "with a column for the period's year)")
    up.add_argument("--column", default=None,
                    help="the budget column (default: the table's first of that year)")
    up.add_argument("--method", default="straight_line", choices=["straight_line", "last_year"],
                    help="the year-end forecast: straight line from the year to date "
                         "(default), or as the same period last year")
    up.add_argument("-o", "--output", default=None, metavar="OUT",
                    help="write the updated plan here (default: over PLAN)")
    command("formats", "list the installed formats", _cmd_formats)
    return p


# ------------------------------------------------------------ main

def _files_of(args: argparse.Namespace) -> int:
    if hasattr(args, "plans"):
        return len(args.plans)
    return 2 if args.command in ("diff", "movement") else 1


def _plans_in(paths: Sequence[str]) -> List[str]:
    """The plans named: files as given, folders searched (recursively) for
    .yaml, .yml and .xlsx files, globs expanded (for shells that do not).
    A folder with no plans stays in the list, and is reported as such."""
    from .many import expand
    return expand(paths) or list(paths)


def _show_warning(message: Union[Warning, str], category: Type[Warning], filename: str,
                  lineno: int, file: Optional[TextIO] = None,
                  line: Optional[str] = None) -> None:
    _emit(f"planbook: warning: {message}", err=True)


def main(argv: Optional[List[str]] = None) -> int:
    """Run the command line; returns the exit status (see the module's doc)."""
    global _progress, _debug
    streams: List[io.TextIOWrapper[Any]] = [s for s in (sys.stdout, sys.stderr)
                                            if isinstance(s, io.TextIOWrapper)]
    before = [s.errors for s in streams]
    for s in streams:   # a name or text the terminal cannot show is escaped, not a crash
        with contextlib.suppress(Exception):
            s.reconfigure(errors="backslashreplace")
    debug = False
    try:
        args = build_parser().parse_args(argv)
        debug = _debug = getattr(args, "debug", False)
        if hasattr(args, "plans"):
            args.plans = _plans_in(args.plans)
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            warnings.simplefilter("always", ReadWarning)
            with _Progress(_files_of(args), _progress_wanted(args), _progress_delay()) as prog:
                _progress = prog
                try:
                    status = args.func(args)
                finally:
                    _progress, _debug = None, False
        sys.stdout.flush()
        return status
    except BrokenPipeError:
        # the reader went away (planbook summary PLAN | head): stop quietly;
        # output still buffered goes nowhere instead of failing at exit
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
        return PIPE_CLOSED
    except KeyboardInterrupt:
        if debug:
            traceback.print_exc()
        return INTERRUPTED
    except SystemExit:
        raise           # argparse: usage errors (2), --help and --version (0)
    except (PlanbookError, OSError, CommandError) as exc:
        if debug:
            traceback.print_exc()
        _error(_problem(exc))
        return FAILED
    except Exception as exc:   # a bug: one line, the traceback with --debug
        if debug:
            traceback.print_exc()
        _error(f"internal error: {type(exc).__name__}: {exc}"
               + ("" if debug else " (run again with --debug to see where; please report it)"))
        return FAILED
    finally:
        for s, errors in zip(streams, before):
            with contextlib.suppress(Exception):
                s.reconfigure(errors=errors)
