/* pb_yaml_read_budget.c - the budget tables (budgets: {id: table}) with
 * their columns and rows, and the agreements between tables.
 */
#include "pb_yaml_private.h"

#include <stdlib.h>
#include <string.h>

/* ========================================================== columns */

/* The references of a column (sum, equals), resolved once every column
 * of the table exists. */
typedef struct term_ref {
    char *id;
    int sign;
    uint32_t line, col;
} term_ref;

typedef struct col_refs {
    term_ref *terms;
    size_t nterms;
    char *equals;
    uint32_t eq_line, eq_col;
    char *compute; /* pb_calc.h's text form */
    uint32_t cp_line, cp_col;
    uint32_t sum_line, sum_col;
} col_refs;

static void col_refs_free(col_refs *refs, size_t n)
{
    if (!refs)
        return;
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < refs[i].nterms; k++)
            free(refs[i].terms[k].id);
        free(refs[i].terms);
        free(refs[i].equals);
        free(refs[i].compute);
    }
    free(refs);
}

/* The keys of a column, as the codes of its rows. */
enum { K_ID, K_LABEL, K_PERIOD, K_PHASE, K_MEASURE, K_TYPE, K_DECIMALS, K_UNIT, K_SUM, K_EQUALS,
       K_COMPUTE, K_NCOL };

/* One column as it is read: the id may come anywhere in it, so the other
 * fields are gathered first and applied once the column exists. */
typedef struct column {
    pb_table *t;
    col_refs *ref;
    char *text[K_NCOL];
    uint32_t at_line[K_NCOL], at_col[K_NCOL];
    int type_text;
    long decimals;
} column;

/* A term of sum: [a, -b] */
static int sum_term(pb_yr_reader *r, void *obj, size_t i)
{
    (void)i;
    col_refs *ref = obj;
    if (!pb_yr_text(r, "a column id"))
        return 0;
    term_ref *nt = realloc(ref->terms, (ref->nterms + 1) * sizeof *nt);
    if (!nt)
        return FAIL(PB_ERR_NOMEM, "out of memory");
    ref->terms = nt;
    term_ref *tr = &ref->terms[ref->nterms];
    const char *s = sval(r);
    size_t n = slen(r);
    tr->sign = 1;
    if (n && (s[0] == '-' || s[0] == '+')) {
        tr->sign = s[0] == '-' ? -1 : 1;
        s++;
        n--;
    }
    tr->id = malloc(n + 1);
    if (!tr->id)
        return FAIL(PB_ERR_NOMEM, "out of memory");
    memcpy(tr->id, s, n);
    tr->id[n] = '\0';
    tr->line = LINE(r->ev);
    tr->col = COL(r->ev);
    ref->nterms++;
    return 1;
}

static int column_value(pb_yr_reader *r, void *obj, const pb_yr_field *f, uint32_t seen)
{
    (void)seen;
    column *c = obj;
    int k = f->code;
    c->at_line[k] = LINE(r->ev);
    c->at_col[k] = COL(r->ev);
    switch (k) {
    case K_SUM:
        c->ref->sum_line = LINE(r->ev);
        c->ref->sum_col = COL(r->ev);
        return pb_yr_read_list(r, "a list of column ids", sum_term, c->ref);
    case K_DECIMALS:
        return pb_yr_small_int(r, PB_MAX_DECIMALS, &c->decimals, "decimals 0-6");
    case K_TYPE:
        if (key_is(r, "text"))
            c->type_text = 1;
        else if (!key_is(r, "amount"))
            return FAIL(PB_ERR_SCHEMA, "a column type is 'amount' or 'text'");
        return 1;
    default:
        return (c->text[k] = pb_yr_copy(r)) != NULL;
    }
}

