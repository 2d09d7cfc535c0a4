/* pb_indicator.h - performance indicators: sets (dashboards), measures,
 * observations by period, targets, thresholds, comparators, and the status
 * engine (RAG, direction of travel, comparisons) with its reasons.
 *
 * Design (docs/design.md, "Indicators"): a set holds its periods once; each
 * series (values, targets, each comparator) is one flat array of
 * measures x periods cells, allocated when first written.  A cell is a
 * figure held exactly at PB_OBS_SCALE decimals, with the decimals it was
 * printed with, a status and an optional note; 16 bytes, no allocation per
 * cell.  Measures are a flat array; a companion count row is a measure whose
 * parent is the measure it counts for, placed right after it.
 *
 * Ownership as in pb_plan.h: the plan owns every set; strings are copied in
 * and returned strings live as long as the plan.
 */
#ifndef PB_INDICATOR_H
#define PB_INDICATOR_H

#include <stdint.h>
#include <stddef.h>

#include "pb_date.h"
#include "pb_error.h"
#include "pb_finding.h"
#include "pb_money.h"
#include "pb_obs.h"
#include "pb_period.h"
#include "pb_plan.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pb_indset pb_indset;

/* Limits of one set. */
#define PB_INDSET_MAX_PERIODS 4096
#define PB_INDSET_MAX_COMPARATORS 32

/* ------------------------------------------------------------- sets */

typedef enum pb_indset_field {
    PB_INDSET_TITLE = 0,
    PB_INDSET_FRAMEWORK,
    PB_INDSET_REPORTING,
    PB_INDSET_AS_OF,
    PB_INDSET_NOTE,
    PB_INDSET_BASIS, /* "printed: <where>" or "assumed: <where>": the RAG basis */
    PB_INDSET_FIELD_COUNT
} pb_indset_field;

/* What the printed "better than last" compares with. */
typedef enum pb_direction_rule {
    PB_DIR_PREVIOUS = 0, /* the previous period of the same kind */
    PB_DIR_YEAR_AGO,     /* the same period a year earlier */
    PB_DIR_OUTTURN       /* the previous financial year's figure */
} pb_direction_rule;

size_t pb_plan_indset_count(const pb_plan *plan);
pb_indset *pb_plan_indset(const pb_plan *plan, size_t index);
int64_t pb_plan_find_indset(const pb_plan *plan, const char *id, size_t len);
pb_indset *pb_plan_add_indset(pb_plan *plan, const char *id, size_t len,
                              pb_error *err);
pb_status pb_plan_remove_indset(pb_plan *plan, size_t index, pb_error *err);

/* RAG tolerance against a target: percent (1) of the target or absolute
 * (0), at PB_OBS_SCALE.  Default 5%. */
void pb_plan_rag_tolerance(const pb_plan *plan, int *percent, int64_t *value);
pb_status pb_plan_set_rag_tolerance(pb_plan *plan, int percent, int64_t value,
                                    pb_error *err);

pb_plan *pb_indset_plan(const pb_indset *s);
const char *pb_indset_id(const pb_indset *s);
const char *pb_indset_text(const pb_indset *s, pb_indset_field f);
pb_status pb_indset_set_text(pb_indset *s, pb_indset_field f,
                             const char *value, size_t len, pb_error *err);
pb_direction_rule pb_indset_direction(const pb_indset *s);
void pb_indset_set_direction(pb_indset *s, pb_direction_rule rule);
int pb_indset_cumulative(const pb_indset *s);
void pb_indset_set_cumulative(pb_indset *s, int cumulative);
void pb_indset_source(const pb_indset *s, uint32_t *line, uint32_t *column);
void pb_indset_set_source(pb_indset *s, uint32_t line, uint32_t column);
/* A string by handle (pb_obs.note): "" for 0. */
const char *pb_indset_string(const pb_indset *s, uint32_t handle);
/* Bumped when periods, comparators or measures are added or removed. */
uint64_t pb_indset_layout(const pb_indset *s);

size_t pb_indset_period_count(const pb_indset *s);
pb_period pb_indset_period(const pb_indset *s, size_t k);
/* Index of a period, or -1. */
int64_t pb_indset_find_period(const pb_indset *s, pb_period p);
/* Append a period (distinct from the others); cells of existing measures
 * start blank.  Returns its index or -1. */
int64_t pb_indset_add_period(pb_indset *s, pb_period p, pb_error *err);
/* The period the dashboard reports, or PB_NONE (then the last period with
 * any figure). */
