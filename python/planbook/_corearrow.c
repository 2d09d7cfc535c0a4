/* _corearrow.c - the Arrow PyCapsule interface (__arrow_c_stream__) for
 * budget tables and indicator observations, straight from the core: the
 * columns are built in C buffers and handed to pyarrow, polars or DuckDB
 * as one record batch through the Arrow C stream interface, with no Python
 * object per value.  Amounts are decimal128 at the table's largest scale
 * (exact); figures of indicators decimal128 at 6. */
#include "_core.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#define ARROW_FLAG_NULLABLE 2

struct ArrowSchema {
    const char *format;
    const char *name;
    const char *metadata;
    int64_t flags;
    int64_t n_children;
    struct ArrowSchema **children;
    struct ArrowSchema *dictionary;
    void (*release)(struct ArrowSchema *);
    void *private_data;
};

struct ArrowArray {
    int64_t length;
    int64_t null_count;
    int64_t offset;
    int64_t n_buffers;
    int64_t n_children;
    const void **buffers;
    struct ArrowArray **children;
    struct ArrowArray *dictionary;
    void (*release)(struct ArrowArray *);
    void *private_data;
};

struct ArrowArrayStream {
    int (*get_schema)(struct ArrowArrayStream *, struct ArrowSchema *out);
    int (*get_next)(struct ArrowArrayStream *, struct ArrowArray *out);
    const char *(*get_last_error)(struct ArrowArrayStream *);
    void (*release)(struct ArrowArrayStream *);
    void *private_data;
};

/* ------------------------------------------------------------ columns */

#define AC_MAX 10

typedef struct acol {
    char kind;  /* 'u' utf8, 'd' decimal128 */
    int scale;  /* decimal */
    char name[32];
    uint8_t *valid; /* bitmap */
    int32_t *offsets;
    char *data;     /* utf8 bytes, or 16-byte decimals */
    size_t dlen, dcap;
    int64_t nulls;
} acol;

typedef struct abatch {
    int ncols;
    acol cols[AC_MAX];
    int64_t n, cap;
    int failed;
} abatch;

static void core_batch_init(abatch *b, const char *const *names, const char *kinds, const int *scales,
                    int ncols)
{
    memset(b, 0, sizeof *b);
    b->ncols = ncols;
    for (int c = 0; c < ncols; c++) {
        b->cols[c].kind = kinds[c];
        b->cols[c].scale = scales ? scales[c] : 0;
        snprintf(b->cols[c].name, sizeof b->cols[c].name, "%s", names[c]);
    }
}

static void core_batch_free(abatch *b)
{
    for (int c = 0; c < b->ncols; c++) {
        free(b->cols[c].valid);
        free(b->cols[c].offsets);
        free(b->cols[c].data);
    }
    memset(b, 0, sizeof *b);
}

static int core_acol_grow(acol *c, size_t need)
{
    return pbpy_reserve(&c->data, &c->dcap, c->dlen, need);
}

/* Start a new row: make room in every column. */
static int core_batch_row(abatch *b)
{
    if (b->n == b->cap) {
        int64_t cap = b->cap ? b->cap * 2 : 1024;
        if (cap > INT32_MAX / 2)
            return b->failed = 1, 0;
        for (int c = 0; c < b->ncols; c++) {
            acol *k = &b->cols[c];
            uint8_t *v = realloc(k->valid, (size_t)(cap + 7) / 8);
            if (!v)
                return b->failed = 1, 0;
            memset(v + (b->cap + 7) / 8, 0, (size_t)((cap + 7) / 8 - (b->cap + 7) / 8));
            k->valid = v;
            if (k->kind == 'u') {
                int32_t *o = realloc(k->offsets, (size_t)(cap + 1) * sizeof(int32_t));
                if (!o)
                    return b->failed = 1, 0;
                if (!k->offsets)
                    o[0] = 0;
                k->offsets = o;
            }
        }
        b->cap = cap;
    }
    return 1;
}

static void core_acol_set_valid(acol *k, int64_t i) { k->valid[i / 8] |= (uint8_t)(1u << (i % 8)); }

/* Text (NULL for a null) into column c of the current row b->n. */
static void core_batch_text(abatch *b, int c, const char *s)
{
    acol *k = &b->cols[c];
    size_t n = s ? strlen(s) : 0;
    if (k->dlen + n > INT32_MAX || !core_acol_grow(k, n + 1)) {
        b->failed = 1;
        return;
    }
    if (s) {
        memcpy(k->data + k->dlen, s, n);
        k->dlen += n;
        core_acol_set_valid(k, b->n);
    } else
        k->nulls++;
    k->offsets[b->n + 1] = (int32_t)k->dlen;
}

