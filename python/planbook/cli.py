"""The planbook command line (also ``python -m planbook``).

    planbook check PLAN... [--json]   findings; exit 1 when there are errors
    planbook summary PLAN...          totals of every table, then findings
    planbook show PLAN [TABLE...]     tables laid out as finance prints them
    planbook status PLAN... [--period P] [--json]
                                      indicator dashboards: RAG, direction, reasons
    planbook convert IN OUT           from one format to another
    planbook diff A B [--json]        what changed between two versions of a plan
    planbook export PLAN -o OUT       write a workbook (or any format) from a plan
    planbook formats                  the installed formats
Exit status: 0 fine, 1 findings with errors, 2 a file could not be read or
written.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from typing import List, Optional

from . import formats as _formats
from ._model import Plan, format_amount
from .errors import PlanbookError


def _load(path: str) -> Plan:
    return _formats.load(path)


def _cmd_check(args) -> int:
    worst = 0
    results = []
    for path in args.plans:
        plan = _load(path)
        findings = plan.check()
        if findings.errors:
            worst = 1
        if args.json:
            results.append({"file": path, "findings": [f.to_dict() for f in findings]})
        else:
            n_err, n_warn = len(findings.errors), len(findings.warnings)
            print(f"{path}: {n_err} error{'s' if n_err != 1 else ''}, "
                  f"{n_warn} warning{'s' if n_warn != 1 else ''}")
            for f in findings:
                print(f"  {f}")
    if args.json:
        out = results[0] if len(results) == 1 else results
        json.dump(out, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    return worst


def _table_summary(table) -> List[str]:
    cols = [c for c in table.columns if c.type == "amount"]
    lines = []
    grand = [r for r in table.rows if r.kind == "total" and r.depth == 0 and not r.select]
    shown = grand[-1] if grand else None
    heading = f"  {table.title or table.id} [{table.id}, {table.kind}, {table.unit}]: " \
              f"{len(table.lines())} lines"
    lines.append(heading)
    if shown is not None:
        figures = []
        for col in cols:
            cell = shown[col.id]
            text = format_amount(cell.shown) if cell.shown is not None else "blank"
            if cell.difference:
                text += f" (computed {format_amount(cell.computed)})"
            figures.append(f"{col.heading}: {text}")
        lines.append(f"    {shown.label}: " + "; ".join(figures))
    return lines


def _cmd_summary(args) -> int:
    worst = 0
    as_of = datetime.date.fromisoformat(args.as_of) if args.as_of else datetime.date.today()
    for path in args.plans:
        plan = _load(path)
        meta = plan.meta
        print(f"== {meta.get('title', path)}")
        who = ", ".join(v for v in (meta.get("organisation"), meta.get("directorate"),
                                    meta.get("period"), meta.get("status")) if v)
        if who:
            print(f"   {who}")
        print(f"   file: {path}")
        for tid in plan.budgets:
            for line in _table_summary(plan.budgets[tid]):
                print(line)
        dash = _dashboard_lines(plan)
        if dash:
            print("  Indicators:")
            for line in dash:
                print("  " + line)
        if len(plan.risks):
            print(f"  Risks (as of {as_of.isoformat()}):")
            for rid in plan.risks:
                reg = plan.risks[rid]
                p = reg.profile()
                review = ""
                if reg.next_review:
                    review = f"; next review {reg.next_review}"
                    if reg.review_overdue(as_of):
                        review += " (overdue)"
                print(f"    {reg.title or rid} [{rid}]: {len(reg)} risks; {p['red']} red, "
                      f"{p['amber']} amber, {p['green']} green, {p['unscored']} unscored"
                      f"{review}")
        acts = [cid for cid in plan.records if plan.records[cid].kind == "actions"]
        if acts:
            print(f"  Actions (as of {as_of.isoformat()}):")
            for cid in acts:
                coll = plan.records[cid]
                late = coll.overdue(as_of)
                undated = coll.undated()
                ids = ", ".join(r.id or f"#{r.index + 1}" for r in late[:10])
                more = f" and {len(late) - 10} more" if len(late) > 10 else ""
                print(f"    {coll.title or cid} [{cid}]: {len(coll)} items; {len(late)} overdue"
                      f"{' (' + ids + more + ')' if late else ''}; {len(undated)} undated")
        findings = plan.check()
        if findings.errors:
            worst = 1
        print(f"  Findings: {len(findings)} ({len(findings.errors)} errors)")
        for f in findings:
            print(f"    - {f}")
        print()
    return worst


def _dashboard_lines(plan, period=None, indent="  ") -> List[str]:
    """One line per indicator set: how many red, amber, green, improving,
    worsening."""
    lines = []
    for sid in plan.indicators:
        iset = plan.indicators[sid]
        if period is not None and period not in iset.periods:
            continue
        if iset.report_period is None and period is None:
            lines.append(f"{indent}{iset.title or sid} [{sid}]: no figures yet")
            continue
        d = iset.status(period)
        c = d.counts()
        at = d[0].period if len(d) else period
        lines.append(f"{indent}{iset.title or sid} [{sid}] at {at}: {len(d.measures())} measures; "
                     f"{c['red']} red, {c['amber']} amber, {c['green']} green, "
                     f"{c['no rag']} without RAG; {c['improving']} improving, "
                     f"{c['worsening']} worsening, {c['same']} the same")
    return lines


def _cmd_status(args) -> int:
    results = []
    for path in args.plans:
        plan = _load(path)
        if args.json:
            sets = []
            for sid in plan.indicators:
                iset = plan.indicators[sid]
                if args.period is not None and args.period not in iset.periods:
                    continue
                if iset.report_period is None and args.period is None:
                    continue
                d = iset.status(args.period)
                sets.append({"set": sid, "title": iset.title, "counts": d.counts(),
                             "measures": d.to_dicts()})
            results.append({"file": path, "sets": sets})
            continue
        print(f"== {plan.meta.get('title', path)}")
        print(f"   file: {path}")
        if not len(plan.indicators):
            print("  (no indicators)")
        for sid in plan.indicators:
            iset = plan.indicators[sid]
            if args.period is not None and args.period not in iset.periods:
                continue
            if iset.report_period is None and args.period is None:
                print(f"  {iset.title or sid} [{sid}]: no figures yet")
                continue
            d = iset.status(args.period)
            print(f"  {iset.title or sid} [{sid}] at {d[0].period if len(d) else '-'} "
                  f"(better than last: against the {iset.direction.replace('_', ' ')})")
            for r in d.measures():
                print(f"    {r.ref:<10} {str(r.value)[:24]:>24}  {(r.symbol or '-'):<9} "
                      f"{r.arrow or '-'} {r.last:<7} {(r.name or '')[:60]}")
                print(f"    {'':<10} RAG: {r.rag_reason}")
                print(f"    {'':<10} last: {r.last_reason}")
            c = d.counts()
            print(f"    {c['red']} red, {c['amber']} amber, {c['green']} green, "
                  f"{c['no rag']} without RAG; {c['improving']} improving, "
                  f"{c['worsening']} worsening, {c['same']} the same")
        print()
    if args.json:
        out = results[0] if len(results) == 1 else results
        json.dump(out, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    return 0


def _cmd_show(args) -> int:
    plan = _load(args.plan)
    ids = args.tables or list(plan.budgets)
    for tid in ids:
        print(repr(plan.budgets[tid]))
        print()
    return 0


def _cmd_convert(args) -> int:
    plan = _formats.load(args.input, format=args.from_format)
    _formats.save(plan, args.output, format=args.to_format)
    print(f"wrote {args.output}")
    return 0


def _cmd_export(args) -> int:
    plan = _load(args.plan)
    _formats.save(plan, args.output, format=args.format)
    print(f"wrote {args.output}")
    return 0


def _cmd_formats(args) -> int:
    for fmt in _formats.formats():
        ops = [op for op in ("load", "save", "loads", "dumps") if callable(getattr(fmt, op, None))]
        print(f"{fmt.name}: {', '.join(fmt.suffixes)} ({', '.join(ops)})")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="planbook", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("check", help="report where printed figures disagree with the arithmetic")
    c.add_argument("plans", nargs="+", metavar="PLAN")
    c.add_argument("--json", action="store_true", help="print the findings as JSON")
    c.set_defaults(func=_cmd_check)
    s = sub.add_parser("summary", help="totals of every table, then the findings")
    s.add_argument("plans", nargs="+", metavar="PLAN")
    s.add_argument("--as-of", default=None, metavar="YYYY-MM-DD",
                   help="the date reviews are overdue against (default: today)")
    s.set_defaults(func=_cmd_summary)
    sh = sub.add_parser("show", help="print tables as finance lays them out")
    sh.add_argument("plan", metavar="PLAN")
    sh.add_argument("tables", nargs="*", metavar="TABLE")
    sh.set_defaults(func=_cmd_show)
    st = sub.add_parser("status", help="indicator dashboards: RAG, direction of travel, reasons")
    st.add_argument("plans", nargs="+", metavar="PLAN")
    st.add_argument("--period", default=None,
                    help="the period to report (default: each set's latest)")
    st.add_argument("--json", action="store_true", help="print the dashboards as JSON")
    st.set_defaults(func=_cmd_status)
    df = sub.add_parser("diff", help="what changed between two versions of a plan")
    df.add_argument("a")
    df.add_argument("b")
    df.add_argument("--json", action="store_true", help="the changes as JSON")
    df.add_argument("--as-of", default=None, metavar="DATE",
                    help="also the actions and reviews overdue at DATE (YYYY-MM-DD) in B "
                         "that were not in A")
    df.add_argument("-o", "--output", default=None, metavar="OUT",
                    help="also write the changes as a plan file (changes.xlsx: a workbook)")
    df.set_defaults(func=_cmd_diff)
    cv = sub.add_parser("convert", help="convert a plan between formats")
    cv.add_argument("input", metavar="IN")
    cv.add_argument("output", metavar="OUT")
    cv.add_argument("--from", dest="from_format", default=None)
    cv.add_argument("--to", dest="to_format", default=None)
    cv.set_defaults(func=_cmd_convert)
    ex = sub.add_parser("export", help="write a plan in another format (e.g. a workbook)")
    ex.add_argument("plan", metavar="PLAN")
    ex.add_argument("-o", "--output", required=True, metavar="OUT")
    ex.add_argument("--format", default=None, help="format name (default: from the suffix)")
    ex.set_defaults(func=_cmd_export)
    f = sub.add_parser("formats", help="list the installed formats")
    f.set_defaults(func=_cmd_formats)
    return p


def _cmd_diff(args) -> int:
    """Exit 0 when the plans are the same, 1 when they differ (as diff(1))."""
    import warnings

    from ._diff import diff
    from .errors import ReadWarning
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ReadWarning)
        changes = diff(args.a, args.b, as_of=args.as_of)
    for w in caught:
        print(f"planbook: warning: {w.message}", file=sys.stderr)
    if args.json:
        sys.stdout.write(changes.to_json() + "\n")
    else:
        print(f"--- {args.a}\n+++ {args.b}")
        print(changes)
    if args.output:
        _formats.save(changes.to_plan(), args.output)
        print(f"wrote {args.output}", file=sys.stderr)
    return 1 if changes else 0


def main(argv: Optional[List[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except PlanbookError as exc:
        print(f"planbook: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"planbook: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # pragma: no cover
        return 0
