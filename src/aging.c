/*-------------------------------------------------------------------------
 *
 * aging.c
 *	  Days overdue, aging buckets and the aging aggregate.
 *
 * Age counts from the due date.  With bounds {b1, ..., bn} the buckets are
 * "current" (as_of on or before the due date), then 1-b1, (b1+1)-b2, ...,
 * and (bn+1)+; a bound belongs to the bucket it closes, so 30 days overdue
 * is in 1-30 and 31 days in 31-60.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/lsyscache.h"

#include "aggregate.h"
#include "exact_sum.h"

PG_MODULE_MAGIC;

/* Bounds used when the caller gives none: 1-30, 31-60, 61-90, 91+. */
static const int32 default_bounds[] = {30, 60, 90};

/* More buckets than anyone reads; keeps the state and labels small. */
#define MAX_AGING_BOUNDS 1000

typedef struct AgingBounds
{
	int			count;
	const int32 *days;
} AgingBounds;

/*
 * Reads and checks an integer[] of bounds: one dimension, no NULLs, each
 * positive and greater than the one before.
 */
static AgingBounds
read_bounds(ArrayType *array)
{
	AgingBounds result;
	int			i;

	if (ARR_NDIM(array) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("aging bounds must be a one-dimensional array"),
				 errhint("Give the bounds as a list of days, for example '{30,60,90}'.")));
	if (array_contains_nulls(array))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("aging bounds must not contain NULL"),
				 errhint("Give the bounds as a list of days, for example '{30,60,90}'.")));
	Assert(ARR_ELEMTYPE(array) == INT4OID);

	result.count = ArrayGetNItems(ARR_NDIM(array), ARR_DIMS(array));
	result.days = (const int32 *) ARR_DATA_PTR(array);
	if (result.count > MAX_AGING_BOUNDS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many aging bounds: %d", result.count),
				 errdetail("At most %d bounds are supported.", MAX_AGING_BOUNDS)));

	for (i = 0; i < result.count; i++)
	{
		if (result.days[i] <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("aging bound %d is %d, but bounds must be positive",
							i + 1, result.days[i]),
					 errhint("Give the bounds as days overdue in increasing order, for example '{30,60,90}'.")));
		if (i > 0 && result.days[i] <= result.days[i - 1])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("aging bound %d is %d, but it must be greater than bound %d (%d)",
							i + 1, result.days[i], i, result.days[i - 1]),
					 errhint("Give the bounds as days overdue in increasing order, for example '{30,60,90}'.")));
	}
	return result;
}

static AgingBounds
bounds_argument(FunctionCallInfo fcinfo, int argno)
{
	AgingBounds result;

	if (PG_NARGS() <= argno)
	{
		result.count = lengthof(default_bounds);
		result.days = default_bounds;
		return result;
	}
	return read_bounds(PG_GETARG_ARRAYTYPE_P(argno));
}

static int32
days_between(DateADT due_on, DateADT as_of)
{
	arc_check_dates_comparable("due_on", due_on);
	arc_check_dates_comparable("as_of", as_of);
	/* finite dates are less than 2^31 days apart */
	return (int32) (as_of - due_on);
}

/* 0 for current, 1..count+1 for the overdue buckets in order. */
static inline int
bucket_index(int32 days_overdue, const AgingBounds *bounds)
{
	int			i;

	if (days_overdue <= 0)
		return 0;
	for (i = 0; i < bounds->count; i++)
		if (days_overdue <= bounds->days[i])
			return i + 1;
	return bounds->count + 1;
}

static char *
bucket_label(int index, const AgingBounds *bounds)
{
	if (index == 0)
		return pstrdup("current");
	if (index == bounds->count + 1)
		return psprintf("%d+", bounds->count == 0 ? 1 : bounds->days[index - 2] + 1);
	return psprintf("%d-%d",
					index == 1 ? 1 : bounds->days[index - 2] + 1,
					bounds->days[index - 1]);
}

PG_FUNCTION_INFO_V1(arcollect_days_overdue);

/* days_overdue(due_on, as_of): as_of - due_on; not overdue when <= 0. */
Datum
arcollect_days_overdue(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(days_between(PG_GETARG_DATEADT(0), PG_GETARG_DATEADT(1)));
}

PG_FUNCTION_INFO_V1(arcollect_aging_bucket);

/* aging_bucket(due_on, as_of [, bounds]): the bucket's label. */
Datum
arcollect_aging_bucket(PG_FUNCTION_ARGS)
{
	int32		days = days_between(PG_GETARG_DATEADT(0), PG_GETARG_DATEADT(1));
	AgingBounds bounds = bounds_argument(fcinfo, 2);

	PG_RETURN_TEXT_P(cstring_to_text(bucket_label(bucket_index(days, &bounds),
												  &bounds)));
}

