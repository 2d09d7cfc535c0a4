/* pb_indicator.c - indicator sets: their periods, comparators, footnotes,
 * measures, series of figures, thresholds and milestones.  Figures as
 * printed are pb_obs.c's, the status engine pb_rag.c's. */
#include "pb_fields.h"
#include "pb_indicator_private.h"
#include "pb_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ieq pb_ieq

/* ============================================================ names */

static const char *const unit_names[PB_UNIT_COUNT_] = {
    "number", "percent", "rate", "count", "days", "money", "text"};
static const char *const polarity_names[3] = {"none", "high", "low"};
static const char *const role_names[4] = {"measure", "numerator", "denominator", "count"};
static const char *const arrow_names[PB_ARROW_COUNT] = {
    "none", "up", "down", "same", "not available", "not applicable"};

#define lookup pb_lookup_name

const char *pb_unit_name(pb_unit u)
{
    return (unsigned)u < PB_UNIT_COUNT_ ? unit_names[u] : "?";
}
int pb_unit_from_name(const char *s, size_t n) { return lookup(unit_names, PB_UNIT_COUNT_, s, n); }
const char *pb_polarity_name(pb_polarity p)
{
    return (unsigned)p < 3 ? polarity_names[p] : "?";
}
int pb_polarity_from_name(const char *s, size_t n)
{
    int k = lookup(polarity_names, 3, s, n);
    if (k < 0 && (ieq("higher", s, n) || ieq("high is good", s, n)))
        k = PB_POLARITY_HIGH;
    if (k < 0 && (ieq("lower", s, n) || ieq("low is good", s, n)))
        k = PB_POLARITY_LOW;
    return k;
}
const char *pb_ind_role_name(pb_ind_role r) { return (unsigned)r < 4 ? role_names[r] : "?"; }
int pb_ind_role_from_name(const char *s, size_t n) { return lookup(role_names, 4, s, n); }
const char *pb_arrow_name(pb_arrow a)
{
    return (unsigned)a < PB_ARROW_COUNT ? arrow_names[a] : "?";
}
int pb_arrow_from_name(const char *s, size_t n)
{
    int k = lookup(arrow_names, PB_ARROW_COUNT, s, n);
    if (k >= 0)
        return k;
    if ((n == 3 && !memcmp(s, "\xe2\x86\x91", 3)) || ieq("better", s, n))
        return PB_ARROW_UP; /* ↑ */
    if ((n == 3 && !memcmp(s, "\xe2\x86\x93", 3)) || ieq("worse", s, n))
        return PB_ARROW_DOWN; /* ↓ */
    if ((n == 3 && !memcmp(s, "\xe2\x86\x92", 3)))
        return PB_ARROW_SAME; /* → */
    if (ieq("n/a", s, n))
        return PB_ARROW_NOT_APPLICABLE;
    return -1;
}

/* ============================================================ sets */

static const pb_obs blank_obs;

#define dup pb_plan_dup

static int text_ok(const char *s, size_t n, pb_error *err)
{
    if (s && memchr(s, '\0', n)) {
        pb_error_set(err, PB_ERR_INVALID, "text must not contain NUL characters");
        return 0;
    }
    return 1;
}

/* The ref of a measure (not of a companion series: its ref is not its own) */
static const char *ref_key(const void *ctx, uint32_t i)
{
    const pb_indset *s = ctx;
    return s->m[i].parent == PB_NONE ? s->m[i].text[PB_IND_REF] : NULL;
}

/* ======================================================== a kind of part */

static int indset_init(void *obj)
{
    pb_indset *s = obj;
    s->latest = PB_NONE;
    s->nseries = 2;
    s->series = calloc(2, sizeof(pb_obs *));
    return s->series != NULL;
}

static void indset_clear(void *obj)
{
    pb_indset *s = obj;
    for (uint32_t i = 0; i < s->n; i++)
        free(s->m[i].miles);
    free(s->m);
    free(s->periods);
    free(s->comps);
    free(s->foot);
    if (s->series)
        for (uint32_t k = 0; k < s->nseries; k++)
            free(s->series[k]);
    free(s->series);
    free(s->fig);
    free(s->tcells);
    free(s->printed);
    free(s->strings);
    pb_index_free(&s->refs);
}

static size_t indset_memory(const void *obj)
{
    const pb_indset *s = obj;
    size_t m = s->cap * sizeof(pb_measure) + s->capper * sizeof(pb_period) +
               s->capstr * sizeof(char *) + s->refs.cap * sizeof(uint32_t);
    for (uint32_t k = 0; k < s->nseries; k++)
        if (s->series[k])
            m += (size_t)s->cap * s->nper * (sizeof(pb_obs) + (k == 0 ? sizeof(uint64_t) : 0));
    m += (size_t)s->captcell * sizeof(pb_tcell);
    if (s->printed)
        m += (size_t)s->cap * s->nseries;
    for (uint32_t j = 0; j < s->n; j++)
        m += s->m[j].capmile * sizeof(pb_milestone);
    return m;
}

