-- Runs as role arcollect_suite with an empty search_path (README, Tests).
-- Properties of the cash forecast (arcollect.cash_forecast) on a random
-- ledger in four currencies: invoices over a year and a half, paid in
-- full, in part, by credit notes or write-offs, or not at all; disputes
-- open and closed; payment plans paid, in part or not; promises bigger
-- and smaller than what is owed, kept or not.  As of many dates, for 13
-- weeks and for other horizons, read by the manual's BI role:
--   * every currency with something to collect (a positive open amount,
--     an unpaid installment of an active plan, an open promise) has one
--     row per week, weeks 1 to n, each the 7 days after the last;
--   * no part is negative, and expected_amount is the sum of the parts;
--   * the forecast never exceeds what is open plus what plans and
--     promises add: per currency, the expected amounts add up to at most
--     the positive open amounts, plus for each active plan what its
--     unpaid installments are beyond what is open on its invoices, plus
--     for each customer what its open promises still promise beyond what
--     it has open outside active plans (and half a minor unit per part
--     and week: each part of each week is rounded);
--   * where every chance of collecting is 1 (a book in francs whose
--     invoices were all paid in cash, whose plans and promises are all
--     still running) and the horizon is long, the forecast is exactly
--     that bound: nothing lost, nothing counted twice;
--   * the naive forecast is the positive open amounts due by the last
--     week's end, overdue ones included;
--   * a shorter horizon gives the first weeks of a longer one.
-- The bound is computed from the ledger's and the records' own readers
-- (open_items, installment_status, payment_plan_status, promise_status),
-- never from the forecast's parts.  Fixed seed; everything is rolled
-- back.
BEGIN;
SELECT tap.plan(9);

SET LOCAL client_min_messages = warning;
SELECT pg_catalog.setseed(0.2012);

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
GRANT USAGE ON SCHEMA billing TO collector;

CREATE TABLE billing.cfp_invoice (id integer PRIMARY KEY, customer text NOT NULL, amount numeric(12,2) NOT NULL,
                                  cur char(3) NOT NULL, issued date NOT NULL, due date NOT NULL);
CREATE TABLE billing.cfp_payment (id serial PRIMARY KEY, invoice_id integer NOT NULL, amount numeric(12,2) NOT NULL,
                                  paid_on date NOT NULL, kind text NOT NULL);
SELECT tap.ok(arcollect.attach('billing.cfp_invoice', key => 'id', customer => 'customer', amount => 'amount',
                               currency => 'cur', due_on => 'due', issued_on => 'issued') >= 0
              AND arcollect.attach_payments('billing.cfp_payment', invoice_key => 'invoice_id', amount => 'amount',
                                            paid_on => 'paid_on', kind => 'kind',
                                            invoices => 'billing.cfp_invoice') >= 0,
              'attach the billing and payments tables');

-- 400 invoices of 16 customers over the 500 days before yesterday, due
-- 30 days after issue; yen in whole units.
INSERT INTO billing.cfp_invoice
SELECT n, 'cfp' || (n % 16), round((20 + random() * 980)::numeric, CASE WHEN c.cur = 'JPY' THEN 0 ELSE 2 END),
       c.cur, d, d + 30
  FROM generate_series(1, 400) n
 CROSS JOIN LATERAL (SELECT (ARRAY['EUR', 'EUR', 'USD', 'JPY'])[1 + (n / 16) % 4] AS cur,
                            current_date - 500 + floor(random() * 470)::integer AS d) c;

-- What becomes of each: paid in full (in one or two payments), in part,
-- by a credit note or written off, between 10 days before and 120 days
-- after its due date (never after yesterday), or nothing yet.
INSERT INTO billing.cfp_payment (invoice_id, amount, paid_on, kind)
SELECT b.id, x.amount, least(b.due - 10 + floor(random() * 130)::integer, current_date - 1), x.kind
  FROM billing.cfp_invoice b
 CROSS JOIN LATERAL (SELECT random() AS r) r
 CROSS JOIN LATERAL (VALUES (CASE WHEN r.r < 0.45 THEN b.amount
                                  WHEN r.r < 0.60 THEN b.amount - trunc(b.amount / 2)
                                  WHEN r.r < 0.75 THEN trunc(b.amount / 3)
                                  WHEN r.r < 0.80 THEN b.amount END,
                             CASE WHEN r.r >= 0.75 AND r.r < 0.78 THEN 'credit note'
                                  WHEN r.r >= 0.78 AND r.r < 0.80 THEN 'write-off'
                                  ELSE 'payment' END),
                            (CASE WHEN r.r >= 0.45 AND r.r < 0.60 THEN trunc(b.amount / 2) END, 'payment')) x(amount, kind)
 WHERE x.amount IS NOT NULL;

