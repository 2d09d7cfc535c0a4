/* _xlsxread.c - planbook_xlsxread._xlsxread: the Python binding of the
 * workbook reader (pb_xlsxread*.c).
 *
 * It reaches the core through the capsule planbook._core._C_API.  The GIL
 * is released while the package is inflated and parsed; Python objects
 * are made afterwards.  Errors are planbook.errors.ReadError with the
 * file, sheet and cell.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "_xlsxread.h"

#include <errno.h>
#include <stdlib.h>
#include <expat.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>


/* Raise ReadError (MemoryError for PB_ERR_NOMEM) from err, with the sheet
 * and cell split from err->path ("Sheet!B7"). */
static PyObject *raise_read(xr_state *st, const pb_error *err, PyObject *file)
{
    if (err->status == PB_ERR_NOMEM)
        return PyErr_NoMemory();
    PyObject *kw = NULL, *args = NULL, *exc = NULL;
    PyObject *msg = PyUnicode_DecodeUTF8(err->message, (Py_ssize_t)strlen(err->message), "replace");
    if (!msg)
        return NULL;
    args = PyTuple_Pack(1, msg);
    Py_DECREF(msg);
    kw = PyDict_New();
    if (!args || !kw)
        goto out;
    if (file && PyDict_SetItemString(kw, "file", file) < 0)
        goto out;
    const char *path = err->path;
    if (path[0]) {
        const char *bang = strrchr(path, '!');
        PyObject *sheet = PyUnicode_DecodeUTF8(path, bang ? bang - path : (Py_ssize_t)strlen(path),
                                               "replace");
        if (!sheet || PyDict_SetItemString(kw, "sheet", sheet) < 0) {
            Py_XDECREF(sheet);
            goto out;
        }
        Py_DECREF(sheet);
        if (bang) {
            PyObject *cell = PyUnicode_FromString(bang + 1);
            if (!cell || PyDict_SetItemString(kw, "cell", cell) < 0) {
                Py_XDECREF(cell);
                goto out;
            }
            Py_DECREF(cell);
        }
    }
    PyObject *code = PyUnicode_FromString(st->capi->core->pb_status_name(err->status));
    if (!code || PyDict_SetItemString(kw, "code", code) < 0) {
        Py_XDECREF(code);
        goto out;
    }
    Py_DECREF(code);
    exc = PyObject_Call(st->ReadError, args, kw);
    if (exc)
        PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
out:
    Py_XDECREF(args);
    Py_XDECREF(kw);
    Py_XDECREF(exc);
    return NULL;
}

/* Limits from keyword arguments (None or missing: the default). */
static int parse_limits(PyObject *kwargs, pb_xr_limits *lim)
{
    *lim = pb_xr_default_limits();
    if (!kwargs)
        return 1;
    static const char *const names[] = {"max_entries", "max_part", "max_total", "max_ratio",
                                        "max_cells", "max_columns", NULL};
    uint64_t *slots[] = {&lim->max_entries, &lim->max_part, &lim->max_total, &lim->max_ratio,
                         &lim->max_cells, &lim->max_columns};
    Py_ssize_t pos = 0;
    PyObject *key, *value;
    while (PyDict_Next(kwargs, &pos, &key, &value)) {
        int found = 0;
        for (int i = 0; names[i]; i++) {
            if (PyUnicode_Check(key) && PyUnicode_CompareWithASCIIString(key, names[i]) == 0) {
                found = 1;
                if (value == Py_None)
                    break;
                unsigned long long v = PyLong_AsUnsignedLongLong(value);
                if (v == (unsigned long long)-1 && PyErr_Occurred())
                    return 0;
                *slots[i] = v;
            }
        }
        if (!found) {
            PyErr_Format(PyExc_TypeError, "unknown limit %R", key);
            return 0;
        }
    }
    return 1;
}


int xr_source_get(xr_state *st, PyObject *obj, source *src)
{
    if (xr_ahead_source(st, obj, src))
        return 1;
    memset(src, 0, sizeof *src);
    if (PyBytes_Check(obj) || PyByteArray_Check(obj) || PyMemoryView_Check(obj)) {
        src->data = PyBytes_Check(obj) ? Py_NewRef(obj) : PyObject_Bytes(obj);
        if (!src->data)
            return 0;
        src->view.buf = PyBytes_AsString(src->data);
        src->view.len = PyBytes_Size(src->data);
        src->is_buffer = 1;
        src->shown = Py_NewRef(Py_None);
        return 1;
    }
    if (!PyUnicode_FSConverter(obj, &src->path_bytes))
        return 0;
    src->shown = PyOS_FSPath(obj);
    if (!src->shown) {
        Py_CLEAR(src->path_bytes);
        return 0;
    }
    FILE *f = pb_fopen(PyBytes_AsString(src->path_bytes), "rb");
    if (!f) {
        PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, src->shown);
        Py_CLEAR(src->path_bytes);
        Py_CLEAR(src->shown);
        return 0;
    }
    fclose(f);
    return 1;
}

