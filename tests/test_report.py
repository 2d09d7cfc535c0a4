"""The committee pack (plan.report, planbook report): issue 20, "The pack".

For each example plan: the HTML parses (html5lib, strict), holds every
finding and every RAG count, has its headings in order, a caption and
scoped header cells on every table, a name on every SVG, no script and
nothing from a network, and colours that read (contrast of at least 4.5:1,
worked out from the style sheet).  Then in a real browser (headless
Chromium through the DevTools protocol): no console errors, nothing wider
than an A4 page, every table and image named in the accessibility tree,
every text's contrast as the browser paints it; and the PDF: A4, page
numbers, repeated table headers, every finding and RAG count in its text.
Screenshots of the page and of the PDF's pages go to
build/test-artefacts/report/ (PLANBOOK_TEST_ARTEFACTS to put them elsewhere).

The browser tests are skipped only when no Chromium is installed and CI is
not set; in CI they run (and fail without a browser).  The whole module is
left out of the sanitizer pass: the pack is Python over the API the other
tests check, and a browser under LD_PRELOAD libasan tests nothing of ours.
"""

import os
import pathlib
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

import planbook
from planbook._chromium import Chromium, find_chromium

from conftest import EXAMPLES, ROOT, SANITIZED, example_paths

pytestmark = pytest.mark.skipif(SANITIZED, reason="the pack is not run under the sanitizers")

if os.environ.get("CI"):
    import html5lib           # in CI a missing parser is a failure, not a skip
else:
    html5lib = pytest.importorskip("html5lib")

AS_OF = "2018-09-01"
PATHS = example_paths()
IDS = [p.stem for p in PATHS]
ARTEFACTS = pathlib.Path(os.environ.get("PLANBOOK_TEST_ARTEFACTS")
                         or ROOT / "build" / "test-artefacts" / "report")
A4_WIDTH = 794          # CSS pixels: 210 mm at 96 px per inch
SVG = "{http://www.w3.org/2000/svg}"   # html5lib keeps SVG's namespace

needs_browser = pytest.mark.skipif(
    find_chromium() is None and not os.environ.get("CI"),
    reason="no Chromium installed (apt-get install chromium); in CI these tests run")


# ------------------------------------------------------------------ helpers

def parse(html: str) -> ET.Element:
    """The page as html5lib's strict parser reads it (a parse error fails)."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False,
                                 tree=html5lib.getTreeBuilder("etree", ET))
    return parser.parse(html)


def text_of(el) -> str:
    return " ".join("".join(el.itertext()).split())


def words(text: str) -> str:
    return " ".join(text.split())


def by_id(root, ident):
    for el in root.iter():
        if el.get("id") == ident:
            return el
    raise AssertionError(f"no element with id {ident!r}")


@pytest.fixture(scope="module")
def packs():
    """Each example's plan and pack (HTML), made once."""
    out = {}
    for path in PATHS:
        plan = planbook.load(path)
        out[path.stem] = (plan, plan.report(as_of=AS_OF))
    return out


def artefacts() -> pathlib.Path:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    return ARTEFACTS


def dashboards(plan):
    """(set id, counts) of every dashboard the pack reports with a status."""
    out = []
    for sid in plan.indicators:
        s = plan.indicators[sid]
        if s.report_period is not None:
            out.append((sid, s.status().counts()))
    return out


# ------------------------------------------------------------------ the page

def test_there_are_five_examples():
    assert len(PATHS) == 5


@pytest.mark.parametrize("name", IDS)
def test_page_parses_and_holds_no_script_or_network(packs, name):
    plan, html = packs[name]
    root = parse(html)
    assert root.tag == "html" and root.get("lang") == "en-GB"
    assert root.find("head/title") is not None and text_of(root.find("head/title"))
    assert root.find(".//script") is None
    assert root.find(".//link") is None and root.find(".//iframe") is None
    for el in root.iter():
        for attr in ("src", "href", "action", "data"):
            v = el.get(attr)
            if v is not None:
                assert v.startswith(("#", "data:")), (el.tag, attr, v[:60])
        assert not any(k.lower().startswith("on") for k in el.keys()), el.tag
    assert "url(" not in html and "@import" not in html


