/* pb_xlsx_zipcheck.c - the workbook's parts checked as they go into the
 * zip, and the written package checked against them without inflating it
 * (Linux, where setup.py links the static libxlsxwriter with
 * --wrap=zipOpenNewFileInZip4_64, zipWriteInFileInZip, zipCloseFileInZip
 * and deflate).
 *
 * What the read-back (pb_xlsx_verify.c) exists for is a part that lost a
 * chunk in one of libxlsxwriter's temporary files (it does not check its
 * writes to them).  The part's bytes pass through zipWriteInFileInZip on
 * their way from that file into the package, so the same XML and UTF-8
 * check reads them there, and their CRC-32 and size are kept.  deflate's
 * output is summed too (a CRC-32 of each member's compressed bytes).  After
 * the package is closed, its headers are read: every member in the central
 * directory and its local header must be the one that went in (name,
 * method, CRC, sizes), the members must follow one another with the
 * directory right after the last, and each member's compressed bytes in
 * the file must have the CRC of what deflate gave.  Every byte of the file
 * is then accounted for, and none is inflated: what is left unchecked is
 * deflate itself (that its output inflates to its input), which the full
 * read-back also checked (docs/decisions.md, "the save's read-back on the
 * way in").  Where the wraps are not linked (macOS, Windows, a system
 * libxlsxwriter) xl_zipcheck_begin returns NULL and the save reads the
 * package back in full, as before. */
#define _POSIX_C_SOURCE 200809L
#define PB_PLATFORM_THREADS 1
#include "pb_xlsx_private.h"
#include "pb_platform.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef PB_XLSX_ZIP_WRAP
#include <stdatomic.h>
#include <xlsxwriter/packager.h> /* minizip's zip.h, as the library has it */
#include <zlib.h>

typedef struct xl_zip_member {
    char *name;
    size_t nlen;
    int method;
    uint64_t usize, csize;
    uLong crc, ccrc; /* of the bytes that went in; of deflate's output */
} xl_zip_member;

/* The XML parts' bytes go to a second thread in blocks (a ring of them),
 * which checks them while the save deflates: the check was ~150 ms of CPU
 * of a 1.05M-cell save, on a core that is otherwise idle.  Without a second
 * CPU or a thread, or while another save of the process is checking its
 * parts (xl_zip_saving), the check runs here, on the save's thread. */
#define XQ_BLOCKS 8
#define XQ_BLOCK 65536

typedef struct xq_block {
    unsigned char *data;
    size_t len;
    size_t member; /* its index in m */
    int first, last; /* the member's first and last block */
} xq_block;

struct xl_zipcheck {
    xl_zip_member *m;
    size_t n, cap;
    int open;        /* a member is being written (m[n - 1]) */
    int failed;      /* out of memory, or calls not as expected: read back in full */
    int xml;         /* the open member is an XML part */
    xl_xml_check *xc;
    char bad[300];   /* the first part found damaged on its way in */
#ifdef PB_PLATFORM_HAS_THREADS
    int threaded;    /* the check runs on `thread` */
    int first;       /* the next block is the open member's first */
    xq_block *cur;   /* the block being filled, or NULL */
    pb_thread thread;
    pb_mutex mu;
    pb_cond cv;
    xq_block q[XQ_BLOCKS];
    size_t produced, consumed; /* blocks handed over, blocks checked */
    int stop;
    size_t bad_member; /* the first XML part the thread found damaged, or SIZE_MAX */
#endif
};

/* the save running in this thread (saves run without the GIL, in parallel) */
static _Thread_local xl_zipcheck *xl_zip_current;
/* saves of this process between xl_zipcheck_begin and _end: the check
 * takes a thread of its own only in a save that runs alone (two saves on
 * two threads already keep two cores busy: a checking thread each would
 * only share them out) */
static atomic_int xl_zip_saving;
/* members checked on their way in by this thread's saves (for the tests) */
static _Thread_local unsigned long xl_zip_checked;

int __real_zipOpenNewFileInZip4_64(zipFile file, const char *filename, const zip_fileinfo *zipfi,
                                   const void *extrafield_local, uInt size_extrafield_local,
                                   const void *extrafield_global, uInt size_extrafield_global,
                                   const char *comment, int method, int level, int raw,
                                   int windowBits, int memLevel, int strategy,
                                   const char *password, uLong crcForCrypting,
                                   uLong versionMadeBy, uLong flagBase, int zip64);
