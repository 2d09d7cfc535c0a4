/* _corerisks.c - the risk-register part of planbook._core, included by
 * _coremodule.c (shares its helpers; not compiled on its own). */

static pb_register *get_register(PyObject *self, Py_ssize_t ri)
{
    pb_register *g = ri >= 0 ? pb_plan_register(PLAN(self), (size_t)ri) : NULL;
    if (!g)
        PyErr_Format(PyExc_IndexError, "no risk register %zd", ri);
    return g;
}

static PyObject *date_or_none(int32_t d)
{
    if (!d)
        Py_RETURN_NONE;
    return Py_BuildValue("(iii)", (int)(d / 10000), (int)(d / 100 % 100), (int)(d % 100));
}

static PyObject *PlanCore_reg_count(PyObject *self, PyObject *Py_UNUSED(a))
{
    return PyLong_FromSize_t(pb_plan_register_count(PLAN(self)));
}

static PyObject *PlanCore_reg_find(PyObject *self, PyObject *id)
{
    const char *s;
    Py_ssize_t n;
    if (!text_arg(id, &s, &n, 0))
        return NULL;
    return PyLong_FromLongLong(pb_plan_find_register(PLAN(self), s, (size_t)n));
}

static PyObject *PlanCore_reg_add(PyObject *self, PyObject *id)
{
    const char *s;
    Py_ssize_t n;
    if (!text_arg(id, &s, &n, 0))
        return NULL;
    pb_error err;
    pb_error_clear(&err);
    if (!pb_plan_add_register(PLAN(self), s, (size_t)n, &err))
        return raise_model(self, &err);
    return PyLong_FromSize_t(pb_plan_register_count(PLAN(self)) - 1);
}

static PyObject *PlanCore_reg_remove(PyObject *self, PyObject *arg)
{
    Py_ssize_t ri = PyLong_AsSsize_t(arg);
    if ((ri == -1 && PyErr_Occurred()) || !get_register(self, ri))
        return NULL;
    pb_error err;
    pb_error_clear(&err);
    if (pb_plan_remove_register(PLAN(self), (size_t)ri, &err))
        return raise_model(self, &err);
    Py_RETURN_NONE;
}

static PyObject *PlanCore_reg_get(PyObject *self, PyObject *arg)
{
    Py_ssize_t ri = PyLong_AsSsize_t(arg);
    if (ri == -1 && PyErr_Occurred())
        return NULL;
    pb_register *g = get_register(self, ri);
    if (!g)
        return NULL;
    PyObject *d = PyDict_New();
    if (!d)
        return NULL;
    for (int f = 0; f < PB_REG_FIELD_COUNT; f++)
        if (!put_str(d, pb_register_field_name((pb_register_field)f),
                     pb_register_text(g, (pb_register_field)f)))
            goto fail;
    uint32_t line, col;
    pb_register_source(g, &line, &col);
    PyObject *rest = Py_BuildValue(
        "{s:N,s:s,s:n,s:N,s:N,s:I,s:I}", "id", str_or_none(pb_register_id(g)), "score_order",
        pb_register_score_order(g) == PB_ORDER_IMPACT_LIKELIHOOD ? "impact x likelihood"
                                                                 : "likelihood x impact",
        "count", (Py_ssize_t)pb_register_count(g), "last_reviewed_date",
        date_or_none(pb_register_date(g, PB_REG_LAST_REVIEWED)), "next_review_date",
        date_or_none(pb_register_date(g, PB_REG_NEXT_REVIEW)), "line", line, "col", col);
    if (!rest || PyDict_Update(d, rest) < 0) {
        Py_XDECREF(rest);
        goto fail;
    }
    Py_DECREF(rest);
    return d;
fail:
    Py_DECREF(d);
    return NULL;
}

