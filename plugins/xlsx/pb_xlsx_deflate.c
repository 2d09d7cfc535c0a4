/* pb_xlsx_deflate.c - the compression level of the workbook's parts
 * (Linux, where setup.py links the static libxlsxwriter and zlib with
 * --wrap=deflateInit2_).
 *
 * libxlsxwriter's packager deflates every part at Z_DEFAULT_COMPRESSION
 * (level 6), and offers no option.  Under zlib-ng, which the wheels and the
 * development build carry, level 5 makes the same package within 0.3% of
 * the bytes (the write benchmark's 1.05M-cell book: 10,292,283 bytes
 * against 10,288,150; the seed examples 0.07-0.29% larger) and deflates it
 * in about 60% of the time: deflate was about 44% of a large save.  So a
 * part asked for at the default level is deflated at PB_XLSX_DEFLATE_LEVEL;
 * any level asked for by name is left alone (docs/decisions.md, "the
 * workbook's parts deflated at level 5").  The library's source is not
 * changed: the call is redirected at link time, as gmtime and lxw_tmpfile
 * are. */
#include "pb_xlsx_private.h"

#ifdef PB_XLSX_DEFLATE_WRAP
#include <zlib.h>

int __real_deflateInit2_(z_streamp strm, int level, int method, int window_bits, int mem_level,
                         int strategy, const char *version, int stream_size);
int __wrap_deflateInit2_(z_streamp strm, int level, int method, int window_bits, int mem_level,
                         int strategy, const char *version, int stream_size);

/* what this thread's saves asked for, for the tests (pb_xlsx_deflate_seen) */
static _Thread_local unsigned long xl_deflate_count;
static _Thread_local int xl_deflate_last = -2;

int __wrap_deflateInit2_(z_streamp strm, int level, int method, int window_bits, int mem_level,
                         int strategy, const char *version, int stream_size)
{
    if (level == Z_DEFAULT_COMPRESSION)
        level = PB_XLSX_DEFLATE_LEVEL;
    xl_deflate_count++;
    xl_deflate_last = level;
    return __real_deflateInit2_(strm, level, method, window_bits, mem_level, strategy, version,
                                stream_size);
}

int pb_xlsx_deflate_seen(unsigned long *count, int *last_level)
{
    *count = xl_deflate_count;
    *last_level = xl_deflate_last;
    return 1;
}
#else
int pb_xlsx_deflate_seen(unsigned long *count, int *last_level)
{
    *count = 0;
    *last_level = -2;
    return 0;
}
#endif
