/* pb_risk.c - risk registers and their checks. */
#include "pb_date.h"
#include "pb_fields.h"
#include "pb_finding_private.h"
#include "pb_plan_private.h"
#include "pb_risk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct pb_risk {
    const char *text[PB_RISK_FIELD_COUNT];
    const char *score_text[PB_SCORE_KIND_COUNT];
    pb_score score[PB_SCORE_KIND_COUNT];
    uint32_t line, column;
} pb_risk;

struct pb_register {
    pb_part_head head; /* first: plan, id, source (pb_part.h) */
    const char *text[PB_REG_FIELD_COUNT];
    uint8_t order;
    pb_risk *risks;
    uint32_t n, cap;
    pb_index ids;
    uint32_t ntexts; /* scores written as text */
};

/* The fields, described once for every format (pb_fields.h), in the
 * order of pb_register_field and pb_risk_field. */
static const pb_field_desc reg_fields[PB_REG_FIELD_COUNT] = {
    {"title", "Title", PB_REG_TITLE, PB_FIELD_TITLE},
    {"register_for", "Risk register for", PB_REG_FOR, PB_FIELD_DETAIL},
    {"version", "Version", PB_REG_VERSION, PB_FIELD_DETAIL},
    {"last_reviewed", "Last reviewed", PB_REG_LAST_REVIEWED, PB_FIELD_DETAIL | PB_FIELD_DATE},
    {"reviewed_by", "Reviewed by", PB_REG_REVIEWED_BY, PB_FIELD_DETAIL},
    {"next_review", "Next review", PB_REG_NEXT_REVIEW, PB_FIELD_DETAIL | PB_FIELD_DATE},
    {"note", "Note", PB_REG_NOTE, 0},
    {"basis", "Basis", PB_REG_BASIS, 0}};
static const pb_field_desc risk_fields[PB_RISK_FIELD_COUNT] = {
    {"id", "ID", PB_RISK_ID, PB_FIELD_ID},
    {"category", "Category", PB_RISK_CATEGORY, 0},
    {"status", "Status", PB_RISK_STATUS, 0},
    {"status_date", "Status date", PB_RISK_STATUS_DATE, PB_FIELD_DATE},
    {"description", "Risk description", PB_RISK_DESCRIPTION, 0},
    {"owner", "Risk owner", PB_RISK_OWNER, 0},
    {"objective", "Objective", PB_RISK_OBJECTIVE, 0},
    {"controls", "Existing controls", PB_RISK_CONTROLS, 0},
    {"impacts", "Headline impacts", PB_RISK_IMPACTS, 0},
    {"mitigations", "Planned mitigations", PB_RISK_MITIGATIONS, 0},
    {"actions", "Response actions", PB_RISK_ACTIONS, 0},
    {"outcome", "Outcome", PB_RISK_OUTCOME, 0},
    {"updated", "Updated", PB_RISK_UPDATED, 0}};

PB_FIELDS_GETTER(pb_register_fields, reg_fields)
PB_FIELDS_GETTER(pb_risk_fields, risk_fields)
static const char *const kind_names[PB_SCORE_KIND_COUNT] = {"inherent", "current", "target"};

const char *pb_register_field_name(pb_register_field f)
{
    return (unsigned)f < PB_REG_FIELD_COUNT ? reg_fields[f].key : NULL;
}
const char *pb_risk_field_name(pb_risk_field f)
{
    return (unsigned)f < PB_RISK_FIELD_COUNT ? risk_fields[f].key : NULL;
}
const char *pb_score_kind_name(pb_score_kind k)
{
    return (unsigned)k < PB_SCORE_KIND_COUNT ? kind_names[k] : NULL;
}

#define dup pb_plan_dup

/* ------------------------------------------------------------ settings */

void pb_plan_risk_matrix(const pb_plan *plan, int *l, int *i)
{
    *l = plan->risk_lmax;
    *i = plan->risk_imax;
}

pb_status pb_plan_set_risk_matrix(pb_plan *plan, int l, int i, pb_error *err)
{
    if (l < 2 || i < 2 || l > PB_RISK_MATRIX_MAX || i > PB_RISK_MATRIX_MAX)
        return pb_error_set(err, PB_ERR_RANGE, "a risk matrix is 2 to %d a side",
                            PB_RISK_MATRIX_MAX);
    plan->risk_lmax = (uint8_t)l;
    plan->risk_imax = (uint8_t)i;
    pb_plan_touch(plan);
    return PB_OK;
}

void pb_plan_risk_bands(const pb_plan *plan, int *g, int *a)
{
    *g = plan->risk_green;
    *a = plan->risk_amber;
}

