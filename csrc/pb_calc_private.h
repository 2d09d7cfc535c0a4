/* pb_calc_private.h - the exact arithmetic of computed columns, for the
 * check (pb_check.c).  Not part of the C API. */
#ifndef PB_CALC_PRIVATE_H
#define PB_CALC_PRIVATE_H

#include "pb_calc.h"

#define PB_CALC_OK 0
#define PB_CALC_OVERFLOW 1
#define PB_CALC_UNDEFINED 2 /* a division by zero */

/* Is s[0..n) a single number as printed ("303", "303.", "1,257",
 * "-11.87")?  Then *v is it at *decimals (the decimals printed): 1. */
int pb_calc_figure(const char *s, size_t n, pb_amount *v, int *decimals);
/* The exact figure of a computation as the fraction *num / *den (den > 0)
 * from its operands a (at da decimals) and b (at db; the base of a share).
 * PB_CALC_OK, PB_CALC_OVERFLOW or PB_CALC_UNDEFINED. */
int pb_calc_exact(pb_calc_kind kind, pb_amount a, int da, pb_amount b, int db, int64_t *num,
                  int64_t *den);
/* num/den (den > 0) rounded to `places` decimals: PB_CALC_OK or
 * PB_CALC_OVERFLOW. */
int pb_calc_round(int64_t num, int64_t den, int places, pb_rounding mode, pb_amount *out);

#endif
