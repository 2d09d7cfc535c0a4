/* _xlsxmodule.c - planbook_xlsx._xlsx: the Python binding of the Excel
 * writer (pb_xlsx*.c, on libxlsxwriter).  It reaches the core through the
 * capsule planbook._core._C_API. */
#include "planbook_py.h" /* Python.h, planbook_capi.h */

#include "pb_xlsx.h"

int xl_verify_package(const char *path, char *why, size_t cap);

#include <xlsxwriter.h>

#include <errno.h>
#include <string.h>

/* The GIL, released while the finished package is read back (pb_xlsx.h). */
static void *release_gil(void) { return PyEval_SaveThread(); }
static void take_gil(void *state) { PyEval_RestoreThread((PyThreadState *)state); }

/* write(plan_core, path, constant_memory=True, cached_results=True, tmpdir=None,
 *       structure=None): structure is the plan's YAML without its budget
 *       tables, for the hidden structure sheet */
static PyObject *xlsx_write(PyObject *m, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"plan", "path", "constant_memory", "cached_results", "tmpdir",
                             "structure", NULL};
    const pb_capi *capi = pbpy_plugin_capi(m);
    PyObject *obj, *path, *tmpdir = Py_None;
    const char *structure = NULL;
    Py_ssize_t structure_len = 0;
    int constant_memory = 1, cached = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|ppOz#:write", kwlist, &obj, &path,
                                     &constant_memory, &cached, &tmpdir, &structure,
                                     &structure_len))
        return NULL;
    pb_plan *plan = capi->plan_unwrap(obj);
    if (!plan)
        return NULL;
    PyObject *bpath = NULL, *btmp = NULL;
    if (!PyUnicode_FSConverter(path, &bpath))
        return NULL;
    if (tmpdir != Py_None && !PyUnicode_FSConverter(tmpdir, &btmp)) {
        Py_DECREF(bpath);
        return NULL;
    }
    pb_xlsx_options opt = pb_xlsx_default_options();
    opt.constant_memory = constant_memory;
    opt.cached_results = cached;
    opt.tmpdir = btmp ? PyBytes_AsString(btmp) : NULL;
    opt.structure_yaml = structure;
    opt.structure_len = (size_t)structure_len;
    opt.unlock = release_gil;
    opt.relock = take_gil;
    pb_error err;
    pb_status st = pb_xlsx_write(capi->core, plan, PyBytes_AsString(bpath), &opt, &err);
    int sys_errno = errno; /* why, when the system said (pb_xlsx.h) */
    Py_DECREF(bpath);
    Py_XDECREF(btmp);
    if (st != PB_OK)
        return pbpy_raise_file(capi, PB_KIND_WRITE, &err, path, st == PB_ERR_IO ? sys_errno : 0);
    Py_RETURN_NONE;
}

/* verify(path): raise WriteError unless the workbook reads back sound */
static PyObject *xlsx_verify(PyObject *m, PyObject *path)
{
    const pb_capi *capi = pbpy_plugin_capi(m);
    PyObject *bpath = NULL;
    if (!PyUnicode_FSConverter(path, &bpath))
        return NULL;
    char why[300];
    int ok;
    Py_BEGIN_ALLOW_THREADS
    ok = xl_verify_package(PyBytes_AsString(bpath), why, sizeof why);
    Py_END_ALLOW_THREADS
    Py_DECREF(bpath);
    if (!ok) {
        pb_error err;
        capi->core->pb_error_set(&err, PB_ERR_IO, "%s", why);
        err.line = err.column = 0;
        err.path[0] = '\0';
        return pbpy_raise_file(capi, PB_KIND_WRITE, &err, path, 0);
    }
    Py_RETURN_NONE;
}

static PyMethodDef xlsx_methods[] = {
    {"verify", xlsx_verify, METH_O,
     "verify(path): check every member's CRC and size and every XML part's structure"},
    {"write", (PyCFunction)(void (*)(void))xlsx_write, METH_VARARGS | METH_KEYWORDS,
     "write(plan_core, path, constant_memory=True, cached_results=True, tmpdir=None, "
     "structure=None)"},
    {NULL, NULL, 0, NULL}};

/* SHORTEST_NUMBERS: libxlsxwriter was built with its dtoa (tools/build_deps.sh),
 * so numbers are written in their shortest round-trip form; else printf's
 * %.16G, which loses the 17th digit some doubles need. */
#ifdef PB_XLSX_DTOA
#define SHORTEST_NUMBERS 1
#else
#define SHORTEST_NUMBERS 0
#endif

static int xlsx_exec(PyObject *m)
{
    if (PyModule_AddIntConstant(m, "SHORTEST_NUMBERS", SHORTEST_NUMBERS) < 0)
        return -1;
    return pbpy_plugin_exec(m, "LIBXLSXWRITER_VERSION", LXW_VERSION);
}

PBPY_MODULE(_xlsx, "planbook_xlsx._xlsx", "planbook's Excel writer, on libxlsxwriter (internal).",
            pbpy_plugin_state, xlsx_methods, xlsx_exec, NULL, NULL, NULL)
