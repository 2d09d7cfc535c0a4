/* pb_rag.c - the indicator status engine: RAG, direction of travel,
 * comparisons with targets and comparators, the sentence behind each
 * answer, and the checks of a dashboard's printed arrows.
 *
 * The rules are in docs/design.md ("Indicator status").  Figures are
 * integers at PB_OBS_SCALE, so every comparison is exact. */
#include "pb_finding_private.h"
#include "pb_indicator_private.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const rag_names[4] = {"none", "green", "amber", "red"};
static const char *const cmp_names[6] = {"none", "better", "worse", "same", "up", "down"};
static const char *const why_names[PB_WHY_COUNT] = {
    "ok", "no value", "no polarity", "no target", "target n/a", "target tbc",
    "target text", "no reference", "not like for like", "before milestone"};

const char *pb_rag_name(pb_rag r) { return (unsigned)r < 4 ? rag_names[r] : "?"; }
const char *pb_cmp_name(pb_cmp c) { return (unsigned)c < 6 ? cmp_names[c] : "?"; }
const char *pb_why_name(pb_why w) { return (unsigned)w < PB_WHY_COUNT ? why_names[w] : "?"; }

/* ========================================================= periods */

/* How the set's periods relate: for each period, the index of the previous
 * one, the same one a year earlier, the previous year's figure and its own
 * financial year (PB_NONE when not in the set). */
typedef struct relations {
    uint32_t prev, yago, outturn, fy;
    uint8_t year_end;
    int32_t end_date; /* yyyymmdd of the period's last day */
} relations;

static uint32_t find(const pb_indset *s, pb_period p)
{
    int64_t k = pb_indset_find_period(s, p);
    return k < 0 ? PB_NONE : (uint32_t)k;
}

static relations relate(const pb_indset *s, size_t k)
{
    int ys = s->head.plan->year_start;
    pb_period p = s->periods[k], q = p;
    relations r;
    /* previous */
    if (p.kind == PB_PERIOD_YEAR) {
        q.year = (int16_t)(p.year - 1);
    } else if (p.index > 1) {
        q.index = (uint8_t)(p.index - 1);
    } else {
        q.year = (int16_t)(p.year - 1);
        q.index = p.kind == PB_PERIOD_QUARTER ? 4 : 12;
    }
    r.prev = find(s, q);
    q = p;
    q.year = (int16_t)(p.year - 1);
    r.yago = find(s, q);
    pb_period fy = pb_period_year_of(p, ys);
    r.fy = p.kind == PB_PERIOD_YEAR ? PB_NONE : find(s, fy);
    pb_period ofy = fy;
    ofy.year = (int16_t)(fy.year - 1);
    r.outturn = find(s, ofy);
    if (p.kind == PB_PERIOD_YEAR)
        r.year_end = 1;
    else if (p.kind == PB_PERIOD_QUARTER)
        r.year_end = p.index == 4;
    else
        r.year_end = p.index == (uint8_t)((ys + 10) % 12 + 1);
    /* the last month of the period */
    int32_t first = pb_period_first_month(p, ys);
    int32_t span = p.kind == PB_PERIOD_YEAR ? 12 : p.kind == PB_PERIOD_QUARTER ? 3 : 1;
    int32_t lm = first + span - 1;
    r.end_date = pb_date_month_end(lm);
    return r;
}

/* ======================================================== answers */

/* A running total within the year: a cumulative series of counts or
 * money.  Only such a series grows by construction from period to period,
 * so only it is compared like for like (docs/design.md).  Rates,
 * percentages, averages and point-in-time counts are compared as printed. */
static int running_total(const pb_indset *s, const pb_measure *m)
{
    return pb_ind_running_total(s, m);
}

static const pb_obs *cell(const pb_indset *s, uint32_t series, size_t i, uint32_t k)
{
    return pb_ind_cell(s, series, i, k);
}

static int has(const pb_obs *o) { return pb_obs_has_value((pb_obs_status)o->status); }

static pb_cmp judge(pb_polarity pol, int64_t a, int64_t b)
{
    if (a == b)
        return PB_CMP_SAME;
    int up = a > b;
    if (pol == PB_POLARITY_NONE)
        return up ? PB_CMP_UP : PB_CMP_DOWN;
    return (up == (pol == PB_POLARITY_HIGH)) ? PB_CMP_BETTER : PB_CMP_WORSE;
}

/* Compare the figure at k with the one at q (a period of the set or
 * PB_NONE). */
static void against(const pb_indset *s, size_t i, uint32_t k, uint32_t q, int like,
                    uint8_t *ans, uint8_t *why)
{
    const pb_obs *v = cell(s, PB_SERIES_VALUE, i, k);
    *ans = PB_CMP_NONE;
    if (!has(v))
        *why = PB_WHY_NO_VALUE;
    else if (!like)
        *why = PB_WHY_NOT_LIKE_FOR_LIKE;
    else if (q == PB_NONE || !has(cell(s, PB_SERIES_VALUE, i, q)))
        *why = PB_WHY_NO_REFERENCE;
    else {
        *why = PB_WHY_OK;
        *ans = (uint8_t)judge((pb_polarity)s->m[i].polarity, v->value,
                              cell(s, PB_SERIES_VALUE, i, q)->value);
    }
}

