-- Runs as role arcollect_suite with an empty search_path (README, Tests).
-- The customer's consent, withdrawn after the ladder planned a
-- touchpoint: arcollect.outbox checks it again when read, and
-- arcollect.skip_refused_touchpoints (which each run calls first) skips
-- what it forbids, with the rule as reason.
--
-- Every customer (EUR, owner Zoe) owes one invoice due 5 days ago; the
-- ladder (a step at +1 day, on email for ocE* customers, on call for
-- ocC* ones) plans one touchpoint each, made due an hour ago.  Then,
-- after planning, the settings change:
--   ocE0, ocC0  nothing                                  shown, planned
--   ocE1, ocC1  do_not_contact                           hidden, skipped do_not_contact
--   ocE2, ocC2  opt out of the touchpoint's channel      hidden, skipped opt_out
--   ocE3, ocC3  opt out of two other channels            shown, planned
--   ocE4, ocC4  opt out of its channel, then opt in      shown, planned
--   ocE5, ocC5  do_not_contact, then contactable again   shown, planned
--   ocE6, ocC6  opt out of its channel and another       hidden, skipped opt_out
--   ocE7, ocC7  do_not_contact and opted out of it       hidden, skipped do_not_contact
-- (do_not_contact comes first, as arcollect.contact_decision gives it).
BEGIN;
SELECT tap.plan(10);
SET LOCAL client_min_messages = warning;

CREATE TABLE billing.oc_bill (id text PRIMARY KEY, cust text NOT NULL, amount numeric, issued date, due date);
SELECT arcollect.attach('billing.oc_bill', key => 'id', customer => 'cust', amount => 'amount', due_on => 'due',
                        issued_on => 'issued', default_currency => 'EUR') IS NOT NULL AS attached \gset
INSERT INTO arcollect.policy (policy_name) VALUES ('oc_email'), ('oc_call');
INSERT INTO arcollect.policy_step (policy_name, step_no, days_from_due, channel, template_name, action) VALUES
    ('oc_email', 1, 1, 'email', 'friendly_reminder', 'remind'),
    ('oc_call', 1, 1, 'call', 'call_script', 'call');

CREATE TEMP TABLE oc_case (customer_id text, channel text, settings text[], shown boolean, reason text);
INSERT INTO oc_case
SELECT 'oc' || upper(left(ch, 1)) || n, ch, s.settings, s.shown, s.reason
  FROM (VALUES ('email', 'sms'), ('call', 'letter')) c(ch, other)
 CROSS JOIN LATERAL (VALUES
    (0, '{}'::text[], true, NULL),
    (1, ARRAY['dnc'], false, 'do_not_contact'),
    (2, ARRAY['out:' || ch], false, 'opt_out'),
    (3, ARRAY['out:' || other || ',meeting'], true, NULL),
    (4, ARRAY['out:' || ch, 'out:'], true, NULL),
    (5, ARRAY['dnc', 'contact'], true, NULL),
    (6, ARRAY['out:' || other || ',' || ch], false, 'opt_out'),
    (7, ARRAY['dnc', 'out:' || ch], false, 'do_not_contact')) s(n, settings, shown, reason);

INSERT INTO billing.oc_bill SELECT 'OCB-' || customer_id, customer_id, 100, current_date - 35, current_date - 5
  FROM oc_case;
UPDATE arcollect.customer c SET owner = 'Zoe', escalation_policy = 'oc_' || k.channel
  FROM oc_case k WHERE c.customer_id = k.customer_id;
SELECT sum(e.touchpoints_planned) AS planned
  FROM oc_case k CROSS JOIN LATERAL arcollect.escalate_customer(k.customer_id) e \gset
SELECT tap.is(:planned::integer, (SELECT count(*)::integer FROM oc_case), 'one touchpoint planned per customer');
-- due an hour ago, whatever the hour the suite runs at
UPDATE arcollect.touchpoint t SET planned_for = now() - interval '1 hour'
  FROM oc_case k WHERE t.customer_id = k.customer_id AND t.status = 'planned';
