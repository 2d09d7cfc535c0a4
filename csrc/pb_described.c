/* pb_described.c - described parts (pb_described.h): rows of described
 * fields, kept, checked and explained over their descriptor alone.  The
 * descriptors themselves are in pb_described_parts.c. */
#include "pb_date.h"
#include "pb_described.h"
#include "pb_finding_private.h"
#include "pb_plan_private.h"
#include "pb_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct pb_drow {
    const char **vals; /* nfields texts (arena), NULL when not set */
    uint32_t line, column;
} pb_drow;

struct pb_described {
    pb_part_head head; /* first: plan, id (the kind's key), source */
    const pb_described_desc *desc;
    pb_drow *rows;
    uint32_t n, cap;
};

/* ======================================================== a kind of part */

static void described_clear(void *obj)
{
    pb_described *d = obj;
    for (uint32_t i = 0; i < d->n; i++)
        free(d->rows[i].vals);
    free(d->rows);
}

static size_t described_memory(const void *obj)
{
    const pb_described *d = obj;
    size_t nf = d->desc ? d->desc->nfields : 0;
    return d->cap * sizeof(pb_drow) + d->n * nf * sizeof(char *);
}

static const pb_part_ops described_ops = {"described part", sizeof(pb_described), NULL,
                                          described_clear, described_memory};

/* pb_plan_add_described is written here (the id must name a kind), so
 * the generic functions are given another name for it. */
#define pb_plan_add_described pb_plan_add_described_any
PB_PART_FUNCTIONS(pb_described, described, PB_PART_DESCRIBED, described_ops)
#undef pb_plan_add_described

pb_described *pb_plan_add_described(pb_plan *plan, const char *id, size_t len, pb_error *err)
{
    int64_t k = pb_described_kind_find(id, len);
    if (k < 0) {
        char kinds[200] = ""; /* every kind, not the first alone */
        for (size_t j = 0, at = 0; j < pb_described_kind_count() && at < sizeof kinds; j++) {
            int w = snprintf(kinds + at, sizeof kinds - at, "%s%s", j ? ", " : "",
                             pb_described_kind(j)->key);
            at += w > 0 ? (size_t)w : 0;
        }
        pb_error_set(err, PB_ERR_INVALID, "'%.*s' is not a described part (%s)",
                     (int)(len > 40 ? 40 : len), id ? id : "", kinds[0] ? kinds : "none");
        return NULL;
    }
    pb_described *d = pb_plan_add_described_any(plan, id, len, err);
    if (d)
        d->desc = pb_described_kind((size_t)k);
    return d;
}

const pb_described_desc *pb_described_desc_of(const pb_described *d) { return d->desc; }

int64_t pb_described_kind_find(const char *s, size_t n)
{
    for (size_t k = 0; s && k < pb_described_kind_count(); k++)
        if (pb_name_eq(pb_described_kind(k)->key, s, n))
            return (int64_t)k;
    return -1;
}

int64_t pb_described_field_find(const pb_described_desc *d, const char *s, size_t n)
{
    for (size_t f = 0; s && f < d->nfields; f++)
        if (pb_name_eq(d->fields[f].key, s, n))
            return (int64_t)f;
    return -1;
}

/* ================================================================= rows */

size_t pb_described_count(const pb_described *d) { return d->n; }

int64_t pb_described_add(pb_described *d, pb_error *err)
{
    if (d->n >= UINT32_MAX - 2 || !pb_grow((void **)&d->rows, &d->cap, d->n + 1, sizeof(pb_drow)))
        return pb_add_nomem(err);
    pb_drow *r = &d->rows[d->n];
    memset(r, 0, sizeof *r);
    if (!(r->vals = calloc(d->desc->nfields ? d->desc->nfields : 1, sizeof(char *))))
        return pb_add_nomem(err);
    pb_plan_touch(d->head.plan);
    return d->n++;
}

pb_status pb_described_remove(pb_described *d, size_t i, pb_error *err)
{
    if (i >= d->n)
        return pb_error_set(err, PB_ERR_RANGE, "no %s %zu", d->desc->noun, i);
    free(d->rows[i].vals);
    memmove(d->rows + i, d->rows + i + 1, (d->n - i - 1) * sizeof(pb_drow));
    d->n--;
    pb_plan_touch(d->head.plan);
    return PB_OK;
}

