/* pb_budget_message.c - the sentence of a budget table's finding (what
 * pb_finding_message says for PB_PART_BUDGETS): the row and column as a
 * reader knows them, the figures, the rule. */
#include "pb_budget_message_private.h"
#include "pb_calc.h"
#include "pb_narrative_private.h"
#include "pb_plan_private.h"
#include "pb_record.h"

#include <stdio.h>
#include <string.h>

/* After a truncating snprintf into buf[cap]: drop a UTF-8 sequence cut at
 * the end, so that the text stays valid UTF-8. */
static void utf8_trim(char *buf, size_t cap)
{
    size_t n = strlen(buf);
    if (n + 1 < cap || n == 0)
        return; /* not truncated */
    size_t start = n;
    while (start > 0 && ((unsigned char)buf[start - 1] & 0xC0) == 0x80)
        start--;
    if (start == 0)
        return;
    unsigned char lead = (unsigned char)buf[start - 1];
    size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (n - (start - 1) < need)
        buf[start - 1] = '\0';
}

/* A column as a reader knows it: its label, else period and phase, else
 * its id. */
static void column_name(const pb_plan *plan, const pb_table *t, uint32_t c,
                        char *buf, size_t cap)
{
    const pb_column *col = &t->cols[c];
    const char *label = pb_column_text_at(col, PB_COLUMN_LABEL);
    if (label) {
        snprintf(buf, cap, "%s", label);
        utf8_trim(buf, cap);
        return;
    }
    if (col->period.kind != PB_PERIOD_NONE) {
        char p[PB_PERIOD_TEXT_MAX];
        pb_period_format(col->period, plan->year_start, p);
        const char *extra = pb_column_text_at(col, PB_COLUMN_PHASE)
                                ? pb_column_text_at(col, PB_COLUMN_PHASE)
                                : pb_column_text_at(col, PB_COLUMN_MEASURE);
        snprintf(buf, cap, "%s%s%s", p, extra ? " " : "", extra ? extra : "");
        utf8_trim(buf, cap);
        return;
    }
    snprintf(buf, cap, "%s", col->id);
}

static const char *row_name(const pb_table *t, uint32_t r)
{
    const char *l = t->rows[r].label;
    if (l)
        return l;
    const char *id = pb_row_xtext(t, &t->rows[r], PB_ROW_ID);
    if (id)
        return id;
    return "(unlabelled row)";
}

