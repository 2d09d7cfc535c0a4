/* _coretables.c - the budget tables of planbook._core: tables, their
 * columns, rows and cells.  A table is a part (core_part_budgets, its
 * members the rows); what only tables have is here. */
#include "_core.h"

const char *const core_cell_state_names[4] = {"blank", "value", "nil", "text"};
static const char *const core_cell_computed_names[] = {"none", "value", "unknown", "overflow"};
static const char *const core_table_fields[] = {"title", "kind", "unit", "note"};
static const char *const core_column_fields[] = {"label", "phase", "measure", "unit"};
static const char *const core_row_kind_names[] = {"line", "section", "total"};

static pb_table *core_table_at(PyObject *self, Py_ssize_t t)
{
    return core_part_at(self, &core_part_budgets, t);
}

static int core_row_check(pb_table *tb, Py_ssize_t r)
{
    return core_member_check(&core_part_budgets, tb, r);
}

static int core_column_check(pb_table *tb, Py_ssize_t c)
{
    return core_index_check(c, pb_table_column_count(tb), "column");
}

/* ============================================================ tables */

static PyObject *core_table_dict(PyObject *self, void *part)
{
    (void)self;
    pb_table *tb = part;
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
    const char *texts[PB_TABLE_FIELD_COUNT];
    for (int f = 0; f < PB_TABLE_FIELD_COUNT; f++)
        texts[f] = pb_table_text(tb, (pb_table_field)f);
    if (d && !core_dict_put_texts(d, core_table_fields, texts, PB_TABLE_FIELD_COUNT))
        Py_CLEAR(d);
    return d;
}

static PyObject *core_table_get(PyObject *self, PyObject *args)
{
    Py_ssize_t t;
    if (!PyArg_ParseTuple(args, "n:table_get", &t))
        return NULL;
    pb_table *tb = core_table_at(self, t);
    return tb ? core_table_dict(self, tb) : NULL;
}

static PyObject *core_table_layout(PyObject *self, PyObject *arg)
{
    pb_table *tb = core_part_arg(self, &core_part_budgets, arg);
    if (!tb)
        return NULL;
    return PyLong_FromUnsignedLongLong(pb_table_layout(tb));
}

/* the fields of a table that are not text */
static PyObject *core_table_set_other(PyObject *self, void *part, const char *field,
                                      PyObject *value)
{
    pb_table *tb = part;
    pb_error err;
    pb_error_clear(&err);
    pb_status st = PB_OK;
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
    return core_error_or_none(self, st, &err);
}

/* =========================================================== columns */

static PyObject *core_column_count(PyObject *self, PyObject *arg)
{
    pb_table *tb = core_part_arg(self, &core_part_budgets, arg);
    return tb ? PyLong_FromSize_t(pb_table_column_count(tb)) : NULL;
}

static PyObject *core_column_get(PyObject *self, PyObject *args)
{
    Py_ssize_t t, c;
    if (!PyArg_ParseTuple(args, "nn:column_get", &t, &c))
        return NULL;
    pb_table *tb = core_table_at(self, t);
    if (!tb || !core_column_check(tb, c))
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
        "period", core_period_text(PLAN(self), pb_column_period(tb, (size_t)c)), "type",
        pb_column_type_of(tb, (size_t)c) == PB_COL_TEXT ? "text" : "amount",
        "decimals", pb_column_decimals(tb, (size_t)c), "own_decimals",
        pb_column_has_decimals(tb, (size_t)c) ? Py_True : Py_False, "sum", terms,
        "equals", eq == PB_NONE ? Py_NewRef(Py_None) : PyLong_FromUnsignedLong(eq),
        "source", line, lc);
    if (!d)
        return NULL;
    char spec[400]; /* pb_calc.h's text form: "" when the column is not computed */
    pb_column_compute_text(tb, (size_t)c, spec, sizeof spec);
    PyObject *cv = spec[0] ? PyUnicode_FromString(spec) : Py_NewRef(Py_None);
    if (!cv || PyDict_SetItemString(d, "compute", cv) < 0) {
        Py_XDECREF(cv);
        Py_DECREF(d);
        return NULL;
    }
    Py_DECREF(cv);
    const char *texts[PB_COLUMN_FIELD_COUNT];
    for (int f = 0; f < PB_COLUMN_FIELD_COUNT; f++)
        texts[f] = pb_column_text(tb, (size_t)c, (pb_column_field)f);
    if (!core_dict_put_texts(d, core_column_fields, texts, PB_COLUMN_FIELD_COUNT))
        Py_CLEAR(d);
    return d;
}

