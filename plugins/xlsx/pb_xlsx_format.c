/* pb_xlsx_format.c - the workbook's cell formats, made once per workbook:
 * titles and headings, labels by indentation level, money by decimals
 * (plain, total, disagreement, nil), the RAG fills and the heat map's
 * bands.  The dashboards' number formats are made on first use
 * (pb_xlsx_dash.c). */
#include "pb_xlsx_private.h"

#include <stdio.h>

static lxw_format *fmt(xl_ctx *x)
{
    lxw_format *f = workbook_add_format(x->wb);
    if (!f)
        xl_failf(x, PB_ERR_NOMEM, "out of memory");
    return f;
}

int xl_make_formats(xl_ctx *x)
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

