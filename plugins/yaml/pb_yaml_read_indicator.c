/* pb_yaml_read_indicator.c - the indicator sets (indicators: {id: set}):
 * their periods, comparators and footnotes, and their measures with the
 * measures' cells, targets, milestones and companion series.
 */
#include "pb_yaml_private.h"

#include <stdlib.h>
#include <string.h>

/* ============================================================= cells */

/* A cell in its general form {value, status, note} as it is read. */
typedef struct cell {
    pb_obs o;
    int status;  /* pb_obs_status, or -1 when not given */
    char *note;  /* malloc'd, or NULL */
    size_t note_len;
} cell;

static int cell_value(pb_yr_reader *r, void *obj, const pb_yr_field *f, uint32_t seen)
{
    (void)f, (void)seen;
    cell *c = obj;
    pb_error *e = pb_yr_error(r);
    size_t off, len;
    if (A->pb_obs_parse(sval(r), slen(r), &c->o, &off, &len, e))
        return pb_yr_core_fail(r, e);
    if (!A->pb_obs_has_value((pb_obs_status)c->o.status) || len)
        return FAIL(PB_ERR_SCHEMA, "value is a figure alone; the note goes in note");
    return 1;
}

static int cell_status(pb_yr_reader *r, void *obj, const pb_yr_field *f, uint32_t seen)
{
    (void)f, (void)seen;
    cell *c = obj;
    c->status = A->pb_obs_status_from_name(sval(r), slen(r));
    if (c->status < 0)
        return FAIL(PB_ERR_SCHEMA,
                    "unknown status '%.*s' (expected normal, provisional, estimated, "
                    "not available, not applicable, not reported, tbc or text)",
                    CUT(r, 40), sval(r));
    return 1;
}

static int cell_note(pb_yr_reader *r, void *obj, const pb_yr_field *f, uint32_t seen)
{
    (void)f, (void)seen;
    cell *c = obj;
    if (!(c->note = pb_yr_copy(r)))
        return 0;
    c->note_len = slen(r);
    return 1;
}

/* A value and a status that go together. */
static int cell_check(pb_yr_reader *r, void *obj, uint32_t seen, uint32_t line, uint32_t col)
{
    cell *c = obj;
    int hasv = (seen & 1u) != 0;
    if (c->status < 0)
        c->status = hasv ? PB_OBS_NORMAL : -1;
    if (c->status < 0)
        return pb_yr_fail_at(r, PB_ERR_SCHEMA, line, col, "a cell without a value needs a status");
    if (A->pb_obs_has_value((pb_obs_status)c->status) != hasv)
        return pb_yr_fail_at(r, PB_ERR_SCHEMA, line, col,
                             hasv ? "status '%s' has no value" : "status '%s' needs a value",
                             A->pb_obs_status_name((pb_obs_status)c->status));
    c->o.status = (uint8_t)c->status;
    return 1;
}

static const pb_yr_field cell_fields[] = {
    {"value", cell_value, 0, PB_YR_TEXT, NULL, NULL},
    {"status", cell_status, 0, PB_YR_TEXT, NULL, NULL},
    {"note", cell_note, 0, PB_YR_TEXT, NULL, NULL},
};
static const pb_yr_map cell_map = {"a cell", cell_fields, PB_YR_COUNT(cell_fields),
                                   PB_YR_NO_PATH, NULL, cell_check, NULL};

/* A cell {value, status, note} (the current event its MAPPING_START)
 * into c; the caller frees c->note, read or not. */
static int read_cell_map(pb_yr_reader *r, cell *c)
{
    memset(c, 0, sizeof *c);
    c->status = -1;
    return pb_yr_read_fields(r, &cell_map, c);
}

/* Where a measure's cell goes. */
typedef struct series {
    pb_indset *s;
    uint32_t series;
    size_t i;    /* the measure */
    size_t nper; /* the set's periods */
    size_t n;    /* cells read */
} series;

