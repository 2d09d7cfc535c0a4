/* pb_xlsx_private.h - what the workbook writer's parts share: the
 * workbook, its formats, the sheet names and the findings, and the
 * helpers every sheet writer uses (pb_xlsx_text.c).
 *
 * The parts: pb_xlsx.c drives the workbook; pb_xlsx_names.c names the
 * sheets; pb_xlsx_format.c makes the formats; pb_xlsx_text.c writes text,
 * numbers, links and rules; one file a kind of sheet (contents and
 * findings, budget, dashboard, register/heat map/records, structure);
 * pb_xlsx_verify.c reads the package back. */
#ifndef PB_XLSX_PRIVATE_H
#define PB_XLSX_PRIVATE_H

#include <xlsxwriter.h>

#include "pb_xlsx.h"

/* Layout of a budget sheet: title, subtitle, blank, headings, phases, data. */
#define XL_TITLE_ROW 0
#define XL_SUBTITLE_ROW 1
#define XL_HEAD_ROW 3
#define XL_PHASE_ROW 4
#define XL_FIRST_DATA_ROW 5
#define XL_MAX_ROWS 1048576u
#define XL_MAX_COLS 16384u
#define XL_MAX_STRING 32767u
#define XL_MAX_INDENT 15

enum { XL_NUM_PLAIN, XL_NUM_TOTAL, XL_NUM_MISMATCH, XL_NUM_NIL, XL_NUM_KINDS };

/* libxlsxwriter's temporary files of one save, kept in memory up to this
 * many bytes in all (pb_xlsx_spool.c; Linux builds that wrap lxw_tmpfile) */
#define PB_XLSX_SPOOL_BYTES ((size_t)4 << 20)
typedef struct xl_spool_set {
    struct xl_spool *head; /* every stream made in the save */
    size_t used, limit;    /* bytes held in memory; the limit now */
    size_t budget;         /* the save's (PB_XLSX_SPOOL_BYTES) */
    int err;               /* errno of a failed move to, or write on, disk */
} xl_spool_set;
/* From before the workbook is made to after it is closed (then any stream
 * libxlsxwriter left open is closed); the whole budget once it packages. */
size_t xl_spool_env_budget(void);
void xl_spool_begin(xl_spool_set *set, size_t budget);
void xl_spool_packaging(xl_spool_set *set);
void xl_spool_end(xl_spool_set *set);

typedef struct xl_ctx {
    const pb_api *api;
    pb_plan *plan;
    pb_error *err;
    lxw_workbook *wb;
    xl_spool_set *spool; /* its temporary files (pb_xlsx_spool.c) */
    int cached;
    pb_findings findings;
    char **sheet_names; /* per table */
    lxw_worksheet **sheets;
    size_t nsheets_used;
    char **used_names; /* every sheet name so far, for uniqueness */
    char **defined;    /* defined names so far */
    size_t ndefined;
    const char **table_names; /* per table: its tbl_ name (in `defined`) */
    /* the other parts' sheet names: (defined name in `defined`, part id) */
    struct xl_part_name {
        const char *name, *id;
    } *part_names;
    size_t npart_names;
    /* the fixed sheets: Contents, Findings and the hidden structure sheet */
    char *contents_name, *findings_name, *structure_name;
    lxw_worksheet *contents_ws, *findings_ws, *structure_ws;
    /* formats */
    lxw_format *title, *subtitle, *head, *head_left, *phase, *text, *bold, *link,
        *wrap;
    lxw_format *num[PB_MAX_DECIMALS + 1][XL_NUM_KINDS];
    lxw_format *label[XL_MAX_INDENT + 1][2];
    /* dashboards (pb_xlsx_dash.c) */
    char **dash_names; /* per indicator set */
    lxw_worksheet **dash_sheets;
    lxw_format *dash_num[PB_OBS_SCALE + 1][2]; /* made on first use */
    lxw_format *dash_text, *dash_status, *dash_fill[3];
    /* risk registers, heat maps and records (pb_xlsx_more.c) */
    char **reg_names, **heat_names, **coll_names;
    lxw_worksheet **reg_sheets, **heat_sheets, **coll_sheets;
    lxw_format *heat_fmt[4], *date_fmt;
    /* described parts (pb_xlsx_described.c) */
    char **desc_names;
    lxw_worksheet **desc_sheets;
} xl_ctx;

/* A growable string (formulas, messages). */
typedef struct xl_buf {
    char *s;
    size_t len, cap;
    int failed;
} xl_buf;

void xl_buf_add(xl_buf *b, const char *s, size_t n);
void xl_buf_addf(xl_buf *b, const char *fmt, ...) PB_PRINTF(2, 3);
void xl_buf_free(xl_buf *b);
/* Append s, cut by characters (never inside a UTF-8 sequence) to at most
 * max characters, a cut text ending "...": for derived labels only.
 * Returns 1 when s was cut. */