static PyObject *PlanCore_reg_set(PyObject *self, PyObject *args)
{
    Py_ssize_t ri;
    const char *field;
    PyObject *value;
    if (!PyArg_ParseTuple(args, "nsO", &ri, &field, &value))
        return NULL;
    pb_register *g = get_register(self, ri);
    if (!g)
        return NULL;
    pb_error err;
    pb_error_clear(&err);
    if (!strcmp(field, "score_order")) {
        const char *t;
        Py_ssize_t n;
        if (!text_arg(value, &t, &n, 0))
            return NULL;
        pb_score_order o;
        if (!strcmp(t, "likelihood x impact"))
            o = PB_ORDER_LIKELIHOOD_IMPACT;
        else if (!strcmp(t, "impact x likelihood"))
            o = PB_ORDER_IMPACT_LIKELIHOOD;
        else
            return PyErr_Format(PyExc_ValueError,
                                "score_order is 'likelihood x impact' or 'impact x likelihood'");
        if (pb_register_set_score_order(g, o, &err))
            return raise_model(self, &err);
        Py_RETURN_NONE;
    }
    for (int f = 0; f < PB_REG_FIELD_COUNT; f++)
        if (!strcmp(field, pb_register_field_name((pb_register_field)f))) {
            const char *t;
            Py_ssize_t n;
            if (!text_arg(value, &t, &n, 1))
                return NULL;
            if (pb_register_set_text(g, (pb_register_field)f, t, (size_t)n, &err))
                return raise_model(self, &err);
            Py_RETURN_NONE;
        }
    return PyErr_Format(PyExc_KeyError, "unknown register field '%s'", field);
}

static PyObject *risk_dict(pb_register *g, size_t i)
{
    PyObject *d = PyDict_New();
    if (!d)
        return NULL;
    for (int f = 0; f < PB_RISK_FIELD_COUNT; f++)
        if (!put_str(d, pb_risk_field_name((pb_risk_field)f), pb_risk_text(g, i, (pb_risk_field)f)))
            goto fail;
    for (int k = 0; k < PB_SCORE_KIND_COUNT; k++) {
        pb_score s = pb_risk_score(g, i, (pb_score_kind)k);
        const char *t = pb_risk_score_text(g, i, (pb_score_kind)k);
        PyObject *v;
        if (!t && !s.likelihood && !s.impact && !s.score)
            v = Py_NewRef(Py_None);
        else
            v = Py_BuildValue("{s:i,s:i,s:i,s:N,s:i}", "likelihood", (int)s.likelihood, "impact",
                              (int)s.impact, "score", (int)s.score, "text", str_or_none(t),
                              "value", pb_risk_score_value(g, i, (pb_score_kind)k));
        if (!v || PyDict_SetItemString(d, pb_score_kind_name((pb_score_kind)k), v) < 0) {
            Py_XDECREF(v);
            goto fail;
        }
        Py_DECREF(v);
    }
    uint32_t line, col;
    pb_risk_source(g, i, &line, &col);
    PyObject *l = PyLong_FromUnsignedLong(line), *c = PyLong_FromUnsignedLong(col);
    int ok = l && c && PyDict_SetItemString(d, "line", l) == 0 &&
             PyDict_SetItemString(d, "col", c) == 0;
    Py_XDECREF(l);
    Py_XDECREF(c);
    if (ok)
        return d;
fail:
    Py_DECREF(d);
    return NULL;
}

static PyObject *PlanCore_risks(PyObject *self, PyObject *arg)
{
    Py_ssize_t ri = PyLong_AsSsize_t(arg);
    if (ri == -1 && PyErr_Occurred())
        return NULL;
    pb_register *g = get_register(self, ri);
    if (!g)
        return NULL;
    size_t n = pb_register_count(g);
    PyObject *list = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; list && i < n; i++) {
        PyObject *d = risk_dict(g, i);
        if (!d) {
            Py_CLEAR(list);
            break;
        }
        PyList_SetItem(list, (Py_ssize_t)i, d);
    }
    return list;
}

