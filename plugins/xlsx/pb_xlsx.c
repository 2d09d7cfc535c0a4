/* pb_xlsx.c - the workbook: formats, sheet names, the contents and
 * findings sheets, defined names and document properties.  Each budget
 * table's sheet is laid out by pb_xlsx_budget.c. */
#define _POSIX_C_SOURCE 200809L
#include "pb_xlsx_private.h"
#include "pb_platform.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define A (x->api)

pb_xlsx_options pb_xlsx_default_options(void)
{
    pb_xlsx_options o = {1, 1, NULL, NULL, 0};
    return o;
}

/* ============================================================ helpers */

void xl_buf_add(xl_buf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *ns = realloc(b->s, cap);
        if (!ns) {
            b->failed = 1;
            return;
        }
        b->s = ns;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void xl_buf_addf(xl_buf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = 1;
        return;
    }
    xl_buf_add(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

void xl_buf_free(xl_buf *b)
{
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
}

int xl_failf(xl_ctx *x, pb_status st, const char *fmt, ...)
{
    if (x->err->status != PB_OK)
        return 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x->err->message, sizeof x->err->message, fmt, ap);
    va_end(ap);
    x->err->status = st;
    return 0;
}

int xl_fail(xl_ctx *x, lxw_error e, const char *what)
{
    pb_status st = e == LXW_ERROR_MEMORY_MALLOC_FAILED ? PB_ERR_NOMEM : PB_ERR_IO;
    return xl_failf(x, st, "%s: %s", what, lxw_strerror(e));
}

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static int is_hex4(const char *p)
{
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return 0;
    }
    return 1;
}

/* Does s hold a character XML 1.0 forbids, or a literal _xHHHH_? */
static int needs_escape(const unsigned char *p)
{
    for (; *p; p++) {
        if (*p < 0x20 && *p != '\t' && *p != '\n')
            return 1;
        if (*p == 0xEF && p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF))
            return 1;
        if (*p == '_' && p[1] == 'x' && is_hex4((const char *)p + 2) && p[6] == '_')
            return 1;
    }
    return 0;
}

const char *xl_text(const char *s, xl_buf *tmp)
{
    if (!s || !needs_escape((const unsigned char *)s))
        return s;
    tmp->len = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 && *p != '\t' && *p != '\n') {
            xl_buf_addf(tmp, "_x%04X_", *p);
        } else if (*p == 0xEF && p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF)) {
            xl_buf_addf(tmp, "_x%04X_", 0xFF00u | (p[2] == 0xBE ? 0xFEu : 0xFFu));
            p += 2;
        } else if (*p == '_' && p[1] == 'x' && is_hex4((const char *)p + 2) && p[6] == '_') {
            xl_buf_add(tmp, "_x005F_", 7); /* the underscore itself, escaped */
        } else {
            xl_buf_add(tmp, (const char *)p, 1);
        }
    }
    return tmp->failed ? NULL : tmp->s;
}

lxw_error xl_comment(lxw_worksheet *ws, uint32_t row, uint16_t col, const char *s,
                     lxw_comment_options *opt)
{
    xl_buf tmp = {0};
    const char *w = xl_text(s, &tmp);
    lxw_error e = !w ? LXW_ERROR_MEMORY_MALLOC_FAILED
                : opt ? worksheet_write_comment_opt(ws, row, col, w, opt)
                      : worksheet_write_comment(ws, row, col, w);
    xl_buf_free(&tmp);
    return e;
}

lxw_error xl_raw_string(lxw_worksheet *ws, uint32_t row, uint16_t col, const char *s,
                        lxw_format *f)
{
    xl_buf tmp = {0};
    const char *w = xl_text(s, &tmp);
    lxw_error e = !w ? LXW_ERROR_MEMORY_MALLOC_FAILED : worksheet_write_string(ws, row, col, w, f);
    xl_buf_free(&tmp);
    return e;
}

int xl_string(xl_ctx *x, lxw_worksheet *ws, uint32_t row, uint16_t col,
              const char *s, lxw_format *f)
{
    if (!s || !*s)
        return 1;
    if (utf8_chars(s) > XL_MAX_STRING) {
        char cell[LXW_MAX_CELL_NAME_LENGTH];
        lxw_rowcol_to_cell(cell, row, col);
        xl_buf begins = {0};
        xl_buf_add_cut(&begins, s, 40);
        xl_failf(x, PB_ERR_LIMIT,
                 "sheet '%s', cell %s: a text of %zu characters is longer than Excel's "
                 "limit of %u characters a cell (it begins '%s')",
                 ws->name ? ws->name : "", cell, utf8_chars(s), XL_MAX_STRING,
                 begins.s ? begins.s : "");
        xl_buf_free(&begins);
        return 0;
    }
    lxw_error e = xl_raw_string(ws, row, col, s, f);
    if (e == LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED) {
        char cell[LXW_MAX_CELL_NAME_LENGTH];
        lxw_rowcol_to_cell(cell, row, col);
        return xl_failf(x, PB_ERR_LIMIT,
                        "sheet '%s', cell %s: a text of %zu characters holds characters "
                        "written in Excel's _xHHHH_ form, and so written is longer than "
                        "libxlsxwriter's limit of %u characters a cell",
                        ws->name ? ws->name : "", cell, utf8_chars(s), XL_MAX_STRING);
    }
    return e == LXW_NO_ERROR ? 1 : xl_fail(x, e, "writing a text cell");
}

char *xl_plain(char *s)
{
    for (unsigned char *p = (unsigned char *)s; p && *p; p++) {
        if (*p < 0x20 && *p != '\t' && *p != '\n')
            *p = ' ';
        else if (*p == 0xEF && p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF))
            p[2] = 0xBD; /* U+FFFD */
    }
    return s;
}

void xl_fit(char *buf, size_t cap, int n)
{
    if (n < 0 || (size_t)n < cap || cap < 4)
        return;
    /* cut: back to the start of a character, leaving room for "..." */
    size_t end = cap - 4;
    while (end && ((unsigned char)buf[end] & 0xC0) == 0x80)
        end--;
    memcpy(buf + end, "...", 4);
}

