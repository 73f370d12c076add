/*-------------------------------------------------------------------------
 *
 * aggregate.c
 *	  Plumbing shared by arcollect's aggregates: NULL rows and per-group
 *	  parameters.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/date.h"

#include "aggregate.h"

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

/*
 * Reads the as_of of a state's binary form: a finite date, as the
 * transition functions insist.
 */
DateADT
arc_recv_date(StringInfo buf, const char *aggname)
{
	DateADT		value = pq_getmsgint(buf, 4);

	if (DATE_NOT_FINITE(value) || !IS_VALID_DATE(value))
		arc_state_malformed(aggname, "as_of is not a finite date");
	return value;
}
