/*-------------------------------------------------------------------------
 *
 * dso.c
 *	  Simple DSO and best possible DSO.
 *
 *	  dso               = receivables / credit sales * period_days
 *	  best_possible_dso = current receivables / credit sales * period_days
 *
 * Receivables are the open amounts of rows issued on or before as_of;
 * "current" ones are those not yet due (due_on on or after as_of, as in
 * aging).  Credit sales are the amounts of rows issued in the period_days
 * days ending at as_of, both ends included.  Rows issued after as_of do not
 * exist yet as of that date and are left out.  Both aggregates share one
 * state and one final function; they differ only in which open amounts
 * count as receivables.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/date.h"

#include "aggregate.h"
#include "exact_sum.h"

#define DEFAULT_PERIOD_DAYS 90

typedef struct DsoState
{
	ArcState	hdr;
	DateADT		as_of;
	int32		period_days;
} DsoState;

/* Its sums */
#define DSO_RECEIVABLES 0
#define DSO_SALES 1

static ArcState *
dso_state_new(DateADT as_of, int32 period_days)
{
	ArcState   *state = arc_state_new(ARC_STATE_DSO, sizeof(DsoState), 2);

	((DsoState *) state)->as_of = as_of;
	((DsoState *) state)->period_days = period_days;
	return state;
}

/*
 * The state for this row's group, created on the first row; checks that
 * as_of and period_days stay the same.
 */
static ArcState *
dso_state_for_row(FunctionCallInfo fcinfo, const char *aggname, int as_of_arg)
{
	ArcState   *state = arc_state_for_update(fcinfo, 0, ARC_STATE_DSO);
	const DsoState *dso = (const DsoState *) state;
	DateADT		as_of = PG_GETARG_DATEADT(as_of_arg);
	int32		period_days = PG_NARGS() > as_of_arg + 1
		? PG_GETARG_INT32(as_of_arg + 1) : DEFAULT_PERIOD_DAYS;

	if (state == NULL)
	{
		arc_check_dates_comparable("as_of", as_of);
		arc_check_period_days(period_days);
		return dso_state_new(as_of, period_days);
	}
	if (as_of != dso->as_of)
		arc_check_same_date(aggname, "as_of", dso->as_of, as_of);
	if (period_days != dso->period_days)
		arc_check_same_int(aggname, "period_days", dso->period_days, period_days);
	return state;
}

/*
 * Adds one row: its open amount to receivables when it counts as one, its
 * amount to sales when it was issued within the period.  Both amounts are
 * read, and so checked, whether they count or not.
 */
static void
dso_add_row(ArcState **state, DateADT issued_on, Datum amount_datum,
			Datum open_datum, bool receivable)
{
	const DsoState *dso = (const DsoState *) *state;
	Amount		amount;
	Amount		open_amount;
	bool		in_period;

	arc_check_dates_comparable("issued_on", issued_on);
	arc_amount_read(amount_datum, &amount);
	arc_amount_read(open_datum, &open_amount);
	if (issued_on > dso->as_of)
		return;
	in_period = (int64) issued_on > (int64) dso->as_of - dso->period_days;
	if (receivable)
		exact_sum_add_amount(state, DSO_RECEIVABLES, &open_amount, 1);
	if (in_period)
		exact_sum_add_amount(state, DSO_SALES, &amount, 1);
}

PG_FUNCTION_INFO_V1(arcollect_dso_transfn);

/* dso(issued_on, amount, open_amount, as_of [, period_days]) transition */
Datum
arcollect_dso_transfn(PG_FUNCTION_ARGS)
{
	ArcState   *state;

	if (arc_any_input_null(fcinfo, 1, 5))
		PG_RETURN_STATE(arc_state_for_update(fcinfo, 0, ARC_STATE_DSO));
	state = dso_state_for_row(fcinfo, "dso", 4);
	dso_add_row(&state, PG_GETARG_DATEADT(1), PG_GETARG_DATUM(2),
				PG_GETARG_DATUM(3), true);
	PG_RETURN_STATE(state);
}

