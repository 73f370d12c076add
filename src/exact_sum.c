/*-------------------------------------------------------------------------
 *
 * exact_sum.c
 *	  Exact, allocation-free summing of numeric money amounts.
 *
 * See exact_sum.h for why this exists.  Terms that fit the fast path are
 * read straight from numeric's on-disk digits into a 128-bit integer
 * counting units of 10^-8; everything else (huge values, more than 8
 * decimals) is summed with numeric arithmetic in the sum's spill slot.
 * Both parts are exact, so their total is exact.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/numeric.h"

#include "exact_sum.h"

/* Fast-path terms: at most 2 base-10000 digits (8 decimals) after the point */
#define FAST_FRAC_DIGITS 2
/* ... and at most 5 base-10000 digits (values below 10^20) before it */
#define FAST_MAX_WEIGHT 4
#define FAST_DECIMALS (FAST_FRAC_DIGITS * 4)
#define NBASE 10000
/* The largest display scale a numeric can have (numeric.c's own limit). */
#define MAX_DSCALE 0x3FFF

/*
 * Reads a numeric's value as units of 10^-8 when it fits the fast path.
 *
 * The on-disk numeric layout is fixed (pg_upgrade keeps numeric columns
 * byte for byte), so reading it directly is safe.  After the varlena length
 * comes a 16-bit header word whose two top bits give the form:
 *	00 or 01: long form, positive or negative; the low 14 bits are the
 *		display scale and a 16-bit weight follows;
 *	10: short form; bit 13 is the sign, bits 7-12 the display scale and
 *		bits 0-6 the weight as a 7-bit two's complement number;
 *	11: NaN or an infinity.
 * Then come base-10000 digits as int16, most significant first; the first
 * digit stands for 10000^weight and trailing zero digits are left out.
 *
 * Returns false for special values and for values outside the fast path;
 * *dscale is set whenever the value is finite.
 */
static bool
read_fast_numeric(const char *data, int len, int128 *value, int *dscale)
{
	uint16		header;
	int			weight;
	bool		negative;
	const char *digits;
	int			ndigits;
	int128		v = 0;
	int			i;

	memcpy(&header, data, sizeof(header));
	switch (header & 0xC000)
	{
		case 0xC000:
			return false;
		case 0x8000:
			negative = (header & 0x2000) != 0;
			*dscale = (header >> 7) & 0x3F;
			weight = header & 0x3F;
			if (header & 0x40)
				weight |= ~0x3F;
			digits = data + sizeof(uint16);
			break;
		default:
			{
				int16		w;

				negative = (header & 0x4000) != 0;
				*dscale = header & 0x3FFF;
				memcpy(&w, data + sizeof(uint16), sizeof(w));
				weight = w;
				digits = data + 2 * sizeof(uint16);
				break;
			}
	}
	ndigits = (len - (digits - data)) / (int) sizeof(int16);

	if (ndigits == 0)
	{
		*value = 0;
		return true;
	}
	if (weight > FAST_MAX_WEIGHT || ndigits - 1 - weight > FAST_FRAC_DIGITS)
		return false;

	for (i = 0; i < ndigits; i++)
	{
		int16		d;

		memcpy(&d, digits + i * sizeof(int16), sizeof(d));
		v = v * NBASE + d;
	}
	for (i = ndigits - 1 - weight; i < FAST_FRAC_DIGITS; i++)
		v *= NBASE;

	*value = negative ? -v : v;
	return true;
}

/*
 * Turns units of 10^-8 into a numeric shown with `dscale` decimals.  Every
 * term had at most `dscale` decimals, so the digits dropped are zeros.
 */
static Numeric
scaled_to_numeric(int128 value, int dscale)
{
	char		digits[48];
	int			n = 0;
	uint128		mag = value < 0 ? -(uint128) value : (uint128) value;
	StringInfoData text;
	int			i;

	/* decimal digits of the magnitude, least significant first */
	do
	{
		digits[n++] = '0' + (int) (mag % 10);
		mag /= 10;
	} while (mag != 0);
	while (n <= FAST_DECIMALS)
		digits[n++] = '0';

	initStringInfo(&text);
	if (value < 0)
		appendStringInfoChar(&text, '-');
	for (i = n - 1; i >= FAST_DECIMALS; i--)
		appendStringInfoChar(&text, digits[i]);
	if (dscale > 0)
		appendStringInfoChar(&text, '.');
	for (i = 0; i < dscale; i++)
		appendStringInfoChar(&text,
							 i < FAST_DECIMALS ? digits[FAST_DECIMALS - 1 - i] : '0');

	return DatumGetNumeric(DirectFunctionCall3(numeric_in,
											   CStringGetDatum(text.data),
											   ObjectIdGetDatum(InvalidOid),
											   Int32GetDatum(-1)));
}

