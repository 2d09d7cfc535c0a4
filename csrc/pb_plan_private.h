/* pb_plan_private.h - the layout of the plan model, for the core's own
 * sources (pb_plan.c, pb_table.c, pb_row.c, pb_agreement.c, pb_check.c and
 * the parts above the plan).  Not installed, not for plugins. */
#ifndef PB_PLAN_PRIVATE_H
#define PB_PLAN_PRIVATE_H

#include "pb_arena.h"
#include "pb_hash.h"
#include "pb_part.h"
#include "pb_plan.h"

typedef union pb_cellv {
    pb_amount amount;
    const char *text;
} pb_cellv;

/* What few rows have, out of line (pb_table.rowx). */
typedef struct pb_row_extra {
    const char *text[PB_ROW_FIELD_COUNT]; /* id, note, select */
    uint32_t column; /* the row's column when PB_ROW_COLUMN_FAR */
} pb_row_extra;

/* 32 bytes a row (issue 18: 333k rows in a 50 MB plan). */
typedef struct pb_row {
    const char *label; /* arena; NULL for a section without heading */
    uint32_t parent;   /* PB_NONE at top level */
    uint32_t line;
    uint32_t cell0;    /* its first entry in the cell pool (pb_row.c, "cells") */
    uint32_t extra;    /* 1 + its entry in pb_table.rowx; 0 when no id/note/select */
    uint16_t ncell;    /* entries of the row in the cell pool (<= ncols) */
    uint16_t column;   /* PB_ROW_COLUMN_FAR: in its extra (or 65535 when there
                        * was no memory for one) */
    uint8_t kind;      /* pb_row_kind */
    uint8_t role;      /* pb_role as written */
    uint8_t eff_role;  /* pb_role in force */
    uint8_t depth;     /* 0 at top level */
} pb_row;

#define PB_ROW_COLUMN_FAR 0xFFFFu

/* What few columns have, out of line (pb_column.more): a sum, equals, a
 * computation. */
typedef struct pb_column_more {
    uint32_t nterms;
    uint32_t equals; /* PB_NONE when not set */
    uint32_t *term_cols;
    int8_t *term_signs;
    /* a computed column (pb_calc.h): kind (pb_calc_kind, 0 none),
     * rounding, operands, the base of a share (a figure, or a row) */
    uint8_t calc, calc_round;
    int8_t calc_base_dec;
    uint32_t calc_a, calc_b;
    pb_amount calc_base;
    const char *calc_row;
} pb_column_more;

/* 40 bytes a column (was 112; issue 18: 70k columns in a 50 MB plan). */
typedef struct pb_column {
    const char *id;
    /* its texts (label, phase, measure, unit), a list kept once for all
     * the columns that have the same (pb_arena_intern_ptrs); NULL: none */
    const char *const *text;
    pb_column_more *more; /* malloc; NULL while it would be pb_column_plain */
    pb_period period;
    uint32_t line, column;
    uint8_t type;    /* pb_column_type */
    int8_t decimals; /* -1: the table's */
} pb_column;

/* Text field f (pb_column_field) of a column, or NULL. */
static inline const char *pb_column_text_at(const pb_column *col, unsigned f)
{
    return col->text ? col->text[f] : NULL;
}

/* The rare fields of a column without them: no terms, no equals, no
 * computation. */
extern const pb_column_more pb_column_plain;
static inline const pb_column_more *pb_colm(const pb_column *col)
{
    return col->more ? col->more : &pb_column_plain;
}
/* The column's rare fields to be set (made when it has none); NULL when
 * out of memory. */
pb_column_more *pb_colm_mut(pb_column *col);

struct pb_table {
    pb_part_head head; /* first: plan, id, source (pb_part.h) */
    const char *text[PB_TABLE_FIELD_COUNT];
    int8_t decimals;
    int8_t income_sign;
    uint8_t blank_zero;
    uint8_t has_tolerance;
    pb_amount tolerance;

