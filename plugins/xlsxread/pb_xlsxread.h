/* pb_xlsxread.h - reading .xlsx workbooks: the package (zip, minizip), its
 * XML parts (expat), and a plan from a workbook planbook wrote.
 *
 * Plain C against the core's function table (pb_api.h); no Python.  Two
 * layers:
 *
 *  - the book (pb_xlsxread_book.c): open a package under limits, list its
 *    sheets, read one sheet into a grid of cells (values as the XML text:
 *    numbers stay decimal strings, never doubles), with the styles a cell
 *    carries (decimals and nil dash of its number format, bold, indent)
 *    and the comments on it;
 *  - the plan (pb_xlsxread.c, pb_xlsxread_budget.c): a workbook in the
 *    layout planbook's writer produces (docs/excel.md) read back into a
 *    plan; each kind of sheet has its reader (budget tables for now), found
 *    through the defined names the writer gives its tables (tbl_<id>).
 *
 * Ownership: pb_xr_book_open returns a book the caller frees with
 * pb_xr_book_free; a grid from pb_xr_sheet_read belongs to the caller
 * (pb_xr_grid_free).  Strings returned belong to their book or grid.
 */
#ifndef PB_XLSXREAD_H
#define PB_XLSXREAD_H

#include <stddef.h>
#include <stdint.h>

#include "pb_api.h"

/* ------------------------------------------------------------- limits */

typedef struct pb_xr_limits {
    uint64_t max_entries;    /* members in the zip directory (10,000) */
    uint64_t max_part;       /* uncompressed bytes of one part read (1 GiB) */
    uint64_t max_total;      /* uncompressed bytes read from one package (4 GiB) */
    uint64_t max_ratio;      /* uncompressed:compressed of a part over 1 MiB (200) */
    uint64_t max_cells;      /* cells with content in one workbook (50 million) */
    uint64_t max_columns;    /* table columns made from one workbook (65,536: the core
                                checks each new column's id against the others, so
                                a table's columns cost their square) */
    unsigned max_depth;      /* XML element nesting (64) */
} pb_xr_limits;

pb_xr_limits pb_xr_default_limits(void);

/* --------------------------------------------------------------- book */

typedef struct pb_xr_book pb_xr_book;

/* Open a package from a file or from memory (the buffer must outlive the
 * book).  NULL with err set (PB_ERR_IO, PB_ERR_PARSE for a damaged or
 * foreign package, PB_ERR_LIMIT, PB_ERR_NOMEM).  The workbook part, its
 * relationships, the shared strings and the styles are read here. */
pb_xr_book *pb_xr_book_open_file(const pb_api *api, const char *path,
                                 const pb_xr_limits *limits, pb_error *err);
pb_xr_book *pb_xr_book_open_buffer(const pb_api *api, const void *data,
                                   size_t size, const pb_xr_limits *limits,
                                   pb_error *err);
void pb_xr_book_free(pb_xr_book *book);
/* The limits the book was opened with. */
const pb_xr_limits *pb_xr_book_limits(const pb_xr_book *book);

size_t pb_xr_sheet_count(const pb_xr_book *book);
const char *pb_xr_sheet_name(const pb_xr_book *book, size_t i);
/* 0 visible, 1 hidden, 2 very hidden. */
int pb_xr_sheet_state(const pb_xr_book *book, size_t i);
/* Index of the sheet with this name (exact), or -1. */
int64_t pb_xr_sheet_find(const pb_xr_book *book, const char *name);

/* Defined names: name, the text of its formula, and its sheet scope (-1
 * for the workbook). */
size_t pb_xr_name_count(const pb_xr_book *book);
const char *pb_xr_name(const pb_xr_book *book, size_t i, const char **formula,
                       int *scope);

/* ---------------------------------------------------------------- grid */

typedef enum pb_xr_type {
    PB_XR_EMPTY = 0, /* no value (a styled or formula-only cell) */
    PB_XR_NUMBER,    /* the XML number text, e.g. "-1234.5", "7.0000000000000007E-2" */
    PB_XR_STRING,    /* shared, inline or a formula's string result */
    PB_XR_BOOL,      /* "0" or "1" */
    PB_XR_ERROR      /* "#DIV/0!" ... */
} pb_xr_type;

