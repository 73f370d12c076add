/*-------------------------------------------------------------------------
 *
 * ledger_trigger.c
 *	  The trigger that keeps the receivables ledger in line with attached
 *	  billing and payments tables.
 *
 * arcollect.attach installs arcollect.ledger_trigger() four times on a
 * table, as statement-level AFTER triggers: INSERT and UPDATE and DELETE
 * with transition tables (arcollect_new, arcollect_old), and TRUNCATE.
 * Whatever the statement -- one row from an application, a COPY of
 * millions -- the trigger fires once and runs one SQL statement that moves
 * the whole transition table into the ledger: usable rows become ledger
 * rows, unusable ones go to quarantine with a WARNING (or fail the
 * statement when the table is attached in strict mode).
 *
 * The statement text comes from arcollect._sync_sql(), which builds it
 * from the attachment's column mapping with every identifier quoted and
 * every value a parameter.  This file only caches it: per backend, per
 * table and event, the first firing looks the attachment up and prepares
 * the statement; later firings cost a hash lookup and the execution.
 * Small statements run the kept generic plan; big ones (bulk loads) are
 * planned afresh, because a plan made for one row is a poor plan for a
 * million.  INSERT and COPY into a billing table first take the fast path
 * of ledger_fastpath.c, which books new invoices without SQL.
 *
 * Whoever writes the billing table, the ledger is written with the rights
 * of the function's owner (the extension owner), so users need no
 * privilege on arcollect's tables: the function switches user itself, as
 * SECURITY DEFINER would.  It does not use SECURITY DEFINER because the
 * SET clauses that must come with it cost more than the fast path for a
 * single-row insert; instead, everything the trigger runs runs with the
 * session settings of ledger_settings.c pinned (search_path, DateStyle,
 * TimeZone -- the attachment's -- and the others that change how a value
 * is read), set only where the session's differ.
 *
 * A statement that other triggers on the table run (an AFTER ROW trigger
 * of the user's updating the row just inserted, a statement trigger that
 * fires before arcollect's) is booked before the statement that fired
 * them, so the transition tables of that one no longer say what the table
 * holds when it is booked.  On a table with such triggers the sync
 * statement therefore books the touched keys from the table's current
 * rows (ledger_nesting_events, and ledger_sync.sql); tables without them
 * keep the cheaper statement.  The fast path stays: it books only keys
 * the ledger has never seen, and a key that an earlier-booked statement
 * touched is in the ledger by then -- booked, or, when that statement
 * deleted it, as an empty row -- so the fast path leaves it to the sync
 * statement.
 *
 * When the sync statement lowered what customers owe (a payment, credit
 * note or write-off, a void), it returns them, and the escalation of
 * those with an open escalation or a credit hold is brought up to date in
 * the same transaction, before the trigger returns (escalation_trigger.c):
 * the same recompute as after a dispute, a plan or a promise, which a
 * failure of never fails the billing write.
 *
 * The setting arcollect.ledger_fast_path (on by default) switches the
 * fast path off: every INSERT and COPY is then booked by the sync
 * statement alone.  Both book the same ledger, so the setting changes
 * only the cost; it is a superuser's (PGC_SUSET, GRANT SET ON PARAMETER
 * delegates it) so that a DBA who turned the fast path off -- to measure
 * it, or to rule it out -- is not overruled by a writer's SET.
 *
 * A relcache invalidation of the attached table (attach and detach drop
 * and create its triggers, and so does CREATE TRIGGER; ALTER TABLE
 * renames columns) drops its cache entry, so a changed mapping is picked
 * up by the next statement; so does one of its partitions.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/syscache.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/tuplestore.h"

#include "escalation.h"
#include "ledger.h"
#include "ledger_fastpath.h"
#include "ledger_settings.h"
#include "ledger_spi.h"

/* Statements touching at least this many rows get a plan of their own. */
#define LEDGER_BULK_ROWS 1000

/* Parameters of every sync statement; see ledger_sync.sql. */
#define LEDGER_NPARAMS 5

