/* _coreindicators.c - the indicator sets of planbook._core and their
 * measures.  A set is a part (core_part_indicators, its members the
 * measures); what only indicators have is here.
 *
 * Indices in, plain values out, as for budget tables: a cell crosses as a
 * tuple (status, value scaled by 10**6 or None, decimals, flags, note);
 * statuses of a whole set cross as bytes of codes, one per measure (and
 * period), so that a dashboard of a million observations costs a few
 * allocations, not a million objects. */
#define PB_PLATFORM_PAGES 1 /* pb_advise_huge */
#include "_core.h"

static const char *const core_indset_fields[PB_INDSET_FIELD_COUNT] = {
    "title", "framework", "reporting", "as_of", "note", "basis"};
static const char *const core_measure_fields[PB_IND_FIELD_COUNT] = {
    "ref", "name", "group", "objective", "owner", "framework", "definition", "footnote"};

static pb_indset *core_indset_at(PyObject *self, Py_ssize_t si)
{
    return core_part_at(self, &core_part_indicators, si);
}

static int core_measure_check(pb_indset *s, Py_ssize_t i)
{
    return core_member_check(&core_part_indicators, s, i);
}

static int core_period_check(pb_indset *s, Py_ssize_t k)
{
    return core_index_check(k, pb_indset_period_count(s), "period");
}

static PyObject *core_obs_tuple(const pb_indset *s, const pb_obs *o)
{
    PyObject *v;
    if (pb_obs_has_value((pb_obs_status)o->status))
        v = PyLong_FromLongLong(o->value);
    else
        v = Py_NewRef(Py_None);
    if (!v)
        return NULL;
    const char *note = pb_indset_string(s, o->note);
    return Py_BuildValue("(sNiiN)", pb_obs_status_name((pb_obs_status)o->status), v,
                         (int)o->decimals, (int)o->flags,
                         PyUnicode_DecodeUTF8(note, (Py_ssize_t)strlen(note), "replace"));
}

/* The set's periods as canonical text, a new list. */
static PyObject *core_indset_periods_list(PyObject *self, pb_indset *s)
{
    size_t np = pb_indset_period_count(s);
    PyObject *periods = PyList_New((Py_ssize_t)np);
    for (size_t k = 0; periods && k < np; k++) {
        PyObject *t = core_period_text(PLAN(self), pb_indset_period(s, k));
        if (!t) {
            Py_CLEAR(periods);
            break;
        }
        PyList_SetItem(periods, (Py_ssize_t)k, t);
    }
    return periods;
}

/* ind_periods(si) -> [period text, ...]: the periods alone (ind_get also
 * works out the report period, which reads every measure) */
static PyObject *core_indset_periods(PyObject *self, PyObject *arg)
{
    pb_indset *s = core_part_arg(self, &core_part_indicators, arg);
    return s ? core_indset_periods_list(self, s) : NULL;
}

static PyObject *core_indset_dict(PyObject *self, void *part)
{
    pb_indset *s = part;
    static const char *const dirs[3] = {"previous", "year_ago", "outturn"};
    size_t nc = pb_indset_comparator_count(s);
    PyObject *periods = core_indset_periods_list(self, s), *comps = PyList_New((Py_ssize_t)nc);
    if (!periods || !comps)
        goto fail;
    for (size_t c = 0; c < nc; c++) {
        PyObject *t = Py_BuildValue("(NN)", core_text_or_none(pb_indset_comparator_id(s, c)),
                                    core_text_or_none(pb_indset_comparator_name(s, c)));
        if (!t)
            goto fail;
        PyList_SetItem(comps, (Py_ssize_t)c, t);
    }
    uint32_t latest = pb_indset_latest(s), rep = pb_indset_report_period(s);
    uint32_t line, col;
    pb_indset_source(s, &line, &col);
    return Py_BuildValue(
        "{s:N,s:N,s:N,s:N,s:N,s:N,s:N,s:N,s:N,s:s,s:O,s:N,s:N,s:n,s:K,s:I,s:I}", "id",
        core_text_or_none(pb_indset_id(s)), "title", core_text_or_none(pb_indset_text(s, PB_INDSET_TITLE)),
        "framework", core_text_or_none(pb_indset_text(s, PB_INDSET_FRAMEWORK)), "reporting",
        core_text_or_none(pb_indset_text(s, PB_INDSET_REPORTING)), "as_of",
        core_text_or_none(pb_indset_text(s, PB_INDSET_AS_OF)), "note",
        core_text_or_none(pb_indset_text(s, PB_INDSET_NOTE)), "basis",
        core_text_or_none(pb_indset_text(s, PB_INDSET_BASIS)), "latest",
        latest == PB_NONE ? Py_NewRef(Py_None) : PyLong_FromUnsignedLong(latest),
        "report_period", rep == PB_NONE ? Py_NewRef(Py_None) : PyLong_FromUnsignedLong(rep),
        "direction", dirs[pb_indset_direction(s)], "cumulative",
        pb_indset_cumulative(s) ? Py_True : Py_False, "periods", periods, "comparators", comps,
        "count", (Py_ssize_t)pb_indset_count(s), "layout",
        (unsigned long long)pb_indset_layout(s), "line", line, "col", col);
fail:
    Py_XDECREF(periods);
    Py_XDECREF(comps);
    return NULL;
}

