/* _csv.c - planbook_csv._csv: budget tables to and from CSV records, in C.
 *
 * An outside plugin: it includes only what planbook.get_include() holds
 * and calls the core only through the capsule's tables (pb_capi_import,
 * capi->core->pb_..., plan_wrap, plan_unwrap, raise_error).  Python's csv
 * module reads and writes the text (planbook_csv/__init__.py); this module
 * turns its records into a plan and back:
 *
 *   meta,<key>,<value>                 the plan's metadata
 *   year_start,<month 1-12>
 *   table,<id>,<title>,<decimals>,<income sign: 1|-1>,<blank counts as zero: 1|0>
 *   column,<id>,<label>,<period>,<type: amount|text>,<decimals if its own>
 *   row,<line|section|total>,<depth>,<role>,<label>,<cell>,...
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "planbook_capi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64

typedef struct {
    const pb_capi *capi;
} csv_state;

static const char *const kinds[] = {"line", "section", "total"};

static csv_state *get_state(PyObject *m) { return (csv_state *)PyModule_GetState(m); }

/* Field j of a record (a list of str) as UTF-8, or NULL with an exception
 * set; *n its length.  A missing field is "". */
static const char *field(PyObject *rec, Py_ssize_t j, Py_ssize_t *n)
{
    if (j >= PyList_Size(rec)) {
        *n = 0;
        return "";
    }
    PyObject *s = PyList_GetItem(rec, j);
    if (!s)
        return NULL;
    return PyUnicode_AsUTF8AndSize(s, n);
}

/* Builds a plan record by record; *t and depth stack carried between rows. */
typedef struct {
    const pb_api *pb;
    pb_plan *plan;
    pb_table *t;
    uint32_t parents[MAX_DEPTH];
    pb_error err;
} builder;

/* The first fields of a record, as UTF-8 ("" where missing). */
#define HEAD 6
typedef struct {
    const char *s[HEAD];
    size_t n[HEAD];
} head;

static int read_head(PyObject *rec, head *h)
{
    for (Py_ssize_t j = 0; j < HEAD; j++) {
        Py_ssize_t n;
        if (!(h->s[j] = field(rec, j, &n)))
            return -1;
        h->n[j] = (size_t)n;
    }
    return 0;
}

static int is(const head *h, int j, const char *word)
{
    return h->n[j] == strlen(word) && memcmp(h->s[j], word, h->n[j]) == 0;
}

static int number(const head *h, int j) { return (int)strtol(h->s[j], NULL, 10); }

/* row,<kind>,<depth>,<role>,<label>,<cell>...: into the current table. */
static pb_status add_row(builder *b, PyObject *rec, const head *h)
{
    const pb_api *pb = b->pb;
    if (!b->t)
        return pb->pb_error_set(&b->err, PB_ERR_SCHEMA, "a row before any table");
    int k = -1;
    for (int i = 0; i < 3; i++)
        if (is(h, 1, kinds[i]))
            k = i;
    int d = number(h, 2);
    if (k < 0 || d < 0 || d >= MAX_DEPTH)
        return pb->pb_error_set(&b->err, PB_ERR_SCHEMA, "a row is line, section or total, "
                                "at a depth of 0 to %d", MAX_DEPTH - 1);
    uint32_t parent = d == 0 ? PB_NONE : b->parents[d - 1];
    size_t at = pb->pb_table_row_count(b->t);
    int64_t r = pb->pb_table_insert_row(b->t, at, (pb_row_kind)k, parent,
                                        h->n[4] || k != PB_ROW_SECTION ? h->s[4] : NULL,
                                        h->n[4], &b->err);
    if (r < 0)
        return b->err.status;
    b->parents[d] = (uint32_t)r;
    if (h->n[3]) {
        int role = pb->pb_role_from_name(h->s[3], h->n[3]);
        if (role < 0)
            return pb->pb_error_set(&b->err, PB_ERR_SCHEMA, "no role named '%s'", h->s[3]);
        if (pb->pb_row_set_role(b->t, (size_t)r, (pb_role)role, &b->err) != PB_OK)
            return b->err.status;
    }
    size_t ncols = pb->pb_table_column_count(b->t);
    for (size_t c = 0; c < ncols; c++) {
        Py_ssize_t nv;
        const char *v = field(rec, 5 + (Py_ssize_t)c, &nv);
        if (!v)
            return PB_ERR_NOMEM;
        if (nv && pb->pb_cell_set_text(b->t, (size_t)r, c, v, (size_t)nv, &b->err) != PB_OK)
            return b->err.status;
    }
    return PB_OK;
}

