-- ISO 4217 currency codes (src/currency.c): the ledger's tables check
-- their currency columns with it.

CREATE OR REPLACE FUNCTION arcollect.is_currency_code(code text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'arcollect_is_currency_code'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION arcollect.is_currency_code(text) IS
'True when code is a known ISO 4217 currency code (upper case, three letters).';
