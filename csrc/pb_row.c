/* pb_row.c - the rows of a budget table (the section tree, labels, ids,
 * roles) and its cells. */
#include "pb_plan_private.h"
#include "pb_text.h"

#include <stdlib.h>
#include <string.h>

#define dup pb_plan_dup
#define name_eq pb_name_eq

static const char *const role_names[PB_ROLE_COUNT] = {
    "inherit", "expenditure", "income", "internal", "funding",
    "saving",  "growth",      "adjustment", "other"};

/* ---------------------------------------------------------- row id -> row */

static const char *row_key(const void *ctx, uint32_t i)
{
    const pb_table *t = ctx;
    return t->rows[i].extra->text[PB_ROW_ID];
}

static int64_t find_row_by_id(const pb_table *t, const char *ref, size_t len);

/* ------------------------------------------------- row label -> row */

static const char *label_key(const void *ctx, uint32_t value, size_t *len, uint32_t *tag)
{
    const pb_table *t = ctx;
    const char *l = t->rows[value & ~PB_LABEL_SEVERAL].label;
    *len = strlen(l);
    *tag = 0;
    return l;
}

/* Add row r (which has a label) to a ready index; on failure the index is
 * no longer ready (the next lookup rebuilds it, or scans). */
static void label_index_add(pb_table *t, uint32_t r)
{
    int made;
    pb_hash_slot *s = r < PB_LABEL_SEVERAL
                          ? pb_hash_add(&t->row_labels, r, label_key, t, &made)
                          : NULL;
    if (!s)
        t->labels_ready = 0;
    else if (!made)
        s->value |= PB_LABEL_SEVERAL;
}

static int label_index_build(pb_table *t)
{
    if (t->nrows >= PB_LABEL_SEVERAL)
        return 0;
    pb_hash_clear(&t->row_labels);
    if (!pb_hash_reserve(&t->row_labels, t->nrows))
        return 0;
    t->labels_ready = 1;
    for (uint32_t r = 0; r < t->nrows && t->labels_ready; r++)
        if (t->rows[r].label)
            label_index_add(t, r);
    return t->labels_ready;
}

static int row_ids_rebuild(pb_table *t)
{
    pb_index_free(&t->row_ids);
    for (uint32_t i = 0; i < t->nrows; i++)
        if (t->rows[i].extra && t->rows[i].extra->text[PB_ROW_ID])
            if (!pb_index_put(&t->row_ids, i, row_key, t))
                return 0;
    return 1;
}

/* ================================================================ rows */

const char *pb_role_name(pb_role role)
{
    return (unsigned)role < PB_ROLE_COUNT ? role_names[role] : NULL;
}

int pb_role_from_name(const char *name, size_t len)
{
    for (int r = 0; r < PB_ROLE_COUNT; r++)
        if (name_eq(role_names[r], name, len))
            return r;
    if (name_eq("less", name, len))
        return PB_ROLE_INTERNAL;
    return -1;
}

int pb_role_polarity(pb_role role)
{
    return (role == PB_ROLE_INCOME || role == PB_ROLE_INTERNAL ||
            role == PB_ROLE_FUNDING)
               ? -1
               : 1;
}

size_t pb_table_row_count(const pb_table *t) { return t->nrows; }

size_t pb_table_row_end(const pb_table *t, size_t r)
{
    if (r >= t->nrows)
        return t->nrows;
    size_t e = r + 1;
    uint8_t d = t->rows[r].depth;
    while (e < t->nrows && t->rows[e].depth > d)
        e++;
    return e;
}

/* Is row a inside the subtree of p (or p itself)? */
static int within(const pb_table *t, uint32_t a, uint32_t p)
{
    while (a != PB_NONE) {
        if (a == p)
            return 1;
        a = t->rows[a].parent;
    }
    return 0;
}

