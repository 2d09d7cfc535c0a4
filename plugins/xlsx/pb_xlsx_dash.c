/* pb_xlsx_dash.c - a dashboard sheet per indicator set, laid out like the
 * seed dashboards: group, reference, measure, polarity, thresholds, results
 * by period, the target, and the status columns.
 *
 * Live: the RAG, "better than last" and "better than target" columns are
 * formulas of the cells on the sheet (with the status engine's answers as
 * their cached results), and the results are coloured by conditional
 * formats built from each row's thresholds, so editing a result or a
 * threshold in Excel recolours it.  Status is shown by a symbol and a word
 * as well as by colour.  Three conditional formats cover the whole results
 * range, however many rows: the rules refer to the row's own cells. */
#include "pb_xlsx_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define A (x->api)

/* Columns of the sheet. */
enum {
    D_GROUP = 0,
    D_REF,
    D_NAME,
    D_POL,
    D_UNIT,
    D_GOOD,
    D_CONCERN,
    D_ACTION,
    D_FIRST_PERIOD
};

#define D_HEAD_ROW 3
#define D_FIRST_ROW 4

static const char *const sym_rag[4] = {"", "\xe2\x9c\x94 green", "\xe2\x96\xb2 amber",
                                       "\xe2\x9c\x96 red"};
static const char *const sym_cmp[6] = {"", "\xe2\x86\x91 better", "\xe2\x86\x93 worse",
                                       "\xe2\x86\x92 same", "\xe2\x86\x97 up", "\xe2\x86\x98 down"};

/* Number formats by decimals, plain and with a % sign (the figure is in
 * percentage points, so 61.59 shows as 61.59%). */
static lxw_format *num_format(xl_ctx *x, int decimals, int percent)
{
    if (decimals < 0)
        decimals = 0;
    if (decimals > PB_OBS_SCALE)
        decimals = PB_OBS_SCALE;
    lxw_format **slot = &x->dash_num[decimals][percent ? 1 : 0];
    if (*slot)
        return *slot;
    lxw_format *f = workbook_add_format(x->wb);
    if (!f) {
        xl_failf(x, PB_ERR_NOMEM, "out of memory");
        return NULL;
    }
    char nf[48] = "#,##0";
    if (decimals) {
        strcat(nf, ".");
        for (int k = 0; k < decimals; k++)
            strcat(nf, "0");
    }
    if (percent)
        strcat(nf, "\"%\"");
    format_set_num_format(f, nf);
    *slot = f;
    return f;
}

/* A cell of a series: a number (with its printed decimals), or the text
 * printed in its place; a note becomes a cell comment. */
static int obs_cell(xl_ctx *x, lxw_worksheet *ws, const pb_indset *s, uint32_t row,
                    uint16_t col, const pb_obs *o)
{
    const char *note = A->pb_indset_string(s, o->note);
    lxw_error e = LXW_NO_ERROR;
    if (A->pb_obs_has_value((pb_obs_status)o->status)) {
        lxw_format *f = num_format(x, o->decimals, o->flags & PB_OBS_PERCENT);
        if (!f)
            return 0;
        if (!xl_amount_ok(o->value, PB_OBS_SCALE))
            return xl_failf(x, PB_ERR_LIMIT, "indicator set '%s': a figure has more than 15 "
                            "significant digits, which Excel cannot hold exactly",
                            A->pb_indset_id(s));
        e = worksheet_write_number(ws, row, col, xl_amount_double(o->value, PB_OBS_SCALE), f);
        if (!e && (note[0] || o->status != PB_OBS_NORMAL)) {
            xl_buf cb = {0};
            if (o->status != PB_OBS_NORMAL) {
                const char *sn = A->pb_obs_status_name((pb_obs_status)o->status);
                xl_buf_add(&cb, sn, strlen(sn));
                if (note[0])
                    xl_buf_add(&cb, ": ", 2);
            }
            xl_buf_add(&cb, note, strlen(note));
            e = cb.failed ? LXW_ERROR_MEMORY_MALLOC_FAILED
                          : xl_comment(ws, row, col, cb.s ? cb.s : "", NULL);
            xl_buf_free(&cb);
        }
    } else {
        const char *t = "";
        switch ((pb_obs_status)o->status) {
        case PB_OBS_NOT_APPLICABLE:
            t = "n/a";
            break;
        case PB_OBS_NOT_AVAILABLE:
            t = "Not available";
            break;
        case PB_OBS_TBC:
            t = "TBC";
            break;
        default:
            break;
        }
        if (o->status == PB_OBS_TEXT || (!t[0] && note[0]))
            return xl_string(x, ws, row, col, note, x->wrap);
        if (t[0] && !xl_string(x, ws, row, col, t, x->dash_text))
            return 0;
        if (t[0] && note[0])
            e = xl_comment(ws, row, col, note, NULL);
    }
    return e == LXW_NO_ERROR ? 1 : xl_fail(x, e, "writing an indicator cell");
}

