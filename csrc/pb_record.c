/* pb_record.c - collections of records, date ranges, and the link checks. */
#include "pb_fields.h"
#include "pb_finding_private.h"
#include "pb_indicator.h"
#include "pb_plan_private.h"
#include "pb_record.h"
#include "pb_risk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct pb_field {
    const char *name, *value;
} pb_field;

typedef struct pb_item {
    const char *id;
    uint32_t parent;
    uint8_t depth;
    pb_field *fields; /* malloc'd */
    uint16_t nf, capf;
    uint32_t line, column;
} pb_item;

struct pb_collection {
    pb_part_head head; /* first: plan, id, source (pb_part.h) */
    const char *text[PB_COLL_FIELD_COUNT];
    const char **dates;
    uint32_t ndates, capdates;
    const char **link_field, **link_target;
    uint32_t nlinks, caplinks;
    pb_item *items;
    uint32_t n, cap;
    pb_index ids;
};

static const char *const kinds[] = {"objectives", "workstreams", "actions", "equality",
                                    "timeline",   "swot",        "pestel",  "challenges",
                                    "narrative",  "other"};

/* The collection's fields, described once for every format (pb_fields.h),
 * in the order of pb_collection_field; an item's fields are free names. */
static const pb_field_desc coll_fields[PB_COLL_FIELD_COUNT] = {
    {"title", "Title", PB_COLL_TITLE, PB_FIELD_TITLE},
    {"kind", "Kind", PB_COLL_KIND, 0},
    {"note", "Note", PB_COLL_NOTE, 0}};

PB_FIELDS_GETTER(pb_collection_fields, coll_fields)

#define dup pb_plan_dup

static int name_ok(const char *s, size_t n)
{
    if (!s || !n || n > PB_FIELD_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_'))
            return 0;
    }
    return 1;
}

/* -------------------------------------------------------- collections */

static const char *item_key(const void *ctx, uint32_t i)
{
    const pb_collection *c = ctx;
    return c->items[i].id;
}

/* ======================================================== a kind of part */

static void collection_clear(void *obj)
{
    pb_collection *c = obj;
    for (uint32_t i = 0; i < c->n; i++)
        free(c->items[i].fields);
    free(c->items);
    free(c->dates);
    free(c->link_field);
    free(c->link_target);
    pb_index_free(&c->ids);
}

static size_t collection_memory(const void *obj)
{
    const pb_collection *c = obj;
    size_t m = c->cap * sizeof(pb_item) + c->ids.cap * sizeof(uint32_t);
    for (uint32_t i = 0; i < c->n; i++)
        m += c->items[i].capf * sizeof(pb_field);
    return m;
}

static const pb_part_ops collection_ops = {"collection", sizeof(pb_collection), NULL,
                                           collection_clear, collection_memory};

PB_PART_FUNCTIONS(pb_collection, collection, PB_PART_RECORDS, collection_ops)

const char *pb_collection_text(const pb_collection *c, pb_collection_field f)
{
    return pb_text_field(c->text, PB_COLL_FIELD_COUNT, (unsigned)f);
}

pb_status pb_collection_set_text(pb_collection *c, pb_collection_field f, const char *value,
                                 size_t len, pb_error *err)
{
    if (f == PB_COLL_KIND && value) {
        int ok = 0;
        for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
            ok |= strlen(kinds[k]) == len && !memcmp(kinds[k], value, len);
        if (!ok)
            return pb_error_set(err, PB_ERR_INVALID,
                                "unknown kind '%.*s' (expected objectives, workstreams, actions, "
                                "equality, timeline, swot, pestel, challenges, narrative or other)",
                                (int)(len > 40 ? 40 : len), value);
    }
    return pb_plan_set_text_field(c->head.plan, c->text, PB_COLL_FIELD_COUNT, (unsigned)f,
                                  "collection field", value, len, err);
}

