-- Runs as role arcollect_suite with an empty search_path (README, Tests).
-- Property: whatever mix of billing writes (invoices inserted, their
-- amounts and paid columns updated, rows deleted), payments (rows of an
-- attached payments table inserted and deleted), disputes opened and
-- closed, payment plans made and cancelled, promises made and cancelled,
-- and settle_commitments at advancing dates, after every step:
--   * plans: the installments' paid amounts add up to least(total, the
--     payments booked on the plan's invoices since it was made, effective
--     by the date asked), and the status is what that history allows;
--   * promises: paid_amount is the customer's payments in the promise's
--     currency effective from made_on through least(date, promised_on),
--     and the status is what that history allows;
--   * disputes: each open dispute, with the open disputes of its invoice
--     opened before it, disputes at most what was open on the invoice
--     when it was opened;
--   * a final status, once stored, never changes, and is stored only by
--     the step that may store it (settle_commitments storing what the
--     history said for its date, a cancel or close of a record that could
--     take it); a refused action is refused with the SQLSTATE it should
--     be (22023 bad input, 55000 life cycle) and changes nothing;
--   * every record's created_by is the role that made it.
-- test/records_plans.sql covers plans alone in more depth (installments
-- paid in due order, as of several dates); this file mixes every kind.
--
-- The oracles read the billing and payments tables, never the ledger.
-- "Payments" there are what the README says the ledger books as such:
-- the payments table's rows, dated by their paid_on (a deleted row takes
-- its payment back on its own date), and every change of the billing
-- table's paid column, dated by the row's paid_on at the time of the
-- change (the table holds only the last of these, so this file logs each
-- change it makes, pg_temp.paid_change).  A deleted invoice's payments
-- stay payments; its removal (a void) is not one.  The open amount of an
-- invoice in the billing table is amount - paid - its payments rows.
--
-- The records are made by a collector (the role and grants of
-- doc/ledger_roles.sql); the billing writes by the suite's role, which
-- owns the tables.  Everything runs in one transaction, so every payment
-- is booked "since the plan was made" (same transaction start): a plan
-- covers its invoices' full amounts (create_payment_plan leaves such
-- payments out of the covered amount) and counts all their payments.
-- Dates are relative to today, so that promises and plans can be
-- cancelled (only an open one can); the sequence is random with a fixed
-- seed, so a failure names a step that can be replayed.
BEGIN;
SELECT tap.plan(169);

SET LOCAL client_min_messages = warning;
SELECT pg_catalog.setseed(0.4711);

SET ROLE NONE;
DO $do$
BEGIN
    -- (the names doc/ledger_roles.sql grants to; this transaction is
    -- rolled back, so they are gone afterwards)
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'collector') THEN
        CREATE ROLE collector NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'bi_reader') THEN
        CREATE ROLE bi_reader NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'ar_admin') THEN
        CREATE ROLE ar_admin NOLOGIN;
    END IF;
END
$do$;
\ir ../doc/ledger_roles.sql
RESET ROLE;
-- (a collector names the billing table, a regclass)
GRANT USAGE ON SCHEMA billing TO collector;

CREATE TABLE billing.prop_invoice (id integer PRIMARY KEY, customer text NOT NULL, amount numeric(12,2) NOT NULL,
                                   paid numeric(12,2) NOT NULL DEFAULT 0, paid_on date, cur char(3) NOT NULL,
                                   issued date NOT NULL, due date NOT NULL);
CREATE TABLE billing.prop_payment (id serial PRIMARY KEY, invoice_id integer NOT NULL, amount numeric(12,2) NOT NULL,
                                   paid_on date NOT NULL);
SELECT tap.ok(arcollect.attach('billing.prop_invoice', key => 'id', customer => 'customer', amount => 'amount',
                               paid => 'paid', paid_on => 'paid_on', currency => 'cur', due_on => 'due',
                               issued_on => 'issued') >= 0,
              'attach the billing table');
SELECT tap.ok(arcollect.attach_payments('billing.prop_payment', invoice_key => 'invoice_id', amount => 'amount',
                                        paid_on => 'paid_on', invoices => 'billing.prop_invoice') >= 0,
              'attach the payments table');

