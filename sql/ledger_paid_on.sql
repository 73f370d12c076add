-- Billing tables whose paid (or open) column comes with a date.  Without
-- paid_on, the payments a table already holds when it is attached are
-- dated the day of attach (the history before it is unknown), and attach
-- warns.  With paid_on naming the column that dates the paid column, the
-- import and every later change of the amount paid are dated by it (never
-- before the issue date), so an aging as of a past date shows what was
-- really open then.
\set SHOW_CONTEXT never
SET datestyle = ISO;

CREATE TABLE dated_invoice (
    id        integer PRIMARY KEY,
    customer  text NOT NULL,
    total     numeric(12,2) NOT NULL,
    issued    date NOT NULL,
    due       date NOT NULL,
    paid      numeric(12,2) NOT NULL DEFAULT 0,
    paid_date date
);
-- 1 paid in full on 2025-02-05, 2 paid in full on 2025-03-10, 3 open.
INSERT INTO dated_invoice VALUES
    (1, 'dated-north', 1000.00, '2025-01-10', '2025-02-09', 1000.00, '2025-02-05'),
    (2, 'dated-north',  800.00, '2025-01-20', '2025-02-19',  800.00, '2025-03-10'),
    (3, 'dated-south',  500.00, '2025-02-01', '2025-03-03',    0.00, NULL);
CREATE TABLE undated_invoice (LIKE dated_invoice INCLUDING ALL);
INSERT INTO undated_invoice SELECT * FROM dated_invoice;

-- Without paid_on: a WARNING, and as of 2025-03-31 the aging shows all
-- 2300 open, as the ledger cannot know that only 500 were.
SELECT arcollect.attach('undated_invoice', key => 'id', customer => 'customer', amount => 'total',
                        due_on => 'due', issued_on => 'issued', paid => 'paid',
                        default_currency => 'EUR');
SELECT arcollect.aging(due_on, open_amount, date '2025-03-31') AS buckets, sum(open_amount)
  FROM arcollect.open_items('2025-03-31') WHERE billing_table = 'undated_invoice'::regclass;

-- With paid_on: no warning.  Open on 2025-01-31: 1000 + 800 (3 is not
-- issued yet); on 2025-02-28: 800 (2, 9 days overdue) + 500 (3, current);
-- on 2025-03-31: 500 (3, 28 days overdue).
SELECT arcollect.attach('dated_invoice', key => 'id', customer => 'customer', amount => 'total',
                        due_on => 'due', issued_on => 'issued', paid => 'paid',
                        default_currency => 'EUR', paid_on => 'paid_date');
SELECT d.as_of, arcollect.aging(o.due_on, o.open_amount, d.as_of) AS buckets,
       sum(o.open_amount) AS open,
       (SELECT b.balance FROM arcollect.receivables_balance(d.as_of, 'dated_invoice') b) AS balance
  FROM (VALUES (date '2025-01-31'), (date '2025-02-28'), (date '2025-03-31')) d(as_of)
 CROSS JOIN LATERAL arcollect.open_items(d.as_of) o
 WHERE o.billing_table = 'dated_invoice'::regclass
 GROUP BY d.as_of ORDER BY d.as_of;
SELECT invoice_key, kind, amount, effective_on FROM arcollect.ledger_entries
 WHERE billing_table = 'dated_invoice' ORDER BY invoice_key::int, effective_on;

-- Later changes are dated by the column too: 3 paid 200 on 2025-04-05,
-- then 300 more on 2025-04-20; a correction of the amount paid (500 to
-- 450) keeps the date given.  A payment dated before the issue date is
-- booked on the issue date; one with no date, the day it is seen.
UPDATE dated_invoice SET paid = 200, paid_date = '2025-04-05' WHERE id = 3;
UPDATE dated_invoice SET paid = 500, paid_date = '2025-04-20' WHERE id = 3;
UPDATE dated_invoice SET paid = 450 WHERE id = 3;
-- new invoices arriving paid (the fast path): 4 paid on 2025-04-02, 5
-- "paid" on 2025-01-01, before its issue date 2025-04-01
INSERT INTO dated_invoice VALUES
    (4, 'dated-south', 300.00, '2025-04-01', '2025-05-01', 100.00, '2025-04-02'),
    (5, 'dated-south', 300.00, '2025-04-01', '2025-05-01', 300.00, '2025-01-01');
INSERT INTO dated_invoice VALUES
    (6, 'dated-south', 300.00, '2025-04-01', '2025-05-01', 120.00, NULL);
SELECT invoice_key, kind, amount, effective_on = current_date AS seen_today,
       CASE WHEN effective_on <> current_date THEN effective_on END AS effective_on
  FROM arcollect.ledger_entries
 WHERE billing_table = 'dated_invoice' AND invoice_key IN ('3', '4', '5', '6')
 ORDER BY invoice_key, entry_id NULLS FIRST;
-- The same three rows booked by SQL (attaching a table that holds them)
-- get the same entries as through the fast path.
CREATE TABLE dated_twin (LIKE dated_invoice INCLUDING ALL);
INSERT INTO dated_twin SELECT * FROM dated_invoice WHERE id IN (4, 5, 6);
SELECT arcollect.attach('dated_twin', key => 'id', customer => 'customer', amount => 'total',
                        due_on => 'due', issued_on => 'issued', paid => 'paid',
                        default_currency => 'EUR', paid_on => 'paid_date');
