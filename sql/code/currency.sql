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

-- How a message writes an amount: rounded as round_money does, with the
-- decimal mark and the thousands separator of the message's language (by
-- its primary subtag: de-AT writes as de).  Built from the number's own
-- text, never with to_char's D and G, so that lc_numeric and the other
-- settings of a session do not change what a customer reads; languages
-- not listed write as en.  Separators: en and the rest 1,234.50; da, de,
-- es, id, it, nl, pt, ro, tr 1.234,50; cs, fi, fr, nb, pl, ru, sk, sv, uk
-- 1 234,50 with a no-break space (U+00A0), so that a line is never broken
-- inside an amount.
-- One expression, not STRICT (it says what a NULL gives), so that the
-- planner inlines it where it is called: a message writes a dozen
-- amounts and a run writes a hundred thousand messages, and as a
-- function of its own each amount cost 0.17 ms (bench/README.md).
CREATE OR REPLACE FUNCTION arcollect.format_money(amount numeric, currency text, language text DEFAULT 'en')
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN amount IS NULL OR currency IS NULL OR language IS NULL THEN NULL
       ELSE CASE WHEN arcollect.round_money(amount, currency) < 0 THEN '-' ELSE '' END
            || pg_catalog.regexp_replace(
                   pg_catalog.split_part(pg_catalog.abs(arcollect.round_money(amount, currency))::text, '.', 1),
                   '(\d)(?=(\d{3})+$)',
                   -- the thousands separator
                   '\1' || CASE WHEN pg_catalog.lower(pg_catalog.split_part(language, '-', 1))
                                     IN ('da', 'de', 'es', 'id', 'it', 'nl', 'pt', 'ro', 'tr') THEN '.'
                                WHEN pg_catalog.lower(pg_catalog.split_part(language, '-', 1))
                                     IN ('cs', 'fi', 'fr', 'nb', 'pl', 'ru', 'sk', 'sv', 'uk') THEN pg_catalog.chr(160)
                                ELSE ',' END,
                   'g')
            || CASE WHEN pg_catalog.strpos(pg_catalog.abs(arcollect.round_money(amount, currency))::text, '.') > 0
                    -- the decimal mark
                    THEN CASE WHEN pg_catalog.lower(pg_catalog.split_part(language, '-', 1))
                                   IN ('da', 'de', 'es', 'id', 'it', 'nl', 'pt', 'ro', 'tr',
                                       'cs', 'fi', 'fr', 'nb', 'pl', 'ru', 'sk', 'sv', 'uk') THEN ','
                              ELSE '.' END
                         || pg_catalog.split_part(pg_catalog.abs(arcollect.round_money(amount, currency))::text, '.', 2)
                    ELSE '' END
       END;

COMMENT ON FUNCTION arcollect.format_money(numeric, text, text) IS
'The amount as a message writes it: rounded to the currency''s minor unit (arcollect.round_money), with the decimal mark and thousands separator of the language (by its primary subtag): format_money(1234.5, ''EUR'') is 1,234.50, format_money(1234.5, ''EUR'', ''de'') is 1.234,50, and fr writes 1 234,50 with a no-break space. The same whatever lc_numeric says; an unknown currency is an error (SQLSTATE 22023).';