uint32_t pb_indset_latest(const pb_indset *s);
pb_status pb_indset_set_latest(pb_indset *s, uint32_t k, pb_error *err);
/* The latest, or the last period (by time) in which any measure has a
 * figure; PB_NONE when there is none. */
uint32_t pb_indset_report_period(const pb_indset *s);

size_t pb_indset_comparator_count(const pb_indset *s);
const char *pb_indset_comparator_id(const pb_indset *s, size_t k);
const char *pb_indset_comparator_name(const pb_indset *s, size_t k);
int64_t pb_indset_find_comparator(const pb_indset *s, const char *id,
                                  size_t len);
/* Append a comparator (only while the set has no measures). */
int64_t pb_indset_add_comparator(pb_indset *s, const char *id, size_t idlen,
                                 const char *name, size_t namelen,
                                 pb_error *err);

size_t pb_indset_footnote_count(const pb_indset *s);
const char *pb_indset_footnote_mark(const pb_indset *s, size_t k);
const char *pb_indset_footnote_text(const pb_indset *s, size_t k);
pb_status pb_indset_add_footnote(pb_indset *s, const char *mark, size_t mlen,
                                 const char *text, size_t tlen, pb_error *err);

/* ---------------------------------------------------------- measures */

typedef enum pb_ind_field {
    PB_IND_REF = 0,
    PB_IND_NAME,
    PB_IND_GROUP,
    PB_IND_OBJECTIVE,
    PB_IND_OWNER,
    PB_IND_FRAMEWORK,
    PB_IND_DEFINITION,
    PB_IND_FOOTNOTE,
    PB_IND_FIELD_COUNT
} pb_ind_field;

typedef enum pb_unit {
    PB_UNIT_NUMBER = 0,
    PB_UNIT_PERCENT,
    PB_UNIT_RATE,
    PB_UNIT_COUNT,
    PB_UNIT_DAYS,
    PB_UNIT_MONEY,
    PB_UNIT_TEXT,
    PB_UNIT_COUNT_
} pb_unit;

typedef enum pb_polarity {
    PB_POLARITY_NONE = 0,
    PB_POLARITY_HIGH, /* higher is better */
    PB_POLARITY_LOW   /* lower is better */
} pb_polarity;

typedef enum pb_ind_role {
    PB_IND_MEASURE = 0,
    PB_IND_NUMERATOR,
    PB_IND_DENOMINATOR,
    PB_IND_COUNT_ROW
} pb_ind_role;

/* Series of a set: values, targets, then one per comparator. */
#define PB_SERIES_VALUE 0u
#define PB_SERIES_TARGET 1u
#define PB_SERIES_COMPARATOR(k) (2u + (uint32_t)(k))

/* Threshold levels. */
typedef enum pb_level {
    PB_LEVEL_GOOD = 0,
    PB_LEVEL_CONCERN,
    PB_LEVEL_ACTION
} pb_level;

/* Keys of the printed "How are we doing?" columns: last, target, then one
 * per comparator. */
#define PB_PRINTED_LAST 0u
#define PB_PRINTED_TARGET 1u
#define PB_PRINTED_COMPARATOR(k) (2u + (uint32_t)(k))

typedef enum pb_arrow {
    PB_ARROW_NONE = 0,
    PB_ARROW_UP,       /* better */
    PB_ARROW_DOWN,     /* worse */
    PB_ARROW_SAME,
    PB_ARROW_NOT_AVAILABLE,
    PB_ARROW_NOT_APPLICABLE,
    PB_ARROW_COUNT
} pb_arrow;

const char *pb_unit_name(pb_unit unit);
int pb_unit_from_name(const char *s, size_t n);
const char *pb_polarity_name(pb_polarity p);
int pb_polarity_from_name(const char *s, size_t n);
const char *pb_ind_role_name(pb_ind_role role);
int pb_ind_role_from_name(const char *s, size_t n);
const char *pb_arrow_name(pb_arrow a);
int pb_arrow_from_name(const char *s, size_t n);

size_t pb_indset_count(const pb_indset *s);
/* Append a measure (parent PB_NONE) or a companion of measure `parent`
 * (which must be the last measure that is not a companion).  A measure
 * needs a ref, unique in the set; a companion's ref may be empty.
 * Returns the index or -1. */
int64_t pb_indset_add(pb_indset *s, uint32_t parent, const char *ref,
                      size_t len, pb_error *err);
