/* pb_calc.h - computed columns of budget tables: a share of a base figure
 * or of a total, the ratio of two columns, the change and the percentage
 * change between two columns (years).
 *
 * A column declares its computation as a short text (the same in YAML, the
 * workbook's structure sheet and Python):
 *
 *   share(COL, 623)          COL / 623 x 100
 *   share(COL, row ROW)      COL / (COL in row ROW) x 100: a share of a total
 *   ratio(A, B)              A / B
 *   change(A, B)             B - A (from A to B)
 *   pct_change(A, B)         (B - A) / A x 100
 *
 * optionally followed by " half-even" (the default rounding is half-up).
 * The core computes the exact figure (a fraction of two integers) and
 * rounds it to the column's decimals.  A printed figure in a computed
 * column is checked at its printed precision: a printed 11.87 agrees with
 * any exact figure in [11.865, 11.875) (half-up).  In an amount column the
 * printed precision is the column's decimals; in a text column (figures
 * kept exactly as printed) it is the cell's own, and a cell that is not a
 * single number ("185/438", "11.64%") is carried, not checked.  Operands
 * may be text columns too: their cells count where they are single
 * numbers ("303." is 303).
 */
#ifndef PB_CALC_H
#define PB_CALC_H

#include "pb_plan.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum pb_calc_kind {
    PB_CALC_NONE = 0,
    PB_CALC_SHARE,      /* a / base x 100 */
    PB_CALC_RATIO,      /* a / b */
    PB_CALC_CHANGE,     /* b - a */
    PB_CALC_PCT_CHANGE, /* (b - a) / a x 100 */
    PB_CALC_COUNT
} pb_calc_kind;

typedef enum pb_rounding { PB_ROUND_HALF_UP = 0, PB_ROUND_HALF_EVEN = 1 } pb_rounding;

/* A column's computation.  For a share: b is PB_NONE; the base is the
 * figure `base` at `base_decimals`, or (base_row != NULL) column a's
 * figure in the row with that id or label. */
typedef struct pb_calc {
    pb_calc_kind kind;
    uint32_t a, b;
    pb_amount base;
    int base_decimals;
    const char *base_row;
    pb_rounding rounding;
} pb_calc;

/* Declare column c computed from its text form (above); NULL or "" clears.
 * Operands must be other columns that are not computed themselves, and a
 * computed column cannot be a sum column. */
pb_status pb_column_set_compute(pb_table *t, size_t c, const char *spec, size_t len,
                                pb_error *err);
/* Column c's computation (kind PB_CALC_NONE when it has none); *out may
 * be NULL.  base_row is owned by the plan. */
pb_calc_kind pb_column_calc(const pb_table *t, size_t c, pb_calc *out);
/* The text form of column c's computation (with the columns' current ids)
 * into buf[cap]; "" when it has none.  Returns the length it needed. */
size_t pb_column_compute_text(const pb_table *t, size_t c, char *buf, size_t cap);
/* "share", "ratio", "change", "pct_change" ("" for none). */
const char *pb_calc_kind_name(pb_calc_kind kind);

#ifdef __cplusplus
}
#endif
#endif
