-- Values the ledger cannot hold.  Its indexes take an invoice key, a
-- customer or an owner of up to 1000 bytes; a longer one would make the
-- billing write fail ("index row size exceeds btree maximum"), so the row
-- is quarantined instead (key_too_long, customer_too_long,
-- owner_too_long).  Dates must be finite (invalid_date: aging and DSO
-- cannot count days from infinity) and amounts less than 10^38 in absolute
-- value (invalid_amount: amount - paid of two huge numbers overflows).
-- Both booking paths apply the same rules: INSERT and COPY of new
-- invoices (the fast path in C) and everything else (SQL).
\set VERBOSITY terse
SET datestyle = ISO;

-- ASCII text of exactly `bytes` bytes that does not compress (md5 digits),
-- starting with tag and a dash.
CREATE FUNCTION pg_temp.noise(tag text, bytes integer) RETURNS text
LANGUAGE sql IMMUTABLE
RETURN left(tag || '-' || (SELECT string_agg(md5(tag || g), '' ORDER BY g)
                             FROM generate_series(0, bytes / 32) g), bytes);

CREATE TABLE long_invoice (
    id    text PRIMARY KEY,
    cust  text NOT NULL,
    amt   numeric(12,2),
    iss   date,
    due   date,
    rep   text
);
SELECT arcollect.attach('long_invoice', key => 'id', customer => 'cust', amount => 'amt',
                        due_on => 'due', issued_on => 'iss', owner => 'rep',
                        default_currency => 'EUR');

CREATE TEMP VIEW ledger AS
SELECT split_part(i.invoice_key, '-', 1) AS tag, i.*, coalesce(oa.open_amount, 0) AS open_amount,
       (SELECT coalesce(sum(e.amount), 0) FROM arcollect.entry e WHERE e.attachment_id = i.attachment_id
           AND e.invoice_key = i.invoice_key AND e.source_attachment_id <> i.attachment_id) AS applied
  FROM arcollect.invoice i LEFT JOIN arcollect._open_amount oa USING (attachment_id, invoice_key) JOIN arcollect.attachment a USING (attachment_id)
 WHERE a.billing_table = 'long_invoice'::regclass;
CREATE TEMP VIEW held AS
SELECT split_part(q.invoice_key, '-', 1) AS tag, q.*
  FROM arcollect.quarantined_rows q WHERE q.table_name IN ('long_invoice', 'long_payment');

-- Keys, customers and owners just below, at and above the limit, in one
-- statement: the fast path books the usable rows, SQL quarantines the
-- rest.  A key of 2690 bytes fits the billing table's own index but not
-- the ledger's (which adds the attachment); 'é' is two bytes, so k6 is
-- 1000 characters but 1001 bytes.
INSERT INTO long_invoice VALUES
    (pg_temp.noise('k1', 999), 'limits', 10, '2025-01-01', '2025-01-31', NULL),
    (pg_temp.noise('k2', 1000), 'limits', 10, '2025-01-01', '2025-01-31', NULL),
    (pg_temp.noise('k3', 1001), 'limits', 10, '2025-01-01', '2025-01-31', NULL),
    (pg_temp.noise('k4', 2690), 'limits', 10, '2025-01-01', '2025-01-31', NULL),
    (pg_temp.noise('k5', 998) || 'é', 'limits', 10, '2025-01-01', '2025-01-31', NULL),
    (pg_temp.noise('k6', 999) || 'é', 'limits', 10, '2025-01-01', '2025-01-31', NULL),
    ('c1', pg_temp.noise('c1', 1000), 10, '2025-01-01', '2025-01-31', NULL),
    ('c2', pg_temp.noise('c2', 1001), 10, '2025-01-01', '2025-01-31', NULL),
    ('c3', pg_temp.noise('c3', 3000), 10, '2025-01-01', '2025-01-31', NULL),
    ('o1', 'limits-owned-1', 10, '2025-01-01', '2025-01-31', pg_temp.noise('o1', 1000)),
    ('o2', 'limits-owned-2', 10, '2025-01-01', '2025-01-31', pg_temp.noise('o2', 1001)),
    ('o3', 'limits-owned-3', 10, '2025-01-01', '2025-01-31', pg_temp.noise('o3', 3200));
