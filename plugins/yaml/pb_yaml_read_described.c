/* pb_yaml_read_described.c - the described parts (pb_described.h): a
 * top-level key per kind ("contacts"), its value a list of rows, each a
 * mapping of the descriptor's keys.  Nothing here names a kind: the keys
 * come from the core's descriptors. */
#include "pb_yaml_private.h"

#include <stdio.h>

/* The row being read. */
typedef struct drow {
    pb_described *d;
    size_t i;
} drow;

/* The part being read, and the key table of its rows. */
typedef struct dpart {
    pb_described *d;
    const pb_yr_map *map;
} dpart;

/* A field of a row: its text, as field f->code of the descriptor. */
static int dfield(pb_yr_reader *r, void *obj, const pb_yr_field *f, uint32_t seen)
{
    (void)seen;
    drow *w = obj;
    pb_error *e = pb_yr_error(r);
    return pb_yr_core(r, A->pb_described_set(w->d, w->i, (size_t)f->code, sval(r), slen(r), e),
                      e);
}

static int read_row(pb_yr_reader *r, void *obj, size_t n)
{
    (void)n;
    dpart *p = obj;
    if (!pb_yr_expect(r, YAML_MAPPING_START_EVENT, p->map->what))
        return 0;
    pb_error *e = pb_yr_error(r);
    int64_t i = A->pb_described_add(p->d, e);
    if (i < 0)
        return pb_yr_core_fail(r, e);
    A->pb_described_row_set_source(p->d, (size_t)i, LINE(r->ev), COL(r->ev));
    r->cells++;
    drow w = {p->d, (size_t)i};
    if (!pb_yr_read_fields(r, p->map, &w))
        return 0;
    if (!pb_yr_cells_fit(r))
        return FAIL(PB_ERR_LIMIT, "more rows than the input can hold");
    return 1;
}

int pb_yr_read_described(pb_yr_reader *r, size_t kind)
{
    const pb_described_desc *desc = A->pb_described_kind(kind);
    pb_yr_field fields[PB_DESCRIBED_MAX_FIELDS];
    size_t nf = desc->nfields < PB_DESCRIBED_MAX_FIELDS ? desc->nfields : PB_DESCRIBED_MAX_FIELDS;
    for (size_t f = 0; f < nf; f++) {
        pb_yr_field row = {desc->fields[f].key, dfield, (int)f, PB_YR_NULLABLE_TEXT, NULL, NULL};
        fields[f] = row;
    }
    char what[80];
    snprintf(what, sizeof what, "a %s (a mapping)", desc->noun);
    pb_yr_map map = {what, fields, (int)nf, 0, NULL, NULL, NULL};
    pb_error *e = pb_yr_error(r);
    pb_described *d = A->pb_plan_add_described(r->plan, desc->key, strlen(desc->key), e);
    if (!d)
        return pb_yr_core_fail(r, e);
    A->pb_described_set_source(d, LINE(r->ev), COL(r->ev));
    dpart p = {d, &map};
    char list[80];
    snprintf(list, sizeof list, "a list of %ss", desc->noun);
    return pb_yr_read_list(r, list, read_row, &p);
}
