-- The aging report of the receivables ledger, for BI tools: the function
-- arcollect.aging_report(as_of, bounds), one row per customer, currency
-- and bucket for any date and any bounds, and the views aging_report (as
-- of today, default bounds, one column per bucket) and aging_by_owner
-- (the same rolled up per owner) over it.
--
-- The figures are the aging aggregate (src/aging.c) over the open items
-- of the ledger at the date (arcollect.open_items), so the report as of a
-- date ties out to arcollect.receivables_balance of that date, per
-- currency, by construction; bucket labels and positions are those of
-- arcollect.aging_bucket and aging_bucket_index.  disputed is the part of
-- each bucket under a dispute open on the date (arcollect.disputes_open_on),
-- at most each invoice's open amount, as escalation counts it.  owner is
-- the customer's (arcollect.customer).  Invoices with nothing open at the
-- date are left out, so a customer appears once it owes something (or is
-- owed: an overpayment is a negative amount).
--
-- Everything runs with the caller's rights: the function reads the
-- ledger as open_items does, and the views are security_invoker, so that
-- no role reads through them what it could not read directly (and
-- row-level security on the ledger applies to them).  The function is
-- inlinable SQL (no SET clause, see open_items.sql): the planner reads
-- the ledger once, in parallel where it pays.

CREATE OR REPLACE FUNCTION arcollect.aging_report(as_of date DEFAULT current_date,
                                                  bounds integer[] DEFAULT '{30,60,90}')
RETURNS TABLE (
    customer_id text,
    currency text,
    owner text,
    bucket_index integer,
    bucket text,
    amount numeric,
    disputed numeric)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    WITH item AS (
        SELECT o.customer_id, o.currency, o.due_on, o.open_amount,
               CASE WHEN o.open_amount > 0 AND d.disputed_amount IS NOT NULL
                    THEN least(o.open_amount, d.disputed_amount) END AS disputed
          FROM arcollect.open_items(aging_report.as_of) o
          LEFT JOIN (SELECT x.billing_table, x.invoice_key, sum(x.disputed_amount) AS disputed_amount
                       FROM arcollect.disputes_open_on(aging_report.as_of) x
                      GROUP BY x.billing_table, x.invoice_key) d
                 ON d.billing_table = o.billing_table AND d.invoice_key = o.invoice_key
         WHERE o.open_amount <> 0
    ), aged AS (
        SELECT i.customer_id, i.currency,
               arcollect.aging(i.due_on, i.open_amount, aging_report.as_of, aging_report.bounds) AS amounts,
               arcollect.aging(i.due_on, i.disputed, aging_report.as_of, aging_report.bounds)
                   FILTER (WHERE i.disputed IS NOT NULL) AS disputed
          FROM item i
         GROUP BY i.customer_id, i.currency
    ), label AS (
        -- each bucket's position and label, from a due date that falls in it
        SELECT arcollect.aging_bucket_index(aging_report.as_of - l.days, aging_report.as_of, aging_report.bounds) AS n,
               arcollect.aging_bucket(aging_report.as_of - l.days, aging_report.as_of, aging_report.bounds) AS bucket
          FROM unnest(ARRAY[0] || aging_report.bounds
                      || (SELECT coalesce(max(b.days), 0) + 1 FROM unnest(aging_report.bounds) b(days))) l(days)
    )
    SELECT g.customer_id, g.currency, c.owner, l.n, l.bucket, u.amount, coalesce(u.disputed, 0)
      FROM aged g
     CROSS JOIN LATERAL unnest(g.amounts, g.disputed) WITH ORDINALITY u(amount, disputed, k)
      JOIN label l ON l.n = u.k - 1
      LEFT JOIN arcollect.customer c ON c.customer_id = g.customer_id;
END;

COMMENT ON FUNCTION arcollect.aging_report(date, integer[]) IS
'The aging report as of any date and with any bucket bounds, from the ledger''s history: one row per customer, currency and bucket (every bucket, empty ones 0), with the bucket''s position (bucket_index, 0 = current) and label, the open amount in it and the part of that under open dispute. Per currency, amounts add up to arcollect.receivables_balance(as_of).';

