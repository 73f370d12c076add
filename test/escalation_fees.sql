-- Runs as role arcollect_suite with an empty search_path (README, Tests).
-- Late-payment charges against plain-SQL references on random inputs.
--
-- late_payment_interest against a reference that counts the days of
-- interest one by one (every day after the due date up to as_of, from
-- generate_series), so the day count is checked independently of date
-- subtraction: 0 when nothing is open or the invoice is not overdue,
-- never negative, never falling as as_of moves on.  round_money against
-- half-away-from-zero written out with floor.  late_payment_compensation
-- against the bands written as a lookup, on every cent around the UK band
-- edges and on random amounts, and monotone in the amount.
BEGIN;
SELECT tap.plan(9);

SELECT setseed(0.2505);

CREATE TEMP TABLE tap_int AS
SELECT open_amount, due_on, due_on + offset_days AS as_of, annual_rate
  FROM (SELECT round((random() * 2000000 - 100000)::numeric, 2) AS open_amount,
               date '2020-01-01' + floor(random() * 3650)::integer AS due_on,
               floor(random() * 900 - 100)::integer AS offset_days,
               round((random() * 0.3)::numeric, 4) AS annual_rate
          FROM generate_series(1, 1000)) r
UNION ALL
-- the edges: due today, the day after, nothing open, a rate of 0
SELECT *
  FROM (VALUES (1000.00, date '2024-02-28', date '2024-02-28', 0.105),
               (1000.00, date '2024-02-28', date '2024-02-29', 0.105),
               (0.00, date '2024-02-28', date '2024-12-31', 0.105),
               (1000.00, date '2024-02-28', date '2024-12-31', 0.0)) e(open_amount, due_on, as_of, annual_rate);

CREATE TEMP TABLE tap_int_checked AS
SELECT t.*, arcollect.late_payment_interest(t.open_amount, t.due_on, t.as_of, t.annual_rate) AS got,
       CASE WHEN t.open_amount > 0
            THEN t.open_amount * t.annual_rate
                 * (SELECT count(*) FROM generate_series(t.due_on + 1, t.as_of, interval '1 day') d) / 365
            ELSE 0 END AS want
  FROM tap_int t;

SELECT tap.is((SELECT count(*) FROM tap_int_checked WHERE got IS DISTINCT FROM want), 0::bigint,
              'late_payment_interest is open_amount x annual_rate x (days after the due date up to as_of) / 365 on 1004 inputs');

SELECT tap.is((SELECT count(*) FROM tap_int_checked
                WHERE got < 0 OR (got = 0) <> (open_amount <= 0 OR as_of <= due_on OR annual_rate = 0)), 0::bigint,
              'late_payment_interest is never negative, and 0 exactly when nothing is open, nothing is overdue or the rate is 0');

-- One invoice per row of tap_int with something open, followed day by day
-- for 60 days from 10 days before it falls due.
SELECT tap.is((SELECT count(*)
                 FROM (SELECT i, got, lag(got) OVER (PARTITION BY i ORDER BY d) AS before
                         FROM (SELECT i, d, arcollect.late_payment_interest(t.open_amount, t.due_on, t.due_on + d, t.annual_rate) AS got
                                 FROM (SELECT row_number() OVER () AS i, * FROM tap_int WHERE open_amount > 0 LIMIT 200) t,
                                      generate_series(-10, 50) d) x) y
                WHERE got < before), 0::bigint,
              'late_payment_interest never falls as as_of moves on');

SELECT tap.is((SELECT count(*) FROM tap_int_checked
                WHERE arcollect.round_money(got, 'EUR') <> sign(got) * floor(abs(got) * 100 + 0.5) / 100
                   OR arcollect.round_money(got, 'JPY') <> sign(got) * floor(abs(got) + 0.5)
                   OR arcollect.round_money(-got, 'KWD') <> -sign(got) * floor(abs(got) * 1000 + 0.5) / 1000), 0::bigint,
              'round_money rounds half away from zero to 2 (EUR), 0 (JPY) and 3 (KWD) decimals');

SELECT tap.throws_ok($$SELECT arcollect.late_payment_interest(100, '2025-01-01', '2025-02-01', -0.0001)$$,
                     '22023', NULL, 'a negative rate is refused with SQLSTATE 22023');

-- Compensation: every cent from 0.00 to 30.00 around each UK band edge,
-- and random amounts up to 50,000.
CREATE TEMP TABLE tap_comp AS
SELECT edge + c / 100.0 AS amount
  FROM (VALUES (0), (1000), (10000)) e(edge), generate_series(-1500, 1500) c
UNION
SELECT round((random() * 50000)::numeric, 2) FROM generate_series(1, 2000);

SELECT tap.is((SELECT count(*) FROM tap_comp
                WHERE arcollect.late_payment_compensation(amount, 'GBP', 'uk')
                      IS DISTINCT FROM (SELECT b.sum FROM (VALUES (numeric '0.01', numeric '999.99', 40),
                                                                  (1000.00, 9999.99, 70),
                                                                  (10000.00, 1e12, 100)) b(lo, hi, sum)
                                         WHERE amount BETWEEN b.lo AND b.hi
                                         UNION ALL SELECT 0 WHERE amount <= 0)), 0::bigint,
              'late_payment_compensation uk is GBP 40 below 1,000, 70 from 1,000 to below 10,000, 100 from 10,000, 0 for nothing');

SELECT tap.is((SELECT count(*) FROM tap_comp
                WHERE arcollect.late_payment_compensation(amount, 'EUR', 'eu')
                      <> CASE WHEN amount > 0 THEN 40 ELSE 0 END), 0::bigint,
              'late_payment_compensation eu is EUR 40 for any amount owed');

SELECT tap.is((SELECT count(*)
                 FROM (SELECT arcollect.late_payment_compensation(amount, 'GBP', 'uk') AS uk,
                              lag(arcollect.late_payment_compensation(amount, 'GBP', 'uk')) OVER (ORDER BY amount) AS uk_before,
                              arcollect.late_payment_compensation(amount, 'EUR', 'eu') AS eu,
                              lag(arcollect.late_payment_compensation(amount, 'EUR', 'eu')) OVER (ORDER BY amount) AS eu_before
                         FROM tap_comp) x
                WHERE uk < uk_before OR eu < eu_before), 0::bigint,
              'late_payment_compensation never falls as the amount rises, under either regime');

SELECT tap.throws_ok($$SELECT arcollect.late_payment_compensation(100, 'USD', 'uk')$$,
                     '22023', NULL, 'compensation in a currency not the regime''s is refused with SQLSTATE 22023');

SELECT * FROM tap.finish();
ROLLBACK;
