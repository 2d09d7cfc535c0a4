/* pb_xlsxread_sheet.c - one sheet of the workbook read into a grid of
 * cells (values as the XML text), with its merges and the comments on
 * its cells.  Cell references past XFD1048576 are errors naming the sheet
 * and cell.
 */
#define _POSIX_C_SOURCE 200809L
#include "pb_xlsxread_book.h"

/* ============================================================= sheets */

typedef struct sheet_ctx {
    xr_xml x;
    pb_xr_grid *g;
    uint32_t row;      /* current row (0-based) */
    uint32_t next_col; /* the column a cell without r= takes */
    int have_row, in_c;
    int collect;       /* 0 none, 1 value, 2 formula, 3 inline text */
    int in_is, in_rph;
    char t;            /* 'n' number, 's' shared, 'i' inline, 'b', 'e', 'S' str */
    pb_xr_cell cur;
    int have_last;
    uint32_t last_row, last_col;
    int values_only;   /* formulas' text not kept (pb_xr_sheet_read_values) */
} sheet_ctx;

static int grid_text(pb_xr_grid *g, const char *s, size_t n)
{
    return xr_text_add(&g->text, &g->tlen, &g->tcap, s, n);
}

static void cell_fail(sheet_ctx *c, pb_status st, uint32_t row, uint32_t col, const char *fmt,
                      const char *what)
{
    char name[16];
    pb_xr_cell_name(row, col, name);
    xr_fail(c->x.err, st, c->x.sheet, name, fmt, what);
    xr_xml_stop(&c->x);
}

/* Is the element name n the literal lit?  (The first byte first: most
 * elements of a sheet are c, v and row.) */
#define NAME_IS(n, lit) ((n)[0] == (lit)[0] && !strcmp((n), (lit)))

/* A style index (s="12"), read as atol would: 0 when absent, negative or
 * past 65535. */
static uint32_t style_index(const char *s)
{
    uint32_t v = 0;
    if (!s)
        return 0;
    while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
        s++;
    if (*s == '+')
        s++;
    for (; *s >= '0' && *s <= '9'; s++) {
        v = v * 10 + (uint32_t)(*s - '0');
        if (v > 65535)
            return 0;
    }
    return v;
}

/* Stops the reading at an attribute past Excel's limits: "<what>'<value>'
 * is not <limit>", the value cut short; a cell reference (no `what`) also
 * names the cell. */
static void limit_fail(xr_xml *x, const char *what, const char *value, const char *limit)
{
    char shown[24];
    snprintf(shown, sizeof shown, "%.20s", value);
    xr_fail(x->err, PB_ERR_PARSE, x->sheet, *what ? NULL : shown, "%s'%s' is not %s", what, shown,
            limit);
    xr_xml_stop(x);
}

