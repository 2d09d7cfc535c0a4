/* pb_platform.h - everything in planbook's C that depends on the compiler
 * or the operating system, in one place.
 *
 * The rest of the C (the core in csrc/, the format plugins, the bindings)
 * is plain C11 and calls the OS only through this file: no __builtin_*, no
 * __attribute__, no <strings.h>/<unistd.h>/<sys/...>, no POSIX-only or
 * Windows-only call anywhere else (tools/cross_compile.sh checks this and
 * compiles every C file for Windows and macOS).  docs/design.md, "The
 * platform layer", has the rules.
 *
 * Targets: gcc and clang (Linux, macOS, MinGW) and MSVC (Windows).
 *
 *   PB_PRINTF(f, a)           printf-format checking of a declaration
 *   pb_add/sub/mul_overflow   int64 arithmetic that reports overflow
 *   pb_strcasecmp, pb_strncasecmp, pb_strdup   (C11 has none of them)
 *   pb_ascii_isalnum, _isdigit, _tolower        (<ctype.h> follows the locale)
 *   pb_fopen                  fopen of a UTF-8 path (wide on Windows)
 *   pb_utf8_to_utf16          what pb_fopen uses on Windows
 * and, in a file that defines _POSIX_C_SOURCE 200809L before its first
 * #include (the POSIX branches need it; Windows does not):
 *   pb_gmtime                 gmtime_r / gmtime_s
 *   pb_c_numeric_begin/_end   the C numeric locale for this thread only
 * and, in a file that also defines PB_PLATFORM_THREADS before its first
 * #include (only such a file sees <pthread.h> or <windows.h>):
 *   pb_thread_start/_join     a thread (POSIX threads, Windows threads)
 *   pb_mutex_*, pb_cond_*     a lock and a condition variable
 *   pb_cpu_count              the CPUs online
 * and, in a file that defines PB_PLATFORM_PAGES before its first #include:
 *   pb_huge_page_size, pb_advise_huge   huge pages for a large buffer
 *
 * Only standard C headers are included here, and it is C++-clean, so any
 * file may include it; pb_error.h does (for PB_PRINTF).  Everything is
 * static inline: each extension module compiles its own sources and the
 * plugins do not link the core's objects, so a pb_platform.c would have to
 * be added to every module's source list.
 */
#ifndef PB_PLATFORM_H
#define PB_PLATFORM_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ compiler */

/* printf-format checking: `void f(const char *fmt, ...) PB_PRINTF(1, 2);`
 * MinGW's gcc checks plain `printf` against the old msvcrt (no %zu, no
 * %lld); planbook formats as C99 says, so there it asks for gnu_printf (and
 * setup.py builds MinGW with __USE_MINGW_ANSI_STDIO=1 to match). */
#if defined(__MINGW32__) && (defined(__GNUC__) || defined(__clang__))
#define PB_PRINTF(fmt, args) __attribute__((format(gnu_printf, fmt, args)))
#elif defined(__GNUC__) || defined(__clang__)
#define PB_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define PB_PRINTF(fmt, args)
#endif

/* Loops built several times, for the baseline of the target, for AVX2
 * (64-bit compares in vectors) and for AVX-512 (compares into mask
 * registers), chosen at run time: PB_ALWAYS_INLINE bodies called from a
 * plain function and from PB_TARGET_AVX2 and PB_TARGET_AVX512 ones, taken
 * when pb_cpu_has_avx2() or pb_cpu_has_avx512() (the processor and the
 * system: libgcc and compiler-rt check that the OS saves the registers).
 * Elsewhere (MSVC, not x86) only the first.
 * PB_VECTORISE_FILE, first in a file, asks GCC for its -O3 loop
 * vectoriser there (clang vectorises from -O2). */
