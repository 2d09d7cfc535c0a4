/* pb_error.h - status codes and the error record of the planbook core.
 *
 * Every core function that can fail returns a pb_status and, when given a
 * pb_error, fills it with a message and, where known, a location.  The
 * messages for each status live in one table (pb_error.c), so the C core
 * and the Python layer say the same thing.
 */
#ifndef PB_ERROR_H
#define PB_ERROR_H

#include <stdint.h>
#include <stddef.h>

#include "pb_platform.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum pb_status {
    PB_OK = 0,
    PB_ERR_NOMEM,      /* out of memory */
    PB_ERR_SYNTAX,     /* text that is not an amount, period, ... */
    PB_ERR_OVERFLOW,   /* an amount beyond the fixed-point range */
    PB_ERR_PRECISION,  /* more decimals than the column's scale */
    PB_ERR_RANGE,      /* an index or value out of range */
    PB_ERR_DUPLICATE,  /* a duplicate id or key */
    PB_ERR_NOT_FOUND,  /* a reference to something that does not exist */
    PB_ERR_INVALID,    /* an operation not allowed in this state */
    PB_ERR_LIMIT,      /* a safety limit exceeded */
    PB_ERR_IO,         /* reading or writing a file failed */
    PB_ERR_PARSE,      /* the file is not well-formed (YAML, ...) */
    PB_ERR_SCHEMA,     /* well-formed, but not a plan: unknown key, wrong type */
    PB_STATUS_COUNT
} pb_status;

#define PB_ERROR_PATH_MAX 256
#define PB_ERROR_MESSAGE_MAX 512

typedef struct pb_error {
    pb_status status;
    uint32_t line;     /* 1-based; 0 when unknown */
    uint32_t column;   /* 1-based; 0 when unknown */
    char path[PB_ERROR_PATH_MAX];       /* data path, e.g. budgets.x.rows[3] */
    char message[PB_ERROR_MESSAGE_MAX]; /* full sentence, without location */
} pb_error;

/* Short stable name of a status ("overflow"); never NULL. */
const char *pb_status_name(pb_status status);
/* Default sentence for a status; never NULL. */
const char *pb_status_message(pb_status status);

/* Reset an error record to PB_OK with empty texts.  err may be NULL. */
void pb_error_clear(pb_error *err);

/* Set status and a printf-style message (the status' default message when
 * fmt is NULL).  Keeps any location already set.  Returns status, so that
 * `return pb_error_set(err, PB_ERR_X, "...")` reads naturally.  err may be
 * NULL. */
pb_status pb_error_set(pb_error *err, pb_status status, const char *fmt, ...) PB_PRINTF(3, 4);

/* Set the location (1-based line and column) of an error. */
void pb_error_at(pb_error *err, uint32_t line, uint32_t column);

#ifdef __cplusplus
}
#endif
#endif
