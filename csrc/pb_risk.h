/* pb_risk.h - risk registers: risks with likelihood, impact and score
 * (inherent, current, target), the risk matrix and its RAG bands (plan
 * settings), and the checks (score = likelihood x impact; both on the
 * matrix).
 *
 * A register is a flat array of risks; every text lives in the plan's
 * arena.  A score as printed ("12 (4x3)") is kept as text and parsed into
 * likelihood, impact and declared score by the register's score order.
 */
#ifndef PB_RISK_H
#define PB_RISK_H

#include <stdint.h>
#include <stddef.h>

#include "pb_error.h"
#include "pb_finding.h"
#include "pb_plan.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pb_register pb_register;

#define PB_RISK_MATRIX_MAX 10

typedef enum pb_register_field {
    PB_REG_TITLE = 0,
    PB_REG_FOR,
    PB_REG_VERSION,
    PB_REG_LAST_REVIEWED,
    PB_REG_REVIEWED_BY,
    PB_REG_NEXT_REVIEW,
    PB_REG_NOTE,
    PB_REG_BASIS, /* "printed: <where>" or "assumed: <where>": the RAG bands' basis */
    PB_REG_FIELD_COUNT
} pb_register_field;

typedef enum pb_risk_field {
    PB_RISK_ID = 0,
    PB_RISK_CATEGORY,
    PB_RISK_STATUS,
    PB_RISK_STATUS_DATE,
    PB_RISK_DESCRIPTION,
    PB_RISK_OWNER,
    PB_RISK_OBJECTIVE,
    PB_RISK_CONTROLS,
    PB_RISK_IMPACTS,
    PB_RISK_MITIGATIONS,
    PB_RISK_ACTIONS,
    PB_RISK_OUTCOME,
    PB_RISK_UPDATED,
    PB_RISK_FIELD_COUNT
} pb_risk_field;

typedef enum pb_score_kind {
    PB_SCORE_INHERENT = 0,
    PB_SCORE_CURRENT,
    PB_SCORE_TARGET,
    PB_SCORE_KIND_COUNT
} pb_score_kind;

/* A score: each part 0 when not given. */
typedef struct pb_score {
    uint8_t likelihood, impact;
    uint16_t score; /* as declared */
} pb_score;

/* How a printed "12 (4x3)" reads. */
typedef enum pb_score_order {
    PB_ORDER_LIKELIHOOD_IMPACT = 0,
    PB_ORDER_IMPACT_LIKELIHOOD = 1
} pb_score_order;

/* Names as written in files: "title", ...; "id", "category", ...;
 * "inherent", "current", "target". */
const char *pb_register_field_name(pb_register_field f);
const char *pb_risk_field_name(pb_risk_field f);
const char *pb_score_kind_name(pb_score_kind k);

/* The matrix (default 5 x 5) and the RAG bands by score: up to green_max
 * green, up to amber_max amber, above red (default 4 and 12). */
void pb_plan_risk_matrix(const pb_plan *plan, int *likelihood_max, int *impact_max);
pb_status pb_plan_set_risk_matrix(pb_plan *plan, int likelihood_max, int impact_max,
                                  pb_error *err);
void pb_plan_risk_bands(const pb_plan *plan, int *green_max, int *amber_max);
pb_status pb_plan_set_risk_bands(pb_plan *plan, int green_max, int amber_max, pb_error *err);
/* 1 green, 2 amber, 3 red (as pb_rag); 0 for a score of 0. */
int pb_plan_risk_rag(const pb_plan *plan, int score);

size_t pb_plan_register_count(const pb_plan *plan);
pb_register *pb_plan_register(const pb_plan *plan, size_t index);
int64_t pb_plan_find_register(const pb_plan *plan, const char *id, size_t len);
pb_register *pb_plan_add_register(pb_plan *plan, const char *id, size_t len, pb_error *err);
pb_status pb_plan_remove_register(pb_plan *plan, size_t index, pb_error *err);

const char *pb_register_id(const pb_register *r);
const char *pb_register_text(const pb_register *r, pb_register_field f);
pb_status pb_register_set_text(pb_register *r, pb_register_field f, const char *value,
                               size_t len, pb_error *err);
/* The date of LAST_REVIEWED or NEXT_REVIEW (yyyymmdd), 0 when not a date. */
int32_t pb_register_date(const pb_register *r, pb_register_field f);
pb_score_order pb_register_score_order(const pb_register *r);
/* Only while the register has no scores written as text. */
pb_status pb_register_set_score_order(pb_register *r, pb_score_order order, pb_error *err);
void pb_register_source(const pb_register *r, uint32_t *line, uint32_t *column);
void pb_register_set_source(pb_register *r, uint32_t line, uint32_t column);

size_t pb_register_count(const pb_register *r);
/* Append a risk with this id (unique in the register); index or -1. */
int64_t pb_register_add(pb_register *r, const char *id, size_t len, pb_error *err);
pb_status pb_register_remove(pb_register *r, size_t i, pb_error *err);
int64_t pb_register_find(const pb_register *r, const char *id, size_t len);

const char *pb_risk_text(const pb_register *r, size_t i, pb_risk_field f);
pb_status pb_risk_set_text(pb_register *r, size_t i, pb_risk_field f, const char *value,
                           size_t len, pb_error *err);
pb_score pb_risk_score(const pb_register *r, size_t i, pb_score_kind k);
/* The score as printed, or NULL when given as parts. */
const char *pb_risk_score_text(const pb_register *r, size_t i, pb_score_kind k);
/* Set from parts (0 for a part not given; at most 255, score 65535). */
pb_status pb_risk_set_score(pb_register *r, size_t i, pb_score_kind k, int likelihood,
                            int impact, int score, pb_error *err);
/* Set from text as printed: "12 (4x3)", "12", "4x3", "4 x 3", "" (none). */
pb_status pb_risk_set_score_text(pb_register *r, size_t i, pb_score_kind k, const char *text,
                                 size_t n, pb_error *err);
/* The score in force: likelihood x impact when both are given, else the
 * declared score, else 0. */
int pb_risk_score_value(const pb_register *r, size_t i, pb_score_kind k);
void pb_risk_source(const pb_register *r, size_t i, uint32_t *line, uint32_t *column);
void pb_risk_set_source(pb_register *r, size_t i, uint32_t line, uint32_t column);

/* The risk checks (part of pb_plan_check): score = likelihood x impact,
 * both on the matrix.  Appends to out; fails only for lack of memory. */
pb_status pb_registers_check(const pb_plan *plan, pb_findings *out, pb_error *err);
/* The sentence of a risk finding (pb_finding_message's). */
size_t pb_risk_finding_message(const pb_plan *plan, const pb_finding *f, char *buf,
                               size_t cap);

#ifdef __cplusplus
}
#endif
#endif
