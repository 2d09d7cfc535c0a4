/* pb_yaml_write_private.h - what the writer's units share (not installed).
 *
 * The writer is split as the reader is:
 *   pb_yaml_write.c        the emitter, scalars, the document, budget
 *                          tables, agreements and indicator sets
 *   pb_yaml_write_parts.c  the record-shaped parts: risk registers and
 *                          collections of records, their text fields
 *                          written from the core's descriptors (pb_fields.h)
 *
 * Convention: functions return 1 on success and 0 on failure, with the
 * writer's error set.
 */
#ifndef PB_YAML_WRITE_PRIVATE_H
#define PB_YAML_WRITE_PRIVATE_H

#include <yaml.h>

#include "pb_yaml.h"

typedef struct pb_yw {
    const pb_api *api;
    pb_plan *plan;
    pb_error *err;
    yaml_emitter_t em;
    pb_yaml_sink sink;
    void *ctx;
    int sink_failed;
    int no_budgets; /* PB_YAML_NO_BUDGETS */
} pb_yw;

#define A (w->api)

/* Text as text: plain where safe, quoted where a reader could mistake it,
 * literal block for several lines. */
int pb_yw_text(pb_yw *w, const char *s);
/* A plain scalar (a key, a number, a word). */
int pb_yw_plain(pb_yw *w, const char *s);
int pb_yw_mapping_start(pb_yw *w, int flow);
int pb_yw_mapping_end(pb_yw *w);
int pb_yw_sequence_start(pb_yw *w, int flow);
int pb_yw_sequence_end(pb_yw *w);
/* key: text (skipped when value is NULL) */
int pb_yw_kv_text(pb_yw *w, const char *key, const char *value);
/* key: plain value */
int pb_yw_kv_plain(pb_yw *w, const char *key, const char *value);
/* key: a whole number */
int pb_yw_kv_int(pb_yw *w, const char *key, long long v);
/* key: then the start of a mapping or a sequence (flow or block) */
int pb_yw_open_map(pb_yw *w, const char *key, int flow);
int pb_yw_open_seq(pb_yw *w, const char *key, int flow);

/* The text fields the core describes (pb_fields.h), in their order, as
 * key: text (a field not set is left out): of the part (item PB_NONE) or
 * of one of its items, each got by get. */
typedef const char *(*pb_yw_described_text)(const pb_api *api, const void *part, size_t item,
                                            int code);
int pb_yw_described(pb_yw *w, const pb_field_desc *d, size_t n, pb_yw_described_text get,
                    const void *part, size_t item);

/* Text k of obj (a date field's name, a footnote's mark...). */
typedef const char *(*pb_yw_nth)(const pb_api *api, const void *obj, size_t k);
/* key: [text, ...] in flow style; nothing when n is 0. */
int pb_yw_text_list(pb_yw *w, const char *key, const void *obj, size_t n, pb_yw_nth item);
/* key: {k: v, ...}; nothing when n is 0. */
int pb_yw_text_map(pb_yw *w, const char *key, const void *obj, size_t n, pb_yw_nth k,
                   pb_yw_nth v);

/* A tree kept in print order (each node followed by its subtree, which
 * ends at end(api, obj, i)): budget rows, record items. */
typedef struct pb_yw_tree {
    void *obj;
    size_t (*end)(const pb_api *api, const void *obj, size_t i);
    /* Write node i's keys (its mapping is open); set *children to the key
     * its children go under (NULL: it has none), *always when that key is
     * written even with no children ("rows: []"). */
    int (*node)(pb_yw *w, void *obj, size_t i, const char **children, int *always);
} pb_yw_tree;
/* Nodes [from, to) of the tree, each a mapping with its subtree, as a
 * sequence. */
int pb_yw_write_tree(pb_yw *w, const pb_yw_tree *t, size_t from, size_t to);

/* id: {...}: one risk register, one collection of records. */
int pb_yw_register(pb_yw *w, void *part);
int pb_yw_collection(pb_yw *w, void *part);
/* key: [rows]: every described part of the plan (pb_described.h). */
int pb_yw_described_parts(pb_yw *w);

#endif
