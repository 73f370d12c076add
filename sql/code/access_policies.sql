-- Row-level security for the roles limited to one owner's customers
-- (arcollect.grant_access(role, access, owner); access.sql): every table
-- that holds customers' rows has one policy, scoped_customers, that lets
-- a limited role see and write the rows of the customers it is limited
-- to (arcollect.scope_customers), and every other role all rows.  Tables
-- keyed by an invoice, a plan, a touchpoint or an episode follow the row
-- they belong to.
--
-- The tables' owner (the extension's) is not subject to it: the ledger's
-- trigger, attach and the internal helpers see every row.  For a role
-- that is not limited the policy is one InitPlan, evaluated once per
-- query, that says so.  The views read with the caller's rights
-- (security_invoker), but for arcollect.customer, which filters itself
-- the same way (customer.sql).

DO $do$
DECLARE
    -- who is limited, and to which customers: evaluated once per query
    limited constant text := 'NOT (SELECT arcollect.access_scoped(current_user::regrole))';
    -- (a function scan, not a set-returning call in the select list, which
    -- would keep the query from a parallel plan)
    customers constant text := '(SELECT s.customer_id FROM arcollect.scope_customers(current_user::regrole) s(customer_id))';
    t record;
    rule text;
BEGIN
    FOR t IN SELECT * FROM (VALUES
                 ('invoice', NULL, NULL),
                 ('customer_setting', NULL, NULL),
                 ('dispute', NULL, NULL),
                 ('payment_plan', NULL, NULL),
                 ('promise', NULL, NULL),
                 ('touchpoint', NULL, NULL),
                 ('escalation', NULL, NULL),
                 ('credit_hold', NULL, NULL),
                 ('late_fee_claim', NULL, NULL),
                 -- rows that belong to a row of another table, which
                 -- the policy of that table filters (an uncorrelated IN:
                 -- the planner costs its hash once per query, where a
                 -- correlated EXISTS would weigh on every row)
                 ('entry', 'invoice', 'attachment_id, invoice_key'),
                 ('plan_invoice', 'payment_plan', 'plan_id'),
                 ('plan_installment', 'payment_plan', 'plan_id'),
                 ('touchpoint_invoice', 'touchpoint', 'touchpoint_id'),
                 ('escalation_step', 'escalation', 'escalation_id'))
             v(tab, parent, keys) LOOP
        rule := CASE WHEN t.parent IS NULL
                     THEN format('%s OR customer_id IN %s', limited, customers)
                     ELSE format('%s OR (%s) IN (SELECT %s FROM arcollect.%I)', limited, t.keys, t.keys, t.parent)
                END;
        EXECUTE format('ALTER TABLE arcollect.%I ENABLE ROW LEVEL SECURITY', t.tab);
        EXECUTE format('DROP POLICY IF EXISTS scoped_customers ON arcollect.%I', t.tab);
        EXECUTE format('CREATE POLICY scoped_customers ON arcollect.%I USING (%s) WITH CHECK (%s)',
                       t.tab, rule, rule);
        EXECUTE format('COMMENT ON POLICY scoped_customers ON arcollect.%I IS %L', t.tab,
                       'A role limited to the customers of an owner (arcollect.access_scope) sees and writes their rows only; every other role all rows.');
    END LOOP;
END
$do$;
