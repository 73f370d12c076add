-- arcollect.customer: every customer the ledger knows, with what users
-- set about it.  Billing writes only write invoices; a customer appears
-- here as soon as an invoice names it, derived on read from
-- arcollect.invoice, so two transactions billing the same new customer
-- never touch a common row (they neither wait for each other nor fail to
-- serialize).  What users set lives in arcollect.customer_setting
-- (sql/schema/customer.sql), written only through this view's INSTEAD OF
-- trigger.
--
-- Derived from the invoices (one rule each, here only):
--   owner                     the owner a user set, else the smallest
--                             owner of the customer's invoices in byte
--                             (ASCII, "C" collation) order, NULL if none
--   first_seen_attachment_id  the attachment of its first booked invoice
--                             (earliest booked_at, then lowest id)
--   created_at                its first booking, or when a user created
--                             its settings, whichever came first
--
-- The view runs with its owner's rights (the extension owner's), as views
-- do, and arcollect.customer_setting is read that way: SELECT on the view
-- is what lets a role read the settings.  The invoices, though, are read
-- only for a role that could read those of their columns the view uses
-- (customer_id, owner, attachment_id, booked_at) itself: any other role
-- sees only the customers that have settings, without what the invoices
-- tell.  The test is a constant of the query, which the planner checks
-- once (a one-time filter): of the last two branches, one is empty.
--
-- A role limited to the customers of an owner (arcollect.grant_access's
-- owner, arcollect.access_scope) sees only those, as row-level security
-- shows it the tables (access_policies.sql): the view reads the tables
-- with its owner's rights, which no policy filters, so it filters itself,
-- each branch by the same two tests as the policies (evaluated once per
-- query).
--
-- The view is a UNION ALL, so that a query for one customer (WHERE
-- customer_id = ...) reaches both tables with that condition: the
-- customers the invoices name, grouped (the condition goes below the
-- grouping), with their settings; then the customers with settings that
-- no invoice names (an anti join, which stops at the first invoice); then,
-- for a role that may not read the invoices, the customers with settings.
CREATE OR REPLACE VIEW arcollect.customer AS
SELECT b.customer_id, s.name, coalesce(s.owner, b.owner) AS owner, s.segment, s.credit_limit,
       coalesce(s.time_zone, 'UTC') AS time_zone, coalesce(s.do_not_contact, false) AS do_not_contact,
       coalesce(s.opt_out_channels, '{}') AS opt_out_channels, s.escalation_policy,
       coalesce(s.language, 'en') AS language,
       b.first_seen_attachment_id, LEAST(b.created_at, s.created_at) AS created_at
  FROM (SELECT i.customer_id,
               pg_catalog.min(i.owner COLLATE "C") COLLATE "default" AS owner,
               pg_catalog.min(i.booked_at) AS created_at,
               (pg_catalog.min(ARRAY[EXTRACT(epoch FROM i.booked_at), i.attachment_id]))[2]::integer
                   AS first_seen_attachment_id
          FROM arcollect.invoice i
         WHERE i.customer_id IS NOT NULL
           AND pg_catalog.has_column_privilege('arcollect.invoice', 'customer_id', 'SELECT')
           AND pg_catalog.has_column_privilege('arcollect.invoice', 'owner', 'SELECT')
           AND pg_catalog.has_column_privilege('arcollect.invoice', 'attachment_id', 'SELECT')
           AND pg_catalog.has_column_privilege('arcollect.invoice', 'booked_at', 'SELECT')
         GROUP BY i.customer_id) b
  LEFT JOIN arcollect.customer_setting s ON s.customer_id = b.customer_id
 WHERE NOT (SELECT arcollect.access_scoped(current_user::regrole))
    OR b.customer_id IN (SELECT c.customer_id FROM arcollect.scope_customers(current_user::regrole) c(customer_id))
