/* pb_xlsx_budget.c - one budget table as a finance sheet: title rows, years
 * as headings with the phase beneath, £'000 with separators and
 * parentheses, bold totals that are live formulas (with the core's figures
 * as their cached results), indentation by level, marked disagreements,
 * frozen panes, print setup, a defined name, and a chart for objective
 * summaries.  The formulas themselves are made in pb_xlsx_formula.c. */
#include "pb_xlsx_private.h"
#include "pb_platform.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define A (x->api)
#define MAX_FORMULA 8000 /* Excel's limit is 8,192 characters */

/* ------------------------------------------------------------ layout */

static const char *heading_top(xl_ctx *x, const pb_table *t, size_t c, char *buf)
{
    pb_period p = A->pb_column_period(t, c);
    if (p.kind != PB_PERIOD_NONE) {
        A->pb_period_format(p, A->pb_plan_year_start(x->plan), buf);
        return buf;
    }
    const char *label = A->pb_column_text(t, c, PB_COLUMN_LABEL);
    return label ? label : A->pb_column_id(t, c);
}

static const char *heading_bottom(xl_ctx *x, const pb_table *t, size_t c)
{
    const char *phase = A->pb_column_text(t, c, PB_COLUMN_PHASE);
    if (phase)
        return phase;
    if (A->pb_column_period(t, c).kind != PB_PERIOD_NONE) {
        const char *m = A->pb_column_text(t, c, PB_COLUMN_MEASURE);
        if (m)
            return m;
    }
    return A->pb_column_text(t, c, PB_COLUMN_UNIT);
}

static void set_widths(xl_ctx *x, const pb_table *t, lxw_worksheet *ws)
{
    size_t nr = A->pb_table_row_count(t), nc = A->pb_table_column_count(t);
    size_t label_w = 12;
    for (size_t r = 0; r < nr; r++) {
        size_t w = xl_chars(A->pb_row_label(t, r)) + 2 * (size_t)A->pb_row_depth(t, r) + 2;
        if (w > label_w)
            label_w = w;
    }
    worksheet_set_column(ws, 0, 0, (double)(label_w > 70 ? 70 : label_w), NULL);
    for (size_t c = 0; c < nc; c++) {
        size_t w = 8;
        char hb[PB_PERIOD_TEXT_MAX];
        size_t hw = xl_chars(heading_top(x, t, c, hb)) + 2;
        size_t pw = xl_chars(heading_bottom(x, t, c)) + 2;
        if (pw > hw)
            hw = pw;
        if (hw > w)
            w = hw > 18 ? 18 : hw; /* longer headings wrap */
        if (A->pb_column_type_of(t, c) == PB_COL_TEXT) {
            for (size_t r = 0; r < nr; r++) {
                size_t tw = xl_chars(A->pb_cell_text(t, r, c)) + 2;
                if (tw > w)
                    w = tw;
            }
            if (w > 50)
                w = 50;
        } else {
            pb_amount big = 0;
            int d = A->pb_column_decimals(t, c);
            for (size_t r = 0; r < nr; r++) {
                pb_amount v, cv;
                if (A->pb_cell_get(t, r, c, &v) == PB_CELL_VALUE && v != INT64_MIN) {
                    if (v < 0)
                        v = -v;
                    if (v > big)
                        big = v;
                }
                if (A->pb_cell_computed(t, r, c, &cv) == PB_COMP_VALUE && cv != INT64_MIN) {
                    if (cv < 0)
                        cv = -cv;
                    if (cv > big)
                        big = cv;
                }
            }
            char buf[PB_AMOUNT_TEXT_MAX];
            size_t aw = A->pb_amount_format(-big, d, PB_FMT_THOUSANDS | PB_FMT_PARENS, buf) + 2;
            if (aw > w)
                w = aw;
        }
        worksheet_set_column(ws, (lxw_col_t)(c + 1), (lxw_col_t)(c + 1), (double)w, NULL);
    }
}