/* The column's fields, once it exists (c its index). */
static int apply_column(pb_yr_reader *r, column *c, size_t i)
{
    static const int fields[] = {K_LABEL, K_PHASE, K_MEASURE, K_UNIT};
    static const pb_column_field cf[] = {PB_COLUMN_LABEL, PB_COLUMN_PHASE, PB_COLUMN_MEASURE,
                                         PB_COLUMN_UNIT};
    pb_error *e = pb_yr_error(r);
    for (int k = 0; k < 4; k++) {
        const char *s = c->text[fields[k]];
        if (s && A->pb_column_set_text(c->t, i, cf[k], s, strlen(s), e))
            return pb_yr_core_fail_at(r, e, c->at_line[fields[k]], c->at_col[fields[k]]);
    }
    if (c->text[K_PERIOD]) {
        pb_period p;
        if (A->pb_period_parse(c->text[K_PERIOD], strlen(c->text[K_PERIOD]),
                               A->pb_plan_year_start(r->plan), &p, e) ||
            A->pb_column_set_period(c->t, i, p, e))
            return pb_yr_fail_at(r, e->status, c->at_line[K_PERIOD], c->at_col[K_PERIOD], "%s%s",
                                 e->message,
                                 strstr(e->message, "bare year")
                                     ? " (set plan.year_start before the budgets)"
                                     : "");
    }
    if (c->type_text && A->pb_column_set_type(c->t, i, PB_COL_TEXT, e))
        return pb_yr_core_fail_at(r, e, c->at_line[K_TYPE], c->at_col[K_TYPE]);
    if (c->decimals >= 0 && A->pb_column_set_decimals(c->t, i, (int)c->decimals, e))
        return pb_yr_core_fail_at(r, e, c->at_line[K_DECIMALS], c->at_col[K_DECIMALS]);
    if (c->text[K_EQUALS]) {
        c->ref->equals = c->text[K_EQUALS];
        c->text[K_EQUALS] = NULL;
        c->ref->eq_line = c->at_line[K_EQUALS];
        c->ref->eq_col = c->at_col[K_EQUALS];
    }
    if (c->text[K_COMPUTE]) {
        c->ref->compute = c->text[K_COMPUTE];
        c->text[K_COMPUTE] = NULL;
        c->ref->cp_line = c->at_line[K_COMPUTE];
        c->ref->cp_col = c->at_col[K_COMPUTE];
    }
    return 1;
}

static int add_column(pb_yr_reader *r, void *obj, uint32_t seen, uint32_t line, uint32_t col)
{
    (void)seen;
    column *c = obj;
    pb_error *e = pb_yr_error(r);
    int64_t i = A->pb_table_add_column(c->t, c->text[K_ID], strlen(c->text[K_ID]), e);
    if (i < 0)
        return pb_yr_core_fail_at(r, e, c->at_line[K_ID], c->at_col[K_ID]);
    A->pb_column_set_source(c->t, (size_t)i, line, col);
    return apply_column(r, c, (size_t)i);
}

#define COLUMN_TEXT(key, code) {key, column_value, code, PB_YR_NULLABLE_TEXT, NULL, NULL}
static const pb_yr_field column_fields[] = {
    {"id", column_value, K_ID, PB_YR_TEXT | PB_YR_REQUIRED, NULL, NULL},
    COLUMN_TEXT("label", K_LABEL),
    COLUMN_TEXT("period", K_PERIOD),
    COLUMN_TEXT("phase", K_PHASE),
    COLUMN_TEXT("measure", K_MEASURE),
    COLUMN_TEXT("type", K_TYPE),
    {"decimals", column_value, K_DECIMALS, 0, NULL, NULL},
    COLUMN_TEXT("unit", K_UNIT),
    {"sum", column_value, K_SUM, 0, NULL, NULL},
    COLUMN_TEXT("equals", K_EQUALS),
    COLUMN_TEXT("compute", K_COMPUTE),
};
static const pb_yr_map column_map = {"a column (a mapping with an id)", column_fields,
                                     PB_YR_COUNT(column_fields), 0, NULL, add_column,
                                     "a column needs an 'id'"};

