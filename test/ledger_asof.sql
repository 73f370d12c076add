-- Runs as role arcollect_suite with an empty search_path (README, Tests).
-- As-of queries against an independent computation.  Random invoices and
-- random payments, credit notes, write-offs and overpayments, then random
-- corrections (amounts, issue dates, payments moved, changed and deleted);
-- for many past dates the ledger's open items, aging and balance must equal
-- what plain SQL computes straight from the billing and payments tables.
BEGIN;
SELECT tap.plan(61);

SET LOCAL client_min_messages = error;

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

SELECT * FROM tap.finish();
ROLLBACK;
