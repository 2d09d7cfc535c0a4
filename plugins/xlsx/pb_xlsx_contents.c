/* pb_xlsx_contents.c - the two summary sheets: Contents first (the plan's
 * particulars, a link to every sheet, the dashboards' status counts and
 * each table's headline figures as formulas into its sheet) and Findings
 * last (every check finding, with a link to its cell). */
#include "pb_xlsx_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define A (x->api)

/* ====================================================== contents sheet */

/* The row that carries a table's headline figures: its last top-level
 * total without a selection, or -1. */
static int64_t grand_total(xl_ctx *x, const pb_table *t)
{
    int64_t found = -1;
    for (size_t r = 0; r < A->pb_table_row_count(t); r++)
        if (A->pb_row_kind_of(t, r) == PB_ROW_TOTAL && A->pb_row_parent(t, r) == PB_NONE &&
            !A->pb_row_text(t, r, PB_ROW_SELECT))
            found = (int64_t)r;
    return found;
}

static const char *column_heading(xl_ctx *x, const pb_table *t, size_t c, char *buf,
                                  size_t cap)
{
    const char *label = A->pb_column_text(t, c, PB_COLUMN_LABEL);
    if (label)
        return label;
    pb_period p = A->pb_column_period(t, c);
    if (p.kind != PB_PERIOD_NONE) {
        char per[PB_PERIOD_TEXT_MAX];
        A->pb_period_format(p, A->pb_plan_year_start(x->plan), per);
        const char *extra = A->pb_column_text(t, c, PB_COLUMN_PHASE);
        if (!extra)
            extra = A->pb_column_text(t, c, PB_COLUMN_MEASURE);
        snprintf(buf, cap, "%s%s%s", per, extra ? " " : "", extra ? extra : "");
        return buf;
    }
    return A->pb_column_id(t, c);
}

/* The title and the plan's particulars, one a row. */
static int particulars(xl_ctx *x, lxw_worksheet *ws, uint32_t *row)
{
    static const struct {
        pb_meta_key key;
        const char *name;
    } meta[] = {{PB_META_ORGANISATION, "Organisation"}, {PB_META_DIRECTORATE, "Directorate"},
                {PB_META_SERVICE, "Service"},           {PB_META_PERIOD, "Period"},
                {PB_META_STATUS, "Status"},             {PB_META_VERSION, "Version"},
                {PB_META_OWNER, "Owner"},               {PB_META_SOURCE, "Source"}};
    const char *title = A->pb_plan_meta(x->plan, PB_META_TITLE);
    if (!xl_string(x, ws, (*row)++, 0, title ? title : "Plan", x->title))
        return 0;
    (*row)++;
    for (size_t k = 0; k < sizeof meta / sizeof meta[0]; k++) {
        const char *v = A->pb_plan_meta(x->plan, meta[k].key);
        if (!v)
            continue;
        if (!xl_string(x, ws, *row, 0, meta[k].name, x->bold) ||
            !xl_string(x, ws, *row, 1, v, x->wrap))
            return 0;
        (*row)++;
    }
    return 1;
}

/* How many errors and warnings the check found, linked to Findings. */
static int findings_line(xl_ctx *x, lxw_worksheet *ws, uint32_t *row)
{
    size_t nerr = 0, nwarn = 0;
    for (size_t i = 0; i < x->findings.count; i++) {
        nerr += x->findings.items[i].severity == PB_SEV_ERROR;
        nwarn += x->findings.items[i].severity == PB_SEV_WARNING;
    }
    char buf[256];
    (*row)++;
    if (!xl_string(x, ws, *row, 0, "Check findings", x->bold))
        return 0;
    snprintf(buf, sizeof buf, "%zu error%s, %zu warning%s (see the %s sheet)", nerr,
             nerr == 1 ? "" : "s", nwarn, nwarn == 1 ? "" : "s", x->findings_name);
    return xl_link(x, ws, (*row)++, 1, x->findings_name, 0, 0, buf);
}

