-- The disputes open today by reason and currency, for BI tools: how many,
-- how much, and how long they have been open.  Open today is
-- arcollect.disputes_open_on(current_date); the age of a dispute is the
-- days since it was opened.  security_invoker: it reads the disputes with
-- the caller's rights (aging_report.sql says why).

CREATE OR REPLACE VIEW arcollect.dispute_summary WITH (security_invoker = true) AS
SELECT d.reason_code, r.description AS reason, d.currency,
       count(*)::integer AS open_disputes,
       count(DISTINCT d.customer_id)::integer AS customers,
       sum(d.disputed_amount) AS disputed_amount,
       avg(current_date - d.opened_on) AS average_days_open,
       max(current_date - d.opened_on) AS oldest_days_open
  FROM arcollect.disputes_open_on(current_date) d
  JOIN arcollect.dispute_reason r ON r.reason_code = d.reason_code
 GROUP BY d.reason_code, r.description, d.currency;

COMMENT ON VIEW arcollect.dispute_summary IS
'Disputes open today by reason and currency: how many, for how many customers, the amount disputed, and their average and oldest age in days.';
COMMENT ON COLUMN arcollect.dispute_summary.reason_code IS 'Why the customers dispute (arcollect.dispute_reason).';
COMMENT ON COLUMN arcollect.dispute_summary.reason IS 'Description of the reason.';
COMMENT ON COLUMN arcollect.dispute_summary.currency IS 'Currency of the amounts (ISO 4217).';
COMMENT ON COLUMN arcollect.dispute_summary.open_disputes IS 'Number of disputes open today for this reason.';
COMMENT ON COLUMN arcollect.dispute_summary.customers IS 'Number of customers with such a dispute open.';
COMMENT ON COLUMN arcollect.dispute_summary.disputed_amount IS 'Total amount of those disputes.';
COMMENT ON COLUMN arcollect.dispute_summary.average_days_open IS 'Average days since they were opened.';
COMMENT ON COLUMN arcollect.dispute_summary.oldest_days_open IS 'Days since the oldest of them was opened.';