static const pb_part_ops indset_ops = {"indicator set", sizeof(pb_indset), indset_init,
                                       indset_clear, indset_memory};

PB_PART_FUNCTIONS(pb_indset, indset, PB_PART_INDICATORS, indset_ops)

void pb_plan_rag_tolerance(const pb_plan *plan, int *percent, int64_t *value)
{
    *percent = plan->rag_percent;
    *value = plan->rag_tolerance;
}

pb_status pb_plan_set_rag_tolerance(pb_plan *plan, int percent, int64_t value, pb_error *err)
{
    if (value < 0)
        return pb_error_set(err, PB_ERR_RANGE, "a tolerance cannot be negative");
    if (percent && value > 100 * INT64_C(1000000))
        return pb_error_set(err, PB_ERR_RANGE, "a percentage tolerance is at most 100%%");
    plan->rag_percent = percent ? 1 : 0;
    plan->rag_tolerance = value;
    pb_plan_touch(plan);
    return PB_OK;
}

pb_plan *pb_indset_plan(const pb_indset *s) { return s->head.plan; }

/* The set's fields, described once for every format (pb_fields.h), in the
 * order of pb_indset_field. */
static const pb_field_desc indset_fields[PB_INDSET_FIELD_COUNT] = {
    {"title", "Title", PB_INDSET_TITLE, PB_FIELD_TITLE},
    {"framework", "Framework", PB_INDSET_FRAMEWORK, 0},
    {"reporting", "Reporting", PB_INDSET_REPORTING, 0},
    {"as_of", "As of", PB_INDSET_AS_OF, 0},
    {"note", "Note", PB_INDSET_NOTE, 0},
    {"basis", "Basis", PB_INDSET_BASIS, 0}};

PB_FIELDS_GETTER(pb_indset_fields, indset_fields)

const char *pb_indset_text(const pb_indset *s, pb_indset_field f)
{
    return pb_text_field(s->text, PB_INDSET_FIELD_COUNT, (unsigned)f);
}

pb_status pb_indset_set_text(pb_indset *s, pb_indset_field f, const char *value, size_t len,
                             pb_error *err)
{
    if (!text_ok(value, len, err))
        return PB_ERR_INVALID;
    return pb_plan_set_text_field(s->head.plan, s->text, PB_INDSET_FIELD_COUNT, (unsigned)f,
                                  "indicator set field", value, len, err);
}

pb_direction_rule pb_indset_direction(const pb_indset *s) { return (pb_direction_rule)s->direction; }
void pb_indset_set_direction(pb_indset *s, pb_direction_rule rule)
{
    s->direction = (uint8_t)(rule <= PB_DIR_OUTTURN ? rule : PB_DIR_PREVIOUS);
    pb_plan_touch(s->head.plan);
}
int pb_indset_cumulative(const pb_indset *s) { return s->cumulative; }
void pb_indset_set_cumulative(pb_indset *s, int c)
{
    s->cumulative = c ? 1 : 0;
    pb_plan_touch(s->head.plan);
}
const char *pb_indset_string(const pb_indset *s, uint32_t h)
{
    return h && h <= s->nstr ? s->strings[h - 1] : "";
}

static uint32_t add_string(pb_indset *s, const char *t, size_t n, pb_error *err)
{
    if (!n)
        return 0;
    if (!text_ok(t, n, err))
        return UINT32_MAX;
    if (s->nstr >= UINT32_MAX - 2 ||
        !pb_grow((void **)&s->strings, &s->capstr, s->nstr + 1, sizeof(char *))) {
        pb_error_set(err, PB_ERR_NOMEM, NULL);
        return UINT32_MAX;
    }
    const char *c = dup(s->head.plan, t, n, err);
    if (!c)
        return UINT32_MAX;
    s->strings[s->nstr++] = c;
    return s->nstr;
}

uint64_t pb_indset_layout(const pb_indset *s) { return s->layout; }

size_t pb_indset_period_count(const pb_indset *s) { return s->nper; }

pb_period pb_indset_period(const pb_indset *s, size_t k)
{
    pb_period none = {0, 0, 0};
    return k < s->nper ? s->periods[k] : none;
}

static int period_eq(pb_period a, pb_period b)
{
    return a.year == b.year && a.kind == b.kind && a.index == b.index;
}

int64_t pb_indset_find_period(const pb_indset *s, pb_period p)
{
    for (uint32_t k = 0; k < s->nper; k++)
        if (period_eq(s->periods[k], p))
            return k;
    return -1;
}

/* Re-lay every series for a new number of periods (cells keep their
 * period). */
