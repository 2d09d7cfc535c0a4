/* _coreguard.c - the plan's guard: one thread at a time works on a plan.
 *
 * A call may release the GIL while the core works on its plan (check,
 * status, the YAML writer; docs/decisions.md, "the plan's guard"), so the
 * GIL alone no longer keeps two threads off one plan.  Every PlanCore
 * method and attribute is entered through the guard, in one place: the
 * method table PlanCore is made with holds trampolines (core_guard_call),
 * each taking the guard, calling the method it stands for and leaving.
 * A plugin reaches a plan through the C API (plan_unwrap waits for the
 * guard; plan_enter and plan_leave hold it).
 *
 * The guard: the owning thread and a depth (calls nest in one thread: a
 * method whose argument's __index__ calls the same plan), which change
 * only with the GIL held, so that taking a free plan costs two stores.
 * A lock per plan (PyThread_type_lock, made at the first call) is held
 * only while the owner may have released the GIL on purpose
 * (CORE_BEGIN_UNLOCKED, plan_enter): a thread that finds the plan held
 * waits on that lock with the GIL released.  Should the owner have let
 * the GIL go otherwise (Python code run half-way through a call: an
 * __index__, a finaliser), the waiter sleeps in short steps until the
 * plan is free.
 */
#include "_core.h"

/* a tenth of a millisecond without the GIL (time.sleep: portable) */
static int core_guard_pause(void)
{
    PyObject *sleep = pbpy_import_attr("time", "sleep");
    PyObject *r = sleep ? PyObject_CallFunction(sleep, "d", 1e-4) : NULL;
    Py_XDECREF(sleep);
    Py_XDECREF(r);
    return r != NULL;
}

/* Wait until no other thread holds p's guard, then take it when `take`.
 * Returns 0 with an exception set. */
static int core_guard_wait(PlanCoreObject *p, int take)
{
    unsigned long me = PyThread_get_thread_ident();
    if (!p->lock && !(p->lock = PyThread_allocate_lock())) {
        PyErr_NoMemory();
        return 0;
    }
    while (p->depth && p->owner != me) {
        PyThread_type_lock lock = p->lock;
        if (!p->unlocked) {
            if (!core_guard_pause())
                return 0;
            continue;
        }
        Py_BEGIN_ALLOW_THREADS
        PyThread_acquire_lock(lock, WAIT_LOCK);
        PyThread_release_lock(lock);
        Py_END_ALLOW_THREADS
    }
    if (take) {
        p->owner = me;
        p->depth++;
    }
    return 1;
}

int core_plan_enter(PyObject *self) { return core_guard_wait((PlanCoreObject *)self, 1); }

void core_plan_leave(PyObject *self)
{
    PlanCoreObject *p = (PlanCoreObject *)self;
    if (--p->depth == 0)
        p->owner = 0;
}

int core_plan_wait(PyObject *self) { return core_guard_wait((PlanCoreObject *)self, 0); }

void core_plan_lock(PyObject *self)
{
    PlanCoreObject *p = (PlanCoreObject *)self;
    /* free but for a waiter between its acquire and release, which needs
     * no GIL to release it */
    PyThread_acquire_lock(p->lock, WAIT_LOCK);
    p->unlocked = 1;
}

void core_plan_unlock(PyObject *self)
{
    PlanCoreObject *p = (PlanCoreObject *)self;
    p->unlocked = 0;
    PyThread_release_lock(p->lock);
}

void *core_plan_release_gil(PyObject *self)
{
    core_plan_lock(self);
    return PyEval_SaveThread();
}

void core_plan_take_gil(PyObject *self, void *state)
{
    PyEval_RestoreThread((PyThreadState *)state);
    core_plan_unlock(self);
}

void core_plan_guard_free(PyObject *self)
{
    PlanCoreObject *p = (PlanCoreObject *)self;
    if (p->lock)
        PyThread_free_lock(p->lock);
    p->lock = NULL;
}

/* ====================================================== trampolines */

/* What each trampoline stands for, by slot: a method of its own, or a
 * generic one (core_generics) with its part and format, and the docstring
 * made for it. */
typedef struct core_slot {
    PyCFunction fn;
    const core_generic *generic;
    const core_part *part; /* NULL: by part name */
    char fmt[32], doc[128];
} core_slot;

static core_slot core_slots[CORE_METHODS_MAX];

static PyObject *core_guard_call(PyObject *self, PyObject *arg, int slot)
{
    const core_slot *s = &core_slots[slot];
    if (!core_plan_enter(self))
        return NULL;
    PyObject *res = s->fn ? s->fn(self, arg)
                          : core_generic_call(self, s->generic, s->part, arg, s->fmt);
    core_plan_leave(self);
    return res;
}

#define CORE_TRAMP(n)                                                                       \
    static PyObject *core_tramp_##n(PyObject *self, PyObject *arg)                          \
    {                                                                                       \
        return core_guard_call(self, arg, n);                                               \
    }
