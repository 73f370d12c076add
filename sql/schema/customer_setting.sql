-- What users set about customers: one row per customer someone edited
-- (or created before it was billed).  Only users write it, through the
-- view arcollect.customer (sql/code/customer.sql), which adds every
-- customer the ledger's invoices name; billing writes never touch it, so
-- two transactions billing the same new customer never wait for each
-- other.

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
    -- the language of the messages the dunning ladder renders for it
    language           text NOT NULL DEFAULT 'en'
                       CONSTRAINT customer_setting_language_tag
                       CHECK (language ~ '^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$'),
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
COMMENT ON COLUMN arcollect.customer_setting.escalation_policy IS 'The escalation policy the customer follows (arcollect.policy); NULL: its segment''s, else default (arcollect.customer_policy).';
COMMENT ON COLUMN arcollect.customer_setting.language IS 'Language of the messages sent to the customer, as a language tag (en, de, fr-CA, ...); en unless set.';
COMMENT ON COLUMN arcollect.customer_setting.created_at IS 'When the row was created (the first edit, or the customer''s creation by hand).';

SELECT pg_catalog.pg_extension_config_dump('arcollect.customer_setting', '');