/* A link to a sheet, and beside it what the sheet holds. */
static int sheet_line(xl_ctx *x, lxw_worksheet *ws, uint32_t *row, const char *sheet,
                      const char *title)
{
    if (!xl_link(x, ws, *row, 0, sheet, 0, 0, sheet) ||
        (title && !xl_string(x, ws, *row, 1, title, NULL)))
        return 0;
    (*row)++;
    return 1;
}

/* The sheets of a kind of part (heat maps: one a register). */
static int part_lines(xl_ctx *x, lxw_worksheet *ws, uint32_t *row, xl_part kind,
                      char *const *names, int heat)
{
    for (size_t k = 0; k < xl_part_count(x, kind); k++)
        if (!sheet_line(x, ws, row, names[k],
                        heat ? "Heat map of the risk scores" : xl_part_title(x, kind, k)))
            return 0;
    return 1;
}

/* Every sheet but Contents and Findings: the registers' before their
 * heat maps. */
static int sheet_list(xl_ctx *x, lxw_worksheet *ws, uint32_t *row)
{
    (*row)++;
    return xl_string(x, ws, (*row)++, 0, "Sheets", x->title) &&
           part_lines(x, ws, row, XL_TABLES, x->sheet_names, 0) &&
           part_lines(x, ws, row, XL_INDSETS, x->dash_names, 0) &&
           part_lines(x, ws, row, XL_REGISTERS, x->reg_names, 0) &&
           part_lines(x, ws, row, XL_REGISTERS, x->heat_names, 1) &&
           part_lines(x, ws, row, XL_COLLECTIONS, x->coll_names, 0) &&
           part_lines(x, ws, row, XL_DESCRIBED, x->desc_names, 0);
}

/* One indicator set's status at its report period, in words. */
static int dashboard_summary(xl_ctx *x, pb_indset *s, char *buf, size_t cap)
{
    uint32_t k = A->pb_indset_report_period(s);
    size_t n = A->pb_indset_count(s);
    size_t cnt[4] = {0}, better = 0, worse = 0, measures = 0;
    if (k == PB_NONE || !n) {
        snprintf(buf, cap, "no figures yet");
        return 1;
    }
    pb_ind_status *st = malloc(n * sizeof *st);
    if (!st)
        return xl_failf(x, PB_ERR_NOMEM, "out of memory");
    if (A->pb_indset_status(s, k, st, x->err)) {
        free(st);
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (A->pb_ind_parent(s, i) != PB_NONE)
            continue;
        measures++;
        cnt[st[i].rag]++;
        better += st[i].last == PB_CMP_BETTER;
        worse += st[i].last == PB_CMP_WORSE;
    }
    free(st);
    char per[PB_PERIOD_TEXT_MAX];
    A->pb_period_format(A->pb_indset_period(s, k), A->pb_plan_year_start(x->plan), per);
    snprintf(buf, cap,
             "at %s: %zu measures; %zu red, %zu amber, %zu green, %zu without RAG; "
             "%zu better than last, %zu worse",
             per, measures, cnt[3], cnt[2], cnt[1], cnt[0], better, worse);
    return 1;
}

static int dashboards(xl_ctx *x, lxw_worksheet *ws, uint32_t *row)
{
    size_t nd = A->pb_plan_indset_count(x->plan);
    if (!nd)
        return 1;
    (*row)++;
    if (!xl_string(x, ws, (*row)++, 0, "Dashboards", x->title))
        return 0;
    for (size_t d = 0; d < nd; d++) {
        char buf[256];
        if (!dashboard_summary(x, A->pb_plan_indset(x->plan, d), buf, sizeof buf) ||
            !xl_string(x, ws, *row, 0, x->dash_names[d], x->bold) ||
            !xl_string(x, ws, *row, 1, buf, x->wrap))
            return 0;
        (*row)++;
    }
    return 1;
}

