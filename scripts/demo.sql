-- arcollect demo: a year of generated receivables for a few hundred
-- customers, then the reports a credit controller reads, as of the last day
-- of 2025.  Run by scripts/demo.sh; everything lives in schema
-- arcollect_demo, made afresh each run.  Amounts are in euros; every query
-- still groups by currency, so it works unchanged on invoices in several.
\set ON_ERROR_STOP on
\pset footer off
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS arcollect_demo CASCADE;
CREATE SCHEMA arcollect_demo;
CREATE EXTENSION IF NOT EXISTS arcollect;

-- The generator.  Each customer gets a payment habit: most pay about on
-- time, some run late, a few are chronically late or stop paying.  The
-- habit, and the dates of payments still to come, stay in these temporary
-- tables: the reports see only what a billing system knows on 2025-12-31.
SELECT setseed(0.42) \gset
CREATE TEMP TABLE generated_customer AS
SELECT format('C%s', lpad(n::text, 4, '0')) AS customer_id,
       (ARRAY['Ana', 'Ben', 'Chloe'])[1 + n % 3] AS collector,
       (ARRAY[30, 30, 45, 60])[1 + (random() * 3)::int] AS terms_days,
       CASE WHEN r < 0.55 THEN 'prompt' WHEN r < 0.85 THEN 'slow'
            WHEN r < 0.97 THEN 'late' ELSE 'stopped' END AS habit
FROM (SELECT n, random() AS r FROM generate_series(1, 300) AS n) AS c;

-- About twenty invoices per customer over 2025, and when each is paid in
-- full (NULL: never); one in twenty gets half paid on 15 December.
CREATE TEMP TABLE generated_invoice AS
WITH drawn AS (
    SELECT c.customer_id, c.terms_days, c.habit,
           date '2025-01-01' + (random() * 364)::int AS issued_on,
           round((50 + random() * 4950)::numeric, 2) AS amount,
           random() AS r1, random() AS r2
    FROM generated_customer AS c, generate_series(1, 20)
), dated AS (
    SELECT customer_id, issued_on, issued_on + terms_days AS due_on, amount,
           CASE habit
               WHEN 'prompt' THEN issued_on + terms_days - 5 + (r1 * 12)::int
               WHEN 'slow' THEN issued_on + terms_days + (r1 * 35)::int
               WHEN 'late' THEN issued_on + terms_days + 20 + (r1 * 100)::int
               ELSE CASE WHEN issued_on < date '2025-07-01'
                         THEN issued_on + terms_days + 30 + (r1 * 60)::int END
           END AS paid_on,
           r2 < 0.05 AS half_paid
    FROM drawn
)
SELECT row_number() OVER (ORDER BY issued_on, customer_id, amount) AS invoice_no, *,
       half_paid AND (paid_on IS NULL OR paid_on > date '2025-12-31') AS half_paid_in_december
FROM dated;

-- What the books say on 2025-12-31: customers, and invoices with the date
-- they were paid in full if that was by then, and what is still open.
CREATE TABLE arcollect_demo.customer AS
SELECT customer_id, collector, terms_days FROM generated_customer;

CREATE TABLE arcollect_demo.invoice AS
SELECT invoice_no, customer_id, 'EUR'::text AS currency, issued_on, due_on, amount,
       CASE WHEN paid_on <= date '2025-12-31' THEN paid_on END AS paid_on,
       CASE WHEN paid_on <= date '2025-12-31' THEN 0
            WHEN half_paid_in_december THEN round(amount / 2, 2)
            ELSE amount END AS open_amount
FROM generated_invoice;

-- The payment experience the payment index is taken from, as of
-- 2025-12-31: every invoice paid by then, at its payment date, and every
-- invoice still unpaid and past due, as if paid on 2025-12-31 (it is at
-- least that late).  Invoices not yet due and unpaid say nothing yet.
CREATE VIEW arcollect_demo.payment_experience AS
SELECT customer_id, currency, due_on, amount,
       coalesce(paid_on, date '2025-12-31') AS paid_or_still_open_on
