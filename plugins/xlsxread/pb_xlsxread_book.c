/* pb_xlsxread_book.c - the package and its parts: the zip (minizip's
 * unzip, on zlib), the XML (expat), the workbook, relationships, shared
 * strings, styles, comments, and one sheet at a time as a grid of cells.
 *
 * Safety: members are inflated in a stream with their sizes checked
 * against the limits before and while they are read (entry count,
 * uncompressed size, compression ratio, total), and each must inflate to
 * the size and CRC its directory entry gives; two members whose names
 * differ only in case are refused; only stored and deflated members are
 * read (an encrypted one is refused before it is opened); a DOCTYPE
 * or entity declaration ends the parse (no DTD, no external entities);
 * element nesting is bounded; cell references past XFD1048576 are errors
 * naming the sheet and cell.
 */
#define _POSIX_C_SOURCE 200809L
#include "pb_xlsxread_private.h"

#include <errno.h>
#include <expat.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* minizip (pkg-config minizip: -I.../minizip); after the system headers,
 * as its ioapi.h defines large-file macros */
#include "unzip.h"

#define CHUNK 65536
/* Member names this long or longer are not indexed: no part name the
 * reader asks for is (resolve() and read_rels() build them in buffers of
 * about 1 KiB). */
#define XR_NAME_MAX 2048
#define RATIO_FLOOR (1u << 20) /* the ratio limit applies to parts over 1 MiB */

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

typedef struct xr_sheet {
    char *name;
    char *part; /* "xl/worksheets/sheet1.xml" */
    int state;
} xr_sheet;

typedef struct xr_name {
    char *name, *formula;
    int scope;
} xr_name;

/* A member of the package, from the zip directory. */
typedef struct xr_member {
    const char *name; /* in pb_xr_book.member_names */
    size_t len;
    unz64_file_pos pos; /* where its directory entry is, for unzGoToFilePos64 */
} xr_member;

/* What minizip reads the package from (see "package" below). */
typedef struct xr_io {
    const unsigned char *data; /* the package in memory ... */
    uint64_t size, pos;
    FILE *file;                /* ... or in a file */
    int short_read;            /* the last read stopped at the end */
    int closed;                /* minizip closed the stream */
} xr_io;

struct pb_xr_book {
    const pb_api *api;
    pb_xr_limits lim;
    unzFile zip;
    xr_io io;
    xr_member *members; /* sorted by name, ignoring case */
    size_t nmembers;
    char *member_names; /* their names, back to back */
    uint64_t total;
    uint64_t cells;
    xr_sheet *sheets;
    size_t nsheets;
    xr_name *names;
    size_t nnames;
    /* shared strings */
    char *sst_text;
    size_t sst_len, sst_cap;
    uint32_t *sst_off;
    size_t nsst, sst_slots;
    /* styles */
    pb_xr_style *xf;
    size_t nxf;
};

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

static int nomem(pb_error *err) { return xr_fail(err, PB_ERR_NOMEM, NULL, NULL, "out of memory"); }

static char *dupn(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

static int grow(void **p, size_t *cap, size_t need, size_t size)
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

/* =============================================================== XML */

/* What every part's parser context starts with: depth accounting,
 * refusal of DTDs, and the handlers of the part. */
typedef struct xr_xml {
    XML_Parser p;
    pb_xr_book *book;
    pb_error *err;
    const char *part;
    const char *sheet; /* for messages */
    unsigned depth;
    int failed;
    void (*start)(struct xr_xml *x, const char *name, const char **atts);
    void (*end)(struct xr_xml *x, const char *name);
    void (*text)(struct xr_xml *x, const char *s, int len);
} xr_xml;

static const char *lname(const char *n)
{
    const char *c = n;
    for (const char *p = n; *p; p++)
        if (*p == ':')
            c = p + 1;
    return c;
}

/* An attribute by local name: unprefixed names first (the common case, a
 * cheap compare), then prefixed ones ("r:id"). */
static const char *attr(const char **atts, const char *local)
{
    for (int i = 0; atts[i]; i += 2)
        if (atts[i][0] == local[0] && !strcmp(atts[i], local))
            return atts[i + 1];
    for (int i = 0; atts[i]; i += 2)
        if (strchr(atts[i], ':') && !strcmp(lname(atts[i]), local))
            return atts[i + 1];
    return NULL;
}

static void xml_stop(xr_xml *x)
{
    x->failed = 1;
    XML_StopParser(x->p, XML_FALSE);
}

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    xr_xml *x = ud;
    if (x->failed)
        return;
    if (++x->depth > x->book->lim.max_depth) {
        xr_fail(x->err, PB_ERR_LIMIT, x->sheet, NULL,
                "part %s: XML elements nested more than %u deep", x->part,
                x->book->lim.max_depth);
        xml_stop(x);
        return;
    }
    if (x->start)
        x->start(x, lname(name), atts);
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
    xr_xml *x = ud;
    if (x->failed)
        return;
    if (x->end)
        x->end(x, lname(name));
    x->depth--;
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
    xr_xml *x = ud;
    if (!x->failed && x->text)
        x->text(x, s, len);
}

static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sys,
                               const XML_Char *pub, int has_internal)
{
    (void)name, (void)sys, (void)pub, (void)has_internal;
    xr_xml *x = ud;
    xr_fail(x->err, PB_ERR_PARSE, x->sheet, NULL,
            "part %s has a DOCTYPE declaration; workbooks never do, and planbook refuses "
            "them (no DTDs, no entities)", x->part);
    xml_stop(x);
}

static void XMLCALL on_entity(void *ud, const XML_Char *name, int is_param, const XML_Char *value,
                              int value_length, const XML_Char *base, const XML_Char *sys,
                              const XML_Char *pub, const XML_Char *notation)
{
    (void)name, (void)is_param, (void)value, (void)value_length, (void)base, (void)sys,
        (void)pub, (void)notation;
    xr_xml *x = ud;
    xr_fail(x->err, PB_ERR_PARSE, x->sheet, NULL, "part %s declares an entity; refused",
            x->part);
    xml_stop(x);
}

