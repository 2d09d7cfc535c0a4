/* pb_check.c - computing totals, sum columns and parts; the checks. */
#include "pb_check.h"
#include "pb_budget_message_private.h"
#include "pb_calc_private.h"
#include "pb_narrative_private.h"
#include "pb_finding_private.h"
#include "pb_hash.h"
#include "pb_indicator.h"
#include "pb_plan_private.h"
#include "pb_record.h"
#include "pb_described.h"
#include "pb_risk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ============================================================ compute */

/* A running value: amount plus whether it is unknown or overflowed. */
typedef struct acc {
    pb_amount v;
    uint8_t state; /* pb_computed_state: VALUE, UNKNOWN or OVERFLOW */
} acc;

static void acc_add(acc *a, uint8_t state, pb_amount v, int sign)
{
    if (a->state == PB_COMP_OVERFLOW)
        return;
    if (state == PB_COMP_OVERFLOW) {
        a->state = PB_COMP_OVERFLOW;
        return;
    }
    if (state == PB_COMP_UNKNOWN)
        a->state = PB_COMP_UNKNOWN;
    pb_amount term = v;
    if (sign < 0 && pb_amount_neg(v, &term) != PB_OK) {
        a->state = PB_COMP_OVERFLOW;
        return;
    }
    if (pb_amount_add(a->v, term, &a->v) != PB_OK)
        a->state = PB_COMP_OVERFLOW;
}

/* The figure a cell contributes to arithmetic: its computed figure if it
 * has one, else its own (meaning); blank is zero or unknown. */
static uint8_t arith(const pb_table *t, size_t r, size_t c, pb_amount *v)
{
    size_t i = PB_CELL(t, r, c);
    if (t->comp_state[i] != PB_COMP_NONE) {
        *v = t->comp[i];
        return t->comp_state[i];
    }
    pb_cell_state s = pb_cell_value(t, r, c, v);
    if (s == PB_CELL_BLANK)
        return t->blank_zero ? PB_COMP_VALUE : PB_COMP_UNKNOWN;
    return PB_COMP_VALUE;
}

static int is_part(const pb_table *t, size_t r)
{
    uint32_t p = t->rows[r].parent;
    return p != PB_NONE && t->rows[p].kind == PB_ROW_LINE;
}

/* Amount columns in an order where every sum column follows its terms. */
static void topo_visit(const pb_table *t, uint32_t c, uint8_t *mark,
                       uint32_t *order, size_t *n)
{
    if (mark[c])
        return;
    mark[c] = 1;
    const pb_column *col = &t->cols[c];
    for (uint32_t k = 0; k < pb_colm(col)->nterms; k++)
        topo_visit(t, pb_colm(col)->term_cols[k], mark, order, n);
    order[(*n)++] = c;
}

static void set_comp(pb_table *t, size_t r, size_t c, acc a)
{
    size_t i = PB_CELL(t, r, c);
    t->comp[i] = a.state == PB_COMP_VALUE ? a.v : 0;
    t->comp_state[i] = a.state;
}

/* ------------------------------------------------------ select totals
 *
 * A `select` total shows the sum of the lines and parts labelled with its
 * text that precede it in its section (rows parent+1 .. r-1), each signed by
 * its role times the total's: in row order, so that an overflow or an
 * unknown figure counts as it comes.  Summing that range afresh for every
 * select total made the check quadratic (every total walked every row
 * before it).  Instead the select totals are grouped by (section, text):
 * the ranges of a group's totals are prefixes of one sequence, so one walk
 * over the group's matching lines, in row order, with a running sum (one
 * for each sign of the total's role), gives every total of the group the
 * very sum the range would have, operation for operation.  A line is walked
 * once for each group of its label whose section contains it: at most once
 * per enclosing section.  The matching lines of a text are found through a
 * hash of the select texts. */

static int is_select(const pb_table *t, const pb_row *row)
{
    return row->kind == PB_ROW_TOTAL && pb_row_xtext(t, row, PB_ROW_SELECT);
}

/* The key of a select total: its text (texts), or its text and its parent
 * (groups). */
static const char *text_key(const void *ctx, uint32_t r, size_t *len, uint32_t *tag)
{
    const pb_table *t = ctx;
    const char *s = pb_row_xtext(t, &t->rows[r], PB_ROW_SELECT);
    *len = strlen(s);
    *tag = 0;
    return s;
}

static const char *group_key(const void *ctx, uint32_t r, size_t *len, uint32_t *tag)
{
    const char *s = text_key(ctx, r, len, tag);
    *tag = ((const pb_table *)ctx)->rows[r].parent;
    return s;
}

/* The figures of one group of select totals (those of one text in one
 * section, tots[0..ntots) in row order): each sums the lines line[0..n) of
 * its text (in row order) from the section's start to the total.  sums
 * holds 2 x ncols accumulators (+ and - polarity). */
