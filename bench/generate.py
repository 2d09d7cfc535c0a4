#!/usr/bin/env python3
"""Write a synthetic, deterministic, valid planbook plan of about N MB.

    python bench/generate.py --megabytes N -o PATH [--seed S] [--check]

The plan follows docs/format.md in its canonical layout: ``planbook: 1``, a
``plan`` block, ``settings``, then ``budgets`` with many tables of the shapes
the seed documents have, and a few ``agreements``.  The budget tables come in
groups, one group per synthetic division of a council:

* ``gNNNN_objective``      objective summary: gross and net (and, for some
                            groups, FTE) per year, services in sections with
                            sub-totals and a grand total;
* ``gNNNN_subjective``     subjective summary: Expenditure / Less / Income
                            sections, Gross Expenditure and Total Net Budget,
                            some with ``income_sign: negative``;
* ``gNNNN_savings``        savings schedule: themes > services > optional
                            unlabelled groups, adjustments, reversals,
                            sub-totals, a Total ``sum`` column;
* ``gNNNN_reconciliation`` chained net = previous net + growth + savings
                            ``sum`` columns over the years;
* ``gNNNN_funding``        funding tables with ``parts``: either gross −
                            other funding = net mainstream per year, or
                            funding by source (``equals``) with a ``select``
                            total of the Mainstream parts.

Amounts are plain integers (£'000) for five financial years 2024/25 ..
2028/29; some are negative, some are ``~`` (blank, counted as zero).  The
figures of a group are consistent with each other (the subjective summary
adds up to the objective totals, the reconciliation is built from the savings
schedule), so the agreements hold.  Every printed total, Total column, net
step and funding check is computed by the generator; a small, counted
fraction is deliberately misprinted.  The summary on stderr gives the number
of misprinted cells: with ``--check`` the file is read back with PyYAML and
every computed figure is re-derived from the parsed data, independently of
the generator's own arithmetic, and the number of mismatches must equal it.

Output is streamed one table at a time; only the standard library is used
(``--check`` needs PyYAML).  The same seed and size give the same bytes.
MB here means 10**6 bytes.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import re
import sys
import time

GENERATOR_VERSION = 1
YEARS = (2024, 2025, 2026, 2027, 2028)
MB = 1_000_000

# Rates of deliberate misprints.
P_TOTAL_ROW_WRONG = 0.03   # a printed total row has one wrong cell
P_SUM_CELL_WRONG = 0.004   # a line's Total / net-step / net-mainstream cell
P_PARTS_WRONG = 0.01       # funding by source: parts do not add up to gross

ROLE_SIGN = {
    "expenditure": 1, "saving": 1, "growth": 1, "adjustment": 1, "other": 1,
    "income": -1, "internal": -1, "funding": -1,
}


def period(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


# --------------------------------------------------------------------------
# Text: plain where every YAML reader reads it back as the same text, else
# single-quoted.

_SPECIAL_FIRST = set("-?:,[]{}#&*!|>'\"%@` ")
_FLOW_CHARS = re.compile(r"[,\[\]{}]")
_LOOKS_TYPED = re.compile(
    r"""^(?:
        [-+]?[0-9][0-9_,.:eE+-]*            # numbers, sexagesimal, dates
      | [-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)
      | (?:y|Y|n|N|yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE
          |on|On|ON|off|Off|OFF|null|Null|NULL|~|=|<<)
    )$""",
    re.VERBOSE,
)


def year_columns(*specs):
    """The columns of a table in year groups: for each year y, a column per
    spec (id prefix, measure, None or a function of y giving further keys)."""
    return [{"id": f"{name}_{y}", "period": period(y), "measure": measure,
             **(more(y) if more else {})}
            for y in YEARS for name, measure, more in specs]


def text(s: str, flow: bool = False) -> str:
    """The scalar ``s`` as written in the canonical layout."""
    if (
        not s
        or s[0] in _SPECIAL_FIRST
        or s[-1] in " :"
        or ": " in s
        or " #" in s
        or "\n" in s
        or _LOOKS_TYPED.match(s)
        or (flow and _FLOW_CHARS.search(s))
    ):
        return "'" + s.replace("'", "''") + "'"
    return s


def vals(values) -> str:
    return "[" + ", ".join(["~" if v is None else str(v) for v in values]) + "]"


# --------------------------------------------------------------------------
# Word lists.

DIVISIONS = [
    "Children and Families", "Adult Social Care", "Neighbourhoods",
    "Growth and Development", "Corporate Core", "Public Health",
    "Highways and Transport", "Housing and Residential Growth",
    "Education and Skills", "Culture and Leisure", "Environment and Waste",
    "Strategic Commissioning", "Revenues and Benefits",
    "Legal and Democratic Services", "Homelessness", "Community Safety",
    "Early Help", "Learning Disability and Autism", "Mental Health",
    "Place and Regeneration",
]

SERVICES = [
    "Looked After Children", "Early Years", "Children's Health",
    "Complex Dependency", "Youth Offending", "Fostering and Adoption",
    "Residential Care", "Home Care", "Learning Disability Support",
    "Mental Health Services", "Street Cleansing", "Waste Collection",
    "Parks and Open Spaces", "Libraries", "Highways Maintenance",
    "Planning and Building Control", "Environmental Health",
    "Trading Standards", "Council Tax Collection",
    "Housing Benefit Administration", "Homelessness Prevention",
    "School Transport", "Special Educational Needs", "Leisure Centres",
    "Community Safety", "Domestic Violence and Abuse", "Substance Misuse",
    "Sexual Health", "Public Protection", "Registrars",
    "Bereavement Services", "Car Parking", "Emergency Planning",
    "Procurement", "Human Resources", "Payroll", "ICT Infrastructure",
    "Internal Audit", "Facilities Management", "Customer Contact Centre",
    "Safeguarding", "Family Support", "Children's Centres",
    "Care Leavers", "Supported Accommodation", "Reablement",
    "Day Services", "Carers Support", "Occupational Therapy",
    "Street Lighting", "Flood Risk Management", "Bus Lane Enforcement",
    "Markets", "Events", "Galleries and Museums", "Adult Education",
    "Youth Services", "Play Services", "Pest Control", "Licensing",
    "Electoral Services", "Coroners", "Asset Management", "Estates",
    "Business Rates", "Welfare Provision", "Debt Advice",
    "Neighbourhood Teams", "Anti-social Behaviour", "CCTV",
]

AREAS = [
    "North", "Central", "South", "East", "West", "City Centre",
    "Northern District", "Southern District", "Eastern Corridor",
    "Riverside", "Harbour", "Old Town", "Parkside", "Hillcrest",
    "Brookfield", "Greenbank", "Moss Side", "Ashton Vale", "Lowfield",
]

QUALIFIERS = [
    "(including commissioned services)", "- Operational", "and Support",
    "Team", "- Strategic Management", "(Statutory)", "- Quality Assurance",
    "and Partnerships", "- Business Support", "(Pooled Budget)",
    "- Service Development", "and Improvement", "(Traded)",
    "- Commissioning", "(grant funded)", "- Locality Delivery",
]

THEMES = [
    "Looked After Children (LAC) and Complex Dependency",
    "Early Help and Prevention", "Better Outcomes for Older People",
    "Living Longer Living Better (LLLB)", "Connected Neighbourhoods",
    "Clean, Safe and Green", "Enabling Independence", "Corporate Efficiency",
    "Demand Management", "Income Generation", "Integrated Commissioning",
    "Workforce Reform", "Digital by Default", "Asset Rationalisation",
]

VERBS = [
    "Reduce", "Redesign", "Review", "Consolidate", "Transfer", "Re-procure",
    "Integrate", "Cease", "Reconfigure", "Increase", "Rationalise",
    "Digitise", "Recommission", "Restructure", "Decommission", "Extend",
    "Introduce", "Renegotiate", "Streamline", "Centralise",
]

OBJECTS = [
    "agency staffing", "management posts", "commissioned contracts",
    "the building footprint", "fleet vehicles", "external placements",
    "residential placements", "home to school transport", "printing and postage",
    "overtime and standby payments", "back office functions",
    "third sector grants", "spot purchased care packages",
    "supported living contracts", "out of area placements",
    "fees and charges", "the number of cost centres", "vacant posts",
    "training budgets", "consultancy spend", "ICT licences",
    "the use of interim managers", "energy consumption",
    "the Families First programme", "early intervention capacity",
    "in-house foster carers", "reablement capacity", "traded services",
]

METHODS = [
    "through improved demand management", "following consultation",
    "through a new delivery model", "by joint commissioning with health",
    "through the use of reserves", "via a shared service arrangement",
    "by moving to online self-service", "through contract renegotiation",
    "as part of the locality model", "through reduced duplication",
    "by investing in prevention", "with partner organisations",
]

TAILS = [
    "(full year effect)", "- phase 2", "- phase 3", "(part year)",
    "(subject to consultation)", "(one-off)", "- reversal of prior year saving",
    "(invest to save)", "- year 2 impact", "(see EIA)",
]

TEAMS = [
    "Management", "Operations", "Business Support", "Quality", "Assessment",
    "Duty and Advice", "Commissioning", "Contracts", "Locality",
    "Specialist", "Transport", "Admin",
]

SUBJECTIVE_EXPENDITURE = [
    "Employees", "Premises", "Transport", "Supplies and Services",
    "Third Party Payments", "Transfer Payments", "Support Services",
    "Capital Financing Costs", "Running Expenses",
]
SUBJECTIVE_DETAIL = [
    "Salaries and on-costs", "Agency and interim staff",
    "Repairs, alterations and maintenance of buildings",
    "Energy costs", "Rents and rates", "Car allowances and fleet costs",
    "Equipment, furniture and materials", "Payments to private contractors",
    "Payments to voluntary organisations", "Central and departmental recharges",
]
SUBJECTIVE_LESS = [
    "Other Internal sales", "Recharges to other directorates",
    "Internal recharges to the Housing Revenue Account",
]
SUBJECTIVE_INCOME = [
    "Government Grants", "Fees and Charges", "Sales",
    "Other Grants Reimbursements and Contributions", "Rents",
    "Contributions from the NHS", "Dedicated Schools Grant",
]

FUNDING_SOURCES = [
    "DSG", "Traded Service", "Public Health Grant", "Better Care Fund",
    "Partner contributions", "Troubled Families Grant", "Section 106",
    "Housing Revenue Account",
]


# --------------------------------------------------------------------------
# The generator.

class Gen:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        r = self.rng.random
        self.r = r
        self.injected = 0       # deliberately wrong computed cells
        self.tables = 0
        self.rows = 0
        self.cells = 0
        self.agreements = []    # (name, note, left, right) as text lines

    # -- small helpers, kept cheap (50 MB must take seconds) --

    def pick(self, seq):
        return seq[int(self.r() * len(seq))]

    def randint(self, lo: int, hi: int) -> int:
        return lo + int(self.r() * (hi - lo + 1))

    def name(self, parts_fn, lo: int = 20, hi: int = 120) -> str:
        """Join text units until a target length in [lo, hi] is reached."""
        target = self.randint(lo, hi)
        units = parts_fn()
        out = units[0]
        for u in units[1:]:
            if len(out) >= target:
                break
            if len(out) + 1 + len(u) > hi:
                continue
            out = out + " " + u
        while len(out) < lo:
            u = self.pick(TAILS)
            if len(out) + 1 + len(u) <= hi:
                out = out + " " + u
        return out

    def service_name(self, core: str) -> str:
        def units():
            u = [core]
            if self.r() < 0.6:
                u.append("- " + self.pick(AREAS))
            u.append(self.pick(QUALIFIERS))
            u.append(self.pick(QUALIFIERS))
            u.append("(" + self.pick(AREAS) + " and " + self.pick(AREAS) + ")")
            return u
        return self.name(units, 20, 90)

    def proposal_name(self, service_core: str) -> str:
        def units():
            u = [self.pick(VERBS) + " " + self.pick(OBJECTS)]
            u.append(self.pick(("in", "across", "for", "within")) + " " + service_core)
            u.append(self.pick(METHODS))
            if self.r() < 0.5:
                u.append(self.pick(TAILS))
            u.append("in " + self.pick(AREAS))
            u.append(self.pick(TAILS))
            return u
        return self.name(units, 20, 120)

    def cost_centre_name(self, service_core: str) -> str:
        def units():
            return [
                f"C{self.randint(1000, 9999)}", service_core, self.pick(TEAMS),
                "- " + self.pick(AREAS), self.pick(QUALIFIERS), self.pick(TAILS),
            ]
        return self.name(units, 20, 100)

    def misprint(self, v: int) -> int:
        """A wrong figure near v (never equal to v)."""
        self.injected += 1
        k = self.r()
        if k < 0.4:
            d = self.randint(1, 9)
        elif k < 0.8:
            d = self.randint(10, max(10, abs(v) // 20))
        else:
            s = str(abs(v))
            if len(s) >= 2 and s[-1] != s[-2]:       # transposed digits
                t = int(s[:-2] + s[-1] + s[-2])
                return t if v >= 0 else -t
            d = 100
        return v + d if self.r() < 0.5 else v - d

    def total_values(self, computed):
        """Printed figures of a total row: computed, sometimes one misprinted."""
        printed = list(computed)
        if self.r() < P_TOTAL_ROW_WRONG:
            candidates = [i for i, v in enumerate(printed) if v is not None]
            if candidates:
                i = candidates[int(self.r() * len(candidates))]
                printed[i] = self.misprint(printed[i])
        return printed

    # -- emitting a table: rows are plain dicts --

    def emit_table(self, out, tid, title, kind, columns, rows, extra=(), note=None):
        """Append the canonical text of one table to the list ``out``."""
        self.tables += 1
        out.append(f"  {tid}:\n")
        out.append(f"    title: {text(title)}\n")
        out.append(f"    kind: {kind}\n")
        for k, v in extra:
            out.append(f"    {k}: {v}\n")
        if note:
            out.append(f"    note: {text(note)}\n")
        out.append("    columns:\n")
        for c in columns:
            items = []
            for key in ("id", "label", "period", "phase", "measure", "type",
                        "decimals", "unit", "sum", "equals"):
                if key in c:
                    v = c[key]
                    if isinstance(v, list):
                        v = "[" + ", ".join(v) + "]"
                    else:
                        v = text(str(v), flow=True)
                    items.append(f"{key}: {v}")
            out.append("      - {" + ", ".join(items) + "}\n")
        out.append("    rows:\n")
        self.emit_rows(out, rows, 6)

    # the keys each kind of row writes after its label, in order
    ROW_KEYS = {"line": ("id", "role", "values", "note", "parts"),
                "section": ("id", "role", "note", "rows"),
                "total": ("id", "values", "select", "note")}

    def emit_rows(self, out, rows, ind):
        pad = " " * ind
        pad2 = " " * (ind + 2)
        for row in rows:
            self.rows += 1
            k = row["k"]
            label = row["label"]
            out.append(f"{pad}- {k}: {'~' if label is None and k == 'section' else text(label)}\n")
            for key in self.ROW_KEYS[k]:
                v = row.get(key)
                if key == "values":
                    out.append(f"{pad2}values: {vals(v)}\n")
                    self.cells += len(v)
                elif key == "rows" or (key == "parts" and v):
                    out.append(f"{pad2}{key}:\n")
                    self.emit_rows(out, v, ind + 4)
                elif v:
                    out.append(f"{pad2}{key}: {text(v) if key in ('note', 'select') else v}\n")

    # -- one group of tables --

    def group(self, g: int, out) -> None:
        r = self.r
        division = self.pick(DIVISIONS)
        prefix = f"g{g:04d}"
        ny = len(YEARS)

        # Services of the division and their figures (true values, £'000).
        n_services = self.randint(6, 24)
        cores = [self.pick(SERVICES) for _ in range(n_services)]
        names = []
        seen = set()
        naming = self.cost_centre_name if r() < 0.3 else self.service_name
        for c in cores:
            n = naming(c)
            while n in seen:                       # labels unique in a table
                n = n + " " + self.pick(AREAS)
            seen.add(n)
            names.append(n)
        base = [int(math.exp(5 + r() * 6)) for _ in range(n_services)]   # ~150 .. 60,000
        income_ratio = [r() * 0.6 if r() < 0.9 else 1.0 + r() * 0.8 for _ in range(n_services)]

        # Savings schedule first: per service, proposals over the five years.
        savings_rows, service_savings = self.savings_schedule(prefix, cores, base)

        # Net per year: net[y] = net[y-1] + growth[y] - savings[y].
        growth = [[0] * ny for _ in range(n_services)]
        net = [[0] * ny for _ in range(n_services)]
        gross = [[0] * ny for _ in range(n_services)]
        for s in range(n_services):
            net[s][0] = base[s] if income_ratio[s] <= 1 else -int(base[s] * (income_ratio[s] - 1))
            for y in range(1, ny):
                gr = int(base[s] * r() * 0.06) if r() < 0.6 else 0
                growth[s][y] = gr
                net[s][y] = net[s][y - 1] + gr - service_savings[s][y]
            for y in range(ny):
                if income_ratio[s] <= 1:
                    gross[s][y] = net[s][y] + int(abs(net[s][y]) * income_ratio[s])
                else:
                    gross[s][y] = base[s] + int(base[s] * 0.02 * y)
                    net[s][y] = min(net[s][y], gross[s][y])
                    # keep the chain: growth absorbs the clamp
                    if y > 0:
                        growth[s][y] = net[s][y] - net[s][y - 1] + service_savings[s][y]

        gross_total = [sum(gross[s][y] for s in range(n_services)) for y in range(ny)]
        net_total = [sum(net[s][y] for s in range(n_services)) for y in range(ny)]

        block = []
        self.objective(block, prefix, division, names, gross, net)
        self.subjective(block, prefix, division, gross_total, net_total)
        self.emit_table(block, f"{prefix}_savings",
                        f"{division} - Savings schedule 2024/25 to 2028/29",
                        "savings", self.savings_columns(), savings_rows)
        self.reconciliation(block, prefix, division, names, net, growth, service_savings)
        if r() < 0.5:
            self.funding_current(block, prefix, division, names, gross)
        else:
            self.funding_by_source(block, prefix, division, names, gross)
        out.append("".join(block))

        if g % 100 == 1 and len(self.agreements) < 12:   # a few: groups 1, 101, 201
            self.group_agreements(prefix, division, n_services)

    def objective(self, out, prefix, division, names, gross, net):
        r = self.r
        ny = len(YEARS)
        with_fte = r() < 0.35
        columns = []
        for y in YEARS:
            columns.append({"id": f"gross_{y}", "label": f"Gross Budget {period(y)} £000",
                            "period": period(y), "measure": "gross"})
            columns.append({"id": f"net_{y}", "label": f"Net Budget {period(y)} £000",
                            "period": period(y), "measure": "net"})
            if with_fte:
                columns.append({"id": f"fte_{y}", "period": period(y), "measure": "fte",
                                "unit": "FTE", "label": "FTE"})
        ncols = len(columns)
        per = 3 if with_fte else 2
        lines = []
        for s, n in enumerate(names):
            v = [None] * ncols
            fte0 = int(abs(gross[s][0]) / (35 + r() * 20)) if r() < 0.85 else None
            for y in range(ny):
                v[per * y] = gross[s][y]
                v[per * y + 1] = net[s][y]
                if with_fte:
                    v[per * y + 2] = None if fte0 is None else max(0, fte0 - self.randint(0, 3) * y)
            line = {"k": "line", "label": n, "values": v}
            if r() < 0.03:
                line["note"] = "Figures restated for the " + self.pick(AREAS) + " restructure"
            lines.append(line)

        # Group the services into 1..4 sections with sub-totals.
        rows = []
        nsec = 1 if len(lines) < 8 else self.randint(1, 4)
        if nsec == 1:
            rows = lines
            body_total = col_sums(lines, ncols)
        else:
            cut = sorted(self.rng.sample(range(1, len(lines)), nsec - 1))
            bounds = [0] + cut + [len(lines)]
            body_total = [0] * ncols
            for i in range(nsec):
                chunk = lines[bounds[i]:bounds[i + 1]]
                sub = col_sums(chunk, ncols)
                body_total = [a + b for a, b in zip(body_total, sub)]
                label = self.pick(THEMES)
                chunk = chunk + [{"k": "total", "label": f"Sub-total {label}",
                                  "values": self.total_values(sub)}]
                rows.append({"k": "section", "label": label.upper(), "id": f"s{i + 1}",
                             "rows": chunk})
        rows.append({"k": "total", "label": "Total", "id": "total",
                     "values": self.total_values(body_total)})
        self.emit_table(out, f"{prefix}_objective",
                        f"{division} - Service activity budgets", "objective",
                        columns, rows)

    def subjective(self, out, prefix, division, gross_total, net_total):
        r = self.r
        ny = len(YEARS)
        negative = r() < 0.3
        columns = [{"id": f"y{y}", "period": period(y),
                    "phase": "Approved Budget" if y == YEARS[0] else "Indicative Budget"}
                   for y in YEARS]

        # Less: internal recharges (blank in income_sign: negative tables).
        less = []
        n_less = self.randint(1, 2)
        for i in range(n_less):
            if negative or r() < 0.3:
                v = [None] * ny
            else:
                v = [int(gross_total[y] * (0.005 + r() * 0.03)) for y in range(ny)]
            less.append({"k": "line", "label": SUBJECTIVE_LESS[i], "values": v})
        internal = col_sums(less, ny)
        expend = [gross_total[y] + internal[y] for y in range(ny)]
        income = [gross_total[y] - net_total[y] for y in range(ny)]

        def split(total, heads, detail):
            k = len(heads)
            shares = [r() for _ in range(k - 1)]
            scale = 0.7 / max(1e-9, sum(shares))
            rows = []
            acc = [0] * ny
            for i in range(k - 1):
                v = [int(total[y] * shares[i] * scale * (0.95 + r() * 0.1)) for y in range(ny)]
                if r() < 0.08:
                    v = [None] * ny
                else:
                    acc = [a + b for a, b in zip(acc, v)]
                label = heads[i]
                if detail and r() < 0.5:
                    label = label + " - " + self.pick(SUBJECTIVE_DETAIL)
                rows.append({"k": "line", "label": label, "values": v})
            last = [total[y] - acc[y] for y in range(ny)]
            rows.append({"k": "line", "label": heads[k - 1], "values": last})
            return rows

        n_exp = self.randint(4, len(SUBJECTIVE_EXPENDITURE))
        exp_heads = self.rng.sample(SUBJECTIVE_EXPENDITURE[:-1], n_exp - 1) + ["Running Expenses"]
        exp_rows = split(expend, exp_heads, True)
        exp_rows.append({"k": "total", "label": "Total Subjective Expenditure",
                         "id": "total_expenditure", "values": self.total_values(expend)})
        n_inc = self.randint(2, len(SUBJECTIVE_INCOME))
        inc_heads = self.rng.sample(SUBJECTIVE_INCOME[1:], n_inc - 1) + ["Government Grants"]
        inc_rows = split(income, inc_heads, False)
        if negative:
            for row in inc_rows:
                row["values"] = [None if v is None else -v for v in row["values"]]
        else:
            inc_rows.append({"k": "total", "label": "Total Income", "id": "total_income",
                             "values": self.total_values(income)})

        rows = [
            {"k": "section", "label": "Expenditure:", "id": "expenditure",
             "role": "expenditure", "rows": exp_rows},
            {"k": "section", "label": "Less:", "id": "less", "role": "internal", "rows": less},
            {"k": "total", "label": "Gross Expenditure", "id": "gross_expenditure",
             "values": self.total_values(gross_total)},
            {"k": "section", "label": "Income:", "id": "income", "role": "income",
             "rows": inc_rows},
            {"k": "total", "label": "Total Net Budget", "id": "net_budget",
             "values": self.total_values(net_total)},
        ]
        extra = [("income_sign", "negative")] if negative else []
        self.emit_table(out, f"{prefix}_subjective", f"{division} - Subjective Summary",
                        "subjective", columns, rows, extra)

    @staticmethod
    def savings_columns():
        cols = [{"id": f"y{y}", "period": period(y)} for y in YEARS]
        cols.append({"id": "total", "label": "Total", "sum": [f"y{y}" for y in YEARS]})
        return cols

    def savings_schedule(self, prefix, cores, base):
        """Rows of the savings schedule and each service's savings per year."""
        r = self.r
        ny = len(YEARS)
        n = len(cores)
        service_savings = [[0] * ny for _ in range(n)]
        saving_services = [s for s in range(n) if r() < 0.75] or [0]
        # themes: split the saving services into 1..4 consecutive themes
        nthemes = min(len(saving_services), self.randint(1, 4))
        cut = sorted(self.rng.sample(range(1, len(saving_services)), nthemes - 1)) if nthemes > 1 else []
        bounds = [0] + cut + [len(saving_services)]
        rows = []
        grand = [0] * (ny + 1)
        line_no = [0]

        def proposal(s):
            # a proposal: savings in one to five years, blanks elsewhere
            size = max(8, int(base[s] * (0.001 + r() * 0.008)))
            start = self.randint(0, ny - 1)
            v = [None] * ny
            for y in range(start, ny):
                if y == start or r() < 0.5:
                    v[y] = max(1, int(size * (0.3 + r())))
            if r() < 0.05:
                v[start] = -v[start]                    # a negative saving (cost)
            return v

        def line(label, v, role=None):
            vs = [0 if x is None else x for x in v]
            t = sum(vs)
            printed_t = self.misprint(t) if r() < P_SUM_CELL_WRONG else t
            row = {"k": "line", "label": label, "values": v + [printed_t]}
            if role:
                row["role"] = role
            line_no[0] += 1
            if r() < 0.05:
                row["id"] = f"p{line_no[0]}"
            if r() < 0.02:
                row["note"] = "Subject to the outcome of consultation"
            return row, vs + [t]

        def put(into, total, label, v, role=None):
            # line() appended to `into`; total with the line's figures added
            row, vs = line(label, v, role)
            into.append(row)
            return [a + b for a, b in zip(total, vs)]

        def one_off(s, last_year):
            # an amount of 0.2-1.2% of the service's base, a year for it
            # (0 .. last_year) and a row of blanks to put it in
            amt = int(base[s] * (0.002 + r() * 0.01)) + 1
            return amt, self.randint(0, last_year), [None] * ny

        for ti in range(nthemes):
            theme = self.pick(THEMES)
            theme_rows = []
            theme_sum = [0] * (ny + 1)
            for s in saving_services[bounds[ti]:bounds[ti + 1]]:
                srows = []
                ssum = [0] * (ny + 1)
                heading = cores[s] + " (" + self.pick(METHODS) + ")"
                if r() < 0.5:
                    # an unlabelled group with its own sub-total
                    grp = []
                    gsum = [0] * (ny + 1)
                    for _ in range(self.randint(2, 8)):
                        gsum = put(grp, gsum, self.proposal_name(cores[s]), proposal(s))
                    grp.append({"k": "total", "label": "Sub Total Savings",
                                "values": self.total_values(gsum)})
                    srows.append({"k": "section", "label": None, "rows": grp})
                    ssum = [a + b for a, b in zip(ssum, gsum)]
                for _ in range(self.randint(1, 10)):
                    ssum = put(srows, ssum, self.proposal_name(cores[s]), proposal(s))
                if r() < 0.3:
                    amt, y, v = one_off(s, ny - 1)
                    v[y] = -amt
                    ssum = put(srows, ssum, f"Adjustment to offset existing {cores[s]} pressure",
                               v, "adjustment")
                if r() < 0.2:
                    amt, y, v = one_off(s, ny - 2)
                    v[y], v[y + 1] = amt, -amt
                    ssum = put(srows, ssum, f"{cores[s]} - use of reserve to support "
                               "implementation (reversed the following year)", v)
                srows.append({"k": "total", "label": f"Subtotal {cores[s]}",
                              "values": self.total_values(ssum)})
                theme_rows.append({"k": "section", "label": heading, "rows": srows})
                theme_sum = [a + b for a, b in zip(theme_sum, ssum)]
                service_savings[s] = ssum[:ny]
            theme_rows.append({"k": "total", "label": f"TOTAL {theme.upper()}",
                               "values": self.total_values(theme_sum)})
            rows.append({"k": "section", "label": theme.upper(), "id": f"theme{ti + 1}",
                         "role": "saving", "rows": theme_rows})
            grand = [a + b for a, b in zip(grand, theme_sum)]
        rows.append({"k": "total", "label": "Total proposals", "id": "total_savings",
                     "values": self.total_values(grand)})
        return rows, service_savings

    def reconciliation(self, out, prefix, division, names, net, growth, savings):
        r = self.r
        ny = len(YEARS)
        columns = [{"id": f"net_{YEARS[0]}", "period": period(YEARS[0]), "measure": "net"}]
        for y in YEARS[1:]:
            prev = columns[-1]["id"]
            columns.append({"id": f"growth_{y}", "period": period(y), "measure": "growth"})
            columns.append({"id": f"savings_{y}", "period": period(y), "measure": "savings"})
            columns.append({"id": f"net_{y}", "period": period(y), "measure": "net",
                            "sum": [prev, f"growth_{y}", f"savings_{y}"]})
        ncols = len(columns)
        lines = []
        true_rows = []
        for s, n in enumerate(names):
            printed = [net[s][0]]
            true = [net[s][0]]
            for yi in range(1, ny):
                g = growth[s][yi]
                sv = -savings[s][yi]
                printed.append(None if g == 0 and r() < 0.7 else g)
                printed.append(None if sv == 0 and r() < 0.5 else sv)
                nv = net[s][yi]
                printed.append(self.misprint(nv) if r() < P_SUM_CELL_WRONG else nv)
                true.extend((g, sv, nv))
            lines.append({"k": "line", "label": n, "values": printed})
            true_rows.append(true)
        totals = [sum(t[c] for t in true_rows) for c in range(ncols)]
        rows = lines + [{"k": "total", "label": "Total", "id": "total",
                         "values": self.total_values(totals)}]
        self.emit_table(out, f"{prefix}_reconciliation",
                        f"{division} - Budget reconciliation 2024/25 to 2028/29",
                        "reconciliation", columns, rows,
                        note="Net budget each year = previous year + growth + savings.")

    def funded(self, names, gross):
        """(index, name) of the services a funding table lists: those with a
        gross budget in the first year, four in five of them."""
        for s, n in enumerate(names):
            if gross[s][0] <= 0 or self.r() < 0.2:
                continue
            yield s, n

    def funding_current(self, out, prefix, division, names, gross):
        """Gross - other funding (by source, in parts) = net mainstream, per year."""
        r = self.r
        ny = len(YEARS)
        columns = year_columns(("gross", "gross", None), ("other", "funding", None),
                               ("net", "net", lambda y: {"sum": [f"gross_{y}", f"-other_{y}"]}))
        ncols = 3 * ny
        rows = []
        totals = [0] * ncols
        for s, n in self.funded(names, gross):
            printed = [None] * ncols
            true = [0] * ncols
            parts = []
            other = [0] * ny
            if r() < 0.7:
                for src in self.rng.sample(FUNDING_SOURCES, self.randint(1, 3)):
                    pv = [None] * ncols
                    for y in range(ny):
                        if r() < 0.85:
                            amt = int(gross[s][y] * r() * 0.25)
                            pv[3 * y + 1] = amt
                            other[y] += amt
                    parts.append({"k": "line", "label": src, "values": pv})
            else:
                for y in range(ny):
                    if r() < 0.5:
                        other[y] = int(gross[s][y] * r() * 0.3)
            for y in range(ny):
                printed[3 * y] = gross[s][y]
                if not parts:
                    printed[3 * y + 1] = other[y] if other[y] or r() < 0.5 else None
                netv = gross[s][y] - other[y]
                printed[3 * y + 2] = self.misprint(netv) if r() < P_SUM_CELL_WRONG else netv
                true[3 * y], true[3 * y + 1], true[3 * y + 2] = gross[s][y], other[y], netv
            line = {"k": "line", "label": n, "values": printed}
            if parts:
                line["parts"] = parts
            rows.append(line)
            totals = [a + b for a, b in zip(totals, true)]
        rows.append({"k": "total", "label": "Total", "id": "total",
                     "values": self.total_values(totals)})
        self.emit_table(out, f"{prefix}_funding",
                        f"{division} - Current Financial Summary", "funding", columns, rows)

    def funding_by_source(self, out, prefix, division, names, gross):
        """Funding by source equals gross; a select total of the Mainstream parts."""
        r = self.r
        ny = len(YEARS)
        columns = year_columns(("gross", "gross", None),
                               ("funding", "funding", lambda y: {"equals": f"gross_{y}"}))
        ncols = 2 * ny
        rows = []
        totals = [0] * ncols
        mainstream = [0] * ny
        for s, n in self.funded(names, gross):
            printed = [None] * ncols
            funding = [0] * ny
            srcs = ["Mainstream"] + self.rng.sample(FUNDING_SOURCES, self.randint(1, 3))
            pvs = [[None] * ncols for _ in srcs]
            for y in range(ny):
                printed[2 * y] = gross[s][y]
                rest = gross[s][y]
                for i in range(len(srcs) - 1, 0, -1):
                    amt = int(rest * r() * 0.4)
                    pvs[i][2 * y + 1] = amt
                    rest -= amt
                pvs[0][2 * y + 1] = rest
                mainstream[y] += rest
                funding[y] = gross[s][y]
                if r() < P_PARTS_WRONG:        # parts that do not add up to gross
                    i = 1 + int(r() * (len(srcs) - 1))
                    old = pvs[i][2 * y + 1]
                    pvs[i][2 * y + 1] = self.misprint(old)
                    funding[y] += pvs[i][2 * y + 1] - old
            parts = [{"k": "line", "label": src, "values": pv} for src, pv in zip(srcs, pvs)]
            rows.append({"k": "line", "label": n, "values": printed, "parts": parts})
            for y in range(ny):
                totals[2 * y] += gross[s][y]
                totals[2 * y + 1] += funding[y]
        rows.append({"k": "total", "label": "Totals", "id": "totals",
                     "values": self.total_values(totals)})
        sel = [None] * ncols
        for y in range(ny):
            sel[2 * y + 1] = mainstream[y]
        rows.append({"k": "total", "label": "Total Mainstream Funding Required",
                     "id": "mainstream", "values": self.total_values(sel),
                     "select": "Mainstream"})
        self.emit_table(out, f"{prefix}_funding",
                        f"{division} - Proposed funding by source", "funding", columns, rows)

    def group_agreements(self, prefix, division, n_services):
        years = ", ".join(str(y) for y in YEARS)
        gross_cols = "[" + ", ".join(f"gross_{y}" for y in YEARS) + "]"
        net_cols = "[" + ", ".join(f"net_{y}" for y in YEARS) + "]"
        ycols = "[" + ", ".join(f"y{y}" for y in YEARS) + "]"
        later = YEARS[1:]
        self.agreements += [
            (f"{division} ({prefix}): gross budget agrees to the subjective summary",
             "Gross budget figure should agree to the subjective summary",
             f"{{table: {prefix}_objective, rows: [total], columns: {gross_cols}}}",
             f"{{table: {prefix}_subjective, rows: [gross_expenditure], columns: {ycols}}}",
             None),
            (f"{division} ({prefix}): net budget agrees to the subjective summary",
             None,
             f"{{table: {prefix}_objective, rows: [total], columns: {net_cols}}}",
             f"{{table: {prefix}_subjective, rows: [net_budget], columns: {ycols}}}",
             None),
            (f"{division} ({prefix}): reconciliation agrees to the service budgets",
             f"Checked for every service line, years {years}",
             f"{{table: {prefix}_objective, rows: lines, columns: {net_cols}}}",
             f"{{table: {prefix}_reconciliation, rows: lines, columns: {net_cols}}}",
             None),
            (f"{division} ({prefix}): savings in the reconciliation agree to the schedule",
             "Savings are shown positive in the schedule and negative in the reconciliation",
             "{table: " + f"{prefix}_reconciliation, rows: [total], columns: ["
             + ", ".join(f"savings_{y}" for y in later) + "]}",
             "{table: " + f"{prefix}_savings, rows: [total_savings], columns: ["
             + ", ".join(f"y{y}" for y in later) + "], negate: true}",
             0),
        ]

    # -- the whole file --

    def header(self, seed: int, megabytes: float) -> str:
        p0, p1 = period(YEARS[0]), period(YEARS[-1])
        lines = [
            "planbook: 1\n",
            "plan:\n",
            f"  title: {text(f'Synthetic Council Business Plan {p0} - {p1}')}\n",
            "  organisation: Anytown Metropolitan Borough Council\n",
            "  directorate: All directorates\n",
            "  service: Benchmark data\n",
            f"  period: {text(f'{p0} - {p1}')}\n",
            "  status: Draft\n",
            f"  version: {text(str(GENERATOR_VERSION))}\n",
            "  owner: Director of Finance\n",
            f"  review_date: {text('2024-03-31')}\n",
            f"  next_review: {text('2024-09-30')}\n",
            "  year_start: April\n",
            f"  source: {text(f'Synthetic figures from bench/generate.py (seed {seed}, {megabytes:g} MB)')}\n",
            "  notes: |\n",
            "    Synthetic plan for the load benchmark. **Not real figures.**\n",
            "\n",
            "    - Amounts in £'000; blanks (`~`) count as zero.\n",
            "    - A small fraction of printed totals is deliberately wrong.\n",
            "settings:\n",
            "  tolerance: 0\n",
            "budgets:\n",
        ]
        return "".join(lines)

    def footer(self) -> str:
        if not self.agreements:
            return ""
        out = ["agreements:\n"]
        for name, note, left, right, tol in self.agreements:
            out.append(f"  - name: {text(name)}\n")
            if note:
                out.append(f"    note: {text(note)}\n")
            out.append(f"    left: {left}\n")
            out.append(f"    right: {right}\n")
            if tol is not None:
                out.append(f"    tolerance: {tol}\n")
        return "".join(out)