pb_status pb_plan_set_risk_bands(pb_plan *plan, int g, int a, pb_error *err)
{
    if (g < 0 || a < g || a > PB_RISK_MATRIX_MAX * PB_RISK_MATRIX_MAX)
        return pb_error_set(err, PB_ERR_RANGE,
                            "risk bands: green up to g, amber up to a, with 0 <= g <= a <= %d",
                            PB_RISK_MATRIX_MAX * PB_RISK_MATRIX_MAX);
    plan->risk_green = (uint8_t)g;
    plan->risk_amber = (uint8_t)a;
    pb_plan_touch(plan);
    return PB_OK;
}

int pb_plan_risk_rag(const pb_plan *plan, int score)
{
    if (score <= 0)
        return 0;
    return score <= plan->risk_green ? 1 : score <= plan->risk_amber ? 2 : 3;
}

/* ----------------------------------------------------------- registers */

static const char *risk_key(const void *ctx, uint32_t i)
{
    const pb_register *r = ctx;
    return r->risks[i].text[PB_RISK_ID];
}

/* ======================================================== a kind of part */

static void register_clear(void *obj)
{
    pb_register *r = obj;
    free(r->risks);
    pb_index_free(&r->ids);
}

static size_t register_memory(const void *obj)
{
    const pb_register *r = obj;
    return r->cap * sizeof(pb_risk) + r->ids.cap * sizeof(uint32_t);
}

static const pb_part_ops register_ops = {"risk register", sizeof(pb_register), NULL,
                                         register_clear, register_memory};

PB_PART_FUNCTIONS(pb_register, register, PB_PART_RISKS, register_ops)

const char *pb_register_text(const pb_register *r, pb_register_field f)
{
    return pb_text_field(r->text, PB_REG_FIELD_COUNT, (unsigned)f);
}

pb_status pb_register_set_text(pb_register *r, pb_register_field f, const char *value,
                               size_t len, pb_error *err)
{
    return pb_plan_set_text_field(r->head.plan, r->text, PB_REG_FIELD_COUNT, (unsigned)f,
                                  "register field", value, len, err);
}

int32_t pb_register_date(const pb_register *r, pb_register_field f)
{
    const char *t = pb_register_text(r, f);
    int32_t d;
    if (!t || pb_date_parse(t, strlen(t), &d, NULL))
        return 0;
    return d;
}

pb_score_order pb_register_score_order(const pb_register *r) { return (pb_score_order)r->order; }

pb_status pb_register_set_score_order(pb_register *r, pb_score_order order, pb_error *err)
{
    if ((unsigned)order > PB_ORDER_IMPACT_LIKELIHOOD)
        return pb_error_set(err, PB_ERR_RANGE, "unknown score order");
    if (r->ntexts && order != r->order)
        return pb_error_set(err, PB_ERR_INVALID,
                            "the score order is set before any score written as text");
    r->order = (uint8_t)order;
    pb_plan_touch(r->head.plan);
    return PB_OK;
}

/* -------------------------------------------------------------- risks */

size_t pb_register_count(const pb_register *r) { return r->n; }

int64_t pb_register_find(const pb_register *r, const char *id, size_t len)
{
    return pb_index_get(&r->ids, id, len, risk_key, r);
}

int64_t pb_register_add(pb_register *r, const char *id, size_t len, pb_error *err)
{
    if (!id || !len) {
        pb_error_set(err, PB_ERR_INVALID, "a risk needs an id");
        return -1;
    }
    if (pb_index_unique(&r->ids, risk_key, r, id, len, PB_NONE, "risk id", err))
        return -1;
    if (r->n >= UINT32_MAX - 2 || !pb_grow((void **)&r->risks, &r->cap, r->n + 1, sizeof(pb_risk)))
        return pb_add_nomem(err);
    pb_risk *k = &r->risks[r->n];
    memset(k, 0, sizeof *k);
    if (!(k->text[PB_RISK_ID] = dup(r->head.plan, id, len, err)))
        return -1;
    if (!pb_index_put(&r->ids, r->n, risk_key, r))
        return pb_add_nomem(err);
    pb_plan_touch(r->head.plan);
    return r->n++;
}

pb_status pb_register_remove(pb_register *r, size_t i, pb_error *err)
{
    if (i >= r->n)
        return pb_error_set(err, PB_ERR_RANGE, "no risk %zu", i);
    memmove(r->risks + i, r->risks + i + 1, (r->n - i - 1) * sizeof(pb_risk));
    r->n--;
    pb_plan_touch(r->head.plan);
    if (!pb_index_rebuild(&r->ids, r->n, risk_key, r))
        return pb_error_set(err, PB_ERR_NOMEM, NULL);
    return PB_OK;
}

