/* xlsxloop.c - a bare libxlsxwriter loop: the floor for any workbook writer
 * built on libxlsxwriter.
 *
 * Usage:  xlsxloop DUMP OUT.xlsx   prints "sheets=N cells=C numbers=K strings=S
 *                                  seconds=T cpu_seconds=U rss_before_kib=R
 *                                  peak_kib=P"
 *         xlsxloop --version       prints libxlsxwriter's version string
 *
 * DUMP is the text file bench/run_write.py writes from a plan's budget
 * tables, one line per record, fields separated by tabs:
 *
 *     S <TAB> name                 start a new worksheet called name
 *     T <TAB> text <TAB> text ...  a row of text cells (the heading row)
 *     R <TAB> label <TAB> num ...  a row: the label (may be empty), then one
 *                                  field per amount column, a number as
 *                                  strtod reads it, or empty for a blank
 *
 * Rows of a sheet are written from row 0 down, cells from column 0 across.
 * The whole dump is read and parsed (numbers converted with strtod) BEFORE
 * the clock starts; the time covers workbook_new_opt (constant_memory = 1,
 * tmpdir = the directory of OUT) to the end of workbook_close
 * (CLOCK_MONOTONIC; the process's CPU time over the same span is
 * reported too), and in between only workbook_add_worksheet,
 * worksheet_write_string and worksheet_write_number, no formats.  A
 * workbook writer on libxlsxwriter cannot write these cells faster.
 *
 * Memory: the peak RSS (VmHWM) is reset through /proc/self/clear_refs and
 * the RSS (VmRSS) read after the dump is parsed; VmHWM after workbook_close
 * is the peak.  Both are -1 where /proc does not tell.
 *
 * Memory and clocks: bench/procstat.h.
 *
 * Deflate: with -DLOOP_DEFLATE_LEVEL=N and -Wl,--wrap=deflateInit2_ (a static
 * libxlsxwriter and zlib, GNU ld or lld), the parts libxlsxwriter deflates
 * at zlib's default level are deflated at level N, as planbook's own save
 * does on Linux (plugins/xlsx/pb_xlsx_deflate.c): bench/run_write.py builds
 * it so, to compare like with like.
 *
 * Build: cc -O2 -Wall -Wextra -Werror bench/xlsxloop.c \
 *            $(pkg-config --cflags --libs xlsxwriter) -o bench/build/xlsxloop
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xlsxwriter.h>

#include "procstat.h"

#ifdef LOOP_DEFLATE_LEVEL
#include <zlib.h>
int __real_deflateInit2_(z_streamp strm, int level, int method, int window_bits, int mem_level,
                         int strategy, const char *version, int stream_size);
int __wrap_deflateInit2_(z_streamp strm, int level, int method, int window_bits, int mem_level,
                         int strategy, const char *version, int stream_size);
int __wrap_deflateInit2_(z_streamp strm, int level, int method, int window_bits, int mem_level,
                         int strategy, const char *version, int stream_size)
{
    if (level == Z_DEFAULT_COMPRESSION)
        level = LOOP_DEFLATE_LEVEL;
    return __real_deflateInit2_(strm, level, method, window_bits, mem_level, strategy, version,
                                stream_size);
}
#endif

enum { OP_SHEET, OP_STRING, OP_NUMBER, OP_NEXT_ROW };

/* One thing to do: start a sheet, write a cell, or move to the next row. */
typedef struct op {
    uint8_t kind;
    uint16_t col;
    union {
        const char *s;
        double d;
    } v;
} op;

typedef struct ops {
    op *v;
    size_t n, cap;
} ops;

static int push(ops *o, op x)
{
    if (o->n == o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 4096;
        op *nv = realloc(o->v, cap * sizeof *nv);
        if (!nv)
            return -1;
        o->v = nv;
        o->cap = cap;
    }
    o->v[o->n++] = x;
    return 0;
}

/* The whole file, NUL-terminated; NULL on failure. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0;

    if (f == NULL)
        return NULL;
    for (;;) {
        if (cap - n < 65536) {
            size_t ncap = cap ? cap * 2 : 1 << 20;
            char *nb = realloc(buf, ncap + 1);
            if (nb == NULL) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Split the dump in place into ops; returns 0, or -1 with a message. */
