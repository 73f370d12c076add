-- Runs as role arcollect_suite with an empty search_path (README, Tests).
-- Every arcollect aggregate against an independent plain-SQL reference, on
-- randomised invoices, under a serial and under a parallel plan.
--
-- The references follow the definitions of the README (sections Definitions,
-- Aggregates and The risk score), not the C code:
--   aging             sum(open_amount) per bucket of as_of - due_on
--   avg_payment_delay sum(amount * (paid_on - due_on)) / sum(amount)
--   avg_days_late     avg(greatest(paid_on - due_on, 0))
--   dso               sum(open issued by as_of) * period / sum(sales in the
--                     period_days days ending at as_of, both ends included)
--   best_possible_dso the same with only open amounts due on or after as_of
--   dso_countback     a PL/pgSQL walk back over calendar months
--   risk_score        the documented formula (35/20/20/25 points)
-- Rows whose required inputs are NULL are skipped by every reference, as
-- the README says.  Where the reference is the same arithmetic as the
-- aggregate, results must be identical, display scale included (compared
-- as text).
--
-- Tables are ordinary tables (temporary ones cannot be scanned by parallel
-- workers); everything is rolled back at the end.
BEGIN;
SELECT tap.plan(119);

SET LOCAL client_min_messages = warning;
SET LOCAL max_parallel_workers_per_gather = 0;

\ir include/tap_helpers.sql

-- ---------------------------------------------------------------------------
-- Random invoices: 30,000 rows, 300 customers, issued over 1,000 days.
-- ---------------------------------------------------------------------------
SELECT setseed(0.20261123);

CREATE TABLE billing.tap_invoice (
    id          serial PRIMARY KEY,
    customer_id integer NOT NULL,
    issued_on   date,
    due_on      date,
    paid_on     date,
    amount      numeric,
    open_amount numeric
);

-- First the worked countback example of the README, to check the PL/pgSQL
-- reference below as much as the aggregate: as of 2025-06-30, AR 150,000;
-- June sales 60,000, May 50,000, April 80,000: 30 + 31 + 40/80 x 30 = 76.
INSERT INTO billing.tap_invoice (customer_id, issued_on, due_on, paid_on, amount, open_amount) VALUES
 (9001, '2025-06-10', '2025-07-10', NULL, 60000.00, 60000.00),
 (9001, '2025-05-10', '2025-06-09', NULL, 50000.00, 50000.00),
 (9001, '2025-04-10', '2025-05-10', NULL, 80000.00, 40000.00),
 (9001, '2025-03-10', '2025-04-09', '2025-04-09', 70000.00, 0.00);

-- (tap_ref_countback is defined here so that it can be checked on the
-- example; it is the reference used for the random data below.)
-- Countback, following the README's definition literally: from the receivables at as_of,
-- walk back calendar months, newest first (as_of's month from its first day
-- through as_of); while what is left is at least the month's sales,
-- subtract them and add the month's days; else add left / sales * days.
-- Receivables of zero or less give 0; running out of history gives NULL.
CREATE FUNCTION pg_temp.tap_ref_countback(customer integer, as_of date) RETURNS numeric
LANGUAGE plpgsql AS $$
DECLARE
    receivables numeric;
    usable_rows bigint;
    oldest date;
    month_start date;
    month_end date;
    month_days integer;
    sales numeric;
    days integer := 0;
BEGIN
    SELECT count(*),
           coalesce(sum(open_amount) FILTER (WHERE issued_on <= as_of), 0),
           min(issued_on) FILTER (WHERE issued_on <= as_of)
      INTO usable_rows, receivables, oldest
      FROM billing.tap_invoice
     WHERE (customer = 0 OR customer_id = customer)
       AND issued_on IS NOT NULL AND amount IS NOT NULL AND open_amount IS NOT NULL;
    IF usable_rows = 0 THEN
        RETURN NULL;
    END IF;
    IF receivables <= 0 THEN
        RETURN 0;
    END IF;

    month_start := date_trunc('month', as_of)::date;
    WHILE month_start >= date_trunc('month', oldest)::date LOOP
        month_end := least((month_start + interval '1 month')::date - 1, as_of);
        month_days := month_end - month_start + 1;
        SELECT coalesce(sum(amount), 0) INTO sales
          FROM billing.tap_invoice
         WHERE (customer = 0 OR customer_id = customer)
           AND issued_on BETWEEN month_start AND month_end
           AND amount IS NOT NULL AND open_amount IS NOT NULL;
        IF receivables >= sales THEN
            receivables := receivables - sales;
            days := days + month_days;
            IF receivables <= 0 THEN
                RETURN days;
            END IF;
        ELSE
            RETURN days + receivables * month_days / sales;
        END IF;
        month_start := (month_start - interval '1 month')::date;
    END LOOP;
    RETURN NULL;