/* The tolerance of a RAG from a target, as an Excel expression of T. */
static void tolerance_expr(xl_ctx *x, const char *t, char *buf, size_t cap)
{
    int pct;
    int64_t v;
    A->pb_plan_rag_tolerance(x->plan, &pct, &v);
    char num[PB_AMOUNT_TEXT_MAX];
    A->pb_amount_format(v, PB_OBS_SCALE, 0, num);
    if (pct)
        snprintf(buf, cap, "ABS(%s)*%s/100", t, num);
    else
        snprintf(buf, cap, "%s", num);
}

/* What writing one dashboard carries: the set, its report period and
 * statuses, and where the columns after the periods are. */
typedef struct dsheet {
    xl_ctx *x;
    pb_indset *s;
    lxw_worksheet *ws;
    size_t n, np, nc; /* series, periods, comparators */
    uint32_t k;       /* the report period, or PB_NONE */
    pb_ind_status *st; /* per series at k (NULL without one) */
    uint16_t c_target, c_rag, c_last, c_vs_target, c_comp, c_reason;
    char buf[1200];
} dsheet;

/* The columns after the periods; 0 when the set does not fit a sheet. */
static int layout(dsheet *d)
{
    xl_ctx *x = d->x;
    d->n = A->pb_indset_count(d->s);
    d->np = A->pb_indset_period_count(d->s);
    d->nc = A->pb_indset_comparator_count(d->s);
    d->c_target = (uint16_t)(D_FIRST_PERIOD + d->np);
    d->c_rag = (uint16_t)(d->c_target + 1);
    d->c_last = (uint16_t)(d->c_rag + 1);
    d->c_vs_target = (uint16_t)(d->c_last + 1);
    d->c_comp = (uint16_t)(d->c_vs_target + 1);
    d->c_reason = (uint16_t)(d->c_comp + d->nc);
    if ((size_t)d->c_reason + 1 > XL_MAX_COLS || D_FIRST_PERIOD + d->np + 6 + d->nc > XL_MAX_COLS)
        return xl_failf(x, PB_ERR_LIMIT, "indicator set '%s' has %zu periods; a sheet holds at "
                        "most %u columns", A->pb_indset_id(d->s), d->np, XL_MAX_COLS);
    if (d->n + D_FIRST_ROW > XL_MAX_ROWS)
        return xl_failf(x, PB_ERR_LIMIT, "indicator set '%s' has %zu series; a sheet holds at "
                        "most %u rows", A->pb_indset_id(d->s), d->n, XL_MAX_ROWS - D_FIRST_ROW);
    return 1;
}

/* The statuses at the report period (none without one). */
static int load_status(dsheet *d)
{
    xl_ctx *x = d->x;
    d->k = A->pb_indset_report_period(d->s);
    if (d->k == PB_NONE)
        return 1;
    if (!(d->st = malloc((d->n ? d->n : 1) * sizeof *d->st)))
        return xl_failf(x, PB_ERR_NOMEM, "out of memory");
    return !A->pb_indset_status(d->s, d->k, d->st, x->err);
}

