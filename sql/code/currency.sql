-- ISO 4217 currency codes (src/currency.c): the ledger's tables check
-- their currency columns with it.

CREATE OR REPLACE FUNCTION arcollect.is_currency_code(code text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'arcollect_is_currency_code'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION arcollect.is_currency_code(text) IS
'True when code is a known ISO 4217 currency code (upper case, three letters).';

-- Money rounds to the currency's minor unit, half away from zero (what
-- numeric round() does): one rule for every amount arcollect computes
-- that someone bills or shows (late-payment interest, messages).
CREATE OR REPLACE FUNCTION arcollect.currency_minor_unit(code text)
RETURNS integer
AS 'MODULE_PATHNAME', 'arcollect_currency_minor_unit'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION arcollect.currency_minor_unit(text) IS
'Number of decimal digits of the currency''s minor unit in ISO 4217 (2 for EUR, 0 for JPY, 3 for KWD); NULL for codes ISO 4217 gives none (XAU, XDR). An unknown code is an error (SQLSTATE 22023).';

CREATE OR REPLACE FUNCTION arcollect.round_money(amount numeric, currency text)
RETURNS numeric
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT CASE WHEN arcollect.currency_minor_unit(round_money.currency) IS NULL THEN round_money.amount
                ELSE pg_catalog.round(round_money.amount, arcollect.currency_minor_unit(round_money.currency)) END;
END;

COMMENT ON FUNCTION arcollect.round_money(numeric, text) IS
'The amount rounded to the minor unit of the currency (ISO 4217), half away from zero: round_money(8.635, ''EUR'') is 8.64, round_money(-8.635, ''EUR'') is -8.64, round_money(1234.5, ''JPY'') is 1235. Unchanged for a code with no minor unit (XAU); an unknown code is an error (SQLSTATE 22023).';