int xl_buf_add_cut(xl_buf *b, const char *s, size_t max)
{
    size_t n = utf8_chars(s);
    if (n <= max) {
        xl_buf_add(b, s, strlen(s));
        return 0;
    }
    size_t keep = max > 3 ? max - 3 : 0, chars = 0;
    const char *p = s;
    for (; *p; p++) {
        if (((unsigned char)*p & 0xC0) != 0x80 && chars++ == keep)
            break;
    }
    xl_buf_add(b, s, (size_t)(p - s));
    xl_buf_add(b, "...", max > 3 ? 3 : max);
    return 1;
}

int xl_amount_ok(pb_amount v, int decimals)
{
    (void)decimals;
    /* Excel keeps 15 significant digits: the scaled integer must fit. */
    return v > -1000000000000000LL && v < 1000000000000000LL;
}

double xl_amount_double(pb_amount v, int decimals)
{
    static const double p10[PB_MAX_DECIMALS + 1] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6};
    /* v has at most 15 digits, so v and the quotient are the doubles nearest
     * to the exact values. */
    return (double)v / p10[decimals];
}

void xl_cell_ref(const char *sheet, uint32_t row, uint16_t col, int absolute,
                 char *buf, size_t cap)
{
    char cell[LXW_MAX_CELL_NAME_LENGTH];
    if (absolute)
        lxw_rowcol_to_cell_abs(cell, row, col, 1, 1);
    else
        lxw_rowcol_to_cell(cell, row, col);
    /* sheet names never hold an apostrophe at either end; inner ones are doubled */
    size_t len = 0;
    if (cap < 4)
        return;
    buf[len++] = '\'';
    for (const char *p = sheet; *p && len + 3 < cap; p++) {
        if (*p == '\'')
            buf[len++] = '\'';
        buf[len++] = *p;
    }
    snprintf(buf + len, cap - len, "'!%s", cell);
}

/* ======================================================== sheet names */

/* Next code point of UTF-8 text, folded to lower case for the scripts
 * sheet names are written in (Latin, Greek, Cyrillic); Excel compares
 * sheet names without regard to case. */
static uint32_t next_folded(const unsigned char **p)
{
    const unsigned char *s = *p;
    uint32_t c = *s++;
    if (c >= 0xC0 && c < 0xE0 && (*s & 0xC0) == 0x80)
        c = ((c & 0x1F) << 6) | (*s++ & 0x3F);
    else if (c >= 0xE0 && c < 0xF0 && (s[0] & 0xC0) == 0x80 && (s[1] & 0xC0) == 0x80) {
        c = ((c & 0x0F) << 12) | ((uint32_t)(s[0] & 0x3F) << 6) | (s[1] & 0x3F);
        s += 2;
    } else if (c >= 0xF0 && (s[0] & 0xC0) == 0x80 && (s[1] & 0xC0) == 0x80 &&
               (s[2] & 0xC0) == 0x80) {
        c = ((c & 0x07) << 18) | ((uint32_t)(s[0] & 0x3F) << 12) |
            ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
        s += 3;
    }
    *p = s;
    if (c >= 'A' && c <= 'Z')
        return c + 32;
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
        return c + 32;
    if (c >= 0x100 && c <= 0x17F && c != 0x130 && c != 0x131 && c != 0x138 && c != 0x149 &&
        c != 0x17F) {
        /* Latin Extended-A pairs: even/odd, but 0x139-0x148 and 0x179-0x17E odd/even */
        if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
            return (c & 1) ? c + 1 : c;
        return (c & 1) ? c : c + 1;
    }
    if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2)
        return c + 32;
    if (c >= 0x410 && c <= 0x42F)
        return c + 32;
    if (c >= 0x400 && c <= 0x40F)
        return c + 80;
    return c;
}

static int same_name(const char *a, const char *b)
{
    const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
    while (*p && *q)
        if (next_folded(&p) != next_folded(&q))
            return 0;
    return !*p && !*q;
}

static int name_taken(xl_ctx *x, const char *name)
{
    for (size_t i = 0; i < x->nsheets_used; i++)
        if (same_name(x->used_names[i], name))
            return 1;
    return same_name(name, "History");
}

/* Truncate UTF-8 text to at most n characters, in place. */
static void utf8_truncate(char *s, size_t n)
{
    size_t chars = 0;
    for (char *p = s; *p; p++) {
        if (((unsigned char)*p & 0xC0) != 0x80) {
            if (chars == n) {
                *p = '\0';
                return;
            }
            chars++;
        }
    }
}

static void trim(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\''))
        s[--n] = '\0';
    size_t k = 0;
    while (s[k] == ' ' || s[k] == '\'')
        k++;
    memmove(s, s + k, n - k + 1);
}

/* A valid, unique sheet name from a wish (a title), else the fallback. */
static char *sheet_name(xl_ctx *x, const char *wish, const char *fallback)
{
    char base[200];
    size_t len = 0;
    for (const char *p = wish ? wish : ""; *p && len + 5 < sizeof base; p++) {
        char c = *p;
        if ((unsigned char)c == 0xEF && (unsigned char)p[1] == 0xBF &&
            ((unsigned char)p[2] == 0xBE || (unsigned char)p[2] == 0xBF)) {
            c = ' '; /* U+FFFE, U+FFFF: not XML */
            p += 2;
        }
        if (c == '[' || c == ']' || c == ':' || c == '*' || c == '?' || c == '/' ||
            c == '\\' || (unsigned char)c < 0x20)
            c = ' ';
        if (c == ' ' && len && base[len - 1] == ' ')
            continue;
        base[len++] = c;
    }
    base[len] = '\0';
    trim(base);
    if (!base[0])
        snprintf(base, sizeof base, "%s", fallback);
    utf8_truncate(base, 31);
    trim(base);
    char name[240];
    snprintf(name, sizeof name, "%s", base);
    for (int k = 2; name_taken(x, name) && k < 100000; k++) {
        char suffix[16];
        snprintf(suffix, sizeof suffix, " (%d)", k);
        char shorter[200];
        snprintf(shorter, sizeof shorter, "%s", base);
        utf8_truncate(shorter, 31 - strlen(suffix));
        trim(shorter);
        snprintf(name, sizeof name, "%s%s", shorter, suffix);
    }
    char *copy = pb_strdup(name);
    char **used = realloc(x->used_names, (x->nsheets_used + 1) * sizeof *used);
    if (!copy || !used) {
        free(copy);
        if (used)
            x->used_names = used;
        xl_failf(x, PB_ERR_NOMEM, "out of memory");
        return NULL;
    }
    x->used_names = used;
    x->used_names[x->nsheets_used++] = copy;
    return copy;
}

