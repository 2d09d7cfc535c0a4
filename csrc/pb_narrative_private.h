/* pb_narrative_private.h - the check of money figures written in the
 * narrative against the budget tables (pb_narrative.c), for pb_check.c. */
#ifndef PB_NARRATIVE_PRIVATE_H
#define PB_NARRATIVE_PRIVATE_H

#include "pb_finding.h"
#include "pb_plan.h"

/* Append a warning (PB_FIND_NARRATIVE) for each money figure in a text
 * field of a collection of records ("£720,036 million") whose digits are a
 * figure of a money table (720,036 in £'000) but whose magnitude is not. */
pb_status pb_narrative_check(const pb_plan *plan, pb_findings *out, pb_error *err);

#endif