/* Title, and a subtitle saying how the statuses are found. */
static int header_block(dsheet *d)
{
    static const char *const dirs[3] = {"the previous period", "the same period a year earlier",
                                        "the previous year's outturn"};
    xl_ctx *x = d->x;
    const pb_indset *s = d->s;
    char period[PB_PERIOD_TEXT_MAX];
    const char *title = A->pb_indset_text(s, PB_INDSET_TITLE);
    const char *framework = A->pb_indset_text(s, PB_INDSET_FRAMEWORK);
    const char *reporting = A->pb_indset_text(s, PB_INDSET_REPORTING);
    if (!xl_string(x, d->ws, 0, 0, title ? title : A->pb_indset_id(s), x->title))
        return 0;
    if (d->k != PB_NONE)
        A->pb_period_format(A->pb_indset_period(s, d->k), A->pb_plan_year_start(x->plan), period);
    /* thresholds the dashboard does not print, and a target's amber band
     * (the plan's tolerance), are assumptions: said so on the sheet */
    const char *basis = A->pb_indset_text(s, PB_INDSET_BASIS);
    int printed = basis && !strncmp(basis, "printed", 7);
    snprintf(d->buf, sizeof d->buf,
             "%s%s%s%sStatus at %s: RAG from the thresholds (%s: %s; else from the target, "
             "its amber band an assumed tolerance); "
             "better than last compares with %s. Edit a result and the colours and "
             "statuses follow.",
             framework ? framework : "", framework ? ". " : "", reporting ? reporting : "",
             reporting ? ". " : "", d->k != PB_NONE ? period : "(no figures yet)",
             printed ? "thresholds" : "assumed thresholds",
             basis ? basis : "the dashboard prints none", dirs[A->pb_indset_direction(s)]);
    return xl_string(x, d->ws, 1, 0, d->buf, x->subtitle);
}

static int headings(dsheet *d)
{
    static const char *const heads[D_FIRST_PERIOD] = {
        "Group", "Ref", "Measure", "Better if", "Unit", "Good", "Of concern", "Action required"};
    xl_ctx *x = d->x;
    lxw_worksheet *ws = d->ws;
    int ys = A->pb_plan_year_start(x->plan);
    char period[PB_PERIOD_TEXT_MAX];
    for (uint16_t c = 0; c < D_FIRST_PERIOD; c++)
        if (!xl_string(x, ws, D_HEAD_ROW, c, heads[c], c >= D_GOOD ? x->head : x->head_left))
            return 0;
    for (size_t p = 0; p < d->np; p++) {
        A->pb_period_format(A->pb_indset_period(d->s, p), ys, period);
        if (!xl_string(x, ws, D_HEAD_ROW, (uint16_t)(D_FIRST_PERIOD + p), period, x->head))
            return 0;
    }
    if (d->k != PB_NONE)
        A->pb_period_format(A->pb_indset_period(d->s, d->k), ys, period);
    snprintf(d->buf, sizeof d->buf, "Target %s", d->k != PB_NONE ? period : "");
    if (!xl_string(x, ws, D_HEAD_ROW, d->c_target, d->buf, x->head) ||
        !xl_string(x, ws, D_HEAD_ROW, d->c_rag, "RAG", x->head_left) ||
        !xl_string(x, ws, D_HEAD_ROW, d->c_last, "Better than last?", x->head_left) ||
        !xl_string(x, ws, D_HEAD_ROW, d->c_vs_target, "Better than target?", x->head_left))
        return 0;
    for (size_t c = 0; c < d->nc; c++) {
        snprintf(d->buf, sizeof d->buf, "Better than %s?", A->pb_indset_comparator_name(d->s, c));
        if (!xl_string(x, ws, D_HEAD_ROW, (uint16_t)(d->c_comp + c), d->buf, x->head_left))
            return 0;
    }
    return xl_string(x, ws, D_HEAD_ROW, d->c_reason, "Why (RAG; better than last)", x->head_left);
}

/* What a series is: group (not for a companion), reference, name,
 * polarity, unit, thresholds; then its results by period. */
static int series_cells(dsheet *d, size_t i, uint32_t row)
{
    xl_ctx *x = d->x;
    const pb_indset *s = d->s;
    lxw_worksheet *ws = d->ws;
    int companion = A->pb_ind_parent(s, i) != PB_NONE;
    const char *group = A->pb_ind_text(s, i, PB_IND_GROUP);
    const char *ref = A->pb_ind_text(s, i, PB_IND_REF);
    const char *name = A->pb_ind_text(s, i, PB_IND_NAME);
    pb_polarity pol = A->pb_ind_polarity(s, i);
    pb_unit u = A->pb_ind_unit(s, i);
    if (u == PB_UNIT_RATE && A->pb_ind_per(s, i))
        snprintf(d->buf, sizeof d->buf, "per %lld", (long long)A->pb_ind_per(s, i));
    else
        snprintf(d->buf, sizeof d->buf, "%s", A->pb_unit_name(u));
    /* a text Excel cannot hold: said with its field (the set and the
     * measure are said by the caller) */
    if (group && !companion && !xl_string(x, ws, row, D_GROUP, group, NULL))
        return xl_in(x, "field 'group'");
    if (name && !xl_string(x, ws, row, D_NAME, name, companion ? x->label[1][0] : x->wrap))
        return xl_in(x, "field 'name'");
    if ((ref && !xl_string(x, ws, row, D_REF, ref, NULL)) ||
        !xl_string(x, ws, row, D_POL,
                   pol == PB_POLARITY_HIGH ? "high" : pol == PB_POLARITY_LOW ? "low" : "none",
                   NULL) ||
        !xl_string(x, ws, row, D_UNIT, d->buf, NULL))
        return 0;
    int ts = A->pb_ind_threshold_state(s, i);
    if (ts == 2 && !xl_string(x, ws, row, D_GOOD, "Not available", x->dash_text))
        return 0;
    for (int l = 0; ts == 1 && l < 3; l++)
        if (!obs_cell(x, ws, s, row, (uint16_t)(D_GOOD + l),
                      A->pb_ind_threshold(s, i, (pb_level)l)))
            return 0;
    for (size_t p = 0; p < d->np; p++)
        if (!obs_cell(x, ws, s, row, (uint16_t)(D_FIRST_PERIOD + p),
                      A->pb_ind_cell(s, PB_SERIES_VALUE, i, p)))
            return 0;
    return 1;
}