#define CORE_TRAMP10(d)                                                                     \
    CORE_TRAMP(d##0) CORE_TRAMP(d##1) CORE_TRAMP(d##2) CORE_TRAMP(d##3) CORE_TRAMP(d##4)    \
    CORE_TRAMP(d##5) CORE_TRAMP(d##6) CORE_TRAMP(d##7) CORE_TRAMP(d##8) CORE_TRAMP(d##9)
#define CORE_TRAMP_NAMES10(d)                                                               \
    core_tramp_##d##0, core_tramp_##d##1, core_tramp_##d##2, core_tramp_##d##3,             \
    core_tramp_##d##4, core_tramp_##d##5, core_tramp_##d##6, core_tramp_##d##7,             \
    core_tramp_##d##8, core_tramp_##d##9

CORE_TRAMP10() CORE_TRAMP10(1) CORE_TRAMP10(2) CORE_TRAMP10(3) CORE_TRAMP10(4)
CORE_TRAMP10(5) CORE_TRAMP10(6) CORE_TRAMP10(7) CORE_TRAMP10(8) CORE_TRAMP10(9)
CORE_TRAMP10(10) CORE_TRAMP10(11) CORE_TRAMP10(12) CORE_TRAMP10(13) CORE_TRAMP10(14)
CORE_TRAMP10(15)

static const PyCFunction core_tramps[CORE_METHODS_MAX] = {
    CORE_TRAMP_NAMES10(),   CORE_TRAMP_NAMES10(1),  CORE_TRAMP_NAMES10(2),
    CORE_TRAMP_NAMES10(3),  CORE_TRAMP_NAMES10(4),  CORE_TRAMP_NAMES10(5),
    CORE_TRAMP_NAMES10(6),  CORE_TRAMP_NAMES10(7),  CORE_TRAMP_NAMES10(8),
    CORE_TRAMP_NAMES10(9),  CORE_TRAMP_NAMES10(10), CORE_TRAMP_NAMES10(11),
    CORE_TRAMP_NAMES10(12), CORE_TRAMP_NAMES10(13), CORE_TRAMP_NAMES10(14),
    CORE_TRAMP_NAMES10(15)};

/* ====================================================== attributes */

static PyObject *core_guard_get(PyObject *self, void *closure)
{
    const PyGetSetDef *def = closure;
    if (!core_plan_enter(self))
        return NULL;
    PyObject *res = def->get(self, def->closure);
    core_plan_leave(self);
    return res;
}

static int core_guard_set(PyObject *self, PyObject *value, void *closure)
{
    const PyGetSetDef *def = closure;
    if (!core_plan_enter(self))
        return -1;
    int rc = def->set(self, value, def->closure);
    core_plan_leave(self);
    return rc;
}

/* ============================================================ join */

PyMethodDef core_methods[CORE_METHODS_MAX];
#define CORE_GETSET_MAX 16
PyGetSetDef core_getset[CORE_GETSET_MAX];

/* Slot n for a generic method's name k (core_generic.names): its format
 * ("nsO:ind_set") and docstring ("ind_set(index, field, value)"). */
static void core_slot_generic(int n, const core_generic *g, int k)
{
    core_slot *s = &core_slots[n];
    const char *name = g->names[k], *args = g->args, *params = g->params;
    s->generic = g;
    s->part = k < 4 ? core_parts[k] : NULL;
    if (!strcmp(args, "nOO") && s->part && !s->part->members_nest)
        args = "nO", params = "index, id"; /* no parents: risk_add(index, id) */
    snprintf(s->fmt, sizeof s->fmt, "%s:%s", args, name);
    snprintf(s->doc, sizeof s->doc, "%s(%s%s%s)%s%s", name, s->part ? "" : "part",
             s->part || !params[0] ? "" : ", ", params, g->result ? " -> " : "",
             g->result ? g->result : "");
    core_methods[n] = (PyMethodDef){name, core_tramps[n], s->part ? g->flags : METH_VARARGS,
                                    s->doc};
}

/* PlanCore's methods: every file's table and every generic method's names
 * joined, each through its trampoline; and its attributes, each through
 * the guard (the type keeps pointers to both for its lifetime). */
int core_methods_join(void)
{
    if (core_methods[0].ml_name)
        return 0;
    PyMethodDef *const tables[] = {core_plan_methods,   core_table_methods, core_indicator_methods,
                                   core_risk_methods,   core_record_methods, core_arrow_methods,
                                   core_part_methods};
    int n = 0, g = 0;
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
        for (const PyMethodDef *m = tables[t]; m->ml_name; m++) {
            if (n == CORE_METHODS_MAX - 1 || (m->ml_flags & METH_KEYWORDS))
                goto fail;
            core_slots[n].fn = m->ml_meth;
            core_methods[n] = *m;
            core_methods[n].ml_meth = core_tramps[n];
            n++;
        }
    for (const core_generic *gen = core_generics; gen->generic; gen++)
        for (int k = 0; k < 5; k++) {
            if (!gen->names[k])
                continue;
            if (n == CORE_METHODS_MAX - 1)
                goto fail;
            core_slot_generic(n++, gen, k);
        }
    for (PyGetSetDef *d = core_plan_getset; d->name; d++) {
        if (g == CORE_GETSET_MAX - 1)
            goto fail;
        core_getset[g++] =
            (PyGetSetDef){d->name, core_guard_get, d->set ? core_guard_set : NULL, d->doc, d};
    }
    return 0;
fail:
    PyErr_SetString(PyExc_SystemError, "planbook._core: CORE_METHODS_MAX or CORE_GETSET_MAX "
                    "too small, or a method with keywords (no trampoline for it)");
    memset(core_methods, 0, sizeof core_methods);
    return -1;
}
