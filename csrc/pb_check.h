/* pb_check.h - computed figures (totals, sum columns, parts) and the checks
 * that compare them with the printed figures.
 *
 * Computed figures are derived from line figures only, never from another
 * printed total (docs/design.md, "one misprint, one finding").  They are
 * cached per table and recomputed after any change to the plan.
 */
#ifndef PB_CHECK_H
#define PB_CHECK_H

#include "pb_finding.h"
#include "pb_plan.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Run every check of the plan, appending findings to out (initialised by
 * the caller; freed by the caller even on failure).  Fails only for lack
 * of memory. */
pb_status pb_plan_check(pb_plan *plan, pb_findings *out, pb_error *err);
/* A sentence describing a finding.  Returns the length it needed (like
 * snprintf). */
size_t pb_finding_message(const pb_plan *plan, const pb_finding *f, char *buf,
                          size_t cap);

typedef enum pb_computed_state {
    PB_COMP_NONE = 0,  /* the cell is not computed (a line's own figure) */
    PB_COMP_VALUE = 1, /* computed */
    PB_COMP_UNKNOWN = 2, /* depends on a blank cell in a `blank: missing` table */
    PB_COMP_OVERFLOW = 3 /* the arithmetic overflows */
} pb_computed_state;

/* Bring the table's computed figures up to date (cheap when they are). */
pb_status pb_table_compute(pb_table *t, pb_error *err);
/* Computed figure of a cell, by meaning (income positive); the table must
 * have been brought up to date with pb_table_compute. */
pb_computed_state pb_cell_computed(const pb_table *t, size_t r, size_t c,
                                   pb_amount *value);
/* Sum of the figures of a column over the table's lines, as a total at the
 * top of the table would show it (the net arithmetic). */
pb_computed_state pb_table_net(pb_table *t, size_t c, pb_amount *value,
                               pb_error *err);

#ifdef __cplusplus
}
#endif
#endif
