-- risk_score: hand-computed scores for three customers as of 2025-06-30.
--
-- score = 35 * min(weighted days late / 60, 1) + 20 * share paid late
--       + 20 * overdue share of the positive open balance
--       + 25 * min(days the oldest open item is overdue / 120, 1)

CREATE TABLE history (customer text, due_on date, paid_on date, amount numeric, open_amount numeric);
INSERT INTO history VALUES
    -- mixed: four invoices
    ('mixed', '2025-05-01', '2025-05-31', 100, 0),    -- paid 30 days late
    ('mixed', '2025-06-01', '2025-05-25', 300, 0),    -- paid early: 0 days late
    ('mixed', '2025-05-31', NULL, 200, 200),          -- open, 30 days overdue
    ('mixed', '2025-07-15', NULL, 400, 400),          -- open, not due: no record yet
    ('mixed', '2025-08-01', '2025-07-20', 999, 0),    -- paid after as_of, not due then: no record
    -- prompt: always early or on time, nothing overdue
    ('prompt', '2025-05-01', '2025-04-28', 500, 0),
    ('prompt', '2025-06-01', '2025-06-01', 500, 0),
    ('prompt', '2025-07-31', NULL, 700, 700),
    -- worst: 90 days late, and 200 days overdue on all it owes
    ('worst', '2025-01-01', '2025-04-01', 100, 0),
    ('worst', '2024-12-12', NULL, 100, 100);

-- mixed: records are the first three (600); weighted days late
--        (100*30 + 200*30) / 600 = 15 -> 35 * 15/60 = 8.75
--        late share 2 of 3 -> 13.33; overdue share 200 / 600 -> 6.67
--        oldest overdue 30 days -> 25 * 30/120 = 6.25; total 35.00
-- prompt: 0
-- worst:  weighted late (100*90 + 100*200) / 200 = 145 -> full 35;
--         2 of 2 late -> 20; all owed is overdue -> 20; 200 days -> full 25: 100
SELECT customer, arcollect.risk_score(due_on, paid_on, amount, open_amount, '2025-06-30') AS risk_score
FROM history GROUP BY customer ORDER BY customer;

-- paying the 30-day-late invoice later still (45 days) raises the score:
-- weighted late (100*45 + 200*30) / 600 = 17.5 -> 10.21; total 36.46
UPDATE history SET paid_on = '2025-06-15' WHERE customer = 'mixed' AND amount = 100;
SELECT arcollect.risk_score(due_on, paid_on, amount, open_amount, '2025-06-30') AS "36.46"
FROM history WHERE customer = 'mixed';

-- no rows: NULL
SELECT arcollect.risk_score(due_on, paid_on, amount, open_amount, '2025-06-30') IS NULL AS "null"
FROM history WHERE false;

-- rows that are all skipped (paid_on may be NULL, the rest may not): NULL
SELECT arcollect.risk_score(d, NULL, a, o, '2025-06-30') IS NULL AS "null"
FROM (VALUES (NULL::date, 1::numeric, 1::numeric), ('2025-06-01', NULL, 1), ('2025-06-01', 1, NULL)) AS v(d, a, o);

DROP TABLE history;
