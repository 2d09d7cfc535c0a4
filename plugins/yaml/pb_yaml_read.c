/* pb_yaml_read.c - reading a plan file with libyaml's event parser: the
 * entry points of pb_yaml.h, the document, the plan's details and its
 * settings.
 *
 * A recursive-descent reader over the event stream: each schema element
 * (plan, table, column, row, agreement...) is a table of its keys
 * (pb_yaml_private.h) whose rows name the functions that read the values,
 * consuming exactly their events and building the core's structures as
 * they go.  No document tree is built; no Python object is made.  The
 * other parts of the format are read in pb_yaml_read_*.c.
 */
#include "pb_yaml_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ============================================================ plan */

/* title, organisation...: text of the plan's details (pb_meta_key) */
static int meta_text(pb_yr_reader *r, void *obj, const pb_yr_field *f, uint32_t seen)
{
    (void)obj, (void)seen;
    pb_error *e = pb_yr_error(r);
    int mk = A->pb_meta_key_from_name(f->key, strlen(f->key));
    return pb_yr_core(r, A->pb_plan_set_meta(r->plan, (pb_meta_key)mk, sval(r), slen(r), e),
                      e);
}

/* year_start: a month name or number */
static int year_start(pb_yr_reader *r, void *obj, const pb_yr_field *f, uint32_t seen)
{
    (void)obj, (void)f, (void)seen;
    if (!pb_yr_text(r, "a month"))
        return 0;
    int m = A->pb_month_from_name(sval(r), slen(r));
    long v = 0;
    if (!m) {
        if (!pb_yr_small_int(r, 12, &v, "a month name or number 1-12"))
            return 0;
        m = (int)v;
    }
    /* the tables' periods were read with the year start in force */
    if (m >= 1 && m <= 12 && m != A->pb_plan_year_start(r->plan) &&
        (A->pb_plan_table_count(r->plan) || A->pb_plan_indset_count(r->plan)))
        return FAIL(PB_ERR_SCHEMA,
                    "plan.year_start must come before budgets (the periods of "
                    "the tables above were read with the year starting in April)");
    pb_error *e = pb_yr_error(r);
    return pb_yr_core(r, A->pb_plan_set_year_start(r->plan, m, e), e);
}

#define META(key) {key, meta_text, 0, PB_YR_NULLABLE_TEXT, NULL, NULL}
static const pb_yr_field plan_fields[] = {
    META("title"),       META("organisation"), META("directorate"), META("service"),
    META("period"),      META("status"),       META("version"),     META("owner"),
    META("review_date"), META("next_review"),  META("source"),      META("notes"),
    {"year_start", year_start, 0, 0, NULL, NULL},
};
static const pb_yr_map plan_map = {
    "a mapping of plan details", plan_fields, PB_YR_COUNT(plan_fields), 0, NULL, NULL, NULL};

static int read_plan_meta(pb_yr_reader *r) { return pb_yr_read_map(r, &plan_map, NULL); }

/* ========================================================= settings */

/* risk_matrix and risk_bands: a pair of whole numbers */
typedef struct pair {
    long v[2];
    int bands;
} pair;

static int pair_value(pb_yr_reader *r, void *obj, const pb_yr_field *f, uint32_t seen)
{
    (void)seen;
    return pb_yr_small_int(r, 100, &((pair *)obj)->v[f->code], "a whole number");
}

/* At the end of the pair: set it (code 0 the matrix, 1 the bands). */
static int set_pair(pb_yr_reader *r, void *obj, uint32_t seen, uint32_t line, uint32_t col)
{
    (void)seen;
    pair *p = obj;
    pb_error *e = pb_yr_error(r);
    pb_status st = p->bands ? A->pb_plan_set_risk_bands(r->plan, (int)p->v[0], (int)p->v[1], e)
                            : A->pb_plan_set_risk_matrix(r->plan, (int)p->v[0], (int)p->v[1], e);
    return st ? pb_yr_core_fail_at(r, e, line, col) : 1;
}

static const pb_yr_field matrix_fields[] = {
    {"likelihood", pair_value, 0, 0, NULL, NULL},
    {"impact", pair_value, 1, 0, NULL, NULL},
};
static const pb_yr_field bands_fields[] = {
    {"green", pair_value, 0, 0, NULL, NULL},
    {"amber", pair_value, 1, 0, NULL, NULL},
};
static const pb_yr_map pair_maps[2] = {
    {"{likelihood: 5, impact: 5}", matrix_fields, 2, PB_YR_NO_PATH, NULL, set_pair, NULL},
    {"{green: 4, amber: 12}", bands_fields, 2, PB_YR_NO_PATH, NULL, set_pair, NULL},
};

/* risk_matrix (code 0) and risk_bands (code 1): what is not given keeps
 * its default */