@pytest.mark.parametrize("name", IDS)
def test_page_has_every_finding_linked_to_its_place(packs, name):
    plan, html = packs[name]
    root = parse(html)
    findings = plan.check()
    section = by_id(root, "part-findings")
    items = section.findall(".//ol/li")
    assert len(items) == len(findings)
    ids = {el.get("id") for el in root.iter() if el.get("id")}
    for f, li in zip(findings, items):
        assert words(f.message) in text_of(li)
        link = li.find(".//a")
        assert link is not None, f.message      # every example's findings are in its pack
        target = link.get("href")[1:]
        assert target in ids
        # and the place links back to the finding
        marks = [a for a in by_id(root, target).iter("a")
                 if a.get("href") == "#" + li.get("id")]
        row = by_id(root, target)
        assert marks or row.tag in ("td", "th", "tr"), (f.message, target)
    if not findings:
        assert "No findings" in text_of(section)


@pytest.mark.parametrize("name", IDS)
def test_page_has_every_rag_count(packs, name):
    plan, html = packs[name]
    root = parse(html)
    glance = text_of(by_id(root, "part-summary"))
    for sid, c in dashboards(plan):
        section = text_of(by_id(root, f"dashboard-{sid.lower()}"))
        for word in ("red", "amber", "green"):
            assert f"{c[word]} {word}" in section, (sid, word)
        assert f"{c['no rag']} without RAG" in section
        assert f"{c['improving']} improving" in section
        assert f"{c['worsening']} worsening" in section
    if dashboards(plan):
        rows = [r for r in by_id(root, "glance-indicators").itertext()]
        assert rows is not None
        table = by_id(root, "part-summary").findall(".//table")
        counted = [[text_of(td) for td in tr.findall("td")] for t in table
                   for tr in t.findall("tbody/tr")]
        for sid, c in dashboards(plan):
            want = [str(c[k]) for k in ("red", "amber", "green", "no rag", "improving",
                                        "worsening", "same")]
            assert any(cells[1:] == want for cells in counted), (sid, counted)
    for rid in plan.risks:
        p = plan.risks[rid].profile()
        section = text_of(by_id(root, f"register-{rid.lower()}"))
        for word in ("red", "amber", "green"):
            assert f"{p[word]} {word}" in section
        assert f"{p['unscored']} not scored" in section
        assert glance


@pytest.mark.parametrize("name", IDS)
def test_headings_are_in_order(packs, name):
    root = parse(packs[name][1])
    levels = [int(el.tag[1]) for el in root.iter() if re.fullmatch(r"h[1-6]", str(el.tag))]
    assert levels[0] == 1 and levels.count(1) == 1
    for a, b in zip(levels, levels[1:]):
        assert b <= a + 1, levels


@pytest.mark.parametrize("name", IDS)
def test_tables_have_captions_and_scoped_headers(packs, name):
    root = parse(packs[name][1])
    tables = root.findall(".//table")
    assert tables
    for t in tables:
        cap = t.find("caption")
        assert cap is not None and text_of(cap), ET.tostring(t)[:200]
        ths = t.findall(".//th")
        assert ths, text_of(cap)
        for th in ths:
            assert th.get("scope") in ("col", "row", "colgroup", "rowgroup"), text_of(th)
        head = t.find("thead")
        assert head is not None and head.findall(".//th")
        for th in head.findall(".//th"):
            assert th.get("scope") in ("col", "colgroup")
            assert text_of(th), text_of(cap)     # no empty column heading


@pytest.mark.parametrize("name", IDS)
def test_every_svg_is_a_named_image(packs, name):
    root = parse(packs[name][1])
    svgs = list(root.iter(SVG + "svg"))
    if name in ("manchester-children-2018-19", "manchester-children-families-2015-17"):
        assert svgs          # a heat map, trends
    for svg in svgs:
        assert svg.get("role") == "img"
        title = svg.find(SVG + "title")
        assert title is not None and text_of(title)
        named = svg.get("aria-label") or svg.get("aria-labelledby")
        assert named
        for ref in (svg.get("aria-labelledby") or "").split():
            assert text_of(by_id(root, ref))
    for img in root.iter("img"):
        assert img.get("alt")


@pytest.mark.parametrize("name", IDS)
def test_ids_are_unique_and_links_land(packs, name):
    root = parse(packs[name][1])
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert len(ids) == len(set(ids))
    for a in root.iter("a"):
        assert a.get("href", "#")[1:] in ids, a.get("href")


