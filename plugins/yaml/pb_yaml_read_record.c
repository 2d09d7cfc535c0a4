/* pb_yaml_read_record.c - the record collections (records: {id:
 * collection}) and their items, whose fields are free names.
 */
#include "pb_yaml_private.h"

#include <stdlib.h>
#include <string.h>

/* ============================================================= items */

static int read_items(pb_yr_reader *r, pb_collection *c, uint32_t parent);

/* The item of a collection, made at its id or at its first field. */
static int make_item(pb_yr_reader *r, pb_collection *c, uint32_t parent, const char *id,
                     size_t n, uint32_t line, uint32_t col, int64_t *i)
{
    pb_error *e = pb_yr_error(r);
    *i = A->pb_collection_add(c, parent, id, n, e);
    if (*i < 0)
        return pb_yr_core_fail(r, e);
    A->pb_item_set_source(c, (size_t)*i, line, col);
    r->cells++;
    return 1;
}

/* One field of an item: the current event is its value. */
static int item_field(pb_yr_reader *r, pb_collection *c, size_t i, const char *name, size_t nl)
{
    if (pb_yr_is_null(r))
        return 1;
    if (!pb_yr_text(r, "text"))
        return 0;
    if (A->pb_item_field(c, i, name))
        return FAIL(PB_ERR_SCHEMA, "duplicate key '%s'", name);
    pb_error *e = pb_yr_error(r);
    return pb_yr_core(r, A->pb_item_set_field(c, i, name, nl, sval(r), slen(r), e), e);
}

/* An item: {id: ..., field: text..., items: [...]}, the id first and the
 * items last. */
static int read_item(pb_yr_reader *r, pb_collection *c, uint32_t parent)
{
    if (!pb_yr_expect(r, YAML_MAPPING_START_EVENT, "an item (a mapping)"))
        return 0;
    uint32_t line = LINE(r->ev), col = COL(r->ev);
    int64_t i = -1;
    int saw_items = 0;
    for (size_t nkeys = 0;; nkeys++) {
        if (!pb_yr_next(r))
            return 0;
        if (r->ev.type == YAML_MAPPING_END_EVENT)
            break;
        if (!pb_yr_text(r, "a field name"))
            return 0;
        char name[PB_FIELD_NAME_MAX + 1];
        size_t nl = slen(r);
        if (nl > PB_FIELD_NAME_MAX) {
            pb_yr_path_key(r, sval(r), 40);
            return FAIL(PB_ERR_SCHEMA, "a field name is at most %d characters", PB_FIELD_NAME_MAX);
        }
        memcpy(name, sval(r), nl);
        name[nl] = '\0';
        size_t saved = pb_yr_path_key(r, name, nl);
        int is_id = !strcmp(name, "id"), is_items = !strcmp(name, "items");
        if (i < 0 && !is_id) {
            if (!make_item(r, c, parent, NULL, 0, line, col, &i))
                return 0;
        } else if (is_id && i >= 0) {
            return FAIL(PB_ERR_SCHEMA, nkeys ? "the id comes first" : "duplicate key 'id'");
        }
        if (saw_items)
            return FAIL(PB_ERR_SCHEMA, "'items' comes after the item's fields");
        if (!pb_yr_next(r))
            return 0;
        if (is_id) {
            if (!pb_yr_text(r, "the item's id") ||
                !make_item(r, c, parent, sval(r), slen(r), line, col, &i))
                return 0;
        } else if (is_items) {
            saw_items = 1;
            if (!read_items(r, c, (uint32_t)i))
                return 0;
        } else if (!item_field(r, c, (size_t)i, name, nl)) {
            return 0;
        }
        if (!pb_yr_cells_fit(r))
            return FAIL(PB_ERR_LIMIT, "more items than the input can hold");
        pb_yr_path_pop(r, saved);
    }
    if (i < 0) {
        pb_error *e = pb_yr_error(r);
        i = A->pb_collection_add(c, parent, NULL, 0, e);
        if (i < 0)
            return pb_yr_core_fail_at(r, e, line, col);
        A->pb_item_set_source(c, (size_t)i, line, col);
    }
    return 1;
}

/* The items under a parent as they are read. */
typedef struct items {
    pb_collection *c;
    uint32_t parent;
} items;

static int read_list_item(pb_yr_reader *r, void *obj, size_t n)
{
    (void)n;
    items *it = obj;
    return read_item(r, it->c, it->parent);
}

static int read_items(pb_yr_reader *r, pb_collection *c, uint32_t parent)
{
    items it = {c, parent};
    return pb_yr_read_list(r, "a list of items", read_list_item, &it);
}

/* ======================================================= collections */

PB_YR_PART_HOOKS(collection)

static int date_field(pb_yr_reader *r, void *obj, size_t n)
{
    (void)n;
    if (!pb_yr_text(r, "a field name"))
        return 0;
    pb_error *e = pb_yr_error(r);
    return pb_yr_core(r, A->pb_collection_add_date_field(obj, sval(r), slen(r), e), e);
}

/* links: {field: target} */
static pb_status add_link(pb_yr_reader *r, void *obj, const char *field, size_t fl,
                          const char *target, size_t tl, pb_error *e)
{
    return A->pb_collection_add_link(obj, field, fl, target, tl, e);
}

static int link_entry(pb_yr_reader *r, void *obj)
{
    return pb_yr_text_entry(r, obj, "a link target", 0, add_link);
}

/* dates, links, items */
static int collection_list(pb_yr_reader *r, void *obj, const pb_yr_field *f, uint32_t seen)
{
    (void)seen;
    switch (f->code) {
    case 0:
        return pb_yr_read_list(r, "a list of field names", date_field, obj);
    case 1:
        return pb_yr_read_entries(r, "links: field -> target", "a field name", link_entry, obj);
    default:
        return read_items(r, obj, PB_NONE);
    }
}

/* The keys of a collection after its text fields (pb_collection_fields). */
static const pb_yr_field collection_keys[] = {
    {"dates", collection_list, 0, 0, NULL, "items"},
    {"links", collection_list, 1, 0, NULL, "items"},
    {"items", collection_list, 2, 0, NULL, NULL},
};
PB_YR_DESCRIBED_PARTS_READER(pb_yr_read_records, collection, collection_keys,
                             "a collection (a mapping)", "a mapping of collections by id",
                             "a collection id")
