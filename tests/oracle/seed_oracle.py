#!/usr/bin/env python3
"""Independent oracle for the seed example plans.

Reads the three example plan files transcribed from the seed documents and
reports every place where a printed (declared) figure disagrees with the
arithmetic of docs/format.md.  It does not use planbook: only PyYAML and
decimal.Decimal, so that it can be used to test planbook's own checks.

Usage:
    python3 tests/oracle/seed_oracle.py [OUTPUT.json] [PLAN.yaml ...]

Without PLAN arguments it reads the three seed examples under examples/.
Writes a JSON list to OUTPUT (or stdout).  Each finding:

    {"file", "table", "row", "column", "code", "declared", "computed", "difference"}

code is one of
    total      a total row's printed figure vs the signed sum of the lines and
               sections that precede it in its own section
    formula    a line's printed figure in a `sum` column vs that sum
    parts      a line's printed figure vs the sum of its parts
    equals     a column with `equals` vs the named column, same row
    agreement  the left side of an agreement vs the right side (file/table/
               row/column are the left side's; "computed" is the right side's
               value; both after `negate`)
difference = declared - computed.  Findings are sorted by file name, then by
document position (table, row in pre-order, column), then code.

The rules, as read from docs/format.md:
- Roles: expenditure, saving, growth, adjustment, other count +; income,
  internal, funding count -.  A row's role is its own or its enclosing
  section's; top level is `other`.
- A total is the signed sum of the lines and sections preceding it in its own
  section (totals are not added in); a section counts as the signed sum of
  everything inside it.  A total shows the sum in its own role (a total in an
  Income section shows income positive; a top-level total shows
  expenditure - internal - income).
- income_sign: negative means income lines (and income-role totals) are
  printed negative: the meaning is minus the printed figure.
- A line with parts: in every column where a part has a figure, the line's
  computed figure is the sum of its parts (compared with the line's printed
  figure when it has one).
- A `sum` column is computed from the other columns of the same row (terms
  written -id are subtracted); a total row's figure in a sum column is, like
  every total, the sum over its lines (each line's sum computed from that
  line's inputs).
- Computed figures come from line figures only, never from a printed total or
  a printed sum-column figure.
- blank (~) counts as zero with `blank: zero` (the default); with
  `blank: missing` a total over a blank figure is not checked.  A printed dash
  '-' is nil: zero.  A total whose cell is blank is not checked.
- equals: checked in every line (not parts) where both cells are known:
  the printed figure, else the figure computed from the line's parts or its
  `sum` formula; and in every total that is not a `select` total where both
  figures are printed (issue 17: a totals row is held to the agreement its
  lines obey, as a reader would check it).
- compute (a computed column): share(A, FIGURE) = A / FIGURE x 100,
  share(A, row R) = A / (A in row R) x 100, ratio(A, B) = A / B,
  change(A, B) = B - A, pct_change(A, B) = (B - A) / A x 100, from each
  row's figures (a line's printed or computed figure, a total's computed
  one; in a text column a cell counts when it is a single number as
  printed), exactly (fractions), rounded half-up (or half-even) to the
  column's decimals.  A printed figure in a computed column (in a text
  column: a single number, at the decimals printed; in an amount column: at
  the column's decimals) is a `computed` finding when the exact figure
  rounded to the printed precision differs from it; "computed" is the
  exact figure rounded to the larger of the printed and the column's
  decimals.
- select: a total with `select: X` sums only the lines labelled X and, of the
  other lines, only their parts labelled X.
- Agreements compare cell by cell the printed figure where there is one, else
  the computed one.  `rows: lines` is every line (not parts, not totals) of
  the table, in order.
- Tolerance: the agreement's, else the table's, else settings.tolerance,
  else 0.  A difference whose absolute value exceeds it is a finding.
"""