PG_FUNCTION_INFO_V1(arcollect_best_possible_dso_transfn);

/*
 * best_possible_dso(issued_on, due_on, amount, open_amount, as_of
 *					 [, period_days]) transition
 */
Datum
arcollect_best_possible_dso_transfn(PG_FUNCTION_ARGS)
{
	ArcState   *state;
	DateADT		due_on;

	if (arc_any_input_null(fcinfo, 1, 6))
		PG_RETURN_STATE(arc_state_for_update(fcinfo, 0, ARC_STATE_DSO));
	state = dso_state_for_row(fcinfo, "best_possible_dso", 5);
	due_on = PG_GETARG_DATEADT(2);
	arc_check_dates_comparable("due_on", due_on);
	/* only receivables not yet due count: current, as in aging */
	dso_add_row(&state, PG_GETARG_DATEADT(1), PG_GETARG_DATUM(3),
				PG_GETARG_DATUM(4), due_on >= ((DsoState *) state)->as_of);
	PG_RETURN_STATE(state);
}

PG_FUNCTION_INFO_V1(arcollect_dso_combinefn);

Datum
arcollect_dso_combinefn(PG_FUNCTION_ARGS)
{
	ArcState   *into = arc_state_for_update(fcinfo, 0, ARC_STATE_DSO);
	const ArcState *from = arc_state_for_reading(fcinfo, 1, ARC_STATE_DSO);
	const DsoState *other = (const DsoState *) from;

	if (from == NULL)
		PG_RETURN_STATE(into);
	if (into == NULL)
		into = dso_state_new(other->as_of, other->period_days);
	else
	{
		const DsoState *dso = (const DsoState *) into;

		arc_check_same_date("dso", "as_of", dso->as_of, other->as_of);
		arc_check_same_int("dso", "period_days", dso->period_days, other->period_days);
	}
	exact_sum_combine(&into, DSO_RECEIVABLES, from, DSO_RECEIVABLES);
	exact_sum_combine(&into, DSO_SALES, from, DSO_SALES);
	PG_RETURN_STATE(into);
}

static void
dso_send(StringInfo buf, const ArcState *state)
{
	const DsoState *dso = (const DsoState *) state;

	pq_sendint32(buf, dso->as_of);
	pq_sendint32(buf, dso->period_days);
	exact_sum_send(buf, state, DSO_RECEIVABLES);
	exact_sum_send(buf, state, DSO_SALES);
}

static ArcState *
dso_recv(StringInfo buf)
{
	DateADT		as_of = arc_recv_date(buf, "dso");
	int32		period_days = pq_getmsgint(buf, 4);
	ArcState   *state;

	if (period_days <= 0)
		arc_state_malformed("dso", "period_days is not positive");
	state = dso_state_new(as_of, period_days);
	exact_sum_recv(buf, &state, DSO_RECEIVABLES, "dso");
	exact_sum_recv(buf, &state, DSO_SALES, "dso");
	return state;
}

const ArcStateCodec arc_dso_codec = {"dso", dso_send, dso_recv};

PG_FUNCTION_INFO_V1(arcollect_dso_finalfn);

/* receivables * period_days / sales; NULL when sales add up to zero. */
Datum
arcollect_dso_finalfn(PG_FUNCTION_ARGS)
{
	const ArcState *state = arc_state_for_reading(fcinfo, 0, ARC_STATE_DSO);

	if (exact_sum_sign(state, DSO_SALES) == 0)
		PG_RETURN_NULL();
	PG_RETURN_NUMERIC(arc_numeric_divide(arc_numeric_times(exact_sum_result(state, DSO_RECEIVABLES),
														   int64_to_numeric(((const DsoState *) state)->period_days)),
										 exact_sum_result(state, DSO_SALES)));
}
