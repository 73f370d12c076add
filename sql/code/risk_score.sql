-- Explainable collection risk score (src/risk_score.c; formula in README).

CREATE OR REPLACE FUNCTION arcollect.risk_score_transfn(internal, date, date, numeric, numeric, date)
RETURNS internal AS 'MODULE_PATHNAME', 'arcollect_risk_score_transfn'
LANGUAGE C PARALLEL SAFE;

CREATE OR REPLACE FUNCTION arcollect.risk_score_combinefn(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'arcollect_risk_score_combinefn'
LANGUAGE C PARALLEL SAFE;

CREATE OR REPLACE FUNCTION arcollect.risk_score_serialize(internal)
RETURNS bytea AS 'MODULE_PATHNAME', 'arcollect_risk_score_serialize'
LANGUAGE C STRICT PARALLEL SAFE;

CREATE OR REPLACE FUNCTION arcollect.risk_score_deserialize(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'arcollect_risk_score_deserialize'
LANGUAGE C STRICT PARALLEL SAFE;

CREATE OR REPLACE FUNCTION arcollect.risk_score_finalfn(internal)
RETURNS numeric AS 'MODULE_PATHNAME', 'arcollect_risk_score_finalfn'
LANGUAGE C STRICT PARALLEL SAFE;

CREATE OR REPLACE AGGREGATE arcollect.risk_score(due_on date, paid_on date, amount numeric,
                                      open_amount numeric, as_of date) (
    SFUNC = arcollect.risk_score_transfn, STYPE = internal, SSPACE = 256,
    FINALFUNC = arcollect.risk_score_finalfn,
    COMBINEFUNC = arcollect.risk_score_combinefn,
    SERIALFUNC = arcollect.risk_score_serialize,
    DESERIALFUNC = arcollect.risk_score_deserialize,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE arcollect.risk_score(date, date, numeric, numeric, date) IS
'Collection risk 0-100 from invoice history: 35 x days late (full at 60) + 20 x share paid late + 20 x overdue share of balance + 25 x oldest overdue age (full at 120 days).';
