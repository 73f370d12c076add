-- Runs as role arcollect_suite with an empty search_path (README, Tests).
-- Backup registration, privileges, search_path and comments of the
-- receivables ledger.
BEGIN;
SELECT tap.plan(21);

SET LOCAL client_min_messages = warning;

-- Every ledger table and sequence is dumped with the data (pg_dump keeps
-- extension config tables only when registered).
SELECT tap.set_eq(
    $$SELECT c.oid::regclass::text FROM pg_extension e, unnest(e.extconfig) c(oid)
       WHERE e.extname = 'arcollect'
         AND c.oid::regclass::text IN ('arcollect.attachment', 'arcollect.invoice', 'arcollect.entry',
                                       'arcollect.quarantine', 'arcollect.customer_setting',
                                       'arcollect.attachment_attachment_id_seq',
                                       'arcollect.entry_entry_id_seq',
                                       'arcollect.quarantine_quarantine_id_seq')$$,
    ARRAY['arcollect.attachment', 'arcollect.invoice', 'arcollect.entry', 'arcollect.quarantine',
          'arcollect.customer_setting', 'arcollect.attachment_attachment_id_seq',
          'arcollect.entry_entry_id_seq', 'arcollect.quarantine_quarantine_id_seq'],
    'ledger tables and sequences are registered with pg_extension_config_dump');

-- PUBLIC has no access to ledger data.
SELECT tap.is((SELECT count(*) FROM pg_class c
            WHERE c.relnamespace = 'arcollect'::regnamespace AND c.relkind IN ('r', 'v', 'S')
              AND c.relname IN ('attachment', 'invoice', 'entry', 'quarantine', 'customer',
                                'customer_setting', 'quarantined_rows', 'ledger_entries')
              AND EXISTS (SELECT FROM aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) a
                           WHERE a.grantee = 0)),
          0::bigint, 'PUBLIC has no privilege on any ledger table or view');

-- Every SECURITY DEFINER function pins search_path.
SELECT tap.is((SELECT count(*) FROM pg_proc p
            WHERE p.pronamespace = 'arcollect'::regnamespace AND p.prosecdef
              AND NOT EXISTS (SELECT FROM unnest(p.proconfig) s WHERE s LIKE 'search_path=%')),
          0::bigint, 'every SECURITY DEFINER function pins search_path');

-- Every ledger table and view, and each of their columns, has a comment.
SELECT tap.is((SELECT count(*) FROM pg_class c
            WHERE c.relnamespace = 'arcollect'::regnamespace AND c.relkind IN ('r', 'v')
              AND c.relname IN ('attachment', 'invoice', 'entry', 'quarantine', 'customer',
                                'customer_setting', 'quarantined_rows', 'ledger_entries')
              AND obj_description(c.oid, 'pg_class') IS NULL),
          0::bigint, 'every ledger table and view has a comment');
SELECT tap.is((SELECT string_agg(c.relname || '.' || a.attname, ', ') FROM pg_class c
             JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            WHERE c.relnamespace = 'arcollect'::regnamespace
              AND c.relname IN ('attachment', 'invoice', 'entry', 'quarantine', 'customer',
                                'customer_setting', 'quarantined_rows', 'ledger_entries')
              AND col_description(c.oid, a.attnum) IS NULL),
          NULL, 'every column of the ledger tables and views has a comment');

