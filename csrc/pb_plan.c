/* pb_plan.c - the plan itself: construction, freeing, metadata, settings,
 * memory.  Its parts live in their own files (budget tables: pb_table.c
 * and pb_row.c; agreements: pb_agreement.c; indicator sets, risk
 * registers, records: pb_indicator.c, pb_risk.c, pb_record.c); the plan
 * frees and measures them through their pb_part_ops (pb_part.h). */
#include "pb_plan_private.h"
#include "pb_text.h"

#include <stdlib.h>
#include <string.h>

static const char *const meta_names[PB_META_COUNT] = {
    "title",  "organisation", "directorate", "service",
    "period", "status",       "version",     "owner",
    "review_date", "next_review", "source",  "notes"};

const char *pb_plan_dup(pb_plan *plan, const char *s, size_t n, pb_error *err)
{
    if (s && memchr(s, '\0', n)) {
        pb_error_set(err, PB_ERR_INVALID, "text must not contain NUL characters");
        return NULL;
    }
    const char *p = pb_arena_intern(&plan->arena, s, n);
    if (!p)
        pb_error_set(err, PB_ERR_NOMEM, NULL);
    return p;
}

pb_status pb_plan_set_string(pb_plan *plan, const char **field, const char *value, size_t len,
                             pb_error *err)
{
    const char *v = NULL;
    if (value) {
        if (memchr(value, '\0', len))
            return pb_error_set(err, PB_ERR_INVALID, "text must not contain NUL characters");
        if (!(v = pb_arena_intern(&plan->arena, value, len)))
            return pb_error_set(err, PB_ERR_NOMEM, NULL);
    }
    *field = v;
    pb_plan_touch(plan);
    return PB_OK;
}

pb_status pb_plan_set_key(pb_plan *plan, const char **field, const char *value, size_t len,
                          pb_index *ix, uint32_t n, pb_key_fn key, const void *ctx,
                          pb_error *err)
{
    pb_status st = pb_plan_set_string(plan, field, value, len, err);
    if (!st && ix && !pb_index_rebuild(ix, n, key, ctx))
        return pb_error_set(err, PB_ERR_NOMEM, NULL);
    return st;
}

pb_status pb_plan_set_text_field(pb_plan *plan, const char **texts, unsigned count, unsigned f,
                                 const char *what, const char *value, size_t len, pb_error *err)
{
    if (f >= count)
        return pb_error_set(err, PB_ERR_RANGE, "unknown %s", what);
    return pb_plan_set_string(plan, &texts[f], value, len, err);
}

pb_plan *pb_plan_new(void)
{
    pb_plan *plan = calloc(1, sizeof *plan);
    if (!plan)
        return NULL;
    pb_arena_init(&plan->arena);
    plan->year_start = 4;
    plan->rag_percent = 1;
    plan->rag_tolerance = 5 * INT64_C(1000000);
    plan->risk_lmax = plan->risk_imax = 5;
    plan->risk_green = 4;
    plan->risk_amber = 12;
    return plan;
}

void pb_plan_free(pb_plan *plan)
{
    if (!plan)
        return;
    for (int k = 0; k < PB_PART_COUNT; k++)
        pb_parts_free(&plan->parts[k]);
    for (uint32_t a = 0; a < plan->nagreements; a++)
        for (int s = 0; s < 2; s++) {
            free(plan->agreements[a].side[s].rows);
            free(plan->agreements[a].side[s].cols);
        }
    free(plan->agreements);
    pb_arena_free(&plan->arena);
    free(plan);
}

void *pb_plan_add_part(pb_plan *plan, int part, const pb_part_ops *ops, const char *id,
                       size_t len, pb_error *err)
{
    void *obj = pb_parts_add(&plan->parts[part], ops, plan, &plan->arena, id, len, err);
    if (obj)
        pb_plan_touch(plan);
    return obj;
}

pb_status pb_plan_remove_part(pb_plan *plan, int part, size_t index, pb_error *err)
{
    pb_status st = pb_parts_remove(&plan->parts[part], index, err);
    if (!st)
        pb_plan_touch(plan);
    return st;
}

const char *pb_meta_key_name(pb_meta_key key)
{
    return (unsigned)key < PB_META_COUNT ? meta_names[key] : NULL;
}

int pb_meta_key_from_name(const char *name, size_t len)
{
    return pb_find_name(meta_names, PB_META_COUNT, name, len);
}

const char *pb_plan_meta(const pb_plan *plan, pb_meta_key key)
{
    return pb_text_field(plan->meta, PB_META_COUNT, (unsigned)key);
}

pb_status pb_plan_set_meta(pb_plan *plan, pb_meta_key key, const char *value,
                           size_t len, pb_error *err)
{
    return pb_plan_set_text_field(plan, plan->meta, PB_META_COUNT, (unsigned)key,
                                  "metadata key", value, len, err);
}

int pb_plan_year_start(const pb_plan *plan) { return plan->year_start; }

pb_status pb_plan_set_year_start(pb_plan *plan, int month, pb_error *err)
{
    if (month < 1 || month > 12)
        return pb_error_set(err, PB_ERR_RANGE,
                            "the year start must be a month, 1-12");
    plan->year_start = month;
    pb_plan_touch(plan);
    return PB_OK;
}

pb_amount pb_plan_tolerance(const pb_plan *plan) { return plan->tolerance; }

pb_status pb_plan_set_tolerance(pb_plan *plan, pb_amount tolerance,
                                pb_error *err)
{
    if (tolerance < 0)
        return pb_error_set(err, PB_ERR_RANGE, "a tolerance cannot be negative");
    plan->tolerance = tolerance;
    pb_plan_touch(plan);
    return PB_OK;
}

uint64_t pb_plan_generation(const pb_plan *plan) { return plan->generation; }

size_t pb_plan_memory(const pb_plan *plan)
{
    size_t m = sizeof *plan + pb_arena_memory(&plan->arena) +
               plan->capagreements * sizeof(pb_agreement);
    for (int k = 0; k < PB_PART_COUNT; k++)
        m += pb_parts_memory(&plan->parts[k]);
    return m;
}
