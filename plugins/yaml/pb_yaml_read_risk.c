/* pb_yaml_read_risk.c - the risk registers (risks: {id: register}) and
 * their risks with the risks' scores.
 */
#include "pb_yaml_private.h"

#include <stdlib.h>
#include <string.h>

/* ============================================================ scores */

/* A score {likelihood, impact, score} as it is read. */
typedef struct score {
    pb_register *g;
    size_t i;
    pb_score_kind kind;
    long v[3];
} score;

static int score_part(pb_yr_reader *r, void *obj, const pb_yr_field *f, uint32_t seen)
{
    (void)seen;
    return pb_yr_small_int(r, f->code == 2 ? 65535 : 255, &((score *)obj)->v[f->code],
                           "a whole number");
}

static int set_score(pb_yr_reader *r, void *obj, uint32_t seen, uint32_t line, uint32_t col)
{
    (void)seen;
    score *s = obj;
    pb_error *e = pb_yr_error(r);
    if (A->pb_risk_set_score(s->g, s->i, s->kind, (int)s->v[0], (int)s->v[1], (int)s->v[2], e))
        return pb_yr_core_fail_at(r, e, line, col);
    return 1;
}

static const pb_yr_field score_fields[] = {
    {"likelihood", score_part, 0, 0, NULL, NULL},
    {"impact", score_part, 1, 0, NULL, NULL},
    {"score", score_part, 2, 0, NULL, NULL},
};
static const pb_yr_map score_map = {"a score: 12 (4x3) or {likelihood, impact, score}",
                                    score_fields, PB_YR_COUNT(score_fields), PB_YR_NO_PATH, NULL,
                                    set_score, NULL};

/* ============================================================= risks */

/* A risk as it is read. */
typedef struct risk {
    pb_register *g;
    int64_t i; /* once its id is read, else -1 */
    uint32_t line, col;
} risk;

static int risk_id(pb_yr_reader *r, void *obj, const pb_yr_field *f, uint32_t seen)
{
    (void)f, (void)seen;
    risk *k = obj;
    if (!pb_yr_text(r, "the risk's id"))
        return 0;
    pb_error *e = pb_yr_error(r);
    k->i = A->pb_register_add(k->g, sval(r), slen(r), e);
    if (k->i < 0)
        return pb_yr_core_fail(r, e);
    A->pb_risk_set_source(k->g, (size_t)k->i, k->line, k->col);
    return 1;
}

static int risk_at_key(pb_yr_reader *r, void *obj, const pb_yr_field *f)
{
    if (((risk *)obj)->i < 0 && f->read != risk_id)
        return FAIL(PB_ERR_SCHEMA, "a risk starts with its id");
    return 1;
}

/* category, status...: text of the risk (pb_risk_field) */
static int risk_text(pb_yr_reader *r, void *obj, const pb_yr_field *f, uint32_t seen)
{
    (void)seen;
    risk *k = obj;
    pb_error *e = pb_yr_error(r);
    return pb_yr_core(r, A->pb_risk_set_text(k->g, (size_t)k->i, (pb_risk_field)f->code, sval(r),
                                             slen(r), e),
                      e);
}

/* inherent, current, target: 12 (4x3) or {likelihood, impact, score} */
static int risk_score(pb_yr_reader *r, void *obj, const pb_yr_field *f, uint32_t seen)
{
    (void)seen;
    risk *k = obj;
    pb_error *e = pb_yr_error(r);
    if (!is_scalar(r)) {
        score s = {k->g, (size_t)k->i, (pb_score_kind)f->code, {0, 0, 0}};
        return pb_yr_read_map(r, &score_map, &s);
    }
    if (!pb_yr_text(r, "a score"))
        return 0;
    return pb_yr_core(r, A->pb_risk_set_score_text(k->g, (size_t)k->i, (pb_score_kind)f->code,
                                                   sval(r), slen(r), e),
                      e);
}

/* The keys of a risk after its text fields (pb_risk_fields). */
static const pb_yr_field score_keys[] = {
    {"inherent", risk_score, PB_SCORE_INHERENT, 0, NULL, NULL},
    {"current", risk_score, PB_SCORE_CURRENT, 0, NULL, NULL},
    {"target", risk_score, PB_SCORE_TARGET, 0, NULL, NULL},
};

/* The risks of a register as they are read: the register and the keys of
 * a risk. */
typedef struct risks {
    pb_register *g;
    pb_yr_map map;
} risks;

static int read_risk(pb_yr_reader *r, void *obj, size_t n)
{
    (void)n;
    risks *rs = obj;
    risk k = {rs->g, -1, LINE(r->ev), COL(r->ev)};
    return pb_yr_read_map(r, &rs->map, &k);
}

/* ========================================================= registers */

PB_YR_PART_HOOKS(register)

static int score_order(pb_yr_reader *r, void *obj, const pb_yr_field *f, uint32_t seen)
{
    (void)f, (void)seen;
    static const char *const orders[] = {"likelihood x impact", "impact x likelihood", NULL};
    if (!pb_yr_text(r, "likelihood x impact or impact x likelihood"))
        return 0;
    int o = pb_yr_pick(r, orders);
    if (o < 0)
        return FAIL(PB_ERR_SCHEMA, "score_order is 'likelihood x impact' or 'impact x likelihood'");
    pb_error *e = pb_yr_error(r);
    A->pb_register_set_score_order(
        obj, o ? PB_ORDER_IMPACT_LIKELIHOOD : PB_ORDER_LIKELIHOOD_IMPACT, e);
    return 1;
}

static int register_risks(pb_yr_reader *r, void *obj, const pb_yr_field *f, uint32_t seen)
{
    (void)f, (void)seen;
    pb_yr_field fields[PB_YR_MAX_FIELDS];
    size_t nd;
    const pb_field_desc *d = A->pb_risk_fields(&nd);
    risks rs = {obj, {"a risk (a mapping)", fields, 0, 0, risk_at_key, NULL, "a risk needs an id"}};
    rs.map.nfields = pb_yr_described(d, nd, risk_text, risk_id, score_keys,
                                     PB_YR_COUNT(score_keys), fields);
    return pb_yr_read_list(r, "a list of risks", read_risk, &rs);
}

/* The keys of a register after its text fields (pb_register_fields). */
static const pb_yr_field register_keys[] = {
    {"score_order", score_order, 0, 0, NULL, "risks"},
    {"risks", register_risks, 0, 0, NULL, NULL},
};
PB_YR_DESCRIBED_PARTS_READER(pb_yr_read_risks, register, register_keys,
                             "a risk register (a mapping)", "a mapping of risk registers by id",
                             "a risk register id")
