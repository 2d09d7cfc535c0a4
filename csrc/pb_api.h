/* pb_api.h - the C core as a table of function pointers.
 *
 * struct pb_api has one member per public function of the core, named as
 * the function (pb_api_list.h is generated from the headers by
 * tools/gen_capi.py).  Format plugins are written against this table, not
 * against the core's symbols: inside the Python package they get it from
 * the capsule planbook._core._C_API (planbook_capi.h); C programs linked
 * with the core (tests, fuzz targets) get it from pb_api_get().
 */
#ifndef PB_API_H
#define PB_API_H

#include "planbook.h"

/* The table's version.  PB_API_VERSION is its major version: bumped when
 * a member changes or moves, or a shared type, enum or macro changes
 * meaning (plugins built before must be rebuilt).  PB_API_MINOR is bumped
 * when functions are only appended at the end of the table: a plugin
 * built before keeps working (its table is a prefix of the new one, which
 * the size tells).  tests/test_capi_header.py fails until one is bumped
 * after any change to a header the C API ships (docs/plugins.md). */
#define PB_API_VERSION 7
#define PB_API_MINOR 3

typedef struct pb_api {
    unsigned version; /* PB_API_VERSION */
    size_t size;      /* sizeof(pb_api) of the core that filled it */
#define PB_API(ret, name, params) ret(*name) params;
#include "pb_api_list.h"
#undef PB_API
} pb_api;

/* The table of this build of the core (static; never freed). */
const pb_api *pb_api_get(void);

#endif
