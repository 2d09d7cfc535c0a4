/* pb_yaml_read.c - reading a plan file with libyaml's event parser.
 *
 * A recursive-descent reader over the event stream: each schema element
 * (plan, table, column, row, agreement) has a function that consumes
 * exactly its events and builds the core's structures as it goes.  No
 * document tree is built; no Python object is made.
 *
 * Safety: aliases and tags are refused, nesting depth, scalar size and
 * input size are bounded per reader, duplicate keys are errors, and every
 * error names the line, column and data path.
 */
#include "pb_yaml.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* =========================================================== context */

typedef struct reader {
    const pb_api *api;
    pb_plan *plan;
    pb_error *err;
    pb_yaml_limits lim;
    yaml_parser_t parser;
    yaml_event_t ev;
    int have_ev;
    unsigned depth;
    /* input */
    FILE *file;
    long file_start; /* where the file was when reading began, or -1 */
    const unsigned char *data;
    size_t size, pos;
    unsigned long long consumed;
    int over_limit, io_failed;
    unsigned long long cells; /* cells of the rows made so far */
    /* data path, e.g. budgets.subjective.rows[3] */
    char path[PB_ERROR_PATH_MAX];
    size_t pathlen;
} reader;

#define A (r->api)

/* Cells per read: this many, plus this many per byte of input before the
 * row (a written value takes two bytes or more; a blank cell takes none). */
#define PB_YAML_CELLS_BASE (1ull << 22)
#define PB_YAML_CELLS_PER_BYTE 16ull
#define LINE(ev) ((uint32_t)(ev).start_mark.line + 1)
#define COL(ev) ((uint32_t)(ev).start_mark.column + 1)

/* ------------------------------------------------------------- paths */

/* Paths are pushed for every row and value, so they are built by hand
 * (snprintf here cost a tenth of the load time). */
static void path_append(reader *r, const char *s, size_t n)
{
    size_t room = sizeof r->path - 1 - r->pathlen;
    if (n > room)
        n = room;
    memcpy(r->path + r->pathlen, s, n);
    r->pathlen += n;
    r->path[r->pathlen] = '\0';
}

static size_t path_key(reader *r, const char *key, size_t n)
{
    size_t saved = r->pathlen;
    if (r->pathlen)
        path_append(r, ".", 1);
    path_append(r, key, n);
    return saved;
}

static size_t path_index(reader *r, size_t i)
{
    size_t saved = r->pathlen;
    char buf[24];
    size_t k = sizeof buf;
    buf[--k] = ']';
    do {
        buf[--k] = (char)('0' + i % 10);
        i /= 10;
    } while (i);
    buf[--k] = '[';
    path_append(r, buf + k, sizeof buf - k);
    return saved;
}

static void path_pop(reader *r, size_t saved)
{
    r->pathlen = saved;
    r->path[saved] = '\0';
}

/* ------------------------------------------------------------ errors */

/* Text of the file as an error shows it (in place, in buf[cap]): control
 * characters escaped (\n, \t, \r, \xHH; C1 controls as \u0080..\u009F), so
 * that a key with a line break or a terminal escape in it cannot break or
 * drive the one line an error is printed on; and no broken UTF-8 sequence
 * (a quoted text is cut at a number of bytes, which may fall inside a
 * character): such bytes are dropped.  Output cut at a character. */
static void clean_text(char *buf, size_t cap)
{
    char out[PB_ERROR_MESSAGE_MAX > PB_ERROR_PATH_MAX ? PB_ERROR_MESSAGE_MAX
                                                       : PB_ERROR_PATH_MAX];
    size_t n = strlen(buf), o = 0, room = (cap < sizeof out ? cap : sizeof out) - 1;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)buf[i];
        size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3
                                  : (c & 0xF8) == 0xF0 ? 4 : 0;
        size_t k = 1;
        while (len && k < len && i + k < n && ((unsigned char)buf[i + k] & 0xC0) == 0x80)
            k++;
        if (!len || k < len) { /* a stray or cut sequence */
            i += k;
            continue;
        }
        char esc[8];
        const char *piece = buf + i;
        size_t plen = len;
        if (c < 0x20 || c == 0x7F) {
            if (c == '\n' || c == '\t' || c == '\r')
                snprintf(esc, sizeof esc, "\\%c", c == '\n' ? 'n' : c == '\t' ? 't' : 'r');
            else
                snprintf(esc, sizeof esc, "\\x%02X", c);
            piece = esc, plen = strlen(esc);
        } else if (c == 0xC2 && (unsigned char)buf[i + 1] < 0xA0) {
            snprintf(esc, sizeof esc, "\\u%04X", (unsigned char)buf[i + 1]);
            piece = esc, plen = strlen(esc);
        }
        if (o + plen > room)
            break;
        memcpy(out + o, piece, plen);
        o += plen;
        i += len;
    }
    out[o] = '\0';
    memcpy(buf, out, o + 1);
}

static int fail_at(reader *r, pb_status st, uint32_t line, uint32_t col,
                   const char *fmt, ...)
{
    if (r->err->status != PB_OK)
        return 0; /* keep the first error */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err->message, sizeof r->err->message, fmt, ap);
    va_end(ap);
    r->err->status = st;
    r->err->line = line;
    r->err->column = col;
    snprintf(r->err->path, sizeof r->err->path, "%s", r->path);
    clean_text(r->err->message, sizeof r->err->message);
    clean_text(r->err->path, sizeof r->err->path);
    return 0;
}

#define FAIL(st, ...) fail_at(r, st, LINE(r->ev), COL(r->ev), __VA_ARGS__)

/* A core error (amount, period, duplicate id...) at the current event. */
static int core_fail(reader *r, pb_error *e)
{
    return fail_at(r, e->status == PB_ERR_NOMEM ? PB_ERR_NOMEM : e->status,
                   LINE(r->ev), COL(r->ev), "%s", e->message);
}

/* Line and column of a byte offset, for libyaml reader errors, which carry
 * only an offset. */
static void offset_position(reader *r, size_t offset, uint32_t *line,
                            uint32_t *col)
{
    uint32_t l = 1, c = 1;
    size_t i = 0;
    if (r->data) {
        for (; i < offset && i < r->size; i++) {
            unsigned char ch = r->data[i];
            if (ch == '\n') {
                l++;
                c = 1;
            } else if ((ch & 0xC0) != 0x80) {
                c++;
            }
        }
    } else if (r->file && r->file_start >= 0 &&
               fseek(r->file, r->file_start, SEEK_SET) == 0) {
        int ch;
        while (i < offset && (ch = fgetc(r->file)) != EOF) {
            if (ch == '\n') {
                l++;
                c = 1;
            } else if ((ch & 0xC0) != 0x80) {
                c++;
            }
            i++;
        }
    }
    *line = l;
    *col = c;
}

static int parser_fail(reader *r)
{
    yaml_parser_t *p = &r->parser;
    if (p->error == YAML_MEMORY_ERROR)
        return fail_at(r, PB_ERR_NOMEM, 0, 0, "out of memory");
    if (r->over_limit)
        return fail_at(r, PB_ERR_LIMIT, 0, 0,
                       "the input is larger than the limit of %llu bytes",
                       r->lim.max_input);
    if (r->io_failed)
        return fail_at(r, PB_ERR_IO, 0, 0, "the file could not be read");
    const char *problem = p->problem ? p->problem : "invalid YAML";
    if (p->error == YAML_READER_ERROR) {
        uint32_t line, col;
        offset_position(r, p->problem_offset, &line, &col);
        if (p->problem_value != -1)
            return fail_at(r, PB_ERR_PARSE, line, col, "%s (byte 0x%02X at offset %zu)",
                           problem, (unsigned)p->problem_value & 0xFFu,
                           p->problem_offset);
        return fail_at(r, PB_ERR_PARSE, line, col, "%s (at offset %zu)", problem,
                       p->problem_offset);
    }
    uint32_t line = (uint32_t)p->problem_mark.line + 1;
    uint32_t col = (uint32_t)p->problem_mark.column + 1;
    if (p->context)
        return fail_at(r, PB_ERR_PARSE, line, col, "%s %s (the %s began at line %zu, column %zu)",
                       p->context, problem, "construct", p->context_mark.line + 1,
                       p->context_mark.column + 1);
    return fail_at(r, PB_ERR_PARSE, line, col, "%s", problem);
}

/* ------------------------------------------------------------- input */

static int read_handler(void *ctx, unsigned char *buffer, size_t size,
                        size_t *size_read)
{
    reader *r = ctx;
    size_t n;
    if (r->data) {
        n = r->size - r->pos;
        if (n > size)
            n = size;
        memcpy(buffer, r->data + r->pos, n);
        r->pos += n;
    } else {
        n = fread(buffer, 1, size, r->file);
        if (n == 0 && ferror(r->file)) {
            r->io_failed = 1;
            return 0;
        }
    }
    r->consumed += n;
    if (r->consumed > r->lim.max_input) {
        r->over_limit = 1;
        return 0;
    }
    *size_read = n;
    return 1;
}

/* ------------------------------------------------------------ events */

static const char *event_name(yaml_event_type_t t)
{
    switch (t) {
    case YAML_SCALAR_EVENT:
        return "a scalar";
    case YAML_SEQUENCE_START_EVENT:
        return "a sequence";
    case YAML_MAPPING_START_EVENT:
        return "a mapping";
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        return "the end of a collection";
    case YAML_ALIAS_EVENT:
        return "an alias";
    case YAML_DOCUMENT_START_EVENT:
        return "another document";
    case YAML_DOCUMENT_END_EVENT:
    case YAML_STREAM_END_EVENT:
        return "the end of the document";
    default:
        return "something else";
    }
}

/* Move to the next event, enforcing the safety rules. */
static int next(reader *r)
{
    if (r->have_ev) {
        yaml_event_delete(&r->ev);
        r->have_ev = 0;
    }
    if (!yaml_parser_parse(&r->parser, &r->ev))
        return parser_fail(r);
    r->have_ev = 1;
    yaml_event_t *e = &r->ev;
    switch (e->type) {
    case YAML_ALIAS_EVENT:
        return FAIL(PB_ERR_SCHEMA,
                    "aliases (*%s) are not allowed in plan files: repeat the value instead",
                    e->data.alias.anchor ? (const char *)e->data.alias.anchor : "");
    case YAML_SCALAR_EVENT:
        if (e->data.scalar.tag)
            return FAIL(PB_ERR_SCHEMA, "tags (%s) are not allowed in plan files",
                        (const char *)e->data.scalar.tag);
        if (e->data.scalar.length > r->lim.max_scalar)
            return FAIL(PB_ERR_LIMIT, "a value of %zu bytes is larger than the limit of %zu",
                        e->data.scalar.length, r->lim.max_scalar);
        break;
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: {
        yaml_char_t *tag = e->type == YAML_SEQUENCE_START_EVENT
                               ? e->data.sequence_start.tag
                               : e->data.mapping_start.tag;
        if (tag)
            return FAIL(PB_ERR_SCHEMA, "tags (%s) are not allowed in plan files",
                        (const char *)tag);
        if (++r->depth > r->lim.max_depth)
            return FAIL(PB_ERR_LIMIT, "nested deeper than the limit of %u",
                        r->lim.max_depth);
        break;
    }
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        r->depth--;
        break;
    default:
        break;
    }
    return 1;
}

static int is_scalar(reader *r) { return r->ev.type == YAML_SCALAR_EVENT; }

