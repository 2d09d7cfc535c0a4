/* pb_agreement.c - agreements: figures in two places of the plan that
 * must agree (checked by pb_check.c). */
#include "pb_plan_private.h"

#include <stdlib.h>
#include <string.h>

#define dup pb_plan_dup

/* ========================================================== agreements */

size_t pb_plan_agreement_count(const pb_plan *plan) { return plan->nagreements; }

int64_t pb_plan_add_agreement(pb_plan *plan, const char *name, size_t len,
                              pb_error *err)
{
    if (!pb_grow((void **)&plan->agreements, &plan->capagreements,
              plan->nagreements + 1, sizeof(pb_agreement))) {
        pb_error_set(err, PB_ERR_NOMEM, NULL);
        return -1;
    }
    pb_agreement *a = &plan->agreements[plan->nagreements];
    memset(a, 0, sizeof *a);
    if (name && !(a->name = dup(plan, name, len, err)))
        return -1;
    pb_plan_touch(plan);
    return plan->nagreements++;
}

pb_status pb_plan_remove_agreement(pb_plan *plan, size_t a, pb_error *err)
{
    if (a >= plan->nagreements)
        return pb_error_set(err, PB_ERR_RANGE, "no agreement %zu", a);
    for (int s = 0; s < 2; s++) {
        free(plan->agreements[a].side[s].rows);
        free(plan->agreements[a].side[s].cols);
    }
    memmove(plan->agreements + a, plan->agreements + a + 1,
            (plan->nagreements - a - 1) * sizeof(pb_agreement));
    plan->nagreements--;
    pb_plan_touch(plan);
    return PB_OK;
}

const char *pb_agreement_name(const pb_plan *plan, size_t a)
{
    return plan->agreements[a].name;
}

pb_status pb_agreement_set_name(pb_plan *plan, size_t a, const char *name,
                                size_t len, pb_error *err)
{
    return pb_plan_set_string(plan, &plan->agreements[a].name, name, len, err);
}

const char *pb_agreement_note(const pb_plan *plan, size_t a)
{
    return plan->agreements[a].note;
}

pb_status pb_agreement_set_note(pb_plan *plan, size_t a, const char *note,
                                size_t len, pb_error *err)
{
    return pb_plan_set_string(plan, &plan->agreements[a].note, note, len, err);
}

int pb_agreement_tolerance(const pb_plan *plan, size_t a, pb_amount *tol)
{
    if (plan->agreements[a].has_tolerance && tol)
        *tol = plan->agreements[a].tolerance;
    return plan->agreements[a].has_tolerance;
}

pb_status pb_agreement_set_tolerance(pb_plan *plan, size_t a, int has,
                                     pb_amount tol, pb_error *err)
{
    if (has && tol < 0)
        return pb_error_set(err, PB_ERR_RANGE, "a tolerance cannot be negative");
    plan->agreements[a].has_tolerance = has ? 1 : 0;
    plan->agreements[a].tolerance = has ? tol : 0;
    pb_plan_touch(plan);
    return PB_OK;
}

const char *pb_agreement_table(const pb_plan *plan, size_t a, pb_side s)
{
    return plan->agreements[a].side[s].table;
}

pb_status pb_agreement_set_table(pb_plan *plan, size_t a, pb_side s,
                                 const char *id, size_t len, pb_error *err)
{
    return pb_plan_set_string(plan, &plan->agreements[a].side[s].table, id, len, err);
}

size_t pb_agreement_row_count(const pb_plan *plan, size_t a, pb_side s)
{
    return plan->agreements[a].side[s].nrows;
}

const char *pb_agreement_row(const pb_plan *plan, size_t a, pb_side s,
                             size_t k)
{
    return plan->agreements[a].side[s].rows[k];
}

static pb_status side_add(pb_plan *plan, const char ***arr, uint32_t *n,
                          uint32_t *cap, const char *s, size_t len,
                          pb_error *err)
{
    if (!pb_grow((void **)arr, cap, *n + 1, sizeof(char *)))
        return pb_error_set(err, PB_ERR_NOMEM, NULL);
    const char *v = dup(plan, s, len, err);
    if (!v)
        return PB_ERR_NOMEM;
    (*arr)[(*n)++] = v;
    pb_plan_touch(plan);
    return PB_OK;
}

pb_status pb_agreement_add_row(pb_plan *plan, size_t a, pb_side s,
                               const char *ref, size_t len, pb_error *err)
{
    pb_agreement_side *sd = &plan->agreements[a].side[s];
    return side_add(plan, &sd->rows, &sd->nrows, &sd->caprows, ref, len, err);
}

size_t pb_agreement_column_count(const pb_plan *plan, size_t a, pb_side s)
{
    return plan->agreements[a].side[s].ncols;
}

const char *pb_agreement_column(const pb_plan *plan, size_t a, pb_side s,
                                size_t k)
{
    return plan->agreements[a].side[s].cols[k];
}

pb_status pb_agreement_add_column(pb_plan *plan, size_t a, pb_side s,
                                  const char *id, size_t len, pb_error *err)
{
    pb_agreement_side *sd = &plan->agreements[a].side[s];
    return side_add(plan, &sd->cols, &sd->ncols, &sd->capcols, id, len, err);
}

int pb_agreement_negate(const pb_plan *plan, size_t a, pb_side s)
{
    return plan->agreements[a].side[s].negate;
}

void pb_agreement_set_negate(pb_plan *plan, size_t a, pb_side s, int negate)
{
    plan->agreements[a].side[s].negate = negate ? 1 : 0;
    pb_plan_touch(plan);
}

void pb_agreement_source(const pb_plan *plan, size_t a, uint32_t *line,
                         uint32_t *column)
{
    *line = plan->agreements[a].line;
    *column = plan->agreements[a].column;
}

void pb_agreement_set_source(pb_plan *plan, size_t a, uint32_t line,
                             uint32_t column)
{
    plan->agreements[a].line = line;
    plan->agreements[a].column = column;
}
