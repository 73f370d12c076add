-- Every SQL example of README.md, run as the README shows it.
-- build/readme.sql is extracted from the README by test/readme_sql.awk
-- (the Makefile does it before installcheck): the ```sql blocks in order,
-- each headed by the README section it is in, and every `expression` →
-- `result` of the reference tables as a query whose "agrees" column must
-- be t.  An example that stops working, or a result the README states that
-- the code no longer gives, changes this output: fix the README or the
-- code, then this file's expected output.
--
-- A schema of its own, so that tables other tests leave behind (billing)
-- do not clash with the README's.  Notices off: psql would prefix them
-- with their line in build/readme.sql, which moves with every edit.
CREATE SCHEMA readme;
SET client_min_messages = warning;
SET search_path = readme, public;
-- The README's examples run on a database with nothing but the extension
-- (README, Tests): its BI views read the whole ledger, which the tests
-- before this one filled.  (The tables they attached keep no trigger;
-- they are done with them.)
DROP EXTENSION arcollect CASCADE;
CREATE EXTENSION arcollect;
\i build/readme.sql
RESET search_path;
RESET client_min_messages;
DROP SCHEMA readme CASCADE;
