-- A customer's consent withdrawn after the ladder planned a touchpoint:
-- the next CALL arcollect.run_escalations skips the touchpoint with the
-- rule as its reason (arcollect.skip_refused_touchpoints, which the run
-- calls first) and counts it in the run's touchpoints_skipped; the
-- episode goes on, and its next step is decided by the contact rules as
-- usual.  (Last of the pg_regress files: a run works on every customer of
-- the database.)
--
-- Four customers (default policy, owner Zoe) owe 100.00 EUR due
-- 2025-01-10.  The run of 2025-01-15 (5 days overdue) plans step 2, the
-- friendly email (+1), and passes over step 1.  Then
--   ecs1 opts out of email       -> step 2 skipped, opt_out
--   ecs2 is made do-not-contact  -> step 2 skipped, do_not_contact
--   ecs3 nothing                 -> step 2 stays planned
--   ecs4 opts out of call        -> step 2 stays planned (an email)
-- and the run of 2025-01-16 skips the two.  The run of 2025-01-30 (20
-- days: step 3, the call at +15) plans ecs1's and ecs3's calls, and skips
-- ecs2's (do_not_contact) and ecs4's (opt_out) as it plans them.
\set SHOW_CONTEXT never
SET client_min_messages = warning;
CREATE TABLE ecs_bill (id text PRIMARY KEY, cust text NOT NULL, amount numeric, issued date, due date);
SELECT arcollect.attach('ecs_bill', key => 'id', customer => 'cust', amount => 'amount', due_on => 'due',
                        issued_on => 'issued', default_currency => 'EUR') AS imported;
INSERT INTO ecs_bill SELECT 'ECS-' || n, 'ecs' || n, 100.00, '2024-12-11', '2025-01-10' FROM generate_series(1, 4) n;
UPDATE arcollect.customer SET owner = 'Zoe' WHERE customer_id LIKE 'ecs_';

CALL arcollect.run_escalations('2025-01-15');
SELECT customer_id, step_no, status, reason FROM arcollect.touchpoints
 WHERE customer_id LIKE 'ecs_' ORDER BY customer_id, step_no;

UPDATE arcollect.customer SET opt_out_channels = '{email}' WHERE customer_id = 'ecs1';
UPDATE arcollect.customer SET do_not_contact = true WHERE customer_id = 'ecs2';
UPDATE arcollect.customer SET opt_out_channels = '{call}' WHERE customer_id = 'ecs4';
-- until the next run, the outbox leaves them out (when their time has come)
SELECT t.customer_id, t.step_no, arcollect.contact_refusal(c.do_not_contact, c.opt_out_channels, t.channel) AS refused
  FROM arcollect.touchpoint t JOIN arcollect.customer c USING (customer_id)
 WHERE t.customer_id LIKE 'ecs_' AND t.status = 'planned' ORDER BY 1;

CALL arcollect.run_escalations('2025-01-16');
SELECT customer_id, step_no, status, reason FROM arcollect.touchpoints
 WHERE customer_id LIKE 'ecs_' ORDER BY customer_id, step_no;
-- counted in the run (at least these two: the run skips for every
-- customer of the database)
SELECT r.touchpoints_skipped >= 2 AS counted,
       (SELECT count(*) FROM arcollect.touchpoint t
         WHERE t.customer_id LIKE 'ecs_' AND t.status = 'skipped' AND t.reason IN ('opt_out', 'do_not_contact'))
           AS ecs_skipped
  FROM arcollect.escalation_run r ORDER BY r.run_id DESC LIMIT 1;

CALL arcollect.run_escalations('2025-01-30');
SELECT customer_id, step_no, channel, status, reason FROM arcollect.touchpoints
 WHERE customer_id LIKE 'ecs_' AND step_no = 3 ORDER BY customer_id;