/* A decimal (has = 0 for a null) into column c of the current row. */
static void core_batch_decimal(abatch *b, int c, int has, int64_t v)
{
    acol *k = &b->cols[c];
    if (!core_acol_grow(k, 16)) {
        b->failed = 1;
        return;
    }
    int64_t hi = has && v < 0 ? -1 : 0;
    if (!has)
        v = 0;
    memcpy(k->data + k->dlen, &v, 8); /* little-endian two's complement */
    memcpy(k->data + k->dlen + 8, &hi, 8);
    k->dlen += 16;
    if (has)
        core_acol_set_valid(k, b->n);
    else
        k->nulls++;
}

/* --------------------------------------------------- the C interface */

typedef struct arr_priv {
    const void *bufs[3];
    struct ArrowArray **children;
    struct ArrowArray *child_mem;
    void *owned[3];
} arr_priv;

static void core_arrow_child_release(struct ArrowArray *a)
{
    arr_priv *p = a->private_data;
    for (int i = 0; i < 3; i++)
        free(p->owned[i]);
    free(p);
    a->release = NULL;
}

static void core_arrow_array_release(struct ArrowArray *a)
{
    arr_priv *p = a->private_data;
    for (int64_t i = 0; i < a->n_children; i++)
        if (p->children[i]->release)
            p->children[i]->release(p->children[i]);
    free(p->children);
    free(p->child_mem);
    free(p);
    a->release = NULL;
}

/* Move the batch's buffers into an ArrowArray (the batch keeps nothing). */
static int core_batch_export(abatch *b, struct ArrowArray *out)
{
    if (b->ncols <= 0 || b->ncols > AC_MAX)
        return EINVAL;
    size_t nc = (size_t)b->ncols;
    /* every buffer present, even for an empty batch */
    if (!b->cap && !core_batch_row(b))
        return ENOMEM;
    for (size_t c = 0; c < nc; c++)
        if (!core_acol_grow(&b->cols[c], 16))
            return ENOMEM;
    arr_priv *sp = calloc(1, sizeof *sp);
    struct ArrowArray *kids = calloc(nc, sizeof *kids);
    struct ArrowArray **kp = calloc(nc, sizeof *kp);
    if (!sp || !kids || !kp) {
        free(sp), free(kids), free(kp);
        return ENOMEM;
    }
    for (size_t c = 0; c < nc; c++) {
        acol *k = &b->cols[c];
        arr_priv *p = calloc(1, sizeof *p);
        if (!p) {
            for (size_t d = 0; d < c; d++)
                kids[d].release(&kids[d]);
            free(sp), free(kids), free(kp);
            return ENOMEM;
        }
        struct ArrowArray *a = &kids[c];
        a->length = b->n;
        a->null_count = k->nulls;
        a->n_buffers = k->kind == 'u' ? 3 : 2;
        p->bufs[0] = k->valid;
        p->owned[0] = k->valid;
        if (k->kind == 'u') {
            p->bufs[1] = k->offsets;
            p->owned[1] = k->offsets;
            p->bufs[2] = k->data ? k->data : "";
            p->owned[2] = k->data;
        } else {
            p->bufs[1] = k->data;
            p->owned[1] = k->data;
        }
        k->valid = NULL, k->offsets = NULL, k->data = NULL;
        a->buffers = p->bufs;
        a->release = core_arrow_child_release;
        a->private_data = p;
        kp[c] = a;
    }
    memset(out, 0, sizeof *out);
    out->length = b->n;
    out->n_buffers = 1;
    sp->bufs[0] = NULL;
    out->buffers = sp->bufs;
    out->n_children = (int64_t)nc;
    out->children = kp;
    sp->children = kp;
    sp->child_mem = kids;
    out->release = core_arrow_array_release;
    out->private_data = sp;
    return 0;
}

typedef struct schema_priv {
    char formats[AC_MAX][16];
    char names[AC_MAX][32];
    struct ArrowSchema kids[AC_MAX];
    struct ArrowSchema *kp[AC_MAX];
} schema_priv;

static void core_arrow_schema_child_release(struct ArrowSchema *s) { s->release = NULL; }

static void core_arrow_schema_release(struct ArrowSchema *s)
{
    schema_priv *p = s->private_data;
    free(p);
    s->release = NULL;
}

