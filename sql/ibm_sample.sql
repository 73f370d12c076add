-- An independent check on real data nobody here wrote: IBM's "Accounts
-- Receivable" sample (test/data/README.md).  The file carries its own
-- DaysLate = max(0, SettledDate - DueDate) and DaysToSettle columns, so the
-- aggregates can be compared with figures computed outside this project.

CREATE TABLE ibm_raw (country_code text, customer_id text, paperless_date text,
                      invoice_number text, invoice_date text, due_date text,
                      invoice_amount numeric, disputed text, settled_date text,
                      paperless_bill text, days_to_settle integer, days_late integer);
\copy ibm_raw FROM 'test/data/ibm-accounts-receivable.csv' WITH (FORMAT csv, HEADER true)

CREATE TABLE ibm AS
SELECT customer_id, invoice_number,
       to_date(invoice_date, 'MM/DD/YYYY') AS issued_on,
       to_date(due_date, 'MM/DD/YYYY') AS due_on,
       to_date(settled_date, 'MM/DD/YYYY') AS paid_on,
       invoice_amount AS amount, disputed = 'Yes' AS disputed,
       days_to_settle, days_late
FROM ibm_raw;

SELECT count(*) AS invoices, count(DISTINCT customer_id) AS customers,
       min(issued_on), max(issued_on), sum(amount) AS billed
FROM ibm;

-- the file's own definitions hold
SELECT bool_and(due_on = issued_on + 30) AS due_30_days_after_invoice,
       bool_and(days_to_settle = paid_on - issued_on) AS days_to_settle,
       bool_and(days_late = greatest(paid_on - due_on, 0)) AS days_late
FROM ibm;

-- avg_days_late equals the mean of the file's DaysLate, overall and per customer
SELECT arcollect.avg_days_late(due_on, paid_on) = avg(days_late) AS overall,
       round(arcollect.avg_days_late(due_on, paid_on), 4) AS avg_days_late
FROM ibm;
SELECT count(*) AS customers_checked,
       bool_and(arcollect_late = file_late) AS all_equal
FROM (SELECT arcollect.avg_days_late(due_on, paid_on) AS arcollect_late,
             avg(days_late) AS file_late
      FROM ibm GROUP BY customer_id) AS per_customer;

-- avg_payment_delay: amount-weighted mean of (DaysToSettle - 30), from the file's columns
SELECT arcollect.avg_payment_delay(due_on, paid_on, amount)
       = sum(amount * (days_to_settle - 30)) / sum(amount) AS matches_file,
       round(arcollect.avg_payment_delay(due_on, paid_on, amount), 4) AS avg_payment_delay
FROM ibm;

-- Aging as of 2013-06-30 of what was open that day (invoiced by then, settled after),
-- and its tie-out to the balance that day
SELECT arcollect.aging(due_on, amount, '2013-06-30') AS buckets,
       sum(amount) AS balance,
       (SELECT sum(b) FROM unnest(arcollect.aging(due_on, amount, '2013-06-30')) b) = sum(amount)
           AS ties_out
FROM ibm WHERE issued_on <= '2013-06-30' AND paid_on > '2013-06-30';

-- DSO figures for that day (open amount: the full invoice while unsettled)
SELECT round(arcollect.dso(issued_on, amount, CASE WHEN paid_on > '2013-06-30' THEN amount ELSE 0 END,
                           '2013-06-30'), 2) AS dso_90,
       round(arcollect.best_possible_dso(issued_on, due_on, amount,
                                         CASE WHEN paid_on > '2013-06-30' THEN amount ELSE 0 END,
                                         '2013-06-30'), 2) AS best_possible_dso_90,
       round(arcollect.dso_countback(issued_on, amount,
                                     CASE WHEN paid_on > '2013-06-30' THEN amount ELSE 0 END,
                                     '2013-06-30'), 2) AS countback_dso
FROM ibm;

-- the five riskiest customers at the end of 2013, with their payment index
SELECT customer_id,
       arcollect.risk_score(due_on, paid_on, amount, 0, '2013-12-31') AS risk_score,
       arcollect.payment_index(arcollect.avg_payment_delay(due_on, paid_on, amount)) AS payment_index,
       round(arcollect.avg_days_late(due_on, paid_on), 1) AS avg_days_late
FROM ibm GROUP BY customer_id
ORDER BY risk_score DESC, customer_id LIMIT 5;

DROP TABLE ibm, ibm_raw;