static int print_setup(xl_ctx *x, lxw_worksheet *ws)
{
    worksheet_set_landscape(ws);
    worksheet_set_paper(ws, 9); /* A4 */
    worksheet_fit_to_pages(ws, 1, 0);
    worksheet_repeat_rows(ws, XL_HEAD_ROW, XL_PHASE_ROW);
    /* footer: the plan's title (& doubled) and the page number */
    /* Excel's limit is 255 characters: a longer title is cut, by
     * characters, with a visible "...", the footer being a derived label. */
    static const char right[] = "&RPage &P of &N";
    xl_buf tmp = {0}, foot = {0};
    const char *title = xl_text(A->pb_plan_meta(x->plan, PB_META_TITLE), &tmp);
    size_t room = 255 - 2 - (sizeof right - 1) - 3, chars = 0;
    xl_buf_add(&foot, "&L", 2);
    for (const char *p = title ? title : ""; *p; p++) {
        int lead = ((unsigned char)*p & 0xC0) != 0x80;
        if (lead && chars + (*p == '&') + 1 > room) {
            xl_buf_add(&foot, "...", 3);
            break;
        }
        if (*p == '&') {
            xl_buf_add(&foot, "&", 1);
            chars++;
        }
        xl_buf_add(&foot, p, 1);
        chars += (size_t)lead;
    }
    xl_buf_add(&foot, right, sizeof right - 1);
    xl_buf_free(&tmp);
    if (foot.failed) {
        xl_buf_free(&foot);
        return xl_failf(x, PB_ERR_NOMEM, "out of memory");
    }
    lxw_error e = worksheet_set_footer(ws, foot.s);
    xl_buf_free(&foot);
    return e == LXW_NO_ERROR ? 1 : xl_fail(x, e, "writing the page footer");
}

