/* pb_yaml_write_parts.c - writing the record-shaped parts: risk
 * registers with their risks and scores, collections of records with
 * their items.  Their text fields are written from the core's
 * descriptors (pb_fields.h), in the order the core gives them.
 */
#include "pb_yaml_write_private.h"

#include <string.h>

int pb_yw_described(pb_yw *w, const pb_field_desc *d, size_t n, pb_yw_described_text get,
                    const void *part, size_t item)
{
    for (size_t k = 0; k < n; k++)
        if (!pb_yw_kv_text(w, d[k].key, get(A, part, item, d[k].code)))
            return 0;
    return 1;
}

/* ------------------------------------------------------------- risks */

static int write_score(pb_yw *w, pb_register *g, size_t i, pb_score_kind k)
{
    const char *t = A->pb_risk_score_text(g, i, k);
    pb_score s = A->pb_risk_score(g, i, k);
    if (!t && !s.likelihood && !s.impact && !s.score)
        return 1;
    if (!pb_yw_plain(w, A->pb_score_kind_name(k)))
        return 0;
    if (t)
        return pb_yw_text(w, t);
    if (!pb_yw_mapping_start(w, 1))
        return 0;
    static const char *const names[3] = {"likelihood", "impact", "score"};
    int v[3] = {s.likelihood, s.impact, s.score};
    for (int q = 0; q < 3; q++)
        if (v[q] && !pb_yw_kv_int(w, names[q], v[q]))
            return 0;
    return pb_yw_mapping_end(w);
}

static const char *register_text(const pb_api *api, const void *g, size_t i, int f)
{
    (void)i;
    return api->pb_register_text(g, (pb_register_field)f);
}
static const char *risk_text(const pb_api *api, const void *g, size_t i, int f)
{
    return api->pb_risk_text(g, i, (pb_risk_field)f);
}

int pb_yw_register(pb_yw *w, void *part)
{
    pb_register *g = part;
    size_t nd, nk;
    const pb_field_desc *d = A->pb_register_fields(&nd), *dk = A->pb_risk_fields(&nk);
    if (!pb_yw_text(w, A->pb_register_id(g)) || !pb_yw_mapping_start(w, 0) ||
        !pb_yw_described(w, d, nd, register_text, g, PB_NONE))
        return 0;
    if (A->pb_register_score_order(g) == PB_ORDER_IMPACT_LIKELIHOOD &&
        !pb_yw_kv_plain(w, "score_order", "impact x likelihood"))
        return 0;
    size_t n = A->pb_register_count(g);
    if (!pb_yw_open_seq(w, "risks", 0))
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (!pb_yw_mapping_start(w, 0) || !pb_yw_described(w, dk, nk, risk_text, g, i))
            return 0;
        for (int k = 0; k < PB_SCORE_KIND_COUNT; k++)
            if (!write_score(w, g, i, (pb_score_kind)k))
                return 0;
        if (!pb_yw_mapping_end(w))
            return 0;
    }
    return pb_yw_sequence_end(w) && pb_yw_mapping_end(w);
}

/* ----------------------------------------------------------- records */

static size_t item_end(const pb_api *api, const void *c, size_t i)
{
    return api->pb_item_end(c, i);
}

/* An item's id and fields; its children are its items. */
static int write_item(pb_yw *w, void *obj, size_t i, const char **children, int *always)
{
    pb_collection *c = obj;
    (void)always;
    *children = "items";
    if (!pb_yw_kv_text(w, "id", A->pb_item_id(c, i)))
        return 0;
    size_t nf = A->pb_item_field_count(c, i);
    for (size_t k = 0; k < nf; k++)
        if (!pb_yw_plain(w, A->pb_item_field_name(c, i, k)) ||
            !pb_yw_text(w, A->pb_item_field_value(c, i, k)))
            return 0;
    return 1;
}

static const char *collection_text(const pb_api *api, const void *c, size_t i, int f)
{
    (void)i;
    return api->pb_collection_text(c, (pb_collection_field)f);
}

static const char *date_field(const pb_api *api, const void *c, size_t k)
{
    return api->pb_collection_date_field(c, k);
}
static const char *link_field(const pb_api *api, const void *c, size_t k)
{
    return api->pb_collection_link_field(c, k);
}
static const char *link_target(const pb_api *api, const void *c, size_t k)
{
    return api->pb_collection_link_target(c, k);
}

int pb_yw_collection(pb_yw *w, void *part)
{
    pb_collection *c = part;
    size_t nd;
    const pb_field_desc *d = A->pb_collection_fields(&nd);
    if (!pb_yw_text(w, A->pb_collection_id(c)) || !pb_yw_mapping_start(w, 0) ||
        !pb_yw_described(w, d, nd, collection_text, c, PB_NONE))
        return 0;
    if (!pb_yw_text_list(w, "dates", c, A->pb_collection_date_count(c), date_field) ||
        !pb_yw_text_map(w, "links", c, A->pb_collection_link_count(c), link_field, link_target))
        return 0;
    pb_yw_tree items = {c, item_end, write_item};
    return pb_yw_plain(w, "items") &&
           pb_yw_write_tree(w, &items, 0, A->pb_collection_count(c)) && pb_yw_mapping_end(w);
}


/* ---------------------------------------------------- described parts */

/* key: [{field: text, ...}, ...] for each described part of the plan
 * (pb_described.h): the fields set, in the descriptor's order. */
int pb_yw_described_parts(pb_yw *w)
{
    for (size_t k = 0; k < A->pb_plan_described_count(w->plan); k++) {
        pb_described *d = A->pb_plan_described(w->plan, k);
        const pb_described_desc *desc = A->pb_described_desc_of(d);
        size_t n = A->pb_described_count(d);
        if (!pb_yw_open_seq(w, desc->key, 0))
            return 0;
        for (size_t i = 0; i < n; i++) {
            if (!pb_yw_mapping_start(w, 0))
                return 0;
            for (size_t f = 0; f < desc->nfields; f++)
                if (!pb_yw_kv_text(w, desc->fields[f].key, A->pb_described_value(d, i, f)))
                    return 0;
            if (!pb_yw_mapping_end(w))
                return 0;
        }
        if (!pb_yw_sequence_end(w))
            return 0;
    }
    return 1;
}