PG_FUNCTION_INFO_V1(arcollect_aging_bucket_index);

/* aging_bucket_index(due_on, as_of [, bounds]): 0 current, then 1..n+1. */
Datum
arcollect_aging_bucket_index(PG_FUNCTION_ARGS)
{
	int32		days = days_between(PG_GETARG_DATEADT(0), PG_GETARG_DATEADT(1));
	AgingBounds bounds = bounds_argument(fcinfo, 2);

	PG_RETURN_INT32(bucket_index(days, &bounds));
}

/*
 * The aging aggregate: open amount per bucket.
 *
 * The state keeps its own copy of the bounds, plus the raw bytes of the
 * bounds array the group started with (when it had one), so that each
 * later row can be checked for the same bounds with one memcmp:
 *
 *	  AgingState | int32 days[nbounds] | raw bytes | sums: one per bucket
 */
typedef struct AgingState
{
	ArcState	hdr;
	DateADT		as_of;
	int32		nbounds;
	int32		raw_len;		/* 0: none, compare rows' bounds by value */
	int32		days[FLEXIBLE_ARRAY_MEMBER];	/* then the raw bytes */
} AgingState;

static AgingBounds
state_bounds(const ArcState *state)
{
	const AgingState *aging = (const AgingState *) state;
	AgingBounds bounds;

	bounds.count = aging->nbounds;
	bounds.days = aging->days;
	return bounds;
}

static const char *
state_raw_bounds(const ArcState *state)
{
	const AgingState *aging = (const AgingState *) state;

	return (const char *) &aging->days[aging->nbounds];
}

/*
 * A new state, in the current memory context: the bounds, the raw bytes
 * of the bounds array (raw_len of them, none for the default bounds), and
 * count + 2 zero buckets.
 */
static ArcState *
aging_state_new(DateADT as_of, AgingBounds bounds, const void *raw, int raw_len)
{
	ArcState   *state = arc_state_new(ARC_STATE_AGING,
									  offsetof(AgingState, days) +
									  sizeof(int32) * bounds.count + raw_len,
									  bounds.count + 2);
	AgingState *aging = (AgingState *) state;

	aging->as_of = as_of;
	aging->nbounds = bounds.count;
	aging->raw_len = raw_len;
	memcpy(aging->days, bounds.days, sizeof(int32) * bounds.count);
	if (raw_len > 0)
		memcpy(&aging->days[bounds.count], raw, raw_len);
	return state;
}

static bool
same_bounds(const AgingBounds *a, const AgingBounds *b)
{
	return a->count == b->count &&
		memcmp(a->days, b->days, sizeof(int32) * a->count) == 0;
}

static void
check_same_bounds(const AgingBounds *group, const AgingBounds *row)
{
	if (!same_bounds(group, row))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("aging needs one set of bounds per group"),
				 errhint("Pass the bounds as a constant, or add them to GROUP BY.")));
}

/*
 * The group's state for this row: made on the first row, and checked for
 * the same as_of and bounds on the others.
 */
static ArcState *
aging_state_for_row(FunctionCallInfo fcinfo, ArcState *state, DateADT as_of)
{
	struct varlena *raw = NULL;
	const AgingState *aging;

	if (PG_NARGS() > 4)
		raw = PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(4));
	if (state == NULL)
	{
		arc_check_dates_comparable("as_of", as_of);
		return aging_state_new(as_of, bounds_argument(fcinfo, 4),
							   raw, raw ? VARSIZE_ANY(raw) : 0);
	}
	aging = (const AgingState *) state;
	if (as_of != aging->as_of)
		arc_check_same_date("aging", "as_of", aging->as_of, as_of);
	if (raw != NULL &&
		(VARSIZE_ANY(raw) != aging->raw_len ||
		 memcmp(raw, state_raw_bounds(state), aging->raw_len) != 0))
	{
		AgingBounds group = state_bounds(state);
		AgingBounds bounds = read_bounds(PG_GETARG_ARRAYTYPE_P(4));

		check_same_bounds(&group, &bounds);
	}
	return state;
}

PG_FUNCTION_INFO_V1(arcollect_aging_transfn);