const char *pb_risk_text(const pb_register *r, size_t i, pb_risk_field f)
{
    return i < r->n && (unsigned)f < PB_RISK_FIELD_COUNT ? r->risks[i].text[f] : NULL;
}

pb_status pb_risk_set_text(pb_register *r, size_t i, pb_risk_field f, const char *value,
                           size_t len, pb_error *err)
{
    if (i >= r->n || (unsigned)f >= PB_RISK_FIELD_COUNT)
        return pb_error_set(err, PB_ERR_RANGE, "no such risk or field");
    if (f == PB_RISK_ID) {
        if (!value || !len)
            return pb_error_set(err, PB_ERR_INVALID, "a risk needs an id");
        if (pb_index_unique(&r->ids, risk_key, r, value, len, i, "risk id", err))
            return PB_ERR_DUPLICATE;
    }
    return pb_plan_set_key(r->head.plan, &r->risks[i].text[f], value, len,
                           f == PB_RISK_ID ? &r->ids : NULL, r->n, risk_key, r, err);
}

pb_score pb_risk_score(const pb_register *r, size_t i, pb_score_kind k)
{
    pb_score none = {0, 0, 0};
    return i < r->n && (unsigned)k < PB_SCORE_KIND_COUNT ? r->risks[i].score[k] : none;
}

const char *pb_risk_score_text(const pb_register *r, size_t i, pb_score_kind k)
{
    return i < r->n && (unsigned)k < PB_SCORE_KIND_COUNT ? r->risks[i].score_text[k] : NULL;
}

pb_status pb_risk_set_score(pb_register *r, size_t i, pb_score_kind k, int likelihood, int impact,
                            int score, pb_error *err)
{
    if (i >= r->n || (unsigned)k >= PB_SCORE_KIND_COUNT)
        return pb_error_set(err, PB_ERR_RANGE, "no such risk or score");
    if (likelihood < 0 || likelihood > 255 || impact < 0 || impact > 255 || score < 0 ||
        score > 65535)
        return pb_error_set(err, PB_ERR_RANGE,
                            "likelihood and impact are 0 to 255, a score 0 to 65535");
    pb_risk *x = &r->risks[i];
    if (x->score_text[k])
        r->ntexts--;
    x->score_text[k] = NULL;
    x->score[k].likelihood = (uint8_t)likelihood;
    x->score[k].impact = (uint8_t)impact;
    x->score[k].score = (uint16_t)score;
    pb_plan_touch(r->head.plan);
    return PB_OK;
}

/* A whole number of up to 5 digits at s[*p], skipping spaces first. */
static int number(const char *s, size_t n, size_t *p, int *out)
{
    while (*p < n && s[*p] == ' ')
        (*p)++;
    size_t start = *p;
    long v = 0;
    while (*p < n && s[*p] >= '0' && s[*p] <= '9' && *p - start < 5)
        v = v * 10 + (s[(*p)++] - '0');
    if (*p == start || (*p < n && s[*p] >= '0' && s[*p] <= '9'))
        return 0;
    *out = (int)v;
    return 1;
}

/* "a x b" at s[*p] */
static int product(const char *s, size_t n, size_t *p, int *a, int *b)
{
    if (!number(s, n, p, a))
        return 0;
    while (*p < n && s[*p] == ' ')
        (*p)++;
    if (*p < n && (s[*p] == 'x' || s[*p] == 'X' || s[*p] == '*'))
        (*p)++;
    else if (*p + 1 < n && (unsigned char)s[*p] == 0xC3 && (unsigned char)s[*p + 1] == 0x97)
        *p += 2; /* × */
    else
        return 0;
    return number(s, n, p, b);
}