static PyObject *core_indset_footnotes(PyObject *self, PyObject *arg)
{
    pb_indset *s = core_part_arg(self, &core_part_indicators, arg);
    if (!s)
        return NULL;
    size_t nf = pb_indset_footnote_count(s);
    PyObject *foot = PyList_New((Py_ssize_t)nf);
    for (size_t k = 0; foot && k < nf; k++) {
        PyObject *t = Py_BuildValue("(NN)", core_text_or_none(pb_indset_footnote_mark(s, k)),
                                    core_text_or_none(pb_indset_footnote_text(s, k)));
        if (!t) {
            Py_CLEAR(foot);
            break;
        }
        PyList_SetItem(foot, (Py_ssize_t)k, t);
    }
    return foot;
}

static int core_period_arg(PyObject *self, PyObject *v, pb_period *p)
{
    const char *s;
    Py_ssize_t n;
    if (!core_text_arg(v, &s, &n, 0))
        return 0;
    pb_error err;
    pb_error_clear(&err);
    if (pb_period_parse(s, (size_t)n, pb_plan_year_start(PLAN(self)), p, &err)) {
        core_error_model(self, &err);
        return 0;
    }
    return 1;
}

/* the fields of a set that are not text */
static PyObject *core_indset_set_other(PyObject *self, void *part, const char *field,
                                       PyObject *value)
{
    pb_indset *s = part;
    pb_error err;
    pb_error_clear(&err);
    if (!strcmp(field, "direction")) {
        const char *t;
        Py_ssize_t n;
        if (!core_text_arg(value, &t, &n, 0))
            return NULL;
        if (!strcmp(t, "previous"))
            pb_indset_set_direction(s, PB_DIR_PREVIOUS);
        else if (!strcmp(t, "year_ago"))
            pb_indset_set_direction(s, PB_DIR_YEAR_AGO);
        else if (!strcmp(t, "outturn"))
            pb_indset_set_direction(s, PB_DIR_OUTTURN);
        else
            return PyErr_Format(PyExc_ValueError,
                                "direction is 'previous', 'year_ago' or 'outturn'");
        Py_RETURN_NONE;
    }
    if (!strcmp(field, "cumulative")) {
        int b = PyObject_IsTrue(value);
        if (b < 0)
            return NULL;
        pb_indset_set_cumulative(s, b);
        Py_RETURN_NONE;
    }
    if (!strcmp(field, "latest") || !strcmp(field, "add_period")) {
        pb_period p;
        int64_t k = PB_NONE;
        if (value != Py_None) {
            if (!core_period_arg(self, value, &p))
                return NULL;
            if (!strcmp(field, "add_period")) {
                k = pb_indset_add_period(s, p, &err);
                if (k < 0)
                    return core_error_model(self, &err);
                return PyLong_FromLongLong(k);
            }
            k = pb_indset_find_period(s, p);
            if (k < 0)
                return PyErr_Format(PyExc_KeyError, "%R is not a period of the set", value);
        } else if (!strcmp(field, "add_period"))
            return PyErr_Format(PyExc_TypeError, "a period is needed");
        return core_error_or_none(self, pb_indset_set_latest(s, (uint32_t)k, &err), &err);
    }
    if (!strcmp(field, "add_comparator") || !strcmp(field, "add_footnote")) {
        PyObject *a, *b;
        if (!PyArg_ParseTuple(value, "OO", &a, &b))
            return NULL;
        const char *x, *y;
        Py_ssize_t xn, yn;
        if (!core_text_arg(a, &x, &xn, 0) || !core_text_arg(b, &y, &yn, 1))
            return NULL;
        if (field[4] == 'c') {
            int64_t k = pb_indset_add_comparator(s, x, (size_t)xn, y, (size_t)yn, &err);
            if (k < 0)
                return core_error_model(self, &err);
            return PyLong_FromLongLong(k);
        }
        pb_status rc = pb_indset_add_footnote(s, x, (size_t)xn, y, (size_t)yn, &err);
        return core_error_or_none(self, rc, &err);
    }
    return PyErr_Format(PyExc_KeyError, "unknown indicator set field '%s'", field);
}

static PyObject *core_measure_series(pb_indset *s, uint32_t series, size_t i)
{
    size_t np = pb_indset_period_count(s);
    PyObject *l = PyList_New((Py_ssize_t)np);
    for (size_t k = 0; l && k < np; k++) {
        PyObject *t = core_obs_tuple(s, pb_ind_cell(s, series, i, k));
        if (!t) {
            Py_CLEAR(l);
            break;
        }
        PyList_SetItem(l, (Py_ssize_t)k, t);
    }
    return l;
}