int __wrap_zipOpenNewFileInZip4_64(zipFile file, const char *filename, const zip_fileinfo *zipfi,
                                   const void *extrafield_local, uInt size_extrafield_local,
                                   const void *extrafield_global, uInt size_extrafield_global,
                                   const char *comment, int method, int level, int raw,
                                   int windowBits, int memLevel, int strategy,
                                   const char *password, uLong crcForCrypting,
                                   uLong versionMadeBy, uLong flagBase, int zip64);
int __real_zipWriteInFileInZip(zipFile file, const void *buf, unsigned len);
int __wrap_zipWriteInFileInZip(zipFile file, const void *buf, unsigned len);
int __real_zipCloseFileInZip(zipFile file);
int __wrap_zipCloseFileInZip(zipFile file);
int __real_deflate(z_streamp strm, int flush);
int __wrap_deflate(z_streamp strm, int flush);

#ifdef PB_PLATFORM_HAS_THREADS
/* The checking thread: each block in turn, until told to stop. */
static void xq_main(void *arg)
{
    xl_zipcheck *z = arg;
    int found = 0; /* a damaged part was found: the rest is only consumed */
    pb_mutex_lock(&z->mu);
    for (;;) {
        while (z->consumed == z->produced && !z->stop)
            pb_cond_wait(&z->cv, &z->mu);
        if (z->consumed == z->produced)
            break;
        xq_block *b = &z->q[z->consumed % XQ_BLOCKS];
        pb_mutex_unlock(&z->mu);
        if (!found) {
            if (b->first)
                xl_xml_reset(z->xc);
            xl_xml_feed(z->xc, b->data, b->len);
            if (b->last && !xl_xml_ok(z->xc))
                found = 1;
        }
        pb_mutex_lock(&z->mu);
        if (found && z->bad_member == SIZE_MAX)
            z->bad_member = b->member;
        z->consumed++;
        pb_cond_broadcast(&z->cv);
    }
    pb_mutex_unlock(&z->mu);
}

/* The next free block, to fill. */
static xq_block *xq_take(xl_zipcheck *z)
{
    pb_mutex_lock(&z->mu);
    while (z->produced - z->consumed == XQ_BLOCKS)
        pb_cond_wait(&z->cv, &z->mu);
    pb_mutex_unlock(&z->mu);
    xq_block *b = &z->q[z->produced % XQ_BLOCKS];
    b->len = 0;
    b->member = z->n - 1;
    b->first = z->first;
    b->last = 0;
    z->first = 0;
    return b;
}

/* Hand the block being filled to the thread. */
static void xq_give(xl_zipcheck *z, int last)
{
    if (!z->cur)
        z->cur = xq_take(z);
    z->cur->last = last;
    z->cur = NULL;
    pb_mutex_lock(&z->mu);
    z->produced++;
    pb_cond_broadcast(&z->cv);
    pb_mutex_unlock(&z->mu);
}

static void xq_feed(xl_zipcheck *z, const unsigned char *p, size_t n)
{
    while (n) {
        if (!z->cur)
            z->cur = xq_take(z);
        size_t k = XQ_BLOCK - z->cur->len < n ? XQ_BLOCK - z->cur->len : n;
        memcpy(z->cur->data + z->cur->len, p, k);
        z->cur->len += k;
        p += k;
        n -= k;
        if (z->cur->len == XQ_BLOCK)
            xq_give(z, 0);
    }
}

/* Start the thread (0: the check stays on the save's thread), when the
 * save runs alone. */
static int xq_start(xl_zipcheck *z, int alone)
{
    z->bad_member = SIZE_MAX;
    if (!alone || pb_cpu_count() < 2)
        return 0;
    size_t i = 0;
    for (; i < XQ_BLOCKS; i++)
        if (!(z->q[i].data = malloc(XQ_BLOCK)))
            break;
    if (i == XQ_BLOCKS && pb_mutex_init(&z->mu) == 0) {
        if (pb_cond_init(&z->cv) == 0) {
            if (pb_thread_start(&z->thread, xq_main, z) == 0)
                return z->threaded = 1;
            pb_cond_destroy(&z->cv);
        }
        pb_mutex_destroy(&z->mu);
    }
    while (i--) {
        free(z->q[i].data);
        z->q[i].data = NULL;
    }
    return 0;
}