static int relayout(pb_indset *s, uint32_t nper)
{
    for (uint32_t k = 0; k < s->nseries; k++) {
        pb_obs *old = s->series[k];
        if (!old)
            continue;
        pb_obs *nw = s->cap ? calloc((size_t)s->cap * nper, sizeof(pb_obs)) : NULL;
        if (s->cap && !nw)
            return 0;
        uint32_t keep = nper < s->nper ? nper : s->nper;
        for (uint32_t i = 0; i < s->n; i++)
            memcpy(nw + (size_t)i * nper, old + (size_t)i * s->nper, keep * sizeof(pb_obs));
        free(old);
        s->series[k] = nw;
    }
    if (s->fig) { /* the sparse targets keep their periods */
        uint64_t *old = s->fig;
        uint64_t *nw = s->cap ? calloc((size_t)s->cap * nper, sizeof *nw) : NULL;
        if (s->cap && !nw)
            return 0;
        uint32_t keep = nper < s->nper ? nper : s->nper;
        for (uint32_t i = 0; i < s->n; i++)
            memcpy(nw + (size_t)i * nper, old + (size_t)i * s->nper, keep * sizeof *nw);
        free(old);
        s->fig = nw;
    }
    return 1;
}

int64_t pb_indset_add_period(pb_indset *s, pb_period p, pb_error *err)
{
    if (p.kind == PB_PERIOD_NONE) {
        pb_error_set(err, PB_ERR_INVALID, "not a period");
        return -1;
    }
    if (pb_indset_find_period(s, p) >= 0) {
        char b[PB_PERIOD_TEXT_MAX];
        pb_period_format(p, s->head.plan->year_start, b);
        pb_error_set(err, PB_ERR_DUPLICATE, "the period %s is already in the set", b);
        return -1;
    }
    if (s->nper >= PB_INDSET_MAX_PERIODS) {
        pb_error_set(err, PB_ERR_LIMIT, "a set holds at most %d periods", PB_INDSET_MAX_PERIODS);
        return -1;
    }
    if (!pb_grow((void **)&s->periods, &s->capper, s->nper + 1, sizeof(pb_period)) ||
        !relayout(s, s->nper + 1)) {
        pb_error_set(err, PB_ERR_NOMEM, NULL);
        return -1;
    }
    s->periods[s->nper] = p;
    s->layout++;
    pb_plan_touch(s->head.plan);
    return s->nper++;
}

uint32_t pb_indset_latest(const pb_indset *s) { return s->latest; }

pb_status pb_indset_set_latest(pb_indset *s, uint32_t k, pb_error *err)
{
    if (k != PB_NONE && k >= s->nper)
        return pb_error_set(err, PB_ERR_RANGE, "no period %u in the set", k);
    s->latest = k;
    pb_plan_touch(s->head.plan);
    return PB_OK;
}

uint32_t pb_indset_report_period(const pb_indset *s)
{
    if (s->latest != PB_NONE)
        return s->latest;
    const pb_obs *v = s->series[PB_SERIES_VALUE];
    uint32_t best = PB_NONE;
    int32_t best_m = INT32_MIN;
    if (!v)
        return PB_NONE;
    int ys = s->head.plan->year_start;
    for (uint32_t k = 0; k < s->nper; k++) {
        int32_t fm = pb_period_first_month(s->periods[k], ys);
        /* later start wins; at the same start the shorter period (Q1
         * over its year) */
        if (best != PB_NONE && (fm < best_m || (fm == best_m && s->periods[k].kind <=
                                                                   s->periods[best].kind)))
            continue;
        for (uint32_t i = 0; i < s->n; i++)
            if (pb_obs_has_value((pb_obs_status)v[(size_t)i * s->nper + k].status)) {
                best = k;
                best_m = fm;
                break;
            }
    }
    return best;
}

size_t pb_indset_comparator_count(const pb_indset *s) { return s->ncomp; }
const char *pb_indset_comparator_id(const pb_indset *s, size_t k)
{
    return k < s->ncomp ? s->comps[k].id : NULL;
}
const char *pb_indset_comparator_name(const pb_indset *s, size_t k)
{
    return k < s->ncomp ? s->comps[k].name : NULL;
}

int64_t pb_indset_find_comparator(const pb_indset *s, const char *id, size_t len)
{
    for (uint32_t k = 0; k < s->ncomp; k++)
        if (strlen(s->comps[k].id) == len && !memcmp(s->comps[k].id, id, len))
            return k;
    return -1;
}

