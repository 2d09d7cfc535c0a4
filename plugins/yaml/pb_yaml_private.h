/* pb_yaml_private.h - what the reader's units share (not installed).
 *
 * The reader is split by what it reads:
 *   pb_yaml_read_event.c     events, scalars, paths, errors, and the
 *                            table-driven mapping reader every unit uses
 *   pb_yaml_read.c           the document, plan details and settings; the
 *                            entry points of pb_yaml.h
 *   pb_yaml_read_budget.c    budget tables (columns, rows) and agreements
 *   pb_yaml_read_indicator.c indicator sets and their measures
 *   pb_yaml_read_risk.c      risk registers
 *   pb_yaml_read_record.c    record collections
 *   pb_yaml_read_described.c described parts (contacts...), by descriptor
 *
 * A mapping of the format is described by a table of its keys
 * (pb_yr_field), and pb_yr_read_fields walks it: unknown keys (with the
 * valid ones listed), duplicate keys, keys out of order, required keys and
 * the data path are handled there once; a field's row names the function
 * that reads its value.
 *
 * Convention: functions return 1 on success and 0 on failure, with the
 * reader's error set (the first error is kept).
 */
#ifndef PB_YAML_PRIVATE_H
#define PB_YAML_PRIVATE_H

#include <stdint.h>
#include <string.h>
#include <yaml.h>

#include "pb_yaml.h"

/* =========================================================== context */

typedef struct pb_yr_pipe pb_yr_pipe;

typedef struct pb_yr_reader {
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
    /* input handed to libyaml when the last event came, and where it
     * ended: libyaml buffers a scalar whole, so a gap between two events
     * longer than any value may be is refused as it is read (over_gap) */
    unsigned long long ev_consumed;
    uint32_t ev_line, ev_col;
    int over_gap;
    unsigned long long cells; /* cells of the rows made so far */
    /* data path, e.g. budgets.subjective.rows[3] */
    char path[PB_ERROR_PATH_MAX];
    size_t pathlen;
    pb_error scratch; /* the core's error of the call at hand (pb_yr_error) */
    /* libyaml's parser on a second thread (pb_yaml_read_pipe.c), or NULL */
    pb_yr_pipe *pipe;
} pb_yr_reader;

/* The core's functions, through the api table: A->pb_plan_new() */
#define A (r->api)

/* Cells per read: this many, plus this many per byte of input before the
 * row (a written value takes two bytes or more; a blank cell takes none). */
#define PB_YAML_CELLS_BASE (1ull << 22)
#define PB_YAML_CELLS_PER_BYTE 16ull
#define LINE(ev) ((uint32_t)(ev).start_mark.line + 1)
#define COL(ev) ((uint32_t)(ev).start_mark.column + 1)

/* The current scalar's text and length; a scalar's text cut to n bytes
 * for a message ("%.*s", CUT(r, 40), sval(r)). */
static inline const char *sval(pb_yr_reader *r) { return (const char *)r->ev.data.scalar.value; }
static inline size_t slen(pb_yr_reader *r) { return r->ev.data.scalar.length; }
static inline int is_scalar(pb_yr_reader *r) { return r->ev.type == YAML_SCALAR_EVENT; }
#define CUT(r, n) ((int)(slen(r) > (n) ? (n) : slen(r)))

/* The current scalar is exactly k. */
static inline int key_is(pb_yr_reader *r, const char *k)
{
    size_t n = strlen(k);
    return slen(r) == n && memcmp(sval(r), k, n) == 0;
}

/* ------------------------------------------------------------- paths */

/* Each push returns the length to pop back to. */
size_t pb_yr_path_key(pb_yr_reader *r, const char *key, size_t n);
size_t pb_yr_path_index(pb_yr_reader *r, size_t i);
void pb_yr_path_pop(pb_yr_reader *r, size_t saved);

/* ------------------------------------------------------------ errors */

/* Set the error (unless one is set already) at line and column, with the
 * current data path.  Returns 0. */
