/* pb_xlsx_formula.c - the formulas of a budget sheet's computed cells,
 * written as a finance team would: a total as SUM()s of ranges of the
 * rows it covers (its sections through their own totals, each row by its
 * meaning: income against expenditure, and shown with its printed sign),
 * a sum column as a range of the columns it adds, a line with parts as
 * the sum of its parts. */
#include "pb_xlsx_private.h"

#include <stdlib.h>
#include <string.h>

#define A (x->api)
#define MAX_SUM_ARGS 255

static void terms_add(xl_terms *ts, uint32_t row, int coef)
{
    if (ts->failed)
        return;
    if (ts->n == ts->cap) {
        size_t cap = ts->cap ? ts->cap * 2 : 16;
        xl_term *nv = realloc(ts->v, cap * sizeof *nv);
        if (!nv) {
            ts->failed = 1;
            return;
        }
        ts->v = nv;
        ts->cap = cap;
    }
    ts->v[ts->n].row = row;
    ts->v[ts->n].coef = (int8_t)coef;
    ts->n++;
}

/* -1 where a row's figures are printed with the opposite sign of their
 * meaning (income in an income_sign: negative table). */
int xl_print_sign(xl_ctx *x, const pb_table *t, size_t r)
{
    return A->pb_table_income_sign(t) < 0 && A->pb_row_effective_role(t, r) == PB_ROLE_INCOME
               ? -1
               : 1;
}

static int polarity(xl_ctx *x, const pb_table *t, size_t r)
{
    return A->pb_role_polarity(A->pb_row_effective_role(t, r));
}

/* The direct children of `parent` in [from, to), as terms of a total whose
 * printed figure is `factor` times the net sum.  A section whose last
 * child is a total covering it is referred to through that total;
 * otherwise through its own contents. */
static void add_items(xl_ctx *x, const pb_table *t, size_t from, size_t to, uint32_t parent,
                      int factor, xl_terms *out)
{
    size_t k = from;
    while (k < to) {
        size_t end = A->pb_table_row_end(t, k);
        if (A->pb_row_parent(t, k) != parent) { /* cannot happen in a pre-order */
            k = end;
            continue;
        }
        pb_row_kind kind = A->pb_row_kind_of(t, k);
        if (kind == PB_ROW_LINE) {
            terms_add(out, (uint32_t)k, factor * polarity(x, t, k) * xl_print_sign(x, t, k));
        } else if (kind == PB_ROW_SECTION) {
            /* the section's last direct child */
            size_t last = PB_NONE, c = k + 1;
            while (c < end) {
                last = c;
                c = A->pb_table_row_end(t, c);
            }
            if (last != PB_NONE && A->pb_row_kind_of(t, last) == PB_ROW_TOTAL &&
                !A->pb_row_text(t, last, PB_ROW_SELECT))
                terms_add(out, (uint32_t)last,
                          factor * polarity(x, t, last) * xl_print_sign(x, t, last));
            else
                add_items(x, t, k + 1, end, (uint32_t)k, factor, out);
        }
        k = end;
    }
}

void xl_total_terms(xl_ctx *x, const pb_table *t, size_t r, xl_terms *out)
{
    uint32_t parent = A->pb_row_parent(t, r);
    size_t from = parent == PB_NONE ? 0 : parent + 1;
    int factor = xl_print_sign(x, t, r) * polarity(x, t, r);
    const char *sel = A->pb_row_text(t, r, PB_ROW_SELECT);
    if (!sel) {
        add_items(x, t, from, r, parent, factor, out);
        return;
    }
    for (size_t k = from; k < r; k++) {
        const char *label = A->pb_row_label(t, k);
        if (A->pb_row_kind_of(t, k) == PB_ROW_LINE && label && !strcmp(label, sel))
            terms_add(out, (uint32_t)k, factor * polarity(x, t, k) * xl_print_sign(x, t, k));
    }
}

/* The next run of consecutive rows with coefficient `coef` at or after
 * *i: returns 0 when there is none, else sets [*first, *last] and moves *i
 * past it. */
static int next_run(const xl_terms *ts, int coef, size_t *i, size_t *first, size_t *last)
{
    while (*i < ts->n && ts->v[*i].coef != coef)
        (*i)++;
    if (*i >= ts->n)
        return 0;
    size_t j = *i;
    while (j + 1 < ts->n && ts->v[j + 1].coef == coef && ts->v[j + 1].row == ts->v[j].row + 1)
        j++;
    *first = *i;
    *last = j;
    *i = j + 1;
    return 1;
}

/* Write the rows with coefficient `coef`, grouping consecutive rows into
 * ranges: a lone cell as itself, else SUM(...) (several SUMs past 255
 * arguments). */
static void render_sum(xl_buf *b, const xl_terms *ts, int coef, uint16_t col, int *first)
{
    size_t i = 0, lo, hi, nranges = 0, single = 0;
    while (next_run(ts, coef, &i, &lo, &hi)) {
        nranges++;
        single = lo == hi;
    }
    if (nranges == 0)
        return;
    const char *sign = coef < 0 ? "-" : (*first ? "" : "+");
    *first = 0;
    size_t nargs = 0;
    int open = 0;
    int bare = nranges == 1 && single;
    i = 0;
    while (next_run(ts, coef, &i, &lo, &hi)) {
        if (bare) {
            xl_buf_add(b, sign, strlen(sign));
        } else if (!open || nargs == MAX_SUM_ARGS) {
            if (open)
                xl_buf_add(b, ")", 1);
            xl_buf_add(b, open ? (coef < 0 ? "-" : "+") : sign, open ? 1 : strlen(sign));
            xl_buf_add(b, "SUM(", 4);
            open = 1;
            nargs = 0;
        } else {
            xl_buf_add(b, ",", 1);
        }
        char a[LXW_MAX_CELL_NAME_LENGTH], z[LXW_MAX_CELL_NAME_LENGTH];
        lxw_rowcol_to_cell(a, XL_FIRST_DATA_ROW + ts->v[lo].row, col);
        if (hi > lo) {
            lxw_rowcol_to_cell(z, XL_FIRST_DATA_ROW + ts->v[hi].row, col);
            xl_buf_addf(b, "%s:%s", a, z);
        } else {
            xl_buf_add(b, a, strlen(a));
        }
        nargs++;
    }
    if (open)
        xl_buf_add(b, ")", 1);
}