size_t pb_collection_date_count(const pb_collection *c) { return c->ndates; }
const char *pb_collection_date_field(const pb_collection *c, size_t k)
{
    return k < c->ndates ? c->dates[k] : NULL;
}

pb_status pb_collection_add_date_field(pb_collection *c, const char *name, size_t len,
                                       pb_error *err)
{
    if (!name_ok(name, len))
        return pb_error_set(err, PB_ERR_INVALID, "'%.*s' is not a field name",
                            (int)(len > 40 ? 40 : len), name ? name : "");
    for (uint32_t k = 0; k < c->ndates; k++)
        if (strlen(c->dates[k]) == len && !memcmp(c->dates[k], name, len))
            return pb_error_set(err, PB_ERR_DUPLICATE, "'%.*s' is already a date field",
                                (int)len, name);
    if (!pb_grow((void **)&c->dates, &c->capdates, c->ndates + 1, sizeof(char *)))
        return pb_error_set(err, PB_ERR_NOMEM, NULL);
    const char *d = dup(c->head.plan, name, len, err);
    if (!d)
        return PB_ERR_NOMEM;
    c->dates[c->ndates++] = d;
    pb_plan_touch(c->head.plan);
    return PB_OK;
}

int pb_collection_is_date_field(const pb_collection *c, const char *name)
{
    if (!c->ndates)
        return !strcmp(name, "due") || !strcmp(name, "date");
    for (uint32_t k = 0; k < c->ndates; k++)
        if (!strcmp(c->dates[k], name))
            return 1;
    return 0;
}

size_t pb_collection_link_count(const pb_collection *c) { return c->nlinks; }
const char *pb_collection_link_field(const pb_collection *c, size_t k)
{
    return k < c->nlinks ? c->link_field[k] : NULL;
}
const char *pb_collection_link_target(const pb_collection *c, size_t k)
{
    return k < c->nlinks ? c->link_target[k] : NULL;
}

pb_status pb_collection_add_link(pb_collection *c, const char *field, size_t flen,
                                 const char *target, size_t tlen, pb_error *err)
{
    if (!name_ok(field, flen))
        return pb_error_set(err, PB_ERR_INVALID, "'%.*s' is not a field name",
                            (int)(flen > 40 ? 40 : flen), field ? field : "");
    if (!target || !tlen || tlen > 300)
        return pb_error_set(err, PB_ERR_INVALID, "a link needs a target");
    for (uint32_t k = 0; k < c->nlinks; k++)
        if (strlen(c->link_field[k]) == flen && !memcmp(c->link_field[k], field, flen))
            return pb_error_set(err, PB_ERR_DUPLICATE, "'%.*s' already links", (int)flen, field);
    uint32_t cap = c->caplinks;
    if (!pb_grow((void **)&c->link_field, &c->caplinks, c->nlinks + 1, sizeof(char *)))
        return pb_error_set(err, PB_ERR_NOMEM, NULL);
    uint32_t cap2 = cap;
    if (!pb_grow((void **)&c->link_target, &cap2, c->caplinks, sizeof(char *)))
        return pb_error_set(err, PB_ERR_NOMEM, NULL);
    const char *f = dup(c->head.plan, field, flen, err);
    const char *t = f ? dup(c->head.plan, target, tlen, err) : NULL;
    if (!t)
        return PB_ERR_NOMEM;
    c->link_field[c->nlinks] = f;
    c->link_target[c->nlinks] = t;
    c->nlinks++;
    pb_plan_touch(c->head.plan);
    return PB_OK;
}

/* -------------------------------------------------------------- items */

size_t pb_collection_count(const pb_collection *c) { return c->n; }

int64_t pb_collection_find(const pb_collection *c, const char *id, size_t len)
{
    return pb_index_get(&c->ids, id, len, item_key, c);
}

size_t pb_item_end(const pb_collection *c, size_t i)
{
    if (i >= c->n)
        return c->n;
    size_t e = i + 1;
    while (e < c->n && c->items[e].depth > c->items[i].depth)
        e++;
    return e;
}

