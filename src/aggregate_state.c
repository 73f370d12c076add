/*-------------------------------------------------------------------------
 *
 * aggregate_state.c
 *	  The type arcollect.aggregate_state: its flat layout, in-place
 *	  updates, spill slots, and its binary and text forms.
 *
 * See aggregate_state.h for the layout and why the state is a real type.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "port/pg_bitutils.h"
#include "utils/builtins.h"

#include "aggregate_state.h"

/* The binary and text forms, after the kind byte. */
#define ARC_STATE_WIRE_FORMAT 1

/*
 * A spill slot: its room in bytes, then the numeric (a varlena with a
 * 4-byte header), at a MAXALIGNed offset.
 */
typedef struct SpillSlot
{
	uint32		capacity;
	uint32		spare;			/* zero; puts the value on a MAXALIGN boundary */
	char		value[FLEXIBLE_ARRAY_MEMBER];
} SpillSlot;

#define SLOT_SIZE(capacity) MAXALIGN(offsetof(SpillSlot, value) + (capacity))

static const ArcStateCodec *
codec_of(int kind)
{
	switch (kind)
	{
		case ARC_STATE_AGING:
			return &arc_aging_codec;
		case ARC_STATE_PAYMENT_DELAY:
			return &arc_payment_delay_codec;
		case ARC_STATE_DAYS_LATE:
			return &arc_days_late_codec;
		case ARC_STATE_DSO:
			return &arc_dso_codec;
		case ARC_STATE_COUNTBACK:
			return &arc_countback_codec;
		case ARC_STATE_RISK:
			return &arc_risk_codec;
	}
	return NULL;
}

void
arc_state_malformed(const char *aggname, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("malformed %s state: %s", aggname, what),
			 errhint("An arcollect.aggregate_state comes from an arcollect aggregate; do not write one by hand.")));
}

/*
 * A new state of `kind` in the current memory context, zeroed: its own
 * fields (a struct of fields_size bytes that starts with the ArcState
 * header) and nsums sums that are zero, with no spill slots.
 */
ArcState *
arc_state_new(ArcStateKind kind, Size fields_size, int nsums)
{
	Size		sums_off = MAXALIGN(fields_size);
	Size		size = sums_off + (Size) nsums * sizeof(ExactSum);
	ArcState   *state = palloc0(size);

	SET_VARSIZE(state, size);
	state->kind = kind;
	state->layout = ARC_STATE_LAYOUT;
	state->nsums = nsums;
	state->sums_off = sums_off;
	return state;
}

/*
 * The header must describe this block: a value of the type comes only from
 * these functions or from the checked input ones, so this is a guard
 * against a damaged value, not a validation.
 */
static void
check_state(const ArcState *state, ArcStateKind kind)
{
	if (VARSIZE(state) < sizeof(ArcState) || state->layout != ARC_STATE_LAYOUT ||
		state->nsums < 0 ||
		state->sums_off + (Size) state->nsums * sizeof(ExactSum) > VARSIZE(state))
		elog(ERROR, "damaged arcollect.aggregate_state");
	if (state->kind != kind)
	{
		const ArcStateCodec *given = codec_of(state->kind);
		const ArcStateCodec *wanted = codec_of(kind);

		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s cannot take a state of %s", wanted->aggname,
						given ? given->aggname : "an unknown aggregate"),
				 errhint("Give each aggregate's support functions only states that aggregate made.")));
	}
}

/*
 * Between installing this library and ALTER EXTENSION arcollect UPDATE, the
 * aggregates of 0.1.0 declare their state `internal`, which PostgreSQL
 * keeps as a bare pointer without copying it into the aggregate's memory:
 * a state made here would be freed under them.  Their support function's
 * first argument says so.
 */
static void
older_aggregates(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("arcollect's library is version %s but its aggregates are those of an older version",
					ARCOLLECT_VERSION),
			 errhint("Run ALTER EXTENSION arcollect UPDATE.")));
}

static void
check_state_declared(FunctionCallInfo fcinfo, int argno)
{
	if (get_fn_expr_argtype(fcinfo->flinfo, argno) == INTERNALOID)
		older_aggregates();
}

/*
 * 0.1.0's serialize and deserialize functions, for its internal states.
 * Their entry points stay, so that 0.1.0's SQL objects load with this
 * library (a database not updated yet, or CREATE EXTENSION arcollect
 * VERSION '0.1.0' before the update); called, they say to update.
 */
#define OLDER_ENTRY_POINT(name) \
	PG_FUNCTION_INFO_V1(name); \
	Datum \
	name(PG_FUNCTION_ARGS) \
	{ \
		older_aggregates(); \
		PG_RETURN_NULL(); \
	} \
	extern int	no_such_variable