/* Resolve the sum, equals and compute references of column c. */
static int resolve_column(pb_yr_reader *r, pb_table *t, size_t c, col_refs *ref)
{
    pb_error *e = pb_yr_error(r);
    if (ref->nterms) {
        uint32_t cols[64];
        int8_t signs[64];
        if (ref->nterms > 64)
            return pb_yr_fail_at(r, PB_ERR_LIMIT, ref->sum_line, ref->sum_col,
                                 "a sum has at most 64 terms");
        for (size_t k = 0; k < ref->nterms; k++) {
            int64_t tc = A->pb_table_find_column(t, ref->terms[k].id, strlen(ref->terms[k].id));
            if (tc < 0)
                return pb_yr_fail_at(r, PB_ERR_SCHEMA, ref->terms[k].line, ref->terms[k].col,
                                     "the sum names no column '%s'", ref->terms[k].id);
            cols[k] = (uint32_t)tc;
            signs[k] = (int8_t)ref->terms[k].sign;
        }
        if (A->pb_column_set_sum(t, c, cols, signs, ref->nterms, e))
            return pb_yr_core_fail_at(r, e, ref->sum_line, ref->sum_col);
    }
    if (ref->equals) {
        int64_t ec = A->pb_table_find_column(t, ref->equals, strlen(ref->equals));
        if (ec < 0)
            return pb_yr_fail_at(r, PB_ERR_SCHEMA, ref->eq_line, ref->eq_col,
                                 "'equals' names no column '%s'", ref->equals);
        if (A->pb_column_set_equals(t, c, (uint32_t)ec, e))
            return pb_yr_core_fail_at(r, e, ref->eq_line, ref->eq_col);
    }
    if (ref->compute &&
        A->pb_column_set_compute(t, c, ref->compute, strlen(ref->compute), e))
        return pb_yr_core_fail_at(r, e, ref->cp_line, ref->cp_col);
    return 1;
}

/* The columns of a table as they are read. */
typedef struct columns {
    pb_table *t;
    col_refs *refs;
    size_t n;
} columns;

static int read_column(pb_yr_reader *r, void *obj, size_t i)
{
    (void)i;
    columns *cs = obj;
    col_refs *nr = realloc(cs->refs, (cs->n + 1) * sizeof *nr);
    if (!nr)
        return FAIL(PB_ERR_NOMEM, "out of memory");
    cs->refs = nr;
    memset(&cs->refs[cs->n], 0, sizeof cs->refs[cs->n]);
    column c;
    memset(&c, 0, sizeof c);
    c.t = cs->t;
    c.ref = &cs->refs[cs->n++];
    c.decimals = -1;
    int ok = pb_yr_read_map(r, &column_map, &c);
    for (int k = 0; k < K_NCOL; k++)
        free(c.text[k]);
    return ok;
}

static int read_columns(pb_yr_reader *r, pb_table *t)
{
    columns cs = {t, NULL, 0};
    int ok = pb_yr_read_list(r, "a list of columns", read_column, &cs);
    for (size_t c = 0; ok && c < cs.n; c++)
        ok = resolve_column(r, t, c, &cs.refs[c]);
    col_refs_free(cs.refs, cs.n);
    return ok;
}

/* ============================================================= rows */

static int set_cell(pb_yr_reader *r, pb_table *t, size_t row, size_t c)
{
    pb_error *e = pb_yr_error(r);
    /* blank (~): cells start blank, and a blank cell keeps no position (it
     * would take a cell's storage: "~," is 2 bytes) */
    if (pb_yr_is_null(r))
        return 1;
    if (!pb_yr_text(r, "a value"))
        return 0;
    if (A->pb_cell_set_text(t, row, c, sval(r), slen(r), e))
        return pb_yr_core_fail(r, e);
    if (slen(r) == 0 && A->pb_column_type_of(t, c) == PB_COL_TEXT)
        return FAIL(PB_ERR_SCHEMA, "an empty text is written ~");
    A->pb_cell_set_source(t, row, c, LINE(r->ev), COL(r->ev));
    return 1;
}

/* The values of a row as a mapping {column id: value}. */
typedef struct values_map {
    pb_table *t;
    size_t row;
    unsigned char *seen; /* a byte per column */
} values_map;

