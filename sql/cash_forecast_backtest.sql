-- The cash forecast backtested on real data nobody here wrote: IBM's
-- "Accounts Receivable" sample (test/data/README.md), 2,466 invoices of
-- 2012 and 2013, every one settled, with the day it was settled.
--
-- The sample is booked as a billing system would have booked it: each
-- invoice on its invoice date, in a billing table, and its settlement as
-- one payment on the day it was settled, in a payments table, both
-- attached to the ledger; so arcollect.open_items(d) is what was open at
-- the end of day d, and invoice_paid_on(d) knows only the payments made
-- by then.  The file says whether an invoice was disputed, not when:
-- each disputed invoice gets a dispute opened on its due date (on the day
-- it was settled, if that was earlier) and resolved on the day it was
-- settled, imported as pg_restore would (created in the past, by the
-- tables' owner).
--
-- Then the forecast is made from the first day of every month from April
-- 2012 (three months of history behind it) to October 2013 (the last
-- whose 13 weeks the sample still covers: it holds only invoices settled
-- by early January 2014), and compared week by week with what was paid
-- on what was open that day, as the file says it was paid.  The error is
-- the WAPE over the 13 weeks: the sum of |forecast - actual| over the
-- sum of actual, in percent, per date and over all dates; beside it the
-- naive forecast (every open amount paid on its due date, overdue ones in
-- week 1) and the forecast that shifts each due date by the customer's
-- average payment delay so far (arcollect.avg_payment_delay), which the
-- model replaced (README, Cash forecast).
--
-- Everything runs in a database of its own, so that nothing else in a
-- ledger takes part.
SELECT current_database() AS regress_db \gset
SET client_min_messages = warning;
DROP DATABASE IF EXISTS arcollect_backtest;
CREATE DATABASE arcollect_backtest;
\c arcollect_backtest
SET client_min_messages = warning;
SET datestyle = ISO;
CREATE EXTENSION arcollect;

CREATE TABLE ibm_raw (country_code text, customer_id text, paperless_date text,
                      invoice_number text, invoice_date text, due_date text,
                      invoice_amount numeric, disputed text, settled_date text,
                      paperless_bill text, days_to_settle integer, days_late integer);
\copy ibm_raw FROM 'test/data/ibm-accounts-receivable.csv' WITH (FORMAT csv, HEADER true)
CREATE TABLE ibm AS
SELECT invoice_number, customer_id, invoice_amount AS amount,
       to_date(invoice_date, 'MM/DD/YYYY') AS issued_on,
       to_date(due_date, 'MM/DD/YYYY') AS due_on,
       to_date(settled_date, 'MM/DD/YYYY') AS paid_on,
       disputed = 'Yes' AS disputed
FROM ibm_raw;

CREATE TABLE ibm_invoice (invoice_number text PRIMARY KEY, customer_id text NOT NULL,
                          amount numeric(12,2) NOT NULL, issued_on date NOT NULL, due_on date NOT NULL);
CREATE TABLE ibm_payment (invoice_number text PRIMARY KEY, amount numeric(12,2) NOT NULL,
                          paid_on date NOT NULL);
SELECT arcollect.attach('ibm_invoice', key => 'invoice_number', customer => 'customer_id',
                        amount => 'amount', due_on => 'due_on', issued_on => 'issued_on',
                        default_currency => 'USD') AS imported;
SELECT arcollect.attach_payments('ibm_payment', invoice_key => 'invoice_number', amount => 'amount',
                                 paid_on => 'paid_on', invoices => 'ibm_invoice') AS imported;
INSERT INTO ibm_invoice SELECT invoice_number, customer_id, amount, issued_on, due_on FROM ibm;
INSERT INTO ibm_payment SELECT invoice_number, amount, paid_on FROM ibm;
INSERT INTO arcollect.dispute (attachment_id, invoice_key, customer_id, currency, reason_code,
                               disputed_amount, status, opened_on, closed_on, note,
                               created_by, created_at, closed_by, closed_at)
SELECT a.attachment_id, i.invoice_number, i.customer_id, 'USD', 'other', i.amount, 'resolved',
       least(i.due_on, i.paid_on), i.paid_on, 'IBM sample: disputed',
       current_user, least(i.due_on, i.paid_on), current_user, i.paid_on
  FROM ibm i JOIN arcollect.attachment a ON a.billing_table = 'ibm_invoice'::regclass
 WHERE i.disputed;

-- the ledger holds the sample: everything paid today, and on 2013-06-30
-- what the file says was open then
SELECT count(*) AS invoices, sum(open_amount) AS open_now FROM arcollect.open_items();
SELECT (SELECT sum(open_amount) FROM arcollect.open_items('2013-06-30'))
       = (SELECT sum(amount) FROM ibm WHERE issued_on <= '2013-06-30' AND paid_on > '2013-06-30')
       AS open_on_2013_06_30_agrees;
SELECT count(*) AS disputes FROM arcollect.dispute;

CREATE TABLE backtest_date AS
SELECT d::date AS as_of FROM generate_series(date '2012-04-01', date '2013-10-01', interval '1 month') d;

-- What was actually paid in each week on what was open at the end of
-- each date (every such invoice was paid within the 13 weeks).
CREATE TABLE actual AS
SELECT b.as_of, (i.paid_on - b.as_of - 1) / 7 + 1 AS week_no, sum(i.amount) AS amount
  FROM backtest_date b JOIN ibm i ON i.issued_on <= b.as_of AND i.paid_on > b.as_of
 GROUP BY 1, 2;
SELECT max(week_no) AS last_week_paid FROM actual;

CREATE TABLE forecast AS
SELECT b.as_of, f.* FROM backtest_date b, arcollect.cash_forecast(b.as_of) f;

-- The forecast the model replaced: each open amount on its due date
-- shifted by the customer's average payment delay over its invoices paid
-- by then (the whole book's, for a customer with none), rounded to a day;
-- overdue beyond that, in week 1.
CREATE TABLE shifted AS
WITH paid AS (
    SELECT b.as_of, i.customer_id, i.due_on, p.paid_on, i.amount
      FROM backtest_date b
     CROSS JOIN LATERAL arcollect.invoice_paid_on(b.as_of) p
      JOIN arcollect.invoice i ON i.invoice_key = p.invoice_key
     WHERE p.paid_on IS NOT NULL
), delay AS (
    SELECT as_of, customer_id, arcollect.avg_payment_delay(due_on, paid_on, amount) AS delay
      FROM paid GROUP BY GROUPING SETS ((as_of, customer_id), (as_of))
)
SELECT b.as_of, (greatest(o.due_on + round(coalesce(c.delay, a.delay, 0))::integer, b.as_of + 1)
                 - b.as_of - 1) / 7 + 1 AS week_no,
       sum(o.open_amount) AS amount
  FROM backtest_date b
 CROSS JOIN LATERAL arcollect.open_items(b.as_of) o
  LEFT JOIN delay c ON c.as_of = b.as_of AND c.customer_id = o.customer_id
  LEFT JOIN delay a ON a.as_of = b.as_of AND a.customer_id IS NULL
 WHERE o.open_amount > 0
 GROUP BY 1, 2;

-- week by week, every date: 13 weeks each, in one currency
SELECT count(*) AS weeks, count(DISTINCT as_of) AS dates, count(DISTINCT currency) AS currencies,
       bool_and(expected_amount = from_invoices + from_disputes + from_plans + from_promises) AS parts_add_up
  FROM forecast;

CREATE TABLE error AS
SELECT b.as_of, w.week_no, coalesce(x.amount, 0) AS actual,
       coalesce(f.expected_amount, 0) AS model, coalesce(f.naive_amount, 0) AS naive,
       coalesce(s.amount, 0) AS shifted
  FROM backtest_date b
 CROSS JOIN generate_series(1, 13) w(week_no)
  LEFT JOIN actual x ON x.as_of = b.as_of AND x.week_no = w.week_no
  LEFT JOIN forecast f ON f.as_of = b.as_of AND f.week_no = w.week_no
  LEFT JOIN shifted s ON s.as_of = b.as_of AND s.week_no = w.week_no;

-- What was open, what the model expects within the 13 weeks (the same,
-- but for each week's rounding to the cent: on this sample every chance
-- of collecting is 1, as every invoice was paid in cash within 13 weeks;
-- README), and the WAPE of each forecast in percent, per date and over
-- all dates.
SELECT CASE WHEN grouping(error.as_of) = 1 THEN 'all' ELSE error.as_of::text END AS as_of,
       sum(actual) AS open_amount, sum(model) AS expected,
       round(100 * sum(abs(model - actual)) / sum(actual), 1) AS model_wape,
       round(100 * sum(abs(naive - actual)) / sum(actual), 1) AS naive_wape,
       round(100 * sum(abs(shifted - actual)) / sum(actual), 1) AS shifted_wape
  FROM error
 GROUP BY ROLLUP (error.as_of)
 ORDER BY grouping(error.as_of), error.as_of;

SELECT sum(abs(model - actual)) < sum(abs(naive - actual)) AS model_beats_naive,
       count(DISTINCT as_of) FILTER (WHERE model_better) AS dates_model_better,
       count(DISTINCT as_of) AS dates
  FROM (SELECT e.*, sum(abs(e.model - e.actual)) OVER (PARTITION BY e.as_of)
                    < sum(abs(e.naive - e.actual)) OVER (PARTITION BY e.as_of) AS model_better
          FROM error e) e;

-- What knowing the disputes added: the model's WAPE over all dates with
-- the sample's disputes left out.
DELETE FROM arcollect.dispute;
SELECT round(100 * sum(abs(coalesce(f.expected_amount, 0) - e.actual)) / sum(e.actual), 1)
       AS model_wape_without_disputes
  FROM error e
  LEFT JOIN (SELECT b.as_of, f.* FROM backtest_date b, arcollect.cash_forecast(b.as_of) f) f
         ON f.as_of = e.as_of AND f.week_no = e.week_no;

\c :regress_db
DROP DATABASE arcollect_backtest;
