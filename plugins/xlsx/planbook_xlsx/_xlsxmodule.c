/* _xlsxmodule.c - planbook_xlsx._xlsx: the Python binding of the Excel
 * writer (pb_xlsx*.c, on libxlsxwriter).  It reaches the core through the
 * capsule planbook._core._C_API. */
#include "planbook_py.h" /* Python.h, planbook_capi.h */

#include "pb_platform.h"
#include "pb_xlsx.h"

int xl_verify_package(const char *path, char *why, size_t cap);
unsigned long xl_zipcheck_count(void);

#include <xlsxwriter.h>

#include <errno.h>
#include <string.h>
#include <time.h>

/* The workbook is written without the GIL from the plan's check to the
 * read-back, deflate included: pb_xlsx_write touches no Python object, the
 * plan's guard (capi->plan_enter) keeps other threads off the plan, and
 * every save packages in its own private folder.  What libxlsxwriter
 * shares between threads is gmtime()'s buffer (the created date): glibc's
 * is one per process, so on Linux the static library's calls go to
 * __wrap_gmtime below (setup.py links with --wrap=gmtime); macOS's and
 * Windows' are per thread.  A libxlsxwriter from the system on another
 * Unix keeps the GIL but for the read-back. */
#if defined(PB_XLSX_GMTIME_WRAP) || defined(_WIN32) || defined(__APPLE__)
#define WRITE_WITHOUT_GIL 1
#else
#define WRITE_WITHOUT_GIL 0
#endif

#ifdef PB_XLSX_GMTIME_WRAP
struct tm *__wrap_gmtime(const time_t *t);
struct tm *__wrap_gmtime(const time_t *t)
{
    static _Thread_local struct tm buf;
    return pb_gmtime(t, &buf);
}
#endif

#if !WRITE_WITHOUT_GIL
/* The GIL, released while the finished package is read back (pb_xlsx.h),
 * when it is held for the rest. */
static void *release_gil(void) { return PyEval_SaveThread(); }
static void take_gil(void *state) { PyEval_RestoreThread((PyThreadState *)state); }
#endif

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
    PyObject *bpath = NULL, *btmp = NULL;
    if (!PyUnicode_FSConverter(path, &bpath))
        return NULL;
    if (tmpdir != Py_None && !PyUnicode_FSConverter(tmpdir, &btmp)) {
        Py_DECREF(bpath);
        return NULL;
    }
    pb_plan *plan = capi->plan_enter(obj);
    if (!plan) {
        Py_DECREF(bpath);
        Py_XDECREF(btmp);
        return NULL;
    }
    pb_xlsx_options opt = pb_xlsx_default_options();
    opt.constant_memory = constant_memory;
    opt.cached_results = cached;
    opt.tmpdir = btmp ? PyBytes_AsString(btmp) : NULL;
    opt.structure_yaml = structure;
    opt.structure_len = (size_t)structure_len;
    pb_error err;
    pb_status st;
    int sys_errno; /* why, when the system said (pb_xlsx.h) */
    const char *cpath = PyBytes_AsString(bpath);
#if WRITE_WITHOUT_GIL
    Py_BEGIN_ALLOW_THREADS
    st = pb_xlsx_write(capi->core, plan, cpath, &opt, &err);
    sys_errno = errno;
    Py_END_ALLOW_THREADS
#else
    opt.unlock = release_gil;
    opt.relock = take_gil;
    st = pb_xlsx_write(capi->core, plan, cpath, &opt, &err);
    sys_errno = errno;
#endif
    capi->plan_leave(obj);
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
    const char *cpath = PyBytes_AsString(bpath); /* with the GIL: a Python object */
    Py_BEGIN_ALLOW_THREADS
    ok = xl_verify_package(cpath, why, sizeof why);
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

/* deflate_seen(): (parts deflated by this thread's saves, the level of the
 * last), or None when this build leaves the level to libxlsxwriter */
static PyObject *xlsx_deflate_seen(PyObject *m, PyObject *unused)
{
    (void)m;
    (void)unused;
    unsigned long count;
    int level;
    if (!pb_xlsx_deflate_seen(&count, &level))
        Py_RETURN_NONE;
    return Py_BuildValue("(ki)", count, level);
}

/* zip_checked(): parts this thread's saves checked on their way into the
 * zip (pb_xlsx_zipcheck.c), or None when this build reads the package back
 * in full */
static PyObject *xlsx_zip_checked(PyObject *m, PyObject *unused)
{
    (void)m;
    (void)unused;
#ifdef PB_XLSX_ZIP_WRAP
    return PyLong_FromUnsignedLong(xl_zipcheck_count());
#else
    (void)xl_zipcheck_count;
    Py_RETURN_NONE;
#endif
}

static PyMethodDef xlsx_methods[] = {
    {"deflate_seen", xlsx_deflate_seen, METH_NOARGS,
     "deflate_seen(): (parts this thread deflated, the last one's level), or None"},
    {"verify", xlsx_verify, METH_O,
     "verify(path): check every member's CRC and size and every XML part's structure"},
    {"zip_checked", xlsx_zip_checked, METH_NOARGS,
     "zip_checked(): parts this thread's saves checked on their way into the zip, or None"},
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
    if (PyModule_AddIntConstant(m, "SHORTEST_NUMBERS", SHORTEST_NUMBERS) < 0 ||
        PyModule_AddIntConstant(m, "DEFLATE_LEVEL", PB_XLSX_DEFLATE_LEVEL) < 0)
        return -1;
    return pbpy_plugin_exec(m, "LIBXLSXWRITER_VERSION", LXW_VERSION);
}

PBPY_MODULE(_xlsx, "planbook_xlsx._xlsx", "planbook's Excel writer, on libxlsxwriter (internal).",
            pbpy_plugin_state, xlsx_methods, xlsx_exec, NULL, NULL, NULL)
