-- The results table, the targets (bench/README.md) and the plans, from the timings
-- that bench/measure.sql recorded.  Run by bench/run.sh with
--   psql -At -f bench/report.sql
--
-- median ms    median of EXPLAIN ANALYZE's execution time over rounds 2..n
-- x sum        median / median of sum(open_amount) in the same grouping
-- speed-up     median of the plain-SQL formulation / median of the aggregate
\set ON_ERROR_STOP on
\pset format unaligned
\pset tuples_only on

CREATE TEMP VIEW median AS
SELECT q.id, q.figure, q.kind, q.label, q.grouping, t.jit,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY t.exec_ms) AS ms,
       min(t.exec_ms) AS min_ms,
       max(t.exec_ms) AS max_ms,
       count(*) AS runs,
       max(t.workers) AS workers
FROM arcollect_bench.query AS q
JOIN arcollect_bench.timing AS t ON t.query_id = q.id
WHERE t.round > 1
GROUP BY q.id, t.jit;

CREATE TEMP VIEW result AS
SELECT m.*,
       m.ms / s.ms AS x_sum,
       CASE WHEN m.kind = 'arcollect' THEN p.ms / m.ms END AS speedup,
       CASE WHEN m.kind = 'arcollect' THEN
           CASE WHEN a.agrees THEN 'yes' WHEN NOT a.agrees THEN 'NO: ' || a.detail END
       END AS agrees
FROM median AS m
JOIN median AS s ON s.figure = 'sum' AND s.grouping = m.grouping AND s.jit = m.jit
LEFT JOIN median AS p ON p.figure = m.figure AND p.kind = 'sql'
                     AND p.grouping = m.grouping AND p.jit = m.jit
LEFT JOIN arcollect_bench.agreement AS a ON a.figure = m.figure AND a.grouping = m.grouping;

SELECT format('%-52s %-12s %10s %11s %7s %9s %7s  %s',
              'query', 'grouping', 'median ms', 'min-max ms', 'x sum', 'speed-up', 'workers', 'agrees')
UNION ALL
SELECT repeat('-', 121);

SELECT format('%-52s %-12s %10s %11s %7s %9s %7s  %s',
              CASE WHEN kind = 'sql' THEN '  ' ELSE '' END || label
                  || CASE WHEN jit = 'on' THEN ' [jit]' ELSE '' END,
              grouping,
              to_char(ms, 'FM999990.0'),
              to_char(min_ms, 'FM99990') || '-' || to_char(max_ms, 'FM99990'),
              to_char(x_sum, 'FM990.00'),
              coalesce(to_char(speedup, 'FM990.00') || 'x', ''),
              coalesce(workers::text, '-'),
              coalesce(agrees, ''))
FROM result
ORDER BY jit, grouping, id;

SELECT '';
SELECT 'Targets (bench/README.md)';
SELECT format('%-52s %-22s %-22s', 'target', 'one group', 'per customer')
UNION ALL
SELECT repeat('-', 98);

WITH target AS (
    SELECT * FROM (VALUES
        (1, 'aging', 'aging <= 1.2 x sum(open_amount)', 'x_sum', 1.2),
        (2, 'aging', 'aging no slower than plain SQL with FILTER', 'speedup', 1.0),
        (3, 'avg_payment_delay', 'avg_payment_delay <= 1.2 x sum(open_amount)', 'x_sum', 1.2),
        (4, 'avg_days_late', 'avg_days_late <= 1.2 x sum(open_amount)', 'x_sum', 1.2),
        (5, 'dso', 'dso <= 1.2 x sum(open_amount)', 'x_sum', 1.2),
        (6, 'best_possible_dso', 'best_possible_dso <= 1.2 x sum(open_amount)', 'x_sum', 1.2),
        (7, 'dso_countback', 'dso_countback >= 3x faster than plain SQL', 'speedup', 3.0),
        (8, 'risk_score', 'risk_score >= 3x faster than plain SQL', 'speedup', 3.0))
        AS t (ord, figure, description, measure, bound)
), outcome AS (
    SELECT t.ord, t.description, r.jit, r.grouping,
           CASE t.measure WHEN 'x_sum' THEN r.x_sum ELSE r.speedup END AS value,
           CASE t.measure WHEN 'x_sum' THEN r.x_sum <= t.bound ELSE r.speedup >= t.bound END AS met,
           t.measure
    FROM target AS t
    JOIN result AS r ON r.figure = t.figure AND r.kind = 'arcollect'
)
SELECT format('%-52s %-22s %-22s',
              description || CASE WHEN jit = 'on' THEN ' [jit]' ELSE '' END,
              max(CASE WHEN grouping = 'one group' THEN
                      to_char(value, 'FM990.00') || CASE WHEN measure = 'x_sum' THEN ' x sum' ELSE 'x' END
                      || CASE WHEN met THEN '  met' ELSE '  MISSED' END END),
              max(CASE WHEN grouping = 'per customer' THEN
                      to_char(value, 'FM990.00') || CASE WHEN measure = 'x_sum' THEN ' x sum' ELSE 'x' END
                      || CASE WHEN met THEN '  met' ELSE '  MISSED' END END))
FROM outcome
GROUP BY jit, ord, description
ORDER BY jit, ord;

SELECT '';
SELECT 'Plans (last round; "(n workers)" = parallel workers launched)';
SELECT format('%s / %s%s:%s    %s', label, grouping,
              CASE WHEN t.jit = 'on' THEN ' [jit]' ELSE '' END, E'\n', shape)
FROM arcollect_bench.timing AS t
JOIN arcollect_bench.query AS q ON q.id = t.query_id
WHERE t.round = (SELECT max(round) FROM arcollect_bench.timing)
ORDER BY t.jit, q.grouping, q.id;
