/* pb_xlsxread_budget.c - a budget sheet in the layout planbook's writer
 * produces (docs/excel.md), read back into a table.
 *
 * What the sheet says is taken as it stands: the title in A1 (its note in
 * A1's comment), the unit after the plan's title in A2, the headings in
 * rows 4 and 5 (period, and phase or measure beneath), from row 6 one row
 * per table row: nesting from the label's indent, sections and totals by
 * their bold label (a section has no figures and deeper rows after it), a
 * line with deeper rows after it has parts.  Figures are read exactly at
 * the scale of the column's number format.  A formula cell (a total, a
 * Total column, a line made of its parts) holds what the arithmetic gives:
 * its printed figure is the one planbook's comment on it records when the
 * two disagreed, else its cached result, else blank (the core computes it).
 * The signs in a total's formula give the roles (income, internal and
 * funding are subtracted) as far as they are needed to compute the same
 * figures; row and column ids, notes on rows and the table's settings are
 * not in the sheet, so they are made up or left at their defaults.
 */
#include "pb_xlsxread_private.h"
#include "pb_platform.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pb_xlsxread_budget.h"

static const pb_xr_cell *cell_at(sheet_reader *s, uint32_t row, uint32_t col)
{
    if (row >= s->g->nrows)
        return NULL;
    size_t lo = s->row_start[row], hi = s->row_start[row + 1];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->g->cells[mid].col < col)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < s->row_start[row + 1] && s->g->cells[lo].col == col)
        return &s->g->cells[lo];
    return NULL;
}

/* The record of a sheet row (binary search), or NULL. */
rowrec *xr_rec_of(sheet_reader *s, uint32_t row)
{
    size_t lo = 0, hi = s->nrecs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->recs[mid].sheet_row < row)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->nrecs && s->recs[lo].sheet_row == row ? &s->recs[lo] : NULL;
}

static const char *cell_text(sheet_reader *s, const pb_xr_cell *c, size_t *len)
{
    return pb_xr_cell_value(s->x->book, s->g, c, len);
}

/* A cell's value as text for a heading or label: strings as they are,
 * numbers as their XML text. */
static const char *text_at(sheet_reader *s, uint32_t row, uint32_t col)
{
    const pb_xr_cell *c = cell_at(s, row, col);
    if (!c || c->type == PB_XR_EMPTY)
        return NULL;
    const char *v = cell_text(s, c, NULL);
    return *v ? v : NULL;
}

static int fail_cell(sheet_reader *s, pb_status st, uint32_t row, uint32_t col, const char *msg)
{
    char name[16];
    pb_xr_cell_name(row, col, name);
    return xr_fail(s->x->err, st, s->name, name, "%s", msg);
}

int xr_core_fail(sheet_reader *s, uint32_t row, uint32_t col, pb_error *e)
{
    return fail_cell(s, e->status, row, col, e->message);
}

static const char *const measures[] = {"gross", "net", "fte", "growth", "savings", "saving",
                                       "funding", "income", "expenditure", NULL};

static int is_measure(const char *s)
{
    for (int i = 0; measures[i]; i++)
        if (!pb_strcasecmp(s, measures[i]))
            return 1;
    return 0;
}

/* An id from text: letters, digits and _, lower case. */
void xr_make_id(const char *text, const char *fallback, char *out, size_t cap)
{
    size_t n = 0;
    for (const char *p = text ? text : ""; *p && n + 1 < cap && n < 60; p++) {
        unsigned char ch = (unsigned char)*p;
        if (pb_ascii_isalnum(ch))
            out[n++] = (char)pb_ascii_tolower(ch);
        else if (n && out[n - 1] != '_')
            out[n++] = '_';
    }
    while (n && out[n - 1] == '_')
        n--;
    out[n] = '\0';
    if (!n || out[0] == '-')
        snprintf(out, cap, "%s", fallback);
}

/* --------------------------------------------------------- the sheet */

static int plan_comment_figure(const char *comment, char *buf, size_t cap)
{
    /* planbook's finding comments: "... printed 449,923, but ..." */
    const char *p = comment ? strstr(comment, ": printed ") : NULL;
    if (!p)
        return 0;
    p += 10;
    const char *e = strstr(p, ", but ");
    if (!e || (size_t)(e - p) >= cap)
        return 0;
    memcpy(buf, p, (size_t)(e - p));
    buf[e - p] = '\0';
    return 1;
}

/* A figure refused: the sheet and cell, and the table, row (its label)
 * and column (its id, made from its headings) the figure was for. */