-- A role with rights on the billing table only: its writes are booked
-- (the trigger needs no privilege on arcollect), but it cannot read or
-- change the ledger, nor attach tables.  (test/ledger_privileges.sql
-- tries the roles doc/ledger.md recommends.)
-- Creating a role, and granting it USAGE on schema arcollect (which the
-- suite's role holds without grant option), is a superuser's job.
SET ROLE NONE;
CREATE ROLE ledger_clerk NOLOGIN;
GRANT USAGE ON SCHEMA arcollect TO ledger_clerk;
RESET ROLE;
CREATE TABLE billing.sec_bill (id int PRIMARY KEY, cust text NOT NULL, amount numeric, issued date, due date);
GRANT USAGE ON SCHEMA billing TO ledger_clerk;
GRANT SELECT, INSERT, UPDATE, DELETE ON billing.sec_bill TO ledger_clerk;
SELECT arcollect.attach('billing.sec_bill', key => 'id', customer => 'cust', amount => 'amount',
                        due_on => 'due', issued_on => 'issued', default_currency => 'EUR');

SET LOCAL ROLE ledger_clerk;
SELECT tap.lives_ok($$INSERT INTO billing.sec_bill VALUES (1, 'c', 10, '2025-01-01', '2025-01-31')$$,
                'a role without ledger privileges writes the billing table');
SELECT tap.lives_ok($$UPDATE billing.sec_bill SET amount = 12 WHERE id = 1$$, 'and updates it');
SELECT tap.throws_ok($$SELECT * FROM arcollect.invoice$$, '42501', NULL, 'but cannot read the ledger');
SELECT tap.throws_ok($$DELETE FROM arcollect.entry$$, '42501', NULL, 'nor change its history');
SELECT tap.throws_ok($$SELECT * FROM arcollect.customer$$, '42501', NULL, 'nor read customers');
SELECT tap.throws_ok($$SELECT arcollect._attach_register('ledger_clerk', NULL::arcollect.attachment)$$, '42501', NULL,
                 'nor call the attach helper');
SELECT tap.throws_ok($$SELECT arcollect.attach('billing.sec_bill', key => 'id', customer => 'cust', amount => 'amount',
                                           due_on => 'due', issued_on => 'issued', default_currency => 'EUR')$$,
                 '42501', NULL, 'nor attach tables (an administrator''s job)');
RESET ROLE;

-- arcollect.customer reads the invoices with its owner's rights: it shows
-- what they tell only to a role that could read them itself.  Given
-- SELECT on the view alone, the clerk sees the customers' settings, not
-- the billed customers nor what their invoices say.
SET ROLE NONE;
GRANT SELECT, UPDATE ON arcollect.customer TO ledger_clerk;
RESET ROLE;
SET LOCAL ROLE ledger_clerk;
SELECT tap.is((SELECT count(*) FROM arcollect.customer WHERE customer_id = 'c'), 0::bigint,
              'a role that may not read the invoices does not see the customers they name');
SELECT tap.lives_ok($$UPDATE arcollect.customer SET segment = 'smb' WHERE customer_id = 'c'$$,
                    'it may update the view');
RESET ROLE;
UPDATE arcollect.customer SET segment = 'smb', owner = 'olga' WHERE customer_id = 'c';
SET LOCAL ROLE ledger_clerk;
SELECT tap.is((SELECT row(customer_id, owner, segment, first_seen_attachment_id)::text
                 FROM arcollect.customer WHERE customer_id = 'c'),
              '(c,olga,smb,)', 'it sees the settings of a customer, without what its invoices say');
RESET ROLE;
SELECT tap.is((SELECT first_seen_attachment_id FROM arcollect.customer WHERE customer_id = 'c'),
              (SELECT attachment_id FROM arcollect.attachment WHERE billing_table = 'billing.sec_bill'::regclass),
              'a role that may read the invoices sees what they say');
SELECT tap.is((SELECT open_amount FROM arcollect._open_amount WHERE invoice_key = '1'
             AND attachment_id = (SELECT attachment_id FROM arcollect.attachment
                                   WHERE billing_table = 'billing.sec_bill'::regclass)),
          12::numeric, 'the clerk''s writes are in the ledger');

-- Nothing depends on the caller's search_path: the trigger, reconcile
-- and open_items run with the session's empty one (the whole file does;
-- the queries below are evaluated in the session, not inside pgTAP).
SELECT tap.is(pg_catalog.current_setting('search_path'), '', 'the session''s search_path is empty');
INSERT INTO billing.sec_bill VALUES (2, 'c', 5, '2025-02-01', '2025-02-28');
SELECT tap.is((SELECT count(*) FROM arcollect.invoice i JOIN arcollect.attachment a USING (attachment_id)
                WHERE a.billing_table = 'billing.sec_bill'::regclass),
              2::bigint, 'the trigger works with an empty search_path');
SELECT tap.is((SELECT count(*) FROM arcollect.reconcile('billing.sec_bill')),
              0::bigint, 'reconcile works with an empty search_path');
SELECT tap.is((SELECT sum(open_amount) FROM arcollect.open_items('2025-03-01')
                WHERE billing_table = 'billing.sec_bill'::regclass),
              17::numeric, 'open_items works with an empty search_path');

SELECT * FROM tap.finish();
ROLLBACK;