static PyObject *PlanCore_risk_find(PyObject *self, PyObject *args)
{
    Py_ssize_t ri;
    PyObject *id;
    if (!PyArg_ParseTuple(args, "nO", &ri, &id))
        return NULL;
    pb_register *g = get_register(self, ri);
    const char *s;
    Py_ssize_t n;
    if (!g || !text_arg(id, &s, &n, 0))
        return NULL;
    return PyLong_FromLongLong(pb_register_find(g, s, (size_t)n));
}

static PyObject *PlanCore_risk_get(PyObject *self, PyObject *args)
{
    Py_ssize_t ri, i;
    if (!PyArg_ParseTuple(args, "nn", &ri, &i))
        return NULL;
    pb_register *g = get_register(self, ri);
    if (!g)
        return NULL;
    if (i < 0 || (size_t)i >= pb_register_count(g))
        return PyErr_Format(PyExc_IndexError, "no risk %zd", i);
    return risk_dict(g, (size_t)i);
}

static PyObject *PlanCore_risk_add(PyObject *self, PyObject *args)
{
    Py_ssize_t ri;
    PyObject *id;
    if (!PyArg_ParseTuple(args, "nO", &ri, &id))
        return NULL;
    pb_register *g = get_register(self, ri);
    const char *s;
    Py_ssize_t n;
    if (!g || !text_arg(id, &s, &n, 0))
        return NULL;
    pb_error err;
    pb_error_clear(&err);
    int64_t i = pb_register_add(g, s, (size_t)n, &err);
    if (i < 0)
        return raise_model(self, &err);
    return PyLong_FromLongLong(i);
}

static PyObject *PlanCore_risk_remove(PyObject *self, PyObject *args)
{
    Py_ssize_t ri, i;
    if (!PyArg_ParseTuple(args, "nn", &ri, &i))
        return NULL;
    pb_register *g = get_register(self, ri);
    if (!g)
        return NULL;
    pb_error err;
    pb_error_clear(&err);
    if (i < 0 || pb_register_remove(g, (size_t)i, &err))
        return i < 0 ? PyErr_Format(PyExc_IndexError, "no risk %zd", i) : raise_model(self, &err);
    Py_RETURN_NONE;
}

static PyObject *PlanCore_risk_set(PyObject *self, PyObject *args)
{
    Py_ssize_t ri, i;
    const char *field;
    PyObject *value;
    if (!PyArg_ParseTuple(args, "nnsO", &ri, &i, &field, &value))
        return NULL;
    pb_register *g = get_register(self, ri);
    if (!g)
        return NULL;
    if (i < 0 || (size_t)i >= pb_register_count(g))
        return PyErr_Format(PyExc_IndexError, "no risk %zd", i);
    pb_error err;
    pb_error_clear(&err);
    for (int k = 0; k < PB_SCORE_KIND_COUNT; k++)
        if (!strcmp(field, pb_score_kind_name((pb_score_kind)k))) {
            pb_status st;
            if (value == Py_None)
                st = pb_risk_set_score(g, (size_t)i, (pb_score_kind)k, 0, 0, 0, &err);
            else if (PyTuple_Check(value)) {
                int l, im, sc;
                if (!PyArg_ParseTuple(value, "iii", &l, &im, &sc))
                    return NULL;
                st = pb_risk_set_score(g, (size_t)i, (pb_score_kind)k, l, im, sc, &err);
            } else {
                const char *t;
                Py_ssize_t n;
                if (!text_arg(value, &t, &n, 0))
                    return NULL;
                st = pb_risk_set_score_text(g, (size_t)i, (pb_score_kind)k, t, (size_t)n, &err);
            }
            if (st)
                return raise_model(self, &err);
            Py_RETURN_NONE;
        }
    for (int f = 0; f < PB_RISK_FIELD_COUNT; f++)
        if (!strcmp(field, pb_risk_field_name((pb_risk_field)f))) {
            const char *t;
            Py_ssize_t n;
            if (!text_arg(value, &t, &n, 1))
                return NULL;
            if (pb_risk_set_text(g, (size_t)i, (pb_risk_field)f, t, (size_t)n, &err))
                return raise_model(self, &err);
            Py_RETURN_NONE;
        }
    return PyErr_Format(PyExc_KeyError, "unknown risk field '%s'", field);
}