static int parse(char *buf, ops *o, size_t *nsheets, char *msg, size_t cap)
{
    size_t lineno = 0;
    char *p = buf;

    while (*p) {
        char *eol = strchr(p, '\n');
        char *next = eol ? eol + 1 : p + strlen(p);
        lineno++;
        if (eol)
            *eol = '\0';
        if (eol > p && eol[-1] == '\r')
            eol[-1] = '\0';
        if (*p == '\0') {
            p = next;
            continue;
        }
        char kind = *p;
        if ((kind != 'S' && kind != 'T' && kind != 'R') || p[1] != '\t') {
            snprintf(msg, cap, "line %zu: expected S, T or R and a tab", lineno);
            return -1;
        }
        char *field = p + 2;
        if (kind == 'S') {
            op x = {OP_SHEET, 0, {.s = field}};
            if (push(o, x))
                goto nomem;
            ++*nsheets;
            p = next;
            continue;
        }
        if (*nsheets == 0) {
            snprintf(msg, cap, "line %zu: a row before the first sheet", lineno);
            return -1;
        }
        uint16_t col = 0;
        for (;;) {
            char *tab = strchr(field, '\t');
            if (tab)
                *tab = '\0';
            if (col >= LXW_COL_MAX) {
                snprintf(msg, cap, "line %zu: too many columns", lineno);
                return -1;
            }
            if (kind == 'T' || col == 0) {
                if (*field) {
                    op x = {OP_STRING, col, {.s = field}};
                    if (push(o, x))
                        goto nomem;
                }
            } else if (*field) {
                char *end;
                double d = strtod(field, &end);
                if (*end != '\0') {
                    snprintf(msg, cap, "line %zu: '%.40s' is not a number", lineno, field);
                    return -1;
                }
                op x = {OP_NUMBER, col, {.d = d}};
                if (push(o, x))
                    goto nomem;
            }
            col++;
            if (!tab)
                break;
            field = tab + 1;
        }
        op x = {OP_NEXT_ROW, 0, {.s = NULL}};
        if (push(o, x))
            goto nomem;
        p = next;
    }
    return 0;
nomem:
    snprintf(msg, cap, "out of memory");
    return -1;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--version") == 0) {
        printf("%s\n", LXW_VERSION);
        return 0;
    }
    if (argc != 3) {
        fprintf(stderr, "usage: xlsxloop DUMP OUT.xlsx | xlsxloop --version\n");
        return 2;
    }
    const char *dump = argv[1], *out = argv[2];
    size_t len = 0, nsheets = 0;
    char msg[256];
    ops o = {NULL, 0, 0};

    char *buf = slurp(dump, &len);
    if (buf == NULL) {
        perror(dump);
        return 1;
    }
    if (parse(buf, &o, &nsheets, msg, sizeof msg)) {
        fprintf(stderr, "%s: %s\n", dump, msg);
        free(buf);
        free(o.v);
        return 1;
    }

    /* tmpdir: the directory of the output, as planbook does */
    char *tmpdir = strdup(out);
    if (tmpdir == NULL) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    char *slash = strrchr(tmpdir, '/');
    if (slash == NULL)
        strcpy(tmpdir, ".");
    else if (slash == tmpdir)
        slash[1] = '\0';
    else
        *slash = '\0';

    int peak_reset = reset_peak();
    long rss_before = status_kib("VmRSS");
    unsigned long long cells = 0, numbers = 0, strings = 0;
    lxw_error err = LXW_NO_ERROR;
    int rc = 1;

    double c0 = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
    double t0 = clock_seconds(CLOCK_MONOTONIC);
    lxw_workbook_options wo;
    memset(&wo, 0, sizeof wo);
    wo.constant_memory = LXW_TRUE;
    wo.tmpdir = tmpdir;
    lxw_workbook *wb = workbook_new_opt(out, &wo);
    if (wb == NULL) {
        fprintf(stderr, "%s: cannot create the workbook\n", out);
        goto done;
    }
    lxw_worksheet *ws = NULL;
    lxw_row_t row = 0;
    for (size_t i = 0; i < o.n && err == LXW_NO_ERROR; i++) {
        const op *x = &o.v[i];
        switch (x->kind) {
        case OP_SHEET:
            ws = workbook_add_worksheet(wb, x->v.s);
            if (ws == NULL) {
                fprintf(stderr, "cannot add the worksheet '%s'\n", x->v.s);
                workbook_close(wb);
                goto done;
            }
            row = 0;
            break;
        case OP_STRING:
            err = worksheet_write_string(ws, row, x->col, x->v.s, NULL);
            strings++;
            break;
        case OP_NUMBER:
            err = worksheet_write_number(ws, row, x->col, x->v.d, NULL);
            numbers++;
            break;
        default: /* OP_NEXT_ROW */
            row++;
            break;
        }
    }
    if (err != LXW_NO_ERROR) {
        fprintf(stderr, "writing a cell: %s\n", lxw_strerror(err));
        workbook_close(wb);
        goto done;
    }
    err = workbook_close(wb);
    double t1 = clock_seconds(CLOCK_MONOTONIC);
    double c1 = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
    if (err != LXW_NO_ERROR) {
        fprintf(stderr, "%s: %s\n", out, lxw_strerror(err));
        goto done;
    }
    cells = numbers + strings;
    long peak = peak_reset == 0 ? status_kib("VmHWM") : -1;
    printf("sheets=%zu cells=%llu numbers=%llu strings=%llu seconds=%.6f "
           "cpu_seconds=%.6f rss_before_kib=%ld peak_kib=%ld\n",
           nsheets, cells, numbers, strings, t1 - t0, c1 - c0, peak_reset == 0 ? rss_before : -1L,
           peak);
    rc = 0;
done:
    free(tmpdir);
    free(buf);
    free(o.v);
    return rc;
}
