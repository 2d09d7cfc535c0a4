/* _yamlmodule.c - planbook_yaml._yaml: the Python binding of the YAML
 * plugin (pb_yaml_read.c, pb_yaml_write.c).
 *
 * It reaches the core through the capsule planbook._core._C_API; the plan
 * it reads is built by the core's own functions and handed to Python as a
 * planbook._core.PlanCore.  The GIL is released while a file is read (the
 * new plan is not shared with any other thread yet) and while a plan is
 * written (held by the plan's guard, capi->plan_enter: another thread's
 * call on it waits until plan_leave).
 */
#include "planbook_py.h" /* Python.h, planbook_capi.h */

#include "pb_platform.h"
#include "pb_yaml.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* load(path) -> PlanCore */
static PyObject *yaml_load(PyObject *m, PyObject *arg)
{
    const pb_capi *capi = pbpy_plugin_capi(m);
    PyObject *bytes = NULL;
    if (!PyUnicode_FSConverter(arg, &bytes))
        return NULL;
    PyObject *shown = PyOS_FSPath(arg);
    if (!shown) {
        Py_DECREF(bytes);
        return NULL;
    }
    pb_error err;
    pb_plan *plan = NULL;
    FILE *f = NULL;
    int open_errno = 0;
    const char *cpath = PyBytes_AsString(bytes); /* with the GIL: a Python object */
    Py_BEGIN_ALLOW_THREADS
    f = pb_fopen(cpath, "rb");
    if (!f) {
        open_errno = errno;
    } else {
        plan = pb_yaml_read_file(capi->core, f, NULL, &err);
        fclose(f);
    }
    Py_END_ALLOW_THREADS
    Py_DECREF(bytes);
    if (!f) {
        errno = open_errno;
        PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, shown);
        Py_DECREF(shown);
        return NULL;
    }
    Py_DECREF(shown);
    if (!plan)
        return pbpy_raise_file(capi, PB_KIND_READ, &err, arg, 0);
    return capi->plan_wrap(plan);
}

/* loads(data: bytes | str, name=None) -> PlanCore */
static PyObject *yaml_loads(PyObject *m, PyObject *args)
{
    const pb_capi *capi = pbpy_plugin_capi(m);
    PyObject *data, *name = Py_None;
    if (!PyArg_ParseTuple(args, "O|O:loads", &data, &name))
        return NULL;
    const char *buf;
    Py_ssize_t n;
    if (PyUnicode_Check(data)) {
        buf = PyUnicode_AsUTF8AndSize(data, &n);
        if (!buf)
            return NULL;
    } else if (PyBytes_Check(data)) {
        buf = PyBytes_AsString(data);
        n = PyBytes_Size(data);
    } else {
        PyObject *tn = pbpy_type_name(data);
        PyErr_Format(PyExc_TypeError, "loads() takes str or bytes, not %.100V", tn, "?");
        Py_XDECREF(tn);
        return NULL;
    }
    pb_error err;
    pb_plan *plan;
    Py_INCREF(data); /* keep the buffer alive while the GIL is released */
    Py_BEGIN_ALLOW_THREADS
    plan = pb_yaml_read_buffer(capi->core, (const unsigned char *)buf, (size_t)n, NULL, &err);
    Py_END_ALLOW_THREADS
    Py_DECREF(data);
    if (!plan)
        return capi->raise_error(PB_KIND_READ, &err, name);
    return capi->plan_wrap(plan);
}

/* The file being written, and the errno of its first failed write (kept
 * for the message: later calls may change errno). */
typedef struct {
    FILE *f;
    int err;
} file_out;

static int file_sink(void *ctx, const unsigned char *data, size_t size)
{
    file_out *out = ctx;
    errno = 0;
    if (fwrite(data, 1, size, out->f) == size)
        return 1;
    if (!out->err)
        out->err = errno ? errno : EIO;
    return 0;
}

/* The text dumps() collects (grown by pbpy_reserve: the sink is called
 * without the GIL). */
typedef struct {
    char *buf;
    size_t len, cap;
} membuf;

static int mem_sink(void *ctx, const unsigned char *data, size_t size)
{
    membuf *mb = ctx;
    if (!pbpy_reserve(&mb->buf, &mb->cap, mb->len, size))
        return 0;
    memcpy(mb->buf + mb->len, data, size);
    mb->len += size;
    return 1;
}

