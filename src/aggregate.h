/*-------------------------------------------------------------------------
 *
 * aggregate.h
 *	  Plumbing shared by arcollect's aggregates.
 *
 * All aggregates keep their state in an arcollect.aggregate_state
 * (aggregate_state.h), skip rows whose required inputs are NULL, and insist
 * that the per-group parameters (as_of, bounds, period_days) are the same
 * on every row.
 *
 *-------------------------------------------------------------------------
 */
#ifndef ARCOLLECT_AGGREGATE_H
#define ARCOLLECT_AGGREGATE_H

#include "postgres.h"

#include "fmgr.h"
#include "utils/date.h"

#include "aggregate_state.h"

extern bool arc_any_input_null(FunctionCallInfo fcinfo, int first, int last);
extern void arc_check_same_date(const char *aggname, const char *argname,
							DateADT group_value, DateADT row_value);
extern void arc_check_same_int(const char *aggname, const char *argname,
						   int64 group_value, int64 row_value);
extern void arc_check_period_days(int32 period_days);
extern void arc_check_dates_comparable(const char *argname, DateADT value);
extern DateADT arc_recv_date(StringInfo buf, const char *aggname);

#endif							/* ARCOLLECT_AGGREGATE_H */
