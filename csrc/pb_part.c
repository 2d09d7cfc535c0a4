/* pb_part.c - the container of a plan's parts, the string -> index map,
 * array growth and the id rule (pb_part.h). */
#include "pb_part.h"
#include "pb_text.h"

#include <stdlib.h>
#include <string.h>

int pb_id_valid(const char *id, size_t len)
{
    if (!id || len == 0 || len > PB_ID_MAX)
        return 0;
    if (id[0] == '-')
        return 0; /* in a sum, -id means "minus id" */
    for (size_t i = 0; i < len; i++) {
        char c = id[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

int64_t pb_add_nomem(pb_error *err)
{
    pb_error_set(err, PB_ERR_NOMEM, NULL);
    return -1;
}

int pb_grow(void **arr, uint32_t *cap, uint32_t need, size_t item)
{
    if (need <= *cap)
        return 1;
    if (need == UINT32_MAX)
        return 0;
    size_t ncap = *cap < 8 ? 8 : (size_t)*cap + *cap / 2;
    if (ncap < need)
        ncap = need;
    if (ncap > UINT32_MAX - 1)
        ncap = UINT32_MAX - 1;
    if (ncap > SIZE_MAX / item)
        return 0;
    void *p = realloc(*arr, ncap * item);
    if (!p)
        return 0;
    *arr = p;
    *cap = (uint32_t)ncap;
    return 1;
}

/* ---------------------------------------------------- string -> index */

static uint32_t hash_str(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

void pb_index_free(pb_index *ix)
{
    free(ix->slots);
    ix->slots = NULL;
    ix->cap = ix->count = 0;
    ix->stale = 0;
}

int pb_index_put(pb_index *ix, uint32_t i, pb_key_fn key, const void *ctx)
{
    if ((ix->count + 1) * 4 > ix->cap * 3) {
        uint32_t ncap = ix->cap ? ix->cap * 2 : 16;
        if (ncap < ix->cap)
            return 0;
        uint32_t *ns = calloc(ncap, sizeof *ns);
        if (!ns)
            return 0;
        for (uint32_t k = 0; k < ix->cap; k++) {
            uint32_t v = ix->slots[k];
            if (!v)
                continue;
            const char *s = key(ctx, v - 1);
            uint32_t h = hash_str(s, strlen(s)) & (ncap - 1);
            while (ns[h])
                h = (h + 1) & (ncap - 1);
            ns[h] = v;
        }
        free(ix->slots);
        ix->slots = ns;
        ix->cap = ncap;
    }
    const char *s = key(ctx, i);
    uint32_t h = hash_str(s, strlen(s)) & (ix->cap - 1);
    while (ix->slots[h])
        h = (h + 1) & (ix->cap - 1);
    ix->slots[h] = i + 1;
    ix->count++;
    return 1;
}

int64_t pb_index_get(const pb_index *ix, const char *s, size_t n,
                     pb_key_fn key, const void *ctx)
{
    if (!ix->cap)
        return -1;
    uint32_t h = hash_str(s, n) & (ix->cap - 1);
    while (ix->slots[h]) {
        uint32_t i = ix->slots[h] - 1;
        if (pb_name_eq(key(ctx, i), s, n))
            return i;
        h = (h + 1) & (ix->cap - 1);
    }
    return -1;
}

int pb_index_rebuild(pb_index *ix, uint32_t n, pb_key_fn key, const void *ctx)
{
    pb_index_free(ix);
    for (uint32_t i = 0; i < n; i++)
        if (key(ctx, i) && !pb_index_put(ix, i, key, ctx))
            return 0;
    return 1;
}

pb_status pb_index_unique(const pb_index *ix, pb_key_fn key, const void *ctx, const char *s,
                          size_t n, size_t self, const char *noun, pb_error *err)
{
    int64_t o = pb_index_get(ix, s, n, key, ctx);
    if (o >= 0 && (size_t)o != self)
        return pb_error_set(err, PB_ERR_DUPLICATE, "duplicate %s '%.*s'", noun,
                            (int)(n > 60 ? 60 : n), s);
    return PB_OK;
}

/* ---------------------------------------------------------------- parts */

static const char *part_key(const void *ctx, uint32_t i)
{
    const pb_parts *p = ctx;
    return p->items[i]->id;
}

/* The index by id, made anew (after a removal or a failed put). */
static int ids_rebuild(pb_parts *p)
{
    if (pb_index_rebuild(&p->ids, p->n, part_key, p))
        return 1;
    p->ids.stale = 1;
    return 0;
}

int64_t pb_parts_find(const pb_parts *p, const char *id, size_t len)
{
    if (p->ids.stale && !ids_rebuild((pb_parts *)p)) {
        /* no memory for the index: look the slow way */
        for (uint32_t i = 0; i < p->n; i++)
            if (pb_name_eq(p->items[i]->id, id, len))
                return i;
        return -1;
    }
    return pb_index_get(&p->ids, id, len, part_key, p);
}

static void object_free(const pb_part_ops *ops, pb_part_head *h)
{
    if (ops->clear)
        ops->clear(h);
    free(h);
}

void *pb_parts_add(pb_parts *p, const pb_part_ops *ops, struct pb_plan *plan, pb_arena *arena,
                   const char *id, size_t len, pb_error *err)
{
    if (!pb_id_valid(id, len)) {
        pb_error_set(err, PB_ERR_INVALID,
                     "'%.*s' is not a valid %s id (1-128 letters, digits, _ or -, not starting with -)",
                     (int)(len > 60 ? 60 : len), id ? id : "", ops->noun);
        return NULL;
    }
    if (pb_parts_find(p, id, len) >= 0) {
        pb_error_set(err, PB_ERR_DUPLICATE, "duplicate %s id '%.*s'", ops->noun, (int)len, id);
        return NULL;
    }
    if (!pb_grow((void **)&p->items, &p->cap, p->n + 1, sizeof *p->items)) {
        pb_error_set(err, PB_ERR_NOMEM, NULL);
        return NULL;
    }
    pb_part_head *h = calloc(1, ops->size);
    if (!h) {
        pb_error_set(err, PB_ERR_NOMEM, NULL);
        return NULL;
    }
    h->plan = plan;
    h->id = pb_arena_strndup(arena, id, len);
    if (!h->id || (ops->init && !ops->init(h))) {
        object_free(ops, h);
        pb_error_set(err, PB_ERR_NOMEM, NULL);
        return NULL;
    }
    p->ops = ops;
    p->items[p->n] = h;
    if (!p->ids.stale && !pb_index_put(&p->ids, p->n, part_key, p))
        p->ids.stale = 1; /* made again at the next lookup */
    p->n++;
    return h;
}

pb_status pb_parts_remove(pb_parts *p, size_t i, pb_error *err)
{
    if (i >= p->n)
        return pb_error_set(err, PB_ERR_RANGE, "no %s %zu", p->ops ? p->ops->noun : "part", i);
    object_free(p->ops, p->items[i]);
    memmove(p->items + i, p->items + i + 1, (p->n - i - 1) * sizeof *p->items);
    p->n--;
    p->ids.stale = 1;
    return PB_OK;
}

void pb_parts_free(pb_parts *p)
{
    for (uint32_t i = 0; i < p->n; i++)
        object_free(p->ops, p->items[i]);
    free(p->items);
    pb_index_free(&p->ids);
    p->items = NULL;
    p->n = p->cap = 0;
}

size_t pb_parts_memory(const pb_parts *p)
{
    size_t m = p->cap * sizeof *p->items + p->ids.cap * sizeof(uint32_t);
    for (uint32_t i = 0; i < p->n; i++)
        m += p->ops->size + (p->ops->memory ? p->ops->memory(p->items[i]) : 0);
    return m;
}