#if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__))
#define PB_AVX2_BUILD 1
#define PB_TARGET_AVX2 __attribute__((target("avx2")))
#define PB_TARGET_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq")))
#define PB_ALWAYS_INLINE static inline __attribute__((always_inline))
static inline int pb_cpu_has_avx2(void) { return __builtin_cpu_supports("avx2"); }
static inline int pb_cpu_has_avx512(void)
{
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq");
}
#else
#define PB_ALWAYS_INLINE static inline
static inline int pb_cpu_has_avx2(void) { return 0; }
static inline int pb_cpu_has_avx512(void) { return 0; }
#endif
#if defined(__GNUC__) && !defined(__clang__)
#define PB_VECTORISE_FILE _Pragma("GCC optimize(\"O3\")")
#else
#define PB_VECTORISE_FILE
#endif

/* Checked int64 arithmetic: *r = a op b, wrapped to 64 bits; the result is
 * nonzero when the exact value does not fit (the contract of gcc's and
 * clang's __builtin_*_overflow, which are used where they exist).  MSVC has
 * no such builtin for signed 64-bit values on every target (_mul128 is x64
 * only), so elsewhere the checks are done in plain C before the operation,
 * which cannot overflow; define PB_PORTABLE_OVERFLOW to use that branch
 * with gcc or clang too (tests/c/test_platform.c tests both). */
#if !defined(PB_PORTABLE_OVERFLOW)
#if defined(__has_builtin)
#if __has_builtin(__builtin_add_overflow) && __has_builtin(__builtin_sub_overflow) &&             \
    __has_builtin(__builtin_mul_overflow)
#define PB_BUILTIN_OVERFLOW 1
#endif
#elif defined(__GNUC__) && __GNUC__ >= 5
#define PB_BUILTIN_OVERFLOW 1
#endif
#endif

static inline int pb_add_overflow(int64_t a, int64_t b, int64_t *r)
{
#if defined(PB_BUILTIN_OVERFLOW)
    return __builtin_add_overflow(a, b, r);
#else
    int over = b > 0 ? a > INT64_MAX - b : a < INT64_MIN - b;
    *r = (int64_t)((uint64_t)a + (uint64_t)b);
    return over;
#endif
}

static inline int pb_sub_overflow(int64_t a, int64_t b, int64_t *r)
{
#if defined(PB_BUILTIN_OVERFLOW)
    return __builtin_sub_overflow(a, b, r);
#else
    int over = b > 0 ? a < INT64_MIN + b : a > INT64_MAX + b;
    *r = (int64_t)((uint64_t)a - (uint64_t)b);
    return over;
#endif
}

static inline int pb_mul_overflow(int64_t a, int64_t b, int64_t *r)
{
#if defined(PB_BUILTIN_OVERFLOW)
    return __builtin_mul_overflow(a, b, r);
#else
    int over;
    if (a > 0)
        over = b > 0 ? a > INT64_MAX / b : b < INT64_MIN / a;
    else if (b > 0)
        over = a < INT64_MIN / b;
    else
        over = a != 0 && b < INT64_MAX / a;
    *r = (int64_t)((uint64_t)a * (uint64_t)b);
    return over;
#endif
}

/* ------------------------------------------------ strings C11 lacks */

/* <ctype.h> answers by the current locale (Python sets LC_CTYPE from the
 * user's settings: a single-byte code page on Windows makes the bytes of
 * UTF-8 text letters); ids and keywords are ASCII, so these are too. */
static inline int pb_ascii_isdigit(int c)
{
    return c >= '0' && c <= '9';
}

