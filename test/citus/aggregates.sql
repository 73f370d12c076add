-- Every arcollect aggregate on the Citus cluster (test/citus/run.sh), run
-- on the coordinator after invoices.sql: over all rows, grouped by
-- customer (the distribution column) and grouped by month of issue, the
-- distributed table must give exactly what the local table gives (every
-- group, compared as text), and the plan must spread the work:
--   - over all rows and by month, each worker runs the aggregate's
--     transition function over its shards (worker_partial_agg in the
--     worker query) and the coordinator combines the states the workers
--     send it (coord_combine_agg);
--   - by customer, each worker runs the whole aggregate for the customers
--     it holds, and the coordinator only gathers the results.
-- Never "row-gather": shipping the rows to the coordinator, which
-- aggregates them alone.  One line "ok - ..." or "not ok - ..." per check.
\set ON_ERROR_STOP on
\pset format unaligned
\pset tuples_only on

CREATE TEMP TABLE call (ord integer PRIMARY KEY, name text NOT NULL, call text NOT NULL);
INSERT INTO call VALUES
 (1, 'aging', $$arcollect.aging(due_on, open_amount, date '2026-06-30')$$),
 (2, 'aging with bounds', $$arcollect.aging(due_on, open_amount, date '2026-06-30', '{15,45,120,365}')$$),
 (3, 'avg_payment_delay', $$arcollect.avg_payment_delay(due_on, paid_on, amount)$$),
 (4, 'avg_days_late', $$arcollect.avg_days_late(due_on, paid_on)$$),
 (5, 'dso', $$arcollect.dso(issued_on, amount, open_amount, date '2026-06-30')$$),
 (6, 'dso over 30 days', $$arcollect.dso(issued_on, amount, open_amount, date '2026-06-30', 30)$$),
 (7, 'best_possible_dso', $$arcollect.best_possible_dso(issued_on, due_on, amount, open_amount, date '2026-06-30')$$),
 (8, 'best_possible_dso over 30 days',
     $$arcollect.best_possible_dso(issued_on, due_on, amount, open_amount, date '2026-06-30', 30)$$),
 (9, 'dso_countback', $$arcollect.dso_countback(issued_on, amount, open_amount, date '2026-06-30')$$),
 (10, 'risk_score', $$arcollect.risk_score(due_on, paid_on, amount, open_amount, date '2026-06-30')$$);

CREATE TEMP TABLE grouping (ord integer PRIMARY KEY, name text NOT NULL, key text NOT NULL,
                            group_by text NOT NULL, spread text NOT NULL);
INSERT INTO grouping VALUES
 (1, 'over all rows', $$'all'$$, '', 'partial'),
 (2, 'by customer', 'customer_id::text', 'GROUP BY customer_id', 'whole'),
 (3, 'by month', $$coalesce(date_trunc('month', issued_on)::date::text, 'none')$$,
     $$GROUP BY date_trunc('month', issued_on)$$, 'partial');

-- (the helpers are this session's: Citus is not to copy them to the
-- workers)
SET citus.enable_ddl_propagation = off;

-- A query's groups as text, in key order, with how many there are.
CREATE FUNCTION pg_temp.answer(query text) RETURNS text
LANGUAGE plpgsql AS $fn$
DECLARE
    result text;
BEGIN
    EXECUTE format($q$SELECT count(*) || ' groups: ' || string_agg(k || '=' || coalesce(v, 'NULL'), '; ' ORDER BY k)
                      FROM (%s) AS q (k, v)$q$, query) INTO result;
    RETURN result;
END
$fn$;

CREATE FUNCTION pg_temp.plan(query text) RETURNS text
LANGUAGE plpgsql AS $fn$
DECLARE
    line text;
    result text := '';
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (VERBOSE, COSTS OFF) ' || query LOOP
        result := result || line || E'\n';
    END LOOP;
    RETURN result;
END
$fn$;

-- What the plan of a query on the distributed table does with the
-- aggregate: 'partial' (the workers run worker_partial_agg, the
-- coordinator coord_combine_agg), 'whole' (the workers run the aggregate
-- itself and nothing aggregates above the Citus scan), or what else it
-- is, with the worker's query.
CREATE FUNCTION pg_temp.spread(plan text, aggregate text) RETURNS text
LANGUAGE sql AS $fn$
    SELECT CASE
        WHEN plan !~ 'Custom Scan \(Citus Adaptive\)' THEN 'not distributed'
        WHEN plan ~ 'worker_partial_agg\(' AND plan ~ 'coord_combine_agg\(' THEN 'partial'
        WHEN plan ~ '^\s*Custom Scan \(Citus Adaptive\)' AND plan ~ ('arcollect\.' || aggregate || '\(')
             AND plan !~ 'coord_combine_agg' THEN 'whole'
        ELSE 'row-gather (worker query: ' || coalesce(substring(plan from 'Query: ([^\n]*)'),
                                                    substring(plan from 'Output: ([^\n]*)')) || ')'
    END;
$fn$;

RESET citus.enable_ddl_propagation;

CREATE TEMP TABLE outcome AS
SELECT c.ord AS call_ord, g.ord AS grouping_ord, c.name AS call_name, g.name AS grouping_name, g.spread AS wanted,
       pg_temp.answer(format('SELECT %s, (%s)::text FROM invoice %s', g.key, c.call, g.group_by)) AS distributed,
       pg_temp.answer(format('SELECT %s, (%s)::text FROM invoice_local %s', g.key, c.call, g.group_by)) AS local,
       pg_temp.spread(pg_temp.plan(format('SELECT %s, %s FROM invoice %s', g.key, c.call, g.group_by)),
                      substring(c.call from 'arcollect\.(\w+)\(')) AS spread
FROM call c CROSS JOIN grouping g;

SELECT CASE WHEN distributed = local THEN 'ok' ELSE 'not ok' END
       || format(' - %s %s: the distributed table gives what the local table gives', call_name, grouping_name)
       || CASE WHEN distributed = local THEN format(' (%s)', split_part(local, ':', 1))
               ELSE format(E'\n#   distributed: %s\n#   local:       %s', left(distributed, 300), left(local, 300)) END
FROM outcome ORDER BY call_ord, grouping_ord;

SELECT CASE WHEN spread = wanted THEN 'ok' ELSE 'not ok' END
       || format(' - %s %s: %s', call_name, grouping_name,
                 CASE wanted WHEN 'partial' THEN 'partial aggregates on the workers (worker_partial_agg), combined on the coordinator'
                             ELSE 'the whole aggregate on the workers' END)
       || CASE WHEN spread = wanted THEN '' ELSE format(E'\n#   the plan: %s', spread) END
FROM outcome ORDER BY call_ord, grouping_ord;

-- The test proves something only if the groups are there.
SELECT CASE WHEN count(*) FILTER (WHERE local !~ '^1 groups') >= 20
             AND bool_and(local ~ '=[-0-9{]') THEN 'ok' ELSE 'not ok' END
       || ' - the answers compared have many groups by customer and by month, and values'
FROM outcome;
