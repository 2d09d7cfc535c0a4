/* pb_narrative.c - figures written in the narrative (the text fields of
 * collections of records) that match a budget table's figure by value but
 * not by magnitude or unit: "a gross budget of £720,036 million" for the
 * 720,036 of a table in £'000 (720.036 million), "2,691 staff" for 2,691
 * FTE.  Each is a warning (PB_FIND_NARRATIVE) on the table's cell, with
 * the narrative's place as the other side.  Also the references the
 * narrative makes, {{table.row.column}} to a cell and {{records.coll.item}}
 * to a list of records: each must name something (Python renders them). */
#include "pb_narrative_private.h"
#include "pb_finding_private.h"
#include "pb_plan_private.h"
#include "pb_record.h"
#include "pb_text.h"

#include <stdio.h>
#include <string.h>

/* Pounds per unit of a money table: "£'000" 1,000, "£m" 1,000,000, "£"
 * 1; 0 when the unit is not money. */
static int64_t unit_pounds(const char *unit)
{
    const char *p = unit ? strstr(unit, "\xc2\xa3") : NULL;
    if (!p)
        return 0;
    p += 2;
    while (*p == '\'' || *p == ' ')
        p++;
    if (!strncmp(p, "000,000", 7) || *p == 'm')
        return 1000000;
    if (!strncmp(p, "000", 3) || *p == 'k')
        return 1000;
    return *p ? 0 : 1;
}

/* The magnitude word after a figure ("million", "m", "bn", "k"): its
 * multiplier (1 when none) and its length in *n. */
static int64_t magnitude(const char *s, size_t *n)
{
    static const struct {
        const char *word;
        int64_t mult;
    } words[] = {{"million", 1000000},       {"billion", 1000000000}, {"thousand", 1000},
                 {"bn", 1000000000},         {"m", 1000000},          {"k", 1000}};
    size_t skip = *s == ' ' ? 1 : 0;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        size_t l = strlen(words[i].word);
        if (!strncmp(s + skip, words[i].word, l) && !pb_ascii_isalnum((unsigned char)s[skip + l])) {
            *n = skip + l;
            return words[i].mult;
        }
    }
    *n = 0;
    return 1;
}

/* A figure after "£" at s: digits with thousands commas and decimals, as
 * an amount at *dec decimals; its length, 0 when none. */
static size_t figure(const char *s, pb_amount *v, int *dec)
{
    size_t i = 0, last = 0;
    int64_t x = 0;
    int d = -1;
    while (s[i]) {
        char ch = s[i];
        if (pb_ascii_isdigit((unsigned char)ch)) {
            if (pb_mul_overflow(x, 10, &x) || pb_add_overflow(x, ch - '0', &x) ||
                d >= PB_MAX_DECIMALS)
                return 0;
            if (d >= 0)
                d++;
            last = ++i;
        } else if ((ch == ',' && d < 0 && last) ||
                   (ch == '.' && d < 0 && last && pb_ascii_isdigit((unsigned char)s[i + 1]))) {
            if (ch == '.')
                d = 0;
            i++;
        } else {
            break;
        }
    }
    *v = x;
    *dec = d < 0 ? 0 : d;
    return last;
}

/* The money cell (in the table with the first id) whose figure (printed, else computed:
 * a workbook saved by another program may keep only the formula of a total)
 * is `lit` (at ld decimals) but whose value in pounds is not lit x mult: 1
 * and the cell, else 0. */
