/* pb_check.h - computed figures (totals, sum columns, parts) and the checks
 * that compare them with the printed figures.
 *
 * Computed figures are derived from line figures only, never from another
 * printed total (docs/design.md, "one misprint, one finding").  They are
 * cached per table and recomputed after any change to the plan.
 */
#ifndef PB_CHECK_H
#define PB_CHECK_H

#include "pb_plan.h"

#ifdef __cplusplus
extern "C" {
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

typedef struct pb_finding {
    uint8_t code;     /* pb_finding_code */
    uint8_t severity; /* pb_severity */
    uint8_t has_values; /* declared/computed/difference are meaningful */
    int8_t decimals;  /* scale of the three amounts */
    /* PB_PART_BUDGETS: table, row, column of a budget table.
     * PB_PART_INDICATORS: table = indicator set, row = measure, column =
     * period, other_column = printed column (PB_PRINTED_*).
     * PB_PART_RISKS: table = register, row = risk, column = score kind.
     * PB_PART_RECORDS: table = collection, row = item, column = field. */
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

/* Run every check of the plan, appending findings to out (initialised by
 * the caller; freed by the caller even on failure).  Fails only for lack
 * of memory. */
pb_status pb_plan_check(pb_plan *plan, pb_findings *out, pb_error *err);
/* The indicator checks alone (part of pb_plan_check): thresholds in order,
 * printed arrows against the status engine at each set's report period. */
pb_status pb_indsets_check(const pb_plan *plan, pb_findings *out, pb_error *err);

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
