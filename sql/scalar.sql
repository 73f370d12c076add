-- Scalar functions: days_overdue, aging_bucket(_index), payment_index, cei.
-- Every expected value below is worked out by hand in the comment beside it.

-- days overdue is as_of - due_on
SELECT arcollect.days_overdue('2025-01-31', '2025-03-02') AS "30 (Feb 2025 has 28 days)",
       arcollect.days_overdue('2025-03-02', '2025-01-31') AS "-30",
       arcollect.days_overdue('2025-01-31', '2025-01-31') AS "0";

-- default bounds {30,60,90}: a bound belongs to the bucket it closes
SELECT d AS days_overdue,
       arcollect.aging_bucket(date '2025-01-01', date '2025-01-01' + d) AS bucket,
       arcollect.aging_bucket_index(date '2025-01-01', date '2025-01-01' + d) AS idx
FROM unnest('{-5,0,1,30,31,60,61,90,91,400}'::int[]) AS d;

-- labels follow the bounds given
SELECT d AS days_overdue,
       arcollect.aging_bucket(date '2025-01-01', date '2025-01-01' + d, '{15,45}') AS bucket,
       arcollect.aging_bucket_index(date '2025-01-01', date '2025-01-01' + d, '{15,45}') AS idx
FROM unnest('{0,1,15,16,45,46}'::int[]) AS d;

-- no bounds: current and everything overdue
SELECT arcollect.aging_bucket('2025-01-01', '2025-01-02', '{}') AS "1+",
       arcollect.aging_bucket_index('2025-01-01', '2025-01-02', '{}') AS "1";

-- NULL in, NULL out
SELECT arcollect.aging_bucket(NULL, '2025-01-01') IS NULL AS null_due,
       arcollect.days_overdue('2025-01-01', NULL) IS NULL AS null_as_of,
       arcollect.payment_index(NULL) IS NULL AS null_days,
       arcollect.cei(1, 1, 1, NULL) IS NULL AS null_cei;

-- bad bounds are errors that name the bound (SQLSTATE 22023)
\set VERBOSITY default
SELECT arcollect.aging_bucket('2025-01-01', '2025-03-01', '{30,30,90}');
SELECT arcollect.aging_bucket('2025-01-01', '2025-03-01', '{-1,30}');
SELECT arcollect.aging_bucket_index('2025-01-01', '2025-03-01', '{30,NULL}');

-- payment index: the anchors, then points between them, rounded half up
--   -25: 100 - 5*10/10 = 95         -10: 90 - 10*10/20 = 85
--   0.75: 80 - 0.75*10/15 = 79.5 -> 80 (half up)   2.25: 80 - 1.5 = 78.5 -> 79
--   7.5: 80 - 7.5*10/15 = 75        10: 80 - 6.67 = 73.33 -> 73
--   18.5: 70 - 3.5*10/7 = 65        26: 60 - 4*10/8 = 55
--   45: 50 - 15*10/30 = 45
SELECT d AS days_beyond_terms, arcollect.payment_index(d) AS payment_index
FROM unnest('{-100,-30,-25,-20,-10,0,0.75,2.25,7.5,10,15,18.5,22,26,30,45,60,90,120}'::numeric[]) AS d;

-- past 120 days the last slope (10 points per 30 days: 20 - (d - 120) / 3)
-- goes on, rounded down so that every day past 120 is below 20, never below 1:
--   120.001: 19.9997 -> 19   121: 19.67 -> 19   123: 19 -> 19
--   123.0001: 18.99997 -> 18   124: 18.67 -> 18   135: 15   150: 10
--   174: 2   174.0001: 1.99997 -> 1 (the first value of 1)   175: 1.67 -> 1
--   176: 1.33 -> 1   177: 1   180: 0 -> 1   beyond: 1
SELECT d AS days_beyond_terms, arcollect.payment_index(d) AS payment_index
FROM unnest('{120.001,121,123,123.0001,124,135,150,174,174.0001,175,176,177,180,1000}'::numeric[]) AS d;

-- the ends of numeric's range and infinity
SELECT arcollect.payment_index(-1e131071) AS "100", arcollect.payment_index('-Infinity') AS "100",
       arcollect.payment_index(1e131071) AS "1", arcollect.payment_index('Infinity') AS "1";

-- CEI, the example of the README (Definitions, CEI): (100000 + 1000000 - 120000) / (100000 + 1000000 - 100000) = 98%
SELECT round(arcollect.cei(100000, 1000000, 120000, 100000), 6) AS "98";
-- the same over a quarter: 3,000,000 of sales over 3 months is 1,000,000 a month
SELECT round(arcollect.cei(100000, 3000000, 120000, 100000, 3), 6) AS "98, quarterly";
-- (50000 + 200000 - 70000) / (50000 + 200000 - 40000) = 180000 / 210000 = 85.714286%
SELECT round(arcollect.cei(50000, 200000, 70000, 40000), 6) AS "85.714286";
-- nothing to collect: the denominator is zero, so no index
SELECT arcollect.cei(0, 0, 0, 0) IS NULL AS "null";
SELECT arcollect.cei(100000, 1000000, 120000, 100000, 0);
-- amounts near numeric's largest (below 10^131072) still give the index:
--   B = 10^131071, nothing else: B / B * 100 = 100
SELECT round(arcollect.cei(1e131071, 0, 0, 0), 6) AS "100";
--   m = 12, B = S = E = 10^131071, EC = 0: (12B + S - 12E) / (12B + S) = S / 13S
--   = 1/13 * 100 = 7.692308 (12B is beyond numeric's range)
SELECT round(arcollect.cei(1e131071, 1e131071, 1e131071, 0, 12), 6) AS "7.692308";
--   B = 5 x 10^131071, E = -B (a credit balance), S = EC = 0: (B - E) / B = 2,
--   so 200 (B - E is beyond numeric's range)
SELECT round(arcollect.cei(5e131071, 0, -5e131071, 0), 6) AS "200";
-- unless the index itself is beyond it: 10^131071 / 1 * 100 (SQLSTATE 22003)
SELECT arcollect.cei(1e131071, 0, 0, 1e131071 - 1);