static PyObject *core_measure_dict(PyObject *self, void *part, size_t m)
{
    (void)self;
    pb_indset *s = part;
    Py_ssize_t i = (Py_ssize_t)m;
    size_t nc = pb_indset_comparator_count(s), nm = pb_ind_milestone_count(s, (size_t)i);
    PyObject *d = PyDict_New();
    if (!d)
        return NULL;
    const char *texts[PB_IND_FIELD_COUNT];
    for (int f = 0; f < PB_IND_FIELD_COUNT; f++)
        texts[f] = pb_ind_text(s, (size_t)i, (pb_ind_field)f);
    if (!core_dict_put_texts(d, core_measure_fields, texts, PB_IND_FIELD_COUNT))
        goto fail;
    uint32_t parent = pb_ind_parent(s, (size_t)i);
    int dec = pb_ind_decimals(s, (size_t)i), cum = pb_ind_cumulative_setting(s, (size_t)i);
    uint32_t line, col;
    pb_ind_source(s, (size_t)i, &line, &col);
    PyObject *thr = PyList_New(3), *comp = PyDict_New(), *miles = PyList_New((Py_ssize_t)nm),
             *printed = PyDict_New();
    PyObject *values = core_measure_series(s, PB_SERIES_VALUE, (size_t)i);
    PyObject *targets = core_measure_series(s, PB_SERIES_TARGET, (size_t)i);
    int ok = thr && comp && miles && printed && values && targets;
    for (int l = 0; ok && l < 3; l++) {
        PyObject *t = core_obs_tuple(s, pb_ind_threshold(s, (size_t)i, (pb_level)l));
        if (!t)
            ok = 0;
        else
            PyList_SetItem(thr, l, t);
    }
    for (size_t c = 0; ok && c < nc; c++) {
        PyObject *l = core_measure_series(s, PB_SERIES_COMPARATOR(c), (size_t)i);
        ok = l && PyDict_SetItemString(comp, pb_indset_comparator_id(s, c), l) == 0;
        Py_XDECREF(l);
    }
    for (size_t k = 0; ok && k < nm; k++) {
        PyObject *t = Py_BuildValue("(iNN)", (int)pb_ind_milestone_due(s, (size_t)i, k),
                                    core_text_or_none(pb_ind_milestone_text(s, (size_t)i, k)),
                                    core_obs_tuple(s, pb_ind_milestone_target(s, (size_t)i, k)));
        if (!t)
            ok = 0;
        else
            PyList_SetItem(miles, (Py_ssize_t)k, t);
    }
    for (uint32_t key = 0; ok && key < 2 + nc; key++) {
        pb_arrow a = pb_ind_printed(s, (size_t)i, key);
        if (a == PB_ARROW_NONE)
            continue;
        const char *k = key == PB_PRINTED_LAST     ? "last"
                        : key == PB_PRINTED_TARGET ? "target"
                                                   : pb_indset_comparator_id(s, key - 2);
        ok = core_dict_put_text(printed, k, pb_arrow_name(a));
    }
    if (ok) {
        PyObject *rest = Py_BuildValue(
            "{s:N,s:s,s:L,s:N,s:s,s:s,s:N,s:O,s:i,s:O,s:O,s:O,s:O,s:O,s:O,s:I,s:I}", "parent",
            parent == PB_NONE ? Py_NewRef(Py_None) : PyLong_FromUnsignedLong(parent), "unit",
            pb_unit_name(pb_ind_unit(s, (size_t)i)), "per",
            (long long)pb_ind_per(s, (size_t)i), "decimals",
            dec < 0 ? Py_NewRef(Py_None) : PyLong_FromLong(dec), "polarity",
            pb_polarity_name(pb_ind_polarity(s, (size_t)i)), "role",
            pb_ind_role_name(pb_ind_role_of(s, (size_t)i)), "cumulative_setting",
            cum < 0 ? Py_NewRef(Py_None) : PyBool_FromLong(cum), "cumulative",
            pb_ind_cumulative(s, (size_t)i) ? Py_True : Py_False, "threshold_state",
            pb_ind_threshold_state(s, (size_t)i), "thresholds", thr, "values", values,
            "targets", targets, "compare", comp, "milestones", miles, "printed", printed,
            "line", line, "col", col);
        ok = rest && PyDict_Update(d, rest) == 0;
        Py_XDECREF(rest);
    }
    Py_XDECREF(thr);
    Py_XDECREF(comp);
    Py_XDECREF(miles);
    Py_XDECREF(printed);
    Py_XDECREF(values);
    Py_XDECREF(targets);
    if (ok)
        return d;
fail:
    Py_DECREF(d);
    return NULL;
}

