/* planbook.h - the umbrella header of the planbook C core.
 *
 * Plain C11, no Python.  Components:
 *   pb_error.h   status codes, error records, the message table
 *   pb_money.h   exact fixed-point amounts and finance notation
 *   pb_period.h  financial years, quarters, months
 *   pb_date.h    calendar dates and ranges of dates as plans write them
 *   pb_plan.h    the plan model: tables, columns, rows, cells, agreements
 *   pb_finding.h findings: what a check found, and their list
 *   pb_check.h   computed figures and the checks of the whole plan
 *   pb_obs.h     a figure of an indicator as printed
 *   pb_indicator.h  indicator sets, measures and the status engine
 *   pb_risk.h    risk registers
 *   pb_record.h  collections of records
 *   pb_calc.h    computed columns: shares, ratios, changes
 *   pb_fields.h  the text fields of the record-shaped parts, described once
 * Ownership rules are stated in each header.  docs/c-api.md is the guide.
 */
#ifndef PLANBOOK_H
#define PLANBOOK_H

#define PB_VERSION_MAJOR 0
#define PB_VERSION_MINOR 1
#define PB_VERSION_PATCH 0
#define PB_VERSION_STRING "0.1.0"

#include "pb_error.h"
#include "pb_money.h"
#include "pb_period.h"
#include "pb_date.h"
#include "pb_plan.h"
#include "pb_finding.h"
#include "pb_check.h"
#include "pb_obs.h"
#include "pb_indicator.h"
#include "pb_risk.h"
#include "pb_record.h"
#include "pb_calc.h"
#include "pb_fields.h"
#include "pb_described.h"
#include "pb_compact.h"

#endif
