/*-------------------------------------------------------------------------
 *
 * ledger_error.c
 *	  Running the ledger's generated statements with errors a DBA can read.
 *
 * The statements arcollect generates from an attachment's mapping
 * (ledger_sync.sql, reconcile.sql) run to a hundred lines and more.  When
 * one fails -- a strict-mode check, a constraint, a lock timeout -- SPI's
 * error context callback quotes the whole statement ("SQL statement
 * "WITH src AS ..."") and, for a syntax error, repeats it as the error's
 * query, which buries the error itself.  Every generated statement is
 * therefore run under PG_TRY, and a failure is rethrown with that quote
 * replaced by one line saying which ledger step failed on which table.
 * Everything else in the error (message, detail, hint, SQLSTATE, the
 * contexts of functions the statement called and of the caller) is kept.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"

#include "ledger_spi.h"

/*
 * The error context with SPI's quote of sql replaced by step; step goes
 * first when there is no such quote (a syntax error: SPI then puts the
 * statement into the error's query instead, see ledger_rethrow).
 */
static char *
ledger_short_context(const char *context, const char *sql, const char *step)
{
	char	   *quote = psprintf("SQL statement \"%s\"", sql);
	const char *at = context == NULL ? NULL : strstr(context, quote);
	StringInfoData buf;

	initStringInfo(&buf);
	if (at == NULL)
	{
		appendStringInfoString(&buf, step);
		if (context != NULL)
			appendStringInfo(&buf, "\n%s", context);
	}
	else
	{
		appendBinaryStringInfo(&buf, context, at - context);
		appendStringInfoString(&buf, step);
		appendStringInfoString(&buf, at + strlen(quote));
	}
	pfree(quote);
	return buf.data;
}

/*
 * Rethrows the error being handled, from a PG_CATCH block around running
 * sql, with a short context naming step (see the file comment).  cxt is
 * a memory context that outlives the catch block, such as the one current
 * before PG_TRY.
 */
void
ledger_rethrow(MemoryContext cxt, const char *sql, const char *step)
{
	ErrorData  *edata;

	MemoryContextSwitchTo(cxt);
	edata = CopyErrorData();
	FlushErrorState();
	edata->context = ledger_short_context(edata->context, sql, step);
	if (edata->internalquery != NULL && strcmp(edata->internalquery, sql) == 0)
	{
		edata->internalquery = NULL;
		edata->internalpos = 0;
	}
	ReThrowError(edata);
}

PG_FUNCTION_INFO_V1(arcollect_ledger_run);

/*
 * arcollect._ledger_run(step text, sql text, p1 integer, p2 integer,
 *                       p3 text, p4 text[], p5 text[]) RETURNS SETOF record
 *
 * Runs a generated ledger statement with the five parameters every such
 * statement takes (ledger_sync.sql) and returns its rows, which must have
 * the types of the caller's column definition list; an error comes back
 * with the short context of ledger_rethrow.  For the SQL callers of the
 * generated statements (attach's import); the trigger (ledger_trigger.c)
 * and reconcile (ledger_gate.c) run theirs themselves.  Runs with the
 * caller's rights.
 */
Datum
arcollect_ledger_run(PG_FUNCTION_ARGS)
{
	static Oid	argtypes[5] = {INT4OID, INT4OID, TEXTOID, TEXTARRAYOID, TEXTARRAYOID};
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext cxt = CurrentMemoryContext;
	char	   *step;
	char	   *sql;
	Datum		values[5];
	char		nulls[5];
	TupleDesc	want;
	TupleDesc	got;
	uint64		i;
	int			j;
	volatile int ret = 0;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("arcollect._ledger_run needs a step and a statement")));
	step = text_to_cstring(PG_GETARG_TEXT_PP(0));
	sql = text_to_cstring(PG_GETARG_TEXT_PP(1));
	for (j = 0; j < 5; j++)
	{
		nulls[j] = PG_ARGISNULL(j + 2) ? 'n' : ' ';
		values[j] = PG_ARGISNULL(j + 2) ? (Datum) 0 : PG_GETARG_DATUM(j + 2);
	}

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	want = rsinfo->setDesc;

	SPI_connect();
	PG_TRY();
	{
		ret = SPI_execute_with_args(sql, 5, argtypes, values, nulls, false, 0);
	}
	PG_CATCH();
	{
		ledger_rethrow(cxt, sql, step);
	}
	PG_END_TRY();
	if (ret < 0 || SPI_tuptable == NULL)
		elog(ERROR, "arcollect: %s: the ledger statement returned no rows: %s",
			 step, SPI_result_code_string(ret));

	got = SPI_tuptable->tupdesc;
	if (got->natts != want->natts)
		elog(ERROR, "arcollect: %s: the ledger statement returns %d columns, not %d",
			 step, got->natts, want->natts);
	for (j = 0; j < want->natts; j++)
		if (TupleDescAttr(got, j)->atttypid != TupleDescAttr(want, j)->atttypid)
			elog(ERROR, "arcollect: %s: column %d of the ledger statement is of type %s, not %s",
				 step, j + 1, format_type_be(TupleDescAttr(got, j)->atttypid),
				 format_type_be(TupleDescAttr(want, j)->atttypid));

	for (i = 0; i < SPI_processed; i++)
	{
		Datum	   *row = palloc(sizeof(Datum) * want->natts);
		bool	   *isnull = palloc(sizeof(bool) * want->natts);

		heap_deform_tuple(SPI_tuptable->vals[i], got, row, isnull);
		tuplestore_putvalues(rsinfo->setResult, want, row, isnull);
		pfree(row);
		pfree(isnull);
	}
	SPI_finish();
	return (Datum) 0;
}