static int XMLCALL on_external(XML_Parser p, const XML_Char *context, const XML_Char *base,
                               const XML_Char *sys, const XML_Char *pub)
{
    (void)p, (void)context, (void)base, (void)sys, (void)pub;
    return XML_STATUS_ERROR;
}

/* ============================================================ package */

/* The package is read with minizip's unzip (zlib's contrib/minizip): a
 * zip reader and nothing more, which needs only zlib.  minizip reads
 * through I/O callbacks: over a block of memory (mem_*), or over a file
 * that pb_xr_fopen opened, through minizip's own stdio callbacks (file_*
 * replace three of them).  Both kinds note two things minizip does not
 * say:
 *
 *  - a read that stopped at the end of the stream: minizip reads header
 *    fields a byte at a time and takes a missing byte for a zero unless
 *    the error callback reports it, so both error callbacks do (a header
 *    cut short is an error, not zeros);
 *  - that minizip closed the stream (unzClose, or unzOpen2_64 when the
 *    package does not open): an unzOpen2_64 that fails without closing it
 *    could not allocate its handle (out of memory, not a damaged package). */

static voidpf ZCALLBACK mem_open(voidpf opaque, const void *name, int mode)
{
    (void)name;
    xr_io *io = opaque;
    if ((mode & ZLIB_FILEFUNC_MODE_READWRITEFILTER) != ZLIB_FILEFUNC_MODE_READ)
        return NULL;
    io->pos = 0;
    return io;
}

static uLong ZCALLBACK mem_read(voidpf opaque, voidpf stream, void *buf, uLong size)
{
    (void)opaque;
    xr_io *io = stream;
    uint64_t left = io->size - io->pos;
    io->short_read = (uint64_t)size > left;
    if (io->short_read)
        size = (uLong)left;
    if (size) {
        memcpy(buf, io->data + io->pos, size);
        io->pos += size;
    }
    return size;
}

static uLong ZCALLBACK mem_write(voidpf opaque, voidpf stream, const void *buf, uLong size)
{
    (void)opaque, (void)stream, (void)buf, (void)size;
    return 0;
}

static ZPOS64_T ZCALLBACK mem_tell(voidpf opaque, voidpf stream)
{
    (void)opaque;
    return ((xr_io *)stream)->pos;
}

/* As fseeko, but a position outside the block is an error (minizip then
 * reports the package damaged), never a read past its end. */
static long ZCALLBACK mem_seek(voidpf opaque, voidpf stream, ZPOS64_T offset, int origin)
{
    (void)opaque;
    xr_io *io = stream;
    uint64_t base;
    switch (origin) {
    case ZLIB_FILEFUNC_SEEK_SET:
        base = 0;
        break;
    case ZLIB_FILEFUNC_SEEK_CUR:
        base = io->pos;
        break;
    case ZLIB_FILEFUNC_SEEK_END:
        base = io->size;
        break;
    default:
        return -1;
    }
    /* a move from the current position or the end may go back: the offset
     * is then a two's complement delta */
    uint64_t to = base + offset;
    int back = origin != ZLIB_FILEFUNC_SEEK_SET && (int64_t)offset < 0;
    if (back ? to > base : to < base || to > io->size)
        return -1;
    io->pos = to;
    io->short_read = 0;
    return 0;
}

static int ZCALLBACK mem_close(voidpf opaque, voidpf stream)
{
    (void)opaque;
    ((xr_io *)stream)->closed = 1;
    return 0;
}

static int ZCALLBACK mem_error(voidpf opaque, voidpf stream)
{
    (void)opaque;
    return ((xr_io *)stream)->short_read;
}

/* The one place a path becomes an open file.  On Windows the path comes
 * from Python as UTF-8 (PyUnicode_FSConverter), which fopen would take in
 * the ANSI code page: a Windows build converts it here and opens with
 * _wfopen (through the platform layer, when there is one). */
FILE *pb_xr_fopen(const char *path) { return pb_fopen(path, "rb"); }

/* The file was opened before unzOpen2_64 (so that failing to open it is an
 * I/O error with its reason); the open callback hands it over.  Reads,
 * seeks and tells are minizip's stdio callbacks. */
static voidpf ZCALLBACK file_open(voidpf opaque, const void *name, int mode)
{
    (void)name, (void)mode;
    return ((xr_io *)opaque)->file;
}

/* minizip's own reports ferror only; the end of the file counts too (a
 * seek clears it). */
static int ZCALLBACK file_error(voidpf opaque, voidpf stream)
{
    (void)opaque;
    return ferror((FILE *)stream) || feof((FILE *)stream);
}

static int ZCALLBACK file_close(voidpf opaque, voidpf stream)
{
    xr_io *io = opaque;
    io->closed = 1;
    io->file = NULL;
    return fclose((FILE *)stream);
}

/* Names are compared ignoring ASCII case, as OPC part names are
 * ("packages shall not contain equivalent part names"). */
static int fold(unsigned char c) { return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c; }

static int name_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen;
    for (size_t i = 0; i < n; i++) {
        int d = fold((unsigned char)a[i]) - fold((unsigned char)b[i]);
        if (d)
            return d;
    }
    return (alen > blen) - (alen < blen);
}

static int member_cmp(const void *pa, const void *pb)
{
    const xr_member *a = pa, *b = pb;
    return name_cmp(a->name, a->len, b->name, b->len);
}

/* A failed minizip call on part `name`, as a message that says what is
 * wrong with the package. */
static int zip_fail(pb_error *err, const char *sheet, const char *name, int code)
{
    switch (code) {
    case UNZ_INTERNALERROR: /* minizip's allocations when a member is opened */
    case Z_MEM_ERROR:
        return nomem(err);
    case UNZ_CRCERROR:
        return xr_fail(err, PB_ERR_PARSE, sheet, NULL,
                       "part %s is damaged: its CRC does not match its zip directory entry",
                       name);
    case UNZ_BADZIPFILE:
        return xr_fail(err, PB_ERR_PARSE, sheet, NULL,
                       "part %s is damaged: its local header does not match its zip directory "
                       "entry", name);
    case UNZ_ERRNO:
        return xr_fail(err, PB_ERR_PARSE, sheet, NULL,
                       "part %s could not be read: the package is cut short or damaged, or "
                       "reading the file failed", name);
    case Z_DATA_ERROR:
        return xr_fail(err, PB_ERR_PARSE, sheet, NULL,
                       "part %s is damaged: its compressed data is not valid deflate data", name);
    case Z_BUF_ERROR:
        return xr_fail(err, PB_ERR_PARSE, sheet, NULL,
                       "part %s is damaged: its compressed data ends early", name);
    default:
        return xr_fail(err, PB_ERR_PARSE, sheet, NULL, "part %s could not be read (minizip error %d)",
                       name, code);
    }
}

