/*-------------------------------------------------------------------------
 *
 * ledger_fastpath.c
 *	  Booking new invoices without SQL: the fast path of the ledger
 *	  trigger for INSERT and COPY into a billing table.
 *
 * Almost every write to a billing table is an INSERT of invoices the
 * ledger has never seen, one row from an application or millions from a
 * COPY.  For those, running the general sync statement costs more than the
 * billing write itself: for one row, starting an executor for a statement
 * of a dozen CTEs; for a million, materializing and joining them.  This
 * file books such rows directly: it reads the transition table, converts
 * and checks the mapped columns in C, looks the key up in the ledger's
 * primary key when it has to, and writes the invoice rows and their
 * entries in batches with table_multi_insert and ExecInsertIndexTuples,
 * the way COPY does.  It writes no customer: arcollect.customer derives
 * them from the invoices (sql/code/customer.sql).
 *
 * It books exactly what the INSERT statement of ledger_sync.sql would
 * book for a new key (same conversions, same entries, same dates).  Any
 * row it is not sure about -- an unusable row (quarantine), a key the
 * ledger knows already (a deleted invoice coming back) -- is skipped, and
 * the caller then runs the general statement for the whole transition
 * table, which books what is left and leaves the rest unchanged.
 *
 * The work is split in three: ledger_read.c reads a billing row as the
 * SQL statements read it and says whether the booking rules let it be
 * booked; ledger_write.c writes ledger rows in batches and probes the
 * ledger's keys; this file decides what a new invoice books (its invoice
 * row and the entries it comes with) and drives a statement from
 * beginning to end (booking_begin, booking_add, booking_end).  The rows
 * are written without the ledger tables' CHECK constraints and defaults
 * being evaluated: the values built here satisfy them, and
 * ledger_table_problem refuses a ledger table for which that would not
 * hold (the SQL statement then books every row).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/skey.h"
#include "access/stratnum.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "commands/sequence.h"
#include "executor/executor.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "exact_sum.h"
#include "ledger_fastpath.h"
#include "ledger_read.h"
#include "ledger_rules.h"
#include "ledger_write.h"

/* Invoices buffered before they are written together. */
#define LEDGER_BATCH 1000

/* At most two entries per new invoice: a payment and a void. */
#define LEDGER_ENTRIES_PER_INVOICE 2

struct LedgerFastPath
{
	int32		attachment_id;
	LedgerReader *reader;
	Oid			invoice_relid;
	Oid			entry_relid;
	Oid			entry_seqid;
	Oid			invoice_pkey;	/* (invoice_key, attachment_id) */
	Oid			invoice_not_in_billing; /* (attachment_id) WHERE NOT in_billing */
	LedgerColumns invoice_cols;
	LedgerColumns entry_cols;
	bool		refused;		/* a ledger table it cannot write: see above */
	bool		outdated;		/* invalidated since it was built */
};


static const char *const invoice_column_names[] = {
	"attachment_id", "invoice_key", "customer_id", "currency", "issued_on",
	"due_on", "amount", "paid", "void_amount", "owner", "status",
	"in_billing", "booked_amount", "booked_on", "booked_at"
};
enum
{
	INV_ATTACHMENT, INV_KEY, INV_CUSTOMER, INV_CURRENCY, INV_ISSUED, INV_DUE,
	INV_AMOUNT, INV_PAID, INV_VOID, INV_OWNER, INV_STATUS, INV_IN_BILLING,
	INV_BOOKED_AMOUNT, INV_BOOKED_ON, INV_BOOKED_AT,
	INV_NCOLS
};

static const char *const entry_column_names[] = {
	"entry_id", "attachment_id", "invoice_key", "kind", "amount",
	"effective_on", "source_attachment_id", "recorded_at"
};
enum
{
	ENT_ID, ENT_ATTACHMENT, ENT_KEY, ENT_KIND, ENT_AMOUNT, ENT_EFFECTIVE,
	ENT_SOURCE, ENT_RECORDED, ENT_NCOLS
};

/*
 * The CHECK constraints of the ledger tables that the rows built here
 * satisfy by construction (the entry kinds are from its list); any other
 * makes the fast path leave the table to the SQL statement.
 */