static inline int pb_ascii_isalnum(int c)
{
    return pb_ascii_isdigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline int pb_ascii_tolower(int c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* strcasecmp for ASCII letters only (bytes >= 0x80 compare exactly), the
 * same in every locale. */
static inline int pb_strcasecmp(const char *a, const char *b)
{
    const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
    for (;; p++, q++) {
        int d = pb_ascii_tolower(*p) - pb_ascii_tolower(*q);
        if (d || !*p)
            return d;
    }
}

static inline int pb_strncasecmp(const char *a, const char *b, size_t n)
{
    const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
    for (; n; n--, p++, q++) {
        int d = pb_ascii_tolower(*p) - pb_ascii_tolower(*q);
        if (d || !*p)
            return d;
    }
    return 0;
}

/* strdup (POSIX, and C only from C23); NULL when out of memory. */
static inline char *pb_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = (char *)malloc(n);
    return d ? (char *)memcpy(d, s, n) : NULL;
}

/* ------------------------------------------------------------ files */

/* UTF-8 to UTF-16 (out has room for n units: never more than the bytes).
 * Returns the number of units written (no terminator), or -1 when s[0..n)
 * is not UTF-8.  Encoded lone surrogates (ED A0..BF xx) pass through as
 * they are: that is how Python's file system encoding on Windows
 * (utf-8, surrogatepass) carries a file name that is not valid UTF-16. */
static inline long pb_utf8_to_utf16(const char *s, size_t n, uint16_t *out)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    long k = 0;
    while (i < n) {
        uint32_t c = p[i], min;
        size_t len;
        if (c < 0x80) {
            len = 1, min = 0;
        } else if (c >= 0xC2 && c <= 0xDF) {
            len = 2, min = 0x80, c &= 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3, min = 0x800, c &= 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4, min = 0x10000, c &= 0x07;
        } else {
            return -1;
        }
        if (len > n - i)
            return -1;
        for (size_t j = 1; j < len; j++) {
            if ((p[i + j] & 0xC0) != 0x80)
                return -1;
            c = (c << 6) | (p[i + j] & 0x3Fu);
        }
        if (c < min || c > 0x10FFFF)
            return -1;
        if (c >= 0x10000) {
            out[k++] = (uint16_t)(0xD800 + ((c - 0x10000) >> 10));
            out[k++] = (uint16_t)(0xDC00 + ((c - 0x10000) & 0x3FF));
        } else {
            out[k++] = (uint16_t)c;
        }
        i += len;
    }
    return k;
}

/* fopen of a UTF-8 path (what PyUnicode_FSConverter gives on every
 * platform).  Windows' fopen takes the ANSI code page, so there the path
 * goes to _wfopen as UTF-16.  NULL with errno set on failure. */
static inline FILE *pb_fopen(const char *path, const char *mode)
{
#if defined(_WIN32)
    wchar_t wmode[8];
    size_t m = strlen(mode), n = strlen(path);
    if (m >= sizeof wmode / sizeof *wmode) {
        errno = EINVAL;
        return NULL;
    }
    for (size_t i = 0; i <= m; i++)
        wmode[i] = (wchar_t)(unsigned char)mode[i];
    wchar_t *wpath = (wchar_t *)malloc((n + 1) * sizeof *wpath); /* UTF-16 on Windows */
    if (!wpath) {
        errno = ENOMEM;
        return NULL;
    }
    long k = pb_utf8_to_utf16(path, n, (uint16_t *)wpath);
    if (k < 0) {
        free(wpath);
        errno = EINVAL;
        return NULL;
    }
    wpath[k] = L'\0';
#if defined(_MSC_VER) && !defined(__clang__)
#pragma warning(push)
#pragma warning(disable : 4996) /* "_wfopen may be unsafe": it is not here */
#endif
    FILE *f = _wfopen(wpath, wmode);
#if defined(_MSC_VER) && !defined(__clang__)
#pragma warning(pop)
#endif
    int saved = errno;
    free(wpath);
    errno = saved;
    return f;
#else
    return fopen(path, mode);
#endif
}

/* ------------------------------------------- time and locale (OS calls) */

#if defined(_WIN32) || (defined(_POSIX_C_SOURCE) && _POSIX_C_SOURCE >= 200809L)
#include <locale.h>
#include <time.h>

#define PB_PLATFORM_OS_CALLS 1