int pb_yr_fail_at(pb_yr_reader *r, pb_status st, uint32_t line, uint32_t col,
                  const char *fmt, ...) PB_PRINTF(5, 6);
#define FAIL(st, ...) pb_yr_fail_at(r, st, LINE(r->ev), COL(r->ev), __VA_ARGS__)

/* A cleared error for the core's calls, to be read at once when one fails
 * (one per reader: the next pb_yr_error, even in a nested read, clears
 * it again). */
pb_error *pb_yr_error(pb_yr_reader *r);
/* A core error (amount, period, duplicate id...) at the current event. */
int pb_yr_core_fail(pb_yr_reader *r, pb_error *e);
/* A core error at a remembered place. */
int pb_yr_core_fail_at(pb_yr_reader *r, pb_error *e, uint32_t line, uint32_t col);
/* 1 when st is PB_OK, else the core error e at the current event. */
int pb_yr_core(pb_yr_reader *r, pb_status st, pb_error *e);

/* libyaml's error, as the reader's. */
int pb_yr_parser_fail(pb_yr_reader *r);
/* libyaml's input callback. */
int pb_yr_read_handler(void *ctx, unsigned char *buffer, size_t size, size_t *size_read);

/* ------------------------------------------------------------ events */

/* libyaml's parser on a second thread (pb_yaml_read_pipe.c), for an input
 * of lim.pipeline_min bytes or more: start it once the parser has its
 * input (1: started; 0: read on this thread), the next event as r->ev
 * (what pb_yr_next does then), and stop it (joined, freed; any time, and
 * before the parser is deleted or the input looked at). */
int pb_yr_pipe_start(pb_yr_reader *r);
int pb_yr_pipe_next(pb_yr_reader *r);
void pb_yr_pipe_stop(pb_yr_reader *r);

/* "a scalar", "a mapping"... */
const char *pb_yr_event_name(yaml_event_type_t t);
/* Move to the next event, enforcing the safety rules (no aliases, no
 * tags, depth and scalar size within the limits). */
int pb_yr_next(pb_yr_reader *r);
/* The current event is of type t, else "expected <what>, found ...". */
int pb_yr_expect(pb_yr_reader *r, yaml_event_type_t t, const char *what);

/* ----------------------------------------------------------- scalars */

/* A plain ~, null, Null, NULL or empty scalar. */
int pb_yr_is_null(pb_yr_reader *r);
/* The current event is a text scalar (no NUL in it). */
int pb_yr_text(pb_yr_reader *r, const char *what);
/* A whole number 0..max. */
int pb_yr_small_int(pb_yr_reader *r, long max, long *out, const char *what);
/* A tolerance (finance notation, at PB_TOLERANCE_DECIMALS). */
int pb_yr_tolerance(pb_yr_reader *r, pb_amount *out);
/* true or false (True, TRUE...). */
int pb_yr_bool(pb_yr_reader *r, int *out);
/* The index of the current scalar in names[] (NULL-ended), or -1. */
int pb_yr_pick(pb_yr_reader *r, const char *const *names);
/* A malloc'd, NUL-ended copy of the current scalar, or NULL (error set). */
char *pb_yr_copy(pb_yr_reader *r);

/* ================================================ table-driven mappings */

typedef struct pb_yr_field pb_yr_field;

/* Read the value of field f (the current event is the value) into obj;
 * seen has a bit per key of the mapping met so far, this one included. */
typedef int (*pb_yr_read_fn)(pb_yr_reader *r, void *obj, const pb_yr_field *f,
                             uint32_t seen);

/* Flags of a field */
enum {
    PB_YR_TEXT = 1u,     /* the value is text (pb_yr_text(r, "text")) */
    PB_YR_OPTIONAL = 2u, /* a null value is as if the key were absent */
    PB_YR_REQUIRED = 4u  /* the mapping needs it (the map's `missing`) */
};
/* A text field: null is absent, else text. */
#define PB_YR_NULLABLE_TEXT (PB_YR_TEXT | PB_YR_OPTIONAL)

