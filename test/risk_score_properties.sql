-- Runs as role arcollect_suite with an empty search_path (README, Tests).
-- Properties of arcollect.risk_score that the README promises: bounded,
-- deterministic, independent of row order (and of serial or parallel
-- plans), never lower when an invoice is paid later or an overdue open
-- amount grows, all else equal; plus hand-computed scores.
--
-- The formula (src/risk_score.c, README), used for the hand computations:
--   35 x min(sum(amount x days late) / (sum(amount) x 60), 1)
--     over invoices (amount > 0) paid by as_of or past due; days late are
--     (paid_on, or as_of when not paid by then) - due_on, at least 0
-- + 20 x (invoices with days late > 0) / (invoices counted above)
-- + 20 x overdue positive open amount / positive open amount
-- + 25 x min(days the oldest positive open item is overdue / 120, 1)
-- rounded to 2 decimals; a factor with nothing to measure adds 0.
BEGIN;
SELECT tap.plan(21);

SET LOCAL client_min_messages = warning;
SET LOCAL max_parallel_workers_per_gather = 0;

\ir include/tap_helpers.sql

-- ---------------------------------------------------------------------------
-- Hand-computed scores, as of 2025-03-31
-- ---------------------------------------------------------------------------
CREATE TABLE billing.tap_tiny (
    customer text, due_on date, paid_on date, amount numeric, open_amount numeric
);
INSERT INTO billing.tap_tiny VALUES
 -- A: 1000 paid 20 days late; 3000 open 31 days overdue; 2000 open, not yet
 --    due; a credit note of -500.
 --    late days 35 x (1000x20 + 3000x31) / (4000 x 60) = 16.4791...
 --    late share 20 x 2/2 = 20; overdue 20 x 3000/5000 = 12;
 --    oldest 25 x 31/120 = 6.4583...; total 54.9375 -> 54.94
 ('A', '2025-01-31', '2025-02-20', 1000.00, 0.00),
 ('A', '2025-02-28', NULL,         3000.00, 3000.00),
 ('A', '2025-04-30', NULL,         2000.00, 2000.00),
 ('A', '2025-03-15', NULL,         -500.00, -500.00),
 -- B: pays early, owes only what is not yet due (due today is not overdue): 0
 ('B', '2025-03-01', '2025-02-25',  800.00, 0.00),
 ('B', '2025-04-15', '2025-03-30', 1200.00, 0.00),
 ('B', '2025-04-20', NULL,          500.00, 500.00),
 ('B', '2025-03-31', NULL,          300.00, 300.00),
 -- C: 100 open 181 days overdue, 900 paid early.
 --    late days 35 x 100x181 / (1000 x 60) = 10.5583...; late share
 --    20 x 1/2 = 10; overdue 20 x 100/100 = 20; oldest capped at 25;
 --    total 65.5583... -> 65.56
 ('C', '2024-10-01', NULL,          100.00, 100.00),
 ('C', '2025-01-10', '2025-01-05',  900.00, 0.00),
 -- D: paid after as_of, so still open and counted late up to as_of:
 --    35 x 10/60 + 20 + 20 + 25 x 10/120 = 47.9166... -> 47.92
 ('D', '2025-03-21', '2025-04-10',  600.00, 600.00),
 -- E: every factor at its cap: 100
 ('E', '2024-01-01', NULL,          100.00, 100.00),
 ('E', '2024-06-01', '2024-12-01',  100.00, 0.00);

SELECT tap.is((SELECT arcollect.risk_score(due_on, paid_on, amount, open_amount, date '2025-03-31')::text
                 FROM billing.tap_tiny WHERE customer = 'A'),
              '54.94', 'hand-computed: late payer with an open overdue invoice and a credit note scores 54.94');
SELECT tap.is((SELECT arcollect.risk_score(due_on, paid_on, amount, open_amount, date '2025-03-31')::text
                 FROM billing.tap_tiny WHERE customer = 'B'),
              '0.00', 'hand-computed: early payer owing nothing overdue scores 0.00');
