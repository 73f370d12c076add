-- Runs as role arcollect_suite with an empty search_path (README, Tests).
-- As-of queries against an independent computation.  Random invoices and
-- random payments, credit notes, write-offs and overpayments, then random
-- corrections (amounts, issue dates, payments moved, changed and deleted);
-- for many past dates the ledger's open items, aging and balance must equal
-- what plain SQL computes straight from the billing and payments tables.
BEGIN;
SELECT tap.plan(128);

SET LOCAL client_min_messages = error;
\ir include/tap_helpers.sql

CREATE TABLE billing.asof_invoice (
    id        integer PRIMARY KEY,
    customer  text NOT NULL,
    amount    numeric(12,2) NOT NULL,
    issued    date NOT NULL,
    due       date NOT NULL,
    currency  text NOT NULL,
    doc       text NOT NULL DEFAULT 'invoice'
);
CREATE TABLE billing.asof_payment (
    id        serial PRIMARY KEY,
    invoice   integer NOT NULL,
    amount    numeric(12,2) NOT NULL,
    paid_on   date NOT NULL,
    kind      text NOT NULL
);
SELECT arcollect.attach('billing.asof_invoice', key => 'id', customer => 'customer', amount => 'amount',
                        due_on => 'due', issued_on => 'issued', currency => 'currency', status => 'doc');
SELECT arcollect.attach_payments('billing.asof_payment', invoice_key => 'invoice', amount => 'amount',
                                 paid_on => 'paid_on', kind => 'kind', invoices => 'billing.asof_invoice');

SELECT setseed(0.17);
INSERT INTO billing.asof_invoice
SELECT g, 'C' || (g % 23), CASE WHEN g % 17 = 0 THEN -round((random() * 200)::numeric, 2)
                                ELSE round((50 + random() * 2000)::numeric, 2) END,
       d, d + (ARRAY[0, 14, 30, 60])[1 + g % 4], (ARRAY['EUR', 'USD', 'GBP'])[1 + g % 3],
       CASE WHEN g % 17 = 0 THEN 'credit' ELSE 'invoice' END
  FROM generate_series(1, 400) g
 CROSS JOIN LATERAL (SELECT date '2024-01-01' + floor(random() * 365)::int + g * 0 AS d) x;
-- Payments: partial, full, over; credit notes and write-offs; dated
-- after the issue date.
INSERT INTO billing.asof_payment (invoice, amount, paid_on, kind)
SELECT i.id, round((i.amount * (ARRAY[0.25, 0.5, 1.0, 1.1])[1 + floor(random() * 4)::int])::numeric, 2),
       i.issued + floor(random() * 120)::int,
       (ARRAY['payment', 'payment', 'payment', 'credit note', 'write-off'])[1 + floor(random() * 5)::int]
  FROM billing.asof_invoice i, generate_series(1, 2) n
 WHERE i.amount > 0 AND random() < 0.7;
-- Corrections, all dated by the data: invoice amounts and issue dates,
-- payments changed, moved to other dates and deleted.
UPDATE billing.asof_invoice SET amount = amount + 10 WHERE id % 7 = 0 AND amount > 0;
UPDATE billing.asof_invoice SET issued = issued - 3 WHERE id % 13 = 0;
UPDATE billing.asof_payment SET amount = amount / 2 WHERE id % 5 = 0;
UPDATE billing.asof_payment SET paid_on = paid_on + 9 WHERE id % 6 = 0;
DELETE FROM billing.asof_payment WHERE id % 9 = 0;

SELECT tap.is((SELECT count(*) FROM arcollect.reconcile('billing.asof_invoice'))
            + (SELECT count(*) FROM arcollect.reconcile('billing.asof_payment')), 0::bigint,
              'the ledger agrees with both tables');

-- The independent computation: open amount of each invoice at d straight
-- from the two tables.
CREATE FUNCTION pg_temp.expected_open(d date)
RETURNS TABLE (invoice_key text, currency text, due_on date, open_amount numeric)
LANGUAGE sql AS $$
    SELECT i.id::text, i.currency, i.due,
           i.amount - coalesce((SELECT sum(p.amount) FROM billing.asof_payment p
                                 WHERE p.invoice = i.id AND p.paid_on <= d), 0)
      FROM billing.asof_invoice i
     WHERE i.issued <= d
$$;
CREATE FUNCTION pg_temp.ledger_open(d date)
RETURNS TABLE (invoice_key text, currency text, due_on date, open_amount numeric)
LANGUAGE sql AS $$
    SELECT o.invoice_key, o.currency, o.due_on, o.open_amount
      FROM arcollect.open_items(d) o
     WHERE o.billing_table = 'billing.asof_invoice'::regclass
$$;

CREATE TEMP TABLE asof_dates AS
SELECT date '2024-01-01' + 20 * n AS d FROM generate_series(0, 19) n;