END
$$;


SELECT tap.is(pg_temp.tap_ref_countback(9001, date '2025-06-30'), 76::numeric,
              'the countback reference gives 76 days on the README example');
SELECT tap.is((SELECT arcollect.dso_countback(issued_on, amount, open_amount, date '2025-06-30')
                 FROM billing.tap_invoice WHERE customer_id = 9001), 76::numeric,
              'dso_countback gives 76 days on the README example');
DELETE FROM billing.tap_invoice WHERE customer_id = 9001;

INSERT INTO billing.tap_invoice (customer_id, issued_on, due_on, paid_on, amount, open_amount)
SELECT customer_id,
       CASE WHEN r_null BETWEEN 0.012 AND 0.016 THEN NULL ELSE issued_on END,
       CASE WHEN r_null < 0.005 THEN NULL ELSE issued_on + terms END,
       CASE WHEN r_paid < 0.35 THEN NULL ELSE issued_on + terms + delay END,
       amount,
       CASE WHEN r_null BETWEEN 0.005 AND 0.012 THEN NULL
            WHEN amount IS NULL THEN 0.00
            WHEN r_paid < 0.35 THEN amount                      -- unpaid
            WHEN r_open < 0.10 THEN round(amount * 0.3, 2)      -- part paid
            WHEN r_open < 0.12 THEN -round(amount * 0.05, 2)    -- overpaid
            ELSE 0.00 END
FROM (
    SELECT customer_id, issued_on, terms, delay, r_paid, r_open, r_null,
           CASE WHEN r_kind < 0.08 THEN -round(base_amount / 4, 2)   -- credit note
                WHEN r_kind < 0.10 THEN 0.00
                WHEN r_kind < 0.106 THEN NULL
                ELSE base_amount END AS amount
    FROM (
        SELECT 1 + floor(random() * 300)::int AS customer_id,
               date '2023-01-01' + floor(random() * 1000)::int AS issued_on,
               (ARRAY[0, 15, 30, 30, 45, 60])[1 + floor(random() * 6)::int] AS terms,
               floor(random() * 160)::int - 45 AS delay,
               round((random() * 20000)::numeric, 2) AS base_amount,
               random() AS r_kind, random() AS r_paid,
               random() AS r_open, random() AS r_null
        FROM generate_series(1, 30000)
    ) draw
) shaped;

-- Amounts outside the 128-bit fast path: more than 8 decimals, and more than
-- 20 integer digits.  Customer 42 gets many of both, the rest a few.
UPDATE billing.tap_invoice
   SET amount = amount + 0.0000000013, open_amount = open_amount + 0.0000000007
 WHERE (id % 1500 = 7 OR (customer_id = 42 AND id % 4 = 0))
   AND amount IS NOT NULL AND open_amount IS NOT NULL;
UPDATE billing.tap_invoice
   SET amount = 123456789012345678901234.56 + id,
       open_amount = CASE WHEN paid_on IS NULL THEN 123456789012345678901234.56 + id
                          ELSE 98765432109876543210987.6543 END
 WHERE (id % 3001 = 11 OR (customer_id = 42 AND id % 9 = 1))
   AND amount IS NOT NULL AND open_amount IS NOT NULL;

-- Customers shaped for the edges of the definitions:
--  5 owes nothing (countback 0), 6 is overpaid (negative receivables:
--  countback 0), 7 owes far more than it ever bought (countback runs out of
--  history: NULL), 8 bought nothing in May 2025 nor in January 2024 (months
--  without sales), 9 has net credit notes in April 2025, 10 has no invoices
--  before 2024-03-01 (nothing issued by the second as_of), 11 owes exactly
--  its sales since 2025-04-01 (the walk lands on a month boundary: 76 days).
UPDATE billing.tap_invoice SET open_amount = 0.00 WHERE customer_id = 5 AND open_amount IS NOT NULL;
UPDATE billing.tap_invoice SET open_amount = -abs(amount) - 1
 WHERE customer_id = 6 AND open_amount IS NOT NULL AND amount IS NOT NULL;
