/* pb_yaml_write.c - writing a plan in the canonical layout with libyaml's
 * emitter (docs/format.md, "The canonical layout").
 *
 * Event ownership: an event handed to yaml_emitter_emit belongs to the
 * emitter even when the call fails, so it is never deleted here.
 */
#include "pb_yaml.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

typedef struct writer {
    const pb_api *api;
    pb_plan *plan;
    pb_error *err;
    yaml_emitter_t em;
    pb_yaml_sink sink;
    void *ctx;
    int sink_failed;
} writer;

#define A (w->api)

static const char *const month_names[12] = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

static int write_handler(void *ctx, unsigned char *buffer, size_t size)
{
    writer *w = ctx;
    if (!w->sink(w->ctx, buffer, size)) {
        w->sink_failed = 1;
        return 0;
    }
    return 1;
}

static int emit_fail(writer *w)
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

static int emit(writer *w, yaml_event_t *ev, int made)
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

static int scalar(writer *w, const char *s, size_t n, yaml_scalar_style_t style)
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
static int text(writer *w, const char *s)
{
    size_t n = strlen(s);
    if (memchr(s, '\n', n))
        return scalar(w, s, n, YAML_LITERAL_SCALAR_STYLE);
    if (looks_typed(s, n))
        return scalar(w, s, n, YAML_SINGLE_QUOTED_SCALAR_STYLE);
    return scalar(w, s, n, YAML_PLAIN_SCALAR_STYLE);
}

static int plain(writer *w, const char *s)
{
    return scalar(w, s, strlen(s), YAML_PLAIN_SCALAR_STYLE);
}

static int null_value(writer *w) { return plain(w, "~"); }

static int mapping_start(writer *w, int flow)
{
    yaml_event_t ev;
    return emit(w, &ev,
                yaml_mapping_start_event_initialize(
                    &ev, NULL, NULL, 1, flow ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE));
}

static int mapping_end(writer *w)
{
    yaml_event_t ev;
    return emit(w, &ev, yaml_mapping_end_event_initialize(&ev));
}

static int sequence_start(writer *w, int flow)
{
    yaml_event_t ev;
    return emit(w, &ev,
                yaml_sequence_start_event_initialize(
                    &ev, NULL, NULL, 1, flow ? YAML_FLOW_SEQUENCE_STYLE : YAML_BLOCK_SEQUENCE_STYLE));
}

static int sequence_end(writer *w)
{
    yaml_event_t ev;
    return emit(w, &ev, yaml_sequence_end_event_initialize(&ev));
}

/* key: text (skipped when value is NULL) */
static int kv_text(writer *w, const char *key, const char *value)
{
    if (!value)
        return 1;
    return plain(w, key) && text(w, value);
}

static int amount(writer *w, pb_amount v, int decimals)
{
    char buf[PB_AMOUNT_TEXT_MAX];
    A->pb_amount_format(v, decimals, 0, buf);
    return plain(w, buf);
}

/* ------------------------------------------------------------ tables */

static int write_columns(writer *w, pb_table *t)
{
    size_t nc = A->pb_table_column_count(t);
    if (!plain(w, "columns") || !sequence_start(w, 0))
        return 0;
    for (size_t c = 0; c < nc; c++) {
        if (!mapping_start(w, 1) || !plain(w, "id") || !text(w, A->pb_column_id(t, c)))
            return 0;
        if (!kv_text(w, "label", A->pb_column_text(t, c, PB_COLUMN_LABEL)))
            return 0;
        pb_period p = A->pb_column_period(t, c);
        if (p.kind != PB_PERIOD_NONE) {
            char buf[PB_PERIOD_TEXT_MAX];
            A->pb_period_format(p, A->pb_plan_year_start(w->plan), buf);
            if (!plain(w, "period") || !text(w, buf))
                return 0;
        }
        if (!kv_text(w, "phase", A->pb_column_text(t, c, PB_COLUMN_PHASE)) ||
            !kv_text(w, "measure", A->pb_column_text(t, c, PB_COLUMN_MEASURE)))
            return 0;
        if (A->pb_column_type_of(t, c) == PB_COL_TEXT &&
            !(plain(w, "type") && plain(w, "text")))
            return 0;
        if (A->pb_column_has_decimals(t, c)) {
            char d[8];
            snprintf(d, sizeof d, "%d", A->pb_column_decimals(t, c));
            if (!plain(w, "decimals") || !plain(w, d))
                return 0;
        }
        if (!kv_text(w, "unit", A->pb_column_text(t, c, PB_COLUMN_UNIT)))
            return 0;
        size_t nt = A->pb_column_term_count(t, c);
        if (nt) {
            if (!plain(w, "sum") || !sequence_start(w, 1))
                return 0;
            for (size_t k = 0; k < nt; k++) {
                uint32_t tc;
                int sign;
                A->pb_column_term(t, c, k, &tc, &sign);
                char buf[PB_ID_MAX + 2];
                snprintf(buf, sizeof buf, "%s%s", sign < 0 ? "-" : "", A->pb_column_id(t, tc));
                if (!text(w, buf))
                    return 0;
            }
            if (!sequence_end(w))
                return 0;
        }
        uint32_t eq = A->pb_column_equals(t, c);
        if (eq != PB_NONE && !(plain(w, "equals") && text(w, A->pb_column_id(t, eq))))
            return 0;
        if (!mapping_end(w))
            return 0;
    }
    return sequence_end(w);
}

