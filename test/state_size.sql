-- Runs as role arcollect_suite with an empty search_path (README, Tests).
-- Aggregate state stays the same size whatever the number of rows
-- (countback: whatever the number of rows within the same months).
-- Each aggregate's transition function is wrapped in a test aggregate
-- without a final function, which returns the state itself
-- (arcollect.aggregate_state), so that its size in memory can be read
-- (pg_column_size: the bytes PostgreSQL keeps for it, spare room
-- included).
BEGIN;
SELECT tap.plan(8);

CREATE AGGREGATE billing.tap_state_aging(date, numeric, date) (
    SFUNC = arcollect.aging_transfn, STYPE = arcollect.aggregate_state);
CREATE AGGREGATE billing.tap_state_avg_payment_delay(date, date, numeric) (
    SFUNC = arcollect.avg_payment_delay_transfn, STYPE = arcollect.aggregate_state);
CREATE AGGREGATE billing.tap_state_avg_days_late(date, date) (
    SFUNC = arcollect.avg_days_late_transfn, STYPE = arcollect.aggregate_state);
CREATE AGGREGATE billing.tap_state_dso(date, numeric, numeric, date) (
    SFUNC = arcollect.dso_transfn, STYPE = arcollect.aggregate_state);
CREATE AGGREGATE billing.tap_state_best_possible_dso(date, date, numeric, numeric, date) (
    SFUNC = arcollect.best_possible_dso_transfn, STYPE = arcollect.aggregate_state);
CREATE AGGREGATE billing.tap_state_dso_countback(date, numeric, numeric, date) (
    SFUNC = arcollect.dso_countback_transfn, STYPE = arcollect.aggregate_state);
CREATE AGGREGATE billing.tap_state_risk_score(date, date, numeric, numeric, date) (
    SFUNC = arcollect.risk_score_transfn, STYPE = arcollect.aggregate_state);

-- Invoices issued over 2025 with amounts of two decimals; the small set is
-- the first 100 rows of the large one, so both span the same months.
CREATE TABLE billing.tap_state_invoice AS
SELECT n, date '2025-01-01' + ((n::bigint * 7919) % 365)::int AS issued_on,
       date '2025-01-31' + ((n::bigint * 7919) % 365)::int AS due_on,
       date '2025-02-10' + ((n::bigint * 104729) % 365)::int AS paid_on,
       ((n::bigint * 9973) % 1000000) / 100.0 AS amount,
       ((n::bigint * 7727) % 100000) / 100.0 AS open_amount
FROM generate_series(1, 200000) AS n;

CREATE FUNCTION billing.tap_state_sizes(rows integer) RETURNS TABLE (aggregate text, bytes integer)
LANGUAGE sql AS $$
    SELECT 'aging', pg_column_size(billing.tap_state_aging(due_on, open_amount, date '2025-12-31'))
        FROM billing.tap_state_invoice WHERE n <= rows
    UNION ALL SELECT 'avg_payment_delay', pg_column_size(billing.tap_state_avg_payment_delay(due_on, paid_on, amount))
        FROM billing.tap_state_invoice WHERE n <= rows
    UNION ALL SELECT 'avg_days_late', pg_column_size(billing.tap_state_avg_days_late(due_on, paid_on))
        FROM billing.tap_state_invoice WHERE n <= rows
    UNION ALL SELECT 'dso', pg_column_size(billing.tap_state_dso(issued_on, amount, open_amount, date '2025-12-31'))
        FROM billing.tap_state_invoice WHERE n <= rows
    UNION ALL SELECT 'best_possible_dso',
        pg_column_size(billing.tap_state_best_possible_dso(issued_on, due_on, amount, open_amount, date '2025-12-31'))
        FROM billing.tap_state_invoice WHERE n <= rows
    UNION ALL SELECT 'dso_countback',
        pg_column_size(billing.tap_state_dso_countback(issued_on, amount, open_amount, date '2025-12-31'))
        FROM billing.tap_state_invoice WHERE n <= rows
    UNION ALL SELECT 'risk_score',
        pg_column_size(billing.tap_state_risk_score(due_on, paid_on, amount, open_amount, date '2025-12-31'))
        FROM billing.tap_state_invoice WHERE n <= rows
$$;

SELECT tap.is(large.bytes, small.bytes,
              format('%s state is as large after 200,000 rows as after 100 (%s bytes)',
                     small.aggregate, small.bytes))
FROM billing.tap_state_sizes(100) AS small JOIN billing.tap_state_sizes(200000) AS large USING (aggregate)
ORDER BY aggregate;

-- Countback grows with the months its rows span, not with their number.
SELECT tap.cmp_ok(
    (SELECT pg_column_size(billing.tap_state_dso_countback(d, 1.00, 1.00, date '2025-12-31'))
       FROM (VALUES (date '2025-12-01'), (date '2025-12-02')) v(d)),
    '<',
    (SELECT pg_column_size(billing.tap_state_dso_countback(d, 1.00, 1.00, date '2025-12-31'))
       FROM (VALUES (date '2025-12-01'), (date '2020-01-01')) v(d)),
    'dso_countback state over one month is smaller than over six years');

SELECT * FROM tap.finish();
ROLLBACK;