size_t pb_budget_finding_message(const pb_plan *plan, const pb_finding *f, char *buf, size_t cap)
{
    char dv[PB_AMOUNT_TEXT_MAX], cv[PB_AMOUNT_TEXT_MAX], df[PB_AMOUNT_TEXT_MAX];
    char cn[160], on[160];
    const pb_table *t = pb_plan_table(plan, f->table);
    /* a narrative finding's other side is a collection's item, not a table */
    const pb_table *o =
        f->code == PB_FIND_NARRATIVE ? NULL : pb_plan_table(plan, f->other_table);
    if (f->has_values) {
        pb_amount_format(f->declared, f->decimals, PB_FMT_THOUSANDS, dv);
        pb_amount_format(f->computed, f->decimals, PB_FMT_THOUSANDS, cv);
        pb_amount_format(f->difference, f->decimals, PB_FMT_THOUSANDS, df);
    }
    if (t && f->column != PB_NONE)
        column_name(plan, t, f->column, cn, sizeof cn);
    if (o && f->other_column != PB_NONE)
        column_name(plan, o, f->other_column, on, sizeof on);
    const char *agname = f->agreement != PB_NONE && plan->agreements[f->agreement].name
                             ? plan->agreements[f->agreement].name
                             : "(unnamed)";
    int n = 0;
    switch ((pb_finding_code)f->code) {
    case PB_FIND_TOTAL:
    case PB_FIND_PARTS:
        n = snprintf(buf, cap, "'%s', %s: printed %s, but %s up to %s (difference %s)",
                     row_name(t, f->row), cn, dv,
                     f->code == PB_FIND_TOTAL ? "what it totals adds" : "its parts add", cv, df);
        break;
    case PB_FIND_FORMULA: {
        char terms[200] = "";
        size_t len = 0;
        const pb_column *col = &t->cols[f->column];
        for (uint32_t k = 0; k < pb_colm(col)->nterms && len + 1 < sizeof terms; k++) {
            int w = snprintf(terms + len, sizeof terms - len, "%s%s",
                             k == 0 ? (pb_colm(col)->term_signs[k] < 0 ? "-" : "")
                                    : (pb_colm(col)->term_signs[k] < 0 ? " - " : " + "),
                             t->cols[pb_colm(col)->term_cols[k]].id);
            if (w < 0)
                break;
            len += (size_t)w;
        }
        n = snprintf(buf, cap,
                     "'%s', %s: printed %s, but %s gives %s (difference %s)",
                     row_name(t, f->row), cn, dv, terms, cv, df);
        break;
    }
    case PB_FIND_EQUALS:
        n = snprintf(buf, cap,
                     "'%s': %s is %s but should equal %s, which is %s "
                     "(difference %s)",
                     row_name(t, f->row), cn, dv, on, cv, df);
        break;
    case PB_FIND_NARRATIVE: {
        const pb_collection *c = pb_plan_collection(plan, f->other_table);
        const char *item = c ? pb_item_id(c, f->other_row) : NULL;
        char where[200] = "", unit_fig[PB_AMOUNT_TEXT_MAX + 40] = "";
        snprintf(where, sizeof where, "%s item %s%s%s, %s", c ? pb_collection_id(c) : "?",
                 item ? "'" : "", item ? item : "(unnamed)", item ? "'" : "",
                 c ? pb_item_field_name(c, f->other_row, f->other_column) : "?");
        if (f->row == PB_NONE) { /* a reference that names no cell */
            n = snprintf(buf, cap, "the narrative (%s) refers to %s", where, f->detail);
            break;
        }
        const char *unit = pb_column_text(t, f->column, PB_COLUMN_UNIT);
        int other_unit = pb_narrative_other_unit(plan, f);
        if (!unit || !*unit)
            unit = pb_table_text(t, PB_TABLE_UNIT);
        if (f->has_values && !other_unit)
            snprintf(unit_fig, sizeof unit_fig, ", %s %s", dv, unit ? unit : "");
        n = snprintf(buf, cap,
                     "the narrative (%s) writes %s%s, but %s '%s' %s is %s %s: the same "
                     "digits in another %s",
                     where, f->detail, unit_fig, t->head.id, row_name(t, f->row), cn, cv,
                     unit ? unit : "", other_unit ? "unit" : "magnitude");
        break;
    }
    case PB_FIND_COMPUTED: {
        char spec[200];
        pb_column_compute_text(t, f->column, spec, sizeof spec);
        const char *printed = pb_cell_text(t, f->row, f->column); /* a text column: as printed */
        if (printed)
            snprintf(dv, sizeof dv, "%s", printed);
        n = snprintf(buf, cap, "'%s', %s: printed %s, but %s gives %s (difference %s); %s",
                     row_name(t, f->row), cn, dv, spec, cv, df, f->detail);
        break;
    }
    case PB_FIND_AGREEMENT:
        n = snprintf(buf, cap,
                     "agreement '%s': %s '%s' %s is %s, but %s '%s' %s is %s "
                     "(difference %s)",
                     agname, t->head.id, row_name(t, f->row), cn, dv, o->head.id,
                     row_name(o, f->other_row), on, cv, df);
        break;
    case PB_FIND_REFERENCE:
        n = snprintf(buf, cap, "agreement '%s': %s", agname, f->detail);
        break;
    case PB_FIND_UNCHECKED:
        if (t && f->row != PB_NONE)
            n = snprintf(buf, cap, "'%s', %s: cannot be checked: %s",
                         row_name(t, f->row), cn, f->detail);
        else
            n = snprintf(buf, cap, "cannot be checked: %s", f->detail);
        break;
    default:
        n = snprintf(buf, cap, "unknown finding");
    }
    return n < 0 ? 0 : (size_t)n;
}
