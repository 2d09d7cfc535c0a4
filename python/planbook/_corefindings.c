/* _corefindings.c - plan.check() in planbook._core: the findings with the
 * names they refer to, gathered without the GIL.
 *
 * core.check() returns one tuple a finding, in the order of Finding's
 * fields (python/planbook/_model.py, Plan.check): code, severity, message,
 * part, table, row, row_index, row_id, column, column_heading, declared,
 * computed, difference, agreement, other, line, col.  Everything but the
 * Python objects is done with the GIL released (the guard holds the plan
 * for the whole call, _coreguard.c): the core's check, each finding's
 * sentence, the names it refers to (pointers into the plan, which no other
 * thread can change before the call returns), its column heading and its
 * amounts as decimal text, in one block.  Then, with the GIL, the tuples
 * are made from the block; a name met again is the same str object (a
 * small cache by content), and the amounts are their exact decimal text
 * ("123456E-2", Decimal(123456).scaleb(-2)): Finding makes the Decimal when
 * the amount is first read (python/planbook/_model.py), not here with the
 * GIL held for every finding. */
#include "_core.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

/* The names a finding refers to, taken in the same call as the finding, so
 * that another thread editing the plan cannot make them point elsewhere:
 * every part fills the same slots (NULL where it has no such name). */
enum { FK_TABLE, FK_ROW_LABEL, FK_ROW_ID, FK_COLUMN_ID, FK_COLUMN_LABEL, FK_COLUMN_PERIOD,
       FK_COLUMN_PHASE, FK_COLUMN_MEASURE, FK_OTHER_TABLE, FK_OTHER_ROW, FK_OTHER_COLUMN,
       FK_AGREEMENT, FK_PART, FK_COUNT };

static void core_finding_indicator(const pb_plan *plan, const pb_finding *f, const char **v,
                                   char *period)
{
    const pb_indset *s = pb_plan_indset(plan, f->table);
    v[FK_PART] = "indicators";
    if (!s)
        return;
    v[FK_TABLE] = pb_indset_id(s);
    if (f->column < pb_indset_period_count(s)) {
        pb_period_format(pb_indset_period(s, f->column), pb_plan_year_start(plan), period);
        v[FK_COLUMN_PERIOD] = period;
    }
    if (f->row < pb_indset_count(s)) {
        uint32_t m = pb_ind_parent(s, f->row) != PB_NONE ? pb_ind_parent(s, f->row) : f->row;
        v[FK_ROW_ID] = pb_ind_text(s, m, PB_IND_REF);
        v[FK_ROW_LABEL] = pb_ind_text(s, f->row, PB_IND_NAME);
    }
    if (f->other_column != PB_NONE)
        v[FK_COLUMN_ID] = f->other_column == PB_PRINTED_LAST     ? "last"
                          : f->other_column == PB_PRINTED_TARGET ? "target"
                              : pb_indset_comparator_id(s, f->other_column - 2);
}

static void core_finding_risk(const pb_plan *plan, const pb_finding *f, const char **v)
{
    const pb_register *g = pb_plan_register(plan, f->table);
    v[FK_PART] = "risks";
    v[FK_TABLE] = g ? pb_register_id(g) : NULL;
    if (g && f->row < pb_register_count(g)) {
        v[FK_ROW_ID] = pb_risk_text(g, f->row, PB_RISK_ID);
        v[FK_ROW_LABEL] = pb_risk_text(g, f->row, PB_RISK_DESCRIPTION);
    }
    if (f->column < PB_SCORE_KIND_COUNT)
        v[FK_COLUMN_ID] = pb_score_kind_name(f->column);
}

static void core_finding_record(const pb_plan *plan, const pb_finding *f, const char **v)
{
    const pb_collection *c = pb_plan_collection(plan, f->table);
    v[FK_PART] = "records";
    v[FK_TABLE] = c ? pb_collection_id(c) : NULL;
    if (c && f->row < pb_collection_count(c)) {
        v[FK_ROW_LABEL] = pb_item_field(c, f->row, "title");
        v[FK_ROW_ID] = pb_item_id(c, f->row);
        v[FK_COLUMN_ID] = pb_item_field_name(c, f->row, f->column);
    }
}