def test_rag_and_direction_are_symbol_word_and_colour(packs):
    plan, html = packs["manchester-children-families-2015-17"]
    root = parse(html)
    row = by_id(root, "m-children-1-3")
    cells = row.findall("td")
    rag = [td for td in cells if "rag" in (td.get("class") or "")][0]
    # the thresholds' reading is an assumption (issue 17): the word says so
    assert "rag-red" in rag.get("class") and text_of(rag) == "\u2716 red (assumed thresholds)"
    assert "\u2191 better" in [text_of(td) for td in cells]
    assert plan.indicators["children"]["1.3"].status().rag == "red"
    # the exceptions list says why, with the engine's reason
    assert by_id(root, "dashboard-children-why").tag == "h4"
    why = text_of(by_id(root, "dashboard-children"))
    assert ("1.3 \u2716 red (assumed thresholds): 2014/15 Q3 80.9 against Of concern 59.8, "
            "lower is better: red") in why


def test_budget_table_as_finance_prints_it(packs):
    plan, html = packs["manchester-children-families-2015-17"]
    root = parse(html)
    table = by_id(root, "budget-subjective").find(".//table")
    assert text_of(table.find("caption")) == "Subjective Summary (£'000)"
    rows = {text_of(tr.find("th")): tr for tr in table.findall("tbody/tr")}
    # income printed negative, in brackets, as 001 prints it
    assert [text_of(td) for td in rows["Government Grants"].findall("td")] == \
        ["(375,771)", "(397,841)", "(401,148)"]
    assert "total" in rows["Total Net Budget"].get("class")
    assert "grand" in rows["Total Net Budget"].get("class")
    assert "section" in rows["Income:"].get("class")


def test_findings_are_marked_at_their_cells(packs):
    plan, html = packs["manchester-children-2018-19"]
    root = parse(html)
    cell = by_id(root, "b-subjective-8-y2018")
    assert text_of(cell).startswith("449,923")
    assert "adds up to 449,623" in text_of(cell)
    mark = cell.find("a")
    assert mark.get("href") == "#finding-1" and "finding 1" in mark.get("aria-label")
    risk = by_id(root, "risk-strategic-4")
    assert "8 (4x4)" in text_of(risk) and "#finding-3" in [a.get("href") for a in risk.iter("a")]


def test_heat_map_has_text_alternative_and_table(packs):
    plan, html = packs["manchester-childrens-services-2016-20"]
    root = parse(html)
    reg = plan.risks["social_care"]
    section = by_id(root, "register-social_care")
    svg = section.find(f".//{SVG}svg")
    desc = text_of(svg.find(SVG + "desc"))
    p = reg.profile()
    assert f"red (score 13 to 25): {p['red']} risk" in desc
    matrix = [t for t in section.findall(".//table") if "matrix" in (t.get("class") or "")][0]
    cells = {}
    for tr in matrix.findall("tbody/tr"):
        lk = int(text_of(tr.find("th")))
        for im, td in enumerate(tr.findall("td"), 1):
            cells[(lk, im)] = text_of(td)
    grid = reg.matrix()
    for (lk, im), text in cells.items():
        n = grid[lk - 1][im - 1]
        assert text.startswith(("R", "A", "G"))
        if n:
            assert f" {n} risk" in text, (lk, im, text)
        else:
            assert "risk" not in text


def test_actions_are_overdue_as_of_a_date(packs):
    plan = planbook.load(EXAMPLES / "manchester-children-post-inspection-2018.yaml")
    acts = plan.records["actions"]
    late = acts.overdue(AS_OF)
    assert late
    root = parse(plan.report(as_of=AS_OF))
    for r in late:
        row = by_id(root, f"item-actions-{r.id}".replace(".", "-"))
        assert "Overdue: due" in text_of(row)
    early = parse(plan.report(as_of="2018-01-01"))
    assert "Overdue: due" not in text_of(early)
    assert "As of 1 September 2018" in text_of(root)
    # a timeline's dates are when things happen: gone by, not overdue
    plan = planbook.load(EXAMPLES / "manchester-children-families-2015-17.yaml")
    timeline = text_of(by_id(parse(plan.report(as_of=AS_OF, sections="records.timeline")),
                             "records-timeline"))
    assert "Past: 12 February 2015" in timeline and "Overdue" not in timeline


