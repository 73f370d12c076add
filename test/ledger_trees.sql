-- Runs as role arcollect_suite with an empty search_path (README, Tests).
-- Tables below attached tables (partitions, inheritance children) that
-- come and go by every DDL that can do it, and the DDL the ledger cannot
-- follow: each ends with a ledger that ties out, or is refused with an
-- SQLSTATE.  (sql/ledger_ddl.sql shows the messages.)
BEGIN;
SELECT tap.plan(16);

SET LOCAL client_min_messages = error;

CREATE FUNCTION pg_temp.problems(tbl regclass) RETURNS bigint
LANGUAGE sql AS $$ SELECT count(*) FROM arcollect.reconcile(tbl) $$;

CREATE TABLE billing.tree_invoice (id integer PRIMARY KEY, cust text NOT NULL, amt numeric(12,2),
                           iss date, due date) PARTITION BY RANGE (id);
-- The suite's role may not create schemas (no CREATE on the database):
-- the superuser creates this one for it.
SET ROLE NONE;
CREATE SCHEMA tree_archive AUTHORIZATION arcollect_suite;
RESET ROLE;
CREATE TABLE tree_archive.y2024 PARTITION OF billing.tree_invoice FOR VALUES FROM (0) TO (1000);
CREATE TABLE billing.tree_invoice_2025 PARTITION OF billing.tree_invoice FOR VALUES FROM (1000) TO (2000);
SELECT arcollect.attach('billing.tree_invoice', key => 'id', customer => 'cust', amount => 'amt',
                        due_on => 'due', issued_on => 'iss', default_currency => 'EUR');
INSERT INTO billing.tree_invoice SELECT g, 'c', 10, '2025-01-01', '2025-01-31' FROM generate_series(990, 1010) g;
CREATE TABLE billing.tree_payment (id serial, inv integer, amt numeric(12,2), pon date) PARTITION BY RANGE (pon);
CREATE TABLE billing.tree_payment_jan PARTITION OF billing.tree_payment FOR VALUES FROM ('2025-01-01') TO ('2025-02-01');
CREATE TABLE billing.tree_payment_feb PARTITION OF billing.tree_payment FOR VALUES FROM ('2025-02-01') TO ('2025-03-01');
SELECT arcollect.attach_payments('billing.tree_payment', invoice_key => 'inv', amount => 'amt', paid_on => 'pon',
                                 invoices => 'billing.tree_invoice');
INSERT INTO billing.tree_payment (inv, amt, pon) VALUES (1001, 4, '2025-01-20'), (1001, 3, '2025-02-10'),
                                                (1002, 10, '2025-02-11');

-- A partition in another schema goes with DROP SCHEMA ... CASCADE.
DROP SCHEMA tree_archive CASCADE;
SELECT tap.is(pg_temp.problems('billing.tree_invoice'), 0::bigint, 'DROP SCHEMA CASCADE of a partition: ledger ties out');
SELECT tap.is((SELECT count(*) FROM arcollect.invoice i JOIN arcollect.attachment a USING (attachment_id)
            WHERE a.billing_table = 'billing.tree_invoice'::regclass AND i.in_billing),
          11::bigint, 'the invoices of the dropped partition left the ledger (1000 to 1010 stay)');

-- A payments partition dropped takes its payments back.
DROP TABLE billing.tree_payment_feb;
SELECT tap.is(pg_temp.problems('billing.tree_payment'), 0::bigint, 'DROP TABLE of a payments partition: payments tie out');
SELECT tap.is((SELECT open_amount FROM arcollect._open_amount oa JOIN arcollect.attachment a USING (attachment_id)
            WHERE a.billing_table = 'billing.tree_invoice'::regclass AND oa.invoice_key = '1001'),
          6.00, 'only the January payment is left on invoice 1001 (10 - 4)');
SELECT tap.is(pg_temp.problems('billing.tree_invoice'), 0::bigint, 'and the billing table ties out');

-- The key column renamed on the partitioned table is followed.
ALTER TABLE billing.tree_invoice RENAME COLUMN id TO invoice_no;
INSERT INTO billing.tree_invoice VALUES (1500, 'c', 7, '2025-01-01', '2025-01-31');
UPDATE billing.tree_invoice SET amt = 8 WHERE invoice_no = 1500;
SELECT tap.is(pg_temp.problems('billing.tree_invoice'), 0::bigint, 'key column renamed: writes are booked');

-- Inheritance: a child dropped, and a child of two attached tables.
CREATE TABLE billing.tree_plain (id integer PRIMARY KEY, cust text NOT NULL, amt numeric(12,2), iss date, due date);
CREATE TABLE billing.tree_plain2 (LIKE billing.tree_plain INCLUDING ALL);
SELECT arcollect.attach('billing.tree_plain', key => 'id', customer => 'cust', amount => 'amt',
                        due_on => 'due', issued_on => 'iss', default_currency => 'EUR');
