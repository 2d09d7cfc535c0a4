/* pb_xlsxread_roles.c - the totals' formulas of a budget sheet read back:
 * the cells a total adds and subtracts ("SUM(B6:B9)-B14"), and from their
 * signs the roles (income, internal and funding are subtracted) that make
 * the core compute the figures the sheet shows.
 */
#include "pb_xlsxread_budget.h"
#include "pb_platform.h"

#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------- formulas */

/* Call `term` for every cell of column `col` a formula such as
 * "SUM(B6:B9,B12)-SUM(B14:B15)+B20" adds (+1) or subtracts (-1); 0 when
 * the formula is not of that shape (or refers to another column). */
typedef void (*term_fn)(void *ctx, uint32_t row, int coef);

static int parse_ref_at(const char **p, uint32_t *row, uint32_t *col)
{
    const char *s = *p, *q = s;
    while (*q == '$' || pb_ascii_isalnum((unsigned char)*q))
        q++;
    if (!pb_xr_parse_ref(s, (size_t)(q - s), row, col))
        return 0;
    *p = q;
    return 1;
}

/* The start of a formula's next term, stepped over: its sign (+1 or -1;
 * 0 when a term after the first has none) and whether it opens a SUM(. */
static int term_start(const char **p, int first, int *in_sum)
{
    int sign = 1;
    if (**p == '+' || **p == '-')
        sign = *(*p)++ == '-' ? -1 : 1;
    else if (!first)
        return 0;
    *in_sum = !pb_strncasecmp(*p, "SUM(", 4);
    if (*in_sum)
        *p += 4;
    return sign;
}

static int parse_sum_terms(const char *f, uint32_t col, uint32_t lo, uint32_t hi, term_fn fn,
                           void *ctx, unsigned long long *budget)
{
    const char *p = f + (*f == '=');
    if (!strcmp(p, "0"))
        return 1;
    for (int first = 1; *p; first = 0) {
        int in_sum, coef = term_start(&p, first, &in_sum);
        if (!coef)
            return 0;
        for (;;) {
            uint32_t r1, c1, r2, c2;
            if (!parse_ref_at(&p, &r1, &c1) || c1 != col)
                return 0;
            r2 = r1, c2 = c1;
            if (*p == ':') {
                p++;
                if (!parse_ref_at(&p, &r2, &c2) || c2 != col || r2 < r1)
                    return 0;
            }
            uint32_t a = r1 < lo ? lo : r1, b = r2 > hi ? hi : r2;
            for (uint32_t r = a; r <= b && a <= b; r++) {
                if (*budget == 0)
                    return 0;
                (*budget)--;
                fn(ctx, r, coef);
            }
            if (!in_sum)
                break;
            if (*p == ',') {
                p++;
                continue;
            }
            if (*p == ')') {
                p++;
                break;
            }
            return 0;
        }
    }
    return 1;
}

/* A Total column's formula: same-row cells added or subtracted, "B7+C7-D7"
 * or "SUM(B9:F9)".  Returns the number of terms, 0 when not that shape. */
int xr_parse_row_terms(const char *f, uint32_t row, uint32_t nc, colinfo *ci)
{
    const char *p = f + (*f == '=');
    int n = 0;
    for (int first = 1; *p; first = 0) {
        int in_sum, sign = term_start(&p, first, &in_sum);
        if (!sign)
            return 0;
        uint32_t r1, c1, r2, c2;
        if (!parse_ref_at(&p, &r1, &c1) || r1 != row)
            return 0;
        c2 = c1;
        if (in_sum && *p == ':') {
            p++;
            if (!parse_ref_at(&p, &r2, &c2) || r2 != row || c2 < c1)
                return 0;
        }
        if (in_sum) {
            if (*p != ')')
                return 0;
            p++;
        }
        for (uint32_t c = c1; c <= c2; c++) {
            if (c < 1 || c > nc || n >= 64)
                return 0;
            ci->term_col[n] = c - 1;
            ci->term_sign[n] = (int8_t)sign;
            n++;
        }
    }
    return n;
}

/* ------------------------------------------------------------- words */

static int has_word(const char *s, const char *w)
{
    if (!s)
        return 0;
    size_t n = strlen(w);
    for (const char *p = s; *p; p++)
        if (!pb_strncasecmp(p, w, n))
            return 1;
    return 0;
}

/* A role a label suggests that counts `want` (+1 added, -1 subtracted)
 * in a table that prints income with `income_sign`. */