static int value_entry(pb_yr_reader *r, void *obj)
{
    values_map *v = obj;
    int64_t c = A->pb_table_find_column(v->t, sval(r), slen(r));
    if (c < 0)
        return FAIL(PB_ERR_SCHEMA, "no column '%.*s' in this table", CUT(r, 60), sval(r));
    if (v->seen[c])
        return FAIL(PB_ERR_SCHEMA, "duplicate key '%s'", A->pb_column_id(v->t, (size_t)c));
    v->seen[c] = 1;
    size_t saved = pb_yr_path_key(r, sval(r), slen(r));
    if (!pb_yr_next(r) || !set_cell(r, v->t, v->row, (size_t)c))
        return 0;
    pb_yr_path_pop(r, saved);
    return 1;
}

/* values: [one per column] or {column id: value} */
static int read_values(pb_yr_reader *r, pb_table *t, size_t row)
{
    size_t ncols = A->pb_table_column_count(t);
    if (r->ev.type == YAML_MAPPING_START_EVENT) {
        values_map v = {t, row, calloc(ncols ? ncols : 1, 1)};
        if (!v.seen)
            return FAIL(PB_ERR_NOMEM, "out of memory");
        int ok = pb_yr_read_entries(r, "", "a column id", value_entry, &v);
        free(v.seen);
        return ok;
    }
    if (!pb_yr_expect(r, YAML_SEQUENCE_START_EVENT, "a list of values (one per column)"))
        return 0;
    uint32_t line = LINE(r->ev), col = COL(r->ev);
    size_t i = 0;
    for (;;) {
        if (!pb_yr_next(r))
            return 0;
        if (r->ev.type == YAML_SEQUENCE_END_EVENT)
            break;
        if (i >= ncols)
            return FAIL(PB_ERR_SCHEMA,
                        "more values than the table's %zu columns (in a [...] list a "
                        "comma separates values: quote '1,180')",
                        ncols);
        size_t saved = pb_yr_path_index(r, i);
        if (!set_cell(r, t, row, i))
            return 0;
        pb_yr_path_pop(r, saved);
        i++;
    }
    if (i != ncols)
        return pb_yr_fail_at(r, PB_ERR_SCHEMA, line, col,
                             "%zu values for the table's %zu columns (write ~ for a blank)", i,
                             ncols);
    return 1;
}

/* The keys of a row: its kind first (line, section or total). */
enum { R_LINE, R_SECTION, R_TOTAL, R_ID, R_ROLE, R_VALUES, R_NOTE, R_PARTS, R_ROWS, R_SELECT };

/* A row as it is read. */
typedef struct row {
    pb_table *t;
    uint32_t parent;
    int is_part;
    int64_t i;  /* the row, once its kind is read, else -1 */
    int kind;   /* R_LINE, R_SECTION or R_TOTAL */
    uint32_t key_line, key_col; /* of the current key */
} row;

static int read_rows(pb_yr_reader *r, pb_table *t, uint32_t parent, int parts);

static int row_at_key(pb_yr_reader *r, void *obj, const pb_yr_field *f)
{
    row *w = obj;
    int k = f->code;
    w->key_line = LINE(r->ev);
    w->key_col = COL(r->ev);
    if (w->i < 0) {
        if (k > R_TOTAL)
            return FAIL(PB_ERR_SCHEMA,
                        "a row starts with its kind: line, section or total (found '%s')",
                        f->key);
        if (w->is_part && k != R_LINE)
            return FAIL(PB_ERR_SCHEMA, "the parts of a line are lines");
    } else if (k <= R_TOTAL) {
        static const char *const kinds[] = {"line", "section", "total"};
        return FAIL(PB_ERR_SCHEMA, "a row has one kind (found '%s' after '%s')", f->key,
                    kinds[w->kind]);
    }
    return 1;
}