typedef enum LedgerEvent
{
	LEDGER_INSERT,
	LEDGER_UPDATE,
	LEDGER_DELETE,
	LEDGER_TRUNCATE,
	LEDGER_NEVENTS
} LedgerEvent;

static const char *const ledger_event_names[LEDGER_NEVENTS] = {
	"INSERT", "UPDATE", "DELETE", "TRUNCATE"
};

static Oid	ledger_param_types[LEDGER_NPARAMS] = {
	INT4OID, INT4OID, TEXTOID, TEXTARRAYOID, TEXTARRAYOID
};

/*
 * What one backend knows about one attached table.  Everything but the
 * plans lives in cxt, so dropping an entry is one MemoryContextDelete.
 */
typedef struct LedgerTable
{
	Oid			relid;			/* hash key: the attached table */
	bool		valid;			/* false once invalidated */
	bool		attached;		/* false: trigger left on a detached table */
	char	   *version_problem;	/* library and SQL objects of two releases */
	char	   *mapping_problem;	/* what is wrong with the mapping now */
	int32		attachment_id;
	bool		invoices;		/* a billing table, not a payments table */
	bool		strict;
	char	   *time_zone;		/* the attachment's, for dates and text */
	char	   *table_name;		/* schema-qualified, quoted, for messages */
	Datum		values[LEDGER_NPARAMS];
	char		nulls[LEDGER_NPARAMS];
	char	   *sql[LEDGER_NEVENTS];
	SPIPlanPtr	plan[LEDGER_NEVENTS];
	LedgerFastPath *fastpath;	/* billing tables only */
	int			nesting;		/* events (bits) other triggers may write in */
	int			ntree;			/* partitions (and the table) whose triggers */
	Oid		   *tree;			/* ... nesting was found from */
	MemoryContext cxt;
} LedgerTable;

static HTAB *ledger_tables = NULL;

/* arcollect.ledger_fast_path */
static bool ledger_fast_path = true;

void		_PG_init(void);

/* Defines the library's settings. */
void
_PG_init(void)
{
	DefineCustomBoolVariable("arcollect.ledger_fast_path",
							 "Books new invoices of INSERT and COPY into billing tables in C.",
							 "When off, the SQL statement books them, with the same result, more slowly.",
							 &ledger_fast_path,
							 true,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);
	escalation_define_settings();
}

/* Syscache hash of arcollect.ledger_trigger()'s pg_proc row. */
static uint32 ledger_function_hash = 0;

/* Whether relid is one of the partitions entry's triggers were read from. */
static bool
ledger_tree_has(LedgerTable *entry, Oid relid)
{
	int			i;

	for (i = 0; i < entry->ntree; i++)
		if (entry->tree[i] == relid)
			return true;
	return false;
}

/*
 * Relcache invalidation callback: forget what we know about relid, about
 * every table whose fast path uses relid and about every partitioned
 * table relid is a partition of (or about every table, for InvalidOid).
 * Only marks entries; they are freed on next use, outside the
 * invalidation machinery.
 */
/*
 * Marks entry out of date: it is rebuilt at its next lookup.  Its fast
 * path is told at once, since the statement that looked the entry up
 * before the invalidation arrived (while it locks the ledger tables) may
 * still be about to use it.
 */
static void
ledger_mark_invalid(LedgerTable *entry)
{
	entry->valid = false;
	if (entry->fastpath != NULL)
		ledger_fastpath_outdated(entry->fastpath);
}

