-- Disputes (tables in sql/schema/dispute.sql): opening and closing them,
-- the rules every dispute row is held to, and how they are read.
--
-- The rules live in the table's triggers, so that a plain INSERT or
-- UPDATE is held to them as open_dispute and close_dispute are:
--
-- - a dispute names an invoice the ledger holds (in its billing table
--   now), and carries that invoice's customer and currency;
-- - the open disputes of an invoice together dispute at most its open
--   amount, at the time each is opened (or its amount raised): a later
--   payment does not close or shrink a dispute, so the open disputed
--   amount may then be more than what is still open, and escalation
--   leaves out the smaller of the two (arcollect.invoice_disputed_amount);
--   a dispute opened without an amount disputes what is left;
-- - a dispute starts open and follows the life cycle of
--   arcollect.status_transition (arcollect._guard_status); closing it
--   records who closed it and when.
--
-- The restore and import path (arcollect._record_created, which runs
-- first): a row the table's owner restores is held to the table's
-- constraints only, known here by a created_at other than now().
-- pg_restore reloads closed disputes, and open ones whose invoice was
-- paid since; today's open amount says nothing of the amount open when
-- they were opened, and the invoice may not be loaded yet (a parallel
-- pg_restore loads tables in no fixed order).

-- BEFORE INSERT OR UPDATE trigger of arcollect.dispute.
CREATE OR REPLACE FUNCTION arcollect._dispute_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    inv record;
    billing_table regclass;
    other_open numeric;
    open_left numeric;
BEGIN
    -- (what an UPDATE may change at all: arcollect._guard_final)
    IF TG_OP = 'UPDATE' THEN
        IF OLD.status = 'open' AND NEW.status <> 'open' THEN
            NEW.closed_on := coalesce(NEW.closed_on, current_date);
            NEW.closed_by := current_user;
            NEW.closed_at := pg_catalog.now();
        END IF;
        -- lowering a disputed amount, or closing the dispute, never
        -- needs the invoice
        IF NEW.status <> 'open' OR NEW.disputed_amount <= OLD.disputed_amount THEN
            RETURN NEW;
        END IF;
    ELSE
        IF NEW.created_at <> pg_catalog.now() THEN
            RETURN NEW;
        END IF;
        IF NEW.status <> 'open' THEN
            RAISE EXCEPTION 'a dispute starts open, not "%"', NEW.status
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'Open it, then close it with arcollect.close_dispute.';
        END IF;
    END IF;
    IF NEW.disputed_amount <= 0 THEN
        RAISE EXCEPTION 'disputed amount % is not positive', NEW.disputed_amount
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Give the amount the customer contests, or NULL for all that is open on the invoice.';
    END IF;

    -- The invoice, by the billing table it is in (a table dropped since
    -- holds no invoice that can be disputed).
    SELECT a.billing_table INTO billing_table
      FROM arcollect.attachment a
     WHERE a.attachment_id = NEW.attachment_id AND a.kind = 'invoices';
    IF billing_table IS NULL THEN
        RAISE EXCEPTION 'attachment % is not an attached billing table', NEW.attachment_id
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Open disputes with arcollect.open_dispute, which finds the invoice by its key.';
    END IF;
    SELECT * INTO inv FROM arcollect.find_invoice(NEW.invoice_key, billing_table);
    IF NEW.customer_id IS DISTINCT FROM inv.customer_id AND NEW.customer_id IS NOT NULL
       OR NEW.currency IS DISTINCT FROM inv.currency AND NEW.currency IS NOT NULL THEN
        RAISE EXCEPTION 'dispute names customer "%" and currency %, invoice "%" is customer "%"''s in %',
                        NEW.customer_id, NEW.currency, NEW.invoice_key, inv.customer_id, inv.currency
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'A dispute is in the customer and currency of its invoice.',
                  HINT = 'Leave customer_id and currency out: they are filled from the invoice.';
    END IF;
    NEW.customer_id := inv.customer_id;
    NEW.currency := inv.currency;

    -- What the other open disputes of the invoice already hold.  The
    -- invoice's row of arcollect.record_lock, written before reading
    -- them, makes two disputes of one invoice opened at the same time
    -- check one after the other; under REPEATABLE READ, whose snapshot
    -- would miss the other's dispute, the second fails to serialize
    -- instead (sql/schema/record_lock.sql).
    INSERT INTO arcollect.record_lock AS l (record_kind, subject)
    VALUES ('dispute', format('%s %s', NEW.attachment_id, NEW.invoice_key))
        ON CONFLICT (record_kind, subject) DO UPDATE SET locked_at = pg_catalog.now();
    SELECT coalesce(pg_catalog.sum(d.disputed_amount), 0) INTO other_open
      FROM arcollect.dispute d
     WHERE d.invoice_key = NEW.invoice_key AND d.attachment_id = NEW.attachment_id
       AND d.status = 'open' AND d.dispute_id IS DISTINCT FROM NEW.dispute_id;
    open_left := coalesce(inv.open_amount, 0) - other_open;
    IF open_left <= 0 THEN
        RAISE EXCEPTION 'nothing is open on invoice "%" to dispute', NEW.invoice_key
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('Its open amount is %s, of which %s is under open dispute already.',
                                  inv.open_amount, other_open);
    END IF;
    NEW.disputed_amount := coalesce(NEW.disputed_amount, open_left);
    IF NEW.disputed_amount > open_left THEN
        RAISE EXCEPTION 'disputed amount % is more than the % open on invoice "%"',
                        NEW.disputed_amount, open_left, NEW.invoice_key
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('Its open amount is %s, of which %s is under open dispute already.',
                                  inv.open_amount, other_open),
                  HINT = 'Dispute at most what is open; NULL disputes all of it.';
    END IF;
    RETURN NEW;