static const char *sval(reader *r) { return (const char *)r->ev.data.scalar.value; }
static size_t slen(reader *r) { return r->ev.data.scalar.length; }

/* A plain ~, null, Null, NULL or empty scalar. */
static int is_null(reader *r)
{
    if (!is_scalar(r) || r->ev.data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return 0;
    const char *s = sval(r);
    size_t n = slen(r);
    return n == 0 || (n == 1 && s[0] == '~') ||
           (n == 4 && (!memcmp(s, "null", 4) || !memcmp(s, "Null", 4) ||
                       !memcmp(s, "NULL", 4)));
}

static int key_is(reader *r, const char *k)
{
    size_t n = strlen(k);
    return slen(r) == n && memcmp(sval(r), k, n) == 0;
}

static int expect(reader *r, yaml_event_type_t t, const char *what)
{
    if (r->ev.type != t)
        return FAIL(PB_ERR_SCHEMA, "expected %s, found %s", what, event_name(r->ev.type));
    return 1;
}

/* The current event must be a text scalar (not null). */
static int text_value(reader *r, const char *what)
{
    if (!is_scalar(r))
        return FAIL(PB_ERR_SCHEMA, "expected %s, found %s", what, event_name(r->ev.type));
    if (memchr(sval(r), '\0', slen(r)))
        return FAIL(PB_ERR_SCHEMA, "text must not contain NUL characters");
    return 1;
}

/* Skip-free mapping iteration: call with the current event at
 * MAPPING_START; each call moves to the next key and returns 1 with the
 * key scalar current, or 0 at MAPPING_END (*done = 1) or on error. */
static int next_key(reader *r, int *done, uint32_t *seen, const char *const *keys,
                    int nkeys, int *which)
{
    *done = 0;
    if (!next(r))
        return 0;
    if (r->ev.type == YAML_MAPPING_END_EVENT) {
        *done = 1;
        return 0;
    }
    if (!is_scalar(r))
        return FAIL(PB_ERR_SCHEMA, "a key must be text, found %s", event_name(r->ev.type));
    for (int k = 0; k < nkeys; k++)
        if (key_is(r, keys[k])) {
            if (*seen & (1u << k)) {
                path_key(r, keys[k], strlen(keys[k]));
                return FAIL(PB_ERR_SCHEMA, "duplicate key '%s'", keys[k]);
            }
            *seen |= 1u << k;
            *which = k;
            return 1;
        }
    /* build the list of known keys for the message */
    char known[400];
    size_t len = 0;
    known[0] = '\0';
    for (int k = 0; k < nkeys && len < sizeof known; k++) {
        int w = snprintf(known + len, sizeof known - len, "%s%s", k ? ", " : "", keys[k]);
        if (w < 0)
            break;
        len += (size_t)w;
    }
    /* the key's first 60 bytes, a NUL in them shown as \x00 (the rest of
     * the escaping is fail_at's) */
    char key[4 * 60 + 1];
    size_t kn = 0;
    for (size_t i = 0; i < slen(r) && i < 60; i++) {
        if (sval(r)[i] == '\0') {
            memcpy(key + kn, "\\x00", 4);
            kn += 4;
        } else {
            key[kn++] = sval(r)[i];
        }
    }
    key[kn] = '\0';
    path_key(r, key, kn);
    return FAIL(PB_ERR_SCHEMA, "unknown key '%s' (expected one of: %s)", key, known);
}

/* Whole number 0..max from a plain scalar. */
static int small_int(reader *r, long max, long *out, const char *what)
{
    if (!text_value(r, what))
        return 0;
    const char *s = sval(r);
    size_t n = slen(r);
    long v = 0;
    if (n == 0 || n > 9)
        return FAIL(PB_ERR_SCHEMA, "expected %s", what);
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return FAIL(PB_ERR_SCHEMA, "expected %s, found '%.*s'", what, (int)n, s);
        v = v * 10 + (s[i] - '0');
    }
    if (v > max)
        return FAIL(PB_ERR_SCHEMA, "expected %s, found %ld", what, v);
    *out = v;
    return 1;
}

/* A tolerance (finance notation, at PB_TOLERANCE_DECIMALS). */
static int tolerance_value(reader *r, pb_amount *out)
{
    if (!text_value(r, "a tolerance"))
        return 0;
    pb_error e;
    A->pb_error_clear(&e);
    pb_cell_state st;
    if (A->pb_amount_parse(sval(r), slen(r), PB_TOLERANCE_DECIMALS, out, &st, &e))
        return core_fail(r, &e);
    if (st != PB_CELL_VALUE || *out < 0)
        return FAIL(PB_ERR_SCHEMA, "a tolerance is a number, zero or more");
    return 1;
}

static int bool_value(reader *r, int *out)
{
    if (!text_value(r, "true or false"))
        return 0;
    if (key_is(r, "true") || key_is(r, "True") || key_is(r, "TRUE")) {
        *out = 1;
        return 1;
    }
    if (key_is(r, "false") || key_is(r, "False") || key_is(r, "FALSE")) {
        *out = 0;
        return 1;
    }
    return FAIL(PB_ERR_SCHEMA, "expected true or false, found '%.*s'",
                (int)(slen(r) > 40 ? 40 : slen(r)), sval(r));
}

/* ============================================================ plan */

static int read_plan_meta(reader *r)
{
    static const char *const keys[] = {
        "title",       "organisation", "directorate", "service", "period",
        "status",      "version",      "owner",       "review_date",
        "next_review", "source",       "notes",       "year_start"};
    if (!expect(r, YAML_MAPPING_START_EVENT, "a mapping of plan details"))
        return 0;
    uint32_t seen = 0;
    int done, k;
    while (next_key(r, &done, &seen, keys, 13, &k)) {
        size_t saved = path_key(r, keys[k], strlen(keys[k]));
        if (!next(r))
            return 0;
        if (k == 12) {
            if (!text_value(r, "a month"))
                return 0;
            int m = A->pb_month_from_name(sval(r), slen(r));
            long v = 0;
            if (!m) {
                if (!small_int(r, 12, &v, "a month name or number 1-12"))
                    return 0;
                m = (int)v;
            }
            /* the tables' periods were read with the year start in force */
            if (m >= 1 && m <= 12 && m != A->pb_plan_year_start(r->plan) &&
                (A->pb_plan_table_count(r->plan) || A->pb_plan_indset_count(r->plan)))
                return FAIL(PB_ERR_SCHEMA,
                            "plan.year_start must come before budgets (the periods of "
                            "the tables above were read with the year starting in April)");
            pb_error e;
            A->pb_error_clear(&e);
            if (A->pb_plan_set_year_start(r->plan, m, &e))
                return core_fail(r, &e);
        } else if (!is_null(r)) {
            if (!text_value(r, "text"))
                return 0;
            int mk = A->pb_meta_key_from_name(keys[k], strlen(keys[k]));
            pb_error e;
            A->pb_error_clear(&e);
            if (A->pb_plan_set_meta(r->plan, (pb_meta_key)mk, sval(r), slen(r), &e))
                return core_fail(r, &e);
        }
        path_pop(r, saved);
    }
    return done;
}

static int read_settings(reader *r)
{
    static const char *const keys[] = {"tolerance", "rag_tolerance", "risk_matrix", "risk_bands"};
    if (!expect(r, YAML_MAPPING_START_EVENT, "a mapping of settings"))
        return 0;
    uint32_t seen = 0;
    int done, k;
    while (next_key(r, &done, &seen, keys, 4, &k)) {
        size_t saved = path_key(r, keys[k], strlen(keys[k]));
        if (!next(r))
            return 0;
        if (k == 2 || k == 3) {
            static const char *const mk[2][2] = {{"likelihood", "impact"}, {"green", "amber"}};
            uint32_t line = LINE(r->ev), col = COL(r->ev);
            if (!expect(r, YAML_MAPPING_START_EVENT, k == 2 ? "{likelihood: 5, impact: 5}"
                                                            : "{green: 4, amber: 12}"))
                return 0;
            uint32_t mseen = 0;
            int mdone, mi;
            long v[2];
            int a0, a1;
            if (k == 2)
                A->pb_plan_risk_matrix(r->plan, &a0, &a1);
            else
                A->pb_plan_risk_bands(r->plan, &a0, &a1);
            v[0] = a0, v[1] = a1;
            while (next_key(r, &mdone, &mseen, mk[k - 2], 2, &mi))
                if (!next(r) || !small_int(r, 100, &v[mi], "a whole number"))
                    return 0;
            if (!mdone)
                return 0;
            pb_error e;
            A->pb_error_clear(&e);
            if ((k == 2 ? A->pb_plan_set_risk_matrix(r->plan, (int)v[0], (int)v[1], &e)
                        : A->pb_plan_set_risk_bands(r->plan, (int)v[0], (int)v[1], &e)))
                return fail_at(r, e.status, line, col, "%s", e.message);
            path_pop(r, saved);
            continue;
        }
        if (k == 1) {
            if (!text_value(r, "a tolerance such as 5% or 0.5"))
                return 0;
            size_t n = slen(r);
            int pct = n > 0 && sval(r)[n - 1] == '%';
            pb_error e;
            A->pb_error_clear(&e);
            pb_amount v;
            pb_cell_state st;
            if (A->pb_amount_parse(sval(r), n - (size_t)pct, PB_OBS_SCALE, &v, &st, &e))
                return core_fail(r, &e);
            if (st != PB_CELL_VALUE || v < 0)
                return FAIL(PB_ERR_SCHEMA, "rag_tolerance is a figure or a percentage, zero or more");
            if (A->pb_plan_set_rag_tolerance(r->plan, pct, v, &e))
                return core_fail(r, &e);
            path_pop(r, saved);
            continue;
        }
        pb_amount tol;
        if (!tolerance_value(r, &tol))
            return 0;
        pb_error e;
        A->pb_error_clear(&e);
        if (A->pb_plan_set_tolerance(r->plan, tol, &e))
            return core_fail(r, &e);
        path_pop(r, saved);
    }
    return done;
}

/* ========================================================== columns */

typedef struct term_ref {
    char *id;
    int sign;
    uint32_t line, col;
} term_ref;

typedef struct col_refs {
    term_ref *terms;
    size_t nterms;
    char *equals;
    uint32_t eq_line, eq_col;
    uint32_t sum_line, sum_col;
} col_refs;

static void col_refs_free(col_refs *refs, size_t n)
{
    if (!refs)
        return;
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < refs[i].nterms; k++)
            free(refs[i].terms[k].id);
        free(refs[i].terms);
        free(refs[i].equals);
    }
    free(refs);
}

static char *copy_scalar(reader *r)
{
    char *s = malloc(slen(r) + 1);
    if (!s) {
        FAIL(PB_ERR_NOMEM, "out of memory");
        return NULL;
    }
    memcpy(s, sval(r), slen(r));
    s[slen(r)] = '\0';
    return s;
}

/* One column mapping.  The id may come anywhere in it, so the other
 * fields are gathered first and applied once the column exists. */
