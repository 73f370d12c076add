/*-------------------------------------------------------------------------
 *
 * ledger_settings.h
 *	  The session settings the ledger reads and writes values with
 *	  (ledger_settings.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef ARCOLLECT_LEDGER_SETTINGS_H
#define ARCOLLECT_LEDGER_SETTINGS_H

#include "postgres.h"

extern int	ledger_pin_settings(void);
extern void ledger_pin_time_zone(const char *time_zone);
extern void ledger_pin_key_lookups(void);
extern void ledger_pin_bulk(void);

#endif							/* ARCOLLECT_LEDGER_SETTINGS_H */
