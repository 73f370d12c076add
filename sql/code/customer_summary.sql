-- One row per customer and currency with everything a collector looks at
-- before a call, as of today: the function arcollect.customer_summary
-- (customer_id), for one customer (or every one, for NULL), and the view
-- arcollect.customer_summary over every customer.
--
-- What the customer owes and how it pays is arcollect.customer_standing
-- as of today (balance, overdue, oldest overdue item, payment delay, risk
-- score); the payment index is arcollect.payment_index of that delay.
-- The rest is what the records say now: the open escalation episode and
-- the step it reached (arcollect.escalation, escalation_step), the last
-- touchpoint done and the next one planned (in the row's currency, or
-- about all the customer owes), the disputes open today
-- (arcollect.disputes_open_on), the active payment plans
-- (payment_plan_status), the open promises (promise_status), the credit
-- limit (arcollect.customer) and the credit hold in force.
--
-- The customer given reaches every read (the ledger's through
-- customer_standing); the view, over every customer, reads the ledger
-- once.  Caller's rights throughout (an inlinable SQL function; the view
-- is security_invoker), as aging_report.sql explains.

CREATE OR REPLACE FUNCTION arcollect.customer_summary(customer_id text DEFAULT NULL)
RETURNS TABLE (
    customer_id text,
    customer_name text,
    currency text,
    owner text,
    segment text,
    balance numeric,
    overdue numeric,
    oldest_days_overdue integer,
    average_payment_delay numeric,
    payment_index integer,
    risk_score numeric,
    escalation_policy text,
    escalation_step integer,
    escalation_stage text,
    escalation_since date,
    last_touchpoint_at timestamptz,
    last_touchpoint_channel text,
    last_touchpoint_outcome text,
    next_touchpoint_at timestamptz,
    next_touchpoint_channel text,
    open_disputes integer,
    disputed_amount numeric,
    active_plans integer,
    plan_remaining numeric,
    plan_next_due_on date,
    open_promises integer,
    promised_amount numeric,
    promised_by date,
    credit_limit numeric,
    over_credit_limit boolean,
    on_credit_hold boolean,
    credit_hold_since date)
