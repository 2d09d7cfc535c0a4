/* failmalloc.c - allocation-failure injection for planbook's reliability
 * tests (tests/test_alloc_failure.py, tests/c/alloc_fail_driver.c).
 *
 * Build as a preload library:
 *
 *     gcc -shared -fPIC -O1 -o failmalloc.so tools/failmalloc.c -ldl
 *
 * and either LD_PRELOAD it or link a program against it.  It interposes
 * malloc, calloc, realloc, free, posix_memalign, aligned_alloc, memalign
 * and counts every allocation made while armed; the Nth one fails (returns
 * NULL with errno ENOMEM).  Control:
 *
 *   - from C or ctypes: failmalloc_arm(n) resets the counter and fails the
 *     nth allocation from now (n <= 0 disarms); failmalloc_count() is the
 *     number of allocations counted since the last arm; failmalloc_injected()
 *     the number of failures injected since then; failmalloc_disarm();
 *     failmalloc_sticky(1) makes every allocation from the nth on fail (the
 *     default, 0, fails only the nth).
 *   - failmalloc_arm_others(n): the same, but only the allocations of
 *     threads other than the caller are counted and failed (a plugin's
 *     worker thread inside a Python process, whose own allocations must
 *     not fail); the blocks those threads allocate are tracked until the
 *     next arm, and failmalloc_others_live() is the number not yet freed
 *     (by any thread; -1 when more were live than the table holds).
 *     failmalloc_arm() ends that mode.  failmalloc_injected_where(buf,
 *     cap) names the functions on the stack of the first failure injected
 *     in that mode ("malloc|zcalloc|inflateInit2_|..."), for a test to
 *     tell a known leak of a library from its own.
 *   - from the environment, at load time: FAILMALLOC_AT=n arms at n,
 *     FAILMALLOC_STICKY=1.  FAILMALLOC_REPORT=1 prints the count and the
 *     number of injected failures on stderr at exit.
 *
 * Only malloc-family calls that reach these symbols are counted: calls
 * inside glibc (strdup, fopen, newlocale, ...) go through the PLT and are
 * counted; an AddressSanitizer build replaces malloc itself and must not be
 * combined with this library.
 *
 * dlsym() may call calloc/malloc itself before the real functions are
 * known: those allocations come from a static bootstrap buffer, are never
 * counted or failed, and free() ignores them.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <execinfo.h>
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))

typedef void *(*malloc_fn)(size_t);
typedef void *(*calloc_fn)(size_t, size_t);
typedef void *(*realloc_fn)(void *, size_t);
typedef void (*free_fn)(void *);
typedef int (*memalign_fn)(void **, size_t, size_t);
typedef void *(*aligned_fn)(size_t, size_t);

static malloc_fn real_malloc;
static calloc_fn real_calloc;
static realloc_fn real_realloc;
static free_fn real_free;
static memalign_fn real_posix_memalign;
static aligned_fn real_aligned_alloc;
static aligned_fn real_memalign;

/* ---------------------------------------------------- bootstrap buffer */

static _Alignas(max_align_t) unsigned char boot_buf[64 * 1024];
static size_t boot_used;
static int resolving;

static int from_boot(const void *p)
{
    return (const unsigned char *)p >= boot_buf &&
           (const unsigned char *)p < boot_buf + sizeof boot_buf;
}

static void *boot_alloc(size_t n)
{
    size_t a = _Alignof(max_align_t);
    size_t start = (__atomic_load_n(&boot_used, __ATOMIC_RELAXED) + a - 1) & ~(a - 1);
    /* single-threaded at this point (the loader / first allocation) */
    if (start + n + a > sizeof boot_buf)
        return NULL;
    /* keep the size just before the block, for realloc */
    *(size_t *)(boot_buf + start) = n;
    boot_used = start + a + n;
    return boot_buf + start + a;
}

static size_t boot_size(const void *p)
{
    return *(const size_t *)((const unsigned char *)p - _Alignof(max_align_t));
}

static void resolve(void)
{
    if (real_malloc || resolving)
        return;
    resolving = 1;
    real_calloc = (calloc_fn)dlsym(RTLD_NEXT, "calloc");
    real_realloc = (realloc_fn)dlsym(RTLD_NEXT, "realloc");
    real_free = (free_fn)dlsym(RTLD_NEXT, "free");
    real_posix_memalign = (memalign_fn)dlsym(RTLD_NEXT, "posix_memalign");
    real_aligned_alloc = (aligned_fn)dlsym(RTLD_NEXT, "aligned_alloc");
    real_memalign = (aligned_fn)dlsym(RTLD_NEXT, "memalign");
    malloc_fn m = (malloc_fn)dlsym(RTLD_NEXT, "malloc");
    __atomic_store_n(&real_malloc, m, __ATOMIC_RELEASE);
    resolving = 0;
    if (!real_malloc || !real_calloc || !real_realloc || !real_free) {
        static const char msg[] = "failmalloc: cannot find the real malloc\n";
        ssize_t r = write(2, msg, sizeof msg - 1);
        (void)r;
        abort();
    }
}