/* (table, id): the table and the id's text (with a cleared error), or NULL
 * with an exception */
static pb_table *core_table_and_id(PyObject *self, PyObject *args, const char *fmt,
                                   core_text_value *v)
{
    Py_ssize_t t;
    PyObject *id;
    if (!PyArg_ParseTuple(args, fmt, &t, &id))
        return NULL;
    pb_table *tb = core_table_at(self, t);
    return tb && core_text_value_arg(id, v, 0) ? tb : NULL;
}

static PyObject *core_column_add(PyObject *self, PyObject *args)
{
    core_text_value v;
    pb_table *tb = core_table_and_id(self, args, "nU:add_column", &v);
    if (!tb)
        return NULL;
    int64_t c = pb_table_add_column(tb, v.s, v.n, &v.err);
    if (c < 0)
        return core_error_model(self, &v.err);
    return PyLong_FromLongLong(c);
}

static PyObject *core_column_find(PyObject *self, PyObject *args)
{
    core_text_value v;
    pb_table *tb = core_table_and_id(self, args, "nU:find_column", &v);
    if (!tb)
        return NULL;
    return PyLong_FromLongLong(pb_table_find_column(tb, v.s, v.n));
}

static PyObject *core_column_set(PyObject *self, PyObject *args)
{
    Py_ssize_t t, c;
    const char *field;
    PyObject *value;
    if (!PyArg_ParseTuple(args, "nnsO:column_set", &t, &c, &field, &value))
        return NULL;
    pb_table *tb = core_table_at(self, t);
    if (!tb || !core_column_check(tb, c))
        return NULL;
    pb_error err;
    pb_error_clear(&err);
    pb_status st = PB_OK;
    for (int f = 0; f < PB_COLUMN_FIELD_COUNT; f++)
        if (!strcmp(field, core_column_fields[f])) {
            const char *s;
            Py_ssize_t n;
            if (!core_text_arg(value, &s, &n, 1))
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
            if (!core_text_arg(value, &s, &n, 0))
                return NULL;
            st = pb_period_parse(s, (size_t)n, pb_plan_year_start(PLAN(self)), &p,
                                 &err);
            if (st)
                return core_error_raise(core_state_of(self), CORE_KIND_VALUE, &err,
                                NULL);
        }
        st = pb_column_set_period(tb, (size_t)c, p, &err);
    } else if (!strcmp(field, "type")) {
        const char *s;
        Py_ssize_t n;
        if (!core_text_arg(value, &s, &n, 0))
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
    } else if (!strcmp(field, "compute")) {
        Py_ssize_t n = 0;
        const char *spec = value == Py_None ? NULL : PyUnicode_AsUTF8AndSize(value, &n);
        if (value != Py_None && !spec)
            return NULL;
        st = pb_column_set_compute(tb, (size_t)c, spec, (size_t)n, &err);
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
    return core_error_or_none(self, st, &err);
}

/* ============================================================== rows */

static PyObject *core_row_tuple(pb_table *tb, size_t r)
{
    uint32_t line, col, parent = pb_row_parent(tb, r);
    pb_row_source(tb, r, &line, &col);
    return Py_BuildValue(
        "(sNNNNssNiO(II)n)", core_row_kind_names[pb_row_kind_of(tb, r)],
        core_text_or_none(pb_row_label(tb, r)), core_text_or_none(pb_row_text(tb, r, PB_ROW_ID)),
        core_text_or_none(pb_row_text(tb, r, PB_ROW_NOTE)),
        core_text_or_none(pb_row_text(tb, r, PB_ROW_SELECT)),
        pb_role_name(pb_row_role(tb, r)), pb_role_name(pb_row_effective_role(tb, r)),
        parent == PB_NONE ? Py_NewRef(Py_None) : PyLong_FromUnsignedLong(parent),
        pb_row_depth(tb, r), pb_row_is_part(tb, r) ? Py_True : Py_False, line, col,
        (Py_ssize_t)pb_table_row_end(tb, r));
}

