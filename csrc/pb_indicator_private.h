/* pb_indicator_private.h - the layout of indicator sets, for the core's own
 * sources (pb_indicator.c, pb_rag.c).  Not installed. */
#ifndef PB_INDICATOR_PRIVATE_H
#define PB_INDICATOR_PRIVATE_H

#include "pb_indicator.h"
#include "pb_plan_private.h"

typedef struct pb_milestone {
    int32_t due;      /* yyyymmdd */
    const char *text; /* as written */
    pb_obs target;
} pb_milestone;

typedef struct pb_measure {
    const char *text[PB_IND_FIELD_COUNT];
    uint32_t parent; /* PB_NONE for a measure; else the measure it counts for */
    int64_t per;
    uint8_t unit, polarity, role, thr_state;
    int8_t cumulative, decimals;
    pb_obs thr[3];
    uint32_t line, column;
    pb_milestone *miles;
    uint32_t nmile, capmile;
    /* The measure's target cells that are not blank, as a run of ntarget
     * of the set's tcells from tgt_at (room for tgt_cap), by period. */
    uint32_t ntarget, tgt_at, tgt_cap;
} pb_measure;

/* A target cell that is not blank, for the status engine's bulk pass:
 * its word (pb_fig_of) and its period. */
typedef struct pb_tcell {
    uint64_t word;
    uint32_t k, reserved;
} pb_tcell;

struct pb_indset {
    pb_part_head head; /* first: plan, id, source (pb_part.h) */
    const char *text[PB_INDSET_FIELD_COUNT];
    uint8_t direction, cumulative;
    uint32_t latest;
    pb_period *periods;
    uint32_t nper, capper;
    struct { const char *id, *name; } *comps;
    uint32_t ncomp, capcomp;
    struct { const char *mark, *text; } *foot;
    uint32_t nfoot, capfoot;
    pb_measure *m;
    uint32_t n, cap;
    /* series: values, targets, comparators; each NULL or cap x nper cells */
    pb_obs **series;
    uint32_t nseries;
    uint8_t *printed; /* cap x nseries pb_arrow, or NULL */
    const char **strings; /* notes; handle h is strings[h-1] */
    uint32_t nstr, capstr;
    pb_index refs;
    uint64_t layout;
    /* The value and target series again, compact, for the status
     * engine's bulk pass (pb_ragcodes.c), kept with the cells by every
     * write: the values as one word per cell (pb_fig_of; NULL with the
     * series), the targets sparse (targets are set per year, not per
     * month): each measure's cells that are not blank as a run in tcells
     * (pb_measure.tgt_at); runs left behind by a move or a removed
     * measure (tdead cells in all) are repacked when they outgrow the
     * live ones (pb_indicator_targets.c). */
    uint64_t *fig;
    pb_tcell *tcells;
    uint32_t ntcell, captcell, tdead;
};

/* A running total within the year: a cumulative series of counts or money
 * (pb_rag.c). */
static inline int pb_ind_running_total(const pb_indset *s, const pb_measure *m)
{
    int cum = m->cumulative >= 0 ? m->cumulative : s->cumulative;
    return cum && (m->unit == PB_UNIT_COUNT || m->unit == PB_UNIT_MONEY);
}

/* A cell's word in a compact column: 0 blank, 1 a cell without a figure
 * (n/a, TBC, text, not available), else the figure with its sign bit
 * flipped, so that unsigned order is the figures' order and the
 * difference of two words is the difference of the figures (mod 2^64).
 * Figures lie within +-PB_OBS_MAX, so a figure's word is never 0 or 1. */
#define PB_FIG_BLANK UINT64_C(0)
#define PB_FIG_NONE UINT64_C(1)
#define PB_FIG_BIAS (UINT64_C(1) << 63)
static inline uint64_t pb_fig_of(const pb_obs *o)
{
    if (o->status >= PB_OBS_NORMAL && o->status <= PB_OBS_ESTIMATED)
        return (uint64_t)o->value ^ PB_FIG_BIAS;
    return o->status == PB_OBS_BLANK ? PB_FIG_BLANK : PB_FIG_NONE;
}

/* Measure i's target cell at period k is now word w (PB_FIG_BLANK: blank):
 * the sparse target column follows.  0 when out of memory (nothing
 * changed). */
int pb_ind_target_word(pb_indset *s, size_t i, uint32_t k, uint64_t w);
/* Measures [i, end) are going: their runs are dead. */
void pb_ind_targets_drop(pb_indset *s, size_t i, size_t end);

/* The bulk pass over measure i's compact columns (pb_ragcodes.c), for a
 * measure that pb_ragcodes_fits, when no comparators are asked for.
 * Writes bytes [i * nper, (i + 1) * nper) of each non-NULL array of out,
 * as pb_indset_status_codes does, and may write on into the next
 * measure's bytes (never past the last measure's): the caller goes
 * through the measures in order.  Its context (per set, per call):
 * pb_ragcodes_new, then the periods' relations filled in as indices (k
 * itself where there is none, with has 0): idx rows prev, yago, outturn
 * and fy, the period's financial year (k for a year or none), nper each;
 * has rows prev, yago, outturn; then pb_ragcodes_ready.  NULL or 0 when
 * out of memory. */
typedef struct pb_ragcodes_ctx pb_ragcodes_ctx;
pb_ragcodes_ctx *pb_ragcodes_new(const pb_indset *s, uint32_t **idx, uint8_t **has);
/* PLANBOOK_SIMD read into the passes' cap (pb_api_get calls it) */
void pb_ragcodes_read_env(void);
int pb_ragcodes_ready(pb_ragcodes_ctx *c);
void pb_ragcodes_free(pb_ragcodes_ctx *c);
/* A measure with a polarity the engine knows, no milestones, and not a
 * running total within the year (pb_rag.c's running_total). */
int pb_ragcodes_fits(const pb_indset *s, size_t i);
/* The bulk pass over measures i, i + 1, ... while they fit: one call for
 * a run of them, not one a measure.  Returns the first measure it did
 * not do (s->n at the end). */
size_t pb_ragcodes_run(const pb_indset *s, size_t i, pb_ragcodes_ctx *c,
                       const pb_status_codes *out);

#endif
