-- The timed reads of bench/ledger_reads.sh, over the ledger it filled:
-- narrow_ledger (attached) and payments_ledger (attached as its payments).
-- Every query runs under EXPLAIN (ANALYZE, TIMING OFF) from PL/pgSQL, and
-- the server's Execution Time is kept: the query runs in full, no result
-- rows travel to the client, no per-node clocks are read.  Rounds run every
-- query once in the order below, so a slow spell of the shared machine
-- falls on all queries of a round; round 1 is a warm-up and is dropped.
-- Ratios are against the baseline of the same round, then the median.
\set ON_ERROR_STOP on
SET client_min_messages = warning;

CREATE TEMP TABLE read_query (n int PRIMARY KEY, name text, sql text);
INSERT INTO read_query VALUES
 (1, 'baseline: count(*), sum(total) over the billing table',
  $q$SELECT count(*), sum(total) FROM public.narrow_ledger$q$),
 (2, 'plain aging from billing + payments tables',
  $q$SELECT b.currency, arcollect.aging(b.due_on, b.total - b.amount_paid - coalesce(p.paid, 0), current_date)
       FROM public.narrow_ledger b
       LEFT JOIN (SELECT invoice_id, sum(amount) AS paid FROM public.payments_ledger
                   WHERE paid_on <= current_date GROUP BY invoice_id) p ON p.invoice_id = b.id
      GROUP BY b.currency$q$),
 (3, 'open_items(current_date): count, sum',
  $q$SELECT count(*), sum(open_amount) FROM arcollect.open_items(current_date)$q$),
 (4, 'aging of the demo (from open_items)',
  $q$SELECT currency, arcollect.aging(due_on, open_amount, current_date) AS a
       FROM arcollect.open_items(current_date)
      WHERE billing_table = 'public.narrow_ledger'::regclass
      GROUP BY currency$q$),
 (5, 'receivables_balance(current_date)',
  $q$SELECT * FROM arcollect.receivables_balance(current_date)$q$),
 (6, 'reconcile(billing table): count',
  $q$SELECT count(*) FROM arcollect.reconcile('public.narrow_ledger')$q$),
 (7, 'reconcile(payments table): count',
  $q$SELECT count(*) FROM arcollect.reconcile('public.payments_ledger')$q$);

CREATE TEMP TABLE read_time (n int, round int, ms float8);

CREATE FUNCTION pg_temp.time_query(q text) RETURNS float8
LANGUAGE plpgsql AS $$
DECLARE
    plan json;
BEGIN
    EXECUTE 'EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) ' || q INTO plan;
    RETURN (plan -> 0 ->> 'Execution Time')::float8;
END $$;

-- What the figures are over.
SELECT (SELECT count(*) FROM public.narrow_ledger) AS billing_rows,
       (SELECT count(*) FROM public.payments_ledger) AS payment_rows,
       (SELECT count(*) FROM arcollect.invoice) AS ledger_invoices,
       (SELECT count(*) FROM arcollect.entry) AS ledger_entries,
       (SELECT count(*) FROM arcollect.quarantine) AS quarantined,
       pg_size_pretty(pg_total_relation_size('public.narrow_ledger')) AS billing_size,
       pg_size_pretty(pg_total_relation_size('arcollect.invoice')
                      + pg_total_relation_size('arcollect.entry')) AS ledger_size;
SELECT kind, count(*) AS entries FROM arcollect.entry GROUP BY kind ORDER BY kind;

-- The two agings side by side (they need not agree to the cent: the ledger
-- also counts payments of deleted invoices and of keys the billing table
-- never had).
SELECT 'ledger' AS source, currency, arcollect.aging(due_on, open_amount, current_date) AS aging
  FROM arcollect.open_items(current_date)
 WHERE billing_table = 'public.narrow_ledger'::regclass GROUP BY currency
UNION ALL
SELECT 'plain', b.currency, arcollect.aging(b.due_on, b.total - b.amount_paid - coalesce(p.paid, 0), current_date)
  FROM public.narrow_ledger b
  LEFT JOIN (SELECT invoice_id, sum(amount) AS paid FROM public.payments_ledger
              WHERE paid_on <= current_date GROUP BY invoice_id) p ON p.invoice_id = b.id
 GROUP BY b.currency
 ORDER BY currency, source;

-- One statement per round, so that psql shows the progress.
CREATE FUNCTION pg_temp.run_round(r int) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    q record;
BEGIN
    FOR q IN SELECT * FROM read_query ORDER BY n LOOP
        INSERT INTO read_time VALUES (q.n, r, pg_temp.time_query(q.sql));
    END LOOP;
    RETURN format('round %s: %s ms', r, (SELECT round(sum(ms)) FROM read_time WHERE round = r));
END $$;
\pset tuples_only on
SELECT format('SELECT pg_temp.run_round(%s)', r) FROM generate_series(1, :rounds) r \gexec
\pset tuples_only off

\pset footer off
SELECT q.name AS query,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms)::numeric, 1) AS median_ms,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms / b.ms)::numeric, 2) AS x_baseline,
       string_agg(round((t.ms / b.ms)::numeric, 2)::text, ' ' ORDER BY t.round) AS ratio_per_round
  FROM read_time t
  JOIN read_time b ON b.n = 1 AND b.round = t.round
  JOIN read_query q ON q.n = t.n
 WHERE t.round > 1
 GROUP BY q.n, q.name
 ORDER BY q.n;