int64_t pb_indset_add_comparator(pb_indset *s, const char *id, size_t idlen, const char *name,
                                 size_t namelen, pb_error *err)
{
    if (s->n) {
        pb_error_set(err, PB_ERR_INVALID, "comparators are added before the measures");
        return -1;
    }
    if (!pb_id_valid(id, idlen) || !strncmp(id, "last", idlen) || !strncmp(id, "target", idlen)) {
        pb_error_set(err, PB_ERR_INVALID,
                     "'%.*s' is not a valid comparator id (an id other than last and target)",
                     (int)(idlen > 60 ? 60 : idlen), id ? id : "");
        return -1;
    }
    if (pb_indset_find_comparator(s, id, idlen) >= 0) {
        pb_error_set(err, PB_ERR_DUPLICATE, "duplicate comparator id '%.*s'", (int)idlen, id);
        return -1;
    }
    if (s->ncomp >= PB_INDSET_MAX_COMPARATORS) {
        pb_error_set(err, PB_ERR_LIMIT, "a set has at most %d comparators",
                     PB_INDSET_MAX_COMPARATORS);
        return -1;
    }
    if (!text_ok(name, namelen, err))
        return -1;
    pb_obs **ns = realloc(s->series, (s->nseries + 1) * sizeof(pb_obs *));
    if (!ns) {
        pb_error_set(err, PB_ERR_NOMEM, NULL);
        return -1;
    }
    s->series = ns;
    s->series[s->nseries] = NULL;
    if (!pb_grow((void **)&s->comps, &s->capcomp, s->ncomp + 1, sizeof *s->comps)) {
        pb_error_set(err, PB_ERR_NOMEM, NULL);
        return -1;
    }
    const char *i = dup(s->head.plan, id, idlen, err);
    const char *nm = i ? dup(s->head.plan, name ? name : id, name ? namelen : idlen, err) : NULL;
    if (!nm)
        return -1;
    s->comps[s->ncomp].id = i;
    s->comps[s->ncomp].name = nm;
    s->nseries++;
    s->layout++;
    pb_plan_touch(s->head.plan);
    return s->ncomp++;
}

size_t pb_indset_footnote_count(const pb_indset *s) { return s->nfoot; }
const char *pb_indset_footnote_mark(const pb_indset *s, size_t k)
{
    return k < s->nfoot ? s->foot[k].mark : NULL;
}
const char *pb_indset_footnote_text(const pb_indset *s, size_t k)
{
    return k < s->nfoot ? s->foot[k].text : NULL;
}

pb_status pb_indset_add_footnote(pb_indset *s, const char *mark, size_t mlen, const char *text,
                                 size_t tlen, pb_error *err)
{
    if (!mlen)
        return pb_error_set(err, PB_ERR_INVALID, "a footnote needs a mark");
    for (uint32_t k = 0; k < s->nfoot; k++)
        if (strlen(s->foot[k].mark) == mlen && !memcmp(s->foot[k].mark, mark, mlen))
            return pb_error_set(err, PB_ERR_DUPLICATE, "duplicate footnote '%.*s'", (int)mlen,
                                mark);
    if (!text_ok(mark, mlen, err) || !text_ok(text, tlen, err))
        return PB_ERR_INVALID;
    if (!pb_grow((void **)&s->foot, &s->capfoot, s->nfoot + 1, sizeof *s->foot))
        return pb_error_set(err, PB_ERR_NOMEM, NULL);
    const char *m = dup(s->head.plan, mark, mlen, err);
    const char *t = m ? dup(s->head.plan, text ? text : "", text ? tlen : 0, err) : NULL;
    if (!t)
        return PB_ERR_NOMEM;
    s->foot[s->nfoot].mark = m;
    s->foot[s->nfoot].text = t;
    s->nfoot++;
    pb_plan_touch(s->head.plan);
    return PB_OK;
}

/* ========================================================= measures */

size_t pb_indset_count(const pb_indset *s) { return s->n; }

int64_t pb_indset_find(const pb_indset *s, const char *ref, size_t len)
{
    return pb_index_get(&s->refs, ref, len, ref_key, s);
}

/* Grow measure storage (and the series and printed arrays) to hold n+1. */
static int grow_measures(pb_indset *s)
{
    if (s->n < s->cap)
        return 1;
    uint32_t oldcap = s->cap;
    if (!pb_grow((void **)&s->m, &s->cap, s->n + 1, sizeof(pb_measure)))
        return 0;
    for (uint32_t k = 0; k < s->nseries; k++) {
        if (!s->series[k])
            continue;
        pb_obs *nw = realloc(s->series[k], (size_t)s->cap * s->nper * sizeof(pb_obs));
        if (!nw && s->nper) {
            s->cap = oldcap;
            return 0;
        }
        if (nw) {
            memset(nw + (size_t)oldcap * s->nper, 0,
                   (size_t)(s->cap - oldcap) * s->nper * sizeof(pb_obs));
            s->series[k] = nw;
        }
    }
    if (s->fig) {
        uint64_t *nw = realloc(s->fig, (size_t)s->cap * s->nper * sizeof *nw);
        if (!nw && s->nper) {
            s->cap = oldcap;
            return 0;
        }
        if (nw) {
            memset(nw + (size_t)oldcap * s->nper, 0,
                   (size_t)(s->cap - oldcap) * s->nper * sizeof *nw);
            s->fig = nw;
        }
    }
    if (s->printed) {
        uint8_t *np = realloc(s->printed, (size_t)s->cap * s->nseries);
        if (!np) {
            s->cap = oldcap;
            return 0;
        }
        memset(np + (size_t)oldcap * s->nseries, 0, (size_t)(s->cap - oldcap) * s->nseries);
        s->printed = np;
    }
    return 1;
}

