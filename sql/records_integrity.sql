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

-- Which column of a record may change when, and no final status stored
-- that the payments do not support.  change(record, id, changes) runs
-- UPDATE arcollect.<record> SET <changes> for the record and says
-- accepted, or the SQLSTATE and message (the record's id, which depends
-- on earlier tests, shown as #).
CREATE FUNCTION pg_temp.change(record text, id bigint, changes text) RETURNS text LANGUAGE plpgsql AS $fn$
DECLARE
    state text;
    message text;
BEGIN
    EXECUTE format('UPDATE arcollect.%I SET %s WHERE %I = %s', record, changes,
                   CASE record WHEN 'payment_plan' THEN 'plan_id' ELSE record || '_id' END, id);
    RETURN 'accepted';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT;
    RETURN state || ' ' || replace(message, format(' %s ', id), ' # ');
END
$fn$;
-- The BEFORE triggers every record table runs, in the order they fire
-- (by name): on INSERT who made it (_record_created, the one statement of
-- the restore path, before the dispute's invoice checks); on UPDATE which
-- status may follow (_guard_status), then which columns may change and
-- whether the payments support a final status (_guard_final).
SELECT c.relname AS record_table, t.tgname, t.tgfoid::regproc AS runs
  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
 WHERE c.relnamespace = 'arcollect'::regnamespace
   AND c.relname IN ('dispute', 'payment_plan', 'promise', 'touchpoint')
   AND NOT t.tgisinternal AND t.tgtype & 2 = 2
 ORDER BY 1, 2;
-- Every column of the four tables has its rule, and every rule a column.
SELECT coalesce(a.relname, r.record_kind) AS record_table, coalesce(a.attname, r.column_name) AS column_name,
       r.may_change
  FROM (SELECT c.relname, a.attname
          FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
         WHERE c.relnamespace = 'arcollect'::regnamespace
           AND c.relname IN ('dispute', 'payment_plan', 'promise', 'touchpoint')
           AND a.attnum > 0 AND NOT a.attisdropped) a(relname, attname)
  FULL JOIN arcollect.record_column_rule r ON r.record_kind = a.relname AND r.column_name = a.attname
 WHERE a.attname IS NULL OR r.column_name IS NULL;
SELECT record_kind, may_change, string_agg(column_name, ', ' ORDER BY column_name) AS columns
  FROM arcollect.record_column_rule GROUP BY 1, 2 ORDER BY 1, 2;
INSERT INTO ri_bill VALUES ('RI4', 'ric', 300, '2025-01-01', '2025-01-31', 'EUR');
SET ROLE collector;

-- A closed dispute: its note may change, nothing else (55000).
SELECT arcollect.open_dispute('RI4', 'pricing', 50, owner => 'Ana') AS dispute \gset
-- (while open: who works on it, why and how much, but not its invoice)
SELECT pg_temp.change('dispute', :dispute, $$owner = 'Ben', reason_code = 'quantity'$$) AS open_owner_reason;
SELECT pg_temp.change('dispute', :dispute, $$opened_on = '2025-01-01'$$) AS open_opened_on;
SELECT arcollect.close_dispute(:dispute, 'resolved', 'price agreed');
SELECT pg_temp.change('dispute', :dispute, $$note = note || ' (call 2)'$$) AS closed_note;
SELECT pg_temp.change('dispute', :dispute, $$owner = 'Cy'$$) AS closed_owner;
SELECT pg_temp.change('dispute', :dispute, $$disputed_amount = 40$$) AS closed_amount;
SELECT pg_temp.change('dispute', :dispute, $$closed_on = closed_on + 1$$) AS closed_on;
SELECT pg_temp.change('dispute', :dispute, $$reason_code = 'other'$$) AS closed_reason;
SELECT owner, reason_code, disputed_amount, status, note FROM arcollect.dispute WHERE dispute_id = :dispute;

-- A plan stored as completed or broken is one its payments support as of
-- the ended_on it stores.  ric's plan: 100 due 2025-02-10, grace 5,
-- nothing paid: active through 2025-02-15, broken as of 2025-02-16.
SELECT arcollect.create_payment_plan('ric', '{2025-02-10,2025-03-10}', '{100,200}', '{RI4}',
                                     grace_days => 5, created_on => '2025-02-01') AS plan \gset
SELECT pg_temp.change('payment_plan', :plan, $$status = 'completed', ended_on = '2025-03-01'$$) AS completed_unpaid;
SELECT pg_temp.change('payment_plan', :plan, $$status = 'broken', ended_on = '2025-02-15'$$) AS broken_in_grace;
SELECT pg_temp.change('payment_plan', :plan, $$status = 'broken', ended_on = '2025-02-16'$$) AS broken_after_grace;
-- ended, its note may change, not how or when it ended
SELECT pg_temp.change('payment_plan', :plan, $$note = 'customer called'$$) AS ended_note;
SELECT pg_temp.change('payment_plan', :plan, $$ended_on = '2025-02-20'$$) AS ended_on;
SELECT status, ended_on, note FROM arcollect.payment_plan WHERE plan_id = :plan;
-- (the table's owner is held to it too: the terms of a plan are fixed)
RESET ROLE;
SELECT pg_temp.change('payment_plan', :plan, $$grace_days = 30$$) AS owner_grace_days;
SELECT arcollect.create_payment_plan('ric', '{2025-04-10}', '{300}', '{RI4}', created_on => '2025-02-01') AS plan2 \gset
SELECT pg_temp.change('payment_plan', :plan2, $$grace_days = 30$$) AS active_grace_days;
SELECT pg_temp.change('payment_plan', :plan2, $$customer_id = 'rib'$$) AS active_customer;
SET ROLE collector;
-- cancelled is the collector's decision, whatever the payments say
SELECT pg_temp.change('payment_plan', :plan2, $$status = 'cancelled', ended_on = current_date$$) AS cancelled;

-- A promise stored as kept or broken: what its payments say as of the
-- settled_on it stores.  50 promised by 2025-03-10, nothing paid.
SELECT arcollect.log_touchpoint('ric', 'call', outcome => 'promise', done_at => '2025-03-01 10:00+00') AS call \gset
SELECT arcollect.promise_to_pay('ric', 50, '2025-03-10', '2025-03-01') AS promise \gset
-- (while open: the touchpoint it was taken in, not its terms)
SELECT pg_temp.change('promise', :promise, 'touchpoint_id = ' || :call) AS open_touchpoint;
SELECT pg_temp.change('promise', :promise, $$amount = 40$$) AS open_amount;
SELECT pg_temp.change('promise', :promise, $$promised_on = '2025-03-20'$$) AS open_promised_on;
SELECT pg_temp.change('promise', :promise, $$status = 'kept', settled_on = '2025-03-10'$$) AS kept_unpaid;
SELECT pg_temp.change('promise', :promise, $$status = 'broken', settled_on = '2025-03-10'$$) AS broken_on_the_day;
SELECT pg_temp.change('promise', :promise, $$status = 'broken', settled_on = '2025-03-11'$$) AS broken_the_day_after;
SELECT pg_temp.change('promise', :promise, $$note = 'no reply'$$) AS broken_note;
SELECT pg_temp.change('promise', :promise, $$settled_on = '2025-03-12'$$) AS broken_settled_on;
SELECT pg_temp.change('promise', :promise, $$touchpoint_id = NULL$$) AS broken_touchpoint;
SELECT status, settled_on, touchpoint_id = :call AS in_the_call, note FROM arcollect.promise WHERE promise_id = :promise;
SELECT arcollect.promise_to_pay('ric', 20, '2025-03-10', '2025-03-01') AS promise2 \gset
SELECT pg_temp.change('promise', :promise2, $$status = 'cancelled', settled_on = '2025-03-05'$$) AS cancelled;

-- A touchpoint done, skipped or cancelled: its notes may change, nothing
-- else.  A planned one is a plan: the ladder writes what it will say.
SELECT pg_temp.change('touchpoint', :call, $$notes = 'promised 50'$$) AS done_notes;
SELECT pg_temp.change('touchpoint', :call, $$outcome = 'no_answer'$$) AS done_outcome;
SELECT pg_temp.change('touchpoint', :call, $$subject = 'Your promise'$$) AS done_subject;
INSERT INTO arcollect.touchpoint (customer_id, currency, channel, status, planned_for)
VALUES ('ric', 'EUR', 'email', 'planned', '2025-03-12 09:00+00') RETURNING touchpoint_id AS mail \gset
SELECT pg_temp.change('touchpoint', :mail, $$subject = 'Overdue', body = 'Please pay.', owner = 'Ana'$$) AS planned_message;
SELECT pg_temp.change('touchpoint', :mail, $$status = 'cancelled', reason = 'superseded'$$) AS planned_cancelled;
SELECT pg_temp.change('touchpoint', :mail, $$body = 'Please pay now.'$$) AS cancelled_body;
SELECT pg_temp.change('touchpoint', :mail, $$notes = 'not sent'$$) AS cancelled_notes;
SELECT status, reason, subject, body, owner, notes FROM arcollect.touchpoint WHERE touchpoint_id = :mail;
RESET ROLE;

DROP OWNED BY bi_reader, collector, ar_admin;
DROP ROLE bi_reader, collector, ar_admin;
