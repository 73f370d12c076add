/*-------------------------------------------------------------------------
 *
 * ledger_fastpath.h
 *	  The trigger's fast path for new invoices (ledger_fastpath.c), as the
 *	  trigger (ledger_trigger.c) uses it.
 *
 *-------------------------------------------------------------------------
 */
#ifndef ARCOLLECT_LEDGER_FASTPATH_H
#define ARCOLLECT_LEDGER_FASTPATH_H

#include "postgres.h"

#include "access/tupdesc.h"
#include "utils/relcache.h"
#include "utils/tuplestore.h"

typedef struct LedgerFastPath LedgerFastPath;

extern LedgerFastPath *ledger_fastpath_build(MemoryContext cxt, Relation billing,
											 int32 attachment_id,
											 Datum default_currency,
											 bool default_currency_null,
											 Datum void_statuses,
											 Datum credit_statuses,
											 const char *const *colnames);
extern bool ledger_fastpath_uses(LedgerFastPath *fp, Oid relid);
extern void ledger_fastpath_outdated(LedgerFastPath *fp);
extern bool ledger_fastpath_insert(LedgerFastPath *fp, Tuplestorestate *newtable,
								   TupleDesc billing_desc);

#endif							/* ARCOLLECT_LEDGER_FASTPATH_H */