static int read_cell(pb_yr_reader *r, const series *w, size_t k)
{
    pb_error *e = pb_yr_error(r);
    if (r->ev.type == YAML_MAPPING_START_EVENT) {
        uint32_t line = LINE(r->ev), col = COL(r->ev);
        cell c;
        int ok = read_cell_map(r, &c);
        if (ok && A->pb_ind_set_cell(w->s, w->series, w->i, k, &c.o, c.note, c.note_len, e))
            ok = pb_yr_core_fail_at(r, e, line, col);
        free(c.note);
        return ok;
    }
    if (!pb_yr_text(r, "a figure, n/a, Not available, TBC, a blank, or {status: ..., note: ...}"))
        return 0;
    return pb_yr_core(r, A->pb_ind_set_cell_text(w->s, w->series, w->i, k, sval(r), slen(r), e),
                      e);
}

static int series_cell(pb_yr_reader *r, void *obj, size_t k)
{
    series *w = obj;
    if (k >= w->nper)
        return FAIL(PB_ERR_SCHEMA, "more cells than the set's %zu periods", w->nper);
    w->n = k + 1;
    return read_cell(r, w, k);
}

/* values: [one cell per period] */
static int read_series(pb_yr_reader *r, pb_indset *s, uint32_t which, size_t i)
{
    series w = {s, which, i, A->pb_indset_period_count(s), 0};
    uint32_t line = LINE(r->ev), col = COL(r->ev);
    if (!pb_yr_read_list(r, "a list with one cell per period", series_cell, &w))
        return 0;
    if (w.n != w.nper)
        return pb_yr_fail_at(r, PB_ERR_SCHEMA, line, col, "%zu cells for the set's %zu periods",
                             w.n, w.nper);
    return 1;
}

/* A period the set does not have: the error names the set's periods and,
 * for a year, how a year's target is
 * written (the year among the periods; it then holds for its quarters). */
static int period_unknown(pb_yr_reader *r, const pb_indset *s, pb_period p)
{
    size_t n = A->pb_indset_period_count(s);
    char first[32] = "", last[32] = "", year[32] = "";
    if (n) {
        A->pb_period_format(A->pb_indset_period(s, 0), A->pb_plan_year_start(r->plan), first);
        A->pb_period_format(A->pb_indset_period(s, n - 1), A->pb_plan_year_start(r->plan), last);
    }
    A->pb_period_format(p, A->pb_plan_year_start(r->plan), year);
    int a_year = p.kind == PB_PERIOD_YEAR;
    return FAIL(PB_ERR_SCHEMA,
                "'%.*s' is not one of the set's periods (%s%s%s)%s%s%s", CUT(r, 40), sval(r),
                first, n > 1 ? " .. " : "", n > 1 ? last : "",
                a_year ? ": for a year's target, add the year to the set's periods "
                         "(periods: [" : "",
                a_year ? year : "", a_year ? ", ...]); it then holds for its quarters" : "");
}

static int read_period_ref(pb_yr_reader *r, pb_indset *s, size_t *k)
{
    if (!pb_yr_text(r, "a period"))
        return 0;
    pb_error *e = pb_yr_error(r);
    pb_period p;
    if (A->pb_period_parse(sval(r), slen(r), A->pb_plan_year_start(r->plan), &p, e))
        return pb_yr_core_fail(r, e);
    int64_t idx = A->pb_indset_find_period(s, p);
    if (idx < 0)
        return period_unknown(r, s, p);
    *k = (size_t)idx;
    return 1;
}

/* ========================================================== measures */

/* The keys of a measure, as the codes of its rows. */
enum { K_REF, K_NAME, K_GROUP, K_OBJ, K_OWNER, K_FW, K_DEF, K_FOOT, K_UNIT, K_PER, K_DEC,
       K_POL, K_CUM, K_THR, K_VALUES, K_TARGETS, K_MILES, K_COMPARE, K_PRINTED, K_COUNTS,
       K_ROLE };

/* A measure (or a companion series, parent != PB_NONE) as it is read. */
typedef struct measure {
    pb_indset *s;
    uint32_t parent;
    int64_t i; /* the measure once made, else -1 */
    uint32_t line, col;
    uint64_t got[PB_INDSET_MAX_PERIODS / 64]; /* keys met in targets, compare, printed */
    char *due;                                /* of the milestone being read */
    size_t duelen;
} measure;

static int read_measures(pb_yr_reader *r, pb_indset *s, uint32_t parent);

static int measure_at_key(pb_yr_reader *r, void *obj, const pb_yr_field *f)
{
    measure *m = obj;
    if (m->i < 0 && f->code != K_REF)
        return FAIL(PB_ERR_SCHEMA, "a measure starts with its ref");
    if (m->parent != PB_NONE && (f->code == K_COUNTS || f->code == K_THR || f->code == K_PRINTED))
        return FAIL(PB_ERR_SCHEMA, "a companion series has no %s", f->key);
    return 1;
}