    pb_column *cols;
    uint32_t ncols, capcols;

    pb_row *rows;
    uint32_t nrows, caprows;
    /* the rows' extras (pb_row.extra); a removed row's stays, unused */
    pb_row_extra *rowx;
    uint32_t nrowx, caprowx;
    /* The cell pool: only cells that hold something (or keep a source
     * position) have an entry, a blank cell costs nothing.  A row's
     * entries are one run, sorted by column (rows[r].cell0, .ncell); a
     * row with every cell is indexed directly.  Runs moved to the end
     * leave dead entries, repacked when they outgrow the live ones. */
    /* each entry's amount or text.  Narrow (int32_t, 4 bytes an entry)
     * while every amount fits 32 bits and no cell holds text, as in a
     * plan of whole pounds or thousands; then wide for the whole table
     * (pb_cellv, 8 bytes).  pb_row.c, "cells". */
    void *vals;
    /* where each cell was read, 0: at its row.  Narrow (2 bytes an entry:
     * (line - row line) << 10 | column, for the lines up to 63 below the
     * row and the columns up to 1023, as a plan file places its values)
     * until a cell needs more; then wide for the whole table (4 bytes:
     * (line - row line) << 20 | column).  pb_row.c, "cells". */
    void *locs;
    uint8_t locs_wide;
    uint8_t vals_wide;
    uint16_t *tags;   /* pb_cell_state << 14 | column */
    uint32_t ncells, capcells, deadcells;
    uint32_t nrows_with_id;
    uint64_t layout; /* bumped when rows or columns are added or removed */
    pb_index row_ids; /* row id -> row */
    /* row label -> row (| PB_LABEL_SEVERAL when several rows carry it);
     * made at the first lookup by label, kept while rows are only appended */
    pb_hash row_labels;
    uint8_t labels_ready;
    /* column id -> column, made at the first lookup in a table of 8
     * columns or more, kept as columns are added */
    pb_hash col_ids;
    uint8_t col_ids_ready;

    /* computed cache (pb_check.c) */
    pb_amount *comp;
    uint8_t *comp_state;
    uint64_t comp_generation; /* plan generation the cache was made at */
    size_t comp_cap;
};

typedef struct pb_agreement_side {
    const char *table;
    const char **rows;
    uint32_t nrows, caprows;
    const char **cols;
    uint32_t ncols, capcols;
    uint8_t negate;
} pb_agreement_side;

typedef struct pb_agreement {
    const char *name, *note;
    pb_agreement_side side[2];
    uint8_t has_tolerance;
    pb_amount tolerance;
    uint32_t line, column;
} pb_agreement;

struct pb_plan {
    pb_arena arena;
    const char *meta[PB_META_COUNT];
    int year_start;
    pb_amount tolerance;
    uint64_t generation;

    /* budget tables, indicator sets, risk registers, collections of
     * records: by PB_PART_* */
    pb_parts parts[PB_PART_COUNT];

    pb_agreement *agreements;
    uint32_t nagreements, capagreements;
    /* settings of indicator sets (pb_indicator.c) */
    uint8_t rag_percent;   /* rag_tolerance is a percentage of the target */
    int64_t rag_tolerance; /* at PB_OBS_SCALE */
    /* settings of risk registers (pb_risk.c) */
    uint8_t risk_lmax, risk_imax, risk_green, risk_amber;
};

/* A copy of s[0..n) in the plan's arena (text with NUL refused). */
const char *pb_plan_dup(pb_plan *plan, const char *s, size_t n, pb_error *err);
/* Set *field to a copy of value[0..len) (or NULL when value is NULL) and
 * mark the plan changed: the setters of optional texts. */
pb_status pb_plan_set_string(pb_plan *plan, const char **field, const char *value, size_t len,
                             pb_error *err);
/* The same for text field f of an object's texts[0..count): PB_ERR_RANGE
 * ("unknown <what>") when there is no field f. */
