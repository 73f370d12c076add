/*-------------------------------------------------------------------------
 *
 * ledger_rules.h
 *	  The booking rules of a billing row, defined once (ledger_rules.c)
 *	  for both booking paths: the SQL statements of ledger_sync.sql call
 *	  them through SQL functions, the trigger's fast path in C directly.
 *
 *-------------------------------------------------------------------------
 */
#ifndef ARCOLLECT_LEDGER_RULES_H
#define ARCOLLECT_LEDGER_RULES_H

#include "postgres.h"

#include "utils/date.h"
#include "utils/numeric.h"

/*
 * The mapped columns of one billing row, read as the ledger's types (a
 * NULL pointer or a false has_ flag for SQL NULL).  paid_or_open is the
 * paid column (NULL read as 0, since an invoice nobody paid may leave it
 * empty), or the open column as it is (NULL: the open amount is missing),
 * or 0 when neither is mapped.  currency is ledger_currency_of's.
 */
typedef struct LedgerInvoiceValues
{
	text	   *key;
	text	   *customer;
	text	   *owner;
	Numeric		amount;
	Numeric		paid_or_open;
	bool		has_issued;
	DateADT		issued;
	bool		has_due;
	DateADT		due;
	bool		has_paid_on;
	DateADT		paid_on;
	text	   *currency;
	bool		is_credit;		/* the status is a credit note's */
} LedgerInvoiceValues;

extern const char *ledger_invoice_problem(const LedgerInvoiceValues *row,
										  Numeric amount_limit);
extern text *ledger_currency_of(text *raw, text *default_currency);
extern void ledger_ascii_fold(char *s, int len, bool upper);
extern DateADT ledger_effective_on(bool has_date, DateADT date, DateADT issued,
								   DateADT today);

#endif							/* ARCOLLECT_LEDGER_RULES_H */
