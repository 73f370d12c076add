-- Average payment delay and average days late (src/payment_delay.c).

CREATE OR REPLACE FUNCTION arcollect.avg_payment_delay_transfn(internal, date, date, numeric)
RETURNS internal AS 'MODULE_PATHNAME', 'arcollect_payment_delay_transfn'
LANGUAGE C PARALLEL SAFE;

CREATE OR REPLACE FUNCTION arcollect.avg_payment_delay_combinefn(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'arcollect_payment_delay_combinefn'
LANGUAGE C PARALLEL SAFE;

CREATE OR REPLACE FUNCTION arcollect.avg_payment_delay_serialize(internal)
RETURNS bytea AS 'MODULE_PATHNAME', 'arcollect_payment_delay_serialize'
LANGUAGE C STRICT PARALLEL SAFE;

CREATE OR REPLACE FUNCTION arcollect.avg_payment_delay_deserialize(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'arcollect_payment_delay_deserialize'
LANGUAGE C STRICT PARALLEL SAFE;

CREATE OR REPLACE FUNCTION arcollect.avg_payment_delay_finalfn(internal)
RETURNS numeric AS 'MODULE_PATHNAME', 'arcollect_payment_delay_finalfn'
LANGUAGE C STRICT PARALLEL SAFE;

CREATE OR REPLACE AGGREGATE arcollect.avg_payment_delay(due_on date, paid_on date, amount numeric) (
    SFUNC = arcollect.avg_payment_delay_transfn,
    STYPE = internal, SSPACE = 64,
    FINALFUNC = arcollect.avg_payment_delay_finalfn,
    COMBINEFUNC = arcollect.avg_payment_delay_combinefn,
    SERIALFUNC = arcollect.avg_payment_delay_serialize,
    DESERIALFUNC = arcollect.avg_payment_delay_deserialize,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE arcollect.avg_payment_delay(date, date, numeric) IS
'Amount-weighted mean of paid_on - due_on in days; early payment counts negative. NULL when the amounts add up to zero.';

CREATE OR REPLACE FUNCTION arcollect.avg_days_late_transfn(internal, date, date)
RETURNS internal AS 'MODULE_PATHNAME', 'arcollect_days_late_transfn'
LANGUAGE C PARALLEL SAFE;

CREATE OR REPLACE FUNCTION arcollect.avg_days_late_combinefn(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'arcollect_days_late_combinefn'
LANGUAGE C PARALLEL SAFE;

CREATE OR REPLACE FUNCTION arcollect.avg_days_late_serialize(internal)
RETURNS bytea AS 'MODULE_PATHNAME', 'arcollect_days_late_serialize'
LANGUAGE C STRICT PARALLEL SAFE;

CREATE OR REPLACE FUNCTION arcollect.avg_days_late_deserialize(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'arcollect_days_late_deserialize'
LANGUAGE C STRICT PARALLEL SAFE;

CREATE OR REPLACE FUNCTION arcollect.avg_days_late_finalfn(internal)
RETURNS numeric AS 'MODULE_PATHNAME', 'arcollect_days_late_finalfn'
LANGUAGE C STRICT PARALLEL SAFE;

CREATE OR REPLACE AGGREGATE arcollect.avg_days_late(due_on date, paid_on date) (
    SFUNC = arcollect.avg_days_late_transfn,
    STYPE = internal, SSPACE = 32,
    FINALFUNC = arcollect.avg_days_late_finalfn,
    COMBINEFUNC = arcollect.avg_days_late_combinefn,
    SERIALFUNC = arcollect.avg_days_late_serialize,
    DESERIALFUNC = arcollect.avg_days_late_deserialize,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE arcollect.avg_days_late(date, date) IS
'Plain mean of greatest(paid_on - due_on, 0) in days: early payment counts as 0 days late.';
