/* test_platform.c - tests of csrc/pb_platform.h.
 *
 * Built twice by tests/test_c_core.py: as it is (gcc's __builtin_*_overflow)
 * and with -DPB_PORTABLE_OVERFLOW (the plain-C checks MSVC gets), both with
 * ASan+UBSan, so that the portable checks are seen not to overflow
 * themselves.
 *
 *   test_platform DIR [LOCALE]
 * DIR: where a file with a non-ASCII name is written and read back.
 * LOCALE: one that prints 1.5 as "1,5" (the test makes de_DE.UTF-8 with
 * localedef); the C numeric locale is checked against it.
 * Prints one line per failure and "N passed, N failed".
 */
#define _POSIX_C_SOURCE 200809L
#include "pb_platform.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* the exact answer in 128 bits, to compare with */
typedef __int128 wide;

static int fits(wide v)
{
    return v >= INT64_MIN && v <= INT64_MAX;
}

static const int64_t edge[] = {INT64_MIN,     INT64_MIN + 1, INT64_MIN / 2 - 1, INT64_MIN / 2,
                               -3037000500LL, -3037000499LL, -10, -2, -1, 0, 1, 2, 10,
                               3037000499LL,  3037000500LL,  INT64_MAX / 2, INT64_MAX / 2 + 1,
                               INT64_MAX - 1, INT64_MAX};

static void test_overflow(void)
{
    size_t n = sizeof edge / sizeof edge[0];
    int bad_add = 0, bad_sub = 0, bad_mul = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            int64_t a = edge[i], b = edge[j], r = 0;
            wide s = (wide)a + b, d = (wide)a - b, p = (wide)a * b;
            int o = pb_add_overflow(a, b, &r);
            if (o != !fits(s) || r != (int64_t)(uint64_t)s) {
                bad_add++;
                printf("add %lld %lld -> %d %lld\n", (long long)a, (long long)b, o, (long long)r);
            }
            o = pb_sub_overflow(a, b, &r);
            if (o != !fits(d) || r != (int64_t)(uint64_t)d) {
                bad_sub++;
                printf("sub %lld %lld -> %d %lld\n", (long long)a, (long long)b, o, (long long)r);
            }
            o = pb_mul_overflow(a, b, &r);
            if (o != !fits(p) || r != (int64_t)(uint64_t)p) {
                bad_mul++;
                printf("mul %lld %lld -> %d %lld\n", (long long)a, (long long)b, o, (long long)r);
            }
        }
    CHECK(bad_add == 0);
    CHECK(bad_sub == 0);
    CHECK(bad_mul == 0);

    /* the cases pb_money relies on, spelled out */
    int64_t r;
    CHECK(pb_add_overflow(INT64_MAX, 1, &r) && r == INT64_MIN);
    CHECK(!pb_add_overflow(INT64_MAX, 0, &r) && r == INT64_MAX);
    CHECK(!pb_add_overflow(INT64_MIN, INT64_MAX, &r) && r == -1);
    CHECK(pb_add_overflow(INT64_MIN, -1, &r));
    CHECK(pb_sub_overflow(INT64_MIN, 1, &r) && r == INT64_MAX);
    CHECK(pb_sub_overflow(0, INT64_MIN, &r));
    CHECK(!pb_sub_overflow(-1, INT64_MIN, &r) && r == INT64_MAX);
    CHECK(pb_mul_overflow(INT64_MIN, -1, &r));
    CHECK(pb_mul_overflow(-1, INT64_MIN, &r));
    CHECK(!pb_mul_overflow(INT64_MIN, 1, &r) && r == INT64_MIN);
    CHECK(!pb_mul_overflow(922337203685477580LL, 10, &r) && r == 9223372036854775800LL);
    CHECK(pb_mul_overflow(922337203685477581LL, 10, &r));
    CHECK(!pb_mul_overflow(-922337203685477580LL, 10, &r) && r == -9223372036854775800LL);
    CHECK(pb_mul_overflow(-922337203685477581LL, 10, &r));
    CHECK(!pb_mul_overflow(3037000499LL, 3037000499LL, &r) && r == 9223372030926249001LL);
    CHECK(pb_mul_overflow(3037000500LL, 3037000500LL, &r));
    CHECK(pb_mul_overflow(-3037000500LL, -3037000500LL, &r));
    CHECK(!pb_mul_overflow(-4294967296LL, 2147483648LL, &r) && r == INT64_MIN);
    CHECK(!pb_mul_overflow(0, INT64_MIN, &r) && r == 0);
