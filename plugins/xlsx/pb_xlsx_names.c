/* pb_xlsx_names.c - sheet names: valid (no []:*?/\, at most 31
 * characters, no apostrophe at either end) and unique without regard to
 * case, made from titles in the order the sheets are added. */
#include "pb_xlsx_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define A (x->api)


/* Next code point of UTF-8 text, folded to lower case for the scripts
 * sheet names are written in (Latin, Greek, Cyrillic); Excel compares
 * sheet names without regard to case. */
static uint32_t next_folded(const unsigned char **p)
{
    const unsigned char *s = *p;
    uint32_t c = *s++;
    if (c >= 0xC0 && c < 0xE0 && (*s & 0xC0) == 0x80)
        c = ((c & 0x1F) << 6) | (*s++ & 0x3F);
    else if (c >= 0xE0 && c < 0xF0 && (s[0] & 0xC0) == 0x80 && (s[1] & 0xC0) == 0x80) {
        c = ((c & 0x0F) << 12) | ((uint32_t)(s[0] & 0x3F) << 6) | (s[1] & 0x3F);
        s += 2;
    } else if (c >= 0xF0 && (s[0] & 0xC0) == 0x80 && (s[1] & 0xC0) == 0x80 &&
               (s[2] & 0xC0) == 0x80) {
        c = ((c & 0x07) << 18) | ((uint32_t)(s[0] & 0x3F) << 12) |
            ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
        s += 3;
    }
    *p = s;
    if (c >= 'A' && c <= 'Z')
        return c + 32;
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
        return c + 32;
    if (c >= 0x100 && c <= 0x17F && c != 0x130 && c != 0x131 && c != 0x138 && c != 0x149 &&
        c != 0x17F) {
        /* Latin Extended-A pairs: even/odd, but 0x139-0x148 and 0x179-0x17E odd/even */
        if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
            return (c & 1) ? c + 1 : c;
        return (c & 1) ? c : c + 1;
    }
    if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2)
        return c + 32;
    if (c >= 0x410 && c <= 0x42F)
        return c + 32;
    if (c >= 0x400 && c <= 0x40F)
        return c + 80;
    return c;
}

static int same_name(const char *a, const char *b)
{
    const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
    while (*p && *q)
        if (next_folded(&p) != next_folded(&q))
            return 0;
    return !*p && !*q;
}

static int name_taken(xl_ctx *x, const char *name)
{
    for (size_t i = 0; i < x->nsheets_used; i++)
        if (same_name(x->used_names[i], name))
            return 1;
    return same_name(name, "History");
}

/* Truncate UTF-8 text to at most n characters, in place. */
static void utf8_truncate(char *s, size_t n)
{
    size_t chars = 0;
    for (char *p = s; *p; p++) {
        if (((unsigned char)*p & 0xC0) != 0x80) {
            if (chars == n) {
                *p = '\0';
                return;
            }
            chars++;
        }
    }
}

static void trim(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\''))
        s[--n] = '\0';
    size_t k = 0;
    while (s[k] == ' ' || s[k] == '\'')
        k++;
    memmove(s, s + k, n - k + 1);
}

/* A valid, unique sheet name from a wish (a title), else the fallback. */
static char *sheet_name(xl_ctx *x, const char *wish, const char *fallback)
{
    char base[200];
    size_t len = 0;
    for (const char *p = wish ? wish : ""; *p && len + 5 < sizeof base; p++) {
        char c = *p;
        if ((unsigned char)c == 0xEF && (unsigned char)p[1] == 0xBF &&
            ((unsigned char)p[2] == 0xBE || (unsigned char)p[2] == 0xBF)) {
            c = ' '; /* U+FFFE, U+FFFF: not XML */
            p += 2;
        }
        if (c == '[' || c == ']' || c == ':' || c == '*' || c == '?' || c == '/' ||
            c == '\\' || (unsigned char)c < 0x20)
            c = ' ';
        if (c == ' ' && len && base[len - 1] == ' ')
            continue;
        base[len++] = c;
    }
    base[len] = '\0';
    trim(base);
    if (!base[0])
        snprintf(base, sizeof base, "%s", fallback);
    utf8_truncate(base, 31);
    trim(base);
    char name[240];
    snprintf(name, sizeof name, "%s", base);
    for (int k = 2; name_taken(x, name) && k < 100000; k++) {
        char suffix[16];
        snprintf(suffix, sizeof suffix, " (%d)", k);
        char shorter[200];
        snprintf(shorter, sizeof shorter, "%s", base);
        utf8_truncate(shorter, 31 - strlen(suffix));
        trim(shorter);
        snprintf(name, sizeof name, "%s%s", shorter, suffix);
    }
    return xl_keep_copy(x, &x->used_names, &x->nsheets_used, name);
}

/* ====================================================== every sheet */