/* line, section or total: the row's label; makes the row */
static int row_kind(pb_yr_reader *r, void *obj, const pb_yr_field *f, uint32_t seen)
{
    (void)seen;
    static const pb_row_kind kinds[] = {PB_ROW_LINE, PB_ROW_SECTION, PB_ROW_TOTAL};
    row *w = obj;
    const char *label = NULL;
    size_t n = 0;
    if (!pb_yr_is_null(r)) {
        if (!pb_yr_text(r, "a label"))
            return 0;
        label = sval(r);
        n = slen(r);
    }
    /* Every row holds a cell per column, however little text it takes
     * ("- line: x" in a table of 16,384 columns is 200 KB): bound the
     * cells by the input read so far. */
    size_t ncols = A->pb_table_column_count(w->t);
    r->cells += ncols ? ncols : 1;
    if (!pb_yr_cells_fit(r))
        return FAIL(PB_ERR_LIMIT,
                    "more table cells than the input can hold (%llu cells after %zu "
                    "bytes; a row has a cell for each of the table's %zu columns)",
                    r->cells, r->ev.start_mark.index, ncols);
    pb_error *e = pb_yr_error(r);
    w->i = A->pb_table_insert_row(w->t, A->pb_table_row_count(w->t), kinds[f->code], w->parent,
                                  label, n, e);
    if (w->i < 0)
        return pb_yr_core_fail(r, e);
    A->pb_row_set_source(w->t, (size_t)w->i, w->key_line, w->key_col);
    w->kind = f->code;
    return 1;
}

/* id, note, select (only a total's): text of the row */
static int row_text(pb_yr_reader *r, void *obj, const pb_yr_field *f, uint32_t seen)
{
    (void)seen;
    static const pb_row_field fields[] = {[R_ID] = PB_ROW_ID, [R_NOTE] = PB_ROW_NOTE,
                                          [R_SELECT] = PB_ROW_SELECT};
    row *w = obj;
    if (f->code == R_SELECT && w->kind != R_TOTAL)
        return FAIL(PB_ERR_SCHEMA, "only a total has 'select'");
    if (pb_yr_is_null(r))
        return 1;
    if (!pb_yr_text(r, "text"))
        return 0;
    pb_error *e = pb_yr_error(r);
    return pb_yr_core(
        r, A->pb_row_set_text(w->t, (size_t)w->i, fields[f->code], sval(r), slen(r), e), e);
}

static int row_role(pb_yr_reader *r, void *obj, const pb_yr_field *f, uint32_t seen)
{
    (void)f, (void)seen;
    row *w = obj;
    if (!pb_yr_text(r, "a role"))
        return 0;
    int role = A->pb_role_from_name(sval(r), slen(r));
    if (role < 0)
        return FAIL(PB_ERR_SCHEMA,
                    "unknown role '%.*s' (expected expenditure, income, internal, "
                    "funding, saving, growth, adjustment or other)",
                    CUT(r, 40), sval(r));
    pb_error *e = pb_yr_error(r);
    return pb_yr_core(r, A->pb_row_set_role(w->t, (size_t)w->i, (pb_role)role, e), e);
}

/* values, parts and rows */
static int row_content(pb_yr_reader *r, void *obj, const pb_yr_field *f, uint32_t seen)
{
    (void)seen;
    row *w = obj;
    switch (f->code) {
    case R_VALUES:
        if (w->kind == R_SECTION)
            return FAIL(PB_ERR_SCHEMA, "a section has no values: put them on its lines");
        return read_values(r, w->t, (size_t)w->i);
    case R_PARTS:
        if (w->kind != R_LINE || w->is_part)
            return FAIL(PB_ERR_SCHEMA, "only a line (not a part) has parts");
        return read_rows(r, w->t, (uint32_t)w->i, 1);
    default:
        if (w->kind != R_SECTION)
            return FAIL(PB_ERR_SCHEMA, "only a section has rows");
        return read_rows(r, w->t, (uint32_t)w->i, 0);
    }
}