-- And in francs, a book where every chance of collecting is 1: 60
-- invoices of 6 customers over the last 300 days, each paid in full in
-- cash between 10 days before and 60 days after its due date when that
-- day has come, else open.  (So whatever was open 91 days ago was paid
-- since.)  Its records, below: plans whose installments are all still
-- to come, promises still to be kept.
INSERT INTO billing.cfp_invoice
SELECT 1000 + n, 'cfq' || (n % 6), round((20 + random() * 980)::numeric, 2), 'CHF', d, d + 30
  FROM generate_series(1, 60) n
 CROSS JOIN LATERAL (SELECT current_date - 300 + floor(random() * 300)::integer AS d) c;
INSERT INTO billing.cfp_payment (invoice_id, amount, paid_on, kind)
SELECT b.id, b.amount, p.paid_on, 'payment'
  FROM billing.cfp_invoice b
 CROSS JOIN LATERAL (SELECT b.due - 10 + floor(random() * 71)::integer AS paid_on) p
 WHERE b.cur = 'CHF' AND p.paid_on < current_date;

-- The records, made by a collector: disputes of what is open now on 30
-- invoices, opened after issue, 15 of them closed since; a plan over
-- one open invoice for 8 customers, made after its due date in two or
-- three installments; 24 promises of customers who owe, of 5% to 125% of
-- what they owe now.
SET ROLE collector;
SELECT count(arcollect.open_dispute(o.invoice_key, 'other',
                                    least(o.open_amount, round(o.open_amount * (0.3 + random() * 0.7)::numeric, 0) + 1),
                                    opened_on => least(o.issued_on + floor(random() * 60)::integer, current_date),
                                    billing_table => 'billing.cfp_invoice')) AS disputes
  FROM (SELECT o.* FROM arcollect.open_items() o
         WHERE o.open_amount > 2 AND o.billing_table = 'billing.cfp_invoice'::regclass AND o.currency <> 'CHF'
         ORDER BY random() LIMIT 30) o \gset
DO $do$
BEGIN
    PERFORM arcollect.close_dispute(d.dispute_id, (ARRAY['resolved', 'rejected', 'credited'])[1 + floor(random() * 3)::integer],
                                    closed_on => least(d.opened_on + floor(random() * 60)::integer, current_date))
       FROM (SELECT d.* FROM arcollect.dispute d ORDER BY random() LIMIT 15) d;
END
$do$;
SELECT count(*) AS plans
  FROM (SELECT DISTINCT ON (o.customer_id) o.customer_id, o.invoice_key, o.open_amount,
               least(o.due_on + floor(random() * 60)::integer, current_date - 1) AS made
          FROM arcollect.open_items() o
         WHERE o.open_amount > 10 AND o.due_on < current_date - 1 AND o.billing_table = 'billing.cfp_invoice'::regclass
           AND o.currency <> 'CHF'
         ORDER BY o.customer_id, random()
         LIMIT 8) p
 CROSS JOIN LATERAL (SELECT random() < 0.5 AS three) k
 CROSS JOIN LATERAL arcollect.create_payment_plan(
           p.customer_id,
           CASE WHEN k.three THEN ARRAY[p.made + 10, p.made + 40, p.made + 70] ELSE ARRAY[p.made + 20, p.made + 50] END,
           CASE WHEN k.three THEN ARRAY[trunc(p.open_amount / 3), trunc(p.open_amount / 3),
                                        p.open_amount - 2 * trunc(p.open_amount / 3)]
                ELSE ARRAY[trunc(p.open_amount / 2), p.open_amount - trunc(p.open_amount / 2)] END,
           invoice_keys => ARRAY[p.invoice_key], created_on => p.made) x \gset
INSERT INTO arcollect.promise (customer_id, currency, amount, made_on, promised_on)
SELECT o.customer_id, o.currency, round(o.open_amount * (0.05 + random() * 1.2)::numeric, 0) + 1, m.made,
       m.made + floor(random() * 40)::integer
  FROM (SELECT c.customer_id, c.currency, c.open_amount FROM arcollect.customer_open_amounts() c
         WHERE c.open_amount > 0 AND c.currency <> 'CHF' ORDER BY random() LIMIT 24) o
 CROSS JOIN LATERAL (SELECT current_date - 200 + floor(random() * 199)::integer AS made) m;
