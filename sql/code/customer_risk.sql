-- A customer's collection risk as the receivables ledger and the
-- collections records know it, per currency: arcollect.risk_score over
-- the customer's invoices (open amounts from open_items, payment dates
-- from invoice_paid_on), raised by arcollect.risk_with_behaviour for the
-- promises and payment plans broken as of as_of and the disputes open on
-- that day.  Each count comes from the one place that defines it
-- (promise_status, payment_plan_status, and the dispute's dates), and the
-- combination from the one C rule, so nothing is decided twice here.
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
    WITH item AS MATERIALIZED (
        -- materialized, as is paid: each is computed once, whatever the
        -- planner guesses of their sizes
        SELECT o.billing_table, o.invoice_key, o.currency, o.due_on, o.amount, o.open_amount
          FROM arcollect.open_items(customer_risk.as_of) o
         WHERE o.customer_id = customer_risk.customer_id
    ), paid AS MATERIALIZED (
        SELECT p.billing_table, p.invoice_key, p.paid_on
          FROM arcollect.invoice_paid_on(customer_risk.as_of, customer_risk.customer_id) p
    ), base AS (
        SELECT o.currency,
               arcollect.risk_score(o.due_on, p.paid_on, o.amount, o.open_amount, customer_risk.as_of) AS score
          FROM item o
          LEFT JOIN paid p ON p.billing_table = o.billing_table AND p.invoice_key = o.invoice_key
         GROUP BY o.currency
    ), promises AS (
        SELECT r.currency, pg_catalog.count(*) AS broken
          FROM arcollect.promise_status(customer_risk.as_of) s
          JOIN arcollect.promise r ON r.promise_id = s.promise_id
         WHERE r.customer_id = customer_risk.customer_id AND s.status = 'broken'
         GROUP BY r.currency
    ), plans AS (
        SELECT r.currency, pg_catalog.count(*) AS broken
          FROM arcollect.payment_plan_status(customer_risk.as_of) s
          JOIN arcollect.payment_plan r ON r.plan_id = s.plan_id
         WHERE r.customer_id = customer_risk.customer_id AND s.status = 'broken'
         GROUP BY r.currency
    ), disputes AS (
        -- open on as_of: opened by then, and not closed by then
        SELECT d.currency, pg_catalog.count(*) AS open
          FROM arcollect.dispute d
         WHERE d.customer_id = customer_risk.customer_id
           AND d.opened_on <= customer_risk.as_of
           AND (d.closed_on IS NULL OR d.closed_on > customer_risk.as_of)
         GROUP BY d.currency
    ), counted AS (
        SELECT k.currency,
               coalesce(b.score, 0.00) AS base_score,
               coalesce(pr.broken, 0) AS broken_promises,
               coalesce(pl.broken, 0) AS broken_plans,
               coalesce(di.open, 0) AS open_disputes
          FROM (SELECT b.currency FROM base b
                UNION SELECT pr.currency FROM promises pr
                UNION SELECT pl.currency FROM plans pl
                UNION SELECT di.currency FROM disputes di) k
          LEFT JOIN base b ON b.currency = k.currency
          LEFT JOIN promises pr ON pr.currency = k.currency
          LEFT JOIN plans pl ON pl.currency = k.currency
          LEFT JOIN disputes di ON di.currency = k.currency
    )
    SELECT c.currency,
           arcollect.risk_with_behaviour(c.base_score, c.broken_promises, c.broken_plans, c.open_disputes),
           c.base_score, c.broken_promises, c.broken_plans, c.open_disputes
      FROM counted c
     ORDER BY c.currency;
END
$fn$;

COMMENT ON FUNCTION arcollect.customer_risk(text, date) IS
'A customer''s collection risk as of as_of, one row per currency: risk_score over its invoices in the ledger (base_score), raised by arcollect.risk_with_behaviour for the promises and payment plans broken as of as_of and the disputes open that day, with those counts.';