/* column,<id>,<label>,<period>,<type>,<decimals>: to the current table. */
static pb_status add_column(builder *b, const head *h)
{
    const pb_api *pb = b->pb;
    if (!b->t)
        return pb->pb_error_set(&b->err, PB_ERR_SCHEMA, "a column before any table");
    int64_t col = pb->pb_table_add_column(b->t, h->s[1], h->n[1], &b->err);
    if (col < 0)
        return b->err.status;
    size_t c = (size_t)col;
    pb_period p;
    if ((h->n[2] && pb->pb_column_set_text(b->t, c, PB_COLUMN_LABEL, h->s[2], h->n[2], &b->err)) ||
        (h->n[3] && (pb->pb_period_parse(h->s[3], h->n[3], pb->pb_plan_year_start(b->plan), &p,
                                         &b->err) ||
                     pb->pb_column_set_period(b->t, c, p, &b->err))) ||
        (is(h, 4, "text") && pb->pb_column_set_type(b->t, c, PB_COL_TEXT, &b->err)) ||
        (h->n[5] && pb->pb_column_set_decimals(b->t, c, number(h, 5), &b->err)))
        return b->err.status;
    return PB_OK;
}

/* table,<id>,<title>,<decimals>,<income sign>,<blank zero>: a new table. */
static pb_status add_table(builder *b, const head *h)
{
    const pb_api *pb = b->pb;
    b->t = pb->pb_plan_add_table(b->plan, h->s[1], h->n[1], &b->err);
    if (!b->t ||
        (h->n[2] && pb->pb_table_set_text(b->t, PB_TABLE_TITLE, h->s[2], h->n[2], &b->err)) ||
        (h->n[3] && pb->pb_table_set_decimals(b->t, number(h, 3), &b->err)) ||
        (h->n[4] && pb->pb_table_set_income_sign(b->t, number(h, 4), &b->err)))
        return b->err.status;
    if (h->n[5])
        pb->pb_table_set_blank_zero(b->t, h->s[5][0] == '1');
    return PB_OK;
}

/* One record of any kind. */
static pb_status add_record(builder *b, PyObject *rec)
{
    const pb_api *pb = b->pb;
    head h;
    if (read_head(rec, &h) < 0)
        return PB_ERR_NOMEM; /* a Python exception is set */
    if (is(&h, 0, "row"))
        return add_row(b, rec, &h);
    if (is(&h, 0, "column"))
        return add_column(b, &h);
    if (is(&h, 0, "table"))
        return add_table(b, &h);
    if (is(&h, 0, "meta")) {
        int key = pb->pb_meta_key_from_name(h.s[1], h.n[1]);
        if (key < 0)
            return pb->pb_error_set(&b->err, PB_ERR_SCHEMA, "no metadata field '%s'", h.s[1]);
        return pb->pb_plan_set_meta(b->plan, (pb_meta_key)key, h.s[2], h.n[2], &b->err);
    }
    if (is(&h, 0, "year_start"))
        return pb->pb_plan_set_year_start(b->plan, number(&h, 1), &b->err);
    return pb->pb_error_set(&b->err, PB_ERR_SCHEMA, "unknown record '%s'", h.s[0]);
}

/* build(records) -> PlanCore */
static PyObject *csv_build(PyObject *m, PyObject *records)
{
    const pb_capi *capi = get_state(m)->capi;
    if (!PyList_Check(records))
        return PyErr_Format(PyExc_TypeError, "build() takes a list of records");
    builder b = {.pb = capi->core, .t = NULL};
    b.pb->pb_error_clear(&b.err);
    b.plan = b.pb->pb_plan_new();
    if (!b.plan)
        return PyErr_NoMemory();
    for (Py_ssize_t i = 0; i < PyList_Size(records); i++) {
        PyObject *rec = PyList_GetItem(records, i);
        if (!PyList_Check(rec)) {
            PyErr_Format(PyExc_TypeError, "record %zd is not a list", i + 1);
            goto fail;
        }
        if (PyList_Size(rec) == 0)
            continue; /* an empty line */
        pb_status st = add_record(&b, rec);
        if (PyErr_Occurred())
            goto fail;
        if (st != PB_OK) {
            b.pb->pb_error_at(&b.err, (uint32_t)(i + 1), 0);
            capi->raise_error(PB_KIND_READ, &b.err, NULL);
            goto fail;
        }
    }
    return capi->plan_wrap(b.plan); /* frees the plan on failure */
fail:
    b.pb->pb_plan_free(b.plan);
    return NULL;
}

/* Append a new list of these C strings (NULL: "") to out; -1 on error. */
static int append(PyObject *out, PyObject *rec)
{
    if (!rec)
        return -1;
    int rc = PyList_Append(out, rec);
    Py_DECREF(rec);
    return rc;
}

static PyObject *text(const char *s) { return PyUnicode_FromString(s ? s : ""); }