size_t xl_part_count(xl_ctx *x, xl_part kind)
{
    switch (kind) {
    case XL_TABLES:
        return A->pb_plan_table_count(x->plan);
    case XL_INDSETS:
        return A->pb_plan_indset_count(x->plan);
    case XL_REGISTERS:
        return A->pb_plan_register_count(x->plan);
    case XL_DESCRIBED:
        return A->pb_plan_described_count(x->plan);
    default:
        return A->pb_plan_collection_count(x->plan);
    }
}

const char *xl_part_title(xl_ctx *x, xl_part kind, size_t k)
{
    switch (kind) {
    case XL_TABLES:
        return A->pb_table_text(A->pb_plan_table(x->plan, k), PB_TABLE_TITLE);
    case XL_INDSETS:
        return A->pb_indset_text(A->pb_plan_indset(x->plan, k), PB_INDSET_TITLE);
    case XL_REGISTERS:
        return A->pb_register_text(A->pb_plan_register(x->plan, k), PB_REG_TITLE);
    case XL_DESCRIBED:
        return A->pb_described_desc_of(A->pb_plan_described(x->plan, k))->title;
    default:
        return A->pb_collection_text(A->pb_plan_collection(x->plan, k), PB_COLL_TITLE);
    }
}

const char *xl_part_id(xl_ctx *x, xl_part kind, size_t k)
{
    switch (kind) {
    case XL_TABLES:
        return A->pb_table_id(A->pb_plan_table(x->plan, k));
    case XL_INDSETS:
        return A->pb_indset_id(A->pb_plan_indset(x->plan, k));
    case XL_REGISTERS:
        return A->pb_register_id(A->pb_plan_register(x->plan, k));
    case XL_DESCRIBED:
        return A->pb_described_id(A->pb_plan_described(x->plan, k));
    default:
        return A->pb_collection_id(A->pb_plan_collection(x->plan, k));
    }
}

/* The sheet of a part: its title when that fits in a sheet name, else its
 * id. */
static char *part_sheet_name(xl_ctx *x, xl_part kind, size_t k)
{
    const char *title = xl_part_title(x, kind, k), *id = xl_part_id(x, kind, k);
    if (kind == XL_DESCRIBED) /* the descriptor names its sheet */
        title = A->pb_described_desc_of(A->pb_plan_described(x->plan, k))->sheet;
    return sheet_name(x, title && xl_chars(title) <= 31 ? title : id, id);
}

/* A kind of part's names and worksheets, zeroed (at least one of each, so
 * that NULL means no memory); with the names of its sheets unless later
 * (a register's sheet and heat map take turns). */
static int name_parts(xl_ctx *x, xl_part kind, char ***names, lxw_worksheet ***sheets, int later)
{
    size_t n = xl_part_count(x, kind);
    *names = calloc(n ? n : 1, sizeof **names);
    *sheets = calloc(n ? n : 1, sizeof **sheets);
    if (!*names || !*sheets)
        return xl_failf(x, PB_ERR_NOMEM, "out of memory");
    for (size_t k = 0; k < n && !later; k++)
        if (!((*names)[k] = part_sheet_name(x, kind, k)))
            return 0;
    return 1;
}

int xl_name_sheets(xl_ctx *x)
{
    size_t nt = xl_part_count(x, XL_TABLES), nreg = xl_part_count(x, XL_REGISTERS);
    if (!(x->table_names = calloc(nt ? nt : 1, sizeof *x->table_names)))
        return xl_failf(x, PB_ERR_NOMEM, "out of memory");
    x->contents_name = sheet_name(x, "Contents", "Contents");
    /* reserved first, so no table takes the name the reader looks for */
    x->structure_name = sheet_name(x, "planbook", "planbook");
    if (!x->contents_name || !x->structure_name ||
        !name_parts(x, XL_TABLES, &x->sheet_names, &x->sheets, 0) ||
        !name_parts(x, XL_INDSETS, &x->dash_names, &x->dash_sheets, 0) ||
        !name_parts(x, XL_REGISTERS, &x->reg_names, &x->reg_sheets, 1) ||
        !name_parts(x, XL_REGISTERS, &x->heat_names, &x->heat_sheets, 1))
        return 0;
    for (size_t k = 0; k < nreg; k++) {
        char heat[200];
        snprintf(heat, sizeof heat, "Heat map %s", xl_part_id(x, XL_REGISTERS, k));
        if (!(x->reg_names[k] = part_sheet_name(x, XL_REGISTERS, k)) ||
            !(x->heat_names[k] = sheet_name(x, heat, "Heat map")))
            return 0;
    }
    if (!name_parts(x, XL_COLLECTIONS, &x->coll_names, &x->coll_sheets, 0) ||
        !name_parts(x, XL_DESCRIBED, &x->desc_names, &x->desc_sheets, 0))
        return 0;
    return (x->findings_name = sheet_name(x, "Findings", "Findings")) != NULL;
}
