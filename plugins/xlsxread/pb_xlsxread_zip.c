/* pb_xlsxread_zip.c - the package: its zip members (minizip's unzip, on
 * zlib) read under limits, each part parsed with expat, and the
 * relationships between parts.
 *
 * Safety: members are inflated in a stream with their sizes checked
 * against the limits before and while they are read (entry count,
 * uncompressed size, compression ratio, total), and each must inflate to
 * the size and CRC its directory entry gives; two members whose names
 * differ only in case are refused; only stored and deflated members are
 * read (an encrypted one is refused before it is opened); a DOCTYPE
 * or entity declaration ends the parse (no DTD, no external entities);
 * element nesting is bounded.
 */
#define _POSIX_C_SOURCE 200809L
#include "pb_xlsxread_book.h"

#include <errno.h>

#define CHUNK 65536
/* Member names this long or longer are not indexed: no part name the
 * reader asks for is (xr_resolve() and xr_read_rels() build them in buffers
 * of about 1 KiB). */
#define XR_NAME_MAX 2048
#define RATIO_FLOOR (1u << 20) /* the ratio limit applies to parts over 1 MiB */

/* =============================================================== XML */


const char *xr_lname(const char *n)
{
    const char *c = n;
    for (const char *p = n; *p; p++)
        if (*p == ':')
            c = p + 1;
    return c;
}

/* An attribute by local name: unprefixed names first (the common case, a
 * cheap compare), then prefixed ones ("r:id"). */
const char *xr_attr(const char **atts, const char *local)
{
    for (int i = 0; atts[i]; i += 2)
        if (atts[i][0] == local[0] && !strcmp(atts[i], local))
            return atts[i + 1];
    for (int i = 0; atts[i]; i += 2)
        if (strchr(atts[i], ':') && !strcmp(xr_lname(atts[i]), local))
            return atts[i + 1];
    return NULL;
}

void xr_xml_stop(xr_xml *x)
{
    x->failed = 1;
    XML_StopParser(x->p, XML_FALSE);
}

void xr_xml_handlers(xr_xml *x, void (*start)(xr_xml *, const char *, const char **),
                     void (*end)(xr_xml *, const char *),
                     void (*text)(xr_xml *, const char *, int), const char *sheet)
{
    x->start = start;
    x->end = end;
    x->text = text;
    x->sheet = sheet;
}

int xr_rich_start(xr_rich *r, const char *name)
{
    if (!strcmp(name, "rPh"))
        return r->in_rph = 1;
    if (!strcmp(name, "t")) {
        r->in_t = r->in && !r->in_rph;
        return 1;
    }
    return 0;
}

int xr_rich_end(xr_rich *r, const char *name)
{
    if (!strcmp(name, "t")) {
        r->in_t = 0;
        return 1;
    }
    if (!strcmp(name, "rPh")) {
        r->in_rph = 0;
        return 1;
    }
    return 0;
}

static void rich_full(xr_xml *x, const xr_rich *r)
{
    xr_fail(x->err, PB_ERR_LIMIT, x->sheet, NULL, "%s are too large", r->what);
    xr_xml_stop(x);
}

void xr_rich_text(xr_xml *x, xr_rich *r, const char *s, int len)
{
    if (r->in_t && !xr_text_add(r->text, r->len, r->cap, s, (size_t)len))
        rich_full(x, r);
}

int xr_rich_close(xr_xml *x, xr_rich *r, const char *name)
{
    if (xr_rich_end(r, name) || strcmp(name, r->elem) || !r->in)
        return 0;
    r->in = 0;
    if (!xr_text_end(r->text, r->len, r->cap, r->start)) {
        rich_full(x, r);
        return -1;
    }
    return 1;
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
        xr_xml_stop(x);
        return;
    }
    if (x->start)
        x->start(x, xr_lname(name), atts);
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
    xr_xml *x = ud;
    if (x->failed)
        return;
    if (x->end)
        x->end(x, xr_lname(name));
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
    xr_xml_stop(x);
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
    xr_xml_stop(x);
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
        return xr_nomem(err);
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
            if (!xr_grow((void **)&b->members, &cap, b->nmembers + 1, sizeof *b->members) ||
                !xr_grow((void **)&name_at, &name_at_cap, b->nmembers + 1, sizeof *name_at) ||
                !xr_grow((void **)&b->member_names, &names_cap, names_len + len + 1, 1)) {
                free(name_at);
                return xr_nomem(err);
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

int xr_has_part(const pb_xr_book *b, const char *name) { return locate(b, name) != NULL; }

/* Inflate a member through an expat parser.  1 done, 0 failed (err set),
 * -1 no such member (when not required).  The sizes in the member's zip
 * directory entry are checked against the limits before it is opened, and
 * the bytes are counted as they come: a member must inflate to exactly the
 * size its entry gives (minizip stops at that size) and match its CRC. */
int xr_parse_part(pb_xr_book *b, const char *name, xr_xml *x, int required, pb_error *err)
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
        xr_nomem(err);
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
            xr_nomem(err);
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
char *xr_resolve(const char *from, const char *target)
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
    return xr_dupn(out, len);
}

