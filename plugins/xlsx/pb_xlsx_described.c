/* pb_xlsx_described.c - the sheet of a described part (pb_described.h):
 * its title, a line saying what it holds, a heading per described field
 * and a row per row, all from the core's descriptor.  The workbook reader
 * matches the headings with the same descriptor and reads edits back. */
#include "pb_xlsx_private.h"

#include <stdio.h>

#define A (x->api)

#define D_HEAD 3  /* the headings' row (0-based), as the record sheets' */
#define D_FIRST 4 /* the first row's */

static int described_header(xl_ctx *x, lxw_worksheet *ws, const pb_described_desc *desc,
                            size_t n)
{
    char buf[200];
    snprintf(buf, sizeof buf, "%zu %s%s; one a row, each field a column", n, desc->noun,
             n == 1 ? "" : "s");
    if (!xl_string(x, ws, 0, 0, desc->title, x->title) ||
        !xl_string(x, ws, 1, 0, buf, x->subtitle))
        return 0;
    for (size_t f = 0; f < desc->nfields; f++)
        if (!xl_string(x, ws, D_HEAD, (uint16_t)f, desc->fields[f].heading, x->head_left))
            return 0;
    return 1;
}

int xl_described_sheet(xl_ctx *x, size_t k, lxw_worksheet *ws)
{
    pb_described *d = A->pb_plan_described(x->plan, k);
    const pb_described_desc *desc = A->pb_described_desc_of(d);
    size_t n = A->pb_described_count(d);
    if (n + D_FIRST > XL_MAX_ROWS)
        return xl_failf(x, PB_ERR_LIMIT, "%s has too many rows for a sheet", desc->key);
    if (!described_header(x, ws, desc, n))
        return 0;
    for (size_t i = 0; i < n; i++)
        for (size_t f = 0; f < desc->nfields; f++) {
            const char *v = A->pb_described_value(d, i, f);
            if (v && !xl_string(x, ws, (uint32_t)(D_FIRST + i), (uint16_t)f, v, x->wrap))
                return xl_in(x, "%s row %zu, %s", desc->key, i + 1, desc->fields[f].key);
        }
    worksheet_freeze_panes(ws, D_FIRST, 0);
    for (size_t f = 0; f < desc->nfields; f++)
        worksheet_set_column(ws, (lxw_col_t)f, (lxw_col_t)f,
                             desc->fields[f].flags & PB_FIELD_ID ? 8 : 30, NULL);
    worksheet_set_landscape(ws);
    worksheet_fit_to_pages(ws, 1, 0);
    return 1;
}
