/* pb_xlsx.h - writing a plan as a finance workbook with libxlsxwriter.
 *
 * Plain C against the core's function table (pb_api.h).  The workbook has a
 * contents sheet, one sheet per budget table (laid out by pb_xlsx_budget.c)
 * and a findings sheet; totals are live formulas written with their cached
 * results from the core.  Later parts of a plan (indicators, risks) add
 * their own sheet writers beside pb_xlsx_budget.c.
 */
#ifndef PB_XLSX_H
#define PB_XLSX_H

#include "pb_api.h"

typedef struct pb_xlsx_options {
    int constant_memory; /* write rows as they come, flat memory (default 1) */
    int cached_results;  /* write the core's figures as formula results (default 1) */
    const char *tmpdir;  /* libxlsxwriter's temporary files (default: system);
                          * planbook's save gives a private folder */
    /* the plan's YAML without its budget tables (PB_YAML_NO_BUDGETS), for
     * the hidden structure sheet; NULL writes the sheet without it (a reader
     * then rebuilds only the budget tables) */
    const char *structure_yaml;
    size_t structure_len;
    /* called around the read-back of the finished package, which touches
     * nothing of the plan nor of libxlsxwriter: the Python binding lets
     * other threads run there (unlock returns what relock takes); NULL:
     * nothing */
    void *(*unlock)(void);
    void (*relock)(void *);
    /* libxlsxwriter's temporary files kept in memory up to this many
     * bytes in all, the rest on disk (Linux builds; 0: all on disk) */
    size_t spool_bytes;
} pb_xlsx_options;

/* The defaults; spool_bytes from the environment (PLANBOOK_XLSX_SPOOL,
 * else 4 MiB): call it where no other thread changes the environment (the
 * binding: with the GIL held). */
pb_xlsx_options pb_xlsx_default_options(void);

/* The level each part is deflated at where libxlsxwriter asks for zlib's
 * default (pb_xlsx_deflate.c; Linux builds, which wrap deflateInit2_).
 * For the tests: how many parts this thread's saves deflated and the last
 * one's level; returns 0 when the build leaves the level to the library. */
#define PB_XLSX_DEFLATE_LEVEL 5
int pb_xlsx_deflate_seen(unsigned long *count, int *last_level);

/* Write the workbook at path (the caller makes the save atomic).  PB_OK, or
 * an error: PB_ERR_LIMIT for a figure or text past Excel's limits (with the
 * table, row and column in the message and path), PB_ERR_IO, PB_ERR_NOMEM.
 * On return errno is the system's error behind a failure (ENOSPC for a full
 * disk, EACCES, EIO, ...), else 0.  On POSIX no descriptor of a temporary
 * file is left open, whatever the outcome (libxlsxwriter's are in
 * options->tmpdir: give it a private folder so that a killed process's are
 * recognisable). */
pb_status pb_xlsx_write(const pb_api *api, pb_plan *plan, const char *path,
                        const pb_xlsx_options *options, pb_error *err);

#endif
