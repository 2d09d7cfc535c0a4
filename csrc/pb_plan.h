/* pb_plan.h - the plan model: metadata, budget tables, columns, rows, cells,
 * agreements.
 *
 * Design (see docs/design.md): a plan is loaded once and read many times, so
 * a table stores its cells in flat arrays (rows x columns, row-major): an
 * int64 amount (or a text pointer) per cell, a state byte and a packed
 * source position.  Rows are a flat array in print order (pre-order of the
 * section tree) with a parent index; strings live in the plan's arena.
 * Nothing is allocated per cell or per row beyond those arrays.
 *
 * Ownership: a pb_plan owns everything reachable from it.  Strings passed
 * in are copied; strings returned are owned by the plan and stay valid
 * until the plan is freed (setting a new value does not free the old one).
 * Indices are 0-based.  Row indices change when rows are inserted or
 * removed before them.
 */
#ifndef PB_PLAN_H
#define PB_PLAN_H

#include <stdint.h>
#include <stddef.h>

#include "pb_error.h"
#include "pb_money.h"
#include "pb_period.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PB_NONE UINT32_MAX
#define PB_ID_MAX 128
#define PB_MAX_SECTION_DEPTH 32
/* Tolerances are held at this scale, whatever the table's. */
#define PB_TOLERANCE_DECIMALS 6

typedef struct pb_plan pb_plan;
typedef struct pb_table pb_table;

/* ---------------------------------------------------------------- plan */

typedef enum pb_meta_key {
    PB_META_TITLE = 0,
    PB_META_ORGANISATION,
    PB_META_DIRECTORATE,
    PB_META_SERVICE,
    PB_META_PERIOD,
    PB_META_STATUS,
    PB_META_VERSION,
    PB_META_OWNER,
    PB_META_REVIEW_DATE,
    PB_META_NEXT_REVIEW,
    PB_META_SOURCE,
    PB_META_NOTES,
    PB_META_COUNT
} pb_meta_key;

/* A new, empty plan (year start April, tolerance 0), or NULL (no memory). */
pb_plan *pb_plan_new(void);
/* Free a plan and everything it owns.  NULL is allowed. */
void pb_plan_free(pb_plan *plan);

/* Name of a metadata key as written in files ("title"). */
const char *pb_meta_key_name(pb_meta_key key);
/* Key for a name, or -1. */
int pb_meta_key_from_name(const char *name, size_t len);
/* Value or NULL when unset. */
const char *pb_plan_meta(const pb_plan *plan, pb_meta_key key);
/* Set (value copied) or clear (value NULL). */
pb_status pb_plan_set_meta(pb_plan *plan, pb_meta_key key, const char *value,
                           size_t len, pb_error *err);

int pb_plan_year_start(const pb_plan *plan);
pb_status pb_plan_set_year_start(pb_plan *plan, int month, pb_error *err);

/* Default tolerance of checks, at PB_TOLERANCE_DECIMALS. */
pb_amount pb_plan_tolerance(const pb_plan *plan);
pb_status pb_plan_set_tolerance(pb_plan *plan, pb_amount tolerance,
                                pb_error *err);

/* Bumped by every change; lets views and caches notice edits. */
uint64_t pb_plan_generation(const pb_plan *plan);

/* Bytes of memory held by the plan (arena and arrays), for diagnostics. */
size_t pb_plan_memory(const pb_plan *plan);

/* --------------------------------------------------------------- tables */

size_t pb_plan_table_count(const pb_plan *plan);
/* Borrowed pointer, or NULL when out of range. */
pb_table *pb_plan_table(const pb_plan *plan, size_t index);
/* Index of the table with this id, or -1. */
int64_t pb_plan_find_table(const pb_plan *plan, const char *id, size_t len);
/* Append a table; the id must be valid and unique.  Returns the table
 * (borrowed) or NULL with err set. */
pb_table *pb_plan_add_table(pb_plan *plan, const char *id, size_t len,
                            pb_error *err);
pb_status pb_plan_remove_table(pb_plan *plan, size_t index, pb_error *err);

/* Is id a valid identifier: 1-128 of [A-Za-z0-9_-], not starting with '-'? */
int pb_id_valid(const char *id, size_t len);

typedef enum pb_table_field {
    PB_TABLE_TITLE = 0,
    PB_TABLE_KIND,
    PB_TABLE_UNIT,
    PB_TABLE_NOTE,
    PB_TABLE_FIELD_COUNT
} pb_table_field;