static int row_not_empty(pb_yr_reader *r, void *obj, uint32_t seen, uint32_t line, uint32_t col)
{
    (void)seen, (void)line, (void)col;
    if (((row *)obj)->i < 0)
        return FAIL(PB_ERR_SCHEMA, "an empty row: start it with line, section or total");
    return 1;
}

static const pb_yr_field row_fields[] = {
    {"line", row_kind, R_LINE, 0, NULL, NULL},
    {"section", row_kind, R_SECTION, 0, NULL, NULL},
    {"total", row_kind, R_TOTAL, 0, NULL, NULL},
    {"id", row_text, R_ID, 0, NULL, NULL},
    {"role", row_role, R_ROLE, 0, NULL, NULL},
    {"values", row_content, R_VALUES, 0, NULL, NULL},
    {"note", row_text, R_NOTE, 0, NULL, NULL},
    {"parts", row_content, R_PARTS, 0, NULL, NULL},
    {"rows", row_content, R_ROWS, 0, NULL, NULL},
    {"select", row_text, R_SELECT, 0, NULL, NULL},
};
static const pb_yr_map row_map = {"a row (a mapping starting with line, section or total)",
                                  row_fields, PB_YR_COUNT(row_fields), 0, row_at_key,
                                  row_not_empty, NULL};

/* The rows (or parts) under a parent as they are read. */
typedef struct rows {
    pb_table *t;
    uint32_t parent;
    int parts;
} rows;

static int read_row(pb_yr_reader *r, void *obj, size_t i)
{
    (void)i;
    rows *rs = obj;
    row w = {rs->t, rs->parent, rs->parts, -1, -1, 0, 0};
    return pb_yr_read_map(r, &row_map, &w);
}

static int read_rows(pb_yr_reader *r, pb_table *t, uint32_t parent, int parts)
{
    rows rs = {t, parent, parts};
    return pb_yr_read_list(r, parts ? "a list of parts" : "a list of rows", read_row, &rs);
}

/* ============================================================ tables */

PB_YR_PART_HOOKS(table)

static int table_kind(pb_yr_reader *r, void *obj, const pb_yr_field *f, uint32_t seen)
{
    (void)f, (void)seen;
    static const char *const kinds[] = {"objective", "subjective", "savings",
                                        "reconciliation", "funding", "fte",
                                        "capital", "workforce", "other", NULL};
    if (!pb_yr_text(r, "a table kind"))
        return 0;
    if (pb_yr_pick(r, kinds) < 0)
        return FAIL(PB_ERR_SCHEMA,
                    "unknown table kind '%.*s' (expected objective, subjective, "
                    "savings, reconciliation, funding, fte, capital, workforce or other)",
                    CUT(r, 40), sval(r));
    pb_error *e = pb_yr_error(r);
    return pb_yr_core(r, A->pb_table_set_text(obj, PB_TABLE_KIND, sval(r), slen(r), e), e);
}

/* income_sign (code 0) and blank (code 1): one of two words */
static int table_switch(pb_yr_reader *r, void *obj, const pb_yr_field *f, uint32_t seen)
{
    (void)seen;
    static const struct {
        const char *what, *names[3], *msg;
    } choices[] = {
        {"positive or negative", {"negative", "positive", NULL},
         "income_sign is 'positive' or 'negative'"},
        {"zero or missing", {"missing", "zero", NULL}, "blank is 'zero' or 'missing'"},
    };
    if (!pb_yr_text(r, choices[f->code].what))
        return 0;
    int i = pb_yr_pick(r, choices[f->code].names);
    if (i < 0)
        return FAIL(PB_ERR_SCHEMA, "%s", choices[f->code].msg);
    pb_error *e = pb_yr_error(r);
    if (f->code == 0)
        A->pb_table_set_income_sign(obj, i ? 1 : -1, e);
    else
        A->pb_table_set_blank_zero(obj, i);
    return 1;
}

static int table_decimals(pb_yr_reader *r, void *obj, const pb_yr_field *f, uint32_t seen)
{
    (void)f, (void)seen;
    long d;
    if (!pb_yr_small_int(r, PB_MAX_DECIMALS, &d, "decimals 0-6"))
        return 0;
    pb_error *e = pb_yr_error(r);
    return pb_yr_core(r, A->pb_table_set_decimals(obj, (int)d, e), e);
}

