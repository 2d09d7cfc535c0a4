/* pb_ragcodes.c - the status engine's bulk pass over one measure's compact
 * columns (pb_indicator_private.h: one word per cell, order-preserving),
 * for pb_indset_status_codes.  Each answer is one loop over the periods
 * with no branch that depends on the data: comparisons give 0 or 1 and the
 * codes are selected from them.  The rules are pb_rag.c's (status_one);
 * tests/test_indicators.py compares the two on every cell. */
#include "pb_platform.h"
PB_VECTORISE_FILE
#include "pb_indicator_private.h"

#include <string.h>

#define ALWAYS_INLINE PB_ALWAYS_INLINE

/* A word as a signed figure: INT64_MIN blank, INT64_MIN + 1 no figure. */
#define SIGNED(w) ((int64_t)((w) ^ PB_FIG_BIAS))
#define HAS(x) ((x) > INT64_MIN + 1)

/* Codes of a comparison for a polarity: [polarity][0 higher, 1 lower]. */
static const uint8_t cmp_codes[3][2] = {
    {PB_CMP_UP, PB_CMP_DOWN}, {PB_CMP_BETTER, PB_CMP_WORSE}, {PB_CMP_WORSE, PB_CMP_BETTER}};

/* o[k] = the figure at k against the one at ref[k] (when has[k]); ref is
 * gathered into the scratch r first, so that the comparison is one
 * straight pass. */
ALWAYS_INLINE void compare(const uint64_t *restrict v, const uint32_t *restrict ref,
                           const uint8_t *restrict has, size_t np, int pol,
                           uint64_t *restrict r, uint8_t *restrict o)
{
    const uint8_t up = cmp_codes[pol][0], down = cmp_codes[pol][1];
    for (size_t k = 0; k < np; k++)
        r[k] = v[ref[k]];
    for (size_t k = 0; k < np; k++) {
        const int64_t a = SIGNED(v[k]), b = SIGNED(r[k]);
        const uint8_t ok = (uint8_t)(has[k] & HAS(a) & HAS(b));
        const uint8_t gt = a > b, lt = a < b, eq = a == b;
        o[k] = (uint8_t)((gt * up + lt * down + eq * PB_CMP_SAME) * ok);
    }
}

/* |t| * pct / 100 at the scale, rounded down (pb_rag.c's percent_of),
 * with pct's bound qmax worked out once. */
static uint64_t percent_word(uint64_t word, int64_t pct, uint64_t qmax)
{
    const uint64_t hundred = 100 * UINT64_C(1000000);
    int64_t t = SIGNED(word);
    uint64_t m = t < 0 ? (uint64_t)0 - (uint64_t)t : (uint64_t)t;
    uint64_t q = m / hundred, r = m % hundred;
    uint64_t v = q > qmax ? (uint64_t)INT64_MAX : q * (uint64_t)pct + r * (uint64_t)pct / hundred;
    return v > (uint64_t)INT64_MAX ? (uint64_t)INT64_MAX : v;
}

/* The target in force at each period (the period's own, else its
 * financial year's) into tt, and its tolerance into tl, from the
 * measure's run of target cells (t, n of them): they go into the zero
 * scratch d (and its tolerances into dl) and out again after. */
ALWAYS_INLINE void targets_in_force(const pb_tcell *t, uint32_t n, size_t np,
                                    const pb_ragcodes_ctx *c, uint64_t *restrict tt,
                                    uint64_t *restrict tl)
{
    uint64_t *restrict d = c->zero, *restrict dl = c->zero + np;
    for (uint32_t j = 0; j < n; j++) {
        const uint64_t w = t[j].word;
        d[t[j].k] = w;
        dl[t[j].k] = w <= PB_FIG_NONE ? 0
                     : c->percent     ? percent_word(w, c->tolerance, c->qmax)
                                      : (uint64_t)c->tolerance;
    }
    for (size_t k = 0; k < np; k++) {
        uint32_t src = d[k] == PB_FIG_BLANK ? c->fy[k] : (uint32_t)k;
        tt[k] = d[src];
        tl[k] = dl[src];
    }
    for (uint32_t j = 0; j < n; j++)
        d[t[j].k] = dl[t[j].k] = 0;
}

/* RAG, its basis and the answer against the target, for a measure with a
 * polarity.  flip (0 or -1) turns lower-is-better into higher-is-better:
 * the complement reverses the order, and the difference of two
 * complements is the difference the other way round. */
ALWAYS_INLINE void rag_target(const uint64_t *restrict v, const uint64_t *restrict tt,
                              const uint64_t *restrict tl, size_t np, int64_t flip, int thr,
                              int64_t good, int64_t concern, uint8_t *restrict rag,
                              uint8_t *restrict basis, uint8_t *restrict tgt)
{
    const int64_t g = good ^ flip, cc = concern ^ flip;
    const uint8_t on_thr = thr != 0, on_target = !thr;
    for (size_t k = 0; k < np; k++) {
        const int64_t a = SIGNED(v[k]), t = SIGNED(tt[k]);
        const uint8_t hv = HAS(a), tok = (uint8_t)(hv & HAS(t));
        const int64_t x = a ^ flip, y = t ^ flip;
        const uint8_t meets = x >= y;
        const uint8_t amber = (uint64_t)y - (uint64_t)x <= tl[k];
        const uint8_t gg = x >= g, gc = x >= cc;
        /* meets: green; else within the tolerance: amber; else red */
        const uint8_t by_target = (uint8_t)(3 - 2 * meets - amber * (1 - meets));
        /* at Good: green; else at Of concern: amber; else red */
        const uint8_t by_thr = (uint8_t)(3 - 2 * gg - gc * (1 - gg));
        rag[k] = (uint8_t)(on_thr * by_thr * hv + on_target * by_target * tok);
        basis[k] = (uint8_t)(on_thr * hv + on_target * 2 * tok);
        tgt[k] = (uint8_t)(tok * (2 - meets));
    }
}

