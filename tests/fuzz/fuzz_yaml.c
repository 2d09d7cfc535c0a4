/* fuzz_yaml.c - libFuzzer target for the YAML plan reader (and writer).
 *
 * Reads the input with pb_yaml_read_buffer.  When a plan comes back: runs
 * the checks, formats every finding, computes every table's figures, writes the plan to memory, reads that
 * output back and writes it again.  The writer's output must round-trip:
 * abort() if it cannot be read back, if the plan read back differs from the
 * one written (plan_diff: the model, field by field) or the two writes
 * differ.
 * Built by tests/fuzz/build.sh.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pb_api.h"
#include "pb_yaml.h"
#include "planbook.h"

/* The writer's output in memory, through open_memstream: its text
 * (NUL-terminated, for free()) and length. */
typedef struct memout {
    char *data;
    size_t len;
} memout;

static int sink_stream(void *ctx, const unsigned char *data, size_t size)
{
    return fwrite(data, 1, size, ctx) == size;
}

/* pb_yaml_write of plan into out (data NULL if no stream could be made). */
static pb_status write_to_memory(const pb_api *api, pb_plan *plan, memout *out, pb_error *err)
{
    out->data = NULL;
    out->len = 0;
    FILE *f = open_memstream(&out->data, &out->len);
    if (!f)
        return PB_ERR_NOMEM;
    pb_status st = pb_yaml_write(api, plan, sink_stream, f, err);
    if (fclose(f) != 0 && st == PB_OK)
        st = PB_ERR_IO;
    return st;
}

/* The computed figures of every table, as the Python API reads them. */
static void computed_figures(const pb_api *api, pb_plan *plan)
{
    for (size_t i = 0; i < api->pb_plan_table_count(plan); i++) {
        pb_table *t = api->pb_plan_table(plan, i);
        pb_error err;
        api->pb_error_clear(&err);
        if (api->pb_table_compute(t, &err) != PB_OK)
            continue;
        size_t nr = api->pb_table_row_count(t), nc = api->pb_table_column_count(t);
        for (size_t r = 0; r < nr; r++)
            for (size_t c = 0; c < nc; c++) {
                pb_amount v;
                (void)api->pb_cell_computed(t, r, c, &v);
                (void)api->pb_cell_value(t, r, c, &v);
            }
        for (size_t c = 0; c < nc; c++) {
            pb_amount v;
            api->pb_error_clear(&err);
            (void)api->pb_table_net(t, c, &v, &err);
        }
    }
}

static void check_and_messages(const pb_api *api, pb_plan *plan)
{
    pb_findings f;
    pb_error err;
    api->pb_findings_init(&f);
    api->pb_error_clear(&err);
    if (api->pb_plan_check(plan, &f, &err) == PB_OK) {
        for (size_t i = 0; i < f.count; i++) {
            char small[8], buf[1024];
            size_t need = api->pb_finding_message(plan, &f.items[i], small, sizeof small);
            size_t got = api->pb_finding_message(plan, &f.items[i], buf, sizeof buf);
            if (need != got)
                abort(); /* the needed length must not depend on cap */
            if (need < sizeof buf && strlen(buf) != need)
                abort();
            if (strlen(small) >= sizeof small)
                abort();
            (void)api->pb_finding_code_name(f.items[i].code);
            (void)api->pb_severity_name(f.items[i].severity);
        }
    }
    api->pb_findings_free(&f);
}

/* ------------------------------------------------ model comparison */

/* The plan read back from the writer's output must mean the same as the
 * plan that was written (equal bytes on the second write are not enough:
 * a reference the writer spells ambiguously reads back as another one and
 * is then written the same way).  Returns NULL when equal, else what
 * differs. */
static char diff_buf[512];

