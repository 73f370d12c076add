-- Credit holds (table in sql/schema/credit_hold.sql): the holds in force,
-- and releasing a customer's by hand.  The escalation run sets and
-- releases them (sql/code/escalation_run.sql).

CREATE OR REPLACE VIEW arcollect.credit_holds WITH (security_invoker = true) AS
SELECT h.hold_id, h.customer_id, c.name AS customer_name, h.currency, h.since,
       current_date - h.since AS days_on_hold, h.reason, h.escalation_id, h.created_by
  FROM arcollect.credit_hold h
  LEFT JOIN arcollect.customer c ON c.customer_id = h.customer_id
 WHERE h.released_on IS NULL;

COMMENT ON VIEW arcollect.credit_holds IS
'The customers on credit hold now, per currency: since when and why (arcollect.credit_hold keeps the released ones too).';
COMMENT ON COLUMN arcollect.credit_holds.hold_id IS 'Identifier of the hold.';
COMMENT ON COLUMN arcollect.credit_holds.customer_id IS 'The customer on hold.';
COMMENT ON COLUMN arcollect.credit_holds.customer_name IS 'Display name of the customer, if set.';
COMMENT ON COLUMN arcollect.credit_holds.currency IS 'The currency whose overdue amount set the hold.';
COMMENT ON COLUMN arcollect.credit_holds.since IS 'The date the hold was set.';
COMMENT ON COLUMN arcollect.credit_holds.days_on_hold IS 'Days from since to today.';
COMMENT ON COLUMN arcollect.credit_holds.reason IS 'Why: the step that set it and what was overdue then.';
COMMENT ON COLUMN arcollect.credit_holds.escalation_id IS 'The escalation episode whose step set it.';
COMMENT ON COLUMN arcollect.credit_holds.created_by IS 'Role whose run set it.';

-- Releases every hold in force of the customer, in every currency, as of
-- today, naming who released it.  The escalation episode goes on: its
-- credit_hold step was taken, so the run does not set the hold again.
CREATE OR REPLACE FUNCTION arcollect.release_credit_hold(customer_id text)
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    released integer;
BEGIN
    IF NOT EXISTS (SELECT FROM arcollect.customer c WHERE c.customer_id = release_credit_hold.customer_id) THEN
        RAISE EXCEPTION 'unknown customer "%"', release_credit_hold.customer_id
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Give a customer_id of arcollect.customer.';
    END IF;
    UPDATE arcollect.credit_hold h
       SET released_on = greatest(h.since, current_date),
           released_reason = format('released by %s', current_user)
     WHERE h.customer_id = release_credit_hold.customer_id AND h.released_on IS NULL;
    GET DIAGNOSTICS released = ROW_COUNT;
    RETURN released;
END
$fn$;

COMMENT ON FUNCTION arcollect.release_credit_hold(text) IS
'Releases the credit holds in force of a customer (every currency) today, with the releasing role as the reason, and returns how many it released (0 if none). An unknown customer is an error (SQLSTATE 22023).';

REVOKE ALL ON arcollect.credit_hold, arcollect.credit_holds FROM PUBLIC;
REVOKE ALL ON SEQUENCE arcollect.credit_hold_hold_id_seq FROM PUBLIC;