-- What this file did, for the oracles: every invoice it made (kept after
-- the row is deleted), every change of a paid column, and the dates.
CREATE TEMPORARY TABLE inv (id integer PRIMARY KEY, customer text, cur text, issued date);
CREATE TEMPORARY TABLE paid_change (invoice_id integer, amount numeric, effective_on date);
-- base: the first day of the story, 150 days ago; settled: the last day
-- settle_commitments ran for (dates advance from it)
CREATE TEMPORARY TABLE clock (base date, settled date);
INSERT INTO pg_temp.clock VALUES (current_date - 150, current_date - 150);
-- the open amount each dispute was checked against when it was opened
CREATE TEMPORARY TABLE dispute_opened (dispute_id bigint PRIMARY KEY, open_amount numeric);
-- every final status stored, as the step that stored it expected
CREATE TEMPORARY TABLE final (kind text, id bigint, status text, on_date date, PRIMARY KEY (kind, id));

-- Every payment, from the tables and this file's log.
CREATE VIEW pg_temp.pay AS
SELECT p.invoice_id, p.amount, p.paid_on AS effective_on FROM billing.prop_payment p
UNION ALL
SELECT c.invoice_id, c.amount, c.effective_on FROM pg_temp.paid_change c;

-- What is open now on each invoice in the billing table.
CREATE VIEW pg_temp.open_now AS
SELECT b.id, b.customer, b.cur, b.amount - b.paid - coalesce((SELECT sum(p.amount) FROM billing.prop_payment p
                                                              WHERE p.invoice_id = b.id), 0) AS open_amount
  FROM billing.prop_invoice b;

-- A plan's payments effective by d.
CREATE FUNCTION pg_temp.plan_paid(plan bigint, d date) RETURNS numeric
LANGUAGE sql STABLE AS $fn$
    SELECT coalesce(sum(y.amount), 0)
      FROM pg_temp.pay y JOIN arcollect.plan_invoice c ON c.invoice_key = y.invoice_id::text
     WHERE c.plan_id = plan AND y.effective_on <= d
$fn$;

-- What the history says of a plan as of d, the stored status aside.
CREATE FUNCTION pg_temp.plan_history(plan bigint, d date) RETURNS text
LANGUAGE sql STABLE AS $fn$
    SELECT CASE WHEN p.created_on > d THEN NULL
                WHEN bool_or(d > s.due_on + p.grace_days
                             AND pg_temp.plan_paid(plan, s.due_on + p.grace_days) < s.through) THEN 'broken'
                WHEN pg_temp.plan_paid(plan, d) >= sum(s.amount) THEN 'completed'
                ELSE 'active' END
      FROM arcollect.payment_plan p
      JOIN (SELECT i.plan_id, i.due_on, i.amount, sum(i.amount) OVER (ORDER BY i.installment_no) AS through
              FROM arcollect.plan_installment i WHERE i.plan_id = plan) s ON s.plan_id = p.plan_id
     WHERE p.plan_id = plan
     GROUP BY p.created_on
$fn$;

-- A promise's payments effective from made_on through least(d, promised_on).
CREATE FUNCTION pg_temp.promise_paid(promise bigint, d date) RETURNS numeric
LANGUAGE sql STABLE AS $fn$
    SELECT coalesce(sum(y.amount), 0)
      FROM arcollect.promise q
      JOIN pg_temp.inv i ON i.customer = q.customer_id AND i.cur = q.currency
      JOIN pg_temp.pay y ON y.invoice_id = i.id
     WHERE q.promise_id = promise AND y.effective_on BETWEEN q.made_on AND least(d, q.promised_on)
$fn$;

-- What the history says of a promise as of d, the stored status aside.
CREATE FUNCTION pg_temp.promise_history(promise bigint, d date) RETURNS text
LANGUAGE sql STABLE AS $fn$
    SELECT CASE WHEN pg_temp.promise_paid(promise, d) >= q.amount THEN 'kept'
                WHEN d > q.promised_on THEN 'broken'
                ELSE 'open' END
      FROM arcollect.promise q WHERE q.promise_id = promise
$fn$;

