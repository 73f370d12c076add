/*-------------------------------------------------------------------------
 *
 * exact_sum.h
 *	  Exact, allocation-free summing of numeric money amounts.
 *
 * Every aggregate in arcollect adds up numeric amounts row by row.  Going
 * through numeric_add for each row would allocate a new numeric per row;
 * instead an ExactSum keeps ordinary amounts (fewer than 20 integer digits
 * and at most 8 decimals) as a 128-bit fixed-point integer, and only
 * amounts outside that range go through numeric arithmetic.  The result is
 * exactly what sum() over the same values gives, including its display
 * scale.
 *
 *-------------------------------------------------------------------------
 */
#ifndef ARCOLLECT_EXACT_SUM_H
#define ARCOLLECT_EXACT_SUM_H

#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/numeric.h"

#ifndef HAVE_INT128
#error "arcollect needs a compiler with a 128-bit integer type"
#endif

typedef struct ExactSum
{
	int128		scaled;			/* sum of fast-path terms, times 10^8 */
	Numeric		spill;			/* sum of the other terms, or NULL */
	int32		dscale;			/* largest display scale of any term */
} ExactSum;

/* An amount read once, to be added to one or more sums. */
typedef struct Amount
{
	Datum		datum;
	bool		fast;			/* true: `scaled` holds the value */
	int128		scaled;			/* value times 10^8 */
	int			dscale;			/* display scale */
	int			sign;			/* -1, 0 or 1 */
} Amount;

extern void arc_amount_read(Datum datum, Amount *amount);

extern void exact_sum_init(ExactSum *sum);
extern void exact_sum_add(ExactSum *sum, Datum amount, MemoryContext mcxt);
extern void exact_sum_add_amount(ExactSum *sum, const Amount *amount,
								 int64 factor, MemoryContext mcxt);
extern void exact_sum_combine(ExactSum *into, const ExactSum *from,
							  MemoryContext mcxt);
extern Numeric exact_sum_result(const ExactSum *sum);
extern Numeric exact_sum_result_scaled(const ExactSum *sum, int dscale);
extern int	exact_sum_sign(const ExactSum *sum);
extern void exact_sum_serialize(StringInfo buf, const ExactSum *sum);
extern void exact_sum_deserialize(StringInfo buf, ExactSum *sum);

/* Small numeric helpers shared by the final functions. */
extern Numeric arc_numeric_times(Numeric a, Numeric b);
extern Numeric arc_numeric_plus(Numeric a, Numeric b);
extern Numeric arc_numeric_minus(Numeric a, Numeric b);
extern Numeric arc_numeric_divide(Numeric a, Numeric b);
extern int	arc_numeric_compare(Numeric a, Numeric b);
extern int	arc_numeric_sign_of(Numeric a);

#endif							/* ARCOLLECT_EXACT_SUM_H */
