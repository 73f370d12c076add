/*-------------------------------------------------------------------------
 *
 * aggregate_state.h
 *	  The type arcollect.aggregate_state: the transition state of every
 *	  arcollect aggregate.
 *
 * The state is an ordinary varlena value, not `internal`, so that Citus
 * can push the aggregates down to its workers (it moves a state from a
 * worker to the coordinator through the type's output and input
 * functions, and refuses a pseudo-type) and so that a parallel plan
 * passes it between processes as it is.  It is one flat block:
 *
 *	  ArcState header | the aggregate's own fields | ExactSum sums[nsums]
 *	  | spill slots
 *
 * A sum's numeric part (the terms outside its 128-bit fast path, see
 * exact_sum.h), when it has one, lives in a spill slot after the sums,
 * found by its offset; a slot has room to spare, so that a sum that
 * changes in size is rewritten in place, and the state is rebuilt only
 * when a slot outgrows its room.
 *
 * Speed comes from PostgreSQL's rule for transition functions: called as
 * an aggregate (AggCheckCallContext), a transition or combine function may
 * update its pass-by-reference first argument in place and return it, and
 * then nothing is copied.  So a state of fixed size costs no allocation
 * or copy per row, as with `internal`; only a state that must grow (a new
 * month in dso_countback, a spill slot outgrown) is built anew, and
 * PostgreSQL copies that one into the aggregate's memory.
 *
 * In memory the state uses the machine's byte order; its binary (send,
 * receive) and text (hexadecimal of the binary) forms are portable and
 * fully checked on input, so that every value of the type is one the
 * support functions can trust.
 *
 *-------------------------------------------------------------------------
 */
#ifndef ARCOLLECT_AGGREGATE_STATE_H
#define ARCOLLECT_AGGREGATE_STATE_H

#include "postgres.h"

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/numeric.h"

#ifndef HAVE_INT128
#error "arcollect needs a compiler with a 128-bit integer type"
#endif

/* Which aggregate a state belongs to; stored in the state and its forms. */
typedef enum ArcStateKind
{
	ARC_STATE_AGING = 1,
	ARC_STATE_PAYMENT_DELAY,
	ARC_STATE_DAYS_LATE,
	ARC_STATE_DSO,				/* dso and best_possible_dso */
	ARC_STATE_COUNTBACK,
	ARC_STATE_RISK
} ArcStateKind;

/*
 * The layout of the in-memory form, in case a state is kept in a table: a
 * later release that changes the layout can still read this one.
 */
#define ARC_STATE_LAYOUT 1

typedef struct ArcState
{
	int32		vl_len_;		/* varlena header (do not touch directly) */
	uint8		kind;			/* ArcStateKind */
	uint8		layout;			/* ARC_STATE_LAYOUT */
	uint16		spare;			/* zero */
	int32		nsums;			/* ExactSums at sums_off */
	uint32		sums_off;		/* from the start of the state */
} ArcState;

/*
 * An exact sum of numeric amounts (exact_sum.h): the fast-path terms as a
 * fixed-point integer, and the others in a numeric kept in a spill slot.
 */
typedef struct ExactSum
{
	int128		scaled;			/* sum of fast-path terms, times 10^8 */
	int32		dscale;			/* largest display scale of any term */
	uint32		spill;			/* offset of its spill slot, or 0 for none */
} ExactSum;

static inline ExactSum *
arc_state_sums(const ArcState *state)
{
	return (ExactSum *) ((char *) state + state->sums_off);
}

/*
 * Each aggregate's state is a struct that starts with the ArcState header
 * and holds its own fields; its sums follow at sums_off.
 */
extern ArcState *arc_state_new(ArcStateKind kind, Size fields_size, int nsums);
extern ArcState *arc_state_for_update(FunctionCallInfo fcinfo, int argno,
									  ArcStateKind kind);
extern const ArcState *arc_state_for_reading(FunctionCallInfo fcinfo, int argno,
											 ArcStateKind kind);
extern ArcState *arc_state_resize(const ArcState *state, int nsums);
extern Numeric arc_state_spill(const ArcState *state, int sumno);
extern void arc_state_set_spill(ArcState **state, int sumno, Numeric value);

/*
 * The binary form of each kind of state, after its kind byte: written by
 * `send`, read back (and checked, with an error for anything a state
 * cannot hold) by `recv`.  Each aggregate's file defines its pair.
 */
typedef struct ArcStateCodec
{
	const char *aggname;
	void		(*send) (StringInfo buf, const ArcState *state);
	ArcState   *(*recv) (StringInfo buf);
} ArcStateCodec;

extern const ArcStateCodec arc_aging_codec;
extern const ArcStateCodec arc_payment_delay_codec;
extern const ArcStateCodec arc_days_late_codec;
extern const ArcStateCodec arc_dso_codec;
extern const ArcStateCodec arc_countback_codec;
extern const ArcStateCodec arc_risk_codec;

extern void arc_state_malformed(const char *aggname, const char *what) pg_attribute_noreturn();

/*
 * Returns a transition or combine result: SQL NULL while no row has made a
 * state, so that the strict final functions are not called without one.
 */
#define PG_RETURN_STATE(state) \
	do { \
		if ((state) == NULL) \
			PG_RETURN_NULL(); \
		PG_RETURN_POINTER(state); \
	} while (0)

#endif							/* ARCOLLECT_AGGREGATE_STATE_H */
