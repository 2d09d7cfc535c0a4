/* _coreparts.c - the methods every kind of part of a plan has, written
 * once over its core_part description (_core.h): count, find, add, remove,
 * get and set a part (a budget table, an indicator set, a risk register,
 * a collection), and count, find, get, list and remove its members (rows,
 * measures, risks, items).
 *
 * PlanCore has each of these methods under every part's own name
 * (table_count, ind_find, reg_add, risk_get, item_remove, ...) and by part
 * name (part_count("risks"), member_get("indicators", set, measure), ...),
 * so that the Python layer can walk every part alike: one row of
 * core_generics a method, its names in columns. */
#include "_core.h"

/* ============================================================ access */

void *core_part_at(PyObject *self, const core_part *part, Py_ssize_t i)
{
    void *p = i >= 0 ? part->at(PLAN(self), (size_t)i) : NULL;
    if (!p)
        PyErr_Format(PyExc_IndexError, "no %s %zd", part->what, i);
    return p;
}

int core_index_check(Py_ssize_t i, size_t n, const char *what)
{
    if (i < 0 || (size_t)i >= n) {
        PyErr_Format(PyExc_IndexError, "no %s %zd", what, i);
        return 0;
    }
    return 1;
}

int core_member_check(const core_part *part, const void *p, Py_ssize_t i)
{
    return core_index_check(i, part->member_count(p), part->member);
}

void *core_part_arg(PyObject *self, const core_part *part, PyObject *arg)
{
    Py_ssize_t i;
    return core_index_arg(arg, &i) ? core_part_at(self, part, i) : NULL;
}

/* ============================================================ parts */

static PyObject *core_part_count(PyObject *self, const core_part *part, PyObject *arg,
                                 const char *fmt)
{
    (void)arg, (void)fmt;
    return PyLong_FromSize_t(part->count(PLAN(self)));
}

/* id -> the part's index, or -1 */
static PyObject *core_part_find(PyObject *self, const core_part *part, PyObject *id,
                                const char *fmt)
{
    (void)fmt;
    const char *s;
    Py_ssize_t n;
    if (!core_text_arg(id, &s, &n, 0))
        return NULL;
    return PyLong_FromLongLong(part->find(PLAN(self), s, (size_t)n));
}

/* id -> the new part's index (the last) */
static PyObject *core_part_add(PyObject *self, const core_part *part, PyObject *id,
                               const char *fmt)
{
    (void)fmt;
    pb_error err;
    pb_error_clear(&err);
    const char *s;
    Py_ssize_t n;
    if (!core_text_arg(id, &s, &n, 0))
        return NULL;
    if (!part->add(PLAN(self), s, (size_t)n, &err))
        return core_error_model(self, &err);
    return PyLong_FromSize_t(part->count(PLAN(self)) - 1);
}

static PyObject *core_part_remove(PyObject *self, const core_part *part, PyObject *arg,
                                  const char *fmt)
{
    (void)fmt;
    Py_ssize_t i;
    if (!core_index_arg(arg, &i) || !core_part_at(self, part, i))
        return NULL;
    pb_error err;
    pb_error_clear(&err);
    return core_error_or_none(self, part->remove(PLAN(self), (size_t)i, &err), &err);
}

static PyObject *core_part_get(PyObject *self, const core_part *part, PyObject *arg,
                               const char *fmt)
{
    (void)fmt;
    void *p = core_part_arg(self, part, arg);
    return p ? part->get(self, p) : NULL;
}

/* A field of part p (m < 0) or of its member m: a text field (texts,
 * member_texts) set from text or None, else the part's own set or
 * member_set. */
static PyObject *core_field_set(PyObject *self, const core_part *part, void *p, Py_ssize_t m,
                                const char *field, PyObject *value)
{
    int f = m < 0 ? core_name_index(part->texts, part->ntexts, field)
                  : core_name_index(part->member_texts, part->member_ntexts, field);
    if (f < 0)
        return m < 0 ? part->set(self, p, field, value)
                     : part->member_set(self, p, (size_t)m, field, value);
    core_text_value v;
    if (!core_text_value_arg(value, &v, 1))
        return NULL;
    pb_status rc = m < 0 ? part->set_text(p, f, v.s, v.n, &v.err)
                         : part->member_set_text(p, (size_t)m, f, v.s, v.n, &v.err);
    return core_error_or_none(self, rc, &v.err);
}

/* (index, field, value): a text field of the part's, or one of its own */
static PyObject *core_part_set(PyObject *self, const core_part *part, PyObject *args,
                               const char *fmt)
{
    Py_ssize_t i;
    const char *field;
    PyObject *value;
    if (!PyArg_ParseTuple(args, fmt, &i, &field, &value))
        return NULL;
    void *p = core_part_at(self, part, i);
    return p ? core_field_set(self, part, p, -1, field, value) : NULL;
}

/* ========================================================== members */

