-- Runs as role arcollect_suite with an empty search_path (README, Tests).
-- payment_index and cei against independent plain-SQL references.
--
-- payment_index over every thousandth of a day from 40 days early to 200
-- beyond: the published points (100 at 30 or more days early, 90 at 20
-- early, 80 on terms, 70 at 15 beyond, 60 at 22, 50 at 30, 40 at 60, 30 at
-- 90, 20 at 120), linear between them and rounded to the nearest (half
-- up); past 120 days the last slope, 20 - (days - 120) / 3, rounded down,
-- never below 1.  On this grid no value lies closer than 1/7000 to a
-- rounding edge unless it lies on it exactly, so the reference's numeric
-- divisions cannot round the wrong way.
--
-- cei on random receivables, and on the same receivables times 10^131064
-- (near numeric's largest), where the index, a ratio, must not change.
BEGIN;
SELECT tap.plan(6);

SELECT setseed(0.1301);

CREATE TEMP TABLE tap_pi AS
SELECT d, arcollect.payment_index(d) AS got,
       CASE WHEN d <= -30 THEN 100
            WHEN d <= -20 THEN round(100 + (d + 30) * (90 - 100) / 10.0)
            WHEN d <= 0 THEN round(90 + (d + 20) * (80 - 90) / 20.0)
            WHEN d <= 15 THEN round(80 + d * (70 - 80) / 15.0)
            WHEN d <= 22 THEN round(70 + (d - 15) * (60 - 70) / 7.0)
            WHEN d <= 30 THEN round(60 + (d - 22) * (50 - 60) / 8.0)
            WHEN d <= 60 THEN round(50 + (d - 30) * (40 - 50) / 30.0)
            WHEN d <= 90 THEN round(40 + (d - 60) * (30 - 40) / 30.0)
            WHEN d <= 120 THEN round(30 + (d - 90) * (20 - 30) / 30.0)
            ELSE greatest(floor(20 - (d - 120) / 3.0), 1) END AS want
FROM (SELECT n / 1000.0 AS d FROM generate_series(-40000, 200000) n) g;

SELECT tap.is((SELECT count(*) FROM tap_pi WHERE got IS DISTINCT FROM want), 0::bigint,
          'payment_index agrees with the reference on every thousandth of a day from -40 to 200');

SELECT tap.is((SELECT count(*) FROM (SELECT got, lag(got) OVER (ORDER BY d) AS before FROM tap_pi) t
            WHERE got > before OR got NOT BETWEEN 1 AND 100), 0::bigint,
          'payment_index stays within 1 to 100 and never rises with more days beyond terms');

SELECT tap.is((SELECT array_agg(DISTINCT got ORDER BY got) FROM tap_pi WHERE d > 120),
          (SELECT array_agg(n ORDER BY n) FROM generate_series(1, 19) n),
          'past 120 days payment_index takes every value from 19 down to 1, and no other');

-- Receivables where the index is between 0 and 100: ending AR at most what
-- there was to collect (B + S/m), ending current AR at most ending AR.
CREATE TEMP TABLE tap_cei AS
SELECT b, s, e, floor(random() * (e + 1))::numeric AS ec, m
FROM (SELECT b, s, m, floor(random() * (b + s / m + 1))::numeric AS e
        FROM (SELECT floor(random() * 1000000)::numeric AS b,
                     floor(random() * 9000000)::numeric AS s,
                     1 + floor(random() * 12)::int AS m
                FROM generate_series(1, 2000)) r) r;

SELECT tap.is((SELECT count(*) FROM tap_cei
            WHERE arcollect.cei(b, s, e, ec, m)::text
                  IS DISTINCT FROM ((m * b + s - m * e) * 100 / nullif(m * b + s - m * ec, 0))::text),
          0::bigint,
          'cei equals (m*B + S - m*E) * 100 / (m*B + S - m*EC), to the last digit shown');

SELECT tap.is((SELECT count(*) FROM tap_cei
            WHERE arcollect.cei(b * 1e131064, s * 1e131064, e * 1e131064, ec * 1e131064, m)
                  IS DISTINCT FROM arcollect.cei(b, s, e, ec, m)),
          0::bigint,
          'cei of the same receivables times 10^131064 is the same index');

-- numeric holds less than 10^131072: 100 * (m*B + S) * 10^131064 is beyond
-- it when 100 * (m*B + S) >= 10^8
SELECT tap.ok((SELECT count(*) FILTER (WHERE 100 * (m * b + s) >= 100000000) > 1800 FROM tap_cei),
          'for most of them, 100 * (m*B + S) is beyond numeric''s range at that size');

SELECT * FROM tap.finish();
ROLLBACK;
