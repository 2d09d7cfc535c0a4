/* pb_api.c - the core's function table (see pb_api.h). */
#include "pb_api.h"

static const pb_api api_table = {
    .version = PB_API_VERSION,
    .size = sizeof(pb_api),
#define PB_API(ret, name, params) .name = name,
#include "pb_api_list.h"
#undef PB_API
};

const pb_api *pb_api_get(void) { return &api_table; }