void xr_source_free(source *src)
{
    Py_XDECREF(src->data);
    Py_XDECREF(src->path_bytes);
    Py_XDECREF(src->shown);
}

/* Open the book without the GIL. */
static pb_xr_book *source_open(xr_state *st, source *src, const pb_xr_limits *lim, pb_error *err)
{
    pb_xr_book *book;
    /* with the GIL: a Python object */
    const char *path = src->is_buffer ? NULL : PyBytes_AsString(src->path_bytes);
    Py_BEGIN_ALLOW_THREADS
    if (src->is_buffer)
        book = pb_xr_book_open_buffer(st->capi->core, src->view.buf, (size_t)src->view.len, lim,
                                      err);
    else
        book = pb_xr_book_open_file(st->capi->core, path, lim, err);
    Py_END_ALLOW_THREADS
    return book;
}

static PyObject *warnings_list(const pb_xr_warnings *w)
{
    PyObject *list = PyList_New((Py_ssize_t)w->count);
    if (!list)
        return NULL;
    for (size_t i = 0; i < w->count; i++) {
        PyObject *s = PyUnicode_DecodeUTF8(w->items[i], (Py_ssize_t)strlen(w->items[i]), "replace");
        if (!s) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SetItem(list, (Py_ssize_t)i, s);
    }
    return list;
}

static PyObject *parts_list(const pb_xr_book *book, const pb_xr_parts *parts)
{
    PyObject *list = PyList_New((Py_ssize_t)parts->count);
    for (size_t i = 0; list && i < parts->count; i++) {
        const pb_xr_part *p = &parts->items[i];
        PyObject *t = Py_BuildValue("(ssN)", p->kind, p->id,
                                    PyUnicode_DecodeUTF8(pb_xr_sheet_name(book, p->sheet),
                                                         (Py_ssize_t)strlen(pb_xr_sheet_name(
                                                             book, p->sheet)),
                                                         "replace"));
        if (!t) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SetItem(list, (Py_ssize_t)i, t);
    }
    return list;
}

/* read(source, base=None, **limits) -> (PlanCore, [warning, ...], [(kind, id, sheet), ...])
 *
 * base: None, or a callable given the YAML of the workbook's structure
 * sheet (the plan without its budget tables) that returns the PlanCore to
 * read the budget sheets into (or None to read into a new plan).  The
 * third item lists the sheets of indicator sets, registers, heat maps and
 * collections, which the Python layer reads against that plan. */
static PyObject *xr_read(PyObject *m, PyObject *args, PyObject *kwargs)
{
    xr_state *st = get_state(m);
    PyObject *obj, *loader = Py_None;
    if (!PyArg_ParseTuple(args, "O|O:read", &obj, &loader))
        return NULL;
    PyObject *limits = NULL;
    if (kwargs) {
        /* base= may come as a keyword too; the rest are limits */
        limits = PyDict_Copy(kwargs);
        if (!limits)
            return NULL;
        PyObject *b = PyDict_GetItemString(limits, "base");
        if (b) {
            loader = b;
            if (PyDict_DelItemString(limits, "base") < 0) {
                Py_DECREF(limits);
                return NULL;
            }
        }
    }
    pb_xr_limits lim;
    int lim_ok = parse_limits(limits, &lim);
    Py_XDECREF(limits);
    if (!lim_ok)
        return NULL;
    source src;
    if (!xr_source_get(st, obj, &src))
        return NULL;
    pb_error err;
    pb_xr_warnings w = {NULL, 0, 0};
    pb_xr_parts parts = {NULL, 0, 0};
    pb_plan *plan = NULL, *base = NULL;
    PyObject *base_core = NULL, *res = NULL;
    pb_xr_book *book = source_open(st, &src, &lim, &err);
    if (!book) {
        raise_read(st, &err, src.shown);
        goto out;
    }
    if (loader != Py_None) {
        size_t len = 0;
        char *yaml;
        err.status = PB_OK;
        Py_BEGIN_ALLOW_THREADS
        yaml = pb_xr_structure_yaml(book, &len, &err);
        Py_END_ALLOW_THREADS
        if (!yaml && err.status != PB_OK) {
            raise_read(st, &err, src.shown);
            goto out;
        }
        if (yaml) {
            base_core = PyObject_CallFunction(loader, "s#", yaml, (Py_ssize_t)len);
            free(yaml);
            if (!base_core)
                goto out;
            if (base_core == Py_None) {
                Py_CLEAR(base_core);
            } else if (!(base = st->capi->plan_unwrap(base_core))) {
                goto out;
            }
        }
    }
    if (base) {
        /* the plan is a Python object another thread can reach: build it
         * with the GIL held (docs/decisions.md, threads) */
        plan = pb_xr_read_plan_into(st->capi->core, book, base, &parts, &w, &err);
    } else {
        Py_BEGIN_ALLOW_THREADS
        plan = pb_xr_read_plan_into(st->capi->core, book, NULL, &parts, &w, &err);
        Py_END_ALLOW_THREADS
    }
    if (!plan) {
        raise_read(st, &err, src.shown);
        goto out;
    }
    /* as a YAML load ends: spare room and the index of texts given back
     * (the plan is this call's alone still: no other thread has it) */
    st->capi->core->pb_plan_compact(plan);
    {
        PyObject *core = base_core ? Py_NewRef(base_core) : st->capi->plan_wrap(plan);
        PyObject *wl = core ? warnings_list(&w) : NULL;
        PyObject *pl = wl ? parts_list(book, &parts) : NULL;
        if (core && wl && pl)
            res = PyTuple_Pack(3, core, wl, pl);
        Py_XDECREF(core);
        Py_XDECREF(wl);
        Py_XDECREF(pl);
    }
out:
    if (book)
        pb_xr_book_free(book);
    Py_XDECREF(base_core);
    pb_xr_warnings_free(&w);
    pb_xr_parts_free(&parts);
    xr_source_free(&src);
    return res;
}

