/*-------------------------------------------------------------------------
 *
 * payment_index.c
 *	  The 1-100 trade payment index for a number of days beyond terms.
 *
 * Anchor points: 100 at 30 or more days early, 90 at 20 early, 80 on
 * terms, 70 at 15 beyond, 60 at 22, 50 at 30, 40 at 60, 30 at 90, 20 at
 * 120.  Between anchors the index is linear; past 120 days it keeps falling
 * at the last segment's rate (10 points per 30 days) and stops at 1.  The
 * result is rounded half up, computed exactly so that a value landing on
 * .5 always rounds the same way.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/numeric.h"

#include "exact_sum.h"

typedef struct IndexPoint
{
	int			days;			/* days beyond terms (negative: early) */
	int			score;
} IndexPoint;

static const IndexPoint anchors[] = {
	{-30, 100}, {-20, 90}, {0, 80}, {15, 70}, {22, 60},
	{30, 50}, {60, 40}, {90, 30}, {120, 20},
	{150, 10}					/* only to extend the last slope past 120 */
};

#define LAST_SEGMENT (lengthof(anchors) - 2)

PG_FUNCTION_INFO_V1(arcollect_payment_index);

Datum
arcollect_payment_index(PG_FUNCTION_ARGS)
{
	Numeric		days = PG_GETARG_NUMERIC(0);
	const IndexPoint *lo;
	const IndexPoint *hi;
	Numeric		width;
	Numeric		twice_numer;
	int			i;
	int			score;

	if (numeric_is_nan(days))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("days_beyond_terms must be a number, not NaN")));
	if (numeric_compare(days, int64_to_numeric(anchors[0].days)) <= 0)
		PG_RETURN_INT32(anchors[0].score);

	/* the segment holding days; the last one also covers everything later */
	for (i = 0; i < (int) LAST_SEGMENT; i++)
		if (numeric_compare(days, int64_to_numeric(anchors[i + 1].days)) <= 0)
			break;
	lo = &anchors[i];
	hi = &anchors[i + 1];

	/*
	 * score = (lo.score * width + (days - lo.days) * rise) / width, rounded
	 * half up: floor((2 * numerator + width) / (2 * width)).
	 */
	width = int64_to_numeric(hi->days - lo->days);
	twice_numer = numeric_times(int64_to_numeric(2),
								numeric_plus(numeric_times(int64_to_numeric(lo->score), width),
											 numeric_times(numeric_minus(days, int64_to_numeric(lo->days)),
														   int64_to_numeric(hi->score - lo->score))));
	twice_numer = numeric_plus(twice_numer, width);
	if (numeric_sign_of(twice_numer) <= 0)
		PG_RETURN_INT32(1);
	score = numeric_int4_opt_error(
								   DatumGetNumeric(DirectFunctionCall2(numeric_div_trunc,
																	   NumericGetDatum(twice_numer),
																	   NumericGetDatum(numeric_times(int64_to_numeric(2), width)))),
								   NULL);
	PG_RETURN_INT32(Max(score, 1));
}