#if defined(PB_BUILTIN_OVERFLOW)
    printf("overflow checks: compiler builtins\n");
#else
    printf("overflow checks: portable C\n");
#endif
}

static void test_strings(void)
{
    CHECK(pb_strcasecmp("SUM(", "sum(") == 0);
    CHECK(pb_strcasecmp("Budget", "BUDGET") == 0);
    CHECK(pb_strcasecmp("a", "b") < 0 && pb_strcasecmp("B", "a") > 0);
    CHECK(pb_strcasecmp("ab", "a") > 0 && pb_strcasecmp("", "a") < 0);
    CHECK(pb_strcasecmp("\xc3\x89", "\xc3\xa9") != 0); /* É, é: ASCII only */
    CHECK(pb_strcasecmp("[", "{") != 0 && pb_strcasecmp("@", "`") != 0);
    CHECK(pb_strncasecmp("SUM(B6:B9)", "sum(", 4) == 0);
    CHECK(pb_strncasecmp("SUMX", "sum(", 4) != 0);
    CHECK(pb_strncasecmp("ab", "AB", 5) == 0 && pb_strncasecmp("x", "y", 0) == 0);
    CHECK(pb_ascii_isalnum('z') && pb_ascii_isalnum('0') && !pb_ascii_isalnum('_') &&
          !pb_ascii_isalnum(0xC3) && !pb_ascii_isalnum(0xE9));
    CHECK(pb_ascii_isdigit('9') && !pb_ascii_isdigit('a') && !pb_ascii_isdigit(0xB2));
    CHECK(pb_ascii_tolower('Q') == 'q' && pb_ascii_tolower(0xC9) == 0xC9);
    char *d = pb_strdup("planbook");
    CHECK(d && !strcmp(d, "planbook"));
    free(d);
}

static long utf16(const char *s, uint16_t *out)
{
    return pb_utf8_to_utf16(s, strlen(s), out);
}

static void test_utf8_to_utf16(void)
{
    uint16_t w[16];
    CHECK(utf16("a/b.xlsx", w) == 8 && w[0] == 'a' && w[7] == 'x');
    CHECK(utf16("", w) == 0);
    CHECK(utf16("\xc3\xa9", w) == 1 && w[0] == 0xE9);                      /* é */
    CHECK(utf16("\xe2\x82\xac", w) == 1 && w[0] == 0x20AC);                /* € */
    CHECK(utf16("\xf0\x9f\x93\x88", w) == 2 && w[0] == 0xD83D && w[1] == 0xDCC8); /* U+1F4C8 */
    CHECK(utf16("\xf4\x8f\xbf\xbf", w) == 2 && w[0] == 0xDBFF && w[1] == 0xDFFF); /* U+10FFFF */
    CHECK(utf16("\xed\xb3\xbf", w) == 1 && w[0] == 0xDCFF); /* lone surrogate (surrogatepass) */
    CHECK(utf16("\xc0\xaf", w) == -1);     /* overlong '/' */
    CHECK(utf16("\xe0\x80\xaf", w) == -1); /* overlong */
    CHECK(utf16("\xf0\x80\x80\xaf", w) == -1);
    CHECK(utf16("\xf4\x90\x80\x80", w) == -1); /* beyond U+10FFFF */
    CHECK(utf16("\xf5\x80\x80\x80", w) == -1);
    CHECK(utf16("\xff", w) == -1);
    CHECK(utf16("\x80", w) == -1);
    CHECK(utf16("\xc3", w) == -1);        /* cut short */
    CHECK(utf16("\xe2\x82", w) == -1);
    CHECK(utf16("\xe2\x28\xa1", w) == -1); /* not a continuation byte */
    CHECK(pb_utf8_to_utf16("\xc3\xa9", 1, w) == -1); /* n counts, not the NUL */
}