int64_t pb_collection_add(pb_collection *c, uint32_t parent, const char *id, size_t len,
                          pb_error *err)
{
    if (parent != PB_NONE) {
        /* the parent must be the last item or one of its ancestors */
        uint32_t p = c->n ? c->n - 1 : PB_NONE;
        while (p != PB_NONE && p != parent)
            p = c->items[p].parent;
        if (p == PB_NONE) {
            pb_error_set(err, PB_ERR_INVALID, "a child item follows its parent's last child");
            return -1;
        }
        if (c->items[parent].depth + 1 >= PB_RECORD_MAX_DEPTH) {
            pb_error_set(err, PB_ERR_LIMIT, "items nest at most %d deep", PB_RECORD_MAX_DEPTH);
            return -1;
        }
    }
    if (id && len && pb_index_unique(&c->ids, item_key, c, id, len, PB_NONE, "item id", err))
        return -1;
    if (c->n >= UINT32_MAX - 2 || !pb_grow((void **)&c->items, &c->cap, c->n + 1, sizeof(pb_item)))
        return pb_add_nomem(err);
    pb_item *it = &c->items[c->n];
    memset(it, 0, sizeof *it);
    it->parent = parent;
    it->depth = parent == PB_NONE ? 0 : (uint8_t)(c->items[parent].depth + 1);
    if (id && len) {
        if (!(it->id = dup(c->head.plan, id, len, err)))
            return -1;
        if (!pb_index_put(&c->ids, c->n, item_key, c))
            return pb_add_nomem(err);
    }
    pb_plan_touch(c->head.plan);
    return c->n++;
}

pb_status pb_collection_remove(pb_collection *c, size_t i, pb_error *err)
{
    if (i >= c->n)
        return pb_error_set(err, PB_ERR_RANGE, "no item %zu", i);
    size_t end = pb_item_end(c, i), cnt = end - i;
    for (size_t j = i; j < end; j++)
        free(c->items[j].fields);
    memmove(c->items + i, c->items + end, (c->n - end) * sizeof(pb_item));
    c->n -= (uint32_t)cnt;
    for (uint32_t j = (uint32_t)i; j < c->n; j++)
        if (c->items[j].parent != PB_NONE && c->items[j].parent >= end)
            c->items[j].parent -= (uint32_t)cnt;
    pb_plan_touch(c->head.plan);
    if (!pb_index_rebuild(&c->ids, c->n, item_key, c))
        return pb_error_set(err, PB_ERR_NOMEM, NULL);
    return PB_OK;
}

uint32_t pb_item_parent(const pb_collection *c, size_t i) { return i < c->n ? c->items[i].parent : PB_NONE; }
int pb_item_depth(const pb_collection *c, size_t i) { return i < c->n ? c->items[i].depth : 0; }
const char *pb_item_id(const pb_collection *c, size_t i) { return i < c->n ? c->items[i].id : NULL; }

pb_status pb_item_set_id(pb_collection *c, size_t i, const char *id, size_t len, pb_error *err)
{
    if (i >= c->n)
        return pb_error_set(err, PB_ERR_RANGE, "no item %zu", i);
    if (id && len && pb_index_unique(&c->ids, item_key, c, id, len, i, "item id", err))
        return PB_ERR_DUPLICATE;
    return pb_plan_set_key(c->head.plan, &c->items[i].id, len ? id : NULL, len, &c->ids, c->n,
                           item_key, c, err);
}

size_t pb_item_field_count(const pb_collection *c, size_t i) { return i < c->n ? c->items[i].nf : 0; }
const char *pb_item_field_name(const pb_collection *c, size_t i, size_t k)
{
    return i < c->n && k < c->items[i].nf ? c->items[i].fields[k].name : NULL;
}
const char *pb_item_field_value(const pb_collection *c, size_t i, size_t k)
{
    return i < c->n && k < c->items[i].nf ? c->items[i].fields[k].value : NULL;
}

