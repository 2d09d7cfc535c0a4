/* _coreplan.c - the plan as a whole in planbook._core: its metadata and
 * settings and the agreements between tables (the check: _corefindings.c). */
#include "_core.h"

/* ========================================================= metadata */

static PyObject *core_plan_meta_keys(PyObject *self, PyObject *Py_UNUSED(a))
{
    (void)self;
    PyObject *t = PyTuple_New(PB_META_COUNT);
    if (!t)
        return NULL;
    for (int k = 0; k < PB_META_COUNT; k++) {
        PyObject *s = PyUnicode_FromString(pb_meta_key_name((pb_meta_key)k));
        if (!s) {
            Py_DECREF(t);
            return NULL;
        }
        PyTuple_SetItem(t, k, s);
    }
    return t;
}

static int core_plan_meta_key(PyObject *o)
{
    const char *s;
    Py_ssize_t n;
    if (!core_text_arg(o, &s, &n, 0))
        return -1;
    int k = pb_meta_key_from_name(s, (size_t)n);
    if (k < 0)
        PyErr_Format(PyExc_KeyError, "unknown plan field %R", o);
    return k;
}

static PyObject *core_plan_meta_get(PyObject *self, PyObject *key)
{
    int k = core_plan_meta_key(key);
    if (k < 0)
        return NULL;
    return core_text_or_none(pb_plan_meta(PLAN(self), (pb_meta_key)k));
}

static PyObject *core_plan_meta_set(PyObject *self, PyObject *args)
{
    PyObject *key, *value;
    core_text_value v;
    if (!PyArg_ParseTuple(args, "OO:set_meta", &key, &value))
        return NULL;
    int k = core_plan_meta_key(key);
    if (k < 0 || !core_text_value_arg(value, &v, 1))
        return NULL;
    pb_status rc = pb_plan_set_meta(PLAN(self), (pb_meta_key)k, v.s, v.n, &v.err);
    return core_error_or_none(self, rc, &v.err);
}

/* ========================================================= settings */

/* A setting that is one integer (the year's first month, the tolerance):
 * the getset's closure says which. */
typedef struct core_int_setting {
    int64_t (*get)(const pb_plan *plan);
    pb_status (*set)(pb_plan *plan, int64_t v, pb_error *err);
    const char *what; /* "cannot delete <what>" */
} core_int_setting;

static int64_t core_year_start_of(const pb_plan *plan) { return pb_plan_year_start(plan); }

static pb_status core_year_start_put(pb_plan *plan, int64_t m, pb_error *err)
{
    /* out of range: refused by the core, not truncated into range */
    return pb_plan_set_year_start(plan, m < INT_MIN || m > INT_MAX ? 0 : (int)m, err);
}

static const core_int_setting core_plan_year_start = {core_year_start_of, core_year_start_put,
                                                      "year_start"};
static const core_int_setting core_plan_tolerance = {pb_plan_tolerance, pb_plan_set_tolerance,
                                                     "tolerance"};

static PyObject *core_plan_int_get(PyObject *self, void *c)
{
    const core_int_setting *setting = c;
    return PyLong_FromLongLong(setting->get(PLAN(self)));
}

static int core_plan_int_set(PyObject *self, PyObject *v, void *c)
{
    const core_int_setting *setting = c;
    if (!v) {
        PyErr_Format(PyExc_AttributeError, "cannot delete %s", setting->what);
        return -1;
    }
    long long x = PyLong_AsLongLong(v);
    if (x == -1 && PyErr_Occurred())
        return -1;
    pb_error err;
    pb_error_clear(&err);
    if (setting->set(PLAN(self), x, &err)) {
        core_error_model(self, &err);
        return -1;
    }
    return 0;
}

static PyObject *core_plan_generation_get(PyObject *self, void *c)
{
    (void)c;
    return PyLong_FromUnsignedLongLong(pb_plan_generation(PLAN(self)));
}

