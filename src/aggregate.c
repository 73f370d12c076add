/*-------------------------------------------------------------------------
 *
 * aggregate.c
 *	  Plumbing shared by arcollect's aggregates: memory, NULL rows,
 *	  per-group parameters and state serialization.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/date.h"

#include "aggregate.h"

/* The memory context that outlives one row: where the state must live. */
MemoryContext
arc_aggregate_memory(FunctionCallInfo fcinfo, const char *aggname)
{
	MemoryContext aggcontext;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		elog(ERROR, "%s support function called outside an aggregate", aggname);
	return aggcontext;
}

/*
 * For the deserialize functions, which make their state in the current
 * memory context, not in the aggregate's: PostgreSQL calls them in memory
 * that is reset for every input row, and a deserialized state is needed
 * only until the combine function has added it to the group's state (which
 * copies what it keeps into the aggregate's memory).  A state made in the
 * aggregate's memory would stay allocated as long as its group: under hash
 * aggregation, every partial state of every group in the hash table, which
 * work_mem does not bound, since a hash aggregate only looks at its memory
 * when it adds a group.
 */
void
arc_check_aggregate_call(FunctionCallInfo fcinfo, const char *aggname)
{
	if (!AggCheckCallContext(fcinfo, NULL))
		elog(ERROR, "%s support function called outside an aggregate", aggname);
}

/* True when an argument in first..last (inclusive) is NULL: skip the row. */
bool
arc_any_input_null(FunctionCallInfo fcinfo, int first, int last)
{
	int			i;

	for (i = first; i <= last && i < PG_NARGS(); i++)
		if (PG_ARGISNULL(i))
			return true;
	return false;
}

static char *
date_text(DateADT value)
{
	return DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(value)));
}

/*
 * A group is measured as of one date: a second as_of in the same group is
 * almost always a query mistake, and silently picking one would give a
 * wrong figure.
 */
void
arc_check_same_date(const char *aggname, const char *argname,
				DateADT group_value, DateADT row_value)
{
	if (group_value != row_value)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s needs one %s per group, got %s and %s",
						aggname, argname, date_text(group_value),
						date_text(row_value)),
				 errhint("Pass %s as a constant, or add it to GROUP BY.", argname)));
}

void
arc_check_same_int(const char *aggname, const char *argname,
			   int64 group_value, int64 row_value)
{
	if (group_value != row_value)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s needs one %s per group, got " INT64_FORMAT " and " INT64_FORMAT,
						aggname, argname, group_value, row_value),
				 errhint("Pass %s as a constant, or add it to GROUP BY.", argname)));
}

void
arc_check_period_days(int32 period_days)
{
	if (period_days <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("period_days must be positive, got %d", period_days),
				 errhint("Give the length of the sales period in days, for example 90.")));
}

/* Day counts are differences of dates, so infinite dates cannot take part. */
void
arc_check_dates_comparable(const char *argname, DateADT value)
{
	if (DATE_NOT_FINITE(value))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a finite date, not %s", argname, date_text(value)),
				 errhint("Day counts cannot be taken from infinity; use a real calendar date.")));
}

void
arc_state_deserialize_begin(StringInfo buf, bytea *serialized)
{
	/* read in place: the bytea outlives the reading */
	buf->data = VARDATA_ANY(serialized);
	buf->len = VARSIZE_ANY_EXHDR(serialized);
	buf->maxlen = buf->len;
	buf->cursor = 0;
}

void
arc_state_deserialize_end(StringInfo buf, const char *aggname)
{
	if (buf->cursor != buf->len)
		elog(ERROR, "malformed %s state: %d bytes left over",
			 aggname, buf->len - buf->cursor);
}