UPDATE billing.tap_invoice SET open_amount = abs(amount) * 50 + 1000
 WHERE customer_id = 7 AND open_amount IS NOT NULL AND amount IS NOT NULL;
DELETE FROM billing.tap_invoice
 WHERE customer_id = 8 AND (issued_on BETWEEN '2025-05-01' AND '2025-05-31'
                            OR issued_on BETWEEN '2024-01-01' AND '2024-01-31');
UPDATE billing.tap_invoice SET amount = -abs(amount)
 WHERE customer_id = 9 AND issued_on BETWEEN '2025-04-01' AND '2025-04-30';
UPDATE billing.tap_invoice SET issued_on = issued_on + 500, due_on = due_on + 500, paid_on = paid_on + 500
 WHERE customer_id = 10 AND issued_on < '2024-03-01';
UPDATE billing.tap_invoice SET amount = abs(amount) + 1.00 WHERE customer_id = 11 AND amount IS NOT NULL;
UPDATE billing.tap_invoice
   SET open_amount = CASE WHEN issued_on BETWEEN '2025-04-01' AND '2025-06-15' THEN amount ELSE 0.00 END
 WHERE customer_id = 11 AND open_amount IS NOT NULL;

ANALYZE billing.tap_invoice;

SELECT tap.ok((SELECT count(*) FILTER (WHERE amount < 0) > 1000
                  AND count(*) FILTER (WHERE amount = 0) > 300
                  AND count(*) FILTER (WHERE amount IS NULL) > 100
                  AND count(*) FILTER (WHERE open_amount IS NULL) > 100
                  AND count(*) FILTER (WHERE due_on IS NULL) > 100
                  AND count(*) FILTER (WHERE issued_on IS NULL) > 60
                  AND count(*) FILTER (WHERE paid_on IS NULL) > 5000
                  AND count(*) FILTER (WHERE scale(amount) > 8) > 20
                  AND count(*) FILTER (WHERE abs(amount) > 1e20) > 10
                  AND count(DISTINCT customer_id) = 300
               FROM billing.tap_invoice),
              'generated data has credit notes, zeros, NULLs, over-precise and huge amounts, 300 customers');

-- ---------------------------------------------------------------------------
-- References.  Customer 0 is the whole table.
-- ---------------------------------------------------------------------------
CREATE TABLE billing.tap_ref (
    case_name   text NOT NULL,
    customer_id integer NOT NULL,
    want        text,
    PRIMARY KEY (case_name, customer_id)
);

-- aging, default bounds {30,60,90}, as of 2025-06-15
INSERT INTO billing.tap_ref
SELECT 'aging default bounds', coalesce(customer_id, 0),
       CASE WHEN count(*) = 0 THEN NULL ELSE ARRAY[
           coalesce(sum(open_amount) FILTER (WHERE age <= 0), 0),
           coalesce(sum(open_amount) FILTER (WHERE age BETWEEN 1 AND 30), 0),
           coalesce(sum(open_amount) FILTER (WHERE age BETWEEN 31 AND 60), 0),
           coalesce(sum(open_amount) FILTER (WHERE age BETWEEN 61 AND 90), 0),
           coalesce(sum(open_amount) FILTER (WHERE age >= 91), 0)]::text END
FROM (SELECT customer_id, open_amount, date '2025-06-15' - due_on AS age
        FROM billing.tap_invoice
       WHERE due_on IS NOT NULL AND open_amount IS NOT NULL) t
GROUP BY GROUPING SETS ((customer_id), ());

-- aging, bounds {15,45,120,365}, as of 2024-12-31
INSERT INTO billing.tap_ref
SELECT 'aging bounds 15,45,120,365', coalesce(customer_id, 0),
       CASE WHEN count(*) = 0 THEN NULL ELSE ARRAY[
           coalesce(sum(open_amount) FILTER (WHERE age <= 0), 0),
           coalesce(sum(open_amount) FILTER (WHERE age BETWEEN 1 AND 15), 0),
           coalesce(sum(open_amount) FILTER (WHERE age BETWEEN 16 AND 45), 0),
           coalesce(sum(open_amount) FILTER (WHERE age BETWEEN 46 AND 120), 0),
           coalesce(sum(open_amount) FILTER (WHERE age BETWEEN 121 AND 365), 0),
           coalesce(sum(open_amount) FILTER (WHERE age >= 366), 0)]::text END
