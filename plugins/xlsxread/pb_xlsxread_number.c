/* pb_xlsxread_number.c - numbers as a workbook's XML holds them, read as
 * exact decimals (never through a double), and cell references. */
#include "pb_xlsxread.h"

#include <string.h>

#define SIG_DIGITS 15 /* what a spreadsheet keeps */

typedef struct decnum {
    int neg;
    char dig[SIG_DIGITS + 1]; /* significant digits, no leading zeros */
    int nd;                   /* how many */
    int point;                /* integer digits: value = 0.dig x 10^point */
} decnum;

/* Parse and round to 15 significant digits (half away from zero); 0 when
 * the text is not a plain decimal number with an optional exponent. */
static int parse_decimal(const char *s, size_t n, decnum *d)
{
    size_t i = 0;
    memset(d, 0, sizeof *d);
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    while (n > i && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        d->neg = s[i++] == '-';
    int seen_digit = 0, seen_point = 0, round_digit = -1, sticky = 0;
    long point = 0;
    for (; i < n; i++) {
        char c = s[i];
        if (c == '.') {
            if (seen_point)
                return 0;
            seen_point = 1;
            continue;
        }
        if (c < '0' || c > '9')
            break;
        seen_digit = 1;
        if (d->nd == 0 && c == '0') {
            if (seen_point)
                point--;
            continue;
        }
        if (d->nd < SIG_DIGITS)
            d->dig[d->nd++] = c;
        else if (round_digit < 0)
            round_digit = c - '0';
        else if (c != '0')
            sticky = 1;
        if (!seen_point && point < 100000)
            point++;
    }
    if (!seen_digit)
        return 0;
    if (i < n) {
        if (s[i] != 'e' && s[i] != 'E')
            return 0;
        i++;
        int eneg = 0;
        if (i < n && (s[i] == '-' || s[i] == '+'))
            eneg = s[i++] == '-';
        if (i >= n)
            return 0;
        long e = 0;
        for (; i < n; i++) {
            if (s[i] < '0' || s[i] > '9')
                return 0;
            if (e < 100000)
                e = e * 10 + (s[i] - '0');
        }
        point += eneg ? -e : e;
    }
    (void)sticky;
    if (d->nd == 0) { /* zero */
        d->neg = 0;
        d->point = 0;
        return 1;
    }
    if (round_digit >= 5) { /* half away from zero */
        int k = d->nd - 1;
        while (k >= 0 && d->dig[k] == '9')
            d->dig[k--] = '0';
        if (k >= 0) {
            d->dig[k]++;
        } else { /* 999.. became 1000.. */
            d->dig[0] = '1';
            for (int j = 1; j < d->nd; j++)
                d->dig[j] = '0';
            point++;
        }
    }
    while (d->nd > 0 && d->dig[d->nd - 1] == '0')
        d->nd--;
    if (point > 10000)
        point = 10000;
    if (point < -10000)
        point = -10000;
    d->point = (int)point;
    return 1;
}

int pb_xr_number_decimals(const char *s, size_t n)
{
    decnum d;
    if (!parse_decimal(s, n, &d))
        return -1;
    int frac = d.nd - d.point;
    return frac > 0 ? frac : 0;
}

pb_status pb_xr_number(const char *s, size_t n, int decimals, int64_t *out)
{
    decnum d;
    if (!parse_decimal(s, n, &d))
        return PB_ERR_SYNTAX;
    if (d.nd == 0) {
        *out = 0;
        return PB_OK;
    }
    int frac = d.nd - d.point;
    if (frac > decimals)
        return PB_ERR_PRECISION;
    /* value = digits x 10^(decimals - frac) at the scale */
    int zeros = decimals - frac;
    if (d.nd + zeros > 18)
        return PB_ERR_OVERFLOW;
    int64_t v = 0;
    for (int k = 0; k < d.nd; k++)
        v = v * 10 + (d.dig[k] - '0');
    for (int k = 0; k < zeros; k++)
        v *= 10;
    *out = d.neg ? -v : v;
    return PB_OK;
}

/* ------------------------------------------------------------ cell refs */

#define XR_MAX_ROW 1048576u
#define XR_MAX_COL 16384u

void pb_xr_cell_name(uint32_t row, uint32_t col, char *buf)
{
    char letters[8];
    int k = 0;
    uint32_t c = col + 1;
    while (c && k < 7) {
        letters[k++] = (char)('A' + (c - 1) % 26);
        c = (c - 1) / 26;
    }
    int n = 0;
    while (k)
        buf[n++] = letters[--k];
    uint32_t r = row + 1;
    char digits[12];
    int m = 0;
    do {
        digits[m++] = (char)('0' + r % 10);
        r /= 10;
    } while (r && m < 11);
    while (m)
        buf[n++] = digits[--m];
    buf[n] = '\0';
}

int pb_xr_parse_ref(const char *s, size_t n, uint32_t *row, uint32_t *col)
{
    size_t i = 0;
    uint64_t c = 0, r = 0;
    if (i < n && s[i] == '$')
        i++;
    size_t letters = 0;
    while (i < n && ((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z'))) {
        char ch = s[i] >= 'a' ? (char)(s[i] - 32) : s[i];
        if (++letters > 3)
            return 0;
        c = c * 26 + (uint64_t)(ch - 'A' + 1);
        i++;
    }
    if (!letters || c > XR_MAX_COL)
        return 0;
    if (i < n && s[i] == '$')
        i++;
    size_t digits = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
        if (++digits > 7)
            return 0;
        r = r * 10 + (uint64_t)(s[i] - '0');
        i++;
    }
    if (!digits || i != n || r < 1 || r > XR_MAX_ROW)
        return 0;
    *row = (uint32_t)(r - 1);
    *col = (uint32_t)(c - 1);
    return 1;
}