/* the fields of a measure that are not text */
static PyObject *core_measure_set_other(PyObject *self, void *part, size_t i, const char *field,
                                        PyObject *value)
{
    pb_indset *s = part;
    pb_error err;
    pb_error_clear(&err);
    if (!strcmp(field, "unit") || !strcmp(field, "polarity") || !strcmp(field, "role")) {
        core_text_value t;
        if (!core_text_value_arg(value, &t, 0))
            return NULL;
        int v = field[0] == 'u'   ? pb_unit_from_name(t.s, t.n)
                : field[0] == 'p' ? pb_polarity_from_name(t.s, t.n)
                                  : pb_ind_role_from_name(t.s, t.n);
        if (v < 0)
            return PyErr_Format(PyExc_ValueError, "unknown %s %R", field, value);
        if (field[0] == 'u')
            pb_ind_set_unit(s, (size_t)i, (pb_unit)v);
        else if (field[0] == 'p')
            pb_ind_set_polarity(s, (size_t)i, (pb_polarity)v);
        else {
            if ((pb_ind_parent(s, (size_t)i) != PB_NONE) != (v != PB_IND_MEASURE))
                return PyErr_Format(PyExc_ValueError,
                                    "a measure's role is 'measure'; a companion's numerator, "
                                    "denominator or count");
            pb_ind_set_role(s, (size_t)i, (pb_ind_role)v);
        }
        Py_RETURN_NONE;
    }
    if (!strcmp(field, "per") || !strcmp(field, "decimals")) {
        long long v = -1;
        if (value != Py_None) {
            v = PyLong_AsLongLong(value);
            if (v == -1 && PyErr_Occurred())
                return NULL;
        } else if (field[0] == 'p')
            v = 0;
        pb_status st = field[0] == 'p' ? pb_ind_set_per(s, (size_t)i, v, &err)
                       : (v < -1 || v > PB_OBS_SCALE)
                           ? pb_error_set(&err, PB_ERR_RANGE, "decimals are 0 to 6")
                           : pb_ind_set_decimals(s, (size_t)i, (int)v, &err);
        return core_error_or_none(self, st, &err);
    }
    if (!strcmp(field, "cumulative")) {
        int b = -1;
        if (value != Py_None && (b = PyObject_IsTrue(value)) < 0)
            return NULL;
        pb_ind_set_cumulative(s, (size_t)i, b);
        Py_RETURN_NONE;
    }
    if (!strcmp(field, "thresholds")) {
        if (value == Py_None)
            pb_ind_set_threshold_state(s, (size_t)i, 0);
        else if (PyUnicode_Check(value) &&
                 PyUnicode_CompareWithASCIIString(value, "not available") == 0)
            pb_ind_set_threshold_state(s, (size_t)i, 2);
        else
            return PyErr_Format(PyExc_ValueError,
                                "set thresholds level by level, or to None or 'not available'");
        Py_RETURN_NONE;
    }
    return PyErr_Format(PyExc_KeyError, "unknown measure field '%s'", field);
}

/* (status, value scaled by 10**6 or None, decimals, flags, note or None)
 * -> a cell and its note.  Returns 0 with an exception set. */
/* An observation as the core takes it: its value and its note (NULL, 0 for none) */
typedef struct core_obs_arg {
    pb_obs o;
    const char *note;
    size_t nlen;
} core_obs_arg;

static int core_obs_from_tuple(PyObject *t, core_obs_arg *a)
{
    const char *status;
    PyObject *value;
    int decimals, flags;
    Py_ssize_t nl = 0;
    pb_obs *o = &a->o;
    a->note = NULL;
    if (!PyArg_ParseTuple(t, "sOiiz#", &status, &value, &decimals, &flags, &a->note, &nl))
        return 0;
    a->nlen = a->note ? (size_t)nl : 0;
    int sc = pb_obs_status_from_name(status, strlen(status));
    if (sc < 0) {
        PyErr_Format(PyExc_ValueError, "unknown status '%s'", status);
        return 0;
    }
    memset(o, 0, sizeof *o);
    o->status = (uint8_t)sc;
    if (value != Py_None) {
        int over = 0;
        o->value = PyLong_AsLongLongAndOverflow(value, &over);
        if (over) {
            PyErr_Format(PyExc_OverflowError, "a figure is too large");
            return 0;
        }
        if (o->value == -1 && PyErr_Occurred())
            return 0;
    } else if (pb_obs_has_value((pb_obs_status)sc)) {
        PyErr_Format(PyExc_ValueError, "status '%s' needs a value", status);
        return 0;
    }
    if (decimals < 0 || decimals > PB_OBS_SCALE || flags < 0 || flags > 3) {
        PyErr_Format(PyExc_ValueError, "decimals 0-6 and flags 0-3");
        return 0;
    }
    o->decimals = (int8_t)decimals;
    o->flags = (uint8_t)flags;
    return 1;
}