FROM arcollect_demo.invoice
WHERE paid_on IS NOT NULL OR due_on < date '2025-12-31';

\echo
\echo 'arcollect demo: 300 customers invoiced in 2025; reports as of 2025-12-31.'

\echo
\echo '== Sample data =='
SELECT currency, count(DISTINCT customer_id) AS customers, count(*) AS invoices,
       sum(amount) AS billed_2025, sum(open_amount) AS open_on_2025_12_31
FROM arcollect_demo.invoice
GROUP BY currency ORDER BY currency;

\echo
\echo '== Aging as of 2025-12-31: open amount by days past due =='
SELECT currency, bucket, open_amount,
       round(100 * open_amount / sum(open_amount) OVER (PARTITION BY currency), 1) AS percent
FROM (SELECT currency, arcollect.aging(due_on, open_amount, date '2025-12-31') AS a
      FROM arcollect_demo.invoice GROUP BY currency) AS t,
     unnest(ARRAY['current', '1-30', '31-60', '61-90', '91+'], t.a)
         WITH ORDINALITY AS b(bucket, open_amount, n)
ORDER BY currency, n;

\echo
\echo '== Aging by collector =='
SELECT collector, currency, a[1] AS current, a[2] AS "1-30", a[3] AS "31-60",
       a[4] AS "61-90", a[5] AS "91+", total
FROM (SELECT c.collector, i.currency,
             arcollect.aging(i.due_on, i.open_amount, date '2025-12-31') AS a,
             sum(i.open_amount) AS total
      FROM arcollect_demo.invoice AS i JOIN arcollect_demo.customer AS c USING (customer_id)
      GROUP BY c.collector, i.currency) AS t
ORDER BY collector, currency;

\echo
\echo '== DSO as of 2025-12-31, in days (sales of the last 90 days) =='
\echo 'best possible: the DSO if every customer paid on terms; days delinquent = DSO - best possible'
SELECT currency, round(dso, 1) AS dso, round(countback, 1) AS countback_dso,
       round(best, 1) AS best_possible_dso, round(dso - best, 1) AS avg_days_delinquent
FROM (SELECT currency,
             arcollect.dso(issued_on, amount, open_amount, date '2025-12-31') AS dso,
             arcollect.dso_countback(issued_on, amount, open_amount, date '2025-12-31') AS countback,
             arcollect.best_possible_dso(issued_on, due_on, amount, open_amount, date '2025-12-31') AS best
      FROM arcollect_demo.invoice GROUP BY currency) AS f
ORDER BY currency;

\echo
\echo '== Collection Effectiveness Index, December 2025 =='
\echo 'the share of what could be collected in December that was collected'
WITH month AS (
    SELECT currency,
           sum(amount) FILTER (WHERE issued_on < date '2025-12-01'
                               AND (paid_on IS NULL OR paid_on >= date '2025-12-01')) AS beginning_ar,
           sum(amount) FILTER (WHERE issued_on >= date '2025-12-01') AS credit_sales,
           sum(open_amount) AS ending_ar,
           sum(open_amount) FILTER (WHERE due_on >= date '2025-12-31') AS ending_current_ar
    FROM arcollect_demo.invoice
    GROUP BY currency
)
SELECT currency, beginning_ar, credit_sales, ending_ar, ending_current_ar,
       round(arcollect.cei(beginning_ar, credit_sales, ending_ar, ending_current_ar), 1) AS cei_percent
FROM month
ORDER BY currency;

\echo
\echo '== Payment behaviour as of 2025-12-31 =='
\echo 'invoices paid by then, and invoices still unpaid and past due as if paid on 2025-12-31;'
\echo 'days beyond terms weighted by amount; average days late unweighted, early payment as 0;'
\echo 'payment index of the days beyond terms: 100 = 30 days early, 80 = on terms, 50 = 30 days late'
SELECT currency, count(*) AS invoices,
       round(arcollect.avg_payment_delay(due_on, paid_or_still_open_on, amount), 1)
           AS days_beyond_terms,
       round(arcollect.avg_days_late(due_on, paid_or_still_open_on), 1) AS avg_days_late,
       arcollect.payment_index(arcollect.avg_payment_delay(due_on, paid_or_still_open_on, amount))
           AS payment_index
