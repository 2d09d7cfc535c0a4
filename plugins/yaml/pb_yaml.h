/* pb_yaml.h - the planbook YAML format (docs/format.md), read with libyaml's
 * event parser straight into the core's structures and written with
 * libyaml's emitter in the canonical layout.
 *
 * Plain C: the core is reached through a pb_api table (pb_api.h), so the
 * same code runs inside the Python plugin, in C tests and in fuzz targets.
 */
#ifndef PB_YAML_H
#define PB_YAML_H

#include <stdio.h>

#include "pb_api.h"

typedef struct pb_yaml_limits {
    unsigned max_depth;     /* nesting of mappings and sequences (100) */
    size_t max_scalar;      /* bytes in one scalar (1 MiB) */
    unsigned long long max_input; /* bytes of input (1 GiB) */
    /* an input of this many bytes or more is parsed on a second thread
     * while the plan is built on the calling one, when the machine has two
     * CPUs or more (1 MiB); 0: always on the calling thread */
    unsigned long long pipeline_min;
} pb_yaml_limits;

/* The defaults above. */
pb_yaml_limits pb_yaml_default_limits(void);

/* Read a plan from an open file (read from its current position) or from
 * a buffer.  Returns a new plan (the caller frees it with pb_plan_free) or
 * NULL with err set: status PB_ERR_PARSE (not YAML), PB_ERR_SCHEMA (not a
 * plan), PB_ERR_LIMIT, PB_ERR_IO, PB_ERR_NOMEM or an amount/period error,
 * with 1-based line and column and the data path.  limits may be NULL. */
pb_plan *pb_yaml_read_file(const pb_api *api, FILE *file,
                           const pb_yaml_limits *limits, pb_error *err);
pb_plan *pb_yaml_read_buffer(const pb_api *api, const unsigned char *data,
                             size_t size, const pb_yaml_limits *limits,
                             pb_error *err);

/* Write output through a callback: returns 0 on failure (which stops the
 * writer with PB_ERR_IO). */
typedef int (*pb_yaml_sink)(void *ctx, const unsigned char *data, size_t size);

/* Write a plan in the canonical layout.  PB_OK, or PB_ERR_IO / NOMEM /
 * INVALID with err set. */
pb_status pb_yaml_write(const pb_api *api, pb_plan *plan, pb_yaml_sink sink,
                        void *ctx, pb_error *err);

/* Flags of pb_yaml_write_opts. */
enum {
    /* leave the budget tables out (the rest of the plan, agreements
     * included, is written): what a workbook's structure sheet carries,
     * its budget sheets carrying the tables */
    PB_YAML_NO_BUDGETS = 1u
};
pb_status pb_yaml_write_opts(const pb_api *api, pb_plan *plan, unsigned flags,
                             pb_yaml_sink sink, void *ctx, pb_error *err);

#endif