static int measure_ref(pb_yr_reader *r, void *obj, const pb_yr_field *f, uint32_t seen)
{
    (void)f, (void)seen;
    measure *m = obj;
    pb_error *e = pb_yr_error(r);
    if (!pb_yr_text(r, "the measure's reference"))
        return 0;
    if (m->parent != PB_NONE)
        return pb_yr_core(r, A->pb_ind_set_text(m->s, (size_t)m->i, PB_IND_REF, sval(r), slen(r), e),
                          e);
    m->i = A->pb_indset_add(m->s, PB_NONE, sval(r), slen(r), e);
    if (m->i < 0)
        return pb_yr_core_fail(r, e);
    A->pb_ind_set_source(m->s, (size_t)m->i, m->line, m->col);
    size_t nper = A->pb_indset_period_count(m->s);
    r->cells += nper ? nper : 1;
    if (!pb_yr_cells_fit(r))
        return FAIL(PB_ERR_LIMIT, "more indicator cells than the input can hold");
    return 1;
}

/* name, group, objective, owner, framework, definition, footnote */
static int measure_text(pb_yr_reader *r, void *obj, const pb_yr_field *f, uint32_t seen)
{
    (void)seen;
    measure *m = obj;
    pb_error *e = pb_yr_error(r);
    return pb_yr_core(
        r, A->pb_ind_set_text(m->s, (size_t)m->i, (pb_ind_field)f->code, sval(r), slen(r), e), e);
}

/* unit, polarity, role: a word the core knows */
static int measure_word(pb_yr_reader *r, void *obj, const pb_yr_field *f, uint32_t seen)
{
    measure *m = obj;
    size_t i = (size_t)m->i;
    switch (f->code) {
    case K_UNIT: {
        if (!pb_yr_text(r, "a unit"))
            return 0;
        int u = A->pb_unit_from_name(sval(r), slen(r));
        if (u < 0)
            return FAIL(PB_ERR_SCHEMA, "unknown unit '%.*s' (expected number, percent, rate, "
                        "count, days, money or text)", CUT(r, 40), sval(r));
        if (seen & ((1u << K_VALUES) | (1u << K_TARGETS) | (1u << K_THR) | (1u << K_COMPARE)))
            return FAIL(PB_ERR_SCHEMA, "unit must come before the figures");
        A->pb_ind_set_unit(m->s, i, (pb_unit)u);
        return 1;
    }
    case K_POL: {
        if (!pb_yr_text(r, "high, low or none"))
            return 0;
        int p = A->pb_polarity_from_name(sval(r), slen(r));
        if (p < 0)
            return FAIL(PB_ERR_SCHEMA, "polarity is high, low or none");
        A->pb_ind_set_polarity(m->s, i, (pb_polarity)p);
        return 1;
    }
    default: {
        if (!pb_yr_text(r, "a role"))
            return 0;
        int ro = A->pb_ind_role_from_name(sval(r), slen(r));
        if (ro <= 0 || m->parent == PB_NONE)
            return FAIL(PB_ERR_SCHEMA, "role is for companion series: numerator, "
                        "denominator or count");
        A->pb_ind_set_role(m->s, i, (pb_ind_role)ro);
        return 1;
    }
    }
}

/* per, decimals, cumulative: numbers */
static int measure_number(pb_yr_reader *r, void *obj, const pb_yr_field *f, uint32_t seen)
{
    (void)seen;
    measure *m = obj;
    size_t i = (size_t)m->i;
    pb_error *e = pb_yr_error(r);
    long v;
    int b;
    switch (f->code) {
    case K_PER:
        if (!pb_yr_small_int(r, 999999999L, &v, "a whole number (rate per N)"))
            return 0;
        return pb_yr_core(r, A->pb_ind_set_per(m->s, i, v, e), e);
    case K_DEC:
        if (!pb_yr_small_int(r, PB_OBS_SCALE, &v, "decimals 0-6"))
            return 0;
        return pb_yr_core(r, A->pb_ind_set_decimals(m->s, i, (int)v, e), e);
    default:
        if (!pb_yr_bool(r, &b))
            return 0;
        A->pb_ind_set_cumulative(m->s, i, b);
        return 1;
    }
}