static PyObject *core_plan_memory(PyObject *self, PyObject *Py_UNUSED(a))
{
    return PyLong_FromSize_t(pb_plan_memory(PLAN(self)));
}

static PyObject *core_plan_rag_tolerance_get(PyObject *self, void *c)
{
    (void)c;
    int pct;
    int64_t v;
    pb_plan_rag_tolerance(PLAN(self), &pct, &v);
    return Py_BuildValue("(OL)", pct ? Py_True : Py_False, (long long)v);
}

static int core_plan_rag_tolerance_set(PyObject *self, PyObject *v, void *c)
{
    (void)c;
    int pct;
    long long x;
    if (!v || !PyArg_ParseTuple(v, "pL", &pct, &x)) {
        if (!v)
            PyErr_SetString(PyExc_TypeError, "cannot delete the tolerance");
        return -1;
    }
    pb_error err;
    pb_error_clear(&err);
    if (pb_plan_set_rag_tolerance(PLAN(self), pct, x, &err)) {
        core_error_model(self, &err);
        return -1;
    }
    return 0;
}

static PyObject *core_plan_risk_rag(PyObject *self, PyObject *arg)
{
    long score = PyLong_AsLong(arg);
    if (score == -1 && PyErr_Occurred())
        return NULL;
    static const char *const names[4] = {"none", "green", "amber", "red"};
    return PyUnicode_FromString(names[pb_plan_risk_rag(PLAN(self), (int)score)]);
}

/* A setting that is a pair of ints (the risk matrix, the risk bands): the
 * getset's closure says which. */
typedef struct core_int_pair {
    void (*get)(const pb_plan *plan, int *a, int *b);
    pb_status (*set)(pb_plan *plan, int a, int b, pb_error *err);
    const char *what; /* "cannot delete <what>" */
} core_int_pair;

static const core_int_pair core_plan_risk_matrix = {pb_plan_risk_matrix,
                                                    pb_plan_set_risk_matrix, "the matrix"};
static const core_int_pair core_plan_risk_bands = {pb_plan_risk_bands, pb_plan_set_risk_bands,
                                                   "the bands"};

static PyObject *core_plan_pair_get(PyObject *self, void *c)
{
    const core_int_pair *pair = c;
    int a, b;
    pair->get(PLAN(self), &a, &b);
    return Py_BuildValue("(ii)", a, b);
}

static int core_plan_pair_set(PyObject *self, PyObject *v, void *c)
{
    const core_int_pair *pair = c;
    int a, b;
    if (!v || !PyArg_ParseTuple(v, "ii", &a, &b)) {
        if (!v)
            PyErr_Format(PyExc_TypeError, "cannot delete %s", pair->what);
        return -1;
    }
    pb_error err;
    pb_error_clear(&err);
    if (pair->set(PLAN(self), a, b, &err)) {
        core_error_model(self, &err);
        return -1;
    }
    return 0;
}

/* ====================================================== agreements */

static PyObject *core_agreement_count(PyObject *self, PyObject *Py_UNUSED(a))
{
    return PyLong_FromSize_t(pb_plan_agreement_count(PLAN(self)));
}

static PyObject *core_agreement_side_get(const pb_plan *plan, size_t a, pb_side s)
{
    size_t nr = pb_agreement_row_count(plan, a, s), nc = pb_agreement_column_count(plan, a, s);
    PyObject *rows = PyList_New((Py_ssize_t)nr), *cols = PyList_New((Py_ssize_t)nc);
    if (!rows || !cols)
        goto fail;
    for (size_t k = 0; k < nr; k++) {
        PyObject *v = core_text_or_none(pb_agreement_row(plan, a, s, k));
        if (!v)
            goto fail;
        PyList_SetItem(rows, (Py_ssize_t)k, v);
    }
    for (size_t k = 0; k < nc; k++) {
        PyObject *v = core_text_or_none(pb_agreement_column(plan, a, s, k));
        if (!v)
            goto fail;
        PyList_SetItem(cols, (Py_ssize_t)k, v);
    }
    return Py_BuildValue("{s:N,s:N,s:N,s:O}", "table",
                         core_text_or_none(pb_agreement_table(plan, a, s)), "rows", rows,
                         "columns", cols, "negate",
                         pb_agreement_negate(plan, a, s) ? Py_True : Py_False);
fail:
    Py_XDECREF(rows);
    Py_XDECREF(cols);
    return NULL;
}

