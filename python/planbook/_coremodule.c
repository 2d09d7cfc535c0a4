/* _coremodule.c - planbook._core: the CPython binding of the C core.
 *
 * Thin by design: PlanCore owns a pb_plan and exposes the core's functions
 * as low-level methods (indices in, plain Python values out).  The public,
 * Pythonic API (planbook.Plan, Table, Row, Cell) is written in Python over
 * these methods, as a view: nothing of the plan is copied into Python
 * objects until it is asked for.
 *
 * Conventions: module state, multi-phase init, a heap type; errors are
 * raised as planbook's exceptions (imported from planbook.errors) and no
 * core error is ever printed.  Amounts cross the boundary as Python ints at
 * the column's scale; the Python layer turns them into Decimal.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "planbook.h"
#include "planbook_capi.h"
#include "planbook_py.h"

/* =========================================================== state */

typedef struct {
    PyTypeObject *PlanCore;
    PyObject *ReadError, *WriteError, *ValidationError, *AmountError;
} core_state;

typedef struct {
    PyObject_HEAD
    pb_plan *plan;
} PlanCoreObject;

static PyModuleDef core_module;

static core_state *get_state(PyObject *module)
{
    return (core_state *)PyModule_GetState(module);
}

/* The state of the module that made tp.  Only PlanCore's methods ask, with
 * Py_TYPE(self): PlanCore cannot be subclassed (no Py_TPFLAGS_BASETYPE), so
 * that is the module's own heap type and PyType_GetModuleState needs no
 * search of the MRO (PyType_GetModuleByDef, which would search, is not in
 * the limited API before 3.13). */
static core_state *state_of_type(PyTypeObject *tp)
{
    return (core_state *)PyType_GetModuleState(tp);
}

/* The state of the loaded module, for the capsule's functions, which have
 * no module argument.  The C API table is process-wide, so the module is
 * meant to be loaded once per process (one interpreter); it stays in
 * sys.modules until shutdown. */
static core_state *capi_state = NULL;

static core_state *global_state(void) { return capi_state; }

/* ========================================================== errors */

static PyObject *raise_pb(core_state *st, pb_error_kind kind,
                          const pb_error *err, PyObject *file)
{
    if (err->status == PB_ERR_NOMEM)
        return PyErr_NoMemory();
    PyObject *cls = NULL;
    if (st) {
        switch ((int)kind) {
        case PB_KIND_READ:
            cls = st->ReadError;
            break;
        case PB_KIND_WRITE:
            cls = st->WriteError;
            break;
        case PB_KIND_VALIDATION + 1: /* internal: a period or other non-amount value */
            cls = st->ValidationError;
            break;
        default:
            cls = (err->status == PB_ERR_SYNTAX || err->status == PB_ERR_OVERFLOW ||
                   err->status == PB_ERR_PRECISION)
                      ? st->AmountError
                      : st->ValidationError;
        }
    }
    if (!cls)
        cls = PyExc_ValueError;
    PyObject *kwargs = NULL, *args = NULL, *exc = NULL;
    /* "replace": a message quoting the input may have cut a character */
    const char *msg = err->message[0] ? err->message : pb_status_message(err->status);
    args = Py_BuildValue("(N)", PyUnicode_DecodeUTF8(msg, (Py_ssize_t)strlen(msg), "replace"));
    kwargs = PyDict_New();
    if (!args || !kwargs)
        goto done;
    if (file && file != Py_None && PyDict_SetItemString(kwargs, "file", file) < 0)
        goto done;
    if (err->line) {
        PyObject *v = PyLong_FromUnsignedLong(err->line);
        if (!v || PyDict_SetItemString(kwargs, "line", v) < 0) {
            Py_XDECREF(v);
            goto done;
        }
        Py_DECREF(v);
        v = PyLong_FromUnsignedLong(err->column);
        if (!v || PyDict_SetItemString(kwargs, "column", v) < 0) {
            Py_XDECREF(v);
            goto done;
        }
        Py_DECREF(v);
    }
    if (err->path[0]) {
        PyObject *v = PyUnicode_DecodeUTF8(err->path, strlen(err->path), "replace");
        if (!v || PyDict_SetItemString(kwargs, "path", v) < 0) {
            Py_XDECREF(v);
            goto done;
        }
        Py_DECREF(v);
    }
    {
        PyObject *v = PyUnicode_FromString(pb_status_name(err->status));
        if (!v || PyDict_SetItemString(kwargs, "code", v) < 0) {
            Py_XDECREF(v);
            goto done;
        }
        Py_DECREF(v);
    }
    exc = PyObject_Call(cls, args, kwargs);
    if (exc) {
        PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
        Py_DECREF(exc);
    }
done:
    Py_XDECREF(args);
    Py_XDECREF(kwargs);
    return NULL;
}

static PyObject *raise_model(PyObject *self, const pb_error *err)
{
    return raise_pb(state_of_type(Py_TYPE(self)), PB_KIND_VALIDATION, err, NULL);
}

static PyObject *capi_raise(pb_error_kind kind, const pb_error *err,
                            PyObject *file)
{
    return raise_pb(global_state(), kind, err, file);
}

/* ========================================================= helpers */

#define PLAN(self) (((PlanCoreObject *)(self))->plan)

static PyObject *str_or_none(const char *s)
{
    if (!s)
        Py_RETURN_NONE;
    return PyUnicode_DecodeUTF8(s, strlen(s), "strict");
}

/* Text argument: None -> (NULL, 0), str -> UTF-8.  Returns 0 on error. */
static int text_arg(PyObject *o, const char **s, Py_ssize_t *n, int allow_none)
{
    if (o == Py_None && allow_none) {
        *s = NULL;
        *n = 0;
        return 1;
    }
    if (!PyUnicode_Check(o)) {
        PyObject *tn = pbpy_type_name(o);
        PyErr_Format(PyExc_TypeError, "expected str%s, got %.100V",
                     allow_none ? " or None" : "", tn, "?");
        Py_XDECREF(tn);
        return 0;
    }
    *s = PyUnicode_AsUTF8AndSize(o, n);
    if (!*s)
        return 0;
    if ((Py_ssize_t)strlen(*s) != *n) {
        PyErr_SetString(PyExc_ValueError, "text must not contain NUL characters");
        return 0;
    }
    return 1;
}

static pb_table *get_table(PyObject *self, Py_ssize_t t)
{
    pb_table *tb = t >= 0 ? pb_plan_table(PLAN(self), (size_t)t) : NULL;
    if (!tb)
        PyErr_Format(PyExc_IndexError, "no table %zd", t);
    return tb;
}

static int check_row(pb_table *tb, Py_ssize_t r)
{
    if (r < 0 || (size_t)r >= pb_table_row_count(tb)) {
        PyErr_Format(PyExc_IndexError, "no row %zd", r);
        return 0;
    }
    return 1;
}

static int check_col(pb_table *tb, Py_ssize_t c)
{
    if (c < 0 || (size_t)c >= pb_table_column_count(tb)) {
        PyErr_Format(PyExc_IndexError, "no column %zd", c);
        return 0;
    }
    return 1;
}

static PyObject *period_text(const pb_plan *plan, pb_period p)
{
    if (p.kind == PB_PERIOD_NONE)
        Py_RETURN_NONE;
    char buf[PB_PERIOD_TEXT_MAX];
    pb_period_format(p, pb_plan_year_start(plan), buf);
    return PyUnicode_FromString(buf);
}

/* ======================================================= PlanCore */

static PyObject *PlanCore_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    if (PyTuple_Size(args) || (kw && PyDict_Size(kw))) {
        PyErr_SetString(PyExc_TypeError, "PlanCore() takes no arguments");
        return NULL;
    }
    allocfunc alloc = (allocfunc)PyType_GetSlot(type, Py_tp_alloc);
    PlanCoreObject *self = (PlanCoreObject *)alloc(type, 0);
    if (!self)
        return NULL;
    self->plan = pb_plan_new();
    if (!self->plan) {
        Py_DECREF(self);
        return PyErr_NoMemory();
    }
    return (PyObject *)self;
}

