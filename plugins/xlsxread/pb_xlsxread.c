/* pb_xlsxread.c - a workbook planbook wrote, read back into a plan: the
 * contents sheet (the plan's title and details), then each sheet by its
 * kind.  A kind of sheet is found through the defined name the writer
 * gives it (tbl_<id> for a budget table); a sheet without one that still
 * looks like a table is read as one, with an id made from its name.  Later
 * kinds (indicators, risks) add a row to `kinds` and their reader beside
 * pb_xlsxread_budget.c. */
#include "pb_xlsxread_private.h"
#include "pb_platform.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define A (x->api)

int xr_warn(pb_xr_warnings *w, const char *fmt, ...)
{
    if (!w)
        return 1;
    if (w->count >= 10000)
        return 1; /* enough said */
    char buf[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (w->count == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 16;
        char **ni = realloc(w->items, cap * sizeof *ni);
        if (!ni)
            return 0;
        w->items = ni;
        w->cap = cap;
    }
    char *copy = pb_strdup(buf);
    if (!copy)
        return 0;
    w->items[w->count++] = copy;
    return 1;
}

void pb_xr_warnings_free(pb_xr_warnings *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->count; i++)
        free(w->items[i]);
    free(w->items);
    w->items = NULL;
    w->count = w->cap = 0;
}

/* ------------------------------------------------------ sheet kinds */

typedef int (*sheet_reader_fn)(xr_plan_ctx *x, size_t sheet, const char *id);

/* A budget table is read here; the sheets of the other parts are listed
 * for the Python layer (read == NULL, part names the kind). */
static const struct kind {
    const char *prefix; /* of the defined name */
    sheet_reader_fn read;
    const char *part;
} kinds[] = {
    {"tbl_", xr_budget_sheet, NULL},
    {"ind_", NULL, "indicators"},
    {"reg_", NULL, "risks"},
    {"heat_", NULL, "heatmap"},
    {"rec_", NULL, "records"},
    {"dsc_", NULL, "described"}, /* a described part's (pb_described.h) */
};

void pb_xr_parts_free(pb_xr_parts *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->count; i++)
        free(p->items[i].id);
    free(p->items);
    p->items = NULL;
    p->count = p->cap = 0;
}

static int add_part(pb_xr_parts *p, const char *kind, const char *id, size_t sheet)
{
    if (!p)
        return 1;
    if (p->count == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 8;
        pb_xr_part *ni = realloc(p->items, cap * sizeof *ni);
        if (!ni)
            return 0;
        p->items = ni;
        p->cap = cap;
    }
    pb_xr_part *it = &p->items[p->count];
    snprintf(it->kind, sizeof it->kind, "%s", kind);
    it->sheet = sheet;
    if (!(it->id = pb_strdup(id)))
        return 0;
    p->count++;
    return 1;
}

/* The sheet a defined name's range is on: "'Sheet name'!$A$4:$D$20". */
int xr_name_sheet(const char *formula, char *out, size_t cap)
{
    const char *p = formula;
    if (*p == '=')
        p++;
    size_t n = 0;
    if (*p == '\'') {
        for (p++; *p; p++) {
            if (*p == '\'') {
                if (p[1] == '\'') {
                    p++;
                } else {
                    break;
                }
            }
            if (n + 1 < cap)
                out[n++] = *p;
        }
        if (*p != '\'' || p[1] != '!')
            return 0;
    } else {
        const char *bang = strchr(p, '!');
        if (!bang)
            return 0;
        for (; p < bang; p++)
            if (n + 1 < cap)
                out[n++] = *p;
    }
    out[n] = '\0';
    return n > 0;
}

/* s with Excel's _xHHHH_ escapes decoded until none is left (LibreOffice
 * decodes them in a sheet's name but escapes its old name again in a
 * defined name it could not resolve: '_x005F_x0041_' for a sheet it now
 * calls 'A'). */