/*
 * Adds a numeric term to the spill part.  The sum is made in the current
 * memory context and stored in the sum's spill slot.
 */
static void
spill_add(ArcState **state, int sumno, Numeric term)
{
	Numeric		previous = arc_state_spill(*state, sumno);

	arc_state_set_spill(state, sumno, previous ? arc_numeric_plus(previous, term) : term);
}

/*
 * Moves the fixed-point part into the spill part before it would overflow.
 * Every term in it so far has at most sum->dscale decimals.
 */
static void
flush_scaled(ArcState **state, int sumno)
{
	ExactSum   *sum = &arc_state_sums(*state)[sumno];
	Numeric		scaled = scaled_to_numeric(sum->scaled, sum->dscale);

	sum->scaled = 0;
	spill_add(state, sumno, scaled);
}

static void
add_scaled(ArcState **state, int sumno, int128 term)
{
	ExactSum   *sum = &arc_state_sums(*state)[sumno];
	int128		total;

	if (__builtin_add_overflow(sum->scaled, term, &total))
	{
		flush_scaled(state, sumno);
		total = term;
	}
	arc_state_sums(*state)[sumno].scaled = total;
}

static Numeric
finite_amount(Datum amount)
{
	Numeric		num = DatumGetNumeric(amount);

	if (numeric_is_nan(num) || numeric_is_inf(num))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("amount must be a finite number, not %s",
						DatumGetCString(DirectFunctionCall1(numeric_out,
															NumericGetDatum(num)))),
				 errhint("Money amounts cannot be NaN or infinity; correct or filter out that row.")));
	return num;
}

/*
 * Reads an amount once, for adding to one or more sums.  NaN and infinities
 * are errors.
 */
void
arc_amount_read(Datum datum, Amount *amount)
{
	struct varlena *packed = PG_DETOAST_DATUM_PACKED(datum);

	amount->datum = datum;
	amount->fast = read_fast_numeric(VARDATA_ANY(packed),
									 VARSIZE_ANY_EXHDR(packed),
									 &amount->scaled, &amount->dscale);
	if (amount->fast)
		amount->sign = amount->scaled > 0 ? 1 : (amount->scaled < 0 ? -1 : 0);
	else
	{
		Numeric		num = finite_amount(datum);

		/* numeric_scale gives the display scale of a finite value */
		amount->dscale = DatumGetInt32(DirectFunctionCall1(numeric_scale,
														   NumericGetDatum(num)));
		amount->sign = arc_numeric_sign_of(num);
	}
}

/*
 * exact_sum_add_amount when the term leaves the fast path: the fixed-point
 * part would overflow, or the amount is outside it.
 */
void
exact_sum_add_slow(ArcState **state, int sumno, const Amount *amount, int64 factor)
{
	int128		term;
	ExactSum   *sum;

	if (amount->fast && !__builtin_mul_overflow(amount->scaled, (int128) factor, &term))
		add_scaled(state, sumno, term);
	else
	{
		Numeric		num = DatumGetNumeric(amount->datum);

		if (factor != 1)
			num = arc_numeric_times(num, int64_to_numeric(factor));
		spill_add(state, sumno, num);
	}
	sum = &arc_state_sums(*state)[sumno];
	if (amount->dscale > sum->dscale)
		sum->dscale = amount->dscale;
}

void
exact_sum_combine(ArcState **into, int into_sumno, const ArcState *from, int from_sumno)
{
	const ExactSum *other = &arc_state_sums(from)[from_sumno];
	Numeric		other_spill = arc_state_spill(from, from_sumno);
	ExactSum   *sum;

	add_scaled(into, into_sumno, other->scaled);
	if (other_spill)
		spill_add(into, into_sumno, other_spill);
	sum = &arc_state_sums(*into)[into_sumno];
	if (other->dscale > sum->dscale)
		sum->dscale = other->dscale;
}

/* The exact total, with the largest display scale of its terms. */
Numeric
exact_sum_result(const ArcState *state, int sumno)
{
	return exact_sum_result_scaled(state, sumno, 0);
}

