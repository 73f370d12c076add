/*-------------------------------------------------------------------------
 *
 * ledger_gate.c
 *	  The entry points of the ledger that act on a table for their
 *	  caller: attach, attach_payments, detach and reconcile.
 *
 * Attaching installs triggers on a billing table and writes the ledger,
 * which only the extension owner may do, but it must do so only for a
 * caller who may read the mapped columns and put triggers on the table
 * itself.  A SECURITY DEFINER function in SQL or PL/pgSQL cannot tell who
 * called it: current_user is its owner, and session_user is not the
 * caller after SET ROLE or inside another SECURITY DEFINER function.  So
 * these entry points are C functions that are not SECURITY DEFINER.
 * arcollect_for_caller notes the caller (GetUserId()), switches to the
 * function's owner as SECURITY DEFINER would, and calls the function's
 * implementation, arcollect._<name>(caller, arguments...), which checks
 * the caller's rights (arcollect._check_rights) before it touches
 * anything.  The implementations are executable by the extension owner
 * only (ledger_grants.sql), so no one else can name a caller.
 *
 * reconcile is the other way round: it reads the billing table and the
 * ledger with the caller's own rights, but the SQL that reads a table
 * through its mapping is built by internal helpers.  arcollect_reconcile
 * builds the statement as the owner (arcollect._reconcile_sql) and runs
 * it as the caller; an error in it is reported with a short context
 * (ledger_rethrow), not with the statement.
 *
 * Both run with the session settings of ledger_settings.c pinned (the
 * search_path, and the settings that change how a value is read:
 * reconcile reads the table as the trigger does, in the attachment's
 * time zone).  An error needs no clean-up here: the transaction or
 * subtransaction abort restores the user and the settings, as for
 * SECURITY DEFINER.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/tuplestore.h"

#include "ledger_settings.h"
#include "ledger_spi.h"

/* Parameters of the reconcile statement: those of every sync statement. */
#define RECONCILE_NPARAMS 5

/*
 * The statement that calls the implementation of function proc: the
 * function of the same schema named with a leading underscore, with the
 * caller as its first argument and then proc's own arguments.
 */
static char *
implementation_call(Form_pg_proc proc)
{
	StringInfoData sql;
	int			i;

	initStringInfo(&sql);
	appendStringInfo(&sql, "SELECT %s.",
					 quote_identifier(get_namespace_name(proc->pronamespace)));
	appendStringInfo(&sql, "%s($1",
					 quote_identifier(psprintf("_%s", NameStr(proc->proname))));
	for (i = 0; i < proc->pronargs; i++)
		appendStringInfo(&sql, ", $%d", i + 2);
	appendStringInfoChar(&sql, ')');
	return sql.data;
}

PG_FUNCTION_INFO_V1(arcollect_for_caller);

/*
 * The body of attach, attach_payments and detach: runs the function's
 * implementation (see implementation_call) with the rights of the
 * function's owner, telling it who the caller is, and returns its result.
 */
Datum
arcollect_for_caller(PG_FUNCTION_ARGS)
{
	Oid			fn_oid = fcinfo->flinfo->fn_oid;
	HeapTuple	tuple;
	Form_pg_proc proc;
	int			nargs;
	Oid			rettype;
	Oid		   *argtypes;
	Datum	   *values;
	char	   *nulls;
	char	   *sql;
	LedgerSession session;
	int			i;
	bool		isnull;
	Datum		result;

	tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn_oid));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for function %u", fn_oid);
	proc = (Form_pg_proc) GETSTRUCT(tuple);
	nargs = proc->pronargs;
	rettype = proc->prorettype;
	argtypes = palloc((nargs + 1) * sizeof(Oid));
	values = palloc((nargs + 1) * sizeof(Datum));
	nulls = palloc(nargs + 1);

	argtypes[0] = REGROLEOID;
	values[0] = ObjectIdGetDatum(GetUserId());
	nulls[0] = ' ';
	for (i = 0; i < nargs; i++)
	{
		argtypes[i + 1] = proc->proargtypes.values[i];
		values[i + 1] = PG_GETARG_DATUM(i);
		nulls[i + 1] = PG_ARGISNULL(i) ? 'n' : ' ';
	}
	sql = implementation_call(proc);
	ReleaseSysCache(tuple);

	ledger_enter(fn_oid, &session);
	ledger_spi_call(sql, sql, nargs + 1, argtypes, values, nulls);
	result = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (!isnull && rettype != VOIDOID)
	{
		int16		typlen;
		bool		typbyval;

		get_typlenbyval(rettype, &typlen, &typbyval);
		result = SPI_datumTransfer(result, typbyval, typlen);
	}

	ledger_leave(&session);

	if (rettype == VOIDOID)
		PG_RETURN_VOID();
	if (isnull)
		PG_RETURN_NULL();
	return result;
}

