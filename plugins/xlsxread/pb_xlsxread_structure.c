/* pb_xlsxread_structure.c - the hidden sheet "planbook" the writer adds
 * (plugins/xlsx/pb_xlsx_structure.c has its layout): the plan's YAML
 * without its budget tables, and per budget table what its sheet cannot
 * show (kind, tolerance, blank, column ids, labels, periods, equals and
 * sums, the ids, roles and selects of rows).
 *
 * The budget sheets stay the source of every figure, label and level:
 * finance edits them.  After a table is read from its sheet, what the
 * structure sheet says of it is put back; where finance changed the
 * table's shape so that a column or row planbook wrote cannot be found,
 * that is a warning naming the sheet, and the table keeps what was read. */
#define _POSIX_C_SOURCE 200809L
#include "pb_xlsxread_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define A (x->api)
#define NF 14 /* fields per structure row */

int64_t xr_structure_sheet(const pb_xr_book *book)
{
    for (size_t i = 0; i < pb_xr_name_count(book); i++) {
        const char *formula;
        int scope;
        const char *name = pb_xr_name(book, i, &formula, &scope);
        char sheet[256];
        if (!strcmp(name, "planbook_structure") && xr_name_sheet(formula, sheet, sizeof sheet))
            return xr_name_sheet_find(book, sheet);
    }
    return pb_xr_sheet_find(book, "planbook");
}

/* The fields of structure row r (NULL where empty); 0 if the row is
 * blank. */
static int fields(const pb_xr_book *book, const pb_xr_grid *g, const size_t *row_start,
                  uint32_t r, const char *f[NF], size_t len[NF])
{
    for (int k = 0; k < NF; k++) {
        f[k] = NULL;
        len[k] = 0;
    }
    int any = 0;
    for (size_t i = row_start[r]; i < row_start[r + 1]; i++) {
        const pb_xr_cell *c = &g->cells[i];
        if (c->col >= NF || c->type == PB_XR_EMPTY)
            continue;
        f[c->col] = pb_xr_cell_value(book, g, c, &len[c->col]);
        any = 1;
    }
    return any;
}

static int is(const char *s, const char *lit) { return s && !strcmp(s, lit); }

