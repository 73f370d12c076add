-- Runs as role arcollect_suite with an empty search_path (README, Tests).
-- The BI views tie out.  Random invoices (credit notes, voids, corrected
-- amounts) and payments, credit notes and write-offs over 2024, in
-- currencies no other test uses (NOK, SEK, DKK), customers with owners
-- from the billing table and set by hand, segments, and disputes opened
-- and closed; then, as of several past dates and today:
--   - aging_report(d) adds up to receivables_balance(d) per currency, with
--     the default bounds and others, and equals, customer by customer and
--     bucket by bucket, an aging computed in plain SQL straight from the
--     billing and payments tables (disputed amounts from the disputes'
--     dates);
--   - the view aging_report is aging_report(today), aging_by_owner is the
--     sum of aging_report per owner;
--   - kpi_monthly's DSO, best possible DSO, CEI and collection rate equal
--     the C aggregates over open_items and the METRICS.md formulas
--     computed here from the billing and payments tables; segment_kpis
--     adds up to kpi_monthly.
BEGIN;
SELECT tap.plan(30);

SET LOCAL client_min_messages = error;

CREATE TABLE billing.tie_invoice (
    id        integer PRIMARY KEY,
    customer  text NOT NULL,
    amount    numeric(12,2) NOT NULL,
    issued    date NOT NULL,
    due       date NOT NULL,
    currency  text NOT NULL,
    doc       text NOT NULL DEFAULT 'invoice',
    owner     text
);
CREATE TABLE billing.tie_payment (
    id        serial PRIMARY KEY,
    invoice   integer NOT NULL,
    amount    numeric(12,2) NOT NULL,
    paid_on   date NOT NULL,
    kind      text NOT NULL
);
SELECT arcollect.attach('billing.tie_invoice', key => 'id', customer => 'customer', amount => 'amount',
                        due_on => 'due', issued_on => 'issued', currency => 'currency', status => 'doc',
                        owner => 'owner');
SELECT arcollect.attach_payments('billing.tie_payment', invoice_key => 'invoice', amount => 'amount',
                                 paid_on => 'paid_on', kind => 'kind', invoices => 'billing.tie_invoice');

SELECT setseed(0.31);
-- 30 customers, each in one currency (every seventh in two); owners from
-- the billing rows, NULL for some
INSERT INTO billing.tie_invoice
SELECT g, 'T' || c, CASE WHEN g % 19 = 0 THEN -round((random() * 300)::numeric, 2)
                         ELSE round((20 + random() * 3000)::numeric, 2) END,
       d, d + (ARRAY[0, 14, 30, 45, 60])[1 + g % 5],
       CASE WHEN c % 7 = 0 AND g % 2 = 0 THEN 'DKK' ELSE (ARRAY['NOK', 'SEK', 'DKK'])[1 + c % 3] END,
       CASE WHEN g % 19 = 0 THEN 'credit' ELSE 'invoice' END,
       CASE WHEN c % 5 = 0 THEN NULL ELSE 'tie collector ' || (c % 4) END
  FROM generate_series(1, 600) g
 CROSS JOIN LATERAL (SELECT g % 30 AS c, date '2024-01-01' + floor(random() * 360)::int AS d) x;
INSERT INTO billing.tie_payment (invoice, amount, paid_on, kind)
SELECT i.id, round((i.amount * (ARRAY[0.3, 0.5, 1.0, 1.0, 1.05])[1 + floor(random() * 5)::int])::numeric, 2),
       i.issued + floor(random() * 150)::int,
       (ARRAY['payment', 'payment', 'payment', 'payment', 'credit note', 'write-off'])[1 + floor(random() * 6)::int]
  FROM billing.tie_invoice i, generate_series(1, 2) n
 WHERE i.amount > 0 AND random() < 0.6;
-- corrected amounts (booked on the issue date), voids (booked today)
UPDATE billing.tie_invoice SET amount = amount + 15 WHERE id % 11 = 0 AND amount > 0;
UPDATE billing.tie_invoice SET doc = 'void' WHERE id % 23 = 0 AND amount > 0;
-- owners and segments set by hand
UPDATE arcollect.customer SET owner = 'tie lead' WHERE customer_id IN ('T3', 'T10');
UPDATE arcollect.customer SET segment = CASE WHEN substr(customer_id, 2)::int % 2 = 0 THEN 'tie even' ELSE 'tie odd' END
 WHERE customer_id LIKE 'T%' AND substr(customer_id, 2)::int % 3 <> 0;
