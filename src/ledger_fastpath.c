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
 * The rows are inserted without CHECK constraints, defaults or triggers
 * of the ledger tables being evaluated: the values are built here and
 * satisfy the constraints by construction (NOT NULL columns set, entry
 * kinds from the fixed list).  That holds only for the columns it knows,
 * so it refuses (and the SQL statement books every row) when a ledger
 * table has a column it does not fill that is NOT NULL, has a default or
 * a CHECK, when a ledger table has triggers, or when it is not a heap
 * table (the deletes of batch_flush and the bulk-insert state are heap's):
 * see ledger_table_writable.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/skey.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/transam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_am.h"
#include "catalog/pg_cast.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "commands/sequence.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/bitmapset.h"
#include "optimizer/optimizer.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "exact_sum.h"
#include "ledger.h"
#include "ledger_rules.h"

/* How a mapped billing column becomes a ledger value. */
typedef struct MappedColumn
{
	AttrNumber	attnum;			/* 0: not mapped */
	Oid			basetype;		/* the column's type, domains resolved */
	FmgrInfo	output;			/* its output function, for text */
} MappedColumn;

/*
 * Column positions (0-based) in one of the ledger tables.  A table with
 * more columns than LEDGER_MAX_NATTS (dropped ones count) is left to the
 * SQL statement: the rows are built in arrays of that size.
 */
#define LEDGER_MAX_NATTS 64

typedef struct LedgerColumns
{
	int			natts;
	int			pos[24];		/* room for the widest of them */
} LedgerColumns;

struct LedgerFastPath
{
	int32		attachment_id;
	MappedColumn col[LEDGER_NMAPPED];
	text	   *default_currency;	/* NULL when none */
	Numeric		amount_limit;	/* see ledger_amount_usable */
	int			nvoid;
	char	  **void_statuses;	/* lower case */
	int			ncredit;
	char	  **credit_statuses;
	Oid			invoice_relid;
	Oid			entry_relid;
	Oid			entry_seqid;
	Oid			invoice_pkey;	/* (invoice_key, attachment_id) */
	Oid			invoice_not_in_billing; /* (attachment_id) WHERE NOT in_billing */
	LedgerColumns invoice_cols;
	LedgerColumns entry_cols;
	bool		refused;		/* a ledger table it cannot write: see above */
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

static Oid
ledger_relid(Oid nsp, const char *name)
{
	Oid			relid = get_relname_relid(name, nsp);

	if (!OidIsValid(relid))
		elog(ERROR, "arcollect: relation arcollect.%s is missing", name);
	return relid;
}

/* Finds the positions of the named columns in a ledger table. */
static void
ledger_columns(Oid relid, const char *const *names, int n, LedgerColumns *cols)
{
	Relation	rel = table_open(relid, AccessShareLock);
	TupleDesc	desc = RelationGetDescr(rel);
	int			i;

	cols->natts = desc->natts;
	for (i = 0; i < n && i < lengthof(cols->pos); i++)
	{
		int			attnum = SPI_fnumber(desc, names[i]);

		if (attnum <= 0)
			elog(ERROR, "arcollect: column %s of %s is missing", names[i],
				 RelationGetRelationName(rel));
		cols->pos[i] = attnum - 1;
	}
	table_close(rel, AccessShareLock);
}

/*
 * Why the fast path cannot write the ledger table relid as an INSERT
 * would, or NULL when it can.  cols are the positions of the n columns it
 * fills (ledger_columns).  Every other column must take NULL: nullable,
 * without default, identity or generation expression, and named by no
 * CHECK constraint (a column an upgrade adds NOT NULL DEFAULT 0 would
 * otherwise be written NULL).  The table must be a heap table without
 * triggers (foreign keys included), no wider than LEDGER_MAX_NATTS.
 */
static char *
ledger_table_problem(Oid relid, const char *const *names, int n, LedgerColumns *cols)
{
	Relation	rel = table_open(relid, AccessShareLock);
	TupleDesc	desc = RelationGetDescr(rel);
	const char *name = RelationGetRelationName(rel);
	Bitmapset  *checked = NULL;
	char	   *problem = NULL;
	int			i,
				j;

	if (rel->rd_rel->relam != HEAP_TABLE_AM_OID)
		problem = psprintf("arcollect.%s is not a heap table", name);
	else if (rel->trigdesc != NULL)
		problem = psprintf("arcollect.%s has triggers", name);
	else if (n > lengthof(cols->pos) || desc->natts > LEDGER_MAX_NATTS)
		problem = psprintf("arcollect.%s has more than %d columns", name, LEDGER_MAX_NATTS);

	/* the columns its CHECK constraints name */
	if (problem == NULL && desc->constr != NULL)
		for (i = 0; i < desc->constr->num_check; i++)
			pull_varattnos(stringToNode(desc->constr->check[i].ccbin), 1, &checked);

	for (i = 0; problem == NULL && i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		bool		filled = false;

		if (att->attisdropped)
			continue;
		for (j = 0; j < n; j++)
			filled |= cols->pos[j] == i;
		if (filled)
			continue;
		if (att->attnotnull || att->atthasdef || att->attidentity || att->attgenerated ||
			bms_is_member(att->attnum - FirstLowInvalidHeapAttributeNumber, checked))
			problem = psprintf("column %s of arcollect.%s must be nullable, without default or CHECK",
							   NameStr(att->attname), name);
	}
	table_close(rel, AccessShareLock);
	return problem;
}

/* Copies a text[] of status values into C strings. */
static char **
status_list(ArrayType *array, int *count)
{
	Datum	   *elems;
	bool	   *nulls;
	char	  **result;
	int			i,
				n = 0;

	deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, count);
	result = palloc(sizeof(char *) * Max(*count, 1));
	for (i = 0; i < *count; i++)
		if (!nulls[i])
			result[n++] = TextDatumGetCString(elems[i]);
	*count = n;
	return result;
}

/*
 * Whether the fast path reads a column of this (base) type as text the way
 * the SQL statements do (ledger_sync.sql, _text_sql): a built-in type by
 * its cast to text, a type defined in the database by its output function.
 * column_text uses the output function, which is what a cast by I/O
 * conversion or a binary-coercible cast gives too; of the built-in types
 * with a cast function, it handles bpchar and name, and leaves the rest
 * (boolean's cast says "true" where its output says "t", inet's adds the
 * netmask) to the SQL statements.
 */
static bool
reads_as_sql_text(Oid basetype)
{
	HeapTuple	tuple;
	bool		same;

	if (basetype >= FirstNormalObjectId || basetype == TEXTOID ||
		basetype == BPCHAROID || basetype == NAMEOID)
		return true;
	tuple = SearchSysCache2(CASTSOURCETARGET, ObjectIdGetDatum(basetype),
							ObjectIdGetDatum(TEXTOID));
	if (!HeapTupleIsValid(tuple))
		return true;			/* I/O conversion: the output function */
	same = ((Form_pg_cast) GETSTRUCT(tuple))->castmethod != COERCION_METHOD_FUNCTION;
	ReleaseSysCache(tuple);
	return same;
}

/*
 * Builds what the fast path needs to know about an attachment, in cxt, or
 * returns NULL when it cannot book this table's rows exactly as the SQL
 * statements would (see reads_as_sql_text).  colnames are the mapped
 * column names in LedgerMapped order, NULL where unmapped; the caller has
 * checked that they exist and have types their parameters accept.  Must
 * be called inside an SPI connection (for SPI_fnumber's sake only; no
 * query is run).
 */
LedgerFastPath *
ledger_fastpath_build(MemoryContext cxt, Relation billing, int32 attachment_id,
					  Datum default_currency, bool default_currency_null,
					  Datum void_statuses, Datum credit_statuses,
					  const char *const *colnames)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);
	LedgerFastPath *fp = palloc0(sizeof(LedgerFastPath));
	TupleDesc	desc = RelationGetDescr(billing);
	Oid			nsp = get_namespace_oid("arcollect", false);
	int			i;

	fp->attachment_id = attachment_id;
	for (i = 0; i < LEDGER_NMAPPED; i++)
	{
		MappedColumn *col = &fp->col[i];
		Oid			typoutput;
		bool		isvarlena;
		int			attnum;

		if (colnames[i] == NULL)
			continue;
		attnum = SPI_fnumber(desc, colnames[i]);
		if (attnum <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" of table %s does not exist",
							colnames[i], RelationGetRelationName(billing)),
					 errhint("Attach the table again with arcollect.attach.")));
		col->attnum = attnum;
		col->basetype = getBaseType(TupleDescAttr(desc, attnum - 1)->atttypid);
		if (!reads_as_sql_text(col->basetype))
		{
			MemoryContextSwitchTo(old);
			return NULL;
		}
		getTypeOutputInfo(TupleDescAttr(desc, attnum - 1)->atttypid, &typoutput, &isvarlena);
		fmgr_info_cxt(typoutput, &col->output, cxt);
	}
	fp->default_currency = default_currency_null ? NULL :
		DatumGetTextPCopy(default_currency);
	fp->amount_limit = ledger_amount_limit(cxt);
	fp->void_statuses = status_list(DatumGetArrayTypeP(void_statuses), &fp->nvoid);
	fp->credit_statuses = status_list(DatumGetArrayTypeP(credit_statuses), &fp->ncredit);

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
		char	   *problem = ledger_table_problem(fp->invoice_relid, invoice_column_names,
												   INV_NCOLS, &fp->invoice_cols);

		if (problem == NULL)
			problem = ledger_table_problem(fp->entry_relid, entry_column_names,
										   ENT_NCOLS, &fp->entry_cols);
		if (problem != NULL)
		{
			fp->refused = true;
			ereport(LOG,
					(errmsg("arcollect: the fast path is off for table %s: %s",
							RelationGetRelationName(billing), problem),
					 errdetail("New invoices are booked by the SQL statement, which gives the same ledger more slowly.")));
		}
	}

	MemoryContextSwitchTo(old);
	return fp;
}

