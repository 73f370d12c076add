-- The transition state of every arcollect aggregate (src/aggregate_state.c).
-- A type of the extension's own rather than internal: Citus pushes an
-- aggregate down to the workers of a distributed table (worker_partial_agg)
-- only when its state is a real type, which it moves to the coordinator
-- through the type's output and input functions; with internal it ships
-- every row to the coordinator instead.  A schema file: a type, like a
-- table, is made once and may hold data (a state kept in a table).
CREATE TYPE arcollect.aggregate_state;

CREATE FUNCTION arcollect.aggregate_state_in(cstring)
RETURNS arcollect.aggregate_state AS 'MODULE_PATHNAME', 'arcollect_aggregate_state_in'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION arcollect.aggregate_state_out(arcollect.aggregate_state)
RETURNS cstring AS 'MODULE_PATHNAME', 'arcollect_aggregate_state_out'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION arcollect.aggregate_state_recv(internal)
RETURNS arcollect.aggregate_state AS 'MODULE_PATHNAME', 'arcollect_aggregate_state_recv'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION arcollect.aggregate_state_send(arcollect.aggregate_state)
RETURNS bytea AS 'MODULE_PATHNAME', 'arcollect_aggregate_state_send'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Aligned as double: the state holds 128-bit sums, read in place.
CREATE TYPE arcollect.aggregate_state (
    INPUT = arcollect.aggregate_state_in,
    OUTPUT = arcollect.aggregate_state_out,
    RECEIVE = arcollect.aggregate_state_recv,
    SEND = arcollect.aggregate_state_send,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = extended
);

COMMENT ON TYPE arcollect.aggregate_state IS
'Transition state of the arcollect aggregates (aging, avg_payment_delay, avg_days_late, dso, best_possible_dso, dso_countback, risk_score): what a parallel worker or a Citus worker hands on to be combined. Its text form is the hexadecimal of its binary form; it is made by the aggregates, not by hand.';
COMMENT ON FUNCTION arcollect.aggregate_state_in(cstring) IS
'Input function of arcollect.aggregate_state: reads the hexadecimal text form and checks it.';
COMMENT ON FUNCTION arcollect.aggregate_state_out(arcollect.aggregate_state) IS
'Output function of arcollect.aggregate_state: the binary form in hexadecimal.';
COMMENT ON FUNCTION arcollect.aggregate_state_recv(internal) IS
'Receive function of arcollect.aggregate_state: reads the binary form and checks it.';
COMMENT ON FUNCTION arcollect.aggregate_state_send(arcollect.aggregate_state) IS
'Send function of arcollect.aggregate_state: the binary form, in network byte order.';
