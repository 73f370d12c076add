-- CEI over a month of invoices, fed by the aggregates, as a finance user
-- would compute it for June 2025.

CREATE TABLE ar (issued_on date, due_on date, amount numeric, paid_on date);
INSERT INTO ar VALUES
    ('2025-05-05', '2025-06-04', 1000, '2025-06-10'),  -- open on May 31, paid in June
    ('2025-05-20', '2025-06-19', 500, NULL),           -- open all along, overdue by June 30
    ('2025-06-03', '2025-07-03', 2000, '2025-06-25'),  -- sold and paid in June
    ('2025-06-20', '2025-07-20', 800, NULL);           -- sold in June, current on June 30

-- beginning AR (May 31) 1500; June credit sales 2800; ending AR (June 30) 1300,
-- of which current 800.  CEI = (1500 + 2800 - 1300) / (1500 + 2800 - 800) * 100
--                            = 3000 / 3500 * 100 = 85.714286
WITH figures AS (
    SELECT sum(amount) FILTER (WHERE issued_on <= '2025-05-31'
                               AND (paid_on IS NULL OR paid_on > '2025-05-31')) AS beginning_ar,
           sum(amount) FILTER (WHERE issued_on BETWEEN '2025-06-01' AND '2025-06-30') AS credit_sales,
           (arcollect.aging(due_on, amount, '2025-06-30')
                FILTER (WHERE paid_on IS NULL OR paid_on > '2025-06-30')) AS aging_june
    FROM ar
)
SELECT beginning_ar, credit_sales,
       (SELECT sum(x) FROM unnest(aging_june) x) AS ending_ar,
       aging_june[1] AS ending_current_ar,
       round(arcollect.cei(beginning_ar, credit_sales,
                           (SELECT sum(x) FROM unnest(aging_june) x), aging_june[1]), 6) AS cei
FROM figures;

DROP TABLE ar;
