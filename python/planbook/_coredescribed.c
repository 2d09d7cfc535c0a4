/* _coredescribed.c - described parts (pb_described.h) in planbook._core:
 * one core_part over every kind, reached by name ("described"); its parts
 * are found by their key (part_find("described", "contacts")), its
 * members are the rows, each a dict of the descriptor's fields. */
#include "_core.h"

static PyObject *core_described_dict(PyObject *self, void *part)
{
    (void)self;
    pb_described *d = part;
    const pb_described_desc *desc = pb_described_desc_of(d);
    uint32_t line, col;
    pb_described_source(d, &line, &col);
    return Py_BuildValue("{s:N,s:N,s:n,s:I,s:I}", "id", core_text_or_none(pb_described_id(d)),
                         "title", core_text_or_none(desc->title), "count",
                         (Py_ssize_t)pb_described_count(d), "line", line, "col", col);
}

static PyObject *core_described_set_other(PyObject *self, void *part, const char *field,
                                          PyObject *value)
{
    (void)self, (void)part, (void)value;
    return PyErr_Format(PyExc_KeyError, "a described part has no field '%s'", field);
}

/* a row: {"index": i, "line", "col", and each field's key: text or None} */
static PyObject *core_drow_dict(PyObject *self, void *part, size_t i)
{
    (void)self;
    pb_described *d = part;
    const pb_described_desc *desc = pb_described_desc_of(d);
    uint32_t line, col;
    pb_described_row_source(d, i, &line, &col);
    PyObject *dict = Py_BuildValue("{s:n,s:I,s:I}", "index", (Py_ssize_t)i, "line", line, "col",
                                   col);
    for (size_t f = 0; dict && f < desc->nfields; f++)
        if (!core_dict_put_text(dict, desc->fields[f].key, pb_described_value(d, i, f)))
            Py_CLEAR(dict);
    return dict;
}

/* a row's field by key, text or None */
static PyObject *core_drow_set(PyObject *self, void *part, size_t i, const char *field,
                               PyObject *value)
{
    pb_described *d = part;
    int64_t f = pb_described_field_find(pb_described_desc_of(d), field, strlen(field));
    if (f < 0)
        return PyErr_Format(PyExc_KeyError, "a %s has no field '%s'",
                            pb_described_desc_of(d)->noun, field);
    core_text_value v;
    if (!core_text_value_arg(value, &v, 1))
        return NULL;
    return core_error_or_none(self, pb_described_set(d, i, (size_t)f, v.s, v.n, &v.err), &v.err);
}

/* a new row at the end (no parent), its id field set when id is given */
static int64_t core_drow_new(void *part, uint32_t parent, const char *id, size_t n,
                             pb_error *err)
{
    pb_described *d = part;
    if (parent != PB_NONE) {
        pb_error_set(err, PB_ERR_INVALID, "a %s has no parent", pb_described_desc_of(d)->noun);
        return -1;
    }
    int64_t i = pb_described_add(d, err);
    if (i < 0 || !id)
        return i;
    const pb_described_desc *desc = pb_described_desc_of(d);
    for (size_t f = 0; f < desc->nfields; f++)
        if (desc->fields[f].flags & PB_FIELD_ID) {
            if (pb_described_set(d, (size_t)i, f, id, n, err)) {
                pb_described_remove(d, (size_t)i, NULL);
                return -1;
            }
            return i;
        }
    pb_described_remove(d, (size_t)i, NULL);
    pb_error_set(err, PB_ERR_INVALID, "a %s has no id", desc->noun);
    return -1;
}

CORE_PART_ADAPTERS(described, pb_plan_described, pb_plan_add_described, pb_described_count,
                   pb_described_find, pb_described_remove)

const core_part core_part_described = {
    .name = "described", .what = "described part", .member = "row", .core_checks_remove = 1,
    .count = pb_plan_described_count, .at = core_described_nth,
    .find = pb_plan_find_described, .add = core_described_new,
    .remove = pb_plan_remove_described, .get = core_described_dict,
    .texts = NULL, .ntexts = 0, .set_text = NULL, .set = core_described_set_other,
    .member_count = core_described_members, .member_find = core_described_member_find,
    .member_remove = core_described_member_delete, .member_get = core_drow_dict,
    .member_add = core_drow_new, .members_nest = 1, .member_texts = NULL,
    .member_ntexts = 0, .member_set = core_drow_set,
};

/* described_kinds() -> ((key, noun, sheet, title, ((key, heading, flags,
 * type, values or None), ...)), ...): the descriptors, for the Python
 * layer and the formats written in Python */
PyObject *core_described_kinds(PyObject *self, PyObject *unused)
{
    (void)self, (void)unused;
    static const char *const types[] = {"text", "date", "count", "word"};
    size_t nk = pb_described_kind_count();
    PyObject *out = PyTuple_New((Py_ssize_t)nk);
    for (size_t k = 0; out && k < nk; k++) {
        const pb_described_desc *d = pb_described_kind(k);
        PyObject *fields = PyTuple_New((Py_ssize_t)d->nfields);
        for (size_t f = 0; fields && f < d->nfields; f++) {
            const pb_dfield *fl = &d->fields[f];
            PyObject *t = Py_BuildValue(
                "(ssIsN)", fl->key, fl->heading, fl->flags,
                (unsigned)fl->type < 4 ? types[fl->type] : "text", core_text_or_none(fl->values));
            if (!t)
                Py_CLEAR(fields);
            else
                PyTuple_SetItem(fields, (Py_ssize_t)f, t);
        }
        PyObject *t = fields ? Py_BuildValue("(ssssN)", d->key, d->noun, d->sheet, d->title,
                                             fields)
                             : NULL;
        if (!t)
            Py_CLEAR(out);
        else
            PyTuple_SetItem(out, (Py_ssize_t)k, t);
    }
    return out;
}