static void
ledger_invalidate(Datum arg, Oid relid)
{
	LedgerTable *entry;

	if (ledger_tables == NULL)
		return;
	if (OidIsValid(relid))
	{
		HASH_SEQ_STATUS status;

		entry = hash_search(ledger_tables, &relid, HASH_FIND, NULL);
		if (entry != NULL)
			ledger_mark_invalid(entry);
		/* a ledger table or index the fast path has open (REINDEX, ...) */
		hash_seq_init(&status, ledger_tables);
		while ((entry = hash_seq_search(&status)) != NULL)
			if ((entry->fastpath != NULL && ledger_fastpath_uses(entry->fastpath, relid)) ||
				ledger_tree_has(entry, relid))
				ledger_mark_invalid(entry);
	}
	else
	{
		HASH_SEQ_STATUS status;

		hash_seq_init(&status, ledger_tables);
		while ((entry = hash_seq_search(&status)) != NULL)
			ledger_mark_invalid(entry);
	}
}

/*
 * pg_proc invalidation callback: ALTER EXTENSION arcollect UPDATE replaces
 * arcollect.ledger_trigger(), and what every entry knows (the version of
 * the SQL objects, the statements) may be out of date then.
 */
static void
ledger_function_changed(Datum arg, int cacheid, uint32 hashvalue)
{
	if (hashvalue == 0 || hashvalue == ledger_function_hash)
		ledger_invalidate(arg, InvalidOid);
}

static void
ledger_release(LedgerTable *entry)
{
	int			i;

	for (i = 0; i < LEDGER_NEVENTS; i++)
		if (entry->plan[i] != NULL)
			SPI_freeplan(entry->plan[i]);
	if (entry->cxt != NULL)
		MemoryContextDelete(entry->cxt);
}

/*
 * The library and the SQL objects come from one release only once ALTER
 * EXTENSION arcollect UPDATE has run: between installing a new build and
 * running the update, this library would call SQL functions of the old
 * release, which may not have what it needs.  It books nothing then; the
 * update brings every attached table's ledger up to date
 * (sql/upgrade/).  Returns what is wrong, or NULL.
 */
static char *
ledger_version_problem(void)
{
	char	   *version;

	ledger_spi_query("reading the extension's version",
					 "SELECT e.extversion FROM pg_catalog.pg_extension e"
					 " WHERE e.extname = 'arcollect'", 0, NULL, NULL, NULL);
	version = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	if (version != NULL && strcmp(version, ARCOLLECT_VERSION) == 0)
		return NULL;
	return psprintf("arcollect's library is version %s but its SQL objects are version %s",
					ARCOLLECT_VERSION, version ? version : "unknown");
}

/*
 * Whether a trigger function only reads: the checks of foreign keys and
 * deferred unique keys.  (The actions of a foreign key -- CASCADE, SET
 * NULL, SET DEFAULT -- write, the referencing table or, for a key that
 * refers to its own table, this one.)
 */
static bool
trigger_only_reads(Oid fn)
{
	switch (fn)
	{
		case F_RI_FKEY_CHECK_INS:
		case F_RI_FKEY_CHECK_UPD:
		case F_RI_FKEY_NOACTION_DEL:
		case F_RI_FKEY_NOACTION_UPD:
		case F_RI_FKEY_RESTRICT_DEL:
		case F_RI_FKEY_RESTRICT_UPD:
		case F_UNIQUE_KEY_RECHECK:
			return true;
		default:
			return false;
	}
}

/*
 * The events (bits 1 << LedgerEvent: INSERT, UPDATE, DELETE) whose
 * statements on the table entry is for may run statements of their own
 * before arcollect's trigger books them: the events of every enabled
 * trigger on the table or its partitions that is not arcollect's (fn_oid)
 * and does not only read.  Whether a trigger writes the table itself, or
 * another table whose triggers write it, cannot be told; any may.  Keeps
 * the partitions looked at in entry, so that a trigger created on one of
 * them invalidates entry.  TRUNCATE is booked from the table anyway.
 */
