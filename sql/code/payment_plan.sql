-- Payment plans (tables in sql/schema/payment_plan.sql): making and
-- cancelling one, and what payments did to it as of a date.
--
-- Payments are derived on read.  A plan's payments are the ledger's
-- entries of kinds payment, credit_note and write_off on its covered
-- invoices recorded since the plan was made (entry.recorded_at >=
-- payment_plan.created_at), with their signs: a reversal (a deleted
-- payments row) takes its payment back.  Earlier ones are already out of
-- the covered amount the installments add up to.  They pay the
-- installments in due-date order: as of a date d, the plan's payments
-- effective on or before d, P(d), pay installment k up to
-- least(amount_k, P(d) - the amounts of installments 1..k-1); more than
-- the plan's total pays nothing more.  Installment k breaks the plan as of
-- d when d > due_on + grace_days and P(due_on + grace_days) did not reach
-- installments 1..k (grace 5, due Jan 10: broken as of Jan 16 when still
-- unpaid at the end of Jan 15, not as of Jan 15).  One function states
-- each rule: installment_status the installments', payment_plan_status
-- the plan's, from it.

-- Rules of an installment row: a positive amount (here rather than in a
-- CHECK, so that the message names it), and, needing other rows, the
-- plan's due dates increase with the installment number and none is
-- before the plan was made.
CREATE OR REPLACE FUNCTION arcollect._plan_installment_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    made date;
    clash record;
