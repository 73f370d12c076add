-- The escalation follows the collections records in the same
-- transaction (sql/code/escalation_events.sql), written by a collector
-- with only the grants doc/ledger.md gives it: a dispute, a plan or a
-- promise that leaves nothing escalatable overdue ends the customer's
-- escalation (reason disputed, plan or promise), cancels its planned
-- touchpoints and releases its credit hold; a dispute of one invoice of
-- two changes nothing; the triggers never plan: a promise broken (stored
-- by settle_commitments) is resumed by the next run, for its date.
-- Every date is relative to today (the triggers recompute as of today).
--
-- The policy ev_ladder: 1 email at +1, 2 credit_hold email at +10.  Each
-- customer (EUR) owes invoices due 20 days ago, so a recompute as of
-- today plans step 2 (step 1 superseded, skipped) and sets a hold:
--   eva  EVA1 1000: the collector disputes it whole.
--   evb  EVB1 500: a payment plan covers it.
--   evc  EVC1 400: promised in full in 7 days; broken the day after.
--   evd  EVD1 300 and EVD2 200: EVD1 disputed, EVD2 still overdue.
--   eve  EVE1 600: disputed with the triggers switched off.
\set SHOW_CONTEXT never
SET client_min_messages = warning;
CREATE TABLE ev_bill (id text PRIMARY KEY, cust text NOT NULL, amount numeric, issued date, due date,
                      cur text NOT NULL);
SELECT arcollect.attach('ev_bill', key => 'id', customer => 'cust', amount => 'amount', due_on => 'due',
                        issued_on => 'issued', currency => 'cur') AS imported;
INSERT INTO ev_bill
SELECT k, c, a, current_date - 50, current_date - 20, 'EUR'
  FROM (VALUES ('EVA1', 'eva', 1000), ('EVB1', 'evb', 500), ('EVC1', 'evc', 400),
               ('EVD1', 'evd', 300), ('EVD2', 'evd', 200), ('EVE1', 'eve', 600)) v(k, c, a);
INSERT INTO arcollect.policy (policy_name) VALUES ('ev_ladder');
INSERT INTO arcollect.policy_step (policy_name, step_no, days_from_due, channel, template_name, action,
                                   min_overdue_amount) VALUES
    ('ev_ladder', 1, 1, 'email', 'friendly_reminder', 'remind', 0),
    ('ev_ladder', 2, 10, 'email', 'credit_hold_notice', 'credit_hold', 0);
UPDATE arcollect.customer SET escalation_policy = 'ev_ladder', owner = 'Mia Becker'
 WHERE customer_id LIKE 'ev_';
SELECT e.customer_id, e.touchpoints_planned AS planned, e.steps_superseded AS superseded, e.holds_set
  FROM (VALUES ('eva'), ('evb'), ('evc'), ('evd'), ('eve')) c(id)
 CROSS JOIN LATERAL (SELECT c.id AS customer_id, x.* FROM arcollect.escalate_customer(c.id) x) e;

CREATE ROLE bi_reader NOLOGIN;
CREATE ROLE collector NOLOGIN;
CREATE ROLE ar_admin NOLOGIN;
\set ECHO none
\i doc/ledger_roles.sql
\set ECHO all
-- what each customer's escalation, touchpoints and hold are now
CREATE VIEW ev_state AS
SELECT c.id AS customer_id,
       (SELECT string_agg(format('%s %s', e.step_no, coalesce('ended ' || e.end_reason, 'open')), ', '
                          ORDER BY e.escalation_id)
          FROM arcollect.escalation e WHERE e.customer_id = c.id) AS escalations,
       (SELECT bool_and(e.ended_on = current_date) FROM arcollect.escalation e
         WHERE e.customer_id = c.id AND e.ended_on IS NOT NULL) AS ended_today,
       (SELECT string_agg(format('%s %s%s', t.step_no, t.status, ' ' || t.reason), ', '
                          ORDER BY t.touchpoint_id)
          FROM arcollect.touchpoint t WHERE t.customer_id = c.id) AS touchpoints,
       (SELECT string_agg(coalesce('released ' || h.released_reason, 'in force'), ', ' ORDER BY h.hold_id)
          FROM arcollect.credit_hold h WHERE h.customer_id = c.id) AS holds
  FROM (VALUES ('eva'), ('evb'), ('evc'), ('evd'), ('eve')) c(id);
GRANT SELECT ON ev_state TO collector, ar_admin;
SELECT * FROM ev_state ORDER BY 1;

SET ROLE collector;
-- eva: a dispute of its only overdue invoice; seen in the same transaction
BEGIN;
SELECT arcollect.open_dispute('EVA1', 'pricing') > 0 AS disputed;
SELECT * FROM ev_state WHERE customer_id = 'eva';
COMMIT;
-- evb: a payment plan covering its overdue invoice
SELECT arcollect.create_payment_plan('evb', ARRAY[current_date + 10], '{500}', '{EVB1}') > 0 AS plan_made;
-- evc: a promise of all it owes overdue
SELECT arcollect.promise_to_pay('evc', 400, current_date + 7) > 0 AS promised;
-- evd: a dispute of one invoice of two, the other still overdue
SELECT arcollect.open_dispute('EVD1', 'quality') > 0 AS disputed;
-- eve: the triggers switched off for a transaction
BEGIN;
SET LOCAL arcollect.escalation_trigger = off;
SELECT arcollect.open_dispute('EVE1', 'pricing') > 0 AS disputed;
COMMIT;
SELECT * FROM ev_state ORDER BY 1;

-- evc's promise is broken the day after its date: the collector settles
-- for that day (evc's promise among what it settles); the trigger plans
-- nothing (the run does, for its date)
SELECT p.customer_id, s.status, s.status_on - current_date AS status_in_days
  FROM arcollect.settle_commitments(current_date + 8) s
  JOIN arcollect.promise p ON s.record_kind = 'promise' AND p.promise_id = s.record_id
 WHERE p.customer_id = 'evc';
SELECT * FROM ev_state WHERE customer_id = 'evc';
-- and cannot take a step itself: it may not write the episodes
SELECT * FROM arcollect.escalate_customer('evc', current_date + 8);
RESET ROLE;

-- What the run of that day writes for evc (its settlement is done): a
-- new escalation at step 2, step 1 superseded, the hold set again.
SET ROLE ar_admin;
SELECT touchpoints_planned, steps_superseded, holds_set
  FROM arcollect.escalate_customer('evc', current_date + 8);
RESET ROLE;
SELECT * FROM ev_state WHERE customer_id = 'evc';

-- eve, once the triggers are on again: the next run ends it, as any
-- later record of eve would
SELECT escalations_ended, touchpoints_cancelled, holds_released FROM arcollect.escalate_customer('eve');
SELECT * FROM ev_state WHERE customer_id = 'eve';

DROP VIEW ev_state;
DROP OWNED BY bi_reader, collector, ar_admin;
DROP ROLE bi_reader, collector, ar_admin;