/* The target in force at the report period. */
static int target_cell(dsheet *d, size_t i, uint32_t row)
{
    const pb_ind_status *q = &d->st[i];
    xl_ctx *x = d->x;
    const pb_obs *tcell = A->pb_ind_cell(d->s, PB_SERIES_TARGET, i, d->k);
    if (q->target_milestone != PB_NONE)
        tcell = A->pb_ind_milestone_target(d->s, i, q->target_milestone);
    if (tcell->status == PB_OBS_BLANK && (q->target_why == PB_WHY_OK || q->rag_basis == 2)) {
        pb_obs tv = {q->target_value, 0, PB_OBS_NORMAL, PB_OBS_SCALE, 0, 0};
        return obs_cell(x, d->ws, d->s, row, d->c_target, &tv);
    }
    return obs_cell(x, d->ws, d->s, row, d->c_target, tcell);
}

/* The cells a row's status formulas refer to. */
typedef struct dcells {
    char v[16], g[16], cc[16], t[16], d[16];
} dcells;

/* RAG: from the thresholds when both are numbers, else from the target
 * with the plan's tolerance. */
static int rag_formula(dsheet *d, uint32_t row, const dcells *c, const pb_ind_status *q)
{
    char tol[128], f[1400];
    tolerance_expr(d->x, c->t, tol, sizeof tol);
    const char *G = sym_rag[1], *AM = sym_rag[2], *R = sym_rag[3];
    snprintf(f, sizeof f,
             "=IF(OR(NOT(ISNUMBER(%s)),%s=\"none\"),\"\","
             "IF(AND(ISNUMBER(%s),ISNUMBER(%s)),"
             "IF(%s=\"high\",IF(%s>=%s,\"%s\",IF(%s>=%s,\"%s\",\"%s\")),"
             "IF(%s<=%s,\"%s\",IF(%s<=%s,\"%s\",\"%s\"))),"
             "IF(ISNUMBER(%s),IF(%s=\"high\",IF(%s>=%s,\"%s\",IF(%s-%s<=%s,\"%s\",\"%s\")),"
             "IF(%s<=%s,\"%s\",IF(%s-%s<=%s,\"%s\",\"%s\"))),\"\")))",
             c->v, c->d, c->g, c->cc, c->d, c->v, c->g, G, c->v, c->cc, AM, R, c->v, c->g, G,
             c->v, c->cc, AM, R, c->t, c->d, c->v, c->t, G, c->t, c->v, tol, AM, R, c->v, c->t,
             G, c->v, c->t, tol, AM, R);
    return xl_formula_text(d->x, d->ws, row, d->c_rag, f, sym_rag[q->rag], d->x->dash_status);
}

