/* pb_finding.c - the list of findings (pb_finding.h). */
#include "pb_finding_private.h"

#include <stdlib.h>
#include <string.h>

static const char *const code_names[PB_FIND_COUNT] = {
    "total", "formula", "parts", "equals", "agreement", "reference", "unchecked",
    "status", "threshold", "score", "matrix", "date", "computed", "narrative", "field"};
static const char *const severity_names[3] = {"info", "warning", "error"};

const char *pb_finding_code_name(pb_finding_code code)
{
    return (unsigned)code < PB_FIND_COUNT ? code_names[code] : "unknown";
}

const char *pb_severity_name(pb_severity sev)
{
    return (unsigned)sev < 3 ? severity_names[sev] : "unknown";
}

void pb_findings_init(pb_findings *f)
{
    f->items = NULL;
    f->count = f->cap = 0;
}

void pb_findings_free(pb_findings *f)
{
    free(f->items);
    pb_findings_init(f);
}

pb_finding *pb_finding_new(pb_findings *out, int part)
{
    if (out->count == out->cap) {
        size_t cap = out->cap ? out->cap * 2 : 16;
        pb_finding *p = realloc(out->items, cap * sizeof *p);
        if (!p)
            return NULL;
        out->items = p;
        out->cap = cap;
    }
    pb_finding *f = &out->items[out->count++];
    memset(f, 0, sizeof *f);
    f->table = f->row = f->column = PB_NONE;
    f->other_table = f->other_row = f->other_column = PB_NONE;
    f->agreement = PB_NONE;
    f->part = (uint8_t)part;
    return f;
}

pb_finding *pb_finding_add(pb_findings *out, int part, pb_finding_code code, pb_severity severity,
                           uint32_t table, uint32_t row, uint32_t column)
{
    pb_finding *f = pb_finding_new(out, part);
    if (f) {
        f->code = (uint8_t)code;
        f->severity = (uint8_t)severity;
        f->table = table;
        f->row = row;
        f->column = column;
    }
    return f;
}