ALWAYS_INLINE void measure(const pb_indset *s, size_t i, const pb_ragcodes_ctx *c,
                           const pb_status_codes *out)
{
    const size_t np = s->nper, at = i * np;
    const pb_measure *m = &s->m[i];
    const int pol = m->polarity; /* none, high or low (pb_ragcodes_fits) */
    const uint64_t *v = s->fig ? s->fig + at : NULL;
    uint8_t *const o_prev = out->previous ? out->previous + at : NULL;
    uint8_t *const o_yago = out->year_ago ? out->year_ago + at : NULL;
    uint8_t *const o_out = out->outturn ? out->outturn + at : NULL;
    uint8_t *const o_last = out->last ? out->last + at : NULL;
    uint8_t *const o_rag = out->rag ? out->rag + at : NULL;
    uint8_t *const o_basis = out->basis ? out->basis + at : NULL;
    uint8_t *const o_tgt = out->target ? out->target + at : NULL;
    uint8_t *const all[7] = {o_prev, o_yago, o_out, o_last, o_rag, o_basis, o_tgt};
    if (!v) { /* no figures: no answers */
        for (int q = 0; q < 7; q++)
            if (all[q])
                memset(all[q], 0, np);
        return;
    }
    /* direction of travel */
    uint64_t *r = c->work;
    if (o_prev)
        compare(v, c->prev, c->has_prev, np, pol, r, o_prev);
    if (o_yago)
        compare(v, c->yago, c->has_yago, np, pol, r, o_yago);
    if (o_out)
        compare(v, c->outturn, c->has_outturn, np, pol, r, o_out);
    if (o_last) {
        const int dir = s->direction;
        uint8_t *same = dir == PB_DIR_YEAR_AGO ? o_yago : dir == PB_DIR_OUTTURN ? o_out : o_prev;
        if (same)
            memcpy(o_last, same, np);
        else if (dir == PB_DIR_YEAR_AGO)
            compare(v, c->yago, c->has_yago, np, pol, r, o_last);
        else if (dir == PB_DIR_OUTTURN)
            compare(v, c->outturn, c->has_outturn, np, pol, r, o_last);
        else
            compare(v, c->prev, c->has_prev, np, pol, r, o_last);
    }
    if (!o_rag && !o_basis && !o_tgt)
        return;
    if (pol == PB_POLARITY_NONE) { /* RAG and the target need a polarity */
        for (int q = 4; q < 7; q++)
            if (all[q])
                memset(all[q], 0, np);
        return;
    }
    uint64_t *tt = c->work + np, *tl = c->work + 2 * np;
    if (m->ntarget)
        targets_in_force(s->tcells + m->tgt_at, m->ntarget, np, c, tt, tl);
    else
        memset(tt, 0, 2 * np * sizeof *tt);
    const uint64_t g = pb_fig_of(&m->thr[PB_LEVEL_GOOD]),
                   cc = pb_fig_of(&m->thr[PB_LEVEL_CONCERN]);
    const int thr = m->thr_state == 1 && g > PB_FIG_NONE && cc > PB_FIG_NONE;
    /* the last np words of the work hold the outputs not asked for */
    uint8_t *scratch = (uint8_t *)(c->work + 3 * np);
    rag_target(v, tt, tl, np, pol == PB_POLARITY_LOW ? -1 : 0, thr, SIGNED(g), SIGNED(cc),
               o_rag ? o_rag : scratch, o_basis ? o_basis : scratch + np,
               o_tgt ? o_tgt : scratch + 2 * np);
}

#ifdef PB_AVX2_BUILD
PB_TARGET_AVX2 static void measure_avx2(const pb_indset *s, size_t i,
                                                         const pb_ragcodes_ctx *c,
                                                         const pb_status_codes *out)
{
    measure(s, i, c, out);
}
#endif

static void measure_plain(const pb_indset *s, size_t i, const pb_ragcodes_ctx *c,
                          const pb_status_codes *out)
{
    measure(s, i, c, out);
}

int pb_ragcodes_wide(void) { return pb_cpu_has_avx2(); }

void pb_ragcodes_measure(const pb_indset *s, size_t i, const pb_ragcodes_ctx *c,
                         const pb_status_codes *out)
{
#ifdef PB_AVX2_BUILD
    if (c->wide) {
        measure_avx2(s, i, c, out);
        return;
    }
#endif
    measure_plain(s, i, c, out);
}

int pb_ragcodes_fits(const pb_indset *s, size_t i)
{
    const pb_measure *m = &s->m[i];
    return m->polarity <= PB_POLARITY_LOW && !m->nmile && !pb_ind_running_total(s, m);
}
