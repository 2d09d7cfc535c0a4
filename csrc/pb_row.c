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
    return pb_row_xtext(t, &t->rows[i], PB_ROW_ID);
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
    return pb_index_rebuild(&t->row_ids, t->nrows, row_key, t);
}

/* ================================================================ rows */

const char *pb_role_name(pb_role role)
{
    return (unsigned)role < PB_ROLE_COUNT ? role_names[role] : NULL;
}

int pb_role_from_name(const char *name, size_t len)
{
    int r = pb_find_name(role_names, PB_ROLE_COUNT, name, len);
    if (r >= 0)
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

/* Give the row an extra (all fields empty); 0 when out of memory. */
static int row_extra_add(pb_table *t, pb_row *row)
{
    if (!pb_grow((void **)&t->rowx, &t->caprowx, t->nrowx + 1, sizeof *t->rowx))
        return 0;
    memset(&t->rowx[t->nrowx], 0, sizeof *t->rowx);
    row->extra = ++t->nrowx;
    return 1;
}

/* Row r's column (pb_row.column). */
static uint32_t row_column(const pb_table *t, size_t r)
{
    const pb_row *row = &t->rows[r];
    if (row->column == PB_ROW_COLUMN_FAR && row->extra && t->rowx[row->extra - 1].column)
        return t->rowx[row->extra - 1].column;
    return row->column;
}

static int rows_reserve(pb_table *t, uint32_t need)
{
    return pb_grow((void **)&t->rows, &t->caprows, need, sizeof *t->rows);
}

/* ---------------------------------------------------------------- cells
 *
 * The cell pool (pb_table: vals, locs, tags): an entry per cell that holds
 * something or keeps a source position, a row's entries one run sorted by
 * column.  A blank cell has no entry; a row with every cell is read
 * directly.  Rows filled in order (as the readers do) append to the pool;
 * a cell added to another row moves that row's run to the end, and the
 * runs left behind are repacked when they outgrow the live entries. */

#define NOCELL UINT32_MAX
#define TAG_COL 0x3FFFu
#define TAG(state, c) ((uint16_t)((unsigned)(state) << 14 | (unsigned)(c)))
#define TAG_STATE(tag) ((pb_cell_state)((tag) >> 14))

/* Bytes of a cell's value and of its source position in the pool (see
 * pb_plan_private.h). */
#define VAL_SIZE(t) ((t)->vals_wide ? sizeof(pb_cellv) : sizeof(int32_t))
#define VALS(t) ((unsigned char *)(t)->vals)
#define LOC_SIZE(t) ((t)->locs_wide ? sizeof(uint32_t) : sizeof(uint16_t))
#define LOCS(t) ((unsigned char *)(t)->locs)

/* Entry i's source position, in the wide form. */
static uint32_t loc_get(const pb_table *t, uint32_t i)
{
    if (t->locs_wide)
        return ((const uint32_t *)t->locs)[i];
    uint32_t v = ((const uint16_t *)t->locs)[i];
    return (v >> 10) << 20 | (v & 0x3FFu);
}

/* Make every entry's position wide (4 bytes); 0 when out of memory
 * (nothing changed). */
static int locs_widen(pb_table *t)
{
    uint32_t *wide = malloc((t->capcells ? t->capcells : 1) * sizeof *wide);
    if (!wide)
        return 0;
    for (uint32_t i = 0; i < t->ncells; i++)
        wide[i] = loc_get(t, i);
    free(t->locs);
    t->locs = wide;
    t->locs_wide = 1;
    return 1;
}

/* Entry i's amount (0 unless its state is a value) and text (NULL unless
 * its state is text: only a wide pool holds text). */
static pb_amount val_amount(const pb_table *t, uint32_t i)
{
    return t->vals_wide ? ((const pb_cellv *)t->vals)[i].amount : ((const int32_t *)t->vals)[i];
}

static const char *val_text(const pb_table *t, uint32_t i)
{
    return t->vals_wide ? ((const pb_cellv *)t->vals)[i].text : NULL;
}

/* Whether a cell of this state and value needs the wide values. */
static int val_needs_wide(pb_cell_state state, pb_cellv v)
{
    return state == PB_CELL_TEXT ||
           (state == PB_CELL_VALUE && (v.amount < INT32_MIN || v.amount > INT32_MAX));
}

/* Make every entry's value wide (8 bytes); 0 when out of memory (nothing
 * changed). */
static int vals_widen(pb_table *t)
{
    pb_cellv *wide = malloc((t->capcells ? t->capcells : 1) * sizeof *wide);
    if (!wide)
        return 0;
    for (uint32_t i = 0; i < t->ncells; i++)
        wide[i].amount = ((const int32_t *)t->vals)[i];
    free(t->vals);
    t->vals = wide;
    t->vals_wide = 1;
    return 1;
}

/* Set entry i's value: the table's values wide already if it needs them
 * (val_needs_wide). */
static void val_set(pb_table *t, uint32_t i, pb_cell_state state, pb_cellv v)
{
    if (t->vals_wide)
        ((pb_cellv *)t->vals)[i] = v;
    else
        ((int32_t *)t->vals)[i] = state == PB_CELL_VALUE ? (int32_t)v.amount : 0;
}

/* Set entry i's position (wide form): narrow when it fits, else the table
 * widened first (out of memory: the cell is placed at its row). */
static void loc_set(pb_table *t, uint32_t i, uint32_t loc)
{
    uint32_t dline = loc >> 20, col = loc & 0xFFFFFu;
    if (!t->locs_wide && (dline > 63 || col > 1023) && !locs_widen(t))
        loc = 0;
    if (t->locs_wide)
        ((uint32_t *)t->locs)[i] = loc;
    else
        ((uint16_t *)t->locs)[i] = (uint16_t)(dline << 10 | col);
}

/* The pool arrays resized to cap entries (cap >= ncells).  When one
 * realloc fails after another succeeded, each array holds either cap
 * entries or capcells: a shrink (pb_table_compact) then leaves capcells at
 * cap, the smaller, so that no later cell is written past the end of the
 * arrays already shrunk. */
static int pool_resize(pb_table *t, size_t cap)
{
    if (cap == 0)
        cap = 1;
    void *vals = realloc(t->vals, cap * VAL_SIZE(t));
    if (!vals)
        return 0;
    t->vals = vals;
    if (cap < t->capcells)
        t->capcells = (uint32_t)cap;
    void *locs = realloc(t->locs, cap * LOC_SIZE(t));
    if (!locs)
        return 0;
    t->locs = locs;
    uint16_t *tags = realloc(t->tags, cap * sizeof *tags);
    if (!tags)
        return 0;
    t->tags = tags;
    t->capcells = (uint32_t)cap;
    return 1;
}

static int pool_reserve(pb_table *t, size_t need)
{
    if (need <= t->capcells)
        return 1;
    if (need >= UINT32_MAX)
        return 0;
    size_t cap = t->capcells < 64 ? 64 : (size_t)t->capcells + t->capcells / 2;
    if (cap < need)
        cap = need;
    if (cap >= UINT32_MAX)
        cap = UINT32_MAX - 1;
    return cap <= SIZE_MAX / sizeof(pb_cellv) && pool_resize(t, cap);
}

/* Copy the live runs, in row order, into new arrays of `spare` more entries
 * than they need (the dead entries dropped); 0 when out of memory (the
 * pool is then unchanged). */
static int pool_repack(pb_table *t, size_t spare)
{
    size_t live = (size_t)t->ncells - t->deadcells, cap = live + spare;
    if (cap == 0)
        cap = 1;
    unsigned char *vals = malloc(cap * VAL_SIZE(t));
    unsigned char *locs = malloc(cap * LOC_SIZE(t));
    uint16_t *tags = malloc(cap * sizeof *tags);
    if (!vals || !locs || !tags) {
        free(vals);
        free(locs);
        free(tags);
        return 0;
    }
    uint32_t k = 0;
    for (uint32_t r = 0; r < t->nrows; r++) {
        pb_row *row = &t->rows[r];
        uint32_t n = row->ncell;
        if (n) {
            memcpy(vals + k * VAL_SIZE(t), VALS(t) + row->cell0 * VAL_SIZE(t),
                   n * VAL_SIZE(t));
            memcpy(locs + k * LOC_SIZE(t), LOCS(t) + row->cell0 * LOC_SIZE(t),
                   n * LOC_SIZE(t));
            memcpy(tags + k, t->tags + row->cell0, n * sizeof *tags);
        }
        row->cell0 = k;
        k += n;
    }
    free(t->vals);
    free(t->locs);
    free(t->tags);
    t->vals = vals;
    t->locs = locs;
    t->tags = tags;
    t->ncells = k;
    t->capcells = (uint32_t)cap;
    t->deadcells = 0;
    return 1;
}

/* The pool entry of cell (r, c), or NOCELL when it has none (blank). */
static uint32_t cell_find(const pb_table *t, size_t r, size_t c)
{
    const pb_row *row = &t->rows[r];
    uint32_t lo = row->cell0, n = row->ncell;
    if (n == t->ncols)
        return lo + (uint32_t)c;
    if (n && (t->tags[lo + n - 1] & TAG_COL) == c)
        return lo + n - 1; /* the cell just added, as the readers go */
    uint32_t hi = lo + n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if ((t->tags[mid] & TAG_COL) < c)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < row->cell0 + n && (t->tags[lo] & TAG_COL) == c ? lo : NOCELL;
}

/* Make an entry for blank cell (r, c), which has none: its index, or
 * NOCELL when out of memory (nothing changed). */
static uint32_t cell_add(pb_table *t, size_t r, size_t c)
{
    pb_row *row = &t->rows[r];
    uint32_t n = row->ncell;
    int at_end = row->cell0 + n == t->ncells;
    if (!at_end && t->deadcells + (size_t)n > 4096 &&
        t->deadcells + (size_t)n > ((size_t)t->ncells - t->deadcells) / 2) {
        if (!pool_repack(t, (size_t)n + 1 + ((size_t)t->ncells - t->deadcells) / 2))
            return NOCELL;
        at_end = row->cell0 + n == t->ncells;
    }
    if (!pool_reserve(t, (size_t)t->ncells + 1 + (at_end ? 0 : n)))
        return NOCELL;
    if (!at_end) { /* move the row's run to the end of the pool */
        uint32_t from = row->cell0, to = t->ncells;
        if (n) {
            memcpy(VALS(t) + to * VAL_SIZE(t), VALS(t) + from * VAL_SIZE(t), n * VAL_SIZE(t));
            memcpy(LOCS(t) + to * LOC_SIZE(t), LOCS(t) + from * LOC_SIZE(t), n * LOC_SIZE(t));
            memcpy(t->tags + to, t->tags + from, n * sizeof *t->tags);
        }
        t->deadcells += n;
        row->cell0 = to;
        t->ncells += n;
    }
    uint32_t s = row->cell0, p = s + n;
    while (p > s && (t->tags[p - 1] & TAG_COL) > c)
        p--;
    uint32_t tail = s + n - p;
    if (tail) {
        memmove(VALS(t) + (p + 1) * VAL_SIZE(t), VALS(t) + p * VAL_SIZE(t),
                tail * VAL_SIZE(t));
        memmove(LOCS(t) + (p + 1) * LOC_SIZE(t), LOCS(t) + p * LOC_SIZE(t),
                tail * LOC_SIZE(t));
        memmove(t->tags + p + 1, t->tags + p, tail * sizeof *t->tags);
    }
    memset(VALS(t) + p * VAL_SIZE(t), 0, VAL_SIZE(t));
    memset(LOCS(t) + p * LOC_SIZE(t), 0, LOC_SIZE(t));
    t->tags[p] = TAG(PB_CELL_BLANK, c);
    row->ncell++;
    t->ncells++;
    return p;
}

/* Cell (r, c)'s state, and its entry (NOCELL: blank, no entry). */
static pb_cell_state cell_state(const pb_table *t, size_t r, size_t c, uint32_t *at)
{
    *at = cell_find(t, r, c);
    return *at == NOCELL ? PB_CELL_BLANK : TAG_STATE(t->tags[*at]);
}

void pb_table_compact(pb_table *t)
{
    /* Give back the growth slack after a bulk load, and the dead runs. */
    if (t->caprows > t->nrows && t->nrows) {
        pb_row *rows = realloc(t->rows, (size_t)t->nrows * sizeof *rows);
        if (rows) {
            t->rows = rows;
            t->caprows = t->nrows;
        }
    }
    if (t->caprowx > t->nrowx && t->nrowx) {
        pb_row_extra *rowx = realloc(t->rowx, (size_t)t->nrowx * sizeof *rowx);
        if (rowx) {
            t->rowx = rowx;
            t->caprowx = t->nrowx;
        }
    }
    if (t->capcols > t->ncols && t->ncols) {
        pb_column *cols = realloc(t->cols, (size_t)t->ncols * sizeof *cols);
        if (cols) {
            t->cols = cols;
            t->capcols = t->ncols;
        }
    }
    /* the indexes by id and label: made again at the next lookup (a
     * loaded plan is mostly read in order; 1.4 MB of a 50 MB plan) */
    pb_index_free(&t->row_ids);
    pb_hash_free(&t->row_labels);
    t->labels_ready = 0;
    pb_hash_free(&t->col_ids);
    t->col_ids_ready = 0;
    if (t->deadcells)
        (void)pool_repack(t, 0); /* out of memory: the pool stays as it is */
    else if (t->capcells > t->ncells && t->ncells)
        (void)pool_resize(t, t->ncells); /* a failed shrink keeps the block */
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
    if (!rows_reserve(t, t->nrows + 1)) {
        pb_error_set(err, PB_ERR_NOMEM, NULL);
        return -1;
    }
    if (at < t->nrows) {
        size_t tail = t->nrows - at;
        memmove(t->rows + at + 1, t->rows + at, tail * sizeof(pb_row));
        for (size_t r = at + 1; r <= t->nrows; r++)
            if (t->rows[r].parent != PB_NONE && t->rows[r].parent >= at)
                t->rows[r].parent++;
        if (t->nrows_with_id)
            t->row_ids.stale = 1;
        t->labels_ready = 0; /* rows after `at` moved */
    }
    pb_row *row = &t->rows[at];
    row->label = lab;
    row->extra = 0;
    row->parent = parent;
    row->line = row->column = 0;
    row->kind = (uint8_t)kind;
    row->role = PB_ROLE_INHERIT;
    row->eff_role = parent == PB_NONE ? PB_ROLE_OTHER : t->rows[parent].eff_role;
    row->depth = (uint8_t)depth;
    row->ncell = 0; /* every cell blank: no entry */
    row->cell0 = t->ncells;
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
    size_t tail = t->nrows - end;
    for (size_t k = r; k < end; k++) {
        if (pb_row_xtext(t, &t->rows[k], PB_ROW_ID))
            t->nrows_with_id--;
        t->deadcells += t->rows[k].ncell; /* its cells' entries */
    }
    memmove(t->rows + r, t->rows + end, tail * sizeof(pb_row));
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
    if (r >= t->nrows || (unsigned)f >= PB_ROW_FIELD_COUNT)
        return NULL;
    return pb_row_xtext(t, &t->rows[r], (unsigned)f);
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
        const char *oid = other >= 0 ? pb_row_xtext(t, &t->rows[other], PB_ROW_ID) : NULL;
        if (oid && (size_t)other != r && name_eq(oid, value, len))
            return pb_error_set(err, PB_ERR_DUPLICATE,
                                "duplicate row id '%.*s'", (int)len, value);
    }
    if (!row->extra) {
        if (!value)
            return PB_OK;
        if (!row_extra_add(t, row))
            return pb_error_set(err, PB_ERR_NOMEM, NULL);
    }
    const char *v = NULL;
    if (value && !(v = dup(t->head.plan, value, len, err)))
        return PB_ERR_NOMEM;
    pb_row_extra *x = &t->rowx[row->extra - 1];
    if (f == PB_ROW_ID) {
        int had = x->text[PB_ROW_ID] != NULL;
        x->text[f] = v;
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
        x->text[f] = v;
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
                if (pb_row_xtext(t, &t->rows[r], PB_ROW_ID) &&
                    name_eq(pb_row_xtext(t, &t->rows[r], PB_ROW_ID), ref, len))
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
    *column = row_column(t, r);
}

void pb_row_set_source(pb_table *t, size_t r, uint32_t line, uint32_t column)
{
    pb_row *row = &t->rows[r];
    row->line = line;
    if (column < PB_ROW_COLUMN_FAR) {
        row->column = (uint16_t)column;
        return;
    }
    /* far right (a long flow line): the column in the extra; without
     * memory for one, 65535 */
    row->column = PB_ROW_COLUMN_FAR;
    if (row->extra || row_extra_add(t, row))
        t->rowx[row->extra - 1].column = column;
}

/* =============================================================== cells */

static int income_flip(const pb_table *t, size_t r)
{
    return t->income_sign < 0 && t->rows[r].eff_role == PB_ROLE_INCOME;
}

pb_cell_state pb_cell_get(const pb_table *t, size_t r, size_t c,
                          pb_amount *printed)
{
    uint32_t i;
    pb_cell_state s = cell_state(t, r, c, &i);
    if (printed)
        *printed = (s == PB_CELL_VALUE) ? val_amount(t, i) : 0;
    return s;
}

const char *pb_cell_text(const pb_table *t, size_t r, size_t c)
{
    uint32_t i;
    return cell_state(t, r, c, &i) == PB_CELL_TEXT ? val_text(t, i) : NULL;
}

pb_cell_state pb_cell_value(const pb_table *t, size_t r, size_t c,
                            pb_amount *value)
{
    uint32_t i;
    pb_cell_state s = cell_state(t, r, c, &i);
    pb_amount v = (s == PB_CELL_VALUE) ? val_amount(t, i) : 0;
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

/* Store cell (r, c): its state and value (an amount, kept only for a
 * value, or a text), making its entry unless it stays blank, and mark the
 * plan changed: the end of every setter of a cell. */
static pb_status store_cell(pb_table *t, size_t r, size_t c, pb_cell_state state,
                            pb_cellv v, pb_error *err)
{
    if (!t->vals_wide && val_needs_wide(state, v) && !vals_widen(t))
        return pb_error_set(err, PB_ERR_NOMEM, NULL);
    uint32_t i = cell_find(t, r, c);
    if (i == NOCELL && state != PB_CELL_BLANK && (i = cell_add(t, r, c)) == NOCELL)
        return pb_error_set(err, PB_ERR_NOMEM, NULL);
    if (i != NOCELL) {
        val_set(t, i, state, v);
        t->tags[i] = TAG(state, c);
    }
    pb_plan_touch(t->head.plan);
    return PB_OK;
}

static pb_status store_amount(pb_table *t, size_t r, size_t c, pb_cell_state state,
                              pb_amount v, pb_error *err)
{
    if (v == INT64_MIN)
        return amount_overflow(err);
    pb_cellv cv;
    cv.amount = state == PB_CELL_VALUE ? v : 0;
    return store_cell(t, r, c, state, cv, err);
}

pb_status pb_cell_set_text(pb_table *t, size_t r, size_t c, const char *s,
                           size_t n, pb_error *err)
{
    pb_status st = check_cell(t, r, c, err);
    if (st)
        return st;
    if (t->cols[c].type == PB_COL_TEXT) {
        pb_cellv cv;
        cv.text = NULL;
        if (s && n != 0 && !(cv.text = dup(t->head.plan, s, n, err)))
            return PB_ERR_NOMEM;
        return store_cell(t, r, c, cv.text ? PB_CELL_TEXT : PB_CELL_BLANK, cv, err);
    }
    pb_amount v;
    pb_cell_state state;
    st = pb_amount_parse(s, n, pb_column_decimals(t, c), &v, &state, err);
    if (st)
        return st;
    return store_amount(t, r, c, state, v, err); /* v is 0 unless a value */
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
    return store_amount(t, r, c, state, printed, err);
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
    uint32_t i = cell_find(t, r, c);
    uint32_t loc = i == NOCELL ? 0 : loc_get(t, i);
    if (loc == 0) {
        *line = t->rows[r].line;
        *column = row_column(t, r);
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
    uint32_t i = cell_find(t, r, c);
    if (i == NOCELL && loc)
        i = cell_add(t, r, c); /* a blank cell written out: keep where */
    if (i != NOCELL) /* (out of memory: the cell is placed at its row) */
        loc_set(t, i, loc);
}
