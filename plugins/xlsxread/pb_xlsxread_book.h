/* pb_xlsxread_book.h - what the files of the book share (internal): the
 * book's structure, the parse of one XML part of the package, and the
 * small helpers.
 *
 *  - pb_xlsxread_book.c: the book (open, free, the workbook part, its
 *    sheets and defined names), errors and helpers;
 *  - pb_xlsxread_zip.c: the package (zip members under limits, minizip's
 *    I/O over memory or a file), each part parsed with expat, and the
 *    relationships between parts;
 *  - pb_xlsxread_strings.c: shared strings and styles;
 *  - pb_xlsxread_sheet.c: one sheet (and its comments) as a grid.
 */
#ifndef PB_XLSXREAD_BOOK_H
#define PB_XLSXREAD_BOOK_H

#include "pb_xlsxread_private.h"

#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* minizip (pkg-config minizip: -I.../minizip); after the system headers,
 * as its ioapi.h defines large-file macros */
#include "unzip.h"

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
    /* what opening the book passed over (a number format without an id, a
     * part its relationships name that is missing): warnings of a read */
    pb_xr_warnings notes;
    /* the structure sheet's grid, kept by pb_xr_structure_yaml for the
     * plan's read (xr_structure_open takes it): the sheet is parsed once */
    pb_xr_grid *kept;
    int64_t kept_sheet;
};

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

/* Relationships of a part ("_rels/....rels"). */
typedef struct rel {
    char *id, *target, *type;
} rel;

typedef struct rels_ctx {
    xr_xml x;
    rel *v;
    size_t n, cap;
} rels_ctx;

/* pb_xlsxread_book.c: out of memory (err set; returns 0), a copy of n
 * bytes (NUL-terminated); xr_grow is in pb_xlsxread_private.h. */
int xr_nomem(pb_error *err);
char *xr_dupn(const char *s, size_t n);
/* A text buffer addressed by 32-bit offsets (a sheet's values and comments,
 * the shared strings): n bytes of s appended; 0 when it would pass
 * UINT32_MAX or memory runs out.  xr_text_end ends a rich text collected
 * from `start`: Excel's escapes decoded in place (pb_xr_unescape), then a
 * NUL; 0 as xr_text_add. */
int xr_text_add(char **text, size_t *len, size_t *cap, const char *s, size_t n);
int xr_text_end(char **text, size_t *len, size_t *cap, size_t start);

/* pb_xlsxread_zip.c: the package opened into b (its members listed) from a
 * file or from memory; 1, or 0 with err set (b is left to its owner, who
 * closes it with xr_package_close). */
int xr_package_open_file(pb_xr_book *b, const char *path, pb_error *err);
int xr_package_open_buffer(pb_xr_book *b, const void *data, size_t size, pb_error *err);
void xr_package_close(pb_xr_book *b);
/* An element's local name; an attribute by local name (or NULL); stop the
 * parse of a part (x->failed set). */
const char *xr_lname(const char *n);
const char *xr_attr(const char **atts, const char *local);
void xr_xml_stop(xr_xml *x);
/* Set a part's handlers (text may be NULL) and the sheet named in
 * messages (NULL for none); the rest of x is left as it is. */
void xr_xml_handlers(xr_xml *x, void (*start)(xr_xml *, const char *, const char **),
                     void (*end)(xr_xml *, const char *),
                     void (*text)(xr_xml *, const char *, int), const char *sheet);
/* Rich text (a shared string's <si>, a comment's <comment>): the text of
 * its <t> runs, without phonetic runs (<rPh>), collected into a text buffer
 * (xr_text_add).  The caller sets `in` and `start` (the buffer's length)
 * when its element opens; xr_rich_start and xr_rich_end follow the runs'
 * elements (1 when `name` was one of them); xr_rich_text appends a run's
 * text (x stopped when the buffer is full); xr_rich_close is the end
 * handler's part: 1 when `name` closes the element (its text then decoded
 * and ended with a NUL), 0 for any other, -1 when the text could not end
 * (x stopped). */
typedef struct xr_rich {
    int in, in_t, in_rph;
    const char *elem; /* the element whose text is collected */
    const char *what; /* what would grow too large, for the message */
    char **text;
    size_t *len, *cap;
    size_t start;
} xr_rich;
int xr_rich_start(xr_rich *r, const char *name);
int xr_rich_end(xr_rich *r, const char *name);
void xr_rich_text(xr_xml *x, xr_rich *r, const char *s, int len);
int xr_rich_close(xr_xml *x, xr_rich *r, const char *name);
/* Is there a member `name` (as xr_parse_part finds it)? */
int xr_has_part(const pb_xr_book *b, const char *name);
/* Parse member `name` through x: 1 done, 0 failed (err set), -1 no such
 * member (when not required). */
int xr_parse_part(pb_xr_book *b, const char *name, xr_xml *x, int required, pb_error *err);
/* The part a relationship's target names, from the part `from` (malloc'd;
 * NULL when out of memory). */
char *xr_resolve(const char *from, const char *target);
/* The relationships of part (its "_rels/NAME.rels"), into c: 1, or 0 with
 * err set. */
int xr_read_rels(pb_xr_book *b, const char *part, rels_ctx *c, const char *sheet, pb_error *err);
void xr_rels_free(rels_ctx *c);
int xr_ends_with(const char *s, const char *tail);

/* pb_xlsxread_strings.c: the shared strings and the styles parts (either
 * may be NULL: none). */
int xr_read_strings(pb_xr_book *b, const char *part, pb_error *err);
int xr_read_styles(pb_xr_book *b, const char *part, pb_error *err);

#endif