SELECT count(*) AS billing_rows FROM long_invoice;
-- booked: k1, k2, k5, c1, o1
SELECT tag, octet_length(invoice_key) AS key_bytes, char_length(invoice_key) AS key_chars,
       octet_length(customer_id) AS customer_bytes, octet_length(owner) AS owner_bytes, open_amount
  FROM ledger ORDER BY tag;
SELECT tag, octet_length(invoice_key) AS key_bytes, reason, reason_text FROM held ORDER BY tag;
SELECT left(customer_id, 14) AS customer, octet_length(customer_id) AS customer_bytes,
       octet_length(owner) AS owner_bytes
  FROM arcollect.customer WHERE customer_id IN (SELECT customer_id FROM ledger) ORDER BY 1;
SELECT * FROM arcollect.reconcile('long_invoice');

-- One row per statement: the fast path alone books a row at the limit
-- and leaves each row above it to SQL.
INSERT INTO long_invoice VALUES (pg_temp.noise('k7', 1000), pg_temp.noise('c7', 1000), 10,
                                 '2025-01-01', '2025-01-31', pg_temp.noise('o7', 1000));
INSERT INTO long_invoice VALUES (pg_temp.noise('k8', 1001), 'limits', 10, '2025-01-01', '2025-01-31', NULL);
INSERT INTO long_invoice VALUES ('c8', pg_temp.noise('c8', 1001), 10, '2025-01-01', '2025-01-31', NULL);
INSERT INTO long_invoice VALUES ('o8', 'limits', 10, '2025-01-01', '2025-01-31', pg_temp.noise('o8', 1001));
SELECT tag, octet_length(invoice_key) AS key_bytes, octet_length(customer_id) AS customer_bytes,
       octet_length(owner) AS owner_bytes
  FROM ledger WHERE tag IN ('k7', 'k8', 'c8', 'o8') ORDER BY tag;
SELECT tag, reason FROM held WHERE tag IN ('k7', 'k8', 'c8', 'o8') ORDER BY tag;
SELECT * FROM arcollect.reconcile('long_invoice');

-- COPY of 1200 rows, three of them with keys too long (rows 400, 800 and
-- 1200): 1197 booked.
DO $$
BEGIN
    EXECUTE format($c$COPY (SELECT CASE WHEN g %% 400 = 0 THEN pg_temp.noise('b' || g, 1001)
                                        ELSE 'b' || g END,
                                   'bulk', 1, '2025-01-01', '2025-01-31', NULL
                              FROM generate_series(1, 1200) g) TO %L$c$,
                   current_setting('data_directory') || '/ledger_limits.copy');
END
$$;
COPY long_invoice FROM 'ledger_limits.copy';
SELECT count(*) AS bulk_booked FROM ledger WHERE customer_id = 'bulk';
SELECT octet_length(invoice_key) AS key_bytes, reason, count(*)
  FROM held WHERE invoice_key LIKE 'b%' GROUP BY 1, 2;
SELECT * FROM arcollect.reconcile('long_invoice');

