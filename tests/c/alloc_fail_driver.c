/* alloc_fail_driver.c - allocation-failure sweep of a small load and save.
 *
 * Linked with the core, the YAML and Excel plugins and tools/failmalloc.c
 * (built as a shared library and linked in, so that its malloc family
 * interposes every allocation of the program, libyaml and libxlsxwriter
 * included).  Built WITHOUT AddressSanitizer: ASan replaces malloc.
 *
 *     alloc_fail_driver PLAN.yaml TMPDIR [--from N] [--to N] [--step K]
 *                       [--sticky] [--only N] [--read-only]
 *                       [--pipeline-min BYTES]
 *
 * Reads PLAN.yaml into memory, runs the whole sequence once without
 * injection (the reference: YAML text, number of findings, allocation
 * count of each stage), then for N = from, from+step, ... arms a failure at
 * the Nth allocation and runs the sequence
 *
 *     pb_yaml_read_buffer -> pb_plan_check + pb_finding_message for each
 *     finding -> pb_yaml_write to memory -> pb_xlsx_write to TMPDIR/out.xlsx
 *
 * stopping at the first stage that fails (--read-only: the read alone,
 * the plan freed at once).  --pipeline-min sets the reader's
 * lim.pipeline_min (0: libyaml's parser always on the calling thread; by
 * default the reader's own, 1 MiB): a plan that large is read on two
 * threads, and the Nth allocation may be either thread's.  Each stage must succeed or fail
 * with PB_ERR_NOMEM; a stage that succeeds must give the reference result
 * (the same findings, byte-identical YAML, a complete zip for the
 * workbook).  After each N every object is freed and the number of live
 * heap blocks (failmalloc_live) must be back to where it was: otherwise a
 * leak is reported with N and the stage.  The sweep ends at the first N
 * that injects nothing (or at --to).
 *
 * Each n runs in a forked child, so that a crash (reported as "CRASH n=...",
 * with a backtrace on stderr) does not end the sweep.
 *
 * Output: one line per problem ("CRASH n=...", "LEAK n=...",
 * "BADSTATUS n=...", "MISMATCH n=...") and a closing line
 *
 *     alloc_fail_driver: swept K points (N=a..b step s) of T allocations
 *     (read R, check C, yaml Y, xlsx X); ok O, nomem M, crashed C; problems P
 *
 * Exit status 0 when there is no problem, 1 otherwise, 2 on usage or setup
 * errors.  A crash is a crash (the caller sees the signal).
 */
#define _GNU_SOURCE /* strsignal, backtrace */
#include <execinfo.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pb_api.h"
#include "pb_xlsx.h"
#include "pb_yaml.h"
#include "planbook.h"

/* tools/failmalloc.c */
void failmalloc_arm(long n);
void failmalloc_disarm(void);
long failmalloc_count(void);
long failmalloc_injected(void);
long failmalloc_live(void);
void failmalloc_sticky(int on);

enum { ST_READ, ST_CHECK, ST_YAML, ST_XLSX, ST_COUNT };
static const char *const stage_names[ST_COUNT] = {"read", "check", "yaml", "xlsx"};

/* A fixed output buffer, allocated before arming, so that only the
 * plugin's allocations are counted. */
typedef struct {
    unsigned char *buf;
    size_t len, cap;
} fixbuf;

static int fix_sink(void *ctx, const unsigned char *data, size_t size)
{
    fixbuf *b = ctx;
    if (size > b->cap - b->len)
        return 0;
    memcpy(b->buf + b->len, data, size);
    b->len += size;
    return 1;
}

typedef struct {
    int stage_failed; /* ST_COUNT when all succeeded */
    pb_status status;
    char message[PB_ERROR_MESSAGE_MAX];
    size_t nfindings;
    long counts[ST_COUNT]; /* allocation counter at the end of each stage */
    int yaml_same, xlsx_ok;
} result;

static const pb_api *api;
static unsigned char *input;
static size_t input_len;
static fixbuf out;
static unsigned char *ref_yaml;
static size_t ref_yaml_len;
static size_t ref_findings;
static char xlsx_path[4096];
static const char *tmpdir;
static int read_only;
static pb_yaml_limits limits; /* pb_yaml_default_limits(), --pipeline-min */

typedef struct {
    result r;
    long injected, live0, live1;
} child_result;