SELECT tap.is((SELECT arcollect.risk_score(due_on, paid_on, amount, open_amount, date '2025-03-31')::text
                 FROM billing.tap_tiny WHERE customer = 'C'),
              '65.56', 'hand-computed: one small invoice 181 days overdue scores 65.56');
SELECT tap.is((SELECT arcollect.risk_score(due_on, paid_on, amount, open_amount, date '2025-03-31')::text
                 FROM billing.tap_tiny WHERE customer = 'D'),
              '47.92', 'hand-computed: invoice paid after as_of counts as open and late until as_of: 47.92');
SELECT tap.is((SELECT arcollect.risk_score(due_on, paid_on, amount, open_amount, date '2025-03-31')::text
                 FROM billing.tap_tiny WHERE customer = 'E'),
              '100.00', 'hand-computed: every factor at its cap scores 100.00');
SELECT tap.is((SELECT arcollect.risk_score(due_on, paid_on, amount, open_amount, date '2025-03-31')::text
                 FROM billing.tap_tiny WHERE customer = 'A' AND amount < 0),
              '0.00', 'a customer with only a credit note scores 0.00');

-- ---------------------------------------------------------------------------
-- Random customers: 400 customers, about 50 invoices each
-- ---------------------------------------------------------------------------
SELECT setseed(0.31415);

CREATE TABLE billing.tap_rs (
    id          serial PRIMARY KEY,
    customer_id integer NOT NULL,
    due_on      date,
    paid_on     date,
    amount      numeric,
    open_amount numeric
);
INSERT INTO billing.tap_rs (customer_id, due_on, paid_on, amount, open_amount)
SELECT customer_id, due_on,
       CASE WHEN unpaid THEN NULL ELSE due_on + delay END,
       amount,
       CASE WHEN unpaid THEN amount
            WHEN r_paid < 0.35 THEN round(amount / 3, 2)
            WHEN r_paid < 0.37 THEN -round(abs(amount) / 10, 2)
            ELSE 0.00 END
FROM (
    SELECT customer_id, r_paid, due_on,
           -- unpaid invoices are recent, how recent depends on the customer
           r_paid < 0.3 AND due_on >= date '2025-06-30' - (customer_id % 7) * 15 AS unpaid,
           -- each customer has its own habit: from early to very late
           floor(random() * (customer_id % 9) * 25)::int - 20 AS delay,
           CASE WHEN r_kind < 0.07 THEN -round((random() * 3000)::numeric, 2)
                WHEN r_kind < 0.09 THEN 0.00
                WHEN r_kind < 0.092 THEN round((random() * 100)::numeric, 10)
                WHEN r_kind < 0.094 THEN 1e21 + round((random() * 1e6)::numeric, 2)
                ELSE round((random() * 20000)::numeric, 2) END AS amount
    FROM (SELECT 1 + floor(random() * 400)::int AS customer_id,
                 date '2024-01-01' + floor(random() * 600)::int AS due_on,
                 random() AS r_paid, random() AS r_kind
            FROM generate_series(1, 20000)) draw
) shaped;
-- a few rows with NULL inputs, which must be skipped (paid_on NULL is
-- an unpaid invoice, not a skipped row)
UPDATE billing.tap_rs SET amount = NULL WHERE id % 997 = 1;
UPDATE billing.tap_rs SET open_amount = NULL WHERE id % 997 = 2;
UPDATE billing.tap_rs SET due_on = NULL WHERE id % 997 = 3;
ANALYZE billing.tap_rs;

CREATE TABLE billing.tap_rs_base AS
SELECT customer_id,
       arcollect.risk_score(due_on, paid_on, amount, open_amount, date '2025-06-30') AS score
FROM billing.tap_rs GROUP BY customer_id;

SELECT tap.ok((SELECT count(*) = 400 AND count(score) = 400
                      AND bool_and(score BETWEEN 0 AND 100)
                      AND bool_and(score = round(score, 2))
                 FROM billing.tap_rs_base),
              'random customers: every score is between 0 and 100 with at most 2 decimals');
