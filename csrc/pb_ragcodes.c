/* pb_ragcodes.c - the status engine's bulk pass over one measure's compact
 * columns (pb_indicator_private.h: one word per value cell,
 * order-preserving, and the measure's run of target cells), for
 * pb_indset_status_codes.  The rules are pb_rag.c's (status_one);
 * tests/test_indicators.py compares the two on every cell.
 *
 * How it is fast: a measure's periods go in chunks of CH (the last one
 * padded with blank cells in scratch), and each chunk is one loop of a
 * fixed length with no branch that depends on the data (comparisons give
 * masks and the codes are selected with them), which the compiler makes a
 * few vector instructions with no remainder to handle.  What varies by
 * period is worked out once per set: most periods' previous (year-ago,
 * outturn) period is the same distance back in the set's order, so the
 * chunk compares the row with itself shifted, and the few others (the
 * first month of a year, a year) are patched after, one by one (where
 * most are others, as for the outturn, the referenced figures are
 * gathered into a row first and compared with it whole); and the
 * periods each target cell is in force for (itself, or the months of its
 * financial year) come as ranges, worked out again only when a measure's
 * target periods differ from the last measure's. */
#include "pb_platform.h"
PB_VECTORISE_FILE
#include "pb_indicator_private.h"

#include <stdlib.h>
#include <string.h>

#define ALWAYS_INLINE PB_ALWAYS_INLINE
#define CH 32 /* periods a chunk */
#define TSPAN(npad) ((npad) + 4) /* words of the target rows in scratch */

/* A word as a signed figure: INT64_MIN blank, INT64_MIN + 1 no figure. */
#define SIGNED(w) ((int64_t)((w) ^ PB_FIG_BIAS))
#define HAS(x) ((x) > INT64_MIN + 1)

/* A relation (previous, year ago, outturn) as a shift and its odd periods. */
typedef struct shift {
    size_t by;      /* most references are this many periods before */
    uint8_t *mask;  /* npad: 1 where the reference is k - by */
    uint32_t *odd;  /* the other periods with a reference */
    size_t nodd;
    /* For the AVX-512 build: the odd periods at the two distances most
     * of them have (xby; 0 none) as masked loads, bits a 32-bit word per
     * chunk: the mask, then each distance's periods; the rest one by one */
    size_t xby[2];
    uint32_t *bits, *rest;
    size_t nrest;
    /* When most references are odd (the outturn: every month of a year
     * refers to the one year before it), the row of the referenced figures
     * is gathered (gidx, npad: the reference, or the period itself where
     * there is none) and compared whole (gmask: 1 where a reference is). */
    int gather;
    uint32_t *gidx;
    uint8_t *gmask;
} shift;

struct pb_ragcodes_ctx {
    size_t np, npad;
    uint32_t *idx; /* 4 x np: prev, yago, outturn, fy (the caller's) */
    uint8_t *has;  /* 3 x np */
    int percent;       /* the plan's tolerance is a percentage */
    int64_t tolerance; /* at PB_OBS_SCALE */
    uint64_t qmax;     /* INT64_MAX / tolerance (UINT64_MAX for 0) */
    uint64_t mlim;     /* UINT64_MAX / tolerance (0 for 0): |t| * tolerance fits */
    shift rel[3];
    /* the target periods of the last measure with targets, and the ranges
     * of periods each of its cells is in force for: start, length, the
     * cell (npat: none) */
    uint32_t *pat, *range, *pos;
    uint8_t *tslot; /* npad: the cell in force at each period (npat: none) */
    size_t npat, nrange;
    int have_pat;
    /* scratch: np blank words, then a row of values (npad), the target in
     * force and its tolerance (TSPAN each: npad and the 3 words the last
     * block of 4 of targets_in_force may write past the row, when npad - np
     * < 3), then a gathered row (npad); bytes: the last chunk's answers and
     * those not asked for */
    uint64_t *work;
    uint8_t *bytes;
    int wide;
};

/* The cap the environment variable PLANBOOK_SIMD (none, avx2) sets, so
 * that the tests can run each build: read when the core is handed out
 * (pb_api_get, which the binding calls at import with the GIL held), not
 * in a pass, which runs without the GIL while another thread may change
 * the environment.  -1: not read yet (a C program that never called
 * pb_api_get reads it at its first pass). */
static int simd_most = -1;

void pb_ragcodes_read_env(void)
{
    const char *cap = getenv("PLANBOOK_SIMD");
    simd_most = !cap ? 2 : !strcmp(cap, "none") ? 0 : !strcmp(cap, "avx2") ? 1 : 2;
}

/* The widest build of the pass this processor runs: 2 AVX-512 (BW, VL,
 * DQ), 1 AVX2, 0 the baseline, within the cap. */
static int simd_level(void)
{
    if (simd_most < 0)
        pb_ragcodes_read_env();
    int level = pb_cpu_has_avx512() ? 2 : pb_cpu_has_avx2() ? 1 : 0;
    return level < simd_most ? level : simd_most;
}