/* One amount column of a table's grand total: its heading, and a formula
 * of the cell on the table's sheet (its figure as printed as the result). */
static int headline_figure(xl_ctx *x, lxw_worksheet *ws, uint32_t row, size_t t, size_t g,
                           size_t c)
{
    pb_table *tb = A->pb_plan_table(x->plan, t);
    char hb[200];
    if (!xl_string(x, ws, row, 0, column_heading(x, tb, c, hb, sizeof hb), x->label[1][0]))
        return 0;
    int d = A->pb_column_decimals(tb, c);
    pb_amount v, printed;
    pb_computed_state cs = A->pb_cell_computed(tb, g, c, &v);
    pb_cell_state ps = A->pb_cell_get(tb, g, c, &printed);
    if (cs == PB_COMP_VALUE)
        v = xl_print_sign(x, tb, g) < 0 ? -v : v; /* as printed */
    else if (ps == PB_CELL_VALUE)
        v = printed;
    else
        v = 0;
    char ref[LXW_MAX_FORMULA_RANGE_LENGTH + 8];
    xl_cell_ref(x->sheet_names[t], XL_FIRST_DATA_ROW + (uint32_t)g, (uint16_t)(c + 1), 0,
                ref + 1, sizeof ref - 1);
    ref[0] = '=';
    lxw_error e = worksheet_write_formula_num(
        ws, row, 1, ref, x->num[d][XL_NUM_PLAIN],
        x->cached && xl_amount_ok(v, d) ? xl_amount_double(v, d) : 0);
    return e == LXW_NO_ERROR ? 1 : xl_fail(x, e, "writing a formula");
}

/* Each table's grand total, column by column. */
static int headlines(xl_ctx *x, lxw_worksheet *ws, uint32_t *row)
{
    (*row)++;
    if (!xl_string(x, ws, (*row)++, 0, "Headline figures", x->title))
        return 0;
    for (size_t t = 0; t < A->pb_plan_table_count(x->plan); t++) {
        pb_table *tb = A->pb_plan_table(x->plan, t);
        int64_t g = grand_total(x, tb);
        if (g < 0)
            continue;
        if (A->pb_table_compute(tb, x->err))
            return 0;
        const char *label = A->pb_row_label(tb, (size_t)g);
        char buf[256];
        xl_fit(buf, sizeof buf,
               snprintf(buf, sizeof buf, "%s: %s", x->sheet_names[t], label ? label : "Total"));
        if (!xl_string(x, ws, (*row)++, 0, buf, x->bold))
            return 0;
        for (size_t c = 0; c < A->pb_table_column_count(tb); c++) {
            if (A->pb_column_type_of(tb, c) != PB_COL_AMOUNT)
                continue;
            if (!headline_figure(x, ws, (*row)++, t, (size_t)g, c))
                return 0;
        }
    }
    return 1;
}

int xl_contents_sheet(xl_ctx *x, lxw_worksheet *ws)
{
    uint32_t row = 0;
    if (!particulars(x, ws, &row) || !findings_line(x, ws, &row) || !sheet_list(x, ws, &row) ||
        !dashboards(x, ws, &row) || !headlines(x, ws, &row))
        return 0;
    worksheet_set_column(ws, 0, 0, 40, NULL);
    worksheet_set_column(ws, 1, 1, 60, NULL);
    worksheet_set_landscape(ws);
    worksheet_fit_to_pages(ws, 1, 0);
    worksheet_print_area(ws, 0, 0, row ? row - 1 : 0, 1);
    return 1;
}

/* ====================================================== findings sheet */

/* The columns of the Findings sheet. */
enum { F_SEVERITY, F_CODE, F_TABLE, F_ROW, F_COLUMN, F_PRINTED, F_MESSAGE = 8, F_LINK, F_COUNT };

