-- dso, best_possible_dso and dso_countback.

CREATE TABLE sale (issued_on date, due_on date, amount numeric, open_amount numeric);

-- The simple example of the README (Definitions, DSO): AR 150,000, credit sales 1,800,000 in 365 days:
-- 150,000 / 1,800,000 * 365 = 30.416666... -> 30.42
INSERT INTO sale VALUES ('2025-03-01', '2025-03-31', 1800000, 150000);
SELECT round(arcollect.dso(issued_on, amount, open_amount, '2025-12-31', 365), 2) AS "30.42"
FROM sale;
TRUNCATE sale;

-- The ADD example of the README (Definitions, DSO): AR 25,000 of which 6,000 current, sales 15,000 in 30 days
-- DSO = 25000/15000*30 = 50; BPDSO = 6000/15000*30 = 12; ADD = 38
INSERT INTO sale VALUES
    ('2025-06-10', '2025-07-10', 15000, 6000),   -- in the period, not yet due
    ('2025-03-01', '2025-03-31', 40000, 19000),  -- before the period, overdue
    ('2025-07-05', '2025-08-04', 99999, 99999);  -- issued after as_of: left out
SELECT round(arcollect.dso(issued_on, amount, open_amount, '2025-06-30', 30), 6) AS dso,
       round(arcollect.best_possible_dso(issued_on, due_on, amount, open_amount, '2025-06-30', 30), 6) AS bpdso,
       round(arcollect.dso(issued_on, amount, open_amount, '2025-06-30', 30)
             - arcollect.best_possible_dso(issued_on, due_on, amount, open_amount, '2025-06-30', 30), 6) AS add
FROM sale;

-- period_days defaults to 90: sales 2025-04-02 .. 2025-06-30 hold only the 15,000;
-- 25000/15000*90 = 150
SELECT round(arcollect.dso(issued_on, amount, open_amount, '2025-06-30'), 6) AS "150"
FROM sale;

-- the period includes both ends: as_of - period_days + 1 .. as_of
SELECT round(arcollect.dso(issued_on, amount, open_amount, '2025-06-10', 1), 6) AS "1 day, 25000/15000",
       arcollect.dso(issued_on, amount, open_amount, '2025-06-09', 1) IS NULL AS "no sales: null"
FROM sale;

-- a due date on as_of is still current (as in aging)
SELECT round(arcollect.best_possible_dso(issued_on, due_on, amount, open_amount, '2025-07-10', 60), 6)
       AS "6000 * 60 / 15000 = 24"
FROM sale WHERE amount <> 99999;
TRUNCATE sale;

-- Countback, the example of the README (Definitions, DSO): as of 2025-06-30 AR 150,000;
-- June sales 60,000, May 50,000, April 80,000:
-- 150,000 - 60,000 = 90,000 (30 days); - 50,000 = 40,000 (61 days);
-- 40,000 / 80,000 * 30 = 15; DSO = 76
INSERT INTO sale VALUES
    ('2025-06-15', NULL, 60000, 60000),
    ('2025-05-15', NULL, 50000, 50000),
    ('2025-04-15', NULL, 80000, 40000),
    ('2025-01-15', NULL, 10000, 0);
SELECT round(arcollect.dso_countback(issued_on, amount, open_amount, '2025-06-30'), 6) AS "76"
FROM sale;

-- the month of as_of counts from its first day through as_of:
-- as of 2025-06-15, AR 150,000 (every row above issued by then);
-- June 1-15: 60,000 (15 days) -> 90,000; May 50,000 (31) -> 40,000;
-- April: 40,000 / 80,000 * 30 = 15; 15 + 31 + 15 = 61
SELECT round(arcollect.dso_countback(issued_on, amount, open_amount, '2025-06-15'), 6) AS "61"
FROM sale;

-- a month without sales is passed in full: as of 2025-07-31 with no July sales,
-- 31 days + 76 = 107
SELECT round(arcollect.dso_countback(issued_on, amount, open_amount, '2025-07-31'), 6) AS "107"
FROM sale;
TRUNCATE sale;

-- history runs out: receivables older than every recorded sale give NULL
INSERT INTO sale VALUES ('2025-06-10', NULL, 100, 100), ('2025-05-10', NULL, 0, 500);
SELECT arcollect.dso_countback(issued_on, amount, open_amount, '2025-06-30') IS NULL AS "null"
FROM sale;
TRUNCATE sale;

-- nothing owed (or a credit balance): 0 days
INSERT INTO sale VALUES ('2025-06-10', NULL, 100, -20);
SELECT arcollect.dso_countback(issued_on, amount, open_amount, '2025-06-30') AS "0"
FROM sale;

-- years before Christ have their calendar months too (1 BC and 5 BC are leap
-- years, 2 BC is not):
-- as of 2 BC-03-10, AR 150; March 1-10: 100 (10 days) -> 50;
-- February 2 BC: 50 / 100 * 28 = 14; 10 + 14 = 24
INSERT INTO sale VALUES ('0002-03-05 BC', NULL, 100, 100), ('0002-02-14 BC', NULL, 100, 50);
SELECT round(arcollect.dso_countback(issued_on, amount, open_amount, '0002-03-10 BC'), 6) AS "24"
FROM sale;
TRUNCATE sale;
-- as of 5 BC-03-31, AR 150; March: 100 (31 days) -> 50;
-- February 5 BC: 50 / 100 * 29 = 14.5; 31 + 14.5 = 45.5
INSERT INTO sale VALUES ('0005-03-05 BC', NULL, 100, 100), ('0005-02-14 BC', NULL, 100, 50);
SELECT round(arcollect.dso_countback(issued_on, amount, open_amount, '0005-03-31 BC'), 6) AS "45.5"
FROM sale;
TRUNCATE sale;
-- back from 1 AD over two year ends, as of 0001-01-31, AR 350, sales of 100
-- in January 1 AD, February 1 BC, December 2 BC and February 2 BC:
-- Jan 1 AD 31 -> 250; Dec..Mar 1 BC without sales 306; Feb 1 BC 29 -> 150;
-- Jan 1 BC 31; Dec 2 BC 31 -> 50; Nov..Mar 2 BC 275;
-- Feb 2 BC: 50 / 100 * 28 = 14; 31 + 306 + 29 + 31 + 31 + 275 + 14 = 717
INSERT INTO sale VALUES ('0001-01-20', NULL, 100, 100), ('0001-02-10 BC', NULL, 100, 100),
    ('0002-12-10 BC', NULL, 100, 100), ('0002-02-10 BC', NULL, 100, 50);
SELECT round(arcollect.dso_countback(issued_on, amount, open_amount, '0001-01-31'), 6) AS "717"
FROM sale;
TRUNCATE sale;

-- bad parameters
INSERT INTO sale VALUES ('2025-05-10', NULL, 100, 100);
SELECT arcollect.dso(issued_on, amount, open_amount, '2025-06-30', 0) FROM sale;
SELECT arcollect.dso(issued_on, amount, open_amount, issued_on) FROM sale;

-- rows that are all skipped: NULL, not a crash
SELECT arcollect.dso(i, a, o, '2025-06-30') IS NULL AS "null",
       arcollect.best_possible_dso(i, i, a, o, '2025-06-30', 30) IS NULL AS "null",
       arcollect.dso_countback(i, a, o, '2025-06-30') IS NULL AS "null"
FROM (VALUES (NULL::date, 1::numeric, 1::numeric), ('2025-06-01', NULL, 1), ('2025-06-01', 1, NULL)) AS v(i, a, o);

DROP TABLE sale;