/* dump(plan, path): write (the caller makes it atomic) */
static PyObject *yaml_dump(PyObject *m, PyObject *args)
{
    const pb_capi *capi = pbpy_plugin_capi(m);
    PyObject *obj, *path;
    if (!PyArg_ParseTuple(args, "OO:dump", &obj, &path))
        return NULL;
    PyObject *bytes = NULL;
    if (!PyUnicode_FSConverter(path, &bytes))
        return NULL;
    pb_plan *plan = capi->plan_enter(obj);
    if (!plan) {
        Py_DECREF(bytes);
        return NULL;
    }
    FILE *f;
    file_out out = {NULL, 0};
    pb_error err;
    pb_status st = PB_OK;
    int open_errno = 0;
    const char *cpath = PyBytes_AsString(bytes); /* with the GIL: a Python object */
    Py_BEGIN_ALLOW_THREADS
    f = out.f = pb_fopen(cpath, "wb");
    if (!f)
        open_errno = errno;
    else
        st = pb_yaml_write(capi->core, plan, file_sink, &out, &err);
    Py_END_ALLOW_THREADS
    capi->plan_leave(obj);
    Py_DECREF(bytes);
    if (!f) {
        errno = open_errno;
        return PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, path);
    }
    errno = 0;
    int close_failed = fflush(f) != 0 || ferror(f);
    if (close_failed && !out.err)
        out.err = errno ? errno : EIO;
    errno = 0;
    if (fclose(f) != 0) {
        close_failed = 1;
        if (!out.err)
            out.err = errno ? errno : EIO;
    }
    if ((st == PB_OK && close_failed) || (st == PB_ERR_IO && out.err)) {
        /* the system's reason instead of the writer's "writing the file failed" */
        capi->core->pb_error_set(&err, PB_ERR_IO, "writing the file failed: %s",
                                 strerror(out.err));
        st = PB_ERR_IO;
    }
    if (st != PB_OK)
        return pbpy_raise_file(capi, PB_KIND_WRITE, &err, path, st == PB_ERR_IO ? out.err : 0);
    Py_RETURN_NONE;
}

/* dumps(plan, budgets=True) -> str */
static PyObject *yaml_dumps(PyObject *m, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"plan", "budgets", NULL};
    PyObject *obj;
    int budgets = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|p:dumps", kwlist, &obj, &budgets))
        return NULL;
    const pb_capi *capi = pbpy_plugin_capi(m);
    pb_plan *plan = capi->plan_enter(obj);
    if (!plan)
        return NULL;
    membuf mb = {NULL, 0, 0};
    pb_error err;
    pb_status st;
    Py_BEGIN_ALLOW_THREADS
    st = pb_yaml_write_opts(capi->core, plan, budgets ? 0 : PB_YAML_NO_BUDGETS, mem_sink, &mb,
                            &err);
    Py_END_ALLOW_THREADS
    capi->plan_leave(obj);
    PyObject *res = NULL;
    if (st != PB_OK) {
        if (err.status == PB_ERR_IO) /* the memory sink only fails for memory */
            PyErr_NoMemory();
        else
            capi->raise_error(PB_KIND_WRITE, &err, NULL);
    } else {
        res = PyUnicode_DecodeUTF8(mb.buf ? mb.buf : "", (Py_ssize_t)mb.len, "strict");
    }
    free(mb.buf);
    return res;
}

static PyMethodDef yaml_methods[] = {
    {"load", yaml_load, METH_O, "load(path) -> planbook._core.PlanCore"},
    {"loads", yaml_loads, METH_VARARGS, "loads(data, name=None) -> planbook._core.PlanCore"},
    {"dump", yaml_dump, METH_VARARGS, "dump(plan_core, path) -> None"},
    {"dumps", (PyCFunction)(void (*)(void))yaml_dumps, METH_VARARGS | METH_KEYWORDS,
     "dumps(plan_core, budgets=True) -> str (budgets=False leaves the budget tables out)"},
    {NULL, NULL, 0, NULL}};

static int yaml_exec(PyObject *m)
{
    return pbpy_plugin_exec(m, "LIBYAML_VERSION", yaml_get_version_string());
}

PBPY_MODULE(_yaml, "planbook_yaml._yaml", "planbook's YAML reader and writer, on libyaml (internal).",
            pbpy_plugin_state, yaml_methods, yaml_exec, NULL, NULL, NULL)