/*
 * Whether the ledger table relid still has the columns the fast path was
 * built for (natts only grows: dropped columns keep their place), once
 * locked for the statement: a change committed since the cache was built
 * is seen here, before anything is written.
 */
static bool
ledger_table_current(Oid relid, const LedgerColumns *cols)
{
	Relation	rel = table_open(relid, RowExclusiveLock);
	bool		current = RelationGetDescr(rel)->natts == cols->natts &&
		rel->rd_rel->relam == HEAP_TABLE_AM_OID;

	table_close(rel, NoLock);
	return current;
}

/* Whether the fast path keeps relid (a ledger table, index or sequence) open. */
bool
ledger_fastpath_uses(LedgerFastPath *fp, Oid relid)
{
	return relid == fp->invoice_relid || relid == fp->invoice_pkey ||
		relid == fp->invoice_not_in_billing || relid == fp->entry_relid ||
		relid == fp->entry_seqid;
}

/* A mapped column as text, as (column)::text does in SQL; NULL if NULL. */
static text *
column_text(MappedColumn *col, TupleTableSlot *slot, bool *isnull)
{
	Datum		value = slot_getattr(slot, col->attnum, isnull);

	if (*isnull)
		return NULL;
	switch (col->basetype)
	{
		case TEXTOID:
		case VARCHAROID:
			return DatumGetTextPP(value);
		case BPCHAROID:
			/* bpchar::text drops the trailing blanks */
			return DatumGetTextPP(DirectFunctionCall1(rtrim1, value));
		case INT2OID:
		case INT4OID:
		case INT8OID:
			{
				/* integer keys are the common case: skip the output function */
				text	   *t = palloc(VARHDRSZ + MAXINT8LEN + 1);
				int64		n = col->basetype == INT8OID ? DatumGetInt64(value) :
				col->basetype == INT4OID ? DatumGetInt32(value) : DatumGetInt16(value);

				SET_VARSIZE(t, VARHDRSZ + pg_lltoa(n, VARDATA(t)));
				return t;
			}
		default:
			return cstring_to_text(OutputFunctionCall(&col->output, value));
	}
}