static int cells_reserve(pb_table *t, uint32_t need)
{
    if (need <= t->caprows)
        return 1;
    uint32_t cap = t->caprows;
    size_t nc = t->ncols ? t->ncols : 1;
    size_t ncap = cap < 8 ? 8 : (size_t)cap + cap / 2;
    if (ncap < need)
        ncap = need;
    if (ncap > UINT32_MAX - 1 || ncap > SIZE_MAX / (nc * sizeof(pb_cellv)))
        return 0;
    pb_row *rows = realloc(t->rows, ncap * sizeof *rows);
    if (!rows)
        return 0;
    t->rows = rows;
    if (t->ncols) {
        pb_cellv *vals = realloc(t->vals, ncap * nc * sizeof *vals);
        if (!vals)
            return 0;
        t->vals = vals;
        uint8_t *states = realloc(t->states, ncap * nc);
        if (!states)
            return 0;
        t->states = states;
        uint32_t *locs = realloc(t->locs, ncap * nc * sizeof *locs);
        if (!locs)
            return 0;
        t->locs = locs;
    }
    t->caprows = (uint32_t)ncap;
    return 1;
}

void pb_table_compact(pb_table *t)
{
    /* Give back the growth slack after a bulk load. */
    if (t->caprows <= t->nrows || t->nrows == 0)
        return;
    size_t n = t->nrows, nc = t->ncols;
    pb_row *rows = realloc(t->rows, n * sizeof *rows);
    if (rows)
        t->rows = rows;
    else
        return;
    /* From here every array holds at least nrows rows whatever fails (a
     * failed realloc keeps the old, larger block), and `rows` holds no
     * more: caprows must say nrows even if a later shrink fails. */
    if (nc) {
        pb_cellv *vals = realloc(t->vals, n * nc * sizeof *vals);
        if (!vals)
            goto done;
        t->vals = vals;
        uint8_t *states = realloc(t->states, n * nc);
        if (!states)
            goto done;
        t->states = states;
        uint32_t *locs = realloc(t->locs, n * nc * sizeof *locs);
        if (!locs)
            goto done;
        t->locs = locs;
    }
done:
    t->caprows = t->nrows;
}

