-- The aging aggregate: open amount per bucket, current first.

CREATE TABLE open_invoice (customer text, due_on date, open_amount numeric);
INSERT INTO open_invoice VALUES
    -- as of 2025-06-30
    ('acme', '2025-07-15', 100.00),   -- not yet due: current
    ('acme', '2025-06-30', 50.00),    -- due today: current
    ('acme', '2025-05-31', 25.50),    -- 30 days: 1-30
    ('acme', '2025-05-30', 10.00),    -- 31 days: 31-60
    ('acme', '2025-04-01', 5.25),     -- 90 days: 61-90
    ('acme', '2025-03-01', 1.00),     -- 121 days: 91+
    ('acme', '2025-03-01', -1.00),    -- a credit note in the same bucket nets it to 0
    ('beta', '2025-06-01', 200.00),   -- 29 days: 1-30
    ('beta', '2025-06-01', NULL),     -- NULL open amount: skipped
    ('beta', NULL, 999.00);           -- NULL due date: skipped

-- acme: current 150.00; 1-30 25.50; 31-60 10.00; 61-90 5.25; 91+ 0.00
-- beta: 1-30 200.00, the rest 0
SELECT customer, arcollect.aging(due_on, open_amount, '2025-06-30') AS buckets,
       sum(open_amount) FILTER (WHERE due_on IS NOT NULL) AS total
FROM open_invoice GROUP BY customer ORDER BY customer;

-- custom bounds {15,45}: current, 1-15, 16-45, 46+
-- acme: 150.00 | 0 | 25.50 + 10.00 = 35.50 | 5.25 + 1.00 - 1.00 = 5.25
SELECT customer, arcollect.aging(due_on, open_amount, '2025-06-30', '{15,45}') AS buckets
FROM open_invoice WHERE customer = 'acme' GROUP BY customer;

-- as of an earlier date everything moves towards current:
-- as of 2025-04-15: 07-15, 06-30, 05-31, 05-30 current (185.50); 04-01 is 14 days (5.25);
-- 03-01 is 45 days (1.00 - 1.00)
SELECT arcollect.aging(due_on, open_amount, '2025-04-15') AS buckets
FROM open_invoice WHERE customer = 'acme';

-- the buckets add up to the balance
SELECT (SELECT sum(x) FROM unnest(arcollect.aging(due_on, open_amount, '2025-06-30')) AS x)
       = sum(open_amount) AS ties_out
FROM open_invoice WHERE due_on IS NOT NULL;

-- no rows: NULL
SELECT arcollect.aging(due_on, open_amount, '2025-06-30') IS NULL AS "null"
FROM open_invoice WHERE false;

-- one as_of and one set of bounds per group
SELECT arcollect.aging(due_on, open_amount, due_on) FROM open_invoice;
SELECT arcollect.aging(due_on, open_amount, '2025-06-30',
                       CASE WHEN customer = 'acme' THEN '{30}'::int[] ELSE '{60}' END)
FROM open_invoice;
SELECT arcollect.aging(due_on, open_amount, '2025-06-30', '{90,60}') FROM open_invoice;


-- a group whose every row is skipped is a group with no rows: NULL
SELECT arcollect.aging(d, a, '2025-01-01') IS NULL AS "null",
       arcollect.aging(d, a, '2025-01-01', '{10}') IS NULL AS "null"
FROM (VALUES (NULL::date, 1::numeric), ('2025-01-01', NULL)) AS v(d, a);

DROP TABLE open_invoice;