/* The row record of row r. */
static PyObject *row_record(const pb_api *pb, const pb_table *t, size_t r)
{
    size_t ncols = pb->pb_table_column_count(t);
    pb_role role = pb->pb_row_role(t, r);
    PyObject *rec = Py_BuildValue("[ssisN]", "row", kinds[pb->pb_row_kind_of(t, r)],
                                  pb->pb_row_depth(t, r),
                                  role == PB_ROLE_INHERIT ? "" : pb->pb_role_name(role),
                                  text(pb->pb_row_label(t, r)));
    for (size_t c = 0; rec && c < ncols; c++) {
        char buf[PB_AMOUNT_TEXT_MAX];
        pb_amount v;
        pb_cell_state st = pb->pb_cell_get(t, r, c, &v);
        PyObject *cell = st == PB_CELL_TEXT ? text(pb->pb_cell_text(t, r, c))
                         : st == PB_CELL_NIL ? text("-")
                         : st == PB_CELL_VALUE
                             ? (pb->pb_amount_format(v, pb->pb_column_decimals(t, c), 0, buf),
                                text(buf))
                             : text("");
        if (!cell || PyList_Append(rec, cell) < 0)
            Py_CLEAR(rec);
        Py_XDECREF(cell);
    }
    return rec;
}

/* The records of one table. */
static int table_records(const pb_api *pb, const pb_plan *plan, const pb_table *t,
                         PyObject *out)
{
    char dec[8], sign[8];
    snprintf(dec, sizeof dec, "%d", pb->pb_table_decimals(t));
    snprintf(sign, sizeof sign, "%d", pb->pb_table_income_sign(t));
    if (append(out, Py_BuildValue("[ssNsss]", "table", pb->pb_table_id(t),
                                  text(pb->pb_table_text(t, PB_TABLE_TITLE)), dec, sign,
                                  pb->pb_table_blank_zero(t) ? "1" : "0")) < 0)
        return -1;
    for (size_t c = 0; c < pb->pb_table_column_count(t); c++) {
        char period[PB_PERIOD_TEXT_MAX] = "", decimals[8] = "";
        pb->pb_period_format(pb->pb_column_period(t, c), pb->pb_plan_year_start(plan), period);
        if (pb->pb_column_has_decimals(t, c))
            snprintf(decimals, sizeof decimals, "%d", pb->pb_column_decimals(t, c));
        const char *type = pb->pb_column_type_of(t, c) == PB_COL_TEXT ? "text" : "amount";
        if (append(out, Py_BuildValue("[ssNsss]", "column", pb->pb_column_id(t, c),
                                      text(pb->pb_column_text(t, c, PB_COLUMN_LABEL)), period,
                                      type, decimals)) < 0)
            return -1;
    }
    for (size_t r = 0; r < pb->pb_table_row_count(t); r++)
        if (append(out, row_record(pb, t, r)) < 0)
            return -1;
    return 0;
}

/* records(plan_core) -> list of records */
static PyObject *csv_records(PyObject *m, PyObject *core)
{
    const pb_capi *capi = get_state(m)->capi;
    const pb_api *pb = capi->core;
    pb_plan *plan = capi->plan_unwrap(core);
    if (!plan)
        return NULL;
    PyObject *out = PyList_New(0);
    if (!out)
        return NULL;
    for (int k = 0; k < PB_META_COUNT; k++) {
        const char *v = pb->pb_plan_meta(plan, (pb_meta_key)k);
        if (v && append(out, Py_BuildValue("[sss]", "meta", pb->pb_meta_key_name((pb_meta_key)k),
                                           v)) < 0)
            goto fail;
    }
    if (append(out, Py_BuildValue("[si]", "year_start", pb->pb_plan_year_start(plan))) < 0)
        goto fail;
    for (size_t i = 0; i < pb->pb_plan_table_count(plan); i++)
        if (table_records(pb, plan, pb->pb_plan_table(plan, i), out) < 0)
            goto fail;
    return out;
fail:
    Py_DECREF(out);
    return NULL;
}

static PyMethodDef csv_methods[] = {
    {"build", csv_build, METH_O, "build(records) -> planbook._core.PlanCore"},
    {"records", csv_records, METH_O, "records(plan_core) -> list of records"},
    {NULL, NULL, 0, NULL}};

static int csv_exec(PyObject *m)
{
    const pb_capi *capi = pb_capi_import(); /* ImportError on a version mismatch */
    if (!capi)
        return -1;
    get_state(m)->capi = capi;
    return 0;
}

static PyModuleDef_Slot csv_slots[] = {{Py_mod_exec, csv_exec}, {0, NULL}};

static PyModuleDef csv_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "planbook_csv._csv",
    .m_doc = "Budget tables to and from CSV records, through planbook's C API.",
    .m_size = sizeof(csv_state),
    .m_methods = csv_methods,
    .m_slots = csv_slots,
};

PyMODINIT_FUNC PyInit__csv(void) { return PyModuleDef_Init(&csv_module); }
