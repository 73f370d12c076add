-- Collection Effectiveness Index (src/cei.c).

CREATE OR REPLACE FUNCTION arcollect.cei(beginning_ar numeric, credit_sales numeric,
                              ending_ar numeric, ending_current_ar numeric,
                              months integer DEFAULT 1)
RETURNS numeric
AS 'MODULE_PATHNAME', 'arcollect_cei'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION arcollect.cei(numeric, numeric, numeric, numeric, integer) IS
'Collection Effectiveness Index in percent: (B + S/m - E) / (B + S/m - EC) * 100. NULL when the denominator is zero.';