static int risk_pair(pb_yr_reader *r, void *obj, const pb_yr_field *f, uint32_t seen)
{
    (void)obj, (void)seen;
    pair p = {{0, 0}, f->code};
    int a0, a1;
    if (f->code)
        A->pb_plan_risk_bands(r->plan, &a0, &a1);
    else
        A->pb_plan_risk_matrix(r->plan, &a0, &a1);
    p.v[0] = a0, p.v[1] = a1;
    return pb_yr_read_map(r, &pair_maps[f->code], &p);
}

static int tolerance(pb_yr_reader *r, void *obj, const pb_yr_field *f, uint32_t seen)
{
    (void)obj, (void)f, (void)seen;
    pb_amount tol;
    if (!pb_yr_tolerance(r, &tol))
        return 0;
    pb_error *e = pb_yr_error(r);
    return pb_yr_core(r, A->pb_plan_set_tolerance(r->plan, tol, e), e);
}

/* rag_tolerance: 5% or 0.5 */
static int rag_tolerance(pb_yr_reader *r, void *obj, const pb_yr_field *f, uint32_t seen)
{
    (void)obj, (void)f, (void)seen;
    if (!pb_yr_text(r, "a tolerance such as 5% or 0.5"))
        return 0;
    size_t n = slen(r);
    int pct = n > 0 && sval(r)[n - 1] == '%';
    pb_error *e = pb_yr_error(r);
    pb_amount v;
    pb_cell_state st;
    if (A->pb_amount_parse(sval(r), n - (size_t)pct, PB_OBS_SCALE, &v, &st, e))
        return pb_yr_core_fail(r, e);
    if (st != PB_CELL_VALUE || v < 0)
        return FAIL(PB_ERR_SCHEMA, "rag_tolerance is a figure or a percentage, zero or more");
    return pb_yr_core(r, A->pb_plan_set_rag_tolerance(r->plan, pct, v, e), e);
}

static const pb_yr_field settings_fields[] = {
    {"tolerance", tolerance, 0, 0, NULL, NULL},
    {"rag_tolerance", rag_tolerance, 0, 0, NULL, NULL},
    {"risk_matrix", risk_pair, 0, 0, NULL, NULL},
    {"risk_bands", risk_pair, 1, 0, NULL, NULL},
};
static const pb_yr_map settings_map = {"a mapping of settings", settings_fields,
                                       PB_YR_COUNT(settings_fields), 0, NULL, NULL, NULL};

static int read_settings(pb_yr_reader *r) { return pb_yr_read_map(r, &settings_map, NULL); }

/* ========================================================= document */

static int format_version(pb_yr_reader *r, void *obj, const pb_yr_field *f, uint32_t seen)
{
    (void)obj, (void)f, (void)seen;
    if (!pb_yr_text(r, "the format version"))
        return 0;
    if (!key_is(r, "1"))
        return FAIL(PB_ERR_SCHEMA, "this is format version '%.*s'; this planbook reads version 1",
                    CUT(r, 20), sval(r));
    return 1;
}

/* The sections of a plan file, by the code of their row below. */
static int (*const sections[])(pb_yr_reader *r) = {
    read_plan_meta,        read_settings,      pb_yr_read_budgets, pb_yr_read_agreements,
    pb_yr_read_indicators, pb_yr_read_risks,   pb_yr_read_records};

static int section(pb_yr_reader *r, void *obj, const pb_yr_field *f, uint32_t seen)
{
    (void)obj, (void)seen;
    return sections[f->code](r);
}

static int has_version(pb_yr_reader *r, void *obj, uint32_t seen, uint32_t line, uint32_t col)
{
    (void)obj, (void)line, (void)col;
    if (!(seen & 1u))
        return pb_yr_fail_at(r, PB_ERR_SCHEMA, 1, 1,
                             "not a planbook file: it has no 'planbook: 1' (the format version)");
    return 1;
}

static const pb_yr_field document_fields[] = {
    {"planbook", format_version, 0, 0, NULL, NULL},
    {"plan", section, 0, 0, NULL, NULL},
    {"settings", section, 1, 0, NULL, NULL},
    {"budgets", section, 2, 0, NULL, NULL},
    {"agreements", section, 3, 0, NULL, NULL},
    {"indicators", section, 4, 0, NULL, NULL},
    {"risks", section, 5, 0, NULL, NULL},
    {"records", section, 6, 0, NULL, NULL},
};

/* A described part's key (after the fixed keys): its kind's rows. */
static int described(pb_yr_reader *r, void *obj, const pb_yr_field *f, uint32_t seen)
{
    (void)obj, (void)seen;
    return pb_yr_read_described(r, (size_t)f->code);
}

#define PB_YR_DOCUMENT_MAX 32 /* keys of a mapping, as pb_yr_map allows */

