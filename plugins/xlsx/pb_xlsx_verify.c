/* pb_xlsx_verify.c - check a written workbook before it replaces a file.
 *
 * libxlsxwriter 1.1.4 writes every XML part to a temporary file with
 * unchecked stdio calls before zipping it; when a write fails (a full disk
 * that frees up again as its temporary files are removed), a part loses a
 * chunk and the workbook is corrupt, yet workbook_close() reports success.
 * So after closing, the package is read back: every member is inflated,
 * its CRC and size compared with the central directory, and every XML part
 * checked for balanced, properly nested elements.  It streams with fixed
 * buffers, so its memory does not grow with the workbook.  On Linux the
 * save checks the parts on their way into the zip instead, with the same
 * XML check (pb_xlsx_zipcheck.c), and comes here only when that check
 * cannot tell; _xlsx.verify(path) reads any file back here.
 */
#include "pb_xlsx_private.h"
#include "pb_platform.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define IN_CHUNK 65536
#define OUT_CHUNK 262144
#define MAX_DEPTH 256

static uint32_t rd16(const unsigned char *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t rd32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* ------------------------------------------------------ XML structure */

typedef struct xl_xml_check {
    int state; /* X_TEXT, X_NAME (a tag's name), X_TAG (inside a tag),
                * X_VALUE (an attribute value), an entity in either */
    int entlen; /* characters of the entity so far */
    char quote;
    int kind;  /* 0 open, 1 close, 2 declaration/comment */
    int slash; /* last significant char in the tag was '/' */
    unsigned char prev; /* the last character seen inside the tag ('"' after a value) */
    int attr; /* in an element's tag: 0 a name or the end may come, 1 in an
               * attribute's name, 2 after it (its '=' must come) */
    uint64_t hash;
    uint64_t stack[MAX_DEPTH];
    int depth, roots, bad;
    /* UTF-8: continuation bytes still expected, and the range the next
     * one must be in (a chunk lost inside a text can cut a character) */
    int u8need;
    unsigned char u8lo, u8hi;
} xml_check; /* xl_xml_check in pb_xlsx_private.h */

/* Every byte of a part must be well-formed UTF-8 (no overlongs, no
 * surrogates) and no control character XML 1.0 forbids. */
static void utf8_feed(xml_check *c, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n && !c->bad; i++) {
        /* eight plain ASCII characters (0x20-0x7F) at a time: no byte with
         * the high bit and none below 0x20 */
        while (!c->u8need && i + 8 <= n) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            const uint64_t hi = UINT64_C(0x8080808080808080);
            if (((w | (w - UINT64_C(0x2020202020202020))) & hi) != 0)
                break;
            i += 8;
        }
        if (i >= n)
            break;
        unsigned char b = p[i];
        if (c->u8need) {
            if (b < c->u8lo || b > c->u8hi) {
                c->bad = 1;
                return;
            }
            c->u8lo = 0x80;
            c->u8hi = 0xBF;
            c->u8need--;
            continue;
        }
        if (b < 0x80) {
            if (b < 0x20 && b != '\t' && b != '\n' && b != '\r')
                c->bad = 1;
            continue;
        }
        if (b < 0xC2 || b > 0xF4) { /* a continuation, an overlong lead, past U+10FFFF */
            c->bad = 1;
            continue;
        }
        /* the bytes to follow, and the range of the next (RFC 3629): no
         * overlong form, no surrogate, nothing past U+10FFFF */
        c->u8need = b >= 0xF0 ? 3 : b >= 0xE0 ? 2 : 1;
        c->u8lo = b == 0xE0 ? 0xA0 : b == 0xF0 ? 0x90 : 0x80;
        c->u8hi = b == 0xED ? 0x9F : b == 0xF4 ? 0x8F : 0xBF;
    }
}

/* States of the scan. */
enum { X_TEXT, X_NAME, X_TAG, X_VALUE, X_TEXT_ENTITY, X_VALUE_ENTITY };