static void group_sums(pb_table *t, uint32_t parent, const uint32_t *line, size_t n,
                       const uint32_t *tots, size_t ntots, acc *sums)
{
    size_t nc = t->ncols;
    uint32_t start = parent == PB_NONE ? 0 : parent + 1;
    /* the first line at or after `start` */
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (line[mid] < start)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t c = 0; c < 2 * nc; c++)
        sums[c] = (acc){0, PB_COMP_VALUE};
    for (size_t i = 0; i < ntots; i++) {
        uint32_t r = tots[i];
        for (; lo < n && line[lo] < r; lo++) {
            int pol = pb_role_polarity((pb_role)t->rows[line[lo]].eff_role);
            for (size_t c = 0; c < nc; c++) {
                if (t->cols[c].type != PB_COL_AMOUNT)
                    continue;
                pb_amount v;
                uint8_t s = arith(t, line[lo], c, &v);
                acc_add(&sums[c], s, v, pol);
                acc_add(&sums[nc + c], s, v, -pol);
            }
        }
        int tpol = pb_role_polarity((pb_role)t->rows[r].eff_role);
        for (size_t c = 0; c < nc; c++)
            if (t->cols[c].type == PB_COL_AMOUNT)
                set_comp(t, r, c, sums[tpol > 0 ? c : nc + c]);
    }
}

/* Every select total's figures (nsel > 0 of them in the table). */
static pb_status compute_selects(pb_table *t, size_t nsel, pb_error *err)
{
    size_t nr = t->nrows, nc = t->ncols;
    pb_status status = PB_OK;
    pb_hash texts, groups;
    pb_hash_init(&texts);
    pb_hash_init(&groups);
    /* by row: a text's number (of the first total with that text, and of a
     * line with that label, else UINT32_MAX); a group's number (of its
     * first total) */
    uint32_t *text_of = malloc(nr * sizeof *text_of);
    uint32_t *group_of = malloc(nr * sizeof *group_of);
    /* by group: its text, its first total; its totals, in row order, at
     * group_tots[group_start[g] ..] */
    uint32_t *group_text = malloc(nsel * sizeof *group_text);
    uint32_t *group_first = malloc(nsel * sizeof *group_first);
    uint32_t *group_start = calloc(nsel + 1, sizeof *group_start);
    uint32_t *group_tots = malloc(nsel * sizeof *group_tots);
    /* by text: its lines, in row order, at text_lines[text_start[x] ..] */
    uint32_t *text_start = calloc(nsel + 1, sizeof *text_start);
    uint32_t *text_lines = NULL;
    acc *sums = malloc(2 * (nc ? nc : 1) * sizeof *sums); /* [0..nc): +, [nc..2nc): - */
    if (!text_of || !group_of || !group_text || !group_first || !group_start ||
        !group_tots || !text_start || !sums || !pb_hash_reserve(&texts, nsel) ||
        !pb_hash_reserve(&groups, nsel))
        goto nomem;

    size_t ntext = 0, ngroup = 0, nline = 0;
    for (uint32_t r = 0; r < nr; r++) {
        const pb_row *row = &t->rows[r];
        text_of[r] = UINT32_MAX;
        if (is_select(t, row)) {
            int made;
            pb_hash_slot *x = pb_hash_add(&texts, r, text_key, t, &made);
            pb_hash_slot *g = x ? pb_hash_add(&groups, r, group_key, t, &made) : NULL;
            if (!g)
                goto nomem;
            if (x->value == r)
                text_of[r] = (uint32_t)ntext++;
            if (made) {
                group_of[r] = (uint32_t)ngroup;
                group_text[ngroup] = text_of[x->value];
                group_first[ngroup++] = r;
            }
            group_start[group_of[g->value] + 1]++;
        }
    }
    for (uint32_t r = 0; r < nr; r++) {
        const pb_row *row = &t->rows[r];
        if (row->kind != PB_ROW_LINE || !row->label)
            continue;
        const pb_hash_slot *x = pb_hash_find(&texts, row->label, strlen(row->label), 0,
                                             text_key, t);
        if (x) {
            text_of[r] = text_of[x->value];
            text_start[text_of[r] + 1]++;
            nline++;
        }
    }
    for (size_t x = 0; x < ntext; x++)
        text_start[x + 1] += text_start[x];
    for (size_t g = 0; g < ngroup; g++)
        group_start[g + 1] += group_start[g];
    text_lines = malloc((nline ? nline : 1) * sizeof *text_lines);
    if (!text_lines)
        goto nomem;
    /* fill, in row order (text_start/group_start count up and are then
     * shifted back) */
    for (uint32_t r = 0; r < nr; r++) {
        const pb_row *row = &t->rows[r];
        if (row->kind == PB_ROW_LINE && text_of[r] != UINT32_MAX)
            text_lines[text_start[text_of[r]]++] = r;
        else if (is_select(t, row)) {
            const char *sel = pb_row_xtext(t, row, PB_ROW_SELECT);
            pb_hash_slot *g = pb_hash_find(&groups, sel, strlen(sel),
                                           row->parent, group_key, t);
            group_tots[group_start[group_of[g->value]]++] = r;
        }
    }
    for (size_t x = ntext; x > 0; x--)
        text_start[x] = text_start[x - 1];
    text_start[0] = 0;
    for (size_t g = ngroup; g > 0; g--)
        group_start[g] = group_start[g - 1];
    group_start[0] = 0;

    for (size_t g = 0; g < ngroup; g++) {
        uint32_t x = group_text[g];
        group_sums(t, t->rows[group_first[g]].parent, text_lines + text_start[x],
                   text_start[x + 1] - text_start[x], group_tots + group_start[g],
                   group_start[g + 1] - group_start[g], sums);
    }
    goto done;
nomem:
    status = pb_error_set(err, PB_ERR_NOMEM, NULL);
done:
    pb_hash_free(&texts);
    pb_hash_free(&groups);
    free(text_of);
    free(group_of);
    free(group_text);
    free(group_first);
    free(group_start);
    free(group_tots);
    free(text_start);
    free(text_lines);
    free(sums);
    return status;
}

