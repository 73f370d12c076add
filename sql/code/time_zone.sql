-- Time zone names (src/time_zone.c): customers' contact windows are kept
-- in their own time zone, and attached tables are read in the time zone
-- of their attachment, both checked with it.

CREATE OR REPLACE FUNCTION arcollect.is_time_zone(zone text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'arcollect_is_time_zone'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION arcollect.is_time_zone(text) IS
'True when zone is a time zone name PostgreSQL knows and accepts as its TimeZone setting, such as Europe/Paris or UTC (see pg_timezone_names).';
