/*-------------------------------------------------------------------------
 *
 * payment_index.c
 *	  The 1-100 trade payment index for a number of days beyond terms.
 *
 * Anchor points: 100 at 30 or more days early, 90 at 20 early, 80 on
 * terms, 70 at 15 beyond, 60 at 22, 50 at 30, 40 at 60, 30 at 90, 20 at
 * 120.  Between anchors the index is linear, rounded half up.  Past 120
 * days the scale says only "below 20": the index goes on along the last
 * segment's line (10 points per 30 days, so 20 - (days - 120) / 3), rounded
 * down, so that every day past 120 scores below 20 and each point lasts 3
 * days: 19 through 123 days, 18 through 126, ..., 2 through 174, and 1
 * past 174, never less.  All of it is computed exactly, so that a value
 * landing on .5 or on a whole number always rounds the same way.
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
	{30, 50}, {60, 40}, {90, 30}, {120, 20}
};

#define FIRST_ANCHOR (&anchors[0])
#define LAST_ANCHOR (&anchors[lengthof(anchors) - 1])
#define MIN_INDEX 1

/* floor(numer / denom) for numer >= 0 and denom > 0, exactly. */
static int
floor_quotient(Numeric numer, Numeric denom)
{
	return numeric_int4_opt_error(DatumGetNumeric(DirectFunctionCall2(numeric_div_trunc,
																	  NumericGetDatum(numer),
																	  NumericGetDatum(denom))),
								  NULL);
}

/*
 * Between two anchors (lo.days < days <= hi.days): the line through them,
 * lo.score + (days - lo.days) * rise / width, rounded half up as
 * floor((2 * numerator + width) / (2 * width)).  The numerator is positive:
 * every anchor scores at least 20.
 */
static int
index_between(const IndexPoint *lo, const IndexPoint *hi, Numeric days)
{
	Numeric		width = int64_to_numeric(hi->days - lo->days);
	Numeric		numer;

	numer = arc_numeric_plus(arc_numeric_times(int64_to_numeric(lo->score), width),
						 arc_numeric_times(arc_numeric_minus(days, int64_to_numeric(lo->days)),
									   int64_to_numeric(hi->score - lo->score)));
	return floor_quotient(arc_numeric_plus(arc_numeric_times(int64_to_numeric(2), numer), width),
						  arc_numeric_times(int64_to_numeric(2), width));
}

/*
 * Past the last anchor: the last segment's line continued, rounded down,
 * at least MIN_INDEX.  With fall points lost per width days, the line is
 * (zero_day - days) * fall / width, where zero_day (180) is the day it
 * reaches 0; from there on, and for any larger value however large, the
 * index is MIN_INDEX without arithmetic.
 */
static int
index_past_last(Numeric days)
{
	const IndexPoint *prev = LAST_ANCHOR - 1;
	int			width = LAST_ANCHOR->days - prev->days;
	int			fall = prev->score - LAST_ANCHOR->score;
	int			zero_day = LAST_ANCHOR->days + LAST_ANCHOR->score * width / fall;
	int			score;

	if (arc_numeric_compare(days, int64_to_numeric(zero_day)) >= 0)
		return MIN_INDEX;
	score = floor_quotient(arc_numeric_times(arc_numeric_minus(int64_to_numeric(zero_day), days),
										 int64_to_numeric(fall)),
						   int64_to_numeric(width));
	return Max(score, MIN_INDEX);
}

PG_FUNCTION_INFO_V1(arcollect_payment_index);

Datum
arcollect_payment_index(PG_FUNCTION_ARGS)
{
	Numeric		days = PG_GETARG_NUMERIC(0);
	int			i;

	if (numeric_is_nan(days))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("days_beyond_terms must be a number, not NaN")));
	if (arc_numeric_compare(days, int64_to_numeric(FIRST_ANCHOR->days)) <= 0)
		PG_RETURN_INT32(FIRST_ANCHOR->score);
	if (arc_numeric_compare(days, int64_to_numeric(LAST_ANCHOR->days)) > 0)
		PG_RETURN_INT32(index_past_last(days));

	/* the segment holding days: anchors[i].days < days <= anchors[i + 1].days */
	for (i = 0; arc_numeric_compare(days, int64_to_numeric(anchors[i + 1].days)) > 0; i++)
		;
	PG_RETURN_INT32(index_between(&anchors[i], &anchors[i + 1], days));
}
