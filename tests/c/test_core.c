/* test_core.c - tests of the C core and the YAML plugin in plain C.
 *
 * Built with ASan+UBSan and run with leak detection by tests/test_c_core.py
 * (which make test runs).  Prints one line per failure and a closing line
 * "N passed, N failed".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pb_api.h"
#include "pb_arena.h"
#include "pb_hash.h"
#include "pb_yaml.h"
#include "planbook.h"

#include "check.h"

static pb_amount amt(const char *s, int decimals, pb_status *st, pb_cell_state *state)
{
    pb_amount v = -999;
    pb_error err;
    pb_error_clear(&err);
    *st = pb_amount_parse(s, strlen(s), decimals, &v, state, &err);
    return v;
}

/* Whether amt() refuses s at `decimals` with status want; says what it got
 * where not. */
static int amount_refused(const char *s, int decimals, pb_status want)
{
    pb_status st;
    pb_cell_state cs;
    amt(s, decimals, &st, &cs);
    if (st != want)
        printf("  amount '%s' (%d decimals): status %d, expected %d\n", s, decimals, (int)st,
               (int)want);
    return st == want;
}

/* Whether pb_amount_format writes v as want; says what it wrote where not. */
static int formats_as(pb_amount v, int decimals, unsigned flags, const char *want)
{
    char buf[PB_AMOUNT_TEXT_MAX];
    pb_amount_format(v, decimals, flags, buf);
    if (strcmp(buf, want))
        printf("  amount %lld (%d decimals) -> '%s', expected '%s'\n", (long long)v, decimals,
               buf, want);
    return !strcmp(buf, want);
}

static void test_money(void)
{
    pb_status st;
    pb_cell_state cs;
    CHECK(amt("1,257", 0, &st, &cs) == 1257 && st == PB_OK && cs == PB_CELL_VALUE);
    CHECK(amt("(3,215)", 0, &st, &cs) == -3215 && st == PB_OK);
    CHECK(amt("-", 0, &st, &cs) == 0 && cs == PB_CELL_NIL);
    CHECK(amt("\xe2\x80\x93", 0, &st, &cs) == 0 && cs == PB_CELL_NIL); /* en dash */
    CHECK(amt("  ", 0, &st, &cs) == 0 && cs == PB_CELL_BLANK);
    CHECK(amt("\xc2\xa3" "1,180", 0, &st, &cs) == 1180 && st == PB_OK);
    CHECK(amt("29.7", 1, &st, &cs) == 297 && st == PB_OK);
    CHECK(amt("29.70", 1, &st, &cs) == 297 && st == PB_OK);
    CHECK(amt("29", 2, &st, &cs) == 2900 && st == PB_OK);
    CHECK(amount_refused("29.75", 1, PB_ERR_PRECISION));
    CHECK(amount_refused("1e3", 0, PB_ERR_SYNTAX));
    CHECK(amount_refused("0x10", 0, PB_ERR_SYNTAX));
    CHECK(amount_refused(".nan", 0, PB_ERR_SYNTAX));
    CHECK(amount_refused("1,1", 0, PB_ERR_SYNTAX));
    CHECK(amount_refused("1234,567", 0, PB_ERR_SYNTAX));
    CHECK(amt("012", 0, &st, &cs) == 12 && st == PB_OK);
    CHECK(amt("9223372036854775807", 0, &st, &cs) == INT64_MAX && st == PB_OK);
    CHECK(amount_refused("9223372036854775808", 0, PB_ERR_OVERFLOW));
    CHECK(amount_refused("92233720368547759", 2, PB_ERR_OVERFLOW));
    CHECK(amount_refused("(12", 0, PB_ERR_SYNTAX));

    CHECK(formats_as(-3215, 0, PB_FMT_THOUSANDS | PB_FMT_PARENS, "(3,215)"));
    CHECK(formats_as(118050, 2, PB_FMT_THOUSANDS, "1,180.50"));
    CHECK(formats_as(-5, 2, 0, "-0.05"));
    CHECK(formats_as(INT64_MIN, 0, PB_FMT_THOUSANDS, "-9,223,372,036,854,775,808"));

    pb_amount r;
    CHECK(pb_amount_add(INT64_MAX, 1, &r) == PB_ERR_OVERFLOW);
    CHECK(pb_amount_sub(INT64_MIN, 1, &r) == PB_ERR_OVERFLOW);
    CHECK(pb_amount_neg(INT64_MIN, &r) == PB_ERR_OVERFLOW);
    CHECK(pb_amount_rescale(5, 0, 6, &r) == PB_OK && r == 5000000);
    CHECK(pb_amount_rescale(1234, 2, 0, &r) == PB_ERR_PRECISION);
    CHECK(pb_amount_rescale(INT64_MAX / 10, 0, 2, &r) == PB_ERR_OVERFLOW);
}

static int period_is(const char *s, int year_start, const char *canonical)
{
    pb_period p;
    pb_error err;
    pb_error_clear(&err);
    if (pb_period_parse(s, strlen(s), year_start, &p, &err) != PB_OK) {
        printf("  period '%s': %s\n", s, err.message);
        return 0;
    }
    char buf[PB_PERIOD_TEXT_MAX];
    pb_period_format(p, year_start, buf);
    if (strcmp(buf, canonical))
        printf("  period '%s' -> '%s', expected '%s'\n", s, buf, canonical);
    return !strcmp(buf, canonical);
}

static int period_fails(const char *s, int year_start)
{
    pb_period p;
    pb_error err;
    pb_error_clear(&err);
    return pb_period_parse(s, strlen(s), year_start, &p, &err) != PB_OK;
}

