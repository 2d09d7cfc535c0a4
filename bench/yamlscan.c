/* yamlscan.c - a bare libyaml event scan: the floor for any libyaml reader.
 *
 * Usage:  yamlscan FILE       prints "events=N seconds=S bytes=B
 *                             rss_before_kib=R peak_kib=P cpu_seconds=C"
 *         yamlscan --version  prints libyaml's version string
 *
 * Opens FILE with yaml_parser_set_input_file, pulls events with
 * yaml_parser_parse until STREAM_END, deletes each one and counts them.
 * The time covers fopen .. the last event (CLOCK_MONOTONIC); it is what
 * bench/run_load.py reports as the scan time.  No allocation other than
 * libyaml's own, no typing, no tree: a reader built on libyaml's event
 * parser cannot be faster than this.
 *
 * Memory: the peak RSS of this process is reset (/proc/self/clear_refs) and
 * the RSS read (VmRSS) before the file is opened; VmHWM after the scan is the
 * peak.  Both are -1 where /proc does not tell (bench/procstat.h).
 *
 * Build: cc -O2 -Wall -Wextra -Werror bench/yamlscan.c -lyaml -o bench/build/yamlscan
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <yaml.h>

#include "procstat.h"

int main(int argc, char **argv)
{
    yaml_parser_t parser;
    yaml_event_t event;
    FILE *fp = NULL;
    unsigned long long events = 0;
    long long bytes = -1;
    int done = 0;
    int rc = 1;
    long rss_before = -1, peak = -1;
    int peak_reset;
    double t0, t1, c0, c1;

    if (argc == 2 && strcmp(argv[1], "--version") == 0) {
        printf("%s\n", yaml_get_version_string());
        return 0;
    }
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE | --version\n", argv[0]);
        return 2;
    }

    peak_reset = reset_peak();
    rss_before = status_kib("VmRSS");
    t0 = clock_seconds(CLOCK_MONOTONIC);
    c0 = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
    fp = fopen(argv[1], "rb");
    if (fp == NULL) {
        perror(argv[1]);
        return 1;
    }
    if (!yaml_parser_initialize(&parser)) {
        fprintf(stderr, "yamlscan: cannot initialise the parser\n");
        fclose(fp);
        return 1;
    }
    yaml_parser_set_input_file(&parser, fp);

    while (!done) {
        if (!yaml_parser_parse(&parser, &event)) {
            fprintf(stderr, "%s: %s at line %lu, column %lu (offset %lu)\n",
                    argv[1],
                    parser.problem ? parser.problem : "parse error",
                    (unsigned long)parser.problem_mark.line + 1,
                    (unsigned long)parser.problem_mark.column + 1,
                    (unsigned long)parser.problem_offset);
            goto cleanup;
        }
        done = (event.type == YAML_STREAM_END_EVENT);
        yaml_event_delete(&event);
        events++;
    }
    bytes = (long long)parser.offset;
    rc = 0;

cleanup:
    yaml_parser_delete(&parser);
    fclose(fp);
    t1 = clock_seconds(CLOCK_MONOTONIC);
    c1 = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
    if (peak_reset == 0 && rss_before >= 0)
        peak = status_kib("VmHWM");
    else
        rss_before = -1;
    if (rc == 0)
        printf("events=%llu seconds=%.6f bytes=%lld rss_before_kib=%ld peak_kib=%ld "
               "cpu_seconds=%.6f\n",
               events, t1 - t0, bytes, rss_before, peak, c1 - c0);
    return rc;
}