-- 1. open items at each date, invoice by invoice
SELECT tap.is((SELECT count(*) FROM ((SELECT * FROM pg_temp.expected_open(d) EXCEPT ALL SELECT * FROM pg_temp.ledger_open(d))
                                     UNION ALL
                                     (SELECT * FROM pg_temp.ledger_open(d) EXCEPT ALL SELECT * FROM pg_temp.expected_open(d))) x),
              0::bigint, format('open items on %s equal the independent computation', d))
  FROM asof_dates ORDER BY d;

-- 2. the aging aggregate on open_items equals plain SQL buckets
SELECT tap.is((SELECT array_agg(b ORDER BY c) FROM (
                   SELECT currency AS c, arcollect.aging(due_on, open_amount, d) AS b
                     FROM pg_temp.ledger_open(d) GROUP BY currency) x),
              (SELECT array_agg(b ORDER BY c) FROM (
                   SELECT currency AS c,
                          ARRAY[coalesce(sum(open_amount) FILTER (WHERE d <= due_on), 0),
                                coalesce(sum(open_amount) FILTER (WHERE d - due_on BETWEEN 1 AND 30), 0),
                                coalesce(sum(open_amount) FILTER (WHERE d - due_on BETWEEN 31 AND 60), 0),
                                coalesce(sum(open_amount) FILTER (WHERE d - due_on BETWEEN 61 AND 90), 0),
                                coalesce(sum(open_amount) FILTER (WHERE d - due_on > 90), 0)] AS b
                     FROM pg_temp.expected_open(d) GROUP BY currency) y),
              format('aging on %s equals plain SQL buckets of the independent open amounts', d))
  FROM asof_dates ORDER BY d;

-- 3. aging total equals the receivables balance on that date
SELECT tap.is((SELECT array_agg(currency || ' ' || balance ORDER BY currency)
                 FROM arcollect.receivables_balance(d, 'billing.asof_invoice')),
              (SELECT array_agg(currency || ' ' || total ORDER BY currency)
                 FROM (SELECT currency, sum(open_amount) AS total FROM pg_temp.expected_open(d)
                        GROUP BY currency) x),
              format('balance on %s equals the aging total', d))
  FROM asof_dates ORDER BY d;

-- 4-6. The whole ledger, with what the billing tables cannot say: invoices
-- deleted with payments on them (the ledger keeps their credit), deleted
-- unpaid and paid in full, payments for keys never billed, and a second
-- billing table.  The reference is plain SQL over the ledger's own tables:
-- each invoice's booking (once booked_on has passed) and its entries
-- effective by d, summed per key (the sum of arcollect._history), for the
-- invoices issued by d that are in billing or have something open.
CREATE TABLE billing.asof_other (id integer PRIMARY KEY, customer text, amount numeric, issued date, due date);
SELECT arcollect.attach('billing.asof_other', key => 'id', customer => 'customer', amount => 'amount',
                        due_on => 'due', issued_on => 'issued', default_currency => 'CHF');
INSERT INTO billing.asof_other
SELECT g, 'D' || g % 5, 100 + g, date '2024-02-01' + g, date '2024-03-01' + g FROM generate_series(1, 30) g;
DELETE FROM billing.asof_other WHERE id % 10 = 0;
DELETE FROM billing.asof_invoice WHERE id % 11 = 0;
INSERT INTO billing.asof_payment (invoice, amount, paid_on, kind)
SELECT 5000 + g, 10 + g, date '2024-03-01' + 7 * g, 'payment' FROM generate_series(1, 12) g;

SELECT tap.is((SELECT count(*) FROM arcollect.reconcile('billing.asof_invoice'))
            + (SELECT count(*) FROM arcollect.reconcile('billing.asof_payment'))
            + (SELECT count(*) FROM arcollect.reconcile('billing.asof_other')), 0::bigint,
              'after the deletions the ledger still agrees with the three tables');
SELECT tap.ok((SELECT count(*) FROM arcollect.invoice WHERE NOT in_billing) > 30
              AND (SELECT count(*) FROM arcollect.entry e
                    WHERE NOT EXISTS (SELECT FROM arcollect.invoice i
                                       WHERE i.attachment_id = e.attachment_id AND i.invoice_key = e.invoice_key)) = 12,
              'the ledger holds deleted invoices and keys known only from payments');

CREATE FUNCTION pg_temp.reference_open(d date)
RETURNS TABLE (invoice_key text, currency text, due_on date, open_amount numeric, billing_table regclass, in_billing boolean)
LANGUAGE sql AS $$
    SELECT i.invoice_key, i.currency, i.due_on, coalesce(h.total, 0), a.billing_table, i.in_billing
      FROM arcollect.invoice i
      JOIN arcollect.attachment a ON a.attachment_id = i.attachment_id
      LEFT JOIN (SELECT x.attachment_id, x.invoice_key, sum(x.amount) AS total
                   FROM (SELECT b.attachment_id, b.invoice_key, b.booked_amount AS amount, b.booked_on AS effective_on
                           FROM arcollect.invoice b WHERE b.booked_on IS NOT NULL
                         UNION ALL
                         SELECT e.attachment_id, e.invoice_key, e.amount, e.effective_on FROM arcollect.entry e) x
                  WHERE x.effective_on <= d
                  GROUP BY x.attachment_id, x.invoice_key) h
             ON h.attachment_id = i.attachment_id AND h.invoice_key = i.invoice_key
     WHERE i.issued_on <= d AND (i.in_billing OR coalesce(h.total, 0) <> 0)