typedef struct pb_xr_cell {
    uint32_t row, col;  /* 0-based */
    uint32_t style;     /* index into the styles (pb_xr_style) */
    uint8_t type;       /* pb_xr_type */
    uint8_t has_formula;
    uint8_t sst;        /* value is shared string number `v_off` */
    uint8_t pad;
    uint32_t v_off, v_len;
    uint32_t f_off, f_len;
} pb_xr_cell;

typedef struct pb_xr_grid {
    pb_xr_cell *cells; /* in (row, col) order */
    size_t ncells, cap;
    char *text;        /* values and formulas */
    size_t tlen, tcap;
    uint32_t nrows, ncols; /* one past the last row/column with a cell */
    size_t merges;     /* merged ranges on the sheet */
    char *first_merge; /* "A1:D1" of the first, or NULL */
    /* comments: ref (row, col) and text, in the order of the part */
    struct pb_xr_comment {
        uint32_t row, col;
        uint32_t off, len;
    } *comments;
    size_t ncomments, ccap;
    uint8_t values_only; /* read by pb_xr_sheet_read_values: no formula text */
} pb_xr_grid;

/* Read sheet i into a new grid; NULL with err set (naming the sheet and
 * the cell for a bad reference). */
pb_xr_grid *pb_xr_sheet_read(pb_xr_book *book, size_t i, pb_error *err);
/* The same without the formulas' text (has_formula is still set, and
 * pb_xr_cell_formula gives NULL): less to copy, for a reader of values. */
pb_xr_grid *pb_xr_sheet_read_values(pb_xr_book *book, size_t i, pb_error *err);
void pb_xr_grid_free(pb_xr_grid *g);

/* The text of a cell's value / formula (NUL-terminated) and its length
 * (the formula NULL in a grid of pb_xr_sheet_read_values). */
const char *pb_xr_cell_value(const pb_xr_book *book, const pb_xr_grid *g,
                             const pb_xr_cell *c, size_t *len);
const char *pb_xr_cell_formula(const pb_xr_grid *g, const pb_xr_cell *c);
/* The comment on a cell, or NULL. */
const char *pb_xr_comment_at(const pb_xr_grid *g, uint32_t row, uint32_t col);

/* What a cell's style says. */
typedef struct pb_xr_style {
    int decimals;   /* decimals of the number format, -1 for General/unknown */
    uint8_t nil;    /* the format prints zero as a dash */
    uint8_t bold;
    uint8_t indent;
    uint8_t text;   /* the "@" (text) format */
    uint8_t percent;
    uint8_t date;
} pb_xr_style;

pb_xr_style pb_xr_style_of(const pb_xr_book *book, uint32_t style);

/* "B7" for (6, 1) into buf (at least 16 bytes). */
void pb_xr_cell_name(uint32_t row, uint32_t col, char *buf);
/* Parse "B7" / "$B$7" at s (n bytes): 1 and the 0-based row and column, or
 * 0 when it is not a cell reference within Excel's limits
 * (XFD1048576). */
int pb_xr_parse_ref(const char *s, size_t n, uint32_t *row, uint32_t *col);

/* ----------------------------------------------------------- numbers */

/* An XML number (or the text of a number stored as text by a spreadsheet,
 * which is plain decimal) as an exact amount at `decimals`.  More decimals
 * than the scale are accepted only when the number agrees with its value
 * at the scale to 15 significant digits (what a spreadsheet keeps):
 * 0.07000000000000001 at 2 decimals is 0.07; 0.075 is an error.  Returns
 * PB_OK, PB_ERR_SYNTAX, PB_ERR_PRECISION or PB_ERR_OVERFLOW. */
pb_status pb_xr_number(const char *s, size_t n, int decimals, int64_t *out);
/* The decimals a number needs once read to 15 significant digits (0..), or
 * -1 when it is not a number. */
int pb_xr_number_decimals(const char *s, size_t n);

/* --------------------------------------------------------------- plan */

/* What was in the workbook that the plan cannot hold, or that was read
 * with a guess: one sentence each, naming the sheet and cell. */