static void PlanCore_dealloc(PyObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    pb_plan_free(PLAN(self));
    PLAN(self) = NULL;
    freefunc free_slot = (freefunc)PyType_GetSlot(tp, Py_tp_free);
    free_slot(self);
    Py_DECREF(tp);
}

/* ---- plan */

static PyObject *PlanCore_meta_keys(PyObject *self, PyObject *Py_UNUSED(a))
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

static int meta_key(PyObject *o)
{
    const char *s;
    Py_ssize_t n;
    if (!text_arg(o, &s, &n, 0))
        return -1;
    int k = pb_meta_key_from_name(s, (size_t)n);
    if (k < 0)
        PyErr_Format(PyExc_KeyError, "unknown plan field %R", o);
    return k;
}

static PyObject *PlanCore_get_meta(PyObject *self, PyObject *key)
{
    int k = meta_key(key);
    if (k < 0)
        return NULL;
    return str_or_none(pb_plan_meta(PLAN(self), (pb_meta_key)k));
}

static PyObject *PlanCore_set_meta(PyObject *self, PyObject *args)
{
    PyObject *key, *value;
    const char *s;
    Py_ssize_t n;
    if (!PyArg_ParseTuple(args, "OO:set_meta", &key, &value))
        return NULL;
    int k = meta_key(key);
    if (k < 0 || !text_arg(value, &s, &n, 1))
        return NULL;
    pb_error err;
    pb_error_clear(&err);
    if (pb_plan_set_meta(PLAN(self), (pb_meta_key)k, s, (size_t)n, &err))
        return raise_model(self, &err);
    Py_RETURN_NONE;
}

static PyObject *PlanCore_get_year_start(PyObject *self, void *c)
{
    (void)c;
    return PyLong_FromLong(pb_plan_year_start(PLAN(self)));
}

static int PlanCore_set_year_start(PyObject *self, PyObject *v, void *c)
{
    (void)c;
    if (!v) {
        PyErr_SetString(PyExc_AttributeError, "cannot delete year_start");
        return -1;
    }
    long m = PyLong_AsLong(v);
    if (m == -1 && PyErr_Occurred())
        return -1;
    if (m < INT_MIN || m > INT_MAX)
        m = 0; /* out of range: refused below, not truncated into range */
    pb_error err;
    pb_error_clear(&err);
    if (pb_plan_set_year_start(PLAN(self), (int)m, &err)) {
        raise_model(self, &err);
        return -1;
    }
    return 0;
}

static PyObject *PlanCore_get_tolerance(PyObject *self, void *c)
{
    (void)c;
    return PyLong_FromLongLong(pb_plan_tolerance(PLAN(self)));
}

static int PlanCore_set_tolerance(PyObject *self, PyObject *v, void *c)
{
    (void)c;
    if (!v) {
        PyErr_SetString(PyExc_AttributeError, "cannot delete tolerance");
        return -1;
    }
    long long t = PyLong_AsLongLong(v);
    if (t == -1 && PyErr_Occurred())
        return -1;
    pb_error err;
    pb_error_clear(&err);
    if (pb_plan_set_tolerance(PLAN(self), t, &err)) {
        raise_model(self, &err);
        return -1;
    }
    return 0;
}

static PyObject *PlanCore_get_generation(PyObject *self, void *c)
{
    (void)c;
    return PyLong_FromUnsignedLongLong(pb_plan_generation(PLAN(self)));
}

static PyObject *PlanCore_memory(PyObject *self, PyObject *Py_UNUSED(a))
{
    return PyLong_FromSize_t(pb_plan_memory(PLAN(self)));
}

/* ---- tables */

static PyObject *PlanCore_table_count(PyObject *self, PyObject *Py_UNUSED(a))
{
    return PyLong_FromSize_t(pb_plan_table_count(PLAN(self)));
}

static PyObject *PlanCore_find_table(PyObject *self, PyObject *id)
{
    const char *s;
    Py_ssize_t n;
    if (!text_arg(id, &s, &n, 0))
        return NULL;
    return PyLong_FromLongLong(pb_plan_find_table(PLAN(self), s, (size_t)n));
}

static PyObject *PlanCore_add_table(PyObject *self, PyObject *id)
{
    const char *s;
    Py_ssize_t n;
    if (!text_arg(id, &s, &n, 0))
        return NULL;
    pb_error err;
    pb_error_clear(&err);
    if (!pb_plan_add_table(PLAN(self), s, (size_t)n, &err))
        return raise_model(self, &err);
    return PyLong_FromSize_t(pb_plan_table_count(PLAN(self)) - 1);
}

static PyObject *PlanCore_remove_table(PyObject *self, PyObject *arg)
{
    Py_ssize_t t = PyLong_AsSsize_t(arg);
    if (t == -1 && PyErr_Occurred())
        return NULL;
    if (!get_table(self, t))
        return NULL;
    pb_error err;
    pb_error_clear(&err);
    if (pb_plan_remove_table(PLAN(self), (size_t)t, &err))
        return raise_model(self, &err);
    Py_RETURN_NONE;
}

static const char *const table_fields[] = {"title", "kind", "unit", "note"};

static PyObject *PlanCore_table_get(PyObject *self, PyObject *args)
{
    Py_ssize_t t;
    if (!PyArg_ParseTuple(args, "n:table_get", &t))
        return NULL;
    pb_table *tb = get_table(self, t);
    if (!tb)
        return NULL;
    pb_amount tol = 0;
    int has_tol = pb_table_tolerance(tb, &tol);
    uint32_t line, col;
    pb_table_source(tb, &line, &col);
    PyObject *d = Py_BuildValue(
        "{s:s,s:i,s:i,s:O,s:N,s:(II),s:K}", "id", pb_table_id(tb), "decimals",
        pb_table_decimals(tb), "income_sign", pb_table_income_sign(tb),
        "blank_zero", pb_table_blank_zero(tb) ? Py_True : Py_False, "tolerance",
        has_tol ? PyLong_FromLongLong(tol) : Py_NewRef(Py_None), "source", line,
        col, "layout", (unsigned long long)pb_table_layout(tb));
    if (!d)
        return NULL;
    for (int f = 0; f < PB_TABLE_FIELD_COUNT; f++) {
        PyObject *v = str_or_none(pb_table_text(tb, (pb_table_field)f));
        if (!v || PyDict_SetItemString(d, table_fields[f], v) < 0) {
            Py_XDECREF(v);
            Py_DECREF(d);
            return NULL;
        }
        Py_DECREF(v);
    }
    return d;
}

static PyObject *PlanCore_table_layout(PyObject *self, PyObject *arg)
{
    Py_ssize_t t = PyLong_AsSsize_t(arg);
    if (t == -1 && PyErr_Occurred())
        return NULL;
    pb_table *tb = get_table(self, t);
    if (!tb)
        return NULL;
    return PyLong_FromUnsignedLongLong(pb_table_layout(tb));
}

static PyObject *PlanCore_table_set(PyObject *self, PyObject *args)
{
    Py_ssize_t t;
    const char *field;
    PyObject *value;
    if (!PyArg_ParseTuple(args, "nsO:table_set", &t, &field, &value))
        return NULL;
    pb_table *tb = get_table(self, t);
    if (!tb)
        return NULL;
    pb_error err;
    pb_error_clear(&err);
    pb_status st = PB_OK;
    for (int f = 0; f < PB_TABLE_FIELD_COUNT; f++)
        if (!strcmp(field, table_fields[f])) {
            const char *s;
            Py_ssize_t n;
            if (!text_arg(value, &s, &n, 1))
                return NULL;
            st = pb_table_set_text(tb, (pb_table_field)f, s, (size_t)n, &err);
            goto done;
        }
    if (!strcmp(field, "decimals") || !strcmp(field, "income_sign")) {
        long v = PyLong_AsLong(value);
        if (v == -1 && PyErr_Occurred())
            return NULL;
        if (v < INT_MIN || v > INT_MAX)
            v = INT_MAX; /* out of range: refused below, not truncated into range */
        st = field[0] == 'd' ? pb_table_set_decimals(tb, (int)v, &err)
                             : pb_table_set_income_sign(tb, (int)v, &err);
    } else if (!strcmp(field, "blank_zero")) {
        int v = PyObject_IsTrue(value);
        if (v < 0)
            return NULL;
        pb_table_set_blank_zero(tb, v);
    } else if (!strcmp(field, "tolerance")) {
        if (value == Py_None) {
            st = pb_table_set_tolerance(tb, 0, 0, &err);
        } else {
            long long v = PyLong_AsLongLong(value);
            if (v == -1 && PyErr_Occurred())
                return NULL;
            st = pb_table_set_tolerance(tb, 1, v, &err);
        }
    } else if (!strcmp(field, "source")) {
        unsigned int line, col;
        if (!PyArg_ParseTuple(value, "II", &line, &col))
            return NULL;
        pb_table_set_source(tb, line, col);
    } else {
        return PyErr_Format(PyExc_KeyError, "unknown table field '%s'", field);
    }
done:
    if (st)
        return raise_model(self, &err);
    Py_RETURN_NONE;
}

