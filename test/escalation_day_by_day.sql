-- Runs as role arcollect_suite with an empty search_path (README, Tests).
-- Property: over data that does not change in between, running the
-- escalation day by day and running it once on the last day end in the
-- same place: the same stage for every customer and currency, the same
-- open episodes at the same step, the same (customer, currency, step)
-- touchpoints of those episodes (planned in one database, skipped as
-- superseded in the other: one status or the other), the same credit
-- holds in force.
--
-- Two databases get the same random customers, billed before the
-- window: arcollect_dbd_daily runs arcollect.run_escalations every day
-- from March 1 to April 9, 2025 (40 runs), arcollect_dbd_once only on
-- April 9.  A procedure that commits cannot run in this file's
-- transaction, and each run works on every customer of its database:
-- two databases keep the two histories apart, with rows recorded at the
-- same times.  The customers (a fixed seed): one to four invoices each,
-- in one or two of EUR, USD, GBP and JPY, due from 100 days before the
-- window's end to a few days after it (pre-due steps, every step of the
-- default ladder, amounts around the thresholds of two policies of fees
-- and credit holds that half of those in EUR only or GBP only follow),
-- in six time zones, some with do-not-contact or an opted-out channel,
-- some with an invoice disputed (in part or whole), under a payment plan
-- or covered by a promise, all made before the window, whose installments and promised
-- dates fall due inside it or after it (so that some are broken by a
-- run inside the window).
--
-- What is compared leaves out what the two histories legitimately do
-- differently: the days steps were taken, contact decisions (caps count
-- earlier touchpoints), late fees (a superseded fee step claims none) and
-- the touchpoints cancelled with an episode that ended inside the window
-- (a promise covers invoices once they are overdue: it ends the episode
-- a pre-due step started, which the run once never saw; the episode
-- restarted when the promise broke supersedes those steps again).
--
-- Creating databases is the DBA's: the sessions this file opens log in
-- as the superuser the connection is (session_user).
BEGIN;
SELECT tap.plan(9);
SET LOCAL client_min_messages = warning;

SELECT format('dbname=%s host=%s port=%s user=%s', '%s', :'HOST', :'PORT', session_user) AS conn_template \gset
\o /dev/null
SELECT dblink.dblink_connect_u('dba', format(:'conn_template', current_database()));
SELECT dblink.dblink_exec('dba', 'DROP DATABASE IF EXISTS ' || d) FROM unnest('{arcollect_dbd_daily,arcollect_dbd_once}'::text[]) d;
SELECT dblink.dblink_exec('dba', 'CREATE DATABASE ' || d) FROM unnest('{arcollect_dbd_daily,arcollect_dbd_once}'::text[]) d;
SELECT dblink.dblink_connect_u('daily', format(:'conn_template', 'arcollect_dbd_daily'));
SELECT dblink.dblink_connect_u('once', format(:'conn_template', 'arcollect_dbd_once'));
\o

-- Runs a script in both databases, "daily" first (ending it with a
-- command: dblink_exec takes no rows back).
CREATE FUNCTION pg_temp.both(sql text) RETURNS integer
LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM dblink.dblink_exec('daily', sql || '; SET application_name = ''dbd''');
    PERFORM dblink.dblink_exec('once', sql || '; SET application_name = ''dbd''');
    RETURN 1;
END
$fn$;

-- The rows a query returns in database db, as text.
CREATE FUNCTION pg_temp.rows_of(db text, query text) RETURNS SETOF text
LANGUAGE sql AS $fn$
    SELECT r FROM dblink.dblink(db, format('SELECT q::text FROM (%s) q', query)) t(r text)
$fn$;

SELECT pg_catalog.setseed(0.1010);

