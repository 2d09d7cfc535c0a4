/* _corerecords.c - the records part of planbook._core (collections of
 * objectives, workstreams, actions, ...), included by _coremodule.c. */

static pb_collection *get_coll(PyObject *self, Py_ssize_t ci)
{
    pb_collection *c = ci >= 0 ? pb_plan_collection(PLAN(self), (size_t)ci) : NULL;
    if (!c)
        PyErr_Format(PyExc_IndexError, "no collection %zd", ci);
    return c;
}

static PyObject *PlanCore_coll_count(PyObject *self, PyObject *Py_UNUSED(a))
{
    return PyLong_FromSize_t(pb_plan_collection_count(PLAN(self)));
}

static PyObject *PlanCore_coll_find(PyObject *self, PyObject *id)
{
    const char *s;
    Py_ssize_t n;
    if (!text_arg(id, &s, &n, 0))
        return NULL;
    return PyLong_FromLongLong(pb_plan_find_collection(PLAN(self), s, (size_t)n));
}

static PyObject *PlanCore_coll_add(PyObject *self, PyObject *id)
{
    const char *s;
    Py_ssize_t n;
    if (!text_arg(id, &s, &n, 0))
        return NULL;
    pb_error err;
    pb_error_clear(&err);
    if (!pb_plan_add_collection(PLAN(self), s, (size_t)n, &err))
        return raise_model(self, &err);
    return PyLong_FromSize_t(pb_plan_collection_count(PLAN(self)) - 1);
}

static PyObject *PlanCore_coll_remove(PyObject *self, PyObject *arg)
{
    Py_ssize_t ci = PyLong_AsSsize_t(arg);
    if ((ci == -1 && PyErr_Occurred()) || !get_coll(self, ci))
        return NULL;
    pb_error err;
    pb_error_clear(&err);
    if (pb_plan_remove_collection(PLAN(self), (size_t)ci, &err))
        return raise_model(self, &err);
    Py_RETURN_NONE;
}

static PyObject *PlanCore_coll_get(PyObject *self, PyObject *arg)
{
    Py_ssize_t ci = PyLong_AsSsize_t(arg);
    if (ci == -1 && PyErr_Occurred())
        return NULL;
    pb_collection *c = get_coll(self, ci);
    if (!c)
        return NULL;
    size_t nd = pb_collection_date_count(c), nl = pb_collection_link_count(c);
    PyObject *dates = PyList_New((Py_ssize_t)nd), *links = PyList_New((Py_ssize_t)nl);
    if (!dates || !links)
        goto fail;
    for (size_t k = 0; k < nd; k++) {
        PyObject *t = str_or_none(pb_collection_date_field(c, k));
        if (!t)
            goto fail;
        PyList_SetItem(dates, (Py_ssize_t)k, t);
    }
    for (size_t k = 0; k < nl; k++) {
        PyObject *t = Py_BuildValue("(NN)", str_or_none(pb_collection_link_field(c, k)),
                                    str_or_none(pb_collection_link_target(c, k)));
        if (!t)
            goto fail;
        PyList_SetItem(links, (Py_ssize_t)k, t);
    }
    uint32_t line, col;
    pb_collection_source(c, &line, &col);
    return Py_BuildValue("{s:N,s:N,s:N,s:N,s:N,s:N,s:n,s:I,s:I}", "id",
                         str_or_none(pb_collection_id(c)), "title",
                         str_or_none(pb_collection_text(c, PB_COLL_TITLE)), "kind",
                         str_or_none(pb_collection_text(c, PB_COLL_KIND)), "note",
                         str_or_none(pb_collection_text(c, PB_COLL_NOTE)), "dates", dates,
                         "links", links, "count", (Py_ssize_t)pb_collection_count(c), "line",
                         line, "col", col);
fail:
    Py_XDECREF(dates);
    Py_XDECREF(links);
    return NULL;
}