static int read_column(reader *r, pb_table *t, col_refs *ref)
{
    static const char *const keys[] = {"id",   "label",    "period", "phase", "measure",
                                       "type", "decimals", "unit",   "sum",   "equals"};
    enum { K_ID, K_LABEL, K_PERIOD, K_PHASE, K_MEASURE, K_TYPE, K_DECIMALS, K_UNIT, K_SUM, K_EQUALS };
    if (!expect(r, YAML_MAPPING_START_EVENT, "a column (a mapping with an id)"))
        return 0;
    uint32_t map_line = LINE(r->ev), map_col = COL(r->ev);
    char *text[10] = {0};
    uint32_t at_line[10] = {0}, at_col[10] = {0};
    int ok = 0, type_text = 0;
    long decimals = -1;
    uint32_t seen = 0;
    int done = 0, k;
    while (next_key(r, &done, &seen, keys, 10, &k)) {
        size_t saved = path_key(r, keys[k], strlen(keys[k]));
        if (!next(r))
            goto out;
        at_line[k] = LINE(r->ev);
        at_col[k] = COL(r->ev);
        if (k == K_SUM) {
            ref->sum_line = LINE(r->ev);
            ref->sum_col = COL(r->ev);
            if (!expect(r, YAML_SEQUENCE_START_EVENT, "a list of column ids"))
                goto out;
            size_t i = 0;
            for (;;) {
                if (!next(r))
                    goto out;
                if (r->ev.type == YAML_SEQUENCE_END_EVENT)
                    break;
                size_t s2 = path_index(r, i++);
                if (!text_value(r, "a column id"))
                    goto out;
                term_ref *nt = realloc(ref->terms, (ref->nterms + 1) * sizeof *nt);
                if (!nt) {
                    FAIL(PB_ERR_NOMEM, "out of memory");
                    goto out;
                }
                ref->terms = nt;
                term_ref *tr = &ref->terms[ref->nterms];
                const char *s = sval(r);
                size_t n = slen(r);
                tr->sign = 1;
                if (n && s[0] == '-') {
                    tr->sign = -1;
                    s++;
                    n--;
                } else if (n && s[0] == '+') {
                    s++;
                    n--;
                }
                tr->id = malloc(n + 1);
                if (!tr->id) {
                    FAIL(PB_ERR_NOMEM, "out of memory");
                    goto out;
                }
                memcpy(tr->id, s, n);
                tr->id[n] = '\0';
                tr->line = LINE(r->ev);
                tr->col = COL(r->ev);
                ref->nterms++;
                path_pop(r, s2);
            }
        } else if (k == K_DECIMALS) {
            if (!small_int(r, PB_MAX_DECIMALS, &decimals, "decimals 0-6"))
                goto out;
        } else if (is_null(r) && k != K_ID) {
            /* absent */
        } else {
            if (!text_value(r, "text"))
                goto out;
            if (k == K_TYPE) {
                if (key_is(r, "text"))
                    type_text = 1;
                else if (!key_is(r, "amount")) {
                    FAIL(PB_ERR_SCHEMA, "a column type is 'amount' or 'text'");
                    goto out;
                }
            } else if (!(text[k] = copy_scalar(r))) {
                goto out;
            }
        }
        path_pop(r, saved);
    }
    if (!done)
        goto out;
    if (!text[K_ID]) {
        fail_at(r, PB_ERR_SCHEMA, map_line, map_col, "a column needs an 'id'");
        goto out;
    }
    {
        pb_error e;
        A->pb_error_clear(&e);
        int64_t c = A->pb_table_add_column(t, text[K_ID], strlen(text[K_ID]), &e);
        if (c < 0) {
            fail_at(r, e.status, at_line[K_ID], at_col[K_ID], "%s", e.message);
            goto out;
        }
        A->pb_column_set_source(t, (size_t)c, map_line, map_col);
        static const int fields[] = {K_LABEL, K_PHASE, K_MEASURE, K_UNIT};
        static const pb_column_field cf[] = {PB_COLUMN_LABEL, PB_COLUMN_PHASE,
                                             PB_COLUMN_MEASURE, PB_COLUMN_UNIT};
        for (int i = 0; i < 4; i++)
            if (text[fields[i]] &&
                A->pb_column_set_text(t, (size_t)c, cf[i], text[fields[i]],
                                      strlen(text[fields[i]]), &e)) {
                fail_at(r, e.status, at_line[fields[i]], at_col[fields[i]], "%s", e.message);
                goto out;
            }
        if (text[K_PERIOD]) {
            pb_period p;
            if (A->pb_period_parse(text[K_PERIOD], strlen(text[K_PERIOD]),
                                   A->pb_plan_year_start(r->plan), &p, &e) ||
                A->pb_column_set_period(t, (size_t)c, p, &e)) {
                fail_at(r, e.status, at_line[K_PERIOD], at_col[K_PERIOD], "%s%s", e.message,
                        strstr(e.message, "bare year")
                            ? " (set plan.year_start before the budgets)"
                            : "");
                goto out;
            }
        }
        if (type_text && A->pb_column_set_type(t, (size_t)c, PB_COL_TEXT, &e)) {
            fail_at(r, e.status, at_line[K_TYPE], at_col[K_TYPE], "%s", e.message);
            goto out;
        }
        if (decimals >= 0 && A->pb_column_set_decimals(t, (size_t)c, (int)decimals, &e)) {
            fail_at(r, e.status, at_line[K_DECIMALS], at_col[K_DECIMALS], "%s", e.message);
            goto out;
        }
        if (text[K_EQUALS]) {
            ref->equals = text[K_EQUALS];
            text[K_EQUALS] = NULL;
            ref->eq_line = at_line[K_EQUALS];
            ref->eq_col = at_col[K_EQUALS];
        }
    }
    ok = 1;
out:
    for (int i = 0; i < 10; i++)
        free(text[i]);
    return ok;
}

/* Resolve the sum and equals references once every column exists. */
static int resolve_columns(reader *r, pb_table *t, col_refs *refs, size_t n)
{
    pb_error e;
    A->pb_error_clear(&e);
    for (size_t c = 0; c < n; c++) {
        col_refs *ref = &refs[c];
        if (ref->nterms) {
            uint32_t cols[64];
            int8_t signs[64];
            if (ref->nterms > 64)
                return fail_at(r, PB_ERR_LIMIT, ref->sum_line, ref->sum_col,
                               "a sum has at most 64 terms");
            for (size_t k = 0; k < ref->nterms; k++) {
                int64_t tc = A->pb_table_find_column(t, ref->terms[k].id,
                                                     strlen(ref->terms[k].id));
                if (tc < 0)
                    return fail_at(r, PB_ERR_SCHEMA, ref->terms[k].line, ref->terms[k].col,
                                   "the sum names no column '%s'", ref->terms[k].id);
                cols[k] = (uint32_t)tc;
                signs[k] = (int8_t)ref->terms[k].sign;
            }
            if (A->pb_column_set_sum(t, c, cols, signs, ref->nterms, &e))
                return fail_at(r, e.status, ref->sum_line, ref->sum_col, "%s", e.message);
        }
        if (ref->equals) {
            int64_t ec = A->pb_table_find_column(t, ref->equals, strlen(ref->equals));
            if (ec < 0)
                return fail_at(r, PB_ERR_SCHEMA, ref->eq_line, ref->eq_col,
                               "'equals' names no column '%s'", ref->equals);
            if (A->pb_column_set_equals(t, c, (uint32_t)ec, &e))
                return fail_at(r, e.status, ref->eq_line, ref->eq_col, "%s", e.message);
        }
    }
    return 1;
}

static int read_columns(reader *r, pb_table *t)
{
    if (!expect(r, YAML_SEQUENCE_START_EVENT, "a list of columns"))
        return 0;
    col_refs *refs = NULL;
    size_t n = 0;
    int ok = 0;
    for (;;) {
        if (!next(r))
            goto out;
        if (r->ev.type == YAML_SEQUENCE_END_EVENT)
            break;
        size_t saved = path_index(r, n);
        col_refs *nr = realloc(refs, (n + 1) * sizeof *nr);
        if (!nr) {
            FAIL(PB_ERR_NOMEM, "out of memory");
            goto out;
        }
        refs = nr;
        memset(&refs[n], 0, sizeof refs[n]);
        n++;
        if (!read_column(r, t, &refs[n - 1]))
            goto out;
        path_pop(r, saved);
    }
    ok = resolve_columns(r, t, refs, n);
out:
    col_refs_free(refs, n);
    return ok;
}

/* ============================================================= rows */

static int read_rows(reader *r, pb_table *t, uint32_t parent, int parts);

static int set_cell(reader *r, pb_table *t, size_t row, size_t c)
{
    pb_error e;
    A->pb_error_clear(&e);
    if (is_null(r)) {
        /* blank: cells start blank */
    } else {
        if (!text_value(r, "a value"))
            return 0;
        if (A->pb_cell_set_text(t, row, c, sval(r), slen(r), &e))
            return core_fail(r, &e);
        if (slen(r) == 0 && A->pb_column_type_of(t, c) == PB_COL_TEXT)
            return FAIL(PB_ERR_SCHEMA, "an empty text is written ~");
    }
    A->pb_cell_set_source(t, row, c, LINE(r->ev), COL(r->ev));
    return 1;
}

static int read_values(reader *r, pb_table *t, size_t row)
{
    size_t ncols = A->pb_table_column_count(t);
    if (r->ev.type == YAML_MAPPING_START_EVENT) {
        /* {column id: value} */
        unsigned char *seen = calloc(ncols ? ncols : 1, 1);
        if (!seen)
            return FAIL(PB_ERR_NOMEM, "out of memory");
        for (;;) {
            if (!next(r))
                goto fail_map;
            if (r->ev.type == YAML_MAPPING_END_EVENT)
                break;
            if (!text_value(r, "a column id"))
                goto fail_map;
            int64_t c = A->pb_table_find_column(t, sval(r), slen(r));
            if (c < 0) {
                FAIL(PB_ERR_SCHEMA, "no column '%.*s' in this table",
                     (int)(slen(r) > 60 ? 60 : slen(r)), sval(r));
                goto fail_map;
            }
            if (seen[c]) {
                FAIL(PB_ERR_SCHEMA, "duplicate key '%s'", A->pb_column_id(t, (size_t)c));
                goto fail_map;
            }
            seen[c] = 1;
            size_t saved = path_key(r, sval(r), slen(r));
            if (!next(r) || !set_cell(r, t, row, (size_t)c))
                goto fail_map;
            path_pop(r, saved);
        }
        free(seen);
        return 1;
    fail_map:
        free(seen);
        return 0;
    }
    if (!expect(r, YAML_SEQUENCE_START_EVENT, "a list of values (one per column)"))
        return 0;
    uint32_t line = LINE(r->ev), col = COL(r->ev);
    size_t i = 0;
    for (;;) {
        if (!next(r))
            return 0;
        if (r->ev.type == YAML_SEQUENCE_END_EVENT)
            break;
        if (i >= ncols)
            return FAIL(PB_ERR_SCHEMA,
                        "more values than the table's %zu columns (in a [...] list a "
                        "comma separates values: quote '1,180')",
                        ncols);
        size_t saved = path_index(r, i);
        if (!set_cell(r, t, row, i))
            return 0;
        path_pop(r, saved);
        i++;
    }
    if (i != ncols)
        return fail_at(r, PB_ERR_SCHEMA, line, col,
                       "%zu values for the table's %zu columns (write ~ for a blank)", i,
                       ncols);
    return 1;
}

