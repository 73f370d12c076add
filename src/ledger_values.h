/*-------------------------------------------------------------------------
 *
 * ledger_values.h
 *	  What the receivables ledger can hold (ledger_values.c): an invoice
 *	  key, customer or owner of at most LEDGER_MAX_TEXT_BYTES bytes,
 *	  finite dates, and amounts less than 10^LEDGER_AMOUNT_DIGITS in
 *	  absolute value.
 *
 *-------------------------------------------------------------------------
 */
#ifndef ARCOLLECT_LEDGER_VALUES_H
#define ARCOLLECT_LEDGER_VALUES_H

#include "postgres.h"

#include "utils/date.h"
#include "utils/numeric.h"

#define LEDGER_MAX_TEXT_BYTES 1000
#define LEDGER_AMOUNT_DIGITS 38

extern bool ledger_text_fits(Datum value);
extern bool ledger_date_usable(DateADT value);
extern Numeric ledger_amount_limit(MemoryContext cxt);
extern bool ledger_amount_usable(Numeric value, Numeric limit, int *sign);

#endif							/* ARCOLLECT_LEDGER_VALUES_H */