static const struct {
    const char *head;
    double width;
} finding_cols[F_COUNT] = {{"Severity", 9},    {"Code", 10},     {"Table", 28},
                           {"Row", 40},        {"Column", 14},   {"Printed", 12},
                           {"Computed", 12},   {"Difference", 12}, {"Message", 90},
                           {"Go to cell", 28}};

/* Where a risk finding is: the register, the risk and the score kind. */
static int risk_place(xl_ctx *x, lxw_worksheet *ws, uint32_t row, const pb_finding *f)
{
    const pb_register *g = A->pb_plan_register(x->plan, f->table);
    return xl_string(x, ws, row, F_TABLE, A->pb_register_id(g), NULL) &&
           (f->row >= A->pb_register_count(g) ||
            xl_string(x, ws, row, F_ROW, A->pb_risk_text(g, f->row, PB_RISK_ID), NULL)) &&
           (f->column >= PB_SCORE_KIND_COUNT ||
            xl_string(x, ws, row, F_COLUMN, A->pb_score_kind_name((pb_score_kind)f->column),
                      NULL));
}

/* Where a described part's finding is: its sheet, the row's number, the
 * field's heading, and a link to the cell (pb_xlsx_described.c's rows
 * start on the sheet's fifth). */
static int described_place(xl_ctx *x, lxw_worksheet *ws, uint32_t row, const pb_finding *f)
{
    const pb_described *d = A->pb_plan_described(x->plan, f->table);
    const pb_described_desc *desc = A->pb_described_desc_of(d);
    char num[24];
    snprintf(num, sizeof num, "%u", f->row + 1);
    if (!xl_string(x, ws, row, F_TABLE, x->desc_names[f->table], NULL) ||
        !xl_string(x, ws, row, F_ROW, num, NULL))
        return 0;
    if (f->column >= desc->nfields)
        return 1;
    return xl_string(x, ws, row, F_COLUMN, desc->fields[f->column].heading, NULL) &&
           xl_link(x, ws, row, F_LINK, x->desc_names[f->table], 4 + f->row,
                   (uint16_t)f->column, NULL);
}

/* Where an indicator finding is: the dashboard, the measure, the period,
 * and a link to the cell. */
static int indicator_place(xl_ctx *x, lxw_worksheet *ws, uint32_t row, const pb_finding *f)
{
    const pb_indset *s = A->pb_plan_indset(x->plan, f->table);
    const char *dn = x->dash_names[f->table];
    uint32_t m = f->row;
    if (m != PB_NONE && A->pb_ind_parent(s, m) != PB_NONE)
        m = A->pb_ind_parent(s, m);
    if (!xl_string(x, ws, row, F_TABLE, dn, NULL) ||
        (m != PB_NONE && !xl_string(x, ws, row, F_ROW, A->pb_ind_text(s, m, PB_IND_REF), NULL)))
        return 0;
    if (f->column != PB_NONE && f->column < A->pb_indset_period_count(s)) {
        char per[PB_PERIOD_TEXT_MAX];
        A->pb_period_format(A->pb_indset_period(s, f->column), A->pb_plan_year_start(x->plan),
                            per);
        if (!xl_string(x, ws, row, F_COLUMN, per, NULL))
            return 0;
    }
    if (f->row == PB_NONE)
        return 1;
    uint16_t col = f->column != PB_NONE ? xl_dashboard_col(f->column) : 1;
    return xl_link(x, ws, row, F_LINK, dn, xl_dashboard_row(f->row), col, NULL);
}

/* Where a budget finding is: the table, the row and the column. */
static int budget_place(xl_ctx *x, lxw_worksheet *ws, uint32_t row, const pb_finding *f,
                        const pb_table *t)
{
    return xl_string(x, ws, row, F_TABLE, x->sheet_names[f->table], NULL) &&
           (f->row == PB_NONE || xl_string(x, ws, row, F_ROW, A->pb_row_label(t, f->row), NULL)) &&
           (f->column == PB_NONE ||
            xl_string(x, ws, row, F_COLUMN, A->pb_column_id(t, f->column), NULL));
}