def test_sections_and_periods_choose_what_is_shown():
    plan = planbook.load(EXAMPLES / "manchester-children-families-2015-17.yaml")
    html = plan.report(sections=["indicators.children", "findings"], periods=["2014/15 Q2"],
                       as_of=AS_OF)
    root = parse(html)
    parts = [s.get("id") for s in root.iter("section") if "part" in (s.get("class") or "")]
    assert parts == ["part-indicators", "part-findings"]
    dash = by_id(root, "dashboard-children")
    heads = [text_of(th) for th in dash.findall(".//thead//th")]
    assert "2014/15 Q2" in heads and "2014/15 Q3" not in heads
    c = plan.indicators["children"].status("2014/15 Q2").counts()
    assert f"{c['red']} red" in text_of(dash)
    # a budget table keeps the columns of the periods chosen
    html = plan.report(sections="budgets.subjective", periods="2015/16")
    table = by_id(parse(html), "budget-subjective").find(".//table")
    assert [text_of(th) for th in table.findall("thead/tr/th")][1:] == \
        ["2015-2016 Indicative Budget £,000"]
    # records: narrative and "other" lists only when named
    html = plan.report(sections=["records"])
    assert "records-plan_narrative" not in html and "records-timeline" in html
    assert "records-contacts" in plan.report(sections=["records.contacts"])
    with pytest.raises(planbook.ValidationError, match="no section 'nothing'"):
        plan.report(sections=["nothing"])
    with pytest.raises(planbook.ValidationError, match="the period '2031/32'"):
        plan.report(periods=["2031/32"])
    with pytest.raises(planbook.ValidationError, match="as_of"):
        plan.report(as_of="yesterday")


def test_plan_text_is_escaped():
    plan = planbook.Plan(title="<script>alert(1)</script>", organisation="A & B </style>")
    t = plan.budgets.add("t", title="<img src=x onerror=alert(1)>", unit="£",
                         columns=[{"id": "y", "period": "2024/25"}])
    t.add_line("</td></tr></table><script>x()</script>", [1])
    t.add_total("Total", [2])
    root = parse(plan.report())
    assert root.find(".//script") is None and root.find(".//body//img") is None
    assert "<script>alert(1)</script>" in text_of(root.find("body/header/h1"))
    assert "A & B </style>" in text_of(root)


def test_css_and_logo_restyle_the_pack(tmp_path):
    css = tmp_path / "council.css"
    css.write_text(":root { --accent: #5c2d91; } /* </style><script>x</script> */\n")
    logo = tmp_path / "logo.svg"
    logo.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')
    plan = planbook.load(EXAMPLES / "manchester-children-2018-19.yaml")
    html = plan.report(css=css, logo=logo, title="Scrutiny pack, 2018")
    root = parse(html)
    styles = [text_of(s) for s in root.iter("style")]
    assert len(styles) == 2 and "--accent: #5c2d91" in styles[1]
    assert root.find(".//script") is None
    img = root.find(".//header/img")
    assert img.get("src").startswith("data:image/svg+xml;base64,")
    assert img.get("alt") == "Manchester City Council logo"
    assert text_of(root.find(".//h1")) == "Scrutiny pack, 2018"
    with pytest.raises(planbook.ValidationError, match="a logo is a PNG"):
        plan.report(logo=css)


def test_report_writes_html_atomically(tmp_path):
    plan = planbook.load(EXAMPLES / "manchester-children-2018-19.yaml")
    out = tmp_path / "pack.html"
    html = plan.report(out)
    assert out.read_text(encoding="utf-8") == html
    assert sorted(os.listdir(tmp_path)) == ["pack.html"]
    with pytest.raises(planbook.ValidationError, match=r"\.html or \.pdf"):
        plan.report(tmp_path / "pack.txt")
    with pytest.raises(planbook.WriteError):
        plan.report(tmp_path / "no" / "pack.html")


# ------------------------------------------------------------------ colours

def _luminance(rgb) -> float:
    out = []
    for c in rgb[:3]:
        c = c / 255
        out.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    return 0.2126 * out[0] + 0.7152 * out[1] + 0.0722 * out[2]


def contrast(a, b) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _hex(h):
    return tuple(int(h[i:i + 2], 16) for i in (1, 3, 5))


