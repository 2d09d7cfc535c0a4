/* pb_indicator_targets.c - the sparse target column of an indicator set
 * (pb_indicator_private.h: pb_indset.tcells), for the status engine's bulk
 * pass.  Targets are set per year, not per month (4 of a measure's 52
 * cells in the status benchmark), so the pass reads each measure's few
 * target cells from one short run instead of a row of words that are
 * mostly blank.  Each measure owns a run of cells sorted by period; a
 * loader writes measures in order, so a run grows at the end of the pool
 * in place.  A run that must grow elsewhere moves to the end (twice its
 * size), leaving a dead run; the dead runs are repacked when they
 * outnumber the live cells. */
#include "pb_indicator_private.h"

#include <stdlib.h>
#include <string.h>

/* Room for `more` cells at the end of the pool. */
static int reserve(pb_indset *s, uint32_t more)
{
    if (more > UINT32_MAX - 1 - s->ntcell)
        return 0;
    return pb_grow((void **)&s->tcells, &s->captcell, s->ntcell + more, sizeof(pb_tcell));
}

/* Repack the live runs in measure order, each with no room to spare. */
static int repack(pb_indset *s)
{
    uint32_t live = s->ntcell - s->tdead;
    pb_tcell *nw = malloc((live ? live : 1) * sizeof *nw);
    if (!nw)
        return 0;
    uint32_t at = 0;
    for (uint32_t i = 0; i < s->n; i++) {
        pb_measure *m = &s->m[i];
        if (m->ntarget)
            memcpy(nw + at, s->tcells + m->tgt_at, m->ntarget * sizeof *nw);
        m->tgt_at = at;
        m->tgt_cap = m->ntarget;
        at += m->ntarget;
    }
    free(s->tcells);
    s->tcells = nw;
    s->ntcell = s->captcell = at;
    s->tdead = 0;
    return 1;
}

/* Room in measure m's run for one more cell. */
static int make_room(pb_indset *s, pb_measure *m)
{
    if (m->ntarget < m->tgt_cap)
        return 1;
    if (m->tgt_cap && m->tgt_at + m->tgt_cap == s->ntcell) { /* last: grow in place */
        if (!reserve(s, 1))
            return 0;
        s->ntcell++;
        m->tgt_cap++;
        return 1;
    }
    if (!m->tgt_cap) { /* a new run at the end */
        if (!reserve(s, 1))
            return 0;
        m->tgt_at = s->ntcell++;
        m->tgt_cap = 1;
        return 1;
    }
    uint32_t cap = m->tgt_cap * 2;
    if (cap < m->tgt_cap || !reserve(s, cap))
        return 0;
    if (m->ntarget)
        memcpy(s->tcells + s->ntcell, s->tcells + m->tgt_at, m->ntarget * sizeof(pb_tcell));
    s->tdead += m->tgt_cap;
    m->tgt_at = s->ntcell;
    m->tgt_cap = cap;
    s->ntcell += cap;
    return 1;
}

int pb_ind_target_word(pb_indset *s, size_t i, uint32_t k, uint64_t w)
{
    pb_measure *m = &s->m[i];
    uint32_t n = m->ntarget, j = n;
    pb_tcell *run = n ? s->tcells + m->tgt_at : NULL;
    if (n && run[n - 1].k >= k) /* not after the last: find its place */
        for (j = 0; run[j].k < k; j++)
            ;
    if (j < n && run[j].k == k) {
        if (w != PB_FIG_BLANK) {
            run[j].word = w;
            return 1;
        }
        if (j + 1 < n)
            memmove(run + j, run + j + 1, (n - j - 1) * sizeof *run);
        m->ntarget--;
        return 1;
    }
    if (w == PB_FIG_BLANK)
        return 1;
    if (!make_room(s, m))
        return 0;
    run = s->tcells + m->tgt_at;
    if (j < n)
        memmove(run + j + 1, run + j, (n - j) * sizeof *run);
    run[j].word = w;
    run[j].k = k;
    run[j].reserved = 0;
    m->ntarget++;
    /* repacking moves only whole runs: run[] is done with */
    if (s->tdead > 64 && s->tdead > s->ntcell - s->tdead)
        (void)repack(s); /* a failure leaves the dead runs, still valid */
    return 1;
}

void pb_ind_targets_drop(pb_indset *s, size_t i, size_t end)
{
    for (size_t j = i; j < end; j++)
        s->tdead += s->m[j].tgt_cap;
}
