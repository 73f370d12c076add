-- Runs as role arcollect_suite with an empty search_path (README, Tests).
-- No role reads through arcollect what it could not read directly.  The
-- roles doc/ledger.md recommends (bi_reader, collector, ar_admin) are
-- created with the grants it gives (doc/ledger_roles.sql), and ar_admin
-- attacks tables other roles own: it re-maps a table someone else
-- attached onto its secret columns, pays another owner's invoices from a
-- table of its own, calls arcollect's internal helpers directly, attaches
-- a table whose rows row-level security hides from it, and reads
-- quarantine for columns it was never given.  Each attack must fail and
-- leave the ledger as it was; what a role may do (attach a table it owns,
-- or one it has SELECT and TRIGGER on, or only SELECT on the mapped
-- columns of) must work.
BEGIN;
SELECT tap.plan(59);

SET LOCAL client_min_messages = warning;

-- Creating roles, and granting them privileges on arcollect (which the
-- suite's role holds without grant option), is a superuser's job.
SET ROLE NONE;
CREATE ROLE bi_reader NOLOGIN;
CREATE ROLE collector NOLOGIN;
CREATE ROLE ar_admin NOLOGIN;
\ir ../doc/ledger_roles.sql
-- owns another department's billing data; not one of arcollect's roles
CREATE ROLE billing_owner NOLOGIN;
-- The suite's role is the DBA of this file: it hands tables to
-- billing_owner and ar_admin (ALTER TABLE ... OWNER TO needs membership
-- in the new owner) and writes billing_owner's tables.
GRANT billing_owner, ar_admin TO arcollect_suite;
RESET ROLE;
-- The roles reach the tables in schema billing (as they would in public);
-- a new owner needs CREATE on the table's schema.
GRANT USAGE ON SCHEMA billing TO bi_reader, collector;
GRANT USAGE, CREATE ON SCHEMA billing TO billing_owner, ar_admin;

-- The victim: a billing table with secrets next to the invoice columns,
-- attached by the DBA.  Invoice 2 has no due date (quarantined).
CREATE TABLE billing.hr_bill (id int PRIMARY KEY, cust text NOT NULL, amount numeric, issued date, due date,
                      card_number text, ssn text);
ALTER TABLE billing.hr_bill OWNER TO billing_owner;
INSERT INTO billing.hr_bill VALUES (1, 'c1', 100, '2025-01-01', '2025-01-31', '4111-1111-1111-1111', '078-05-1120'),
                           (2, 'c2', 50, '2025-01-01', NULL, '5500-0000-0000-0004', '219-09-9999');
SELECT arcollect.attach('billing.hr_bill', key => 'id', customer => 'cust', amount => 'amount',
                        due_on => 'due', issued_on => 'issued', default_currency => 'EUR') AS booked \gset

-- ar_admin's own payments table.
CREATE TABLE billing.admin_pay (id serial PRIMARY KEY, inv int, amt numeric, paid date, memo text);
ALTER TABLE billing.admin_pay OWNER TO ar_admin;
INSERT INTO billing.admin_pay (inv, amt, paid, memo) VALUES (1, 100, '2025-01-15', 'zeroes invoice 1');

-- Reads a row's secrets out of the ledger: how many ledger and quarantine
-- rows carry any of the values of hr_bill's secret columns.
CREATE FUNCTION pg_temp.leaked_secrets() RETURNS bigint LANGUAGE sql AS $$
    SELECT (SELECT count(*) FROM arcollect.invoice i
             WHERE i.customer_id ~ '^[0-9]{3}-|^[0-9]{4}-' OR i.owner ~ '^[0-9]{3}-')
         + (SELECT count(*) FROM arcollect.quarantine q
             WHERE q.row_data::text ~ '4111-|5500-|078-05|219-09')
$$;

SELECT tap.is(pg_temp.leaked_secrets(), 0::bigint, 'the ledger holds none of hr_bill''s secrets after the DBA attached it');

------------------------------------------------------------------------
-- 1. Re-mapping a table someone else attached.
SET LOCAL ROLE ar_admin;
SELECT tap.throws_ok($$SELECT card_number FROM billing.hr_bill$$, '42501', NULL,
                 'ar_admin cannot read billing.hr_bill directly');
SELECT tap.throws_ok($$SELECT arcollect.attach('billing.hr_bill', key => 'id', customer => 'card_number', amount => 'amount',
                                           due_on => 'due', issued_on => 'issued', owner => 'ssn',
                                           default_currency => 'EUR')$$,
                 '42501', NULL, 'ar_admin cannot attach billing.hr_bill again with its secret columns mapped');
-- The audit's attack: the attachment row re-mapped by hand, handed to
-- whatever registers attachments.
DO $$
DECLARE
    a arcollect.attachment;
BEGIN
    SELECT * INTO a FROM arcollect.attachment t WHERE t.billing_table = 'billing.hr_bill'::regclass;
    a.customer_column := 'card_number';
    a.owner_column := 'ssn';
    a.due_on_column := 'issued';
    BEGIN
        PERFORM arcollect._attach_register(a);              -- 0.1.0's helper
    EXCEPTION WHEN OTHERS THEN
        NULL;
    END;
    BEGIN
        PERFORM arcollect._attach_register('billing_owner', a);  -- naming the owner as the caller
    EXCEPTION WHEN OTHERS THEN
        NULL;
    END;
END
$$;
SELECT tap.is(pg_temp.leaked_secrets(), 0::bigint,
          'handing a re-mapped attachment row to the registration helper leaks nothing');
SELECT tap.throws_ok($$SELECT arcollect.detach('billing.hr_bill')$$, '42501', NULL,
                 'ar_admin cannot detach a table it has no rights on');
SELECT tap.throws_ok($$SELECT * FROM arcollect.reconcile('billing.hr_bill')$$, '42501', NULL,
                 'nor reconcile it: reconcile reads the table with the caller''s rights');
RESET ROLE;
SELECT tap.is((SELECT customer_column::text || ',' || coalesce(owner_column::text, '-') FROM arcollect.attachment
            WHERE billing_table = 'billing.hr_bill'::regclass),
          'cust,-', 'hr_bill''s mapping is the DBA''s');
-- arcollect's internal helpers are for the extension's owner only.
SET ROLE NONE;
SELECT tap.is(arcollect._trigger_count('billing.hr_bill'), 4, 'hr_bill keeps its triggers');
RESET ROLE;

------------------------------------------------------------------------
-- 2. Paying another owner's invoices from one's own table.
SET LOCAL ROLE ar_admin;
SELECT tap.throws_ok($$SELECT arcollect.attach_payments('billing.admin_pay', invoice_key => 'inv', amount => 'amt',
                                                    paid_on => 'paid')$$,
                 '42501', NULL, 'ar_admin cannot attach payments to the only billing table, someone else''s');
SELECT tap.throws_ok($$SELECT arcollect.attach_payments('billing.admin_pay', invoice_key => 'inv', amount => 'amt',
                                                    paid_on => 'paid', invoices => 'billing.hr_bill')$$,
                 '42501', NULL, 'nor name someone else''s billing table as its invoices');
RESET ROLE;
SELECT tap.is((SELECT open_amount FROM arcollect._open_amount oa JOIN arcollect.attachment a USING (attachment_id)
            WHERE a.billing_table = 'billing.hr_bill'::regclass AND oa.invoice_key = '1'),
          100::numeric, 'invoice 1 of hr_bill is still open');
SELECT tap.is((SELECT count(*) FROM arcollect.attachment WHERE billing_table = 'billing.admin_pay'::regclass),
          0::bigint, 'admin_pay is not attached');
SELECT tap.is((SELECT count(*) FROM arcollect.reconcile('billing.hr_bill')), 0::bigint, 'hr_bill reconciles');

------------------------------------------------------------------------
-- 3. Internal helpers: none is executable by the documented roles, and
-- calling each one directly is refused.
SELECT tap.is((SELECT string_agg(r.rolname || ': ' || p.oid::regprocedure::text, '; ' ORDER BY 1)
             FROM pg_proc p CROSS JOIN pg_roles r
            WHERE p.pronamespace = 'arcollect'::regnamespace AND p.proname LIKE '\_%'
              AND r.rolname IN ('bi_reader', 'collector', 'ar_admin')
              AND has_function_privilege(r.oid, p.oid, 'EXECUTE')),
          NULL, 'no internal helper (arcollect._*) is executable by bi_reader, collector or ar_admin');

-- Calls every internal helper that can be called (trigger functions
-- cannot) with NULL arguments; returns those that did not fail with
-- insufficient_privilege, and how.
CREATE FUNCTION pg_temp.callable_helpers() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    f record;
    bad text[] := '{}';
BEGIN
    FOR f IN SELECT p.oid::regprocedure AS sig, p.proname,
                    (SELECT string_agg(format('NULL::%s', format_type(t, NULL)), ', ' ORDER BY i)
                       FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY u(t, i)) AS args
               FROM pg_proc p
              WHERE p.pronamespace = 'arcollect'::regnamespace AND p.proname LIKE '\_%'
                AND p.prorettype NOT IN ('trigger'::regtype, 'event_trigger'::regtype)
              ORDER BY 1
    LOOP
        BEGIN
            EXECUTE format('SELECT arcollect.%I(%s)', f.proname, coalesce(f.args, ''));
            bad := bad || (f.sig::text || ' ran');
        EXCEPTION
            WHEN insufficient_privilege THEN NULL;
            WHEN OTHERS THEN bad := bad || (f.sig::text || ': ' || SQLSTATE);
        END;
    END LOOP;
    RETURN nullif(array_to_string(bad, '; '), '');
END
$$;
SET LOCAL ROLE ar_admin;
SELECT tap.is(pg_temp.callable_helpers(), NULL, 'ar_admin calling any internal helper directly gets permission denied');
SET LOCAL ROLE collector;
SELECT tap.is(pg_temp.callable_helpers(), NULL, 'so does collector');
SET LOCAL ROLE bi_reader;
SELECT tap.is(pg_temp.callable_helpers(), NULL, 'and bi_reader');
RESET ROLE;
SELECT tap.ok((SELECT count(*) FROM pg_proc p WHERE p.pronamespace = 'arcollect'::regnamespace
              AND p.proname LIKE '\_%') >= 10, 'there are internal helpers to test');

------------------------------------------------------------------------
-- 4. Row-level security: rows a policy hides from the caller are not
-- imported on its behalf.
CREATE TABLE billing.rls_bill (id int PRIMARY KEY, cust text NOT NULL, amount numeric, issued date, due date);
ALTER TABLE billing.rls_bill OWNER TO billing_owner;
INSERT INTO billing.rls_bill VALUES (1, 'visible', 10, '2025-01-01', '2025-01-31'),
                            (2, 'hidden', 20, '2025-01-01', '2025-01-31'),
                            (3, 'hidden', 30, '2025-01-01', NULL);
ALTER TABLE billing.rls_bill ENABLE ROW LEVEL SECURITY;
CREATE POLICY only_visible ON billing.rls_bill USING (cust = 'visible');
GRANT SELECT, TRIGGER ON billing.rls_bill TO ar_admin;
SET LOCAL ROLE ar_admin;
SELECT tap.is((SELECT count(*) FROM billing.rls_bill), 1::bigint, 'ar_admin sees one row of billing.rls_bill');
SELECT tap.throws_like($$SELECT arcollect.attach('billing.rls_bill', key => 'id', customer => 'cust', amount => 'amount',
                                             due_on => 'due', issued_on => 'issued', default_currency => 'EUR')$$,
                   '%row-level security%', 'ar_admin cannot attach a table whose policies hide rows from it');
SELECT tap.is((SELECT count(*) FROM arcollect.invoice WHERE customer_id = 'hidden')
          + (SELECT count(*) FROM arcollect.quarantine WHERE row_data::text LIKE '%hidden%'),
          0::bigint, 'and the hidden rows are neither in the ledger nor in quarantine');
RESET ROLE;
-- arcollect's internal helpers are for the extension's owner only.
SET ROLE NONE;
SELECT tap.is(arcollect._trigger_count('billing.rls_bill'), 0, 'rls_bill got no triggers');
RESET ROLE;
-- The owner sees every row (the policy does not apply to it) and may
-- attach; with FORCE ROW LEVEL SECURITY it does not, and may not.
ALTER TABLE billing.rls_bill OWNER TO ar_admin;
ALTER TABLE billing.rls_bill FORCE ROW LEVEL SECURITY;
SET LOCAL ROLE ar_admin;
SELECT tap.throws_ok($$SELECT arcollect.attach('billing.rls_bill', key => 'id', customer => 'cust', amount => 'amount',
                                           due_on => 'due', issued_on => 'issued', default_currency => 'EUR')$$,
                 '42501', NULL, 'nor can its owner under FORCE ROW LEVEL SECURITY');
RESET ROLE;
ALTER TABLE billing.rls_bill NO FORCE ROW LEVEL SECURITY;
SET LOCAL ROLE ar_admin;
SELECT tap.is(arcollect.attach('billing.rls_bill', key => 'id', customer => 'cust', amount => 'amount',
                           due_on => 'due', issued_on => 'issued', default_currency => 'EUR'),
          2::bigint, 'its owner attaches it: two rows booked, one quarantined');
RESET ROLE;

------------------------------------------------------------------------
-- 5. Quarantine keeps the mapped columns only, on every path: the
-- import at attach, the trigger's statements, payments tables.
SELECT tap.is((SELECT row_data FROM arcollect.quarantine q JOIN arcollect.attachment a USING (attachment_id)
            WHERE a.billing_table = 'billing.hr_bill'::regclass AND q.invoice_key = '2'),
          '{"id": "2", "cust": "c2", "due": null, "amount": "50", "issued": "2025-01-01"}'::jsonb,
          'a row quarantined at attach keeps its mapped columns only');
INSERT INTO billing.hr_bill VALUES (3, 'c3', -5, '2025-01-01', '2025-01-31', '4111-3333', '078-05-3333');
UPDATE billing.hr_bill SET due = '2024-12-01', card_number = '5500-1111' WHERE id = 1;
SELECT tap.is((SELECT jsonb_agg(q.row_data ORDER BY q.invoice_key) FROM arcollect.quarantine q
             JOIN arcollect.attachment a USING (attachment_id)
            WHERE a.billing_table = 'billing.hr_bill'::regclass AND q.invoice_key IN ('1', '3')),
          '[{"id": "1", "cust": "c1", "due": "2024-12-01", "amount": "100", "issued": "2025-01-01"},
            {"id": "3", "cust": "c3", "due": "2025-01-31", "amount": "-5", "issued": "2025-01-01"}]'::jsonb,
          'so do rows quarantined by an INSERT and an UPDATE');
