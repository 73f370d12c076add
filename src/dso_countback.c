/*-------------------------------------------------------------------------
 *
 * dso_countback.c
 *	  Countback DSO over calendar months.
 *
 * Start from the receivables at as_of (open amounts of rows issued on or
 * before it) and walk back month by month, newest first.  While what is
 * left is at least the month's credit sales, subtract them and add the
 * month's days; in the month where it falls short, add
 * left / month_sales * month_days and stop.  Months have their calendar
 * length; the month holding as_of counts from its first day through as_of.
 *
 * Edge cases, chosen and documented in the README:
 *	- receivables of zero or less give 0 days;
 *	- a month without sales (or with net sales of zero or less, from credit
 *	  notes) is passed in full: the receivables are older than it;
 *	- when the walk passes the oldest month with any sales and receivables
 *	  are left over, the history is too short to say: NULL;
 *	- no rows at all give NULL, like any aggregate over no rows.
 *
 * The state keeps one sum per month back from as_of, so it grows with the
 * length of the history (one entry per month), not with the number of rows.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "datatype/timestamp.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/date.h"
#include "utils/datetime.h"

#include "aggregate.h"
#include "exact_sum.h"

typedef struct CountbackState
{
	DateADT		as_of;
	int			as_of_month;	/* year * 12 + month - 1 */
	ExactSum	receivables;
	int			nmonths;		/* months[0..nmonths-1] hold sales */
	int			capacity;
	ExactSum   *months;			/* [0] is as_of's month, [i] i months back */
	DateADT    *starts;			/* first day of each of those months */
} CountbackState;

/*
 * Months are numbered year * 12 + month - 1, with years as j2date gives
 * them: 0 is 1 BC, -1 is 2 BC, so months before 1 BC have negative numbers.
 */
static int
month_number(DateADT date)
{
	int			year;
	int			month;
	int			day;

	j2date(date + POSTGRES_EPOCH_JDATE, &year, &month, &day);
	return year * 12 + month - 1;
}

/*
 * First day of a month number, as a date.  The year is the month number
 * divided by 12 rounded down, not toward zero as C's / does: month -1 is
 * December of year -1, not a month 0 of year 0.
 */
static DateADT
month_first_day(int month)
{
	int			year = (month >= 0 ? month : month - 11) / 12;

	return date2j(year, month - year * 12 + 1, 1) - POSTGRES_EPOCH_JDATE;
}

/* Makes months[0..count-1] and their first days exist. */
static void
ensure_months(CountbackState *state, int count, MemoryContext mcxt)
{
	int			i;

	if (count > state->capacity)
	{
		int			capacity = Max(count, Max(16, state->capacity * 2));

		if (state->months)
		{
			state->months = repalloc(state->months, sizeof(ExactSum) * capacity);
			state->starts = repalloc(state->starts, sizeof(DateADT) * capacity);
		}
		else
		{
			state->months = MemoryContextAlloc(mcxt, sizeof(ExactSum) * capacity);
			state->starts = MemoryContextAlloc(mcxt, sizeof(DateADT) * capacity);
		}
		state->capacity = capacity;
	}
	for (i = state->nmonths; i < count; i++)
	{
		exact_sum_init(&state->months[i]);
		state->starts[i] = month_first_day(state->as_of_month - i);
	}
	state->nmonths = Max(state->nmonths, count);
}

/*
 * The state starts with as_of's own month, which changes nothing: every row
 * issued by as_of lies in it or before it.
 */
static CountbackState *
countback_state_new(MemoryContext mcxt, DateADT as_of)
{
	CountbackState *state = MemoryContextAllocZero(mcxt, sizeof(CountbackState));

	state->as_of = as_of;
	state->as_of_month = month_number(as_of);
	exact_sum_init(&state->receivables);
	ensure_months(state, 1, mcxt);
	return state;
}

/*
 * How many months before as_of's month a date (on or before as_of) lies.
 * No month is longer than 31 days, so the date is at least
 * ceil(days / 31) months back; from there, a few steps reach its month.
 * This avoids calendar arithmetic for each row.
 */
static int
months_back(CountbackState *state, DateADT date, MemoryContext mcxt)
{
	int			back;

	if (date >= state->starts[0])
		return 0;
	back = (state->starts[0] - date - 1) / 31 + 1;
	for (;;)
	{
		if (back >= state->nmonths)
			ensure_months(state, back + 1, mcxt);
		if (state->starts[back] <= date)
			return back;
		back++;
	}
}

PG_FUNCTION_INFO_V1(arcollect_dso_countback_transfn);