/* aging(due_on, open_amount, as_of [, bounds]) transition */
Datum
arcollect_aging_transfn(PG_FUNCTION_ARGS)
{
	ArcState   *state = arc_state_for_update(fcinfo, 0, ARC_STATE_AGING);
	AgingBounds bounds;
	Amount		amount;
	int32		days;

	if (arc_any_input_null(fcinfo, 1, 4))
		PG_RETURN_STATE(state);
	state = aging_state_for_row(fcinfo, state, PG_GETARG_DATEADT(3));
	bounds = state_bounds(state);
	days = days_between(PG_GETARG_DATEADT(1), ((AgingState *) state)->as_of);
	arc_amount_read(PG_GETARG_DATUM(2), &amount);
	exact_sum_add_amount(&state, bucket_index(days, &bounds), &amount, 1);
	PG_RETURN_STATE(state);
}

PG_FUNCTION_INFO_V1(arcollect_aging_combinefn);

Datum
arcollect_aging_combinefn(PG_FUNCTION_ARGS)
{
	ArcState   *into = arc_state_for_update(fcinfo, 0, ARC_STATE_AGING);
	const ArcState *from = arc_state_for_reading(fcinfo, 1, ARC_STATE_AGING);
	const AgingState *other;
	AgingBounds bounds;
	int			i;

	if (from == NULL)
		PG_RETURN_STATE(into);
	other = (const AgingState *) from;
	bounds = state_bounds(from);
	if (into == NULL)
		into = aging_state_new(other->as_of, bounds, state_raw_bounds(from), other->raw_len);
	else
	{
		AgingBounds group = state_bounds(into);

		arc_check_same_date("aging", "as_of", ((AgingState *) into)->as_of, other->as_of);
		check_same_bounds(&group, &bounds);
	}
	for (i = 0; i < bounds.count + 2; i++)
		exact_sum_combine(&into, i, from, i);
	PG_RETURN_STATE(into);
}

/*
 * Binary form: as_of, the bounds, then the buckets.  The raw bytes of the
 * bounds array are left out: they only make checking later rows quicker,
 * and a state without them compares each row's bounds by value.
 */
static void
aging_send(StringInfo buf, const ArcState *state)
{
	const AgingState *aging = (const AgingState *) state;
	int			i;

	pq_sendint32(buf, aging->as_of);
	pq_sendint32(buf, aging->nbounds);
	for (i = 0; i < aging->nbounds; i++)
		pq_sendint32(buf, aging->days[i]);
	for (i = 0; i < aging->nbounds + 2; i++)
		exact_sum_send(buf, state, i);
}

/* The bounds are checked as the aggregate checks its argument. */
static ArcState *
aging_recv(StringInfo buf)
{
	DateADT		as_of = arc_recv_date(buf, "aging");
	int			nbounds = pq_getmsgint(buf, 4);
	int32	   *days;
	AgingBounds bounds;
	ArcState   *state;
	int			i;

	if (nbounds < 0 || nbounds > MAX_AGING_BOUNDS)
		arc_state_malformed("aging", psprintf("%d bounds", nbounds));
	days = palloc(sizeof(int32) * (nbounds + 1));
	for (i = 0; i < nbounds; i++)
	{
		days[i] = pq_getmsgint(buf, 4);
		if (days[i] <= 0 || (i > 0 && days[i] <= days[i - 1]))
			arc_state_malformed("aging", "bounds that are not positive and increasing");
	}
	bounds.count = nbounds;
	bounds.days = days;
	state = aging_state_new(as_of, bounds, NULL, 0);
	for (i = 0; i < nbounds + 2; i++)
		exact_sum_recv(buf, &state, i, "aging");
	return state;
}

const ArcStateCodec arc_aging_codec = {"aging", aging_send, aging_recv};

PG_FUNCTION_INFO_V1(arcollect_aging_finalfn);

/*
 * numeric[] of open amounts, current first; empty buckets are 0.  All
 * buckets show as many decimals as the most precise one, as a report would.
 */
Datum
arcollect_aging_finalfn(PG_FUNCTION_ARGS)
{
	const ArcState *state = arc_state_for_reading(fcinfo, 0, ARC_STATE_AGING);
	int			nbuckets = ((const AgingState *) state)->nbounds + 2;
	const ExactSum *buckets = arc_state_sums(state);
	Datum	   *amounts = palloc(sizeof(Datum) * nbuckets);
	int			dscale = 0;
	int16		typlen;
	bool		typbyval;
	char		typalign;
	int			i;

	for (i = 0; i < nbuckets; i++)
		dscale = Max(dscale, buckets[i].dscale);
	for (i = 0; i < nbuckets; i++)
		amounts[i] = NumericGetDatum(exact_sum_result_scaled(state, i, dscale));
	get_typlenbyvalalign(NUMERICOID, &typlen, &typbyval, &typalign);
	PG_RETURN_ARRAYTYPE_P(construct_array(amounts, nbuckets, NUMERICOID,
										  typlen, typbyval, typalign));
}