#define HASV(st) ((st) >= PB_OBS_NORMAL && (st) <= PB_OBS_ESTIMATED)

static const pb_obs blank_cell;

/* The target cell in force for measure m at period k: the period's own,
 * else its financial year's, else the latest milestone due by the period's
 * end (its index in *milestone, else PB_NONE).  trow is the measure's row
 * of targets, or NULL; running: is the measure a running total within the
 * year.  NULL, with *why, when the year's target is not like for like or
 * no milestone is due yet.  (pb_indset_status_codes calls it per cell.) */
static inline const pb_obs *target_cell(const pb_measure *m, const pb_obs *trow, size_t k,
                                        const relations *r, int running, pb_why *why,
                                        uint32_t *milestone)
{
    *milestone = PB_NONE;
    const pb_obs *t = trow ? &trow[k] : &blank_cell;
    if (t->status == PB_OBS_BLANK && r->fy != PB_NONE && trow) {
        const pb_obs *y = &trow[r->fy];
        if (y->status != PB_OBS_BLANK) {
            if (HASV(y->status) && running && !r->year_end) {
                *why = PB_WHY_NOT_LIKE_FOR_LIKE;
                return NULL;
            }
            t = y;
        }
    }
    if (t->status == PB_OBS_BLANK && m->nmile) {
        uint32_t best = PB_NONE;
        for (uint32_t j = 0; j < m->nmile; j++)
            if (m->miles[j].due <= r->end_date)
                best = j;
        if (best == PB_NONE) {
            *why = PB_WHY_BEFORE_MILESTONE;
            return NULL;
        }
        *milestone = best;
        t = &m->miles[best].target;
    }
    return t;
}

/* The target in force at k (target_cell) and the reason when it is not a
 * figure. */
static pb_why target_at(const pb_indset *s, size_t i, uint32_t k, const relations *r,
                        int64_t *value, uint32_t *milestone)
{
    const pb_measure *m = &s->m[i];
    const pb_obs *T = s->series[PB_SERIES_TARGET];
    pb_why why = PB_WHY_OK;
    const pb_obs *t = target_cell(m, T ? T + i * s->nper : NULL, k, r, running_total(s, m), &why,
                                  milestone);
    if (!t)
        return why;
    switch ((pb_obs_status)t->status) {
    case PB_OBS_NORMAL:
    case PB_OBS_PROVISIONAL:
    case PB_OBS_ESTIMATED:
        *value = t->value;
        return PB_WHY_OK;
    case PB_OBS_NOT_APPLICABLE:
        return PB_WHY_TARGET_NA;
    case PB_OBS_TBC:
        return PB_WHY_TARGET_TBC;
    case PB_OBS_TEXT:
        return PB_WHY_TARGET_TEXT;
    default:
        return PB_WHY_NO_TARGET;
    }
}

/* |a| * pct / 100, both at the scale (pct 5000000 is 5%), exactly (rounded
 * down), without overflow. */
static int64_t percent_of(int64_t a, int64_t pct)
{
    const int64_t hundred = 100 * INT64_C(1000000);
    uint64_t m = a < 0 ? (uint64_t)0 - (uint64_t)a : (uint64_t)a;
    uint64_t q = m / (uint64_t)hundred, r = m % (uint64_t)hundred;
    if (pct && q > (uint64_t)INT64_MAX / (uint64_t)pct)
        return INT64_MAX;
    uint64_t v = q * (uint64_t)pct + r * (uint64_t)pct / (uint64_t)hundred;
    return v > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)v;
}