/* ------------------------------------------------------------- control */

static long fail_at;    /* 0: disarmed */
static long counted;    /* allocations since the last arm */
static long injected;   /* failures injected since the last arm */
static long live;       /* blocks allocated through here and not yet freed */
static int sticky;
static int report;

/* ------------------------------------------- other threads' blocks */

static int others;        /* failmalloc_arm_others: the caller's allocations not counted */
static pthread_t arming;  /* that caller */
#define OT_SLOTS (1u << 18) /* open addressing, linear probing */
static void *ot_slot[OT_SLOTS];
static long ot_live;
static int ot_overflow;
static int ot_lock;

static void ot_acquire(void)
{
    while (__atomic_exchange_n(&ot_lock, 1, __ATOMIC_ACQUIRE))
        ;
}

static void ot_release(void) { __atomic_store_n(&ot_lock, 0, __ATOMIC_RELEASE); }

static size_t ot_hash(const void *p)
{
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 17;
    x *= 0x9E3779B97F4A7C15ull;
    return (size_t)(x >> 40) & (OT_SLOTS - 1);
}

static int is_other(void)
{
    return __atomic_load_n(&others, __ATOMIC_ACQUIRE) && !pthread_equal(pthread_self(), arming);
}

static void ot_add(void *p)
{
    ot_acquire();
    if (ot_live >= (long)(OT_SLOTS / 2)) {
        ot_overflow = 1;
    } else {
        size_t i = ot_hash(p);
        while (ot_slot[i])
            i = (i + 1) & (OT_SLOTS - 1);
        ot_slot[i] = p;
        ot_live++;
    }
    ot_release();
}

/* 1 when p was tracked (now no longer). */
static int ot_del(void *p)
{
    if (!__atomic_load_n(&others, __ATOMIC_ACQUIRE))
        return 0;
    ot_acquire();
    size_t i = ot_hash(p);
    while (ot_slot[i] && ot_slot[i] != p)
        i = (i + 1) & (OT_SLOTS - 1);
    int found = ot_slot[i] != NULL;
    if (found) { /* backward-shift deletion: no tombstones */
        for (size_t j = i;;) {
            j = (j + 1) & (OT_SLOTS - 1);
            if (!ot_slot[j])
                break;
            size_t k = ot_hash(ot_slot[j]);
            if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
                continue; /* its probe starts after the hole: it stays */
            ot_slot[i] = ot_slot[j];
            i = j;
        }
        ot_slot[i] = NULL;
        ot_live--;
    }
    ot_release();
    return found;
}

static void *inj_frames[16]; /* the stack of the first failure injected in that mode */
static int inj_nframes;

static void arm(long n);

EXPORT size_t failmalloc_injected_where(char *buf, size_t cap)
{
    size_t at = 0;
    for (int i = 0; i < inj_nframes && cap; i++) {
        Dl_info info;
        const char *name = dladdr(inj_frames[i], &info) && info.dli_sname ? info.dli_sname : "?";
        int n = snprintf(buf + at, cap - at, "%s%s", i ? "|" : "", name);
        if (n < 0 || (size_t)n >= cap - at)
            break;
        at += (size_t)n;
    }
    if (cap)
        buf[at < cap ? at : cap - 1] = '\0';
    return at;
}

EXPORT void failmalloc_arm_others(long n)
{
    __atomic_store_n(&others, 0, __ATOMIC_SEQ_CST);
    ot_acquire();
    memset(ot_slot, 0, sizeof ot_slot);
    ot_live = 0;
    ot_overflow = 0;
    ot_release();
    arming = pthread_self();
    inj_nframes = 0;
    void *warm[2];
    backtrace(warm, 2); /* libgcc_s loaded now, not in another thread's malloc */
    __atomic_store_n(&others, 1, __ATOMIC_SEQ_CST);
    arm(n);
}

EXPORT long failmalloc_others_live(void)
{
    ot_acquire();
    long n = ot_overflow ? -1 : ot_live;
    ot_release();
    return n;
}

EXPORT void failmalloc_arm(long n)
{
    __atomic_store_n(&others, 0, __ATOMIC_SEQ_CST);
    arm(n);
}

static void arm(long n)
{
    __atomic_store_n(&fail_at, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&counted, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&injected, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&fail_at, n > 0 ? n : 0, __ATOMIC_SEQ_CST);
}