pb_status pb_plan_set_text_field(pb_plan *plan, const char **texts, unsigned count, unsigned f,
                                 const char *what, const char *value, size_t len, pb_error *err);
/* pb_plan_set_string, then, when the text is the key of an index (ix not
 * NULL: an item's id), the index made anew over its n items. */
pb_status pb_plan_set_key(pb_plan *plan, const char **field, const char *value, size_t len,
                          pb_index *ix, uint32_t n, pb_key_fn key, const void *ctx,
                          pb_error *err);
/* Text field f of texts[0..count), or NULL when there is none. */
static inline const char *pb_text_field(const char *const *texts, unsigned count, unsigned f)
{
    return f < count ? texts[f] : NULL;
}

/* Add an object of a part (PB_PART_*) to the plan / remove one, marking
 * the plan changed: the add and remove functions of each part. */
void *pb_plan_add_part(pb_plan *plan, int part, const pb_part_ops *ops, const char *id,
                       size_t len, pb_error *err);
pb_status pb_plan_remove_part(pb_plan *plan, int part, size_t index, pb_error *err);

/* The public functions every kind of part has, written once: for a part
 * `name` (struct TYPE, kept in plan->parts[KIND], set up by OPS) this
 * defines pb_plan_<name>_count, pb_plan_<name>, pb_plan_find_<name>,
 * pb_plan_add_<name>, pb_plan_remove_<name>, pb_<name>_id,
 * pb_<name>_source and pb_<name>_set_source (declared in the part's public
 * header), over pb_parts_* and the pb_part_head. */
#define PB_PART_FUNCTIONS(TYPE, name, KIND, OPS)                                             \
    size_t pb_plan_##name##_count(const pb_plan *plan) { return plan->parts[KIND].n; }      \
    TYPE *pb_plan_##name(const pb_plan *plan, size_t index)                                 \
    {                                                                                       \
        return pb_parts_get(&plan->parts[KIND], index);                                     \
    }                                                                                       \
    int64_t pb_plan_find_##name(const pb_plan *plan, const char *id, size_t len)            \
    {                                                                                       \
        return pb_parts_find(&plan->parts[KIND], id, len);                                  \
    }                                                                                       \
    TYPE *pb_plan_add_##name(pb_plan *plan, const char *id, size_t len, pb_error *err)      \
    {                                                                                       \
        return pb_plan_add_part(plan, KIND, &OPS, id, len, err);                            \
    }                                                                                       \
    pb_status pb_plan_remove_##name(pb_plan *plan, size_t index, pb_error *err)             \
    {                                                                                       \
        return pb_plan_remove_part(plan, KIND, index, err);                                 \
    }                                                                                       \
    const char *pb_##name##_id(const TYPE *obj) { return obj->head.id; }                    \
    void pb_##name##_source(const TYPE *obj, uint32_t *line, uint32_t *column)              \
    {                                                                                       \
        pb_part_source(&obj->head, line, column);                                           \
    }                                                                                       \
    void pb_##name##_set_source(TYPE *obj, uint32_t line, uint32_t column)                  \
    {                                                                                       \
        pb_part_set_source(&obj->head, line, column);                                       \
    }

/* Table i of the plan (i in range). */
static inline pb_table *pb_plan_table_at(const pb_plan *plan, size_t i)
{
    return (pb_table *)plan->parts[PB_PART_BUDGETS].items[i];
}

/* Mark the plan changed (invalidates computed caches). */
static inline void pb_plan_touch(pb_plan *plan) { plan->generation++; }

#define PB_LABEL_SEVERAL 0x80000000u

/* Text field f (pb_row_field) of a row, or NULL. */
static inline const char *pb_row_xtext(const pb_table *t, const pb_row *row, unsigned f)
{
    return row->extra ? t->rowx[row->extra - 1].text[f] : NULL;
}

#define PB_CELL(t, r, c) ((size_t)(r) * (t)->ncols + (c))

#endif