TRUNCATE billing.hr_bill;
INSERT INTO billing.hr_bill SELECT 4, 'c4', 10, '2025-01-01', NULL, '4111-4444', '078-05-4444';
SELECT tap.is(pg_temp.leaked_secrets(), 0::bigint, 'no secret column reached the ledger or quarantine');

-- A payments table with an unmapped column, attached by its owner
-- against a billing table of its own.
CREATE TABLE billing.admin_bill (id int PRIMARY KEY, cust text NOT NULL, amount numeric, issued date, due date);
ALTER TABLE billing.admin_bill OWNER TO ar_admin;
INSERT INTO billing.admin_bill VALUES (1, 'a1', 100, '2025-01-01', '2025-01-31');
INSERT INTO billing.admin_pay (inv, amt, paid, memo) VALUES (1, 5, NULL, 'secret memo A'), (1, 5, NULL, 'secret memo B');
SET LOCAL ROLE ar_admin;
SELECT tap.is(arcollect.attach('billing.admin_bill', key => 'id', customer => 'cust', amount => 'amount',
                           due_on => 'due', issued_on => 'issued', default_currency => 'EUR'),
          1::bigint, 'ar_admin attaches a billing table it owns');
SELECT tap.is(arcollect.attach_payments('billing.admin_pay', invoice_key => 'inv', amount => 'amt', paid_on => 'paid',
                                    invoices => 'billing.admin_bill'),
          1::bigint, 'and its own payments table against it');