/* ============================================================ formats */

static lxw_format *fmt(xl_ctx *x)
{
    lxw_format *f = workbook_add_format(x->wb);
    if (!f)
        xl_failf(x, PB_ERR_NOMEM, "out of memory");
    return f;
}

static int make_formats(xl_ctx *x)
{
    if (!(x->title = fmt(x)) || !(x->subtitle = fmt(x)) || !(x->head = fmt(x)) ||
        !(x->head_left = fmt(x)) || !(x->phase = fmt(x)) || !(x->text = fmt(x)) ||
        !(x->bold = fmt(x)) || !(x->link = fmt(x)) || !(x->wrap = fmt(x)))
        return 0;
    format_set_bold(x->title);
    format_set_font_size(x->title, 14);
    format_set_italic(x->subtitle);
    format_set_font_color(x->subtitle, 0x595959);
    format_set_bold(x->head);
    format_set_align(x->head, LXW_ALIGN_RIGHT);
    format_set_text_wrap(x->head);
    format_set_align(x->head, LXW_ALIGN_VERTICAL_BOTTOM);
    format_set_bold(x->head_left);
    format_set_align(x->head_left, LXW_ALIGN_VERTICAL_BOTTOM);
    format_set_align(x->phase, LXW_ALIGN_RIGHT);
    format_set_italic(x->phase);
    format_set_bottom(x->phase, LXW_BORDER_THIN);
    format_set_text_wrap(x->phase);
    format_set_align(x->phase, LXW_ALIGN_VERTICAL_BOTTOM);
    format_set_bold(x->bold);
    format_set_underline(x->link, LXW_UNDERLINE_SINGLE);
    format_set_font_color(x->link, LXW_COLOR_BLUE);
    format_set_text_wrap(x->wrap);
    format_set_align(x->wrap, LXW_ALIGN_VERTICAL_TOP);
    if (!(x->dash_text = fmt(x)) || !(x->dash_status = fmt(x)))
        return 0;
    format_set_align(x->dash_text, LXW_ALIGN_RIGHT);
    format_set_font_color(x->dash_text, 0x595959);
    format_set_bold(x->dash_status);
    /* RAG fills: green, amber, red (with dark text, readable in grey) */
    static const lxw_color_t fill[3] = {0xC6EFCE, 0xFFEB9C, 0xFFC7CE};
    static const lxw_color_t ink[3] = {0x006100, 0x9C5700, 0x9C0006};
    for (int r = 0; r < 3; r++) {
        if (!(x->dash_fill[r] = fmt(x)))
            return 0;
        format_set_bg_color(x->dash_fill[r], fill[r]);
        format_set_font_color(x->dash_fill[r], ink[r]);
    }
    for (int r = 0; r < 4; r++) {
        if (!(x->heat_fmt[r] = fmt(x)))
            return 0;
        format_set_align(x->heat_fmt[r], LXW_ALIGN_CENTER);
        format_set_border(x->heat_fmt[r], LXW_BORDER_THIN);
        if (r) {
            format_set_bg_color(x->heat_fmt[r], fill[r - 1]);
            format_set_font_color(x->heat_fmt[r], ink[r - 1]);
            format_set_bold(x->heat_fmt[r]);
        }
    }
    if (!(x->date_fmt = fmt(x)))
        return 0;
    format_set_num_format(x->date_fmt, "d mmm yyyy");
    for (int d = 0; d <= PB_MAX_DECIMALS; d++) {
        char zeros[8] = "";
        for (int k = 0; k < d; k++)
            zeros[k] = '0';
        zeros[d] = '\0';
        const char *dot = d ? "." : "";
        char nf[96], nil[96];
        /* £'000 with separators, negatives in parentheses, zero as 0 */
        snprintf(nf, sizeof nf, "#,##0%s%s;(#,##0%s%s);0%s%s", dot, zeros, dot, zeros, dot,
                 zeros);
        snprintf(nil, sizeof nil, "#,##0%s%s;(#,##0%s%s);\"-\"", dot, zeros, dot, zeros);
        for (int k = 0; k < XL_NUM_KINDS; k++) {
            lxw_format *f = fmt(x);
            if (!f)
                return 0;
            format_set_num_format(f, k == XL_NUM_NIL ? nil : nf);
            if (k == XL_NUM_TOTAL || k == XL_NUM_MISMATCH) {
                format_set_bold(f);
                format_set_top(f, LXW_BORDER_THIN);
            }
            if (k == XL_NUM_MISMATCH) {
                format_set_bg_color(f, 0xFDE2E1);
                format_set_font_color(f, 0x9C0006);
            }
            x->num[d][k] = f;
        }
    }
    for (int i = 0; i <= XL_MAX_INDENT; i++)
        for (int b = 0; b < 2; b++) {
            lxw_format *f = fmt(x);
            if (!f)
                return 0;
            if (i)
                format_set_indent(f, (uint8_t)i);
            if (b)
                format_set_bold(f);
            x->label[i][b] = f;
        }
    return 1;
}

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