int xl_buf_add_cut(xl_buf *b, const char *s, size_t max);
/* After n = snprintf(buf, cap, ...) of a derived label: when it was cut,
 * end it "..." at the start of a character (never inside a UTF-8
 * sequence). */
void xl_fit(char *buf, size_t cap, int n);
/* For XML text Excel does not unescape (charts, document properties):
 * the characters XML forbids made a space or U+FFFD, in place (the same
 * length); returns s. */
char *xl_plain(char *s);

/* The characters of UTF-8 text (0 for NULL). */
size_t xl_chars(const char *s);
/* Append a copy of s to the list *items (*n of them); returns the copy,
 * or NULL with err set when out of memory. */
char *xl_keep_copy(xl_ctx *x, char ***items, size_t *n, const char *s);

/* Set err from a libxlsxwriter error; returns 0. */
int xl_fail(xl_ctx *x, lxw_error e, const char *what);
/* Set err with a message; returns 0. */
int xl_failf(xl_ctx *x, pb_status st, const char *fmt, ...) PB_PRINTF(3, 4);
/* What was being written (the part, its row, the field) put in front of
 * the error's message (issue 15); returns 0. */
int xl_in(xl_ctx *x, const char *fmt, ...) PB_PRINTF(2, 3);

/* The one escaping of text the writer puts in a cell or a comment:
 * characters XML 1.0 forbids (C0 controls but tab and newline; CR, which
 * XML would turn into a newline; U+FFFE, U+FFFF) in Excel's _xHHHH_ form,
 * and a literal _xHHHH_ as _x005F_xHHHH_, as Excel writes them.  Returns s
 * itself when nothing needs escaping, else tmp's text (NULL: no memory). */
const char *xl_text(const char *s, xl_buf *tmp);
/* A comment (opt may be NULL) and a text cell, through xl_text. */
lxw_error xl_comment(lxw_worksheet *ws, uint32_t row, uint16_t col, const char *s,
                     lxw_comment_options *opt);
lxw_error xl_raw_string(lxw_worksheet *ws, uint32_t row, uint16_t col, const char *s,
                        lxw_format *f);
/* A text cell (checked against Excel's 32,767 characters; never a formula). */
int xl_string(xl_ctx *x, lxw_worksheet *ws, uint32_t row, uint16_t col,
              const char *s, lxw_format *f);
/* An amount at a scale as a number (checked against 15 significant digits). */
int xl_amount_ok(pb_amount v, int decimals);
double xl_amount_double(pb_amount v, int decimals);
/* Quoted sheet reference: 'Name'!$A$1 into buf (LXW_MAX_FORMULA_RANGE_LENGTH+). */
void xl_cell_ref(const char *sheet, uint32_t row, uint16_t col, int absolute,
                 char *buf, size_t cap);
/* A link at (row, col) to the cell (to_row, to_col) of another sheet of
 * the workbook, showing text (NULL: "Sheet!B7"). */
int xl_link(xl_ctx *x, lxw_worksheet *ws, uint32_t row, uint16_t col, const char *sheet,
            uint32_t to_row, uint16_t to_col, const char *text);
/* A formula whose cached result is a text (without cached results, 0 as
 * the budget sheets' formulas cache). */
int xl_formula_text(xl_ctx *x, lxw_worksheet *ws, uint32_t row, uint16_t col,
                    const char *formula, const char *cached, lxw_format *f);
/* A conditional format on rows first..last of column col: fill f where the
 * cell's text contains word. */
int xl_word_rule(xl_ctx *x, lxw_worksheet *ws, uint32_t first, uint32_t last, uint16_t col,
                 const char *word, lxw_format *f);
/* The three rules that colour a RAG column by its words (green, amber, red). */
int xl_rag_rules(xl_ctx *x, lxw_worksheet *ws, uint32_t first, uint32_t last, uint16_t col);

/* Read a written workbook back: every member's CRC and size, every XML
 * part's structure (pb_xlsx_verify.c).  1 when sound, else 0 with why. */
int xl_verify_package(const char *path, char *why, size_t cap);
/* The XML and UTF-8 check of a part, fed in pieces (pb_xlsx_verify.c);
 * whether a member's name is an XML part's. */
typedef struct xl_xml_check xl_xml_check;
xl_xml_check *xl_xml_new(void); /* free() it */
void xl_xml_reset(xl_xml_check *c);
void xl_xml_feed(xl_xml_check *c, const unsigned char *p, size_t n);
int xl_xml_ok(const xl_xml_check *c);
int xl_is_xml(const char *name, size_t n);

