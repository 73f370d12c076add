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
	DateADT		as_of;
	int32		period_days;
	ExactSum	receivables;
	ExactSum	sales;
} DsoState;

static DsoState *
dso_state_new(MemoryContext mcxt, DateADT as_of, int32 period_days)
{
	DsoState   *state = MemoryContextAlloc(mcxt, sizeof(DsoState));

	state->as_of = as_of;
	state->period_days = period_days;
	exact_sum_init(&state->receivables);
	exact_sum_init(&state->sales);
	return state;
}

/*
 * The state for this row's group, created on the first row; checks that
 * as_of and period_days stay the same.
 */
static DsoState *
dso_state_for_row(FunctionCallInfo fcinfo, const char *aggname,
				  int as_of_arg, MemoryContext mcxt)
{
	DsoState   *state = PG_ARGISNULL(0) ? NULL : (DsoState *) PG_GETARG_POINTER(0);
	DateADT		as_of = PG_GETARG_DATEADT(as_of_arg);
	int32		period_days = PG_NARGS() > as_of_arg + 1
		? PG_GETARG_INT32(as_of_arg + 1) : DEFAULT_PERIOD_DAYS;

	if (state == NULL)
	{
		arc_check_dates_comparable("as_of", as_of);
		arc_check_period_days(period_days);
		return dso_state_new(mcxt, as_of, period_days);
	}
	if (as_of != state->as_of)
		arc_check_same_date(aggname, "as_of", state->as_of, as_of);
	if (period_days != state->period_days)
		arc_check_same_int(aggname, "period_days", state->period_days, period_days);
	return state;
}

/*
 * Adds one row: its open amount to receivables when it counts as one, its
 * amount to sales when it was issued within the period.  Both amounts are
 * read, and so checked, whether they count or not.
 */
static void
dso_add_row(DsoState *state, DateADT issued_on, Datum amount_datum,
			Datum open_datum, bool receivable, MemoryContext mcxt)
{
	Amount		amount;
	Amount		open_amount;

	arc_check_dates_comparable("issued_on", issued_on);
	arc_amount_read(amount_datum, &amount);
	arc_amount_read(open_datum, &open_amount);
	if (issued_on > state->as_of)
		return;
	if (receivable)
		exact_sum_add_amount(&state->receivables, &open_amount, 1, mcxt);
	if ((int64) issued_on > (int64) state->as_of - state->period_days)
		exact_sum_add_amount(&state->sales, &amount, 1, mcxt);
}

PG_FUNCTION_INFO_V1(arcollect_dso_transfn);

/* dso(issued_on, amount, open_amount, as_of [, period_days]) transition */
Datum
arcollect_dso_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext mcxt = arc_aggregate_memory(fcinfo, "dso");
	DsoState   *state;

	if (arc_any_input_null(fcinfo, 1, 5))
		PG_RETURN_STATE(PG_ARGISNULL(0) ? NULL : PG_GETARG_POINTER(0));
	state = dso_state_for_row(fcinfo, "dso", 4, mcxt);
	dso_add_row(state, PG_GETARG_DATEADT(1), PG_GETARG_DATUM(2),
				PG_GETARG_DATUM(3), true, mcxt);
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
	MemoryContext mcxt = arc_aggregate_memory(fcinfo, "best_possible_dso");
	DsoState   *state;
	DateADT		due_on;

	if (arc_any_input_null(fcinfo, 1, 6))
		PG_RETURN_STATE(PG_ARGISNULL(0) ? NULL : PG_GETARG_POINTER(0));
	state = dso_state_for_row(fcinfo, "best_possible_dso", 5, mcxt);
	due_on = PG_GETARG_DATEADT(2);
	arc_check_dates_comparable("due_on", due_on);
	/* only receivables not yet due count: current, as in aging */
	dso_add_row(state, PG_GETARG_DATEADT(1), PG_GETARG_DATUM(3),
				PG_GETARG_DATUM(4), due_on >= state->as_of, mcxt);
	PG_RETURN_STATE(state);
}

PG_FUNCTION_INFO_V1(arcollect_dso_combinefn);

Datum
arcollect_dso_combinefn(PG_FUNCTION_ARGS)
{
	MemoryContext mcxt = arc_aggregate_memory(fcinfo, "dso");
	DsoState   *into = PG_ARGISNULL(0) ? NULL : (DsoState *) PG_GETARG_POINTER(0);
	DsoState   *from = PG_ARGISNULL(1) ? NULL : (DsoState *) PG_GETARG_POINTER(1);

	if (from == NULL)
		PG_RETURN_STATE(into);
	if (into == NULL)
		into = dso_state_new(mcxt, from->as_of, from->period_days);
	else
	{
		arc_check_same_date("dso", "as_of", into->as_of, from->as_of);
		arc_check_same_int("dso", "period_days", into->period_days, from->period_days);
	}
	exact_sum_combine(&into->receivables, &from->receivables, mcxt);
	exact_sum_combine(&into->sales, &from->sales, mcxt);
	PG_RETURN_STATE(into);
}

PG_FUNCTION_INFO_V1(arcollect_dso_serialize);

Datum
arcollect_dso_serialize(PG_FUNCTION_ARGS)
{
	DsoState   *state = (DsoState *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint32(&buf, state->as_of);
	pq_sendint32(&buf, state->period_days);
	exact_sum_serialize(&buf, &state->receivables);
	exact_sum_serialize(&buf, &state->sales);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(arcollect_dso_deserialize);

Datum
arcollect_dso_deserialize(PG_FUNCTION_ARGS)
{
	StringInfoData buf;
	DsoState   *state;
	DateADT		as_of;

	arc_check_aggregate_call(fcinfo, "dso");
	arc_state_deserialize_begin(&buf, PG_GETARG_BYTEA_PP(0));
	as_of = pq_getmsgint(&buf, 4);
	state = dso_state_new(CurrentMemoryContext, as_of, pq_getmsgint(&buf, 4));
	exact_sum_deserialize(&buf, &state->receivables);
	exact_sum_deserialize(&buf, &state->sales);
	arc_state_deserialize_end(&buf, "dso");
	PG_RETURN_STATE(state);
}

PG_FUNCTION_INFO_V1(arcollect_dso_finalfn);

/* receivables * period_days / sales; NULL when sales add up to zero. */
Datum
arcollect_dso_finalfn(PG_FUNCTION_ARGS)
{
	DsoState   *state = (DsoState *) PG_GETARG_POINTER(0);

	if (exact_sum_sign(&state->sales) == 0)
		PG_RETURN_NULL();
	PG_RETURN_NUMERIC(arc_numeric_divide(arc_numeric_times(exact_sum_result(&state->receivables),
												   int64_to_numeric(state->period_days)),
									 exact_sum_result(&state->sales)));
}