def test_style_sheet_colours_have_contrast():
    """Every text colour of the style sheet on every background it sets,
    and the ink on the heat map's bands: at least 4.5:1."""
    from planbook._report_template import CSS
    var = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})", CSS))
    texts = ["ink", "muted", "finding-ink", "overdue-ink", "done-ink", "link", "accent"]
    backs = ["paper", "head-bg", "total-bg", "section-bg", "rag-red-bg", "rag-amber-bg",
             "rag-green-bg", "rag-none-bg", "finding-bg"]
    for t in texts:
        for b in backs:
            assert contrast(_hex(var[t]), _hex(var[b])) >= 4.5, (t, b)
    for band in ("band-red", "band-amber", "band-green"):
        assert contrast(_hex(var["ink"]), _hex(var[band])) >= 4.5, band
    # every colour the sheet uses is one of its variables, so the check covers it
    body = CSS.split("}", 1)[1]
    assert not re.findall(r"#[0-9a-fA-F]{3,6}\b", body)


# ------------------------------------------------------------------ command line

def test_cli_report(tmp_path):
    from planbook import cli
    out = tmp_path / "pack.html"
    assert cli.main(["report", str(EXAMPLES / "manchester-children-2018-19.yaml"), "-o",
                     str(out), "--as-of", AS_OF]) == 1          # the plan has errors
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert cli.main(["report", str(EXAMPLES / "manchester-children-post-inspection-2018.yaml"),
                     "-o", str(out), "--sections", "records.actions,findings"]) == 0
    assert cli.main(["report", str(EXAMPLES / "manchester-children-2018-19.yaml"), "-o",
                     str(out), "--sections", "nothing"]) == 2
    assert cli.main(["report", str(EXAMPLES / "manchester-children-2018-19.yaml"), "-o",
                     str(tmp_path / "pack.doc")]) == 2


def test_cli_report_names_the_missing_browser(tmp_path, capsys, monkeypatch):
    from planbook import cli
    monkeypatch.setenv("PLANBOOK_CHROMIUM", str(tmp_path / "no-such-browser"))
    assert cli.main(["report", str(EXAMPLES / "manchester-children-2018-19.yaml"), "-o",
                     str(tmp_path / "pack.pdf")]) == 2
    err = capsys.readouterr().err
    assert "no Chromium browser found" in err and "apt-get install chromium" in err
    assert not (tmp_path / "pack.pdf").exists()


# ------------------------------------------------------------------ in the browser

# every element's right edge, and every text's colour on its painted background
_WIDEST = """(() => { const W = document.documentElement.clientWidth; let worst = null;
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > W + 0.5 && (!worst || r.right > worst[1]))
      worst = [el.tagName + '#' + el.id + ' ' + (el.textContent || '').slice(0, 50), r.right];
  }
  return {scroll: document.documentElement.scrollWidth, client: W, worst: worst}; })()"""

_COLOURS = """(() => { const out = [];
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const back = el => { for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c; }
    return [255, 255, 255]; };
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('svg')) continue;
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    const r = el.getBoundingClientRect(); if (!r.width || !r.height) continue;
    out.push([rgb(getComputedStyle(el).color), back(el), el.tagName + '.' + el.className,
              el.textContent.trim().slice(0, 40)]);
  }
  return out; })()"""

_ROWS = """[...document.querySelectorAll('tr')].every(
  tr => ['avoid', 'avoid-page'].includes(getComputedStyle(tr).breakInside))
  && [...document.querySelectorAll('thead')].every(
  t => getComputedStyle(t).display === 'table-header-group')"""


@pytest.fixture(scope="module")
def browser():
    with Chromium() as b:
        yield b


@needs_browser
@pytest.mark.parametrize("name", IDS)
def test_page_in_the_browser(browser, packs, name, tmp_path):
    plan, html = packs[name]
    page_file = tmp_path / f"{name}.html"
    page_file.write_text(html, encoding="utf-8")
    page = browser.open(page_file.as_uri(), width=A4_WIDTH)
    try:
        assert page.problems() == []
        w = page.evaluate(_WIDEST)
        assert w["client"] == A4_WIDTH and w["scroll"] <= w["client"], w
        assert w["worst"] is None, w
        for fg, bg, where, sample in page.evaluate(_COLOURS):
            assert contrast(fg, bg) >= 4.5, (where, sample, fg, bg)
        assert page.evaluate(_ROWS)
        # the accessibility tree: every table and every image has a name
        nodes = page.send("Accessibility.getFullAXTree")["nodes"]
        roles = [(n.get("role", {}).get("value"), (n.get("name") or {}).get("value", ""))
                 for n in nodes if not n.get("ignored")]
        tables = [name for role, name in roles if role == "table"]
        images = [name for role, name in roles if role in ("image", "img")]
        root = parse(html)
        assert len(tables) == len(root.findall(".//table"))
        assert all(n.strip() for n in tables), tables
        assert len(images) == len(list(root.iter(SVG + "svg"))) + len(list(root.iter("img")))
        assert all(n.strip() for n in images), images
        (artefacts() / f"{name}.png").write_bytes(page.screenshot())
    finally:
        page.close()


