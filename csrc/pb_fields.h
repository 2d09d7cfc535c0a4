/* pb_fields.h - the text fields of the record-shaped parts (risk
 * registers and their risks, collections of records) and of indicator
 * sets, described once.
 *
 * Each row of a descriptor names a field as every format shows it: its
 * key (in YAML and the Python API), its heading on a workbook sheet, the
 * part's own number for it (pb_risk_field, pb_register_field,
 * pb_collection_field) and what it is to a format (PB_FIELD_*).  The YAML
 * reader builds its key tables from them, the YAML writer and the
 * workbook writer iterate over them, and the workbook reader matches a
 * sheet's headings with them, so a text field is added to a part in one
 * place: its enum and its row here.
 *
 * The tables are the core's (static, never freed); the functions are
 * defined by the modules of the parts (pb_risk.c, pb_record.c,
 * pb_indicator.c).
 */
#ifndef PB_FIELDS_H
#define PB_FIELDS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What a field is to the formats. */
#define PB_FIELD_ID 1u     /* the item's id: first, required, unique */
#define PB_FIELD_TITLE 2u  /* the part's title: the sheet's first cell */
#define PB_FIELD_DETAIL 4u /* one of the details on the sheet's second row
                              ("Version: v0.2 | Next review: 01/11/16") */
#define PB_FIELD_DATE 8u   /* holds a date as plans write them */

typedef struct pb_field_desc {
    const char *key;     /* "register_for" */
    const char *heading; /* "Risk register for" */
    int code;            /* the part's field number */
    unsigned flags;      /* PB_FIELD_* */
} pb_field_desc;

/* The fields of a risk register (its title, version...), of a risk (its
 * id, category...), and of a collection of records (title, kind, note; an
 * item's fields are free names).  *n is set to the count. */
const pb_field_desc *pb_register_fields(size_t *n);
const pb_field_desc *pb_risk_fields(size_t *n);
const pb_field_desc *pb_collection_fields(size_t *n);
/* The fields of an indicator set (title, framework, reporting...; its
 * measures' are not described yet). */
const pb_field_desc *pb_indset_fields(size_t *n);

#ifdef __cplusplus
}
#endif
#endif
