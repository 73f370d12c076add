-- The extensions the pgTAP suite uses, each in a schema of its own, for
-- files that run with an empty search_path (README, Tests): pgTAP in
-- schema tap (calls are written tap.plan(...), tap.is(...)) and dblink in
-- schema dblink.  `make prove` runs this file as a superuser in the test
-- database, after test/include/suite_role.sql; it can be run again, and
-- moves either extension into its schema if it was created elsewhere.
CREATE SCHEMA IF NOT EXISTS tap;
CREATE SCHEMA IF NOT EXISTS dblink;
CREATE EXTENSION IF NOT EXISTS pgtap SCHEMA tap;
CREATE EXTENSION IF NOT EXISTS dblink SCHEMA dblink;
DO $do$
DECLARE
    e record;
BEGIN
    FOR e IN SELECT x.extname, w.schema_name
               FROM (VALUES ('pgtap', 'tap'), ('dblink', 'dblink')) w(extname, schema_name)
               JOIN pg_catalog.pg_extension x ON x.extname = w.extname
              WHERE x.extnamespace <> w.schema_name::pg_catalog.regnamespace LOOP
        EXECUTE pg_catalog.format('ALTER EXTENSION %I SET SCHEMA %I', e.extname, e.schema_name);
    END LOOP;
END
$do$;

-- pgTAP's functions call each other by unqualified names, which an
-- empty search_path does not find: each function gets a search_path of
-- its own, pg_catalog and tap.  A query a test hands to pgTAP as text (to
-- throws_ok, lives_ok) therefore runs with that search_path, not the
-- session's, and names every table with its schema.
DO $do$
DECLARE
    f pg_catalog.regprocedure;
BEGIN
    FOR f IN SELECT p.oid FROM pg_catalog.pg_proc p
              WHERE p.pronamespace = 'tap'::pg_catalog.regnamespace AND p.prokind IN ('f', 'p')
                AND p.proconfig IS DISTINCT FROM '{"search_path=pg_catalog, tap"}' LOOP
        EXECUTE pg_catalog.format('ALTER FUNCTION %s SET search_path = pg_catalog, tap', f);
    END LOOP;
END
$do$;

GRANT USAGE ON SCHEMA tap, dblink TO PUBLIC;
-- dblink refuses a connection without a password to a role that is not
-- a superuser; dblink_connect_u does not check, and PUBLIC may not call
-- it.  The suite's sessions log in over trust authentication.
GRANT EXECUTE ON FUNCTION dblink.dblink_connect_u(text), dblink.dblink_connect_u(text, text)
    TO arcollect_suite;