/* The members, read once from the zip directory when the package opens:
 * their count against the limit, their names (no two alike), and where
 * each is, so that a part is found by name in the sorted table, not by
 * walking the directory (unzLocateFile walks it, and compares names
 * through a 256-byte buffer it does not terminate for longer names). */
static int read_directory(pb_xr_book *b, pb_error *err)
{
    unz_global_info64 gi;
    if (unzGetGlobalInfo64(b->zip, &gi) != UNZ_OK)
        return xr_fail(err, PB_ERR_PARSE, NULL, NULL,
                       "not a readable workbook (zip): its zip directory is damaged");
    if (gi.number_entry > b->lim.max_entries)
        return xr_fail(err, PB_ERR_LIMIT, NULL, NULL,
                       "the package has %llu members, over the limit of %llu",
                       (unsigned long long)gi.number_entry,
                       (unsigned long long)b->lim.max_entries);
    if (gi.number_entry == 0)
        return 1;
    size_t cap = 0, names_len = 0, names_cap = 0;
    uint64_t count = 0;
    size_t *name_at = NULL; /* offsets into b->member_names until it stops moving */
    size_t name_at_cap = 0;
    int r = unzGoToFirstFile(b->zip);
    while (r == UNZ_OK) {
        if (++count > b->lim.max_entries) {
            free(name_at);
            return xr_fail(err, PB_ERR_LIMIT, NULL, NULL,
                           "the package has more than %llu members, over the limit",
                           (unsigned long long)b->lim.max_entries);
        }
        unz_file_info64 fi;
        char name[XR_NAME_MAX];
        r = unzGetCurrentFileInfo64(b->zip, &fi, name, sizeof name, NULL, 0, NULL, 0);
        if (r != UNZ_OK)
            break;
        /* a longer name is no part the reader could ask for: not indexed */
        if (fi.size_filename < sizeof name) {
            unz64_file_pos pos;
            r = unzGetFilePos64(b->zip, &pos);
            if (r != UNZ_OK)
                break;
            size_t len = (size_t)fi.size_filename;
            if (!grow((void **)&b->members, &cap, b->nmembers + 1, sizeof *b->members) ||
                !grow((void **)&name_at, &name_at_cap, b->nmembers + 1, sizeof *name_at) ||
                !grow((void **)&b->member_names, &names_cap, names_len + len + 1, 1)) {
                free(name_at);
                return nomem(err);
            }
            memcpy(b->member_names + names_len, name, len + 1);
            name_at[b->nmembers] = names_len;
            b->members[b->nmembers].len = len;
            b->members[b->nmembers].pos = pos;
            b->nmembers++;
            names_len += len + 1;
        }
        r = unzGoToNextFile(b->zip);
    }
    if (r != UNZ_END_OF_LIST_OF_FILE) {
        free(name_at);
        return xr_fail(err, PB_ERR_PARSE, NULL, NULL,
                       "not a readable workbook (zip): its zip directory is damaged");
    }
    for (size_t i = 0; i < b->nmembers; i++)
        b->members[i].name = b->member_names + name_at[i];
    free(name_at);
    if (b->nmembers)
        qsort(b->members, b->nmembers, sizeof *b->members, member_cmp);
    for (size_t i = 1; i < b->nmembers; i++)
        if (!member_cmp(&b->members[i - 1], &b->members[i]))
            return xr_fail(err, PB_ERR_PARSE, NULL, NULL,
                           "not a readable workbook (zip): it has two members named %.200s "
                           "(part names must differ, ignoring case)", b->members[i].name);
    return 1;
}