const char *pb_item_field(const pb_collection *c, size_t i, const char *name)
{
    if (i >= c->n)
        return NULL;
    for (uint16_t k = 0; k < c->items[i].nf; k++)
        if (!strcmp(c->items[i].fields[k].name, name))
            return c->items[i].fields[k].value;
    return NULL;
}

pb_status pb_item_set_field(pb_collection *c, size_t i, const char *name, size_t nlen,
                            const char *value, size_t vlen, pb_error *err)
{
    if (i >= c->n)
        return pb_error_set(err, PB_ERR_RANGE, "no item %zu", i);
    if (!name_ok(name, nlen) || (nlen == 2 && !memcmp(name, "id", 2)) ||
        (nlen == 5 && !memcmp(name, "items", 5)))
        return pb_error_set(err, PB_ERR_INVALID,
                            "'%.*s' is not a field name (1-64 letters, digits or _; not id "
                            "or items)",
                            (int)(nlen > 40 ? 40 : nlen), name ? name : "");
    pb_item *it = &c->items[i];
    int found = -1;
    for (uint16_t k = 0; k < it->nf; k++)
        if (strlen(it->fields[k].name) == nlen && !memcmp(it->fields[k].name, name, nlen))
            found = k;
    if (!value) {
        if (found >= 0) {
            memmove(it->fields + found, it->fields + found + 1,
                    (size_t)(it->nf - found - 1) * sizeof(pb_field));
            it->nf--;
            pb_plan_touch(c->head.plan);
        }
        return PB_OK;
    }
    const char *v = dup(c->head.plan, value, vlen, err);
    if (!v)
        return err ? err->status : PB_ERR_NOMEM;
    if (found >= 0) {
        it->fields[found].value = v;
    } else {
        if (it->nf == UINT16_MAX)
            return pb_error_set(err, PB_ERR_LIMIT, "an item has at most 65535 fields");
        if (it->nf == it->capf) {
            uint16_t ncap = it->capf ? (uint16_t)(it->capf < 32768 ? it->capf * 2 : 65535) : 4;
            pb_field *nf = realloc(it->fields, ncap * sizeof(pb_field));
            if (!nf)
                return pb_error_set(err, PB_ERR_NOMEM, NULL);
            it->fields = nf;
            it->capf = ncap;
        }
        const char *nm = dup(c->head.plan, name, nlen, err);
        if (!nm)
            return PB_ERR_NOMEM;
        it->fields[it->nf].name = nm;
        it->fields[it->nf].value = v;
        it->nf++;
    }
    pb_plan_touch(c->head.plan);
    return PB_OK;
}

void pb_item_source(const pb_collection *c, size_t i, uint32_t *line, uint32_t *column)
{
    *line = i < c->n ? c->items[i].line : 0;
    *column = i < c->n ? c->items[i].column : 0;
}
void pb_item_set_source(pb_collection *c, size_t i, uint32_t line, uint32_t column)
{
    if (i < c->n) {
        c->items[i].line = line;
        c->items[i].column = column;
    }
}

/* A start ("commence in May 2018") or a review date is a date of the item
 * but never its deadline: only the other date fields make it due. */
static int not_due_field(const char *name)
{
    return !strcmp(name, "start") || !strcmp(name, "review");
}

int32_t pb_item_due(const pb_collection *c, size_t i)
{
    if (i >= c->n)
        return 0;
    const pb_item *it = &c->items[i];
    for (uint16_t k = 0; k < it->nf; k++)
        if (pb_collection_is_date_field(c, it->fields[k].name) &&
            !not_due_field(it->fields[k].name)) {
            int32_t a, b;
            const char *v = it->fields[k].value;
            if (!pb_date_range_parse(v, strlen(v), &a, &b, NULL) && b)
                return b;
        }
    return 0;
}

/* --------------------------------------------------------------- checks */