/* Better than last: against the cell the set's rule compares with. */
static int last_formula(dsheet *d, uint32_t row, const dcells *c, const pb_ind_status *q)
{
    xl_ctx *x = d->x;
    pb_direction_rule dir = A->pb_indset_direction(d->s);
    uint32_t ref_p = dir == PB_DIR_YEAR_AGO  ? q->year_ago_period
                     : dir == PB_DIR_OUTTURN ? q->outturn_period
                                             : q->previous_period;
    if (ref_p == PB_NONE || q->last_why == PB_WHY_NOT_LIKE_FOR_LIKE)
        return xl_string(x, d->ws, row, d->c_last, "", NULL);
    char rv[16], f[1400];
    lxw_rowcol_to_cell(rv, row, (uint16_t)(D_FIRST_PERIOD + ref_p));
    snprintf(f, sizeof f,
             "=IF(AND(ISNUMBER(%s),ISNUMBER(%s)),IF(%s=%s,\"%s\","
             "IF(%s=\"none\",IF(%s>%s,\"%s\",\"%s\"),"
             "IF((%s>%s)=(%s=\"high\"),\"%s\",\"%s\"))),\"\")",
             c->v, rv, c->v, rv, sym_cmp[3], c->d, c->v, rv, sym_cmp[4], sym_cmp[5], c->v, rv,
             c->d, sym_cmp[1], sym_cmp[2]);
    return xl_formula_text(x, d->ws, row, d->c_last, f, sym_cmp[q->last], x->dash_status);
}

/* Better than each comparator (as printed when planbook cannot say). */
static int comparator_cells(dsheet *d, size_t i, uint32_t row)
{
    xl_ctx *x = d->x;
    for (size_t c = 0; c < d->nc; c++) {
        pb_why why;
        pb_cmp a = A->pb_ind_compare(d->s, i, d->k, c, &why);
        const char *text = sym_cmp[a];
        char pbuf[64];
        if (a == PB_CMP_NONE) {
            pb_arrow pr = A->pb_ind_printed(d->s, i, PB_PRINTED_COMPARATOR(c));
            if (pr != PB_ARROW_NONE) {
                snprintf(pbuf, sizeof pbuf, "%s (as printed)",
                         pr == PB_ARROW_UP     ? sym_cmp[1]
                         : pr == PB_ARROW_DOWN ? sym_cmp[2]
                         : pr == PB_ARROW_SAME ? sym_cmp[3]
                                               : A->pb_arrow_name(pr));
                text = pbuf;
            }
        }
        if (text[0] && !xl_string(x, d->ws, row, (uint16_t)(d->c_comp + c), text, NULL))
            return 0;
    }
    return 1;
}

/* A measure's status columns: RAG, better than last, better than target,
 * the comparators, and why. */
static int status_cells(dsheet *d, size_t i, uint32_t row)
{
    xl_ctx *x = d->x;
    const pb_ind_status *q = &d->st[i];
    dcells c;
    lxw_rowcol_to_cell(c.v, row, (uint16_t)(D_FIRST_PERIOD + d->k));
    lxw_rowcol_to_cell(c.g, row, D_GOOD);
    lxw_rowcol_to_cell(c.cc, row, D_CONCERN);
    lxw_rowcol_to_cell(c.t, row, d->c_target);
    lxw_rowcol_to_cell(c.d, row, D_POL);
    if (!rag_formula(d, row, &c, q) || !last_formula(d, row, &c, q))
        return 0;
    char f[1400];
    snprintf(f, sizeof f,
             "=IF(AND(ISNUMBER(%s),ISNUMBER(%s),%s<>\"none\"),"
             "IF(IF(%s=\"high\",%s>=%s,%s<=%s),\"%s\",\"%s\"),\"\")",
             c.v, c.t, c.d, c.d, c.v, c.t, c.v, c.t, sym_cmp[1], sym_cmp[2]);
    if (!xl_formula_text(x, d->ws, row, d->c_vs_target, f, sym_cmp[q->target], x->dash_status) ||
        !comparator_cells(d, i, row))
        return 0;
    size_t l1 = A->pb_ind_explain(d->s, i, d->k, PB_ASPECT_RAG, d->buf, 600);
    if (l1 >= 600)
        l1 = strlen(d->buf);
    d->buf[l1++] = ';';
    d->buf[l1++] = ' ';
    A->pb_ind_explain(d->s, i, d->k, PB_ASPECT_LAST, d->buf + l1, sizeof d->buf - l1);
    return xl_string(x, d->ws, row, d->c_reason, d->buf, NULL);
}

static int series_row(dsheet *d, size_t i)
{
    xl_ctx *x = d->x;
    uint32_t row = (uint32_t)(D_FIRST_ROW + i);
    if (!series_cells(d, i, row))
        return 0;
    if (!d->st)
        return 1;
    if (!target_cell(d, i, row))
        return 0;
    /* a companion series has no status of its own */
    return A->pb_ind_parent(d->s, i) != PB_NONE || status_cells(d, i, row);
}

/* Colours: the results by the row's thresholds (three rules over the
 * whole range, referring to the row's own cells); the RAG by its words. */
