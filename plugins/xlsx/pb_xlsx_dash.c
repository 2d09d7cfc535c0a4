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

static void cell_name(char *buf, uint32_t row, uint16_t col, int abs_col)
{
    char c[LXW_MAX_CELL_NAME_LENGTH];
    lxw_rowcol_to_cell(c, row, col);
    if (!abs_col) {
        snprintf(buf, LXW_MAX_CELL_NAME_LENGTH + 2, "%s", c);
        return;
    }
    snprintf(buf, LXW_MAX_CELL_NAME_LENGTH + 2, "$%s", c);
}

static int formula(xl_ctx *x, lxw_worksheet *ws, uint32_t row, uint16_t col, const char *f,
                   const char *cached, lxw_format *fmt_)
{
    /* without cached results a formula caches 0, as the budget sheets' do */
    lxw_error e = x->cached ? worksheet_write_formula_str(ws, row, col, f, fmt_, cached)
                            : worksheet_write_formula(ws, row, col, f, fmt_);
    return e == LXW_NO_ERROR ? 1 : xl_fail(x, e, "writing a formula");
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

int xl_dashboard_sheet(xl_ctx *x, size_t si, lxw_worksheet *ws)
{
    pb_indset *s = A->pb_plan_indset(x->plan, si);
    size_t n = A->pb_indset_count(s), np = A->pb_indset_period_count(s);
    size_t nc = A->pb_indset_comparator_count(s);
    uint16_t c_target = (uint16_t)(D_FIRST_PERIOD + np), c_rag = (uint16_t)(c_target + 1),
             c_last = (uint16_t)(c_rag + 1), c_vs_target = (uint16_t)(c_last + 1),
             c_comp = (uint16_t)(c_vs_target + 1), c_reason = (uint16_t)(c_comp + nc);
    if ((size_t)c_reason + 1 > XL_MAX_COLS || D_FIRST_PERIOD + np + 6 + nc > XL_MAX_COLS)
        return xl_failf(x, PB_ERR_LIMIT, "indicator set '%s' has %zu periods; a sheet holds at "
                        "most %u columns", A->pb_indset_id(s), np, XL_MAX_COLS);
    if (n + D_FIRST_ROW > XL_MAX_ROWS)
        return xl_failf(x, PB_ERR_LIMIT, "indicator set '%s' has %zu series; a sheet holds at "
                        "most %u rows", A->pb_indset_id(s), n, XL_MAX_ROWS - D_FIRST_ROW);
    int ys = A->pb_plan_year_start(x->plan);
    uint32_t k = A->pb_indset_report_period(s);
    pb_ind_status *st = NULL;
    if (k != PB_NONE) {
        st = malloc((n ? n : 1) * sizeof *st);
        if (!st)
            return xl_failf(x, PB_ERR_NOMEM, "out of memory");
        if (A->pb_indset_status(s, k, st, x->err)) {
            free(st);
            return 0;
        }
    }
    int ok = 0;
    char buf[1200], period[PB_PERIOD_TEXT_MAX];
    const char *title = A->pb_indset_text(s, PB_INDSET_TITLE);
    if (!xl_string(x, ws, 0, 0, title ? title : A->pb_indset_id(s), x->title))
        goto done;
    static const char *const dirs[3] = {"the previous period", "the same period a year earlier",
                                        "the previous year's outturn"};
    if (k != PB_NONE)
        A->pb_period_format(A->pb_indset_period(s, k), ys, period);
    snprintf(buf, sizeof buf,
             "%s%s%s%sStatus at %s: RAG from the thresholds (else from the target); "
             "better than last compares with %s. Edit a result and the colours and "
             "statuses follow.",
             A->pb_indset_text(s, PB_INDSET_FRAMEWORK) ? A->pb_indset_text(s, PB_INDSET_FRAMEWORK)
                                                      : "",
             A->pb_indset_text(s, PB_INDSET_FRAMEWORK) ? ". " : "",
             A->pb_indset_text(s, PB_INDSET_REPORTING) ? A->pb_indset_text(s, PB_INDSET_REPORTING)
                                                      : "",
             A->pb_indset_text(s, PB_INDSET_REPORTING) ? ". " : "",
             k != PB_NONE ? period : "(no figures yet)", dirs[A->pb_indset_direction(s)]);
    if (!xl_string(x, ws, 1, 0, buf, x->subtitle))
        goto done;
    /* headings */
    static const char *const heads[D_FIRST_PERIOD] = {
        "Group", "Ref", "Measure", "Better if", "Unit", "Good", "Of concern", "Action required"};
    for (uint16_t c = 0; c < D_FIRST_PERIOD; c++)
        if (!xl_string(x, ws, D_HEAD_ROW, c, heads[c], c >= D_GOOD ? x->head : x->head_left))
            goto done;
    for (size_t p = 0; p < np; p++) {
        A->pb_period_format(A->pb_indset_period(s, p), ys, period);
        if (!xl_string(x, ws, D_HEAD_ROW, (uint16_t)(D_FIRST_PERIOD + p), period, x->head))
            goto done;
    }
    if (k != PB_NONE)
        A->pb_period_format(A->pb_indset_period(s, k), ys, period);
    snprintf(buf, sizeof buf, "Target %s", k != PB_NONE ? period : "");
    if (!xl_string(x, ws, D_HEAD_ROW, c_target, buf, x->head) ||
        !xl_string(x, ws, D_HEAD_ROW, c_rag, "RAG", x->head_left) ||
        !xl_string(x, ws, D_HEAD_ROW, c_last, "Better than last?", x->head_left) ||
        !xl_string(x, ws, D_HEAD_ROW, c_vs_target, "Better than target?", x->head_left))
        goto done;
    for (size_t c = 0; c < nc; c++) {
        snprintf(buf, sizeof buf, "Better than %s?", A->pb_indset_comparator_name(s, c));
        if (!xl_string(x, ws, D_HEAD_ROW, (uint16_t)(c_comp + c), buf, x->head_left))
            goto done;
    }
    if (!xl_string(x, ws, D_HEAD_ROW, c_reason, "Why (RAG; better than last)", x->head_left))
        goto done;
    worksheet_freeze_panes(ws, D_FIRST_ROW, 3);

    for (size_t i = 0; i < n; i++) {
        uint32_t row = (uint32_t)(D_FIRST_ROW + i);
        int companion = A->pb_ind_parent(s, i) != PB_NONE;
        const char *group = A->pb_ind_text(s, i, PB_IND_GROUP);
        const char *ref = A->pb_ind_text(s, i, PB_IND_REF);
        const char *name = A->pb_ind_text(s, i, PB_IND_NAME);
        if (group && !companion && !xl_string(x, ws, row, D_GROUP, group, NULL))
            goto done;
        if (ref && !xl_string(x, ws, row, D_REF, ref, NULL))
            goto done;
        if (name && !xl_string(x, ws, row, D_NAME, name, companion ? x->label[1][0] : x->wrap))
            goto done;
        pb_polarity pol = A->pb_ind_polarity(s, i);
        if (!xl_string(x, ws, row, D_POL,
                       pol == PB_POLARITY_HIGH ? "high" : pol == PB_POLARITY_LOW ? "low" : "none",
                       NULL))
            goto done;
        pb_unit u = A->pb_ind_unit(s, i);
        if (u == PB_UNIT_RATE && A->pb_ind_per(s, i))
            snprintf(buf, sizeof buf, "per %lld", (long long)A->pb_ind_per(s, i));
        else
            snprintf(buf, sizeof buf, "%s", A->pb_unit_name(u));
        if (!xl_string(x, ws, row, D_UNIT, buf, NULL))
            goto done;
        int ts = A->pb_ind_threshold_state(s, i);
        if (ts == 2 && !xl_string(x, ws, row, D_GOOD, "Not available", x->dash_text))
            goto done;
        if (ts == 1)
            for (int l = 0; l < 3; l++)
                if (!obs_cell(x, ws, s, row, (uint16_t)(D_GOOD + l),
                              A->pb_ind_threshold(s, i, (pb_level)l)))
                    goto done;
        for (size_t p = 0; p < np; p++)
            if (!obs_cell(x, ws, s, row, (uint16_t)(D_FIRST_PERIOD + p),
                          A->pb_ind_cell(s, PB_SERIES_VALUE, i, p)))
                goto done;
        if (!st)
            continue;
        const pb_ind_status *q = &st[i];
        /* the target in force at the report period */
        const pb_obs *tcell = A->pb_ind_cell(s, PB_SERIES_TARGET, i, k);
        if (q->target_milestone != PB_NONE)
            tcell = A->pb_ind_milestone_target(s, i, q->target_milestone);
        if (tcell->status == PB_OBS_BLANK && (q->target_why == PB_WHY_OK || q->rag_basis == 2)) {
            pb_obs tv = {q->target_value, 0, PB_OBS_NORMAL, PB_OBS_SCALE, 0, 0};
            if (!obs_cell(x, ws, s, row, c_target, &tv))
                goto done;
        } else if (!obs_cell(x, ws, s, row, c_target, tcell))
            goto done;
        if (companion)
            continue;
        char v[16], g[16], cc[16], t[16], d[16], tol[128], f[1400];
        cell_name(v, row, (uint16_t)(D_FIRST_PERIOD + k), 0);
        cell_name(g, row, D_GOOD, 0);
        cell_name(cc, row, D_CONCERN, 0);
        cell_name(t, row, c_target, 0);
        cell_name(d, row, D_POL, 0);
        tolerance_expr(x, t, tol, sizeof tol);
        const char *G = sym_rag[1], *AM = sym_rag[2], *R = sym_rag[3];
        snprintf(f, sizeof f,
                 "=IF(OR(NOT(ISNUMBER(%s)),%s=\"none\"),\"\","
                 "IF(AND(ISNUMBER(%s),ISNUMBER(%s)),"
                 "IF(%s=\"high\",IF(%s>=%s,\"%s\",IF(%s>=%s,\"%s\",\"%s\")),"
                 "IF(%s<=%s,\"%s\",IF(%s<=%s,\"%s\",\"%s\"))),"
                 "IF(ISNUMBER(%s),IF(%s=\"high\",IF(%s>=%s,\"%s\",IF(%s-%s<=%s,\"%s\",\"%s\")),"
                 "IF(%s<=%s,\"%s\",IF(%s-%s<=%s,\"%s\",\"%s\"))),\"\")))",
                 v, d, g, cc, d, v, g, G, v, cc, AM, R, v, g, G, v, cc, AM, R, t, d, v, t, G, t, v,
                 tol, AM, R, v, t, G, v, t, tol, AM, R);
        if (!formula(x, ws, row, c_rag, f, sym_rag[q->rag], x->dash_status))
            goto done;
        /* better than last: the cell the set's rule compares with */
        uint32_t ref_p = A->pb_indset_direction(s) == PB_DIR_YEAR_AGO  ? q->year_ago_period
                         : A->pb_indset_direction(s) == PB_DIR_OUTTURN ? q->outturn_period
                                                                       : q->previous_period;
        if (ref_p != PB_NONE && q->last_why != PB_WHY_NOT_LIKE_FOR_LIKE) {
            char rv[16];
            cell_name(rv, row, (uint16_t)(D_FIRST_PERIOD + ref_p), 0);
            snprintf(f, sizeof f,
                     "=IF(AND(ISNUMBER(%s),ISNUMBER(%s)),IF(%s=%s,\"%s\","
                     "IF(%s=\"none\",IF(%s>%s,\"%s\",\"%s\"),"
                     "IF((%s>%s)=(%s=\"high\"),\"%s\",\"%s\"))),\"\")",
                     v, rv, v, rv, sym_cmp[3], d, v, rv, sym_cmp[4], sym_cmp[5], v, rv, d,
                     sym_cmp[1], sym_cmp[2]);
            if (!formula(x, ws, row, c_last, f, sym_cmp[q->last], x->dash_status))
                goto done;
        } else if (!xl_string(x, ws, row, c_last, "", NULL))
            goto done;
        snprintf(f, sizeof f,
                 "=IF(AND(ISNUMBER(%s),ISNUMBER(%s),%s<>\"none\"),"
                 "IF(IF(%s=\"high\",%s>=%s,%s<=%s),\"%s\",\"%s\"),\"\")",
                 v, t, d, d, v, t, v, t, sym_cmp[1], sym_cmp[2]);
        if (!formula(x, ws, row, c_vs_target, f, sym_cmp[q->target], x->dash_status))
            goto done;
        for (size_t c = 0; c < nc; c++) {
            pb_why why;
            pb_cmp a = A->pb_ind_compare(s, i, k, c, &why);
            const char *text = sym_cmp[a];
            char pbuf[64];
            if (a == PB_CMP_NONE) {
                pb_arrow pr = A->pb_ind_printed(s, i, PB_PRINTED_COMPARATOR(c));
                if (pr != PB_ARROW_NONE) {
                    snprintf(pbuf, sizeof pbuf, "%s (as printed)",
                             pr == PB_ARROW_UP     ? sym_cmp[1]
                             : pr == PB_ARROW_DOWN ? sym_cmp[2]
                             : pr == PB_ARROW_SAME ? sym_cmp[3]
                                                   : A->pb_arrow_name(pr));
                    text = pbuf;
                }
            }
            if (text[0] && !xl_string(x, ws, row, (uint16_t)(c_comp + c), text, NULL))
                goto done;
        }
        size_t l1 = A->pb_ind_explain(s, i, k, PB_ASPECT_RAG, buf, 600);
        if (l1 >= 600)
            l1 = strlen(buf);
        buf[l1++] = ';';
        buf[l1++] = ' ';
        A->pb_ind_explain(s, i, k, PB_ASPECT_LAST, buf + l1, sizeof buf - l1);
        if (!xl_string(x, ws, row, c_reason, buf, NULL))
            goto done;
    }
    /* colours: the results by the row's thresholds; the status columns by
     * their words */
    if (n && np) {
        uint32_t last = (uint32_t)(D_FIRST_ROW + n - 1);
        char v[16], g[16], cc[16], d[16], f[600];
        cell_name(v, D_FIRST_ROW, D_FIRST_PERIOD, 0);
        snprintf(g, sizeof g, "$F%u", D_FIRST_ROW + 1);
        snprintf(cc, sizeof cc, "$G%u", D_FIRST_ROW + 1);
        snprintf(d, sizeof d, "$D%u", D_FIRST_ROW + 1);
        for (int r = 0; r < 3; r++) {
            if (r == 0)
                snprintf(f, sizeof f,
                         "=AND(ISNUMBER(%s),ISNUMBER(%s),OR(AND(%s=\"high\",%s>=%s),"
                         "AND(%s=\"low\",%s<=%s)))", v, g, d, v, g, d, v, g);
            else if (r == 1)
                snprintf(f, sizeof f,
                         "=AND(ISNUMBER(%s),ISNUMBER(%s),OR(AND(%s=\"high\",%s>=%s),"
                         "AND(%s=\"low\",%s<=%s)))", v, cc, d, v, cc, d, v, cc);
            else
                snprintf(f, sizeof f,
                         "=AND(ISNUMBER(%s),ISNUMBER(%s),ISNUMBER(%s),OR(%s=\"high\","
                         "%s=\"low\"))", v, g, cc, d, d);
            lxw_conditional_format cf;
            memset(&cf, 0, sizeof cf);
            cf.type = LXW_CONDITIONAL_TYPE_FORMULA;
            cf.value_string = f;
            cf.format = x->dash_fill[r];
            cf.stop_if_true = LXW_TRUE;
            lxw_error e = worksheet_conditional_format_range(
                ws, D_FIRST_ROW, D_FIRST_PERIOD, last, (lxw_col_t)(D_FIRST_PERIOD + np - 1), &cf);
            if (e) {
                xl_fail(x, e, "adding a conditional format");
                goto done;
            }
        }
        static const char *const words[3] = {"green", "amber", "red"};
        for (int r = 0; r < 3; r++) {
            lxw_conditional_format cf;
            memset(&cf, 0, sizeof cf);
            cf.type = LXW_CONDITIONAL_TYPE_TEXT;
            cf.criteria = LXW_CONDITIONAL_CRITERIA_TEXT_CONTAINING;
            cf.value_string = (char *)words[r];
            cf.format = x->dash_fill[r];
            lxw_error e = worksheet_conditional_format_range(ws, D_FIRST_ROW, c_rag, last, c_rag,
                                                             &cf);
            if (e) {
                xl_fail(x, e, "adding a conditional format");
                goto done;
            }
        }
    }
    worksheet_set_column(ws, D_GROUP, D_GROUP, 14, NULL);
    worksheet_set_column(ws, D_REF, D_REF, 9, NULL);
    worksheet_set_column(ws, D_NAME, D_NAME, 50, NULL);
    worksheet_set_column(ws, D_POL, D_UNIT, 9, NULL);
    worksheet_set_column(ws, D_GOOD, D_ACTION, 10, NULL);
    if (np)
        worksheet_set_column(ws, D_FIRST_PERIOD, (lxw_col_t)(D_FIRST_PERIOD + np - 1), 10, NULL);
    worksheet_set_column(ws, c_target, c_target, 11, NULL);
    worksheet_set_column(ws, c_rag, (lxw_col_t)(c_comp + nc), 14, NULL);
    worksheet_set_column(ws, c_reason, c_reason, 80, NULL);
    worksheet_set_landscape(ws);
    worksheet_fit_to_pages(ws, 1, 0);
    worksheet_repeat_rows(ws, D_HEAD_ROW, D_HEAD_ROW);
    ok = 1;
done:
    free(st);
    return ok;
}

uint32_t xl_dashboard_row(size_t measure) { return (uint32_t)(D_FIRST_ROW + measure); }
uint16_t xl_dashboard_col(size_t period) { return (uint16_t)(D_FIRST_PERIOD + period); }
