-- What each owner's customers brought in and what was done with them,
-- per month and currency, for BI tools.  The owner is the customer's
-- (arcollect.customer.owner, as it is now): the view reports the
-- portfolio each collector looks after, whoever made a touchpoint.
--
--   collected, payments    the payments the ledger booked in the month on
--                          the owner's customers' invoices (entries of
--                          kind payment; a refund counts negative)
--   touchpoints            those done in the month, by channel; a
--                          touchpoint about all a customer owes (no
--                          currency) counts in the currency the customer
--                          is billed in, or in the row without currency
--                          when it is billed in several
--   promises               made in the month; and of those due in the
--                          month, kept and broken as of today
--                          (arcollect.promise_status)
--   disputes               opened and closed in the month
--   touchpoint_cost        the done touchpoints at the cost of their
--                          channel in the row's currency
--                          (arcollect.channel_cost); NULL when no
--                          touchpoint has a cost
--   cost_per_collection    touchpoint_cost / collected: what collecting
--                          one unit of the currency cost
--
-- Months are calendar months; a touchpoint's is that of done_at in the
-- session's time zone.  Every source is grouped by customer, month and
-- currency, then the rows are added up per owner.  security_invoker:
-- read with the caller's rights (aging_report.sql says why).

CREATE OR REPLACE VIEW arcollect.collector_performance WITH (security_invoker = true) AS
WITH single_currency AS (
    -- the currency of each customer with a touchpoint about no currency,
    -- when all its invoices are in one
    SELECT i.customer_id, min(i.currency) AS currency
      FROM arcollect.invoice i
     WHERE i.customer_id IN (SELECT t.customer_id FROM arcollect.touchpoint t WHERE t.currency IS NULL)
     GROUP BY i.customer_id
    HAVING min(i.currency) = max(i.currency)
), fact AS (
    SELECT i.customer_id, date_trunc('month', e.effective_on::timestamp)::date AS month, i.currency,
           -sum(e.amount) AS collected, count(*) AS payments,
           0 AS email, 0 AS call, 0 AS sms, 0 AS letter, 0 AS portal, 0 AS meeting,
           NULL::numeric AS touchpoint_cost,
           0 AS promises_made, 0 AS promised_amount, 0 AS promises_kept, 0 AS promises_broken,
           0 AS disputes_opened, 0 AS disputes_closed
      FROM arcollect.entry e
      JOIN arcollect.invoice i ON i.attachment_id = e.attachment_id AND i.invoice_key = e.invoice_key
     WHERE e.kind = 'payment'
     GROUP BY 1, 2, 3
    UNION ALL
    SELECT t.customer_id, t.month, t.currency, 0, 0,
           count(*) FILTER (WHERE t.channel = 'email'), count(*) FILTER (WHERE t.channel = 'call'),
           count(*) FILTER (WHERE t.channel = 'sms'), count(*) FILTER (WHERE t.channel = 'letter'),
           count(*) FILTER (WHERE t.channel = 'portal'), count(*) FILTER (WHERE t.channel = 'meeting'),
           sum(cc.cost_per_touchpoint), 0, 0, 0, 0, 0, 0
      FROM (SELECT t.customer_id, t.channel,
                   date_trunc('month', t.done_at)::date AS month,
                   coalesce(t.currency, sc.currency) AS currency
              FROM arcollect.touchpoint t
              LEFT JOIN single_currency sc ON sc.customer_id = t.customer_id AND t.currency IS NULL
             WHERE t.status = 'done') t
      LEFT JOIN arcollect.channel_cost cc ON cc.channel = t.channel AND cc.currency = t.currency
     GROUP BY 1, 2, 3
    UNION ALL
    SELECT p.customer_id, date_trunc('month', p.made_on::timestamp)::date, p.currency, 0, 0,
           0, 0, 0, 0, 0, 0, NULL, count(*), sum(p.amount), 0, 0, 0, 0
      FROM arcollect.promise p
     GROUP BY 1, 2, 3
    UNION ALL
    SELECT s.customer_id, date_trunc('month', s.promised_on::timestamp)::date, s.currency, 0, 0,
           0, 0, 0, 0, 0, 0, NULL, 0, 0,
           count(*) FILTER (WHERE s.status = 'kept'), count(*) FILTER (WHERE s.status = 'broken'), 0, 0
      FROM arcollect.promise_status(current_date) s
     GROUP BY 1, 2, 3
    UNION ALL
    SELECT d.customer_id, date_trunc('month', d.opened_on::timestamp)::date, d.currency, 0, 0,
           0, 0, 0, 0, 0, 0, NULL, 0, 0, 0, 0, count(*), 0
      FROM arcollect.dispute d
     GROUP BY 1, 2, 3
    UNION ALL
    SELECT d.customer_id, date_trunc('month', d.closed_on::timestamp)::date, d.currency, 0, 0,
           0, 0, 0, 0, 0, 0, NULL, 0, 0, 0, 0, 0, count(*)
      FROM arcollect.dispute d
     WHERE d.closed_on IS NOT NULL
     GROUP BY 1, 2, 3
)
SELECT c.owner, f.month, f.currency,
       sum(f.collected) AS collected,
       sum(f.payments)::integer AS payments,
       sum(f.email + f.call + f.sms + f.letter + f.portal + f.meeting)::integer AS touchpoints,
       sum(f.email)::integer AS emails,
       sum(f.call)::integer AS calls,
       sum(f.sms)::integer AS sms,
       sum(f.letter)::integer AS letters,
       sum(f.portal)::integer AS portal_messages,
       sum(f.meeting)::integer AS meetings,
       sum(f.promises_made)::integer AS promises_made,
       sum(f.promised_amount) AS promised_amount,
       sum(f.promises_kept)::integer AS promises_kept,
       sum(f.promises_broken)::integer AS promises_broken,
       sum(f.disputes_opened)::integer AS disputes_opened,
       sum(f.disputes_closed)::integer AS disputes_closed,
       sum(f.touchpoint_cost) AS touchpoint_cost,
       sum(f.touchpoint_cost) / nullif(sum(f.collected), 0) AS cost_per_collection
  FROM fact f
  LEFT JOIN arcollect.customer c ON c.customer_id = f.customer_id
 GROUP BY c.owner, f.month, f.currency;

