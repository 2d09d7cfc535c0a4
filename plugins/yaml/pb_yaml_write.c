/* pb_yaml_write.c - writing a plan in the canonical layout with libyaml's
 * emitter (docs/format.md, "The canonical layout"): the emitter and its
 * scalars, the document, budget tables, agreements and indicator sets;
 * the record-shaped parts are in pb_yaml_write_parts.c
 * (pb_yaml_write_private.h).
 *
 * Event ownership: an event handed to yaml_emitter_emit belongs to the
 * emitter even when the call fails, so it is never deleted here.
 */
#include "pb_yaml_write_private.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

static const char *const month_names[12] = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

static int write_handler(void *ctx, unsigned char *buffer, size_t size)
{
    pb_yw *w = ctx;
    if (!w->sink(w->ctx, buffer, size)) {
        w->sink_failed = 1;
        return 0;
    }
    return 1;
}

static int emit_fail(pb_yw *w)
{
    if (w->err->status != PB_OK)
        return 0;
    if (w->sink_failed)
        A->pb_error_set(w->err, PB_ERR_IO, "writing the file failed");
    else if (w->em.error == YAML_MEMORY_ERROR)
        A->pb_error_set(w->err, PB_ERR_NOMEM, NULL);
    else
        A->pb_error_set(w->err, PB_ERR_INVALID, "the YAML emitter refused the plan: %s",
                        w->em.problem ? w->em.problem : "unknown problem");
    return 0;
}

static int emit(pb_yw *w, yaml_event_t *ev, int made)
{
    if (!made) {
        A->pb_error_set(w->err, PB_ERR_NOMEM, NULL);
        return 0;
    }
    if (!yaml_emitter_emit(&w->em, ev))
        return emit_fail(w);
    return 1;
}

/* ----------------------------------------------------------- scalars */

static int ieq(const char *s, size_t n, const char *lit)
{
    size_t m = strlen(lit);
    if (n != m)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char a = s[i], b = lit[i];
        if (a >= 'A' && a <= 'Z')
            a = (char)(a + 32);
        if (a != b)
            return 0;
    }
    return 1;
}

/* Would a YAML 1.1 or 1.2 reader take this plain text for something other
 * than a string (null, boolean, number, date)?  Such text is quoted so that
 * any reader sees the same text planbook does. */
static int looks_typed(const char *s, size_t n)
{
    static const char *const words[] = {"~",   "null", "true", "false", "yes", "no", "on",
                                        "off", "y",    "n",    ".nan",  ".inf", "-.inf",
                                        "+.inf", "="};
    if (n == 0)
        return 1;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (ieq(s, n, words[i]))
            return 1;
    /* numbers: [-+]? digits, separators, dots, exponents, 0x/0o/0b */
    size_t i = 0;
    if (s[0] == '-' || s[0] == '+')
        i = 1;
    if (i == n)
        return 0;
    /* a YAML number starts with a digit or a point (after its sign) */
    if (!((s[i] >= '0' && s[i] <= '9') || s[i] == '.'))
        return 0;
    int digits = 0;
    for (size_t k = i; k < n; k++) {
        char c = s[k];
        if (c >= '0' && c <= '9')
            digits = 1;
        else if (!(c == '.' || c == '_' || c == ':' || c == 'e' || c == 'E' || c == 'x' ||
                   c == 'X' || c == 'o' || c == 'b' || (c >= 'a' && c <= 'f') ||
                   (c >= 'A' && c <= 'F') || c == '-' || c == '+' || c == ' ' || c == 'T' ||
                   c == 't' || c == 'Z' || c == 'z'))
            return 0;
    }
    return digits;
}

static int scalar(pb_yw *w, const char *s, size_t n, yaml_scalar_style_t style)
{
    yaml_event_t ev;
    if (n > INT_MAX) {
        A->pb_error_set(w->err, PB_ERR_LIMIT, "a text of %zu bytes is too long to write", n);
        return 0;
    }
    /* no tags are written: both implicit flags are set, and the emitter
     * keeps the requested style unless the text cannot be written so */
    return emit(w, &ev,
                yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)n, 1, 1,
                                             style));
}

/* Text as text: plain where safe, quoted where a reader could mistake it,
 * literal block for several lines. */
int pb_yw_text(pb_yw *w, const char *s)
{
    size_t n = strlen(s);
    if (memchr(s, '\n', n))
        return scalar(w, s, n, YAML_LITERAL_SCALAR_STYLE);
    if (looks_typed(s, n))
        return scalar(w, s, n, YAML_SINGLE_QUOTED_SCALAR_STYLE);
    return scalar(w, s, n, YAML_PLAIN_SCALAR_STYLE);
}

int pb_yw_plain(pb_yw *w, const char *s)
{
    return scalar(w, s, strlen(s), YAML_PLAIN_SCALAR_STYLE);
}

static int null_value(pb_yw *w) { return pb_yw_plain(w, "~"); }