pb_ragcodes_ctx *pb_ragcodes_new(const pb_indset *s, uint32_t **idx, uint8_t **has)
{
    pb_ragcodes_ctx *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    const size_t np = s->nper, npad = (np + CH - 1) / CH * CH;
    c->np = np;
    c->npad = npad;
    c->percent = s->head.plan->rag_percent;
    c->tolerance = s->head.plan->rag_tolerance;
    c->qmax = c->tolerance ? (uint64_t)INT64_MAX / (uint64_t)c->tolerance : UINT64_MAX;
    c->mlim = c->tolerance > 0 ? UINT64_MAX / (uint64_t)c->tolerance : 0;
    c->wide = simd_level();
    c->idx = calloc(4 * np + 1, sizeof *c->idx);
    c->has = calloc(3 * np + 1, 1);
    c->pat = calloc(np + 1, sizeof *c->pat);
    c->range = calloc(3 * np + 1, sizeof *c->range);
    c->pos = calloc(np + 1, sizeof *c->pos);
    c->tslot = calloc(npad, 1);
    c->work = calloc(np + npad + 2 * TSPAN(npad) + npad, sizeof *c->work);
    c->bytes = calloc(8 * npad, 1);
    int ok = c->idx && c->has && c->pat && c->range && c->pos && c->tslot && c->work && c->bytes;
    for (int q = 0; q < 3; q++) {
        c->rel[q].mask = calloc(npad, 1);
        c->rel[q].odd = calloc(np + 1, sizeof *c->rel[q].odd);
        c->rel[q].bits = calloc(3 * (npad / CH) + 1, sizeof *c->rel[q].bits);
        c->rel[q].rest = calloc(np + 1, sizeof *c->rel[q].rest);
        c->rel[q].gidx = calloc(npad + 1, sizeof *c->rel[q].gidx);
        c->rel[q].gmask = calloc(npad + 1, 1);
        ok = ok && c->rel[q].mask && c->rel[q].odd && c->rel[q].bits && c->rel[q].rest &&
             c->rel[q].gidx && c->rel[q].gmask;
    }
    if (!ok) {
        pb_ragcodes_free(c);
        return NULL;
    }
    *idx = c->idx;
    *has = c->has;
    return c;
}

/* Relation q as a shift: the distance back most references have (count
 * is scratch of np), the others odd. */
static void make_shift(pb_ragcodes_ctx *c, int q, uint32_t *count)
{
    const size_t np = c->np;
    const uint32_t *ref = c->idx + (size_t)q * np;
    const uint8_t *has = c->has + (size_t)q * np;
    shift *sh = &c->rel[q];
    memset(count, 0, np * sizeof *count);
    for (size_t k = 0; k < np; k++)
        if (has[k] && ref[k] < k)
            count[k - ref[k]]++;
    sh->by = 1;
    for (size_t d = 1; d < np; d++)
        if (count[d] > count[sh->by])
            sh->by = d;
    sh->nodd = 0;
    for (size_t k = 0; k < np; k++) {
        sh->mask[k] = has[k] && ref[k] + sh->by == k;
        if (has[k] && !sh->mask[k])
            sh->odd[sh->nodd++] = (uint32_t)k;
    }
    sh->gather = sh->nodd * 4 > np;
    for (size_t k = 0; k < c->npad; k++) {
        const int r = k < np && has[k] && ref[k] < np;
        sh->gidx[k] = r ? ref[k] : (uint32_t)k;
        sh->gmask[k] = (uint8_t)r;
    }
    /* the odd periods' two commonest distances back, and the bits */
    const size_t nch = c->npad / CH;
    memset(count, 0, np * sizeof *count);
    for (size_t j = 0; j < sh->nodd; j++) {
        const uint32_t k = sh->odd[j];
        if (ref[k] < k)
            count[k - ref[k]]++;
    }
    for (int x = 0; x < 2; x++) {
        sh->xby[x] = 0;
        for (size_t d = 1; d < np; d++)
            if (count[d] && (!sh->xby[x] || count[d] > count[sh->xby[x]]))
                sh->xby[x] = d;
        if (sh->xby[x])
            count[sh->xby[x]] = 0;
    }
    memset(sh->bits, 0, 3 * nch * sizeof *sh->bits);
    for (size_t k = 0; k < np; k++)
        if (sh->mask[k])
            sh->bits[k / CH] |= UINT32_C(1) << (k % CH);
    sh->nrest = 0;
    for (size_t j = 0; j < sh->nodd; j++) {
        const uint32_t k = sh->odd[j];
        const size_t d = ref[k] < k ? k - ref[k] : 0;
        const int x = d && d == sh->xby[0] ? 0 : d && d == sh->xby[1] ? 1 : -1;
        if (x < 0)
            sh->rest[sh->nrest++] = k;
        else
            sh->bits[(size_t)(1 + x) * nch + k / CH] |= UINT32_C(1) << (k % CH);
    }
}

int pb_ragcodes_ready(pb_ragcodes_ctx *c)
{
    for (int q = 0; q < 3; q++)
        make_shift(c, q, c->pos);
    c->have_pat = 0;
    return 1;
}

