-- Which billing values the receivables ledger can hold (src/ledger_values.c,
-- the one definition of these rules): the SQL statements of
-- ledger_sync.sql quarantine a row that breaks one, and the trigger's fast
-- path in C calls the same C functions.  The three rules are public, as
-- is_currency_code is: reconcile runs those statements with its caller's
-- rights, and a DBA can use them to find such rows in a billing table
-- before attaching it.  Before ledger_tables.sql, whose quarantine index
-- uses _key_digest.

CREATE OR REPLACE FUNCTION arcollect.ledger_text_fits(value text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'arcollect_text_fits'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION arcollect.ledger_text_fits(text) IS
'True when the receivables ledger can hold value as an invoice key, customer or owner: at most 1000 bytes, so that its indexes take it.';

CREATE OR REPLACE FUNCTION arcollect.ledger_date_usable(value date)
RETURNS boolean
AS 'MODULE_PATHNAME', 'arcollect_date_usable'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION arcollect.ledger_date_usable(date) IS
'True when the receivables ledger can book value as an issue, due or payment date: any date but infinity and -infinity.';

CREATE OR REPLACE FUNCTION arcollect.ledger_amount_usable(value numeric)
RETURNS boolean
AS 'MODULE_PATHNAME', 'arcollect_amount_usable'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION arcollect.ledger_amount_usable(numeric) IS
'True when the receivables ledger can book value as an amount, amount paid or open amount: finite, and less than 10^38 in absolute value.';

-- Internal, and not STRICT (NULL gives NULL all the same): the planner
-- folds a strict call with a NULL argument without checking the caller's
-- right to execute it.
CREATE OR REPLACE FUNCTION arcollect._key_digest(key text)
RETURNS bytea
AS 'MODULE_PATHNAME', 'arcollect_key_digest'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION arcollect._key_digest(text) IS
'Internal: SHA-256 digest of an invoice key, which the quarantine''s unique index holds instead of keys too long to index.';
