-- Average payment delay and average days late (src/payment_delay.c).

CREATE OR REPLACE FUNCTION arcollect.avg_payment_delay_transfn(arcollect.aggregate_state, date, date, numeric)
RETURNS arcollect.aggregate_state AS 'MODULE_PATHNAME', 'arcollect_payment_delay_transfn'
LANGUAGE C PARALLEL SAFE;

CREATE OR REPLACE FUNCTION arcollect.avg_payment_delay_combinefn(arcollect.aggregate_state, arcollect.aggregate_state)
RETURNS arcollect.aggregate_state AS 'MODULE_PATHNAME', 'arcollect_payment_delay_combinefn'
LANGUAGE C PARALLEL SAFE;

CREATE OR REPLACE FUNCTION arcollect.avg_payment_delay_finalfn(arcollect.aggregate_state)
RETURNS numeric AS 'MODULE_PATHNAME', 'arcollect_payment_delay_finalfn'
LANGUAGE C STRICT PARALLEL SAFE;

CREATE OR REPLACE AGGREGATE arcollect.avg_payment_delay(due_on date, paid_on date, amount numeric) (
    SFUNC = arcollect.avg_payment_delay_transfn,
    STYPE = arcollect.aggregate_state, SSPACE = 64,
    FINALFUNC = arcollect.avg_payment_delay_finalfn,
    COMBINEFUNC = arcollect.avg_payment_delay_combinefn,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE arcollect.avg_payment_delay(date, date, numeric) IS
'Amount-weighted mean of paid_on - due_on in days; early payment counts negative. NULL when the amounts add up to zero.';

CREATE OR REPLACE FUNCTION arcollect.avg_days_late_transfn(arcollect.aggregate_state, date, date)
RETURNS arcollect.aggregate_state AS 'MODULE_PATHNAME', 'arcollect_days_late_transfn'
LANGUAGE C PARALLEL SAFE;

CREATE OR REPLACE FUNCTION arcollect.avg_days_late_combinefn(arcollect.aggregate_state, arcollect.aggregate_state)
RETURNS arcollect.aggregate_state AS 'MODULE_PATHNAME', 'arcollect_days_late_combinefn'
LANGUAGE C PARALLEL SAFE;

CREATE OR REPLACE FUNCTION arcollect.avg_days_late_finalfn(arcollect.aggregate_state)
RETURNS numeric AS 'MODULE_PATHNAME', 'arcollect_days_late_finalfn'
LANGUAGE C STRICT PARALLEL SAFE;

CREATE OR REPLACE AGGREGATE arcollect.avg_days_late(due_on date, paid_on date) (
    SFUNC = arcollect.avg_days_late_transfn,
    STYPE = arcollect.aggregate_state, SSPACE = 32,
    FINALFUNC = arcollect.avg_days_late_finalfn,
    COMBINEFUNC = arcollect.avg_days_late_combinefn,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE arcollect.avg_days_late(date, date) IS
'Plain mean of greatest(paid_on - due_on, 0) in days: early payment counts as 0 days late.';