static int fail_figure(sheet_reader *s, pb_status st, size_t r, size_t c, uint32_t srow,
                       uint32_t scol, const char *msg)
{
    xr_plan_ctx *x = s->x;
    char name[16];
    pb_xr_cell_name(srow, scol, name);
    const char *label = A->pb_row_label(s->t, r);
    return xr_fail(x->err, st, s->name, name, "table '%.60s', row '%.80s', column '%.60s': %s",
                   A->pb_table_id(s->t), label ? label : "(no label)", A->pb_column_id(s->t, c),
                   msg);
}

static int set_amount(sheet_reader *s, size_t r, size_t c, uint32_t srow, uint32_t scol,
                      const pb_xr_cell *cell, int computed)
{
    xr_plan_ctx *x = s->x;
    pb_error e;
    A->pb_error_clear(&e);
    int d = s->cols[c].decimals;
    size_t len;
    const char *v = cell_text(s, cell, &len);
    if (computed) {
        /* a formula: the printed figure the comment records, else the
         * cached result, else blank */
        char fig[64];
        const char *comment = pb_xr_comment_at(s->g, srow, scol);
        if (plan_comment_figure(comment, fig, sizeof fig)) {
            if (A->pb_cell_set_text(s->t, r, c, fig, strlen(fig), &e))
                return fail_figure(s, e.status, r, c, srow, scol, e.message);
            return 1;
        }
        if (cell->type != PB_XR_NUMBER)
            return 1; /* no result cached: blank, the core computes it */
    }
    if (cell->type == PB_XR_NUMBER) {
        int64_t amount;
        pb_status st = pb_xr_number(v, len, d, &amount);
        if (st == PB_ERR_PRECISION) {
            char msg[200];
            snprintf(msg, sizeof msg, "%.40s has more decimals than the column's %d", v, d);
            return fail_figure(s, st, r, c, srow, scol, msg);
        }
        if (st != PB_OK) {
            char msg[200];
            snprintf(msg, sizeof msg, "'%.40s' is not a number planbook can hold exactly", v);
            return fail_figure(s, st, r, c, srow, scol, msg);
        }
        pb_xr_style sty = pb_xr_style_of(x->book, cell->style);
        pb_cell_state state = amount == 0 && sty.nil ? PB_CELL_NIL : PB_CELL_VALUE;
        if (A->pb_cell_set_printed(s->t, r, c, state, amount, &e))
            return fail_figure(s, e.status, r, c, srow, scol, e.message);
        return 1;
    }
    if (cell->type == PB_XR_STRING) {
        /* numbers stored as text, "(1,234)", "-": finance notation */
        if (A->pb_cell_set_text(s->t, r, c, v, len, &e))
            return fail_figure(s, e.status, r, c, srow, scol, e.message);
        return 1;
    }
    char name[16];
    pb_xr_cell_name(srow, scol, name);
    const char *label = A->pb_row_label(s->t, r);
    if (cell->type == PB_XR_BOOL || cell->type == PB_XR_ERROR)
        return xr_warn(x->warnings, "sheet '%s', cell %s: table '%.60s', row '%.80s', column "
                                    "'%.60s': %s '%s' is not an amount; left blank",
                       s->name, name, A->pb_table_id(s->t), label ? label : "(no label)",
                       A->pb_column_id(s->t, c),
                       cell->type == PB_XR_BOOL ? "the logical value" : "the error",
                       cell->type != PB_XR_BOOL ? v : v[0] == '1' ? "TRUE" : "FALSE") ||
               xr_fail(x->err, PB_ERR_NOMEM, NULL, NULL, "out of memory");
    return 1;
}

/* The column ids made so far (open addressing on a string hash), so that
 * making them unique does not cost a scan of the table's columns each. */
typedef struct idset {
    char **slot;
    size_t cap;
} idset;

static uint64_t hash_str(const char *p)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    return h;
}

static int idset_init(idset *s, size_t n)
{
    s->cap = 16;
    while (s->cap < 2 * n + 2)
        s->cap *= 2;
    s->slot = calloc(s->cap, sizeof *s->slot);
    return s->slot != NULL;
}

static void idset_free(idset *s)
{
    for (size_t i = 0; s->slot && i < s->cap; i++)
        free(s->slot[i]);
    free(s->slot);
    s->slot = NULL;
}