static int table_tolerance(pb_yr_reader *r, void *obj, const pb_yr_field *f, uint32_t seen)
{
    (void)f, (void)seen;
    pb_amount tol;
    if (!pb_yr_tolerance(r, &tol))
        return 0;
    pb_error *e = pb_yr_error(r);
    return pb_yr_core(r, A->pb_table_set_tolerance(obj, 1, tol, e), e);
}

static int table_columns(pb_yr_reader *r, void *obj, const pb_yr_field *f, uint32_t seen)
{
    (void)f, (void)seen;
    return read_columns(r, obj);
}

static int table_rows(pb_yr_reader *r, void *obj, const pb_yr_field *f, uint32_t seen)
{
    (void)f;
    if (!(seen & (1u << 8))) /* columns: the row of table_fields below */
        return FAIL(PB_ERR_SCHEMA, "'columns' must come before 'rows'");
    if (!read_rows(r, obj, PB_NONE, 0))
        return 0;
    A->pb_table_compact(obj);
    return 1;
}

static const pb_yr_field table_fields[] = {
    {"title", table_text, PB_TABLE_TITLE, PB_YR_NULLABLE_TEXT, NULL, NULL},
    {"kind", table_kind, 0, 0, NULL, NULL},
    {"unit", table_text, PB_TABLE_UNIT, PB_YR_NULLABLE_TEXT, NULL, NULL},
    {"decimals", table_decimals, 0, 0, NULL, NULL},
    {"income_sign", table_switch, 0, 0, NULL, NULL},
    {"blank", table_switch, 1, 0, NULL, NULL},
    {"tolerance", table_tolerance, 0, 0, NULL, NULL},
    {"note", table_text, PB_TABLE_NOTE, PB_YR_NULLABLE_TEXT, NULL, NULL},
    {"columns", table_columns, 0, 0, NULL, NULL}, /* 8: table_rows checks it */
    {"rows", table_rows, 0, 0, NULL, NULL},
};
PB_YR_PARTS_READER(pb_yr_read_budgets, table, table_fields, "a table (a mapping)",
                   "a mapping of tables by id", "a table id")

/* ======================================================== agreements */

/* A side of an agreement as it is read. */
typedef struct side {
    size_t a;
    pb_side s;
} side;

static int side_table(pb_yr_reader *r, void *obj, const pb_yr_field *f, uint32_t seen)
{
    (void)f, (void)seen;
    side *d = obj;
    if (!pb_yr_text(r, "a table id"))
        return 0;
    pb_error *e = pb_yr_error(r);
    return pb_yr_core(r, A->pb_agreement_set_table(r->plan, d->a, d->s, sval(r), slen(r), e), e);
}

static int side_negate(pb_yr_reader *r, void *obj, const pb_yr_field *f, uint32_t seen)
{
    (void)f, (void)seen;
    side *d = obj;
    int v = 0;
    if (!pb_yr_bool(r, &v))
        return 0;
    A->pb_agreement_set_negate(r->plan, d->a, d->s, v);
    return 1;
}

static int side_row(pb_yr_reader *r, void *obj, size_t i)
{
    (void)i;
    side *d = obj;
    if (!pb_yr_text(r, "a row id or label"))
        return 0;
    pb_error *e = pb_yr_error(r);
    return pb_yr_core(r, A->pb_agreement_add_row(r->plan, d->a, d->s, sval(r), slen(r), e), e);
}

static int side_column(pb_yr_reader *r, void *obj, size_t i)
{
    (void)i;
    side *d = obj;
    if (!pb_yr_text(r, "a column id"))
        return 0;
    pb_error *e = pb_yr_error(r);
    return pb_yr_core(r, A->pb_agreement_add_column(r->plan, d->a, d->s, sval(r), slen(r), e),
                      e);
}