SELECT arcollect.attach('billing.tree_plain2', key => 'id', customer => 'cust', amount => 'amt',
                        due_on => 'due', issued_on => 'iss', default_currency => 'EUR');
CREATE TABLE billing.tree_child () INHERITS (billing.tree_plain);
INSERT INTO billing.tree_child VALUES (1, 'c', 5, '2025-01-01', '2025-01-31');
SELECT tap.is(pg_temp.problems('billing.tree_plain'), 0::bigint, 'a row in an inheritance child is booked');
DROP TABLE billing.tree_child;
SELECT tap.is(pg_temp.problems('billing.tree_plain'), 0::bigint, 'DROP TABLE of an inheritance child: ledger ties out');
SELECT tap.throws_ok($$CREATE TABLE billing.tree_both () INHERITS (billing.tree_plain, billing.tree_plain2)$$, '55000', NULL,
                 'a child of two attached tables is refused');
CREATE TABLE billing.tree_other (id integer, cust text, amt numeric(12,2), iss date, due date);
CREATE TABLE billing.tree_both () INHERITS (billing.tree_other, billing.tree_plain2);
SELECT tap.throws_ok($$SELECT arcollect.attach('billing.tree_other', key => 'id', customer => 'cust', amount => 'amt',
                                           due_on => 'due', issued_on => 'iss', default_currency => 'EUR')$$,
                 '55000', NULL, 'attaching a table whose child another attached table books is refused');

-- Strict mode refuses a child that repeats the parent's keys.
SELECT arcollect.attach('billing.tree_plain', key => 'id', customer => 'cust', amount => 'amt',
                        due_on => 'due', issued_on => 'iss', default_currency => 'EUR', strict => true);
INSERT INTO billing.tree_plain VALUES (2, 'c', 5, '2025-01-01', '2025-01-31');
CREATE TABLE billing.tree_copy (LIKE billing.tree_plain);
INSERT INTO billing.tree_copy VALUES (2, 'd', 6, '2025-01-01', '2025-01-31');
SELECT tap.throws_ok($$ALTER TABLE billing.tree_copy INHERIT billing.tree_plain$$, '23514', NULL,
                 'strict: a child repeating a key of the parent is refused');
SELECT tap.is(pg_temp.problems('billing.tree_plain'), 0::bigint, 'and the ledger is as it was');

-- An attachment whose table went without a DDL event (event triggers do
-- not fire while session_replication_role is replica) no longer counts.
CREATE TABLE billing.tree_gone (id integer PRIMARY KEY, cust text NOT NULL, amt numeric(12,2), iss date, due date);
SELECT arcollect.attach('billing.tree_gone', key => 'id', customer => 'cust', amount => 'amt',
                        due_on => 'due', issued_on => 'iss', default_currency => 'EUR');
CREATE TEMP TABLE tree_gone_oid AS SELECT 'billing.tree_gone'::regclass::oid AS oid;
-- (only a superuser may set session_replication_role)
SET ROLE NONE;
SET LOCAL session_replication_role = replica;
DROP TABLE billing.tree_gone;
SET LOCAL session_replication_role = origin;
RESET ROLE;
SELECT arcollect.detach('billing.tree_plain2');
SELECT arcollect.detach('billing.tree_plain');
CREATE TABLE billing.tree_pay2 (inv integer, amt numeric(12,2), pon date);
SELECT tap.lives_ok($$SELECT arcollect.attach_payments('billing.tree_pay2', invoice_key => 'inv', amount => 'amt',
                                                   paid_on => 'pon')$$,
                'attach_payments finds the one live billing table, not the dead one');
SELECT tap.is((SELECT b.billing_table FROM arcollect.attachment p JOIN arcollect.attachment b
             ON b.attachment_id = p.invoices_attachment_id
            WHERE p.billing_table = 'billing.tree_pay2'::regclass),
          'billing.tree_invoice'::regclass, 'its invoices are those of tree_invoice');
SELECT tap.throws_ok(format('SELECT * FROM arcollect.reconcile(%s)', (SELECT oid FROM tree_gone_oid)),
                 '42P01', NULL, 'reconcile of the dead attachment says its table does not exist');

-- The tables that went have no triggers left.
SET ROLE NONE;  -- arcollect's internal helpers are for the extension's owner only
SELECT tap.is((SELECT count(*) FROM pg_trigger g
            WHERE g.tgfoid = 'arcollect.ledger_trigger()'::regprocedure
              AND arcollect._attachment_of(g.tgrelid) IS NULL),
          0::bigint, 'no arcollect trigger is left on a table no attachment books');
RESET ROLE;

SELECT * FROM tap.finish();
ROLLBACK;
