/* pb_described.h - described parts: a part of a plan whose items are rows
 * of fields described once (their key, sheet heading, role, type and
 * valid values), kept, checked, read, written, shown and compared over
 * that description alone.
 *
 * A described part is one list of rows per plan, found by its key
 * ("contacts").  The descriptors are the core's (pb_described_parts.c);
 * a new described part is its descriptor and a line in the table there.
 * Every format iterates over pb_described_kind(): the YAML reader and
 * writer (a top-level key, a list of mappings), the workbook (a sheet of
 * headings and rows, read back), the Python API (a Part entry).
 *
 * The setters keep any text (a row read from a workbook may be wrong);
 * the check (part of pb_plan_check, PB_PART_DESCRIBED) reports an id
 * that repeats, a required field that is missing, a word that is not one
 * of its values, a date or count that does not parse: each finding's
 * table is the part's index, its row the row, its column the field.
 */
#ifndef PB_DESCRIBED_H
#define PB_DESCRIBED_H

#include <stdint.h>
#include <stddef.h>

#include "pb_error.h"
#include "pb_fields.h" /* PB_FIELD_ID, _TITLE, _DATE */
#include "pb_finding.h"
#include "pb_plan.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A field is required (PB_FIELD_* bits of pb_dfield.flags, with those of
 * pb_fields.h: PB_FIELD_ID marks the row's id, unique in the part;
 * PB_FIELD_TITLE the row's name in messages). */
#define PB_FIELD_REQUIRED 16u

/* What a field holds. */
typedef enum pb_dtype {
    PB_DTYPE_TEXT = 0, /* any text */
    PB_DTYPE_DATE,     /* a date or date range as plans write them */
    PB_DTYPE_COUNT,    /* a whole number, 0 or more */
    PB_DTYPE_WORD      /* one of `values` ("green|amber|red") */
} pb_dtype;

typedef struct pb_dfield {
    const char *key;     /* "telephone": YAML key, Python name */
    const char *heading; /* "Telephone": its column heading on the sheet */
    unsigned flags;      /* PB_FIELD_ID, PB_FIELD_TITLE, PB_FIELD_REQUIRED */
    int type;            /* pb_dtype */
    const char *values;  /* PB_DTYPE_WORD: the valid words, '|' between */
} pb_dfield;

typedef struct pb_described_desc {
    const char *key;   /* "contacts": the plan's key (YAML, Python) */
    const char *noun;  /* "contact": one row, in messages */
    const char *sheet; /* "Contacts": the workbook sheet */
    const char *title; /* "Contact officers": the sheet's first cell */
    const pb_dfield *fields;
    size_t nfields;
} pb_described_desc;

typedef struct pb_described pb_described;

#define PB_DESCRIBED_MAX_FIELDS 24

/* The described parts the core knows, in table order. */
size_t pb_described_kind_count(void);
const pb_described_desc *pb_described_kind(size_t k);
/* The index of the kind whose key is s[0..n), or -1. */
int64_t pb_described_kind_find(const char *s, size_t n);
/* The field whose key is s[0..n) in desc, or -1. */
int64_t pb_described_field_find(const pb_described_desc *d, const char *s, size_t n);

/* The plan's described parts, by their key: added with a known key only
 * (PB_ERR_INVALID otherwise), at most one of each. */
size_t pb_plan_described_count(const pb_plan *plan);
pb_described *pb_plan_described(const pb_plan *plan, size_t index);
int64_t pb_plan_find_described(const pb_plan *plan, const char *id, size_t len);
pb_described *pb_plan_add_described(pb_plan *plan, const char *id, size_t len, pb_error *err);
pb_status pb_plan_remove_described(pb_plan *plan, size_t index, pb_error *err);
const char *pb_described_id(const pb_described *d);
void pb_described_source(const pb_described *d, uint32_t *line, uint32_t *column);
void pb_described_set_source(pb_described *d, uint32_t line, uint32_t column);
const pb_described_desc *pb_described_desc_of(const pb_described *d);

/* Rows. */
size_t pb_described_count(const pb_described *d);
/* Append an empty row; its index, or -1 with err set. */
int64_t pb_described_add(pb_described *d, pb_error *err);
pb_status pb_described_remove(pb_described *d, size_t i, pb_error *err);
/* The first row whose id field is s[0..n), or -1 (and -1 when the part
 * has no id field). */
int64_t pb_described_find(const pb_described *d, const char *s, size_t n);
/* Field f of row i, or NULL when not set. */
const char *pb_described_value(const pb_described *d, size_t i, size_t f);
/* Set field f of row i to a copy of value[0..len) (NULL: clear it). */
pb_status pb_described_set(pb_described *d, size_t i, size_t f, const char *value, size_t len,
                           pb_error *err);
void pb_described_row_source(const pb_described *d, size_t i, uint32_t *line, uint32_t *column);
void pb_described_row_set_source(pb_described *d, size_t i, uint32_t line, uint32_t column);

/* Is value[0..n) valid for field f (its type and values)?  1 or 0; when
 * 0 and why is not NULL, a sentence of at most cap bytes. */
int pb_dfield_valid(const pb_dfield *f, const char *value, size_t n, char *why, size_t cap);

/* The checks of every described part (part of pb_plan_check). */
pb_status pb_described_check(const pb_plan *plan, pb_findings *out, pb_error *err);
size_t pb_described_finding_message(const pb_plan *plan, const pb_finding *f, char *buf,
                                    size_t cap);

#ifdef __cplusplus
}
#endif
#endif