static const char *const invoice_checks[] = {NULL};
static const char *const entry_checks[] = {"entry_kind_check", NULL};

/* The column positions are kept in arrays of LEDGER_MAX_FILLED. */
StaticAssertDecl(INV_NCOLS <= LEDGER_MAX_FILLED && ENT_NCOLS <= LEDGER_MAX_FILLED,
				 "a ledger table has more columns to fill than LedgerColumns holds");

/*
 * Builds what the fast path needs to know about an attachment, in cxt, or
 * returns NULL when it cannot book this table's rows exactly as the SQL
 * statements would (ledger_reader_build).  colnames are the mapped column
 * names in LedgerMapped order, NULL where unmapped; the caller has checked
 * that they exist and have types their parameters accept.  Must be called
 * inside an SPI connection (for SPI_fnumber's sake only; no query is run).
 */
LedgerFastPath *
ledger_fastpath_build(MemoryContext cxt, Relation billing, int32 attachment_id,
					  Datum default_currency, bool default_currency_null,
					  Datum void_statuses, Datum credit_statuses,
					  const char *const *colnames)
{
	LedgerReader *reader = ledger_reader_build(cxt, billing, colnames,
											   default_currency, default_currency_null,
											   void_statuses, credit_statuses);
	MemoryContext old;
	LedgerFastPath *fp;
	Oid			nsp;
	char	   *problem;

	if (reader == NULL)
		return NULL;
	old = MemoryContextSwitchTo(cxt);
	fp = palloc0(sizeof(LedgerFastPath));
	nsp = get_namespace_oid("arcollect", false);
	fp->attachment_id = attachment_id;
	fp->reader = reader;
	fp->invoice_relid = ledger_relid(nsp, "invoice");
	fp->invoice_pkey = ledger_relid(nsp, "invoice_pkey");
	/* optional: without it every key is looked up */
	fp->invoice_not_in_billing = get_relname_relid("invoice_not_in_billing", nsp);
	fp->entry_relid = ledger_relid(nsp, "entry");
	fp->entry_seqid = ledger_relid(nsp, "entry_entry_id_seq");
	ledger_columns(fp->invoice_relid, invoice_column_names, INV_NCOLS, &fp->invoice_cols);
	ledger_columns(fp->entry_relid, entry_column_names, ENT_NCOLS, &fp->entry_cols);

	/*
	 * A ledger table it cannot write: the fast path stays built (so that
	 * a change of the ledger table still invalidates the cache, see
	 * ledger_fastpath_uses) but books nothing.  Said once per build, in
	 * the server log: the bookings are right, only slower.
	 */
	{
		/* (what the checks allocate goes with a context of their own) */
		MemoryContext check_cxt = AllocSetContextCreate(CurrentMemoryContext,
														"arcollect fast path checks",
														ALLOCSET_SMALL_SIZES);
		MemoryContext cache_cxt = MemoryContextSwitchTo(check_cxt);

		problem = ledger_table_problem(fp->invoice_relid, INV_NCOLS, &fp->invoice_cols,
									   invoice_checks);
		if (problem == NULL)
			problem = ledger_table_problem(fp->entry_relid, ENT_NCOLS, &fp->entry_cols,
										   entry_checks);
		MemoryContextSwitchTo(cache_cxt);
		if (problem != NULL)
			problem = pstrdup(problem);
		MemoryContextDelete(check_cxt);
	}
	if (problem != NULL)
	{
		fp->refused = true;
		ereport(LOG,
				(errmsg("arcollect: the fast path is off for table %s: %s",
						RelationGetRelationName(billing), problem),
				 errdetail("New invoices are booked by the SQL statement, which gives the same ledger more slowly.")));
	}
	MemoryContextSwitchTo(old);
	return fp;
}

/*
 * The trigger's cache entry of fp's table was invalidated (the trigger's
 * relcache callback): fp books nothing more, and the entry is rebuilt at
 * its next lookup.
 */
void
ledger_fastpath_outdated(LedgerFastPath *fp)
{
	fp->outdated = true;
}

/* Whether the fast path keeps relid (a ledger table, index or sequence) open. */
bool
ledger_fastpath_uses(LedgerFastPath *fp, Oid relid)
{
	return relid == fp->invoice_relid || relid == fp->invoice_pkey ||
		relid == fp->invoice_not_in_billing || relid == fp->entry_relid ||
		relid == fp->entry_seqid;
}

