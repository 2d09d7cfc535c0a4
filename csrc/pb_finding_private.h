/* pb_finding_private.h - making findings, for the checks of the core's
 * sources (pb_check.c, pb_rag.c, pb_risk.c, pb_record.c).  Not installed. */
#ifndef PB_FINDING_PRIVATE_H
#define PB_FINDING_PRIVATE_H

#include "pb_finding.h"

/* A new finding of a part (PB_PART_*), appended to out, every index
 * PB_NONE and every figure 0; NULL for lack of memory. */
pb_finding *pb_finding_new(pb_findings *out, int part);
/* The same with its code, severity and place set. */
pb_finding *pb_finding_add(pb_findings *out, int part, pb_finding_code code, pb_severity severity,
                           uint32_t table, uint32_t row, uint32_t column);

#endif
