/* pb_xlsx_spool.c - libxlsxwriter's temporary files kept in memory while
 * they are small (Linux, where setup.py links with --wrap=lxw_tmpfile).
 *
 * libxlsxwriter makes a temporary file for every sheet's rows (constant
 * memory mode) and another for every part it packages (each sheet's XML,
 * its comments, drawings and relationships, the styles ...): 1,250 files
 * for a plan of 300 tables, each created, written, read back into the zip
 * and deleted.  On Linux each creation is an inode allocated in the save's
 * folder, and on ext4 the allocator scans past every inode deleted in the
 * last minutes: `perf` put 40% of such a save in the kernel's inode search
 * (docs/decisions.md, "libxlsxwriter's temporary files in memory").
 *
 * Here each of those files is a stdio stream over a buffer (glibc's
 * fopencookie) while the save's budget lasts; one that would pass it is
 * moved into a real temporary file (libxlsxwriter's own, in the same
 * folder) and goes on there.  The budget (PB_XLSX_SPOOL_BYTES for the
 * whole save, less while the sheets are written so that the packaging's
 * short-lived parts keep room) makes the memory a save takes a constant,
 * not a growth with its rows.  A stream the library leaves open (it does
 * after a failure) is closed when the save ends; a write that fails while
 * a file is moved to disk is kept (xl_spool_set.err) for the save to report,
 * since libxlsxwriter does not check its writes.  Out of memory here is
 * never a failure: the file goes to disk as without this. */
#define _GNU_SOURCE 1
#include "pb_xlsx_private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The budget: PLANBOOK_XLSX_SPOOL (bytes; 0 puts every file on disk as
 * libxlsxwriter would), which the tests use to take the paths to disk with
 * small plans, else PB_XLSX_SPOOL_BYTES.  Read where the environment is
 * stable (pb_xlsx_default_options), never during a save. */
size_t xl_spool_env_budget(void)
{
    const char *v = getenv("PLANBOOK_XLSX_SPOOL");
    if (!v || !*v)
        return PB_XLSX_SPOOL_BYTES;
    char *end;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    return *end || errno || n > PB_XLSX_SPOOL_BYTES * 64 ? PB_XLSX_SPOOL_BYTES : (size_t)n;
}

#ifdef PB_XLSX_TMPFILE_WRAP

#ifdef __GLIBC__
typedef off64_t xl_cookie_off; /* the type of fopencookie's seek */
#else
typedef off_t xl_cookie_off; /* musl */
#endif

typedef struct xl_spool {
    struct xl_spool *next;
    xl_spool_set *set;
    FILE *f;       /* the stream given to libxlsxwriter */
    FILE *disk;    /* the real file once moved there, else NULL */
    char *tmpdir;  /* where to move it (libxlsxwriter's tmpdir) */
    char *buf;
    size_t len, cap, pos;
    int closed;
} xl_spool;

/* the save running in this thread (saves run without the GIL, in parallel) */
static _Thread_local xl_spool_set *xl_spool_current;

FILE *__real_lxw_tmpfile(char *tmpdir);
FILE *__wrap_lxw_tmpfile(char *tmpdir);

static void spool_fail(xl_spool *s, int e)
{
    if (!s->set->err)
        s->set->err = e ? e : EIO;
}

static void spool_drop_buffer(xl_spool *s)
{
    s->set->used -= s->cap;
    free(s->buf);
    s->buf = NULL;
    s->cap = 0;
}

/* Move the stream's bytes into a real temporary file; 0 on failure. */
static int spool_to_disk(xl_spool *s)
{
    errno = 0;
    FILE *d = __real_lxw_tmpfile(s->tmpdir);
    if (!d) {
        spool_fail(s, errno);
        return 0;
    }
    if ((s->len && fwrite(s->buf, 1, s->len, d) != s->len) ||
        fseeko(d, (off_t)s->pos, SEEK_SET) != 0) {
        spool_fail(s, errno);
        fclose(d);
        return 0;
    }
    s->disk = d;
    spool_drop_buffer(s);
    return 1;
}

/* Room for `need` bytes in memory within the budget; 0 when not. */
static int spool_room(xl_spool *s, size_t need)
{
    if (need <= s->cap)
        return 1;
    size_t cap = s->cap ? s->cap : 16384;
    while (cap < need)
        cap *= 2;
    xl_spool_set *set = s->set;
    if (set->used - s->cap + cap > set->limit)
        return 0;
    char *nb = realloc(s->buf, cap);
    if (!nb)
        return 0;
    set->used += cap - s->cap;
    s->buf = nb;
    s->cap = cap;
    return 1;
}