static void test_periods(void)
{
    CHECK(period_is("2018-2019", 4, "2018/19"));
    CHECK(period_is("2018/19", 4, "2018/19"));
    CHECK(period_is("2018/2019", 4, "2018/19"));
    CHECK(period_is("15/16", 4, "2015/16"));
    CHECK(period_is("2007/8", 4, "2007/08"));
    CHECK(period_is("2014-2015", 4, "2014/15"));
    CHECK(period_is("FY2018/19", 4, "2018/19"));
    CHECK(period_is("2099/00", 4, "2099/00"));
    CHECK(period_is("Q1 2018/19", 4, "2018/19 Q1"));
    CHECK(period_is("2014/15 - Quarter 2", 4, "2014/15 Q2"));
    CHECK(period_is("Dec-14", 4, "Dec 2014"));
    CHECK(period_is("April 2015", 4, "Apr 2015"));
    CHECK(period_is("Sept 2016", 4, "Sep 2016"));
    CHECK(period_is("2015-04", 4, "Apr 2015"));
    CHECK(period_is("2007-08", 4, "2007/08")); /* a year, not August 2007 */
    CHECK(period_is("Aug 2007", 4, "Aug 2007"));
    CHECK(period_is("2018", 1, "2018"));
    CHECK(period_is("2018/19", 1, "2018"));
    CHECK(period_fails("2018", 4));
    CHECK(period_fails("2018/20", 4));
    CHECK(period_fails("Q5 2018/19", 4));
    CHECK(period_fails("Smarch 2015", 4));
    CHECK(period_fails("", 4));
    pb_period p = {2015, PB_PERIOD_MONTH, 2};
    CHECK(pb_period_year_of(p, 4).year == 2014);
    p.index = 4;
    CHECK(pb_period_year_of(p, 4).year == 2015);
    CHECK(pb_period_year_of(p, 7).year == 2014);
}

/* A small subjective table built through the API: totals, roles, income
 * printed negative, a misprinted total, an edit that mends it. */
static void test_model(void)
{
    pb_error err;
    pb_error_clear(&err);
    pb_plan *plan = pb_plan_new();
    pb_table *t = pb_plan_add_table(plan, "subj", 4, &err);
    CHECK(t != NULL);
    CHECK(pb_plan_add_table(plan, "subj", 4, &err) == NULL && err.status == PB_ERR_DUPLICATE);
    CHECK(pb_plan_add_table(plan, "bad id", 6, &err) == NULL && err.status == PB_ERR_INVALID);
    pb_table_set_income_sign(t, -1, &err);
    CHECK(pb_table_add_column(t, "y1", 2, &err) == 0);
    CHECK(pb_table_add_column(t, "y2", 2, &err) == 1);
    CHECK(pb_table_add_column(t, "tot", 3, &err) == 2);
    uint32_t cols[2] = {0, 1};
    int8_t signs[2] = {1, 1};
    CHECK(pb_column_set_sum(t, 2, cols, signs, 2, &err) == PB_OK);
    uint32_t self[1] = {2};
    CHECK(pb_column_set_sum(t, 0, self, signs, 1, &err) == PB_ERR_INVALID); /* cycle */

    int64_t exp = pb_table_insert_row(t, 0, PB_ROW_SECTION, PB_NONE, "Expenditure:", 12, &err);
    pb_row_set_role(t, (size_t)exp, PB_ROLE_EXPENDITURE, &err);
    int64_t emp = pb_table_insert_row(t, pb_table_row_count(t), PB_ROW_LINE, (uint32_t)exp, "Employees", 9, &err);
    pb_cell_set_text(t, (size_t)emp, 0, "1,000", 5, &err);
    pb_cell_set_text(t, (size_t)emp, 1, "1,100", 5, &err);
    pb_cell_set_text(t, (size_t)emp, 2, "2,100", 5, &err);
    int64_t inc = pb_table_insert_row(t, pb_table_row_count(t), PB_ROW_SECTION, PB_NONE, "Income:", 7, &err);
    pb_row_set_role(t, (size_t)inc, PB_ROLE_INCOME, &err);
    int64_t grant = pb_table_insert_row(t, pb_table_row_count(t), PB_ROW_LINE, (uint32_t)inc, "Grant", 5, &err);
    pb_cell_set_text(t, (size_t)grant, 0, "(400)", 5, &err);
    pb_cell_set_text(t, (size_t)grant, 1, "(400)", 5, &err);
    int64_t tot_inc = pb_table_insert_row(t, pb_table_row_count(t), PB_ROW_TOTAL, (uint32_t)inc, "Total income", 12, &err);
    pb_cell_set_text(t, (size_t)tot_inc, 0, "(400)", 5, &err);
    int64_t net = pb_table_insert_row(t, pb_table_row_count(t), PB_ROW_TOTAL, PB_NONE, "Net", 3, &err);
    pb_cell_set_text(t, (size_t)net, 0, "600", 3, &err);
    pb_cell_set_text(t, (size_t)net, 1, "600", 3, &err); /* misprint: should be 700 */
    CHECK(pb_table_row_count(t) == 6);
    CHECK(pb_row_effective_role(t, (size_t)grant) == PB_ROLE_INCOME);

    pb_amount v;
    CHECK(pb_cell_value(t, (size_t)grant, 0, &v) == PB_CELL_VALUE && v == 400);
    CHECK(pb_cell_get(t, (size_t)grant, 0, &v) == PB_CELL_VALUE && v == -400);
    CHECK(pb_table_compute(t, &err) == PB_OK);
    CHECK(pb_cell_computed(t, (size_t)net, 0, &v) == PB_COMP_VALUE && v == 600);
    CHECK(pb_cell_computed(t, (size_t)net, 1, &v) == PB_COMP_VALUE && v == 700);
    CHECK(pb_cell_computed(t, (size_t)tot_inc, 0, &v) == PB_COMP_VALUE && v == 400);
    CHECK(pb_cell_computed(t, (size_t)emp, 2, &v) == PB_COMP_VALUE && v == 2100);
    CHECK(pb_cell_computed(t, (size_t)net, 2, &v) == PB_COMP_VALUE && v == 1300);

    pb_findings fs;
    pb_findings_init(&fs);
    CHECK(pb_plan_check(plan, &fs, &err) == PB_OK);
    CHECK(fs.count == 1);
    if (fs.count == 1) {
        CHECK(fs.items[0].code == PB_FIND_TOTAL && fs.items[0].row == (uint32_t)net &&
              fs.items[0].column == 1 && fs.items[0].difference == -100);
        char msg[256];
        pb_finding_message(plan, &fs.items[0], msg, sizeof msg);
        CHECK(strstr(msg, "printed 600") && strstr(msg, "adds up to 700"));
    }
    pb_findings_free(&fs);

    /* mend the misprint: the finding goes */
    pb_cell_set_text(t, (size_t)net, 1, "700", 3, &err);
    pb_findings_init(&fs);
    pb_plan_check(plan, &fs, &err);
    CHECK(fs.count == 0);
    pb_findings_free(&fs);

    /* a tolerance of 1 absorbs a rounding difference of 1 */
    pb_cell_set_text(t, (size_t)net, 1, "701", 3, &err);
    pb_table_set_tolerance(t, 1, 1000000, &err);
    pb_findings_init(&fs);
    pb_plan_check(plan, &fs, &err);
    CHECK(fs.count == 0);
    pb_findings_free(&fs);

    /* rows: insertion must keep the tree; removal takes the subtree */
    CHECK(pb_table_insert_row(t, 1, PB_ROW_LINE, (uint32_t)inc, "x", 1, &err) < 0);
    CHECK(pb_table_insert_row(t, 0, PB_ROW_LINE, (uint32_t)inc, "x", 1, &err) < 0);
    CHECK(pb_table_remove_row(t, (size_t)inc, &err) == PB_OK);
    CHECK(pb_table_row_count(t) == 3);
    CHECK(pb_table_find_row(t, "Net", 3) == 2);
    CHECK(pb_row_set_text(t, 2, PB_ROW_ID, "net", 3, &err) == PB_OK);
    CHECK(pb_row_set_text(t, 1, PB_ROW_ID, "net", 3, &err) == PB_ERR_DUPLICATE);
    CHECK(pb_table_find_row(t, "net", 3) == 2);

    /* overflow in a total is a finding, not a wrap-around */
    pb_cell_set_text(t, (size_t)emp, 0, "9223372036854775807", 19, &err);
    pb_cell_set_text(t, (size_t)emp, 1, "1", 1, &err);
    pb_findings_init(&fs);
    CHECK(pb_plan_check(plan, &fs, &err) == PB_OK);
    int overflow_seen = 0;
    for (size_t i = 0; i < fs.count; i++)
        overflow_seen |= fs.items[i].code == PB_FIND_UNCHECKED && strstr(fs.items[i].detail, "overflow");
    CHECK(overflow_seen);
    pb_findings_free(&fs);
    pb_plan_free(plan);
}

