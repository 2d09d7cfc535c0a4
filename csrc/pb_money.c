/* pb_money.c - finance-notation parsing, formatting, checked arithmetic. */
#include "pb_money.h"
#include "pb_platform.h"

#include <string.h>

static const int64_t pow10_table[19] = {
    1LL, 10LL, 100LL, 1000LL, 10000LL, 100000LL, 1000000LL, 10000000LL,
    100000000LL, 1000000000LL, 10000000000LL, 100000000000LL,
    1000000000000LL, 10000000000000LL, 100000000000000LL,
    1000000000000000LL, 10000000000000000LL, 100000000000000000LL,
    1000000000000000000LL};

pb_status pb_amount_add(pb_amount a, pb_amount b, pb_amount *out)
{
    pb_amount r;
    if (pb_add_overflow(a, b, &r))
        return PB_ERR_OVERFLOW;
    *out = r;
    return PB_OK;
}

pb_status pb_amount_sub(pb_amount a, pb_amount b, pb_amount *out)
{
    pb_amount r;
    if (pb_sub_overflow(a, b, &r))
        return PB_ERR_OVERFLOW;
    *out = r;
    return PB_OK;
}

pb_status pb_amount_neg(pb_amount a, pb_amount *out)
{
    if (a == INT64_MIN)
        return PB_ERR_OVERFLOW;
    *out = -a;
    return PB_OK;
}

pb_status pb_amount_rescale(pb_amount v, int from, int to, pb_amount *out)
{
    if (from < 0 || to < 0 || from > PB_MAX_DECIMALS || to > PB_MAX_DECIMALS)
        return PB_ERR_RANGE;
    if (to >= from) {
        pb_amount r;
        if (pb_mul_overflow(v, pow10_table[to - from], &r))
            return PB_ERR_OVERFLOW;
        *out = r;
        return PB_OK;
    }
    int64_t d = pow10_table[from - to];
    if (v % d != 0)
        return PB_ERR_PRECISION;
    *out = v / d;
    return PB_OK;
}

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* UTF-8 dashes and minus: en dash, em dash, minus sign. */
static size_t match_dash(const char *s, size_t n)
{
    if (n >= 1 && s[0] == '-')
        return 1;
    if (n >= 3 && (unsigned char)s[0] == 0xE2 && (unsigned char)s[1] == 0x80 &&
        ((unsigned char)s[2] == 0x93 || (unsigned char)s[2] == 0x94))
        return 3;
    if (n >= 3 && (unsigned char)s[0] == 0xE2 && (unsigned char)s[1] == 0x88 &&
        (unsigned char)s[2] == 0x92)
        return 3;
    return 0;
}

static pb_status syntax(pb_error *err, const char *s, size_t n, const char *why)
{
    int shown = n > 60 ? 60 : (int)n;
    return pb_error_set(err, PB_ERR_SYNTAX, "'%.*s%s' is not an amount: %s",
                        shown, s, n > 60 ? "..." : "", why);
}