int64_t pb_table_insert_row(pb_table *t, size_t at, pb_row_kind kind,
                            uint32_t parent, const char *label, size_t len,
                            pb_error *err)
{
    if (kind != PB_ROW_LINE && kind != PB_ROW_SECTION && kind != PB_ROW_TOTAL) {
        pb_error_set(err, PB_ERR_RANGE, "unknown row kind");
        return -1;
    }
    if (at > t->nrows) {
        pb_error_set(err, PB_ERR_RANGE, "row position %zu is past the end", at);
        return -1;
    }
    if (t->nrows >= UINT32_MAX - 2) {
        pb_error_set(err, PB_ERR_LIMIT, "too many rows");
        return -1;
    }
    int depth = 0;
    if (parent != PB_NONE) {
        if (parent >= t->nrows) {
            pb_error_set(err, PB_ERR_RANGE, "no parent row %u", parent);
            return -1;
        }
        const pb_row *p = &t->rows[parent];
        if (p->kind == PB_ROW_TOTAL) {
            pb_error_set(err, PB_ERR_INVALID, "a total cannot contain rows");
            return -1;
        }
        if (p->kind == PB_ROW_LINE) {
            int p_is_part = p->parent != PB_NONE &&
                            t->rows[p->parent].kind == PB_ROW_LINE;
            if (kind != PB_ROW_LINE || p_is_part) {
                pb_error_set(err, PB_ERR_INVALID,
                             "a line's parts are lines, and parts have no parts");
                return -1;
            }
        }
        depth = p->depth + 1;
        if (p->kind == PB_ROW_SECTION && depth > PB_MAX_SECTION_DEPTH) {
            pb_error_set(err, PB_ERR_LIMIT, "sections nested deeper than %d",
                         PB_MAX_SECTION_DEPTH);
            return -1;
        }
        if (kind == PB_ROW_SECTION && depth >= PB_MAX_SECTION_DEPTH) {
            pb_error_set(err, PB_ERR_LIMIT, "sections nested deeper than %d",
                         PB_MAX_SECTION_DEPTH);
            return -1;
        }
        if (!(at > parent && within(t, (uint32_t)(at - 1), parent))) {
            pb_error_set(err, PB_ERR_INVALID,
                         "row position %zu is not inside its parent", at);
            return -1;
        }
    }
    if (at < t->nrows && t->rows[at].depth > depth) {
        pb_error_set(err, PB_ERR_INVALID,
                     "row position %zu would split another row's contents", at);
        return -1;
    }
    const char *lab = NULL;
    if (label && !(lab = dup(t->head.plan, label, len, err)))
        return -1;
    if (!cells_reserve(t, t->nrows + 1)) {
        pb_error_set(err, PB_ERR_NOMEM, NULL);
        return -1;
    }
    size_t nc = t->ncols;
    if (at < t->nrows) {
        size_t tail = t->nrows - at;
        memmove(t->rows + at + 1, t->rows + at, tail * sizeof(pb_row));
        if (nc) {
            memmove(t->vals + (at + 1) * nc, t->vals + at * nc,
                    tail * nc * sizeof(pb_cellv));
            memmove(t->states + (at + 1) * nc, t->states + at * nc, tail * nc);
            memmove(t->locs + (at + 1) * nc, t->locs + at * nc,
                    tail * nc * sizeof(uint32_t));
        }
        for (size_t r = at + 1; r <= t->nrows; r++)
            if (t->rows[r].parent != PB_NONE && t->rows[r].parent >= at)
                t->rows[r].parent++;
        if (t->nrows_with_id)
            t->row_ids.stale = 1;
        t->labels_ready = 0; /* rows after `at` moved */
    }
    pb_row *row = &t->rows[at];
    row->label = lab;
    row->extra = NULL;
    row->parent = parent;
    row->line = row->column = 0;
    row->kind = (uint8_t)kind;
    row->role = PB_ROLE_INHERIT;
    row->eff_role = parent == PB_NONE ? PB_ROLE_OTHER : t->rows[parent].eff_role;
    row->depth = (uint8_t)depth;
    if (nc) {
        memset(t->vals + at * nc, 0, nc * sizeof(pb_cellv));
        memset(t->states + at * nc, PB_CELL_BLANK, nc);
        memset(t->locs + at * nc, 0, nc * sizeof(uint32_t));
    }
    t->nrows++;
    if (t->labels_ready && lab)
        label_index_add(t, (uint32_t)at);
    t->layout++;
    pb_plan_touch(t->head.plan);
    return (int64_t)at;
}

pb_status pb_table_remove_row(pb_table *t, size_t r, pb_error *err)
{
    if (r >= t->nrows)
        return pb_error_set(err, PB_ERR_RANGE, "no row %zu", r);
    size_t end = pb_table_row_end(t, r), count = end - r;
    size_t tail = t->nrows - end, nc = t->ncols;
    for (size_t k = r; k < end; k++)
        if (t->rows[k].extra && t->rows[k].extra->text[PB_ROW_ID])
            t->nrows_with_id--;
    memmove(t->rows + r, t->rows + end, tail * sizeof(pb_row));
    if (nc) {
        memmove(t->vals + r * nc, t->vals + end * nc, tail * nc * sizeof(pb_cellv));
        memmove(t->states + r * nc, t->states + end * nc, tail * nc);
        memmove(t->locs + r * nc, t->locs + end * nc, tail * nc * sizeof(uint32_t));
    }
    t->nrows -= (uint32_t)count;
    for (size_t k = r; k < t->nrows; k++)
        if (t->rows[k].parent != PB_NONE && t->rows[k].parent >= end)
            t->rows[k].parent -= (uint32_t)count;
    t->row_ids.stale = 1;
    t->labels_ready = 0;
    t->layout++;
    pb_plan_touch(t->head.plan);
    return PB_OK;
}

pb_row_kind pb_row_kind_of(const pb_table *t, size_t r)
{
    return (pb_row_kind)t->rows[r].kind;
}

uint32_t pb_row_parent(const pb_table *t, size_t r) { return t->rows[r].parent; }
int pb_row_depth(const pb_table *t, size_t r) { return t->rows[r].depth; }

