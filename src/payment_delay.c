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

/* avg_payment_delay's state: two sums, no fields of its own. */
#define DELAY_WEIGHTED_DAYS 0	/* sum(amount * delay) */
#define DELAY_AMOUNT 1			/* sum(amount) */

static ArcState *
payment_delay_state_new(void)
{
	return arc_state_new(ARC_STATE_PAYMENT_DELAY, sizeof(ArcState), 2);
}

PG_FUNCTION_INFO_V1(arcollect_payment_delay_transfn);

/* avg_payment_delay(due_on, paid_on, amount) transition */
Datum
arcollect_payment_delay_transfn(PG_FUNCTION_ARGS)
{
	ArcState   *state = arc_state_for_update(fcinfo, 0, ARC_STATE_PAYMENT_DELAY);
	Amount		amount;
	int32		days;

	if (arc_any_input_null(fcinfo, 1, 3))
		PG_RETURN_STATE(state);
	if (state == NULL)
		state = payment_delay_state_new();
	arc_amount_read(PG_GETARG_DATUM(3), &amount);
	days = delay_days(fcinfo);
	exact_sum_add_amount(&state, DELAY_WEIGHTED_DAYS, &amount, days);
	exact_sum_add_amount(&state, DELAY_AMOUNT, &amount, 1);
	PG_RETURN_STATE(state);
}

PG_FUNCTION_INFO_V1(arcollect_payment_delay_combinefn);

Datum
arcollect_payment_delay_combinefn(PG_FUNCTION_ARGS)
{
	ArcState   *into = arc_state_for_update(fcinfo, 0, ARC_STATE_PAYMENT_DELAY);
	const ArcState *from = arc_state_for_reading(fcinfo, 1, ARC_STATE_PAYMENT_DELAY);

	if (from == NULL)
		PG_RETURN_STATE(into);
	if (into == NULL)
		into = payment_delay_state_new();
	exact_sum_combine(&into, DELAY_WEIGHTED_DAYS, from, DELAY_WEIGHTED_DAYS);
	exact_sum_combine(&into, DELAY_AMOUNT, from, DELAY_AMOUNT);
	PG_RETURN_STATE(into);
}

static void
payment_delay_send(StringInfo buf, const ArcState *state)
{
	exact_sum_send(buf, state, DELAY_WEIGHTED_DAYS);
	exact_sum_send(buf, state, DELAY_AMOUNT);
}

static ArcState *
payment_delay_recv(StringInfo buf)
{
	ArcState   *state = payment_delay_state_new();

	exact_sum_recv(buf, &state, DELAY_WEIGHTED_DAYS, "avg_payment_delay");
	exact_sum_recv(buf, &state, DELAY_AMOUNT, "avg_payment_delay");
	return state;
}

const ArcStateCodec arc_payment_delay_codec = {
	"avg_payment_delay", payment_delay_send, payment_delay_recv
};

PG_FUNCTION_INFO_V1(arcollect_payment_delay_finalfn);

/* NULL when the amounts add up to zero: there is nothing to weigh by. */
Datum
arcollect_payment_delay_finalfn(PG_FUNCTION_ARGS)
{
	const ArcState *state = arc_state_for_reading(fcinfo, 0, ARC_STATE_PAYMENT_DELAY);

	if (exact_sum_sign(state, DELAY_AMOUNT) == 0)
		PG_RETURN_NULL();
	PG_RETURN_NUMERIC(arc_numeric_divide(exact_sum_result(state, DELAY_WEIGHTED_DAYS),
										 exact_sum_result(state, DELAY_AMOUNT)));
}

typedef struct DaysLateState
{
	ArcState	hdr;
	int64		late_days;		/* sum(greatest(paid_on - due_on, 0)) */
	int64		count;
} DaysLateState;

static ArcState *
days_late_state_new(void)
{
	return arc_state_new(ARC_STATE_DAYS_LATE, sizeof(DaysLateState), 0);
}

static void
add_late_days(DaysLateState *state, int64 days)
{
	/* adding at most 2^31 per row: only 2^32 rows could overflow */
	if (pg_add_s64_overflow(state->late_days, days, &state->late_days))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("avg_days_late: total days late out of range")));
}

PG_FUNCTION_INFO_V1(arcollect_days_late_transfn);

/* avg_days_late(due_on, paid_on) transition */
Datum
arcollect_days_late_transfn(PG_FUNCTION_ARGS)
{
	ArcState   *state = arc_state_for_update(fcinfo, 0, ARC_STATE_DAYS_LATE);
	DaysLateState *late;
	int32		days;

	if (arc_any_input_null(fcinfo, 1, 2))
		PG_RETURN_STATE(state);
	if (state == NULL)
		state = days_late_state_new();
	late = (DaysLateState *) state;
	days = delay_days(fcinfo);
	add_late_days(late, Max(days, 0));
	late->count++;
	PG_RETURN_STATE(state);
}

PG_FUNCTION_INFO_V1(arcollect_days_late_combinefn);

Datum
arcollect_days_late_combinefn(PG_FUNCTION_ARGS)
{
	ArcState   *into = arc_state_for_update(fcinfo, 0, ARC_STATE_DAYS_LATE);
	const ArcState *from = arc_state_for_reading(fcinfo, 1, ARC_STATE_DAYS_LATE);
	DaysLateState *late;

	if (from == NULL)
		PG_RETURN_STATE(into);
	if (into == NULL)
		into = days_late_state_new();
	late = (DaysLateState *) into;
	add_late_days(late, ((const DaysLateState *) from)->late_days);
	late->count += ((const DaysLateState *) from)->count;
	PG_RETURN_STATE(into);
}

static void
days_late_send(StringInfo buf, const ArcState *state)
{
	const DaysLateState *late = (const DaysLateState *) state;

	pq_sendint64(buf, late->late_days);
	pq_sendint64(buf, late->count);
}

/* A state counts at least the row that made it, and no negative days. */
static ArcState *
days_late_recv(StringInfo buf)
{
	ArcState   *state = days_late_state_new();
	DaysLateState *late = (DaysLateState *) state;

	late->late_days = pq_getmsgint64(buf);
	late->count = pq_getmsgint64(buf);
	if (late->late_days < 0 || late->count <= 0)
		arc_state_malformed("avg_days_late", "negative days or no rows");
	return state;
}

const ArcStateCodec arc_days_late_codec = {
	"avg_days_late", days_late_send, days_late_recv
};

PG_FUNCTION_INFO_V1(arcollect_days_late_finalfn);

Datum
arcollect_days_late_finalfn(PG_FUNCTION_ARGS)
{
	const DaysLateState *late = (const DaysLateState *)
		arc_state_for_reading(fcinfo, 0, ARC_STATE_DAYS_LATE);

	PG_RETURN_NUMERIC(arc_numeric_divide(int64_to_numeric(late->late_days),
										 int64_to_numeric(late->count)));
}