/*
 * What one INSERT statement writes: new invoices, and the entries of
 * those that come paid or void (the entry table is opened for writing
 * only then; booking_begin locks it for the statement).
 */
typedef struct LedgerBatch
{
	LedgerFastPath *fp;
	EState	   *estate;
	bool		bulk;
	LedgerTarget *invoices;
	LedgerTarget *entries;		/* NULL until needed */
	bool		conflict[LEDGER_BATCH];
	/* the buffered invoice each buffered entry belongs to */
	int			entry_invoice[LEDGER_BATCH * LEDGER_ENTRIES_PER_INVOICE];
} LedgerBatch;

/*
 * Writes the buffered invoices and entries.  Returns false when some
 * invoices were taken back because their key turned out to be in the
 * ledger already: a key that another transaction is booking at this
 * moment (payments write no invoice rows, and the billing table's own key
 * makes most such writers wait before they get here, but not a ledger out
 * of step after a detach), found by the primary key's check.  Their rows (and entries) are deleted again here, and the
 * caller leaves those keys to the general statement, which waits for the
 * other transaction as INSERT ... ON CONFLICT does.  No subtransaction is
 * needed, which matters for single-row inserts.
 */
static bool
batch_flush(LedgerBatch *b)
{
	LedgerTarget *inv = b->invoices;
	LedgerTarget *ent = b->entries;
	bool		any_conflict = false;
	int			i,
				kept;

	ledger_target_write(inv, b->estate, inv->nslots, b->fp->invoice_pkey, b->conflict);
	for (i = 0; i < inv->nslots; i++)
		any_conflict |= b->conflict[i];

	if (any_conflict)
	{
		/* our own rows become deletable once the command counter moves on */
		CommandCounterIncrement();
		for (i = 0; i < inv->nslots; i++)
			if (b->conflict[i])
				simple_heap_delete(inv->rel, &inv->slots[i]->tts_tid);
		/* the entries of those invoices are not written at all */
		if (ent != NULL)
		{
			kept = 0;
			for (i = 0; i < ent->nslots; i++)
			{
				TupleTableSlot *e = ent->slots[i];

				if (b->conflict[b->entry_invoice[i]])
					ExecClearTuple(e);
				else
				{
					/* swap, so that every slot stays in the array */
					ent->slots[i] = ent->slots[kept];
					ent->slots[kept++] = e;
				}
			}
			ent->nslots = kept;
		}
	}
	ledger_target_clear(inv);
	if (ent != NULL)
	{
		ledger_target_write(ent, b->estate, ent->nslots, InvalidOid, NULL);
		ledger_target_clear(ent);
	}
	return !any_conflict;
}

/* Appends one entry row. */
static void
add_entry(LedgerBatch *b, Datum key, const char *kind, Datum amount,
		  DateADT effective_on, TimestampTz now)
{
	LedgerFastPath *fp = b->fp;
	Datum		values[LEDGER_MAX_NATTS];
	bool		nulls[LEDGER_MAX_NATTS];
	const int  *pos = fp->entry_cols.pos;

	/* natts checked by ledger_table_problem and ledger_table_current */
	if (b->entries == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(b->estate->es_query_cxt);

		b->entries = ledger_target_open(fp->entry_relid,
								 LEDGER_BATCH * LEDGER_ENTRIES_PER_INVOICE, b->bulk);
		MemoryContextSwitchTo(old);
	}
	memset(nulls, true, sizeof(bool) * fp->entry_cols.natts);
#define SET(i, v) (values[pos[i]] = (v), nulls[pos[i]] = false)
	SET(ENT_ID, Int64GetDatum(nextval_internal(fp->entry_seqid, false)));
	SET(ENT_ATTACHMENT, Int32GetDatum(fp->attachment_id));
	SET(ENT_KEY, key);
	SET(ENT_KIND, CStringGetTextDatum(kind));
	SET(ENT_AMOUNT, amount);
	SET(ENT_EFFECTIVE, DateADTGetDatum(effective_on));
	SET(ENT_SOURCE, Int32GetDatum(fp->attachment_id));
	SET(ENT_RECORDED, TimestampTzGetDatum(now));
#undef SET
	/* it belongs to the invoice buffered last */
	b->entry_invoice[b->entries->nslots] = b->invoices->nslots - 1;
	ledger_target_add(b->entries, values, nulls);
}

