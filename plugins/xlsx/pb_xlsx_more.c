/* pb_xlsx_more.c - the risk register, heat map and record sheets.
 *
 * A register sheet lists the risks with likelihood, impact, score and RAG
 * per score kind; the score is a formula (=likelihood*impact) where both
 * are given, and a printed score that disagrees is shaded and commented.
 * The heat map counts the current scores in each cell of the matrix with
 * COUNTIFS over the register sheet, coloured by band, with a legend.  A
 * record sheet lists a collection's items with their fields, the due date
 * as an Excel date and a live "overdue" flag. */
#define _POSIX_C_SOURCE 200809L
#include "pb_xlsx_private.h"
#include "pb_platform.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define A (x->api)

#define R_HEAD 3
#define R_FIRST 4

static const char *const rag_word[4] = {"", "\xe2\x9c\x94 green", "\xe2\x96\xb2 amber",
                                        "\xe2\x9c\x96 red"};

static int text_or_blank(xl_ctx *x, lxw_worksheet *ws, uint32_t row, uint16_t col,
                         const char *s, lxw_format *f)
{
    return !s || xl_string(x, ws, row, col, s, f);
}

static int kind_used(xl_ctx *x, const pb_register *g, pb_score_kind k)
{
    size_t n = A->pb_register_count(g);
    for (size_t i = 0; i < n; i++) {
        pb_score s = A->pb_risk_score(g, i, k);
        if (s.likelihood || s.impact || s.score || A->pb_risk_score_text(g, i, k))
            return 1;
    }
    return 0;
}

static int field_used(xl_ctx *x, const pb_register *g, pb_risk_field f)
{
    size_t n = A->pb_register_count(g);
    for (size_t i = 0; i < n; i++)
        if (A->pb_risk_text(g, i, f))
            return 1;
    return 0;
}

