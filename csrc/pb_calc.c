/* pb_calc.c - computed columns: their declaration (pb_calc.h) and their
 * exact arithmetic (pb_calc_private.h): fractions of int64 numerators and
 * denominators, rounded half-up or half-even, every step checked. */
#include "pb_calc.h"
#include "pb_calc_private.h"
#include "pb_plan_private.h"
#include "pb_text.h"

#include <stdio.h>
#include <string.h>

static const char *const kind_names[PB_CALC_COUNT] = {"", "share", "ratio", "change",
                                                       "pct_change"};

const char *pb_calc_kind_name(pb_calc_kind kind)
{
    return (unsigned)kind < PB_CALC_COUNT ? kind_names[kind] : "";
}

/* ------------------------------------------------------------- parsing */

typedef struct cursor {
    const char *s, *end;
} cursor;

static void skip_space(cursor *k)
{
    while (k->s < k->end && (*k->s == ' ' || *k->s == '\t'))
        k->s++;
}

static int take(cursor *k, char ch)
{
    skip_space(k);
    if (k->s < k->end && *k->s == ch) {
        k->s++;
        return 1;
    }
    return 0;
}

/* A word of [A-Za-z0-9_-] (an id or a keyword); its length, 0 if none. */
static size_t word(cursor *k, const char **start)
{
    skip_space(k);
    *start = k->s;
    while (k->s < k->end && (pb_ascii_isalnum((unsigned char)*k->s) || *k->s == '_' ||
                             *k->s == '-' || *k->s == '.'))
        k->s++;
    return (size_t)(k->s - *start);
}

/* A column operand: an amount or text column that is not computed and is
 * not c itself. */
static pb_status operand(pb_table *t, size_t c, cursor *k, uint32_t *out, pb_error *err)
{
    const char *w;
    size_t n = word(k, &w);
    if (!n)
        return pb_error_set(err, PB_ERR_SYNTAX, "a column id is expected in the computation");
    int64_t o = pb_table_find_column(t, w, n);
    if (o < 0)
        return pb_error_set(err, PB_ERR_INVALID, "the computation names no column '%.*s'",
                            (int)n, w);
    if ((size_t)o == c)
        return pb_error_set(err, PB_ERR_INVALID, "column '%s' cannot be computed from itself",
                            t->cols[c].id);
    if (pb_colm(&t->cols[o])->calc)
        return pb_error_set(err, PB_ERR_INVALID,
                            "column '%s' is computed and cannot be computed from", t->cols[o].id);
    *out = (uint32_t)o;
    return PB_OK;
}