static void
ledger_nesting_events(LedgerTable *entry, Oid fn_oid)
{
	List	   *rels = find_all_inheritors(entry->relid, NoLock, NULL);
	Relation	tgrel = table_open(TriggerRelationId, AccessShareLock);
	ListCell   *lc;
	int			i = 0;

	entry->nesting = 0;
	entry->ntree = list_length(rels);
	entry->tree = MemoryContextAlloc(entry->cxt, sizeof(Oid) * entry->ntree);
	foreach(lc, rels)
	{
		ScanKeyData key;
		SysScanDesc scan;
		HeapTuple	tuple;

		entry->tree[i++] = lfirst_oid(lc);
		ScanKeyInit(&key, Anum_pg_trigger_tgrelid, BTEqualStrategyNumber, F_OIDEQ,
					ObjectIdGetDatum(lfirst_oid(lc)));
		scan = systable_beginscan(tgrel, TriggerRelidNameIndexId, true, NULL, 1, &key);
		while (HeapTupleIsValid(tuple = systable_getnext(scan)))
		{
			Form_pg_trigger trigger = (Form_pg_trigger) GETSTRUCT(tuple);

			if (trigger->tgenabled == TRIGGER_DISABLED || trigger->tgfoid == fn_oid ||
				trigger_only_reads(trigger->tgfoid))
				continue;
			if (TRIGGER_FOR_INSERT(trigger->tgtype))
				entry->nesting |= 1 << LEDGER_INSERT;
			if (TRIGGER_FOR_UPDATE(trigger->tgtype))
				entry->nesting |= 1 << LEDGER_UPDATE;
			if (TRIGGER_FOR_DELETE(trigger->tgtype))
				entry->nesting |= 1 << LEDGER_DELETE;
		}
		systable_endscan(scan);
	}
	table_close(tgrel, AccessShareLock);
	list_free(rels);
}

/*
 * Fills entry from arcollect.attachment.  Must be called inside an SPI
 * connection.  fn_oid is arcollect.ledger_trigger().
 */
static void
ledger_load(LedgerTable *entry, Relation rel, Oid fn_oid)
{
	Oid			argtypes[1] = {REGCLASSOID};
	Datum		args[1];
	int			ret;
	MemoryContext old;
	char	   *problem;

	entry->cxt = AllocSetContextCreate(CacheMemoryContext, "arcollect ledger table",
									   ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(entry->cxt);
	entry->table_name =
		quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
								   RelationGetRelationName(rel));
	MemoryContextSwitchTo(old);

	problem = ledger_version_problem();
	if (problem != NULL)
	{
		entry->version_problem = MemoryContextStrdup(entry->cxt, problem);
		entry->valid = true;
		return;
	}

	args[0] = ObjectIdGetDatum(entry->relid);
	ret = SPI_execute_with_args("SELECT a.attachment_id,"
								" coalesce(a.invoices_attachment_id, a.attachment_id),"
								" a.default_currency, a.void_statuses, a.credit_statuses,"
								" a.strict_mode, a.kind = 'invoices',"
								" a.key_column, a.customer_column, a.amount_column,"
								" a.due_on_column, a.issued_on_column, a.currency_column,"
								" a.paid_column, a.open_column, a.owner_column,"
								" a.status_column, a.paid_on_column, a.invoice_key_column,"
								" a.kind_column, a.time_zone"
								" FROM arcollect.attachment a"
								" WHERE a.detached_at IS NULL"
								" AND $1 IN (SELECT arcollect._trigger_tables(a.billing_table))",
								1, argtypes, args, NULL, true, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "arcollect: reading arcollect.attachment failed: %s",
			 SPI_result_code_string(ret));

	entry->attached = SPI_processed == 1;
	if (entry->attached)
	{
		HeapTuple	tuple = SPI_tuptable->vals[0];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		const char *colnames[LEDGER_NMAPPED];
		bool		key_unique = true;
		bool		key_null;
		int			i;

		old = MemoryContextSwitchTo(entry->cxt);
		for (i = 0; i < LEDGER_NPARAMS; i++)
		{
			bool		isnull;
			Datum		value = SPI_getbinval(tuple, desc, i + 1, &isnull);

			entry->nulls[i] = isnull ? 'n' : ' ';
			entry->values[i] = isnull ? (Datum) 0 :
				datumCopy(value, ledger_param_types[i] == INT4OID, ledger_param_types[i] == INT4OID ? 4 : -1);
		}
		{
			bool		isnull;

			entry->strict = DatumGetBool(SPI_getbinval(tuple, desc, 6, &isnull));
			entry->invoices = DatumGetBool(SPI_getbinval(tuple, desc, 7, &isnull));
		}
		for (i = 0; i < LEDGER_NMAPPED; i++)
			colnames[i] = SPI_getvalue(tuple, desc, 8 + i);
		entry->time_zone = SPI_getvalue(tuple, desc, SPI_fnumber(desc, "time_zone"));
		MemoryContextSwitchTo(old);
		entry->attachment_id = DatumGetInt32(entry->values[0]);

		/*
		 * A mapped column renamed, dropped or changed to a type it may not
		 * have since attach: the statements cannot be built, or would read
		 * the column wrongly.  Leave the ledger alone rather than fail the
		 * billing write (the trigger warns; attach again to fix it).
		 */
		args[0] = Int32GetDatum(entry->attachment_id);
		argtypes[0] = INT4OID;
		ledger_spi_query("checking the column mapping", "SELECT arcollect._mapping_problem($1)",
						 1, argtypes, args, NULL);
		problem = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
		if (problem != NULL)
		{
			entry->mapping_problem = MemoryContextStrdup(entry->cxt, problem);
			entry->attached = false;
		}

		if (entry->attached)
			ledger_nesting_events(entry, fn_oid);

		/*
		 * The fast path relies on the billing table's key being unique:
		 * once it is not (see ledger_sync.sql), the general statement books
		 * every write.
		 */
		if (entry->attached && entry->invoices)
		{
			ledger_spi_query("checking the invoice key", "SELECT arcollect._key_is_unique($1)",
							 1, argtypes, args, NULL);
			key_unique = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0],
													SPI_tuptable->tupdesc, 1, &key_null));
			key_unique = key_unique && !key_null;
		}
		if (entry->attached && entry->invoices && key_unique)
			entry->fastpath =
				ledger_fastpath_build(entry->cxt, rel, entry->attachment_id,
									  entry->values[2], entry->nulls[2] == 'n',
									  entry->values[3], entry->values[4], colnames);
	}
	entry->valid = true;
}