int xl_register_sheet(xl_ctx *x, size_t ri, lxw_worksheet *ws, lxw_worksheet *heat)
{
    pb_register *g = A->pb_plan_register(x->plan, ri);
    size_t n = A->pb_register_count(g);
    if (n + R_FIRST > XL_MAX_ROWS)
        return xl_failf(x, PB_ERR_LIMIT, "register '%s' has too many risks for a sheet",
                        A->pb_register_id(g));
    int gmax, amax, lmax, imax;
    A->pb_plan_risk_bands(x->plan, &gmax, &amax);
    A->pb_plan_risk_matrix(x->plan, &lmax, &imax);
    const char *title = A->pb_register_text(g, PB_REG_TITLE);
    if (!xl_string(x, ws, 0, 0, title ? title : A->pb_register_id(g), x->title))
        return 0;
    char buf[600];
    size_t len = 0;
    static const pb_register_field meta[] = {PB_REG_FOR, PB_REG_VERSION, PB_REG_LAST_REVIEWED,
                                             PB_REG_REVIEWED_BY, PB_REG_NEXT_REVIEW};
    static const char *const meta_names[] = {"Risk register for", "Version", "Last reviewed",
                                             "Reviewed by", "Next review"};
    buf[0] = '\0';
    for (size_t k = 0; k < sizeof meta / sizeof meta[0]; k++) {
        const char *v = A->pb_register_text(g, meta[k]);
        if (v && len < sizeof buf) {
            int w = snprintf(buf + len, sizeof buf - len, "%s%s: %s", len ? " | " : "",
                             meta_names[k], v);
            if (w > 0)
                len += (size_t)w;
        }
    }
    if (len < sizeof buf)
        snprintf(buf + len, sizeof buf - len, "%sScore = likelihood x impact on a %d x %d "
                 "matrix; RAG: up to %d green, up to %d amber, above red.",
                 len ? ". " : "", lmax, imax, gmax, amax);
    xl_fit(buf, sizeof buf, (int)strlen(buf) + 1 >= (int)sizeof buf ? (int)sizeof buf : 0);
    if (!xl_string(x, ws, 1, 0, buf, x->subtitle))
        return 0;
    /* columns: the text fields used, then L, I, Score, RAG per kind used */
    pb_risk_field cols[PB_RISK_FIELD_COUNT];
    int ncols = 0;
    for (int f = 0; f < PB_RISK_FIELD_COUNT; f++)
        if (f == PB_RISK_ID || field_used(x, g, (pb_risk_field)f))
            cols[ncols++] = (pb_risk_field)f;
    static const char *const heads[PB_RISK_FIELD_COUNT] = {
        "ID", "Category", "Status", "Status date", "Risk description", "Risk owner",
        "Objective", "Existing controls", "Headline impacts", "Planned mitigations",
        "Response actions", "Outcome", "Updated"};
    for (int c = 0; c < ncols; c++)
        if (!xl_string(x, ws, R_HEAD, (uint16_t)c, heads[cols[c]], x->head_left))
            return 0;
    int kinds[PB_SCORE_KIND_COUNT], nk = 0;
    for (int k = 0; k < PB_SCORE_KIND_COUNT; k++)
        if (kind_used(x, g, (pb_score_kind)k))
            kinds[nk++] = k;
    static const char *const kn[3] = {"Inherent", "Current", "Target"};
    for (int q = 0; q < nk; q++) {
        uint16_t c0 = (uint16_t)(ncols + 4 * q);
        static const char *const sub[4] = {"L", "I", "Score", "RAG"};
        for (int s = 0; s < 4; s++) {
            snprintf(buf, sizeof buf, "%s %s", kn[kinds[q]], sub[s]);
            if (!xl_string(x, ws, R_HEAD, (uint16_t)(c0 + s), buf, x->head))
                return 0;
        }
    }
    worksheet_freeze_panes(ws, R_FIRST, 1);
    for (size_t i = 0; i < n; i++) {
        uint32_t row = (uint32_t)(R_FIRST + i);
        for (int c = 0; c < ncols; c++)
            if (!text_or_blank(x, ws, row, (uint16_t)c, A->pb_risk_text(g, i, cols[c]),
                               c ? x->wrap : NULL))
                return 0;
        for (int q = 0; q < nk; q++) {
            pb_score_kind k = (pb_score_kind)kinds[q];
            pb_score s = A->pb_risk_score(g, i, k);
            uint16_t c0 = (uint16_t)(ncols + 4 * q);
            lxw_error e = LXW_NO_ERROR;
            if (s.likelihood)
                e = worksheet_write_number(ws, row, c0, s.likelihood, NULL);
            if (!e && s.impact)
                e = worksheet_write_number(ws, row, (uint16_t)(c0 + 1), s.impact, NULL);
            if (e)
                return xl_fail(x, e, "writing a score");
            char lc[16], ic[16], sc[16], f[400];
            lxw_rowcol_to_cell(lc, row, c0);
            lxw_rowcol_to_cell(ic, row, (uint16_t)(c0 + 1));
            lxw_rowcol_to_cell(sc, row, (uint16_t)(c0 + 2));
            int value = A->pb_risk_score_value(g, i, k);
            int mismatch = s.likelihood && s.impact && s.score &&
                           s.score != s.likelihood * s.impact;
            if (s.likelihood && s.impact) {
                snprintf(f, sizeof f, "=%s*%s", lc, ic);
                e = worksheet_write_formula_num(ws, row, (uint16_t)(c0 + 2), f,
                                                mismatch ? x->num[0][XL_NUM_MISMATCH] : NULL,
                                                x->cached ? value : 0);
            } else if (s.score)
                e = worksheet_write_number(ws, row, (uint16_t)(c0 + 2), s.score, NULL);
            if (e)
                return xl_fail(x, e, "writing a score");
            if (mismatch || A->pb_risk_score_text(g, i, k)) {
                const char *st = A->pb_risk_score_text(g, i, k);
                xl_buf cb = {0};
                if (st) {
                    xl_buf_add(&cb, "As printed: ", 12);
                    xl_buf_add(&cb, st, strlen(st));
                }
                if (mismatch) {
                    static const char why[] = " - the printed score is not likelihood x impact";
                    xl_buf_add(&cb, why, sizeof why - 1);
                }
                e = cb.failed ? LXW_ERROR_MEMORY_MALLOC_FAILED
                              : xl_comment(ws, row, (uint16_t)(c0 + 2), cb.s ? cb.s : "", NULL);
                xl_buf_free(&cb);
                if (e)
                    return xl_fail(x, e, "writing a comment");
            }
            if (value) {
                snprintf(f, sizeof f,
                         "=IF(NOT(ISNUMBER(%s)),\"\",IF(%s<=%d,\"%s\",IF(%s<=%d,\"%s\",\"%s\")))",
                         sc, sc, gmax, rag_word[1], sc, amax, rag_word[2], rag_word[3]);
                e = x->cached ? worksheet_write_formula_str(
                                    ws, row, (uint16_t)(c0 + 3), f, x->dash_status,
                                    rag_word[A->pb_plan_risk_rag(x->plan, value)])
                              : worksheet_write_formula(ws, row, (uint16_t)(c0 + 3), f,
                                                        x->dash_status);
                if (e)
                    return xl_fail(x, e, "writing a formula");
            }
        }
    }
    /* RAG colours by word */
    if (n && nk) {
        static const char *const words[3] = {"green", "amber", "red"};
        for (int q = 0; q < nk; q++) {
            uint16_t c = (uint16_t)(ncols + 4 * q + 3);
            for (int r = 0; r < 3; r++) {
                lxw_conditional_format cf;
                memset(&cf, 0, sizeof cf);
                cf.type = LXW_CONDITIONAL_TYPE_TEXT;
                cf.criteria = LXW_CONDITIONAL_CRITERIA_TEXT_CONTAINING;
                cf.value_string = (char *)words[r];
                cf.format = x->dash_fill[r];
                lxw_error e = worksheet_conditional_format_range(
                    ws, R_FIRST, c, (lxw_row_t)(R_FIRST + n - 1), c, &cf);
                if (e)
                    return xl_fail(x, e, "adding a conditional format");
            }
        }
    }
    worksheet_set_column(ws, 0, 0, 6, NULL);
    if (ncols > 1)
        worksheet_set_column(ws, 1, (lxw_col_t)(ncols - 1), 36, NULL);
    if (nk)
        worksheet_set_column(ws, (lxw_col_t)ncols, (lxw_col_t)(ncols + 4 * nk - 1), 10, NULL);
    worksheet_set_landscape(ws);
    worksheet_fit_to_pages(ws, 1, 0);
    worksheet_repeat_rows(ws, R_HEAD, R_HEAD);

    /* the heat map of the current scores (else the first kind used) */
    int hk = -1;
    for (int q = 0; q < nk; q++)
        if (kinds[q] == PB_SCORE_CURRENT)
            hk = q;
    if (hk < 0 && nk)
        hk = 0;
    xl_fit(buf, sizeof buf,
           snprintf(buf, sizeof buf, "Heat map: %s", title ? title : A->pb_register_id(g)));
    if (!xl_string(x, heat, 0, 0, buf, x->title))
        return 0;
    if (hk < 0)
        return xl_string(x, heat, 1, 0, "No risk in this register is scored.", x->subtitle);
    snprintf(buf, sizeof buf,
             "%s scores: the number of risks in each cell (COUNTIFS over the register sheet, so "
             "it follows edits there). Likelihood up, impact across.",
             kn[kinds[hk]]);
    if (!xl_string(x, heat, 1, 0, buf, x->subtitle))
        return 0;
    char lref[512], iref[512];
    uint16_t lcol = (uint16_t)(ncols + 4 * hk);
    char a1[16], a2[16];
    lxw_rowcol_to_cell(a1, R_FIRST, lcol);
    lxw_rowcol_to_cell(a2, (lxw_row_t)(R_FIRST + (n ? n - 1 : 0)), lcol);
    char sheetq[200];
    xl_cell_ref(x->reg_names[ri], 0, 0, 1, sheetq, sizeof sheetq);
    /* sheetq is "'Name'!$A$1": keep the sheet part */
    char *bang = strrchr(sheetq, '!');
    if (bang)
        bang[1] = '\0';
    snprintf(lref, sizeof lref, "%s$%.*s$%s:$%.*s$%s", sheetq, (int)strcspn(a1, "0123456789"),
             a1, a1 + strcspn(a1, "0123456789"), (int)strcspn(a2, "0123456789"), a2,
             a2 + strcspn(a2, "0123456789"));
    lxw_rowcol_to_cell(a1, R_FIRST, (uint16_t)(lcol + 1));
    lxw_rowcol_to_cell(a2, (lxw_row_t)(R_FIRST + (n ? n - 1 : 0)), (uint16_t)(lcol + 1));
    snprintf(iref, sizeof iref, "%s$%.*s$%s:$%.*s$%s", sheetq, (int)strcspn(a1, "0123456789"),
             a1, a1 + strcspn(a1, "0123456789"), (int)strcspn(a2, "0123456789"), a2,
             a2 + strcspn(a2, "0123456789"));
    if (!xl_string(x, heat, 3, 0, "Likelihood", x->head_left))
        return 0;
    for (int l = lmax; l >= 1; l--) {
        uint32_t row = (uint32_t)(4 + (lmax - l));
        if (worksheet_write_number(heat, row, 0, l, x->head))
            return xl_failf(x, PB_ERR_IO, "writing the heat map");
        for (int im = 1; im <= imax; im++) {
            int count = 0;
            for (size_t i = 0; i < n; i++) {
                pb_score s = A->pb_risk_score(g, i, (pb_score_kind)kinds[hk]);
                count += s.likelihood == l && s.impact == im;
            }
            char f[1100];
            snprintf(f, sizeof f, "=COUNTIFS(%s,%d,%s,%d)", lref, l, iref, im);
            int band = A->pb_plan_risk_rag(x->plan, l * im);
            lxw_error e = worksheet_write_formula_num(heat, row, (lxw_col_t)im, f,
                                                      x->heat_fmt[band], x->cached ? count : 0);
            if (e)
                return xl_fail(x, e, "writing the heat map");
        }
    }
    /* constant-memory mode: rows in order, so the impact axis comes last */
    for (int im = 1; im <= imax; im++) {
        if (worksheet_write_number(heat, (lxw_row_t)(4 + lmax), (lxw_col_t)im, im, x->head))
            return xl_failf(x, PB_ERR_IO, "writing the heat map");
    }
    if (!xl_string(x, heat, (uint32_t)(5 + lmax), 1, "Impact", x->head_left))
        return 0;
    uint32_t lr = (uint32_t)(7 + lmax);
    if (!xl_string(x, heat, lr, 0, "Legend", x->bold))
        return 0;
    snprintf(buf, sizeof buf, "%s: score 1 to %d", rag_word[1], gmax);
    if (!xl_string(x, heat, lr + 1, 0, buf, x->heat_fmt[1]))
        return 0;
    snprintf(buf, sizeof buf, "%s: score %d to %d", rag_word[2], gmax + 1, amax);
    if (!xl_string(x, heat, lr + 2, 0, buf, x->heat_fmt[2]))
        return 0;
    snprintf(buf, sizeof buf, "%s: score above %d", rag_word[3], amax);
    if (!xl_string(x, heat, lr + 3, 0, buf, x->heat_fmt[3]))
        return 0;
    worksheet_set_column(heat, 0, 0, 14, NULL);
    worksheet_set_column(heat, 1, (lxw_col_t)imax, 8, NULL);
    return 1;
}