/* thresholds: {good, of_concern, action_required} */
static int threshold(pb_yr_reader *r, void *obj, const pb_yr_field *f, uint32_t seen)
{
    (void)seen;
    measure *m = obj;
    if (!pb_yr_text(r, "a figure"))
        return 0;
    pb_error *e = pb_yr_error(r);
    return pb_yr_core(r, A->pb_ind_set_threshold(m->s, (size_t)m->i, (pb_level)f->code, sval(r),
                                                 slen(r), e),
                      e);
}

static const pb_yr_field threshold_fields[] = {
    {"good", threshold, PB_LEVEL_GOOD, 0, NULL, NULL},
    {"of_concern", threshold, PB_LEVEL_CONCERN, 0, NULL, NULL},
    {"action_required", threshold, PB_LEVEL_ACTION, 0, NULL, NULL},
};
static const pb_yr_map threshold_map = {"thresholds (a mapping)", threshold_fields,
                                        PB_YR_COUNT(threshold_fields), 0, NULL, NULL, NULL};

static int measure_thresholds(pb_yr_reader *r, void *obj, const pb_yr_field *f, uint32_t seen)
{
    (void)f, (void)seen;
    measure *m = obj;
    if (!is_scalar(r))
        return pb_yr_read_map(r, &threshold_map, m);
    if (!key_is(r, "not available"))
        return FAIL(PB_ERR_SCHEMA, "thresholds are {good: ..., of_concern: ..., "
                    "action_required: ...} or 'not available'");
    A->pb_ind_set_threshold_state(m->s, (size_t)m->i, 2);
    return 1;
}

/* A key met twice in targets, compare or printed: 1 if it was. */
static int met(measure *m, size_t k)
{
    int was = (m->got[k / 64] & (1ull << (k % 64))) != 0;
    m->got[k / 64] |= 1ull << (k % 64);
    return was;
}

/* targets: {period: cell} */
static int target_entry(pb_yr_reader *r, void *obj)
{
    measure *m = obj;
    size_t saved = pb_yr_path_key(r, sval(r), (size_t)CUT(r, 40));
    size_t pk;
    if (!read_period_ref(r, m->s, &pk))
        return 0;
    if (met(m, pk))
        return FAIL(PB_ERR_SCHEMA, "duplicate target period");
    series w = {m->s, PB_SERIES_TARGET, (size_t)m->i, 0, 0};
    if (!pb_yr_next(r) || !read_cell(r, &w, pk))
        return 0;
    pb_yr_path_pop(r, saved);
    return 1;
}

/* compare: {comparator id: [cells]} */
static int compare_entry(pb_yr_reader *r, void *obj)
{
    measure *m = obj;
    size_t saved = pb_yr_path_key(r, sval(r), (size_t)CUT(r, 40));
    int64_t c = A->pb_indset_find_comparator(m->s, sval(r), slen(r));
    if (c < 0)
        return FAIL(PB_ERR_SCHEMA, "'%.*s' is not a comparator of the set", CUT(r, 40), sval(r));
    if (met(m, (size_t)c))
        return FAIL(PB_ERR_SCHEMA, "duplicate key '%.*s'", CUT(r, 40), sval(r));
    if (!pb_yr_next(r) || !read_series(r, m->s, PB_SERIES_COMPARATOR(c), (size_t)m->i))
        return 0;
    pb_yr_path_pop(r, saved);
    return 1;
}

/* printed: {last | target | comparator id: arrow} */
static int printed_entry(pb_yr_reader *r, void *obj)
{
    measure *m = obj;
    size_t saved = pb_yr_path_key(r, sval(r), (size_t)CUT(r, 40));
    uint32_t key;
    if (key_is(r, "last")) {
        key = PB_PRINTED_LAST;
    } else if (key_is(r, "target")) {
        key = PB_PRINTED_TARGET;
    } else {
        int64_t c = A->pb_indset_find_comparator(m->s, sval(r), slen(r));
        if (c < 0)
            return FAIL(PB_ERR_SCHEMA, "'%.*s' is not last, target or a comparator "
                        "of the set", CUT(r, 40), sval(r));
        key = PB_PRINTED_COMPARATOR(c);
    }
    if (met(m, key))
        return FAIL(PB_ERR_SCHEMA, "duplicate key");
    if (!pb_yr_next(r) || !pb_yr_text(r, "up, down, same, not available or not applicable"))
        return 0;
    int a = A->pb_arrow_from_name(sval(r), slen(r));
    if (a < 0)
        return FAIL(PB_ERR_SCHEMA, "'%.*s' is not up, down, same, not available or "
                    "not applicable", CUT(r, 40), sval(r));
    pb_error *e = pb_yr_error(r);
    if (A->pb_ind_set_printed(m->s, (size_t)m->i, key, (pb_arrow)a, e))
        return pb_yr_core_fail(r, e);
    pb_yr_path_pop(r, saved);
    return 1;
}

