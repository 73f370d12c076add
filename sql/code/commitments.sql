-- Settling commitments: what the customers' payment plans and promises
-- came to by a date is decided, and stored, by one function, which
-- run_escalations calls first.  It stores only what the status functions
-- say (arcollect.payment_plan_status, arcollect.promise_status), never a
-- rule of its own, and only final statuses, with the day each took
-- effect: a record already final is left alone, so running it twice for
-- a date changes nothing.  Never called by a billing write: payments only
-- append ledger entries, and the status they lead to is read on demand.
--
-- Runs with the caller's rights: the caller needs UPDATE on the record
-- tables.  Two runs at once do not both store a record: the second waits
-- for the first's row lock, then finds the record no longer active.

CREATE OR REPLACE FUNCTION arcollect.settle_commitments(as_of date DEFAULT current_date)
RETURNS TABLE (record_kind text, record_id bigint, status text, status_on date)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF as_of IS NULL THEN
        RAISE EXCEPTION 'as_of must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    ELSIF NOT isfinite(as_of) THEN
        RAISE EXCEPTION 'as_of % is not a day', as_of
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Settle for a date: the day the statuses are decided for.';
    END IF;

    RETURN QUERY
    WITH settled AS (
        UPDATE arcollect.payment_plan p
           SET status = s.status, ended_on = s.status_on,
               note = CASE WHEN s.status = 'broken'
                           THEN format('installment %s unpaid %s days after its due date',
                                       s.broken_by_installment, p.grace_days) END
          FROM arcollect.payment_plan_status(settle_commitments.as_of) s
         WHERE s.plan_id = p.plan_id AND p.status = 'active' AND s.status IN ('completed', 'broken')
        RETURNING p.plan_id, p.status, p.ended_on)
    SELECT 'payment_plan'::text, x.plan_id, x.status, x.ended_on FROM settled x ORDER BY x.plan_id;

    RETURN QUERY
    WITH settled AS (
        UPDATE arcollect.promise p
           SET status = s.status, settled_on = settle_commitments.as_of
          FROM arcollect.promise_status(settle_commitments.as_of) s
         WHERE s.promise_id = p.promise_id AND p.status = 'open' AND s.status IN ('kept', 'broken')
        RETURNING p.promise_id, p.status, p.settled_on)
    SELECT 'promise'::text, x.promise_id, x.status, x.settled_on FROM settled x ORDER BY x.promise_id;

    RETURN;
END
$fn$;

COMMENT ON FUNCTION arcollect.settle_commitments(date) IS
'Stores what payment plans and promises came to as of as_of: every active plan that arcollect.payment_plan_status(as_of) finds completed or broken, and every open promise that arcollect.promise_status(as_of) finds kept or broken, with the day the status took effect. Returns the records it changed; idempotent (a second run for the date changes nothing).';
