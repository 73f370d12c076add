/*-------------------------------------------------------------------------
 *
 * ledger_spi.h
 *	  How the ledger's C entry points run SQL (ledger_spi.c): as the
 *	  extension owner, inside SPI, with the ledger's settings pinned; and
 *	  the short error context of a generated statement (ledger_error.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef ARCOLLECT_LEDGER_SPI_H
#define ARCOLLECT_LEDGER_SPI_H

#include "postgres.h"

/* What ledger_enter changed, for ledger_leave to restore. */
typedef struct LedgerSession
{
	Oid			caller;			/* the user before ledger_enter */
	int			caller_sec_context;
	int			guc_level;		/* of the pinned settings */
} LedgerSession;

extern Oid	ledger_owner(Oid fn_oid);
extern void ledger_enter(Oid fn_oid, LedgerSession *session);
extern void ledger_act_as_caller(LedgerSession *session);
extern void ledger_leave(LedgerSession *session);

extern void ledger_spi_query(const char *what, const char *sql, int nargs,
							 Oid *types, Datum *values, const char *nulls);
extern void ledger_spi_call(const char *what, const char *sql, int nargs,
							Oid *types, Datum *values, const char *nulls);

extern void ledger_rethrow(MemoryContext cxt, const char *sql, const char *step) pg_attribute_noreturn();

#endif							/* ARCOLLECT_LEDGER_SPI_H */
