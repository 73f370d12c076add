-- Attaching billing and payments tables: mapping validation, the import of
-- the rows already there, customers created on first sight, detach.
SET client_min_messages = warning;
\set SHOW_CONTEXT never

CREATE TABLE billing (
    invoice_no   text PRIMARY KEY,
    customer_no  integer NOT NULL,
    total        numeric(12,2),
    issued       date,
    due          timestamptz,
    cur          varchar(3),
    amount_paid  numeric(12,2) DEFAULT 0,
    rep          text,
    state        text,
    note         text
);
INSERT INTO billing VALUES
    ('INV-1', 10, 100.00, '2025-01-01', '2025-01-31', 'EUR', 0, 'ann', 'open', 'first'),
    ('INV-2', 10, 250.00, '2025-01-10', '2025-02-09', 'eur', 0, 'ann', 'open', NULL),
    ('INV-3', 20,  80.00, '2025-01-15', '2025-02-14', 'USD', 0, 'bob', 'open', NULL);

-- Mapping errors name the table and the column, with a 42xxx SQLSTATE
-- (printed after each error).
SELECT arcollect.attach('billing', key => 'invoice_no', customer => 'customer_no', amount => 'totl',
                        due_on => 'due', issued_on => 'issued', currency => 'cur');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT arcollect.attach('billing', key => 'invoice_no', customer => 'customer_no', amount => 'note',
                        due_on => 'due', issued_on => 'issued', currency => 'cur');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT arcollect.attach('billing', key => 'invoice_no', customer => 'customer_no', amount => 'total',
                        due_on => 'note', issued_on => 'issued', currency => 'cur');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT arcollect.attach('billing', key => 'invoice_no', customer => 'customer_no', amount => 'total',
                        due_on => 'due', issued_on => 'issued', currency => 'total');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT arcollect.attach('billing', key => 'customer_no', customer => 'customer_no', amount => 'total',
                        due_on => 'due', issued_on => 'issued', currency => 'cur');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT arcollect.attach('billing', key => 'invoice_no', customer => 'customer_no', amount => 'total',
                        due_on => 'due', issued_on => 'issued', currency => 'cur',
                        paid => 'amount_paid', open => 'total');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT arcollect.attach('billing', key => 'invoice_no', customer => 'customer_no', amount => 'total',
                        due_on => 'due', issued_on => 'issued');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT arcollect.attach('billing', key => 'invoice_no', customer => 'customer_no', amount => 'total',
                        due_on => 'due', issued_on => 'issued', default_currency => 'EURO');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT arcollect.attach('arcollect.invoice', key => 'invoice_key', customer => 'customer_id',
                        amount => 'amount', due_on => 'due_on', issued_on => 'issued_on',
                        default_currency => 'EUR');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
CREATE VIEW billing_view AS SELECT * FROM billing;
SELECT arcollect.attach('billing_view', key => 'invoice_no', customer => 'customer_no', amount => 'total',
                        due_on => 'due', issued_on => 'issued', currency => 'cur');
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- Nothing was attached by the failed calls.
SELECT count(*) AS attachments FROM arcollect.attachment;
SELECT count(*) AS triggers FROM pg_trigger WHERE tgrelid = 'billing'::regclass;

-- A good mapping: the three rows already there are imported.
SELECT arcollect.attach('billing', key => 'invoice_no', customer => 'customer_no', amount => 'total',
                        due_on => 'due', issued_on => 'issued', currency => 'cur',
                        paid => 'amount_paid', owner => 'rep', status => 'state');
SELECT tgname, tgtype FROM pg_trigger WHERE tgrelid = 'billing'::regclass ORDER BY tgname;
SELECT invoice_key, customer_id, currency, issued_on, due_on, amount, coalesce(oa.open_amount, 0) AS open_amount, owner, status, in_billing
  FROM arcollect.invoice i LEFT JOIN arcollect._open_amount oa USING (attachment_id, invoice_key) ORDER BY invoice_key;
-- Their history: each booking is kept in the invoice row (entry_id NULL).
SELECT invoice_key, kind, amount, effective_on, entry_id IS NULL AS booking
  FROM arcollect.ledger_entries ORDER BY invoice_key, entry_id NULLS FIRST;
SELECT count(*) AS entry_rows FROM arcollect.entry;

