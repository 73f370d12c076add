-- Bad input never loses a billing write: every kind of unusable row goes
-- to quarantine with its reason and a WARNING, the billing row is kept,
-- and a corrected row leaves quarantine by itself.  In strict mode the
-- write fails instead, naming the table, the key and the reason.
\set SHOW_CONTEXT never

CREATE TABLE sales_invoice (
    id        bigint PRIMARY KEY,
    customer  text,
    amount    numeric(12,2),
    issued    date,
    due       date,
    currency  char(3),
    open_amt  numeric(12,2),
    kind      text,
    memo      text DEFAULT 'internal note'    -- not mapped
);
SELECT arcollect.attach('sales_invoice', key => 'id', customer => 'customer', amount => 'amount',
                        due_on => 'due', issued_on => 'issued', currency => 'currency',
                        open => 'open_amt', status => 'kind');

-- This table's part of the ledger (other tests share the database).
CREATE TEMP VIEW ledger AS
SELECT i.*, coalesce(oa.open_amount, 0) AS open_amount,
       (SELECT coalesce(sum(e.amount), 0) FROM arcollect.entry e WHERE e.attachment_id = i.attachment_id
           AND e.invoice_key = i.invoice_key AND e.source_attachment_id <> i.attachment_id) AS applied
  FROM arcollect.invoice i LEFT JOIN arcollect._open_amount oa USING (attachment_id, invoice_key) JOIN arcollect.attachment a USING (attachment_id)
 WHERE a.billing_table = 'sales_invoice'::regclass;
CREATE TEMP VIEW held AS
SELECT q.* FROM arcollect.quarantined_rows q
 WHERE q.table_name IN ('sales_invoice', 'sales_payment');

-- One statement with a good row and one row of each unusable kind.
INSERT INTO sales_invoice VALUES
    (1, 'acme', 100.00, '2025-03-01', '2025-03-31', 'EUR', 100.00, 'invoice'),
    (2, 'acme', 100.00, '2025-03-01', NULL,         'EUR', 100.00, 'invoice'),
    (3, 'acme', 100.00, '2025-03-01', '2025-02-28', 'EUR', 100.00, 'invoice'),
    (4, 'acme', 100.00, '2025-03-01', '2025-03-31', 'EUX', 100.00, 'invoice'),
    (5, 'acme', -50.00, '2025-03-01', '2025-03-31', 'EUR', -50.00, 'invoice'),
    (6, 'acme', -50.00, '2025-03-01', '2025-03-31', 'EUR', -50.00, 'credit note'),
    (7, NULL,   100.00, '2025-03-01', '2025-03-31', 'EUR', 100.00, 'invoice'),
    (8, 'acme', NULL,   '2025-03-01', '2025-03-31', 'EUR', 100.00, 'invoice'),
    (9, 'acme', 100.00, NULL,         '2025-03-31', 'EUR', 100.00, 'invoice'),
    (10, 'acme', 100.00, '2025-03-01', '2025-03-31', 'EUR', NULL,  'invoice');

-- Every billing row is kept; the ledger has the usable ones.
SELECT count(*) AS billing_rows FROM sales_invoice;
SELECT invoice_key, amount, open_amount FROM ledger ORDER BY invoice_key::int;
SELECT invoice_key, reason, reason_text, row_data->>'currency' AS currency_in_row
  FROM held ORDER BY invoice_key::int;
-- row_data holds the mapped columns of a row, as text: what it takes to
-- find and correct the row, and never a column attach was not given
-- (memo).
SELECT invoice_key, row_data FROM held WHERE invoice_key IN ('2', '7') ORDER BY invoice_key::int;
SELECT * FROM arcollect.reconcile('sales_invoice');

-- Corrected rows leave quarantine and enter the ledger; a row corrected
-- into another mistake changes its reason.
UPDATE sales_invoice SET due = '2025-03-31' WHERE id = 2;
UPDATE sales_invoice SET due = '2025-03-15', currency = 'usd' WHERE id IN (3, 4);
UPDATE sales_invoice SET kind = 'credit' WHERE id = 5;
UPDATE sales_invoice SET customer = 'acme', amount = 100.00 WHERE id IN (7, 8);
UPDATE sales_invoice SET issued = '2025-04-01' WHERE id = 9;
SELECT invoice_key, reason FROM held ORDER BY invoice_key::int;
SELECT invoice_key, currency, amount, open_amount FROM ledger ORDER BY invoice_key::int;