@needs_browser
@pytest.mark.parametrize("name", IDS)
def test_pdf(packs, name):
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext is missing: apt-get install poppler-utils")
    plan = packs[name][0]
    out = artefacts() / f"{name}.pdf"
    plan.report(out, as_of=AS_OF)
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True,
                          check=True).stdout
    assert re.search(r"Page size:.*\(A4\)", info), info
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages > 1
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = words(text)
    for f in plan.check():
        assert words(f.message) in flat, f.message
    for sid, c in dashboards(plan):
        for word in ("red", "amber", "green"):
            assert f"{c[word]} {word}" in flat
        assert f"{c['improving']} improving" in flat
    for rid in plan.risks:
        p = plan.risks[rid].profile()
        assert f"{p['red']} red, \u25b2 {p['amber']} amber" in flat
    assert f"Page 1 of {pages}" in flat and f"Page {pages} of {pages}" in flat
    for old in artefacts().glob(f"{name}-page-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(out),
                    str(artefacts() / f"{name}-page")], check=True)
    assert len(list(artefacts().glob(f"{name}-page-*.png"))) == pages


@needs_browser
def test_pdf_repeats_table_headers_across_pages():
    """001's savings schedule runs over several pages: each of them carries
    the table's column headings."""
    plan = planbook.load(EXAMPLES / "manchester-children-families-2015-17.yaml")
    out = artefacts() / "savings-schedule.pdf"
    plan.report(out, sections=["budgets.savings"])
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True,
                          check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    texts = [words(subprocess.run(["pdftotext", "-f", str(k), "-l", str(k), str(out), "-"],
                                  capture_output=True, text=True, check=True).stdout)
             for k in range(1, pages + 1)]
    table = [t for t in texts if "Total £,000" in t]
    assert len(table) >= 2, "the savings schedule should run over more than one page"
    for t in texts:
        if "2015/16 £,000" in t or "Total £,000" in t:
            assert "2015/16 £,000" in t and "2016/17 £,000" in t and "Total £,000" in t


def test_the_browser_is_always_stopped():
    if find_chromium() is None and not os.environ.get("CI"):
        pytest.skip("no Chromium installed")
    with pytest.raises(RuntimeError):
        with Chromium() as b:
            pid = b._proc.pid
            profile = b._profile
            raise RuntimeError("something went wrong in the with block")
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert not os.path.exists(profile)


def test_indicator_and_record_findings_are_marked_at_their_rows():
    plan = planbook.Plan(title="Marks")
    s = plan.indicators.add("k", periods=["2023/24", "2024/25"])
    s.add("M0", "First", polarity="high", values=["1", "2"])
    s["M0"].add_count("Count", values=["3", "4"])      # a companion row before M1
    s.add("M1", "Second", polarity="high", values=["1", "2"])
    s["M1"].set_printed("last", "down")                # the engine says better
    plan.records.add("objectives", kind="objectives").add("1", title="One")
    acts = plan.records.add("acts", kind="actions", links={"objective": "objectives"})
    acts.add("A1", title="Do it", objective="9", owner="Me", due="2018-05-31")
    root = parse(plan.report(as_of=AS_OF))
    found = plan.check()
    assert [f.part for f in found] == ["indicators", "records"]
    m1 = by_id(root, "m-k-m1")
    assert [a.get("href") for a in m1.iter("a")] == ["#finding-1"]
    assert not [a for a in by_id(root, "m-k-m0").iter("a")]
    a1 = by_id(root, "item-acts-a1")
    assert [a.get("href") for a in a1.iter("a")] == ["#finding-2"]
    assert "Overdue: due 31 May 2018" in text_of(a1)
    assert by_id(root, "finding-2").find("a").get("href") == "#item-acts-a1"


# ------------------------------------------------------------------ what moved (--since)