static int mismatch(const pb_plan *plan, pb_shown_fn shown, pb_amount lit, int ld,
                    int64_t mult, uint32_t *ti, uint32_t *ri, uint32_t *ci)
{
    int found = 0;
    for (uint32_t k = 0; k < pb_plan_table_count(plan); k++) {
        const pb_table *t = pb_plan_table_at(plan, k);
        int64_t up = unit_pounds(pb_table_text(t, PB_TABLE_UNIT));
        /* the table with the first id: the same cell whatever the tables' order */
        if (!up || (found && strcmp(t->head.id, pb_plan_table_at(plan, *ti)->head.id) > 0))
            continue;
        for (uint32_t c = 0; c < t->ncols; c++) {
            pb_amount want;
            if (t->cols[c].type != PB_COL_AMOUNT ||
                pb_amount_rescale(lit, ld, pb_column_decimals(t, c), &want) != PB_OK)
                continue;
            for (uint32_t r = 0; r < t->nrows; r++) {
                pb_amount v;
                if (t->rows[r].kind == PB_ROW_SECTION || !shown(t, r, c, &v) || v != want)
                    continue;
                if (up == mult) /* the same figure, in the same magnitude */
                    return 0;
                *ti = k, *ri = r, *ci = c;
                found = 1;
                c = t->ncols; /* the table's first such cell */
                break;
            }
        }
    }
    return found;
}

/* A warning of the narrative check on a table's cell, with the narrative's
 * collection, item and field as its other side, located at the item. */
static pb_finding *narrative_finding(pb_findings *out, const pb_collection *col, uint32_t coll,
                                     uint32_t item, uint32_t field, uint32_t ti, uint32_t ri,
                                     uint32_t ci, int dc)
{
    pb_finding *f = pb_finding_new(out, PB_PART_BUDGETS);
    if (!f)
        return NULL;
    f->code = PB_FIND_NARRATIVE;
    f->severity = PB_SEV_WARNING;
    f->table = ti, f->row = ri, f->column = ci;
    f->other_table = coll, f->other_row = item, f->other_column = field;
    f->decimals = (int8_t)dc;
    pb_item_source(col, item, &f->line, &f->col);
    return f;
}

static pb_status scan(const pb_plan *plan, pb_shown_fn shown, uint32_t coll, uint32_t item,
                      uint32_t field, const char *text, pb_findings *out, pb_error *err)
{
    const pb_collection *col = pb_plan_collection(plan, coll);
    for (const char *p = strstr(text, "\xc2\xa3"); p; p = strstr(p + 2, "\xc2\xa3")) {
        pb_amount lit = 0;
        int ld = 0;
        size_t n = figure(p + 2, &lit, &ld), mn;
        pb_amount whole = lit;
        for (int k = 0; k < ld; k++)
            whole /= 10;
        if (!n || whole < 1000) /* four digits or more: fewer match by chance */
            continue;
        int64_t mult = magnitude(p + 2 + n, &mn);
        uint32_t ti = 0, ri = 0, ci = 0;
        if (!mismatch(plan, shown, lit, ld, mult, &ti, &ri, &ci))
            continue;
        const pb_table *t = pb_plan_table_at(plan, ti);
        int dc = pb_column_decimals(t, ci);
        int64_t up = unit_pounds(pb_table_text(t, PB_TABLE_UNIT));
        pb_finding *f = narrative_finding(out, col, coll, item, field, ti, ri, ci, dc);
        if (!f)
            return pb_error_set(err, PB_ERR_NOMEM, NULL);
        /* the narrative's figure in the table's unit, against the table's */
        pb_amount in_unit, cell;
        shown(t, ri, ci, &cell);
        int ok = pb_amount_rescale(lit, ld, dc, &in_unit) == PB_OK;
        if (ok && mult >= up)
            ok = !pb_mul_overflow(in_unit, mult / up, &in_unit);
        else if (ok)
            ok = in_unit % (up / mult) == 0 && (in_unit /= up / mult, 1);
        if (ok && !pb_sub_overflow(in_unit, cell, &f->difference)) {
            f->has_values = 1;
            f->declared = in_unit;
            f->computed = cell;
        }
        int len = (int)(2 + n + mn);
        snprintf(f->detail, sizeof f->detail, "%.*s", len > 80 ? 80 : len, p);
    }
    return PB_OK;
}

/* ---------------------------------------------------------------- counts */

/* Units of counts as prose and tables write them: what is counted, and
 * its family (units a reader may take for one another: FTE, headcount and
 * posts all count the workforce, but 2,691 FTE are not 2,691 staff).
 * Longer words first. */