static void sheet_start(xr_xml *x, const char *name, const char **atts)
{
    sheet_ctx *c = (sheet_ctx *)x;
    pb_xr_grid *g = c->g;
    if (NAME_IS(name, "c")) {
        const char *r = xr_attr(atts, "r"), *s = xr_attr(atts, "s"), *t = xr_attr(atts, "t");
        uint32_t row = c->row, col = c->next_col;
        if (r && !pb_xr_parse_ref(r, strlen(r), &row, &col)) {
            limit_fail(x, "", r, "a cell reference within Excel's limits (XFD1048576)");
            return;
        }
        if (!r && col >= 16384) {
            cell_fail(c, PB_ERR_PARSE, row, 16383, "%s", "a cell past column XFD");
            return;
        }
        if (r && c->have_row && row != c->row) {
            cell_fail(c, PB_ERR_PARSE, row, col, "the cell is not in its row (%s)", "r=");
            return;
        }
        if (c->have_last && (row < c->last_row || (row == c->last_row && col <= c->last_col))) {
            cell_fail(c, PB_ERR_PARSE, row, col, "%s",
                      "cells out of order or repeated (each cell must follow the one before)");
            return;
        }
        memset(&c->cur, 0, sizeof c->cur);
        c->cur.row = row;
        c->cur.col = col;
        c->cur.style = style_index(s);
        c->t = !t || !strcmp(t, "n") ? 'n' : !strcmp(t, "s") ? 's' : !strcmp(t, "inlineStr") ? 'i'
             : !strcmp(t, "b") ? 'b' : !strcmp(t, "e") ? 'e' : 'S';
        c->in_c = 1;
        c->next_col = col + 1;
        c->cur.v_off = c->cur.f_off = (uint32_t)g->tlen;
    } else if (NAME_IS(name, "row")) {
        const char *r = xr_attr(atts, "r");
        if (r) {
            char *end;
            unsigned long v = strtoul(r, &end, 10);
            if (end == r || *end || v < 1 || v > 1048576) {
                limit_fail(x, "row ", r, "a row number from 1 to Excel's 1,048,576 rows");
                return;
            }
            c->row = (uint32_t)(v - 1);
        } else if (c->have_row) {
            c->row++;
        }
        c->have_row = 1;
        c->next_col = 0;
    } else if (c->in_c && NAME_IS(name, "v")) {
        c->collect = 1;
        c->cur.v_off = (uint32_t)g->tlen;
    } else if (c->in_c && NAME_IS(name, "f")) {
        c->cur.has_formula = 1;
        if (c->values_only)
            return; /* its text is passed over */
        c->collect = 2;
        c->cur.f_off = (uint32_t)g->tlen;
    } else if (c->in_c && NAME_IS(name, "is")) {
        c->in_is = 1;
        c->cur.v_off = (uint32_t)g->tlen;
    } else if (c->in_is && NAME_IS(name, "rPh")) {
        c->in_rph = 1;
    } else if (c->in_is && !c->in_rph && NAME_IS(name, "t")) {
        c->collect = 3;
    } else if (NAME_IS(name, "mergeCell")) {
        const char *ref = xr_attr(atts, "ref");
        if (!g->merges && ref)
            g->first_merge = strdup(ref);
        g->merges++;
    }
}

static void sheet_text(xr_xml *x, const char *s, int len)
{
    sheet_ctx *c = (sheet_ctx *)x;
    if (!c->collect)
        return;
    if (!grid_text(c->g, s, (size_t)len)) {
        cell_fail(c, PB_ERR_LIMIT, c->cur.row, c->cur.col, "%s", "the sheet's text is too large");
    }
}

