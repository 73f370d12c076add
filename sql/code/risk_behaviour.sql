-- The risk score once promises, payment plans and disputes are counted
-- (src/risk_behaviour.c; the rule is in the README's risk model).

CREATE OR REPLACE FUNCTION arcollect.risk_with_behaviour(base_score numeric, broken_promises bigint,
                                                         broken_plans bigint, open_disputes bigint)
RETURNS numeric
AS 'MODULE_PATHNAME', 'arcollect_risk_with_behaviour'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION arcollect.risk_with_behaviour(numeric, bigint, bigint, bigint) IS
'Collection risk 0-100 from a risk_score base and the customer''s records: 100 - (100 - base) x 0.75^broken promises x 0.60^broken plans x 0.95^min(open disputes, 3), rounded to 2 decimals.';
