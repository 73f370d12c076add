-- Runs as role arcollect_suite with an empty search_path (README, Tests).
-- Aggregate state stays the same size whatever the number of rows
-- (countback: whatever the number of rows within the same months).
-- Each aggregate's transition function is wrapped in a test aggregate whose
-- final function is the serialize function, so the state's size can be read.
BEGIN;
SELECT tap.plan(7);

-- PostgreSQL lets only a superuser create an aggregate whose state is
-- internal (given the wrong functions, such an aggregate could crash the
-- server), so the probes are created as the session's superuser, in a
-- schema that belongs to the suite's role.
SELECT current_user AS suite_role \gset
SET ROLE NONE;
CREATE SCHEMA state_probe AUTHORIZATION :"suite_role";
CREATE AGGREGATE state_probe.aging(date, numeric, date) (
    SFUNC = arcollect.aging_transfn, STYPE = internal, FINALFUNC = arcollect.aging_serialize);
CREATE AGGREGATE state_probe.avg_payment_delay(date, date, numeric) (
    SFUNC = arcollect.avg_payment_delay_transfn, STYPE = internal,
    FINALFUNC = arcollect.avg_payment_delay_serialize);
CREATE AGGREGATE state_probe.avg_days_late(date, date) (
    SFUNC = arcollect.avg_days_late_transfn, STYPE = internal,
    FINALFUNC = arcollect.avg_days_late_serialize);
CREATE AGGREGATE state_probe.dso(date, numeric, numeric, date) (
    SFUNC = arcollect.dso_transfn, STYPE = internal, FINALFUNC = arcollect.dso_serialize);
CREATE AGGREGATE state_probe.best_possible_dso(date, date, numeric, numeric, date) (
    SFUNC = arcollect.best_possible_dso_transfn, STYPE = internal,
    FINALFUNC = arcollect.dso_serialize);
CREATE AGGREGATE state_probe.dso_countback(date, numeric, numeric, date) (
    SFUNC = arcollect.dso_countback_transfn, STYPE = internal,
    FINALFUNC = arcollect.dso_countback_serialize);
CREATE AGGREGATE state_probe.risk_score(date, date, numeric, numeric, date) (
    SFUNC = arcollect.risk_score_transfn, STYPE = internal,
    FINALFUNC = arcollect.risk_score_serialize);
RESET ROLE;

-- Invoices issued over 2025 with amounts of two decimals; the small set is
-- the first 100 rows of the large one, so both span the same months.
CREATE TABLE state_probe.invoice AS
SELECT n, date '2025-01-01' + ((n::bigint * 7919) % 365)::int AS issued_on,
       date '2025-01-31' + ((n::bigint * 7919) % 365)::int AS due_on,
       date '2025-02-10' + ((n::bigint * 104729) % 365)::int AS paid_on,
       ((n::bigint * 9973) % 1000000) / 100.0 AS amount,
       ((n::bigint * 7727) % 100000) / 100.0 AS open_amount
FROM generate_series(1, 200000) AS n;

CREATE FUNCTION state_probe.sizes(rows integer) RETURNS TABLE (aggregate text, bytes integer)
LANGUAGE sql AS $$
    SELECT 'aging', octet_length(state_probe.aging(due_on, open_amount, date '2025-12-31'))
        FROM state_probe.invoice WHERE n <= rows
    UNION ALL SELECT 'avg_payment_delay', octet_length(state_probe.avg_payment_delay(due_on, paid_on, amount))
        FROM state_probe.invoice WHERE n <= rows
    UNION ALL SELECT 'avg_days_late', octet_length(state_probe.avg_days_late(due_on, paid_on))
        FROM state_probe.invoice WHERE n <= rows
    UNION ALL SELECT 'dso', octet_length(state_probe.dso(issued_on, amount, open_amount, date '2025-12-31'))
        FROM state_probe.invoice WHERE n <= rows
    UNION ALL SELECT 'best_possible_dso',
        octet_length(state_probe.best_possible_dso(issued_on, due_on, amount, open_amount, date '2025-12-31'))
        FROM state_probe.invoice WHERE n <= rows
    UNION ALL SELECT 'dso_countback',
        octet_length(state_probe.dso_countback(issued_on, amount, open_amount, date '2025-12-31'))
        FROM state_probe.invoice WHERE n <= rows
    UNION ALL SELECT 'risk_score',
        octet_length(state_probe.risk_score(due_on, paid_on, amount, open_amount, date '2025-12-31'))
        FROM state_probe.invoice WHERE n <= rows
$$;

SELECT tap.is(large.bytes, small.bytes,
              format('%s state is as large after 200,000 rows as after 100 (%s bytes)',
                     small.aggregate, small.bytes))
FROM state_probe.sizes(100) AS small JOIN state_probe.sizes(200000) AS large USING (aggregate)
ORDER BY aggregate;

SELECT * FROM tap.finish();
ROLLBACK;