int64_t pb_indset_add(pb_indset *s, uint32_t parent, const char *ref, size_t len, pb_error *err)
{
    if (parent != PB_NONE) {
        uint32_t last = PB_NONE;
        for (uint32_t i = s->n; i-- > 0;)
            if (s->m[i].parent == PB_NONE) {
                last = i;
                break;
            }
        if (parent != last) {
            pb_error_set(err, PB_ERR_INVALID,
                         "a companion series follows its measure (the last one added)");
            return -1;
        }
    } else {
        if (!ref || !len) {
            pb_error_set(err, PB_ERR_INVALID, "a measure needs a ref");
            return -1;
        }
        if (pb_index_unique(&s->refs, ref_key, s, ref, len, PB_NONE, "measure ref", err))
            return -1;
    }
    if (!text_ok(ref, len, err))
        return -1;
    if (s->n >= UINT32_MAX - 2 || !grow_measures(s)) {
        pb_error_set(err, PB_ERR_NOMEM, NULL);
        return -1;
    }
    pb_measure *m = &s->m[s->n];
    memset(m, 0, sizeof *m);
    m->parent = parent;
    m->cumulative = -1;
    m->decimals = -1;
    m->role = parent == PB_NONE ? PB_IND_MEASURE : PB_IND_COUNT_ROW;
    if (ref && len && !(m->text[PB_IND_REF] = dup(s->head.plan, ref, len, err)))
        return -1;
    if (parent == PB_NONE && !pb_index_put(&s->refs, s->n, ref_key, s)) {
        pb_error_set(err, PB_ERR_NOMEM, NULL);
        return -1;
    }
    s->layout++;
    pb_plan_touch(s->head.plan);
    return s->n++;
}

pb_status pb_indset_remove(pb_indset *s, size_t i, pb_error *err)
{
    if (i >= s->n)
        return pb_error_set(err, PB_ERR_RANGE, "no measure %zu", i);
    size_t end = i + 1;
    if (s->m[i].parent == PB_NONE)
        while (end < s->n && s->m[end].parent != PB_NONE)
            end++;
    size_t cnt = end - i;
    for (size_t j = i; j < end; j++)
        free(s->m[j].miles);
    pb_ind_targets_drop(s, i, end);
    memmove(s->m + i, s->m + end, (s->n - end) * sizeof(pb_measure));
    for (uint32_t k = 0; k < s->nseries; k++)
        if (s->series[k])
            memmove(s->series[k] + i * s->nper, s->series[k] + end * s->nper,
                    (s->n - end) * s->nper * sizeof(pb_obs));
    if (s->fig)
        memmove(s->fig + i * s->nper, s->fig + end * s->nper,
                (s->n - end) * s->nper * sizeof *s->fig);
    if (s->printed)
        memmove(s->printed + i * s->nseries, s->printed + end * s->nseries,
                (s->n - end) * s->nseries);
    s->n -= (uint32_t)cnt;
    for (uint32_t j = (uint32_t)i; j < s->n; j++)
        if (s->m[j].parent != PB_NONE)
            s->m[j].parent -= (uint32_t)cnt;
    /* clear the freed tail */
    for (uint32_t k = 0; k < s->nseries; k++)
        if (s->series[k])
            memset(s->series[k] + (size_t)s->n * s->nper, 0, cnt * s->nper * sizeof(pb_obs));
    if (s->fig)
        memset(s->fig + (size_t)s->n * s->nper, 0, cnt * s->nper * sizeof *s->fig);
    if (s->printed)
        memset(s->printed + (size_t)s->n * s->nseries, 0, cnt * s->nseries);
    s->layout++;
    pb_plan_touch(s->head.plan);
    if (!pb_index_rebuild(&s->refs, s->n, ref_key, s))
        return pb_error_set(err, PB_ERR_NOMEM, NULL);
    return PB_OK;
}

#define M(i) (&s->m[i])

uint32_t pb_ind_parent(const pb_indset *s, size_t i) { return i < s->n ? M(i)->parent : PB_NONE; }

const char *pb_ind_text(const pb_indset *s, size_t i, pb_ind_field f)
{
    return i < s->n && (unsigned)f < PB_IND_FIELD_COUNT ? M(i)->text[f] : NULL;
}