int pb_row_is_part(const pb_table *t, size_t r)
{
    uint32_t p = t->rows[r].parent;
    return p != PB_NONE && t->rows[p].kind == PB_ROW_LINE;
}

const char *pb_row_label(const pb_table *t, size_t r) { return t->rows[r].label; }

pb_status pb_row_set_label(pb_table *t, size_t r, const char *label,
                           size_t len, pb_error *err)
{
    if (r >= t->nrows)
        return pb_error_set(err, PB_ERR_RANGE, "no row %zu", r);
    const char *v = NULL;
    if (label && !(v = dup(t->head.plan, label, len, err)))
        return PB_ERR_NOMEM;
    t->rows[r].label = v;
    t->labels_ready = 0;
    pb_plan_touch(t->head.plan);
    return PB_OK;
}

const char *pb_row_text(const pb_table *t, size_t r, pb_row_field f)
{
    if (r >= t->nrows || (unsigned)f >= PB_ROW_FIELD_COUNT || !t->rows[r].extra)
        return NULL;
    return t->rows[r].extra->text[f];
}

pb_status pb_row_set_text(pb_table *t, size_t r, pb_row_field f,
                          const char *value, size_t len, pb_error *err)
{
    if (r >= t->nrows || (unsigned)f >= PB_ROW_FIELD_COUNT)
        return pb_error_set(err, PB_ERR_RANGE, "no such row or field");
    pb_row *row = &t->rows[r];
    if (f == PB_ROW_SELECT && value && row->kind != PB_ROW_TOTAL)
        return pb_error_set(err, PB_ERR_INVALID, "only a total selects the lines it sums");
    if (f == PB_ROW_ID && value) {
        if (!pb_id_valid(value, len))
            return pb_error_set(err, PB_ERR_INVALID,
                                "'%.*s' is not a valid row id (1-128 letters, digits, _ or -, not starting with -)",
                                (int)(len > 60 ? 60 : len), value);
        /* by id only: the label fallback of pb_table_find_row would make
         * giving n rows their ids quadratic */
        int64_t other = find_row_by_id(t, value, len);
        if (other >= 0 && (size_t)other != r && t->rows[other].extra &&
            t->rows[other].extra->text[PB_ROW_ID] &&
            name_eq(t->rows[other].extra->text[PB_ROW_ID], value, len))
            return pb_error_set(err, PB_ERR_DUPLICATE,
                                "duplicate row id '%.*s'", (int)len, value);
    }
    if (!row->extra) {
        if (!value)
            return PB_OK;
        row->extra = pb_arena_alloc(&t->head.plan->arena, sizeof(pb_row_extra));
        if (!row->extra)
            return pb_error_set(err, PB_ERR_NOMEM, NULL);
        memset(row->extra, 0, sizeof(pb_row_extra));
    }
    const char *v = NULL;
    if (value && !(v = dup(t->head.plan, value, len, err)))
        return PB_ERR_NOMEM;
    if (f == PB_ROW_ID) {
        int had = row->extra->text[PB_ROW_ID] != NULL;
        row->extra->text[f] = v;
        if (had && v) {
            t->row_ids.stale = 1;
        } else if (had) {
            t->nrows_with_id--;
            t->row_ids.stale = 1;
        } else if (v) {
            t->nrows_with_id++;
            if (!t->row_ids.stale && !pb_index_put(&t->row_ids, (uint32_t)r, row_key, t))
                t->row_ids.stale = 1;
        }
    } else {
        row->extra->text[f] = v;
    }
    pb_plan_touch(t->head.plan);
    return PB_OK;
}

pb_role pb_row_role(const pb_table *t, size_t r) { return (pb_role)t->rows[r].role; }

pb_role pb_row_effective_role(const pb_table *t, size_t r)
{
    return (pb_role)t->rows[r].eff_role;
}

