-- Risk learns from behaviour: the rule arcollect.risk_with_behaviour
-- computed by hand, the payment dates arcollect.invoice_paid_on reads from
-- the ledger's history, and arcollect.customer_risk on a small ledger, run
-- by a collector with the grants of doc/ledger.md.
--
-- score = 100 - (100 - base) x 0.75^broken promises x 0.60^broken plans
--                            x 0.95^min(open disputes, 3), to 2 decimals
\set SHOW_CONTEXT never
SET datestyle = ISO;
CREATE ROLE bi_reader NOLOGIN;
CREATE ROLE collector NOLOGIN;
CREATE ROLE ar_admin NOLOGIN;
\set ECHO none
\i doc/ledger_roles.sql
\set ECHO all

-- The rule.  Base 35.00, gap 65:
--   nothing to count            35.00
--   a broken promise            100 - 65 x 0.75        = 51.25
--   a broken plan               100 - 65 x 0.60        = 61.00
--   an open dispute             100 - 65 x 0.95        = 38.25
--   five open disputes, as 3    100 - 65 x 0.857375    = 44.270625 -> 44.27
--   a promise and a dispute     100 - 65 x 0.7125      = 53.6875   -> 53.69
-- base 0: two promises, a plan  100 - 100 x 0.5625 x 0.6 = 66.25
-- base 100 stays 100; a million broken promises reach 100.00
SELECT base, p, l, d, arcollect.risk_with_behaviour(base, p, l, d) AS risk
FROM (VALUES (35.00, 0, 0, 0), (35.00, 1, 0, 0), (35.00, 0, 1, 0), (35.00, 0, 0, 1),
             (35.00, 0, 0, 5), (35.00, 1, 0, 1), (0.00, 2, 1, 0), (100.00, 3, 2, 9),
             (0.00, 1000000, 0, 0)) v(base, p, l, d);
SELECT arcollect.risk_with_behaviour(100.01, 0, 0, 0);
SELECT arcollect.risk_with_behaviour(-1, 0, 0, 0);
SELECT arcollect.risk_with_behaviour('NaN', 0, 0, 0);
SELECT arcollect.risk_with_behaviour(10, 0, -1, 0);
SELECT arcollect.risk_with_behaviour(NULL, 0, 0, 0) IS NULL AS null_in_null_out;

-- A small ledger: a billing table and its payments table.
CREATE TABLE rb_bill (id text PRIMARY KEY, cust text NOT NULL, amount numeric, issued date, due date, cur text);
CREATE TABLE rb_pay (id serial PRIMARY KEY, inv text, amt numeric, paid date, kind text);
SELECT arcollect.attach('rb_bill', key => 'id', customer => 'cust', amount => 'amount', due_on => 'due',
                        issued_on => 'issued', currency => 'cur') AS booked;
SELECT arcollect.attach_payments('rb_pay', invoice_key => 'inv', amount => 'amt', paid_on => 'paid',
                                 kind => 'kind', invoices => 'rb_bill') AS booked;
-- rb1: RB1 1000 EUR due 04-30, paid 05-20 in two pieces; RB2 600 EUR due
-- 05-31, open; RB3 400 EUR due 07-01; RB4 200 USD due 05-31, paid 05-25.
-- rb2: RB5 paid on its issue date; RB6 paid, the payment reversed, paid
-- again.
INSERT INTO rb_bill VALUES ('RB1', 'rb1', 1000, '2025-04-01', '2025-04-30', 'EUR'),
                           ('RB2', 'rb1',  600, '2025-05-01', '2025-05-31', 'EUR'),
                           ('RB3', 'rb1',  400, '2025-06-01', '2025-07-01', 'EUR'),
                           ('RB4', 'rb1',  200, '2025-05-01', '2025-05-31', 'USD'),
                           ('RB5', 'rb2',  100, '2025-03-01', '2025-03-31', 'EUR'),
                           ('RB6', 'rb2',  100, '2025-03-01', '2025-03-31', 'EUR');
INSERT INTO rb_pay (inv, amt, paid, kind) VALUES
    ('RB1', 400, '2025-05-10', 'payment'), ('RB1', 600, '2025-05-20', 'payment'),
    ('RB4', 200, '2025-05-25', 'payment'),
    ('RB5', 100, '2025-03-01', 'payment'),
    ('RB6', 100, '2025-03-20', 'payment'), ('RB6', -100, '2025-04-02', 'payment'),
    ('RB6', 100, '2025-04-15', 'payment');