-- disputes: opened over the year, some closed
SELECT count(arcollect.open_dispute(i.id::text, 'pricing', round(o.open_amount / (1 + i.id % 3), 2),
                                    opened_on => i.issued + 10, billing_table => 'billing.tie_invoice'))
  FROM billing.tie_invoice i
  JOIN arcollect.open_items() o ON o.billing_table = 'billing.tie_invoice'::regclass AND o.invoice_key = i.id::text
 WHERE i.id % 7 = 1 AND o.open_amount > 0 AND i.doc = 'invoice' \gset
SELECT count(arcollect.close_dispute(d.dispute_id, 'resolved', closed_on => d.opened_on + 40))
  FROM arcollect.dispute d JOIN arcollect.attachment a USING (attachment_id)
 WHERE a.billing_table = 'billing.tie_invoice'::regclass AND d.dispute_id % 2 = 0 \gset

SELECT tap.is((SELECT count(*) FROM arcollect.reconcile('billing.tie_invoice'))
            + (SELECT count(*) FROM arcollect.reconcile('billing.tie_payment')), 0::bigint,
              'the ledger agrees with both tables');

CREATE TEMP TABLE as_of (d date PRIMARY KEY);
INSERT INTO as_of VALUES ('2024-02-29'), ('2024-05-15'), ('2024-08-31'), ('2024-11-30'), ('2025-01-31');

-- Open amount of every invoice at d, straight from the two tables.  A
-- void takes the invoice's amount off the day the ledger sees it (today),
-- and what the payments table paid of it is then owed back.
CREATE FUNCTION pg_temp.open_at(d date)
RETURNS TABLE (id integer, customer text, currency text, issued date, due date, amount numeric,
               open_amount numeric)
LANGUAGE sql AS $$
    SELECT i.id, i.customer, i.currency, i.issued, i.due, i.amount,
           i.amount - coalesce((SELECT sum(p.amount) FROM billing.tie_payment p
                                 WHERE p.invoice = i.id AND p.paid_on <= d), 0)
           - CASE WHEN i.doc = 'void' AND d >= current_date THEN i.amount ELSE 0 END
      FROM billing.tie_invoice i
     WHERE i.issued <= d
$$;
-- The aging of every customer and currency at d in plain SQL: bucket k
-- of bounds b holds the open amounts b[k-1] + 1 to b[k] days past due.
CREATE FUNCTION pg_temp.plain_aging(d date, b integer[])
RETURNS TABLE (customer text, currency text, bucket_index integer, amount numeric, disputed numeric)
LANGUAGE sql AS $$
    WITH item AS (
        SELECT o.*, (SELECT count(*) FROM unnest(b) x WHERE d - o.due > x)::integer
                    + CASE WHEN d > o.due THEN 1 ELSE 0 END AS k,
               CASE WHEN o.open_amount > 0 THEN
                   least(o.open_amount, coalesce((SELECT sum(t.disputed_amount) FROM arcollect.dispute t
                                                   JOIN arcollect.attachment a USING (attachment_id)
                                                  WHERE a.billing_table = 'billing.tie_invoice'::regclass
                                                    AND t.invoice_key = o.id::text AND t.opened_on <= d
                                                    AND (t.closed_on IS NULL OR t.closed_on > d)), 0)) END AS disputed
          FROM pg_temp.open_at(d) o
         WHERE o.open_amount <> 0
    )
    SELECT c.customer, c.currency, k.k, coalesce(sum(i.open_amount), 0), coalesce(sum(i.disputed), 0)
      FROM (SELECT DISTINCT customer, currency FROM item) c
     CROSS JOIN generate_series(0, cardinality(b) + 1) k(k)
      LEFT JOIN item i ON i.customer = c.customer AND i.currency = c.currency AND i.k = k.k
     GROUP BY 1, 2, 3
$$;
CREATE FUNCTION pg_temp.report(d date, b integer[])
RETURNS TABLE (customer text, currency text, bucket_index integer, amount numeric, disputed numeric)
LANGUAGE sql AS $$
    SELECT r.customer_id, r.currency, r.bucket_index, r.amount, r.disputed
      FROM arcollect.aging_report(d, b) r WHERE r.currency IN ('NOK', 'SEK', 'DKK')
$$;