CREATE OR REPLACE VIEW arcollect.aging_report WITH (security_invoker = true) AS
SELECT r.customer_id, r.currency, r.owner,
       sum(r.amount) FILTER (WHERE r.bucket_index = 0) AS current,
       sum(r.amount) FILTER (WHERE r.bucket_index = 1) AS days_1_30,
       sum(r.amount) FILTER (WHERE r.bucket_index = 2) AS days_31_60,
       sum(r.amount) FILTER (WHERE r.bucket_index = 3) AS days_61_90,
       sum(r.amount) FILTER (WHERE r.bucket_index = 4) AS days_91_plus,
       sum(r.amount) AS total,
       sum(r.disputed) AS disputed
  FROM arcollect.aging_report(current_date) r
 GROUP BY r.customer_id, r.currency, r.owner;

COMMENT ON VIEW arcollect.aging_report IS
'Aging report as of today, per customer and currency: the open amount by days past due (current, 1-30, 31-60, 61-90, 91+), its total and the part under open dispute. For another date or other buckets, use the function arcollect.aging_report(as_of, bounds).';
COMMENT ON COLUMN arcollect.aging_report.customer_id IS 'The customer (arcollect.customer).';
COMMENT ON COLUMN arcollect.aging_report.currency IS 'Currency of the amounts (ISO 4217).';
COMMENT ON COLUMN arcollect.aging_report.owner IS 'Collector or account manager of the customer; NULL when none is known.';
COMMENT ON COLUMN arcollect.aging_report.current IS 'Open amount not yet due (due today or later).';
COMMENT ON COLUMN arcollect.aging_report.days_1_30 IS 'Open amount 1 to 30 days past due.';
COMMENT ON COLUMN arcollect.aging_report.days_31_60 IS 'Open amount 31 to 60 days past due.';
COMMENT ON COLUMN arcollect.aging_report.days_61_90 IS 'Open amount 61 to 90 days past due.';
COMMENT ON COLUMN arcollect.aging_report.days_91_plus IS 'Open amount more than 90 days past due.';
COMMENT ON COLUMN arcollect.aging_report.total IS 'Total open amount (the sum of the buckets); negative when the customer has paid more than it owes.';
COMMENT ON COLUMN arcollect.aging_report.disputed IS 'Part of the total under open dispute (at most each disputed invoice''s open amount); it stays in the buckets and the total.';

CREATE OR REPLACE VIEW arcollect.aging_by_owner WITH (security_invoker = true) AS
SELECT r.owner, r.currency,
       count(*)::integer AS customers,
       sum(r.current) AS current,
       sum(r.days_1_30) AS days_1_30,
       sum(r.days_31_60) AS days_31_60,
       sum(r.days_61_90) AS days_61_90,
       sum(r.days_91_plus) AS days_91_plus,
       sum(r.total) AS total,
       sum(r.disputed) AS disputed
  FROM arcollect.aging_report r
 GROUP BY r.owner, r.currency;

COMMENT ON VIEW arcollect.aging_by_owner IS
'The aging report as of today rolled up per owner (collector or account manager) and currency: the sums of arcollect.aging_report''s rows.';
COMMENT ON COLUMN arcollect.aging_by_owner.owner IS 'Collector or account manager; NULL for the customers without one.';
COMMENT ON COLUMN arcollect.aging_by_owner.currency IS 'Currency of the amounts (ISO 4217).';
COMMENT ON COLUMN arcollect.aging_by_owner.customers IS 'Number of the owner''s customers with something open in the currency.';
COMMENT ON COLUMN arcollect.aging_by_owner.current IS 'Open amount not yet due (due today or later).';
COMMENT ON COLUMN arcollect.aging_by_owner.days_1_30 IS 'Open amount 1 to 30 days past due.';
COMMENT ON COLUMN arcollect.aging_by_owner.days_31_60 IS 'Open amount 31 to 60 days past due.';
COMMENT ON COLUMN arcollect.aging_by_owner.days_61_90 IS 'Open amount 61 to 90 days past due.';
COMMENT ON COLUMN arcollect.aging_by_owner.days_91_plus IS 'Open amount more than 90 days past due.';
COMMENT ON COLUMN arcollect.aging_by_owner.total IS 'Total open amount of the owner''s customers in the currency.';
COMMENT ON COLUMN arcollect.aging_by_owner.disputed IS 'Part of the total under open dispute.';