struct pb_yr_field {
    const char *key;
    pb_yr_read_fn read;
    int code;           /* for the reader: a field of the core, a limit... */
    unsigned flags;     /* PB_YR_TEXT... */
    const char *after;  /* a key that must come before this one, or NULL */
    const char *before; /* a key that must not come before this one */
};

/* Flags of a map */
enum {
    PB_YR_NO_PATH = 1u /* the keys are not added to the data path */
};

typedef struct pb_yr_map {
    const char *what; /* "a table (a mapping)": for "expected ..." */
    const pb_yr_field *fields;
    int nfields;      /* at most 32 */
    unsigned flags;
    /* checks at the key, before its value is read (the order of keys);
     * NULL for none */
    int (*at_key)(pb_yr_reader *r, void *obj, const pb_yr_field *f);
    /* at the end of the mapping (after the required keys are checked);
     * line and column are the mapping's; NULL for none */
    int (*at_end)(pb_yr_reader *r, void *obj, uint32_t seen, uint32_t line,
                  uint32_t col);
    /* the error when a required key is missing, at the mapping */
    const char *missing;
} pb_yr_map;

#define PB_YR_COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Read a mapping by its table: the current event must be a mapping
 * (else "expected <m->what>"); ends at its MAPPING_END. */
int pb_yr_read_map(pb_yr_reader *r, const pb_yr_map *m, void *obj);
/* The same, the current event known to be MAPPING_START. */
int pb_yr_read_fields(pb_yr_reader *r, const pb_yr_map *m, void *obj);
/* Bit of key in m's fields (for seen), 0 if m has no such key. */
uint32_t pb_yr_bit(const pb_yr_map *m, const char *key);

/* Read a sequence: item(r, obj, i) for each element (the current event
 * is the element), with [i] on the data path. */
typedef int (*pb_yr_item_fn)(pb_yr_reader *r, void *obj, size_t i);
int pb_yr_read_list(pb_yr_reader *r, const char *what, pb_yr_item_fn item, void *obj);

/* Read a mapping of free keys: entry(r, obj) at each key (the current
 * event is the key, a text scalar); entry reads the value.  keywhat says
 * what a key is ("a period"). */
typedef int (*pb_yr_entry_fn)(pb_yr_reader *r, void *obj);
int pb_yr_read_entries(pb_yr_reader *r, const char *what, const char *keywhat,
                       pb_yr_entry_fn entry, void *obj);

/* At a key of such a mapping whose value is a text (footnotes: {mark:
 * text}, links: {field: target}): the key and the value (what it is, for
 * "expected ...") handed to add, a core call; the key on the data path
 * while its value is read when on_path. */
typedef pb_status (*pb_yr_pair_fn)(pb_yr_reader *r, void *obj, const char *key, size_t klen,
                                   const char *value, size_t vlen, pb_error *e);
int pb_yr_text_entry(pb_yr_reader *r, void *obj, const char *what, int on_path,
                     pb_yr_pair_fn add);

/* A mapping of parts by id (budgets, indicators, risks, records), each
 * part a mapping read by map; each id on the data path. */
typedef struct pb_yr_parts {
    const char *what, *idwhat; /* "a mapping of tables by id", "a table id" */
    /* make the part named by the current key: NULL with e set */
    void *(*add)(pb_yr_reader *r, pb_error *e);
    /* the part's place in the file (its mapping's start) */
    void (*set_source)(pb_yr_reader *r, void *part, uint32_t line, uint32_t col);
    const pb_yr_map *map;
} pb_yr_parts;
int pb_yr_read_parts(pb_yr_reader *r, const pb_yr_parts *p);

/* What a reader of the parts of the kind `name` needs of the core, through
 * the API table, written once for every kind: add_<name> (the part named
 * by the current key, made by pb_plan_add_<name>), <name>_source (its
 * place, by pb_<name>_set_source) and <name>_text (a pb_yr_read_fn: the
 * current scalar as the part's text field f->code, a pb_<name>_field, by
 * pb_<name>_set_text).  Before the part's key table, which names
 * <name>_text. */