$$;
CREATE FUNCTION pg_temp.all_open(d date)
RETURNS TABLE (invoice_key text, currency text, due_on date, open_amount numeric, billing_table regclass, in_billing boolean)
LANGUAGE sql AS $$
    SELECT o.invoice_key, o.currency, o.due_on, o.open_amount, o.billing_table, o.in_billing
      FROM arcollect.open_items(d) o
$$;

-- 4. open items of the whole ledger at each date, invoice by invoice
SELECT tap.is((SELECT count(*) FROM ((SELECT * FROM pg_temp.reference_open(d) EXCEPT ALL SELECT * FROM pg_temp.all_open(d))
                                     UNION ALL
                                     (SELECT * FROM pg_temp.all_open(d) EXCEPT ALL SELECT * FROM pg_temp.reference_open(d))) x),
              0::bigint, format('open items of the whole ledger on %s equal the sum of its history', d))
  FROM asof_dates ORDER BY d;

-- 5. the balance of the whole ledger and of each table at each date
SELECT tap.is((SELECT array_agg(currency || ' ' || balance ORDER BY currency)
                 FROM arcollect.receivables_balance(d))
              || (SELECT array_agg(currency || ' ' || balance ORDER BY currency)
                    FROM arcollect.receivables_balance(d, 'billing.asof_other')),
              (SELECT array_agg(currency || ' ' || total ORDER BY currency)
                 FROM (SELECT currency, sum(open_amount) AS total FROM pg_temp.reference_open(d) GROUP BY currency) x)
              || (SELECT array_agg(currency || ' ' || total ORDER BY currency)
                    FROM (SELECT currency, sum(open_amount) AS total FROM pg_temp.reference_open(d)
                           WHERE billing_table = 'billing.asof_other'::regclass GROUP BY currency) x),
              format('balance of the ledger and of one table on %s equal the sum of its history', d))
  FROM asof_dates ORDER BY d;

-- 6. the aging of open_items of the whole ledger ties out to the balance
SELECT tap.is((SELECT array_agg(currency || ' ' || (b[1] + b[2] + b[3] + b[4] + b[5]) ORDER BY currency)
                 FROM (SELECT currency, arcollect.aging(due_on, open_amount, d) AS b
                         FROM arcollect.open_items(d) GROUP BY currency) x),
              (SELECT array_agg(currency || ' ' || balance ORDER BY currency)
                 FROM arcollect.receivables_balance(d)),
              format('aging of the whole ledger on %s ties out to the balance', d))
  FROM asof_dates ORDER BY d;

-- reconcile runs its statement without JIT, and leaves the caller's setting
SET LOCAL jit = on;
SELECT tap.is((SELECT count(*) FROM arcollect.reconcile('billing.asof_invoice')) || ' ' || current_setting('jit'),
              '0 on', 'reconcile leaves the session''s jit setting as it was');

-- 7. open_items and receivables_balance are inlined into the query that
-- calls them (planned with its date, no function scan of their own), and
-- run in parallel when it pays.
-- (the policies of row-level security scan a function of their own,
-- arcollect.scope_customers: access_policies.sql)
SELECT tap.doesnt_match(pg_temp.tap_plan('SELECT count(*), sum(open_amount) FROM arcollect.open_items(current_date)'),
                        'Function Scan on (open_items|receivables_balance)', 'open_items is inlined into the calling query');
SELECT tap.doesnt_match(pg_temp.tap_plan('SELECT * FROM arcollect.receivables_balance(current_date)'),
                        'Function Scan on (open_items|receivables_balance)', 'receivables_balance is inlined into the calling query');
-- (with the statistics of this file's rows: the files before it roll
-- back what they wrote, and an autovacuum that then finds the ledger's
-- tables empty leaves pages and no rows, whereupon the planner expects a
-- row and reads none of it in parallel; ANALYZE is the tables' owner's)
SET ROLE NONE;
ANALYZE arcollect.invoice, arcollect.entry;
RESET ROLE;
SET LOCAL max_parallel_workers_per_gather = 2;
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SELECT tap.matches(pg_temp.tap_plan('SELECT count(*), sum(open_amount) FROM arcollect.open_items(current_date)'),
                   'Parallel Seq Scan on invoice', 'open_items runs in parallel when it pays');
SELECT tap.matches(pg_temp.tap_plan('SELECT * FROM arcollect.receivables_balance(current_date)'),
                   'Parallel Seq Scan on invoice', 'receivables_balance runs in parallel when it pays');

SELECT * FROM tap.finish();
ROLLBACK;
