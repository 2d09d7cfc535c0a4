/* pb_yaml_read_event.c - the reader's groundwork: libyaml's events with
 * the safety rules, scalars, the data path, errors with their place, and
 * the table-driven mapping reader (pb_yr_read_fields) that every part of
 * the format is read with.
 *
 * Safety: aliases and tags are refused, nesting depth, scalar size and
 * input size are bounded per reader, duplicate keys are errors, and every
 * error names the line, column and data path.
 */
#include "pb_yaml_private.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------- paths */

/* Paths are pushed for every row and value, so they are built by hand
 * (snprintf here cost a tenth of the load time). */
static void path_append(pb_yr_reader *r, const char *s, size_t n)
{
    size_t room = sizeof r->path - 1 - r->pathlen;
    if (n > room)
        n = room;
    memcpy(r->path + r->pathlen, s, n);
    r->pathlen += n;
    r->path[r->pathlen] = '\0';
}

size_t pb_yr_path_key(pb_yr_reader *r, const char *key, size_t n)
{
    size_t saved = r->pathlen;
    if (r->pathlen)
        path_append(r, ".", 1);
    path_append(r, key, n);
    return saved;
}

size_t pb_yr_path_index(pb_yr_reader *r, size_t i)
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

void pb_yr_path_pop(pb_yr_reader *r, size_t saved)
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

