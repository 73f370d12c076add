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
 * A row's month is found from its date with j2date, a few integer
 * operations.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "datatype/timestamp.h"
#include "fmgr.h"
#include "port/pg_bitutils.h"
#include "libpq/pqformat.h"
#include "utils/date.h"
#include "utils/datetime.h"

#include "aggregate.h"
#include "exact_sum.h"

/*
 * Sum 0 is the receivables; sum 1 + i the sales of the month i months
 * before as_of's (0: as_of's own).  The state has room for more months
 * than it uses, so that it is rebuilt only when the months it knows
 * double, not for every month further back.
 */
typedef struct CountbackState
{
	ArcState	hdr;
	DateADT		as_of;
	int32		as_of_month;	/* year * 12 + month - 1 */
	int32		nmonths;		/* months with a sum: 0 .. nmonths - 1 */
} CountbackState;

#define COUNTBACK_RECEIVABLES 0
#define COUNTBACK_MONTH(back) (1 + (back))

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

/*
 * Makes months 0 .. count - 1 exist, rebuilding the state (into
 * *state) when it has no room for them: room for the next power of two
 * of months, so that the size depends only on how far back the rows go.
 */
static void
ensure_months(ArcState **state, int count)
{
	CountbackState *countback = (CountbackState *) *state;

	if (COUNTBACK_MONTH(count - 1) >= (*state)->nsums)
	{
		*state = arc_state_resize(*state, 1 + pg_nextpower2_32(Max(count, 16)));
		countback = (CountbackState *) *state;
	}
	countback->nmonths = Max(countback->nmonths, count);
}

/*
 * The state starts with as_of's own month, which changes nothing: every row
 * issued by as_of lies in it or before it.
 */
static ArcState *
countback_state_new(DateADT as_of)
{
	ArcState   *state = arc_state_new(ARC_STATE_COUNTBACK, sizeof(CountbackState),
									  COUNTBACK_MONTH(16));
	CountbackState *countback = (CountbackState *) state;

	countback->as_of = as_of;
	countback->as_of_month = month_number(as_of);
	countback->nmonths = 1;
	return state;
}

PG_FUNCTION_INFO_V1(arcollect_dso_countback_transfn);

/* dso_countback(issued_on, amount, open_amount, as_of) transition */
Datum
arcollect_dso_countback_transfn(PG_FUNCTION_ARGS)
{
	ArcState   *state = arc_state_for_update(fcinfo, 0, ARC_STATE_COUNTBACK);
	const CountbackState *countback;
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
		state = countback_state_new(as_of);
	}
	countback = (const CountbackState *) state;
	if (as_of != countback->as_of)
		arc_check_same_date("dso_countback", "as_of", countback->as_of, as_of);
	arc_check_dates_comparable("issued_on", issued_on);
	/* read both amounts, and so check them, even when the row is left out */
	arc_amount_read(PG_GETARG_DATUM(2), &amount);
	arc_amount_read(PG_GETARG_DATUM(3), &open_amount);
	if (issued_on > countback->as_of)
		PG_RETURN_STATE(state);

	back = countback->as_of_month - month_number(issued_on);
	if (back >= countback->nmonths)
		ensure_months(&state, back + 1);
	exact_sum_add_amount(&state, COUNTBACK_RECEIVABLES, &open_amount, 1);
	exact_sum_add_amount(&state, COUNTBACK_MONTH(back), &amount, 1);
	PG_RETURN_STATE(state);
}

PG_FUNCTION_INFO_V1(arcollect_dso_countback_combinefn);

Datum
arcollect_dso_countback_combinefn(PG_FUNCTION_ARGS)
{
	ArcState   *into = arc_state_for_update(fcinfo, 0, ARC_STATE_COUNTBACK);
	const ArcState *from = arc_state_for_reading(fcinfo, 1, ARC_STATE_COUNTBACK);
	const CountbackState *other = (const CountbackState *) from;
	int			i;

	if (from == NULL)
		PG_RETURN_STATE(into);
	if (into == NULL)
		into = countback_state_new(other->as_of);
	else
		arc_check_same_date("dso_countback", "as_of",
							((CountbackState *) into)->as_of, other->as_of);
	ensure_months(&into, other->nmonths);
	exact_sum_combine(&into, COUNTBACK_RECEIVABLES, from, COUNTBACK_RECEIVABLES);
	for (i = 0; i < other->nmonths; i++)
		exact_sum_combine(&into, COUNTBACK_MONTH(i), from, COUNTBACK_MONTH(i));
	PG_RETURN_STATE(into);
}

static void
countback_send(StringInfo buf, const ArcState *state)
{
	const CountbackState *countback = (const CountbackState *) state;
	int			i;

	pq_sendint32(buf, countback->as_of);
	exact_sum_send(buf, state, COUNTBACK_RECEIVABLES);
	pq_sendint32(buf, countback->nmonths);
	for (i = 0; i < countback->nmonths; i++)
		exact_sum_send(buf, state, COUNTBACK_MONTH(i));
}

/*
 * At least as_of's month, and no month before the first day a date can
 * hold (4714 BC).
 */
static ArcState *
countback_recv(StringInfo buf)
{
	DateADT		as_of = arc_recv_date(buf, "dso_countback");
	ArcState   *state = countback_state_new(as_of);
	const CountbackState *countback = (const CountbackState *) state;
	int			nmonths;
	int			i;

	exact_sum_recv(buf, &state, COUNTBACK_RECEIVABLES, "dso_countback");
	nmonths = pq_getmsgint(buf, 4);
	if (nmonths < 1 ||
		nmonths > countback->as_of_month - month_number(DATETIME_MIN_JULIAN - POSTGRES_EPOCH_JDATE) + 1 ||
		nmonths > (buf->len - buf->cursor) / EXACT_SUM_MIN_WIRE_SIZE)
		arc_state_malformed("dso_countback", psprintf("%d months", nmonths));
	ensure_months(&state, nmonths);
	for (i = 0; i < nmonths; i++)
		exact_sum_recv(buf, &state, COUNTBACK_MONTH(i), "dso_countback");
	return state;
}

const ArcStateCodec arc_countback_codec = {"dso_countback", countback_send, countback_recv};

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
	const ArcState *state = arc_state_for_reading(fcinfo, 0, ARC_STATE_COUNTBACK);
	const CountbackState *countback = (const CountbackState *) state;
	Numeric		left = exact_sum_result(state, COUNTBACK_RECEIVABLES);
	int64		days = 0;
	int			back;

	if (arc_numeric_sign_of(left) <= 0)
		PG_RETURN_NUMERIC(int64_to_numeric(0));

	for (back = 0; back < countback->nmonths; back++)
	{
		Numeric		sales = exact_sum_result(state, COUNTBACK_MONTH(back));
		int			month_days = days_counted(countback, back);

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