static void status_one(const pb_indset *s, size_t i, uint32_t k, const relations *r,
                       pb_ind_status *o)
{
    const pb_measure *m = &s->m[i];
    memset(o, 0, sizeof *o);
    o->target_milestone = PB_NONE;
    o->previous_period = r->prev;
    o->year_ago_period = r->yago;
    o->outturn_period = r->outturn;
    int sub = s->periods[k].kind != PB_PERIOD_YEAR;
    int running = running_total(s, m);
    against(s, i, k, r->prev, !(sub && running), &o->previous, &o->previous_why);
    against(s, i, k, r->yago, 1, &o->year_ago, &o->year_ago_why);
    against(s, i, k, o->outturn_period, !(sub && running && !r->year_end), &o->outturn,
            &o->outturn_why);
    switch (s->direction) {
    case PB_DIR_YEAR_AGO:
        o->last = o->year_ago, o->last_why = o->year_ago_why;
        break;
    case PB_DIR_OUTTURN:
        o->last = o->outturn, o->last_why = o->outturn_why;
        break;
    default:
        o->last = o->previous, o->last_why = o->previous_why;
    }
    const pb_obs *v = cell(s, PB_SERIES_VALUE, i, k);
    int64_t tv = 0;
    uint32_t mile;
    pb_why tw = target_at(s, i, k, r, &tv, &mile);
    o->target_milestone = mile;
    if (tw == PB_WHY_OK)
        o->target_value = tv;
    if (!has(v)) {
        o->target_why = PB_WHY_NO_VALUE;
        o->rag_why = PB_WHY_NO_VALUE;
        return;
    }
    pb_polarity pol = (pb_polarity)m->polarity;
    if (tw != PB_WHY_OK)
        o->target_why = (uint8_t)tw;
    else if (pol == PB_POLARITY_NONE)
        o->target_why = PB_WHY_NO_POLARITY;
    else {
        pb_cmp c = judge(pol, v->value, tv);
        o->target = (uint8_t)(c == PB_CMP_SAME ? PB_CMP_BETTER : c);
    }
    if (pol == PB_POLARITY_NONE) {
        o->rag_why = PB_WHY_NO_POLARITY;
        return;
    }
    int sign = pol == PB_POLARITY_HIGH ? 1 : -1;
    if (m->thr_state == 1 && has(&m->thr[PB_LEVEL_GOOD]) && has(&m->thr[PB_LEVEL_CONCERN])) {
        o->rag_basis = 1;
        int64_t d = v->value;
        int64_t g = m->thr[PB_LEVEL_GOOD].value, c = m->thr[PB_LEVEL_CONCERN].value;
        if (sign > 0 ? d >= g : d <= g)
            o->rag = PB_RAG_GREEN;
        else if (sign > 0 ? d >= c : d <= c)
            o->rag = PB_RAG_AMBER;
        else
            o->rag = PB_RAG_RED;
        return;
    }
    if (tw != PB_WHY_OK) {
        o->rag_why = (uint8_t)tw;
        return;
    }
    o->rag_basis = 2;
    int64_t d = v->value;
    if (sign > 0 ? d >= tv : d <= tv) {
        o->rag = PB_RAG_GREEN;
        return;
    }
    /* the shortfall, exact in unsigned arithmetic (figures lie within
     * +-PB_OBS_MAX, so it fits) */
    uint64_t gap = sign > 0 ? (uint64_t)tv - (uint64_t)d : (uint64_t)d - (uint64_t)tv;
    int64_t tol = s->head.plan->rag_percent ? percent_of(tv, s->head.plan->rag_tolerance)
                                       : s->head.plan->rag_tolerance;
    o->rag = gap <= (uint64_t)tol ? PB_RAG_AMBER : PB_RAG_RED;
}

pb_status pb_indset_status(const pb_indset *s, size_t k, pb_ind_status *out, pb_error *err)
{
    if (k >= s->nper)
        return pb_error_set(err, PB_ERR_RANGE, "no period %zu in the set", k);
    relations r = relate(s, k);
    for (uint32_t i = 0; i < s->n; i++)
        status_one(s, i, (uint32_t)k, &r, &out[i]);
    return PB_OK;
}

/* The bulk path: one measure at a time over all its periods (its cells are
 * contiguous), with the period relations computed once.  It answers as
 * status_one does; tests/test_indicators.py compares the two on every cell
 * of the examples and of random sets. */

/* A status with a figure (normal, provisional, estimated), inline. */
/* judge() as a table: [polarity][sign of a - b + 1].  The answers depend
 * on the data, which a branch predictor cannot guess; a lookup does not
 * need to. */
static const uint8_t judge_table[3][3] = {
    {PB_CMP_DOWN, PB_CMP_SAME, PB_CMP_UP},       /* no polarity */
    {PB_CMP_WORSE, PB_CMP_SAME, PB_CMP_BETTER},  /* higher is better */
    {PB_CMP_BETTER, PB_CMP_SAME, PB_CMP_WORSE}}; /* lower is better */
#define JUDGE(row, a, b) ((row)[((a) > (b)) - ((a) < (b)) + 1])

/* percent_of(tv, tolv) without its division by a variable: qmax is
 * INT64_MAX / tolv (UINT64_MAX for 0), worked out once per set. */
static inline int64_t percent_fast(int64_t tv, int64_t tolv, uint64_t qmax)
{
    const uint64_t hundred = 100 * UINT64_C(1000000);
    uint64_t mm = tv < 0 ? (uint64_t)0 - (uint64_t)tv : (uint64_t)tv;
    uint64_t q = mm / hundred, rr = mm % hundred;
    uint64_t t2 = q > qmax ? (uint64_t)INT64_MAX
                           : q * (uint64_t)tolv + rr * (uint64_t)tolv / hundred;
    return t2 > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)t2;
}

/* What the bulk pass works out once per set: each period's relations, and
 * the same as indices for the compact pass (pb_ragcodes.c). */