/* A member by name (ignoring case, as OPC part names are), or NULL. */
static const xr_member *locate(const pb_xr_book *b, const char *name)
{
    size_t len = strlen(name), lo = 0, hi = b->nmembers;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const xr_member *m = &b->members[mid];
        int c = name_cmp(name, len, m->name, m->len);
        if (!c)
            return m;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

/* Inflate a member through an expat parser.  1 done, 0 failed (err set),
 * -1 no such member (when not required).  The sizes in the member's zip
 * directory entry are checked against the limits before it is opened, and
 * the bytes are counted as they come: a member must inflate to exactly the
 * size its entry gives (minizip stops at that size) and match its CRC. */
static int parse_part(pb_xr_book *b, const char *name, xr_xml *x, int required, pb_error *err)
{
    const xr_member *m = locate(b, name);
    if (!m) {
        if (required)
            return xr_fail(err, PB_ERR_PARSE, x->sheet, NULL,
                           "the workbook has no part %s: it is not an Excel workbook or it is "
                           "damaged", name);
        return -1;
    }
    unz_file_info64 st;
    int zr = unzGoToFilePos64(b->zip, &m->pos);
    if (zr == UNZ_OK)
        zr = unzGetCurrentFileInfo64(b->zip, &st, NULL, 0, NULL, 0, NULL, 0);
    if (zr != UNZ_OK)
        return zip_fail(err, x->sheet, name, zr);
    /* bit 0: encrypted; bit 6: strong encryption */
    if (st.flag & 0x41)
        return xr_fail(err, PB_ERR_PARSE, x->sheet, NULL,
                       "part %s is encrypted (planbook does not read encrypted workbooks)", name);
    if (st.compression_method != 0 && st.compression_method != Z_DEFLATED)
        return xr_fail(err, PB_ERR_PARSE, x->sheet, NULL,
                       "part %s uses a compression method other than deflate (%d)", name,
                       (int)st.compression_method);
    if (st.uncompressed_size > b->lim.max_part)
        return xr_fail(err, PB_ERR_LIMIT, x->sheet, NULL,
                       "part %s is %llu bytes uncompressed, over the limit of %llu", name,
                       (unsigned long long)st.uncompressed_size,
                       (unsigned long long)b->lim.max_part);
    if (st.uncompressed_size > RATIO_FLOOR &&
        (st.compressed_size == 0 || st.uncompressed_size / st.compressed_size >= b->lim.max_ratio))
        return xr_fail(err, PB_ERR_LIMIT, x->sheet, NULL,
                       "part %s inflates %llu bytes to %llu, a ratio over the limit of %llu "
                       "(a zip bomb?)", name, (unsigned long long)st.compressed_size,
                       (unsigned long long)st.uncompressed_size,
                       (unsigned long long)b->lim.max_ratio);
    if (st.uncompressed_size > b->lim.max_total - b->total)
        return xr_fail(err, PB_ERR_LIMIT, NULL, NULL,
                       "the workbook inflates to more than the limit of %llu bytes",
                       (unsigned long long)b->lim.max_total);
    zr = unzOpenCurrentFile(b->zip);
    if (zr != UNZ_OK)
        return zip_fail(err, x->sheet, name, zr);
    int member_open = 1;
    XML_Parser p = XML_ParserCreate(NULL);
    int ok = 0;
    if (!p) {
        nomem(err);
        goto out;
    }
    x->p = p;
    x->book = b;
    x->err = err;
    x->part = name;
    XML_SetUserData(p, x);
    XML_SetElementHandler(p, on_start, on_end);
    XML_SetCharacterDataHandler(p, on_text);
    XML_SetStartDoctypeDeclHandler(p, on_doctype);
    XML_SetEntityDeclHandler(p, on_entity);
    XML_SetExternalEntityRefHandler(p, on_external);
    XML_SetParamEntityParsing(p, XML_PARAM_ENTITY_PARSING_NEVER);
    uint64_t got = 0;
    for (;;) {
        /* inflate straight into expat's buffer */
        void *buf = XML_GetBuffer(p, CHUNK);
        if (!buf) {
            nomem(err);
            goto out;
        }
        int n = unzReadCurrentFile(b->zip, buf, CHUNK);
        if (n < 0) {
            zip_fail(err, x->sheet, name, n);
            goto out;
        }
        got += (uint64_t)n;
        if (got > st.uncompressed_size) {
            xr_fail(err, PB_ERR_LIMIT, x->sheet, NULL,
                    "part %s inflates to more than the %llu bytes its directory entry says",
                    name, (unsigned long long)st.uncompressed_size);
            goto out;
        }
        if (n == 0) {
            /* the end: the member is whole before expat sees the end */
            if (got < st.uncompressed_size) {
                xr_fail(err, PB_ERR_PARSE, x->sheet, NULL,
                        "part %s is damaged: it inflates to %llu bytes, not the %llu its zip "
                        "directory entry says", name, (unsigned long long)got,
                        (unsigned long long)st.uncompressed_size);
                goto out;
            }
            member_open = 0;
            zr = unzCloseCurrentFile(b->zip); /* checks the CRC */
            if (zr != UNZ_OK) {
                zip_fail(err, x->sheet, name, zr);
                goto out;
            }
        }
        if (XML_ParseBuffer(p, n, n == 0) == XML_STATUS_ERROR) {
            if (!x->failed)
                xr_fail(err, PB_ERR_PARSE, x->sheet, NULL, "part %s, line %lu, column %lu: %s",
                        name, (unsigned long)XML_GetCurrentLineNumber(p),
                        (unsigned long)XML_GetCurrentColumnNumber(p) + 1,
                        XML_ErrorString(XML_GetErrorCode(p)));
            goto out;
        }
        if (x->failed)
            goto out;
        if (n == 0)
            break;
    }
    b->total += got;
    ok = 1;
out:
    if (p)
        XML_ParserFree(p);
    if (member_open)
        unzCloseCurrentFile(b->zip);
    return ok;
}

/* A part name from a relationship target, relative to the part `from`. */
static char *resolve(const char *from, const char *target)
{
    char path[1024];
    if (target[0] == '/') {
        snprintf(path, sizeof path, "%s", target + 1);
    } else {
        const char *slash = strrchr(from, '/');
        size_t dir = slash ? (size_t)(slash - from + 1) : 0;
        snprintf(path, sizeof path, "%.*s%s", (int)dir, from, target);
    }
    /* fold "x/../" and "./" */
    char out[1024];
    size_t len = 0;
    const char *p = path;
    while (*p) {
        const char *seg = p;
        while (*p && *p != '/')
            p++;
        size_t n = (size_t)(p - seg);
        if (*p == '/')
            p++;
        if (n == 1 && seg[0] == '.')
            continue;
        if (n == 2 && seg[0] == '.' && seg[1] == '.') {
            while (len && out[len - 1] == '/')
                len--;
            while (len && out[len - 1] != '/')
                len--;
            continue;
        }
        if (len + n + 2 >= sizeof out)
            return NULL;
        memcpy(out + len, seg, n);
        len += n;
        if (*p || p[-1] == '/')
            out[len++] = '/';
    }
    while (len && out[len - 1] == '/')
        len--;
    return dupn(out, len);
}

/* ------------------------------------------------------ relationships */

typedef struct rel {
    char *id, *target, *type;
} rel;

typedef struct rels_ctx {
    xr_xml x;
    rel *v;
    size_t n, cap;
} rels_ctx;

static void rels_start(xr_xml *x, const char *name, const char **atts)
{
    rels_ctx *c = (rels_ctx *)x;
    if (strcmp(name, "Relationship"))
        return;
    const char *id = attr(atts, "Id"), *target = attr(atts, "Target"), *type = attr(atts, "Type");
    if (!id || !target)
        return;
    if (!grow((void **)&c->v, &c->cap, c->n + 1, sizeof *c->v)) {
        nomem(x->err);
        xml_stop(x);
        return;
    }
    rel *r = &c->v[c->n];
    r->id = strdup(id);
    r->target = strdup(target);
    r->type = strdup(type ? type : "");
    if (!r->id || !r->target || !r->type) {
        free(r->id), free(r->target), free(r->type);
        nomem(x->err);
        xml_stop(x);
        return;
    }
    c->n++;
}

static void rels_free(rels_ctx *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->v[i].id), free(c->v[i].target), free(c->v[i].type);
    free(c->v);
}