/* sheets(source) -> [(name, state), ...] */
static PyObject *xr_sheets(PyObject *m, PyObject *obj)
{
    xr_state *st = get_state(m);
    source src;
    if (!xr_source_get(st, obj, &src))
        return NULL;
    pb_error err;
    pb_xr_limits lim = pb_xr_default_limits();
    pb_xr_book *book = source_open(st, &src, &lim, &err);
    PyObject *res = NULL;
    if (!book) {
        raise_read(st, &err, src.shown);
    } else {
        static const char *const states[] = {"visible", "hidden", "veryHidden"};
        size_t n = pb_xr_sheet_count(book);
        res = PyList_New((Py_ssize_t)n);
        for (size_t i = 0; res && i < n; i++) {
            PyObject *t = Py_BuildValue("(ss)", pb_xr_sheet_name(book, i),
                                        states[pb_xr_sheet_state(book, i) % 3]);
            if (!t)
                Py_CLEAR(res);
            else
                PyList_SetItem(res, (Py_ssize_t)i, t);
        }
        pb_xr_book_free(book);
    }
    xr_source_free(&src);
    return res;
}

/* A number's XML text as a Python int or float ("float"), or as the text
 * itself ("text"). */
static PyObject *number_object(const char *v, size_t len, int as_text)
{
    if (as_text)
        return PyUnicode_FromStringAndSize(v, (Py_ssize_t)len);
    int integral = len > 0 && len < 16;
    for (size_t i = 0; i < len && integral; i++)
        integral = (v[i] >= '0' && v[i] <= '9') || (i == 0 && v[i] == '-');
    if (integral) {
        long long n = 0;
        size_t i = v[0] == '-';
        for (; i < len; i++)
            n = n * 10 + (v[i] - '0');
        return PyLong_FromLongLong(v[0] == '-' ? -n : n);
    }
    char buf[64];
    if (len >= sizeof buf)
        len = sizeof buf - 1;
    memcpy(buf, v, len);
    buf[len] = '\0';
    double d = PyOS_string_to_double(buf, NULL, NULL);
    if (d == -1.0 && PyErr_Occurred())
        return NULL;
    return PyFloat_FromDouble(d);
}

/* Read one sheet (by index or name) into a grid, without the GIL. */
static pb_xr_grid *grid_for(xr_state *st, source *src, PyObject *which, pb_xr_book **bookp,
                            size_t *index)
{
    pb_error err;
    pb_xr_limits lim = pb_xr_default_limits();
    pb_xr_book *book = source_open(st, src, &lim, &err);
    if (!book) {
        raise_read(st, &err, src->shown);
        return NULL;
    }
    Py_ssize_t i = -1;
    if (PyLong_Check(which)) {
        i = PyLong_AsSsize_t(which);
        if (i == -1 && PyErr_Occurred()) {
            pb_xr_book_free(book);
            return NULL;
        }
        if (i < 0 || (size_t)i >= pb_xr_sheet_count(book)) {
            pb_xr_book_free(book);
            PyErr_Format(PyExc_IndexError, "the workbook has no sheet %zd", i);
            return NULL;
        }
    } else {
        const char *name = PyUnicode_AsUTF8AndSize(which, NULL);
        if (!name) {
            pb_xr_book_free(book);
            return NULL;
        }
        int64_t k = pb_xr_sheet_find(book, name);
        if (k < 0) {
            pb_xr_book_free(book);
            PyErr_Format(PyExc_KeyError, "the workbook has no sheet %R", which);
            return NULL;
        }
        i = (Py_ssize_t)k;
    }
    pb_xr_grid *g;
    Py_BEGIN_ALLOW_THREADS
    g = pb_xr_sheet_read(book, (size_t)i, &err);
    Py_END_ALLOW_THREADS
    if (!g) {
        raise_read(st, &err, src->shown);
        pb_xr_book_free(book);
        return NULL;
    }
    *bookp = book;
    *index = (size_t)i;
    return g;
}