pb_status pb_ind_set_text(pb_indset *s, size_t i, pb_ind_field f, const char *value, size_t len,
                          pb_error *err)
{
    if (i >= s->n || (unsigned)f >= PB_IND_FIELD_COUNT)
        return pb_error_set(err, PB_ERR_RANGE, "no such measure or field");
    if (!text_ok(value, len, err))
        return PB_ERR_INVALID;
    if (f == PB_IND_REF) {
        if (M(i)->parent == PB_NONE) {
            if (!value || !len)
                return pb_error_set(err, PB_ERR_INVALID, "a measure needs a ref");
            if (pb_index_unique(&s->refs, ref_key, s, value, len, i, "measure ref", err))
                return PB_ERR_DUPLICATE;
        }
    }
    return pb_plan_set_key(s->head.plan, &M(i)->text[f], value, len,
                           f == PB_IND_REF ? &s->refs : NULL, s->n, ref_key, s, err);
}

pb_unit pb_ind_unit(const pb_indset *s, size_t i) { return i < s->n ? (pb_unit)M(i)->unit : 0; }
void pb_ind_set_unit(pb_indset *s, size_t i, pb_unit u)
{
    if (i < s->n && (unsigned)u < PB_UNIT_COUNT_) {
        M(i)->unit = (uint8_t)u;
        pb_plan_touch(s->head.plan);
    }
}
int64_t pb_ind_per(const pb_indset *s, size_t i) { return i < s->n ? M(i)->per : 0; }
pb_status pb_ind_set_per(pb_indset *s, size_t i, int64_t per, pb_error *err)
{
    if (i >= s->n)
        return pb_error_set(err, PB_ERR_RANGE, "no measure %zu", i);
    if (per < 0 || per > INT64_C(1000000000000))
        return pb_error_set(err, PB_ERR_RANGE, "a rate is per 1 to 10^12");
    M(i)->per = per;
    pb_plan_touch(s->head.plan);
    return PB_OK;
}
int pb_ind_decimals(const pb_indset *s, size_t i) { return i < s->n ? M(i)->decimals : -1; }
pb_status pb_ind_set_decimals(pb_indset *s, size_t i, int d, pb_error *err)
{
    if (i >= s->n)
        return pb_error_set(err, PB_ERR_RANGE, "no measure %zu", i);
    if (d < -1 || d > PB_OBS_SCALE)
        return pb_error_set(err, PB_ERR_RANGE, "decimals are 0 to %d", PB_OBS_SCALE);
    M(i)->decimals = (int8_t)d;
    pb_plan_touch(s->head.plan);
    return PB_OK;
}
pb_polarity pb_ind_polarity(const pb_indset *s, size_t i)
{
    return i < s->n ? (pb_polarity)M(i)->polarity : PB_POLARITY_NONE;
}
void pb_ind_set_polarity(pb_indset *s, size_t i, pb_polarity p)
{
    if (i < s->n && (unsigned)p <= PB_POLARITY_LOW) {
        M(i)->polarity = (uint8_t)p;
        pb_plan_touch(s->head.plan);
    }
}
pb_ind_role pb_ind_role_of(const pb_indset *s, size_t i)
{
    return i < s->n ? (pb_ind_role)M(i)->role : PB_IND_MEASURE;
}
void pb_ind_set_role(pb_indset *s, size_t i, pb_ind_role r)
{
    if (i < s->n && (unsigned)r <= PB_IND_COUNT_ROW && (M(i)->parent != PB_NONE) == (r != PB_IND_MEASURE)) {
        M(i)->role = (uint8_t)r;
        pb_plan_touch(s->head.plan);
    }
}
int pb_ind_cumulative_setting(const pb_indset *s, size_t i) { return i < s->n ? M(i)->cumulative : -1; }
void pb_ind_set_cumulative(pb_indset *s, size_t i, int c)
{
    if (i < s->n) {
        M(i)->cumulative = (int8_t)(c < 0 ? -1 : c ? 1 : 0);
        pb_plan_touch(s->head.plan);
    }
}
int pb_ind_cumulative(const pb_indset *s, size_t i)
{
    if (i >= s->n)
        return 0;
    return M(i)->cumulative >= 0 ? M(i)->cumulative : s->cumulative;
}
void pb_ind_source(const pb_indset *s, size_t i, uint32_t *line, uint32_t *column)
{
    *line = i < s->n ? M(i)->line : 0;
    *column = i < s->n ? M(i)->column : 0;
}
void pb_ind_set_source(pb_indset *s, size_t i, uint32_t line, uint32_t column)
{
    if (i < s->n) {
        M(i)->line = line;
        M(i)->column = column;
    }
}