SELECT tap.is((SELECT array_agg(q.row_data ORDER BY q.quarantine_id) FROM arcollect.quarantine q
             JOIN arcollect.attachment a USING (attachment_id)
            WHERE a.billing_table = 'billing.admin_pay'::regclass),
          ARRAY['{"inv": "1", "amt": "5", "paid": null}', '{"inv": "1", "amt": "5", "paid": null}']::jsonb[],
          'a quarantined payment keeps its mapped columns only');
-- Two quarantined payments that differ in an unmapped column only: one
-- deleted, one left in quarantine.
DELETE FROM billing.admin_pay WHERE memo = 'secret memo A';
SELECT tap.is((SELECT count(*) FROM arcollect._quarantine_held q JOIN arcollect.attachment a USING (attachment_id)
            WHERE a.billing_table = 'billing.admin_pay'::regclass),
          1::bigint, 'deleting one of two such payments takes one out of quarantine');
SELECT tap.is((SELECT count(*) FROM arcollect.reconcile('billing.admin_pay')), 0::bigint, 'admin_pay reconciles');
UPDATE billing.admin_pay SET memo = 'changed' WHERE memo = 'secret memo B';
SELECT tap.is((SELECT count(*) FROM arcollect.reconcile('billing.admin_pay')), 0::bigint,
          'and still does after an update of the unmapped column');
