/* pb_xlsxread_strings.c - the workbook's shared strings (with Excel's
 * _xHHHH_ escapes decoded) and its styles (what a cell's number format,
 * font and alignment say).
 */
#define _POSIX_C_SOURCE 200809L
#include "pb_xlsxread_book.h"

/* ---------------------------------------------------- shared strings */

/* The one decoding of cell and comment text: Excel's _xHHHH_ form back to
 * the character (a UTF-16 pair of escapes to one character), _x005F_ to the
 * underscore it stands for.  In place (a decoded escape is never longer
 * than its 7 bytes); returns the new length. */
static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0'
         : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static long esc_at(const char *s, size_t i, size_t n)
{
    if (i + 7 > n || s[i] != '_' || s[i + 1] != 'x' || s[i + 6] != '_')
        return -1;
    long v = 0;
    for (size_t k = 2; k < 6; k++) {
        int h = hexval(s[i + k]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

static size_t put_utf8(char *o, unsigned long v)
{
    if (v < 0x80) {
        o[0] = (char)v;
        return 1;
    }
    if (v < 0x800) {
        o[0] = (char)(0xC0 | (v >> 6));
        o[1] = (char)(0x80 | (v & 0x3F));
        return 2;
    }
    if (v < 0x10000) {
        o[0] = (char)(0xE0 | (v >> 12));
        o[1] = (char)(0x80 | ((v >> 6) & 0x3F));
        o[2] = (char)(0x80 | (v & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (v >> 18));
    o[1] = (char)(0x80 | ((v >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((v >> 6) & 0x3F));
    o[3] = (char)(0x80 | (v & 0x3F));
    return 4;
}

size_t pb_xr_unescape(char *s, size_t n)
{
    size_t i = 0, o = 0;
    while (i < n) {
        long v = s[i] == '_' ? esc_at(s, i, n) : -1;
        if (v < 0) {
            s[o++] = s[i++];
            continue;
        }
        if (v >= 0xD800 && v <= 0xDBFF) {
            long lo = esc_at(s, i + 7, n);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                o += put_utf8(s + o, 0x10000 + (((unsigned long)v - 0xD800) << 10) +
                                         ((unsigned long)lo - 0xDC00));
                i += 14;
                continue;
            }
        }
        if (v >= 0xD800 && v <= 0xDFFF) { /* a lone surrogate: kept as written */
            s[o++] = s[i++];
            continue;
        }
        o += put_utf8(s + o, (unsigned long)v);
        i += 7;
    }
    return o;
}


typedef struct sst_ctx {
    xr_xml x;
    xr_rich rich; /* in a <si> */
} sst_ctx;

static void sst_start(xr_xml *x, const char *name, const char **atts)
{
    (void)atts;
    sst_ctx *c = (sst_ctx *)x;
    pb_xr_book *b = x->book;
    if (!strcmp(name, "si")) {
        if (!xr_grow((void **)&b->sst_off, &b->sst_slots, b->nsst + 1, sizeof *b->sst_off)) {
            xr_nomem(x->err);
            xr_xml_stop(x);
            return;
        }
        b->sst_off[b->nsst] = (uint32_t)b->sst_len;
        c->rich.in = 1;
        c->rich.start = b->sst_len;
    } else {
        xr_rich_start(&c->rich, name);
    }
}

static void sst_text(xr_xml *x, const char *s, int len)
{
    xr_rich_text(x, &((sst_ctx *)x)->rich, s, len);
}

static void sst_end(xr_xml *x, const char *name)
{
    if (xr_rich_close(x, &((sst_ctx *)x)->rich, name) == 1)
        x->book->nsst++;
}

int xr_read_strings(pb_xr_book *b, const char *part, pb_error *err)
{
    if (!part)
        return 1;
    sst_ctx sc;
    memset(&sc, 0, sizeof sc);
    xr_xml_handlers(&sc.x, sst_start, sst_end, sst_text, NULL);
    sc.rich = (xr_rich){.elem = "si", .what = "the shared strings", .text = &b->sst_text,
                        .len = &b->sst_len, .cap = &b->sst_cap};
    return xr_parse_part(b, part, &sc.x, 0, err) != 0;
}

/* ------------------------------------------------------------- styles */

typedef struct fmt_entry {
    int id;
    pb_xr_style st;
} fmt_entry;

typedef struct style_ctx {
    xr_xml x;
    int where; /* 0 none, 1 numFmts, 2 fonts, 3 cellXfs */
    fmt_entry *fmts;
    size_t nfmts, fcap;
    uint8_t *bold;
    size_t nfonts, bcap;
    struct xf_raw {
        int numfmt, font, indent;
    } * xfs;
    size_t nxfs, xcap;
} style_ctx;

/* What a number format code says: decimals of its first section, a dash
 * for zero, text, percent, date. */
static pb_xr_style format_code(const char *code)
{
    pb_xr_style s;
    memset(&s, 0, sizeof s);
    s.decimals = -1;
    if (!code)
        return s;
    if (!strcmp(code, "@")) {
        s.text = 1;
        return s;
    }
    int section = 0, quoted = 0, seen_digit = 0, after_point = -1;
    const char *third = NULL;
    for (const char *p = code; *p; p++) {
        char ch = *p;
        if (ch == '"') {
            quoted = !quoted;
            continue;
        }
        if (quoted)
            continue;
        if (ch == '\\' && p[1]) {
            p++;
            continue;
        }
        if (ch == '[') { /* [Red], [$£-809] */
            while (*p && *p != ']')
                p++;
            if (!*p)
                break;
            continue;
        }
        if (ch == ';') {
            section++;
            if (section == 2)
                third = p + 1;
            continue;
        }
        if (section)
            continue;
        if (ch == '0' || ch == '#' || ch == '?') {
            seen_digit = 1;
            if (after_point >= 0)
                after_point++;
        } else if (ch == '.' && after_point < 0) {
            after_point = 0;
        } else if (ch == '%') {
            s.percent = 1;
        } else if (ch == 'y' || ch == 'd' || ch == 'm' || ch == 'h' || ch == 's' || ch == 'Y' ||
                   ch == 'D' || ch == 'M' || ch == 'H') {
            if (!seen_digit)
                s.date = 1;
        }
    }
    if (seen_digit)
        s.decimals = after_point < 0 ? 0 : after_point;
    if (third) {
        /* the zero section: "-" alone, quoted or not, with padding */
        char z[32];
        size_t n = 0;
        for (const char *p = third; *p && *p != ';' && n + 1 < sizeof z; p++)
            if (*p != '"' && *p != ' ' && *p != '_' && *p != '\\')
                z[n++] = *p;
        z[n] = '\0';
        s.nil = !strcmp(z, "-") || !strcmp(z, "-)");
    }
    return s;
}

static pb_xr_style builtin_format(int id)
{
    switch (id) {
    case 1: case 3: case 37: case 38: case 1000000:
        return format_code("0");
    case 2: case 4: case 39: case 40:
        return format_code("0.00");
    case 9:
        return format_code("0%");
    case 10:
        return format_code("0.00%");
    case 49:
        return format_code("@");
    default: {
        pb_xr_style s = format_code(NULL);
        s.date = (id >= 14 && id <= 22) || (id >= 45 && id <= 47);
        return s;
    }
    }
}

static void style_start(xr_xml *x, const char *name, const char **atts)
{
    style_ctx *c = (style_ctx *)x;
    if (!strcmp(name, "numFmts")) {
        c->where = 1;
    } else if (!strcmp(name, "fonts")) {
        c->where = 2;
    } else if (!strcmp(name, "cellXfs")) {
        c->where = 3;
    } else if (!strcmp(name, "cellStyleXfs") || !strcmp(name, "dxfs") ||
               !strcmp(name, "cellStyles")) {
        c->where = 0;
    } else if (c->where == 1 && !strcmp(name, "numFmt")) {
        const char *id = xr_attr(atts, "numFmtId"), *code = xr_attr(atts, "formatCode");
        char *end = NULL;
        long v = id ? strtol(id, &end, 10) : -1;
        if (!id || end == id || *end || v < 0 || v > INT32_MAX) {
            /* no cell style can name it: passed over, and said */
            if (!xr_warn(&x->book->notes, "part %s: the number format '%.80s' has %s "
                                          "(numFmtId); not read, its cells read as General",
                         x->part, code ? code : "", id ? "an id that is not a number"
                                                       : "no id"))
                goto mem;
            return;
        }
        if (!xr_grow((void **)&c->fmts, &c->fcap, c->nfmts + 1, sizeof *c->fmts))
            goto mem;
        c->fmts[c->nfmts].id = (int)v;
        c->fmts[c->nfmts].st = format_code(code);
        c->nfmts++;
    } else if (c->where == 2 && !strcmp(name, "font")) {
        if (!xr_grow((void **)&c->bold, &c->bcap, c->nfonts + 1, 1))
            goto mem;
        c->bold[c->nfonts++] = 0;
    } else if (c->where == 2 && !strcmp(name, "b") && c->nfonts) {
        const char *v = xr_attr(atts, "val");
        c->bold[c->nfonts - 1] = !v || !(strcmp(v, "0") == 0 || strcmp(v, "false") == 0);
    } else if (c->where == 3 && !strcmp(name, "xf")) {
        if (c->nxfs >= 65536)
            return;
        if (!xr_grow((void **)&c->xfs, &c->xcap, c->nxfs + 1, sizeof *c->xfs))
            goto mem;
        const char *nf = xr_attr(atts, "numFmtId"), *font = xr_attr(atts, "fontId");
        c->xfs[c->nxfs].numfmt = nf ? atoi(nf) : 0;
        c->xfs[c->nxfs].font = font ? atoi(font) : 0;
        c->xfs[c->nxfs].indent = 0;
        c->nxfs++;
    } else if (c->where == 3 && !strcmp(name, "alignment") && c->nxfs) {
        const char *ind = xr_attr(atts, "indent");
        int v = ind ? atoi(ind) : 0;
        c->xfs[c->nxfs - 1].indent = v < 0 ? 0 : v > 250 ? 250 : v;
    }
    return;
mem:
    xr_nomem(x->err);
    xr_xml_stop(x);
}

static void style_end(xr_xml *x, const char *name)
{
    style_ctx *c = (style_ctx *)x;
    if (!strcmp(name, "numFmts") || !strcmp(name, "fonts") || !strcmp(name, "cellXfs"))
        c->where = 0;
}

int xr_read_styles(pb_xr_book *b, const char *part, pb_error *err)
{
    style_ctx c;
    memset(&c, 0, sizeof c);
    xr_xml_handlers(&c.x, style_start, style_end, NULL, NULL);
    int r = part ? xr_parse_part(b, part, &c.x, 0, err) : -1;
    int ok = r != 0;
    if (ok && c.nxfs) {
        b->xf = calloc(c.nxfs, sizeof *b->xf);
        if (!b->xf) {
            ok = xr_nomem(err);
        } else {
            b->nxf = c.nxfs;
            for (size_t i = 0; i < c.nxfs; i++) {
                int id = c.xfs[i].numfmt;
                pb_xr_style s = builtin_format(id);
                for (size_t k = 0; k < c.nfmts; k++)
                    if (c.fmts[k].id == id)
                        s = c.fmts[k].st;
                int font = c.xfs[i].font;
                s.bold = font >= 0 && (size_t)font < c.nfonts && c.bold[font];
                s.indent = (uint8_t)c.xfs[i].indent;
                b->xf[i] = s;
            }
        }
    }
    free(c.fmts);
    free(c.bold);
    free(c.xfs);
    return ok;
}

pb_xr_style pb_xr_style_of(const pb_xr_book *book, uint32_t style)
{
    if (style < book->nxf)
        return book->xf[style];
    return format_code(NULL);
}
