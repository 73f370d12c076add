-- What a collector with the documented grants (doc/ledger_roles.sql)
-- cannot do to the collections records by plain INSERT and UPDATE, or by
-- the functions given odd values: no record with a date or amount the
-- reader views cannot compute with, no record saying another role made
-- it, no plan's schedule changed after it was made, no final record
-- rewritten.  (This test's customers are ri*.)
\set SHOW_CONTEXT never
\set VERBOSITY terse
SET datestyle = ISO;
CREATE ROLE bi_reader NOLOGIN;
CREATE ROLE collector NOLOGIN;
CREATE ROLE ar_admin NOLOGIN;
\set ECHO none
\i doc/ledger_roles.sql
\set ECHO all
CREATE TABLE ri_bill (id text PRIMARY KEY, cust text NOT NULL, amount numeric, issued date, due date,
                      cur text NOT NULL);
SELECT arcollect.attach('ri_bill', key => 'id', customer => 'cust', amount => 'amount', due_on => 'due',
                        issued_on => 'issued', currency => 'cur') AS imported;
INSERT INTO ri_bill VALUES ('RI1', 'ria', 500, '2025-01-01', '2025-01-31', 'EUR'),
                           ('RI2', 'rib', 400, '2025-01-01', '2025-01-31', 'EUR');
SET ROLE collector;

-- Dates the views cannot compute with (days_open, due_on + grace_days)
-- and amounts that are not numbers are refused, each with its SQLSTATE,
-- so that no one's record can make the reader views fail for everyone.
-- (The constraints' messages name them: SQLSTATE 23514.)
SELECT arcollect.open_dispute('RI1', 'pricing', 10, opened_on => '-infinity');
SELECT arcollect.open_dispute('RI1', 'pricing', 'NaN');
SELECT arcollect.promise_to_pay('ria', 'NaN', '2025-03-10', '2025-03-01');
SELECT arcollect.promise_to_pay('ria', 'Infinity', '2025-03-10', '2025-03-01');
SELECT arcollect.promise_to_pay('ria', 5, 'infinity', '2025-03-01');
SELECT arcollect.promise_to_pay('ria', 5, '2025-03-10', '-infinity');
SELECT arcollect.create_payment_plan('ria', ARRAY[current_date + 10, date '5874897-12-30'], ARRAY[250, 250]);
SELECT arcollect.create_payment_plan('ria', ARRAY[current_date + 10, date 'infinity'], ARRAY[250, 250]);
SELECT arcollect.create_payment_plan('ria', ARRAY[current_date + 10], ARRAY[500], grace_days => 2147483647);
SELECT arcollect.create_payment_plan('ria', ARRAY[current_date + 10], ARRAY[500], created_on => '-infinity');
SELECT * FROM arcollect.settle_commitments('infinity');
-- (none was made: the views read as before)
SELECT count(*) AS disputes FROM arcollect.disputes WHERE customer_id LIKE 'ri%';
SELECT count(*) AS promises FROM arcollect.promises WHERE customer_id LIKE 'ri%';
SELECT count(*) AS plans FROM arcollect.payment_plans WHERE customer_id LIKE 'ri%';
SELECT count(*) = count(days_open) AS days_open_computed FROM arcollect.disputes;
RESET ROLE;

-- Every record keeps the role that made it and when: a collector cannot
-- say another role did (created_by and created_at are filled in on
-- INSERT, and an UPDATE cannot change them).
SET ROLE collector;
INSERT INTO arcollect.promise (customer_id, currency, amount, promised_on, made_on, created_by, created_at)
VALUES ('ria', 'EUR', 10, '2025-03-10', '2025-03-01', 'ar_admin', '2000-01-01')
RETURNING created_by, created_at = now() AS created_now;
INSERT INTO arcollect.touchpoint (customer_id, channel, status, done_at, created_by, created_at)
VALUES ('ria', 'call', 'done', now(), 'ar_admin', '2000-01-01')
RETURNING created_by, created_at = now() AS created_now;
INSERT INTO arcollect.payment_plan (customer_id, currency, created_by, created_at)
VALUES ('ria', 'EUR', 'ar_admin', '2000-01-01')
RETURNING created_by, created_at = now() AS created_now;
\set VERBOSITY sqlstate
UPDATE arcollect.promise SET created_by = 'ar_admin' WHERE customer_id = 'ria';
UPDATE arcollect.touchpoint SET created_at = '2000-01-01' WHERE customer_id = 'ria';
\set VERBOSITY terse
RESET ROLE;

-- A plan's schedule and invoices are fixed when it is made: a collector
-- (who may INSERT them, to make a plan) cannot add an installment or an
-- invoice to a plan made in an earlier transaction.
INSERT INTO ri_bill VALUES ('RI3', 'rib', 100, '2025-01-01', '2025-01-31', 'EUR');
SET ROLE collector;
SELECT arcollect.create_payment_plan('rib', ARRAY[current_date + 10], ARRAY[400], ARRAY['RI2']) AS plan \gset
\set VERBOSITY sqlstate
INSERT INTO arcollect.plan_installment (plan_id, installment_no, due_on, amount)
VALUES (:plan, 2, current_date + 20, 100);
INSERT INTO arcollect.plan_invoice (plan_id, attachment_id, invoice_key, covered_amount)
SELECT :plan, attachment_id, 'RI3', 100 FROM arcollect.find_invoice('RI3');
\set VERBOSITY terse
SELECT count(*) AS installments FROM arcollect.plan_installment WHERE plan_id = :plan;
SELECT count(*) AS invoices FROM arcollect.plan_invoice WHERE plan_id = :plan;
RESET ROLE;

DROP OWNED BY bi_reader, collector, ar_admin;
DROP ROLE bi_reader, collector, ar_admin;
