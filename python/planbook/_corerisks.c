/* _corerisks.c - the risk registers of planbook._core and their risks.  A
 * register is a part (core_part_risks, its members the risks); what only
 * risks have is here (the plan's risk matrix and bands: _coreplan.c). */
#include "_core.h"


static PyObject *core_register_dict(PyObject *self, void *part)
{
    (void)self;
    pb_register *g = part;
    const char *names[PB_REG_FIELD_COUNT], *texts[PB_REG_FIELD_COUNT];
    for (int f = 0; f < PB_REG_FIELD_COUNT; f++) {
        names[f] = pb_register_field_name((pb_register_field)f);
        texts[f] = pb_register_text(g, (pb_register_field)f);
    }
    PyObject *d = PyDict_New();
    if (!d || !core_dict_put_texts(d, names, texts, PB_REG_FIELD_COUNT))
        goto fail;
    uint32_t line, col;
    pb_register_source(g, &line, &col);
    PyObject *rest = Py_BuildValue(
        "{s:N,s:s,s:n,s:N,s:N,s:I,s:I}", "id", core_text_or_none(pb_register_id(g)), "score_order",
        pb_register_score_order(g) == PB_ORDER_IMPACT_LIKELIHOOD ? "impact x likelihood"
                                                                 : "likelihood x impact",
        "count", (Py_ssize_t)pb_register_count(g), "last_reviewed_date",
        core_date_or_none(pb_register_date(g, PB_REG_LAST_REVIEWED)), "next_review_date",
        core_date_or_none(pb_register_date(g, PB_REG_NEXT_REVIEW)), "line", line, "col", col);
    if (!rest || PyDict_Update(d, rest) < 0) {
        Py_XDECREF(rest);
        goto fail;
    }
    Py_DECREF(rest);
    return d;
fail:
    Py_XDECREF(d);
    return NULL;
}

/* a register's fields (its text fields are named by the core) */
static PyObject *core_register_set_other(PyObject *self, void *part, const char *field,
                                         PyObject *value)
{
    pb_register *g = part;
    if (!strcmp(field, "score_order")) {
        core_text_value t;
        if (!core_text_value_arg(value, &t, 0))
            return NULL;
        pb_score_order o;
        if (!strcmp(t.s, "likelihood x impact"))
            o = PB_ORDER_LIKELIHOOD_IMPACT;
        else if (!strcmp(t.s, "impact x likelihood"))
            o = PB_ORDER_IMPACT_LIKELIHOOD;
        else
            return PyErr_Format(PyExc_ValueError,
                                "score_order is 'likelihood x impact' or 'impact x likelihood'");
        return core_error_or_none(self, pb_register_set_score_order(g, o, &t.err), &t.err);
    }
    for (int f = 0; f < PB_REG_FIELD_COUNT; f++)
        if (!strcmp(field, pb_register_field_name((pb_register_field)f))) {
            core_text_value v;
            if (!core_text_value_arg(value, &v, 1))
                return NULL;
            pb_status rc = pb_register_set_text(g, (pb_register_field)f, v.s, v.n, &v.err);
            return core_error_or_none(self, rc, &v.err);
        }
    return PyErr_Format(PyExc_KeyError, "unknown register field '%s'", field);
}

static PyObject *core_risk_dict(PyObject *self, void *part, size_t i)
{
    (void)self;
    pb_register *g = part;
    const char *names[PB_RISK_FIELD_COUNT], *texts[PB_RISK_FIELD_COUNT];
    for (int f = 0; f < PB_RISK_FIELD_COUNT; f++) {
        names[f] = pb_risk_field_name((pb_risk_field)f);
        texts[f] = pb_risk_text(g, i, (pb_risk_field)f);
    }
    PyObject *d = PyDict_New();
    if (!d || !core_dict_put_texts(d, names, texts, PB_RISK_FIELD_COUNT))
        goto fail;
    for (int k = 0; k < PB_SCORE_KIND_COUNT; k++) {
        pb_score s = pb_risk_score(g, i, (pb_score_kind)k);
        const char *t = pb_risk_score_text(g, i, (pb_score_kind)k);
        PyObject *v;
        if (!t && !s.likelihood && !s.impact && !s.score)
            v = Py_NewRef(Py_None);
        else
            v = Py_BuildValue("{s:i,s:i,s:i,s:N,s:i}", "likelihood", (int)s.likelihood, "impact",
                              (int)s.impact, "score", (int)s.score, "text", core_text_or_none(t),
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
    Py_XDECREF(d);
    return NULL;
}

/* a risk's fields: its scores, and its text fields (named by the core) */
static PyObject *core_risk_set_field(PyObject *self, void *part, size_t i, const char *field,
                                     PyObject *value)
{
    pb_register *g = part;
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
                if (!core_text_arg(value, &t, &n, 0))
                    return NULL;
                st = pb_risk_set_score_text(g, (size_t)i, (pb_score_kind)k, t, (size_t)n, &err);
            }
            return core_error_or_none(self, st, &err);
        }
    for (int f = 0; f < PB_RISK_FIELD_COUNT; f++)
        if (!strcmp(field, pb_risk_field_name((pb_risk_field)f))) {
            core_text_value v;
            if (!core_text_value_arg(value, &v, 1))
                return NULL;
            pb_status rc = pb_risk_set_text(g, (size_t)i, (pb_risk_field)f, v.s, v.n, &v.err);
            return core_error_or_none(self, rc, &v.err);
        }
    return PyErr_Format(PyExc_KeyError, "unknown risk field '%s'", field);
}

/* ========================================================= the part */

CORE_PART_ADAPTERS(register, pb_plan_register, pb_plan_add_register, pb_register_count,
                   pb_register_find, pb_register_remove)

static int64_t core_risk_new(void *g, uint32_t parent, const char *id, size_t n, pb_error *err)
{
    (void)parent; /* risks do not nest */
    return pb_register_add(g, id, n, err);
}

const core_part core_part_risks = {
    .name = "risks", .what = "risk register", .member = "risk", .core_checks_remove = 1,
    .count = pb_plan_register_count, .at = core_register_nth, .find = pb_plan_find_register,
    .add = core_register_new, .remove = pb_plan_remove_register, .get = core_register_dict,
    .set = core_register_set_other,
    .member_count = core_register_members, .member_find = core_register_member_find,
    .member_remove = core_register_member_delete, .member_get = core_risk_dict,
    .member_add = core_risk_new, .member_set = core_risk_set_field,
};


PyMethodDef core_risk_methods[] = {
    {NULL, NULL, 0, NULL}};