enum { UNIT_FTE = 1, UNIT_HEADCOUNT, UNIT_POSTS, UNIT_CHILDREN, UNIT_PUPILS, UNIT_PLACES };
enum { FAMILY_WORKFORCE = 1, FAMILY_CHILDREN, FAMILY_PLACES };
static const struct {
    const char *word;
    int unit, family;
} count_units[] = {
    {"full-time equivalents", UNIT_FTE, FAMILY_WORKFORCE},
    {"full-time equivalent", UNIT_FTE, FAMILY_WORKFORCE},
    {"full time equivalents", UNIT_FTE, FAMILY_WORKFORCE},
    {"full time equivalent", UNIT_FTE, FAMILY_WORKFORCE},
    {"FTEs", UNIT_FTE, FAMILY_WORKFORCE},
    {"FTE", UNIT_FTE, FAMILY_WORKFORCE},
    {"headcount", UNIT_HEADCOUNT, FAMILY_WORKFORCE},
    {"employees", UNIT_HEADCOUNT, FAMILY_WORKFORCE},
    {"workers", UNIT_HEADCOUNT, FAMILY_WORKFORCE},
    {"staff", UNIT_HEADCOUNT, FAMILY_WORKFORCE},
    {"posts", UNIT_POSTS, FAMILY_WORKFORCE},
    {"children", UNIT_CHILDREN, FAMILY_CHILDREN},
    {"young people", UNIT_CHILDREN, FAMILY_CHILDREN},
    {"pupils", UNIT_PUPILS, FAMILY_CHILDREN},
    {"school places", UNIT_PLACES, FAMILY_PLACES},
    {"places", UNIT_PLACES, FAMILY_PLACES},
};

/* The count unit at s (any case, a whole word): its index in count_units
 * and its length in *n; -1 when none. */
static int count_unit(const char *s, size_t *n)
{
    for (int k = 0; k < (int)(sizeof count_units / sizeof count_units[0]); k++) {
        const char *w = count_units[k].word;
        size_t l = 0; /* the word's length matched, stopping at the text's end */
        while (w[l] && s[l] && pb_ascii_tolower((unsigned char)s[l]) ==
                                   pb_ascii_tolower((unsigned char)w[l]))
            l++;
        if (!w[l] && !pb_ascii_isalnum((unsigned char)s[l])) {
            *n = l;
            return k;
        }
    }
    return -1;
}

/* The count unit of a column: its own unit, else its table's ("FTE",
 * "staff"); -1 for money, percentages and anything else. */
static int column_count_unit(const pb_table *t, uint32_t c)
{
    const char *u = pb_column_text(t, c, PB_COLUMN_UNIT);
    size_t n;
    if (!u || !*u)
        u = pb_table_text(t, PB_TABLE_UNIT);
    return u ? count_unit(u, &n) : -1;
}

/* The cell (of the first table by id) of a count column of the unit k's
 * family whose figure, with or without its sign, has the digits of `lit`
 * but is not the narrative's figure (lit x mult in unit k): 1 and the cell;
 * 0 when none, or when some cell agrees in value and unit. */
static int count_mismatch(const pb_plan *plan, pb_shown_fn shown, pb_amount lit, int ld,
                          int64_t mult, int k, uint32_t *ti, uint32_t *ri, uint32_t *ci)
{
    int found = 0;
    for (uint32_t x = 0; x < pb_plan_table_count(plan); x++) {
        const pb_table *t = pb_plan_table_at(plan, x);
        for (uint32_t c = 0; c < t->ncols; c++) {
            int u = column_count_unit(t, c);
            pb_amount want, full;
            if (t->cols[c].type != PB_COL_AMOUNT || u < 0 ||
                count_units[u].family != count_units[k].family ||
                pb_amount_rescale(lit, ld, pb_column_decimals(t, c), &want) != PB_OK)
                continue;
            int same = count_units[u].unit == count_units[k].unit;
            int has_full = !pb_mul_overflow(want, mult, &full);
            for (uint32_t r = 0; r < t->nrows; r++) {
                pb_amount v;
                if (t->rows[r].kind == PB_ROW_SECTION || !shown(t, r, c, &v))
                    continue;
                v = v < 0 && v != INT64_MIN ? -v : v;
                if (same && has_full && v == full) /* the figure, in its unit */
                    return 0;
                if (v != want)
                    continue;
                /* the same digits, in another unit or magnitude */
                if (!found || strcmp(t->head.id, pb_plan_table_at(plan, *ti)->head.id) < 0)
                    *ti = x, *ri = r, *ci = c, found = 1;
            }
        }
    }
    return found;
}