typedef struct bulk {
    relations *rel;
    uint8_t *sub;
    pb_ragcodes_ctx *fast;
} bulk;

static void bulk_free(bulk *b)
{
    free(b->rel);
    free(b->sub);
    pb_ragcodes_free(b->fast);
}

static int bulk_prepare(const pb_indset *s, bulk *b)
{
    size_t np = s->nper;
    uint32_t *idx = NULL;
    uint8_t *has = NULL;
    b->rel = malloc(np * sizeof *b->rel);
    b->sub = malloc(np);
    b->fast = pb_ragcodes_new(s, &idx, &has);
    if (!b->rel || !b->sub || !b->fast) {
        bulk_free(b);
        return 0;
    }
    for (size_t k = 0; k < np; k++) {
        const relations *r = &b->rel[k];
        b->rel[k] = relate(s, k);
        b->sub[k] = s->periods[k].kind != PB_PERIOD_YEAR;
        const uint32_t q[4] = {r->prev, r->yago, r->outturn, r->fy};
        for (size_t j = 0; j < 4; j++)
            idx[j * np + k] = q[j] == PB_NONE ? (uint32_t)k : q[j];
        for (size_t j = 0; j < 3; j++)
            has[j * np + k] = q[j] != PB_NONE;
    }
    if (!pb_ragcodes_ready(b->fast)) {
        bulk_free(b);
        return 0;
    }
    return 1;
}

pb_status pb_indset_status_codes(const pb_indset *s, const pb_status_codes *out, pb_error *err)
{
    size_t np = s->nper, n = s->n;
    if (!np || !n)
        return PB_OK;
    bulk b;
    if (!bulk_prepare(s, &b))
        return pb_error_set(err, PB_ERR_NOMEM, NULL);
    const relations *rel = b.rel;
    const uint8_t *sub = b.sub;
    const int fast_ok = !(out->comparators && s->ncomp);
    const pb_obs *V = s->series[PB_SERIES_VALUE], *T = s->series[PB_SERIES_TARGET];
    /* the outputs in locals: stores through them cannot change them */
    uint8_t *restrict o_rag = out->rag, *restrict o_basis = out->basis,
                      *restrict o_last = out->last, *restrict o_prev = out->previous,
                      *restrict o_yago = out->year_ago, *restrict o_out = out->outturn,
                      *restrict o_tgt = out->target;
    uint8_t *const *o_comp = out->comparators;
    const int dir = s->direction;
    const size_t ncomp = s->ncomp;
    /* work only for the answers asked for */
    const int want_prev = o_prev || (o_last && dir == PB_DIR_PREVIOUS);
    const int want_yago = o_yago || (o_last && dir == PB_DIR_YEAR_AGO);
    const int want_out = o_out || (o_last && dir == PB_DIR_OUTTURN);
    const int want_tgt = o_rag || o_basis || o_tgt;
    const int pct = s->head.plan->rag_percent;
    const int64_t tolv = s->head.plan->rag_tolerance;
    /* for percent_fast() */
    const uint64_t qmax = tolv ? (uint64_t)INT64_MAX / (uint64_t)tolv : UINT64_MAX;
    for (size_t i = 0; i < n; i++) {
        if (fast_ok && pb_ragcodes_fits(s, i)) {
            i = pb_ragcodes_run(s, i, b.fast, out) - 1; /* the run of measures that fit */
            continue;
        }
        const pb_measure *m = &s->m[i];
        const pb_obs *vrow = V ? V + i * np : NULL, *trow = T ? T + i * np : NULL;
        pb_polarity pol = (pb_polarity)m->polarity;
        const int running = running_total(s, m);
        const int thr = m->thr_state == 1 && HASV(m->thr[PB_LEVEL_GOOD].status) &&
                        HASV(m->thr[PB_LEVEL_CONCERN].status);
        const int sign = pol == PB_POLARITY_HIGH ? 1 : -1;
        const uint8_t *jt = judge_table[pol <= PB_POLARITY_LOW ? pol : 0];
        /* figures lie within +-PB_OBS_MAX, so negating is safe */
        const int64_t sg = sign * m->thr[PB_LEVEL_GOOD].value,
                      sc = sign * m->thr[PB_LEVEL_CONCERN].value;
        const size_t base = i * np;
        for (size_t k = 0; k < np; k++) {
            const relations *r = &rel[k];
            uint8_t prev = 0, yago = 0, outt = 0, rag = 0, basis = 0, tgt = 0;
            const int hv = vrow && HASV(vrow[k].status);
            const int64_t v = hv ? vrow[k].value : 0;
            if (hv) {
                if (want_prev && r->prev != PB_NONE && !(sub[k] && running) &&
                    HASV(vrow[r->prev].status))
                    prev = JUDGE(jt, v, vrow[r->prev].value);
                if (want_yago && r->yago != PB_NONE && HASV(vrow[r->yago].status))
                    yago = JUDGE(jt, v, vrow[r->yago].value);
                if (want_out && r->outturn != PB_NONE && !(sub[k] && running && !r->year_end) &&
                    HASV(vrow[r->outturn].status))
                    outt = JUDGE(jt, v, vrow[r->outturn].value);
            }
            if (want_tgt && hv && pol != PB_POLARITY_NONE) {
                pb_why why;
                uint32_t mile;
                const pb_obs *t = target_cell(m, trow, k, r, running, &why, &mile);
                const int tok = t && HASV(t->status);
                const int64_t tv = tok ? t->value : 0;
                const int64_t sv = sign * v;
                const int meets = sv >= sign * tv;
                if (tok)
                    tgt = (uint8_t)(meets ? PB_CMP_BETTER : PB_CMP_WORSE);
                if (thr) {
                    const uint8_t gg = sv >= sg, gc = sv >= sc;
                    basis = 1;
                    rag = (uint8_t)(gg ? PB_RAG_GREEN : PB_RAG_RED - gc);
                } else if (tok) {
                    basis = 2;
                    if (meets)
                        rag = PB_RAG_GREEN;
                    else {
                        uint64_t gap = sign > 0 ? (uint64_t)tv - (uint64_t)v
                                                : (uint64_t)v - (uint64_t)tv;
                        int64_t tol = pct ? percent_fast(tv, tolv, qmax) : tolv;
                        rag = gap <= (uint64_t)tol ? PB_RAG_AMBER : PB_RAG_RED;
                    }
                }
            }
            const size_t at = base + k;
            if (o_rag)
                o_rag[at] = rag;
            if (o_basis)
                o_basis[at] = basis;
            if (o_prev)
                o_prev[at] = prev;
            if (o_yago)
                o_yago[at] = yago;
            if (o_out)
                o_out[at] = outt;
            if (o_tgt)
                o_tgt[at] = tgt;
            if (o_last)
                o_last[at] = dir == PB_DIR_YEAR_AGO ? yago : dir == PB_DIR_OUTTURN ? outt : prev;
            if (o_comp)
                for (size_t q = 0; q < ncomp; q++) {
                    const pb_obs *X = s->series[PB_SERIES_COMPARATOR(q)];
                    uint8_t a = 0;
                    if (hv && X && HASV(X[at].status))
                        a = JUDGE(jt, v, X[at].value);
                    if (o_comp[q])
                        o_comp[q][at] = a;
                }
        }
    }
    bulk_free(&b);
    return PB_OK;
}