pb_status pb_row_set_role(pb_table *t, size_t r, pb_role role, pb_error *err)
{
    if (r >= t->nrows || (unsigned)role >= PB_ROLE_COUNT)
        return pb_error_set(err, PB_ERR_RANGE, "no such row or role");
    t->rows[r].role = (uint8_t)role;
    size_t end = pb_table_row_end(t, r);
    for (size_t k = r; k < end; k++) {
        pb_row *row = &t->rows[k];
        if (row->role != PB_ROLE_INHERIT)
            row->eff_role = row->role;
        else
            row->eff_role = row->parent == PB_NONE
                                ? PB_ROLE_OTHER
                                : t->rows[row->parent].eff_role;
    }
    pb_plan_touch(t->head.plan);
    return PB_OK;
}

/* The row with this id, or -1 (ids only, no labels). */
static int64_t find_row_by_id(const pb_table *t, const char *ref, size_t len)
{
    if (!t->nrows_with_id)
        return -1;
    if (t->row_ids.stale || t->row_ids.count != t->nrows_with_id) {
        if (!row_ids_rebuild((pb_table *)t)) {
            for (uint32_t r = 0; r < t->nrows; r++)
                if (t->rows[r].extra && t->rows[r].extra->text[PB_ROW_ID] &&
                    name_eq(t->rows[r].extra->text[PB_ROW_ID], ref, len))
                    return r;
            return -1;
        }
        ((pb_table *)t)->row_ids.stale = 0;
    }
    return pb_index_get(&t->row_ids, ref, len, row_key, t);
}

int64_t pb_table_find_row(const pb_table *t, const char *ref, size_t len)
{
    int64_t by_id = find_row_by_id(t, ref, len);
    if (by_id >= 0)
        return by_id;
    if (t->labels_ready || label_index_build((pb_table *)t)) {
        const pb_hash_slot *s =
            pb_hash_find(&t->row_labels, ref, len, 0, label_key, t);
        if (!s)
            return -1;
        return s->value & PB_LABEL_SEVERAL ? -2 : (int64_t)s->value;
    }
    /* no memory for the index: look at every row */
    int64_t found = -1;
    for (uint32_t r = 0; r < t->nrows; r++)
        if (t->rows[r].label && name_eq(t->rows[r].label, ref, len)) {
            if (found >= 0)
                return -2;
            found = r;
        }
    return found;
}

void pb_row_source(const pb_table *t, size_t r, uint32_t *line,
                   uint32_t *column)
{
    *line = t->rows[r].line;
    *column = t->rows[r].column;
}

void pb_row_set_source(pb_table *t, size_t r, uint32_t line, uint32_t column)
{
    t->rows[r].line = line;
    t->rows[r].column = column;
}

/* =============================================================== cells */

static int income_flip(const pb_table *t, size_t r)
{
    return t->income_sign < 0 && t->rows[r].eff_role == PB_ROLE_INCOME;
}

pb_cell_state pb_cell_get(const pb_table *t, size_t r, size_t c,
                          pb_amount *printed)
{
    size_t i = PB_CELL(t, r, c);
    pb_cell_state s = (pb_cell_state)t->states[i];
    if (printed)
        *printed = (s == PB_CELL_VALUE) ? t->vals[i].amount : 0;
    return s;
}

const char *pb_cell_text(const pb_table *t, size_t r, size_t c)
{
    size_t i = PB_CELL(t, r, c);
    return t->states[i] == PB_CELL_TEXT ? t->vals[i].text : NULL;
}

pb_cell_state pb_cell_value(const pb_table *t, size_t r, size_t c,
                            pb_amount *value)
{
    size_t i = PB_CELL(t, r, c);
    pb_cell_state s = (pb_cell_state)t->states[i];
    pb_amount v = (s == PB_CELL_VALUE) ? t->vals[i].amount : 0;
    if (income_flip(t, r))
        v = -v; /* stored values never hold INT64_MIN (see set) */
    if (value)
        *value = v;
    return s;
}