static PyObject *core_agreement_get(PyObject *self, PyObject *arg)
{
    Py_ssize_t a = PyLong_AsSsize_t(arg);
    if (a == -1 && PyErr_Occurred())
        return NULL;
    const pb_plan *plan = PLAN(self);
    if (a < 0 || (size_t)a >= pb_plan_agreement_count(plan))
        return PyErr_Format(PyExc_IndexError, "no agreement %zd", a);
    pb_amount tol = 0;
    int has = pb_agreement_tolerance(plan, (size_t)a, &tol);
    return Py_BuildValue("{s:N,s:N,s:N,s:N,s:N}", "name",
                         core_text_or_none(pb_agreement_name(plan, (size_t)a)), "note",
                         core_text_or_none(pb_agreement_note(plan, (size_t)a)), "tolerance",
                         has ? PyLong_FromLongLong(tol) : Py_NewRef(Py_None), "left",
                         core_agreement_side_get(plan, (size_t)a, PB_LEFT), "right",
                         core_agreement_side_get(plan, (size_t)a, PB_RIGHT));
}

/* add_agreement(name, note, tolerance, left, right); sides are dicts with
 * table, rows, columns, negate. */
static int core_agreement_side_fill(PyObject *self, size_t a, pb_side s, PyObject *d, pb_error *err)
{
    pb_plan *plan = PLAN(self);
    if (!PyDict_Check(d)) {
        PyErr_SetString(PyExc_TypeError, "an agreement side must be a dict");
        return 0;
    }
    const char *str;
    Py_ssize_t n;
    PyObject *table = PyDict_GetItemString(d, "table");
    if (!table || !core_text_arg(table, &str, &n, 0)) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_KeyError, "an agreement side needs 'table'");
        return 0;
    }
    if (pb_agreement_set_table(plan, a, s, str, (size_t)n, err))
        return core_error_model(self, err), 0;
    const char *keys[2] = {"rows", "columns"};
    for (int k = 0; k < 2; k++) {
        PyObject *v = PyDict_GetItemString(d, keys[k]);
        if (!v) {
            PyErr_Format(PyExc_KeyError, "an agreement side needs '%s'", keys[k]);
            return 0;
        }
        PyObject *seq = pbpy_tuple_of(v, "rows and columns must be sequences");
        if (!seq)
            return 0;
        for (Py_ssize_t i = 0; i < PyTuple_Size(seq); i++) {
            if (!core_text_arg(PyTuple_GetItem(seq, i), &str, &n, 0)) {
                Py_DECREF(seq);
                return 0;
            }
            pb_status st = k == 0 ? pb_agreement_add_row(plan, a, s, str, (size_t)n, err)
                                  : pb_agreement_add_column(plan, a, s, str, (size_t)n, err);
            if (st) {
                Py_DECREF(seq);
                return core_error_model(self, err), 0;
            }
        }
        Py_DECREF(seq);
    }
    PyObject *neg = PyDict_GetItemString(d, "negate");
    int nv = neg ? PyObject_IsTrue(neg) : 0;
    if (nv < 0)
        return 0;
    pb_agreement_set_negate(plan, a, s, nv);
    return 1;
}