static void fully_decoded(const char *s, char *out, size_t cap)
{
    snprintf(out, cap, "%s", s);
    for (int k = 0; k < 4; k++) {
        size_t n = strlen(out), m = pb_xr_unescape(out, n);
        out[m] = '\0';
        if (m == n)
            break;
    }
}

int64_t xr_name_sheet_find(const pb_xr_book *book, const char *sheet)
{
    int64_t s = pb_xr_sheet_find(book, sheet);
    if (s >= 0 || !strstr(sheet, "_x"))
        return s;
    char want[256], name[256];
    fully_decoded(sheet, want, sizeof want);
    for (size_t i = 0; i < pb_xr_sheet_count(book); i++) {
        fully_decoded(pb_xr_sheet_name(book, i), name, sizeof name);
        if (!strcmp(name, want))
            return (int64_t)i;
    }
    return -1;
}

/* ---------------------------------------------------------- contents */

static const struct {
    const char *label;
    pb_meta_key key;
} meta_rows[] = {{"Organisation", PB_META_ORGANISATION}, {"Directorate", PB_META_DIRECTORATE},
                 {"Service", PB_META_SERVICE},           {"Period", PB_META_PERIOD},
                 {"Status", PB_META_STATUS},             {"Version", PB_META_VERSION},
                 {"Owner", PB_META_OWNER},               {"Source", PB_META_SOURCE}};

static int read_contents(xr_plan_ctx *x, size_t sheet, char **title_out)
{
    pb_xr_grid *g = pb_xr_sheet_read(x->book, sheet, x->err);
    if (!g)
        return 0;
    pb_error e;
    A->pb_error_clear(&e);
    int ok = 1;
    for (size_t i = 0; i < g->ncells && ok; i++) {
        const pb_xr_cell *c = &g->cells[i];
        if (c->type != PB_XR_STRING || c->col != 0)
            continue;
        const char *v = pb_xr_cell_value(x->book, g, c, NULL);
        if (c->row == 0) {
            if (strcmp(v, "Plan")) {
                ok = A->pb_plan_set_meta(x->plan, PB_META_TITLE, v, strlen(v), &e) == PB_OK;
                *title_out = pb_strdup(v);
            }
            continue;
        }
        if (!strcmp(v, "Check findings"))
            break;
        for (size_t k = 0; k < sizeof meta_rows / sizeof meta_rows[0]; k++) {
            if (strcmp(v, meta_rows[k].label))
                continue;
            const pb_xr_cell *val = i + 1 < g->ncells ? &g->cells[i + 1] : NULL;
            if (val && val->row == c->row && val->col == 1 && val->type != PB_XR_EMPTY) {
                size_t len;
                const char *t = pb_xr_cell_value(x->book, g, val, &len);
                ok = A->pb_plan_set_meta(x->plan, meta_rows[k].key, t, len, &e) == PB_OK;
            }
        }
    }
    if (!ok)
        xr_fail(x->err, e.status, pb_xr_sheet_name(x->book, sheet), NULL, "%s", e.message);
    pb_xr_grid_free(g);
    return ok;
}

/* --------------------------------------------------------------- plan */

pb_plan *pb_xr_read_plan(const pb_api *api, pb_xr_book *book, pb_xr_warnings *warnings,
                         pb_error *err)
{
    return pb_xr_read_plan_into(api, book, NULL, NULL, warnings, err);
}

/* The sheets of a workbook by kind: the id of the table or part on each
 * (NULL when no defined name gives one) and its kind (kinds[]). */
typedef struct sheet_ids {
    char **ids;
    size_t *kind_of;
    size_t n;
    /* defined names whose sheet is not in the workbook (renamed by a
     * program that does not update defined names): found by content */
    struct lost {
        size_t kind;
        char *id, *sheet; /* the id in the name, the sheet it names */
    } *lost;
    size_t nlost, lost_cap;
} sheet_ids;

