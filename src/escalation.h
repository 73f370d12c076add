/*-------------------------------------------------------------------------
 *
 * escalation.h
 *	  The event-driven side of the escalation: the recompute after the
 *	  ledger or a collections record changed what a customer owes
 *	  (escalation_trigger.c), and the turns it takes with the escalation
 *	  run (escalation_turns.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef ARCOLLECT_ESCALATION_H
#define ARCOLLECT_ESCALATION_H

#include "postgres.h"

/* escalation_trigger.c */
extern void escalation_define_settings(void);
extern bool escalation_follows_ledger(void);
extern void escalation_after_ledger(Datum customers, const char *table_name);

/* escalation_turns.c */
extern void escalation_take_turn(void);

#endif							/* ARCOLLECT_ESCALATION_H */