static PyObject *core_measure_cell_set(PyObject *self, PyObject *args)
{
    Py_ssize_t si, i, k;
    unsigned int series;
    PyObject *text;
    if (!PyArg_ParseTuple(args, "nInnO", &si, &series, &i, &k, &text))
        return NULL;
    pb_indset *s = core_indset_at(self, si);
    if (!s || !core_measure_check(s, i) || !core_period_check(s, k))
        return NULL;
    if (series >= 2 + pb_indset_comparator_count(s))
        return PyErr_Format(PyExc_IndexError, "no series %u", series);
    pb_error err;
    pb_error_clear(&err);
    pb_status st;
    if (PyTuple_Check(text)) {
        core_obs_arg a;
        if (!core_obs_from_tuple(text, &a))
            return NULL;
        st = pb_ind_set_cell(s, series, (size_t)i, (size_t)k, &a.o, a.note, a.nlen, &err);
    } else {
        const char *t;
        Py_ssize_t n;
        if (!core_text_arg(text, &t, &n, 0))
            return NULL;
        st = pb_ind_set_cell_text(s, series, (size_t)i, (size_t)k, t, (size_t)n, &err);
    }
    if (st)
        return core_error_raise(core_state_of(self), PB_KIND_VALIDATION, &err, NULL);
    Py_RETURN_NONE;
}

static PyObject *core_measure_threshold_set(PyObject *self, PyObject *args)
{
    Py_ssize_t si, i;
    int level;
    PyObject *text;
    if (!PyArg_ParseTuple(args, "nniO", &si, &i, &level, &text))
        return NULL;
    pb_indset *s = core_indset_at(self, si);
    const char *t;
    Py_ssize_t n;
    if (!s || !core_measure_check(s, i) || !core_text_arg(text, &t, &n, 0))
        return NULL;
    if (level < 0 || level > 2)
        return PyErr_Format(PyExc_IndexError, "no threshold level %d", level);
    pb_error err;
    pb_error_clear(&err);
    pb_status rc = pb_ind_set_threshold(s, (size_t)i, (pb_level)level, t, (size_t)n, &err);
    return core_error_or_none(self, rc, &err);
}

static PyObject *core_measure_milestone_add(PyObject *self, PyObject *args)
{
    Py_ssize_t si, i;
    PyObject *due, *target;
    if (!PyArg_ParseTuple(args, "nnOO", &si, &i, &due, &target))
        return NULL;
    pb_indset *s = core_indset_at(self, si);
    const char *d, *t;
    Py_ssize_t dn, tn;
    if (!s || !core_measure_check(s, i) || !core_text_arg(due, &d, &dn, 0))
        return NULL;
    pb_error err;
    pb_error_clear(&err);
    if (PyTuple_Check(target)) {
        core_obs_arg a;
        if (!core_obs_from_tuple(target, &a))
            return NULL;
        pb_status rc = pb_ind_add_milestone_cell(s, (size_t)i, d, (size_t)dn, &a.o, a.note,
                                                 a.nlen, &err);
        return core_error_or_none(self, rc, &err);
    }
    if (!core_text_arg(target, &t, &tn, 0))
        return NULL;
    pb_status rc = pb_ind_add_milestone(s, (size_t)i, d, (size_t)dn, t, (size_t)tn, &err);
    return core_error_or_none(self, rc, &err);
}

static PyObject *core_measure_printed_set(PyObject *self, PyObject *args)
{
    Py_ssize_t si, i;
    const char *key, *arrow;
    if (!PyArg_ParseTuple(args, "nnss", &si, &i, &key, &arrow))
        return NULL;
    pb_indset *s = core_indset_at(self, si);
    if (!s || !core_measure_check(s, i))
        return NULL;
    uint32_t k;
    if (!strcmp(key, "last"))
        k = PB_PRINTED_LAST;
    else if (!strcmp(key, "target"))
        k = PB_PRINTED_TARGET;
    else {
        int64_t c = pb_indset_find_comparator(s, key, strlen(key));
        if (c < 0)
            return PyErr_Format(PyExc_KeyError, "'%s' is not last, target or a comparator", key);
        k = PB_PRINTED_COMPARATOR(c);
    }
    int a = pb_arrow_from_name(arrow, strlen(arrow));
    if (a < 0)
        return PyErr_Format(PyExc_ValueError, "'%s' is not up, down, same, not available or "
                            "not applicable", arrow);
    pb_error err;
    pb_error_clear(&err);
    return core_error_or_none(self, pb_ind_set_printed(s, (size_t)i, k, (pb_arrow)a, &err), &err);
}

/* The refs of every series in order (a companion's: its measure's). */
static PyObject *core_indset_refs(PyObject *self, PyObject *arg)
{
    pb_indset *s = core_part_arg(self, &core_part_indicators, arg);
    if (!s)
        return NULL;
    size_t n = pb_indset_count(s);
    PyObject *list = PyList_New((Py_ssize_t)n), *last = NULL;
    for (size_t i = 0; list && i < n; i++) {
        if (pb_ind_parent(s, i) == PB_NONE || !last) {
            uint32_t m = pb_ind_parent(s, i) == PB_NONE ? (uint32_t)i : pb_ind_parent(s, i);
            PyObject *r = core_text_or_none(pb_ind_text(s, m, PB_IND_REF));
            if (!r) {
                Py_CLEAR(list);
                break;
            }
            pbpy_xsetref(&last, r);
        }
        PyList_SetItem(list, (Py_ssize_t)i, Py_NewRef(last));
    }
    Py_XDECREF(last);
    return list;
}

