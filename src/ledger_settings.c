/*-------------------------------------------------------------------------
 *
 * ledger_settings.c
 *	  The session settings arcollect reads and writes the ledger with.
 *
 * How a value becomes text (an invoice key, a customer, a status, a
 * quarantined row) and how a timestamptz becomes a date depend on session
 * settings: DateStyle, IntervalStyle, TimeZone, extra_float_digits,
 * bytea_output, lc_monetary.  If they were the writer's, the same billing
 * row would be booked under two keys by two sessions, and a status-only
 * update from another time zone would re-date an invoice.  So everything
 * the ledger trigger runs, the fast path in C and the SQL statements
 * alike, runs with the fixed settings listed here, and with TimeZone set
 * to the attachment's time zone (arcollect.attachment.time_zone).  So do
 * the entry points of ledger_gate.c (attach, reconcile: they read the
 * table through its mapping too).  arcollect._import, which event
 * triggers and the upgrade also call, pins the same list with SET clauses
 * and sets TimeZone to the attachment's; arcollect._pinned_settings()
 * returns this list, so that test/ledger_settings.sql can check that they
 * agree.
 *
 * lc_numeric and lc_time are not pinned: no output function reads them
 * (only to_char does, which arcollect does not call).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/tuplestore.h"

#include "ledger_settings.h"

typedef struct LedgerSetting
{
	const char *name;
	const char *value;
} LedgerSetting;

/* TimeZone last: its value here is the default, see ledger_pin_time_zone. */
static const LedgerSetting ledger_settings[] = {
	{"search_path", "pg_catalog, pg_temp"},
	{"DateStyle", "ISO, MDY"},
	{"IntervalStyle", "postgres"},
	{"extra_float_digits", "1"},
	{"bytea_output", "hex"},
	{"lc_monetary", "C"},
	{"TimeZone", "UTC"},
};

/*
 * Sets one setting until the current GUC nest level closes, unless it has
 * that value already (setting TimeZone or lc_monetary costs a look-up).
 */
static void
ledger_pin(const char *name, const char *value)
{
	const char *current = GetConfigOption(name, false, false);

	if (current != NULL && strcmp(current, value) == 0)
		return;
	(void) set_config_option(name, value, PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
}

/*
 * Pins every setting of the list but TimeZone until the returned nest
 * level is closed with AtEOXact_GUC(true, level) (an error closes it by
 * itself).  The caller pins TimeZone with ledger_pin_time_zone once it
 * knows the attachment.
 */
int
ledger_pin_settings(void)
{
	int			level = NewGUCNestLevel();
	int			i;

	for (i = 0; i < lengthof(ledger_settings); i++)
		if (strcmp(ledger_settings[i].name, "TimeZone") != 0)
			ledger_pin(ledger_settings[i].name, ledger_settings[i].value);
	return level;
}

/*
 * Pins TimeZone to the attachment's time zone, at the nest level
 * ledger_pin_settings opened.
 */
void
ledger_pin_time_zone(const char *time_zone)
{
	ledger_pin("TimeZone", time_zone);
}

/*
 * Pins enable_seqscan and jit off until the caller closes the nest level
 * it opened: for the sync statement of a small write, planned once and
 * kept (ledger_trigger.c).  Such a statement reads the ledger tables and the
 * billing table by the keys it touched, and must do so through their
 * key indexes even where a scan of the whole table costs less (a table
 * of a few pages, or one not analyzed yet): under SERIALIZABLE a
 * sequential scan takes a predicate lock on the whole relation, and
 * every other writer of that table would then conflict with this one,
 * which the billing workload, reading its rows by key, never does.  An
 * index probe takes its locks on the index pages and rows it visits
 * only.  A scan that cannot be avoided (a table without a usable index)
 * is still planned, at the cost enable_seqscan adds, which would make
 * the statement look costly enough to be compiled by JIT on every run
 * (seconds for a statement of a few rows): jit is off too.  (Not
 * pinned settings of the list above: big statements, planned afresh, are
 * better off with scans, hash joins and JIT, of their expressions:
 * ledger_pin_bulk.)
 */
void
ledger_pin_key_lookups(void)
{
	ledger_pin("enable_seqscan", "off");
	ledger_pin("jit", "off");
}

/*
 * Pins JIT's inlining and optimization off (expressions are still
 * compiled) until the caller closes the nest level it opened: for the
 * sync statement of a big write, planned afresh (ledger_trigger.c).
 * Past their cost thresholds (500,000 by default) compiling the
 * statement takes seconds, on every run: 2.6 s for a statement of 100,000
 * payments costed at 1.7 million, where the expressions alone compile in
 * milliseconds.  The statement of a COPY of a million payments costs
 * 425,000, and 711,000 with the customers in dunning it also asks for
 * (ledger_sync.sql, _lowered_sql), even when it does not run that part.
 */
void
ledger_pin_bulk(void)
{
	ledger_pin("jit_inline_above_cost", "-1");
	ledger_pin("jit_optimize_above_cost", "-1");
}

PG_FUNCTION_INFO_V1(arcollect_pinned_settings);

/*
 * arcollect._pinned_settings(OUT name text, OUT setting text): the list
 * above, TimeZone with its default.
 */
Datum
arcollect_pinned_settings(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int			i;

	InitMaterializedSRF(fcinfo, 0);
	for (i = 0; i < lengthof(ledger_settings); i++)
	{
		Datum		values[2];
		bool		nulls[2] = {false, false};

		values[0] = CStringGetTextDatum(ledger_settings[i].name);
		values[1] = CStringGetTextDatum(ledger_settings[i].value);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