/* One row mapping; the first key says its kind. */
static int read_row(reader *r, pb_table *t, uint32_t parent, int is_part)
{
    static const char *const keys[] = {"line", "section", "total", "id",   "role",
                                       "values", "note",  "parts", "rows", "select"};
    enum { K_LINE, K_SECTION, K_TOTAL, K_ID, K_ROLE, K_VALUES, K_NOTE, K_PARTS, K_ROWS, K_SELECT };
    if (!expect(r, YAML_MAPPING_START_EVENT, "a row (a mapping starting with line, section or total)"))
        return 0;
    uint32_t seen = 0;
    int done, k;
    int64_t row = -1;
    int kind = -1;
    pb_error e;
    A->pb_error_clear(&e);
    while (next_key(r, &done, &seen, keys, 10, &k)) {
        size_t saved = path_key(r, keys[k], strlen(keys[k]));
        uint32_t kl = LINE(r->ev), kc = COL(r->ev);
        if (row < 0) {
            if (k > K_TOTAL)
                return FAIL(PB_ERR_SCHEMA,
                            "a row starts with its kind: line, section or total (found '%s')",
                            keys[k]);
            if (is_part && k != K_LINE)
                return FAIL(PB_ERR_SCHEMA, "the parts of a line are lines");
        } else if (k <= K_TOTAL) {
            return FAIL(PB_ERR_SCHEMA, "a row has one kind (found '%s' after '%s')",
                        keys[k], keys[kind]);
        }
        if (!next(r))
            return 0;
        switch (k) {
        case K_LINE:
        case K_SECTION:
        case K_TOTAL: {
            const char *label = NULL;
            size_t n = 0;
            if (!is_null(r)) {
                if (!text_value(r, "a label"))
                    return 0;
                label = sval(r);
                n = slen(r);
            }
            static const pb_row_kind kinds[] = {PB_ROW_LINE, PB_ROW_SECTION, PB_ROW_TOTAL};
            /* Every row holds a cell per column, however little text it
             * takes ("- line: x" in a table of 16,384 columns is 200 KB):
             * bound the cells by the input read so far. */
            size_t ncols = A->pb_table_column_count(t);
            r->cells += ncols ? ncols : 1;
            if (r->cells > PB_YAML_CELLS_BASE +
                               PB_YAML_CELLS_PER_BYTE * (unsigned long long)r->ev.start_mark.index)
                return FAIL(PB_ERR_LIMIT,
                            "more table cells than the input can hold (%llu cells after %zu "
                            "bytes; a row has a cell for each of the table's %zu columns)",
                            r->cells, r->ev.start_mark.index, ncols);
            row = A->pb_table_insert_row(t, A->pb_table_row_count(t), kinds[k], parent,
                                         label, n, &e);
            if (row < 0)
                return core_fail(r, &e);
            A->pb_row_set_source(t, (size_t)row, kl, kc);
            kind = k;
            break;
        }
        case K_ID:
        case K_NOTE:
        case K_SELECT: {
            if (k == K_SELECT && kind != K_TOTAL)
                return FAIL(PB_ERR_SCHEMA, "only a total has 'select'");
            if (is_null(r))
                break;
            if (!text_value(r, "text"))
                return 0;
            pb_row_field f = k == K_ID ? PB_ROW_ID : k == K_NOTE ? PB_ROW_NOTE : PB_ROW_SELECT;
            if (A->pb_row_set_text(t, (size_t)row, f, sval(r), slen(r), &e))
                return core_fail(r, &e);
            break;
        }
        case K_ROLE: {
            if (!text_value(r, "a role"))
                return 0;
            int role = A->pb_role_from_name(sval(r), slen(r));
            if (role < 0)
                return FAIL(PB_ERR_SCHEMA,
                            "unknown role '%.*s' (expected expenditure, income, internal, "
                            "funding, saving, growth, adjustment or other)",
                            (int)(slen(r) > 40 ? 40 : slen(r)), sval(r));
            if (A->pb_row_set_role(t, (size_t)row, (pb_role)role, &e))
                return core_fail(r, &e);
            break;
        }
        case K_VALUES:
            if (kind == K_SECTION)
                return FAIL(PB_ERR_SCHEMA, "a section has no values: put them on its lines");
            if (!read_values(r, t, (size_t)row))
                return 0;
            break;
        case K_PARTS:
            if (kind != K_LINE || is_part)
                return FAIL(PB_ERR_SCHEMA, "only a line (not a part) has parts");
            if (!read_rows(r, t, (uint32_t)row, 1))
                return 0;
            break;
        case K_ROWS:
            if (kind != K_SECTION)
                return FAIL(PB_ERR_SCHEMA, "only a section has rows");
            if (!read_rows(r, t, (uint32_t)row, 0))
                return 0;
            break;
        }
        path_pop(r, saved);
    }
    if (done && row < 0)
        return FAIL(PB_ERR_SCHEMA, "an empty row: start it with line, section or total");
    return done;
}

static int read_rows(reader *r, pb_table *t, uint32_t parent, int parts)
{
    if (!expect(r, YAML_SEQUENCE_START_EVENT, parts ? "a list of parts" : "a list of rows"))
        return 0;
    size_t i = 0;
    for (;;) {
        if (!next(r))
            return 0;
        if (r->ev.type == YAML_SEQUENCE_END_EVENT)
            return 1;
        size_t saved = path_index(r, i++);
        if (!read_row(r, t, parent, parts))
            return 0;
        path_pop(r, saved);
    }
}

/* ============================================================ tables */

static int read_table(reader *r, pb_table *t)
{
    static const char *const keys[] = {"title",     "kind",  "unit",      "decimals",
                                       "income_sign", "blank", "tolerance", "note",
                                       "columns",   "rows"};
    enum { K_TITLE, K_KIND, K_UNIT, K_DECIMALS, K_INCOME, K_BLANK, K_TOL, K_NOTE, K_COLUMNS, K_ROWS };
    static const char *const kinds[] = {"objective", "subjective", "savings", "reconciliation",
                                        "funding",   "fte",        "capital", "workforce",
                                        "other"};
    if (!expect(r, YAML_MAPPING_START_EVENT, "a table (a mapping)"))
        return 0;
    A->pb_table_set_source(t, LINE(r->ev), COL(r->ev));
    uint32_t seen = 0;
    int done, k;
    pb_error e;
    A->pb_error_clear(&e);
    while (next_key(r, &done, &seen, keys, 10, &k)) {
        size_t saved = path_key(r, keys[k], strlen(keys[k]));
        if (!next(r))
            return 0;
        switch (k) {
        case K_TITLE:
        case K_UNIT:
        case K_NOTE:
            if (is_null(r))
                break;
            if (!text_value(r, "text"))
                return 0;
            if (A->pb_table_set_text(t, k == K_TITLE ? PB_TABLE_TITLE : k == K_UNIT ? PB_TABLE_UNIT : PB_TABLE_NOTE,
                                     sval(r), slen(r), &e))
                return core_fail(r, &e);
            break;
        case K_KIND: {
            if (!text_value(r, "a table kind"))
                return 0;
            int ok = 0;
            for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
                ok |= key_is(r, kinds[i]);
            if (!ok)
                return FAIL(PB_ERR_SCHEMA,
                            "unknown table kind '%.*s' (expected objective, subjective, "
                            "savings, reconciliation, funding, fte, capital, workforce or other)",
                            (int)(slen(r) > 40 ? 40 : slen(r)), sval(r));
            if (A->pb_table_set_text(t, PB_TABLE_KIND, sval(r), slen(r), &e))
                return core_fail(r, &e);
            break;
        }
        case K_DECIMALS: {
            long d;
            if (!small_int(r, PB_MAX_DECIMALS, &d, "decimals 0-6"))
                return 0;
            if (A->pb_table_set_decimals(t, (int)d, &e))
                return core_fail(r, &e);
            break;
        }
        case K_INCOME:
            if (!text_value(r, "positive or negative"))
                return 0;
            if (key_is(r, "negative"))
                A->pb_table_set_income_sign(t, -1, &e);
            else if (key_is(r, "positive"))
                A->pb_table_set_income_sign(t, 1, &e);
            else
                return FAIL(PB_ERR_SCHEMA, "income_sign is 'positive' or 'negative'");
            break;
        case K_BLANK:
            if (!text_value(r, "zero or missing"))
                return 0;
            if (key_is(r, "zero"))
                A->pb_table_set_blank_zero(t, 1);
            else if (key_is(r, "missing"))
                A->pb_table_set_blank_zero(t, 0);
            else
                return FAIL(PB_ERR_SCHEMA, "blank is 'zero' or 'missing'");
            break;
        case K_TOL: {
            pb_amount tol;
            if (!tolerance_value(r, &tol))
                return 0;
            if (A->pb_table_set_tolerance(t, 1, tol, &e))
                return core_fail(r, &e);
            break;
        }
        case K_COLUMNS:
            if (!read_columns(r, t))
                return 0;
            break;
        case K_ROWS:
            if (!(seen & (1u << K_COLUMNS)))
                return FAIL(PB_ERR_SCHEMA, "'columns' must come before 'rows'");
            if (!read_rows(r, t, PB_NONE, 0))
                return 0;
            A->pb_table_compact(t);
            break;
        }
        path_pop(r, saved);
    }
    return done;
}

static int read_budgets(reader *r)
{
    if (!expect(r, YAML_MAPPING_START_EVENT, "a mapping of tables by id"))
        return 0;
    for (;;) {
        if (!next(r))
            return 0;
        if (r->ev.type == YAML_MAPPING_END_EVENT)
            return 1;
        if (!text_value(r, "a table id"))
            return 0;
        pb_error e;
        A->pb_error_clear(&e);
        size_t saved = path_key(r, sval(r), slen(r));
        pb_table *t = A->pb_plan_add_table(r->plan, sval(r), slen(r), &e);
        if (!t) {
            if (e.status == PB_ERR_DUPLICATE)
                return FAIL(PB_ERR_SCHEMA, "duplicate key: %s", e.message);
            return core_fail(r, &e);
        }
        if (!next(r) || !read_table(r, t))
            return 0;
        path_pop(r, saved);
    }
}

/* ======================================================== agreements */

static int read_side(reader *r, size_t a, pb_side s)
{
    static const char *const keys[] = {"table", "rows", "columns", "negate"};
    if (!expect(r, YAML_MAPPING_START_EVENT, "a side (a mapping with table, rows and columns)"))
        return 0;
    uint32_t line = LINE(r->ev), col = COL(r->ev);
    uint32_t seen = 0;
    int done, k;
    pb_error e;
    A->pb_error_clear(&e);
    while (next_key(r, &done, &seen, keys, 4, &k)) {
        size_t saved = path_key(r, keys[k], strlen(keys[k]));
        if (!next(r))
            return 0;
        if (k == 0) {
            if (!text_value(r, "a table id"))
                return 0;
            if (A->pb_agreement_set_table(r->plan, a, s, sval(r), slen(r), &e))
                return core_fail(r, &e);
        } else if (k == 3) {
            int v = 0;
            if (!bool_value(r, &v))
                return 0;
            A->pb_agreement_set_negate(r->plan, a, s, v);
        } else if (k == 1 && is_scalar(r)) {
            /* rows: lines */
            if (!text_value(r, "a row reference"))
                return 0;
            if (A->pb_agreement_add_row(r->plan, a, s, sval(r), slen(r), &e))
                return core_fail(r, &e);
        } else {
            if (!expect(r, YAML_SEQUENCE_START_EVENT, k == 1 ? "a list of rows" : "a list of columns"))
                return 0;
            size_t i = 0;
            for (;;) {
                if (!next(r))
                    return 0;
                if (r->ev.type == YAML_SEQUENCE_END_EVENT)
                    break;
                size_t s2 = path_index(r, i++);
                if (!text_value(r, k == 1 ? "a row id or label" : "a column id"))
                    return 0;
                pb_status st = k == 1 ? A->pb_agreement_add_row(r->plan, a, s, sval(r), slen(r), &e)
                                      : A->pb_agreement_add_column(r->plan, a, s, sval(r), slen(r), &e);
                if (st)
                    return core_fail(r, &e);
                path_pop(r, s2);
            }
        }
        path_pop(r, saved);
    }
    if (done && (seen & 7u) != 7u)
        return fail_at(r, PB_ERR_SCHEMA, line, col, "a side needs table, rows and columns");
    return done;
}

