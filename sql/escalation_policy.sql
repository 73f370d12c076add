-- Escalation policies: the installed default ladder; an admin making a
-- policy of its own and editing ladders (a step inserted between two and
-- the ones after it renumbered, in one transaction, checked when it
-- commits); every edit the tables refuse, with its SQLSTATE; the
-- installed policy becoming the user's on its first edit; and which
-- policy a customer follows (its own, else its segment's, else default).
-- Done as the roles doc/ledger.md grants: ar_admin edits policies,
-- collectors and BI read them.  Edits of the installed ladder are rolled
-- back, so that later tests find it as installed.  (Other tests'
-- customers are in the database too: this one's are ep*.)
\set SHOW_CONTEXT never
SET datestyle = ISO;
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

-- A refused statement shows its SQLSTATE and message, and for a key
-- the key (the detail of a foreign or primary key's error).  The checks
-- that wait for the commit are run at once (SET CONSTRAINTS ALL
-- IMMEDIATE), so that they too refuse the statement here.
CREATE FUNCTION pg_temp.refused(statement text) RETURNS text LANGUAGE plpgsql AS $fn$
DECLARE
    state text;
    message text;
    detail text;
BEGIN
    EXECUTE statement;
    SET CONSTRAINTS ALL IMMEDIATE;
    RETURN 'accepted';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL;
    RETURN state || ' ' || message || CASE WHEN state IN ('23503', '23505') THEN ': ' || detail ELSE '' END;
END
$fn$;

-- The installed policy: a reminder 3 days before the due date, a
-- friendly reminder the day after, a call at 15 days, a firm letter at
-- 30, a final notice at 60 and an agency referral at 90.
-- (the README's policies are in the database too)
SELECT policy_name, seeded, created_by, created_at FROM arcollect.policy
 WHERE policy_name = 'default' OR policy_name LIKE 'ep%' ORDER BY 1;
SELECT step_no, days_from_due, channel, template_name, action, min_overdue_amount, fee_regime, interest_rate
  FROM arcollect.policy_step WHERE policy_name = 'default' ORDER BY step_no;

-- An admin makes two policies: a gentle one, with a fee, and a firm one.
SET ROLE ar_admin;
INSERT INTO arcollect.policy (policy_name, description) VALUES
    ('ep_gentle', 'Small customers: later and softer, with the statutory fee.'),
    ('ep_firm', 'Customers who pay late: sooner, then a credit hold.');
INSERT INTO arcollect.policy_step
       (policy_name, step_no, days_from_due, channel, template_name, action, min_overdue_amount, fee_regime, interest_rate)
VALUES ('ep_gentle', 1, 7, 'email', 'friendly_reminder', 'remind', 0, NULL, NULL),
       ('ep_gentle', 2, 30, 'email', 'late_fee_notice', 'fee', 100, 'eu', 0.10),
       ('ep_gentle', 3, 60, 'call', 'call_script', 'call', 0, NULL, NULL),
       ('ep_firm', 1, 0, 'email', 'friendly_reminder', 'remind', 0, NULL, NULL),
       ('ep_firm', 2, 10, 'call', 'call_script', 'call', 0, NULL, NULL),
       ('ep_firm', 3, 20, 'portal', 'credit_hold_notice', 'credit_hold', 500, NULL, NULL);
SELECT policy_name, created_by, seeded FROM arcollect.policy
 WHERE policy_name = 'default' OR policy_name LIKE 'ep%' ORDER BY 1;

-- Every edit the tables refuse, with the installed policy and ep_gentle
-- as they are.
SELECT pg_temp.refused(s) FROM (VALUES
  -- days_from_due must increase strictly with step_no
  ($$INSERT INTO arcollect.policy_step VALUES ('ep_gentle', 4, 45, 'letter', 'firm_letter', 'letter')$$),
  ($$UPDATE arcollect.policy_step SET days_from_due = 30 WHERE policy_name = 'ep_gentle' AND step_no = 1$$),
  ($$UPDATE arcollect.policy_step SET step_no = 9 WHERE policy_name = 'default' AND step_no = 1$$),
  ($$INSERT INTO arcollect.policy_step VALUES ('default', 7, -5, 'email', 'pre_due_reminder', 'remind')$$),
  -- known channels and actions
  ($$INSERT INTO arcollect.policy_step VALUES ('ep_gentle', 4, 90, 'fax', 'firm_letter', 'letter')$$),
  ($$INSERT INTO arcollect.policy_step VALUES ('ep_gentle', 4, 90, 'letter', 'firm_letter', 'threaten')$$),
  -- a fee step names its regime and rate, and only a fee step does
  ($$INSERT INTO arcollect.policy_step VALUES ('ep_gentle', 4, 90, 'letter', 'fee_letter', 'fee')$$),
  ($$INSERT INTO arcollect.policy_step VALUES ('ep_gentle', 4, 90, 'letter', 'fee_letter', 'fee', 0, 'eu', NULL)$$),
  ($$INSERT INTO arcollect.policy_step VALUES ('ep_gentle', 4, 90, 'letter', 'fee_letter', 'fee', 0, 'us', 0.1)$$),
  ($$INSERT INTO arcollect.policy_step VALUES ('ep_gentle', 4, 90, 'letter', 'fee_letter', 'fee', 0, 'uk', 8)$$),
  ($$INSERT INTO arcollect.policy_step VALUES ('ep_gentle', 4, 90, 'letter', 'firm_letter', 'letter', 0, 'uk', 0.1)$$),
  -- the rest of a step
  ($$INSERT INTO arcollect.policy_step VALUES ('ep_gentle', 4, 90, 'letter', 'firm_letter', 'letter', -1)$$),
  ($$INSERT INTO arcollect.policy_step VALUES ('ep_gentle', 0, 90, 'letter', 'firm_letter', 'letter')$$),
  ($$INSERT INTO arcollect.policy_step VALUES ('ep_gentle', 3, 90, 'letter', 'firm_letter', 'letter')$$),
  ($$INSERT INTO arcollect.policy_step VALUES ('ep_nope', 1, 90, 'letter', 'firm_letter', 'letter')$$),
  -- policy names
  ($$INSERT INTO arcollect.policy (policy_name) VALUES ('Gentle Ones')$$),
  ($$INSERT INTO arcollect.policy (policy_name) VALUES ('ep_gentle')$$),
  -- the installed default stays
  ($$DELETE FROM arcollect.policy WHERE policy_name = 'default'$$),
  ($$UPDATE arcollect.policy SET policy_name = 'standard' WHERE policy_name = 'default'$$)
) t(s);

-- The commit-time check, at COMMIT: step 3 of the installed ladder moved
-- past step 4 is refused, and nothing of the transaction stays.
BEGIN;
UPDATE arcollect.policy_step SET days_from_due = 45 WHERE policy_name = 'default' AND step_no = 3;
COMMIT;
SELECT step_no, days_from_due FROM arcollect.policy_step WHERE policy_name = 'default' AND step_no IN (3, 4) ORDER BY 1;

-- An admin inserts an SMS reminder at 7 days between steps 2 and 3 of
-- the installed ladder: the steps from 3 on move up one (in one UPDATE),
-- and the new step takes number 3; the order is checked at the end
-- (here at once, as COMMIT would).  The policy is the user's from then
-- on, its steps too: seeded is false, so pg_dump keeps the whole ladder.
-- (Rolled back, for the later tests.)
BEGIN;
UPDATE arcollect.policy_step SET step_no = step_no + 1 WHERE policy_name = 'default' AND step_no >= 3;
INSERT INTO arcollect.policy_step (policy_name, step_no, days_from_due, channel, template_name, action)
VALUES ('default', 3, 7, 'sms', 'sms_reminder', 'remind');
SET CONSTRAINTS ALL IMMEDIATE;
SELECT step_no, days_from_due, channel, template_name, action
  FROM arcollect.policy_step WHERE policy_name = 'default' ORDER BY step_no;
SELECT policy_name, seeded FROM arcollect.policy WHERE policy_name = 'default';
ROLLBACK;
-- Moving a step past the next one, and the next one further, in one
-- transaction, then dropping a step: committed.
BEGIN;
UPDATE arcollect.policy_step SET days_from_due = 75 WHERE policy_name = 'ep_gentle' AND step_no = 2;
UPDATE arcollect.policy_step SET days_from_due = 90 WHERE policy_name = 'ep_gentle' AND step_no = 3;
COMMIT;
DELETE FROM arcollect.policy_step WHERE policy_name = 'ep_gentle' AND step_no = 1;
SELECT step_no, days_from_due, action FROM arcollect.policy_step WHERE policy_name = 'ep_gentle' ORDER BY step_no;
-- A description edit alone makes the installed policy the user's too.
BEGIN;
UPDATE arcollect.policy SET description = 'Ours now.' WHERE policy_name = 'default';
SELECT policy_name, description, seeded FROM arcollect.policy WHERE policy_name = 'default';
ROLLBACK;
SELECT policy_name, seeded FROM arcollect.policy WHERE policy_name = 'default';

-- Segments: small customers follow ep_gentle, late payers ep_firm.
INSERT INTO arcollect.segment_policy (segment, policy_name) VALUES ('ep_small', 'ep_gentle'), ('ep_late', 'ep_firm');
SELECT pg_temp.refused($$INSERT INTO arcollect.segment_policy (segment, policy_name) VALUES ('ep_big', 'ep_nope')$$);
RESET ROLE;

-- The customers: ep1 names ep_firm itself and is in segment ep_small (its
-- own setting wins); ep2 is a small customer, ep3 a late payer; ep4's
-- segment has no policy, and ep5 has no settings but its name.
INSERT INTO arcollect.customer (customer_id, name, segment, escalation_policy) VALUES
    ('ep1', 'One', 'ep_small', 'ep_firm'),
    ('ep2', 'Two', 'ep_small', NULL),
    ('ep3', 'Three', 'ep_late', NULL),
    ('ep4', 'Four', 'ep_other', NULL),
    ('ep5', 'Five', NULL, NULL);

-- A collector reads which policy each follows, sets a customer's policy
-- (customers are the collector's to edit), and cannot edit the policies.
SET ROLE collector;
SELECT customer_id, policy_name, source FROM arcollect.customer_policy WHERE customer_id LIKE 'ep%' ORDER BY 1;
UPDATE arcollect.customer SET escalation_policy = 'ep_gentle' WHERE customer_id = 'ep4';
SELECT pg_temp.refused(s) FROM (VALUES
  ($$UPDATE arcollect.customer SET escalation_policy = 'ep_nope' WHERE customer_id = 'ep5'$$),
  ($$INSERT INTO arcollect.policy (policy_name) VALUES ('ep_mine')$$),
  ($$UPDATE arcollect.policy_step SET days_from_due = 2 WHERE policy_name = 'default' AND step_no = 2$$),
  ($$DELETE FROM arcollect.segment_policy WHERE segment = 'ep_late'$$)
) t(s);
SELECT p.policy_name, s.step_no, s.days_from_due, s.action
  FROM arcollect.customer_policy p JOIN arcollect.policy_step s USING (policy_name)
 WHERE p.customer_id = 'ep4' ORDER BY s.step_no;
RESET ROLE;

-- A policy in use cannot be dropped: ep_gentle is a segment's, and,
-- once late payers have no policy of their own, ep_firm is still ep1's.
-- Renamed, a policy's customers and segments follow it.
SET ROLE ar_admin;
SELECT pg_temp.refused($$DELETE FROM arcollect.policy WHERE policy_name = 'ep_gentle'$$);
DELETE FROM arcollect.segment_policy WHERE segment = 'ep_late';
SELECT pg_temp.refused($$DELETE FROM arcollect.policy WHERE policy_name = 'ep_firm'$$);
UPDATE arcollect.policy SET policy_name = 'ep_soft' WHERE policy_name = 'ep_gentle';
SELECT segment, policy_name FROM arcollect.segment_policy WHERE segment LIKE 'ep%' ORDER BY 1;
RESET ROLE;

-- A BI role reads the resolution too.
SET ROLE bi_reader;
SELECT customer_id, policy_name, source FROM arcollect.customer_policy WHERE customer_id LIKE 'ep%' ORDER BY 1;
SELECT pg_temp.refused($$DELETE FROM arcollect.policy_step WHERE policy_name = 'ep_soft'$$);
RESET ROLE;

-- Once nothing names it, a policy goes, with its steps.
SET ROLE ar_admin;
DELETE FROM arcollect.segment_policy WHERE segment LIKE 'ep%';
RESET ROLE;
DELETE FROM arcollect.customer WHERE customer_id LIKE 'ep%';
SET ROLE ar_admin;
DELETE FROM arcollect.policy WHERE policy_name IN ('ep_soft', 'ep_firm');
SELECT count(*) AS steps_left FROM arcollect.policy_step WHERE policy_name LIKE 'ep%';
RESET ROLE;
SELECT policy_name, seeded FROM arcollect.policy
 WHERE policy_name = 'default' OR policy_name LIKE 'ep%' ORDER BY 1;

DROP OWNED BY bi_reader, collector, ar_admin;
DROP ROLE bi_reader, collector, ar_admin;
