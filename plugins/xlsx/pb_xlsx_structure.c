/* pb_xlsx_structure.c - what a workbook carries for the reader besides what
 * finance sees: defined names that say which sheet holds which part of the
 * plan, and the hidden sheet "planbook" with what the visible sheets
 * cannot show (docs/excel.md, "The structure sheet"):
 *
 *   row 1   "planbook structure" | 1 (the layout's version) | a note
 *   "yaml"  | a piece of the plan's YAML without its budget tables (the
 *             settings, agreements, indicators, registers, records), cut
 *             at UTF-8 character boundaries into cells of Excel's size
 *   "table" | id | kind | tolerance | blank | income sign | its defined name
 *             (tbl_...: '-' made '_', a long id cut, a suffix when two meet)
 *           | "untitled" when the table has no title (A1 then shows its id)
 *   "name"  | a part sheet's defined name (ind_, reg_, heat_, rec_) | the part's id
 *   "column"| table | index | id | label | period | phase | measure | unit
 *           | type | decimals | equals | sum | compute (pb_calc.h's text)
 *   "row"   | table | index | kind | label | id | role | select | note
 *           | blank (only the rows with an id, a role of their own, a
 *             select or a note, or with computed cells that printed
 *             nothing: "1,3", the columns the sheet shows as formulas
 *             where the plan holds no printed figure)
 *
 * The budget sheets still carry every figure, label, level and note: the
 * structure sheet has no figures, so its size grows with the tables'
 * columns and identified rows, not with their cells. */
#include "pb_xlsx_private.h"
#include "pb_platform.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define A (x->api)

/* a piece of YAML in one cell: Excel holds 32,767 characters, but
 * LibreOffice breaks a paragraph of a multi-line cell after about 16,380
 * (it inserts a line break on a re-save, and the YAML no longer reads):
 * 16,000 bytes keep every line of a piece under that (issue 15) */
#define XL_STRUCTURE_PIECE 16000u

int xl_define_name(xl_ctx *x, const char *prefix, const char *id, const char *formula)
{
    char base[PB_ID_MAX + 16];
    size_t len = (size_t)snprintf(base, sizeof base, "%s", prefix);
    /* Excel's names have at most 128 characters: leave room for a suffix */
    for (const char *p = id; *p && len < 120; p++)
        base[len++] = (*p == '-') ? '_' : *p;
    base[len] = '\0';
    /* ids a-b and a_b give the same name: the later one gets a suffix */
    char name[PB_ID_MAX + 32];
    snprintf(name, sizeof name, "%s", base);
    for (int k = 2; k < 100000; k++) {
        int taken = 0;
        for (size_t i = 0; i < x->ndefined && !taken; i++)
            taken = !pb_strcasecmp(x->defined[i], name);
        if (!taken)
            break;
        snprintf(name, sizeof name, "%s_%d", base, k);
    }
    if (!xl_keep_copy(x, &x->defined, &x->ndefined, name))
        return 0;
    lxw_error e = workbook_define_name(x->wb, name, formula);
    return e == LXW_NO_ERROR ? 1 : xl_fail(x, e, "defining a name");
}

int xl_define_sheet_name(xl_ctx *x, const char *prefix, const char *id, const char *sheet)
{
    char f[LXW_MAX_FORMULA_RANGE_LENGTH + 40];
    f[0] = '=';
    xl_cell_ref(sheet, 0, 0, 1, f + 1, sizeof f - 1);
    if (!xl_define_name(x, prefix, id, f))
        return 0;
    /* remembered for the structure sheet: the name can differ from the id */
    struct xl_part_name *np = realloc(x->part_names, (x->npart_names + 1) * sizeof *np);
    if (!np)
        return xl_failf(x, PB_ERR_NOMEM, "out of memory");
    x->part_names = np;
    np[x->npart_names].name = x->defined[x->ndefined - 1];
    np[x->npart_names++].id = id;
    return 1;
}

/* ------------------------------------------------------------ cells */

typedef struct srow {
    xl_ctx *x;
    lxw_worksheet *ws;
    uint32_t row;
    uint16_t col;
} srow;

