/* fuzz_xlsx_parts.c - libFuzzer target for the workbook reader's XML: the
 * input (after its first byte) becomes one part of an otherwise sound
 * package, so mutations reach expat and the part readers instead of
 * failing the zip's CRC check.  The first byte picks the part: the sheet,
 * the styles, the shared strings, the workbook, the comments, the
 * workbook's relationships, or the hidden structure sheet (its YAML, and
 * its table, column and row lines put back on the table).  The package is written stored (no
 * compression) by a small zip writer here.
 * Built by tests/fuzz/build.sh.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "pb_api.h"
#include "pb_xlsxread.h"
#include "planbook.h"

static const char *const names[] = {
    "[Content_Types].xml",        "_rels/.rels",       "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels", "xl/styles.xml",     "xl/sharedStrings.xml",
    "xl/worksheets/sheet1.xml",   "xl/worksheets/_rels/sheet1.xml.rels",
    "xl/comments1.xml",           "xl/worksheets/sheet2.xml"};
#define NPARTS (sizeof names / sizeof names[0])

static const char *const parts[NPARTS] = {
    "<Types/>",
    "<Relationships><Relationship Id=\"rId1\" Type=\"x/officeDocument\" "
    "Target=\"xl/workbook.xml\"/></Relationships>",
    "<workbook><sheets><sheet name=\"T\" sheetId=\"1\" r:id=\"rId1\"/>"
    "<sheet name=\"planbook\" sheetId=\"2\" state=\"hidden\" r:id=\"rId4\"/></sheets><definedNames>"
    "<definedName name=\"tbl_t\">'T'!$A$4:$C$9</definedName>"
    "<definedName name=\"planbook_structure\">'planbook'!$A$1</definedName>"
    "<definedName name=\"ind_k\">'T'!$A$1</definedName></definedNames></workbook>",
    "<Relationships><Relationship Id=\"rId1\" Type=\"x/worksheet\" "
    "Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId2\" Type=\"x/styles\" "
    "Target=\"styles.xml\"/><Relationship Id=\"rId3\" Type=\"x/sharedStrings\" "
    "Target=\"sharedStrings.xml\"/><Relationship Id=\"rId4\" Type=\"x/worksheet\" "
    "Target=\"worksheets/sheet2.xml\"/></Relationships>",
    "<styleSheet><numFmts><numFmt numFmtId=\"164\" formatCode=\"#,##0;(#,##0);&quot;-&quot;\"/>"
    "</numFmts><fonts><font/><font><b/></font></fonts><cellXfs><xf/><xf fontId=\"1\"/>"
    "<xf numFmtId=\"164\"/><xf><alignment indent=\"1\"/></xf></cellXfs></styleSheet>",
    "<sst><si><t>Costs</t></si><si><t>2024/25</t></si><si><t>Staff</t></si>"
    "<si><r><t>To</t></r><r><t>tal</t></r></si></sst>",
    "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row>"
    "<row r=\"4\"><c r=\"B4\" t=\"s\"><v>1</v></c></row>"
    "<row r=\"6\"><c r=\"A6\" t=\"s\" s=\"3\"><v>2</v></c><c r=\"B6\" s=\"2\"><v>5</v></c></row>"
    "<row r=\"7\"><c r=\"A7\" t=\"s\" s=\"1\"><v>3</v></c><c r=\"B7\" s=\"2\"><f>SUM(B6:B6)</f>"
    "<v>6</v></c></row></sheetData><mergeCells><mergeCell ref=\"A1:C1\"/></mergeCells>"
    "</worksheet>",
    "<Relationships><Relationship Id=\"rId1\" Type=\"x/comments\" "
    "Target=\"../comments1.xml\"/></Relationships>",
    "<comments><commentList><comment ref=\"B7\"><text><t>'Total', 2024/25: printed 6, but what "
    "it totals adds up to 5 (difference 1)</t></text></comment></commentList></comments>",
#define IS(ref, text) "<c r=\"" ref "\" t=\"inlineStr\"><is><t>" text "</t></is></c>"
    "<worksheet><sheetData>"
    "<row r=\"1\">" IS("A1", "planbook structure") IS("B1", "1") "</row>"
    "<row r=\"2\">" IS("A2", "yaml") IS("B2", "planbook: 1\nplan: {title: x}\n") "</row>"
    "<row r=\"3\">" IS("A3", "table") IS("B3", "t") IS("C3", "objective") IS("D3", "1")
    IS("E3", "missing") IS("F3", "negative") "</row>"
    "<row r=\"4\">" IS("A4", "column") IS("B4", "t") IS("C4", "0") IS("D4", "y2024")
    IS("E4", "Costs") IS("F4", "2024/25") IS("H4", "net") IS("J4", "amount") IS("L4", "y2024")
    IS("M4", "y2024,-y2024") "</row>"
    "<row r=\"5\">" IS("A5", "row") IS("B5", "t") IS("C5", "0") IS("D5", "line")
    IS("E5", "Staff") IS("F5", "staff") IS("G5", "income") IS("I5", "a note") IS("J5", "0")
    "</row>"
    "<row r=\"6\">" IS("A6", "row") IS("B6", "t") IS("C6", "1") IS("D6", "total")
    IS("E6", "Total") IS("F6", "total") IS("J6", "0,1,7") "</row>"
    "</sheetData></worksheet>"};
#undef IS

static void put16(unsigned char *p, unsigned v) { p[0] = (unsigned char)v, p[1] = (unsigned char)(v >> 8); }
static void put32(unsigned char *p, uint32_t v)
{
    put16(p, v & 0xFFFF);
    put16(p + 2, v >> 16);
}

/* A stored zip of the parts, part `which` replaced by data. */
static unsigned char *package(size_t which, const uint8_t *data, size_t size, size_t *out_len)
{
    size_t total = 22;
    for (size_t i = 0; i < NPARTS; i++) {
        size_t n = i == which ? size : strlen(parts[i]);
        total += 30 + 46 + 2 * strlen(names[i]) + n;
    }
    unsigned char *z = calloc(1, total), *p = z;
    if (!z)
        return NULL;
    uint32_t offsets[NPARTS], crcs[NPARTS], sizes[NPARTS];
    for (size_t i = 0; i < NPARTS; i++) {
        const unsigned char *d = i == which ? data : (const unsigned char *)parts[i];
        size_t n = i == which ? size : strlen(parts[i]), nl = strlen(names[i]);
        offsets[i] = (uint32_t)(p - z);
        crcs[i] = (uint32_t)crc32(0, d, (uInt)n);
        sizes[i] = (uint32_t)n;
        put32(p, 0x04034b50), put16(p + 4, 20), put32(p + 14, crcs[i]);
        put32(p + 18, sizes[i]), put32(p + 22, sizes[i]), put16(p + 26, (unsigned)nl);
        memcpy(p + 30, names[i], nl);
        if (n)
            memcpy(p + 30 + nl, d, n);
        p += 30 + nl + n;
    }
    unsigned char *cd = p;
    for (size_t i = 0; i < NPARTS; i++) {
        size_t nl = strlen(names[i]);
        put32(p, 0x02014b50), put16(p + 4, 20), put16(p + 6, 20), put32(p + 16, crcs[i]);
        put32(p + 20, sizes[i]), put32(p + 24, sizes[i]), put16(p + 28, (unsigned)nl);
        put32(p + 42, offsets[i]);
        memcpy(p + 46, names[i], nl);
        p += 46 + nl;
    }
    put32(p, 0x06054b50), put16(p + 8, NPARTS), put16(p + 10, NPARTS);
    put32(p + 12, (uint32_t)(p - cd)), put32(p + 16, (uint32_t)(cd - z));
    p += 22;
    *out_len = (size_t)(p - z);
    return z;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t choice[] = {6, 4, 5, 2, 8, 3, 7, 9};
    if (size < 1 || size > (1u << 20))
        return 0;
    size_t which = choice[data[0] % (sizeof choice / sizeof choice[0])];
    size_t len;
    unsigned char *zip = package(which, data + 1, size - 1, &len);
    if (!zip)
        return 0;
    const pb_api *api = pb_api_get();
    pb_xr_limits lim = pb_xr_default_limits();
    lim.max_cells = 100000;
    lim.max_columns = 1024; /* the core's column id check is quadratic */
    pb_error err;
    pb_xr_book *book = pb_xr_book_open_buffer(api, zip, len, &lim, &err);
    if (book) {
        pb_xr_grid *g = pb_xr_sheet_read(book, 0, &err);
        if (g) {
            for (size_t k = 0; k < g->ncells; k++) {
                size_t n;
                const char *v = pb_xr_cell_value(book, g, &g->cells[k], &n);
                int64_t out;
                (void)pb_xr_number(v, n, 1, &out);
                (void)pb_xr_cell_formula(g, &g->cells[k]);
            }
            pb_xr_grid_free(g);
        }
        size_t ylen;
        free(pb_xr_structure_yaml(book, &ylen, &err));
        pb_xr_warnings w = {NULL, 0, 0};
        pb_xr_parts parts = {NULL, 0, 0};
        pb_plan *plan = pb_xr_read_plan_into(api, book, NULL, &parts, &w, &err);
        pb_xr_parts_free(&parts);
        pb_xr_warnings_free(&w);
        if (plan) {
            pb_findings f;
            api->pb_findings_init(&f);
            (void)api->pb_plan_check(plan, &f, &err);
            for (size_t i = 0; i < f.count; i++) {
                char buf[256];
                (void)api->pb_finding_message(plan, &f.items[i], buf, sizeof buf);
            }
            api->pb_findings_free(&f);
            api->pb_plan_free(plan);
        }
        pb_xr_book_free(book);
    }
    free(zip);
    return 0;
}
