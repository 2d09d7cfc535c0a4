/* planbook_py.h - small helpers the CPython bindings share so that the same
 * code compiles both against the full C API and under the limited API
 * (Py_LIMITED_API=0x030A0000: the stable ABI, one abi3 build for Python
 * 3.10 and later).
 *
 * The bindings use the function forms of the C API unconditionally
 * (PyList_SetItem, PyTuple_GetItem, PyBytes_AsString, PyType_GetSlot, ...),
 * which exist in both builds; only what the limited API lacks outright is
 * written here.  docs/decisions.md ("abi3") has the measurements.
 *
 * Also what every binding module does alike: module setup (PBPY_MODULE,
 * pbpy_plugin_exec, pbpy_import_attr, pbpy_add_capsule) and raising an error about a file
 * with the system's errno (pbpy_raise_file, pbpy_set_errno).
 */
#ifndef PLANBOOK_PY_H
#define PLANBOOK_PY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "planbook_capi.h"

/* Py_SETREF / Py_XSETREF (not in the limited API): store v in *dst, then
 * release what was there (after the store, as the macros do, so that a
 * finaliser run by the release never sees the old object in *dst). */
static inline void pbpy_setref(PyObject **dst, PyObject *v)
{
    PyObject *old = *dst;
    *dst = v;
    Py_DECREF(old);
}

static inline void pbpy_xsetref(PyObject **dst, PyObject *v)
{
    PyObject *old = *dst;
    *dst = v;
    Py_XDECREF(old);
}

/* The name of o's type for a message, as a new reference, or NULL (never
 * with an exception set): format it with "%.100V", name, "?".
 * PyTypeObject.tp_name is not in the limited API and PyType_GetName is
 * only from 3.11; __name__ is what tp_name holds for built-in types and
 * classes written in Python (a C type declared as "module.Name" loses its
 * module prefix). */
static inline PyObject *pbpy_type_name(PyObject *o)
{
    PyObject *name = PyObject_GetAttrString((PyObject *)Py_TYPE(o), "__name__");
    if (name && !PyUnicode_Check(name))
        Py_CLEAR(name);
    if (!name)
        PyErr_Clear();
    return name;
}

/* PySequence_Fast without its macros (PySequence_Fast_GET_SIZE and
 * _GET_ITEM are not in the limited API): o's items as a tuple (o itself,
 * a new reference, when it is one), read with PyTuple_Size and
 * PyTuple_GetItem.  As PySequence_Fast does, a TypeError from asking o for
 * an iterator becomes TypeError(message).  A tuple, unlike the list that
 * PySequence_Fast hands back as it is, cannot change while its items are
 * converted (an __index__ may run Python code). */
static inline PyObject *pbpy_tuple_of(PyObject *o, const char *message)
{
    if (PyTuple_CheckExact(o))
        return Py_NewRef(o);
    if (PyList_CheckExact(o))
        return PyList_AsTuple(o);
    PyObject *it = PyObject_GetIter(o);
    if (!it) {
        if (PyErr_ExceptionMatches(PyExc_TypeError))
            PyErr_SetString(PyExc_TypeError, message);
        return NULL;
    }
    PyObject *t = PySequence_Tuple(it);
    Py_DECREF(it);
    return t;
}

/* Room for `more` bytes after the `len` used in *buf, a realloc'ed
 * buffer of *cap bytes (doubling, from 4096): 0 when the size would
 * overflow or memory is short (the buffer is then kept as it was).  Plain
 * realloc, safe without the GIL (PyMem_RawRealloc is not limited). */
static inline int pbpy_reserve(char **buf, size_t *cap, size_t len, size_t more)
{
    if (more > SIZE_MAX / 2 - len)
        return 0;
    if (len + more <= *cap)
        return 1;
    size_t n = *cap ? *cap : 4096;
    while (n < len + more)
        n *= 2;
    char *nb = (char *)realloc(*buf, n);
    if (!nb)
        return 0;
    *buf = nb;
    *cap = n;
    return 1;
}

/* ------------------------------------------------------ module setup */

/* module.name, imported (a new reference), or NULL with an exception set:
 * planbook.errors' classes for a module's state. */
static inline PyObject *pbpy_import_attr(const char *module, const char *name)
{
    PyObject *mod = PyImport_ImportModule(module);
    if (!mod)
        return NULL;
    PyObject *v = PyObject_GetAttrString(mod, name);
    Py_DECREF(mod);
    return v;
}