static int read_agreement(reader *r)
{
    static const char *const keys[] = {"name", "note", "left", "right", "tolerance"};
    if (!expect(r, YAML_MAPPING_START_EVENT, "an agreement (a mapping)"))
        return 0;
    uint32_t line = LINE(r->ev), col = COL(r->ev);
    pb_error e;
    A->pb_error_clear(&e);
    int64_t a = A->pb_plan_add_agreement(r->plan, NULL, 0, &e);
    if (a < 0)
        return core_fail(r, &e);
    A->pb_agreement_set_source(r->plan, (size_t)a, line, col);
    uint32_t seen = 0;
    int done, k;
    while (next_key(r, &done, &seen, keys, 5, &k)) {
        size_t saved = path_key(r, keys[k], strlen(keys[k]));
        if (!next(r))
            return 0;
        if (k <= 1) {
            if (!is_null(r)) {
                if (!text_value(r, "text"))
                    return 0;
                pb_status st = k == 0 ? A->pb_agreement_set_name(r->plan, (size_t)a, sval(r), slen(r), &e)
                                      : A->pb_agreement_set_note(r->plan, (size_t)a, sval(r), slen(r), &e);
                if (st)
                    return core_fail(r, &e);
            }
        } else if (k == 4) {
            pb_amount tol;
            if (!tolerance_value(r, &tol))
                return 0;
            if (A->pb_agreement_set_tolerance(r->plan, (size_t)a, 1, tol, &e))
                return core_fail(r, &e);
        } else if (!read_side(r, (size_t)a, k == 2 ? PB_LEFT : PB_RIGHT)) {
            return 0;
        }
        path_pop(r, saved);
    }
    if (done && (seen & 0xCu) != 0xCu)
        return fail_at(r, PB_ERR_SCHEMA, line, col, "an agreement needs a left and a right side");
    return done;
}

static int read_agreements(reader *r)
{
    if (!expect(r, YAML_SEQUENCE_START_EVENT, "a list of agreements"))
        return 0;
    size_t i = 0;
    for (;;) {
        if (!next(r))
            return 0;
        if (r->ev.type == YAML_SEQUENCE_END_EVENT)
            return 1;
        size_t saved = path_index(r, i++);
        if (!read_agreement(r))
            return 0;
        path_pop(r, saved);
    }
}

/* ======================================================== indicators */

/* A cell in its general form: {value, status, note}, into *o and *note
 * (malloc'd, or NULL; the caller frees it). */
static int parse_cell_map(reader *r, pb_obs *out, char **note_out, size_t *note_len_out)
{
    static const char *const keys[] = {"value", "status", "note"};
    uint32_t seen = 0;
    int done, key;
    pb_obs o;
    memset(&o, 0, sizeof o);
    int status = -1;
    char *note = NULL;
    size_t note_len = 0;
    pb_error e;
    A->pb_error_clear(&e);
    uint32_t line = LINE(r->ev), col = COL(r->ev);
    int ok = 1;
    while (ok && next_key(r, &done, &seen, keys, 3, &key)) {
        if (!next(r) || !text_value(r, "text")) {
            ok = 0;
            break;
        }
        if (key == 0) {
            size_t off, len;
            if (A->pb_obs_parse(sval(r), slen(r), &o, &off, &len, &e)) {
                ok = core_fail(r, &e);
                break;
            }
            if (!A->pb_obs_has_value((pb_obs_status)o.status) || len) {
                ok = FAIL(PB_ERR_SCHEMA, "value is a figure alone; the note goes in note");
                break;
            }
        } else if (key == 1) {
            status = A->pb_obs_status_from_name(sval(r), slen(r));
            if (status < 0) {
                ok = FAIL(PB_ERR_SCHEMA,
                          "unknown status '%.*s' (expected normal, provisional, estimated, "
                          "not available, not applicable, not reported, tbc or text)",
                          (int)(slen(r) > 40 ? 40 : slen(r)), sval(r));
                break;
            }
        } else {
            free(note);
            note = malloc(slen(r) + 1);
            if (!note) {
                ok = FAIL(PB_ERR_NOMEM, "out of memory");
                break;
            }
            memcpy(note, sval(r), slen(r));
            note_len = slen(r);
        }
    }
    if (ok && !done)
        ok = 0;
    if (ok) {
        int hasv = (seen & 1u) != 0;
        if (status < 0)
            status = hasv ? PB_OBS_NORMAL : -1;
        if (status < 0)
            ok = fail_at(r, PB_ERR_SCHEMA, line, col, "a cell without a value needs a status");
        else if (A->pb_obs_has_value((pb_obs_status)status) != hasv)
            ok = fail_at(r, PB_ERR_SCHEMA, line, col,
                         hasv ? "status '%s' has no value" : "status '%s' needs a value",
                         A->pb_obs_status_name((pb_obs_status)status));
        else
            o.status = (uint8_t)status;
    }
    if (!ok) {
        free(note);
        return 0;
    }
    *out = o;
    *note_out = note;
    *note_len_out = note_len;
    return 1;
}

static int read_cell_map(reader *r, pb_indset *s, uint32_t series, size_t i, size_t k)
{
    uint32_t line = LINE(r->ev), col = COL(r->ev);
    pb_obs o;
    char *note = NULL;
    size_t nl = 0;
    if (!parse_cell_map(r, &o, &note, &nl))
        return 0;
    pb_error e;
    A->pb_error_clear(&e);
    int ok = 1;
    if (A->pb_ind_set_cell(s, series, i, k, &o, note, nl, &e))
        ok = fail_at(r, e.status, line, col, "%s", e.message);
    free(note);
    return ok;
}

static int read_cell(reader *r, pb_indset *s, uint32_t series, size_t i, size_t k)
{
    if (r->ev.type == YAML_MAPPING_START_EVENT)
        return read_cell_map(r, s, series, i, k);
    if (!text_value(r, "a figure, n/a, Not available, TBC, a blank, or {status: ..., note: ...}"))
        return 0;
    pb_error e;
    A->pb_error_clear(&e);
    if (A->pb_ind_set_cell_text(s, series, i, k, sval(r), slen(r), &e))
        return core_fail(r, &e);
    return 1;
}

/* values: [one cell per period] */
static int read_series(reader *r, pb_indset *s, uint32_t series, size_t i)
{
    if (!expect(r, YAML_SEQUENCE_START_EVENT, "a list with one cell per period"))
        return 0;
    size_t nper = A->pb_indset_period_count(s);
    uint32_t line = LINE(r->ev), col = COL(r->ev);
    for (size_t k = 0;; k++) {
        if (!next(r))
            return 0;
        if (r->ev.type == YAML_SEQUENCE_END_EVENT) {
            if (k != nper)
                return fail_at(r, PB_ERR_SCHEMA, line, col,
                               "%zu cells for the set's %zu periods", k, nper);
            return 1;
        }
        size_t saved = path_index(r, k);
        if (k >= nper)
            return FAIL(PB_ERR_SCHEMA, "more cells than the set's %zu periods", nper);
        if (!read_cell(r, s, series, i, k))
            return 0;
        path_pop(r, saved);
    }
}

static int read_period_ref(reader *r, pb_indset *s, size_t *k)
{
    if (!text_value(r, "a period"))
        return 0;
    pb_error e;
    A->pb_error_clear(&e);
    pb_period p;
    if (A->pb_period_parse(sval(r), slen(r), A->pb_plan_year_start(r->plan), &p, &e))
        return core_fail(r, &e);
    int64_t idx = A->pb_indset_find_period(s, p);
    if (idx < 0)
        return FAIL(PB_ERR_SCHEMA, "'%.*s' is not one of the set's periods",
                    (int)(slen(r) > 40 ? 40 : slen(r)), sval(r));
    *k = (size_t)idx;
    return 1;
}

static int read_measure(reader *r, pb_indset *s, uint32_t parent);

static int read_measures(reader *r, pb_indset *s, uint32_t parent)
{
    if (!expect(r, YAML_SEQUENCE_START_EVENT, "a list of measures"))
        return 0;
    for (size_t n = 0;; n++) {
        if (!next(r))
            return 0;
        if (r->ev.type == YAML_SEQUENCE_END_EVENT)
            return 1;
        size_t saved = path_index(r, n);
        if (!read_measure(r, s, parent))
            return 0;
        path_pop(r, saved);
    }
}