static int chart(xl_ctx *x, size_t t_index, const pb_table *t, lxw_worksheet *ws)
{
    const char *kind = A->pb_table_text(t, PB_TABLE_KIND);
    if (!kind || strcmp(kind, "objective"))
        return 1;
    size_t nr = A->pb_table_row_count(t), nc = A->pb_table_column_count(t);
    size_t first = PB_NONE, last = PB_NONE;
    for (size_t r = 0; r < nr; r++)
        if (A->pb_row_kind_of(t, r) == PB_ROW_LINE && !A->pb_row_is_part(t, r)) {
            if (first == PB_NONE)
                first = r;
            last = r;
        }
    if (first == PB_NONE)
        return 1;
    /* series: the net columns, else every plain amount column that is not FTE */
    int have_net = 0;
    for (size_t c = 0; c < nc; c++) {
        const char *m = A->pb_column_text(t, c, PB_COLUMN_MEASURE);
        have_net |= A->pb_column_type_of(t, c) == PB_COL_AMOUNT && m && !strcmp(m, "net");
    }
    lxw_chart *ch = workbook_add_chart(x->wb, LXW_CHART_COLUMN);
    if (!ch)
        return xl_failf(x, PB_ERR_NOMEM, "out of memory");
    const char *sheet = x->sheet_names[t_index];
    char cats[LXW_MAX_FORMULA_RANGE_LENGTH + 64], vals[LXW_MAX_FORMULA_RANGE_LENGTH + 64];
    char a[LXW_MAX_FORMULA_RANGE_LENGTH + 8], z[LXW_MAX_CELL_NAME_LENGTH];
    xl_cell_ref(sheet, XL_FIRST_DATA_ROW + (uint32_t)first, 0, 1, a, sizeof a);
    lxw_rowcol_to_cell_abs(z, XL_FIRST_DATA_ROW + (uint32_t)last, 0, 1, 1);
    snprintf(cats, sizeof cats, "=%s:%s", a, z);
    xl_buf names = {0};
    int series = 0;
    for (size_t c = 0; c < nc && series < 10; c++) {
        if (A->pb_column_type_of(t, c) != PB_COL_AMOUNT)
            continue;
        const char *m = A->pb_column_text(t, c, PB_COLUMN_MEASURE);
        const char *unit = A->pb_column_text(t, c, PB_COLUMN_UNIT);
        if (have_net ? !(m && !strcmp(m, "net"))
                     : (A->pb_column_term_count(t, c) || (unit && !strcmp(unit, "FTE")) ||
                        (m && !strcmp(m, "fte"))))
            continue;
        xl_cell_ref(sheet, XL_FIRST_DATA_ROW + (uint32_t)first, (uint16_t)(c + 1), 1, a, sizeof a);
        lxw_rowcol_to_cell_abs(z, XL_FIRST_DATA_ROW + (uint32_t)last, (uint16_t)(c + 1), 1, 1);
        snprintf(vals, sizeof vals, "=%s:%s", a, z);
        lxw_chart_series *s = chart_add_series(ch, cats, vals);
        if (!s) {
            xl_buf_free(&names);
            return xl_failf(x, PB_ERR_NOMEM, "out of memory");
        }
        char hb[PB_PERIOD_TEXT_MAX + 100], top[PB_PERIOD_TEXT_MAX];
        const char *bottom = heading_bottom(x, t, c);
        xl_fit(hb, sizeof hb,
               snprintf(hb, sizeof hb, "%s%s%s", heading_top(x, t, c, top), bottom ? " " : "",
                        bottom ? bottom : ""));
        chart_series_set_name(s, xl_plain(hb));
        xl_buf_addf(&names, "%s%s", series ? ", " : "", hb);
        series++;
    }
    const char *title = A->pb_table_text(t, PB_TABLE_TITLE);
    const char *unit = A->pb_table_text(t, PB_TABLE_UNIT);
    {
        /* DrawingML text: no _xHHHH_ there, the forbidden characters go */
        char *pt = pb_strdup(title ? title : A->pb_table_id(t));
        char *pu = unit ? pb_strdup(unit) : NULL;
        if (!pt || (unit && !pu)) {
            free(pt);
            free(pu);
            xl_buf_free(&names);
            return xl_failf(x, PB_ERR_NOMEM, "out of memory");
        }
        chart_title_set_name(ch, xl_plain(pt)); /* copied */
        if (pu)
            chart_axis_set_name(ch->y_axis, xl_plain(pu));
        free(pt);
        free(pu);
    }
    chart_axis_set_name(ch->x_axis, "Service");
    chart_legend_set_position(ch, LXW_CHART_LEGEND_BOTTOM);
    char alt[1024];
    xl_fit(alt, sizeof alt,
           snprintf(alt, sizeof alt, "Column chart of %s in %s: %s, for each service.",
                    title ? title : A->pb_table_id(t), unit, names.s ? names.s : ""));
    xl_plain(alt);
    xl_buf_free(&names);
    lxw_chart_options opt;
    memset(&opt, 0, sizeof opt);
    opt.x_scale = 1.6;
    opt.y_scale = 1.4;
    opt.description = alt;
    lxw_error e = worksheet_insert_chart_opt(ws, XL_HEAD_ROW, (lxw_col_t)(nc + 2), ch, &opt);
    return e == LXW_NO_ERROR ? 1 : xl_fail(x, e, "inserting a chart");
}

static int define_name(xl_ctx *x, size_t t_index, const pb_table *t)
{
    size_t nr = A->pb_table_row_count(t), nc = A->pb_table_column_count(t);
    char a[LXW_MAX_FORMULA_RANGE_LENGTH + 8], z[LXW_MAX_CELL_NAME_LENGTH], f[LXW_MAX_FORMULA_RANGE_LENGTH + 40];
    xl_cell_ref(x->sheet_names[t_index], XL_HEAD_ROW, 0, 1, a, sizeof a);
    lxw_rowcol_to_cell_abs(z, XL_FIRST_DATA_ROW + (uint32_t)(nr ? nr - 1 : 0), (lxw_col_t)nc, 1, 1);
    snprintf(f, sizeof f, "=%s:%s", a, z);
    if (!xl_define_name(x, "tbl_", A->pb_table_id(t), f))
        return 0;
    /* the name can differ from the id ('-' becomes '_', a long id is cut,
     * a suffix when two ids meet): the structure sheet says which is which */
    x->table_names[t_index] = x->defined[x->ndefined - 1];
    return 1;
}

/* ------------------------------------------------------------- cells */

static int limit_error(xl_ctx *x, const pb_table *t, size_t r, size_t c, const char *what)
{
    const char *label = A->pb_row_label(t, r);
    snprintf(x->err->path, sizeof x->err->path, "budgets.%s.rows[%zu].values[%zu]",
             A->pb_table_id(t), r, c);
    return xl_failf(x, PB_ERR_LIMIT, "table '%s', row '%s', column '%s': %s",
                    A->pb_table_id(t), label ? label : "", A->pb_column_id(t, c), what);
}