SELECT count(*) AS franc_plans
  FROM (SELECT DISTINCT ON (o.customer_id) o.customer_id, o.invoice_key, o.open_amount
          FROM arcollect.open_items() o
         WHERE o.currency = 'CHF' AND o.open_amount > 0 AND o.due_on < current_date
         ORDER BY o.customer_id, o.invoice_key
         LIMIT 2) p
 CROSS JOIN LATERAL arcollect.create_payment_plan(
           p.customer_id, ARRAY[current_date + 5, current_date + 35],
           ARRAY[trunc(p.open_amount / 2), p.open_amount - trunc(p.open_amount / 2)],
           invoice_keys => ARRAY[p.invoice_key], created_on => current_date - 3) x \gset
INSERT INTO arcollect.promise (customer_id, currency, amount, made_on, promised_on)
SELECT c.customer_id, 'CHF', round(c.open_amount * (0.3 + random() * 1.2)::numeric, 2), current_date - 5,
       current_date + 10
  FROM arcollect.customer_open_amounts() c
 WHERE c.currency = 'CHF' AND c.open_amount > 0
 ORDER BY c.customer_id DESC LIMIT 3;
RESET ROLE;

-- After the records: half the plans' invoices billed for less (so that
-- their installments promise more than is open on them), and payments on
-- the invoices of plans and of customers who promised, dated after the
-- plan or promise was made.
UPDATE billing.cfp_invoice b SET amount = trunc(b.amount * 0.7)
  FROM arcollect.plan_invoice c WHERE c.invoice_key = b.id::text AND c.plan_id % 2 = 0 AND b.cur <> 'CHF';
INSERT INTO billing.cfp_payment (invoice_id, amount, paid_on, kind)
SELECT c.invoice_key::integer, greatest(1, trunc(s.amount * (0.2 + random() * 0.8))), least(p.created_on + floor(random() * 60)::integer, current_date - 1),
       'payment'
  FROM arcollect.payment_plan p
  JOIN arcollect.plan_invoice c ON c.plan_id = p.plan_id
  JOIN arcollect.plan_installment s ON s.plan_id = p.plan_id AND s.installment_no = 1
 WHERE random() < 0.7 AND p.currency <> 'CHF';
INSERT INTO billing.cfp_payment (invoice_id, amount, paid_on, kind)
SELECT b.id, greatest(1, trunc(q.amount * (0.3 + random()))), least(q.made_on + floor(random() * 40)::integer, current_date - 1), 'payment'
  FROM arcollect.promise q
 CROSS JOIN LATERAL (SELECT b.id FROM billing.cfp_invoice b WHERE b.customer = q.customer_id AND b.cur = q.currency AND b.issued <= q.made_on
                      ORDER BY random() LIMIT 1) b
 WHERE random() < 0.6 AND q.currency <> 'CHF';

-- The forecasts: 13 weeks as of every 25th day, and 4 and 30 weeks as of
-- some of them.
CREATE TEMPORARY TABLE run (as_of date, weeks integer);
INSERT INTO pg_temp.run
SELECT d::date, 13 FROM generate_series(current_date - 480, current_date, interval '25 days') d
UNION ALL
SELECT d::date, w FROM generate_series(current_date - 455, current_date, interval '100 days') d, (VALUES (4), (30)) v(w)
UNION ALL
SELECT current_date, 520;
CREATE TEMPORARY TABLE fc AS
SELECT r.as_of, r.weeks, f.* FROM pg_temp.run r, arcollect.cash_forecast(r.as_of, r.weeks) f WITH NO DATA;
GRANT SELECT ON pg_temp.run TO bi_reader;
GRANT INSERT ON pg_temp.fc TO bi_reader;
SET ROLE bi_reader;
INSERT INTO pg_temp.fc SELECT r.as_of, r.weeks, f.* FROM pg_temp.run r, arcollect.cash_forecast(r.as_of, r.weeks) f;
RESET ROLE;

