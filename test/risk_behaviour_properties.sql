-- Runs as role arcollect_suite with an empty search_path (README, Tests).
-- Properties of the risk model once the collections records count
-- (README, The risk score): arcollect.risk_with_behaviour is bounded by
-- its base and 100, equals the base when nothing is counted, never falls
-- when one more promise or plan breaks or a dispute opens, and is the
-- documented formula to the digit, on thousands of random inputs; and
-- arcollect.customer_risk over a random ledger is risk_score over the
-- same invoices, with their open amounts and payment dates computed here
-- by plain SQL from the billing and payments tables.
--
-- The rule (src/risk_behaviour.c, README):
--   100 - (100 - base) x 0.75^promises x 0.60^plans x 0.95^min(disputes, 3)
--   rounded to 2 decimals.
BEGIN;
SELECT tap.plan(12);

SET LOCAL client_min_messages = warning;

-- ---------------------------------------------------------------------------
-- The rule on random inputs
-- ---------------------------------------------------------------------------
SELECT setseed(0.5772);

-- 6000 inputs: bases from 0 to 100 (a fifth at the ends), counts 0-9,
-- and a few very large counts.
CREATE TABLE billing.rb_input AS
SELECT n,
       CASE WHEN random() < 0.1 THEN 0.00 WHEN random() < 0.1 THEN 100.00
            ELSE round((random() * 100)::numeric, 2) END AS base,
       CASE WHEN n % 500 = 0 THEN 1000000 ELSE floor(random() * random() * 10)::bigint END AS p,
       floor(random() * random() * 6)::bigint AS l,
       floor(random() * 10)::bigint AS d
FROM generate_series(1, 6000) n;

-- The formula by plain multiplication, exactly (numeric ^ is rounded to
-- some significant digits, multiplication is not); a million broken
-- promises are worked out as 200, which leave far less than 0.005.
CREATE FUNCTION pg_temp.rb_formula(base numeric, p bigint, l bigint, d bigint) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    gap numeric := 100 - base;
BEGIN
    FOR i IN 1 .. least(p, 200) LOOP gap := gap * 0.75; END LOOP;
    FOR i IN 1 .. least(l, 200) LOOP gap := gap * 0.60; END LOOP;
    FOR i IN 1 .. least(d, 3) LOOP gap := gap * 0.95; END LOOP;
    RETURN round(100 - gap, 2);
END
$$;

CREATE TABLE billing.rb_score AS
SELECT n, base, p, l, d,
       arcollect.risk_with_behaviour(base, p, l, d) AS score,
       arcollect.risk_with_behaviour(base, p + 1, l, d) AS one_more_promise,
       arcollect.risk_with_behaviour(base, p, l + 1, d) AS one_more_plan,
       arcollect.risk_with_behaviour(base, p, l, d + 1) AS one_more_dispute
FROM billing.rb_input;

SELECT tap.ok((SELECT bool_and(score BETWEEN base AND 100 AND score BETWEEN 0 AND 100
                               AND score = round(score, 2))
                 FROM billing.rb_score),
              'random inputs (6000): the score is between its base and 100, with 2 decimals');
SELECT tap.ok((SELECT bool_and(score = base) AND count(*) > 50
                 FROM billing.rb_score WHERE p = 0 AND l = 0 AND d = 0),
              'with nothing counted the score is the base');
SELECT tap.is((SELECT count(*) FROM billing.rb_score WHERE one_more_promise < score), 0::bigint,
              'one more broken promise never lowers the score (6000 random cases)');
SELECT tap.is((SELECT count(*) FROM billing.rb_score WHERE one_more_plan < score), 0::bigint,
              'one more broken plan never lowers the score (6000 random cases)');
SELECT tap.is((SELECT count(*) FROM billing.rb_score WHERE one_more_dispute < score), 0::bigint,
              'one more open dispute never lowers the score (6000 random cases)');
SELECT tap.ok((SELECT count(*) FILTER (WHERE one_more_promise > score) > 3000
                      AND count(*) FILTER (WHERE one_more_plan > score) > 3000
                      AND count(*) FILTER (WHERE one_more_dispute > score AND d < 3) > 1000
                      AND bool_and(one_more_dispute = score) FILTER (WHERE d >= 3)
                 FROM billing.rb_score),
              'a broken promise or plan raises most scores, a dispute raises them up to the third');
SELECT tap.is((SELECT count(*) FROM billing.rb_score
                WHERE score IS DISTINCT FROM pg_temp.rb_formula(base, p, l, d)), 0::bigint,
              'the score is the README''s formula to the digit (6000 random cases)');
SELECT tap.ok((SELECT bool_and(score = 100.00) FROM billing.rb_score WHERE p >= 1000000),
              'a million broken promises score 100.00');
SELECT tap.is((SELECT count(*) FROM billing.rb_score s
                WHERE s.score IS DISTINCT FROM (SELECT arcollect.risk_with_behaviour(s.base, s.p, s.l, s.d))),
              0::bigint, 'the same inputs give the same score (deterministic)');

-- ---------------------------------------------------------------------------
-- customer_risk over a random ledger
-- ---------------------------------------------------------------------------
CREATE TABLE billing.rb_invoice (
    id        integer PRIMARY KEY,
    customer  text NOT NULL,
    amount    numeric(12,2) NOT NULL,
    issued    date NOT NULL,
    due       date NOT NULL,
    currency  text NOT NULL
);
CREATE TABLE billing.rb_payment (
    id        serial PRIMARY KEY,
    invoice   integer NOT NULL,
    amount    numeric(12,2) NOT NULL,
    paid_on   date NOT NULL
);
SELECT arcollect.attach('billing.rb_invoice', key => 'id', customer => 'customer', amount => 'amount',
                        due_on => 'due', issued_on => 'issued', currency => 'currency');
