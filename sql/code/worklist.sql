-- Today's queue for collectors: the contacts a person makes (calls and
-- meetings) that the dunning ladder planned and whose time has come by
-- the end of today in the customer's time zone, with why (the step, what
-- is overdue and escalatable, the oldest days, a broken promise) and in
-- priority order per owner.  Messages the outbox sends (email, letter,
-- sms, portal) are not a collector's work and are not listed.
--
-- What the view reads is the escalation engine's state, not a scan of
-- the ledger per click: the planned touchpoints of open episodes
-- (arcollect.escalation_step), checked again as of now against what
-- may have changed since the run planned them:
--   paused  a customer whose escalatable overdue is gone today (paid,
--           disputed, under a plan or a promise: arcollect.escalation_stage
--           as of today, for the customers in the queue only) is left out;
--   rules   a contact arcollect.contact_decision does not allow today
--           (do-not-contact or an opt-out set since, a pause after a
--           reached call, a cap) is left out, as is one it defers to a
--           later day.
-- The priority (1 is first, per owner) is the escalatable overdue amount
-- weighed by risk, amount × (1 + risk_score / 100), the risk score of
-- arcollect.customer_standing; ties go to the older overdue, then the
-- customer id.  Amounts of different currencies are compared as they
-- stand (no exchange rates).
--
-- One collector's queue is arcollect.collector_worklist(owner), the view
-- is every owner's: the queue of each owner that has a call or meeting
-- planned, so that a WHERE on the owner of the view reaches that list of
-- owners and reads one queue.  A queue reads what its customers owe, and
-- no one else's: the stage and the standing of the customers it lists,
-- given as a set (escalation_stage and customer_standing's customers)
-- from a PL/pgSQL variable, which the planner sees as a constant and
-- reads through the ledger's indexes (open_items.sql).  Per row, it would
-- be one read of the ledger per customer; as a filter on the result, a
-- read of the whole ledger (bench/README.md, customer access).
--
-- Caller's rights throughout (security_invoker; an invoker's function),
-- as aging_report.sql explains.

CREATE OR REPLACE FUNCTION arcollect.collector_worklist(collector text)
RETURNS TABLE (owner text, customer_id text, priority integer, channel text, reason text,
               currency text, overdue_amount numeric, oldest_days_overdue integer,
               risk_score numeric, broken_promise boolean, step_no integer,
               policy_name text, planned_for timestamptz)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    -- the queue's customers, in the collation of the ledger's customer_id
    -- (so that its index finds them)
    customers text[] COLLATE "C";
BEGIN
    -- (a few more than the queue: what is due by the end of today in any
    -- time zone, which the query below tells apart in the customer's, so
    -- that arcollect.customer is read for these customers only)
    customers := ARRAY(
        SELECT DISTINCT t.customer_id
          FROM arcollect.touchpoint t
          JOIN arcollect.escalation_step s ON s.touchpoint_id = t.touchpoint_id
          JOIN arcollect.escalation e ON e.escalation_id = s.escalation_id AND e.ended_on IS NULL
         WHERE t.status = 'planned' AND t.channel IN ('call', 'meeting')
           AND t.owner IS NOT DISTINCT FROM collector_worklist.collector
           AND t.planned_for < pg_catalog.now() + interval '2 days');
    IF pg_catalog.cardinality(customers) = 0 THEN
        RETURN;
    END IF;
    RETURN QUERY
    WITH due AS (
        SELECT t.touchpoint_id, t.customer_id, t.currency, t.channel, t.owner, t.planned_for,
               e.policy_name, s.step_no, s.action, c.time_zone
          FROM arcollect.touchpoint t
          JOIN arcollect.escalation_step s ON s.touchpoint_id = t.touchpoint_id
          JOIN arcollect.escalation e ON e.escalation_id = s.escalation_id AND e.ended_on IS NULL
          JOIN arcollect.customer c ON c.customer_id = t.customer_id
         WHERE t.customer_id = ANY (customers) AND c.customer_id = ANY (customers)
           AND t.status = 'planned' AND t.channel IN ('call', 'meeting')
           AND t.owner IS NOT DISTINCT FROM collector_worklist.collector
           AND t.planned_for < ((pg_catalog.now() AT TIME ZONE c.time_zone)::date + 1) AT TIME ZONE c.time_zone
    ), allowed AS (
        SELECT d.*, st.escalatable_overdue, st.oldest_days_overdue, cs.risk_score, cs.broken_promises
          FROM due d
          JOIN arcollect.escalation_stage(current_date, NULL, customers) st
            ON st.customer_id = d.customer_id AND st.currency = d.currency AND st.escalatable_overdue > 0
          LEFT JOIN arcollect.customer_standing(current_date, NULL, customers) cs
            ON cs.customer_id = d.customer_id AND cs.currency = d.currency
         CROSS JOIN LATERAL arcollect.contact_decision(d.customer_id, d.channel,
                                                       greatest(pg_catalog.now(), d.planned_for),
                                                       d.touchpoint_id) cd
         WHERE cd.decision IN ('ok', 'deferred')
           AND (cd.planned_for AT TIME ZONE d.time_zone)::date = (pg_catalog.now() AT TIME ZONE d.time_zone)::date
    )
    SELECT a.owner, a.customer_id,
           pg_catalog.row_number() OVER (ORDER BY a.escalatable_overdue * (1 + coalesce(a.risk_score, 0) / 100) DESC,
                                                  a.oldest_days_overdue DESC, a.customer_id, a.currency)::integer,
           a.channel,
           pg_catalog.format('step %s of %s (%s): %s %s overdue, oldest %s days%s', a.step_no, a.policy_name,
                             a.action, arcollect.format_money(a.escalatable_overdue, a.currency), a.currency,
                             a.oldest_days_overdue,
                             CASE WHEN coalesce(a.broken_promises, 0) > 0 THEN ', broken promise' ELSE '' END),
           a.currency, a.escalatable_overdue, a.oldest_days_overdue,
           coalesce(a.risk_score, 0.00),
           coalesce(a.broken_promises, 0) > 0,
           a.step_no, a.policy_name, a.planned_for
      FROM allowed a;
