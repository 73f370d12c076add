/*-------------------------------------------------------------------------
 *
 * currency.h
 *	  The ISO 4217 currency codes the receivables ledger accepts
 *	  (currency.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef ARCOLLECT_CURRENCY_H
#define ARCOLLECT_CURRENCY_H

#include "postgres.h"

extern bool arc_currency_code_known(const char *code, int len);

#endif							/* ARCOLLECT_CURRENCY_H */