COMMENT ON VIEW arcollect.collector_performance IS
'Per owner (the customers'' collector or account manager), month and currency: what was collected, the touchpoints done by channel, promises made, kept and broken, disputes opened and closed, and what the touchpoints cost (arcollect.channel_cost) per unit collected.';
COMMENT ON COLUMN arcollect.collector_performance.owner IS 'Owner of the customers (arcollect.customer.owner, as it is now); NULL for customers without one.';
COMMENT ON COLUMN arcollect.collector_performance.month IS 'The month (its first day).';
COMMENT ON COLUMN arcollect.collector_performance.currency IS 'Currency of the amounts (ISO 4217); NULL for touchpoints about no currency with customers billed in several.';
COMMENT ON COLUMN arcollect.collector_performance.collected IS 'Payments received in the month from the owner''s customers (refunds subtract).';
COMMENT ON COLUMN arcollect.collector_performance.payments IS 'Number of payments (and refunds) received.';
COMMENT ON COLUMN arcollect.collector_performance.touchpoints IS 'Touchpoints done in the month, every channel.';
COMMENT ON COLUMN arcollect.collector_performance.emails IS 'Emails done (sent) in the month.';
COMMENT ON COLUMN arcollect.collector_performance.calls IS 'Calls made in the month.';
COMMENT ON COLUMN arcollect.collector_performance.sms IS 'Text messages sent in the month.';
COMMENT ON COLUMN arcollect.collector_performance.letters IS 'Letters sent in the month.';
COMMENT ON COLUMN arcollect.collector_performance.portal_messages IS 'Portal messages done in the month.';
COMMENT ON COLUMN arcollect.collector_performance.meetings IS 'Meetings held in the month.';
COMMENT ON COLUMN arcollect.collector_performance.promises_made IS 'Promises to pay made in the month.';
COMMENT ON COLUMN arcollect.collector_performance.promised_amount IS 'Amount of the promises made in the month.';
COMMENT ON COLUMN arcollect.collector_performance.promises_kept IS 'Promises due in the month that were kept (as of today).';
COMMENT ON COLUMN arcollect.collector_performance.promises_broken IS 'Promises due in the month that were broken (as of today).';
COMMENT ON COLUMN arcollect.collector_performance.disputes_opened IS 'Disputes opened in the month.';
COMMENT ON COLUMN arcollect.collector_performance.disputes_closed IS 'Disputes closed in the month (resolved, rejected or credited).';
COMMENT ON COLUMN arcollect.collector_performance.touchpoint_cost IS 'What the touchpoints done cost, at arcollect.channel_cost for their channel in this currency; NULL when none has a cost there.';
COMMENT ON COLUMN arcollect.collector_performance.cost_per_collection IS 'touchpoint_cost / collected: the cost of collecting one unit of the currency (0.02 = 2 cents per euro); NULL without a cost or without collections.';