-- The customers: currencies, time zone, contact settings, policy.
CREATE TEMP TABLE dbd_customer AS
SELECT n, 'dbd_' || n AS customer,
       CASE WHEN random() < 0.3
            THEN (ARRAY['{EUR,USD}', '{GBP,JPY}', '{EUR,JPY}'])[1 + floor(random() * 3)::int]
            ELSE (ARRAY['{EUR}', '{EUR}', '{USD}', '{GBP}', '{JPY}'])[1 + floor(random() * 5)::int]
       END::text[] AS currencies,
       (ARRAY['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'Australia/Sydney',
              'America/Los_Angeles'])[1 + floor(random() * 6)::int] AS zone,
       random() < 0.08 AS dnc,
       CASE WHEN random() < 0.1 THEN (ARRAY['{email}', '{letter}', '{call}'])[1 + floor(random() * 3)::int] END::text[]
           AS opt_out,
       random() < 0.5 AS strict,
       random() AS r_record
  FROM pg_catalog.generate_series(1, 90) n;
-- the strict policies are for customers in EUR or in GBP only
ALTER TABLE dbd_customer ADD policy text;
UPDATE dbd_customer SET policy = CASE currencies WHEN '{EUR}' THEN 'dbd_eu' WHEN '{GBP}' THEN 'dbd_uk' END;
UPDATE dbd_customer SET strict = false WHERE policy IS NULL;

-- Their invoices: due from 2024-12-30 (100 days before April 9) to
-- 2025-04-14, issued 30 days before; JPY amounts in whole yen.
CREATE TEMP TABLE dbd_invoice AS
SELECT c.n, c.customer, format('DBD%s_%s', c.n, i) AS invoice_key,
       c.currencies[1 + floor(random() * cardinality(c.currencies))::int] AS currency,
       date '2025-04-14' - floor(random() ^ 2 * 106)::int AS due_on,
       round((50 + random() * 2500)::numeric, 2) AS raw_amount
  FROM dbd_customer c, pg_catalog.generate_series(1, 1 + floor(random() * 4)::int) i;
ALTER TABLE dbd_invoice ADD amount numeric;
UPDATE dbd_invoice SET amount = CASE WHEN currency = 'JPY' THEN round(raw_amount * 100) ELSE raw_amount END;

-- What each customer has made before the window (one record each at
-- most, on invoices of customers in one currency for plans and promises):
-- disputes on the customer's first invoice, whole or in part; a plan of
-- two installments covering all its invoices; a promise of part or all
-- of what it owes.  Installments and promised dates fall inside the
-- window or after it.
CREATE TEMP TABLE dbd_record AS
SELECT c.n, c.customer,
       CASE WHEN c.r_record < 0.15 THEN 'dispute'
            WHEN c.r_record < 0.3 AND cardinality(c.currencies) = 1 THEN 'plan'
            WHEN c.r_record < 0.45 AND cardinality(c.currencies) = 1 THEN 'promise' END AS kind,
       (SELECT i.invoice_key FROM dbd_invoice i WHERE i.n = c.n ORDER BY i.invoice_key LIMIT 1) AS invoice_key,
       (SELECT i.amount FROM dbd_invoice i WHERE i.n = c.n ORDER BY i.invoice_key LIMIT 1) AS invoice_amount,
       (SELECT i.currency FROM dbd_invoice i WHERE i.n = c.n ORDER BY i.invoice_key LIMIT 1) AS currency,
       (SELECT sum(i.amount) FROM dbd_invoice i WHERE i.n = c.n) AS owed,
       random() < 0.5 AS whole,
       date '2025-03-03' + floor(random() * 70)::int AS falls_due
  FROM dbd_customer c;
DELETE FROM dbd_record WHERE kind IS NULL;

