/*-------------------------------------------------------------------------
 *
 * ledger_write.c
 *	  Writing ledger rows from C in batches, as COPY does, and looking
 *	  keys up in the ledger's unique indexes.
 *
 * The trigger's fast path (ledger_fastpath.c) writes the ledger tables
 * without SQL.  A LedgerTarget buffers rows and writes them with
 * table_multi_insert and ExecInsertIndexTuples, as COPY does: one WAL
 * record and one buffer lock per page instead of per row.  A LedgerProbe
 * looks keys up in a unique index, one scan opened per statement and
 * rescanned per row, so that a probe costs one index descent.
 *
 * Rows are written without the CHECK constraints, defaults or triggers of
 * the table being evaluated: the caller builds values that satisfy them.
 * That holds only for the columns it fills, so ledger_table_problem
 * refuses a table with another column that is NOT NULL, has a default or
 * a CHECK, a table with triggers, or one that is not a heap table (the
 * fast path's deletes and the bulk-insert state are heap's).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_am.h"
#include "executor/spi.h"
#include "nodes/bitmapset.h"
#include "optimizer/optimizer.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "ledger_write.h"

/* The relation arcollect.name (nsp is arcollect's schema); it must exist. */
Oid
ledger_relid(Oid nsp, const char *name)
{
	Oid			relid = get_relname_relid(name, nsp);

	if (!OidIsValid(relid))
		elog(ERROR, "arcollect: relation arcollect.%s is missing", name);
	return relid;
}

/* Finds the positions of the named columns in a ledger table. */
void
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
 * triggers (foreign keys included), no wider than LEDGER_MAX_NATTS, and
 * with no CHECK constraint but known_checks (NULL-terminated: those the
 * caller's values satisfy by construction), since none is evaluated.
 */
char *
ledger_table_problem(Oid relid, int n, const LedgerColumns *cols,
					 const char *const *known_checks)
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

	/* the columns its CHECK constraints name; each must be a known one */
	if (problem == NULL && desc->constr != NULL)
		for (i = 0; problem == NULL && i < desc->constr->num_check; i++)
		{
			const char *ccname = desc->constr->check[i].ccname;
			bool		known = false;

			for (j = 0; known_checks[j] != NULL; j++)
				known |= strcmp(ccname, known_checks[j]) == 0;
			if (!known)
				problem = psprintf("arcollect.%s has a CHECK constraint %s that the fast path would not evaluate",
								   name, ccname);
			pull_varattnos(stringToNode(desc->constr->check[i].ccbin), 1, &checked);
		}

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

/*
 * Whether the ledger table relid still has the columns cols were found
 * in (natts only grows: dropped columns keep their place), once
 * locked for the statement: a change committed since the cache was built
 * is seen here, before anything is written.
 */
bool
ledger_table_current(Oid relid, const LedgerColumns *cols)
{
	Relation	rel = table_open(relid, RowExclusiveLock);
	bool		current = RelationGetDescr(rel)->natts == cols->natts &&
		rel->rd_rel->relam == HEAP_TABLE_AM_OID;

	table_close(rel, NoLock);
	return current;
}

/*
 * Opens a lookup in the unique index indexid of heap, on its first nkeys
 * columns.  With dirty set, the probe also sees keys that other
 * transactions are inserting right now (and takes no predicate lock);
 * else it sees what is committed (a fresh snapshot).
 */
void
ledger_probe_open(LedgerProbe *p, Relation heap, Oid indexid, int nkeys, bool dirty)
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
bool
ledger_probe_found(LedgerProbe *p, ScanKey keys, int nkeys)
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

void
ledger_probe_close(LedgerProbe *p)
{
	index_endscan(p->scan);
	ExecDropSingleTupleTableSlot(p->slot);
	index_close(p->index, AccessShareLock);
	if (p->mvcc != NULL)
		UnregisterSnapshot(p->mvcc);
}

/* Opens ledger table relid for inserts of up to capacity buffered rows. */
LedgerTarget *
ledger_target_open(Oid relid, int capacity, bool bulk)
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

/* Buffers one row (copied into the target's memory). */
void
ledger_target_add(LedgerTarget *t, Datum *values, bool *nulls)
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
void
ledger_target_write(LedgerTarget *t, EState *estate, int n, Oid arbiter, bool *conflict)
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

/* Empties the buffer once its rows are written (or dropped). */
void
ledger_target_clear(LedgerTarget *t)
{
	int			i;

	for (i = 0; i < t->nslots; i++)
		ExecClearTuple(t->slots[i]);
	t->nslots = 0;
}

void
ledger_target_close(LedgerTarget *t)
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