static int str_eq(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

#define DIFF(...)                                                          \
    do {                                                                   \
        snprintf(diff_buf, sizeof diff_buf, __VA_ARGS__);                  \
        return diff_buf;                                                   \
    } while (0)
#define S(x) ((x) ? (x) : "(null)")

/* Text field f of a table, of its column i or of its row i. */
typedef const char *(*text_of)(const pb_api *api, pb_table *t, size_t i, int f);

static const char *table_text(const pb_api *api, pb_table *t, size_t i, int f)
{
    (void)i;
    return api->pb_table_text(t, (pb_table_field)f);
}

static const char *column_text(const pb_api *api, pb_table *t, size_t i, int f)
{
    return api->pb_column_text(t, i, (pb_column_field)f);
}

static const char *row_text(const pb_api *api, pb_table *t, size_t i, int f)
{
    return api->pb_row_text(t, i, (pb_row_field)f);
}

/* The first of the n text fields (text(.., i, f)) that a and b do not
 * share, said after `where`; NULL when they share all. */
static const char *fields_diff(const pb_api *api, text_of text, pb_table *a, pb_table *b,
                               size_t i, int n, const char *where)
{
    for (int f = 0; f < n; f++) {
        const char *x = text(api, a, i, f), *y = text(api, b, i, f);
        if (!str_eq(x, y))
            DIFF("%s: text field %d '%s' vs '%s'", where, f, S(x), S(y));
    }
    return NULL;
}

static const char *table_diff(const pb_api *api, pb_table *a, pb_table *b)
{
    const char *id = api->pb_table_id(a);
    if (!str_eq(id, api->pb_table_id(b)))
        DIFF("table id '%s' vs '%s'", S(id), S(api->pb_table_id(b)));
    char where[320];
    snprintf(where, sizeof where, "table %s", id);
    const char *d = fields_diff(api, table_text, a, b, 0, PB_TABLE_FIELD_COUNT, where);
    if (d)
        return d;
    if (api->pb_table_decimals(a) != api->pb_table_decimals(b) ||
        api->pb_table_income_sign(a) != api->pb_table_income_sign(b) ||
        api->pb_table_blank_zero(a) != api->pb_table_blank_zero(b))
        DIFF("table %s: decimals/income_sign/blank differ", id);
    pb_amount ta = 0, tb = 0;
    int ha = api->pb_table_tolerance(a, &ta), hb = api->pb_table_tolerance(b, &tb);
    if (ha != hb || (ha && ta != tb))
        DIFF("table %s: tolerance differs", id);
    size_t nc = api->pb_table_column_count(a);
    if (nc != api->pb_table_column_count(b))
        DIFF("table %s: %zu vs %zu columns", id, nc, api->pb_table_column_count(b));
    for (size_t c = 0; c < nc; c++) {
        const char *cid = api->pb_column_id(a, c);
        if (!str_eq(cid, api->pb_column_id(b, c)))
            DIFF("table %s: column %zu id '%s' vs '%s'", id, c, S(cid),
                 S(api->pb_column_id(b, c)));
        snprintf(where, sizeof where, "table %s column %s", id, S(cid));
        if ((d = fields_diff(api, column_text, a, b, c, PB_COLUMN_FIELD_COUNT, where)))
            return d;
        pb_period pa = api->pb_column_period(a, c), pb = api->pb_column_period(b, c);
        if (pa.kind != pb.kind || pa.year != pb.year || pa.index != pb.index)
            DIFF("table %s column %s: period {%d,%u,%u} vs {%d,%u,%u}", id, cid, pa.year,
                 pa.kind, pa.index, pb.year, pb.kind, pb.index);
        if (api->pb_column_type_of(a, c) != api->pb_column_type_of(b, c) ||
            api->pb_column_decimals(a, c) != api->pb_column_decimals(b, c) ||
            api->pb_column_has_decimals(a, c) != api->pb_column_has_decimals(b, c))
            DIFF("table %s column %s: type/decimals differ", id, cid);
        size_t nt = api->pb_column_term_count(a, c);
        if (nt != api->pb_column_term_count(b, c))
            DIFF("table %s column %s: %zu vs %zu sum terms", id, cid, nt,
                 api->pb_column_term_count(b, c));
        for (size_t k = 0; k < nt; k++) {
            uint32_t ca, cb;
            int sa, sb;
            api->pb_column_term(a, c, k, &ca, &sa);
            api->pb_column_term(b, c, k, &cb, &sb);
            if (ca != cb || sa != sb)
                DIFF("table %s column %s: sum term %zu is %c%s, read back as %c%s", id, cid,
                     k, sa < 0 ? '-' : '+', S(api->pb_column_id(a, ca)), sb < 0 ? '-' : '+',
                     S(api->pb_column_id(b, cb)));
        }
        if (api->pb_column_equals(a, c) != api->pb_column_equals(b, c))
            DIFF("table %s column %s: 'equals' %u, read back as %u", id, cid,
                 (unsigned)api->pb_column_equals(a, c), (unsigned)api->pb_column_equals(b, c));
    }
    size_t nr = api->pb_table_row_count(a);
    if (nr != api->pb_table_row_count(b))
        DIFF("table %s: %zu vs %zu rows", id, nr, api->pb_table_row_count(b));
    for (size_t r = 0; r < nr; r++) {
        if (api->pb_row_kind_of(a, r) != api->pb_row_kind_of(b, r) ||
            api->pb_row_parent(a, r) != api->pb_row_parent(b, r) ||
            api->pb_row_role(a, r) != api->pb_row_role(b, r) ||
            api->pb_row_effective_role(a, r) != api->pb_row_effective_role(b, r))
            DIFF("table %s row %zu: kind/parent/role differ", id, r);
        if (!str_eq(api->pb_row_label(a, r), api->pb_row_label(b, r)))
            DIFF("table %s row %zu: label '%s' vs '%s'", id, r, S(api->pb_row_label(a, r)),
                 S(api->pb_row_label(b, r)));
        snprintf(where, sizeof where, "table %s row %zu", id, r);
        if ((d = fields_diff(api, row_text, a, b, r, PB_ROW_FIELD_COUNT, where)))
            return d;
        for (size_t c = 0; c < nc; c++) {
            pb_amount va = 0, vb = 0, ma = 0, mb = 0;
            pb_cell_state sa = api->pb_cell_get(a, r, c, &va);
            pb_cell_state sb = api->pb_cell_get(b, r, c, &vb);
            api->pb_cell_value(a, r, c, &ma);
            api->pb_cell_value(b, r, c, &mb);
            if (sa != sb || (sa == PB_CELL_VALUE && (va != vb || ma != mb)))
                DIFF("table %s row %zu column %zu: cell state %d %lld vs %d %lld", id, r, c,
                     sa, (long long)va, sb, (long long)vb);
            if (sa == PB_CELL_TEXT &&
                !str_eq(api->pb_cell_text(a, r, c), api->pb_cell_text(b, r, c)))
                DIFF("table %s row %zu column %zu: text '%s' vs '%s'", id, r, c,
                     S(api->pb_cell_text(a, r, c)), S(api->pb_cell_text(b, r, c)));
        }
    }
    return NULL;
}

static const char *plan_diff(const pb_api *api, pb_plan *a, pb_plan *b)
{
    for (int k = 0; k < PB_META_COUNT; k++)
        if (!str_eq(api->pb_plan_meta(a, (pb_meta_key)k), api->pb_plan_meta(b, (pb_meta_key)k)))
            DIFF("plan.%s '%s' vs '%s'", api->pb_meta_key_name((pb_meta_key)k),
                 S(api->pb_plan_meta(a, (pb_meta_key)k)), S(api->pb_plan_meta(b, (pb_meta_key)k)));
    if (api->pb_plan_year_start(a) != api->pb_plan_year_start(b) ||
        api->pb_plan_tolerance(a) != api->pb_plan_tolerance(b))
        DIFF("year_start/tolerance differ");
    size_t nt = api->pb_plan_table_count(a);
    if (nt != api->pb_plan_table_count(b))
        DIFF("%zu vs %zu tables", nt, api->pb_plan_table_count(b));
    for (size_t i = 0; i < nt; i++) {
        const char *d = table_diff(api, api->pb_plan_table(a, i), api->pb_plan_table(b, i));
        if (d)
            return d;
    }
    size_t na = api->pb_plan_agreement_count(a);
    if (na != api->pb_plan_agreement_count(b))
        DIFF("%zu vs %zu agreements", na, api->pb_plan_agreement_count(b));
    for (size_t g = 0; g < na; g++) {
        if (!str_eq(api->pb_agreement_name(a, g), api->pb_agreement_name(b, g)) ||
            !str_eq(api->pb_agreement_note(a, g), api->pb_agreement_note(b, g)))
            DIFF("agreement %zu: name/note differ", g);
        pb_amount ta = 0, tb = 0;
        int ha = api->pb_agreement_tolerance(a, g, &ta), hb = api->pb_agreement_tolerance(b, g, &tb);
        if (ha != hb || (ha && ta != tb))
            DIFF("agreement %zu: tolerance differs", g);
        for (int s = 0; s < 2; s++) {
            pb_side side = (pb_side)s;
            if (!str_eq(api->pb_agreement_table(a, g, side), api->pb_agreement_table(b, g, side)) ||
                api->pb_agreement_negate(a, g, side) != api->pb_agreement_negate(b, g, side))
                DIFF("agreement %zu side %d: table/negate differ", g, s);
            size_t n = api->pb_agreement_row_count(a, g, side);
            if (n != api->pb_agreement_row_count(b, g, side))
                DIFF("agreement %zu side %d: row count differs", g, s);
            for (size_t k = 0; k < n; k++)
                if (!str_eq(api->pb_agreement_row(a, g, side, k), api->pb_agreement_row(b, g, side, k)))
                    DIFF("agreement %zu side %d: row %zu '%s' vs '%s'", g, s, k,
                         S(api->pb_agreement_row(a, g, side, k)), S(api->pb_agreement_row(b, g, side, k)));
            n = api->pb_agreement_column_count(a, g, side);
            if (n != api->pb_agreement_column_count(b, g, side))
                DIFF("agreement %zu side %d: column count differs", g, s);
            for (size_t k = 0; k < n; k++)
                if (!str_eq(api->pb_agreement_column(a, g, side, k),
                            api->pb_agreement_column(b, g, side, k)))
                    DIFF("agreement %zu side %d: column %zu differs", g, s, k);
        }
    }
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const pb_api *api = pb_api_get();
    pb_error err;
    api->pb_error_clear(&err);
    pb_plan *plan = pb_yaml_read_buffer(api, data, size, NULL, &err);
    if (!plan)
        return 0;

    check_and_messages(api, plan);
    computed_figures(api, plan);

    memout out1, out2;
    api->pb_error_clear(&err);
    pb_status st = write_to_memory(api, plan, &out1, &err);
    if (st != PB_OK) {
        api->pb_plan_free(plan);
        free(out1.data);
        return 0;
    }

    api->pb_error_clear(&err);
    pb_plan *again = pb_yaml_read_buffer(api, (const unsigned char *)out1.data, out1.len, NULL,
                                        &err);
    if (!again) {
        fprintf(stderr, "fuzz_yaml: the writer's output does not read back: "
                        "%s (%s) at %u:%u %s\n--- output ---\n%.*s\n",
                err.message, api->pb_status_name(err.status), err.line,
                err.column, err.path, (int)out1.len, (const char *)out1.data);
        abort();
    }
    const char *d = plan_diff(api, plan, again);
    if (d) {
        fprintf(stderr, "fuzz_yaml: the plan read back from the writer's output differs: "
                        "%s\n--- output ---\n%.*s\n", d, (int)out1.len,
                (const char *)out1.data);
        abort();
    }
    api->pb_plan_free(plan);
    check_and_messages(api, again);
    api->pb_error_clear(&err);
    st = write_to_memory(api, again, &out2, &err);
    api->pb_plan_free(again);
    if (st != PB_OK) {
        fprintf(stderr, "fuzz_yaml: writing the read-back plan failed: %s\n",
                err.message);
        abort();
    }
    if (out1.len != out2.len || memcmp(out1.data, out2.data, out1.len) != 0) {
        fprintf(stderr, "fuzz_yaml: the writer's output does not round-trip\n"
                        "--- first write ---\n%.*s\n--- second write ---\n%.*s\n",
                (int)out1.len, (const char *)out1.data, (int)out2.len,
                (const char *)out2.data);
        abort();
    }
    free(out1.data);
    free(out2.data);
    return 0;
}