DELETE FROM billing.admin_pay WHERE paid IS NULL;
SELECT tap.is((SELECT count(*) FROM arcollect._quarantine_held q JOIN arcollect.attachment a USING (attachment_id)
            WHERE a.billing_table = 'billing.admin_pay'::regclass),
          0::bigint, 'deleting the other empties quarantine');
SELECT tap.is((SELECT open_amount FROM arcollect._open_amount oa JOIN arcollect.attachment a USING (attachment_id)
            WHERE a.billing_table = 'billing.admin_bill'::regclass AND oa.invoice_key = '1'),
          0::numeric, 'its own payment paid its own invoice');
RESET ROLE;
SELECT tap.is((SELECT count(*) FROM arcollect.quarantine q JOIN arcollect.attachment a USING (attachment_id)
             CROSS JOIN LATERAL jsonb_object_keys(q.row_data) k
            WHERE k <> ALL (ARRAY[a.key_column, a.customer_column, a.amount_column, a.due_on_column,
                                  a.issued_on_column, a.currency_column, a.paid_column, a.open_column,
                                  a.owner_column, a.status_column, a.invoice_key_column, a.paid_on_column,
                                  a.kind_column]::text[])),
          0::bigint, 'no quarantined row holds a column its attachment does not map');

------------------------------------------------------------------------
-- 6. A role with SELECT and TRIGGER on a table it does not own attaches
-- it, attaches it again and detaches it.
CREATE TABLE billing.shared_bill (id int PRIMARY KEY, cust text NOT NULL, amount numeric, issued date, due date, cur text);
ALTER TABLE billing.shared_bill OWNER TO billing_owner;
INSERT INTO billing.shared_bill VALUES (1, 's1', 10, '2025-01-01', '2025-01-31', 'EUR');
GRANT SELECT, TRIGGER ON billing.shared_bill TO ar_admin;
SET LOCAL ROLE ar_admin;
SELECT tap.is(arcollect.attach('billing.shared_bill', key => 'id', customer => 'cust', amount => 'amount',
                           due_on => 'due', issued_on => 'issued', default_currency => 'EUR'),
          1::bigint, 'a role with SELECT and TRIGGER attaches a table it does not own');