/* Put the table, row (and column) in front of an error's message. */
static void in_cell(xl_ctx *x, const pb_table *t, size_t r, size_t c)
{
    char msg[PB_ERROR_MESSAGE_MAX + 400];
    const char *label = A->pb_row_label(t, r);
    if (c == PB_NONE)
        snprintf(msg, sizeof msg, "table '%.128s', row '%.60s': %s", A->pb_table_id(t),
                 label ? label : "", x->err->message);
    else
        snprintf(msg, sizeof msg, "table '%.128s', row '%.60s', column '%.128s': %s",
                 A->pb_table_id(t), label ? label : "", A->pb_column_id(t, c), x->err->message);
    size_t n = strlen(msg);
    if (n >= sizeof x->err->message)
        n = sizeof x->err->message - 1;
    memcpy(x->err->message, msg, n);
    x->err->message[n] = '\0';
}

static const char *const too_precise =
    "the figure has more than 15 significant digits, which Excel cannot hold exactly";

/* A comment saying what was printed and what the arithmetic gives. */
static int mismatch_comment(xl_ctx *x, lxw_worksheet *ws, uint32_t row, uint16_t col,
                            const pb_finding *f)
{
    size_t need = A->pb_finding_message(x->plan, f, NULL, 0);
    char *msg = malloc(need + 1);
    if (!msg)
        return xl_failf(x, PB_ERR_NOMEM, "out of memory");
    A->pb_finding_message(x->plan, f, msg, need + 1);
    lxw_error e = xl_comment(ws, row, col, msg, NULL);
    free(msg);
    return e == LXW_NO_ERROR ? 1 : xl_fail(x, e, "writing a comment");
}

static int by_cell(const void *pa, const void *pb)
{
    const pb_finding *a = *(const pb_finding *const *)pa, *b = *(const pb_finding *const *)pb;
    if (a->row != b->row)
        return a->row < b->row ? -1 : 1;
    if (a->column != b->column)
        return a->column < b->column ? -1 : 1;
    return a < b ? -1 : a > b; /* the first finding of a cell first */
}

/* ------------------------------------------------------------- sheet */

/* What writing one budget sheet carries from row to row. */
typedef struct bsheet {
    xl_ctx *x;
    pb_table *t;
    size_t t_index;
    lxw_worksheet *ws;
    const pb_finding **marks; /* the table's findings by (row, column) */
    size_t nmarks, next_mark;
    xl_buf formula;
    xl_terms ts;       /* the current total row's terms */
    int have_terms; /* ts holds them */
} bsheet;

/* 1 when the table fits in a sheet, else 0 with the error set. */
static int fits(xl_ctx *x, const pb_table *t)
{
    size_t nr = A->pb_table_row_count(t), nc = A->pb_table_column_count(t);
    if (nr + XL_FIRST_DATA_ROW > XL_MAX_ROWS)
        return xl_failf(x, PB_ERR_LIMIT,
                        "table '%s' has %zu rows; an Excel sheet holds at most %u",
                        A->pb_table_id(t), nr, XL_MAX_ROWS - XL_FIRST_DATA_ROW);
    if (nc + 1 > XL_MAX_COLS)
        return xl_failf(x, PB_ERR_LIMIT,
                        "table '%s' has %zu columns; an Excel sheet holds at most %u",
                        A->pb_table_id(t), nc, XL_MAX_COLS - 1);
    return 1;
}

/* The findings of this table in (row, column) order: the writer walks
 * them as it writes, so its memory does not grow with the rows. */
static int collect_marks(bsheet *b)
{
    xl_ctx *x = b->x;
    size_t n = 0;
    for (size_t i = 0; i < x->findings.count; i++)
        n += x->findings.items[i].part == PB_PART_BUDGETS &&
             x->findings.items[i].table == b->t_index;
    if (!n)
        return 1;
    if (!(b->marks = malloc(n * sizeof *b->marks)))
        return xl_failf(x, PB_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < x->findings.count; i++) {
        const pb_finding *f = &x->findings.items[i];
        if (f->part == PB_PART_BUDGETS && f->table == b->t_index && f->row != PB_NONE &&
            f->column != PB_NONE && f->code != PB_FIND_REFERENCE)
            b->marks[b->nmarks++] = f;
    }
    qsort(b->marks, b->nmarks, sizeof *b->marks, by_cell);
    return 1;
}