-- UPDATE.  A booked invoice whose customer becomes too long is voided and
-- quarantined, and comes back once corrected.
UPDATE long_invoice SET cust = pg_temp.noise('c1', 1001) WHERE id = 'c1';
SELECT tag, in_billing, open_amount FROM ledger WHERE tag = 'c1';
SELECT tag, reason FROM held WHERE tag = 'c1';
UPDATE long_invoice SET cust = 'limits' WHERE id = 'c1';
SELECT tag, in_billing, open_amount FROM ledger WHERE tag = 'c1';
-- A key changed to one too long: the old key is voided, the new one
-- quarantined.  A quarantined long key written again updates its one
-- quarantine row (k4's amount 10 -> 20).  A long key shortened leaves
-- quarantine and is booked (k3).
UPDATE long_invoice SET id = pg_temp.noise('k2', 1001) WHERE id = pg_temp.noise('k2', 1000);
UPDATE long_invoice SET amt = 20 WHERE id = pg_temp.noise('k4', 2690);
UPDATE long_invoice SET id = 'k3-short' WHERE id = pg_temp.noise('k3', 1001);
SELECT tag, octet_length(invoice_key) AS key_bytes, in_billing, open_amount
  FROM ledger WHERE tag IN ('k2', 'k3', 'k4') ORDER BY tag, key_bytes;
SELECT tag, octet_length(invoice_key) AS key_bytes, reason, row_data->>'amt' AS amt
  FROM held WHERE tag IN ('k2', 'k3', 'k4') ORDER BY tag;
SELECT * FROM arcollect.reconcile('long_invoice');
-- DELETE: the quarantined rows leave quarantine.
DELETE FROM long_invoice WHERE id = pg_temp.noise('k4', 2690) OR cust = pg_temp.noise('c3', 3000);
SELECT tag, reason FROM held WHERE tag IN ('k4', 'c3');
SELECT * FROM arcollect.reconcile('long_invoice');

-- Payments naming keys: an unknown key of 1000 bytes is kept for when
-- its invoice comes; longer ones are quarantined.
CREATE TABLE long_payment (id serial PRIMARY KEY, invoice text, amount numeric(12,2), paid_on date);
SELECT arcollect.attach_payments('long_payment', invoice_key => 'invoice', amount => 'amount',
                                 paid_on => 'paid_on', invoices => 'long_invoice');
INSERT INTO long_payment (invoice, amount, paid_on) VALUES
    (pg_temp.noise('p1', 1000), 5, '2025-01-15'),
    (pg_temp.noise('p2', 1001), 5, '2025-01-15'),
    (pg_temp.noise('p3', 3000), 5, '2025-01-15'),
    (pg_temp.noise('k1', 999), 4, '2025-01-20');
SELECT tag, octet_length(invoice_key) AS key_bytes, reason FROM held WHERE row_kind = 'payment' ORDER BY tag;
-- p1's invoice arrives (10, paid 5 on 2025-01-15); p3's payment is
-- corrected to name it too.
INSERT INTO long_invoice VALUES (pg_temp.noise('p1', 1000), 'limits', 10, '2025-01-01', '2025-01-31', NULL);
UPDATE long_payment SET invoice = pg_temp.noise('p1', 1000) WHERE invoice = pg_temp.noise('p3', 3000);
SELECT tag, applied, open_amount FROM ledger WHERE applied <> 0 ORDER BY tag;
SELECT tag, reason FROM held WHERE row_kind = 'payment' ORDER BY tag;
SELECT * FROM arcollect.reconcile('long_payment');
SELECT * FROM arcollect.reconcile('long_invoice');

-- Other key types, read as text: a numeric of 1000 and 1001 digits, a
-- bytea of 499 and 500 bytes ('\x' and two hex digits a byte: 1000 and
-- 1002 characters), a domain over text.  Rows in the table before attach
-- are booked by SQL, rows inserted after by the fast path.
CREATE DOMAIN long_code AS text;
CREATE TABLE key_shape (cust text NOT NULL DEFAULT 'limits', amt numeric DEFAULT 10,
                        iss date DEFAULT '2025-01-01', due date DEFAULT '2025-01-31');
CREATE TABLE numeric_keyed (id numeric PRIMARY KEY, LIKE key_shape INCLUDING DEFAULTS);
CREATE TABLE bytea_keyed (id bytea PRIMARY KEY, LIKE key_shape INCLUDING DEFAULTS);
CREATE TABLE domain_keyed (id long_code PRIMARY KEY, LIKE key_shape INCLUDING DEFAULTS);
INSERT INTO numeric_keyed (id) VALUES (('1' || repeat('0', 999))::numeric), (('1' || repeat('0', 1000))::numeric);
INSERT INTO bytea_keyed (id) VALUES (decode(repeat('ab', 499), 'hex')), (decode(repeat('ab', 500), 'hex'));
INSERT INTO domain_keyed (id) VALUES (pg_temp.noise('d1', 1000)), (pg_temp.noise('d2', 1001));
SELECT arcollect.attach('numeric_keyed', key => 'id', customer => 'cust', amount => 'amt',
                        due_on => 'due', issued_on => 'iss', default_currency => 'EUR');
SELECT arcollect.attach('bytea_keyed', key => 'id', customer => 'cust', amount => 'amt',
                        due_on => 'due', issued_on => 'iss', default_currency => 'EUR');
SELECT arcollect.attach('domain_keyed', key => 'id', customer => 'cust', amount => 'amt',
                        due_on => 'due', issued_on => 'iss', default_currency => 'EUR');
INSERT INTO numeric_keyed (id) VALUES (('2' || repeat('0', 999))::numeric), (('2' || repeat('0', 1000))::numeric);
INSERT INTO bytea_keyed (id) VALUES (decode(repeat('cd', 499), 'hex')), (decode(repeat('cd', 500), 'hex'));
INSERT INTO domain_keyed (id) VALUES (pg_temp.noise('d3', 1000)), (pg_temp.noise('d4', 1001));
SELECT a.billing_table, left(i.invoice_key, 4) AS key_start, octet_length(i.invoice_key) AS key_bytes
  FROM arcollect.invoice i JOIN arcollect.attachment a USING (attachment_id)
 WHERE a.billing_table IN ('numeric_keyed'::regclass, 'bytea_keyed', 'domain_keyed')
 ORDER BY a.billing_table::text, key_start;
SELECT table_name, left(invoice_key, 4) AS key_start, octet_length(invoice_key) AS key_bytes, reason
  FROM arcollect.quarantined_rows
 WHERE table_name IN ('numeric_keyed', 'bytea_keyed', 'domain_keyed')
 ORDER BY table_name, key_start;
SELECT * FROM arcollect.reconcile('numeric_keyed');
SELECT * FROM arcollect.reconcile('bytea_keyed');
SELECT * FROM arcollect.reconcile('domain_keyed');

-- Dates: infinity and -infinity as issue or due date, in date, timestamp
-- and timestamptz columns.  Row 1 is good; rows 2-6 are quarantined
-- (row 6 is also due before issue; invalid_date is reported first).
CREATE TABLE date_invoice (id int PRIMARY KEY, cust text NOT NULL DEFAULT 'limits',
                           amt numeric DEFAULT 100, iss date, due date);
CREATE TABLE ts_invoice (id int PRIMARY KEY, cust text NOT NULL DEFAULT 'limits',
                         amt numeric DEFAULT 100, iss timestamp, due timestamp);
CREATE TABLE tz_invoice (id int PRIMARY KEY, cust text NOT NULL DEFAULT 'limits',
                         amt numeric DEFAULT 100, iss timestamptz, due timestamptz);
-- ts_invoice is filled before attach (SQL), the others after (fast path
-- for row 1).
INSERT INTO ts_invoice (id, iss, due) VALUES
    (1, '2025-01-01', '2025-01-31'), (2, '-infinity', '2025-01-31'), (3, '2025-01-01', 'infinity'),
    (4, 'infinity', 'infinity'), (5, '-infinity', '-infinity'), (6, '2025-01-01', '-infinity');
SELECT arcollect.attach('date_invoice', key => 'id', customer => 'cust', amount => 'amt',
                        due_on => 'due', issued_on => 'iss', default_currency => 'EUR');
SELECT arcollect.attach('ts_invoice', key => 'id', customer => 'cust', amount => 'amt',
                        due_on => 'due', issued_on => 'iss', default_currency => 'EUR');
SELECT arcollect.attach('tz_invoice', key => 'id', customer => 'cust', amount => 'amt',
                        due_on => 'due', issued_on => 'iss', default_currency => 'EUR');
INSERT INTO date_invoice (id, iss, due) VALUES
    (1, '2025-01-01', '2025-01-31'), (2, '-infinity', '2025-01-31'), (3, '2025-01-01', 'infinity'),
    (4, 'infinity', 'infinity'), (5, '-infinity', '-infinity'), (6, '2025-01-01', '-infinity');
INSERT INTO tz_invoice (id, iss, due) VALUES
    (1, '2025-01-01', '2025-01-31'), (2, '-infinity', '2025-01-31'), (3, '2025-01-01', 'infinity'),
    (4, 'infinity', 'infinity'), (5, '-infinity', '-infinity'), (6, '2025-01-01', '-infinity');
-- A booked invoice whose due date becomes infinite leaves the ledger.
INSERT INTO date_invoice (id, iss, due) VALUES (7, '2025-01-01', '2025-01-31');
UPDATE date_invoice SET due = 'infinity' WHERE id = 7;
-- Payments dated infinity or -infinity (a timestamptz column).
CREATE TABLE date_payment (id serial PRIMARY KEY, invoice int, amount numeric, paid_on timestamptz);
SELECT arcollect.attach_payments('date_payment', invoice_key => 'invoice', amount => 'amount',
                                 paid_on => 'paid_on', invoices => 'date_invoice');
INSERT INTO date_payment (invoice, amount, paid_on) VALUES
    (1, 10, '2025-02-01'), (1, 10, 'infinity'), (1, 10, '-infinity');
SELECT table_name, invoice_key, reason, reason_text FROM arcollect.quarantined_rows
 WHERE table_name IN ('date_invoice', 'ts_invoice', 'tz_invoice', 'date_payment')
 ORDER BY 1, 2, 3;
SELECT * FROM arcollect.reconcile('date_invoice');
SELECT * FROM arcollect.reconcile('ts_invoice');
SELECT * FROM arcollect.reconcile('tz_invoice');
SELECT * FROM arcollect.reconcile('date_payment');
-- The reports work.  As of 2025-03-31, four invoices of 100 issued
-- 2025-01-01 and due 2025-01-31 (row 1 of each table, and date_invoice 7,
-- voided only today) are 59 days overdue (31-60), and one was paid 10 on
-- 2025-02-01: 390 open of 400 sold in the 90 days to 2025-03-31, DSO
-- 390 / 400 * 90 = 87.75.
SELECT arcollect.aging(due_on, open_amount, date '2025-03-31') AS buckets,
       round(arcollect.dso(issued_on, amount, open_amount, date '2025-03-31'), 2) AS dso
  FROM arcollect.open_items('2025-03-31')
 WHERE billing_table IN ('date_invoice'::regclass, 'ts_invoice', 'tz_invoice');

-- Amounts: 10^38 or more in absolute value is refused (invalid_amount),
-- also as amount paid or open amount; just below is booked.  Row 1 is the
-- 9e131071 paid -9e131071 whose open amount (amount - paid) overflows.
CREATE TABLE big_invoice (id int PRIMARY KEY, cust text NOT NULL DEFAULT 'limits', amt numeric,
                          iss date DEFAULT '2025-01-01', due date DEFAULT '2025-01-31',
                          paid numeric, kind text DEFAULT 'invoice');
SELECT arcollect.attach('big_invoice', key => 'id', customer => 'cust', amount => 'amt',
                        due_on => 'due', issued_on => 'iss', paid => 'paid', status => 'kind',
                        default_currency => 'EUR');
INSERT INTO big_invoice (id, amt, paid, kind) VALUES
    (1, 9e131071, -9e131071, 'invoice'),
    (2, 1e38, 0, 'invoice'),
    (3, 99999999999999999999999999999999999999.99, 0, 'invoice'),
    (4, 100, 1e38, 'invoice'),
    (5, -1e38, 0, 'credit'),
    (6, -99999999999999999999999999999999999999.99, 0, 'credit'),
    (7, 100, -99999999999999999999999999999999999999, 'invoice'),
    (8, 'Infinity', 0, 'invoice');
INSERT INTO big_invoice (id, amt, paid) VALUES (9, 9e131071, -9e131071);
INSERT INTO big_invoice (id, amt, paid) VALUES (10, 50, 0);
UPDATE big_invoice SET amt = -1e38, paid = 1e38 WHERE id = 10;
-- an open column: amount 9e131071 open -9e131071 (paid would be amount - open)
CREATE TABLE big_open (id int PRIMARY KEY, cust text NOT NULL DEFAULT 'limits', amt numeric,
                       iss date DEFAULT '2025-01-01', due date DEFAULT '2025-01-31', open numeric);
SELECT arcollect.attach('big_open', key => 'id', customer => 'cust', amount => 'amt',
                        due_on => 'due', issued_on => 'iss', open => 'open', default_currency => 'EUR');
INSERT INTO big_open (id, amt, open) VALUES (1, 9e131071, -9e131071), (2, 100, -1e38), (3, 100, 40);
INSERT INTO big_open (id, amt, open) VALUES (4, 9e131071, -9e131071);
CREATE TABLE big_payment (id serial PRIMARY KEY, invoice int, amount numeric, paid_on date);
SELECT arcollect.attach_payments('big_payment', invoice_key => 'invoice', amount => 'amount',
                                 paid_on => 'paid_on', invoices => 'big_invoice');
INSERT INTO big_payment (invoice, amount, paid_on) VALUES
    (3, 1e38, '2025-02-01'), (3, -9e131071, '2025-02-01'),
    (3, 99999999999999999999999999999999999999.99, '2025-02-01');
SELECT table_name, invoice_key, reason FROM arcollect.quarantined_rows
 WHERE table_name IN ('big_invoice', 'big_open', 'big_payment')
 ORDER BY table_name, invoice_key::int, reason;
-- booked: big_invoice 3 (paid in full by the payment), 6 (a credit note),
-- 7 (open 100 + 99999999999999999999999999999999999999), 10 (voided
-- since: open 0), big_open 3 (open 40); today the open amounts add up to
-- -99999999999999999999999999999999999999.99 + 100000000000000000000000000000000000099
-- + 40 = 139.01
SELECT a.billing_table, i.invoice_key, i.amount, coalesce(oa.open_amount, 0) AS open_amount
  FROM arcollect.invoice i LEFT JOIN arcollect._open_amount oa USING (attachment_id, invoice_key) JOIN arcollect.attachment a USING (attachment_id)
 WHERE a.billing_table IN ('big_invoice'::regclass, 'big_open')
 ORDER BY a.billing_table::text, i.invoice_key::int;
SELECT currency, sum(open_amount) FROM arcollect.open_items()
 WHERE billing_table IN ('big_invoice'::regclass, 'big_open') GROUP BY currency;
SELECT * FROM arcollect.reconcile('big_invoice');
SELECT * FROM arcollect.reconcile('big_open');
SELECT * FROM arcollect.reconcile('big_payment');

-- The same rows through both paths: twin_import holds them before it is
-- attached (booked by SQL), twin_fast gets them one INSERT at a time after
-- (the fast path takes every usable row).  The two ledgers and
-- quarantines are the same.
CREATE TABLE twin_import (id text PRIMARY KEY, cust text NOT NULL, amt numeric, iss date,
                          due timestamptz, rep text, paid numeric);
CREATE TABLE twin_fast (LIKE twin_import INCLUDING ALL);
CREATE TEMP TABLE twin_rows AS
SELECT * FROM (VALUES
    (pg_temp.noise('t1', 1000), 'limits', 10, date '2025-01-01', timestamptz '2025-01-31', NULL, 0),
    (pg_temp.noise('t2', 1001), 'limits', 10, '2025-01-01', '2025-01-31', NULL, 0),
    (pg_temp.noise('t3', 998) || 'é', 'limits', 10, '2025-01-01', '2025-01-31', NULL, 0),
    (pg_temp.noise('t4', 999) || 'é', 'limits', 10, '2025-01-01', '2025-01-31', NULL, 0),
    ('t5', pg_temp.noise('t5', 1000), 10, '2025-01-01', '2025-01-31', pg_temp.noise('r5', 1000), 0),
    ('t6', pg_temp.noise('t6', 1001), 10, '2025-01-01', '2025-01-31', NULL, 0),
    ('t7', 'limits', 10, '2025-01-01', '2025-01-31', pg_temp.noise('r7', 1001), 0),
    ('t8', 'limits', 10, 'infinity', 'infinity', NULL, 0),
    ('t9', 'limits', 10, '2025-01-01', '-infinity', NULL, 0),
    ('t10', 'limits', 99999999999999999999999999999999999999, '2025-01-01', '2025-01-31', NULL,
     -99999999999999999999999999999999999999),
    ('t11', 'limits', 10, '2025-01-01', '2025-01-31', NULL, -1e38),
    ('t12', 'limits', 10, '2025-01-01', '2025-01-31', NULL, 3)
) r(id, cust, amt, iss, due, rep, paid);
INSERT INTO twin_import SELECT * FROM twin_rows;
SET client_min_messages = error;
SELECT arcollect.attach('twin_import', key => 'id', customer => 'cust', amount => 'amt',
                        due_on => 'due', issued_on => 'iss', owner => 'rep', paid => 'paid',
                        default_currency => 'EUR');
SELECT arcollect.attach('twin_fast', key => 'id', customer => 'cust', amount => 'amt',
                        due_on => 'due', issued_on => 'iss', owner => 'rep', paid => 'paid',
                        default_currency => 'EUR');
DO $$
DECLARE
    r twin_rows;
BEGIN
    FOR r IN SELECT * FROM twin_rows LOOP
        INSERT INTO twin_fast SELECT (r).*;
    END LOOP;
END
$$;
RESET client_min_messages;
CREATE TEMP VIEW twin AS
SELECT a.billing_table::text AS tbl, k.invoice_key, i.customer_id, i.currency, i.issued_on,
       i.due_on, i.amount, i.paid, oa.open_amount, i.owner, i.in_billing, i.booked_amount,
       i.booked_on, q.reason,
       (SELECT array_agg(e.kind || ' ' || e.amount || ' ' || e.effective_on ORDER BY e.entry_id)
          FROM arcollect.entry e
         WHERE e.attachment_id = k.attachment_id AND e.invoice_key = k.invoice_key) AS entries
  FROM arcollect.attachment a
  JOIN (SELECT attachment_id, invoice_key FROM arcollect.invoice
        UNION SELECT attachment_id, invoice_key FROM arcollect.quarantine) k USING (attachment_id)
  LEFT JOIN arcollect.invoice i USING (attachment_id, invoice_key)
  LEFT JOIN arcollect._open_amount oa USING (attachment_id, invoice_key)
  LEFT JOIN arcollect.quarantine q USING (attachment_id, invoice_key)
 WHERE a.billing_table IN ('twin_import'::regclass, 'twin_fast');
-- booked: t1, t3, t5, t10 (open 2 * 99999999999999999999999999999999999999)
-- and t12 (paid 3, dated today: the table has no paid_on column)
SELECT split_part(invoice_key, '-', 1) AS tag, open_amount, reason,
       cardinality(entries) AS entries
  FROM twin WHERE tbl = 'twin_import' ORDER BY substr(split_part(invoice_key, '-', 1), 2)::int;
-- the differences between the two: none
(SELECT invoice_key, customer_id, currency, issued_on, due_on, amount, paid, open_amount, owner,
        in_billing, booked_amount, booked_on, reason, entries FROM twin WHERE tbl = 'twin_import'
 EXCEPT ALL
 SELECT invoice_key, customer_id, currency, issued_on, due_on, amount, paid, open_amount, owner,
        in_billing, booked_amount, booked_on, reason, entries FROM twin WHERE tbl = 'twin_fast')
UNION ALL
(SELECT invoice_key, customer_id, currency, issued_on, due_on, amount, paid, open_amount, owner,
        in_billing, booked_amount, booked_on, reason, entries FROM twin WHERE tbl = 'twin_fast'
 EXCEPT ALL
 SELECT invoice_key, customer_id, currency, issued_on, due_on, amount, paid, open_amount, owner,
        in_billing, booked_amount, booked_on, reason, entries FROM twin WHERE tbl = 'twin_import');
SELECT * FROM arcollect.reconcile('twin_import');
SELECT * FROM arcollect.reconcile('twin_fast');

-- The three rules as functions, for finding such rows before attaching a
-- table: true when the ledger can hold the value.
SELECT arcollect.ledger_text_fits(pg_temp.noise('f', 1000)) AS text_1000,
       arcollect.ledger_text_fits(pg_temp.noise('f', 999) || 'é') AS text_1001_bytes,
       arcollect.ledger_date_usable('2025-01-01') AS a_date,
       arcollect.ledger_date_usable('-infinity') AS minus_infinity,
       arcollect.ledger_amount_usable(-99999999999999999999999999999999999999.99) AS below_bound,
       arcollect.ledger_amount_usable(-1e38) AS bound,
       arcollect.ledger_amount_usable('NaN') AS nan;
