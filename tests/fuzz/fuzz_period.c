/* fuzz_period.c - libFuzzer target for pb_period_parse / pb_period_format.
 *
 * First byte: year_start (1..12); the rest is the text.  When it parses,
 * format the period and parse the text again: the same period, else
 * abort().  Also exercises pb_period_year_of / pb_period_first_month.
 * Built by tests/fuzz/build.sh.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pb_api.h"
#include "planbook.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const pb_api *api = pb_api_get();
    if (size < 1)
        return 0;
    int year_start = data[0] % 12 + 1;
    size_t n = size - 1;
    char *s = malloc(n ? n : 1);
    if (!s)
        return 0;
    memcpy(s, data + 1, n);

    pb_period p;
    memset(&p, 0xAB, sizeof p);
    pb_error err;
    api->pb_error_clear(&err);
    pb_status st = api->pb_period_parse(s, n, year_start, &p, &err);
    if (st == PB_OK) {
        char buf[PB_PERIOD_TEXT_MAX + 16];
        memset(buf, 'X', sizeof buf);
        size_t len = api->pb_period_format(p, year_start, buf);
        if (len >= PB_PERIOD_TEXT_MAX || buf[len] != 0 || strlen(buf) != len) {
            fprintf(stderr, "fuzz_period: format length %zu\n", len);
            abort();
        }
        pb_period q;
        memset(&q, 0xCD, sizeof q);
        api->pb_error_clear(&err);
        pb_status st2 = api->pb_period_parse(buf, len, year_start, &q, &err);
        if (st2 != PB_OK || q.year != p.year || q.kind != p.kind || q.index != p.index) {
            fprintf(stderr,
                    "fuzz_period: round trip failed (year_start %d): "
                    "{%d,%u,%u} -> \"%s\" -> %s {%d,%u,%u}\n",
                    year_start, p.year, p.kind, p.index, buf, api->pb_status_name(st2),
                    q.year, q.kind, q.index);
            abort();
        }
        pb_period y = api->pb_period_year_of(p, year_start);
        (void)api->pb_period_first_month(p, year_start);
        len = api->pb_period_format(y, year_start, buf);
        if (len >= PB_PERIOD_TEXT_MAX)
            abort();
    } else if (st != PB_ERR_SYNTAX && st != PB_ERR_RANGE && st != PB_ERR_OVERFLOW) {
        fprintf(stderr, "fuzz_period: unexpected status %s\n", api->pb_status_name(st));
        abort();
    }
    free(s);
    return 0;
}
