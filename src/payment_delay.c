/*-------------------------------------------------------------------------
 *
 * payment_delay.c
 *	  Average payment delay (amount-weighted) and average days late.
 *
 *	  avg_payment_delay = sum(amount * (paid_on - due_on)) / sum(amount)
 *	  avg_days_late     = avg(greatest(paid_on - due_on, 0))
 *
 * Early payment counts negative in the first and as zero in the second.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/int.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/date.h"

#include "aggregate.h"
#include "exact_sum.h"

static int32
delay_days(FunctionCallInfo fcinfo)
{
	DateADT		due_on = PG_GETARG_DATEADT(1);
	DateADT		paid_on = PG_GETARG_DATEADT(2);

	arc_check_dates_comparable("due_on", due_on);
	arc_check_dates_comparable("paid_on", paid_on);
	return (int32) (paid_on - due_on);
}

typedef struct PaymentDelayState
{
	ExactSum	weighted_days;	/* sum(amount * delay) */
	ExactSum	amount;			/* sum(amount) */
} PaymentDelayState;

static PaymentDelayState *
payment_delay_state_new(MemoryContext mcxt)
{
	PaymentDelayState *state = MemoryContextAlloc(mcxt, sizeof(PaymentDelayState));

	exact_sum_init(&state->weighted_days);
	exact_sum_init(&state->amount);
	return state;
}

PG_FUNCTION_INFO_V1(arcollect_payment_delay_transfn);

/* avg_payment_delay(due_on, paid_on, amount) transition */
Datum
arcollect_payment_delay_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext mcxt = arc_aggregate_memory(fcinfo, "avg_payment_delay");
	PaymentDelayState *state = PG_ARGISNULL(0) ? NULL : (PaymentDelayState *) PG_GETARG_POINTER(0);
	Amount		amount;

	if (arc_any_input_null(fcinfo, 1, 3))
		PG_RETURN_STATE(state);
	if (state == NULL)
		state = payment_delay_state_new(mcxt);
	arc_amount_read(PG_GETARG_DATUM(3), &amount);
	exact_sum_add_amount(&state->weighted_days, &amount, delay_days(fcinfo), mcxt);
	exact_sum_add_amount(&state->amount, &amount, 1, mcxt);
	PG_RETURN_STATE(state);
}

PG_FUNCTION_INFO_V1(arcollect_payment_delay_combinefn);

Datum
arcollect_payment_delay_combinefn(PG_FUNCTION_ARGS)
{
	MemoryContext mcxt = arc_aggregate_memory(fcinfo, "avg_payment_delay");
	PaymentDelayState *into = PG_ARGISNULL(0) ? NULL : (PaymentDelayState *) PG_GETARG_POINTER(0);
	PaymentDelayState *from = PG_ARGISNULL(1) ? NULL : (PaymentDelayState *) PG_GETARG_POINTER(1);

	if (from == NULL)
		PG_RETURN_STATE(into);
	if (into == NULL)
		into = payment_delay_state_new(mcxt);
	exact_sum_combine(&into->weighted_days, &from->weighted_days, mcxt);
	exact_sum_combine(&into->amount, &from->amount, mcxt);
	PG_RETURN_STATE(into);
}

PG_FUNCTION_INFO_V1(arcollect_payment_delay_serialize);

