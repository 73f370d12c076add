-- The cash forecast (arcollect.cash_forecast, sql/code/cash_forecast.sql)
-- worked out by hand on a small ledger: a customer with a known payment
-- delay, customers with none (the book's delays), a weight measured on
-- what was open 91 days before, a payment plan, promises, a dispute; read
-- by the manual's BI role.  In a database of its own: the forecast reads
-- the whole ledger.
SELECT current_database() AS regress_db \gset
SET client_min_messages = warning;
DROP DATABASE IF EXISTS arcollect_forecast;
CREATE DATABASE arcollect_forecast;
\c arcollect_forecast
SET client_min_messages = warning;
\set SHOW_CONTEXT never
SET datestyle = ISO;
CREATE EXTENSION arcollect;
CREATE ROLE bi_reader NOLOGIN;
CREATE ROLE collector NOLOGIN;
CREATE ROLE ar_admin NOLOGIN;
\set ECHO none
\i doc/ledger_roles.sql
\set ECHO all

CREATE TABLE cf_bill (id text PRIMARY KEY, cust text NOT NULL, amount numeric(12,2) NOT NULL,
                      issued date NOT NULL, due date NOT NULL);
CREATE TABLE cf_pay (id serial PRIMARY KEY, inv text NOT NULL, amt numeric(12,2) NOT NULL, paid date NOT NULL);
SELECT arcollect.attach('cf_bill', key => 'id', customer => 'cust', amount => 'amount', due_on => 'due',
                        issued_on => 'issued', default_currency => 'EUR') AS booked;
SELECT arcollect.attach_payments('cf_pay', invoice_key => 'inv', amount => 'amt', paid_on => 'paid',
                                 invoices => 'cf_bill') AS booked;

-- The forecast is made as of 2025-06-30: week 1 is 07-01 to 07-07, week
-- 2 07-08 to 07-14, week 3 07-15 to 07-21, week 4 07-22 to 07-28, week 5
-- 07-29 to 08-04, ..., week 8 08-19 to 08-25, week 13 09-23 to 09-29.
-- 91 days before, on 2025-03-31, only BO0 was open.
INSERT INTO cf_bill VALUES
    -- ada pays 3 days late, 10 late, 4 early (H1, H2, H3); A1, A2, A3 open
    ('H1', 'ada',  500, '2025-04-01', '2025-05-01'),
    ('H2', 'ada',  600, '2025-04-10', '2025-05-10'),
    ('H3', 'ada',  700, '2025-05-01', '2025-05-31'),
    ('A1', 'ada', 1200, '2025-06-10', '2025-07-10'),
    ('A2', 'ada',  300, '2025-05-26', '2025-06-25'),
    ('A3', 'ada',   90, '2025-05-16', '2025-06-15'),
    -- bo: 1000 open 120 days on 03-31, of which 250 paid in cash since
    ('BO0', 'bo', 1000, '2024-11-01', '2024-12-01'),
    -- cy: new, not yet due
    ('C1', 'cy',   400, '2025-06-21', '2025-07-21'),
    -- dee: a plan; eve: a plan broken; fay: a plan completed
    ('D1', 'dee',  900, '2025-04-15', '2025-05-15'),
    ('E1', 'eve',  200, '2025-04-20', '2025-05-20'),
    ('F1', 'fay',  100, '2025-04-20', '2025-05-20'),
    -- gus: promises
    ('G1', 'gus',  500, '2025-05-01', '2025-05-31'),
    ('G2', 'gus',  400, '2025-06-15', '2025-07-15'),
    -- hal: part of its invoice disputed
    ('I1', 'hal',  600, '2025-05-20', '2025-06-19');

-- Disputes closed by 06-30: 14 days, rejected; 10 days, resolved; 4
-- days, credited (the median: 10 days; not credited: 2 of 3).  hal's
-- dispute of 300, opened 06-29, is open.
SELECT arcollect.close_dispute(arcollect.open_dispute('H1', 'pricing', 100, opened_on => '2025-05-01'),
                               'rejected', closed_on => '2025-05-15');
SELECT arcollect.close_dispute(arcollect.open_dispute('H2', 'pricing', 100, opened_on => '2025-05-10'),
                               'resolved', closed_on => '2025-05-20');
SELECT arcollect.close_dispute(arcollect.open_dispute('H3', 'quantity', 100, opened_on => '2025-05-25'),
                               'credited', closed_on => '2025-05-29');
SELECT arcollect.open_dispute('I1', 'quality', 300, opened_on => '2025-06-29') > 0 AS disputed;

-- Plans (completed 1 of the 2 decided by 06-30): dee's over D1, 300 on
-- 06-25, 07-25 and 08-25, the first paid on 06-24; eve's, 200 on 06-10,
-- unpaid (broken from 06-16); fay's, 100 on 06-05, paid 06-03.
SELECT arcollect.create_payment_plan('dee', '{2025-06-25,2025-07-25,2025-08-25}', '{300,300,300}',
                                     invoice_keys => '{D1}', created_on => '2025-06-01') > 0 AS planned;
SELECT arcollect.create_payment_plan('eve', '{2025-06-10}', '{200}', invoice_keys => '{E1}',
                                     created_on => '2025-05-25') > 0 AS planned;
SELECT arcollect.create_payment_plan('fay', '{2025-06-05}', '{100}', invoice_keys => '{F1}',
                                     created_on => '2025-05-25') > 0 AS planned;

-- Promises of gus (kept 1 of the 2 decided by 06-30): 100 by 06-10, paid
-- 06-05; 50 by 06-15, nothing paid; and 600 by 07-04, open.
SELECT arcollect.promise_to_pay('gus', 100, '2025-06-10', made_on => '2025-06-01') > 0 AS promised;
SELECT arcollect.promise_to_pay('gus', 50, '2025-06-15', made_on => '2025-06-11') > 0 AS promised;
SELECT arcollect.promise_to_pay('gus', 600, '2025-07-04', made_on => '2025-06-20') > 0 AS promised;

INSERT INTO cf_pay (inv, amt, paid) VALUES
    ('H1', 500, '2025-05-04'), ('H2', 600, '2025-05-20'), ('H3', 700, '2025-05-27'),
    ('BO0', 250, '2025-04-15'),
    ('D1', 300, '2025-06-24'), ('F1', 100, '2025-06-03'),
    ('G1', 100, '2025-06-05');

-- What the forecast reads, as of 06-30: statuses, and what is open.
SELECT plan_id, status FROM arcollect.payment_plan_status('2025-06-30') ORDER BY plan_id;
SELECT promise_id, amount, paid_amount, status FROM arcollect.promise_status('2025-06-30') ORDER BY promise_id;
SELECT invoice_key, due_on, open_amount FROM arcollect.open_items('2025-06-30')
 WHERE open_amount > 0 ORDER BY invoice_key;

-- By hand, as of 06-30 (open 4940.00 in all):
-- * ada's last paid invoices took +3, +10 and -4 days from their due
--   dates.  A1 (1200, due 07-10): 07-13, 07-20, 07-06, 400 in each of
--   weeks 2, 3, 1.  A2 (300, due 06-25): 06-28 and 06-21 are past, 07-05
--   takes it all: week 1.  A3 (90, due 06-15): every day past, so 07-01:
--   week 1.  Nothing of theirs was open in their aging buckets 91 days
--   before: weight 1.
-- * The customers with no invoice paid take the book's delays of the last
--   365 days, +3, +10, -4 (ada's) and +14 (fay's F1, due 05-20, paid
--   06-03), a quarter each.
--   cy, C1 (400, due 07-21): 07-24, 07-31, 07-17, 08-04: 100 in each of
--   weeks 4 and 3, 200 in week 5.
--   bo, BO0 (750 open, 211 days overdue, bucket 91+): every day past, so
--   week 1; of the 1000 open in bucket 91+ on 03-31, 250 was paid in cash
--   by 06-30: weight 0.25, 187.50.
--   eve, E1 (200, due 05-20, its plan broken): every day past, week 1.
-- * dee's plan (active; completed 1 of the 2 decided: 0.5): the unpaid
--   installments, 300 on 07-25 (week 4) and 300 on 08-25 (week 8), at
--   0.5: 150 and 150; D1's 600 open at the other 0.5, 300, as the book
--   pays (due 05-15: every day past, week 1).
-- * gus's open promise, 600 by 07-04 (kept 1 of the 2 decided: 0.5):
--   300 in week 1.  It covers G1 (400 open) and 200 of G2 (400); of the
--   covered amounts half stays with the invoices: G1 200 (due 05-31:
--   every day past, week 1); G2 400 - 200 + 100 = 300 (due 07-15: 07-18,
--   07-25, 07-11, 07-29), 75 in each of weeks 3, 4, 2, 5.
-- * hal's I1 (600, due 06-19): the disputed 300 on 06-29 + 10 days =
--   07-09, week 2, at 2/3 (not credited): 200; the other 300 as the book
--   pays: 06-22, 06-29, 06-15 are past, 07-03 takes it all: week 1.
-- from_invoices: week 1 790 + 187.50 + 200 + 300 + 200 + 300 = 1977.50;
--   week 2 400 + 75 = 475; week 3 400 + 100 + 75 = 575; week 4 100 + 75
--   = 175; week 5 200 + 75 = 275.
-- naive (on the due dates, overdue in week 1): week 1 A2, A3, BO0, D1,
--   E1, G1, I1 = 390 + 750 + 600 + 200 + 400 + 600 = 2940; week 2 A1
--   1200; week 3 C1, G2 = 800.
-- Expected in all: 4940 less what the weights leave out, 562.50 of BO0
-- and 100 of the dispute (credited, not paid): 4277.50.
SET ROLE bi_reader;
SELECT week_no, week_start, week_end, currency, expected_amount, from_invoices, from_disputes,
       from_plans, from_promises, naive_amount
  FROM arcollect.cash_forecast('2025-06-30');
SELECT sum(expected_amount) AS expected, sum(naive_amount) AS naive FROM arcollect.cash_forecast('2025-06-30');

-- As of 06-19, only what was known then: gus's promise (made 06-20) and
-- hal's dispute (opened 06-29) are not there yet, and nothing of dee's
-- plan is paid: its 900 at 0.5 (eve's plan broke on 06-16, fay's was
-- completed).
SELECT sum(from_plans) AS plans, sum(from_promises) AS promises, sum(from_disputes) AS disputes
  FROM arcollect.cash_forecast('2025-06-19');

-- Four weeks: the same first four rows.
SELECT week_no, expected_amount, naive_amount FROM arcollect.cash_forecast('2025-06-30', 4);

-- Today: 13 weeks from tomorrow, everything overdue in week 1.
SELECT count(*) AS weeks, min(week_start) = current_date + 1 AS from_tomorrow,
       sum(naive_amount) AS naive
  FROM arcollect.cash_forecast;
RESET ROLE;

-- Bad arguments.
SELECT * FROM arcollect.cash_forecast(NULL);
SELECT * FROM arcollect.cash_forecast('2025-06-30', 0);
SELECT * FROM arcollect.cash_forecast('2025-06-30', 521);
SELECT * FROM arcollect.cash_forecast('infinity');

\c :regress_db
DROP DATABASE arcollect_forecast;
DROP ROLE bi_reader, collector, ar_admin;