/* ---- columns */

static const char *const column_fields[] = {"label", "phase", "measure", "unit"};

static PyObject *PlanCore_column_count(PyObject *self, PyObject *arg)
{
    Py_ssize_t t = PyLong_AsSsize_t(arg);
    if (t == -1 && PyErr_Occurred())
        return NULL;
    pb_table *tb = get_table(self, t);
    return tb ? PyLong_FromSize_t(pb_table_column_count(tb)) : NULL;
}

static PyObject *PlanCore_column_get(PyObject *self, PyObject *args)
{
    Py_ssize_t t, c;
    if (!PyArg_ParseTuple(args, "nn:column_get", &t, &c))
        return NULL;
    pb_table *tb = get_table(self, t);
    if (!tb || !check_col(tb, c))
        return NULL;
    size_t nterms = pb_column_term_count(tb, (size_t)c);
    PyObject *terms = PyList_New((Py_ssize_t)nterms);
    if (!terms)
        return NULL;
    for (size_t k = 0; k < nterms; k++) {
        uint32_t col;
        int sign;
        pb_column_term(tb, (size_t)c, k, &col, &sign);
        PyObject *p = Py_BuildValue("(Ii)", col, sign);
        if (!p) {
            Py_DECREF(terms);
            return NULL;
        }
        PyList_SetItem(terms, (Py_ssize_t)k, p);
    }
    uint32_t eq = pb_column_equals(tb, (size_t)c);
    uint32_t line, lc;
    pb_column_source(tb, (size_t)c, &line, &lc);
    PyObject *d = Py_BuildValue(
        "{s:s,s:N,s:s,s:i,s:O,s:N,s:N,s:(II)}", "id", pb_column_id(tb, (size_t)c),
        "period", period_text(PLAN(self), pb_column_period(tb, (size_t)c)), "type",
        pb_column_type_of(tb, (size_t)c) == PB_COL_TEXT ? "text" : "amount",
        "decimals", pb_column_decimals(tb, (size_t)c), "own_decimals",
        pb_column_has_decimals(tb, (size_t)c) ? Py_True : Py_False, "sum", terms,
        "equals", eq == PB_NONE ? Py_NewRef(Py_None) : PyLong_FromUnsignedLong(eq),
        "source", line, lc);
    if (!d)
        return NULL;
    for (int f = 0; f < PB_COLUMN_FIELD_COUNT; f++) {
        PyObject *v = str_or_none(pb_column_text(tb, (size_t)c, (pb_column_field)f));
        if (!v || PyDict_SetItemString(d, column_fields[f], v) < 0) {
            Py_XDECREF(v);
            Py_DECREF(d);
            return NULL;
        }
        Py_DECREF(v);
    }
    return d;
}

static PyObject *PlanCore_add_column(PyObject *self, PyObject *args)
{
    Py_ssize_t t;
    PyObject *id;
    const char *s;
    Py_ssize_t n;
    if (!PyArg_ParseTuple(args, "nU:add_column", &t, &id))
        return NULL;
    pb_table *tb = get_table(self, t);
    if (!tb || !text_arg(id, &s, &n, 0))
        return NULL;
    pb_error err;
    pb_error_clear(&err);
    int64_t c = pb_table_add_column(tb, s, (size_t)n, &err);
    if (c < 0)
        return raise_model(self, &err);
    return PyLong_FromLongLong(c);
}

static PyObject *PlanCore_find_column(PyObject *self, PyObject *args)
{
    Py_ssize_t t;
    PyObject *id;
    const char *s;
    Py_ssize_t n;
    if (!PyArg_ParseTuple(args, "nU:find_column", &t, &id))
        return NULL;
    pb_table *tb = get_table(self, t);
    if (!tb || !text_arg(id, &s, &n, 0))
        return NULL;
    return PyLong_FromLongLong(pb_table_find_column(tb, s, (size_t)n));
}

static PyObject *PlanCore_column_set(PyObject *self, PyObject *args)
{
    Py_ssize_t t, c;
    const char *field;
    PyObject *value;
    if (!PyArg_ParseTuple(args, "nnsO:column_set", &t, &c, &field, &value))
        return NULL;
    pb_table *tb = get_table(self, t);
    if (!tb || !check_col(tb, c))
        return NULL;
    pb_error err;
    pb_error_clear(&err);
    pb_status st = PB_OK;
    for (int f = 0; f < PB_COLUMN_FIELD_COUNT; f++)
        if (!strcmp(field, column_fields[f])) {
            const char *s;
            Py_ssize_t n;
            if (!text_arg(value, &s, &n, 1))
                return NULL;
            st = pb_column_set_text(tb, (size_t)c, (pb_column_field)f, s,
                                    (size_t)n, &err);
            goto done;
        }
    if (!strcmp(field, "period")) {
        pb_period p = {0, PB_PERIOD_NONE, 0};
        if (value != Py_None) {
            const char *s;
            Py_ssize_t n;
            if (!text_arg(value, &s, &n, 0))
                return NULL;
            st = pb_period_parse(s, (size_t)n, pb_plan_year_start(PLAN(self)), &p,
                                 &err);
            if (st)
                return raise_pb(state_of_type(Py_TYPE(self)), PB_KIND_VALIDATION + 1, &err,
                                NULL);
        }
        st = pb_column_set_period(tb, (size_t)c, p, &err);
    } else if (!strcmp(field, "type")) {
        const char *s;
        Py_ssize_t n;
        if (!text_arg(value, &s, &n, 0))
            return NULL;
        if (strcmp(s, "amount") && strcmp(s, "text"))
            return PyErr_Format(PyExc_ValueError,
                                "column type must be 'amount' or 'text', not %R", value);
        st = pb_column_set_type(tb, (size_t)c, s[0] == 't' ? PB_COL_TEXT : PB_COL_AMOUNT,
                                &err);
    } else if (!strcmp(field, "decimals")) {
        long v = value == Py_None ? -1 : PyLong_AsLong(value);
        if (v == -1 && PyErr_Occurred())
            return NULL;
        if (v > INT_MAX)
            v = INT_MAX; /* refused below, not truncated into range */
        else if (v < 0)
            v = -1; /* clears, as None does */
        st = pb_column_set_decimals(tb, (size_t)c, (int)v, &err);
    } else if (!strcmp(field, "equals")) {
        unsigned long v = PB_NONE;
        if (value != Py_None) {
            v = PyLong_AsUnsignedLong(value);
            if (v == (unsigned long)-1 && PyErr_Occurred())
                return NULL;
            if (v >= PB_NONE)
                return PyErr_Format(PyExc_IndexError, "no column %lu", v);
        }
        st = pb_column_set_equals(tb, (size_t)c, (uint32_t)v, &err);
    } else if (!strcmp(field, "sum")) {
        PyObject *seq = pbpy_tuple_of(value, "sum terms must be a sequence");
        if (!seq)
            return NULL;
        Py_ssize_t n = PyTuple_Size(seq);
        uint32_t *cols = PyMem_Malloc((size_t)(n ? n : 1) * sizeof *cols);
        int8_t *signs = PyMem_Malloc((size_t)(n ? n : 1));
        if (!cols || !signs) {
            PyMem_Free(cols);
            PyMem_Free(signs);
            Py_DECREF(seq);
            return PyErr_NoMemory();
        }
        for (Py_ssize_t k = 0; k < n; k++) {
            unsigned int col;
            int sign;
            if (!PyArg_ParseTuple(PyTuple_GetItem(seq, k), "Ii", &col, &sign)) {
                PyMem_Free(cols);
                PyMem_Free(signs);
                Py_DECREF(seq);
                return NULL;
            }
            cols[k] = col;
            signs[k] = (int8_t)(sign < 0 ? -1 : sign > 0 ? 1 : 0);
        }
        st = pb_column_set_sum(tb, (size_t)c, cols, signs, (size_t)n, &err);
        PyMem_Free(cols);
        PyMem_Free(signs);
        Py_DECREF(seq);
    } else {
        return PyErr_Format(PyExc_KeyError, "unknown column field '%s'", field);
    }
done:
    if (st)
        return raise_model(self, &err);
    Py_RETURN_NONE;
}