END
$fn$;

COMMENT ON FUNCTION arcollect.collector_worklist(text) IS
'Today''s queue of one collector (the owner of the touchpoints; NULL: the calls and meetings planned with no owner), in priority order: the rows of arcollect.worklist for that owner, reading only the ledger rows of the customers in the queue.';

CREATE OR REPLACE VIEW arcollect.worklist WITH (security_invoker = true) AS
SELECT o.owner, w.customer_id, w.priority, w.channel, w.reason, w.currency, w.overdue_amount,
       w.oldest_days_overdue, w.risk_score, w.broken_promise, w.step_no, w.policy_name, w.planned_for
  FROM (SELECT DISTINCT t.owner
          FROM arcollect.touchpoint t
         WHERE t.status = 'planned' AND t.channel IN ('call', 'meeting')) o
 CROSS JOIN LATERAL arcollect.collector_worklist(o.owner) w;

COMMENT ON VIEW arcollect.worklist IS
'Today''s queue for collectors, per owner in priority order: the calls and meetings the dunning ladder planned whose time has come by the end of today in the customer''s time zone, of customers who still owe something escalatable in that currency today (not paused by a dispute, plan or promise) and whom the contact rules allow to be contacted on that channel today. Priority 1 is first: the escalatable overdue amount weighed by risk, amount × (1 + risk score / 100).';
COMMENT ON COLUMN arcollect.worklist.owner IS 'The collector whose queue it is (the touchpoint''s owner).';
COMMENT ON COLUMN arcollect.worklist.customer_id IS 'The customer to contact.';
COMMENT ON COLUMN arcollect.worklist.priority IS 'Place in the owner''s queue today: 1 is first.';
COMMENT ON COLUMN arcollect.worklist.channel IS 'How to contact: call or meeting.';
COMMENT ON COLUMN arcollect.worklist.reason IS 'Why, in words: the step of the policy and its action, what is overdue and escalatable, the days overdue of the oldest invoice, and a broken promise if there is one.';
COMMENT ON COLUMN arcollect.worklist.currency IS 'Currency of the amounts.';
COMMENT ON COLUMN arcollect.worklist.overdue_amount IS 'What the customer owes overdue in the currency today that escalates (not disputed, not under a plan or promise).';
COMMENT ON COLUMN arcollect.worklist.oldest_days_overdue IS 'Days overdue of the customer''s oldest escalatable invoice in the currency today.';
COMMENT ON COLUMN arcollect.worklist.risk_score IS 'The customer''s risk score today in the currency (0-100, arcollect.customer_standing), which weighs the priority.';
COMMENT ON COLUMN arcollect.worklist.broken_promise IS 'True when the customer has broken a promise to pay in the currency.';
COMMENT ON COLUMN arcollect.worklist.step_no IS 'The step of the escalation policy that planned the contact.';
COMMENT ON COLUMN arcollect.worklist.policy_name IS 'The escalation policy.';
COMMENT ON COLUMN arcollect.worklist.planned_for IS 'When the run planned the contact for: with customer_id and channel it names the planned touchpoint in arcollect.touchpoints, whose outcome arcollect.complete_touchpoint records.';