static PyObject *PlanCore_risk_rag(PyObject *self, PyObject *arg)
{
    long score = PyLong_AsLong(arg);
    if (score == -1 && PyErr_Occurred())
        return NULL;
    static const char *const names[4] = {"none", "green", "amber", "red"};
    return PyUnicode_FromString(names[pb_plan_risk_rag(PLAN(self), (int)score)]);
}

static PyObject *PlanCore_get_risk_matrix(PyObject *self, void *c)
{
    (void)c;
    int l, i;
    pb_plan_risk_matrix(PLAN(self), &l, &i);
    return Py_BuildValue("(ii)", l, i);
}

static int PlanCore_set_risk_matrix(PyObject *self, PyObject *v, void *c)
{
    (void)c;
    int l, i;
    if (!v || !PyArg_ParseTuple(v, "ii", &l, &i)) {
        if (!v)
            PyErr_SetString(PyExc_TypeError, "cannot delete the matrix");
        return -1;
    }
    pb_error err;
    pb_error_clear(&err);
    if (pb_plan_set_risk_matrix(PLAN(self), l, i, &err)) {
        raise_model(self, &err);
        return -1;
    }
    return 0;
}

static PyObject *PlanCore_get_risk_bands(PyObject *self, void *c)
{
    (void)c;
    int g, a;
    pb_plan_risk_bands(PLAN(self), &g, &a);
    return Py_BuildValue("(ii)", g, a);
}

static int PlanCore_set_risk_bands(PyObject *self, PyObject *v, void *c)
{
    (void)c;
    int g, a;
    if (!v || !PyArg_ParseTuple(v, "ii", &g, &a)) {
        if (!v)
            PyErr_SetString(PyExc_TypeError, "cannot delete the bands");
        return -1;
    }
    pb_error err;
    pb_error_clear(&err);
    if (pb_plan_set_risk_bands(PLAN(self), g, a, &err)) {
        raise_model(self, &err);
        return -1;
    }
    return 0;
}

#define PB_RISK_METHODS                                                                       \
    {"reg_count", PlanCore_reg_count, METH_NOARGS, NULL},                                     \
    {"reg_find", PlanCore_reg_find, METH_O, NULL},                                            \
    {"reg_add", PlanCore_reg_add, METH_O, NULL},                                              \
    {"reg_remove", PlanCore_reg_remove, METH_O, NULL},                                        \
    {"reg_get", PlanCore_reg_get, METH_O, NULL},                                              \
    {"reg_set", PlanCore_reg_set, METH_VARARGS, NULL},                                        \
    {"risks", PlanCore_risks, METH_O, NULL},                                                  \
    {"risk_find", PlanCore_risk_find, METH_VARARGS, NULL},                                    \
    {"risk_get", PlanCore_risk_get, METH_VARARGS, NULL},                                      \
    {"risk_add", PlanCore_risk_add, METH_VARARGS, NULL},                                      \
    {"risk_remove", PlanCore_risk_remove, METH_VARARGS, NULL},                                \
    {"risk_set", PlanCore_risk_set, METH_VARARGS, NULL},                                      \
    {"risk_rag", PlanCore_risk_rag, METH_O, NULL},

#define PB_RISK_GETSET                                                                        \
    {"risk_matrix", PlanCore_get_risk_matrix, PlanCore_set_risk_matrix,                       \
     "(likelihood, impact): the risk matrix.", NULL},                                         \
    {"risk_bands", PlanCore_get_risk_bands, PlanCore_set_risk_bands,                          \
     "(green max, amber max): RAG bands by risk score.", NULL},