static int put(srow *s, const char *text)
{
    uint16_t c = s->col++;
    if (!text || !*text)
        return 1;
    return xl_string(s->x, s->ws, s->row, c, text, NULL);
}

static int put_num(srow *s, long long v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", v);
    return put(s, buf);
}

static void next(srow *s)
{
    s->row++;
    s->col = 0;
}

static int write_yaml(srow *s, const char *yaml, size_t len)
{
    size_t at = 0;
    while (at < len) {
        size_t n = len - at;
        if (n > XL_STRUCTURE_PIECE) {
            n = XL_STRUCTURE_PIECE;
            /* never cut a character: back up to the start of one */
            while (n > 0 && ((unsigned char)yaml[at + n] & 0xC0) == 0x80)
                n--;
        }
        char *piece = malloc(n + 1);
        if (!piece)
            return xl_failf(s->x, PB_ERR_NOMEM, "out of memory");
        for (;;) {
            memcpy(piece, yaml + at, n);
            piece[n] = '\0';
            /* what is written must fit too: a text that looks like an
             * escape doubles in _x005F_ form, so a piece full of them is
             * halved (never cutting a character) until it fits */
            xl_buf tmp = {0};
            const char *w = xl_text(piece, &tmp);
            size_t chars = 0;
            for (const char *p = w ? w : ""; *p; p++)
                chars += ((unsigned char)*p & 0xC0) != 0x80;
            xl_buf_free(&tmp);
            if (!w) {
                free(piece);
                return xl_failf(s->x, PB_ERR_NOMEM, "out of memory");
            }
            if (chars <= XL_MAX_STRING || n < 16)
                break;
            n /= 2;
            while (n > 0 && ((unsigned char)yaml[at + n] & 0xC0) == 0x80)
                n--;
        }
        int ok = put(s, "yaml") && put(s, piece);
        free(piece);
        if (!ok)
            return 0;
        next(s);
        at += n;
    }
    return 1;
}

static const char *row_kinds[] = {"line", "section", "total"};