/*
 * The exact total shown with at least `dscale` decimals, so that sums shown
 * side by side (the aging buckets) have the same number of decimals.
 */
Numeric
exact_sum_result_scaled(const ArcState *state, int sumno, int dscale)
{
	const ExactSum *sum = &arc_state_sums(state)[sumno];
	Numeric		spill = arc_state_spill(state, sumno);
	Numeric		result = scaled_to_numeric(sum->scaled, Max(dscale, sum->dscale));

	if (spill)
		result = arc_numeric_plus(result, spill);
	return result;
}

int
exact_sum_sign(const ArcState *state, int sumno)
{
	const ExactSum *sum = &arc_state_sums(state)[sumno];

	if (sum->spill == 0)
		return sum->scaled > 0 ? 1 : (sum->scaled < 0 ? -1 : 0);
	return arc_numeric_sign_of(exact_sum_result(state, sumno));
}

/*
 * Binary form: the fixed-point part as two int64 halves, the display scale,
 * then the spill part as text (or an empty string when there is none), so
 * that the state reads back the same on any machine.
 */
void
exact_sum_send(StringInfo buf, const ArcState *state, int sumno)
{
	const ExactSum *sum = &arc_state_sums(state)[sumno];
	Numeric		spill = arc_state_spill(state, sumno);

	pq_sendint64(buf, (int64) (sum->scaled >> 64));
	pq_sendint64(buf, (int64) (uint64) sum->scaled);
	pq_sendint32(buf, sum->dscale);
	pq_sendstring(buf, spill
				  ? DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(spill)))
				  : "");
}

/*
 * Reads what exact_sum_send wrote into sum `sumno` of *state (whose sums
 * are zero), checking that it is a sum this code could have made: a
 * display scale numeric can have, a fixed-point part with no digits beyond
 * it, and a finite numeric part.
 */
void
exact_sum_recv(StringInfo buf, ArcState **state, int sumno, const char *aggname)
{
	int64		high = pq_getmsgint64(buf);
	uint64		low = (uint64) pq_getmsgint64(buf);
	int32		dscale = pq_getmsgint(buf, 4);
	const char *spill = pq_getmsgstring(buf);
	int128		scaled = ((int128) high << 64) | (int128) low;
	int128		unit = 1;
	ExactSum   *sum;
	int			i;

	if (dscale < 0 || dscale > MAX_DSCALE)
		arc_state_malformed(aggname, psprintf("display scale %d", dscale));
	for (i = dscale; i < FAST_DECIMALS; i++)
		unit *= 10;
	if (scaled % unit != 0)
		arc_state_malformed(aggname, "a sum with more decimals than its display scale");
	sum = &arc_state_sums(*state)[sumno];
	sum->scaled = scaled;
	sum->dscale = dscale;
	if (spill[0] != '\0')
	{
		Numeric		num = DatumGetNumeric(DirectFunctionCall3(numeric_in,
															  CStringGetDatum(spill),
															  ObjectIdGetDatum(InvalidOid),
															  Int32GetDatum(-1)));

		if (numeric_is_nan(num) || numeric_is_inf(num))
			arc_state_malformed(aggname, "a sum that is not finite");
		arc_state_set_spill(state, sumno, num);
	}
}

Numeric
arc_numeric_plus(Numeric a, Numeric b)
{
	return numeric_add_opt_error(a, b, NULL);
}

Numeric
arc_numeric_minus(Numeric a, Numeric b)
{
	return numeric_sub_opt_error(a, b, NULL);
}

Numeric
arc_numeric_times(Numeric a, Numeric b)
{
	return numeric_mul_opt_error(a, b, NULL);
}

/* Division as SQL's "/" does it; callers make sure b is not zero. */
Numeric
arc_numeric_divide(Numeric a, Numeric b)
{
	return numeric_div_opt_error(a, b, NULL);
}

int
arc_numeric_compare(Numeric a, Numeric b)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp,
											 NumericGetDatum(a),
											 NumericGetDatum(b)));
}

int
arc_numeric_sign_of(Numeric a)
{
	int128		scaled;
	int			dscale;

	/* most amounts are read without building a numeric zero */
	if (read_fast_numeric(VARDATA_ANY(a), VARSIZE_ANY_EXHDR(a), &scaled, &dscale))
		return scaled > 0 ? 1 : (scaled < 0 ? -1 : 0);
	return arc_numeric_compare(a, int64_to_numeric(0));
}