/*
 * The booking of one statement: what booking_begin opened, for
 * booking_add and booking_end.
 */
typedef struct LedgerBooking
{
	LedgerBatch batch;
	LedgerProbe invoice_probe;
	bool		probe_keys;		/* whether a new key may be in the ledger */
	TimestampTz now;
	DateADT		today;
	Datum		zero;
} LedgerBooking;

/*
 * Opens the ledger tables for a statement of ntuples rows, or returns
 * false when the fast path books nothing now (a ledger table it cannot
 * write, or one changed since the cache was built: the SQL statement then
 * books every row).
 */
static bool
booking_begin(LedgerBooking *bk, LedgerFastPath *fp, EState *estate, int64 ntuples)
{
	LedgerBatch *batch = &bk->batch;

	/*
	 * Locking the ledger tables takes in what DDL committed on them since
	 * the cache was built; the trigger's invalidation callback then marks
	 * fp outdated, whatever the change (a column set NOT NULL, a CHECK or
	 * a trigger added), and the SQL statement books the rows.
	 */
	if (fp->refused || !ledger_table_current(fp->invoice_relid, &fp->invoice_cols) ||
		!ledger_table_current(fp->entry_relid, &fp->entry_cols) || fp->outdated)
		return false;
	memset(bk, 0, sizeof(LedgerBooking));
	batch->fp = fp;
	batch->estate = estate;
	batch->bulk = ntuples >= LEDGER_BATCH;
	batch->invoices = ledger_target_open(fp->invoice_relid, LEDGER_BATCH, batch->bulk);
	ledger_probe_open(&bk->invoice_probe, batch->invoices->rel, fp->invoice_pkey, 2, true);
	bk->now = GetCurrentTransactionStartTimestamp();
	bk->today = GetSQLCurrentDate();
	bk->zero = NumericGetDatum(int64_to_numeric(0));

	/*
	 * A new billing key can only be known to the ledger already if the
	 * ledger holds keys the billing table does not (deleted or quarantined
	 * invoices; payments write no invoice rows): the billing table's own
	 * unique key rejects every other duplicate before we get here.
	 * Without such keys no row needs looking up; should one slip through
	 * anyway (a ledger out of step after a detach), the ledger's primary
	 * key reports it and batch_flush takes the row back.
	 */
	bk->probe_keys = true;
	if (OidIsValid(fp->invoice_not_in_billing))
	{
		LedgerProbe others;
		ScanKeyData skey;

		ledger_probe_open(&others, batch->invoices->rel, fp->invoice_not_in_billing, 1, true);
		ScanKeyInit(&skey, 1, BTEqualStrategyNumber, F_INT4EQ,
					Int32GetDatum(fp->attachment_id));
		bk->probe_keys = ledger_probe_found(&others, &skey, 1);
		ledger_probe_close(&others);
	}
	ledger_reader_begin(fp->reader);
	return true;
}

/*
 * Books one usable row as a new invoice: its invoice row with the
 * booking, and what it comes with, as the INSERT statement books it (the
 * payment on its paid_on date, a void on the day it is seen; never before
 * the issue date).  Returns false when the row is left to the SQL
 * statement: its key is in the ledger already, or a flush took back some
 * of the buffered invoices (batch_flush).
 */