-- A usable row that turns unusable leaves the ledger (its open amount is
-- voided) and goes to quarantine; deleting a quarantined row removes it.
UPDATE sales_invoice SET currency = 'ZZZ' WHERE id = 1;
SELECT invoice_key, in_billing, open_amount FROM ledger WHERE invoice_key = '1';
DELETE FROM sales_invoice WHERE id IN (9, 10);
SELECT invoice_key, reason FROM held ORDER BY invoice_key::int;
SELECT * FROM arcollect.reconcile('sales_invoice');

-- A numeric column can hold NaN, which no money sum survives.
INSERT INTO sales_invoice VALUES (11, 'acme', 'NaN', '2025-03-01', '2025-03-31', 'EUR', 0, 'invoice');
UPDATE sales_invoice SET open_amt = 'NaN' WHERE id = 2;
SELECT invoice_key, reason FROM held WHERE invoice_key IN ('2', '11') ORDER BY invoice_key::int;
DELETE FROM sales_invoice WHERE id = 11;
UPDATE sales_invoice SET open_amt = 100.00 WHERE id = 2;
SELECT * FROM arcollect.reconcile('sales_invoice');

-- Strict mode: the write fails with SQLSTATE 23514, naming table, key and
-- reason; good writes still go through.
SELECT arcollect.attach('sales_invoice', key => 'id', customer => 'customer', amount => 'amount',
                        due_on => 'due', issued_on => 'issued', currency => 'currency',
                        open => 'open_amt', status => 'kind', strict => true);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
DELETE FROM sales_invoice WHERE id = 1;
SELECT arcollect.attach('sales_invoice', key => 'id', customer => 'customer', amount => 'amount',
                        due_on => 'due', issued_on => 'issued', currency => 'currency',
                        open => 'open_amt', status => 'kind', strict => true);
INSERT INTO sales_invoice VALUES (20, 'acme', 10.00, '2025-03-01', '2025-02-01', 'EUR', 10.00, 'invoice');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
INSERT INTO sales_invoice VALUES (21, 'acme', 10.00, '2025-03-01', '2025-03-10', 'EUR', 10.00, 'invoice');
UPDATE sales_invoice SET currency = 'XXX' WHERE id = 21;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT id, currency FROM sales_invoice WHERE id >= 20 ORDER BY id;
SELECT * FROM arcollect.reconcile('sales_invoice');

-- Payments tables quarantine their unusable rows the same way.
CREATE TABLE sales_payment (invoice_id bigint, amount numeric(12,2), paid_on date, kind text,
                            memo text DEFAULT 'internal note');
SELECT arcollect.attach_payments('sales_payment', invoice_key => 'invoice_id', amount => 'amount',
                                 paid_on => 'paid_on', kind => 'kind');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT arcollect.attach_payments('sales_payment', invoice_key => 'invoice_id', amount => 'amount',
                                 paid_on => 'paid_on', kind => 'kind', invoices => 'sales_invoice');
INSERT INTO sales_payment VALUES
    (21, 4.00, '2025-03-05', 'payment'),
    (NULL, 4.00, '2025-03-05', 'payment'),
    (21, NULL, '2025-03-05', 'payment'),
    (21, 4.00, NULL, 'payment'),
    (21, 4.00, '2025-03-05', 'refund?'),
    (21, 'NaN', '2025-03-05', 'payment');
SELECT count(*) AS payment_rows FROM sales_payment;
SELECT reason, row_data FROM held WHERE row_kind = 'payment' ORDER BY reason;
UPDATE sales_payment SET kind = 'credit note' WHERE kind = 'refund?';
DELETE FROM sales_payment WHERE invoice_id IS NULL OR amount IS NULL OR paid_on IS NULL OR amount = 'NaN';
SELECT count(*) AS quarantined_payments FROM held WHERE row_kind = 'payment';
SELECT invoice_key, open_amount, applied FROM ledger WHERE invoice_key = '21';
SELECT * FROM arcollect.reconcile('sales_payment');