/* ------------------------------------------------------ relationships */


static void rels_start(xr_xml *x, const char *name, const char **atts)
{
    rels_ctx *c = (rels_ctx *)x;
    if (strcmp(name, "Relationship"))
        return;
    const char *id = xr_attr(atts, "Id"), *target = xr_attr(atts, "Target"),
               *type = xr_attr(atts, "Type");
    if (!id || !target)
        return;
    if (!xr_grow((void **)&c->v, &c->cap, c->n + 1, sizeof *c->v)) {
        xr_nomem(x->err);
        xr_xml_stop(x);
        return;
    }
    rel *r = &c->v[c->n];
    r->id = strdup(id);
    r->target = strdup(target);
    r->type = strdup(type ? type : "");
    if (!r->id || !r->target || !r->type) {
        free(r->id), free(r->target), free(r->type);
        xr_nomem(x->err);
        xr_xml_stop(x);
        return;
    }
    c->n++;
}

void xr_rels_free(rels_ctx *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->v[i].id), free(c->v[i].target), free(c->v[i].type);
    free(c->v);
}

int xr_ends_with(const char *s, const char *tail)
{
    size_t a = strlen(s), b = strlen(tail);
    return a >= b && !strcmp(s + a - b, tail);
}

/* The relationships part of a part: "xl/_rels/workbook.xml.rels". */
int xr_read_rels(pb_xr_book *b, const char *part, rels_ctx *c, const char *sheet, pb_error *err)
{
    char name[1100];
    const char *slash = strrchr(part, '/');
    size_t dir = slash ? (size_t)(slash - part + 1) : 0;
    snprintf(name, sizeof name, "%.*s_rels/%s.rels", (int)dir, part, part + dir);
    memset(c, 0, sizeof *c);
    xr_xml_handlers(&c->x, rels_start, NULL, NULL, sheet);
    int r = xr_parse_part(b, name, &c->x, 0, err);
    if (r == 0) {
        xr_rels_free(c);
        memset(c, 0, sizeof *c);
        return 0;
    }
    return 1;
}

/* Open the package through the I/O callbacks in ff and read its
 * directory.  head: the package's first bytes (n of them).  1, or 0 with
 * err set. */
static int package_open(pb_xr_book *b, zlib_filefunc64_def *ff, const void *head, size_t n,
                        pb_error *err)
{
    /* A workbook starts with its first member.  minizip would also read a
     * zip with something in front of it (a self-extracting archive); a
     * workbook never has that, and libzip, which the reader used before,
     * refused it. */
    if (n < 4 || memcmp(head, "PK\3\4", 4))
        return xr_fail(err, PB_ERR_PARSE, NULL, NULL,
                       "not a readable workbook (zip): not a zip archive (it does not start "
                       "with a zip member)");
    ff->opaque = &b->io;
    b->zip = unzOpen2_64("", ff); /* the name is not used: the callbacks know the source */
    if (!b->zip) {
        if (b->io.closed)
            return xr_fail(err, PB_ERR_PARSE, NULL, NULL,
                           "not a readable workbook (zip): not a zip archive, or one cut short "
                           "or damaged (its zip directory was not found)");
        return xr_nomem(err); /* see "package": minizip could not allocate its handle */
    }
    return read_directory(b, err);
}

int xr_package_open_file(pb_xr_book *b, const char *path, pb_error *err)
{
    b->io.file = pb_xr_fopen(path);
    if (!b->io.file)
        return xr_fail(err, PB_ERR_IO, NULL, NULL, "cannot open '%s': %s", path,
                       strerror(errno));
    unsigned char head[4];
    size_t n = fread(head, 1, sizeof head, b->io.file);
    if (ferror(b->io.file) || fseek(b->io.file, 0, SEEK_SET) != 0)
        return xr_fail(err, PB_ERR_IO, NULL, NULL, "cannot read '%s': %s", path,
                       strerror(errno));
    /* minizip's stdio callbacks read the file pb_xr_fopen opened */
    zlib_filefunc64_def ff;
    fill_fopen64_filefunc(&ff);
    ff.zopen64_file = file_open;
    ff.zerror_file = file_error;
    ff.zclose_file = file_close;
    return package_open(b, &ff, head, n, err);
}

int xr_package_open_buffer(pb_xr_book *b, const void *data, size_t size, pb_error *err)
{
    b->io.data = data;
    b->io.size = size;
    zlib_filefunc64_def ff = {mem_open, mem_read, mem_write, mem_tell,
                              mem_seek, mem_close, mem_error, NULL};
    return package_open(b, &ff, data, size, err);
}

void xr_package_close(pb_xr_book *b)
{
    if (b->zip)
        unzClose(b->zip);
    b->zip = NULL;
    if (b->io.file && !b->io.closed)
        fclose(b->io.file);
    b->io.file = NULL;
}