SELECT tap.is(arcollect.attach('billing.shared_bill', key => 'id', customer => 'cust', amount => 'amount',
                           due_on => 'due', issued_on => 'issued', currency => 'cur'),
          1::bigint, 'and attaches it again with another mapping');
SELECT tap.is((SELECT count(*) FROM arcollect.reconcile('billing.shared_bill')), 0::bigint, 'and reconciles it');
SELECT tap.lives_ok($$SELECT arcollect.detach('billing.shared_bill')$$, 'and detaches it');
RESET ROLE;
-- arcollect's internal helpers are for the extension's owner only.
SET ROLE NONE;
SELECT tap.is(arcollect._trigger_count('billing.shared_bill'), 0, 'shared_bill has no triggers left');
RESET ROLE;
REVOKE TRIGGER ON billing.shared_bill FROM ar_admin;
SET LOCAL ROLE ar_admin;
SELECT tap.throws_ok($$SELECT arcollect.attach('billing.shared_bill', key => 'id', customer => 'cust', amount => 'amount',
                                           due_on => 'due', issued_on => 'issued', currency => 'cur')$$,
                 '42501', NULL, 'without TRIGGER it cannot attach it');
RESET ROLE;

------------------------------------------------------------------------
-- 7. Column privileges: SELECT on the mapped columns is enough, and a
-- column without it cannot be mapped.
CREATE TABLE billing.col_bill (id int PRIMARY KEY, cust text NOT NULL, amount numeric, issued date, due date,
                       ssn text);