/* ------------------------------------------------------------ records */

int xl_record_sheet(xl_ctx *x, size_t ci, lxw_worksheet *ws)
{
    pb_collection *c = A->pb_plan_collection(x->plan, ci);
    size_t n = A->pb_collection_count(c);
    if (n + R_FIRST > XL_MAX_ROWS)
        return xl_failf(x, PB_ERR_LIMIT, "collection '%s' has too many items for a sheet",
                        A->pb_collection_id(c));
    const char *title = A->pb_collection_text(c, PB_COLL_TITLE);
    if (!xl_string(x, ws, 0, 0, title ? title : A->pb_collection_id(c), x->title))
        return 0;
    const char *kind = A->pb_collection_text(c, PB_COLL_KIND);
    char buf[300];
    snprintf(buf, sizeof buf, "%s%s", kind ? kind : "records",
             A->pb_collection_date_count(c) || n ? "; Overdue compares the due date with "
                                                   "today (TODAY()) and the status"
                                                 : "");
    if (!xl_string(x, ws, 1, 0, buf, x->subtitle))
        return 0;
    /* the field names in order of first use */
    const char **names = NULL;
    size_t nn = 0, cap = 0;
    int ok = 0, dated = 0;
    for (size_t i = 0; i < n; i++) {
        size_t nf = A->pb_item_field_count(c, i);
        if (A->pb_item_due(c, i))
            dated = 1;
        for (size_t k = 0; k < nf; k++) {
            const char *nm = A->pb_item_field_name(c, i, k);
            size_t q = 0;
            while (q < nn && strcmp(names[q], nm))
                q++;
            if (q < nn)
                continue;
            if (nn == cap) {
                size_t ncap = cap ? cap * 2 : 16;
                const char **nw = realloc(names, ncap * sizeof *nw);
                if (!nw) {
                    free(names);
                    return xl_failf(x, PB_ERR_NOMEM, "out of memory");
                }
                names = nw;
                cap = ncap;
            }
            names[nn++] = nm;
        }
    }
    if (nn + 4 > XL_MAX_COLS) {
        free(names);
        return xl_failf(x, PB_ERR_LIMIT, "collection '%s' has too many fields for a sheet",
                        A->pb_collection_id(c));
    }
    uint16_t c_due = (uint16_t)(1 + nn), c_over = (uint16_t)(2 + nn);
    int status_col = -1;
    for (size_t q = 0; q < nn; q++)
        if (!strcmp(names[q], "status"))
            status_col = (int)q + 1;
    if (!xl_string(x, ws, R_HEAD, 0, "ID", x->head_left))
        goto done;
    for (size_t q = 0; q < nn; q++)
        if (!xl_string(x, ws, R_HEAD, (uint16_t)(q + 1), names[q], x->head_left))
            goto done;
    if (dated && (!xl_string(x, ws, R_HEAD, c_due, "Due (date)", x->head_left) ||
                  !xl_string(x, ws, R_HEAD, c_over, "Overdue?", x->head_left)))
        goto done;
    worksheet_freeze_panes(ws, R_FIRST, 1);
    /* today, for the cached "overdue" (Excel recalculates it); 0 if the
     * clock cannot say, which marks nothing overdue */
    time_t now = time(NULL);
    struct tm today;
    int32_t today_ymd = 0;
    if (now != (time_t)-1 && pb_gmtime(&now, &today))
        today_ymd = (today.tm_year + 1900) * 10000 + (today.tm_mon + 1) * 100 + today.tm_mday;
    for (size_t i = 0; i < n; i++) {
        uint32_t row = (uint32_t)(R_FIRST + i);
        const char *id = A->pb_item_id(c, i);
        int depth = A->pb_item_depth(c, i);
        if (id && !xl_string(x, ws, row, 0, id, x->label[depth > XL_MAX_INDENT ? XL_MAX_INDENT
                                                                               : depth][depth == 0]))
            goto done;
        for (size_t q = 0; q < nn; q++) {
            const char *v = A->pb_item_field(c, i, names[q]);
            if (v && !xl_string(x, ws, row, (uint16_t)(q + 1), v, x->wrap))
                goto done;
        }
        int32_t due = A->pb_item_due(c, i);
        if (dated && due) {
            lxw_datetime dt = {due / 10000, due / 100 % 100, due % 100, 0, 0, 0};
            lxw_error e = worksheet_write_datetime(ws, row, c_due, &dt, x->date_fmt);
            if (e) {
                xl_fail(x, e, "writing a date");
                goto done;
            }
            char dc[16], sc[16], f[300];
            lxw_rowcol_to_cell(dc, row, c_due);
            const char *st = A->pb_item_field(c, i, "status");
            int done_status = 0;
            if (st) {
                char low[40];
                size_t L = strlen(st);
                if (L < sizeof low) {
                    for (size_t q = 0; q <= L; q++)
                        low[q] = (char)((st[q] >= 'A' && st[q] <= 'Z') ? st[q] + 32 : st[q]);
                    static const char *const dn[] = {"complete", "completed", "closed",
                                                     "done",     "achieved",  "met"};
                    for (size_t q = 0; q < sizeof dn / sizeof dn[0]; q++)
                        done_status |= !strcmp(low, dn[q]);
                }
            }
            if (status_col >= 0) {
                lxw_rowcol_to_cell(sc, row, (uint16_t)status_col);
                snprintf(f, sizeof f,
                         "=IF(AND(ISNUMBER(%s),%s<TODAY(),ISERROR(MATCH(LOWER(TRIM(%s)),"
                         "{\"complete\",\"completed\",\"closed\",\"done\",\"achieved\",\"met\"},"
                         "0))),\"overdue\",\"\")",
                         dc, dc, sc);
            } else
                snprintf(f, sizeof f, "=IF(AND(ISNUMBER(%s),%s<TODAY()),\"overdue\",\"\")", dc,
                         dc);
            e = x->cached ? worksheet_write_formula_str(
                                ws, row, c_over, f, x->dash_status,
                                due < today_ymd && !done_status ? "overdue" : "")
                          : worksheet_write_formula(ws, row, c_over, f, x->dash_status);
            if (e) {
                xl_fail(x, e, "writing a formula");
                goto done;
            }
        }
    }
    if (dated && n) {
        lxw_conditional_format cf;
        memset(&cf, 0, sizeof cf);
        cf.type = LXW_CONDITIONAL_TYPE_TEXT;
        cf.criteria = LXW_CONDITIONAL_CRITERIA_TEXT_CONTAINING;
        cf.value_string = "overdue";
        cf.format = x->dash_fill[2];
        lxw_error e = worksheet_conditional_format_range(ws, R_FIRST, c_over,
                                                         (lxw_row_t)(R_FIRST + n - 1), c_over, &cf);
        if (e) {
            xl_fail(x, e, "adding a conditional format");
            goto done;
        }
    }
    worksheet_set_column(ws, 0, 0, 10, NULL);
    if (nn)
        worksheet_set_column(ws, 1, (lxw_col_t)nn, 40, NULL);
    if (dated)
        worksheet_set_column(ws, c_due, c_over, 12, NULL);
    worksheet_set_landscape(ws);
    worksheet_fit_to_pages(ws, 1, 0);
    ok = 1;
done:
    free(names);
    return ok;
}