-- The script both databases run: the billing table, the customers'
-- settings, the policy, the records.
CREATE TEMP TABLE dbd_script AS
SELECT concat_ws(E';\n',
    'SET client_min_messages = warning',
    'CREATE EXTENSION arcollect',
    'CREATE TABLE dbd_bill (id text PRIMARY KEY, cust text NOT NULL, amount numeric, issued date, due date, cur text NOT NULL)',
    $$SELECT arcollect.attach('dbd_bill', key => 'id', customer => 'cust', amount => 'amount', due_on => 'due',
                              issued_on => 'issued', currency => 'cur')$$,
    (SELECT 'INSERT INTO dbd_bill VALUES '
            || string_agg(format('(%L, %L, %s, %L, %L, %L)', invoice_key, customer, amount, due_on - 30, due_on,
                                 currency), ', ' ORDER BY invoice_key)
       FROM dbd_invoice),
    -- a policy of fees (eu for EUR, uk for GBP: a regime claims in its
    -- own currency only) and credit holds, with thresholds
    (SELECT string_agg(format($q$INSERT INTO arcollect.policy (policy_name) VALUES ('dbd_%1$s');
        INSERT INTO arcollect.policy_step (policy_name, step_no, days_from_due, channel, template_name, action,
                                           min_overdue_amount, fee_regime, interest_rate) VALUES
            ('dbd_%1$s', 1, -5, 'email', 'pre_due_reminder', 'remind', 0, NULL, NULL),
            ('dbd_%1$s', 2, 1, 'email', 'friendly_reminder', 'remind', 0, NULL, NULL),
            ('dbd_%1$s', 3, 7, 'email', 'late_fee_notice', 'fee', 500, '%1$s', 0.08),
            ('dbd_%1$s', 4, 12, 'email', 'credit_hold_notice', 'credit_hold', 1500, NULL, NULL),
            ('dbd_%1$s', 5, 25, 'call', 'call_script', 'call', 0, NULL, NULL),
            ('dbd_%1$s', 6, 45, 'letter', 'final_notice', 'final_notice', 2500, NULL, NULL)$q$, regime), E';\n')
       FROM unnest('{eu,uk}'::text[]) regime),
    (SELECT string_agg(format('UPDATE arcollect.customer SET owner = %L, time_zone = %L, do_not_contact = %L, '
                              'opt_out_channels = %L, escalation_policy = %L WHERE customer_id = %L',
                              'Mia Becker', zone, dnc, coalesce(opt_out, '{}'),
                              CASE WHEN strict THEN policy END, customer), E';\n' ORDER BY n)
       FROM dbd_customer),
    (SELECT string_agg(
                CASE kind
                    WHEN 'dispute' THEN
                        format('SELECT arcollect.open_dispute(%L, %L, disputed_amount => %s, opened_on => %L)',
                               invoice_key, 'pricing',
                               CASE WHEN whole THEN 'NULL' ELSE round(invoice_amount / 2)::text END,
                               date '2025-02-20')
                    WHEN 'plan' THEN
                        format('SELECT arcollect.create_payment_plan(%L, %L, %L, %L, created_on => %L)',
                               customer, ARRAY[falls_due, falls_due + 30],
                               ARRAY[round(owed / 2), owed - round(owed / 2)],
                               (SELECT array_agg(i.invoice_key) FROM dbd_invoice i WHERE i.n = r.n), date '2025-02-20')
                    ELSE
                        format('SELECT arcollect.promise_to_pay(%L, %s, %L, %L)',
                               customer, CASE WHEN whole THEN owed ELSE round(owed / 3) END, falls_due,
                               date '2025-02-25')
                END, E';\n' ORDER BY n)
       FROM dbd_record r)) AS script;

SELECT pg_temp.both(script) FROM dbd_script \gset

-- Day by day in one database, once in the other (each CALL at top level
-- of its own session, as pg_cron makes it).
SELECT count(dblink.dblink_exec('daily', format('CALL arcollect.run_escalations(%L)', d::date)))
  FROM pg_catalog.generate_series(date '2025-03-01', date '2025-04-09', interval '1 day') d \gset
SELECT dblink.dblink_exec('once', $$CALL arcollect.run_escalations('2025-04-09')$$) \gset

SELECT tap.is((SELECT array_agg(s ORDER BY s)
                 FROM pg_temp.rows_of('daily', 'SELECT count(*), count(*) FILTER (WHERE status = ''done'') FROM arcollect.escalation_run') s)
              || (SELECT array_agg(s ORDER BY s)
                    FROM pg_temp.rows_of('once', 'SELECT count(*), count(*) FILTER (WHERE status = ''done'') FROM arcollect.escalation_run') s),
              '{"(40,40)","(1,1)"}', 'forty runs, each done, in one database; one in the other');

