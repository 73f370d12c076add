-- arcollect.aggregate_state, the transition state of every aggregate: a
-- real type (never internal, a pseudo-type, which Citus will not push down
-- to its workers), whose text and binary forms give back the same state,
-- whose input is checked, and which each aggregate's support functions
-- take only from their own aggregate.
SET client_min_messages = warning;

-- Every aggregate's state is arcollect.aggregate_state, a base type, with
-- a combine function and no serialize functions (a real type needs none).
SELECT p.oid::regprocedure AS aggregate, a.aggtranstype::regtype AS state, t.typtype,
       a.aggcombinefn <> 0 AS combines, a.aggserialfn <> 0 AS serializes
FROM pg_aggregate a
JOIN pg_proc p ON p.oid = a.aggfnoid
JOIN pg_type t ON t.oid = a.aggtranstype
WHERE p.pronamespace = 'arcollect'::regnamespace
ORDER BY 1::text;

-- Probes that return the state itself: the transition functions with no
-- final function.
CREATE SCHEMA state_form;
CREATE AGGREGATE state_form.aging(date, numeric, date, integer[]) (
    SFUNC = arcollect.aging_transfn, STYPE = arcollect.aggregate_state);
CREATE AGGREGATE state_form.avg_payment_delay(date, date, numeric) (
    SFUNC = arcollect.avg_payment_delay_transfn, STYPE = arcollect.aggregate_state);
CREATE AGGREGATE state_form.avg_days_late(date, date) (
    SFUNC = arcollect.avg_days_late_transfn, STYPE = arcollect.aggregate_state);
CREATE AGGREGATE state_form.best_possible_dso(date, date, numeric, numeric, date, integer) (
    SFUNC = arcollect.best_possible_dso_transfn, STYPE = arcollect.aggregate_state);
CREATE AGGREGATE state_form.dso_countback(date, numeric, numeric, date) (
    SFUNC = arcollect.dso_countback_transfn, STYPE = arcollect.aggregate_state);
CREATE AGGREGATE state_form.risk_score(date, date, numeric, numeric, date) (
    SFUNC = arcollect.risk_score_transfn, STYPE = arcollect.aggregate_state);

-- 2,000 invoices over 30 months; one in 13 has an amount outside the
-- 128-bit fast path (ten decimals, and one of 25 digits), so sums have a
-- numeric part too.
CREATE TABLE state_form.invoice AS
SELECT date '2023-01-01' + (n * 7919 % 900)::int AS issued_on,
       date '2023-01-31' + (n * 7919 % 900)::int AS due_on,
       date '2023-02-10' + (n * 104729 % 900)::int AS paid_on,
       CASE WHEN n = 1001 THEN 1234567890123456789012.345
            WHEN n % 13 = 0 THEN 10.0123456789
            ELSE (n * 9973 % 1000000) / 100.0 END AS amount,
       (n * 7727 % 100000) / 100.0 AS open_amount
FROM generate_series(1, 2000) AS n;

CREATE TABLE state_form.state AS
SELECT 'aging' AS aggregate,
       state_form.aging(due_on, open_amount + amount, date '2025-06-30', '{15,45,120}') AS state
  FROM state_form.invoice
UNION ALL SELECT 'avg_payment_delay', state_form.avg_payment_delay(due_on, paid_on, amount) FROM state_form.invoice
UNION ALL SELECT 'avg_days_late', state_form.avg_days_late(due_on, paid_on) FROM state_form.invoice
UNION ALL SELECT 'best_possible_dso',
       state_form.best_possible_dso(issued_on, due_on, amount, open_amount, date '2025-06-30', 60)
  FROM state_form.invoice
UNION ALL SELECT 'dso_countback', state_form.dso_countback(issued_on, amount, open_amount, date '2025-06-30')
  FROM state_form.invoice
UNION ALL SELECT 'risk_score', state_form.risk_score(due_on, paid_on, amount, open_amount, date '2025-06-30')
  FROM state_form.invoice;

-- What each state finishes to.
CREATE FUNCTION state_form.final(aggregate text, state arcollect.aggregate_state) RETURNS text
LANGUAGE sql AS $$
    SELECT CASE aggregate
        WHEN 'aging' THEN arcollect.aging_finalfn(state)::text
        WHEN 'avg_payment_delay' THEN arcollect.avg_payment_delay_finalfn(state)::text
        WHEN 'avg_days_late' THEN arcollect.avg_days_late_finalfn(state)::text
        WHEN 'best_possible_dso' THEN arcollect.dso_finalfn(state)::text
        WHEN 'dso_countback' THEN arcollect.dso_countback_finalfn(state)::text
        WHEN 'risk_score' THEN arcollect.risk_score_finalfn(state)::text
    END;
