/* fuzz_amount.c - libFuzzer target for pb_amount_parse / pb_amount_format.
 *
 * First byte: decimals (0..6) and format flags; the rest is the text.  When
 * the text parses to a value, format it (with the flags from the first
 * byte) and parse it again: the value must be the same, else abort().
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
    int decimals = data[0] % (PB_MAX_DECIMALS + 1);
    unsigned flags = (data[0] / (PB_MAX_DECIMALS + 1)) & 3u;
    /* an exact-size copy so ASan sees any read past the end */
    size_t n = size - 1;
    char *s = malloc(n ? n : 1);
    if (!s)
        return 0;
    memcpy(s, data + 1, n);

    pb_amount v = 12345;
    pb_cell_state state = PB_CELL_TEXT;
    pb_error err;
    api->pb_error_clear(&err);
    pb_status st = api->pb_amount_parse(s, n, decimals, &v, &state, &err);
    if (st == PB_OK) {
        if (state != PB_CELL_VALUE && state != PB_CELL_BLANK && state != PB_CELL_NIL)
            abort();
        if (state != PB_CELL_VALUE && v != 0)
            abort();
        char buf[PB_AMOUNT_TEXT_MAX + 16];
        memset(buf, 'X', sizeof buf);
        size_t len = api->pb_amount_format(v, decimals, flags, buf);
        if (len >= PB_AMOUNT_TEXT_MAX || buf[len] != 0 || strlen(buf) != len) {
            fprintf(stderr, "fuzz_amount: format length %zu\n", len);
            abort();
        }
        pb_amount w = 0;
        pb_cell_state state2;
        api->pb_error_clear(&err);
        pb_status st2 = api->pb_amount_parse(buf, len, decimals, &w, &state2, &err);
        if (st2 != PB_OK || w != v || state2 != PB_CELL_VALUE) {
            fprintf(stderr,
                    "fuzz_amount: round trip failed: %lld (decimals %d, flags %u) "
                    "-> \"%s\" -> status %s, %lld\n",
                    (long long)v, decimals, flags, buf,
                    api->pb_status_name(st2), (long long)w);
            abort();
        }
    } else if (st != PB_ERR_SYNTAX && st != PB_ERR_OVERFLOW && st != PB_ERR_PRECISION &&
               st != PB_ERR_RANGE) {
        fprintf(stderr, "fuzz_amount: unexpected status %s\n", api->pb_status_name(st));
        abort();
    }
    free(s);
    return 0;
}
