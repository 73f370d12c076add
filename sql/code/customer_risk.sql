-- A customer's collection risk as the receivables ledger and the
-- collections records know it, per currency: the risk columns of
-- arcollect.customer_standing (customer_standing.sql), which says how
-- they are made, so nothing is decided twice here.
--
-- It runs with the caller's rights: a collector needs SELECT on the
-- ledger (invoice, entry, attachment, customer) and on the record tables
-- (promise, payment_plan and its installments, dispute), as the example
-- grants of doc/ledger.md give it.  plpgsql, so that a customer that is
-- not in the ledger is an error rather than no rows.

CREATE OR REPLACE FUNCTION arcollect.customer_risk(customer_id text, as_of date DEFAULT current_date)
RETURNS TABLE (
    currency text,
    risk_score numeric,
    base_score numeric,
    broken_promises bigint,
    broken_plans bigint,
    open_disputes bigint)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF customer_risk.customer_id IS NULL OR customer_risk.as_of IS NULL THEN
        RAISE EXCEPTION 'customer_id and as_of must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF NOT EXISTS (SELECT FROM arcollect.customer c WHERE c.customer_id = customer_risk.customer_id) THEN
        RAISE EXCEPTION 'customer "%" is not in the receivables ledger', customer_risk.customer_id
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'No invoice names that customer, and no customer was created with that id.',
                  HINT = 'Check the id against arcollect.customer.';
    END IF;
    RETURN QUERY
    SELECT s.currency, s.risk_score, s.base_score, s.broken_promises, s.broken_plans, s.open_disputes
      FROM arcollect.customer_standing(customer_risk.as_of, customer_risk.customer_id) s
     ORDER BY s.currency;
END
$fn$;

COMMENT ON FUNCTION arcollect.customer_risk(text, date) IS
'A customer''s collection risk as of as_of, one row per currency: risk_score over its invoices in the ledger (base_score), raised by arcollect.risk_with_behaviour for the promises and payment plans broken as of as_of and the disputes open that day, with those counts.';
