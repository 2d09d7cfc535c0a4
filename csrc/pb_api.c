/* pb_api.c - the core's function table (see pb_api.h). */
#include "pb_api.h"
#include "pb_indicator_private.h"

static const pb_api api_table = {
    .version = PB_API_VERSION,
    .size = sizeof(pb_api),
#define PB_API(ret, name, params) .name = name,
#include "pb_api_list.h"
#undef PB_API
};

/* The table; the settings the core takes from the environment are read
 * here, where the caller (the binding's import) holds the GIL. */
const pb_api *pb_api_get(void)
{
    pb_ragcodes_read_env();
    return &api_table;
}