SELECT t.invoice_key, t.kind, t.amount, t.effective_on = f.effective_on AS same_date
  FROM arcollect.ledger_entries t
  FULL JOIN (SELECT * FROM arcollect.ledger_entries
              WHERE billing_table = 'dated_invoice' AND invoice_key IN ('4', '5', '6')) f
         USING (invoice_key, kind, amount)
 WHERE t.billing_table = 'dated_twin'
 ORDER BY t.invoice_key, t.kind;
-- as of 2025-04-10: 3 has 300 open (paid 200 on 04-05), 4 has 200, 5 is
-- paid (from its issue date), 6 has 300 (its 120 are booked today)
SELECT invoice_key, open_amount FROM arcollect.open_items('2025-04-10')
 WHERE billing_table = 'dated_invoice'::regclass ORDER BY invoice_key::int;
SELECT * FROM arcollect.reconcile('dated_invoice');

-- A payment date of infinity is quarantined (invalid_date).
UPDATE dated_invoice SET paid_date = 'infinity' WHERE id = 4;
SELECT invoice_key, reason FROM arcollect.quarantined_rows WHERE table_name = 'dated_invoice';
UPDATE dated_invoice SET paid_date = '2025-04-02' WHERE id = 4;
SELECT * FROM arcollect.reconcile('dated_invoice');

-- Attaching the undated table again with paid_on dates its payments:
-- those booked on the day of the first attach are taken back and booked
-- again on their paid_on dates.  The aging as of 2025-03-31 now shows 500.
SELECT arcollect.attach('undated_invoice', key => 'id', customer => 'customer', amount => 'total',
                        due_on => 'due', issued_on => 'issued', paid => 'paid',
                        default_currency => 'EUR', paid_on => 'paid_date');
SELECT arcollect.aging(due_on, open_amount, date '2025-03-31') AS buckets, sum(open_amount)
  FROM arcollect.open_items('2025-03-31') WHERE billing_table = 'undated_invoice'::regclass;
SELECT invoice_key, kind, amount, effective_on = current_date AS seen_today,
       CASE WHEN effective_on <> current_date THEN effective_on END AS effective_on
  FROM arcollect.ledger_entries
 WHERE billing_table = 'undated_invoice' ORDER BY invoice_key::int, entry_id NULLS FIRST;
SELECT * FROM arcollect.reconcile('undated_invoice');

-- An open column with a timestamptz date: the open amount fell from 600
-- to 250 on 2025-02-14.
CREATE TABLE open_invoice (id text PRIMARY KEY, customer text NOT NULL, total numeric NOT NULL,
                           issued date NOT NULL, due date NOT NULL, open numeric,
                           last_paid timestamptz);
INSERT INTO open_invoice VALUES ('O1', 'dated-west', 600, '2025-01-15', '2025-02-14', 250,
                                 '2025-02-14 12:00+00');
SELECT arcollect.attach('open_invoice', key => 'id', customer => 'customer', amount => 'total',
                        due_on => 'due', issued_on => 'issued', open => 'open',
                        default_currency => 'EUR', paid_on => 'last_paid');
SELECT invoice_key, open_amount FROM arcollect.open_items('2025-02-13')
 WHERE billing_table = 'open_invoice'::regclass;
SELECT invoice_key, open_amount FROM arcollect.open_items('2025-02-14')
 WHERE billing_table = 'open_invoice'::regclass;
SELECT * FROM arcollect.reconcile('open_invoice');

-- paid_on must be a date column, and dates the paid or open column.
SELECT arcollect.attach('open_invoice', key => 'id', customer => 'customer', amount => 'total',
                        due_on => 'due', issued_on => 'issued', open => 'open',
                        default_currency => 'EUR', paid_on => 'customer');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT arcollect.attach('open_invoice', key => 'id', customer => 'customer', amount => 'total',
                        due_on => 'due', issued_on => 'issued',
                        default_currency => 'EUR', paid_on => 'last_paid');
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- The paid_on column is quoted like every other: a name with quotes and
-- an SQL fragment is a name, and nothing runs.
CREATE TABLE "paid on; --" (id int PRIMARY KEY, c text NOT NULL, amt numeric NOT NULL,
                            iss date NOT NULL, due date NOT NULL, paid numeric,
                            "when'); DROP TABLE open_invoice; --" date);
INSERT INTO "paid on; --" VALUES (1, 'dated-east', 100, '2025-01-01', '2025-01-31', 40, '2025-01-20');
SELECT arcollect.attach('"paid on; --"', key => 'id', customer => 'c', amount => 'amt',
                        due_on => 'due', issued_on => 'iss', paid => 'paid', default_currency => 'EUR',
                        paid_on => 'when''); DROP TABLE open_invoice; --');
UPDATE "paid on; --" SET paid = 100, "when'); DROP TABLE open_invoice; --" = '2025-02-01';
SELECT d.as_of, o.open_amount
  FROM (VALUES (date '2025-01-19'), (date '2025-01-20'), (date '2025-02-01')) d(as_of)
 CROSS JOIN LATERAL arcollect.open_items(d.as_of) o
 WHERE o.billing_table = '"paid on; --"'::regclass ORDER BY d.as_of;
SELECT count(*) AS open_invoice_rows FROM open_invoice;
SELECT * FROM arcollect.reconcile('"paid on; --"');