/* Remove a measure and its companions. */
pb_status pb_indset_remove(pb_indset *s, size_t i, pb_error *err);
/* Index of the measure with this ref, or -1. */
int64_t pb_indset_find(const pb_indset *s, const char *ref, size_t len);

uint32_t pb_ind_parent(const pb_indset *s, size_t i);
const char *pb_ind_text(const pb_indset *s, size_t i, pb_ind_field f);
pb_status pb_ind_set_text(pb_indset *s, size_t i, pb_ind_field f,
                          const char *value, size_t len, pb_error *err);
pb_unit pb_ind_unit(const pb_indset *s, size_t i);
void pb_ind_set_unit(pb_indset *s, size_t i, pb_unit unit);
/* Rate per N (0 when not a rate). */
int64_t pb_ind_per(const pb_indset *s, size_t i);
pb_status pb_ind_set_per(pb_indset *s, size_t i, int64_t per, pb_error *err);
/* Display decimals, or -1 (as printed). */
int pb_ind_decimals(const pb_indset *s, size_t i);
pb_status pb_ind_set_decimals(pb_indset *s, size_t i, int decimals,
                              pb_error *err);
pb_polarity pb_ind_polarity(const pb_indset *s, size_t i);
void pb_ind_set_polarity(pb_indset *s, size_t i, pb_polarity p);
pb_ind_role pb_ind_role_of(const pb_indset *s, size_t i);
void pb_ind_set_role(pb_indset *s, size_t i, pb_ind_role role);
/* -1 inherits the set's. */
int pb_ind_cumulative_setting(const pb_indset *s, size_t i);
void pb_ind_set_cumulative(pb_indset *s, size_t i, int cumulative);
/* In force (the measure's, else the set's). */
int pb_ind_cumulative(const pb_indset *s, size_t i);
void pb_ind_source(const pb_indset *s, size_t i, uint32_t *line,
                   uint32_t *column);
void pb_ind_set_source(pb_indset *s, size_t i, uint32_t line,
                       uint32_t column);

/* A cell of a series; a blank cell for unwritten ones.  Never NULL for
 * valid indices. */
const pb_obs *pb_ind_cell(const pb_indset *s, uint32_t series, size_t i,
                          size_t k);
/* Set a cell from its parts (the note copied; NULL/0 for none). */
pb_status pb_ind_set_cell(pb_indset *s, uint32_t series, size_t i, size_t k,
                          const pb_obs *cell, const char *note,
                          size_t note_len, pb_error *err);
/* Set a cell from text as printed (pb_obs_parse). */
pb_status pb_ind_set_cell_text(pb_indset *s, uint32_t series, size_t i,
                               size_t k, const char *text, size_t n,
                               pb_error *err);

/* Thresholds: 0 none, 1 given, 2 printed as not available. */
int pb_ind_threshold_state(const pb_indset *s, size_t i);
const pb_obs *pb_ind_threshold(const pb_indset *s, size_t i, pb_level level);
pb_status pb_ind_set_threshold(pb_indset *s, size_t i, pb_level level,
                               const char *text, size_t n, pb_error *err);
void pb_ind_set_threshold_state(pb_indset *s, size_t i, int state);

size_t pb_ind_milestone_count(const pb_indset *s, size_t i);
/* Due date (yyyymmdd), the due text as written, and the target cell. */
int32_t pb_ind_milestone_due(const pb_indset *s, size_t i, size_t k);
const char *pb_ind_milestone_text(const pb_indset *s, size_t i, size_t k);
const pb_obs *pb_ind_milestone_target(const pb_indset *s, size_t i, size_t k);
pb_status pb_ind_add_milestone(pb_indset *s, size_t i, const char *due,
                               size_t duelen, const char *target,
                               size_t targetlen, pb_error *err);
/* The same with the target given as a cell (its note copied). */
pb_status pb_ind_add_milestone_cell(pb_indset *s, size_t i, const char *due,
                                    size_t duelen, const pb_obs *target,
                                    const char *note, size_t note_len,
                                    pb_error *err);

pb_arrow pb_ind_printed(const pb_indset *s, size_t i, uint32_t key);
pb_status pb_ind_set_printed(pb_indset *s, size_t i, uint32_t key,
                             pb_arrow arrow, pb_error *err);

/* ------------------------------------------------------- status engine */

typedef enum pb_rag {
    PB_RAG_NONE = 0,
    PB_RAG_GREEN,
    PB_RAG_AMBER,
    PB_RAG_RED
} pb_rag;