BEGIN
    -- (numeric's NaN sorts above 'Infinity': < 'Infinity' refuses both)
    IF NOT (NEW.amount > 0 AND NEW.amount < 'Infinity') THEN
        RAISE EXCEPTION 'installment % of payment plan % has amount %, not positive',
                        NEW.installment_no, NEW.plan_id, NEW.amount
            USING ERRCODE = 'check_violation';
    END IF;
    SELECT p.created_on INTO made FROM arcollect.payment_plan p WHERE p.plan_id = NEW.plan_id;
    IF NEW.due_on < made THEN
        RAISE EXCEPTION 'installment % of payment plan % is due on %, before the plan was made (%)',
                        NEW.installment_no, NEW.plan_id, NEW.due_on, made
            USING ERRCODE = 'check_violation',
                  HINT = 'Installments fall due on or after the date the plan is made.';
    END IF;
    SELECT s.installment_no, s.due_on INTO clash
      FROM arcollect.plan_installment s
     WHERE s.plan_id = NEW.plan_id AND s.installment_no <> NEW.installment_no
       AND (s.installment_no < NEW.installment_no AND s.due_on >= NEW.due_on
            OR s.installment_no > NEW.installment_no AND s.due_on <= NEW.due_on)
     ORDER BY s.installment_no
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'installment % of payment plan % is due on %, installment % on %',
                        NEW.installment_no, NEW.plan_id, NEW.due_on, clash.installment_no, clash.due_on
            USING ERRCODE = 'check_violation',
                  DETAIL = 'Due dates must increase strictly with the installment number.',
                  HINT = 'Number the installments in the order they fall due.';
    END IF;
    RETURN NEW;
END
$fn$;

COMMENT ON FUNCTION arcollect._plan_installment_check() IS
'Internal: BEFORE INSERT OR UPDATE trigger of arcollect.plan_installment; the amount is positive, due dates increase strictly with the installment number and are not before the plan was made (SQLSTATE 23514).';

CREATE OR REPLACE TRIGGER plan_installment_check
    BEFORE INSERT OR UPDATE ON arcollect.plan_installment
    FOR EACH ROW EXECUTE FUNCTION arcollect._plan_installment_check();

-- Rules of a covered invoice: it is an invoice of the plan's customer in
-- the plan's currency, and no other active plan covers it.  Two
-- transactions making plans for one customer take turns (the customer's
-- row of arcollect.record_lock, held for the rest of the transaction), so
-- that both cannot pass the second check for the same invoice: under
-- REPEATABLE READ, whose snapshot would miss the other's plan, the second
-- fails to serialize instead (sql/schema/record_lock.sql).
CREATE OR REPLACE FUNCTION arcollect._plan_invoice_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    plan arcollect.payment_plan;
    inv record;
    other bigint;
BEGIN
    SELECT * INTO plan FROM arcollect.payment_plan p WHERE p.plan_id = NEW.plan_id;
    SELECT i.customer_id, i.currency INTO inv
      FROM arcollect.invoice i
     WHERE i.attachment_id = NEW.attachment_id AND i.invoice_key = NEW.invoice_key;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'invoice "%" of attachment % is not in the receivables ledger',
                        NEW.invoice_key, NEW.attachment_id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF inv.customer_id IS DISTINCT FROM plan.customer_id OR inv.currency IS DISTINCT FROM plan.currency THEN
        RAISE EXCEPTION 'invoice "%" is of customer "%" in %, payment plan % of customer "%" in %',
                        NEW.invoice_key, inv.customer_id, inv.currency,
                        plan.plan_id, plan.customer_id, plan.currency
            USING ERRCODE = 'check_violation',
                  HINT = 'A plan covers invoices of its own customer and currency.';
    END IF;
    -- (a plan made in an earlier transaction is being restored, by the
    -- tables' owner (arcollect._plan_fixed): the restore loads the turns'
    -- rows itself)
    IF plan.created_at = pg_catalog.now() THEN
        INSERT INTO arcollect.record_lock AS l (record_kind, subject) VALUES ('payment_plan', plan.customer_id)
            ON CONFLICT (record_kind, subject) DO UPDATE SET locked_at = pg_catalog.now();
    END IF;
    SELECT c.plan_id INTO other
      FROM arcollect.plan_invoice c
      JOIN arcollect.payment_plan p ON p.plan_id = c.plan_id
     WHERE c.attachment_id = NEW.attachment_id AND c.invoice_key = NEW.invoice_key
       AND c.plan_id <> NEW.plan_id AND p.status = 'active'
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'invoice "%" is already covered by active payment plan %', NEW.invoice_key, other
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'An invoice is covered by one active plan at a time.',
                  HINT = format('Cancel plan %s first (arcollect.cancel_payment_plan), or run arcollect.settle_commitments() if it is completed or broken.', other);
    END IF;
    RETURN NEW;
END
$fn$;

COMMENT ON FUNCTION arcollect._plan_invoice_check() IS
'Internal: BEFORE INSERT OR UPDATE trigger of arcollect.plan_invoice; the invoice is in the ledger, of the plan''s customer and currency, and not covered by another active plan.';

CREATE OR REPLACE TRIGGER plan_invoice_check
    BEFORE INSERT OR UPDATE ON arcollect.plan_invoice
    FOR EACH ROW EXECUTE FUNCTION arcollect._plan_invoice_check();

-- A plan's schedule and covered invoices are what was agreed: written in
-- the transaction that makes the plan, then fixed (a collector, who may
-- INSERT them to make a plan, cannot add an installment or an invoice to
-- an existing one).  The restore path of arcollect._record_created: the
-- table owner reloads them for plans made long before.
CREATE OR REPLACE FUNCTION arcollect._plan_fixed()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF EXISTS (SELECT FROM arcollect.payment_plan p
                WHERE p.plan_id = NEW.plan_id AND p.created_at <> pg_catalog.now())
       AND NOT pg_catalog.pg_has_role((SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = TG_RELID),
                                      'USAGE') THEN
        RAISE EXCEPTION 'payment plan % was made in an earlier transaction: its % are fixed',
                        NEW.plan_id, CASE TG_TABLE_NAME WHEN 'plan_installment' THEN 'installments'
                                                        ELSE 'invoices' END
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Cancel the plan (arcollect.cancel_payment_plan) and make another one.';
    END IF;
    RETURN NEW;
END
$fn$;

COMMENT ON FUNCTION arcollect._plan_fixed() IS
'Internal: BEFORE INSERT OR UPDATE trigger of arcollect.plan_installment and arcollect.plan_invoice; refuses a row for a plan made in an earlier transaction, but from the tables'' owner (a restore) (SQLSTATE 55000).';

CREATE OR REPLACE TRIGGER plan_installment_fixed
    BEFORE INSERT OR UPDATE ON arcollect.plan_installment
    FOR EACH ROW EXECUTE FUNCTION arcollect._plan_fixed();
CREATE OR REPLACE TRIGGER plan_invoice_fixed
    BEFORE INSERT OR UPDATE ON arcollect.plan_invoice
    FOR EACH ROW EXECUTE FUNCTION arcollect._plan_fixed();

CREATE OR REPLACE TRIGGER payment_plan_status
    BEFORE UPDATE OF status ON arcollect.payment_plan
    FOR EACH ROW EXECUTE FUNCTION arcollect._guard_status('payment_plan', 'plan_id');
CREATE OR REPLACE TRIGGER payment_plan_writable
    BEFORE UPDATE ON arcollect.payment_plan
    FOR EACH ROW EXECUTE FUNCTION arcollect._guard_final('payment_plan', 'plan_id');
CREATE OR REPLACE TRIGGER payment_plan_created
    BEFORE INSERT ON arcollect.payment_plan
    FOR EACH ROW EXECUTE FUNCTION arcollect._record_created('payment_plan', 'plan_id');

-- The one definition of what payments did to each installment as of a
-- date (see the top of this file).  An inlinable SQL function: the
-- entries are read in one pass and hash-joined to the covered invoices,
-- never looked up per plan.  pay is the plan's payments per effective
-- date; run their running total paid_through (P at that date) and
-- paid_after, the least running total from that date on: an installment
-- is fully paid since the first date whose paid_after reaches it (a
-- reversal may unpay it for a while).
CREATE OR REPLACE FUNCTION arcollect.installment_status(as_of date DEFAULT current_date)
RETURNS TABLE (plan_id bigint, installment_no integer, due_on date, amount numeric,
               paid_amount numeric, paid_on date, breaks_plan boolean)
LANGUAGE sql STABLE
BEGIN ATOMIC
    WITH pay AS (
        SELECT c.plan_id, e.effective_on, -sum(e.amount) AS paid
          FROM arcollect.plan_invoice c
          JOIN arcollect.payment_plan p ON p.plan_id = c.plan_id
          JOIN arcollect.entry e ON e.attachment_id = c.attachment_id AND e.invoice_key = c.invoice_key
         WHERE e.kind IN ('payment', 'credit_note', 'write_off')
           AND e.recorded_at >= p.created_at
           AND e.effective_on <= installment_status.as_of
           AND p.created_on <= installment_status.as_of
         GROUP BY c.plan_id, e.effective_on),
    run AS (
        SELECT r.plan_id, r.effective_on, r.paid_through,
               min(r.paid_through) OVER (PARTITION BY r.plan_id ORDER BY r.effective_on DESC) AS paid_after,
               r.effective_on = max(r.effective_on) OVER (PARTITION BY r.plan_id) AS last
          FROM (SELECT y.plan_id, y.effective_on,
                       sum(y.paid) OVER (PARTITION BY y.plan_id ORDER BY y.effective_on) AS paid_through
                  FROM pay y) r),
    schedule AS (
        SELECT s.plan_id, s.installment_no, s.due_on, s.amount, s.due_on + p.grace_days AS last_day,
               sum(s.amount) OVER (PARTITION BY s.plan_id ORDER BY s.installment_no) AS due_through
          FROM arcollect.plan_installment s
          JOIN arcollect.payment_plan p ON p.plan_id = s.plan_id
         WHERE p.created_on <= installment_status.as_of)
    SELECT s.plan_id, s.installment_no, s.due_on, s.amount,
           least(s.amount, greatest(0, coalesce(max(r.paid_through) FILTER (WHERE r.last), 0)
                                       - (s.due_through - s.amount))),
           min(r.effective_on) FILTER (WHERE r.paid_after >= s.due_through),
           installment_status.as_of > s.last_day
           AND coalesce((array_agg(r.paid_through ORDER BY r.effective_on DESC)
                             FILTER (WHERE r.effective_on <= s.last_day))[1], 0) < s.due_through
      FROM schedule s
      LEFT JOIN run r ON r.plan_id = s.plan_id
     GROUP BY s.plan_id, s.installment_no, s.due_on, s.amount, s.last_day, s.due_through;
END;

COMMENT ON FUNCTION arcollect.installment_status(date) IS
'Every installment of the plans made on or before as_of, with what the plan''s payments effective by as_of paid of it (in due-date order), the date it became fully paid, and whether it breaks the plan (still unpaid grace_days after its due date, and as_of is later).';

-- The one definition of a plan's status as of a date: a stored final
-- status from its ended_on on; else broken from the day after the first
-- installment's grace ran out unpaid (even if it was paid later: the
-- plan broke first); else completed when every installment is paid; else
-- active.  status_on is the day that status began (the plan's start for
-- active).
CREATE OR REPLACE FUNCTION arcollect.payment_plan_status(as_of date DEFAULT current_date)
RETURNS TABLE (plan_id bigint, status text, status_on date, total_amount numeric,
               paid_amount numeric, next_due_on date, next_due_amount numeric,
               broken_by_installment integer)
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT p.plan_id,
           CASE WHEN p.ended_on <= payment_plan_status.as_of THEN p.status
                WHEN i.broken_by IS NOT NULL THEN 'broken'
                WHEN i.unpaid = 0 THEN 'completed'
                ELSE 'active' END,
           CASE WHEN p.ended_on <= payment_plan_status.as_of THEN p.ended_on
                WHEN i.broken_by IS NOT NULL THEN i.broken_due_on + p.grace_days + 1
                WHEN i.unpaid = 0 THEN greatest(i.completed_on, p.created_on)
                ELSE p.created_on END,
           i.total_amount, i.paid_amount, i.next_due_on, i.next_due_amount,
           CASE WHEN p.ended_on <= payment_plan_status.as_of THEN NULL ELSE i.broken_by END
      FROM arcollect.payment_plan p
      JOIN (SELECT s.plan_id, sum(s.amount) AS total_amount, sum(s.paid_amount) AS paid_amount,
                   count(*) FILTER (WHERE s.paid_on IS NULL) AS unpaid,
                   max(s.paid_on) AS completed_on,
                   min(s.installment_no) FILTER (WHERE s.breaks_plan) AS broken_by,
                   min(s.due_on) FILTER (WHERE s.breaks_plan) AS broken_due_on,
                   min(s.due_on) FILTER (WHERE s.paid_on IS NULL) AS next_due_on,
                   (array_agg(s.amount - s.paid_amount ORDER BY s.installment_no)
                        FILTER (WHERE s.paid_on IS NULL))[1] AS next_due_amount
              FROM arcollect.installment_status(payment_plan_status.as_of) s
             GROUP BY s.plan_id) i ON i.plan_id = p.plan_id;
