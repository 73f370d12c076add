-- Touchpoints (sql/schema/touchpoint.sql): what collectors call to record
-- contacts, the checks that hold plain INSERTs and UPDATEs of the tables
-- to the same rules, and the reader views.
--
-- Every function here runs with its caller's rights: a collector needs
-- INSERT and UPDATE on arcollect.touchpoint and arcollect.touchpoint_invoice
-- and SELECT on the ledger (doc/ledger.md, Privileges).

-- The values the CHECK constraints of arcollect.touchpoint allow, for an
-- application to offer and for the functions' errors to list (the test
-- records_touchpoint checks that the constraints allow exactly these).
CREATE OR REPLACE VIEW arcollect.touchpoint_choice (column_name, value) AS
VALUES ('channel', 'email'), ('channel', 'call'), ('channel', 'sms'), ('channel', 'letter'),
       ('channel', 'portal'), ('channel', 'meeting'),
       ('direction', 'outbound'), ('direction', 'inbound'),
       ('outcome', 'reached'), ('outcome', 'no_answer'), ('outcome', 'left_message'),
       ('outcome', 'promise'), ('outcome', 'dispute'), ('outcome', 'paid'),
       ('outcome', 'wrong_contact'), ('outcome', 'refused'), ('outcome', 'bounced'),
       ('outcome', 'sent');

COMMENT ON VIEW arcollect.touchpoint_choice IS
'The values a touchpoint''s channel, direction and outcome may take.';
COMMENT ON COLUMN arcollect.touchpoint_choice.column_name IS 'channel, direction or outcome.';
COMMENT ON COLUMN arcollect.touchpoint_choice.value IS 'A value that column allows.';
-- Not data, as arcollect.status_transition.
GRANT SELECT ON arcollect.touchpoint_choice TO PUBLIC;