static int write_table(srow *s, pb_table *t, const char *defined)
{
    xl_ctx *x = s->x;
    const char *id = A->pb_table_id(t);
    pb_amount tol;
    char tol_text[PB_AMOUNT_TEXT_MAX] = "";
    if (A->pb_table_tolerance(t, &tol))
        A->pb_amount_format(tol, A->pb_table_decimals(t), 0, tol_text);
    if (!put(s, "table") || !put(s, id) || !put(s, A->pb_table_text(t, PB_TABLE_KIND)) ||
        !put(s, tol_text) || !put(s, A->pb_table_blank_zero(t) ? "zero" : "missing") ||
        !put(s, A->pb_table_income_sign(t) < 0 ? "negative" : "positive") || !put(s, defined) ||
        /* A1 shows the id of an untitled table: the reader must not take it for a title */
        !put(s, A->pb_table_text(t, PB_TABLE_TITLE) ? "" : "untitled"))
        return 0;
    next(s);
    int ys = A->pb_plan_year_start(x->plan);
    size_t nc = A->pb_table_column_count(t);
    for (size_t c = 0; c < nc; c++) {
        char period[PB_PERIOD_TEXT_MAX] = "";
        pb_period p = A->pb_column_period(t, c);
        if (p.kind != PB_PERIOD_NONE)
            A->pb_period_format(p, ys, period);
        uint32_t eq = A->pb_column_equals(t, c);
        char spec[400]; /* a computed column's text form, "" when it is not one */
        A->pb_column_compute_text(t, c, spec, sizeof spec);
        xl_buf sum = {0};
        for (size_t k = 0; k < A->pb_column_term_count(t, c); k++) {
            uint32_t col;
            int sign;
            A->pb_column_term(t, c, k, &col, &sign);
            xl_buf_addf(&sum, "%s%s%s", k ? "," : "", sign < 0 ? "-" : "", A->pb_column_id(t, col));
        }
        if (sum.failed) {
            xl_buf_free(&sum);
            return xl_failf(x, PB_ERR_NOMEM, "out of memory");
        }
        int ok = put(s, "column") && put(s, id) && put_num(s, (long long)c) &&
                 put(s, A->pb_column_id(t, c)) && put(s, A->pb_column_text(t, c, PB_COLUMN_LABEL)) &&
                 put(s, period) && put(s, A->pb_column_text(t, c, PB_COLUMN_PHASE)) &&
                 put(s, A->pb_column_text(t, c, PB_COLUMN_MEASURE)) &&
                 put(s, A->pb_column_text(t, c, PB_COLUMN_UNIT)) &&
                 put(s, A->pb_column_type_of(t, c) == PB_COL_TEXT ? "text" : "amount") &&
                 (A->pb_column_has_decimals(t, c) ? put_num(s, A->pb_column_decimals(t, c))
                                                  : put(s, NULL)) &&
                 put(s, eq == PB_NONE ? NULL : A->pb_column_id(t, eq)) && put(s, sum.s) &&
                 put(s, spec[0] ? spec : NULL);
        xl_buf_free(&sum);
        if (!ok)
            return 0;
        next(s);
    }
    size_t nr = A->pb_table_row_count(t);
    xl_buf blank = {0};
    for (size_t r = 0; r < nr; r++) {
        const char *rid = A->pb_row_text(t, r, PB_ROW_ID);
        const char *sel = A->pb_row_text(t, r, PB_ROW_SELECT);
        const char *note = A->pb_row_text(t, r, PB_ROW_NOTE);
        pb_role role = A->pb_row_role(t, r);
        /* cells the sheet shows as a formula where nothing was printed */
        blank.len = 0;
        for (size_t c = 0; c < nc; c++) {
            pb_amount v;
            if (A->pb_column_type_of(t, c) == PB_COL_AMOUNT &&
                A->pb_cell_get(t, r, c, &v) == PB_CELL_BLANK &&
                A->pb_cell_computed(t, r, c, &v) == PB_COMP_VALUE)
                xl_buf_addf(&blank, "%s%zu", blank.len ? "," : "", c);
        }
        if (blank.failed) {
            xl_buf_free(&blank);
            return xl_failf(x, PB_ERR_NOMEM, "out of memory");
        }
        if (!rid && !sel && !note && !blank.len && role == PB_ROLE_INHERIT)
            continue;
        if (!put(s, "row") || !put(s, id) || !put_num(s, (long long)r) ||
            !put(s, row_kinds[A->pb_row_kind_of(t, r)]) || !put(s, A->pb_row_label(t, r)) ||
            !put(s, rid) || !put(s, role == PB_ROLE_INHERIT ? NULL : A->pb_role_name(role)) ||
            !put(s, sel) || !put(s, note) || !put(s, blank.len ? blank.s : NULL)) {
            xl_buf_free(&blank);
            return 0;
        }
        next(s);
        if (s->row >= XL_MAX_ROWS) {
            xl_buf_free(&blank);
            return xl_failf(x, PB_ERR_LIMIT, "the structure sheet is full");
        }
    }
    xl_buf_free(&blank);
    return 1;
}

int xl_structure_sheet(xl_ctx *x, lxw_worksheet *ws, const char *yaml, size_t len)
{
    srow s = {x, ws, 0, 0};
    if (!put(&s, "planbook structure") || !put(&s, "1") ||
        !put(&s, "What planbook needs to read this workbook back into its plan "
                 "(ids, roles, settings, indicators, risks, records). Please leave it as it is."))
        return 0;
    next(&s);
    if (yaml && !write_yaml(&s, yaml, len))
        return 0;
    for (size_t k = 0; k < x->npart_names; k++) {
        if (!put(&s, "name") || !put(&s, x->part_names[k].name) || !put(&s, x->part_names[k].id))
            return 0;
        next(&s);
    }
    size_t nt = A->pb_plan_table_count(x->plan);
    for (size_t t = 0; t < nt; t++)
        if (!write_table(&s, A->pb_plan_table(x->plan, t), x->table_names[t]))
            return 0;
    worksheet_hide(ws);
    char f[LXW_MAX_FORMULA_RANGE_LENGTH + 40];
    f[0] = '=';
    xl_cell_ref("planbook", 0, 0, 1, f + 1, sizeof f - 1);
    lxw_error e = workbook_define_name(x->wb, "planbook_structure", f);
    return e == LXW_NO_ERROR ? 1 : xl_fail(x, e, "defining a name");
}
