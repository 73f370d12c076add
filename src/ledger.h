/*-------------------------------------------------------------------------
 *
 * ledger.h
 *	  Declarations shared by the receivables ledger's C files: the
 *	  currency check (currency.c) used by the billing-table trigger
 *	  (ledger_trigger.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef ARCOLLECT_LEDGER_H
#define ARCOLLECT_LEDGER_H

#include "postgres.h"

extern bool currency_code_known(const char *code, int len);

#endif							/* ARCOLLECT_LEDGER_H */
