/* pb_date.c - dates and ranges of dates as plans write them (pb_date.h). */
#include "pb_date.h"
#include "pb_period.h"
#include "pb_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ieq pb_ieq
#define days_in_month pb_days_in_month
#define is_space pb_is_space

pb_status pb_date_parse(const char *s, size_t n, int32_t *out, pb_error *err)
{
    /* tokens: words and numbers */
    char buf[80];
    if (n >= sizeof buf)
        goto bad;
    memcpy(buf, s, n);
    buf[n] = '\0';
    /* ISO yyyy-mm-dd */
    int y = 0, mo = 0, d = 0;
    if (n == 10 && buf[4] == '-' && buf[7] == '-') {
        for (int k = 0; k < 10; k++)
            if (k != 4 && k != 7 && (buf[k] < '0' || buf[k] > '9'))
                goto bad;
        y = atoi(buf);
        mo = atoi(buf + 5);
        d = atoi(buf + 8);
        if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || y < 1000)
            goto bad;
        *out = y * 10000 + mo * 100 + d;
        return PB_OK;
    }
    /* dd/mm/yy or dd/mm/yyyy (day first, as in the UK) */
    {
        int parts[3] = {0, 0, 0}, np = 0, digits = 0;
        size_t k = 0;
        for (; k < n && np < 3; k++) {
            if (buf[k] >= '0' && buf[k] <= '9') {
                if (++digits > 4)
                    break;
                parts[np] = parts[np] * 10 + (buf[k] - '0');
            } else if (buf[k] == '/' && digits && np < 2) {
                np++;
                digits = 0;
            } else
                break;
        }
        if (k == n && np == 2 && digits) {
            y = parts[2];
            if (digits == 2)
                y += 2000; /* plans of this century */
            else if (digits != 4)
                goto bad;
            mo = parts[1];
            d = parts[0];
            if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
                goto bad;
            *out = y * 10000 + mo * 100 + d;
            return PB_OK;
        }
    }
    int end = 0;
    size_t i = 0;
    while (i < n) {
        while (i < n && (is_space(buf[i]) || buf[i] == ','))
            i++;
        if (i >= n)
            break;
        size_t j = i;
        while (j < n && !is_space(buf[j]) && buf[j] != ',')
            j++;
        const char *w = buf + i;
        size_t wl = j - i;
        if (w[0] >= '0' && w[0] <= '9') {
            size_t q = 0;
            long v = 0;
            while (q < wl && w[q] >= '0' && w[q] <= '9' && q < 5)
                v = v * 10 + (w[q++] - '0');
            const char *suf = w + q;
            size_t sl = wl - q;
            if (q <= 2 && (sl == 0 || ieq("st", suf, sl) || ieq("nd", suf, sl) ||
                           ieq("rd", suf, sl) || ieq("th", suf, sl))) {
                if (d || mo || v < 1)
                    goto bad;
                d = (int)v;
            } else if (q == 4 && sl == 0) {
                if (y)
                    goto bad;
                y = (int)v;
            } else
                goto bad;
        } else if (ieq("by", w, wl) || ieq("the", w, wl) || ieq("of", w, wl)) {
            /* filler */
        } else if (ieq("end", w, wl)) {
            end = 1;
        } else {
            int m = pb_month_from_name(w, wl);
            if (!m || mo)
                goto bad;
            mo = m;
        }
        i = j;
    }
    if (!y || !mo || y < 1000)
        goto bad;
    if (d && end)
        goto bad;
    if (!d)
        d = days_in_month(y, mo);
    if (d > days_in_month(y, mo))
        goto bad;
    *out = y * 10000 + mo * 100 + d;
    return PB_OK;
bad:
    return pb_error_set(err, PB_ERR_SYNTAX,
                        "'%.*s' is not a date: write 31 March 2017, end Sept 2016, "
                        "June 2016 or 2016-09-30",
                        (int)(n > 60 ? 60 : n), s);
}

pb_status pb_date_range_parse(const char *s, size_t n, int32_t *start, int32_t *end,
                              pb_error *err)
{
    size_t a = 0, b = n;
    while (a < b && (s[a] == ' ' || s[a] == '\t'))
        a++;
    while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '.'))
        b--;
    const char *t = s + a;
    size_t m = b - a;
    *start = *end = 0;
    if (ieq("tbc", t, m) || ieq("ongoing", t, m) || ieq("on-going", t, m) ||
        ieq("to be confirmed", t, m) || ieq("n/a", t, m) || m == 0)
        return PB_OK;
    /* a range: "X - Y" or "X – Y" (spaces around a hyphen, or an en dash) */
    size_t sep = 0, seplen = 0;
    for (size_t i = 1; i + 1 < m; i++) {
        if (t[i] == '-' && t[i - 1] == ' ' && t[i + 1] == ' ') {
            sep = i, seplen = 1;
            break;
        }
        if (i + 2 < m && (unsigned char)t[i] == 0xE2 && (unsigned char)t[i + 1] == 0x80 &&
            (unsigned char)t[i + 2] == 0x93) {
            sep = i, seplen = 3;
            break;
        }
    }
    if (!seplen) {
        int32_t d;
        pb_status st = pb_date_parse(t, m, &d, err);
        if (st)
            return st;
        *start = *end = d;
        return PB_OK;
    }
    const char *right = t + sep + seplen;
    size_t rn = m - sep - seplen;
    while (rn && *right == ' ')
        right++, rn--;
    int32_t e;
    pb_status st = pb_date_parse(right, rn, &e, err);
    if (st)
        return st;
    /* the left side borrows what it lacks from the right */
    size_t ln = sep;
    while (ln && t[ln - 1] == ' ')
        ln--;
    char buf[96];
    if (ln == 0 || ln > 60)
        goto bad;
    int has_year = 0, has_month = 0, digits = 0;
    for (size_t i = 0; i <= ln; i++) {
        if (i < ln && t[i] >= '0' && t[i] <= '9') {
            digits++;
            continue;
        }
        if (digits == 4)
            has_year = 1;
        digits = 0;
    }
    {
        size_t i = 0;
        while (i < ln) {
            while (i < ln && t[i] == ' ')
                i++;
            size_t j = i;
            while (j < ln && t[j] != ' ')
                j++;
            if (j > i && pb_month_from_name(t + i, j - i))
                has_month = 1;
            i = j;
        }
    }
    static const char *const months[12] = {"January", "February", "March",     "April",
                                           "May",     "June",     "July",      "August",
                                           "September", "October", "November", "December"};
    int ey = e / 10000, em = e / 100 % 100;
    if (has_year)
        snprintf(buf, sizeof buf, "%.*s", (int)ln, t);
    else if (has_month)
        snprintf(buf, sizeof buf, "%.*s %d", (int)ln, t, ey);
    else
        snprintf(buf, sizeof buf, "%.*s %s %d", (int)ln, t, months[em - 1], ey);
    int32_t d;
    if (pb_date_parse(buf, strlen(buf), &d, NULL) || d > e)
        goto bad;
    *start = d;
    *end = e;
    return PB_OK;
bad:
    return pb_error_set(err, PB_ERR_SYNTAX,
                        "'%.*s' is not a date or a range of dates (10 - 12 February 2015)",
                        (int)(n > 60 ? 60 : n), s);
}