-- The first thing wrong as of d, or NULL.
CREATE FUNCTION pg_temp.violation(d date) RETURNS text
LANGUAGE plpgsql AS $fn$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT s.plan_id, s.status, s.total_amount, s.paid_amount, p.status AS stored, p.ended_on,
                    i.installments_paid, pg_temp.plan_paid(s.plan_id, d) AS payments
               FROM arcollect.payment_plan_status(d) s
               JOIN arcollect.payment_plan p USING (plan_id)
               LEFT JOIN (SELECT x.plan_id, sum(x.paid_amount) AS installments_paid
                            FROM arcollect.installment_status(d) x GROUP BY x.plan_id) i USING (plan_id)
              ORDER BY s.plan_id LOOP
        IF r.installments_paid IS DISTINCT FROM least(r.total_amount, greatest(0, r.payments))
           OR r.paid_amount IS DISTINCT FROM r.installments_paid THEN
            RETURN format('plan %s as of %s: installments paid %s, plan paid %s, total %s, payments %s',
                          r.plan_id, d, r.installments_paid, r.paid_amount, r.total_amount, r.payments);
        ELSIF r.status IS DISTINCT FROM (CASE WHEN r.ended_on <= d THEN r.stored
                                              ELSE pg_temp.plan_history(r.plan_id, d) END) THEN
            RETURN format('plan %s as of %s: status %s, stored %s from %s, history says %s', r.plan_id, d,
                          r.status, r.stored, r.ended_on, pg_temp.plan_history(r.plan_id, d));
        END IF;
    END LOOP;
    FOR r IN SELECT s.promise_id, s.status, s.paid_amount, p.status AS stored, p.settled_on,
                    pg_temp.promise_paid(s.promise_id, d) AS payments
               FROM arcollect.promise_status(d) s JOIN arcollect.promise p USING (promise_id)
              ORDER BY s.promise_id LOOP
        IF r.paid_amount IS DISTINCT FROM r.payments THEN
            RETURN format('promise %s as of %s: paid %s, payments %s', r.promise_id, d, r.paid_amount, r.payments);
        ELSIF r.status IS DISTINCT FROM (CASE WHEN r.stored <> 'open' AND r.settled_on <= d THEN r.stored
                                              ELSE pg_temp.promise_history(r.promise_id, d) END) THEN
            RETURN format('promise %s as of %s: status %s, stored %s on %s, history says %s', r.promise_id, d,
                          r.status, r.stored, r.settled_on, pg_temp.promise_history(r.promise_id, d));
        END IF;
    END LOOP;
    RETURN NULL;
END
$fn$;

-- What must hold whatever the date: disputes within what was open, final
-- statuses exactly those the steps stored, records by the collector.
CREATE FUNCTION pg_temp.records_violation() RETURNS text
LANGUAGE plpgsql AS $fn$
DECLARE
    problem text;
BEGIN
    SELECT format('dispute %s: open disputes of invoice %s through it hold %s, %s was open when it was opened',
                  x.dispute_id, x.invoice_key, x.held, x.open_amount) INTO problem
      FROM (SELECT d.dispute_id, d.invoice_key, o.open_amount,
                   sum(d.disputed_amount) OVER (PARTITION BY d.invoice_key ORDER BY d.dispute_id) AS held
              FROM arcollect.dispute d JOIN pg_temp.dispute_opened o USING (dispute_id)
             WHERE d.status = 'open') x
     WHERE x.held > x.open_amount
     LIMIT 1;
    IF problem IS NOT NULL THEN
        RETURN problem;
    END IF;
    SELECT format('%s %s: stored %s on %s, the steps stored %s on %s',
                  coalesce(s.kind, f.kind), coalesce(s.id, f.id), s.status, s.on_date, f.status, f.on_date)
      INTO problem
      FROM (SELECT 'dispute' AS kind, dispute_id AS id, status, closed_on AS on_date
              FROM arcollect.dispute WHERE status <> 'open'
            UNION ALL
            SELECT 'payment_plan', plan_id, status, ended_on FROM arcollect.payment_plan WHERE status <> 'active'
            UNION ALL
            SELECT 'promise', promise_id, status, settled_on FROM arcollect.promise WHERE status <> 'open') s
      FULL JOIN pg_temp.final f ON f.kind = s.kind AND f.id = s.id
     WHERE (s.status, s.on_date) IS DISTINCT FROM (f.status, f.on_date)
     LIMIT 1;
    IF problem IS NOT NULL THEN
        RETURN problem;
    END IF;
    SELECT format('%s %s was created by %s', r.kind, r.id, r.created_by) INTO problem
      FROM (SELECT 'dispute' AS kind, dispute_id AS id, created_by FROM arcollect.dispute
            UNION ALL SELECT 'dispute closed', dispute_id, closed_by FROM arcollect.dispute WHERE status <> 'open'
            UNION ALL SELECT 'payment_plan', plan_id, created_by FROM arcollect.payment_plan
            UNION ALL SELECT 'promise', promise_id, created_by FROM arcollect.promise
            UNION ALL SELECT 'touchpoint', touchpoint_id, created_by FROM arcollect.touchpoint) r
     WHERE r.created_by <> 'collector'
     LIMIT 1;
    RETURN problem;
END
$fn$;