/* The start (a mapping's or a sequence's, flow or block) or the end of a
 * collection. */
static int collection_event(pb_yw *w, int seq, int start, int flow)
{
    yaml_event_t ev;
    int made;
    if (!start)
        made = seq ? yaml_sequence_end_event_initialize(&ev)
                   : yaml_mapping_end_event_initialize(&ev);
    else if (seq)
        made = yaml_sequence_start_event_initialize(
            &ev, NULL, NULL, 1, flow ? YAML_FLOW_SEQUENCE_STYLE : YAML_BLOCK_SEQUENCE_STYLE);
    else
        made = yaml_mapping_start_event_initialize(
            &ev, NULL, NULL, 1, flow ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE);
    return emit(w, &ev, made);
}

int pb_yw_mapping_start(pb_yw *w, int flow) { return collection_event(w, 0, 1, flow); }
int pb_yw_mapping_end(pb_yw *w) { return collection_event(w, 0, 0, 0); }
int pb_yw_sequence_start(pb_yw *w, int flow) { return collection_event(w, 1, 1, flow); }
int pb_yw_sequence_end(pb_yw *w) { return collection_event(w, 1, 0, 0); }

/* key: text (skipped when value is NULL) */
int pb_yw_kv_text(pb_yw *w, const char *key, const char *value)
{
    if (!value)
        return 1;
    return pb_yw_plain(w, key) && pb_yw_text(w, value);
}

static int amount(pb_yw *w, pb_amount v, int decimals)
{
    char buf[PB_AMOUNT_TEXT_MAX];
    A->pb_amount_format(v, decimals, 0, buf);
    return pb_yw_plain(w, buf);
}

/* key: plain value */
int pb_yw_kv_plain(pb_yw *w, const char *key, const char *value)
{
    return pb_yw_plain(w, key) && pb_yw_plain(w, value);
}

/* key: a whole number */
int pb_yw_kv_int(pb_yw *w, const char *key, long long v)
{
    char num[32];
    snprintf(num, sizeof num, "%lld", v);
    return pb_yw_kv_plain(w, key, num);
}

/* key: then the start of a mapping or a sequence (flow or block) */
int pb_yw_open_map(pb_yw *w, const char *key, int flow)
{
    return pb_yw_plain(w, key) && pb_yw_mapping_start(w, flow);
}

int pb_yw_open_seq(pb_yw *w, const char *key, int flow)
{
    return pb_yw_plain(w, key) && pb_yw_sequence_start(w, flow);
}

int pb_yw_text_list(pb_yw *w, const char *key, const void *obj, size_t n, pb_yw_nth item)
{
    if (!n)
        return 1;
    if (!pb_yw_open_seq(w, key, 1))
        return 0;
    for (size_t k = 0; k < n; k++)
        if (!pb_yw_text(w, item(A, obj, k)))
            return 0;
    return pb_yw_sequence_end(w);
}

int pb_yw_text_map(pb_yw *w, const char *key, const void *obj, size_t n, pb_yw_nth k,
                   pb_yw_nth v)
{
    if (!n)
        return 1;
    if (!pb_yw_open_map(w, key, 0))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!pb_yw_text(w, k(A, obj, i)) || !pb_yw_text(w, v(A, obj, i)))
            return 0;
    return pb_yw_mapping_end(w);
}

/* {k1: v1, k2: v2} with texts, for comparators and milestones' due */
static int text_pair(pb_yw *w, const char *k1, const char *v1, const char *k2, const char *v2)
{
    return pb_yw_mapping_start(w, 1) && pb_yw_plain(w, k1) && pb_yw_text(w, v1) && pb_yw_plain(w, k2) && pb_yw_text(w, v2) &&
           pb_yw_mapping_end(w);
}

/* An amount in its shortest exact form (no trailing zeros), with a % after
 * it when pct, in buf[PB_AMOUNT_TEXT_MAX + 2]. */
static void short_amount(pb_yw *w, pb_amount v, int decimals, int pct, char *buf)
{
    A->pb_amount_format(v, decimals, 0, buf);
    size_t n = strlen(buf);
    while (n > 0 && buf[n - 1] == '0' && strchr(buf, '.'))
        buf[--n] = '\0';
    if (n > 0 && buf[n - 1] == '.')
        buf[--n] = '\0';
    if (pct)
        buf[n++] = '%', buf[n] = '\0';
}

/* ------------------------------------------------------------ tables */