static PyObject *core_row_insert(PyObject *self, PyObject *args)
{
    Py_ssize_t t, at;
    const char *kind;
    PyObject *parent, *label;
    if (!PyArg_ParseTuple(args, "nnsOO:insert_row", &t, &at, &kind, &parent, &label))
        return NULL;
    pb_table *tb = core_table_at(self, t);
    if (!tb)
        return NULL;
    int k = -1;
    for (int i = 0; i < 3; i++)
        if (!strcmp(kind, core_row_kind_names[i]))
            k = i;
    if (k < 0)
        return PyErr_Format(PyExc_ValueError, "unknown row kind '%s'", kind);
    uint32_t p = PB_NONE;
    if (parent != Py_None) {
        Py_ssize_t pv = PyLong_AsSsize_t(parent);
        if (pv == -1 && PyErr_Occurred())
            return NULL;
        if (!core_row_check(tb, pv))
            return NULL;
        p = (uint32_t)pv;
    }
    const char *s;
    Py_ssize_t n;
    if (!core_text_arg(label, &s, &n, 1))
        return NULL;
    if (at < 0)
        return PyErr_Format(PyExc_IndexError, "no row position %zd", at);
    pb_error err;
    pb_error_clear(&err);
    int64_t r = pb_table_insert_row(tb, (size_t)at, (pb_row_kind)k, p, s, (size_t)n, &err);
    if (r < 0)
        return core_error_model(self, &err);
    return PyLong_FromLongLong(r);
}