pb_plan *pb_table_plan(const pb_table *t);
/* Bumped whenever rows or columns are added or removed (row indices may
 * have moved). */
uint64_t pb_table_layout(const pb_table *t);
const char *pb_table_id(const pb_table *t);
/* Field text or NULL.  PB_TABLE_UNIT defaults to "£'000". */
const char *pb_table_text(const pb_table *t, pb_table_field field);
pb_status pb_table_set_text(pb_table *t, pb_table_field field,
                            const char *value, size_t len, pb_error *err);
int pb_table_decimals(const pb_table *t);
/* Only while the table has no rows. */
pb_status pb_table_set_decimals(pb_table *t, int decimals, pb_error *err);
/* How income is printed: +1 positive (default), -1 negative. */
int pb_table_income_sign(const pb_table *t);
pb_status pb_table_set_income_sign(pb_table *t, int sign, pb_error *err);
/* Do blank cells count as zero in totals (default 1)? */
int pb_table_blank_zero(const pb_table *t);
void pb_table_set_blank_zero(pb_table *t, int zero);
/* Own tolerance (at PB_TOLERANCE_DECIMALS); returns 0 when the table uses
 * the plan's. */
int pb_table_tolerance(const pb_table *t, pb_amount *tolerance);
/* Set (has=1) or clear (has=0) the table's own tolerance. */
pb_status pb_table_set_tolerance(pb_table *t, int has, pb_amount tolerance,
                                 pb_error *err);
/* Where the table was read from (1-based; 0 unknown). */
void pb_table_source(const pb_table *t, uint32_t *line, uint32_t *column);
void pb_table_set_source(pb_table *t, uint32_t line, uint32_t column);

/* -------------------------------------------------------------- columns */

typedef enum pb_column_type { PB_COL_AMOUNT = 0, PB_COL_TEXT = 1 } pb_column_type;

typedef enum pb_column_field {
    PB_COLUMN_LABEL = 0,
    PB_COLUMN_PHASE,
    PB_COLUMN_MEASURE,
    PB_COLUMN_UNIT,
    PB_COLUMN_FIELD_COUNT
} pb_column_field;

size_t pb_table_column_count(const pb_table *t);
/* Index of the column with this id, or -1. */
int64_t pb_table_find_column(const pb_table *t, const char *id, size_t len);
/* Append a column (only while the table has no rows).  Returns its index
 * or -1 with err set. */
int64_t pb_table_add_column(pb_table *t, const char *id, size_t len,
                            pb_error *err);
const char *pb_column_id(const pb_table *t, size_t c);
/* Give column c a new id (valid and not used by another column).  Sums
 * and equals refer to columns by index and follow; agreements name columns
 * by id and resolve against the new one. */
pb_status pb_column_set_id(pb_table *t, size_t c, const char *id, size_t len,
                           pb_error *err);
/* Field text or NULL. */
const char *pb_column_text(const pb_table *t, size_t c, pb_column_field f);
pb_status pb_column_set_text(pb_table *t, size_t c, pb_column_field f,
                             const char *value, size_t len, pb_error *err);
pb_period pb_column_period(const pb_table *t, size_t c);
pb_status pb_column_set_period(pb_table *t, size_t c, pb_period p,
                               pb_error *err);
pb_column_type pb_column_type_of(const pb_table *t, size_t c);
/* Only while the table has no rows. */
pb_status pb_column_set_type(pb_table *t, size_t c, pb_column_type type,
                             pb_error *err);
/* The column's scale: its own decimals, else the table's. */
int pb_column_decimals(const pb_table *t, size_t c);
/* Whether the column sets its own decimals. */
int pb_column_has_decimals(const pb_table *t, size_t c);
/* Only while the table has no rows; decimals < 0 clears. */
pb_status pb_column_set_decimals(pb_table *t, size_t c, int decimals,
                                 pb_error *err);

/* A `sum` column: sum of the terms' columns in the same row, each with
 * sign +1 or -1.  Terms must be other amount columns and the formulas must
 * not form a cycle.  nterms == 0 clears the formula. */
pb_status pb_column_set_sum(pb_table *t, size_t c, const uint32_t *cols,
                            const int8_t *signs, size_t nterms, pb_error *err);
