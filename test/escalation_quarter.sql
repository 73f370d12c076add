-- Runs as role arcollect_suite with an empty search_path (README, Tests).
-- A scripted quarter of the dunning ladder, day by day: the fourth
-- quarter of 2025 (October 1 to December 31, 92 days, across the ends of
-- summer time in Europe and the United States and the start of it in
-- Sydney), one CALL arcollect.run_escalations(day) a day, on an attached
-- billing table and an attached payments table, with invoices billed,
-- payments arriving and disputes, plans and promises made on their days,
-- before that day's run.  Every customer's touchpoints are exactly the
-- ones its ladder prescribes, worked out by hand below: one per customer,
-- currency and step, listing the invoices the step lists with their open
-- amounts on the day, on the day the step is reached, planned for 08:00
-- of that day in the customer's time zone as the contact rules allow; none
-- for what is paid, disputed, under a plan or promised.  Then the
-- episodes, the final stage, the late-fee claims, the credit holds, the
-- plans and promises, the runs' counts; and a second run on the last day
-- adds nothing.
--
-- A procedure that commits cannot run in this file's transaction, and a
-- run escalates every customer of its database: the quarter runs in a
-- database of its own, arcollect_quarter, through dblink, each CALL at
-- top level of that session (as pg_cron makes it), so that the runs'
-- counts are this file's customers' only.  Creating a database is the
-- DBA's: the sessions log in as the superuser the connection is
-- (session_user).
--
-- The record and payment triggers recompute a customer as of today, the
-- wall-clock date, which is not the scripted day (the quarter is in the
-- past): the session writing the quarter sets arcollect.escalation_trigger
-- off, and each day's run, which settles and recomputes every customer
-- for its own date, does what they would have done (an episode that ends
-- ends on the run's date).
--
-- The ladders.  default (installed): 1 email pre_due_reminder at -3 days,
-- 2 email friendly_reminder at +1, 3 call at +15, 4 letter firm_letter at
-- +30, 5 letter final_notice at +60, 6 letter agency_referral at +90, days
-- from the due date of the oldest escalatable invoice (days overdue = day
-- - due date).  A step lists the escalatable invoices at least
-- least(its days, 1) days overdue (a pre-due step: also those due within
-- its days).  q_fee_hold (qb, qm, qn): 1 email friendly_reminder at +1,
-- 2 email late_fee_notice at +10, a fee (regime eu: EUR 40 per invoice,
-- interest 8 % a year, open x 0.08 x days / 365 rounded to the cent),
-- 3 email credit_hold_notice at +20, a credit hold, from 1000 escalatable
-- overdue, 4 letter final_notice at +45.
-- Contact rules (installed): email 3 in 7 days, letter 1 in 7, calls 7 in
-- 7; 08:00 to 21:00 local.  Every customer has an owner (the messages name
-- it) and is in UTC but for qf (Europe/Berlin: 08:00 is 06:00 UTC to
-- October 25, 07:00 from the 26th), qk (America/New_York: 12:00 UTC to
-- November 1, 13:00 from the 2nd) and ql (Australia/Sydney: 22:00 UTC the
-- day before to October 4, 21:00 from the 5th).  Nobody completes a
-- touchpoint: they stay planned unless their episode ends.
--
-- The customers (EUR unless said; invoices issued 30 days before due,
-- billed on their issue day; a payment is paid on the day it arrives):
--   qa  never pays: QA1 1000 due 10-02.  Step 1 on 10-01 (the first run:
--       -1 days, within the 3), 2 on 10-03 (+1), 3 on 10-17 (+15), 4 on
--       11-01 (+30), 5 on 12-01 (+60), 6 on 12-31 (+90); every one lists
--       QA1:1000.  Ends at step 6, 90 days.
--   qb  (q_fee_hold) never pays: QB1 800 due 10-05, QB2 700 due 10-12,
--       QB3 400 due 11-20 (billed 10-21).  Step 1 on 10-06 (QB1 +1;
--       QB2 is -6: QB1 only); fee step 2 on 10-15 (QB1 +10) lists QB1
--       and QB2 (+3) and claims each once: 40 + 800 x 0.08 x 10 / 365 =
--       1.75, and 40 + 700 x 0.08 x 3 / 365 = 0.46 (the message: 80.00
--       EUR compensation, 2.21 EUR interest); step 3 on 10-25 (+20,
--       1500 >= 1000) sets the hold; step 4 on 11-19 (+45) lists QB1
--       and QB2 (QB3 is -1).  QB3, overdue from 11-21, is claimed by
--       no step.  Ends at step 4, 1900 overdue, 87 days, on hold.
--   qc  pays in full after the reminders: QC1 600 due 10-10; step 1 on
--       10-07, 2 on 10-11; pays 600 on 10-14: the episode ends (paid),
--       both touchpoints cancelled (paid), nothing after.  QC2 300 due
--       12-10 (billed 11-10): a new episode, step 1 on 12-07; paid 12-09:
--       ends (paid), its touchpoint cancelled.  Nothing open at the end.
--   qd  pays in part: QD1 1000 due 10-08; step 1 on 10-05 and 2 on 10-09
--       list QD1:1000; pays 400 on 10-20: step 3 on 10-23 lists QD1:600;
--       pays 250 on 11-05: step 4 on 11-07 and 5 on 12-07 list QD1:350.
--       Ends at step 5, 350, 84 days.
--   qe  two currencies, two episodes: QE1 500 EUR due 10-20; QE2 300 USD
--       due 10-20, QE3 200 USD due 10-27.  Both at step 1 on 10-17
--       (USD: QE2 only, QE3 is -10), 2 on 10-21 (USD: QE2, QE3 is -6), 3
--       on 11-04 (USD: QE2, QE3), 4 on 11-19, 5 on 12-19.  The caps count
--       the customer's touchpoints of both currencies, EUR decided first:
--       the USD email of 10-21 is the fourth email in 7 days (10-17 twice,
--       10-21) and waits until the 7 days from 10-17 are over: deferred to
--       10-24 (max_attempts); each USD letter follows the EUR letter of
--       its day and waits a week: 11-26 and 12-26.  Both end at step 5,
--       72 days.
--   qf  (Berlin) invoices of several ages, first seen late: QF1 200 due
--       09-15, QF2 300 due 10-10, QF3 400 due 11-05 (billed 10-06), QF4
--       150 due 12-20 (billed 11-20).  10-01: QF1 +16, step 3 planned
--       (QF1), steps 1 and 2 superseded (skipped, no invoices); 10-15
--       (QF1 +30) step 4: QF1, QF2; 11-14 (+60) step 5: QF1, QF2, QF3;
--       11-20 disputes 100 of QF3; 12-14 (+90) step 6: QF1, QF2, QF3 (its
--       open 400 less the 100 disputed: 300; QF4 is -6).  Ends at step 6: 1050 overdue, 950
--       escalatable (the disputed 100 left out), 107 days.
--   qg  disputes: QG1 800 due 10-06, QG2 200 due 10-25.  Step 1 on 10-03,
--       2 on 10-07 (QG1); 10-10 disputes QG1 whole: nothing overdue
--       escalates, QG2 is -15 (no step): the episode ends (disputed), its
--       touchpoints cancelled (disputed).  A new episode for QG2: step 1
--       on 10-22, 2 on 10-26 (QG2 only).  11-03 the dispute is resolved:
--       QG1 is +28, step 3 on 11-03 lists QG1 and QG2; 4 on 11-05 (QG1
--       +30), 5 on 12-05.  Ends at step 5, 1000, 86 days.
--   qh  a plan kept, then broken: QH1 1200 due 10-04; step 1 on 10-01, 2
--       on 10-05, 3 on 10-19.  10-22 a plan of 400 on 11-01, 11-15 and
--       12-01 (grace 5 days): the episode ends (plan), its three
--       touchpoints cancelled (plan).  Pays 400 on 10-31 and 11-14, not
--       the third: broken as of 12-07.  The run of 12-07: QH1 400 at +64,
--       a new episode at step 5 (QH1:400), steps 1 to 4 superseded.  Ends
--       at step 5, 88 days.
--   qi  a promise kept: QI1 700 due 10-15; step 1 on 10-12, 2 on 10-16;
--       10-20 promises 700 by 10-28: the episode ends (promise), both
--       cancelled (promise); pays 300 on 10-24 and 400 on 10-28: kept.
--       QI2 500 due 11-20 (billed 10-21), which no promise covers: step 1
--       on 11-17, 2 on 11-21, 3 on 12-05, 4 on 12-20.  Ends at step 4, 41
--       days.
--   qj  a promise broken: QJ1 900 due 10-12; step 1 on 10-09, 2 on 10-13;
--       10-24 promises 900 by 11-03: the episode ends (promise), both
--       cancelled; pays 200 on 10-30 (the promise's 700 left covers the
--       700 open); broken as of 11-04: QJ1 700 at +23, a new episode at
--       step 3 (QJ1:700), steps 1 and 2 superseded; 4 on 11-11, 5 on
--       12-11.  Ends at step 5, 80 days.
--   qk  (New York) opted out of letters: QK1 1500 USD due 10-20; step 1 on
--       10-17 and 2 on 10-21 at 12:00 UTC (EDT), 3 (call) on 11-04 at
--       13:00 UTC (EST); 4 on 11-19 and 5 on 12-19 are letters: skipped
--       (opt_out), with their invoices.  Ends at step 5, 72 days.
--   ql  (Sydney) do-not-contact from 10-15: QL1 400 due 10-06; step 1 on
--       10-03 (08:00 AEST: 10-02 22:00 UTC), 2 on 10-07 (08:00 AEDT: 10-06
--       21:00 UTC), never completed (nothing here sends), so skipped
--       (do_not_contact) by the run of 10-15 (skip_refused_touchpoints);
--       3 on 10-21, 4 on 11-05, 5 on 12-05 skipped (do_not_contact) as
--       they are planned.  The episode climbs all the same: ends at step 5.
--   qm  (q_fee_hold) under the hold threshold, then over it: QM1 900 due
--       10-10; step 1 on 10-11; fee step 2 on 10-20 claims 40 + 900 x
--       0.08 x 10 / 365 = 1.97; step 3 (from 1000) is not taken on 10-30,
--       900 < 1000, nor passed over when step 4 comes on 11-24 (+45): no
--       touchpoint, no hold.  QM2 300 due 12-15 (billed 11-15): on 12-16
--       1200 escalates, step 3 is reached, below the episode's step 4: taken
--       then, superseded, and the hold set (a run once on the last day
--       would take the same steps).  QM2 is claimed by no fee.  Ends at
--       step 4, 1200, 82 days, on hold.
--   qn  (q_fee_hold) on hold, then pays: QN1 1100 due 10-01; step 1 on
--       10-02, fee step 2 on 10-11 (40 + 1100 x 0.08 x 10 / 365 = 2.41),
--       step 3 on 10-21 (1100 >= 1000): on hold; pays 500 on 10-28 (600
--       still escalates: the hold stays), 600 on 11-10: the episode ends
--       (paid), its three touchpoints cancelled (paid), the hold released
--       (paid).  Nothing open at the end.
BEGIN;
SELECT tap.plan(15);
SET LOCAL client_min_messages = warning;

SELECT format('dbname=%s host=%s port=%s user=%s', '%s', :'HOST', :'PORT', session_user) AS conn_template \gset
\o /dev/null
SELECT dblink.dblink_connect_u('dba', format(:'conn_template', current_database()));
SELECT dblink.dblink_exec('dba', 'DROP DATABASE IF EXISTS arcollect_quarter');
SELECT dblink.dblink_exec('dba', 'CREATE DATABASE arcollect_quarter');
SELECT dblink.dblink_connect_u('q', format(:'conn_template', 'arcollect_quarter'));
\o

-- The billing and payments tables, the invoices billed before the
-- quarter, the policy and the customers' settings.
SELECT dblink.dblink_exec('q', $script$
SET client_min_messages = warning;
SET arcollect.escalation_trigger = off;
CREATE EXTENSION arcollect;
CREATE TABLE q_bill (id text PRIMARY KEY, cust text NOT NULL, amount numeric NOT NULL, issued date NOT NULL,
                     due date NOT NULL, cur text NOT NULL);
CREATE TABLE q_pay (id serial PRIMARY KEY, invoice text NOT NULL, amount numeric NOT NULL, paid_on date NOT NULL);
SELECT arcollect.attach('q_bill', key => 'id', customer => 'cust', amount => 'amount', due_on => 'due',
                        issued_on => 'issued', currency => 'cur');
SELECT arcollect.attach_payments('q_pay', invoice_key => 'invoice', amount => 'amount', paid_on => 'paid_on',
                                 invoices => 'q_bill');
INSERT INTO q_bill VALUES
    ('QA1', 'qa', 1000, '2025-09-02', '2025-10-02', 'EUR'),
    ('QB1', 'qb', 800, '2025-09-05', '2025-10-05', 'EUR'),
    ('QB2', 'qb', 700, '2025-09-12', '2025-10-12', 'EUR'),
    ('QC1', 'qc', 600, '2025-09-10', '2025-10-10', 'EUR'),
    ('QD1', 'qd', 1000, '2025-09-08', '2025-10-08', 'EUR'),
    ('QE1', 'qe', 500, '2025-09-20', '2025-10-20', 'EUR'),
    ('QE2', 'qe', 300, '2025-09-20', '2025-10-20', 'USD'),
    ('QE3', 'qe', 200, '2025-09-27', '2025-10-27', 'USD'),
    ('QF1', 'qf', 200, '2025-08-16', '2025-09-15', 'EUR'),
    ('QF2', 'qf', 300, '2025-09-10', '2025-10-10', 'EUR'),
    ('QG1', 'qg', 800, '2025-09-06', '2025-10-06', 'EUR'),
    ('QG2', 'qg', 200, '2025-09-25', '2025-10-25', 'EUR'),
    ('QH1', 'qh', 1200, '2025-09-04', '2025-10-04', 'EUR'),
    ('QI1', 'qi', 700, '2025-09-15', '2025-10-15', 'EUR'),
    ('QJ1', 'qj', 900, '2025-09-12', '2025-10-12', 'EUR'),
    ('QK1', 'qk', 1500, '2025-09-20', '2025-10-20', 'USD'),
    ('QL1', 'ql', 400, '2025-09-06', '2025-10-06', 'EUR'),
    ('QM1', 'qm', 900, '2025-09-10', '2025-10-10', 'EUR'),
    ('QN1', 'qn', 1100, '2025-09-01', '2025-10-01', 'EUR');
INSERT INTO arcollect.policy (policy_name) VALUES ('q_fee_hold');
INSERT INTO arcollect.policy_step (policy_name, step_no, days_from_due, channel, template_name, action,
                                   min_overdue_amount, fee_regime, interest_rate) VALUES
    ('q_fee_hold', 1, 1, 'email', 'friendly_reminder', 'remind', 0, NULL, NULL),
    ('q_fee_hold', 2, 10, 'email', 'late_fee_notice', 'fee', 0, 'eu', 0.08),
    ('q_fee_hold', 3, 20, 'email', 'credit_hold_notice', 'credit_hold', 1000, NULL, NULL),
    ('q_fee_hold', 4, 45, 'letter', 'final_notice', 'final_notice', 0, NULL, NULL);
UPDATE arcollect.customer SET owner = 'Mia Becker';
UPDATE arcollect.customer SET escalation_policy = 'q_fee_hold' WHERE customer_id IN ('qb', 'qm', 'qn');
UPDATE arcollect.customer SET time_zone = 'Europe/Berlin' WHERE customer_id = 'qf';
UPDATE arcollect.customer SET time_zone = 'America/New_York', opt_out_channels = '{letter}' WHERE customer_id = 'qk';
UPDATE arcollect.customer SET time_zone = 'Australia/Sydney' WHERE customer_id = 'ql'
$script$) \gset

-- What happens on each day, before its run.
CREATE TEMP TABLE q_event (event_no serial, day date NOT NULL, script text NOT NULL);
INSERT INTO q_event (day, script) VALUES
    ('2025-10-06', $$INSERT INTO q_bill VALUES ('QF3', 'qf', 400, '2025-10-06', '2025-11-05', 'EUR')$$),
    ('2025-10-10', $$SELECT arcollect.open_dispute('QG1', 'quality', opened_on => '2025-10-10')$$),
    ('2025-10-14', $$INSERT INTO q_pay (invoice, amount, paid_on) VALUES ('QC1', 600, '2025-10-14')$$),
    ('2025-10-15', $$UPDATE arcollect.customer SET do_not_contact = true WHERE customer_id = 'ql'$$),
    ('2025-10-20', $$INSERT INTO q_pay (invoice, amount, paid_on) VALUES ('QD1', 400, '2025-10-20')$$),
    ('2025-10-20', $$SELECT arcollect.promise_to_pay('qi', 700, '2025-10-28', made_on => '2025-10-20')$$),
    ('2025-10-21', $$INSERT INTO q_bill VALUES ('QB3', 'qb', 400, '2025-10-21', '2025-11-20', 'EUR'),
                                              ('QI2', 'qi', 500, '2025-10-21', '2025-11-20', 'EUR')$$),
    ('2025-10-22', $$SELECT arcollect.create_payment_plan('qh', '{2025-11-01,2025-11-15,2025-12-01}', '{400,400,400}',
                                                          '{QH1}', grace_days => 5, created_on => '2025-10-22')$$),
    ('2025-10-24', $$INSERT INTO q_pay (invoice, amount, paid_on) VALUES ('QI1', 300, '2025-10-24')$$),
    ('2025-10-24', $$SELECT arcollect.promise_to_pay('qj', 900, '2025-11-03', made_on => '2025-10-24')$$),
    ('2025-10-28', $$INSERT INTO q_pay (invoice, amount, paid_on) VALUES ('QI1', 400, '2025-10-28'),
                                                                        ('QN1', 500, '2025-10-28')$$),
    ('2025-10-30', $$INSERT INTO q_pay (invoice, amount, paid_on) VALUES ('QJ1', 200, '2025-10-30')$$),
    ('2025-10-31', $$INSERT INTO q_pay (invoice, amount, paid_on) VALUES ('QH1', 400, '2025-10-31')$$),
    ('2025-11-03', $$SELECT arcollect.close_dispute(d.dispute_id, 'resolved', closed_on => '2025-11-03')
                       FROM arcollect.dispute d WHERE d.invoice_key = 'QG1'$$),
    ('2025-11-05', $$INSERT INTO q_pay (invoice, amount, paid_on) VALUES ('QD1', 250, '2025-11-05')$$),
    ('2025-11-10', $$INSERT INTO q_bill VALUES ('QC2', 'qc', 300, '2025-11-10', '2025-12-10', 'EUR')$$),
    ('2025-11-10', $$INSERT INTO q_pay (invoice, amount, paid_on) VALUES ('QN1', 600, '2025-11-10')$$),
    ('2025-11-14', $$INSERT INTO q_pay (invoice, amount, paid_on) VALUES ('QH1', 400, '2025-11-14')$$),
    ('2025-11-15', $$INSERT INTO q_bill VALUES ('QM2', 'qm', 300, '2025-11-15', '2025-12-15', 'EUR')$$),
    ('2025-11-20', $$INSERT INTO q_bill VALUES ('QF4', 'qf', 150, '2025-11-20', '2025-12-20', 'EUR')$$),
    ('2025-11-20', $$SELECT arcollect.open_dispute('QF3', 'pricing', 100, opened_on => '2025-11-20')$$),
    ('2025-12-09', $$INSERT INTO q_pay (invoice, amount, paid_on) VALUES ('QC2', 300, '2025-12-09')$$);

-- The quarter: each day's events (one transaction, ending with a
-- command: dblink_exec takes no rows back), then its run.
CREATE FUNCTION pg_temp.run_quarter() RETURNS integer
LANGUAGE plpgsql AS $fn$
DECLARE
    d date;
    script text;
    runs integer := 0;
