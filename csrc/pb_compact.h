/* pb_compact.h - giving back what a bulk load needed and the loaded plan
 * does not (issue 18: a loaded plan no larger than its file).
 *
 * Its own header so that its function comes last in the C API's table
 * (pb_api.h): appended, not inserted, a minor version.
 */
#ifndef PB_COMPACT_H
#define PB_COMPACT_H

#include "pb_plan.h"

#ifdef __cplusplus
extern "C" {
#endif

/* After a plan is read (optional; the readers call it): every table
 * compacted (pb_table_compact), and the index by which equal texts are
 * kept once dropped.  The plan reads, checks and saves as before; a text
 * set afterwards is kept once among those set afterwards, not shared with
 * the texts read. */
void pb_plan_compact(pb_plan *plan);

#ifdef __cplusplus
}
#endif
#endif