pb_status pb_ind_status_at(const pb_indset *s, size_t i, size_t k, pb_ind_status *out,
                           pb_error *err)
{
    if (k >= s->nper || i >= s->n)
        return pb_error_set(err, PB_ERR_RANGE, "no such measure or period");
    relations r = relate(s, k);
    status_one(s, i, (uint32_t)k, &r, out);
    return PB_OK;
}

pb_cmp pb_ind_compare(const pb_indset *s, size_t i, size_t k, size_t c, pb_why *why)
{
    *why = PB_WHY_NO_REFERENCE;
    if (i >= s->n || k >= s->nper || c >= s->ncomp)
        return PB_CMP_NONE;
    const pb_obs *v = cell(s, PB_SERIES_VALUE, i, (uint32_t)k);
    const pb_obs *x = cell(s, PB_SERIES_COMPARATOR(c), i, (uint32_t)k);
    if (!has(v)) {
        *why = PB_WHY_NO_VALUE;
        return PB_CMP_NONE;
    }
    if (!has(x))
        return PB_CMP_NONE;
    *why = PB_WHY_OK;
    return judge((pb_polarity)s->m[i].polarity, v->value, x->value);
}

/* ======================================================= sentences */

typedef struct sb {
    char *buf;
    size_t cap, len;
} sb;

static void put(sb *b, const char *fmt, ...) PB_PRINTF(2, 3);
static void put(sb *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *dst = b->len < b->cap ? b->buf + b->len : NULL;
    size_t room = b->len < b->cap ? b->cap - b->len : 0;
    int w = vsnprintf(dst, room, fmt, ap);
    va_end(ap);
    if (w > 0)
        b->len += (size_t)w;
}

static void put_period(sb *b, const pb_indset *s, uint32_t k)
{
    char t[PB_PERIOD_TEXT_MAX];
    pb_period_format(s->periods[k], s->head.plan->year_start, t);
    put(b, "%s", t);
}

static void put_fig(sb *b, const pb_obs *o)
{
    char t[PB_AMOUNT_TEXT_MAX + 2];
    pb_obs_format_value(o, t);
    put(b, "%s", t);
}

static void put_value(sb *b, int64_t v, const pb_obs *like)
{
    pb_obs o = *like;
    o.value = v;
    o.flags &= (uint8_t)~PB_OBS_GROUPED;
    /* the fewest decimals that show v exactly */
    int dec = 0;
    int64_t unit = 1;
    for (int q = dec; q < PB_OBS_SCALE; q++)
        unit *= 10;
    while (dec < PB_OBS_SCALE && v % unit) {
        dec++;
        unit /= 10;
    }
    o.decimals = (int8_t)dec;
    put_fig(b, &o);
}

