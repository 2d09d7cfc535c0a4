/* pb_xlsx_format.c - the workbook's cell formats, made once per workbook:
 * titles and headings, labels by indentation level, money by decimals
 * (plain, total, disagreement, nil), the RAG fills and the heat map's
 * bands.  The dashboards' number formats are made on first use
 * (pb_xlsx_dash.c). */
#include "pb_xlsx_private.h"

#include <stddef.h>
#include <stdio.h>

static lxw_format *fmt(xl_ctx *x)
{
    lxw_format *f = workbook_add_format(x->wb);
    if (!f)
        xl_failf(x, PB_ERR_NOMEM, "out of memory");
    return f;
}

/* The named formats: which member of xl_ctx, and what is set (0: not). */
typedef struct fmt_spec {
    size_t at; /* offsetof(xl_ctx, ...) */
    uint8_t bold, italic, wrap, underline, align, valign, bottom;
    double size;
    lxw_color_t color;
} fmt_spec;

static const fmt_spec named[] = {
    {offsetof(xl_ctx, title), .bold = 1, .size = 14},
    {offsetof(xl_ctx, subtitle), .italic = 1, .color = 0x595959},
    {offsetof(xl_ctx, head), .bold = 1, .wrap = 1, .align = LXW_ALIGN_RIGHT,
     .valign = LXW_ALIGN_VERTICAL_BOTTOM},
    {offsetof(xl_ctx, head_left), .bold = 1, .valign = LXW_ALIGN_VERTICAL_BOTTOM},
    {offsetof(xl_ctx, phase), .italic = 1, .wrap = 1, .align = LXW_ALIGN_RIGHT,
     .valign = LXW_ALIGN_VERTICAL_BOTTOM, .bottom = LXW_BORDER_THIN},
    {offsetof(xl_ctx, text)},
    {offsetof(xl_ctx, bold), .bold = 1},
    {offsetof(xl_ctx, link), .underline = LXW_UNDERLINE_SINGLE, .color = LXW_COLOR_BLUE},
    {offsetof(xl_ctx, wrap), .wrap = 1, .valign = LXW_ALIGN_VERTICAL_TOP},
    {offsetof(xl_ctx, dash_text), .align = LXW_ALIGN_RIGHT, .color = 0x595959},
    {offsetof(xl_ctx, dash_status), .bold = 1},
};

static lxw_format *make_named(xl_ctx *x, const fmt_spec *sp)
{
    lxw_format *f = fmt(x);
    if (!f)
        return NULL;
    if (sp->bold)
        format_set_bold(f);
    if (sp->italic)
        format_set_italic(f);
    if (sp->size != 0.0)
        format_set_font_size(f, sp->size);
    if (sp->color)
        format_set_font_color(f, sp->color);
    if (sp->underline)
        format_set_underline(f, sp->underline);
    if (sp->align)
        format_set_align(f, sp->align);
    if (sp->valign)
        format_set_align(f, sp->valign);
    if (sp->wrap)
        format_set_text_wrap(f);
    if (sp->bottom)
        format_set_bottom(f, sp->bottom);
    return *(lxw_format **)((char *)x + sp->at) = f;
}

int xl_make_formats(xl_ctx *x)
{
    for (size_t k = 0; k < sizeof named / sizeof named[0]; k++)
        if (!make_named(x, &named[k]))
            return 0;
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