/* The finding of cell (r, c), if any (cells are asked in order). */
static const pb_finding *mark_at(bsheet *b, size_t r, size_t c)
{
    while (b->next_mark < b->nmarks &&
           (b->marks[b->next_mark]->row < r ||
            (b->marks[b->next_mark]->row == r && b->marks[b->next_mark]->column < c)))
        b->next_mark++;
    if (b->next_mark < b->nmarks && b->marks[b->next_mark]->row == r &&
        b->marks[b->next_mark]->column == c)
        return b->marks[b->next_mark];
    return NULL;
}

/* The table's note, as a comment on its title. */
static int note_comment(xl_ctx *x, const pb_table *t, lxw_worksheet *ws)
{
    const char *note = A->pb_table_text(t, PB_TABLE_NOTE);
    if (!note)
        return 1;
    if (xl_chars(note) > XL_MAX_STRING)
        return xl_failf(x, PB_ERR_LIMIT, "the note of table '%s' is longer than Excel's %u "
                                         "characters", A->pb_table_id(t), XL_MAX_STRING);
    lxw_comment_options co;
    memset(&co, 0, sizeof co);
    co.width = 480;
    co.height = 240;
    lxw_error e = xl_comment(ws, XL_TITLE_ROW, 0, note, &co);
    return e == LXW_NO_ERROR ? 1 : xl_fail(x, e, "writing a comment");
}

/* The plan's title (a derived label here: cut by characters, with "...",
 * to leave the unit whole within Excel's 32,767) - unit. */
static int subtitle(xl_ctx *x, size_t t_index, const pb_table *t, lxw_worksheet *ws)
{
    const char *pt = A->pb_plan_meta(x->plan, PB_META_TITLE);
    const char *unit = A->pb_table_text(t, PB_TABLE_UNIT);
    if (!unit)
        unit = "";
    size_t uc = xl_chars(unit);
    if (uc > XL_MAX_STRING)
        return xl_failf(x, PB_ERR_LIMIT, "budgets.%s.unit: %zu characters, longer than Excel's "
                        "limit of %u characters a cell (sheet '%s', A2)", A->pb_table_id(t), uc,
                        XL_MAX_STRING, x->sheet_names[t_index]);
    xl_buf sub = {0};
    if (pt && uc + 3 < XL_MAX_STRING) {
        xl_buf_add_cut(&sub, pt, XL_MAX_STRING - uc - 3);
        xl_buf_add(&sub, " - ", 3);
    }
    xl_buf_add(&sub, unit, strlen(unit));
    int ok = !sub.failed && xl_string(x, ws, XL_SUBTITLE_ROW, 0, sub.s, x->subtitle);
    if (sub.failed)
        xl_failf(x, PB_ERR_NOMEM, "out of memory");
    xl_buf_free(&sub);
    return ok;
}

/* Title, note and subtitle; the headings with the phases beneath. */
static int header_block(xl_ctx *x, size_t t_index, const pb_table *t, lxw_worksheet *ws)
{
    size_t nc = A->pb_table_column_count(t);
    const char *title = A->pb_table_text(t, PB_TABLE_TITLE);
    if (!xl_string(x, ws, XL_TITLE_ROW, 0, title ? title : A->pb_table_id(t), x->title) ||
        !note_comment(x, t, ws) || !subtitle(x, t_index, t, ws) ||
        !xl_string(x, ws, XL_HEAD_ROW, 0, "", x->head_left))
        return 0;
    for (size_t c = 0; c < nc; c++) {
        char hb[PB_PERIOD_TEXT_MAX];
        if (!xl_string(x, ws, XL_HEAD_ROW, (uint16_t)(c + 1), heading_top(x, t, c, hb), x->head))
            return 0;
    }
    for (size_t c = 0; c < nc; c++) {
        const char *b = heading_bottom(x, t, c);
        lxw_error e = b ? xl_raw_string(ws, XL_PHASE_ROW, (uint16_t)(c + 1), b, x->phase)
                        : worksheet_write_blank(ws, XL_PHASE_ROW, (uint16_t)(c + 1), x->phase);
        if (e)
            return xl_fail(x, e, "writing a heading");
    }
    return 1;
}

