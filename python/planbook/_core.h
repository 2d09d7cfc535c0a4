/* _core.h - what the compilation units of planbook._core share (private:
 * no other extension includes it).
 *
 * The binding is split by concern, one file a part of the plan:
 *   _coremodule.c      module state, errors, shared helpers, the PlanCore
 *                      type, module functions, the C API capsule, module init
 *   _coreguard.c       the plan's guard (one thread at a time on a plan),
 *                      PlanCore's method table joined from the files below,
 *                      each method through the guard
 *   _coreparts.c       the methods every part kind has (count, find, add,
 *                      remove, get, set, and the same for its members),
 *                      written once over a core_part descriptor
 *   _coreplan.c        plan settings, checks (findings), agreements
 *   _coretables.c      budget tables, columns, rows, cells
 *   _coreindicators.c  indicator sets and their measures
 *   _corerisks.c       risk registers and their risks
 *   _corerecords.c     collections of records and their items
 *   _corearrow.c       Arrow C streams of tables and observations
 *
 * Naming: every function of the binding is core_<object>_<verb>
 * (core_table_get, core_measure_set, core_part_find, core_error_raise);
 * a Python method's C function is named after the object and verb it
 * exposes.  Each file's methods are in a table core_<file>_methods.
 */
#ifndef PLANBOOK_CORE_H
#define PLANBOOK_CORE_H

#include "planbook_py.h"

#include "planbook.h"
#include "planbook_capi.h"

#include <string.h>

/* ============================================================ state */

/* planbook.errors' classes the core raises, in core_state.errors */
enum { CORE_READ_ERROR, CORE_WRITE_ERROR, CORE_VALIDATION_ERROR, CORE_AMOUNT_ERROR,
       CORE_ERROR_COUNT };

typedef struct core_state {
    PyTypeObject *PlanCore;
    PyObject *errors[CORE_ERROR_COUNT];
} core_state;

typedef struct {
    PyObject_HEAD
    pb_plan *plan;
    /* the guard (_coreguard.c): held by thread `owner`, `depth` calls
     * deep; lock (made at the first call) is held while `unlocked`: the
     * owner may run without the GIL */
    PyThread_type_lock lock;
    unsigned long owner;
    int depth, unlocked;
} PlanCoreObject;

#define PLAN(self) (((PlanCoreObject *)(self))->plan)

/* ============================================================ guard */

/* Every method and attribute of PlanCore runs inside the guard (the
 * trampolines of _coreguard.c), so a method may release the GIL around
 * the core's work on its plan, CORE_BEGIN_UNLOCKED(self) ...
 * CORE_END_UNLOCKED(self), touching no Python object in between.  Another
 * thread's call on the same plan waits meanwhile. */

/* Take self's guard for this thread (calls nest), waiting without the GIL
 * while another thread holds it.  Returns 0 with an exception set. */
int core_plan_enter(PyObject *self);
void core_plan_leave(PyObject *self);
/* Wait until no other thread holds self's guard, without taking it (for a
 * caller that then works on the plan with the GIL held). */
int core_plan_wait(PyObject *self);
/* the lock's memory, at dealloc */
void core_plan_guard_free(PyObject *self);
/* Around a span in which the owner may release the GIL (plan_enter's
 * callers) */
void core_plan_lock(PyObject *self);
void core_plan_unlock(PyObject *self);
/* core_plan_lock, then release the GIL; take it back, then unlock */
void *core_plan_release_gil(PyObject *self);
void core_plan_take_gil(PyObject *self, void *state);
#define CORE_BEGIN_UNLOCKED(self)                                                           \
    {                                                                                       \
        void *core_gil_state_ = core_plan_release_gil(self);
#define CORE_END_UNLOCKED(self)                                                             \
    core_plan_take_gil(self, core_gil_state_);                                              \
    }

/* check(): the findings, gathered without the GIL (_corefindings.c) */
PyObject *core_plan_check(PyObject *self, PyObject *a);

/* PlanCore's methods and attributes, joined through the guard */
#define CORE_METHODS_MAX 160
extern PyMethodDef core_methods[CORE_METHODS_MAX];
extern PyGetSetDef core_getset[];
int core_methods_join(void);

/* the state of the module that made self's type (PlanCore's methods) */
core_state *core_state_of(PyObject *self);
/* the state of a module object (module functions) */
core_state *core_state_of_module(PyObject *module);

/* =========================================================== errors */

