-- Customers of the receivables ledger.  The billing-table trigger creates a
-- customer the first time an invoice names it; users then edit the row
-- (owner, segment, credit limit, contact rules), and the trigger never
-- overwrites what they set.

CREATE TABLE arcollect.customer (
    customer_id        text COLLATE "C" PRIMARY KEY,
    name               text,
    owner              text,
    segment            text,
    credit_limit       numeric CHECK (credit_limit >= 0),
    time_zone          text NOT NULL DEFAULT 'UTC'
                       CONSTRAINT customer_time_zone_known CHECK (arcollect.is_time_zone(time_zone)),
    do_not_contact     boolean NOT NULL DEFAULT false,
    opt_out_channels   text[] NOT NULL DEFAULT '{}'
                       CONSTRAINT customer_opt_out_channels_known
                       CHECK (opt_out_channels <@ '{email,call,sms,letter,portal,meeting}'::text[]),
    escalation_policy  text,
    first_seen_attachment_id integer,
    created_at         timestamptz NOT NULL DEFAULT pg_catalog.now()
) USING heap;

CREATE INDEX customer_owner ON arcollect.customer (owner);

COMMENT ON TABLE arcollect.customer IS
'Customers with their collection settings. Created from the billing data the first time an invoice names the customer; edit the settings freely, arcollect does not overwrite them.';
COMMENT ON COLUMN arcollect.customer.customer_id IS 'The customer identifier from the billing table, as text.';
COMMENT ON COLUMN arcollect.customer.name IS 'Display name of the customer.';
COMMENT ON COLUMN arcollect.customer.owner IS 'Collector or account manager responsible for the customer.';
COMMENT ON COLUMN arcollect.customer.segment IS 'Customer segment, free text (for example enterprise, smb); escalation policies can follow it.';
COMMENT ON COLUMN arcollect.customer.credit_limit IS 'Credit limit in the customer''s currency; NULL means none set.';
COMMENT ON COLUMN arcollect.customer.time_zone IS 'The customer''s time zone (a name from pg_timezone_names), for contact windows.';
COMMENT ON COLUMN arcollect.customer.do_not_contact IS 'When true, no touchpoint is planned for this customer on any channel.';
COMMENT ON COLUMN arcollect.customer.opt_out_channels IS 'Channels the customer opted out of: any of email, call, sms, letter, portal, meeting.';
COMMENT ON COLUMN arcollect.customer.escalation_policy IS 'Name of the escalation policy that applies; NULL means the default policy.';
COMMENT ON COLUMN arcollect.customer.first_seen_attachment_id IS 'The attached billing table the customer was first seen in.';
COMMENT ON COLUMN arcollect.customer.created_at IS 'When the customer row was created.';

SELECT pg_catalog.pg_extension_config_dump('arcollect.customer', '');