import json
import os
import re
import sys
from decimal import Decimal
from fractions import Fraction

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, '..', '..'))
DEFAULT_FILES = [
    'examples/manchester-children-2018-19.yaml',
    'examples/manchester-children-families-2015-17.yaml',
    'examples/manchester-spod-2007-08.yaml',
]

SIGN = {
    'expenditure': 1, 'saving': 1, 'growth': 1, 'adjustment': 1, 'other': 1,
    'income': -1, 'internal': -1, 'funding': -1,
}


class OracleError(Exception):
    pass


COMPUTE = re.compile(r'(?P<kind>share|ratio|change|pct_change)\(\s*(?P<a>[\w-]+)\s*,\s*'
                     r'(?:row\s+(?P<row>[\w.-]+)|(?P<b>[A-Za-z_][\w-]*)|(?P<base>[\d.]+))\s*\)'
                     r'(?:\s+half-(?P<round>up|even))?')
FIGURE = re.compile(r'[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?|[+-]?\d+(?:\.\d*)?')


# --------------------------------------------------------------------------
# values

def parse_amount(v, decimals, where):
    """Return None for blank, else a Decimal ('-' is zero)."""
    if v is None:
        return None
    if isinstance(v, bool):
        raise OracleError(f'{where}: boolean is not an amount')
    if isinstance(v, int):
        d = Decimal(v)
    elif isinstance(v, float):
        d = Decimal(repr(v))
    elif isinstance(v, str):
        s = v.strip()
        if s == '-':
            return Decimal(0)
        neg = False
        if s.startswith('(') and s.endswith(')'):
            neg, s = True, s[1:-1].strip()
        if s.startswith('-'):
            neg, s = (not neg), s[1:].strip()
        s = s.replace('£', '').replace(',', '')
        if not re.fullmatch(r'\d+(\.\d+)?', s):
            raise OracleError(f'{where}: not an amount: {v!r}')
        d = Decimal(s)
        if neg:
            d = -d
    else:
        raise OracleError(f'{where}: not an amount: {v!r}')
    if d.as_tuple().exponent < -decimals:
        raise OracleError(f'{where}: {v!r} has more than {decimals} decimals')
    return d


def num(d):
    """An integer as a JSON number; else the exact decimal as a string (a
    float would not compare exactly with planbook's Decimal)."""
    if d == d.to_integral_value():
        return int(d)
    return str(d)


# --------------------------------------------------------------------------
# model

class Node:
    __slots__ = ('kind', 'label', 'id', 'role', 'declared', 'parts', 'children',
                 'select', 'order', 'base', 'computed', 'texts')

    def __init__(self, kind, label, id_, role):
        self.kind = kind            # 'line' | 'section' | 'total' | 'part'
        self.label = label
        self.id = id_
        self.role = role
        self.declared = {}          # col id -> Decimal | None (amount cols)
        self.parts = []
        self.children = []
        self.select = None
        self.order = 0
        self.base = {}              # line: figure per amount col (parts or printed)
        self.computed = {}          # line: sum cols; total: all amount cols
        self.texts = {}             # text col id -> the cell's text or None