/* raise_error's kinds, and one of the binding's own: a period, date or
 * other value that is not an amount (ValidationError, never AmountError) */
#define CORE_KIND_VALUE (PB_KIND_VALIDATION + 1)

/* Raise the planbook exception for err (MemoryError for PB_ERR_NOMEM),
 * carrying file (may be NULL), line, column, data path and status name.
 * Returns NULL. */
PyObject *core_error_raise(core_state *st, int kind, const pb_error *err, PyObject *file);
/* core_error_raise for an edit of self's plan refused by the core */
PyObject *core_error_model(PyObject *self, const pb_error *err);

/* None, or (failed: the core refused an edit of self's plan, err says
 * why) NULL with the error raised */
PyObject *core_error_or_none(PyObject *self, int failed, const pb_error *err);

/* ========================================================== helpers */

/* s (UTF-8) as a str, or None for NULL; a new reference */
PyObject *core_text_or_none(const char *s);
/* Text argument: None -> (NULL, 0) when allow_none, str -> UTF-8 without
 * NUL characters.  Returns 0 with an exception set. */
int core_text_arg(PyObject *o, const char **s, Py_ssize_t *n, int allow_none);
/* A text argument for a core call (a setter's new value: NULL clears; a
 * text to parse) and the error the call reports into. */
typedef struct core_text_value {
    const char *s;
    size_t n;
    pb_error err;
} core_text_value;
/* value into v as core_text_arg takes it, v's error cleared; returns 0 with
 * an exception set. */
int core_text_value_arg(PyObject *value, core_text_value *v, int allow_none);
/* An index argument (METH_O); returns 0 with an exception set. */
int core_index_arg(PyObject *o, Py_ssize_t *i);
/* d[key] = value as a str (undecodable bytes replaced) or None; returns 0
 * with an exception set. */
int core_dict_put_text(PyObject *d, const char *key, const char *value);
/* d[names[f]] = texts[f] as core_dict_put_text puts it, for f < n;
 * returns 0 with an exception set. */
int core_dict_put_texts(PyObject *d, const char *const *names, const char *const *texts, int n);
/* v, or None for PB_NONE, as a new reference */
PyObject *core_index_or_none(uint32_t v);
/* a period's canonical text, or None */
PyObject *core_period_text(const pb_plan *plan, pb_period p);
/* a date (yyyymmdd) as (y, m, d), or None for 0 */
PyObject *core_date_or_none(int32_t d);
/* value's index among n names, or -1 */
int core_name_index(const char *const *names, int n, const char *value);

/* ====================================================== part kinds */

/* One kind of part of a plan (budget tables, indicator sets, risk
 * registers, collections of records), its members (rows, measures, risks,
 * items) and how the binding reads and edits them.  The methods every
 * kind has are written once in _coreparts.c over this description. */
typedef struct core_part {
    const char *name;   /* the part's key in a plan: "budgets", ... */
    const char *what;   /* "table": IndexError "no table 3" */
    const char *member; /* "row": IndexError "no row 3" */
    /* the core itself refuses to remove a member past the end (a
     * ValidationError): only a negative index is an IndexError here */
    int core_checks_remove;
    size_t (*count)(const pb_plan *plan);
    void *(*at)(const pb_plan *plan, size_t i);
    int64_t (*find)(const pb_plan *plan, const char *id, size_t n);
    int (*add)(pb_plan *plan, const char *id, size_t n, pb_error *err); /* 0: refused */
    pb_status (*remove)(pb_plan *plan, size_t i, pb_error *err);
    /* the part's fields (a dict) */
    PyObject *(*get)(PyObject *self, void *part);
    /* text fields, set with set_text; any other field with set (KeyError
     * when it has none), which returns the new reference to hand back */
    const char *const *texts;
    int ntexts;
    pb_status (*set_text)(void *part, int field, const char *s, size_t n, pb_error *err);
    PyObject *(*set)(PyObject *self, void *part, const char *field, PyObject *value);
    size_t (*member_count)(const void *part);
    int64_t (*member_find)(const void *part, const char *id, size_t n);
    pb_status (*member_remove)(void *part, size_t i, pb_error *err);
    /* a new member under parent (PB_NONE: at the top; members_nest 0: the
     * members have no parents and the id is required), its index or -1;
     * NULL: members are added otherwise (rows: insert_row) */
    int64_t (*member_add)(void *part, uint32_t parent, const char *id, size_t n, pb_error *err);
    int members_nest;
    /* a member (a dict or, for rows, a tuple) */
    PyObject *(*member_get)(PyObject *self, void *part, size_t i);
    /* a member's text fields, set with member_set_text; any other field
     * with member_set (KeyError when it has none) */
    const char *const *member_texts;
    int member_ntexts;
    pb_status (*member_set_text)(void *part, size_t i, int field, const char *s, size_t n,
                                 pb_error *err);
    PyObject *(*member_set)(PyObject *self, void *part, size_t i, const char *field,
                            PyObject *value);
} core_part;

