-- Late-fee claims (table in sql/schema/late_fee_claim.sql): making them,
-- the rules every claim row is held to, and how they are read.  A claim
-- is for the billing system to invoice; arcollect books nothing of it.
--
-- The rules live in the table's trigger, so that a plain INSERT or
-- UPDATE is held to them as claim_late_fees is: the invoice is in the
-- ledger and the claim carries its customer, currency and due date; the
-- compensation and interest are those the charge functions give for the
-- claim's basis (open_amount, due_on, annual_rate, claimed_on), interest
-- rounded to the currency's minor unit.  The open amount itself is taken
-- as given: claim_late_fees takes the invoice's open amount less the
-- part under dispute on the claim's date (arcollect.escalation_invoices),
-- as a dispute contests that part of the debt: it is neither dunned for
-- nor charged for paying late.  A row
-- that says it was created before the current transaction (a restore, an
-- import of old claims) is held to the table's constraints only: the law
-- of its day, not today's functions, set its amounts.

-- BEFORE INSERT OR UPDATE trigger of arcollect.late_fee_claim.
CREATE OR REPLACE FUNCTION arcollect._late_fee_claim_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    inv record;
    compensation numeric;
    interest numeric;
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.created_at < pg_catalog.now() THEN
            RETURN NEW;
        END IF;
        NEW.created_by := current_user;
    END IF;
    SELECT i.customer_id, i.currency, i.due_on INTO inv
      FROM arcollect.invoice i
     WHERE i.attachment_id = NEW.attachment_id AND i.invoice_key = NEW.invoice_key;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'invoice "%" of % is not in the ledger', NEW.invoice_key,
                        coalesce((SELECT coalesce(a.billing_table::text, a.dropped_table_name)
                                    FROM arcollect.attachment a WHERE a.attachment_id = NEW.attachment_id),
                                 format('attachment %s', NEW.attachment_id))
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Claim late fees with arcollect.claim_late_fees, which finds the overdue invoices.';
    END IF;
    IF NEW.customer_id <> inv.customer_id OR NEW.currency <> inv.currency OR NEW.due_on <> inv.due_on THEN
        RAISE EXCEPTION 'claim names customer "%", currency % and due date %, invoice "%" is customer "%"''s in %, due %',
                        coalesce(NEW.customer_id, inv.customer_id), coalesce(NEW.currency, inv.currency),
                        coalesce(NEW.due_on, inv.due_on), NEW.invoice_key,
                        inv.customer_id, inv.currency, inv.due_on
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Leave customer_id, currency and due_on out: they are filled from the invoice.';
    END IF;
    NEW.customer_id := inv.customer_id;
    NEW.currency := inv.currency;
    NEW.due_on := inv.due_on;

    compensation := arcollect.late_payment_compensation(NEW.open_amount, NEW.currency, NEW.regime);
    interest := arcollect.round_money(
        arcollect.late_payment_interest(NEW.open_amount, NEW.due_on, NEW.claimed_on, NEW.annual_rate),
        NEW.currency);
    IF NEW.compensation <> compensation OR NEW.interest <> interest THEN
        RAISE EXCEPTION 'claim of % compensation and % interest on invoice "%", the charges are % and %',
                        coalesce(NEW.compensation, compensation), coalesce(NEW.interest, interest),
                        NEW.invoice_key, compensation, interest
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('%s %s open, due %s, at %s a year to %s, under regime %s.',
                                  NEW.open_amount, NEW.currency, NEW.due_on, NEW.annual_rate,
                                  NEW.claimed_on, NEW.regime),
                  HINT = 'Leave compensation and interest out: they are computed from the claim''s basis.';
    END IF;
    NEW.compensation := compensation;
    NEW.interest := interest;
    RETURN NEW;
END
$fn$;