/* values, targets, compare, printed, counts: the figures */
static int measure_figures(pb_yr_reader *r, void *obj, const pb_yr_field *f, uint32_t seen)
{
    (void)seen;
    measure *m = obj;
    memset(m->got, 0, sizeof m->got);
    switch (f->code) {
    case K_VALUES:
        return read_series(r, m->s, PB_SERIES_VALUE, (size_t)m->i);
    case K_TARGETS:
        return pb_yr_read_entries(r, "targets by period (a mapping)", "a period", target_entry, m);
    case K_COMPARE:
        return pb_yr_read_entries(r, "comparator series by id (a mapping)", "a comparator id",
                                  compare_entry, m);
    case K_PRINTED:
        return pb_yr_read_entries(r, "the printed columns (a mapping)",
                                  "last, target or a comparator id", printed_entry, m);
    default:
        return read_measures(r, m->s, (uint32_t)m->i);
    }
}

/* milestones: [{due: text, target: text or cell}] */
static int milestone_due(pb_yr_reader *r, void *obj, const pb_yr_field *f, uint32_t seen)
{
    (void)f, (void)seen;
    measure *m = obj;
    if (!pb_yr_text(r, "text") || !(m->due = pb_yr_copy(r)))
        return 0;
    m->duelen = slen(r);
    return 1;
}

static int milestone_target(pb_yr_reader *r, void *obj, const pb_yr_field *f, uint32_t seen)
{
    (void)f;
    measure *m = obj;
    pb_error *e = pb_yr_error(r);
    if (!(seen & 1u))
        return FAIL(PB_ERR_SCHEMA, "due comes before target");
    if (r->ev.type == YAML_MAPPING_START_EVENT) {
        uint32_t line = LINE(r->ev), col = COL(r->ev);
        cell c;
        int ok = read_cell_map(r, &c);
        if (ok && A->pb_ind_add_milestone_cell(m->s, (size_t)m->i, m->due, m->duelen, &c.o,
                                               c.note, c.note_len, e))
            ok = pb_yr_core_fail_at(r, e, line, col);
        free(c.note);
        return ok;
    }
    if (!pb_yr_text(r, "text"))
        return 0;
    return pb_yr_core(r, A->pb_ind_add_milestone(m->s, (size_t)m->i, m->due, m->duelen, sval(r),
                                                 slen(r), e),
                      e);
}

static const pb_yr_field milestone_fields[] = {
    {"due", milestone_due, 0, PB_YR_REQUIRED, NULL, NULL},
    {"target", milestone_target, 0, PB_YR_REQUIRED, NULL, NULL},
};
static const pb_yr_map milestone_map = {"a milestone {due: ..., target: ...}", milestone_fields,
                                        PB_YR_COUNT(milestone_fields), PB_YR_NO_PATH, NULL, NULL,
                                        "a milestone has due and target"};

static int read_milestone(pb_yr_reader *r, void *obj, size_t n)
{
    (void)n;
    measure *m = obj;
    m->due = NULL;
    m->duelen = 0;
    int ok = pb_yr_read_map(r, &milestone_map, m);
    free(m->due);
    m->due = NULL;
    return ok;
}

static int measure_milestones(pb_yr_reader *r, void *obj, const pb_yr_field *f, uint32_t seen)
{
    (void)f, (void)seen;
    return pb_yr_read_list(r, "a list of milestones", read_milestone, obj);
}

static int measure_made(pb_yr_reader *r, void *obj, uint32_t seen, uint32_t line, uint32_t col)
{
    (void)seen;
    if (((measure *)obj)->i < 0)
        return pb_yr_fail_at(r, PB_ERR_SCHEMA, line, col, "a measure needs a ref");
    return 1;
}

