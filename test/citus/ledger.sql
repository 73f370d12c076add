-- What the receivables ledger does with Citus's tables (test/citus/run.sh),
-- on the coordinator.  A distributed, reference or Citus local table keeps
-- its rows in shards, where the ledger's trigger would book into each
-- node's own ledger: attach and attach_payments refuse them, with SQLSTATE
-- 0A000 and a hint, and leave nothing behind.  A table of the coordinator
-- that Citus does not manage is attached and booked as on any server, and
-- Citus then refuses to distribute it while the ledger's trigger is on
-- it.  Each check is marked "-- check:" (run.sh counts them) and prints
-- one line "ok - ..." or "not ok - ...".
\set ON_ERROR_STOP on
\pset format unaligned
\pset tuples_only on
SET citus.shard_count = 4;

CREATE TABLE billing_distributed (invoice_no bigint PRIMARY KEY, customer_id text NOT NULL,
    total numeric(12,2) NOT NULL, currency char(3) NOT NULL, invoice_date date NOT NULL,
    due_date date NOT NULL);
CREATE TABLE billing_reference (LIKE billing_distributed INCLUDING ALL);
CREATE TABLE billing_citus_local (LIKE billing_distributed INCLUDING ALL);
CREATE TABLE payments_distributed (invoice_no bigint NOT NULL, paid numeric(12,2) NOT NULL,
    paid_on date NOT NULL);
SELECT create_distributed_table('billing_distributed', 'invoice_no') \g /dev/null
SELECT create_reference_table('billing_reference') \g /dev/null
SELECT citus_add_local_table_to_metadata('billing_citus_local') \g /dev/null
SELECT create_distributed_table('payments_distributed', 'invoice_no') \g /dev/null
INSERT INTO billing_distributed VALUES (1, 'acme', 100.00, 'EUR', '2026-05-01', '2026-05-31');

-- (the helpers are this session's: Citus is not to copy them to the
-- workers)
SET citus.enable_ddl_propagation = off;

-- 'ok - what' when query fails with sqlstate and a message and hint
-- matching the patterns, else 'not ok - what' and what happened.
CREATE FUNCTION pg_temp.refused(what text, query text, sqlstate text, message text, hint text)
RETURNS text LANGUAGE plpgsql AS $fn$
DECLARE
    got_state text;
    got_message text;
    got_hint text;
BEGIN
    BEGIN
        EXECUTE query;
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS got_state = RETURNED_SQLSTATE, got_message = MESSAGE_TEXT,
                                got_hint = PG_EXCEPTION_HINT;
    END;
    IF got_state = sqlstate AND got_message ~ message AND got_hint ~ hint THEN
        RETURN format('ok - %s (%s: %s)', what, got_state, got_message);
    END IF;
    RETURN format(E'not ok - %s\n#   got %s: %s\n#   hint: %s', what,
                  coalesce(got_state, 'no error'), got_message, got_hint);
END
$fn$;

CREATE FUNCTION pg_temp.ok(what text, passed boolean, detail text DEFAULT '') RETURNS text
LANGUAGE sql AS $fn$
    SELECT CASE WHEN passed THEN 'ok - ' || what
                ELSE 'not ok - ' || what || E'\n#   ' || detail END;
$fn$;

RESET citus.enable_ddl_propagation;

\set mapping 'key => ''invoice_no'', customer => ''customer_id'', amount => ''total'', due_on => ''due_date'', issued_on => ''invoice_date'', currency => ''currency'''

-- check: a distributed billing table is refused
SELECT pg_temp.refused('attach refuses a Citus distributed table, with a hint',
    format('SELECT arcollect.attach(%L, %s)', 'billing_distributed', :'mapping'),
    '0A000', 'billing_distributed is a Citus distributed table', 'undistribute_table');
-- check: a reference table is refused
SELECT pg_temp.refused('attach refuses a Citus reference table',
    format('SELECT arcollect.attach(%L, %s)', 'billing_reference', :'mapping'),
    '0A000', 'billing_reference is a Citus reference table', 'undistribute_table');