/* The index of the part's id field, or -1. */
static int64_t id_field(const pb_described_desc *desc)
{
    for (size_t f = 0; f < desc->nfields; f++)
        if (desc->fields[f].flags & PB_FIELD_ID)
            return (int64_t)f;
    return -1;
}

int64_t pb_described_find(const pb_described *d, const char *s, size_t n)
{
    int64_t f = id_field(d->desc);
    for (uint32_t i = 0; f >= 0 && s && i < d->n; i++)
        if (d->rows[i].vals[f] && pb_name_eq(d->rows[i].vals[f], s, n))
            return i;
    return -1;
}

const char *pb_described_value(const pb_described *d, size_t i, size_t f)
{
    return i < d->n && f < d->desc->nfields ? d->rows[i].vals[f] : NULL;
}

pb_status pb_described_set(pb_described *d, size_t i, size_t f, const char *value, size_t len,
                           pb_error *err)
{
    if (i >= d->n)
        return pb_error_set(err, PB_ERR_RANGE, "no %s %zu", d->desc->noun, i);
    if (f >= d->desc->nfields)
        return pb_error_set(err, PB_ERR_RANGE, "a %s has no field %zu", d->desc->noun, f);
    return pb_plan_set_string(d->head.plan, &d->rows[i].vals[f], value, len, err);
}

void pb_described_row_source(const pb_described *d, size_t i, uint32_t *line, uint32_t *column)
{
    *line = i < d->n ? d->rows[i].line : 0;
    *column = i < d->n ? d->rows[i].column : 0;
}

void pb_described_row_set_source(pb_described *d, size_t i, uint32_t line, uint32_t column)
{
    if (i < d->n) {
        d->rows[i].line = line;
        d->rows[i].column = column;
    }
}

/* =============================================================== checks */

/* Is s[0..n) one of the '|'-separated words of list? */
static int one_of(const char *list, const char *s, size_t n)
{
    for (const char *p = list; p && *p;) {
        const char *e = strchr(p, '|');
        size_t k = e ? (size_t)(e - p) : strlen(p);
        if (k == n && !memcmp(p, s, n))
            return 1;
        p = e ? e + 1 : NULL;
    }
    return 0;
}

int pb_dfield_valid(const pb_dfield *f, const char *value, size_t n, char *why, size_t cap)
{
    int ok = 1;
    const char *what = "";
    if (f->type == PB_DTYPE_DATE) {
        int32_t a, b;
        ok = !pb_date_range_parse(value, n, &a, &b, NULL);
        what = "is not a date";
    } else if (f->type == PB_DTYPE_COUNT) {
        ok = n > 0 && n <= 18;
        for (size_t k = 0; ok && k < n; k++)
            ok = value[k] >= '0' && value[k] <= '9';
        what = "is not a whole number";
    } else if (f->type == PB_DTYPE_WORD) {
        ok = one_of(f->values, value, n);
        what = "is not one of its words";
    }
    if (!ok && why && cap) {
        if (f->type == PB_DTYPE_WORD)
            snprintf(why, cap, "%s '%.*s' is not one of %s", f->key, (int)(n > 80 ? 80 : n),
                     value, f->values);
        else
            snprintf(why, cap, "%s '%.*s' %s", f->key, (int)(n > 80 ? 80 : n), value, what);
    }
    return ok;
}

static const char *row_key(const void *ctx, uint32_t i)
{
    const pb_described *d = ctx;
    int64_t f = id_field(d->desc);
    return d->rows[i].vals[f];
}

/* A finding on field f of row i of part k. */
static pb_status add_finding(pb_findings *out, const pb_described *d, uint32_t k, uint32_t i,
                             size_t f, pb_finding_code code, const char *detail, pb_error *err)
{
    pb_finding *fd = pb_finding_add(out, PB_PART_DESCRIBED, code,
                                    code == PB_FIND_DATE ? PB_SEV_WARNING : PB_SEV_ERROR, k, i,
                                    (uint32_t)f);
    if (!fd)
        return pb_error_set(err, PB_ERR_NOMEM, NULL);
    fd->line = d->rows[i].line, fd->col = d->rows[i].column;
    snprintf(fd->detail, sizeof fd->detail, "%s", detail);
    return PB_OK;
}