static int write_columns(pb_yw *w, pb_table *t)
{
    size_t nc = A->pb_table_column_count(t);
    if (!pb_yw_open_seq(w, "columns", 0))
        return 0;
    for (size_t c = 0; c < nc; c++) {
        if (!pb_yw_mapping_start(w, 1) || !pb_yw_plain(w, "id") || !pb_yw_text(w, A->pb_column_id(t, c)) ||
            !pb_yw_kv_text(w, "label", A->pb_column_text(t, c, PB_COLUMN_LABEL)))
            return 0;
        pb_period p = A->pb_column_period(t, c);
        if (p.kind != PB_PERIOD_NONE) {
            char buf[PB_PERIOD_TEXT_MAX];
            A->pb_period_format(p, A->pb_plan_year_start(w->plan), buf);
            if (!pb_yw_kv_text(w, "period", buf))
                return 0;
        }
        if (!pb_yw_kv_text(w, "phase", A->pb_column_text(t, c, PB_COLUMN_PHASE)) ||
            !pb_yw_kv_text(w, "measure", A->pb_column_text(t, c, PB_COLUMN_MEASURE)))
            return 0;
        if (A->pb_column_type_of(t, c) == PB_COL_TEXT && !pb_yw_kv_plain(w, "type", "text"))
            return 0;
        if (A->pb_column_has_decimals(t, c) && !pb_yw_kv_int(w, "decimals", A->pb_column_decimals(t, c)))
            return 0;
        if (!pb_yw_kv_text(w, "unit", A->pb_column_text(t, c, PB_COLUMN_UNIT)))
            return 0;
        size_t nt = A->pb_column_term_count(t, c);
        if (nt) {
            if (!pb_yw_open_seq(w, "sum", 1))
                return 0;
            for (size_t k = 0; k < nt; k++) {
                uint32_t tc;
                int sign;
                A->pb_column_term(t, c, k, &tc, &sign);
                char buf[PB_ID_MAX + 2];
                snprintf(buf, sizeof buf, "%s%s", sign < 0 ? "-" : "", A->pb_column_id(t, tc));
                if (!pb_yw_text(w, buf))
                    return 0;
            }
            if (!pb_yw_sequence_end(w))
                return 0;
        }
        uint32_t eq = A->pb_column_equals(t, c);
        char spec[400]; /* pb_calc.h: two ids of at most PB_ID_MAX and the rest */
        A->pb_column_compute_text(t, c, spec, sizeof spec);
        if ((eq != PB_NONE && !pb_yw_kv_text(w, "equals", A->pb_column_id(t, eq))) ||
            (spec[0] && !pb_yw_kv_text(w, "compute", spec)) || !pb_yw_mapping_end(w))
            return 0;
    }
    return pb_yw_sequence_end(w);
}

static int row_has_values(pb_yw *w, pb_table *t, size_t r)
{
    size_t nc = A->pb_table_column_count(t);
    for (size_t c = 0; c < nc; c++)
        if (A->pb_cell_get(t, r, c, NULL) != PB_CELL_BLANK)
            return 1;
    return 0;
}

static int write_values(pb_yw *w, pb_table *t, size_t r)
{
    size_t nc = A->pb_table_column_count(t);
    if (!pb_yw_open_seq(w, "values", 1))
        return 0;
    for (size_t c = 0; c < nc; c++) {
        pb_amount v;
        pb_cell_state s = A->pb_cell_get(t, r, c, &v);
        int ok;
        switch (s) {
        case PB_CELL_VALUE:
            ok = amount(w, v, A->pb_column_decimals(t, c));
            break;
        case PB_CELL_NIL:
            ok = scalar(w, "-", 1, YAML_SINGLE_QUOTED_SCALAR_STYLE);
            break;
        case PB_CELL_TEXT:
            ok = pb_yw_text(w, A->pb_cell_text(t, r, c));
            break;
        default:
            ok = null_value(w);
        }
        if (!ok)
            return 0;
    }
    return pb_yw_sequence_end(w);
}

int pb_yw_write_tree(pb_yw *w, const pb_yw_tree *t, size_t from, size_t to)
{
    if (!pb_yw_sequence_start(w, 0))
        return 0;
    for (size_t i = from; i < to;) {
        size_t end = t->end(A, t->obj, i);
        const char *key = NULL;
        int always = 0;
        if (!pb_yw_mapping_start(w, 0) || !t->node(w, t->obj, i, &key, &always))
            return 0;
        if (key && end > i + 1 && !(pb_yw_plain(w, key) && pb_yw_write_tree(w, t, i + 1, end)))
            return 0;
        if (key && end == i + 1 && always &&
            !(pb_yw_open_seq(w, key, 1) && pb_yw_sequence_end(w)))
            return 0;
        if (!pb_yw_mapping_end(w))
            return 0;
        i = end;
    }
    return pb_yw_sequence_end(w);
}

static size_t row_end(const pb_api *api, const void *t, size_t r)
{
    return api->pb_table_row_end(t, r);
}

/* A row's keys; its children are the rows of a section, the parts of a
 * line (a section's "rows: []" is written even when it has none). */