FROM arcollect_demo.payment_experience
GROUP BY currency ORDER BY currency;

\echo
\echo '== The ten riskiest customers (risk score 0-100) =='
\echo 'balance and overdue: open amounts on 2025-12-31; payment index as above, per customer'
WITH risk AS (
    SELECT customer_id, currency,
           arcollect.risk_score(due_on, paid_on, amount, open_amount, date '2025-12-31') AS risk_score,
           sum(open_amount) AS balance,
           sum(open_amount) FILTER (WHERE due_on < date '2025-12-31') AS overdue,
           max(arcollect.days_overdue(due_on, date '2025-12-31')) FILTER (WHERE open_amount > 0)
               AS oldest_days_overdue
    FROM arcollect_demo.invoice
    GROUP BY customer_id, currency
), payment AS (
    SELECT customer_id, currency,
           arcollect.payment_index(arcollect.avg_payment_delay(due_on, paid_or_still_open_on, amount))
               AS payment_index
    FROM arcollect_demo.payment_experience
    GROUP BY customer_id, currency
)
SELECT r.customer_id, c.collector, r.currency, r.balance, r.overdue, r.oldest_days_overdue,
       p.payment_index, r.risk_score
FROM risk AS r
JOIN arcollect_demo.customer AS c USING (customer_id)
LEFT JOIN payment AS p USING (customer_id, currency)
ORDER BY r.risk_score DESC, r.customer_id
LIMIT 10;

\echo
\echo '== Why they score high: the four factors of the risk score =='
\echo 'days late: amount-weighted, of invoices paid or past due (35 points, full at 60 days);'
\echo 'late: share of those paid late or still overdue (20); overdue: share of the open balance'
\echo 'past due (20); oldest: days the oldest open item is overdue (25 points, full at 120 days)'
WITH invoice AS (
    SELECT *, date '2025-12-31' AS d,
           amount > 0 AND (paid_on <= date '2025-12-31' OR due_on < date '2025-12-31') AS recorded
    FROM arcollect_demo.invoice
), factor AS (
    SELECT customer_id, currency,
           arcollect.risk_score(due_on, paid_on, amount, open_amount, d) AS risk_score,
           sum(amount * greatest(least(coalesce(paid_on, d), d) - due_on, 0)) FILTER (WHERE recorded)
             / nullif(sum(amount) FILTER (WHERE recorded), 0) AS days_late,
           count(*) FILTER (WHERE recorded AND least(coalesce(paid_on, d), d) > due_on)::numeric
             / nullif(count(*) FILTER (WHERE recorded), 0) AS late_share,
           sum(open_amount) FILTER (WHERE open_amount > 0 AND due_on < d)
             / nullif(sum(open_amount) FILTER (WHERE open_amount > 0), 0) AS overdue_share,
           max(d - due_on) FILTER (WHERE open_amount > 0 AND due_on < d) AS oldest_overdue_days
    FROM invoice
    GROUP BY customer_id, currency
)
SELECT customer_id, currency, risk_score,
       round(days_late, 1) AS days_late,
       round(35 * least(coalesce(days_late, 0) / 60, 1), 2) AS days_late_pts,
       round(100 * late_share, 1) AS late_pct,
       round(20 * coalesce(late_share, 0), 2) AS late_pts,
       round(100 * overdue_share, 1) AS overdue_pct,
       round(20 * coalesce(overdue_share, 0), 2) AS overdue_pts,
       oldest_overdue_days,
       round(25 * least(coalesce(oldest_overdue_days, 0) / 120.0, 1), 2) AS oldest_pts
FROM factor
ORDER BY risk_score DESC, customer_id
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