/* Pass A: a line with parts is their sum in every plain column where a
 * part has a figure. */
static void compute_parts(pb_table *t)
{
    size_t nc = t->ncols, nr = t->nrows;
    for (size_t r = 0; r < nr; r++) {
        if (t->rows[r].kind != PB_ROW_LINE || !is_part(t, r))
            continue;
        uint32_t line = t->rows[r].parent;
        for (size_t c = 0; c < nc; c++) {
            if (t->cols[c].type != PB_COL_AMOUNT || pb_colm(&t->cols[c])->nterms)
                continue;
            pb_amount v;
            pb_cell_state s = pb_cell_value(t, r, c, &v);
            if (s == PB_CELL_BLANK)
                continue;
            size_t i = PB_CELL(t, line, c);
            acc a = {0, PB_COMP_VALUE};
            if (t->comp_state[i] != PB_COMP_NONE) {
                a.v = t->comp[i];
                a.state = t->comp_state[i];
            }
            acc_add(&a, PB_COMP_VALUE, v, 1);
            set_comp(t, line, c, a);
        }
    }
}

/* Pass B: sum columns of lines and parts, in dependency order (the amount
 * columns' order[0..norder)). */
static void compute_sums(pb_table *t, const uint32_t *order, size_t norder)
{
    size_t nr = t->nrows;
    for (size_t r = 0; r < nr; r++) {
        if (t->rows[r].kind != PB_ROW_LINE)
            continue;
        for (size_t k = 0; k < norder; k++) {
            const pb_column *col = &t->cols[order[k]];
            if (!pb_colm(col)->nterms)
                continue;
            acc a = {0, PB_COMP_VALUE};
            int dec = pb_column_decimals(t, order[k]);
            for (uint32_t j = 0; j < pb_colm(col)->nterms; j++) {
                pb_amount v;
                uint8_t s = arith(t, r, pb_colm(col)->term_cols[j], &v);
                int tdec = pb_column_decimals(t, pb_colm(col)->term_cols[j]);
                if (s == PB_COMP_VALUE && tdec != dec &&
                    pb_amount_rescale(v, tdec, dec, &v) != PB_OK)
                    s = PB_COMP_OVERFLOW;
                acc_add(&a, s, v, pb_colm(col)->term_signs[j]);
            }
            set_comp(t, r, order[k], a);
        }
    }
}


/* ------------------------------------------------- computed columns */

/* The figure of operand column c in row r: a text cell counts when it is
 * a single number as printed.  1 when there is one. */
static int calc_operand(const pb_table *t, size_t r, size_t c, pb_amount *v, int *d)
{
    if (t->cols[c].type == PB_COL_TEXT) {
        const char *s = pb_cell_text(t, r, c);
        return s && pb_calc_figure(s, strlen(s), v, d);
    }
    *d = pb_column_decimals(t, c);
    return arith(t, r, c, v) == PB_COMP_VALUE;
}

/* The exact figure of computed column c in row r as *num / *den:
 * PB_CALC_OK, PB_CALC_OVERFLOW, PB_CALC_UNDEFINED, or -1 when an operand
 * has no figure. */
static int calc_exact(const pb_table *t, size_t r, size_t c, int64_t *num, int64_t *den)
{
    const pb_column *col = &t->cols[c];
    pb_amount a, b;
    int da, db;
    if (!calc_operand(t, r, pb_colm(col)->calc_a, &a, &da))
        return -1;
    if (pb_colm(col)->calc != PB_CALC_SHARE) {
        if (!calc_operand(t, r, pb_colm(col)->calc_b, &b, &db))
            return -1;
    } else if (pb_colm(col)->calc_row) {
        int64_t br = pb_table_find_row(t, pb_colm(col)->calc_row, strlen(pb_colm(col)->calc_row));
        if (br < 0 || t->rows[br].kind == PB_ROW_SECTION ||
            !calc_operand(t, (size_t)br, pb_colm(col)->calc_a, &b, &db))
            return -1;
    } else {
        b = pb_colm(col)->calc_base;
        db = pb_colm(col)->calc_base_dec;
    }
    return pb_calc_exact((pb_calc_kind)pb_colm(col)->calc, a, da, b, db, num, den);
}

/* A computed cell: a cell of a computed column in any row but a section;
 * in a text column (printed figures) only where it prints a single number,
 * which *p holds at dp places; other text is carried as printed. */
typedef struct calc_cell {
    size_t r, c;
    int dc;   /* the column's decimals */
    int text; /* a text column: p and dp hold the printed figure */
    pb_amount p;
    int dp;
} calc_cell;

typedef pb_status (*calc_visit)(pb_table *t, const calc_cell *k, void *ctx);

/* Visits every computed cell, column by column, rows in order: what
 * computing them and checking them share. */