-- Paid on: RB1 on 05-20 (not 05-10, when 600 was still open), none before;
-- RB5 on its issue date; RB6 paid 03-20, open again from 04-02, paid anew
-- on 04-15; RB2, RB3 open.
SELECT d AS as_of, p.invoice_key, p.paid_on
FROM (VALUES (date '2025-05-19'), (date '2025-03-31'), (date '2025-04-10'), (date '2025-06-30')) v(d),
     arcollect.invoice_paid_on(d) p
WHERE p.billing_table = 'rb_bill'::regclass
ORDER BY d, p.invoice_key;

-- The records of rb1, in EUR: a promise of 100 made 06-01 for 06-10
-- (nothing paid: broken from 06-11); a plan made 06-01 over RB2, 300 due
-- 06-10 and 300 due 06-20 with 5 days of grace (nothing paid: broken from
-- 06-16); a dispute of 50 on RB3 opened 06-02 and resolved 06-20, and one
-- of 100 on RB2 opened 06-05 and still open.
SELECT arcollect.promise_to_pay('rb1', 100, '2025-06-10', made_on => '2025-06-01') > 0 AS promised;
SELECT arcollect.create_payment_plan('rb1', '{2025-06-10,2025-06-20}', '{300,300}', invoice_keys => '{RB2}',
                                     grace_days => 5, created_on => '2025-06-01') > 0 AS planned;
SELECT arcollect.open_dispute('RB3', 'quantity', 50, opened_on => '2025-06-02') AS rb3_dispute \gset
SELECT arcollect.close_dispute(:rb3_dispute, 'resolved', closed_on => '2025-06-20') AS rb3_closed \gset
SELECT arcollect.open_dispute('RB2', 'pricing', 100, opened_on => '2025-06-05') > 0 AS disputed;

-- customer_risk, by a collector, per currency (base as in the risk_score
-- test: 35 x min(W / 60, 1) + 20 x late share + 20 x overdue share
-- + 25 x min(oldest overdue / 120, 1)).
-- EUR as of 06-04: recorded RB1 (1000, 20 days late) and RB2 (600, 4 days
--   overdue): W = (20000 + 2400) / 1600 = 14 -> 8.1667; late 2 of 2 -> 20;
--   overdue 600 of 1000 -> 12; oldest 4 days -> 0.8333; base 41.00.  One
--   open dispute (RB3's): 100 - 59 x 0.95 = 43.95.
-- EUR as of 06-12: W = (20000 + 600 x 12) / 1600 = 17 -> 9.9167; 20; 12;
--   oldest 12 days -> 2.5; base 44.42.  The promise is broken, the plan
--   not yet (its first installment has grace through 06-15), two disputes
--   open: 100 - 55.58 x 0.75 x 0.95 x 0.95 = 62.3792875 -> 62.38.
-- EUR as of 06-30: W = (20000 + 600 x 30) / 1600 = 23.75 -> 13.8542; 20;
--   12; oldest 30 days -> 6.25; base 52.10.  Promise and plan broken, RB2's
--   dispute open: 100 - 47.90 x 0.75 x 0.60 x 0.95 = 79.52275 -> 79.52.
-- USD: RB4 paid early, nothing owed: 0.00 throughout.
SET ROLE collector;
SELECT d AS as_of, r.*
FROM (VALUES (date '2025-06-04'), (date '2025-06-12'), (date '2025-06-30')) v(d),
     arcollect.customer_risk('rb1', d) r
ORDER BY d, r.currency;
-- rb2 as of 06-30: RB5 on time, RB6 15 days late (paid again 04-15):
-- W = 100 x 15 / 200 = 7.5 -> 4.375; late 1 of 2 -> 10; nothing owed:
-- 14.375 -> 14.38, no records.  Before any invoice was issued: no rows.
SELECT * FROM arcollect.customer_risk('rb2', '2025-06-30');
SELECT count(*) FROM arcollect.customer_risk('rb2', '2025-01-01');
SELECT * FROM arcollect.customer_risk('rb-nobody', '2025-06-30');
SELECT * FROM arcollect.customer_risk(NULL, '2025-06-30');
RESET ROLE;

DROP TABLE rb_pay, rb_bill;
DROP OWNED BY bi_reader, collector, ar_admin;
DROP ROLE bi_reader, collector, ar_admin;
