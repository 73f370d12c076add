-- Upgrade to 0.2.0, first part: changes to what holds data (tables,
-- indexes, event triggers) and drops of code whose signature changed, run
-- before the code of sql/code/ is replayed.  Data is migrated, never
-- dropped.

-- attach gains paid_on (the column that dates the paid or open column):
-- CREATE OR REPLACE cannot add a parameter.  0.1.0's attach is set aside
-- under another name rather than dropped, so that -after.sql can give the
-- new one to the roles it was granted to; then it goes.
ALTER FUNCTION arcollect.attach(regclass, text, text, text, text, text, text, text, text, text,
                                text, boolean, text, text[], text[])
    RENAME TO attach_0_1_0;
-- _import reports the payments it could not date: a new OUT column.
DROP FUNCTION arcollect._import(integer);

-- attachment.paid_on_column now serves billing tables too (attach's
-- paid_on).
COMMENT ON COLUMN arcollect.attachment.paid_on_column IS 'Payments: column holding the date of the payment, credit note or write-off. Invoices: column holding the date the paid or open column last changed, which dates the payments it records; NULL dates them the day they are seen.';

-- Statuses are stored and compared with ASCII letters folded only
-- (arcollect._ascii_lower); see 0.2.0-after.sql for the stored values.
COMMENT ON COLUMN arcollect.attachment.void_statuses IS 'Status values that mark an invoice void (its open amount goes to zero), with ASCII letters in lower case: a status matches when it equals one of them after arcollect._ascii_lower.';
COMMENT ON COLUMN arcollect.attachment.credit_statuses IS 'Status values that mark a row as a credit note, which may have a negative amount; folded and matched as void_statuses.';