static pb_plan *read_text(const char *text, pb_error *err)
{
    return pb_yaml_read_buffer(pb_api_get(), (const unsigned char *)text, strlen(text), NULL, err);
}

static int sink_buf(void *ctx, const unsigned char *data, size_t size)
{
    char **buf = ctx;
    size_t len = *buf ? strlen(*buf) : 0;
    char *nb = realloc(*buf, len + size + 1);
    if (!nb)
        return 0;
    memcpy(nb + len, data, size);
    nb[len + size] = '\0';
    *buf = nb;
    return 1;
}

static void test_yaml(void)
{
    pb_error err;
    const char *doc =
        "planbook: 1\n"
        "plan:\n  title: No\n"
        "budgets:\n"
        "  t:\n"
        "    columns:\n    - {id: a, period: 2015/16}\n    - {id: b, period: 15/16}\n"
        "    rows:\n"
        "    - line: n/a\n      values: ['1,180', '(20)']\n"
        "    - total: Total\n      values: [1180, -21]\n";
    pb_plan *plan = read_text(doc, &err);
    CHECK(plan != NULL);
    if (!plan) {
        printf("  %u:%u %s: %s\n", err.line, err.column, err.path, err.message);
        return;
    }
    CHECK(!strcmp(pb_plan_meta(plan, PB_META_TITLE), "No"));
    pb_table *t = pb_plan_table(plan, 0);
    CHECK(!strcmp(pb_row_label(t, 0), "n/a"));
    pb_findings fs;
    pb_findings_init(&fs);
    pb_plan_check(plan, &fs, &err);
    CHECK(fs.count == 1 && fs.items[0].line == 13 && fs.items[0].col == 22);
    pb_findings_free(&fs);
    char *out = NULL;
    CHECK(pb_yaml_write(pb_api_get(), plan, sink_buf, &out, &err) == PB_OK);
    CHECK(out && strstr(out, "title: 'No'") && strstr(out, "- line: n/a") &&
          strstr(out, "values: [1180, -20]") && strstr(out, "period: 2015/16"));
    pb_plan_free(plan);
    /* what was written reads back to the same text */
    pb_plan *again = read_text(out, &err);
    CHECK(again != NULL);
    char *out2 = NULL;
    if (again) {
        pb_yaml_write(pb_api_get(), again, sink_buf, &out2, &err);
        CHECK(out2 && !strcmp(out, out2));
        pb_plan_free(again);
    }
    free(out);
    free(out2);

    /* errors carry line, column and path */
    plan = read_text("planbook: 1\nbudgets:\n  t:\n    columns:\n    - {id: a}\n    rows:\n    - line: x\n      values: [1e3]\n", &err);
    CHECK(plan == NULL && err.line == 8 && err.column == 16 &&
          !strcmp(err.path, "budgets.t.rows[0].values[0]"));
    plan = read_text("planbook: 1\nplan: {titel: x}\n", &err);
    CHECK(plan == NULL && err.status == PB_ERR_SCHEMA && strstr(err.message, "unknown key 'titel'"));
    plan = read_text("planbook: 1\nplan: {title: x, title: y}\n", &err);
    CHECK(plan == NULL && strstr(err.message, "duplicate key"));
    plan = read_text("planbook: 1\nplan: &a {title: x}\nsettings: *a\n", &err);
    CHECK(plan == NULL && strstr(err.message, "aliases"));
    plan = read_text("planbook: 1\nplan: !!python/object:os.system {title: x}\n", &err);
    CHECK(plan == NULL && strstr(err.message, "tags"));
    plan = read_text("", &err);
    CHECK(plan == NULL && strstr(err.message, "empty"));
    plan = read_text("planbook: 1\n---\nplanbook: 1\n", &err);
    CHECK(plan == NULL && strstr(err.message, "one document"));
    plan = read_text("planbook: 1\nplan:\n  title: \"\xff\"\n", &err);
    CHECK(plan == NULL && err.status == PB_ERR_PARSE && err.line == 3);
    /* nesting bomb: refused at the limit, quickly */
    size_t depth = 100000;
    char *deep = malloc(depth * 2 + 32);
    strcpy(deep, "planbook: 1\nplan: ");
    size_t len = strlen(deep);
    for (size_t i = 0; i < depth; i++)
        deep[len++] = '[';
    deep[len] = '\0';
    plan = read_text(deep, &err);
    CHECK(plan == NULL && (err.status == PB_ERR_LIMIT || err.status == PB_ERR_SCHEMA));
    free(deep);
}