------------------------------------------------------------------------
-- aging_report(d) against receivables_balance(d) and plain SQL
SELECT tap.is((SELECT count(*) FROM as_of a, arcollect.receivables_balance(a.d) b
                WHERE b.currency IN ('NOK', 'SEK', 'DKK')
                  AND b.balance IS DISTINCT FROM (SELECT sum(r.amount) FROM arcollect.aging_report(a.d) r
                                                   WHERE r.currency = b.currency)),
              0::bigint, 'as of every date, aging_report adds up to receivables_balance in every currency')
UNION ALL
SELECT tap.is((SELECT count(*) FROM as_of a, arcollect.receivables_balance(a.d) b
                WHERE b.currency IN ('NOK', 'SEK', 'DKK')
                  AND b.balance IS DISTINCT FROM (SELECT sum(r.amount) FROM arcollect.aging_report(a.d, '{15,45,120,365}') r
                                                   WHERE r.currency = b.currency)),
              0::bigint, 'with other bounds too')
UNION ALL
SELECT tap.ok((SELECT count(DISTINCT b.currency) = 3 FROM as_of a, arcollect.receivables_balance(a.d) b
                WHERE a.d = '2024-11-30' AND b.currency IN ('NOK', 'SEK', 'DKK')),
              'there are balances in the three currencies');

SELECT tap.set_eq(format('SELECT * FROM pg_temp.report(%L, %L)', a.d, '{30,60,90}'),
                  format('SELECT * FROM pg_temp.plain_aging(%L, %L)', a.d, '{30,60,90}'),
                  format('aging_report(%s) equals the plain-SQL aging, customer by customer and bucket by bucket', a.d))
  FROM as_of a ORDER BY a.d;
SELECT tap.set_eq(format('SELECT * FROM pg_temp.report(%L, %L)', a.d, '{15,45,120,365}'),
                  format('SELECT * FROM pg_temp.plain_aging(%L, %L)', a.d, '{15,45,120,365}'),
                  format('aging_report(%s, {15,45,120,365}) equals it too', a.d))
  FROM as_of a WHERE a.d IN ('2024-05-15', '2024-11-30') ORDER BY a.d;
SELECT tap.ok((SELECT sum(r.disputed) > 0 AND sum(r.disputed) < sum(r.amount) FILTER (WHERE r.amount > 0)
                 FROM pg_temp.report('2024-08-31', '{30,60,90}') r),
              'some of it is disputed on 2024-08-31');
SELECT tap.is((SELECT string_agg(DISTINCT r.bucket_index || ' ' || r.bucket, ', ')
                 FROM arcollect.aging_report('2024-08-31', '{15,45}') r),
              '0 current, 1 1-15, 2 16-45, 3 46+', 'buckets are labelled as aging_bucket labels them');
SELECT tap.is((SELECT string_agg(DISTINCT r.owner, ', ' ORDER BY r.owner) FROM pg_temp.report('2024-11-30', '{30}') x
                 JOIN arcollect.aging_report('2024-11-30', '{30}') r ON r.customer_id = x.customer
                WHERE x.customer IN ('T3', 'T5', 'T6', 'T10')),
              'tie collector 2, tie lead', 'owners are the customers'' (T5 has none)');

------------------------------------------------------------------------
-- today: the views
SELECT tap.set_eq($$SELECT customer_id, currency, owner, current, days_1_30, days_31_60, days_61_90, days_91_plus,
                           total, disputed
                      FROM arcollect.aging_report WHERE currency IN ('NOK', 'SEK', 'DKK')$$,
                  $$SELECT customer_id, currency, owner,
                           sum(amount) FILTER (WHERE bucket_index = 0) AS b0, sum(amount) FILTER (WHERE bucket_index = 1) AS b1,
                           sum(amount) FILTER (WHERE bucket_index = 2) AS b2, sum(amount) FILTER (WHERE bucket_index = 3) AS b3,
                           sum(amount) FILTER (WHERE bucket_index = 4) AS b4, sum(amount) AS total, sum(disputed) AS disputed
                      FROM arcollect.aging_report(current_date) WHERE currency IN ('NOK', 'SEK', 'DKK')
                     GROUP BY 1, 2, 3$$,
                  'the view aging_report is aging_report(current_date), bucket by bucket');
SELECT tap.set_eq($$SELECT * FROM pg_temp.report(current_date, '{30,60,90}')$$,
                  $$SELECT * FROM pg_temp.plain_aging(current_date, '{30,60,90}')$$,
                  'which equals the plain-SQL aging as of today');