/* a described part's row: its id, its title field, the field's key */
static void core_finding_described(const pb_plan *plan, const pb_finding *f, const char **v)
{
    const pb_described *d = pb_plan_described(plan, f->table);
    v[FK_PART] = d ? pb_described_id(d) : "described";
    if (!d)
        return;
    const pb_described_desc *desc = pb_described_desc_of(d);
    v[FK_TABLE] = pb_described_id(d);
    for (size_t k = 0; f->row < pb_described_count(d) && k < desc->nfields; k++) {
        if (desc->fields[k].flags & PB_FIELD_ID)
            v[FK_ROW_ID] = pb_described_value(d, f->row, k);
        if (desc->fields[k].flags & PB_FIELD_TITLE)
            v[FK_ROW_LABEL] = pb_described_value(d, f->row, k);
    }
    if (f->column < desc->nfields)
        v[FK_COLUMN_ID] = desc->fields[f->column].key;
}

static void core_finding_budget(const pb_plan *plan, const pb_finding *f, const char **v,
                                char *period)
{
    v[FK_PART] = "budgets";
    const pb_table *t = f->table != PB_NONE ? pb_plan_table(plan, f->table) : NULL;
    /* a narrative figure's other side is a collection's item and field */
    const pb_collection *nc =
        f->code == PB_FIND_NARRATIVE ? pb_plan_collection(plan, f->other_table) : NULL;
    const pb_table *o = f->other_table != PB_NONE && f->code != PB_FIND_NARRATIVE
                            ? pb_plan_table(plan, f->other_table)
                            : NULL;
    v[FK_OTHER_TABLE] = nc ? pb_collection_id(nc) : o ? pb_table_id(o) : NULL;
    v[FK_OTHER_ROW] = nc ? pb_item_id(nc, f->other_row)
                      : o && f->other_row != PB_NONE ? pb_row_label(o, f->other_row) : NULL;
    v[FK_OTHER_COLUMN] = nc ? pb_item_field_name(nc, f->other_row, f->other_column)
                         : o && f->other_column != PB_NONE ? pb_column_id(o, f->other_column)
                                                           : NULL;
    v[FK_AGREEMENT] = f->agreement != PB_NONE ? pb_agreement_name(plan, f->agreement) : NULL;
    if (!t)
        return;
    v[FK_TABLE] = pb_table_id(t);
    if (f->row != PB_NONE) {
        v[FK_ROW_LABEL] = pb_row_label(t, f->row);
        v[FK_ROW_ID] = pb_row_text(t, f->row, PB_ROW_ID);
    }
    if (f->column == PB_NONE)
        return;
    if (pb_column_period(t, f->column).kind != PB_PERIOD_NONE) {
        pb_period_format(pb_column_period(t, f->column), pb_plan_year_start(plan), period);
        v[FK_COLUMN_PERIOD] = period;
    }
    v[FK_COLUMN_ID] = pb_column_id(t, f->column);
    v[FK_COLUMN_LABEL] = pb_column_text(t, f->column, PB_COLUMN_LABEL);
    v[FK_COLUMN_PHASE] = pb_column_text(t, f->column, PB_COLUMN_PHASE);
    v[FK_COLUMN_MEASURE] = pb_column_text(t, f->column, PB_COLUMN_MEASURE);
}

static void core_finding_names(const pb_plan *plan, const pb_finding *f, const char **v,
                               char *period)
{
    if (f->part == PB_PART_INDICATORS)
        core_finding_indicator(plan, f, v, period);
    else if (f->part == PB_PART_RISKS)
        core_finding_risk(plan, f, v);
    else if (f->part == PB_PART_RECORDS)
        core_finding_record(plan, f, v);
    else if (f->part == PB_PART_DESCRIBED)
        core_finding_described(plan, f, v);
    else
        core_finding_budget(plan, f, v, period);
}

/* ============================================ gathered without the GIL */

/* the texts of a finding kept in the block's text (offsets: it grows) */
enum { FT_MESSAGE, FT_PERIOD, FT_HEADING, FT_DECLARED, FT_COMPUTED, FT_DIFFERENCE,
       FT_COUNT };