/*
 * Returns the cache entry of the table the trigger fired on, (re)loading
 * it when needed.  Must be called inside an SPI connection, with the
 * settings pinned.
 */
static LedgerTable *
ledger_lookup(Relation rel, Oid fn_oid)
{
	Oid			relid = RelationGetRelid(rel);
	LedgerTable *entry;
	bool		found;

	if (ledger_tables == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(LedgerTable);
		ctl.hcxt = CacheMemoryContext;
		ledger_tables = hash_create("arcollect ledger tables", 16, &ctl,
									HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		CacheRegisterRelcacheCallback(ledger_invalidate, (Datum) 0);
		CacheRegisterSyscacheCallback(PROCOID, ledger_function_changed, (Datum) 0);
	}

	ledger_function_hash = GetSysCacheHashValue1(PROCOID, ObjectIdGetDatum(fn_oid));
	entry = hash_search(ledger_tables, &relid, HASH_ENTER, &found);
	if (found && entry->valid)
		return entry;
	if (found)
		ledger_release(entry);
	memset(((char *) entry) + sizeof(Oid), 0, sizeof(LedgerTable) - sizeof(Oid));
	PG_TRY();
	{
		ledger_load(entry, rel, fn_oid);
	}
	PG_CATCH();
	{
		/* leave no half-built entry behind */
		ledger_release(entry);
		hash_search(ledger_tables, &relid, HASH_REMOVE, NULL);
		PG_RE_THROW();
	}
	PG_END_TRY();
	return entry;
}

/*
 * The sync statement of entry for event, generated on first use, for a
 * table whose other triggers may write in event's statements, or not
 * (see ledger_nesting_events).
 */
static const char *
ledger_sql(LedgerTable *entry, LedgerEvent event)
{
	Oid			argtypes[3] = {INT4OID, TEXTOID, BOOLOID};
	Datum		args[3];
	bool		isnull;
	Datum		sql;

	if (entry->sql[event] != NULL)
		return entry->sql[event];

	args[0] = Int32GetDatum(entry->attachment_id);
	args[1] = CStringGetTextDatum(ledger_event_names[event]);
	args[2] = BoolGetDatum((entry->nesting & (1 << event)) != 0);
	ledger_spi_query("generating the ledger statement", "SELECT arcollect._sync_sql($1, $2, $3)",
					 3, argtypes, args, NULL);
	sql = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (isnull)
		elog(ERROR, "arcollect._sync_sql returned NULL");
	entry->sql[event] = MemoryContextStrdup(entry->cxt, TextDatumGetCString(sql));
	return entry->sql[event];
}

/*
 * Reports the rows a statement sent to quarantine: a WARNING, or in
 * strict mode an ERROR that undoes the billing write.
 */
static void
ledger_report_quarantine(LedgerTable *entry, int64 count, const char *key,
						 const char *reason)
{
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1];
	char	   *reason_text = (char *) reason;
	int			ret;

	args[0] = CStringGetTextDatum(reason);
	ret = SPI_execute_with_args("SELECT arcollect.quarantine_reason_text($1)",
								1, argtypes, args, NULL, true, 1);
	if (ret == SPI_OK_SELECT && SPI_processed == 1)
		reason_text = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	if (key == NULL)
		key = "(none)";

	if (entry->strict)
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("row with invoice key \"%s\" of table %s cannot be used: %s",
						key, entry->table_name, reason_text),
				 errdetail("Table %s is attached to the receivables ledger in strict mode, so rows it cannot use are refused.",
						   entry->table_name),
				 errhint("Correct the row, or attach the table with strict => false to quarantine such rows instead.")));

	if (count == 1)
		ereport(WARNING,
				(errmsg("arcollect quarantined the row with invoice key \"%s\" of table %s: %s",
						key, entry->table_name, reason_text),
				 errdetail("The write went through; the receivables ledger leaves the row out until it is corrected."),
				 errhint("See arcollect.quarantine.")));
	else
		ereport(WARNING,
				(errmsg("arcollect quarantined " INT64_FORMAT " rows of table %s",
						count, entry->table_name),
				 errdetail("The first has invoice key \"%s\": %s. The write went through; the receivables ledger leaves the rows out until they are corrected.",
						   key, reason_text),
				 errhint("See arcollect.quarantine.")));
}