END
$fn$;

COMMENT ON FUNCTION arcollect._dispute_check() IS
'Internal: BEFORE INSERT OR UPDATE trigger of arcollect.dispute; fills the customer, currency and (when NULL) amount from the invoice, refuses an amount that is not positive or more than the invoice''s open amount left undisputed, and records who closed a dispute and when.';

-- BEFORE triggers fire in the order of their names: dispute_created (who
-- made it, and the restore path) before dispute_invoice.
CREATE OR REPLACE TRIGGER dispute_created BEFORE INSERT ON arcollect.dispute
    FOR EACH ROW EXECUTE FUNCTION arcollect._record_created('dispute', 'dispute_id');
CREATE OR REPLACE TRIGGER dispute_invoice BEFORE INSERT OR UPDATE ON arcollect.dispute
    FOR EACH ROW EXECUTE FUNCTION arcollect._dispute_check();
CREATE OR REPLACE TRIGGER dispute_status BEFORE UPDATE OF status ON arcollect.dispute
    FOR EACH ROW EXECUTE FUNCTION arcollect._guard_status('dispute', 'dispute_id');
CREATE OR REPLACE TRIGGER dispute_writable BEFORE UPDATE ON arcollect.dispute
    FOR EACH ROW EXECUTE FUNCTION arcollect._guard_final('dispute', 'dispute_id');

