-- Promises to pay (sql/schema/promise.sql): taking one, its status as of
-- any date, storing what was decided for a date, cancelling one, and the
-- reader view.
--
-- The status of a promise as of a date d, defined once, in
-- arcollect.promise_status:
--   - what was stored (kept, broken or cancelled, with the date it was
--     decided for, settled_on) stands for every d on or after that date;
--   - else kept when the customer's payments in the promise's currency
--     effective from made_on through least(d, promised_on) reach the
--     amount: kept on the promised date, not later;
--   - else broken when d is after promised_on;
--   - else open.
-- The customer's payments are the entries of kinds payment, credit_note
-- and write_off on its invoices in that currency, with their signs (a
-- reversal counts against), from any billing or payments table.  A
-- payment dated before made_on does not count.
--
-- Functions run with their caller's rights: a collector needs INSERT and
-- UPDATE on arcollect.promise and SELECT on the ledger (doc/ledger.md,
-- Privileges).

-- What each customer owes now, per currency: the open amounts of its
-- invoices in the billing tables, every booked payment counted whatever
-- its date (as arcollect.find_invoice gives one invoice's).  Positive: it
-- owes; a promise is taken only in such a currency.
CREATE OR REPLACE FUNCTION arcollect.customer_open_amounts(customer_id text DEFAULT NULL)
RETURNS TABLE (customer_id text, currency text, open_amount numeric)
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT i.customer_id, i.currency, pg_catalog.sum(o.open_amount)
      FROM arcollect.invoice i
      JOIN arcollect._open_amount o ON o.attachment_id = i.attachment_id AND o.invoice_key = i.invoice_key
     WHERE i.in_billing
       AND (customer_open_amounts.customer_id IS NULL OR i.customer_id = customer_open_amounts.customer_id)
     GROUP BY i.customer_id, i.currency;
END;

COMMENT ON FUNCTION arcollect.customer_open_amounts(text) IS
'What a customer (NULL: every customer) owes now in each currency: the sum of the open amounts of its invoices in the billing tables, every booked payment counted. A promise to pay is taken in a currency where this is positive.';

CREATE OR REPLACE FUNCTION arcollect.promise_status(as_of date DEFAULT CURRENT_DATE)
RETURNS TABLE (promise_id bigint, customer_id text, currency text, amount numeric,
               made_on date, promised_on date, paid_amount numeric, status text)
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT p.promise_id, p.customer_id, p.currency, p.amount, p.made_on, p.promised_on,
           coalesce(paid.amount, 0),
           CASE WHEN p.status <> 'open' AND p.settled_on <= promise_status.as_of THEN p.status
                WHEN coalesce(paid.amount, 0) >= p.amount THEN 'kept'
                WHEN promise_status.as_of > p.promised_on THEN 'broken'
                ELSE 'open' END
      FROM arcollect.promise p
      LEFT JOIN (SELECT q.promise_id, -pg_catalog.sum(e.amount) AS amount
                   FROM arcollect.promise q
                   JOIN arcollect.invoice i ON i.customer_id = q.customer_id AND i.currency = q.currency
                   JOIN arcollect.entry e ON e.attachment_id = i.attachment_id
                                         AND e.invoice_key = i.invoice_key
                  WHERE e.kind IN ('payment', 'credit_note', 'write_off')
                    AND e.effective_on >= q.made_on
                    AND e.effective_on <= LEAST(promise_status.as_of, q.promised_on)
                  GROUP BY q.promise_id) paid ON paid.promise_id = p.promise_id;
END;

COMMENT ON FUNCTION arcollect.promise_status(date) IS
'Every promise to pay with its status as of a date and what was paid toward it by then: kept when the customer''s payments in its currency effective from made_on through least(as_of, promised_on) reach the amount, broken when as_of is after promised_on without that, else open; a status stored for an earlier date (settle_commitments, cancel_promise) stands.';

-- Refuses a promise in a currency its customer does not owe in, and a
-- touchpoint of another customer: a plain INSERT is held to what
-- promise_to_pay does.  An UPDATE may change only the touchpoint
-- (arcollect.record_column_rule), checked when it does.
CREATE OR REPLACE FUNCTION arcollect._promise_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    owed text;
    touchpoint_customer text;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT pg_catalog.string_agg(format('%s %s', b.currency, b.open_amount), ', ' ORDER BY b.currency)
          INTO owed
          FROM arcollect.customer_open_amounts(NEW.customer_id) b
         WHERE b.open_amount > 0;
        IF owed IS NULL OR NOT EXISTS (SELECT FROM arcollect.customer_open_amounts(NEW.customer_id) b
                                        WHERE b.open_amount > 0 AND b.currency = NEW.currency) THEN
            RAISE EXCEPTION 'customer "%" owes nothing in %', NEW.customer_id, NEW.currency
                USING ERRCODE = 'invalid_parameter_value',
                      DETAIL = CASE WHEN owed IS NULL THEN 'It owes nothing in any currency.'
                                    ELSE format('It owes %s.', owed) END,
                      HINT = 'A promise to pay is in a currency the customer owes in.';
        END IF;
    END IF;
    IF NEW.touchpoint_id IS NOT NULL
       AND (TG_OP = 'INSERT' OR NEW.touchpoint_id IS DISTINCT FROM OLD.touchpoint_id) THEN
        SELECT t.customer_id INTO touchpoint_customer
          FROM arcollect.touchpoint t WHERE t.touchpoint_id = NEW.touchpoint_id;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'touchpoint % does not exist', NEW.touchpoint_id
                USING ERRCODE = 'invalid_parameter_value';
        ELSIF touchpoint_customer <> NEW.customer_id THEN
            RAISE EXCEPTION 'touchpoint % is not customer "%"''s', NEW.touchpoint_id, NEW.customer_id
                USING ERRCODE = 'invalid_parameter_value',
                      DETAIL = format('It is a touchpoint with customer "%s".', touchpoint_customer),
                      HINT = 'Name the touchpoint the promise was taken in, or none.';
        END IF;
    END IF;
    RETURN NEW;
END
$fn$;

COMMENT ON FUNCTION arcollect._promise_check() IS
'Internal: BEFORE INSERT OR UPDATE trigger of arcollect.promise; refuses a currency the customer does not owe in and a touchpoint of another customer (SQLSTATE 22023).';

CREATE OR REPLACE TRIGGER promise_check_insert BEFORE INSERT ON arcollect.promise
    FOR EACH ROW EXECUTE FUNCTION arcollect._promise_check();
CREATE OR REPLACE TRIGGER promise_check_update
    BEFORE UPDATE OF touchpoint_id ON arcollect.promise
    FOR EACH ROW EXECUTE FUNCTION arcollect._promise_check();
CREATE OR REPLACE TRIGGER promise_status BEFORE UPDATE OF status ON arcollect.promise
    FOR EACH ROW EXECUTE FUNCTION arcollect._guard_status('promise', 'promise_id');
CREATE OR REPLACE TRIGGER promise_writable BEFORE UPDATE ON arcollect.promise
    FOR EACH ROW EXECUTE FUNCTION arcollect._guard_final('promise', 'promise_id');
CREATE OR REPLACE TRIGGER promise_created BEFORE INSERT ON arcollect.promise
    FOR EACH ROW EXECUTE FUNCTION arcollect._record_created('promise', 'promise_id');

-- Takes a promise in the one currency the customer owes in now; a
-- customer owing in several is told to INSERT naming the currency.
CREATE OR REPLACE FUNCTION arcollect.promise_to_pay(customer_id text, amount numeric, promised_on date,
                                                    made_on date DEFAULT CURRENT_DATE,
                                                    touchpoint_id bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    owed_currency text;
    owed text;
    currencies integer;
    new_id bigint;
BEGIN
    -- (numeric's NaN sorts above 'Infinity': < 'Infinity' refuses both)
    IF amount IS NULL OR NOT (amount > 0 AND amount < 'Infinity') THEN
        RAISE EXCEPTION 'promised amount % is not positive', coalesce(amount::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Promise an amount greater than zero.';
    END IF;
    IF promised_on IS NULL OR made_on IS NULL OR promised_on < made_on THEN
        RAISE EXCEPTION 'promised date % is before the day the promise is made, %',
                        coalesce(promised_on::text, 'NULL'), coalesce(made_on::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'The customer promises to pay on or after the day it promises.';
    END IF;
    SELECT pg_catalog.count(*), pg_catalog.min(b.currency),
           pg_catalog.string_agg(format('%s %s', b.currency, b.open_amount), ', ' ORDER BY b.currency)
      INTO currencies, owed_currency, owed
      FROM arcollect.customer_open_amounts(promise_to_pay.customer_id) b
     WHERE b.open_amount > 0;
    IF currencies = 0 AND NOT EXISTS (SELECT FROM arcollect.customer c
                                       WHERE c.customer_id = promise_to_pay.customer_id) THEN
        RAISE EXCEPTION 'customer "%" is not known to arcollect', customer_id
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'No invoice of the ledger names it and it was not created in arcollect.customer.',
                  HINT = 'Check the customer identifier.';
    ELSIF currencies = 0 THEN
        RAISE EXCEPTION 'customer "%" owes nothing', customer_id
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'The open amounts of its invoices add up to zero or less in every currency.',
                  HINT = 'A promise to pay is for an amount the customer owes.';
    ELSIF currencies > 1 THEN
        RAISE EXCEPTION 'customer "%" owes in more than one currency', customer_id
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('It owes %s.', owed),
                  HINT = 'Say which currency the promise is in: INSERT INTO arcollect.promise '
                         '(customer_id, currency, amount, promised_on, made_on, touchpoint_id) VALUES (...).';
    END IF;
    INSERT INTO arcollect.promise (customer_id, currency, amount, promised_on, made_on, touchpoint_id)
    VALUES (promise_to_pay.customer_id, owed_currency, promise_to_pay.amount, promise_to_pay.promised_on,
            promise_to_pay.made_on, promise_to_pay.touchpoint_id)
    RETURNING promise_id INTO new_id;
    RETURN new_id;
END
$fn$;

COMMENT ON FUNCTION arcollect.promise_to_pay(text, numeric, date, date, bigint) IS
'Records a customer''s promise to pay amount by promised_on, in the currency it owes in, and returns the promise_id. A customer owing in several currencies is an error (INSERT INTO arcollect.promise naming the currency instead), as a customer owing nothing, an amount not positive or a promised date before made_on (SQLSTATE 22023).';

-- Cancels a promise that is open as of today (one kept or broken by
-- today is no longer open, though nothing stored it yet).
CREATE OR REPLACE FUNCTION arcollect.cancel_promise(promise_id bigint, note text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    today_status text;
BEGIN
    SELECT s.status INTO today_status
      FROM arcollect.promise_status(CURRENT_DATE) s
     WHERE s.promise_id = cancel_promise.promise_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'promise % does not exist', promise_id
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'See arcollect.promises for the promises.';
    ELSIF today_status <> 'open' THEN
        RAISE EXCEPTION 'promise % cannot go from status "%" to "cancelled"', promise_id, today_status
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = format('It is %s as of today (arcollect.promise_status).', today_status),
                  HINT = 'Only an open promise can be cancelled.';
    END IF;
    UPDATE arcollect.promise p
       SET status = 'cancelled', settled_on = CURRENT_DATE,
           note = coalesce(cancel_promise.note, p.note)
     WHERE p.promise_id = cancel_promise.promise_id;
END
$fn$;

COMMENT ON FUNCTION arcollect.cancel_promise(bigint, text) IS
'Cancels a promise to pay that is open as of today, with an optional note; one kept, broken or cancelled is refused (SQLSTATE 55000), an unknown one too (22023).';

CREATE OR REPLACE VIEW arcollect.promises WITH (security_invoker = true) AS
SELECT s.promise_id, s.customer_id, c.name AS customer_name, s.currency, s.amount, s.made_on,
       s.promised_on, s.status, s.paid_amount, GREATEST(s.amount - s.paid_amount, 0) AS remaining_amount,
       coalesce(b.open_amount, 0) AS customer_open_amount,
       p.touchpoint_id, p.settled_on, p.note, p.created_by, p.created_at
  FROM arcollect.promise_status(CURRENT_DATE) s
  JOIN arcollect.promise p ON p.promise_id = s.promise_id
  LEFT JOIN arcollect.customer_open_amounts() b ON b.customer_id = s.customer_id AND b.currency = s.currency
  LEFT JOIN arcollect.customer c ON c.customer_id = s.customer_id;

COMMENT ON VIEW arcollect.promises IS
'Every promise to pay with its status as of today (arcollect.promise_status: no one needs to run settle_commitments first) and what the customer paid toward it so far.';
COMMENT ON COLUMN arcollect.promises.promise_id IS 'Identifier of the promise.';
COMMENT ON COLUMN arcollect.promises.customer_id IS 'The customer who promised.';
COMMENT ON COLUMN arcollect.promises.customer_name IS 'Display name of the customer, if set.';
COMMENT ON COLUMN arcollect.promises.currency IS 'Currency of the promise.';
COMMENT ON COLUMN arcollect.promises.amount IS 'Amount promised.';
COMMENT ON COLUMN arcollect.promises.made_on IS 'Day the promise was made.';
COMMENT ON COLUMN arcollect.promises.promised_on IS 'Day by which the amount is to be paid.';
COMMENT ON COLUMN arcollect.promises.status IS 'Status as of today: open, kept, broken or cancelled.';
COMMENT ON COLUMN arcollect.promises.paid_amount IS 'What the customer paid in the currency from made_on through today or promised_on, whichever is earlier (payments, credit notes and write-offs on its invoices).';
COMMENT ON COLUMN arcollect.promises.remaining_amount IS 'Amount still to pay for the promise to be kept (0 once paid).';
COMMENT ON COLUMN arcollect.promises.customer_open_amount IS 'What the customer owes now in the currency, on all its invoices.';
COMMENT ON COLUMN arcollect.promises.touchpoint_id IS 'The touchpoint the promise was taken in, if any.';
COMMENT ON COLUMN arcollect.promises.settled_on IS 'Date for which the stored status was decided (settle_commitments, or the day it was cancelled); NULL while open.';
COMMENT ON COLUMN arcollect.promises.note IS 'Note, such as why it was cancelled.';
COMMENT ON COLUMN arcollect.promises.created_by IS 'Role that recorded the promise.';
COMMENT ON COLUMN arcollect.promises.created_at IS 'When it was recorded.';

REVOKE ALL ON arcollect.promise, arcollect.promises FROM PUBLIC;
REVOKE ALL ON SEQUENCE arcollect.promise_promise_id_seq FROM PUBLIC;