/* ------------------------------------------------ review regressions */

static int utf8_valid(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        int n = *p < 0x80 ? 0 : *p >= 0xF0 ? 3 : *p >= 0xE0 ? 2 : *p >= 0xC0 ? 1 : -1;
        if (n < 0)
            return 0;
        p++;
        for (int k = 0; k < n; k++, p++)
            if ((*p & 0xC0) != 0x80)
                return 0;
    }
    return 1;
}

static void test_review_regressions(void)
{
    pb_error err;
    pb_error_clear(&err);

    /* Cycle check of sum columns: 64 terms naming the previous column,
     * level after level, made the recursive path walk exponential (a 2 KB
     * file hung the reader).  It must now be immediate. */
    {
        pb_plan *plan = pb_plan_new();
        pb_table *t = pb_plan_add_table(plan, "t", 1, &err);
        char id[16];
        for (int i = 0; i < 12; i++) {
            snprintf(id, sizeof id, "c%d", i);
            pb_table_add_column(t, id, strlen(id), &err);
        }
        uint32_t cols[64];
        int8_t signs[64];
        pb_status st = PB_OK;
        for (uint32_t i = 1; i < 12 && st == PB_OK; i++) {
            for (int k = 0; k < 64; k++) {
                cols[k] = i - 1;
                signs[k] = 1;
            }
            st = pb_column_set_sum(t, i, cols, signs, 64, &err);
        }
        CHECK(st == PB_OK);
        uint32_t back[1] = {11};
        int8_t one[1] = {1};
        CHECK(pb_column_set_sum(t, 0, back, one, 1, &err) == PB_ERR_INVALID); /* cycle */
        pb_plan_free(plan);
    }

    /* Years before 1000 are written with four digits, as they are read. */
    CHECK(period_is("0999/00", 4, "0999/00"));
    CHECK(period_is("0999", 1, "0999"));
    CHECK(period_is("0000/01", 4, "0000/01"));
    /* "Quarter" must be the word quarter, not any 7 letters after q. */
    CHECK(period_fails("2018/19 Qxyzabc 2", 4));
    CHECK(period_is("2018/19 QUARTER 3", 4, "2018/19 Q3"));

    /* A column's id can be changed (the workbook reader puts back the ids
     * planbook wrote): valid and unique, sums and equals follow by index,
     * an agreement resolves against the new id. */
    {
        pb_plan *plan = pb_plan_new();
        pb_table *t = pb_plan_add_table(plan, "t", 1, &err);
        pb_table_add_column(t, "y2015", 5, &err);
        pb_table_add_column(t, "total_000", 9, &err);
        uint32_t cols[] = {0};
        int8_t signs[] = {1};
        CHECK(pb_column_set_sum(t, 1, cols, signs, 1, &err) == PB_OK);
        CHECK(pb_column_set_id(t, 1, "y2015", 5, &err) == PB_ERR_DUPLICATE);
        CHECK(pb_column_set_id(t, 1, "-bad", 4, &err) == PB_ERR_INVALID);
        CHECK(pb_column_set_id(t, 7, "x", 1, &err) == PB_ERR_INVALID);
        CHECK(pb_column_set_id(t, 1, "total", 5, &err) == PB_OK);
        CHECK(pb_column_set_id(t, 1, "total", 5, &err) == PB_OK); /* its own id again */
        CHECK(!strcmp(pb_column_id(t, 1), "total") && pb_table_find_column(t, "total", 5) == 1);
        CHECK(pb_table_find_column(t, "total_000", 9) == -1);
        uint32_t c;
        int sign;
        pb_column_term(t, 1, 0, &c, &sign);
        CHECK(pb_column_term_count(t, 1) == 1 && c == 0 && sign == 1);
        pb_plan_free(plan);
    }

}