UNION ALL
SELECT s.customer_id, s.name, s.owner, s.segment, s.credit_limit, s.time_zone, s.do_not_contact,
       s.opt_out_channels, s.escalation_policy, s.language, NULL::integer, s.created_at
  FROM arcollect.customer_setting s
 WHERE NOT EXISTS (SELECT FROM arcollect.invoice i WHERE i.customer_id = s.customer_id)
   AND pg_catalog.has_column_privilege('arcollect.invoice', 'customer_id', 'SELECT')
   AND pg_catalog.has_column_privilege('arcollect.invoice', 'owner', 'SELECT')
   AND pg_catalog.has_column_privilege('arcollect.invoice', 'attachment_id', 'SELECT')
   AND pg_catalog.has_column_privilege('arcollect.invoice', 'booked_at', 'SELECT')
   AND (NOT (SELECT arcollect.access_scoped(current_user::regrole))
        OR s.customer_id IN (SELECT c.customer_id FROM arcollect.scope_customers(current_user::regrole) c(customer_id)))
UNION ALL
SELECT s.customer_id, s.name, s.owner, s.segment, s.credit_limit, s.time_zone, s.do_not_contact,
       s.opt_out_channels, s.escalation_policy, s.language, NULL::integer, s.created_at
  FROM arcollect.customer_setting s
 WHERE NOT (pg_catalog.has_column_privilege('arcollect.invoice', 'customer_id', 'SELECT')
            AND pg_catalog.has_column_privilege('arcollect.invoice', 'owner', 'SELECT')
            AND pg_catalog.has_column_privilege('arcollect.invoice', 'attachment_id', 'SELECT')
            AND pg_catalog.has_column_privilege('arcollect.invoice', 'booked_at', 'SELECT'))
   AND (NOT (SELECT arcollect.access_scoped(current_user::regrole))
        OR s.customer_id IN (SELECT c.customer_id FROM arcollect.scope_customers(current_user::regrole) c(customer_id)));

-- What an INSERT that names no value gets, as the table of 0.1.0 gave it.
ALTER VIEW arcollect.customer ALTER COLUMN time_zone SET DEFAULT 'UTC';
ALTER VIEW arcollect.customer ALTER COLUMN do_not_contact SET DEFAULT false;
ALTER VIEW arcollect.customer ALTER COLUMN opt_out_channels SET DEFAULT '{}';
ALTER VIEW arcollect.customer ALTER COLUMN language SET DEFAULT 'en';

COMMENT ON VIEW arcollect.customer IS
'Customers with their collection settings: every customer an invoice of the ledger names, and those created by hand. Edit the settings with UPDATE (arcollect.customer_setting keeps them; billing writes never change them); INSERT creates a customer not billed yet; DELETE removes what was set (a billed customer stays, with the defaults and its billing owner).';
COMMENT ON COLUMN arcollect.customer.customer_id IS 'The customer identifier from the billing table, as text.';
COMMENT ON COLUMN arcollect.customer.name IS 'Display name of the customer.';
COMMENT ON COLUMN arcollect.customer.owner IS 'Collector or account manager responsible for the customer: the one a user set, else the smallest owner (byte order) of the customer''s invoices in the ledger. Set it to NULL to go back to the invoices'' owner.';
COMMENT ON COLUMN arcollect.customer.segment IS 'Customer segment, free text (for example enterprise, smb); escalation policies can follow it.';
COMMENT ON COLUMN arcollect.customer.credit_limit IS 'Credit limit in the customer''s currency; NULL means none set.';
COMMENT ON COLUMN arcollect.customer.time_zone IS 'The customer''s time zone (a name from pg_timezone_names), for contact windows.';
COMMENT ON COLUMN arcollect.customer.do_not_contact IS 'When true, no touchpoint is planned for this customer on any channel.';
COMMENT ON COLUMN arcollect.customer.opt_out_channels IS 'Channels the customer opted out of: any of email, call, sms, letter, portal, meeting.';
COMMENT ON COLUMN arcollect.customer.escalation_policy IS 'The escalation policy the customer follows (arcollect.policy); NULL: its segment''s, else default (arcollect.customer_policy).';
COMMENT ON COLUMN arcollect.customer.language IS 'Language of the messages sent to the customer, as a language tag (en, de, fr-CA, ...); en unless set.';
COMMENT ON COLUMN arcollect.customer.first_seen_attachment_id IS 'The attached billing table of the customer''s first booked invoice; NULL for a customer no invoice names. Derived, read-only.';
COMMENT ON COLUMN arcollect.customer.created_at IS 'When the customer''s first invoice was booked, or its settings created by hand if that came first. Derived, read-only.';