/* ---- rows */

static const char *const kind_names[] = {"line", "section", "total"};

static PyObject *PlanCore_row_count(PyObject *self, PyObject *arg)
{
    Py_ssize_t t = PyLong_AsSsize_t(arg);
    if (t == -1 && PyErr_Occurred())
        return NULL;
    pb_table *tb = get_table(self, t);
    return tb ? PyLong_FromSize_t(pb_table_row_count(tb)) : NULL;
}

static PyObject *row_tuple(pb_table *tb, size_t r)
{
    uint32_t line, col, parent = pb_row_parent(tb, r);
    pb_row_source(tb, r, &line, &col);
    return Py_BuildValue(
        "(sNNNNssNiO(II)n)", kind_names[pb_row_kind_of(tb, r)],
        str_or_none(pb_row_label(tb, r)), str_or_none(pb_row_text(tb, r, PB_ROW_ID)),
        str_or_none(pb_row_text(tb, r, PB_ROW_NOTE)),
        str_or_none(pb_row_text(tb, r, PB_ROW_SELECT)),
        pb_role_name(pb_row_role(tb, r)), pb_role_name(pb_row_effective_role(tb, r)),
        parent == PB_NONE ? Py_NewRef(Py_None) : PyLong_FromUnsignedLong(parent),
        pb_row_depth(tb, r), pb_row_is_part(tb, r) ? Py_True : Py_False, line, col,
        (Py_ssize_t)pb_table_row_end(tb, r));
}

static PyObject *PlanCore_row_get(PyObject *self, PyObject *args)
{
    Py_ssize_t t, r;
    if (!PyArg_ParseTuple(args, "nn:row_get", &t, &r))
        return NULL;
    pb_table *tb = get_table(self, t);
    if (!tb || !check_row(tb, r))
        return NULL;
    return row_tuple(tb, (size_t)r);
}

static PyObject *PlanCore_rows(PyObject *self, PyObject *arg)
{
    Py_ssize_t t = PyLong_AsSsize_t(arg);
    if (t == -1 && PyErr_Occurred())
        return NULL;
    pb_table *tb = get_table(self, t);
    if (!tb)
        return NULL;
    size_t n = pb_table_row_count(tb);
    PyObject *list = PyList_New((Py_ssize_t)n);
    if (!list)
        return NULL;
    for (size_t r = 0; r < n; r++) {
        PyObject *row = row_tuple(tb, r);
        if (!row) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SetItem(list, (Py_ssize_t)r, row);
    }
    return list;
}

static PyObject *PlanCore_insert_row(PyObject *self, PyObject *args)
{
    Py_ssize_t t, at;
    const char *kind;
    PyObject *parent, *label;
    if (!PyArg_ParseTuple(args, "nnsOO:insert_row", &t, &at, &kind, &parent, &label))
        return NULL;
    pb_table *tb = get_table(self, t);
    if (!tb)
        return NULL;
    int k = -1;
    for (int i = 0; i < 3; i++)
        if (!strcmp(kind, kind_names[i]))
            k = i;
    if (k < 0)
        return PyErr_Format(PyExc_ValueError, "unknown row kind '%s'", kind);
    uint32_t p = PB_NONE;
    if (parent != Py_None) {
        Py_ssize_t pv = PyLong_AsSsize_t(parent);
        if (pv == -1 && PyErr_Occurred())
            return NULL;
        if (!check_row(tb, pv))
            return NULL;
        p = (uint32_t)pv;
    }
    const char *s;
    Py_ssize_t n;
    if (!text_arg(label, &s, &n, 1))
        return NULL;
    if (at < 0)
        return PyErr_Format(PyExc_IndexError, "no row position %zd", at);
    pb_error err;
    pb_error_clear(&err);
    int64_t r = pb_table_insert_row(tb, (size_t)at, (pb_row_kind)k, p, s, (size_t)n, &err);
    if (r < 0)
        return raise_model(self, &err);
    return PyLong_FromLongLong(r);
}

static PyObject *PlanCore_remove_row(PyObject *self, PyObject *args)
{
    Py_ssize_t t, r;
    if (!PyArg_ParseTuple(args, "nn:remove_row", &t, &r))
        return NULL;
    pb_table *tb = get_table(self, t);
    if (!tb || !check_row(tb, r))
        return NULL;
    pb_error err;
    pb_error_clear(&err);
    if (pb_table_remove_row(tb, (size_t)r, &err))
        return raise_model(self, &err);
    Py_RETURN_NONE;
}

static PyObject *PlanCore_row_set(PyObject *self, PyObject *args)
{
    Py_ssize_t t, r;
    const char *field;
    PyObject *value;
    if (!PyArg_ParseTuple(args, "nnsO:row_set", &t, &r, &field, &value))
        return NULL;
    pb_table *tb = get_table(self, t);
    if (!tb || !check_row(tb, r))
        return NULL;
    pb_error err;
    pb_error_clear(&err);
    pb_status st;
    const char *s;
    Py_ssize_t n;
    if (!strcmp(field, "role")) {
        if (!text_arg(value, &s, &n, 0))
            return NULL;
        int role = pb_role_from_name(s, (size_t)n);
        if (role < 0)
            return PyErr_Format(PyExc_ValueError, "unknown role %R", value);
        st = pb_row_set_role(tb, (size_t)r, (pb_role)role, &err);
    } else if (!strcmp(field, "source")) {
        unsigned int line, col;
        if (!PyArg_ParseTuple(value, "II", &line, &col))
            return NULL;
        pb_row_set_source(tb, (size_t)r, line, col);
        st = PB_OK;
    } else {
        if (!text_arg(value, &s, &n, 1))
            return NULL;
        if (!strcmp(field, "label"))
            st = pb_row_set_label(tb, (size_t)r, s, (size_t)n, &err);
        else if (!strcmp(field, "id"))
            st = pb_row_set_text(tb, (size_t)r, PB_ROW_ID, s, (size_t)n, &err);
        else if (!strcmp(field, "note"))
            st = pb_row_set_text(tb, (size_t)r, PB_ROW_NOTE, s, (size_t)n, &err);
        else if (!strcmp(field, "select"))
            st = pb_row_set_text(tb, (size_t)r, PB_ROW_SELECT, s, (size_t)n, &err);
        else
            return PyErr_Format(PyExc_KeyError, "unknown row field '%s'", field);
    }
    if (st)
        return raise_model(self, &err);
    Py_RETURN_NONE;
}

static PyObject *PlanCore_find_row(PyObject *self, PyObject *args)
{
    Py_ssize_t t;
    PyObject *ref;
    const char *s;
    Py_ssize_t n;
    if (!PyArg_ParseTuple(args, "nU:find_row", &t, &ref))
        return NULL;
    pb_table *tb = get_table(self, t);
    if (!tb || !text_arg(ref, &s, &n, 0))
        return NULL;
    return PyLong_FromLongLong(pb_table_find_row(tb, s, (size_t)n));
}

/* ---- cells */