static int core_batch_schema(const abatch *b, struct ArrowSchema *out)
{
    schema_priv *p = calloc(1, sizeof *p);
    if (!p)
        return ENOMEM;
    for (int c = 0; c < b->ncols; c++) {
        const acol *k = &b->cols[c];
        if (k->kind == 'u')
            snprintf(p->formats[c], sizeof p->formats[c], "u");
        else
            snprintf(p->formats[c], sizeof p->formats[c], "d:38,%d", k->scale);
        snprintf(p->names[c], sizeof p->names[c], "%s", k->name);
        struct ArrowSchema *s = &p->kids[c];
        s->format = p->formats[c];
        s->name = p->names[c];
        s->flags = ARROW_FLAG_NULLABLE;
        s->release = core_arrow_schema_child_release;
        p->kp[c] = s;
    }
    memset(out, 0, sizeof *out);
    out->format = "+s";
    out->name = "";
    out->n_children = b->ncols;
    out->children = p->kp;
    out->release = core_arrow_schema_release;
    out->private_data = p;
    return 0;
}

typedef struct stream_priv {
    abatch batch;
    int sent;
} stream_priv;

static int core_arrow_stream_schema(struct ArrowArrayStream *st, struct ArrowSchema *out)
{
    stream_priv *p = st->private_data;
    return core_batch_schema(&p->batch, out);
}

static int core_arrow_stream_next(struct ArrowArrayStream *st, struct ArrowArray *out)
{
    stream_priv *p = st->private_data;
    if (p->sent) {
        memset(out, 0, sizeof *out); /* the end: release NULL */
        return 0;
    }
    int rc = core_batch_export(&p->batch, out);
    if (!rc)
        p->sent = 1;
    return rc;
}

static const char *core_arrow_stream_error(struct ArrowArrayStream *st)
{
    (void)st;
    return NULL;
}

static void core_arrow_stream_release(struct ArrowArrayStream *st)
{
    stream_priv *p = st->private_data;
    core_batch_free(&p->batch);
    free(p);
    st->release = NULL;
}

static void core_arrow_capsule_free(PyObject *cap)
{
    struct ArrowArrayStream *st = PyCapsule_GetPointer(cap, "arrow_array_stream");
    if (!st)
        return;
    if (st->release)
        st->release(st);
    free(st);
}

/* Wrap a finished batch in a stream capsule (the batch moves in). */
static PyObject *core_batch_capsule(abatch *b)
{
    if (b->failed) {
        core_batch_free(b);
        return PyErr_NoMemory();
    }
    struct ArrowArrayStream *st = calloc(1, sizeof *st);
    stream_priv *p = calloc(1, sizeof *p);
    if (!st || !p) {
        free(st), free(p);
        core_batch_free(b);
        return PyErr_NoMemory();
    }
    p->batch = *b;
    memset(b, 0, sizeof *b);
    st->get_schema = core_arrow_stream_schema;
    st->get_next = core_arrow_stream_next;
    st->get_last_error = core_arrow_stream_error;
    st->release = core_arrow_stream_release;
    st->private_data = p;
    PyObject *cap = PyCapsule_New(st, "arrow_array_stream", core_arrow_capsule_free);
    if (!cap) {
        core_arrow_stream_release(st);
        free(st);
    }
    return cap;
}

/* ------------------------------------------------------ the two streams */

/* A budget table in long form: one row per row (not sections) and amount
 * column: table, label, kind, role, column, period, phase, printed (as
 * printed), value (meaning: income positive), computed. */
