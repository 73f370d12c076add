-- Runs as role arcollect_suite with an empty search_path (README, Tests).
-- Property: a caller's hostile search_path changes nothing the records'
-- code does.  Schema evil, searched before pg_catalog, holds functions
-- and operators that shadow the built-in ones the code uses (lower,
-- upper, now, length, format, the comparison and arithmetic operators of
-- text, numeric, date and integers, ||), each raising an error if it is
-- ever called, and tables named as arcollect's.  Every record function,
-- reader view and trigger (by a plain INSERT) is run once with the
-- search_path 'evil, pg_catalog, public' and once with an empty one, each
-- time undone, and must give the same result (or the same error).
-- Functions pin their search_path and BEGIN ATOMIC functions and views
-- are bound when created: this checks that none was missed.
BEGIN;
SELECT tap.plan(28);
SET LOCAL client_min_messages = warning;

SET ROLE NONE;
CREATE SCHEMA evil;
GRANT USAGE ON SCHEMA evil TO arcollect_suite;
CREATE FUNCTION evil.boom(name text) RETURNS boolean LANGUAGE plpgsql AS $fn$
BEGIN
    RAISE EXCEPTION 'evil % called', name USING ERRCODE = 'EV001';
END
$fn$;
CREATE FUNCTION evil.lower(text) RETURNS text LANGUAGE sql AS $$ SELECT evil.boom('lower')::text $$;
CREATE FUNCTION evil.upper(text) RETURNS text LANGUAGE sql AS $$ SELECT evil.boom('upper')::text $$;
CREATE FUNCTION evil.length(text) RETURNS integer LANGUAGE sql AS $$ SELECT evil.boom('length')::integer $$;
CREATE FUNCTION evil.now() RETURNS timestamptz LANGUAGE sql AS $$ SELECT evil.boom('now')::text::timestamptz $$;
CREATE FUNCTION evil.format(text) RETURNS text LANGUAGE sql AS $$ SELECT evil.boom('format')::text $$;
CREATE FUNCTION evil.format(text, VARIADIC text[]) RETURNS text LANGUAGE sql AS $$ SELECT evil.boom('format')::text $$;
CREATE FUNCTION evil.sum(numeric, numeric) RETURNS numeric LANGUAGE sql AS $$ SELECT evil.boom('sum')::text::numeric $$;
CREATE AGGREGATE evil.sum(numeric) (sfunc = evil.sum, stype = numeric);
DO $do$
DECLARE
    t text;
    op text;
BEGIN
    FOREACH t IN ARRAY ARRAY['text', 'numeric', 'date', 'integer', 'bigint', 'timestamptz'] LOOP
        EXECUTE format('CREATE FUNCTION evil.cmp(%1$s, %1$s) RETURNS boolean LANGUAGE sql AS $$ SELECT evil.boom(%2$L) $$',
                       t, 'operator on ' || t);
        FOREACH op IN ARRAY ARRAY['=', '<>', '<', '<=', '>', '>='] LOOP
            EXECUTE format('CREATE OPERATOR evil.%s (leftarg = %s, rightarg = %2$s, function = evil.cmp)', op, t);
        END LOOP;
    END LOOP;
END
$do$;
CREATE FUNCTION evil.num(numeric, numeric) RETURNS numeric LANGUAGE sql AS $$ SELECT evil.boom('numeric arithmetic')::text::numeric $$;
CREATE OPERATOR evil.+ (leftarg = numeric, rightarg = numeric, function = evil.num);
CREATE OPERATOR evil.- (leftarg = numeric, rightarg = numeric, function = evil.num);
CREATE FUNCTION evil.dplus(date, integer) RETURNS date LANGUAGE sql AS $$ SELECT evil.boom('date + integer')::text::date $$;
CREATE OPERATOR evil.+ (leftarg = date, rightarg = integer, function = evil.dplus);
CREATE FUNCTION evil.dminus(date, date) RETURNS integer LANGUAGE sql AS $$ SELECT evil.boom('date - date')::integer $$;
CREATE OPERATOR evil.- (leftarg = date, rightarg = date, function = evil.dminus);
CREATE FUNCTION evil.cat(text, text) RETURNS text LANGUAGE sql AS $$ SELECT evil.boom('||')::text $$;
CREATE OPERATOR evil.|| (leftarg = text, rightarg = text, function = evil.cat);
CREATE TABLE evil.invoice (x int);
CREATE TABLE evil.entry (x int);
CREATE TABLE evil.dispute (x int);
CREATE TABLE evil.payment_plan (x int);
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA evil TO arcollect_suite;
GRANT SELECT ON ALL TABLES IN SCHEMA evil TO arcollect_suite;
-- the suite's role writes the records as a collector does (doc/ledger.md)
GRANT INSERT, UPDATE ON arcollect.dispute, arcollect.payment_plan, arcollect.plan_invoice,
                        arcollect.plan_installment, arcollect.promise, arcollect.touchpoint,
                        arcollect.touchpoint_invoice, arcollect.record_lock
    TO arcollect_suite;