/* Regressions of the reviews, continued: messages and the YAML reader. */
static void test_review_regressions_reading(void)
{
    pb_error err;
    pb_error_clear(&err);

    /* A finding's message stays valid UTF-8 when a long column label is
     * cut short (a cut '£' made the Python check() raise
     * UnicodeDecodeError). */
    {
        pb_plan *plan = pb_plan_new();
        pb_table *t = pb_plan_add_table(plan, "t", 1, &err);
        pb_table_add_column(t, "a", 1, &err);
        pb_table_add_column(t, "b", 1, &err);
        char label[200];
        memset(label, 'x', 158);
        strcpy(label + 158, "\xc2\xa3\xc2\xa3\xc2\xa3");
        pb_column_set_text(t, 0, PB_COLUMN_LABEL, label, strlen(label), &err);
        pb_column_set_equals(t, 0, 1, &err);
        pb_table_insert_row(t, 0, PB_ROW_LINE, PB_NONE, "l", 1, &err);
        pb_cell_set_text(t, 0, 0, "5", 1, &err);
        pb_cell_set_text(t, 0, 1, "6", 1, &err);
        pb_findings fs;
        pb_findings_init(&fs);
        CHECK(pb_plan_check(plan, &fs, &err) == PB_OK && fs.count == 1);
        if (fs.count == 1) {
            char msg[1024];
            pb_finding_message(plan, &fs.items[0], msg, sizeof msg);
            CHECK(utf8_valid(msg));
        }
        pb_findings_free(&fs);
        pb_plan_free(plan);
    }

    /* A reader error in a file read from the middle: offsets count from
     * where reading began, not from the start of the file. */
    {
        FILE *f = tmpfile();
        CHECK(f != NULL);
        if (f) {
            const char *text = "junk\nplanbook: 1\nplan:\n  title: \"\xff\"\n";
            fwrite(text, 1, strlen(text), f);
            fseek(f, 5, SEEK_SET);
            pb_plan *plan = pb_yaml_read_file(pb_api_get(), f, NULL, &err);
            CHECK(plan == NULL && err.status == PB_ERR_PARSE && err.line == 3 &&
                  err.column == 11);
            pb_plan_free(plan);
            fclose(f);
        }
    }

    /* plan.year_start after budgets would silently leave the tables'
     * periods read with an April start. */
    {
        pb_plan *plan = read_text("planbook: 1\nbudgets:\n  t:\n    columns:\n"
                                  "    - {id: a, period: 2018/19}\n"
                                  "plan:\n  year_start: January\n",
                                  &err);
        CHECK(plan == NULL && err.status == PB_ERR_SCHEMA && err.line == 7 &&
              strstr(err.message, "year_start"));
        pb_plan_free(plan);
        plan = read_text("planbook: 1\nbudgets: {}\nplan:\n  year_start: January\n", &err);
        CHECK(plan != NULL);
        pb_plan_free(plan);
    }

    /* Cells are bounded by the input: a row costs a cell per column however
     * short its text: 16,384 columns and a few thousand "- line: x" (half
     * a megabyte) asked for gigabytes.  4,096 columns suffice to show it. */
    {
        size_t ncols = 4096, nrows = 3000;
        size_t cap = 64 + ncols * 24 + nrows * 16;
        char *doc = malloc(cap);
        size_t len = (size_t)snprintf(doc, cap, "planbook: 1\nbudgets:\n  t:\n    columns:\n");
        for (size_t c = 0; c < ncols; c++)
            len += (size_t)snprintf(doc + len, cap - len, "    - {id: c%zu}\n", c);
        len += (size_t)snprintf(doc + len, cap - len, "    rows:\n");
        for (size_t r = 0; r < nrows; r++)
            len += (size_t)snprintf(doc + len, cap - len, "    - line: x\n");
        pb_plan *plan = read_text(doc, &err);
        CHECK(plan == NULL && err.status == PB_ERR_LIMIT &&
              !strncmp(err.path, "budgets.t.rows[", 15));
        pb_plan_free(plan);
        free(doc);
        /* an honest wide table still reads */
        plan = read_text("planbook: 1\nbudgets:\n  t:\n    columns: [{id: a}, {id: b}]\n"
                         "    rows:\n    - line: x\n    - line: y\n      values: [1, 2]\n",
                         &err);
        CHECK(plan != NULL);
        pb_plan_free(plan);
    }
}

static pb_obs obs(const char *s, pb_status *st, size_t *nl)
{
    pb_obs o;
    size_t off;
    pb_error e;
    pb_error_clear(&e);
    *st = pb_obs_parse(s, strlen(s), &o, &off, nl, &e);
    return o;
}