/*
 * Runs the sync statement of entry for event: the kept generic plan for
 * small statements, planned and run to read tables by key only
 * (ledger_pin_key_lookups), a fresh plan for big ones.  Leaves the result
 * row in SPI_tuptable.  An error names the step and the table instead of quoting
 * the statement (ledger_rethrow).
 */
static void
ledger_execute(LedgerTable *entry, LedgerEvent event, int64 rows)
{
	const char *sql = ledger_sql(entry, event);
	MemoryContext cxt = CurrentMemoryContext;
	volatile int ret = 0;

	PG_TRY();
	{
		if (rows >= LEDGER_BULK_ROWS)
		{
			/* JIT of its expressions only (see ledger_pin_bulk) */
			int			level = NewGUCNestLevel();

			ledger_pin_bulk();
			ret = SPI_execute_with_args(sql, LEDGER_NPARAMS, ledger_param_types,
										entry->values, entry->nulls, false, 0);
			AtEOXact_GUC(true, level);
		}
		else
		{
			/* by key only (see ledger_pin_key_lookups), until executed */
			int			level = NewGUCNestLevel();

			ledger_pin_key_lookups();
			if (entry->plan[event] == NULL)
			{
				SPIPlanPtr	plan = SPI_prepare_cursor(sql, LEDGER_NPARAMS, ledger_param_types,
													  CURSOR_OPT_GENERIC_PLAN);

				if (plan == NULL)
					elog(ERROR, "arcollect: preparing the ledger statement failed: %s",
						 SPI_result_code_string(SPI_result));
				SPI_keepplan(plan);
				entry->plan[event] = plan;
			}
			ret = SPI_execute_plan(entry->plan[event], entry->values, entry->nulls,
								   false, 0);
			AtEOXact_GUC(true, level);
		}
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
		ledger_rethrow(cxt, sql,
					   psprintf("receivables ledger: booking the %s on table %s",
								ledger_event_names[event], entry->table_name));
	}
	PG_END_TRY();
	if (ret != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "arcollect: the ledger statement failed: %s",
			 SPI_result_code_string(ret));
}

