/*-------------------------------------------------------------------------
 *
 * cei.c
 *	  Collection Effectiveness Index.
 *
 *	  CEI = (B + S/m - E) / (B + S/m - EC) * 100
 *
 * with B beginning AR, S credit sales over m months, E ending AR and EC
 * ending current AR.  Numerator and denominator are both multiplied by m
 * before dividing, so the only rounding is the final division's.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/numeric.h"

#include "exact_sum.h"

static Numeric
finite_argument(FunctionCallInfo fcinfo, int argno, const char *argname)
{
	Numeric		value = PG_GETARG_NUMERIC(argno);

	if (numeric_is_nan(value) || numeric_is_inf(value))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a finite number", argname)));
	return value;
}

PG_FUNCTION_INFO_V1(arcollect_cei);

/* NULL when there was nothing to collect (the denominator is zero). */
Datum
arcollect_cei(PG_FUNCTION_ARGS)
{
	Numeric		beginning_ar = finite_argument(fcinfo, 0, "beginning_ar");
	Numeric		credit_sales = finite_argument(fcinfo, 1, "credit_sales");
	Numeric		ending_ar = finite_argument(fcinfo, 2, "ending_ar");
	Numeric		ending_current_ar = finite_argument(fcinfo, 3, "ending_current_ar");
	int32		months = PG_GETARG_INT32(4);
	Numeric		m;
	Numeric		available;
	Numeric		collected;
	Numeric		collectible;

	if (months < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("months must be at least 1, got %d", months),
				 errhint("Give the number of months the credit sales cover, 1 for a monthly CEI.")));

	m = int64_to_numeric(months);
	/* m * (B + S/m) = m*B + S */
	available = numeric_plus(numeric_times(m, beginning_ar), credit_sales);
	collected = numeric_minus(available, numeric_times(m, ending_ar));
	collectible = numeric_minus(available, numeric_times(m, ending_current_ar));
	if (numeric_sign_of(collectible) == 0)
		PG_RETURN_NULL();
	PG_RETURN_NUMERIC(numeric_divide(numeric_times(collected, int64_to_numeric(100)),
									 collectible));
}