static const char *better_words(pb_polarity p)
{
    return p == PB_POLARITY_HIGH ? "higher is better" : "lower is better";
}

static void no_figure(sb *b, const pb_indset *s, size_t i, uint32_t k)
{
    const pb_obs *v = cell(s, PB_SERIES_VALUE, i, k);
    put(b, "no figure for ");
    put_period(b, s, k);
    put(b, " (%s)", pb_obs_status_name((pb_obs_status)v->status));
}

static void why_words(sb *b, const pb_indset *s, size_t i, uint32_t k, uint32_t q,
                      pb_why why, const relations *r)
{
    const pb_measure *m = &s->m[i];
    switch (why) {
    case PB_WHY_NO_VALUE:
        no_figure(b, s, i, k);
        break;
    case PB_WHY_NO_POLARITY:
        put(b, "no polarity: neither direction is better");
        break;
    case PB_WHY_NO_TARGET:
        put(b, m->thr_state == 2 ? "thresholds not available and no target"
                                 : "no thresholds and no target");
        break;
    case PB_WHY_TARGET_NA:
        put(b, "no target planned (n/a)");
        break;
    case PB_WHY_TARGET_TBC:
        put(b, "target to be confirmed");
        break;
    case PB_WHY_TARGET_TEXT:
        put(b, "the target is in words, not a figure");
        break;
    case PB_WHY_NO_REFERENCE:
        if (q == PB_NONE)
            put(b, "no period to compare with in the set");
        else {
            put(b, "no figure for ");
            put_period(b, s, q);
            put(b, " to compare with");
        }
        break;
    case PB_WHY_NOT_LIKE_FOR_LIKE:
        put(b, "not like for like: ");
        put_period(b, s, k);
        put(b, " is a running total within the year; the other figure covers a "
               "different span");
        break;
    case PB_WHY_BEFORE_MILESTONE:
        put(b, "no milestone due by the end of ");
        put_period(b, s, k);
        put(b, " (the first is due %s)", m->miles[0].text);
        break;
    default:
        break;
    }
    (void)r;
}

/* The sentence of a RAG rating (pb_ind_explain's PB_ASPECT_RAG). */
static void explain_rag(sb *b, const pb_indset *s, size_t i, uint32_t kk, const pb_ind_status *st,
                        const relations *r)
{
    const pb_measure *m = &s->m[i];
    const pb_obs *v = cell(s, PB_SERIES_VALUE, i, kk);
    pb_polarity pol = (pb_polarity)m->polarity;
    if (st->rag == PB_RAG_NONE) {
        why_words(b, s, i, kk, PB_NONE, (pb_why)st->rag_why, r);
    } else if (st->rag_basis == 1) {
        static const char *const lv[3] = {"Good", "Of concern", "Action required"};
        put_period(b, s, kk);
        put(b, " ");
        put_fig(b, v);
        int level = st->rag == PB_RAG_GREEN ? 0 : 1;
        put(b, " %s %s ", st->rag == PB_RAG_RED ? "against" : "meets", lv[level]);
        put_fig(b, &m->thr[level]);
        if (st->rag == PB_RAG_AMBER) {
            put(b, " (misses Good ");
            put_fig(b, &m->thr[0]);
            put(b, ")");
        }
        if (st->rag == PB_RAG_RED && has(&m->thr[2])) {
            int beyond = pol == PB_POLARITY_HIGH ? v->value <= m->thr[2].value
                                                 : v->value >= m->thr[2].value;
            if (beyond) {
                put(b, ", at or beyond Action required ");
                put_fig(b, &m->thr[2]);
            }
        }
        put(b, ", %s: %s", better_words(pol), rag_names[st->rag]);
    } else {
        put_period(b, s, kk);
        put(b, " ");
        put_fig(b, v);
        put(b, " against target ");
        put_value(b, st->target_value, v);
        if (st->target_milestone != PB_NONE)
            put(b, " (due %s)", m->miles[st->target_milestone].text);
        if (st->rag == PB_RAG_AMBER || st->rag == PB_RAG_RED) {
            if (s->head.plan->rag_percent) {
                pb_obs pct = {s->head.plan->rag_tolerance, 0, PB_OBS_NORMAL, 0, 0, 0};
                put(b, ", tolerance ");
                put_value(b, s->head.plan->rag_tolerance, &pct);
                put(b, "%%");
            } else {
                put(b, ", tolerance ");
                put_value(b, s->head.plan->rag_tolerance, v);
            }
        }
        put(b, ", %s: %s", better_words(pol), rag_names[st->rag]);
    }
}