typedef struct pb_xr_warnings {
    char **items;
    size_t count, cap;
} pb_xr_warnings;

void pb_xr_warnings_free(pb_xr_warnings *w);

/* Read a workbook planbook wrote (and finance may have edited) into a new
 * plan.  NULL with err set: the message names the sheet and cell, and
 * err->path is "Sheet!B7".  Warnings (may be NULL) receive what was not
 * carried over. */
pb_plan *pb_xr_read_plan(const pb_api *api, pb_xr_book *book,
                         pb_xr_warnings *warnings, pb_error *err);

/* The sheets of the other parts of a plan (indicator dashboards, risk
 * registers and their heat maps, record collections), found by the defined
 * names the writer gives them (ind_, reg_, heat_, rec_ + the part's id):
 * the budget reader does not read them; the Python layer applies what
 * finance changed on them to the plan the structure sheet carries. */
typedef struct pb_xr_part {
    char kind[12];  /* "indicators", "risks", "heatmap", "records" */
    char *id;       /* the part's id, from the name */
    size_t sheet;
} pb_xr_part;

typedef struct pb_xr_parts {
    pb_xr_part *items;
    size_t count, cap;
} pb_xr_parts;

void pb_xr_parts_free(pb_xr_parts *p);

/* Does a defined name starting with `prefix` ("ind_": a dashboard) name
 * sheet `sheet`?  (What the reader of the plan goes by, less the checks of
 * the id: a hint, for reading a part's sheet ahead.) */
int pb_xr_sheet_has_name(const pb_xr_book *book, size_t sheet, const char *prefix);

/* Read into `base` (a plan made from the structure sheet's YAML, with no
 * budget tables; NULL for a new plan).  On success returns the plan (base
 * or the new one); on failure NULL with err set, and base is left to its
 * owner.  parts (may be NULL) receives the sheets of the other parts. */
pb_plan *pb_xr_read_plan_into(const pb_api *api, pb_xr_book *book, pb_plan *base,
                              pb_xr_parts *parts, pb_xr_warnings *warnings, pb_error *err);

/* The YAML the structure sheet carries (the plan without its budget
 * tables), NUL-terminated, malloc'd; NULL with *len 0 when the workbook has
 * no structure sheet (err untouched) or on error (err set). */
char *pb_xr_structure_yaml(pb_xr_book *book, size_t *len, pb_error *err);

/* ---------------------------------------------------------- dashboards */

/* Where a dashboard sheet's columns are (0-based; -1 when absent), as
 * planbook_xlsxread/_parts.py finds them from the heading row. */
typedef struct pb_xr_dash_layout {
    uint32_t head;             /* the heading row */
    int32_t ref, name, group, polarity, unit, good, concern, action, target;
    int64_t target_k;          /* the Target column's period, or -1 */
    const int32_t *period_cols; /* a column per period shown ... */
    const size_t *period_k;     /* ... and its index in the set */
    size_t nperiods;
    const uint8_t *known;      /* known[c]: column c is part of the layout */
    size_t nknown;
} pb_xr_dash_layout;

/* What pb_xr_dashboard_compare says of a row that shows no measure as
 * written (a row that does is the measure's index, >= 0). */
#define PB_XR_ROW_DIRTY (-1) /* a data row that differs: Python reads it */
#define PB_XR_ROW_HEAD (-2)  /* the heading row or above */
#define PB_XR_ROW_EMPTY (-3) /* no data */

/* Compare a dashboard's grid with its set: entry[r] (g->nrows of them) is
 * the index of the measure (or companion count series) row r shows exactly
 * as planbook's writer wrote it, else one of PB_XR_ROW_*; *in_order is 1
 * when every data row is clean and they show the set's measures in order,
 * all of them (the sheet is unedited).  Returns 1, or 0 with err set (out
 * of memory). */
int pb_xr_dashboard_compare(const pb_api *api, const pb_xr_book *book, const pb_xr_grid *g,
                            const pb_indset *set, const pb_xr_dash_layout *layout,
                            int64_t *entry, int *in_order, pb_error *err);

#endif