-- Runs a statement as the collector; returns its SQLSTATE ('00000' when
-- it went through) and leaves its single result, or the error message,
-- in pg_temp.result.
CREATE TEMPORARY TABLE result (value text);
CREATE FUNCTION pg_temp.as_collector(statement text) RETURNS text
LANGUAGE plpgsql AS $fn$
DECLARE
    value text;
BEGIN
    DELETE FROM pg_temp.result;
    BEGIN
        PERFORM pg_catalog.set_config('role', 'collector', true);
        EXECUTE statement INTO value;
        PERFORM pg_catalog.set_config('role', 'arcollect_suite', true);
    EXCEPTION WHEN OTHERS THEN
        PERFORM pg_catalog.set_config('role', 'arcollect_suite', true);
        INSERT INTO pg_temp.result VALUES (SQLERRM);
        RETURN SQLSTATE;
    END;
    INSERT INTO pg_temp.result VALUES (value);
    RETURN '00000';
END
$fn$;

-- When an action's SQLSTATE is not the one expected, what to report.
CREATE FUNCTION pg_temp.expect(got text, wanted text, what text) RETURNS text
LANGUAGE sql AS $fn$
    SELECT CASE WHEN got = wanted THEN what
                ELSE format('%s: SQLSTATE %s, expected %s (%s)', what, got, wanted,
                            (SELECT r.value FROM pg_temp.result r)) END
$fn$;

CREATE FUNCTION pg_temp.random_date(d date, days integer) RETURNS date
LANGUAGE sql AS $fn$ SELECT d + floor(random() * (days + 1))::integer $fn$;

-- A payment's date: mostly around the last settled day (the story moves
-- on), one in five anywhere (late bookings, back-dated corrections).
CREATE FUNCTION pg_temp.payment_date() RETURNS date
LANGUAGE sql AS $fn$
    SELECT CASE WHEN random() < 0.2 THEN pg_temp.random_date(c.base, 300)
                ELSE pg_temp.random_date(c.settled - 5, 30) END
      FROM pg_temp.clock c
$fn$;

-- One random step; returns what it did ("... SQLSTATE ..." when it went
-- wrong).
CREATE FUNCTION pg_temp.random_step() RETURNS text
LANGUAGE plpgsql AS $fn$
DECLARE
    op integer := floor(random() * 23);
    base date := (SELECT c.base FROM pg_temp.clock c);
    settled date := (SELECT c.settled FROM pg_temp.clock c);
    cust text := 'pr' || floor(random() * 5);
    inv_id integer;
    n integer;
    v_amount numeric;
    open_left numeric;
    got text;
    wanted text;
    record_id bigint;
    stored text;
    v_cur text;
    keys text[];
    dues date[];
    amounts numeric[];
    made date;
    d date;
    wrong text;