/* The printed, computed and difference figures, and the message. */
static int finding_figures(xl_ctx *x, lxw_worksheet *ws, uint32_t row, const pb_finding *f)
{
    if (f->has_values) {
        int d = f->decimals;
        pb_amount vals[3] = {f->declared, f->computed, f->difference};
        for (int k = 0; k < 3; k++) {
            if (!xl_amount_ok(vals[k], d))
                continue;
            lxw_error e = worksheet_write_number(ws, row, (uint16_t)(F_PRINTED + k),
                                                 xl_amount_double(vals[k], d),
                                                 x->num[d][XL_NUM_PLAIN]);
            if (e)
                return xl_fail(x, e, "writing a number");
        }
    }
    size_t need = A->pb_finding_message(x->plan, f, NULL, 0);
    char *msg = malloc(need + 1);
    if (!msg)
        return xl_failf(x, PB_ERR_NOMEM, "out of memory");
    A->pb_finding_message(x->plan, f, msg, need + 1);
    int ok = xl_string(x, ws, row, F_MESSAGE, msg, NULL);
    free(msg);
    return ok;
}

static int finding_row(xl_ctx *x, lxw_worksheet *ws, uint32_t row, const pb_finding *f)
{
    const pb_table *t = f->table != PB_NONE && f->part == PB_PART_BUDGETS
                            ? A->pb_plan_table(x->plan, f->table)
                            : NULL;
    if (!xl_string(x, ws, row, F_SEVERITY, A->pb_severity_name((pb_severity)f->severity),
                   NULL) ||
        !xl_string(x, ws, row, F_CODE, A->pb_finding_code_name((pb_finding_code)f->code), NULL))
        return 0;
    if (f->part == PB_PART_RISKS && f->table < A->pb_plan_register_count(x->plan) &&
        !risk_place(x, ws, row, f))
        return 0;
    if (f->part == PB_PART_INDICATORS && f->table < A->pb_plan_indset_count(x->plan) &&
        !indicator_place(x, ws, row, f))
        return 0;
    if (f->part == PB_PART_DESCRIBED && f->table < A->pb_plan_described_count(x->plan) &&
        !described_place(x, ws, row, f))
        return 0;
    if ((t && !budget_place(x, ws, row, f, t)) || !finding_figures(x, ws, row, f))
        return 0;
    if (t && f->row != PB_NONE && f->column != PB_NONE)
        return xl_link(x, ws, row, F_LINK, x->sheet_names[f->table], XL_FIRST_DATA_ROW + f->row,
                       (uint16_t)(f->column + 1), NULL);
    return 1;
}

int xl_findings_sheet(xl_ctx *x, lxw_worksheet *ws)
{
    if (!xl_string(x, ws, 0, 0, "Check findings", x->title))
        return 0;
    if (!xl_string(x, ws, 1, 0,
                   "Every place where a printed figure disagrees with the arithmetic "
                   "(printed figures as in the source; computed from the lines).",
                   x->subtitle))
        return 0;
    for (uint16_t c = 0; c < F_COUNT; c++)
        if (!xl_string(x, ws, 3, c, finding_cols[c].head, x->head_left))
            return 0;
    worksheet_freeze_panes(ws, 4, 0);
    uint32_t row = 4;
    for (size_t i = 0; i < x->findings.count; i++, row++)
        if (!finding_row(x, ws, row, &x->findings.items[i]))
            return 0;
    if (!x->findings.count &&
        !xl_string(x, ws, row, 0, "No findings: every printed figure agrees with the arithmetic.",
                   NULL))
        return 0;
    for (uint16_t c = 0; c < F_COUNT; c++)
        worksheet_set_column(ws, c, c, finding_cols[c].width, NULL);
    worksheet_set_landscape(ws);
    worksheet_fit_to_pages(ws, 1, 0);
    return 1;
}
