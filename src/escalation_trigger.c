/*-------------------------------------------------------------------------
 *
 * escalation_trigger.c
 *	  The escalation follows what a customer owes in the same
 *	  transaction: after the ledger booked what lowers an open amount,
 *	  and after a dispute, a payment plan or a promise was written.
 *
 * Both gather the customers of the statement and make one call of
 * arcollect.end_escalations(customers) (sql/code/escalation_events.sql),
 * which holds the rules: for those of the customers that have an open
 * escalation or a credit hold in force (an index lookup: the others cost
 * no recompute), it ends the escalations left with nothing escalatable,
 * cancels their planned touchpoints and releases the holds whose
 * escalatable overdue is gone, as arcollect.preview_escalations lists
 * them.  Nothing here plans a step (escalation_events.sql says why).
 * Each first takes its turn with the escalation run
 * (escalation_turns.c).
 *
 * The records: the statement-level AFTER triggers of
 * escalation_events.sql on arcollect.dispute, payment_plan, plan_invoice,
 * plan_installment and promise call arcollect._escalate_after_record(),
 * which reads the customers from the transition table (for plan_invoice
 * and plan_installment their plans, whose customers the call looks up).
 * It runs with the rights of whoever wrote the record, and an error of
 * the recompute fails the write, as any error of the collector's
 * statement does.
 *
 * The ledger: the sync statement of an attached table returns the
 * customers whose open amounts it lowered (payments, credit notes and
 * write-offs of a payments table; payments, voids and corrections of a
 * billing table: ledger_sync.sql), and ledger_trigger.c hands them to
 * escalation_after_ledger, inside its session: with the ledger's rights
 * (the billing writer needs no grant on arcollect), as of today in the
 * attachment's time zone (the day the ledger dates what it sees).  This
 * is on the billing write path, and a billing write never fails because
 * of arcollect: the recompute runs in a subtransaction, and its failure
 * is a WARNING saying that the next run catches up (but a cancel, or a
 * statement timeout, still cancels the statement).  The fast path books
 * new invoices only, which never lower what a customer owes overdue, so
 * a statement it books whole needs no recompute.
 *
 * The setting arcollect.escalation_trigger (on by default, any user's:
 * for a bulk load of records or payments followed by a run) switches
 * both off; the run switches it off while it settles plans and
 * promises, since it recomputes every customer right after.  The ledger
 * does not recompute under SERIALIZABLE (escalation_follows_ledger).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/resowner.h"
#include "utils/tuplestore.h"

#include "escalation.h"

/* arcollect.escalation_trigger */
static bool escalation_trigger = true;

/* The one call of each recompute: by customers, or by plans. */
static const char *const end_by_customers =
"SELECT FROM arcollect.end_escalations($1)";
static const char *const end_by_plans =
"SELECT FROM arcollect.end_escalations(ARRAY("
"SELECT p.customer_id FROM arcollect.payment_plan p"
" WHERE p.plan_id OPERATOR(pg_catalog.=) ANY ($1)))";

/* Defines arcollect.escalation_trigger; called by _PG_init. */
void
escalation_define_settings(void)
{
	DefineCustomBoolVariable("arcollect.escalation_trigger",
							 "Recomputes the escalation of the customers a payment, dispute, plan or promise concerns, in the same transaction.",
							 "When off, the next arcollect.run_escalations catches up.",
							 &escalation_trigger,
							 true,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);
}

/*
 * Whether the ledger's statement of a trigger event gives the customers
 * whose open amounts it lowered, and the trigger recomputes them: the
 * setting on, and the transaction not SERIALIZABLE.  Under SERIALIZABLE
 * every row the recompute read would take a predicate lock, and a
 * concurrent run or recompute writing the same escalations could make
 * the billing write fail to serialize at its COMMIT, long after the
 * recompute's subtransaction caught what it could: such payments are
 * left to the next run.
 */
bool
escalation_follows_ledger(void)
{
	return escalation_trigger && !IsolationIsSerializable();
}

PG_FUNCTION_INFO_V1(arcollect_escalation_follows_ledger);

/* arcollect._escalation_follows_ledger(), for the ledger's statements */
Datum
arcollect_escalation_follows_ledger(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(escalation_follows_ledger());
}

/*
 * The values of column of the rows of the statement's new transition
 * table, NULLs left out, as an array of type elemtype (the column's).
 */
