/* pb_xlsxread_private.h - what the reader's parts share. */
#ifndef PB_XLSXREAD_PRIVATE_H
#define PB_XLSXREAD_PRIVATE_H

#include "pb_xlsxread.h"

/* Set err (keeping the first error) with the sheet and cell as the path
 * ("Sheet!B7", or just "Sheet" when cell is NULL) and in front of the
 * message.  Returns 0. */
int xr_fail(pb_error *err, pb_status st, const char *sheet, const char *cell,
            const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

/* Add a warning (formatted); 0 when out of memory. */
int xr_warn(pb_xr_warnings *w, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* The reader of one budget sheet (pb_xlsxread_budget.c). */
typedef struct xr_plan_ctx {
    const pb_api *api;
    pb_xr_book *book;
    pb_plan *plan;
    pb_xr_warnings *warnings;
    pb_error *err;
    const char *plan_title;
    uint64_t columns; /* table columns made so far (limits.max_columns) */
} xr_plan_ctx;

int xr_budget_sheet(xr_plan_ctx *x, size_t sheet, const char *table_id);
/* Does a sheet's grid look like a budget table planbook wrote (title in
 * A1, headings in row 4)? */
int xr_budget_looks_like(const pb_xr_book *book, const pb_xr_grid *g);

#endif