/* One sheet of a workbook read into a grid: the source, the book and the
 * grid, released together by sheet_close; or the book and grid an Ahead
 * read (ahead set), given back by sheet_close. */
typedef struct sheet_grid {
    source src;
    pb_xr_book *book;
    pb_xr_grid *g;
    PyObject *ahead; /* owned, or NULL */
} sheet_grid;

/* values_only: the sheet's formulas are not needed (an Ahead's grid has
 * none: it may be lent). */
static int sheet_open(xr_state *st, PyObject *obj, PyObject *which, int values_only,
                      sheet_grid *sg)
{
    size_t index;
    memset(sg, 0, sizeof *sg);
    int lent = values_only ? xr_ahead_lend(st, obj, which, &sg->book, &sg->g) : 0;
    if (lent < 0)
        return 0;
    if (lent) {
        sg->ahead = Py_NewRef(obj);
        return 1;
    }
    if (!xr_source_get(st, obj, &sg->src))
        return 0;
    sg->g = grid_for(st, &sg->src, which, &sg->book, &index);
    if (!sg->g) {
        xr_source_free(&sg->src);
        return 0;
    }
    return 1;
}

static void sheet_close(sheet_grid *sg)
{
    if (sg->ahead) {
        xr_ahead_return(sg->ahead);
        Py_DECREF(sg->ahead);
        return;
    }
    pb_xr_grid_free(sg->g);
    pb_xr_book_free(sg->book);
    xr_source_free(&sg->src);
}

static PyObject *cell_object(const pb_xr_book *book, const pb_xr_grid *g, const pb_xr_cell *c,
                             int as_text)
{
    size_t len;
    const char *v = pb_xr_cell_value(book, g, c, &len);
    switch (c->type) {
    case PB_XR_NUMBER:
        return number_object(v, len, as_text);
    case PB_XR_BOOL:
        return PyBool_FromLong(v[0] == '1');
    case PB_XR_STRING:
    case PB_XR_ERROR:
        return PyUnicode_DecodeUTF8(v, (Py_ssize_t)len, "replace");
    default:
        Py_RETURN_NONE;
    }
}

/* Row r of a grid as a list of g->ncols values (None where empty), from
 * the cell *k on (left past the row); errors, when given, is called with
 * the text of an error value.  A new reference, or NULL. */
static PyObject *row_list(const pb_xr_book *book, const pb_xr_grid *g, uint32_t r, size_t *k,
                          int as_text, PyObject *errors)
{
    PyObject *row = PyList_New((Py_ssize_t)g->ncols);
    if (!row)
        return NULL;
    for (uint32_t c = 0; c < g->ncols; c++)
        PyList_SetItem(row, c, Py_NewRef(Py_None));
    for (; *k < g->ncells && g->cells[*k].row == r; (*k)++) {
        const pb_xr_cell *cell = &g->cells[*k];
        PyObject *v = cell_object(book, g, cell, as_text);
        if (v && errors && cell->type == PB_XR_ERROR) {
            /* an error value, told apart from a text that reads the same */
            PyObject *e = PyObject_CallFunctionObjArgs(errors, v, NULL);
            Py_DECREF(v);
            v = e;
        }
        if (!v) {
            Py_DECREF(row);
            return NULL;
        }
        PyList_SetItem(row, (Py_ssize_t)cell->col, v); /* releases the None */
    }
    return row;
}

/* rows(source, sheet=0, numbers="float") -> [[value, ...], ...]: the
 * sheet as a rectangle of values (None where empty). */
static PyObject *xr_rows(PyObject *m, PyObject *args, PyObject *kwargs)
{
    xr_state *st = get_state(m);
    static char *kwlist[] = {"source", "sheet", "numbers", "errors", NULL};
    PyObject *obj, *which = NULL, *errors = NULL;
    const char *numbers = "float";
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|OsO:rows", kwlist, &obj, &which, &numbers,
                                     &errors))
        return NULL;
    if (errors == Py_None)
        errors = NULL;
    int as_text = !strcmp(numbers, "text");
    if (!as_text && strcmp(numbers, "float"))
        return PyErr_Format(PyExc_ValueError, "numbers is 'float' or 'text', not '%.100s'",
                            numbers);
    PyObject *zero = which ? NULL : PyLong_FromLong(0);
    sheet_grid sg;
    int ok = (which || zero) && sheet_open(st, obj, which ? which : zero, 1, &sg);
    Py_XDECREF(zero);
    if (!ok)
        return NULL;
    PyObject *rows = PyList_New((Py_ssize_t)sg.g->nrows);
    size_t k = 0;
    for (uint32_t r = 0; rows && r < sg.g->nrows; r++) {
        PyObject *row = row_list(sg.book, sg.g, r, &k, as_text, errors);
        if (!row)
            Py_CLEAR(rows);
        else
            PyList_SetItem(rows, r, row);
    }
    sheet_close(&sg);
    return rows;
}