BEGIN
    FOR d IN SELECT g::date FROM pg_catalog.generate_series(date '2025-10-01', date '2025-12-31', interval '1 day') g LOOP
        SELECT pg_catalog.string_agg(e.script, E';\n' ORDER BY e.event_no) INTO script
          FROM pg_temp.q_event e WHERE e.day = d;
        IF script IS NOT NULL THEN
            PERFORM dblink.dblink_exec('q', script || '; SET application_name = ''arcollect_quarter''');
        END IF;
        PERFORM dblink.dblink_exec('q', pg_catalog.format('CALL arcollect.run_escalations(%L)', d));
        runs := runs + 1;
    END LOOP;
    RETURN runs;
END
$fn$;
SELECT pg_temp.run_quarter() AS runs \gset

-- What the quarter wrote, read back from its database.
CREATE TEMP TABLE q_touchpoint AS
SELECT * FROM dblink.dblink('q', $$
    SELECT t.customer_id, t.currency, t.step_no, s.taken_on::text, t.channel, t.status, t.reason,
           to_char(t.planned_for AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'),
           (SELECT string_agg(format('%s:%s', ti.invoice_key, ti.open_amount), ',' ORDER BY ti.invoice_key)
              FROM arcollect.touchpoint_invoice ti WHERE ti.touchpoint_id = t.touchpoint_id)
      FROM arcollect.touchpoint t
      LEFT JOIN arcollect.escalation_step s ON s.touchpoint_id = t.touchpoint_id$$)
    AS t(customer text, currency text, step integer, taken_on text, channel text, status text, reason text,
         planned_for_utc text, invoices text);

SELECT tap.is(:runs, 92, 'the quarter: 92 days, one run each');

SELECT tap.bag_eq('TABLE pg_temp.q_touchpoint', $$VALUES
    -- customer, currency, step, taken on, channel, status, reason, planned for (UTC), invoices listed
    ('qa', 'EUR', 1, '2025-10-01', 'email', 'planned', NULL, '2025-10-01 08:00', 'QA1:1000'),
    ('qa', 'EUR', 2, '2025-10-03', 'email', 'planned', NULL, '2025-10-03 08:00', 'QA1:1000'),
    ('qa', 'EUR', 3, '2025-10-17', 'call', 'planned', NULL, '2025-10-17 08:00', 'QA1:1000'),
    ('qa', 'EUR', 4, '2025-11-01', 'letter', 'planned', NULL, '2025-11-01 08:00', 'QA1:1000'),
    ('qa', 'EUR', 5, '2025-12-01', 'letter', 'planned', NULL, '2025-12-01 08:00', 'QA1:1000'),
    ('qa', 'EUR', 6, '2025-12-31', 'letter', 'planned', NULL, '2025-12-31 08:00', 'QA1:1000'),
    ('qb', 'EUR', 1, '2025-10-06', 'email', 'planned', NULL, '2025-10-06 08:00', 'QB1:800'),
    ('qb', 'EUR', 2, '2025-10-15', 'email', 'planned', NULL, '2025-10-15 08:00', 'QB1:800,QB2:700'),
    ('qb', 'EUR', 3, '2025-10-25', 'email', 'planned', NULL, '2025-10-25 08:00', 'QB1:800,QB2:700'),
    ('qb', 'EUR', 4, '2025-11-19', 'letter', 'planned', NULL, '2025-11-19 08:00', 'QB1:800,QB2:700'),
    ('qc', 'EUR', 1, '2025-10-07', 'email', 'cancelled', 'paid', '2025-10-07 08:00', 'QC1:600'),
    ('qc', 'EUR', 2, '2025-10-11', 'email', 'cancelled', 'paid', '2025-10-11 08:00', 'QC1:600'),
    ('qc', 'EUR', 1, '2025-12-07', 'email', 'cancelled', 'paid', '2025-12-07 08:00', 'QC2:300'),
    ('qd', 'EUR', 1, '2025-10-05', 'email', 'planned', NULL, '2025-10-05 08:00', 'QD1:1000'),
    ('qd', 'EUR', 2, '2025-10-09', 'email', 'planned', NULL, '2025-10-09 08:00', 'QD1:1000'),
    ('qd', 'EUR', 3, '2025-10-23', 'call', 'planned', NULL, '2025-10-23 08:00', 'QD1:600'),
    ('qd', 'EUR', 4, '2025-11-07', 'letter', 'planned', NULL, '2025-11-07 08:00', 'QD1:350'),
    ('qd', 'EUR', 5, '2025-12-07', 'letter', 'planned', NULL, '2025-12-07 08:00', 'QD1:350'),
    ('qe', 'EUR', 1, '2025-10-17', 'email', 'planned', NULL, '2025-10-17 08:00', 'QE1:500'),
    ('qe', 'EUR', 2, '2025-10-21', 'email', 'planned', NULL, '2025-10-21 08:00', 'QE1:500'),
    ('qe', 'EUR', 3, '2025-11-04', 'call', 'planned', NULL, '2025-11-04 08:00', 'QE1:500'),
    ('qe', 'EUR', 4, '2025-11-19', 'letter', 'planned', NULL, '2025-11-19 08:00', 'QE1:500'),
    ('qe', 'EUR', 5, '2025-12-19', 'letter', 'planned', NULL, '2025-12-19 08:00', 'QE1:500'),
    ('qe', 'USD', 1, '2025-10-17', 'email', 'planned', NULL, '2025-10-17 08:00', 'QE2:300'),
    ('qe', 'USD', 2, '2025-10-21', 'email', 'planned', 'max_attempts', '2025-10-24 08:00', 'QE2:300'),
    ('qe', 'USD', 3, '2025-11-04', 'call', 'planned', NULL, '2025-11-04 08:00', 'QE2:300,QE3:200'),
    ('qe', 'USD', 4, '2025-11-19', 'letter', 'planned', 'max_attempts', '2025-11-26 08:00', 'QE2:300,QE3:200'),
    ('qe', 'USD', 5, '2025-12-19', 'letter', 'planned', 'max_attempts', '2025-12-26 08:00', 'QE2:300,QE3:200'),
    ('qf', 'EUR', 1, '2025-10-01', 'email', 'skipped', 'superseded', NULL, NULL),
    ('qf', 'EUR', 2, '2025-10-01', 'email', 'skipped', 'superseded', NULL, NULL),
    ('qf', 'EUR', 3, '2025-10-01', 'call', 'planned', NULL, '2025-10-01 06:00', 'QF1:200'),
    ('qf', 'EUR', 4, '2025-10-15', 'letter', 'planned', NULL, '2025-10-15 06:00', 'QF1:200,QF2:300'),
    ('qf', 'EUR', 5, '2025-11-14', 'letter', 'planned', NULL, '2025-11-14 07:00', 'QF1:200,QF2:300,QF3:400'),
    ('qf', 'EUR', 6, '2025-12-14', 'letter', 'planned', NULL, '2025-12-14 07:00', 'QF1:200,QF2:300,QF3:300'),
    ('qg', 'EUR', 1, '2025-10-03', 'email', 'cancelled', 'disputed', '2025-10-03 08:00', 'QG1:800'),
    ('qg', 'EUR', 2, '2025-10-07', 'email', 'cancelled', 'disputed', '2025-10-07 08:00', 'QG1:800'),
    ('qg', 'EUR', 1, '2025-10-22', 'email', 'planned', NULL, '2025-10-22 08:00', 'QG2:200'),
    ('qg', 'EUR', 2, '2025-10-26', 'email', 'planned', NULL, '2025-10-26 08:00', 'QG2:200'),
    ('qg', 'EUR', 3, '2025-11-03', 'call', 'planned', NULL, '2025-11-03 08:00', 'QG1:800,QG2:200'),
    ('qg', 'EUR', 4, '2025-11-05', 'letter', 'planned', NULL, '2025-11-05 08:00', 'QG1:800,QG2:200'),
    ('qg', 'EUR', 5, '2025-12-05', 'letter', 'planned', NULL, '2025-12-05 08:00', 'QG1:800,QG2:200'),
    ('qh', 'EUR', 1, '2025-10-01', 'email', 'cancelled', 'plan', '2025-10-01 08:00', 'QH1:1200'),
    ('qh', 'EUR', 2, '2025-10-05', 'email', 'cancelled', 'plan', '2025-10-05 08:00', 'QH1:1200'),
    ('qh', 'EUR', 3, '2025-10-19', 'call', 'cancelled', 'plan', '2025-10-19 08:00', 'QH1:1200'),
    ('qh', 'EUR', 1, '2025-12-07', 'email', 'skipped', 'superseded', NULL, NULL),
    ('qh', 'EUR', 2, '2025-12-07', 'email', 'skipped', 'superseded', NULL, NULL),
    ('qh', 'EUR', 3, '2025-12-07', 'call', 'skipped', 'superseded', NULL, NULL),
    ('qh', 'EUR', 4, '2025-12-07', 'letter', 'skipped', 'superseded', NULL, NULL),
    ('qh', 'EUR', 5, '2025-12-07', 'letter', 'planned', NULL, '2025-12-07 08:00', 'QH1:400'),
    ('qi', 'EUR', 1, '2025-10-12', 'email', 'cancelled', 'promise', '2025-10-12 08:00', 'QI1:700'),
    ('qi', 'EUR', 2, '2025-10-16', 'email', 'cancelled', 'promise', '2025-10-16 08:00', 'QI1:700'),
    ('qi', 'EUR', 1, '2025-11-17', 'email', 'planned', NULL, '2025-11-17 08:00', 'QI2:500'),
    ('qi', 'EUR', 2, '2025-11-21', 'email', 'planned', NULL, '2025-11-21 08:00', 'QI2:500'),
    ('qi', 'EUR', 3, '2025-12-05', 'call', 'planned', NULL, '2025-12-05 08:00', 'QI2:500'),
    ('qi', 'EUR', 4, '2025-12-20', 'letter', 'planned', NULL, '2025-12-20 08:00', 'QI2:500'),
    ('qj', 'EUR', 1, '2025-10-09', 'email', 'cancelled', 'promise', '2025-10-09 08:00', 'QJ1:900'),
    ('qj', 'EUR', 2, '2025-10-13', 'email', 'cancelled', 'promise', '2025-10-13 08:00', 'QJ1:900'),
    ('qj', 'EUR', 1, '2025-11-04', 'email', 'skipped', 'superseded', NULL, NULL),
    ('qj', 'EUR', 2, '2025-11-04', 'email', 'skipped', 'superseded', NULL, NULL),
    ('qj', 'EUR', 3, '2025-11-04', 'call', 'planned', NULL, '2025-11-04 08:00', 'QJ1:700'),
    ('qj', 'EUR', 4, '2025-11-11', 'letter', 'planned', NULL, '2025-11-11 08:00', 'QJ1:700'),
    ('qj', 'EUR', 5, '2025-12-11', 'letter', 'planned', NULL, '2025-12-11 08:00', 'QJ1:700'),
    ('qk', 'USD', 1, '2025-10-17', 'email', 'planned', NULL, '2025-10-17 12:00', 'QK1:1500'),
    ('qk', 'USD', 2, '2025-10-21', 'email', 'planned', NULL, '2025-10-21 12:00', 'QK1:1500'),
    ('qk', 'USD', 3, '2025-11-04', 'call', 'planned', NULL, '2025-11-04 13:00', 'QK1:1500'),
    ('qk', 'USD', 4, '2025-11-19', 'letter', 'skipped', 'opt_out', NULL, 'QK1:1500'),
    ('qk', 'USD', 5, '2025-12-19', 'letter', 'skipped', 'opt_out', NULL, 'QK1:1500'),
    ('ql', 'EUR', 1, '2025-10-03', 'email', 'skipped', 'do_not_contact', '2025-10-02 22:00', 'QL1:400'),
    ('ql', 'EUR', 2, '2025-10-07', 'email', 'skipped', 'do_not_contact', '2025-10-06 21:00', 'QL1:400'),
    ('ql', 'EUR', 3, '2025-10-21', 'call', 'skipped', 'do_not_contact', NULL, 'QL1:400'),
    ('ql', 'EUR', 4, '2025-11-05', 'letter', 'skipped', 'do_not_contact', NULL, 'QL1:400'),
    ('ql', 'EUR', 5, '2025-12-05', 'letter', 'skipped', 'do_not_contact', NULL, 'QL1:400'),
    ('qm', 'EUR', 1, '2025-10-11', 'email', 'planned', NULL, '2025-10-11 08:00', 'QM1:900'),
    ('qm', 'EUR', 2, '2025-10-20', 'email', 'planned', NULL, '2025-10-20 08:00', 'QM1:900'),
    ('qm', 'EUR', 4, '2025-11-24', 'letter', 'planned', NULL, '2025-11-24 08:00', 'QM1:900'),
    ('qm', 'EUR', 3, '2025-12-16', 'email', 'skipped', 'superseded', NULL, NULL),
    ('qn', 'EUR', 1, '2025-10-02', 'email', 'cancelled', 'paid', '2025-10-02 08:00', 'QN1:1100'),
    ('qn', 'EUR', 2, '2025-10-11', 'email', 'cancelled', 'paid', '2025-10-11 08:00', 'QN1:1100'),
    ('qn', 'EUR', 3, '2025-10-21', 'email', 'cancelled', 'paid', '2025-10-21 08:00', 'QN1:1100')
    $$, 'every touchpoint of the quarter: one per customer, currency and step reached, listing what escalated that day');

-- Whatever a touchpoint lists escalated on the day its step was taken
-- (not paid, not disputed, under no plan or promise), with its open
-- amount of that day less the part under dispute then: read against
-- arcollect.escalation_invoices, not the hand-made list above.
SELECT tap.is((SELECT r FROM dblink.dblink('q', $$
    SELECT count(*) FROM arcollect.touchpoint_invoice ti
      JOIN arcollect.touchpoint t ON t.touchpoint_id = ti.touchpoint_id
      JOIN arcollect.escalation_step s ON s.touchpoint_id = t.touchpoint_id
      LEFT JOIN LATERAL arcollect.escalation_invoices(s.taken_on, t.customer_id) i
             ON i.invoice_key = ti.invoice_key AND i.currency = t.currency
     WHERE i.invoice_key IS NULL OR i.escalatable_amount <= 0
        OR i.open_amount - i.disputed_amount <> ti.open_amount$$) t(r bigint)),
              0::bigint, 'every invoice listed was escalatable on the day, with its open amount of that day less what was disputed');

-- The episodes: how each began and ended.
SELECT tap.bag_eq($$SELECT * FROM dblink.dblink('q', 'SELECT customer_id, currency, policy_name, started_on::text, step_no,
                                                             ended_on::text, end_reason FROM arcollect.escalation')
                      AS t(customer text, currency text, policy text, started_on text, step integer, ended_on text,
                           end_reason text)$$, $$VALUES
    ('qa', 'EUR', 'default', '2025-10-01', 6, NULL, NULL),
    ('qb', 'EUR', 'q_fee_hold', '2025-10-06', 4, NULL, NULL),
    ('qc', 'EUR', 'default', '2025-10-07', 2, '2025-10-14', 'paid'),
    ('qc', 'EUR', 'default', '2025-12-07', 1, '2025-12-09', 'paid'),
    ('qd', 'EUR', 'default', '2025-10-05', 5, NULL, NULL),
    ('qe', 'EUR', 'default', '2025-10-17', 5, NULL, NULL),
    ('qe', 'USD', 'default', '2025-10-17', 5, NULL, NULL),
    ('qf', 'EUR', 'default', '2025-10-01', 6, NULL, NULL),
    ('qg', 'EUR', 'default', '2025-10-03', 2, '2025-10-10', 'disputed'),
    ('qg', 'EUR', 'default', '2025-10-22', 5, NULL, NULL),
    ('qh', 'EUR', 'default', '2025-10-01', 3, '2025-10-22', 'plan'),
    ('qh', 'EUR', 'default', '2025-12-07', 5, NULL, NULL),
    ('qi', 'EUR', 'default', '2025-10-12', 2, '2025-10-20', 'promise'),
    ('qi', 'EUR', 'default', '2025-11-17', 4, NULL, NULL),
    ('qj', 'EUR', 'default', '2025-10-09', 2, '2025-10-24', 'promise'),
    ('qj', 'EUR', 'default', '2025-11-04', 5, NULL, NULL),
    ('qk', 'USD', 'default', '2025-10-17', 5, NULL, NULL),
    ('ql', 'EUR', 'default', '2025-10-03', 5, NULL, NULL),
    ('qm', 'EUR', 'q_fee_hold', '2025-10-11', 4, NULL, NULL),
    ('qn', 'EUR', 'q_fee_hold', '2025-10-02', 3, '2025-11-10', 'paid')
    $$, 'the episodes: started at the first step reached, ended (with the reason) when nothing escalatable was left');

-- The stage on the last day (qc, qi's QI1 and qn owe nothing: no row).
SELECT tap.bag_eq($$SELECT * FROM dblink.dblink('q', 'SELECT customer_id, currency, policy_name, open_overdue::text,
                                                             escalatable_overdue::text, oldest_days_overdue, held_by, step_no
                                                        FROM arcollect.escalation_stage(''2025-12-31'')')
                      AS t(customer text, currency text, policy text, open_overdue text, escalatable text,
                           oldest integer, held_by text, step integer)$$, $$VALUES
    ('qa', 'EUR', 'default', '1000', '1000', 90, NULL, 6),
    ('qb', 'EUR', 'q_fee_hold', '1900', '1900', 87, NULL, 4),
    ('qd', 'EUR', 'default', '350', '350', 84, NULL, 5),
    ('qe', 'EUR', 'default', '500', '500', 72, NULL, 5),
    ('qe', 'USD', 'default', '500', '500', 72, NULL, 5),
    ('qf', 'EUR', 'default', '1050', '950', 107, NULL, 6),
    ('qg', 'EUR', 'default', '1000', '1000', 86, NULL, 5),
    ('qh', 'EUR', 'default', '400', '400', 88, NULL, 5),
    ('qi', 'EUR', 'default', '500', '500', 41, NULL, 4),
    ('qj', 'EUR', 'default', '700', '700', 80, NULL, 5),
    ('qk', 'USD', 'default', '1500', '1500', 72, NULL, 5),
    ('ql', 'EUR', 'default', '400', '400', 86, NULL, 5),
    ('qm', 'EUR', 'q_fee_hold', '1200', '1200', 82, NULL, 4)
    $$, 'the stage of every customer and currency on December 31');

-- Fees: once per invoice a fee step listed, with the interest to its day.
SELECT tap.bag_eq($$SELECT * FROM dblink.dblink('q', 'SELECT c.customer_id, c.invoice_key, c.regime, c.open_amount::text,
                                                             c.claimed_on::text, c.compensation::text, c.interest::text,
                                                             t.step_no
                                                        FROM arcollect.late_fee_claim c
                                                        JOIN arcollect.touchpoint t ON t.touchpoint_id = c.touchpoint_id')
                      AS t(customer text, invoice text, regime text, open_amount text, claimed_on text,
                           compensation text, interest text, step integer)$$, $$VALUES
    ('qb', 'QB1', 'eu', '800', '2025-10-15', '40', '1.75', 2),
    ('qb', 'QB2', 'eu', '700', '2025-10-15', '40', '0.46', 2),
    ('qm', 'QM1', 'eu', '900', '2025-10-20', '40', '1.97', 2),
    ('qn', 'QN1', 'eu', '1100', '2025-10-11', '40', '2.41', 2)
    $$, 'late fees claimed once per invoice the fee step listed');
SELECT tap.matches((SELECT r FROM dblink.dblink('q', $$SELECT body FROM arcollect.touchpoint
                                                      WHERE customer_id = 'qb' AND step_no = 2$$) t(r text)),
                   'recovery costs of 80\.00 EUR and the statutory interest accrued so far, 2\.21 EUR',
                   'qb''s fee notice states the charges its step claimed');

-- Credit holds: qb's in force, qm's since it reached the threshold, qn's
-- released when it paid.
SELECT tap.bag_eq($$SELECT * FROM dblink.dblink('q', 'SELECT customer_id, currency, since::text, reason, released_on::text,
                                                             released_reason FROM arcollect.credit_hold')
                      AS t(customer text, currency text, since text, reason text, released_on text,
                           released_reason text)$$, $$VALUES
    ('qb', 'EUR', '2025-10-25',
     'step 3 (credit_hold_notice) of policy q_fee_hold: 1500 EUR escalatable overdue, the oldest 20 days', NULL, NULL),
    ('qn', 'EUR', '2025-10-21',
     'step 3 (credit_hold_notice) of policy q_fee_hold: 1100 EUR escalatable overdue, the oldest 20 days',
     '2025-11-10', 'paid'),
    ('qm', 'EUR', '2025-12-16',
     'step 3 (credit_hold_notice) of policy q_fee_hold: 1200 EUR escalatable overdue, the oldest 67 days', NULL, NULL)
    $$, 'credit holds: set when the step is reached from 1000, not before, released when the customer paid');

-- The plan and the promises, as the runs settled them.
SELECT tap.bag_eq($$SELECT * FROM dblink.dblink('q', 'SELECT ''plan'', customer_id, status, ended_on::text FROM arcollect.payment_plan
                                                      UNION ALL
                                                      SELECT ''promise'', customer_id, status, settled_on::text FROM arcollect.promise')
                      AS t(kind text, customer text, status text, settled_on text)$$, $$VALUES
    ('plan', 'qh', 'broken', '2025-12-07'),
    ('promise', 'qi', 'kept', '2025-10-28'),
    ('promise', 'qj', 'broken', '2025-11-04')
    $$, 'qh''s plan broken on December 7, qi''s promise kept on October 28, qj''s broken on November 4');

-- Every message of a touchpoint still planned is rendered (a call's
-- script has no subject), and no run left one unrendered.
SELECT tap.is((SELECT r FROM dblink.dblink('q', $$
    SELECT count(*) FROM arcollect.touchpoint t
      JOIN arcollect.escalation_step s ON s.touchpoint_id = t.touchpoint_id
     WHERE t.status = 'planned'
       AND (t.body IS NULL OR (t.subject IS NULL) <> (t.channel = 'call') OR s.render_error IS NOT NULL)$$) t(r bigint)),
              0::bigint, 'every planned touchpoint has its message rendered');

-- The runs: one per day, each done; what each wrote (the days not listed
-- wrote nothing).  advanced: customers (and currencies) that reached a
-- step; planned/deferred/skipped: their touchpoints, by the contact
-- rules' decision; superseded: steps passed over; cancelled and ended:
-- the touchpoints and episodes ended; holds set and released.
SELECT tap.is((SELECT r FROM dblink.dblink('q', $$
    SELECT format('%s runs, %s done, %s days, %s to %s, %s unrendered', count(*), count(*) FILTER (WHERE status = 'done'),
                  count(DISTINCT as_of), min(as_of), max(as_of), sum(messages_unrendered))
      FROM arcollect.escalation_run$$) t(r text)),
              '92 runs, 92 done, 92 days, 2025-10-01 to 2025-12-31, 0 unrendered', 'a run a day, each done');
SELECT tap.set_eq($$SELECT * FROM dblink.dblink('q', 'SELECT as_of::text, customers_advanced, touchpoints_planned,
                                                            touchpoints_deferred, touchpoints_skipped, steps_superseded,
                                                            touchpoints_cancelled, escalations_ended, holds_set, holds_released
                                                       FROM arcollect.escalation_run
                                                      WHERE customers_advanced + touchpoints_planned + touchpoints_deferred
                                                            + touchpoints_skipped + steps_superseded + touchpoints_cancelled
                                                            + escalations_ended + holds_set + holds_released > 0')
                      AS t(as_of text, advanced integer, planned integer, deferred integer, skipped integer,
                           superseded integer, cancelled integer, ended integer, holds_set integer,
                           holds_released integer)$$, $$VALUES
    --            adv  pl  df  sk  sup  ca  en  hs  hr
    ('2025-10-01', 3,  3,  0,  0,  2,   0,  0,  0,  0),  -- qa 1, qf 3 (1, 2 superseded), qh 1
    ('2025-10-02', 1,  1,  0,  0,  0,   0,  0,  0,  0),  -- qn 1
    ('2025-10-03', 3,  3,  0,  0,  0,   0,  0,  0,  0),  -- qa 2, qg 1, ql 1
    ('2025-10-05', 2,  2,  0,  0,  0,   0,  0,  0,  0),  -- qd 1, qh 2
    ('2025-10-06', 1,  1,  0,  0,  0,   0,  0,  0,  0),  -- qb 1
    ('2025-10-07', 3,  3,  0,  0,  0,   0,  0,  0,  0),  -- qc 1, qg 2, ql 2
    ('2025-10-09', 2,  2,  0,  0,  0,   0,  0,  0,  0),  -- qd 2, qj 1
    ('2025-10-10', 0,  0,  0,  0,  0,   2,  1,  0,  0),  -- qg disputed
    ('2025-10-11', 3,  3,  0,  0,  0,   0,  0,  0,  0),  -- qc 2, qm 1, qn 2
    ('2025-10-12', 1,  1,  0,  0,  0,   0,  0,  0,  0),  -- qi 1
    ('2025-10-13', 1,  1,  0,  0,  0,   0,  0,  0,  0),  -- qj 2
    ('2025-10-14', 0,  0,  0,  0,  0,   2,  1,  0,  0),  -- qc paid
    ('2025-10-15', 2,  2,  0,  2,  0,   0,  0,  0,  0),  -- qb 2, qf 4; ql 1 and 2 skipped (do-not-contact since)
    ('2025-10-16', 1,  1,  0,  0,  0,   0,  0,  0,  0),  -- qi 2
    ('2025-10-17', 4,  4,  0,  0,  0,   0,  0,  0,  0),  -- qa 3, qe EUR 1 and USD 1, qk 1
    ('2025-10-19', 1,  1,  0,  0,  0,   0,  0,  0,  0),  -- qh 3
    ('2025-10-20', 1,  1,  0,  0,  0,   2,  1,  0,  0),  -- qm 2; qi promise
    ('2025-10-21', 5,  3,  1,  1,  0,   0,  0,  1,  0),  -- qe EUR 2, USD 2 deferred, qk 2, ql 3 skipped, qn 3 hold
    ('2025-10-22', 1,  1,  0,  0,  0,   3,  1,  0,  0),  -- qg 1 (new episode); qh plan
    ('2025-10-23', 1,  1,  0,  0,  0,   0,  0,  0,  0),  -- qd 3
    ('2025-10-24', 0,  0,  0,  0,  0,   2,  1,  0,  0),  -- qj promise
    ('2025-10-25', 1,  1,  0,  0,  0,   0,  0,  1,  0),  -- qb 3 hold
    ('2025-10-26', 1,  1,  0,  0,  0,   0,  0,  0,  0),  -- qg 2
    ('2025-11-01', 1,  1,  0,  0,  0,   0,  0,  0,  0),  -- qa 4
    ('2025-11-03', 1,  1,  0,  0,  0,   0,  0,  0,  0),  -- qg 3
    ('2025-11-04', 4,  4,  0,  0,  2,   0,  0,  0,  0),  -- qe EUR 3 and USD 3, qj 3 (1, 2 superseded), qk 3
    ('2025-11-05', 2,  1,  0,  1,  0,   0,  0,  0,  0),  -- qg 4, ql 4 skipped
    ('2025-11-07', 1,  1,  0,  0,  0,   0,  0,  0,  0),  -- qd 4
    ('2025-11-10', 0,  0,  0,  0,  0,   3,  1,  0,  1),  -- qn paid, hold released
    ('2025-11-11', 1,  1,  0,  0,  0,   0,  0,  0,  0),  -- qj 4
    ('2025-11-14', 1,  1,  0,  0,  0,   0,  0,  0,  0),  -- qf 5
    ('2025-11-17', 1,  1,  0,  0,  0,   0,  0,  0,  0),  -- qi 1 (new episode)
    ('2025-11-19', 4,  2,  1,  1,  0,   0,  0,  0,  0),  -- qb 4, qe EUR 4, USD 4 deferred, qk 4 skipped
    ('2025-11-21', 1,  1,  0,  0,  0,   0,  0,  0,  0),  -- qi 2
    ('2025-11-24', 1,  1,  0,  0,  0,   0,  0,  0,  0),  -- qm 4 (step 3 not reached: not superseded, no hold)
    ('2025-12-01', 1,  1,  0,  0,  0,   0,  0,  0,  0),  -- qa 5
    ('2025-12-05', 3,  2,  0,  1,  0,   0,  0,  0,  0),  -- qg 5, qi 3, ql 5 skipped
    ('2025-12-07', 3,  3,  0,  0,  4,   0,  0,  0,  0),  -- qc 1 (QC2), qd 5, qh 5 (1 to 4 superseded)
    ('2025-12-09', 0,  0,  0,  0,  0,   1,  1,  0,  0),  -- qc paid
    ('2025-12-11', 1,  1,  0,  0,  0,   0,  0,  0,  0),  -- qj 5
    ('2025-12-14', 1,  1,  0,  0,  0,   0,  0,  0,  0),  -- qf 6
    ('2025-12-16', 0,  0,  0,  0,  1,   0,  0,  1,  0),  -- qm 3 (superseded, hold), reached late
    ('2025-12-19', 3,  1,  1,  1,  0,   0,  0,  0,  0),  -- qe EUR 5, USD 5 deferred, qk 5 skipped
    ('2025-12-20', 1,  1,  0,  0,  0,   0,  0,  0,  0),  -- qi 4
    ('2025-12-31', 1,  1,  0,  0,  0,   0,  0,  0,  0)   -- qa 6
    $$, 'what each run wrote');

-- Nothing is left to do on the last day: the preview lists nothing, and a
-- second run writes nothing (and is recorded, done, with nothing counted).
SELECT tap.is((SELECT r FROM dblink.dblink('q', $$SELECT count(*) FROM arcollect.preview_escalations('2025-12-31')$$)
                             t(r bigint)),
              0::bigint, 'the preview of the last day lists nothing more');
CREATE FUNCTION pg_temp.fingerprint() RETURNS text
LANGUAGE sql AS $fn$
    SELECT r FROM dblink.dblink('q', $$
        SELECT md5(concat_ws('|',
            (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM arcollect.touchpoint x),
            (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM arcollect.touchpoint_invoice x),
            (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM arcollect.escalation x),
            (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM arcollect.escalation_step x),
            (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM arcollect.late_fee_claim x),
            (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM arcollect.credit_hold x),
            (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM arcollect.payment_plan x),
            (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM arcollect.promise x)))$$) t(r text)
$fn$;
SELECT pg_temp.fingerprint() AS before_second_run \gset
SELECT dblink.dblink_exec('q', $$CALL arcollect.run_escalations('2025-12-31')$$) \gset
SELECT tap.is(pg_temp.fingerprint(), :'before_second_run',
              'a second run on December 31 changes no touchpoint, episode, step, claim, hold, plan or promise');
SELECT tap.is((SELECT r FROM dblink.dblink('q', $$
    SELECT format('%s %s: %s', as_of, status,
                  customers_advanced + touchpoints_planned + touchpoints_deferred + touchpoints_skipped + steps_superseded
                  + touchpoints_cancelled + escalations_ended + holds_set + holds_released + messages_unrendered)
      FROM arcollect.escalation_run ORDER BY run_id DESC LIMIT 1$$) t(r text)),
              '2025-12-31 done: 0', 'the second run is recorded, done, having written nothing');

\o /dev/null
SELECT dblink.dblink_disconnect('q');
SELECT dblink.dblink_exec('dba', 'DROP DATABASE arcollect_quarter');
SELECT dblink.dblink_disconnect('dba');
\o

SELECT * FROM tap.finish();
ROLLBACK;