/* Stop the thread once it has checked every block; its finding into bad. */
static void xq_stop(xl_zipcheck *z)
{
    if (!z->threaded)
        return;
    pb_mutex_lock(&z->mu);
    z->stop = 1;
    pb_cond_broadcast(&z->cv);
    pb_mutex_unlock(&z->mu);
    pb_thread_join(&z->thread);
    pb_cond_destroy(&z->cv);
    pb_mutex_destroy(&z->mu);
    for (size_t i = 0; i < XQ_BLOCKS; i++)
        free(z->q[i].data);
    z->threaded = 0;
    if (z->bad_member != SIZE_MAX && !z->bad[0])
        snprintf(z->bad, sizeof z->bad,
                 "part '%s' is not well-formed XML (data went missing while it was written)",
                 z->m[z->bad_member].name);
}
#else
static int xq_start(xl_zipcheck *z, int alone)
{
    (void)z;
    (void)alone;
    return 0;
}

static void xq_stop(xl_zipcheck *z)
{
    (void)z;
}
#endif

int __wrap_zipOpenNewFileInZip4_64(zipFile file, const char *filename, const zip_fileinfo *zipfi,
                                   const void *extrafield_local, uInt size_extrafield_local,
                                   const void *extrafield_global, uInt size_extrafield_global,
                                   const char *comment, int method, int level, int raw,
                                   int windowBits, int memLevel, int strategy,
                                   const char *password, uLong crcForCrypting,
                                   uLong versionMadeBy, uLong flagBase, int zip64)
{
    xl_zipcheck *z = xl_zip_current;
    if (z && !z->failed) {
        /* only what libxlsxwriter asks for: deflated or stored, not raw,
         * not encrypted, without extra fields (else read back in full) */
        if (z->open || raw || password || size_extrafield_local || size_extrafield_global ||
            (method != 0 && method != Z_DEFLATED) || !filename) {
            z->failed = 1;
        } else if (z->n == z->cap) {
            size_t ncap = z->cap ? z->cap * 2 : 64;
            xl_zip_member *nm = realloc(z->m, ncap * sizeof *nm);
            if (nm) {
                z->m = nm;
                z->cap = ncap;
            } else {
                z->failed = 1;
            }
        }
        if (!z->failed) {
            xl_zip_member *m = &z->m[z->n];
            memset(m, 0, sizeof *m);
            m->nlen = strlen(filename);
            m->name = malloc(m->nlen + 1);
            if (!m->name) {
                z->failed = 1;
            } else {
                memcpy(m->name, filename, m->nlen + 1);
                m->method = method;
                m->crc = m->ccrc = crc32(0L, Z_NULL, 0);
                z->n++;
                z->open = 1;
                z->xml = xl_is_xml(filename, m->nlen);
#ifdef PB_PLATFORM_HAS_THREADS
                z->first = 1; /* the thread resets its check at this block */
                if (!z->threaded)
#endif
                    xl_xml_reset(z->xc);
            }
        }
    }
    int r = __real_zipOpenNewFileInZip4_64(
        file, filename, zipfi, extrafield_local, size_extrafield_local, extrafield_global,
        size_extrafield_global, comment, method, level, raw, windowBits, memLevel, strategy,
        password, crcForCrypting, versionMadeBy, flagBase, zip64);
    if (r != ZIP_OK && z && z->open) { /* not added: the save fails; the check is left */
        z->open = 0;
        z->failed = 1;
    }
    return r;
}

int __wrap_zipWriteInFileInZip(zipFile file, const void *buf, unsigned len)
{
    xl_zipcheck *z = xl_zip_current;
    if (z && z->open && !z->failed && len) {
        xl_zip_member *m = &z->m[z->n - 1];
        m->crc = crc32(m->crc, buf, len);
        m->usize += len;
        if (m->method == 0) { /* stored: the bytes in the file are these */
            m->ccrc = m->crc;
            m->csize = m->usize;
        }
        if (z->xml && !z->bad[0]) {
#ifdef PB_PLATFORM_HAS_THREADS
            if (z->threaded)
                xq_feed(z, buf, len);
            else
#endif
                xl_xml_feed(z->xc, buf, len);
        }
    }
    return __real_zipWriteInFileInZip(file, buf, len);
}

