/* pb_period.h - financial years, quarters and months.
 *
 * A financial year starts in the plan's year-start month (April by default)
 * and is identified by the calendar year in which it starts: with an April
 * start, year 2015 is April 2015 - March 2016, written 2015/16.  Quarters
 * Q1-Q4 belong to a financial year (Q1 is its first three months).  Months
 * are calendar months, written Apr 2015.
 */
#ifndef PB_PERIOD_H
#define PB_PERIOD_H

#include <stdint.h>
#include <stddef.h>

#include "pb_error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum pb_period_kind {
    PB_PERIOD_NONE = 0,
    PB_PERIOD_YEAR = 1,
    PB_PERIOD_QUARTER = 2,
    PB_PERIOD_MONTH = 3
} pb_period_kind;

typedef struct pb_period {
    int16_t year;  /* YEAR/QUARTER: calendar year the FY starts in; MONTH: calendar year */
    uint8_t kind;  /* pb_period_kind */
    uint8_t index; /* QUARTER: 1-4; MONTH: 1-12; YEAR: 0 */
} pb_period;

#define PB_PERIOD_TEXT_MAX 24

/* Parse any spelling of the seeds: "2018-2019", "2018/19", "2018/2019",
 * "2007/8", "15/16", "FY2018/19", "Q1 2018/19", "2018/19 Q1",
 * "2018/19 - Quarter 2", "April 2015", "Apr 2015", "Dec-14", "2015-04"
 * ("2007-08", where the month would be the next year's last two digits,
 * is the financial year 2007/08);
 * a bare "2018" only when year_start is 1 (January).  year_start is 1-12. */
pb_status pb_period_parse(const char *s, size_t n, int year_start,
                          pb_period *out, pb_error *err);

/* Canonical text: "2018/19" ("2018" for a January start), "2018/19 Q1",
 * "Apr 2015".  buf must hold PB_PERIOD_TEXT_MAX bytes.  Returns length. */
size_t pb_period_format(pb_period p, int year_start, char *buf);

/* The financial year a period belongs to. */
pb_period pb_period_year_of(pb_period p, int year_start);

/* First calendar month (year*12 + month-1) a period covers; for ordering. */
int32_t pb_period_first_month(pb_period p, int year_start);

/* Month number 1-12 from an English month name or 3-letter abbreviation
 * ("April", "Apr", "Sept"), or 0. */
int pb_month_from_name(const char *s, size_t n);

#ifdef __cplusplus
}
#endif
#endif