static PyObject *core_table_arrow(PyObject *self, PyObject *arg)
{
    pb_table *t = core_part_arg(self, &core_part_budgets, arg);
    if (!t)
        return NULL;
    pb_error err;
    pb_error_clear(&err);
    if (pb_table_compute(t, &err))
        return core_error_model(self, &err);
    size_t nr = pb_table_row_count(t), nc = pb_table_column_count(t);
    int scale = 0;
    for (size_t c = 0; c < nc; c++)
        if (pb_column_type_of(t, c) == PB_COL_AMOUNT && pb_column_decimals(t, c) > scale)
            scale = pb_column_decimals(t, c);
    static const char *const names[] = {"table", "label", "kind", "role", "column",
                                        "period", "phase", "printed", "value", "computed"};
    static const char kinds[] = "uuuuuuuddd";
    int scales[10] = {0, 0, 0, 0, 0, 0, 0, scale, scale, scale};
    abatch b;
    core_batch_init(&b, names, kinds, scales, 10);
    static const char *const row_kinds[] = {"line", "section", "total"};
    char period[PB_PERIOD_TEXT_MAX];
    for (size_t r = 0; r < nr && !b.failed; r++) {
        pb_row_kind rk = pb_row_kind_of(t, r);
        if (rk == PB_ROW_SECTION)
            continue;
        const char *kind = pb_row_is_part(t, r) ? "part" : row_kinds[rk];
        for (size_t c = 0; c < nc && !b.failed; c++) {
            if (pb_column_type_of(t, c) != PB_COL_AMOUNT)
                continue;
            if (!core_batch_row(&b))
                break;
            int d = pb_column_decimals(t, c);
            pb_period p = pb_column_period(t, c);
            if (p.kind != PB_PERIOD_NONE)
                pb_period_format(p, pb_plan_year_start(PLAN(self)), period);
            core_batch_text(&b, 0, pb_table_id(t));
            core_batch_text(&b, 1, pb_row_label(t, r));
            core_batch_text(&b, 2, kind);
            core_batch_text(&b, 3, pb_role_name(pb_row_effective_role(t, r)));
            core_batch_text(&b, 4, pb_column_id(t, c));
            core_batch_text(&b, 5, p.kind != PB_PERIOD_NONE ? period : NULL);
            core_batch_text(&b, 6, pb_column_text(t, c, PB_COLUMN_PHASE));
            pb_amount printed, value, comp, up;
            pb_cell_state st = pb_cell_get(t, r, c, &printed);
            pb_cell_value(t, r, c, &value);
            int has = st == PB_CELL_VALUE || st == PB_CELL_NIL;
            if (st == PB_CELL_NIL)
                printed = value = 0;
            /* to the batch's scale: exact (scale >= d) unless it overflows */
            int ok1 = has && !pb_amount_rescale(printed, d, scale, &up);
            core_batch_decimal(&b, 7, ok1, ok1 ? up : 0);
            int ok2 = has && !pb_amount_rescale(value, d, scale, &up);
            core_batch_decimal(&b, 8, ok2, ok2 ? up : 0);
            int ok3 = pb_cell_computed(t, r, c, &comp) == PB_COMP_VALUE &&
                      !pb_amount_rescale(comp, d, scale, &up);
            core_batch_decimal(&b, 9, ok3, ok3 ? up : 0);
            b.n++;
        }
    }
    return core_batch_capsule(&b);
}

/* An indicator set's observations: one row per measure, period and series
 * (values, targets, comparators) that holds anything: set, ref, name, role,
 * period, series, status, value (decimal 6), note. */
static PyObject *core_indset_arrow(PyObject *self, PyObject *arg)
{
    pb_indset *s = core_part_arg(self, &core_part_indicators, arg);
    if (!s)
        return NULL;
    static const char *const names[] = {"set", "ref", "name", "role", "period",
                                        "series", "status", "value", "note"};
    static const char kinds[] = "uuuuuuudu";
    int scales[9] = {0, 0, 0, 0, 0, 0, 0, PB_OBS_SCALE, 0};
    abatch b;
    core_batch_init(&b, names, kinds, scales, 9);
    size_t n = pb_indset_count(s), np = pb_indset_period_count(s),
           ns = 2 + pb_indset_comparator_count(s);
    char period[PB_PERIOD_TEXT_MAX];
    for (size_t i = 0; i < n && !b.failed; i++) {
        uint32_t m = pb_ind_parent(s, i) == PB_NONE ? (uint32_t)i : pb_ind_parent(s, i);
        for (size_t k = 0; k < np && !b.failed; k++) {
            pb_period_format(pb_indset_period(s, k), pb_plan_year_start(PLAN(self)), period);
            for (uint32_t q = 0; q < ns && !b.failed; q++) {
                const pb_obs *o = pb_ind_cell(s, q, i, k);
                if (o->status == PB_OBS_BLANK && !o->note)
                    continue;
                if (!core_batch_row(&b))
                    break;
                core_batch_text(&b, 0, pb_indset_id(s));
                core_batch_text(&b, 1, pb_ind_text(s, m, PB_IND_REF));
                core_batch_text(&b, 2, pb_ind_text(s, i, PB_IND_NAME));
                core_batch_text(&b, 3, pb_ind_role_name(pb_ind_role_of(s, i)));
                core_batch_text(&b, 4, period);
                core_batch_text(&b, 5, q == 0 ? "value" : q == 1 ? "target"
                                                         : pb_indset_comparator_id(s, q - 2));
                core_batch_text(&b, 6, pb_obs_status_name((pb_obs_status)o->status));
                int has = pb_obs_has_value((pb_obs_status)o->status);
                core_batch_decimal(&b, 7, has, o->value);
                const char *note = pb_indset_string(s, o->note);
                core_batch_text(&b, 8, note[0] ? note : NULL);
                b.n++;
            }
        }
    }
    return core_batch_capsule(&b);
}

PyMethodDef core_arrow_methods[] = {
    {"table_arrow", core_table_arrow, METH_O, "table_arrow(t) -> arrow_array_stream"},
    {"ind_arrow", core_indset_arrow, METH_O, "ind_arrow(set) -> arrow_array_stream"},
    {NULL, NULL, 0, NULL}};
