/* planbook_py.h - small helpers the CPython bindings share so that the same
 * code compiles both against the full C API and under the limited API
 * (Py_LIMITED_API=0x030A0000: the stable ABI, one abi3 build for Python
 * 3.10 and later).
 *
 * The bindings use the function forms of the C API unconditionally
 * (PyList_SetItem, PyTuple_GetItem, PyBytes_AsString, PyType_GetSlot, ...),
 * which exist in both builds; only what the limited API lacks outright is
 * written here.  docs/decisions.md ("abi3") has the measurements.
 */
#ifndef PLANBOOK_PY_H
#define PLANBOOK_PY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

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

#endif
