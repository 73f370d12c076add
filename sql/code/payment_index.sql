-- Trade payment index (src/payment_index.c).

CREATE OR REPLACE FUNCTION arcollect.payment_index(days_beyond_terms numeric)
RETURNS integer
AS 'MODULE_PATHNAME', 'arcollect_payment_index'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION arcollect.payment_index(numeric) IS
'Trade payment index 1-100: 100 at 30+ days early, 80 on terms, 50 at 30 days beyond, 20 at 120 beyond; linear between anchors, rounded half up; past 120 days one point less per started 3 days (19 through 123), 1 past 174 days.';