-- Edits of arcollect.customer, into arcollect.customer_setting: INSERT
-- creates the settings of a customer (billed or not), UPDATE creates or
-- changes them, DELETE removes them.  An UPDATE stores the owner only when
-- it changes it, so that editing another column of a customer does not
-- pin the owner derived from its invoices.  The derived columns cannot be
-- written.  SECURITY DEFINER: the privilege to edit is the one on the view
-- (checked by PostgreSQL before the trigger runs); the settings table is
-- the extension owner's.
CREATE OR REPLACE FUNCTION arcollect._customer_edit()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    derived text;
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM arcollect.customer_setting s WHERE s.customer_id = OLD.customer_id;
        RETURN CASE WHEN FOUND THEN OLD END;
    END IF;
    derived := CASE
        WHEN TG_OP = 'INSERT' AND NEW.first_seen_attachment_id IS NOT NULL THEN 'first_seen_attachment_id'
        WHEN TG_OP = 'UPDATE' AND NEW.customer_id IS DISTINCT FROM OLD.customer_id THEN 'customer_id'
        WHEN TG_OP = 'UPDATE' AND NEW.first_seen_attachment_id IS DISTINCT FROM OLD.first_seen_attachment_id
            THEN 'first_seen_attachment_id'
        WHEN TG_OP = 'UPDATE' AND NEW.created_at IS DISTINCT FROM OLD.created_at THEN 'created_at'
    END;
    IF derived IS NOT NULL THEN
        RAISE EXCEPTION 'column "%" of view arcollect.customer cannot be written', derived
            USING ERRCODE = 'generated_always',
                  DETAIL = CASE WHEN derived = 'customer_id'
                                THEN 'A customer is known by the identifier its invoices give it.'
                                ELSE 'It is derived from the ledger''s invoices.' END,
                  HINT = 'Write the settings columns only (name, owner, segment, credit_limit, time_zone, do_not_contact, opt_out_channels, escalation_policy, language).';
    END IF;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO arcollect.customer_setting
               (customer_id, name, owner, segment, credit_limit, time_zone, do_not_contact,
                opt_out_channels, escalation_policy, language, created_at)
        VALUES (NEW.customer_id, NEW.name, NEW.owner, NEW.segment, NEW.credit_limit, NEW.time_zone,
                NEW.do_not_contact, NEW.opt_out_channels, NEW.escalation_policy, NEW.language,
                coalesce(NEW.created_at, pg_catalog.now()));
    ELSE
        INSERT INTO arcollect.customer_setting AS s
               (customer_id, name, owner, segment, credit_limit, time_zone, do_not_contact,
                opt_out_channels, escalation_policy, language)
        VALUES (NEW.customer_id, NEW.name,
                CASE WHEN NEW.owner IS DISTINCT FROM OLD.owner THEN NEW.owner END,
                NEW.segment, NEW.credit_limit, NEW.time_zone, NEW.do_not_contact,
                NEW.opt_out_channels, NEW.escalation_policy, NEW.language)
        ON CONFLICT (customer_id) DO UPDATE
           SET name = excluded.name,
               owner = CASE WHEN NEW.owner IS DISTINCT FROM OLD.owner THEN excluded.owner ELSE s.owner END,
               segment = excluded.segment, credit_limit = excluded.credit_limit,
               time_zone = excluded.time_zone, do_not_contact = excluded.do_not_contact,
               opt_out_channels = excluded.opt_out_channels,
               escalation_policy = excluded.escalation_policy,
               language = excluded.language;
    END IF;
    RETURN NEW;
END
$fn$;

COMMENT ON FUNCTION arcollect._customer_edit() IS
'INSTEAD OF trigger of arcollect.customer: writes what users set into arcollect.customer_setting.';

CREATE OR REPLACE TRIGGER customer_edit
    INSTEAD OF INSERT OR UPDATE OR DELETE ON arcollect.customer
    FOR EACH ROW EXECUTE FUNCTION arcollect._customer_edit();
