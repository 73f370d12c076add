-- Errors raised while the ledger books, imports or reconciles a table say
-- what failed and where in a few lines: the context names the ledger step
-- and the table instead of quoting the generated statement (a hundred
-- lines and more).  Message, detail, hint and SQLSTATE are those of the
-- error itself.
\set VERBOSITY default
SET client_min_messages = warning;

CREATE TABLE err_invoice (id integer PRIMARY KEY, cust text NOT NULL, amt numeric(12,2),
                          iss date, due date);
SELECT arcollect.attach('err_invoice', key => 'id', customer => 'cust', amount => 'amt',
                        due_on => 'due', issued_on => 'iss', default_currency => 'EUR');
INSERT INTO err_invoice VALUES (1, 'acme', 10.00, '2025-01-01', '2025-01-31');

-- A failure inside the ledger statement: here a trigger of the test on
-- the ledger's invoice table that refuses every update.
CREATE FUNCTION err_ledger_closed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the ledger is closed for the audit' USING ERRCODE = 'object_not_in_prerequisite_state';
END
$$;
CREATE TRIGGER err_ledger_closed BEFORE UPDATE ON arcollect.invoice
    FOR EACH ROW EXECUTE FUNCTION err_ledger_closed();

-- The trigger's statement: the billing write fails, with two context lines.
UPDATE err_invoice SET amt = 12.00 WHERE id = 1;
DELETE FROM err_invoice WHERE id = 1;
-- From a function, the caller's context follows.
DO $$ BEGIN UPDATE err_invoice SET amt = 12.00 WHERE id = 1; END $$;

-- The context of attach's import and of reconcile, with the line numbers
-- of PL/pgSQL functions (which change with every edit) masked.
CREATE FUNCTION err_show(stmt text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    state text;
    message text;
    context text;
BEGIN
    EXECUTE stmt;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
                            context = PG_EXCEPTION_CONTEXT;
    RAISE WARNING E'% %\n%', state, message, regexp_replace(context, 'line [0-9]+', 'line N', 'g');
END
$$;
\set VERBOSITY terse
ALTER TABLE err_invoice DISABLE TRIGGER USER;
UPDATE err_invoice SET amt = 12.00 WHERE id = 1;
ALTER TABLE err_invoice ENABLE TRIGGER USER;
SELECT err_show($$SELECT arcollect.attach('err_invoice', key => 'id', customer => 'cust', amount => 'amt',
                                          due_on => 'due', issued_on => 'iss', default_currency => 'EUR')$$);
DROP TRIGGER err_ledger_closed ON arcollect.invoice;

-- reconcile, for a role that may read the table and the attachments but
-- not the ledger itself.
CREATE ROLE err_auditor;
GRANT SELECT ON err_invoice TO err_auditor;
GRANT USAGE ON SCHEMA arcollect TO err_auditor;
GRANT SELECT ON arcollect.attachment TO err_auditor;
SET ROLE err_auditor;
SELECT err_show($$SELECT * FROM arcollect.reconcile('err_invoice')$$);
RESET ROLE;
\set VERBOSITY default

-- A strict-mode refusal names table, key and reason, with no statement.
SELECT arcollect.attach('err_invoice', key => 'id', customer => 'cust', amount => 'amt',
                        due_on => 'due', issued_on => 'iss', default_currency => 'EUR');
SELECT arcollect.attach('err_invoice', key => 'id', customer => 'cust', amount => 'amt',
                        due_on => 'due', issued_on => 'iss', default_currency => 'EUR', strict => true);
DO $$ BEGIN INSERT INTO err_invoice VALUES (2, 'acme', 10.00, '2025-01-01', '2024-12-31'); END $$;
SELECT * FROM arcollect.reconcile('err_invoice');

REVOKE ALL ON err_invoice FROM err_auditor;
REVOKE ALL ON arcollect.attachment FROM err_auditor;
REVOKE ALL ON SCHEMA arcollect FROM err_auditor;
DROP ROLE err_auditor;