Datum
arcollect_payment_delay_serialize(PG_FUNCTION_ARGS)
{
	PaymentDelayState *state = (PaymentDelayState *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	exact_sum_serialize(&buf, &state->weighted_days);
	exact_sum_serialize(&buf, &state->amount);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(arcollect_payment_delay_deserialize);

Datum
arcollect_payment_delay_deserialize(PG_FUNCTION_ARGS)
{
	PaymentDelayState *state;
	StringInfoData buf;

	arc_check_aggregate_call(fcinfo, "avg_payment_delay");
	state = payment_delay_state_new(CurrentMemoryContext);
	arc_state_deserialize_begin(&buf, PG_GETARG_BYTEA_PP(0));
	exact_sum_deserialize(&buf, &state->weighted_days);
	exact_sum_deserialize(&buf, &state->amount);
	arc_state_deserialize_end(&buf, "avg_payment_delay");
	PG_RETURN_STATE(state);
}

PG_FUNCTION_INFO_V1(arcollect_payment_delay_finalfn);

/* NULL when the amounts add up to zero: there is nothing to weigh by. */
Datum
arcollect_payment_delay_finalfn(PG_FUNCTION_ARGS)
{
	PaymentDelayState *state = (PaymentDelayState *) PG_GETARG_POINTER(0);

	if (exact_sum_sign(&state->amount) == 0)
		PG_RETURN_NULL();
	PG_RETURN_NUMERIC(arc_numeric_divide(exact_sum_result(&state->weighted_days),
									 exact_sum_result(&state->amount)));
}

typedef struct DaysLateState
{
	int64		late_days;		/* sum(greatest(paid_on - due_on, 0)) */
	int64		count;
} DaysLateState;

PG_FUNCTION_INFO_V1(arcollect_days_late_transfn);

/* avg_days_late(due_on, paid_on) transition */
Datum
arcollect_days_late_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext mcxt = arc_aggregate_memory(fcinfo, "avg_days_late");
	DaysLateState *state = PG_ARGISNULL(0) ? NULL : (DaysLateState *) PG_GETARG_POINTER(0);
	int32		days;

	if (arc_any_input_null(fcinfo, 1, 2))
		PG_RETURN_STATE(state);
	if (state == NULL)
		state = MemoryContextAllocZero(mcxt, sizeof(DaysLateState));
	days = delay_days(fcinfo);
	/* adding at most 2^31 per row: only 2^32 rows could overflow */
	if (pg_add_s64_overflow(state->late_days, Max(days, 0), &state->late_days))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("avg_days_late: total days late out of range")));
	state->count++;
	PG_RETURN_STATE(state);
}

PG_FUNCTION_INFO_V1(arcollect_days_late_combinefn);

Datum
arcollect_days_late_combinefn(PG_FUNCTION_ARGS)
{
	MemoryContext mcxt = arc_aggregate_memory(fcinfo, "avg_days_late");
	DaysLateState *into = PG_ARGISNULL(0) ? NULL : (DaysLateState *) PG_GETARG_POINTER(0);
	DaysLateState *from = PG_ARGISNULL(1) ? NULL : (DaysLateState *) PG_GETARG_POINTER(1);

	if (from == NULL)
		PG_RETURN_STATE(into);
	if (into == NULL)
		into = MemoryContextAllocZero(mcxt, sizeof(DaysLateState));
	if (pg_add_s64_overflow(into->late_days, from->late_days, &into->late_days))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("avg_days_late: total days late out of range")));
	into->count += from->count;
	PG_RETURN_STATE(into);
}

PG_FUNCTION_INFO_V1(arcollect_days_late_serialize);

Datum
arcollect_days_late_serialize(PG_FUNCTION_ARGS)
{
	DaysLateState *state = (DaysLateState *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint64(&buf, state->late_days);
	pq_sendint64(&buf, state->count);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(arcollect_days_late_deserialize);

Datum
arcollect_days_late_deserialize(PG_FUNCTION_ARGS)
{
	DaysLateState *state;
	StringInfoData buf;

	arc_check_aggregate_call(fcinfo, "avg_days_late");
	state = palloc(sizeof(DaysLateState));
	arc_state_deserialize_begin(&buf, PG_GETARG_BYTEA_PP(0));
	state->late_days = pq_getmsgint64(&buf);
	state->count = pq_getmsgint64(&buf);
	arc_state_deserialize_end(&buf, "avg_days_late");
	PG_RETURN_STATE(state);
}

PG_FUNCTION_INFO_V1(arcollect_days_late_finalfn);

Datum
arcollect_days_late_finalfn(PG_FUNCTION_ARGS)
{
	DaysLateState *state = (DaysLateState *) PG_GETARG_POINTER(0);

	PG_RETURN_NUMERIC(arc_numeric_divide(int64_to_numeric(state->late_days),
									 int64_to_numeric(state->count)));
}
