-- Every SQL example of doc/ledger.md, the ledger's manual, run as the
-- manual shows it: build/ledger_manual.sql is extracted from it by
-- test/readme_sql.awk, as the README's examples are (see sql/readme.sql).
-- An example that stops working changes this output: fix the manual or
-- the code, then this file's expected output.
--
-- It runs before the other ledger tests (the manual's examples read the
-- whole ledger), in a schema of its own; the roles its grants name are
-- made here and dropped again, and the extension is made afresh at the
-- end, so that the tests after it find an empty ledger.
CREATE SCHEMA manual;
SET client_min_messages = warning;
SET search_path = manual, public;
CREATE ROLE bi_reader NOLOGIN;
CREATE ROLE collector NOLOGIN;
CREATE ROLE ar_admin NOLOGIN;
\i build/ledger_manual.sql
RESET search_path;
RESET client_min_messages;
DROP OWNED BY bi_reader, collector, ar_admin;
DROP ROLE bi_reader, collector, ar_admin;
DROP SCHEMA manual CASCADE;
DROP EXTENSION arcollect;
CREATE EXTENSION arcollect;