static pb_role hinted_role(const char *label, int want, int income_sign)
{
    if (want < 0) {
        if (has_word(label, "less") || has_word(label, "internal") || has_word(label, "recharge"))
            return PB_ROLE_INTERNAL;
        if (has_word(label, "funding"))
            return PB_ROLE_FUNDING;
        return income_sign < 0 ? PB_ROLE_INTERNAL : PB_ROLE_INCOME;
    }
    if (income_sign < 0 && has_word(label, "income"))
        return PB_ROLE_INCOME; /* printed negative, so it is added as printed */
    if (has_word(label, "saving"))
        return PB_ROLE_SAVING;
    if (has_word(label, "growth") || has_word(label, "pressure"))
        return PB_ROLE_GROWTH;
    if (has_word(label, "adjust") || has_word(label, "reversal"))
        return PB_ROLE_ADJUSTMENT;
    if (has_word(label, "expenditure") || has_word(label, "spend"))
        return PB_ROLE_EXPENDITURE;
    return PB_ROLE_INHERIT;
}

/* ------------------------------------------------------------- roles */

typedef struct role_ctx {
    sheet_reader *s;
    int8_t *coef;    /* per table row: +1, -1 or 0 (not a term) */
    size_t *touched; /* the table rows with a coefficient, in formula order */
    size_t ntouched, cap;
    int failed;
} role_ctx;

static void note_term(void *ctx, uint32_t row, int coef)
{
    role_ctx *rc = ctx;
    const rowrec *rec = xr_rec_of(rc->s, row);
    if (!rec || rec->trow < 0)
        return;
    size_t k = (size_t)rec->trow;
    if (!rc->coef[k]) {
        if (!xr_grow((void **)&rc->touched, &rc->cap, rc->ntouched + 1, sizeof *rc->touched)) {
            rc->failed = 1;
            return;
        }
        rc->touched[rc->ntouched++] = k;
    }
    rc->coef[k] = (int8_t)coef;
}

