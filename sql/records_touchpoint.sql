-- Touchpoints: contacts logged and completed, their life cycle, the
-- invoices they list, and bad input refused with its value named.
-- (This test's customers are tp*; its touchpoints are numbered from 1001
-- whatever earlier tests made, since errors name them.)
\set SHOW_CONTEXT never
ALTER TABLE arcollect.touchpoint ALTER COLUMN touchpoint_id RESTART WITH 1001;
CREATE TABLE tp_bill (id text PRIMARY KEY, cust text NOT NULL, amount numeric, issued date, due date,
                      cur text);
SELECT arcollect.attach('tp_bill', key => 'id', customer => 'cust', amount => 'amount', due_on => 'due',
                        issued_on => 'issued', currency => 'cur') AS imported;
INSERT INTO tp_bill VALUES ('T1', 'tp1', 100, '2025-01-01', '2025-01-31', 'EUR'),
                           ('T2', 'tp1', 250, '2025-02-01', '2025-03-03', 'EUR'),
                           ('T3', 'tp2', 40, '2025-02-01', '2025-03-03', 'USD');

-- A call that happened: status done, who logged it and when.
SELECT arcollect.log_touchpoint('tp1', 'call', outcome => 'reached', notes => 'spoke to AP',
                                done_at => '2025-03-10 10:00+00', owner => 'maria') AS call_id \gset
SELECT touchpoint_id = :call_id AS is_call, customer_id, channel, direction, status, outcome, owner,
       done_at AT TIME ZONE 'UTC' AS done_at_utc, planned_for, notes,
       created_by = current_user AS by_me, now() - created_at < interval '1 hour' AS created_now
  FROM arcollect.touchpoint WHERE customer_id = 'tp1';
-- An inbound email with no outcome recorded, done now.
SELECT arcollect.log_touchpoint('tp2', 'email', 'inbound') > :call_id AS logged;
SELECT channel, direction, status, outcome, now() - done_at < interval '1 hour' AS done_now
  FROM arcollect.touchpoint WHERE customer_id = 'tp2';

-- Bad input: each names the value and lists what is allowed.
\set VERBOSITY default
SELECT arcollect.log_touchpoint('tp1', 'fax');
SELECT arcollect.log_touchpoint('tp1', 'call', 'sideways');
SELECT arcollect.log_touchpoint('tp1', 'call', outcome => 'happy');
-- A customer arcollect does not know, through the function or a plain INSERT.
SELECT arcollect.log_touchpoint('nobody', 'call');
INSERT INTO arcollect.touchpoint (customer_id, channel, status, done_at)
VALUES ('tp1', 'call', 'done', now()), ('nobody2', 'sms', 'done', now());
\set VERBOSITY terse
-- The CHECK constraints hold plain INSERTs too.
INSERT INTO arcollect.touchpoint (customer_id, channel, status, done_at) VALUES ('tp1', 'fax', 'done', now());
INSERT INTO arcollect.touchpoint (customer_id, channel, status) VALUES ('tp1', 'call', 'planned');
INSERT INTO arcollect.touchpoint (customer_id, channel, status) VALUES ('tp1', 'call', 'done');
INSERT INTO arcollect.touchpoint (customer_id, channel, status, planned_for, outcome)
VALUES ('tp1', 'call', 'planned', '2025-03-20 09:00+00', 'reached');
INSERT INTO arcollect.touchpoint (customer_id, channel, status) VALUES ('tp1', 'call', 'skipped');
INSERT INTO arcollect.touchpoint (customer_id, channel, status, done_at, step_no)
VALUES ('tp1', 'call', 'done', now(), 2);

-- Life cycle: planned -> done through complete_touchpoint.
INSERT INTO arcollect.touchpoint (customer_id, channel, status, planned_for, policy_name, step_no, subject, notes)
VALUES ('tp1', 'email', 'planned', '2025-03-20 09:00+00', 'default', 2, 'Invoice T1 is overdue', 'first reminder')
RETURNING touchpoint_id AS planned_id \gset
-- (planned, it may go to another customer, one arcollect knows)
UPDATE arcollect.touchpoint SET customer_id = 'nobody' WHERE touchpoint_id = :planned_id;
SELECT arcollect.complete_touchpoint(:planned_id, 'sent', done_at => '2025-03-20 09:05+00');
SELECT status, outcome, done_at AT TIME ZONE 'UTC' AS done_at_utc, planned_for AT TIME ZONE 'UTC' AS planned_utc,
       notes FROM arcollect.touchpoint WHERE touchpoint_id = :planned_id;
