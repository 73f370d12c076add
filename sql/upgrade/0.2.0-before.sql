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

-- Rows without a key of their own leave quarantine by an appended row
-- (ledger_tables.sql).
CREATE TABLE arcollect.quarantine_release (
    attachment_id   integer NOT NULL,
    row_kind        text NOT NULL CHECK (row_kind IN ('invoice', 'payment')),
    row_data        jsonb NOT NULL,
    released_at     timestamptz NOT NULL DEFAULT pg_catalog.now()
) USING heap;
CREATE INDEX quarantine_release_attachment ON arcollect.quarantine_release (attachment_id);
COMMENT ON TABLE arcollect.quarantine_release IS
'Rows without a key of their own (payments, billing rows without an invoice key) that left quarantine: each row here takes out the oldest quarantine row of the same attachment, kind and data. Appended to, never updated; emptied when the table is attached again or detached. See view arcollect.quarantined_rows for what is still held.';
COMMENT ON COLUMN arcollect.quarantine_release.attachment_id IS 'The attached table the row was in.';
COMMENT ON COLUMN arcollect.quarantine_release.row_kind IS 'invoice (a billing-table row) or payment (a payments-table row).';
COMMENT ON COLUMN arcollect.quarantine_release.row_data IS 'The row_data of the quarantine row it takes out.';
COMMENT ON COLUMN arcollect.quarantine_release.released_at IS 'When the row left quarantine.';
SELECT pg_catalog.pg_extension_config_dump('arcollect.quarantine_release', '');

-- arcollect.customer becomes a view (sql/code/customer.sql) over the
-- invoices and the new table of what users set, which billing writes
-- never touch.  The old table is set aside under another name, for
-- -after.sql to move its edits and grants over, then it goes.
ALTER TABLE arcollect.customer RENAME TO customer_0_1_0;
CREATE TABLE arcollect.customer_setting (
    customer_id        text COLLATE "C" PRIMARY KEY,
    name               text,
    owner              text,
    segment            text,
    credit_limit       numeric CHECK (credit_limit >= 0),
    time_zone          text NOT NULL DEFAULT 'UTC'
                       CONSTRAINT customer_setting_time_zone_known CHECK (arcollect.is_time_zone(time_zone)),
    do_not_contact     boolean NOT NULL DEFAULT false,
    opt_out_channels   text[] NOT NULL DEFAULT '{}'
                       CONSTRAINT customer_setting_opt_out_channels_known
                       CHECK (opt_out_channels <@ '{email,call,sms,letter,portal,meeting}'::text[]),
    escalation_policy  text,
    created_at         timestamptz NOT NULL DEFAULT pg_catalog.now()
) USING heap;
COMMENT ON TABLE arcollect.customer_setting IS
'What users set about a customer (collection settings), one row per customer edited or created by hand; written through the view arcollect.customer, never by billing writes.';
COMMENT ON COLUMN arcollect.customer_setting.customer_id IS 'The customer identifier, as text (as arcollect.invoice.customer_id).';
COMMENT ON COLUMN arcollect.customer_setting.name IS 'Display name of the customer.';
COMMENT ON COLUMN arcollect.customer_setting.owner IS 'Collector or account manager set by a user; NULL: the owner arcollect.customer derives from the invoices.';
COMMENT ON COLUMN arcollect.customer_setting.segment IS 'Customer segment, free text (for example enterprise, smb); escalation policies can follow it.';
COMMENT ON COLUMN arcollect.customer_setting.credit_limit IS 'Credit limit in the customer''s currency; NULL means none set.';
COMMENT ON COLUMN arcollect.customer_setting.time_zone IS 'The customer''s time zone (a name from pg_timezone_names), for contact windows.';
COMMENT ON COLUMN arcollect.customer_setting.do_not_contact IS 'When true, no touchpoint is planned for this customer on any channel.';
COMMENT ON COLUMN arcollect.customer_setting.opt_out_channels IS 'Channels the customer opted out of: any of email, call, sms, letter, portal, meeting.';
COMMENT ON COLUMN arcollect.customer_setting.escalation_policy IS 'Name of the escalation policy that applies; NULL means the default policy.';
COMMENT ON COLUMN arcollect.customer_setting.created_at IS 'When the row was created (the first edit, or the customer''s creation by hand).';
SELECT pg_catalog.pg_extension_config_dump('arcollect.customer_setting', '');