static const char *const state_names[] = {"blank", "value", "nil", "text"};
static const char *const comp_names[] = {"none", "value", "unknown", "overflow"};

/* (state, printed, value, computed_state, computed, decimals, line, column)
 * Text cells: printed is the text; value None. */
static PyObject *cell_tuple(pb_table *tb, size_t r, size_t c)
{
    uint32_t line, col;
    pb_cell_source(tb, r, c, &line, &col);
    if (pb_row_kind_of(tb, r) == PB_ROW_SECTION)
        return Py_BuildValue("(sOOsOi(II))", "blank", Py_None, Py_None, "none",
                             Py_None, pb_column_decimals(tb, c), line, col);
    if (pb_column_type_of(tb, c) == PB_COL_TEXT) {
        const char *s = pb_cell_text(tb, r, c);
        return Py_BuildValue("(sNOsOi(II))", s ? "text" : "blank", str_or_none(s),
                             Py_None, "none", Py_None, 0, line, col);
    }
    pb_amount printed, value, comp;
    pb_cell_state s = pb_cell_get(tb, r, c, &printed);
    pb_cell_value(tb, r, c, &value);
    pb_computed_state cs = pb_cell_computed(tb, r, c, &comp);
    return Py_BuildValue("(sLLsLi(II))", state_names[s], (long long)printed,
                         (long long)value, comp_names[cs], (long long)comp,
                         pb_column_decimals(tb, c), line, col);
}

static int compute(PyObject *self, pb_table *tb)
{
    pb_error err;
    pb_error_clear(&err);
    if (pb_table_compute(tb, &err)) {
        raise_model(self, &err);
        return 0;
    }
    return 1;
}

static PyObject *PlanCore_cell_get(PyObject *self, PyObject *args)
{
    Py_ssize_t t, r, c;
    if (!PyArg_ParseTuple(args, "nnn:cell_get", &t, &r, &c))
        return NULL;
    pb_table *tb = get_table(self, t);
    if (!tb || !check_row(tb, r) || !check_col(tb, c) || !compute(self, tb))
        return NULL;
    return cell_tuple(tb, (size_t)r, (size_t)c);
}

/* All cells of a table: a list (rows) of lists (columns) of cell tuples. */
static PyObject *PlanCore_table_cells(PyObject *self, PyObject *arg)
{
    Py_ssize_t t = PyLong_AsSsize_t(arg);
    if (t == -1 && PyErr_Occurred())
        return NULL;
    pb_table *tb = get_table(self, t);
    if (!tb || !compute(self, tb))
        return NULL;
    /* the row tuples and the cells together: one consistent picture */
    size_t nr = pb_table_row_count(tb), nc = pb_table_column_count(tb);
    PyObject *rows = PyList_New((Py_ssize_t)nr), *heads = PyList_New((Py_ssize_t)nr);
    if (!rows || !heads)
        goto fail;
    for (size_t r = 0; r < nr; r++) {
        PyObject *head = row_tuple(tb, r);
        if (!head)
            goto fail;
        PyList_SetItem(heads, (Py_ssize_t)r, head);
        PyObject *row = PyList_New((Py_ssize_t)nc);
        if (!row)
            goto fail;
        PyList_SetItem(rows, (Py_ssize_t)r, row);
        for (size_t c = 0; c < nc; c++) {
            PyObject *cell = cell_tuple(tb, r, c);
            if (!cell)
                goto fail;
            PyList_SetItem(row, (Py_ssize_t)c, cell);
        }
    }
    return Py_BuildValue("(NN)", heads, rows);
fail:
    Py_XDECREF(rows);
    Py_XDECREF(heads);
    return NULL;
}

static PyObject *PlanCore_cell_set_text(PyObject *self, PyObject *args)
{
    Py_ssize_t t, r, c;
    PyObject *value;
    if (!PyArg_ParseTuple(args, "nnnO:cell_set_text", &t, &r, &c, &value))
        return NULL;
    pb_table *tb = get_table(self, t);
    const char *s;
    Py_ssize_t n;
    if (!tb || !check_row(tb, r) || !check_col(tb, c) || !text_arg(value, &s, &n, 1))
        return NULL;
    pb_error err;
    pb_error_clear(&err);
    if (pb_cell_set_text(tb, (size_t)r, (size_t)c, s ? s : "", (size_t)n, &err))
        return raise_model(self, &err);
    Py_RETURN_NONE;
}

/* cell_set_value(t, r, c, state, amount, printed): amount at the column's
 * scale; by meaning unless `printed` is true. */
static PyObject *PlanCore_cell_set_value(PyObject *self, PyObject *args)
{
    Py_ssize_t t, r, c;
    const char *state;
    long long v;
    int printed;
    if (!PyArg_ParseTuple(args, "nnnsLp:cell_set_value", &t, &r, &c, &state, &v,
                          &printed))
        return NULL;
    pb_table *tb = get_table(self, t);
    if (!tb || !check_row(tb, r) || !check_col(tb, c))
        return NULL;
    pb_cell_state s;
    if (!strcmp(state, "value"))
        s = PB_CELL_VALUE;
    else if (!strcmp(state, "nil"))
        s = PB_CELL_NIL;
    else if (!strcmp(state, "blank"))
        s = PB_CELL_BLANK;
    else
        return PyErr_Format(PyExc_ValueError, "unknown cell state '%s'", state);
    pb_error err;
    pb_error_clear(&err);
    pb_status st = printed ? pb_cell_set_printed(tb, (size_t)r, (size_t)c, s, v, &err)
                           : pb_cell_set_value(tb, (size_t)r, (size_t)c, s, v, &err);
    if (st)
        return raise_model(self, &err);
    Py_RETURN_NONE;
}

/* ---- checks */

static int put_str(PyObject *d, const char *key, const char *value)
{
    PyObject *v = value ? PyUnicode_DecodeUTF8(value, (Py_ssize_t)strlen(value), "replace")
                        : Py_NewRef(Py_None);
    if (!v)
        return 0;
    int rc = PyDict_SetItemString(d, key, v);
    Py_DECREF(v);
    return rc == 0;
}

/* The names a finding refers to, taken in the same call as the finding, so
 * that another thread editing the plan cannot make them point elsewhere. */
