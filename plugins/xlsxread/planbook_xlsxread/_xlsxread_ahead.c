/* _xlsxread_ahead.c - a workbook's dashboard sheets read ahead, on a
 * second thread, while the caller reads the plan from the structure sheet
 * (planbook_xlsxread.read).  docs/decisions.md, "Reading dashboards ahead".
 *
 * ahead(source) opens a book of its own on the source and reads into
 * grids the sheets that defined names ind_... name, with no Python and no
 * plan: nothing is shared with the caller's book or plan.  The thread
 * holds the object's lock `done` until it ends; whoever first needs a grid
 * (or close(), or the object's end) waits on the lock, with the GIL
 * released.  A sheet the thread could not read (an error: it stops there)
 * or did not read is read again where it is asked for, as without the
 * Ahead, so an error says what it always said.  close() frees the grids
 * and the book (its file) once no grid is lent; the object still stands
 * for its source afterwards.
 */
#include "_xlsxread.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    PyObject_HEAD
    source src;          /* the workbook (owned references) */
    const char *path;    /* the file, or NULL for a workbook in memory */
    const pb_api *api;
    PyThread_type_lock done; /* held until the thread has ended */
    int joined;          /* the thread has ended (or never started) */
    int closed;
    int lent;            /* grids lent (sheet_open), given back by xr_ahead_return */
    /* written by the thread before it releases `done` */
    pb_xr_book *book;
    pb_xr_grid **grids;  /* per sheet of book; NULL when not read */
    size_t n;
} ahead;

/* The thread: no Python, nothing but the object's own fields. */
static void ahead_run(void *arg)
{
    ahead *a = arg;
    pb_error err;
    pb_xr_limits lim = pb_xr_default_limits(); /* as dashboard() opens a book */
    pb_xr_book *b = a->path ? pb_xr_book_open_file(a->api, a->path, &lim, &err)
                            : pb_xr_book_open_buffer(a->api, a->src.view.buf,
                                                     (size_t)a->src.view.len, &lim, &err);
    size_t n = b ? pb_xr_sheet_count(b) : 0;
    pb_xr_grid **grids = b ? calloc(n ? n : 1, sizeof *grids) : NULL;
    for (size_t i = 0; grids && i < n; i++) {
        if (!pb_xr_sheet_has_name(b, i, "ind_"))
            continue;
        /* values only: the dashboard's formulas are worked out again */
        if (!(grids[i] = pb_xr_sheet_read_values(b, i, &err)))
            break; /* read again where it is asked for, which says the error */
    }
    a->book = b;
    a->grids = grids;
    a->n = grids ? n : 0;
    PyThread_release_lock(a->done);
}

/* Wait for the thread (the GIL released meanwhile). */
static void ahead_wait(ahead *a)
{
    if (a->joined)
        return;
    Py_BEGIN_ALLOW_THREADS
    PyThread_acquire_lock(a->done, WAIT_LOCK);
    Py_END_ALLOW_THREADS
    PyThread_release_lock(a->done); /* another waiter passes too */
    a->joined = 1;
}

static void ahead_free_grids(ahead *a)
{
    for (size_t i = 0; i < a->n; i++)
        pb_xr_grid_free(a->grids[i]);
    free(a->grids);
    pb_xr_book_free(a->book);
    a->grids = NULL;
    a->book = NULL;
    a->n = 0;
}

static void ahead_dealloc(PyObject *self)
{
    ahead *a = (ahead *)self;
    if (a->done) {
        ahead_wait(a);
        PyThread_free_lock(a->done);
    }
    ahead_free_grids(a);
    xr_source_free(&a->src);
    PyTypeObject *tp = Py_TYPE(self);
    freefunc tp_free = (freefunc)PyType_GetSlot(tp, Py_tp_free);
    tp_free(self);
    Py_DECREF(tp);
}

/* close(): wait for the thread and free what it read (now, or when the
 * last grid lent is given back). */
