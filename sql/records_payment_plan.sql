-- Payment plans: making one (and every input refused), payments paying
-- the installments in due-date order, as of several dates, through two
-- payments tables attached to two billing tables; broken on the day
-- after the grace of an installment ran out and not the day before;
-- completed; settle_commitments storing what the status says, once;
-- cancelling; the life cycle.  The plans are made and settled by a
-- collector with the grants doc/ledger.md gives (doc/ledger_roles.sql).
-- (Other tests' customers are in the database too: this one's are pc*;
-- its plans are numbered from 3001 whatever earlier tests made, since
-- errors name them.)
\set SHOW_CONTEXT never
ALTER TABLE arcollect.payment_plan ALTER COLUMN plan_id RESTART WITH 3001;
SET datestyle = ISO;
-- The plan identifiers the messages name, whatever plans earlier tests
-- (the README's examples) made.
SELECT setval('arcollect.payment_plan_plan_id_seq', 1000) AS first_plan_id_after;
CREATE ROLE bi_reader NOLOGIN;
CREATE ROLE collector NOLOGIN;
CREATE ROLE ar_admin NOLOGIN;
-- (not echoed: other records' grants are in the file too)
\set ECHO none
-- (not echoed: the grants change as objects are added; the test shows
-- what they allow)
\set ECHO none
\i doc/ledger_roles.sql
\set ECHO all
\set ECHO all

CREATE TABLE plan_bill_a (id text PRIMARY KEY, cust text NOT NULL, amount numeric, issued date, due date, cur text);
CREATE TABLE plan_bill_b (LIKE plan_bill_a INCLUDING ALL);
CREATE TABLE plan_pay_a (id serial PRIMARY KEY, inv text, amt numeric, paid date, kind text);
CREATE TABLE plan_pay_b (LIKE plan_pay_a INCLUDING ALL);
SELECT arcollect.attach('plan_bill_a', key => 'id', customer => 'cust', amount => 'amount', due_on => 'due',
                        issued_on => 'issued', currency => 'cur') AS booked;
SELECT arcollect.attach('plan_bill_b', key => 'id', customer => 'cust', amount => 'amount', due_on => 'due',
                        issued_on => 'issued', currency => 'cur') AS booked;
SELECT arcollect.attach_payments('plan_pay_a', invoice_key => 'inv', amount => 'amt', paid_on => 'paid',
                                 kind => 'kind', invoices => 'plan_bill_a') AS booked;
SELECT arcollect.attach_payments('plan_pay_b', invoice_key => 'inv', amount => 'amt', paid_on => 'paid',
                                 kind => 'kind', invoices => 'plan_bill_b') AS booked;
-- pc1 owes PA1 (300 EUR, table a) and PB1 (200 EUR, table b), both overdue
-- on 2025-03-01; PA2 in USD; PA3 not due yet; PA4 paid.  pc2 owes PX1, and
-- PDUP, a key both tables hold.
INSERT INTO plan_bill_a VALUES ('PA1', 'pc1', 300, '2025-01-01', '2025-01-31', 'EUR'),
                               ('PA2', 'pc1', 50, '2025-01-01', '2025-01-31', 'USD'),
                               ('PA3', 'pc1', 100, '2025-02-01', '2025-06-30', 'EUR'),
                               ('PA4', 'pc1', 40, '2025-01-01', '2025-01-31', 'EUR'),
                               ('PX1', 'pc2', 80, '2025-01-01', '2025-01-31', 'EUR'),
                               ('PDUP', 'pc2', 10, '2025-01-01', '2025-01-31', 'EUR');
INSERT INTO plan_bill_b VALUES ('PB1', 'pc1', 200, '2025-01-05', '2025-02-04', 'EUR'),
                               ('PDUP', 'pc2', 10, '2025-01-01', '2025-01-31', 'EUR');
INSERT INTO plan_pay_a (inv, amt, paid) VALUES ('PA4', 40, '2025-02-10');

-- A refused call shows its SQLSTATE and message.
CREATE FUNCTION pg_temp.refused(statement text) RETURNS text LANGUAGE plpgsql AS $fn$
DECLARE
    state text;
    message text;
BEGIN
    EXECUTE statement;
    RETURN 'accepted';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT;
    RETURN state || ' ' || message;
END
$fn$;

SET ROLE collector;

-- Every bad input is refused, naming the value.  (A plan refused by the
-- tables' rules was inserted first: it takes a plan_id, and is rolled back.)
SELECT pg_temp.refused(s) FROM (VALUES
  -- the schedule (PA1 and PB1 have 500 open)
  ($$SELECT arcollect.create_payment_plan('pc1', '{}', '{}', '{PA1,PB1}', created_on => '2025-03-01')$$),
  ($$SELECT arcollect.create_payment_plan('pc1', '{2025-03-10,2025-04-10}', '{500}', '{PA1,PB1}', created_on => '2025-03-01')$$),
  ($$SELECT arcollect.create_payment_plan('pc1', '{2025-03-10}', NULL, '{PA1,PB1}', created_on => '2025-03-01')$$),
  ($$SELECT arcollect.create_payment_plan('pc1', '{2025-03-10,NULL}', '{250,250}', '{PA1,PB1}', created_on => '2025-03-01')$$),
  ($$SELECT arcollect.create_payment_plan('pc1', '{2025-03-10,2025-04-10}', '{600,-100}', '{PA1,PB1}', created_on => '2025-03-01')$$),
  ($$SELECT arcollect.create_payment_plan('pc1', '{2025-03-10,2025-04-10}', '{500,0}', '{PA1,PB1}', created_on => '2025-03-01')$$),
  ($$SELECT arcollect.create_payment_plan('pc1', '{2025-02-28,2025-04-10}', '{250,250}', '{PA1,PB1}', created_on => '2025-03-01')$$),
  ($$SELECT arcollect.create_payment_plan('pc1', '{2025-04-10,2025-03-10}', '{250,250}', '{PA1,PB1}', created_on => '2025-03-01')$$),
  ($$SELECT arcollect.create_payment_plan('pc1', '{2025-03-10,2025-03-10}', '{250,250}', '{PA1,PB1}', created_on => '2025-03-01')$$),
  ($$SELECT arcollect.create_payment_plan('pc1', '{2025-03-10}', '{500}', '{PA1,PB1}', grace_days => -1, created_on => '2025-03-01')$$),
  ($$SELECT arcollect.create_payment_plan(NULL, '{2025-03-10}', '{500}', created_on => '2025-03-01')$$),
  ($$SELECT arcollect.create_payment_plan('pc1', '{2999-03-10}', '{500}', '{PA1,PB1}', created_on => '2999-03-01')$$),
  -- the invoices
  ($$SELECT arcollect.create_payment_plan('pc1', '{2025-03-10}', '{500}', '{PA1,PNOPE}', created_on => '2025-03-01')$$),
  ($$SELECT arcollect.create_payment_plan('pc2', '{2025-03-10}', '{10}', '{PDUP}', created_on => '2025-03-01')$$),
  ($$SELECT arcollect.create_payment_plan('pc1', '{2025-03-10}', '{380}', '{PA1,PX1}', created_on => '2025-03-01')$$),
  ($$SELECT arcollect.create_payment_plan('pc1', '{2025-03-10}', '{300}', '{PA1,PA1}', created_on => '2025-03-01')$$),
  ($$SELECT arcollect.create_payment_plan('pc1', '{2025-03-10}', '{340}', '{PA1,PA4}', created_on => '2025-03-01')$$),
  ($$SELECT arcollect.create_payment_plan('pc1', '{2025-03-10}', '{300}', '{}', created_on => '2025-03-01')$$),
  ($$SELECT arcollect.create_payment_plan('pc1', '{2025-03-10}', '{350}', '{PA1,PA2}', created_on => '2025-03-01')$$),
  ($$SELECT arcollect.create_payment_plan('pc9', '{2025-03-10}', '{1}', created_on => '2025-03-01')$$),
  -- NULL invoice_keys: every overdue invoice, PA1, PA2 (USD) and PB1
  ($$SELECT arcollect.create_payment_plan('pc1', '{2025-03-10}', '{550}', created_on => '2025-03-01')$$),
  -- not adding up
  ($$SELECT arcollect.create_payment_plan('pc1', '{2025-03-10,2025-04-10}', '{250,249.99}', '{PA1,PB1}', created_on => '2025-03-01')$$)
) t(s);

-- A plan of three installments over PA1 (table a) and PB1 (table b): 500 EUR.
-- Grace 5 days: installment 1 due 2025-03-10 breaks the plan as of
-- 2025-03-16 when still unpaid at the end of 2025-03-15.
SELECT arcollect.create_payment_plan('pc1', '{2025-03-10,2025-04-10,2025-05-10}', '{200,200,100}',
                                     '{PA1,PB1}', created_on => '2025-03-01') AS plan1 \gset
SELECT customer_id, currency, status, grace_days, created_on, ended_on, note,
       created_by, created_at IS NOT NULL AS created
  FROM arcollect.payment_plan WHERE plan_id = :plan1;
SELECT c.invoice_key, a.billing_table, c.covered_amount
  FROM arcollect.plan_invoice c JOIN arcollect.attachment a USING (attachment_id)
 WHERE c.plan_id = :plan1 ORDER BY 1;
-- PA1 is in an active plan now.
SELECT pg_temp.refused($$SELECT arcollect.create_payment_plan('pc1', '{2025-03-10}', '{300}', '{PA1}', created_on => '2025-03-01')$$);

-- Payments arrive out of order, in pieces, on both tables: 120 on
-- 2025-03-12 (table b), 50 on 2025-03-08 (table a), recorded later, then
-- 30 on 2025-03-15 (a).
RESET ROLE;
INSERT INTO plan_pay_b (inv, amt, paid) VALUES ('PB1', 120, '2025-03-12');
INSERT INTO plan_pay_a (inv, amt, paid) VALUES ('PA1', 50, '2025-03-08');
SET ROLE collector;
-- As of 2025-03-08 installment 1 has 50; 2025-03-12: 170; no break yet.
SELECT d AS as_of, s.installment_no, s.amount, s.paid_amount, s.paid_on, s.breaks_plan
  FROM (VALUES (date '2025-03-07'), ('2025-03-08'), ('2025-03-12')) v(d),
       arcollect.installment_status(d) s
 WHERE s.plan_id = :plan1 ORDER BY 1, 2;
-- Installment 1 unpaid (170 of 200) through 2025-03-15: active on the
-- 15th, broken on the 16th.  (No row before the plan was made.)
SELECT d AS as_of, s.status, s.status_on, s.total_amount, s.paid_amount, s.next_due_on, s.next_due_amount,
       s.broken_by_installment
  FROM (VALUES (date '2025-02-28'), ('2025-03-01'), ('2025-03-15'), ('2025-03-16')) v(d),
       arcollect.payment_plan_status(d) s
 WHERE s.plan_id = :plan1 ORDER BY 1;
-- Settling the 15th changes nothing; the 16th stores broken from the 16th.
SELECT * FROM arcollect.settle_commitments('2025-03-15') WHERE record_id = :plan1;
SELECT * FROM arcollect.settle_commitments('2025-03-16') WHERE record_id = :plan1;
SELECT * FROM arcollect.settle_commitments('2025-03-16') WHERE record_id = :plan1;
SELECT status, ended_on, note FROM arcollect.payment_plan WHERE plan_id = :plan1;
-- Stored, broken stands for later dates even when the rest is paid;
-- before the 16th the plan is what payments made it.
RESET ROLE;
INSERT INTO plan_pay_a (inv, amt, paid) VALUES ('PA1', 300, '2025-03-20');
SET ROLE collector;
SELECT d AS as_of, s.status, s.status_on, s.paid_amount
  FROM (VALUES (date '2025-03-15'), ('2025-03-16'), ('2025-03-20')) v(d),
       arcollect.payment_plan_status(d) s
 WHERE s.plan_id = :plan1 ORDER BY 1;
-- 30 on 2025-03-15 would have made installment 1 in time; but too late.
SELECT pg_temp.refused(format('SELECT arcollect.cancel_payment_plan(%s)', :plan1));
SELECT pg_temp.refused(format('UPDATE arcollect.payment_plan SET status = %L WHERE plan_id = %s', 'active', :plan1));
-- A collector changes how a plan ended, nothing else of it.
SELECT pg_temp.refused(format('UPDATE arcollect.payment_plan SET grace_days = 30 WHERE plan_id = %s', :plan1));
SELECT pg_temp.refused(format('UPDATE arcollect.plan_installment SET amount = 1 WHERE plan_id = %s', :plan1));

-- A second plan on PA3 (100, due 2025-06-30, covered by name though not
-- overdue), grace 0: 40 due 2025-04-01, 60 due 2025-05-01.  Paid in
-- pieces, the last overpaying: installments are paid in due order, and
-- paid_amount never passes the amounts.
SELECT arcollect.create_payment_plan('pc1', '{2025-04-01,2025-05-01}', '{40,60}', '{PA3}',
                                     grace_days => 0, created_on => '2025-03-20') AS plan2 \gset
RESET ROLE;
INSERT INTO plan_pay_a (inv, amt, paid) VALUES ('PA3', 25, '2025-03-25'), ('PA3', 25, '2025-04-01');
INSERT INTO plan_pay_a (inv, amt, paid) VALUES ('PA3', 70, '2025-04-30');
SET ROLE collector;
SELECT d AS as_of, s.installment_no, s.amount, s.paid_amount, s.paid_on, s.breaks_plan
  FROM (VALUES (date '2025-03-25'), ('2025-04-01'), ('2025-04-02'), ('2025-04-30')) v(d),
       arcollect.installment_status(d) s
 WHERE s.plan_id = :plan2 ORDER BY 1, 2;
SELECT d AS as_of, s.status, s.status_on, s.total_amount, s.paid_amount
  FROM (VALUES (date '2025-04-01'), ('2025-04-29'), ('2025-04-30')) v(d),
       arcollect.payment_plan_status(d) s
 WHERE s.plan_id = :plan2 ORDER BY 1;
SELECT * FROM arcollect.settle_commitments('2025-05-31') WHERE record_id = :plan2;
SELECT * FROM arcollect.settle_commitments('2025-05-31') WHERE record_id = :plan2;
SELECT status, ended_on, note FROM arcollect.payment_plan WHERE plan_id = :plan2;
SELECT pg_temp.refused(format('UPDATE arcollect.payment_plan SET status = %L WHERE plan_id = %s', 'broken', :plan2));

-- A reversal (a deleted payments row) takes its payment back on its own
-- date: a third plan on every overdue invoice of pc2 (PX1, 80, and PDUP of
-- both tables, 10 each), paid in full and then PX1's row deleted.
SELECT arcollect.create_payment_plan('pc2', '{2025-04-15}', '{100}', created_on => '2025-04-01') AS plan3 \gset
SELECT c.invoice_key, a.billing_table, c.covered_amount
  FROM arcollect.plan_invoice c JOIN arcollect.attachment a USING (attachment_id)
 WHERE c.plan_id = :plan3 ORDER BY 1, 2;
RESET ROLE;
INSERT INTO plan_pay_a (inv, amt, paid) VALUES ('PX1', 80, '2025-04-10'), ('PDUP', 10, '2025-04-10');
INSERT INTO plan_pay_b (inv, amt, paid) VALUES ('PDUP', 10, '2025-04-11');
SET ROLE collector;
SELECT status, status_on, paid_amount FROM arcollect.payment_plan_status('2025-04-30') WHERE plan_id = :plan3;
RESET ROLE;
DELETE FROM plan_pay_a WHERE inv = 'PX1';
SET ROLE collector;
SELECT status, status_on, paid_amount, broken_by_installment
  FROM arcollect.payment_plan_status('2025-04-30') WHERE plan_id = :plan3;
-- Cancelled: stored from today, it stands; cancelling again is refused.
SELECT arcollect.cancel_payment_plan(:plan3, 'customer disputes the invoice');
SELECT status, ended_on = current_date AS today, note FROM arcollect.payment_plan WHERE plan_id = :plan3;
SELECT status, status_on = current_date AS today FROM arcollect.payment_plan_status() WHERE plan_id = :plan3;
SELECT pg_temp.refused(format('SELECT arcollect.cancel_payment_plan(%s)', :plan3));
SELECT pg_temp.refused('SELECT arcollect.cancel_payment_plan(-1)');
-- PX1 is free again for a new plan.
SELECT arcollect.create_payment_plan('pc2', '{2025-05-15}', '{80}', '{PX1}', created_on => '2025-05-01') > :plan3 AS made;

-- The tables hold a plain INSERT to the rules too.
SELECT pg_temp.refused(s) FROM (VALUES
  (format($$INSERT INTO arcollect.plan_installment VALUES (%s, 4, '2025-05-01', 10)$$, :plan1)),
  (format($$INSERT INTO arcollect.plan_installment VALUES (%s, 4, '2025-02-01', 10)$$, :plan2)),
  (format($$INSERT INTO arcollect.plan_installment VALUES (%s, 5, '2025-08-01', 0)$$, :plan2)),
  (format($$INSERT INTO arcollect.plan_invoice SELECT %s, attachment_id, 'PX1', 80 FROM arcollect.plan_invoice WHERE plan_id = %s$$, :plan2, :plan3)),
  ($$INSERT INTO arcollect.payment_plan (customer_id, currency, status) VALUES ('pc1', 'EUR', 'done')$$),
  ($$INSERT INTO arcollect.payment_plan (customer_id, currency, grace_days) VALUES ('pc1', 'EUR', -2)$$)
) t(s);

-- The reader views, as of today (long after these dates).
SELECT plan_id = :plan1 AS plan1, customer_id, currency, status,
       CASE WHEN status_on = current_date THEN 'today' ELSE status_on::text END AS status_on, total_amount, paid_amount,
       remaining_amount, next_due_on, invoice_count, open_amount, note
  FROM arcollect.payment_plans WHERE customer_id LIKE 'pc%' ORDER BY plan_id;
SELECT installment_no, due_on, amount, paid_amount, paid_on
  FROM arcollect.installment WHERE plan_id = :plan1 ORDER BY installment_no;
RESET ROLE;

-- PUBLIC gets nothing; a BI role reads the views.
SET ROLE bi_reader;
SELECT count(*) AS plans FROM arcollect.payment_plans WHERE customer_id LIKE 'pc%';
SELECT pg_temp.refused($$SELECT arcollect.cancel_payment_plan(1)$$);
RESET ROLE;

DROP TABLE plan_pay_a, plan_pay_b, plan_bill_a, plan_bill_b;
DROP OWNED BY bi_reader, collector, ar_admin;
DROP ROLE bi_reader, collector, ar_admin;