COMMENT ON FUNCTION arcollect._late_fee_claim_check() IS
'Internal: BEFORE INSERT OR UPDATE trigger of arcollect.late_fee_claim; fills the customer, currency and due date from the invoice and the compensation and interest from the claim''s basis, and refuses values that differ from those.';

CREATE OR REPLACE TRIGGER late_fee_claim_check BEFORE INSERT OR UPDATE ON arcollect.late_fee_claim
    FOR EACH ROW EXECUTE FUNCTION arcollect._late_fee_claim_check();

-- What a fee step of the escalation run calls for one customer and
-- currency: every invoice of theirs overdue at as_of (due before it, with
-- something open at its end that is not under a dispute open then) that
-- has no claim under the regime yet gets one, on that undisputed open
-- amount (arcollect.escalation_invoices: its open_amount less its
-- disputed_amount, the amount the fee step's touchpoint lists); an
-- invoice disputed whole is not claimed.  Returns the claims made now,
-- by invoice key.  Claimed once: the
-- interest is what accrued to the first as_of a claim was made for, and a
-- later run, or a concurrent one, adds nothing (ON CONFLICT DO NOTHING on
-- the unique invoice and regime).  Given a touchpoint that lists
-- invoices (a fee step's), only those are claimed: the escalation run
-- lists there the escalatable ones (not disputed, not under a plan or
-- promise).
CREATE OR REPLACE FUNCTION arcollect.claim_late_fees(customer_id text,
                                                     currency text,
                                                     regime text,
                                                     annual_rate numeric,
                                                     as_of date,
                                                     touchpoint_id bigint DEFAULT NULL)
RETURNS TABLE (invoice_key text, compensation numeric, interest numeric)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF customer_id IS NULL OR currency IS NULL OR regime IS NULL OR annual_rate IS NULL OR as_of IS NULL THEN
        RAISE EXCEPTION 'customer_id, currency, regime, annual_rate and as_of must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    -- the regime, its currency and the rate, refused before any invoice
    -- is read (and also when the customer has nothing overdue)
    PERFORM arcollect.late_payment_compensation(0, claim_late_fees.currency, claim_late_fees.regime),
            arcollect.late_payment_interest(0, as_of, as_of, claim_late_fees.annual_rate);
    IF NOT EXISTS (SELECT FROM arcollect.customer c WHERE c.customer_id = claim_late_fees.customer_id) THEN
        RAISE EXCEPTION 'unknown customer "%"', claim_late_fees.customer_id
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Give a customer_id of arcollect.customer.';
    END IF;
    RETURN QUERY
    WITH claimed AS (
        INSERT INTO arcollect.late_fee_claim AS c
               (attachment_id, invoice_key, customer_id, currency, regime, open_amount, due_on,
                annual_rate, claimed_on, touchpoint_id)
        SELECT o.attachment_id, o.invoice_key, o.customer_id, o.currency, claim_late_fees.regime,
               o.open_amount - o.disputed_amount, o.due_on, claim_late_fees.annual_rate, claim_late_fees.as_of,
               claim_late_fees.touchpoint_id
          FROM arcollect.escalation_invoices(claim_late_fees.as_of, claim_late_fees.customer_id) o
         WHERE o.currency = claim_late_fees.currency
           AND o.open_amount - o.disputed_amount > 0 AND o.days_overdue > 0
           AND (NOT EXISTS (SELECT FROM arcollect.touchpoint_invoice ti
                             WHERE ti.touchpoint_id = claim_late_fees.touchpoint_id)
                OR EXISTS (SELECT FROM arcollect.touchpoint_invoice ti
                            WHERE ti.touchpoint_id = claim_late_fees.touchpoint_id
                              AND ti.attachment_id = o.attachment_id AND ti.invoice_key = o.invoice_key))
        ON CONFLICT ON CONSTRAINT late_fee_claim_once DO NOTHING
        RETURNING c.invoice_key, c.compensation, c.interest)
    SELECT x.invoice_key::text, x.compensation, x.interest FROM claimed x ORDER BY x.invoice_key;
END
$fn$;

COMMENT ON FUNCTION arcollect.claim_late_fees(text, text, text, numeric, date, bigint) IS
'Claims the late-payment compensation and interest (at annual_rate, a fraction, to as_of) under regime eu or uk on every invoice of the customer in currency that is overdue at as_of and not claimed under that regime yet (given a touchpoint that lists invoices, only those), on its open amount less the part under a dispute open at as_of (an invoice disputed whole is not claimed), and returns the claims made now (invoice_key, compensation, interest). Claims are for the billing system to invoice; arcollect books none. Running it again adds nothing. An unknown customer or regime, a currency not the regime''s or a negative rate is an error (SQLSTATE 22023).';

CREATE OR REPLACE VIEW arcollect.late_fee_claims WITH (security_invoker = true) AS
SELECT c.claim_id, a.billing_table, c.invoice_key, c.customer_id, c.currency, c.regime,
       c.open_amount, c.due_on, c.claimed_on - c.due_on AS days_overdue, c.annual_rate,
       c.compensation, c.interest, c.compensation + c.interest AS total_claimed,
       c.claimed_on, c.touchpoint_id, c.created_by, c.created_at
  FROM arcollect.late_fee_claim c
  JOIN arcollect.attachment a ON a.attachment_id = c.attachment_id;

COMMENT ON VIEW arcollect.late_fee_claims IS
'Every late-fee claim, with its invoice''s billing table: what the billing system is to invoice the customer for paying late. arcollect books none of it.';
COMMENT ON COLUMN arcollect.late_fee_claims.claim_id IS 'Identifier of the claim.';
COMMENT ON COLUMN arcollect.late_fee_claims.billing_table IS 'Billing table of the invoice; NULL once the table is dropped.';
COMMENT ON COLUMN arcollect.late_fee_claims.invoice_key IS 'The invoice key, as text.';
COMMENT ON COLUMN arcollect.late_fee_claims.customer_id IS 'Customer of the invoice, to be charged.';
COMMENT ON COLUMN arcollect.late_fee_claims.currency IS 'Currency of the invoice and of every amount.';
COMMENT ON COLUMN arcollect.late_fee_claims.regime IS 'The law claimed under: eu or uk.';
COMMENT ON COLUMN arcollect.late_fee_claims.open_amount IS 'Open amount of the invoice at the end of claimed_on less the part under dispute then, which the charges are computed on.';
COMMENT ON COLUMN arcollect.late_fee_claims.due_on IS 'Due date of the invoice.';
COMMENT ON COLUMN arcollect.late_fee_claims.days_overdue IS 'Days of interest: claimed_on - due_on.';
COMMENT ON COLUMN arcollect.late_fee_claims.annual_rate IS 'Yearly interest rate, as a fraction (0.105 is 10.5 %).';
COMMENT ON COLUMN arcollect.late_fee_claims.compensation IS 'Fixed compensation claimed.';
COMMENT ON COLUMN arcollect.late_fee_claims.interest IS 'Interest claimed, rounded to the currency''s minor unit.';
COMMENT ON COLUMN arcollect.late_fee_claims.total_claimed IS 'Compensation plus interest.';
COMMENT ON COLUMN arcollect.late_fee_claims.claimed_on IS 'Date the claim is for.';
COMMENT ON COLUMN arcollect.late_fee_claims.touchpoint_id IS 'Touchpoint of the fee step that made the claim; NULL for one made otherwise.';
COMMENT ON COLUMN arcollect.late_fee_claims.created_by IS 'Role that recorded the claim.';
COMMENT ON COLUMN arcollect.late_fee_claims.created_at IS 'When it was recorded.';

REVOKE ALL ON arcollect.late_fee_claim, arcollect.late_fee_claims FROM PUBLIC;
REVOKE ALL ON SEQUENCE arcollect.late_fee_claim_claim_id_seq FROM PUBLIC;