-- The data reached what it is meant to: steps of both policies, holds,
-- skipped touchpoints (do-not-contact, opt-outs), disputed, plan and
-- promise holding customers back, and in the daily database episodes
-- ended and restarted inside the window.
SELECT tap.ok((SELECT count(DISTINCT s) >= 8 FROM pg_temp.rows_of('once',
                  'SELECT policy_name, step_no FROM arcollect.escalation_stage(''2025-04-09'') WHERE step_no IS NOT NULL') s)
              AND EXISTS (SELECT FROM pg_temp.rows_of('once', 'SELECT 1 FROM arcollect.credit_hold WHERE released_on IS NULL'))
              AND EXISTS (SELECT FROM pg_temp.rows_of('once', 'SELECT 1 FROM arcollect.touchpoint WHERE status = ''skipped'' AND reason <> ''superseded'''))
              AND (SELECT count(DISTINCT s) = 3 FROM pg_temp.rows_of('once',
                      'SELECT held_by FROM arcollect.escalation_stage(''2025-04-09'') WHERE held_by IS NOT NULL') s)
              AND EXISTS (SELECT FROM pg_temp.rows_of('daily', 'SELECT 1 FROM arcollect.escalation WHERE ended_on IS NOT NULL'))
              AND EXISTS (SELECT FROM pg_temp.rows_of('daily',
                      'SELECT 1 FROM arcollect.escalation_step WHERE taken_on > ''2025-03-01'' GROUP BY escalation_id HAVING count(DISTINCT taken_on) > 1'))
              AND EXISTS (SELECT FROM pg_temp.rows_of('once',
                      'SELECT 1 FROM arcollect.touchpoint WHERE reason = ''superseded'''))
              AND EXISTS (SELECT FROM pg_temp.rows_of('once',
                      $q$SELECT 1 FROM arcollect.escalation e
                           JOIN arcollect.policy_step p ON p.policy_name = e.policy_name AND p.step_no < e.step_no
                          WHERE e.ended_on IS NULL
                            AND NOT EXISTS (SELECT FROM arcollect.escalation_step s
                                             WHERE s.escalation_id = e.escalation_id AND s.step_no = p.step_no)$q$))
              AND EXISTS (SELECT FROM pg_temp.rows_of('daily',
                      $q$SELECT 1 FROM arcollect.escalation_step s JOIN arcollect.escalation_step h
                             ON h.escalation_id = s.escalation_id AND h.step_no > s.step_no AND h.taken_on < s.taken_on$q$)),
              'the customers reach steps of both policies, holds, skips and every kind of hold-back; daily episodes end and step day after day; a step under its threshold is not taken, and taken late once the amount reaches it');

-- The stage on the last day, every column.
SELECT tap.bag_eq($$SELECT pg_temp.rows_of('daily', 'SELECT * FROM arcollect.escalation_stage(''2025-04-09'')')$$,
                  $$SELECT pg_temp.rows_of('once', 'SELECT * FROM arcollect.escalation_stage(''2025-04-09'')')$$,
                  'the same stage for every customer and currency');