static Datum
column_numeric(MappedColumn *col, TupleTableSlot *slot, bool *isnull)
{
	Datum		value = slot_getattr(slot, col->attnum, isnull);

	if (*isnull)
		return (Datum) 0;
	switch (col->basetype)
	{
		case INT2OID:
			return DirectFunctionCall1(int2_numeric, value);
		case INT4OID:
			return DirectFunctionCall1(int4_numeric, value);
		case INT8OID:
			return DirectFunctionCall1(int8_numeric, value);
		default:
			return value;
	}
}

static Datum
column_date(MappedColumn *col, TupleTableSlot *slot, bool *isnull)
{
	Datum		value = slot_getattr(slot, col->attnum, isnull);

	if (*isnull)
		return (Datum) 0;
	switch (col->basetype)
	{
		case TIMESTAMPOID:
			return DirectFunctionCall1(timestamp_date, value);
		case TIMESTAMPTZOID:
			return DirectFunctionCall1(timestamptz_date, value);
		default:
			return value;
	}
}

/*
 * The last currency and status seen in a statement, with what was made of
 * them: consecutive rows mostly repeat both, and checking a currency code
 * or a status list again for each would cost more than comparing bytes.
 */
typedef struct RowMemo
{
	char		currency_in[8];
	int			currency_len;	/* -1: nothing remembered */
	text	   *currency;		/* what it reads as; allocated once */
	char		status_in[32];
	int			status_len;		/* -1: nothing remembered */
	bool		is_void;
	bool		is_credit;
} RowMemo;