static void test_indicators(void)
{
    pb_status st;
    size_t nl;
    pb_obs o = obs("1,257", &st, &nl);
    CHECK(st == PB_OK && o.value == INT64_C(1257000000) && o.decimals == 0 &&
          o.flags == PB_OBS_GROUPED);
    o = obs("91.2% (Dec-Feb)", &st, &nl);
    CHECK(st == PB_OK && o.value == 91200000 && o.decimals == 1 && o.flags == PB_OBS_PERCENT &&
          nl == 7);
    o = obs(" n/a ", &st, &nl);
    CHECK(st == PB_OK && o.status == PB_OBS_NOT_APPLICABLE);
    o = obs("Not available", &st, &nl);
    CHECK(st == PB_OK && o.status == PB_OBS_NOT_AVAILABLE);
    o = obs("", &st, &nl);
    CHECK(st == PB_OK && o.status == PB_OBS_BLANK);
    obs("8O.9", &st, &nl);
    CHECK(st == PB_ERR_SYNTAX);
    obs("1,00", &st, &nl);
    CHECK(st == PB_ERR_SYNTAX);
    obs("1.0000001", &st, &nl);
    CHECK(st == PB_ERR_PRECISION);
    obs("1.5000000", &st, &nl); /* trailing zeros beyond the scale are fine */
    CHECK(st == PB_OK);
    obs("99999999999999", &st, &nl);
    CHECK(st == PB_ERR_OVERFLOW);
    o = obs("-0.98", &st, &nl);
    char buf[PB_AMOUNT_TEXT_MAX + 2];
    pb_obs_format_value(&o, buf);
    CHECK(st == PB_OK && !strcmp(buf, "-0.98"));
    o = obs("12,345.5%", &st, &nl);
    pb_obs_format_value(&o, buf);
    CHECK(!strcmp(buf, "12,345.5%"));

    int32_t d;
    pb_error e;
    pb_error_clear(&e);
    CHECK(pb_date_parse("end Sept 2016", 13, &d, &e) == PB_OK && d == 20160930);
    CHECK(pb_date_parse("31st March 2017", 15, &d, &e) == PB_OK && d == 20170331);
    CHECK(pb_date_parse("by end February 2016", 20, &d, &e) == PB_OK && d == 20160229);
    CHECK(pb_date_parse("2016-09-30", 10, &d, &e) == PB_OK && d == 20160930);
    CHECK(pb_date_parse("31 February 2017", 16, &d, &e) == PB_ERR_SYNTAX);
    CHECK(pb_date_parse("end 5 June 2016", 15, &d, &e) == PB_ERR_SYNTAX);
    CHECK(pb_date_parse("sometime", 8, &d, &e) == PB_ERR_SYNTAX);

    /* a set built through the API: thresholds, a target, a running total */
    pb_plan *plan = pb_plan_new();
    pb_indset *s = pb_plan_add_indset(plan, "k", 1, &e);
    CHECK(s != NULL);
    static const char *const periods[] = {"2013/14", "2014/15 Q1", "2014/15 Q2", "2014/15 Q3"};
    for (int k = 0; k < 4; k++) {
        pb_period p;
        CHECK(pb_period_parse(periods[k], strlen(periods[k]), 4, &p, &e) == PB_OK);
        CHECK(pb_indset_add_period(s, p, &e) == k);
    }
    int64_t a = pb_indset_add(s, PB_NONE, "1.3", 3, &e);
    CHECK(a == 0 && pb_indset_add(s, PB_NONE, "1.3", 3, &e) < 0 && e.status == PB_ERR_DUPLICATE);
    pb_ind_set_polarity(s, 0, PB_POLARITY_LOW);
    CHECK(pb_ind_set_threshold(s, 0, PB_LEVEL_GOOD, "42.1", 4, &e) == PB_OK);
    CHECK(pb_ind_set_threshold(s, 0, PB_LEVEL_CONCERN, "59.8", 4, &e) == PB_OK);
    static const char *const vals[] = {"82.0", "79.5", "78.9", "80.9"};
    for (int k = 0; k < 4; k++)
        CHECK(pb_ind_set_cell_text(s, PB_SERIES_VALUE, 0, (size_t)k, vals[k], 4, &e) == PB_OK);
    CHECK(pb_ind_set_cell_text(s, PB_SERIES_VALUE, 0, 0, "50%", 3, &e) == PB_ERR_INVALID);
    pb_indset_set_direction(s, PB_DIR_OUTTURN);
    CHECK(pb_indset_report_period(s) == 3);
    pb_ind_status out;
    CHECK(pb_ind_status_at(s, 0, 3, &out, &e) == PB_OK);
    CHECK(out.rag == PB_RAG_RED && out.rag_basis == 1 && out.last == PB_CMP_BETTER &&
          out.previous == PB_CMP_WORSE && out.outturn_period == 0);
    char why[200];
    pb_ind_explain(s, 0, 3, PB_ASPECT_RAG, why, sizeof why);
    CHECK(!strcmp(why, "2014/15 Q3 80.9 against Of concern 59.8, lower is better: red"));
    /* a sentence cut short stays valid text */
    CHECK(pb_ind_explain(s, 0, 3, PB_ASPECT_LAST, why, 10) > 10 && strlen(why) == 9);

    /* a companion count, a running total: previous not like for like */
    int64_t c = pb_indset_add(s, 0, NULL, 0, &e);
    CHECK(c == 1 && pb_ind_parent(s, 1) == 0);
    pb_ind_set_unit(s, 1, PB_UNIT_COUNT);
    pb_ind_set_polarity(s, 1, PB_POLARITY_HIGH);
    pb_ind_set_cumulative(s, 1, 1);
    static const char *const counts[] = {"400", "100", "210", "300"};
    for (int k = 0; k < 4; k++)
        CHECK(pb_ind_set_cell_text(s, PB_SERIES_VALUE, 1, (size_t)k, counts[k],
                                   strlen(counts[k]), &e) == PB_OK);
    CHECK(pb_ind_status_at(s, 1, 3, &out, &e) == PB_OK);
    CHECK(out.previous == PB_CMP_NONE && out.previous_why == PB_WHY_NOT_LIKE_FOR_LIKE &&
          out.outturn == PB_CMP_NONE);
    /* removing the measure removes its companion */
    CHECK(pb_indset_remove(s, 0, &e) == PB_OK && pb_indset_count(s) == 0);
    CHECK(pb_indset_find(s, "1.3", 3) == -1);
    /* a period added after the measures re-lays the cells */
    a = pb_indset_add(s, PB_NONE, "x", 1, &e);
    CHECK(pb_ind_set_cell_text(s, PB_SERIES_VALUE, 0, 3, "7", 1, &e) == PB_OK);
    pb_period p5;
    CHECK(pb_period_parse("2014/15 Q4", 10, 4, &p5, &e) == PB_OK);
    CHECK(pb_indset_add_period(s, p5, &e) == 4);
    CHECK(pb_ind_cell(s, PB_SERIES_VALUE, 0, 3)->value == 7000000 &&
          pb_ind_cell(s, PB_SERIES_VALUE, 0, 4)->status == PB_OBS_BLANK);
    pb_findings fs;
    pb_findings_init(&fs);
    CHECK(pb_plan_check(plan, &fs, &e) == PB_OK);
    pb_findings_free(&fs);
    pb_plan_free(plan);
}

/* csrc/pb_hash.c (issue 15): random adds, finds and removals against a
 * plain array, in a small table so that runs wrap around its end; and
 * column ids through renames (the index follows pb_column_set_id). */