static int write_row(pb_yw *w, void *obj, size_t r, const char **children, int *always)
{
    pb_table *t = obj;
    pb_row_kind kind = A->pb_row_kind_of(t, r);
    static const char *const kind_keys[] = {"line", "section", "total"};
    if (!pb_yw_plain(w, kind_keys[kind]))
        return 0;
    const char *label = A->pb_row_label(t, r);
    if (!(label ? pb_yw_text(w, label) : null_value(w)))
        return 0;
    if (!pb_yw_kv_text(w, "id", A->pb_row_text(t, r, PB_ROW_ID)))
        return 0;
    pb_role role = A->pb_row_role(t, r);
    if (role != PB_ROLE_INHERIT && !pb_yw_kv_plain(w, "role", A->pb_role_name(role)))
        return 0;
    if (!pb_yw_kv_text(w, "select", A->pb_row_text(t, r, PB_ROW_SELECT)))
        return 0;
    /* an all-blank row is written without values, unless the table is
     * wide: the reader's cell budget (16 cells per byte of input) must
     * still admit what the writer writes */
    if (kind != PB_ROW_SECTION &&
        (row_has_values(w, t, r) || A->pb_table_column_count(t) > 64) &&
        !write_values(w, t, r))
        return 0;
    *children = kind == PB_ROW_SECTION ? "rows" : "parts";
    *always = kind == PB_ROW_SECTION;
    return pb_yw_kv_text(w, "note", A->pb_row_text(t, r, PB_ROW_NOTE));
}

static int tolerance(pb_yw *w, pb_amount tol)
{
    char buf[PB_AMOUNT_TEXT_MAX + 2];
    short_amount(w, tol, PB_TOLERANCE_DECIMALS, 0, buf);
    return pb_yw_kv_plain(w, "tolerance", buf);
}

static int write_table(pb_yw *w, void *part)
{
    pb_table *t = part;
    if (!pb_yw_text(w, A->pb_table_id(t)) || !pb_yw_mapping_start(w, 0))
        return 0;
    if (!pb_yw_kv_text(w, "title", A->pb_table_text(t, PB_TABLE_TITLE)) ||
        !pb_yw_kv_text(w, "kind", A->pb_table_text(t, PB_TABLE_KIND)))
        return 0;
    const char *unit = A->pb_table_text(t, PB_TABLE_UNIT);
    if (unit && strcmp(unit, "\xc2\xa3'000") && !pb_yw_kv_text(w, "unit", unit))
        return 0;
    if (A->pb_table_decimals(t) && !pb_yw_kv_int(w, "decimals", A->pb_table_decimals(t)))
        return 0;
    if (A->pb_table_income_sign(t) < 0 && !pb_yw_kv_plain(w, "income_sign", "negative"))
        return 0;
    if (!A->pb_table_blank_zero(t) && !pb_yw_kv_plain(w, "blank", "missing"))
        return 0;
    pb_amount tol;
    if (A->pb_table_tolerance(t, &tol) && !tolerance(w, tol))
        return 0;
    if (!pb_yw_kv_text(w, "note", A->pb_table_text(t, PB_TABLE_NOTE)))
        return 0;
    if (!write_columns(w, t))
        return 0;
    pb_yw_tree rows = {t, row_end, write_row};
    if (!pb_yw_plain(w, "rows") || !pb_yw_write_tree(w, &rows, 0, A->pb_table_row_count(t)))
        return 0;
    return pb_yw_mapping_end(w);
}

/* -------------------------------------------------------- agreements */

static int write_side(pb_yw *w, size_t a, pb_side s)
{
    pb_plan *p = w->plan;
    if (!pb_yw_open_map(w, s == PB_LEFT ? "left" : "right", 1))
        return 0;
    const char *table = A->pb_agreement_table(p, a, s);
    if (!pb_yw_plain(w, "table") || !(table ? pb_yw_text(w, table) : null_value(w)))
        return 0;
    size_t nr = A->pb_agreement_row_count(p, a, s);
    if (!pb_yw_plain(w, "rows"))
        return 0;
    if (nr == 1 && !strcmp(A->pb_agreement_row(p, a, s, 0), "lines")) {
        if (!pb_yw_plain(w, "lines"))
            return 0;
    } else {
        if (!pb_yw_sequence_start(w, 1))
            return 0;
        for (size_t k = 0; k < nr; k++)
            if (!pb_yw_text(w, A->pb_agreement_row(p, a, s, k)))
                return 0;
        if (!pb_yw_sequence_end(w))
            return 0;
    }
    if (!pb_yw_open_seq(w, "columns", 1))
        return 0;
    for (size_t k = 0; k < A->pb_agreement_column_count(p, a, s); k++)
        if (!pb_yw_text(w, A->pb_agreement_column(p, a, s, k)))
            return 0;
    if (!pb_yw_sequence_end(w))
        return 0;
    if (A->pb_agreement_negate(p, a, s) && !pb_yw_kv_plain(w, "negate", "true"))
        return 0;
    return pb_yw_mapping_end(w);
}