static int is_space(unsigned char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* Text or an attribute value: up to `stop`, past any entity (its state
 * `entity`); `damage` there means a chunk went missing.  Returns the
 * position after `stop`, else NULL (the chunk ended, an entity began, or
 * the part is bad). */
static const unsigned char *skip_to(xml_check *c, const unsigned char **p,
                                    const unsigned char *end, unsigned char stop,
                                    unsigned char damage, int entity)
{
    const unsigned char *q = *p;
    while (q < end && *q != stop && *q != damage && *q != '&')
        q++;
    *p = q == end ? end : q + 1;
    if (q == end)
        return NULL;
    if (*q == damage) {
        c->bad = 1;
        return NULL;
    }
    if (*q == '&') {
        c->state = entity;
        c->entlen = 0;
        return NULL;
    }
    return *p;
}

/* The tag's name (hashed, to match its end tag).  Returns 0 when ch
 * ends the name: it is then read again as inside the tag. */
static int feed_name(xml_check *c, unsigned char ch)
{
    if (c->kind == -1) {
        if (ch == '/') {
            c->kind = 1;
            return 1;
        }
        if (ch == '?' || ch == '!') {
            c->kind = 2;
            c->state = X_TAG;
            return 1;
        }
        c->kind = 0;
    }
    if (ch == '>' || ch == '/' || is_space(ch)) {
        c->state = X_TAG;
        return 0;
    }
    c->hash = (c->hash ^ ch) * 1099511628211ULL;
    return 1;
}

/* The end of a tag: an open tag pushed, an end tag matched and popped. */
static void tag_end(xml_check *c)
{
    if (c->kind == 0) {
        if (!c->slash) {
            if (c->depth == 0)
                c->roots++;
            if (c->depth >= MAX_DEPTH) {
                c->bad = 1;
                return;
            }
            c->stack[c->depth++] = c->hash;
        } else if (c->depth == 0) {
            c->roots++;
        }
    } else if (c->kind == 1) {
        if (c->depth == 0 || c->stack[c->depth - 1] != c->hash) {
            c->bad = 1;
            return;
        }
        c->depth--;
    }
    c->state = X_TEXT;
}

/* An element's attributes, name="value": returns nonzero when ch cannot
 * come where it does (a name not followed by '=', '=' without a name, the
 * tag ended or a second name begun after a name; an end tag's
 * attribute).  The value itself is read in X_VALUE. */
static int attr_step(xml_check *c, unsigned char ch, int space)
{
    if (ch == '"' || ch == '\'')
        return 0;
    if (space) {
        if (c->attr == 1)
            c->attr = 2;
        return 0;
    }
    if (ch == '=') {
        if (c->attr == 0)
            return 1;
        c->attr = 0;
        return 0;
    }
    if (ch == '>' || ch == '/' || ch == '<')
        return c->attr != 0;
    if (c->attr == 2 || c->kind == 1)
        return 1;
    c->attr = 1;
    return 0;
}

/* Inside a tag, after its name. */
static void feed_tag(xml_check *c, unsigned char ch)
{
    unsigned char prev = c->prev;
    c->prev = ch;
    int space = is_space(ch);
    /* name="value": a value right after '=', and after a value a space or
     * the tag's end (a lost chunk can join two tags' halves into
     * `r="A25"t="s"`); an attribute's name is followed by its '=' (a lost
     * chunk can leave `<c ris>`: a name with no value) */
    if (c->kind != 2 && ((prev == '=') != (ch == '"' || ch == '\'') ||
                         (prev == '"' && !space && ch != '>' && ch != '/'))) {
        c->bad = 1;
        return;
    }
    if (c->kind != 2 && attr_step(c, ch, space)) {
        c->bad = 1;
        return;
    }
    if (ch == '"' || ch == '\'') {
        if (c->kind != 2) {
            c->quote = (char)ch;
            c->state = X_VALUE;
        }
    } else if (ch == '>') {
        tag_end(c);
    } else if (ch == '<') {
        c->bad = 1; /* a tag inside a tag: something is missing */
    } else if (!space) {
        /* in an element's tag only names, '=' and '/' */
        if (c->kind != 2 &&
            !((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == ':' || ch == '_' || ch == '-' || ch == '.' || ch == '=' || ch == '/' ||
              ch >= 0x80)) {
            c->bad = 1;
            return;
        }
        c->slash = ch == '/';
    }
}

/* An entity: &name; or &#123; or &#x1F; */
static void feed_entity(xml_check *c, unsigned char ch)
{
    if (ch == ';') {
        if (c->entlen == 0)
            c->bad = 1;
        else
            c->state = c->state == X_TEXT_ENTITY ? X_TEXT : X_VALUE;
    } else if (c->entlen < 12 && ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                                  (ch >= '0' && ch <= '9') || ch == '#')) {
        c->entlen++;
    } else {
        c->bad = 1;
    }
}

/* Letters, digits, ':', '_', '-', '.': what names in libxlsxwriter's tags
 * are made of. */
static int plain_name_char(unsigned char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == ':' || ch == '_' || ch == '-' || ch == '.';
}

/* A plain name from q: hashed into *h; the position after it. */
static const unsigned char *plain_name(const unsigned char *q, const unsigned char *end,
                                       uint64_t *h)
{
    uint64_t v = *h;
    while (q < end && plain_name_char(*q))
        v = (v ^ *q++) * 1099511628211ULL;
    *h = v;
    return q;
}

/* The common tag at once, p just after its '<': `<name( a="v")*>`,
 * `<name( a="v")* />` (the space optional) or `</name>`, with plain names,
 * double quotes, values without '&' or '<', all in this chunk: the state
 * machine would accept it and do the same (feed_name, feed_tag, tag_end).
 * Most of a sheet's bytes are such tags (`<c r="B7" s="6">`).  Returns the
 * position after its '>', or NULL for anything else, which the state
 * machine then reads from p. */
static const unsigned char *plain_tag(xml_check *c, const unsigned char *p,
                                      const unsigned char *end)
{
    const unsigned char *q = p;
    int kind = q < end && *q == '/';
    uint64_t h = 1469598103934665603ULL;
    const unsigned char *name = q + kind;
    q = plain_name(name, end, &h);
    if (q == name)
        return NULL;
    int slash = 0;
    while (q < end && *q != '>') {
        if (*q == '/' && !kind && q + 1 < end && q[1] == '>') {
            slash = 1;
            q++;
            continue;
        }
        if (*q != ' ' || kind)
            return NULL;
        while (q < end && *q == ' ')
            q++;
        if (q < end && (*q == '>' || *q == '/'))
            continue;
        uint64_t ignored = 0;
        const unsigned char *attr = q;
        q = plain_name(attr, end, &ignored);
        if (q == attr || end - q < 2 || q[0] != '=' || q[1] != '"')
            return NULL;
        for (q += 2; q < end && *q != '"'; q++)
            if (*q == '&' || *q == '<')
                return NULL;
        if (q == end || ++q == end || !(*q == ' ' || *q == '>' || *q == '/'))
            return NULL;
    }
    if (q == end)
        return NULL;
    c->kind = kind;
    c->hash = h;
    c->slash = slash;
    tag_end(c);
    return q + 1;
}

static void xml_feed(xml_check *c, const unsigned char *p, size_t n)
{
    const unsigned char *end = p + n;
    while (p < end && !c->bad) {
        switch (c->state) {
        case X_TEXT: /* to the next tag; libxlsxwriter escapes '>': a stray one is damage */
            if (skip_to(c, &p, end, '<', '>', X_TEXT_ENTITY)) {
                const unsigned char *after = plain_tag(c, p, end);
                if (after) {
                    p = after;
                    break;
                }
                c->state = X_NAME;
                c->kind = -1;
                c->slash = 0;
                c->prev = 0;
                c->attr = 0;
                c->hash = 1469598103934665603ULL;
            }
            break;
        case X_NAME:
            p += feed_name(c, *p);
            break;
        case X_TAG:
            feed_tag(c, *p++);
            break;
        case X_TEXT_ENTITY:
        case X_VALUE_ENTITY:
            feed_entity(c, *p++);
            break;
        default: /* an attribute value: to its closing quote; no '<' */
            if (skip_to(c, &p, end, (unsigned char)c->quote, '<', X_VALUE_ENTITY)) {
                c->state = X_TAG;
                c->slash = 0;
                c->prev = '"';
            }
        }
    }
}

static int xml_ok(const xml_check *c)
{
    return !c->bad && c->state == X_TEXT && c->depth == 0 && c->roots == 1 && !c->u8need;
}

/* The same check for the parts as they go into the zip (pb_xlsx_zipcheck.c). */
xl_xml_check *xl_xml_new(void)
{
    return calloc(1, sizeof(xl_xml_check));
}

void xl_xml_reset(xl_xml_check *c)
{
    memset(c, 0, sizeof *c);
}

void xl_xml_feed(xl_xml_check *c, const unsigned char *p, size_t n)
{
    xml_feed(c, p, n);
    utf8_feed(c, p, n);
}

int xl_xml_ok(const xl_xml_check *c)
{
    return xml_ok(c);
}

/* -------------------------------------------------------------- the zip */

int xl_is_xml(const char *name, size_t n)
{
    static const char *const ext[] = {".xml", ".rels", ".vml"};
    for (int i = 0; i < 3; i++) {
        size_t k = strlen(ext[i]);
        if (n >= k && !memcmp(name + n - k, ext[i], k))
            return 1;
    }
    return 0;
}

/* A member's bytes: into its CRC and size, and (an XML part) its check. */
static void consume(xml_check *xc, int xml, const unsigned char *b, size_t n, uLong *sum,
                    uint64_t *total)
{
    *sum = crc32(*sum, b, (uInt)n);
    if (xml) {
        xml_feed(xc, b, n);
        utf8_feed(xc, b, n);
    }
    *total += n;
}

/* One member: inflate it, check CRC, size and (XML parts) structure. */
static int check_member(FILE *f, long local, uint32_t method, uint32_t csize, uint32_t usize,
                        uint32_t crc, const char *name, size_t nlen, unsigned char *in,
                        unsigned char *out, xml_check *xc, char *why, size_t cap)
{
    unsigned char lh[30];
    if (fseek(f, local, SEEK_SET) || fread(lh, 1, 30, f) != 30 || rd32(lh) != 0x04034b50) {
        snprintf(why, cap, "member '%.*s': no local header", (int)nlen, name);
        return 0;
    }
    if (fseek(f, (long)(rd16(lh + 26) + rd16(lh + 28)), SEEK_CUR)) {
        snprintf(why, cap, "member '%.*s': cannot seek", (int)nlen, name);
        return 0;
    }
    int xml = xl_is_xml(name, nlen);
    memset(xc, 0, sizeof *xc);
    uLong sum = crc32(0L, Z_NULL, 0);
    uint64_t total = 0;
    if (method == 0) { /* stored */
        uint32_t left = csize;
        while (left) {
            size_t want = left < IN_CHUNK ? left : IN_CHUNK;
            if (fread(in, 1, want, f) != want) {
                snprintf(why, cap, "member '%.*s': truncated", (int)nlen, name);
                return 0;
            }
            consume(xc, xml, in, want, &sum, &total);
            left -= (uint32_t)want;
        }
    } else if (method == 8) {
        z_stream zs;
        memset(&zs, 0, sizeof zs);
        if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) {
            snprintf(why, cap, "out of memory");
            return 0;
        }
        uint32_t left = csize;
        int zr = Z_OK;
        while (zr != Z_STREAM_END) {
            if (zs.avail_in == 0) {
                if (!left)
                    break;
                size_t want = left < IN_CHUNK ? left : IN_CHUNK;
                if (fread(in, 1, want, f) != want)
                    break;
                left -= (uint32_t)want;
                zs.next_in = in;
                zs.avail_in = (uInt)want;
            }
            zs.next_out = out;
            zs.avail_out = OUT_CHUNK;
            zr = inflate(&zs, Z_NO_FLUSH);
            if (zr != Z_OK && zr != Z_STREAM_END)
                break;
            consume(xc, xml, out, OUT_CHUNK - zs.avail_out, &sum, &total);
        }
        inflateEnd(&zs);
        if (zr != Z_STREAM_END) {
            snprintf(why, cap, "member '%.*s': the compressed data is damaged", (int)nlen, name);
            return 0;
        }
    } else {
        snprintf(why, cap, "member '%.*s': unknown compression %u", (int)nlen, name, method);
        return 0;
    }
    if (sum != crc || total != usize) {
        snprintf(why, cap, "member '%.*s': checksum or size differs from the directory",
                 (int)nlen, name);
        return 0;
    }
    if (xml && !xml_ok(xc)) {
        snprintf(why, cap, "part '%.*s' is not well-formed XML (data went missing while "
                           "it was written)",
                 (int)nlen, name);
        return 0;
    }
    return 1;
}

