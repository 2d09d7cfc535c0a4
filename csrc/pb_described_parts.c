/* pb_described_parts.c - the described parts of a plan (pb_described.h):
 * each a descriptor of its rows' fields, and a line in the table below.
 * Adding one here gives it a YAML key, a Python property (with its entry
 * in python/planbook/_parts.py), a workbook sheet read back, checks,
 * diffs and display: nothing else names it. */
#include "pb_described.h"

/* The plan's contact officers (report authors, accountable officers):
 * printed as Name / Position / Telephone / E-mail blocks at the head or
 * foot of a council report. */
static const pb_dfield contact_fields[] = {
    {"id", "Id", PB_FIELD_ID, PB_DTYPE_TEXT, NULL},
    {"name", "Name", PB_FIELD_TITLE | PB_FIELD_REQUIRED, PB_DTYPE_TEXT, NULL},
    {"position", "Position", 0, PB_DTYPE_TEXT, NULL},
    {"telephone", "Telephone", 0, PB_DTYPE_TEXT, NULL},
    {"email", "E-mail", 0, PB_DTYPE_TEXT, NULL},
};

static const pb_described_desc contacts = {
    "contacts", "contact", "Contacts", "Contact officers", contact_fields,
    sizeof contact_fields / sizeof contact_fields[0]};

/* A plan's timeline: its dated events (a business planning timeline,
 * an action plan's key dates), each done or not.  Not "milestones":
 * that word is a measure's dated targets (pb_indicator.h). */
static const pb_dfield timeline_fields[] = {
    {"id", "Id", PB_FIELD_ID, PB_DTYPE_TEXT, NULL},
    {"date", "Date", PB_FIELD_DATE | PB_FIELD_REQUIRED, PB_DTYPE_DATE, NULL},
    {"title", "Activity", PB_FIELD_TITLE | PB_FIELD_REQUIRED, PB_DTYPE_TEXT, NULL},
    {"owner", "Owner", 0, PB_DTYPE_TEXT, NULL},
    {"status", "Status", 0, PB_DTYPE_WORD, "planned|done|cancelled"},
};

static const pb_described_desc timeline = {
    "timeline", "event", "Timeline", "Timeline", timeline_fields,
    sizeof timeline_fields / sizeof timeline_fields[0]};

/* The described parts, in the order the formats write them. */
static const pb_described_desc *const kinds[] = {
    &contacts,
    &timeline,
};

size_t pb_described_kind_count(void) { return sizeof kinds / sizeof kinds[0]; }

const pb_described_desc *pb_described_kind(size_t k)
{
    return k < pb_described_kind_count() ? kinds[k] : NULL;
}