/* dso_countback(issued_on, amount, open_amount, as_of) transition */
Datum
arcollect_dso_countback_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext mcxt = arc_aggregate_memory(fcinfo, "dso_countback");
	CountbackState *state = PG_ARGISNULL(0) ? NULL : (CountbackState *) PG_GETARG_POINTER(0);
	DateADT		issued_on;
	DateADT		as_of;
	int			back;
	Amount		amount;
	Amount		open_amount;

	if (arc_any_input_null(fcinfo, 1, 4))
		PG_RETURN_STATE(state);
	issued_on = PG_GETARG_DATEADT(1);
	as_of = PG_GETARG_DATEADT(4);
	if (state == NULL)
	{
		arc_check_dates_comparable("as_of", as_of);
		state = countback_state_new(mcxt, as_of);
	}
	else if (as_of != state->as_of)
		arc_check_same_date("dso_countback", "as_of", state->as_of, as_of);
	arc_check_dates_comparable("issued_on", issued_on);
	/* read both amounts, and so check them, even when the row is left out */
	arc_amount_read(PG_GETARG_DATUM(2), &amount);
	arc_amount_read(PG_GETARG_DATUM(3), &open_amount);
	if (issued_on > state->as_of)
		PG_RETURN_STATE(state);

	exact_sum_add_amount(&state->receivables, &open_amount, 1, mcxt);
	back = months_back(state, issued_on, mcxt);
	exact_sum_add_amount(&state->months[back], &amount, 1, mcxt);
	PG_RETURN_STATE(state);
}

PG_FUNCTION_INFO_V1(arcollect_dso_countback_combinefn);

Datum
arcollect_dso_countback_combinefn(PG_FUNCTION_ARGS)
{
	MemoryContext mcxt = arc_aggregate_memory(fcinfo, "dso_countback");
	CountbackState *into = PG_ARGISNULL(0) ? NULL : (CountbackState *) PG_GETARG_POINTER(0);
	CountbackState *from = PG_ARGISNULL(1) ? NULL : (CountbackState *) PG_GETARG_POINTER(1);
	int			i;

	if (from == NULL)
		PG_RETURN_STATE(into);
	if (into == NULL)
		into = countback_state_new(mcxt, from->as_of);
	else
		arc_check_same_date("dso_countback", "as_of", into->as_of, from->as_of);
	exact_sum_combine(&into->receivables, &from->receivables, mcxt);
	ensure_months(into, from->nmonths, mcxt);
	for (i = 0; i < from->nmonths; i++)
		exact_sum_combine(&into->months[i], &from->months[i], mcxt);
	PG_RETURN_STATE(into);
}

PG_FUNCTION_INFO_V1(arcollect_dso_countback_serialize);

Datum
arcollect_dso_countback_serialize(PG_FUNCTION_ARGS)
{
	CountbackState *state = (CountbackState *) PG_GETARG_POINTER(0);
	StringInfoData buf;
	int			i;

	pq_begintypsend(&buf);
	pq_sendint32(&buf, state->as_of);
	exact_sum_serialize(&buf, &state->receivables);
	pq_sendint32(&buf, state->nmonths);
	for (i = 0; i < state->nmonths; i++)
		exact_sum_serialize(&buf, &state->months[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(arcollect_dso_countback_deserialize);

Datum
arcollect_dso_countback_deserialize(PG_FUNCTION_ARGS)
{
	StringInfoData buf;
	CountbackState *state;
	int			nmonths;
	int			i;

	arc_check_aggregate_call(fcinfo, "dso_countback");
	arc_state_deserialize_begin(&buf, PG_GETARG_BYTEA_PP(0));
	state = countback_state_new(CurrentMemoryContext, pq_getmsgint(&buf, 4));
	exact_sum_deserialize(&buf, &state->receivables);
	nmonths = pq_getmsgint(&buf, 4);
	if (nmonths < 0 || nmonths > (buf.len - buf.cursor))
		elog(ERROR, "malformed dso_countback state: %d months", nmonths);
	ensure_months(state, nmonths, CurrentMemoryContext);
	for (i = 0; i < nmonths; i++)
		exact_sum_deserialize(&buf, &state->months[i]);
	arc_state_deserialize_end(&buf, "dso_countback");
	PG_RETURN_STATE(state);
}

/* Days of month `back` months before as_of's, as far as the walk counts. */
static int
days_counted(const CountbackState *state, int back)
{
	int			month = state->as_of_month - back;

	if (back == 0)
		return state->as_of - month_first_day(month) + 1;
	return month_first_day(month + 1) - month_first_day(month);
}

PG_FUNCTION_INFO_V1(arcollect_dso_countback_finalfn);

Datum
arcollect_dso_countback_finalfn(PG_FUNCTION_ARGS)
{
	CountbackState *state = (CountbackState *) PG_GETARG_POINTER(0);
	Numeric		left = exact_sum_result(&state->receivables);
	int64		days = 0;
	int			back;

	if (arc_numeric_sign_of(left) <= 0)
		PG_RETURN_NUMERIC(int64_to_numeric(0));

	for (back = 0; back < state->nmonths; back++)
	{
		Numeric		sales = exact_sum_result(&state->months[back]);
		int			month_days = days_counted(state, back);

		if (arc_numeric_sign_of(sales) > 0 && arc_numeric_compare(left, sales) < 0)
			PG_RETURN_NUMERIC(arc_numeric_plus(int64_to_numeric(days),
										   arc_numeric_divide(arc_numeric_times(left, int64_to_numeric(month_days)),
														  sales)));
		left = arc_numeric_minus(left, sales);
		days += month_days;
		if (arc_numeric_sign_of(left) <= 0)
			PG_RETURN_NUMERIC(int64_to_numeric(days));
	}
	/* receivables older than every recorded sale: history too short */
	PG_RETURN_NULL();
}