SELECT arcollect.attach_payments('billing.rb_payment', invoice_key => 'invoice', amount => 'amount',
                                 paid_on => 'paid_on', invoices => 'billing.rb_invoice');

-- 600 invoices of 40 customers in two currencies; payments in one or
-- two pieces, some partial, some over, on or after the issue date; some
-- reversed (a negative payment) and some of those paid again.
SELECT setseed(0.6931);
INSERT INTO billing.rb_invoice
SELECT g, 'rbp' || (g % 40), round((50 + random() * 2000)::numeric, 2), d,
       d + (ARRAY[0, 14, 30, 60])[1 + g % 4], (ARRAY['EUR', 'USD'])[1 + (g / 40) % 2]
  FROM generate_series(1, 600) g
 CROSS JOIN LATERAL (SELECT date '2024-06-01' + floor(random() * 365)::int + g * 0 AS d) x;
INSERT INTO billing.rb_payment (invoice, amount, paid_on)
SELECT i.id, round(i.amount * (ARRAY[0.5, 0.5, 1.0, 1.0, 1.0, 0.3])[1 + floor(random() * 6)::int], 2),
       i.issued + floor(random() * (i.id % 5) * 40)::int
  FROM billing.rb_invoice i, generate_series(1, 2) n
 WHERE random() < 0.75;
INSERT INTO billing.rb_payment (invoice, amount, paid_on)
SELECT p.invoice, -p.amount, p.paid_on + 1 + p.id % 20
  FROM billing.rb_payment p WHERE p.id % 11 = 0;
INSERT INTO billing.rb_payment (invoice, amount, paid_on)
SELECT p.invoice, -p.amount, p.paid_on + 1 + p.id % 30
  FROM billing.rb_payment p WHERE p.amount < 0 AND p.id % 2 = 0;

-- Plain SQL: the open amount at the end of each day an invoice changed,
-- and the paid date as the first of the last days that ended at or
-- below zero.
CREATE TABLE billing.rb_asof AS
SELECT d AS as_of FROM (VALUES (date '2024-09-30'), (date '2025-01-31'), (date '2025-06-30'),
                               (date '2026-01-01')) v(d);
CREATE TABLE billing.rb_day AS
SELECT a.as_of, i.id, t.day,
       i.amount - coalesce((SELECT sum(p.amount) FROM billing.rb_payment p
                             WHERE p.invoice = i.id AND p.paid_on <= t.day), 0) AS balance
  FROM billing.rb_asof a
  JOIN billing.rb_invoice i ON i.issued <= a.as_of
 CROSS JOIN LATERAL (SELECT i.issued AS day
                     UNION SELECT p.paid_on FROM billing.rb_payment p
                            WHERE p.invoice = i.id AND p.paid_on <= a.as_of) t;
CREATE TABLE billing.rb_plain AS
SELECT a.as_of, i.id, i.customer, i.currency, i.due, i.amount,
       (SELECT b.balance FROM billing.rb_day b WHERE b.as_of = a.as_of AND b.id = i.id
         ORDER BY b.day DESC LIMIT 1) AS open_amount,
       (SELECT min(b.day) FROM billing.rb_day b
         WHERE b.as_of = a.as_of AND b.id = i.id
           AND NOT EXISTS (SELECT FROM billing.rb_day l
                            WHERE l.as_of = b.as_of AND l.id = b.id AND l.day >= b.day AND l.balance > 0))
         AS paid_on
  FROM billing.rb_asof a
  JOIN billing.rb_invoice i ON i.issued <= a.as_of;

SELECT tap.ok((SELECT count(*) FILTER (WHERE paid_on IS NOT NULL) > 300
                      AND count(*) FILTER (WHERE paid_on IS NULL) > 300
                      AND count(*) FILTER (WHERE open_amount < 0) > 10
                 FROM billing.rb_plain),
              'random ledger: paid, open and overpaid invoices at the four dates (the checks below are not vacuous)');

CREATE TABLE billing.rb_expected AS
SELECT p.as_of, p.customer, p.currency,
       arcollect.risk_score(p.due, p.paid_on, p.amount, p.open_amount, p.as_of) AS score
  FROM billing.rb_plain p
 GROUP BY p.as_of, p.customer, p.currency;
CREATE TABLE billing.rb_got AS
SELECT a.as_of, c.customer, r.*
  FROM billing.rb_asof a
 CROSS JOIN (SELECT DISTINCT customer FROM billing.rb_invoice) c
 CROSS JOIN LATERAL arcollect.customer_risk(c.customer, a.as_of) r;

SELECT tap.is((SELECT count(*)
                 FROM billing.rb_expected e
                 FULL JOIN billing.rb_got g USING (as_of, customer, currency)
                WHERE e.score IS DISTINCT FROM g.base_score),
              0::bigint,
              'customer_risk''s base is risk_score over the invoices, open amounts and paid dates plain SQL computes (160 customer-dates, both currencies)');
SELECT tap.ok((SELECT bool_and(risk_score = base_score
                               AND broken_promises = 0 AND broken_plans = 0 AND open_disputes = 0)
                      AND count(DISTINCT base_score) > 50
                 FROM billing.rb_got),
              'with no records counted customer_risk is risk_score, and the scores spread');

SELECT * FROM tap.finish();
ROLLBACK;