-- The application writes its invoices, then its receipts up to the end of
-- January 2026: the halves paid on 15 December, and every invoice paid in
-- full by 31 January (the rest of a half-paid invoice included).
INSERT INTO arcollect_demo.billing (invoice_no, customer_id, amount, issued_on, due_on, currency)
SELECT invoice_no, customer_id, amount, issued_on, due_on, currency
FROM arcollect_demo.invoice;
INSERT INTO arcollect_demo.receipt (invoice_no, amount, received_on)
SELECT invoice_no, amount - round(amount / 2, 2), date '2025-12-15'
FROM generated_invoice WHERE half_paid_in_december
UNION ALL
SELECT invoice_no, CASE WHEN half_paid_in_december THEN round(amount / 2, 2) ELSE amount END, paid_on
FROM generated_invoice WHERE paid_on <= date '2026-01-31'
ORDER BY 3, 1;

\echo
\echo '== The receivables ledger =='
\echo 'The application''s billing and receipt tables are attached to the ledger, and the application'
\echo 'has written its 6,000 invoices and its receipts through 31 January 2026.'
\echo
\echo 'Now, on purpose, it writes a bad row: invoice 99999, due (2025-11-20) before it was issued'
\echo '(2025-12-20). The write goes through; arcollect keeps the row out of the ledger, in'
\echo 'quarantine, and warns the session that wrote it. What that session sees:'
\echo
INSERT INTO arcollect_demo.billing VALUES (99999, 'C0001', 120.00, '2025-12-20', '2025-11-20', 'EUR');
\echo
\echo 'In quarantine, until the application corrects or deletes the row:'
SELECT invoice_key, reason_text FROM arcollect.quarantined_rows
WHERE table_name = 'arcollect_demo.billing';

\echo
\echo '== Tie-out: where the ledger and the tables disagree (arcollect.reconcile) =='
SELECT t AS attached_table, (SELECT count(*) FROM arcollect.reconcile(t)) AS differences
FROM unnest(ARRAY['arcollect_demo.billing'::regclass, 'arcollect_demo.receipt'::regclass]) AS t;

\echo
\echo '== Receivables balance from the ledger, at the end of past quarters =='
SELECT d AS as_of, b.currency, b.balance
FROM unnest(ARRAY[date '2025-03-31', date '2025-06-30', date '2025-09-30', date '2025-12-31']) AS d,
     arcollect.receivables_balance(d, 'arcollect_demo.billing') AS b
ORDER BY as_of, currency;

\echo
\echo '== Aging as of 2025-12-31 from the ledger, after January''s receipts, against the first report =='
WITH ledger AS (
    SELECT currency, arcollect.aging(due_on, open_amount, date '2025-12-31') AS a
    FROM arcollect.open_items(date '2025-12-31')
    WHERE billing_table = 'arcollect_demo.billing'::regclass
    GROUP BY currency
), report AS (
    SELECT currency, arcollect.aging(due_on, open_amount, date '2025-12-31') AS a
    FROM arcollect_demo.invoice
    GROUP BY currency
)
SELECT currency, b.bucket, b.ledger, b.report, b.ledger - b.report AS difference
FROM ledger JOIN report USING (currency),
     unnest(ARRAY['current', '1-30', '31-60', '61-90', '91+'], ledger.a, report.a)
         WITH ORDINALITY AS b(bucket, ledger, report, n)
ORDER BY currency, n;

\echo
\echo '== Slowest payers of 2025, from the ledger''s receipts =='
\echo 'receipts received in 2025; days from due date to receipt, weighted by the amount received'
SELECT i.customer_id, i.currency, count(*) AS receipts, sum(-e.amount) AS received,
       round(arcollect.avg_payment_delay(i.due_on, e.effective_on, -e.amount), 1)
           AS avg_payment_delay_days
FROM arcollect.entry AS e
JOIN arcollect.invoice AS i USING (attachment_id, invoice_key)
JOIN arcollect.attachment AS a USING (attachment_id)
WHERE a.billing_table = 'arcollect_demo.billing'::regclass
  AND e.kind = 'payment' AND e.effective_on <= date '2025-12-31'
GROUP BY i.customer_id, i.currency
ORDER BY avg_payment_delay_days DESC, i.customer_id
LIMIT 5;