/* The layout tuple _parts.py gives for a dashboard: (head, ref, name,
 * group, polarity, unit, good, concern, action, target, target_k,
 * (known column, ...), ((column, period index), ...)), -1 for absent.
 * The arrays are malloc'd into *L (free with layout_free). */
static int layout_get(PyObject *t, pb_xr_dash_layout *L)
{
    memset(L, 0, sizeof *L);
    long long v[11];
    PyObject *known, *periods;
    if (!PyArg_ParseTuple(t, "LLLLLLLLLLLOO;a dashboard layout", &v[0], &v[1], &v[2], &v[3],
                          &v[4], &v[5], &v[6], &v[7], &v[8], &v[9], &v[10], &known, &periods))
        return 0;
    if (v[0] < 0 || v[0] > UINT32_MAX)
        return PyErr_SetString(PyExc_ValueError, "bad heading row"), 0;
    L->head = (uint32_t)v[0];
    int32_t *cols[9] = {&L->ref, &L->name, &L->group, &L->polarity, &L->unit,
                        &L->good, &L->concern, &L->action, &L->target};
    for (int i = 0; i < 9; i++)
        *cols[i] = v[i + 1] < 0 || v[i + 1] > INT32_MAX ? -1 : (int32_t)v[i + 1];
    L->target_k = v[10] < 0 ? -1 : v[10];
    Py_ssize_t nk = PySequence_Size(known), np = PySequence_Size(periods);
    if (nk < 0 || np < 0)
        return 0;
    size_t width = 1;
    for (Py_ssize_t i = 0; i < nk; i++) {
        PyObject *o = PySequence_GetItem(known, i);
        long c = o ? PyLong_AsLong(o) : -1;
        Py_XDECREF(o);
        if (c == -1 && PyErr_Occurred())
            return 0;
        if (c >= 0 && c < 65536 && (size_t)c + 1 > width)
            width = (size_t)c + 1;
    }
    uint8_t *known_cols = calloc(width, 1);
    int32_t *pc = malloc(((size_t)np + 1) * sizeof *pc);
    size_t *pk = malloc(((size_t)np + 1) * sizeof *pk);
    L->known = known_cols;
    L->period_cols = pc;
    L->period_k = pk;
    if (!known_cols || !pc || !pk)
        return PyErr_NoMemory(), 0;
    L->nknown = width;
    for (Py_ssize_t i = 0; i < nk; i++) {
        PyObject *o = PySequence_GetItem(known, i);
        long c = o ? PyLong_AsLong(o) : -1;
        Py_XDECREF(o);
        if (c >= 0 && (size_t)c < width)
            known_cols[c] = 1;
    }
    for (Py_ssize_t i = 0; i < np; i++) {
        PyObject *o = PySequence_GetItem(periods, i);
        long c = -1, k = -1;
        int ok = o && PyArg_ParseTuple(o, "ll;a period column", &c, &k);
        Py_XDECREF(o);
        if (!ok)
            return 0;
        if (c < 0 || k < 0)
            return PyErr_SetString(PyExc_ValueError, "bad period column"), 0;
        pc[L->nperiods] = (int32_t)c;
        pk[L->nperiods++] = (size_t)k;
    }
    return 1;
}

static void layout_free(pb_xr_dash_layout *L)
{
    free((void *)L->known);
    free((void *)L->period_cols);
    free((void *)L->period_k);
}

/* The entries of a set for _parts.py's matching: (ref, name, companion)
 * per measure, companion None for a measure, else the count series'
 * number under the measure whose ref it carries. */
static PyObject *dash_keys(const pb_api *api, const pb_indset *set)
{
    size_t n = api->pb_indset_count(set);
    PyObject *list = PyList_New((Py_ssize_t)n);
    const char *ref = "";
    long companion = 0;
    for (size_t i = 0; list && i < n; i++) {
        const char *name = api->pb_ind_text(set, i, PB_IND_NAME);
        PyObject *comp;
        if (api->pb_ind_parent(set, i) == PB_NONE) {
            ref = api->pb_ind_text(set, i, PB_IND_REF);
            companion = 0;
            comp = Py_NewRef(Py_None);
        } else {
            comp = PyLong_FromLong(companion++);
        }
        PyObject *t = comp ? Py_BuildValue("(ssN)", ref ? ref : "",
                                           name && *name ? name : NULL, comp)
                           : NULL;
        if (!t)
            Py_CLEAR(list);
        else
            PyList_SetItem(list, (Py_ssize_t)i, t);
    }
    return list;
}