FROM (SELECT customer_id, open_amount, date '2024-12-31' - due_on AS age
        FROM billing.tap_invoice
       WHERE due_on IS NOT NULL AND open_amount IS NOT NULL) t
GROUP BY GROUPING SETS ((customer_id), ());

-- avg_payment_delay: amount-weighted mean of paid_on - due_on
INSERT INTO billing.tap_ref
SELECT 'avg_payment_delay', coalesce(customer_id, 0),
       (sum(amount * (paid_on - due_on)) / nullif(sum(amount), 0))::text
FROM billing.tap_invoice
WHERE due_on IS NOT NULL AND paid_on IS NOT NULL AND amount IS NOT NULL
GROUP BY GROUPING SETS ((customer_id), ());

-- avg_days_late: plain mean of days late, early counting as 0
INSERT INTO billing.tap_ref
SELECT 'avg_days_late', coalesce(customer_id, 0),
       avg(greatest(paid_on - due_on, 0))::text
FROM billing.tap_invoice
WHERE due_on IS NOT NULL AND paid_on IS NOT NULL
GROUP BY GROUPING SETS ((customer_id), ());

-- dso and best possible dso for one as_of and period
CREATE FUNCTION pg_temp.tap_ref_dso(case_name text, as_of date, period integer, best boolean)
RETURNS void LANGUAGE sql AS $$
    INSERT INTO billing.tap_ref
    SELECT case_name, coalesce(customer_id, 0),
           CASE WHEN coalesce(sum(amount) FILTER (WHERE issued_on > as_of - period), 0) = 0
                THEN NULL
                ELSE (coalesce(sum(open_amount) FILTER (WHERE NOT best OR due_on >= as_of), 0)
                      * period
                      / sum(amount) FILTER (WHERE issued_on > as_of - period))::text END
    FROM billing.tap_invoice
    WHERE issued_on IS NOT NULL AND amount IS NOT NULL AND open_amount IS NOT NULL
      AND (NOT best OR due_on IS NOT NULL)
      AND issued_on <= as_of
    GROUP BY GROUPING SETS ((customer_id), ());
    -- customers whose every usable row was issued after as_of: no sales
    INSERT INTO billing.tap_ref
    SELECT DISTINCT case_name, customer_id, NULL::text
    FROM billing.tap_invoice i
    WHERE NOT EXISTS (SELECT 1 FROM billing.tap_ref r
                      WHERE r.case_name = tap_ref_dso.case_name
                        AND r.customer_id = i.customer_id);
$$;

SELECT pg_temp.tap_ref_dso('dso 90 days', date '2025-06-15', 90, false);
SELECT pg_temp.tap_ref_dso('dso 365 days', date '2024-09-30', 365, false);
SELECT pg_temp.tap_ref_dso('best_possible_dso 90 days', date '2025-06-15', 90, true);
SELECT pg_temp.tap_ref_dso('best_possible_dso 30 days', date '2024-03-01', 30, true);

CREATE INDEX ON billing.tap_invoice (customer_id, issued_on);

INSERT INTO billing.tap_ref
SELECT 'dso_countback as of 2025-06-15', c, pg_temp.tap_ref_countback(c, date '2025-06-15')::text
FROM generate_series(0, 300) c;
INSERT INTO billing.tap_ref
SELECT 'dso_countback as of 2024-02-29', c, pg_temp.tap_ref_countback(c, date '2024-02-29')::text
FROM generate_series(0, 300) c;

-- The Gregorian calendar repeats every 400 years (146,097 days), so the
-- same invoices 2,400 years earlier, in 378 to 375 BC, have the same
-- countback.
INSERT INTO billing.tap_ref
SELECT 'dso_countback 2,400 years earlier', customer_id, want
FROM billing.tap_ref WHERE case_name = 'dso_countback as of 2025-06-15';

SELECT tap.is((SELECT array_agg(coalesce(want, 'NULL') ORDER BY customer_id) FROM billing.tap_ref
                WHERE case_name = 'dso_countback as of 2025-06-15' AND customer_id IN (5, 6, 7, 11)),
              ARRAY['0', '0', 'NULL', '76'],
              'the countback reference covers the edges: nothing owed, overpaid, history too short, exact month boundary');

