/* pb_xlsx.c - the workbook driver: checks the plan, names and adds the
 * sheets in their order (Contents, the budget tables, dashboards, risk
 * registers with their heat maps, records, Findings, the hidden
 * structure sheet), has each written by its writer, sets the document
 * properties and the parts' defined names, then closes the package and
 * reads it back.  The sheet writers are in pb_xlsx_contents.c,
 * pb_xlsx_budget.c, pb_xlsx_dash.c, pb_xlsx_more.c and
 * pb_xlsx_structure.c; the shared helpers in pb_xlsx_text.c. */
#define _POSIX_C_SOURCE 200809L
#include "pb_xlsx_private.h"
#include "pb_platform.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define A (x->api)

pb_xlsx_options pb_xlsx_default_options(void)
{
    pb_xlsx_options o = {1, 1, NULL, NULL, 0, NULL, NULL, xl_spool_env_budget()};
    return o;
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
    for (size_t d = 0; d < xl_part_count(x, XL_INDSETS); d++)
        if (!xl_define_sheet_name(x, "ind_", xl_part_id(x, XL_INDSETS, d), x->dash_names[d]))
            return 0;
    for (size_t k = 0; k < xl_part_count(x, XL_REGISTERS); k++) {
        const char *id = xl_part_id(x, XL_REGISTERS, k);
        if (!xl_define_sheet_name(x, "reg_", id, x->reg_names[k]) ||
            !xl_define_sheet_name(x, "heat_", id, x->heat_names[k]))
            return 0;
    }
    for (size_t k = 0; k < xl_part_count(x, XL_COLLECTIONS); k++)
        if (!xl_define_sheet_name(x, "rec_", xl_part_id(x, XL_COLLECTIONS, k), x->coll_names[k]))
            return 0;
    for (size_t k = 0; k < xl_part_count(x, XL_DESCRIBED); k++)
        if (!xl_define_sheet_name(x, "dsc_", xl_part_id(x, XL_DESCRIBED, k), x->desc_names[k]))
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
    void *arrays[] = {x->sheet_names, x->table_names, x->part_names,  x->sheets,
                      x->dash_names,  x->dash_sheets, x->reg_names,   x->heat_names,
                      x->coll_names,  x->reg_sheets,  x->heat_sheets, x->coll_sheets,
                      x->desc_names,  x->desc_sheets};
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++)
        free(arrays[i]);
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
 * by the library and is closed here.  A second descriptor on each file
 * (`hold`, taken before the close, given back after) keeps its inode in
 * use meanwhile, so a descriptor the library closed and another thread
 * reopened (the binding writes without the GIL; so may any other thread)
 * names another inode: never taken for ours.  Without a hold (no
 * descriptor left to take one) the file is left open: a leak, never a
 * second fclose.  On Windows the library's files are deleted on close and
 * inodes cannot be compared: nothing is done there. */