ALTER TABLE billing.col_bill OWNER TO billing_owner;
INSERT INTO billing.col_bill VALUES (1, 'k1', 10, '2025-01-01', '2025-01-31', '078-05-7777'),
                            (2, 'k2', 10, '2025-01-01', NULL, '078-05-8888');
GRANT SELECT (id, cust, amount, issued, due), TRIGGER ON billing.col_bill TO ar_admin;
CREATE TABLE billing.col_pay (inv int, amt numeric, paid date, memo text);
ALTER TABLE billing.col_pay OWNER TO billing_owner;
INSERT INTO billing.col_pay VALUES (1, 4, '2025-01-10', 'private'), (1, 1, NULL, 'private');
GRANT SELECT (inv, amt, paid), TRIGGER ON billing.col_pay TO ar_admin;
SET LOCAL ROLE ar_admin;
SELECT tap.throws_ok($$SELECT arcollect.attach('billing.col_bill', key => 'id', customer => 'cust', amount => 'amount',
                                           due_on => 'due', issued_on => 'issued', owner => 'ssn',
                                           default_currency => 'EUR')$$,
                 '42501', NULL, 'a column the caller may not read cannot be mapped');
SELECT tap.is(arcollect.attach('billing.col_bill', key => 'id', customer => 'cust', amount => 'amount',
                           due_on => 'due', issued_on => 'issued', default_currency => 'EUR'),
          1::bigint, 'SELECT on the mapped columns and TRIGGER are enough to attach');
SELECT tap.is(arcollect.attach_payments('billing.col_pay', invoice_key => 'inv', amount => 'amt', paid_on => 'paid',
                                    invoices => 'billing.col_bill'),
          1::bigint, 'also for a payments table, against a billing table with such rights');
SELECT tap.is((SELECT count(*) FROM arcollect.reconcile('billing.col_bill')) + (SELECT count(*) FROM arcollect.reconcile('billing.col_pay')),
          0::bigint, 'both reconcile with column privileges only');
SELECT tap.is(pg_temp.leaked_secrets(), 0::bigint, 'and no secret reached the ledger');
SELECT tap.throws_ok($$SELECT arcollect.attach_payments('billing.col_pay', invoice_key => 'inv', amount => 'amt',
                                                    paid_on => 'paid', kind => 'memo', invoices => 'billing.col_bill')$$,
                 '42501', NULL, 'an unreadable payments column cannot be mapped either');
RESET ROLE;