static int ends_with(const char *s, const char *tail)
{
    size_t a = strlen(s), b = strlen(tail);
    return a >= b && !strcmp(s + a - b, tail);
}

/* The relationships part of a part: "xl/_rels/workbook.xml.rels". */
static int read_rels(pb_xr_book *b, const char *part, rels_ctx *c, const char *sheet,
                     pb_error *err)
{
    char name[1100];
    const char *slash = strrchr(part, '/');
    size_t dir = slash ? (size_t)(slash - part + 1) : 0;
    snprintf(name, sizeof name, "%.*s_rels/%s.rels", (int)dir, part, part + dir);
    memset(c, 0, sizeof *c);
    c->x.start = rels_start;
    c->x.sheet = sheet;
    int r = parse_part(b, name, &c->x, 0, err);
    if (r == 0) {
        rels_free(c);
        memset(c, 0, sizeof *c);
        return 0;
    }
    return 1;
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
        const char *nm = attr(atts, "name"), *rid = attr(atts, "id"), *state = attr(atts, "state");
        if (!nm || !rid)
            return;
        if (c->n >= b->lim.max_entries) {
            xr_fail(x->err, PB_ERR_LIMIT, NULL, NULL, "the workbook lists more than %llu sheets",
                    (unsigned long long)b->lim.max_entries);
            xml_stop(x);
            return;
        }
        if (!grow((void **)&c->s, &c->cap, c->n + 1, sizeof *c->s)) {
            nomem(x->err);
            xml_stop(x);
            return;
        }
        c->s[c->n].name = strdup(nm);
        c->s[c->n].rid = strdup(rid);
        c->s[c->n].state = !state ? 0 : !strcmp(state, "hidden") ? 1
                                      : !strcmp(state, "veryHidden") ? 2
                                                                      : 0;
        if (!c->s[c->n].name || !c->s[c->n].rid) {
            free(c->s[c->n].name), free(c->s[c->n].rid);
            nomem(x->err);
            xml_stop(x);
            return;
        }
        c->n++;
    } else if (!strcmp(name, "definedName")) {
        const char *nm = attr(atts, "name"), *scope = attr(atts, "localSheetId");
        free(c->cur_name);
        c->cur_name = nm ? strdup(nm) : NULL;
        c->cur_scope = scope ? atoi(scope) : -1;
        c->in_name = 1;
        c->name_len = 0;
    }
}

static void wb_text(xr_xml *x, const char *s, int len)
{
    wb_ctx *c = (wb_ctx *)x;
    if (!c->in_name)
        return;
    if (c->name_len + (size_t)len > 65536)
        return; /* a defined name's formula is short; ignore the rest */
    if (!grow((void **)&c->name_text, &c->name_cap, c->name_len + (size_t)len + 1, 1)) {
        nomem(x->err);
        xml_stop(x);
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
        nomem(x->err);
        xml_stop(x);
        return;
    }
    b->names = nv;
    char *f = dupn(c->name_text ? c->name_text : "", c->name_len);
    if (!f) {
        nomem(x->err);
        xml_stop(x);
        return;
    }
    b->names[b->nnames].name = c->cur_name;
    b->names[b->nnames].formula = f;
    b->names[b->nnames].scope = c->cur_scope;
    b->nnames++;
    c->cur_name = NULL;
}

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
    int in_si, in_t, in_rph;
} sst_ctx;

static int sst_add_text(pb_xr_book *b, const char *s, size_t n)
{
    if (b->sst_len + n + 1 > UINT32_MAX)
        return 0;
    if (!grow((void **)&b->sst_text, &b->sst_cap, b->sst_len + n + 1, 1))
        return 0;
    memcpy(b->sst_text + b->sst_len, s, n);
    b->sst_len += n;
    return 1;
}

static void sst_start(xr_xml *x, const char *name, const char **atts)
{
    (void)atts;
    sst_ctx *c = (sst_ctx *)x;
    pb_xr_book *b = x->book;
    if (!strcmp(name, "si")) {
        if (!grow((void **)&b->sst_off, &b->sst_slots, b->nsst + 1, sizeof *b->sst_off)) {
            nomem(x->err);
            xml_stop(x);
            return;
        }
        b->sst_off[b->nsst] = (uint32_t)b->sst_len;
        c->in_si = 1;
    } else if (!strcmp(name, "rPh")) {
        c->in_rph = 1;
    } else if (!strcmp(name, "t") && c->in_si && !c->in_rph) {
        c->in_t = 1;
    }
}

static void sst_text(xr_xml *x, const char *s, int len)
{
    sst_ctx *c = (sst_ctx *)x;
    if (c->in_t && !sst_add_text(x->book, s, (size_t)len)) {
        xr_fail(x->err, PB_ERR_LIMIT, NULL, NULL, "the shared strings are too large");
        xml_stop(x);
    }
}

