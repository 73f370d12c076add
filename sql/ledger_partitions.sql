-- Partitioned billing and payments tables: writes to the partitioned
-- table and straight into a partition are booked alike; partitions
-- created, attached, detached or truncated later keep the ledger in line;
-- a dropped table leaves its ledger rows behind, detached.
\set VERBOSITY terse

CREATE TABLE part_invoice (
    id      integer NOT NULL PRIMARY KEY,
    cust    text NOT NULL,
    amt     numeric(12,2),
    iss     date,
    due     date
) PARTITION BY RANGE (id);
CREATE TABLE part_invoice_1 PARTITION OF part_invoice FOR VALUES FROM (0) TO (100);
CREATE TABLE part_invoice_2 PARTITION OF part_invoice FOR VALUES FROM (100) TO (200);
INSERT INTO part_invoice VALUES (1, 'a', 10, '2025-01-01', '2025-01-31'),
                                (150, 'b', 20, '2025-01-01', '2025-01-31');
SELECT arcollect.attach('part_invoice', key => 'id', customer => 'cust', amount => 'amt',
                        due_on => 'due', issued_on => 'iss', default_currency => 'EUR');
-- A partition cannot be attached on its own.
SELECT arcollect.attach('part_invoice_1', key => 'id', customer => 'cust', amount => 'amt',
                        due_on => 'due', issued_on => 'iss', default_currency => 'EUR');

CREATE TEMP VIEW part_ledger AS
SELECT i.invoice_key, i.amount, coalesce(oa.open_amount, 0) AS open_amount,
       (SELECT coalesce(sum(e.amount), 0) FROM arcollect.entry e WHERE e.attachment_id = i.attachment_id
           AND e.invoice_key = i.invoice_key AND e.source_attachment_id <> i.attachment_id) AS applied, i.in_billing
  FROM arcollect.invoice i LEFT JOIN arcollect._open_amount oa USING (attachment_id, invoice_key) JOIN arcollect.attachment a USING (attachment_id)
 WHERE a.billing_table = 'part_invoice'::regclass;
CREATE TEMP VIEW part_triggers AS
SELECT tgrelid::regclass AS table_name, count(*) AS triggers
  FROM pg_trigger WHERE tgfoid = 'arcollect.ledger_trigger()'::regprocedure
   AND tgrelid::regclass::text LIKE 'part\_%'
 GROUP BY 1 ORDER BY tgrelid::regclass::text;
SELECT * FROM part_triggers;

-- Straight into a partition.
INSERT INTO part_invoice_1 VALUES (2, 'a', 5, '2025-01-02', '2025-02-01');
UPDATE part_invoice_2 SET amt = 25 WHERE id = 150;
SELECT * FROM arcollect.reconcile('part_invoice');

-- A new partition, and a table with rows attached as a partition.
CREATE TABLE part_invoice_3 PARTITION OF part_invoice FOR VALUES FROM (200) TO (300);
INSERT INTO part_invoice_3 VALUES (201, 'c', 7, '2025-01-02', '2025-02-01');
CREATE TABLE part_invoice_4 (LIKE part_invoice);
INSERT INTO part_invoice_4 VALUES (301, 'd', 9, '2025-01-02', '2025-02-01');
ALTER TABLE part_invoice ATTACH PARTITION part_invoice_4 FOR VALUES FROM (300) TO (400);
SELECT * FROM arcollect.reconcile('part_invoice');
SELECT * FROM part_ledger ORDER BY invoice_key::int;

-- A detached partition takes its rows out of the billing table and
-- loses the triggers; a truncated partition voids its invoices.
ALTER TABLE part_invoice DETACH PARTITION part_invoice_1;
SELECT * FROM part_triggers;
INSERT INTO part_invoice_1 VALUES (3, 'a', 5, '2025-01-02', '2025-02-01');
TRUNCATE part_invoice_2;
SELECT * FROM arcollect.reconcile('part_invoice');
SELECT * FROM part_ledger ORDER BY invoice_key::int;

-- A partitioned payments table; truncating one partition takes back only
-- its payments.
CREATE TABLE part_payment (inv integer, amt numeric(12,2), pon date) PARTITION BY LIST (pon);
CREATE TABLE part_payment_1 PARTITION OF part_payment FOR VALUES IN ('2025-02-01');
CREATE TABLE part_payment_2 PARTITION OF part_payment FOR VALUES IN ('2025-02-02');
SELECT arcollect.attach_payments('part_payment', invoice_key => 'inv', amount => 'amt',
                                 paid_on => 'pon', invoices => 'part_invoice');
INSERT INTO part_payment VALUES (201, 2, '2025-02-01'), (301, 3, '2025-02-02');
INSERT INTO part_payment_1 VALUES (301, 1, '2025-02-01');
SELECT * FROM part_ledger WHERE invoice_key IN ('201', '301') ORDER BY invoice_key::int;
TRUNCATE part_payment_1;
SELECT * FROM arcollect.reconcile('part_payment');
SELECT * FROM part_ledger WHERE invoice_key IN ('201', '301') ORDER BY invoice_key::int;

-- Dropping attached tables: the attachments are kept, detached, under the
-- tables' names; their history stays readable.
DROP VIEW part_ledger;
DROP TABLE part_payment, part_invoice, part_invoice_1;
SELECT kind, billing_table, dropped_table_name, detached_at IS NOT NULL AS detached
  FROM arcollect.attachment WHERE dropped_table_name LIKE '%part\_%' ORDER BY attachment_id;
SELECT billing_table, source_table, invoice_key, kind, amount
  FROM arcollect.ledger_entries WHERE billing_table = 'public.part_invoice'
 ORDER BY invoice_key::int, entry_id NULLS FIRST;
SELECT * FROM part_triggers;