void xl_render_terms(xl_buf *b, const xl_terms *ts, uint16_t col)
{
    b->len = 0;
    xl_buf_add(b, "=", 1);
    if (ts->n == 0) {
        xl_buf_add(b, "0", 1);
        return;
    }
    if (ts->n == 1) {
        char a[LXW_MAX_CELL_NAME_LENGTH];
        lxw_rowcol_to_cell(a, XL_FIRST_DATA_ROW + ts->v[0].row, col);
        xl_buf_addf(b, "%s%s", ts->v[0].coef < 0 ? "-" : "", a);
        return;
    }
    int first = 1;
    render_sum(b, ts, 1, col, &first);
    render_sum(b, ts, -1, col, &first);
}

/* A column that is a sum of other columns: terms of the same sign in
 * adjacent columns become one range (=SUM(B9:F9) for a Total column). */
void xl_column_formula(xl_ctx *x, const pb_table *t, size_t c, uint32_t xr, xl_buf *f)
{
    size_t nt = A->pb_column_term_count(t, c);
    xl_buf_add(f, "=", 1);
    for (size_t k = 0; k < nt;) {
        uint32_t tc, tn;
        int sg, sn;
        A->pb_column_term(t, c, k, &tc, &sg);
        size_t j = k;
        while (j + 1 < nt) {
            A->pb_column_term(t, c, j + 1, &tn, &sn);
            uint32_t tj;
            int sj;
            A->pb_column_term(t, c, j, &tj, &sj);
            if (sn != sg || tn != tj + 1)
                break;
            j++;
        }
        char a[LXW_MAX_CELL_NAME_LENGTH], z[LXW_MAX_CELL_NAME_LENGTH];
        lxw_rowcol_to_cell(a, xr, (lxw_col_t)(tc + 1));
        const char *op = sg < 0 ? "-" : (k ? "+" : "");
        if (j - k >= 2) {
            uint32_t tz;
            int sz;
            A->pb_column_term(t, c, j, &tz, &sz);
            lxw_rowcol_to_cell(z, xr, (lxw_col_t)(tz + 1));
            xl_buf_addf(f, "%sSUM(%s:%s)", op, a, z);
        } else {
            j = k;
            xl_buf_addf(f, "%s%s", op, a);
        }
        k = j + 1;
    }
}

/* A line that is the sum of its parts: each part by its meaning, shown
 * with the line's printed sign.  0 when out of memory. */
int xl_parts_formula(xl_ctx *x, const pb_table *t, size_t r, uint16_t xc, xl_buf *f)
{
    int sign = xl_print_sign(x, t, r);
    size_t end = A->pb_table_row_end(t, r);
    xl_terms parts = {0};
    for (size_t k = r + 1; k < end; k++)
        terms_add(&parts, (uint32_t)k, sign * xl_print_sign(x, t, k));
    if (parts.failed) {
        free(parts.v);
        return 0;
    }
    xl_render_terms(f, &parts, xc);
    free(parts.v);
    return 1;
}

/* A computed column's cell (pb_calc.h) from the cells of its row (a share
 * of a total: from the total's cell, anchored).  Excel's ROUND rounds a
 * half away from zero: the core's half-up for figures of 0 and more (the
 * cached result is always the core's). */
void xl_calc_formula(xl_ctx *x, const pb_table *t, size_t c, size_t r, xl_buf *f)
{
    pb_calc k;
    A->pb_column_calc(t, c, &k);
    uint32_t xr = XL_FIRST_DATA_ROW + (uint32_t)r;
    int d = A->pb_column_decimals(t, c);
    char a[LXW_MAX_CELL_NAME_LENGTH], b[PB_AMOUNT_TEXT_MAX + LXW_MAX_CELL_NAME_LENGTH];
    lxw_rowcol_to_cell(a, xr, (lxw_col_t)(k.a + 1));
    if (k.kind == PB_CALC_SHARE && k.base_row) {
        int64_t br = A->pb_table_find_row(t, k.base_row, strlen(k.base_row));
        lxw_rowcol_to_cell_abs(b, XL_FIRST_DATA_ROW + (uint32_t)(br < 0 ? 0 : br),
                               (lxw_col_t)(k.a + 1), 1, 0);
    } else if (k.kind == PB_CALC_SHARE) {
        A->pb_amount_format(k.base, k.base_decimals, 0, b);
    } else {
        lxw_rowcol_to_cell(b, xr, (lxw_col_t)(k.b + 1));
    }
    switch (k.kind) {
    case PB_CALC_SHARE:
        xl_buf_addf(f, "=ROUND(%s/%s*100,%d)", a, b, d);
        break;
    case PB_CALC_RATIO:
        xl_buf_addf(f, "=ROUND(%s/%s,%d)", a, b, d);
        break;
    case PB_CALC_CHANGE:
        xl_buf_addf(f, "=ROUND(%s-%s,%d)", b, a, d);
        break;
    default:
        xl_buf_addf(f, "=ROUND((%s-%s)/%s*100,%d)", b, a, a, d);
    }
}