/* The formula of a computed cell into b->formula: a total's terms, a sum
 * column's terms, or a line's parts. */
static int cell_formula(bsheet *b, size_t r, size_t c, uint16_t xc)
{
    xl_ctx *x = b->x;
    b->formula.len = 0;
    if (A->pb_column_calc(b->t, c, NULL) != PB_CALC_NONE) {
        xl_calc_formula(x, b->t, c, r, &b->formula);
    } else if (A->pb_row_kind_of(b->t, r) == PB_ROW_TOTAL) {
        if (!b->have_terms) {
            xl_total_terms(x, b->t, r, &b->ts);
            b->have_terms = 1;
        }
        xl_render_terms(&b->formula, &b->ts, xc);
    } else if (A->pb_column_term_count(b->t, c)) {
        xl_column_formula(x, b->t, c, XL_FIRST_DATA_ROW + (uint32_t)r, &b->formula);
    } else if (!xl_parts_formula(x, b->t, r, xc, &b->formula)) {
        return xl_failf(x, PB_ERR_NOMEM, "out of memory");
    }
    if (b->formula.failed || b->ts.failed)
        return xl_failf(x, PB_ERR_NOMEM, "out of memory");
    return 1;
}

/* A computed cell: its formula, with the core's figure (as printed) as
 * its result; the figure alone with a comment when the formula is too
 * long for Excel. */
static int computed_cell(bsheet *b, size_t r, size_t c, pb_amount comp, lxw_format *f,
                         const pb_finding *mark)
{
    xl_ctx *x = b->x;
    int d = A->pb_column_decimals(b->t, c);
    uint32_t xr = XL_FIRST_DATA_ROW + (uint32_t)r;
    uint16_t xc = (uint16_t)(c + 1);
    pb_amount shown = xl_print_sign(x, b->t, r) < 0 ? -comp : comp;
    if (!xl_amount_ok(shown, d))
        return limit_error(x, b->t, r, c, too_precise);
    if (!cell_formula(b, r, c, xc))
        return 0;
    lxw_error e;
    if (b->formula.len > MAX_FORMULA) {
        e = worksheet_write_number(b->ws, xr, xc, xl_amount_double(shown, d), f);
        if (!e)
            e = xl_comment(b->ws, xr, xc,
                           "Computed by planbook: the formula would exceed Excel's "
                           "8,192 characters.", NULL);
    } else {
        double cached = x->cached ? xl_amount_double(shown, d) : 0;
        e = worksheet_write_formula_num(b->ws, xr, xc, b->formula.s, f, cached);
    }
    if (!e && mark && !mismatch_comment(x, b->ws, xr, xc, mark))
        return 0;
    return e == LXW_NO_ERROR ? 1 : xl_fail(x, e, "writing a cell");
}

/* An amount cell: computed, printed, nil (0 shown as "-") or blank. */
static int amount_cell(bsheet *b, size_t r, size_t c)
{
    xl_ctx *x = b->x;
    const pb_table *t = b->t;
    int d = A->pb_column_decimals(t, c);
    uint32_t xr = XL_FIRST_DATA_ROW + (uint32_t)r;
    uint16_t xc = (uint16_t)(c + 1);
    const pb_finding *mark = mark_at(b, r, c);
    pb_amount printed, comp;
    pb_cell_state ps = A->pb_cell_get(t, r, c, &printed);
    pb_computed_state cs = A->pb_cell_computed(t, r, c, &comp);
    lxw_format *f = x->num[d][mark ? XL_NUM_MISMATCH
                                   : ps == PB_CELL_NIL ? XL_NUM_NIL
                                   : A->pb_row_kind_of(t, r) == PB_ROW_TOTAL ? XL_NUM_TOTAL
                                                                             : XL_NUM_PLAIN];
    lxw_error e = LXW_NO_ERROR;
    if (cs == PB_COMP_VALUE)
        return computed_cell(b, r, c, comp, f, mark);
    if (ps == PB_CELL_VALUE) {
        if (!xl_amount_ok(printed, d))
            return limit_error(x, t, r, c, too_precise);
        e = worksheet_write_number(b->ws, xr, xc, xl_amount_double(printed, d), f);
        if (!e && mark && !mismatch_comment(x, b->ws, xr, xc, mark))
            return 0;
    } else if (ps == PB_CELL_NIL) {
        e = worksheet_write_number(b->ws, xr, xc, 0, f);
    }
    return e == LXW_NO_ERROR ? 1 : xl_fail(x, e, "writing a cell");
}

