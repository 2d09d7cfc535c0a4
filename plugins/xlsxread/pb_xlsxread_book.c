/* pb_xlsxread_book.c - the book: opened from a file or from memory, its
 * workbook part (sheets, their states, defined names), errors and the
 * helpers the reader's files share.  The package, the parts' XML, the
 * shared strings and styles, and the sheets have their own files
 * (pb_xlsxread_book.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "pb_xlsxread_book.h"

#include <errno.h>
#include <stdarg.h>

pb_xr_limits pb_xr_default_limits(void)
{
    pb_xr_limits l;
    l.max_entries = 10000;
    l.max_part = 1ull << 30;
    l.max_total = 4ull << 30;
    l.max_ratio = 200;
    l.max_cells = 50000000;
    l.max_columns = 65536;
    l.max_depth = 64;
    return l;
}

/* ============================================================ errors */

int xr_fail(pb_error *err, pb_status st, const char *sheet, const char *cell,
            const char *fmt, ...)
{
    if (!err || err->status != PB_OK)
        return 0;
    char msg[PB_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    int n;
    if (sheet && cell)
        n = snprintf(err->message, sizeof err->message, "sheet '%.100s', cell %.15s: %.370s",
                     sheet, cell, msg);
    else if (sheet)
        n = snprintf(err->message, sizeof err->message, "sheet '%.100s': %.400s", sheet, msg);
    else
        n = snprintf(err->message, sizeof err->message, "%s", msg);
    (void)(n < 0);
    if (sheet)
        snprintf(err->path, sizeof err->path, "%.200s%s%.15s", sheet, cell ? "!" : "",
                 cell ? cell : "");
    err->status = st;
    return 0;
}

int xr_nomem(pb_error *err) { return xr_fail(err, PB_ERR_NOMEM, NULL, NULL, "out of memory"); }

char *xr_dupn(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

int xr_grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 1;
    size_t nc = *cap ? *cap : 16;
    while (nc < need) {
        if (nc > SIZE_MAX / 2 / size)
            return 0;
        nc *= 2;
    }
    void *np = realloc(*p, nc * size);
    if (!np)
        return 0;
    *p = np;
    *cap = nc;
    return 1;
}

int xr_text_add(char **text, size_t *len, size_t *cap, const char *s, size_t n)
{
    if (*len + n + 1 > UINT32_MAX || !xr_grow((void **)text, cap, *len + n + 1, 1))
        return 0;
    memcpy(*text + *len, s, n);
    *len += n;
    return 1;
}

int xr_text_end(char **text, size_t *len, size_t *cap, size_t start)
{
    if (*len > start)
        *len = start + pb_xr_unescape(*text + start, *len - start);
    return xr_text_add(text, len, cap, "", 1);
}

/* ---------------------------------------------------------- workbook */

typedef struct wb_ctx {
    xr_xml x;
    struct {
        char *name, *rid;
        int state;
    } * s;
    size_t n, cap;
    int in_name;
    char *name_text;
    size_t name_len, name_cap;
    char *cur_name;
    int cur_scope;
} wb_ctx;

static void wb_start(xr_xml *x, const char *name, const char **atts)
{
    wb_ctx *c = (wb_ctx *)x;
    pb_xr_book *b = x->book;
    if (!strcmp(name, "sheet")) {
        const char *nm = xr_attr(atts, "name"), *rid = xr_attr(atts, "id"),
                   *state = xr_attr(atts, "state");
        if (!nm || !rid) {
            if (!xr_warn(&b->notes, "part %s: a sheet without a %s; not read", x->part,
                         nm ? "relationship id (r:id)" : "name"))
                goto nomem;
            return;
        }
        if (c->n >= b->lim.max_entries) {
            xr_fail(x->err, PB_ERR_LIMIT, NULL, NULL, "the workbook lists more than %llu sheets",
                    (unsigned long long)b->lim.max_entries);
            xr_xml_stop(x);
            return;
        }
        if (!xr_grow((void **)&c->s, &c->cap, c->n + 1, sizeof *c->s))
            goto nomem;
        c->s[c->n].name = strdup(nm);
        c->s[c->n].rid = strdup(rid);
        c->s[c->n].state = !state ? 0 : !strcmp(state, "hidden") ? 1
                                      : !strcmp(state, "veryHidden") ? 2
                                                                      : 0;
        if (!c->s[c->n].name || !c->s[c->n].rid) {
            free(c->s[c->n].name), free(c->s[c->n].rid);
            goto nomem;
        }
        c->n++;
    } else if (!strcmp(name, "definedName")) {
        const char *nm = xr_attr(atts, "name"), *scope = xr_attr(atts, "localSheetId");
        free(c->cur_name);
        c->cur_name = nm ? strdup(nm) : NULL;
        c->cur_scope = scope ? atoi(scope) : -1;
        c->in_name = 1;
        c->name_len = 0;
    }
    return;
nomem:
    xr_nomem(x->err);
    xr_xml_stop(x);
}

static void wb_text(xr_xml *x, const char *s, int len)
{
    wb_ctx *c = (wb_ctx *)x;
    if (!c->in_name)
        return;
    if (c->name_len + (size_t)len > 65536)
        return; /* a defined name's formula is short; ignore the rest */
    if (!xr_grow((void **)&c->name_text, &c->name_cap, c->name_len + (size_t)len + 1, 1)) {
        xr_nomem(x->err);
        xr_xml_stop(x);
        return;
    }
    memcpy(c->name_text + c->name_len, s, (size_t)len);
    c->name_len += (size_t)len;
}

static void wb_end(xr_xml *x, const char *name)
{
    wb_ctx *c = (wb_ctx *)x;
    pb_xr_book *b = x->book;
    if (strcmp(name, "definedName") || !c->in_name)
        return;
    c->in_name = 0;
    if (!c->cur_name)
        return;
    if (b->nnames >= b->lim.max_entries)
        return;
    xr_name *nv = realloc(b->names, (b->nnames + 1) * sizeof *nv);
    if (!nv) {
        xr_nomem(x->err);
        xr_xml_stop(x);
        return;
    }
    b->names = nv;
    char *f = xr_dupn(c->name_text ? c->name_text : "", c->name_len);
    if (!f) {
        xr_nomem(x->err);
        xr_xml_stop(x);
        return;
    }
    b->names[b->nnames].name = c->cur_name;
    b->names[b->nnames].formula = f;
    b->names[b->nnames].scope = c->cur_scope;
    b->nnames++;
    c->cur_name = NULL;
}

/* ============================================================== book */

void pb_xr_book_free(pb_xr_book *b)
{
    if (!b)
        return;
    xr_package_close(b);
    free(b->members);
    free(b->member_names);
    for (size_t i = 0; i < b->nsheets; i++)
        free(b->sheets[i].name), free(b->sheets[i].part);
    free(b->sheets);
    for (size_t i = 0; i < b->nnames; i++)
        free(b->names[i].name), free(b->names[i].formula);
    free(b->names);
    free(b->sst_text);
    free(b->sst_off);
    free(b->xf);
    pb_xr_grid_free(b->kept);
    pb_xr_warnings_free(&b->notes);
    free(b);
}

static int load_book(pb_xr_book *b, pb_error *err)
{
    /* the workbook part, from the package relationships */
    char *wb_part = NULL;
    rels_ctx pr;
    if (!xr_read_rels(b, "", &pr, NULL, err)) /* "_rels/.rels" */
        return 0;
    for (size_t i = 0; i < pr.n && !wb_part; i++)
        if (xr_ends_with(pr.v[i].type, "/officeDocument"))
            wb_part = xr_resolve("", pr.v[i].target);
    xr_rels_free(&pr);
    if (!wb_part && !(wb_part = strdup("xl/workbook.xml")))
        return xr_nomem(err);
    wb_ctx wc;
    memset(&wc, 0, sizeof wc);
    xr_xml_handlers(&wc.x, wb_start, wb_end, wb_text, NULL);
    int ok = xr_parse_part(b, wb_part, &wc.x, 1, err) == 1;
    rels_ctx wr;
    memset(&wr, 0, sizeof wr);
    if (ok)
        ok = xr_read_rels(b, wb_part, &wr, NULL, err);
    char *sst_part = NULL, *styles_part = NULL;
    if (ok) {
        b->sheets = calloc(wc.n ? wc.n : 1, sizeof *b->sheets);
        if (!b->sheets)
            ok = xr_nomem(err);
    }
    for (size_t i = 0; ok && i < wc.n; i++) {
        const rel *found = NULL;
        for (size_t k = 0; k < wr.n && !found; k++)
            if (!strcmp(wr.v[k].id, wc.s[i].rid))
                found = &wr.v[k];
        if (!found) {
            /* a sheet the relationships do not place: passed over, and said */
            if (!xr_warn(&b->notes, "sheet '%s': the workbook's relationships (%s's .rels) "
                                    "do not say where its part is (%s); not read",
                         wc.s[i].name, wb_part,
                         wr.n ? "no relationship with its r:id" : "they are missing"))
                ok = xr_nomem(err);
            continue;
        }
        if (!xr_ends_with(found->type, "/worksheet"))
            continue; /* chart sheets, dialog sheets: not read */
        char *part = xr_resolve(wb_part, found->target);
        if (!part) {
            ok = xr_nomem(err);
            break;
        }
        b->sheets[b->nsheets].name = wc.s[i].name;
        b->sheets[b->nsheets].part = part;
        b->sheets[b->nsheets].state = wc.s[i].state;
        wc.s[i].name = NULL;
        b->nsheets++;
    }
    for (size_t k = 0; ok && k < wr.n; k++) {
        if (xr_ends_with(wr.v[k].type, "/sharedStrings") && !sst_part)
            sst_part = xr_resolve(wb_part, wr.v[k].target);
        else if (xr_ends_with(wr.v[k].type, "/styles") && !styles_part)
            styles_part = xr_resolve(wb_part, wr.v[k].target);
    }
    if (ok && sst_part && !xr_has_part(b, sst_part) &&
        !xr_warn(&b->notes, "the workbook's shared strings part %s, named in its "
                            "relationships, is missing: cells that use it cannot be read",
                 sst_part))
        ok = xr_nomem(err);
    if (ok && styles_part && !xr_has_part(b, styles_part) &&
        !xr_warn(&b->notes, "the workbook's styles part %s, named in its relationships, is "
                            "missing: number formats, bold and indents are not read",
                 styles_part))
        ok = xr_nomem(err);
    if (ok)
        ok = xr_read_strings(b, sst_part, err);
    if (ok)
        ok = xr_read_styles(b, styles_part, err);
    for (size_t i = 0; i < wc.n; i++)
        free(wc.s[i].name), free(wc.s[i].rid);
    free(wc.s);
    free(wc.name_text);
    free(wc.cur_name);
    xr_rels_free(&wr);
    free(sst_part);
    free(styles_part);
    free(wb_part);
    return ok;
}

static pb_xr_book *book_new(const pb_api *api, const pb_xr_limits *limits)
{
    pb_xr_book *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->api = api;
    b->lim = limits ? *limits : pb_xr_default_limits();
    return b;
}

pb_xr_book *pb_xr_book_open_file(const pb_api *api, const char *path, const pb_xr_limits *limits,
                                 pb_error *err)
{
    api->pb_error_clear(err);
    pb_xr_book *b = book_new(api, limits);
    if (!b) {
        xr_nomem(err);
        return NULL;
    }
    if (!xr_package_open_file(b, path, err) || !load_book(b, err)) {
        pb_xr_book_free(b);
        return NULL;
    }
    return b;
}

pb_xr_book *pb_xr_book_open_buffer(const pb_api *api, const void *data, size_t size,
                                   const pb_xr_limits *limits, pb_error *err)
{
    api->pb_error_clear(err);
    pb_xr_book *b = book_new(api, limits);
    if (!b) {
        xr_nomem(err);
        return NULL;
    }
    if (!xr_package_open_buffer(b, data, size, err) || !load_book(b, err)) {
        pb_xr_book_free(b);
        return NULL;
    }
    return b;
}

void xr_book_keep_grid(pb_xr_book *b, int64_t sheet, pb_xr_grid *g)
{
    pb_xr_grid_free(b->kept);
    b->kept = g;
    b->kept_sheet = sheet;
}

pb_xr_grid *xr_book_take_grid(pb_xr_book *b, int64_t sheet)
{
    pb_xr_grid *g = b->kept && b->kept_sheet == sheet ? b->kept : NULL;
    if (g)
        b->kept = NULL;
    return g;
}

const pb_xr_limits *pb_xr_book_limits(const pb_xr_book *b) { return &b->lim; }
const pb_xr_warnings *pb_xr_book_notes(const pb_xr_book *b) { return &b->notes; }
size_t pb_xr_sheet_count(const pb_xr_book *b) { return b->nsheets; }
const char *pb_xr_sheet_name(const pb_xr_book *b, size_t i)
{
    return i < b->nsheets ? b->sheets[i].name : NULL;
}
int pb_xr_sheet_state(const pb_xr_book *b, size_t i)
{
    return i < b->nsheets ? b->sheets[i].state : 0;
}
int64_t pb_xr_sheet_find(const pb_xr_book *b, const char *name)
{
    for (size_t i = 0; i < b->nsheets; i++)
        if (!strcmp(b->sheets[i].name, name))
            return (int64_t)i;
    return -1;
}
size_t pb_xr_name_count(const pb_xr_book *b) { return b->nnames; }
const char *pb_xr_name(const pb_xr_book *b, size_t i, const char **formula, int *scope)
{
    if (i >= b->nnames)
        return NULL;
    if (formula)
        *formula = b->names[i].formula;
    if (scope)
        *scope = b->names[i].scope;
    return b->names[i].name;
}
