/*-------------------------------------------------------------------------
 *
 * aggregate.h
 *	  Plumbing shared by arcollect's aggregates.
 *
 * All aggregates keep an `internal` C state in the aggregate's memory
 * context (a deserialized state, in the memory of the call: see
 * aggregate.c), skip rows whose required inputs are NULL, insist that the
 * per-group parameters (as_of, bounds, period_days) are the same on every
 * row, and serialize their state to bytea for parallel and distributed
 * plans.
 *
 *-------------------------------------------------------------------------
 */
#ifndef ARCOLLECT_AGGREGATE_H
#define ARCOLLECT_AGGREGATE_H

#include "postgres.h"

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/date.h"

/*
 * Returns a transition or combine result: SQL NULL while no row has made a
 * state, so that the strict final and serialize functions are not called
 * with a NULL pointer.
 */
#define PG_RETURN_STATE(state) \
	do { \
		if ((state) == NULL) \
			PG_RETURN_NULL(); \
		PG_RETURN_POINTER(state); \
	} while (0)

extern MemoryContext arc_aggregate_memory(FunctionCallInfo fcinfo,
									  const char *aggname);
extern void arc_check_aggregate_call(FunctionCallInfo fcinfo, const char *aggname);
extern bool arc_any_input_null(FunctionCallInfo fcinfo, int first, int last);
extern void arc_check_same_date(const char *aggname, const char *argname,
							DateADT group_value, DateADT row_value);
extern void arc_check_same_int(const char *aggname, const char *argname,
						   int64 group_value, int64 row_value);
extern void arc_check_period_days(int32 period_days);
extern void arc_check_dates_comparable(const char *argname, DateADT value);

extern void arc_state_deserialize_begin(StringInfo buf, bytea *serialized);
extern void arc_state_deserialize_end(StringInfo buf, const char *aggname);

#endif							/* ARCOLLECT_AGGREGATE_H */
