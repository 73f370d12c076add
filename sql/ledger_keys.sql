-- The invoice key: what attach accepts as a key, and what happens when the
-- key is loosened after attach (its unique index or NOT NULL dropped, or
-- inheritance children that may repeat its values): a warning at the DDL,
-- rows with a repeated or missing key go to quarantine, writes go on, and
-- fixing the rows brings them back into the ledger.
SET client_min_messages = warning;
\set SHOW_CONTEXT never

-- A unique index with INCLUDE columns is a key; partial, expression,
-- multi-column and deferrable ones are not (42P10).
CREATE TABLE key_include (id integer NOT NULL, cust text, amt numeric(12,2), iss date, due date,
                          UNIQUE (id) INCLUDE (cust, amt));
SELECT arcollect.attach('key_include', key => 'id', customer => 'cust', amount => 'amt',
                        due_on => 'due', issued_on => 'iss', default_currency => 'EUR');
CREATE TABLE key_refused (id integer NOT NULL, n integer NOT NULL, cust text, amt numeric(12,2),
                          iss date, due date);
CREATE UNIQUE INDEX key_refused_partial ON key_refused (id) WHERE id > 0;
CREATE UNIQUE INDEX key_refused_expr ON key_refused ((id + 0));
CREATE UNIQUE INDEX key_refused_pair ON key_refused (id, n);
ALTER TABLE key_refused ADD CONSTRAINT key_refused_deferrable UNIQUE (n) DEFERRABLE;
SELECT arcollect.attach('key_refused', key => 'id', customer => 'cust', amount => 'amt',
                        due_on => 'due', issued_on => 'iss', default_currency => 'EUR');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT arcollect.attach('key_refused', key => 'n', customer => 'cust', amount => 'amt',
                        due_on => 'due', issued_on => 'iss', default_currency => 'EUR');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
CREATE UNIQUE INDEX key_refused_n ON key_refused (n);
SELECT arcollect.attach('key_refused', key => 'n', customer => 'cust', amount => 'amt',
                        due_on => 'due', issued_on => 'iss', default_currency => 'EUR');
SELECT arcollect.detach('key_refused');

-- This test's part of the ledger and of quarantine.
CREATE TEMP VIEW key_ledger AS
SELECT a.billing_table, i.invoice_key, i.customer_id, coalesce(oa.open_amount, 0) AS open_amount, i.in_billing
  FROM arcollect.invoice i LEFT JOIN arcollect._open_amount oa USING (attachment_id, invoice_key) JOIN arcollect.attachment a USING (attachment_id)
 WHERE a.billing_table::text LIKE 'key\_%';
CREATE TEMP VIEW key_held AS
SELECT table_name, invoice_key, reason, row_data FROM arcollect.quarantined_rows
 WHERE table_name LIKE 'key\_%';

-- Dropping the primary key warns: from then on, the rows of a key that
-- repeats go to quarantine (duplicate_key) instead of failing the write.
CREATE TABLE key_invoice (id bigint PRIMARY KEY, cust text NOT NULL, amt numeric(12,2),
                          iss date, due date, paid numeric(12,2) DEFAULT 0);
SELECT arcollect.attach('key_invoice', key => 'id', customer => 'cust', amount => 'amt',
                        due_on => 'due', issued_on => 'iss', paid => 'paid', default_currency => 'EUR');
INSERT INTO key_invoice VALUES (1, 'a', 10.00, '2025-01-01', '2025-01-31'),
                               (2, 'a', 20.00, '2025-01-01', '2025-01-31');
\set VERBOSITY default
ALTER TABLE key_invoice DROP CONSTRAINT key_invoice_pkey;
\set VERBOSITY terse
-- A second row with key 1 (in one statement with a good row): both rows
-- of key 1 are held, as one quarantine row whose row_data lists them, and
-- invoice 1 leaves the ledger (its 10.00 voided).
INSERT INTO key_invoice VALUES (1, 'b', 15.00, '2025-01-02', '2025-02-01'),
                               (3, 'a', 30.00, '2025-01-02', '2025-02-01');
SELECT invoice_key, reason, jsonb_array_length(row_data) AS rows FROM key_held ORDER BY 2, 1;
SELECT invoice_key, customer_id, open_amount, in_billing FROM key_ledger
 WHERE billing_table = 'key_invoice'::regclass ORDER BY invoice_key;
