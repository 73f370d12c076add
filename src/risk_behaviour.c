/*-------------------------------------------------------------------------
 *
 * risk_behaviour.c
 *	  The collection risk of a customer once its collections records are
 *	  counted: the invoice-history score of risk_score.c, raised by broken
 *	  promises, broken payment plans and open disputes.
 *
 * The rule works on the gap between the base score and 100, the risk the
 * invoice history has not yet shown.  Each record closes a fixed share of
 * the gap that is left:
 *
 *	  broken promise   25% of the gap left, each
 *	  broken plan      40% of the gap left, each
 *	  open dispute      5% of the gap left, each, for at most 3 of them
 *
 *	  score = 100 - (100 - base) x 0.75^promises x 0.60^plans
 *	                             x 0.95^min(disputes, 3)
 *
 * rounded to two decimals.  So the score stays within base..100, equals
 * the base when there is nothing to count, and never falls when one more
 * promise or plan breaks or a dispute opens (each factor is at most 1);
 * a second broken promise adds less than the first because less is left
 * to add to.  A broken plan weighs more than a broken promise: it broke
 * an agreement on a schedule, usually after a promise.  An open dispute
 * weighs little and only up to three: a customer may dispute an invoice
 * for good reason, and the disputed invoice already counts as overdue in
 * the base score; what the dispute adds is the chance that not all of it
 * will be paid.  The README gives the same rule for users.
 *
 * Everything is exact numeric arithmetic, so a hand computation gives the
 * same digits.  Once less than 0.005 of the gap is left the score rounds
 * to 100.00 whatever more is multiplied in, so the loops stop there:
 * a count of millions costs no more than one of a few dozen.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/numeric.h"

#include "exact_sum.h"

#define MAX_DISPUTES_COUNTED 3

static Numeric
numeric_constant(const char *value)
{
	return DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum(value),
											   ObjectIdGetDatum(InvalidOid),
											   Int32GetDatum(-1)));
}

static void
check_count(const char *argname, int64 count)
{
	if (count < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be negative, not " INT64_FORMAT, argname, count),
				 errdetail("It counts records of the customer."),
				 errhint("Pass 0 when there are none.")));
}

/*
 * gap x keep^count, stopping once the gap is below `negligible` (from
 * there on the score rounds to 100.00 however many more are multiplied).
 */
static Numeric
shrink_gap(Numeric gap, const char *keep, int64 count, Numeric negligible)
{
	Numeric		factor = numeric_constant(keep);

	for (; count > 0 && arc_numeric_compare(gap, negligible) >= 0; count--)
		gap = arc_numeric_times(gap, factor);
	return gap;
}

PG_FUNCTION_INFO_V1(arcollect_risk_with_behaviour);

/*
 * arcollect.risk_with_behaviour(base_score numeric, broken_promises bigint,
 * broken_plans bigint, open_disputes bigint) returns numeric 0-100.
 */
Datum
arcollect_risk_with_behaviour(PG_FUNCTION_ARGS)
{
	Numeric		base = PG_GETARG_NUMERIC(0);
	int64		promises = PG_GETARG_INT64(1);
	int64		plans = PG_GETARG_INT64(2);
	int64		disputes = PG_GETARG_INT64(3);
	Numeric		hundred = int64_to_numeric(100);
	Numeric		negligible = numeric_constant("0.005");
	Numeric		gap;

	if (numeric_is_nan(base) || arc_numeric_sign_of(base) < 0 ||
		arc_numeric_compare(base, hundred) > 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("base_score must be between 0 and 100, not %s",
						DatumGetCString(DirectFunctionCall1(numeric_out,
															NumericGetDatum(base)))),
				 errdetail("The base score is a risk_score result, 0 (lowest) to 100 (highest)."),
				 errhint("Pass arcollect.risk_score over the customer's invoices.")));
	check_count("broken_promises", promises);
	check_count("broken_plans", plans);
	check_count("open_disputes", disputes);

	gap = arc_numeric_minus(hundred, base);
	gap = shrink_gap(gap, "0.75", promises, negligible);
	gap = shrink_gap(gap, "0.60", plans, negligible);
	gap = shrink_gap(gap, "0.95", Min(disputes, MAX_DISPUTES_COUNTED), negligible);
	PG_RETURN_DATUM(DirectFunctionCall2(numeric_round,
										NumericGetDatum(arc_numeric_minus(hundred, gap)),
										Int32GetDatum(2)));
}