static int write_agreements(pb_yw *w)
{
    size_t n = A->pb_plan_agreement_count(w->plan);
    if (!n)
        return 1;
    if (!pb_yw_open_seq(w, "agreements", 0))
        return 0;
    for (size_t a = 0; a < n; a++) {
        if (!pb_yw_mapping_start(w, 0) || !pb_yw_kv_text(w, "name", A->pb_agreement_name(w->plan, a)) ||
            !pb_yw_kv_text(w, "note", A->pb_agreement_note(w->plan, a)))
            return 0;
        pb_amount tol;
        if (A->pb_agreement_tolerance(w->plan, a, &tol) && !tolerance(w, tol))
            return 0;
        if (!write_side(w, a, PB_LEFT) || !write_side(w, a, PB_RIGHT) || !pb_yw_mapping_end(w))
            return 0;
    }
    return pb_yw_sequence_end(w);
}

/* -------------------------------------------------------- indicators */

static int period_text(pb_yw *w, pb_period p)
{
    char buf[PB_PERIOD_TEXT_MAX];
    A->pb_period_format(p, A->pb_plan_year_start(w->plan), buf);
    return pb_yw_text(w, buf);
}

/* A cell: the short scalar form where it reads back the same, else
 * {value, status, note}. */
static int write_cell(pb_yw *w, pb_indset *s, const pb_obs *o)
{
    const char *note = A->pb_indset_string(s, o->note);
    size_t nl = strlen(note);
    char buf[PB_AMOUNT_TEXT_MAX + 4];
    int hasv = A->pb_obs_has_value((pb_obs_status)o->status);
    if (hasv)
        A->pb_obs_format_value(o, buf);
    if (!nl) {
        switch ((pb_obs_status)o->status) {
        case PB_OBS_BLANK:
            return scalar(w, "", 0, YAML_SINGLE_QUOTED_SCALAR_STYLE);
        case PB_OBS_NOT_APPLICABLE:
            return pb_yw_plain(w, "n/a");
        case PB_OBS_NOT_AVAILABLE:
            return pb_yw_plain(w, "Not available");
        case PB_OBS_TBC:
            return pb_yw_plain(w, "TBC");
        case PB_OBS_NORMAL:
            return pb_yw_text(w, buf);
        default:
            break;
        }
    } else if (o->status == PB_OBS_NORMAL && !strpbrk(note, "()\n") &&
               note[0] != ' ' && note[nl - 1] != ' ' && nl < 200) {
        char t[PB_AMOUNT_TEXT_MAX + 210];
        snprintf(t, sizeof t, "%s (%s)", buf, note);
        return pb_yw_text(w, t);
    }
    if (!pb_yw_mapping_start(w, 1))
        return 0;
    if (hasv && !pb_yw_kv_text(w, "value", buf))
        return 0;
    if (o->status != PB_OBS_NORMAL &&
        !pb_yw_kv_plain(w, "status", A->pb_obs_status_name((pb_obs_status)o->status)))
        return 0;
    if (nl && !pb_yw_kv_text(w, "note", note))
        return 0;
    return pb_yw_mapping_end(w);
}

static int series_used(pb_indset *s, const pb_api *api, uint32_t series, size_t i)
{
    size_t np = api->pb_indset_period_count(s);
    for (size_t k = 0; k < np; k++) {
        const pb_obs *o = api->pb_ind_cell(s, series, i, k);
        if (o->status != PB_OBS_BLANK || o->note)
            return 1;
    }
    return 0;
}

static int write_series(pb_yw *w, pb_indset *s, const char *key, uint32_t series, size_t i)
{
    size_t np = A->pb_indset_period_count(s);
    if (key && !pb_yw_plain(w, key))
        return 0;
    if (!pb_yw_sequence_start(w, 1))
        return 0;
    for (size_t k = 0; k < np; k++)
        if (!write_cell(w, s, A->pb_ind_cell(s, series, i, k)))
            return 0;
    return pb_yw_sequence_end(w);
}