def _moved_table(root, title):
    """(header cells, [row cells]) of the movement section's table ``title``."""
    for h3 in root.iter("h3"):
        if text_of(h3) == title:
            block = by_id(root, h3.get("id"))
            break
    else:
        raise AssertionError(f"no table {title!r}")
    tables = [t for t in root.iter("table")]
    # the table follows its heading
    seq = list(root.iter())
    t = next(el for el in seq[seq.index(block):] if el.tag == "table")
    head = [text_of(th) for th in t.find("thead").iter("th")]
    rows = [[text_of(c) for c in tr] for tr in t.find("tbody").iter("tr")]
    assert tables
    return head, rows


def test_pack_since_an_earlier_plan_shows_what_moved(tmp_path):
    risks = EXAMPLES / "manchester-childrens-services-2016-20.yaml"
    earlier, later = planbook.load(risks), planbook.load(risks)
    r1 = later.risks["social_care"]["1"]
    before = r1.current
    r1.current = (before.likelihood, before.impact - 1, before.likelihood * (before.impact - 1))
    html = later.report(as_of=AS_OF, since=earlier)
    root = parse(html)
    sec = by_id(root, "part-movement")
    assert text_of(sec.find("h2")) == "What moved"
    assert f"Since {risks.name}: 1 risk moved" in text_of(sec)
    head, rows = _moved_table(root, "Risks that moved")
    assert head == ["Risk", "Register", "Movement", "Score before", "Score now"]
    assert len(rows) == 1
    assert rows[0][0].startswith("1 ")
    assert rows[0][1:] == ["Children's Social Care Risk Register", "\u2193 down", str(before.value),
                           str(before.likelihood * (before.impact - 1))]
    # the contents list it after the summary, the page stays accessible
    parts = [text_of(h) for h in root.iter("h2")]
    assert parts[parts.index("At a glance") + 1] == "What moved"
    links = [text_of(a) for nav in root.iter("nav") for a in nav.iter("a")]
    assert "What moved" in links and "Risks that moved" in links
    levels = [int(el.tag[1]) for el in root.iter() if re.fullmatch(r"h[1-6]", str(el.tag))]
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:]))
    for t in sec.iter("table"):
        assert text_of(t.find("caption"))
        assert all(th.get("scope") in ("col", "row") for th in t.iter("th"))

    dash = EXAMPLES / "manchester-children-families-2015-17.yaml"
    old, new = planbook.load(dash), planbook.load(dash)
    new.indicators["children"]["1.3"].values["2014/15 Q3"] = "40.0"   # red -> green
    out = tmp_path / "pack.html"
    new.save(tmp_path / "new.yaml")
    old.save(tmp_path / "old.yaml")
    from planbook import cli
    assert cli.main(["report", str(tmp_path / "new.yaml"), "-o", str(out), "--as-of", AS_OF,
                     "--since", str(tmp_path / "old.yaml")]) in (0, 1)
    root = parse(out.read_text(encoding="utf-8"))
    head, rows = _moved_table(root, "Measures changing RAG")
    assert head == ["Measure", "Dashboard", "RAG before", "RAG now", "Why now"]
    assert [r[:4] for r in rows] == [["1.3", "Performance Dashboard of Children's Key Measures",
                                      "\u2716 red", "\u2714 green"]]
    assert "40.0" in rows[0][4]
    assert "Since old.yaml: 0 risks moved (scored up or down, added or removed) and 1 " \
           "measure changed RAG." in text_of(by_id(root, "part-movement"))


def test_pack_since_itself_says_nothing_moved():
    path = EXAMPLES / "manchester-childrens-services-2016-20.yaml"
    html = planbook.load(path).report(as_of=AS_OF, since=path)
    sec = by_id(parse(html), "part-movement")
    assert "Nothing moved since manchester-childrens-services-2016-20.yaml" in text_of(sec)
    assert not list(sec.iter("table"))
    with pytest.raises(planbook.ValidationError, match="needs the earlier plan"):
        planbook.load(path).report(sections="summary,movement")


@needs_browser
def test_movement_in_the_browser(browser, tmp_path):
    """The pack with its "What moved" section passes the same browser
    checks as every example's (console, width, contrast, accessibility
    tree); its screenshot is kept as movement.png."""
    path = EXAMPLES / "manchester-childrens-services-2016-20.yaml"
    later = planbook.load(path)
    r1 = later.risks["social_care"]["1"]
    r1.current = (r1.current.likelihood, 1, r1.current.likelihood)
    html = later.report(as_of=AS_OF, since=path)
    assert "Risks that moved" in html
    test_page_in_the_browser(browser, {"movement": (later, html)}, "movement", tmp_path)