static PyObject *ahead_close(PyObject *self, PyObject *unused)
{
    (void)unused;
    ahead *a = (ahead *)self;
    ahead_wait(a);
    a->closed = 1;
    if (!a->lent)
        ahead_free_grids(a);
    Py_RETURN_NONE;
}

static PyMethodDef ahead_methods[] = {
    {"close", ahead_close, METH_NOARGS,
     "close(): wait for the thread, free the sheets it read and close the workbook"},
    {NULL, NULL, 0, NULL}};

static PyType_Slot ahead_slots[] = {
    {Py_tp_dealloc, (void *)ahead_dealloc},
    {Py_tp_methods, ahead_methods},
    {Py_tp_doc, (void *)"A workbook whose dashboard sheets are read on a second thread "
                        "(ahead()); taken wherever a workbook is."},
    {0, NULL}};

static PyType_Spec ahead_spec = {"planbook_xlsxread._xlsxread.Ahead", sizeof(ahead), 0,
                                 Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION,
                                 ahead_slots};

int xr_ahead_add_type(PyObject *m, xr_state *st)
{
    st->Ahead = PyType_FromSpec(&ahead_spec);
    if (!st->Ahead)
        return -1;
    return PyModule_AddObjectRef(m, "Ahead", st->Ahead);
}

static ahead *as_ahead(xr_state *st, PyObject *obj)
{
    return st->Ahead && PyObject_TypeCheck(obj, (PyTypeObject *)st->Ahead) ? (ahead *)obj : NULL;
}

PyObject *xr_ahead_new(PyObject *m, PyObject *obj)
{
    xr_state *st = get_state(m);
    ahead *a = (ahead *)PyType_GenericAlloc((PyTypeObject *)st->Ahead, 0); /* zeroed */
    if (!a)
        return NULL;
    if (!xr_source_get(st, obj, &a->src)) {
        Py_DECREF(a);
        return NULL;
    }
    a->path = a->src.is_buffer ? NULL : PyBytes_AsString(a->src.path_bytes);
    a->api = st->capi->core;
    a->done = PyThread_allocate_lock();
    if (!a->done) {
        Py_DECREF(a);
        return PyErr_NoMemory();
    }
    PyThread_acquire_lock(a->done, WAIT_LOCK); /* free: taken at once */
    if (PyThread_start_new_thread(ahead_run, a) == (unsigned long)-1) {
        /* no thread: nothing is read ahead, every sheet where it is asked for */
        PyThread_release_lock(a->done);
        a->joined = 1;
    }
    return (PyObject *)a;
}

int xr_ahead_source(xr_state *st, PyObject *obj, source *src)
{
    ahead *a = as_ahead(st, obj);
    if (!a)
        return 0;
    *src = a->src;
    Py_XINCREF(src->path_bytes);
    Py_XINCREF(src->shown);
    Py_XINCREF(src->data);
    return 1;
}

int xr_ahead_lend(xr_state *st, PyObject *obj, PyObject *which, pb_xr_book **book,
                  pb_xr_grid **g)
{
    ahead *a = as_ahead(st, obj);
    if (!a || a->closed)
        return 0;
    ahead_wait(a);
    if (a->closed)
        return 0; /* closed by another thread meanwhile */
    int64_t i = -1;
    if (PyLong_Check(which)) {
        Py_ssize_t k = PyLong_AsSsize_t(which);
        if (k == -1 && PyErr_Occurred())
            return -1;
        i = k;
    } else if (PyUnicode_Check(which) && a->book) {
        const char *name = PyUnicode_AsUTF8AndSize(which, NULL);
        if (!name)
            return -1;
        i = pb_xr_sheet_find(a->book, name);
    }
    if (i < 0 || (size_t)i >= a->n || !a->grids[i])
        return 0;
    *book = a->book;
    *g = a->grids[i];
    a->lent++;
    return 1;
}

void xr_ahead_return(PyObject *obj)
{
    ahead *a = (ahead *)obj;
    if (--a->lent == 0 && a->closed)
        ahead_free_grids(a);
}
