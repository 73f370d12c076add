/*-------------------------------------------------------------------------
 *
 * time_zone.c
 *	  Validation of time zone names: the customer's, and the attachment's.
 *
 * arcollect.customer_setting.time_zone is checked on every edit of a
 * customer, and an attachment's on every attach, so the check must not
 * read pg_timezone_names (which scans the whole time zone database).
 * pg_tzset() loads one zone and caches it for the backend.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "pgtime.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(arcollect_is_time_zone);

/*
 * arcollect.is_time_zone(zone text) returns boolean: whether zone names a
 * time zone in PostgreSQL's time zone database (such as 'Europe/Paris'
 * or 'UTC') that the TimeZone setting accepts: the ledger trigger reads an
 * attachment's table with TimeZone set to the attachment's time zone,
 * which must therefore not be one that counts leap seconds.
 */
Datum
arcollect_is_time_zone(PG_FUNCTION_ARGS)
{
	char	   *zone = text_to_cstring(PG_GETARG_TEXT_PP(0));
	pg_tz	   *tz;

	/* pg_tzset rejects over-long names itself; empty is never a zone */
	if (zone[0] == '\0')
		PG_RETURN_BOOL(false);
	tz = pg_tzset(zone);
	PG_RETURN_BOOL(tz != NULL && pg_tz_acceptable(tz));
}
