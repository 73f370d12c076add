/*-------------------------------------------------------------------------
 *
 * escalation_turns.c
 *	  The turns the event-driven recompute and the escalation run take,
 *	  so that neither misses what the other wrote.
 *
 * The run plans from a preview it computes before its batches; a
 * recompute after an event (a payment the ledger booked, a dispute, a
 * plan, a promise: escalation_trigger.c) undoes what its customers no
 * longer need, from what it can see.  Each can miss the other's writes:
 * a payment that commits after the run's preview leaves a step planned
 * for a customer who paid; and a payment whose recompute read the
 * escalations before a batch of the run committed did not see what the
 * batch planned, yet may commit after the run looked.
 *
 * So every transaction that recomputes after an event first takes the
 * turn lock in share mode (escalation_take_turn), before it reads
 * anything, and keeps it until it ends; and the run, once its last batch
 * committed, waits for every transaction that holds the lock then
 * (arcollect.wait_for_escalation_events), and then undoes what they made
 * needless for the customers it planned (arcollect.end_escalations).  A
 * recompute that read after the batch committed saw what it planned; one
 * that read before held the lock when the run looked, and the run saw
 * its payment once it ended.  The run only waits for the holders and
 * never takes the lock: recomputes share it, so no billing write ever
 * waits for the run or for another one.  (Under REPEATABLE READ or
 * SERIALIZABLE a recompute reads with the snapshot of its transaction,
 * which may predate a batch that committed before it looked: such an
 * escalation is ended by the next run, and arcollect.outbox never shows
 * its touchpoints, since it checks the stage when read.)
 *
 * The lock is an advisory lock of the database with the bigint key
 * 7302829649513432837, the first 64 bits of
 * md5('arcollect.escalation_events'), which pg_locks shows as classid
 * 1700322527, objid 3396355845, objsubid 1.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "storage/lock.h"

#include "escalation.h"

#define ESCALATION_TURN_KEY UINT64CONST(0x6558dcdfca704705)

static void
escalation_turn_tag(LOCKTAG *tag)
{
	/* as pg_advisory_xact_lock_shared(bigint) would name it */
	SET_LOCKTAG_ADVISORY(*tag, MyDatabaseId,
						 (uint32) (ESCALATION_TURN_KEY >> 32),
						 (uint32) ESCALATION_TURN_KEY, 1);
}

/*
 * Takes the turn lock in share mode until the transaction ends.  Called
 * before the recompute reads anything; holding it already costs a local
 * lookup.
 */
void
escalation_take_turn(void)
{
	LOCKTAG		tag;

	escalation_turn_tag(&tag);
	(void) LockAcquire(&tag, ShareLock, false, false);
}

PG_FUNCTION_INFO_V1(arcollect_wait_for_escalation_events);

/*
 * arcollect.wait_for_escalation_events(): waits until every transaction
 * that holds the turn lock now has ended, without taking it, so that
 * later recomputes do not queue behind the caller.  lock_timeout and
 * statement_timeout apply to each wait.
 */
Datum
arcollect_wait_for_escalation_events(PG_FUNCTION_ARGS)
{
	LOCKTAG		tag;

	escalation_turn_tag(&tag);
	WaitForLockers(tag, ExclusiveLock, false);
	PG_RETURN_VOID();
}