typedef struct core_found {
    /* names in the plan; FK_COLUMN_PERIOD unused (text FT_PERIOD) */
    const char *v[FK_COUNT];
    /* the column's heading when it is one of v's names, else NULL (text
     * FT_HEADING, or no heading when that has none either) */
    const char *heading;
    size_t at[FT_COUNT], len[FT_COUNT]; /* len SIZE_MAX: none */
} core_found;

typedef struct core_found_block {
    core_found *items;
    char *text;
    size_t used, cap;
} core_found_block;

/* room for n more bytes of text (malloc: no GIL needed) */
static int core_block_reserve(core_found_block *b, size_t n)
{
    if (b->cap - b->used >= n)
        return 1;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap - b->used < n)
        cap *= 2;
    char *t = realloc(b->text, cap);
    if (!t)
        return 0;
    b->text = t;
    b->cap = cap;
    return 1;
}

/* The n bytes (and '\0') just written at the block's end become text k. */
static int core_block_keep(core_found_block *b, core_found *g, int k, size_t n)
{
    g->at[k] = b->used;
    g->len[k] = n;
    b->used += n + 1;
    return 1;
}

static int core_block_add(core_found_block *b, core_found *g, int k, const char *s, size_t n)
{
    if (!core_block_reserve(b, n + 1))
        return 0;
    memcpy(b->text + b->used, s, n);
    b->text[b->used + n] = '\0';
    return core_block_keep(b, g, k, n);
}

static int core_block_message(core_found_block *b, core_found *g, const pb_plan *plan,
                              const pb_finding *f)
{
    if (!core_block_reserve(b, 256))
        return 0;
    size_t room = b->cap - b->used;
    size_t need = pb_finding_message(plan, f, b->text + b->used, room);
    if (need >= room) {
        if (!core_block_reserve(b, need + 1))
            return 0;
        pb_finding_message(plan, f, b->text + b->used, need + 1);
    }
    return core_block_keep(b, g, FT_MESSAGE, need);
}

/* an amount scaled by 10**decimals, as Decimal's exact text */
static int core_block_amount(core_found_block *b, core_found *g, int k, pb_amount v, int d)
{
    char t[48];
    int n = snprintf(t, sizeof t, "%" PRId64 "E%d", (int64_t)v, -d);
    return n > 0 && core_block_add(b, g, k, t, (size_t)n);
}

/* The heading of the finding's column, as Column.heading reads it
 * (_model.py, _heading): its label; else its period, with its phase or
 * measure after a space; else its id. */
static int core_block_heading(core_found_block *b, core_found *g, const char *period)
{
    const char *const *v = g->v;
    if (!v[FK_COLUMN_ID])
        return 1;
    if (v[FK_COLUMN_LABEL] && v[FK_COLUMN_LABEL][0]) {
        g->heading = v[FK_COLUMN_LABEL];
        return 1;
    }
    if (!period || !period[0]) {
        g->heading = v[FK_COLUMN_ID];
        return 1;
    }
    const char *extra = v[FK_COLUMN_PHASE] && v[FK_COLUMN_PHASE][0] ? v[FK_COLUMN_PHASE]
                                                                    : v[FK_COLUMN_MEASURE];
    size_t np = strlen(period), ne = extra && extra[0] ? strlen(extra) : 0;
    if (!core_block_reserve(b, np + ne + 2))
        return 0;
    char *at = b->text + b->used;
    memcpy(at, period, np);
    if (ne) {
        at[np] = ' ';
        memcpy(at + np + 1, extra, ne);
    }
    size_t n = np + (ne ? ne + 1 : 0);
    at[n] = '\0';
    return core_block_keep(b, g, FT_HEADING, n);
}

