-- The booking rules of a billing row (src/ledger_rules.c, their one
-- definition): the SQL statements of ledger_sync.sql call these
-- functions, the trigger's fast path in C calls the same C functions, so
-- the two paths cannot book a row differently.  The ones the statements
-- of reconcile call are public (reconcile runs them with its caller's
-- rights); a DBA can also use them to see, before attaching a table, what
-- arcollect would make of its rows.

-- The case folding of statuses, payment kinds and currency codes: ASCII
-- letters only; every other character stays as it is, so 'ANNULÉ' folds
-- to 'annulÉ', not to 'annulé'.  attach stores the configured statuses
-- folded, and the rows' values are folded before they are compared.  A
-- folding that followed the database's locale would change with the
-- locale a database is restored into.
CREATE OR REPLACE FUNCTION arcollect.ascii_lower(s text)
RETURNS text
AS 'MODULE_PATHNAME', 'arcollect_ascii_lower'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION arcollect.ascii_lower(text) IS
's with its ASCII letters in lower case and every other character as it is: how arcollect folds statuses and payment kinds before it compares them (the configured statuses are stored folded so).';

CREATE OR REPLACE FUNCTION arcollect.ascii_upper(s text)
RETURNS text
AS 'MODULE_PATHNAME', 'arcollect_ascii_upper'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION arcollect.ascii_upper(text) IS
's with its ASCII letters in upper case and every other character as it is: how arcollect folds currency codes.';

CREATE OR REPLACE FUNCTION arcollect.ledger_currency_of(code text, default_currency text)
RETURNS text
AS 'MODULE_PATHNAME', 'arcollect_currency_of'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION arcollect.ledger_currency_of(text, text) IS
'The currency the ledger reads from a billing row''s currency value code: blanks trimmed and ASCII letters upper-cased; default_currency when code is NULL. Whether it is a known code is arcollect.ledger_invoice_problem''s question.';

CREATE OR REPLACE FUNCTION arcollect.ledger_invoice_problem(
    key text, customer text, owner text, amount numeric, paid_or_open numeric,
    issued_on date, due_on date, paid_on date, currency text, is_credit boolean)
RETURNS text
AS 'MODULE_PATHNAME', 'arcollect_invoice_problem'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION arcollect.ledger_invoice_problem(text, text, text, numeric, numeric, date, date, date, text, boolean) IS
'Why the receivables ledger would quarantine a billing row whose mapped columns read as the arguments (the reason of arcollect.quarantine), or NULL when it books the row. paid_or_open is the amount paid (NULL read as 0 before the call) or the open amount (NULL: missing); currency as arcollect.ledger_currency_of gives it; is_credit whether the status is a credit note''s. When several rules are broken, the first in the order of src/ledger_rules.c decides.';

-- Internal: the statements that call it run with the extension owner's
-- rights.
CREATE OR REPLACE FUNCTION arcollect._effective_on(dated date, issued_on date)
RETURNS date
AS 'MODULE_PATHNAME', 'arcollect_effective_on'
LANGUAGE C STABLE PARALLEL SAFE;

COMMENT ON FUNCTION arcollect._effective_on(date, date) IS
'Internal: the date a change takes effect: dated, the billing data''s date for it, or else today (the day arcollect sees it); never before issued_on.';
