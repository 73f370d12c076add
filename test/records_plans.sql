-- Runs as role arcollect_suite with an empty search_path (README, Tests).
-- Property: whatever payments arrive on the invoices of payment plans --
-- in random pieces, dated out of order, overpaying, taken back by
-- deleting payments rows -- and whenever plans are made and
-- settle_commitments runs, at every step and as of several dates:
--   * the installments' paid amounts add up to least(total, the payments
--     booked on the plan's invoices since it was made, effective by then);
--   * installments are paid in due order (none has a paid amount while an
--     earlier one is not fully paid);
--   * the status is what the history allows: a stored final status from
--     the day it took effect, else broken when an installment was still
--     unpaid grace_days after its due date, else completed when all is
--     paid, else active; and settle_commitments stores exactly that.
-- The oracle reads the payments table itself, not the ledger.  Everything
-- runs in one transaction, so every payment is booked "since the plan was
-- made" (the same transaction start time): create_payment_plan leaves
-- such payments out of the covered amount and counts them toward the
-- plan, and the plans here cover the invoices' full amounts.  The
-- sequence is random with a fixed seed, so a failure names a step that
-- can be replayed.
BEGIN;
SELECT tap.plan(100);

SET LOCAL client_min_messages = warning;
SELECT pg_catalog.setseed(0.2025);

-- The suite's role makes plans as a collector does (doc/ledger.md), and
-- settles them (settle_commitments settles promises too).
SET ROLE NONE;
GRANT INSERT, UPDATE ON arcollect.payment_plan, arcollect.plan_invoice, arcollect.plan_installment,
                        arcollect.promise
    TO arcollect_suite;
-- (settle_commitments settles the promises too)
GRANT UPDATE ON arcollect.promise TO arcollect_suite;
-- (a covered invoice first takes its turn in arcollect.record_lock)
GRANT SELECT, INSERT, UPDATE ON arcollect.record_lock TO arcollect_suite;
RESET ROLE;

CREATE TABLE billing.plans_invoice (id integer PRIMARY KEY, customer text NOT NULL, amount numeric(12,2),
                                    issued date, due date);
CREATE TABLE billing.plans_payment (id serial PRIMARY KEY, invoice_id integer, amount numeric(12,2),
                                    paid_on date);
SELECT tap.ok(arcollect.attach('billing.plans_invoice', key => 'id', customer => 'customer', amount => 'amount',
                               due_on => 'due', issued_on => 'issued', default_currency => 'EUR') >= 0,
              'attach the billing table');
SELECT tap.ok(arcollect.attach_payments('billing.plans_payment', invoice_key => 'invoice_id', amount => 'amount',
                                        paid_on => 'paid_on') >= 0,
              'attach the payments table');
-- 40 invoices of 6 customers, due in January and February 2025
INSERT INTO billing.plans_invoice
SELECT g, 'pp' || (g % 6), round((50 + random() * 450)::numeric, 2), date '2024-12-01' + (g % 20),
       date '2025-01-05' + floor(random() * 50)::int
  FROM pg_catalog.generate_series(1, 40) g;

-- The plan's payments effective by as_of, from the payments table.
CREATE FUNCTION pg_temp.paid(plan bigint, as_of date) RETURNS numeric
LANGUAGE sql STABLE AS $fn$
    SELECT coalesce(sum(p.amount), 0)
      FROM billing.plans_payment p
      JOIN arcollect.plan_invoice c ON c.invoice_key = p.invoice_id::text
     WHERE c.plan_id = plan AND p.paid_on <= as_of
$fn$;

-- What the history allows a plan to be as of a date, payments aside
-- from the stored status.
CREATE FUNCTION pg_temp.expected_status(plan bigint, as_of date) RETURNS text
LANGUAGE sql STABLE AS $fn$
    SELECT CASE WHEN bool_or(as_of > s.due_on + p.grace_days
                             AND pg_temp.paid(plan, s.due_on + p.grace_days) < s.through) THEN 'broken'
                WHEN pg_temp.paid(plan, as_of) >= sum(s.amount) THEN 'completed'
                ELSE 'active' END
      FROM arcollect.payment_plan p
      JOIN (SELECT i.plan_id, i.due_on, i.amount,
                   sum(i.amount) OVER (ORDER BY i.installment_no) AS through
              FROM arcollect.plan_installment i WHERE i.plan_id = plan) s ON s.plan_id = p.plan_id
     WHERE p.plan_id = plan
$fn$;