-- Refuses a value that column_name does not allow (NULL passes: whether a
-- column may be NULL is the table's to say), naming it and listing the
-- allowed ones: the functions call it before they insert, so that a
-- collector reads this rather than a CHECK constraint's name.
CREATE OR REPLACE FUNCTION arcollect.check_touchpoint_choice(column_name text, value text)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    allowed text;
BEGIN
    IF value IS NULL OR EXISTS (SELECT FROM arcollect.touchpoint_choice c
                                 WHERE c.column_name = check_touchpoint_choice.column_name
                                   AND c.value = check_touchpoint_choice.value) THEN
        RETURN;
    END IF;
    SELECT pg_catalog.string_agg(c.value, ', ') INTO allowed
      FROM arcollect.touchpoint_choice c
     WHERE c.column_name = check_touchpoint_choice.column_name;
    RAISE EXCEPTION 'unknown touchpoint % "%"', column_name, value
        USING ERRCODE = 'invalid_parameter_value',
              DETAIL = format('A touchpoint''s %s is one of: %s.', column_name, allowed),
              HINT = 'Use one of those values.';
END
$fn$;

COMMENT ON FUNCTION arcollect.check_touchpoint_choice(text, text) IS
'Refuses (SQLSTATE 22023) a touchpoint channel, direction or outcome that arcollect.touchpoint_choice does not list, naming the value and listing the allowed ones; NULL passes.';

-- Records a contact that happened: a done touchpoint.
CREATE OR REPLACE FUNCTION arcollect.log_touchpoint(customer_id text, channel text,
                                                    direction text DEFAULT 'outbound',
                                                    outcome text DEFAULT NULL,
                                                    notes text DEFAULT NULL,
                                                    done_at timestamptz DEFAULT pg_catalog.now(),
                                                    owner text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    new_id bigint;
BEGIN
    PERFORM arcollect.check_touchpoint_choice('channel', channel);
    PERFORM arcollect.check_touchpoint_choice('direction', direction);
    PERFORM arcollect.check_touchpoint_choice('outcome', outcome);
    INSERT INTO arcollect.touchpoint (customer_id, channel, direction, status, outcome, notes,
                                      done_at, owner)
    VALUES (log_touchpoint.customer_id, log_touchpoint.channel, log_touchpoint.direction, 'done',
            log_touchpoint.outcome, log_touchpoint.notes, log_touchpoint.done_at,
            log_touchpoint.owner)
    RETURNING touchpoint_id INTO new_id;
    RETURN new_id;
END
$fn$;

COMMENT ON FUNCTION arcollect.log_touchpoint(text, text, text, text, text, timestamptz, text) IS
'Records a contact that happened (status done) and returns its touchpoint_id. An unknown channel, direction or outcome, or a customer arcollect does not know, is an error (SQLSTATE 22023).';

-- Marks a planned touchpoint done.  The status trigger refuses leaving
-- skipped or cancelled; done -> done it lets through (an unchanged
-- status), so a touchpoint done already is refused here.
CREATE OR REPLACE FUNCTION arcollect.complete_touchpoint(touchpoint_id bigint, outcome text,
                                                         notes text DEFAULT NULL,
                                                         done_at timestamptz DEFAULT pg_catalog.now())
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    current_status text;
BEGIN
    PERFORM arcollect.check_touchpoint_choice('outcome', outcome);
    SELECT t.status INTO current_status
      FROM arcollect.touchpoint t
     WHERE t.touchpoint_id = complete_touchpoint.touchpoint_id
       FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'touchpoint % does not exist', touchpoint_id
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'See arcollect.touchpoints for the touchpoints.';
    ELSIF current_status = 'done' THEN
        RAISE EXCEPTION 'touchpoint % cannot go from status "done" to "done"', touchpoint_id
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'Status "done" is final: the touchpoint was completed already.',
                  HINT = 'Log another contact with arcollect.log_touchpoint.';
    END IF;
    UPDATE arcollect.touchpoint t
       SET status = 'done', outcome = complete_touchpoint.outcome,
           notes = coalesce(complete_touchpoint.notes, t.notes),
           done_at = complete_touchpoint.done_at
     WHERE t.touchpoint_id = complete_touchpoint.touchpoint_id;
END
$fn$;

COMMENT ON FUNCTION arcollect.complete_touchpoint(bigint, text, text, timestamptz) IS
'Marks a planned touchpoint done, with its outcome and when it was made (notes, when given, replace the planned ones). A touchpoint that is not planned is refused (SQLSTATE 55000), as an unknown outcome or touchpoint (22023).';

CREATE OR REPLACE TRIGGER touchpoint_status BEFORE UPDATE OF status ON arcollect.touchpoint
    FOR EACH ROW EXECUTE FUNCTION arcollect._guard_status('touchpoint', 'touchpoint_id');
CREATE OR REPLACE TRIGGER touchpoint_writable BEFORE UPDATE ON arcollect.touchpoint
    FOR EACH ROW EXECUTE FUNCTION arcollect._guard_final('touchpoint', 'touchpoint_id');
CREATE OR REPLACE TRIGGER touchpoint_created BEFORE INSERT ON arcollect.touchpoint
    FOR EACH ROW EXECUTE FUNCTION arcollect._record_created('touchpoint', 'touchpoint_id');

-- A touchpoint is for a customer arcollect knows (arcollect.customer: one
-- an invoice names, or one created by hand).  An INSERT is checked once
-- per statement over all its new rows (one anti join: arcollect.customer
-- is derived from the invoices, an aggregate per customer), so that the
-- dunning ladder planning many touchpoints in one INSERT pays for one; an UPDATE only when it changes the customer.
CREATE OR REPLACE FUNCTION arcollect._touchpoint_customer_known()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    unknown text;
    customers text[];
BEGIN
    IF TG_LEVEL = 'STATEMENT' THEN
        -- Up to a thousand customers, those only (the condition on the
        -- view's customer_id reaches the index of the invoices; as a join,
        -- the view would be computed whole, or once per new row when the
        -- planner thinks them few: 13 s for 445 touchpoints of the run at
        -- 100,000 invoices); more, one anti join with all of them.
        customers := ARRAY(SELECT DISTINCT n.customer_id FROM new_rows n);
        IF pg_catalog.cardinality(customers) <= 1000 THEN
            SELECT pg_catalog.min(x.customer_id) INTO unknown
              FROM (SELECT k.customer_id FROM unnest(customers) k(customer_id)
                    EXCEPT
                    SELECT c.customer_id FROM arcollect.customer c WHERE c.customer_id = ANY (customers)) x;
        ELSE
            SELECT pg_catalog.min(n.customer_id) INTO unknown
              FROM new_rows n
             WHERE NOT EXISTS (SELECT FROM arcollect.customer c WHERE c.customer_id = n.customer_id);
        END IF;
    ELSIF NOT EXISTS (SELECT FROM arcollect.customer c WHERE c.customer_id = NEW.customer_id) THEN
        unknown := NEW.customer_id;
    END IF;
    IF unknown IS NOT NULL THEN
        RAISE EXCEPTION 'customer "%" is not known to arcollect', unknown
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'No invoice of the ledger names it and it was not created in arcollect.customer.',
                  HINT = 'Check the customer identifier, or INSERT INTO arcollect.customer first.';
    END IF;
    RETURN NULL;
END
$fn$;

COMMENT ON FUNCTION arcollect._touchpoint_customer_known() IS
'Internal: trigger of arcollect.touchpoint; refuses a touchpoint for a customer arcollect.customer does not list (SQLSTATE 22023).';

CREATE OR REPLACE TRIGGER touchpoint_customer_insert AFTER INSERT ON arcollect.touchpoint
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION arcollect._touchpoint_customer_known();
CREATE OR REPLACE TRIGGER touchpoint_customer_update AFTER UPDATE OF customer_id ON arcollect.touchpoint
    FOR EACH ROW WHEN (NEW.customer_id IS DISTINCT FROM OLD.customer_id)
    EXECUTE FUNCTION arcollect._touchpoint_customer_known();

-- Listing an invoice on a touchpoint: INSERT (touchpoint_id, invoice_key)
-- and this trigger names the invoice as every record does
-- (arcollect.find_invoice: unknown and ambiguous keys refused) and takes
-- its open amount now.  A writer that knows both already (the dunning
-- ladder, which lists many invoices at once) gives attachment_id and
-- open_amount and pays only for the check that the invoice is the
-- touchpoint's customer's, and in the touchpoint's currency when it has
-- one (two primary-key lookups).  This is the one statement of that
-- rule: a change of a touchpoint's customer or currency runs it again
-- over what the touchpoint listed (arcollect._touchpoint_recheck_listed).
CREATE OR REPLACE FUNCTION arcollect._touchpoint_invoice_fill()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    billing_table regclass;
    found_attachment integer;
    found_open numeric;
    invoice_customer text;
    invoice_currency text;
    touchpoint_customer text;
    touchpoint_currency text;
BEGIN
    IF NEW.attachment_id IS NULL OR NEW.open_amount IS NULL THEN
        IF NEW.attachment_id IS NOT NULL THEN
            SELECT a.billing_table INTO billing_table
              FROM arcollect.attachment a
             WHERE a.attachment_id = NEW.attachment_id AND a.kind = 'invoices';
            IF billing_table IS NULL THEN
                RAISE EXCEPTION 'attachment % is not an attached billing table', NEW.attachment_id
                    USING ERRCODE = 'invalid_parameter_value',
                          HINT = 'Leave attachment_id out to name the invoice by its key alone.';
            END IF;
        END IF;
        SELECT f.attachment_id, f.open_amount INTO found_attachment, found_open
          FROM arcollect.find_invoice(NEW.invoice_key, billing_table) f;
        NEW.attachment_id := found_attachment;
        NEW.open_amount := coalesce(NEW.open_amount, found_open);
    END IF;
    SELECT i.customer_id, i.currency INTO invoice_customer, invoice_currency
      FROM arcollect.invoice i
     WHERE i.invoice_key = NEW.invoice_key AND i.attachment_id = NEW.attachment_id;
    SELECT t.customer_id, t.currency INTO touchpoint_customer, touchpoint_currency
      FROM arcollect.touchpoint t WHERE t.touchpoint_id = NEW.touchpoint_id;
    IF touchpoint_customer IS DISTINCT FROM invoice_customer AND touchpoint_customer IS NOT NULL THEN
        RAISE EXCEPTION 'invoice "%" is not customer "%"''s', NEW.invoice_key, touchpoint_customer
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('Touchpoint %s is for customer "%s"; the invoice is %s.', NEW.touchpoint_id,
                                  touchpoint_customer,
                                  coalesce(format('customer "%s"''s', invoice_customer), 'not in the ledger')),
                  HINT = 'A touchpoint lists invoices of its own customer only.';
    ELSIF touchpoint_currency IS DISTINCT FROM invoice_currency AND touchpoint_currency IS NOT NULL THEN
        RAISE EXCEPTION 'invoice "%" is in %, not in %', NEW.invoice_key, invoice_currency, touchpoint_currency
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('Touchpoint %s is about what customer "%s" owes in %s.', NEW.touchpoint_id,
                                  touchpoint_customer, touchpoint_currency),
                  HINT = 'A touchpoint with a currency lists invoices in that currency only.';
    END IF;
    RETURN NEW;
END
$fn$;

COMMENT ON FUNCTION arcollect._touchpoint_invoice_fill() IS
'Internal: BEFORE INSERT OR UPDATE trigger of arcollect.touchpoint_invoice; fills the billing table and open amount of an invoice named by key and refuses an invoice of another customer, or in another currency than the touchpoint''s (SQLSTATE 22023).';

CREATE OR REPLACE TRIGGER touchpoint_invoice_fill BEFORE INSERT OR UPDATE ON arcollect.touchpoint_invoice
    FOR EACH ROW EXECUTE FUNCTION arcollect._touchpoint_invoice_fill();

-- A touchpoint whose customer or currency changes still lists only
-- invoices that rule allows: its rows of arcollect.touchpoint_invoice are
-- updated to themselves, which runs the check above on each against the
-- touchpoint as it is now (rare, and then over a few rows).
CREATE OR REPLACE FUNCTION arcollect._touchpoint_recheck_listed()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    UPDATE arcollect.touchpoint_invoice ti SET open_amount = ti.open_amount
     WHERE ti.touchpoint_id = NEW.touchpoint_id;
    RETURN NULL;
END
$fn$;

COMMENT ON FUNCTION arcollect._touchpoint_recheck_listed() IS
'Internal: AFTER UPDATE trigger of arcollect.touchpoint; when its customer or currency changes, checks again that the invoices it listed are of that customer and currency (SQLSTATE 22023).';

CREATE OR REPLACE TRIGGER touchpoint_recheck_listed AFTER UPDATE OF customer_id, currency ON arcollect.touchpoint
    FOR EACH ROW WHEN (NEW.customer_id IS DISTINCT FROM OLD.customer_id OR NEW.currency IS DISTINCT FROM OLD.currency)
    EXECUTE FUNCTION arcollect._touchpoint_recheck_listed();

-- Reader views.  Each reads with the rights of the role that reads it
-- (security_invoker), so that row-level security limits a role to its
-- customers here too (access_policies.sql): a reader needs SELECT on the
-- view and on what it reads, as every access level of grant_access has.
CREATE OR REPLACE VIEW arcollect.touchpoints WITH (security_invoker = true) AS
SELECT t.touchpoint_id, t.customer_id, c.name AS customer_name, t.currency, t.channel, t.direction,
       t.status, t.outcome, t.owner, t.planned_for, t.done_at, t.policy_name, t.step_no, t.reason,
       t.subject, t.body, t.notes,
       (SELECT pg_catalog.count(*) FROM arcollect.touchpoint_invoice ti
         WHERE ti.touchpoint_id = t.touchpoint_id) AS invoices_listed,
       t.created_by, t.created_at
  FROM arcollect.touchpoint t
  LEFT JOIN arcollect.customer c ON c.customer_id = t.customer_id;

COMMENT ON VIEW arcollect.touchpoints IS
'Every touchpoint (contact with a customer), with the customer''s name and how many invoices it listed (arcollect.touchpoint_invoices lists them).';
COMMENT ON COLUMN arcollect.touchpoints.touchpoint_id IS 'Identifier of the touchpoint.';
COMMENT ON COLUMN arcollect.touchpoints.customer_id IS 'The customer contacted.';
COMMENT ON COLUMN arcollect.touchpoints.customer_name IS 'Display name of the customer, if set.';
COMMENT ON COLUMN arcollect.touchpoints.currency IS 'Currency the touchpoint is about; NULL when it is about all the customer owes.';
COMMENT ON COLUMN arcollect.touchpoints.channel IS 'email, call, sms, letter, portal or meeting.';
COMMENT ON COLUMN arcollect.touchpoints.direction IS 'outbound or inbound.';
COMMENT ON COLUMN arcollect.touchpoints.status IS 'planned, done, skipped or cancelled.';
COMMENT ON COLUMN arcollect.touchpoints.outcome IS 'What came of a done touchpoint (reached, no_answer, left_message, promise, dispute, paid, wrong_contact, refused, bounced, sent); NULL if not recorded.';
COMMENT ON COLUMN arcollect.touchpoints.owner IS 'Collector responsible for the touchpoint.';
COMMENT ON COLUMN arcollect.touchpoints.planned_for IS 'When a planned touchpoint is to be made.';
COMMENT ON COLUMN arcollect.touchpoints.done_at IS 'When it was made.';
COMMENT ON COLUMN arcollect.touchpoints.policy_name IS 'Escalation policy whose step planned it; NULL for one logged by hand.';
COMMENT ON COLUMN arcollect.touchpoints.step_no IS 'Step of that policy.';
COMMENT ON COLUMN arcollect.touchpoints.reason IS 'Why it was skipped or cancelled.';
COMMENT ON COLUMN arcollect.touchpoints.subject IS 'Subject of the message as rendered.';
COMMENT ON COLUMN arcollect.touchpoints.body IS 'Body of the message as rendered.';
COMMENT ON COLUMN arcollect.touchpoints.notes IS 'The collector''s notes.';
COMMENT ON COLUMN arcollect.touchpoints.invoices_listed IS 'Number of invoices the touchpoint listed.';
COMMENT ON COLUMN arcollect.touchpoints.created_by IS 'Role that created the touchpoint.';
COMMENT ON COLUMN arcollect.touchpoints.created_at IS 'When it was created.';

CREATE OR REPLACE VIEW arcollect.touchpoint_invoices WITH (security_invoker = true) AS
SELECT ti.touchpoint_id, t.customer_id, a.billing_table, ti.invoice_key, i.currency,
       ti.open_amount AS listed_open_amount, o.open_amount
  FROM arcollect.touchpoint_invoice ti
  JOIN arcollect.touchpoint t ON t.touchpoint_id = ti.touchpoint_id
  JOIN arcollect.attachment a ON a.attachment_id = ti.attachment_id
  LEFT JOIN arcollect.invoice i ON i.attachment_id = ti.attachment_id AND i.invoice_key = ti.invoice_key
  LEFT JOIN arcollect._open_amount o ON o.attachment_id = ti.attachment_id AND o.invoice_key = ti.invoice_key;

COMMENT ON VIEW arcollect.touchpoint_invoices IS
'The invoices each touchpoint listed, with their open amount then and now.';
COMMENT ON COLUMN arcollect.touchpoint_invoices.touchpoint_id IS 'The touchpoint.';
COMMENT ON COLUMN arcollect.touchpoint_invoices.customer_id IS 'The customer of the touchpoint and its invoices.';
COMMENT ON COLUMN arcollect.touchpoint_invoices.billing_table IS 'The billing table of the invoice (NULL once that table is dropped).';
COMMENT ON COLUMN arcollect.touchpoint_invoices.invoice_key IS 'The invoice key, as text.';
COMMENT ON COLUMN arcollect.touchpoint_invoices.currency IS 'Currency of the invoice.';
COMMENT ON COLUMN arcollect.touchpoint_invoices.listed_open_amount IS 'Open amount when the touchpoint listed the invoice.';
COMMENT ON COLUMN arcollect.touchpoint_invoices.open_amount IS 'Open amount now (every payment booked, whatever its date).';

REVOKE ALL ON arcollect.touchpoint, arcollect.touchpoint_invoice, arcollect.touchpoints,
              arcollect.touchpoint_invoices
    FROM PUBLIC;
REVOKE ALL ON SEQUENCE arcollect.touchpoint_touchpoint_id_seq FROM PUBLIC;
