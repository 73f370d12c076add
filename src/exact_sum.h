/*-------------------------------------------------------------------------
 *
 * exact_sum.h
 *	  Exact, allocation-free summing of numeric money amounts.
 *
 * Every aggregate in arcollect adds up numeric amounts row by row.  Going
 * through numeric_add for each row would allocate a new numeric per row;
 * instead an ExactSum keeps ordinary amounts (fewer than 20 integer digits
 * and at most 8 decimals) as a 128-bit fixed-point integer, and only
 * amounts outside that range go through numeric arithmetic, into the
 * sum's spill slot in the aggregate's state (aggregate_state.h).  The
 * result is exactly what sum() over the same values gives, including its
 * display scale.
 *
 * A sum is named by its state and its number there, since adding to its
 * numeric part may give the state a new address: callers pass the state
 * by reference and read their own fields from *state afterwards.
 *
 *-------------------------------------------------------------------------
 */
#ifndef ARCOLLECT_EXACT_SUM_H
#define ARCOLLECT_EXACT_SUM_H

#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/numeric.h"

#include "aggregate_state.h"

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

extern void exact_sum_add_slow(ArcState **state, int sumno, const Amount *amount,
							   int64 factor);
extern void exact_sum_combine(ArcState **into, int into_sumno,
							  const ArcState *from, int from_sumno);
extern Numeric exact_sum_result(const ArcState *state, int sumno);
extern Numeric exact_sum_result_scaled(const ArcState *state, int sumno, int dscale);
extern int	exact_sum_sign(const ArcState *state, int sumno);
extern void exact_sum_send(StringInfo buf, const ArcState *state, int sumno);
/* The fewest bytes exact_sum_send writes (for checking counts read). */
#define EXACT_SUM_MIN_WIRE_SIZE 21
extern void exact_sum_recv(StringInfo buf, ArcState **state, int sumno,
						   const char *aggname);

/*
 * Adds amount * factor to sum `sumno`.  The factor is a whole number (a
 * day count, or 1), so the term keeps the amount's display scale, as in
 * SQL.  The fast path (the term fits the fixed-point part) is inline: it
 * is what every row of every aggregate runs.
 */
static inline void
exact_sum_add_amount(ArcState **state, int sumno, const Amount *amount, int64 factor)
{
	ExactSum   *sum = &arc_state_sums(*state)[sumno];
	int128		term;
	int128		total;

	if (likely(amount->fast) &&
		!__builtin_mul_overflow(amount->scaled, (int128) factor, &term) &&
		!__builtin_add_overflow(sum->scaled, term, &total))
	{
		sum->scaled = total;
		if (amount->dscale > sum->dscale)
			sum->dscale = amount->dscale;
	}
	else
		exact_sum_add_slow(state, sumno, amount, factor);
}

/* Small numeric helpers shared by the final functions. */
extern Numeric arc_numeric_times(Numeric a, Numeric b);
extern Numeric arc_numeric_plus(Numeric a, Numeric b);
extern Numeric arc_numeric_minus(Numeric a, Numeric b);
extern Numeric arc_numeric_divide(Numeric a, Numeric b);
extern int	arc_numeric_compare(Numeric a, Numeric b);
extern int	arc_numeric_sign_of(Numeric a);

#endif							/* ARCOLLECT_EXACT_SUM_H */