typedef struct xl_tmpref {
    FILE *f;
    pb_file_id id;
    int hold; /* a duplicate of id.fd, or -1 */
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
        t->refs[t->n].hold = pb_file_hold(&id);
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
    for (size_t k = 0; k < t->n; k++) {
        if (t->refs[k].hold < 0)
            continue;
        if (pb_file_is_deleted(&t->refs[k].id))
            fclose(t->refs[k].f);
        pb_file_unhold(t->refs[k].hold);
    }
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

/* ============================================================ steps */

/* Create the workbook at path and its formats. */
static int open_workbook(xl_ctx *x, const char *path, const pb_xlsx_options *opt,
                         int *sys_errno)
{
    lxw_workbook_options wo;
    memset(&wo, 0, sizeof wo);
    wo.constant_memory = opt->constant_memory ? LXW_TRUE : LXW_FALSE;
    wo.tmpdir = (char *)opt->tmpdir;
    errno = 0;
    x->wb = workbook_new_opt(path, &wo);
    if (!x->wb) {
        if (io_errno(errno))
            *sys_errno = errno;
        return xl_failf(x, PB_ERR_IO, "cannot create the workbook '%s'%s%s", path,
                        *sys_errno ? ": " : "", *sys_errno ? strerror(*sys_errno) : "");
    }
    return xl_make_formats(x);
}

/* libxlsxwriter's constant-memory mode gives every sheet a row buffer of a
 * pointer per Excel column (16,384: 128 KiB) from its creation until the
 * workbook closes: 380 MB for a plan of 2,900 tables (calloc'd from the
 * heap it is all resident).  All sheets are made first (the workbook's
 * order), so the buffer is put away as a sheet is made (sheet_park), made
 * again just before the sheet is written (sheet_open; each sheet is
 * written by one function, never after it) and given back once it is
 * (sheet_done, which first writes the sheet's last row out as the packager
 * would; the packager then skips the row, nothing being left in it): one
 * buffer at a time.  Cell formats are numbered as their cells are written
 * out, so a format first used on a sheet's last row now takes its number
 * before the next sheet's formats (the same workbook, its styles listed in
 * another order). */
static void sheet_park(lxw_worksheet *ws)
{
    if (ws && ws->optimize && ws->optimize_row && ws->array && ws->dim_rowmax == 0 &&
        ws->dim_rowmin == LXW_ROW_MAX) { /* nothing written yet */
        free(ws->array);
        ws->array = NULL;
    }
}

/* A new sheet, its row buffer put away until it is written. */
static lxw_worksheet *add_sheet(lxw_workbook *wb, const char *name)
{
    lxw_worksheet *ws = workbook_add_worksheet(wb, name);
    sheet_park(ws);
    return ws;
}

static int sheet_open(xl_ctx *x, lxw_worksheet *ws)
{
    if (ws && ws->optimize && !ws->array &&
        !(ws->array = calloc(LXW_COL_MAX, sizeof *ws->array)))
        return xl_failf(x, PB_ERR_NOMEM, "out of memory");
    return 1;
}

static int sheet_done(xl_ctx *x, lxw_worksheet *ws)
{
    (void)x;
    if (ws && ws->optimize && ws->array && ws->optimize_row) {
        lxw_worksheet_write_single_row(ws);
        free(ws->array); /* (libxlsxwriter frees every entry up to 16,384 or none) */
        ws->array = NULL;
    }
    return 1;
}

/* Add the sheets in the workbook's order (each may make a temporary
 * file: one that cannot be made says why in errno). */
static int add_sheets(xl_ctx *x, const pb_xlsx_options *opt, int *sys_errno)
{
    size_t nt = A->pb_plan_table_count(x->plan), nd = A->pb_plan_indset_count(x->plan);
    size_t nreg = A->pb_plan_register_count(x->plan);
    size_t ncol = A->pb_plan_collection_count(x->plan);
    lxw_workbook *wb = x->wb;
    errno = 0;
    int all = (x->contents_ws = add_sheet(wb, x->contents_name)) != NULL;
    for (size_t t = 0; t < nt && all; t++)
        all = (x->sheets[t] = add_sheet(wb, x->sheet_names[t])) != NULL;
    for (size_t d = 0; d < nd && all; d++)
        all = (x->dash_sheets[d] = add_sheet(wb, x->dash_names[d])) != NULL;
    for (size_t k = 0; k < nreg && all; k++)
        all = (x->reg_sheets[k] = add_sheet(wb, x->reg_names[k])) &&
              (x->heat_sheets[k] = add_sheet(wb, x->heat_names[k]));
    for (size_t k = 0; k < ncol && all; k++)
        all = (x->coll_sheets[k] = add_sheet(wb, x->coll_names[k])) != NULL;
    for (size_t k = 0; k < xl_part_count(x, XL_DESCRIBED) && all; k++)
        all = (x->desc_sheets[k] = add_sheet(wb, x->desc_names[k])) != NULL;
    all = all && (x->findings_ws = add_sheet(wb, x->findings_name)) &&
          (x->structure_ws = add_sheet(wb, x->structure_name));
    if (all)
        return 1;
    if (!io_errno(errno))
        return xl_failf(x, PB_ERR_NOMEM, "cannot add a worksheet");
    *sys_errno = errno;
    return xl_failf(x, PB_ERR_IO, "cannot create a temporary file for a worksheet in '%s': %s",
                    opt->tmpdir ? opt->tmpdir : "the system's temporary folder",
                    strerror(*sys_errno));
}

/* Every sheet's contents, the defined names and the properties. */
static int write_sheets(xl_ctx *x, const pb_xlsx_options *opt)
{
    size_t nt = A->pb_plan_table_count(x->plan), nd = A->pb_plan_indset_count(x->plan);
    size_t nreg = A->pb_plan_register_count(x->plan);
    size_t ncol = A->pb_plan_collection_count(x->plan);
    if (!sheet_open(x, x->contents_ws) || !xl_contents_sheet(x, x->contents_ws) ||
        !sheet_done(x, x->contents_ws))
        return 0;
    for (size_t t = 0; t < nt; t++)
        if (!sheet_open(x, x->sheets[t]) || !xl_budget_sheet(x, t) || !sheet_done(x, x->sheets[t]))
            return 0;
    for (size_t d = 0; d < nd; d++)
        if (!sheet_open(x, x->dash_sheets[d]) || !xl_dashboard_sheet(x, d, x->dash_sheets[d]) ||
            !sheet_done(x, x->dash_sheets[d]))
            return 0;
    for (size_t k = 0; k < nreg; k++)
        if (!sheet_open(x, x->reg_sheets[k]) || !sheet_open(x, x->heat_sheets[k]) ||
            !xl_register_sheet(x, k, x->reg_sheets[k], x->heat_sheets[k]) ||
            !sheet_done(x, x->reg_sheets[k]) || !sheet_done(x, x->heat_sheets[k]))
            return 0;
    for (size_t k = 0; k < ncol; k++)
        if (!sheet_open(x, x->coll_sheets[k]) || !xl_record_sheet(x, k, x->coll_sheets[k]) ||
            !sheet_done(x, x->coll_sheets[k]))
            return 0;
    for (size_t k = 0; k < xl_part_count(x, XL_DESCRIBED); k++)
        if (!sheet_open(x, x->desc_sheets[k]) || !xl_described_sheet(x, k, x->desc_sheets[k]) ||
            !sheet_done(x, x->desc_sheets[k]))
            return 0;
    if (!sheet_open(x, x->findings_ws) || !xl_findings_sheet(x, x->findings_ws) ||
        !sheet_done(x, x->findings_ws) || !part_names(x) || !sheet_open(x, x->structure_ws) ||
        !xl_structure_sheet(x, x->structure_ws, opt->structure_yaml, opt->structure_len))
        return 0;
    set_properties(x);
    return 1;
}

/* Close the workbook (ok: everything so far succeeded) and read the
 * package back; returns whether it is sound, with *sys_errno the system's
 * reason for a failure. */
static int close_workbook(xl_ctx *x, const char *path, const pb_xlsx_options *opt, int ok,
                          int *sys_errno)
{
    /* a failed write of a sheet's rows left its errno (libxlsxwriter
     * ignores it; only failing calls set errno, and write_errno() values
     * only failing writes) */
    int rows_errno = errno;
    xl_tmpfiles tmp;
    if (!tmpfiles_record(x->wb, &tmp))
        ok = xl_failf(x, PB_ERR_NOMEM, "out of memory");
    if (ok && (tmp.flush_errno || tmp.lost || x->spool->err)) {
        *sys_errno = tmp.flush_errno ? tmp.flush_errno
                     : x->spool->err ? x->spool->err
                     : write_errno(rows_errno) ? rows_errno : 0;
        ok = xl_failf(x, PB_ERR_IO, "writing a temporary file of the workbook failed%s%s",
                      *sys_errno ? ": " : " (data was lost)",
                      *sys_errno ? strerror(*sys_errno) : "");
    }
    xl_spool_packaging(x->spool);
    xl_zipcheck *zc = ok ? xl_zipcheck_begin() : NULL;
    errno = 0;
    lxw_error e = workbook_close(x->wb);
    int close_errno = io_errno(errno) ? errno : x->spool->err; /* a file moved to disk */
    x->wb = NULL;
    tmpfiles_close_left(&tmp);
    if (ok && e != LXW_NO_ERROR) {
        xl_zipcheck_end(zc);
        if (!io_errno(close_errno))
            return xl_fail(x, e, "writing the workbook failed");
        *sys_errno = close_errno;
        return xl_failf(x, PB_ERR_IO, "writing the workbook failed: %s", strerror(close_errno));
    }
    /* libxlsxwriter does not check its writes to temporary files: its
     * parts were checked on their way into the zip and the package is
     * checked against them (pb_xlsx_zipcheck.c), else it is read back in
     * full, before anyone relies on it */
    char why[300];
    if (!ok) {
        xl_zipcheck_end(zc);
        return ok;
    }
    void *unlocked = opt->unlock ? opt->unlock() : NULL;
    int sound = xl_zipcheck_verify(zc, path, why, sizeof why);
    if (sound < 0)
        sound = xl_verify_package(path, why, sizeof why);
    xl_zipcheck_end(zc);
    if (opt->unlock)
        opt->relock(unlocked);
    if (sound)
        return ok;
    if (write_errno(close_errno) || tmpfiles_ran_out_of_space(&tmp, path)) {
        *sys_errno = write_errno(close_errno) ? close_errno : ENOSPC;
        return xl_failf(x, PB_ERR_IO, "writing the workbook failed: %s (%s)",
                        strerror(*sys_errno), why);
    }
    return xl_failf(x, PB_ERR_IO, "the workbook was damaged while it was written: %s", why);
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
    xl_spool_set spool;
    xl_spool_begin(&spool, opt.spool_bytes);
    x->spool = &spool;
    if (pb_c_numeric_begin(&numeric))
        xl_failf(x, PB_ERR_NOMEM, "out of memory");
    else
        ok = !A->pb_plan_check(plan, &x->findings, err) && xl_name_sheets(x) &&
             open_workbook(x, path, &opt, &sys_errno) && add_sheets(x, &opt, &sys_errno) &&
             write_sheets(x, &opt);
    if (x->wb)
        ok = close_workbook(x, path, &opt, ok, &sys_errno);
    xl_spool_end(&spool);
    pb_c_numeric_end(&numeric);
    ctx_free(x);
    if (!ok && err->status == PB_OK)
        A->pb_error_set(err, PB_ERR_IO, "writing the workbook failed");
    /* the system's reason, for callers that map it (docs in pb_xlsx.h) */
    errno = ok ? 0 : sys_errno;
    return ok ? PB_OK : err->status;
}