static void sst_end(xr_xml *x, const char *name)
{
    sst_ctx *c = (sst_ctx *)x;
    pb_xr_book *b = x->book;
    if (!strcmp(name, "t")) {
        c->in_t = 0;
    } else if (!strcmp(name, "rPh")) {
        c->in_rph = 0;
    } else if (!strcmp(name, "si") && c->in_si) {
        c->in_si = 0;
        if (b->sst_len > b->sst_off[b->nsst])
            b->sst_len = b->sst_off[b->nsst] +
                     pb_xr_unescape(b->sst_text + b->sst_off[b->nsst],
                                    b->sst_len - b->sst_off[b->nsst]);
        if (!sst_add_text(b, "", 1)) { /* NUL */
            xr_fail(x->err, PB_ERR_LIMIT, NULL, NULL, "the shared strings are too large");
            xml_stop(x);
            return;
        }
        b->nsst++;
    }
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
        const char *id = attr(atts, "numFmtId"), *code = attr(atts, "formatCode");
        if (!id || !grow((void **)&c->fmts, &c->fcap, c->nfmts + 1, sizeof *c->fmts))
            goto mem;
        c->fmts[c->nfmts].id = atoi(id);
        c->fmts[c->nfmts].st = format_code(code);
        c->nfmts++;
    } else if (c->where == 2 && !strcmp(name, "font")) {
        if (!grow((void **)&c->bold, &c->bcap, c->nfonts + 1, 1))
            goto mem;
        c->bold[c->nfonts++] = 0;
    } else if (c->where == 2 && !strcmp(name, "b") && c->nfonts) {
        const char *v = attr(atts, "val");
        c->bold[c->nfonts - 1] = !v || !(strcmp(v, "0") == 0 || strcmp(v, "false") == 0);
    } else if (c->where == 3 && !strcmp(name, "xf")) {
        if (c->nxfs >= 65536)
            return;
        if (!grow((void **)&c->xfs, &c->xcap, c->nxfs + 1, sizeof *c->xfs))
            goto mem;
        const char *nf = attr(atts, "numFmtId"), *font = attr(atts, "fontId");
        c->xfs[c->nxfs].numfmt = nf ? atoi(nf) : 0;
        c->xfs[c->nxfs].font = font ? atoi(font) : 0;
        c->xfs[c->nxfs].indent = 0;
        c->nxfs++;
    } else if (c->where == 3 && !strcmp(name, "alignment") && c->nxfs) {
        const char *ind = attr(atts, "indent");
        int v = ind ? atoi(ind) : 0;
        c->xfs[c->nxfs - 1].indent = v < 0 ? 0 : v > 250 ? 250 : v;
    }
    return;
mem:
    nomem(x->err);
    xml_stop(x);
}

static void style_end(xr_xml *x, const char *name)
{
    style_ctx *c = (style_ctx *)x;
    if (!strcmp(name, "numFmts") || !strcmp(name, "fonts") || !strcmp(name, "cellXfs"))
        c->where = 0;
}

