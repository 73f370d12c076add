-- The aggregates' before/after benchmark (bench/ab.sh): the timed queries
-- and the timing function, loaded into both servers (the released build
-- and this tree's) after bench/generate.sql, with
--   psql -v as_of=2026-06-30 -f bench/ab.sql
-- Both servers get the same catalogue, so a query id names the same query
-- on both.
\set ON_ERROR_STOP on

CREATE TABLE arcollect_bench.ab_query (
    id       integer PRIMARY KEY,
    label    text NOT NULL,
    grouping text NOT NULL CHECK (grouping IN ('one group', 'per customer')),
    sql      text NOT NULL
);

-- Every aggregate with the arguments both versions have, and
-- sum(open_amount) as the yardstick; aging also with bounds, whose state
-- carries them.
INSERT INTO arcollect_bench.ab_query (id, label, grouping, sql)
SELECT row_number() OVER (ORDER BY g.ord, t.ord), t.label, g.grouping,
       format('SELECT %s%s AS v FROM arcollect_bench.invoice %s', g.key,
              replace(t.call, '{as_of}', format('DATE %L', :'as_of')), g.group_by)
FROM (VALUES
        (1, 'sum(open_amount)', 'sum(open_amount)'),
        (2, 'aging', 'arcollect.aging(due_on, open_amount, {as_of})'),
        (3, 'aging, bounds {15,45}', 'arcollect.aging(due_on, open_amount, {as_of}, ''{15,45}'')'),
        (4, 'avg_payment_delay', 'arcollect.avg_payment_delay(due_on, paid_on, amount)'),
        (5, 'avg_days_late', 'arcollect.avg_days_late(due_on, paid_on)'),
        (6, 'dso', 'arcollect.dso(issued_on, amount, open_amount, {as_of})'),
        (7, 'best_possible_dso', 'arcollect.best_possible_dso(issued_on, due_on, amount, open_amount, {as_of})'),
        (8, 'dso_countback', 'arcollect.dso_countback(issued_on, amount, open_amount, {as_of})'),
        (9, 'risk_score', 'arcollect.risk_score(due_on, paid_on, amount, open_amount, {as_of})'))
     AS t (ord, label, call)
CROSS JOIN (VALUES (1, 'one group', '', ''),
                   (2, 'per customer', 'customer_id, ', 'GROUP BY customer_id'))
     AS g (ord, grouping, key, group_by);

-- CPU time in clock ticks (USER_HZ, 1/100 s on Linux) of this backend
-- (utime + stime) and of the postmaster's exited children (cutime +
-- cstime): a parallel worker is a child of the postmaster, which reaps it
-- before the leader's query ends (the leader waits for the workers'
-- shutdown), so the difference over a query is the CPU of the leader and
-- of its workers.  Nothing else exits meanwhile: the benchmark's server
-- runs nothing else (autovacuum off).
CREATE FUNCTION arcollect_bench.ab_cpu_ticks()
RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
    -- the fields after "pid (comm) ": state is [1], utime [12], stime
    -- [13], cutime [14], cstime [15]
    self text[] := string_to_array(split_part(pg_read_file('/proc/self/stat'), ') ', 2), ' ');
    pm   text[] := string_to_array(split_part(pg_read_file(
                       format('/proc/%s/stat', split_part(pg_read_file('postmaster.pid'), E'\n', 1))),
                       ') ', 2), ' ');
BEGIN
    RETURN self[12]::bigint + self[13]::bigint + pm[14]::bigint + pm[15]::bigint;
END
$$;

-- Runs query p_query under EXPLAIN (ANALYZE, TIMING OFF): the whole query,
-- final functions included, but no rows to the client and no per-node
-- clocks.  p_workers is max_parallel_workers_per_gather: 0 for a serial
-- plan; otherwise parallel plans cost nothing to set up, so that every
-- query runs parallel on both servers.  Returns the execution time, the
-- CPU time, the workers launched and the plan's shape (node types).
CREATE FUNCTION arcollect_bench.ab_time(p_query integer, p_workers integer,
                                        OUT exec_ms float8, OUT cpu_ms float8,
                                        OUT workers integer, OUT shape text)
LANGUAGE plpgsql
AS $$
DECLARE
    q      text;
    plan   jsonb;
    before bigint;
BEGIN
    SELECT sql INTO STRICT q FROM arcollect_bench.ab_query WHERE id = p_query;
    PERFORM set_config('max_parallel_workers_per_gather', p_workers::text, true);
    IF p_workers > 0 THEN
        PERFORM set_config('parallel_setup_cost', '0', true);
        PERFORM set_config('parallel_tuple_cost', '0', true);
        PERFORM set_config('min_parallel_table_scan_size', '0', true);
    END IF;
    before := arcollect_bench.ab_cpu_ticks();
    EXECUTE 'EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) ' || q INTO plan;
    cpu_ms := (arcollect_bench.ab_cpu_ticks() - before) * 10;
    exec_ms := (plan->0->>'Execution Time')::float8;
    workers := (SELECT sum((w #>> '{}')::integer)
                FROM jsonb_path_query(plan, 'strict $.**."Workers Launched"') AS w);
    shape := (SELECT string_agg(concat_ws(' ', nullif(n->>'Partial Mode', 'Simple'),
                                          n->>'Strategy', n->>'Node Type'), ' / ')
              FROM jsonb_path_query(plan, 'strict $.** ? (exists (@."Node Type"))') AS n);
END
$$;

-- What the query returns, as one md5, to check that both builds agree.
CREATE FUNCTION arcollect_bench.ab_answer(p_query integer, p_workers integer)
RETURNS text
LANGUAGE plpgsql
AS $$
DECLARE
    q      text;
    answer text;
BEGIN
    SELECT sql INTO STRICT q FROM arcollect_bench.ab_query WHERE id = p_query;
    PERFORM set_config('max_parallel_workers_per_gather', p_workers::text, true);
    IF p_workers > 0 THEN
        PERFORM set_config('parallel_setup_cost', '0', true);
        PERFORM set_config('parallel_tuple_cost', '0', true);
        PERFORM set_config('min_parallel_table_scan_size', '0', true);
    END IF;
    EXECUTE format('SELECT md5(string_agg(r::text, %L ORDER BY r::text)) FROM (%s) AS r', ',', q)
        INTO answer;
    RETURN answer;
END
$$;