/*
 * Takes back everything a payments table booked, before a TRUNCATE books
 * what is left of it (see ledger_sync.sql).
 */
static void
ledger_clear_payments(LedgerTable *entry)
{
	Oid			argtypes[1] = {INT4OID};
	Datum		args[1] = {Int32GetDatum(entry->attachment_id)};

	ledger_spi_call("clearing the payments of a truncated table",
					"SELECT arcollect._payments_clear($1)", 1, argtypes, args, NULL);
}

/*
 * Reports the quarantined rows counted by the statement just run.
 */
static void
ledger_check_result(LedgerTable *entry)
{
	bool		isnull;
	int64		quarantined;

	quarantined = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
											  SPI_tuptable->tupdesc, 2, &isnull));
	if (quarantined > 0)
	{
		char	   *key = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3);
		char	   *reason = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 4);

		ledger_report_quarantine(entry, quarantined, key, reason);
	}
}

/*
 * Why a statement on a table with arcollect's trigger was not booked: the
 * library is newer than the SQL objects, the mapping broke after attach,
 * or the table is not attached at all.
 */
static void
ledger_warn_not_booked(LedgerTable *entry, TriggerData *trigdata)
{
	if (entry->version_problem != NULL)
		ereport(WARNING,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("%s; the receivables ledger was not updated", entry->version_problem),
				 errdetail("A new build of arcollect was installed, but the extension in this database was not updated yet."),
				 errhint("Run ALTER EXTENSION arcollect UPDATE; it brings the ledger of every attached table up to date.")));
	else if (entry->mapping_problem != NULL && entry->strict)
		/* strict mode books every write or refuses it */
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("%s; the receivables ledger cannot book the write", entry->mapping_problem),
				 errdetail("Table %s is attached to the receivables ledger in strict mode, so writes it cannot book are refused.",
						   entry->table_name),
				 errhint("Attach the table again with arcollect.attach (or attach_payments) with the new mapping.")));
	else if (entry->mapping_problem != NULL)
		ereport(WARNING,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("%s; the receivables ledger was not updated", entry->mapping_problem),
				 errdetail("arcollect maps this column, which was renamed, dropped or changed after the table was attached."),
				 errhint("Attach the table again with arcollect.attach (or attach_payments) with the new mapping; it brings the ledger up to date.")));
	else
		ereport(WARNING,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("table %s is not attached to the receivables ledger", entry->table_name),
				 errdetail("Trigger \"%s\" fired, but arcollect.attachment has no attachment for the table; the ledger was not updated.",
						   trigdata->tg_trigger->tgname),
				 errhint("Attach the table with arcollect.attach, or drop the trigger.")));
}

/*
 * The customers whose open amounts the statement of a trigger event just
 * run lowered (its sixth column, a text[]: ledger_sync.sql), copied out
 * of its result, or 0 when it gives none (arcollect.escalation_trigger is
 * off).
 */
static Datum
ledger_lowered_customers(void)
{
	bool		isnull;
	Datum		value = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 6, &isnull);

	return isnull ? (Datum) 0 : PointerGetDatum(DatumGetArrayTypePCopy(value));
}

/*
 * Books one statement of event on an attached table: inserts into a
 * billing table take the fast path, and the sync statement books what it
 * leaves (everything, for the other events).  Then the escalation of the
 * customers whose open amounts the sync statement lowered is brought up
 * to date (escalation_trigger.c); the fast path books new invoices only,
 * which lower nothing a customer owes overdue.
 */