/* One finding's texts into the block; 0: out of memory. */
static int core_found_gather(core_found_block *b, core_found *g, const pb_plan *plan,
                             const pb_finding *f)
{
    char period[PB_PERIOD_TEXT_MAX] = "";
    for (int k = 0; k < FK_COUNT; k++)
        g->v[k] = NULL;
    g->heading = NULL;
    for (int k = 0; k < FT_COUNT; k++)
        g->len[k] = SIZE_MAX;
    core_finding_names(plan, f, g->v, period);
    const char *p = g->v[FK_COLUMN_PERIOD];
    g->v[FK_COLUMN_PERIOD] = NULL;
    if (!core_block_message(b, g, plan, f) || (p && !core_block_add(b, g, FT_PERIOD, p, strlen(p))) ||
        !core_block_heading(b, g, p))
        return 0;
    if (f->has_values && (!core_block_amount(b, g, FT_DECLARED, f->declared, f->decimals) ||
                          !core_block_amount(b, g, FT_COMPUTED, f->computed, f->decimals) ||
                          !core_block_amount(b, g, FT_DIFFERENCE, f->difference, f->decimals)))
        return 0;
    return 1;
}

/* The check and every finding's texts, without the GIL: PB_OK, or the
 * error (err; PB_ERR_NOMEM when the block could not grow). */
static pb_status core_check_gather(pb_plan *plan, pb_findings *fs, core_found_block *b,
                                   pb_error *err)
{
    pb_status rc = pb_plan_check(plan, fs, err);
    if (rc)
        return rc;
    if (!fs->count)
        return PB_OK;
    b->items = calloc(fs->count, sizeof *b->items);
    if (!b->items)
        return pb_error_set(err, PB_ERR_NOMEM, NULL);
    for (size_t i = 0; i < fs->count; i++)
        if (!core_found_gather(b, &b->items[i], plan, &fs->items[i]))
            return pb_error_set(err, PB_ERR_NOMEM, NULL);
    return PB_OK;
}

/* ==================================================== with the GIL */

/* The str of each name met in this call, by content (open addressing; when
 * full, names are made afresh). */
#define CORE_NAMES_SLOTS 1024
typedef struct core_names {
    struct {
        const char *s;
        size_t n;
        PyObject *o;
    } slot[CORE_NAMES_SLOTS];
    size_t used;
} core_names;

static PyObject *core_names_text(core_names *c, const char *s, size_t n)
{
    if (!s)
        return Py_NewRef(Py_None);
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    size_t i = h & (CORE_NAMES_SLOTS - 1);
    for (;; i = (i + 1) & (CORE_NAMES_SLOTS - 1)) {
        if (!c->slot[i].o)
            break;
        if (c->slot[i].n == n && !memcmp(c->slot[i].s, s, n))
            return Py_NewRef(c->slot[i].o);
    }
    PyObject *o = PyUnicode_DecodeUTF8(s, (Py_ssize_t)n, "replace");
    if (o && c->used < CORE_NAMES_SLOTS / 2) {
        c->slot[i].s = s;
        c->slot[i].n = n;
        c->slot[i].o = Py_NewRef(o);
        c->used++;
    }
    return o;
}

static PyObject *core_names_get(core_names *c, const char *s)
{
    return core_names_text(c, s, s ? strlen(s) : 0);
}

static void core_names_clear(core_names *c)
{
    for (size_t i = 0; i < CORE_NAMES_SLOTS; i++)
        Py_CLEAR(c->slot[i].o);
}

typedef struct core_build {
    core_names names;
    const core_found_block *block;
    PyObject *key[3];                  /* "table", "row", "column" */
} core_build;

/* text k of g: a str (the names' cache unless the message), or None */
static PyObject *core_build_text(core_build *x, const core_found *g, int k)
{
    if (g->len[k] == SIZE_MAX)
        return Py_NewRef(Py_None);
    const char *s = x->block->text + g->at[k];
    if (k == FT_MESSAGE)
        return PyUnicode_DecodeUTF8(s, (Py_ssize_t)g->len[k], "replace");
    return core_names_text(&x->names, s, g->len[k]);
}

static PyObject *core_build_amount(core_build *x, const core_found *g, int k)
{
    if (g->len[k] == SIZE_MAX)
        return Py_NewRef(Py_None);
    return PyUnicode_FromStringAndSize(x->block->text + g->at[k], (Py_ssize_t)g->len[k]);
}

