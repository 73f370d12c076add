-- Explainable collection risk score (src/risk_score.c; formula in README).

CREATE OR REPLACE FUNCTION arcollect.risk_score_transfn(arcollect.aggregate_state, date, date, numeric, numeric, date)
RETURNS arcollect.aggregate_state AS 'MODULE_PATHNAME', 'arcollect_risk_score_transfn'
LANGUAGE C PARALLEL SAFE;

CREATE OR REPLACE FUNCTION arcollect.risk_score_combinefn(arcollect.aggregate_state, arcollect.aggregate_state)
RETURNS arcollect.aggregate_state AS 'MODULE_PATHNAME', 'arcollect_risk_score_combinefn'
LANGUAGE C PARALLEL SAFE;

CREATE OR REPLACE FUNCTION arcollect.risk_score_finalfn(arcollect.aggregate_state)
RETURNS numeric AS 'MODULE_PATHNAME', 'arcollect_risk_score_finalfn'
LANGUAGE C STRICT PARALLEL SAFE;

CREATE OR REPLACE AGGREGATE arcollect.risk_score(due_on date, paid_on date, amount numeric,
                                      open_amount numeric, as_of date) (
    SFUNC = arcollect.risk_score_transfn, STYPE = arcollect.aggregate_state, SSPACE = 136,
    FINALFUNC = arcollect.risk_score_finalfn,
    COMBINEFUNC = arcollect.risk_score_combinefn,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE arcollect.risk_score(date, date, numeric, numeric, date) IS
'Collection risk 0-100 from invoice history: 35 x days late (full at 60) + 20 x share paid late + 20 x overdue share of balance + 25 x oldest overdue age (full at 120 days).';
