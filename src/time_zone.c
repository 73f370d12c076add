/*-------------------------------------------------------------------------
 *
 * time_zone.c
 *	  Validation of the customer's time zone.
 *
 * arcollect.customer.time_zone is checked on every insert, including the
 * customers the billing-table trigger creates during a bulk load, so the
 * check must not read pg_timezone_names (which scans the whole time zone
 * database).  pg_tzset() loads one zone and caches it for the backend.
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
 * or 'UTC').
 */
Datum
arcollect_is_time_zone(PG_FUNCTION_ARGS)
{
	char	   *zone = text_to_cstring(PG_GETARG_TEXT_PP(0));

	/* pg_tzset rejects over-long names itself; empty is never a zone */
	PG_RETURN_BOOL(zone[0] != '\0' && pg_tzset(zone) != NULL);
}