OLDER_ENTRY_POINT(arcollect_aging_serialize);
OLDER_ENTRY_POINT(arcollect_aging_deserialize);
OLDER_ENTRY_POINT(arcollect_payment_delay_serialize);
OLDER_ENTRY_POINT(arcollect_payment_delay_deserialize);
OLDER_ENTRY_POINT(arcollect_days_late_serialize);
OLDER_ENTRY_POINT(arcollect_days_late_deserialize);
OLDER_ENTRY_POINT(arcollect_dso_serialize);
OLDER_ENTRY_POINT(arcollect_dso_deserialize);
OLDER_ENTRY_POINT(arcollect_dso_countback_serialize);
OLDER_ENTRY_POINT(arcollect_dso_countback_deserialize);
OLDER_ENTRY_POINT(arcollect_risk_score_serialize);
OLDER_ENTRY_POINT(arcollect_risk_score_deserialize);

/*
 * The state argument of a transition or combine function, to be updated.
 * Called as an aggregate, the state is the aggregate's own (PostgreSQL made
 * it from what the function returned before), so it is updated in place;
 * called any other way, a copy is.  NULL for SQL NULL: the caller makes a
 * new state then.
 */
ArcState *
arc_state_for_update(FunctionCallInfo fcinfo, int argno, ArcStateKind kind)
{
	struct varlena *value;
	ArcState   *state;

	if (PG_ARGISNULL(argno))
	{
		check_state_declared(fcinfo, argno);
		return NULL;
	}
	value = (struct varlena *) PG_GETARG_POINTER(argno);
	if (AggCheckCallContext(fcinfo, NULL) && VARATT_IS_4B_U(value) &&
		(uintptr_t) value % MAXIMUM_ALIGNOF == 0)
		state = (ArcState *) value;
	else
		state = (ArcState *) PG_DETOAST_DATUM_COPY(PG_GETARG_DATUM(argno));
	check_state(state, kind);
	return state;
}

/* A state argument that is only read (a combine's second, a final's). */
const ArcState *
arc_state_for_reading(FunctionCallInfo fcinfo, int argno, ArcStateKind kind)
{
	struct varlena *value;

	if (PG_ARGISNULL(argno))
		return NULL;
	value = PG_DETOAST_DATUM(PG_GETARG_DATUM(argno));
	if ((uintptr_t) value % MAXIMUM_ALIGNOF != 0)
	{
		struct varlena *copy = palloc(VARSIZE(value));

		memcpy(copy, value, VARSIZE(value));
		value = copy;
	}
	check_state((ArcState *) value, kind);
	return (const ArcState *) value;
}

static SpillSlot *
slot_of(const ArcState *state, int sumno)
{
	uint32		offset = arc_state_sums(state)[sumno].spill;

	return offset == 0 ? NULL : (SpillSlot *) ((char *) state + offset);
}

/* Room for a numeric of `need` bytes, with space to grow. */
static uint32
capacity_for(Size need)
{
	return pg_nextpower2_32((uint32) Max(need, 32));
}

/*
 * A copy of the state with nsums sums (new ones zero) and its spill slots
 * packed after them, in the current memory context.  When grow is a sum's
 * number, that sum gets a slot with room for `need` bytes (with its old
 * value, if it had one, until the caller writes the new one).
 */
static ArcState *
rebuild(const ArcState *old, int nsums, int grow, Size need)
{
	int			keep = Min(old->nsums, nsums);
	Size		slots_off = old->sums_off + (Size) nsums * sizeof(ExactSum);
	Size		size = slots_off;
	ArcState   *state;
	ExactSum   *sums;
	int			i;

	for (i = 0; i < keep; i++)
	{
		SpillSlot  *slot = slot_of(old, i);

		if (i == grow)
			size += SLOT_SIZE(Max(capacity_for(need), slot ? slot->capacity : 0));
		else if (slot)
			size += SLOT_SIZE(slot->capacity);
	}
	state = palloc0(size);
	memcpy(state, old, old->sums_off + (Size) keep * sizeof(ExactSum));
	SET_VARSIZE(state, size);
	state->nsums = nsums;
	sums = arc_state_sums(state);
	for (i = 0; i < keep; i++)
	{
		SpillSlot  *from = slot_of(old, i);
		SpillSlot  *to;

		if (i != grow && from == NULL)
			continue;
		to = (SpillSlot *) ((char *) state + slots_off);
		to->capacity = from ? from->capacity : 0;
		if (i == grow)
			to->capacity = Max(capacity_for(need), to->capacity);
		if (from)
			memcpy(to->value, from->value, VARSIZE(from->value));
		sums[i].spill = slots_off;
		slots_off += SLOT_SIZE(to->capacity);
	}
	Assert(slots_off == size);
	return state;
}