-- done is final: completing it again, or any other change of status, is refused.
\set VERBOSITY default
SELECT arcollect.complete_touchpoint(:planned_id, 'reached');
\set VERBOSITY terse
UPDATE arcollect.touchpoint SET status = 'planned' WHERE touchpoint_id = :planned_id;
UPDATE arcollect.touchpoint SET status = 'cancelled', reason = 'paid' WHERE touchpoint_id = :planned_id;
-- ... but its other columns may change (notes).
UPDATE arcollect.touchpoint SET notes = 'customer replied' WHERE touchpoint_id = :planned_id;
-- planned -> skipped and planned -> cancelled, each with a reason; then final.
INSERT INTO arcollect.touchpoint (customer_id, channel, status, planned_for)
VALUES ('tp1', 'call', 'planned', '2025-03-21 09:00+00'), ('tp1', 'letter', 'planned', '2025-03-22 09:00+00');
SELECT min(touchpoint_id) AS call2, max(touchpoint_id) AS letter2
  FROM arcollect.touchpoint WHERE status = 'planned' \gset
UPDATE arcollect.touchpoint SET status = 'skipped' WHERE touchpoint_id = :call2;
UPDATE arcollect.touchpoint SET status = 'skipped', reason = 'outside contact window' WHERE touchpoint_id = :call2;
UPDATE arcollect.touchpoint SET status = 'cancelled', reason = 'paid' WHERE touchpoint_id = :letter2;
SELECT arcollect.complete_touchpoint(:call2, 'reached');
SELECT arcollect.complete_touchpoint(:letter2, 'sent');
UPDATE arcollect.touchpoint SET status = 'planned' WHERE touchpoint_id = :letter2;
-- Completing a touchpoint that does not exist, or with an unknown outcome.
SELECT arcollect.complete_touchpoint(-1, 'reached');
SELECT arcollect.complete_touchpoint(:call2, 'maybe');
SELECT channel, status, outcome, reason FROM arcollect.touchpoint
 WHERE customer_id = 'tp1' ORDER BY touchpoint_id;

-- Invoices a touchpoint lists: named by key, the open amount then is
-- filled in; a payment later does not change it.
INSERT INTO arcollect.touchpoint_invoice (touchpoint_id, invoice_key)
VALUES (:planned_id, 'T1'), (:planned_id, 'T2');
UPDATE tp_bill SET amount = 60 WHERE id = 'T1';
SELECT touchpoint_id = :planned_id AS planned, customer_id, billing_table, invoice_key, currency,
       listed_open_amount, open_amount
  FROM arcollect.touchpoint_invoices WHERE customer_id = 'tp1' ORDER BY invoice_key;
-- An unknown key, another customer's invoice, a bad attachment.
INSERT INTO arcollect.touchpoint_invoice (touchpoint_id, invoice_key) VALUES (:planned_id, 'T9');
\set VERBOSITY default
INSERT INTO arcollect.touchpoint_invoice (touchpoint_id, invoice_key) VALUES (:planned_id, 'T3');
\set VERBOSITY terse
INSERT INTO arcollect.touchpoint_invoice (touchpoint_id, attachment_id, invoice_key) VALUES (:planned_id, -1, 'T3');
-- A key two billing tables hold: give the attachment.
CREATE TABLE tp_bill2 (id text PRIMARY KEY, cust text NOT NULL, amount numeric, issued date, due date);
SELECT arcollect.attach('tp_bill2', key => 'id', customer => 'cust', amount => 'amount', due_on => 'due',
                        issued_on => 'issued', default_currency => 'EUR') AS imported;
