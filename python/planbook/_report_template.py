"""The committee pack's Jinja2 template and its style sheet.

They live in a module (not files beside it) so that every install of
planbook carries them with no packaging rule of their own.  A council
restyles the pack with its own CSS (``plan.report(css=...)``, loaded after
this sheet, so it wins) and its logo; the colours are CSS custom
properties on ``:root`` (docs/report.md lists them).

Every value from a plan reaches the page through Jinja2's autoescaping:
plan text is untrusted.  The only markup passed in as-is is the style
sheet (with ``</`` neutralised).
"""

CSS = r"""
:root {
  --ink: #1a1a1a;
  --muted: #4a4a4a;
  --paper: #ffffff;
  --rule: #8a8a8a;
  --accent: #0b4f8a;
  --head-bg: #e8eef5;
  --total-bg: #f2f2f2;
  --section-bg: #fafafa;
  --rag-red-bg: #f7d4cc;
  --rag-amber-bg: #fbe5b6;
  --rag-green-bg: #cdebdc;
  --rag-none-bg: #ffffff;
  --finding-bg: #fde2e1;
  --finding-ink: #8a1c12;
  --overdue-ink: #8a1c12;
  --done-ink: #1e5b3a;
  --band-red: #e8a57a;
  --band-amber: #f5d699;
  --band-green: #99d8c7;
  --trend: #0072b2;
  --link: #0b4f8a;
  --font: "Liberation Sans", Arial, "DejaVu Sans", Helvetica, sans-serif;
  --size: 10.5pt;
}
@page { size: A4; margin: 16mm 14mm 18mm 14mm; }
* { box-sizing: border-box; }
html { color: var(--ink); background: var(--paper); }
body { margin: 0 auto; max-width: 60rem; padding: 1.5rem; font-family: var(--font);
       font-size: var(--size); line-height: 1.35; color: var(--ink); background: var(--paper);
       overflow-wrap: break-word; hyphens: auto; }
a { color: var(--link); background: transparent; }
h1, h2, h3, h4 { color: var(--accent); background: transparent; line-height: 1.2;
                 break-after: avoid; page-break-after: avoid; }
h1 { font-size: 2em; margin: 0.4em 0 0.6em; }
h2 { font-size: 1.5em; margin: 1.2em 0 0.5em; border-bottom: 2px solid var(--accent); }
h3 { font-size: 1.2em; margin: 1.2em 0 0.4em; }
h4 { font-size: 1.05em; margin: 1em 0 0.3em; }
p { margin: 0.3em 0 0.6em; }
.muted, .meta { color: var(--muted); background: transparent; }
.small { font-size: 0.88em; }

/* cover */
.cover { min-height: 60vh; padding-top: 2rem; }
.cover .logo { max-width: 14rem; max-height: 6rem; display: block; margin-bottom: 2rem; }
.cover .organisation { font-size: 1.3em; color: var(--ink); background: transparent; margin: 0; }
.cover dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.3em 1.5em;
            margin: 2rem 0; }
.cover dt { font-weight: bold; }
.cover dd { margin: 0; }
.cover .prepared { margin-top: 3rem; font-size: 0.9em; }

/* contents */
nav.contents ol { padding-left: 1.4em; }
nav.contents li { margin: 0.15em 0; }
nav.contents ol ol { list-style: lower-alpha; }

/* tables */
.table-wrap { max-width: 100%; padding: 0 1px; }
table { border-collapse: collapse; width: 100%; margin: 0.4em 0 1em; font-size: 0.9em;
        font-variant-numeric: tabular-nums; }
caption { caption-side: top; text-align: left; font-weight: bold; padding: 0.2em 0;
          color: var(--ink); background: transparent; }
th, td { border: 1px solid var(--rule); padding: 0.25em 0.4em; vertical-align: top;
         text-align: left; overflow-wrap: break-word; }
td .text, td.text { overflow-wrap: anywhere; }
th.rid { white-space: nowrap; }
td.owner { min-width: 6em; }
thead th { background: var(--head-bg); color: var(--ink); vertical-align: bottom; }
thead { display: table-header-group; }
tfoot { display: table-footer-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th[scope="row"] { font-weight: normal; }
.num { text-align: right; white-space: nowrap; overflow-wrap: normal; }
thead th.num { white-space: normal; overflow-wrap: normal; }
tr.section th, tr.section td { background: var(--section-bg); color: var(--ink);
                               font-weight: bold; }
tr.total th, tr.total td { background: var(--total-bg); color: var(--ink); font-weight: bold;
                           border-top: 2px solid var(--ink); }
tr.total.grand th, tr.total.grand td { border-bottom: 3px double var(--ink); }
.d1 { padding-left: 1.4em; } .d2 { padding-left: 2.4em; } .d3 { padding-left: 3.4em; }
.d4 { padding-left: 4.4em; }
td.finding, th.finding { background: var(--finding-bg); color: var(--ink); }
a.mark { color: var(--finding-ink); background: transparent; font-weight: bold;
         white-space: nowrap; }
.computed { display: block; font-size: 0.85em; font-weight: normal; color: var(--finding-ink);
            background: transparent; white-space: normal; }
table.wide { font-size: 0.8em; }
table.wide th, table.wide td { padding: 0.2em 0.25em; }
/* a table too wide for a portrait page: its own landscape page in print,
   a smaller type on a screen */
@page landscape { size: A4 landscape; }
section.budget.landscape { page: landscape; }
@media screen { table.budget-table.landscape { font-size: 0.68em; } }
.key { font-size: 0.88em; color: var(--muted); background: transparent; }
.source-note { font-size: 0.8em; color: var(--muted); background: transparent; }

/* RAG, direction of travel */
.rag { white-space: nowrap; }
.rag-red { background: var(--rag-red-bg); color: var(--ink); }
.rag-amber { background: var(--rag-amber-bg); color: var(--ink); }
.rag-green { background: var(--rag-green-bg); color: var(--ink); }
.rag-none { background: var(--rag-none-bg); color: var(--ink); }
.sym { font-weight: bold; }
.travel { white-space: nowrap; }
td.comparison { font-size: 0.88em; }
tr.companion th, tr.companion td { color: var(--muted); background: var(--paper);
                                   font-size: 0.92em; }
tbody th[scope="rowgroup"] { background: var(--head-bg); color: var(--ink); font-weight: bold; }
.measure-name { display: block; }
.measure-key { display: block; font-size: 0.85em; color: var(--muted); background: transparent; }
svg.spark { display: block; width: 5.2em; height: 1.6em; }
svg.spark polyline { fill: none; stroke: var(--trend); stroke-width: 1.5; }
svg.spark circle { fill: var(--trend); }
ul.exceptions { padding-left: 1.2em; }
ul.exceptions li { margin: 0.25em 0; }

/* risks */
.heat { display: flex; flex-wrap: wrap; gap: 1rem 2rem; align-items: flex-start; }
.heat figure, table.matrix { margin: 0; break-inside: avoid; page-break-inside: avoid; }
.heat svg { width: 21rem; max-width: 100%; height: auto; font-family: var(--font); }
.heat svg .cell-red { fill: var(--band-red); }
.heat svg .cell-amber { fill: var(--band-amber); }
.heat svg .cell-green { fill: var(--band-green); }
.heat svg text { fill: var(--ink); }
.heat svg .count-box { fill: var(--paper); stroke: var(--ink); stroke-width: 0.8; }
.heat table { width: auto; }
.heat figcaption { font-size: 0.88em; max-width: 21rem; }
table.matrix td { text-align: center; min-width: 3.4em; }
.band-red { background: var(--band-red); color: var(--ink); }
.band-amber { background: var(--band-amber); color: var(--ink); }
.band-green { background: var(--band-green); color: var(--ink); }

/* records */
.status-overdue { color: var(--overdue-ink); background: transparent; font-weight: bold; }
.status-done { color: var(--done-ink); background: transparent; }
.field { display: block; margin-top: 0.25em; }
.field-name { font-weight: bold; }
.text { white-space: pre-line; }
.item-title { display: block; }
.item-title.lead { font-weight: bold; }

/* findings */
ol.findings li { margin: 0.4em 0; break-inside: avoid; page-break-inside: avoid; }
.severity-error { color: var(--finding-ink); background: transparent; font-weight: bold; }
.severity-warning { color: var(--ink); background: transparent; font-weight: bold; }

section.part { break-before: page; page-break-before: always; }
.cover + nav.contents { break-before: page; page-break-before: always; }
footer.colophon { margin-top: 2rem; font-size: 0.85em; border-top: 1px solid var(--rule); }
@media print {
  body { max-width: none; padding: 0; font-size: 9.5pt; }
  a { text-decoration: none; }
  .cover { min-height: auto; }
}
"""