#define PB_YR_PART_HOOKS(name)                                                         \
    static void *add_##name(pb_yr_reader *r, pb_error *e)                              \
    {                                                                                  \
        return A->pb_plan_add_##name(r->plan, sval(r), slen(r), e);                    \
    }                                                                                  \
    static void name##_source(pb_yr_reader *r, void *part, uint32_t line, uint32_t col) \
    {                                                                                  \
        A->pb_##name##_set_source(part, line, col);                                    \
    }                                                                                  \
    static int name##_text(pb_yr_reader *r, void *obj, const pb_yr_field *f, uint32_t seen) \
    {                                                                                  \
        (void)seen;                                                                    \
        pb_error *e = pb_yr_error(r);                                                  \
        return pb_yr_core(r, A->pb_##name##_set_text(obj, (pb_##name##_field)f->code, sval(r), \
                                                     slen(r), e), e);                  \
    }

/* int fn(pb_yr_reader *r): read a mapping of parts of the kind `name` by
 * id (after PB_YR_PART_HOOKS(name)), each a mapping (described as
 * mapwhat) of the keys in the array `fields`.  what and idwhat as in
 * pb_yr_parts. */
#define PB_YR_PARTS_READER(fn, name, fields, mapwhat, what, idwhat)                     \
    int fn(pb_yr_reader *r)                                                            \
    {                                                                                  \
        static const pb_yr_map map = {mapwhat, fields, PB_YR_COUNT(fields), 0,         \
                                      NULL, NULL, NULL};                               \
        static const pb_yr_parts parts = {what, idwhat, add_##name, name##_source, &map}; \
        return pb_yr_read_parts(r, &parts);                                            \
    }

/* The keys of a mapping whose text fields the core describes
 * (pb_fields.h): a row per described field, read by `text` (the part's id
 * by `id`, required), then the `extra` rows of the fields that are not
 * plain text (scores, lists...).  Fills out[PB_YR_MAX_FIELDS]; returns
 * the count. */
#define PB_YR_MAX_FIELDS 32
int pb_yr_described(const pb_field_desc *d, size_t n, pb_yr_read_fn text, pb_yr_read_fn id,
                    const pb_yr_field *extra, int nextra, pb_yr_field *out);

/* int fn(pb_yr_reader *r): as PB_YR_PARTS_READER, for a part whose text
 * fields the core describes (pb_<name>_fields), each read by <name>_text,
 * followed by the keys in the array `extra`. */
#define PB_YR_DESCRIBED_PARTS_READER(fn, name, extra, mapwhat, what, idwhat)              \
    int fn(pb_yr_reader *r)                                                            \
    {                                                                                  \
        pb_yr_field fields[PB_YR_MAX_FIELDS];                                          \
        size_t nd;                                                                     \
        const pb_field_desc *d = A->pb_##name##_fields(&nd);                           \
        pb_yr_map map = {mapwhat, fields, 0, 0, NULL, NULL, NULL};                     \
        map.nfields = pb_yr_described(d, nd, name##_text, NULL, extra, PB_YR_COUNT(extra), \
                                      fields);                                         \
        pb_yr_parts parts = {what, idwhat, add_##name, name##_source, &map};           \
        return pb_yr_read_parts(r, &parts);                                            \
    }

/* Bound the cells made so far by the input read (r->cells). */
int pb_yr_cells_fit(pb_yr_reader *r);

/* ============================================================= units */

int pb_yr_read_budgets(pb_yr_reader *r);
int pb_yr_read_agreements(pb_yr_reader *r);
int pb_yr_read_indicators(pb_yr_reader *r);
int pb_yr_read_risks(pb_yr_reader *r);
int pb_yr_read_records(pb_yr_reader *r);
/* The rows of described part `kind` (pb_described_kind), the current
 * event its value. */
int pb_yr_read_described(pb_yr_reader *r, size_t kind);

#endif