/* The bytes of codes of status_all: one bytes object holding every array
 * asked for (nb of them, total bytes each), handed out as read-only
 * memoryview slices.  One allocation instead of one per array, and, when
 * they come to a huge page or more, laid out from a huge-page boundary
 * inside the bytes and advised so (pb_advise_huge: the memory is fresh
 * and this call's own): the pass then takes a handful of page faults
 * instead of one per 4 KiB (about 0.9 ms of page faults for 3 MB).  The
 * bytes is that much longer (a huge page, never touched, so never
 * resident); what the slices show starts at *base. */
static PyObject *core_codes_buffer(size_t nb, size_t total, uint8_t **base)
{
    const size_t need = nb * total, hp = pb_huge_page_size();
    const size_t span = hp && need >= hp ? (need + hp - 1) / hp * hp : 0;
    /* the bytes' header and its closing NUL lie outside [off, off + span) */
    PyObject *buf = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(span ? span + hp : need));
    if (!buf)
        return NULL;
    uint8_t *p = (uint8_t *)PyBytes_AsString(buf);
    size_t off = 0;
    if (span) {
        off = (size_t)(hp - (size_t)((uintptr_t)p % hp)) % hp;
        pb_advise_huge(p + off, span);
    }
    *base = p + off;
    PyObject *mv = PyMemoryView_FromObject(buf);
    Py_DECREF(buf);
    if (mv && off) { /* the slices below are of mv: offsets from *base */
        PyObject *sl = PySequence_GetSlice(mv, (Py_ssize_t)off, (Py_ssize_t)(off + need));
        Py_DECREF(mv);
        mv = sl;
    }
    return mv;
}

/* Array j (of total bytes) of a codes buffer, as a memoryview. */
static PyObject *core_codes_slice(PyObject *mv, size_t j, size_t total)
{
    return PySequence_GetSlice(mv, (Py_ssize_t)(j * total), (Py_ssize_t)((j + 1) * total));
}

/* Every measure at every period, measure-major (i * periods + k), in one
 * pass of the core (pb_indset_status_codes). */
static PyObject *core_indset_status_all(PyObject *self, pb_indset *s, PyObject *aspects)
{
    size_t n = pb_indset_count(s), np = pb_indset_period_count(s), nc = pb_indset_comparator_count(s);
    size_t total = n * np;
    static const char *const names[7] = {"rag", "basis", "last", "previous", "year_ago",
                                         "outturn", "target"};
    PyObject *cols[7] = {NULL}, *comp = PyList_New((Py_ssize_t)nc), *res = NULL, *mv = NULL;
    uint8_t **cp = PyMem_Malloc((nc ? nc : 1) * sizeof *cp);
    uint8_t *col[7] = {NULL};
    int ok = comp && cp, want_comp = 1;
    int want[7] = {1, 1, 1, 1, 1, 1, 1};
    if (aspects && aspects != Py_None) {
        /* only the aspects named (a tuple of names), the others None */
        if (!PyTuple_Check(aspects)) {
            PyErr_SetString(PyExc_TypeError, "aspects is a tuple of names");
            ok = 0;
        }
        want_comp = 0;
        for (int c = 0; ok && c < 7; c++) {
            want[c] = 0;
            for (Py_ssize_t q = 0; q < PyTuple_Size(aspects); q++) {
                PyObject *a = PyTuple_GetItem(aspects, q);
                if (PyUnicode_Check(a) && PyUnicode_CompareWithASCIIString(a, names[c]) == 0)
                    want[c] = 1;
            }
        }
        for (Py_ssize_t q = 0; ok && q < PyTuple_Size(aspects); q++) {
            PyObject *a = PyTuple_GetItem(aspects, q);
            if (PyUnicode_Check(a) && PyUnicode_CompareWithASCIIString(a, "comparators") == 0)
                want_comp = 1;
        }
    }
    /* "last" is one of previous, year_ago, outturn by the set's rule: when
     * that one is asked for too, both names share its bytes (written once) */
    pb_direction_rule dir = pb_indset_direction(s);
    int last_of = dir == PB_DIR_YEAR_AGO ? 4 : dir == PB_DIR_OUTTURN ? 5 : 3;
    int share_last = want[2] && want[last_of];
    size_t nb = 0, slot[7] = {0};
    for (int c = 0; c < 7; c++)
        if (want[c] && !(c == 2 && share_last))
            slot[c] = nb++;
    const size_t comp_at = nb;
    if (want_comp)
        nb += nc;
    uint8_t *base = NULL;
    if (ok)
        ok = (mv = core_codes_buffer(nb, total, &base)) != NULL;
    for (int c = 0; ok && c < 7; c++) {
        if (c == 2 && share_last)
            continue;
        if (!want[c])
            cols[c] = Py_NewRef(Py_None);
        else {
            cols[c] = core_codes_slice(mv, slot[c], total);
            col[c] = base + slot[c] * total;
        }
        ok = cols[c] != NULL;
    }
    if (ok && share_last) {
        cols[2] = Py_NewRef(cols[last_of]);
        col[2] = col[last_of];
    }
    for (size_t c = 0; ok && c < nc; c++) {
        PyObject *b = want_comp ? core_codes_slice(mv, comp_at + c, total) : Py_NewRef(Py_None);
        cp[c] = want_comp ? base + (comp_at + c) * total : NULL;
        if (!b)
            ok = 0;
        else
            PyList_SetItem(comp, (Py_ssize_t)c, b);
    }
    if (ok) {
        pb_status_codes out;
        out.rag = col[0];
        out.basis = col[1];
        out.last = share_last ? NULL : col[2];
        out.previous = col[3];
        out.year_ago = col[4];
        out.outturn = col[5];
        out.target = col[6];
        out.comparators = nc && want_comp ? cp : NULL;
        pb_error err;
        pb_error_clear(&err);
        /* the guard holds the plan for this call (_coreguard.c); the
         * bytes written are this call's own */
        pb_status rc;
        CORE_BEGIN_UNLOCKED(self)
        rc = pb_indset_status_codes(s, &out, &err);
        CORE_END_UNLOCKED(self)
        if (rc)
            core_error_model(self, &err);
        else
            res = Py_BuildValue("{s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:[],s:[],s:s,s:N}", names[0],
                                cols[0], names[1], cols[1], names[2], cols[2], names[3], cols[3],
                                names[4], cols[4], names[5], cols[5], names[6], cols[6],
                                "comparators", comp, "target_value", "last_period", "layout",
                                "measure-major", "set_basis",
                                core_text_or_none(pb_indset_text(s, PB_INDSET_BASIS)));
    }
    for (int c = 0; c < 7; c++)
        Py_XDECREF(cols[c]);
    Py_XDECREF(comp);
    Py_XDECREF(mv);
    PyMem_Free(cp);
    return res;
}