LANGUAGE sql STABLE
BEGIN ATOMIC
    WITH disputes AS (
        SELECT d.customer_id, d.currency, sum(d.disputed_amount) AS amount
          FROM arcollect.disputes_open_on(current_date) d
         WHERE customer_summary.customer_id IS NULL OR d.customer_id = customer_summary.customer_id
         GROUP BY d.customer_id, d.currency
    ), plans AS (
        SELECT p.customer_id, p.currency, count(*) AS active,
               sum(s.total_amount - s.paid_amount) AS remaining, min(s.next_due_on) AS next_due_on
          FROM arcollect.payment_plan_status(current_date) s
          JOIN arcollect.payment_plan p ON p.plan_id = s.plan_id
         WHERE s.status = 'active'
           AND (customer_summary.customer_id IS NULL OR p.customer_id = customer_summary.customer_id)
         GROUP BY p.customer_id, p.currency
    ), promises AS (
        SELECT s.customer_id, s.currency, count(*) AS open,
               sum(s.amount - s.paid_amount) AS amount, min(s.promised_on) AS promised_on
          FROM arcollect.promise_status(current_date) s
         WHERE s.status = 'open'
           AND (customer_summary.customer_id IS NULL OR s.customer_id = customer_summary.customer_id)
         GROUP BY s.customer_id, s.currency
    )
    SELECT s.customer_id, c.name, s.currency, c.owner, c.segment,
           s.balance, s.overdue, s.oldest_days_overdue, s.average_payment_delay,
           arcollect.payment_index(s.average_payment_delay), s.risk_score,
           e.policy_name, e.step_no, x.action, e.started_on,
           lt.done_at, lt.channel, lt.outcome, nt.planned_for, nt.channel,
           s.open_disputes::integer, coalesce(d.amount, 0),
           coalesce(pl.active, 0)::integer, coalesce(pl.remaining, 0), pl.next_due_on,
           coalesce(pr.open, 0)::integer, coalesce(pr.amount, 0), pr.promised_on,
           c.credit_limit, s.balance > c.credit_limit,
           h.hold_id IS NOT NULL, h.since
      FROM arcollect.customer_standing(current_date, customer_summary.customer_id) s
      -- (the customer given, as a condition of the join: the planner does not
      -- carry it over from customer_standing's rows)
      LEFT JOIN arcollect.customer c
             ON c.customer_id = s.customer_id
            AND (customer_summary.customer_id IS NULL OR c.customer_id = customer_summary.customer_id)
      LEFT JOIN arcollect.escalation e
             ON e.customer_id = s.customer_id AND e.currency = s.currency AND e.ended_on IS NULL
      LEFT JOIN arcollect.escalation_step x ON x.escalation_id = e.escalation_id AND x.step_no = e.step_no
      LEFT JOIN arcollect.credit_hold h
             ON h.customer_id = s.customer_id AND h.currency = s.currency AND h.released_on IS NULL
      LEFT JOIN disputes d ON d.customer_id = s.customer_id AND d.currency = s.currency
      LEFT JOIN plans pl ON pl.customer_id = s.customer_id AND pl.currency = s.currency
      LEFT JOIN promises pr ON pr.customer_id = s.customer_id AND pr.currency = s.currency
      LEFT JOIN LATERAL (
            SELECT t.done_at, t.channel, t.outcome
              FROM arcollect.touchpoint t
             WHERE t.customer_id = s.customer_id AND (t.currency = s.currency OR t.currency IS NULL)
               AND t.status = 'done'
             ORDER BY t.done_at DESC, t.touchpoint_id DESC
             LIMIT 1) lt ON true
      LEFT JOIN LATERAL (
            SELECT t.planned_for, t.channel
              FROM arcollect.touchpoint t
             WHERE t.customer_id = s.customer_id AND (t.currency = s.currency OR t.currency IS NULL)
               AND t.status = 'planned'
             ORDER BY t.planned_for, t.touchpoint_id
             LIMIT 1) nt ON true;
END;

COMMENT ON FUNCTION arcollect.customer_summary(text) IS
'Everything about a customer (or, for NULL, every customer) as of today, one row per currency: balance, overdue, payment behaviour and risk (arcollect.customer_standing), escalation stage, last and next touchpoint, open disputes, active plans, open promises, credit limit and credit hold. The view arcollect.customer_summary has the same columns for every customer.';

CREATE OR REPLACE VIEW arcollect.customer_summary WITH (security_invoker = true) AS
SELECT * FROM arcollect.customer_summary(NULL);

COMMENT ON VIEW arcollect.customer_summary IS
'Every customer as of today, one row per currency it owes or owed in: balance, overdue amount and oldest overdue item, payment behaviour and risk score, escalation stage, last and next touchpoint, open disputes, payment plans and promises, credit limit and hold. For one customer, the function arcollect.customer_summary(customer_id) is quicker than a WHERE on this view.';
COMMENT ON COLUMN arcollect.customer_summary.customer_id IS 'The customer (arcollect.customer).';
COMMENT ON COLUMN arcollect.customer_summary.customer_name IS 'Display name of the customer, when set.';
COMMENT ON COLUMN arcollect.customer_summary.currency IS 'Currency of the amounts (ISO 4217).';
COMMENT ON COLUMN arcollect.customer_summary.owner IS 'Collector or account manager of the customer.';
COMMENT ON COLUMN arcollect.customer_summary.segment IS 'Customer segment, when set.';
COMMENT ON COLUMN arcollect.customer_summary.balance IS 'Open amount today (negative when overpaid).';
COMMENT ON COLUMN arcollect.customer_summary.overdue IS 'Part of the balance past its due date.';
COMMENT ON COLUMN arcollect.customer_summary.oldest_days_overdue IS 'Days past due of the oldest invoice with something open; NULL when nothing is overdue.';
COMMENT ON COLUMN arcollect.customer_summary.average_payment_delay IS 'Amount-weighted average days between due date and payment of the invoices it paid (negative: early); NULL before its first payment.';
COMMENT ON COLUMN arcollect.customer_summary.payment_index IS 'Trade payment index of that delay, 1 to 100: 80 on terms, higher is earlier, lower is later.';
COMMENT ON COLUMN arcollect.customer_summary.risk_score IS 'Collection risk, 0 (lowest) to 100 (highest): the risk score of its invoices raised for broken promises and plans and open disputes (arcollect.customer_risk).';
COMMENT ON COLUMN arcollect.customer_summary.escalation_policy IS 'Escalation policy of its open escalation episode; NULL when it is not escalating.';
COMMENT ON COLUMN arcollect.customer_summary.escalation_step IS 'Highest step of that policy reached in the episode.';
COMMENT ON COLUMN arcollect.customer_summary.escalation_stage IS 'What that step does: remind, call, letter, final_notice, fee, credit_hold, agency_referral, legal or write_off_review; NULL when it is not escalating.';
COMMENT ON COLUMN arcollect.customer_summary.escalation_since IS 'Day the open escalation episode started.';
COMMENT ON COLUMN arcollect.customer_summary.last_touchpoint_at IS 'When the last contact was made (a touchpoint done in this currency or about everything the customer owes).';
COMMENT ON COLUMN arcollect.customer_summary.last_touchpoint_channel IS 'Channel of the last contact: email, call, sms, letter, portal or meeting.';
COMMENT ON COLUMN arcollect.customer_summary.last_touchpoint_outcome IS 'Outcome of the last contact (reached, no_answer, promise, sent, ...).';
COMMENT ON COLUMN arcollect.customer_summary.next_touchpoint_at IS 'When the next planned contact is due.';
COMMENT ON COLUMN arcollect.customer_summary.next_touchpoint_channel IS 'Channel of the next planned contact.';
COMMENT ON COLUMN arcollect.customer_summary.open_disputes IS 'Number of disputes open today.';
COMMENT ON COLUMN arcollect.customer_summary.disputed_amount IS 'Amount of the disputes open today.';
COMMENT ON COLUMN arcollect.customer_summary.active_plans IS 'Number of payment plans active today.';
COMMENT ON COLUMN arcollect.customer_summary.plan_remaining IS 'What remains to be paid on the active plans.';
COMMENT ON COLUMN arcollect.customer_summary.plan_next_due_on IS 'Due date of the next installment not fully paid of the active plans.';
COMMENT ON COLUMN arcollect.customer_summary.open_promises IS 'Number of promises to pay still open today.';
COMMENT ON COLUMN arcollect.customer_summary.promised_amount IS 'What the open promises still have to bring in.';
COMMENT ON COLUMN arcollect.customer_summary.promised_by IS 'The earliest date an open promise is for.';
COMMENT ON COLUMN arcollect.customer_summary.credit_limit IS 'Credit limit of the customer; NULL when none is set.';
COMMENT ON COLUMN arcollect.customer_summary.over_credit_limit IS 'True when the balance is above the credit limit; NULL without a limit.';
COMMENT ON COLUMN arcollect.customer_summary.on_credit_hold IS 'True while a credit hold is in force in this currency.';
COMMENT ON COLUMN arcollect.customer_summary.credit_hold_since IS 'Day the credit hold in force started.';