CREATE OR REPLACE FUNCTION arcollect.open_dispute(invoice_key text,
                                                  reason_code text,
                                                  disputed_amount numeric DEFAULT NULL,
                                                  note text DEFAULT NULL,
                                                  owner text DEFAULT NULL,
                                                  opened_on date DEFAULT current_date,
                                                  billing_table regclass DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    found_attachment integer;
    new_id bigint;
BEGIN
    -- (the foreign key would refuse it too, less clearly: SQLSTATE 23503)
    IF NOT EXISTS (SELECT FROM arcollect.dispute_reason r WHERE r.reason_code = open_dispute.reason_code) THEN
        RAISE EXCEPTION 'unknown dispute reason "%"', reason_code
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Give a reason_code of arcollect.dispute_reason, or add the reason there.';
    END IF;
    IF opened_on IS NULL THEN
        RAISE EXCEPTION 'opened_on must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    SELECT f.attachment_id INTO found_attachment FROM arcollect.find_invoice(invoice_key, billing_table) f;
    INSERT INTO arcollect.dispute (attachment_id, invoice_key, reason_code, disputed_amount, note, owner, opened_on)
    VALUES (found_attachment, invoice_key, reason_code, disputed_amount, note, owner, opened_on)
    RETURNING dispute_id INTO new_id;
    RETURN new_id;
END
$fn$;

COMMENT ON FUNCTION arcollect.open_dispute(text, text, numeric, text, text, date, regclass) IS
'Opens a dispute of an invoice named by key (and billing table when the key is in several) and returns its dispute_id. A NULL amount disputes all of the invoice''s open amount that no other open dispute holds; an unknown reason or invoice, or an amount that is not positive or more than that, is an error (SQLSTATE 22023).';

CREATE OR REPLACE FUNCTION arcollect.close_dispute(dispute_id bigint,
                                                   status text,
                                                   note text DEFAULT NULL,
                                                   closed_on date DEFAULT current_date)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    d arcollect.dispute;
BEGIN
    IF NOT EXISTS (SELECT FROM arcollect.status_transition t
                    WHERE t.record_kind = 'dispute' AND t.from_status = 'open'
                      AND t.to_status = close_dispute.status) THEN
        RAISE EXCEPTION 'a dispute closes as resolved, rejected or credited, not "%"', status
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT * INTO d FROM arcollect.dispute x WHERE x.dispute_id = close_dispute.dispute_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'dispute % does not exist', dispute_id
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- (a change to another status is _guard_status's to refuse)
    IF d.status = status THEN
        RAISE EXCEPTION 'dispute % cannot go from status "%" to "%"', dispute_id, d.status, status
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = format('It was closed as %s on %s already.', d.status, d.closed_on);
    END IF;
    IF closed_on IS NULL THEN
        RAISE EXCEPTION 'closed_on must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF closed_on < d.opened_on THEN
        RAISE EXCEPTION 'dispute % cannot close on %, before it was opened on %', dispute_id, closed_on, d.opened_on
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    UPDATE arcollect.dispute x
       SET status = close_dispute.status, closed_on = close_dispute.closed_on,
           note = CASE WHEN close_dispute.note IS NULL THEN x.note
                       ELSE concat_ws(E'\n', x.note, close_dispute.note) END
     WHERE x.dispute_id = close_dispute.dispute_id;
END
$fn$;

COMMENT ON FUNCTION arcollect.close_dispute(bigint, text, text, date) IS
'Closes an open dispute as resolved, rejected or credited on closed_on (not before it was opened); a note is added to the dispute''s on a line of its own. A closed dispute cannot change status (SQLSTATE 55000).';

CREATE OR REPLACE VIEW arcollect.disputes WITH (security_invoker = true) AS
SELECT d.dispute_id, a.billing_table, d.invoice_key, d.customer_id, d.currency,
       d.reason_code, d.disputed_amount, o.open_amount, i.due_on,
       coalesce(d.closed_on, current_date) - d.opened_on AS days_open,
       d.status, d.owner, d.opened_on, d.closed_on, d.note,
       d.created_by, d.created_at, d.closed_by, d.closed_at
  FROM arcollect.dispute d
  JOIN arcollect.attachment a ON a.attachment_id = d.attachment_id
  LEFT JOIN arcollect.invoice i ON i.attachment_id = d.attachment_id AND i.invoice_key = d.invoice_key
  LEFT JOIN arcollect._open_amount o ON o.attachment_id = d.attachment_id AND o.invoice_key = d.invoice_key;

COMMENT ON VIEW arcollect.disputes IS
'Every dispute, with its invoice''s billing table, due date and open amount now.';
COMMENT ON COLUMN arcollect.disputes.dispute_id IS 'Identifier of the dispute.';
COMMENT ON COLUMN arcollect.disputes.billing_table IS 'Billing table of the invoice; NULL once the table is dropped.';
COMMENT ON COLUMN arcollect.disputes.invoice_key IS 'The invoice key, as text.';
COMMENT ON COLUMN arcollect.disputes.customer_id IS 'Customer of the invoice.';
COMMENT ON COLUMN arcollect.disputes.currency IS 'Currency of the invoice and of the amounts.';
COMMENT ON COLUMN arcollect.disputes.reason_code IS 'Why the customer disputes it (arcollect.dispute_reason).';
COMMENT ON COLUMN arcollect.disputes.disputed_amount IS 'Amount disputed.';
COMMENT ON COLUMN arcollect.disputes.open_amount IS 'The invoice''s open amount now (every payment counted, whatever its date); it may have fallen below the disputed amount since the dispute was opened.';
COMMENT ON COLUMN arcollect.disputes.due_on IS 'Due date of the invoice.';
COMMENT ON COLUMN arcollect.disputes.days_open IS 'Days from opened_on to closed_on, or to today while open.';
COMMENT ON COLUMN arcollect.disputes.status IS 'open, resolved, rejected or credited.';
COMMENT ON COLUMN arcollect.disputes.owner IS 'Who works on the dispute.';
COMMENT ON COLUMN arcollect.disputes.opened_on IS 'Date the dispute was opened.';
COMMENT ON COLUMN arcollect.disputes.closed_on IS 'Date it was closed; NULL while open.';
COMMENT ON COLUMN arcollect.disputes.note IS 'Notes given when it was opened and closed.';
COMMENT ON COLUMN arcollect.disputes.created_by IS 'Role that opened it.';
COMMENT ON COLUMN arcollect.disputes.created_at IS 'When it was opened.';
COMMENT ON COLUMN arcollect.disputes.closed_by IS 'Role that closed it.';
COMMENT ON COLUMN arcollect.disputes.closed_at IS 'When it was closed.';

-- (What escalation leaves out of an invoice, the disputed amount of the
-- disputes open on a date, is arcollect.invoice_disputed_amount, in
-- sql/code/disputes_open_on.sql.)

REVOKE ALL ON arcollect.dispute_reason, arcollect.dispute, arcollect.disputes FROM PUBLIC;
REVOKE ALL ON SEQUENCE arcollect.dispute_dispute_id_seq FROM PUBLIC;
