/* pb_table.c - budget tables: the plan's list of them, a table's own
 * fields, and its columns.  Rows and cells are in pb_row.c. */
#include "pb_plan_private.h"
#include "pb_text.h"

#include <stdlib.h>
#include <string.h>

#define dup pb_plan_dup
#define name_eq pb_name_eq

/* ======================================================== a kind of part */

static int table_init(void *obj)
{
    pb_table *t = obj;
    t->income_sign = 1;
    t->blank_zero = 1;
    return 1;
}

static void table_clear(void *obj)
{
    pb_table *t = obj;
    for (uint32_t c = 0; c < t->ncols; c++)
        if (t->cols[c].more) {
            free(t->cols[c].more->term_cols);
            free(t->cols[c].more->term_signs);
            free(t->cols[c].more);
        }
    free(t->cols);
    free(t->rows);
    free(t->rowx);
    free(t->vals);
    free(t->locs);
    free(t->tags);
    free(t->comp);
    free(t->comp_state);
    pb_index_free(&t->row_ids);
    pb_hash_free(&t->row_labels);
    pb_hash_free(&t->col_ids);
}

const pb_column_more pb_column_plain = {0, PB_NONE, NULL, NULL, 0, 0, 0, 0, 0, 0, NULL};

pb_column_more *pb_colm_mut(pb_column *col)
{
    if (!col->more && (col->more = malloc(sizeof *col->more)))
        *col->more = pb_column_plain;
    return col->more;
}

static size_t table_memory(const void *obj)
{
    const pb_table *t = obj;
    size_t cells = t->capcells, more = 0;
    for (uint32_t c = 0; c < t->ncols; c++)
        if (t->cols[c].more)
            more += sizeof(pb_column_more) + pb_colm(&t->cols[c])->nterms * 5u;
    return more + t->capcols * sizeof(pb_column) + t->caprows * sizeof(pb_row) +
           t->caprowx * sizeof(pb_row_extra) +
           cells * ((t->vals_wide ? sizeof(pb_cellv) : sizeof(int32_t)) +
                    (t->locs_wide ? 4u : 2u) + sizeof(uint16_t)) +
           t->comp_cap * (sizeof(pb_amount) + 1) + t->row_ids.cap * sizeof(uint32_t) +
           pb_hash_memory(&t->row_labels) + pb_hash_memory(&t->col_ids);
}

static const pb_part_ops table_ops = {"table", sizeof(pb_table), table_init, table_clear,
                                      table_memory};

/* ============================================================== tables */

PB_PART_FUNCTIONS(pb_table, table, PB_PART_BUDGETS, table_ops)

pb_plan *pb_table_plan(const pb_table *t) { return t->head.plan; }
uint64_t pb_table_layout(const pb_table *t) { return t->layout; }

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
    return pb_plan_set_text_field(t->head.plan, t->text, PB_TABLE_FIELD_COUNT, (unsigned)field,
                                  "table field", value, len, err);
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
    pb_plan_touch(t->head.plan);
    return PB_OK;
}

int pb_table_income_sign(const pb_table *t) { return t->income_sign; }

pb_status pb_table_set_income_sign(pb_table *t, int sign, pb_error *err)
{
    if (sign != 1 && sign != -1)
        return pb_error_set(err, PB_ERR_RANGE, "income sign must be +1 or -1");
    t->income_sign = (int8_t)sign;
    pb_plan_touch(t->head.plan);
    return PB_OK;
}

int pb_table_blank_zero(const pb_table *t) { return t->blank_zero; }

void pb_table_set_blank_zero(pb_table *t, int zero)
{
    t->blank_zero = zero ? 1 : 0;
    pb_plan_touch(t->head.plan);
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
    pb_plan_touch(t->head.plan);
    return PB_OK;
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
    col->decimals = -1; /* no more: equals PB_NONE */
    if (!(col->id = dup(t->head.plan, id, len, err)))
        return -1;
    if (t->col_ids_ready) {
        int made;
        if (!pb_hash_add(&t->col_ids, t->ncols, col_key, t, &made))
            t->col_ids_ready = 0;
    }
    t->layout++;
    pb_plan_touch(t->head.plan);
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
    const char *copy = dup(t->head.plan, id, len, err);
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
    pb_plan_touch(t->head.plan);
    return PB_OK;
}