/* The rows as dashboard() returns them: a list per row, except the rows
 * that show a measure as written, which are its index. */
static PyObject *dash_rows(const pb_xr_book *book, const pb_xr_grid *g, PyObject *head,
                           const int64_t *entry, PyObject *errors)
{
    PyObject *rows = PyList_New((Py_ssize_t)g->nrows);
    size_t k = 0;
    Py_ssize_t nhead = PyList_Size(head);
    for (uint32_t r = 0; rows && r < g->nrows; r++) {
        PyObject *row;
        if ((Py_ssize_t)r < nhead && !(entry && entry[r] >= 0)) {
            row = Py_NewRef(PyList_GetItem(head, (Py_ssize_t)r));
            while (k < g->ncells && g->cells[k].row == r)
                k++;
        } else if (entry && entry[r] >= 0) {
            row = PyLong_FromLongLong(entry[r]);
            while (k < g->ncells && g->cells[k].row == r)
                k++;
        } else if (entry && entry[r] == PB_XR_ROW_EMPTY) {
            row = PyList_New(0);
            while (k < g->ncells && g->cells[k].row == r)
                k++;
        } else {
            row = row_list(book, g, r, &k, 1, errors);
        }
        if (!row)
            Py_CLEAR(rows);
        else
            PyList_SetItem(rows, r, row);
    }
    return rows;
}

/* Compare a dashboard's grid with set `id` of the plan core: the entry of
 * each row, and whether the sheet is unedited. */
static int64_t *dash_compare(xr_state *st, const pb_xr_book *book, const pb_xr_grid *g,
                             PyObject *core, PyObject *id, PyObject *layout, int *in_order,
                             const pb_indset **setp)
{
    pb_plan *plan = st->capi->plan_unwrap(core);
    Py_ssize_t idn;
    const char *ids = plan ? PyUnicode_AsUTF8AndSize(id, &idn) : NULL;
    if (!ids)
        return NULL;
    const pb_api *api = st->capi->core;
    int64_t si = api->pb_plan_find_indset(plan, ids, (size_t)idn);
    if (si < 0)
        return PyErr_Format(PyExc_KeyError, "no indicator set %R", id), NULL;
    const pb_indset *set = api->pb_plan_indset(plan, (size_t)si);
    pb_xr_dash_layout L;
    int64_t *entry = NULL;
    if (layout_get(layout, &L)) {
        entry = malloc(((size_t)g->nrows + 1) * sizeof *entry);
        pb_error err;
        memset(&err, 0, sizeof err);
        if (!entry)
            PyErr_NoMemory();
        else if (!pb_xr_dashboard_compare(api, book, g, set, &L, entry, in_order, &err)) {
            free(entry);
            entry = NULL;
            raise_read(st, &err, NULL);
        }
    }
    layout_free(&L);
    *setp = set;
    return entry;
}

/* The first rows of a grid (up to 20: where the heading row is looked
 * for), as lists. */
static PyObject *head_rows(const pb_xr_book *book, const pb_xr_grid *g, PyObject *errors)
{
    uint32_t n = g->nrows < 20 ? g->nrows : 20;
    PyObject *head = PyList_New((Py_ssize_t)n);
    size_t k = 0;
    for (uint32_t r = 0; head && r < n; r++) {
        PyObject *row = row_list(book, g, r, &k, 1, errors);
        if (!row)
            Py_CLEAR(head);
        else
            PyList_SetItem(head, r, row);
    }
    return head;
}

/* dashboard(source, sheet, core, set_id, layout, errors) -> (unedited,
 * rows, keys): the sheet's rows as rows(..., "text", errors) gives them,
 * except that a row showing a measure exactly as planbook wrote it is the
 * measure's index (an int), and an empty row is [].  layout(head_rows) is
 * given the first rows and returns the layout tuple (see layout_get), or
 * None when the sheet is not laid out as a dashboard: then every row is a
 * list.  unedited: every data row shows the set's measures in order;
 * keys: None when unedited, else (ref, name, companion) per measure. */