const pb_obs *pb_ind_cell(const pb_indset *s, uint32_t series, size_t i, size_t k)
{
    if (series >= s->nseries || i >= s->n || k >= s->nper || !s->series[series])
        return &blank_obs;
    return &s->series[series][i * s->nper + k];
}

static pb_status check_cell(const pb_indset *s, size_t i, const pb_obs *c, pb_error *err)
{
    if ((unsigned)c->status >= PB_OBS_STATUS_COUNT)
        return pb_error_set(err, PB_ERR_INVALID, "unknown status");
    if (pb_obs_has_value((pb_obs_status)c->status)) {
        if (c->value > PB_OBS_MAX || c->value < -PB_OBS_MAX)
            return pb_error_set(err, PB_ERR_OVERFLOW, "a figure is too large");
        if (c->decimals < 0 || c->decimals > PB_OBS_SCALE)
            return pb_error_set(err, PB_ERR_RANGE, "decimals are 0 to %d", PB_OBS_SCALE);
        int64_t unit = 1;
        for (int k = c->decimals; k < PB_OBS_SCALE; k++)
            unit *= 10;
        if (c->value % unit)
            return pb_error_set(err, PB_ERR_PRECISION, "a figure has more decimals than it says");
        if ((c->flags & PB_OBS_PERCENT) && M(i)->unit != PB_UNIT_PERCENT)
            return pb_error_set(err, PB_ERR_INVALID,
                                "a %% sign is only for measures with unit: percent");
    }
    return PB_OK;
}

pb_status pb_ind_set_cell(pb_indset *s, uint32_t series, size_t i, size_t k, const pb_obs *cell,
                          const char *note, size_t note_len, pb_error *err)
{
    if (series >= s->nseries || i >= s->n || k >= s->nper)
        return pb_error_set(err, PB_ERR_RANGE, "no such cell");
    pb_status st = check_cell(s, i, cell, err);
    if (st)
        return st;
    if (cell->status == PB_OBS_TEXT && !note_len)
        return pb_error_set(err, PB_ERR_INVALID, "a text cell needs its text (the note)");
    if (!s->series[series]) {
        if (cell->status == PB_OBS_BLANK && !note_len)
            return PB_OK;
        const int words = series == PB_SERIES_VALUE;
        if (words && !(s->fig = calloc((size_t)s->cap * s->nper, sizeof(uint64_t))))
            return pb_error_set(err, PB_ERR_NOMEM, NULL);
        s->series[series] = calloc((size_t)s->cap * s->nper, sizeof(pb_obs));
        if (!s->series[series]) {
            if (words) {
                free(s->fig);
                s->fig = NULL;
            }
            return pb_error_set(err, PB_ERR_NOMEM, NULL);
        }
    }
    uint32_t h = add_string(s, note, note_len, err);
    if (h == UINT32_MAX)
        return err ? err->status : PB_ERR_NOMEM;
    pb_obs c = *cell;
    c.note = h;
    c.reserved = 0;
    if (!pb_obs_has_value((pb_obs_status)c.status)) {
        c.value = 0;
        c.decimals = 0;
        c.flags = 0;
    }
    if (series == PB_SERIES_VALUE)
        s->fig[i * s->nper + k] = pb_fig_of(&c);
    else if (series == PB_SERIES_TARGET && !pb_ind_target_word(s, i, (uint32_t)k, pb_fig_of(&c)))
        return pb_error_set(err, PB_ERR_NOMEM, NULL);
    s->series[series][i * s->nper + k] = c;
    pb_plan_touch(s->head.plan);
    return PB_OK;
}

pb_status pb_ind_set_cell_text(pb_indset *s, uint32_t series, size_t i, size_t k,
                               const char *text, size_t n, pb_error *err)
{
    pb_obs o;
    size_t off, len;
    pb_status st = pb_obs_parse(text, n, &o, &off, &len, err);
    if (st)
        return st;
    return pb_ind_set_cell(s, series, i, k, &o, text + off, len, err);
}

int pb_ind_threshold_state(const pb_indset *s, size_t i) { return i < s->n ? M(i)->thr_state : 0; }

const pb_obs *pb_ind_threshold(const pb_indset *s, size_t i, pb_level level)
{
    if (i >= s->n || (unsigned)level > PB_LEVEL_ACTION)
        return &blank_obs;
    return &M(i)->thr[level];
}

