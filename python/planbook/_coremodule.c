/* _coremodule.c - planbook._core: the CPython binding of the C core.
 *
 * Thin by design: PlanCore owns a pb_plan and exposes the core's functions
 * as low-level methods (indices in, plain Python values out).  The public,
 * Pythonic API (planbook.Plan, Table, Row, Cell) is written in Python over
 * these methods, as a view: nothing of the plan is copied into Python
 * objects until it is asked for.
 *
 * This file holds the module: its state, the errors, the helpers every
 * part's file uses, the PlanCore type (its methods are in the files named
 * in _core.h), the module functions, the C API capsule and module init.
 *
 * Conventions: module state, multi-phase init, a heap type; errors are
 * raised as planbook's exceptions (imported from planbook.errors) and no
 * core error is ever printed.  Amounts cross the boundary as Python ints at
 * the column's scale; the Python layer turns them into Decimal.
 */
#include "_core.h"

/* =========================================================== state */

core_state *core_state_of_module(PyObject *module)
{
    return (core_state *)PyModule_GetState(module);
}

/* The state of the module that made self's type.  Only PlanCore's methods
 * ask: PlanCore cannot be subclassed (no Py_TPFLAGS_BASETYPE), so that is
 * the module's own heap type and PyType_GetModuleState needs no search of
 * the MRO (PyType_GetModuleByDef, which would search, is not in the
 * limited API before 3.13). */
core_state *core_state_of(PyObject *self)
{
    return (core_state *)PyType_GetModuleState(Py_TYPE(self));
}

/* The state of the loaded module, for the capsule's functions, which have
 * no module argument.  The C API table is process-wide, so the module is
 * meant to be loaded once per process (one interpreter); it stays in
 * sys.modules until shutdown. */
static core_state *core_capi_state = NULL;

/* ========================================================== errors */

/* d[key] = v, a new reference that it takes (NULL: a failure already);
 * returns 0 with an exception set. */
static int core_dict_put(PyObject *d, const char *key, PyObject *v)
{
    if (!v)
        return 0;
    int rc = PyDict_SetItemString(d, key, v);
    Py_DECREF(v);
    return rc == 0;
}