class Table:
    def __init__(self, tid, spec, settings_tol, where):
        self.id = tid
        self.where = where
        self.income_negative = spec.get('income_sign', 'positive') == 'negative'
        if spec.get('income_sign', 'positive') not in ('positive', 'negative'):
            raise OracleError(f'{where}: bad income_sign')
        self.blank_zero = spec.get('blank', 'zero') == 'zero'
        if spec.get('blank', 'zero') not in ('zero', 'missing'):
            raise OracleError(f'{where}: bad blank')
        self.tolerance = Decimal(str(spec.get('tolerance', settings_tol)))
        tdec = int(spec.get('decimals', 0))
        self.cols = []
        self.col_index = {}
        self.text_cols = set()
        self.decimals = {}
        self.sums = {}
        self.equals = {}
        self.computes = {}
        for i, c in enumerate(spec.get('columns') or []):
            cid = c['id']
            if cid in self.col_index:
                raise OracleError(f'{where}: duplicate column {cid}')
            self.col_index[cid] = i
            self.cols.append(cid)
            if c.get('type', 'amount') == 'text':
                self.text_cols.add(cid)
            elif c.get('type', 'amount') != 'amount':
                raise OracleError(f'{where}: bad column type {c.get("type")}')
            self.decimals[cid] = int(c.get('decimals', tdec))
            if 'sum' in c:
                terms = []
                for t in c['sum']:
                    t = str(t)
                    sg, ref = (-1, t[1:]) if t.startswith('-') else (1, t)
                    terms.append((sg, ref))
                self.sums[cid] = terms
            if 'equals' in c:
                self.equals[cid] = c['equals']
            if 'compute' in c:
                m = COMPUTE.fullmatch(c['compute'].strip())
                if not m:
                    raise OracleError(f'{where}: bad compute {c["compute"]!r}')
                self.computes[cid] = m.groupdict()
        for cid, terms in self.sums.items():
            for _, ref in terms:
                if ref not in self.col_index or ref in self.text_cols or ref == cid:
                    raise OracleError(f'{where}: bad sum term {ref} in {cid}')
        for cid, ref in self.equals.items():
            if ref not in self.col_index or ref in self.text_cols:
                raise OracleError(f'{where}: bad equals {ref} in {cid}')
        self.amount_cols = [c for c in self.cols if c not in self.text_cols]
        # order sum columns so that a sum may use another sum column
        self.sum_order = []
        done = set()
        pending = list(self.sums)
        while pending:
            progressed = False
            for cid in list(pending):
                if all(ref not in self.sums or ref in done for _, ref in self.sums[cid]):
                    self.sum_order.append(cid)
                    done.add(cid)
                    pending.remove(cid)
                    progressed = True
            if not progressed:
                raise OracleError(f'{where}: circular sum columns')
        self.counter = 0
        self.rows = self._rows(spec.get('rows') or [], 'other', f'{where}.rows')
        self.flat = []
        self._flatten(self.rows)

    # -- reading rows
    def _values(self, node, raw, where):
        if raw is None:  # no values: every cell blank
            raw = {}
        if isinstance(raw, dict):
            for k in raw:
                if k not in self.col_index:
                    raise OracleError(f'{where}.values: unknown column {k}')
            vals = [raw.get(c) for c in self.cols]
        else:
            if len(raw) != len(self.cols):
                raise OracleError(f'{where}.values: {len(raw)} values for {len(self.cols)} columns')
            vals = list(raw)
        for c, v in zip(self.cols, vals):
            if c in self.text_cols:
                node.texts[c] = None if v is None else str(v)
                continue
            node.declared[c] = parse_amount(v, self.decimals[c], f'{where}.values.{c}')

    def _rows(self, items, role, where):
        out = []
        for i, item in enumerate(items):
            w = f'{where}[{i}]'
            if not isinstance(item, dict) or not item:
                raise OracleError(f'{w}: not a row')
            first = next(iter(item))
            r = item.get('role', role)
            if r not in SIGN:
                raise OracleError(f'{w}: unknown role {r}')
            if first == 'line':
                n = Node('line', str(item['line']), item.get('id'), r)
                self._values(n, item.get('values'), w)
                for j, p in enumerate(item.get('parts') or []):
                    if next(iter(p)) != 'line':
                        raise OracleError(f'{w}.parts[{j}]: a part is a line')
                    pn = Node('part', str(p['line']), p.get('id'), p.get('role', r))
                    self._values(pn, p.get('values'), f'{w}.parts[{j}]')
                    n.parts.append(pn)
            elif first == 'section':
                lab = item['section']
                n = Node('section', None if lab is None else str(lab), item.get('id'), r)
                n.children = self._rows(item.get('rows') or [], r, f'{w}.rows')
            elif first == 'total':
                n = Node('total', str(item['total']), item.get('id'), r)
                self._values(n, item.get('values'), w)
                n.select = item.get('select')
            else:
                raise OracleError(f'{w}: unknown row kind {first}')
            out.append(n)
        return out

    def _flatten(self, rows):
        for n in rows:
            n.order = self.counter
            self.counter += 1
            self.flat.append(n)
            if n.kind == 'section':
                self._flatten(n.children)

    # -- arithmetic
    def line_sign(self, role):
        return SIGN[role]

    def contribution(self, role, fig):
        """Signed contribution to net arithmetic of a printed line figure."""
        if role == 'income' and self.income_negative:
            return fig          # printed -375771 means income 375771, counts -375771
        return SIGN[role] * fig

    def blank_value(self):
        return Decimal(0) if self.blank_zero else None

    def compute_lines(self, findings):
        for n in self.flat:
            if n.kind != 'line':
                continue
            for c in self.amount_cols:
                if c in self.sums:
                    continue
                part_figs = [p.declared.get(c) for p in n.parts]
                if any(v is not None for v in part_figs):
                    s = sum((v for v in part_figs if v is not None), Decimal(0))
                    n.base[c] = s
                    d = n.declared.get(c)
                    if d is not None and abs(d - s) > self.tolerance:
                        findings.append(self.finding(n, c, 'parts', d, s))
                else:
                    n.base[c] = n.declared.get(c)
            for c in self.sum_order:
                n.computed[c] = self.formula(n, c)
                d = n.declared.get(c)
                if d is not None and n.computed[c] is not None and abs(d - n.computed[c]) > self.tolerance:
                    findings.append(self.finding(n, c, 'formula', d, n.computed[c]))

    def formula(self, n, c, getter=None):
        total = Decimal(0)
        for sg, ref in self.sums[c]:
            if ref in self.sums:
                v = n.computed[ref] if getter is None else self.formula(n, ref, getter)
            else:
                v = n.base[ref] if getter is None else getter(n, ref)
                if v is None:
                    v = self.blank_value()
            if v is None:
                return None
            total += sg * v
        return total

    def line_figure(self, n, c, select=None):
        """A line's figure in column c for the arithmetic (None = missing)."""
        if select is None:
            if c in self.sums:
                return n.computed[c]
            v = n.base[c]
            return self.blank_value() if v is None else v

        def sel(node, col):
            if node.label == select:
                v = node.base[col]
                return self.blank_value() if v is None else v
            s = Decimal(0)
            for p in node.parts:
                if p.label == select:
                    pv = p.declared.get(col)
                    if pv is None:
                        pv = self.blank_value()
                    if pv is None:
                        return None
                    s += pv
            return s

        if c in self.sums:
            return self.formula(n, c, getter=sel)
        return sel(n, c)

    def signed_sum(self, nodes, c, select=None):
        """Signed sum of lines and sections (totals skipped); None if missing."""
        s = Decimal(0)
        for n in nodes:
            if n.kind == 'total':
                continue
            if n.kind == 'section':
                v = self.signed_sum(n.children, c, select)
            else:
                fig = self.line_figure(n, c, select)
                v = None if fig is None else self.contribution(n.role, fig)
            if v is None:
                return None
            s += v
        return s

    def compute_totals(self, rows, findings):
        for i, n in enumerate(rows):
            if n.kind == 'section':
                self.compute_totals(n.children, findings)
            elif n.kind == 'total':
                for c in self.amount_cols:
                    s = self.signed_sum(rows[:i], c, n.select)
                    if s is None:
                        n.computed[c] = None
                        continue
                    shown = SIGN[n.role] * s
                    if n.role == 'income' and self.income_negative:
                        shown = -shown
                    n.computed[c] = shown
                    d = n.declared.get(c)
                    if d is not None and abs(d - shown) > self.tolerance:
                        findings.append(self.finding(n, c, 'total', d, shown))

    def known(self, n, c):
        """A line's printed figure, else the figure computed from its parts or formula."""
        d = n.declared.get(c)
        if d is not None:
            return d
        if n.kind == 'line':
            if c in self.sums:
                return n.computed.get(c)
            if any(p.declared.get(c) is not None for p in n.parts):
                return n.base[c]
        return None

    def value(self, n, c):
        """Printed figure where there is one, else the computed one."""
        d = n.declared.get(c)
        if d is not None:
            return d
        if c in self.computes:
            return self.computed_value(n, c)
        if n.kind == 'line':
            return n.computed[c] if c in self.sums else n.base[c]
        if n.kind == 'total':
            return n.computed.get(c)
        return None

    def check_equals(self, findings):
        for n in self.flat:
            if n.kind not in ('line', 'total') or (n.kind == 'total' and n.select is not None):
                continue
            for c, e in self.equals.items():
                if n.kind == 'total':
                    a, b = n.declared.get(c), n.declared.get(e)
                else:
                    a, b = self.known(n, c), self.known(n, e)
                if a is None or b is None:
                    continue
                if abs(a - b) > self.tolerance:
                    findings.append(self.finding(n, c, 'equals', a, b))

    # -- computed columns
    def operand(self, n, c):
        """Row n's figure in operand column c as a Fraction, or None."""
        if c in self.text_cols:
            m = FIGURE.fullmatch((n.texts.get(c) or '').strip())
            return Fraction(Decimal(m.group(0).replace(',', '').rstrip('.'))) if m else None
        if n.kind == 'total':
            v = n.computed.get(c)
        elif c in self.sums:
            v = n.computed.get(c)
        elif n.kind == 'line':
            v = n.base.get(c)
            v = self.blank_value() if v is None else v
        else:  # a part: its printed figure
            v = n.declared.get(c)
            v = self.blank_value() if v is None else v
        return None if v is None else Fraction(v)

    def exact(self, n, c):
        k = self.computes[c]
        a = self.operand(n, k['a'])
        if k['kind'] == 'share':
            if k['row']:
                b = self.operand(self.resolve_rows([k['row']], self.where)[0], k['a'])
            else:
                b = Fraction(Decimal(k['base']))
            b = None if b is None else b / 100
        else:
            b = self.operand(n, k['b'])
        if a is None or b is None:
            return None
        if k['kind'] in ('share', 'ratio'):
            return None if b == 0 else a / b
        if k['kind'] == 'change':
            return b - a
        return None if a == 0 else (b - a) / a * 100

    def rounded(self, q, places, even):
        x = q * 10 ** places
        f = x.numerator // x.denominator
        rest = x - f
        if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and (not even or f % 2)):
            f += 1
        return Decimal(f).scaleb(-places)

    def check_computed(self, findings):
        for c, k in self.computes.items():
            even = k['round'] == 'even'
            dc = self.decimals[c]
            for n in self.flat:
                if n.kind == 'section':
                    continue
                if c in self.text_cols:
                    m = FIGURE.fullmatch((n.texts.get(c) or '').strip())
                    if not m:
                        continue
                    text = m.group(0).replace(',', '')
                    p = Decimal(text.rstrip('.'))
                    dp = len(text.split('.')[1]) if '.' in text else 0
                else:
                    p, dp = n.declared.get(c), dc
                    if p is None:
                        continue
                q = self.exact(n, c)
                if q is None or self.rounded(q, dp, even) == p:
                    continue
                findings.append(self.finding(n, c, 'computed', p,
                                             self.rounded(q, max(dp, dc), even)))

    def computed_value(self, n, c):
        """The figure a computed amount column shows where nothing is printed."""
        q = self.exact(n, c)
        return None if q is None else self.rounded(q, self.decimals[c],
                                                   self.computes[c]['round'] == 'even')

    def finding(self, n, c, code, declared, computed):
        return {
            'table': self.id, 'row': n.label, 'column': c, 'code': code,
            'declared': declared, 'computed': computed,
            '_key': (self.index, n.order, self.col_index[c]),
        }

    def resolve_rows(self, rows, where):
        if rows == 'lines':
            return [n for n in self.flat if n.kind == 'line']
        out = []
        for r in rows:
            hits = [n for n in self.flat if n.id == r]
            if not hits:
                hits = [n for n in self.flat if n.id is None and n.label == r]
            if len(hits) != 1:
                raise OracleError(f'{where}: row {r!r} matches {len(hits)} rows in {self.id}')
            if hits[0].kind == 'section':
                raise OracleError(f'{where}: row {r!r} is a section')
            out.append(hits[0])
        return out