extern const core_part core_part_budgets, core_part_indicators, core_part_risks,
    core_part_records, core_part_described;
/* described_kinds(): the descriptors of the described parts (_coredescribed.c) */
PyObject *core_described_kinds(PyObject *self, PyObject *unused);

/* part number i of self's plan, or NULL with IndexError "no <what> i" */
void *core_part_at(PyObject *self, const core_part *part, Py_ssize_t i);
/* the part a METH_O index argument names, or NULL with an exception set */
void *core_part_arg(PyObject *self, const core_part *part, PyObject *arg);
/* member i of a part, or 0 with IndexError "no <member> i" */
int core_member_check(const core_part *part, const void *p, Py_ssize_t i);
/* 0 <= i < n, or 0 with IndexError "no <what> i" */
int core_index_check(Py_ssize_t i, size_t n, const char *what);

/* The generic methods (_coreparts.c, listed in core_generics).  Each
 * takes the part, the method's argument (one object for METH_O, the
 * argument tuple for METH_VARARGS) and the PyArg_ParseTuple format, with
 * the method's name, for a tuple.  core_member_add takes (index, parent,
 * id) for a format "nOO...", else (index, id). */
typedef PyObject *(*core_part_method)(PyObject *self, const core_part *part, PyObject *arg,
                                      const char *fmt);

/* The functions a core_part points at, around the core's typed ones:
 * core_<obj>_nth, core_<obj>_new, core_<obj>_members, core_<obj>_member_find
 * and core_<obj>_member_delete. */
#define CORE_PART_ADAPTERS(obj, plan_at, plan_add, member_count, member_find, member_remove) \
    static void *core_##obj##_nth(const pb_plan *plan, size_t i) { return plan_at(plan, i); } \
    static int core_##obj##_new(pb_plan *plan, const char *id, size_t n, pb_error *err)      \
    {                                                                                       \
        return plan_add(plan, id, n, err) != NULL;                                          \
    }                                                                                       \
    static size_t core_##obj##_members(const void *p) { return member_count(p); }          \
    static int64_t core_##obj##_member_find(const void *p, const char *id, size_t n)        \
    {                                                                                       \
        return member_find(p, id, n);                                                       \
    }                                                                                       \
    static pb_status core_##obj##_member_delete(void *p, size_t i, pb_error *err)           \
    {                                                                                       \
        return member_remove(p, i, err);                                                    \
    }

/* The generic methods as PlanCore's methods: core_generics (_coreparts.c)
 * names each generic method for every part (table_count, ind_count, ...)
 * and by part name (part_count); _coreguard.c makes each name a method
 * that calls core_generic_call with its row, its part (NULL: by name, the
 * first argument names the part) and its PyArg_ParseTuple format. */
typedef struct core_generic {
    core_part_method generic;
    int flags;        /* of each part's method: METH_NOARGS, METH_O, METH_VARARGS */
    const char *args; /* the format of a tuple, without ":name" */
    int nargs;        /* by name: how many arguments follow the part's name */
    const char *names[5]; /* budgets, indicators, risks, records, by name */
    const char *params, *result; /* for the docstring: "index, field, value", "dict" */
} core_generic;

extern const core_generic core_generics[];
extern const core_part *const core_parts[4]; /* in core_generic.names' order */
PyObject *core_generic_call(PyObject *self, const core_generic *g, const core_part *part,
                            PyObject *arg, const char *fmt);

/* ============================================== the method tables */

extern PyMethodDef core_plan_methods[], core_table_methods[], core_indicator_methods[],
    core_risk_methods[], core_record_methods[], core_arrow_methods[], core_part_methods[];
extern PyGetSetDef core_plan_getset[]; /* every setting: _coreplan.c */

/* a cell's state as Python sees it: "blank", "value", "nil", "text" */
extern const char *const core_cell_state_names[4];

/* module functions defined outside _coremodule.c */
PyObject *core_date_range(PyObject *module, PyObject *arg);

#endif