/* Counts written with a unit word in a text ("employs 2,691 FTEs", "623
 * staff", "around 600 full-time equivalent posts"): 100 or more in full
 * (fewer match by chance), not part of a longer token or a money figure.
 * A count that matches a cell with its sign flipped agrees ("a reduction
 * of 305 FTE" for -305). */
static pb_status scan_counts(const pb_plan *plan, pb_shown_fn shown, uint32_t coll,
                             uint32_t item, uint32_t field, const char *text, pb_findings *out,
                             pb_error *err)
{
    const pb_collection *col = pb_plan_collection(plan, coll);
    for (const char *p = text; *p; p++) {
        unsigned char before = p > text ? (unsigned char)p[-1] : ' ';
        if (!pb_ascii_isdigit((unsigned char)*p) || pb_ascii_isalnum(before) ||
            strchr(".,/-:+'\xa3", before))
            continue;
        pb_amount lit = 0;
        int ld = 0;
        size_t n = figure(p, &lit, &ld), mn, un;
        const char *q = p;
        p += n ? n - 1 : 0;
        pb_amount whole = lit;
        for (int k = 0; k < ld; k++)
            whole /= 10;
        int64_t mult = n ? magnitude(q + n, &mn) : 1, full = 0;
        if (!n || pb_mul_overflow(whole, mult, &full) || full < 100) /* 100 or more, in full */
            continue;
        const char *w = q + n + mn;
        if (*w == ' ')
            w++;
        int k = count_unit(w, &un);
        uint32_t ti = 0, ri = 0, ci = 0;
        if (k < 0 || !count_mismatch(plan, shown, lit, ld, mult, k, &ti, &ri, &ci))
            continue;
        const pb_table *t = pb_plan_table_at(plan, ti);
        int dc = pb_column_decimals(t, ci);
        pb_amount in_unit, cell;
        pb_finding *f = narrative_finding(out, col, coll, item, field, ti, ri, ci, dc);
        if (!f)
            return pb_error_set(err, PB_ERR_NOMEM, NULL);
        shown(t, ri, ci, &cell);
        /* the narrative's figure in the cell's scale, with the cell's sign */
        if (pb_amount_rescale(lit, ld, dc, &in_unit) == PB_OK &&
            !pb_mul_overflow(in_unit, mult, &in_unit) &&
            !pb_sub_overflow(cell < 0 ? -in_unit : in_unit, cell, &f->difference)) {
            f->has_values = 1;
            f->declared = cell < 0 ? -in_unit : in_unit;
            f->computed = cell;
        }
        int len = (int)(w + un - q);
        snprintf(f->detail, sizeof f->detail, "%.*s", len > 80 ? 80 : len, q);
    }
    return PB_OK;
}

/* Whether a narrative finding on a cell is one of unit (1: "2,691 staff"
 * against a column of FTE) rather than of magnitude (0), told from the
 * figure as written (the finding's detail) and the cell's column. */
int pb_narrative_other_unit(const pb_plan *plan, const pb_finding *f)
{
    const pb_table *t = pb_plan_table(plan, f->table);
    const char *s = f->detail;
    if (!t || f->column == PB_NONE || !strncmp(s, "\xc2\xa3", 2))
        return 0;
    pb_amount lit;
    int ld;
    size_t n = figure(s, &lit, &ld), mn, un;
    magnitude(s + n, &mn);
    const char *w = s + n + mn;
    if (*w == ' ')
        w++;
    int k = count_unit(w, &un), u = column_count_unit(t, f->column);
    return k >= 0 && u >= 0 && count_units[k].unit != count_units[u].unit;
}