SELECT tap.ok((SELECT count(*) FILTER (WHERE score < 45) >= 20 AND count(*) FILTER (WHERE score > 75) >= 20
                 FROM billing.tap_rs_base),
              'random customers: scores spread over the range (the checks below are not vacuous)');

SELECT tap.ok((SELECT bool_and(score BETWEEN 0 AND 100) AND count(score) = 1600
                 FROM (SELECT arcollect.risk_score(due_on, paid_on, amount, open_amount, as_of) AS score
                         FROM billing.tap_rs,
                              (VALUES (date '2023-06-30'), (date '2024-06-30'),
                                      (date '2025-06-30'), (date '2026-06-30')) a(as_of)
                        GROUP BY customer_id, as_of) s),
              'random customers at four as-of dates, before, during and after the history: bounded');

-- ---------------------------------------------------------------------------
-- Row order, serial and parallel plans
-- ---------------------------------------------------------------------------
CREATE FUNCTION pg_temp.tap_order_diff(order_by text) RETURNS bigint
LANGUAGE plpgsql AS $$
BEGIN
    RETURN pg_temp.tap_scalar(format(
        'SELECT count(*) FROM (SELECT customer_id, arcollect.risk_score(due_on, paid_on, amount, '
        'open_amount, date %L ORDER BY %s) AS score FROM billing.tap_rs GROUP BY customer_id) o '
        'FULL JOIN billing.tap_rs_base b USING (customer_id) WHERE o.score IS DISTINCT FROM b.score',
        '2025-06-30', order_by));
END
$$;

SELECT tap.is(pg_temp.tap_order_diff('id'), 0::bigint, 'risk_score is the same with rows in insertion order');
SELECT tap.is(pg_temp.tap_order_diff('id DESC'), 0::bigint, 'risk_score is the same with rows in reverse order');
SELECT tap.is(pg_temp.tap_order_diff('md5(id::text)'), 0::bigint, 'risk_score is the same with rows shuffled');
SELECT tap.is(pg_temp.tap_order_diff('amount DESC NULLS FIRST, due_on'), 0::bigint,
              'risk_score is the same with the largest amounts first');

SET LOCAL max_parallel_workers_per_gather = 2;
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL parallel_leader_participation = off;

CREATE TABLE billing.tap_parallel_query AS SELECT
    'SELECT count(*) FROM (SELECT customer_id, arcollect.risk_score(due_on, paid_on, amount, '
    'open_amount, date ''2025-06-30'') AS score FROM billing.tap_rs GROUP BY customer_id) p '
    'FULL JOIN billing.tap_rs_base b USING (customer_id) WHERE p.score IS DISTINCT FROM b.score'::text AS q;

SELECT tap.matches(pg_temp.tap_plan(q), 'Partial (Hash|Group)?Aggregate',
                   'risk_score per customer gets a parallel plan with partial aggregates')
FROM billing.tap_parallel_query;
SELECT tap.is(pg_temp.tap_scalar(q), 0::bigint, 'risk_score under a parallel plan equals the serial result for every customer')
FROM billing.tap_parallel_query;

SET LOCAL max_parallel_workers_per_gather = 0;
SET LOCAL parallel_leader_participation = on;

-- ---------------------------------------------------------------------------
-- Monotonicity: three random mutations of one invoice per customer
-- ---------------------------------------------------------------------------
SELECT setseed(0.2718);

-- paid later: a paid invoice gets a later paid_on, or none at all
CREATE TABLE billing.tap_paid_later AS
SELECT DISTINCT ON (k, customer_id) k, customer_id, id AS row_id,
       CASE WHEN random() < 0.15 THEN NULL
            ELSE paid_on + 1 + floor(random() * 120)::int END AS new_paid_on
FROM billing.tap_rs, generate_series(1, 3) k
WHERE paid_on IS NOT NULL
ORDER BY k, customer_id, md5(id::text || k::text);