static void sheet_end(xr_xml *x, const char *name)
{
    sheet_ctx *c = (sheet_ctx *)x;
    pb_xr_grid *g = c->g;
    if (c->collect == 1 && NAME_IS(name, "v")) {
        c->cur.v_len = (uint32_t)(g->tlen - c->cur.v_off);
        if (!grid_text(g, "", 1))
            goto big;
        c->collect = 0;
        /* marks "has a value" (an empty <v/> is none); the type is set at </c> */
        c->cur.type = c->cur.v_len > 0 || c->t == 'S' || c->t == 'i';
    } else if (c->collect == 2 && NAME_IS(name, "f")) {
        c->cur.f_len = (uint32_t)(g->tlen - c->cur.f_off);
        if (!grid_text(g, "", 1))
            goto big;
        c->collect = 0;
    } else if (c->collect == 3 && NAME_IS(name, "t")) {
        c->collect = 0;
    } else if (NAME_IS(name, "rPh")) {
        c->in_rph = 0;
    } else if (c->in_is && NAME_IS(name, "is")) {
        c->in_is = 0;
        if (g->tlen > c->cur.v_off)
            g->tlen = c->cur.v_off + pb_xr_unescape(g->text + c->cur.v_off, g->tlen - c->cur.v_off);
        c->cur.v_len = (uint32_t)(g->tlen - c->cur.v_off);
        if (!grid_text(g, "", 1))
            goto big;
        c->cur.type = 1;
    } else if (c->in_c && NAME_IS(name, "c")) {
        pb_xr_cell *cell = &c->cur;
        c->in_c = 0;
        int has_value = cell->type != 0;
        if (!has_value && !cell->has_formula)
            return; /* a styled blank: nothing to keep */
        if (!has_value) {
            cell->type = PB_XR_EMPTY;
        } else {
            switch (c->t) {
            case 's': {
                char *end;
                const char *v = g->text + cell->v_off;
                unsigned long k = strtoul(v, &end, 10);
                if (end == v || *end || k >= x->book->nsst) {
                    cell_fail(c, PB_ERR_PARSE, cell->row, cell->col,
                              x->book->nsst ? "shared string '%.20s' does not exist"
                                            : "shared string '%.20s' does not exist: the "
                                              "workbook has no shared strings",
                              v);
                    return;
                }
                cell->type = PB_XR_STRING;
                cell->sst = 1;
                cell->v_off = (uint32_t)k;
                cell->v_len = 0;
                break;
            }
            case 'i':
            case 'S':
                cell->type = PB_XR_STRING;
                break;
            case 'b':
                cell->type = PB_XR_BOOL;
                break;
            case 'e':
                cell->type = PB_XR_ERROR;
                break;
            default:
                cell->type = PB_XR_NUMBER;
            }
        }
        if (++x->book->cells > x->book->lim.max_cells) {
            cell_fail(c, PB_ERR_LIMIT, cell->row, cell->col,
                      "more than %s cells with content in the workbook", "the limit of");
            return;
        }
        if (!xr_grow((void **)&g->cells, &g->cap, g->ncells + 1, sizeof *g->cells)) {
            xr_nomem(x->err);
            xr_xml_stop(x);
            return;
        }
        g->cells[g->ncells++] = *cell;
        c->have_last = 1;
        c->last_row = cell->row;
        c->last_col = cell->col;
        if (cell->row + 1 > g->nrows)
            g->nrows = cell->row + 1;
        if (cell->col + 1 > g->ncols)
            g->ncols = cell->col + 1;
    }
    return;
big:
    cell_fail(c, PB_ERR_LIMIT, c->cur.row, c->cur.col, "%s", "the sheet's text is too large");
}

/* ----------------------------------------------------------- comments */

typedef struct comments_ctx {
    xr_xml x;
    pb_xr_grid *g;
    xr_rich rich; /* in a <comment> with a cell reference */
    uint32_t row, col;
} comments_ctx;

static void comments_start(xr_xml *x, const char *name, const char **atts)
{
    comments_ctx *c = (comments_ctx *)x;
    if (!strcmp(name, "comment")) {
        const char *ref = xr_attr(atts, "ref");
        c->rich.in = ref && pb_xr_parse_ref(ref, strlen(ref), &c->row, &c->col);
        c->rich.start = c->g->tlen;
    } else {
        xr_rich_start(&c->rich, name);
    }
}

static void comments_text(xr_xml *x, const char *s, int len)
{
    xr_rich_text(x, &((comments_ctx *)x)->rich, s, len);
}

static void comments_end(xr_xml *x, const char *name)
{
    comments_ctx *c = (comments_ctx *)x;
    pb_xr_grid *g = c->g;
    if (xr_rich_close(x, &c->rich, name) != 1)
        return;
    if (!xr_grow((void **)&g->comments, &g->ccap, g->ncomments + 1, sizeof *g->comments)) {
        xr_nomem(x->err);
        xr_xml_stop(x);
        return;
    }
    size_t start = c->rich.start;
    g->comments[g->ncomments].row = c->row;
    g->comments[g->ncomments].col = c->col;
    g->comments[g->ncomments].off = (uint32_t)start;
    g->comments[g->ncomments].len = (uint32_t)(g->tlen - 1 - start);
    g->ncomments++;
}

static int by_ref(const void *pa, const void *pb)
{
    const struct pb_xr_comment *a = pa, *b = pb;
    if (a->row != b->row)
        return a->row < b->row ? -1 : 1;
    if (a->col != b->col)
        return a->col < b->col ? -1 : 1;
    return a->off < b->off ? -1 : a->off > b->off;
}