static pb_status check_cell(const pb_table *t, size_t r, size_t c,
                            pb_error *err)
{
    if (r >= t->nrows || c >= t->ncols)
        return pb_error_set(err, PB_ERR_RANGE, "no cell (%zu, %zu)", r, c);
    if (t->rows[r].kind == PB_ROW_SECTION)
        return pb_error_set(err, PB_ERR_INVALID,
                            "a section heading has no figures");
    return PB_OK;
}

/* The error of an amount that the fixed-point range cannot hold
 * (INT64_MIN is kept out: its negation overflows). */
static pb_status amount_overflow(pb_error *err)
{
    return pb_error_set(err, PB_ERR_OVERFLOW, "amount out of the fixed-point range");
}

/* Store an amount cell (blank, nil or a value; the amount kept only for a
 * value) at cell index i and mark the plan changed: the end of every
 * setter of an amount cell. */
static pb_status store_amount(pb_table *t, size_t i, pb_cell_state state, pb_amount v,
                              pb_error *err)
{
    if (v == INT64_MIN)
        return amount_overflow(err);
    t->vals[i].amount = state == PB_CELL_VALUE ? v : 0;
    t->states[i] = (uint8_t)state;
    pb_plan_touch(t->head.plan);
    return PB_OK;
}

pb_status pb_cell_set_text(pb_table *t, size_t r, size_t c, const char *s,
                           size_t n, pb_error *err)
{
    pb_status st = check_cell(t, r, c, err);
    if (st)
        return st;
    size_t i = PB_CELL(t, r, c);
    if (t->cols[c].type == PB_COL_TEXT) {
        if (!s || n == 0) {
            t->states[i] = PB_CELL_BLANK;
            t->vals[i].text = NULL;
        } else {
            const char *v = dup(t->head.plan, s, n, err);
            if (!v)
                return PB_ERR_NOMEM;
            t->vals[i].text = v;
            t->states[i] = PB_CELL_TEXT;
        }
        pb_plan_touch(t->head.plan);
        return PB_OK;
    }
    pb_amount v;
    pb_cell_state state;
    st = pb_amount_parse(s, n, pb_column_decimals(t, c), &v, &state, err);
    if (st)
        return st;
    return store_amount(t, i, state, v, err); /* v is 0 unless a value */
}

pb_status pb_cell_set_printed(pb_table *t, size_t r, size_t c,
                              pb_cell_state state, pb_amount printed,
                              pb_error *err)
{
    pb_status st = check_cell(t, r, c, err);
    if (st)
        return st;
    if (t->cols[c].type != PB_COL_AMOUNT)
        return pb_error_set(err, PB_ERR_INVALID,
                            "column '%s' holds text, not amounts", t->cols[c].id);
    if (state != PB_CELL_BLANK && state != PB_CELL_NIL && state != PB_CELL_VALUE)
        return pb_error_set(err, PB_ERR_RANGE, "not an amount state");
    return store_amount(t, PB_CELL(t, r, c), state, printed, err);
}

pb_status pb_cell_set_value(pb_table *t, size_t r, size_t c,
                            pb_cell_state state, pb_amount value,
                            pb_error *err)
{
    if (r < t->nrows && income_flip(t, r)) {
        if (value == INT64_MIN)
            return amount_overflow(err);
        value = -value;
    }
    return pb_cell_set_printed(t, r, c, state, value, err);
}

void pb_cell_source(const pb_table *t, size_t r, size_t c, uint32_t *line,
                    uint32_t *column)
{
    uint32_t loc = t->locs[PB_CELL(t, r, c)];
    if (loc == 0) {
        *line = t->rows[r].line;
        *column = t->rows[r].column;
        return;
    }
    *line = t->rows[r].line + (loc >> 20);
    *column = loc & 0xFFFFFu;
}

void pb_cell_set_source(pb_table *t, size_t r, size_t c, uint32_t line,
                        uint32_t column)
{
    uint32_t loc = 0;
    uint32_t base = t->rows[r].line;
    if (line >= base && line - base < 4096 && column > 0 && column < 0x100000)
        loc = (line - base) << 20 | column;
    t->locs[PB_CELL(t, r, c)] = loc;
}
