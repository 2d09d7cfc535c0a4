/* pb_narrative.c - money figures written in the narrative (the text fields
 * of collections of records) that match a budget table's figure by value
 * but not by magnitude: "a gross budget of £720,036 million" for the
 * 720,036 of a table in £'000 (720.036 million).  Each is a warning
 * (PB_FIND_NARRATIVE) on the table's cell, with the narrative's place as
 * the other side. */
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
        pb_finding *f = pb_finding_new(out, PB_PART_BUDGETS);
        if (!f)
            return pb_error_set(err, PB_ERR_NOMEM, NULL);
        f->code = PB_FIND_NARRATIVE;
        f->severity = PB_SEV_WARNING;
        f->table = ti, f->row = ri, f->column = ci;
        f->other_table = coll, f->other_row = item, f->other_column = field;
        f->decimals = (int8_t)dc;
        pb_item_source(col, item, &f->line, &f->col);
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

/* References to table cells in the narrative, {{table.row.column}} (ids,
 * then an optional "|format"): each must name a table, a row (id or
 * unique label) and an amount column; one that does not is an error. */
static pb_status references(const pb_plan *plan, uint32_t coll, uint32_t item, uint32_t field,
                            const char *text, pb_findings *out, pb_error *err)
{
    for (const char *p = strstr(text, "{{"); p; p = strstr(p + 2, "{{")) {
        const char *end = strstr(p + 2, "}}");
        if (!end)
            break;
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
        if (!d2)
            snprintf(why, sizeof why, "a reference is {{table.row.column}}");
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
                    st = references(plan, k, i, j, v, out, err);
                if (st)
                    return st;
            }
    }
    return PB_OK;
}