static bool
booking_add(LedgerBooking *bk, LedgerInvoiceRow *row)
{
	LedgerBatch *batch = &bk->batch;
	LedgerFastPath *fp = batch->fp;
	LedgerInvoiceValues *v = &row->values;
	Datum		key = PointerGetDatum(v->key);
	Datum		values[LEDGER_MAX_NATTS];
	bool		nulls[LEDGER_MAX_NATTS];
	const int  *pos = fp->invoice_cols.pos;
	Datum		void_amount = bk->zero;
	ScanKeyData skey[2];

	ScanKeyInit(&skey[0], 1, BTEqualStrategyNumber, F_TEXTEQ, key);
	ScanKeyInit(&skey[1], 2, BTEqualStrategyNumber, F_INT4EQ,
				Int32GetDatum(fp->attachment_id));
	if (bk->probe_keys && ledger_probe_found(&bk->invoice_probe, skey, 2))
		return false;

	if (row->is_void)
		void_amount = DirectFunctionCall2(numeric_sub, row->paid, row->amount);
	/* natts checked by ledger_table_problem and ledger_table_current */
	memset(nulls, true, sizeof(bool) * fp->invoice_cols.natts);
#define SET(i, v) (values[pos[i]] = (v), nulls[pos[i]] = false)
	SET(INV_ATTACHMENT, Int32GetDatum(fp->attachment_id));
	SET(INV_KEY, key);
	SET(INV_CUSTOMER, PointerGetDatum(v->customer));
	SET(INV_CURRENCY, PointerGetDatum(v->currency));
	SET(INV_ISSUED, DateADTGetDatum(v->issued));
	SET(INV_DUE, DateADTGetDatum(v->due));
	SET(INV_AMOUNT, row->amount);
	SET(INV_PAID, row->paid);
	SET(INV_VOID, void_amount);
	if (v->owner != NULL)
		SET(INV_OWNER, PointerGetDatum(v->owner));
	if (row->status != NULL)
		SET(INV_STATUS, PointerGetDatum(row->status));
	SET(INV_IN_BILLING, BoolGetDatum(true));
	SET(INV_BOOKED_AMOUNT, row->amount);
	SET(INV_BOOKED_ON, DateADTGetDatum(v->issued));
	SET(INV_BOOKED_AT, TimestampTzGetDatum(bk->now));
#undef SET
	ledger_target_add(batch->invoices, values, nulls);

	if (arc_numeric_sign_of(DatumGetNumeric(row->paid)) != 0)
		add_entry(batch, key, "payment", DirectFunctionCall1(numeric_uminus, row->paid),
				  ledger_effective_on(v->has_paid_on, v->paid_on, v->issued, bk->today),
				  bk->now);
	if (arc_numeric_sign_of(DatumGetNumeric(void_amount)) != 0)
		add_entry(batch, key, "void", void_amount,
				  ledger_effective_on(false, 0, v->issued, bk->today), bk->now);

	if (batch->invoices->nslots == LEDGER_BATCH)
		return batch_flush(batch);
	return true;
}

/*
 * Writes what is still buffered and closes the ledger tables.  Returns
 * false when the flush took back some invoices.
 */
static bool
booking_end(LedgerBooking *bk)
{
	LedgerBatch *batch = &bk->batch;
	bool		complete = batch_flush(batch);

	ledger_probe_close(&bk->invoice_probe);
	if (batch->entries != NULL)
		ledger_target_close(batch->entries);
	ledger_target_close(batch->invoices);
	return complete;
}

/*
 * Books the new invoices of an INSERT's transition table.  Returns true
 * when every row was booked here; false when some were left for the
 * general statement (which the caller must then run).  The caller has
 * pinned the session settings (ledger_settings.c), which the reader reads
 * the columns with.
 */
bool
ledger_fastpath_insert(LedgerFastPath *fp, Tuplestorestate *newtable, TupleDesc billing_desc)
{
	EState	   *estate = CreateExecutorState();
	MemoryContext rowcxt = GetPerTupleMemoryContext(estate);
	TupleTableSlot *in = MakeSingleTupleTableSlot(billing_desc, &TTSOpsMinimalTuple);
	LedgerBooking bk;
	bool		complete = false;

	if (booking_begin(&bk, fp, estate, tuplestore_tuple_count(newtable)))
	{
		complete = true;
		tuplestore_rescan(newtable);
		while (tuplestore_gettupleslot(newtable, true, false, in))
		{
			MemoryContext old;
			LedgerInvoiceRow row;

			ResetPerTupleExprContext(estate);
			old = MemoryContextSwitchTo(rowcxt);
			/* a row the booking rules leave out goes to the SQL statement */
			if (ledger_read_invoice(fp->reader, in, &row) != NULL ||
				!booking_add(&bk, &row))
				complete = false;
			MemoryContextSwitchTo(old);
		}
		complete &= booking_end(&bk);
	}
	ExecDropSingleTupleTableSlot(in);
	FreeExecutorState(estate);
	return complete;
}
