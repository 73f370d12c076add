-- Backup registration, privileges, search_path and comments of the
-- receivables ledger.
BEGIN;
SELECT plan(16);

SET LOCAL client_min_messages = warning;

-- Every ledger table and sequence is dumped with the data (pg_dump keeps
-- extension config tables only when registered).
SELECT set_eq(
    $$SELECT c.oid::regclass::text FROM pg_extension e, unnest(e.extconfig) c(oid)
       WHERE e.extname = 'arcollect'
         AND c.oid::regclass::text IN ('arcollect.attachment', 'arcollect.invoice', 'arcollect.entry',
                                       'arcollect.quarantine', 'arcollect.customer',
                                       'arcollect.attachment_attachment_id_seq',
                                       'arcollect.entry_entry_id_seq',
                                       'arcollect.quarantine_quarantine_id_seq')$$,
    ARRAY['arcollect.attachment', 'arcollect.invoice', 'arcollect.entry', 'arcollect.quarantine',
          'arcollect.customer', 'arcollect.attachment_attachment_id_seq',
          'arcollect.entry_entry_id_seq', 'arcollect.quarantine_quarantine_id_seq'],
    'ledger tables and sequences are registered with pg_extension_config_dump');

-- PUBLIC has no access to ledger data.
SELECT is((SELECT count(*) FROM pg_class c
            WHERE c.relnamespace = 'arcollect'::regnamespace AND c.relkind IN ('r', 'v', 'S')
              AND c.relname IN ('attachment', 'invoice', 'entry', 'quarantine', 'customer',
                                'quarantined_rows', 'ledger_entries')
              AND EXISTS (SELECT FROM aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) a
                           WHERE a.grantee = 0)),
          0::bigint, 'PUBLIC has no privilege on any ledger table or view');

-- Every SECURITY DEFINER function pins search_path.
SELECT is((SELECT count(*) FROM pg_proc p
            WHERE p.pronamespace = 'arcollect'::regnamespace AND p.prosecdef
              AND NOT EXISTS (SELECT FROM unnest(p.proconfig) s WHERE s LIKE 'search_path=%')),
          0::bigint, 'every SECURITY DEFINER function pins search_path');

-- Every ledger table and view, and each of their columns, has a comment.
SELECT is((SELECT count(*) FROM pg_class c
            WHERE c.relnamespace = 'arcollect'::regnamespace AND c.relkind IN ('r', 'v')
              AND c.relname IN ('attachment', 'invoice', 'entry', 'quarantine', 'customer',
                                'quarantined_rows', 'ledger_entries')
              AND obj_description(c.oid, 'pg_class') IS NULL),
          0::bigint, 'every ledger table and view has a comment');
SELECT is((SELECT string_agg(c.relname || '.' || a.attname, ', ') FROM pg_class c
             JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            WHERE c.relnamespace = 'arcollect'::regnamespace
              AND c.relname IN ('attachment', 'invoice', 'entry', 'quarantine', 'customer',
                                'quarantined_rows', 'ledger_entries')
              AND col_description(c.oid, a.attnum) IS NULL),
          NULL, 'every column of the ledger tables and views has a comment');

-- A role with rights on the billing table only: its writes are booked
-- (the trigger needs no privilege on arcollect), but it cannot read or
-- change the ledger, nor attach tables.  (test/ledger_privileges.sql
-- tries the roles doc/ledger.md recommends.)
CREATE ROLE ledger_clerk NOLOGIN;
CREATE TABLE sec_bill (id int PRIMARY KEY, cust text NOT NULL, amount numeric, issued date, due date);
GRANT SELECT, INSERT, UPDATE, DELETE ON sec_bill TO ledger_clerk;
GRANT USAGE ON SCHEMA arcollect TO ledger_clerk;
SELECT arcollect.attach('sec_bill', key => 'id', customer => 'cust', amount => 'amount',
                        due_on => 'due', issued_on => 'issued', default_currency => 'EUR');

SET LOCAL ROLE ledger_clerk;
SELECT lives_ok($$INSERT INTO sec_bill VALUES (1, 'c', 10, '2025-01-01', '2025-01-31')$$,
                'a role without ledger privileges writes the billing table');
SELECT lives_ok($$UPDATE sec_bill SET amount = 12 WHERE id = 1$$, 'and updates it');
SELECT throws_ok($$SELECT * FROM arcollect.invoice$$, '42501', NULL, 'but cannot read the ledger');
SELECT throws_ok($$DELETE FROM arcollect.entry$$, '42501', NULL, 'nor change its history');
SELECT throws_ok($$SELECT * FROM arcollect.customer$$, '42501', NULL, 'nor read customers');
SELECT throws_ok($$SELECT arcollect._attach_register('ledger_clerk', NULL::arcollect.attachment)$$, '42501', NULL,
                 'nor call the attach helper');
SELECT throws_ok($$SELECT arcollect.attach('sec_bill', key => 'id', customer => 'cust', amount => 'amount',
                                           due_on => 'due', issued_on => 'issued', default_currency => 'EUR')$$,
                 '42501', NULL, 'nor attach tables (an administrator''s job)');
RESET ROLE;
SELECT is((SELECT open_amount FROM arcollect.invoice WHERE invoice_key = '1'
             AND attachment_id = (SELECT attachment_id FROM arcollect.attachment
                                   WHERE billing_table = 'sec_bill'::regclass)),
          12::numeric, 'the clerk''s writes are in the ledger');

-- Nothing depends on the caller's search_path: the trigger, reconcile
-- and open_items run with an empty one (pgTAP itself needs public, so the
-- results are collected first and checked after).
SET LOCAL search_path = '';
INSERT INTO public.sec_bill VALUES (2, 'c', 5, '2025-02-01', '2025-02-28');
CREATE TEMP TABLE empty_path_result AS
SELECT (SELECT count(*) FROM arcollect.reconcile('public.sec_bill')) AS problems,
       (SELECT sum(open_amount) FROM arcollect.open_items('2025-03-01')
         WHERE billing_table = 'public.sec_bill'::regclass) AS open_total,
       (SELECT count(*) FROM arcollect.invoice i JOIN arcollect.attachment a USING (attachment_id)
         WHERE a.billing_table = 'public.sec_bill'::regclass) AS invoices;
RESET search_path;
SELECT is(invoices, 2::bigint, 'the trigger works with an empty search_path') FROM empty_path_result;
SELECT is(problems, 0::bigint, 'reconcile works with an empty search_path') FROM empty_path_result;
SELECT is(open_total, 17::numeric, 'open_items works with an empty search_path') FROM empty_path_result;

SELECT * FROM finish();
ROLLBACK;