const char *pb_column_text(const pb_table *t, size_t c, pb_column_field f)
{
    if (c >= t->ncols || (unsigned)f >= PB_COLUMN_FIELD_COUNT)
        return NULL;
    return pb_column_text_at(&t->cols[c], (unsigned)f);
}

pb_status pb_column_set_text(pb_table *t, size_t c, pb_column_field f,
                             const char *value, size_t len, pb_error *err)
{
    if (c >= t->ncols || (unsigned)f >= PB_COLUMN_FIELD_COUNT)
        return pb_error_set(err, PB_ERR_RANGE, "no such column or field");
    /* the column's list of texts with field f set, then kept once */
    pb_plan *plan = t->head.plan;
    pb_column *col = &t->cols[c];
    const char *texts[PB_COLUMN_FIELD_COUNT] = {NULL};
    if (col->text)
        memcpy((void *)texts, col->text, sizeof texts);
    pb_status st = pb_plan_set_string(plan, &texts[f], value, len, err);
    if (st)
        return st;
    int any = 0;
    for (unsigned k = 0; k < PB_COLUMN_FIELD_COUNT; k++)
        any |= texts[k] != NULL;
    const char *const *kept = NULL;
    if (any && !(kept = pb_arena_intern_ptrs(&plan->arena, texts, PB_COLUMN_FIELD_COUNT)))
        return pb_error_set(err, PB_ERR_NOMEM, NULL);
    col->text = kept;
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
    pb_plan_touch(t->head.plan);
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
        if (pb_colm(&t->cols[c])->nterms)
            return pb_error_set(err, PB_ERR_INVALID,
                                "a sum column cannot be a text column");
        for (uint32_t k = 0; k < t->ncols; k++) {
            for (uint32_t j = 0; j < pb_colm(&t->cols[k])->nterms; j++)
                if (pb_colm(&t->cols[k])->term_cols[j] == c)
                    return pb_error_set(err, PB_ERR_INVALID,
                                        "column '%s' is summed by '%s'",
                                        t->cols[c].id, t->cols[k].id);
            if (pb_colm(&t->cols[k])->equals == c)
                return pb_error_set(err, PB_ERR_INVALID,
                                    "column '%s' is compared by '%s'",
                                    t->cols[c].id, t->cols[k].id);
        }
    }
    t->cols[c].type = (uint8_t)type;
    pb_plan_touch(t->head.plan);
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
    if (t->nrows && t->cols[c].type != PB_COL_TEXT) /* a text column's cells keep their text */
        return pb_error_set(err, PB_ERR_INVALID,
                            "decimals can only be set before the table has rows");
    t->cols[c].decimals = (int8_t)(decimals < 0 ? -1 : decimals);
    pb_plan_touch(t->head.plan);
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
        for (uint32_t k = 0; k < pb_colm(col)->nterms; k++) {
            uint32_t next = pb_colm(col)->term_cols[k];
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
        if (pb_colm(&t->cols[cols[k]])->calc || pb_colm(col)->calc)
            return pb_error_set(err, PB_ERR_INVALID,
                                "column '%s' cannot sum '%s': computed columns are not summed",
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
    pb_column_more *m = nterms || col->more ? pb_colm_mut(col) : NULL;
    if ((nterms || col->more) && !m)
        return pb_error_set(err, PB_ERR_NOMEM, NULL);
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
    if (m) {
        free(m->term_cols);
        free(m->term_signs);
        m->term_cols = nc;
        m->term_signs = ns;
        m->nterms = (uint32_t)nterms;
    }
    pb_plan_touch(t->head.plan);
    return PB_OK;
}

size_t pb_column_term_count(const pb_table *t, size_t c)
{
    return c < t->ncols ? pb_colm(&t->cols[c])->nterms : 0;
}

void pb_column_term(const pb_table *t, size_t c, size_t k, uint32_t *col,
                    int *sign)
{
    *col = pb_colm(&t->cols[c])->term_cols[k];
    *sign = pb_colm(&t->cols[c])->term_signs[k];
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
    if (other != PB_NONE || t->cols[c].more) {
        pb_column_more *m = pb_colm_mut(&t->cols[c]);
        if (!m)
            return pb_error_set(err, PB_ERR_NOMEM, NULL);
        m->equals = other;
    }
    pb_plan_touch(t->head.plan);
    return PB_OK;
}

uint32_t pb_column_equals(const pb_table *t, size_t c)
{
    return c < t->ncols ? pb_colm(&t->cols[c])->equals : PB_NONE;
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