static pb_status each_calc_cell(pb_table *t, calc_visit visit, void *ctx)
{
    for (size_t c = 0; c < t->ncols; c++) {
        const pb_column *col = &t->cols[c];
        if (!pb_colm(col)->calc)
            continue;
        calc_cell k = {.c = c, .dc = pb_column_decimals(t, c), .text = col->type == PB_COL_TEXT};
        for (k.r = 0; k.r < t->nrows; k.r++) {
            if (t->rows[k.r].kind == PB_ROW_SECTION)
                continue;
            k.dp = k.dc;
            if (k.text) {
                const char *s = pb_cell_text(t, k.r, c);
                if (!s || !pb_calc_figure(s, strlen(s), &k.p, &k.dp))
                    continue;
            }
            pb_status st = visit(t, &k, ctx);
            if (st != PB_OK)
                return st;
        }
    }
    return PB_OK;
}

/* A computed cell's figure at its column's precision; a text cell whose
 * operands have no figure is left uncomputed (as pb_table_compute left it). */
static pb_status compute_calc_cell(pb_table *t, const calc_cell *k, void *ctx)
{
    (void)ctx;
    int64_t num, den;
    acc a = {0, PB_COMP_VALUE};
    int st = calc_exact(t, k->r, k->c, &num, &den);
    if (st == PB_CALC_OK)
        st = pb_calc_round(num, den, k->dc, (pb_rounding)pb_colm(&t->cols[k->c])->calc_round, &a.v);
    if (st == PB_CALC_OVERFLOW)
        a.state = PB_COMP_OVERFLOW;
    else if (st != PB_CALC_OK)
        a.state = k->text ? PB_COMP_NONE : PB_COMP_UNKNOWN;
    set_comp(t, k->r, k->c, a);
    return PB_OK;
}

pb_status pb_table_compute(pb_table *t, pb_error *err)
{
    if (t->comp && t->comp_generation == t->head.plan->generation &&
        t->comp_cap >= (size_t)t->nrows * t->ncols)
        return PB_OK;
    size_t nc = t->ncols, nr = t->nrows, ncell = nr * nc;
    if (ncell > t->comp_cap || !t->comp) {
        size_t cap = ncell ? ncell : 1;
        pb_amount *comp = realloc(t->comp, cap * sizeof *comp);
        if (!comp)
            return pb_error_set(err, PB_ERR_NOMEM, NULL);
        t->comp = comp;
        uint8_t *cs = realloc(t->comp_state, cap);
        if (!cs)
            return pb_error_set(err, PB_ERR_NOMEM, NULL);
        t->comp_state = cs;
        t->comp_cap = cap;
    }
    if (ncell)
        memset(t->comp_state, PB_COMP_NONE, ncell);

    pb_status status = PB_OK;
    uint32_t *order = NULL;
    uint8_t *mark = NULL;
    acc *frames = NULL;
    uint32_t *frame_section = NULL;
    size_t norder = 0;

    order = malloc((nc ? nc : 1) * sizeof *order);
    mark = calloc(nc ? nc : 1, 1);
    frames = malloc((size_t)(PB_MAX_SECTION_DEPTH + 2) * (nc ? nc : 1) * sizeof *frames);
    frame_section = malloc((PB_MAX_SECTION_DEPTH + 2) * sizeof *frame_section);
    if (!order || !mark || !frames || !frame_section) {
        status = pb_error_set(err, PB_ERR_NOMEM, NULL);
        goto cleanup;
    }
    for (uint32_t c = 0; c < nc; c++)
        if (t->cols[c].type == PB_COL_AMOUNT)
            topo_visit(t, c, mark, order, &norder);

    compute_parts(t); /* pass A */
    compute_sums(t, order, norder); /* pass B */

    /* Pass C: totals, walking the section tree with a stack of running
     * sums in the net arithmetic (each line signed by its role). */
    size_t depth = 0, nsel = 0;
    frame_section[0] = PB_NONE;
    for (size_t c = 0; c < nc; c++)
        frames[c] = (acc){0, PB_COMP_VALUE};
    for (size_t r = 0; r < nr; r++) {
        const pb_row *row = &t->rows[r];
        if (row->kind == PB_ROW_LINE && is_part(t, r))
            continue;
        while (frame_section[depth] != row->parent && depth > 0) {
            acc *top = frames + depth * nc, *below = top - nc;
            for (size_t c = 0; c < nc; c++)
                acc_add(&below[c], top[c].state, top[c].v, 1);
            depth--;
        }
        acc *cur = frames + depth * nc;
        if (row->kind == PB_ROW_SECTION) {
            if (depth + 1 >= PB_MAX_SECTION_DEPTH + 2) {
                status = pb_error_set(err, PB_ERR_LIMIT, "sections nested too deep");
                goto cleanup;
            }
            depth++;
            frame_section[depth] = (uint32_t)r;
            for (size_t c = 0; c < nc; c++)
                frames[depth * nc + c] = (acc){0, PB_COMP_VALUE};
        } else if (row->kind == PB_ROW_LINE) {
            int pol = pb_role_polarity((pb_role)row->eff_role);
            for (size_t c = 0; c < nc; c++) {
                if (t->cols[c].type != PB_COL_AMOUNT)
                    continue;
                pb_amount v;
                uint8_t s = arith(t, r, c, &v);
                acc_add(&cur[c], s, v, pol);
            }
        } else if (is_select(t, row)) {
            nsel++; /* below */
        } else { /* total */
            int pol = pb_role_polarity((pb_role)row->eff_role);
            for (size_t c = 0; c < nc; c++) {
                if (t->cols[c].type != PB_COL_AMOUNT)
                    continue;
                acc a = {0, PB_COMP_VALUE};
                acc_add(&a, cur[c].state, cur[c].v, pol);
                set_comp(t, r, c, a);
            }
        }
    }
    /* Pass D: select totals (they sum lines only, whatever pass C did). */
    if (nsel && (status = compute_selects(t, nsel, err)) != PB_OK)
        goto cleanup;
    /* Pass E: computed columns (shares, ratios, changes), from the
     * figures of every row, totals included. */
    (void)each_calc_cell(t, compute_calc_cell, NULL);
    t->comp_generation = t->head.plan->generation;

cleanup:
    free(order);
    free(mark);
    free(frames);
    free(frame_section);
    if (status != PB_OK) {
        /* leave no half-made cache behind */
        t->comp_generation = t->head.plan->generation - 1;
        if (ncell)
            memset(t->comp_state, PB_COMP_NONE, ncell);
    }
    return status;
}