/* m.name = a new capsule of pointer named capsule_name; -1 on failure. */
static inline int pbpy_add_capsule(PyObject *m, const char *name, void *pointer,
                                   const char *capsule_name)
{
    PyObject *caps = PyCapsule_New(pointer, capsule_name, NULL);
    if (!caps)
        return -1;
    int rc = PyModule_AddObjectRef(m, name, caps);
    Py_DECREF(caps);
    return rc;
}

/* A format plugin's module state: the core's C API table (borrowed from
 * planbook._core, which stays loaded). */
typedef struct pbpy_plugin_state {
    const pb_capi *capi;
} pbpy_plugin_state;

/* The C API table of a plugin module m (its state's). */
static inline const pb_capi *pbpy_plugin_capi(PyObject *m)
{
    return ((pbpy_plugin_state *)PyModule_GetState(m))->capi;
}

/* A plugin module's exec: import the C API into its state, and publish
 * the version of the library it is built on as m.name.  -1 on failure. */
static inline int pbpy_plugin_exec(PyObject *m, const char *name, const char *version)
{
    const pb_capi *capi = pb_capi_import();
    if (!capi)
        return -1;
    ((pbpy_plugin_state *)PyModule_GetState(m))->capi = capi;
    return PyModule_AddStringConstant(m, name, version);
}

/* A module with state, multi-phase init and one exec function: its slots,
 * its PyModuleDef (pbpy_module<init>) and PyInit_<init>; init is the
 * module's last name (_yaml).  traverse, clear and free may be NULL
 * (a state that holds no Python object). */
#define PBPY_MODULE(init, dotted_name, doc, state_type, methods, exec, traverse, clear, free) \
    static PyModuleDef_Slot pbpy_slots##init[] = {{Py_mod_exec, (void *)(exec)},          \
                                                     {0, NULL}};                             \
    static PyModuleDef pbpy_module##init = {                                                     \
        PyModuleDef_HEAD_INIT,                                                               \
        .m_name = dotted_name,                                                               \
        .m_doc = doc,                                                                        \
        .m_size = sizeof(state_type),                                                        \
        .m_methods = methods,                                                                \
        .m_slots = pbpy_slots##init,                                                      \
        .m_traverse = traverse,                                                              \
        .m_clear = clear,                                                                    \
        .m_free = free,                                                                      \
    };                                                                                       \
    PyMODINIT_FUNC PyInit_##init(void) { return PyModuleDef_Init(&pbpy_module##init); }

/* ------------------------------------------------------------ errors */

/* Give the exception being raised (planbook's WriteError, an OSError) the
 * system's errno e and its strerror, so that planbook.formats can say "no
 * space left on device" and callers can test exc.errno.  Nothing for e 0.
 * PyErr_GetRaisedException is 3.12's; before it (and in the 3.10 limited
 * API) PyErr_Fetch. */
static inline void pbpy_set_errno(int e)
{
    if (!e)
        return;
#if PY_VERSION_HEX >= 0x030C0000 && (!defined(Py_LIMITED_API) || Py_LIMITED_API >= 0x030C0000)
    PyObject *value = PyErr_GetRaisedException();
#else
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
#endif
    if (value) {
        PyObject *num = PyLong_FromLong(e), *text = PyUnicode_DecodeLocale(strerror(e), NULL);
        if (!num || !text || PyObject_SetAttrString(value, "errno", num) < 0 ||
            PyObject_SetAttrString(value, "strerror", text) < 0)
            PyErr_Clear(); /* the error itself is still raised */
        Py_XDECREF(num);
        Py_XDECREF(text);
    }
#if PY_VERSION_HEX >= 0x030C0000 && (!defined(Py_LIMITED_API) || Py_LIMITED_API >= 0x030C0000)
    PyErr_SetRaisedException(value);
#else
    PyErr_Restore(type, value, tb);
#endif
}

/* Raise planbook's exception of kind for err about the file at path (str,
 * bytes or os.PathLike: shown as os.fspath gives it), with the system's
 * errno sys_errno (0: none).  Returns NULL. */
static inline PyObject *pbpy_raise_file(const pb_capi *capi, pb_error_kind kind,
                                        const pb_error *err, PyObject *path, int sys_errno)
{
    PyObject *shown = path ? PyOS_FSPath(path) : NULL;
    if (!shown)
        PyErr_Clear();
    capi->raise_error(kind, err, shown);
    Py_XDECREF(shown);
    pbpy_set_errno(sys_errno);
    return NULL;
}

#endif