static void
ledger_book(LedgerTable *entry, TriggerData *trigdata, LedgerEvent event, int64 rows)
{
	bool		escalate;
	Datum		lowered;

	if (SPI_register_trigger_data(trigdata) != SPI_OK_TD_REGISTER)
		elog(ERROR, "arcollect: could not register the transition tables");

	if (event == LEDGER_INSERT && entry->fastpath != NULL && ledger_fast_path &&
		ledger_fastpath_insert(entry->fastpath, trigdata->tg_newtable,
							   RelationGetDescr(trigdata->tg_relation)))
		return;

	if (event == LEDGER_TRUNCATE)
	{
		/* the statement reads the whole table: plan it for that */
		rows = LEDGER_BULK_ROWS;
		if (!entry->invoices)
			ledger_clear_payments(entry);
	}
	/* the turn is taken before the statement reads (escalation_turns.c) */
	escalate = event != LEDGER_TRUNCATE && escalation_follows_ledger();
	if (escalate)
		escalation_take_turn();
	ledger_execute(entry, event, rows);
	lowered = escalate ? ledger_lowered_customers() : (Datum) 0;
	ledger_check_result(entry);
	if (escalate && lowered != (Datum) 0)
		escalation_after_ledger(lowered, entry->table_name);
}

static int64
transition_rows(Tuplestorestate *table)
{
	return table == NULL ? 0 : tuplestore_tuple_count(table);
}

PG_FUNCTION_INFO_V1(arcollect_ledger_trigger);

/*
 * arcollect.ledger_trigger(): the statement-level AFTER trigger installed
 * by arcollect.attach and arcollect.attach_payments.  Takes no arguments;
 * the attachment is found by the table it fires on.
 */
Datum
arcollect_ledger_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	LedgerEvent event;
	LedgerTable *entry;
	int64		rows;
	LedgerSession session;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("arcollect.ledger_trigger() must be called as a trigger")));
	if (!TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("arcollect.ledger_trigger() must be fired AFTER, FOR EACH STATEMENT"),
				 errhint("Install it with arcollect.attach.")));

	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		event = LEDGER_INSERT;
	else if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		event = LEDGER_UPDATE;
	else if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
		event = LEDGER_DELETE;
	else
		event = LEDGER_TRUNCATE;

	/* The statement text names the transition tables; insist on them. */
	if ((event == LEDGER_INSERT || event == LEDGER_UPDATE) &&
		(trigdata->tg_newtable == NULL ||
		 strcmp(trigdata->tg_trigger->tgnewtable, "arcollect_new") != 0))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("trigger \"%s\" must have REFERENCING NEW TABLE AS arcollect_new",
						trigdata->tg_trigger->tgname),
				 errhint("Install it with arcollect.attach.")));
	if ((event == LEDGER_DELETE || event == LEDGER_UPDATE) &&
		(trigdata->tg_oldtable == NULL ||
		 strcmp(trigdata->tg_trigger->tgoldtable, "arcollect_old") != 0))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("trigger \"%s\" must have REFERENCING OLD TABLE AS arcollect_old",
						trigdata->tg_trigger->tgname),
				 errhint("Install it with arcollect.attach.")));

	rows = transition_rows(trigdata->tg_newtable) + transition_rows(trigdata->tg_oldtable);
	if (rows == 0 && event != LEDGER_TRUNCATE)
		return PointerGetDatum(NULL);

	ledger_enter(fcinfo->flinfo->fn_oid, &session);
	entry = ledger_lookup(trigdata->tg_relation, fcinfo->flinfo->fn_oid);
	if (entry->attached)
	{
		ledger_pin_time_zone(entry->time_zone);
		ledger_book(entry, trigdata, event, rows);
	}
	else
		ledger_warn_not_booked(entry, trigdata);
	ledger_leave(&session);
	return PointerGetDatum(NULL);
}
