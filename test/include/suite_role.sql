-- The role the pgTAP suite runs as: arcollect_suite, an ordinary
-- application role (no superuser, no CREATEROLE, no CREATEDB) that owns
-- its billing tables in schema billing, attaches them and writes them.
-- `make prove` runs this file as a superuser in the test database before
-- the suite, and test/ledger_dump_restore.sql in the databases it dumps;
-- it can be run again.  Every privilege the role has on arcollect is
-- granted here, in this one file (test/include/suite_tools.sql lets it
-- use pgTAP and dblink).
DO $do$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'arcollect_suite') THEN
        -- LOGIN: the sessions a test opens (dblink, psql in a shell) log
        -- in as the role itself
        CREATE ROLE arcollect_suite LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
    END IF;
END
$do$;

-- Since PostgreSQL 15 only the database owner may create in schema
-- public: the application has a schema of its own.
CREATE SCHEMA IF NOT EXISTS billing AUTHORIZATION arcollect_suite;

-- What doc/ledger.md (Privileges) tells a DBA to grant an admin role
-- (doc/ledger_roles.sql, to ar_admin; scripts/test.sh checks that the two
-- agree).
SELECT arcollect.grant_access('arcollect_suite', 'admin');