/* minizip deflates into its buffer and writes the buffer out as it is */
int __wrap_deflate(z_streamp strm, int flush)
{
    xl_zipcheck *z = xl_zip_current;
    Bytef *from = strm->next_out;
    int r = __real_deflate(strm, flush);
    if (z && z->open && !z->failed && strm->next_out > from) {
        xl_zip_member *m = &z->m[z->n - 1];
        m->ccrc = crc32(m->ccrc, from, (uInt)(strm->next_out - from));
        m->csize += (uint64_t)(strm->next_out - from);
    }
    return r;
}

int __wrap_zipCloseFileInZip(zipFile file)
{
    xl_zipcheck *z = xl_zip_current;
    if (z && z->open && !z->failed) {
        xl_zip_member *m = &z->m[z->n - 1];
#ifdef PB_PLATFORM_HAS_THREADS
        if (z->xml && z->threaded)
            xq_give(z, 1); /* its verdict comes from the thread */
        else
#endif
        if (z->xml && !z->bad[0] && !xl_xml_ok(z->xc))
            snprintf(z->bad, sizeof z->bad,
                     "part '%s' is not well-formed XML (data went missing while it was written)",
                     m->name);
    }
    int r = __real_zipCloseFileInZip(file);
    if (z && z->open) {
        z->open = 0;
        xl_zip_checked++;
    }
    return r;
}

xl_zipcheck *xl_zipcheck_begin(void)
{
    xl_zipcheck *z = calloc(1, sizeof *z);
    if (z && !(z->xc = xl_xml_new())) {
        free(z);
        z = NULL;
    }
    if (z)
        xq_start(z, atomic_fetch_add(&xl_zip_saving, 1) == 0);
    xl_zip_current = z;
    return z;
}

void xl_zipcheck_end(xl_zipcheck *z)
{
    xl_zip_current = NULL;
    if (!z)
        return;
    xq_stop(z);
    atomic_fetch_sub(&xl_zip_saving, 1);
    for (size_t i = 0; i < z->n; i++)
        free(z->m[i].name);
    free(z->m);
    free(z->xc);
    free(z);
}

unsigned long xl_zipcheck_count(void)
{
    return xl_zip_checked;
}