/* A measure's texts and settings. */
static int write_measure_head(pb_yw *w, pb_indset *s, size_t i, int companion)
{
    static const char *const names[PB_IND_FIELD_COUNT] = {
        "ref", "name", "group", "objective", "owner", "framework", "definition", "footnote"};
    for (int f = 0; f < PB_IND_FIELD_COUNT; f++)
        if (!pb_yw_kv_text(w, names[f], A->pb_ind_text(s, i, (pb_ind_field)f)))
            return 0;
    if (companion && A->pb_ind_role_of(s, i) != PB_IND_COUNT_ROW &&
        !pb_yw_kv_plain(w, "role", A->pb_ind_role_name(A->pb_ind_role_of(s, i))))
        return 0;
    if (A->pb_ind_unit(s, i) != PB_UNIT_NUMBER &&
        !pb_yw_kv_plain(w, "unit", A->pb_unit_name(A->pb_ind_unit(s, i))))
        return 0;
    if (A->pb_ind_per(s, i) && !pb_yw_kv_int(w, "per", (long long)A->pb_ind_per(s, i)))
        return 0;
    if (A->pb_ind_decimals(s, i) >= 0 && !pb_yw_kv_int(w, "decimals", A->pb_ind_decimals(s, i)))
        return 0;
    if (A->pb_ind_polarity(s, i) != PB_POLARITY_NONE &&
        !pb_yw_kv_plain(w, "polarity", A->pb_polarity_name(A->pb_ind_polarity(s, i))))
        return 0;
    int cum = A->pb_ind_cumulative_setting(s, i);
    if (cum >= 0 && !pb_yw_kv_plain(w, "cumulative", cum ? "true" : "false"))
        return 0;
    int ts = A->pb_ind_threshold_state(s, i);
    if (ts == 2 && !pb_yw_kv_plain(w, "thresholds", "not available"))
        return 0;
    if (ts == 1) {
        static const char *const lv[3] = {"good", "of_concern", "action_required"};
        if (!pb_yw_open_map(w, "thresholds", 1))
            return 0;
        for (int l = 0; l < 3; l++) {
            const pb_obs *o = A->pb_ind_threshold(s, i, (pb_level)l);
            if (o->status != PB_OBS_BLANK && !(pb_yw_plain(w, lv[l]) && write_cell(w, s, o)))
                return 0;
        }
        if (!pb_yw_mapping_end(w))
            return 0;
    }
    return 1;
}

/* targets: {period: cell}, and milestones: [{due, target}] */
static int write_targets(pb_yw *w, pb_indset *s, size_t i)
{
    if (series_used(s, A, PB_SERIES_TARGET, i)) {
        if (!pb_yw_open_map(w, "targets", 1))
            return 0;
        size_t np = A->pb_indset_period_count(s);
        for (size_t k = 0; k < np; k++) {
            const pb_obs *o = A->pb_ind_cell(s, PB_SERIES_TARGET, i, k);
            if (o->status == PB_OBS_BLANK && !o->note)
                continue;
            if (!period_text(w, A->pb_indset_period(s, k)) || !write_cell(w, s, o))
                return 0;
        }
        if (!pb_yw_mapping_end(w))
            return 0;
    }
    size_t nm = A->pb_ind_milestone_count(s, i);
    if (nm) {
        if (!pb_yw_open_seq(w, "milestones", 0))
            return 0;
        for (size_t k = 0; k < nm; k++)
            if (!pb_yw_mapping_start(w, 1) || !pb_yw_plain(w, "due") ||
                !pb_yw_text(w, A->pb_ind_milestone_text(s, i, k)) || !pb_yw_plain(w, "target") ||
                !write_cell(w, s, A->pb_ind_milestone_target(s, i, k)) || !pb_yw_mapping_end(w))
                return 0;
        if (!pb_yw_sequence_end(w))
            return 0;
    }
    return 1;
}

/* compare: {comparator: [cells]}, and printed: {last | target | comparator: arrow} */
static int write_comparisons(pb_yw *w, pb_indset *s, size_t i)
{
    size_t nc = A->pb_indset_comparator_count(s);
    int anyc = 0, anyp = 0;
    for (size_t c = 0; c < nc; c++)
        anyc |= series_used(s, A, PB_SERIES_COMPARATOR(c), i);
    if (anyc) {
        if (!pb_yw_open_map(w, "compare", 0))
            return 0;
        for (size_t c = 0; c < nc; c++)
            if (series_used(s, A, PB_SERIES_COMPARATOR(c), i) &&
                !write_series(w, s, A->pb_indset_comparator_id(s, c), PB_SERIES_COMPARATOR(c), i))
                return 0;
        if (!pb_yw_mapping_end(w))
            return 0;
    }
    for (uint32_t key = 0; key < 2 + nc; key++)
        anyp |= A->pb_ind_printed(s, i, key) != PB_ARROW_NONE;
    if (!anyp)
        return 1;
    if (!pb_yw_open_map(w, "printed", 1))
        return 0;
    for (uint32_t key = 0; key < 2 + nc; key++) {
        pb_arrow a = A->pb_ind_printed(s, i, key);
        if (a == PB_ARROW_NONE)
            continue;
        const char *k = key == PB_PRINTED_LAST     ? "last"
                        : key == PB_PRINTED_TARGET ? "target"
                                                   : A->pb_indset_comparator_id(s, key - 2);
        if (!pb_yw_kv_plain(w, k, A->pb_arrow_name(a)))
            return 0;
    }
    return pb_yw_mapping_end(w);
}

/* Measure i with its companion series [i + 1, end) under counts. */
static int write_measure(pb_yw *w, pb_indset *s, size_t i, size_t end)
{
    int companion = A->pb_ind_parent(s, i) != PB_NONE;
    if (!pb_yw_mapping_start(w, 0) || !write_measure_head(w, s, i, companion))
        return 0;
    if (series_used(s, A, PB_SERIES_VALUE, i) && !write_series(w, s, "values", PB_SERIES_VALUE, i))
        return 0;
    if (!write_targets(w, s, i) || !write_comparisons(w, s, i))
        return 0;
    if (!companion && end > i + 1) {
        if (!pb_yw_open_seq(w, "counts", 0))
            return 0;
        for (size_t j = i + 1; j < end; j++)
            if (!write_measure(w, s, j, j + 1))
                return 0;
        if (!pb_yw_sequence_end(w))
            return 0;
    }
    return pb_yw_mapping_end(w);
}

