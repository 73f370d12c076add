-- The escalation run over a scripted month, run day by day from February
-- 25 to March 31, 2025, with payments arriving on their days: the exact
-- touchpoints the ladders prescribe, one per customer, currency and step,
-- none for what is disputed, under a plan or promised; a second run the
-- same day adds nothing; a customer first seen late catches up (the step
-- reached planned, those passed over skipped as superseded) and ends in
-- the stage and with the steps of its twin run day by day; the preview
-- writes nothing; a fee step claims, a credit_hold step holds and the hold
-- is released; the messages are rendered, or kept out of the outbox when
-- they cannot be.  The contact rules and templates themselves are other
-- tests'.
--
-- The default ladder: 1 pre-due email at -3 days, 2 email at +1, 3 call at
-- +15, 4 letter at +30, 5 final notice at +60, 6 agency referral at +90
-- (days from the due date of the oldest escalatable invoice).  The policy
-- er_strict: 1 email at +1, 2 fee at +5 (eu, 8 %), 3 credit_hold at +10
-- from 1000 overdue.
--
-- Customers (EUR unless said; every invoice issued 2025-02-01; the invoice
-- keys are ER and the names below, ERA1 for A1, unique in the suite):
--   era  A1 1000 due 03-01, A2 500 due 03-10, A3 300 USD due 03-01;
--        pays A1 and A2 on 03-20.
--        EUR: step 1 on 02-26 (A1 due in 3 days; A2 in 12, not listed),
--             step 2 on 03-02 (A1), step 3 on 03-16 (A1 and A2, 6 days
--             overdue), then paid on 03-20: the escalation ends, reason
--             paid, its three planned touchpoints cancelled (paid).
--        USD: steps 1, 2, 3 on 02-26, 03-02, 03-16 and 4 on 03-31 (A3).
--   erb  B1 200 due 03-01, disputed whole: nothing, ever.
--   erc  C1 300 due 03-01 under a plan made 02-20 (150 on 03-15, paid, and
--        150 on 04-15): nothing, ever.
--   erd  D1 400 due 03-01; promises 400 by 03-20 on 03-05, pays nothing.
--        Step 1 on 02-26, step 2 on 03-02; on 03-05 the promise covers
--        D1: the escalation ends (promise), step 2's touchpoint cancelled
--        (promise; step 1's too).  03-21: promise broken, D1 20 days
--        overdue: a new escalation plans step 3, steps 1 and 2 superseded.
--   erf  (er_strict) F1 2000 due 03-01, F2 300 due 03-04 disputed whole.
--        Step 1 on 03-02 (F1), fee step 2 on 03-06 (F1 only: claims 40.00
--        compensation and 2000 x 0.08 x 5 / 365 = 2.19 interest), hold
--        step 3 on 03-11; pays F1 on 03-25: only the disputed F2 is left,
--        the escalation ends (disputed) and the hold is released (disputed).
--   erg  (er_strict) G1 1200 due 03-01: steps 1, 2, 3 on 03-02, 03-06
--        (fee: 40.00 and 1200 x 0.08 x 5 / 365 = 1.32), 03-11; its hold
--        released by hand after the run of 03-15, and not set again.
--        (erh's fee: 100 x 0.08 x 5 / 365 = 0.11.)
--   erh  (er_strict) H1 100 due 03-01: steps 1 and 2; step 3 needs 1000.
--   x1   X1 1000 due 02-19 (200 paid 02-27), X2 500 due 03-10: first seen
--        on 02-25 at 6 days: step 2, step 1 superseded; step 3 on 03-06,
--        step 4 on 03-21.
--   y1   the same as x1, but billed (and paid) only on 03-31: first seen
--        40 days overdue, step 4 planned, 1 to 3 superseded.
-- Every customer has an owner, whom the messages name ({{owner}}), but
-- erh: its messages cannot be rendered, so they are planned with no
-- subject and body, the error is kept (arcollect.unrendered_messages) and
-- the outbox leaves them out; once erh has an owner the next run renders
-- them.  x1 is in New York: its touchpoints are planned for 08:00 there
-- (13:00 UTC, 12:00 from the change to summer time on March 9).  The
-- contact rules decide one touchpoint after another: era's USD email of
-- 03-02 is its fourth email in 7 days (two EUR, one USD before it), over
-- the cap of 3, and is deferred to 03-05, when the one of 02-26 is out of
-- the 7 days.
\set SHOW_CONTEXT never
SET client_min_messages = warning;
ALTER TABLE arcollect.touchpoint ALTER COLUMN touchpoint_id RESTART WITH 5001;
CREATE TABLE er_bill (id text PRIMARY KEY, cust text NOT NULL, amount numeric, issued date, due date,
                      cur text NOT NULL);
CREATE TABLE er_pay (id serial PRIMARY KEY, invoice text NOT NULL, amount numeric NOT NULL,
                     paid_on date NOT NULL);
SELECT arcollect.attach('er_bill', key => 'id', customer => 'cust', amount => 'amount', due_on => 'due',
                        issued_on => 'issued', currency => 'cur') AS imported;
SELECT arcollect.attach_payments('er_pay', invoice_key => 'invoice', amount => 'amount',
                                 paid_on => 'paid_on', invoices => 'er_bill') AS imported;
INSERT INTO er_bill VALUES
    ('ERA1', 'era', 1000, '2025-02-01', '2025-03-01', 'EUR'),
    ('ERA2', 'era', 500, '2025-02-01', '2025-03-10', 'EUR'),
    ('ERA3', 'era', 300, '2025-02-01', '2025-03-01', 'USD'),
    ('ERB1', 'erb', 200, '2025-02-01', '2025-03-01', 'EUR'),
    ('ERC1', 'erc', 300, '2025-02-01', '2025-03-01', 'EUR'),
    ('ERD1', 'erd', 400, '2025-02-01', '2025-03-01', 'EUR'),
    ('ERF1', 'erf', 2000, '2025-02-01', '2025-03-01', 'EUR'),
    ('ERF2', 'erf', 300, '2025-02-01', '2025-03-04', 'EUR'),
    ('ERG1', 'erg', 1200, '2025-02-01', '2025-03-01', 'EUR'),
    ('ERH1', 'erh', 100, '2025-02-01', '2025-03-01', 'EUR'),
    ('ERX1', 'x1', 1000, '2025-02-01', '2025-02-19', 'EUR'),
    ('ERX2', 'x1', 500, '2025-02-01', '2025-03-10', 'EUR');
INSERT INTO er_pay (invoice, amount, paid_on) VALUES ('ERX1', 200, '2025-02-27');
UPDATE arcollect.customer SET owner = 'Mia Becker'
 WHERE customer_id IN ('era', 'erb', 'erc', 'erd', 'erf', 'erg', 'x1');
UPDATE arcollect.customer SET time_zone = 'America/New_York' WHERE customer_id = 'x1';
INSERT INTO arcollect.policy (policy_name) VALUES ('er_strict');
INSERT INTO arcollect.policy_step (policy_name, step_no, days_from_due, channel, template_name, action,
                                   min_overdue_amount, fee_regime, interest_rate) VALUES
    ('er_strict', 1, 1, 'email', 'friendly_reminder', 'remind', 0, NULL, NULL),
    ('er_strict', 2, 5, 'email', 'late_fee_notice', 'fee', 0, 'eu', 0.08),
    ('er_strict', 3, 10, 'email', 'credit_hold_notice', 'credit_hold', 1000, NULL, NULL);
UPDATE arcollect.customer SET escalation_policy = 'er_strict' WHERE customer_id IN ('erf', 'erg', 'erh');
SELECT arcollect.open_dispute('ERB1', 'pricing', opened_on => '2025-02-20') > 0 AS disputed_b1,
       arcollect.open_dispute('ERF2', 'quality', opened_on => '2025-02-20') > 0 AS disputed_f2;
SELECT arcollect.create_payment_plan('erc', '{2025-03-15,2025-04-15}', '{150,150}', '{ERC1}',
                                     created_on => '2025-02-20') > 0 AS plan_c1;
SELECT arcollect.promise_to_pay('erd', 400, '2025-03-20', '2025-03-05') > 0 AS promise_d1;
INSERT INTO er_pay (invoice, amount, paid_on) VALUES ('ERC1', 150, '2025-03-14');

-- The stage before any run, as of March 16: era's EUR at step 3 (A1 15
-- days overdue, A2 6), erb held back by its dispute, erc by its plan,
-- erd by its promise, erf at step 3 with the disputed F2 left out.
SELECT customer_id, currency, policy_name, open_overdue, escalatable_overdue AS escalatable,
       oldest_days_overdue AS oldest, held_by, step_no, action, step_amount,
       (SELECT string_agg(j ->> 'invoice_key', ',') FROM jsonb_array_elements(invoices) j) AS invoices
  FROM arcollect.escalation_stage('2025-03-16')
 WHERE customer_id LIKE 'er%' OR customer_id IN ('x1', 'y1')
 ORDER BY customer_id, currency;

-- The preview writes nothing.
CREATE TEMP TABLE er_counts AS
SELECT (SELECT count(*) FROM arcollect.touchpoint) AS touchpoints, (SELECT count(*) FROM arcollect.escalation) AS escalations;
SELECT change, customer_id, currency, step_no, action, channel, status, decision,
       planned_for AT TIME ZONE 'UTC' AS planned_for_utc, reason, escalatable_overdue,
       (SELECT string_agg(format('%s:%s', j ->> 'invoice_key', j ->> 'open_amount'), ',')
          FROM jsonb_array_elements(invoices) j) AS invoices
  FROM arcollect.preview_escalations('2025-02-25')
 WHERE customer_id LIKE 'er%' OR customer_id IN ('x1', 'y1');
SELECT (SELECT count(*) FROM arcollect.touchpoint) = touchpoints AS no_touchpoint_written,
       (SELECT count(*) FROM arcollect.escalation) = escalations AS no_escalation_written
  FROM er_counts;

-- The month, day by day; each day's payments arrive before its run, the
-- hold of erg is released by hand on March 15, y1 is billed on March 31.
-- (The ledger's own recompute of a payment is as of the real today; the
-- scripted days leave it to their runs.)
SET arcollect.escalation_trigger = off;
DO $$
DECLARE
    d date;
BEGIN
    FOR d IN SELECT g::date FROM generate_series(date '2025-02-25', date '2025-03-31', interval '1 day') g LOOP
        IF d = '2025-03-20' THEN
            INSERT INTO er_pay (invoice, amount, paid_on) VALUES ('ERA1', 1000, d), ('ERA2', 500, d);
        ELSIF d = '2025-03-25' THEN
            INSERT INTO er_pay (invoice, amount, paid_on) VALUES ('ERF1', 2000, d);
        ELSIF d = '2025-03-31' THEN
            INSERT INTO er_bill VALUES ('ERY1', 'y1', 1000, '2025-02-01', '2025-02-19', 'EUR'),
                                       ('ERY2', 'y1', 500, '2025-02-01', '2025-03-10', 'EUR');
            INSERT INTO er_pay (invoice, amount, paid_on) VALUES ('ERY1', 200, '2025-02-27');
            UPDATE arcollect.customer SET owner = 'Mia Becker' WHERE customer_id = 'y1';
        END IF;
        CALL arcollect.run_escalations(d);
        IF d = '2025-03-15' THEN
            PERFORM arcollect.release_credit_hold('erg');
        END IF;
    END LOOP;
END
$$;
RESET arcollect.escalation_trigger;

-- Every touchpoint of the ladder, by customer, currency and the day its
-- step was taken, with the invoices listed and their open amounts then.
SELECT t.customer_id, t.currency, s.taken_on, t.step_no, s.action, t.channel, t.status, t.reason,
       t.planned_for AT TIME ZONE 'UTC' AS planned_for_utc,
       (SELECT string_agg(format('%s:%s', ti.invoice_key, ti.open_amount), ',' ORDER BY ti.invoice_key)
          FROM arcollect.touchpoint_invoice ti WHERE ti.touchpoint_id = t.touchpoint_id) AS invoices
  FROM arcollect.touchpoint t
  JOIN arcollect.escalation_step s ON s.touchpoint_id = t.touchpoint_id
 WHERE t.customer_id LIKE 'er%' OR t.customer_id IN ('x1', 'y1')
 ORDER BY t.customer_id, t.currency, s.taken_on, t.step_no;

-- x1's on its clock in New York: 08:00 each time.
SELECT t.step_no, t.status, t.planned_for AT TIME ZONE c.time_zone AS planned_local,
       t.planned_for AT TIME ZONE 'UTC' AS planned_utc
  FROM arcollect.touchpoint t JOIN arcollect.customer c USING (customer_id)
 WHERE t.customer_id = 'x1' AND t.status = 'planned' ORDER BY t.step_no;

-- The messages, rendered by the run: the subject (calls have none: the
-- body is the collector's script) and the first line of the body; erh's
-- are empty.
SELECT t.customer_id, t.currency, t.step_no, t.channel, t.subject, split_part(t.body, E'\n', 1) AS body_first_line
  FROM arcollect.touchpoint t
  JOIN arcollect.escalation_step s ON s.touchpoint_id = t.touchpoint_id
 WHERE t.status = 'planned' AND (t.customer_id LIKE 'er%' OR t.customer_id IN ('x1', 'y1'))
 ORDER BY t.customer_id, t.currency, t.step_no;
-- Why: erh has no owner.  Its emails are not in the outbox (erg's are).
SELECT customer_id, step_no, channel, template_name, held_from_outbox, render_error
  FROM arcollect.unrendered_messages
 WHERE customer_id LIKE 'er%' OR customer_id IN ('x1', 'y1') ORDER BY touchpoint_id;
SELECT count(*) FILTER (WHERE customer_id = 'erh') AS erh_in_outbox,
       count(*) FILTER (WHERE customer_id = 'erg') AS erg_in_outbox
  FROM arcollect.outbox;

-- The escalations and how they ended.
SELECT customer_id, currency, policy_name, started_on, step_no, ended_on, end_reason
  FROM arcollect.escalation WHERE customer_id LIKE 'er%' OR customer_id IN ('x1', 'y1')
 ORDER BY customer_id, currency, started_on;

-- erf's fee step claimed F1 only (F2 is disputed), for the invoices its
-- touchpoint listed.
SELECT c.customer_id, c.invoice_key, c.open_amount, c.claimed_on, c.compensation, c.interest,
       t.step_no AS claimed_by_step
  FROM arcollect.late_fee_claim c
  JOIN arcollect.touchpoint t ON t.touchpoint_id = c.touchpoint_id
 WHERE c.customer_id LIKE 'er%'
 ORDER BY c.customer_id, c.invoice_key;

-- The holds: erf's released when only its disputed invoice was left,
-- erg's by hand (and not set again); none in force.
-- (A hold released by hand is released today, whatever the run's dates.)
SELECT customer_id, currency, since, reason,
       CASE WHEN released_on = current_date THEN 'today' ELSE released_on::text END AS released_on,
       released_reason = format('released by %s', current_user) AS by_hand
  FROM arcollect.credit_hold WHERE customer_id LIKE 'er%' ORDER BY customer_id;
SELECT count(*) AS on_hold FROM arcollect.credit_holds;
SELECT arcollect.release_credit_hold('erh') AS released_none;

-- The runs: one per day, each done (their counts are over every customer
-- of the database, the earlier tests' too).
SELECT count(*) AS runs, count(*) FILTER (WHERE status = 'done') AS done,
       count(*) FILTER (WHERE finished_at >= started_at) AS timed
  FROM arcollect.escalation_run;

-- A second run for the last day adds nothing (and is recorded).
CREATE TEMP TABLE er_before AS SELECT * FROM arcollect.touchpoint;
CALL arcollect.run_escalations('2025-03-31');
SELECT (SELECT count(*) FROM arcollect.touchpoint) - (SELECT count(*) FROM er_before) AS new_touchpoints,
       (SELECT count(*) FROM (SELECT * FROM arcollect.touchpoint EXCEPT SELECT * FROM er_before) x) AS changed;
SELECT status, customers_advanced, touchpoints_planned, steps_superseded, escalations_ended
  FROM arcollect.escalation_run ORDER BY run_id DESC LIMIT 1;
-- In small batches too: nothing is left to write.
CALL arcollect.run_escalations('2025-03-31', batch_size => 1);
SELECT (SELECT count(*) FROM arcollect.touchpoint) - (SELECT count(*) FROM er_before) AS new_touchpoints;

-- erh gets an owner: the next run renders its messages, and the outbox
-- has them.
UPDATE arcollect.customer SET owner = 'Jonas Wolf' WHERE customer_id = 'erh';
CALL arcollect.run_escalations('2025-03-31');
SELECT count(*) AS unrendered FROM arcollect.unrendered_messages
 WHERE customer_id LIKE 'er%' OR customer_id IN ('x1', 'y1');
SELECT t.step_no, t.subject, split_part(t.body, E'\n', 1) AS body_first_line,
       s.render_error IS NULL AS rendered
  FROM arcollect.touchpoint t JOIN arcollect.escalation_step s ON s.touchpoint_id = t.touchpoint_id
 WHERE t.customer_id = 'erh' ORDER BY t.step_no;
SELECT count(*) AS erh_in_outbox FROM arcollect.outbox WHERE customer_id = 'erh';

-- Day by day (x1) and once on the last day (y1): the same stage and the
-- same steps, in one status or the other.
SELECT customer_id, escalatable_overdue, oldest_days_overdue, step_no
  FROM arcollect.escalation_stage('2025-03-31') WHERE customer_id IN ('x1', 'y1') ORDER BY 1;
SELECT (SELECT array_agg(step_no ORDER BY step_no) FROM arcollect.touchpoint WHERE customer_id = 'x1') AS x1_steps,
       (SELECT array_agg(step_no ORDER BY step_no) FROM arcollect.touchpoint WHERE customer_id = 'y1') AS y1_steps;

-- Refused input; no run on a standby and no second run at once are shown
-- by specs/escalation_concurrent_runs.spec and the README.
CALL arcollect.run_escalations(NULL);
CALL arcollect.run_escalations('2025-03-31', 0);
SELECT arcollect.release_credit_hold('nobody');

-- The run as an admin with only the grants doc/ledger.md gives ar_admin
-- (doc/ledger_roles.sql): erz, owing Z1 1000 due 03-25, is 7 days
-- overdue on April 1: step 2 planned and rendered, step 1 superseded.
CREATE ROLE bi_reader NOLOGIN;
CREATE ROLE collector NOLOGIN;
CREATE ROLE ar_admin NOLOGIN;
\set ECHO none
\i doc/ledger_roles.sql
\set ECHO all
INSERT INTO er_bill VALUES ('ERZ1', 'erz', 1000, '2025-02-25', '2025-03-25', 'EUR');
UPDATE arcollect.customer SET owner = 'Mia Becker' WHERE customer_id = 'erz';
SET ROLE ar_admin;
CALL arcollect.run_escalations('2025-04-01');
SELECT status, created_by FROM arcollect.escalation_run ORDER BY run_id DESC LIMIT 1;
SELECT t.step_no, t.status, t.reason, t.subject
  FROM arcollect.touchpoint t WHERE t.customer_id = 'erz' ORDER BY t.step_no;
RESET ROLE;
DROP OWNED BY bi_reader, collector, ar_admin;
DROP ROLE bi_reader, collector, ar_admin;

-- A second run of a day whose inputs did not change computes nothing:
-- the last complete run recorded what it saw (arcollect.escalation_inputs)
-- and a run that finds it unchanged stops there, so the record stays the
-- earlier run's (skipped).  After any change the next run computes, and
-- records itself (computed): a payment, a record, a customer's setting
-- changed or deleted, a contact rule, a policy step, another date, or
-- another role than the last run's (here at first: ar_admin ran it).
CREATE FUNCTION pg_temp.last_run() RETURNS text LANGUAGE sql AS $$
    SELECT CASE WHEN i.run_id = (SELECT max(r.run_id) FROM arcollect.escalation_run r) THEN 'computed'
                WHEN i.run_id < (SELECT max(r.run_id) FROM arcollect.escalation_run r) THEN 'skipped'
                ELSE 'not recorded' END
      FROM (SELECT (SELECT i.run_id FROM arcollect.escalation_inputs i) AS run_id) i
$$;
CALL arcollect.run_escalations('2025-04-01');
SELECT pg_temp.last_run() AS another_role;
CALL arcollect.run_escalations('2025-04-01');
SELECT pg_temp.last_run() AS nothing_changed;
CALL arcollect.run_escalations('2025-04-01');
SELECT pg_temp.last_run() AS nothing_changed_again;
INSERT INTO er_pay (invoice, amount, paid_on) VALUES ('ERZ1', 100, '2025-03-28');
CALL arcollect.run_escalations('2025-04-01');
SELECT pg_temp.last_run() AS a_payment;
CALL arcollect.run_escalations('2025-04-01');
SELECT pg_temp.last_run() AS nothing_changed;
SELECT arcollect.promise_to_pay('erz', 100, '2025-04-10', '2025-04-01') > 0 AS promised;
CALL arcollect.run_escalations('2025-04-01');
SELECT pg_temp.last_run() AS a_promise;
UPDATE arcollect.customer SET language = 'de' WHERE customer_id = 'erz';
CALL arcollect.run_escalations('2025-04-01');
SELECT pg_temp.last_run() AS a_setting;
DELETE FROM arcollect.customer WHERE customer_id = 'erz';
CALL arcollect.run_escalations('2025-04-01');
SELECT pg_temp.last_run() AS a_setting_deleted;
UPDATE arcollect.contact_rule SET max_attempts = 4 WHERE channel = 'email';
CALL arcollect.run_escalations('2025-04-01');
SELECT pg_temp.last_run() AS a_contact_rule;
UPDATE arcollect.policy_step SET min_overdue_amount = 900 WHERE policy_name = 'er_strict' AND step_no = 3;
CALL arcollect.run_escalations('2025-04-01');
SELECT pg_temp.last_run() AS a_policy_step;
CALL arcollect.run_escalations('2025-04-02');
SELECT pg_temp.last_run() AS another_day;
CALL arcollect.run_escalations('2025-04-02');
SELECT pg_temp.last_run() AS nothing_changed;
-- And what changed is acted on that day: erw, billed now, owes W1 500
-- due 03-20, 13 days overdue on April 2: step 2 (+1 day) planned, step 1
-- (-3) superseded, step 3 (+15) not reached.
INSERT INTO er_bill VALUES ('ERW1', 'erw', 500, '2025-02-01', '2025-03-20', 'EUR');
UPDATE arcollect.customer SET owner = 'Mia Becker' WHERE customer_id = 'erw';
CALL arcollect.run_escalations('2025-04-02');
SELECT pg_temp.last_run() AS an_invoice;
SELECT t.step_no, t.status, t.reason, t.body IS NOT NULL AS rendered
  FROM arcollect.touchpoint t WHERE t.customer_id = 'erw' ORDER BY t.step_no;

-- Two touchpoints of one customer on one channel in one run: the second
-- is decided once the first is written, and sees it in the caps.  erv
-- owes ERV1 300 EUR and ERV2 200 USD, both due 02-21: 40 days overdue on
-- April 2, each currency reaches step 4 of default, a letter (steps 1 to
-- 3 superseded).  Letters: one in any 7 days.  The EUR letter is planned
-- for 08:00 that day; the USD one would make 04-02 to 04-08 hold two, so
-- it is deferred to 08:00 on 04-09 (max_attempts), the first day whose 7
-- days back leave 04-02 out.
INSERT INTO er_bill VALUES ('ERV1', 'erv', 300, '2025-01-22', '2025-02-21', 'EUR'),
                           ('ERV2', 'erv', 200, '2025-01-22', '2025-02-21', 'USD');
UPDATE arcollect.customer SET owner = 'Mia Becker' WHERE customer_id = 'erv';
CALL arcollect.run_escalations('2025-04-02');
SELECT t.currency, t.step_no, t.channel, t.status, t.reason, t.planned_for AT TIME ZONE 'UTC' AS planned_for_utc
  FROM arcollect.touchpoint t WHERE t.customer_id = 'erv' AND t.step_no = 4 ORDER BY t.currency;