static int row_has_values(writer *w, pb_table *t, size_t r)
{
    size_t nc = A->pb_table_column_count(t);
    for (size_t c = 0; c < nc; c++)
        if (A->pb_cell_get(t, r, c, NULL) != PB_CELL_BLANK)
            return 1;
    return 0;
}

static int write_values(writer *w, pb_table *t, size_t r)
{
    size_t nc = A->pb_table_column_count(t);
    if (!plain(w, "values") || !sequence_start(w, 1))
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
            ok = text(w, A->pb_cell_text(t, r, c));
            break;
        default:
            ok = null_value(w);
        }
        if (!ok)
            return 0;
    }
    return sequence_end(w);
}

/* Rows [from, to) that are children of `parent`, each with its subtree. */
static int write_rows(writer *w, pb_table *t, size_t from, size_t to)
{
    if (!sequence_start(w, 0))
        return 0;
    size_t r = from;
    while (r < to) {
        size_t end = A->pb_table_row_end(t, r);
        pb_row_kind kind = A->pb_row_kind_of(t, r);
        static const char *const kind_keys[] = {"line", "section", "total"};
        if (!mapping_start(w, 0) || !plain(w, kind_keys[kind]))
            return 0;
        const char *label = A->pb_row_label(t, r);
        if (!(label ? text(w, label) : null_value(w)))
            return 0;
        if (!kv_text(w, "id", A->pb_row_text(t, r, PB_ROW_ID)))
            return 0;
        pb_role role = A->pb_row_role(t, r);
        if (role != PB_ROLE_INHERIT && !(plain(w, "role") && plain(w, A->pb_role_name(role))))
            return 0;
        if (!kv_text(w, "select", A->pb_row_text(t, r, PB_ROW_SELECT)))
            return 0;
        /* an all-blank row is written without values, unless the table is
         * wide: the reader's cell budget (16 cells per byte of input) must
         * still admit what the writer writes */
        if (kind != PB_ROW_SECTION &&
            (row_has_values(w, t, r) || A->pb_table_column_count(t) > 64) &&
            !write_values(w, t, r))
            return 0;
        if (!kv_text(w, "note", A->pb_row_text(t, r, PB_ROW_NOTE)))
            return 0;
        if (end > r + 1) {
            if (!plain(w, kind == PB_ROW_SECTION ? "rows" : "parts") ||
                !write_rows(w, t, r + 1, end))
                return 0;
        } else if (kind == PB_ROW_SECTION) {
            if (!plain(w, "rows") || !sequence_start(w, 1) || !sequence_end(w))
                return 0;
        }
        if (!mapping_end(w))
            return 0;
        r = end;
    }
    return sequence_end(w);
}

static int tolerance(writer *w, pb_amount tol)
{
    /* shortest exact form */
    char buf[PB_AMOUNT_TEXT_MAX];
    A->pb_amount_format(tol, PB_TOLERANCE_DECIMALS, 0, buf);
    size_t n = strlen(buf);
    while (n > 0 && buf[n - 1] == '0' && strchr(buf, '.'))
        buf[--n] = '\0';
    if (n > 0 && buf[n - 1] == '.')
        buf[--n] = '\0';
    return plain(w, "tolerance") && plain(w, buf);
}

static int write_table(writer *w, pb_table *t)
{
    if (!text(w, A->pb_table_id(t)) || !mapping_start(w, 0))
        return 0;
    if (!kv_text(w, "title", A->pb_table_text(t, PB_TABLE_TITLE)) ||
        !kv_text(w, "kind", A->pb_table_text(t, PB_TABLE_KIND)))
        return 0;
    const char *unit = A->pb_table_text(t, PB_TABLE_UNIT);
    if (unit && strcmp(unit, "\xc2\xa3'000") && !kv_text(w, "unit", unit))
        return 0;
    if (A->pb_table_decimals(t)) {
        char d[8];
        snprintf(d, sizeof d, "%d", A->pb_table_decimals(t));
        if (!plain(w, "decimals") || !plain(w, d))
            return 0;
    }
    if (A->pb_table_income_sign(t) < 0 && !(plain(w, "income_sign") && plain(w, "negative")))
        return 0;
    if (!A->pb_table_blank_zero(t) && !(plain(w, "blank") && plain(w, "missing")))
        return 0;
    pb_amount tol;
    if (A->pb_table_tolerance(t, &tol) && !tolerance(w, tol))
        return 0;
    if (!kv_text(w, "note", A->pb_table_text(t, PB_TABLE_NOTE)))
        return 0;
    if (!write_columns(w, t))
        return 0;
    if (!plain(w, "rows") || !write_rows(w, t, 0, A->pb_table_row_count(t)))
        return 0;
    return mapping_end(w);
}