static int add_lost(sheet_ids *si, size_t kind, const char *id, const char *sheet)
{
    if (si->nlost >= 10000)
        return 1; /* enough said */
    if (si->nlost == si->lost_cap) {
        size_t cap = si->lost_cap ? si->lost_cap * 2 : 8;
        struct lost *nl = realloc(si->lost, cap * sizeof *nl);
        if (!nl)
            return 0;
        si->lost = nl;
        si->lost_cap = cap;
    }
    struct lost *l = &si->lost[si->nlost];
    l->kind = kind;
    l->id = pb_strdup(id);
    l->sheet = pb_strdup(sheet);
    if (!l->id || !l->sheet) {
        free(l->id), free(l->sheet);
        return 0;
    }
    si->nlost++;
    return 1;
}

/* Which sheet is which kind, from the defined names.  0 when out of
 * memory. */
static int ids_from_names(const pb_api *api, pb_xr_book *book, sheet_ids *si)
{
    for (size_t i = 0; i < pb_xr_name_count(book); i++) {
        const char *formula;
        int scope;
        const char *name = pb_xr_name(book, i, &formula, &scope);
        for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
            size_t pl = strlen(kinds[k].prefix);
            if (strncmp(name, kinds[k].prefix, pl) || !name[pl])
                continue;
            char sheet[256];
            if (!xr_name_sheet(formula, sheet, sizeof sheet))
                continue;
            int64_t s = xr_name_sheet_find(book, sheet);
            if (!api->pb_id_valid(name + pl, strlen(name + pl)))
                continue;
            if (s < 0) {
                if (!add_lost(si, k, name + pl, sheet))
                    return 0;
                continue;
            }
            if (si->ids[s])
                continue;
            si->kind_of[s] = k;
            if (!(si->ids[s] = pb_strdup(name + pl)))
                return 0;
        }
    }
    return 1;
}

/* What a sheet without a defined name shows, for finding a part whose
 * sheet was renamed: its A1, and its layout (0 a budget table, 1 a
 * dashboard: headings Group, Ref; 2 a register or records: heading ID;
 * 3 anything else, such as a heat map). */
typedef struct unnamed {
    size_t sheet;
    char *a1;
    int layout, taken;
} unnamed;

static int layout_of_kind(size_t kind)
{
    static const int layouts[] = {0, 1, 2, 3, 2, 3}; /* tbl_, ind_, reg_, heat_, rec_, dsc_ */
    return layouts[kind];
}

static int layout_of_grid(const pb_xr_book *book, const pb_xr_grid *g)
{
    for (size_t i = 0; i < g->ncells && g->cells[i].row < 20; i++) {
        const pb_xr_cell *c = &g->cells[i];
        if (c->col != 0 || c->type != PB_XR_STRING)
            continue;
        const char *v = pb_xr_cell_value(book, g, c, NULL);
        const pb_xr_cell *next = i + 1 < g->ncells ? &g->cells[i + 1] : NULL;
        if (!strcmp(v, "Group") && next && next->row == c->row && next->col == 1 &&
            next->type == PB_XR_STRING && !strcmp(pb_xr_cell_value(book, g, next, NULL), "Ref"))
            return 1;
        if (!strcmp(v, "ID"))
            return 2;
    }
    return xr_budget_looks_like(book, g) ? 0 : 3;
}

static int unnamed_sheets(xr_plan_ctx *x, const sheet_ids *si, unnamed **out, size_t *n)
{
    *out = calloc(si->n ? si->n : 1, sizeof **out);
    *n = 0;
    if (!*out)
        return xr_fail(x->err, PB_ERR_NOMEM, NULL, NULL, "out of memory");
    for (size_t i = 0; i < si->n; i++) {
        const char *name = pb_xr_sheet_name(x->book, i);
        if (si->ids[i] || (int64_t)i == x->structure_sheet || !strcmp(name, "Contents") ||
            !strcmp(name, "Findings"))
            continue;
        pb_xr_grid *g = pb_xr_sheet_read(x->book, i, x->err);
        if (!g)
            return 0;
        unnamed *u = &(*out)[(*n)++];
        u->sheet = i;
        u->layout = layout_of_grid(x->book, g);
        if (g->ncells && g->cells[0].row == 0 && g->cells[0].col == 0 &&
            g->cells[0].type == PB_XR_STRING)
            u->a1 = pb_strdup(pb_xr_cell_value(x->book, g, &g->cells[0], NULL));
        pb_xr_grid_free(g);
    }
    return 1;
}

