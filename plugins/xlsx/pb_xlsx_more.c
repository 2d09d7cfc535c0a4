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

/* ----------------------------------------------------------- register */

static const char *const kind_names[3] = {"Inherent", "Current", "Target"};

/* The columns of a register sheet: the text fields used (the ID always),
 * then likelihood, impact, score and RAG for each kind of score used. */
typedef struct rlayout {
    const pb_field_desc *cols[PB_RISK_FIELD_COUNT]; /* pb_risk_fields' */
    int ncols;
    int kinds[PB_SCORE_KIND_COUNT];
    int nk;
    int gmax, amax, lmax, imax; /* RAG bands; the matrix */
} rlayout;

static void register_layout(xl_ctx *x, const pb_register *g, rlayout *L)
{
    L->ncols = L->nk = 0;
    size_t nd;
    const pb_field_desc *d = A->pb_risk_fields(&nd);
    for (size_t f = 0; f < nd && L->ncols < PB_RISK_FIELD_COUNT; f++)
        if ((d[f].flags & PB_FIELD_ID) || field_used(x, g, (pb_risk_field)d[f].code))
            L->cols[L->ncols++] = &d[f];
    for (int k = 0; k < PB_SCORE_KIND_COUNT; k++)
        if (kind_used(x, g, (pb_score_kind)k))
            L->kinds[L->nk++] = k;
    A->pb_plan_risk_bands(x->plan, &L->gmax, &L->amax);
    A->pb_plan_risk_matrix(x->plan, &L->lmax, &L->imax);
}

/* The register's particulars and how its scores are read. */
static int register_subtitle(xl_ctx *x, const pb_register *g, const rlayout *L,
                             lxw_worksheet *ws)
{
    char buf[1200];
    size_t len = 0, nd;
    buf[0] = '\0';
    const pb_field_desc *d = A->pb_register_fields(&nd);
    for (size_t k = 0; k < nd; k++) {
        const char *v = A->pb_register_text(g, (pb_register_field)d[k].code);
        if ((d[k].flags & PB_FIELD_DETAIL) && v && len < sizeof buf) {
            int w = snprintf(buf + len, sizeof buf - len, "%s%s: %s", len ? " | " : "",
                             d[k].heading, v);
            if (w > 0)
                len += (size_t)w;
        }
    }
    /* bands the register does not print are an assumption, said so on the
     * sheet (basis "printed: ..." or "assumed: ..."; none is assumed) */
    const char *basis = A->pb_register_text(g, PB_REG_BASIS);
    int printed = basis && !strncmp(basis, "printed", 7);
    if (len < sizeof buf)
        snprintf(buf + len, sizeof buf - len, "%sScore = likelihood x impact on a %d x %d "
                 "matrix; RAG: up to %d green, up to %d amber, above red (%s: %s).",
                 len ? ". " : "", L->lmax, L->imax, L->gmax, L->amax,
                 printed ? "bands" : "assumed bands",
                 basis ? basis : "the register prints none");
    xl_fit(buf, sizeof buf, (int)strlen(buf) + 1 >= (int)sizeof buf ? (int)sizeof buf : 0);
    return xl_string(x, ws, 1, 0, buf, x->subtitle);
}

static int register_headings(xl_ctx *x, const rlayout *L, lxw_worksheet *ws)
{
    static const char *const sub[4] = {"L", "I", "Score", "RAG"};
    for (int c = 0; c < L->ncols; c++)
        if (!xl_string(x, ws, R_HEAD, (uint16_t)c, L->cols[c]->heading, x->head_left))
            return 0;
    for (int q = 0; q < L->nk; q++)
        for (int s = 0; s < 4; s++) {
            char buf[64];
            snprintf(buf, sizeof buf, "%s %s", kind_names[L->kinds[q]], sub[s]);
            if (!xl_string(x, ws, R_HEAD, (uint16_t)(L->ncols + 4 * q + s), buf, x->head))
                return 0;
        }
    return 1;
}