static int contents_sheet(xl_ctx *x, lxw_worksheet *ws, const char *findings_sheet)
{
    uint32_t row = 0;
    const char *title = A->pb_plan_meta(x->plan, PB_META_TITLE);
    if (!xl_string(x, ws, row++, 0, title ? title : "Plan", x->title))
        return 0;
    static const pb_meta_key keys[] = {PB_META_ORGANISATION, PB_META_DIRECTORATE,
                                       PB_META_SERVICE,      PB_META_PERIOD,
                                       PB_META_STATUS,       PB_META_VERSION,
                                       PB_META_OWNER,        PB_META_SOURCE};
    static const char *const names[] = {"Organisation", "Directorate", "Service", "Period",
                                        "Status",       "Version",     "Owner",   "Source"};
    row++;
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        const char *v = A->pb_plan_meta(x->plan, keys[k]);
        if (!v)
            continue;
        if (!xl_string(x, ws, row, 0, names[k], x->bold) || !xl_string(x, ws, row, 1, v, x->wrap))
            return 0;
        row++;
    }
    size_t nerr = 0, nwarn = 0;
    for (size_t i = 0; i < x->findings.count; i++)
        nerr += x->findings.items[i].severity == PB_SEV_ERROR,
            nwarn += x->findings.items[i].severity == PB_SEV_WARNING;
    char buf[256];
    row++;
    if (!xl_string(x, ws, row, 0, "Check findings", x->bold))
        return 0;
    snprintf(buf, sizeof buf, "%zu error%s, %zu warning%s (see the %s sheet)", nerr,
             nerr == 1 ? "" : "s", nwarn, nwarn == 1 ? "" : "s", findings_sheet);
    char url[300];
    xl_cell_ref(findings_sheet, 0, 0, 0, url + 9, sizeof url - 9);
    memcpy(url, "internal:", 9);
    lxw_error e = worksheet_write_url_opt(ws, row++, 1, url, x->link, buf, NULL);
    if (e)
        return xl_fail(x, e, "writing a link");
    row++;
    if (!xl_string(x, ws, row++, 0, "Sheets", x->title))
        return 0;
    size_t nt = A->pb_plan_table_count(x->plan);
    for (size_t t = 0; t < nt; t++) {
        const pb_table *tb = A->pb_plan_table(x->plan, t);
        const char *tt = A->pb_table_text(tb, PB_TABLE_TITLE);
        xl_cell_ref(x->sheet_names[t], 0, 0, 0, url + 9, sizeof url - 9);
        e = worksheet_write_url_opt(ws, row, 0, url, x->link, x->sheet_names[t], NULL);
        if (e)
            return xl_fail(x, e, "writing a link");
        if (tt && !xl_string(x, ws, row, 1, tt, NULL))
            return 0;
        row++;
    }
    size_t nd = A->pb_plan_indset_count(x->plan);
    for (size_t d = 0; d < nd; d++) {
        const pb_indset *s = A->pb_plan_indset(x->plan, d);
        const char *tt = A->pb_indset_text(s, PB_INDSET_TITLE);
        xl_cell_ref(x->dash_names[d], 0, 0, 0, url + 9, sizeof url - 9);
        e = worksheet_write_url_opt(ws, row, 0, url, x->link, x->dash_names[d], NULL);
        if (e)
            return xl_fail(x, e, "writing a link");
        if (tt && !xl_string(x, ws, row, 1, tt, NULL))
            return 0;
        row++;
    }
    size_t nreg = A->pb_plan_register_count(x->plan), ncol = A->pb_plan_collection_count(x->plan);
    for (size_t k = 0; k < nreg + nreg + ncol; k++) {
        const char *name = k < nreg ? x->reg_names[k]
                           : k < 2 * nreg ? x->heat_names[k - nreg]
                                          : x->coll_names[k - 2 * nreg];
        const char *tt = k < nreg ? A->pb_register_text(A->pb_plan_register(x->plan, k),
                                                       PB_REG_TITLE)
                         : k < 2 * nreg ? "Heat map of the risk scores"
                                        : A->pb_collection_text(
                                              A->pb_plan_collection(x->plan, k - 2 * nreg),
                                              PB_COLL_TITLE);
        xl_cell_ref(name, 0, 0, 0, url + 9, sizeof url - 9);
        e = worksheet_write_url_opt(ws, row, 0, url, x->link, name, NULL);
        if (e)
            return xl_fail(x, e, "writing a link");
        if (tt && !xl_string(x, ws, row, 1, tt, NULL))
            return 0;
        row++;
    }
    if (nd) {
        row++;
        if (!xl_string(x, ws, row++, 0, "Dashboards", x->title))
            return 0;
        for (size_t d = 0; d < nd; d++) {
            pb_indset *s = A->pb_plan_indset(x->plan, d);
            uint32_t k = A->pb_indset_report_period(s);
            size_t n = A->pb_indset_count(s);
            size_t cnt[4] = {0}, better = 0, worse = 0, measures = 0;
            if (k != PB_NONE && n) {
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
                A->pb_period_format(A->pb_indset_period(s, k), A->pb_plan_year_start(x->plan),
                                    per);
                snprintf(buf, sizeof buf,
                         "at %s: %zu measures; %zu red, %zu amber, %zu green, %zu without RAG; "
                         "%zu better than last, %zu worse",
                         per, measures, cnt[3], cnt[2], cnt[1], cnt[0], better, worse);
            } else
                snprintf(buf, sizeof buf, "no figures yet");
            if (!xl_string(x, ws, row, 0, x->dash_names[d], x->bold) ||
                !xl_string(x, ws, row, 1, buf, x->wrap))
                return 0;
            row++;
        }
    }
    row++;
    if (!xl_string(x, ws, row++, 0, "Headline figures", x->title))
        return 0;
    for (size_t t = 0; t < nt; t++) {
        pb_table *tb = A->pb_plan_table(x->plan, t);
        int64_t g = grand_total(x, tb);
        if (g < 0)
            continue;
        if (A->pb_table_compute(tb, x->err))
            return 0;
        xl_fit(buf, sizeof buf,
               snprintf(buf, sizeof buf, "%s: %s", x->sheet_names[t],
                        A->pb_row_label(tb, (size_t)g) ? A->pb_row_label(tb, (size_t)g)
                                                       : "Total"));
        if (!xl_string(x, ws, row++, 0, buf, x->bold))
            return 0;
        for (size_t c = 0; c < A->pb_table_column_count(tb); c++) {
            if (A->pb_column_type_of(tb, c) != PB_COL_AMOUNT)
                continue;
            char hb[200];
            if (!xl_string(x, ws, row, 0, column_heading(x, tb, c, hb, sizeof hb),
                           x->label[1][0]))
                return 0;
            int d = A->pb_column_decimals(tb, c);
            pb_amount v, printed;
            pb_computed_state cs = A->pb_cell_computed(tb, (size_t)g, c, &v);
            pb_cell_state ps = A->pb_cell_get(tb, (size_t)g, c, &printed);
            int flip = A->pb_table_income_sign(tb) < 0 &&
                       A->pb_row_effective_role(tb, (size_t)g) == PB_ROLE_INCOME;
            if (cs == PB_COMP_VALUE)
                v = flip ? -v : v;
            else if (ps == PB_CELL_VALUE)
                v = printed;
            else
                v = 0;
            char ref[LXW_MAX_FORMULA_RANGE_LENGTH + 8];
            xl_cell_ref(x->sheet_names[t], XL_FIRST_DATA_ROW + (uint32_t)g, (uint16_t)(c + 1), 0,
                        ref + 1, sizeof ref - 1);
            ref[0] = '=';
            e = worksheet_write_formula_num(ws, row, 1, ref, x->num[d][XL_NUM_PLAIN],
                                            x->cached && xl_amount_ok(v, d)
                                                ? xl_amount_double(v, d)
                                                : 0);
            if (e)
                return xl_fail(x, e, "writing a formula");
            row++;
        }
    }
    worksheet_set_column(ws, 0, 0, 40, NULL);
    worksheet_set_column(ws, 1, 1, 60, NULL);
    worksheet_set_landscape(ws);
    worksheet_fit_to_pages(ws, 1, 0);
    worksheet_print_area(ws, 0, 0, row ? row - 1 : 0, 1);
    return 1;
}