def col_sums(rows, ncols):
    acc = [0] * ncols
    for row in rows:
        acc = [a + (0 if v is None else v) for a, v in zip(acc, row["values"])]
    return acc


def generate(path: str, megabytes: float, seed: int) -> dict:
    gen = Gen(seed)
    target = int(megabytes * MB)
    tmp = path + ".tmp"
    written = 0
    t0 = time.perf_counter()
    with open(tmp, "wb") as f:
        def write(s):
            nonlocal written
            b = s.encode("utf-8")
            f.write(b)
            written += len(b)
        write(gen.header(seed, megabytes))
        g = 0
        while True:
            g += 1
            out = []
            gen.group(g, out)
            write(out[0])
            if written >= target - 4000:   # leave room for the agreements
                break
        write(gen.footer())
    os.replace(tmp, path)
    return {
        "path": path, "bytes": written, "groups": g, "tables": gen.tables,
        "rows": gen.rows, "cells": gen.cells, "agreements": len(gen.agreements),
        "injected": gen.injected, "seconds": round(time.perf_counter() - t0, 3),
    }


# --------------------------------------------------------------------------
# --check: read the file back with PyYAML and verify it, independently of
# the generator's arithmetic.

TOP_KEYS = ["planbook", "plan", "settings", "budgets", "agreements"]
PLAN_KEYS = ["title", "organisation", "directorate", "service", "period", "status",
             "version", "owner", "review_date", "next_review", "year_start", "source",
             "notes"]
