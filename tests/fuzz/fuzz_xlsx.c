/* fuzz_xlsx.c - libFuzzer target for the workbook reader (plugins/xlsxread).
 *
 * Opens the input as a package from memory under small limits, reads every
 * sheet into a grid (walking every cell, formula and comment), then reads
 * the workbook as a plan and checks it.  Any crash, leak or sanitizer
 * report is a bug; errors are fine.
 * Built by tests/fuzz/build.sh.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pb_api.h"
#include "pb_xlsxread.h"
#include "planbook.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const pb_api *api = pb_api_get();
    pb_xr_limits lim = pb_xr_default_limits();
    lim.max_part = 8u << 20;
    lim.max_total = 32u << 20;
    lim.max_cells = 200000;
    lim.max_columns = 1024; /* the core's column id check is quadratic */
    pb_error err;
    pb_xr_book *book = pb_xr_book_open_buffer(api, data, size, &lim, &err);
    if (!book)
        return 0;
    size_t sum = 0;
    for (size_t i = 0; i < pb_xr_sheet_count(book); i++) {
        pb_xr_grid *g = pb_xr_sheet_read(book, i, &err);
        if (!g)
            continue;
        for (size_t k = 0; k < g->ncells; k++) {
            size_t len;
            const char *v = pb_xr_cell_value(book, g, &g->cells[k], &len);
            const char *f = pb_xr_cell_formula(g, &g->cells[k]);
            sum += len + (f ? strlen(f) : 0) + (v[0] != 0);
            int64_t out;
            (void)pb_xr_number(v, len, 2, &out);
            (void)pb_xr_style_of(book, g->cells[k].style);
            (void)pb_xr_comment_at(g, g->cells[k].row, g->cells[k].col);
        }
        pb_xr_grid_free(g);
    }
    pb_xr_warnings w = {NULL, 0, 0};
    pb_plan *plan = pb_xr_read_plan(api, book, &w, &err);
    pb_xr_warnings_free(&w);
    if (plan) {
        pb_findings f;
        api->pb_findings_init(&f);
        (void)api->pb_plan_check(plan, &f, &err);
        api->pb_findings_free(&f);
        api->pb_plan_free(plan);
    }
    pb_xr_book_free(book);
    return sum == SIZE_MAX; /* keep the walk */
}