pb_status pb_column_set_compute(pb_table *t, size_t c, const char *spec, size_t len,
                                pb_error *err)
{
    if (c >= t->ncols)
        return pb_error_set(err, PB_ERR_RANGE, "no column %zu", c);
    pb_column *col = &t->cols[c];
    if (!spec || !len) {
        if (col->more)
            col->more->calc = PB_CALC_NONE;
        pb_plan_touch(t->head.plan);
        return PB_OK;
    }
    if (pb_colm(col)->nterms)
        return pb_error_set(err, PB_ERR_INVALID, "column '%s' is a sum and cannot be computed",
                            col->id);
    for (uint32_t k = 0; k < t->ncols; k++)
        for (uint32_t j = 0; j < pb_colm(&t->cols[k])->nterms; j++)
            if (pb_colm(&t->cols[k])->term_cols[j] == c)
                return pb_error_set(err, PB_ERR_INVALID,
                                    "column '%s' is summed by '%s' and cannot be computed",
                                    col->id, t->cols[k].id);
    for (uint32_t k = 0; k < t->ncols; k++)
        if (pb_colm(&t->cols[k])->calc && (pb_colm(&t->cols[k])->calc_a == c || pb_colm(&t->cols[k])->calc_b == c))
            return pb_error_set(err, PB_ERR_INVALID,
                                "column '%s' is computed from '%s' and cannot be computed",
                                t->cols[k].id, col->id);
    cursor k = {spec, spec + len};
    const char *w;
    size_t n = word(&k, &w);
    int kind = 0;
    for (int i = 1; i < PB_CALC_COUNT; i++)
        if (strlen(kind_names[i]) == n && !memcmp(kind_names[i], w, n))
            kind = i;
    if (!kind || !take(&k, '('))
        return pb_error_set(err, PB_ERR_SYNTAX,
                            "a computation is share(COL, FIGURE), share(COL, row ROW), "
                            "ratio(A, B), change(A, B) or pct_change(A, B)");
    uint32_t a, b = PB_NONE;
    pb_amount base = 0;
    int base_dec = 0;
    const char *row = NULL;
    pb_status st = operand(t, c, &k, &a, err);
    if (st)
        return st;
    if (!take(&k, ','))
        return pb_error_set(err, PB_ERR_SYNTAX, "the computation needs two operands");
    skip_space(&k);
    if (kind == PB_CALC_SHARE) {
        cursor save = k;
        size_t wn = word(&k, &w);
        if (wn == 3 && !memcmp(w, "row", 3)) {
            size_t rn = word(&k, &w);
            if (!rn || !(row = pb_plan_dup(t->head.plan, w, rn, err)))
                return rn ? PB_ERR_NOMEM
                          : pb_error_set(err, PB_ERR_SYNTAX, "share(COL, row ROW) needs a row");
        } else {
            k = save;
            const char *f = k.s;
            while (k.s < k.end && *k.s != ')')
                k.s++;
            size_t fn = (size_t)(k.s - f);
            while (fn && f[fn - 1] == ' ')
                fn--;
            if (!pb_calc_figure(f, fn, &base, &base_dec) || base == 0)
                return pb_error_set(err, PB_ERR_SYNTAX,
                                    "the base of a share is a figure other than 0 "
                                    "or 'row ROW', not '%.*s'",
                                    (int)(fn > 40 ? 40 : fn), f);
        }
    } else if ((st = operand(t, c, &k, &b, err)) != PB_OK) {
        return st;
    }
    if (!take(&k, ')'))
        return pb_error_set(err, PB_ERR_SYNTAX, "the computation ends with ')'");
    int rounding = PB_ROUND_HALF_UP;
    n = word(&k, &w);
    if (n == 9 && !memcmp(w, "half-even", 9))
        rounding = PB_ROUND_HALF_EVEN;
    else if (n && !(n == 7 && !memcmp(w, "half-up", 7)))
        return pb_error_set(err, PB_ERR_SYNTAX, "the rounding is half-up or half-even");
    skip_space(&k);
    if (k.s != k.end)
        return pb_error_set(err, PB_ERR_SYNTAX, "unexpected text after the computation");
    pb_column_more *m = pb_colm_mut(col);
    if (!m)
        return pb_error_set(err, PB_ERR_NOMEM, NULL);
    m->calc = (uint8_t)kind;
    m->calc_round = (uint8_t)rounding;
    m->calc_a = a;
    m->calc_b = b;
    m->calc_base = base;
    m->calc_base_dec = (int8_t)base_dec;
    m->calc_row = row;
    pb_plan_touch(t->head.plan);
    return PB_OK;
}

pb_calc_kind pb_column_calc(const pb_table *t, size_t c, pb_calc *out)
{
    if (c >= t->ncols)
        return PB_CALC_NONE;
    const pb_column *col = &t->cols[c];
    if (out) {
        out->kind = (pb_calc_kind)pb_colm(col)->calc;
        out->a = pb_colm(col)->calc ? pb_colm(col)->calc_a : PB_NONE;
        out->b = pb_colm(col)->calc ? pb_colm(col)->calc_b : PB_NONE;
        out->base = pb_colm(col)->calc_base;
        out->base_decimals = pb_colm(col)->calc_base_dec;
        out->base_row = pb_colm(col)->calc ? pb_colm(col)->calc_row : NULL;
        out->rounding = (pb_rounding)pb_colm(col)->calc_round;
    }
    return (pb_calc_kind)pb_colm(col)->calc;
}

size_t pb_column_compute_text(const pb_table *t, size_t c, char *buf, size_t cap)
{
    pb_calc k;
    int n;
    if (pb_column_calc(t, c, &k) == PB_CALC_NONE) {
        n = snprintf(buf, cap, "%s", "");
    } else {
        const char *round = k.rounding == PB_ROUND_HALF_EVEN ? " half-even" : "";
        const char *name = kind_names[k.kind];
        if (k.kind != PB_CALC_SHARE) {
            n = snprintf(buf, cap, "%s(%s, %s)%s", name, t->cols[k.a].id, t->cols[k.b].id,
                         round);
        } else if (k.base_row) {
            n = snprintf(buf, cap, "%s(%s, row %s)%s", name, t->cols[k.a].id, k.base_row,
                         round);
        } else {
            char fig[PB_AMOUNT_TEXT_MAX];
            pb_amount_format(k.base, k.base_decimals, 0, fig);
            n = snprintf(buf, cap, "%s(%s, %s)%s", name, t->cols[k.a].id, fig, round);
        }
    }
    return n < 0 ? 0 : (size_t)n;
}