/* The UTC calendar time of *t into *out (thread-safe); NULL on failure. */
static inline struct tm *pb_gmtime(const time_t *t, struct tm *out)
{
#if defined(_WIN32)
    return gmtime_s(out, t) == 0 ? out : NULL; /* Microsoft's argument order */
#else
    return gmtime_r(t, out);
#endif
}

/* The C numeric locale for the calling thread only, between begin and end
 * (numbers printed with printf get a '.' whatever locale the process is
 * in), without touching the process-wide locale.  POSIX: a C locale object
 * made current with uselocale.  Windows: the thread is switched to its own
 * locale with _configthreadlocale and its LC_NUMERIC set with setlocale;
 * end puts both back.  begin returns 0, or -1 (out of memory) when nothing
 * was changed; end is safe after either. */
typedef struct pb_c_numeric {
#if defined(_WIN32)
    int thread_mode; /* _configthreadlocale's setting before begin, or 0 */
    char *saved;     /* the thread's LC_NUMERIC before begin, or NULL */
#else
    locale_t c, previous;
#endif
} pb_c_numeric;

static inline void pb_c_numeric_end(pb_c_numeric *s)
{
#if defined(_WIN32)
    if (s->saved) {
        setlocale(LC_NUMERIC, s->saved);
        free(s->saved);
        s->saved = NULL;
    }
    if (s->thread_mode == _DISABLE_PER_THREAD_LOCALE)
        _configthreadlocale(_DISABLE_PER_THREAD_LOCALE);
    s->thread_mode = 0;
#else
    if (s->previous)
        uselocale(s->previous);
    if (s->c)
        freelocale(s->c);
    s->previous = s->c = (locale_t)0;
#endif
}

static inline int pb_c_numeric_begin(pb_c_numeric *s)
{
#if defined(_WIN32)
    s->saved = NULL;
    s->thread_mode = _configthreadlocale(_ENABLE_PER_THREAD_LOCALE);
    if (s->thread_mode == -1) {
        s->thread_mode = 0;
        return -1;
    }
    const char *now = setlocale(LC_NUMERIC, NULL);
    if (now && !strcmp(now, "C"))
        return 0;
    /* setlocale's answer lives in a buffer the next call overwrites */
    if (!now || !(s->saved = pb_strdup(now)) || !setlocale(LC_NUMERIC, "C")) {
        free(s->saved);
        s->saved = NULL;
        pb_c_numeric_end(s);
        return -1;
    }
    return 0;
#else
    s->previous = (locale_t)0;
    s->c = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    if (!s->c)
        return -1;
    s->previous = uselocale(s->c);
    if (!s->previous) {
        pb_c_numeric_end(s);
        return -1;
    }
    return 0;
#endif
}

/* ------------------------------------------------ open files (OS calls) */

/* What identifies an open file on disk, so a descriptor can later be told
 * to still hold the same (deleted) file.  POSIX only: on Windows a file
 * opened for deletion disappears on close, and pb_file_stat fails. */
typedef struct pb_file_id {
    int fd;
    unsigned long long dev, ino;
    long long size;
} pb_file_id;

#if !defined(_WIN32)
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>
#endif

/* The identity and size of an open stream's file: 0, or -1 (not a file on
 * disk, e.g. a memory stream, or not supported here). */
static inline int pb_file_stat(FILE *f, pb_file_id *id)
{
#if defined(_WIN32)
    (void)f;
    (void)id;
    return -1;
#else
    struct stat st;
    int fd = fileno(f);
    if (fd < 0 || fstat(fd, &st) != 0)
        return -1;
    id->fd = fd;
    id->dev = (unsigned long long)st.st_dev;
    id->ino = (unsigned long long)st.st_ino;
    id->size = (long long)st.st_size;
    return 0;
#endif
}

/* Whether id's descriptor still holds that same file, now deleted (no name
 * left): a temporary file somebody forgot to close. */
