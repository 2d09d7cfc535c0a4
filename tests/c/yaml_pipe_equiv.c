/* yaml_pipe_equiv.c - the YAML reader with libyaml's parser on a second
 * thread (pb_yaml_read_pipe.c) gives what it gives on one thread.
 *
 *     yaml_pipe_equiv [--cuts N] FILE...
 *     yaml_pipe_equiv --dump FILE      (what one read gives, as text)
 *
 * Each FILE (and, with --cuts N, N prefixes of it cut at evenly spaced
 * bytes, and N copies with one byte changed there: errors all through the
 * stream) is read four ways: from a buffer and from a file, each with
 * lim.pipeline_min = 0 (one thread) and 1 (two threads, whatever the
 * size).  The four results must be the same: either the same error
 * (status, line, column, data path, message) or plans that write the same
 * YAML, give the same findings (messages with their line and column) and
 * place every row, column and cell of the budget tables at the same line
 * and column.  Prints one line per difference and a closing count; exit
 * status 0 when there is none, 1 otherwise, 2 on usage errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pb_api.h"
#include "pb_yaml.h"
#include "planbook.h"

typedef struct buf {
    char *p;
    size_t n, cap;
} buf;

static int put(buf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = (b->n + n + 1) * 2;
        char *p = realloc(b->p, cap);
        if (!p)
            return 0;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
    return 1;
}

static int sink(void *ctx, const unsigned char *data, size_t size)
{
    return put(ctx, (const char *)data, size);
}

static void putf(buf *b, const char *fmt, unsigned a, unsigned c, const char *s)
{
    char line[1200];
    int n = snprintf(line, sizeof line, fmt, a, c, s ? s : "");
    if (n > 0)
        put(b, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

/* What a read gives, as text. */
static void describe(pb_plan *plan, const pb_error *err, buf *out)
{
    const pb_api *api = pb_api_get();
    out->n = 0;
    put(out, "", 0);
    if (!plan) {
        char line[1400];
        snprintf(line, sizeof line, "error %s %u:%u %s: %s\n", pb_status_name(err->status),
                 err->line, err->column, err->path, err->message);
        put(out, line, strlen(line));
        return;
    }
    pb_error e;
    if (pb_yaml_write(api, plan, sink, out, &e) != PB_OK)
        put(out, "write failed\n", 13);
    pb_findings f;
    api->pb_findings_init(&f);
    if (api->pb_plan_check(plan, &f, &e) == PB_OK) {
        for (size_t i = 0; i < f.count; i++) {
            char msg[2048];
            api->pb_finding_message(plan, &f.items[i], msg, sizeof msg);
            putf(out, "finding %u:%u %s\n", f.items[i].line, f.items[i].col, msg);
        }
    }
    api->pb_findings_free(&f);
    for (size_t t = 0; t < api->pb_plan_table_count(plan); t++) {
        pb_table *tb = api->pb_plan_table(plan, t);
        size_t nc = api->pb_table_column_count(tb), nr = api->pb_table_row_count(tb);
        uint32_t l, c;
        for (size_t k = 0; k < nc; k++) {
            api->pb_column_source(tb, k, &l, &c);
            putf(out, "column %u:%u %s\n", l, c, api->pb_column_id(tb, k));
        }
        for (size_t r = 0; r < nr; r++) {
            api->pb_row_source(tb, r, &l, &c);
            putf(out, "row %u:%u %s\n", l, c, api->pb_row_label(tb, r));
            for (size_t k = 0; k < nc; k++) {
                api->pb_cell_source(tb, r, k, &l, &c);
                putf(out, "cell %u:%u%s\n", l, c, "");
            }
        }
    }
}

static void read_one(const unsigned char *data, size_t n, int from_file, int pipeline,
                     buf *out)
{
    pb_yaml_limits lim = pb_yaml_default_limits();
    lim.pipeline_min = pipeline ? 1 : 0;
    pb_error err;
    pb_plan *plan;
    memset(&err, 0, sizeof err);
    if (from_file) {
        FILE *f = tmpfile();
        if (!f || fwrite(data, 1, n, f) != n || fseek(f, 0, SEEK_SET) != 0) {
            out->n = 0;
            put(out, "tmpfile failed\n", 15);
            if (f)
                fclose(f);
            return;
        }
        plan = pb_yaml_read_file(pb_api_get(), f, &lim, &err);
        fclose(f);
    } else {
        plan = pb_yaml_read_buffer(pb_api_get(), data, n, &lim, &err);
    }
    describe(plan, &err, out);
    if (plan)
        pb_plan_free(plan);
}

static long cases, differences, errors;

static void compare(const char *name, const unsigned char *data, size_t n)
{
    buf ref = {0}, got = {0};
    read_one(data, n, 0, 0, &ref);
    cases++;
    if (!strncmp(ref.p, "error", 5))
        errors++;
    static const char *const ways[] = {"buffer, one thread", "file, one thread",
                                       "buffer, two threads", "file, two threads"};
    for (int w = 1; w < 4; w++) {
        read_one(data, n, w & 1, w >= 2, &got);
        if (got.n != ref.n || memcmp(got.p, ref.p, ref.n)) {
            size_t i = 0;
            while (i < ref.n && i < got.n && ref.p[i] == got.p[i])
                i++;
            size_t s = i > 80 ? i - 80 : 0;
            printf("DIFFERENT %s (%s): at byte %zu\n  one thread: %.160s\n  %s: %.160s\n", name,
                   ways[w], i, ref.p + s, ways[w], got.p + (s < got.n ? s : got.n));
            differences++;
        }
    }
    free(ref.p);
    free(got.p);
}

int main(int argc, char **argv)
{
    int cuts = 0, i = 1;
    if (argc == 3 && !strcmp(argv[1], "--dump")) { /* what a file gives, as text */
        FILE *f = fopen(argv[2], "rb");
        buf in = {0}, out = {0};
        char chunk[65536];
        size_t k;
        if (!f)
            return 2;
        while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
            put(&in, chunk, k);
        fclose(f);
        read_one((const unsigned char *)(in.p ? in.p : ""), in.n, 0, 0, &out);
        fwrite(out.p, 1, out.n, stdout);
        free(in.p);
        free(out.p);
        return 0;
    }
    if (argc > 2 && !strcmp(argv[1], "--cuts")) {
        cuts = atoi(argv[2]);
        i = 3;
    }
    if (i >= argc) {
        fprintf(stderr, "usage: yaml_pipe_equiv [--cuts N] FILE...\n");
        return 2;
    }
    for (; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) {
            perror(argv[i]);
            return 2;
        }
        buf in = {0};
        char chunk[65536];
        size_t k;
        while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
            put(&in, chunk, k);
        fclose(f);
        if (!in.p)
            put(&in, "", 0);
        compare(argv[i], (const unsigned char *)in.p, in.n);
        for (int c = 1; c <= cuts && in.n > 1; c++) {
            size_t at = in.n * (size_t)c / (size_t)(cuts + 1);
            char name[1100];
            snprintf(name, sizeof name, "%s cut at %zu", argv[i], at);
            compare(name, (const unsigned char *)in.p, at);
            char saved = in.p[at];
            in.p[at] = saved == ':' ? '[' : ':';
            snprintf(name, sizeof name, "%s with byte %zu changed", argv[i], at);
            compare(name, (const unsigned char *)in.p, in.n);
            in.p[at] = saved;
        }
        free(in.p);
    }
    printf("yaml_pipe_equiv: %ld inputs (%ld refused), each read 4 ways; %ld differences\n",
           cases, errors, differences);
    return differences ? 1 : 0;
}