-- risk_score as documented: 35 x min(amount-weighted days late / 60, 1)
-- + 20 x share of invoices paid late + 20 x overdue share of the positive
-- open balance + 25 x min(oldest overdue days / 120, 1), rounded to 2.
-- An invoice (amount > 0) has a payment record when paid by as_of or past
-- due; it settled on paid_on, or on as_of when not paid by then.
CREATE FUNCTION pg_temp.tap_capped(points integer, numer numeric, denom numeric)
RETURNS numeric LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN coalesce(denom, 0) <= 0 OR coalesce(numer, 0) <= 0 THEN 0
                WHEN numer >= denom THEN points
                ELSE points * numer / denom END;
$$;

INSERT INTO billing.tap_ref
SELECT 'risk_score', coalesce(customer_id, 0),
       round(pg_temp.tap_capped(35, sum(amount * late) FILTER (WHERE recorded),
                                    sum(amount) FILTER (WHERE recorded) * 60)
             + pg_temp.tap_capped(20, count(*) FILTER (WHERE recorded AND late > 0),
                                      count(*) FILTER (WHERE recorded))
             + pg_temp.tap_capped(20, sum(open_amount) FILTER (WHERE open_amount > 0 AND due_on < as_of),
                                      sum(open_amount) FILTER (WHERE open_amount > 0))
             + pg_temp.tap_capped(25, max(as_of - due_on) FILTER (WHERE open_amount > 0 AND due_on < as_of),
                                      120),
             2)::text
FROM (SELECT customer_id, amount, open_amount, due_on, as_of,
             recorded,
             greatest(CASE WHEN paid_on <= as_of THEN paid_on ELSE as_of END - due_on, 0) AS late
        FROM (SELECT i.*, date '2025-06-15' AS as_of,
                     amount > 0 AND (coalesce(paid_on <= date '2025-06-15', false)
                                     OR due_on < date '2025-06-15') AS recorded
                FROM billing.tap_invoice i
               WHERE due_on IS NOT NULL AND amount IS NOT NULL AND open_amount IS NOT NULL) r
     ) t
GROUP BY GROUPING SETS ((customer_id), ());

-- ---------------------------------------------------------------------------
-- The aggregate calls under test, one per reference.
-- ---------------------------------------------------------------------------
CREATE TABLE billing.tap_case (
    ord       integer PRIMARY KEY,
    case_name text NOT NULL,
    call      text NOT NULL
);
INSERT INTO billing.tap_case VALUES
 (1, 'aging default bounds',
     $$arcollect.aging(due_on, open_amount, date '2025-06-15')::text$$),
 (2, 'aging bounds 15,45,120,365',
     $$arcollect.aging(due_on, open_amount, date '2024-12-31', '{15,45,120,365}')::text$$),
 (3, 'avg_payment_delay', $$arcollect.avg_payment_delay(due_on, paid_on, amount)::text$$),
 (4, 'avg_days_late', $$arcollect.avg_days_late(due_on, paid_on)::text$$),
 (5, 'dso 90 days',
     $$arcollect.dso(issued_on, amount, open_amount, date '2025-06-15')::text$$),
 (6, 'dso 365 days',
     $$arcollect.dso(issued_on, amount, open_amount, date '2024-09-30', 365)::text$$),
 (7, 'best_possible_dso 90 days',
     $$arcollect.best_possible_dso(issued_on, due_on, amount, open_amount, date '2025-06-15')::text$$),
 (8, 'best_possible_dso 30 days',
     $$arcollect.best_possible_dso(issued_on, due_on, amount, open_amount, date '2024-03-01', 30)::text$$),
 (9, 'dso_countback as of 2025-06-15',
     $$arcollect.dso_countback(issued_on, amount, open_amount, date '2025-06-15')::text$$),
 (10, 'dso_countback as of 2024-02-29',
     $$arcollect.dso_countback(issued_on, amount, open_amount, date '2024-02-29')::text$$),
 (11, 'risk_score',
     $$arcollect.risk_score(due_on, paid_on, amount, open_amount, date '2025-06-15')::text$$),
 (12, 'dso_countback 2,400 years earlier',
     $$arcollect.dso_countback(issued_on - 876582, amount, open_amount, date '2025-06-15' - 876582)::text$$);