TEMPLATE = r"""{%- macro findmarks(list) -%}
{%- for f in list %} {% if f.anchor %}<a class="mark" href="#{{ f.anchor }}" aria-label="finding {{ f.n }}: {{ f.short }}">&#x26A0;&#xFE0E;&nbsp;{{ f.n }}</a>{% else %}<span class="mark" title="{{ f.short }}">&#x26A0;&#xFE0E;&nbsp;{{ f.n }}</span>{% endif %}{% endfor -%}
{%- endmacro -%}
{%- macro rag(r) -%}
<td class="rag rag-{{ r.rag }}">{% if r.rag != 'none' %}<span class="sym" aria-hidden="true">{{ r.symbol }}</span> {{ r.word }}{% else %}<span class="muted">no RAG</span>{% endif %}</td>
{%- endmacro -%}
{%- macro travel(t) -%}
{%- if t.word %}{% if t.arrow %}<span class="sym"{% if t.hide %} aria-hidden="true"{% endif %}>{{ t.arrow }}</span> {% endif %}{{ t.word }}{% else %}<span class="muted">&ndash;</span>{% endif -%}
{%- endmacro -%}
{%- macro spark(s) -%}
<svg class="spark" role="img" aria-label="{{ s.label }}" viewBox="0 0 {{ s.width }} {{ s.height }}" preserveAspectRatio="none" xmlns="http://www.w3.org/2000/svg"><title>{{ s.label }}</title><polyline points="{{ s.points }}"/><circle cx="{{ s.last_x }}" cy="{{ s.last_y }}" r="2"/></svg>
{%- endmacro -%}
{#- a part's table, dashboard, register or list: its heading and notes, the
    call's body, its source notes and the tail -#}
{%- macro entry(cls, e, tail='') %}
<section class="{{ cls }}" id="{{ e.id }}" aria-labelledby="{{ e.id }}-h">
<h3 id="{{ e.id }}-h">{{ e.title }}</h3>
{%- for p in e.notes %}
<p class="key">{{ p }}</p>
{%- endfor %}
{{- caller() }}
{%- for p in e.after %}
<p class="source-note">{{ p }}</p>
{%- endfor %}
{{- tail }}
</section>
{%- endmacro -%}
{%- macro table_wrap(cls, caption) %}
<div class="table-wrap"><table{% if cls %} class="{{ cls }}"{% endif %}>
<caption>{{ caption }}</caption>
{{- caller() }}</table></div>
{%- endmacro -%}
{%- macro exceptions(d) -%}
{%- if d.exceptions %}
<h4 id="{{ d.id }}-why">Red and amber: why</h4>
<ul class="exceptions">
{%- for e in d.exceptions %}
<li><a href="#{{ e.anchor }}">{{ e.ref }}</a> <span class="rag-{{ e.rag }}"><span class="sym" aria-hidden="true">{{ e.symbol }}</span> {{ e.word }}</span>: {{ e.reason }}</li>
{%- endfor %}
</ul>
{%- endif %}
{%- endmacro -%}
{%- macro budget_entry(t) %}
{%- call entry('budget landscape' if t.landscape else 'budget', t) %}
{%- call table_wrap('budget-table' ~ (' wide' if t.wide else '') ~ (' landscape' if t.landscape else ''), t.caption) %}
{%- for span in t.colgroups %}<colgroup span="{{ span }}"></colgroup>{% endfor %}
<thead>
{%- for hr in t.head_rows %}
<tr>{% for h in hr %}<th scope="{{ h.scope }}"{% if h.colspan > 1 %} colspan="{{ h.colspan }}"{% endif %}{% if h.rowspan > 1 %} rowspan="{{ h.rowspan }}"{% endif %}{% if h.num %} class="num"{% endif %}>{{ h.text }}</th>{% endfor %}</tr>
{%- endfor %}
</thead>
<tbody>
{%- for row in t.rows %}
<tr class="{{ row.cls }}" id="{{ row.anchor }}"><th scope="row" class="d{{ row.depth }}{% if row.findings %} finding{% endif %}">{{ row.label }}{{ findmarks(row.findings) }}</th>
{%- for c in row.cells %}<td class="{% if c.num %}num{% else %}text{% endif %}{% if c.findings %} finding{% endif %}"{% if c.anchor %} id="{{ c.anchor }}"{% endif %}>{{ c.text }}{{ findmarks(c.findings) }}{% if c.computed %}<span class="computed">adds up to {{ c.computed }}</span>{% endif %}</td>{% endfor %}</tr>
{%- endfor %}
</tbody>
{%- endcall %}
{%- endcall %}
{%- endmacro -%}
{%- macro dashboard_entry(d) %}
{%- call entry('dashboard', d, exceptions(d)) %}
{%- if d.counts_text %}
<p class="counts"><strong>At {{ d.period }}:</strong> {{ d.counts_text }}</p>
{%- endif %}
{%- call table_wrap('dashboard-table wide' if d.ncols > 8 else 'dashboard-table', d.caption) %}
<thead><tr><th scope="col">Measure</th>
{%- for p in d.periods %}<th scope="col" class="num">{{ p }}</th>{% endfor %}
{%- if d.has_target %}<th scope="col" class="num">Target {{ d.period }}</th>{% endif %}
{%- if d.has_status %}<th scope="col">RAG</th><th scope="col">{{ d.travel_head }}</th>
{%- for cid, cname in d.comparators %}<th scope="col">Better than {{ cname }}?</th>{% endfor %}
{%- endif %}
{%- if d.has_trend %}<th scope="col">Trend</th>{% endif %}</tr></thead>
{%- for g in d.groups %}
<tbody>
{%- if g.name %}
<tr><th scope="rowgroup" colspan="{{ d.ncols }}">{{ g.name }}</th></tr>
{%- endif %}
{%- for r in g.rows %}
<tr id="{{ r.anchor }}"{% if r.companion %} class="companion"{% endif %}><th scope="row"{% if r.findings %} class="finding"{% endif %}><span class="measure-name">{% if r.ref %}<strong>{{ r.ref }}</strong> {% endif %}{{ r.name }}{{ findmarks(r.findings) }}</span>
{%- for k in r.key %}<span class="measure-key">{{ k }}</span>{% endfor %}</th>
{%- for v in r.figures %}<td class="{{ v.cls }}">{{ v.text }}</td>{% endfor %}
{%- if d.has_target %}<td class="{{ r.target.cls }}">{{ r.target.text }}</td>{% endif %}
{%- if d.has_status %}{% if r.companion %}<td></td><td></td>{% for c in d.comparators %}<td></td>{% endfor %}{% else %}{{ rag(r.rag) }}<td class="travel">{{ travel(r.travel) }}</td>
{%- for t in r.comps %}<td class="comparison">{{ travel(t) }}</td>{% endfor %}{% endif %}
{%- endif %}
{%- if d.has_trend %}<td>{% if r.spark %}{{ spark(r.spark) }}{% endif %}</td>{% endif %}</tr>
{%- endfor %}
</tbody>
{%- endfor %}
{%- endcall %}
{%- endcall %}
{%- endmacro -%}
{%- macro register_entry(g) %}
{%- call entry('register', g) %}
<p class="counts"><strong>{{ g.scored_as }}:</strong> {{ g.profile_text }}</p>
{%- if g.heat %}
<h4 id="{{ g.id }}-heat">Heat map</h4>
<div class="heat">
<figure>
<svg role="img" aria-labelledby="{{ g.id }}-svg-t {{ g.id }}-svg-d" viewBox="0 0 {{ g.heat.width }} {{ g.heat.height }}" xmlns="http://www.w3.org/2000/svg">
<title id="{{ g.id }}-svg-t">{{ g.heat.title }}</title>
<desc id="{{ g.id }}-svg-d">{{ g.heat.desc }}</desc>
<g aria-hidden="true">
{%- for c in g.heat.cells %}
<rect class="cell-{{ c.band }}" x="{{ c.x }}" y="{{ c.y }}" width="{{ g.heat.size }}" height="{{ g.heat.size }}" stroke="#ffffff" stroke-width="2"/>
<text x="{{ c.x + 4 }}" y="{{ c.y + 12 }}" font-size="9">{{ c.letter }} {{ c.score }}</text>
{%- if c.count %}
<rect class="count-box" x="{{ c.x + g.heat.size / 2 - 11 }}" y="{{ c.y + 16 }}" width="22" height="19" rx="4"/>
<text x="{{ c.x + g.heat.size / 2 }}" y="{{ c.y + 30 }}" font-size="13" font-weight="bold" text-anchor="middle">{{ c.count }}</text>
{%- if c.ids %}<text x="{{ c.x + g.heat.size / 2 }}" y="{{ c.y + g.heat.size - 5 }}" font-size="8" text-anchor="middle">{{ c.ids }}</text>{% endif %}
{%- endif %}
{%- endfor %}
{%- for t in g.heat.ticks %}
<text x="{{ t.x }}" y="{{ t.y }}" font-size="11" text-anchor="middle">{{ t.text }}</text>
{%- endfor %}
<text x="{{ g.heat.xlabel_x }}" y="{{ g.heat.height - 4 }}" font-size="12" text-anchor="middle">Impact</text>
<text x="12" y="{{ g.heat.ylabel_y }}" font-size="12" text-anchor="middle" transform="rotate(-90 12 {{ g.heat.ylabel_y }})">Likelihood</text>
</g>
</svg>
<figcaption>{{ g.heat.caption }}</figcaption>
</figure>
{%- call table_wrap('matrix', 'Heat map as a table: risks by likelihood (rows) and impact (columns), ' ~ g.heat.kind ~ ' scores') %}
<thead><tr><th scope="col">Likelihood</th>{% for i in g.heat.impacts %}<th scope="col">Impact {{ i }}</th>{% endfor %}</tr></thead>
<tbody>
{%- for row in g.heat.rows %}
<tr><th scope="row">{{ row.likelihood }}</th>{% for c in row.cells %}<td class="band-{{ c.band }}">{{ c.letter }} {{ c.score }}{% if c.count %}<br> <strong>{{ c.count }} {{ 'risk' if c.count == 1 else 'risks' }}</strong>{% if c.ids %}: {{ c.ids }}{% endif %}{% endif %}</td>{% endfor %}</tr>
{%- endfor %}
</tbody>
{%- endcall %}
</div>
{%- for p in g.heat.notes %}<p class="small">{{ p }}</p>{% endfor %}
{%- endif %}
<h4 id="{{ g.id }}-register">Register</h4>
{%- call table_wrap('risk-table', g.caption) %}
<thead><tr><th scope="col">ID</th><th scope="col">Risk</th>
{%- if g.has_owner %}<th scope="col">Owner</th>{% endif %}
{%- for col in g.text_columns %}<th scope="col">{{ col.head }}</th>{% endfor %}
{%- for k in g.kinds %}<th scope="col">{{ k.head }}</th>{% endfor %}</tr></thead>
<tbody>
{%- for r in g.rows %}
<tr id="{{ r.anchor }}"><th scope="row" class="rid">{{ r.rid }}</th><td>{% if r.category %}<span class="measure-key">{{ r.category }}</span>{% endif %}<span class="text">{{ r.description }}</span>{% if r.status %}<span class="measure-key">{{ r.status }}</span>{% endif %}</td>
{%- if g.has_owner %}<td class="owner">{{ r.owner }}</td>{% endif %}
{%- for t in r.texts %}<td class="text small">{{ t }}</td>{% endfor %}
{%- for s in r.scores %}<td class="rag rag-{{ s.rag }}{% if s.findings %} finding{% endif %}">{% if s.rag != 'none' %}<span class="sym" aria-hidden="true">{{ s.symbol }}</span> {{ s.word }} {{ s.value }}{% else %}<span class="muted">not scored</span>{% endif %}{% if s.parts %}<span class="measure-key">{{ s.parts }}</span>{% endif %}{% if s.printed %}<span class="measure-key">printed {{ s.printed }}</span>{% endif %}{% if s.assumed %}<span class="measure-key">{{ s.assumed }}</span>{% endif %}{{ findmarks(s.findings) }}</td>{% endfor %}</tr>
{%- endfor %}
</tbody>
{%- endcall %}
{%- endcall %}
{%- endmacro -%}
{%- macro records_entry(c) %}
{%- call entry('records', c) %}
{%- call table_wrap('records-table', c.caption) %}
<thead><tr><th scope="col">ID</th><th scope="col">Item</th>
{%- if c.has_owner %}<th scope="col">Owner</th>{% endif %}
{%- if c.has_when %}<th scope="col">When</th><th scope="col">As of {{ as_of }}</th>{% endif %}</tr></thead>
<tbody>
{%- for r in c.rows %}
<tr id="{{ r.anchor }}"><th scope="row" class="rid d{{ r.depth }}{% if r.findings %} finding{% endif %}">{{ r.rid }}{{ findmarks(r.findings) }}</th><td>{% if r.title %}<span class="item-title text{% if r.fields %} lead{% endif %}">{{ r.title }}</span>{% endif %}
{%- for name, text in r.fields %}<span class="field"><span class="field-name">{{ name }}:</span> <span class="text">{{ text }}</span></span>{% endfor %}</td>
{%- if c.has_owner %}<td class="owner">{{ r.owner }}</td>{% endif %}
{%- if c.has_when %}<td>{{ r.when }}</td><td class="status-{{ r.status_cls }}">{% if r.status_sym %}<span class="sym" aria-hidden="true">{{ r.status_sym }}</span> {% endif %}{{ r.status }}</td>{% endif %}</tr>
{%- endfor %}
</tbody>
{%- endcall %}
{%- endcall %}
{%- endmacro -%}
{#- the entry of each part's table, dashboard, register or list, by part -#}
{%- set part_entry = {'budgets': budget_entry, 'indicators': dashboard_entry, 'risks': register_entry, 'records': records_entry} -%}
<!DOCTYPE html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="planbook {{ version }}">
<title>{{ title }}</title>
<style>{{ css }}</style>
{%- if user_css %}
<style>{{ user_css }}</style>
{%- endif %}
</head>
<body>
<header class="cover" id="cover">
{%- if logo %}
<img class="logo" src="{{ logo.src }}" alt="{{ logo.alt }}">
{%- endif %}
{%- if organisation %}
<p class="organisation">{{ organisation }}</p>
{%- endif %}
<h1>{{ title }}</h1>
<dl>
{%- for k, v in cover %}
<dt>{{ k }}</dt><dd>{{ v }}</dd>
{%- endfor %}
</dl>
<p class="prepared muted">Prepared on {{ generated }} with planbook {{ version }}{% if source %} from {{ source }}{% endif %}. Overdue actions and reviews are as of {{ as_of }}.</p>
</header>
<nav class="contents" aria-labelledby="contents-heading">
<h2 id="contents-heading">Contents</h2>
<ol>
{%- for c in contents %}
<li><a href="#{{ c.id }}">{{ c.text }}</a>
{%- if c.children %}
<ol>
{%- for s in c.children %}
<li><a href="#{{ s.id }}">{{ s.text }}</a></li>
{%- endfor %}
</ol>
{%- endif %}</li>
{%- endfor %}
</ol>
</nav>
<main>
{%- for sec in sections %}
<section class="part part-{{ sec.kind }}" id="{{ sec.id }}" aria-labelledby="{{ sec.id }}-h">
<h2 id="{{ sec.id }}-h">{{ sec.title }}</h2>
{%- for p in sec.intro %}
<p class="muted">{{ p }}</p>
{%- endfor %}

{%- if sec.kind in ('summary', 'movement') %}
{%- for block in sec.blocks %}
<h3 id="{{ block.id }}">{{ block.title }}</h3>
{%- call table_wrap(none, block.caption) %}
<thead><tr>{% for h in block.head %}<th scope="col"{% if loop.index0 >= block.num %} class="num"{% endif %}>{{ h }}</th>{% endfor %}</tr></thead>
<tbody>
{%- for row in block.rows %}
<tr><th scope="row">{% if row.href %}<a href="#{{ row.href }}">{{ row.label }}</a>{% else %}{{ row.label }}{% endif %}</th>{% for v in row.cells %}<td{% if loop.index >= block.num %} class="num"{% endif %}>{{ v }}</td>{% endfor %}</tr>
{%- endfor %}
</tbody>
{%- endcall %}
{%- for p in block.notes %}<p class="small">{{ p }}</p>{% endfor %}
{%- endfor %}

{%- elif sec.kind in part_entry %}
{%- for e in sec.entries %}{{ part_entry[sec.kind](e) }}{% endfor %}

{%- elif sec.kind == 'findings' %}
{%- if sec.findings %}
<ol class="findings">
{%- for f in sec.findings %}
<li id="{{ f.anchor }}"><span class="severity-{{ f.severity }}"><span class="sym" aria-hidden="true">{{ f.symbol }}</span> {{ f.severity }}</span> [{{ f.where }}] {{ f.message }}
{%- if f.href %} <a href="#{{ f.href }}">Go to {{ f.target }}</a>{% else %} <span class="muted">({{ f.target }} is not in this pack)</span>{% endif %}
{%- if f.location %} <span class="muted small">{{ f.location }}</span>{% endif %}</li>
{%- endfor %}
</ol>
{%- else %}
<p>&#x2714; No findings: every printed figure agrees with the arithmetic, and every score and reference checks out.</p>
{%- endif %}
{%- endif %}
</section>
{%- endfor %}
</main>
<footer class="colophon"><p class="muted">{{ title }}{% if organisation %}, {{ organisation }}{% endif %}. Prepared on {{ generated }} with planbook {{ version }}.</p></footer>
</body>
</html>
"""