static int idset_has(const idset *s, const char *id)
{
    for (size_t i = hash_str(id) & (s->cap - 1); s->slot[i]; i = (i + 1) & (s->cap - 1))
        if (!strcmp(s->slot[i], id))
            return 1;
    return 0;
}

/* Add an id (the set holds at most half its capacity). */
static int idset_add(idset *s, const char *id)
{
    size_t i = hash_str(id) & (s->cap - 1);
    while (s->slot[i])
        i = (i + 1) & (s->cap - 1);
    return (s->slot[i] = pb_strdup(id)) != NULL;
}

/* Column c (sheet column c + 1) of the table: its id, period and phase
 * (or label and unit) from the headings, its type and scale. */
static int read_column(sheet_reader *s, uint32_t c, idset *ids, int tdec)
{
    xr_plan_ctx *x = s->x;
    pb_table *t = s->t;
    pb_error e;
    A->pb_error_clear(&e);
    int year_start = A->pb_plan_year_start(x->plan);
    const char *top = text_at(s, HEAD_ROW, c + 1), *bottom = text_at(s, PHASE_ROW, c + 1);
    pb_period per;
    int has_period =
        top && A->pb_period_parse(top, strlen(top), year_start, &per, NULL) == PB_OK;
    char id[80], base[80];
    if (has_period) {
        char ptext[PB_PERIOD_TEXT_MAX];
        A->pb_period_format(per, year_start, ptext);
        char pid[40];
        xr_make_id(ptext, "p", pid, sizeof pid);
        /* "2015/16" -> "2015_16" -> y2015 for years */
        char yr[8];
        snprintf(yr, sizeof yr, "%.4s", pid);
        if (bottom && is_measure(bottom)) { /* gross_2015 */
            char m[32];
            xr_make_id(bottom, "m", m, sizeof m);
            snprintf(base, sizeof base, "%s_%s", m, yr);
        } else if (per.kind == PB_PERIOD_YEAR) { /* y2015 */
            snprintf(base, sizeof base, "y%s", yr);
        } else { /* p2015_16_q1 */
            snprintf(base, sizeof base, "p%s", pid);
        }
    } else {
        xr_make_id(top, "col", base, sizeof base);
        if (pb_ascii_isdigit((unsigned char)base[0])) {
            memmove(base + 1, base, strlen(base) + 1 < sizeof base - 1 ? strlen(base) + 1
                                                                         : sizeof base - 2);
            base[0] = 'c';
            base[sizeof base - 1] = '\0';
        }
    }
    snprintf(id, sizeof id, "%s", base);
    if (idset_has(ids, id)) {
        /* taken: add the sheet column's letters, then a number */
        char letters[16];
        pb_xr_cell_name(0, c + 1, letters);
        letters[strlen(letters) - 1] = '\0';
        for (char *q = letters; *q; q++)
            *q = (char)pb_ascii_tolower((unsigned char)*q);
        snprintf(id, sizeof id, "%.60s_%s", base, letters);
        for (int k = 2; idset_has(ids, id) && k < 100; k++)
            snprintf(id, sizeof id, "%.60s_%s%d", base, letters, k);
    }
    int64_t ci = A->pb_table_add_column(t, id, strlen(id), &e);
    if (ci < 0)
        return xr_core_fail(s, HEAD_ROW, c + 1, &e);
    if (!idset_add(ids, id))
        return xr_fail(x->err, PB_ERR_NOMEM, NULL, NULL, "out of memory");
    if (has_period) {
        if (A->pb_column_set_period(t, (size_t)ci, per, &e))
            return xr_core_fail(s, HEAD_ROW, c + 1, &e);
        if (bottom) {
            pb_column_field f = is_measure(bottom) ? PB_COLUMN_MEASURE : PB_COLUMN_PHASE;
            const char *v = bottom;
            char low[32];
            if (f == PB_COLUMN_MEASURE) {
                xr_make_id(bottom, "m", low, sizeof low);
                v = low;
            }
            if (A->pb_column_set_text(t, (size_t)ci, f, v, strlen(v), &e))
                return xr_core_fail(s, PHASE_ROW, c + 1, &e);
        }
    } else {
        if (top && A->pb_column_set_text(t, (size_t)ci, PB_COLUMN_LABEL, top, strlen(top), &e))
            return xr_core_fail(s, HEAD_ROW, c + 1, &e);
        if (bottom &&
            A->pb_column_set_text(t, (size_t)ci, PB_COLUMN_UNIT, bottom, strlen(bottom), &e))
            return xr_core_fail(s, PHASE_ROW, c + 1, &e);
    }
    if (s->cols[c].type == PB_COL_TEXT &&
        A->pb_column_set_type(t, (size_t)ci, PB_COL_TEXT, &e))
        return xr_core_fail(s, HEAD_ROW, c + 1, &e);
    if (s->cols[c].type == PB_COL_AMOUNT && s->cols[c].decimals != tdec &&
        A->pb_column_set_decimals(t, (size_t)ci, s->cols[c].decimals, &e))
        return xr_core_fail(s, HEAD_ROW, c + 1, &e);
    return 1;
}