/* Does id (s[0..n)) exist at target? -1 when the target itself does not. */
static int resolves(const pb_plan *plan, const char *target, const char *s, size_t n)
{
    if (!strncmp(target, "indicators.", 11)) {
        int64_t k = pb_plan_find_indset(plan, target + 11, strlen(target + 11));
        if (k < 0)
            return -1;
        return pb_indset_find(pb_plan_indset(plan, (size_t)k), s, n) >= 0;
    }
    if (!strncmp(target, "risks.", 6)) {
        int64_t k = pb_plan_find_register(plan, target + 6, strlen(target + 6));
        if (k < 0)
            return -1;
        return pb_register_find(pb_plan_register(plan, (size_t)k), s, n) >= 0;
    }
    int64_t k = pb_plan_find_collection(plan, target, strlen(target));
    if (k < 0)
        return -1;
    return pb_collection_find(pb_plan_collection(plan, (size_t)k), s, n) >= 0;
}

pb_status pb_collections_check(const pb_plan *plan, pb_findings *out, pb_error *err)
{
    for (uint32_t ci = 0; ci < pb_plan_collection_count(plan); ci++) {
        const pb_collection *c = pb_plan_collection(plan, ci);
        for (uint32_t i = 0; i < c->n; i++) {
            const pb_item *it = &c->items[i];
            for (uint16_t k = 0; k < it->nf; k++) {
                const char *name = it->fields[k].name, *v = it->fields[k].value;
                if (pb_collection_is_date_field(c, name)) {
                    int32_t a, b;
                    if (pb_date_range_parse(v, strlen(v), &a, &b, NULL)) {
                        pb_finding *f = pb_finding_add(out, PB_PART_RECORDS, PB_FIND_DATE, PB_SEV_WARNING,
                                                       ci, i, k);
                        if (!f)
                            return pb_error_set(err, PB_ERR_NOMEM, NULL);
                        f->line = it->line, f->col = it->column;
                        snprintf(f->detail, sizeof f->detail,
                                 "%s '%.120s' is not a date, so it cannot be overdue", name, v);
                    }
                }
                for (uint32_t l = 0; l < c->nlinks; l++) {
                    if (strcmp(c->link_field[l], name))
                        continue;
                    const char *target = c->link_target[l];
                    /* one id, or several separated by commas or semicolons */
                    const char *p = v;
                    while (*p) {
                        while (*p == ' ' || *p == ',' || *p == ';')
                            p++;
                        const char *q = p;
                        while (*q && *q != ',' && *q != ';')
                            q++;
                        const char *e = q;
                        while (e > p && e[-1] == ' ')
                            e--;
                        if (e > p) {
                            int r = resolves(plan, target, p, (size_t)(e - p));
                            if (r != 1) {
                                pb_finding *f =
                                    pb_finding_add(out, PB_PART_RECORDS, PB_FIND_REFERENCE,
                                                   PB_SEV_ERROR, ci, i, k);
                                if (!f)
                                    return pb_error_set(err, PB_ERR_NOMEM, NULL);
                                f->line = it->line, f->col = it->column;
                                if (r < 0)
                                    snprintf(f->detail, sizeof f->detail,
                                             "%s links to '%s', which is not in the plan", name,
                                             target);
                                else
                                    snprintf(f->detail, sizeof f->detail,
                                             "%s '%.*s' is not in %s", name,
                                             (int)((e - p) > 100 ? 100 : (e - p)), p, target);
                            }
                        }
                        p = q;
                    }
                }
            }
        }
    }
    return PB_OK;
}

size_t pb_record_finding_message(const pb_plan *plan, const pb_finding *f, char *buf, size_t cap)
{
    const pb_collection *c = pb_plan_collection(plan, f->table);
    const char *id = c && f->row < c->n ? c->items[f->row].id : NULL;
    int n;
    if (id)
        n = snprintf(buf, cap, "%s item '%s': %s", c ? c->head.id : "?", id, f->detail);
    else
        n = snprintf(buf, cap, "%s item %u: %s", c ? c->head.id : "?", f->row + 1, f->detail);
    return n < 0 ? 0 : (size_t)n;
}
