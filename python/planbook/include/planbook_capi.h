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

/* Major and minor version of struct pb_capi, bumped as PB_API_VERSION and
 * PB_API_MINOR are (pb_api.h): the major when a member changes, the minor
 * when members are only appended. */
#define PB_CAPI_VERSION 1
#define PB_CAPI_MINOR 2
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
    /* The plan inside a PlanCore (borrowed), or NULL with TypeError set.
     * Waits (the GIL released) while another thread works on the plan
     * through plan_enter or a method that releases the GIL; the caller
     * then uses the plan with the GIL held. */
    pb_plan *(*plan_unwrap)(PyObject *obj);
    /* Raise the planbook exception for err: MemoryError for PB_ERR_NOMEM,
     * else the class for `kind`, carrying file (may be NULL), line, column,
     * data path and status name.  Returns NULL. */
    PyObject *(*raise_error)(pb_error_kind kind, const pb_error *err,
                             PyObject *file);
    /* (minor 2) plan_unwrap, holding the plan's guard for this thread until
     * plan_leave(obj): another thread's call on the plan waits meanwhile,
     * so the caller may release the GIL while it works on the plan (and
     * touches no Python object).  Calls nest within one thread.  NULL with
     * an exception set (then no plan_leave). */
    pb_plan *(*plan_enter)(PyObject *obj);
    void (*plan_leave)(PyObject *obj);
} pb_capi;

/* Whether `api` (a capsule's table) serves a plugin compiled with these
 * headers: the same major versions, and tables at least as large as the
 * plugin's (a core newer by minor versions has appended members the
 * plugin does not know; one older lacks members the plugin may call).
 * Returns api, or NULL with an ImportError naming both versions. */
static inline const pb_capi *pb_capi_check(const pb_capi *api)
{
    if (api->version != PB_CAPI_VERSION || api->core->version != PB_API_VERSION) {
        int newer = api->version < PB_CAPI_VERSION ||
                    (api->version == PB_CAPI_VERSION && api->core->version < PB_API_VERSION);
        PyErr_Format(PyExc_ImportError,
                     "this plugin was built for planbook's C API version %u (core "
                     "functions version %u), but the installed planbook provides "
                     "version %u (core functions version %u): %s",
                     (unsigned)PB_CAPI_VERSION, (unsigned)PB_API_VERSION, api->version,
                     api->core->version,
                     newer ? "install the newer planbook it was built for, or rebuild "
                             "the plugin against the installed one"
                           : "rebuild the plugin against the installed planbook");
        return NULL;
    }
    if (api->size < sizeof(pb_capi) || api->core->size < sizeof(pb_api)) {
        PyErr_Format(PyExc_ImportError,
                     "this plugin was built for a newer planbook C API (version %u.%u, "
                     "core functions %u.%u: tables of %zu and %zu bytes) than the "
                     "installed planbook provides (tables of %zu and %zu bytes): "
                     "upgrade planbook, or rebuild the plugin against the installed one",
                     (unsigned)PB_CAPI_VERSION, (unsigned)PB_CAPI_MINOR,
                     (unsigned)PB_API_VERSION, (unsigned)PB_API_MINOR, sizeof(pb_capi),
                     sizeof(pb_api), api->size, api->core->size);
        return NULL;
    }
    return api;
}

/* The table (borrowed, valid while planbook._core is loaded), or NULL with
 * an exception set (an ImportError when the versions do not match:
 * pb_capi_check). */
static inline const pb_capi *pb_capi_import(void)
{
    const pb_capi *api = (const pb_capi *)PyCapsule_Import(PB_CAPI_NAME, 0);
    return api ? pb_capi_check(api) : NULL;
}

#endif
