-- Upgrade to 0.2.0, first part: changes to what holds data (tables,
-- indexes, event triggers) and drops of code whose signature changed, run
-- before the code of sql/code/ is replayed.  Data is migrated, never
-- dropped.

-- attach gains paid_on (the column that dates the paid or open column)
-- and time_zone, attach_payments time_zone: CREATE OR REPLACE cannot add a
-- parameter.  0.1.0's functions are set aside under other names rather
-- than dropped, so that -after.sql can give the new ones to the roles they
-- were granted to; then they go.
ALTER FUNCTION arcollect.attach(regclass, text, text, text, text, text, text, text, text, text,
                                text, boolean, text, text[], text[])
    RENAME TO attach_0_1_0;
ALTER FUNCTION arcollect.attach_payments(regclass, text, text, text, text, regclass, boolean)
    RENAME TO attach_payments_0_1_0;
-- _import reports the payments it could not date: a new OUT column.
DROP FUNCTION arcollect._import(integer);

-- attachment.paid_on_column now serves billing tables too (attach's
-- paid_on).
COMMENT ON COLUMN arcollect.attachment.paid_on_column IS 'Payments: column holding the date of the payment, credit note or write-off. Invoices: column holding the date the paid or open column last changed, which dates the payments it records; NULL dates them the day they are seen.';

-- Statuses are stored and compared with ASCII letters folded only
-- (arcollect.ascii_lower); see 0.2.0-after.sql for the stored values.
COMMENT ON COLUMN arcollect.attachment.void_statuses IS 'Status values that mark an invoice void (its open amount goes to zero), with ASCII letters in lower case: a status matches when it equals one of them after arcollect.ascii_lower.';
COMMENT ON COLUMN arcollect.attachment.credit_statuses IS 'Status values that mark a row as a credit note, which may have a negative amount; folded and matched as void_statuses.';

-- Every attachment reads its table in a time zone of its own (a
-- timestamptz becomes the date it is there).  0.1.0 read them in the
-- writer's session time zone, most likely the server's: attachments made
-- before the upgrade keep the server's time zone, so that what they
-- booked keeps its dates (attach gives new ones the attaching session's).
-- (0.1.0's _quarantine_rows_sql has an SQL body, which depends on the
-- attachment's row type and keeps columns from being added; the code
-- replayed after this file creates it again, in PL/pgSQL.)
DROP FUNCTION IF EXISTS arcollect._quarantine_rows_sql(arcollect.attachment, text);
ALTER TABLE arcollect.attachment
    ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC'
        CONSTRAINT attachment_time_zone_known CHECK (arcollect.is_time_zone(time_zone));
COMMENT ON COLUMN arcollect.attachment.time_zone IS 'Time zone the table''s values are read in: a timestamptz becomes the date it is there, and a change the data does not date is dated the day it is seen there.';
UPDATE arcollect.attachment
   SET time_zone = s.reset_val
  FROM pg_catalog.pg_settings s
 WHERE s.name = 'TimeZone' AND arcollect.is_time_zone(s.reset_val);


-- _sync_sql can book from the table's current rows (nested).
DROP FUNCTION arcollect._sync_sql(integer, text);

-- The ledger tables are heap tables (ledger_tables.sql): 0.1.0 created
-- them with the server's default_table_access_method.
DO $do$
DECLARE
    t pg_catalog.regclass;
BEGIN
    FOR t IN SELECT c.oid FROM pg_catalog.pg_class c
              WHERE c.relnamespace = 'arcollect'::pg_catalog.regnamespace
                AND c.relname IN ('attachment', 'invoice', 'entry', 'quarantine', 'customer')
                AND c.relkind = 'r'
                AND c.relam <> (SELECT a.oid FROM pg_catalog.pg_am a WHERE a.amname = 'heap') LOOP
        EXECUTE pg_catalog.format('ALTER TABLE %s SET ACCESS METHOD heap', t);
    END LOOP;
END
$do$;

-- arcollect.customer becomes a view (sql/code/customer.sql) over the
-- invoices and the new table of what users set, which billing writes
-- never touch (sql/schema/customer_setting.sql, which the Makefile puts
-- after this file).  The old table is set aside under another name, for
-- -after.sql to move its edits and grants over, then it goes.
ALTER TABLE arcollect.customer RENAME TO customer_0_1_0;
