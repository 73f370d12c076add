-- arcollect demo: a year of generated receivables for a few hundred
-- customers, then the reports a finance team reads.  Run by scripts/demo.sh;
-- everything lives in schema arcollect_demo, made afresh each run.
\set ON_ERROR_STOP on
\pset footer off
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS arcollect_demo CASCADE;
CREATE SCHEMA arcollect_demo;
CREATE EXTENSION IF NOT EXISTS arcollect;

-- Customers with a payment habit: most pay about on time, some run late,
-- a few are chronically late or stop paying.
SELECT setseed(0.42) \gset
CREATE TABLE arcollect_demo.customer AS
SELECT format('C%s', lpad(n::text, 4, '0')) AS customer_id,
       (ARRAY['Ana', 'Ben', 'Chloe'])[1 + n % 3] AS collector,
       (ARRAY[30, 30, 45, 60])[1 + (random() * 3)::int] AS terms_days,
       CASE WHEN r < 0.55 THEN 'prompt' WHEN r < 0.85 THEN 'slow'
            WHEN r < 0.97 THEN 'late' ELSE 'stopped' END AS habit
FROM (SELECT n, random() AS r FROM generate_series(1, 300) AS n) AS c;

-- About twenty invoices per customer over 2025; payment delay by habit.
CREATE TABLE arcollect_demo.invoice AS
WITH drawn AS (
    SELECT c.customer_id, c.terms_days, c.habit,
           date '2025-01-01' + (random() * 364)::int AS issued_on,
           round((50 + random() * 4950)::numeric, 2) AS amount,
           random() AS r1, random() AS r2
    FROM arcollect_demo.customer AS c, generate_series(1, 20)
)
SELECT customer_id, issued_on, issued_on + terms_days AS due_on, amount,
       CASE habit
           WHEN 'prompt' THEN issued_on + terms_days - 5 + (r1 * 12)::int
           WHEN 'slow' THEN issued_on + terms_days + (r1 * 35)::int
           WHEN 'late' THEN issued_on + terms_days + 20 + (r1 * 100)::int
           ELSE CASE WHEN issued_on < date '2025-07-01'
                     THEN issued_on + terms_days + 30 + (r1 * 60)::int END
       END AS paid_on,
       r2 < 0.05 AS partly_paid
FROM drawn;

-- As of the last day of 2025: what was paid later is still open, and a few
-- invoices were part-paid.
CREATE VIEW arcollect_demo.open_item AS
SELECT customer_id, issued_on, due_on, amount, paid_on,
       CASE WHEN paid_on <= date '2025-12-31' THEN 0
            WHEN partly_paid THEN round(amount / 2, 2)
            ELSE amount END AS open_amount
FROM arcollect_demo.invoice;

\echo
\echo '== Sample data =='
SELECT count(DISTINCT customer_id) AS customers, count(*) AS invoices,
       sum(amount) AS billed_2025, sum(open_amount) AS open_at_2025_12_31
FROM arcollect_demo.open_item;

\echo
\echo '== Aging as of 2025-12-31 (open amount per bucket) =='
SELECT bucket, amount, round(100 * amount / sum(amount) OVER (), 1) AS percent
FROM unnest(ARRAY['current', '1-30', '31-60', '61-90', '91+'],
            (SELECT arcollect.aging(due_on, open_amount, date '2025-12-31')
             FROM arcollect_demo.open_item)) AS a(bucket, amount);

\echo
\echo '== Aging by collector =='
SELECT c.collector, a[1] AS current, a[2] AS "1-30", a[3] AS "31-60",
       a[4] AS "61-90", a[5] AS "91+"
FROM (SELECT c.collector, arcollect.aging(o.due_on, o.open_amount, date '2025-12-31') AS a
      FROM arcollect_demo.open_item AS o JOIN arcollect_demo.customer AS c USING (customer_id)
      GROUP BY c.collector) AS c
ORDER BY c.collector;

\echo
\echo '== DSO as of 2025-12-31 (90-day period) =='
SELECT round(dso, 1) AS dso, round(countback, 1) AS countback_dso,
       round(best, 1) AS best_possible_dso, round(dso - best, 1) AS avg_days_delinquent
FROM (SELECT arcollect.dso(issued_on, amount, open_amount, date '2025-12-31') AS dso,
             arcollect.dso_countback(issued_on, amount, open_amount, date '2025-12-31') AS countback,
             arcollect.best_possible_dso(issued_on, due_on, amount, open_amount, date '2025-12-31') AS best
      FROM arcollect_demo.open_item) AS f;

\echo
\echo '== Collection Effectiveness Index, December 2025 =='
WITH month AS (
    SELECT sum(amount) FILTER (WHERE issued_on < date '2025-12-01'
                               AND (paid_on IS NULL OR paid_on >= date '2025-12-01')) AS beginning_ar,
           sum(amount) FILTER (WHERE issued_on >= date '2025-12-01') AS credit_sales,
           sum(open_amount) AS ending_ar,
           sum(open_amount) FILTER (WHERE due_on >= date '2025-12-31') AS ending_current_ar
    FROM arcollect_demo.open_item
)
SELECT beginning_ar, credit_sales, ending_ar, ending_current_ar,
       round(arcollect.cei(beginning_ar, credit_sales, ending_ar, ending_current_ar), 1) AS cei_percent
FROM month;

\echo
\echo '== Payment behaviour of invoices paid in 2025 =='
SELECT round(arcollect.avg_payment_delay(due_on, paid_on, amount), 2) AS avg_payment_delay_days,
       round(arcollect.avg_days_late(due_on, paid_on), 2) AS avg_days_late,
       arcollect.payment_index(arcollect.avg_payment_delay(due_on, paid_on, amount)) AS payment_index