static char hkeys[400][8];
static const char *hkey(const void *ctx, uint32_t v, size_t *len, uint32_t *tag)
{
    (void)ctx;
    *len = strlen(hkeys[v]);
    *tag = v / 150;
    return hkeys[v];
}

static void test_hash(void)
{
    pb_hash h;
    pb_hash_init(&h);
    int in[400] = {0};
    unsigned seed = 12345;
    int bad = 0;
    for (int i = 0; i < 400; i++)
        snprintf(hkeys[i], sizeof hkeys[i], "k%d", i % 150); /* tags tell them apart */
    for (int step = 0; step < 20000; step++) {
        seed = seed * 1103515245u + 12345u;
        int v = (int)((seed >> 8) % 400);
        seed = seed * 1103515245u + 12345u;
        int op = (int)((seed >> 8) % 3);
        size_t len;
        uint32_t tag;
        const char *k = hkey(NULL, (uint32_t)v, &len, &tag);
        pb_hash_slot *s = pb_hash_find(&h, k, len, tag, hkey, NULL);
        /* v and v + 150 share a text, not a tag: each v has its own key */
        if ((s != NULL) != in[v] || (s && s->value != (uint32_t)v))
            bad++;
        if (op == 0 && !in[v]) {
            int made;
            CHECK(pb_hash_add(&h, (uint32_t)v, hkey, NULL, &made) && made);
            in[v] = 1;
        } else if (op == 1 && in[v]) {
            pb_hash_remove(&h, s);
            in[v] = 0;
        }
    }
    CHECK(bad == 0);
    int count = 0;
    for (int i = 0; i < 400; i++)
        count += in[i];
    CHECK(h.count == (uint32_t)count);
    pb_hash_free(&h);

    pb_plan *plan = pb_plan_new();
    pb_table *t = pb_plan_add_table(plan, "t", 1, NULL);
    char id[16];
    for (int c = 0; c < 40; c++) {
        snprintf(id, sizeof id, "c%d", c);
        CHECK(pb_table_add_column(t, id, strlen(id), NULL) == c);
    }
    CHECK(pb_table_add_column(t, "c7", 2, NULL) == -1); /* duplicate */
    for (int c = 0; c < 40; c += 2) {                     /* rename the even ones */
        snprintf(id, sizeof id, "r%d", c);
        CHECK(pb_column_set_id(t, (size_t)c, id, strlen(id), NULL) == PB_OK);
    }
    CHECK(pb_column_set_id(t, 1, "r0", 2, NULL) == PB_ERR_DUPLICATE);
    for (int c = 0; c < 40; c++) {
        snprintf(id, sizeof id, "c%d", c);
        CHECK(pb_table_find_column(t, id, strlen(id)) == (c % 2 ? c : -1));
        snprintf(id, sizeof id, "r%d", c);
        CHECK(pb_table_find_column(t, id, strlen(id)) == (c % 2 ? -1 : c));
    }
    pb_plan_free(plan);
}

/* The four parts share one container (csrc/pb_part.c): ids unique and
 * valid, lookups right after removals (the index is made again), errors
 * that name the kind, memory counted, everything freed with the plan. */
#define PARTS_CASE(ADD, FIND, COUNT, GET, REMOVE, NOUN)                         \
    do {                                                                        \
        pb_plan *plan = pb_plan_new();                                          \
        pb_error err;                                                           \
        pb_error_clear(&err);                                                   \
        size_t mem0 = pb_plan_memory(plan);                                     \
        uint64_t gen0 = pb_plan_generation(plan);                               \
        CHECK(ADD(plan, "a", 1, &err) && ADD(plan, "b", 1, &err) &&             \
              ADD(plan, "c", 1, &err));                                         \
        CHECK(COUNT(plan) == 3 && pb_plan_generation(plan) > gen0);             \
        CHECK(pb_plan_memory(plan) > mem0);                                     \
        CHECK(FIND(plan, "b", 1) == 1 && FIND(plan, "bb", 2) == -1);            \
        CHECK(!ADD(plan, "b", 1, &err) && err.status == PB_ERR_DUPLICATE &&    \
              strstr(err.message, "duplicate " NOUN " id 'b'"));                \
        pb_error_clear(&err);                                                   \
        CHECK(!ADD(plan, "-x", 2, &err) && err.status == PB_ERR_INVALID &&     \
              strstr(err.message, "not a valid " NOUN " id"));                  \
        pb_error_clear(&err);                                                   \
        CHECK(REMOVE(plan, 1, &err) == PB_OK && COUNT(plan) == 2);              \
        CHECK(FIND(plan, "b", 1) == -1 && FIND(plan, "c", 1) == 1);             \
        CHECK(GET(plan, 1) == GET(plan, (size_t)FIND(plan, "c", 1)));           \
        CHECK(GET(plan, 2) == NULL);                                            \
        CHECK(REMOVE(plan, 5, &err) == PB_ERR_RANGE);                           \
        pb_error_clear(&err);                                                   \
        CHECK(ADD(plan, "b", 1, &err) && FIND(plan, "b", 1) == 2);              \
        char id[16];                                                            \
        for (int k = 0; k < 40; k++) { /* past the index's first growth */     \
            snprintf(id, sizeof id, "p%d", k);                                  \
            CHECK(ADD(plan, id, strlen(id), &err) != NULL);                     \
        }                                                                       \
        CHECK(FIND(plan, "p39", 3) == 42 && FIND(plan, "a", 1) == 0);           \
        pb_plan_free(plan);                                                     \
    } while (0)

