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

-- payment index: the anchors, then points between them
--   -25: 100 - 5*10/10 = 95         -10: 90 - 10*10/20 = 85
--   0.75: 80 - 0.75*10/15 = 79.5 -> 80 (half up)   2.25: 80 - 1.5 = 78.5 -> 79
--   7.5: 80 - 7.5*10/15 = 75        10: 80 - 6.67 = 73.33 -> 73
--   18.5: 70 - 3.5*10/7 = 65        26: 60 - 4*10/8 = 55
--   45: 50 - 15*10/30 = 45          135: 20 - 15/3 = 15
--   176.5: 20 - 56.5/3 = 1.17 -> 1  past 177 days: 1, never below
SELECT d AS days_beyond_terms, arcollect.payment_index(d) AS payment_index
FROM unnest('{-100,-30,-25,-20,-10,0,0.75,2.25,7.5,10,15,18.5,22,26,30,45,60,90,120,135,176.5,177,1000}'::numeric[]) AS d;

-- CEI, the example of the README (Definitions, CEI): (100000 + 1000000 - 120000) / (100000 + 1000000 - 100000) = 98%
SELECT round(arcollect.cei(100000, 1000000, 120000, 100000), 6) AS "98";
-- the same over a quarter: 3,000,000 of sales over 3 months is 1,000,000 a month
SELECT round(arcollect.cei(100000, 3000000, 120000, 100000, 3), 6) AS "98, quarterly";
-- (50000 + 200000 - 70000) / (50000 + 200000 - 40000) = 180000 / 210000 = 85.714286%
SELECT round(arcollect.cei(50000, 200000, 70000, 40000), 6) AS "85.714286";
-- nothing to collect: the denominator is zero, so no index
SELECT arcollect.cei(0, 0, 0, 0) IS NULL AS "null";
SELECT arcollect.cei(100000, 1000000, 120000, 100000, 0);
