/* pb_part.h - one shape for the parts of a plan: its budget tables,
 * indicator sets, risk registers and collections of records.
 *
 * Internal to the core (not part of the public API).  Every part object
 * (struct pb_table, pb_indset, pb_register, pb_collection) has a
 * pb_part_head as its first member, `head`: its plan, its id and where it
 * was read from.  The plan keeps each kind in a pb_parts: the objects in
 * order, an index by id, and
 * the kind's pb_part_ops (how big an object is, how to set one up, free
 * what it holds and count its memory), set by the first add.  So the plan
 * frees and measures its parts by iterating over them, without naming a
 * module above it, and the public count/get/find/add/remove functions of
 * each kind (pb_plan_add_table, pb_plan_add_indset, ...) are one-line
 * wrappers over pb_parts_* (add and remove through pb_plan_add_part and
 * pb_plan_remove_part, which also mark the plan changed), written once as
 * PB_PART_FUNCTIONS (pb_plan_private.h).  A new kind of part is a new
 * PB_PART_* (pb_finding.h), a struct whose first member is its
 * pb_part_head, its pb_part_ops and one PB_PART_FUNCTIONS line.
 *
 * Also here, because every part needs them: the string -> index map, the
 * array growth rule and the id rule.
 */
#ifndef PB_PART_H
#define PB_PART_H

#include <stdint.h>
#include <stddef.h>

#include "pb_arena.h"
#include "pb_error.h"
#include "pb_finding.h" /* PB_PART_BUDGETS ... PB_PART_COUNT */

struct pb_plan;

/* ------------------------------------------------------ string -> index */

/* A string -> index hash map (open addressing), rebuilt when stale. */
typedef struct pb_index {
    uint32_t *slots; /* index+1, 0 = empty */
    uint32_t cap;    /* power of two */
    uint32_t count;
    int stale;
} pb_index;

/* The key (a NUL-terminated string) of index i. */
typedef const char *(*pb_key_fn)(const void *ctx, uint32_t i);
void pb_index_free(pb_index *ix);
/* Add index i; 0 for lack of memory (the map is then unchanged). */
int pb_index_put(pb_index *ix, uint32_t i, pb_key_fn key, const void *ctx);
/* The index whose key is s[0..n), or -1. */
int64_t pb_index_get(const pb_index *ix, const char *s, size_t n,
                     pb_key_fn key, const void *ctx);

/* The map made anew over indexes 0..n-1, each whose key is not NULL; 0
 * for lack of memory. */
int pb_index_rebuild(pb_index *ix, uint32_t n, pb_key_fn key, const void *ctx);
/* PB_OK when no index but `self` (or none, for a new item: PB_NONE) has
 * the key s[0..n); else PB_ERR_DUPLICATE "duplicate <noun> '<s>'". */
pb_status pb_index_unique(const pb_index *ix, pb_key_fn key, const void *ctx, const char *s,
                          size_t n, size_t self, const char *noun, pb_error *err);

/* Grow an array to hold at least `need` items (1.5x growth); 0 for lack of
 * memory (the array is then unchanged). */
int pb_grow(void **arr, uint32_t *cap, uint32_t need, size_t item);

/* An add (of a row, an item, a risk) out of memory: err set; returns -1,
 * the adds' "no index". */
int64_t pb_add_nomem(pb_error *err);

/* Is id a valid identifier: 1-128 of [A-Za-z0-9_-], not starting with '-'?
 * (Public: declared in pb_plan.h too.) */
int pb_id_valid(const char *id, size_t len);
#define PB_ID_MAX 128 /* as pb_plan.h */

/* const pb_field_desc *fn(size_t *n): the rows of a part's static table
 * of described fields (pb_fields.h), written once. */
#define PB_FIELDS_GETTER(fn, table)                                        \
    const pb_field_desc *fn(size_t *n)                                     \
    {                                                                      \
        *n = sizeof(table) / sizeof((table)[0]);                           \
        return table;                                                      \
    }

/* ---------------------------------------------------------------- parts */

/* What every part object starts with (its first member, so that a pointer
 * to the object is a pointer to its head). */
typedef struct pb_part_head {
    struct pb_plan *plan;
    const char *id; /* in the plan's arena */
    uint32_t line, column; /* where it was read from (1-based; 0 unknown) */
} pb_part_head;

/* What the plan knows of a kind of part. */
typedef struct pb_part_ops {
    const char *noun;  /* in messages: "table", "indicator set", ... */
    size_t size;       /* bytes of an object (zeroed, then its head set) */
    /* Defaults beyond zero; 0 for lack of memory.  May be NULL. */
    int (*init)(void *obj);
    /* Free what the object holds (not the object itself). */
    void (*clear)(void *obj);
    /* Bytes the object holds beyond its size. */
    size_t (*memory)(const void *obj);
} pb_part_ops;

/* The plan's objects of one kind, in order, by id. */
typedef struct pb_parts {
    const pb_part_ops *ops; /* NULL until the first add */
    pb_part_head **items;
    uint32_t n, cap;
    pb_index ids;
} pb_parts;

static inline size_t pb_parts_count(const pb_parts *p) { return p->n; }
/* Object i, or NULL when out of range. */
static inline void *pb_parts_get(const pb_parts *p, size_t i)
{
    return i < p->n ? (void *)p->items[i] : NULL;
}
/* Index of the object with this id, or -1. */
int64_t pb_parts_find(const pb_parts *p, const char *id, size_t len);
/* Append a new object with this id (valid, unique among p's), its text in
 * arena.  Returns it, or NULL with err set. */
void *pb_parts_add(pb_parts *p, const pb_part_ops *ops, struct pb_plan *plan, pb_arena *arena,
                   const char *id, size_t len, pb_error *err);
/* Remove and free object i. */
pb_status pb_parts_remove(pb_parts *p, size_t i, pb_error *err);
/* Free every object and the container. */
void pb_parts_free(pb_parts *p);
/* Bytes held by the container and its objects. */
size_t pb_parts_memory(const pb_parts *p);

/* Where a part was read from. */
static inline void pb_part_source(const pb_part_head *h, uint32_t *line, uint32_t *column)
{
    *line = h->line;
    *column = h->column;
}
static inline void pb_part_set_source(pb_part_head *h, uint32_t line, uint32_t column)
{
    h->line = line;
    h->column = column;
}

#endif
