-- The main job's reports, as of today, after scripts/demo_quarter.sql:
-- what a credit controller, a collector and treasury read, from the
-- views BI tools read (arcollect.aging_report, kpi_monthly, worklist,
-- touchpoints, disputes, cash_forecast).  The psql variable report_dir
-- names the folder the chart data goes to (CSV files, drawn by
-- scripts/demo_charts.sh).
\set ON_ERROR_STOP on
\pset footer off
SET client_min_messages = warning;

\echo
\echo '== The quarter =='
SELECT min(as_of) AS first_run, max(as_of) AS last_run, count(*) AS runs,
       sum(touchpoints_planned) AS touchpoints_planned, sum(touchpoints_skipped) AS skipped,
       sum(touchpoints_cancelled) AS cancelled, sum(escalations_ended) AS escalations_ended,
       sum(holds_set) AS credit_holds_set
FROM arcollect.escalation_run WHERE status = 'done';
SELECT channel, status, coalesce(outcome, reason, '') AS outcome_or_reason, count(*) AS touchpoints
FROM arcollect.touchpoints GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;

\echo
\echo '== Aging today: open amounts by days past due, per currency =='
SELECT currency, sum("current") AS "current", sum(days_1_30) AS "1-30", sum(days_31_60) AS "31-60",
       sum(days_61_90) AS "61-90", sum(days_91_plus) AS "91+", sum(total) AS total,
       sum(disputed) AS disputed
FROM arcollect.aging_report GROUP BY currency ORDER BY currency;

\echo
\echo '== Aging by owner =='
SELECT owner, currency, "current", days_1_30 AS "1-30", days_31_60 AS "31-60",
       days_61_90 AS "61-90", days_91_plus AS "91+", total
FROM arcollect.aging_by_owner ORDER BY currency, owner;

\echo
\echo '== KPIs by month, the months the history covers whole (DSO over the month''s own days) =='
SELECT to_char(month, 'YYYY-MM') AS month, currency, credit_sales, cash_collected, ending_ar,
       round(dso, 1) AS dso, round(best_possible_dso, 1) AS best_dso,
       round(average_days_delinquent, 1) AS days_delinquent, round(cei, 1) AS cei,
       round(collection_rate, 1) AS collection_rate, round(percent_current, 1) AS pct_current
FROM arcollect.kpi_monthly
WHERE month >= date_trunc('month', current_date - 240) AND month < date_trunc('month', current_date)
ORDER BY currency, month;

\echo
\echo '== Today''s worklist for Ana =='
SELECT priority, customer_id, channel, reason, currency, overdue_amount, oldest_days_overdue, risk_score
FROM arcollect.worklist WHERE owner = 'Ana' ORDER BY priority;

\echo
\echo '== What customer C001 received this quarter (it stopped paying) =='
SELECT planned_for::date AS day, channel, step_no AS step, status, coalesce(outcome, reason) AS outcome,
       invoices_listed, subject
FROM arcollect.touchpoints WHERE customer_id = 'C001' AND planned_for >= current_date - 90
ORDER BY planned_for, touchpoint_id;
SELECT customer_id, since, reason FROM arcollect.credit_holds ORDER BY customer_id;

\echo
\echo '== Disputes =='
SELECT dispute_id, customer_id, invoice_key, reason_code, status, disputed_amount, opened_on, closed_on
FROM arcollect.disputes ORDER BY dispute_id;
SELECT * FROM arcollect.dispute_summary;

\echo
\echo '== Payment plans and promises =='
SELECT plan_id, customer_id, currency, status, status_on, created_on, total_amount, paid_amount
FROM arcollect.payment_plans ORDER BY plan_id;
SELECT promise_id, customer_id, currency, amount, made_on, promised_on, status, paid_amount
FROM arcollect.promises ORDER BY promise_id;

\echo
\echo '== Cash forecast: expected collections per week, next 13 weeks =='
SELECT week_start, currency, round(expected_amount, 2) AS expected_amount
FROM arcollect.cash_forecast ORDER BY currency, week_start;

-- The charts' data.
\set aging_csv :report_dir '/aging_by_owner.csv'
\set kpi_csv :report_dir '/kpi_monthly.csv'
\set forecast_csv :report_dir '/cash_forecast.csv'
COPY (SELECT coalesce(owner, '(none)') AS owner, currency, "current", days_1_30, days_31_60,
             days_61_90, days_91_plus
      FROM arcollect.aging_by_owner ORDER BY currency, owner)
TO STDOUT WITH (FORMAT csv, HEADER) \g :aging_csv
COPY (SELECT month, currency, round(dso, 1), round(best_possible_dso, 1), round(cei, 1)
      FROM arcollect.kpi_monthly
      WHERE month >= date_trunc('month', current_date - 240) AND month < date_trunc('month', current_date)
      ORDER BY currency, month)
TO STDOUT WITH (FORMAT csv, HEADER) \g :kpi_csv
COPY (SELECT week_start, currency, round(expected_amount, 2), round(naive_amount, 2)
      FROM arcollect.cash_forecast ORDER BY currency, week_start)
TO STDOUT WITH (FORMAT csv, HEADER) \g :forecast_csv