static PyObject *PlanCore_coll_set(PyObject *self, PyObject *args)
{
    Py_ssize_t ci;
    const char *field;
    PyObject *value;
    if (!PyArg_ParseTuple(args, "nsO", &ci, &field, &value))
        return NULL;
    pb_collection *c = get_coll(self, ci);
    if (!c)
        return NULL;
    pb_error err;
    pb_error_clear(&err);
    static const char *const names[PB_COLL_FIELD_COUNT] = {"title", "kind", "note"};
    for (int f = 0; f < PB_COLL_FIELD_COUNT; f++)
        if (!strcmp(field, names[f])) {
            const char *t;
            Py_ssize_t n;
            if (!text_arg(value, &t, &n, 1))
                return NULL;
            if (pb_collection_set_text(c, (pb_collection_field)f, t, (size_t)n, &err))
                return raise_model(self, &err);
            Py_RETURN_NONE;
        }
    if (!strcmp(field, "add_date")) {
        const char *t;
        Py_ssize_t n;
        if (!text_arg(value, &t, &n, 0))
            return NULL;
        if (pb_collection_add_date_field(c, t, (size_t)n, &err))
            return raise_model(self, &err);
        Py_RETURN_NONE;
    }
    if (!strcmp(field, "add_link")) {
        PyObject *a, *b;
        const char *x, *y;
        Py_ssize_t xn, yn;
        if (!PyArg_ParseTuple(value, "OO", &a, &b) || !text_arg(a, &x, &xn, 0) ||
            !text_arg(b, &y, &yn, 0))
            return NULL;
        if (pb_collection_add_link(c, x, (size_t)xn, y, (size_t)yn, &err))
            return raise_model(self, &err);
        Py_RETURN_NONE;
    }
    return PyErr_Format(PyExc_KeyError, "unknown collection field '%s'", field);
}

static PyObject *item_dict(pb_collection *c, size_t i)
{
    size_t nf = pb_item_field_count(c, i);
    PyObject *fields = PyList_New((Py_ssize_t)nf);
    if (!fields)
        return NULL;
    for (size_t k = 0; k < nf; k++) {
        PyObject *t = Py_BuildValue("(NN)", str_or_none(pb_item_field_name(c, i, k)),
                                    str_or_none(pb_item_field_value(c, i, k)));
        if (!t) {
            Py_DECREF(fields);
            return NULL;
        }
        PyList_SetItem(fields, (Py_ssize_t)k, t);
    }
    uint32_t parent = pb_item_parent(c, i), line, col;
    pb_item_source(c, i, &line, &col);
    int32_t due = pb_item_due(c, i);
    return Py_BuildValue("{s:n,s:N,s:N,s:i,s:N,s:N,s:I,s:I}", "index", (Py_ssize_t)i, "id",
                         str_or_none(pb_item_id(c, i)), "parent",
                         parent == PB_NONE ? Py_NewRef(Py_None) : PyLong_FromUnsignedLong(parent),
                         "depth", pb_item_depth(c, i), "fields", fields, "due",
                         date_or_none(due), "line", line, "col", col);
}

static PyObject *PlanCore_items(PyObject *self, PyObject *arg)
{
    Py_ssize_t ci = PyLong_AsSsize_t(arg);
    if (ci == -1 && PyErr_Occurred())
        return NULL;
    pb_collection *c = get_coll(self, ci);
    if (!c)
        return NULL;
    size_t n = pb_collection_count(c);
    PyObject *list = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; list && i < n; i++) {
        PyObject *d = item_dict(c, i);
        if (!d) {
            Py_CLEAR(list);
            break;
        }
        PyList_SetItem(list, (Py_ssize_t)i, d);
    }
    return list;
}

static PyObject *PlanCore_item_get(PyObject *self, PyObject *args)
{
    Py_ssize_t ci, i;
    if (!PyArg_ParseTuple(args, "nn", &ci, &i))
        return NULL;
    pb_collection *c = get_coll(self, ci);
    if (!c)
        return NULL;
    if (i < 0 || (size_t)i >= pb_collection_count(c))
        return PyErr_Format(PyExc_IndexError, "no item %zd", i);
    return item_dict(c, (size_t)i);
}

static PyObject *PlanCore_item_find(PyObject *self, PyObject *args)
{
    Py_ssize_t ci;
    PyObject *id;
    if (!PyArg_ParseTuple(args, "nO", &ci, &id))
        return NULL;
    pb_collection *c = get_coll(self, ci);
    const char *s;
    Py_ssize_t n;
    if (!c || !text_arg(id, &s, &n, 0))
        return NULL;
    return PyLong_FromLongLong(pb_collection_find(c, s, (size_t)n));
}