static int read_styles(pb_xr_book *b, const char *part, pb_error *err)
{
    style_ctx c;
    memset(&c, 0, sizeof c);
    c.x.start = style_start;
    c.x.end = style_end;
    int r = part ? parse_part(b, part, &c.x, 0, err) : -1;
    int ok = r != 0;
    if (ok && c.nxfs) {
        b->xf = calloc(c.nxfs, sizeof *b->xf);
        if (!b->xf) {
            ok = nomem(err);
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

/* ============================================================== book */

void pb_xr_book_free(pb_xr_book *b)
{
    if (!b)
        return;
    if (b->zip)
        unzClose(b->zip);
    if (b->io.file && !b->io.closed)
        fclose(b->io.file);
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
    free(b);
}

static int load_book(pb_xr_book *b, pb_error *err)
{
    /* the workbook part, from the package relationships */
    char *wb_part = NULL;
    rels_ctx pr;
    if (!read_rels(b, "", &pr, NULL, err)) /* "_rels/.rels" */
        return 0;
    for (size_t i = 0; i < pr.n && !wb_part; i++)
        if (ends_with(pr.v[i].type, "/officeDocument"))
            wb_part = resolve("", pr.v[i].target);
    rels_free(&pr);
    if (!wb_part && !(wb_part = strdup("xl/workbook.xml")))
        return nomem(err);
    wb_ctx wc;
    memset(&wc, 0, sizeof wc);
    wc.x.start = wb_start;
    wc.x.end = wb_end;
    wc.x.text = wb_text;
    int ok = parse_part(b, wb_part, &wc.x, 1, err) == 1;
    rels_ctx wr;
    memset(&wr, 0, sizeof wr);
    if (ok)
        ok = read_rels(b, wb_part, &wr, NULL, err);
    char *sst_part = NULL, *styles_part = NULL;
    if (ok) {
        b->sheets = calloc(wc.n ? wc.n : 1, sizeof *b->sheets);
        if (!b->sheets)
            ok = nomem(err);
    }
    for (size_t i = 0; ok && i < wc.n; i++) {
        const rel *found = NULL;
        for (size_t k = 0; k < wr.n && !found; k++)
            if (!strcmp(wr.v[k].id, wc.s[i].rid))
                found = &wr.v[k];
        if (!found || !ends_with(found->type, "/worksheet"))
            continue; /* chart sheets, dialog sheets: not read */
        char *part = resolve(wb_part, found->target);
        if (!part) {
            ok = nomem(err);
            break;
        }
        b->sheets[b->nsheets].name = wc.s[i].name;
        b->sheets[b->nsheets].part = part;
        b->sheets[b->nsheets].state = wc.s[i].state;
        wc.s[i].name = NULL;
        b->nsheets++;
    }
    for (size_t k = 0; ok && k < wr.n; k++) {
        if (ends_with(wr.v[k].type, "/sharedStrings") && !sst_part)
            sst_part = resolve(wb_part, wr.v[k].target);
        else if (ends_with(wr.v[k].type, "/styles") && !styles_part)
            styles_part = resolve(wb_part, wr.v[k].target);
    }
    if (ok && sst_part) {
        sst_ctx sc;
        memset(&sc, 0, sizeof sc);
        sc.x.start = sst_start;
        sc.x.end = sst_end;
        sc.x.text = sst_text;
        ok = parse_part(b, sst_part, &sc.x, 0, err) != 0;
    }
    if (ok)
        ok = read_styles(b, styles_part, err);
    for (size_t i = 0; i < wc.n; i++)
        free(wc.s[i].name), free(wc.s[i].rid);
    free(wc.s);
    free(wc.name_text);
    free(wc.cur_name);
    rels_free(&wr);
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

/* Open the package through the I/O callbacks in ff, read its directory,
 * then the workbook.  head: the package's first bytes (n of them).  Frees
 * b on failure. */
static pb_xr_book *book_finish(pb_xr_book *b, zlib_filefunc64_def *ff, const void *head, size_t n,
                               pb_error *err)
{
    /* A workbook starts with its first member.  minizip would also read a
     * zip with something in front of it (a self-extracting archive); a
     * workbook never has that, and libzip, which the reader used before,
     * refused it. */
    if (n < 4 || memcmp(head, "PK\3\4", 4)) {
        xr_fail(err, PB_ERR_PARSE, NULL, NULL,
                "not a readable workbook (zip): not a zip archive (it does not start with a zip "
                "member)");
        pb_xr_book_free(b);
        return NULL;
    }
    ff->opaque = &b->io;
    b->zip = unzOpen2_64("", ff); /* the name is not used: the callbacks know the source */
    if (!b->zip) {
        if (b->io.closed)
            xr_fail(err, PB_ERR_PARSE, NULL, NULL,
                    "not a readable workbook (zip): not a zip archive, or one cut short or "
                    "damaged (its zip directory was not found)");
        else /* see "package": minizip could not allocate its handle */
            nomem(err);
        pb_xr_book_free(b);
        return NULL;
    }
    if (!read_directory(b, err) || !load_book(b, err)) {
        pb_xr_book_free(b);
        return NULL;
    }
    return b;
}

pb_xr_book *pb_xr_book_open_file(const pb_api *api, const char *path, const pb_xr_limits *limits,
                                 pb_error *err)
{
    api->pb_error_clear(err);
    pb_xr_book *b = book_new(api, limits);
    if (!b) {
        nomem(err);
        return NULL;
    }
    b->io.file = pb_xr_fopen(path);
    if (!b->io.file) {
        xr_fail(err, PB_ERR_IO, NULL, NULL, "cannot open '%s': %s", path, strerror(errno));
        pb_xr_book_free(b);
        return NULL;
    }
    unsigned char head[4];
    size_t n = fread(head, 1, sizeof head, b->io.file);
    if (ferror(b->io.file) || fseek(b->io.file, 0, SEEK_SET) != 0) {
        xr_fail(err, PB_ERR_IO, NULL, NULL, "cannot read '%s': %s", path, strerror(errno));
        pb_xr_book_free(b);
        return NULL;
    }
    /* minizip's stdio callbacks read the file pb_xr_fopen opened */
    zlib_filefunc64_def ff;
    fill_fopen64_filefunc(&ff);
    ff.zopen64_file = file_open;
    ff.zerror_file = file_error;
    ff.zclose_file = file_close;
    return book_finish(b, &ff, head, n, err);
}

pb_xr_book *pb_xr_book_open_buffer(const pb_api *api, const void *data, size_t size,
                                   const pb_xr_limits *limits, pb_error *err)
{
    api->pb_error_clear(err);
    pb_xr_book *b = book_new(api, limits);
    if (!b) {
        nomem(err);
        return NULL;
    }
    b->io.data = data;
    b->io.size = size;
    zlib_filefunc64_def ff = {mem_open, mem_read, mem_write, mem_tell,
                              mem_seek, mem_close, mem_error, NULL};
    return book_finish(b, &ff, data, size, err);
}

const pb_xr_limits *pb_xr_book_limits(const pb_xr_book *b) { return &b->lim; }
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
} sheet_ctx;

static int grid_text(pb_xr_grid *g, const char *s, size_t n)
{
    if (g->tlen + n + 1 > UINT32_MAX)
        return 0;
    if (!grow((void **)&g->text, &g->tcap, g->tlen + n + 1, 1))
        return 0;
    memcpy(g->text + g->tlen, s, n);
    g->tlen += n;
    return 1;
}

static void cell_fail(sheet_ctx *c, pb_status st, uint32_t row, uint32_t col, const char *fmt,
                      const char *what)
{
    char name[16];
    pb_xr_cell_name(row, col, name);
    xr_fail(c->x.err, st, c->x.sheet, name, fmt, what);
    xml_stop(&c->x);
}

static void sheet_start(xr_xml *x, const char *name, const char **atts)
{
    sheet_ctx *c = (sheet_ctx *)x;
    pb_xr_grid *g = c->g;
    if (!strcmp(name, "c")) {
        const char *r = attr(atts, "r"), *s = attr(atts, "s"), *t = attr(atts, "t");
        uint32_t row = c->row, col = c->next_col;
        if (r && !pb_xr_parse_ref(r, strlen(r), &row, &col)) {
            char shown[24];
            snprintf(shown, sizeof shown, "%.20s", r);
            xr_fail(x->err, PB_ERR_PARSE, x->sheet, shown,
                    "'%s' is not a cell reference within Excel's limits (XFD1048576)", shown);
            xml_stop(x);
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
        long sv = s ? atol(s) : 0;
        c->cur.style = sv < 0 || sv > 65535 ? 0 : (uint32_t)sv;
        c->t = !t || !strcmp(t, "n") ? 'n' : !strcmp(t, "s") ? 's' : !strcmp(t, "inlineStr") ? 'i'
             : !strcmp(t, "b") ? 'b' : !strcmp(t, "e") ? 'e' : 'S';
        c->in_c = 1;
        c->next_col = col + 1;
        c->cur.v_off = c->cur.f_off = (uint32_t)g->tlen;
    } else if (!strcmp(name, "row")) {
        const char *r = attr(atts, "r");
        if (r) {
            char *end;
            unsigned long v = strtoul(r, &end, 10);
            if (*end || v < 1 || v > 1048576) {
                char shown[24];
                snprintf(shown, sizeof shown, "row %.12s", r);
                xr_fail(x->err, PB_ERR_PARSE, x->sheet, NULL,
                        "%s is past Excel's 1,048,576 rows", shown);
                xml_stop(x);
                return;
            }
            c->row = (uint32_t)(v - 1);
        } else if (c->have_row) {
            c->row++;
        }
        c->have_row = 1;
        c->next_col = 0;
    } else if (c->in_c && !strcmp(name, "v")) {
        c->collect = 1;
        c->cur.v_off = (uint32_t)g->tlen;
    } else if (c->in_c && !strcmp(name, "f")) {
        c->collect = 2;
        c->cur.has_formula = 1;
        c->cur.f_off = (uint32_t)g->tlen;
    } else if (c->in_c && !strcmp(name, "is")) {
        c->in_is = 1;
        c->cur.v_off = (uint32_t)g->tlen;
    } else if (c->in_is && !strcmp(name, "rPh")) {
        c->in_rph = 1;
    } else if (c->in_is && !c->in_rph && !strcmp(name, "t")) {
        c->collect = 3;
    } else if (!strcmp(name, "mergeCell")) {
        const char *ref = attr(atts, "ref");
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
    if (c->collect == 1 && !strcmp(name, "v")) {
        c->cur.v_len = (uint32_t)(g->tlen - c->cur.v_off);
        if (!grid_text(g, "", 1))
            goto big;
        c->collect = 0;
        /* marks "has a value" (an empty <v/> is none); the type is set at </c> */
        c->cur.type = c->cur.v_len > 0 || c->t == 'S' || c->t == 'i';
    } else if (c->collect == 2 && !strcmp(name, "f")) {
        c->cur.f_len = (uint32_t)(g->tlen - c->cur.f_off);
        if (!grid_text(g, "", 1))
            goto big;
        c->collect = 0;
    } else if (c->collect == 3 && !strcmp(name, "t")) {
        c->collect = 0;
    } else if (!strcmp(name, "rPh")) {
        c->in_rph = 0;
    } else if (c->in_is && !strcmp(name, "is")) {
        c->in_is = 0;
        if (g->tlen > c->cur.v_off)
            g->tlen = c->cur.v_off + pb_xr_unescape(g->text + c->cur.v_off, g->tlen - c->cur.v_off);
        c->cur.v_len = (uint32_t)(g->tlen - c->cur.v_off);
        if (!grid_text(g, "", 1))
            goto big;
        c->cur.type = 1;
    } else if (c->in_c && !strcmp(name, "c")) {
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
                              "shared string '%.20s' does not exist", v);
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
        if (!grow((void **)&g->cells, &g->cap, g->ncells + 1, sizeof *g->cells)) {
            nomem(x->err);
            xml_stop(x);
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
    int in_comment, in_t, in_rph;
    uint32_t row, col;
    size_t start;
} comments_ctx;

static void comments_start(xr_xml *x, const char *name, const char **atts)
{
    comments_ctx *c = (comments_ctx *)x;
    if (!strcmp(name, "comment")) {
        const char *ref = attr(atts, "ref");
        c->in_comment = ref && pb_xr_parse_ref(ref, strlen(ref), &c->row, &c->col);
        c->start = c->g->tlen;
    } else if (!strcmp(name, "rPh")) {
        c->in_rph = 1;
    } else if (c->in_comment && !c->in_rph && !strcmp(name, "t")) {
        c->in_t = 1;
    }
}

static void comments_text(xr_xml *x, const char *s, int len)
{
    comments_ctx *c = (comments_ctx *)x;
    if (c->in_t && !grid_text(c->g, s, (size_t)len)) {
        xr_fail(x->err, PB_ERR_LIMIT, x->sheet, NULL, "the comments are too large");
        xml_stop(x);
    }
}

static void comments_end(xr_xml *x, const char *name)
{
    comments_ctx *c = (comments_ctx *)x;
    pb_xr_grid *g = c->g;
    if (!strcmp(name, "t")) {
        c->in_t = 0;
    } else if (!strcmp(name, "rPh")) {
        c->in_rph = 0;
    } else if (!strcmp(name, "comment") && c->in_comment) {
        c->in_comment = 0;
        if (g->tlen > c->start)
            g->tlen = c->start + pb_xr_unescape(g->text + c->start, g->tlen - c->start);
        if (!grid_text(g, "", 1) ||
            !grow((void **)&g->comments, &g->ccap, g->ncomments + 1, sizeof *g->comments)) {
            nomem(x->err);
            xml_stop(x);
            return;
        }
        g->comments[g->ncomments].row = c->row;
        g->comments[g->ncomments].col = c->col;
        g->comments[g->ncomments].off = (uint32_t)c->start;
        g->comments[g->ncomments].len = (uint32_t)(g->tlen - 1 - c->start);
        g->ncomments++;
    }
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

pb_xr_grid *pb_xr_sheet_read(pb_xr_book *b, size_t i, pb_error *err)
{
    b->api->pb_error_clear(err);
    if (i >= b->nsheets) {
        xr_fail(err, PB_ERR_RANGE, NULL, NULL, "no sheet %zu", i);
        return NULL;
    }
    pb_xr_grid *g = calloc(1, sizeof *g);
    if (!g) {
        nomem(err);
        return NULL;
    }
    const xr_sheet *sh = &b->sheets[i];
    sheet_ctx c;
    memset(&c, 0, sizeof c);
    c.x.start = sheet_start;
    c.x.end = sheet_end;
    c.x.text = sheet_text;
    c.x.sheet = sh->name;
    c.g = g;
    if (parse_part(b, sh->part, &c.x, 1, err) != 1)
        goto fail;
    /* comments, through the sheet's relationships */
    rels_ctx rc;
    if (!read_rels(b, sh->part, &rc, sh->name, err))
        goto fail;
    for (size_t k = 0; k < rc.n; k++) {
        if (!ends_with(rc.v[k].type, "/comments"))
            continue;
        char *part = resolve(sh->part, rc.v[k].target);
        if (!part) {
            nomem(err);
            rels_free(&rc);
            goto fail;
        }
        comments_ctx cc;
        memset(&cc, 0, sizeof cc);
        cc.x.start = comments_start;
        cc.x.end = comments_end;
        cc.x.text = comments_text;
        cc.x.sheet = sh->name;
        cc.g = g;
        int r = parse_part(b, part, &cc.x, 0, err);
        free(part);
        if (r == 0) {
            rels_free(&rc);
            goto fail;
        }
    }
    rels_free(&rc);
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
        uint32_t off = b->sst_off[c->v_off];
        const char *s = b->sst_text + off;
        if (len)
            *len = strlen(s);
        return s;
    }
    if (len)
        *len = c->v_len;
    return g->text + c->v_off;
}

const char *pb_xr_cell_formula(const pb_xr_grid *g, const pb_xr_cell *c)
{
    return c->has_formula ? g->text + c->f_off : NULL;
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