/* A comment on a score: the text printed for it, and whether the printed
 * score disagrees with likelihood x impact. */
static int score_comment(xl_ctx *x, lxw_worksheet *ws, uint32_t row, uint16_t col,
                         const char *printed, int mismatch)
{
    if (!mismatch && !printed)
        return 1;
    xl_buf cb = {0};
    if (printed) {
        xl_buf_add(&cb, "As printed: ", 12);
        xl_buf_add(&cb, printed, strlen(printed));
    }
    if (mismatch) {
        static const char why[] = " - the printed score is not likelihood x impact";
        xl_buf_add(&cb, why, sizeof why - 1);
    }
    lxw_error e = cb.failed ? LXW_ERROR_MEMORY_MALLOC_FAILED
                            : xl_comment(ws, row, col, cb.s ? cb.s : "", NULL);
    xl_buf_free(&cb);
    return e == LXW_NO_ERROR ? 1 : xl_fail(x, e, "writing a comment");
}

/* One kind of score of a risk from column c0: likelihood, impact, the
 * score (=L*I where both are given) and its RAG as a formula. */
static int score_group(xl_ctx *x, const pb_register *g, size_t i, pb_score_kind k,
                       const rlayout *L, lxw_worksheet *ws, uint32_t row, uint16_t c0)
{
    pb_score s = A->pb_risk_score(g, i, k);
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
    int mismatch = s.likelihood && s.impact && s.score && s.score != s.likelihood * s.impact;
    if (s.likelihood && s.impact) {
        snprintf(f, sizeof f, "=%s*%s", lc, ic);
        e = worksheet_write_formula_num(ws, row, (uint16_t)(c0 + 2), f,
                                        mismatch ? x->num[0][XL_NUM_MISMATCH] : NULL,
                                        x->cached ? value : 0);
    } else if (s.score)
        e = worksheet_write_number(ws, row, (uint16_t)(c0 + 2), s.score, NULL);
    if (e)
        return xl_fail(x, e, "writing a score");
    if (!score_comment(x, ws, row, (uint16_t)(c0 + 2), A->pb_risk_score_text(g, i, k), mismatch))
        return 0;
    if (!value)
        return 1;
    snprintf(f, sizeof f, "=IF(NOT(ISNUMBER(%s)),\"\",IF(%s<=%d,\"%s\",IF(%s<=%d,\"%s\",\"%s\")))",
             sc, sc, L->gmax, rag_word[1], sc, L->amax, rag_word[2], rag_word[3]);
    return xl_formula_text(x, ws, row, (uint16_t)(c0 + 3), f,
                           rag_word[A->pb_plan_risk_rag(x->plan, value)], x->dash_status);
}

static int risk_row(xl_ctx *x, const pb_register *g, size_t i, const rlayout *L,
                    lxw_worksheet *ws)
{
    uint32_t row = (uint32_t)(R_FIRST + i);
    for (int c = 0; c < L->ncols; c++)
        if (!text_or_blank(x, ws, row, (uint16_t)c,
                           A->pb_risk_text(g, i, (pb_risk_field)L->cols[c]->code),
                           c ? x->wrap : NULL))
            return xl_in(x, "field '%s'", L->cols[c]->key);
    for (int q = 0; q < L->nk; q++)
        if (!score_group(x, g, i, (pb_score_kind)L->kinds[q], L, ws, row,
                         (uint16_t)(L->ncols + 4 * q)))
            return 0;
    return 1;
}

/* ----------------------------------------------------------- heat map */