pb_status pb_ind_set_threshold(pb_indset *s, size_t i, pb_level level, const char *text, size_t n,
                               pb_error *err)
{
    if (i >= s->n || (unsigned)level > PB_LEVEL_ACTION)
        return pb_error_set(err, PB_ERR_RANGE, "no such measure or threshold");
    pb_obs o;
    size_t off, len;
    pb_status st = pb_obs_parse(text, n, &o, &off, &len, err);
    if (st)
        return st;
    if (len)
        return pb_error_set(err, PB_ERR_INVALID, "a threshold has no note");
    if (o.status != PB_OBS_NORMAL && o.status != PB_OBS_BLANK)
        return pb_error_set(err, PB_ERR_INVALID,
                            "a threshold is a figure (or write thresholds: not available)");
    if ((st = check_cell(s, i, &o, err)))
        return st;
    M(i)->thr[level] = o;
    M(i)->thr_state = 1;
    pb_plan_touch(s->head.plan);
    return PB_OK;
}

void pb_ind_set_threshold_state(pb_indset *s, size_t i, int state)
{
    if (i >= s->n || state < 0 || state > 2)
        return;
    M(i)->thr_state = (uint8_t)state;
    if (state != 1)
        memset(M(i)->thr, 0, sizeof M(i)->thr);
    pb_plan_touch(s->head.plan);
}

size_t pb_ind_milestone_count(const pb_indset *s, size_t i) { return i < s->n ? M(i)->nmile : 0; }
int32_t pb_ind_milestone_due(const pb_indset *s, size_t i, size_t k)
{
    return i < s->n && k < M(i)->nmile ? M(i)->miles[k].due : 0;
}
const char *pb_ind_milestone_text(const pb_indset *s, size_t i, size_t k)
{
    return i < s->n && k < M(i)->nmile ? M(i)->miles[k].text : NULL;
}
const pb_obs *pb_ind_milestone_target(const pb_indset *s, size_t i, size_t k)
{
    return i < s->n && k < M(i)->nmile ? &M(i)->miles[k].target : &blank_obs;
}

pb_status pb_ind_add_milestone_cell(pb_indset *s, size_t i, const char *due, size_t duelen,
                                    const pb_obs *target, const char *note, size_t note_len,
                                    pb_error *err)
{
    if (i >= s->n)
        return pb_error_set(err, PB_ERR_RANGE, "no measure %zu", i);
    int32_t date;
    pb_status st = pb_date_parse(due, duelen, &date, err);
    if (st)
        return st;
    pb_obs o = *target;
    if ((st = check_cell(s, i, &o, err)))
        return st;
    if (o.status == PB_OBS_TEXT && !note_len)
        return pb_error_set(err, PB_ERR_INVALID, "a text target needs its text (the note)");
    pb_measure *m = M(i);
    if (m->nmile && m->miles[m->nmile - 1].due > date)
        return pb_error_set(err, PB_ERR_INVALID, "milestones are in date order");
    if (!pb_grow((void **)&m->miles, &m->capmile, m->nmile + 1, sizeof(pb_milestone)))
        return pb_error_set(err, PB_ERR_NOMEM, NULL);
    const char *t = dup(s->head.plan, due, duelen, err);
    if (!t)
        return PB_ERR_NOMEM;
    uint32_t h = add_string(s, note, note_len, err);
    if (h == UINT32_MAX)
        return err ? err->status : PB_ERR_NOMEM;
    o.note = h;
    o.reserved = 0;
    if (!pb_obs_has_value((pb_obs_status)o.status))
        o.value = 0, o.decimals = 0, o.flags = 0;
    m->miles[m->nmile].due = date;
    m->miles[m->nmile].text = t;
    m->miles[m->nmile].target = o;
    m->nmile++;
    pb_plan_touch(s->head.plan);
    return PB_OK;
}

pb_status pb_ind_add_milestone(pb_indset *s, size_t i, const char *due, size_t duelen,
                               const char *target, size_t targetlen, pb_error *err)
{
    pb_obs o;
    size_t off, len;
    pb_status st = pb_obs_parse(target, targetlen, &o, &off, &len, err);
    if (st)
        return st;
    return pb_ind_add_milestone_cell(s, i, due, duelen, &o, target + off, len, err);
}

pb_arrow pb_ind_printed(const pb_indset *s, size_t i, uint32_t key)
{
    if (!s->printed || i >= s->n || key >= s->nseries)
        return PB_ARROW_NONE;
    return (pb_arrow)s->printed[i * s->nseries + key];
}

pb_status pb_ind_set_printed(pb_indset *s, size_t i, uint32_t key, pb_arrow arrow, pb_error *err)
{
    if (i >= s->n || key >= s->nseries || (unsigned)arrow >= PB_ARROW_COUNT)
        return pb_error_set(err, PB_ERR_RANGE, "no such measure or column");
    if (!s->printed) {
        if (arrow == PB_ARROW_NONE)
            return PB_OK;
        s->printed = calloc((size_t)s->cap * s->nseries, 1);
        if (!s->printed)
            return pb_error_set(err, PB_ERR_NOMEM, NULL);
    }
    s->printed[i * s->nseries + key] = (uint8_t)arrow;
    pb_plan_touch(s->head.plan);
    return PB_OK;
}
