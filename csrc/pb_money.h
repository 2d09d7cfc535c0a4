/* pb_money.h - exact fixed-point amounts and finance notation.
 *
 * An amount is a signed 64-bit count of units of the last decimal of its
 * column: with 0 decimals 1180 means 1,180 (e.g. in £'000); with 2 decimals
 * 118000 means 1,180.00.  Binary floating point is never used.  Arithmetic
 * helpers detect overflow and report PB_ERR_OVERFLOW instead of wrapping.
 */
#ifndef PB_MONEY_H
#define PB_MONEY_H

#include <stdint.h>
#include <stddef.h>

#include "pb_error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef int64_t pb_amount;

#define PB_MAX_DECIMALS 6

/* What a cell holds.  BLANK: nothing printed.  NIL: printed as a dash,
 * counts as zero.  VALUE: an amount.  TEXT: text (text columns). */
typedef enum pb_cell_state {
    PB_CELL_BLANK = 0,
    PB_CELL_VALUE = 1,
    PB_CELL_NIL = 2,
    PB_CELL_TEXT = 3
} pb_cell_state;

/* Parse s[0..n) in finance notation at the given scale:
 *   "1180", "1,180", "-3215", "(3,215)", "£1,180", "29.7", "+5", "" (blank),
 *   "-", "–", "—" (nil).  Thousands separators must group by three.
 * More decimals than `decimals` -> PB_ERR_PRECISION (trailing zeros are
 * fine); beyond the int64 range -> PB_ERR_OVERFLOW; anything else that is
 * not an amount ("1e3", "0x10", ".nan", "12abc") -> PB_ERR_SYNTAX.
 * On success *out holds the value (0 for blank and nil), *state the kind. */
pb_status pb_amount_parse(const char *s, size_t n, int decimals,
                          pb_amount *out, pb_cell_state *state, pb_error *err);

/* Formatting flags. */
#define PB_FMT_THOUSANDS 1u /* 1,180 */
#define PB_FMT_PARENS 2u    /* (3,215) for negatives */

/* Longest text pb_amount_format can produce, with the NUL. */
#define PB_AMOUNT_TEXT_MAX 40

/* Write v at the given scale into buf (at least PB_AMOUNT_TEXT_MAX bytes):
 * exactly `decimals` decimals.  Returns the length written. */
size_t pb_amount_format(pb_amount v, int decimals, unsigned flags, char *buf);

/* Checked arithmetic: PB_OK, or PB_ERR_OVERFLOW with *out untouched. */
pb_status pb_amount_add(pb_amount a, pb_amount b, pb_amount *out);
pb_status pb_amount_sub(pb_amount a, pb_amount b, pb_amount *out);
pb_status pb_amount_neg(pb_amount a, pb_amount *out);
/* Change scale: multiplying up may overflow (PB_ERR_OVERFLOW); dividing
 * down must be exact (else PB_ERR_PRECISION). */
pb_status pb_amount_rescale(pb_amount v, int from, int to, pb_amount *out);

#ifdef __cplusplus
}
#endif
#endif