static int by_index(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

/* How a row counts in the net arithmetic as printed: its role's polarity,
 * times -1 for income printed negative. */
static int net_sign(xr_plan_ctx *x, const pb_table *t, size_t r)
{
    pb_role role = A->pb_row_effective_role(t, r);
    int ps = A->pb_table_income_sign(t) < 0 && role == PB_ROLE_INCOME ? -1 : 1;
    return A->pb_role_polarity(role) * ps;
}

/* The formula of a total's row in an amount column that is not itself a
 * total of columns (and its sheet column), or NULL. */
static const char *total_formula(sheet_reader *s, const rowrec *rec, uint32_t *col)
{
    xr_plan_ctx *x = s->x;
    for (size_t ci = s->row_start[rec->sheet_row]; ci < s->row_start[rec->sheet_row + 1]; ci++) {
        const pb_xr_cell *cell = &s->g->cells[ci];
        uint32_t c = cell->col - 1;
        if (cell->col >= 1 && cell->col <= s->nc && cell->has_formula &&
            s->cols[c].type == PB_COL_AMOUNT && !A->pb_column_term_count(s->t, c) &&
            pb_xr_cell_formula(s->g, cell)[0]) {
            *col = cell->col;
            return pb_xr_cell_formula(s->g, cell);
        }
    }
    return NULL;
}

/* A total of the lines (or parts) of one label, above table row tr: a
 * selection; its label, or NULL. */
static const char *selection_label(sheet_reader *s, const role_ctx *rc, size_t tr)
{
    xr_plan_ctx *x = s->x;
    const char *sel = NULL;
    int parts = 0, any = 0;
    for (size_t j = 0; j < rc->ntouched; j++) {
        size_t k = rc->touched[j];
        if (k >= tr)
            continue;
        any = 1;
        const char *lb = A->pb_row_label(s->t, k);
        if (A->pb_row_kind_of(s->t, k) != PB_ROW_LINE || !lb || (sel && strcmp(sel, lb)))
            return NULL;
        sel = lb;
        parts |= A->pb_row_is_part(s->t, k);
    }
    return any && parts ? sel : NULL;
}

/* Pass 0: a top-level total that adds a row of income: income is printed
 * negative.  0 with e set when the core refuses. */
static int note_income_sign(sheet_reader *s, size_t k, size_t target, int want, pb_error *e)
{
    xr_plan_ctx *x = s->x;
    pb_table *t = s->t;
    uint32_t parent = A->pb_row_parent(t, k);
    const char *label = A->pb_row_label(t, target);
    const char *sl = parent != PB_NONE ? A->pb_row_label(t, parent) : NULL;
    if (want > 0 && (has_word(label, "income") || has_word(sl, "income")) &&
        A->pb_table_set_income_sign(t, -1, e))
        return 0;
    return 1;
}

/* Pass 1: give table row `target` (a term of a total, or the section it
 * stands for) the role that counts it `want` (+1 added, -1 subtracted).
 * 0 with e set when the core refuses. */
static int give_role(sheet_reader *s, size_t k, size_t target, int want, pb_error *e)
{
    xr_plan_ctx *x = s->x;
    pb_table *t = s->t;
    uint32_t parent = A->pb_row_parent(t, k);
    const char *label = A->pb_row_label(t, target);
    int sign = A->pb_table_income_sign(t);
    if (want > 0 && sign < 0 && target == k && parent != PB_NONE &&
        A->pb_row_kind_of(t, parent) == PB_ROW_SECTION &&
        has_word(A->pb_row_label(t, parent), "income") &&
        A->pb_row_role(t, parent) == PB_ROLE_INHERIT) {
        /* the lines of an Income section without a total */
        target = parent;
        label = A->pb_row_label(t, parent);
    }
    int have = net_sign(x, t, target);
    pb_role role = PB_ROLE_INHERIT;
    if (have != want || (A->pb_row_kind_of(t, target) == PB_ROW_SECTION &&
                         A->pb_row_role(t, target) == PB_ROLE_INHERIT))
        role = hinted_role(label, want, sign);
    if (role == PB_ROLE_INHERIT && have != want)
        role = want > 0 ? PB_ROLE_EXPENDITURE : PB_ROLE_INTERNAL;
    if (role == PB_ROLE_INHERIT)
        return 1;
    pb_role old = A->pb_row_role(t, target);
    if (A->pb_row_set_role(t, target, role, e))
        return 0;
    if (net_sign(x, t, target) != want && A->pb_row_set_role(t, target, old, e))
        return 0;
    return 1;
}

/* The terms of one total (table row tr), in pass 0 or 1.  0 with e set
 * when the core refuses. */
static int total_roles(sheet_reader *s, const role_ctx *rc, size_t tr, int pass, pb_error *e)
{
    xr_plan_ctx *x = s->x;
    pb_table *t = s->t;
    size_t nr = A->pb_table_row_count(t);
    const char *sel = selection_label(s, rc, tr);
    if (sel)
        return pass == 0 || !A->pb_row_set_text(t, tr, PB_ROW_SELECT, sel, strlen(sel), e);
    int factor = net_sign(x, t, tr);
    for (size_t j = 0; j < rc->ntouched; j++) {
        size_t k = rc->touched[j];
        if (k >= tr)
            continue;
        int want = rc->coef[k] * factor;
        /* a section's closing total stands for its section */
        size_t target = k;
        uint32_t parent = A->pb_row_parent(t, k);
        if (A->pb_row_kind_of(t, k) == PB_ROW_TOTAL && parent != PB_NONE &&
            A->pb_row_kind_of(t, parent) == PB_ROW_SECTION &&
            (k + 1 == nr || A->pb_row_depth(t, k + 1) <= A->pb_row_depth(t, parent)))
            target = parent;
        if (!(pass == 0 ? note_income_sign(s, k, target, want, e)
                        : give_role(s, k, target, want, e)))
            return 0;
    }
    return 1;
}

int xr_infer_roles(sheet_reader *s)
{
    xr_plan_ctx *x = s->x;
    size_t nr = A->pb_table_row_count(s->t);
    if (!nr)
        return 1;
    role_ctx rc = {s, calloc(nr, 1), NULL, 0, 0, 0};
    if (!rc.coef)
        return xr_fail(x->err, PB_ERR_NOMEM, NULL, NULL, "out of memory");
    unsigned long long budget = MAX_TERM_VISITS;
    uint32_t lo = FIRST_DATA_ROW, hi = s->nrecs ? s->recs[s->nrecs - 1].sheet_row : lo;
    pb_error e;
    A->pb_error_clear(&e);
    int ok = 1;
    /* outer totals first: a section's role comes from the total above it;
     * pass 0 only looks at the top-level totals for income printed
     * negative (added where a positive income would be subtracted) */
    for (int pass = 0; pass < 2 && ok; pass++) {
        for (int level = 0; level <= (pass ? PB_MAX_SECTION_DEPTH : 0) && ok; level++) {
            for (size_t i = 0; i < s->nrecs && ok; i++) {
                const rowrec *rec = &s->recs[i];
                uint32_t col = 0;
                const char *f;
                if (rec->trow < 0 || rec->kind != PB_ROW_TOTAL || rec->level != level ||
                    !(f = total_formula(s, rec, &col)))
                    continue;
                for (size_t k = 0; k < rc.ntouched; k++)
                    rc.coef[rc.touched[k]] = 0;
                rc.ntouched = 0;
                int parsed = parse_sum_terms(f, col, lo, hi, note_term, &rc, &budget);
                if (rc.failed) {
                    free(rc.coef);
                    free(rc.touched);
                    return xr_fail(x->err, PB_ERR_NOMEM, NULL, NULL, "out of memory");
                }
                if (!parsed)
                    continue;
                if (rc.ntouched > 1)
                    qsort(rc.touched, rc.ntouched, sizeof *rc.touched, by_index);
                ok = total_roles(s, &rc, (size_t)rec->trow, pass, &e);
            }
        }
    }
    free(rc.coef);
    free(rc.touched);
    return ok ? 1 : xr_core_fail(s, 0, 0, &e);
}
