/* pb_period.c - parsing and formatting of periods. */
#include "pb_period.h"

#include <stdio.h>
#include <string.h>

static const char *const month_names[12] = {
    "january", "february", "march",     "april",   "may",      "june",
    "july",    "august",   "september", "october", "november", "december"};

static int lower(int c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

int pb_month_from_name(const char *s, size_t n)
{
    if (n < 3)
        return 0;
    for (int m = 0; m < 12; m++) {
        const char *name = month_names[m];
        size_t len = strlen(name);
        if (n > len)
            continue;
        size_t k = 0;
        while (k < n && lower((unsigned char)s[k]) == name[k])
            k++;
        if (k != n)
            continue;
        /* accept the full name, the 3-letter form, and "Sept" */
        if (n == len || n == 3 || (m == 8 && n == 4))
            return m + 1;
    }
    return 0;
}

/* A tiny scanner over the text. */
typedef struct {
    const char *s;
    size_t n, i;
} scan;

static void skip_space(scan *sc)
{
    while (sc->i < sc->n && (sc->s[sc->i] == ' ' || sc->s[sc->i] == '\t'))
        sc->i++;
}

/* Read digits; returns count, value in *v. */
static int read_digits(scan *sc, int *v)
{
    int count = 0, val = 0;
    while (sc->i < sc->n && sc->s[sc->i] >= '0' && sc->s[sc->i] <= '9') {
        if (count < 6)
            val = val * 10 + (sc->s[sc->i] - '0');
        count++;
        sc->i++;
    }
    *v = val;
    return count;
}

static size_t read_word(scan *sc)
{
    size_t start = sc->i;
    while (sc->i < sc->n && ((sc->s[sc->i] >= 'A' && sc->s[sc->i] <= 'Z') ||
                             (sc->s[sc->i] >= 'a' && sc->s[sc->i] <= 'z')))
        sc->i++;
    return sc->i - start;
}

/* Is s[0..n) the lower-case word w, in any case? */
static int word_is(const char *s, size_t n, const char *w)
{
    size_t k = 0;
    while (k < n && w[k] && lower((unsigned char)s[k]) == w[k])
        k++;
    return k == n && w[k] == '\0';
}

static int is_sep(char c) { return c == '/' || c == '-'; }

/* A financial-year range at the scanner: 2018-2019, 2018/19, 2007/8,
 * 15/16, 2018-19; or a bare year (*bare = 1).  Returns 1 on success. */
static int read_fy(scan *sc, int *year, int *bare)
{
    int a, b;
    size_t save = sc->i;
    int na = read_digits(sc, &a);
    *bare = 0;
    if (na == 2)
        a += 2000;
    else if (na != 4) {
        sc->i = save;
        return 0;
    }
    size_t after_a = sc->i;
    skip_space(sc);
    if (sc->i < sc->n && is_sep(sc->s[sc->i])) {
        sc->i++;
        skip_space(sc);
        size_t before_b = sc->i;
        int nb = read_digits(sc, &b);
        if (nb == 4 || nb == 2 || nb == 1) {
            int expect = a + 1;
            int ok = (nb == 4 && b == expect) ||
                     (nb == 2 && b == expect % 100) ||
                     (nb == 1 && b == expect % 10 && na == 4);
            if (!ok) {
                sc->i = save;
                return -1; /* a range whose years do not follow */
            }
            *year = a;
            return 1;
        }
        sc->i = before_b;
    }
    sc->i = after_a;
    if (na != 4) {
        sc->i = save;
        return 0;
    }
    *year = a;
    *bare = 1;
    return 1;
}

static pb_status bad(pb_error *err, const char *s, size_t n, const char *why)
{
    int shown = n > 60 ? 60 : (int)n;
    return pb_error_set(err, PB_ERR_SYNTAX, "'%.*s' is not a period: %s",
                        shown, s, why);
}

static int at_end(scan *sc)
{
    skip_space(sc);
    return sc->i == sc->n;
}

pb_status pb_period_parse(const char *s, size_t n, int year_start,
                          pb_period *out, pb_error *err)
{
    if (year_start < 1 || year_start > 12)
        return pb_error_set(err, PB_ERR_RANGE, "year start must be 1-12");
    scan sc = {s, n, 0};
    skip_space(&sc);
    while (sc.n > sc.i && (sc.s[sc.n - 1] == ' ' || sc.s[sc.n - 1] == '\t'))
        sc.n--;
    if (sc.i == sc.n)
        return bad(err, s, n, "empty");
    int year, bare, r;

    /* "2015-04": calendar month */
    if (sc.n - sc.i == 7 && s[sc.i + 4] == '-' && s[sc.i + 5] >= '0' &&
        s[sc.i + 5] <= '1') {
        int y, m;
        scan t = sc;
        if (read_digits(&t, &y) == 4 && t.s[t.i] == '-') {
            t.i++;
            /* "2007-08" is the financial year 2007/08, not August 2007:
             * in plans a dash between two years is the common spelling */
            if (read_digits(&t, &m) == 2 && t.i == t.n && m >= 1 && m <= 12 &&
                m != (y + 1) % 100) {
                out->kind = PB_PERIOD_MONTH;
                out->year = (int16_t)y;
                out->index = (uint8_t)m;
                return PB_OK;
            }
        }
    }

    /* "Q1 2018/19" */
    if (sc.s[sc.i] == 'Q' || sc.s[sc.i] == 'q') {
        sc.i++;
        int q;
        if (read_digits(&sc, &q) != 1 || q < 1 || q > 4)
            return bad(err, s, n, "quarter must be Q1-Q4");
        skip_space(&sc);
        r = read_fy(&sc, &year, &bare);
        if (r != 1 || !at_end(&sc))
            return bad(err, s, n, r < 0 ? "the years of the range do not follow"
                                         : "expected a financial year after the quarter");
        if (bare && year_start != 1)
            return bad(err, s, n, "a bare year is ambiguous unless the year starts in January");
        out->kind = PB_PERIOD_QUARTER;
        out->year = (int16_t)year;
        out->index = (uint8_t)q;
        return PB_OK;
    }

    /* month name: "April 2015", "Apr 2015", "Dec-14" */
    {
        scan t = sc;
        size_t wl = read_word(&t);
        if (wl >= 3) {
            int m = pb_month_from_name(s + sc.i, wl);
            if (!m)
                return bad(err, s, n, "unknown month or period word");
            skip_space(&t);
            if (t.i < t.n && (t.s[t.i] == '-' || t.s[t.i] == ' '))
                t.i++;
            skip_space(&t);
            int y;
            int ny = read_digits(&t, &y);
            if ((ny != 4 && ny != 2) || !at_end(&t))
                return bad(err, s, n, "expected a year after the month");
            if (ny == 2)
                y += 2000;
            out->kind = PB_PERIOD_MONTH;
            out->year = (int16_t)y;
            out->index = (uint8_t)m;
            return PB_OK;
        }
        if (wl == 2 && lower((unsigned char)s[sc.i]) == 'f' &&
            lower((unsigned char)s[sc.i + 1]) == 'y') {
            sc.i += 2;
            skip_space(&sc);
        } else if (wl > 0) {
            return bad(err, s, n, "unknown period word");
        }
    }

    r = read_fy(&sc, &year, &bare);
    if (r < 0)
        return bad(err, s, n, "the second year of a range must follow the first");
    if (r == 0)
        return bad(err, s, n, "expected a financial year such as 2018/19");
    if (bare && year_start != 1)
        return bad(err, s, n,
                   "a bare year is ambiguous unless the year starts in January; "
                   "write it as 2018/19");
    skip_space(&sc);
    if (sc.i == sc.n) {
        out->kind = PB_PERIOD_YEAR;
        out->year = (int16_t)year;
        out->index = 0;
        return PB_OK;
    }
    /* "2018/19 Q1", "2018/19 - Quarter 2" */
    if (sc.s[sc.i] == '-') {
        sc.i++;
        skip_space(&sc);
    }
    size_t w0 = sc.i;
    size_t wl = read_word(&sc);
    int q = 0;
    if (wl == 1 && (s[w0] == 'Q' || s[w0] == 'q')) {
        if (read_digits(&sc, &q) != 1)
            q = 0;
    } else if (wl == 7 && word_is(s + w0, wl, "quarter")) {
        skip_space(&sc);
        if (read_digits(&sc, &q) != 1)
            q = 0;
    }
    if (q < 1 || q > 4 || !at_end(&sc))
        return bad(err, s, n, "unexpected text after the year");
    out->kind = PB_PERIOD_QUARTER;
    out->year = (int16_t)year;
    out->index = (uint8_t)q;
    return PB_OK;
}

size_t pb_period_format(pb_period p, int year_start, char *buf)
{
    int len = 0;
    switch (p.kind) {
    case PB_PERIOD_YEAR:
    case PB_PERIOD_QUARTER:
        /* four digits, as the parser reads them back (year 999 -> 0999) */
        if (year_start == 1)
            len = snprintf(buf, PB_PERIOD_TEXT_MAX, "%04d", p.year);
        else
            len = snprintf(buf, PB_PERIOD_TEXT_MAX, "%04d/%02d", p.year,
                           (p.year + 1) % 100);
        if (p.kind == PB_PERIOD_QUARTER)
            len += snprintf(buf + len, PB_PERIOD_TEXT_MAX - (size_t)len, " Q%d",
                            p.index);
        break;
    case PB_PERIOD_MONTH:
    {
        static const char *const abbr[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
        len = snprintf(buf, PB_PERIOD_TEXT_MAX, "%s %04d",
                       p.index >= 1 && p.index <= 12 ? abbr[p.index - 1] : "?", p.year);
    }
        break;
    default:
        buf[0] = '\0';
        len = 0;
    }
    return (size_t)len;
}

pb_period pb_period_year_of(pb_period p, int year_start)
{
    pb_period y = {p.year, PB_PERIOD_YEAR, 0};
    if (p.kind == PB_PERIOD_MONTH && p.index < year_start)
        y.year = (int16_t)(p.year - 1);
    if (p.kind == PB_PERIOD_NONE)
        y.kind = PB_PERIOD_NONE;
    return y;
}

int32_t pb_period_first_month(pb_period p, int year_start)
{
    switch (p.kind) {
    case PB_PERIOD_YEAR:
        return p.year * 12 + (year_start - 1);
    case PB_PERIOD_QUARTER:
        return p.year * 12 + (year_start - 1) + (p.index - 1) * 3;
    case PB_PERIOD_MONTH:
        return p.year * 12 + (p.index - 1);
    default:
        return 0;
    }
}
