/* pb_budget_message_private.h - the sentences of budget tables' findings
 * (pb_budget_message.c), for pb_check.c's pb_finding_message. */
#ifndef PB_BUDGET_MESSAGE_PRIVATE_H
#define PB_BUDGET_MESSAGE_PRIVATE_H

#include "pb_finding.h"
#include "pb_plan.h"

/* The sentence of a finding of PB_PART_BUDGETS into buf[cap]; returns the
 * length it needed (like snprintf). */
size_t pb_budget_finding_message(const pb_plan *plan, const pb_finding *f, char *buf, size_t cap);

#endif