/*
 * The row's currency as ledger_currency_of reads it (NULL when it has
 * none), remembered for the next row.
 */
static text *
row_currency(LedgerFastPath *fp, RowMemo *memo, TupleTableSlot *slot)
{
	bool		isnull = true;
	text	   *raw = NULL;
	text	   *code;
	int			len;

	if (fp->col[LEDGER_CURRENCY].attnum != 0)
		raw = column_text(&fp->col[LEDGER_CURRENCY], slot, &isnull);
	if (raw == NULL)
		return fp->default_currency;
	len = VARSIZE_ANY_EXHDR(raw);
	if (len == memo->currency_len && memcmp(VARDATA_ANY(raw), memo->currency_in, len) == 0)
		return memo->currency;
	code = ledger_currency_of(raw, NULL);
	/* (trimming only shortens it) */
	if (len <= sizeof(memo->currency_in))
	{
		/* remembered for the statement, outside the row's memory */
		memcpy(memo->currency_in, VARDATA_ANY(raw), len);
		memo->currency_len = len;
		memcpy(memo->currency, code, VARSIZE(code));
	}
	return code;
}

/*
 * Whether the status, folded, is one of list (folded by attach).  The
 * folding is arcollect.ascii_lower's: ASCII letters to lower case, every
 * other byte as it is.
 */
static bool status_in(text *status, char **list, int n);

/* What the status says: void, credit note. */
static void
row_status(LedgerFastPath *fp, RowMemo *memo, text *status,
		   bool *is_void, bool *is_credit)
{
	int			len = status == NULL ? -2 : VARSIZE_ANY_EXHDR(status);

	if (len != memo->status_len ||
		(status != NULL && memcmp(VARDATA_ANY(status), memo->status_in, len) != 0))
	{
		memo->is_void = status_in(status, fp->void_statuses, fp->nvoid);
		memo->is_credit = status_in(status, fp->credit_statuses, fp->ncredit);
		memo->status_len = -1;
		if (len <= (int) sizeof(memo->status_in))
		{
			if (status != NULL)
				memcpy(memo->status_in, VARDATA_ANY(status), len);
			memo->status_len = len;
		}
	}
	*is_void = memo->is_void;
	*is_credit = memo->is_credit;
}