size_t pb_column_term_count(const pb_table *t, size_t c);
/* Column index and sign of term k. */
void pb_column_term(const pb_table *t, size_t c, size_t k, uint32_t *col,
                    int *sign);
/* `equals`: column index or PB_NONE (clears). */
pb_status pb_column_set_equals(pb_table *t, size_t c, uint32_t other,
                               pb_error *err);
uint32_t pb_column_equals(const pb_table *t, size_t c);
void pb_column_source(const pb_table *t, size_t c, uint32_t *line,
                      uint32_t *column);
void pb_column_set_source(pb_table *t, size_t c, uint32_t line,
                          uint32_t column);

/* ----------------------------------------------------------------- rows */

typedef enum pb_row_kind {
    PB_ROW_LINE = 0,    /* figures; a line whose parent is a line is a part */
    PB_ROW_SECTION = 1, /* a group with an optional heading (label) */
    PB_ROW_TOTAL = 2    /* computed from what precedes it in its section */
} pb_row_kind;

typedef enum pb_role {
    PB_ROLE_INHERIT = 0,
    PB_ROLE_EXPENDITURE,
    PB_ROLE_INCOME,
    PB_ROLE_INTERNAL,
    PB_ROLE_FUNDING,
    PB_ROLE_SAVING,
    PB_ROLE_GROWTH,
    PB_ROLE_ADJUSTMENT,
    PB_ROLE_OTHER,
    PB_ROLE_COUNT
} pb_role;

/* "expenditure", ...; "inherit" for PB_ROLE_INHERIT. */
const char *pb_role_name(pb_role role);
/* Role for a name, or -1. */
int pb_role_from_name(const char *name, size_t len);
/* +1 or -1: how a role counts in the net arithmetic. */
int pb_role_polarity(pb_role role);

typedef enum pb_row_field {
    PB_ROW_ID = 0,
    PB_ROW_NOTE,
    PB_ROW_SELECT,
    PB_ROW_FIELD_COUNT
} pb_row_field;

size_t pb_table_row_count(const pb_table *t);
/* Insert a row at position `at` (== row count to append) as a child of
 * `parent` (a section, a line for a part, or PB_NONE for the top level).
 * The position must keep the rows a pre-order of the tree: right after the
 * parent or after the end of one of its children.  Cells start blank.
 * label may be NULL (a section without heading).  Returns the index or -1
 * with err set. */
int64_t pb_table_insert_row(pb_table *t, size_t at, pb_row_kind kind,
                            uint32_t parent, const char *label, size_t len,
                            pb_error *err);
/* Give back spare capacity after a bulk load (optional). */
void pb_table_compact(pb_table *t);
/* Remove a row and all its descendants. */
pb_status pb_table_remove_row(pb_table *t, size_t r, pb_error *err);
/* Index one past the last descendant of r. */
size_t pb_table_row_end(const pb_table *t, size_t r);

pb_row_kind pb_row_kind_of(const pb_table *t, size_t r);
uint32_t pb_row_parent(const pb_table *t, size_t r);
int pb_row_depth(const pb_table *t, size_t r);
/* Is r a part (a line under a line)? */
int pb_row_is_part(const pb_table *t, size_t r);
const char *pb_row_label(const pb_table *t, size_t r);
pb_status pb_row_set_label(pb_table *t, size_t r, const char *label,
                           size_t len, pb_error *err);
const char *pb_row_text(const pb_table *t, size_t r, pb_row_field f);
/* PB_ROW_ID must be valid and unique in the table. */
pb_status pb_row_set_text(pb_table *t, size_t r, pb_row_field f,
                          const char *value, size_t len, pb_error *err);
/* The role as written (may be PB_ROLE_INHERIT). */
pb_role pb_row_role(const pb_table *t, size_t r);
/* The role in force: inherited from the enclosing sections; PB_ROLE_OTHER
 * at the top. */
pb_role pb_row_effective_role(const pb_table *t, size_t r);
pb_status pb_row_set_role(pb_table *t, size_t r, pb_role role, pb_error *err);
/* Row with this id, else with this label when exactly one row has it;
 * -1 when none, -2 when the label is ambiguous. */
int64_t pb_table_find_row(const pb_table *t, const char *ref, size_t len);
void pb_row_source(const pb_table *t, size_t r, uint32_t *line,
                   uint32_t *column);