static PyObject *core_agreement_add(PyObject *self, PyObject *args)
{
    PyObject *name, *note, *tol, *left, *right;
    if (!PyArg_ParseTuple(args, "OOOOO:add_agreement", &name, &note, &tol, &left, &right))
        return NULL;
    const char *s;
    Py_ssize_t n;
    if (!core_text_arg(name, &s, &n, 1))
        return NULL;
    pb_plan *plan = PLAN(self);
    pb_error err;
    pb_error_clear(&err);
    int64_t a = pb_plan_add_agreement(plan, s, (size_t)n, &err);
    if (a < 0)
        return core_error_model(self, &err);
    if (!core_text_arg(note, &s, &n, 1))
        goto fail;
    if (pb_agreement_set_note(plan, (size_t)a, s, (size_t)n, &err)) {
        core_error_model(self, &err);
        goto fail;
    }
    if (tol != Py_None) {
        long long v = PyLong_AsLongLong(tol);
        if (v == -1 && PyErr_Occurred())
            goto fail;
        if (pb_agreement_set_tolerance(plan, (size_t)a, 1, v, &err)) {
            core_error_model(self, &err);
            goto fail;
        }
    }
    if (!core_agreement_side_fill(self, (size_t)a, PB_LEFT, left, &err) ||
        !core_agreement_side_fill(self, (size_t)a, PB_RIGHT, right, &err))
        goto fail;
    return PyLong_FromLongLong(a);
fail:
    pb_plan_remove_agreement(plan, (size_t)a, NULL);
    return NULL;
}

static PyObject *core_agreement_remove(PyObject *self, PyObject *arg)
{
    Py_ssize_t a = PyLong_AsSsize_t(arg);
    if (a == -1 && PyErr_Occurred())
        return NULL;
    if (a < 0 || (size_t)a >= pb_plan_agreement_count(PLAN(self)))
        return PyErr_Format(PyExc_IndexError, "no agreement %zd", a);
    pb_plan_remove_agreement(PLAN(self), (size_t)a, NULL);
    Py_RETURN_NONE;
}

PyMethodDef core_plan_methods[] = {
    {"meta_keys", core_plan_meta_keys, METH_NOARGS, "Names of the metadata fields."},
    {"get_meta", core_plan_meta_get, METH_O, "get_meta(key) -> str | None"},
    {"set_meta", core_plan_meta_set, METH_VARARGS, "set_meta(key, value | None)"},
    {"memory", core_plan_memory, METH_NOARGS, "Bytes held by the plan in the core."},
    {"risk_rag", core_plan_risk_rag, METH_O, NULL},
    {"check", core_plan_check, METH_NOARGS, "check() -> list of finding tuples (Finding's fields but file)"},
    {"agreement_count", core_agreement_count, METH_NOARGS, NULL},
    {"agreement_get", core_agreement_get, METH_O, NULL},
    {"add_agreement", core_agreement_add, METH_VARARGS, NULL},
    {"remove_agreement", core_agreement_remove, METH_O, NULL},
    {NULL, NULL, 0, NULL}};

PyGetSetDef core_plan_getset[] = {
    {"year_start", core_plan_int_get, core_plan_int_set,
     "First month (1-12) of the financial year.", (void *)&core_plan_year_start},
    {"tolerance", core_plan_int_get, core_plan_int_set,
     "Default check tolerance, scaled by 10**6.", (void *)&core_plan_tolerance},
    {"generation", core_plan_generation_get, NULL, "Bumped by every change.", NULL},
    {"risk_matrix", core_plan_pair_get, core_plan_pair_set,
     "(likelihood, impact): the risk matrix.", (void *)&core_plan_risk_matrix},
    {"risk_bands", core_plan_pair_get, core_plan_pair_set,
     "(green max, amber max): RAG bands by risk score.", (void *)&core_plan_risk_bands},
    {"rag_tolerance", core_plan_rag_tolerance_get, core_plan_rag_tolerance_set,
     "(percent, value scaled by 10**6): RAG tolerance against a target.", NULL},
    {NULL, NULL, NULL, NULL, NULL}};