static int finding_names(const pb_plan *plan, const pb_finding *f, PyObject *d)
{
    if (f->part == PB_PART_INDICATORS) {
        const pb_indset *s = pb_plan_indset(plan, f->table);
        char period[PB_PERIOD_TEXT_MAX] = "";
        if (s && f->column < pb_indset_period_count(s))
            pb_period_format(pb_indset_period(s, f->column), pb_plan_year_start(plan), period);
        const char *ref = NULL, *name = NULL;
        if (s && f->row < pb_indset_count(s)) {
            uint32_t m = pb_ind_parent(s, f->row) != PB_NONE ? pb_ind_parent(s, f->row) : f->row;
            ref = pb_ind_text(s, m, PB_IND_REF);
            name = pb_ind_text(s, f->row, PB_IND_NAME);
        }
        const char *key = NULL;
        if (s && f->other_column != PB_NONE)
            key = f->other_column == PB_PRINTED_LAST     ? "last"
                  : f->other_column == PB_PRINTED_TARGET ? "target"
                      : pb_indset_comparator_id(s, f->other_column - 2);
        return put_str(d, "table_id", s ? pb_indset_id(s) : NULL) &&
               put_str(d, "row_label", name) && put_str(d, "row_id", ref) &&
               put_str(d, "column_id", key) && put_str(d, "column_label", NULL) &&
               put_str(d, "column_period", period[0] ? period : NULL) &&
               put_str(d, "column_phase", NULL) && put_str(d, "column_measure", NULL) &&
               put_str(d, "other_table_id", NULL) && put_str(d, "other_row_label", NULL) &&
               put_str(d, "other_column_id", NULL) && put_str(d, "agreement_name", NULL) &&
               put_str(d, "part", "indicators");
    }
    if (f->part == PB_PART_RISKS) {
        const pb_register *g = pb_plan_register(plan, f->table);
        const char *id = g && f->row < pb_register_count(g) ? pb_risk_text(g, f->row, PB_RISK_ID)
                                                             : NULL;
        const char *desc = g && f->row < pb_register_count(g)
                               ? pb_risk_text(g, f->row, PB_RISK_DESCRIPTION)
                               : NULL;
        return put_str(d, "table_id", g ? pb_register_id(g) : NULL) &&
               put_str(d, "row_label", desc) && put_str(d, "row_id", id) &&
               put_str(d, "column_id",
                       f->column < PB_SCORE_KIND_COUNT ? pb_score_kind_name(f->column) : NULL) &&
               put_str(d, "column_label", NULL) && put_str(d, "column_period", NULL) &&
               put_str(d, "column_phase", NULL) && put_str(d, "column_measure", NULL) &&
               put_str(d, "other_table_id", NULL) && put_str(d, "other_row_label", NULL) &&
               put_str(d, "other_column_id", NULL) && put_str(d, "agreement_name", NULL) &&
               put_str(d, "part", "risks");
    }
    if (f->part == PB_PART_RECORDS) {
        const pb_collection *c = pb_plan_collection(plan, f->table);
        int ok_item = c && f->row < pb_collection_count(c);
        return put_str(d, "table_id", c ? pb_collection_id(c) : NULL) &&
               put_str(d, "row_label",
                       ok_item ? pb_item_field(c, f->row, "title") : NULL) &&
               put_str(d, "row_id", ok_item ? pb_item_id(c, f->row) : NULL) &&
               put_str(d, "column_id",
                       ok_item ? pb_item_field_name(c, f->row, f->column) : NULL) &&
               put_str(d, "column_label", NULL) && put_str(d, "column_period", NULL) &&
               put_str(d, "column_phase", NULL) && put_str(d, "column_measure", NULL) &&
               put_str(d, "other_table_id", NULL) && put_str(d, "other_row_label", NULL) &&
               put_str(d, "other_column_id", NULL) && put_str(d, "agreement_name", NULL) &&
               put_str(d, "part", "records");
    }
    if (!put_str(d, "part", "budgets"))
        return 0;
    const pb_table *t = f->table != PB_NONE ? pb_plan_table(plan, f->table) : NULL;
    const pb_table *o = f->other_table != PB_NONE ? pb_plan_table(plan, f->other_table) : NULL;
    char period[PB_PERIOD_TEXT_MAX] = "";
    int has_col = t && f->column != PB_NONE;
    if (has_col && pb_column_period(t, f->column).kind != PB_PERIOD_NONE)
        pb_period_format(pb_column_period(t, f->column), pb_plan_year_start(plan), period);
    return put_str(d, "table_id", t ? pb_table_id(t) : NULL) &&
           put_str(d, "row_label", t && f->row != PB_NONE ? pb_row_label(t, f->row) : NULL) &&
           put_str(d, "row_id",
                   t && f->row != PB_NONE ? pb_row_text(t, f->row, PB_ROW_ID) : NULL) &&
           put_str(d, "column_id", has_col ? pb_column_id(t, f->column) : NULL) &&
           put_str(d, "column_label",
                   has_col ? pb_column_text(t, f->column, PB_COLUMN_LABEL) : NULL) &&
           put_str(d, "column_period", period[0] ? period : NULL) &&
           put_str(d, "column_phase",
                   has_col ? pb_column_text(t, f->column, PB_COLUMN_PHASE) : NULL) &&
           put_str(d, "column_measure",
                   has_col ? pb_column_text(t, f->column, PB_COLUMN_MEASURE) : NULL) &&
           put_str(d, "other_table_id", o ? pb_table_id(o) : NULL) &&
           put_str(d, "other_row_label",
                   o && f->other_row != PB_NONE ? pb_row_label(o, f->other_row) : NULL) &&
           put_str(d, "other_column_id",
                   o && f->other_column != PB_NONE ? pb_column_id(o, f->other_column) : NULL) &&
           put_str(d, "agreement_name",
                   f->agreement != PB_NONE ? pb_agreement_name(plan, f->agreement) : NULL);
}

static PyObject *PlanCore_check(PyObject *self, PyObject *Py_UNUSED(a))
{
    pb_findings fs;
    pb_findings_init(&fs);
    pb_error err;
    pb_error_clear(&err);
    PyObject *list = NULL;
    if (pb_plan_check(PLAN(self), &fs, &err)) {
        raise_model(self, &err);
        goto done;
    }
    list = PyList_New((Py_ssize_t)fs.count);
    if (!list)
        goto done;
    size_t cap = 512;
    char *buf = PyMem_Malloc(cap);
    if (!buf) {
        Py_CLEAR(list);
        PyErr_NoMemory();
        goto done;
    }
    for (size_t i = 0; i < fs.count; i++) {
        const pb_finding *f = &fs.items[i];
        size_t need = pb_finding_message(PLAN(self), f, buf, cap);
        if (need >= cap) {
            char *nb = PyMem_Realloc(buf, need + 1);
            if (!nb) {
                PyMem_Free(buf);
                Py_CLEAR(list);
                PyErr_NoMemory();
                goto done;
            }
            buf = nb;
            cap = need + 1;
            pb_finding_message(PLAN(self), f, buf, cap);
        }
#define IDX(x) ((x) == PB_NONE ? Py_NewRef(Py_None) : PyLong_FromUnsignedLong(x))
        PyObject *tup = Py_BuildValue(
            "{s:s,s:s,s:N,s:N,s:N,s:N,s:N,s:N,s:N,s:I,s:I,s:O,s:L,s:L,s:L,s:i,s:N}",
            "code", pb_finding_code_name((pb_finding_code)f->code), "severity",
            pb_severity_name((pb_severity)f->severity), "table", IDX(f->table), "row",
            IDX(f->row), "column", IDX(f->column), "other_table", IDX(f->other_table),
            "other_row", IDX(f->other_row), "other_column", IDX(f->other_column),
            "agreement", IDX(f->agreement), "line", f->line, "col", f->col,
            "has_values", f->has_values ? Py_True : Py_False, "declared",
            (long long)f->declared, "computed", (long long)f->computed, "difference",
            (long long)f->difference, "decimals", f->decimals, "message",
            PyUnicode_DecodeUTF8(buf, (Py_ssize_t)(need < cap ? need : cap - 1), "replace"));
#undef IDX
        if (!tup) {
            PyMem_Free(buf);
            Py_CLEAR(list);
            goto done;
        }
        if (!finding_names(PLAN(self), f, tup)) {
            Py_DECREF(tup);
            PyMem_Free(buf);
            Py_CLEAR(list);
            goto done;
        }
        PyList_SetItem(list, (Py_ssize_t)i, tup);
    }
    PyMem_Free(buf);
done:
    pb_findings_free(&fs);
    return list;
}

/* ---- agreements */

static PyObject *PlanCore_agreement_count(PyObject *self, PyObject *Py_UNUSED(a))
{
    return PyLong_FromSize_t(pb_plan_agreement_count(PLAN(self)));
}

static PyObject *side_dict(const pb_plan *plan, size_t a, pb_side s)
{
    size_t nr = pb_agreement_row_count(plan, a, s), nc = pb_agreement_column_count(plan, a, s);
    PyObject *rows = PyList_New((Py_ssize_t)nr), *cols = PyList_New((Py_ssize_t)nc);
    if (!rows || !cols)
        goto fail;
    for (size_t k = 0; k < nr; k++) {
        PyObject *v = str_or_none(pb_agreement_row(plan, a, s, k));
        if (!v)
            goto fail;
        PyList_SetItem(rows, (Py_ssize_t)k, v);
    }
    for (size_t k = 0; k < nc; k++) {
        PyObject *v = str_or_none(pb_agreement_column(plan, a, s, k));
        if (!v)
            goto fail;
        PyList_SetItem(cols, (Py_ssize_t)k, v);
    }
    return Py_BuildValue("{s:N,s:N,s:N,s:O}", "table",
                         str_or_none(pb_agreement_table(plan, a, s)), "rows", rows,
                         "columns", cols, "negate",
                         pb_agreement_negate(plan, a, s) ? Py_True : Py_False);
fail:
    Py_XDECREF(rows);
    Py_XDECREF(cols);
    return NULL;
}