/* ---------------------------------------------------------- arithmetic */

static const int64_t pow10s[19] = {1,
                                   10,
                                   100,
                                   1000,
                                   10000,
                                   100000,
                                   1000000,
                                   10000000,
                                   100000000,
                                   1000000000,
                                   10000000000,
                                   100000000000,
                                   1000000000000,
                                   10000000000000,
                                   100000000000000,
                                   1000000000000000,
                                   10000000000000000,
                                   100000000000000000,
                                   1000000000000000000};

int pb_calc_figure(const char *s, size_t n, pb_amount *v, int *decimals)
{
    size_t i = 0;
    int neg = 0;
    while (i < n && s[i] == ' ')
        i++;
    while (n > i && s[n - 1] == ' ')
        n--;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        neg = s[i++] == '-';
    int64_t x = 0;
    int digits = 0, dec = -1, group = -1;
    for (; i < n; i++) {
        char ch = s[i];
        if (pb_ascii_isdigit((unsigned char)ch)) {
            if (pb_mul_overflow(x, 10, &x) || pb_add_overflow(x, ch - '0', &x))
                return 0;
            digits++;
            if (dec >= 0)
                dec++;
            else if (group >= 0)
                group++;
        } else if (ch == ',' && dec < 0 && digits && (group < 0 || group == 3)) {
            group = 0;
        } else if (ch == '.' && dec < 0 && digits) {
            dec = 0;
        } else {
            return 0;
        }
    }
    if (!digits || (group >= 0 && group != 3) || dec > PB_MAX_DECIMALS)
        return 0;
    *v = neg ? -x : x;
    *decimals = dec < 0 ? 0 : dec;
    return 1;
}

/* x * 10^p, checked. */
static int scale_up(int64_t x, int p, int64_t *out)
{
    return p < 0 || p > 18 || pb_mul_overflow(x, pow10s[p], out);
}

int pb_calc_exact(pb_calc_kind kind, pb_amount a, int da, pb_amount b, int db, int64_t *num,
                  int64_t *den)
{
    int64_t x, y, diff;
    switch (kind) {
    case PB_CALC_SHARE: /* a/10^da / (b/10^db) x 100 */
        if (scale_up(a, db, &x) || pb_mul_overflow(x, 100, num) || scale_up(b, da, den))
            return PB_CALC_OVERFLOW;
        break;
    case PB_CALC_RATIO:
        if (scale_up(a, db, num) || scale_up(b, da, den))
            return PB_CALC_OVERFLOW;
        break;
    case PB_CALC_CHANGE:
    case PB_CALC_PCT_CHANGE:
        if (scale_up(b, da, &y) || scale_up(a, db, &x) || pb_sub_overflow(y, x, &diff))
            return PB_CALC_OVERFLOW;
        if (kind == PB_CALC_CHANGE) {
            *num = diff;
            return scale_up(1, da + db, den) ? PB_CALC_OVERFLOW : PB_CALC_OK;
        }
        if (pb_mul_overflow(diff, 100, num))
            return PB_CALC_OVERFLOW;
        *den = x;
        break;
    default:
        return PB_CALC_UNDEFINED;
    }
    if (*den == 0)
        return PB_CALC_UNDEFINED;
    if (*den < 0) {
        if (*num == INT64_MIN || *den == INT64_MIN)
            return PB_CALC_OVERFLOW;
        *num = -*num;
        *den = -*den;
    }
    return PB_CALC_OK;
}

int pb_calc_round(int64_t num, int64_t den, int places, pb_rounding mode, pb_amount *out)
{
    int64_t n;
    if (den <= 0 || scale_up(num, places, &n))
        return PB_CALC_OVERFLOW;
    int64_t q = n / den, r = n % den; /* truncated toward zero */
    if (r < 0) {                       /* floor: q + r/den with 0 <= r < den */
        q -= 1;
        r += den;
    }
    /* compare r with den - r: the fraction against one half */
    int64_t rest = den - r;
    int up = r > rest || (r == rest && (mode == PB_ROUND_HALF_UP || (q & 1)));
    if (up && pb_add_overflow(q, 1, &q))
        return PB_CALC_OVERFLOW;
    *out = q;
    return PB_CALC_OK;
}