RESET ROLE;

-- The evil objects are found: with the hostile search_path an
-- unqualified lower() is evil's.
CREATE TABLE billing.sp_invoice (id text PRIMARY KEY, customer text NOT NULL, amount numeric(12,2),
                                 issued date, due date);
CREATE TABLE billing.sp_payment (id integer PRIMARY KEY, invoice_id text, amount numeric(12,2), paid_on date);
SELECT arcollect.attach('billing.sp_invoice', key => 'id', customer => 'customer', amount => 'amount',
                        due_on => 'due', issued_on => 'issued', default_currency => 'EUR') >= 0 AS attached;
SELECT arcollect.attach_payments('billing.sp_payment', invoice_key => 'invoice_id', amount => 'amount',
                                 paid_on => 'paid_on') >= 0 AS attached;
INSERT INTO billing.sp_invoice VALUES ('SP-1', 'sp1', 100, '2024-12-01', '2025-01-10'),
                                      ('SP-2', 'sp1', 200, '2024-12-01', '2025-01-10'),
                                      ('SP-3', 'sp2', 50, '2024-12-01', '2025-01-10'),
                                      ('SP-4', 'sp2', 80, '2024-12-01', '2025-01-10');
INSERT INTO billing.sp_payment VALUES (1, 'SP-1', 30, '2025-01-20');

-- A record of each kind to close, cancel or complete.
CREATE TEMPORARY TABLE fixture AS
SELECT arcollect.open_dispute('SP-3', 'pricing', 10, opened_on => '2025-02-01') AS dispute_id,
       arcollect.create_payment_plan('sp1', '{2025-03-10,2025-04-10}', '{100,100}', '{SP-2}',
                                     created_on => '2025-03-01') AS plan_id,
       arcollect.promise_to_pay('sp2', 20, '2099-01-20', made_on => '2025-03-01') AS promise_id;
INSERT INTO billing.sp_payment VALUES (2, 'SP-2', 120, '2025-03-05'), (3, 'SP-4', 10, '2025-03-06');
INSERT INTO arcollect.touchpoint (customer_id, channel, status, planned_for)
VALUES ('sp1', 'email', 'planned', '2025-03-02 09:00+00');

-- q run with the search_path path, then undone: what it returned, then
-- what check (run with an empty search_path) says, as JSON; or the
-- error.  Written without an operator or an unqualified name, so that
-- the evil search_path does not reach it either.
CREATE FUNCTION pg_temp.run(path text, q text, "check" text) RETURNS jsonb
LANGUAGE plpgsql AS $fn$
DECLARE
    -- (an INSERT returns its JSON itself: it cannot be a subquery)
    stmt text := CASE WHEN pg_catalog.starts_with(q, 'INSERT') THEN q
                      ELSE pg_catalog.concat('SELECT pg_catalog.jsonb_agg(t) FROM (', q, ') t') END;
    chk text := pg_catalog.concat('SELECT pg_catalog.jsonb_agg(t) FROM (', "check", ') t');
    got jsonb;
    seen jsonb;
BEGIN
    BEGIN
        PERFORM pg_catalog.set_config('search_path', path, true);
        EXECUTE stmt INTO got;
        PERFORM pg_catalog.set_config('search_path', '', true);
        EXECUTE chk INTO seen;
        RAISE EXCEPTION USING ERRCODE = 'UN001';
    EXCEPTION WHEN SQLSTATE 'UN001' THEN
        PERFORM pg_catalog.set_config('search_path', '', true);
        RETURN pg_catalog.jsonb_build_array(got, seen);
    WHEN OTHERS THEN
        PERFORM pg_catalog.set_config('search_path', '', true);
        RETURN pg_catalog.jsonb_build_object('error', SQLERRM);
    END;
END
$fn$;

CREATE FUNCTION pg_temp.same(q text, "check" text, description text) RETURNS text
LANGUAGE sql AS $fn$
    SELECT tap.is(pg_temp.run('evil, pg_catalog, public', q, "check"), pg_temp.run('', q, "check"), description)