/* member m of part i, checked, or NULL with IndexError */
static void *core_member_of(PyObject *self, const core_part *part, Py_ssize_t i, Py_ssize_t m)
{
    void *p = core_part_at(self, part, i);
    return p && core_member_check(part, p, m) ? p : NULL;
}

static PyObject *core_member_count(PyObject *self, const core_part *part, PyObject *arg,
                                   const char *fmt)
{
    (void)fmt;
    void *p = core_part_arg(self, part, arg);
    return p ? PyLong_FromSize_t(part->member_count(p)) : NULL;
}

/* every member of a part, a list */
static PyObject *core_part_members(PyObject *self, const core_part *part, PyObject *arg,
                                   const char *fmt)
{
    (void)fmt;
    void *p = core_part_arg(self, part, arg);
    if (!p)
        return NULL;
    size_t n = part->member_count(p);
    PyObject *list = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; list && i < n; i++) {
        PyObject *m = part->member_get(self, p, i);
        if (!m) {
            Py_CLEAR(list);
            break;
        }
        PyList_SetItem(list, (Py_ssize_t)i, m);
    }
    return list;
}

/* (index, id) -> the member's index, or a negative number */
static PyObject *core_member_find(PyObject *self, const core_part *part, PyObject *args,
                                  const char *fmt)
{
    Py_ssize_t i;
    PyObject *id;
    if (!PyArg_ParseTuple(args, fmt, &i, &id))
        return NULL;
    void *p = core_part_at(self, part, i);
    const char *s;
    Py_ssize_t n;
    if (!p || !core_text_arg(id, &s, &n, 0))
        return NULL;
    return PyLong_FromLongLong(part->member_find(p, s, (size_t)n));
}

static PyObject *core_member_get(PyObject *self, const core_part *part, PyObject *args,
                                 const char *fmt)
{
    Py_ssize_t i, m;
    if (!PyArg_ParseTuple(args, fmt, &i, &m))
        return NULL;
    void *p = core_member_of(self, part, i, m);
    return p ? part->member_get(self, p, (size_t)m) : NULL;
}

static PyObject *core_member_remove(PyObject *self, const core_part *part, PyObject *args,
                                    const char *fmt)
{
    Py_ssize_t i, m;
    if (!PyArg_ParseTuple(args, fmt, &i, &m))
        return NULL;
    /* a register or collection refuses an index past the end itself */
    void *p = part->core_checks_remove ? core_part_at(self, part, i)
                                       : core_member_of(self, part, i, m);
    if (!p)
        return NULL;
    if (m < 0)
        return PyErr_Format(PyExc_IndexError, "no %s %zd", part->member, m);
    pb_error err;
    pb_error_clear(&err);
    return core_error_or_none(self, part->member_remove(p, (size_t)m, &err), &err);
}

static PyObject *core_member_set(PyObject *self, const core_part *part, PyObject *args,
                                 const char *fmt)
{
    Py_ssize_t i, m;
    const char *field;
    PyObject *value;
    if (!PyArg_ParseTuple(args, fmt, &i, &m, &field, &value))
        return NULL;
    void *p = core_member_of(self, part, i, m);
    return p ? core_field_set(self, part, p, m, field, value) : NULL;
}

static PyObject *core_member_add(PyObject *self, const core_part *part, PyObject *args,
                                 const char *fmt)
{
    if (!part->member_add)
        return PyErr_Format(PyExc_TypeError, "%s: a %s is added with insert_row", part->name,
                            part->member);
    Py_ssize_t i;
    PyObject *parent = Py_None, *id;
    int with_parent = !strncmp(fmt, "nOO", 3);
    if (!(with_parent ? PyArg_ParseTuple(args, fmt, &i, &parent, &id)
                      : PyArg_ParseTuple(args, fmt, &i, &id)))
        return NULL;
    void *p = core_part_at(self, part, i);
    if (!p)
        return NULL;
    uint32_t par = PB_NONE;
    if (parent != Py_None) {
        if (!part->members_nest)
            return PyErr_Format(PyExc_ValueError, "a %s has no parent", part->member);
        Py_ssize_t m;
        if (!core_index_arg(parent, &m) || !core_member_check(part, p, m))
            return NULL;
        par = (uint32_t)m;
    }
    const char *s;
    Py_ssize_t n;
    if (!core_text_arg(id, &s, &n, part->members_nest))
        return NULL;
    pb_error err;
    pb_error_clear(&err);
    int64_t m = part->member_add(p, par, s, (size_t)n, &err);
    if (m < 0)
        return core_error_model(self, &err);
    return PyLong_FromLongLong(m);
}

/* ==================================================== by part name */

const core_part *const core_parts[4] = {&core_part_budgets, &core_part_indicators,
                                        &core_part_risks, &core_part_records};

