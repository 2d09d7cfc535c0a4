/* pb_text.h - small text helpers of the core's sources (header only).
 * Internal to the core, not part of the public API. */
#ifndef PB_TEXT_H
#define PB_TEXT_H

#include <stddef.h>
#include <string.h>

/* Is s[0..n) the name a, ignoring the case of ASCII letters? */
static inline int pb_ieq(const char *a, const char *s, size_t n)
{
    if (strlen(a) != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        char d = a[i];
        if (d >= 'A' && d <= 'Z')
            d = (char)(d - 'A' + 'a');
        if (c != d)
            return 0;
    }
    return 1;
}

/* Is s[0..n) exactly the name a? */
static inline int pb_name_eq(const char *a, const char *s, size_t n)
{
    return strlen(a) == n && memcmp(a, s, n) == 0;
}

/* The index of s[0..n) among names[0..count) (any case), or -1. */
static inline int pb_lookup_name(const char *const *names, int count, const char *s, size_t n)
{
    for (int k = 0; k < count; k++)
        if (pb_ieq(names[k], s, n))
            return k;
    return -1;
}

/* The index of s[0..n) among names[0..count) (exactly), or -1. */
static inline int pb_find_name(const char *const *names, int count, const char *s, size_t n)
{
    for (int k = 0; k < count; k++)
        if (pb_name_eq(names[k], s, n))
            return k;
    return -1;
}

static inline int pb_is_space(char c) { return c == ' ' || c == '\t'; }

#endif