$$;

-- The probes give what the aggregates give.
SELECT s.aggregate, state_form.final(s.aggregate, s.state) = CASE s.aggregate
        WHEN 'aging' THEN (SELECT arcollect.aging(due_on, open_amount + amount, date '2025-06-30', '{15,45,120}')::text
                             FROM state_form.invoice)
        WHEN 'avg_payment_delay' THEN (SELECT arcollect.avg_payment_delay(due_on, paid_on, amount)::text
                                         FROM state_form.invoice)
        WHEN 'avg_days_late' THEN (SELECT arcollect.avg_days_late(due_on, paid_on)::text FROM state_form.invoice)
        WHEN 'best_possible_dso' THEN (SELECT arcollect.best_possible_dso(issued_on, due_on, amount, open_amount,
                                                                           date '2025-06-30', 60)::text
                                         FROM state_form.invoice)
        WHEN 'dso_countback' THEN (SELECT arcollect.dso_countback(issued_on, amount, open_amount, date '2025-06-30')::text
                                     FROM state_form.invoice)
        WHEN 'risk_score' THEN (SELECT arcollect.risk_score(due_on, paid_on, amount, open_amount, date '2025-06-30')::text
                                  FROM state_form.invoice)
    END AS same_as_the_aggregate,
    state_form.final(s.aggregate, s.state) AS result
FROM state_form.state s ORDER BY 1;

-- The text form (hexadecimal of the binary form, network byte order, so
-- the same on every machine) gives back the same state.
SELECT aggregate, length(state::text) AS hex_digits,
       state::text::arcollect.aggregate_state::text = state::text AS same_text,
       state_form.final(aggregate, state::text::arcollect.aggregate_state)
           = state_form.final(aggregate, state) AS same_result,
       decode(state::text, 'hex') = arcollect.aggregate_state_send(state) AS text_is_binary
FROM state_form.state ORDER BY 1;

-- So does the binary form, through COPY (FORMAT binary), which reads it
-- with the receive function.
SELECT format('/tmp/arcollect-aggregate-state-%s.bin', pg_backend_pid()) AS copy_file \gset
COPY state_form.state TO :'copy_file' (FORMAT binary);
CREATE TABLE state_form.copied (LIKE state_form.state);
COPY state_form.copied FROM :'copy_file' (FORMAT binary);
SELECT format('rm -f %s', :'copy_file') AS remove_file \gset
COPY (SELECT) TO PROGRAM :'remove_file';
SELECT s.aggregate, c.state::text = s.state::text AS same_state,
       state_form.final(c.aggregate, c.state) = state_form.final(s.aggregate, s.state) AS same_result
FROM state_form.state s JOIN state_form.copied c USING (aggregate) ORDER BY 1;

-- A state kept is combined later as the aggregate would have: two halves
-- of the rows, finished after the combine, give the aggregate over all.
WITH half AS (
    SELECT issued_on < date '2024-06-01' AS early,
           state_form.dso_countback(issued_on, amount, open_amount, date '2025-06-30') AS state
    FROM state_form.invoice GROUP BY 1)
SELECT arcollect.dso_countback_finalfn(arcollect.dso_countback_combinefn(e.state, l.state))::text
       = (SELECT arcollect.dso_countback(issued_on, amount, open_amount, date '2025-06-30')::text
            FROM state_form.invoice) AS halves_combine_to_the_whole
FROM half e, half l WHERE e.early AND NOT l.early;

-- Called outside an aggregate, a transition function leaves its state
-- argument as it was (it updates it in place only as an aggregate).
WITH s AS (SELECT arcollect.aging_transfn(NULL, date '2025-01-01', 10.00, date '2025-03-01') AS state)
SELECT arcollect.aging_finalfn(state) AS state,
       arcollect.aging_finalfn(arcollect.aging_transfn(state, date '2025-02-20', 5.00, date '2025-03-01')) AS plus_a_row,
       arcollect.aging_finalfn(arcollect.aging_combinefn(state, state)) AS doubled,
       arcollect.aging_finalfn(state) AS state_again
FROM s;

-- Each aggregate's functions take only their own aggregate's states.
SELECT arcollect.dso_finalfn(arcollect.aging_transfn(NULL, date '2025-01-01', 10.00, date '2025-03-01'));
SELECT arcollect.risk_score_combinefn(NULL, arcollect.avg_days_late_transfn(NULL, date '2025-01-01', date '2025-01-05'));
-- and combine only states of one as_of
SELECT arcollect.aging_combinefn(arcollect.aging_transfn(NULL, date '2025-01-01', 10.00, date '2025-03-01'),
                                 arcollect.aging_transfn(NULL, date '2025-01-01', 10.00, date '2025-03-02'));

