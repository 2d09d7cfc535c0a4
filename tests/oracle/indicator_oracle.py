#!/usr/bin/env python3
"""Independent oracle for indicator status: RAG from thresholds and the
"better than last" direction of travel.

It does not use planbook: only PyYAML and decimal.Decimal, with the rules
read from docs/format.md ("Indicators (performance measures)") and the brief
for the status engine, so that it can be used to test planbook's engine.

Usage:
    python3 tests/oracle/indicator_oracle.py [PLAN.yaml [SET [DIRECTION]]]

Defaults: examples/manchester-children-families-2015-17.yaml, set
`children`, the set's own `direction`.  Prints a JSON object

    {ref: {"rag": "green" | "amber" | "red" | null,
           "better_than_last": "up" | "down" | "same" | null,
           "printed_last": ... (the printed arrow, when the file has one)}}

for the set's latest period.

The rules:
- Cells: a figure is digits with optional sign, thousands separators (groups
  of three), decimals, a trailing % and a trailing " (note)"; `''`, n/a,
  Not available, TBC and mappings without a `value` have no figure.
- latest: the set's `latest`, else the last period in which any measure has a
  figure.
- better than last compares the latest figure with:
    previous  the period listed just before the latest one;
    year_ago  the period of the same kind one year earlier;
    outturn   the previous financial year ("2013/14" for "2014/15 Q3";
              for a financial year, the year before it).
  With polarity high a rise is "up" (better), with low a fall is "up";
  equal figures are "same"; polarity none, or a missing figure on either
  side, gives null.
- RAG from thresholds {good, of_concern, action_required}: polarity high:
  value >= good -> green, value >= of_concern -> amber, else red; polarity
  low: value <= good -> green, value <= of_concern -> amber, else red.  No
  thresholds (`not available` or absent), polarity none or no figure: null.
"""

import json
import os
import re
import sys
from decimal import Decimal

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, '..', '..'))
DEFAULT_FILE = os.path.join(ROOT, 'examples', 'manchester-children-families-2015-17.yaml')

FIGURE = re.compile(r'^([-+]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(%)?(?: \([^()]+\))?$')
MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']


def figure(cell):
    """The Decimal of a cell, or None when it has no figure."""
    if isinstance(cell, dict):
        if 'value' not in cell or cell.get('status') in ('not available', 'not applicable',
                                                         'not reported', 'tbc', 'text'):
            return None
        cell = cell['value']
    if cell is None:
        return None
    s = str(cell).strip()
    m = FIGURE.match(s)
    if not m:
        return None
    sign, whole, frac, _pct = m.groups()
    d = Decimal(whole.replace(',', '') + ('.' + frac if frac else ''))
    return -d if sign == '-' else d


def period_key(text):
    """(kind, financial year start, index within the year) of a canonical
    period: '2014/15' -> ('year', 2014, 0); '2014/15 Q3' -> ('quarter', 2014,
    3); 'Apr 2014' -> ('month', 2014, 1) with April as the first month."""
    s = str(text).strip()
    m = re.fullmatch(r'(\d{4})/(\d{2})', s)
    if m:
        return ('year', int(m.group(1)), 0)
    m = re.fullmatch(r'(\d{4})/(\d{2}) Q([1-4])', s)
    if m:
        return ('quarter', int(m.group(1)), int(m.group(3)))
    m = re.fullmatch(r'([A-Za-z]{3}) (\d{4})', s)
    if m:
        month = MONTHS.index(m.group(1).lower()) + 1
        year = int(m.group(2))
        start = year if month >= 4 else year - 1
        return ('month', start, (month - 4) % 12 + 1)
    raise ValueError(f'period not understood by the oracle: {s!r}')


def comparison_period(periods, latest, direction):
    """Index of the period the latest one is compared with, or None."""
    i = periods.index(latest)
    if direction == 'previous':
        return i - 1 if i > 0 else None
    kind, year, idx = period_key(latest)
    keys = [period_key(p) for p in periods]
    if direction == 'year_ago':
        want = (kind, year - 1, idx)
    elif direction == 'outturn':
        want = ('year', year - 1, 0)
    else:
        raise ValueError(f'unknown direction {direction!r}')
    return keys.index(want) if want in keys else None


def better(polarity, cur, prev):
    if polarity not in ('high', 'low') or cur is None or prev is None:
        return None
    if cur == prev:
        return 'same'
    rose = cur > prev
    return 'up' if rose == (polarity == 'high') else 'down'


def rag(polarity, thresholds, value):
    if not isinstance(thresholds, dict) or value is None or polarity not in ('high', 'low'):
        return None
    good = figure(thresholds.get('good'))
    concern = figure(thresholds.get('of_concern'))
    if good is None or concern is None:
        return None
    if polarity == 'high':
        return 'green' if value >= good else 'amber' if value >= concern else 'red'
    return 'green' if value <= good else 'amber' if value <= concern else 'red'


def latest_period(s):
    if s.get('latest') is not None:
        return str(s['latest'])
    periods = [str(p) for p in s['periods']]
    last = None
    for m in s.get('measures', []):
        for k, cell in enumerate(m.get('values') or []):
            if figure(cell) is not None and (last is None or k > last):
                last = k
    return periods[last] if last is not None else None


def status(path=DEFAULT_FILE, set_id='children', direction=None):
    with open(path, encoding='utf-8') as f:
        doc = yaml.safe_load(f)
    s = doc['indicators'][set_id]
    periods = [str(p) for p in s['periods']]
    latest = latest_period(s)
    direction = direction or s.get('direction') or 'previous'
    li = periods.index(latest)
    ci = comparison_period(periods, latest, direction)
    out = {}
    for m in s['measures']:
        values = m.get('values') or []
        if isinstance(values, dict):
            values = [values.get(p, '') for p in periods]
        cur = figure(values[li]) if li < len(values) else None
        prev = figure(values[ci]) if ci is not None and ci < len(values) else None
        pol = m.get('polarity', 'none')
        entry = {'rag': rag(pol, m.get('thresholds'), cur),
                 'better_than_last': better(pol, cur, prev)}
        printed = m.get('printed') or {}
        if 'last' in printed:
            entry['printed_last'] = printed['last']
        out[str(m['ref'])] = entry
    return out


def main(argv):
    path = argv[1] if len(argv) > 1 else DEFAULT_FILE
    set_id = argv[2] if len(argv) > 2 else 'children'
    direction = argv[3] if len(argv) > 3 else None
    json.dump(status(path, set_id, direction), sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write('\n')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
