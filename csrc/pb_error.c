/* pb_error.c - the message table and error-record helpers. */
#include "pb_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    const char *message;
} status_table[PB_STATUS_COUNT] = {
    [PB_OK] = {"ok", "no error"},
    [PB_ERR_NOMEM] = {"nomem", "out of memory"},
    [PB_ERR_SYNTAX] = {"syntax", "not a valid value"},
    [PB_ERR_OVERFLOW] = {"overflow", "amount out of the fixed-point range"},
    [PB_ERR_PRECISION] = {"precision", "more decimals than the column allows"},
    [PB_ERR_RANGE] = {"range", "value out of range"},
    [PB_ERR_DUPLICATE] = {"duplicate", "duplicate"},
    [PB_ERR_NOT_FOUND] = {"not_found", "not found"},
    [PB_ERR_INVALID] = {"invalid", "invalid operation"},
    [PB_ERR_LIMIT] = {"limit", "a safety limit was exceeded"},
    [PB_ERR_IO] = {"io", "input/output error"},
    [PB_ERR_PARSE] = {"parse", "the file is not well-formed"},
    [PB_ERR_SCHEMA] = {"schema", "the file is not a valid plan"},
};

const char *pb_status_name(pb_status status)
{
    if ((unsigned)status >= PB_STATUS_COUNT)
        return "unknown";
    return status_table[status].name;
}

const char *pb_status_message(pb_status status)
{
    if ((unsigned)status >= PB_STATUS_COUNT)
        return "unknown error";
    return status_table[status].message;
}

void pb_error_clear(pb_error *err)
{
    if (!err)
        return;
    err->status = PB_OK;
    err->line = 0;
    err->column = 0;
    err->path[0] = '\0';
    err->message[0] = '\0';
}

pb_status pb_error_set(pb_error *err, pb_status status, const char *fmt, ...)
{
    if (!err)
        return status;
    err->status = status;
    if (!fmt) {
        snprintf(err->message, sizeof err->message, "%s",
                 pb_status_message(status));
        return status;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return status;
}

void pb_error_at(pb_error *err, uint32_t line, uint32_t column)
{
    if (!err)
        return;
    err->line = line;
    err->column = column;
}