BEGIN
    IF op <= 2 THEN
        -- new invoices; customers pr3 and pr4 owe in two currencies
        n := 1 + floor(random() * 2);
        FOR k IN 1 .. n LOOP
            inv_id := coalesce((SELECT max(i.id) FROM pg_temp.inv i), 0) + 1;
            v_cur := CASE WHEN cust IN ('pr3', 'pr4') AND random() < 0.4 THEN 'USD' ELSE 'EUR' END;
            d := pg_temp.random_date(base - 40, 30);
            INSERT INTO pg_temp.inv VALUES (inv_id, cust, v_cur, d);
            INSERT INTO billing.prop_invoice (id, customer, amount, cur, issued, due)
            VALUES (inv_id, cust, round((50 + random() * 450)::numeric, 2), v_cur, d, d + 30);
        END LOOP;
        RETURN format('%s invoices of %s', n, cust);
    END IF;
    -- the other steps need an invoice in the billing table
    SELECT b.id INTO inv_id FROM billing.prop_invoice b ORDER BY random() LIMIT 1;
    IF inv_id IS NULL THEN
        RETURN 'no invoice yet';
    ELSIF op = 3 THEN
        UPDATE billing.prop_invoice b SET amount = round(b.amount * (0.5 + random())::numeric, 2) + 0.01
         WHERE b.id = inv_id;
        RETURN format('amount of %s changed', inv_id);
    ELSIF op <= 5 THEN
        -- the paid column moves (mostly up, now and then corrected down),
        -- dated by paid_on
        v_amount := round((CASE WHEN random() < 0.2 THEN -20 ELSE 0 END + 5 + random() * 150)::numeric, 2);
        d := pg_temp.payment_date();
        UPDATE billing.prop_invoice b SET paid = b.paid + v_amount, paid_on = d WHERE b.id = inv_id;
        INSERT INTO pg_temp.paid_change VALUES (inv_id, v_amount, d);
        RETURN format('paid of %s %s on %s', inv_id, v_amount, d);
    ELSIF op = 6 THEN
        DELETE FROM billing.prop_invoice b WHERE b.id = inv_id;
        RETURN format('invoice %s deleted', inv_id);
    ELSIF op = 7 AND random() < 0.5 THEN
        -- all that is open on the invoices of an active plan
        SELECT p.plan_id INTO record_id FROM arcollect.payment_plan p WHERE p.status = 'active'
         ORDER BY random() LIMIT 1;
        d := pg_temp.payment_date();
        INSERT INTO billing.prop_payment (invoice_id, amount, paid_on)
        SELECT o.id, o.open_amount, d
          FROM pg_temp.open_now o JOIN arcollect.plan_invoice c ON c.invoice_key = o.id::text
         WHERE c.plan_id = record_id AND o.open_amount > 0;
        RETURN format('plan %s paid on %s', record_id, d);
    ELSIF op <= 9 THEN
        -- pieces of payment, mostly on invoices of active plans, one in
        -- five all that is open
        INSERT INTO billing.prop_payment (invoice_id, amount, paid_on)
        SELECT o.id, CASE WHEN random() < 0.3 AND o.open_amount > 0 THEN o.open_amount
                          ELSE round((5 + random() * 120)::numeric, 2) END,
               pg_temp.payment_date()
          FROM pg_temp.open_now o
         ORDER BY random() < 0.6 AND EXISTS (SELECT FROM arcollect.plan_invoice c
                                               JOIN arcollect.payment_plan p USING (plan_id)
                                              WHERE c.invoice_key = o.id::text AND p.status = 'active') DESC,
                  random()
         LIMIT 1 + floor(random() * 3)::integer;
        RETURN 'payments';
    ELSIF op = 10 THEN
        DELETE FROM billing.prop_payment
         WHERE id IN (SELECT p.id FROM billing.prop_payment p ORDER BY random() LIMIT 1);
        RETURN 'a payment deleted';
    ELSIF op <= 12 THEN
        -- a dispute: of a deleted invoice now and then, of one disputed
        -- already often, for an unknown
        -- reason now and then, for no amount (all that is left), a bad
        -- amount or one up to a bit more than is left
        IF random() < 0.1 THEN
            inv_id := (SELECT i.id FROM pg_temp.inv i ORDER BY random() LIMIT 1);
        ELSIF random() < 0.5 THEN
            -- one disputed already, if any
            inv_id := coalesce((SELECT x.invoice_key::integer FROM arcollect.dispute x WHERE x.status = 'open'
                                 ORDER BY random() LIMIT 1), inv_id);
        END IF;
        SELECT o.open_amount - coalesce((SELECT sum(x.disputed_amount) FROM arcollect.dispute x
                                          WHERE x.invoice_key = o.id::text AND x.status = 'open'), 0)
          INTO open_left FROM pg_temp.open_now o WHERE o.id = inv_id;
        v_amount := CASE WHEN random() < 0.25 THEN NULL
                       WHEN random() < 0.1 THEN -round((random() * 10)::numeric, 2)
                       WHEN random() < 0.1 THEN open_left
                       ELSE round((1 + random() * greatest(open_left, 10) * 1.2)::numeric, 2) END;
        wanted := CASE WHEN op = 12 AND random() < 0.15 THEN 'no_such_reason' ELSE 'pricing' END;
        got := pg_temp.as_collector(format('SELECT arcollect.open_dispute(%L, %L, %L, opened_on => %L,
                                                   billing_table => %L)',
                                           inv_id, wanted, v_amount, settled, 'billing.prop_invoice'));
        IF got = '00000' THEN
            INSERT INTO pg_temp.dispute_opened
            SELECT r.value::bigint, o.open_amount FROM pg_temp.result r, pg_temp.open_now o WHERE o.id = inv_id;
        END IF;
        RETURN pg_temp.expect(got, CASE WHEN wanted = 'no_such_reason' OR open_left IS NULL OR open_left <= 0
                                             OR v_amount <= 0 OR v_amount > open_left THEN '22023'
                                        ELSE '00000' END,
                              format('dispute of %s for %s, %s left (%s)', inv_id, v_amount, open_left, wanted));
    ELSIF op = 13 THEN
        -- close a dispute; closing a closed one is a life-cycle error
        SELECT x.dispute_id, x.status INTO record_id, stored FROM arcollect.dispute x ORDER BY random() LIMIT 1;
        IF record_id IS NULL THEN
            RETURN 'no dispute yet';
        END IF;
        wanted := (ARRAY['resolved', 'rejected', 'credited'])[1 + floor(random() * 3)::integer];
        got := pg_temp.as_collector(format('SELECT arcollect.close_dispute(%s, %L, closed_on => %L)',
                                           record_id, wanted, settled));
        IF got = '00000' THEN
            INSERT INTO pg_temp.final VALUES ('dispute', record_id, wanted, settled);
        END IF;
        RETURN pg_temp.expect(got, CASE WHEN stored = 'open' THEN '00000' ELSE '55000' END,
                              format('close dispute %s (%s) as %s', record_id, stored, wanted));
    ELSIF op <= 15 THEN
        -- a plan over up to three invoices of one currency that no active
        -- plan covers; one in five does not add up
        SELECT b.cur INTO v_cur FROM billing.prop_invoice b WHERE b.id = inv_id;
        SELECT b.customer INTO cust FROM billing.prop_invoice b WHERE b.id = inv_id;
        SELECT array_agg(x.id::text), sum(x.amount) INTO keys, v_amount
          FROM (SELECT b.id, b.amount FROM billing.prop_invoice b
                 WHERE b.customer = cust AND b.cur = v_cur
                   AND NOT EXISTS (SELECT FROM arcollect.plan_invoice c JOIN arcollect.payment_plan p USING (plan_id)
                                    WHERE c.invoice_key = b.id::text AND p.status = 'active')
                 ORDER BY random() LIMIT 1 + floor(random() * 3)::integer) x;
        IF keys IS NULL THEN
            RETURN 'no invoice free for a plan of ' || cust;
        END IF;
        n := 1 + floor(random() * 3);
        made := least(current_date, pg_temp.random_date(settled, 10));
        SELECT array_agg(made + 3 + (k - 1) * 20 + floor(random() * 15)::integer ORDER BY k),
               array_agg(CASE WHEN k < n THEN round(v_amount / n, 2) ELSE v_amount - round(v_amount / n, 2) * (n - 1) END
                         ORDER BY k)
          INTO dues, amounts
          FROM generate_series(1, n) k;
        wanted := CASE WHEN random() < 0.2 THEN '22023' ELSE '00000' END;
        IF wanted = '22023' THEN
            amounts[n] := amounts[n] + 0.01;
        END IF;
        got := pg_temp.as_collector(format('SELECT arcollect.create_payment_plan(%L, %L, %L, %L, grace_days => %s,
                                                                                created_on => %L)',
                                           cust, dues, amounts, keys, floor(random() * 7), made));
        RETURN pg_temp.expect(got, wanted, format('plan of %s over %s: %s due %s', cust, keys, amounts, dues));
    ELSIF op = 16 THEN
        SELECT p.plan_id, p.status INTO record_id, stored FROM arcollect.payment_plan p ORDER BY random() LIMIT 1;
        IF record_id IS NULL THEN
            RETURN 'no plan yet';
        END IF;
        got := pg_temp.as_collector(format('SELECT arcollect.cancel_payment_plan(%s)', record_id));
        IF got = '00000' THEN
            INSERT INTO pg_temp.final
            SELECT 'payment_plan', record_id, 'cancelled', greatest(current_date, p.created_on)
              FROM arcollect.payment_plan p WHERE p.plan_id = record_id;
        END IF;
        RETURN pg_temp.expect(got, CASE WHEN stored = 'active' THEN '00000' ELSE '55000' END,
                              format('cancel plan %s (%s)', record_id, stored));
    ELSIF op <= 18 THEN
        -- a promise, taken in a call now and then: promise_to_pay takes
        -- the one currency the customer owes in; an INSERT names one
        made := pg_temp.random_date(settled, 10);
        d := pg_temp.random_date(made, 60);
        v_amount := round((10 + random() * 200)::numeric, 2);
        record_id := NULL;
        IF random() < 0.3 THEN
            got := pg_temp.as_collector(format('SELECT arcollect.log_touchpoint(%L, %L, outcome => %L)',
                                               cust, 'call', 'promise'));
            IF got <> '00000' THEN
                RETURN pg_temp.expect(got, '00000', 'touchpoint with ' || cust);
            END IF;
            record_id := (SELECT r.value::bigint FROM pg_temp.result r);
        END IF;
        SELECT count(*), min(x.cur) INTO n, v_cur
          FROM (SELECT o.cur FROM pg_temp.open_now o WHERE o.customer = cust
                 GROUP BY o.cur HAVING sum(o.open_amount) > 0) x;
        IF random() < 0.5 THEN
            got := pg_temp.as_collector(format('SELECT arcollect.promise_to_pay(%L, %s, %L, %L, %L)',
                                               cust, v_amount, d, made, record_id));
            RETURN pg_temp.expect(got, CASE WHEN n = 1 THEN '00000' ELSE '22023' END,
                                  format('promise of %s to pay %s by %s, owing in %s currencies', cust, v_amount, d, n));
        END IF;
        v_cur := CASE WHEN random() < 0.7 THEN 'EUR' ELSE 'USD' END;
        got := pg_temp.as_collector(format('INSERT INTO arcollect.promise (customer_id, currency, amount, made_on,
                                                                           promised_on, touchpoint_id)
                                            VALUES (%L, %L, %s, %L, %L, %L) RETURNING promise_id',
                                           cust, v_cur, v_amount, made, d, record_id));
        RETURN pg_temp.expect(got, CASE WHEN (SELECT sum(o.open_amount) FROM pg_temp.open_now o
                                              WHERE o.customer = cust AND o.cur = v_cur) > 0 THEN '00000'
                                        ELSE '22023' END,
                              format('promise of %s to pay %s %s by %s', cust, v_amount, v_cur, d));
    ELSIF op = 19 THEN
        -- cancel a promise: only one open as of today
        SELECT q.promise_id, q.status INTO record_id, stored FROM arcollect.promise q ORDER BY random() LIMIT 1;
        IF record_id IS NULL THEN
            RETURN 'no promise yet';
        END IF;
        wanted := CASE WHEN stored = 'open' AND pg_temp.promise_history(record_id, current_date) = 'open'
                       THEN '00000' ELSE '55000' END;
        got := pg_temp.as_collector(format('SELECT arcollect.cancel_promise(%s)', record_id));
        IF got = '00000' THEN
            INSERT INTO pg_temp.final VALUES ('promise', record_id, 'cancelled', current_date);
        END IF;
        RETURN pg_temp.expect(got, wanted, format('cancel promise %s (%s)', record_id, stored));
    ELSE
        -- settle for a later date: what it stores is what the history
        -- says for that date, it misses nothing, and a second run stores
        -- nothing
        d := pg_temp.random_date(settled + 3, 15);
        UPDATE pg_temp.clock SET settled = d;
        got := pg_temp.as_collector(format('SELECT count(*) FROM arcollect.settle_commitments(%L)', d));
        IF got <> '00000' THEN
            RETURN pg_temp.expect(got, '00000', 'settle ' || d);
        END IF;
        n := (SELECT r.value::integer FROM pg_temp.result r);
        SELECT string_agg(format('%s %s stored %s on %s', f.kind, f.id, s.status, s.on_date), '; ') INTO wrong
          FROM (SELECT 'payment_plan' AS kind, p.plan_id AS id, p.status, p.ended_on AS on_date
                  FROM arcollect.payment_plan p WHERE p.status <> 'active'
                UNION ALL
                SELECT 'promise', q.promise_id, q.status, q.settled_on FROM arcollect.promise q
                 WHERE q.status <> 'open') s
          LEFT JOIN pg_temp.final f ON f.kind = s.kind AND f.id = s.id
         WHERE f.id IS NULL
           AND (s.kind = 'payment_plan' AND (s.on_date > d OR s.status IS DISTINCT FROM pg_temp.plan_history(s.id, d))
                OR s.kind = 'promise' AND (s.on_date <> d OR s.status IS DISTINCT FROM pg_temp.promise_history(s.id, d)));
        INSERT INTO pg_temp.final
        SELECT 'payment_plan', p.plan_id, p.status, p.ended_on FROM arcollect.payment_plan p
         WHERE p.status <> 'active' AND NOT EXISTS (SELECT FROM pg_temp.final f
                                                     WHERE f.kind = 'payment_plan' AND f.id = p.plan_id)
        UNION ALL
        SELECT 'promise', q.promise_id, q.status, q.settled_on FROM arcollect.promise q
         WHERE q.status <> 'open' AND NOT EXISTS (SELECT FROM pg_temp.final f
                                                   WHERE f.kind = 'promise' AND f.id = q.promise_id);
        -- (what is still active or open is what the history says for d)
        SELECT coalesce(wrong || '; ', '') || string_agg(format('%s %s left %s, history says %s for %s',
                                                                 s.kind, s.id, s.status, s.history, d), '; ')
          INTO wrong
          FROM (SELECT 'payment_plan' AS kind, p.plan_id AS id, p.status, pg_temp.plan_history(p.plan_id, d) AS history
                  FROM arcollect.payment_plan p WHERE p.status = 'active'
                UNION ALL
                SELECT 'promise', q.promise_id, q.status, pg_temp.promise_history(q.promise_id, d)
                  FROM arcollect.promise q WHERE q.status = 'open') s
         WHERE s.history NOT IN ('active', 'open');
        got := pg_temp.as_collector(format('SELECT count(*) FROM arcollect.settle_commitments(%L)', d));
        IF got <> '00000' OR (SELECT r.value FROM pg_temp.result r) <> '0' THEN
            wrong := coalesce(wrong || '; ', '') || 'settling twice changed something: '
                     || (SELECT r.value FROM pg_temp.result r);
        END IF;
        RETURN format('settle %s stored %s', d, n) || coalesce(': SQLSTATE wrong: ' || wrong, '');
    END IF;