/* rows: a list, or one reference (rows: lines) */
static int side_rows(pb_yr_reader *r, void *obj, const pb_yr_field *f, uint32_t seen)
{
    (void)f, (void)seen;
    if (is_scalar(r)) {
        if (!pb_yr_text(r, "a row reference"))
            return 0;
        return side_row(r, obj, 0);
    }
    return pb_yr_read_list(r, "a list of rows", side_row, obj);
}

static int side_columns(pb_yr_reader *r, void *obj, const pb_yr_field *f, uint32_t seen)
{
    (void)f, (void)seen;
    return pb_yr_read_list(r, "a list of columns", side_column, obj);
}

static const pb_yr_field side_fields[] = {
    {"table", side_table, 0, PB_YR_REQUIRED, NULL, NULL},
    {"rows", side_rows, 0, PB_YR_REQUIRED, NULL, NULL},
    {"columns", side_columns, 0, PB_YR_REQUIRED, NULL, NULL},
    {"negate", side_negate, 0, 0, NULL, NULL},
};
static const pb_yr_map side_map = {"a side (a mapping with table, rows and columns)", side_fields,
                                   PB_YR_COUNT(side_fields), 0, NULL, NULL,
                                   "a side needs table, rows and columns"};

/* name, note */
static int agreement_text(pb_yr_reader *r, void *obj, const pb_yr_field *f, uint32_t seen)
{
    (void)seen;
    size_t a = *(size_t *)obj;
    pb_error *e = pb_yr_error(r);
    pb_status st = f->code ? A->pb_agreement_set_note(r->plan, a, sval(r), slen(r), e)
                           : A->pb_agreement_set_name(r->plan, a, sval(r), slen(r), e);
    return pb_yr_core(r, st, e);
}

static int agreement_side(pb_yr_reader *r, void *obj, const pb_yr_field *f, uint32_t seen)
{
    (void)seen;
    side d = {*(size_t *)obj, (pb_side)f->code};
    return pb_yr_read_map(r, &side_map, &d);
}

static int agreement_tolerance(pb_yr_reader *r, void *obj, const pb_yr_field *f, uint32_t seen)
{
    (void)f, (void)seen;
    pb_amount tol;
    if (!pb_yr_tolerance(r, &tol))
        return 0;
    pb_error *e = pb_yr_error(r);
    return pb_yr_core(r, A->pb_agreement_set_tolerance(r->plan, *(size_t *)obj, 1, tol, e), e);
}

static const pb_yr_field agreement_fields[] = {
    {"name", agreement_text, 0, PB_YR_NULLABLE_TEXT, NULL, NULL},
    {"note", agreement_text, 1, PB_YR_NULLABLE_TEXT, NULL, NULL},
    {"left", agreement_side, PB_LEFT, PB_YR_REQUIRED, NULL, NULL},
    {"right", agreement_side, PB_RIGHT, PB_YR_REQUIRED, NULL, NULL},
    {"tolerance", agreement_tolerance, 0, 0, NULL, NULL},
};
static const pb_yr_map agreement_map = {"an agreement (a mapping)", agreement_fields,
                                        PB_YR_COUNT(agreement_fields), 0, NULL, NULL,
                                        "an agreement needs a left and a right side"};

static int read_agreement(pb_yr_reader *r, void *obj, size_t i)
{
    (void)obj, (void)i;
    if (!pb_yr_expect(r, YAML_MAPPING_START_EVENT, agreement_map.what))
        return 0;
    pb_error *e = pb_yr_error(r);
    int64_t a = A->pb_plan_add_agreement(r->plan, NULL, 0, e);
    if (a < 0)
        return pb_yr_core_fail(r, e);
    A->pb_agreement_set_source(r->plan, (size_t)a, LINE(r->ev), COL(r->ev));
    size_t at = (size_t)a;
    return pb_yr_read_fields(r, &agreement_map, &at);
}

int pb_yr_read_agreements(pb_yr_reader *r)
{
    return pb_yr_read_list(r, "a list of agreements", read_agreement, NULL);
}