-- Malformed input is an error with an SQLSTATE, never a state.
\set VERBOSITY sqlstate
SELECT 'zz'::arcollect.aggregate_state;
SELECT 'abc'::arcollect.aggregate_state;
SELECT ''::arcollect.aggregate_state;
SELECT '0701'::arcollect.aggregate_state;
SELECT '0102'::arcollect.aggregate_state;
\set VERBOSITY default
SELECT '0701'::arcollect.aggregate_state;
-- a state cut short, and one with bytes left over
SELECT left(state::text, 40)::arcollect.aggregate_state FROM state_form.state WHERE aggregate = 'aging';
SELECT (state::text || '00')::arcollect.aggregate_state FROM state_form.state WHERE aggregate = 'aging';
-- aging: bounds that do not increase
SELECT encode('\x0101'::bytea || int4send(date '2025-03-01' - date '2000-01-01') || int4send(2)
              || int4send(30) || int4send(20), 'hex')::arcollect.aggregate_state;
-- aging: an infinite as_of
SELECT encode('\x0101'::bytea || int4send(2147483647) || int4send(0), 'hex')::arcollect.aggregate_state;
-- avg_payment_delay: a sum of 10^-8 shown with 2 decimals, a NaN part
SELECT encode('\x0201'::bytea || int8send(0) || int8send(1) || int4send(2) || '\x00'::bytea
              || int8send(0) || int8send(0) || int4send(0) || '\x00'::bytea, 'hex')::arcollect.aggregate_state;
SELECT encode('\x0201'::bytea || int8send(0) || int8send(0) || int4send(0) || convert_to('NaN', 'UTF8') || '\x00'::bytea
              || int8send(0) || int8send(0) || int4send(0) || '\x00'::bytea, 'hex')::arcollect.aggregate_state;
-- avg_days_late: no rows
SELECT encode('\x0301'::bytea || int8send(5) || int8send(0), 'hex')::arcollect.aggregate_state;
-- dso: a period of 0 days
SELECT encode('\x0401'::bytea || int4send(9191) || int4send(0), 'hex')::arcollect.aggregate_state;
-- dso_countback: no month, and more months than the bytes hold
SELECT encode('\x0501'::bytea || int4send(9191) || int8send(0) || int8send(0) || int4send(0) || '\x00'::bytea
              || int4send(0), 'hex')::arcollect.aggregate_state;
SELECT encode('\x0501'::bytea || int4send(9191) || int8send(0) || int8send(0) || int4send(0) || '\x00'::bytea
              || int4send(100000), 'hex')::arcollect.aggregate_state;
-- risk_score: more late invoices than recorded ones
SELECT encode('\x0601'::bytea || int4send(9191)
              || int8send(0) || int8send(0) || int4send(0) || '\x00'::bytea
              || int8send(0) || int8send(0) || int4send(0) || '\x00'::bytea
              || int8send(1) || int8send(2)
              || int8send(0) || int8send(0) || int4send(0) || '\x00'::bytea
              || int8send(0) || int8send(0) || int4send(0) || '\x00'::bytea
              || int4send(0), 'hex')::arcollect.aggregate_state;
-- and a well-formed one made by hand reads back: a risk state of nothing
SELECT arcollect.risk_score_finalfn(encode('\x0601'::bytea || int4send(9191)
              || int8send(0) || int8send(0) || int4send(0) || '\x00'::bytea
              || int8send(0) || int8send(0) || int4send(0) || '\x00'::bytea
              || int8send(2) || int8send(1)
              || int8send(0) || int8send(0) || int4send(0) || '\x00'::bytea
              || int8send(0) || int8send(0) || int4send(0) || '\x00'::bytea
              || int4send(0), 'hex')::arcollect.aggregate_state);

-- Between installing this library and ALTER EXTENSION arcollect UPDATE,
-- 0.1.0's aggregates declare their state internal: the library refuses to
-- run under them rather than hand PostgreSQL a state it would not keep.
CREATE FUNCTION state_form.old_aging_transfn(internal, date, numeric, date) RETURNS internal
AS '$libdir/arcollect', 'arcollect_aging_transfn' LANGUAGE C;
CREATE FUNCTION state_form.old_aging_finalfn(internal) RETURNS numeric[]
AS '$libdir/arcollect', 'arcollect_aging_finalfn' LANGUAGE C STRICT;
CREATE AGGREGATE state_form.old_aging(date, numeric, date) (
    SFUNC = state_form.old_aging_transfn, STYPE = internal, FINALFUNC = state_form.old_aging_finalfn);
SELECT state_form.old_aging(due_on, open_amount, date '2025-06-30') FROM state_form.invoice;

DROP SCHEMA state_form CASCADE;