CREATE TABLE billing.tap_paid_later_score AS
SELECT m.k, r.customer_id,
       arcollect.risk_score(r.due_on,
                            CASE WHEN r.id = m.row_id THEN m.new_paid_on ELSE r.paid_on END,
                            r.amount, r.open_amount, date '2025-06-30') AS score
FROM billing.tap_rs r JOIN billing.tap_paid_later m USING (customer_id)
GROUP BY m.k, r.customer_id;

SELECT tap.is((SELECT count(*) FROM billing.tap_paid_later_score s JOIN billing.tap_rs_base b USING (customer_id)
                WHERE s.score < b.score OR s.score IS NULL),
              0::bigint, 'paying one invoice later never lowers the score (1200 random cases)');
SELECT tap.ok((SELECT count(*) FROM billing.tap_paid_later_score s JOIN billing.tap_rs_base b USING (customer_id)
                WHERE s.score > b.score) >= 200,
              'paying one invoice later raises the score in many of the random cases');

-- overdue open amount grows: an invoice past due at as_of owes more
CREATE TABLE billing.tap_owes_more AS
SELECT DISTINCT ON (k, customer_id) k, customer_id, id AS row_id,
       open_amount + round((random() * 5000)::numeric, 2) + 0.01 AS new_open_amount
FROM billing.tap_rs, generate_series(1, 3) k
WHERE due_on < date '2025-06-30' AND open_amount IS NOT NULL AND amount IS NOT NULL
ORDER BY k, customer_id, md5(k::text || id::text);

CREATE TABLE billing.tap_owes_more_score AS
SELECT m.k, r.customer_id,
       arcollect.risk_score(r.due_on, r.paid_on, r.amount,
                            CASE WHEN r.id = m.row_id THEN m.new_open_amount ELSE r.open_amount END,
                            date '2025-06-30') AS score
FROM billing.tap_rs r JOIN billing.tap_owes_more m USING (customer_id)
GROUP BY m.k, r.customer_id;

SELECT tap.is((SELECT count(*) FROM billing.tap_owes_more_score s JOIN billing.tap_rs_base b USING (customer_id)
                WHERE s.score < b.score OR s.score IS NULL),
              0::bigint, 'a larger overdue open amount never lowers the score (1200 random cases)');
SELECT tap.ok((SELECT count(*) FROM billing.tap_owes_more_score s JOIN billing.tap_rs_base b USING (customer_id)
                WHERE s.score > b.score) >= 200,
              'a larger overdue open amount raises the score in many of the random cases');

-- The same two properties on the tiny customers, step by step.
SELECT tap.ok((SELECT bool_and(later >= earlier) AND bool_or(later > earlier)
                 FROM (SELECT arcollect.risk_score(due_on, date '2025-01-31' + d, 1000.00, 0.00, date '2025-03-31') AS earlier,
                              arcollect.risk_score(due_on, date '2025-01-31' + d + 1, 1000.00, 0.00, date '2025-03-31') AS later
                         FROM (VALUES (date '2025-01-31'), (date '2025-03-31'), (date '2025-04-30')) v(due_on),
                              generate_series(-40, 120) d
                        GROUP BY due_on, d) s),
              'one invoice paid a day later, for every payment day from 40 days early to 120 late: never lower');
SELECT tap.ok((SELECT bool_and(more >= less) AND bool_or(more > less)
                 FROM (SELECT arcollect.risk_score(t.due_on, t.paid_on, t.amount,
                                                   CASE WHEN t.amount = 3000.00 THEN t.open_amount + x ELSE t.open_amount END,
                                                   date '2025-03-31') AS less,
                              arcollect.risk_score(t.due_on, t.paid_on, t.amount,
                                                   CASE WHEN t.amount = 3000.00 THEN t.open_amount + x + 250 ELSE t.open_amount END,
                                                   date '2025-03-31') AS more
                         FROM billing.tap_tiny t, generate_series(-6000, 6000, 250) x
                        WHERE t.customer = 'A'
                        GROUP BY x) s),
              'customer A owing 250 more on its overdue invoice, from -3000 to 9000 open: never lower');

SELECT * FROM tap.finish();
ROLLBACK;