pb_computed_state pb_cell_computed(const pb_table *t, size_t r, size_t c,
                                   pb_amount *value)
{
    size_t i = PB_CELL(t, r, c);
    if (!t->comp || t->comp_generation != t->head.plan->generation) {
        *value = 0;
        return PB_COMP_NONE;
    }
    pb_computed_state st = (pb_computed_state)t->comp_state[i];
    *value = st == PB_COMP_VALUE ? t->comp[i] : 0;
    return st;
}

pb_computed_state pb_table_net(pb_table *t, size_t c, pb_amount *value,
                               pb_error *err)
{
    *value = 0;
    if (c >= t->ncols || t->cols[c].type != PB_COL_AMOUNT)
        return PB_COMP_NONE;
    if (pb_table_compute(t, err) != PB_OK)
        return PB_COMP_OVERFLOW;
    acc a = {0, PB_COMP_VALUE};
    for (size_t r = 0; r < t->nrows; r++) {
        const pb_row *row = &t->rows[r];
        if (row->kind != PB_ROW_LINE || is_part(t, r))
            continue;
        pb_amount v;
        uint8_t s = arith(t, r, c, &v);
        acc_add(&a, s, v, pb_role_polarity((pb_role)row->eff_role));
    }
    *value = a.v;
    return (pb_computed_state)a.state;
}

/* ============================================================== checks */

/* The figure a reader of the table sees: printed if printed, else computed. */
static int shown(const pb_table *t, size_t r, size_t c, pb_amount *v)
{
    pb_cell_state s = pb_cell_value(t, r, c, v);
    if (s == PB_CELL_VALUE || s == PB_CELL_NIL)
        return 1;
    size_t i = PB_CELL(t, r, c);
    if (t->comp_state[i] == PB_COMP_VALUE) {
        *v = t->comp[i];
        return 1;
    }
    return 0;
}

/* |diff| > tolerance, with diff at `decimals` and tolerance at
 * PB_TOLERANCE_DECIMALS. */
static int exceeds(pb_amount diff, int decimals, pb_amount tolerance)
{
    if (diff == 0)
        return 0;
    pb_amount m;
    if (pb_amount_neg(diff, &m) != PB_OK)
        return 1;
    if (diff > 0)
        m = diff;
    if (pb_amount_rescale(m, decimals, PB_TOLERANCE_DECIMALS, &m) != PB_OK)
        return 1;
    return m > tolerance;
}

/* Bring *a (da decimals) and *b (db decimals) to the finer of the two, *d,
 * negate each when asked, and set *diff = *a - *b: 1 when the arithmetic
 * overflows (the check then cannot be made), else 0.  What the equals
 * rule and an agreement compare. */
static int compare_amounts(pb_amount *a, int da, int nega, pb_amount *b, int db, int negb,
                           int *d, pb_amount *diff)
{
    *d = da > db ? da : db;
    return pb_amount_rescale(*a, da, *d, a) != PB_OK ||
           pb_amount_rescale(*b, db, *d, b) != PB_OK ||
           (nega && pb_amount_neg(*a, a) != PB_OK) ||
           (negb && pb_amount_neg(*b, b) != PB_OK) ||
           pb_amount_sub(*a, *b, diff) != PB_OK;
}

/* The outcome of a comparison in its finding: the amounts compared, or
 * (ovf) why none are given.  *declared, *computed and *diff are read only
 * when !ovf. */
static void comparison_outcome(pb_finding *f, int ovf, const pb_amount *declared,
                               const pb_amount *computed, const pb_amount *diff)
{
    if (ovf) {
        snprintf(f->detail, sizeof f->detail,
                 "the arithmetic overflows the fixed-point range");
    } else {
        f->has_values = 1;
        f->declared = *declared;
        f->computed = *computed;
        f->difference = *diff;
    }
}

/* A new finding on cell (r, c) of table ti, its figures at d decimals, an
 * error unless said otherwise: NULL when memory runs out. */