/* Statuses as bytes of codes.  k < 0: every period, measure-major per
 * period block (period 0's measures, then period 1's, ...). */
static PyObject *core_indset_status(PyObject *self, PyObject *args)
{
    Py_ssize_t si, k;
    PyObject *aspects = NULL;
    if (!PyArg_ParseTuple(args, "nn|O", &si, &k, &aspects))
        return NULL;
    pb_indset *s = core_indset_at(self, si);
    if (!s)
        return NULL;
    size_t n = pb_indset_count(s), np = pb_indset_period_count(s);
    size_t k0 = 0, k1 = np;
    if (k < 0)
        return core_indset_status_all(self, s, aspects);
    if (k >= 0) {
        if (!core_period_check(s, k))
            return NULL;
        k0 = (size_t)k;
        k1 = k0 + 1;
    }
    size_t total = n * (k1 - k0), nc = pb_indset_comparator_count(s);
    enum { RAG, BASIS, LAST, PREV, YAGO, OUT, TGT, NCOLS };
    PyObject *cols[NCOLS] = {NULL};
    PyObject *comp = PyList_New((Py_ssize_t)nc);
    PyObject *tv = PyList_New(0), *lp = PyList_New(0);
    pb_ind_status *buf = PyMem_Malloc((n ? n : 1) * sizeof *buf);
    int ok = comp && tv && lp && buf;
    for (int c = 0; ok && c < NCOLS; c++)
        ok = (cols[c] = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)total)) != NULL;
    for (size_t c = 0; ok && c < nc; c++) {
        PyObject *b = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)total);
        if (!b)
            ok = 0;
        else
            PyList_SetItem(comp, (Py_ssize_t)c, b);
    }
    pb_error err;
    pb_error_clear(&err);
    for (size_t kk = k0; ok && kk < k1; kk++) {
        if (pb_indset_status(s, kk, buf, &err)) {
            core_error_model(self, &err);
            ok = 0;
            break;
        }
        size_t base = (kk - k0) * n;
        char *p[NCOLS];
        for (int c = 0; c < NCOLS; c++)
            p[c] = PyBytes_AsString(cols[c]) + base;
        for (size_t i = 0; i < n; i++) {
            const pb_ind_status *st = &buf[i];
            p[RAG][i] = (char)st->rag;
            p[BASIS][i] = (char)st->rag_basis;
            p[LAST][i] = (char)st->last;
            p[PREV][i] = (char)st->previous;
            p[YAGO][i] = (char)st->year_ago;
            p[OUT][i] = (char)st->outturn;
            p[TGT][i] = (char)st->target;
        }
        for (size_t c = 0; c < nc; c++) {
            char *q = PyBytes_AsString(PyList_GetItem(comp, (Py_ssize_t)c)) + base;
            for (size_t i = 0; i < n; i++) {
                pb_why why;
                q[i] = (char)pb_ind_compare(s, i, kk, c, &why);
            }
        }
        if (k >= 0) {
            /* one period: the target figures and the period "last" compares
             * with (None where it compares with nothing) */
            pb_direction_rule rule = pb_indset_direction(s);
            for (size_t i = 0; ok && i < n; i++) {
                uint32_t q = rule == PB_DIR_YEAR_AGO  ? buf[i].year_ago_period
                             : rule == PB_DIR_OUTTURN ? buf[i].outturn_period
                                                      : buf[i].previous_period;
                PyObject *v = q == PB_NONE || buf[i].last_why == PB_WHY_NOT_LIKE_FOR_LIKE
                                  ? Py_NewRef(Py_None)
                                  : PyLong_FromUnsignedLong(q);
                ok = v && PyList_Append(lp, v) == 0;
                Py_XDECREF(v);
            }
            for (size_t i = 0; ok && i < n; i++) {
                PyObject *v = buf[i].target_why == PB_WHY_OK || buf[i].target != PB_CMP_NONE ||
                                      buf[i].rag_basis == 2
                                  ? PyLong_FromLongLong(buf[i].target_value)
                                  : Py_NewRef(Py_None);
                ok = v && PyList_Append(tv, v) == 0;
                Py_XDECREF(v);
            }
        }
    }
    PyMem_Free(buf);
    PyObject *res = NULL;
    if (ok)
        res = Py_BuildValue("{s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:O}", "rag", cols[RAG],
                            "basis", cols[BASIS], "last", cols[LAST], "previous", cols[PREV],
                            "year_ago", cols[YAGO], "outturn", cols[OUT], "target", cols[TGT],
                            "comparators", comp, "target_value", tv, "last_period", lp);
    for (int c = 0; c < NCOLS; c++)
        Py_XDECREF(cols[c]);
    Py_XDECREF(comp);
    Py_XDECREF(tv);
    Py_XDECREF(lp);
    return res;
}

