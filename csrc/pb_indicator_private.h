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
} pb_measure;

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
};

#endif