-- Customers are created on first sight, with the owner of their first
-- invoice; users edit them and arcollect keeps their edits.
SELECT customer_id, owner, segment, credit_limit, time_zone, do_not_contact, opt_out_channels
  FROM arcollect.customer ORDER BY customer_id;
UPDATE arcollect.customer SET segment = 'enterprise', credit_limit = 5000, time_zone = 'Europe/Paris',
       opt_out_channels = '{sms}' WHERE customer_id = '10';
INSERT INTO billing VALUES ('INV-4', 10, 40.00, '2025-02-01', '2025-03-03', 'EUR', 0, 'carl', 'open', NULL),
                           ('INV-5', 30, 60.00, '2025-02-01', '2025-03-03', 'EUR', 0, 'dan', 'open', NULL);
SELECT customer_id, owner, segment, credit_limit, time_zone, do_not_contact, opt_out_channels
  FROM arcollect.customer ORDER BY customer_id;
\set VERBOSITY terse
UPDATE arcollect.customer SET time_zone = 'Mars/Olympus' WHERE customer_id = '20';
UPDATE arcollect.customer SET opt_out_channels = '{pigeon}' WHERE customer_id = '20';
\set VERBOSITY default

-- A payments table: by default it belongs to the only attached billing table.
CREATE TABLE receipts (receipt_id serial PRIMARY KEY, invoice text, paid numeric(12,2), received date, type text);
INSERT INTO receipts (invoice, paid, received, type) VALUES ('INV-1', 30, '2025-01-20', 'payment');
SELECT arcollect.attach_payments('receipts', invoice_key => 'invoice', amount => 'paid',
                                 paid_on => 'received', kind => 'type');
-- (applied: what payments tables booked; the open amount is derived from the history)
SELECT invoice_key, coalesce(oa.open_amount, 0) AS open_amount,
       (SELECT coalesce(sum(e.amount), 0) FROM arcollect.entry e WHERE e.attachment_id = i.attachment_id
           AND e.invoice_key = i.invoice_key AND e.source_attachment_id <> i.attachment_id) AS applied
  FROM arcollect.invoice i LEFT JOIN arcollect._open_amount oa USING (attachment_id, invoice_key) ORDER BY invoice_key;
SELECT * FROM arcollect.reconcile('billing');
SELECT * FROM arcollect.reconcile('receipts');

-- Detach keeps the ledger; writes after it are not booked, and reconcile
-- shows them.  Attaching again brings the ledger up to date.
SELECT arcollect.detach('billing');
SELECT count(*) AS triggers FROM pg_trigger WHERE tgrelid = 'billing'::regclass;
UPDATE billing SET total = 110.00 WHERE invoice_no = 'INV-1';
SELECT * FROM arcollect.reconcile('billing');
SELECT count(*) AS ledger_invoices FROM arcollect.invoice;
SELECT arcollect.detach('billing');
SELECT arcollect.attach('billing', key => 'invoice_no', customer => 'customer_no', amount => 'total',
                        due_on => 'due', issued_on => 'issued', currency => 'cur',
                        paid => 'amount_paid', owner => 'rep', status => 'state');
SELECT * FROM arcollect.reconcile('billing');
SELECT invoice_key, kind, amount, effective_on
  FROM arcollect.ledger_entries WHERE invoice_key = 'INV-1' ORDER BY entry_id NULLS FIRST;

-- Renaming a mapped column is followed: the mapping takes the new name,
-- and writes are booked as before (attaching again is not needed).
ALTER TABLE billing RENAME COLUMN total TO total_amount;
SELECT amount_column FROM arcollect.attachment WHERE billing_table = 'billing'::regclass;
INSERT INTO billing VALUES ('INV-6', 20, 70.00, '2025-03-01', '2025-03-31', 'EUR', 0, 'bob', 'open', NULL);
SELECT count(*) AS billing_rows FROM billing;
SELECT * FROM arcollect.reconcile('billing');
SELECT arcollect.attach('billing', key => 'invoice_no', customer => 'customer_no', amount => 'total_amount',
                        due_on => 'due', issued_on => 'issued', currency => 'cur',
                        paid => 'amount_paid', owner => 'rep', status => 'state');
SELECT * FROM arcollect.reconcile('billing');