TABLE_KEYS = ["title", "kind", "unit", "decimals", "income_sign", "blank", "tolerance",
              "note", "columns", "rows"]
COLUMN_KEYS = ["id", "label", "period", "phase", "measure", "type", "decimals", "unit",
               "sum", "equals"]
LINE_KEYS = ["line", "id", "role", "values", "note", "parts"]
SECTION_KEYS = ["section", "id", "role", "note", "rows"]
TOTAL_KEYS = ["total", "id", "values", "select", "note"]
AGREEMENT_KEYS = ["name", "note", "left", "right", "tolerance"]
SIDE_KEYS = ["table", "rows", "columns", "negate"]
KINDS = {"objective", "subjective", "savings", "reconciliation", "funding", "fte",
         "capital", "workforce", "other"}
ID_RE = re.compile(r"^[A-Za-z0-9_-]+$")
PERIOD_RE = re.compile(r"^(\d{4})/(\d{2})$")


class CheckError(Exception):
    pass


def _keys_in_order(d, order, where):
    if not isinstance(d, dict):
        raise CheckError(f"{where}: expected a mapping, got {type(d).__name__}")
    pos = -1
    for k in d:
        if k not in order:
            raise CheckError(f"{where}: unknown key {k!r}")
        i = order.index(k)
        if i < pos:
            raise CheckError(f"{where}: key {k!r} out of canonical order")
        pos = i