/* -------------------------------------------------------- agreements */

static int write_side(writer *w, size_t a, pb_side s)
{
    pb_plan *p = w->plan;
    if (!plain(w, s == PB_LEFT ? "left" : "right") || !mapping_start(w, 1))
        return 0;
    const char *table = A->pb_agreement_table(p, a, s);
    if (!plain(w, "table") || !(table ? text(w, table) : null_value(w)))
        return 0;
    size_t nr = A->pb_agreement_row_count(p, a, s);
    if (!plain(w, "rows"))
        return 0;
    if (nr == 1 && !strcmp(A->pb_agreement_row(p, a, s, 0), "lines")) {
        if (!plain(w, "lines"))
            return 0;
    } else {
        if (!sequence_start(w, 1))
            return 0;
        for (size_t k = 0; k < nr; k++)
            if (!text(w, A->pb_agreement_row(p, a, s, k)))
                return 0;
        if (!sequence_end(w))
            return 0;
    }
    if (!plain(w, "columns") || !sequence_start(w, 1))
        return 0;
    for (size_t k = 0; k < A->pb_agreement_column_count(p, a, s); k++)
        if (!text(w, A->pb_agreement_column(p, a, s, k)))
            return 0;
    if (!sequence_end(w))
        return 0;
    if (A->pb_agreement_negate(p, a, s) && !(plain(w, "negate") && plain(w, "true")))
        return 0;
    return mapping_end(w);
}

static int write_agreements(writer *w)
{
    size_t n = A->pb_plan_agreement_count(w->plan);
    if (!n)
        return 1;
    if (!plain(w, "agreements") || !sequence_start(w, 0))
        return 0;
    for (size_t a = 0; a < n; a++) {
        if (!mapping_start(w, 0) || !kv_text(w, "name", A->pb_agreement_name(w->plan, a)) ||
            !kv_text(w, "note", A->pb_agreement_note(w->plan, a)))
            return 0;
        pb_amount tol;
        if (A->pb_agreement_tolerance(w->plan, a, &tol) && !tolerance(w, tol))
            return 0;
        if (!write_side(w, a, PB_LEFT) || !write_side(w, a, PB_RIGHT) || !mapping_end(w))
            return 0;
    }
    return sequence_end(w);
}

/* ---------------------------------------------------------- document */

static int write_document(writer *w)
{
    yaml_event_t ev;
    if (!emit(w, &ev, yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING)) ||
        !emit(w, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1)) ||
        !mapping_start(w, 0) || !plain(w, "planbook") || !plain(w, "1"))
        return 0;
    pb_plan *p = w->plan;
    if (!plain(w, "plan") || !mapping_start(w, 0))
        return 0;
    for (int k = 0; k < PB_META_COUNT; k++)
        if (!kv_text(w, A->pb_meta_key_name((pb_meta_key)k), A->pb_plan_meta(p, (pb_meta_key)k)))
            return 0;
    if (!plain(w, "year_start") || !plain(w, month_names[A->pb_plan_year_start(p) - 1]) ||
        !mapping_end(w))
        return 0;
    if (A->pb_plan_tolerance(p)) {
        if (!plain(w, "settings") || !mapping_start(w, 0) ||
            !tolerance(w, A->pb_plan_tolerance(p)) || !mapping_end(w))
            return 0;
    }
    size_t nt = A->pb_plan_table_count(p);
    if (!plain(w, "budgets") || !mapping_start(w, 0))
        return 0;
    for (size_t i = 0; i < nt; i++)
        if (!write_table(w, A->pb_plan_table(p, i)))
            return 0;
    if (!mapping_end(w) || !write_agreements(w) || !mapping_end(w))
        return 0;
    return emit(w, &ev, yaml_document_end_event_initialize(&ev, 1)) &&
           emit(w, &ev, yaml_stream_end_event_initialize(&ev)) &&
           (yaml_emitter_flush(&w->em) || emit_fail(w));
}

pb_status pb_yaml_write(const pb_api *api, pb_plan *plan, pb_yaml_sink sink,
                        void *ctx, pb_error *err)
{
    writer wr;
    writer *w = &wr;
    memset(w, 0, sizeof *w);
    w->api = api;
    w->plan = plan;
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