static int read_measure(reader *r, pb_indset *s, uint32_t parent)
{
    static const char *const keys[] = {
        "ref",      "name",     "group",     "objective", "owner",   "framework",
        "definition", "footnote", "unit",    "per",       "decimals", "polarity",
        "cumulative", "thresholds", "values", "targets",  "milestones", "compare",
        "printed",  "counts",   "role"};
    enum { K_REF, K_NAME, K_GROUP, K_OBJ, K_OWNER, K_FW, K_DEF, K_FOOT, K_UNIT, K_PER, K_DEC,
           K_POL, K_CUM, K_THR, K_VALUES, K_TARGETS, K_MILES, K_COMPARE, K_PRINTED, K_COUNTS,
           K_ROLE, K_N };
    if (!expect(r, YAML_MAPPING_START_EVENT, "a measure (a mapping)"))
        return 0;
    uint32_t mline = LINE(r->ev), mcol = COL(r->ev);
    uint32_t seen = 0;
    int done, k;
    pb_error e;
    A->pb_error_clear(&e);
    int64_t i = -1;
    size_t nper = A->pb_indset_period_count(s);
    if (parent != PB_NONE) {
        i = A->pb_indset_add(s, parent, NULL, 0, &e);
        if (i < 0)
            return core_fail(r, &e);
        A->pb_ind_set_source(s, (size_t)i, mline, mcol);
    }
    while (next_key(r, &done, &seen, keys, K_N, &k)) {
        size_t saved = path_key(r, keys[k], strlen(keys[k]));
        if (i < 0 && k != K_REF)
            return FAIL(PB_ERR_SCHEMA, "a measure starts with its ref");
        if (parent != PB_NONE && (k == K_COUNTS || k == K_THR || k == K_PRINTED))
            return FAIL(PB_ERR_SCHEMA, "a companion series has no %s", keys[k]);
        if (!next(r))
            return 0;
        switch (k) {
        case K_REF:
            if (!text_value(r, "the measure's reference"))
                return 0;
            if (parent == PB_NONE) {
                i = A->pb_indset_add(s, PB_NONE, sval(r), slen(r), &e);
                if (i < 0)
                    return core_fail(r, &e);
                A->pb_ind_set_source(s, (size_t)i, mline, mcol);
                r->cells += nper ? nper : 1;
                if (r->cells > PB_YAML_CELLS_BASE + PB_YAML_CELLS_PER_BYTE * r->ev.start_mark.index)
                    return FAIL(PB_ERR_LIMIT, "more indicator cells than the input can hold");
            } else if (A->pb_ind_set_text(s, (size_t)i, PB_IND_REF, sval(r), slen(r), &e))
                return core_fail(r, &e);
            break;
        case K_NAME: case K_GROUP: case K_OBJ: case K_OWNER: case K_FW: case K_DEF: case K_FOOT:
            if (is_null(r))
                break;
            if (!text_value(r, "text"))
                return 0;
            if (A->pb_ind_set_text(s, (size_t)i, (pb_ind_field)(PB_IND_NAME + (k - K_NAME)),
                                   sval(r), slen(r), &e))
                return core_fail(r, &e);
            break;
        case K_UNIT: {
            if (!text_value(r, "a unit"))
                return 0;
            int u = A->pb_unit_from_name(sval(r), slen(r));
            if (u < 0)
                return FAIL(PB_ERR_SCHEMA, "unknown unit '%.*s' (expected number, percent, rate, "
                            "count, days, money or text)", (int)(slen(r) > 40 ? 40 : slen(r)), sval(r));
            if (seen & ((1u << K_VALUES) | (1u << K_TARGETS) | (1u << K_THR) | (1u << K_COMPARE)))
                return FAIL(PB_ERR_SCHEMA, "unit must come before the figures");
            A->pb_ind_set_unit(s, (size_t)i, (pb_unit)u);
            break;
        }
        case K_PER: {
            long v;
            if (!small_int(r, 999999999L, &v, "a whole number (rate per N)"))
                return 0;
            if (A->pb_ind_set_per(s, (size_t)i, v, &e))
                return core_fail(r, &e);
            break;
        }
        case K_DEC: {
            long v;
            if (!small_int(r, PB_OBS_SCALE, &v, "decimals 0-6"))
                return 0;
            if (A->pb_ind_set_decimals(s, (size_t)i, (int)v, &e))
                return core_fail(r, &e);
            break;
        }
        case K_POL: {
            if (!text_value(r, "high, low or none"))
                return 0;
            int p = A->pb_polarity_from_name(sval(r), slen(r));
            if (p < 0)
                return FAIL(PB_ERR_SCHEMA, "polarity is high, low or none");
            A->pb_ind_set_polarity(s, (size_t)i, (pb_polarity)p);
            break;
        }
        case K_CUM: {
            int b;
            if (!bool_value(r, &b))
                return 0;
            A->pb_ind_set_cumulative(s, (size_t)i, b);
            break;
        }
        case K_ROLE: {
            if (!text_value(r, "a role"))
                return 0;
            int ro = A->pb_ind_role_from_name(sval(r), slen(r));
            if (ro <= 0 || parent == PB_NONE)
                return FAIL(PB_ERR_SCHEMA, "role is for companion series: numerator, "
                            "denominator or count");
            A->pb_ind_set_role(s, (size_t)i, (pb_ind_role)ro);
            break;
        }
        case K_THR: {
            if (is_scalar(r)) {
                if (!key_is(r, "not available"))
                    return FAIL(PB_ERR_SCHEMA, "thresholds are {good: ..., of_concern: ..., "
                                "action_required: ...} or 'not available'");
                A->pb_ind_set_threshold_state(s, (size_t)i, 2);
                break;
            }
            static const char *const lv[] = {"good", "of_concern", "action_required"};
            if (!expect(r, YAML_MAPPING_START_EVENT, "thresholds (a mapping)"))
                return 0;
            uint32_t tseen = 0;
            int tdone, tk;
            while (next_key(r, &tdone, &tseen, lv, 3, &tk)) {
                size_t s2 = path_key(r, lv[tk], strlen(lv[tk]));
                if (!next(r) || !text_value(r, "a figure"))
                    return 0;
                if (A->pb_ind_set_threshold(s, (size_t)i, (pb_level)tk, sval(r), slen(r), &e))
                    return core_fail(r, &e);
                path_pop(r, s2);
            }
            if (!tdone)
                return 0;
            break;
        }
        case K_VALUES:
            if (!read_series(r, s, PB_SERIES_VALUE, (size_t)i))
                return 0;
            break;
        case K_TARGETS: {
            if (!expect(r, YAML_MAPPING_START_EVENT, "targets by period (a mapping)"))
                return 0;
            uint64_t got[PB_INDSET_MAX_PERIODS / 64] = {0};
            for (;;) {
                if (!next(r))
                    return 0;
                if (r->ev.type == YAML_MAPPING_END_EVENT)
                    break;
                if (!text_value(r, "a period"))
                    return 0;
                size_t s2 = path_key(r, sval(r), slen(r) > 40 ? 40 : slen(r));
                size_t pk;
                if (!read_period_ref(r, s, &pk))
                    return 0;
                if (got[pk / 64] & (1ull << (pk % 64)))
                    return FAIL(PB_ERR_SCHEMA, "duplicate target period");
                got[pk / 64] |= 1ull << (pk % 64);
                if (!next(r) || !read_cell(r, s, PB_SERIES_TARGET, (size_t)i, pk))
                    return 0;
                path_pop(r, s2);
            }
            break;
        }
        case K_MILES: {
            if (!expect(r, YAML_SEQUENCE_START_EVENT, "a list of milestones"))
                return 0;
            for (size_t n = 0;; n++) {
                if (!next(r))
                    return 0;
                if (r->ev.type == YAML_SEQUENCE_END_EVENT)
                    break;
                size_t s2 = path_index(r, n);
                if (!expect(r, YAML_MAPPING_START_EVENT, "a milestone {due: ..., target: ...}"))
                    return 0;
                static const char *const mk[] = {"due", "target"};
                uint32_t mseen = 0;
                int mdone, mi;
                char *due = NULL;
                size_t duelen = 0;
                uint32_t ml = LINE(r->ev), mc = COL(r->ev);
                int ok = 1;
                while (ok && next_key(r, &mdone, &mseen, mk, 2, &mi)) {
                    if (!next(r)) {
                        ok = 0;
                        break;
                    }
                    if (mi == 1 && !(mseen & 1u)) {
                        ok = FAIL(PB_ERR_SCHEMA, "due comes before target");
                    } else if (mi == 1 && r->ev.type == YAML_MAPPING_START_EVENT) {
                        uint32_t tl = LINE(r->ev), tc = COL(r->ev);
                        pb_obs o;
                        char *note = NULL;
                        size_t nl = 0;
                        if (!parse_cell_map(r, &o, &note, &nl))
                            ok = 0;
                        else if (A->pb_ind_add_milestone_cell(s, (size_t)i, due, duelen, &o,
                                                              note, nl, &e))
                            ok = fail_at(r, e.status, tl, tc, "%s", e.message);
                        free(note);
                    } else if (!text_value(r, "text")) {
                        ok = 0;
                    } else if (mi == 0) {
                        due = copy_scalar(r);
                        duelen = slen(r);
                        if (!due)
                            ok = 0;
                    } else if (A->pb_ind_add_milestone(s, (size_t)i, due, duelen, sval(r),
                                                       slen(r), &e)) {
                        ok = core_fail(r, &e);
                    }
                }
                free(due);
                if (!ok || !mdone)
                    return 0;
                if (mseen != 3u)
                    return fail_at(r, PB_ERR_SCHEMA, ml, mc, "a milestone has due and target");
                path_pop(r, s2);
            }
            break;
        }
        case K_COMPARE: {
            if (!expect(r, YAML_MAPPING_START_EVENT, "comparator series by id (a mapping)"))
                return 0;
            uint64_t got = 0;
            for (;;) {
                if (!next(r))
                    return 0;
                if (r->ev.type == YAML_MAPPING_END_EVENT)
                    break;
                if (!text_value(r, "a comparator id"))
                    return 0;
                size_t s2 = path_key(r, sval(r), slen(r) > 40 ? 40 : slen(r));
                int64_t c = A->pb_indset_find_comparator(s, sval(r), slen(r));
                if (c < 0)
                    return FAIL(PB_ERR_SCHEMA, "'%.*s' is not a comparator of the set",
                                (int)(slen(r) > 40 ? 40 : slen(r)), sval(r));
                if (got & (1ull << c))
                    return FAIL(PB_ERR_SCHEMA, "duplicate key '%.*s'",
                                (int)(slen(r) > 40 ? 40 : slen(r)), sval(r));
                got |= 1ull << c;
                if (!next(r) || !read_series(r, s, PB_SERIES_COMPARATOR(c), (size_t)i))
                    return 0;
                path_pop(r, s2);
            }
            break;
        }
        case K_PRINTED: {
            if (!expect(r, YAML_MAPPING_START_EVENT, "the printed columns (a mapping)"))
                return 0;
            uint64_t got = 0;
            for (;;) {
                if (!next(r))
                    return 0;
                if (r->ev.type == YAML_MAPPING_END_EVENT)
                    break;
                if (!text_value(r, "last, target or a comparator id"))
                    return 0;
                size_t s2 = path_key(r, sval(r), slen(r) > 40 ? 40 : slen(r));
                uint32_t key;
                if (key_is(r, "last"))
                    key = PB_PRINTED_LAST;
                else if (key_is(r, "target"))
                    key = PB_PRINTED_TARGET;
                else {
                    int64_t c = A->pb_indset_find_comparator(s, sval(r), slen(r));
                    if (c < 0)
                        return FAIL(PB_ERR_SCHEMA, "'%.*s' is not last, target or a comparator "
                                    "of the set", (int)(slen(r) > 40 ? 40 : slen(r)), sval(r));
                    key = PB_PRINTED_COMPARATOR(c);
                }
                if (got & (1ull << key))
                    return FAIL(PB_ERR_SCHEMA, "duplicate key");
                got |= 1ull << key;
                if (!next(r) || !text_value(r, "up, down, same, not available or not applicable"))
                    return 0;
                int a = A->pb_arrow_from_name(sval(r), slen(r));
                if (a < 0)
                    return FAIL(PB_ERR_SCHEMA, "'%.*s' is not up, down, same, not available or "
                                "not applicable", (int)(slen(r) > 40 ? 40 : slen(r)), sval(r));
                if (A->pb_ind_set_printed(s, (size_t)i, key, (pb_arrow)a, &e))
                    return core_fail(r, &e);
                path_pop(r, s2);
            }
            break;
        }
        case K_COUNTS:
            if (!read_measures(r, s, (uint32_t)i))
                return 0;
            break;
        }
        path_pop(r, saved);
    }
    if (!done)
        return 0;
    if (i < 0)
        return fail_at(r, PB_ERR_SCHEMA, mline, mcol, "a measure needs a ref");
    return 1;
}