-- What there is to collect as of each date, per currency, from the
-- ledger's and the records' own readers: what is open, and what plans
-- and promises add to it.
CREATE FUNCTION pg_temp.collectable(d date)
RETURNS TABLE (currency text, open_amount numeric, plans_add numeric, promises_add numeric)
LANGUAGE sql STABLE AS $fn$
    WITH item AS (
        SELECT o.billing_table, o.invoice_key, o.customer_id, o.currency, o.due_on, o.open_amount
          FROM arcollect.open_items(d) o WHERE o.open_amount > 0
    ), active AS (
        SELECT s.plan_id, p.currency FROM arcollect.payment_plan_status(d) s
          JOIN arcollect.payment_plan p ON p.plan_id = s.plan_id WHERE s.status = 'active'
    ), covered AS (
        SELECT c.plan_id, a.billing_table, c.invoice_key FROM arcollect.plan_invoice c
          JOIN active x ON x.plan_id = c.plan_id JOIN arcollect.attachment a ON a.attachment_id = c.attachment_id
    ), plan_add AS (
        SELECT x.currency, greatest(0, coalesce(u.unpaid, 0)
                                       - coalesce((SELECT sum(i.open_amount) FROM covered c JOIN item i
                                                      ON i.billing_table = c.billing_table AND i.invoice_key = c.invoice_key
                                                    WHERE c.plan_id = x.plan_id), 0)) AS adds,
               coalesce(u.unpaid, 0) > 0 AS committed
          FROM active x
          LEFT JOIN (SELECT s.plan_id, sum(s.amount - s.paid_amount) AS unpaid
                       FROM arcollect.installment_status(d) s GROUP BY s.plan_id) u ON u.plan_id = x.plan_id
    ), promise_add AS (
        SELECT s.customer_id, s.currency,
               greatest(0, sum(s.amount - s.paid_amount)
                           - coalesce((SELECT sum(i.open_amount) FROM item i
                                        WHERE i.customer_id = s.customer_id AND i.currency = s.currency
                                          AND NOT EXISTS (SELECT FROM covered c WHERE c.billing_table = i.billing_table
                                                                                   AND c.invoice_key = i.invoice_key)), 0)) AS adds
          FROM arcollect.promise_status(d) s
         WHERE s.status = 'open' AND s.made_on <= d AND s.amount > s.paid_amount
         GROUP BY s.customer_id, s.currency
    ), k AS (
        SELECT i.currency FROM item i UNION SELECT p.currency FROM plan_add p WHERE p.committed
        UNION SELECT p.currency FROM promise_add p
    )
    SELECT k.currency,
           coalesce((SELECT sum(i.open_amount) FROM item i WHERE i.currency = k.currency), 0),
           coalesce((SELECT sum(p.adds) FROM plan_add p WHERE p.currency = k.currency), 0),
           coalesce((SELECT sum(p.adds) FROM promise_add p WHERE p.currency = k.currency), 0)
      FROM k
$fn$;

CREATE TEMPORARY TABLE expect AS
SELECT r.as_of, r.weeks, c.currency, c.open_amount, c.plans_add, c.promises_add,
       (SELECT coalesce(sum(o.open_amount), 0) FROM arcollect.open_items(r.as_of) o
         WHERE o.currency = c.currency AND o.open_amount > 0 AND o.due_on <= r.as_of + 7 * r.weeks) AS naive,
       4 * r.weeks * 0.5 * power(10::numeric, -coalesce(arcollect.currency_minor_unit(c.currency), 2)) AS rounding
  FROM pg_temp.run r, pg_temp.collectable(r.as_of) c;

SELECT tap.is((SELECT string_agg(format('%s %s weeks %s', coalesce(e.as_of, f.as_of), coalesce(e.weeks, f.weeks),
                                        coalesce(e.currency, f.currency)), '; ')
                 FROM pg_temp.expect e
                 FULL JOIN (SELECT DISTINCT f.as_of, f.weeks, f.currency FROM pg_temp.fc f) f
                   ON f.as_of = e.as_of AND f.weeks = e.weeks AND f.currency = e.currency
                WHERE e.currency IS NULL OR f.currency IS NULL),
              NULL, 'a forecast for every currency with something to collect, and for no other');

SELECT tap.is((SELECT string_agg(format('%s %s weeks %s', g.as_of, g.weeks, g.currency), '; ')
                 FROM (SELECT f.as_of, f.weeks, f.currency FROM pg_temp.fc f
                        GROUP BY f.as_of, f.weeks, f.currency
                       HAVING count(*) <> min(f.weeks)
                           OR array_agg(f.week_no ORDER BY f.week_no) <> ARRAY(SELECT generate_series(1, min(f.weeks)))
                           OR bool_or(f.week_start <> f.as_of + 7 * f.week_no - 6 OR f.week_end <> f.week_start + 6)) g),
              NULL, 'one row per week, weeks 1 to n, each the 7 days after the last');

