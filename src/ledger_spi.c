/*-------------------------------------------------------------------------
 *
 * ledger_spi.c
 *	  How the ledger's C entry points run SQL.
 *
 * The trigger (ledger_trigger.c) and the gates of attach, detach and
 * reconcile (ledger_gate.c) write and read the ledger with the rights of
 * the extension owner, whoever calls them, as SECURITY DEFINER would, and
 * with the session settings that change how a value is read pinned
 * (ledger_settings.c), whatever the caller's.  ledger_enter does both and
 * connects to SPI; ledger_leave undoes it.  The queries they run through
 * SPI are checked in one place: ledger_spi_query and ledger_spi_call fail
 * with what was being done unless the query returned its one row.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_proc.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/guc.h"
#include "utils/syscache.h"

#include "ledger_settings.h"
#include "ledger_spi.h"

/*
 * The owner of function fn_oid: for the trigger, the user the ledger is
 * written as; for the entry points of ledger_gate.c, the user they act
 * as.  Looked up on every call (a syscache hit), so that a new owner
 * counts at once.
 */
Oid
ledger_owner(Oid fn_oid)
{
	HeapTuple	tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn_oid));
	Oid			owner;

	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for function %u", fn_oid);
	owner = ((Form_pg_proc) GETSTRUCT(tuple))->proowner;
	ReleaseSysCache(tuple);
	return owner;
}

/*
 * Acts as the owner of function fn_oid, connected to SPI, with the
 * ledger's settings pinned, until ledger_leave.  An error undoes it all
 * (the transaction or subtransaction abort restores the user, closes the
 * SPI connection and the settings' nesting level).
 */
void
ledger_enter(Oid fn_oid, LedgerSession *session)
{
	GetUserIdAndSecContext(&session->caller, &session->caller_sec_context);
	SetUserIdAndSecContext(ledger_owner(fn_oid),
						   session->caller_sec_context | SECURITY_LOCAL_USERID_CHANGE);
	SPI_connect();
	session->guc_level = ledger_pin_settings();
}

/*
 * Goes back to the caller's rights, keeping the SPI connection and the
 * pinned settings: for a statement that must run with them (reconcile).
 */
void
ledger_act_as_caller(LedgerSession *session)
{
	SetUserIdAndSecContext(session->caller, session->caller_sec_context);
}

void
ledger_leave(LedgerSession *session)
{
	AtEOXact_GUC(true, session->guc_level);
	SPI_finish();
	SetUserIdAndSecContext(session->caller, session->caller_sec_context);
}

/* Runs sql through SPI; fails, saying what was being done, unless it returned one row. */
static void
ledger_spi_run(const char *what, const char *sql, int nargs, Oid *types,
			   Datum *values, const char *nulls, bool read_only)
{
	int			ret = SPI_execute_with_args(sql, nargs, types, values, nulls, read_only, 1);

	if (ret != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "arcollect: %s failed: %s", what, SPI_result_code_string(ret));
}

/* A read-only query (a SELECT) of one row; its result is in SPI_tuptable. */
void
ledger_spi_query(const char *what, const char *sql, int nargs, Oid *types,
				 Datum *values, const char *nulls)
{
	ledger_spi_run(what, sql, nargs, types, values, nulls, true);
}

/* A call of a function that writes (a SELECT of one row). */
void
ledger_spi_call(const char *what, const char *sql, int nargs, Oid *types,
				Datum *values, const char *nulls)
{
	ledger_spi_run(what, sql, nargs, types, values, nulls, false);
}