int xr_structure_open(xr_plan_ctx *x, int64_t sheet)
{
    if (sheet < 0)
        return 1;
    /* read for its YAML already (pb_xr_structure_yaml): not parsed again */
    pb_xr_grid *g = xr_book_take_grid(x->book, sheet);
    if (!g)
        g = pb_xr_sheet_read(x->book, (size_t)sheet, x->err);
    if (!g)
        return 0;
    size_t *rs = calloc((size_t)g->nrows + 2, sizeof *rs);
    if (!rs) {
        pb_xr_grid_free(g);
        return xr_fail(x->err, PB_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    size_t i = 0;
    for (uint32_t r = 0; r <= g->nrows; r++) {
        while (i < g->ncells && g->cells[i].row < r)
            i++;
        rs[r] = i;
    }
    rs[g->nrows + 1] = g->ncells;
    const char *f[NF];
    size_t len[NF];
    if (!g->nrows || !fields(x->book, g, rs, 0, f, len) || !is(f[0], "planbook structure")) {
        /* a sheet called planbook that is not planbook's: an ordinary sheet */
        free(rs);
        pb_xr_grid_free(g);
        return 1;
    }
    if (!is(f[1], "1")) {
        int ok = xr_warn(x->warnings, "sheet '%s' is a planbook structure of version %s, "
                                      "which this reader does not know; not used",
                         pb_xr_sheet_name(x->book, (size_t)sheet), f[1] ? f[1] : "(none)");
        free(rs);
        pb_xr_grid_free(g);
        x->structure_sheet = sheet; /* still not a sheet to read */
        return ok ? 1 : xr_fail(x->err, PB_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    x->structure = g;
    x->structure_rows = rs;
    x->structure_sheet = sheet;
    return 1;
}

void xr_structure_close(xr_plan_ctx *x)
{
    pb_xr_grid_free(x->structure);
    free(x->structure_rows);
    x->structure = NULL;
    x->structure_rows = NULL;
}

char *pb_xr_structure_yaml(pb_xr_book *book, size_t *len, pb_error *err)
{
    *len = 0;
    int64_t sheet = xr_structure_sheet(book);
    if (sheet < 0)
        return NULL;
    pb_xr_grid *g = pb_xr_sheet_read(book, (size_t)sheet, err);
    if (!g)
        return NULL;
    size_t total = 0, at = 0;
    int mine = 0;
    for (int pass = 0; pass < 2; pass++) {
        char *out = NULL;
        if (pass == 1) {
            if (mine != 2 || !(out = malloc(total + 1))) {
                if (mine == 2)
                    xr_fail(err, PB_ERR_NOMEM, NULL, NULL, "out of memory");
                pb_xr_grid_free(g);
                return NULL;
            }
        }
        for (size_t i = 0; i < g->ncells; i++) {
            const pb_xr_cell *c = &g->cells[i];
            size_t n;
            const char *v = pb_xr_cell_value(book, g, c, &n);
            /* planbook's, and of the version this reader knows */
            if (c->row == 0 && c->col == 0)
                mine = c->type == PB_XR_STRING && !strcmp(v, "planbook structure");
            if (c->row == 0 && c->col == 1)
                mine = mine && c->type == PB_XR_STRING && !strcmp(v, "1") ? 2 : 0;
            if (c->col != 1 || c->type != PB_XR_STRING || i == 0)
                continue;
            const pb_xr_cell *key = &g->cells[i - 1];
            if (key->row != c->row || key->col != 0 ||
                strcmp(pb_xr_cell_value(book, g, key, NULL), "yaml"))
                continue;
            if (pass == 0) {
                total += n;
            } else {
                memcpy(out + at, v, n);
                at += n;
            }
        }
        if (pass == 1) {
            out[at] = '\0';
            *len = at;
            /* kept for the plan's read (xr_structure_open) */
            xr_book_keep_grid(book, sheet, g);
            return out;
        }
    }
    return NULL; /* not reached */
}

const char *xr_structure_id(xr_plan_ctx *x, const char *defined)
{
    const pb_xr_grid *g = x->structure;
    if (!g)
        return NULL;
    const char *f[NF];
    size_t len[NF];
    for (uint32_t r = 1; r < g->nrows; r++) {
        if (!fields(x->book, g, x->structure_rows, r, f, len))
            continue;
        if (is(f[0], "table") && f[1] && is(f[6], defined) && A->pb_id_valid(f[1], len[1]))
            return f[1];
        if (is(f[0], "name") && is(f[1], defined) && f[2] && A->pb_id_valid(f[2], len[2]))
            return f[2];
    }
    return NULL;
}

/* -------------------------------------------------------------- apply */

static int want(xr_plan_ctx *x, pb_status st, pb_error *e, const char *sheet)
{
    if (st == PB_OK)
        return 1;
    return xr_warn(x->warnings, "sheet '%s': planbook's structure could not be put back: %s",
                   sheet, e->message)
               ? 1
               : xr_fail(x->err, PB_ERR_NOMEM, NULL, NULL, "out of memory");
}

static int64_t column_index(const char *ids[], size_t n, const char *id, size_t len)
{
    for (size_t c = 0; c < n; c++)
        if (ids[c] && strlen(ids[c]) == len && !memcmp(ids[c], id, len))
            return (int64_t)c;
    return -1;
}

static int apply_table(xr_plan_ctx *x, pb_table *t, const char *f[NF], size_t len[NF],
                       const char *sheet)
{
    pb_error e;
    A->pb_error_clear(&e);
    pb_status st = A->pb_table_set_text(t, PB_TABLE_KIND, f[2], len[2], &e);
    if (st == PB_OK && f[3]) {
        pb_amount tol;
        pb_cell_state state;
        st = A->pb_amount_parse(f[3], len[3], A->pb_table_decimals(t), &tol, &state, &e);
        if (st == PB_OK)
            st = A->pb_table_set_tolerance(t, 1, tol, &e);
    }
    if (!want(x, st, &e, sheet))
        return 0;
    A->pb_table_set_blank_zero(t, !is(f[4], "missing"));
    /* an untitled table's A1 shows its id: still untitled when A1 is unedited */
    const char *title = A->pb_table_text(t, PB_TABLE_TITLE);
    if (is(f[7], "untitled") && title && !strcmp(title, A->pb_table_id(t)))
        A->pb_table_set_text(t, PB_TABLE_TITLE, NULL, 0, &e);
    A->pb_error_clear(&e);
    return want(x, A->pb_table_set_income_sign(t, is(f[5], "negative") ? -1 : 1, &e), &e, sheet);
}

/* Does read column c show what structure line f describes?  As the
 * writer shows a column: a period with the phase (else the measure)
 * beneath it, or the label (else the id). */
static int same_heading(xr_plan_ctx *x, pb_table *t, size_t c, const char *f[NF])
{
    pb_period p = A->pb_column_period(t, c);
    if (p.kind != PB_PERIOD_NONE) {
        char buf[PB_PERIOD_TEXT_MAX];
        A->pb_period_format(p, A->pb_plan_year_start(x->plan), buf);
        const char *under = A->pb_column_text(t, c, PB_COLUMN_PHASE);
        if (!under)
            under = A->pb_column_text(t, c, PB_COLUMN_MEASURE);
        const char *written = f[6] ? f[6] : f[7];
        return is(f[5], buf) && (under ? is(written, under) : !written);
    }
    const char *label = A->pb_column_text(t, c, PB_COLUMN_LABEL);
    return label && !f[5] && (f[4] ? is(f[4], label) : is(f[3], label));
}

/* Which read column each structure column is (-1: not on the sheet): the
 * sheet's columns in order when there are as many as planbook wrote and
 * each shows its heading; else each found by its heading, so a column
 * finance inserted, deleted or moved leaves the others' ids, headings and
 * equals in place (and figures are never taken from the wrong year). */
static int map_columns(xr_plan_ctx *x, pb_table *t, const uint32_t *rows, size_t n,
                       int64_t *map, const char *sheet)
{
    size_t nc = A->pb_table_column_count(t);
    const char *f[NF];
    size_t len[NF];
    int in_order = n == nc;
    for (size_t k = 0; k < n && in_order; k++) {
        fields(x->book, x->structure, x->structure_rows, rows[k], f, len);
        in_order = same_heading(x, t, k, f);
    }
    if (in_order) {
        for (size_t k = 0; k < n; k++)
            map[k] = (int64_t)k;
        return 1;
    }
    uint8_t *taken = calloc(nc ? nc : 1, 1);
    if (!taken)
        return xr_fail(x->err, PB_ERR_NOMEM, NULL, NULL, "out of memory");
    int ok = 1;
    for (size_t k = 0; k < n && ok; k++) {
        fields(x->book, x->structure, x->structure_rows, rows[k], f, len);
        map[k] = -1;
        for (size_t c = 0; c < nc && map[k] < 0; c++)
            if (!taken[c] && same_heading(x, t, c, f))
                map[k] = (int64_t)c;
        if (map[k] >= 0)
            taken[map[k]] = 1;
        else
            ok = xr_warn(x->warnings, "sheet '%s': the column '%s' planbook wrote is no longer "
                                      "on the sheet",
                         sheet, f[4] ? f[4] : f[3] ? f[3] : "?");
    }
    for (size_t c = 0; c < nc && ok; c++) {
        if (taken[c])
            continue;
        /* its heading: the label, else the period and phase */
        char head[PB_PERIOD_TEXT_MAX + 200] = "no heading";
        const char *label = A->pb_column_text(t, c, PB_COLUMN_LABEL);
        pb_period p = A->pb_column_period(t, c);
        if (label) {
            snprintf(head, sizeof head, "%.200s", label);
        } else if (p.kind != PB_PERIOD_NONE) {
            char buf[PB_PERIOD_TEXT_MAX];
            A->pb_period_format(p, A->pb_plan_year_start(x->plan), buf);
            const char *phase = A->pb_column_text(t, c, PB_COLUMN_PHASE);
            snprintf(head, sizeof head, "%s%s%.150s", buf, phase ? " " : "", phase ? phase : "");
        }
        ok = xr_warn(x->warnings, "sheet '%s': a column added in the workbook ('%s') is read "
                                  "as a column of its own",
                     sheet, head);
    }
    free(taken);
    return ok ? 1 : xr_fail(x->err, PB_ERR_NOMEM, NULL, NULL, "out of memory");
}

/* The read column of the structure column named id[0..l), or -1. */
static int64_t mapped(const char *ids[], const int64_t *map, size_t n, const char *id, size_t l)
{
    int64_t k = column_index(ids, n, id, l);
    return k < 0 ? -1 : map[k];
}

/* Column ids: every column first gets a temporary id, then the columns
 * found get the ids planbook wrote and the others (added by finance) their
 * own, made unique against those.  On failure every column gets back the
 * id it was read with.  0 only when out of memory. */
static int put_ids(xr_plan_ctx *x, pb_table *t, const char *ids[], const int64_t *map, size_t n,
                   const char *sheet)
{
    size_t nc = A->pb_table_column_count(t);
    const char **read = calloc(nc ? nc : 1, sizeof *read);
    int64_t *of = malloc((nc ? nc : 1) * sizeof *of); /* read column -> structure column */
    if (!read || !of) {
        free(read);
        free(of);
        return xr_fail(x->err, PB_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    for (size_t c = 0; c < nc; c++) {
        read[c] = A->pb_column_id(t, c); /* in the plan's arena: stays valid */
        of[c] = -1;
    }
    for (size_t k = 0; k < n; k++)
        if (map[k] >= 0)
            of[map[k]] = (int64_t)k;
    pb_error e;
    A->pb_error_clear(&e);
    pb_status st = PB_OK;
    char tmp[PB_ID_MAX + 40];
    for (size_t c = 0; c < nc && st == PB_OK; c++) {
        int l = snprintf(tmp, sizeof tmp, "__planbook_column_%zu", c);
        st = A->pb_column_set_id(t, c, tmp, (size_t)l, &e);
    }
    for (size_t c = 0; c < nc && st == PB_OK; c++)
        if (of[c] >= 0)
            st = ids[of[c]] ? A->pb_column_set_id(t, c, ids[of[c]], strlen(ids[of[c]]), &e)
                            : A->pb_error_set(&e, PB_ERR_PARSE, "a column without an id");
    for (size_t c = 0; c < nc && st == PB_OK; c++) {
        if (of[c] >= 0)
            continue;
        /* an added column keeps its id unless planbook's columns use it */
        int l = snprintf(tmp, sizeof tmp, "%.120s", read[c]);
        for (int k = 2; A->pb_table_find_column(t, tmp, (size_t)l) >= 0 && k < 10000; k++)
            l = snprintf(tmp, sizeof tmp, "%.120s_%d", read[c], k);
        st = A->pb_column_set_id(t, c, tmp, (size_t)l, &e);
    }
    int ok = 1;
    if (st != PB_OK) {
        ok = want(x, st, &e, sheet);
        for (size_t c = 0; c < nc; c++) {
            int l = snprintf(tmp, sizeof tmp, "__planbook_column_%zu", c);
            A->pb_column_set_id(t, c, tmp, (size_t)l, &e);
        }
        for (size_t c = 0; c < nc; c++)
            A->pb_column_set_id(t, c, read[c], strlen(read[c]), &e);
    }
    free(read);
    free(of);
    return ok ? (st == PB_OK ? 1 : 2) : 0;
}

static int64_t position(const char *s, size_t nr);

/* A column read as text for want of figures (every cell blank: a table
 * with no rows, or no figures yet) that planbook wrote as an amount column
 * is an amount column again, at the decimals it recorded. */
static pb_status recorded_type(xr_plan_ctx *x, pb_table *t, size_t c, const char *f[NF],
                               pb_error *e)
{
    if (!f[9] || strcmp(f[9], "amount") || A->pb_column_type_of(t, c) != PB_COL_TEXT)
        return PB_OK;
    pb_amount unused;
    for (size_t r = 0, nr = A->pb_table_row_count(t); r < nr; r++)
        if (A->pb_cell_get(t, r, c, &unused) != PB_CELL_BLANK)
            return PB_OK;
    pb_status st = A->pb_column_set_type(t, c, PB_COL_AMOUNT, e);
    int64_t d = f[10] ? position(f[10], PB_MAX_DECIMALS + 1) : -1;
    return st == PB_OK && d >= 0 ? A->pb_column_set_decimals(t, c, (int)d, e) : st;
}

/* One column's headings, period, equals, sum and computation; a failure is a warning
 * for that column and the others go on. */
static int apply_column(xr_plan_ctx *x, pb_table *t, size_t c, const char *f[NF],
                        size_t len[NF], const char *ids[], const int64_t *map, size_t n,
                        const char *sheet)
{
    pb_error e;
    A->pb_error_clear(&e);
    pb_status st = PB_OK;
    static const pb_column_field texts[] = {PB_COLUMN_LABEL, PB_COLUMN_PHASE, PB_COLUMN_MEASURE,
                                            PB_COLUMN_UNIT};
    static const int at[] = {4, 6, 7, 8};
    for (int j = 0; j < 4 && st == PB_OK; j++)
        st = A->pb_column_set_text(t, c, texts[j], f[at[j]], len[at[j]], &e);
    pb_period p;
    memset(&p, 0, sizeof p);
    if (st == PB_OK && f[5])
        st = A->pb_period_parse(f[5], len[5], A->pb_plan_year_start(x->plan), &p, &e);
    if (st == PB_OK)
        st = A->pb_column_set_period(t, c, p, &e);
    if (st == PB_OK)
        st = recorded_type(x, t, c, f, &e);
    if (st == PB_OK) {
        int64_t eq = f[11] ? mapped(ids, map, n, f[11], len[11]) : -1;
        st = A->pb_column_set_equals(t, c, eq < 0 ? PB_NONE : (uint32_t)eq, &e);
    }
    if (st == PB_OK && f[12]) {
        size_t cap = 1;
        for (const char *q = f[12]; *q; q++)
            cap += *q == ',';
        uint32_t *cols = malloc(cap * sizeof *cols);
        int8_t *signs = malloc(cap);
        if (!cols || !signs) {
            free(cols);
            free(signs);
            return xr_fail(x->err, PB_ERR_NOMEM, NULL, NULL, "out of memory");
        }
        size_t nt = 0;
        for (const char *p0 = f[12]; *p0 && nt < cap && st == PB_OK;) {
            const char *end = strchr(p0, ',');
            size_t l = end ? (size_t)(end - p0) : strlen(p0);
            int8_t sign = 1;
            if (l && *p0 == '-') {
                sign = -1;
                p0++;
                l--;
            }
            int64_t ci = mapped(ids, map, n, p0, l);
            if (ci < 0)
                st = A->pb_error_set(&e, PB_ERR_PARSE,
                                     "the sum of column '%s' names a column that is not on "
                                     "the sheet (its formula is kept as read)",
                                     f[3] ? f[3] : "?");
            cols[nt] = (uint32_t)(ci < 0 ? 0 : ci);
            signs[nt++] = sign;
            p0 += l + (end != NULL);
        }
        if (st == PB_OK)
            st = A->pb_column_set_sum(t, c, cols, signs, nt, &e);
        free(cols);
        free(signs);
    }
    /* a text column's decimals (the precision of a computed column) */
    if (st == PB_OK && f[10] && A->pb_column_type_of(t, c) == PB_COL_TEXT)
        st = A->pb_column_set_decimals(t, c, (int)strtol(f[10], NULL, 10), &e);
    if (st == PB_OK && f[13]) /* a computed column (pb_calc.h's text form) */
        st = A->pb_column_set_compute(t, c, f[13], len[13], &e);
    return want(x, st, &e, sheet);
}

/* The columns: ids, headings, periods, equals and sums put back on the
 * columns found; map (n entries) receives which read column each
 * structure column is. */
static int apply_columns(xr_plan_ctx *x, pb_table *t, const uint32_t *rows, size_t n,
                         int64_t *map, const char *sheet)
{
    const char **ids = calloc(n ? n : 1, sizeof *ids);
    if (!ids)
        return xr_fail(x->err, PB_ERR_NOMEM, NULL, NULL, "out of memory");
    const char *f[NF];
    size_t len[NF];
    int ok = map_columns(x, t, rows, n, map, sheet);
    for (size_t k = 0; k < n; k++) {
        fields(x->book, x->structure, x->structure_rows, rows[k], f, len);
        ids[k] = f[3];
    }
    int got = ok ? put_ids(x, t, ids, map, n, sheet) : 0;
    ok = got != 0;
    for (size_t k = 0; ok && got == 1 && k < n; k++) {
        if (map[k] < 0)
            continue;
        fields(x->book, x->structure, x->structure_rows, rows[k], f, len);
        ok = apply_column(x, t, (size_t)map[k], f, len, ids, map, n, sheet);
    }
    free(ids);
    return ok;
}

/* A structure row's recorded position: 0 .. nr-1, else -1. */
static int64_t position(const char *s, size_t nr)
{
    if (!s || !*s)
        return -1;
    uint64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9' || v > (UINT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    return v < nr ? (int64_t)v : -1;
}

static int row_is(xr_plan_ctx *x, pb_table *t, size_t r, const char *f[NF])
{
    static const char *const kinds[] = {"line", "section", "total"};
    const char *label = A->pb_row_label(t, r);
    return is(f[3], kinds[A->pb_row_kind_of(t, r)]) &&
           (f[4] ? label && !strcmp(label, f[4]) : !label);
}

/* The rows with an id, a role, a select, a note or blank computed cells:
 * found at their place (the same kind and label), else as the nearest
 * unclaimed row of that kind and label (searched outward from the place,
 * so rows shifted by an insertion are found in a step or two).  Roles are
 * put back when every row that had one is found: then the roles the reader
 * inferred from the formulas' signs give way to the ones written, and a
 * line finance inserted inherits its section's. */
static int apply_rows(xr_plan_ctx *x, pb_table *t, const uint32_t *rows, size_t n,
                      const int64_t *map, size_t ncols_written, const char *sheet)
{
    const pb_xr_grid *g = x->structure;
    size_t nr = A->pb_table_row_count(t);
    int64_t *found = calloc(n ? n : 1, sizeof *found);
    uint8_t *taken = calloc(nr ? nr : 1, 1);
    if (!found || !taken) {
        free(found);
        free(taken);
        return xr_fail(x->err, PB_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    const char *f[NF];
    size_t len[NF];
    size_t roles_missing = 0;
    int ok = 1;
    for (size_t k = 0; k < n && ok; k++) {
        fields(x->book, g, x->structure_rows, rows[k], f, len);
        int64_t at = position(f[2], nr);
        found[k] = -1;
        if (at >= 0 && !taken[at] && row_is(x, t, (size_t)at, f)) {
            found[k] = at;
        } else {
            int64_t from = at >= 0 ? at : 0;
            for (size_t d = 0; found[k] < 0 && d < nr; d++) {
                int64_t up = from - (int64_t)d, down = from + (int64_t)d;
                if (up < 0 && down >= (int64_t)nr)
                    break;
                if (up >= 0 && !taken[up] && row_is(x, t, (size_t)up, f))
                    found[k] = up;
                else if (down < (int64_t)nr && !taken[down] && row_is(x, t, (size_t)down, f))
                    found[k] = down;
            }
        }
        if (found[k] >= 0) {
            taken[found[k]] = 1;
            continue;
        }
        roles_missing += f[6] != NULL;
        ok = xr_warn(x->warnings, "sheet '%s': the %s '%s'%s%s is no longer in the table%s",
                     sheet, f[3] ? f[3] : "row", f[4] ? f[4] : "(no label)",
                     f[5] ? " with id " : "", f[5] ? f[5] : "",
                     f[6] ? "; the rows keep the roles read from the formulas" : "");
    }
    if (!ok) {
        free(found);
        free(taken);
        return xr_fail(x->err, PB_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    pb_error e;
    A->pb_error_clear(&e);
    pb_status st = PB_OK;
    if (!roles_missing) {
        for (size_t r = 0; r < nr && st == PB_OK; r++)
            st = A->pb_row_set_role(t, r, PB_ROLE_INHERIT, &e);
        for (size_t k = 0; k < n && st == PB_OK; k++) {
            fields(x->book, g, x->structure_rows, rows[k], f, len);
            int role = f[6] ? A->pb_role_from_name(f[6], len[6]) : -1;
            if (found[k] >= 0 && role >= 0)
                st = A->pb_row_set_role(t, (size_t)found[k], (pb_role)role, &e);
        }
    }
    for (size_t k = 0; k < n && st == PB_OK; k++) {
        if (found[k] < 0)
            continue;
        size_t r = (size_t)found[k];
        fields(x->book, g, x->structure_rows, rows[k], f, len);
        if (f[5])
            st = A->pb_row_set_text(t, r, PB_ROW_ID, f[5], len[5], &e);
        if (st == PB_OK && f[7])
            st = A->pb_row_set_text(t, r, PB_ROW_SELECT, f[7], len[7], &e);
        if (st == PB_OK && f[8] && !A->pb_row_text(t, r, PB_ROW_NOTE))
            st = A->pb_row_set_text(t, r, PB_ROW_NOTE, f[8], len[8], &e);
    }
    /* a formula's result where the plan printed nothing: blank again,
     * unless the sheet shows something else than the arithmetic gives
     * (found first: clearing a cell makes the computed figures stale).
     * The columns are the ones written, found on the sheet through map. */
    size_t nb = 0, cap = 0;
    size_t *blank = NULL;
    if (st == PB_OK)
        st = A->pb_table_compute(t, &e);
    for (size_t k = 0; ok && k < n && st == PB_OK; k++) {
        fields(x->book, g, x->structure_rows, rows[k], f, len);
        for (const char *p0 = found[k] >= 0 ? f[9] : NULL; p0 && *p0;) {
            size_t r = (size_t)found[k];
            char *end;
            unsigned long w = strtoul(p0, &end, 10);
            if (end == p0)
                break;
            p0 = *end == ',' ? end + 1 : end;
            if (w >= ncols_written || map[w] < 0)
                continue;
            size_t c = (size_t)map[w];
            pb_amount printed, comp;
            if (A->pb_cell_get(t, r, c, &printed) != PB_CELL_VALUE ||
                A->pb_cell_computed(t, r, c, &comp) != PB_COMP_VALUE ||
                (printed != comp && printed != -comp))
                continue;
            if (nb == cap) {
                size_t *nbuf = realloc(blank, (cap = cap ? cap * 2 : 16) * 2 * sizeof *nbuf);
                if (!nbuf) {
                    ok = xr_fail(x->err, PB_ERR_NOMEM, NULL, NULL, "out of memory");
                    break;
                }
                blank = nbuf;
            }
            blank[2 * nb] = r;
            blank[2 * nb++ + 1] = c;
        }
    }
    for (size_t i = 0; ok && i < nb && st == PB_OK; i++)
        st = A->pb_cell_set_printed(t, blank[2 * i], blank[2 * i + 1], PB_CELL_BLANK, 0, &e);
    free(blank);
    if (ok)
        ok = want(x, st, &e, sheet);
    free(found);
    free(taken);
    return ok;
}

int xr_structure_apply(xr_plan_ctx *x, size_t sheet, const char *table_id)
{
    const pb_xr_grid *g = x->structure;
    if (!g)
        return 1;
    int64_t ti = A->pb_plan_find_table(x->plan, table_id, strlen(table_id));
    if (ti < 0)
        return 1;
    pb_table *t = A->pb_plan_table(x->plan, (size_t)ti);
    const char *name = pb_xr_sheet_name(x->book, sheet);
    /* the table's lines: the writer puts them together, after its "table"
     * line; found by a scan from where the last table's ended */
    const char *f[NF];
    size_t len[NF];
    uint32_t start = 0;
    for (uint32_t pass = 0; pass < 2 && !start; pass++)
        for (uint32_t r = pass ? 1 : x->structure_next; r < g->nrows && r > 0; r++)
            if (fields(x->book, g, x->structure_rows, r, f, len) && is(f[0], "table") &&
                is(f[1], table_id)) {
                start = r;
                break;
            }
    if (!start)
        return 1;
    uint32_t *cols = malloc(((size_t)g->nrows + 1) * sizeof *cols);
    uint32_t *rows = malloc(((size_t)g->nrows + 1) * sizeof *rows);
    int64_t *map = NULL;
    size_t nc = 0, nr = 0;
    uint32_t r = start + 1;
    for (; cols && rows && r < g->nrows; r++) {
        if (!fields(x->book, g, x->structure_rows, r, f, len))
            continue;
        if (!is(f[1], table_id) || !(is(f[0], "column") || is(f[0], "row")))
            break;
        if (is(f[0], "column"))
            cols[nc++] = r;
        else
            rows[nr++] = r;
    }
    x->structure_next = r;
    map = cols && rows ? calloc(nc ? nc : 1, sizeof *map) : NULL;
    int ok;
    if (!map) {
        ok = xr_fail(x->err, PB_ERR_NOMEM, NULL, NULL, "out of memory");
    } else {
        fields(x->book, g, x->structure_rows, start, f, len);
        ok = apply_table(x, t, f, len, name) && apply_columns(x, t, cols, nc, map, name) &&
             apply_rows(x, t, rows, nr, map, nc, name);
    }
    free(cols);
    free(rows);
    free(map);
    return ok;
}