PyObject *core_error_raise(core_state *st, int kind, const pb_error *err, PyObject *file)
{
    if (err->status == PB_ERR_NOMEM)
        return PyErr_NoMemory();
    PyObject *cls = NULL;
    if (st) {
        switch (kind) {
        case PB_KIND_READ:
            cls = st->errors[CORE_READ_ERROR];
            break;
        case PB_KIND_WRITE:
            cls = st->errors[CORE_WRITE_ERROR];
            break;
        case CORE_KIND_VALUE:
            cls = st->errors[CORE_VALIDATION_ERROR];
            break;
        default:
            cls = (err->status == PB_ERR_SYNTAX || err->status == PB_ERR_OVERFLOW ||
                   err->status == PB_ERR_PRECISION)
                      ? st->errors[CORE_AMOUNT_ERROR]
                      : st->errors[CORE_VALIDATION_ERROR];
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
    if (err->line && (!core_dict_put(kwargs, "line", PyLong_FromUnsignedLong(err->line)) ||
                      !core_dict_put(kwargs, "column", PyLong_FromUnsignedLong(err->column))))
        goto done;
    if (err->path[0] && !core_dict_put_text(kwargs, "path", err->path))
        goto done;
    if (!core_dict_put(kwargs, "code", PyUnicode_FromString(pb_status_name(err->status))))
        goto done;
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

PyObject *core_error_model(PyObject *self, const pb_error *err)
{
    return core_error_raise(core_state_of(self), PB_KIND_VALIDATION, err, NULL);
}

PyObject *core_error_or_none(PyObject *self, int failed, const pb_error *err)
{
    if (failed)
        return core_error_model(self, err);
    Py_RETURN_NONE;
}

static PyObject *core_capi_raise(pb_error_kind kind, const pb_error *err, PyObject *file)
{
    return core_error_raise(core_capi_state, (int)kind, err, file);
}

/* ========================================================= helpers */

PyObject *core_text_or_none(const char *s)
{
    if (!s)
        Py_RETURN_NONE;
    return PyUnicode_DecodeUTF8(s, (Py_ssize_t)strlen(s), "strict");
}

int core_text_arg(PyObject *o, const char **s, Py_ssize_t *n, int allow_none)
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

int core_text_value_arg(PyObject *value, core_text_value *v, int allow_none)
{
    Py_ssize_t n;
    if (!core_text_arg(value, &v->s, &n, allow_none))
        return 0;
    v->n = (size_t)n;
    pb_error_clear(&v->err);
    return 1;
}

int core_index_arg(PyObject *o, Py_ssize_t *i)
{
    *i = PyLong_AsSsize_t(o);
    return !(*i == -1 && PyErr_Occurred());
}

int core_dict_put_text(PyObject *d, const char *key, const char *value)
{
    return core_dict_put(d, key,
                         value ? PyUnicode_DecodeUTF8(value, (Py_ssize_t)strlen(value), "replace")
                               : Py_NewRef(Py_None));
}

int core_dict_put_texts(PyObject *d, const char *const *names, const char *const *texts, int n)
{
    for (int f = 0; f < n; f++)
        if (!core_dict_put_text(d, names[f], texts[f]))
            return 0;
    return 1;
}

PyObject *core_index_or_none(uint32_t v)
{
    return v == PB_NONE ? Py_NewRef(Py_None) : PyLong_FromUnsignedLong(v);
}

PyObject *core_period_text(const pb_plan *plan, pb_period p)
{
    if (p.kind == PB_PERIOD_NONE)
        Py_RETURN_NONE;
    char buf[PB_PERIOD_TEXT_MAX];
    pb_period_format(p, pb_plan_year_start(plan), buf);
    return PyUnicode_FromString(buf);
}

PyObject *core_date_or_none(int32_t d)
{
    if (!d)
        Py_RETURN_NONE;
    return Py_BuildValue("(iii)", (int)(d / 10000), (int)(d / 100 % 100), (int)(d % 100));
}

int core_name_index(const char *const *names, int n, const char *value)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(value, names[i]))
            return i;
    return -1;
}

/* ======================================================= PlanCore */

static PyObject *core_plan_new(PyTypeObject *type, PyObject *args, PyObject *kw)
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

static void core_plan_dealloc(PyObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    pb_plan_free(PLAN(self));
    PLAN(self) = NULL;
    core_plan_guard_free(self);
    freefunc free_slot = (freefunc)PyType_GetSlot(tp, Py_tp_free);
    free_slot(self);
    Py_DECREF(tp);
}

static PyType_Slot core_plan_slots[] = {
    {Py_tp_doc, "The C core's plan (internal: use planbook.Plan)."},
    {Py_tp_new, core_plan_new},
    {Py_tp_dealloc, core_plan_dealloc},
    {Py_tp_methods, core_methods},
    {Py_tp_getset, core_getset},
    {0, NULL}};

static PyType_Spec core_plan_spec = {
    .name = "planbook._core.PlanCore",
    .basicsize = sizeof(PlanCoreObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE,
    .slots = core_plan_slots,
};

/* ================================================= module functions */

/* The arguments (text, an int) of a parse function, by its format ("U"
 * then "i" or "|i"); returns 0 with an exception set. */
static int core_text_int_args(PyObject *args, const char *format, core_text_value *t, int *i)
{
    PyObject *text;
    return PyArg_ParseTuple(args, format, &text, i) && core_text_value_arg(text, t, 0);
}

static PyObject *core_amount_parse(PyObject *m, PyObject *args)
{
    int decimals;
    core_text_value t;
    if (!core_text_int_args(args, "Ui:parse_amount", &t, &decimals))
        return NULL;
    pb_amount v;
    pb_cell_state st;
    if (pb_amount_parse(t.s, t.n, decimals, &v, &st, &t.err))
        return core_error_raise(core_state_of_module(m), PB_KIND_VALIDATION, &t.err, NULL);
    return Py_BuildValue("(sL)", core_cell_state_names[st], (long long)v);
}

static PyObject *core_amount_format(PyObject *m, PyObject *args, PyObject *kw)
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

static PyObject *core_period_parse(PyObject *m, PyObject *args)
{
    int year_start = 4;
    core_text_value t;
    if (!core_text_int_args(args, "U|i:parse_period", &t, &year_start))
        return NULL;
    pb_period p;
    if (pb_period_parse(t.s, t.n, year_start, &p, &t.err))
        return core_error_raise(core_state_of_module(m), CORE_KIND_VALUE, &t.err, NULL);
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
    {"parse_amount", core_amount_parse, METH_VARARGS,
     "parse_amount(text, decimals) -> (state, scaled int)"},
    {"format_amount", (PyCFunction)(void (*)(void))core_amount_format,
     METH_VARARGS | METH_KEYWORDS,
     "format_amount(value, decimals, thousands=True, parens=False) -> str"},
    {"parse_period", core_period_parse, METH_VARARGS,
     "parse_period(text, year_start=4) -> (canonical, kind, year, index, fy, first_month)"},
    {NULL, NULL, 0, NULL}};

/* ======================================================== C API */

static PyObject *core_capi_plan_wrap(pb_plan *plan)
{
    core_state *st = core_capi_state;
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

/* obj, when it is a PlanCore, else NULL with TypeError */
static PyObject *core_capi_plan_check(PyObject *obj)
{
    core_state *st = core_capi_state;
    if (!st || !PyObject_TypeCheck(obj, st->PlanCore)) {
        PyObject *tn = pbpy_type_name(obj);
        PyErr_Format(PyExc_TypeError, "expected planbook._core.PlanCore, got %.100V", tn, "?");
        Py_XDECREF(tn);
        return NULL;
    }
    return obj;
}

static pb_plan *core_capi_plan_unwrap(PyObject *obj)
{
    return core_capi_plan_check(obj) && core_plan_wait(obj) ? PLAN(obj) : NULL;
}

static pb_plan *core_capi_plan_enter(PyObject *obj)
{
    if (!core_capi_plan_check(obj) || !core_plan_enter(obj))
        return NULL;
    core_plan_lock(obj); /* the caller may release the GIL */
    return PLAN(obj);
}

static void core_capi_plan_leave(PyObject *obj)
{
    core_plan_unlock(obj);
    core_plan_leave(obj);
}

static pb_capi core_capi_table = {
    .version = PB_CAPI_VERSION,
    .size = sizeof(pb_capi),
    .core = NULL, /* set in core_exec */
    .plan_wrap = core_capi_plan_wrap,
    .plan_unwrap = core_capi_plan_unwrap,
    .raise_error = core_capi_raise,
    .plan_enter = core_capi_plan_enter,
    .plan_leave = core_capi_plan_leave,
};

/* ========================================================= module */

/* the names of core_state.errors' classes in planbook.errors */
static const char *const core_error_names[CORE_ERROR_COUNT] = {
    "ReadError", "WriteError", "ValidationError", "AmountError"};

static int core_module_exec(PyObject *m)
{
    core_state *st = core_state_of_module(m);
    if (core_methods_join() < 0)
        return -1;
    st->PlanCore = (PyTypeObject *)PyType_FromModuleAndSpec(m, &core_plan_spec, NULL);
    if (!st->PlanCore || PyModule_AddType(m, st->PlanCore) < 0)
        return -1;
    for (int k = 0; k < CORE_ERROR_COUNT; k++)
        if (!(st->errors[k] = pbpy_import_attr("planbook.errors", core_error_names[k])))
            return -1;
    core_capi_table.core = pb_api_get();
    if (pbpy_add_capsule(m, "_C_API", (void *)&core_capi_table, PB_CAPI_NAME) < 0)
        return -1;
    PyObject *capi_version = Py_BuildValue("(II)", (unsigned)PB_CAPI_VERSION,
                                           (unsigned)PB_API_VERSION);
    if (!capi_version || PyModule_AddObject(m, "C_API_VERSION", capi_version) < 0) {
        Py_XDECREF(capi_version);
        return -1;
    }
    if (PyModule_AddStringConstant(m, "CORE_VERSION", PB_VERSION_STRING) < 0 ||
        PyModule_AddIntConstant(m, "MAX_DECIMALS", PB_MAX_DECIMALS) < 0 ||
        PyModule_AddIntConstant(m, "TOLERANCE_DECIMALS", PB_TOLERANCE_DECIMALS) < 0 ||
        PyModule_AddIntConstant(m, "FIELD_ID", PB_FIELD_ID) < 0)
        return -1;
    if (!core_capi_state)
        core_capi_state = st;
    return 0;
}

static int core_module_traverse(PyObject *m, visitproc visit, void *arg)
{
    core_state *st = core_state_of_module(m);
    Py_VISIT(st->PlanCore);
    for (int k = 0; k < CORE_ERROR_COUNT; k++)
        Py_VISIT(st->errors[k]);
    return 0;
}

static int core_module_clear(PyObject *m)
{
    core_state *st = core_state_of_module(m);
    if (core_capi_state == st)
        core_capi_state = NULL;
    Py_CLEAR(st->PlanCore);
    for (int k = 0; k < CORE_ERROR_COUNT; k++)
        Py_CLEAR(st->errors[k]);
    return 0;
}

static void core_module_free(void *m) { core_module_clear((PyObject *)m); }

PBPY_MODULE(_core, "planbook._core", "The planbook C core (internal; use the planbook package).",
            core_state, core_functions, core_module_exec, core_module_traverse, core_module_clear,
            core_module_free)
