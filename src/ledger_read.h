/*-------------------------------------------------------------------------
 *
 * ledger_read.h
 *	  Reading the mapped columns of a billing row in C, as the SQL
 *	  statements of ledger_sync.sql read them (ledger_read.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef ARCOLLECT_LEDGER_READ_H
#define ARCOLLECT_LEDGER_READ_H

#include "postgres.h"

#include "access/tupdesc.h"
#include "executor/tuptable.h"
#include "utils/relcache.h"

#include "ledger.h"
#include "ledger_rules.h"

typedef struct LedgerReader LedgerReader;

/*
 * One billing row as the ledger books it: what the booking rules judge
 * (values), and what follows from it for a usable row.
 */
typedef struct LedgerInvoiceRow
{
	LedgerInvoiceValues values;
	Datum		amount;			/* values.amount, as a Datum */
	Datum		paid;			/* the amount paid (amount - open with an open column) */
	text	   *status;			/* NULL when unmapped or NULL */
	bool		is_void;		/* the status is one of void_statuses */
} LedgerInvoiceRow;

extern LedgerReader *ledger_reader_build(MemoryContext cxt, Relation billing,
										 const char *const *colnames,
										 Datum default_currency, bool default_currency_null,
										 Datum void_statuses, Datum credit_statuses);
extern void ledger_reader_begin(LedgerReader *reader);
extern const char *ledger_read_invoice(LedgerReader *reader, TupleTableSlot *slot,
									   LedgerInvoiceRow *row);

#endif							/* ARCOLLECT_LEDGER_READ_H */