/* A comparison's answer. */
typedef enum pb_cmp {
    PB_CMP_NONE = 0, /* no answer (see the reason) */
    PB_CMP_BETTER,
    PB_CMP_WORSE,
    PB_CMP_SAME,
    PB_CMP_UP,       /* changed, for a measure with no polarity */
    PB_CMP_DOWN
} pb_cmp;

/* Why an answer is what it is (the sentence: pb_ind_explain). */
typedef enum pb_why {
    PB_WHY_OK = 0,            /* answered from the figures */
    PB_WHY_NO_VALUE,          /* the period has no figure */
    PB_WHY_NO_POLARITY,       /* no direction is better */
    PB_WHY_NO_TARGET,         /* no thresholds and no target */
    PB_WHY_TARGET_NA,         /* no target planned */
    PB_WHY_TARGET_TBC,        /* target to be confirmed */
    PB_WHY_TARGET_TEXT,       /* target in words */
    PB_WHY_NO_REFERENCE,      /* nothing to compare with */
    PB_WHY_NOT_LIKE_FOR_LIKE, /* cumulative series at different points */
    PB_WHY_BEFORE_MILESTONE,  /* no milestone due yet */
    PB_WHY_COUNT
} pb_why;

typedef enum pb_aspect {
    PB_ASPECT_RAG = 0,
    PB_ASPECT_PREVIOUS,
    PB_ASPECT_YEAR_AGO,
    PB_ASPECT_OUTTURN,
    PB_ASPECT_TARGET,
    PB_ASPECT_LAST,             /* the set's direction rule */
    PB_ASPECT_COMPARATOR_BASE   /* + comparator index */
} pb_aspect;

typedef struct pb_ind_status {
    uint8_t rag;        /* pb_rag */
    uint8_t rag_basis;  /* 0 none, 1 thresholds, 2 target */
    uint8_t rag_why;    /* pb_why */
    uint8_t previous, previous_why;
    uint8_t year_ago, year_ago_why;
    uint8_t outturn, outturn_why;
    uint8_t target, target_why;
    uint8_t last, last_why; /* the set's direction rule */
    uint8_t reserved[3];
    uint32_t previous_period, year_ago_period, outturn_period; /* or PB_NONE */
    int64_t target_value;   /* at PB_OBS_SCALE, when target_why == OK */
    uint32_t target_milestone; /* index, or PB_NONE when from a period */
} pb_ind_status;

/* Status of every measure of the set at period k, into out[0..count). */
pb_status pb_indset_status(const pb_indset *s, size_t k, pb_ind_status *out,
                           pb_error *err);
/* Statuses of every measure at every period, as codes, for volume: each
 * array (NULL to skip) holds count x periods bytes, measure-major
 * (i * periods + k).  rag: pb_rag; basis: 0 none, 1 thresholds, 2 target;
 * last, previous, year_ago, outturn, target and each comparator: pb_cmp.
 * The same answers as pb_indset_status, without the reasons. */
typedef struct pb_status_codes {
    uint8_t *rag, *basis, *last, *previous, *year_ago, *outturn, *target;
    uint8_t **comparators; /* one array per comparator, or NULL */
} pb_status_codes;
pb_status pb_indset_status_codes(const pb_indset *s, const pb_status_codes *out,
                                 pb_error *err);
/* Status of one measure at period k. */
pb_status pb_ind_status_at(const pb_indset *s, size_t i, size_t k,
                           pb_ind_status *out, pb_error *err);
/* Comparison with comparator c at period k. */
pb_cmp pb_ind_compare(const pb_indset *s, size_t i, size_t k, size_t c,
                      pb_why *why);
/* The sentence giving an answer and its reason, e.g. "2014/15 Q3 80.9
 * against Of concern 59.8, lower is better: red".  Returns the length it
 * needed (like snprintf). */
size_t pb_ind_explain(const pb_indset *s, size_t i, size_t k, int aspect,
                      char *buf, size_t cap);
/* The indicator checks (part of pb_plan_check): thresholds in order,
 * printed arrows against the status engine at each set's report period.
 * Appends to out; fails only for lack of memory. */
pb_status pb_indsets_check(const pb_plan *plan, pb_findings *out, pb_error *err);
/* The sentence of an indicator finding (pb_finding_message's). */
size_t pb_indicator_finding_message(const pb_plan *plan, const pb_finding *f, char *buf,
                                    size_t cap);
const char *pb_rag_name(pb_rag r);
const char *pb_cmp_name(pb_cmp c);
const char *pb_why_name(pb_why w);

#ifdef __cplusplus
}
#endif
#endif
