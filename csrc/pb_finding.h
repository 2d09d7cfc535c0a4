/* pb_finding.h - findings: what a check found (a code, a severity, where,
 * the figures), and the list the checks append them to.
 *
 * The checks of each part of a plan (budget tables: pb_check.c; indicator
 * sets: pb_rag.c; risk registers: pb_risk.c; records: pb_record.c) fill
 * these in; pb_check.h runs them all and turns a finding into a sentence.
 */
#ifndef PB_FINDING_H
#define PB_FINDING_H

#include <stdint.h>
#include <stddef.h>

#include "pb_money.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The index of nothing (no row, no column): also pb_plan.h's. */
#ifndef PB_NONE
#define PB_NONE UINT32_MAX
#endif

typedef enum pb_finding_code {
    PB_FIND_TOTAL = 0, /* a total differs from what precedes it */
    PB_FIND_FORMULA,   /* a sum column differs from its terms */
    PB_FIND_PARTS,     /* a line differs from the sum of its parts */
    PB_FIND_EQUALS,    /* a column differs from the column it must equal */
    PB_FIND_AGREEMENT, /* figures that must agree differ */
    PB_FIND_REFERENCE, /* an agreement names something that does not exist */
    PB_FIND_UNCHECKED, /* a printed figure that cannot be checked */
    PB_FIND_STATUS,    /* a printed arrow differs from the status engine */
    PB_FIND_THRESHOLD, /* thresholds out of order for the polarity */
    PB_FIND_SCORE,     /* a risk score is not likelihood x impact */
    PB_FIND_MATRIX,    /* a likelihood or impact off the risk matrix */
    PB_FIND_DATE,      /* a date field that is not a date */
    PB_FIND_COMPUTED,  /* a printed share, ratio or change differs from its computation */
    PB_FIND_NARRATIVE, /* a money figure in the narrative is a table's in another magnitude */
    PB_FIND_FIELD,     /* a described field missing, repeated or not of its type (pb_described.h) */
    PB_FIND_COUNT
} pb_finding_code;

typedef enum pb_severity {
    PB_SEV_INFO = 0,
    PB_SEV_WARNING = 1,
    PB_SEV_ERROR = 2
} pb_severity;

#define PB_FINDING_DETAIL_MAX 320

/* Which part of the plan a finding is about. */
#define PB_PART_BUDGETS 0
#define PB_PART_INDICATORS 1
#define PB_PART_RISKS 2
#define PB_PART_RECORDS 3
#define PB_PART_DESCRIBED 4 /* pb_described.h */
#define PB_PART_COUNT 5

typedef struct pb_finding {
    uint8_t code;     /* pb_finding_code */
    uint8_t severity; /* pb_severity */
    uint8_t has_values; /* declared/computed/difference are meaningful */
    int8_t decimals;  /* scale of the three amounts */
    /* PB_PART_BUDGETS: table, row, column of a budget table.
     * PB_PART_INDICATORS: table = indicator set, row = measure, column =
     * period, other_column = printed column (PB_PRINTED_*).
     * PB_PART_RISKS: table = register, row = risk, column = score kind.
     * PB_PART_RECORDS: table = collection, row = item, column = field.
     * PB_PART_DESCRIBED: table = described part, row = row, column = field. */
    uint8_t part;
    uint32_t table, row, column;                   /* PB_NONE where n/a */
    uint32_t other_table, other_row, other_column; /* equals, agreements */
    uint32_t agreement;                            /* PB_NONE unless one */
    uint32_t line, col; /* source of the printed figure (1-based; 0 unknown) */
    pb_amount declared, computed, difference; /* difference = declared - computed */
    char detail[PB_FINDING_DETAIL_MAX];       /* e.g. the missing reference */
} pb_finding;

typedef struct pb_findings {
    pb_finding *items;
    size_t count, cap;
} pb_findings;

void pb_findings_init(pb_findings *f);
void pb_findings_free(pb_findings *f);

/* "total", "formula", ... */
const char *pb_finding_code_name(pb_finding_code code);
/* "info", "warning", "error" */
const char *pb_severity_name(pb_severity sev);

#ifdef __cplusplus
}
#endif
#endif