pb_status pb_risk_set_score_text(pb_register *r, size_t i, pb_score_kind k, const char *text,
                                 size_t n, pb_error *err)
{
    if (i >= r->n || (unsigned)k >= PB_SCORE_KIND_COUNT)
        return pb_error_set(err, PB_ERR_RANGE, "no such risk or score");
    size_t a = 0, b = n;
    while (a < b && text[a] == ' ')
        a++;
    while (b > a && text[b - 1] == ' ')
        b--;
    int score = 0, x = 0, y = 0;
    size_t p = a;
    if (a == b)
        return pb_risk_set_score(r, i, k, 0, 0, 0, err);
    size_t save = p;
    if (product(text, b, &p, &x, &y)) {
        /* "4x3" */
    } else {
        p = save;
        x = y = 0;
        if (!number(text, b, &p, &score))
            goto bad;
        while (p < b && text[p] == ' ')
            p++;
        if (p < b) {
            if (text[p] != '(')
                goto bad;
            p++;
            if (!product(text, b, &p, &x, &y))
                goto bad;
            while (p < b && text[p] == ' ')
                p++;
            if (p >= b || text[p] != ')')
                goto bad;
            p++;
        }
    }
    if (p != b)
        goto bad;
    int l = r->order == PB_ORDER_IMPACT_LIKELIHOOD ? y : x;
    int im = r->order == PB_ORDER_IMPACT_LIKELIHOOD ? x : y;
    pb_status st = pb_risk_set_score(r, i, k, l, im, score, err);
    if (st)
        return st;
    const char *t = dup(r->head.plan, text + a, b - a, err);
    if (!t)
        return err ? err->status : PB_ERR_NOMEM;
    r->risks[i].score_text[k] = t;
    r->ntexts++;
    return PB_OK;
bad:
    return pb_error_set(err, PB_ERR_SYNTAX,
                        "'%.*s' is not a risk score: write 12 (4x3), 12 or 4x3, or "
                        "{likelihood: 3, impact: 4, score: 12}",
                        (int)(n > 60 ? 60 : n), text);
}

int pb_risk_score_value(const pb_register *r, size_t i, pb_score_kind k)
{
    pb_score s = pb_risk_score(r, i, k);
    if (s.likelihood && s.impact)
        return s.likelihood * s.impact;
    return s.score;
}

void pb_risk_source(const pb_register *r, size_t i, uint32_t *line, uint32_t *column)
{
    *line = i < r->n ? r->risks[i].line : 0;
    *column = i < r->n ? r->risks[i].column : 0;
}
void pb_risk_set_source(pb_register *r, size_t i, uint32_t line, uint32_t column)
{
    if (i < r->n) {
        r->risks[i].line = line;
        r->risks[i].column = column;
    }
}

/* -------------------------------------------------------------- checks */

pb_status pb_registers_check(const pb_plan *plan, pb_findings *out, pb_error *err)
{
    for (uint32_t ri = 0; ri < pb_plan_register_count(plan); ri++) {
        const pb_register *r = pb_plan_register(plan, ri);
        for (uint32_t i = 0; i < r->n; i++)
            for (int k = 0; k < PB_SCORE_KIND_COUNT; k++) {
                pb_score s = r->risks[i].score[k];
                const char *txt = r->risks[i].score_text[k];
                char shown[80];
                if (txt)
                    snprintf(shown, sizeof shown, "'%s'", txt);
                else
                    snprintf(shown, sizeof shown, "likelihood %d, impact %d", s.likelihood,
                             s.impact);
                if ((s.likelihood > plan->risk_lmax) || (s.impact > plan->risk_imax)) {
                    pb_finding *f = pb_finding_add(out, PB_PART_RISKS, PB_FIND_MATRIX, PB_SEV_ERROR,
                                                   ri, i, (uint32_t)k);
                    if (!f)
                        return pb_error_set(err, PB_ERR_NOMEM, NULL);
                    f->line = r->risks[i].line, f->col = r->risks[i].column;
                    snprintf(f->detail, sizeof f->detail,
                             "%s score %s: likelihood %d and impact %d must lie on the %d x %d "
                             "matrix",
                             kind_names[k], shown, s.likelihood, s.impact, plan->risk_lmax,
                             plan->risk_imax);
                }
                if (s.likelihood && s.impact && s.score &&
                    s.score != s.likelihood * s.impact) {
                    pb_finding *f = pb_finding_add(out, PB_PART_RISKS, PB_FIND_SCORE, PB_SEV_ERROR,
                                                   ri, i, (uint32_t)k);
                    if (!f)
                        return pb_error_set(err, PB_ERR_NOMEM, NULL);
                    f->line = r->risks[i].line, f->col = r->risks[i].column;
                    f->has_values = 1;
                    f->declared = s.score;
                    f->computed = s.likelihood * s.impact;
                    f->difference = f->declared - f->computed;
                    snprintf(f->detail, sizeof f->detail,
                             "%s score %s is %d, but likelihood %d x impact %d is %d", kind_names[k],
                             shown, s.score, s.likelihood, s.impact, s.likelihood * s.impact);
                }
            }
    }
    return PB_OK;
}

size_t pb_risk_finding_message(const pb_plan *plan, const pb_finding *f, char *buf, size_t cap)
{
    const pb_register *r = pb_plan_register(plan, f->table);
    const char *id = r && f->row < r->n ? r->risks[f->row].text[PB_RISK_ID] : "?";
    int n = snprintf(buf, cap, "risk '%s': %s", id, f->detail);
    return n < 0 ? 0 : (size_t)n;
}