SELECT tap.is((SELECT count(*) FROM pg_temp.fc f
                WHERE least(f.from_invoices, f.from_disputes, f.from_plans, f.from_promises, f.naive_amount) < 0
                   OR f.expected_amount <> f.from_invoices + f.from_disputes + f.from_plans + f.from_promises),
              0::bigint, 'no part is negative, and expected_amount is the sum of the parts');

SELECT tap.is((SELECT string_agg(format('%s %s weeks %s: expected %s, open %s + plans %s + promises %s',
                                        e.as_of, e.weeks, e.currency, f.expected, e.open_amount, e.plans_add,
                                        e.promises_add), '; ')
                 FROM pg_temp.expect e
                 JOIN (SELECT f.as_of, f.weeks, f.currency, sum(f.expected_amount) AS expected
                         FROM pg_temp.fc f GROUP BY 1, 2, 3) f
                   ON f.as_of = e.as_of AND f.weeks = e.weeks AND f.currency = e.currency
                WHERE f.expected > e.open_amount + e.plans_add + e.promises_add + e.rounding),
              NULL, 'the forecast never exceeds what is open plus what plans and promises add');

SELECT tap.is((SELECT string_agg(format('%s %s weeks %s: naive %s, open and due %s', e.as_of, e.weeks, e.currency,
                                        f.naive, e.naive), '; ')
                 FROM pg_temp.expect e
                 JOIN (SELECT f.as_of, f.weeks, f.currency, sum(f.naive_amount) AS naive
                         FROM pg_temp.fc f GROUP BY 1, 2, 3) f
                   ON f.as_of = e.as_of AND f.weeks = e.weeks AND f.currency = e.currency
                WHERE f.naive <> e.naive),
              NULL, 'the naive forecast is what is open and due by the last week''s end');

SELECT tap.is((SELECT count(*) FROM pg_temp.fc s
                 JOIN pg_temp.fc l ON l.as_of = s.as_of AND l.currency = s.currency AND l.week_no = s.week_no
                                  AND l.weeks > s.weeks
                WHERE (s.expected_amount, s.from_invoices, s.from_disputes, s.from_plans, s.from_promises, s.naive_amount)
                      IS DISTINCT FROM
                      (l.expected_amount, l.from_invoices, l.from_disputes, l.from_plans, l.from_promises, l.naive_amount)),
              0::bigint, 'a shorter horizon gives the first weeks of a longer one');

-- Where every chance is 1 and the horizon holds every day the model
-- expects anything on, the forecast is exactly what is open plus what
-- plans and promises add: nothing is lost, nothing counted twice.
SELECT tap.is((SELECT string_agg(format('expected %s, open %s + plans %s + promises %s',
                                        f.expected, e.open_amount, e.plans_add, e.promises_add), '; ')
                 FROM pg_temp.expect e
                 JOIN (SELECT f.as_of, f.weeks, f.currency, sum(f.expected_amount) AS expected
                         FROM pg_temp.fc f GROUP BY 1, 2, 3) f
                   ON f.as_of = e.as_of AND f.weeks = e.weeks AND f.currency = e.currency
                WHERE e.currency = 'CHF' AND e.as_of = current_date AND e.weeks = 520
                  AND abs(f.expected - (e.open_amount + e.plans_add + e.promises_add)) > e.rounding),
              NULL, 'with every chance 1, the forecast is what is open plus what plans and promises add');

-- The run went through what it is meant to test.
SELECT tap.ok((SELECT count(*) FILTER (WHERE from_disputes > 0) > 0 AND count(*) FILTER (WHERE from_plans > 0) > 0
                      AND count(*) FILTER (WHERE from_promises > 0) > 0
                      AND count(*) FILTER (WHERE expected_amount < naive_amount) > 0
                      AND count(DISTINCT currency) = 4
                 FROM pg_temp.fc)
              AND (SELECT count(*) FROM pg_temp.expect WHERE plans_add > 0 OR promises_add > 0) > 0
              AND (SELECT count(*) FROM pg_temp.fc WHERE currency = 'CHF' AND as_of = current_date AND weeks = 520
                      AND (from_plans > 0 OR from_promises > 0)) > 0,
              'the forecasts had disputes, plans and promises, in four currencies, and commitments beyond what was open');

ROLLBACK;