SELECT * FROM arcollect.reconcile('key_invoice');
-- UPDATE, DELETE and COPY go through too: key 2 paid, key 4 twice.
UPDATE key_invoice SET paid = 5.00 WHERE id IN (1, 2);
COPY key_invoice (id, cust, amt, iss, due) FROM STDIN;
4	c	40.00	2025-01-03	2025-02-02
4	d	41.00	2025-01-03	2025-02-02
\.
DELETE FROM key_invoice WHERE id = 3;
SELECT invoice_key, reason, jsonb_array_length(row_data) AS rows FROM key_held ORDER BY 2, 1;
SELECT * FROM arcollect.reconcile('key_invoice');
-- Fixing the rows brings the keys back: key 1 by a delete, key 4 by a key
-- change.  Open: 1: 10.00 - 5.00 = 5.00, 2: 20.00 - 5.00 = 15.00,
-- 4: 40.00, 5: 41.00.
DELETE FROM key_invoice WHERE id = 1 AND cust = 'b';
UPDATE key_invoice SET id = 5 WHERE id = 4 AND cust = 'd';
SELECT count(*) AS held FROM key_held;
SELECT invoice_key, customer_id, open_amount, in_billing FROM key_ledger
 WHERE billing_table = 'key_invoice'::regclass ORDER BY invoice_key;
SELECT * FROM arcollect.reconcile('key_invoice');
-- With the key unique again, writes are booked as before.
ALTER TABLE key_invoice ADD PRIMARY KEY (id);
INSERT INTO key_invoice VALUES (6, 'a', 60.00, '2025-01-03', '2025-02-02');
SELECT * FROM arcollect.reconcile('key_invoice');

-- Dropping NOT NULL of a key kept by a unique index: a row without a key
-- is held as missing_invoice_key.  It has no key to be found by, so its
-- quarantine row is matched by the row's data: it leaves quarantine when
-- the row gets a key or is deleted, one quarantine row per billing row.
CREATE TABLE key_code (code varchar(12) NOT NULL UNIQUE, cust text NOT NULL, amt numeric(12,2),
                       iss date, due date);
SELECT arcollect.attach('key_code', key => 'code', customer => 'cust', amount => 'amt',
                        due_on => 'due', issued_on => 'iss', default_currency => 'EUR');
ALTER TABLE key_code ALTER code DROP NOT NULL;
INSERT INTO key_code VALUES (NULL, 'a', 1.00, '2025-01-01', '2025-01-31'),
                            (NULL, 'a', 1.00, '2025-01-01', '2025-01-31'),
                            (NULL, 'b', 2.00, '2025-01-01', '2025-01-31'),
                            ('K1', 'a', 3.00, '2025-01-01', '2025-01-31');
SELECT invoice_key, reason, row_data->>'cust' AS cust FROM key_held
 WHERE table_name = 'key_code' ORDER BY 3;
SELECT * FROM arcollect.reconcile('key_code');
UPDATE key_code SET code = 'K2' WHERE code IS NULL AND cust = 'b';
DELETE FROM key_code WHERE ctid = (SELECT min(ctid) FROM key_code WHERE code IS NULL);
SELECT invoice_key, reason, row_data->>'cust' AS cust FROM key_held
 WHERE table_name = 'key_code' ORDER BY 3;
SELECT invoice_key, open_amount FROM key_ledger
 WHERE billing_table = 'key_code'::regclass ORDER BY invoice_key;
SELECT * FROM arcollect.reconcile('key_code');
UPDATE key_code SET code = 'K3' WHERE code IS NULL;
ALTER TABLE key_code ALTER code SET NOT NULL;
SELECT count(*) AS held FROM key_held WHERE table_name = 'key_code';
SELECT * FROM arcollect.reconcile('key_code');

-- Inheritance children are booked with their parent (a query of the
-- parent reads them), but no unique index spans them: a child that
-- repeats a parent's key holds both rows.
CREATE TABLE key_child (note text) INHERITS (key_invoice);
INSERT INTO key_child VALUES (2, 'e', 22.00, '2025-01-04', '2025-02-03', 0, 'copy of 2'),
                             (7, 'e', 70.00, '2025-01-04', '2025-02-03', 0, NULL);
SELECT invoice_key, reason, jsonb_array_length(row_data) AS rows FROM key_held
 WHERE table_name = 'key_invoice';
SELECT invoice_key, customer_id, open_amount, in_billing FROM key_ledger
 WHERE billing_table = 'key_invoice'::regclass AND invoice_key IN ('2', '7') ORDER BY invoice_key;
-- A write through the parent reaches the child's rows too.
UPDATE key_invoice SET paid = 1.00 WHERE id IN (2, 7);
SELECT * FROM arcollect.reconcile('key_invoice');
UPDATE key_child SET id = 8 WHERE id = 2;
SELECT count(*) AS held FROM key_held WHERE table_name = 'key_invoice';
SELECT invoice_key, customer_id, open_amount, in_billing FROM key_ledger
 WHERE billing_table = 'key_invoice'::regclass AND invoice_key IN ('2', '7', '8') ORDER BY invoice_key;
SELECT * FROM arcollect.reconcile('key_invoice');

DROP VIEW key_ledger, key_held;
