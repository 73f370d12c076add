-- The timed reads of bench/bi_views.sh, over the ledger it filled.  As
-- bench/ledger_reads.sql does: every query under EXPLAIN (ANALYZE,
-- TIMING OFF) from PL/pgSQL, keeping the server's Execution Time (the
-- query runs in full, no rows travel to the client); rounds run every
-- query once in the order below, round 1 is a warm-up and is dropped;
-- ratios are against the baseline (query 1) of the same round, then the
-- median.
\set ON_ERROR_STOP on
SET client_min_messages = warning;

SELECT customer_id AS one_customer FROM arcollect.invoice ORDER BY customer_id LIMIT 1 OFFSET 4242 \gset

CREATE TEMP TABLE bi_query (n int PRIMARY KEY, name text, sql text);
INSERT INTO bi_query VALUES
 (1, 'baseline: aging(...) GROUP BY customer over open_items(current_date)',
  $q$SELECT customer_id, arcollect.aging(due_on, open_amount, current_date)
       FROM arcollect.open_items(current_date) WHERE open_amount <> 0 GROUP BY customer_id$q$),
 (2, 'aging(...) GROUP BY customer, currency over open_items(current_date)',
  $q$SELECT customer_id, currency, arcollect.aging(due_on, open_amount, current_date)
       FROM arcollect.open_items(current_date) WHERE open_amount <> 0 GROUP BY customer_id, currency$q$),
 (3, 'view aging_report, every customer',
  $q$SELECT * FROM arcollect.aging_report$q$),
 (4, 'function aging_report(current_date), every customer and bucket',
  $q$SELECT * FROM arcollect.aging_report(current_date)$q$),
 (5, 'view aging_by_owner',
  $q$SELECT * FROM arcollect.aging_by_owner$q$),
 (6, format('customer_summary(%L): one customer', :'one_customer'),
  format($q$SELECT * FROM arcollect.customer_summary(%L)$q$, :'one_customer')),
 (7, 'view customer_summary WHERE customer_id = that customer',
  format($q$SELECT * FROM arcollect.customer_summary WHERE customer_id = %L$q$, :'one_customer')),
 (8, 'view kpi_monthly, last month',
  $q$SELECT * FROM arcollect.kpi_monthly WHERE month = date_trunc('month', current_date - 31)::date$q$),
 (9, 'view segment_kpis, last month',
  $q$SELECT * FROM arcollect.segment_kpis WHERE month = date_trunc('month', current_date - 31)::date$q$),
 (10, 'view dispute_summary',
  $q$SELECT * FROM arcollect.dispute_summary$q$),
 (11, 'view collector_performance, last month',
  $q$SELECT * FROM arcollect.collector_performance WHERE month = date_trunc('month', current_date - 31)::date$q$),
 (12, 'view worklist WHERE owner = Collector 7 (1,000 customers)',
  $q$SELECT * FROM arcollect.worklist WHERE owner = 'Collector 7'$q$),
 (13, 'open_items(current_date, that customer), the ledger part alone',
  format($q$SELECT * FROM arcollect.open_items(current_date, ARRAY[%L])$q$, :'one_customer'));

CREATE TEMP TABLE bi_time (n int, round int, ms float8, workers int);

CREATE FUNCTION pg_temp.time_query(q text, OUT ms float8, OUT workers int)
LANGUAGE plpgsql AS $$
DECLARE
    plan json;
BEGIN
    EXECUTE 'EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) ' || q INTO plan;
    ms := (plan -> 0 ->> 'Execution Time')::float8;
    -- workers launched by the plan's Gather nodes (0: a serial plan)
    workers := (SELECT coalesce(sum((m[1])::int), 0)
                  FROM regexp_matches(plan::text, '"Workers Launched": (\d+)', 'g') m);
END $$;

CREATE FUNCTION pg_temp.plan_ms(q text) RETURNS float8
LANGUAGE plpgsql AS $$
DECLARE
    plan json;
BEGIN
    EXECUTE 'EXPLAIN (SUMMARY, FORMAT JSON) ' || q INTO plan;
    RETURN (plan -> 0 ->> 'Planning Time')::float8;
END $$;

CREATE FUNCTION pg_temp.run_round(r int) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    q record;
    t record;
BEGIN
    FOR q IN SELECT * FROM bi_query ORDER BY n LOOP
        t := pg_temp.time_query(q.sql);
        INSERT INTO bi_time VALUES (q.n, r, t.ms, t.workers);
    END LOOP;
    RETURN format('round %s: %s ms', r, (SELECT round(sum(ms)) FROM bi_time WHERE round = r));
END $$;
\pset tuples_only on
SELECT format('SELECT pg_temp.run_round(%s)', r) FROM generate_series(1, :rounds) r \gexec
\pset tuples_only off

\pset footer off
SELECT q.n, q.name AS query,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms)::numeric, 1) AS median_ms,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms / b.ms)::numeric, 2) AS x_baseline,
       string_agg(round((t.ms / b.ms)::numeric, 2)::text, ' ' ORDER BY t.round) AS ratio_per_round,
       max(t.workers) AS workers
  FROM bi_time t
  JOIN bi_time b ON b.n = 1 AND b.round = t.round
  JOIN bi_query q ON q.n = t.n
 WHERE t.round > 1
 GROUP BY q.n, q.name
 ORDER BY q.n;

-- The targets: aging_report at most 1.5 times the baseline, one customer's
-- summary (function, and view with a WHERE) under 10 ms, one collector's
-- worklist under 50 ms.
SELECT 'aging_report (view) / aging GROUP BY customer' AS target,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms / b.ms)::numeric, 2) AS median_ratio,
       1.5 AS at_most,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms / b.ms) <= 1.5 AS met
  FROM bi_time t JOIN bi_time b ON b.n = 1 AND b.round = t.round
 WHERE t.n = 3 AND t.round > 1
UNION ALL
SELECT 'customer_summary(one customer), ms',
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms)::numeric, 1), 10,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms) < 10
  FROM bi_time t WHERE t.n = 6 AND t.round > 1
UNION ALL
SELECT 'view customer_summary WHERE one customer, ms',
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms)::numeric, 1), 10,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms) < 10
  FROM bi_time t WHERE t.n = 7 AND t.round > 1
UNION ALL
SELECT 'worklist of one collector (1,000 customers), ms',
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms)::numeric, 1), 50,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY t.ms) < 50
  FROM bi_time t WHERE t.n = 12 AND t.round > 1;
-- (Execution Time only, as EXPLAIN ANALYZE reports it: planning the
-- inlined functions for one customer takes a few milliseconds more,
-- printed here from the last round's plans.)
SELECT q.n, q.name, round(((pg_temp.plan_ms(q.sql)))::numeric, 1) AS planning_ms
  FROM bi_query q WHERE q.n IN (6, 7, 12, 13) ORDER BY q.n;