/* The sheet lost part l is on: in the first pass, the unclaimed sheet of
 * its layout whose A1 shows the name its sheet had (a part's sheet is
 * named after its title) or its id; in the second, the only sheet of its
 * layout left when it is the only part of that layout still lost.  -1
 * when none (or several) could be it. */
static int64_t find_lost(const sheet_ids *si, size_t l, const unnamed *u, size_t n, int pass)
{
    int layout = layout_of_kind(si->lost[l].kind);
    if (pass == 0) {
        for (size_t k = 0; k < n; k++)
            if (!u[k].taken && u[k].layout == layout && u[k].a1 &&
                (!strcmp(u[k].a1, si->lost[l].sheet) || !strcmp(u[k].a1, si->lost[l].id)))
                return (int64_t)k;
        return -1;
    }
    size_t lost_alike = 0, left = 0;
    int64_t last = -1;
    for (size_t j = 0; j < si->nlost; j++)
        lost_alike += si->lost[j].id && layout_of_kind(si->lost[j].kind) == layout;
    for (size_t k = 0; k < n; k++)
        if (!u[k].taken && u[k].layout == layout)
            left++, last = (int64_t)k;
    return lost_alike == 1 && left == 1 ? last : -1;
}

/* Lost parts found by pass `pass` of find_lost, read from the sheets
 * found (with a warning each): how many, or -1 when out of memory. */
static int claim_lost(xr_plan_ctx *x, sheet_ids *si, unnamed *u, size_t n, int pass)
{
    int found = 0;
    for (size_t l = 0; l < si->nlost; l++) {
        const struct lost *lo = &si->lost[l];
        int64_t k = lo->id ? find_lost(si, l, u, n, pass) : -1;
        if (k < 0)
            continue;
        size_t sheet = u[k].sheet;
        u[k].taken = 1;
        found++;
        si->kind_of[sheet] = lo->kind;
        si->ids[sheet] = lo->id; /* the lost entry gives its id up */
        si->lost[l].id = NULL;
        if (!xr_warn(x->warnings, "sheet '%s' is read as %s '%s': its defined name %s%s "
                                  "names the sheet '%s', which the workbook no longer has "
                                  "(renamed in a program that does not update defined names?)",
                     pb_xr_sheet_name(x->book, sheet),
                     kinds[lo->kind].read ? "table" : kinds[lo->kind].part, si->ids[sheet],
                     kinds[lo->kind].prefix, si->ids[sheet], lo->sheet))
            return -1;
    }
    return found;
}

/* Parts whose defined name names a sheet the workbook does not have:
 * each found by its sheet's content and read from there, or said to be
 * missing.  0 failed (err set). */
static int find_renamed(xr_plan_ctx *x, sheet_ids *si)
{
    if (!si->nlost)
        return 1;
    unnamed *u = NULL;
    size_t n = 0;
    int ok = unnamed_sheets(x, si, &u, &n);
    /* found by A1 first, then by elimination until nothing more is found */
    int found = ok ? claim_lost(x, si, u, n, 0) : -1;
    if (found >= 0)
        do
            found = claim_lost(x, si, u, n, 1);
        while (found > 0);
    ok = found == 0;
    for (size_t l = 0; ok && l < si->nlost; l++) {
        const struct lost *lo = &si->lost[l];
        if (!lo->id || !strcmp(kinds[lo->kind].prefix, "heat_")) /* a heat map is not read */
            continue;
        char left[300] = "";
        size_t at = 0;
        for (size_t j = 0; j < n && at + 40 < sizeof left; j++)
            if (!u[j].taken)
                at += (size_t)snprintf(left + at, sizeof left - at, "%s'%.30s'", at ? ", " : "",
                                       pb_xr_sheet_name(x->book, u[j].sheet));
        ok = xr_warn(x->warnings, "%s '%s' is not read: its defined name %s%s names the sheet "
                                  "'%s', which the workbook does not have, and no other sheet "
                                  "is clearly it (sheets without a name: %s)",
                     kinds[lo->kind].read ? "table" : kinds[lo->kind].part, lo->id,
                     kinds[lo->kind].prefix, lo->id, lo->sheet, at ? left : "none");
    }
    if (!ok)
        xr_fail(x->err, PB_ERR_NOMEM, NULL, NULL, "out of memory");
    for (size_t k = 0; k < n; k++)
        free(u[k].a1);
    free(u);
    return ok;
}