-- The open episodes: policy and highest step taken.
SELECT tap.bag_eq($$SELECT pg_temp.rows_of('daily', 'SELECT customer_id, currency, policy_name, step_no, days_from_due
                                                       FROM arcollect.escalation WHERE ended_on IS NULL')$$,
                  $$SELECT pg_temp.rows_of('once', 'SELECT customer_id, currency, policy_name, step_no, days_from_due
                                                      FROM arcollect.escalation WHERE ended_on IS NULL')$$,
                  'the same open episodes, at the same highest step');
-- and it is the step the stage reaches (a stage never falls back here:
-- nothing was paid)
SELECT tap.is((SELECT count(*) FROM pg_temp.rows_of('once',
                  $q$SELECT 1 FROM arcollect.escalation_stage('2025-04-09') s
                       FULL JOIN (SELECT * FROM arcollect.escalation WHERE ended_on IS NULL) e USING (customer_id, currency)
                      WHERE s.step_no IS DISTINCT FROM e.step_no$q$)),
              0::bigint, 'each open episode is at the step its stage reaches, and every stage with a step has one');

-- The touchpoints of the open episodes, one per (customer, currency,
-- step), in whatever status.
SELECT tap.bag_eq($$SELECT pg_temp.rows_of('daily', 'SELECT t.customer_id, t.currency, t.step_no
                                                       FROM arcollect.touchpoint t
                                                       JOIN arcollect.escalation_step s ON s.touchpoint_id = t.touchpoint_id
                                                       JOIN arcollect.escalation e ON e.escalation_id = s.escalation_id
                                                      WHERE e.ended_on IS NULL')$$,
                  $$SELECT pg_temp.rows_of('once', 'SELECT t.customer_id, t.currency, t.step_no
                                                      FROM arcollect.touchpoint t
                                                      JOIN arcollect.escalation_step s ON s.touchpoint_id = t.touchpoint_id
                                                      JOIN arcollect.escalation e ON e.escalation_id = s.escalation_id
                                                     WHERE e.ended_on IS NULL')$$,
                  'the same (customer, currency, step) touchpoints, in one status or the other');
-- and over every touchpoint the runs made but those cancelled with an
-- episode that ended (the SPEC's words: the same (customer, step)
-- touchpoints, in one status or the other)
SELECT tap.set_eq($$SELECT pg_temp.rows_of('daily', 'SELECT customer_id, currency, step_no FROM arcollect.touchpoint
                                                      WHERE status <> ''cancelled''')$$,
                  $$SELECT pg_temp.rows_of('once', 'SELECT customer_id, currency, step_no FROM arcollect.touchpoint
                                                     WHERE status <> ''cancelled''')$$,
                  'the same (customer, currency, step) among all touchpoints not cancelled');
-- which are every step of the ladder up to the one reached whose
-- min_overdue_amount the customer's amount reaches, once each (the
-- amounts grow as invoices fall due: a step under its threshold when a
-- later one was taken is taken once the amount reaches it, by both)
SELECT tap.is((SELECT count(*) FROM unnest('{daily,once}'::text[]) db, pg_temp.rows_of(db,
                  $q$SELECT 1 FROM arcollect.escalation e
                       JOIN arcollect.escalation_stage('2025-04-09') g USING (customer_id, currency)
                      WHERE e.ended_on IS NULL
                        AND (SELECT array_agg(p.step_no ORDER BY p.step_no) FROM arcollect.policy_step p
                              WHERE p.policy_name = e.policy_name AND p.step_no <= e.step_no
                                AND p.min_overdue_amount <= g.step_amount)
                            IS DISTINCT FROM
                            (SELECT array_agg(t.step_no ORDER BY t.step_no) FROM arcollect.escalation_step s
                               JOIN arcollect.touchpoint t ON t.touchpoint_id = s.touchpoint_id
                              WHERE s.escalation_id = e.escalation_id)$q$)),
              0::bigint, 'each open episode has one touchpoint for every step up to the one reached whose threshold it meets');

SELECT tap.bag_eq($$SELECT pg_temp.rows_of('daily', 'SELECT customer_id, currency FROM arcollect.credit_hold WHERE released_on IS NULL')$$,
                  $$SELECT pg_temp.rows_of('once', 'SELECT customer_id, currency FROM arcollect.credit_hold WHERE released_on IS NULL')$$,
                  'the same credit holds in force');

\o /dev/null
SELECT dblink.dblink_disconnect('daily'), dblink.dblink_disconnect('once');
SELECT dblink.dblink_exec('dba', 'DROP DATABASE ' || d) FROM unnest('{arcollect_dbd_daily,arcollect_dbd_once}'::text[]) d;
SELECT dblink.dblink_disconnect('dba');
\o

SELECT * FROM tap.finish();
ROLLBACK;