EXPORT void failmalloc_disarm(void) { __atomic_store_n(&fail_at, 0, __ATOMIC_SEQ_CST); }
EXPORT long failmalloc_count(void) { return __atomic_load_n(&counted, __ATOMIC_SEQ_CST); }
EXPORT long failmalloc_injected(void) { return __atomic_load_n(&injected, __ATOMIC_SEQ_CST); }
EXPORT void failmalloc_sticky(int on) { sticky = on; }
/* Blocks allocated and not yet freed (all blocks, armed or not): a program
 * that frees everything it made gets the same number back, so a difference
 * across one load/save is a leak. */
EXPORT long failmalloc_live(void) { return __atomic_load_n(&live, __ATOMIC_SEQ_CST); }

static void *counted_block(void *p)
{
    if (p) {
        __atomic_add_fetch(&live, 1, __ATOMIC_RELAXED);
        if (is_other())
            ot_add(p);
    }
    return p;
}

/* 1 when this allocation must fail. */
static int should_fail(void)
{
    long at = __atomic_load_n(&fail_at, __ATOMIC_RELAXED);
    if (!at)
        return 0;
    if (__atomic_load_n(&others, __ATOMIC_ACQUIRE) && !is_other())
        return 0; /* failmalloc_arm_others: the caller's own */
    long k = __atomic_add_fetch(&counted, 1, __ATOMIC_RELAXED);
    if (k == at || (sticky && k > at)) {
        if (__atomic_add_fetch(&injected, 1, __ATOMIC_RELAXED) == 1 &&
            __atomic_load_n(&others, __ATOMIC_ACQUIRE))
            inj_nframes = backtrace(inj_frames, 16);
        errno = ENOMEM;
        return 1;
    }
    return 0;
}

static void at_exit_report(void)
{
    if (report)
        fprintf(stderr, "failmalloc: %ld allocations counted, %ld failures injected\n",
                failmalloc_count(), failmalloc_injected());
}

__attribute__((constructor)) static void failmalloc_init(void)
{
    resolve();
    const char *s = getenv("FAILMALLOC_STICKY");
    sticky = s && *s && *s != '0';
    s = getenv("FAILMALLOC_REPORT");
    report = s && *s && *s != '0';
    if (report)
        atexit(at_exit_report);
    s = getenv("FAILMALLOC_AT");
    if (s && *s)
        failmalloc_arm(strtol(s, NULL, 10));
}

/* ----------------------------------------------------------- interposed */

EXPORT void *malloc(size_t n)
{
    if (!__atomic_load_n(&real_malloc, __ATOMIC_ACQUIRE)) {
        if (resolving)
            return boot_alloc(n);
        resolve();
    }
    if (should_fail())
        return NULL;
    return counted_block(real_malloc(n));
}

EXPORT void *calloc(size_t n, size_t size)
{
    if (!__atomic_load_n(&real_malloc, __ATOMIC_ACQUIRE)) {
        if (resolving) {
            if (size && n > SIZE_MAX / size)
                return NULL;
            return boot_alloc(n * size); /* the buffer is never reused: zeroed */
        }
        resolve();
    }
    if (should_fail())
        return NULL;
    return counted_block(real_calloc(n, size));
}

EXPORT void *realloc(void *p, size_t n)
{
    if (!__atomic_load_n(&real_malloc, __ATOMIC_ACQUIRE)) {
        if (resolving) {
            void *q = boot_alloc(n);
            if (q && p)
                memcpy(q, p, boot_size(p) < n ? boot_size(p) : n);
            return q;
        }
        resolve();
    }
    if (p && from_boot(p)) {
        void *q = malloc(n);
        if (q)
            memcpy(q, p, boot_size(p) < n ? boot_size(p) : n);
        return q;
    }
    if (!p)
        return malloc(n);
    if (n == 0) { /* glibc: frees p, returns NULL */
        free(p);
        return NULL;
    }
    if (should_fail())
        return NULL;
    int tracked = ot_del(p);
    void *q = real_realloc(p, n);
    if (q ? tracked || is_other() : tracked)
        ot_add(q ? q : p);
    return q;
}

EXPORT void free(void *p)
{
    if (!p || from_boot(p))
        return;
    if (!real_free)
        resolve();
    __atomic_sub_fetch(&live, 1, __ATOMIC_RELAXED);
    ot_del(p);
    real_free(p);
}

/* For the aligned allocators (never called by dlsym): the real functions
 * found, then should_fail(). */
static int aligned_should_fail(void)
{
    if (!real_malloc)
        resolve();
    return should_fail();
}

EXPORT int posix_memalign(void **out, size_t align, size_t n)
{
    if (aligned_should_fail())
        return ENOMEM;
    int r = real_posix_memalign(out, align, n);
    if (r == 0)
        counted_block(*out);
    return r;
}

EXPORT void *aligned_alloc(size_t align, size_t n)
{
    return aligned_should_fail() ? NULL : counted_block(real_aligned_alloc(align, n));
}

EXPORT void *memalign(size_t align, size_t n)
{
    return aligned_should_fail() ? NULL : counted_block(real_memalign(align, n));
}