INSERT INTO tp_bill2 VALUES ('T2', 'tp1', 75, '2025-02-05', '2025-03-07');
INSERT INTO arcollect.touchpoint_invoice (touchpoint_id, invoice_key) VALUES (:call_id, 'T2');
INSERT INTO arcollect.touchpoint_invoice (touchpoint_id, attachment_id, invoice_key)
SELECT :call_id, attachment_id, 'T2' FROM arcollect.attachment WHERE billing_table = 'tp_bill2'::regclass;
SELECT billing_table, invoice_key, listed_open_amount FROM arcollect.touchpoint_invoices
 WHERE touchpoint_id = :call_id;

-- A touchpoint about one currency (as the dunning ladder plans them, one
-- per customer and currency) lists invoices in that currency only; the
-- code is checked.  tp1 owes in USD too (T4).
INSERT INTO tp_bill VALUES ('T4', 'tp1', 30, '2025-02-10', '2025-03-12', 'USD');
INSERT INTO arcollect.touchpoint (customer_id, currency, channel, status, planned_for)
VALUES ('tp1', 'usd', 'email', 'planned', '2025-03-25 09:00+00');
INSERT INTO arcollect.touchpoint (customer_id, currency, channel, status, planned_for)
VALUES ('tp1', 'USD', 'email', 'planned', '2025-03-25 09:00+00')
RETURNING touchpoint_id AS usd_id \gset
INSERT INTO arcollect.touchpoint_invoice (touchpoint_id, invoice_key) VALUES (:usd_id, 'T4');
\set VERBOSITY default
INSERT INTO arcollect.touchpoint_invoice (touchpoint_id, invoice_key) VALUES (:usd_id, 'T1');
\set VERBOSITY terse
-- ... whichever way the row comes (the ladder gives attachment and amount)
INSERT INTO arcollect.touchpoint_invoice (touchpoint_id, attachment_id, invoice_key, open_amount)
SELECT :usd_id, attachment_id, 'T1', 60 FROM arcollect.attachment WHERE billing_table = 'tp_bill'::regclass;
-- A touchpoint whose currency or customer changes is held to what it listed.
UPDATE arcollect.touchpoint SET currency = 'EUR' WHERE touchpoint_id = :usd_id;
UPDATE arcollect.touchpoint SET customer_id = 'tp2' WHERE touchpoint_id = :usd_id;
UPDATE arcollect.touchpoint SET currency = NULL WHERE touchpoint_id = :usd_id;
INSERT INTO arcollect.touchpoint_invoice (touchpoint_id, invoice_key) VALUES (:usd_id, 'T1');
UPDATE arcollect.touchpoint SET currency = 'USD' WHERE touchpoint_id = :usd_id;
SELECT t.currency AS touchpoint_currency, ti.invoice_key, ti.currency, ti.listed_open_amount
  FROM arcollect.touchpoint_invoices ti JOIN arcollect.touchpoints t USING (touchpoint_id)
 WHERE touchpoint_id = :usd_id ORDER BY invoice_key;
\set VERBOSITY default

-- The reader view.
SELECT customer_id, currency, channel, direction, status, outcome, owner, policy_name, step_no, reason,
       subject, invoices_listed
  FROM arcollect.touchpoints WHERE customer_id LIKE 'tp%' ORDER BY touchpoint_id;
-- Deleting a touchpoint deletes what it listed.
DELETE FROM arcollect.touchpoint WHERE touchpoint_id = :planned_id;
SELECT count(*) AS listed FROM arcollect.touchpoint_invoice WHERE touchpoint_id = :planned_id;

-- The values arcollect.touchpoint_choice lists are exactly those the CHECK
-- constraints allow (no rows: they agree).
WITH allowed AS (
    SELECT substring(c.conname FROM '^touchpoint_(.*)_known$') AS column_name, m[1] AS value
      FROM pg_constraint c, regexp_matches(pg_get_constraintdef(c.oid), '''([a-z_]+)''', 'g') m
     WHERE c.conrelid = 'arcollect.touchpoint'::regclass
       AND c.conname IN ('touchpoint_channel_known', 'touchpoint_direction_known', 'touchpoint_outcome_known'))
(SELECT 'only in CHECK' AS where_, * FROM allowed EXCEPT SELECT 'only in CHECK', * FROM arcollect.touchpoint_choice)
UNION ALL
(SELECT 'only in view', * FROM arcollect.touchpoint_choice EXCEPT SELECT 'only in view', * FROM allowed);