static bool
status_in(text *status, char **list, int n)
{
	char	   *s;
	int			i;

	if (status == NULL || n == 0)
		return false;
	s = text_to_cstring(status);
	ledger_ascii_fold(s, strlen(s), false);
	for (i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

/*
 * A reusable lookup in a unique index: one scan opened per statement and
 * rescanned per row, so that a probe costs one index descent.  With
 * dirty set, the probe also sees keys that other transactions are
 * inserting right now; else it sees what is committed (a fresh snapshot).
 */
typedef struct LedgerProbe
{
	Relation	index;
	IndexScanDesc scan;
	TupleTableSlot *slot;
	SnapshotData dirty;
	Snapshot	mvcc;			/* registered, when not dirty */
	MemoryContext cxt;			/* outlives the scan, unlike a row's context */
} LedgerProbe;

static void
probe_open(LedgerProbe *p, Relation heap, Oid indexid, int nkeys, bool dirty)
{
	p->index = index_open(indexid, AccessShareLock);
	p->mvcc = NULL;
	if (dirty)
		InitDirtySnapshot(p->dirty);
	else
		p->mvcc = RegisterSnapshot(GetLatestSnapshot());
	p->scan = index_beginscan(heap, p->index, dirty ? &p->dirty : p->mvcc, nkeys, 0);
	p->slot = table_slot_create(heap, NULL);
	p->cxt = CurrentMemoryContext;
}

/* True when the index has a live row with these keys (index columns). */
static bool
probe_found(LedgerProbe *p, ScanKey keys, int nkeys)
{
	/*
	 * The index AM allocates scan state lazily (btree: the killed-items
	 * list) in the current context, so run it in the scan's own.
	 */
	MemoryContext old = MemoryContextSwitchTo(p->cxt);
	bool		found;

	index_rescan(p->scan, keys, nkeys, NULL, 0);
	found = index_getnext_slot(p->scan, ForwardScanDirection, p->slot);
	MemoryContextSwitchTo(old);
	return found;
}

static void
probe_close(LedgerProbe *p)
{
	index_endscan(p->scan);
	ExecDropSingleTupleTableSlot(p->slot);
	index_close(p->index, AccessShareLock);
	if (p->mvcc != NULL)
		UnregisterSnapshot(p->mvcc);
}

/* Invoices buffered before they are written together. */
#define LEDGER_BATCH 1000

/* At most two entries per new invoice: a payment and a void. */
#define LEDGER_ENTRIES_PER_INVOICE 2

/*
 * A ledger table opened for inserts, with its indexes.  Rows are buffered
 * and written with table_multi_insert, as COPY does: one WAL record and
 * one buffer lock per page instead of per row.
 */
typedef struct LedgerTarget
{
	Relation	rel;
	ResultRelInfo *rri;
	BulkInsertState bistate;
	MemoryContext cxt;			/* where the slots are made */
	int			capacity;
	int			nslots;
	TupleTableSlot **slots;
} LedgerTarget;

static LedgerTarget *
target_open(Oid relid, int capacity, bool bulk)
{
	LedgerTarget *t = palloc0(sizeof(LedgerTarget));

	t->rel = table_open(relid, RowExclusiveLock);
	t->rri = makeNode(ResultRelInfo);
	InitResultRelInfo(t->rri, t->rel, 1, NULL, 0);
	ExecOpenIndices(t->rri, false);
	/* a bulk-write ring buffer pays off for big loads only */
	t->bistate = bulk ? GetBulkInsertState() : NULL;
	t->cxt = CurrentMemoryContext;
	t->capacity = capacity;
	t->slots = palloc0(sizeof(TupleTableSlot *) * capacity);
	return t;
}

static void
target_add(LedgerTarget *t, Datum *values, bool *nulls)
{
	TupleTableSlot *slot;

	Assert(t->nslots < t->capacity);
	if (t->slots[t->nslots] == NULL)
	{
		/* slots live as long as the target, not the row */
		MemoryContext old = MemoryContextSwitchTo(t->cxt);

		t->slots[t->nslots] = MakeSingleTupleTableSlot(RelationGetDescr(t->rel),
													   table_slot_callbacks(t->rel));
		MemoryContextSwitchTo(old);
	}
	slot = t->slots[t->nslots++];
	ExecClearTuple(slot);
	memcpy(slot->tts_values, values, sizeof(Datum) * slot->tts_tupleDescriptor->natts);
	memcpy(slot->tts_isnull, nulls, sizeof(bool) * slot->tts_tupleDescriptor->natts);
	ExecStoreVirtualTuple(slot);
	/* the values live in the per-row context: copy them into the slot */
	ExecMaterializeSlot(slot);
}

/*
 * Writes the first n buffered rows of t (heap, then indexes).  With
 * arbiter set, the unique index arbiter only reports a key that is there
 * already, or being inserted by a transaction still in progress, instead
 * of failing (or waiting for that transaction): as for INSERT ... ON
 * CONFLICT.  Such rows are marked in conflict[] (when given).
 */
static void
target_write(LedgerTarget *t, EState *estate, int n, Oid arbiter, bool *conflict)
{
	List	   *arbiters = OidIsValid(arbiter) ? list_make1_oid(arbiter) : NIL;
	int			i;

	if (n == 0)
		return;
	table_multi_insert(t->rel, t->slots, n, GetCurrentCommandId(true), 0, t->bistate);
	for (i = 0; i < n; i++)
	{
		bool		found = false;

		if (t->rri->ri_NumIndices > 0)
			list_free(ExecInsertIndexTuples(t->rri, t->slots[i], estate, false,
											arbiters != NIL, &found, arbiters));
		if (conflict != NULL)
			conflict[i] = found;
	}
	list_free(arbiters);
}

static void
target_clear(LedgerTarget *t)
{
	int			i;

	for (i = 0; i < t->nslots; i++)
		ExecClearTuple(t->slots[i]);
	t->nslots = 0;
}

static void
target_close(LedgerTarget *t)
{
	int			i;

	Assert(t->nslots == 0);
	for (i = 0; i < t->capacity && t->slots[i] != NULL; i++)
		ExecDropSingleTupleTableSlot(t->slots[i]);
	if (t->bistate)
		FreeBulkInsertState(t->bistate);
	ExecCloseIndices(t->rri);
	table_close(t->rel, NoLock);
}

/*
 * What one INSERT statement writes: new invoices, and the entries of
 * those that come paid or void (the entry table is opened only then).
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

	target_write(inv, b->estate, inv->nslots, b->fp->invoice_pkey, b->conflict);
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
	target_clear(inv);
	if (ent != NULL)
	{
		target_write(ent, b->estate, ent->nslots, InvalidOid, NULL);
		target_clear(ent);
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

		b->entries = target_open(fp->entry_relid,
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
	target_add(b->entries, values, nulls);
}

/*
 * Books the new invoices of an INSERT's transition table.  Returns true
 * when every row was booked here; false when some were left for the
 * general statement (which the caller must then run).  The caller has
 * pinned the session settings (ledger_settings.c): columns are read as
 * text and timestamps as dates with them, as the SQL statements read them.
 */
bool
ledger_fastpath_insert(LedgerFastPath *fp, Tuplestorestate *newtable, TupleDesc billing_desc)
{
	EState	   *estate = CreateExecutorState();
	MemoryContext rowcxt = GetPerTupleMemoryContext(estate);
	MemoryContext old;
	TupleTableSlot *in = MakeSingleTupleTableSlot(billing_desc, &TTSOpsMinimalTuple);
	LedgerBatch *batch = palloc0(sizeof(LedgerBatch));
	LedgerProbe invoice_probe;
	RowMemo    *memo = palloc(sizeof(RowMemo));
	bool		complete = true;
	bool		probe_keys;
	TimestampTz now = GetCurrentTransactionStartTimestamp();
	DateADT		today = GetSQLCurrentDate();
	Datum		zero = NumericGetDatum(int64_to_numeric(0));
	Datum		inv_values[LEDGER_MAX_NATTS];
	bool		inv_nulls[LEDGER_MAX_NATTS];
	const int  *pos = fp->invoice_cols.pos;

	/* the SQL statement books everything when the ledger tables changed */
	if (fp->refused || !ledger_table_current(fp->invoice_relid, &fp->invoice_cols) ||
		!ledger_table_current(fp->entry_relid, &fp->entry_cols))
	{
		ExecDropSingleTupleTableSlot(in);
		FreeExecutorState(estate);
		return false;
	}
	batch->fp = fp;
	batch->estate = estate;
	batch->bulk = tuplestore_tuple_count(newtable) >= LEDGER_BATCH;
	batch->invoices = target_open(fp->invoice_relid, LEDGER_BATCH, batch->bulk);
	probe_open(&invoice_probe, batch->invoices->rel, fp->invoice_pkey, 2, true);

	/*
	 * A new billing key can only be known to the ledger already if the
	 * ledger holds keys the billing table does not (deleted or quarantined
	 * invoices; payments write no invoice rows): the billing table's own
	 * unique key rejects every other duplicate before we get here.
	 * Without such keys no row needs looking up; should one slip through
	 * anyway (a ledger out of step after a detach), the ledger's primary
	 * key reports it and batch_flush takes the row back.
	 */
	probe_keys = true;
	if (OidIsValid(fp->invoice_not_in_billing))
	{
		LedgerProbe others;
		ScanKeyData skey;

		probe_open(&others, batch->invoices->rel, fp->invoice_not_in_billing, 1, true);
		ScanKeyInit(&skey, 1, BTEqualStrategyNumber, F_INT4EQ,
					Int32GetDatum(fp->attachment_id));
		probe_keys = probe_found(&others, &skey, 1);
		probe_close(&others);
	}

	memo->currency = palloc(VARHDRSZ + sizeof(memo->currency_in));
	memo->currency_len = -1;
	memo->status_len = -1;

	tuplestore_rescan(newtable);
	while (tuplestore_gettupleslot(newtable, true, false, in))
	{
		bool		isnull,
					is_void,
					is_credit;
		int			paid_sign;
		text	   *key,
				   *cust,
				   *cur,
				   *owner = NULL,
				   *status = NULL;
		Datum		amt,
					paid,
					iss,
					due,
					keydatum;
		LedgerInvoiceValues row;
		ScanKeyData skey[2];

		ResetPerTupleExprContext(estate);
		old = MemoryContextSwitchTo(rowcxt);

		/*
		 * Read the mapped columns as _invoice_rows_sql does, and leave a
		 * row the booking rules (ledger_rules.c, which that statement
		 * calls too) would quarantine to it.
		 */
		row.key = column_text(&fp->col[LEDGER_KEY], in, &isnull);
		row.customer = column_text(&fp->col[LEDGER_CUSTOMER], in, &isnull);
		row.owner = NULL;
		if (fp->col[LEDGER_OWNER].attnum != 0)
			row.owner = column_text(&fp->col[LEDGER_OWNER], in, &isnull);
		amt = column_numeric(&fp->col[LEDGER_AMOUNT], in, &isnull);
		row.amount = isnull ? NULL : DatumGetNumeric(amt);
		row.paid_or_open = DatumGetNumeric(zero);
		if (fp->col[LEDGER_PAID].attnum != 0)
		{
			paid = column_numeric(&fp->col[LEDGER_PAID], in, &isnull);
			if (!isnull)
				row.paid_or_open = DatumGetNumeric(paid);
		}
		else if (fp->col[LEDGER_OPEN].attnum != 0)
		{
			Datum		open = column_numeric(&fp->col[LEDGER_OPEN], in, &isnull);

			row.paid_or_open = isnull ? NULL : DatumGetNumeric(open);
		}
		iss = column_date(&fp->col[LEDGER_ISSUED], in, &isnull);
		row.has_issued = !isnull;
		row.issued = DatumGetDateADT(iss);
		due = column_date(&fp->col[LEDGER_DUE], in, &isnull);
		row.has_due = !isnull;
		row.due = DatumGetDateADT(due);
		row.has_paid_on = false;
		row.paid_on = 0;
		if (fp->col[LEDGER_PAID_ON].attnum != 0)
		{
			Datum		d = column_date(&fp->col[LEDGER_PAID_ON], in, &isnull);

			row.has_paid_on = !isnull;
			row.paid_on = DatumGetDateADT(d);
		}
		row.currency = row_currency(fp, memo, in);
		if (fp->col[LEDGER_STATUS].attnum != 0)
			status = column_text(&fp->col[LEDGER_STATUS], in, &isnull);
		row_status(fp, memo, status, &is_void, &is_credit);
		row.is_credit = is_credit;
		if (ledger_invoice_problem(&row, fp->amount_limit) != NULL)
			goto skip;
		key = row.key;
		cust = row.customer;
		owner = row.owner;
		cur = row.currency;
		if (fp->col[LEDGER_OPEN].attnum != 0)
			paid = DirectFunctionCall2(numeric_sub, amt, NumericGetDatum(row.paid_or_open));
		else
			paid = NumericGetDatum(row.paid_or_open);
		paid_sign = numeric_sign_of(DatumGetNumeric(paid));

		/* a key the ledger knows goes to the general statement */
		keydatum = PointerGetDatum(key);
		ScanKeyInit(&skey[0], 1, BTEqualStrategyNumber, F_TEXTEQ, keydatum);
		ScanKeyInit(&skey[1], 2, BTEqualStrategyNumber, F_INT4EQ,
					Int32GetDatum(fp->attachment_id));
		if (probe_keys && probe_found(&invoice_probe, skey, 2))
			goto skip;

		/* the invoice, with its booking */
		memset(inv_nulls, true, sizeof(bool) * fp->invoice_cols.natts);
#define SET(i, v) (inv_values[pos[i]] = (v), inv_nulls[pos[i]] = false)
		SET(INV_ATTACHMENT, Int32GetDatum(fp->attachment_id));
		SET(INV_KEY, keydatum);
		SET(INV_CUSTOMER, PointerGetDatum(cust));
		SET(INV_CURRENCY, PointerGetDatum(cur));
		SET(INV_ISSUED, iss);
		SET(INV_DUE, due);
		SET(INV_AMOUNT, amt);
		SET(INV_PAID, paid);
		SET(INV_VOID, is_void ? DirectFunctionCall2(numeric_sub, paid, amt) : zero);
		if (owner != NULL)
			SET(INV_OWNER, PointerGetDatum(owner));
		if (status != NULL)
			SET(INV_STATUS, PointerGetDatum(status));
		SET(INV_IN_BILLING, BoolGetDatum(true));
		SET(INV_BOOKED_AMOUNT, amt);
		SET(INV_BOOKED_ON, iss);
		SET(INV_BOOKED_AT, TimestampTzGetDatum(now));
#undef SET
		target_add(batch->invoices, inv_values, inv_nulls);

		/*
		 * What it comes with, as the INSERT statement books it: the
		 * payment on its paid_on date, a void on the day it is seen; never
		 * before the issue date.
		 */
		if (paid_sign != 0)
			add_entry(batch, keydatum, "payment",
					  DirectFunctionCall1(numeric_uminus, paid),
					  ledger_effective_on(row.has_paid_on, row.paid_on, row.issued, today),
					  now);
		if (is_void)
		{
			Datum		v = DirectFunctionCall2(numeric_sub, paid, amt);

			if (numeric_sign_of(DatumGetNumeric(v)) != 0)
				add_entry(batch, keydatum, "void", v,
						  ledger_effective_on(false, 0, row.issued, today), now);
		}
		if (batch->invoices->nslots == LEDGER_BATCH && !batch_flush(batch))
			complete = false;

		goto next;

skip:
		complete = false;
next:
		MemoryContextSwitchTo(old);
	}
	if (!batch_flush(batch))
		complete = false;

	probe_close(&invoice_probe);
	if (batch->entries != NULL)
		target_close(batch->entries);
	target_close(batch->invoices);
	ExecDropSingleTupleTableSlot(in);
	FreeExecutorState(estate);
	return complete;
}