END;

COMMENT ON FUNCTION arcollect.payment_plan_status(date) IS
'The status of every payment plan made on or before as_of, as of that date: a stored final status from the day it took effect; else broken from the day after an installment was still unpaid grace_days after its due date; else completed once every installment is paid; else active. With the day that status began, the plan''s total and what is paid of it, the first installment not fully paid (its due date and what remains of it), and the installment that broke it.';

-- Makes a plan.  Resolves the invoices (the given keys, or every overdue
-- invoice of the customer) and checks the schedule against what is open
-- on them; the tables' own rules (the triggers above, and the CHECKs)
-- hold each row to the rest, as they hold a plain INSERT.
CREATE OR REPLACE FUNCTION arcollect.create_payment_plan(customer_id text, due_dates date[], amounts numeric[],
                                                         invoice_keys text[] DEFAULT NULL,
                                                         grace_days integer DEFAULT 5,
                                                         created_on date DEFAULT current_date)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    n integer := pg_catalog.cardinality(due_dates);
    k integer;
    new_plan bigint;
    currencies text;
    listed text;
    covered numeric;
    scheduled numeric;
BEGIN
    IF customer_id IS NULL OR created_on IS NULL OR grace_days IS NULL THEN
        RAISE EXCEPTION 'customer_id, grace_days and created_on must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    -- (the table's CHECK would refuse it too, without naming the value)
    IF grace_days < 0 THEN
        RAISE EXCEPTION 'grace_days % is negative', grace_days
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Give the days after a due date before an unpaid installment breaks the plan, 0 or more.';
    END IF;
    IF created_on > current_date THEN
        RAISE EXCEPTION 'created_on % is in the future', created_on
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'created_on is the day the plan was agreed; its installments may start later.';
    END IF;
    IF coalesce(n, 0) = 0 OR n IS DISTINCT FROM pg_catalog.cardinality(amounts)
       OR pg_catalog.array_ndims(due_dates) <> 1 OR pg_catalog.array_ndims(amounts) <> 1 THEN
        RAISE EXCEPTION 'payment plan has % due dates and % amounts',
                        coalesce(n, 0), coalesce(pg_catalog.cardinality(amounts), 0)
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Give one due date and one amount per installment, at least one installment.';
    END IF;
    -- (positive amounts, due dates increasing and none before created_on,
    -- grace_days not negative: the tables' own rules, checked as the plan
    -- is inserted)
    IF pg_catalog.array_position(due_dates, NULL) IS NOT NULL
       OR pg_catalog.array_position(amounts, NULL) IS NOT NULL THEN
        RAISE EXCEPTION 'installment % has no due date or no amount',
                        coalesce(pg_catalog.array_position(due_dates, NULL), pg_catalog.array_position(amounts, NULL))
            USING ERRCODE = 'null_value_not_allowed';
    END IF;

    -- The covered invoices, with what is open on each: every entry
    -- counts but the plan payments recorded since this transaction began,
    -- which payment_plan_status counts as the plan's own (a payment
    -- booked earlier in the same transaction is paid toward the plan,
    -- not counted twice).
    CREATE TEMPORARY TABLE IF NOT EXISTS pg_temp.arcollect_plan_invoice (
        attachment_id integer, invoice_key text COLLATE "C", customer_id text, currency text,
        covered numeric) ON COMMIT DROP;
    TRUNCATE pg_temp.arcollect_plan_invoice;
    IF invoice_keys IS NULL THEN
        INSERT INTO pg_temp.arcollect_plan_invoice
        SELECT i.attachment_id, i.invoice_key, i.customer_id, i.currency
          FROM arcollect.invoice i
         WHERE i.customer_id = create_payment_plan.customer_id COLLATE "C"
           AND i.in_billing AND i.due_on < create_payment_plan.created_on;
    ELSE
        IF pg_catalog.cardinality(invoice_keys) = 0 THEN
            RAISE EXCEPTION 'invoice_keys is empty'
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'Name at least one invoice, or pass NULL for every overdue invoice of the customer.';
        END IF;
        -- find_invoice refuses an unknown or ambiguous key
        INSERT INTO pg_temp.arcollect_plan_invoice
        SELECT f.attachment_id, u.key, f.customer_id, f.currency
          FROM pg_catalog.unnest(invoice_keys) u(key)
         CROSS JOIN LATERAL arcollect.find_invoice(u.key) f;
        SELECT pg_catalog.string_agg(t.invoice_key, ', ' ORDER BY t.invoice_key) INTO listed
          FROM (SELECT format('"%s"', c.invoice_key) AS invoice_key FROM pg_temp.arcollect_plan_invoice c
                 GROUP BY c.attachment_id, c.invoice_key HAVING count(*) > 1) t;
        IF listed IS NOT NULL THEN
            RAISE EXCEPTION 'invoice_keys names invoice % more than once', listed
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        SELECT pg_catalog.string_agg(format('"%s" (customer "%s")', c.invoice_key, c.customer_id), ', '
                                     ORDER BY c.invoice_key) INTO listed
          FROM pg_temp.arcollect_plan_invoice c
         WHERE c.customer_id IS DISTINCT FROM create_payment_plan.customer_id COLLATE "C";
        IF listed IS NOT NULL THEN
            RAISE EXCEPTION 'invoice % is not of customer "%"', listed, customer_id
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'A plan covers invoices of its own customer.';
        END IF;
    END IF;
    UPDATE pg_temp.arcollect_plan_invoice c
       SET covered = i.booked_amount + coalesce(e.total, 0)
      FROM arcollect.invoice i
      LEFT JOIN (SELECT x.attachment_id, x.invoice_key, sum(x.amount) AS total
                   FROM arcollect.entry x
                   JOIN pg_temp.arcollect_plan_invoice t
                     ON t.attachment_id = x.attachment_id AND t.invoice_key = x.invoice_key
                  WHERE x.recorded_at < pg_catalog.now()
                     OR x.kind NOT IN ('payment', 'credit_note', 'write_off')
                  GROUP BY x.attachment_id, x.invoice_key) e
             ON e.attachment_id = i.attachment_id AND e.invoice_key = i.invoice_key
     WHERE i.attachment_id = c.attachment_id AND i.invoice_key = c.invoice_key;
    IF invoice_keys IS NULL THEN
        DELETE FROM pg_temp.arcollect_plan_invoice c WHERE c.covered <= 0;
        IF NOT EXISTS (SELECT FROM pg_temp.arcollect_plan_invoice) THEN
            RAISE EXCEPTION 'customer "%" has no overdue invoice on %', customer_id, created_on
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'Name the invoices the plan covers (invoice_keys).';
        END IF;
    ELSE
        SELECT pg_catalog.string_agg(format('"%s" (%s)', c.invoice_key, c.covered), ', ' ORDER BY c.invoice_key)
          INTO listed
          FROM pg_temp.arcollect_plan_invoice c WHERE c.covered <= 0;
        IF listed IS NOT NULL THEN
            RAISE EXCEPTION 'invoice % has nothing open', listed
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'Leave paid invoices out of the plan.';
        END IF;
    END IF;

    SELECT pg_catalog.string_agg(t.currency || ': ' || t.keys, '; ' ORDER BY t.currency), count(*)
      INTO listed, k
      FROM (SELECT c.currency, pg_catalog.string_agg(format('"%s"', c.invoice_key), ', ' ORDER BY c.invoice_key) AS keys
              FROM pg_temp.arcollect_plan_invoice c GROUP BY c.currency) t;
    IF k > 1 THEN
        RAISE EXCEPTION 'the invoices of the payment plan are in more than one currency: %', listed
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Make one plan per currency.';
    END IF;
    SELECT sum(c.covered), min(c.currency) INTO covered, currencies FROM pg_temp.arcollect_plan_invoice c;
    SELECT sum(a) INTO scheduled FROM pg_catalog.unnest(amounts) a;
    IF scheduled <> covered THEN
        RAISE EXCEPTION 'the installments add up to % %, the covered invoices have % % open',
                        scheduled, currencies, covered, currencies
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Make the installments add up to the open amount of the invoices the plan covers.';
    END IF;

    INSERT INTO arcollect.payment_plan (customer_id, currency, grace_days, created_on)
    VALUES (customer_id, currencies, grace_days, created_on)
    RETURNING plan_id INTO new_plan;
    INSERT INTO arcollect.plan_invoice (plan_id, attachment_id, invoice_key, covered_amount)
    SELECT new_plan, c.attachment_id, c.invoice_key, c.covered
      FROM pg_temp.arcollect_plan_invoice c ORDER BY c.attachment_id, c.invoice_key;
    INSERT INTO arcollect.plan_installment (plan_id, installment_no, due_on, amount)
    SELECT new_plan, u.n, u.due_on, u.amount
      FROM ROWS FROM (pg_catalog.unnest(due_dates), pg_catalog.unnest(amounts)) WITH ORDINALITY u(due_on, amount, n);
    DROP TABLE pg_temp.arcollect_plan_invoice;
    RETURN new_plan;
