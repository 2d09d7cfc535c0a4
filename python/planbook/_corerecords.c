/* _corerecords.c - the records of planbook._core: collections (of
 * objectives, workstreams, actions, ...) and their items.  A collection is
 * a part (core_part_records, its members the items); what only records
 * have is here. */
#include "_core.h"

static const char *const core_collection_fields[PB_COLL_FIELD_COUNT] = {"title", "kind", "note"};

static pb_collection *core_collection_at(PyObject *self, Py_ssize_t ci)
{
    return core_part_at(self, &core_part_records, ci);
}

static PyObject *core_collection_dict(PyObject *self, void *part)
{
    (void)self;
    pb_collection *c = part;
    size_t nd = pb_collection_date_count(c), nl = pb_collection_link_count(c);
    PyObject *dates = PyList_New((Py_ssize_t)nd), *links = PyList_New((Py_ssize_t)nl);
    if (!dates || !links)
        goto fail;
    for (size_t k = 0; k < nd; k++) {
        PyObject *t = core_text_or_none(pb_collection_date_field(c, k));
        if (!t)
            goto fail;
        PyList_SetItem(dates, (Py_ssize_t)k, t);
    }
    for (size_t k = 0; k < nl; k++) {
        PyObject *t = Py_BuildValue("(NN)", core_text_or_none(pb_collection_link_field(c, k)),
                                    core_text_or_none(pb_collection_link_target(c, k)));
        if (!t)
            goto fail;
        PyList_SetItem(links, (Py_ssize_t)k, t);
    }
    uint32_t line, col;
    pb_collection_source(c, &line, &col);
    return Py_BuildValue("{s:N,s:N,s:N,s:N,s:N,s:N,s:n,s:I,s:I}", "id",
                         core_text_or_none(pb_collection_id(c)), "title",
                         core_text_or_none(pb_collection_text(c, PB_COLL_TITLE)), "kind",
                         core_text_or_none(pb_collection_text(c, PB_COLL_KIND)), "note",
                         core_text_or_none(pb_collection_text(c, PB_COLL_NOTE)), "dates", dates,
                         "links", links, "count", (Py_ssize_t)pb_collection_count(c), "line",
                         line, "col", col);
fail:
    Py_XDECREF(dates);
    Py_XDECREF(links);
    return NULL;
}

/* the fields of a collection that are not text */
static PyObject *core_collection_set_other(PyObject *self, void *part, const char *field,
                                           PyObject *value)
{
    pb_collection *c = part;
    pb_error err;
    pb_error_clear(&err);
    if (!strcmp(field, "add_date")) {
        core_text_value t;
        if (!core_text_value_arg(value, &t, 0))
            return NULL;
        return core_error_or_none(self, pb_collection_add_date_field(c, t.s, t.n, &t.err), &t.err);
    }
    if (!strcmp(field, "add_link")) {
        PyObject *a, *b;
        const char *x, *y;
        Py_ssize_t xn, yn;
        if (!PyArg_ParseTuple(value, "OO", &a, &b) || !core_text_arg(a, &x, &xn, 0) ||
            !core_text_arg(b, &y, &yn, 0))
            return NULL;
        pb_status rc = pb_collection_add_link(c, x, (size_t)xn, y, (size_t)yn, &err);
        return core_error_or_none(self, rc, &err);
    }
    return PyErr_Format(PyExc_KeyError, "unknown collection field '%s'", field);
}

static PyObject *core_item_dict(PyObject *self, void *part, size_t i)
{
    (void)self;
    pb_collection *c = part;
    size_t nf = pb_item_field_count(c, i);
    PyObject *fields = PyList_New((Py_ssize_t)nf);
    if (!fields)
        return NULL;
    for (size_t k = 0; k < nf; k++) {
        PyObject *t = Py_BuildValue("(NN)", core_text_or_none(pb_item_field_name(c, i, k)),
                                    core_text_or_none(pb_item_field_value(c, i, k)));
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
                         core_text_or_none(pb_item_id(c, i)), "parent",
                         parent == PB_NONE ? Py_NewRef(Py_None) : PyLong_FromUnsignedLong(parent),
                         "depth", pb_item_depth(c, i), "fields", fields, "due",
                         core_date_or_none(due), "line", line, "col", col);
}

/* an item's field by name ("id" is its id), or None to clear it */
static PyObject *core_item_set_field(PyObject *self, void *part, size_t i, const char *field,
                                     PyObject *value)
{
    pb_collection *c = part;
    core_text_value v;
    if (!core_text_value_arg(value, &v, 1))
        return NULL;
    pb_status st = !strcmp(field, "id") ? pb_item_set_id(c, i, v.s, v.n, &v.err)
                                        : pb_item_set_field(c, i, field, strlen(field), v.s,
                                                            v.n, &v.err);
    return core_error_or_none(self, st, &v.err);
}

/* item_set(coll, item, name, value): the core checks the item's index */
static PyObject *core_item_set(PyObject *self, PyObject *args)
{
    Py_ssize_t ci, i;
    PyObject *name, *value;
    if (!PyArg_ParseTuple(args, "nnOO", &ci, &i, &name, &value))
        return NULL;
    pb_collection *c = core_collection_at(self, ci);
    if (!c)
        return NULL;
    const char *ns;
    Py_ssize_t nn;
    if (!core_text_arg(name, &ns, &nn, 0))
        return NULL;
    return core_item_set_field(self, c, (size_t)i, ns, value);
}

PyObject *core_date_range(PyObject *m, PyObject *arg)
{
    const char *s;
    Py_ssize_t n;
    if (!core_text_arg(arg, &s, &n, 0))
        return NULL;
    int32_t a, b;
    pb_error err;
    pb_error_clear(&err);
    if (pb_date_range_parse(s, (size_t)n, &a, &b, &err))
        return core_error_raise(core_state_of_module(m), CORE_KIND_VALUE, &err, NULL);
    return Py_BuildValue("(NN)", core_date_or_none(a), core_date_or_none(b));
}

/* ========================================================= the part */

CORE_PART_ADAPTERS(collection, pb_plan_collection, pb_plan_add_collection, pb_collection_count,
                   pb_collection_find, pb_collection_remove)

static int64_t core_item_new(void *c, uint32_t parent, const char *id, size_t n, pb_error *err)
{
    return pb_collection_add(c, parent, id, n, err);
}

static pb_status core_collection_set_text(void *c, int f, const char *s, size_t n,
                                          pb_error *err)
{
    return pb_collection_set_text(c, (pb_collection_field)f, s, n, err);
}

const core_part core_part_records = {
    .name = "records", .what = "collection", .member = "item", .core_checks_remove = 1,
    .count = pb_plan_collection_count, .at = core_collection_nth,
    .find = pb_plan_find_collection, .add = core_collection_new,
    .remove = pb_plan_remove_collection, .get = core_collection_dict,
    .texts = core_collection_fields, .ntexts = PB_COLL_FIELD_COUNT,
    .set_text = core_collection_set_text, .set = core_collection_set_other,
    .member_count = core_collection_members, .member_find = core_collection_member_find,
    .member_remove = core_collection_member_delete, .member_get = core_item_dict,
    .member_add = core_item_new, .members_nest = 1, .member_set = core_item_set_field,
};


PyMethodDef core_record_methods[] = {
    {"item_set", core_item_set, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}};