-- Aging results are arrays of numbers shown with a common scale, so they
-- are compared as numeric[]; the other results as text.
CREATE FUNCTION pg_temp.tap_same(case_name text, got text, want text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN case_name LIKE 'aging%'
                THEN got::numeric[] IS NOT DISTINCT FROM want::numeric[]
                ELSE got IS NOT DISTINCT FROM want END;
$$;

-- Number of customers (or of whole-table results) that disagree.
CREATE FUNCTION pg_temp.tap_mismatch_query(c billing.tap_case, per_customer boolean) RETURNS text
LANGUAGE sql AS $$
    SELECT CASE WHEN per_customer THEN format(
        'SELECT count(*) FROM (SELECT customer_id, %s AS got FROM billing.tap_invoice GROUP BY customer_id) g '
        'FULL JOIN (SELECT customer_id, want FROM billing.tap_ref WHERE case_name = %L AND customer_id <> 0) r '
        'USING (customer_id) WHERE NOT pg_temp.tap_same(%L, g.got, r.want)',
        c.call, c.case_name, c.case_name)
    ELSE format(
        'SELECT count(*) FROM (SELECT %s AS got FROM billing.tap_invoice) g '
        'CROSS JOIN (SELECT want FROM billing.tap_ref WHERE case_name = %L AND customer_id = 0) r '
        'WHERE NOT pg_temp.tap_same(%L, g.got, r.want)',
        c.call, c.case_name, c.case_name) END;
$$;

-- A comparison that passes because both sides are NULL proves nothing.
SELECT tap.ok((SELECT count(*) FILTER (WHERE want IS NOT NULL) >= 250
                      AND bool_or(customer_id = 0 AND want IS NOT NULL)
                 FROM billing.tap_ref r WHERE r.case_name = c.case_name),
              format('reference for %s has a value for most customers and for the whole table', c.case_name))
FROM billing.tap_case c ORDER BY ord;

-- ---------------------------------------------------------------------------
-- Serial plans
-- ---------------------------------------------------------------------------
SET LOCAL max_parallel_workers_per_gather = 0;
SET LOCAL parallel_setup_cost = 1000;
SET LOCAL parallel_tuple_cost = 0.1;
SET LOCAL min_parallel_table_scan_size = '8MB';
SET LOCAL parallel_leader_participation = on;

SELECT tap.unalike(pg_temp.tap_plan(pg_temp.tap_mismatch_query(c, per_customer)), '%Gather%',
                   format('%s %s: the serial setting gives a plan without workers', c.case_name,
                          CASE WHEN per_customer THEN 'per customer' ELSE 'whole table' END))
FROM billing.tap_case c, (VALUES (true), (false)) p(per_customer)
ORDER BY ord, per_customer DESC;

SELECT tap.is(pg_temp.tap_scalar(pg_temp.tap_mismatch_query(c, per_customer)), 0::bigint,
              format('%s %s agrees with the SQL reference (serial plan)', c.case_name,
                     CASE WHEN per_customer THEN 'per customer' ELSE 'over the whole table' END))
FROM billing.tap_case c, (VALUES (true), (false)) p(per_customer)
ORDER BY ord, per_customer DESC;

-- ---------------------------------------------------------------------------
-- Parallel plans: partial aggregates in workers, combined in the leader
-- ---------------------------------------------------------------------------
-- the leader does not scan, so every row goes through a worker's partial
-- state, its serialisation and a combine
SET LOCAL max_parallel_workers_per_gather = 2;
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL parallel_leader_participation = off;

SELECT tap.matches(pg_temp.tap_plan(pg_temp.tap_mismatch_query(c, per_customer)), 'Partial (Hash|Group)?Aggregate',
                   format('%s %s: the parallel setting gives a Partial Aggregate plan', c.case_name,
                          CASE WHEN per_customer THEN 'per customer' ELSE 'whole table' END))
FROM billing.tap_case c, (VALUES (true), (false)) p(per_customer)
ORDER BY ord, per_customer DESC;

SELECT tap.is(pg_temp.tap_scalar(pg_temp.tap_mismatch_query(c, per_customer)), 0::bigint,
              format('%s %s agrees with the SQL reference (parallel plan)', c.case_name,
                     CASE WHEN per_customer THEN 'per customer' ELSE 'over the whole table' END))
FROM billing.tap_case c, (VALUES (true), (false)) p(per_customer)
ORDER BY ord, per_customer DESC;

-- ---------------------------------------------------------------------------
-- Overflowing the 128-bit accumulator: amounts near 9e19 times day counts
-- of up to two billion days need about 2e37 units of 1e-8 per row, so a
-- handful of rows overflow int128 and the sum must carry on exactly.
-- ---------------------------------------------------------------------------
SET LOCAL max_parallel_workers_per_gather = 0;
SET LOCAL parallel_setup_cost = 1000;
SET LOCAL parallel_tuple_cost = 0.1;
SET LOCAL min_parallel_table_scan_size = '8MB';
SET LOCAL parallel_leader_participation = on;
SELECT setseed(0.5874897);

CREATE TABLE billing.tap_huge (
    grp     integer NOT NULL,
    due_on  date NOT NULL,
    paid_on date NOT NULL,
    amount  numeric NOT NULL
);
-- group 1: all positive, due in 4713 BC, paid millions of years later
INSERT INTO billing.tap_huge
SELECT 1, date '4713-01-01 BC' + floor(random() * 1000)::int,
       date '5874897-12-31' - floor(random() * 100000000)::int,
       round((90000000000000000000 - random() * 1e18)::numeric, 2)
FROM generate_series(1, 200);
-- group 2: amounts that nearly cancel, paid both far before and far after
-- the due date, so that the weighted mean is huge and has many digits
INSERT INTO billing.tap_huge
SELECT 2,
       CASE WHEN g % 2 = 0 THEN date '4713-01-01 BC' + g ELSE date '5874897-12-31' - g END,
       CASE WHEN g % 2 = 0 THEN date '5874897-12-31' - 7 * g ELSE date '4713-01-01 BC' + 3 * g END,
       CASE WHEN g % 2 = 0 THEN 89999999999999999999.97 ELSE -89999999999999999999.99 END
FROM generate_series(1, 200) g;
INSERT INTO billing.tap_huge VALUES (2, date '2000-01-01', date '2000-01-04', 5.00);
ANALYZE billing.tap_huge;

CREATE TABLE billing.tap_huge_ref AS
SELECT grp, (sum(amount * (paid_on - due_on)) / sum(amount))::text AS want
FROM billing.tap_huge GROUP BY grp;

SELECT tap.ok((SELECT bool_and(abs(want::numeric) > 1e8) FROM billing.tap_huge_ref),
              'huge-amount reference has mean delays of millions of years');

CREATE TABLE billing.tap_huge_case (ord integer, query text, label text);
INSERT INTO billing.tap_huge_case VALUES
 (1, $$SELECT count(*) FROM (SELECT grp, arcollect.avg_payment_delay(due_on, paid_on, amount)::text AS got
                               FROM billing.tap_huge GROUP BY grp) g
       FULL JOIN billing.tap_huge_ref r USING (grp) WHERE g.got IS DISTINCT FROM r.want$$,
     'avg_payment_delay past the 128-bit accumulator agrees with the SQL reference'),
 (2, $$SELECT count(*) FROM (SELECT grp, arcollect.risk_score(due_on, NULL::date, amount, 0, date '5874897-12-31')::text AS got
                               FROM billing.tap_huge WHERE grp = 1 GROUP BY grp) g
       WHERE got IS DISTINCT FROM '55.00'$$,
     'risk_score past the 128-bit accumulator: every invoice late far beyond 60 days gives 35 + 20 points');

SELECT tap.is(pg_temp.tap_scalar(query), 0::bigint, label || ' (serial plan)')
FROM billing.tap_huge_case ORDER BY ord;

-- the leader does not scan, so every row goes through a worker's partial
-- state, its serialisation and a combine
SET LOCAL max_parallel_workers_per_gather = 2;
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL parallel_leader_participation = off;
SELECT tap.matches(pg_temp.tap_plan(query), 'Partial (Hash|Group)?Aggregate',
                   format('huge-amount case %s: the parallel setting gives a Partial Aggregate plan', ord))
FROM billing.tap_huge_case ORDER BY ord;
SELECT tap.is(pg_temp.tap_scalar(query), 0::bigint, label || ' (parallel plan)')
FROM billing.tap_huge_case ORDER BY ord;

SELECT * FROM tap.finish();
ROLLBACK;
