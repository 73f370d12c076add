-- The stage of each customer, per currency, as of a date: the one
-- definition that the escalation run, its preview, the outbox's re-check
-- and the event-driven recompute read.
--
-- What escalates, invoice by invoice (arcollect.escalation_invoices): the
-- open amount as of the date (arcollect.open_items, payments effective by
-- then), less
--   - the amount under dispute open on the date, at most the open amount
--     (arcollect.invoice_disputed_amount(as_of));
--   - all the rest, if a payment plan active as of the date covers the
--     invoice (arcollect.payment_plan_status);
--   - then, per customer and currency, what its open promises still have
--     to pay (arcollect.promise_status: amount less what was paid toward
--     it) covers its remaining overdue amounts, oldest due date first.
-- Only invoices with something open count (a credit or overpayment is not
-- netted against what is overdue).  An invoice is overdue from the day
-- after its due date: days_overdue = as_of - due_on, positive.
--
-- The step reached (arcollect.escalation_stage), per customer and
-- currency, from the policy the customer follows (arcollect.customer_policy):
-- the largest step_no whose days_from_due is reached and whose
-- min_overdue_amount the amount it would claim reaches.  A step lists
--   - days_from_due > 0: the escalatable overdue invoices; reached when
--     the oldest of them is days_from_due days overdue;
--   - days_from_due <= 0 (a pre-due step): the escalatable invoices due
--     within -days_from_due days, and those overdue; reached as soon as
--     there is one.
-- In one rule: a step lists the escalatable invoices with days_overdue >=
-- least(days_from_due, 1), is reached when the largest days_overdue among
-- them is at least days_from_due, and the min_overdue_amount is compared
-- with their escalatable total.
--
-- Both are inlinable SQL functions: the planner reads the ledger once for
-- all customers (hash joins), or for the one customer given
-- (customer_id), or the set of customers given (customers, as
-- end_escalations and the worklist ask): given as constants (or PL/pgSQL
-- variables), those reach the indexes of the ledger's scans
-- (open_items.sql), so a few customers read their rows only.

CREATE OR REPLACE FUNCTION arcollect.escalation_invoices(as_of date DEFAULT current_date,
                                                         customer_id text DEFAULT NULL,
                                                         customers text[] DEFAULT NULL)
RETURNS TABLE (customer_id text, currency text, attachment_id integer, invoice_key text,
               due_on date, days_overdue integer, open_amount numeric, disputed_amount numeric,
               plan_amount numeric, promised_amount numeric, escalatable_amount numeric)