static PyObject *xr_dashboard(PyObject *m, PyObject *args)
{
    xr_state *st = get_state(m);
    PyObject *obj, *which, *core, *id, *layout_fn, *errors;
    if (!PyArg_ParseTuple(args, "OOOUOO:dashboard", &obj, &which, &core, &id, &layout_fn,
                          &errors))
        return NULL;
    if (errors == Py_None)
        errors = NULL;
    sheet_grid sg;
    if (!sheet_open(st, obj, which, 1, &sg))
        return NULL;
    const pb_xr_book *book = sg.book;
    const pb_xr_grid *g = sg.g;
    PyObject *res = NULL, *head = NULL, *layout = NULL, *rows = NULL, *keys = NULL;
    int64_t *entry = NULL;
    int in_order = 0;
    const pb_indset *set = NULL;
    head = head_rows(book, g, errors);
    layout = head ? PyObject_CallFunctionObjArgs(layout_fn, head, NULL) : NULL;
    if (!layout)
        goto out;
    if (layout != Py_None &&
        !(entry = dash_compare(st, book, g, core, id, layout, &in_order, &set)))
        goto out;
    rows = dash_rows(book, g, head, entry, errors);
    if (!rows)
        goto out;
    keys = entry && !in_order ? dash_keys(st->capi->core, set) : Py_NewRef(Py_None);
    if (keys)
        res = Py_BuildValue("(OOO)", in_order ? Py_True : Py_False, rows, keys);
out:
    free(entry);
    Py_XDECREF(head);
    Py_XDECREF(layout);
    Py_XDECREF(rows);
    Py_XDECREF(keys);
    sheet_close(&sg);
    return res;
}

/* The grid's cells as cells() gives them: [(row, col, type, text, formula,
 * bold, indent, decimals), ...], values as the XML holds them. */
static PyObject *cell_tuples(const pb_xr_book *book, const pb_xr_grid *g)
{
    static const char *const types[] = {"empty", "number", "string", "bool", "error"};
    PyObject *list = PyList_New((Py_ssize_t)g->ncells);
    for (size_t k = 0; list && k < g->ncells; k++) {
        const pb_xr_cell *c = &g->cells[k];
        size_t len;
        const char *v = pb_xr_cell_value(book, g, c, &len);
        const char *f = pb_xr_cell_formula(g, c);
        pb_xr_style s = pb_xr_style_of(book, c->style);
        PyObject *t = Py_BuildValue("(IIss#ziii)", c->row, c->col, types[c->type % 5], v,
                                    (Py_ssize_t)len, f, (int)s.bold, (int)s.indent, s.decimals);
        if (!t)
            Py_CLEAR(list);
        else
            PyList_SetItem(list, (Py_ssize_t)k, t);
    }
    return list;
}

/* The grid's comments: {(row, col): text}. */
static PyObject *comment_dict(const pb_xr_grid *g)
{
    PyObject *comments = PyDict_New();
    for (size_t k = 0; comments && k < g->ncomments; k++) {
        PyObject *key = Py_BuildValue("(II)", g->comments[k].row, g->comments[k].col);
        PyObject *val = PyUnicode_DecodeUTF8(g->text + g->comments[k].off,
                                             (Py_ssize_t)g->comments[k].len, "replace");
        if (!key || !val || PyDict_SetItem(comments, key, val) < 0)
            Py_CLEAR(comments);
        Py_XDECREF(key);
        Py_XDECREF(val);
    }
    return comments;
}

/* cells(source, sheet) -> (merges, cells, comments) for imports (cell_tuples,
 * comment_dict). */
static PyObject *xr_cells(PyObject *m, PyObject *args)
{
    PyObject *obj, *which;
    if (!PyArg_ParseTuple(args, "OO:cells", &obj, &which))
        return NULL;
    sheet_grid sg;
    if (!sheet_open(get_state(m), obj, which, 0, &sg))
        return NULL;
    PyObject *list = cell_tuples(sg.book, sg.g);
    PyObject *comments = list ? comment_dict(sg.g) : NULL;
    PyObject *res = comments ? Py_BuildValue("(nOO)", (Py_ssize_t)sg.g->merges, list, comments)
                             : NULL;
    Py_XDECREF(list);
    Py_XDECREF(comments);
    sheet_close(&sg);
    return res;
}

/* number(text, decimals) -> int (scaled) : the reader's number rule. */
static PyObject *xr_number(PyObject *m, PyObject *args)
{
    xr_state *st = get_state(m);
    const char *s;
    Py_ssize_t n;
    int decimals;
    if (!PyArg_ParseTuple(args, "s#i:number", &s, &n, &decimals))
        return NULL;
    if (decimals < 0 || decimals > PB_MAX_DECIMALS)
        return PyErr_Format(PyExc_ValueError, "decimals is 0..%d", PB_MAX_DECIMALS);
    int64_t v;
    pb_status rc = pb_xr_number(s, (size_t)n, decimals, &v);
    if (rc != PB_OK) {
        pb_error err;
        memset(&err, 0, sizeof err);
        err.status = rc;
        snprintf(err.message, sizeof err.message, "%.60s: %s", s,
                 st->capi->core->pb_status_message(rc));
        return raise_read(st, &err, NULL);
    }
    return PyLong_FromLongLong(v);
}