static Datum
transition_values(TriggerData *trigdata, const char *column, Oid elemtype)
{
	Tuplestorestate *rows = trigdata->tg_newtable;
	TupleDesc	desc = RelationGetDescr(trigdata->tg_relation);
	int			attnum = SPI_fnumber(desc, column);
	int16		typlen;
	bool		typbyval;
	char		typalign;
	TupleTableSlot *slot;
	Datum	   *values;
	int			n = 0;

	if (attnum <= 0 || TupleDescAttr(desc, attnum - 1)->atttypid != elemtype)
		elog(ERROR, "arcollect: table \"%s\" has no column \"%s\" of type %s",
			 RelationGetRelationName(trigdata->tg_relation), column, format_type_be(elemtype));
	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	values = palloc(sizeof(Datum) * Max(tuplestore_tuple_count(rows), 1));
	slot = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);
	tuplestore_rescan(rows);
	while (tuplestore_gettupleslot(rows, true, false, slot))
	{
		bool		isnull;
		Datum		value = slot_getattr(slot, attnum, &isnull);

		/* (the slot's tuple is the tuplestore's, which may reuse it) */
		if (!isnull)
			values[n++] = datumCopy(value, typbyval, typlen);
	}
	ExecDropSingleTupleTableSlot(slot);
	return PointerGetDatum(construct_array(values, n, elemtype, typlen, typbyval, typalign));
}

PG_FUNCTION_INFO_V1(arcollect_escalate_after_record);

/*
 * arcollect._escalate_after_record(): the statement-level AFTER trigger
 * of the collections records, with one argument: 'customer' when the
 * rows have a customer_id, 'plan' when they name a plan (plan_id).
 */
Datum
arcollect_escalate_after_record(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	bool		by_plan;
	Datum		ids;
	Oid			argtype;
	int			ret;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event) || trigdata->tg_newtable == NULL ||
		trigdata->tg_trigger->tgnargs != 1 ||
		(strcmp(trigdata->tg_trigger->tgargs[0], "customer") != 0 &&
		 strcmp(trigdata->tg_trigger->tgargs[0], "plan") != 0))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("arcollect._escalate_after_record() must be an AFTER statement trigger with a new transition table and the argument customer or plan"),
				 errhint("Only the triggers of arcollect's collections records call it.")));
	if (!escalation_trigger)
		return PointerGetDatum(NULL);

	by_plan = strcmp(trigdata->tg_trigger->tgargs[0], "plan") == 0;
	argtype = by_plan ? INT8ARRAYOID : TEXTARRAYOID;
	ids = transition_values(trigdata, by_plan ? "plan_id" : "customer_id",
							by_plan ? INT8OID : TEXTOID);

	escalation_take_turn();
	SPI_connect();
	ret = SPI_execute_with_args(by_plan ? end_by_plans : end_by_customers, 1, &argtype, &ids,
								NULL, false, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "arcollect: recomputing the escalation failed: %s", SPI_result_code_string(ret));
	SPI_finish();
	return PointerGetDatum(NULL);
}

/*
 * Recomputes the escalation of customers (a text[] of the customers whose
 * open amounts a statement on table_name lowered), inside the ledger's
 * SPI session and with its rights, in a subtransaction: a failure is a
 * WARNING, and the billing write goes on.
 */
void
escalation_after_ledger(Datum customers, const char *table_name)
{
	ArrayType  *array = DatumGetArrayTypeP(customers);
	int			count = ArrayGetNItems(ARR_NDIM(array), ARR_DIMS(array));
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	Oid			argtype = TEXTARRAYOID;

	if (count == 0)
		return;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		int			ret = SPI_execute_with_args(end_by_customers, 1, &argtype, &customers,
												NULL, false, 0);

		if (ret != SPI_OK_SELECT)
			elog(ERROR, "arcollect: recomputing the escalation failed: %s",
				 SPI_result_code_string(ret));
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;

		/* a statement cancelled, or timed out, stops */
		if (edata->sqlerrcode == ERRCODE_QUERY_CANCELED)
			ReThrowError(edata);
		ereport(WARNING,
				(errcode(edata->sqlerrcode),
				 errmsg("arcollect could not bring the escalation up to date after a write of table %s: %s",
						table_name, edata->message),
				 errdetail_plural("The write went through, and the receivables ledger booked it; the escalation of the %d customer whose open amounts it lowered was left as it was.",
								  "The write went through, and the receivables ledger booked it; the escalations of the %d customers whose open amounts it lowered were left as they were.",
								  count, count),
				 errhint("The next arcollect.run_escalations catches up.")));
		FreeErrorData(edata);
	}
	PG_END_TRY();
}
