/*-------------------------------------------------------------------------
 *
 * ledger_write.h
 *	  Writing ledger rows from C in batches, as COPY does, and looking
 *	  keys up in the ledger's unique indexes (ledger_write.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef ARCOLLECT_LEDGER_WRITE_H
#define ARCOLLECT_LEDGER_WRITE_H

#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "executor/executor.h"
#include "utils/snapshot.h"

/*
 * Column positions (0-based) of the columns C fills in one of the ledger
 * tables.  A table with more columns than LEDGER_MAX_NATTS (dropped ones
 * count) is left to the SQL statements: its rows are built in arrays of
 * that size.
 */
#define LEDGER_MAX_NATTS 64
#define LEDGER_MAX_FILLED 24

typedef struct LedgerColumns
{
	int			natts;
	int			pos[LEDGER_MAX_FILLED];
} LedgerColumns;

/* A ledger table opened for inserts, with its indexes, and rows buffered. */
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

/* A lookup in a unique index, opened once and rescanned per key. */
typedef struct LedgerProbe
{
	Relation	index;
	IndexScanDesc scan;
	TupleTableSlot *slot;
	SnapshotData dirty;
	Snapshot	mvcc;			/* registered, when not dirty */
	MemoryContext cxt;			/* outlives the scan, unlike a row's context */
} LedgerProbe;

extern Oid	ledger_relid(Oid nsp, const char *name);
extern void ledger_columns(Oid relid, const char *const *names, int n, LedgerColumns *cols);
extern char *ledger_table_problem(Oid relid, int n, const LedgerColumns *cols,
								  const char *const *known_checks);
extern bool ledger_table_current(Oid relid, const LedgerColumns *cols);

extern LedgerTarget *ledger_target_open(Oid relid, int capacity, bool bulk);
extern void ledger_target_add(LedgerTarget *t, Datum *values, bool *nulls);
extern void ledger_target_write(LedgerTarget *t, EState *estate, int n, Oid arbiter,
								bool *conflict);
extern void ledger_target_clear(LedgerTarget *t);
extern void ledger_target_close(LedgerTarget *t);

extern void ledger_probe_open(LedgerProbe *p, Relation heap, Oid indexid, int nkeys, bool dirty);
extern bool ledger_probe_found(LedgerProbe *p, ScanKey keys, int nkeys);
extern void ledger_probe_close(LedgerProbe *p);

#endif							/* ARCOLLECT_LEDGER_WRITE_H */