#define MEASURE_TEXT(key, f) {key, measure_text, f, PB_YR_NULLABLE_TEXT, NULL, NULL}
static const pb_yr_field measure_fields[] = {
    {"ref", measure_ref, K_REF, 0, NULL, NULL},
    MEASURE_TEXT("name", PB_IND_NAME),
    MEASURE_TEXT("group", PB_IND_GROUP),
    MEASURE_TEXT("objective", PB_IND_OBJECTIVE),
    MEASURE_TEXT("owner", PB_IND_OWNER),
    MEASURE_TEXT("framework", PB_IND_FRAMEWORK),
    MEASURE_TEXT("definition", PB_IND_DEFINITION),
    MEASURE_TEXT("footnote", PB_IND_FOOTNOTE),
    {"unit", measure_word, K_UNIT, 0, NULL, NULL},
    {"per", measure_number, K_PER, 0, NULL, NULL},
    {"decimals", measure_number, K_DEC, 0, NULL, NULL},
    {"polarity", measure_word, K_POL, 0, NULL, NULL},
    {"cumulative", measure_number, K_CUM, 0, NULL, NULL},
    {"thresholds", measure_thresholds, K_THR, 0, NULL, NULL},
    {"values", measure_figures, K_VALUES, 0, NULL, NULL},
    {"targets", measure_figures, K_TARGETS, 0, NULL, NULL},
    {"milestones", measure_milestones, K_MILES, 0, NULL, NULL},
    {"compare", measure_figures, K_COMPARE, 0, NULL, NULL},
    {"printed", measure_figures, K_PRINTED, 0, NULL, NULL},
    {"counts", measure_figures, K_COUNTS, 0, NULL, NULL},
    {"role", measure_word, K_ROLE, 0, NULL, NULL},
};
static const pb_yr_map measure_map = {"a measure (a mapping)", measure_fields,
                                      PB_YR_COUNT(measure_fields), 0, measure_at_key,
                                      measure_made, NULL};

/* A measure, or a companion series of measure parent (made at once). */
static int read_measure(pb_yr_reader *r, void *obj, size_t n)
{
    (void)n;
    measure *m = obj;
    if (!pb_yr_expect(r, YAML_MAPPING_START_EVENT, measure_map.what))
        return 0;
    m->i = -1;
    m->line = LINE(r->ev);
    m->col = COL(r->ev);
    if (m->parent != PB_NONE) {
        pb_error *e = pb_yr_error(r);
        m->i = A->pb_indset_add(m->s, m->parent, NULL, 0, e);
        if (m->i < 0)
            return pb_yr_core_fail(r, e);
        A->pb_ind_set_source(m->s, (size_t)m->i, m->line, m->col);
    }
    return pb_yr_read_fields(r, &measure_map, m);
}

static int read_measures(pb_yr_reader *r, pb_indset *s, uint32_t parent)
{
    measure *m = calloc(1, sizeof *m); /* got[] is 512 bytes; measures nest */
    if (!m)
        return FAIL(PB_ERR_NOMEM, "out of memory");
    m->s = s;
    m->parent = parent;
    int ok = pb_yr_read_list(r, "a list of measures", read_measure, m);
    free(m->due);
    free(m);
    return ok;
}

/* ==================================================== indicator sets */

PB_YR_PART_HOOKS(indset)

static int indset_period(pb_yr_reader *r, void *obj, size_t n)
{
    (void)n;
    if (!pb_yr_text(r, "a period"))
        return 0;
    pb_error *e = pb_yr_error(r);
    pb_period p;
    if (A->pb_period_parse(sval(r), slen(r), A->pb_plan_year_start(r->plan), &p, e) ||
        A->pb_indset_add_period(obj, p, e) < 0)
        return pb_yr_core_fail(r, e);
    return 1;
}

/* A comparator {id, name} as it is read. */
typedef struct comparator {
    pb_indset *s;
    char *text[2]; /* id, name: malloc'd */
    size_t len[2];
} comparator;

static int comparator_text(pb_yr_reader *r, void *obj, const pb_yr_field *f, uint32_t seen)
{
    (void)seen;
    comparator *c = obj;
    c->len[f->code] = slen(r);
    return (c->text[f->code] = pb_yr_copy(r)) != NULL;
}