/* A text cell; shaded with the finding's comment where a computed
 * column's printed figure disagrees (pb_calc.h). */
static int text_cell(bsheet *b, size_t r, size_t c)
{
    xl_ctx *x = b->x;
    uint32_t xr = XL_FIRST_DATA_ROW + (uint32_t)r;
    const pb_finding *mark = mark_at(b, r, c);
    lxw_format *f = mark ? x->num[A->pb_column_decimals(b->t, c)][XL_NUM_MISMATCH] : NULL;
    return xl_string(x, b->ws, xr, (uint16_t)(c + 1), A->pb_cell_text(b->t, r, c), f) &&
           (!mark || mismatch_comment(x, b->ws, xr, (uint16_t)(c + 1), mark));
}

/* A row: its label indented by level (bold unless a line), then its
 * cells (a section has none). */
static int body_row(bsheet *b, size_t r)
{
    xl_ctx *x = b->x;
    const pb_table *t = b->t;
    uint32_t xr = XL_FIRST_DATA_ROW + (uint32_t)r;
    pb_row_kind kind = A->pb_row_kind_of(t, r);
    int depth = A->pb_row_depth(t, r);
    const char *label = A->pb_row_label(t, r);
    if (label && !xl_string(x, b->ws, xr, 0, label,
                            x->label[depth > XL_MAX_INDENT ? XL_MAX_INDENT : depth]
                                    [kind != PB_ROW_LINE])) {
        snprintf(x->err->path, sizeof x->err->path, "budgets.%s.rows[%zu]", A->pb_table_id(t), r);
        in_cell(x, t, r, PB_NONE);
        return 0;
    }
    if (kind == PB_ROW_SECTION)
        return 1;
    b->have_terms = 0;
    b->ts.n = 0;
    for (size_t c = 0; c < A->pb_table_column_count(t); c++) {
        if (A->pb_column_type_of(t, c) != PB_COL_TEXT) {
            if (!amount_cell(b, r, c))
                return 0;
        } else if (!text_cell(b, r, c)) {
            snprintf(x->err->path, sizeof x->err->path, "budgets.%s.rows[%zu].values[%zu]",
                     A->pb_table_id(t), r, c);
            in_cell(x, t, r, c);
            return 0;
        }
    }
    return 1;
}

int xl_budget_sheet(xl_ctx *x, size_t t_index)
{
    pb_table *t = A->pb_plan_table(x->plan, t_index);
    lxw_worksheet *ws = x->sheets[t_index];
    size_t nr = A->pb_table_row_count(t), nc = A->pb_table_column_count(t);
    if (!fits(x, t) || A->pb_table_compute(t, x->err))
        return 0;
    bsheet b = {x, t, t_index, ws, NULL, 0, 0, {0}, {0}, 0};
    int ok = collect_marks(&b);
    if (ok) {
        set_widths(x, t, ws);
        worksheet_freeze_panes(ws, XL_FIRST_DATA_ROW, 1);
        ok = print_setup(x, ws);
    }
    if (ok) {
        worksheet_print_area(ws, 0, 0, XL_FIRST_DATA_ROW + (lxw_row_t)(nr ? nr - 1 : 0),
                             (lxw_col_t)nc);
        ok = header_block(x, t_index, t, ws);
    }
    for (size_t r = 0; r < nr && ok; r++)
        ok = body_row(&b, r);
    ok = ok && define_name(x, t_index, t) && chart(x, t_index, t, ws);
    free(b.marks);
    free(b.ts.v);
    xl_buf_free(&b.formula);
    return ok;
}