/* The document's keys: the fixed ones, then one per described part (the
 * core's descriptors), in out[PB_YR_DOCUMENT_MAX]; their count. */
static int document_keys(pb_yr_reader *r, pb_yr_field *out)
{
    int n = PB_YR_COUNT(document_fields);
    memcpy(out, document_fields, sizeof document_fields);
    for (size_t k = 0; k < A->pb_described_kind_count() && n < PB_YR_DOCUMENT_MAX; k++) {
        pb_yr_field row = {A->pb_described_kind(k)->key, described, (int)k, 0, NULL, NULL};
        out[n++] = row;
    }
    return n;
}

static int read_document(pb_yr_reader *r)
{
    if (!pb_yr_next(r) || !pb_yr_expect(r, YAML_STREAM_START_EVENT, "a stream"))
        return 0;
    if (!pb_yr_next(r))
        return 0;
    if (r->ev.type == YAML_STREAM_END_EVENT)
        return pb_yr_fail_at(r, PB_ERR_SCHEMA, 1, 1, "the file is empty: expected a plan");
    if (!pb_yr_expect(r, YAML_DOCUMENT_START_EVENT, "a document"))
        return 0;
    if (!pb_yr_next(r))
        return 0;
    if (r->ev.type != YAML_MAPPING_START_EVENT)
        return FAIL(PB_ERR_SCHEMA, "a plan file is a mapping (starting 'planbook: 1'), found %s",
                    pb_yr_event_name(r->ev.type));
    pb_yr_field keys[PB_YR_DOCUMENT_MAX];
    pb_yr_map document_map = {"a plan", keys, document_keys(r, keys), 0, NULL, has_version, NULL};
    if (!pb_yr_read_fields(r, &document_map, NULL))
        return 0;
    if (!pb_yr_next(r) || !pb_yr_expect(r, YAML_DOCUMENT_END_EVENT, "the end of the document"))
        return 0;
    if (!pb_yr_next(r))
        return 0;
    if (r->ev.type != YAML_STREAM_END_EVENT)
        return FAIL(PB_ERR_SCHEMA, "a plan file holds one document; found another");
    return 1;
}

/* ====================================================== entry points */

pb_yaml_limits pb_yaml_default_limits(void)
{
    pb_yaml_limits lim = {100, 1u << 20, 1ull << 30, 1ull << 20};
    return lim;
}

static pb_plan *read_any(pb_yr_reader *r)
{
    if (!r->api || r->api->version != PB_API_VERSION || r->api->size < sizeof(pb_api)) {
        r->err->status = PB_ERR_INVALID;
        snprintf(r->err->message, sizeof r->err->message, "core API version mismatch");
        return NULL;
    }
    A->pb_error_clear(r->err);
    r->plan = A->pb_plan_new();
    if (!r->plan) {
        A->pb_error_set(r->err, PB_ERR_NOMEM, NULL);
        return NULL;
    }
    if (!yaml_parser_initialize(&r->parser)) {
        A->pb_plan_free(r->plan);
        A->pb_error_set(r->err, PB_ERR_NOMEM, NULL);
        return NULL;
    }
    yaml_parser_set_input(&r->parser, pb_yr_read_handler, r);
    pb_yr_pipe_start(r);
    int ok = read_document(r);
    pb_yr_pipe_stop(r); /* joined: the parser and the input are this thread's */
    if (r->have_ev)
        yaml_event_delete(&r->ev);
    yaml_parser_delete(&r->parser);
    if (!ok) {
        if (r->err->status == PB_OK)
            pb_yr_fail_at(r, PB_ERR_PARSE, 0, 0, "the file could not be read");
        A->pb_plan_free(r->plan);
        return NULL;
    }
    A->pb_plan_compact(r->plan); /* the index of texts: 3 MB of a 50 MB plan */
    return r->plan;
}

pb_plan *pb_yaml_read_file(const pb_api *api, FILE *file,
                           const pb_yaml_limits *limits, pb_error *err)
{
    pb_yr_reader r;
    memset(&r, 0, sizeof r);
    r.api = api;
    r.err = err;
    r.lim = limits ? *limits : pb_yaml_default_limits();
    r.file = file;
    r.file_start = ftell(file); /* offsets count from here */
    return read_any(&r);
}

pb_plan *pb_yaml_read_buffer(const pb_api *api, const unsigned char *data,
                             size_t size, const pb_yaml_limits *limits,
                             pb_error *err)
{
    pb_yr_reader r;
    memset(&r, 0, sizeof r);
    r.api = api;
    r.err = err;
    r.lim = limits ? *limits : pb_yaml_default_limits();
    r.data = data ? data : (const unsigned char *)"";
    r.size = data ? size : 0;
    return read_any(&r);
}
