/* pb_obs.h - a figure of an indicator as printed: "80.9", "1,257", "60%",
 * "91.2% (Dec-Feb)", "n/a", "Not available", "TBC"; held exactly at
 * PB_OBS_SCALE decimals with the decimals and the marks it was printed
 * with, and a status for what is not a figure.  16 bytes, nothing
 * allocated.  The sets that hold figures are pb_indicator.h's.
 */
#ifndef PB_OBS_H
#define PB_OBS_H

#include <stdint.h>
#include <stddef.h>

#include "pb_error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Figures of indicators are held at this scale (6 decimals). */
#define PB_OBS_SCALE 6
/* Largest magnitude of a figure, in units of the scale (about 9.2e12). */
#define PB_OBS_MAX INT64_C(9200000000000000000)
typedef enum pb_obs_status {
    PB_OBS_BLANK = 0,      /* nothing printed: not reported yet / no target */
    PB_OBS_NORMAL,         /* a figure */
    PB_OBS_PROVISIONAL,    /* a provisional figure */
    PB_OBS_ESTIMATED,      /* an estimated figure */
    PB_OBS_NOT_AVAILABLE,  /* "Not available" */
    PB_OBS_NOT_APPLICABLE, /* "n/a" (a target: no target planned) */
    PB_OBS_TBC,            /* "TBC": to be confirmed */
    PB_OBS_TEXT,           /* a statement in place of a figure (the note) */
    PB_OBS_STATUS_COUNT
} pb_obs_status;

/* Flags of a figure: how it was printed. */
#define PB_OBS_PERCENT 1u  /* with a % sign */
#define PB_OBS_GROUPED 2u  /* with thousands separators */

typedef struct pb_obs {
    int64_t value;    /* at PB_OBS_SCALE, when the status has a figure */
    uint32_t note;    /* string handle (pb_indset_string); 0 = none */
    uint8_t status;   /* pb_obs_status */
    int8_t decimals;  /* decimals as printed, 0..6 */
    uint8_t flags;    /* PB_OBS_PERCENT | PB_OBS_GROUPED */
    uint8_t reserved;
} pb_obs;

/* Does a status carry a figure (normal, provisional, estimated)? */
int pb_obs_has_value(pb_obs_status status);
/* "normal", "provisional", ..., "not reported" for BLANK. */
const char *pb_obs_status_name(pb_obs_status status);
/* Status for a name, or -1. */
int pb_obs_status_from_name(const char *s, size_t n);

/* Parse a cell as printed: "80.9", "1,257", "60%", "91.2% (Dec-Feb)", "",
 * "n/a", "Not applicable", "Not available", "TBC", "To be confirmed".
 * On success *out is filled (note 0) and, when the text carried a note in
 * brackets, *note_off and *note_len locate it in s (else *note_len is 0).
 * Anything else is PB_ERR_SYNTAX; more than 6 decimals PB_ERR_PRECISION;
 * too large PB_ERR_OVERFLOW. */
pb_status pb_obs_parse(const char *s, size_t n, pb_obs *out, size_t *note_off,
                       size_t *note_len, pb_error *err);
/* Write the figure of a cell as printed ("1,257", "60%", "0.98"), without
 * any note.  buf holds PB_AMOUNT_TEXT_MAX bytes.  Returns the length. */
size_t pb_obs_format_value(const pb_obs *o, char *buf);

#ifdef __cplusplus
}
#endif
#endif
