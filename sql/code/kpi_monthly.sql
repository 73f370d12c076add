-- The collection KPIs of each calendar month, per currency (view
-- arcollect.kpi_monthly) and per segment and currency (view
-- arcollect.segment_kpis), from one definition: the function
-- arcollect.monthly_kpis(month, by_segment).  Definitions are those of
-- METRICS.md, each computed once:
--
--   the month runs from its first day through its last, or through today
--   for the current month (as_of); days is its length so far, over which
--   DSO and turnover are taken ("over the month's own days");
--   ending_ar, current_ar   the open items at as_of (arcollect.open_items),
--                           their sum and the current bucket of the aging
--                           aggregate (not yet due);
--   beginning_ar            the open items at the end of the month before;
--   credit_sales            the amounts of the invoices (and credit notes,
--                           negative) issued in the month, as the DSO
--                           aggregates count them;
--   dso, best_possible_dso  the C aggregates dso and best_possible_dso over
--                           the open items at as_of, period = days;
--   cei                     the C function cei (months = 1);
--   cash_collected          the cash collected in the month
--                           (arcollect.cash_collected below: payments,
--                           a refund negative); written_off likewise, of
--                           the entries of kind write_off;
--   collection_rate         the cash collected by as_of on the invoices
--                           due in the month, over the amount of those
--                           invoices (credit notes left out), in percent;
--   percent_current, bad_debt_ratio (written_off / credit_sales) in
--   percent; ar_turnover = credit_sales / average AR (beginning and
--   ending), turnover_days = days / ar_turnover.
--
-- A segment is the customer's (arcollect.customer, which takes it from
-- arcollect.customer_setting, read here directly: for kpi_monthly, which
-- does not group by it, the planner then leaves the join out); customers
-- without one are the segment NULL.
--
-- The function reads the ledger twice (at the end of the month and of
-- the month before) and its entries twice (cash, write-offs): a query for some months runs
-- it for those only (a WHERE on month reaches the list of months).
-- Caller's rights: an inlinable SQL function, security_invoker views.

-- Cash collected (METRICS.md: the cash of CEI and of the collection
-- rate): the payments the ledger booked on its invoices, the entries of
-- kind payment, effective from from_date (NULL: from the first) through
-- through, each as the amount received (the entry lowers the open amount
-- by it; a refund, which raises it, counts negative).  Credit notes,
-- write-offs, voids and adjustments lower what is open but are not cash.
-- Only invoices the ledger booked (an issue date), as every figure of the
-- ledger.  One row per entry, with its invoice, so that a caller adds up
-- by what it needs: kpi_monthly per month and by the invoices due in it,
-- the cash forecast per invoice.  The one definition both read.
-- Inlinable SQL, caller's rights.
CREATE OR REPLACE FUNCTION arcollect.cash_collected(from_date date, through date)
RETURNS TABLE (attachment_id integer, invoice_key text, customer_id text, currency text,
               due_on date, invoice_amount numeric, received_on date, amount numeric)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT e.attachment_id, e.invoice_key, i.customer_id, i.currency, i.due_on, i.amount,
           e.effective_on, -e.amount
      FROM arcollect.entry e
      JOIN arcollect.invoice i ON i.attachment_id = e.attachment_id AND i.invoice_key = e.invoice_key
     WHERE e.kind = 'payment' AND i.issued_on IS NOT NULL
       AND e.effective_on <= cash_collected.through
       AND (cash_collected.from_date IS NULL OR e.effective_on >= cash_collected.from_date);
END;

COMMENT ON FUNCTION arcollect.cash_collected(date, date) IS
'Cash collected from from_date (NULL: from the first) through through: every payment the ledger booked on its invoices (entries of kind payment), with its invoice (customer, currency, due date, amount), the day it took effect and the amount received (a refund negative). Credit notes and write-offs are not cash. kpi_monthly and the cash forecast add it up.';

CREATE OR REPLACE FUNCTION arcollect.monthly_kpis(month date, by_segment boolean DEFAULT false)
RETURNS TABLE (
    month date,
    segment text,
    currency text,
    as_of date,
    days integer,
    credit_sales numeric,
    cash_collected numeric,
    written_off numeric,
    beginning_ar numeric,
    ending_ar numeric,
    current_ar numeric,
    dso numeric,
    best_possible_dso numeric,
    average_days_delinquent numeric,
    cei numeric,
    percent_current numeric,
    bad_debt_ratio numeric,
    amount_due numeric,
    collected_on_due numeric,
    collection_rate numeric,
    ar_turnover numeric,
    turnover_days numeric)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    WITH period AS (
        SELECT p.first_day, p.last_day, p.last_day - p.first_day + 1 AS days
          FROM (SELECT date_trunc('month', monthly_kpis.month::timestamp)::date AS first_day,
                       least((date_trunc('month', monthly_kpis.month::timestamp)
                              + interval '1 month - 1 day')::date, current_date) AS last_day) p
         WHERE p.last_day >= p.first_day
    ), ending AS (
        SELECT CASE WHEN monthly_kpis.by_segment THEN s.segment END AS segment, o.currency,
               sum(o.open_amount) AS ending_ar,
               (arcollect.aging(o.due_on, o.open_amount, p.last_day, '{}'))[1] AS current_ar,
               sum(o.amount) FILTER (WHERE o.issued_on >= p.first_day) AS credit_sales,
               arcollect.dso(o.issued_on, o.amount, o.open_amount, p.last_day, p.days) AS dso,
               arcollect.best_possible_dso(o.issued_on, o.due_on, o.amount, o.open_amount, p.last_day, p.days)
                   AS best_possible_dso,
               sum(o.amount) FILTER (WHERE o.due_on >= p.first_day AND o.due_on <= p.last_day AND o.amount > 0)
                   AS amount_due
          FROM period p
         CROSS JOIN LATERAL arcollect.open_items(p.last_day) o
          LEFT JOIN arcollect.customer_setting s ON s.customer_id = o.customer_id
         GROUP BY 1, 2
    ), beginning AS (
        SELECT CASE WHEN monthly_kpis.by_segment THEN s.segment END AS segment, o.currency,
               sum(o.open_amount) AS beginning_ar
          FROM period p
         CROSS JOIN LATERAL arcollect.open_items(p.first_day - 1) o
          LEFT JOIN arcollect.customer_setting s ON s.customer_id = o.customer_id
         GROUP BY 1, 2
    ), cash AS (
        SELECT CASE WHEN monthly_kpis.by_segment THEN s.segment END AS segment, c.currency,
               sum(c.amount) FILTER (WHERE c.received_on >= p.first_day) AS cash_collected,
               sum(c.amount) FILTER (WHERE c.invoice_amount > 0
                                       AND c.due_on >= p.first_day AND c.due_on <= p.last_day)
                   AS collected_on_due
          FROM period p
         CROSS JOIN LATERAL arcollect.cash_collected(NULL, p.last_day) c
          LEFT JOIN arcollect.customer_setting s ON s.customer_id = c.customer_id
         WHERE c.received_on >= p.first_day OR c.due_on >= p.first_day AND c.due_on <= p.last_day
         GROUP BY 1, 2
    ), movement AS (
        SELECT CASE WHEN monthly_kpis.by_segment THEN s.segment END AS segment, i.currency,
               -sum(e.amount) AS written_off
          FROM period p
          JOIN arcollect.entry e ON e.effective_on >= p.first_day AND e.effective_on <= p.last_day
          JOIN arcollect.invoice i ON i.attachment_id = e.attachment_id AND i.invoice_key = e.invoice_key
          LEFT JOIN arcollect.customer_setting s ON s.customer_id = i.customer_id
         WHERE e.kind = 'write_off' AND i.issued_on IS NOT NULL
         GROUP BY 1, 2
    ), kpi AS (
        SELECT n.segment, n.currency, p.last_day, p.days,
               coalesce(n.credit_sales, 0) AS credit_sales,
               coalesce(x.cash_collected, 0) AS cash_collected,
               coalesce(m.written_off, 0) AS written_off,
               coalesce(b.beginning_ar, 0) AS beginning_ar,
               n.ending_ar, n.current_ar, n.dso, n.best_possible_dso,
               coalesce(n.amount_due, 0) AS amount_due,
               coalesce(x.collected_on_due, 0) AS collected_on_due
          FROM period p
         CROSS JOIN ending n
          LEFT JOIN beginning b ON b.segment IS NOT DISTINCT FROM n.segment AND b.currency = n.currency
          LEFT JOIN movement m ON m.segment IS NOT DISTINCT FROM n.segment AND m.currency = n.currency
          LEFT JOIN cash x ON x.segment IS NOT DISTINCT FROM n.segment AND x.currency = n.currency
    )
    SELECT (SELECT p.first_day FROM period p), k.segment, k.currency, k.last_day, k.days,
           k.credit_sales, k.cash_collected, k.written_off, k.beginning_ar, k.ending_ar, k.current_ar,
           k.dso, k.best_possible_dso, k.dso - k.best_possible_dso,
           arcollect.cei(k.beginning_ar, k.credit_sales, k.ending_ar, k.current_ar, 1),
           100 * k.current_ar / nullif(k.ending_ar, 0),
           100 * k.written_off / nullif(k.credit_sales, 0),
           k.amount_due, k.collected_on_due,
           100 * k.collected_on_due / nullif(k.amount_due, 0),
           k.credit_sales / nullif((k.beginning_ar + k.ending_ar) / 2, 0),
           k.days * ((k.beginning_ar + k.ending_ar) / 2) / nullif(k.credit_sales, 0)
      FROM kpi k;
END;

COMMENT ON FUNCTION arcollect.monthly_kpis(date, boolean) IS
'The collection KPIs of the calendar month that contains month (through today for the current month), per currency, and per segment too when by_segment: credit sales, cash collected, write-offs, AR at the start and end, current AR, DSO, best possible DSO, average days delinquent, CEI, percent current, bad-debt ratio, collection rate, AR turnover and turnover days (definitions in the README). No rows for a month after the current one.';

CREATE OR REPLACE VIEW arcollect.kpi_monthly WITH (security_invoker = true) AS
SELECT k.month, k.currency, k.as_of, k.days,
       k.credit_sales, k.cash_collected, k.written_off, k.beginning_ar, k.ending_ar, k.current_ar,
       k.dso, k.best_possible_dso, k.average_days_delinquent, k.cei, k.percent_current,
       k.bad_debt_ratio, k.amount_due, k.collected_on_due, k.collection_rate,
       k.ar_turnover, k.turnover_days
  FROM (SELECT d::date AS month
          FROM generate_series((SELECT date_trunc('month', min(i.issued_on)::timestamp) FROM arcollect.invoice i),
                               date_trunc('month', current_date::timestamp), interval '1 month') d) m
 CROSS JOIN LATERAL arcollect.monthly_kpis(m.month) k;

CREATE OR REPLACE VIEW arcollect.segment_kpis WITH (security_invoker = true) AS
SELECT k.month, k.segment, k.currency, k.as_of, k.days,
       k.credit_sales, k.cash_collected, k.written_off, k.beginning_ar, k.ending_ar, k.current_ar,
       k.dso, k.best_possible_dso, k.average_days_delinquent, k.cei, k.percent_current,
       k.bad_debt_ratio, k.amount_due, k.collected_on_due, k.collection_rate,
       k.ar_turnover, k.turnover_days
  FROM (SELECT d::date AS month
          FROM generate_series((SELECT date_trunc('month', min(i.issued_on)::timestamp) FROM arcollect.invoice i),
                               date_trunc('month', current_date::timestamp), interval '1 month') d) m
 CROSS JOIN LATERAL arcollect.monthly_kpis(m.month, true) k;

COMMENT ON VIEW arcollect.kpi_monthly IS
'Collection KPIs per calendar month and currency, from the first month of the ledger through the current one (so far): credit sales, cash collected, AR, DSO, best possible DSO, days delinquent, CEI, percent current, bad-debt ratio, collection rate, AR turnover. Filter on month: only the months asked for are computed.';
COMMENT ON VIEW arcollect.segment_kpis IS
'The KPIs of arcollect.kpi_monthly per customer segment (arcollect.customer.segment; NULL: customers without one), month and currency, to compare segments.';

-- The columns of both views mean the same.
DO $do$
DECLARE
    v text;
BEGIN
    FOREACH v IN ARRAY ARRAY['kpi_monthly', 'segment_kpis'] LOOP
        EXECUTE format($c$
COMMENT ON COLUMN arcollect.%1$I.month IS 'The month (its first day).';
COMMENT ON COLUMN arcollect.%1$I.currency IS 'Currency of the amounts (ISO 4217).';
COMMENT ON COLUMN arcollect.%1$I.as_of IS 'Last day the figures are taken at: the month''s last day, or today for the current month.';
COMMENT ON COLUMN arcollect.%1$I.days IS 'Days of the month through as_of, the period of DSO and turnover.';
COMMENT ON COLUMN arcollect.%1$I.credit_sales IS 'Amount invoiced in the month (credit notes subtract).';
COMMENT ON COLUMN arcollect.%1$I.cash_collected IS 'Payments received in the month (refunds subtract).';
COMMENT ON COLUMN arcollect.%1$I.written_off IS 'Amount written off in the month.';
COMMENT ON COLUMN arcollect.%1$I.beginning_ar IS 'Receivables open at the end of the month before.';
COMMENT ON COLUMN arcollect.%1$I.ending_ar IS 'Receivables open at as_of.';
COMMENT ON COLUMN arcollect.%1$I.current_ar IS 'Part of ending_ar not yet due at as_of.';
COMMENT ON COLUMN arcollect.%1$I.dso IS 'Days sales outstanding: ending_ar / credit_sales x days; NULL without sales.';
COMMENT ON COLUMN arcollect.%1$I.best_possible_dso IS 'Best possible DSO: current_ar / credit_sales x days; NULL without sales.';
COMMENT ON COLUMN arcollect.%1$I.average_days_delinquent IS 'Average days delinquent: dso - best_possible_dso.';
COMMENT ON COLUMN arcollect.%1$I.cei IS 'Collection effectiveness index, in percent: (beginning_ar + credit_sales - ending_ar) / (beginning_ar + credit_sales - current_ar) x 100.';
COMMENT ON COLUMN arcollect.%1$I.percent_current IS 'current_ar as a percentage of ending_ar; NULL when nothing is open.';
COMMENT ON COLUMN arcollect.%1$I.bad_debt_ratio IS 'written_off as a percentage of credit_sales; NULL without sales.';
COMMENT ON COLUMN arcollect.%1$I.amount_due IS 'Amount of the invoices due in the month (credit notes left out).';
COMMENT ON COLUMN arcollect.%1$I.collected_on_due IS 'Payments received by as_of on the invoices due in the month.';
COMMENT ON COLUMN arcollect.%1$I.collection_rate IS 'collected_on_due as a percentage of amount_due; NULL when nothing fell due.';
COMMENT ON COLUMN arcollect.%1$I.ar_turnover IS 'Receivables turnover of the month: credit_sales / average AR, (beginning_ar + ending_ar) / 2.';
COMMENT ON COLUMN arcollect.%1$I.turnover_days IS 'days / ar_turnover: the days an average amount of the month stayed open.';$c$, v);
    END LOOP;
END
$do$;
COMMENT ON COLUMN arcollect.segment_kpis.segment IS 'Customer segment (arcollect.customer.segment); NULL for customers without one.';
