/* pb_xlsxread_private.h - what the reader's parts share. */
#ifndef PB_XLSXREAD_PRIVATE_H
#define PB_XLSXREAD_PRIVATE_H

#include "pb_xlsxread.h"

#include <stdio.h>

/* Open a workbook file for reading ("rb"): the one place the reader turns
 * a path (UTF-8 from Python on Windows) into an open file; NULL with errno
 * set when it cannot. */
FILE *pb_xr_fopen(const char *path);

/* Set err (keeping the first error) with the sheet and cell as the path
 * ("Sheet!B7", or just "Sheet" when cell is NULL) and in front of the
 * message.  Returns 0. */
int xr_fail(pb_error *err, pb_status st, const char *sheet, const char *cell,
            const char *fmt, ...) PB_PRINTF(5, 6);

/* Room for `need` items of `size` bytes in the array *p of *cap items,
 * doubling it (pb_xlsxread_book.c): 0 when it cannot grow. */
int xr_grow(void **p, size_t *cap, size_t need, size_t size);

/* Add a warning (formatted); 0 when out of memory. */
int xr_warn(pb_xr_warnings *w, const char *fmt, ...) PB_PRINTF(2, 3);

/* What opening the book passed over (pb_xlsxread_book.c): warnings a
 * read of the plan begins with. */
const pb_xr_warnings *pb_xr_book_notes(const pb_xr_book *book);

/* The reader of one budget sheet (pb_xlsxread_budget.c). */
typedef struct xr_plan_ctx {
    const pb_api *api;
    pb_xr_book *book;
    pb_plan *plan;
    pb_xr_warnings *warnings;
    pb_error *err;
    const char *plan_title;
    uint64_t columns; /* table columns made so far (limits.max_columns) */
    /* the hidden structure sheet (pb_xlsxread_structure.c), or NULL */
    pb_xr_grid *structure;
    size_t *structure_rows; /* index of each row's first cell */
    int64_t structure_sheet; /* -1 when there is none */
    uint32_t structure_next; /* where the next table's lines are likely to start */
} xr_plan_ctx;

/* The sheet a defined name's formula is on ("'Sheet name'!$A$4:$D$20"). */
int xr_name_sheet(const char *formula, char *out, size_t cap);
/* The index of the sheet a defined name names (-1 if none): by its name,
 * else with Excel's _xHHHH_ escapes decoded in both. */
int64_t xr_name_sheet_find(const pb_xr_book *book, const char *sheet);

/* The structure sheet: its index (-1 if none); open it into x (1, or 0
 * with x->err set; a sheet called planbook that is not planbook's is left
 * alone); put back what it says of a table read from `sheet`; close. */
int64_t xr_structure_sheet(const pb_xr_book *book);
/* A sheet's grid kept on its book (the structure sheet, read for its YAML
 * before the plan is read): keep one (the book frees it, or the grid kept
 * before), or take it back (NULL when the grid kept is not sheet's). */
void xr_book_keep_grid(pb_xr_book *book, int64_t sheet, pb_xr_grid *g);
pb_xr_grid *xr_book_take_grid(pb_xr_book *book, int64_t sheet);
int xr_structure_open(xr_plan_ctx *x, int64_t sheet);
int xr_structure_apply(xr_plan_ctx *x, size_t sheet, const char *table_id);
/* The id of the table or part whose sheet has the defined name `defined`
 * ("tbl_a_b" for the table a-b, "ind_a_b" for the set a-b), or NULL. */
const char *xr_structure_id(xr_plan_ctx *x, const char *defined);
void xr_structure_close(xr_plan_ctx *x);

int xr_budget_sheet(xr_plan_ctx *x, size_t sheet, const char *table_id);
/* Does a sheet's grid look like a budget table planbook wrote (title in
 * A1, headings in row 4)? */
int xr_budget_looks_like(const pb_xr_book *book, const pb_xr_grid *g);

/* An id from text: letters and digits in lower case, '_' for each run of
 * others (at most 60), else `fallback`. */
void xr_make_id(const char *text, const char *fallback, char *out, size_t cap);

/* Excel's _xHHHH_ escapes (and _x005F_) decoded in place; the new length. */
size_t pb_xr_unescape(char *s, size_t n);

#endif
