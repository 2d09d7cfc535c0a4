/* pb_plan.c - the plan model: construction, editing and access. */
#include "pb_plan_private.h"

#include <stdlib.h>
#include <string.h>

/* ============================================================ helpers */

static const char *const meta_names[PB_META_COUNT] = {
    "title",  "organisation", "directorate", "service",
    "period", "status",       "version",     "owner",
    "review_date", "next_review", "source",  "notes"};

static const char *const role_names[PB_ROLE_COUNT] = {
    "inherit", "expenditure", "income", "internal", "funding",
    "saving",  "growth",      "adjustment", "other"};

static int name_eq(const char *name, const char *s, size_t n)
{
    return strlen(name) == n && memcmp(name, s, n) == 0;
}

int pb_id_valid(const char *id, size_t len)
{
    if (!id || len == 0 || len > PB_ID_MAX)
        return 0;
    if (id[0] == '-')
        return 0; /* in a sum, -id means "minus id" */
    for (size_t i = 0; i < len; i++) {
        char c = id[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

const char *pb_plan_dup(pb_plan *plan, const char *s, size_t n, pb_error *err)
{
    if (s && memchr(s, '\0', n)) {
        pb_error_set(err, PB_ERR_INVALID, "text must not contain NUL characters");
        return NULL;
    }
    char *p = pb_arena_strndup(&plan->arena, s, n);
    if (!p)
        pb_error_set(err, PB_ERR_NOMEM, NULL);
    return p;
}

#define dup pb_plan_dup

/* Grow an array to hold at least `need` items (1.5x growth). */
int pb_grow(void **arr, uint32_t *cap, uint32_t need, size_t item)
{
    if (need <= *cap)
        return 1;
    if (need == UINT32_MAX)
        return 0;
    size_t ncap = *cap < 8 ? 8 : (size_t)*cap + *cap / 2;
    if (ncap < need)
        ncap = need;
    if (ncap > UINT32_MAX - 1)
        ncap = UINT32_MAX - 1;
    if (ncap > SIZE_MAX / item)
        return 0;
    void *p = realloc(*arr, ncap * item);
    if (!p)
        return 0;
    *arr = p;
    *cap = (uint32_t)ncap;
    return 1;
}

/* ---------------------------------------------------- string -> index */

static uint32_t hash_str(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

void pb_index_free(pb_index *ix)
{
    free(ix->slots);
    ix->slots = NULL;
    ix->cap = ix->count = 0;
    ix->stale = 0;
}

int pb_index_put(pb_index *ix, uint32_t i, pb_key_fn key, const void *ctx)
{
    if ((ix->count + 1) * 4 > ix->cap * 3) {
        uint32_t ncap = ix->cap ? ix->cap * 2 : 16;
        if (ncap < ix->cap)
            return 0;
        uint32_t *ns = calloc(ncap, sizeof *ns);
        if (!ns)
            return 0;
        for (uint32_t k = 0; k < ix->cap; k++) {
            uint32_t v = ix->slots[k];
            if (!v)
                continue;
            const char *s = key(ctx, v - 1);
            uint32_t h = hash_str(s, strlen(s)) & (ncap - 1);
            while (ns[h])
                h = (h + 1) & (ncap - 1);
            ns[h] = v;
        }
        free(ix->slots);
        ix->slots = ns;
        ix->cap = ncap;
    }
    const char *s = key(ctx, i);
    uint32_t h = hash_str(s, strlen(s)) & (ix->cap - 1);
    while (ix->slots[h])
        h = (h + 1) & (ix->cap - 1);
    ix->slots[h] = i + 1;
    ix->count++;
    return 1;
}

int64_t pb_index_get(const pb_index *ix, const char *s, size_t n,
                     pb_key_fn key, const void *ctx)
{
    if (!ix->cap)
        return -1;
    uint32_t h = hash_str(s, n) & (ix->cap - 1);
    while (ix->slots[h]) {
        uint32_t i = ix->slots[h] - 1;
        if (name_eq(key(ctx, i), s, n))
            return i;
        h = (h + 1) & (ix->cap - 1);
    }
    return -1;
}

static const char *table_key(const void *ctx, uint32_t i)
{
    const pb_plan *plan = ctx;
    return plan->tables[i]->id;
}

static const char *row_key(const void *ctx, uint32_t i)
{
    const pb_table *t = ctx;
    return t->rows[i].extra->text[PB_ROW_ID];
}

static int table_ids_rebuild(pb_plan *plan)
{
    pb_index_free(&plan->table_ids);
    for (uint32_t i = 0; i < plan->ntables; i++)
        if (!pb_index_put(&plan->table_ids, i, table_key, plan))
            return 0;
    return 1;
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

/* ================================================================ plan */

pb_plan *pb_plan_new(void)
{
    pb_plan *plan = calloc(1, sizeof *plan);
    if (!plan)
        return NULL;
    pb_arena_init(&plan->arena);
    plan->year_start = 4;
    plan->rag_percent = 1;
    plan->rag_tolerance = 5 * INT64_C(1000000);
    plan->risk_lmax = plan->risk_imax = 5;
    plan->risk_green = 4;
    plan->risk_amber = 12;
    return plan;
}

static void table_free(pb_table *t)
{
    if (!t)
        return;
    for (uint32_t c = 0; c < t->ncols; c++) {
        free(t->cols[c].term_cols);
        free(t->cols[c].term_signs);
    }
    free(t->cols);
    free(t->rows);
    free(t->vals);
    free(t->states);
    free(t->locs);
    free(t->comp);
    free(t->comp_state);
    pb_index_free(&t->row_ids);
    pb_hash_free(&t->row_labels);
    pb_hash_free(&t->col_ids);
    free(t);
}

void pb_plan_free(pb_plan *plan)
{
    if (!plan)
        return;
    for (uint32_t i = 0; i < plan->ntables; i++)
        table_free(plan->tables[i]);
    free(plan->tables);
    pb_index_free(&plan->table_ids);
    for (uint32_t a = 0; a < plan->nagreements; a++)
        for (int s = 0; s < 2; s++) {
            free(plan->agreements[a].side[s].rows);
            free(plan->agreements[a].side[s].cols);
        }
    free(plan->agreements);
    pb_indsets_free(plan);
    pb_registers_free(plan);
    pb_collections_free(plan);
    pb_arena_free(&plan->arena);
    free(plan);
}

const char *pb_meta_key_name(pb_meta_key key)
{
    return (unsigned)key < PB_META_COUNT ? meta_names[key] : NULL;
}

int pb_meta_key_from_name(const char *name, size_t len)
{
    for (int k = 0; k < PB_META_COUNT; k++)
        if (name_eq(meta_names[k], name, len))
            return k;
    return -1;
}

const char *pb_plan_meta(const pb_plan *plan, pb_meta_key key)
{
    return (unsigned)key < PB_META_COUNT ? plan->meta[key] : NULL;
}

pb_status pb_plan_set_meta(pb_plan *plan, pb_meta_key key, const char *value,
                           size_t len, pb_error *err)
{
    if ((unsigned)key >= PB_META_COUNT)
        return pb_error_set(err, PB_ERR_RANGE, "unknown metadata key");
    const char *v = NULL;
    if (value && !(v = dup(plan, value, len, err)))
        return PB_ERR_NOMEM;
    plan->meta[key] = v;
    pb_plan_touch(plan);
    return PB_OK;
}

int pb_plan_year_start(const pb_plan *plan) { return plan->year_start; }

pb_status pb_plan_set_year_start(pb_plan *plan, int month, pb_error *err)
{
    if (month < 1 || month > 12)
        return pb_error_set(err, PB_ERR_RANGE,
                            "the year start must be a month, 1-12");
    plan->year_start = month;
    pb_plan_touch(plan);
    return PB_OK;
}

pb_amount pb_plan_tolerance(const pb_plan *plan) { return plan->tolerance; }

pb_status pb_plan_set_tolerance(pb_plan *plan, pb_amount tolerance,
                                pb_error *err)
{
    if (tolerance < 0)
        return pb_error_set(err, PB_ERR_RANGE, "a tolerance cannot be negative");
    plan->tolerance = tolerance;
    pb_plan_touch(plan);
    return PB_OK;
}

uint64_t pb_plan_generation(const pb_plan *plan) { return plan->generation; }

size_t pb_plan_memory(const pb_plan *plan)
{
    size_t m = sizeof *plan + plan->arena.total +
               plan->captables * sizeof(pb_table *) +
               plan->capagreements * sizeof(pb_agreement);
    for (uint32_t i = 0; i < plan->ntables; i++) {
        const pb_table *t = plan->tables[i];
        size_t cells = (size_t)t->caprows * t->ncols;
        m += sizeof *t + t->capcols * sizeof(pb_column) +
             t->caprows * sizeof(pb_row) +
             cells * (sizeof(pb_cellv) + 1 + sizeof(uint32_t)) +
             t->comp_cap * (sizeof(pb_amount) + 1) +
             t->row_ids.cap * sizeof(uint32_t) + pb_hash_memory(&t->row_labels) +
             pb_hash_memory(&t->col_ids);
    }
    return m + pb_indsets_memory(plan) + pb_registers_memory(plan) +
           pb_collections_memory(plan);
}

/* ============================================================== tables */

size_t pb_plan_table_count(const pb_plan *plan) { return plan->ntables; }

pb_table *pb_plan_table(const pb_plan *plan, size_t index)
{
    return index < plan->ntables ? plan->tables[index] : NULL;
}

int64_t pb_plan_find_table(const pb_plan *plan, const char *id, size_t len)
{
    if (plan->table_ids.stale && !table_ids_rebuild((pb_plan *)plan)) {
        for (uint32_t i = 0; i < plan->ntables; i++)
            if (name_eq(plan->tables[i]->id, id, len))
                return i;
        return -1;
    }
    return pb_index_get(&plan->table_ids, id, len, table_key, plan);
}

pb_table *pb_plan_add_table(pb_plan *plan, const char *id, size_t len,
                            pb_error *err)
{
    if (!pb_id_valid(id, len)) {
        pb_error_set(err, PB_ERR_INVALID,
                     "'%.*s' is not a valid table id (1-128 letters, digits, _ or -, not starting with -)",
                     (int)(len > 60 ? 60 : len), id ? id : "");
        return NULL;
    }
    if (pb_plan_find_table(plan, id, len) >= 0) {
        pb_error_set(err, PB_ERR_DUPLICATE, "duplicate table id '%.*s'",
                     (int)len, id);
        return NULL;
    }
    if (!pb_grow((void **)&plan->tables, &plan->captables, plan->ntables + 1,
              sizeof(pb_table *))) {
        pb_error_set(err, PB_ERR_NOMEM, NULL);
        return NULL;
    }
    pb_table *t = calloc(1, sizeof *t);
    if (!t) {
        pb_error_set(err, PB_ERR_NOMEM, NULL);
        return NULL;
    }
    t->plan = plan;
    t->income_sign = 1;
    t->blank_zero = 1;
    if (!(t->id = dup(plan, id, len, err))) {
        free(t);
        return NULL;
    }
    plan->tables[plan->ntables] = t;
    if (!pb_index_put(&plan->table_ids, plan->ntables, table_key, plan))
        plan->table_ids.stale = 1;
    plan->ntables++;
    pb_plan_touch(plan);
    return t;
}

pb_status pb_plan_remove_table(pb_plan *plan, size_t index, pb_error *err)
{
    if (index >= plan->ntables)
        return pb_error_set(err, PB_ERR_RANGE, "no table %zu", index);
    table_free(plan->tables[index]);
    memmove(plan->tables + index, plan->tables + index + 1,
            (plan->ntables - index - 1) * sizeof(pb_table *));
    plan->ntables--;
    plan->table_ids.stale = 1;
    pb_plan_touch(plan);
    return PB_OK;
}

pb_plan *pb_table_plan(const pb_table *t) { return t->plan; }
uint64_t pb_table_layout(const pb_table *t) { return t->layout; }
const char *pb_table_id(const pb_table *t) { return t->id; }

const char *pb_table_text(const pb_table *t, pb_table_field field)
{
    if ((unsigned)field >= PB_TABLE_FIELD_COUNT)
        return NULL;
    if (field == PB_TABLE_UNIT && !t->text[field])
        return "\xc2\xa3'000";
    return t->text[field];
}

pb_status pb_table_set_text(pb_table *t, pb_table_field field,
                            const char *value, size_t len, pb_error *err)
{
    if ((unsigned)field >= PB_TABLE_FIELD_COUNT)
        return pb_error_set(err, PB_ERR_RANGE, "unknown table field");
    const char *v = NULL;
    if (value && !(v = dup(t->plan, value, len, err)))
        return PB_ERR_NOMEM;
    t->text[field] = v;
    pb_plan_touch(t->plan);
    return PB_OK;
}

int pb_table_decimals(const pb_table *t) { return t->decimals; }

pb_status pb_table_set_decimals(pb_table *t, int decimals, pb_error *err)
{
    if (decimals < 0 || decimals > PB_MAX_DECIMALS)
        return pb_error_set(err, PB_ERR_RANGE, "decimals must be 0..%d",
                            PB_MAX_DECIMALS);
    if (t->nrows)
        return pb_error_set(err, PB_ERR_INVALID,
                            "decimals can only be set before the table has rows");
    t->decimals = (int8_t)decimals;
    pb_plan_touch(t->plan);
    return PB_OK;
}

int pb_table_income_sign(const pb_table *t) { return t->income_sign; }

pb_status pb_table_set_income_sign(pb_table *t, int sign, pb_error *err)
{
    if (sign != 1 && sign != -1)
        return pb_error_set(err, PB_ERR_RANGE, "income sign must be +1 or -1");
    t->income_sign = (int8_t)sign;
    pb_plan_touch(t->plan);
    return PB_OK;
}

int pb_table_blank_zero(const pb_table *t) { return t->blank_zero; }

void pb_table_set_blank_zero(pb_table *t, int zero)
{
    t->blank_zero = zero ? 1 : 0;
    pb_plan_touch(t->plan);
}

int pb_table_tolerance(const pb_table *t, pb_amount *tolerance)
{
    if (t->has_tolerance && tolerance)
        *tolerance = t->tolerance;
    return t->has_tolerance;
}

pb_status pb_table_set_tolerance(pb_table *t, int has, pb_amount tolerance,
                                 pb_error *err)
{
    if (has && tolerance < 0)
        return pb_error_set(err, PB_ERR_RANGE, "a tolerance cannot be negative");
    t->has_tolerance = has ? 1 : 0;
    t->tolerance = has ? tolerance : 0;
    pb_plan_touch(t->plan);
    return PB_OK;
}

void pb_table_source(const pb_table *t, uint32_t *line, uint32_t *column)
{
    *line = t->line;
    *column = t->column;
}

void pb_table_set_source(pb_table *t, uint32_t line, uint32_t column)
{
    t->line = line;
    t->column = column;
}

/* ============================================================= columns */

size_t pb_table_column_count(const pb_table *t) { return t->ncols; }

static const char *col_key(const void *ctx, uint32_t c, size_t *len, uint32_t *tag)
{
    const char *id = ((const pb_table *)ctx)->cols[c].id;
    *len = strlen(id);
    *tag = 0;
    return id;
}

/* The column id index (see pb_plan_private.h); 0 when there is no memory
 * for it (then lookups scan). */
static int col_ids_build(pb_table *t)
{
    pb_hash_clear(&t->col_ids);
    if (!pb_hash_reserve(&t->col_ids, t->ncols))
        return 0;
    for (uint32_t c = 0; c < t->ncols; c++) {
        int made;
        if (!pb_hash_add(&t->col_ids, c, col_key, t, &made))
            return 0;
    }
    t->col_ids_ready = 1;
    return 1;
}

/* Finding a column by id scanned every column: reading a row whose values
 * are a mapping by column id, and adding each column (which looks for a
 * duplicate), were quadratic in the columns (issue 15). */
int64_t pb_table_find_column(const pb_table *t, const char *id, size_t len)
{
    if (t->ncols >= 8 && (t->col_ids_ready || col_ids_build((pb_table *)t))) {
        const pb_hash_slot *s = pb_hash_find(&t->col_ids, id, len, 0, col_key, t);
        return s ? (int64_t)s->value : -1;
    }
    for (uint32_t c = 0; c < t->ncols; c++)
        if (name_eq(t->cols[c].id, id, len))
            return c;
    return -1;
}

int64_t pb_table_add_column(pb_table *t, const char *id, size_t len,
                            pb_error *err)
{
    if (t->nrows) {
        pb_error_set(err, PB_ERR_INVALID,
                     "columns can only be added before the table has rows");
        return -1;
    }
    if (!pb_id_valid(id, len)) {
        pb_error_set(err, PB_ERR_INVALID,
                     "'%.*s' is not a valid column id (1-128 letters, digits, _ or -, not starting with -)",
                     (int)(len > 60 ? 60 : len), id ? id : "");
        return -1;
    }
    if (pb_table_find_column(t, id, len) >= 0) {
        pb_error_set(err, PB_ERR_DUPLICATE, "duplicate column id '%.*s'",
                     (int)len, id);
        return -1;
    }
    if (t->ncols >= 16384) {
        pb_error_set(err, PB_ERR_LIMIT, "a table has at most 16384 columns");
        return -1;
    }
    if (!pb_grow((void **)&t->cols, &t->capcols, t->ncols + 1, sizeof(pb_column))) {
        pb_error_set(err, PB_ERR_NOMEM, NULL);
        return -1;
    }
    pb_column *col = &t->cols[t->ncols];
    memset(col, 0, sizeof *col);
    col->decimals = -1;
    col->equals = PB_NONE;
    if (!(col->id = dup(t->plan, id, len, err)))
        return -1;
    if (t->col_ids_ready) {
        int made;
        if (!pb_hash_add(&t->col_ids, t->ncols, col_key, t, &made))
            t->col_ids_ready = 0;
    }
    t->layout++;
    pb_plan_touch(t->plan);
    return t->ncols++;
}

const char *pb_column_id(const pb_table *t, size_t c)
{
    return c < t->ncols ? t->cols[c].id : NULL;
}

pb_status pb_column_set_id(pb_table *t, size_t c, const char *id, size_t len,
                           pb_error *err)
{
    if (c >= t->ncols)
        return pb_error_set(err, PB_ERR_INVALID, "no column %zu", c);
    if (!pb_id_valid(id, len))
        return pb_error_set(err, PB_ERR_INVALID,
                            "'%.*s' is not a valid column id (1-128 letters, digits, _ or -, "
                            "not starting with -)",
                            (int)(len > 60 ? 60 : len), id ? id : "");
    int64_t other = pb_table_find_column(t, id, len);
    if (other >= 0 && (size_t)other != c)
        return pb_error_set(err, PB_ERR_DUPLICATE, "duplicate column id '%.*s'", (int)len, id);
    if (other >= 0)
        return PB_OK;
    const char *copy = dup(t->plan, id, len, err);
    if (!copy)
        return PB_ERR_NOMEM; /* err may be NULL */
    if (t->col_ids_ready) { /* the old id out, the new one in */
        pb_hash_slot *s = pb_hash_find(&t->col_ids, t->cols[c].id, strlen(t->cols[c].id), 0,
                                       col_key, t);
        if (s)
            pb_hash_remove(&t->col_ids, s);
    }
    t->cols[c].id = copy;
    if (t->col_ids_ready) {
        int made;
        if (!pb_hash_add(&t->col_ids, (uint32_t)c, col_key, t, &made))
            t->col_ids_ready = 0;
    }
    t->layout++;
    pb_plan_touch(t->plan);
    return PB_OK;
}

const char *pb_column_text(const pb_table *t, size_t c, pb_column_field f)
{
    if (c >= t->ncols || (unsigned)f >= PB_COLUMN_FIELD_COUNT)
        return NULL;
    return t->cols[c].text[f];
}

pb_status pb_column_set_text(pb_table *t, size_t c, pb_column_field f,
                             const char *value, size_t len, pb_error *err)
{
    if (c >= t->ncols || (unsigned)f >= PB_COLUMN_FIELD_COUNT)
        return pb_error_set(err, PB_ERR_RANGE, "no such column or field");
    const char *v = NULL;
    if (value && !(v = dup(t->plan, value, len, err)))
        return PB_ERR_NOMEM;
    t->cols[c].text[f] = v;
    pb_plan_touch(t->plan);
    return PB_OK;
}

pb_period pb_column_period(const pb_table *t, size_t c)
{
    pb_period none = {0, PB_PERIOD_NONE, 0};
    return c < t->ncols ? t->cols[c].period : none;
}

pb_status pb_column_set_period(pb_table *t, size_t c, pb_period p,
                               pb_error *err)
{
    if (c >= t->ncols)
        return pb_error_set(err, PB_ERR_RANGE, "no column %zu", c);
    t->cols[c].period = p;
    pb_plan_touch(t->plan);
    return PB_OK;
}

pb_column_type pb_column_type_of(const pb_table *t, size_t c)
{
    return c < t->ncols ? (pb_column_type)t->cols[c].type : PB_COL_AMOUNT;
}

pb_status pb_column_set_type(pb_table *t, size_t c, pb_column_type type,
                             pb_error *err)
{
    if (c >= t->ncols)
        return pb_error_set(err, PB_ERR_RANGE, "no column %zu", c);
    if (type != PB_COL_AMOUNT && type != PB_COL_TEXT)
        return pb_error_set(err, PB_ERR_RANGE, "unknown column type");
    if (t->nrows)
        return pb_error_set(err, PB_ERR_INVALID,
                            "a column's type can only be set before the table has rows");
    if (type == PB_COL_TEXT) {
        if (t->cols[c].nterms)
            return pb_error_set(err, PB_ERR_INVALID,
                                "a sum column cannot be a text column");
        for (uint32_t k = 0; k < t->ncols; k++) {
            for (uint32_t j = 0; j < t->cols[k].nterms; j++)
                if (t->cols[k].term_cols[j] == c)
                    return pb_error_set(err, PB_ERR_INVALID,
                                        "column '%s' is summed by '%s'",
                                        t->cols[c].id, t->cols[k].id);
            if (t->cols[k].equals == c)
                return pb_error_set(err, PB_ERR_INVALID,
                                    "column '%s' is compared by '%s'",
                                    t->cols[c].id, t->cols[k].id);
        }
    }
    t->cols[c].type = (uint8_t)type;
    pb_plan_touch(t->plan);
    return PB_OK;
}

int pb_column_decimals(const pb_table *t, size_t c)
{
    if (c >= t->ncols || t->cols[c].decimals < 0)
        return t->decimals;
    return t->cols[c].decimals;
}

int pb_column_has_decimals(const pb_table *t, size_t c)
{
    return c < t->ncols && t->cols[c].decimals >= 0;
}

pb_status pb_column_set_decimals(pb_table *t, size_t c, int decimals,
                                 pb_error *err)
{
    if (c >= t->ncols)
        return pb_error_set(err, PB_ERR_RANGE, "no column %zu", c);
    if (decimals > PB_MAX_DECIMALS)
        return pb_error_set(err, PB_ERR_RANGE, "decimals must be 0..%d",
                            PB_MAX_DECIMALS);
    if (t->nrows)
        return pb_error_set(err, PB_ERR_INVALID,
                            "decimals can only be set before the table has rows");
    t->cols[c].decimals = (int8_t)(decimals < 0 ? -1 : decimals);
    pb_plan_touch(t->plan);
    return PB_OK;
}

/* Does following the sum terms from `from` reach `target`?  An iterative
 * walk that visits each column once: the formulas form a DAG whose number
 * of paths can grow exponentially with its depth (64 terms naming the same
 * column, level after level), so paths are never enumerated.  Returns 1,
 * 0, or -1 when out of memory. */
static int reaches(const pb_table *t, uint32_t from, uint32_t target)
{
    if (from == target)
        return 1;
    int found = 0;
    uint8_t *seen = calloc(t->ncols, 1);
    uint32_t *stack = malloc((size_t)t->ncols * sizeof *stack);
    if (!seen || !stack) {
        found = -1;
        goto cleanup;
    }
    size_t top = 0;
    stack[top++] = from;
    seen[from] = 1;
    while (top && !found) {
        const pb_column *col = &t->cols[stack[--top]];
        for (uint32_t k = 0; k < col->nterms; k++) {
            uint32_t next = col->term_cols[k];
            if (next == target) {
                found = 1;
                break;
            }
            if (!seen[next]) {
                seen[next] = 1;
                stack[top++] = next;
            }
        }
    }
cleanup:
    free(seen);
    free(stack);
    return found;
}

pb_status pb_column_set_sum(pb_table *t, size_t c, const uint32_t *cols,
                            const int8_t *signs, size_t nterms, pb_error *err)
{
    if (c >= t->ncols)
        return pb_error_set(err, PB_ERR_RANGE, "no column %zu", c);
    pb_column *col = &t->cols[c];
    if (nterms && col->type != PB_COL_AMOUNT)
        return pb_error_set(err, PB_ERR_INVALID,
                            "column '%s' is a text column and cannot be a sum",
                            col->id);
    for (size_t k = 0; k < nterms; k++) {
        if (cols[k] >= t->ncols)
            return pb_error_set(err, PB_ERR_RANGE, "sum term out of range");
        if (signs[k] != 1 && signs[k] != -1)
            return pb_error_set(err, PB_ERR_RANGE, "sum sign must be +1 or -1");
        if (t->cols[cols[k]].type != PB_COL_AMOUNT)
            return pb_error_set(err, PB_ERR_INVALID,
                                "column '%s' sums '%s', which is a text column",
                                col->id, t->cols[cols[k]].id);
        int cyc = reaches(t, cols[k], (uint32_t)c);
        if (cyc < 0)
            return pb_error_set(err, PB_ERR_NOMEM, NULL);
        if (cyc)
            return pb_error_set(err, PB_ERR_INVALID,
                                "column '%s' would be part of its own sum",
                                col->id);
    }
    uint32_t *nc = NULL;
    int8_t *ns = NULL;
    if (nterms) {
        nc = malloc(nterms * sizeof *nc);
        ns = malloc(nterms);
        if (!nc || !ns) {
            free(nc);
            free(ns);
            return pb_error_set(err, PB_ERR_NOMEM, NULL);
        }
        memcpy(nc, cols, nterms * sizeof *nc);
        memcpy(ns, signs, nterms);
    }
    free(col->term_cols);
    free(col->term_signs);
    col->term_cols = nc;
    col->term_signs = ns;
    col->nterms = (uint32_t)nterms;
    pb_plan_touch(t->plan);
    return PB_OK;
}

size_t pb_column_term_count(const pb_table *t, size_t c)
{
    return c < t->ncols ? t->cols[c].nterms : 0;
}

void pb_column_term(const pb_table *t, size_t c, size_t k, uint32_t *col,
                    int *sign)
{
    *col = t->cols[c].term_cols[k];
    *sign = t->cols[c].term_signs[k];
}

pb_status pb_column_set_equals(pb_table *t, size_t c, uint32_t other,
                               pb_error *err)
{
    if (c >= t->ncols || (other != PB_NONE && other >= t->ncols))
        return pb_error_set(err, PB_ERR_RANGE, "no such column");
    if (other != PB_NONE &&
        (other == c || t->cols[c].type != PB_COL_AMOUNT ||
         t->cols[other].type != PB_COL_AMOUNT))
        return pb_error_set(err, PB_ERR_INVALID,
                            "'equals' compares two different amount columns");
    t->cols[c].equals = other;
    pb_plan_touch(t->plan);
    return PB_OK;
}

uint32_t pb_column_equals(const pb_table *t, size_t c)
{
    return c < t->ncols ? t->cols[c].equals : PB_NONE;
}

void pb_column_source(const pb_table *t, size_t c, uint32_t *line,
                      uint32_t *column)
{
    *line = c < t->ncols ? t->cols[c].line : 0;
    *column = c < t->ncols ? t->cols[c].column : 0;
}

void pb_column_set_source(pb_table *t, size_t c, uint32_t line,
                          uint32_t column)
{
    if (c < t->ncols) {
        t->cols[c].line = line;
        t->cols[c].column = column;
    }
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
    if (label && !(lab = dup(t->plan, label, len, err)))
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
    pb_plan_touch(t->plan);
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
    pb_plan_touch(t->plan);
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
    if (label && !(v = dup(t->plan, label, len, err)))
        return PB_ERR_NOMEM;
    t->rows[r].label = v;
    t->labels_ready = 0;
    pb_plan_touch(t->plan);
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
        row->extra = pb_arena_alloc(&t->plan->arena, sizeof(pb_row_extra));
        if (!row->extra)
            return pb_error_set(err, PB_ERR_NOMEM, NULL);
        memset(row->extra, 0, sizeof(pb_row_extra));
    }
    const char *v = NULL;
    if (value && !(v = dup(t->plan, value, len, err)))
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
    pb_plan_touch(t->plan);
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
    pb_plan_touch(t->plan);
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
    if (t->nrows_with_id) {
        if (t->row_ids.stale || t->row_ids.count != t->nrows_with_id) {
            if (!row_ids_rebuild((pb_table *)t)) {
                for (uint32_t r = 0; r < t->nrows; r++)
                    if (t->rows[r].extra && t->rows[r].extra->text[PB_ROW_ID] &&
                        name_eq(t->rows[r].extra->text[PB_ROW_ID], ref, len))
                        return r;
                goto labels;
            }
            ((pb_table *)t)->row_ids.stale = 0;
        }
        int64_t r = pb_index_get(&t->row_ids, ref, len, row_key, t);
        if (r >= 0)
            return r;
    }
labels:;
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
            const char *v = dup(t->plan, s, n, err);
            if (!v)
                return PB_ERR_NOMEM;
            t->vals[i].text = v;
            t->states[i] = PB_CELL_TEXT;
        }
        pb_plan_touch(t->plan);
        return PB_OK;
    }
    pb_amount v;
    pb_cell_state state;
    st = pb_amount_parse(s, n, pb_column_decimals(t, c), &v, &state, err);
    if (st)
        return st;
    if (v == INT64_MIN)
        return pb_error_set(err, PB_ERR_OVERFLOW,
                            "amount out of the fixed-point range");
    t->vals[i].amount = v;
    t->states[i] = (uint8_t)state;
    pb_plan_touch(t->plan);
    return PB_OK;
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
    if (printed == INT64_MIN)
        return pb_error_set(err, PB_ERR_OVERFLOW,
                            "amount out of the fixed-point range");
    size_t i = PB_CELL(t, r, c);
    t->vals[i].amount = state == PB_CELL_VALUE ? printed : 0;
    t->states[i] = (uint8_t)state;
    pb_plan_touch(t->plan);
    return PB_OK;
}

pb_status pb_cell_set_value(pb_table *t, size_t r, size_t c,
                            pb_cell_state state, pb_amount value,
                            pb_error *err)
{
    if (r < t->nrows && income_flip(t, r)) {
        if (value == INT64_MIN)
            return pb_error_set(err, PB_ERR_OVERFLOW,
                                "amount out of the fixed-point range");
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

/* ========================================================== agreements */

size_t pb_plan_agreement_count(const pb_plan *plan) { return plan->nagreements; }

int64_t pb_plan_add_agreement(pb_plan *plan, const char *name, size_t len,
                              pb_error *err)
{
    if (!pb_grow((void **)&plan->agreements, &plan->capagreements,
              plan->nagreements + 1, sizeof(pb_agreement))) {
        pb_error_set(err, PB_ERR_NOMEM, NULL);
        return -1;
    }
    pb_agreement *a = &plan->agreements[plan->nagreements];
    memset(a, 0, sizeof *a);
    if (name && !(a->name = dup(plan, name, len, err)))
        return -1;
    pb_plan_touch(plan);
    return plan->nagreements++;
}

pb_status pb_plan_remove_agreement(pb_plan *plan, size_t a, pb_error *err)
{
    if (a >= plan->nagreements)
        return pb_error_set(err, PB_ERR_RANGE, "no agreement %zu", a);
    for (int s = 0; s < 2; s++) {
        free(plan->agreements[a].side[s].rows);
        free(plan->agreements[a].side[s].cols);
    }
    memmove(plan->agreements + a, plan->agreements + a + 1,
            (plan->nagreements - a - 1) * sizeof(pb_agreement));
    plan->nagreements--;
    pb_plan_touch(plan);
    return PB_OK;
}

const char *pb_agreement_name(const pb_plan *plan, size_t a)
{
    return plan->agreements[a].name;
}

pb_status pb_agreement_set_name(pb_plan *plan, size_t a, const char *name,
                                size_t len, pb_error *err)
{
    const char *v = NULL;
    if (name && !(v = dup(plan, name, len, err)))
        return PB_ERR_NOMEM;
    plan->agreements[a].name = v;
    pb_plan_touch(plan);
    return PB_OK;
}

const char *pb_agreement_note(const pb_plan *plan, size_t a)
{
    return plan->agreements[a].note;
}

pb_status pb_agreement_set_note(pb_plan *plan, size_t a, const char *note,
                                size_t len, pb_error *err)
{
    const char *v = NULL;
    if (note && !(v = dup(plan, note, len, err)))
        return PB_ERR_NOMEM;
    plan->agreements[a].note = v;
    pb_plan_touch(plan);
    return PB_OK;
}

int pb_agreement_tolerance(const pb_plan *plan, size_t a, pb_amount *tol)
{
    if (plan->agreements[a].has_tolerance && tol)
        *tol = plan->agreements[a].tolerance;
    return plan->agreements[a].has_tolerance;
}

pb_status pb_agreement_set_tolerance(pb_plan *plan, size_t a, int has,
                                     pb_amount tol, pb_error *err)
{
    if (has && tol < 0)
        return pb_error_set(err, PB_ERR_RANGE, "a tolerance cannot be negative");
    plan->agreements[a].has_tolerance = has ? 1 : 0;
    plan->agreements[a].tolerance = has ? tol : 0;
    pb_plan_touch(plan);
    return PB_OK;
}

const char *pb_agreement_table(const pb_plan *plan, size_t a, pb_side s)
{
    return plan->agreements[a].side[s].table;
}

pb_status pb_agreement_set_table(pb_plan *plan, size_t a, pb_side s,
                                 const char *id, size_t len, pb_error *err)
{
    const char *v = NULL;
    if (id && !(v = dup(plan, id, len, err)))
        return PB_ERR_NOMEM;
    plan->agreements[a].side[s].table = v;
    pb_plan_touch(plan);
    return PB_OK;
}

size_t pb_agreement_row_count(const pb_plan *plan, size_t a, pb_side s)
{
    return plan->agreements[a].side[s].nrows;
}

const char *pb_agreement_row(const pb_plan *plan, size_t a, pb_side s,
                             size_t k)
{
    return plan->agreements[a].side[s].rows[k];
}

static pb_status side_add(pb_plan *plan, const char ***arr, uint32_t *n,
                          uint32_t *cap, const char *s, size_t len,
                          pb_error *err)
{
    if (!pb_grow((void **)arr, cap, *n + 1, sizeof(char *)))
        return pb_error_set(err, PB_ERR_NOMEM, NULL);
    const char *v = dup(plan, s, len, err);
    if (!v)
        return PB_ERR_NOMEM;
    (*arr)[(*n)++] = v;
    pb_plan_touch(plan);
    return PB_OK;
}

pb_status pb_agreement_add_row(pb_plan *plan, size_t a, pb_side s,
                               const char *ref, size_t len, pb_error *err)
{
    pb_agreement_side *sd = &plan->agreements[a].side[s];
    return side_add(plan, &sd->rows, &sd->nrows, &sd->caprows, ref, len, err);
}

size_t pb_agreement_column_count(const pb_plan *plan, size_t a, pb_side s)
{
    return plan->agreements[a].side[s].ncols;
}

const char *pb_agreement_column(const pb_plan *plan, size_t a, pb_side s,
                                size_t k)
{
    return plan->agreements[a].side[s].cols[k];
}

pb_status pb_agreement_add_column(pb_plan *plan, size_t a, pb_side s,
                                  const char *id, size_t len, pb_error *err)
{
    pb_agreement_side *sd = &plan->agreements[a].side[s];
    return side_add(plan, &sd->cols, &sd->ncols, &sd->capcols, id, len, err);
}

int pb_agreement_negate(const pb_plan *plan, size_t a, pb_side s)
{
    return plan->agreements[a].side[s].negate;
}

void pb_agreement_set_negate(pb_plan *plan, size_t a, pb_side s, int negate)
{
    plan->agreements[a].side[s].negate = negate ? 1 : 0;
    pb_plan_touch(plan);
}

void pb_agreement_source(const pb_plan *plan, size_t a, uint32_t *line,
                         uint32_t *column)
{
    *line = plan->agreements[a].line;
    *column = plan->agreements[a].column;
}

void pb_agreement_set_source(pb_plan *plan, size_t a, uint32_t line,
                             uint32_t column)
{
    plan->agreements[a].line = line;
    plan->agreements[a].column = column;
}
