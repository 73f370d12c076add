/*-------------------------------------------------------------------------
 *
 * risk_score.c
 *	  A customer's collection risk, 0 (lowest) to 100 (highest), from its
 *	  invoice history.
 *
 * The score is a weighted sum of four factors, each between 0 and 1:
 *
 *	  late_days   35 points  amount-weighted days late, full at 60 days
 *	  late_share  20 points  share of invoices paid late (or overdue)
 *	  overdue     20 points  overdue share of the positive open balance
 *	  oldest      25 points  days the oldest open item is overdue, full at 120
 *
 * An invoice "has a payment record" at as_of when it was paid by then or
 * is past due; its days late are (paid_on, or as_of when paid later or not
 * at all) minus due_on, at least 0.  Only invoices (amount > 0) have a
 * payment record; only positive open amounts count as owed, so credits do
 * not hide overdue debt.  Each factor is a ratio of exact sums, so the
 * score does not depend on row order, and none of them falls when an
 * invoice is paid later or more is owed overdue.  The score is rounded to
 * two decimals.  The README gives the same formula for users.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/date.h"

#include "aggregate.h"
#include "exact_sum.h"

#define LATE_DAYS_POINTS 35
#define LATE_DAYS_FULL 60
#define LATE_SHARE_POINTS 20
#define OVERDUE_POINTS 20
#define OLDEST_POINTS 25
#define OLDEST_FULL 120

typedef struct RiskState
{
	DateADT		as_of;
	ExactSum	recorded_amount;	/* sum(amount) with a payment record */
	ExactSum	late_amount_days;	/* sum(amount * days late) */
	int64		recorded_count;
	int64		late_count;
	ExactSum	owed;			/* sum of positive open amounts */
	ExactSum	owed_overdue;	/* ... of those past due */
	int32		oldest_overdue_days;
} RiskState;

static RiskState *
risk_state_new(MemoryContext mcxt, DateADT as_of)
{
	RiskState  *state = MemoryContextAllocZero(mcxt, sizeof(RiskState));

	state->as_of = as_of;
	exact_sum_init(&state->recorded_amount);
	exact_sum_init(&state->late_amount_days);
	exact_sum_init(&state->owed);
	exact_sum_init(&state->owed_overdue);
	return state;
}

PG_FUNCTION_INFO_V1(arcollect_risk_score_transfn);

/* risk_score(due_on, paid_on, amount, open_amount, as_of) transition */
Datum
arcollect_risk_score_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext mcxt = arc_aggregate_memory(fcinfo, "risk_score");
	RiskState  *state = PG_ARGISNULL(0) ? NULL : (RiskState *) PG_GETARG_POINTER(0);
	DateADT		due_on;
	DateADT		as_of;
	bool		paid_by_as_of;
	Amount		amount;
	Amount		open_amount;

	/* paid_on (argument 2) is NULL for unpaid invoices */
	if (PG_ARGISNULL(1) || arc_any_input_null(fcinfo, 3, 5))
		PG_RETURN_STATE(state);
	due_on = PG_GETARG_DATEADT(1);
	as_of = PG_GETARG_DATEADT(5);
	if (state == NULL)
	{
		arc_check_dates_comparable("as_of", as_of);
		state = risk_state_new(mcxt, as_of);
	}
	else if (as_of != state->as_of)
		arc_check_same_date("risk_score", "as_of", state->as_of, as_of);
	arc_check_dates_comparable("due_on", due_on);
	if (!PG_ARGISNULL(2))
		arc_check_dates_comparable("paid_on", PG_GETARG_DATEADT(2));

	arc_amount_read(PG_GETARG_DATUM(3), &amount);
	arc_amount_read(PG_GETARG_DATUM(4), &open_amount);

	paid_by_as_of = !PG_ARGISNULL(2) && PG_GETARG_DATEADT(2) <= as_of;
	if (amount.sign > 0 && (paid_by_as_of || due_on < as_of))
	{
		DateADT		settled = paid_by_as_of ? PG_GETARG_DATEADT(2) : as_of;
		int32		late_days = Max((int32) (settled - due_on), 0);

		exact_sum_add_amount(&state->recorded_amount, &amount, 1, mcxt);
		state->recorded_count++;
		if (late_days > 0)
		{
			exact_sum_add_amount(&state->late_amount_days, &amount, late_days, mcxt);
			state->late_count++;
		}
	}

	if (open_amount.sign > 0)
	{
		exact_sum_add_amount(&state->owed, &open_amount, 1, mcxt);
		if (due_on < as_of)
		{
			exact_sum_add_amount(&state->owed_overdue, &open_amount, 1, mcxt);
			state->oldest_overdue_days = Max(state->oldest_overdue_days,
											 (int32) (as_of - due_on));
		}
	}
	PG_RETURN_STATE(state);
}