/* A table's name can differ from its id ('-' made '_', a long id cut, a
 * suffix): the structure sheet gives the id each name stands for.  0 when
 * out of memory. */
static int ids_from_structure(xr_plan_ctx *x, sheet_ids *si)
{
    for (size_t i = 0; i < si->n && x->structure; i++) {
        if (!si->ids[i])
            continue;
        char defined[PB_ID_MAX + 40];
        snprintf(defined, sizeof defined, "%s%s", kinds[si->kind_of[i]].prefix, si->ids[i]);
        const char *real = xr_structure_id(x, defined);
        if (real && strcmp(real, si->ids[i])) {
            char *copy = pb_strdup(real);
            if (!copy)
                return 0;
            free(si->ids[i]);
            si->ids[i] = copy;
        }
    }
    return 1;
}

/* A sheet without a table name: read as a table when it looks like one
 * (in a workbook planbook did not name, `named` 0), its id made from its
 * name.  1 to read it (si->ids[i] set), -1 not read, 0 failed (err set). */
static int unnamed_sheet(xr_plan_ctx *x, size_t i, int named, sheet_ids *si)
{
    const char *sname = pb_xr_sheet_name(x->book, i);
    pb_xr_grid *g = pb_xr_sheet_read(x->book, i, x->err);
    if (!g)
        return 0;
    int looks = !named && xr_budget_looks_like(x->book, g) && g->ncells;
    pb_xr_grid_free(g);
    if (!looks)
        return xr_warn(x->warnings, named ? "sheet '%s' is not a budget table; not read "
                                            "(this reader knows budget tables only)"
                                          : "sheet '%s' is not a table planbook wrote; not "
                                            "read (import it with a mapping)", sname)
                   ? -1
                   : xr_fail(x->err, PB_ERR_NOMEM, NULL, NULL, "out of memory");
    char id[80], fallback[32];
    snprintf(fallback, sizeof fallback, "sheet%zu", i + 1);
    xr_make_id(sname, fallback, id, sizeof id);
    char stem[80]; /* not base: that names the parameter */
    snprintf(stem, sizeof stem, "%s", id);
    for (int k = 2; x->api->pb_plan_find_table(x->plan, id, strlen(id)) >= 0; k++)
        snprintf(id, sizeof id, "%.60s_%d", stem, k);
    if (!(si->ids[i] = pb_strdup(id)) ||
        !xr_warn(x->warnings, "sheet '%s' has no table name (tbl_...); read as table '%s'",
                 sname, id))
        return xr_fail(x->err, PB_ERR_NOMEM, NULL, NULL, "out of memory");
    return 1;
}

/* Sheet i: a table read into the plan, another part's sheet listed in
 * parts, or passed over.  0 failed (err set). */