/* fields(part) -> ((key, heading, flags), ...): the text fields the core
 * describes for "register", "risk", "collection" or "indicator set"
 * (pb_fields.h), so that
 * the sheets' headings are matched with the writer's own. */
static PyObject *xr_fields(PyObject *m, PyObject *arg)
{
    const pb_api *api = get_state(m)->capi->core;
    const char *part = PyUnicode_Check(arg) ? PyUnicode_AsUTF8AndSize(arg, NULL) : NULL;
    size_t n = 0;
    const pb_field_desc *d = NULL;
    if (part && !strcmp(part, "register"))
        d = api->pb_register_fields(&n);
    else if (part && !strcmp(part, "risk"))
        d = api->pb_risk_fields(&n);
    else if (part && !strcmp(part, "collection"))
        d = api->pb_collection_fields(&n);
    else if (part && !strcmp(part, "indicator set"))
        d = api->pb_indset_fields(&n);
    if (!d)
        return PyErr_Format(PyExc_KeyError, "no described part %R", arg), NULL;
    PyObject *out = PyTuple_New((Py_ssize_t)n);
    for (size_t k = 0; out && k < n; k++) {
        PyObject *row = Py_BuildValue("(ssI)", d[k].key, d[k].heading, d[k].flags);
        if (!row || PyTuple_SetItem(out, (Py_ssize_t)k, row) < 0)
            Py_CLEAR(out);
    }
    return out;
}

static PyMethodDef xr_methods[] = {
    {"fields", xr_fields, METH_O, "fields(part) -> ((key, heading, flags), ...)"},
    {"read", (PyCFunction)(void (*)(void))xr_read, METH_VARARGS | METH_KEYWORDS,
     "read(path_or_bytes, base=None, **limits) -> (PlanCore, warnings, [(kind, id, sheet)])"},
    {"sheets", xr_sheets, METH_O, "sheets(path_or_bytes) -> [(name, state)]"},
    {"rows", (PyCFunction)(void (*)(void))xr_rows, METH_VARARGS | METH_KEYWORDS,
     "rows(path_or_bytes, sheet=0, numbers='float') -> list of lists"},
    {"dashboard", xr_dashboard, METH_VARARGS,
     "dashboard(source, sheet, core, set_id, layout, errors) -> (unedited, rows, keys)"},
    {"cells", xr_cells, METH_VARARGS, "cells(path_or_bytes, sheet) -> (merges, cells, comments)"},
    {"number", xr_number, METH_VARARGS, "number(text, decimals) -> scaled int"},
    {"ahead", xr_ahead_new, METH_O,
     "ahead(path_or_bytes) -> Ahead: the dashboard sheets read on a second thread"},
    {NULL, NULL, 0, NULL}};

static int xr_exec(PyObject *m)
{
    xr_state *st = get_state(m);
    st->capi = pb_capi_import();
    if (!st->capi)
        return -1;
    PyObject *errors = PyImport_ImportModule("planbook.errors");
    if (!errors)
        return -1;
    st->ReadError = PyObject_GetAttrString(errors, "ReadError");
    Py_DECREF(errors);
    if (!st->ReadError || xr_ahead_add_type(m, st) < 0)
        return -1;
    char v[64];
    snprintf(v, sizeof v, "minizip (zlib %s), expat %d.%d.%d", ZLIB_VERSION, XML_MAJOR_VERSION,
             XML_MINOR_VERSION, XML_MICRO_VERSION);
    if (PyModule_AddIntConstant(m, "FIELD_ID", PB_FIELD_ID) ||
        PyModule_AddIntConstant(m, "FIELD_TITLE", PB_FIELD_TITLE) ||
        PyModule_AddIntConstant(m, "FIELD_DETAIL", PB_FIELD_DETAIL))
        return -1;
    return PyModule_AddStringConstant(m, "LIBRARIES", v);
}

static int xr_traverse(PyObject *m, visitproc visit, void *arg)
{
    Py_VISIT(get_state(m)->ReadError);
    Py_VISIT(get_state(m)->Ahead);
    return 0;
}

static int xr_clear(PyObject *m)
{
    Py_CLEAR(get_state(m)->ReadError);
    Py_CLEAR(get_state(m)->Ahead);
    return 0;
}

static void xr_free(void *m) { xr_clear((PyObject *)m); }

static PyModuleDef_Slot xr_slots[] = {{Py_mod_exec, xr_exec}, {0, NULL}};

static PyModuleDef xr_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "planbook_xlsxread._xlsxread",
    .m_doc = "planbook's workbook reader, on minizip and expat (internal).",
    .m_size = sizeof(xr_state),
    .m_methods = xr_methods,
    .m_slots = xr_slots,
    .m_traverse = xr_traverse,
    .m_clear = xr_clear,
    .m_free = xr_free,
};

PyMODINIT_FUNC PyInit__xlsxread(void) { return PyModuleDef_Init(&xr_module); }
