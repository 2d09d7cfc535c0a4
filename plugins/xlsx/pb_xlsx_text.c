/* pb_xlsx_text.c - what every sheet writer uses: a growable string, the
 * errors, the one escaping of cell text, text and number cells checked
 * against Excel's limits, cut labels, quoted cell references, internal
 * links and the conditional formats that colour a cell by its word. */
#include "pb_xlsx_private.h"
#include "pb_platform.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ======================================================= text buffers */

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

char *xl_keep_copy(xl_ctx *x, char ***items, size_t *n, const char *s)
{
    char *copy = pb_strdup(s);
    char **grown = realloc(*items, (*n + 1) * sizeof *grown);
    if (grown)
        *items = grown;
    if (!copy || !grown) {
        free(copy);
        xl_failf(x, PB_ERR_NOMEM, "out of memory");
        return NULL;
    }
    (*items)[(*n)++] = copy;
    return copy;
}

/* ============================================================= errors */

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

int xl_in(xl_ctx *x, const char *fmt, ...)
{
    if (x->err->status == PB_OK)
        return 0;
    char what[400], msg[sizeof x->err->message + sizeof what + 2];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    /* "set 'a', measure 'b'" before "field 'c': ..." joins with a comma */
    snprintf(msg, sizeof msg, "%s%s%s", what,
             strncmp(x->err->message, "field '", 7) ? ": " : ", ", x->err->message);
    size_t n = strlen(msg);
    if (n >= sizeof x->err->message) /* cut between characters */
        for (n = sizeof x->err->message - 1; n && ((unsigned char)msg[n] & 0xC0) == 0x80; n--)
            ;
    memcpy(x->err->message, msg, n);
    x->err->message[n] = '\0';
    return 0;
}

int xl_fail(xl_ctx *x, lxw_error e, const char *what)
{
    pb_status st = e == LXW_ERROR_MEMORY_MALLOC_FAILED ? PB_ERR_NOMEM : PB_ERR_IO;
    return xl_failf(x, st, "%s: %s", what, lxw_strerror(e));
}

size_t xl_chars(const char *s)
{
    size_t n = 0;
    for (; s && *s; s++)
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

/* ================================================ text in cells */

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
    if (xl_chars(s) > XL_MAX_STRING) {
        char cell[LXW_MAX_CELL_NAME_LENGTH];
        lxw_rowcol_to_cell(cell, row, col);
        xl_buf begins = {0};
        xl_buf_add_cut(&begins, s, 40);
        xl_failf(x, PB_ERR_LIMIT,
                 "sheet '%s', cell %s: a text of %zu characters is longer than Excel's "
                 "limit of %u characters a cell (it begins '%s')",
                 ws->name ? ws->name : "", cell, xl_chars(s), XL_MAX_STRING,
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
                        ws->name ? ws->name : "", cell, xl_chars(s), XL_MAX_STRING);
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
    size_t n = xl_chars(s);
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

/* ============================================ numbers and references */

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

int xl_link(xl_ctx *x, lxw_worksheet *ws, uint32_t row, uint16_t col, const char *sheet,
            uint32_t to_row, uint16_t to_col, const char *text)
{
    char url[300], shown[400];
    xl_cell_ref(sheet, to_row, to_col, 0, url + 9, sizeof url - 9);
    memcpy(url, "internal:", 9);
    if (!text) {
        char cell[LXW_MAX_CELL_NAME_LENGTH];
        lxw_rowcol_to_cell(cell, to_row, to_col);
        snprintf(shown, sizeof shown, "%s!%s", sheet, cell);
        text = shown;
    }
    lxw_error e = worksheet_write_url_opt(ws, row, col, url, x->link, text, NULL);
    return e == LXW_NO_ERROR ? 1 : xl_fail(x, e, "writing a link");
}

int xl_formula_text(xl_ctx *x, lxw_worksheet *ws, uint32_t row, uint16_t col,
                    const char *formula, const char *cached, lxw_format *f)
{
    lxw_error e = x->cached ? worksheet_write_formula_str(ws, row, col, formula, f, cached)
                            : worksheet_write_formula(ws, row, col, formula, f);
    return e == LXW_NO_ERROR ? 1 : xl_fail(x, e, "writing a formula");
}

/* ================================================ conditional formats */

int xl_word_rule(xl_ctx *x, lxw_worksheet *ws, uint32_t first, uint32_t last, uint16_t col,
                 const char *word, lxw_format *f)
{
    lxw_conditional_format cf;
    memset(&cf, 0, sizeof cf);
    cf.type = LXW_CONDITIONAL_TYPE_TEXT;
    cf.criteria = LXW_CONDITIONAL_CRITERIA_TEXT_CONTAINING;
    cf.value_string = (char *)word;
    cf.format = f;
    lxw_error e = worksheet_conditional_format_range(ws, first, col, last, col, &cf);
    return e == LXW_NO_ERROR ? 1 : xl_fail(x, e, "adding a conditional format");
}

int xl_rag_rules(xl_ctx *x, lxw_worksheet *ws, uint32_t first, uint32_t last, uint16_t col)
{
    static const char *const words[3] = {"green", "amber", "red"};
    for (int r = 0; r < 3; r++)
        if (!xl_word_rule(x, ws, first, last, col, words[r], x->dash_fill[r]))
            return 0;
    return 1;
}