------------------------------------------------------------------------
-- 8. DDL on an attached table is its owner's: ar_admin cannot slip a
-- table of its own in as a partition of someone else's attached table
-- (the event trigger would import its rows), nor create one.
CREATE TABLE billing.part_bill (id int PRIMARY KEY, cust text NOT NULL, amount numeric, issued date, due date)
    PARTITION BY RANGE (id);
CREATE TABLE billing.part_bill_1 PARTITION OF billing.part_bill FOR VALUES FROM (0) TO (100);
ALTER TABLE billing.part_bill OWNER TO billing_owner;
SELECT arcollect.attach('billing.part_bill', key => 'id', customer => 'cust', amount => 'amount',
                        due_on => 'due', issued_on => 'issued', default_currency => 'EUR') AS booked \gset
CREATE TABLE billing.admin_part (LIKE billing.part_bill);
ALTER TABLE billing.admin_part OWNER TO ar_admin;
INSERT INTO billing.admin_part VALUES (100, '4111-0000-0000-0000', 1, '2025-01-01', '2025-01-31');
SET LOCAL ROLE ar_admin;
SELECT tap.throws_ok($$ALTER TABLE billing.part_bill ATTACH PARTITION billing.admin_part FOR VALUES FROM (100) TO (200)$$,
                 '42501', NULL, 'ar_admin cannot attach a partition to someone else''s attached table');
SELECT tap.throws_ok($$CREATE TABLE billing.part_bill_2 PARTITION OF billing.part_bill FOR VALUES FROM (200) TO (300)$$,
                 '42501', NULL, 'nor create one');
RESET ROLE;
SELECT tap.is(pg_temp.leaked_secrets(), 0::bigint, 'so nothing of its own reached that ledger');

------------------------------------------------------------------------
-- 9. The registration re-validates the mapping it is given, whoever
-- calls it (here the extension owner, the only role that may: the
-- superuser, whose role this section takes).
SET ROLE NONE;
SELECT tap.throws_ok($$SELECT arcollect._attach_register('postgres',
                       (SELECT jsonb_populate_record(a, '{"key_column": "cust"}') FROM arcollect.attachment a
                         WHERE a.billing_table = 'billing.hr_bill'::regclass))$$,
                 '42P10', NULL, 'the registration refuses a key that is not unique');
SELECT tap.throws_ok($$SELECT arcollect._attach_register('postgres',
                       (SELECT jsonb_populate_record(a, '{"amount_column": "card_number"}') FROM arcollect.attachment a
                         WHERE a.billing_table = 'billing.hr_bill'::regclass))$$,
                 '42804', NULL, 'and a column of the wrong type');
SELECT tap.throws_ok($$SELECT arcollect._attach_register('postgres',
                       (SELECT jsonb_populate_record(a, '{"customer_column": "no_such_column"}') FROM arcollect.attachment a
                         WHERE a.billing_table = 'billing.hr_bill'::regclass))$$,
                 '42703', NULL, 'and a column that does not exist');
RESET ROLE;

------------------------------------------------------------------------
-- 10. The read-only roles: they read the ledger, never quarantine, and
-- attach nothing.
SET LOCAL ROLE bi_reader;
SELECT tap.lives_ok($$SELECT * FROM arcollect.invoice$$, 'bi_reader reads the ledger');
SELECT tap.throws_ok($$SELECT * FROM arcollect.quarantine$$, '42501', NULL, 'but not quarantine');
SELECT tap.throws_ok($$SELECT arcollect.attach('billing.admin_bill', key => 'id', customer => 'cust', amount => 'amount',
                                           due_on => 'due', issued_on => 'issued', default_currency => 'EUR')$$,
                 '42501', NULL, 'and attaches nothing');
SET LOCAL ROLE collector;
SELECT tap.throws_ok($$SELECT * FROM arcollect.quarantined_rows$$, '42501', NULL, 'collector does not read quarantine');
SELECT tap.throws_ok($$SELECT arcollect.detach('billing.admin_bill')$$, '42501', NULL, 'nor detaches tables');
RESET ROLE;

SELECT * FROM tap.finish();
ROLLBACK;