static int read_indset(reader *r, pb_indset *s)
{
    static const char *const keys[] = {"title", "framework", "reporting", "as_of", "note",
                                       "periods", "latest", "direction", "cumulative",
                                       "comparators", "footnotes", "measures"};
    enum { K_TITLE, K_FW, K_REP, K_ASOF, K_NOTE, K_PERIODS, K_LATEST, K_DIR, K_CUM, K_COMP,
           K_FOOT, K_MEASURES, K_N };
    if (!expect(r, YAML_MAPPING_START_EVENT, "an indicator set (a mapping)"))
        return 0;
    A->pb_indset_set_source(s, LINE(r->ev), COL(r->ev));
    uint32_t seen = 0;
    int done, k;
    pb_error e;
    A->pb_error_clear(&e);
    while (next_key(r, &done, &seen, keys, K_N, &k)) {
        size_t saved = path_key(r, keys[k], strlen(keys[k]));
        if ((k == K_LATEST || k == K_MEASURES) && !(seen & (1u << K_PERIODS)))
            return FAIL(PB_ERR_SCHEMA, "'periods' must come before '%s'", keys[k]);
        if ((k == K_COMP || k == K_PERIODS || k == K_CUM) && (seen & (1u << K_MEASURES)))
            return FAIL(PB_ERR_SCHEMA, "'%s' must come before 'measures'", keys[k]);
        if (!next(r))
            return 0;
        switch (k) {
        case K_TITLE: case K_FW: case K_REP: case K_ASOF: case K_NOTE:
            if (is_null(r))
                break;
            if (!text_value(r, "text"))
                return 0;
            if (A->pb_indset_set_text(s, (pb_indset_field)(PB_INDSET_TITLE + (k - K_TITLE)),
                                      sval(r), slen(r), &e))
                return core_fail(r, &e);
            break;
        case K_PERIODS:
            if (!expect(r, YAML_SEQUENCE_START_EVENT, "a list of periods"))
                return 0;
            for (size_t n = 0;; n++) {
                if (!next(r))
                    return 0;
                if (r->ev.type == YAML_SEQUENCE_END_EVENT)
                    break;
                size_t s2 = path_index(r, n);
                if (!text_value(r, "a period"))
                    return 0;
                pb_period p;
                if (A->pb_period_parse(sval(r), slen(r), A->pb_plan_year_start(r->plan), &p, &e) ||
                    A->pb_indset_add_period(s, p, &e) < 0)
                    return core_fail(r, &e);
                path_pop(r, s2);
            }
            break;
        case K_LATEST: {
            size_t pk;
            if (!read_period_ref(r, s, &pk))
                return 0;
            if (A->pb_indset_set_latest(s, (uint32_t)pk, &e))
                return core_fail(r, &e);
            break;
        }
        case K_DIR:
            if (!text_value(r, "previous, year_ago or outturn"))
                return 0;
            if (key_is(r, "previous"))
                A->pb_indset_set_direction(s, PB_DIR_PREVIOUS);
            else if (key_is(r, "year_ago"))
                A->pb_indset_set_direction(s, PB_DIR_YEAR_AGO);
            else if (key_is(r, "outturn"))
                A->pb_indset_set_direction(s, PB_DIR_OUTTURN);
            else
                return FAIL(PB_ERR_SCHEMA, "direction is previous, year_ago or outturn");
            break;
        case K_CUM: {
            int b;
            if (!bool_value(r, &b))
                return 0;
            A->pb_indset_set_cumulative(s, b);
            break;
        }
        case K_COMP:
            if (!expect(r, YAML_SEQUENCE_START_EVENT, "a list of comparators"))
                return 0;
            for (size_t n = 0;; n++) {
                if (!next(r))
                    return 0;
                if (r->ev.type == YAML_SEQUENCE_END_EVENT)
                    break;
                size_t s2 = path_index(r, n);
                if (!expect(r, YAML_MAPPING_START_EVENT, "a comparator {id: ..., name: ...}"))
                    return 0;
                static const char *const ck[] = {"id", "name"};
                uint32_t cseen = 0;
                int cdone, ci;
                char *id = NULL, *name = NULL;
                size_t idl = 0, nml = 0;
                uint32_t cl = LINE(r->ev), cc = COL(r->ev);
                int ok = 1;
                while (ok && next_key(r, &cdone, &cseen, ck, 2, &ci)) {
                    if (!next(r) || !text_value(r, "text")) {
                        ok = 0;
                        break;
                    }
                    char *c = copy_scalar(r);
                    if (!c) {
                        ok = 0;
                        break;
                    }
                    if (ci == 0)
                        id = c, idl = slen(r);
                    else
                        name = c, nml = slen(r);
                }
                if (ok && cdone) {
                    if (!id)
                        ok = fail_at(r, PB_ERR_SCHEMA, cl, cc, "a comparator needs an id");
                    else if (A->pb_indset_add_comparator(s, id, idl, name, nml, &e) < 0)
                        ok = fail_at(r, e.status, cl, cc, "%s", e.message);
                } else
                    ok = 0;
                free(id);
                free(name);
                if (!ok)
                    return 0;
                path_pop(r, s2);
            }
            break;
        case K_FOOT:
            if (!expect(r, YAML_MAPPING_START_EVENT, "footnotes by mark (a mapping)"))
                return 0;
            for (;;) {
                if (!next(r))
                    return 0;
                if (r->ev.type == YAML_MAPPING_END_EVENT)
                    break;
                if (!text_value(r, "a footnote mark"))
                    return 0;
                char *mark = copy_scalar(r);
                size_t ml = slen(r);
                if (!mark)
                    return 0;
                size_t s2 = path_key(r, mark, ml > 40 ? 40 : ml);
                int ok = next(r) && text_value(r, "the footnote's text");
                if (ok && A->pb_indset_add_footnote(s, mark, ml, sval(r), slen(r), &e))
                    ok = core_fail(r, &e);
                free(mark);
                if (!ok)
                    return 0;
                path_pop(r, s2);
            }
            break;
        case K_MEASURES:
            if (!read_measures(r, s, PB_NONE))
                return 0;
            break;
        }
        path_pop(r, saved);
    }
    return done;
}

static int read_indicators(reader *r)
{
    if (!expect(r, YAML_MAPPING_START_EVENT, "a mapping of indicator sets by id"))
        return 0;
    for (;;) {
        if (!next(r))
            return 0;
        if (r->ev.type == YAML_MAPPING_END_EVENT)
            return 1;
        if (!text_value(r, "an indicator set id"))
            return 0;
        pb_error e;
        A->pb_error_clear(&e);
        size_t saved = path_key(r, sval(r), slen(r));
        pb_indset *s = A->pb_plan_add_indset(r->plan, sval(r), slen(r), &e);
        if (!s) {
            if (e.status == PB_ERR_DUPLICATE)
                return FAIL(PB_ERR_SCHEMA, "duplicate key: %s", e.message);
            return core_fail(r, &e);
        }
        if (!next(r) || !read_indset(r, s))
            return 0;
        path_pop(r, saved);
    }
}

/* ============================================================== risks */

static int small_number(reader *r, long max, long *out, const char *what)
{
    return small_int(r, max, out, what);
}

static int read_score(reader *r, pb_register *g, size_t i, pb_score_kind k)
{
    pb_error e;
    A->pb_error_clear(&e);
    if (is_scalar(r)) {
        if (!text_value(r, "a score"))
            return 0;
        if (A->pb_risk_set_score_text(g, i, k, sval(r), slen(r), &e))
            return core_fail(r, &e);
        return 1;
    }
    if (!expect(r, YAML_MAPPING_START_EVENT, "a score: 12 (4x3) or {likelihood, impact, score}"))
        return 0;
    static const char *const keys[] = {"likelihood", "impact", "score"};
    uint32_t seen = 0, line = LINE(r->ev), col = COL(r->ev);
    int done, key;
    long v[3] = {0, 0, 0};
    while (next_key(r, &done, &seen, keys, 3, &key)) {
        if (!next(r) || !small_number(r, key == 2 ? 65535 : 255, &v[key], "a whole number"))
            return 0;
    }
    if (!done)
        return 0;
    if (A->pb_risk_set_score(g, i, k, (int)v[0], (int)v[1], (int)v[2], &e))
        return fail_at(r, e.status, line, col, "%s", e.message);
    return 1;
}

static int read_risk(reader *r, pb_register *g)
{
    /* the fields of pb_risk_field in order, then the scores */
    static const char *const keys[] = {
        "id",       "category", "status",      "status_date", "description", "owner",
        "objective", "controls", "impacts",    "mitigations", "actions",     "outcome",
        "updated",  "inherent", "current",     "target"};
    if (!expect(r, YAML_MAPPING_START_EVENT, "a risk (a mapping)"))
        return 0;
    uint32_t line = LINE(r->ev), col = COL(r->ev);
    uint32_t seen = 0;
    int done, k;
    int64_t i = -1;
    pb_error e;
    A->pb_error_clear(&e);
    while (next_key(r, &done, &seen, keys, 16, &k)) {
        size_t saved = path_key(r, keys[k], strlen(keys[k]));
        if (i < 0 && k != 0)
            return FAIL(PB_ERR_SCHEMA, "a risk starts with its id");
        if (!next(r))
            return 0;
        if (k == 0) {
            if (!text_value(r, "the risk's id"))
                return 0;
            i = A->pb_register_add(g, sval(r), slen(r), &e);
            if (i < 0)
                return core_fail(r, &e);
            A->pb_risk_set_source(g, (size_t)i, line, col);
        } else if (k < PB_RISK_FIELD_COUNT) {
            if (!is_null(r)) {
                if (!text_value(r, "text"))
                    return 0;
                if (A->pb_risk_set_text(g, (size_t)i, (pb_risk_field)k, sval(r), slen(r), &e))
                    return core_fail(r, &e);
            }
        } else if (!read_score(r, g, (size_t)i, (pb_score_kind)(k - PB_RISK_FIELD_COUNT)))
            return 0;
        path_pop(r, saved);
    }
    if (!done)
        return 0;
    if (i < 0)
        return fail_at(r, PB_ERR_SCHEMA, line, col, "a risk needs an id");
    return 1;
}

static int read_register(reader *r, pb_register *g)
{
    static const char *const keys[] = {"title",       "register_for", "version", "last_reviewed",
                                       "reviewed_by", "next_review",  "note",    "score_order",
                                       "risks"};
    if (!expect(r, YAML_MAPPING_START_EVENT, "a risk register (a mapping)"))
        return 0;
    A->pb_register_set_source(g, LINE(r->ev), COL(r->ev));
    uint32_t seen = 0;
    int done, k;
    pb_error e;
    A->pb_error_clear(&e);
    while (next_key(r, &done, &seen, keys, 9, &k)) {
        size_t saved = path_key(r, keys[k], strlen(keys[k]));
        if (k == 7 && (seen & (1u << 8)))
            return FAIL(PB_ERR_SCHEMA, "'score_order' must come before 'risks'");
        if (!next(r))
            return 0;
        if (k < PB_REG_FIELD_COUNT) {
            if (!is_null(r)) {
                if (!text_value(r, "text"))
                    return 0;
                if (A->pb_register_set_text(g, (pb_register_field)k, sval(r), slen(r), &e))
                    return core_fail(r, &e);
            }
        } else if (k == 7) {
            if (!text_value(r, "likelihood x impact or impact x likelihood"))
                return 0;
            if (key_is(r, "likelihood x impact"))
                A->pb_register_set_score_order(g, PB_ORDER_LIKELIHOOD_IMPACT, &e);
            else if (key_is(r, "impact x likelihood"))
                A->pb_register_set_score_order(g, PB_ORDER_IMPACT_LIKELIHOOD, &e);
            else
                return FAIL(PB_ERR_SCHEMA,
                            "score_order is 'likelihood x impact' or 'impact x likelihood'");
        } else {
            if (!expect(r, YAML_SEQUENCE_START_EVENT, "a list of risks"))
                return 0;
            for (size_t n = 0;; n++) {
                if (!next(r))
                    return 0;
                if (r->ev.type == YAML_SEQUENCE_END_EVENT)
                    break;
                size_t s2 = path_index(r, n);
                if (!read_risk(r, g))
                    return 0;
                path_pop(r, s2);
            }
        }
        path_pop(r, saved);
    }
    return done;
}