static const char *footnote_mark(const pb_api *api, const void *s, size_t k)
{
    return api->pb_indset_footnote_mark(s, k);
}
static const char *footnote_text(const pb_api *api, const void *s, size_t k)
{
    return api->pb_indset_footnote_text(s, k);
}

static const char *indset_text(const pb_api *api, const void *s, size_t i, int f)
{
    (void)i;
    return api->pb_indset_text(s, (pb_indset_field)f);
}

static int write_indset(pb_yw *w, void *part)
{
    pb_indset *s = part;
    size_t nd;
    const pb_field_desc *d = A->pb_indset_fields(&nd);
    if (!pb_yw_text(w, A->pb_indset_id(s)) || !pb_yw_mapping_start(w, 0))
        return 0;
    if (!pb_yw_described(w, d, nd, indset_text, s, PB_NONE))
        return 0;
    size_t np = A->pb_indset_period_count(s);
    if (!pb_yw_open_seq(w, "periods", 1))
        return 0;
    for (size_t k = 0; k < np; k++)
        if (!period_text(w, A->pb_indset_period(s, k)))
            return 0;
    if (!pb_yw_sequence_end(w))
        return 0;
    uint32_t latest = A->pb_indset_latest(s);
    if (latest != PB_NONE && !(pb_yw_plain(w, "latest") && period_text(w, A->pb_indset_period(s, latest))))
        return 0;
    static const char *const dirs[3] = {"previous", "year_ago", "outturn"};
    if (A->pb_indset_direction(s) != PB_DIR_PREVIOUS &&
        !pb_yw_kv_plain(w, "direction", dirs[A->pb_indset_direction(s)]))
        return 0;
    if (A->pb_indset_cumulative(s) && !pb_yw_kv_plain(w, "cumulative", "true"))
        return 0;
    size_t nc = A->pb_indset_comparator_count(s);
    if (nc) {
        if (!pb_yw_open_seq(w, "comparators", 0))
            return 0;
        for (size_t c = 0; c < nc; c++)
            if (!text_pair(w, "id", A->pb_indset_comparator_id(s, c), "name",
                           A->pb_indset_comparator_name(s, c)))
                return 0;
        if (!pb_yw_sequence_end(w))
            return 0;
    }
    if (!pb_yw_text_map(w, "footnotes", s, A->pb_indset_footnote_count(s), footnote_mark,
                        footnote_text))
        return 0;
    size_t n = A->pb_indset_count(s);
    if (!pb_yw_open_seq(w, "measures", 0))
        return 0;
    for (size_t i = 0; i < n;) {
        size_t end = i + 1;
        while (end < n && A->pb_ind_parent(s, end) != PB_NONE)
            end++;
        if (!write_measure(w, s, i, end))
            return 0;
        i = end;
    }
    return pb_yw_sequence_end(w) && pb_yw_mapping_end(w);
}

/* key: {id: part...}: every part of a kind, each written by one; nothing
 * when the plan has none, unless even_empty ("budgets: {}"). */
static int write_parts(pb_yw *w, const char *key, size_t (*count)(const pb_plan *),
                       void *(*at)(pb_yw *, size_t), int (*one)(pb_yw *, void *),
                       int even_empty)
{
    size_t n = count(w->plan);
    if (!n && !even_empty)
        return 1;
    if (!pb_yw_open_map(w, key, 0))
        return 0;
    for (size_t k = 0; k < n; k++)
        if (!one(w, at(w, k)))
            return 0;
    return pb_yw_mapping_end(w);
}

static int rag_tolerance(pb_yw *w)
{
    int pct;
    int64_t v;
    A->pb_plan_rag_tolerance(w->plan, &pct, &v);
    char buf[PB_AMOUNT_TEXT_MAX + 2];
    short_amount(w, v, PB_OBS_SCALE, pct, buf);
    return pb_yw_kv_text(w, "rag_tolerance", buf);
}

/* key: {k1: v1, k2: v2} with whole numbers */
static int int_pair(pb_yw *w, const char *key, const char *k1, int v1, const char *k2, int v2)
{
    return pb_yw_open_map(w, key, 1) && pb_yw_kv_int(w, k1, v1) && pb_yw_kv_int(w, k2, v2) && pb_yw_mapping_end(w);
}

static int risk_settings(pb_yw *w)
{
    int l, i, g, a;
    A->pb_plan_risk_matrix(w->plan, &l, &i);
    A->pb_plan_risk_bands(w->plan, &g, &a);
    if ((l != 5 || i != 5) && !int_pair(w, "risk_matrix", "likelihood", l, "impact", i))
        return 0;
    if ((g != 4 || a != 12) && !int_pair(w, "risk_bands", "green", g, "amber", a))
        return 0;
    return 1;
}