static int add_comparator(pb_yr_reader *r, void *obj, uint32_t seen, uint32_t line, uint32_t col)
{
    (void)seen;
    comparator *c = obj;
    pb_error *e = pb_yr_error(r);
    if (A->pb_indset_add_comparator(c->s, c->text[0], c->len[0], c->text[1], c->len[1], e) < 0)
        return pb_yr_core_fail_at(r, e, line, col);
    return 1;
}

static const pb_yr_field comparator_fields[] = {
    {"id", comparator_text, 0, PB_YR_TEXT | PB_YR_REQUIRED, NULL, NULL},
    {"name", comparator_text, 1, PB_YR_TEXT, NULL, NULL},
};
static const pb_yr_map comparator_map = {"a comparator {id: ..., name: ...}", comparator_fields,
                                         PB_YR_COUNT(comparator_fields), PB_YR_NO_PATH, NULL,
                                         add_comparator, "a comparator needs an id"};

static int indset_comparator(pb_yr_reader *r, void *obj, size_t n)
{
    (void)n;
    comparator c = {obj, {NULL, NULL}, {0, 0}};
    int ok = pb_yr_read_map(r, &comparator_map, &c);
    free(c.text[0]);
    free(c.text[1]);
    return ok;
}

/* footnotes: {mark: text} */
static pb_status add_footnote(pb_yr_reader *r, void *obj, const char *mark, size_t ml,
                              const char *text, size_t tl, pb_error *e)
{
    return A->pb_indset_add_footnote(obj, mark, ml, text, tl, e);
}

static int footnote_entry(pb_yr_reader *r, void *obj)
{
    return pb_yr_text_entry(r, obj, "the footnote's text", 1, add_footnote);
}

/* periods, comparators, footnotes, measures: the set's lists */
static int indset_list(pb_yr_reader *r, void *obj, const pb_yr_field *f, uint32_t seen)
{
    (void)seen;
    switch (f->code) {
    case 0:
        return pb_yr_read_list(r, "a list of periods", indset_period, obj);
    case 1:
        return pb_yr_read_list(r, "a list of comparators", indset_comparator, obj);
    case 2:
        return pb_yr_read_entries(r, "footnotes by mark (a mapping)", "a footnote mark",
                                  footnote_entry, obj);
    default:
        return read_measures(r, obj, PB_NONE);
    }
}

/* latest, direction, cumulative */
static int indset_setting(pb_yr_reader *r, void *obj, const pb_yr_field *f, uint32_t seen)
{
    (void)seen;
    static const char *const dirs[] = {"previous", "year_ago", "outturn", NULL};
    static const pb_direction_rule dir[] = {PB_DIR_PREVIOUS, PB_DIR_YEAR_AGO, PB_DIR_OUTTURN};
    pb_error *e = pb_yr_error(r);
    size_t pk;
    int v;
    switch (f->code) {
    case 0:
        if (!read_period_ref(r, obj, &pk))
            return 0;
        return pb_yr_core(r, A->pb_indset_set_latest(obj, (uint32_t)pk, e), e);
    case 1:
        if (!pb_yr_text(r, "previous, year_ago or outturn"))
            return 0;
        if ((v = pb_yr_pick(r, dirs)) < 0)
            return FAIL(PB_ERR_SCHEMA, "direction is previous, year_ago or outturn");
        A->pb_indset_set_direction(obj, dir[v]);
        return 1;
    default:
        if (!pb_yr_bool(r, &v))
            return 0;
        A->pb_indset_set_cumulative(obj, v);
        return 1;
    }
}

/* The keys of a set after its text fields (pb_indset_fields). */
static const pb_yr_field indset_keys[] = {
    {"periods", indset_list, 0, 0, NULL, "measures"},
    {"latest", indset_setting, 0, 0, "periods", NULL},
    {"direction", indset_setting, 1, 0, NULL, NULL},
    {"cumulative", indset_setting, 2, 0, NULL, "measures"},
    {"comparators", indset_list, 1, 0, NULL, "measures"},
    {"footnotes", indset_list, 2, 0, NULL, NULL},
    {"measures", indset_list, 3, 0, "periods", NULL},
};
PB_YR_DESCRIBED_PARTS_READER(pb_yr_read_indicators, indset, indset_keys,
                             "an indicator set (a mapping)", "a mapping of indicator sets by id",
                             "an indicator set id")