size_t pb_ind_explain(const pb_indset *s, size_t i, size_t k, int aspect, char *buf, size_t cap)
{
    sb b = {buf, cap, 0};
    if (cap)
        buf[0] = '\0';
    if (i >= s->n || k >= s->nper)
        return 0;
    relations r = relate(s, k);
    pb_ind_status st;
    status_one(s, i, (uint32_t)k, &r, &st);
    const pb_measure *m = &s->m[i];
    const pb_obs *v = cell(s, PB_SERIES_VALUE, i, (uint32_t)k);
    pb_polarity pol = (pb_polarity)m->polarity;
    uint32_t kk = (uint32_t)k;
    if (aspect == PB_ASPECT_RAG) {
        explain_rag(&b, s, i, kk, &st, &r);
    } else if (aspect == PB_ASPECT_TARGET) {
        if (st.target == PB_CMP_NONE)
            why_words(&b, s, i, kk, PB_NONE, (pb_why)st.target_why, &r);
        else {
            put_period(&b, s, kk);
            put(&b, " ");
            put_fig(&b, v);
            put(&b, " against target ");
            put_value(&b, st.target_value, v);
            if (st.target_milestone != PB_NONE)
                put(&b, " (due %s)", m->miles[st.target_milestone].text);
            put(&b, ", %s: %s", better_words(pol),
                st.target == PB_CMP_BETTER ? "meets the target" : "misses the target");
        }
    } else if (aspect >= PB_ASPECT_PREVIOUS && aspect <= PB_ASPECT_LAST) {
        uint8_t ans, why;
        uint32_t q;
        int a = aspect;
        if (a == PB_ASPECT_LAST)
            a = s->direction == PB_DIR_YEAR_AGO  ? PB_ASPECT_YEAR_AGO
                : s->direction == PB_DIR_OUTTURN ? PB_ASPECT_OUTTURN
                                                 : PB_ASPECT_PREVIOUS;
        if (a == PB_ASPECT_PREVIOUS)
            ans = st.previous, why = st.previous_why, q = st.previous_period;
        else if (a == PB_ASPECT_YEAR_AGO)
            ans = st.year_ago, why = st.year_ago_why, q = st.year_ago_period;
        else
            ans = st.outturn, why = st.outturn_why, q = st.outturn_period;
        if (ans == PB_CMP_NONE)
            why_words(&b, s, i, kk, q, (pb_why)why, &r);
        else {
            put_period(&b, s, kk);
            put(&b, " ");
            put_fig(&b, v);
            put(&b, " against ");
            put_period(&b, s, q);
            put(&b, " ");
            put_fig(&b, cell(s, PB_SERIES_VALUE, i, q));
            if (pol == PB_POLARITY_NONE)
                put(&b, ", no polarity: %s", cmp_names[ans]);
            else
                put(&b, ", %s: %s", better_words(pol), cmp_names[ans]);
        }
    } else if (aspect >= PB_ASPECT_COMPARATOR_BASE &&
               (size_t)(aspect - PB_ASPECT_COMPARATOR_BASE) < s->ncomp) {
        size_t c = (size_t)(aspect - PB_ASPECT_COMPARATOR_BASE);
        pb_why why;
        pb_cmp ans = pb_ind_compare(s, i, k, c, &why);
        if (ans == PB_CMP_NONE) {
            if (why == PB_WHY_NO_VALUE)
                no_figure(&b, s, i, kk);
            else {
                put(&b, "no %s figure for ", s->comps[c].name);
                put_period(&b, s, kk);
            }
        } else {
            put_period(&b, s, kk);
            put(&b, " ");
            put_fig(&b, v);
            put(&b, " against %s ", s->comps[c].name);
            put_fig(&b, cell(s, PB_SERIES_COMPARATOR(c), i, kk));
            if (pol == PB_POLARITY_NONE)
                put(&b, ", no polarity: %s", cmp_names[ans]);
            else
                put(&b, ", %s: %s", better_words(pol), cmp_names[ans]);
        }
    }
    /* keep UTF-8 whole when cut */
    if (cap && b.len >= cap) {
        size_t n = cap - 1;
        while (n > 0 && ((unsigned char)buf[n] & 0xC0) == 0x80)
            n--;
        buf[n] = '\0';
    }
    return b.len;
}

/* ========================================================== checks */

static pb_arrow arrow_of(pb_cmp c)
{
    switch (c) {
    case PB_CMP_BETTER:
        return PB_ARROW_UP;
    case PB_CMP_WORSE:
        return PB_ARROW_DOWN;
    case PB_CMP_SAME:
        return PB_ARROW_SAME;
    default:
        return PB_ARROW_NONE;
    }
}

/* A printed arrow against the engine's answer: a finding when both say
 * something and they differ. */