-- The first thing wrong with any plan as of as_of, or NULL.
CREATE FUNCTION pg_temp.violation(as_of date) RETURNS text
LANGUAGE plpgsql AS $fn$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT p.plan_id, p.status AS stored, p.ended_on, s.status, s.total_amount, s.paid_amount,
                    (SELECT sum(i.paid_amount) FROM arcollect.installment_status(as_of) i
                      WHERE i.plan_id = p.plan_id) AS installments_paid,
                    (SELECT count(*) FROM arcollect.installment_status(as_of) i
                       JOIN arcollect.installment_status(as_of) e
                         ON e.plan_id = i.plan_id AND e.installment_no < i.installment_no
                      WHERE i.plan_id = p.plan_id AND i.paid_amount > 0 AND e.paid_amount < e.amount) AS out_of_order
               FROM arcollect.payment_plan p
               JOIN arcollect.payment_plan_status(as_of) s ON s.plan_id = p.plan_id
              ORDER BY p.plan_id LOOP
        IF r.installments_paid <> least(r.total_amount, greatest(0, pg_temp.paid(r.plan_id, as_of)))
           OR r.installments_paid <> r.paid_amount THEN
            RETURN format('plan %s as of %s: installments paid %s, plan paid %s, total %s, payments %s',
                          r.plan_id, as_of, r.installments_paid, r.paid_amount, r.total_amount,
                          pg_temp.paid(r.plan_id, as_of));
        ELSIF r.out_of_order > 0 THEN
            RETURN format('plan %s as of %s: an installment is paid before an earlier one', r.plan_id, as_of);
        ELSIF r.status IS DISTINCT FROM (CASE WHEN r.ended_on <= as_of THEN r.stored
                                              ELSE pg_temp.expected_status(r.plan_id, as_of) END) THEN
            RETURN format('plan %s as of %s: status %s, stored %s (from %s), history says %s', r.plan_id, as_of,
                          r.status, r.stored, r.ended_on, pg_temp.expected_status(r.plan_id, as_of));
        END IF;
    END LOOP;
    RETURN NULL;
END
$fn$;

-- One random step; returns what it did, or a violation of settling.
CREATE FUNCTION pg_temp.random_step() RETURNS text
LANGUAGE plpgsql AS $fn$
DECLARE
    op integer := floor(random() * 11);
    cust text;
    keys text[];
    total numeric;
    n integer;
    made date;
    dues date[];
    amounts numeric[];
    settle_on date;
    wrong text;
BEGIN
    IF op <= 2 THEN
        -- a plan over up to three invoices of a customer no active plan covers
        cust := 'pp' || floor(random() * 6);
        SELECT array_agg(x.id::text), sum(x.amount) INTO keys, total
          FROM (SELECT i.id, i.amount FROM billing.plans_invoice i
                 WHERE i.customer = cust
                   AND NOT EXISTS (SELECT FROM arcollect.plan_invoice c
                                     JOIN arcollect.payment_plan p USING (plan_id)
                                    WHERE c.invoice_key = i.id::text AND p.status = 'active')
                 ORDER BY random() LIMIT 1 + floor(random() * 3)::int) x;
        IF keys IS NULL THEN
            RETURN 'no invoice free for a plan of ' || cust;
        END IF;
        n := 1 + floor(random() * 4);
        made := date '2025-02-01' + floor(random() * 30)::int;
        SELECT array_agg(made + 3 + (k - 1) * 30 + floor(random() * 20)::int ORDER BY k) INTO dues
          FROM generate_series(1, n) k;
        -- n - 1 random cuts of the total, in cents
        SELECT array_agg(x.hi - x.lo ORDER BY x.k) INTO amounts
          FROM (SELECT k, c AS hi, lag(c, 1, 0::numeric) OVER (ORDER BY k) AS lo
                  FROM (SELECT row_number() OVER (ORDER BY c) AS k, c
                          FROM (SELECT DISTINCT round(total * (0.05 + random() * 0.9)::numeric, 2) AS c
                                  FROM generate_series(1, n - 1)
                                UNION SELECT total) cuts) ordered) x;
        dues := dues[1:cardinality(amounts)];
        PERFORM arcollect.create_payment_plan(cust, dues, amounts, keys,
                                              grace_days => floor(random() * 8)::int, created_on => made);
        RETURN format('plan for %s over %s: %s due %s', cust, keys, amounts, dues);
    ELSIF op <= 6 THEN
        -- pieces of payment on invoices, mostly those in plans, dated
        -- anywhere in the spring; one in five pays the whole invoice
        -- (overpaying when paid before)
        INSERT INTO billing.plans_payment (invoice_id, amount, paid_on)
        SELECT i.id, CASE WHEN random() < 0.2 THEN i.amount ELSE round((5 + random() * 150)::numeric, 2) END,
               date '2025-02-01' + floor(random() * 120)::int
          FROM billing.plans_invoice i
         ORDER BY (random() < 0.7 AND EXISTS (SELECT FROM arcollect.plan_invoice c
                                              WHERE c.invoice_key = i.id::text)) DESC, random()
         LIMIT 1 + floor(random() * 3)::int;
        RETURN 'payments';
    ELSIF op <= 8 THEN
        -- reversals: payments rows deleted
        DELETE FROM billing.plans_payment
         WHERE id IN (SELECT id FROM billing.plans_payment ORDER BY random() LIMIT 1 + floor(random() * 2)::int);
        RETURN 'reversals';
    ELSE
        -- settle for a date; what it stores is what the history says
        settle_on := date '2025-02-15' + floor(random() * 150)::int;
        SELECT string_agg(format('plan %s stored %s, history says %s', s.record_id, s.status,
                                 pg_temp.expected_status(s.record_id, settle_on)), '; ') INTO wrong
          FROM arcollect.settle_commitments(settle_on) s
         WHERE s.status IS DISTINCT FROM pg_temp.expected_status(s.record_id, settle_on)
            OR s.status_on > settle_on;
        IF EXISTS (SELECT FROM arcollect.settle_commitments(settle_on)) THEN
            wrong := coalesce(wrong || '; ', '') || 'settling twice changed something';
        END IF;
        RETURN coalesce('settle ' || settle_on || ': ' || wrong, 'settle ' || settle_on);
    END IF;