void pb_ragcodes_free(pb_ragcodes_ctx *c)
{
    if (!c)
        return;
    free(c->idx);
    free(c->has);
    free(c->pat);
    free(c->range);
    free(c->pos);
    free(c->tslot);
    free(c->work);
    free(c->bytes);
    for (int q = 0; q < 3; q++) {
        free(c->rel[q].mask);
        free(c->rel[q].odd);
        free(c->rel[q].bits);
        free(c->rel[q].rest);
        free(c->rel[q].gidx);
        free(c->rel[q].gmask);
    }
    free(c);
}

/* Codes of a comparison for a polarity: [polarity][0 higher, 1 lower]. */
static const uint8_t cmp_codes[3][2] = {
    {PB_CMP_UP, PB_CMP_DOWN}, {PB_CMP_BETTER, PB_CMP_WORSE}, {PB_CMP_WORSE, PB_CMP_BETTER}};

/* The answer of figure word a against word b (when has). */
ALWAYS_INLINE uint8_t compare_one(uint64_t a, uint64_t b, uint8_t has, uint8_t up,
                                  uint8_t down)
{
    const int64_t x = SIGNED(a), y = SIGNED(b);
    /* 0 or 0xff: selections are masks, no multiplication */
    const uint8_t ok = (uint8_t)-(has & HAS(x) & HAS(y));
    const uint8_t gt = (uint8_t)-(x > y), lt = (uint8_t)-(x < y), eq = (uint8_t)-(x == y);
    return (uint8_t)(((gt & up) | (lt & down) | (eq & PB_CMP_SAME)) & ok);
}

ALWAYS_INLINE void compare_chunk(const uint64_t *restrict a, const uint64_t *restrict b,
                                 const uint8_t *restrict has, uint8_t up, uint8_t down,
                                 uint8_t *restrict o)
{
    for (size_t k = 0; k < CH; k++)
        o[k] = compare_one(a[k], b[k], has[k], up, down);
}

/* The figure at each period against the one it refers to by relation sh,
 * from the row v (npad words, blank in the padding, np blank words before
 * it), into o; gw: scratch of npad words. */