static PyObject *PlanCore_item_add(PyObject *self, PyObject *args)
{
    Py_ssize_t ci;
    PyObject *parent, *id;
    if (!PyArg_ParseTuple(args, "nOO", &ci, &parent, &id))
        return NULL;
    pb_collection *c = get_coll(self, ci);
    if (!c)
        return NULL;
    uint32_t par = PB_NONE;
    if (parent != Py_None) {
        Py_ssize_t p = PyLong_AsSsize_t(parent);
        if (p == -1 && PyErr_Occurred())
            return NULL;
        if (p < 0 || (size_t)p >= pb_collection_count(c))
            return PyErr_Format(PyExc_IndexError, "no item %zd", p);
        par = (uint32_t)p;
    }
    const char *s;
    Py_ssize_t n;
    if (!text_arg(id, &s, &n, 1))
        return NULL;
    pb_error err;
    pb_error_clear(&err);
    int64_t i = pb_collection_add(c, par, s, (size_t)n, &err);
    if (i < 0)
        return raise_model(self, &err);
    return PyLong_FromLongLong(i);
}

static PyObject *PlanCore_item_remove(PyObject *self, PyObject *args)
{
    Py_ssize_t ci, i;
    if (!PyArg_ParseTuple(args, "nn", &ci, &i))
        return NULL;
    pb_collection *c = get_coll(self, ci);
    if (!c)
        return NULL;
    pb_error err;
    pb_error_clear(&err);
    if (i < 0 || pb_collection_remove(c, (size_t)i, &err))
        return i < 0 ? PyErr_Format(PyExc_IndexError, "no item %zd", i) : raise_model(self, &err);
    Py_RETURN_NONE;
}

static PyObject *PlanCore_item_set(PyObject *self, PyObject *args)
{
    Py_ssize_t ci, i;
    PyObject *name, *value;
    if (!PyArg_ParseTuple(args, "nnOO", &ci, &i, &name, &value))
        return NULL;
    pb_collection *c = get_coll(self, ci);
    if (!c)
        return NULL;
    const char *ns, *vs;
    Py_ssize_t nn, vn;
    if (!text_arg(name, &ns, &nn, 0) || !text_arg(value, &vs, &vn, 1))
        return NULL;
    pb_error err;
    pb_error_clear(&err);
    pb_status st = !strcmp(ns, "id") ? pb_item_set_id(c, (size_t)i, vs, (size_t)vn, &err)
                                     : pb_item_set_field(c, (size_t)i, ns, (size_t)nn, vs,
                                                         (size_t)vn, &err);
    if (st)
        return raise_model(self, &err);
    Py_RETURN_NONE;
}

static PyObject *core_date_range(PyObject *m, PyObject *arg)
{
    const char *s;
    Py_ssize_t n;
    if (!text_arg(arg, &s, &n, 0))
        return NULL;
    int32_t a, b;
    pb_error err;
    pb_error_clear(&err);
    if (pb_date_range_parse(s, (size_t)n, &a, &b, &err))
        return raise_pb(get_state(m), PB_KIND_VALIDATION + 1, &err, NULL);
    return Py_BuildValue("(NN)", date_or_none(a), date_or_none(b));
}

#define PB_RECORD_METHODS                                                                     \
    {"coll_count", PlanCore_coll_count, METH_NOARGS, NULL},                                   \
    {"coll_find", PlanCore_coll_find, METH_O, NULL},                                          \
    {"coll_add", PlanCore_coll_add, METH_O, NULL},                                            \
    {"coll_remove", PlanCore_coll_remove, METH_O, NULL},                                      \
    {"coll_get", PlanCore_coll_get, METH_O, NULL},                                            \
    {"coll_set", PlanCore_coll_set, METH_VARARGS, NULL},                                      \
    {"items", PlanCore_items, METH_O, NULL},                                                  \
    {"item_get", PlanCore_item_get, METH_VARARGS, NULL},                                      \
    {"item_find", PlanCore_item_find, METH_VARARGS, NULL},                                    \
    {"item_add", PlanCore_item_add, METH_VARARGS, NULL},                                      \
    {"item_remove", PlanCore_item_remove, METH_VARARGS, NULL},                                \
    {"item_set", PlanCore_item_set, METH_VARARGS, NULL},