/* the other cell of an equals or agreement finding, or None */
static PyObject *core_build_other(core_build *x, const pb_finding *f, const core_found *g)
{
    if (f->other_table == PB_NONE || (f->other_table == f->table && f->other_row == f->row &&
                                      f->other_column == f->column))
        return Py_NewRef(Py_None);
    PyObject *d = PyDict_New();
    const int names[3] = {FK_OTHER_TABLE, FK_OTHER_ROW, FK_OTHER_COLUMN};
    for (int k = 0; d && k < 3; k++) {
        PyObject *v = core_names_get(&x->names, g->v[names[k]]);
        if (!v || PyDict_SetItem(d, x->key[k], v) < 0)
            Py_CLEAR(d);
        Py_XDECREF(v);
    }
    return d;
}

static PyObject *core_build_line(uint32_t v)
{
    return v ? PyLong_FromUnsignedLong(v) : Py_NewRef(Py_None);
}

enum { CORE_FINDING_FIELDS = 17 };

static PyObject *core_build_tuple(core_build *x, const pb_finding *f, const core_found *g)
{
    core_names *c = &x->names;
    const char *const *v = g->v;
    PyObject *it[CORE_FINDING_FIELDS] = {
        core_names_get(c, pb_finding_code_name((pb_finding_code)f->code)),
        core_names_get(c, pb_severity_name((pb_severity)f->severity)),
        core_build_text(x, g, FT_MESSAGE),
        core_names_get(c, v[FK_PART]),
        core_names_get(c, v[FK_TABLE]),
        core_names_get(c, v[FK_ROW_LABEL]),
        core_index_or_none(f->row),
        core_names_get(c, v[FK_ROW_ID]),
        core_names_get(c, v[FK_COLUMN_ID]),
        g->heading ? core_names_get(c, g->heading) : core_build_text(x, g, FT_HEADING),
        core_build_amount(x, g, FT_DECLARED),
        core_build_amount(x, g, FT_COMPUTED),
        core_build_amount(x, g, FT_DIFFERENCE),
        f->agreement != PB_NONE ? core_names_get(c, v[FK_AGREEMENT]) : Py_NewRef(Py_None),
        core_build_other(x, f, g),
        core_build_line(f->line),
        core_build_line(f->col)};
    PyObject *t = PyTuple_New(CORE_FINDING_FIELDS);
    for (int k = 0; k < CORE_FINDING_FIELDS; k++)
        if (!it[k])
            Py_CLEAR(t);
    for (int k = 0; k < CORE_FINDING_FIELDS; k++) {
        if (t)
            PyTuple_SetItem(t, k, it[k]);
        else
            Py_XDECREF(it[k]);
    }
    return t;
}

static int core_build_start(core_build *x)
{
    static const char *const keys[3] = {"table", "row", "column"};
    for (int k = 0; k < 3; k++)
        if (!(x->key[k] = PyUnicode_InternFromString(keys[k])))
            return 0;
    return 1;
}

static PyObject *core_build_list(const pb_findings *fs, const core_found_block *b)
{
    core_build *x = PyMem_Calloc(1, sizeof *x);
    if (!x)
        return PyErr_NoMemory();
    x->block = b;
    PyObject *list = core_build_start(x) ? PyList_New((Py_ssize_t)fs->count) : NULL;
    for (size_t i = 0; list && i < fs->count; i++) {
        PyObject *t = core_build_tuple(x, &fs->items[i], &b->items[i]);
        if (!t)
            Py_CLEAR(list);
        else
            PyList_SetItem(list, (Py_ssize_t)i, t);
    }
    core_names_clear(&x->names);
    for (int k = 0; k < 3; k++)
        Py_XDECREF(x->key[k]);
    PyMem_Free(x);
    return list;
}

PyObject *core_plan_check(PyObject *self, PyObject *Py_UNUSED(a))
{
    pb_findings fs;
    pb_findings_init(&fs);
    pb_error err;
    pb_error_clear(&err);
    core_found_block b = {0};
    pb_status rc;
    /* the guard holds the plan for this call (_coreguard.c), and so keeps
     * the names the block points to */
    CORE_BEGIN_UNLOCKED(self)
    rc = core_check_gather(PLAN(self), &fs, &b, &err);
    CORE_END_UNLOCKED(self)
    PyObject *list = rc ? core_error_model(self, &err) : core_build_list(&fs, &b);
    free(b.items);
    free(b.text);
    pb_findings_free(&fs);
    return list;
}