static PyObject *core_part_names(PyObject *self, PyObject *Py_UNUSED(a))
{
    (void)self;
    PyObject *t = PyTuple_New(4);
    for (int k = 0; t && k < 4; k++) {
        PyObject *s = PyUnicode_FromString(core_parts[k]->name);
        if (!s) {
            Py_CLEAR(t);
            break;
        }
        PyTuple_SetItem(t, k, s);
    }
    return t;
}

/* args[0] names the part; the rest go to the generic method, as one
 * object (nargs 1: a METH_O method) or a tuple */
static PyObject *core_part_call(PyObject *self, PyObject *args, core_part_method method,
                                int nargs, const char *fmt)
{
    Py_ssize_t given = PyTuple_Size(args);
    if (given != 1 + nargs)
        return PyErr_Format(PyExc_TypeError, "%s takes %d arguments (%zd given)",
                            strchr(fmt, ':') + 1, 1 + nargs, given);
    PyObject *name = PyTuple_GetItem(args, 0);
    const core_part *part = NULL;
    for (int k = 0; k < 4; k++)
        if (PyUnicode_Check(name) &&
            PyUnicode_CompareWithASCIIString(name, core_parts[k]->name) == 0)
            part = core_parts[k];
    /* the described parts (_coredescribed.c): by name only */
    if (PyUnicode_Check(name) &&
        PyUnicode_CompareWithASCIIString(name, core_part_described.name) == 0)
        part = &core_part_described;
    if (!part)
        return PyErr_Format(PyExc_KeyError, "unknown part %R: budgets, indicators, risks, "
                            "records or described", name);
    if (nargs <= 1)
        return method(self, part, nargs ? PyTuple_GetItem(args, 1) : NULL, fmt);
    PyObject *rest = PyTuple_GetSlice(args, 1, given);
    if (!rest)
        return NULL;
    PyObject *res = method(self, part, rest, fmt);
    Py_DECREF(rest);
    return res;
}

PyObject *core_generic_call(PyObject *self, const core_generic *g, const core_part *part,
                            PyObject *arg, const char *fmt)
{
    if (part)
        return g->generic(self, part, arg, fmt);
    return core_part_call(self, arg, g->generic, g->nargs, fmt);
}

/* Each generic method's names: budgets, indicators, risks, records and by
 * part name (NULL: that part has a method of its own, or none).  A
 * register's risks have no parents: its risk_add takes (index, id). */
const core_generic core_generics[] = {
    {core_part_count, METH_NOARGS, "", 0,
     {"table_count", "ind_count", "reg_count", "coll_count", "part_count"}, "", "int"},
    {core_part_find, METH_O, "", 1, {"find_table", "ind_find", "reg_find", "coll_find",
     "part_find"}, "id", "index or -1"},
    {core_part_add, METH_O, "", 1, {"add_table", "ind_add", "reg_add", "coll_add", "part_add"},
     "id", "index"},
    {core_part_remove, METH_O, "", 1, {"remove_table", "ind_remove", "reg_remove",
     "coll_remove", "part_remove"}, "index", NULL},
    {core_part_get, METH_O, "", 1, {NULL, "ind_get", "reg_get", "coll_get", "part_get"},
     "index", "dict"},
    {core_part_set, METH_VARARGS, "nsO", 3, {"table_set", "ind_set", "reg_set", "coll_set",
     "part_set"}, "index, field, value", NULL},
    {core_member_count, METH_O, "", 1, {"row_count", NULL, NULL, NULL, "member_count"},
     "index", "int"},
    {core_part_members, METH_O, "", 1, {"rows", NULL, "risks", "items", "members"},
     "index", "list of what member_get gives"},
    {core_member_find, METH_VARARGS, "nO", 2, {"find_row", "m_find", "risk_find",
     "item_find", "member_find"}, "index, id", "member index, or negative"},
    {core_member_get, METH_VARARGS, "nn", 2, {"row_get", "m_get", "risk_get", "item_get",
     "member_get"}, "index, member", "dict (a row tuple for budgets)"},
    {core_member_remove, METH_VARARGS, "nn", 2, {"remove_row", "m_remove", "risk_remove",
     "item_remove", "member_remove"}, "index, member", NULL},
    {core_member_set, METH_VARARGS, "nnsO", 4, {"row_set", "m_set", "risk_set", NULL,
     "member_set"}, "index, member, field, value", NULL},
    {core_member_add, METH_VARARGS, "nOO", 3, {NULL, "m_add", "risk_add", "item_add",
     "member_add"}, "index, parent, id", "member index (risk_add: no parent; budget rows: insert_row)"},
    {NULL, 0, NULL, 0, {NULL}, NULL, NULL}};

PyMethodDef core_part_methods[] = {
    {"part_names", core_part_names, METH_NOARGS,
     "part_names() -> ('budgets', 'indicators', 'risks', 'records')"},
    {"described_kinds", core_described_kinds, METH_NOARGS,
     "described_kinds() -> ((key, noun, sheet, title, ((key, heading, flags, type, values), "
     "...)), ...)"},
    {NULL, NULL, 0, NULL}};