/* ---------------------------------------------------------- document */

static void *plan_table(pb_yw *w, size_t k) { return A->pb_plan_table(w->plan, k); }
static void *plan_indset(pb_yw *w, size_t k) { return A->pb_plan_indset(w->plan, k); }
static void *plan_register(pb_yw *w, size_t k) { return A->pb_plan_register(w->plan, k); }
static void *plan_collection(pb_yw *w, size_t k) { return A->pb_plan_collection(w->plan, k); }

static int write_document(pb_yw *w)
{
    yaml_event_t ev;
    if (!emit(w, &ev, yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING)) ||
        !emit(w, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1)) ||
        !pb_yw_mapping_start(w, 0) || !pb_yw_kv_plain(w, "planbook", "1"))
        return 0;
    pb_plan *p = w->plan;
    if (!pb_yw_open_map(w, "plan", 0))
        return 0;
    for (int k = 0; k < PB_META_COUNT; k++)
        if (!pb_yw_kv_text(w, A->pb_meta_key_name((pb_meta_key)k), A->pb_plan_meta(p, (pb_meta_key)k)))
            return 0;
    if (!pb_yw_kv_plain(w, "year_start", month_names[A->pb_plan_year_start(p) - 1]) ||
        !pb_yw_mapping_end(w))
        return 0;
    int rpct;
    int64_t rtol;
    A->pb_plan_rag_tolerance(p, &rpct, &rtol);
    int rag_default = rpct && rtol == 5 * INT64_C(1000000);
    int lm, im, gb, ab;
    A->pb_plan_risk_matrix(p, &lm, &im);
    A->pb_plan_risk_bands(p, &gb, &ab);
    int risk_default = lm == 5 && im == 5 && gb == 4 && ab == 12;
    if (A->pb_plan_tolerance(p) || !rag_default || !risk_default) {
        if (!pb_yw_open_map(w, "settings", 0))
            return 0;
        if (A->pb_plan_tolerance(p) && !tolerance(w, A->pb_plan_tolerance(p)))
            return 0;
        if (!rag_default && !rag_tolerance(w))
            return 0;
        if (!risk_settings(w))
            return 0;
        if (!pb_yw_mapping_end(w))
            return 0;
    }
    /* a plan of nothing still says "budgets: {}" */
    int only_budgets = !(A->pb_plan_indset_count(p) || A->pb_plan_register_count(p) ||
                         A->pb_plan_collection_count(p));
    if ((!w->no_budgets &&
         !write_parts(w, "budgets", A->pb_plan_table_count, plan_table, write_table,
                      only_budgets)) ||
        !write_agreements(w) ||
        !write_parts(w, "indicators", A->pb_plan_indset_count, plan_indset, write_indset, 0) ||
        !write_parts(w, "risks", A->pb_plan_register_count, plan_register, pb_yw_register, 0) ||
        !write_parts(w, "records", A->pb_plan_collection_count, plan_collection,
                     pb_yw_collection, 0) ||
        !pb_yw_described_parts(w) || !pb_yw_mapping_end(w))
        return 0;
    return emit(w, &ev, yaml_document_end_event_initialize(&ev, 1)) &&
           emit(w, &ev, yaml_stream_end_event_initialize(&ev)) &&
           (yaml_emitter_flush(&w->em) || emit_fail(w));
}

pb_status pb_yaml_write(const pb_api *api, pb_plan *plan, pb_yaml_sink sink,
                        void *ctx, pb_error *err)
{
    return pb_yaml_write_opts(api, plan, 0, sink, ctx, err);
}

pb_status pb_yaml_write_opts(const pb_api *api, pb_plan *plan, unsigned flags,
                             pb_yaml_sink sink, void *ctx, pb_error *err)
{
    pb_yw wr;
    pb_yw *w = &wr;
    memset(w, 0, sizeof *w);
    w->api = api;
    w->plan = plan;
    w->no_budgets = (flags & PB_YAML_NO_BUDGETS) != 0;
    w->err = err;
    w->sink = sink;
    w->ctx = ctx;
    A->pb_error_clear(err);
    if (!yaml_emitter_initialize(&w->em))
        return A->pb_error_set(err, PB_ERR_NOMEM, NULL);
    yaml_emitter_set_output(&w->em, write_handler, w);
    yaml_emitter_set_unicode(&w->em, 1);
    yaml_emitter_set_width(&w->em, -1);
    yaml_emitter_set_indent(&w->em, 2);
    yaml_emitter_set_break(&w->em, YAML_LN_BREAK);
    int ok = write_document(w);
    yaml_emitter_delete(&w->em);
    if (!ok && err->status == PB_OK)
        A->pb_error_set(err, PB_ERR_IO, "writing the plan failed");
    return ok ? PB_OK : err->status;
}
