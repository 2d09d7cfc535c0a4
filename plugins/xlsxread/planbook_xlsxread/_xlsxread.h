/* _xlsxread.h - what the two units of planbook_xlsxread._xlsxread share:
 * the module's state, the source of a book (a path or the workbook's
 * bytes), and the dashboards read ahead on a second thread
 * (_xlsxread_ahead.c). */
#ifndef PB_XLSXREAD_BINDING_H
#define PB_XLSXREAD_BINDING_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "pb_xlsxread.h"
#include "planbook_capi.h"

typedef struct {
    const pb_capi *capi;
    PyObject *ReadError;
    PyObject *Ahead; /* the type of ahead()'s objects */
} xr_state;

static inline xr_state *get_state(PyObject *m) { return (xr_state *)PyModule_GetState(m); }

/* The source of a book: a path (str/bytes/PathLike) or the workbook's bytes
 * (bytes, bytearray or memoryview).  A bytes object is read where it lies;
 * a bytearray or memoryview is copied into a bytes object first (one copy
 * of the workbook): the buffer protocol (Py_buffer, which would lock a
 * bytearray against resizing while the GIL is released) is not in the
 * limited API before 3.11, and without that lock another thread could
 * resize it under the reader. */
typedef struct source {
    PyObject *path_bytes; /* owned */
    PyObject *shown;      /* owned: the file as given, or None */
    PyObject *data;       /* owned: the bytes object view points into */
    struct {
        const char *buf;
        Py_ssize_t len;
    } view;
    int is_buffer;
} source;

/* Fill src from obj (an Ahead gives its own source): 1, or 0 with an
 * exception set.  xr_source_free releases it. */
int xr_source_get(xr_state *st, PyObject *obj, source *src);
void xr_source_free(source *src);

/* ---------------------------------------------------- read ahead */

/* ahead(source) -> Ahead: the workbook's dashboard sheets (defined names
 * ind_...) read into grids on a second thread, started now; the object
 * stands for the workbook wherever a source is taken. */
PyObject *xr_ahead_new(PyObject *m, PyObject *obj);
/* Add the type Ahead to the module (0, or -1 with an exception set). */
int xr_ahead_add_type(PyObject *m, xr_state *st);
/* When obj is an Ahead: its source into src (new references) and 1; else
 * 0. */
int xr_ahead_source(xr_state *st, PyObject *obj, source *src);
/* When obj is an Ahead that read sheet `which` (a name or an index): wait
 * for its thread, lend the sheet's book and grid, and return 1 (give them
 * back with xr_ahead_return); else 0 (the caller reads the sheet itself).
 * -1 with an exception set. */
int xr_ahead_lend(xr_state *st, PyObject *obj, PyObject *which, pb_xr_book **book,
                  pb_xr_grid **g);
void xr_ahead_return(PyObject *obj);

#endif