static pb_finding *cell_finding(pb_findings *out, const pb_table *t, uint32_t ti, size_t r,
                                size_t c, int d)
{
    pb_finding *f = pb_finding_new(out, PB_PART_BUDGETS);
    if (f) {
        f->severity = PB_SEV_ERROR;
        f->table = ti;
        f->row = (uint32_t)r;
        f->column = (uint32_t)c;
        f->decimals = (int8_t)d;
        pb_cell_source(t, r, c, &f->line, &f->col);
    }
    return f;
}

static pb_amount table_tolerance(const pb_table *t)
{
    return t->has_tolerance ? t->tolerance : t->head.plan->tolerance;
}

static pb_status check_equals(pb_table *t, uint32_t ti, pb_amount tol, pb_findings *out,
                              pb_error *err);
typedef struct calc_check {
    uint32_t ti;
    pb_findings *out;
    pb_error *err;
} calc_check;
static pb_status check_calc_cell(pb_table *t, const calc_cell *k, void *ctx);

static pb_status check_table(pb_table *t, uint32_t ti, pb_findings *out,
                             pb_error *err)
{
    pb_status st = pb_table_compute(t, err);
    if (st)
        return st;
    pb_amount tol = table_tolerance(t);
    for (size_t r = 0; r < t->nrows; r++) {
        const pb_row *row = &t->rows[r];
        if (row->kind == PB_ROW_SECTION)
            continue;
        for (size_t c = 0; c < t->ncols; c++) {
            if (t->cols[c].type != PB_COL_AMOUNT || pb_colm(&t->cols[c])->calc)
                continue; /* computed columns: check_calc_cell */
            size_t i = PB_CELL(t, r, c);
            uint8_t cs = t->comp_state[i];
            if (cs == PB_COMP_NONE)
                continue;
            pb_amount decl;
            pb_cell_state ds = pb_cell_value(t, r, c, &decl);
            if (ds != PB_CELL_VALUE && ds != PB_CELL_NIL)
                continue;
            pb_finding_code code =
                row->kind == PB_ROW_TOTAL
                    ? PB_FIND_TOTAL
                    : (pb_colm(&t->cols[c])->nterms ? PB_FIND_FORMULA : PB_FIND_PARTS);
            pb_amount diff = 0;
            int unchecked = cs != PB_COMP_VALUE;
            if (!unchecked && pb_amount_sub(decl, t->comp[i], &diff) != PB_OK)
                unchecked = 1, cs = PB_COMP_OVERFLOW;
            if (!unchecked && !exceeds(diff, pb_column_decimals(t, c), tol))
                continue;
            pb_finding *f = cell_finding(out, t, ti, r, c, pb_column_decimals(t, c));
            if (!f)
                return pb_error_set(err, PB_ERR_NOMEM, NULL);
            f->declared = decl;
            if (unchecked) {
                f->code = PB_FIND_UNCHECKED;
                f->severity = cs == PB_COMP_OVERFLOW ? PB_SEV_ERROR : PB_SEV_WARNING;
                snprintf(f->detail, sizeof f->detail, "%s",
                         cs == PB_COMP_OVERFLOW
                             ? "the arithmetic overflows the fixed-point range"
                             : "a figure it depends on is blank");
                f->has_values = 0;
            } else {
                f->code = (uint8_t)code;
                f->computed = t->comp[i];
                f->difference = diff;
                f->has_values = 1;
            }
        }
    }
    st = check_equals(t, ti, tol, out, err);
    calc_check cc = {ti, out, err};
    return st ? st : each_calc_cell(t, check_calc_cell, &cc);
}

/* A figure printed in the cell (a dash is 0): 1, else 0. */
static int printed_figure(const pb_table *t, size_t r, size_t c, pb_amount *v)
{
    pb_cell_state s = pb_cell_value(t, r, c, v);
    return s == PB_CELL_VALUE || s == PB_CELL_NIL;
}

/* equals: every line (not parts), and every total that is not a select
 * total, by the same rule: a total's two printed figures are held to the
 * agreement its lines obey. */
static pb_status check_equals(pb_table *t, uint32_t ti, pb_amount tol, pb_findings *out,
                              pb_error *err)
{
    for (size_t c = 0; c < t->ncols; c++) {
        uint32_t e = pb_colm(&t->cols[c])->equals;
        if (e == PB_NONE)
            continue;
        int dc = pb_column_decimals(t, c), de = pb_column_decimals(t, e);
        for (size_t r = 0; r < t->nrows; r++) {
            const pb_row *row = &t->rows[r];
            int total = row->kind == PB_ROW_TOTAL && !is_select(t, row);
            if (!total && (row->kind != PB_ROW_LINE || is_part(t, r)))
                continue;
            pb_amount a, b, diff;
            int d;
            if (total ? !printed_figure(t, r, c, &a) || !printed_figure(t, r, e, &b)
                      : !shown(t, r, c, &a) || !shown(t, r, e, &b))
                continue;
            int ovf = compare_amounts(&a, dc, 0, &b, de, 0, &d, &diff);
            if (!ovf && !exceeds(diff, d, tol))
                continue;
            pb_finding *f = cell_finding(out, t, ti, r, c, d);
            if (!f)
                return pb_error_set(err, PB_ERR_NOMEM, NULL);
            f->code = ovf ? PB_FIND_UNCHECKED : PB_FIND_EQUALS;
            f->other_table = ti;
            f->other_row = (uint32_t)r;
            f->other_column = e;
            comparison_outcome(f, ovf, &a, &b, &diff);
        }
    }
    return PB_OK;
}

