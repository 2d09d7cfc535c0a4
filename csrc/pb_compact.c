/* pb_compact.c - giving back what a bulk load needed (pb_compact.h). */
#include "pb_compact.h"
#include "pb_plan_private.h"

void pb_plan_compact(pb_plan *plan)
{
    for (size_t i = 0; i < plan->parts[PB_PART_BUDGETS].n; i++)
        pb_table_compact(pb_plan_table_at(plan, i));
    pb_arena_forget(&plan->arena);
}