void pb_row_set_source(pb_table *t, size_t r, uint32_t line, uint32_t column);

/* ---------------------------------------------------------------- cells */

/* A cell as printed: its state and, for VALUE, the amount at the column's
 * scale exactly as printed (income with the sign it was printed with). */
pb_cell_state pb_cell_get(const pb_table *t, size_t r, size_t c,
                          pb_amount *printed);
/* The text of a text cell (PB_CELL_TEXT), else NULL. */
const char *pb_cell_text(const pb_table *t, size_t r, size_t c);
/* The meaning of an amount cell: the printed amount, sign-corrected for
 * income printed negative.  Returns the state. */
pb_cell_state pb_cell_value(const pb_table *t, size_t r, size_t c,
                            pb_amount *value);

/* Set a cell from text as printed: finance notation in amount columns
 * (see pb_amount_parse), any text in text columns ("" is blank). */
pb_status pb_cell_set_text(pb_table *t, size_t r, size_t c, const char *s,
                           size_t n, pb_error *err);
/* Set an amount cell as printed (state VALUE, NIL or BLANK). */
pb_status pb_cell_set_printed(pb_table *t, size_t r, size_t c,
                              pb_cell_state state, pb_amount printed,
                              pb_error *err);
/* Set an amount cell by meaning (converted to the printed sign). */
pb_status pb_cell_set_value(pb_table *t, size_t r, size_t c,
                            pb_cell_state state, pb_amount value,
                            pb_error *err);
/* Source position of a cell (falls back to its row's). */
void pb_cell_source(const pb_table *t, size_t r, size_t c, uint32_t *line,
                    uint32_t *column);
void pb_cell_set_source(pb_table *t, size_t r, size_t c, uint32_t line,
                        uint32_t column);

/* ----------------------------------------------------------- agreements */

typedef enum pb_side { PB_LEFT = 0, PB_RIGHT = 1 } pb_side;

size_t pb_plan_agreement_count(const pb_plan *plan);
/* Append an agreement with this name; returns its index or -1. */
int64_t pb_plan_add_agreement(pb_plan *plan, const char *name, size_t len,
                              pb_error *err);
pb_status pb_plan_remove_agreement(pb_plan *plan, size_t a, pb_error *err);
const char *pb_agreement_name(const pb_plan *plan, size_t a);
pb_status pb_agreement_set_name(pb_plan *plan, size_t a, const char *name,
                                size_t len, pb_error *err);
const char *pb_agreement_note(const pb_plan *plan, size_t a);
pb_status pb_agreement_set_note(pb_plan *plan, size_t a, const char *note,
                                size_t len, pb_error *err);
int pb_agreement_tolerance(const pb_plan *plan, size_t a, pb_amount *tol);
pb_status pb_agreement_set_tolerance(pb_plan *plan, size_t a, int has,
                                     pb_amount tol, pb_error *err);
/* Sides refer to tables, rows and columns by id, resolved when checked. */
const char *pb_agreement_table(const pb_plan *plan, size_t a, pb_side s);
pb_status pb_agreement_set_table(pb_plan *plan, size_t a, pb_side s,
                                 const char *id, size_t len, pb_error *err);
/* Row references: ids or labels; the single reference "lines" means every
 * line of the table in order. */
size_t pb_agreement_row_count(const pb_plan *plan, size_t a, pb_side s);
const char *pb_agreement_row(const pb_plan *plan, size_t a, pb_side s,
                             size_t k);
pb_status pb_agreement_add_row(pb_plan *plan, size_t a, pb_side s,
                               const char *ref, size_t len, pb_error *err);
size_t pb_agreement_column_count(const pb_plan *plan, size_t a, pb_side s);
const char *pb_agreement_column(const pb_plan *plan, size_t a, pb_side s,
                                size_t k);
pb_status pb_agreement_add_column(pb_plan *plan, size_t a, pb_side s,
                                  const char *id, size_t len, pb_error *err);
int pb_agreement_negate(const pb_plan *plan, size_t a, pb_side s);
void pb_agreement_set_negate(pb_plan *plan, size_t a, pb_side s, int negate);
void pb_agreement_source(const pb_plan *plan, size_t a, uint32_t *line,
                         uint32_t *column);
void pb_agreement_set_source(pb_plan *plan, size_t a, uint32_t line,
                             uint32_t column);

#ifdef __cplusplus
}
#endif
#endif