/* The parts checked as they go into the zip, and the package checked
 * against them without inflating it (pb_xlsx_zipcheck.c; Linux builds that
 * wrap minizip's calls).  begin just before workbook_close (NULL: not
 * available, read back in full); verify after it: 1 sound, 0 damaged (why
 * says how), -1 cannot tell (read back in full); end frees it. */
typedef struct xl_zipcheck xl_zipcheck;
xl_zipcheck *xl_zipcheck_begin(void);
int xl_zipcheck_verify(xl_zipcheck *z, const char *path, char *why, size_t cap);
void xl_zipcheck_end(xl_zipcheck *z);
/* Members this thread's saves checked on their way in (for the tests). */
unsigned long xl_zipcheck_count(void);

/* A workbook-level defined name prefix + id ('-' made '_'; a suffix _2,
 * _3 ... when two ids give the same name) for the range `formula`. */
int xl_define_name(xl_ctx *x, const char *prefix, const char *id, const char *formula);
/* The defined name prefix + id for the whole of a sheet's A1 (what the
 * reader finds a sheet's kind and part by). */
int xl_define_sheet_name(xl_ctx *x, const char *prefix, const char *id, const char *sheet);

/* The formats of the workbook (pb_xlsx_format.c). */
int xl_make_formats(xl_ctx *x);
/* The name of every sheet, in the workbook's order (pb_xlsx_names.c). */
int xl_name_sheets(xl_ctx *x);
/* The kinds of the plan's parts with a sheet each, and each part's count,
 * title (NULL when it has none) and id. */
typedef enum xl_part { XL_TABLES, XL_INDSETS, XL_REGISTERS, XL_COLLECTIONS, XL_DESCRIBED } xl_part;
size_t xl_part_count(xl_ctx *x, xl_part kind);
const char *xl_part_title(xl_ctx *x, xl_part kind, size_t k);
const char *xl_part_id(xl_ctx *x, xl_part kind, size_t k);

/* The Contents and Findings sheets (pb_xlsx_contents.c). */
int xl_contents_sheet(xl_ctx *x, lxw_worksheet *ws);
int xl_findings_sheet(xl_ctx *x, lxw_worksheet *ws);

/* The hidden structure sheet (pb_xlsx_structure.c): what the visible
 * sheets cannot carry, for the reader. */
int xl_structure_sheet(xl_ctx *x, lxw_worksheet *ws, const char *yaml, size_t len);

/* The formulas of computed budget cells (pb_xlsx_formula.c): a total's
 * terms (rows, each with its sign in the formula) and their rendering,
 * a sum column's, a line's parts'.  The first data row is XL_FIRST_DATA_ROW. */
typedef struct xl_term {
    uint32_t row;
    int8_t coef;
} xl_term;
typedef struct xl_terms {
    xl_term *v;
    size_t n, cap;
    int failed; /* out of memory */
} xl_terms;
/* -1 where a row's figures are printed with the opposite sign of their
 * meaning (income in an income_sign: negative table), else 1. */
int xl_print_sign(xl_ctx *x, const pb_table *t, size_t r);
/* The terms of total row r (appended to out). */
void xl_total_terms(xl_ctx *x, const pb_table *t, size_t r, xl_terms *out);
/* "=..." for terms in sheet column col, into b (its text replaced). */
void xl_render_terms(xl_buf *b, const xl_terms *ts, uint16_t col);
/* A sum column c's formula on sheet row xr, appended to f. */
void xl_column_formula(xl_ctx *x, const pb_table *t, size_t c, uint32_t xr, xl_buf *f);
/* Line r as the sum of its parts, into f; 0 when out of memory. */
int xl_parts_formula(xl_ctx *x, const pb_table *t, size_t r, uint16_t xc, xl_buf *f);
/* The formula of computed column c (pb_calc.h) in row r. */
void xl_calc_formula(xl_ctx *x, const pb_table *t, size_t c, size_t r, xl_buf *f);

/* Budget sheets (pb_xlsx_budget.c). */
int xl_budget_sheet(xl_ctx *x, size_t t);

/* The sheet of described part k (pb_xlsx_described.c). */
int xl_described_sheet(xl_ctx *x, size_t k, lxw_worksheet *ws);

/* Dashboard sheets (pb_xlsx_dash.c): one per indicator set. */
int xl_dashboard_sheet(xl_ctx *x, size_t set, lxw_worksheet *ws);
/* Risk register and heat map sheets; record sheets (pb_xlsx_more.c). */
int xl_register_sheet(xl_ctx *x, size_t reg, lxw_worksheet *ws, lxw_worksheet *heat);
int xl_record_sheet(xl_ctx *x, size_t coll, lxw_worksheet *ws);
/* Where a measure's figure for a period is on its dashboard sheet. */
uint32_t xl_dashboard_row(size_t measure);
uint16_t xl_dashboard_col(size_t period);

#endif