int xl_verify_package(const char *path, char *why, size_t cap)
{
    FILE *f = pb_fopen(path, "rb");
    unsigned char *in = NULL, *out = NULL, *tail = NULL;
    xml_check *xc = NULL;
    int ok = 0;
    if (!f) {
        snprintf(why, cap, "cannot reopen the workbook to check it");
        return 0;
    }
    in = malloc(IN_CHUNK);
    out = malloc(OUT_CHUNK);
    xc = malloc(sizeof *xc);
    tail = malloc(65536 + 22);
    if (!in || !out || !xc || !tail) {
        snprintf(why, cap, "out of memory");
        goto done;
    }
    /* the end of central directory record */
    if (fseek(f, 0, SEEK_END)) {
        snprintf(why, cap, "cannot seek");
        goto done;
    }
    long size = ftell(f);
    long span = size < 65536 + 22 ? size : 65536 + 22;
    if (size < 22 || fseek(f, size - span, SEEK_SET) || fread(tail, 1, (size_t)span, f) != (size_t)span) {
        snprintf(why, cap, "the workbook is too short to be a zip file");
        goto done;
    }
    long eocd = -1;
    for (long i = span - 22; i >= 0; i--)
        if (rd32(tail + i) == 0x06054b50) {
            eocd = i;
            break;
        }
    if (eocd < 0) {
        snprintf(why, cap, "the workbook has no zip directory");
        goto done;
    }
    uint32_t entries = rd16(tail + eocd + 10);
    uint32_t cd_size = rd32(tail + eocd + 12);
    uint32_t cd_off = rd32(tail + eocd + 16);
    if (entries == 0xFFFF || cd_off == 0xFFFFFFFFu || (long)cd_off + (long)cd_size > size) {
        snprintf(why, cap, "the zip directory is out of range (zip64 is not used here)");
        goto done;
    }
    long cd_pos = (long)cd_off;
    for (uint32_t e = 0; e < entries; e++) {
        unsigned char h[46];
        char name[512];
        if (fseek(f, cd_pos, SEEK_SET) || fread(h, 1, 46, f) != 46 || rd32(h) != 0x02014b50) {
            snprintf(why, cap, "the zip directory is damaged");
            goto done;
        }
        size_t nlen = rd16(h + 28), elen = rd16(h + 30), clen = rd16(h + 32);
        size_t keep = nlen < sizeof name ? nlen : sizeof name - 1;
        if (fread(name, 1, keep, f) != keep) {
            snprintf(why, cap, "the zip directory is damaged");
            goto done;
        }
        name[keep] = '\0';
        cd_pos += (long)(46 + nlen + elen + clen);
        if (!check_member(f, (long)rd32(h + 42), rd16(h + 10), rd32(h + 20), rd32(h + 24),
                          rd32(h + 16), name, keep, in, out, xc, why, cap))
            goto done;
    }
    ok = 1;
done:
    free(in);
    free(out);
    free(xc);
    free(tail);
    fclose(f);
    return ok;
}
