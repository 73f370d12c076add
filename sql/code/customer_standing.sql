-- Where each customer stands as of a date, per currency: what it owes and
-- how much of it is overdue (the aging aggregate with no bounds: current
-- and past due), its oldest overdue item, how it pays (avg_payment_delay
-- over the invoices the ledger's history says it paid,
-- arcollect.invoice_paid_on) and its collection risk: arcollect.risk_score
-- over its invoices, raised by arcollect.risk_with_behaviour for the
-- promises and payment plans broken as of the date and the disputes open
-- on it.  Each count comes from the one place that defines it
-- (promise_status, payment_plan_status, disputes_open_on) and every
-- figure from one C aggregate, read in one pass over the customer's open
-- items; arcollect.customer_risk and arcollect.customer_summary read it.
--
-- With customer_id it reads that customer only, with customers those
-- customers (the arguments reach the scans of the ledger and its indexes,
-- as for open_items and invoice_paid_on: a constant argument, or a
-- PL/pgSQL variable, is planned with those indexes); both NULL: every
-- customer.
-- An inlinable SQL function with the caller's rights (see open_items.sql),
-- which reads the ledger (invoice, entry, attachment) and the records
-- (promise, payment_plan and its installments and invoices, dispute).
--
-- A row for every currency the customer has an invoice in by as_of, or a
-- broken promise or plan, or an open dispute in.

CREATE OR REPLACE FUNCTION arcollect.customer_standing(as_of date DEFAULT current_date,
                                                       customer_id text DEFAULT NULL,
                                                       customers text[] DEFAULT NULL)
RETURNS TABLE (
    customer_id text,
    currency text,
    balance numeric,
    overdue numeric,
    oldest_days_overdue integer,
    average_payment_delay numeric,
    risk_score numeric,
    base_score numeric,
    broken_promises bigint,
    broken_plans bigint,
    open_disputes bigint)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    WITH item AS (
        SELECT o.customer_id, o.currency,
               arcollect.aging(o.due_on, o.open_amount, customer_standing.as_of, '{}') AS aging,
               max(arcollect.days_overdue(o.due_on, customer_standing.as_of))
                   FILTER (WHERE o.open_amount > 0 AND o.due_on < customer_standing.as_of) AS oldest,
               arcollect.avg_payment_delay(o.due_on, p.paid_on, o.amount) AS delay,
               arcollect.risk_score(o.due_on, p.paid_on, o.amount, o.open_amount, customer_standing.as_of) AS score
          FROM arcollect.open_items(customer_standing.as_of,
                                    CASE WHEN customer_standing.customer_id IS NULL THEN customer_standing.customers
                                         WHEN customer_standing.customers IS NULL
                                              OR customer_standing.customer_id = ANY (customer_standing.customers)
                                         THEN ARRAY[customer_standing.customer_id]
                                         ELSE '{}' END) o
          LEFT JOIN arcollect.invoice_paid_on(customer_standing.as_of, customer_standing.customer_id,
                                              customer_standing.customers) p
                 ON p.billing_table = o.billing_table AND p.invoice_key = o.invoice_key
         -- (the customer given as an equality too, which the planner carries
         -- over to the joins of other customer tables; the customers given
         -- are open_items' already, and said twice would be counted twice)
         WHERE (customer_standing.customer_id IS NULL OR o.customer_id = customer_standing.customer_id)
         GROUP BY o.customer_id, o.currency
    ), promises AS (
        SELECT s.customer_id, s.currency, count(*) AS broken
          FROM arcollect.promise_status(customer_standing.as_of) s
         WHERE s.status = 'broken'
           AND (customer_standing.customer_id IS NULL OR s.customer_id = customer_standing.customer_id)
           AND (customer_standing.customers IS NULL OR s.customer_id = ANY (customer_standing.customers))
         GROUP BY s.customer_id, s.currency
    ), plans AS (
        SELECT r.customer_id, r.currency, count(*) AS broken
          FROM arcollect.payment_plan_status(customer_standing.as_of) s
          JOIN arcollect.payment_plan r ON r.plan_id = s.plan_id
         WHERE s.status = 'broken'
           AND (customer_standing.customer_id IS NULL OR r.customer_id = customer_standing.customer_id)
           AND (customer_standing.customers IS NULL OR r.customer_id = ANY (customer_standing.customers))
         GROUP BY r.customer_id, r.currency
    ), disputes AS (
        SELECT d.customer_id, d.currency, count(*) AS open
          FROM arcollect.disputes_open_on(customer_standing.as_of) d
         WHERE (customer_standing.customer_id IS NULL OR d.customer_id = customer_standing.customer_id)
           AND (customer_standing.customers IS NULL OR d.customer_id = ANY (customer_standing.customers))
         GROUP BY d.customer_id, d.currency
    ), counted AS (
        SELECT k.customer_id, k.currency, i.aging, i.oldest, i.delay,
               coalesce(i.score, 0.00) AS base_score,
               coalesce(pr.broken, 0) AS broken_promises,
               coalesce(pl.broken, 0) AS broken_plans,
               coalesce(di.open, 0) AS open_disputes
          FROM (SELECT i.customer_id, i.currency FROM item i
                UNION SELECT pr.customer_id, pr.currency FROM promises pr
                UNION SELECT pl.customer_id, pl.currency FROM plans pl
                UNION SELECT di.customer_id, di.currency FROM disputes di) k
          LEFT JOIN item i ON i.customer_id = k.customer_id AND i.currency = k.currency
          LEFT JOIN promises pr ON pr.customer_id = k.customer_id AND pr.currency = k.currency
          LEFT JOIN plans pl ON pl.customer_id = k.customer_id AND pl.currency = k.currency
          LEFT JOIN disputes di ON di.customer_id = k.customer_id AND di.currency = k.currency
    )
    SELECT c.customer_id, c.currency,
           coalesce(c.aging[1] + c.aging[2], 0), coalesce(c.aging[2], 0), c.oldest, c.delay,
           arcollect.risk_with_behaviour(c.base_score, c.broken_promises, c.broken_plans, c.open_disputes),
           c.base_score, c.broken_promises, c.broken_plans, c.open_disputes
      FROM counted c;
END;

COMMENT ON FUNCTION arcollect.customer_standing(date, text, text[]) IS
'Where each customer (or the one given, or those given) stands as of as_of, per currency: balance and overdue amount (open items past due), days overdue of the oldest overdue item, amount-weighted average payment delay of the invoices it paid, and its risk score (risk_score over its invoices, raised by risk_with_behaviour for the promises and plans broken as of as_of and the disputes open that day), with those counts.';