static int read_sheet(xr_plan_ctx *x, size_t i, int named, sheet_ids *si, pb_xr_parts *parts)
{
    const char *sname = pb_xr_sheet_name(x->book, i);
    char **ids = si->ids;
    const struct kind *kind = &kinds[si->kind_of[i]];
    if (!ids[i] && !strcmp(sname, "Findings"))
        return 1; /* the findings are worked out again */
    if ((int64_t)i == x->structure_sheet)
        return 1;
    if (ids[i] && kind->part) {
        /* another part's sheet: its part comes from the structure */
        if (!x->structure && strcmp(kind->part, "heatmap")) {
            if (!xr_warn(x->warnings, "sheet '%s' (%s '%s') is not read: the workbook has "
                                      "no planbook structure sheet to read it against",
                         sname, kind->part, ids[i]))
                return xr_fail(x->err, PB_ERR_NOMEM, NULL, NULL, "out of memory");
        } else if (!add_part(parts, kind->part, ids[i], i)) {
            return xr_fail(x->err, PB_ERR_NOMEM, NULL, NULL, "out of memory");
        }
        return 1;
    }
    if (!ids[i]) {
        int r = unnamed_sheet(x, i, named, si);
        if (r <= 0)
            return r == 0 ? 0 : 1;
        kind = &kinds[si->kind_of[i]];
    }
    if (x->api->pb_plan_find_table(x->plan, ids[i], strlen(ids[i])) >= 0)
        return xr_fail(x->err, PB_ERR_DUPLICATE, sname, NULL, "a second table '%s'", ids[i]);
    return kind->read(x, i, ids[i]) && xr_structure_apply(x, i, ids[i]);
}

pb_plan *pb_xr_read_plan_into(const pb_api *api, pb_xr_book *book, pb_plan *base,
                              pb_xr_parts *parts, pb_xr_warnings *warnings, pb_error *err)
{
    xr_plan_ctx ctx, *x = &ctx;
    memset(x, 0, sizeof *x);
    x->api = api;
    x->book = book;
    x->warnings = warnings;
    x->err = err;
    x->structure_sheet = -1;
    api->pb_error_clear(err);
    x->plan = base ? base : api->pb_plan_new();
    char *title = NULL;
    size_t ns = pb_xr_sheet_count(book);
    sheet_ids si = {calloc(ns ? ns : 1, sizeof(char *)), calloc(ns ? ns : 1, sizeof(size_t)), ns,
                    NULL, 0, 0};
    int ok = 0;
    /* what opening the book passed over comes first */
    const pb_xr_warnings *notes = pb_xr_book_notes(book);
    for (size_t i = 0; i < notes->count; i++)
        if (!xr_warn(warnings, "%s", notes->items[i])) {
            xr_fail(err, PB_ERR_NOMEM, NULL, NULL, "out of memory");
            goto out;
        }
    if (!x->plan || !si.ids || !si.kind_of || !ids_from_names(api, book, &si)) {
        xr_fail(err, PB_ERR_NOMEM, NULL, NULL, "out of memory");
        goto out;
    }
    /* in a workbook planbook wrote (it names its tables), a sheet without
     * a name is of a kind this reader does not know yet */
    if (!xr_structure_open(x, xr_structure_sheet(book)))
        goto out;
    if (!find_renamed(x, &si))
        goto out;
    if (!ids_from_structure(x, &si)) {
        xr_fail(err, PB_ERR_NOMEM, NULL, NULL, "out of memory");
        goto out;
    }
    int named = x->structure_sheet >= 0;
    for (size_t i = 0; i < ns; i++)
        named |= si.ids[i] != NULL;
    int64_t contents = pb_xr_sheet_find(book, "Contents");
    named |= contents >= 0 && pb_xr_sheet_find(book, "Findings") >= 0;
    if (contents >= 0 && !si.ids[contents] && !read_contents(x, (size_t)contents, &title))
        goto out;
    x->plan_title = title;
    ok = 1;
    for (size_t i = 0; i < ns && ok; i++)
        if ((int64_t)i != contents || si.ids[i])
            ok = read_sheet(x, i, named, &si, parts);
out:
    free(title);
    if (si.ids)
        for (size_t i = 0; i < ns; i++)
            free(si.ids[i]);
    free(si.ids);
    free(si.kind_of);
    for (size_t i = 0; i < si.nlost; i++)
        free(si.lost[i].id), free(si.lost[i].sheet);
    free(si.lost);
    xr_structure_close(x);
    if (!ok) {
        if (x->plan != base)
            api->pb_plan_free(x->plan);
        if (parts)
            pb_xr_parts_free(parts);
        return NULL;
    }
    return x->plan;
}