static int colours(dsheet *d)
{
    xl_ctx *x = d->x;
    if (!d->n || !d->np)
        return 1;
    uint32_t last = (uint32_t)(D_FIRST_ROW + d->n - 1);
    char v[16], g[16], cc[16], dd[16], f[600];
    lxw_rowcol_to_cell(v, D_FIRST_ROW, D_FIRST_PERIOD);
    snprintf(g, sizeof g, "$F%u", D_FIRST_ROW + 1);
    snprintf(cc, sizeof cc, "$G%u", D_FIRST_ROW + 1);
    snprintf(dd, sizeof dd, "$D%u", D_FIRST_ROW + 1);
    for (int r = 0; r < 3; r++) {
        if (r < 2) {
            const char *th = r == 0 ? g : cc;
            snprintf(f, sizeof f,
                     "=AND(ISNUMBER(%s),ISNUMBER(%s),OR(AND(%s=\"high\",%s>=%s),"
                     "AND(%s=\"low\",%s<=%s)))", v, th, dd, v, th, dd, v, th);
        } else
            snprintf(f, sizeof f,
                     "=AND(ISNUMBER(%s),ISNUMBER(%s),ISNUMBER(%s),OR(%s=\"high\","
                     "%s=\"low\"))", v, g, cc, dd, dd);
        lxw_conditional_format cf;
        memset(&cf, 0, sizeof cf);
        cf.type = LXW_CONDITIONAL_TYPE_FORMULA;
        cf.value_string = f;
        cf.format = x->dash_fill[r];
        cf.stop_if_true = LXW_TRUE;
        lxw_error e = worksheet_conditional_format_range(
            d->ws, D_FIRST_ROW, D_FIRST_PERIOD, last, (lxw_col_t)(D_FIRST_PERIOD + d->np - 1), &cf);
        if (e)
            return xl_fail(x, e, "adding a conditional format");
    }
    return xl_rag_rules(x, d->ws, D_FIRST_ROW, last, d->c_rag);
}

/* Column widths and print setup. */
static void column_layout(dsheet *d)
{
    lxw_worksheet *ws = d->ws;
    worksheet_set_column(ws, D_GROUP, D_GROUP, 14, NULL);
    worksheet_set_column(ws, D_REF, D_REF, 9, NULL);
    worksheet_set_column(ws, D_NAME, D_NAME, 50, NULL);
    worksheet_set_column(ws, D_POL, D_UNIT, 9, NULL);
    worksheet_set_column(ws, D_GOOD, D_ACTION, 10, NULL);
    if (d->np)
        worksheet_set_column(ws, D_FIRST_PERIOD, (lxw_col_t)(D_FIRST_PERIOD + d->np - 1), 10,
                             NULL);
    worksheet_set_column(ws, d->c_target, d->c_target, 11, NULL);
    worksheet_set_column(ws, d->c_rag, (lxw_col_t)(d->c_comp + d->nc), 14, NULL);
    worksheet_set_column(ws, d->c_reason, d->c_reason, 80, NULL);
    worksheet_set_landscape(ws);
    worksheet_fit_to_pages(ws, 1, 0);
    worksheet_repeat_rows(ws, D_HEAD_ROW, D_HEAD_ROW);
}

int xl_dashboard_sheet(xl_ctx *x, size_t si, lxw_worksheet *ws)
{
    dsheet d = {.x = x, .s = A->pb_plan_indset(x->plan, si), .ws = ws};
    int ok = layout(&d) && load_status(&d) && header_block(&d) && headings(&d);
    if (ok)
        worksheet_freeze_panes(ws, D_FIRST_ROW, 3);
    for (size_t i = 0; i < d.n && ok; i++)
        ok = series_row(&d, i) ||
             xl_in(x, "indicator set '%.100s', %s '%.100s'", A->pb_indset_id(d.s),
                   A->pb_ind_parent(d.s, i) != PB_NONE ? "count series" : "measure",
                   A->pb_ind_text(d.s, i, A->pb_ind_parent(d.s, i) != PB_NONE ? PB_IND_NAME
                                                                              : PB_IND_REF));
    if (ok && (ok = colours(&d)))
        column_layout(&d);
    free(d.st);
    return ok;
}

uint32_t xl_dashboard_row(size_t measure) { return (uint32_t)(D_FIRST_ROW + measure); }
uint16_t xl_dashboard_col(size_t period) { return (uint16_t)(D_FIRST_PERIOD + period); }
