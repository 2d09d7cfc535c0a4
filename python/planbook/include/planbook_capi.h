/* planbook_capi.h - what planbook._core publishes to format plugins in C.
 *
 * The capsule "planbook._core._C_API" holds a pb_capi: the core's function
 * table (pb_api.h: every public pb_* function) and the Python-facing glue
 * (wrap a pb_plan in a Python object, raise planbook's exceptions).  A
 * plugin calls pb_capi_import() once, in its module's exec slot.
 */
#ifndef PLANBOOK_CAPI_H
#define PLANBOOK_CAPI_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "pb_api.h"

#define PB_CAPI_VERSION 1
#define PB_CAPI_NAME "planbook._core._C_API"

/* Which planbook exception raise_error raises. */
typedef enum pb_error_kind {
    PB_KIND_READ = 0,       /* planbook.ReadError */
    PB_KIND_WRITE = 1,      /* planbook.WriteError */
    PB_KIND_VALIDATION = 2  /* planbook.ValidationError (AmountError for amounts) */
} pb_error_kind;

typedef struct pb_capi {
    unsigned version; /* PB_CAPI_VERSION */
    size_t size;      /* sizeof(pb_capi) of the core that filled it */
    const pb_api *core;
    /* A new planbook._core.PlanCore owning `plan` (a new reference), or NULL
     * with an exception set; the plan is freed on failure. */
    PyObject *(*plan_wrap)(pb_plan *plan);
    /* The plan inside a PlanCore (borrowed), or NULL with TypeError set. */
    pb_plan *(*plan_unwrap)(PyObject *obj);
    /* Raise the planbook exception for err: MemoryError for PB_ERR_NOMEM,
     * else the class for `kind`, carrying file (may be NULL), line, column,
     * data path and status name.  Returns NULL. */
    PyObject *(*raise_error)(pb_error_kind kind, const pb_error *err,
                             PyObject *file);
} pb_capi;

/* The table (borrowed, valid while planbook._core is loaded), or NULL with
 * an exception set. */
static inline const pb_capi *pb_capi_import(void)
{
    const pb_capi *api = (const pb_capi *)PyCapsule_Import(PB_CAPI_NAME, 0);
    if (!api)
        return NULL;
    if (api->version != PB_CAPI_VERSION || api->size < sizeof(pb_capi) ||
        api->core->version != PB_API_VERSION || api->core->size < sizeof(pb_api)) {
        PyErr_Format(PyExc_ImportError,
                     "the planbook C API (version %u) does not match this "
                     "plugin's (version %u): rebuild the plugin against the "
                     "installed planbook",
                     api->version, (unsigned)PB_CAPI_VERSION);
        return NULL;
    }
    return api;
}

#endif