static PyObject *PlanCore_agreement_get(PyObject *self, PyObject *arg)
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
                         str_or_none(pb_agreement_name(plan, (size_t)a)), "note",
                         str_or_none(pb_agreement_note(plan, (size_t)a)), "tolerance",
                         has ? PyLong_FromLongLong(tol) : Py_NewRef(Py_None), "left",
                         side_dict(plan, (size_t)a, PB_LEFT), "right",
                         side_dict(plan, (size_t)a, PB_RIGHT));
}

/* add_agreement(name, note, tolerance, left, right); sides are dicts with
 * table, rows, columns, negate. */
static int fill_side(PyObject *self, size_t a, pb_side s, PyObject *d, pb_error *err)
{
    pb_plan *plan = PLAN(self);
    if (!PyDict_Check(d)) {
        PyErr_SetString(PyExc_TypeError, "an agreement side must be a dict");
        return 0;
    }
    const char *str;
    Py_ssize_t n;
    PyObject *table = PyDict_GetItemString(d, "table");
    if (!table || !text_arg(table, &str, &n, 0)) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_KeyError, "an agreement side needs 'table'");
        return 0;
    }
    if (pb_agreement_set_table(plan, a, s, str, (size_t)n, err))
        return raise_model(self, err), 0;
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
            if (!text_arg(PyTuple_GetItem(seq, i), &str, &n, 0)) {
                Py_DECREF(seq);
                return 0;
            }
            pb_status st = k == 0 ? pb_agreement_add_row(plan, a, s, str, (size_t)n, err)
                                  : pb_agreement_add_column(plan, a, s, str, (size_t)n, err);
            if (st) {
                Py_DECREF(seq);
                return raise_model(self, err), 0;
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

static PyObject *PlanCore_add_agreement(PyObject *self, PyObject *args)
{
    PyObject *name, *note, *tol, *left, *right;
    if (!PyArg_ParseTuple(args, "OOOOO:add_agreement", &name, &note, &tol, &left, &right))
        return NULL;
    const char *s;
    Py_ssize_t n;
    if (!text_arg(name, &s, &n, 1))
        return NULL;
    pb_plan *plan = PLAN(self);
    pb_error err;
    pb_error_clear(&err);
    int64_t a = pb_plan_add_agreement(plan, s, (size_t)n, &err);
    if (a < 0)
        return raise_model(self, &err);
    if (!text_arg(note, &s, &n, 1))
        goto fail;
    if (pb_agreement_set_note(plan, (size_t)a, s, (size_t)n, &err)) {
        raise_model(self, &err);
        goto fail;
    }
    if (tol != Py_None) {
        long long v = PyLong_AsLongLong(tol);
        if (v == -1 && PyErr_Occurred())
            goto fail;
        if (pb_agreement_set_tolerance(plan, (size_t)a, 1, v, &err)) {
            raise_model(self, &err);
            goto fail;
        }
    }
    if (!fill_side(self, (size_t)a, PB_LEFT, left, &err) ||
        !fill_side(self, (size_t)a, PB_RIGHT, right, &err))
        goto fail;
    return PyLong_FromLongLong(a);
fail:
    pb_plan_remove_agreement(plan, (size_t)a, NULL);
    return NULL;
}

static PyObject *PlanCore_remove_agreement(PyObject *self, PyObject *arg)
{
    Py_ssize_t a = PyLong_AsSsize_t(arg);
    if (a == -1 && PyErr_Occurred())
        return NULL;
    if (a < 0 || (size_t)a >= pb_plan_agreement_count(PLAN(self)))
        return PyErr_Format(PyExc_IndexError, "no agreement %zd", a);
    pb_plan_remove_agreement(PLAN(self), (size_t)a, NULL);
    Py_RETURN_NONE;
}

#include "_coreindicators.c"
#include "_corerisks.c"
#include "_corerecords.c"
#include "_corearrow.c"

static PyMethodDef PlanCore_methods[] = {
    PB_INDICATOR_METHODS
    PB_RISK_METHODS
    PB_RECORD_METHODS
    PB_ARROW_METHODS
    {"meta_keys", PlanCore_meta_keys, METH_NOARGS, "Names of the metadata fields."},
    {"get_meta", PlanCore_get_meta, METH_O, "get_meta(key) -> str | None"},
    {"set_meta", PlanCore_set_meta, METH_VARARGS, "set_meta(key, value | None)"},
    {"memory", PlanCore_memory, METH_NOARGS, "Bytes held by the plan in the core."},
    {"table_count", PlanCore_table_count, METH_NOARGS, NULL},
    {"find_table", PlanCore_find_table, METH_O, "find_table(id) -> index or -1"},
    {"add_table", PlanCore_add_table, METH_O, "add_table(id) -> index"},
    {"remove_table", PlanCore_remove_table, METH_O, NULL},
    {"table_get", PlanCore_table_get, METH_VARARGS, "table_get(t) -> dict"},
    {"table_set", PlanCore_table_set, METH_VARARGS, "table_set(t, field, value)"},
    {"table_layout", PlanCore_table_layout, METH_O, NULL},
    {"column_count", PlanCore_column_count, METH_O, NULL},
    {"column_get", PlanCore_column_get, METH_VARARGS, "column_get(t, c) -> dict"},
    {"add_column", PlanCore_add_column, METH_VARARGS, "add_column(t, id) -> index"},
    {"find_column", PlanCore_find_column, METH_VARARGS, NULL},
    {"column_set", PlanCore_column_set, METH_VARARGS, "column_set(t, c, field, value)"},
    {"row_count", PlanCore_row_count, METH_O, NULL},
    {"row_get", PlanCore_row_get, METH_VARARGS, "row_get(t, r) -> tuple"},
    {"rows", PlanCore_rows, METH_O, "rows(t) -> list of row tuples"},
    {"insert_row", PlanCore_insert_row, METH_VARARGS,
     "insert_row(t, at, kind, parent, label) -> index"},
    {"remove_row", PlanCore_remove_row, METH_VARARGS, NULL},
    {"row_set", PlanCore_row_set, METH_VARARGS, "row_set(t, r, field, value)"},
    {"find_row", PlanCore_find_row, METH_VARARGS, "find_row(t, ref) -> index, -1 or -2"},
    {"cell_get", PlanCore_cell_get, METH_VARARGS, "cell_get(t, r, c) -> tuple"},
    {"table_cells", PlanCore_table_cells, METH_O, "table_cells(t) -> (row tuples, rows of cell tuples)"},
    {"cell_set_text", PlanCore_cell_set_text, METH_VARARGS, NULL},
    {"cell_set_value", PlanCore_cell_set_value, METH_VARARGS, NULL},
    {"check", PlanCore_check, METH_NOARGS, "check() -> list of finding dicts"},
    {"agreement_count", PlanCore_agreement_count, METH_NOARGS, NULL},
    {"agreement_get", PlanCore_agreement_get, METH_O, NULL},
    {"add_agreement", PlanCore_add_agreement, METH_VARARGS, NULL},
    {"remove_agreement", PlanCore_remove_agreement, METH_O, NULL},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef PlanCore_getset[] = {
    {"year_start", PlanCore_get_year_start, PlanCore_set_year_start,
     "First month (1-12) of the financial year.", NULL},
    {"tolerance", PlanCore_get_tolerance, PlanCore_set_tolerance,
     "Default check tolerance, scaled by 10**6.", NULL},
    {"generation", PlanCore_get_generation, NULL, "Bumped by every change.", NULL},
    PB_RISK_GETSET
    {"rag_tolerance", PlanCore_get_rag_tolerance, PlanCore_set_rag_tolerance,
     "(percent, value scaled by 10**6): RAG tolerance against a target.", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static PyType_Slot PlanCore_slots[] = {
    {Py_tp_doc, "The C core's plan (internal: use planbook.Plan)."},
    {Py_tp_new, PlanCore_new},
    {Py_tp_dealloc, PlanCore_dealloc},
    {Py_tp_methods, PlanCore_methods},
    {Py_tp_getset, PlanCore_getset},
    {0, NULL}};

static PyType_Spec PlanCore_spec = {
    .name = "planbook._core.PlanCore",
    .basicsize = sizeof(PlanCoreObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE,
    .slots = PlanCore_slots,
};

/* ================================================= module functions */

static PyObject *core_parse_amount(PyObject *m, PyObject *args)
{
    PyObject *text;
    int decimals;
    if (!PyArg_ParseTuple(args, "Ui:parse_amount", &text, &decimals))
        return NULL;
    const char *s;
    Py_ssize_t n;
    if (!text_arg(text, &s, &n, 0))
        return NULL;
    pb_amount v;
    pb_cell_state st;
    pb_error err;
    pb_error_clear(&err);
    if (pb_amount_parse(s, (size_t)n, decimals, &v, &st, &err))
        return raise_pb(get_state(m), PB_KIND_VALIDATION, &err, NULL);
    return Py_BuildValue("(sL)", state_names[st], (long long)v);
}

static PyObject *core_format_amount(PyObject *m, PyObject *args, PyObject *kw)
{
    (void)m;
    static char *kwlist[] = {"value", "decimals", "thousands", "parens", NULL};
    long long v;
    int decimals, thousands = 1, parens = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "Li|pp:format_amount", kwlist, &v,
                                     &decimals, &thousands, &parens))
        return NULL;
    if (decimals < 0 || decimals > PB_MAX_DECIMALS)
        return PyErr_Format(PyExc_ValueError, "decimals must be 0..%d", PB_MAX_DECIMALS);
    char buf[PB_AMOUNT_TEXT_MAX];
    size_t n = pb_amount_format(v, decimals,
                                (thousands ? PB_FMT_THOUSANDS : 0) | (parens ? PB_FMT_PARENS : 0),
                                buf);
    return PyUnicode_FromStringAndSize(buf, (Py_ssize_t)n);
}

static PyObject *core_parse_period(PyObject *m, PyObject *args)
{
    PyObject *text;
    int year_start = 4;
    if (!PyArg_ParseTuple(args, "U|i:parse_period", &text, &year_start))
        return NULL;
    const char *s;
    Py_ssize_t n;
    if (!text_arg(text, &s, &n, 0))
        return NULL;
    pb_period p;
    pb_error err;
    pb_error_clear(&err);
    if (pb_period_parse(s, (size_t)n, year_start, &p, &err))
        return raise_pb(get_state(m), PB_KIND_VALIDATION + 1, &err, NULL);
    static const char *const kinds[] = {"none", "year", "quarter", "month"};
    char buf[PB_PERIOD_TEXT_MAX];
    pb_period_format(p, year_start, buf);
    pb_period fy = pb_period_year_of(p, year_start);
    return Py_BuildValue("(ssiiii)", buf, kinds[p.kind], (int)p.year, (int)p.index,
                         (int)fy.year, (int)pb_period_first_month(p, year_start));
}

static PyMethodDef core_functions[] = {
    {"date_range", core_date_range, METH_O,
     "date_range(text) -> (start, end) as (y, m, d) tuples or None (undated)"},
    {"parse_amount", core_parse_amount, METH_VARARGS,
     "parse_amount(text, decimals) -> (state, scaled int)"},
    {"format_amount", (PyCFunction)(void (*)(void))core_format_amount,
     METH_VARARGS | METH_KEYWORDS,
     "format_amount(value, decimals, thousands=True, parens=False) -> str"},
    {"parse_period", core_parse_period, METH_VARARGS,
     "parse_period(text, year_start=4) -> (canonical, kind, year, index, fy, first_month)"},
    {NULL, NULL, 0, NULL}};

/* ======================================================== C API */

static PyObject *capi_plan_wrap(pb_plan *plan)
{
    core_state *st = global_state();
    if (!st) {
        pb_plan_free(plan);
        PyErr_SetString(PyExc_RuntimeError, "planbook._core is not initialised");
        return NULL;
    }
    allocfunc alloc = (allocfunc)PyType_GetSlot(st->PlanCore, Py_tp_alloc);
    PlanCoreObject *self = (PlanCoreObject *)alloc(st->PlanCore, 0);
    if (!self) {
        pb_plan_free(plan);
        return NULL;
    }
    self->plan = plan;
    return (PyObject *)self;
}

static pb_plan *capi_plan_unwrap(PyObject *obj)
{
    core_state *st = global_state();
    if (!st || !PyObject_TypeCheck(obj, st->PlanCore)) {
        PyObject *tn = pbpy_type_name(obj);
        PyErr_Format(PyExc_TypeError, "expected planbook._core.PlanCore, got %.100V", tn, "?");
        Py_XDECREF(tn);
        return NULL;
    }
    return PLAN(obj);
}

static pb_capi capi_table = {
    .version = PB_CAPI_VERSION,
    .size = sizeof(pb_capi),
    .core = NULL, /* set in core_exec */
    .plan_wrap = capi_plan_wrap,
    .plan_unwrap = capi_plan_unwrap,
    .raise_error = capi_raise,
};

/* ========================================================= module */

static int core_exec(PyObject *m)
{
    core_state *st = get_state(m);
    st->PlanCore = (PyTypeObject *)PyType_FromModuleAndSpec(m, &PlanCore_spec, NULL);
    if (!st->PlanCore || PyModule_AddType(m, st->PlanCore) < 0)
        return -1;
    PyObject *errors = PyImport_ImportModule("planbook.errors");
    if (!errors)
        return -1;
    st->ReadError = PyObject_GetAttrString(errors, "ReadError");
    st->WriteError = PyObject_GetAttrString(errors, "WriteError");
    st->ValidationError = PyObject_GetAttrString(errors, "ValidationError");
    st->AmountError = PyObject_GetAttrString(errors, "AmountError");
    Py_DECREF(errors);
    if (!st->ReadError || !st->WriteError || !st->ValidationError || !st->AmountError)
        return -1;
    capi_table.core = pb_api_get();
    PyObject *caps = PyCapsule_New((void *)&capi_table, PB_CAPI_NAME, NULL);
    if (!caps)
        return -1;
    int rc = PyModule_AddObjectRef(m, "_C_API", caps);
    Py_DECREF(caps);
    if (rc < 0)
        return -1;
    if (PyModule_AddStringConstant(m, "CORE_VERSION", PB_VERSION_STRING) < 0 ||
        PyModule_AddIntConstant(m, "MAX_DECIMALS", PB_MAX_DECIMALS) < 0 ||
        PyModule_AddIntConstant(m, "TOLERANCE_DECIMALS", PB_TOLERANCE_DECIMALS) < 0)
        return -1;
    if (!capi_state)
        capi_state = st;
    return 0;
}

static int core_traverse(PyObject *m, visitproc visit, void *arg)
{
    core_state *st = get_state(m);
    Py_VISIT(st->PlanCore);
    Py_VISIT(st->ReadError);
    Py_VISIT(st->WriteError);
    Py_VISIT(st->ValidationError);
    Py_VISIT(st->AmountError);
    return 0;
}

static int core_clear(PyObject *m)
{
    core_state *st = get_state(m);
    if (capi_state == st)
        capi_state = NULL;
    Py_CLEAR(st->PlanCore);
    Py_CLEAR(st->ReadError);
    Py_CLEAR(st->WriteError);
    Py_CLEAR(st->ValidationError);
    Py_CLEAR(st->AmountError);
    return 0;
}

static void core_free(void *m) { core_clear((PyObject *)m); }

static PyModuleDef_Slot core_slots[] = {{Py_mod_exec, core_exec}, {0, NULL}};

static PyModuleDef core_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "planbook._core",
    .m_doc = "The planbook C core (internal; use the planbook package).",
    .m_size = sizeof(core_state),
    .m_methods = core_functions,
    .m_slots = core_slots,
    .m_traverse = core_traverse,
    .m_clear = core_clear,
    .m_free = core_free,
};

PyMODINIT_FUNC PyInit__core(void) { return PyModuleDef_Init(&core_module); }