static inline int pb_file_is_deleted(const pb_file_id *id)
{
#if defined(_WIN32)
    (void)id;
    return 0;
#else
    struct stat st;
    return fstat(id->fd, &st) == 0 && (unsigned long long)st.st_dev == id->dev &&
           (unsigned long long)st.st_ino == id->ino && st.st_nlink == 0;
#endif
}

/* A second descriptor (close-on-exec) on id's file, which keeps it open
 * while the first is closed and reused; -1 when not possible (Windows,
 * where pb_file_stat fails anyway). */
static inline int pb_file_hold(const pb_file_id *id)
{
#if defined(_WIN32)
    (void)id;
    return -1;
#else
    return fcntl(id->fd, F_DUPFD_CLOEXEC, 0);
#endif
}

/* Give back a descriptor pb_file_hold took. */
static inline void pb_file_unhold(int held)
{
#if defined(_WIN32)
    (void)held;
#else
    close(held);
#endif
}

/* Free bytes on the file system of id's file, for an unprivileged user;
 * -1 when unknown. */
static inline long long pb_file_free_space(const pb_file_id *id)
{
#if defined(_WIN32)
    (void)id;
    return -1;
#else
    struct statvfs vfs;
    if (fstatvfs(id->fd, &vfs) != 0)
        return -1;
    return (long long)vfs.f_bavail * (long long)vfs.f_frsize;
#endif
}

#endif /* OS calls */

/* --------------------------------------------- threads (OS calls) */

#if defined(PB_PLATFORM_THREADS) && defined(PB_PLATFORM_OS_CALLS)
#if defined(_WIN32)
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
#else
#include <pthread.h>
#include <signal.h>
#include <unistd.h>
#endif

#define PB_PLATFORM_HAS_THREADS 1

/* A thread running fn(arg); the struct stays where it is until joined. */
typedef struct pb_thread {
    void (*fn)(void *);
    void *arg;
#if defined(_WIN32)
    HANDLE handle;
#else
    pthread_t id;
#endif
} pb_thread;

#if defined(_WIN32)
static DWORD WINAPI pb_thread_main_(LPVOID p)
{
    pb_thread *t = (pb_thread *)p;
    t->fn(t->arg);
    return 0;
}
#else
static void *pb_thread_main_(void *p)
{
    pb_thread *t = (pb_thread *)p;
    t->fn(t->arg);
    return NULL;
}
#endif

/* Start fn(arg) on a new thread: 0, or -1 when no thread could be made
 * (nothing started).  POSIX: the new thread blocks every signal (they go
 * to the caller's threads, as the process expects); only the calling
 * thread's mask is touched, and only around the creation. */
static inline int pb_thread_start(pb_thread *t, void (*fn)(void *), void *arg)
{
    t->fn = fn;
    t->arg = arg;
#if defined(_WIN32)
    t->handle = CreateThread(NULL, 0, pb_thread_main_, t, 0, NULL);
    return t->handle ? 0 : -1;
#else
    sigset_t all, saved;
    sigfillset(&all);
    if (pthread_sigmask(SIG_SETMASK, &all, &saved) != 0)
        return -1;
    int rc = pthread_create(&t->id, NULL, pb_thread_main_, t);
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
    return rc == 0 ? 0 : -1;
#endif
}

/* Wait for a started thread to end, and release it. */
static inline void pb_thread_join(pb_thread *t)
{
#if defined(_WIN32)
    WaitForSingleObject(t->handle, INFINITE);
    CloseHandle(t->handle);
#else
    pthread_join(t->id, NULL);
#endif
}

/* A lock and a condition variable; init returns 0 or -1. */
typedef struct pb_mutex {
#if defined(_WIN32)
    SRWLOCK lock;
#else
    pthread_mutex_t lock;
#endif
} pb_mutex;

typedef struct pb_cond {
#if defined(_WIN32)
    CONDITION_VARIABLE cv;
#else
    pthread_cond_t cv;
#endif
} pb_cond;