END
$fn$;

CREATE TEMPORARY TABLE steps (step integer, action text, problem text);
DO $do$
DECLARE
    action text;
BEGIN
    FOR step IN 1 .. 90 LOOP
        action := pg_temp.random_step();
        INSERT INTO pg_temp.steps
        SELECT step, action,
               coalesce(CASE WHEN action LIKE 'settle %: %' THEN action END,
                        pg_temp.violation(date '2025-02-20' + floor(random() * 100)::int),
                        pg_temp.violation(date '2025-12-31'));
    END LOOP;
END
$do$;

SELECT tap.is(s.problem, NULL, format('step %s (%s)', s.step, s.action))
  FROM pg_temp.steps s ORDER BY s.step;

-- The run made plans, broke some and completed some.
SELECT tap.ok((SELECT count(DISTINCT status) FROM arcollect.payment_plan_status('2025-12-31')) >= 2,
              'the plans end in more than one status');
SELECT tap.ok((SELECT count(*) FROM arcollect.payment_plan) >= 3, 'several plans were made');
SELECT tap.ok((SELECT count(*) FROM arcollect.payment_plan WHERE status <> 'active') >= 1,
              'settle_commitments stored some');
SELECT tap.is((SELECT count(*) FROM arcollect.reconcile('billing.plans_invoice')), 0::bigint,
              'the ledger ties out');


-- The catalog: comments on every table, view and column; nothing for
-- PUBLIC; every table and the sequence in what pg_dump dumps.
SELECT tap.is((SELECT string_agg(c.relname || coalesce('.' || a.attname, ''), ', ')
                 FROM pg_catalog.pg_class c
                 LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                WHERE c.relnamespace = 'arcollect'::pg_catalog.regnamespace
                  AND c.relname IN ('payment_plan', 'plan_invoice', 'plan_installment', 'installment', 'payment_plans')
                  AND (pg_catalog.obj_description(c.oid, 'pg_class') IS NULL
                       OR pg_catalog.col_description(c.oid, a.attnum) IS NULL)),
              NULL, 'every payment plan table, view and column has a comment');
SELECT tap.is((SELECT string_agg(p.oid::pg_catalog.regprocedure::text, ', ')
                 FROM pg_catalog.pg_proc p
                WHERE p.pronamespace = 'arcollect'::pg_catalog.regnamespace
                  AND p.proname IN ('create_payment_plan', 'cancel_payment_plan', 'installment_status',
                                    'payment_plan_status', 'settle_commitments', '_plan_invoice_check',
                                    '_plan_installment_check')
                  AND (pg_catalog.obj_description(p.oid, 'pg_proc') IS NULL
                       OR p.prosqlbody IS NULL
                          AND NOT EXISTS (SELECT FROM pg_catalog.unnest(p.proconfig) g
                                           WHERE g = 'search_path=pg_catalog, pg_temp'))),
              NULL, 'every payment plan function has a comment, and pins search_path or is BEGIN ATOMIC');
SELECT tap.is((SELECT string_agg(c.relname, ', ')
                 FROM pg_catalog.pg_class c
                CROSS JOIN LATERAL pg_catalog.aclexplode(coalesce(c.relacl, pg_catalog.acldefault('r', c.relowner))) x
                WHERE c.relnamespace = 'arcollect'::pg_catalog.regnamespace
                  AND c.relname IN ('payment_plan', 'plan_invoice', 'plan_installment', 'installment',
                                    'payment_plans', 'payment_plan_plan_id_seq')
                  AND x.grantee = 0),
              NULL, 'PUBLIC has no privilege on the payment plan tables, views and sequence');
SELECT tap.is((SELECT pg_catalog.array_agg(t::pg_catalog.regclass::text ORDER BY t::pg_catalog.regclass::text)
                 FROM pg_catalog.pg_extension e CROSS JOIN LATERAL pg_catalog.unnest(e.extconfig) t
                WHERE e.extname = 'arcollect'
                  AND t::pg_catalog.regclass::text ~ '^arcollect\.(payment_plan|plan_)'),
              '{arcollect.payment_plan,arcollect.payment_plan_plan_id_seq,arcollect.plan_installment,arcollect.plan_invoice}'::text[],
              'the payment plan tables and sequence are dumped with their rows');

ROLLBACK;
