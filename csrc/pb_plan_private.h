/* pb_plan_private.h - the layout of the plan model, for the core's own
 * sources (pb_plan.c, pb_check.c).  Not installed, not for plugins. */
#ifndef PB_PLAN_PRIVATE_H
#define PB_PLAN_PRIVATE_H

#include "pb_arena.h"
#include "pb_hash.h"
#include "pb_plan.h"

typedef union pb_cellv {
    pb_amount amount;
    const char *text;
} pb_cellv;

typedef struct pb_row_extra {
    const char *text[PB_ROW_FIELD_COUNT]; /* id, note, select */
} pb_row_extra;

typedef struct pb_row {
    const char *label;   /* arena; NULL for a section without heading */
    pb_row_extra *extra; /* arena; NULL when no id/note/select */
    uint32_t parent;     /* PB_NONE at top level */
    uint32_t line, column;
    uint8_t kind;     /* pb_row_kind */
    uint8_t role;     /* pb_role as written */
    uint8_t eff_role; /* pb_role in force */
    uint8_t depth;    /* 0 at top level */
} pb_row;

typedef struct pb_column {
    const char *id;
    const char *text[PB_COLUMN_FIELD_COUNT];
    pb_period period;
    uint8_t type;    /* pb_column_type */
    int8_t decimals; /* -1: the table's */
    uint32_t nterms;
    uint32_t *term_cols;
    int8_t *term_signs;
    uint32_t equals; /* PB_NONE when not set */
    uint32_t line, column;
} pb_column;

/* A string -> index hash map (open addressing), rebuilt when stale. */
typedef struct pb_index {
    uint32_t *slots; /* index+1, 0 = empty */
    uint32_t cap;    /* power of two */
    uint32_t count;
    int stale;
} pb_index;

struct pb_table {
    pb_plan *plan;
    const char *id;
    const char *text[PB_TABLE_FIELD_COUNT];
    int8_t decimals;
    int8_t income_sign;
    uint8_t blank_zero;
    uint8_t has_tolerance;
    pb_amount tolerance;
    uint32_t line, column;

    pb_column *cols;
    uint32_t ncols, capcols;

    pb_row *rows;
    uint32_t nrows, caprows;
    pb_cellv *vals;   /* nrows * ncols */
    uint8_t *states;  /* nrows * ncols, pb_cell_state */
    uint32_t *locs;   /* nrows * ncols: (line - row line) << 20 | column */
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

    pb_table **tables;
    uint32_t ntables, captables;
    pb_index table_ids;

    pb_agreement *agreements;
    uint32_t nagreements, capagreements;
    /* indicator sets (pb_indicator.c) */
    struct pb_indset **indsets;
    uint32_t nindsets, capindsets;
    pb_index indset_ids;
    uint8_t rag_percent;   /* rag_tolerance is a percentage of the target */
    int64_t rag_tolerance; /* at PB_OBS_SCALE */
    /* risk registers (pb_risk.c) */
    struct pb_register **registers;
    uint32_t nregisters, capregisters;
    pb_index register_ids;
    uint8_t risk_lmax, risk_imax, risk_green, risk_amber;
    /* collections of records (pb_record.c) */
    struct pb_collection **collections;
    uint32_t ncollections, capcollections;
    pb_index collection_ids;
};

/* Shared helpers of the core's sources (pb_plan.c). */
typedef const char *(*pb_key_fn)(const void *ctx, uint32_t i);
void pb_index_free(pb_index *ix);
int pb_index_put(pb_index *ix, uint32_t i, pb_key_fn key, const void *ctx);
int64_t pb_index_get(const pb_index *ix, const char *s, size_t n,
                     pb_key_fn key, const void *ctx);
/* A copy of s[0..n) in the plan's arena (text with NUL refused). */
const char *pb_plan_dup(pb_plan *plan, const char *s, size_t n, pb_error *err);
/* Grow an array to hold at least `need` items (1.5x growth). */
int pb_grow(void **arr, uint32_t *cap, uint32_t need, size_t item);
/* pb_indicator.c: free the plan's indicator sets; their memory. */
void pb_indsets_free(pb_plan *plan);
size_t pb_indsets_memory(const pb_plan *plan);
/* pb_risk.c: the same for risk registers; their checks and messages. */
void pb_registers_free(pb_plan *plan);
size_t pb_registers_memory(const pb_plan *plan);
/* pb_record.c: the same for collections of records. */
void pb_collections_free(pb_plan *plan);
size_t pb_collections_memory(const pb_plan *plan);

/* Mark the plan changed (invalidates computed caches). */
static inline void pb_plan_touch(pb_plan *plan) { plan->generation++; }

#define PB_LABEL_SEVERAL 0x80000000u

#define PB_CELL(t, r, c) ((size_t)(r) * (t)->ncols + (c))

#endif
