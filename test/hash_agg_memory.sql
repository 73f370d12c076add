-- Runs as role arcollect_suite with an empty search_path (README, Tests).
-- Grouped aggregation under a parallel plan stays within work_mem: a hash
-- aggregate that runs out of memory spills to disk, as it does for avg(),
-- and its memory stays within a small multiple of what avg() takes on the
-- same query.  The Finalize step deserializes one partial state per group
-- and worker; a state kept beyond its combine would pile up there until
-- the hash table is reset, however small work_mem is.  The Partial step
-- (the transition functions in the workers) is held to the same bound, and
-- every result must equal that of a serial plan that does not spill.
--
-- 120,000 invoices over 12,000 customers with work_mem = 64kB: avg()
-- spills into many batches, so the bound is tight.  One row in seven
-- carries an amount outside the 128-bit fast path (ten decimals), so that
-- most states also hold a numeric part.
BEGIN;
SELECT tap.plan(33);

SET LOCAL client_min_messages = warning;

CREATE TABLE billing.tap_mem_invoice AS
SELECT n % 12000 AS customer_id,
       date '2025-01-01' + (n * 7919 % 365)::int AS issued_on,
       date '2025-01-31' + (n * 7919 % 365)::int AS due_on,
       date '2025-02-10' + (n * 104729 % 365)::int AS paid_on,
       (n * 9973 % 1000000) / 100.0 + CASE WHEN n % 7 = 0 THEN 0.0000000001 ELSE 0 END AS amount,
       (n * 7727 % 100000) / 100.0 AS open_amount
FROM generate_series(1::bigint, 120000) AS n;
ANALYZE billing.tap_mem_invoice;

CREATE TABLE billing.tap_mem_case (ord integer PRIMARY KEY, label text NOT NULL, call text NOT NULL);
INSERT INTO billing.tap_mem_case VALUES
 (1, 'aging', $$arcollect.aging(due_on, open_amount, date '2025-12-31')$$),
 (2, 'aging with bounds', $$arcollect.aging(due_on, open_amount, date '2025-12-31', '{15,45,120,365}')$$),
 (3, 'avg_payment_delay', $$arcollect.avg_payment_delay(due_on, paid_on, amount)$$),
 (4, 'avg_days_late', $$arcollect.avg_days_late(due_on, paid_on)$$),
 (5, 'dso', $$arcollect.dso(issued_on, amount, open_amount, date '2025-12-31')$$),
 (6, 'best_possible_dso', $$arcollect.best_possible_dso(issued_on, due_on, amount, open_amount, date '2025-12-31')$$),
 (7, 'dso_countback', $$arcollect.dso_countback(issued_on, amount, open_amount, date '2025-12-31')$$),
 (8, 'risk_score', $$arcollect.risk_score(due_on, paid_on, amount, open_amount, date '2025-12-31')$$);

CREATE FUNCTION pg_temp.tap_grouped(call text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT format('SELECT customer_id, %s AS v FROM billing.tap_mem_invoice GROUP BY customer_id', call);
$$;

-- The memory figures of a query's two aggregate steps, from one EXPLAIN
-- ANALYZE: for the Partial and the Finalize step, its strategy, its peak
-- memory in kB (the largest of the leader's and each worker's) and its
-- number of batches.
CREATE FUNCTION pg_temp.tap_hash_memory(query text)
RETURNS TABLE (mode text, strategy text, peak_kb integer, batches integer)
LANGUAGE plpgsql AS $$
DECLARE
    plan json;
    node json;
    worker json;
BEGIN
    EXECUTE 'EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) ' || query INTO plan;
    node := plan->0->'Plan';
    WHILE node IS NOT NULL LOOP
        IF node->>'Node Type' = 'Aggregate' AND node->>'Partial Mode' IS NOT NULL THEN
            mode := node->>'Partial Mode';
            strategy := node->>'Strategy';
            peak_kb := (node->>'Peak Memory Usage')::integer;
            batches := (node->>'HashAgg Batches')::integer;
            FOR worker IN SELECT * FROM json_array_elements(coalesce(node->'Workers', '[]')) LOOP
                peak_kb := greatest(peak_kb, (worker->>'Peak Memory Usage')::integer);
                batches := greatest(batches, (worker->>'HashAgg Batches')::integer);
            END LOOP;
            RETURN NEXT;
        END IF;
        node := node->'Plans'->0;
    END LOOP;
END
$$;

-- The results of a grouped query in a few bytes: the number of groups and a
-- sum of hashes of each group's key and value, whatever the order.
CREATE FUNCTION pg_temp.tap_fingerprint(query text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    result text;
BEGIN
    EXECUTE format('SELECT count(*) || '' groups, '' || sum(hashtext(customer_id || ''='' || v::text)) '
                   'FROM (%s) g', query) INTO result;
    RETURN result;
END
$$;

-- Serial, in memory: the results every spilling plan must reproduce.
SET LOCAL max_parallel_workers_per_gather = 0;
SET LOCAL work_mem = '64MB';
CREATE TABLE billing.tap_mem_want AS
SELECT ord, pg_temp.tap_fingerprint(pg_temp.tap_grouped(call)) AS want FROM billing.tap_mem_case;

-- Parallel, hashed, spilling.
SET LOCAL max_parallel_workers_per_gather = 2;
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL enable_sort = off;
SET LOCAL work_mem = '64kB';

CREATE TABLE billing.tap_mem_avg AS SELECT * FROM pg_temp.tap_hash_memory(pg_temp.tap_grouped('avg(open_amount)'));

SELECT tap.ok(count(*) = 2 AND bool_and(strategy = 'Hashed' AND batches > 4),
          'avg() under a parallel plan is a hash aggregate that spills, in both steps')
FROM billing.tap_mem_avg;

CREATE TABLE billing.tap_mem_got AS
SELECT c.ord, c.label, m.*
FROM billing.tap_mem_case c, LATERAL pg_temp.tap_hash_memory(pg_temp.tap_grouped(c.call)) m;

SELECT tap.is(array_agg(g.mode || ' ' || g.strategy ORDER BY g.mode DESC),
          '{Partial Hashed,Finalize Hashed}',
          format('%s: both steps are hash aggregates', c.label))
FROM billing.tap_mem_case c LEFT JOIN billing.tap_mem_got g USING (ord, label)
GROUP BY c.ord, c.label ORDER BY c.ord;

SELECT tap.cmp_ok(g.peak_kb, '<=', 2 * a.peak_kb,
              format('%s: the %s step peaks at %s kB, within twice avg()''s %s kB',
                     g.label, lower(g.mode), g.peak_kb, a.peak_kb))
FROM billing.tap_mem_got g JOIN billing.tap_mem_avg a USING (mode) ORDER BY g.ord, g.mode DESC;

SELECT tap.is(pg_temp.tap_fingerprint(pg_temp.tap_grouped(c.call)), w.want,
          format('%s: the spilling parallel plan gives every customer the serial result', c.label))
FROM billing.tap_mem_case c JOIN billing.tap_mem_want w USING (ord) ORDER BY c.ord;

SELECT * FROM tap.finish();
ROLLBACK;