ALWAYS_INLINE void compare(const uint64_t *restrict v, const shift *sh, const uint32_t *ref,
                           size_t np, int pol, uint64_t *restrict gw, uint8_t *restrict tail,
                           uint8_t *restrict o)
{
    const uint8_t up = cmp_codes[pol][0], down = cmp_codes[pol][1];
    size_t k = 0;
    if (sh->gather) {
        const size_t npad = (np + CH - 1) / CH * CH;
        const uint32_t *restrict gi = sh->gidx;
        for (size_t j = 0; j < npad; j++)
            gw[j] = v[gi[j]];
        for (; k + CH <= np; k += CH)
            compare_chunk(v + k, gw + k, sh->gmask + k, up, down, o + k);
        if (k < np) {
            compare_chunk(v + k, gw + k, sh->gmask + k, up, down, tail);
            memcpy(o + k, tail, np - k);
        }
        return;
    }
    const uint64_t *w = v - sh->by;
    for (; k + CH <= np; k += CH)
        compare_chunk(v + k, w + k, sh->mask + k, up, down, o + k);
    if (k < np) {
        compare_chunk(v + k, w + k, sh->mask + k, up, down, tail);
        memcpy(o + k, tail, np - k);
    }
    for (size_t j = 0; j < sh->nodd; j++) {
        const uint32_t q = sh->odd[j];
        o[q] = compare_one(v[q], v[ref[q]], 1, up, down);
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

/* The ranges of periods each of the run's n cells (at periods t[j].k) is
 * in force for: a period's own cell, else its financial year's. */
static void make_ranges(pb_ragcodes_ctx *c, const pb_tcell *t, uint32_t n)
{
    const size_t np = c->np;
    const uint32_t *fy = c->idx + 3 * np;
    uint32_t *pos = c->pos;
    for (size_t k = 0; k < np; k++)
        pos[k] = n;
    for (uint32_t j = 0; j < n; j++)
        pos[t[j].k] = j;
    c->nrange = 0;
    for (size_t k = 0; k < np; k++) {
        const uint32_t slot = pos[k] != n ? pos[k] : pos[fy[k]];
        if (c->nrange && c->range[3 * c->nrange - 1] == slot) {
            c->range[3 * c->nrange - 2]++;
            continue;
        }
        uint32_t *r = c->range + 3 * c->nrange++;
        r[0] = (uint32_t)k;
        r[1] = 1;
        r[2] = slot;
    }
    for (size_t k = 0; k < c->npad; k++)
        c->tslot[k] = (uint8_t)(k < np && pos[k] != n ? pos[k] : k < np ? pos[fy[k]] : n);
    for (uint32_t j = 0; j < n; j++)
        c->pat[j] = t[j].k;
    c->npat = n;
    c->have_pat = 1;
}

/* The ranges of the measure's run of target cells (t, n of them), worked
 * out again when its target periods are not the last measure's. */
ALWAYS_INLINE void target_pattern(pb_ragcodes_ctx *c, const pb_tcell *t, uint32_t n)
{
    int same = c->have_pat && c->npat == n;
    for (uint32_t j = 0; same && j < n; j++)
        same = c->pat[j] == t[j].k;
    if (!same)
        make_ranges(c, t, n);
}

/* The tolerance of a target word. */
ALWAYS_INLINE uint64_t tolerance_of(const pb_ragcodes_ctx *c, uint64_t w)
{
    if (w <= PB_FIG_NONE)
        return 0;
    if (!c->percent)
        return (uint64_t)c->tolerance;
    const int64_t t = SIGNED(w);
    const uint64_t m = t < 0 ? (uint64_t)0 - (uint64_t)t : (uint64_t)t;
    /* where |t| * pct fits, one division: the same floor as percent_word's
     * q * pct + r * pct / 100 */
    if (m <= c->mlim)
        return m * (uint64_t)c->tolerance / (100 * UINT64_C(1000000));
    return percent_word(w, c->tolerance, c->qmax);
}

/* The target in force at each period into tt, and its tolerance into tl,
 * from the measure's run of target cells (t, n of them). */
ALWAYS_INLINE void targets_in_force(pb_ragcodes_ctx *c, const pb_tcell *t, uint32_t n,
                             uint64_t *restrict tt, uint64_t *restrict tl)
{
    target_pattern(c, t, n);
    for (size_t q = 0; q < c->nrange; q++) {
        const uint32_t *r = c->range + 3 * q, slot = r[2];
        const uint64_t w = slot < n ? t[slot].word : PB_FIG_BLANK;
        const uint64_t tol = tolerance_of(c, w);
        /* in blocks of 4, the last one running into the next range (which
         * is written after) or up to 3 words past the row's end (the padding,
         * whose answers are not kept, and TSPAN's spare words: not into tl,
         * whose first words are the first range's) */
        for (uint32_t k = r[0]; k < r[0] + r[1]; k += 4)
            for (uint32_t j = 0; j < 4; j++) {
                tt[k + j] = w;
                tl[k + j] = tol;
            }
    }
}

/* One chunk of a row: the answer against the previous period (v against
 * w where mask, prev) and, for a measure with a polarity (rag), RAG, its
 * basis and the answer against the target: by thresholds (thr) or else
 * by the target in force (tt, within its tolerance tl: amber); the
 * target's answer when the measure has targets (tg).  rag, thr and tg are
 * constants where this is called, so each case is its own loop.  Words
 * compare as unsigned (their order is the figures'); fm (0 or all ones)
 * turns lower-is-better into higher-is-better: the complement reverses
 * the order, and the difference of two complements is the difference the
 * other way round. */
ALWAYS_INLINE void row_chunk(const uint64_t *restrict v, const uint64_t *restrict w,
                             const uint8_t *restrict mask, uint8_t up, uint8_t down,
                             const uint64_t *restrict tt, const uint64_t *restrict tl,
                             uint64_t fm, int rag_, int thr, int tg, uint64_t g, uint64_t cc,
                             uint8_t *restrict prev, uint8_t *restrict rag,
                             uint8_t *restrict basis, uint8_t *restrict tgt)
{
    for (size_t k = 0; k < CH; k++) {
        const uint64_t a = v[k], b = w[k];
        const uint8_t hv = a > PB_FIG_NONE, mv = (uint8_t)-hv; /* 0/1 and its mask */
        /* 0 or 0xff: selections are masks, no multiplication */
        const uint8_t ok = (uint8_t)-(mask[k] & hv & (b > PB_FIG_NONE));
        const uint8_t gt = (uint8_t)-(a > b), lt = (uint8_t)-(a < b), eq = (uint8_t)-(a == b);
        prev[k] = (uint8_t)(((gt & up) | (lt & down) | (eq & PB_CMP_SAME)) & ok);
        if (!rag_)
            continue;
        const uint64_t x = a ^ fm;
        if (thr) {
            const uint8_t gg = x >= g, gc = x >= cc;
            /* at Good: green; else at Of concern: amber; else red */
            rag[k] = (uint8_t)((3 - gg - (gg | gc)) & mv);
            basis[k] = hv;
        }
        if (tg) {
            const uint64_t t = tt[k], y = t ^ fm;
            const uint8_t mt = (uint8_t)(mv & -(t > PB_FIG_NONE));
            const uint8_t meets = x >= y;
            tgt[k] = (uint8_t)((2 - meets) & mt);
            if (!thr) {
                const uint8_t amber = y - x <= tl[k];
                /* meets: green; else within the tolerance: amber; else red */
                rag[k] = (uint8_t)((3 - meets - (meets | amber)) & mt);
                basis[k] = (uint8_t)(2 & mt);
            }
        }
    }
}

/* The answers of a row chunk by chunk (the last chunk's bytes through
 * tail), then the odd periods' previous. */
ALWAYS_INLINE void row(const pb_ragcodes_ctx *c, const uint64_t *restrict v, uint8_t up,
                       uint8_t down, const uint64_t *restrict tt, const uint64_t *restrict tl,
                       uint64_t fm, int rag_, int thr, int tg, uint64_t g, uint64_t cc,
                       uint8_t *restrict tail, int over, uint8_t *prev, uint8_t *rag,
                       uint8_t *basis, uint8_t *tgt)
{
    const size_t np = c->np;
    const shift *sh = &c->rel[0];
    const uint64_t *w = v - sh->by;
    size_t k = 0;
    for (; k + CH <= np || (over && k < np); k += CH)
        row_chunk(v + k, w + k, sh->mask + k, up, down, tt + k, tl + k, fm, rag_, thr, tg, g, cc,
                  prev + k, rag + k, basis + k, tgt + k);
    if (k < np) {
        row_chunk(v + k, w + k, sh->mask + k, up, down, tt + k, tl + k, fm, rag_, thr, tg, g, cc,
                  tail, tail + CH, tail + 2 * CH, tail + 3 * CH);
        memcpy(prev + k, tail, np - k);
        if (rag_) {
            memcpy(rag + k, tail + CH, np - k);
            memcpy(basis + k, tail + 2 * CH, np - k);
            memcpy(tgt + k, tail + 3 * CH, np - k);
        }
    }
    const uint32_t *ref = c->idx;
    for (size_t j = 0; j < sh->nodd; j++) {
        const uint32_t q = sh->odd[j];
        prev[q] = compare_one(v[q], v[ref[q]], 1, up, down);
    }
}

/* What row512 needs besides the row. */
typedef struct row512_in {
    const uint64_t *tt, *tl; /* painted targets (table 0) */
    uint64_t tw[8], tlw[8];  /* the table of targets and tolerances (table 1) */
    uint64_t fm, g, cc;
    uint8_t up, down;
} row512_in;

#ifdef PB_AVX2_BUILD
/* The AVX-512 build's row, written with the intrinsics: the compiler's
 * vectorisation of row_chunk spent much of the pass turning 64-bit
 * comparisons into bytes (vpermt2w, spills).  Here each comparison of 8
 * words gives 8 bits of a mask, a chunk's 32 periods one 32-bit mask per
 * question, and the answers are bytes selected by those masks (32 at a
 * time), stored under a mask of the periods of the row (no tail).  The
 * target in force comes from a table of the measure's (at most 7) target
 * words by the period's slot (c->tslot), not from painted rows. */
#include <immintrin.h>

#define B8(x) _mm256_set1_epi8((char)(x))
#define W64(x) _mm512_set1_epi64((long long)(x))

/* The 8 bits of a comparison's mask as a word, made in a general register.
 * Not (uint32_t)mask: gcc 12 keeps that word in a mask register, and where
 * it has to spill it (the sanitizer builds of this file: ASan or UBSan at any
 * -O) it stores one byte (kmovb) and reads four back (mov), so bits 8-31 of
 * a chunk's mask were whatever the stack held: the wrong, run-varying codes
 * of docs/decisions.md, "the AVX-512 row: gcc 12's spill of a mask".  The
 * empty asm hands gcc a word it knows nothing about; the optimised build's
 * code moves the mask out with kmovb to a register (zero-extending) as
 * before.  tests/test_ragcodes_spill.py checks gcc's code of this file. */
PB_ALWAYS_INLINE uint32_t bits8(__mmask8 m)
{
    uint32_t x = m;
    __asm__("" : "+r"(x));
    return x;
}

/* 32 answers at o, those of periods past the row (not live) left alone:
 * a plain store for a whole chunk, a masked one for the last. */
PB_ALWAYS_INLINE PB_TARGET_AVX512 void store32(uint8_t *o, uint32_t live, __m256i x)
{
    if (live == ~UINT32_C(0))
        _mm256_storeu_si256((__m256i *)o, x);
    else
        _mm256_mask_storeu_epi8(o, live, x);
}

PB_ALWAYS_INLINE PB_TARGET_AVX512 void chunk512(const row512_in *in, const uint64_t *restrict v,
                                                const uint64_t *restrict w, size_t xb0,
                                                size_t xb1, uint32_t okm, uint32_t x0,
                                                uint32_t x1, const uint8_t *restrict tslot,
                                                __m512i tw, __m512i tlw, size_t k,
                                                uint32_t live, int by1, int rag_, int thr,
                                                int tg, int table, uint8_t *prev, uint8_t *rag,
                                                uint8_t *basis, uint8_t *tgt)
{
    const __m512i none = W64(PB_FIG_NONE), fm = W64(in->fm);
    /* by1: the reference one period back, from the words already loaded
     * (before the chunk, only v[k - 1]: a row has at least one word before
     * it, not always eight) */
    __m512i pa = by1 ? _mm512_set1_epi64((long long)v[k - 1]) : none;
    uint32_t hv = 0, bv = 0, gt = 0, lt = 0, gg = 0, gc = 0, mt = 0, me = 0, am = 0;
    for (int j = 0; j < 4; j++) {
        const __m512i a = _mm512_loadu_si512(v + k + 8 * j);
        const int sh = 8 * j;
        __m512i b = by1 ? _mm512_alignr_epi64(a, pa, 7) : _mm512_loadu_si512(w + k + 8 * j);
        pa = a;
        b = _mm512_mask_loadu_epi64(b, (__mmask8)(x0 >> sh), v + k + 8 * j - xb0);
        b = _mm512_mask_loadu_epi64(b, (__mmask8)(x1 >> sh), v + k + 8 * j - xb1);
        hv |= bits8(_mm512_cmpgt_epu64_mask(a, none)) << sh;
        bv |= bits8(_mm512_cmpgt_epu64_mask(b, none)) << sh;
        gt |= bits8(_mm512_cmpgt_epu64_mask(a, b)) << sh;
        lt |= bits8(_mm512_cmplt_epu64_mask(a, b)) << sh;
        if (!rag_)
            continue;
        const __m512i x = _mm512_xor_si512(a, fm);
        if (thr) {
            gg |= bits8(_mm512_cmpge_epu64_mask(x, W64(in->g))) << sh;
            gc |= bits8(_mm512_cmpge_epu64_mask(x, W64(in->cc))) << sh;
        }
        if (tg) {
            __m512i t, l;
            if (table) {
                const __m512i ix = _mm512_cvtepu8_epi64(_mm_loadl_epi64((const __m128i *)(tslot + k + 8 * j)));
                t = _mm512_permutexvar_epi64(ix, tw);
                l = _mm512_permutexvar_epi64(ix, tlw);
            } else {
                t = _mm512_loadu_si512(in->tt + k + 8 * j);
                l = _mm512_loadu_si512(in->tl + k + 8 * j);
            }
            const __m512i y = _mm512_xor_si512(t, fm);
            mt |= bits8(_mm512_cmpgt_epu64_mask(t, none)) << sh;
            me |= bits8(_mm512_cmpge_epu64_mask(x, y)) << sh;
            if (!thr)
                am |= bits8(_mm512_cmple_epu64_mask(_mm512_sub_epi64(y, x), l)) << sh;
        }
    }
    const uint32_t ok = (okm | x0 | x1) & hv & bv, eq = ~(gt | lt);
    __m256i p = _mm256_maskz_mov_epi8(ok & gt, B8(in->up));
    p = _mm256_mask_mov_epi8(p, ok & lt, B8(in->down));
    p = _mm256_mask_mov_epi8(p, ok & eq, B8(PB_CMP_SAME));
    store32(prev + k, live, p);
    if (thr) {
        __m256i r = _mm256_maskz_mov_epi8(hv, B8(3));
        r = _mm256_mask_mov_epi8(r, hv & gc, B8(2));
        r = _mm256_mask_mov_epi8(r, hv & gg, B8(1));
        store32(rag + k, live, r);
        store32(basis + k, live, _mm256_maskz_mov_epi8(hv, B8(1)));
    }
    if (tg) {
        const uint32_t m = hv & mt;
        __m256i r = _mm256_maskz_mov_epi8(m, B8(PB_CMP_WORSE));
        r = _mm256_mask_mov_epi8(r, m & me, B8(PB_CMP_BETTER));
        store32(tgt + k, live, r);
        if (!thr) {
            r = _mm256_maskz_mov_epi8(m, B8(3));
            r = _mm256_mask_mov_epi8(r, m & am, B8(2));
            r = _mm256_mask_mov_epi8(r, m & me, B8(1));
            store32(rag + k, live, r);
            store32(basis + k, live, _mm256_maskz_mov_epi8(m, B8(2)));
        }
    }
}

PB_ALWAYS_INLINE PB_TARGET_AVX512 void chunks512(const pb_ragcodes_ctx *c, const row512_in *in,
                                                 const uint64_t *restrict v, int by1, int rag_,
                                                 int thr, int tg, int table, uint8_t *prev,
                                                 uint8_t *rag, uint8_t *basis, uint8_t *tgt)
{
    const size_t np = c->np;
    const shift *sh = &c->rel[0];
    const uint64_t *w = v - sh->by;
    const __m512i tw = _mm512_loadu_si512(in->tw), tlw = _mm512_loadu_si512(in->tlw);
    const size_t nch = c->npad / CH, xb0 = sh->xby[0], xb1 = sh->xby[1];
    for (size_t k = 0; k < np; k += CH) {
        const uint32_t *bits = sh->bits + k / CH;
        const uint32_t live = np - k >= CH ? ~UINT32_C(0) : (UINT32_C(1) << (np - k)) - 1;
        chunk512(in, v, w, xb0, xb1, bits[0], bits[nch], bits[2 * nch], c->tslot, tw, tlw, k,
                 live, by1, rag_, thr, tg, table, prev, rag, basis, tgt);
    }
}

PB_ALWAYS_INLINE PB_TARGET_AVX512 void loop512(const pb_ragcodes_ctx *c, const row512_in *in,
                                               const uint64_t *restrict v, int rag_, int thr,
                                               int tg, int table, uint8_t *prev, uint8_t *rag,
                                               uint8_t *basis, uint8_t *tgt)
{
    if (c->rel[0].by == 1)
        chunks512(c, in, v, 1, rag_, thr, tg, table, prev, rag, basis, tgt);
    else
        chunks512(c, in, v, 0, rag_, thr, tg, table, prev, rag, basis, tgt);
}

/* row() in the AVX-512 build (rag_, thr, tg as there; table: the targets
 * from in's table, else from tt and tl). */
PB_TARGET_AVX512 static void row512(const pb_ragcodes_ctx *c, const row512_in *in,
                                    const uint64_t *restrict v, int rag_, int thr, int tg,
                                    int table, uint8_t *prev, uint8_t *rag, uint8_t *basis,
                                    uint8_t *tgt)
{
    if (!rag_)
        loop512(c, in, v, 0, 0, 0, 0, prev, rag, basis, tgt);
    else if (thr && !tg)
        loop512(c, in, v, 1, 1, 0, 0, prev, rag, basis, tgt);
    else if (thr && table)
        loop512(c, in, v, 1, 1, 1, 1, prev, rag, basis, tgt);
    else if (thr)
        loop512(c, in, v, 1, 1, 1, 0, prev, rag, basis, tgt);
    else if (table)
        loop512(c, in, v, 1, 0, 1, 1, prev, rag, basis, tgt);
    else
        loop512(c, in, v, 1, 0, 1, 0, prev, rag, basis, tgt);
    const shift *sh = &c->rel[0];
    const uint32_t *ref = c->idx;
    for (size_t j = 0; j < sh->nrest; j++) {
        const uint32_t q = sh->rest[j];
        prev[q] = compare_one(v[q], v[ref[q]], 1, in->up, in->down);
    }
}

#endif

/* The measure's targets as a table for row512 (n < 8; slot n, none, is
 * blank). */
ALWAYS_INLINE void target_table(pb_ragcodes_ctx *c, const pb_tcell *t, uint32_t n,
                                uint64_t *restrict tw, uint64_t *restrict tl)
{
    target_pattern(c, t, n);
    for (uint32_t j = 0; j < 8; j++) {
        tw[j] = j < n ? t[j].word : PB_FIG_BLANK;
        tl[j] = tolerance_of(c, tw[j]);
    }
}

ALWAYS_INLINE void measure(const pb_indset *s, size_t i, pb_ragcodes_ctx *c,
                           const pb_status_codes *out, int w512)
{
    const size_t np = c->np, npad = c->npad, at = i * np;
    const pb_measure *m = &s->m[i];
    const int pol = m->polarity; /* none, high or low (pb_ragcodes_fits) */
    uint8_t *const o_prev = out->previous ? out->previous + at : NULL;
    uint8_t *const o_yago = out->year_ago ? out->year_ago + at : NULL;
    uint8_t *const o_out = out->outturn ? out->outturn + at : NULL;
    uint8_t *const o_last = out->last ? out->last + at : NULL;
    uint8_t *const o_rag = out->rag ? out->rag + at : NULL;
    uint8_t *const o_basis = out->basis ? out->basis + at : NULL;
    uint8_t *const o_tgt = out->target ? out->target + at : NULL;
    uint8_t *const all[7] = {o_prev, o_yago, o_out, o_last, o_rag, o_basis, o_tgt};
    if (!s->fig) { /* no figures: no answers */
        for (int q = 0; q < 7; q++)
            if (all[q])
                memset(all[q], 0, np);
        return;
    }
    /* The row in place where the words around it are the set's (its
     * neighbours': their answers are not kept, and the masks leave them
     * out), else a copy in scratch with blank words around it. */
    const uint64_t *v = s->fig + at;
    if (i == 0 || at + npad > (size_t)s->cap * np) {
        uint64_t *copy = c->work + np; /* np blank words before it */
        memcpy(copy, v, np * sizeof *v); /* the padding stays blank */
        v = copy;
    }
    uint64_t *const tt = c->work + np + npad, *const tl = tt + TSPAN(npad);
    uint64_t *const gw = tl + TSPAN(npad); /* compare's gathered row */
    uint8_t *const bytes = c->bytes, *const tail = bytes + 4 * npad;
    /* The last chunk's answers may run on into the next measure's bytes,
     * which are written after (pb_ragcodes_run), but not past the end. */
    const int over = i + 1 < s->n && npad - np <= np;
    const uint8_t up = cmp_codes[pol][0], down = cmp_codes[pol][1];
    /* direction of travel: the previous period with the rest; the others */
    const int dir = s->direction;
    const int lq = dir == PB_DIR_YEAR_AGO ? 1 : dir == PB_DIR_OUTTURN ? 2 : 0;
    uint8_t *const rel_out[3] = {o_prev, o_yago, o_out};
    for (int q = 1; q < 3; q++)
        if (rel_out[q])
            compare(v, &c->rel[q], c->idx + (size_t)q * np, np, pol, gw, tail, rel_out[q]);
    uint8_t *prev = o_prev ? o_prev : lq == 0 && o_last ? o_last : bytes + 3 * npad;
    /* the answers not asked for go to scratch */
    uint8_t *rag = o_rag ? o_rag : bytes, *basis = o_basis ? o_basis : bytes + npad,
            *tgt = o_tgt ? o_tgt : bytes + 2 * npad;
    const int want_rag = (o_rag || o_basis || o_tgt) && pol != PB_POLARITY_NONE;
    int tg = 0, thr = 0, table = 0;
    uint64_t fm = 0, g = 0, cc = 0;
    row512_in in; /* the AVX-512 build's (w512) */
    if (want_rag) {
        tg = m->ntarget != 0;
        table = tg && w512 && m->ntarget < 8;
        if (table)
            target_table(c, s->tcells + m->tgt_at, m->ntarget, in.tw, in.tlw);
        else if (tg)
            targets_in_force(c, s->tcells + m->tgt_at, m->ntarget, tt, tl);
        g = pb_fig_of(&m->thr[PB_LEVEL_GOOD]);
        cc = pb_fig_of(&m->thr[PB_LEVEL_CONCERN]);
        thr = m->thr_state == 1 && g > PB_FIG_NONE && cc > PB_FIG_NONE;
        fm = pol == PB_POLARITY_LOW ? ~UINT64_C(0) : 0;
        g ^= fm;
        cc ^= fm;
    }
#ifdef PB_AVX2_BUILD
    if (w512) {
        in.tt = tt;
        in.tl = tl;
        in.fm = fm;
        in.g = g;
        in.cc = cc;
        in.up = up;
        in.down = down;
        row512(c, &in, v, want_rag && (thr || tg), thr, tg, table, prev, rag, basis, tgt);
    } else
#endif
    if (want_rag && thr && tg)
        row(c, v, up, down, tt, tl, fm, 1, 1, 1, g, cc, tail, over, prev, rag, basis, tgt);
    else if (want_rag && thr)
        row(c, v, up, down, tt, tl, fm, 1, 1, 0, g, cc, tail, over, prev, rag, basis, tgt);
    else if (want_rag && tg)
        row(c, v, up, down, tt, tl, fm, 1, 0, 1, g, cc, tail, over, prev, rag, basis, tgt);
    else
        row(c, v, up, down, tt, tl, fm, 0, 0, 0, g, cc, tail, over, prev, rag, basis, tgt);
    if (!want_rag || (!thr && !tg)) { /* no RAG */
        memset(rag, 0, np);
        memset(basis, 0, np);
    }
    if (!want_rag || !tg) /* no target */
        memset(tgt, 0, np);
    if (o_last && prev != o_last) {
        if (rel_out[lq])
            memcpy(o_last, rel_out[lq], np);
        else
            compare(v, &c->rel[lq], c->idx + (size_t)lq * np, np, pol, gw, tail, o_last);
    }
}

#ifdef PB_AVX2_BUILD
/* The AVX-512 build runs row() as the compiler vectorises it, not row512.
 * row512's wrong, run-varying codes in the sanitizer builds were gcc 12's
 * (a mask spilled one byte wide and read back four: bits8 above), now kept
 * out of its code (tests/test_ragcodes_spill.py); but the machines the
 * project builds and tests on now have no AVX-512, so no test here runs the
 * row, and it stays off until one does: 1 turns it on (docs/decisions.md,
 * "the AVX-512 row: gcc 12's spill of a mask"). */
#ifndef PB_RAGCODES_ROW512
#define PB_RAGCODES_ROW512 0
#endif
PB_TARGET_AVX512 static size_t run_avx512(const pb_indset *s, size_t i, pb_ragcodes_ctx *c,
                                          const pb_status_codes *out)
{
    for (; i < s->n && pb_ragcodes_fits(s, i); i++)
        measure(s, i, c, out, PB_RAGCODES_ROW512);
    return i;
}
PB_TARGET_AVX2 static size_t run_avx2(const pb_indset *s, size_t i, pb_ragcodes_ctx *c,
                                      const pb_status_codes *out)
{
    for (; i < s->n && pb_ragcodes_fits(s, i); i++)
        measure(s, i, c, out, 0);
    return i;
}
#endif

static size_t run_plain(const pb_indset *s, size_t i, pb_ragcodes_ctx *c,
                        const pb_status_codes *out)
{
    for (; i < s->n && pb_ragcodes_fits(s, i); i++)
        measure(s, i, c, out, 0);
    return i;
}

size_t pb_ragcodes_run(const pb_indset *s, size_t i, pb_ragcodes_ctx *c,
                       const pb_status_codes *out)
{
#ifdef PB_AVX2_BUILD
    if (c->wide == 2)
        return run_avx512(s, i, c, out);
    if (c->wide)
        return run_avx2(s, i, c, out);
#endif
    return run_plain(s, i, c, out);
}

int pb_ragcodes_fits(const pb_indset *s, size_t i)
{
    const pb_measure *m = &s->m[i];
    return m->polarity <= PB_POLARITY_LOW && !m->nmile && !pb_ind_running_total(s, m);
}