/* The fields of row i: required ones set, each valid for its type. */
static pb_status check_row(const pb_described *d, uint32_t k, uint32_t i, pb_findings *out,
                           pb_error *err)
{
    const pb_described_desc *desc = d->desc;
    for (size_t f = 0; f < desc->nfields; f++) {
        const pb_dfield *fl = &desc->fields[f];
        const char *v = d->rows[i].vals[f];
        char why[PB_FINDING_DETAIL_MAX];
        pb_status st = PB_OK;
        if (!v || !*v) {
            if (fl->flags & PB_FIELD_REQUIRED) {
                snprintf(why, sizeof why, "%s is required", fl->key);
                st = add_finding(out, d, k, i, f, PB_FIND_FIELD, why, err);
            }
        } else if (!pb_dfield_valid(fl, v, strlen(v), why, sizeof why)) {
            st = add_finding(out, d, k, i, f,
                             fl->type == PB_DTYPE_DATE ? PB_FIND_DATE : PB_FIND_FIELD, why, err);
        }
        if (st)
            return st;
    }
    return PB_OK;
}

/* Ids unique in the part (the first keeps it; each repeat a finding). */
static pb_status check_ids(const pb_described *d, uint32_t k, pb_findings *out, pb_error *err)
{
    int64_t f = id_field(d->desc);
    if (f < 0)
        return PB_OK;
    pb_index ix; /* the ids seen so far */
    memset(&ix, 0, sizeof ix);
    pb_status st = PB_OK;
    for (uint32_t i = 0; !st && i < d->n; i++) {
        const char *v = d->rows[i].vals[f];
        if (!v)
            continue;
        if (pb_index_get(&ix, v, strlen(v), row_key, d) >= 0) {
            char why[PB_FINDING_DETAIL_MAX];
            snprintf(why, sizeof why, "%s '%.80s' repeats an earlier %s's",
                     d->desc->fields[f].key, v, d->desc->noun);
            st = add_finding(out, d, k, i, (size_t)f, PB_FIND_FIELD, why, err);
        } else if (!pb_index_put(&ix, i, row_key, d)) {
            st = pb_error_set(err, PB_ERR_NOMEM, NULL);
        }
    }
    pb_index_free(&ix);
    return st;
}

pb_status pb_described_check(const pb_plan *plan, pb_findings *out, pb_error *err)
{
    for (uint32_t k = 0; k < pb_plan_described_count(plan); k++) {
        const pb_described *d = pb_plan_described(plan, k);
        for (uint32_t i = 0; i < d->n; i++) {
            pb_status st = check_row(d, k, i, out, err);
            if (st)
                return st;
        }
        pb_status st = check_ids(d, k, out, err);
        if (st)
            return st;
    }
    return PB_OK;
}

size_t pb_described_finding_message(const pb_plan *plan, const pb_finding *f, char *buf,
                                    size_t cap)
{
    const pb_described *d = pb_plan_described(plan, f->table);
    int n;
    if (!d || f->row >= d->n) {
        n = snprintf(buf, cap, "%s", f->detail);
        return n < 0 ? 0 : (size_t)n;
    }
    /* the row by its id, else its title, else its number */
    const char *name = NULL;
    for (size_t k = 0; !name && k < d->desc->nfields; k++)
        if (d->desc->fields[k].flags & PB_FIELD_ID)
            name = d->rows[f->row].vals[k];
    for (size_t k = 0; !name && k < d->desc->nfields; k++)
        if (d->desc->fields[k].flags & PB_FIELD_TITLE)
            name = d->rows[f->row].vals[k];
    if (name)
        n = snprintf(buf, cap, "%s %s '%.80s': %s", d->head.id, d->desc->noun, name, f->detail);
    else
        n = snprintf(buf, cap, "%s %s %u: %s", d->head.id, d->desc->noun, f->row + 1, f->detail);
    return n < 0 ? 0 : (size_t)n;
}
