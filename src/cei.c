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
#include "utils/builtins.h"
#include "utils/numeric.h"

#include "exact_sum.h"

/*
 * Amounts near numeric's largest (just under 10^131072) can take m * B, the
 * sums or 100 * (m * B + S - m * E) out of numeric's range although the
 * index itself is small.  Then all four amounts are multiplied by 10^-16,
 * which moves the decimal point and changes neither a digit nor the ratio:
 * m is below 10^10, so every intermediate value is then below 10^13 times
 * the largest amount times 10^-16, within range.  The quotient is the same
 * number, correctly rounded; it may show up to 16 more decimals, as the
 * amounts then have 16 more.  (An amount with more than 16367 decimals
 * would lose its last ones: numeric keeps at most 16383.)
 */
#define CEI_RESCALE "1e-16"

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

/*
 * Numeric arithmetic that gives NULL instead of an error when the result
 * is out of range; a NULL operand gives NULL.
 */
static Numeric
checked_times(Numeric a, Numeric b)
{
	bool		overflow = false;
	Numeric		result;

	if (a == NULL || b == NULL)
		return NULL;
	result = numeric_mul_opt_error(a, b, &overflow);
	return overflow ? NULL : result;
}

static Numeric
checked_plus(Numeric a, Numeric b)
{
	bool		overflow = false;
	Numeric		result;

	if (a == NULL || b == NULL)
		return NULL;
	result = numeric_add_opt_error(a, b, &overflow);
	return overflow ? NULL : result;
}

static Numeric
checked_minus(Numeric a, Numeric b)
{
	bool		overflow = false;
	Numeric		result;

	if (a == NULL || b == NULL)
		return NULL;
	result = numeric_sub_opt_error(a, b, &overflow);
	return overflow ? NULL : result;
}

/*
 * The CEI's numerator times 100, 100 * (m*B + S - m*E), and its
 * denominator, m*B + S - m*EC.  False when one of them is out of range.
 */
static bool
cei_terms(Numeric b, Numeric s, Numeric e, Numeric ec, Numeric m,
		  Numeric *numer, Numeric *denom)
{
	Numeric		available = checked_plus(checked_times(m, b), s);

	*numer = checked_times(checked_minus(available, checked_times(m, e)),
						   int64_to_numeric(100));
	*denom = checked_minus(available, checked_times(m, ec));
	return *numer != NULL && *denom != NULL;
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
	Numeric		numer;
	Numeric		denom;

	if (months < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("months must be at least 1, got %d", months),
				 errhint("Give the number of months the credit sales cover, 1 for a monthly CEI.")));

	m = int64_to_numeric(months);
	if (!cei_terms(beginning_ar, credit_sales, ending_ar, ending_current_ar, m,
				   &numer, &denom))
	{
		Numeric		rescale = DatumGetNumeric(DirectFunctionCall3(numeric_in,
																  CStringGetDatum(CEI_RESCALE),
																  ObjectIdGetDatum(InvalidOid),
																  Int32GetDatum(-1)));

		if (!cei_terms(arc_numeric_times(beginning_ar, rescale),
					   arc_numeric_times(credit_sales, rescale),
					   arc_numeric_times(ending_ar, rescale),
					   arc_numeric_times(ending_current_ar, rescale), m,
					   &numer, &denom))
			elog(ERROR, "cei terms out of range after rescaling");
	}
	if (arc_numeric_sign_of(denom) == 0)
		PG_RETURN_NULL();
	PG_RETURN_NUMERIC(arc_numeric_divide(numer, denom));
}
