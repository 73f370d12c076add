-- One measuring pass, run by bench/run.sh with
--   psql -v runs=5 -v jit=off -v check=1 -f bench/measure.sql
-- after bench/queries.sql.  Each round runs every query once, in catalogue
-- order, so that a slow spell on a shared machine hits all queries of that
-- round alike rather than all rounds of one query; round 1 is the warm-up
-- and report.sql leaves it out.
\set ON_ERROR_STOP on
\pset format unaligned
\pset tuples_only on

SET max_parallel_workers_per_gather = 2;
SET jit = :'jit';

DELETE FROM arcollect_bench.timing WHERE jit = current_setting('jit');

-- Agreement of each aggregate with its plain-SQL formulation; skipped with
-- check=0 (run.sh checks in the first pass only).
SELECT format('SELECT arcollect_bench.check_agreement(%L, %L)', figure, grouping)
FROM (SELECT DISTINCT figure, grouping FROM arcollect_bench.query WHERE kind = 'sql') AS f
WHERE :check = 1
ORDER BY grouping, figure
\gexec

SELECT format('SELECT arcollect_bench.time_one(%s, %s)', q.id, r)
FROM generate_series(1, :runs) AS r
CROSS JOIN arcollect_bench.query AS q
ORDER BY r, q.id
\gexec