static int read_columns(sheet_reader *s, const char *table_id)
{
    xr_plan_ctx *x = s->x;
    pb_xr_grid *g = s->g;
    uint32_t nc = 0;
    for (uint32_t r = HEAD_ROW; r <= PHASE_ROW && r < g->nrows; r++)
        for (size_t i = s->row_start[r]; i < s->row_start[r + 1]; i++)
            if (g->cells[i].col > nc && g->cells[i].type != PB_XR_EMPTY)
                nc = g->cells[i].col;
    if (nc == 0)
        return xr_fail(x->err, PB_ERR_SCHEMA, s->name, "B4",
                       "no column headings in row 4: not a table sheet planbook can read");
    uint64_t max_columns = pb_xr_book_limits(x->book)->max_columns;
    if (x->columns > max_columns || nc > max_columns - x->columns)
        return xr_fail(x->err, PB_ERR_LIMIT, s->name, NULL,
                       "%u columns: more than the limit of %llu table columns in a workbook",
                       nc, (unsigned long long)max_columns);
    x->columns += nc;
    s->nc = nc;
    s->cols = calloc(nc, sizeof *s->cols);
    if (!s->cols)
        return xr_fail(x->err, PB_ERR_NOMEM, NULL, NULL, "out of memory");
    /* type and scale from the cells */
    int dec_count[PB_MAX_DECIMALS + 1] = {0};
    size_t *nums = calloc(nc, sizeof *nums), *strs = calloc(nc, sizeof *strs);
    int *dec = malloc(nc * sizeof *dec), *valdec = calloc(nc, sizeof *valdec);
    if (!nums || !strs || !dec || !valdec) {
        free(nums), free(strs), free(dec), free(valdec);
        return xr_fail(x->err, PB_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    for (uint32_t c = 0; c < nc; c++)
        dec[c] = -1;
    for (size_t i = g->nrows > FIRST_DATA_ROW ? s->row_start[FIRST_DATA_ROW] : g->ncells;
         i < g->ncells; i++) {
        const pb_xr_cell *cell = &g->cells[i];
        if (cell->col < 1 || cell->col > nc)
            continue;
        uint32_t c = cell->col - 1;
        if (cell->type == PB_XR_NUMBER || cell->has_formula) {
            nums[c]++;
            pb_xr_style st = pb_xr_style_of(x->book, cell->style);
            /* a percentage format shows hundredths as units: 5.1% is 0.051 */
            int sd = st.decimals >= 0 && st.percent ? st.decimals + 2 : st.decimals;
            if (sd > dec[c])
                dec[c] = sd;
            if (cell->type == PB_XR_NUMBER && !cell->has_formula) {
                size_t len;
                const char *v = cell_text(s, cell, &len);
                int vd = pb_xr_number_decimals(v, len);
                if (vd > valdec[c])
                    valdec[c] = vd;
            }
        } else if (cell->type == PB_XR_STRING) {
            strs[c]++;
        }
    }
    for (uint32_t c = 0; c < nc; c++) {
        /* planbook writes amounts as numbers (and totals over them as
         * formulas) and text as text: a column without a number or a
         * formula is a text column */
        s->cols[c].type = !nums[c] ? PB_COL_TEXT : PB_COL_AMOUNT;
        int d = dec[c] < 0 ? valdec[c] : dec[c]; /* General: as the figures need */
        if (d > PB_MAX_DECIMALS)
            d = PB_MAX_DECIMALS;
        s->cols[c].decimals = d;
        if (s->cols[c].type == PB_COL_AMOUNT)
            dec_count[d]++;
    }
    free(nums), free(strs), free(dec), free(valdec);
    int tdec = 0;
    for (int d = 1; d <= PB_MAX_DECIMALS; d++)
        if (dec_count[d] > dec_count[tdec])
            tdec = d;

    pb_error e;
    A->pb_error_clear(&e);
    pb_table *t = A->pb_plan_add_table(x->plan, table_id, strlen(table_id), &e);
    if (!t)
        return xr_fail(x->err, e.status, s->name, NULL, "table '%s': %s", table_id, e.message);
    s->t = t;
    const char *title = text_at(s, 0, 0);
    if (title && A->pb_table_set_text(t, PB_TABLE_TITLE, title, strlen(title), &e))
        return xr_core_fail(s, 0, 0, &e);
    const char *note = pb_xr_comment_at(g, 0, 0);
    if (note && A->pb_table_set_text(t, PB_TABLE_NOTE, note, strlen(note), &e))
        return xr_core_fail(s, 0, 0, &e);
    const char *sub = text_at(s, 1, 0);
    if (sub) {
        const char *unit = sub;
        size_t pt = x->plan_title ? strlen(x->plan_title) : 0;
        if (pt && !strncmp(sub, x->plan_title, pt) && !strncmp(sub + pt, " - ", 3))
            unit = sub + pt + 3;
        else if (strstr(sub, " - "))
            for (const char *p = strstr(sub, " - "); p; p = strstr(p + 1, " - "))
                unit = p + 3;
        if (*unit && A->pb_table_set_text(t, PB_TABLE_UNIT, unit, strlen(unit), &e))
            return xr_core_fail(s, 1, 0, &e);
    }
    if (A->pb_table_set_decimals(t, tdec, &e))
        return xr_core_fail(s, 1, 0, &e);
    idset ids;
    if (!idset_init(&ids, nc))
        return xr_fail(x->err, PB_ERR_NOMEM, NULL, NULL, "out of memory");
    int ok = 1;
    for (uint32_t c = 0; c < nc && ok; c++)
        ok = read_column(s, c, &ids, tdec);
    idset_free(&ids);
    return ok;
}

/* Rows of the sheet that have cells, classified: label, bold, indent,
 * figures; blank rows between them are noted, not stored. */
static int classify_rows(sheet_reader *s)
{
    pb_xr_grid *g = s->g;
    xr_plan_ctx *x = s->x;
    size_t n = 0;
    for (uint32_t r = FIRST_DATA_ROW; r < g->nrows; r++)
        n += s->row_start[r] < s->row_start[r + 1];
    s->recs = calloc(n ? n : 1, sizeof *s->recs);
    if (!s->recs)
        return xr_fail(x->err, PB_ERR_NOMEM, NULL, NULL, "out of memory");
    uint32_t prev_row = FIRST_DATA_ROW - 1;
    for (uint32_t r = FIRST_DATA_ROW; r < g->nrows; r++) {
        if (s->row_start[r] == s->row_start[r + 1])
            continue;
        rowrec *rec = &s->recs[s->nrecs++];
        rec->sheet_row = r;
        rec->trow = -1;
        rec->blank_before = r > prev_row + 1;
        prev_row = r;
        const pb_xr_cell *lc = cell_at(s, r, 0);
        int styled = 0;
        if (lc && lc->type != PB_XR_EMPTY) {
            const char *v = cell_text(s, lc, NULL);
            rec->label = *v ? v : NULL;
            pb_xr_style st = pb_xr_style_of(x->book, lc->style);
            rec->bold = st.bold;
            rec->indent = st.indent;
            styled = lc->style != 0;
        }
        for (size_t i = s->row_start[r]; i < s->row_start[r + 1]; i++) {
            const pb_xr_cell *c = &g->cells[i];
            if (c->col == 0)
                continue;
            if (c->col > s->nc) {
                if (!s->extra_cells++)
                    pb_xr_cell_name(r, c->col, s->first_extra);
                continue;
            }
            rec->has_cells = 1;
            if (c->style != 0)
                styled = 1;
        }
        rec->empty = !rec->label && !rec->has_cells;
        /* a row typed in by hand (no formatting at all) */
        rec->manual = !rec->empty && !styled;
    }
    size_t next = s->nrecs;
    for (size_t i = s->nrecs; i-- > 0;) {
        s->recs[i].next = next;
        if (!s->recs[i].empty)
            next = i;
    }
    return 1;
}

/* The rows open to children while the rows are built: sections, and lines
 * with parts; the innermost last. */
typedef struct open_rows {
    int64_t row[PB_MAX_SECTION_DEPTH + 2];
    pb_row_kind kind[PB_MAX_SECTION_DEPTH + 2];
    int depth;
} open_rows;

/* Appends a row of `kind` under the innermost open row, and opens it when
 * asked: its index in the table, or -1 with the failure noted at the sheet
 * row of rec. */
static int64_t append_row(sheet_reader *s, open_rows *o, const rowrec *rec, pb_row_kind kind,
                          const char *label, int open)
{
    xr_plan_ctx *x = s->x;
    pb_error e;
    A->pb_error_clear(&e);
    uint32_t parent = o->depth ? (uint32_t)o->row[o->depth - 1] : PB_NONE;
    int64_t r = A->pb_table_insert_row(s->t, A->pb_table_row_count(s->t), kind, parent, label,
                                       label ? strlen(label) : 0, &e);
    if (r < 0) {
        xr_core_fail(s, rec->sheet_row, 0, &e);
        return -1;
    }
    if (open) {
        o->kind[o->depth] = kind;
        o->row[o->depth++] = r;
    }
    return r;
}

/* Build the rows: nesting from the indent (rows typed in by hand join the
 * lines around them), kinds from bold and what follows. */
static int build_rows(sheet_reader *s)
{
    xr_plan_ctx *x = s->x;
    open_rows o = {.depth = 0};
    const rowrec *prev = NULL;
    int pending_blank = 0;
    for (size_t i = 0; i < s->nrecs; i++) {
        rowrec *rec = &s->recs[i];
        pending_blank |= rec->blank_before;
        if (rec->empty) {
            pending_blank = 1;
            continue;
        }
        int level = rec->indent;
        if (rec->manual && prev)
            level = prev->kind == PB_ROW_SECTION ? prev->level + 1
                                                 : (prev->kind == PB_ROW_LINE ? prev->level
                                                                             : rec->indent);
        const rowrec *next = rec->next < s->nrecs ? &s->recs[rec->next] : NULL;
        int next_level = next ? next->indent : -1;
        if (next && next->manual)
            next_level = -1;
        /* an unlabelled section: a blank row, then rows one level deeper
         * than the rows that could follow here */
        while (pending_blank && level > o.depth && o.depth < PB_MAX_SECTION_DEPTH &&
               (o.depth == 0 || o.kind[o.depth - 1] == PB_ROW_SECTION))
            if (append_row(s, &o, rec, PB_ROW_SECTION, NULL, 1) < 0)
                return 0;
        pending_blank = 0;
        if (level > o.depth)
            level = o.depth;
        if (level > PB_MAX_SECTION_DEPTH)
            level = PB_MAX_SECTION_DEPTH;
        o.depth = level;
        int deeper_next = next && next_level > level;
        pb_row_kind kind;
        if (!rec->has_cells && deeper_next)
            kind = PB_ROW_SECTION;
        else if (rec->bold)
            kind = PB_ROW_TOTAL;
        else
            kind = PB_ROW_LINE;
        /* under a line only parts (lines) */
        while (o.depth && o.kind[o.depth - 1] == PB_ROW_LINE && kind != PB_ROW_LINE)
            o.depth--;
        if (o.depth && o.kind[o.depth - 1] == PB_ROW_LINE)
            deeper_next = 0; /* a part has no parts */
        int depth = o.depth;
        int open = (kind == PB_ROW_SECTION || (kind == PB_ROW_LINE && deeper_next)) &&
                   depth < PB_MAX_SECTION_DEPTH;
        int64_t r = append_row(s, &o, rec, kind, rec->label, open);
        if (r < 0)
            return 0;
        rec->trow = r;
        rec->kind = kind;
        rec->level = depth;
        A->pb_row_set_source(s->t, (size_t)r, rec->sheet_row + 1, 1);
        prev = rec;
    }
    return 1;
}

static int read_cells(sheet_reader *s)
{
    xr_plan_ctx *x = s->x;
    pb_table *t = s->t;
    pb_error e;
    A->pb_error_clear(&e);
    for (size_t i = 0; i < s->nrecs; i++) {
        const rowrec *rec = &s->recs[i];
        if (rec->trow < 0)
            continue;
        size_t r = (size_t)rec->trow;
        int has_parts = rec->kind == PB_ROW_LINE && A->pb_table_row_end(t, r) > r + 1;
        for (size_t ci = s->row_start[rec->sheet_row]; ci < s->row_start[rec->sheet_row + 1];
             ci++) {
            const pb_xr_cell *cell = &s->g->cells[ci];
            if (cell->col < 1 || cell->col > s->nc)
                continue;
            uint32_t c = cell->col - 1;
            char name[16] = ""; /* for warnings only */
            if (rec->kind == PB_ROW_SECTION || (cell->has_formula && rec->kind == PB_ROW_LINE))
                pb_xr_cell_name(rec->sheet_row, c + 1, name);
            if (rec->kind == PB_ROW_SECTION) {
                if (!xr_warn(x->warnings, "sheet '%s', cell %s: a figure on a section heading "
                                          "row is not kept", s->name, name))
                    return xr_fail(x->err, PB_ERR_NOMEM, NULL, NULL, "out of memory");
                continue;
            }
            A->pb_cell_set_source(t, r, c, rec->sheet_row + 1, c + 2);
            if (s->cols[c].type == PB_COL_TEXT) {
                if (cell->type == PB_XR_EMPTY)
                    continue;
                size_t len;
                const char *v = cell_text(s, cell, &len);
                if (A->pb_cell_set_text(t, r, c, v, len, &e))
                    return xr_core_fail(s, rec->sheet_row, c + 1, &e);
                continue;
            }
            int computed = 0;
            if (cell->has_formula) {
                const char *f = pb_xr_cell_formula(s->g, cell);
                /* ROUND(...) in a planbook book: a computed column's cell
                 * (pb_calc.h), whose computation the structure sheet gives */
                computed = rec->kind == PB_ROW_TOTAL || has_parts ||
                           A->pb_column_term_count(t, c) > 0 ||
                           (x->structure && f && !strncmp(f, "ROUND(", 6));
                if (!computed) {
                    if (cell->type == PB_XR_NUMBER) {
                        if (!xr_warn(x->warnings, "sheet '%s', cell %s: the formula =%.80s is "
                                                  "kept as its result", s->name, name, f))
                            return xr_fail(x->err, PB_ERR_NOMEM, NULL, NULL, "out of memory");
                    } else if (!xr_warn(x->warnings, "sheet '%s', cell %s: the formula =%.80s "
                                                     "has no result saved with it (recalculate "
                                                     "and save the workbook); left blank",
                                        s->name, name, f)) {
                        return xr_fail(x->err, PB_ERR_NOMEM, NULL, NULL, "out of memory");
                    }
                }
            }
            if (!set_amount(s, r, c, rec->sheet_row, c + 1, cell, computed))
                return 0;
        }
    }
    /* comments that are not planbook's findings on a formula */
    for (size_t k = 0; k < s->g->ncomments; k++) {
        const struct pb_xr_comment *cm = &s->g->comments[k];
        if (cm->row == 0 && cm->col == 0)
            continue; /* the table's note */
        const pb_xr_cell *cell = cell_at(s, cm->row, cm->col);
        char fig[64];
        /* a finding's comment on a formula, or (in a planbook book) on any
         * figure: a computed column's printed figure, as text */
        if (cell && (cell->has_formula || x->structure) &&
            plan_comment_figure(s->g->text + cm->off, fig, sizeof fig))
            continue;
        /* in a workbook with planbook's structure sheet, the comment of a
         * finding on a figure ("'Label': ...", the finding's message): the
         * check finds it again from the equals and agreements put back */
        if (cm->col > 0 && x->structure) {
            const rowrec *rr = xr_rec_of(s, cm->row);
            const char *label = rr && rr->trow >= 0 ? A->pb_row_label(t, (size_t)rr->trow) : NULL;
            const char *text = s->g->text + cm->off;
            size_t ll = label ? strlen(label) : 0;
            if (label && text[0] == '\'' && !strncmp(text + 1, label, ll) &&
                !strncmp(text + 1 + ll, "': ", 3))
                continue;
            if (!strncmp(text, "agreement '", 11) || !strncmp(text, "the narrative (", 15))
                continue; /* an agreement's finding, a narrative figure's */
        }
        /* a comment on a label: the row's note */
        const rowrec *owner = cm->col == 0 ? xr_rec_of(s, cm->row) : NULL;
        if (owner && owner->trow >= 0) {
            const char *note = s->g->text + cm->off;
            if (A->pb_row_set_text(t, (size_t)owner->trow, PB_ROW_NOTE, note, strlen(note), &e))
                return xr_core_fail(s, cm->row, 0, &e);
            continue;
        }
        if (!s->foreign_comments++)
            pb_xr_cell_name(cm->row, cm->col, s->first_comment);
    }
    return 1;
}

/* ------------------------------------------------------------- entry */

int xr_budget_looks_like(const pb_xr_book *book, const pb_xr_grid *g)
{
    (void)book;
    /* a title in A1 and headings in row 4 from column B */
    int title = 0, head = 0;
    for (size_t i = 0; i < g->ncells; i++) {
        const pb_xr_cell *c = &g->cells[i];
        if (c->row > HEAD_ROW)
            break;
        if (c->row == 0 && c->col == 0 && c->type == PB_XR_STRING)
            title = 1;
        if (c->row == HEAD_ROW && c->col >= 1 && c->type == PB_XR_STRING)
            head = 1;
    }
    return title && head;
}

int xr_budget_sheet(xr_plan_ctx *x, size_t sheet, const char *table_id)
{
    sheet_reader s;
    memset(&s, 0, sizeof s);
    s.x = x;
    s.name = pb_xr_sheet_name(x->book, sheet);
    s.g = pb_xr_sheet_read(x->book, sheet, x->err);
    if (!s.g)
        return 0;
    int ok = 0;
    s.row_start = calloc((size_t)s.g->nrows + 1, sizeof *s.row_start);
    if (!s.row_start) {
        xr_fail(x->err, PB_ERR_NOMEM, NULL, NULL, "out of memory");
        goto out;
    }
    {
        size_t i = 0;
        for (uint32_t r = 0; r <= s.g->nrows; r++) {
            while (i < s.g->ncells && s.g->cells[i].row < r)
                i++;
            s.row_start[r] = i;
        }
    }
    if (!read_columns(&s, table_id) || !classify_rows(&s) || !build_rows(&s))
        goto out;
    /* Total columns: the formula of the first line that has one */
    {
        uint8_t *decided = calloc(s.nc, 1);
        if (!decided) {
            xr_fail(x->err, PB_ERR_NOMEM, NULL, NULL, "out of memory");
            goto out;
        }
        for (size_t i = 0; i < s.nrecs; i++) {
            const rowrec *rec = &s.recs[i];
            if (rec->trow < 0 || rec->kind != PB_ROW_LINE)
                continue;
            for (size_t ci = s.row_start[rec->sheet_row]; ci < s.row_start[rec->sheet_row + 1];
                 ci++) {
                const pb_xr_cell *cell = &s.g->cells[ci];
                uint32_t c = cell->col - 1;
                if (cell->col < 1 || cell->col > s.nc || !cell->has_formula || decided[c])
                    continue;
                decided[c] = 1;
                int n = xr_parse_row_terms(pb_xr_cell_formula(s.g, cell), rec->sheet_row, s.nc,
                                           &s.cols[c]);
                if (n <= 0 || s.cols[c].type != PB_COL_AMOUNT)
                    continue;
                pb_error e;
                A->pb_error_clear(&e);
                if (A->pb_column_set_sum(s.t, c, s.cols[c].term_col, s.cols[c].term_sign,
                                         (size_t)n, &e)) {
                    /* a text column among the terms, a cycle: not a Total column */
                    char where[16];
                    pb_xr_cell_name(rec->sheet_row, cell->col, where);
                    if (!xr_warn(x->warnings, "sheet '%s', cell %s: the formula is not read as "
                                              "a Total column (%s)", s.name, where, e.message)) {
                        free(decided);
                        xr_fail(x->err, PB_ERR_NOMEM, NULL, NULL, "out of memory");
                        goto out;
                    }
                }
            }
        }
        free(decided);
    }
    if (!read_cells(&s) || !xr_infer_roles(&s))
        goto out;
    A->pb_table_compact(s.t);
    if (s.extra_cells &&
        !xr_warn(x->warnings, "sheet '%s': %zu cell%s outside the table's columns (first %s) "
                              "not kept", s.name, s.extra_cells, s.extra_cells == 1 ? "" : "s",
                 s.first_extra))
        goto mem;
    if (s.foreign_comments &&
        !xr_warn(x->warnings, "sheet '%s': %zu comment%s on figures not kept (first on %s)",
                 s.name, s.foreign_comments, s.foreign_comments == 1 ? "" : "s", s.first_comment))
        goto mem;
    if (s.g->merges &&
        !xr_warn(x->warnings, "sheet '%s': %zu merged range%s (first %s) not kept", s.name,
                 s.g->merges, s.g->merges == 1 ? "" : "s",
                 s.g->first_merge ? s.g->first_merge : "?"))
        goto mem;
    ok = 1;
    goto out;
mem:
    xr_fail(x->err, PB_ERR_NOMEM, NULL, NULL, "out of memory");
out:
    free(s.row_start);
    free(s.cols);
    free(s.recs);
    pb_xr_grid_free(s.g);
    return ok;
}