def check_file(path, display):
    with open(path, encoding='utf-8') as f:
        doc = yaml.safe_load(f)
    if not isinstance(doc, dict) or doc.get('planbook') != 1:
        raise OracleError(f'{display}: not a planbook 1 file')
    settings_tol = (doc.get('settings') or {}).get('tolerance', 0)
    tables = {}
    findings = []
    for i, (tid, spec) in enumerate((doc.get('budgets') or {}).items()):
        t = Table(tid, spec, settings_tol, f'{display}: budgets.{tid}')
        t.index = i
        tables[tid] = t
        t.compute_lines(findings)
        t.compute_totals(t.rows, findings)
        t.check_equals(findings)
        t.check_computed(findings)
    for k, ag in enumerate(doc.get('agreements') or []):
        where = f'{display}: agreements[{k}]'
        sides = []
        for key in ('left', 'right'):
            s = ag[key]
            t = tables.get(s['table'])
            if t is None:
                raise OracleError(f'{where}.{key}: unknown table {s["table"]}')
            rows = t.resolve_rows(s['rows'], f'{where}.{key}')
            cols = list(s['columns'])
            for c in cols:
                if c not in t.col_index or c in t.text_cols:
                    raise OracleError(f'{where}.{key}: bad column {c}')
            sides.append((t, rows, cols, -1 if s.get('negate') else 1))
        (lt, lrows, lcols, lsg), (rt, rrows, rcols, rsg) = sides
        if len(lrows) != len(rrows) or len(lcols) != len(rcols):
            raise OracleError(f'{where}: sides differ in shape')
        tol = Decimal(str(ag.get('tolerance', settings_tol)))
        for ln, rn in zip(lrows, rrows):
            for lc, rc in zip(lcols, rcols):
                a, b = lt.value(ln, lc), rt.value(rn, rc)
                if a is None or b is None:
                    continue
                a, b = lsg * a, rsg * b
                if abs(a - b) > tol:
                    f = lt.finding(ln, lc, 'agreement', a, b)
                    f['_key'] = f['_key'] + (k,)
                    findings.append(f)
    for f in findings:
        f['file'] = display
    return findings


CODE_ORDER = {'parts': 0, 'formula': 1, 'total': 2, 'equals': 3, 'agreement': 4,
              'computed': 5}


def main(argv):
    out_path = argv[1] if len(argv) > 1 else None
    files = argv[2:] or [os.path.join(ROOT, f) for f in DEFAULT_FILES]
    findings = []
    for path in files:
        display = os.path.relpath(os.path.abspath(path), ROOT)
        findings.extend(check_file(path, display))
    findings.sort(key=lambda f: (f['file'], f['_key'][:3], CODE_ORDER[f['code']], f['_key'][3:],
                                 f['declared'], f['computed']))
    result = []
    for f in findings:
        result.append({
            'file': f['file'], 'table': f['table'], 'row': f['row'], 'column': f['column'],
            'code': f['code'], 'declared': num(f['declared']), 'computed': num(f['computed']),
            'difference': num(f['declared'] - f['computed']),
        })
    text = json.dumps(result, indent=2, ensure_ascii=False) + '\n'
    if out_path:
        with open(out_path, 'w', encoding='utf-8') as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
