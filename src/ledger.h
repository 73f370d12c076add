/*-------------------------------------------------------------------------
 *
 * ledger.h
 *	  Declarations shared by the receivables ledger's C files: the
 *	  currency check (currency.c), the values the ledger can hold
 *	  (ledger_values.c), the pinned session settings (ledger_settings.c),
 *	  the fast path for new invoices (ledger_fastpath.c) and the short
 *	  error context of generated statements (ledger_error.c), all used by
 *	  the billing-table trigger (ledger_trigger.c); and the function owner
 *	  lookup that the trigger and the entry points of ledger_gate.c share
 *	  (which pin the settings too).
 *
 *-------------------------------------------------------------------------
 */
#ifndef ARCOLLECT_LEDGER_H
#define ARCOLLECT_LEDGER_H

#include "postgres.h"

#include "access/tupdesc.h"
#include "utils/date.h"
#include "utils/numeric.h"
#include "utils/relcache.h"
#include "utils/tuplestore.h"

extern bool currency_code_known(const char *code, int len);
extern Oid	ledger_owner(Oid fn_oid);
extern void ledger_rethrow(MemoryContext cxt, const char *sql, const char *step) pg_attribute_noreturn();

/*
 * What the ledger can hold (ledger_values.c): an invoice key, customer or
 * owner of at most LEDGER_MAX_TEXT_BYTES bytes, finite dates, and amounts
 * less than 10^LEDGER_AMOUNT_DIGITS in absolute value.
 */
#define LEDGER_MAX_TEXT_BYTES 1000
#define LEDGER_AMOUNT_DIGITS 38

extern bool ledger_text_fits(Datum value);
extern bool ledger_date_usable(DateADT value);
extern Numeric ledger_amount_limit(MemoryContext cxt);
extern bool ledger_amount_usable(Numeric value, Numeric limit, int *sign);

/* ledger_settings.c */
extern int	ledger_pin_settings(void);
extern void ledger_pin_time_zone(const char *time_zone);

/* The columns of a billing table that arcollect.attach maps, in order. */
typedef enum LedgerMapped
{
	LEDGER_KEY,
	LEDGER_CUSTOMER,
	LEDGER_AMOUNT,
	LEDGER_DUE,
	LEDGER_ISSUED,
	LEDGER_CURRENCY,
	LEDGER_PAID,
	LEDGER_OPEN,
	LEDGER_OWNER,
	LEDGER_STATUS,
	LEDGER_PAID_ON,				/* the date of the paid or open column */
	LEDGER_NMAPPED
} LedgerMapped;

typedef struct LedgerFastPath LedgerFastPath;

extern LedgerFastPath *ledger_fastpath_build(MemoryContext cxt, Relation billing,
											 int32 attachment_id,
											 Datum default_currency,
											 bool default_currency_null,
											 Datum void_statuses,
											 Datum credit_statuses,
											 const char *const *colnames);
extern bool ledger_fastpath_uses(LedgerFastPath *fp, Oid relid);
extern bool ledger_fastpath_insert(LedgerFastPath *fp, Tuplestorestate *newtable,
								   TupleDesc billing_desc);

#endif							/* ARCOLLECT_LEDGER_H */