PG_FUNCTION_INFO_V1(arcollect_risk_score_combinefn);

Datum
arcollect_risk_score_combinefn(PG_FUNCTION_ARGS)
{
	MemoryContext mcxt = arc_aggregate_memory(fcinfo, "risk_score");
	RiskState  *into = PG_ARGISNULL(0) ? NULL : (RiskState *) PG_GETARG_POINTER(0);
	RiskState  *from = PG_ARGISNULL(1) ? NULL : (RiskState *) PG_GETARG_POINTER(1);

	if (from == NULL)
		PG_RETURN_STATE(into);
	if (into == NULL)
		into = risk_state_new(mcxt, from->as_of);
	else
		arc_check_same_date("risk_score", "as_of", into->as_of, from->as_of);
	exact_sum_combine(&into->recorded_amount, &from->recorded_amount, mcxt);
	exact_sum_combine(&into->late_amount_days, &from->late_amount_days, mcxt);
	into->recorded_count += from->recorded_count;
	into->late_count += from->late_count;
	exact_sum_combine(&into->owed, &from->owed, mcxt);
	exact_sum_combine(&into->owed_overdue, &from->owed_overdue, mcxt);
	into->oldest_overdue_days = Max(into->oldest_overdue_days,
									from->oldest_overdue_days);
	PG_RETURN_STATE(into);
}

PG_FUNCTION_INFO_V1(arcollect_risk_score_serialize);

Datum
arcollect_risk_score_serialize(PG_FUNCTION_ARGS)
{
	RiskState  *state = (RiskState *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint32(&buf, state->as_of);
	exact_sum_serialize(&buf, &state->recorded_amount);
	exact_sum_serialize(&buf, &state->late_amount_days);
	pq_sendint64(&buf, state->recorded_count);
	pq_sendint64(&buf, state->late_count);
	exact_sum_serialize(&buf, &state->owed);
	exact_sum_serialize(&buf, &state->owed_overdue);
	pq_sendint32(&buf, state->oldest_overdue_days);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(arcollect_risk_score_deserialize);

Datum
arcollect_risk_score_deserialize(PG_FUNCTION_ARGS)
{
	StringInfoData buf;
	RiskState  *state;

	arc_check_aggregate_call(fcinfo, "risk_score");
	arc_state_deserialize_begin(&buf, PG_GETARG_BYTEA_PP(0));
	state = risk_state_new(CurrentMemoryContext, pq_getmsgint(&buf, 4));
	exact_sum_deserialize(&buf, &state->recorded_amount);
	exact_sum_deserialize(&buf, &state->late_amount_days);
	state->recorded_count = pq_getmsgint64(&buf);
	state->late_count = pq_getmsgint64(&buf);
	exact_sum_deserialize(&buf, &state->owed);
	exact_sum_deserialize(&buf, &state->owed_overdue);
	state->oldest_overdue_days = pq_getmsgint(&buf, 4);
	arc_state_deserialize_end(&buf, "risk_score");
	PG_RETURN_STATE(state);
}

/*
 * points * min(numer / denom, 1), or 0 when denom is zero: a factor with
 * nothing to measure adds no risk.
 */
static Numeric
capped_points(int points, Numeric numer, Numeric denom)
{
	if (arc_numeric_sign_of(denom) <= 0 || arc_numeric_sign_of(numer) <= 0)
		return int64_to_numeric(0);
	if (arc_numeric_compare(numer, denom) >= 0)
		return int64_to_numeric(points);
	return arc_numeric_divide(arc_numeric_times(int64_to_numeric(points), numer), denom);
}

PG_FUNCTION_INFO_V1(arcollect_risk_score_finalfn);

Datum
arcollect_risk_score_finalfn(PG_FUNCTION_ARGS)
{
	RiskState  *state = (RiskState *) PG_GETARG_POINTER(0);
	Numeric		score;

	score = capped_points(LATE_DAYS_POINTS,
						  exact_sum_result(&state->late_amount_days),
						  arc_numeric_times(exact_sum_result(&state->recorded_amount),
										int64_to_numeric(LATE_DAYS_FULL)));
	score = arc_numeric_plus(score,
						 capped_points(LATE_SHARE_POINTS,
									   int64_to_numeric(state->late_count),
									   int64_to_numeric(state->recorded_count)));
	score = arc_numeric_plus(score,
						 capped_points(OVERDUE_POINTS,
									   exact_sum_result(&state->owed_overdue),
									   exact_sum_result(&state->owed)));
	score = arc_numeric_plus(score,
						 capped_points(OLDEST_POINTS,
									   int64_to_numeric(state->oldest_overdue_days),
									   int64_to_numeric(OLDEST_FULL)));
	PG_RETURN_DATUM(DirectFunctionCall2(numeric_round, NumericGetDatum(score),
										Int32GetDatum(2)));
}