/* Whether item i has one of the fields named by the words of fmt (up to
 * end) other than the styles ("bullets", "paragraphs", "numbered",
 * "ordered"); a word "a/b" names a, else b. with none named, a text,
 * title or action.  The first such word into *field (for a message). */
static int has_list_field(const pb_collection *c, size_t i, const char *fmt, const char *end,
                          const char **field, size_t *flen)
{
    int named = 0;
    char name[72];
    for (const char *w = fmt; w && w < end;) { /* the format's words */
        while (w < end && *w == ' ')
            w++;
        const char *e = w;
        while (e < end && *e != ' ')
            e++;
        size_t l = (size_t)(e - w);
        w = e;
        if (!l || pb_name_eq("bullets", e - l, l) || pb_name_eq("paragraphs", e - l, l) ||
            pb_name_eq("numbered", e - l, l) || pb_name_eq("ordered", e - l, l))
            continue;
        if (!named++)
            *field = e - l, *flen = l;
        for (const char *a = e - l; a < e;) { /* "restated/title": the first it has */
            const char *b = memchr(a, '/', (size_t)(e - a));
            size_t al = (size_t)((b ? b : e) - a);
            if (al && al < sizeof name) {
                memcpy(name, a, al), name[al] = 0;
                if (pb_item_field(c, i, name))
                    return 1;
            }
            a += al + 1;
        }
    }
    return !named && (pb_item_field(c, i, "text") || pb_item_field(c, i, "title") ||
                      pb_item_field(c, i, "action"));
}

/* A reference to a list of records, {{records.coll}} or {{records.coll.item}}
 * (item ids may hold dots), with "|" words: "bullets" or "paragraphs",
 * "numbered" (each item's id before it, "- 1. "), "ordered" (a Markdown
 * ordered list, "1. "), and the fields to print, joined by a space (default: each item's text, else
 * title, else action).  It renders the item's descendants (the collection's
 * items), and each must have one of the fields.  Why it names nothing into
 * why; else "". */
static void list_reference(const pb_plan *plan, const char *s, const char *stop,
                           const char *fmt, const char *end, char *why, size_t cap)
{
    const char *d = memchr(s, '.', (size_t)(stop - s));
    size_t cl = d ? (size_t)(d - s) : (size_t)(stop - s);
    int64_t k = pb_plan_find_collection(plan, s, cl);
    if (k < 0) {
        snprintf(why, cap, "no collection '%.*s'", (int)(cl > 60 ? 60 : cl), s);
        return;
    }
    const pb_collection *c = pb_plan_collection(plan, (size_t)k);
    int64_t it = -1;
    if (d && (it = pb_collection_find(c, d + 1, (size_t)(stop - d - 1))) < 0) {
        snprintf(why, cap, "no item '%.*s' in '%s'", (int)(stop - d - 1 > 60 ? 60 : stop - d - 1),
                 d + 1, pb_collection_id(c));
        return;
    }
    size_t first = it < 0 ? 0 : (size_t)it + 1;
    size_t last = it < 0 ? pb_collection_count(c) : pb_item_end(c, (size_t)it);
    if (first >= last) {
        snprintf(why, cap, "'%s' item '%s' has no items to list", pb_collection_id(c),
                 pb_item_id(c, (size_t)it));
        return;
    }
    for (size_t i = first; i < last; i++) {
        const char *field = NULL, *id = pb_item_id(c, i);
        size_t fl = 0;
        if (!has_list_field(c, i, fmt, end, &field, &fl)) {
            snprintf(why, cap, "'%s' item '%s' has no %s%.*s%s", pb_collection_id(c),
                     id ? id : "(unnamed)", field ? "field '" : "text, title or action",
                     (int)(fl > 60 ? 60 : fl), field ? field : "", field ? "'" : "");
            return;
        }
    }
}

/* References in the narrative: {{table.row.column}} (ids, then an optional
 * "|format") must name a table, a row (id or unique label) and an amount
 * column; {{records.coll[.item]}} a list (list_reference).  One that does
 * not is an error. */