int pb_yr_fail_at(pb_yr_reader *r, pb_status st, uint32_t line, uint32_t col,
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


/* A core error (amount, period, duplicate id...) at the current event. */
pb_error *pb_yr_error(pb_yr_reader *r)
{
    A->pb_error_clear(&r->scratch);
    return &r->scratch;
}

int pb_yr_core_fail(pb_yr_reader *r, pb_error *e)
{
    return pb_yr_fail_at(r, e->status == PB_ERR_NOMEM ? PB_ERR_NOMEM : e->status,
                   LINE(r->ev), COL(r->ev), "%s", e->message);
}

/* Line and column of a byte offset, for libyaml reader errors, which carry
 * only an offset. */
static void offset_position(pb_yr_reader *r, size_t offset, uint32_t *line,
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

/* The most input libyaml may take between two events: two values at the
 * scalar limit (the one it is reading and the key or value before it)
 * and 64 KiB for its read-ahead, comments and indentation. */
static unsigned long long gap_limit(const pb_yr_reader *r)
{
    unsigned long long s = r->lim.max_scalar;
    return s > (1ull << 60) ? ~0ull : 2 * s + 65536u;
}

int pb_yr_parser_fail(pb_yr_reader *r)
{
    yaml_parser_t *p = &r->parser;
    if (p->error == YAML_MEMORY_ERROR)
        return pb_yr_fail_at(r, PB_ERR_NOMEM, 0, 0, "out of memory");
    if (r->over_gap)
        return pb_yr_fail_at(r, PB_ERR_LIMIT, r->ev_line, r->ev_col,
                             "a value (or a run of comments and blank lines) of more than "
                             "%llu bytes follows: larger than the limit of %zu bytes a value",
                             gap_limit(r), r->lim.max_scalar);
    if (r->over_limit)
        return pb_yr_fail_at(r, PB_ERR_LIMIT, 0, 0,
                       "the input is larger than the limit of %llu bytes",
                       r->lim.max_input);
    if (r->io_failed)
        return pb_yr_fail_at(r, PB_ERR_IO, 0, 0, "the file could not be read");
    const char *problem = p->problem ? p->problem : "invalid YAML";
    if (p->error == YAML_READER_ERROR) {
        uint32_t line, col;
        offset_position(r, p->problem_offset, &line, &col);
        if (p->problem_value != -1)
            return pb_yr_fail_at(r, PB_ERR_PARSE, line, col, "%s (byte 0x%02X at offset %zu)",
                           problem, (unsigned)p->problem_value & 0xFFu,
                           p->problem_offset);
        return pb_yr_fail_at(r, PB_ERR_PARSE, line, col, "%s (at offset %zu)", problem,
                       p->problem_offset);
    }
    uint32_t line = (uint32_t)p->problem_mark.line + 1;
    uint32_t col = (uint32_t)p->problem_mark.column + 1;
    if (p->context)
        return pb_yr_fail_at(r, PB_ERR_PARSE, line, col, "%s %s (the %s began at line %zu, column %zu)",
                       p->context, problem, "construct", p->context_mark.line + 1,
                       p->context_mark.column + 1);
    return pb_yr_fail_at(r, PB_ERR_PARSE, line, col, "%s", problem);
}

/* ------------------------------------------------------------- input */

int pb_yr_read_handler(void *ctx, unsigned char *buffer, size_t size,
                        size_t *size_read)
{
    pb_yr_reader *r = ctx;
    size_t n;
    if (r->io_failed)
        return 0;
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
    if (r->consumed - r->ev_consumed > gap_limit(r)) {
        r->over_gap = 1; /* refused before libyaml holds all of it */
        return 0;
    }
    *size_read = n;
    return 1;
}

/* ------------------------------------------------------------ events */

const char *pb_yr_event_name(yaml_event_type_t t)
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
int pb_yr_next(pb_yr_reader *r)
{
    yaml_event_t *e = &r->ev;
    if (r->pipe) {
        if (!pb_yr_pipe_next(r))
            return 0;
    } else {
        if (r->have_ev) {
            yaml_event_delete(&r->ev);
            r->have_ev = 0;
        }
        if (!yaml_parser_parse(&r->parser, &r->ev))
            return pb_yr_parser_fail(r);
        r->have_ev = 1;
        r->ev_consumed = r->consumed;
        r->ev_line = (uint32_t)e->end_mark.line + 1;
        r->ev_col = (uint32_t)e->end_mark.column + 1;
    }
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



/* A plain ~, null, Null, NULL or empty scalar. */
int pb_yr_is_null(pb_yr_reader *r)
{
    if (!is_scalar(r) || r->ev.data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return 0;
    const char *s = sval(r);
    size_t n = slen(r);
    return n == 0 || (n == 1 && s[0] == '~') ||
           (n == 4 && (!memcmp(s, "null", 4) || !memcmp(s, "Null", 4) ||
                       !memcmp(s, "NULL", 4)));
}

int pb_yr_expect(pb_yr_reader *r, yaml_event_type_t t, const char *what)
{
    if (r->ev.type != t)
        return FAIL(PB_ERR_SCHEMA, "expected %s, found %s", what, pb_yr_event_name(r->ev.type));
    return 1;
}

/* The current event must be a text scalar (not null). */
int pb_yr_text(pb_yr_reader *r, const char *what)
{
    if (!is_scalar(r))
        return FAIL(PB_ERR_SCHEMA, "expected %s, found %s", what, pb_yr_event_name(r->ev.type));
    if (memchr(sval(r), '\0', slen(r)))
        return FAIL(PB_ERR_SCHEMA, "text must not contain NUL characters");
    return 1;
}

int pb_yr_small_int(pb_yr_reader *r, long max, long *out, const char *what)
{
    if (!pb_yr_text(r, what))
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

int pb_yr_tolerance(pb_yr_reader *r, pb_amount *out)
{
    if (!pb_yr_text(r, "a tolerance"))
        return 0;
    pb_error *e = pb_yr_error(r);
    pb_cell_state st;
    if (A->pb_amount_parse(sval(r), slen(r), PB_TOLERANCE_DECIMALS, out, &st, e))
        return pb_yr_core_fail(r, e);
    if (st != PB_CELL_VALUE || *out < 0)
        return FAIL(PB_ERR_SCHEMA, "a tolerance is a number, zero or more");
    return 1;
}

int pb_yr_bool(pb_yr_reader *r, int *out)
{
    static const char *const names[] = {"false", "False", "FALSE", "true", "True", "TRUE", NULL};
    if (!pb_yr_text(r, "true or false"))
        return 0;
    int i = pb_yr_pick(r, names);
    if (i >= 0) {
        *out = i >= 3;
        return 1;
    }
    return FAIL(PB_ERR_SCHEMA, "expected true or false, found '%.*s'", CUT(r, 40), sval(r));
}

int pb_yr_pick(pb_yr_reader *r, const char *const *names)
{
    for (int i = 0; names[i]; i++)
        if (key_is(r, names[i]))
            return i;
    return -1;
}

char *pb_yr_copy(pb_yr_reader *r)
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

int pb_yr_core_fail_at(pb_yr_reader *r, pb_error *e, uint32_t line, uint32_t col)
{
    return pb_yr_fail_at(r, e->status, line, col, "%s", e->message);
}

int pb_yr_core(pb_yr_reader *r, pb_status st, pb_error *e)
{
    return st == PB_OK ? 1 : pb_yr_core_fail(r, e);
}

int pb_yr_cells_fit(pb_yr_reader *r)
{
    return r->cells <= PB_YAML_CELLS_BASE +
                           PB_YAML_CELLS_PER_BYTE * (unsigned long long)r->ev.start_mark.index;
}

/* ====================================================== mappings */

/* The unknown key error: the key's first 60 bytes (a NUL in them shown
 * as \x00; the rest of the escaping is pb_yr_fail_at's) and the keys the
 * mapping has. */
static int unknown_key(pb_yr_reader *r, const pb_yr_map *m)
{
    char known[400];
    size_t len = 0;
    known[0] = '\0';
    for (int k = 0; k < m->nfields && len < sizeof known; k++) {
        int w = snprintf(known + len, sizeof known - len, "%s%s", k ? ", " : "",
                         m->fields[k].key);
        if (w < 0)
            break;
        len += (size_t)w;
    }
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
    pb_yr_path_key(r, key, kn);
    return FAIL(PB_ERR_SCHEMA, "unknown key '%s' (expected one of: %s)", key, known);
}

enum { KEY_END = -1, KEY_ERROR = -2 };

/* Move to the next key of a mapping: its index in m's fields (its bit set
 * in *seen), KEY_END at the end of the mapping, or KEY_ERROR. */
static int next_key(pb_yr_reader *r, const pb_yr_map *m, uint32_t *seen)
{
    if (!pb_yr_next(r))
        return KEY_ERROR;
    if (r->ev.type == YAML_MAPPING_END_EVENT)
        return KEY_END;
    if (!is_scalar(r))
        return FAIL(PB_ERR_SCHEMA, "a key must be text, found %s", pb_yr_event_name(r->ev.type)),
               KEY_ERROR;
    for (int k = 0; k < m->nfields; k++)
        if (key_is(r, m->fields[k].key)) {
            if (*seen & (1u << k)) {
                pb_yr_path_key(r, m->fields[k].key, strlen(m->fields[k].key));
                FAIL(PB_ERR_SCHEMA, "duplicate key '%s'", m->fields[k].key);
                return KEY_ERROR;
            }
            *seen |= 1u << k;
            return k;
        }
    unknown_key(r, m);
    return KEY_ERROR;
}

uint32_t pb_yr_bit(const pb_yr_map *m, const char *key)
{
    for (int k = 0; k < m->nfields; k++)
        if (!strcmp(m->fields[k].key, key))
            return 1u << k;
    return 0;
}

/* The order rules of f: its `after` key met before it, its `before` key
 * not met yet. */
static int in_order(pb_yr_reader *r, const pb_yr_map *m, const pb_yr_field *f, uint32_t seen)
{
    if (f->after && !(seen & pb_yr_bit(m, f->after)))
        return FAIL(PB_ERR_SCHEMA, "'%s' must come before '%s'", f->after, f->key);
    if (f->before && (seen & pb_yr_bit(m, f->before)))
        return FAIL(PB_ERR_SCHEMA, "'%s' must come before '%s'", f->key, f->before);
    return 1;
}

int pb_yr_read_fields(pb_yr_reader *r, const pb_yr_map *m, void *obj)
{
    uint32_t line = LINE(r->ev), col = COL(r->ev), seen = 0, required = 0;
    int k;
    while ((k = next_key(r, m, &seen)) >= 0) {
        const pb_yr_field *f = &m->fields[k];
        size_t saved = r->pathlen;
        if (!(m->flags & PB_YR_NO_PATH))
            pb_yr_path_key(r, f->key, strlen(f->key));
        if (!in_order(r, m, f, seen) || (m->at_key && !m->at_key(r, obj, f)))
            return 0;
        if (!pb_yr_next(r))
            return 0;
        if (!((f->flags & PB_YR_OPTIONAL) && pb_yr_is_null(r))) {
            if ((f->flags & PB_YR_TEXT) && !pb_yr_text(r, "text"))
                return 0;
            if (!f->read(r, obj, f, seen))
                return 0;
        }
        pb_yr_path_pop(r, saved);
    }
    if (k == KEY_ERROR)
        return 0;
    for (k = 0; k < m->nfields; k++)
        if (m->fields[k].flags & PB_YR_REQUIRED)
            required |= 1u << k;
    if ((seen & required) != required)
        return pb_yr_fail_at(r, PB_ERR_SCHEMA, line, col, "%s", m->missing);
    return m->at_end ? m->at_end(r, obj, seen, line, col) : 1;
}

int pb_yr_read_map(pb_yr_reader *r, const pb_yr_map *m, void *obj)
{
    return pb_yr_expect(r, YAML_MAPPING_START_EVENT, m->what) && pb_yr_read_fields(r, m, obj);
}

int pb_yr_read_list(pb_yr_reader *r, const char *what, pb_yr_item_fn item, void *obj)
{
    if (!pb_yr_expect(r, YAML_SEQUENCE_START_EVENT, what))
        return 0;
    for (size_t i = 0;; i++) {
        if (!pb_yr_next(r))
            return 0;
        if (r->ev.type == YAML_SEQUENCE_END_EVENT)
            return 1;
        size_t saved = pb_yr_path_index(r, i);
        if (!item(r, obj, i))
            return 0;
        pb_yr_path_pop(r, saved);
    }
}

int pb_yr_read_entries(pb_yr_reader *r, const char *what, const char *keywhat,
                       pb_yr_entry_fn entry, void *obj)
{
    if (!pb_yr_expect(r, YAML_MAPPING_START_EVENT, what))
        return 0;
    for (;;) {
        if (!pb_yr_next(r))
            return 0;
        if (r->ev.type == YAML_MAPPING_END_EVENT)
            return 1;
        if (!pb_yr_text(r, keywhat) || !entry(r, obj))
            return 0;
    }
}

/* One part of a mapping of parts by id, at its key. */
static int read_part(pb_yr_reader *r, void *obj)
{
    const pb_yr_parts *p = obj;
    pb_error *e = pb_yr_error(r);
    size_t saved = pb_yr_path_key(r, sval(r), slen(r));
    void *part = p->add(r, e);
    if (!part) {
        if (e->status == PB_ERR_DUPLICATE)
            return FAIL(PB_ERR_SCHEMA, "duplicate key: %s", e->message);
        return pb_yr_core_fail(r, e);
    }
    if (!pb_yr_next(r) || !pb_yr_expect(r, YAML_MAPPING_START_EVENT, p->map->what))
        return 0;
    p->set_source(r, part, LINE(r->ev), COL(r->ev));
    if (!pb_yr_read_fields(r, p->map, part))
        return 0;
    pb_yr_path_pop(r, saved);
    return 1;
}

int pb_yr_read_parts(pb_yr_reader *r, const pb_yr_parts *p)
{
    return pb_yr_read_entries(r, p->what, p->idwhat, read_part, (void *)p);
}

int pb_yr_described(const pb_field_desc *d, size_t n, pb_yr_read_fn text, pb_yr_read_fn id,
                    const pb_yr_field *extra, int nextra, pb_yr_field *out)
{
    int k = 0;
    for (size_t i = 0; i < n && k < PB_YR_MAX_FIELDS; i++) {
        int is_id = (d[i].flags & PB_FIELD_ID) && id;
        pb_yr_field f = {d[i].key, is_id ? id : text, d[i].code,
                         is_id ? PB_YR_REQUIRED : PB_YR_NULLABLE_TEXT, NULL, NULL};
        out[k++] = f;
    }
    for (int i = 0; i < nextra && k < PB_YR_MAX_FIELDS; i++)
        out[k++] = extra[i];
    return k;
}

int pb_yr_text_entry(pb_yr_reader *r, void *obj, const char *what, int on_path,
                     pb_yr_pair_fn add)
{
    char *key = pb_yr_copy(r);
    size_t kl = slen(r);
    if (!key)
        return 0;
    size_t saved = on_path ? pb_yr_path_key(r, key, kl > 40 ? 40 : kl) : 0;
    pb_error *e = pb_yr_error(r);
    int ok = pb_yr_next(r) && pb_yr_text(r, what);
    if (ok && add(r, obj, key, kl, sval(r), slen(r), e))
        ok = pb_yr_core_fail(r, e);
    free(key);
    if (ok && on_path)
        pb_yr_path_pop(r, saved);
    return ok;
}