FROM arcollect_demo.open_item WHERE paid_on <= date '2025-12-31';

\echo
\echo '== The ten riskiest customers =='
SELECT o.customer_id, c.collector, c.habit,
       arcollect.risk_score(o.due_on, CASE WHEN o.paid_on <= date '2025-12-31' THEN o.paid_on END,
                            o.amount, o.open_amount, date '2025-12-31') AS risk_score,
       arcollect.payment_index(arcollect.avg_payment_delay(o.due_on, least(o.paid_on, date '2025-12-31'), o.amount))
           AS payment_index,
       sum(o.open_amount) FILTER (WHERE o.due_on < date '2025-12-31') AS overdue,
       max(arcollect.days_overdue(o.due_on, date '2025-12-31')) FILTER (WHERE o.open_amount > 0) AS oldest_days
FROM arcollect_demo.open_item AS o JOIN arcollect_demo.customer AS c USING (customer_id)
GROUP BY o.customer_id, c.collector, c.habit
ORDER BY risk_score DESC, o.customer_id
LIMIT 10;

-- The same invoices in a billing table of the application's own, with its
-- receipts in a table of their own: arcollect attaches to both, keeps the
-- receivables ledger with its history, and reports from it as of any date.
CREATE TABLE arcollect_demo.billing (
    invoice_no  bigint PRIMARY KEY,
    customer_id text NOT NULL,
    amount      numeric(12,2) NOT NULL,
    issued_on   date NOT NULL,
    due_on      date,
    currency    char(3) NOT NULL DEFAULT 'EUR'
);
CREATE TABLE arcollect_demo.receipt (
    receipt_id  serial PRIMARY KEY,
    invoice_no  bigint NOT NULL,
    amount      numeric(12,2) NOT NULL,
    received_on date NOT NULL
);
SELECT arcollect.attach('arcollect_demo.billing', key => 'invoice_no', customer => 'customer_id',
                        amount => 'amount', due_on => 'due_on', issued_on => 'issued_on',
                        currency => 'currency') AS attached \gset
SELECT arcollect.attach_payments('arcollect_demo.receipt', invoice_key => 'invoice_no',
                                 amount => 'amount', paid_on => 'received_on',
                                 invoices => 'arcollect_demo.billing') AS attached \gset

\echo
\echo '== The receivables ledger: billing and receipts attached; one bad row is quarantined =='
INSERT INTO arcollect_demo.billing (invoice_no, customer_id, amount, issued_on, due_on)
SELECT row_number() OVER (ORDER BY issued_on, customer_id, amount), customer_id, amount, issued_on, due_on
FROM arcollect_demo.invoice;
-- receipts up to the end of January 2026; invoices part-paid by the end
-- of 2025 got all but the half still open on 15 December
INSERT INTO arcollect_demo.receipt (invoice_no, amount, received_on)
SELECT b.invoice_no,
       CASE WHEN half THEN b.amount - round(b.amount / 2, 2) ELSE b.amount END,
       CASE WHEN half THEN date '2025-12-15' ELSE i.paid_on END
FROM arcollect_demo.billing AS b
JOIN arcollect_demo.invoice AS i
  ON (i.customer_id, i.amount, i.issued_on) = (b.customer_id, b.amount, b.issued_on)
CROSS JOIN LATERAL (SELECT i.partly_paid AND (i.paid_on IS NULL OR i.paid_on > date '2025-12-31')) AS p(half)
WHERE i.paid_on <= date '2026-01-31' OR half;
-- a row the application got wrong: due before it was issued
INSERT INTO arcollect_demo.billing VALUES (99999, 'C0001', 120.00, '2025-12-20', '2025-11-20', 'EUR');
SELECT invoice_key, reason_text FROM arcollect.quarantined_rows
WHERE table_name = 'arcollect_demo.billing';
SELECT count(*) AS problems FROM arcollect.reconcile('arcollect_demo.billing');

\echo
\echo '== Receivables balance from the ledger, as of past dates =='
SELECT d AS as_of, b.currency, b.balance
FROM unnest(ARRAY[date '2025-03-31', date '2025-06-30', date '2025-09-30', date '2025-12-31']) AS d,
     arcollect.receivables_balance(d, 'arcollect_demo.billing') AS b;

\echo
\echo '== Aging as of 2025-12-31 from the ledger, against the report above =='
SELECT bucket, l.amount AS ledger, r.amount AS report, l.amount - r.amount AS difference
FROM unnest(ARRAY['current', '1-30', '31-60', '61-90', '91+'],
            (SELECT arcollect.aging(due_on, open_amount, date '2025-12-31')
             FROM arcollect.open_items(date '2025-12-31')
             WHERE billing_table = 'arcollect_demo.billing'::regclass),
            (SELECT arcollect.aging(due_on, open_amount, date '2025-12-31')
             FROM arcollect_demo.open_item)) AS a(bucket, l_amount, r_amount),
     LATERAL (SELECT a.l_amount) AS l(amount), LATERAL (SELECT a.r_amount) AS r(amount);

\echo
\echo '== Slowest payers by the ledger''s receipts (amount-weighted days after due date) =='
SELECT i.customer_id,
       arcollect.avg_payment_delay(i.due_on, e.effective_on, -e.amount) AS avg_days_late
FROM arcollect.ledger_entries AS e
JOIN arcollect.open_items(date '2026-01-31') AS i USING (invoice_key)
WHERE e.kind = 'payment' AND e.billing_table = 'arcollect_demo.billing'
  AND i.billing_table = 'arcollect_demo.billing'::regclass
GROUP BY i.customer_id
ORDER BY avg_days_late DESC
LIMIT 5;