static ssize_t spool_write(void *c, const char *data, size_t n)
{
    xl_spool *s = c;
    if (!s->disk && s->pos + n > s->len && !spool_room(s, s->pos + n) && !spool_to_disk(s))
        return -1;
    if (s->disk) {
        size_t w = fwrite(data, 1, n, s->disk);
        if (w != n)
            spool_fail(s, errno);
        return w ? (ssize_t)w : -1;
    }
    memcpy(s->buf + s->pos, data, n);
    s->pos += n;
    if (s->pos > s->len)
        s->len = s->pos;
    return (ssize_t)n;
}

static ssize_t spool_read(void *c, char *data, size_t n)
{
    xl_spool *s = c;
    if (s->disk) {
        size_t r = fread(data, 1, n, s->disk);
        if (r < n && ferror(s->disk)) {
            spool_fail(s, errno);
            return r ? (ssize_t)r : -1;
        }
        return (ssize_t)r;
    }
    size_t left = s->pos < s->len ? s->len - s->pos : 0;
    if (n > left)
        n = left;
    memcpy(data, s->buf + s->pos, n);
    s->pos += n;
    return (ssize_t)n;
}

static int spool_seek(void *c, xl_cookie_off *offset, int whence)
{
    xl_spool *s = c;
    if (s->disk) {
        if (fseeko(s->disk, (off_t)*offset, whence) != 0)
            return -1;
        off_t at = ftello(s->disk);
        if (at < 0)
            return -1;
        *offset = at;
        return 0;
    }
    long long base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (long long)s->pos
                                                                  : (long long)s->len;
    long long at = base + (long long)*offset;
    if (at < 0) {
        errno = EINVAL;
        return -1;
    }
    if ((size_t)at > s->len) { /* past the end: zeros up to there, as a file */
        if (!spool_room(s, (size_t)at)) {
            s->pos = s->len;
            if (!spool_to_disk(s) || fseeko(s->disk, (off_t)at, SEEK_SET) != 0)
                return -1;
            *offset = at;
            return 0;
        }
        memset(s->buf + s->len, 0, (size_t)at - s->len);
        s->len = (size_t)at;
    }
    s->pos = (size_t)at;
    *offset = at;
    return 0;
}

static int spool_close(void *c)
{
    xl_spool *s = c;
    int rc = 0;
    if (s->disk && fclose(s->disk) != 0) {
        spool_fail(s, errno);
        rc = -1;
    }
    s->disk = NULL;
    spool_drop_buffer(s);
    s->closed = 1;
    return rc;
}

FILE *__wrap_lxw_tmpfile(char *tmpdir)
{
    xl_spool_set *set = xl_spool_current;
    xl_spool *s = set ? calloc(1, sizeof *s) : NULL;
    if (!s)
        return __real_lxw_tmpfile(tmpdir);
    s->set = set;
    if (tmpdir && !(s->tmpdir = strdup(tmpdir))) {
        free(s);
        return __real_lxw_tmpfile(tmpdir);
    }
    cookie_io_functions_t io = {spool_read, spool_write, spool_seek, spool_close};
    s->f = fopencookie(s, "w+", io);
    if (!s->f) {
        free(s->tmpdir);
        free(s);
        return __real_lxw_tmpfile(tmpdir);
    }
    s->next = set->head;
    set->head = s;
    return s->f;
}

void xl_spool_begin(xl_spool_set *set, size_t budget)
{
    memset(set, 0, sizeof *set);
    set->budget = budget;
    set->limit = set->budget - set->budget / 4;
    xl_spool_current = set->budget ? set : NULL;
}

void xl_spool_packaging(xl_spool_set *set)
{
    set->limit = set->budget;
}

void xl_spool_end(xl_spool_set *set)
{
    xl_spool_current = NULL;
    int saved = errno;
    for (xl_spool *s = set->head, *next; s; s = next) {
        next = s->next;
        if (!s->closed) /* left open by libxlsxwriter: its stream is still ours */
            fclose(s->f);
        free(s->tmpdir);
        free(s);
    }
    set->head = NULL;
    errno = saved;
}

#else /* no wrap: libxlsxwriter makes its files itself */

void xl_spool_begin(xl_spool_set *set, size_t budget)
{
    memset(set, 0, sizeof *set);
    set->budget = budget;
}

void xl_spool_packaging(xl_spool_set *set)
{
    (void)set;
}

void xl_spool_end(xl_spool_set *set)
{
    (void)set;
}

#endif