END
$fn$;

COMMENT ON FUNCTION arcollect.create_payment_plan(text, date[], numeric[], text[], integer, date) IS
'Makes a payment plan for a customer and returns its plan_id: installments due on due_dates with amounts (one each, dates increasing, none before created_on), covering the invoices named by invoice_keys, or when NULL every invoice of the customer overdue on created_on. The installments must add up to what is open on the covered invoices, all in one currency, none in another active plan.';

-- Ends a plan by hand.  An UPDATE to the same status passes the life
-- cycle's trigger (arcollect._guard_status allows leaving a status
-- unchanged), so cancelling an ended plan is refused here, in the
-- trigger's words.
CREATE OR REPLACE FUNCTION arcollect.cancel_payment_plan(plan_id bigint, note text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    was text;
BEGIN
    SELECT p.status INTO was FROM arcollect.payment_plan p
     WHERE p.plan_id = cancel_payment_plan.plan_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'payment plan % does not exist', coalesce(plan_id::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    ELSIF was = 'cancelled' THEN
        RAISE EXCEPTION 'payment plan % cannot go from status "%" to "cancelled"', plan_id, was
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = format('Status "%s" is final.', was),
                  HINT = 'See the life cycle of the record in the README (Collections records).';
    END IF;
    UPDATE arcollect.payment_plan p
       SET status = 'cancelled', ended_on = greatest(current_date, p.created_on),
           note = coalesce(cancel_payment_plan.note, p.note)
     WHERE p.plan_id = cancel_payment_plan.plan_id;
END
$fn$;

COMMENT ON FUNCTION arcollect.cancel_payment_plan(bigint, text) IS
'Cancels an active payment plan today, with an optional note saying why; its invoices escalate again. A plan that already ended is refused (SQLSTATE 55000).';

-- What SPEC calls arcollect.installment, with paid_amount: a view, since
-- payments are derived on read (the ledger never writes a plan).
CREATE OR REPLACE VIEW arcollect.installment WITH (security_invoker = true) AS
SELECT s.plan_id, s.installment_no, s.due_on, s.amount, s.paid_amount, s.paid_on
  FROM arcollect.installment_status(current_date) s;

COMMENT ON VIEW arcollect.installment IS
'Every installment of every payment plan with what is paid of it today (the plan''s payments pay installments in due-date order). A view over the schedule (arcollect.plan_installment) because payments are never written into a plan: arcollect.installment_status(date) gives another date.';
COMMENT ON COLUMN arcollect.installment.plan_id IS 'The payment plan.';
COMMENT ON COLUMN arcollect.installment.installment_no IS 'Number of the installment, from 1, in due-date order.';
COMMENT ON COLUMN arcollect.installment.due_on IS 'Date the installment is due.';
COMMENT ON COLUMN arcollect.installment.amount IS 'Amount due, in the plan''s currency.';
COMMENT ON COLUMN arcollect.installment.paid_amount IS 'What the plan''s payments effective by today paid of it.';
COMMENT ON COLUMN arcollect.installment.paid_on IS 'Date it became fully paid; NULL while not fully paid.';

-- What is open on the covered invoices now: their bookings and every
-- entry, whatever its date (as arcollect.find_invoice says), the entries
-- read in one pass hash-joined to the covered invoices.
CREATE OR REPLACE VIEW arcollect.payment_plans WITH (security_invoker = true) AS
SELECT p.plan_id, p.customer_id, p.currency, s.status, s.status_on, p.grace_days, p.created_on,
       s.total_amount, s.paid_amount, s.total_amount - s.paid_amount AS remaining_amount,
       CASE WHEN s.status = 'active' THEN s.next_due_on END AS next_due_on,
       CASE WHEN s.status = 'active' THEN s.next_due_amount END AS next_due_amount,
       c.invoice_count, c.open_amount, p.note, p.created_by, p.created_at
  FROM arcollect.payment_plan p
  JOIN arcollect.payment_plan_status(current_date) s ON s.plan_id = p.plan_id
  LEFT JOIN (SELECT c.plan_id, count(*) AS invoice_count,
                    sum(i.booked_amount + coalesce(e.total, 0)) AS open_amount
               FROM arcollect.plan_invoice c
               JOIN arcollect.invoice i ON i.attachment_id = c.attachment_id AND i.invoice_key = c.invoice_key
               LEFT JOIN (SELECT c2.plan_id, c2.attachment_id, c2.invoice_key, sum(x.amount) AS total
                            FROM arcollect.plan_invoice c2
                            JOIN arcollect.entry x
                              ON x.attachment_id = c2.attachment_id AND x.invoice_key = c2.invoice_key
                           GROUP BY c2.plan_id, c2.attachment_id, c2.invoice_key) e
                      ON e.plan_id = c.plan_id AND e.attachment_id = c.attachment_id
                         AND e.invoice_key = c.invoice_key
              GROUP BY c.plan_id) c ON c.plan_id = p.plan_id;

COMMENT ON VIEW arcollect.payment_plans IS
'Every payment plan with its status as of today (arcollect.payment_plan_status), what is paid and remains, the next installment due, and what is open on its invoices now.';
COMMENT ON COLUMN arcollect.payment_plans.plan_id IS 'Identifier of the plan.';
COMMENT ON COLUMN arcollect.payment_plans.customer_id IS 'The customer who pays.';
COMMENT ON COLUMN arcollect.payment_plans.currency IS 'Currency of the plan and its invoices.';
COMMENT ON COLUMN arcollect.payment_plans.status IS 'Status as of today: active, completed, broken or cancelled.';
COMMENT ON COLUMN arcollect.payment_plans.status_on IS 'Day that status began (the plan''s start while active).';
COMMENT ON COLUMN arcollect.payment_plans.grace_days IS 'Days after a due date before an unpaid installment breaks the plan.';
COMMENT ON COLUMN arcollect.payment_plans.created_on IS 'Date the plan was agreed.';
COMMENT ON COLUMN arcollect.payment_plans.total_amount IS 'Sum of the installments (what was open on the covered invoices when the plan was made).';
COMMENT ON COLUMN arcollect.payment_plans.paid_amount IS 'What the plan''s payments effective by today paid of the installments (never more than the total).';
COMMENT ON COLUMN arcollect.payment_plans.remaining_amount IS 'Total minus paid.';
COMMENT ON COLUMN arcollect.payment_plans.next_due_on IS 'Due date of the first installment not fully paid, while the plan is active.';
COMMENT ON COLUMN arcollect.payment_plans.next_due_amount IS 'What remains to pay of that installment.';
COMMENT ON COLUMN arcollect.payment_plans.invoice_count IS 'Number of invoices the plan covers.';
COMMENT ON COLUMN arcollect.payment_plans.open_amount IS 'What is open on the covered invoices now (every entry counted, whatever its date).';
COMMENT ON COLUMN arcollect.payment_plans.note IS 'Why it ended: the cancellation note, or which installment broke it.';
COMMENT ON COLUMN arcollect.payment_plans.created_by IS 'Role that created the plan.';
COMMENT ON COLUMN arcollect.payment_plans.created_at IS 'When the plan was created.';

REVOKE ALL ON arcollect.payment_plan, arcollect.plan_invoice, arcollect.plan_installment,
              arcollect.installment, arcollect.payment_plans
    FROM PUBLIC;
REVOKE ALL ON SEQUENCE arcollect.payment_plan_plan_id_seq FROM PUBLIC;
