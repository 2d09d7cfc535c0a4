/* check.h - the counting CHECK of the plain-C tests in tests/c.
 *
 * CHECK(cond) counts a pass, or a failure and prints "FAIL file:line: cond";
 * check_summary() prints the closing line "N passed, N failed" that
 * tests/test_c_core.py looks for and gives main's exit status.  Included by
 * one translation unit per test program.
 */
#ifndef PLANBOOK_TESTS_CHECK_H
#define PLANBOOK_TESTS_CHECK_H

#include <stdio.h>

static int passed, failed;

#define CHECK(cond)                                                             \
    do {                                                                        \
        if (cond)                                                               \
            passed++;                                                           \
        else {                                                                  \
            failed++;                                                           \
            printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);              \
        }                                                                       \
    } while (0)

/* The closing line; 0 when nothing failed, else 1. */
static inline int check_summary(void)
{
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}

#endif
