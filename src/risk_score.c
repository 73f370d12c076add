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
	ArcState	hdr;
	DateADT		as_of;
	int32		oldest_overdue_days;
	int64		recorded_count;
	int64		late_count;
} RiskState;

/* Its sums */
#define RISK_RECORDED_AMOUNT 0	/* sum(amount) with a payment record */
#define RISK_LATE_AMOUNT_DAYS 1 /* sum(amount * days late) */
#define RISK_OWED 2				/* sum of positive open amounts */
#define RISK_OWED_OVERDUE 3		/* ... of those past due */
#define RISK_SUMS 4

static ArcState *
risk_state_new(DateADT as_of)
{
	ArcState   *state = arc_state_new(ARC_STATE_RISK, sizeof(RiskState), RISK_SUMS);

	((RiskState *) state)->as_of = as_of;
	return state;
}

PG_FUNCTION_INFO_V1(arcollect_risk_score_transfn);

/* risk_score(due_on, paid_on, amount, open_amount, as_of) transition */
Datum
arcollect_risk_score_transfn(PG_FUNCTION_ARGS)
{
	ArcState   *state = arc_state_for_update(fcinfo, 0, ARC_STATE_RISK);
	RiskState  *risk;
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
		state = risk_state_new(as_of);
	}
	risk = (RiskState *) state;
	if (as_of != risk->as_of)
		arc_check_same_date("risk_score", "as_of", risk->as_of, as_of);
	arc_check_dates_comparable("due_on", due_on);
	if (!PG_ARGISNULL(2))
		arc_check_dates_comparable("paid_on", PG_GETARG_DATEADT(2));

	arc_amount_read(PG_GETARG_DATUM(3), &amount);
	arc_amount_read(PG_GETARG_DATUM(4), &open_amount);

	/* the counts first: adding to a sum may move the state */
	paid_by_as_of = !PG_ARGISNULL(2) && PG_GETARG_DATEADT(2) <= as_of;
	if (amount.sign > 0 && (paid_by_as_of || due_on < as_of))
	{
		DateADT		settled = paid_by_as_of ? PG_GETARG_DATEADT(2) : as_of;
		int32		late_days = Max((int32) (settled - due_on), 0);

		risk->recorded_count++;
		if (late_days > 0)
			risk->late_count++;
		exact_sum_add_amount(&state, RISK_RECORDED_AMOUNT, &amount, 1);
		if (late_days > 0)
			exact_sum_add_amount(&state, RISK_LATE_AMOUNT_DAYS, &amount, late_days);
	}

	if (open_amount.sign > 0)
	{
		if (due_on < as_of)
		{
			risk = (RiskState *) state;
			risk->oldest_overdue_days = Max(risk->oldest_overdue_days,
											(int32) (as_of - due_on));
			exact_sum_add_amount(&state, RISK_OWED_OVERDUE, &open_amount, 1);
		}
		exact_sum_add_amount(&state, RISK_OWED, &open_amount, 1);
	}
	PG_RETURN_STATE(state);
}

PG_FUNCTION_INFO_V1(arcollect_risk_score_combinefn);

Datum
arcollect_risk_score_combinefn(PG_FUNCTION_ARGS)
{
	ArcState   *into = arc_state_for_update(fcinfo, 0, ARC_STATE_RISK);
	const ArcState *from = arc_state_for_reading(fcinfo, 1, ARC_STATE_RISK);
	const RiskState *other = (const RiskState *) from;
	RiskState  *risk;
	int			i;

	if (from == NULL)
		PG_RETURN_STATE(into);
	if (into == NULL)
		into = risk_state_new(other->as_of);
	risk = (RiskState *) into;
	arc_check_same_date("risk_score", "as_of", risk->as_of, other->as_of);
	risk->recorded_count += other->recorded_count;
	risk->late_count += other->late_count;
	risk->oldest_overdue_days = Max(risk->oldest_overdue_days,
									other->oldest_overdue_days);
	for (i = 0; i < RISK_SUMS; i++)
		exact_sum_combine(&into, i, from, i);
	PG_RETURN_STATE(into);
}

static void
risk_send(StringInfo buf, const ArcState *state)
{
	const RiskState *risk = (const RiskState *) state;

	pq_sendint32(buf, risk->as_of);
	exact_sum_send(buf, state, RISK_RECORDED_AMOUNT);
	exact_sum_send(buf, state, RISK_LATE_AMOUNT_DAYS);
	pq_sendint64(buf, risk->recorded_count);
	pq_sendint64(buf, risk->late_count);
	exact_sum_send(buf, state, RISK_OWED);
	exact_sum_send(buf, state, RISK_OWED_OVERDUE);
	pq_sendint32(buf, risk->oldest_overdue_days);
}

/* Counts of invoices that are not negative, late ones among the recorded. */
static ArcState *
risk_recv(StringInfo buf)
{
	ArcState   *state = risk_state_new(arc_recv_date(buf, "risk_score"));
	RiskState  *risk;
	int64		recorded_count;
	int64		late_count;
	int32		oldest_overdue_days;

	exact_sum_recv(buf, &state, RISK_RECORDED_AMOUNT, "risk_score");
	exact_sum_recv(buf, &state, RISK_LATE_AMOUNT_DAYS, "risk_score");
	recorded_count = pq_getmsgint64(buf);
	late_count = pq_getmsgint64(buf);
	exact_sum_recv(buf, &state, RISK_OWED, "risk_score");
	exact_sum_recv(buf, &state, RISK_OWED_OVERDUE, "risk_score");
	oldest_overdue_days = pq_getmsgint(buf, 4);
	if (late_count < 0 || recorded_count < late_count || oldest_overdue_days < 0)
		arc_state_malformed("risk_score", "negative counts or more late invoices than recorded");
	risk = (RiskState *) state;
	risk->recorded_count = recorded_count;
	risk->late_count = late_count;
	risk->oldest_overdue_days = oldest_overdue_days;
	return state;
}

const ArcStateCodec arc_risk_codec = {"risk_score", risk_send, risk_recv};

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
	const ArcState *state = arc_state_for_reading(fcinfo, 0, ARC_STATE_RISK);
	const RiskState *risk = (const RiskState *) state;
	Numeric		score;

	score = capped_points(LATE_DAYS_POINTS,
						  exact_sum_result(state, RISK_LATE_AMOUNT_DAYS),
						  arc_numeric_times(exact_sum_result(state, RISK_RECORDED_AMOUNT),
											int64_to_numeric(LATE_DAYS_FULL)));
	score = arc_numeric_plus(score,
							 capped_points(LATE_SHARE_POINTS,
										   int64_to_numeric(risk->late_count),
										   int64_to_numeric(risk->recorded_count)));
	score = arc_numeric_plus(score,
							 capped_points(OVERDUE_POINTS,
										   exact_sum_result(state, RISK_OWED_OVERDUE),
										   exact_sum_result(state, RISK_OWED)));
	score = arc_numeric_plus(score,
							 capped_points(OLDEST_POINTS,
										   int64_to_numeric(risk->oldest_overdue_days),
										   int64_to_numeric(OLDEST_FULL)));
	PG_RETURN_DATUM(DirectFunctionCall2(numeric_round, NumericGetDatum(score),
										Int32GetDatum(2)));
}