static void test_fopen(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/\xc3\xa9t\xc3\xa9 \xe2\x82\xac.txt", dir);
    FILE *f = pb_fopen(path, "wb");
    CHECK(f != NULL);
    if (f) {
        CHECK(fputs("planbook", f) >= 0);
        CHECK(fclose(f) == 0);
    }
    f = pb_fopen(path, "rb");
    char buf[16] = {0};
    CHECK(f && fread(buf, 1, sizeof buf - 1, f) == 8 && !strcmp(buf, "planbook"));
    if (f)
        fclose(f);
    remove(path);
    snprintf(path, sizeof path, "%s/missing/none.txt", dir);
    errno = 0;
    CHECK(pb_fopen(path, "rb") == NULL && errno == ENOENT);
}

static void test_gmtime(void)
{
    struct tm tm;
    time_t t = 0;
    CHECK(pb_gmtime(&t, &tm) == &tm && tm.tm_year == 70 && tm.tm_mon == 0 && tm.tm_mday == 1);
    t = (time_t)951782400; /* 2000-02-29 00:00:00 UTC */
    CHECK(pb_gmtime(&t, &tm) && tm.tm_year == 100 && tm.tm_mon == 1 && tm.tm_mday == 29 &&
          tm.tm_hour == 0);
    t = (time_t)4102444799LL; /* 2099-12-31 23:59:59 */
    CHECK(pb_gmtime(&t, &tm) && tm.tm_year == 199 && tm.tm_mon == 11 && tm.tm_mday == 31 &&
          tm.tm_sec == 59);
}

/* ------------------------------------------------ the C numeric locale */

static char other_thread_saw[32];
static pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t turn = PTHREAD_COND_INITIALIZER;
static int stage;

static void wait_stage(int s)
{
    pthread_mutex_lock(&gate);
    while (stage < s)
        pthread_cond_wait(&turn, &gate);
    pthread_mutex_unlock(&gate);
}

static void set_stage(int s)
{
    pthread_mutex_lock(&gate);
    stage = s;
    pthread_cond_broadcast(&turn);
    pthread_mutex_unlock(&gate);
}

static void *other_thread(void *arg)
{
    (void)arg;
    wait_stage(1); /* the main thread is between begin and end */
    snprintf(other_thread_saw, sizeof other_thread_saw, "%.1f", 1.5);
    set_stage(2);
    return NULL;
}

static void test_c_numeric(const char *name)
{
    if (!name || !setlocale(LC_NUMERIC, name)) {
        printf("C numeric locale: skipped (no locale with a decimal comma)\n");
        return;
    }
    char buf[32];
    snprintf(buf, sizeof buf, "%.1f", 1.5);
    if (strcmp(buf, "1,5")) {
        printf("C numeric locale: skipped (%s prints %s)\n", name, buf);
        return;
    }
    pthread_t th;
    CHECK(pthread_create(&th, NULL, other_thread, NULL) == 0);
    pb_c_numeric saved;
    CHECK(pb_c_numeric_begin(&saved) == 0);
    snprintf(buf, sizeof buf, "%.1f", 1.5);
    CHECK(!strcmp(buf, "1.5"));
    set_stage(1);
    wait_stage(2);
    CHECK(!strcmp(other_thread_saw, "1,5")); /* the process' locale is untouched */
    pb_c_numeric_end(&saved);
    snprintf(buf, sizeof buf, "%.1f", 1.5);
    CHECK(!strcmp(buf, "1,5"));
    CHECK(!strcmp(setlocale(LC_NUMERIC, NULL), name));
    pthread_join(th, NULL);
    /* nested: the inner end puts back the outer C locale */
    pb_c_numeric outer, inner;
    CHECK(pb_c_numeric_begin(&outer) == 0 && pb_c_numeric_begin(&inner) == 0);
    pb_c_numeric_end(&inner);
    snprintf(buf, sizeof buf, "%.1f", 1.5);
    CHECK(!strcmp(buf, "1.5"));
    pb_c_numeric_end(&outer);
    snprintf(buf, sizeof buf, "%.1f", 1.5);
    CHECK(!strcmp(buf, "1,5"));
    printf("C numeric locale: checked against %s\n", name);
}

int main(int argc, char **argv)
{
    test_overflow();
    test_strings();
    test_utf8_to_utf16();
    test_fopen(argc > 1 ? argv[1] : ".");
    test_gmtime();
    test_c_numeric(argc > 2 ? argv[2] : NULL);
    return check_summary();
}