/* a row's fields (its label, set apart from its other texts, among them) */
static PyObject *core_row_set_field(PyObject *self, void *part, size_t r, const char *field,
                                    PyObject *value)
{
    pb_table *tb = part;
    pb_error err;
    pb_error_clear(&err);
    pb_status st;
    const char *s;
    Py_ssize_t n;
    if (!strcmp(field, "role")) {
        if (!core_text_arg(value, &s, &n, 0))
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
        if (!core_text_arg(value, &s, &n, 1))
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
    return core_error_or_none(self, st, &err);
}

/* ============================================================= cells */

/* (state, printed, value, computed_state, computed, decimals, line, column)
 * Text cells: printed is the text; value None. */
static PyObject *core_cell_tuple(pb_table *tb, size_t r, size_t c)
{
    uint32_t line, col;
    pb_cell_source(tb, r, c, &line, &col);
    if (pb_row_kind_of(tb, r) == PB_ROW_SECTION)
        return Py_BuildValue("(sOOsOi(II))", "blank", Py_None, Py_None, "none",
                             Py_None, pb_column_decimals(tb, c), line, col);
    if (pb_column_type_of(tb, c) == PB_COL_TEXT) {
        const char *s = pb_cell_text(tb, r, c);
        return Py_BuildValue("(sNOsOi(II))", s ? "text" : "blank", core_text_or_none(s),
                             Py_None, "none", Py_None, 0, line, col);
    }
    pb_amount printed, value, comp;
    pb_cell_state s = pb_cell_get(tb, r, c, &printed);
    pb_cell_value(tb, r, c, &value);
    pb_computed_state cs = pb_cell_computed(tb, r, c, &comp);
    return Py_BuildValue("(sLLsLi(II))", core_cell_state_names[s], (long long)printed,
                         (long long)value, core_cell_computed_names[cs], (long long)comp,
                         pb_column_decimals(tb, c), line, col);
}

static int core_table_compute(PyObject *self, pb_table *tb)
{
    pb_error err;
    pb_error_clear(&err);
    if (pb_table_compute(tb, &err)) {
        core_error_model(self, &err);
        return 0;
    }
    return 1;
}

static PyObject *core_cell_get(PyObject *self, PyObject *args)
{
    Py_ssize_t t, r, c;
    if (!PyArg_ParseTuple(args, "nnn:cell_get", &t, &r, &c))
        return NULL;
    pb_table *tb = core_table_at(self, t);
    if (!tb || !core_row_check(tb, r) || !core_column_check(tb, c) || !core_table_compute(self, tb))
        return NULL;
    return core_cell_tuple(tb, (size_t)r, (size_t)c);
}

/* All cells of a table: a list (rows) of lists (columns) of cell tuples. */
static PyObject *core_table_cells(PyObject *self, PyObject *arg)
{
    pb_table *tb = core_part_arg(self, &core_part_budgets, arg);
    if (!tb || !core_table_compute(self, tb))
        return NULL;
    /* the row tuples and the cells together: one consistent picture */
    size_t nr = pb_table_row_count(tb), nc = pb_table_column_count(tb);
    PyObject *rows = PyList_New((Py_ssize_t)nr), *heads = PyList_New((Py_ssize_t)nr);
    if (!rows || !heads)
        goto fail;
    for (size_t r = 0; r < nr; r++) {
        PyObject *head = core_row_tuple(tb, r);
        if (!head)
            goto fail;
        PyList_SetItem(heads, (Py_ssize_t)r, head);
        PyObject *row = PyList_New((Py_ssize_t)nc);
        if (!row)
            goto fail;
        PyList_SetItem(rows, (Py_ssize_t)r, row);
        for (size_t c = 0; c < nc; c++) {
            PyObject *cell = core_cell_tuple(tb, r, c);
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

static PyObject *core_cell_set_text(PyObject *self, PyObject *args)
{
    Py_ssize_t t, r, c;
    PyObject *value;
    if (!PyArg_ParseTuple(args, "nnnO:cell_set_text", &t, &r, &c, &value))
        return NULL;
    pb_table *tb = core_table_at(self, t);
    const char *s;
    Py_ssize_t n;
    if (!tb || !core_row_check(tb, r) || !core_column_check(tb, c) || !core_text_arg(value, &s, &n, 1))
        return NULL;
    pb_error err;
    pb_error_clear(&err);
    pb_status rc = pb_cell_set_text(tb, (size_t)r, (size_t)c, s ? s : "", (size_t)n, &err);
    return core_error_or_none(self, rc, &err);
}

/* cell_set_value(t, r, c, state, amount, printed): amount at the column's
 * scale; by meaning unless `printed` is true. */
static PyObject *core_cell_set_value(PyObject *self, PyObject *args)
{
    Py_ssize_t t, r, c;
    const char *state;
    long long v;
    int printed;
    if (!PyArg_ParseTuple(args, "nnnsLp:cell_set_value", &t, &r, &c, &state, &v,
                          &printed))
        return NULL;
    pb_table *tb = core_table_at(self, t);
    if (!tb || !core_row_check(tb, r) || !core_column_check(tb, c))
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
    return core_error_or_none(self, st, &err);
}

/* ========================================================= the part */

CORE_PART_ADAPTERS(table, pb_plan_table, pb_plan_add_table, pb_table_row_count, pb_table_find_row,
                   pb_table_remove_row)

static PyObject *core_row_get_of(PyObject *self, void *tb, size_t r)
{
    (void)self;
    return core_row_tuple(tb, r);
}

static pb_status core_table_set_text(void *tb, int f, const char *s, size_t n, pb_error *err)
{
    return pb_table_set_text(tb, (pb_table_field)f, s, n, err);
}

const core_part core_part_budgets = {
    .name = "budgets", .what = "table", .member = "row",
    .count = pb_plan_table_count, .at = core_table_nth, .find = pb_plan_find_table,
    .add = core_table_new, .remove = pb_plan_remove_table, .get = core_table_dict,
    .texts = core_table_fields, .ntexts = PB_TABLE_FIELD_COUNT,
    .set_text = core_table_set_text, .set = core_table_set_other,
    .member_count = core_table_members, .member_find = core_table_member_find,
    .member_remove = core_table_member_delete, .member_get = core_row_get_of,
    .member_set = core_row_set_field,
};


PyMethodDef core_table_methods[] = {
    {"table_get", core_table_get, METH_VARARGS, "table_get(t) -> dict"},
    {"table_layout", core_table_layout, METH_O, NULL},
    {"column_count", core_column_count, METH_O, NULL},
    {"column_get", core_column_get, METH_VARARGS, "column_get(t, c) -> dict"},
    {"add_column", core_column_add, METH_VARARGS, "add_column(t, id) -> index"},
    {"find_column", core_column_find, METH_VARARGS, NULL},
    {"column_set", core_column_set, METH_VARARGS, "column_set(t, c, field, value)"},
    {"insert_row", core_row_insert, METH_VARARGS,
     "insert_row(t, at, kind, parent, label) -> index"},
    {"cell_get", core_cell_get, METH_VARARGS, "cell_get(t, r, c) -> tuple"},
    {"table_cells", core_table_cells, METH_O,
     "table_cells(t) -> (row tuples, rows of cell tuples)"},
    {"cell_set_text", core_cell_set_text, METH_VARARGS, NULL},
    {"cell_set_value", core_cell_set_value, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}};