SELECT tap.is((SELECT count(*) FROM arcollect.receivables_balance(current_date) b
                WHERE b.currency IN ('NOK', 'SEK', 'DKK')
                  AND b.balance IS DISTINCT FROM (SELECT sum(r.total) FROM arcollect.aging_report r
                                                   WHERE r.currency = b.currency)),
              0::bigint, 'the view''s totals add up to today''s balance');
SELECT tap.set_eq($$SELECT owner, currency, customers, current, days_1_30, days_31_60, days_61_90, days_91_plus,
                           total, disputed
                      FROM arcollect.aging_by_owner WHERE currency IN ('NOK', 'SEK', 'DKK')$$,
                  $$SELECT owner, currency, count(*)::integer, sum(current) AS b0, sum(days_1_30) AS b1,
                           sum(days_31_60) AS b2, sum(days_61_90) AS b3, sum(days_91_plus) AS b4,
                           sum(total) AS total, sum(disputed) AS disputed
                      FROM arcollect.aging_report WHERE currency IN ('NOK', 'SEK', 'DKK') GROUP BY 1, 2$$,
                  'aging_by_owner rolls up aging_report per owner and currency');
SELECT tap.ok((SELECT count(*) >= 5 FROM arcollect.aging_by_owner WHERE currency IN ('NOK', 'SEK', 'DKK')),
              'over several owners');

------------------------------------------------------------------------
-- kpi_monthly against the aggregates and METRICS.md
CREATE TEMP TABLE kpi_month (m date PRIMARY KEY);
INSERT INTO kpi_month VALUES ('2024-02-01'), ('2024-06-01'), ('2024-09-01'), ('2024-12-01');
CREATE TEMP TABLE kpi AS
SELECT k.* FROM arcollect.kpi_monthly k
 WHERE k.month IN (SELECT m FROM kpi_month) AND k.currency IN ('NOK', 'SEK', 'DKK');
-- the figures of METRICS.md from the billing and payments tables
CREATE TEMP TABLE plain AS
SELECT m.m AS month, c.currency, e.e AS as_of, (e.e - m.m + 1) AS days,
       (SELECT sum(o.open_amount) FROM pg_temp.open_at(e.e) o WHERE o.currency = c.currency) AS ending_ar,
       (SELECT sum(o.open_amount) FROM pg_temp.open_at(e.e) o WHERE o.currency = c.currency AND o.due >= e.e) AS current_ar,
       coalesce((SELECT sum(o.open_amount) FROM pg_temp.open_at(m.m - 1) o WHERE o.currency = c.currency), 0) AS beginning_ar,
       (SELECT sum(i.amount) FROM billing.tie_invoice i
         WHERE i.currency = c.currency AND i.issued BETWEEN m.m AND e.e) AS sales,
       (SELECT sum(i.amount) FROM billing.tie_invoice i
         WHERE i.currency = c.currency AND i.due BETWEEN m.m AND e.e AND i.amount > 0) AS due,
       coalesce((SELECT sum(p.amount) FROM billing.tie_payment p JOIN billing.tie_invoice i ON i.id = p.invoice
                  WHERE i.currency = c.currency AND i.due BETWEEN m.m AND e.e AND i.amount > 0
                    AND p.kind = 'payment' AND p.paid_on <= e.e), 0) AS collected_on_due,
       coalesce((SELECT sum(p.amount) FROM billing.tie_payment p JOIN billing.tie_invoice i ON i.id = p.invoice
                  WHERE i.currency = c.currency AND p.kind = 'payment' AND p.paid_on BETWEEN m.m AND e.e), 0) AS cash
  FROM kpi_month m
 CROSS JOIN LATERAL (SELECT (m.m + interval '1 month - 1 day')::date AS e) e
 CROSS JOIN (VALUES ('NOK'), ('SEK'), ('DKK')) c(currency);

SELECT tap.is((SELECT count(*) FROM kpi), 12::bigint, 'kpi_monthly has the four months in the three currencies');
SELECT tap.is((SELECT count(*) FROM kpi k JOIN plain p USING (month, currency)
                WHERE (k.as_of, k.days, k.ending_ar, k.current_ar, k.beginning_ar, k.credit_sales, k.cash_collected)
                      IS DISTINCT FROM (p.as_of, p.days, p.ending_ar, p.current_ar, p.beginning_ar, p.sales, p.cash)),
              0::bigint, 'AR at the start and end, current AR, credit sales and cash collected are those of the tables');
