-- Attaching and detaching billing and payments tables: the entry points.
--
-- Attaching installs triggers on a table and writes the ledger, which
-- only the extension owner may do; it must do it only for a caller who
-- could read what it maps and put triggers on the table itself.  So
-- attach, attach_payments and detach are C functions (src/ledger_gate.c)
-- that call their implementations, arcollect._attach, _attach_payments
-- and _detach (attach_owner.sql), with the extension owner's rights and
-- with the caller as their first argument.  The checks they rely on are
-- in attach_checks.sql.

-- The entry points: C functions that run the implementations of
-- attach_owner.sql with the extension owner's rights, telling them who
-- called (see src/ledger_gate.c).  Not SECURITY DEFINER: that would hide
-- the caller.

CREATE OR REPLACE FUNCTION arcollect.attach(
    billing_table regclass,
    key text,
    customer text,
    amount text,
    due_on text,
    issued_on text,
    currency text DEFAULT NULL,
    paid text DEFAULT NULL,
    open text DEFAULT NULL,
    owner text DEFAULT NULL,
    status text DEFAULT NULL,
    strict boolean DEFAULT false,
    default_currency text DEFAULT NULL,
    void_statuses text[] DEFAULT '{void,voided,cancelled,canceled}',
    credit_statuses text[] DEFAULT '{credit,credit note,credit_note,credit memo,credit_memo}',
    paid_on text DEFAULT NULL,
    time_zone text DEFAULT NULL)
RETURNS bigint
LANGUAGE C VOLATILE
AS 'MODULE_PATHNAME', 'arcollect_for_caller';

COMMENT ON FUNCTION arcollect.attach(regclass, text, text, text, text, text, text, text, text, text, text, boolean, text, text[], text[], text, text) IS
'Attaches the receivables ledger to a billing table: validates the column mapping, installs the ledger trigger, books the rows already there and returns how many it booked. paid_on names the column that dates the paid or open column; without it, amounts already paid are dated the day of attach. Attaching an attached table again replaces its mapping and brings its ledger in line. Needs ownership of the table, or TRIGGER on it and SELECT on the mapped columns.';

CREATE OR REPLACE FUNCTION arcollect.attach_payments(
    payments_table regclass,
    invoice_key text,
    amount text,
    paid_on text,
    kind text DEFAULT NULL,
    invoices regclass DEFAULT NULL,
    strict boolean DEFAULT false,
    time_zone text DEFAULT NULL)
RETURNS bigint
LANGUAGE C VOLATILE
AS 'MODULE_PATHNAME', 'arcollect_for_caller';

COMMENT ON FUNCTION arcollect.attach_payments(regclass, text, text, text, text, regclass, boolean, text) IS
'Attaches a table of payments, credit notes and write-offs to the ledger: each row reduces the open amount of the invoice it names, on its paid_on date. Returns how many rows it booked. Needs the same rights on the payments table, and on the billing table it refers to, as attach.';

CREATE OR REPLACE FUNCTION arcollect.detach(billing_table regclass)
RETURNS void
LANGUAGE C VOLATILE
AS 'MODULE_PATHNAME', 'arcollect_for_caller';

COMMENT ON FUNCTION arcollect.detach(regclass) IS
'Removes the ledger trigger from an attached table. The ledger keeps the table''s invoices and their history; attaching the table again brings them up to date. Needs the same rights on the table as attach.';