$fn$;

CREATE FUNCTION pg_temp.no_error(q text, "check" text, description text) RETURNS text
LANGUAGE sql AS $fn$
    SELECT tap.ok(NOT pg_temp.run('', q, "check") ? 'error', 'without evil: ' || description)
$fn$;

-- The evil objects are found: with the hostile search_path an
-- unqualified lower() is evil's.  (The queries below compare with
-- OPERATOR(pg_catalog.=) for the same reason.)
SELECT tap.is(pg_temp.run('evil, pg_catalog, public', $$SELECT lower('A')$$, 'SELECT 1'),
              '{"error": "evil lower called"}', 'the evil objects shadow the built-in ones');

-- The plain-path runs must themselves succeed (or the comparison proves
-- little): those that should are checked once.
SELECT pg_temp.no_error($$SELECT arcollect.open_dispute('SP-1', 'quantity', 5) IS NOT NULL AS ok$$, 'SELECT 1', 'open_dispute');

SELECT pg_temp.same($$SELECT arcollect.open_dispute('SP-1', 'quantity', 5) IS NOT NULL AS ok$$,
                    $$SELECT invoice_key, customer_id, currency, disputed_amount, status, opened_on FROM arcollect.dispute ORDER BY dispute_id$$,
                    'open_dispute');
SELECT pg_temp.same($$SELECT arcollect.open_dispute('SP-1', 'quantity', 500) IS NOT NULL AS ok$$, 'SELECT 1',
                    'open_dispute refusing an amount above the open amount');
SELECT pg_temp.same(format($$SELECT arcollect.close_dispute(%s, 'resolved', 'agreed') IS NULL AS ok$$, dispute_id),
                    $$SELECT status, note, closed_on FROM arcollect.dispute ORDER BY dispute_id$$, 'close_dispute')
  FROM pg_temp.fixture;
SELECT pg_temp.same($$SELECT arcollect.create_payment_plan('sp1', '{2025-04-10}', '{100}', '{SP-1}', created_on => '2025-03-01') IS NOT NULL AS ok$$,
                    $$SELECT c.invoice_key, c.covered_amount, i.due_on, i.amount FROM arcollect.plan_invoice c
                       JOIN arcollect.plan_installment i ON i.plan_id OPERATOR(pg_catalog.=) c.plan_id ORDER BY 1, 3$$,
                    'create_payment_plan');
SELECT pg_temp.no_error($$SELECT arcollect.create_payment_plan('sp1', '{2025-04-10}', '{100}', '{SP-1}', created_on => '2025-03-01') IS NOT NULL AS ok$$,
                        'SELECT 1', 'create_payment_plan');
SELECT pg_temp.same($$SELECT arcollect.create_payment_plan('sp1', '{2025-04-10}', '{200}', '{SP-2}', created_on => '2025-03-01') IS NOT NULL AS ok$$,
                    'SELECT 1', 'create_payment_plan refusing an invoice already covered');
SELECT pg_temp.same(format($$SELECT arcollect.cancel_payment_plan(%s, 'moved') IS NULL AS ok$$, plan_id),
                    $$SELECT status, ended_on, note FROM arcollect.payment_plan ORDER BY plan_id$$, 'cancel_payment_plan')
  FROM pg_temp.fixture;
SELECT pg_temp.same($$SELECT arcollect.promise_to_pay('sp2', 15, '2099-03-25') IS NOT NULL AS ok$$,
                    $$SELECT customer_id, currency, amount, promised_on, status FROM arcollect.promise ORDER BY promise_id$$,
                    'promise_to_pay');
SELECT pg_temp.same(format($$SELECT arcollect.cancel_promise(%s, 'withdrawn') IS NULL AS ok$$, promise_id),
                    $$SELECT status FROM arcollect.promise ORDER BY promise_id$$, 'cancel_promise')
  FROM pg_temp.fixture;
SELECT pg_temp.same($$SELECT arcollect.log_touchpoint('sp1', 'call', outcome => 'promise', done_at => '2025-03-03 10:00+00') IS NOT NULL AS ok$$,
                    $$SELECT customer_id, channel, direction, outcome, status, done_at FROM arcollect.touchpoint ORDER BY touchpoint_id$$,
                    'log_touchpoint');
SELECT pg_temp.same($$SELECT arcollect.log_touchpoint('nobody', 'call') IS NOT NULL AS ok$$, 'SELECT 1',
                    'log_touchpoint refusing an unknown customer');