END
$fn$;

-- 30 invoices to start with (numbered from 910001: invoice keys that no
-- other test's billing table holds, since create_payment_plan names
-- invoices by key alone)
INSERT INTO pg_temp.inv
SELECT 910000 + g, 'pr' || (g % 5), CASE WHEN g % 5 >= 3 AND g % 3 = 0 THEN 'USD' ELSE 'EUR' END,
       pg_temp.random_date((SELECT c.base FROM pg_temp.clock c) - 40, 30)
  FROM generate_series(1, 30) g;
INSERT INTO billing.prop_invoice (id, customer, amount, cur, issued, due)
SELECT i.id, i.customer, round((50 + random() * 450)::numeric, 2), i.cur, i.issued, i.issued + 30 FROM pg_temp.inv i;

CREATE TEMPORARY TABLE steps (step integer, action text, problem text);
DO $do$
DECLARE
    action text;
BEGIN
    FOR step IN 1 .. 160 LOOP
        action := pg_temp.random_step();
        -- as of a day of the story, and every fourth step as of a year
        -- from now
        INSERT INTO pg_temp.steps
        SELECT step, action,
               coalesce(CASE WHEN action LIKE '%SQLSTATE%' THEN action END,
                        pg_temp.records_violation(),
                        pg_temp.violation(pg_temp.random_date((SELECT c.base FROM pg_temp.clock c), 200)),
                        CASE WHEN step % 4 = 0 THEN pg_temp.violation(current_date + 365) END);
    END LOOP;