LANGUAGE sql STABLE
BEGIN ATOMIC
    WITH inv AS (
        SELECT o.customer_id, o.currency, a.attachment_id, o.invoice_key, o.due_on,
               escalation_invoices.as_of - o.due_on AS days_overdue, o.open_amount,
               least(o.open_amount, coalesce(d.disputed_amount, 0)) AS disputed_amount,
               CASE WHEN p.invoice_key IS NOT NULL
                    THEN o.open_amount - least(o.open_amount, coalesce(d.disputed_amount, 0))
                    ELSE 0 END AS plan_amount
          FROM arcollect.open_items(escalation_invoices.as_of,
                                    CASE WHEN escalation_invoices.customer_id IS NULL THEN escalation_invoices.customers
                                         WHEN escalation_invoices.customers IS NULL
                                              OR escalation_invoices.customer_id = ANY (escalation_invoices.customers)
                                         THEN ARRAY[escalation_invoices.customer_id]
                                         ELSE '{}' END) o
          JOIN arcollect.attachment a ON a.billing_table = o.billing_table AND a.kind = 'invoices'
          LEFT JOIN arcollect.invoice_disputed_amount(escalation_invoices.as_of) d
                 ON d.billing_table = o.billing_table AND d.invoice_key = o.invoice_key
          LEFT JOIN (SELECT DISTINCT c.attachment_id, c.invoice_key
                       FROM arcollect.plan_invoice c
                       JOIN arcollect.payment_plan_status(escalation_invoices.as_of) s
                         ON s.plan_id = c.plan_id
                      WHERE s.status = 'active') p
                 ON p.attachment_id = a.attachment_id AND p.invoice_key = o.invoice_key
         WHERE o.open_amount > 0
           -- (the customer given as an equality too, which the planner
           -- carries over to the joins of other customer tables; the
           -- customers given are open_items' already)
           AND (escalation_invoices.customer_id IS NULL OR o.customer_id = escalation_invoices.customer_id)),
    rest AS (
        SELECT i.*, i.open_amount - i.disputed_amount - i.plan_amount AS rest,
               -- the overdue rest up to and including this invoice, oldest first
               sum(CASE WHEN i.days_overdue > 0 THEN i.open_amount - i.disputed_amount - i.plan_amount
                        ELSE 0 END)
                   OVER (PARTITION BY i.customer_id, i.currency
                         ORDER BY i.due_on, i.attachment_id, i.invoice_key) AS rest_through
          FROM inv i),
    promised AS (
        SELECT s.customer_id, s.currency, sum(s.amount - s.paid_amount) AS unpaid
          FROM arcollect.promise_status(escalation_invoices.as_of) s
         WHERE s.status = 'open' AND s.made_on <= escalation_invoices.as_of
           AND (escalation_invoices.customer_id IS NULL OR s.customer_id = escalation_invoices.customer_id)
           AND (escalation_invoices.customers IS NULL OR s.customer_id = ANY (escalation_invoices.customers))
         GROUP BY s.customer_id, s.currency)
    SELECT r.customer_id, r.currency, r.attachment_id, r.invoice_key, r.due_on, r.days_overdue,
           r.open_amount, r.disputed_amount, r.plan_amount, x.promised, r.rest - x.promised
      FROM rest r
      LEFT JOIN promised pr ON pr.customer_id = r.customer_id AND pr.currency = r.currency
      CROSS JOIN LATERAL (
          SELECT CASE WHEN r.days_overdue > 0
                      THEN least(r.rest, greatest(0, coalesce(pr.unpaid, 0) - (r.rest_through - r.rest)))
                      ELSE 0 END AS promised) x;
END;

COMMENT ON FUNCTION arcollect.escalation_invoices(date, text, text[]) IS
'Every invoice with something open as of as_of (of one customer, of the customers given, or of all when customer_id and customers are NULL), with what escalation leaves out of it: the amount under open dispute, the rest if an active payment plan covers it, and what the customer''s open promises in its currency still have to pay (covering overdue invoices oldest first); escalatable_amount is what is left. days_overdue is as_of - due_on (positive: overdue).';

CREATE OR REPLACE FUNCTION arcollect.escalation_stage(as_of date DEFAULT current_date,
                                                      customer_id text DEFAULT NULL,
                                                      customers text[] DEFAULT NULL)
RETURNS TABLE (customer_id text, currency text, policy_name text, open_overdue numeric,
               escalatable_overdue numeric, oldest_days_overdue integer, held_by text,
               step_no integer, days_from_due integer, action text, channel text,
               template_name text, fee_regime text, interest_rate numeric, step_amount numeric,
               invoices jsonb)
LANGUAGE sql STABLE
BEGIN ATOMIC
    WITH inv AS (
        SELECT i.*, cp.policy_name
          FROM arcollect.escalation_invoices(escalation_stage.as_of, escalation_stage.customer_id,
                                             escalation_stage.customers) i
          JOIN arcollect.customer_policy cp ON cp.customer_id = i.customer_id
         -- (the customers given, said of the view too: the planner does not
         -- carry "= ANY" over a join, and would read every customer's)
         WHERE (escalation_stage.customers IS NULL OR cp.customer_id = ANY (escalation_stage.customers))),
    cc AS (
        SELECT i.customer_id, i.currency, i.policy_name,
               sum(i.open_amount) FILTER (WHERE i.days_overdue > 0) AS open_overdue,
               sum(i.disputed_amount) FILTER (WHERE i.days_overdue > 0) AS disputed,
               sum(i.plan_amount) FILTER (WHERE i.days_overdue > 0) AS planned,
               sum(i.promised_amount) FILTER (WHERE i.days_overdue > 0) AS promised,
               coalesce(sum(i.escalatable_amount) FILTER (WHERE i.days_overdue > 0), 0) AS escalatable_overdue,
               max(i.days_overdue) FILTER (WHERE i.days_overdue > 0 AND i.escalatable_amount > 0) AS oldest
          FROM inv i
         GROUP BY i.customer_id, i.currency, i.policy_name),
    reached AS (
        SELECT DISTINCT ON (i.customer_id, i.currency)
               i.customer_id, i.currency, s.step_no, s.days_from_due, s.action, s.channel,
               s.template_name, s.fee_regime, s.interest_rate,
               sum(i.escalatable_amount) AS step_amount
          FROM inv i
          JOIN arcollect.policy_step s ON s.policy_name = i.policy_name
         WHERE i.escalatable_amount > 0 AND i.days_overdue >= least(s.days_from_due, 1)
         GROUP BY i.customer_id, i.currency, s.step_no, s.days_from_due, s.action, s.channel,
                  s.template_name, s.fee_regime, s.interest_rate, s.min_overdue_amount
        HAVING max(i.days_overdue) >= s.days_from_due AND sum(i.escalatable_amount) >= s.min_overdue_amount
         ORDER BY i.customer_id, i.currency, s.step_no DESC),
    listed AS (
        SELECT i.customer_id, i.currency,
               jsonb_agg(jsonb_build_object('attachment_id', i.attachment_id,
                                            'invoice_key', i.invoice_key,
                                            'due_on', i.due_on,
                                            'open_amount', i.open_amount - i.disputed_amount,
                                            'escalatable_amount', i.escalatable_amount)
                         ORDER BY i.due_on, i.attachment_id, i.invoice_key) AS invoices
          FROM inv i
          JOIN reached r ON r.customer_id = i.customer_id AND r.currency = i.currency
         WHERE i.escalatable_amount > 0 AND i.days_overdue >= least(r.days_from_due, 1)
         GROUP BY i.customer_id, i.currency)
    SELECT c.customer_id, c.currency, c.policy_name, coalesce(c.open_overdue, 0), c.escalatable_overdue,
           c.oldest,
           CASE WHEN c.escalatable_overdue > 0 OR c.open_overdue IS NULL THEN NULL
                WHEN c.disputed >= c.planned AND c.disputed >= c.promised THEN 'disputed'
                WHEN c.planned >= c.promised THEN 'plan'
                ELSE 'promise' END,
           r.step_no, r.days_from_due, r.action, r.channel, r.template_name, r.fee_regime,
           r.interest_rate, r.step_amount, l.invoices
      FROM cc c
      LEFT JOIN reached r ON r.customer_id = c.customer_id AND r.currency = c.currency
      LEFT JOIN listed l ON l.customer_id = c.customer_id AND l.currency = c.currency;
END;

COMMENT ON FUNCTION arcollect.escalation_stage(date, text, text[]) IS
'The escalation stage of every customer (or of one, or of those given) and currency with something open as of as_of: what is overdue, what of it escalates (arcollect.escalation_invoices), the days overdue of the oldest escalatable invoice, what holds the rest back when nothing escalates (disputed, plan or promise), and the highest step of the customer''s policy reached, with the amount and the invoices it lists (NULL step: none reached; each invoice with its open amount not under dispute, which its touchpoint lists, and its escalatable amount). A step lists the escalatable invoices at least least(days_from_due, 1) days overdue; it is reached when the oldest of them is days_from_due days overdue and their total is at least the step''s min_overdue_amount.';