static inline int pb_mutex_init(pb_mutex *m)
{
#if defined(_WIN32)
    InitializeSRWLock(&m->lock);
    return 0;
#else
    return pthread_mutex_init(&m->lock, NULL) == 0 ? 0 : -1;
#endif
}

static inline void pb_mutex_destroy(pb_mutex *m)
{
#if defined(_WIN32)
    (void)m;
#else
    pthread_mutex_destroy(&m->lock);
#endif
}

static inline void pb_mutex_lock(pb_mutex *m)
{
#if defined(_WIN32)
    AcquireSRWLockExclusive(&m->lock);
#else
    pthread_mutex_lock(&m->lock);
#endif
}

static inline void pb_mutex_unlock(pb_mutex *m)
{
#if defined(_WIN32)
    ReleaseSRWLockExclusive(&m->lock);
#else
    pthread_mutex_unlock(&m->lock);
#endif
}

static inline int pb_cond_init(pb_cond *c)
{
#if defined(_WIN32)
    InitializeConditionVariable(&c->cv);
    return 0;
#else
    return pthread_cond_init(&c->cv, NULL) == 0 ? 0 : -1;
#endif
}

static inline void pb_cond_destroy(pb_cond *c)
{
#if defined(_WIN32)
    (void)c;
#else
    pthread_cond_destroy(&c->cv);
#endif
}

/* Wait on c with m held (m is held again on return; wake-ups may be
 * spurious: wait in a loop on the condition). */
static inline void pb_cond_wait(pb_cond *c, pb_mutex *m)
{
#if defined(_WIN32)
    SleepConditionVariableSRW(&c->cv, &m->lock, INFINITE, 0);
#else
    pthread_cond_wait(&c->cv, &m->lock);
#endif
}

static inline void pb_cond_broadcast(pb_cond *c)
{
#if defined(_WIN32)
    WakeAllConditionVariable(&c->cv);
#else
    pthread_cond_broadcast(&c->cv);
#endif
}

/* The CPUs online (at least 1). */
static inline int pb_cpu_count(void)
{
#if defined(_WIN32)
    SYSTEM_INFO si;
    GetSystemInfo(&si);
    return si.dwNumberOfProcessors > 0 ? (int)si.dwNumberOfProcessors : 1;
#elif defined(_SC_NPROCESSORS_ONLN)
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
#else
    return 2; /* macOS under _POSIX_C_SOURCE does not say (and every Mac has two) */
#endif
}

#endif /* threads */

/* ------------------------------------------------ huge pages (OS calls) */

/* In a file that defines PB_PLATFORM_PAGES before its first #include (and
 * whose system headers declare madvise: _GNU_SOURCE, which the bindings
 * have from CPython's headers):
 *   pb_huge_page_size         the transparent huge page to align for (Linux
 *                             x86-64 and arm64 with 4 KiB pages: 2 MiB), or 0
 *   pb_advise_huge            ask for huge pages on untouched memory the
 *                             caller owns (madvise MADV_HUGEPAGE; a hint:
 *                             where the system says no, 4 KiB pages) */
#if defined(PB_PLATFORM_PAGES) && defined(__linux__)
#include <sys/mman.h>
#endif

static inline size_t pb_huge_page_size(void)
{
#if defined(PB_PLATFORM_PAGES) && defined(__linux__) && defined(MADV_HUGEPAGE) &&               \
    (defined(__x86_64__) || defined(__aarch64__))
    return (size_t)2 << 20;
#else
    return 0;
#endif
}

/* p and n multiples of pb_huge_page_size(); nothing when it is 0. */
static inline void pb_advise_huge(void *p, size_t n)
{
#if defined(PB_PLATFORM_PAGES) && defined(__linux__) && defined(MADV_HUGEPAGE) &&               \
    (defined(__x86_64__) || defined(__aarch64__))
    (void)madvise(p, n, MADV_HUGEPAGE);
#else
    (void)p;
    (void)n;
#endif
}

#endif
