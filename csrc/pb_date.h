/* pb_date.h - calendar dates as plans write them: a single date
 * ("31 March 2017", "end Sept 2016", "2016-09-30", "11/09/16"), a range
 * ("10 - 12 February 2015"), undated ("TBC"), and the month arithmetic the
 * status engine needs.  A date is held as yyyymmdd (year*10000 +
 * month*100 + day) in an int32_t.  Periods (financial years, quarters,
 * months) are pb_period.h's.
 */
#ifndef PB_DATE_H
#define PB_DATE_H

#include <stdint.h>
#include <stddef.h>

#include "pb_error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A date as plans write it: "31 March 2017", "31st March 2017",
 * "end Sept 2016", "by end December 2016", "June 2016" (the end of the
 * month), "2016-09-30", "11/09/16" and "11/09/2016" (day first; a two-digit
 * year is 20yy).  *out is year*10000 + month*100 + day. */
pb_status pb_date_parse(const char *s, size_t n, int32_t *out, pb_error *err);

/* A date as plans write it, or a range ("10 - 12 February 2015",
 * "10 February - 12 March 2015"), or undated ("TBC", "ongoing"): *start and
 * *end (yyyymmdd; equal for a single date; 0 for undated). */
pb_status pb_date_range_parse(const char *s, size_t n, int32_t *start, int32_t *end,
                              pb_error *err);

/* Days in month m (1-12) of year y (Gregorian). */
static inline int pb_days_in_month(int y, int m)
{
    static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return d[m - 1];
}

/* The last day (yyyymmdd) of a month counted as year*12 + month-1 (the
 * count of pb_period_first_month). */
static inline int32_t pb_date_month_end(int32_t month)
{
    int y = (int)(month / 12), m = (int)(month % 12) + 1;
    return y * 10000 + m * 100 + pb_days_in_month(y, m);
}

#ifdef __cplusplus
}
#endif
#endif