END
$do$;

SELECT tap.is(s.problem, NULL, format('step %s (%s)', s.step, s.action))
  FROM pg_temp.steps s ORDER BY s.step;

-- The run went through what it is meant to test.
SELECT tap.ok((SELECT count(*) FROM arcollect.dispute) >= 3
              AND (SELECT count(*) FROM pg_temp.steps WHERE action LIKE 'dispute of%') >
                  (SELECT count(*) FROM arcollect.dispute),
              'disputes were opened, and some refused');
SELECT tap.ok((SELECT count(*) FILTER (WHERE status = 'completed') > 0 AND count(*) FILTER (WHERE status = 'broken') > 0
                 FROM arcollect.payment_plan_status(current_date + 365)),
              'some plans were completed, some broken');
SELECT tap.ok((SELECT count(*) FILTER (WHERE status = 'kept') > 0 AND count(*) FILTER (WHERE status = 'broken') > 0
                 FROM arcollect.promise),
              'settle_commitments stored promises kept and broken');
SELECT tap.ok((SELECT count(*) FROM billing.prop_invoice) < (SELECT count(*) FROM pg_temp.inv),
              'invoices were deleted');
SELECT tap.is((SELECT count(*) FROM arcollect.reconcile('billing.prop_invoice')), 0::bigint,
              'the ledger ties out');
-- The reader views show today's status, as the status functions say.
SELECT tap.is((SELECT count(*) FROM arcollect.promises v
                 JOIN arcollect.promise_status(current_date) s USING (promise_id)
                WHERE (v.status, v.paid_amount) IS DISTINCT FROM (s.status, s.paid_amount)), 0::bigint,
              'arcollect.promises shows today''s status');
SELECT tap.is((SELECT count(*) FROM arcollect.payment_plans v
                 JOIN arcollect.payment_plan_status(current_date) s USING (plan_id)
                WHERE (v.status, v.paid_amount) IS DISTINCT FROM (s.status, s.paid_amount)), 0::bigint,
              'arcollect.payment_plans shows today''s status');

ROLLBACK;