static pb_status references(const pb_plan *plan, uint32_t coll, uint32_t item, uint32_t field,
                            const char *text, pb_findings *out, pb_error *err)
{
    for (const char *p = strstr(text, "{{"), *next; p; p = strstr(next, "{{")) {
        const char *end = strstr(p + 2, "}}");
        if (!end)
            break;
        next = end + 2; /* on past the reference: each byte read once */
        const char *s = p + 2, *bar = memchr(s, '|', (size_t)(end - s));
        const char *stop = bar ? bar : end;
        while (s < stop && *s == ' ')
            s++;
        while (stop > s && stop[-1] == ' ')
            stop--;
        const char *d1 = memchr(s, '.', (size_t)(stop - s));
        const char *d2 = d1 ? memchr(d1 + 1, '.', (size_t)(stop - d1 - 1)) : NULL;
        char why[160] = "";
        int64_t ti = -1, ri = -1, ci = -1;
        const pb_table *t = NULL;
        if (d1 && pb_name_eq("records", s, (size_t)(d1 - s)))
            list_reference(plan, d1 + 1, stop, bar ? bar + 1 : NULL, end, why, sizeof why);
        else if (!d2)
            snprintf(why, sizeof why, "a reference is {{table.row.column}} or {{records.list}}");
        else if ((ti = pb_plan_find_table(plan, s, (size_t)(d1 - s))) < 0)
            snprintf(why, sizeof why, "no table '%.*s'", (int)(d1 - s > 60 ? 60 : d1 - s), s);
        else if ((ri = pb_table_find_row(t = pb_plan_table_at(plan, (size_t)ti), d1 + 1,
                                         (size_t)(d2 - d1 - 1))) < 0)
            snprintf(why, sizeof why, "no row '%.*s' in table '%s'", (int)(d2 - d1 - 1 > 60 ? 60 : d2 - d1 - 1),
                     d1 + 1, pb_table_id(t));
        else if ((ci = pb_table_find_column(t, d2 + 1, (size_t)(stop - d2 - 1))) < 0 ||
                 t->cols[ci].type != PB_COL_AMOUNT)
            snprintf(why, sizeof why, "no amount column '%.*s' in table '%s'",
                     (int)(stop - d2 - 1 > 60 ? 60 : stop - d2 - 1), d2 + 1, pb_table_id(t));
        if (!why[0])
            continue;
        pb_finding *f = pb_finding_new(out, PB_PART_BUDGETS);
        if (!f)
            return pb_error_set(err, PB_ERR_NOMEM, NULL);
        f->code = PB_FIND_NARRATIVE;
        f->severity = PB_SEV_ERROR;
        f->table = ti < 0 ? PB_NONE : (uint32_t)ti;
        f->row = f->column = PB_NONE;
        f->other_table = coll, f->other_row = item, f->other_column = field;
        pb_item_source(pb_plan_collection(plan, coll), item, &f->line, &f->col);
        snprintf(f->detail, sizeof f->detail, "%.*s: %s",
                 (int)(end + 2 - p > 120 ? 120 : end + 2 - p), p, why);
    }
    return PB_OK;
}

pb_status pb_narrative_check(const pb_plan *plan, pb_shown_fn shown, pb_findings *out,
                             pb_error *err)
{
    for (uint32_t k = 0; k < pb_plan_collection_count(plan); k++) {
        const pb_collection *c = pb_plan_collection(plan, k);
        for (uint32_t i = 0; i < pb_collection_count(c); i++)
            for (uint32_t j = 0; j < pb_item_field_count(c, i); j++) {
                const char *v = pb_item_field_value(c, i, j);
                pb_status st = v ? scan(plan, shown, k, i, j, v, out, err) : PB_OK;
                if (!st && v)
                    st = scan_counts(plan, shown, k, i, j, v, out, err);
                if (!st && v)
                    st = references(plan, k, i, j, v, out, err);
                if (st)
                    return st;
            }
    }
    return PB_OK;
}