static int read_risks(reader *r)
{
    if (!expect(r, YAML_MAPPING_START_EVENT, "a mapping of risk registers by id"))
        return 0;
    for (;;) {
        if (!next(r))
            return 0;
        if (r->ev.type == YAML_MAPPING_END_EVENT)
            return 1;
        if (!text_value(r, "a risk register id"))
            return 0;
        pb_error e;
        A->pb_error_clear(&e);
        size_t saved = path_key(r, sval(r), slen(r));
        pb_register *g = A->pb_plan_add_register(r->plan, sval(r), slen(r), &e);
        if (!g) {
            if (e.status == PB_ERR_DUPLICATE)
                return FAIL(PB_ERR_SCHEMA, "duplicate key: %s", e.message);
            return core_fail(r, &e);
        }
        if (!next(r) || !read_register(r, g))
            return 0;
        path_pop(r, saved);
    }
}

/* ============================================================ records */

static int read_items(reader *r, pb_collection *c, uint32_t parent);

static int read_item(reader *r, pb_collection *c, uint32_t parent)
{
    if (!expect(r, YAML_MAPPING_START_EVENT, "an item (a mapping)"))
        return 0;
    uint32_t line = LINE(r->ev), col = COL(r->ev);
    pb_error e;
    A->pb_error_clear(&e);
    int64_t i = -1;
    int saw_items = 0;
    for (size_t nkeys = 0;; nkeys++) {
        if (!next(r))
            return 0;
        if (r->ev.type == YAML_MAPPING_END_EVENT)
            break;
        if (!text_value(r, "a field name"))
            return 0;
        char name[PB_FIELD_NAME_MAX + 1];
        size_t nl = slen(r);
        if (nl > PB_FIELD_NAME_MAX) {
            path_key(r, sval(r), 40);
            return FAIL(PB_ERR_SCHEMA, "a field name is at most %d characters", PB_FIELD_NAME_MAX);
        }
        memcpy(name, sval(r), nl);
        name[nl] = '\0';
        size_t saved = path_key(r, name, nl);
        int is_id = !strcmp(name, "id"), is_items = !strcmp(name, "items");
        if (i < 0 && !is_id) {
            /* an item without an id: created at its first field */
            i = A->pb_collection_add(c, parent, NULL, 0, &e);
            if (i < 0)
                return core_fail(r, &e);
            A->pb_item_set_source(c, (size_t)i, line, col);
            r->cells++;
        } else if (is_id && i >= 0)
            return FAIL(PB_ERR_SCHEMA, nkeys ? "the id comes first" : "duplicate key 'id'");
        if (saw_items)
            return FAIL(PB_ERR_SCHEMA, "'items' comes after the item's fields");
        if (!next(r))
            return 0;
        if (is_id) {
            if (!text_value(r, "the item's id"))
                return 0;
            i = A->pb_collection_add(c, parent, sval(r), slen(r), &e);
            if (i < 0)
                return core_fail(r, &e);
            A->pb_item_set_source(c, (size_t)i, line, col);
            r->cells++;
        } else if (is_items) {
            saw_items = 1;
            if (!read_items(r, c, (uint32_t)i))
                return 0;
        } else if (!is_null(r)) {
            if (!text_value(r, "text"))
                return 0;
            if (A->pb_item_field(c, (size_t)i, name))
                return FAIL(PB_ERR_SCHEMA, "duplicate key '%s'", name);
            if (A->pb_item_set_field(c, (size_t)i, name, nl, sval(r), slen(r), &e))
                return core_fail(r, &e);
        }
        if (r->cells > PB_YAML_CELLS_BASE + PB_YAML_CELLS_PER_BYTE * r->ev.start_mark.index)
            return FAIL(PB_ERR_LIMIT, "more items than the input can hold");
        path_pop(r, saved);
    }
    if (i < 0) {
        i = A->pb_collection_add(c, parent, NULL, 0, &e);
        if (i < 0)
            return fail_at(r, e.status, line, col, "%s", e.message);
        A->pb_item_set_source(c, (size_t)i, line, col);
    }
    return 1;
}

static int read_items(reader *r, pb_collection *c, uint32_t parent)
{
    if (!expect(r, YAML_SEQUENCE_START_EVENT, "a list of items"))
        return 0;
    for (size_t n = 0;; n++) {
        if (!next(r))
            return 0;
        if (r->ev.type == YAML_SEQUENCE_END_EVENT)
            return 1;
        size_t saved = path_index(r, n);
        if (!read_item(r, c, parent))
            return 0;
        path_pop(r, saved);
    }
}

static int read_collection(reader *r, pb_collection *c)
{
    static const char *const keys[] = {"title", "kind", "note", "dates", "links", "items"};
    if (!expect(r, YAML_MAPPING_START_EVENT, "a collection (a mapping)"))
        return 0;
    A->pb_collection_set_source(c, LINE(r->ev), COL(r->ev));
    uint32_t seen = 0;
    int done, k;
    pb_error e;
    A->pb_error_clear(&e);
    while (next_key(r, &done, &seen, keys, 6, &k)) {
        size_t saved = path_key(r, keys[k], strlen(keys[k]));
        if ((k == 3 || k == 4) && (seen & (1u << 5)))
            return FAIL(PB_ERR_SCHEMA, "'%s' must come before 'items'", keys[k]);
        if (!next(r))
            return 0;
        if (k <= 2) {
            if (is_null(r))
                goto popped;
            if (!text_value(r, "text"))
                return 0;
            if (A->pb_collection_set_text(c, (pb_collection_field)k, sval(r), slen(r), &e))
                return core_fail(r, &e);
        } else if (k == 3) {
            if (!expect(r, YAML_SEQUENCE_START_EVENT, "a list of field names"))
                return 0;
            for (;;) {
                if (!next(r))
                    return 0;
                if (r->ev.type == YAML_SEQUENCE_END_EVENT)
                    break;
                if (!text_value(r, "a field name"))
                    return 0;
                if (A->pb_collection_add_date_field(c, sval(r), slen(r), &e))
                    return core_fail(r, &e);
            }
        } else if (k == 4) {
            if (!expect(r, YAML_MAPPING_START_EVENT, "links: field -> target"))
                return 0;
            for (;;) {
                if (!next(r))
                    return 0;
                if (r->ev.type == YAML_MAPPING_END_EVENT)
                    break;
                if (!text_value(r, "a field name"))
                    return 0;
                char *field = copy_scalar(r);
                size_t fl = slen(r);
                if (!field)
                    return 0;
                int ok = next(r) && text_value(r, "a link target");
                if (ok && A->pb_collection_add_link(c, field, fl, sval(r), slen(r), &e))
                    ok = core_fail(r, &e);
                free(field);
                if (!ok)
                    return 0;
            }
        } else if (!read_items(r, c, PB_NONE))
            return 0;
    popped:
        path_pop(r, saved);
    }
    return done;
}

static int read_records(reader *r)
{
    if (!expect(r, YAML_MAPPING_START_EVENT, "a mapping of collections by id"))
        return 0;
    for (;;) {
        if (!next(r))
            return 0;
        if (r->ev.type == YAML_MAPPING_END_EVENT)
            return 1;
        if (!text_value(r, "a collection id"))
            return 0;
        pb_error e;
        A->pb_error_clear(&e);
        size_t saved = path_key(r, sval(r), slen(r));
        pb_collection *c = A->pb_plan_add_collection(r->plan, sval(r), slen(r), &e);
        if (!c) {
            if (e.status == PB_ERR_DUPLICATE)
                return FAIL(PB_ERR_SCHEMA, "duplicate key: %s", e.message);
            return core_fail(r, &e);
        }
        if (!next(r) || !read_collection(r, c))
            return 0;
        path_pop(r, saved);
    }
}

/* ========================================================= document */

static int read_document(reader *r)
{
    static const char *const keys[] = {"planbook", "plan", "settings", "budgets", "agreements",
                                       "indicators", "risks", "records"};
    if (!next(r) || !expect(r, YAML_STREAM_START_EVENT, "a stream"))
        return 0;
    if (!next(r))
        return 0;
    if (r->ev.type == YAML_STREAM_END_EVENT)
        return fail_at(r, PB_ERR_SCHEMA, 1, 1, "the file is empty: expected a plan");
    if (!expect(r, YAML_DOCUMENT_START_EVENT, "a document"))
        return 0;
    if (!next(r))
        return 0;
    if (r->ev.type != YAML_MAPPING_START_EVENT)
        return FAIL(PB_ERR_SCHEMA, "a plan file is a mapping (starting 'planbook: 1'), found %s",
                    event_name(r->ev.type));
    uint32_t seen = 0;
    int done, k;
    while (next_key(r, &done, &seen, keys, 8, &k)) {
        size_t saved = path_key(r, keys[k], strlen(keys[k]));
        if (!next(r))
            return 0;
        switch (k) {
        case 5:
            if (!read_indicators(r))
                return 0;
            break;
        case 6:
            if (!read_risks(r))
                return 0;
            break;
        case 7:
            if (!read_records(r))
                return 0;
            break;
        case 0:
            if (!text_value(r, "the format version") )
                return 0;
            if (!key_is(r, "1"))
                return FAIL(PB_ERR_SCHEMA,
                            "this is format version '%.*s'; this planbook reads version 1",
                            (int)(slen(r) > 20 ? 20 : slen(r)), sval(r));
            break;
        case 1:
            if (!read_plan_meta(r))
                return 0;
            break;
        case 2:
            if (!read_settings(r))
                return 0;
            break;
        case 3:
            if (!read_budgets(r))
                return 0;
            break;
        case 4:
            if (!read_agreements(r))
                return 0;
            break;
        }
        path_pop(r, saved);
    }
    if (!done)
        return 0;
    if (!(seen & 1u))
        return fail_at(r, PB_ERR_SCHEMA, 1, 1,
                       "not a planbook file: it has no 'planbook: 1' (the format version)");
    if (!next(r) || !expect(r, YAML_DOCUMENT_END_EVENT, "the end of the document"))
        return 0;
    if (!next(r))
        return 0;
    if (r->ev.type != YAML_STREAM_END_EVENT)
        return FAIL(PB_ERR_SCHEMA, "a plan file holds one document; found another");
    return 1;
}

pb_yaml_limits pb_yaml_default_limits(void)
{
    pb_yaml_limits lim = {100, 1u << 20, 1ull << 30};
    return lim;
}

static pb_plan *read_any(reader *r)
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
    yaml_parser_set_input(&r->parser, read_handler, r);
    int ok = read_document(r);
    if (r->have_ev)
        yaml_event_delete(&r->ev);
    yaml_parser_delete(&r->parser);
    if (!ok) {
        if (r->err->status == PB_OK)
            fail_at(r, PB_ERR_PARSE, 0, 0, "the file could not be read");
        A->pb_plan_free(r->plan);
        return NULL;
    }
    return r->plan;
}

pb_plan *pb_yaml_read_file(const pb_api *api, FILE *file,
                           const pb_yaml_limits *limits, pb_error *err)
{
    reader r;
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
    reader r;
    memset(&r, 0, sizeof r);
    r.api = api;
    r.err = err;
    r.lim = limits ? *limits : pb_yaml_default_limits();
    r.data = data ? data : (const unsigned char *)"";
    r.size = data ? size : 0;
    return read_any(&r);
}