-- check: a Citus local table is refused
SELECT pg_temp.refused('attach refuses a table added to Citus''s metadata (a Citus local table)',
    format('SELECT arcollect.attach(%L, %s)', 'billing_citus_local', :'mapping'),
    '0A000', 'billing_citus_local is a Citus local table', 'undistribute_table');
-- check: a distributed payments table is refused
SELECT pg_temp.refused('attach_payments refuses a Citus distributed table',
    $q$SELECT arcollect.attach_payments('payments_distributed', invoice_key => 'invoice_no',
                                         amount => 'paid', paid_on => 'paid_on')$q$,
    '0A000', 'payments_distributed is a Citus distributed table', 'undistribute_table');
-- check: nothing is left behind
SELECT pg_temp.ok('the refused tables have no attachment, trigger or booked invoice',
    NOT EXISTS (SELECT FROM arcollect.attachment)
    AND NOT EXISTS (SELECT FROM pg_catalog.pg_trigger t
                     WHERE t.tgrelid IN ('billing_distributed'::regclass, 'billing_reference'::regclass,
                                         'billing_citus_local'::regclass, 'payments_distributed'::regclass)
                       AND NOT t.tgisinternal)
    AND NOT EXISTS (SELECT FROM arcollect.invoice));

-- A billing table of the coordinator that Citus does not manage.
CREATE TABLE billing_local (LIKE billing_distributed INCLUDING ALL,
    amount_paid numeric(12,2) NOT NULL DEFAULT 0, last_paid_on date);
INSERT INTO billing_local VALUES
    (1, 'acme', 1000.00, 'EUR', '2026-05-01', '2026-05-31', 0, NULL),
    (2, 'acme', 250.00, 'EUR', '2026-06-10', '2026-07-10', 100.00, '2026-06-20');
-- check: a local table is attached
SELECT pg_temp.ok('attach books a billing table of the coordinator that Citus does not manage',
    arcollect.attach('billing_local', key => 'invoice_no', customer => 'customer_id', amount => 'total',
                     paid => 'amount_paid', paid_on => 'last_paid_on', due_on => 'due_date',
                     issued_on => 'invoice_date', currency => 'currency') = 2);
INSERT INTO billing_local VALUES (3, 'cask', 640.00, 'GBP', '2026-05-15', '2026-06-14', 0);
UPDATE billing_local SET amount_paid = 400.00, last_paid_on = current_date WHERE invoice_no = 1;
-- check: its writes are booked
SELECT pg_temp.ok('writes to it are booked: reconcile finds nothing, the aging ties out',
    NOT EXISTS (SELECT FROM arcollect.reconcile('billing_local'))
    AND (SELECT string_agg(currency || ' ' || a::text, ', ' ORDER BY currency)
           FROM (SELECT currency, arcollect.aging(due_on, open_amount, current_date) AS a
                   FROM arcollect.open_items(current_date) GROUP BY currency) s) IS NOT NULL
    AND (SELECT sum(open_amount) FROM arcollect.open_items(current_date)) = 600.00 + 150.00 + 640.00,
    format('reconcile: %s', (SELECT string_agg(r::text, '; ') FROM arcollect.reconcile('billing_local') r)));
-- check: Citus will not distribute it while it is attached
SELECT pg_temp.refused('create_distributed_table refuses the attached table, which has the ledger''s trigger',
    $q$SELECT create_distributed_table('billing_local', 'invoice_no')$q$,
    'XX000', 'because it has triggers', 'dropping all the triggers');
-- check: still booked after that
SELECT pg_temp.ok('after the refusal the table is still local and attached, and reconcile finds nothing',
    NOT EXISTS (SELECT FROM pg_catalog.pg_dist_partition WHERE logicalrelid = 'billing_local'::regclass)
    AND EXISTS (SELECT FROM arcollect.attachment WHERE billing_table = 'billing_local'::regclass)
    AND NOT EXISTS (SELECT FROM arcollect.reconcile('billing_local')));
