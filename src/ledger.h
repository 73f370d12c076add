/*-------------------------------------------------------------------------
 *
 * ledger.h
 *	  What every file of the receivables ledger shares: the columns of a
 *	  billing table that arcollect.attach maps.  Each part has a header
 *	  of its own: the trigger (ledger_trigger.c) uses the fast path
 *	  (ledger_fastpath.h), which reads billing rows (ledger_read.h) and
 *	  writes ledger rows (ledger_write.h) by the booking rules
 *	  (ledger_rules.h) and what the ledger can hold (ledger_values.h);
 *	  all that runs SQL does it through ledger_spi.h, with the settings
 *	  of ledger_settings.h.
 *
 *-------------------------------------------------------------------------
 */
#ifndef ARCOLLECT_LEDGER_H
#define ARCOLLECT_LEDGER_H

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

#endif							/* ARCOLLECT_LEDGER_H */