SELECT tap.set_eq('SELECT customer_id FROM arcollect.outbox WHERE customer_id LIKE ''oc%''',
                  'SELECT customer_id FROM pg_temp.oc_case',
                  'before the settings change, every customer''s touchpoint is in the outbox');

-- the settings change, one after the other, in each customer's order
DO $do$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT k.customer_id, s.setting
               FROM pg_temp.oc_case k CROSS JOIN LATERAL unnest(k.settings) WITH ORDINALITY s(setting, i)
              ORDER BY k.customer_id, s.i LOOP
        IF r.setting IN ('dnc', 'contact') THEN
            UPDATE arcollect.customer c SET do_not_contact = (r.setting = 'dnc') WHERE c.customer_id = r.customer_id;
        ELSE
            UPDATE arcollect.customer c
               SET opt_out_channels = coalesce(string_to_array(nullif(substr(r.setting, 5), ''), ','), '{}')
             WHERE c.customer_id = r.customer_id;
        END IF;
    END LOOP;
END
$do$;
-- (the fixture: cases 1, 7 end do-not-contact, cases 2, 6, 7 opted out of the channel)
SELECT tap.is((SELECT count(*) FROM arcollect.customer c JOIN pg_temp.oc_case k USING (customer_id)
                WHERE c.do_not_contact <> (k.customer_id ~ '[17]$')
                   OR (k.channel = ANY (c.opt_out_channels)) <> (k.customer_id ~ '[267]$')),
              0::bigint, 'the settings are as each case says');

SELECT tap.set_eq('SELECT customer_id FROM arcollect.outbox WHERE customer_id LIKE ''oc%''',
                  'SELECT customer_id FROM pg_temp.oc_case WHERE shown',
                  'the outbox leaves out the touchpoints of customers made do-not-contact or opted out of the channel since, and shows the others (other channels opted out, opted in again, contactable again)');
SELECT tap.is((SELECT count(*) FROM arcollect.touchpoint t JOIN oc_case k USING (customer_id)
                WHERE t.status <> 'planned'), 0::bigint,
              'reading the outbox changes nothing: every touchpoint is still planned');

-- the run's first step: what the customers' settings now forbid is skipped
SELECT tap.is(arcollect.skip_refused_touchpoints(),
              (SELECT count(*)::integer FROM oc_case WHERE NOT shown),
              'skip_refused_touchpoints skips one touchpoint per customer whose settings now forbid it');
SELECT tap.set_eq('SELECT t.customer_id, t.status, t.reason FROM arcollect.touchpoint t
                    WHERE t.customer_id LIKE ''oc%'' AND t.policy_name IS NOT NULL',
                  'SELECT customer_id, CASE WHEN shown THEN ''planned'' ELSE ''skipped'' END, reason FROM pg_temp.oc_case',
                  'those forbidden are skipped with the rule as reason (do_not_contact before opt_out), the others still planned');
SELECT tap.is(arcollect.skip_refused_touchpoints(), 0, 'a second call skips nothing more');

-- opting in again after the skip does not bring the touchpoint back
UPDATE arcollect.customer SET opt_out_channels = '{}', do_not_contact = false
 WHERE customer_id IN (SELECT customer_id FROM oc_case);
SELECT tap.set_eq('SELECT customer_id FROM arcollect.outbox WHERE customer_id LIKE ''oc%''',
                  'SELECT customer_id FROM pg_temp.oc_case WHERE shown',
                  'a skipped touchpoint stays skipped when the customer opts in again');

-- given a run, it counts what it skipped in the run's touchpoints_skipped
UPDATE arcollect.customer SET do_not_contact = true WHERE customer_id IN ('ocE0', 'ocC3');
INSERT INTO arcollect.escalation_run (as_of, batch_size, backend_start)
VALUES (current_date, 1000, now()) RETURNING run_id AS oc_run \gset
SELECT arcollect.skip_refused_touchpoints(:oc_run) AS skipped \gset
SELECT tap.is((SELECT touchpoints_skipped FROM arcollect.escalation_run WHERE run_id = :oc_run), 2,
              'given a run, the touchpoints skipped are counted in its touchpoints_skipped');

SELECT * FROM tap.finish();
ROLLBACK;