void pb_xr_grid_free(pb_xr_grid *g)
{
    if (!g)
        return;
    free(g->cells);
    free(g->text);
    free(g->comments);
    free(g->first_merge);
    free(g);
}

static pb_xr_grid *sheet_read(pb_xr_book *b, size_t i, int values_only, pb_error *err);

pb_xr_grid *pb_xr_sheet_read(pb_xr_book *b, size_t i, pb_error *err)
{
    return sheet_read(b, i, 0, err);
}

pb_xr_grid *pb_xr_sheet_read_values(pb_xr_book *b, size_t i, pb_error *err)
{
    return sheet_read(b, i, 1, err);
}

static pb_xr_grid *sheet_read(pb_xr_book *b, size_t i, int values_only, pb_error *err)
{
    b->api->pb_error_clear(err);
    if (i >= b->nsheets) {
        xr_fail(err, PB_ERR_RANGE, NULL, NULL, "no sheet %zu", i);
        return NULL;
    }
    pb_xr_grid *g = calloc(1, sizeof *g);
    if (!g) {
        xr_nomem(err);
        return NULL;
    }
    const xr_sheet *sh = &b->sheets[i];
    sheet_ctx c;
    memset(&c, 0, sizeof c);
    xr_xml_handlers(&c.x, sheet_start, sheet_end, sheet_text, sh->name);
    c.g = g;
    c.values_only = g->values_only = (uint8_t)values_only;
    if (xr_parse_part(b, sh->part, &c.x, 1, err) != 1)
        goto fail;
    /* comments, through the sheet's relationships */
    rels_ctx rc;
    if (!xr_read_rels(b, sh->part, &rc, sh->name, err))
        goto fail;
    for (size_t k = 0; k < rc.n; k++) {
        if (!xr_ends_with(rc.v[k].type, "/comments"))
            continue;
        char *part = xr_resolve(sh->part, rc.v[k].target);
        if (!part) {
            xr_nomem(err);
            xr_rels_free(&rc);
            goto fail;
        }
        comments_ctx cc;
        memset(&cc, 0, sizeof cc);
        xr_xml_handlers(&cc.x, comments_start, comments_end, comments_text, sh->name);
        cc.g = g;
        cc.rich = (xr_rich){.elem = "comment", .what = "the comments", .text = &g->text,
                            .len = &g->tlen, .cap = &g->tcap};
        int r = xr_parse_part(b, part, &cc.x, 0, err);
        free(part);
        if (r == 0) {
            xr_rels_free(&rc);
            goto fail;
        }
    }
    xr_rels_free(&rc);
    if (g->ncomments > 1)
        qsort(g->comments, g->ncomments, sizeof *g->comments, by_ref);
    return g;
fail:
    pb_xr_grid_free(g);
    return NULL;
}

const char *pb_xr_cell_value(const pb_xr_book *b, const pb_xr_grid *g, const pb_xr_cell *c,
                             size_t *len)
{
    if (c->type == PB_XR_EMPTY) {
        if (len)
            *len = 0;
        return "";
    }
    if (c->sst) {
        /* the strings lie back to back, each with its NUL */
        uint32_t off = b->sst_off[c->v_off];
        if (len)
            *len = (c->v_off + 1 < b->nsst ? b->sst_off[c->v_off + 1] : b->sst_len) - off - 1;
        return b->sst_text + off;
    }
    if (len)
        *len = c->v_len;
    return g->text + c->v_off;
}

const char *pb_xr_cell_formula(const pb_xr_grid *g, const pb_xr_cell *c)
{
    return c->has_formula && !g->values_only ? g->text + c->f_off : NULL;
}

const char *pb_xr_comment_at(const pb_xr_grid *g, uint32_t row, uint32_t col)
{
    size_t lo = 0, hi = g->ncomments;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct pb_xr_comment *m = &g->comments[mid];
        if (m->row < row || (m->row == row && m->col < col))
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < g->ncomments && g->comments[lo].row == row && g->comments[lo].col == col)
        return g->text + g->comments[lo].off;
    return NULL;
}
