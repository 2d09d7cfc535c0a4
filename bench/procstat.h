/* procstat.h - what the baseline C programs of the benchmarks (xlsxloop.c,
 * yamlscan.c) read of their own process: the clock, the RSS and its peak.
 *
 * Memory: reset_peak() resets the peak RSS (VmHWM) to the current RSS
 * through /proc/self/clear_refs; status_kib("VmRSS") is then the RSS before
 * the measured span and status_kib("VmHWM") after it the peak.  Both are -1
 * where /proc does not tell.  (The child's ru_maxrss seen by a parent
 * through wait4() is no use here: after a vfork+exec it starts at the
 * parent's peak.)
 *
 * Header-only (static inline), so each program still builds from its one .c
 * file; bench/benchlib.py's build_c rebuilds a program when this header is
 * newer than its binary.  The includer defines _POSIX_C_SOURCE (>= 199309L)
 * before any #include, for clock_gettime.
 */
#ifndef PLANBOOK_BENCH_PROCSTAT_H
#define PLANBOOK_BENCH_PROCSTAT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A "Field:   123 kB" line of /proc/self/status, in KiB; -1 if unknown. */
static inline long status_kib(const char *field)
{
    char line[256];
    size_t n = strlen(field);
    long value = -1;
    FILE *f = fopen("/proc/self/status", "r");

    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, field, n) == 0 && line[n] == ':') {
            value = strtol(line + n + 1, NULL, 10);
            break;
        }
    }
    fclose(f);
    return value;
}

/* Reset the peak RSS (VmHWM) to the current RSS; 0 if it worked. */
static inline int reset_peak(void)
{
    FILE *f = fopen("/proc/self/clear_refs", "w");
    int ok;

    if (f == NULL)
        return -1;
    ok = fputs("5", f) >= 0;
    ok = (fclose(f) == 0) && ok;
    return ok ? 0 : -1;
}

/* Clock id's time in seconds (CLOCK_MONOTONIC for wall time,
 * CLOCK_PROCESS_CPUTIME_ID for the process's CPU time). */
static inline double clock_seconds(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif
