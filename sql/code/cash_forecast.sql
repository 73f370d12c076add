-- The cash forecast: what the receivables ledger expects to collect, week
-- by week and per currency, from what is open at the end of a date and
-- the commitments made by then, for any past date from the ledger's
-- history (arcollect.cash_forecast(as_of, weeks)) and for today (the view
-- arcollect.cash_forecast).  README.md, "Cash forecast", states the model
-- and its backtest on the IBM sample (sql/cash_forecast_backtest.sql).
--
-- Weeks are the 7-day periods after as_of: week 1 is as_of + 1 through
-- as_of + 7.  What is expected later than the last week is in no row;
-- what the model expects on or before as_of (an invoice later than its
-- customer has ever been, a plan installment within its grace days) is
-- expected on as_of + 1.  Only what is collected on receivables open at
-- as_of (and on commitments) is forecast: invoices not yet billed are not.
--
-- Every open invoice with a positive open amount (credits and
-- overpayments are left out: they are not collected) is split in pieces,
-- each with a date and a probability, all known at as_of:
--   - an invoice covered by a payment plan active at as_of: the plan's
--     unpaid installments, on their due dates, with the share of the
--     currency's plans decided by then that were completed (not broken);
--     the rest of that chance stays on the invoice, collected as below;
--   - the customer's open promises to pay (what they still have to pay)
--     on their promised dates, with the share of the currency's promises
--     decided by then that were kept; they cover its other open invoices
--     oldest due date first, and the rest of that chance stays on them;
--   - of what is left of an invoice, the part under a dispute open at
--     as_of (arcollect.disputes_open_on) on the day the dispute was
--     opened plus the typical (median) days the currency's disputes
--     closed by as_of were open, with the share of those that were not
--     credited (resolved or rejected: the customer pays); when no dispute
--     has closed, nothing is known of disputes and the part stays with
--     the invoice;
--   - the rest of the invoice as the customer paid before: for each of
--     its last 12 invoices in that currency paid by as_of
--     (arcollect.invoice_paid_on), the day that is as many days from this
--     one's due date as that one was paid from its own (early counts
--     negative), an equal share each; the days already past are dropped
--     (the invoice is still open, so it is not paid that fast) and the
--     shares of the others raised to add up to one; when every one is
--     past, it is expected on as_of + 1.  A customer with no invoice paid
--     by as_of takes the delays of every invoice of the currency paid in
--     the 365 days through as_of; with none, the due date.  Times the
--     share of cash collected (arcollect.cash_collected), in the 91 days
--     through as_of, on what was open in the same aging
--     bucket (arcollect.aging_bucket_index) 91 days before as_of, up to
--     each invoice's open amount then; credit notes and write-offs are
--     not cash.
-- A probability with nothing to measure it on (no plan, promise or
-- dispute decided, nothing open 91 days before) is 1: no evidence of a
-- loss.  So the forecast adds up to at most what is open, plus what plans
-- promise beyond what is open on their invoices, plus what promises
-- promise beyond what is open outside plans.
--
-- naive_amount is the forecast that assumes every open amount is paid
-- on its due date (as_of + 1 when overdue): the benchmark of the README.
-- Each part is rounded to the currency's minor unit (arcollect.round_money)
-- and expected_amount is their sum.
--
-- One query over every customer: the ledger is read with open_items
-- (twice: at as_of and 91 days before) and invoice_paid_on, the records
-- with their own status functions.  Runs with the caller's rights: it
-- needs SELECT on the ledger and on the records, as customer_risk does
-- (the grants of doc/ledger.md); plpgsql for the checks of its
-- arguments.

CREATE OR REPLACE FUNCTION arcollect.cash_forecast(as_of date DEFAULT current_date,
                                                   weeks integer DEFAULT 13)
RETURNS TABLE (
    week_no integer,
    week_start date,
    week_end date,
    currency text,
    expected_amount numeric,
    from_invoices numeric,
    from_disputes numeric,
    from_plans numeric,
    from_promises numeric,
    naive_amount numeric)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
-- JIT compiled this one large query anew on every call, for longer than
-- the query runs (bench/cash_forecast.sh), as it did preview_escalations'
SET jit = off
AS $fn$
BEGIN
    IF cash_forecast.as_of IS NULL OR cash_forecast.weeks IS NULL THEN
        RAISE EXCEPTION 'as_of and weeks must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF NOT isfinite(cash_forecast.as_of) THEN
        RAISE EXCEPTION 'as_of % is not a day', cash_forecast.as_of
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Give the date the forecast is made on: what is open at its end is forecast.';
    END IF;
    IF cash_forecast.weeks NOT BETWEEN 1 AND 520 THEN
        RAISE EXCEPTION 'weeks % is out of range', cash_forecast.weeks
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Forecast 1 to 520 weeks (13 is a quarter).';
    END IF;

    RETURN QUERY
    WITH item AS MATERIALIZED (
        -- what is open at as_of and is to be collected
        SELECT o.billing_table, o.invoice_key, o.customer_id, o.currency, o.due_on, o.open_amount,
               arcollect.aging_bucket_index(o.due_on, cash_forecast.as_of) AS bucket
          FROM arcollect.open_items(cash_forecast.as_of) o
         WHERE o.open_amount > 0
    ), plan_state AS MATERIALIZED (
        SELECT s.plan_id, s.status, p.currency
          FROM arcollect.payment_plan_status(cash_forecast.as_of) s
          JOIN arcollect.payment_plan p ON p.plan_id = s.plan_id
    ), in_plan AS (
        SELECT DISTINCT a.billing_table, c.invoice_key
          FROM arcollect.plan_invoice c
          JOIN plan_state s ON s.plan_id = c.plan_id AND s.status = 'active'
          JOIN arcollect.attachment a ON a.attachment_id = c.attachment_id
    ), promise_state AS MATERIALIZED (
        SELECT s.customer_id, s.currency, s.promised_on, s.amount - s.paid_amount AS unpaid, s.status
          FROM arcollect.promise_status(cash_forecast.as_of) s
         WHERE s.made_on <= cash_forecast.as_of
    ), promised AS (
        SELECT s.customer_id, s.currency, sum(s.unpaid) AS unpaid
          FROM promise_state s
         WHERE s.status = 'open' AND s.unpaid > 0
         GROUP BY s.customer_id, s.currency
    ), disputed AS (
        SELECT d.billing_table, d.invoice_key, sum(d.disputed_amount) AS disputed_amount,
               min(d.opened_on) AS opened_on
          FROM arcollect.disputes_open_on(cash_forecast.as_of) d
         GROUP BY d.billing_table, d.invoice_key
    ), closed_dispute AS (
        -- closed by as_of: the complement of disputes_open_on among those opened by then
        SELECT d.currency,
               percentile_disc(0.5) WITHIN GROUP (ORDER BY d.closed_on - d.opened_on) AS resolution_days,
               (count(*) FILTER (WHERE d.status <> 'credited'))::numeric / count(*) AS paid_share
          FROM arcollect.dispute d
         WHERE d.closed_on <= cash_forecast.as_of
         GROUP BY d.currency
    ), kept AS (
        -- the share of the plans and promises decided by as_of that were kept, per currency
        SELECT k.currency,
               (count(*) FILTER (WHERE k.kept AND k.kind = 'plan'))::numeric
                   / nullif(count(*) FILTER (WHERE k.kind = 'plan'), 0) AS plan_share,
               (count(*) FILTER (WHERE k.kept AND k.kind = 'promise'))::numeric
                   / nullif(count(*) FILTER (WHERE k.kind = 'promise'), 0) AS promise_share
          FROM (SELECT 'plan' AS kind, s.currency, s.status = 'completed' AS kept
                  FROM plan_state s WHERE s.status IN ('completed', 'broken')
                UNION ALL
                SELECT 'promise', s.currency, s.status = 'kept'
                  FROM promise_state s WHERE s.status IN ('kept', 'broken')) k
         GROUP BY k.currency
    ), earlier AS (
        -- what was open 91 days before as_of, by aging bucket then, and
        -- the cash paid on it since, up to what was open
        SELECT o.currency, arcollect.aging_bucket_index(o.due_on, cash_forecast.as_of - 91) AS bucket,
               sum(least(o.open_amount, greatest(coalesce(c.paid, 0), 0))) / sum(o.open_amount) AS collected
          FROM arcollect.open_items(cash_forecast.as_of - 91) o
          LEFT JOIN (SELECT a.billing_table, r.invoice_key, sum(r.amount) AS paid
                       FROM arcollect.cash_collected(cash_forecast.as_of - 90, cash_forecast.as_of) r
                       JOIN arcollect.attachment a ON a.attachment_id = r.attachment_id
                      GROUP BY a.billing_table, r.invoice_key) c
                 ON c.billing_table = o.billing_table AND c.invoice_key = o.invoice_key
         WHERE o.open_amount > 0
         GROUP BY o.currency, arcollect.aging_bucket_index(o.due_on, cash_forecast.as_of - 91)
    ), split AS (
        -- each invoice's pieces: in a plan, or covered by promises
        -- (oldest due date first), then disputed, then the rest
        SELECT i.*, ip.invoice_key IS NOT NULL AS in_plan, d.disputed_amount, d.opened_on AS disputed_since,
               cd.resolution_days, coalesce(cd.paid_share, 1) AS dispute_share,
               coalesce(k.plan_share, 1) AS plan_share, coalesce(k.promise_share, 1) AS promise_share,
               coalesce(e.collected, 1) AS collected,
               CASE WHEN ip.invoice_key IS NOT NULL THEN 0
                    ELSE least(i.open_amount,
                               greatest(0, coalesce(pr.unpaid, 0)
                                           - (sum(i.open_amount) FILTER (WHERE ip.invoice_key IS NULL)
                                                  OVER (PARTITION BY i.customer_id, i.currency
                                                        ORDER BY i.due_on, i.billing_table, i.invoice_key)
                                              - i.open_amount))) END AS promised
          FROM item i
          LEFT JOIN in_plan ip ON ip.billing_table = i.billing_table AND ip.invoice_key = i.invoice_key
          LEFT JOIN disputed d ON d.billing_table = i.billing_table AND d.invoice_key = i.invoice_key
          LEFT JOIN closed_dispute cd ON cd.currency = i.currency
          LEFT JOIN kept k ON k.currency = i.currency
          LEFT JOIN earlier e ON e.currency = i.currency AND e.bucket = i.bucket
          LEFT JOIN promised pr ON pr.customer_id = i.customer_id AND pr.currency = i.currency
    ), part AS (
        SELECT s.*,
               CASE WHEN s.in_plan OR s.resolution_days IS NULL THEN 0
                    ELSE least(s.open_amount - s.promised, coalesce(s.disputed_amount, 0)) END AS disputed_part
          FROM split s
    ), habitual AS (
        -- what is collected as the customer pays, before the chance of collecting it
        SELECT p.customer_id, p.currency, p.due_on,
               CASE WHEN p.in_plan THEN p.open_amount * (1 - p.plan_share)
                    ELSE p.open_amount - p.promised - p.disputed_part + p.promised * (1 - p.promise_share)
               END * p.collected AS amount
          FROM part p
    ), paid AS (
        SELECT i.customer_id, i.currency, q.paid_on, q.paid_on - i.due_on AS delay,
               row_number() OVER (PARTITION BY i.customer_id, i.currency
                                  ORDER BY q.paid_on DESC, q.billing_table, q.invoice_key) AS recency
          FROM arcollect.invoice_paid_on(cash_forecast.as_of) q
          JOIN arcollect.attachment a ON a.billing_table = q.billing_table AND a.kind = 'invoices'
          JOIN arcollect.invoice i ON i.attachment_id = a.attachment_id AND i.invoice_key = q.invoice_key
         WHERE q.paid_on IS NOT NULL
    ), own AS (
        -- each delay of the customer's last 12, with how many of them took it
        SELECT y.customer_id, y.currency, y.delay, count(*)::numeric AS weight
          FROM paid y WHERE y.recency <= 12
         GROUP BY y.customer_id, y.currency, y.delay
    ), pooled AS (
        SELECT y.currency, y.delay, count(*)::numeric AS weight
          FROM paid y WHERE y.paid_on > cash_forecast.as_of - 365
         GROUP BY y.currency, y.delay
    ), owed AS (
        -- invoices that the same delays apply to, due the same day, are
        -- expected on the same days: summed first (customer_id NULL: the
        -- customers who take the book's delays)
        SELECT CASE WHEN EXISTS (SELECT FROM own o WHERE o.customer_id = h.customer_id AND o.currency = h.currency)
                    THEN h.customer_id END AS customer_id,
               h.currency, h.due_on, sum(h.amount) AS amount
          FROM habitual h
         GROUP BY 1, h.currency, h.due_on
    ), candidate AS (
        -- the days they may be paid on, as the customer (else the
        -- currency's book, else the due date) says
        SELECT w.customer_id, w.currency, w.due_on, w.amount, w.due_on + o.delay AS pay_on, o.weight
          FROM owed w
          JOIN own o ON o.customer_id = w.customer_id AND o.currency = w.currency
        UNION ALL
        SELECT w.customer_id, w.currency, w.due_on, w.amount, w.due_on + pl.delay, pl.weight
          FROM owed w
          JOIN pooled pl ON pl.currency = w.currency
         WHERE w.customer_id IS NULL
        UNION ALL
        SELECT w.customer_id, w.currency, w.due_on, w.amount, w.due_on, 1
          FROM owed w
         WHERE w.customer_id IS NULL AND NOT EXISTS (SELECT FROM pooled pl WHERE pl.currency = w.currency)
    ), spread AS (
        -- the days still ahead share the amount; none ahead: as_of + 1
        SELECT c.currency,
               CASE WHEN c.ahead THEN c.pay_on ELSE cash_forecast.as_of + 1 END AS pay_on,
               c.amount * CASE WHEN c.ahead_weight > 0 THEN c.weight / c.ahead_weight
                               ELSE c.weight / c.all_weight END AS amount
          FROM (SELECT c.*, c.pay_on > cash_forecast.as_of AS ahead,
                       sum(c.weight) FILTER (WHERE c.pay_on > cash_forecast.as_of)
                           OVER (PARTITION BY c.customer_id, c.currency, c.due_on) AS ahead_weight,
                       sum(c.weight) OVER (PARTITION BY c.customer_id, c.currency, c.due_on) AS all_weight
                  FROM candidate c) c
         WHERE c.ahead OR coalesce(c.ahead_weight, 0) = 0
    ), piece AS (
        SELECT 'invoice' AS kind, s.currency, s.pay_on, s.amount FROM spread s
        UNION ALL
        SELECT 'dispute', p.currency,
               greatest(p.disputed_since + p.resolution_days, cash_forecast.as_of + 1),
               p.disputed_part * p.dispute_share
          FROM part p WHERE p.disputed_part > 0
        UNION ALL
        SELECT 'plan', s.currency, greatest(i.due_on, cash_forecast.as_of + 1),
               (i.amount - i.paid_amount) * coalesce(k.plan_share, 1)
          FROM arcollect.installment_status(cash_forecast.as_of) i
          JOIN plan_state s ON s.plan_id = i.plan_id AND s.status = 'active'
          LEFT JOIN kept k ON k.currency = s.currency
         WHERE i.amount > i.paid_amount
        UNION ALL
        SELECT 'promise', s.currency, greatest(s.promised_on, cash_forecast.as_of + 1),
               s.unpaid * coalesce(k.promise_share, 1)
          FROM promise_state s
          LEFT JOIN kept k ON k.currency = s.currency
         WHERE s.status = 'open' AND s.unpaid > 0
        UNION ALL
        SELECT 'naive', i.currency, greatest(i.due_on, cash_forecast.as_of + 1), i.open_amount
          FROM item i
    ), weekly AS (
        SELECT p.currency, (p.pay_on - cash_forecast.as_of - 1) / 7 + 1 AS week_no,
               sum(p.amount) FILTER (WHERE p.kind = 'invoice') AS from_invoices,
               sum(p.amount) FILTER (WHERE p.kind = 'dispute') AS from_disputes,
               sum(p.amount) FILTER (WHERE p.kind = 'plan') AS from_plans,
               sum(p.amount) FILTER (WHERE p.kind = 'promise') AS from_promises,
               sum(p.amount) FILTER (WHERE p.kind = 'naive') AS naive_amount
          FROM piece p
         WHERE p.pay_on <= cash_forecast.as_of + 7 * cash_forecast.weeks
         GROUP BY p.currency, (p.pay_on - cash_forecast.as_of - 1) / 7 + 1
    ), rounded AS (
        SELECT c.currency, w.week_no,
               arcollect.round_money(coalesce(k.from_invoices, 0), c.currency) AS from_invoices,
               arcollect.round_money(coalesce(k.from_disputes, 0), c.currency) AS from_disputes,
               arcollect.round_money(coalesce(k.from_plans, 0), c.currency) AS from_plans,
               arcollect.round_money(coalesce(k.from_promises, 0), c.currency) AS from_promises,
               arcollect.round_money(coalesce(k.naive_amount, 0), c.currency) AS naive_amount
          FROM (SELECT DISTINCT p.currency FROM piece p) c
         CROSS JOIN generate_series(1, cash_forecast.weeks) w(week_no)
          LEFT JOIN weekly k ON k.currency = c.currency AND k.week_no = w.week_no
    )
    SELECT r.week_no, cash_forecast.as_of + 7 * r.week_no - 6, cash_forecast.as_of + 7 * r.week_no,
           r.currency, r.from_invoices + r.from_disputes + r.from_plans + r.from_promises,
           r.from_invoices, r.from_disputes, r.from_plans, r.from_promises, r.naive_amount
      FROM rounded r
     ORDER BY r.currency, r.week_no;
END
$fn$;

COMMENT ON FUNCTION arcollect.cash_forecast(date, integer) IS
'Expected collections per currency in each of the weeks (7 days each, week 1 starting the day after as_of) following as_of, from what is open at the end of as_of and the commitments made by then, all from the ledger''s history: open invoices as each customer paid its last 12 invoices, plan installments and promises on their dates, disputed amounts after the typical resolution time, each weighted by the chance of collecting it measured on the ledger (README, Cash forecast). naive_amount assumes payment on the due date.';

CREATE OR REPLACE VIEW arcollect.cash_forecast WITH (security_invoker = true) AS
SELECT f.week_no, f.week_start, f.week_end, f.currency, f.expected_amount, f.from_invoices,
       f.from_disputes, f.from_plans, f.from_promises, f.naive_amount
  FROM arcollect.cash_forecast(current_date) f;

COMMENT ON VIEW arcollect.cash_forecast IS
'Expected collections per week and currency for the next 13 weeks (week 1 starts tomorrow), from what is open today and the plans and promises made: arcollect.cash_forecast(current_date). The model is in the README (Cash forecast); arcollect.cash_forecast(date, integer) forecasts from any past date.';
COMMENT ON COLUMN arcollect.cash_forecast.week_no IS 'Week of the forecast, 1 to 13: week 1 is the 7 days from tomorrow.';
COMMENT ON COLUMN arcollect.cash_forecast.week_start IS 'First day of the week.';
COMMENT ON COLUMN arcollect.cash_forecast.week_end IS 'Last day of the week (6 days after week_start).';
COMMENT ON COLUMN arcollect.cash_forecast.currency IS 'Currency of the amounts.';
COMMENT ON COLUMN arcollect.cash_forecast.expected_amount IS 'Expected collections in the week: from_invoices + from_disputes + from_plans + from_promises.';
COMMENT ON COLUMN arcollect.cash_forecast.from_invoices IS 'Of which open invoices, expected as each customer paid its last 12 invoices, weighted by the share of cash the ledger collected on amounts of the same age.';
COMMENT ON COLUMN arcollect.cash_forecast.from_disputes IS 'Of which amounts under open dispute, expected the typical number of days after the dispute was opened, weighted by the share of disputes not credited.';
COMMENT ON COLUMN arcollect.cash_forecast.from_plans IS 'Of which unpaid installments of active payment plans, on their due dates, weighted by the share of plans completed.';
COMMENT ON COLUMN arcollect.cash_forecast.from_promises IS 'Of which what open promises to pay still have to pay, on the promised dates, weighted by the share of promises kept.';
COMMENT ON COLUMN arcollect.cash_forecast.naive_amount IS 'The naive forecast, for comparison: every open amount paid on its due date (overdue ones in week 1), unweighted.';

REVOKE ALL ON arcollect.cash_forecast FROM PUBLIC;