/* 'Register'!$C$5:$C$20: a column of the register sheet's risks. */
static void risk_range(xl_ctx *x, size_t ri, size_t n, uint16_t col, char *buf, size_t cap)
{
    char a1[16], a2[16], sheetq[200];
    lxw_rowcol_to_cell(a1, R_FIRST, col);
    lxw_rowcol_to_cell(a2, (lxw_row_t)(R_FIRST + (n ? n - 1 : 0)), col);
    xl_cell_ref(x->reg_names[ri], 0, 0, 1, sheetq, sizeof sheetq);
    /* sheetq is "'Name'!$A$1": keep the sheet part */
    char *bang = strrchr(sheetq, '!');
    if (bang)
        bang[1] = '\0';
    snprintf(buf, cap, "%s$%.*s$%s:$%.*s$%s", sheetq, (int)strcspn(a1, "0123456789"), a1,
             a1 + strcspn(a1, "0123456789"), (int)strcspn(a2, "0123456789"), a2,
             a2 + strcspn(a2, "0123456789"));
}

/* The matrix, likelihood up and impact across: each cell counts the
 * risks there with COUNTIFS over the register sheet. */
static int heat_grid(xl_ctx *x, size_t ri, const rlayout *L, int hk, lxw_worksheet *heat)
{
    const pb_register *g = A->pb_plan_register(x->plan, ri);
    size_t n = A->pb_register_count(g);
    char lref[512], iref[512];
    uint16_t lcol = (uint16_t)(L->ncols + 4 * hk);
    risk_range(x, ri, n, lcol, lref, sizeof lref);
    risk_range(x, ri, n, (uint16_t)(lcol + 1), iref, sizeof iref);
    if (!xl_string(x, heat, 3, 0, "Likelihood", x->head_left))
        return 0;
    for (int l = L->lmax; l >= 1; l--) {
        uint32_t row = (uint32_t)(4 + (L->lmax - l));
        if (worksheet_write_number(heat, row, 0, l, x->head))
            return xl_failf(x, PB_ERR_IO, "writing the heat map");
        for (int im = 1; im <= L->imax; im++) {
            int count = 0;
            for (size_t i = 0; i < n; i++) {
                pb_score s = A->pb_risk_score(g, i, (pb_score_kind)L->kinds[hk]);
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
    for (int im = 1; im <= L->imax; im++)
        if (worksheet_write_number(heat, (lxw_row_t)(4 + L->lmax), (lxw_col_t)im, im, x->head))
            return xl_failf(x, PB_ERR_IO, "writing the heat map");
    return xl_string(x, heat, (uint32_t)(5 + L->lmax), 1, "Impact", x->head_left);
}

/* The bands' legend below the matrix. */
static int heat_legend(xl_ctx *x, const rlayout *L, lxw_worksheet *heat)
{
    uint32_t lr = (uint32_t)(7 + L->lmax);
    char buf[200];
    if (!xl_string(x, heat, lr, 0, "Legend", x->bold))
        return 0;
    for (int band = 1; band <= 3; band++) {
        if (band == 1)
            snprintf(buf, sizeof buf, "%s: score 1 to %d", rag_word[1], L->gmax);
        else if (band == 2)
            snprintf(buf, sizeof buf, "%s: score %d to %d", rag_word[2], L->gmax + 1, L->amax);
        else
            snprintf(buf, sizeof buf, "%s: score above %d", rag_word[3], L->amax);
        if (!xl_string(x, heat, lr + (uint32_t)band, 0, buf, x->heat_fmt[band]))
            return 0;
    }
    return 1;
}

/* The heat map of the current scores (else of the first kind used). */
static int heat_map(xl_ctx *x, size_t ri, const rlayout *L, lxw_worksheet *heat)
{
    const pb_register *g = A->pb_plan_register(x->plan, ri);
    const char *title = A->pb_register_text(g, PB_REG_TITLE);
    int hk = -1;
    for (int q = 0; q < L->nk; q++)
        if (L->kinds[q] == PB_SCORE_CURRENT)
            hk = q;
    if (hk < 0 && L->nk)
        hk = 0;
    char buf[600];
    xl_fit(buf, sizeof buf,
           snprintf(buf, sizeof buf, "Heat map: %s", title ? title : A->pb_register_id(g)));
    if (!xl_string(x, heat, 0, 0, buf, x->title))
        return 0;
    if (hk < 0)
        return xl_string(x, heat, 1, 0, "No risk in this register is scored.", x->subtitle);
    snprintf(buf, sizeof buf,
             "%s scores: the number of risks in each cell (COUNTIFS over the register sheet, so "
             "it follows edits there). Likelihood up, impact across.",
             kind_names[L->kinds[hk]]);
    if (!xl_string(x, heat, 1, 0, buf, x->subtitle) || !heat_grid(x, ri, L, hk, heat) ||
        !heat_legend(x, L, heat))
        return 0;
    worksheet_set_column(heat, 0, 0, 14, NULL);
    worksheet_set_column(heat, 1, (lxw_col_t)L->imax, 8, NULL);
    return 1;
}

int xl_register_sheet(xl_ctx *x, size_t ri, lxw_worksheet *ws, lxw_worksheet *heat)
{
    pb_register *g = A->pb_plan_register(x->plan, ri);
    size_t n = A->pb_register_count(g);
    if (n + R_FIRST > XL_MAX_ROWS)
        return xl_failf(x, PB_ERR_LIMIT, "register '%s' has too many risks for a sheet",
                        A->pb_register_id(g));
    rlayout L;
    register_layout(x, g, &L);
    const char *title = A->pb_register_text(g, PB_REG_TITLE);
    if (!xl_string(x, ws, 0, 0, title ? title : A->pb_register_id(g), x->title) ||
        !register_subtitle(x, g, &L, ws) || !register_headings(x, &L, ws))
        return 0;
    worksheet_freeze_panes(ws, R_FIRST, 1);
    for (size_t i = 0; i < n; i++)
        if (!risk_row(x, g, i, &L, ws))
            return xl_in(x, "risk register '%.100s', risk '%.100s'", A->pb_register_id(g),
                         A->pb_risk_text(g, i, PB_RISK_ID));
    /* RAG colours by word */
    for (int q = 0; n && q < L.nk; q++)
        if (!xl_rag_rules(x, ws, R_FIRST, (uint32_t)(R_FIRST + n - 1),
                          (uint16_t)(L.ncols + 4 * q + 3)))
            return 0;
    worksheet_set_column(ws, 0, 0, 6, NULL);
    if (L.ncols > 1)
        worksheet_set_column(ws, 1, (lxw_col_t)(L.ncols - 1), 36, NULL);
    if (L.nk)
        worksheet_set_column(ws, (lxw_col_t)L.ncols, (lxw_col_t)(L.ncols + 4 * L.nk - 1), 10,
                             NULL);
    worksheet_set_landscape(ws);
    worksheet_fit_to_pages(ws, 1, 0);
    worksheet_repeat_rows(ws, R_HEAD, R_HEAD);
    return heat_map(x, ri, &L, heat);
}

/* ------------------------------------------------------------ records */

/* What writing one record sheet carries: the field names in order of
 * first use, where the due date, overdue flag and status are, and today. */
typedef struct csheet {
    xl_ctx *x;
    pb_collection *c;
    lxw_worksheet *ws;
    size_t n;
    const char **names;
    size_t nn, cap;
    int dated;        /* some item has a due date */
    int status_col;   /* the column of the field "status", or -1 */
    uint16_t c_due, c_over;
    int32_t today;    /* YYYYMMDD, 0 when the clock cannot say */
} csheet;

/* The field names in order of first use; whether any item is dated. */
static int record_fields(csheet *k)
{
    xl_ctx *x = k->x;
    for (size_t i = 0; i < k->n; i++) {
        size_t nf = A->pb_item_field_count(k->c, i);
        if (A->pb_item_due(k->c, i))
            k->dated = 1;
        for (size_t f = 0; f < nf; f++) {
            const char *nm = A->pb_item_field_name(k->c, i, f);
            size_t q = 0;
            while (q < k->nn && strcmp(k->names[q], nm))
                q++;
            if (q < k->nn)
                continue;
            if (k->nn == k->cap) {
                size_t ncap = k->cap ? k->cap * 2 : 16;
                const char **nw = realloc(k->names, ncap * sizeof *nw);
                if (!nw)
                    return xl_failf(x, PB_ERR_NOMEM, "out of memory");
                k->names = nw;
                k->cap = ncap;
            }
            k->names[k->nn++] = nm;
        }
    }
    if (k->nn + 4 > XL_MAX_COLS)
        return xl_failf(x, PB_ERR_LIMIT, "collection '%s' has too many fields for a sheet",
                        A->pb_collection_id(k->c));
    k->c_due = (uint16_t)(1 + k->nn);
    k->c_over = (uint16_t)(2 + k->nn);
    k->status_col = -1;
    for (size_t q = 0; q < k->nn; q++)
        if (!strcmp(k->names[q], "status"))
            k->status_col = (int)q + 1;
    return 1;
}

static int record_headings(csheet *k)
{
    xl_ctx *x = k->x;
    if (!xl_string(x, k->ws, R_HEAD, 0, "ID", x->head_left))
        return 0;
    for (size_t q = 0; q < k->nn; q++)
        if (!xl_string(x, k->ws, R_HEAD, (uint16_t)(q + 1), k->names[q], x->head_left))
            return 0;
    return !k->dated || (xl_string(x, k->ws, R_HEAD, k->c_due, "Due (date)", x->head_left) &&
                         xl_string(x, k->ws, R_HEAD, k->c_over, "Overdue?", x->head_left));
}

/* Does a status say the item is done? (As the overdue formula's list.) */
static int done_status(const char *st)
{
    static const char *const done[] = {"complete", "completed", "closed",
                                       "done",     "achieved",  "met"};
    char low[40];
    size_t len = st ? strlen(st) : sizeof low;
    if (len >= sizeof low)
        return 0;
    for (size_t q = 0; q <= len; q++)
        low[q] = (char)((st[q] >= 'A' && st[q] <= 'Z') ? st[q] + 32 : st[q]);
    int is_done = 0;
    for (size_t q = 0; q < sizeof done / sizeof done[0]; q++)
        is_done |= !strcmp(low, done[q]);
    return is_done;
}

/* The due date as an Excel date, and a live overdue flag beside it. */
static int due_cells(csheet *k, size_t i, uint32_t row, int32_t due)
{
    xl_ctx *x = k->x;
    lxw_datetime dt = {due / 10000, due / 100 % 100, due % 100, 0, 0, 0};
    lxw_error e = worksheet_write_datetime(k->ws, row, k->c_due, &dt, x->date_fmt);
    if (e)
        return xl_fail(x, e, "writing a date");
    char dc[16], sc[16], f[300];
    lxw_rowcol_to_cell(dc, row, k->c_due);
    if (k->status_col >= 0) {
        lxw_rowcol_to_cell(sc, row, (uint16_t)k->status_col);
        snprintf(f, sizeof f,
                 "=IF(AND(ISNUMBER(%s),%s<TODAY(),ISERROR(MATCH(LOWER(TRIM(%s)),"
                 "{\"complete\",\"completed\",\"closed\",\"done\",\"achieved\",\"met\"},"
                 "0))),\"overdue\",\"\")",
                 dc, dc, sc);
    } else
        snprintf(f, sizeof f, "=IF(AND(ISNUMBER(%s),%s<TODAY()),\"overdue\",\"\")", dc, dc);
    int overdue = due < k->today && !done_status(A->pb_item_field(k->c, i, "status"));
    return xl_formula_text(x, k->ws, row, k->c_over, f, overdue ? "overdue" : "", x->dash_status);
}

static int record_row(csheet *k, size_t i)
{
    xl_ctx *x = k->x;
    uint32_t row = (uint32_t)(R_FIRST + i);
    const char *id = A->pb_item_id(k->c, i);
    int depth = A->pb_item_depth(k->c, i);
    if (id && !xl_string(x, k->ws, row, 0, id,
                         x->label[depth > XL_MAX_INDENT ? XL_MAX_INDENT : depth][depth == 0]))
        return xl_in(x, "collection '%.100s', item '%.100s', field 'id'",
                     A->pb_collection_id(k->c), id);
    for (size_t q = 0; q < k->nn; q++) {
        const char *v = A->pb_item_field(k->c, i, k->names[q]);
        if (v && !xl_string(x, k->ws, row, (uint16_t)(q + 1), v, x->wrap))
            return xl_in(x, "collection '%.100s', item %s%.100s%s (#%zu), field '%.64s'",
                         A->pb_collection_id(k->c), id ? "'" : "", id ? id : "(no ID)",
                         id ? "'" : "", i + 1, k->names[q]);
    }
    int32_t due = A->pb_item_due(k->c, i);
    return !(k->dated && due) || due_cells(k, i, row, due);
}

/* Today, for the cached "overdue" (Excel recalculates it); 0 if the clock
 * cannot say, which marks nothing overdue. */
static int32_t today_ymd(void)
{
    time_t now = time(NULL);
    struct tm today;
    if (now != (time_t)-1 && pb_gmtime(&now, &today))
        return (today.tm_year + 1900) * 10000 + (today.tm_mon + 1) * 100 + today.tm_mday;
    return 0;
}

/* Title, and what the sheet holds. */
static int record_header(csheet *k)
{
    xl_ctx *x = k->x;
    const char *title = A->pb_collection_text(k->c, PB_COLL_TITLE);
    if (!xl_string(x, k->ws, 0, 0, title ? title : A->pb_collection_id(k->c), x->title))
        return 0;
    const char *kind = A->pb_collection_text(k->c, PB_COLL_KIND);
    char buf[300];
    snprintf(buf, sizeof buf, "%s%s", kind ? kind : "records",
             A->pb_collection_date_count(k->c) || k->n ? "; Overdue compares the due date with "
                                                         "today (TODAY()) and the status"
                                                       : "");
    return xl_string(x, k->ws, 1, 0, buf, x->subtitle);
}

int xl_record_sheet(xl_ctx *x, size_t ci, lxw_worksheet *ws)
{
    pb_collection *c = A->pb_plan_collection(x->plan, ci);
    csheet k = {.x = x, .c = c, .ws = ws, .n = A->pb_collection_count(c)};
    if (k.n + R_FIRST > XL_MAX_ROWS)
        return xl_failf(x, PB_ERR_LIMIT, "collection '%s' has too many items for a sheet",
                        A->pb_collection_id(k.c));
    int ok = record_header(&k) && record_fields(&k) && record_headings(&k);
    if (ok) {
        worksheet_freeze_panes(ws, R_FIRST, 1);
        k.today = today_ymd();
    }
    for (size_t i = 0; i < k.n && ok; i++)
        ok = record_row(&k, i);
    if (ok && k.dated && k.n)
        ok = xl_word_rule(x, ws, R_FIRST, (uint32_t)(R_FIRST + k.n - 1), k.c_over, "overdue",
                          x->dash_fill[2]);
    if (ok) {
        worksheet_set_column(ws, 0, 0, 10, NULL);
        if (k.nn)
            worksheet_set_column(ws, 1, (lxw_col_t)k.nn, 40, NULL);
        if (k.dated)
            worksheet_set_column(ws, k.c_due, k.c_over, 12, NULL);
        worksheet_set_landscape(ws);
        worksheet_fit_to_pages(ws, 1, 0);
    }
    free(k.names);
    return ok;
}
