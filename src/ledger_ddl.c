/*-------------------------------------------------------------------------
 *
 * ledger_ddl.c
 *	  What the ledger's DDL event triggers remember between the start and
 *	  the end of a command.
 *
 * Once a DDL command has run, the catalogs no longer show what it removed
 * or renamed: a dropped partition's link to its parent, a column's old
 * name.  So arcollect._ddl_snapshot (ledger_ddl.sql), at ddl_command_start,
 * notes the state of every attachment, and the sql_drop and
 * ddl_command_end triggers compare with it.  The note is kept here, in
 * backend memory for the rest of the transaction, rather than in a setting
 * (which any user could read, and set to mislead the next command) or a
 * table (a write per DDL command): only the extension's owner may call
 * these functions.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "fmgr.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

/* The note of the current transaction, in TopTransactionContext, or NULL. */
static Jsonb *ddl_state = NULL;
static bool ddl_callback_registered = false;

/* The note goes with its transaction (its memory is freed with it). */
static void
ddl_state_xact_callback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT ||
		event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PARALLEL_ABORT ||
		event == XACT_EVENT_PREPARE)
		ddl_state = NULL;
}

PG_FUNCTION_INFO_V1(arcollect_ddl_state_set);

/*
 * arcollect._ddl_state_set(jsonb): notes the state for this transaction
 * (NULL forgets it).  Not STRICT: a call with a NULL constant would be
 * folded away before the EXECUTE privilege is checked.
 */
Datum
arcollect_ddl_state_set(PG_FUNCTION_ARGS)
{
	Jsonb	   *old = ddl_state;

	if (!ddl_callback_registered)
	{
		RegisterXactCallback(ddl_state_xact_callback, NULL);
		ddl_callback_registered = true;
	}
	ddl_state = NULL;
	if (!PG_ARGISNULL(0))
	{
		Jsonb	   *state = PG_GETARG_JSONB_P(0);

		ddl_state = MemoryContextAlloc(TopTransactionContext, VARSIZE(state));
		memcpy(ddl_state, state, VARSIZE(state));
	}
	if (old != NULL)
		pfree(old);
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(arcollect_ddl_state);

/* arcollect._ddl_state(): the state noted in this transaction, or NULL. */
Datum
arcollect_ddl_state(PG_FUNCTION_ARGS)
{
	Jsonb	   *copy;

	if (ddl_state == NULL)
		PG_RETURN_NULL();
	copy = palloc(VARSIZE(ddl_state));
	memcpy(copy, ddl_state, VARSIZE(ddl_state));
	PG_RETURN_JSONB_P(copy);
}
