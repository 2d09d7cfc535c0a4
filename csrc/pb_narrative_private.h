/* pb_narrative_private.h - the check of money figures written in the
 * narrative against the budget tables (pb_narrative.c), for pb_check.c. */
#ifndef PB_NARRATIVE_PRIVATE_H
#define PB_NARRATIVE_PRIVATE_H

#include "pb_finding.h"
#include "pb_plan.h"

/* Append a warning (PB_FIND_NARRATIVE) for each money figure in a text
 * field of a collection of records ("£720,036 million") whose digits are a
 * figure of a money table (720,036 in £'000) but whose magnitude is not,
 * and for each count written with its unit ("2,691 staff") whose digits
 * are a figure of a count column of the same family of units (FTE, staff,
 * posts; children, pupils; places) but whose unit or magnitude is not;
 * an error for each reference ({{table.row.column}}, {{records.list}})
 * that names nothing. */
/* shown(t, r, c, &v): the figure a reader sees in cell (r, c), printed
 * else computed (1), or none (0): pb_check.c's, once the tables are
 * computed. */
typedef int (*pb_shown_fn)(const pb_table *t, size_t r, size_t c, pb_amount *v);
pb_status pb_narrative_check(const pb_plan *plan, pb_shown_fn shown, pb_findings *out,
                             pb_error *err);

/* Whether a narrative finding on a cell is one of unit ("2,691 staff" for
 * 2,691 FTE: 1) rather than of magnitude (0); for pb_budget_message.c. */
int pb_narrative_other_unit(const pb_plan *plan, const pb_finding *f);

#endif
