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
 * bounds array the group started with, so that each later row can be
 * checked for the same bounds with one memcmp.
 */
typedef struct AgingState
{
	DateADT		as_of;
	AgingBounds bounds;			/* days live after the buckets */
	struct varlena *bounds_raw; /* NULL for the default bounds */
	ExactSum	buckets[FLEXIBLE_ARRAY_MEMBER]; /* bounds.count + 2 */
} AgingState;

/* One allocation per group: state, buckets and bounds together. */
static AgingState *
aging_state_new(MemoryContext mcxt, DateADT as_of, AgingBounds bounds)
{
	int			nbuckets = bounds.count + 2;
	AgingState *state = MemoryContextAllocZero(mcxt,
											   offsetof(AgingState, buckets) +
											   sizeof(ExactSum) * nbuckets +
											   sizeof(int32) * bounds.count);
	int32	   *days = (int32 *) &state->buckets[nbuckets];
	int			i;

	memcpy(days, bounds.days, sizeof(int32) * bounds.count);
	state->as_of = as_of;
	state->bounds.count = bounds.count;
	state->bounds.days = days;
	for (i = 0; i < nbuckets; i++)
		exact_sum_init(&state->buckets[i]);
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

PG_FUNCTION_INFO_V1(arcollect_aging_transfn);

/* aging(due_on, open_amount, as_of [, bounds]) transition */
Datum
arcollect_aging_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext mcxt = arc_aggregate_memory(fcinfo, "aging");
	AgingState *state = PG_ARGISNULL(0) ? NULL : (AgingState *) PG_GETARG_POINTER(0);
	DateADT		due_on;
	DateADT		as_of;
	int32		days;

	if (arc_any_input_null(fcinfo, 1, 4))
		PG_RETURN_STATE(state);
	due_on = PG_GETARG_DATEADT(1);
	as_of = PG_GETARG_DATEADT(3);

	if (state == NULL)
	{
		AgingBounds bounds = bounds_argument(fcinfo, 4);

		arc_check_dates_comparable("as_of", as_of);
		state = aging_state_new(mcxt, as_of, bounds);
		if (PG_NARGS() > 4)
		{
			struct varlena *raw = PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(4));

			state->bounds_raw = MemoryContextAlloc(mcxt, VARSIZE_ANY(raw));
			memcpy(state->bounds_raw, raw, VARSIZE_ANY(raw));
		}
	}
	else
	{
		if (as_of != state->as_of)
			arc_check_same_date("aging", "as_of", state->as_of, as_of);
		if (PG_NARGS() > 4)
		{
			struct varlena *raw = PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(4));

			if (VARSIZE_ANY(raw) != VARSIZE_ANY(state->bounds_raw) ||
				memcmp(raw, state->bounds_raw, VARSIZE_ANY(raw)) != 0)
			{
				AgingBounds bounds = read_bounds(PG_GETARG_ARRAYTYPE_P(4));

				check_same_bounds(&state->bounds, &bounds);
			}
		}
	}

	days = days_between(due_on, as_of);
	exact_sum_add(&state->buckets[bucket_index(days, &state->bounds)],
				  PG_GETARG_DATUM(2), mcxt);
	PG_RETURN_STATE(state);
}

PG_FUNCTION_INFO_V1(arcollect_aging_combinefn);

Datum
arcollect_aging_combinefn(PG_FUNCTION_ARGS)
{
	MemoryContext mcxt = arc_aggregate_memory(fcinfo, "aging");
	AgingState *into = PG_ARGISNULL(0) ? NULL : (AgingState *) PG_GETARG_POINTER(0);
	AgingState *from = PG_ARGISNULL(1) ? NULL : (AgingState *) PG_GETARG_POINTER(1);
	int			i;

	if (from == NULL)
		PG_RETURN_STATE(into);
	if (into == NULL)
		into = aging_state_new(mcxt, from->as_of, from->bounds);
	else
	{
		arc_check_same_date("aging", "as_of", into->as_of, from->as_of);
		check_same_bounds(&into->bounds, &from->bounds);
	}
	for (i = 0; i < from->bounds.count + 2; i++)
		exact_sum_combine(&into->buckets[i], &from->buckets[i], mcxt);
	PG_RETURN_STATE(into);
}

PG_FUNCTION_INFO_V1(arcollect_aging_serialize);

Datum
arcollect_aging_serialize(PG_FUNCTION_ARGS)
{
	AgingState *state = (AgingState *) PG_GETARG_POINTER(0);
	StringInfoData buf;
	int			i;

	pq_begintypsend(&buf);
	pq_sendint32(&buf, state->as_of);
	pq_sendint32(&buf, state->bounds.count);
	for (i = 0; i < state->bounds.count; i++)
		pq_sendint32(&buf, state->bounds.days[i]);
	for (i = 0; i < state->bounds.count + 2; i++)
		exact_sum_serialize(&buf, &state->buckets[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(arcollect_aging_deserialize);

Datum
arcollect_aging_deserialize(PG_FUNCTION_ARGS)
{
	StringInfoData buf;
	DateADT		as_of;
	AgingBounds bounds;
	int32	   *days;
	AgingState *state;
	int			i;

	arc_check_aggregate_call(fcinfo, "aging");
	arc_state_deserialize_begin(&buf, PG_GETARG_BYTEA_PP(0));
	as_of = pq_getmsgint(&buf, 4);
	bounds.count = pq_getmsgint(&buf, 4);
	if (bounds.count < 0 || bounds.count > MAX_AGING_BOUNDS)
		elog(ERROR, "malformed aging state: %d bounds", bounds.count);
	days = palloc(sizeof(int32) * (bounds.count + 1));
	for (i = 0; i < bounds.count; i++)
		days[i] = pq_getmsgint(&buf, 4);
	bounds.days = days;
	state = aging_state_new(CurrentMemoryContext, as_of, bounds);
	for (i = 0; i < bounds.count + 2; i++)
		exact_sum_deserialize(&buf, &state->buckets[i]);
	arc_state_deserialize_end(&buf, "aging");
	PG_RETURN_STATE(state);
}

PG_FUNCTION_INFO_V1(arcollect_aging_finalfn);

/*
 * numeric[] of open amounts, current first; empty buckets are 0.  All
 * buckets show as many decimals as the most precise one, as a report would.
 */
Datum
arcollect_aging_finalfn(PG_FUNCTION_ARGS)
{
	AgingState *state = (AgingState *) PG_GETARG_POINTER(0);
	int			nbuckets = state->bounds.count + 2;
	Datum	   *amounts = palloc(sizeof(Datum) * nbuckets);
	int			dscale = 0;
	int16		typlen;
	bool		typbyval;
	char		typalign;
	int			i;

	for (i = 0; i < nbuckets; i++)
		dscale = Max(dscale, state->buckets[i].dscale);
	for (i = 0; i < nbuckets; i++)
		amounts[i] = NumericGetDatum(exact_sum_result_scaled(&state->buckets[i], dscale));
	get_typlenbyvalalign(NUMERICOID, &typlen, &typbyval, &typalign);
	PG_RETURN_ARRAYTYPE_P(construct_array(amounts, nbuckets, NUMERICOID,
										  typlen, typbyval, typalign));
}