/* ====================================================== findings sheet */

static int findings_sheet(xl_ctx *x, lxw_worksheet *ws)
{
    static const char *const heads[] = {"Severity", "Code",     "Table",      "Row",
                                        "Column",   "Printed",  "Computed",   "Difference",
                                        "Message",  "Go to cell"};
    if (!xl_string(x, ws, 0, 0, "Check findings", x->title))
        return 0;
    if (!xl_string(x, ws, 1, 0,
                   "Every place where a printed figure disagrees with the arithmetic "
                   "(printed figures as in the source; computed from the lines).",
                   x->subtitle))
        return 0;
    for (uint16_t c = 0; c < 10; c++)
        if (!xl_string(x, ws, 3, c, heads[c], x->head_left))
            return 0;
    worksheet_freeze_panes(ws, 4, 0);
    uint32_t row = 4;
    for (size_t i = 0; i < x->findings.count; i++, row++) {
        const pb_finding *f = &x->findings.items[i];
        const pb_table *t = f->table != PB_NONE && f->part == PB_PART_BUDGETS
                                ? A->pb_plan_table(x->plan, f->table)
                                : NULL;
        if (!xl_string(x, ws, row, 0, A->pb_severity_name((pb_severity)f->severity), NULL) ||
            !xl_string(x, ws, row, 1, A->pb_finding_code_name((pb_finding_code)f->code), NULL))
            return 0;
        if (f->part == PB_PART_RISKS && f->table < A->pb_plan_register_count(x->plan)) {
            const pb_register *g = A->pb_plan_register(x->plan, f->table);
            if (!xl_string(x, ws, row, 2, A->pb_register_id(g), NULL) ||
                (f->row < A->pb_register_count(g) &&
                 !xl_string(x, ws, row, 3, A->pb_risk_text(g, f->row, PB_RISK_ID), NULL)) ||
                (f->column < PB_SCORE_KIND_COUNT &&
                 !xl_string(x, ws, row, 4, A->pb_score_kind_name((pb_score_kind)f->column),
                            NULL)))
                return 0;
        }
        if (f->part == PB_PART_INDICATORS && f->table < A->pb_plan_indset_count(x->plan)) {
            const pb_indset *s = A->pb_plan_indset(x->plan, f->table);
            const char *dn = x->dash_names[f->table];
            uint32_t m = f->row;
            if (m != PB_NONE && A->pb_ind_parent(s, m) != PB_NONE)
                m = A->pb_ind_parent(s, m);
            if (!xl_string(x, ws, row, 2, dn, NULL) ||
                (m != PB_NONE && !xl_string(x, ws, row, 3, A->pb_ind_text(s, m, PB_IND_REF), NULL)))
                return 0;
            if (f->column != PB_NONE && f->column < A->pb_indset_period_count(s)) {
                char per[PB_PERIOD_TEXT_MAX];
                A->pb_period_format(A->pb_indset_period(s, f->column),
                                    A->pb_plan_year_start(x->plan), per);
                if (!xl_string(x, ws, row, 4, per, NULL))
                    return 0;
            }
            if (f->row != PB_NONE) {
                char url[300], cell[LXW_MAX_CELL_NAME_LENGTH];
                uint16_t col = f->column != PB_NONE ? xl_dashboard_col(f->column) : 1;
                xl_cell_ref(dn, xl_dashboard_row(f->row), col, 0, url + 9, sizeof url - 9);
                memcpy(url, "internal:", 9);
                lxw_rowcol_to_cell(cell, xl_dashboard_row(f->row), col);
                char text[400];
                snprintf(text, sizeof text, "%s!%s", dn, cell);
                lxw_error e = worksheet_write_url_opt(ws, row, 9, url, x->link, text, NULL);
                if (e)
                    return xl_fail(x, e, "writing a link");
            }
        }
        if (t) {
            if (!xl_string(x, ws, row, 2, x->sheet_names[f->table], NULL))
                return 0;
            if (f->row != PB_NONE && !xl_string(x, ws, row, 3, A->pb_row_label(t, f->row), NULL))
                return 0;
            if (f->column != PB_NONE && !xl_string(x, ws, row, 4, A->pb_column_id(t, f->column), NULL))
                return 0;
        }
        if (f->has_values) {
            int d = f->decimals;
            pb_amount vals[3] = {f->declared, f->computed, f->difference};
            for (int k = 0; k < 3; k++) {
                if (!xl_amount_ok(vals[k], d))
                    continue;
                lxw_error e = worksheet_write_number(ws, row, (uint16_t)(5 + k),
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
        int ok = xl_string(x, ws, row, 8, msg, NULL);
        free(msg);
        if (!ok)
            return 0;
        if (t && f->row != PB_NONE && f->column != PB_NONE) {
            char url[300], cell[LXW_MAX_CELL_NAME_LENGTH];
            xl_cell_ref(x->sheet_names[f->table], XL_FIRST_DATA_ROW + f->row,
                        (uint16_t)(f->column + 1), 0, url + 9, sizeof url - 9);
            memcpy(url, "internal:", 9);
            lxw_rowcol_to_cell(cell, XL_FIRST_DATA_ROW + f->row, (uint16_t)(f->column + 1));
            char text[400];
            snprintf(text, sizeof text, "%s!%s", x->sheet_names[f->table], cell);
            lxw_error e = worksheet_write_url_opt(ws, row, 9, url, x->link, text, NULL);
            if (e)
                return xl_fail(x, e, "writing a link");
        }
    }
    if (!x->findings.count &&
        !xl_string(x, ws, row, 0, "No findings: every printed figure agrees with the arithmetic.",
                   NULL))
        return 0;
    static const double widths[] = {9, 10, 28, 40, 14, 12, 12, 12, 90, 28};
    for (uint16_t c = 0; c < 10; c++)
        worksheet_set_column(ws, c, c, widths[c], NULL);
    worksheet_set_landscape(ws);
    worksheet_fit_to_pages(ws, 1, 0);
    return 1;
}

/* ============================================================ workbook */

/* Document properties are XML text that Excel does not unescape: the
 * characters XML forbids become spaces there (the plan keeps them: they
 * are written, escaped, in the cells). */
static char *plain(const char *s)
{
    if (!s)
        return NULL;
    char *c = pb_strdup(s);
    if (c)
        xl_plain(c);
    return c;
}

static void set_properties(xl_ctx *x)
{
    lxw_doc_properties p;
    memset(&p, 0, sizeof p);
    char *v[6];
    p.title = v[0] = plain(A->pb_plan_meta(x->plan, PB_META_TITLE));
    p.subject = v[1] = plain(A->pb_plan_meta(x->plan, PB_META_DIRECTORATE)
                                 ? A->pb_plan_meta(x->plan, PB_META_DIRECTORATE)
                                 : A->pb_plan_meta(x->plan, PB_META_SERVICE));
    p.author = v[2] = plain(A->pb_plan_meta(x->plan, PB_META_OWNER));
    p.company = v[3] = plain(A->pb_plan_meta(x->plan, PB_META_ORGANISATION));
    p.comments = v[4] = plain(A->pb_plan_meta(x->plan, PB_META_SOURCE));
    p.status = v[5] = plain(A->pb_plan_meta(x->plan, PB_META_STATUS));
    p.keywords = "planbook, business plan, budget";
    p.category = "Business plan";
    workbook_set_properties(x->wb, &p); /* copies the strings */
    for (int i = 0; i < 6; i++)
        free(v[i]);
}

/* Defined names for the sheets of indicator sets, registers, heat maps
 * and collections: the reader finds each part's sheet by them (a sheet
 * renamed in a spreadsheet keeps its names). */
static int part_names(xl_ctx *x)
{
    pb_plan *p = x->plan;
    for (size_t d = 0; d < A->pb_plan_indset_count(p); d++)
        if (!xl_define_sheet_name(x, "ind_", A->pb_indset_id(A->pb_plan_indset(p, d)),
                                  x->dash_names[d]))
            return 0;
    for (size_t k = 0; k < A->pb_plan_register_count(p); k++) {
        const char *id = A->pb_register_id(A->pb_plan_register(p, k));
        if (!xl_define_sheet_name(x, "reg_", id, x->reg_names[k]) ||
            !xl_define_sheet_name(x, "heat_", id, x->heat_names[k]))
            return 0;
    }
    for (size_t k = 0; k < A->pb_plan_collection_count(p); k++)
        if (!xl_define_sheet_name(x, "rec_", A->pb_collection_id(A->pb_plan_collection(p, k)),
                                  x->coll_names[k]))
            return 0;
    return 1;
}

static void ctx_free(xl_ctx *x)
{
    for (size_t i = 0; i < x->nsheets_used; i++)
        free(x->used_names[i]);
    free(x->used_names);
    for (size_t i = 0; i < x->ndefined; i++)
        free(x->defined[i]);
    free(x->defined);
    free(x->sheet_names);
    free(x->table_names);
    free(x->part_names);
    free(x->sheets);
    free(x->dash_names);
    free(x->dash_sheets);
    free(x->reg_names);
    free(x->heat_names);
    free(x->coll_names);
    free(x->reg_sheets);
    free(x->heat_sheets);
    free(x->coll_sheets);
    A->pb_findings_free(&x->findings);
}

/* ============================================ temporary files and errno */

/* In constant-memory mode libxlsxwriter (1.1.4, and 1.2.x when it does not
 * use memory streams) opens one temporary file per worksheet, unlinked at
 * once, and closes it only when it copies that sheet into the package (and
 * never for a sheet without cells).  A workbook_close() that fails first (a
 * full disk, a folder it may not write) returns with the rest still open:
 * their space stays taken until the process ends.  So each is recorded
 * before workbook_close() (its FILE, descriptor and inode) and, afterwards,
 * one whose descriptor still holds the same unlinked inode was not closed
 * by the library and is closed here.  A descriptor the library did close is
 * closed or reused for another file (another inode, or one with a name);
 * the Python binding holds the GIL, so no other planbook save runs
 * meanwhile.  On Windows the library's files are deleted on close and
 * inodes cannot be compared: nothing is done there. */
typedef struct xl_tmpref {
    FILE *f;
    pb_file_id id;
} xl_tmpref;

typedef struct xl_tmpfiles {
    xl_tmpref *refs;
    size_t n;
    int flush_errno;        /* a flush that failed: why */
    int lost;               /* a write failed earlier (the stream's error flag) */
    long long largest;      /* the largest sheet's temporary file, bytes */
    long long free_before;  /* free bytes in their folder before packaging; -1 unknown */
} xl_tmpfiles;

/* A system error that explains a failed save (reported by its errno). */
static int io_errno(int e)
{
    return e == ENOSPC || e == EIO || e == EFBIG ||
#ifdef EDQUOT
           e == EDQUOT ||
#endif
           e == EACCES || e == EPERM || e == EROFS || e == ENOENT || e == ENOTDIR ||
           e == EMFILE || e == ENFILE || e == ENAMETOOLONG;
}

/* An error only a failing write gives (errno may hold an older one). */
static int write_errno(int e)
{
    return e == ENOSPC || e == EIO || e == EFBIG
#ifdef EDQUOT
           || e == EDQUOT
#endif
        ;
}

/* Record the worksheets' temporary files and flush each (a write that
 * failed on a full disk is retried here; if it fails again, flush_errno
 * says why).  Returns 0 when out of memory. */
static int tmpfiles_record(lxw_workbook *wb, xl_tmpfiles *t)
{
    size_t cap = 0;
    lxw_worksheet *ws;
    memset(t, 0, sizeof *t);
    t->free_before = -1;
    STAILQ_FOREACH(ws, wb->worksheets, list_pointers)
    {
        if (!ws->optimize_tmpfile)
            continue;
        errno = 0;
        if (fflush(ws->optimize_tmpfile) != 0 && !t->flush_errno)
            t->flush_errno = errno ? errno : EIO;
        if (ferror(ws->optimize_tmpfile))
            t->lost = 1;
        pb_file_id id;
        if (pb_file_stat(ws->optimize_tmpfile, &id)) /* a memory stream; or Windows */
            continue;
        if (t->n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            xl_tmpref *nr = realloc(t->refs, ncap * sizeof *t->refs);
            if (!nr)
                return 0;
            t->refs = nr;
            cap = ncap;
        }
        t->refs[t->n].f = ws->optimize_tmpfile;
        t->refs[t->n].id = id;
        t->n++;
        if (id.size > t->largest)
            t->largest = id.size;
        if (t->free_before < 0)
            t->free_before = pb_file_free_space(&id);
    }
    return 1;
}

/* After workbook_close(): close what the library left open. */
static void tmpfiles_close_left(xl_tmpfiles *t)
{
    int saved = errno;
    for (size_t k = 0; k < t->n; k++)
        if (pb_file_is_deleted(&t->refs[k].id))
            fclose(t->refs[k].f);
    errno = saved;
    free(t->refs);
    t->refs = NULL;
    t->n = 0;
}

/* The package read back damaged although workbook_close() succeeded: a
 * write to one of libxlsxwriter's temporary files failed unseen (its
 * temporary-file helper resets errno, so errno cannot say).  Packaging a
 * sheet needs room for its XML (at least its row file's size) beside the
 * package written so far: with less free space than that before packaging,
 * the disk was full. */
static int tmpfiles_ran_out_of_space(const xl_tmpfiles *t, const char *path)
{
#ifndef _WIN32
    struct stat st;
    long long written = stat(path, &st) == 0 ? (long long)st.st_size : 0;
    return t->free_before >= 0 && t->free_before < t->largest + written + (1LL << 20);
#else
    (void)t;
    (void)path;
    return 0;
#endif
}

pb_status pb_xlsx_write(const pb_api *api, pb_plan *plan, const char *path,
                        const pb_xlsx_options *options, pb_error *err)
{
    xl_ctx ctx, *x = &ctx;
    memset(x, 0, sizeof *x);
    x->api = api;
    x->plan = plan;
    x->err = err;
    A->pb_error_clear(err);
    A->pb_findings_init(&x->findings);
    pb_xlsx_options opt = options ? *options : pb_xlsx_default_options();
    x->cached = opt.cached_results;

    /* libxlsxwriter prints numbers (values, column widths) with printf:
     * keep the C numeric locale while writing, for this thread only. */
    pb_c_numeric numeric;
    int ok = 0, sys_errno = 0;
    if (pb_c_numeric_begin(&numeric)) {
        xl_failf(x, PB_ERR_NOMEM, "out of memory");
        goto done;
    }

    size_t nt = A->pb_plan_table_count(plan);
    if (A->pb_plan_check(plan, &x->findings, err))
        goto done;
    x->sheet_names = calloc(nt ? nt : 1, sizeof *x->sheet_names);
    x->table_names = calloc(nt ? nt : 1, sizeof *x->table_names);
    x->sheets = calloc(nt ? nt : 1, sizeof *x->sheets);
    if (!x->sheet_names || !x->sheets || !x->table_names) {
        xl_failf(x, PB_ERR_NOMEM, "out of memory");
        goto done;
    }
    char *contents = sheet_name(x, "Contents", "Contents");
    /* reserved first, so no table takes the name the reader looks for */
    char *structure = sheet_name(x, "planbook", "planbook");
    if (!contents || !structure)
        goto done;
    for (size_t t = 0; t < nt; t++) {
        pb_table *tb = A->pb_plan_table(plan, t);
        /* the title when it fits in a sheet name, else the table's id */
        const char *title = A->pb_table_text(tb, PB_TABLE_TITLE);
        size_t chars = 0;
        for (const char *p = title ? title : ""; *p; p++)
            chars += ((unsigned char)*p & 0xC0) != 0x80;
        if (!(x->sheet_names[t] = sheet_name(x, title && chars <= 31 ? title : A->pb_table_id(tb),
                                             A->pb_table_id(tb))))
            goto done;
    }
    size_t nd = A->pb_plan_indset_count(plan);
    x->dash_names = calloc(nd ? nd : 1, sizeof *x->dash_names);
    x->dash_sheets = calloc(nd ? nd : 1, sizeof *x->dash_sheets);
    if (!x->dash_names || !x->dash_sheets) {
        xl_failf(x, PB_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t d = 0; d < nd; d++) {
        pb_indset *s = A->pb_plan_indset(plan, d);
        const char *title = A->pb_indset_text(s, PB_INDSET_TITLE);
        size_t chars = 0;
        for (const char *p = title ? title : ""; *p; p++)
            chars += ((unsigned char)*p & 0xC0) != 0x80;
        if (!(x->dash_names[d] = sheet_name(x, title && chars <= 31 ? title : A->pb_indset_id(s),
                                            A->pb_indset_id(s))))
            goto done;
    }
    size_t nreg = A->pb_plan_register_count(plan), ncol = A->pb_plan_collection_count(plan);
    x->reg_names = calloc(nreg ? nreg : 1, sizeof(char *));
    x->heat_names = calloc(nreg ? nreg : 1, sizeof(char *));
    x->reg_sheets = calloc(nreg ? nreg : 1, sizeof(lxw_worksheet *));
    x->heat_sheets = calloc(nreg ? nreg : 1, sizeof(lxw_worksheet *));
    x->coll_names = calloc(ncol ? ncol : 1, sizeof(char *));
    x->coll_sheets = calloc(ncol ? ncol : 1, sizeof(lxw_worksheet *));
    if (!x->reg_names || !x->heat_names || !x->reg_sheets || !x->heat_sheets ||
        !x->coll_names || !x->coll_sheets) {
        xl_failf(x, PB_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (size_t k = 0; k < nreg; k++) {
        pb_register *g = A->pb_plan_register(plan, k);
        const char *title = A->pb_register_text(g, PB_REG_TITLE);
        size_t chars = 0;
        for (const char *p = title ? title : ""; *p; p++)
            chars += ((unsigned char)*p & 0xC0) != 0x80;
        char heat[200];
        snprintf(heat, sizeof heat, "Heat map %s", A->pb_register_id(g));
        if (!(x->reg_names[k] = sheet_name(x, title && chars <= 31 ? title : A->pb_register_id(g),
                                           A->pb_register_id(g))) ||
            !(x->heat_names[k] = sheet_name(x, heat, "Heat map")))
            goto done;
    }
    for (size_t k = 0; k < ncol; k++) {
        pb_collection *c = A->pb_plan_collection(plan, k);
        const char *title = A->pb_collection_text(c, PB_COLL_TITLE);
        size_t chars = 0;
        for (const char *p = title ? title : ""; *p; p++)
            chars += ((unsigned char)*p & 0xC0) != 0x80;
        if (!(x->coll_names[k] = sheet_name(x, title && chars <= 31 ? title
                                                                    : A->pb_collection_id(c),
                                            A->pb_collection_id(c))))
            goto done;
    }
    char *findings = sheet_name(x, "Findings", "Findings");
    if (!findings)
        goto done;

    lxw_workbook_options wo;
    memset(&wo, 0, sizeof wo);
    wo.constant_memory = opt.constant_memory ? LXW_TRUE : LXW_FALSE;
    wo.tmpdir = (char *)opt.tmpdir;
    errno = 0;
    x->wb = workbook_new_opt(path, &wo);
    if (!x->wb) {
        if (io_errno(errno))
            sys_errno = errno;
        xl_failf(x, PB_ERR_IO, "cannot create the workbook '%s'%s%s", path,
                 sys_errno ? ": " : "", sys_errno ? strerror(sys_errno) : "");
        goto done;
    }
    if (!make_formats(x))
        goto done;
    errno = 0; /* a worksheet's temporary file that cannot be made sets it */
    lxw_worksheet *ws_contents = workbook_add_worksheet(x->wb, contents);
    for (size_t t = 0; t < nt && ws_contents; t++)
        if (!(x->sheets[t] = workbook_add_worksheet(x->wb, x->sheet_names[t])))
            break;
    for (size_t d = 0; d < nd && ws_contents && (!nt || x->sheets[nt - 1]); d++)
        if (!(x->dash_sheets[d] = workbook_add_worksheet(x->wb, x->dash_names[d])))
            break;
    int all = ws_contents && (!nt || x->sheets[nt - 1]) && (!nd || x->dash_sheets[nd - 1]);
    for (size_t k = 0; k < nreg && all; k++)
        all = (x->reg_sheets[k] = workbook_add_worksheet(x->wb, x->reg_names[k])) &&
              (x->heat_sheets[k] = workbook_add_worksheet(x->wb, x->heat_names[k]));
    for (size_t k = 0; k < ncol && all; k++)
        all = (x->coll_sheets[k] = workbook_add_worksheet(x->wb, x->coll_names[k])) != NULL;
    lxw_worksheet *ws_findings = all ? workbook_add_worksheet(x->wb, findings) : NULL;
    lxw_worksheet *ws_structure = ws_findings ? workbook_add_worksheet(x->wb, structure) : NULL;
    if (!all || !ws_findings || !ws_structure) {
        if (io_errno(errno)) {
            sys_errno = errno;
            xl_failf(x, PB_ERR_IO, "cannot create a temporary file for a worksheet in '%s': %s",
                     opt.tmpdir ? opt.tmpdir : "the system's temporary folder",
                     strerror(sys_errno));
        } else
            xl_failf(x, PB_ERR_NOMEM, "cannot add a worksheet");
        goto done;
    }
    if (!contents_sheet(x, ws_contents, findings))
        goto done;
    for (size_t t = 0; t < nt; t++)
        if (!xl_budget_sheet(x, t))
            goto done;
    for (size_t d = 0; d < nd; d++)
        if (!xl_dashboard_sheet(x, d, x->dash_sheets[d]))
            goto done;
    for (size_t k = 0; k < nreg; k++)
        if (!xl_register_sheet(x, k, x->reg_sheets[k], x->heat_sheets[k]))
            goto done;
    for (size_t k = 0; k < ncol; k++)
        if (!xl_record_sheet(x, k, x->coll_sheets[k]))
            goto done;
    if (!findings_sheet(x, ws_findings))
        goto done;
    if (!part_names(x) ||
        !xl_structure_sheet(x, ws_structure, opt.structure_yaml, opt.structure_len))
        goto done;
    set_properties(x);
    ok = 1;
done:
    if (x->wb) {
        /* a failed write of a sheet's rows left its errno (libxlsxwriter
         * ignores it; only failing calls set errno, and write_errno() values
         * only failing writes) */
        int rows_errno = errno;
        xl_tmpfiles tmp;
        if (!tmpfiles_record(x->wb, &tmp))
            ok = xl_failf(x, PB_ERR_NOMEM, "out of memory");
        if (ok && (tmp.flush_errno || tmp.lost)) {
            sys_errno = tmp.flush_errno ? tmp.flush_errno
                                        : write_errno(rows_errno) ? rows_errno : 0;
            ok = xl_failf(x, PB_ERR_IO, "writing a temporary file of the workbook failed%s%s",
                          sys_errno ? ": " : " (data was lost)",
                          sys_errno ? strerror(sys_errno) : "");
        }
        errno = 0;
        lxw_error e = workbook_close(x->wb);
        int close_errno = errno;
        x->wb = NULL;
        tmpfiles_close_left(&tmp);
        if (ok && e != LXW_NO_ERROR) {
            if (io_errno(close_errno)) {
                sys_errno = close_errno;
                ok = xl_failf(x, PB_ERR_IO, "writing the workbook failed: %s",
                              strerror(close_errno));
            } else
                ok = xl_fail(x, e, "writing the workbook failed");
        }
        /* libxlsxwriter does not check its writes to temporary files: read
         * the package back before anyone relies on it */
        char why[300];
        if (ok && !xl_verify_package(path, why, sizeof why)) {
            if (write_errno(close_errno) || tmpfiles_ran_out_of_space(&tmp, path)) {
                sys_errno = write_errno(close_errno) ? close_errno : ENOSPC;
                ok = xl_failf(x, PB_ERR_IO, "writing the workbook failed: %s (%s)",
                              strerror(sys_errno), why);
            } else
                ok = xl_failf(x, PB_ERR_IO, "the workbook was damaged while it was "
                                            "written: %s", why);
        }
    }
    pb_c_numeric_end(&numeric);
    ctx_free(x);
    if (!ok && err->status == PB_OK)
        A->pb_error_set(err, PB_ERR_IO, "writing the workbook failed");
    /* the system's reason, for callers that map it (docs in pb_xlsx.h) */
    errno = ok ? 0 : sys_errno;
    return ok ? PB_OK : err->status;
}
