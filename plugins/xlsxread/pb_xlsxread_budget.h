/* pb_xlsxread_budget.h - what the budget sheet's reader shares between
 * its files (internal): pb_xlsxread_budget.c reads the sheet's layout,
 * rows and cells into a table; pb_xlsxread_roles.c reads the totals'
 * formulas and gives rows the roles that compute the same figures.
 */
#ifndef PB_XLSXREAD_BUDGET_H
#define PB_XLSXREAD_BUDGET_H

#include "pb_xlsxread_private.h"

#define A (x->api)
#define HEAD_ROW 3
#define PHASE_ROW 4
#define FIRST_DATA_ROW 5
#define MAX_TERM_VISITS 50000000ull

typedef struct rowrec {
    uint32_t sheet_row;
    const char *label;
    int bold, indent, manual, has_cells, empty;
    int blank_before; /* blank sheet rows just above it */
    size_t next;      /* the next non-empty record, or nrecs */
    int level;
    pb_row_kind kind;
    int64_t trow; /* row in the table, or -1 */
} rowrec;

typedef struct colinfo {
    int type; /* PB_COL_AMOUNT / PB_COL_TEXT */
    int decimals;
    int nterms;
    uint32_t term_col[64];
    int8_t term_sign[64];
} colinfo;

typedef struct sheet_reader {
    xr_plan_ctx *x;
    pb_xr_grid *g;
    const char *name;
    size_t *row_start; /* per sheet row: first cell; nrows + 1 entries */
    uint32_t nc;       /* columns of the table (sheet columns 1..nc) */
    pb_table *t;
    colinfo *cols;
    rowrec *recs;
    size_t nrecs;
    size_t extra_cells;
    char first_extra[16];
    size_t foreign_comments;
    char first_comment[16];
} sheet_reader;

/* The record of a sheet row (binary search), or NULL. */
rowrec *xr_rec_of(sheet_reader *s, uint32_t row);
/* Fail with the core's error e, naming the sheet's cell.  Returns 0. */
int xr_core_fail(sheet_reader *s, uint32_t row, uint32_t col, pb_error *e);
/* A Total column's formula: same-row cells added or subtracted, "B7+C7-D7"
 * or "SUM(B9:F9)", into ci.  Returns the number of terms, 0 when not that
 * shape. */
int xr_parse_row_terms(const char *f, uint32_t row, uint32_t nc, colinfo *ci);
/* Roles from the signs in the totals' formulas (pb_xlsxread_roles.c). */
int xr_infer_roles(sheet_reader *s);

#endif