static uint32_t rd16(const unsigned char *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t rd32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

#define BUF 65536

/* The end of central directory record: its position, the entries, the
 * directory's size and offset.  0 when the file does not end with one. */
static int read_end(FILE *f, long size, unsigned char *buf, long *eocd, uint32_t *entries,
                    uint32_t *cd_size, uint32_t *cd_off)
{
    /* minizip writes no comment: the record is the file's last 22 bytes */
    if (size < 22 || fseek(f, size - 22, SEEK_SET) || fread(buf, 1, 22, f) != 22 ||
        rd32(buf) != 0x06054b50 || rd16(buf + 20) != 0 || rd16(buf + 4) || rd16(buf + 6) ||
        rd16(buf + 8) != rd16(buf + 10))
        return 0;
    *eocd = size - 22;
    *entries = rd16(buf + 10);
    *cd_size = rd32(buf + 12);
    *cd_off = rd32(buf + 16);
    return 1;
}

/* Member e of the directory (its record at *cd_pos) against what went in,
 * its local header at *pos and its compressed bytes; both positions moved
 * past it.  0 with why when anything differs. */
static int check_entry(FILE *f, const xl_zip_member *m, long *cd_pos, long *pos,
                       unsigned char *buf, char *why, size_t cap)
{
    unsigned char h[46], lh[30];
    if (fseek(f, *cd_pos, SEEK_SET) || fread(h, 1, 46, f) != 46 || rd32(h) != 0x02014b50) {
        snprintf(why, cap, "the zip directory is damaged");
        return 0;
    }
    size_t nlen = rd16(h + 28), elen = rd16(h + 30), clen = rd16(h + 32);
    if (nlen != m->nlen || fread(buf, 1, nlen, f) != nlen || memcmp(buf, m->name, nlen) ||
        rd16(h + 10) != (uint32_t)m->method || rd32(h + 16) != m->crc ||
        rd32(h + 20) != m->csize || rd32(h + 24) != m->usize || rd32(h + 42) != (uint32_t)*pos ||
        (rd16(h + 8) & 9)) {
        snprintf(why, cap, "the zip directory's entry for '%s' differs from what was written",
                 m->name);
        return 0;
    }
    *cd_pos += (long)(46 + nlen + elen + clen);
    if (fseek(f, *pos, SEEK_SET) || fread(lh, 1, 30, f) != 30 || rd32(lh) != 0x04034b50 ||
        rd16(lh + 6) != rd16(h + 8) || rd16(lh + 8) != rd16(h + 10) ||
        rd32(lh + 14) != m->crc || rd32(lh + 18) != m->csize || rd32(lh + 22) != m->usize ||
        rd16(lh + 26) != nlen || fread(buf, 1, nlen, f) != nlen || memcmp(buf, m->name, nlen)) {
        snprintf(why, cap, "member '%s': its local header differs from what was written",
                 m->name);
        return 0;
    }
    if (fseek(f, (long)rd16(lh + 28), SEEK_CUR)) {
        snprintf(why, cap, "member '%s': cannot seek", m->name);
        return 0;
    }
    uLong sum = crc32(0L, Z_NULL, 0);
    for (uint64_t left = m->csize; left;) {
        size_t want = left < BUF ? (size_t)left : BUF;
        if (fread(buf, 1, want, f) != want) {
            snprintf(why, cap, "member '%s': truncated", m->name);
            return 0;
        }
        sum = crc32(sum, buf, (uInt)want);
        left -= want;
    }
    if (sum != m->ccrc) {
        snprintf(why, cap, "member '%s': the compressed data differs from what was written",
                 m->name);
        return 0;
    }
    *pos += (long)(30 + nlen + rd16(lh + 28) + m->csize);
    return 1;
}

int xl_zipcheck_verify(xl_zipcheck *z, const char *path, char *why, size_t cap)
{
    xl_zip_current = NULL;
    if (z)
        xq_stop(z);
    if (!z || z->failed || z->open || z->n == 0)
        return -1;
    if (z->bad[0]) {
        snprintf(why, cap, "%s", z->bad);
        return 0;
    }
    /* zip64 (a member, or an offset, past 4 GiB: minizip then writes
     * 0xFFFFFFFF in the headers and the figures in extra fields, which this
     * check does not read): read back in full.  The offsets are bounded
     * from above, each local header's extra field at its largest. */
    uint64_t end = 0;
    for (size_t i = 0; i < z->n; i++) {
        if (z->m[i].csize > 0xFFFFFFFEu || z->m[i].usize > 0xFFFFFFFEu)
            return -1;
        end += 30 + z->m[i].nlen + 0xFFFFu + z->m[i].csize;
    }
    if (end > 0xFFFFFFFEu)
        return -1;
    FILE *f = pb_fopen(path, "rb");
    unsigned char *buf = malloc(BUF);
    int ok = 0;
    long size = -1, eocd = 0;
    uint32_t entries = 0, cd_size = 0, cd_off = 0;
    if (!f || !buf) {
        snprintf(why, cap, f ? "out of memory" : "cannot reopen the workbook to check it");
        goto done;
    }
    if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 ||
        !read_end(f, size, buf, &eocd, &entries, &cd_size, &cd_off) || entries != z->n ||
        (long)cd_off + (long)cd_size != eocd) {
        snprintf(why, cap, "the zip directory is damaged or not where it belongs");
        goto done;
    }
    long cd_pos = (long)cd_off, pos = 0;
    for (size_t e = 0; e < z->n; e++)
        if (!check_entry(f, &z->m[e], &cd_pos, &pos, buf, why, cap))
            goto done;
    if (pos != (long)cd_off || cd_pos != eocd) {
        snprintf(why, cap, "the package has bytes that are in no member");
        goto done;
    }
    ok = 1;
done:
    free(buf);
    if (f)
        fclose(f);
    return ok;
}

#else /* no wraps: the package is read back in full */

xl_zipcheck *xl_zipcheck_begin(void)
{
    return NULL;
}

void xl_zipcheck_end(xl_zipcheck *z)
{
    (void)z;
}

int xl_zipcheck_verify(xl_zipcheck *z, const char *path, char *why, size_t cap)
{
    (void)z;
    (void)path;
    (void)why;
    (void)cap;
    return -1;
}

unsigned long xl_zipcheck_count(void)
{
    return 0;
}

#endif
