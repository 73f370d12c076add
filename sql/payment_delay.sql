-- avg_payment_delay (amount-weighted) and avg_days_late (plain mean).

CREATE TABLE paid_invoice (customer text, due_on date, paid_on date, amount numeric);
INSERT INTO paid_invoice VALUES
    -- the example of the README (Definitions, payment delay): 10 paid 5 days late, 100 paid 10 days late
    ('example', '2025-01-01', '2025-01-06', 10),
    ('example', '2025-01-01', '2025-01-11', 100),
    -- early payment counts negative in the delay, as 0 in days late:
    -- 100 paid 10 days early, 100 paid 20 days late
    ('early', '2025-03-10', '2025-02-28', 100),
    ('early', '2025-03-10', '2025-03-30', 100),
    -- rows with a NULL input are skipped
    ('skip', '2025-01-01', NULL, 50),
    ('skip', '2025-01-01', '2025-01-04', NULL),
    ('skip', '2025-01-01', '2025-01-03', 20);

-- example: (10*5 + 100*10) / 110 = 1050/110 = 9.545454...; (5 + 10) / 2 = 7.5
-- early:   (100*-10 + 100*20) / 200 = 5;                  (0 + 20) / 2 = 10
-- skip:    avg_payment_delay needs all three inputs: only the last row, 2 days;
--          avg_days_late needs no amount: (3 + 2) / 2 = 2.5
SELECT customer,
       round(arcollect.avg_payment_delay(due_on, paid_on, amount), 6) AS avg_payment_delay,
       round(arcollect.avg_days_late(due_on, paid_on), 6) AS avg_days_late
FROM paid_invoice GROUP BY customer ORDER BY customer;

-- amounts that cancel out leave nothing to weigh by: NULL
SELECT arcollect.avg_payment_delay(d, p, a) IS NULL AS "null"
FROM (VALUES ('2025-01-01'::date, '2025-01-09'::date, 10::numeric),
             ('2025-01-01', '2025-01-02', -10)) AS v(d, p, a);

-- no rows: NULL, like avg()
SELECT arcollect.avg_payment_delay(due_on, paid_on, amount) IS NULL AS "null",
       arcollect.avg_days_late(due_on, paid_on) IS NULL AS "null"
FROM paid_invoice WHERE false;

-- rows that are all skipped: NULL, not a crash
SELECT arcollect.avg_payment_delay(d, p, a) IS NULL AS "null",
       arcollect.avg_days_late(d, p) IS NULL AS "null"
FROM (VALUES (NULL::date, '2025-01-01'::date, 1::numeric), ('2025-01-01', NULL, 1)) AS v(d, p, a);

DROP TABLE paid_invoice;