static PyObject *core_indset_explain(PyObject *self, PyObject *args)
{
    Py_ssize_t si, i, k;
    int aspect;
    if (!PyArg_ParseTuple(args, "nnni", &si, &i, &k, &aspect))
        return NULL;
    pb_indset *s = core_indset_at(self, si);
    if (!s || !core_measure_check(s, i) || !core_period_check(s, k))
        return NULL;
    char buf[512];
    size_t need = pb_ind_explain(s, (size_t)i, (size_t)k, aspect, buf, sizeof buf);
    if (need >= sizeof buf) {
        char *big = PyMem_Malloc(need + 1);
        if (!big)
            return PyErr_NoMemory();
        pb_ind_explain(s, (size_t)i, (size_t)k, aspect, big, need + 1);
        PyObject *r = PyUnicode_DecodeUTF8(big, (Py_ssize_t)strlen(big), "replace");
        PyMem_Free(big);
        return r;
    }
    return PyUnicode_DecodeUTF8(buf, (Py_ssize_t)strlen(buf), "replace");
}

/* ========================================================= the part */

CORE_PART_ADAPTERS(indset, pb_plan_indset, pb_plan_add_indset, pb_indset_count, pb_indset_find,
                   pb_indset_remove)

static pb_status core_measure_set_text(void *s, size_t i, int f, const char *t, size_t n,
                                       pb_error *err)
{
    return pb_ind_set_text(s, i, (pb_ind_field)f, t, n, err);
}

static int64_t core_measure_new(void *s, uint32_t parent, const char *ref, size_t n,
                                pb_error *err)
{
    return pb_indset_add(s, parent, ref, n, err);
}

static pb_status core_indset_set_text(void *s, int f, const char *t, size_t n, pb_error *err)
{
    return pb_indset_set_text(s, (pb_indset_field)f, t, n, err);
}

const core_part core_part_indicators = {
    .name = "indicators", .what = "indicator set", .member = "measure",
    .count = pb_plan_indset_count, .at = core_indset_nth, .find = pb_plan_find_indset,
    .add = core_indset_new, .remove = pb_plan_remove_indset, .get = core_indset_dict,
    .texts = core_indset_fields, .ntexts = PB_INDSET_FIELD_COUNT,
    .set_text = core_indset_set_text, .set = core_indset_set_other,
    .member_count = core_indset_members, .member_find = core_indset_member_find,
    .member_remove = core_indset_member_delete, .member_get = core_measure_dict,
    .member_add = core_measure_new, .members_nest = 1,
    .member_texts = core_measure_fields, .member_ntexts = PB_IND_FIELD_COUNT,
    .member_set_text = core_measure_set_text, .member_set = core_measure_set_other,
};


PyMethodDef core_indicator_methods[] = {
    {"ind_periods", core_indset_periods, METH_O, NULL},
    {"ind_footnotes", core_indset_footnotes, METH_O, NULL},
    {"ind_status", core_indset_status, METH_VARARGS, NULL},
    {"ind_explain", core_indset_explain, METH_VARARGS, NULL},
    {"ind_refs", core_indset_refs, METH_O, NULL},
    {"m_cell_set", core_measure_cell_set, METH_VARARGS, NULL},
    {"m_threshold_set", core_measure_threshold_set, METH_VARARGS, NULL},
    {"m_milestone_add", core_measure_milestone_add, METH_VARARGS, NULL},
    {"m_printed_set", core_measure_printed_set, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}};