/*
 * A new copy of the state with nsums sums, the new ones zero (for
 * dso_countback, whose state grows by month).
 */
ArcState *
arc_state_resize(const ArcState *state, int nsums)
{
	return rebuild(state, nsums, -1, 0);
}

/* The numeric part of sum `sumno`, or NULL when it has none. */
Numeric
arc_state_spill(const ArcState *state, int sumno)
{
	SpillSlot  *slot = slot_of(state, sumno);

	return slot ? (Numeric) slot->value : NULL;
}

/*
 * Sets the numeric part of sum `sumno`: in its slot when it fits, else in
 * a new copy of the state, which replaces *state (the old one stays as it
 * was: it may be the aggregate's, which PostgreSQL frees).
 */
void
arc_state_set_spill(ArcState **state, int sumno, Numeric value)
{
	Size		need = VARSIZE(value);
	SpillSlot  *slot = slot_of(*state, sumno);

	Assert(VARATT_IS_4B_U(value));
	if (slot == NULL || slot->capacity < need)
	{
		*state = rebuild(*state, (*state)->nsums, sumno, need);
		slot = slot_of(*state, sumno);
	}
	memcpy(slot->value, value, need);
}

/* The binary form: kind, format, then what the kind's codec writes. */
static bytea *
state_to_wire(const ArcState *state)
{
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, state->kind);
	pq_sendbyte(&buf, ARC_STATE_WIRE_FORMAT);
	codec_of(state->kind)->send(&buf, state);
	return pq_endtypsend(&buf);
}

static ArcState *
state_from_wire(StringInfo buf)
{
	const ArcStateCodec *codec;
	int			kind;
	ArcState   *state;

	if (buf->len < 2)
		arc_state_malformed("arcollect aggregate", "too short");
	kind = pq_getmsgbyte(buf);
	codec = codec_of(kind);
	if (codec == NULL)
		arc_state_malformed("arcollect aggregate", psprintf("unknown kind %d", kind));
	if (pq_getmsgbyte(buf) != ARC_STATE_WIRE_FORMAT)
		arc_state_malformed(codec->aggname, "unknown format");
	state = codec->recv(buf);
	if (buf->cursor != buf->len)
		arc_state_malformed(codec->aggname,
							psprintf("%d bytes left over", buf->len - buf->cursor));
	return state;
}

static const ArcState *
any_state_argument(FunctionCallInfo fcinfo)
{
	const ArcState *state = (const ArcState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));

	if (codec_of(state->kind) == NULL)
		elog(ERROR, "damaged arcollect.aggregate_state");
	if ((uintptr_t) state % MAXIMUM_ALIGNOF != 0)
	{
		ArcState   *copy = palloc(VARSIZE(state));

		memcpy(copy, state, VARSIZE(state));
		state = copy;
	}
	check_state(state, state->kind);
	return state;
}

PG_FUNCTION_INFO_V1(arcollect_aggregate_state_send);

Datum
arcollect_aggregate_state_send(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(state_to_wire(any_state_argument(fcinfo)));
}

PG_FUNCTION_INFO_V1(arcollect_aggregate_state_recv);

Datum
arcollect_aggregate_state_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);

	PG_RETURN_POINTER(state_from_wire(buf));
}

/* The text form is the binary form in hexadecimal. */
PG_FUNCTION_INFO_V1(arcollect_aggregate_state_out);

Datum
arcollect_aggregate_state_out(PG_FUNCTION_ARGS)
{
	bytea	   *wire = state_to_wire(any_state_argument(fcinfo));
	Size		len = VARSIZE(wire) - VARHDRSZ;
	char	   *text = palloc(len * 2 + 1);

	text[hex_encode(VARDATA(wire), len, text)] = '\0';
	PG_RETURN_CSTRING(text);
}

PG_FUNCTION_INFO_V1(arcollect_aggregate_state_in);

Datum
arcollect_aggregate_state_in(PG_FUNCTION_ARGS)
{
	const char *text = PG_GETARG_CSTRING(0);
	Size		len = strlen(text);
	StringInfoData buf;

	if (len % 2 != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type arcollect.aggregate_state"),
				 errdetail("The text form is an even number of hexadecimal digits."),
				 errhint("An arcollect.aggregate_state comes from an arcollect aggregate; do not write one by hand.")));
	initStringInfo(&buf);
	enlargeStringInfo(&buf, len / 2);
	buf.len = hex_decode(text, len, buf.data);
	buf.data[buf.len] = '\0';
	PG_RETURN_POINTER(state_from_wire(&buf));
}