SELECT tap.is((SELECT count(*) FROM kpi k
                CROSS JOIN LATERAL (
                      SELECT arcollect.dso(o.issued_on, o.amount, o.open_amount, k.as_of, k.days) AS dso,
                             arcollect.best_possible_dso(o.issued_on, o.due_on, o.amount, o.open_amount, k.as_of, k.days)
                                 AS best_possible_dso
                        FROM arcollect.open_items(k.as_of) o WHERE o.currency = k.currency) a
                WHERE (k.dso, k.best_possible_dso) IS DISTINCT FROM (a.dso, a.best_possible_dso)),
              0::bigint, 'DSO and best possible DSO are the aggregates over the open items at the month''s end');
SELECT tap.is((SELECT count(*) FROM kpi k JOIN plain p USING (month, currency)
                WHERE round(k.dso, 8) IS DISTINCT FROM round(p.ending_ar / p.sales * p.days, 8)
                   OR round(k.best_possible_dso, 8) IS DISTINCT FROM round(p.current_ar / p.sales * p.days, 8)
                   OR round(k.average_days_delinquent, 8)
                      IS DISTINCT FROM round((p.ending_ar - p.current_ar) / p.sales * p.days, 8)),
              0::bigint, 'and METRICS.md''s AR / credit sales x days (BPDSO: current AR; ADD: their difference)');
SELECT tap.is((SELECT count(*) FROM kpi k JOIN plain p USING (month, currency)
                WHERE round(k.cei, 8) IS DISTINCT FROM
                      round((p.beginning_ar + p.sales - p.ending_ar) / (p.beginning_ar + p.sales - p.current_ar) * 100, 8)
                   OR k.cei IS DISTINCT FROM arcollect.cei(p.beginning_ar, p.sales, p.ending_ar, p.current_ar, 1)),
              0::bigint, 'CEI is METRICS.md''s formula over the month (and arcollect.cei)');
SELECT tap.is((SELECT count(*) FROM kpi k JOIN plain p USING (month, currency)
                WHERE round(k.collection_rate, 8) IS DISTINCT FROM round(p.collected_on_due / p.due * 100, 8)),
              0::bigint, 'the collection rate is the cash collected on the invoices due in the month over their amount');
SELECT tap.is((SELECT count(*) FROM kpi k JOIN plain p USING (month, currency)
                WHERE round(k.percent_current, 8) IS DISTINCT FROM round(p.current_ar / p.ending_ar * 100, 8)
                   OR round(k.ar_turnover, 8) IS DISTINCT FROM round(p.sales / ((p.beginning_ar + p.ending_ar) / 2), 8)),
              0::bigint, 'percent current and AR turnover likewise');
SELECT tap.ok((SELECT bool_and(k.dso > 0 AND k.cei IS NOT NULL AND k.collection_rate IS NOT NULL)
                      AND sum(k.collected_on_due) > 0 FROM kpi k),
              'the figures are not empty');
SELECT tap.is((SELECT count(*) FROM kpi k
                CROSS JOIN LATERAL (
                      SELECT sum(s.credit_sales) AS credit_sales, sum(s.ending_ar) AS ending_ar,
                             sum(s.cash_collected) AS cash_collected
                        FROM arcollect.segment_kpis s WHERE s.month = k.month AND s.currency = k.currency) s
                WHERE (k.credit_sales, k.ending_ar, k.cash_collected)
                      IS DISTINCT FROM (s.credit_sales, s.ending_ar, s.cash_collected)),
              0::bigint, 'segment_kpis adds up to kpi_monthly');
SELECT tap.is((SELECT count(*) FROM arcollect.segment_kpis s
                WHERE s.month = '2024-09-01' AND s.currency IN ('NOK', 'SEK', 'DKK')
                  AND s.dso IS DISTINCT FROM
                      (SELECT arcollect.dso(o.issued_on, o.amount, o.open_amount, s.as_of, s.days)
                         FROM arcollect.open_items(s.as_of) o
                         LEFT JOIN arcollect.customer c ON c.customer_id = o.customer_id
                        WHERE o.currency = s.currency AND c.segment IS NOT DISTINCT FROM s.segment)),
              0::bigint, 'and its DSO per segment is the aggregate over the segment''s open items');
SELECT tap.ok((SELECT count(*) FILTER (WHERE s.segment IS NULL) > 0 AND count(DISTINCT s.segment) = 2
                 FROM arcollect.segment_kpis s WHERE s.month = '2024-09-01' AND s.currency IN ('NOK', 'SEK', 'DKK')),
              'over the two segments and the customers without one');

SELECT * FROM tap.finish();
ROLLBACK;
