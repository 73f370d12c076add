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
CREATE OR REPLACE FUNCTION arcollect.format_money(amount numeric, currency text, language text DEFAULT 'en')
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT CASE WHEN r.rounded < 0 THEN '-' ELSE '' END
           || pg_catalog.regexp_replace(pg_catalog.split_part(r.digits, '.', 1), '(\d)(?=(\d{3})+$)',
                                        '\1' || s.thousands, 'g')
           || CASE WHEN pg_catalog.strpos(r.digits, '.') > 0
                   THEN s.decimal_mark || pg_catalog.split_part(r.digits, '.', 2) ELSE '' END
      FROM (SELECT arcollect.round_money(format_money.amount, format_money.currency) AS rounded,
                   pg_catalog.abs(arcollect.round_money(format_money.amount, format_money.currency))::text AS digits) r,
           -- the thousands separator, then the decimal mark
           (SELECT pg_catalog.left(m.marks, 1) AS thousands, pg_catalog.right(m.marks, 1) AS decimal_mark
              FROM (SELECT CASE WHEN l.primary_tag IN ('da', 'de', 'es', 'id', 'it', 'nl', 'pt', 'ro', 'tr') THEN '.,'
                                WHEN l.primary_tag IN ('cs', 'fi', 'fr', 'nb', 'pl', 'ru', 'sk', 'sv', 'uk')
                                THEN pg_catalog.chr(160) || ','
                                ELSE ',.' END AS marks
                      FROM (SELECT pg_catalog.lower(pg_catalog.split_part(format_money.language, '-', 1)) AS primary_tag) l) m) s;
END;

COMMENT ON FUNCTION arcollect.format_money(numeric, text, text) IS
'The amount as a message writes it: rounded to the currency''s minor unit (arcollect.round_money), with the decimal mark and thousands separator of the language (by its primary subtag): format_money(1234.5, ''EUR'') is 1,234.50, format_money(1234.5, ''EUR'', ''de'') is 1.234,50, and fr writes 1 234,50 with a no-break space. The same whatever lc_numeric says; an unknown currency is an error (SQLSTATE 22023).';