/* s[0..n) without the spaces around it. */
static void trim(const char **s, size_t *n)
{
    while (*n && is_space((unsigned char)(*s)[0])) {
        (*s)++;
        (*n)--;
    }
    while (*n && is_space((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

static pb_status beyond(pb_error *err, const char *s, size_t n)
{
    return pb_error_set(err, PB_ERR_OVERFLOW, "'%.*s' is beyond the fixed-point range",
                        (int)(n > 60 ? 60 : n), s);
}

pb_status pb_amount_parse(const char *s, size_t n, int decimals,
                          pb_amount *out, pb_cell_state *state, pb_error *err)
{
    const char *orig = s;
    size_t orig_n = n;
    if (decimals < 0 || decimals > PB_MAX_DECIMALS)
        return pb_error_set(err, PB_ERR_RANGE, "decimals must be 0..%d",
                            PB_MAX_DECIMALS);
    trim(&s, &n);
    if (n == 0) {
        *out = 0;
        *state = PB_CELL_BLANK;
        return PB_OK;
    }
    size_t d = match_dash(s, n);
    if (d == n) {
        *out = 0;
        *state = PB_CELL_NIL;
        return PB_OK;
    }
    int negative = 0;
    if (s[0] == '(') {
        if (s[n - 1] != ')')
            return syntax(err, orig, orig_n, "unbalanced parenthesis");
        negative = 1;
        s++;
        n -= 2;
        trim(&s, &n);
    }
    if (!negative && (d = match_dash(s, n)) > 0) {
        negative = 1;
        s += d;
        n -= d;
    } else if (!negative && n && s[0] == '+') {
        s++;
        n--;
    }
    /* optional pound sign (UTF-8 C2 A3) */
    if (n >= 2 && (unsigned char)s[0] == 0xC2 && (unsigned char)s[1] == 0xA3) {
        s += 2;
        n -= 2;
    }
    if (n == 0)
        return syntax(err, orig, orig_n, "no digits");

    /* integer part, with optional thousands separators grouped by 3 */
    pb_amount v = 0;
    size_t i = 0, group = 0, ndigits = 0;
    int grouped = 0;
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= '0' && c <= '9') {
            if (pb_mul_overflow(v, 10, &v) ||
                pb_add_overflow(v, (pb_amount)(c - '0'), &v))
                return beyond(err, orig, orig_n);
            group++;
            ndigits++;
        } else if (c == ',') {
            if (ndigits == 0 || (grouped ? group != 3 : group > 3))
                return syntax(err, orig, orig_n,
                              "thousands separators must group digits by three");
            grouped = 1;
            group = 0;
        } else {
            break;
        }
    }
    if (ndigits == 0)
        return syntax(err, orig, orig_n, "no digits");
    if (grouped && group != 3)
        return syntax(err, orig, orig_n,
                      "thousands separators must group digits by three");
    if (grouped && s[0] == '0')
        return syntax(err, orig, orig_n, "a number with separators cannot start with 0");
    int frac = 0;
    if (i < n && s[i] == '.') {
        i++;
        if (i == n || s[i] < '0' || s[i] > '9')
            return syntax(err, orig, orig_n, "no digits after the decimal point");
        for (; i < n; i++) {
            unsigned char c = (unsigned char)s[i];
            if (c < '0' || c > '9')
                break;
            if (frac >= decimals) {
                if (c != '0')
                    return pb_error_set(
                        err, PB_ERR_PRECISION,
                        "'%.*s' has more decimals than the column's %d",
                        (int)(orig_n > 60 ? 60 : orig_n), orig, decimals);
                continue; /* trailing zero beyond the scale */
            }
            if (pb_mul_overflow(v, 10, &v) ||
                pb_add_overflow(v, (pb_amount)(c - '0'), &v))
                return beyond(err, orig, orig_n);
            frac++;
        }
    }
    if (i != n)
        return syntax(err, orig, orig_n, "unexpected character");
    for (; frac < decimals; frac++)
        if (pb_mul_overflow(v, 10, &v))
            return beyond(err, orig, orig_n);
    if (negative)
        v = -v; /* v >= 0 here, so negation cannot overflow */
    *out = v;
    *state = PB_CELL_VALUE;
    return PB_OK;
}

size_t pb_amount_format(pb_amount v, int decimals, unsigned flags, char *buf)
{
    char digits[24];
    size_t nd = 0;
    int negative = v < 0;
    /* work on the magnitude as unsigned to handle INT64_MIN */
    uint64_t m = negative ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    if (decimals < 0)
        decimals = 0;
    if (decimals > PB_MAX_DECIMALS)
        decimals = PB_MAX_DECIMALS;
    do {
        digits[nd++] = (char)('0' + m % 10);
        m /= 10;
    } while (m);
    while (nd <= (size_t)decimals)
        digits[nd++] = '0';
    size_t len = 0;
    if (negative)
        buf[len++] = (flags & PB_FMT_PARENS) ? '(' : '-';
    size_t int_digits = nd - (size_t)decimals;
    for (size_t k = 0; k < int_digits; k++) {
        buf[len++] = digits[nd - 1 - k];
        size_t left = int_digits - 1 - k;
        if ((flags & PB_FMT_THOUSANDS) && left && left % 3 == 0)
            buf[len++] = ',';
    }
    if (decimals) {
        buf[len++] = '.';
        for (int k = decimals - 1; k >= 0; k--)
            buf[len++] = digits[k];
    }
    if (negative && (flags & PB_FMT_PARENS))
        buf[len++] = ')';
    buf[len] = '\0';
    return len;
}