static pb_status check_arrow(const pb_indset *s, uint32_t si, size_t i, uint32_t k, uint32_t key,
                             pb_cmp computed, int aspect, pb_findings *out, pb_error *err)
{
    pb_arrow printed = pb_ind_printed(s, i, key);
    if (printed != PB_ARROW_UP && printed != PB_ARROW_DOWN && printed != PB_ARROW_SAME)
        return PB_OK;
    pb_arrow a = arrow_of(computed);
    if (a == PB_ARROW_NONE || a == printed)
        return PB_OK;
    /* "same" printed as no change meets "better"/"worse" only when equal */
    pb_finding *f = pb_finding_add(out, PB_PART_INDICATORS, PB_FIND_STATUS, PB_SEV_WARNING,
                                   si, (uint32_t)i, k);
    if (!f)
        return pb_error_set(err, PB_ERR_NOMEM, NULL);
    f->other_column = key;
    f->line = s->m[i].line;
    f->col = s->m[i].column;
    char why[PB_FINDING_DETAIL_MAX];
    pb_ind_explain(s, i, k, aspect, why, sizeof why);
    snprintf(f->detail, sizeof f->detail, "%s", why);
    return PB_OK;
}

pb_status pb_indsets_check(const pb_plan *plan, pb_findings *out, pb_error *err)
{
    for (uint32_t si = 0; si < pb_plan_indset_count(plan); si++) {
        const pb_indset *s = pb_plan_indset(plan, si);
        /* thresholds in the wrong order for the polarity */
        for (uint32_t i = 0; i < s->n; i++) {
            const pb_measure *m = &s->m[i];
            if (m->thr_state != 1 || m->polarity == PB_POLARITY_NONE)
                continue;
            int sign = m->polarity == PB_POLARITY_HIGH ? 1 : -1;
            int bad = 0;
            for (int l = 0; l < 2; l++) {
                const pb_obs *a = &m->thr[l], *b = &m->thr[l + 1];
                if (has(a) && has(b) && (sign > 0 ? a->value < b->value : a->value > b->value))
                    bad = 1;
            }
            if (!bad)
                continue;
            pb_finding *f = pb_finding_add(out, PB_PART_INDICATORS, PB_FIND_THRESHOLD, PB_SEV_ERROR,
                                           si, i, PB_NONE);
            if (!f)
                return pb_error_set(err, PB_ERR_NOMEM, NULL);
            f->line = m->line;
            f->col = m->column;
            snprintf(f->detail, sizeof f->detail,
                     "thresholds Good, Of concern, Action required must run from best to "
                     "worst, and %s",
                     better_words((pb_polarity)m->polarity));
        }
        uint32_t k = pb_indset_report_period(s);
        if (k == PB_NONE || !s->printed)
            continue;
        relations r = relate(s, k);
        for (uint32_t i = 0; i < s->n; i++) {
            pb_ind_status st;
            status_one(s, i, k, &r, &st);
            pb_status e = check_arrow(s, si, i, k, PB_PRINTED_LAST, (pb_cmp)st.last,
                                      PB_ASPECT_LAST, out, err);
            if (!e)
                e = check_arrow(s, si, i, k, PB_PRINTED_TARGET, (pb_cmp)st.target,
                                PB_ASPECT_TARGET, out, err);
            for (uint32_t c = 0; !e && c < s->ncomp; c++) {
                pb_why why;
                pb_cmp ans = pb_ind_compare(s, i, k, c, &why);
                e = check_arrow(s, si, i, k, PB_PRINTED_COMPARATOR(c), ans,
                                PB_ASPECT_COMPARATOR_BASE + (int)c, out, err);
            }
            if (e)
                return e;
        }
    }
    return PB_OK;
}

size_t pb_indicator_finding_message(const pb_plan *plan, const pb_finding *f, char *buf,
                                    size_t cap)
{
    const pb_indset *s = pb_plan_indset(plan, f->table);
    const char *ref = s && f->row < s->n ? s->m[f->row].text[PB_IND_REF] : NULL;
    if (s && f->row < s->n && s->m[f->row].parent != PB_NONE)
        ref = s->m[s->m[f->row].parent].text[PB_IND_REF];
    int n;
    if (f->code == PB_FIND_STATUS && s) {
        char what[120], per[PB_PERIOD_TEXT_MAX] = "";
        uint32_t key = f->other_column;
        if (key == PB_PRINTED_LAST)
            snprintf(what, sizeof what, "better than last");
        else if (key == PB_PRINTED_TARGET)
            snprintf(what, sizeof what, "better than target");
        else
            snprintf(what, sizeof what, "better than %s",
                     key - 2 < s->ncomp ? s->comps[key - 2].name : "?");
        if (f->column < s->nper)
            pb_period_format(s->periods[f->column], plan->year_start, per);
        pb_arrow a = pb_ind_printed(s, f->row, key);
        n = snprintf(buf, cap, "'%s' %s, %s: printed %s, but %s", ref ? ref : "?", what, per,
                     a == PB_ARROW_UP ? "up (better)" : a == PB_ARROW_DOWN ? "down (worse)"
                                                                          : "same",
                     f->detail);
    } else
        n = snprintf(buf, cap, "'%s': %s", ref ? ref : "?", f->detail);
    return n < 0 ? 0 : (size_t)n;
}