/* A computed cell's printed figure against the computed one, at its
 * printed precision (pb_calc.h). */
static pb_status check_calc_cell(pb_table *t, const calc_cell *k, void *ctx)
{
    const calc_check *cc = ctx;
    const pb_column *col = &t->cols[k->c];
    size_t r = k->r, c = k->c;
    pb_amount p = k->p;
    int dp = k->dp;
    if (!k->text && !printed_figure(t, r, c, &p))
        return PB_OK;
    int64_t num, den;
    pb_amount at_p, comp = 0, decl = p, diff = 0;
    int d = dp > k->dc ? dp : k->dc;
    int st = calc_exact(t, r, c, &num, &den);
    if (st < 0 || st == PB_CALC_UNDEFINED)
        return PB_OK;
    if (st == PB_CALC_OK)
        st = pb_calc_round(num, den, dp, (pb_rounding)pb_colm(col)->calc_round, &at_p);
    if (st == PB_CALC_OK && at_p == p)
        return PB_OK;
    if (st == PB_CALC_OK &&
        (pb_calc_round(num, den, d, (pb_rounding)pb_colm(col)->calc_round, &comp) ||
         pb_amount_rescale(p, dp, d, &decl) || pb_amount_sub(decl, comp, &diff)))
        st = PB_CALC_OVERFLOW;
    pb_finding *f = cell_finding(cc->out, t, cc->ti, r, c, d);
    if (!f)
        return pb_error_set(cc->err, PB_ERR_NOMEM, NULL);
    f->code = st == PB_CALC_OK ? PB_FIND_COMPUTED : PB_FIND_UNCHECKED;
    pb_amount fine;
    char exact[PB_AMOUNT_TEXT_MAX] = "?";
    if (st == PB_CALC_OK && !pb_calc_round(num, den, d + 3, PB_ROUND_HALF_UP, &fine))
        pb_amount_format(fine, d + 3, 0, exact);
    if (st == PB_CALC_OK)
        snprintf(f->detail, sizeof f->detail,
                 "exactly %s to %d places; compared at the printed precision, "
                 "%d decimal place%s",
                 exact, d + 3, dp, dp == 1 ? "" : "s");
    comparison_outcome(f, st != PB_CALC_OK, &decl, &comp, &diff);
    return PB_OK;
}

/* ---------------------------------------------------------- agreements */

typedef struct side_cells {
    pb_table *t;
    uint32_t ti;
    uint32_t *rows;
    size_t nrows;
    uint32_t *cols;
    size_t ncols;
} side_cells;

static pb_status reference(pb_findings *out, uint32_t a, const pb_plan *plan,
                           pb_error *err, const char *fmt, const char *x,
                           const char *y)
{
    pb_finding *f = pb_finding_add(out, PB_PART_BUDGETS, PB_FIND_REFERENCE, PB_SEV_ERROR, PB_NONE,
                                   PB_NONE, PB_NONE);
    if (!f)
        return pb_error_set(err, PB_ERR_NOMEM, NULL);
    f->agreement = a;
    pb_agreement_source(plan, a, &f->line, &f->col);
    snprintf(f->detail, sizeof f->detail, fmt, x, y ? y : "");
    return PB_OK;
}

/* Resolve one side; returns PB_OK with t == NULL when a reference finding
 * was emitted instead. */
static pb_status resolve_side(pb_plan *plan, uint32_t a, pb_side s,
                              side_cells *sc, pb_findings *out, pb_error *err)
{
    const pb_agreement_side *sd = &plan->agreements[a].side[s];
    memset(sc, 0, sizeof *sc);
    if (!sd->table)
        return reference(out, a, plan, err, "a side names no table%s", "", NULL);
    int64_t ti = pb_plan_find_table(plan, sd->table, strlen(sd->table));
    if (ti < 0)
        return reference(out, a, plan, err, "no table '%s'%s", sd->table, NULL);
    pb_table *t = pb_plan_table_at(plan, (size_t)ti);
    size_t nrows = sd->nrows;
    int all_lines = sd->nrows == 1 && strcmp(sd->rows[0], "lines") == 0 &&
                    pb_table_find_row(t, "lines", 5) < 0;
    size_t cap = all_lines ? t->nrows : nrows; /* "lines": every line but parts */
    sc->rows = malloc((cap ? cap : 1) * sizeof *sc->rows);
    sc->cols = malloc((sd->ncols ? sd->ncols : 1) * sizeof *sc->cols);
    if (!sc->rows || !sc->cols)
        return pb_error_set(err, PB_ERR_NOMEM, NULL);
    if (all_lines) {
        nrows = 0;
        for (size_t r = 0; r < t->nrows; r++)
            if (t->rows[r].kind == PB_ROW_LINE && !is_part(t, r))
                sc->rows[nrows++] = (uint32_t)r;
    } else {
        for (size_t k = 0; k < nrows; k++) {
            int64_t r = pb_table_find_row(t, sd->rows[k], strlen(sd->rows[k]));
            if (r < 0)
                return reference(out, a, plan, err,
                                 r == -2 ? "row '%s' of table '%s' is ambiguous (several rows have that label; give it an id)"
                                         : "no row '%s' in table '%s'",
                                 sd->rows[k], sd->table);
            if (t->rows[r].kind == PB_ROW_SECTION)
                return reference(out, a, plan, err,
                                 "row '%s' of table '%s' is a section heading, with no figures",
                                 sd->rows[k], sd->table);
            sc->rows[k] = (uint32_t)r;
        }
    }
    for (size_t k = 0; k < sd->ncols; k++) {
        int64_t c = pb_table_find_column(t, sd->cols[k], strlen(sd->cols[k]));
        if (c < 0)
            return reference(out, a, plan, err, "no column '%s' in table '%s'",
                             sd->cols[k], sd->table);
        if (t->cols[c].type != PB_COL_AMOUNT)
            return reference(out, a, plan, err,
                             "column '%s' of table '%s' holds text", sd->cols[k],
                             sd->table);
        sc->cols[k] = (uint32_t)c;
    }
    sc->t = t;
    sc->ti = (uint32_t)ti;
    sc->nrows = nrows;
    sc->ncols = sd->ncols;
    return pb_table_compute(t, err);
}