/* In a child: print a backtrace on a fatal signal (backtrace() is warmed up
 * in main, so that it does not allocate here), then die of the signal. */
static int crash_fd = -1;

static void on_fatal(int sig)
{
    if (crash_fd >= 0) {
        void *frames[32];
        int k = backtrace(frames, 32);
        static const char head[] = "alloc_fail_driver: fatal signal, backtrace:\n";
        ssize_t w = write(crash_fd, head, sizeof head - 1);
        (void)w;
        backtrace_symbols_fd(frames, k, crash_fd);
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

static int zip_complete(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    unsigned char head[4], tail[22];
    int ok = fread(head, 1, 4, f) == 4 && !memcmp(head, "PK\3\4", 4) &&
             fseek(f, -22, SEEK_END) == 0 && fread(tail, 1, 22, f) == 22 &&
             !memcmp(tail, "PK\5\6", 4); /* end of central directory, no comment */
    fclose(f);
    return ok;
}

static void run(result *r)
{
    pb_error err;
    memset(r, 0, sizeof *r);
    r->stage_failed = ST_COUNT;
    unlink(xlsx_path);
    pb_plan *plan = pb_yaml_read_buffer(api, input, input_len, &limits, &err);
    r->counts[ST_READ] = failmalloc_count();
    if (!plan) {
        r->stage_failed = ST_READ;
        goto failed;
    }
    if (read_only) {
        r->nfindings = ref_findings; /* not looked at */
        r->yaml_same = r->xlsx_ok = 1;
        for (int s = ST_CHECK; s < ST_COUNT; s++)
            r->counts[s] = r->counts[ST_READ];
        api->pb_plan_free(plan);
        return;
    }
    pb_findings f;
    api->pb_findings_init(&f);
    pb_status st = api->pb_plan_check(plan, &f, &err);
    if (st == PB_OK) {
        r->nfindings = f.count;
        for (size_t i = 0; i < f.count; i++) {
            char small[64];
            size_t need = api->pb_finding_message(plan, &f.items[i], small, sizeof small);
            char *msg = malloc(need + 1);
            if (msg) { /* the driver's own allocation may be the one that fails */
                api->pb_finding_message(plan, &f.items[i], msg, need + 1);
                free(msg);
            }
        }
    }
    api->pb_findings_free(&f);
    r->counts[ST_CHECK] = failmalloc_count();
    if (st != PB_OK) {
        r->stage_failed = ST_CHECK;
        goto done;
    }
    out.len = 0;
    st = pb_yaml_write(api, plan, fix_sink, &out, &err);
    r->counts[ST_YAML] = failmalloc_count();
    if (st != PB_OK) {
        r->stage_failed = ST_YAML;
        goto done;
    }
    r->yaml_same = out.len == ref_yaml_len && !memcmp(out.buf, ref_yaml, out.len);
    pb_xlsx_options opt = pb_xlsx_default_options();
    opt.tmpdir = tmpdir;
    st = pb_xlsx_write(api, plan, xlsx_path, &opt, &err);
    r->counts[ST_XLSX] = failmalloc_count();
    if (st != PB_OK) {
        r->stage_failed = ST_XLSX;
        goto done;
    }
done:
    api->pb_plan_free(plan);
    if (r->stage_failed == ST_COUNT)
        return;
failed:
    r->status = err.status;
    snprintf(r->message, sizeof r->message, "%s", err.message);
}

/* Read the plan's YAML into `input` and make the output buffer; 0, or 2
 * (the exit status) on failure. */
static int read_input(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return 2;
    }
    fseek(f, 0, SEEK_END);
    input_len = (size_t)ftell(f);
    rewind(f);
    input = malloc(input_len ? input_len : 1);
    if (!input || fread(input, 1, input_len, f) != input_len) {
        fprintf(stderr, "cannot read %s\n", path);
        return 2;
    }
    fclose(f);
    out.cap = 16 * input_len + (1 << 20);
    out.buf = malloc(out.cap);
    if (!out.buf)
        return 2;
    return 0;
}

/* The reference run: the YAML and the number of findings without any
 * failure, and the allocation count at the end of each stage (totals).
 * 0, or 2 (the exit status) when it fails or does not reproduce. */
static int reference(long totals[ST_COUNT])
{
    /* the reference run, twice: the first one does the one-time
     * initialisations (stdio buffers, locale data, ...). */
    result ref;
    for (int pass = 0; pass < 2; pass++) {
        failmalloc_arm(0);
        run(&ref);
        if (ref.stage_failed != ST_COUNT) {
            fprintf(stderr, "the reference run failed at %s: %s (%s)\n",
                    stage_names[ref.stage_failed], api->pb_status_name(ref.status), ref.message);
            return 2;
        }
        if (pass == 0) {
            ref_yaml_len = out.len;
            ref_yaml = malloc(out.len ? out.len : 1);
            if (!ref_yaml)
                return 2;
            memcpy(ref_yaml, out.buf, out.len);
            ref_findings = ref.nfindings;
        }
    }
    /* the counter only runs while armed: count with a failure beyond reach */
    failmalloc_arm(1L << 60);
    run(&ref);
    failmalloc_disarm();
    ref.xlsx_ok = read_only || zip_complete(xlsx_path);
    for (int s = 0; s < ST_COUNT; s++)
        totals[s] = ref.counts[s];
    if (!ref.xlsx_ok || !ref.yaml_same) {
        fprintf(stderr, "the reference run is not reproducible\n");
        return 2;
    }
    return 0;
}

/* Run the sequence with a failure armed at allocation n in a child
 * process (so that a crash does not end the sweep): its result in *c
 * (*got bytes of it arrived) and its wait status.  0, or 2 (the exit
 * status) when no child can be made. */
static int sweep_one(long n, child_result *c, size_t *got, int *wstatus)
{
    /* one child per n: a crash is counted, and the sweep goes on */
    int fds[2];
    if (pipe(fds) != 0) {
        perror("pipe");
        return 2;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 2;
    }
    if (pid == 0) {
        close(fds[0]);
        crash_fd = 2;
        child_result cc;
        memset(&cc, 0, sizeof cc);
        cc.live0 = failmalloc_live();
        failmalloc_arm(n);
        run(&cc.r);
        cc.injected = failmalloc_injected();
        failmalloc_disarm();
        if (cc.r.stage_failed == ST_COUNT && !read_only) /* unarmed: fopen allocates */
            cc.r.xlsx_ok = zip_complete(xlsx_path);
        unlink(xlsx_path);
        cc.live1 = failmalloc_live();
        ssize_t w = write(fds[1], &cc, sizeof cc);
        _exit(w == (ssize_t)sizeof cc ? 0 : 3);
    }
    close(fds[1]);
    while (*got < sizeof *c) {
        ssize_t k = read(fds[0], (char *)c + *got, sizeof *c - *got);
        if (k <= 0)
            break;
        *got += (size_t)k;
    }
    close(fds[0]);
    waitpid(pid, wstatus, 0);
    unlink(xlsx_path);
    return 0;
}

/* The options after PLAN.yaml TMPDIR; 0, or 2 (the exit status). */
static int options(int argc, char **argv, long *from, long *to, long *step, int *sticky)
{
    limits = pb_yaml_default_limits();
    for (int i = 3; i < argc; i++) {
        if (!strcmp(argv[i], "--from") && i + 1 < argc)
            *from = atol(argv[++i]);
        else if (!strcmp(argv[i], "--to") && i + 1 < argc)
            *to = atol(argv[++i]);
        else if (!strcmp(argv[i], "--step") && i + 1 < argc)
            *step = atol(argv[++i]);
        else if (!strcmp(argv[i], "--only") && i + 1 < argc)
            *from = *to = atol(argv[++i]);
        else if (!strcmp(argv[i], "--sticky"))
            *sticky = 1;
        else if (!strcmp(argv[i], "--read-only"))
            read_only = 1;
        else if (!strcmp(argv[i], "--pipeline-min") && i + 1 < argc)
            limits.pipeline_min = strtoull(argv[++i], NULL, 10);
        else {
            fprintf(stderr, "unknown argument %s\n", argv[i]);
            return 2;
        }
    }
    return *from < 1 || *step < 1 ? 2 : 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s PLAN.yaml TMPDIR [--from N] [--to N] [--step K] "
                        "[--sticky] [--only N] [--read-only] [--pipeline-min BYTES]\n",
                argv[0]);
        return 2;
    }
    long from = 1, to = 0, step = 1;
    int sticky = 0;
    if (options(argc, argv, &from, &to, &step, &sticky))
        return 2;
    setvbuf(stdout, NULL, _IOLBF, 0);
    {
        void *warm[4];
        backtrace(warm, 4); /* loads libgcc_s now, not in a signal handler */
        signal(SIGSEGV, on_fatal);
        signal(SIGBUS, on_fatal);
        signal(SIGABRT, on_fatal);
        signal(SIGFPE, on_fatal);
    }
    api = pb_api_get();
    tmpdir = argv[2];
    snprintf(xlsx_path, sizeof xlsx_path, "%s/out.xlsx", tmpdir);

    if (read_input(argv[1]))
        return 2;

    long totals[ST_COUNT];
    if (reference(totals))
        return 2;
    long total = totals[ST_XLSX];
    printf("reference: %zu bytes of YAML in, %zu out, %zu findings; allocations: read %ld, "
           "check %ld, yaml %ld, xlsx %ld (total %ld)\n",
           input_len, ref_yaml_len, ref_findings, totals[ST_READ],
           totals[ST_CHECK] - totals[ST_READ], totals[ST_YAML] - totals[ST_CHECK],
           totals[ST_XLSX] - totals[ST_YAML], total);

    failmalloc_sticky(sticky);
    long points = 0, nok = 0, nnomem = 0, ncrash = 0, problems = 0, last = 0;
    long per_stage[ST_COUNT] = {0};
    for (long n = from; to == 0 || n <= to; n += step) {
        child_result c;
        int wstatus = 0;
        size_t got = 0;
        if (sweep_one(n, &c, &got, &wstatus))
            return 2;
        /* the stage where allocation n happens */
        int at = ST_XLSX;
        for (int s = ST_COUNT - 1; s >= 0; s--)
            if (n <= totals[s])
                at = s;
        if (got != sizeof c || !WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
            if (n > total + 1000) /* far past the reference count */
                break;
            points++;
            last = n;
            per_stage[at]++;
            ncrash++;
            problems++;
            if (WIFSIGNALED(wstatus))
                printf("CRASH n=%ld (allocation in %s): signal %d (%s)\n", n, stage_names[at],
                       WTERMSIG(wstatus), strsignal(WTERMSIG(wstatus)));
            else
                printf("CRASH n=%ld (allocation in %s): exit status %d\n", n, stage_names[at],
                       WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1);
            continue;
        }
        result r = c.r;
        if (!c.injected) {
            if (r.stage_failed != ST_COUNT) {
                printf("BADSTATUS n=%ld: %s failed with no injected failure: %s (%s)\n", n,
                       stage_names[r.stage_failed], api->pb_status_name(r.status), r.message);
                problems++;
            }
            break; /* past the last allocation */
        }
        points++;
        last = n;
        per_stage[at]++;
        if (r.stage_failed == ST_COUNT) {
            nok++;
            if (!r.yaml_same || !r.xlsx_ok || r.nfindings != ref_findings) {
                printf("MISMATCH n=%ld (allocation in %s): succeeded with a different result "
                       "(yaml same %d, xlsx complete %d, findings %zu/%zu)\n",
                       n, stage_names[at], r.yaml_same, r.xlsx_ok, r.nfindings, ref_findings);
                problems++;
            }
        } else if (r.status == PB_ERR_NOMEM) {
            nnomem++;
        } else {
            printf("BADSTATUS n=%ld (allocation in %s): %s failed with %s, not nomem: %s\n", n,
                   stage_names[at], stage_names[r.stage_failed], api->pb_status_name(r.status),
                   r.message);
            problems++;
        }
        if (c.live1 != c.live0) {
            printf("LEAK n=%ld (allocation in %s, %s %s): %ld heap blocks not freed\n", n,
                   stage_names[at], stage_names[r.stage_failed == ST_COUNT ? ST_XLSX
                                                                         : r.stage_failed],
                   r.stage_failed == ST_COUNT ? "succeeded" : "failed", c.live1 - c.live0);
            problems++;
        }
    }
    free(input);
    free(out.buf);
    free(ref_yaml);
    printf("alloc_fail_driver: swept %ld points (N=%ld..%ld step %ld%s) of %ld allocations "
           "(read %ld, check %ld, yaml %ld, xlsx %ld); ok %ld, nomem %ld, crashed %ld; "
           "problems %ld\n",
           points, from, last, step, sticky ? ", sticky" : "", total, per_stage[ST_READ],
           per_stage[ST_CHECK], per_stage[ST_YAML], per_stage[ST_XLSX], nok, nnomem, ncrash,
           problems);
    return problems ? 1 : 0;
}
