/* pb_record.h - collections of records: objectives, workstreams, action
 * plans, equality assessments, the timeline, SWOT, PESTEL, challenges and
 * narrative sections.
 *
 * A collection is a flat array of items in print order (the pre-order walk
 * of their tree, each with its parent), each item an optional id and named
 * text fields.  The collection says which fields are dates and which are
 * links to ids elsewhere in the plan (another collection, an indicator
 * set's refs, a risk register's ids); the check resolves every link.
 */
#ifndef PB_RECORD_H
#define PB_RECORD_H

#include <stdint.h>
#include <stddef.h>

#include "pb_date.h"
#include "pb_error.h"
#include "pb_finding.h"
#include "pb_plan.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pb_collection pb_collection;

#define PB_RECORD_MAX_DEPTH 32
#define PB_FIELD_NAME_MAX 64

typedef enum pb_collection_field {
    PB_COLL_TITLE = 0,
    PB_COLL_KIND,
    PB_COLL_NOTE,
    PB_COLL_FIELD_COUNT
} pb_collection_field;

size_t pb_plan_collection_count(const pb_plan *plan);
pb_collection *pb_plan_collection(const pb_plan *plan, size_t index);
int64_t pb_plan_find_collection(const pb_plan *plan, const char *id, size_t len);
pb_collection *pb_plan_add_collection(pb_plan *plan, const char *id, size_t len,
                                      pb_error *err);
pb_status pb_plan_remove_collection(pb_plan *plan, size_t index, pb_error *err);

const char *pb_collection_id(const pb_collection *c);
const char *pb_collection_text(const pb_collection *c, pb_collection_field f);
/* PB_COLL_KIND is one of objectives, workstreams, actions, equality,
 * timeline, swot, pestel, challenges, narrative, other. */
pb_status pb_collection_set_text(pb_collection *c, pb_collection_field f, const char *value,
                                 size_t len, pb_error *err);
void pb_collection_source(const pb_collection *c, uint32_t *line, uint32_t *column);
void pb_collection_set_source(pb_collection *c, uint32_t line, uint32_t column);

/* Date fields (default: "due" and "date" until any is declared). */
size_t pb_collection_date_count(const pb_collection *c);
const char *pb_collection_date_field(const pb_collection *c, size_t k);
pb_status pb_collection_add_date_field(pb_collection *c, const char *name, size_t len,
                                       pb_error *err);
int pb_collection_is_date_field(const pb_collection *c, const char *name);

/* Link fields: field name -> target ("objectives", "indicators.<set>",
 * "risks.<register>"). */
size_t pb_collection_link_count(const pb_collection *c);
const char *pb_collection_link_field(const pb_collection *c, size_t k);
const char *pb_collection_link_target(const pb_collection *c, size_t k);
pb_status pb_collection_add_link(pb_collection *c, const char *field, size_t flen,
                                 const char *target, size_t tlen, pb_error *err);

size_t pb_collection_count(const pb_collection *c);
/* Append an item under parent (PB_NONE, or an item on the path to the
 * last one, so the items stay in print order); id may be NULL.  Returns
 * its index or -1. */
int64_t pb_collection_add(pb_collection *c, uint32_t parent, const char *id, size_t len,
                          pb_error *err);
/* Remove an item and its children. */
pb_status pb_collection_remove(pb_collection *c, size_t i, pb_error *err);
/* Index one past the item's last descendant. */
size_t pb_item_end(const pb_collection *c, size_t i);
int64_t pb_collection_find(const pb_collection *c, const char *id, size_t len);

uint32_t pb_item_parent(const pb_collection *c, size_t i);
int pb_item_depth(const pb_collection *c, size_t i);
const char *pb_item_id(const pb_collection *c, size_t i);
pb_status pb_item_set_id(pb_collection *c, size_t i, const char *id, size_t len,
                         pb_error *err);
size_t pb_item_field_count(const pb_collection *c, size_t i);
const char *pb_item_field_name(const pb_collection *c, size_t i, size_t k);
const char *pb_item_field_value(const pb_collection *c, size_t i, size_t k);
/* A field's value by name, or NULL. */
const char *pb_item_field(const pb_collection *c, size_t i, const char *name);
/* Set (value copied) or remove (value NULL) a field.  Names are 1-64 of
 * [A-Za-z0-9_]; "id" and "items" are reserved. */
pb_status pb_item_set_field(pb_collection *c, size_t i, const char *name, size_t nlen,
                            const char *value, size_t vlen, pb_error *err);
void pb_item_source(const pb_collection *c, size_t i, uint32_t *line, uint32_t *column);
void pb_item_set_source(pb_collection *c, size_t i, uint32_t line, uint32_t column);

/* The item's due date: the end of its first date field that holds a
 * date, leaving out "start" and "review": a
 * start or a review date never makes an item due.  0 when it has none
 * (undated). */
int32_t pb_item_due(const pb_collection *c, size_t i);

/* The record checks (part of pb_plan_check): date fields hold dates, links
 * resolve.  Appends to out; fails only for lack of memory. */
pb_status pb_collections_check(const pb_plan *plan, pb_findings *out, pb_error *err);
/* The sentence of a record finding (pb_finding_message's). */
size_t pb_record_finding_message(const pb_plan *plan, const pb_finding *f, char *buf,
                                 size_t cap);

#ifdef __cplusplus
}
#endif
#endif