static void test_parts(void)
{
    PARTS_CASE(pb_plan_add_table, pb_plan_find_table, pb_plan_table_count, pb_plan_table,
               pb_plan_remove_table, "table");
    PARTS_CASE(pb_plan_add_indset, pb_plan_find_indset, pb_plan_indset_count, pb_plan_indset,
               pb_plan_remove_indset, "indicator set");
    PARTS_CASE(pb_plan_add_register, pb_plan_find_register, pb_plan_register_count,
               pb_plan_register, pb_plan_remove_register, "risk register");
    PARTS_CASE(pb_plan_add_collection, pb_plan_find_collection, pb_plan_collection_count,
               pb_plan_collection, pb_plan_remove_collection, "collection");
    /* each part keeps its plan, id and source */
    pb_plan *plan = pb_plan_new();
    pb_indset *s = pb_plan_add_indset(plan, "kpi", 3, NULL);
    pb_indset_set_source(s, 7, 3);
    uint32_t line = 0, column = 0;
    pb_indset_source(s, &line, &column);
    CHECK(line == 7 && column == 3 && pb_indset_plan(s) == plan &&
          strcmp(pb_indset_id(s), "kpi") == 0);
    pb_plan_free(plan);
}

/* Described parts: the type rules of a field, and the check over a part
 * (the contact officers: an id repeated, a required name missing). */
static void test_described(void)
{
    static const pb_dfield date = {"due", "Due", PB_FIELD_DATE, PB_DTYPE_DATE, NULL};
    static const pb_dfield count = {"staff", "Staff", 0, PB_DTYPE_COUNT, NULL};
    static const pb_dfield word = {"status", "Status", 0, PB_DTYPE_WORD, "open|closed"};
    char why[PB_FINDING_DETAIL_MAX];
    CHECK(pb_dfield_valid(&date, "10 - 12 February 2015", 21, NULL, 0));
    CHECK(pb_dfield_valid(&date, "TBC", 3, NULL, 0)); /* undated */
    CHECK(!pb_dfield_valid(&date, "soonish", 7, why, sizeof why) &&
          !strcmp(why, "due 'soonish' is not a date"));
    CHECK(pb_dfield_valid(&count, "42", 2, NULL, 0) && !pb_dfield_valid(&count, "4.2", 3, NULL, 0) &&
          !pb_dfield_valid(&count, "-1", 2, NULL, 0));
    CHECK(pb_dfield_valid(&word, "closed", 6, NULL, 0) && !pb_dfield_valid(&word, "clo", 3, NULL, 0));
    CHECK(!pb_dfield_valid(&word, "Open", 4, why, sizeof why) &&
          !strcmp(why, "status 'Open' is not one of open|closed"));

    pb_plan *plan = pb_plan_new();
    pb_error err;
    pb_error_clear(&err);
    CHECK(!pb_plan_add_described(plan, "officers", 8, &err) && err.status == PB_ERR_INVALID);
    pb_described *d = pb_plan_add_described(plan, "contacts", 8, &err);
    CHECK(d && pb_described_kind_find("contacts", 8) == 0 &&
          pb_described_field_find(pb_described_desc_of(d), "email", 5) == 4);
    CHECK(!pb_plan_add_described(plan, "contacts", 8, &err) && err.status == PB_ERR_DUPLICATE);
    int64_t a = pb_described_add(d, &err), b = pb_described_add(d, &err);
    CHECK(a == 0 && b == 1 && pb_described_set(d, 0, 0, "1", 1, &err) == PB_OK &&
          pb_described_set(d, 0, 1, "Paul Marshall", 13, &err) == PB_OK &&
          pb_described_set(d, 1, 0, "1", 1, &err) == PB_OK);
    CHECK(pb_described_set(d, 1, 9, "x", 1, &err) == PB_ERR_RANGE);
    CHECK(pb_described_find(d, "1", 1) == 0 && strcmp(pb_described_value(d, 0, 1), "Paul Marshall") == 0);
    pb_findings fs;
    pb_findings_init(&fs);
    CHECK(pb_plan_check(plan, &fs, &err) == PB_OK && fs.count == 2);
    for (size_t i = 0; i < fs.count; i++)
        CHECK(fs.items[i].part == PB_PART_DESCRIBED && fs.items[i].code == PB_FIND_FIELD &&
              fs.items[i].table == 0 && fs.items[i].row == 1);
    CHECK(fs.count == 2 && fs.items[0].column == 1 && fs.items[1].column == 0);
    pb_findings_free(&fs);
    CHECK(pb_described_remove(d, 1, &err) == PB_OK && pb_described_count(d) == 1);
    pb_findings_init(&fs);
    CHECK(pb_plan_check(plan, &fs, &err) == PB_OK && fs.count == 0);
    pb_findings_free(&fs);
    pb_plan_free(plan);
}

/* A text of more than a quarter chunk gets a block of its own, of its
 * size; when it is the arena's first, that block is the current chunk, and
 * the aligned allocations after it were placed past its end (its odd size
 * rounded up to the alignment: a heap overflow, ASan's to see here). */
static void test_arena(void)
{
    for (size_t n = 16384; n < 16384 + 9; n++) {
        pb_arena a;
        pb_arena_init(&a);
        char *s = malloc(n);
        CHECK(s != NULL);
        if (!s)
            return;
        memset(s, 'x', n);
        const char *big = pb_arena_intern(&a, s, n);
        CHECK(big && strlen(big) == n);
        for (int k = 0; k < 4; k++) {
            unsigned char *p = pb_arena_alloc(&a, 24);
            CHECK(p != NULL && ((uintptr_t)p & 7) == 0);
            if (p)
                memset(p, k, 24);
        }
        CHECK(pb_arena_intern(&a, s, n) == big && strlen(big) == n);
        free(s);
        pb_arena_free(&a);
    }
}

int main(void)
{
    test_arena();
    test_described();
    test_money();
    test_periods();
    test_model();
    test_yaml();
    test_review_regressions();
    test_review_regressions_reading();
    test_indicators();
    test_hash();
    test_parts();
    return check_summary();
}
