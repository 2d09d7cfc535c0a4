/* pb_obs.c - figures of indicators as printed (pb_obs.h). */
#include "pb_money.h"
#include "pb_obs.h"
#include "pb_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ieq pb_ieq
#define lookup pb_lookup_name

static const char *const status_names[PB_OBS_STATUS_COUNT] = {
    "not reported", "normal", "provisional", "estimated",
    "not available", "not applicable", "tbc", "text"};

int pb_obs_has_value(pb_obs_status st)
{
    return st == PB_OBS_NORMAL || st == PB_OBS_PROVISIONAL || st == PB_OBS_ESTIMATED;
}

const char *pb_obs_status_name(pb_obs_status st)
{
    return (unsigned)st < PB_OBS_STATUS_COUNT ? status_names[st] : "?";
}

int pb_obs_status_from_name(const char *s, size_t n)
{
    int k = lookup(status_names, PB_OBS_STATUS_COUNT, s, n);
    if (k < 0 && (ieq("blank", s, n) || ieq("not yet reported", s, n)))
        k = PB_OBS_BLANK;
    return k;
}

/* ============================================================ cells */

#define is_space pb_is_space

/* The status of a cell written in words ("n/a", "TBC"), or -1. */
static int word_status(const char *t, size_t m)
{
    static const struct {
        const char *words;
        uint8_t status;
    } table[] = {{"n/a", PB_OBS_NOT_APPLICABLE}, {"not applicable", PB_OBS_NOT_APPLICABLE},
                 {"not available", PB_OBS_NOT_AVAILABLE}, {"tbc", PB_OBS_TBC},
                 {"to be confirmed", PB_OBS_TBC}};
    for (size_t k = 0; k < sizeof table / sizeof table[0]; k++)
        if (ieq(table[k].words, t, m))
            return table[k].status;
    return -1;
}

pb_status pb_obs_parse(const char *s, size_t n, pb_obs *out, size_t *note_off,
                       size_t *note_len, pb_error *err)
{
    memset(out, 0, sizeof *out);
    *note_off = 0;
    *note_len = 0;
    size_t a = 0, b = n;
    while (a < b && is_space(s[a]))
        a++;
    while (b > a && is_space(s[b - 1]))
        b--;
    const char *t = s + a;
    size_t m = b - a;
    int ws = m == 0 ? PB_OBS_BLANK : word_status(t, m);
    if (ws >= 0) {
        out->status = (uint8_t)ws;
        return PB_OK;
    }
    /* a figure: [-+]digits[,ddd]*[.digits][%][ (note)] */
    size_t i = 0;
    int neg = 0;
    if (t[i] == '-' || t[i] == '+') {
        neg = t[i] == '-';
        i++;
    }
    size_t start = i, group = 0, ngroups = 0, digits = 0;
    int grouped = 0;
    uint64_t mant = 0;
    int over = 0;
    for (; i < m; i++) {
        char c = t[i];
        if (c >= '0' && c <= '9') {
            if (mant > (UINT64_MAX - 9) / 10)
                over = 1;
            else
                mant = mant * 10 + (uint64_t)(c - '0');
            group++;
            digits++;
        } else if (c == ',') {
            if (group == 0 || (ngroups > 0 && group != 3) || (ngroups == 0 && group > 3))
                goto syntax;
            grouped = 1;
            ngroups++;
            group = 0;
        } else
            break;
    }
    if (digits == 0 || i == start)
        goto syntax;
    if (grouped && group != 3)
        goto syntax;
    int dec = 0;
    if (i < m && t[i] == '.') {
        i++;
        size_t d0 = i;
        for (; i < m && t[i] >= '0' && t[i] <= '9'; i++) {
            if (dec >= PB_OBS_SCALE) {
                if (t[i] != '0')
                    return pb_error_set(err, PB_ERR_PRECISION,
                                        "'%.*s' has more than %d decimals", (int)(m > 60 ? 60 : m),
                                        t, PB_OBS_SCALE);
                continue; /* trailing zeros beyond the scale */
            }
            if (mant > (UINT64_MAX - 9) / 10)
                over = 1;
            else
                mant = mant * 10 + (uint64_t)(t[i] - '0');
            dec++;
        }
        if (i == d0)
            goto syntax;
    }
    int decimals = dec;
    for (int k = dec; k < PB_OBS_SCALE; k++) {
        if (mant > UINT64_MAX / 10)
            over = 1;
        else
            mant *= 10;
    }
    if (over || mant > (uint64_t)PB_OBS_MAX)
        return pb_error_set(err, PB_ERR_OVERFLOW, "'%.*s' is too large for a figure",
                            (int)(m > 60 ? 60 : m), t);
    if (i < m && t[i] == '%') {
        out->flags |= PB_OBS_PERCENT;
        i++;
    }
    if (i < m) {
        /* " (note)" */
        size_t j = i;
        while (j < m && is_space(t[j]))
            j++;
        if (j == i || j >= m || t[j] != '(' || t[m - 1] != ')' || m - j < 3)
            goto syntax;
        size_t inner = j + 1, end = m - 1;
        for (size_t q = inner; q < end; q++)
            if (t[q] == '(' || t[q] == ')')
                goto syntax;
        *note_off = a + inner;
        *note_len = end - inner;
    }
    if (grouped)
        out->flags |= PB_OBS_GROUPED;
    out->status = PB_OBS_NORMAL;
    out->decimals = (int8_t)decimals;
    out->value = neg ? -(int64_t)mant : (int64_t)mant;
    return PB_OK;
syntax:
    return pb_error_set(err, PB_ERR_SYNTAX,
                        "'%.*s' is not a figure: write a number such as 80.9, 1,257 or 60%%, "
                        "n/a, Not available, TBC, or a blank; a sentence goes in "
                        "{status: ..., note: ...}",
                        (int)(m > 60 ? 60 : m), t);
}

size_t pb_obs_format_value(const pb_obs *o, char *buf)
{
    int dec = o->decimals < 0 ? 0 : o->decimals > PB_OBS_SCALE ? PB_OBS_SCALE : o->decimals;
    int64_t v = o->value;
    for (int k = dec; k < PB_OBS_SCALE; k++)
        v /= 10; /* exact: the figure was printed with `dec` decimals */
    size_t n = pb_amount_format(v, dec, (o->flags & PB_OBS_GROUPED) ? PB_FMT_THOUSANDS : 0, buf);
    if (o->flags & PB_OBS_PERCENT)
        buf[n++] = '%', buf[n] = '\0';
    return n;
}