def check(path: str, expect_injected: int | None = None) -> dict:
    import yaml

    class Loader(yaml.CSafeLoader):
        def construct_mapping(self, node, deep=False):
            seen = set()
            for knode, _ in node.value:
                k = self.construct_object(knode, deep=deep)
                if k in seen:
                    raise CheckError(f"duplicate key {k!r} at line {knode.start_mark.line + 1}")
                seen.add(k)
            return super().construct_mapping(node, deep=deep)

    # Events: no tags, no aliases, nesting within the limits.
    depth = max_depth = 0
    with open(path, "rb") as f:
        for ev in yaml.parse(f, Loader=yaml.CSafeLoader):
            if isinstance(ev, yaml.AliasEvent):
                raise CheckError(f"alias at line {ev.start_mark.line + 1}")
            if getattr(ev, "tag", None) is not None:
                raise CheckError(f"tag {ev.tag} at line {ev.start_mark.line + 1}")
            if isinstance(ev, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                max_depth = max(max_depth, depth)
            elif isinstance(ev, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    if max_depth > 64:
        raise CheckError(f"nesting depth {max_depth} > 64")

    with open(path, "rb") as f:
        doc = yaml.load(f, Loader=Loader)

    _keys_in_order(doc, TOP_KEYS, "top level")
    if list(doc)[0] != "planbook" or doc["planbook"] != 1:
        raise CheckError("planbook: 1 must be the first key")
    _keys_in_order(doc.get("plan", {}), PLAN_KEYS, "plan")
    for k, v in doc.get("plan", {}).items():
        if not isinstance(v, str):
            raise CheckError(f"plan.{k} is {type(v).__name__}, not text")

    stats = {"tables": 0, "rows": 0, "values": 0, "checked_cells": 0,
             "findings": 0, "agreements": 0, "agreement_cells": 0,
             "agreement_findings": 0, "max_section_depth": 0}
    models = {}
    for tid, table in doc["budgets"].items():
        models[tid] = check_table(tid, table, stats)
    for i, ag in enumerate(doc.get("agreements") or []):
        check_agreement(f"agreements[{i}]", ag, models, stats)
    if stats["max_section_depth"] > 32:
        raise CheckError("sections nested deeper than 32")
    if expect_injected is not None and stats["findings"] != expect_injected:
        raise CheckError(f"{stats['findings']} computed cells disagree with the printed "
                         f"figures, but the generator misprinted {expect_injected}")
    stats["max_depth"] = max_depth
    return stats


def check_table(tid, table, stats):
    where = f"budgets.{tid}"
    if not ID_RE.match(str(tid)):
        raise CheckError(f"{where}: bad table id")
    _keys_in_order(table, TABLE_KEYS, where)
    if table.get("kind", "other") not in KINDS:
        raise CheckError(f"{where}.kind: {table['kind']!r}")
    if table.get("income_sign", "positive") not in ("positive", "negative"):
        raise CheckError(f"{where}.income_sign")
    if table.get("blank", "zero") != "zero":
        raise CheckError(f"{where}.blank: the checker assumes blank: zero")
    cols = table["columns"]
    if not isinstance(cols, list) or not cols:
        raise CheckError(f"{where}.columns: a non-empty list")
    ids = []
    for j, c in enumerate(cols):
        cw = f"{where}.columns[{j}]"
        _keys_in_order(c, COLUMN_KEYS, cw)
        if "id" not in c or not isinstance(c["id"], str) or not ID_RE.match(c["id"]):
            raise CheckError(f"{cw}.id")
        if c["id"] in ids:
            raise CheckError(f"{cw}.id: duplicate {c['id']!r}")
        ids.append(c["id"])
        for k in ("label", "phase", "measure", "unit"):
            if k in c and not isinstance(c[k], str):
                raise CheckError(f"{cw}.{k}: not text")
        if "period" in c:
            m = PERIOD_RE.match(str(c["period"]))
            if not m or (int(m.group(1)) + 1) % 100 != int(m.group(2)):
                raise CheckError(f"{cw}.period: {c['period']!r}")
        if c.get("type", "amount") != "amount":
            raise CheckError(f"{cw}.type: the generator writes amount columns only")
    index = {c: j for j, c in enumerate(ids)}
    sums = {}
    equals = {}
    for j, c in enumerate(cols):
        if "sum" in c:
            terms = []
            for t in c["sum"]:
                sign = -1 if t.startswith("-") else 1
                name = t.lstrip("-")
                if name not in index or index[name] == j:
                    raise CheckError(f"{where}.columns[{j}].sum: unknown column {t!r}")
                terms.append((sign, index[name]))
            sums[j] = terms
        if "equals" in c:
            if c["equals"] not in index:
                raise CheckError(f"{where}.columns[{j}].equals: unknown column")
            equals[j] = index[c["equals"]]
    ncols = len(cols)
    negative = table.get("income_sign") == "negative"
    row_ids = set()
    lines = []          # (label, printed values, computed values) of every line
    labels = []

    def values_of(row, rw):
        v = row.get("values")
        if isinstance(v, dict):
            out = [None] * ncols
            for k, x in v.items():
                if k not in index:
                    raise CheckError(f"{rw}.values: unknown column {k!r}")
                out[index[k]] = x
            v = out
        if not isinstance(v, list) or len(v) != ncols:
            raise CheckError(f"{rw}.values: {ncols} entries expected, "
                             f"got {len(v) if isinstance(v, list) else v!r}")
        for x in v:
            if x is not None and (type(x) is not int):
                raise CheckError(f"{rw}.values: {x!r} is not an integer amount")
        stats["values"] += ncols
        return v

    def compare(printed, computed):
        for j in range(ncols):
            if printed[j] is not None and computed[j] is not None:
                stats["checked_cells"] += 1
                if printed[j] != computed[j]:
                    stats["findings"] += 1

    def line_meaning(v, role):
        # the model holds income's meaning; income_sign: negative prints it negated
        if negative and role == "income":
            return [None if x is None else -x for x in v]
        return v

    def sum_columns(vec):
        """The row with its sum columns computed from the other columns.

        A sum column that names another sum column uses that one's computed
        figure, not its printed one (chained reconciliation steps)."""
        out = list(vec)
        done = {}

        def ev(j):
            if j not in sums:
                return vec[j] or 0
            if j not in done:
                done[j] = None
                done[j] = sum(sg * ev(i) for sg, i in sums[j])
            elif done[j] is None:
                raise CheckError(f"{where}.columns: sum columns refer to each other in a cycle")
            return done[j]

        for j in sums:
            out[j] = ev(j)
        return out

    def walk(rows, role, rw, depth, select):
        """Signed sum of the rows; checks totals, sum columns, parts, equals."""
        stats["max_section_depth"] = max(stats["max_section_depth"], depth)
        if not isinstance(rows, list):
            raise CheckError(f"{rw}: rows must be a list")
        acc = [0] * ncols
        sel_acc = [None] * ncols
        for i, row in enumerate(rows):
            w = f"{rw}[{i}]"
            stats["rows"] += 1
            if not isinstance(row, dict) or not row:
                raise CheckError(f"{w}: a row is a non-empty mapping")
            kind = next(iter(row))
            if kind not in ("line", "section", "total"):
                raise CheckError(f"{w}: first key {kind!r}")
            _keys_in_order(row, {"line": LINE_KEYS, "section": SECTION_KEYS,
                                 "total": TOTAL_KEYS}[kind], w)
            if "id" in row:
                if not isinstance(row["id"], str) or not ID_RE.match(row["id"]):
                    raise CheckError(f"{w}.id")
                if row["id"] in row_ids:
                    raise CheckError(f"{w}.id: duplicate {row['id']!r}")
                row_ids.add(row["id"])
            r_role = row.get("role", role)
            if r_role not in ROLE_SIGN:
                raise CheckError(f"{w}.role: {r_role!r}")
            sign = ROLE_SIGN[r_role]
            label = row[kind]
            if kind == "section":
                if label is not None and not isinstance(label, str):
                    raise CheckError(f"{w}.section: not text")
                sub, sub_sel = walk(row["rows"], r_role, f"{w}.rows", depth + 1, select)
                acc = [a + b for a, b in zip(acc, sub)]
                continue
            if not isinstance(label, str):
                raise CheckError(f"{w}.{kind}: label is {type(label).__name__}, not text")
            v = values_of(row, w)
            if kind == "line":
                labels.append(label)
                meaning = line_meaning(v, r_role)
                comp = list(meaning)
                parts = row.get("parts")
                part_sel = [None] * ncols
                if parts:
                    psum = [None] * ncols
                    for pi, part in enumerate(parts):
                        pw = f"{w}.parts[{pi}]"
                        if not isinstance(part, dict) or next(iter(part)) != "line":
                            raise CheckError(f"{pw}: parts are lines")
                        _keys_in_order(part, LINE_KEYS, pw)
                        if not isinstance(part["line"], str):
                            raise CheckError(f"{pw}.line: not text")
                        pv = line_meaning(values_of(part, pw), part.get("role", r_role))
                        for j, x in enumerate(pv):
                            if x is not None:
                                psum[j] = (psum[j] or 0) + x
                                if part["line"] == select:
                                    part_sel[j] = (part_sel[j] or 0) + x
                    for j, x in enumerate(psum):
                        if x is not None and j not in sums:
                            if meaning[j] is not None:
                                compare_one(meaning[j], x)
                            comp[j] = x
                comp = [0 if x is None else x for x in comp]
                computed_sums = sum_columns(comp)
                for j in sums:
                    if meaning[j] is not None:
                        compare_one(meaning[j], computed_sums[j])
                for j, k in equals.items():
                    if comp[j] is not None and v[k] is not None and (
                            meaning[j] is not None or parts):
                        compare_one(v[k], computed_sums[j])
                comp = computed_sums
                lines.append((label, v, comp))
                acc = [a + sign * x for a, x in zip(acc, comp)]
                if select is not None:
                    src = part_sel if label != select else comp
                    for j, x in enumerate(src):
                        if x is not None:
                            sel_acc[j] = (sel_acc[j] or 0) + sign * x
            else:  # total
                if row.get("select") is not None:
                    _, s = walk_select(row["select"])
                    compare(v, [None if x is None else x for x in s])
                else:
                    compare(v, [sign * x for x in acc])
        return acc, sel_acc

    def compare_one(printed, computed):
        stats["checked_cells"] += 1
        if printed != computed:
            stats["findings"] += 1

    top_rows = table["rows"]

    def walk_select(label):
        # the select sum over the rows preceding a select total (top level only)
        saved = dict(stats)
        saved_ids = set(row_ids)
        row_ids.clear()
        n_lines = len(lines)
        pos = next(i for i, r in enumerate(top_rows) if r.get("select") == label)
        res = walk(top_rows[:pos], "other", "", 0, label)
        stats.update(saved)
        row_ids.clear()
        row_ids.update(saved_ids)
        del lines[n_lines:]
        del labels[n_lines:]
        return res

    stats["tables"] += 1
    walk(top_rows, "other", f"{where}.rows", 0, None)
    return {"ids": ids, "index": index, "row_ids": row_ids, "table": table,
            "lines": lines, "labels": labels}


def check_agreement(where, ag, models, stats):
    _keys_in_order(ag, AGREEMENT_KEYS, where)
    stats["agreements"] += 1
    sides = []
    for key in ("left", "right"):
        side = ag[key]
        w = f"{where}.{key}"
        _keys_in_order(side, SIDE_KEYS, w)
        m = models.get(side["table"])
        if m is None:
            raise CheckError(f"{w}.table: unknown table {side['table']!r}")
        for c in side["columns"]:
            if c not in m["index"]:
                raise CheckError(f"{w}.columns: unknown column {c!r}")
        if side["rows"] == "lines":
            rows = [(p, c) for _, p, c in m["lines"]]
        else:
            rows = []
            for rid in side["rows"]:
                found = find_row(m["table"]["rows"], rid)
                if found is None:
                    raise CheckError(f"{w}.rows: unknown row {rid!r}")
                rows.append((found["values"], None))
        neg = -1 if side.get("negate") else 1
        grid = []
        for printed, comp in rows:
            grid.append([neg * (printed[m["index"][c]] if printed[m["index"][c]] is not None
                                else (comp[m["index"][c]] if comp else 0))
                         for c in side["columns"]])
        sides.append(grid)
    if len(sides[0]) != len(sides[1]) or any(len(a) != len(b) for a, b in zip(*sides)):
        raise CheckError(f"{where}: the two sides differ in shape")
    tol = ag.get("tolerance", 0)
    for a, b in zip(*sides):
        for x, y in zip(a, b):
            stats["agreement_cells"] += 1
            if abs(x - y) > tol:
                stats["agreement_findings"] += 1


def find_row(rows, rid):
    for row in rows:
        if row.get("id") == rid:
            return row
        if "section" in row:
            found = find_row(row["rows"], rid)
            if found is not None:
                return found
    return None


# --------------------------------------------------------------------------

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--megabytes", type=float, required=True,
                    help="approximate size of the file, in MB (10**6 bytes)")
    ap.add_argument("-o", "--output", required=True, help="file to write")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--check", action="store_true",
                    help="read the file back with PyYAML and verify it")
    ap.add_argument("--quiet", action="store_true", help="no summary on stderr")
    args = ap.parse_args(argv)
    if args.megabytes <= 0:
        ap.error("--megabytes must be positive")
    info = generate(args.output, args.megabytes, args.seed)
    if not args.quiet:
        print("wrote {path}: {bytes} bytes, {groups} groups, {tables} tables, {rows} rows, "
              "{cells} cells, {agreements} agreements, {injected} misprinted cells, "
              "{seconds} s".format(**info), file=sys.stderr)
    if args.check:
        t0 = time.perf_counter()
        try:
            st = check(args.output, info["injected"])
        except CheckError as e:
            print(f"CHECK FAILED: {e}", file=sys.stderr)
            return 1
        print("check ok: {tables} tables, {rows} rows, {values} values, "
              "{checked_cells} computed cells checked, {findings} misprinted "
              "(as generated), {agreements} agreements over {agreement_cells} cells with "
              "{agreement_findings} differences, max depth {max_depth}, ".format(**st)
              + f"{time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