SELECT pg_temp.same($$SELECT arcollect.complete_touchpoint(t.touchpoint_id, 'no_answer', done_at => '2025-03-02 09:05+00') IS NULL AS ok
                        FROM arcollect.touchpoint t WHERE t.status OPERATOR(pg_catalog.=) 'planned'$$,
                    $$SELECT status, outcome, done_at FROM arcollect.touchpoint ORDER BY touchpoint_id$$, 'complete_touchpoint');
SELECT pg_temp.same($$SELECT * FROM arcollect.settle_commitments('2025-03-21') ORDER BY 1, 2$$,
                    $$SELECT status FROM arcollect.payment_plan UNION ALL SELECT status FROM arcollect.promise$$,
                    'settle_commitments');
SELECT pg_temp.same($$SELECT * FROM arcollect.find_invoice('SP-1')$$, 'SELECT 1', 'find_invoice');
SELECT pg_temp.same($$SELECT * FROM arcollect.find_invoice('SP-9')$$, 'SELECT 1', 'find_invoice of an unknown key');
SELECT pg_temp.same($$SELECT * FROM arcollect.customer_open_amounts() WHERE customer_id LIKE 'sp%' ORDER BY 1, 2$$, 'SELECT 1',
                    'customer_open_amounts');
SELECT pg_temp.same($$SELECT * FROM arcollect.customer_risk('sp1', '2025-03-21')$$, 'SELECT 1', 'customer_risk');
SELECT pg_temp.same($$SELECT * FROM arcollect.contact_decision('sp1', 'email', '2025-03-03 10:00+00')$$, 'SELECT 1',
                    'contact_decision');
SELECT pg_temp.same($$SELECT * FROM arcollect.render_message('friendly_reminder', 'en', 'email',
                        '{"customer_name": "Sp", "customer_id": "sp1", "total_overdue": "1", "currency": "EUR",
                          "oldest_days_overdue": "3", "invoice_list": "-", "owner": "maria"}')$$, 'SELECT 1',
                    'render_message');
SELECT pg_temp.same($$SELECT r.* FROM arcollect.touchpoint t, arcollect.render_touchpoint(t.touchpoint_id) r$$, 'SELECT 1',
                    'render_touchpoint (of a touchpoint no ladder step planned: the same refusal)');
SELECT pg_temp.same($$SELECT * FROM arcollect.disputes WHERE customer_id LIKE 'sp%' ORDER BY dispute_id$$, 'SELECT 1',
                    'the view disputes');
SELECT pg_temp.same($$SELECT * FROM arcollect.payment_plans p JOIN arcollect.installment i ON i.plan_id OPERATOR(pg_catalog.=) p.plan_id
                       WHERE p.customer_id LIKE 'sp%' ORDER BY p.plan_id, i.installment_no$$, 'SELECT 1',
                    'the views payment_plans and installment');
SELECT pg_temp.same($$SELECT * FROM arcollect.promises WHERE customer_id LIKE 'sp%' ORDER BY promise_id$$, 'SELECT 1',
                    'the view promises');
SELECT pg_temp.same($$SELECT * FROM arcollect.touchpoints t LEFT JOIN arcollect.touchpoint_invoices x ON x.touchpoint_id OPERATOR(pg_catalog.=) t.touchpoint_id
                       WHERE t.customer_id LIKE 'sp%' ORDER BY t.touchpoint_id$$, 'SELECT 1',
                    'the views touchpoints and touchpoint_invoices');
-- the tables' triggers, by plain INSERT
SELECT pg_temp.same($$INSERT INTO arcollect.dispute (attachment_id, invoice_key, reason_code)
                       SELECT i.attachment_id, i.invoice_key, 'tax' FROM arcollect.invoice i
                        WHERE i.invoice_key OPERATOR(pg_catalog.=) 'SP-1'
                       RETURNING pg_catalog.jsonb_build_array(disputed_amount, customer_id, currency)$$, 'SELECT 1', 'a plain INSERT into dispute');
SELECT pg_temp.same($$INSERT INTO arcollect.promise (customer_id, currency, amount, promised_on, made_on)
                       VALUES ('sp2', 'EUR', 5, '2099-04-01', '2025-03-21')
                       RETURNING pg_catalog.jsonb_build_array(status, amount)$$, 'SELECT 1', 'a plain INSERT into promise');

SELECT * FROM tap.finish();
ROLLBACK;