PG_FUNCTION_INFO_V1(arcollect_reconcile);

/*
 * arcollect.reconcile(billing_table regclass): builds the tie-out
 * statement of the table as the function's owner, runs it as the caller
 * and returns its rows.  See reconcile.sql.
 */
Datum
arcollect_reconcile(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			argtypes[1] = {REGCLASSOID};
	Datum		args[1];
	char		argnulls[1];
	Oid			types[RECONCILE_NPARAMS] = {
		INT4OID, INT4OID, TEXTOID, TEXTARRAYOID, TEXTARRAYOID
	};
	Datum		values[RECONCILE_NPARAMS];
	char		nulls[RECONCILE_NPARAMS];
	char	   *sql;
	TupleDesc	desc;
	LedgerSession session;
	volatile int ret;
	int			i;
	uint64		row;
	MemoryContext cxt = CurrentMemoryContext;

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);

	args[0] = PG_GETARG_DATUM(0);
	argnulls[0] = PG_ARGISNULL(0) ? 'n' : ' ';

	ledger_enter(fcinfo->flinfo->fn_oid, &session);

	/* the statement, its parameters and time zone, built as the owner */
	ledger_spi_query("building the reconcile statement",
					 "SELECT r.statement, r.attachment_id, r.invoices_attachment_id,"
					 " r.default_currency, r.void_statuses, r.credit_statuses,"
					 " r.time_zone"
					 " FROM arcollect._reconcile_sql($1) r",
					 1, argtypes, args, argnulls);
	sql = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	if (sql == NULL)
		elog(ERROR, "arcollect._reconcile_sql returned NULL");
	for (i = 0; i < RECONCILE_NPARAMS; i++)
	{
		bool		isnull;
		Datum		value = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
										  i + 2, &isnull);

		nulls[i] = isnull ? 'n' : ' ';
		values[i] = isnull ? (Datum) 0 : datumCopy(value, types[i] == INT4OID,
												   types[i] == INT4OID ? 4 : -1);
	}
	ledger_pin_time_zone(SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
									  RECONCILE_NPARAMS + 2));

	/*
	 * No JIT: the statement's cost, over a large table, makes the planner
	 * compile, inline and optimize its hundred-odd expressions, which
	 * takes seconds, while most of its time is spent in function calls
	 * that compiling does not speed up.
	 */
	(void) set_config_option("jit", "off", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);

	/* run with the caller's rights; an error names the step, not the SQL */
	ledger_act_as_caller(&session);
	PG_TRY();
	{
		ret = SPI_execute_with_args(sql, RECONCILE_NPARAMS, types, values, nulls, true, 0);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
		ledger_rethrow(cxt, sql,
					   psprintf("receivables ledger: reconciling table %s",
								DatumGetCString(DirectFunctionCall1(regclassout, args[0]))));
	}
	PG_END_TRY();
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "arcollect: the reconcile statement failed: %s",
			 SPI_result_code_string(ret));

	desc = SPI_tuptable->tupdesc;
	if (desc->natts != rsinfo->setDesc->natts)
		elog(ERROR, "arcollect: the reconcile statement returns %d columns, not %d",
			 desc->natts, rsinfo->setDesc->natts);
	for (i = 0; i < desc->natts; i++)
		if (TupleDescAttr(desc, i)->atttypid != TupleDescAttr(rsinfo->setDesc, i)->atttypid)
			elog(ERROR, "arcollect: column %d of the reconcile statement has the wrong type", i + 1);
	for (row = 0; row < SPI_processed; row++)
		tuplestore_puttuple(rsinfo->setResult, SPI_tuptable->vals[row]);

	ledger_leave(&session);
	return (Datum) 0;
}