static pb_status check_agreement(pb_plan *plan, uint32_t a, pb_findings *out,
                                 pb_error *err)
{
    side_cells L, R;
    pb_status st = resolve_side(plan, a, PB_LEFT, &L, out, err);
    if (st == PB_OK && L.t)
        st = resolve_side(plan, a, PB_RIGHT, &R, out, err);
    else
        memset(&R, 0, sizeof R);
    if (st != PB_OK || !L.t || !R.t)
        goto cleanup;
    if (L.nrows != R.nrows || L.ncols != R.ncols || L.nrows * L.ncols == 0) {
        char l[48], r[48];
        snprintf(l, sizeof l, "%zu rows x %zu columns", L.nrows, L.ncols);
        snprintf(r, sizeof r, "%zu rows x %zu columns", R.nrows, R.ncols);
        st = reference(out, a, plan, err,
                       "the two sides differ in shape (%s against %s)", l, r);
        goto cleanup;
    }
    const pb_agreement *ag = &plan->agreements[a];
    pb_amount tol = ag->has_tolerance ? ag->tolerance : plan->tolerance;
    for (size_t i = 0; i < L.nrows; i++)
        for (size_t j = 0; j < L.ncols; j++) {
            pb_amount x, y, diff;
            uint32_t lr = L.rows[i], lc = L.cols[j], rr = R.rows[i], rc = R.cols[j];
            if (!shown(L.t, lr, lc, &x) || !shown(R.t, rr, rc, &y))
                continue;
            int d;
            int ovf = compare_amounts(&x, pb_column_decimals(L.t, lc), ag->side[0].negate, &y,
                                      pb_column_decimals(R.t, rc), ag->side[1].negate, &d, &diff);
            if (!ovf && !exceeds(diff, d, tol))
                continue;
            pb_finding *f = cell_finding(out, L.t, L.ti, lr, lc, d);
            if (!f) {
                st = pb_error_set(err, PB_ERR_NOMEM, NULL);
                goto cleanup;
            }
            f->code = ovf ? PB_FIND_UNCHECKED : PB_FIND_AGREEMENT;
            f->agreement = a;
            f->other_table = R.ti;
            f->other_row = rr;
            f->other_column = rc;
            comparison_outcome(f, ovf, &x, &y, &diff);
        }
cleanup:
    free(L.rows);
    free(L.cols);
    free(R.rows);
    free(R.cols);
    return st;
}

/* The checks and sentences of the parts after the budget tables, in the
 * order of PB_PART_* (the budget tables' are this file's own). */
static const struct {
    pb_status (*check)(const pb_plan *plan, pb_findings *out, pb_error *err);
    size_t (*message)(const pb_plan *plan, const pb_finding *f, char *buf, size_t cap);
} part_checks[PB_PART_COUNT - 1] = {
    {pb_indsets_check, pb_indicator_finding_message},
    {pb_registers_check, pb_risk_finding_message},
    {pb_collections_check, pb_record_finding_message},
    {pb_described_check, pb_described_finding_message},
};

pb_status pb_plan_check(pb_plan *plan, pb_findings *out, pb_error *err)
{
    for (uint32_t i = 0; i < pb_plan_table_count(plan); i++) {
        pb_status st = check_table(pb_plan_table_at(plan, i), i, out, err);
        if (st)
            return st;
    }
    for (uint32_t a = 0; a < plan->nagreements; a++) {
        pb_status st = check_agreement(plan, a, out, err);
        if (st)
            return st;
    }
    pb_status nst = pb_narrative_check(plan, shown, out, err); /* the narrative's figures */
    if (nst)
        return nst;
    for (size_t p = 0; p < sizeof part_checks / sizeof part_checks[0]; p++) {
        pb_status st = part_checks[p].check(plan, out, err);
        if (st)
            return st;
    }
    return PB_OK;
}

/* ------------------------------------------------------------ messages */

size_t pb_finding_message(const pb_plan *plan, const pb_finding *f, char *buf,
                          size_t cap)
{
    if (f->part != PB_PART_BUDGETS && f->part < PB_PART_COUNT)
        return part_checks[f->part - 1].message(plan, f, buf, cap);
    return pb_budget_finding_message(plan, f, buf, cap);
}
