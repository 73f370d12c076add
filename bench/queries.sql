-- The benchmark's queries and its timing machinery, in schema
-- arcollect_bench (created by bench/generate.sql).  Run by bench/run.sh with
--   psql -v as_of=2026-06-30 -f bench/queries.sql
--
-- Every figure is measured four ways: the arcollect aggregate and the best
-- plain-SQL formulation of the same figure, each over all rows as one group
-- and grouped per customer.  count(*) and sum(open_amount) over the same
-- rows are the yardsticks.  Each plain-SQL query returns exactly what the
-- aggregate returns (check_agreement() verifies it on the data), so the
-- comparison is like for like.
--
-- A query text may use {key} (empty, or "customer_id, "), {group_by}
-- (empty, or "GROUP BY customer_id") and {as_of} (the date literal); a
-- text written for one grouping only leaves them out.
\set ON_ERROR_STOP on

DROP TABLE IF EXISTS arcollect_bench.timing, arcollect_bench.agreement,
    arcollect_bench.query;

CREATE TABLE arcollect_bench.query (
    id       integer PRIMARY KEY,
    figure   text NOT NULL,          -- what is computed: aging, dso, ...
    kind     text NOT NULL CHECK (kind IN ('baseline', 'arcollect', 'sql')),
    label    text NOT NULL,          -- how the table names the query
    grouping text NOT NULL CHECK (grouping IN ('one group', 'per customer')),
    sql      text NOT NULL
);

CREATE TABLE arcollect_bench.timing (
    query_id    integer NOT NULL REFERENCES arcollect_bench.query,
    jit         text NOT NULL,
    round       integer NOT NULL,    -- round 1 is the warm-up
    exec_ms     float8 NOT NULL,     -- EXPLAIN ANALYZE's Execution Time
    planning_ms float8 NOT NULL,
    workers     integer,             -- parallel workers launched
    shape       text NOT NULL        -- the plan, node by node
);

CREATE TABLE arcollect_bench.agreement (
    figure     text NOT NULL,
    grouping   text NOT NULL,
    agrees     boolean NOT NULL,
    detail     text NOT NULL          -- the value, or how many groups differ
);

-- The query templates.  Both groupings come from one text unless a figure
-- needs a different shape per grouping (countback).
CREATE TEMP TABLE template (
    ord      serial,
    figure   text,
    kind     text,
    label    text,
    grouping text,                   -- NULL: both groupings
    sql      text
);

INSERT INTO template (figure, kind, label, grouping, sql) VALUES
('count', 'baseline', 'count(*)', NULL,
$q$SELECT {key}count(*) AS v
FROM arcollect_bench.invoice {group_by}$q$),

-- Reads every column up to open_amount (the last) with the cheapest
-- transition there is: the floor for any aggregate over these columns.
('floor', 'baseline', 'count(open_amount)', NULL,
$q$SELECT {key}count(open_amount) AS v
FROM arcollect_bench.invoice {group_by}$q$),

('sum', 'baseline', 'sum(open_amount)', NULL,
$q$SELECT {key}sum(open_amount) AS v
FROM arcollect_bench.invoice {group_by}$q$),

('aging', 'arcollect', 'arcollect.aging', NULL,
$q$SELECT {key}arcollect.aging(due_on, open_amount, {as_of}) AS v
FROM arcollect_bench.invoice {group_by}$q$),

-- Date ranges against constants (folded at plan time) are cheaper than
-- computing days overdue per row and testing BETWEEN.
('aging', 'sql', 'plain SQL: sum() FILTER per bucket', NULL,
$q$SELECT {key}ARRAY[
    coalesce(sum(open_amount) FILTER (WHERE due_on >= {as_of}), 0),
    coalesce(sum(open_amount) FILTER (WHERE due_on < {as_of} AND due_on >= {as_of} - 30), 0),
    coalesce(sum(open_amount) FILTER (WHERE due_on < {as_of} - 30 AND due_on >= {as_of} - 60), 0),
    coalesce(sum(open_amount) FILTER (WHERE due_on < {as_of} - 60 AND due_on >= {as_of} - 90), 0),
    coalesce(sum(open_amount) FILTER (WHERE due_on < {as_of} - 90), 0)] AS v
FROM arcollect_bench.invoice {group_by}$q$),

('avg_payment_delay', 'arcollect', 'arcollect.avg_payment_delay', NULL,
$q$SELECT {key}arcollect.avg_payment_delay(due_on, paid_on, amount) AS v
FROM arcollect_bench.invoice {group_by}$q$),

('avg_payment_delay', 'sql', 'plain SQL: sum(amount*delay)/sum(amount)', NULL,
$q$SELECT {key}sum(amount * (paid_on - due_on))
    / nullif(sum(amount) FILTER (WHERE paid_on IS NOT NULL), 0) AS v
FROM arcollect_bench.invoice {group_by}$q$),

('avg_days_late', 'arcollect', 'arcollect.avg_days_late', NULL,
$q$SELECT {key}arcollect.avg_days_late(due_on, paid_on) AS v
FROM arcollect_bench.invoice {group_by}$q$),

('avg_days_late', 'sql', 'plain SQL: avg(greatest(delay, 0))', NULL,
$q$SELECT {key}avg(greatest(paid_on - due_on, 0)) FILTER (WHERE paid_on IS NOT NULL) AS v
FROM arcollect_bench.invoice {group_by}$q$),

('dso', 'arcollect', 'arcollect.dso', NULL,
$q$SELECT {key}arcollect.dso(issued_on, amount, open_amount, {as_of}) AS v
FROM arcollect_bench.invoice {group_by}$q$),

('dso', 'sql', 'plain SQL: sum() FILTER * 90 / sum() FILTER', NULL,
$q$SELECT {key}sum(open_amount) FILTER (WHERE issued_on <= {as_of}) * 90
    / nullif(sum(amount) FILTER (WHERE issued_on > {as_of} - 90 AND issued_on <= {as_of}), 0) AS v
FROM arcollect_bench.invoice {group_by}$q$),

('best_possible_dso', 'arcollect', 'arcollect.best_possible_dso', NULL,
$q$SELECT {key}arcollect.best_possible_dso(issued_on, due_on, amount, open_amount, {as_of}) AS v
FROM arcollect_bench.invoice {group_by}$q$),

('best_possible_dso', 'sql', 'plain SQL: sum() FILTER * 90 / sum() FILTER', NULL,
$q$SELECT {key}coalesce(sum(open_amount) FILTER (WHERE issued_on <= {as_of} AND due_on >= {as_of}), 0) * 90
    / nullif(sum(amount) FILTER (WHERE issued_on > {as_of} - 90 AND issued_on <= {as_of}), 0) AS v
FROM arcollect_bench.invoice {group_by}$q$),

('dso_countback', 'arcollect', 'arcollect.dso_countback', NULL,
$q$SELECT {key}arcollect.dso_countback(issued_on, amount, open_amount, {as_of}) AS v
FROM arcollect_bench.invoice {group_by}$q$),

-- Countback in plain SQL, without a recursive walk: month sums, then for
-- each month what is left of the receivables before it is reached
-- (receivables minus the sales of the newer months, a running window sum).
-- The walk stops in the newest month whose sales cover what is left; the
-- days before that month and the month's own days follow from its date
-- alone, so months without sales need no rows.
('dso_countback', 'sql', 'plain SQL: month sums + window walk', 'one group',
$q$WITH month AS (
    SELECT date_trunc('month', issued_on::timestamp)::date AS first_day,
           sum(amount) AS sales, sum(open_amount) AS open
    FROM arcollect_bench.invoice
    WHERE issued_on <= {as_of}
    GROUP BY 1
), walk AS (
    SELECT first_day, sales,
           sum(open) OVER () AS receivables,
           sum(open) OVER ()
             - coalesce(sum(sales) OVER (ORDER BY first_day DESC
                                         ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS left_before
    FROM month
), stop AS (
    SELECT * FROM walk
    ORDER BY receivables <= 0 OR (sales > 0 AND left_before <= sales) DESC NULLS LAST,
             first_day DESC
    LIMIT 1
)
SELECT CASE
         WHEN receivables <= 0 THEN 0
         WHEN sales > 0 AND left_before <= sales THEN
           greatest({as_of} - (first_day + interval '1 month')::date + 1, 0)
           + left_before * (least({as_of}, (first_day + interval '1 month')::date - 1) - first_day + 1)
             / sales
       END AS v
FROM stop$q$),

('dso_countback', 'sql', 'plain SQL: month sums + window walk', 'per customer',
$q$WITH month AS (
    SELECT customer_id, date_trunc('month', issued_on::timestamp)::date AS first_day,
           sum(amount) AS sales, sum(open_amount) AS open
    FROM arcollect_bench.invoice
    WHERE issued_on <= {as_of}
    GROUP BY 1, 2
), walk AS (
    SELECT customer_id, first_day, sales,
           sum(open) OVER c AS receivables,
           sum(open) OVER c
             - coalesce(sum(sales) OVER (c ORDER BY first_day DESC
                                         ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS left_before
    FROM month
    WINDOW c AS (PARTITION BY customer_id)
), stop AS (
    SELECT DISTINCT ON (customer_id) *
    FROM walk
    ORDER BY customer_id,
             receivables <= 0 OR (sales > 0 AND left_before <= sales) DESC NULLS LAST,
             first_day DESC
)
SELECT customer_id,
       CASE
         WHEN receivables <= 0 THEN 0
         WHEN sales > 0 AND left_before <= sales THEN
           greatest({as_of} - (first_day + interval '1 month')::date + 1, 0)
           + left_before * (least({as_of}, (first_day + interval '1 month')::date - 1) - first_day + 1)
             / sales
       END AS v
FROM stop$q$),

('risk_score', 'arcollect', 'arcollect.risk_score', NULL,
$q$SELECT {key}arcollect.risk_score(due_on, paid_on, amount, open_amount, {as_of}) AS v
FROM arcollect_bench.invoice {group_by}$q$),

-- The four factors of src/risk_score.c in one pass.  An invoice's payment
-- is "settled" at least(paid_on, as_of): least() ignores a NULL paid_on.
('risk_score', 'sql', 'plain SQL: four factors with FILTER', NULL,
$q$SELECT {key}round(
      CASE WHEN recorded_amount * 60 <= 0 OR late_amount_days <= 0 THEN 0
           WHEN late_amount_days >= recorded_amount * 60 THEN 35
           ELSE 35 * late_amount_days / (recorded_amount * 60) END
    + CASE WHEN recorded_count <= 0 OR late_count <= 0 THEN 0
           WHEN late_count >= recorded_count THEN 20
           ELSE 20 * late_count::numeric / recorded_count END
    + CASE WHEN owed <= 0 OR owed_overdue <= 0 THEN 0
           WHEN owed_overdue >= owed THEN 20
           ELSE 20 * owed_overdue / owed END
    + CASE WHEN oldest_overdue_days <= 0 THEN 0
           WHEN oldest_overdue_days >= 120 THEN 25
           ELSE 25 * oldest_overdue_days::numeric / 120 END, 2) AS v
FROM (
    SELECT {key}
        coalesce(sum(amount) FILTER (WHERE amount > 0 AND (paid_on <= {as_of} OR due_on < {as_of})), 0)
            AS recorded_amount,
        coalesce(sum(amount * (least(paid_on, {as_of}) - due_on))
                     FILTER (WHERE amount > 0 AND least(paid_on, {as_of}) > due_on), 0)
            AS late_amount_days,
        count(*) FILTER (WHERE amount > 0 AND (paid_on <= {as_of} OR due_on < {as_of}))
            AS recorded_count,
        count(*) FILTER (WHERE amount > 0 AND least(paid_on, {as_of}) > due_on)
            AS late_count,
        coalesce(sum(open_amount) FILTER (WHERE open_amount > 0), 0) AS owed,
        coalesce(sum(open_amount) FILTER (WHERE open_amount > 0 AND due_on < {as_of}), 0)
            AS owed_overdue,
        coalesce({as_of} - min(due_on) FILTER (WHERE open_amount > 0 AND due_on < {as_of}), 0)
            AS oldest_overdue_days
    FROM arcollect_bench.invoice {group_by}
) AS factors$q$);

INSERT INTO arcollect_bench.query (id, figure, kind, label, grouping, sql)
SELECT row_number() OVER (ORDER BY g.ord, t.ord), t.figure, t.kind, t.label, g.grouping,
       replace(replace(replace(t.sql,
               '{key}', g.key),
               '{group_by}', g.group_by),
               '{as_of}', format('DATE %L', :'as_of'))
FROM template AS t
CROSS JOIN (VALUES (1, 'one group', '', ''),
                   (2, 'per customer', 'customer_id, ', 'GROUP BY customer_id'))
           AS g (ord, grouping, key, group_by)
WHERE t.grouping IS NULL OR t.grouping = g.grouping;

-- A plan as one line: node types from the top down, children in brackets.
CREATE OR REPLACE FUNCTION arcollect_bench.plan_shape(node jsonb)
RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
    SELECT concat_ws(' ',
        nullif(node->>'Partial Mode', 'Simple'),
        CASE node->>'Node Type'
            WHEN 'Aggregate' THEN
                CASE node->>'Strategy'
                    WHEN 'Hashed' THEN 'HashAggregate'
                    WHEN 'Sorted' THEN 'GroupAggregate'
                    WHEN 'Mixed' THEN 'MixedAggregate'
                    ELSE 'Aggregate' END
            ELSE node->>'Node Type' END
        || CASE WHEN node ? 'Workers Launched'
                THEN format(' (%s workers)', node->>'Workers Launched') ELSE '' END,
        CASE WHEN node ? 'Plans' THEN
            '<- ' || CASE WHEN jsonb_array_length(node->'Plans') = 1
                          THEN arcollect_bench.plan_shape(node->'Plans'->0)
                          ELSE '[' || (SELECT string_agg(arcollect_bench.plan_shape(p), ' | ')
                                       FROM jsonb_array_elements(node->'Plans') AS p) || ']'
                     END
        END)
$$;

-- Runs one query under EXPLAIN (ANALYZE, TIMING OFF): the whole query is
-- executed, final functions included, but no rows go to the client and no
-- per-node clock is read.  Records the server-side execution time and
-- returns a progress line.
CREATE OR REPLACE FUNCTION arcollect_bench.time_one(p_query integer, p_round integer)
RETURNS text
LANGUAGE plpgsql
AS $$
DECLARE
    q    arcollect_bench.query;
    plan jsonb;
    ms   float8;
BEGIN
    SELECT * INTO STRICT q FROM arcollect_bench.query WHERE id = p_query;
    EXECUTE 'EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) ' || q.sql INTO plan;
    ms := (plan->0->>'Execution Time')::float8;
    INSERT INTO arcollect_bench.timing
    VALUES (p_query, current_setting('jit'), p_round, ms,
            (plan->0->>'Planning Time')::float8,
            (SELECT sum((w #>> '{}')::integer)
             FROM jsonb_path_query(plan, 'strict $.**."Workers Launched"') AS w),
            arcollect_bench.plan_shape(plan->0->'Plan'));
    RETURN format('jit=%s round %s  %-44s %-12s %10s ms',
                  current_setting('jit'), p_round, q.label, q.grouping,
                  to_char(ms, 'FM9999990.0'));
END
$$;

-- Checks that the aggregate and its plain-SQL formulation give the same
-- result: equal values (numeric equality, so 0 and 0.00 agree) for one
-- group, and no customer whose values differ when grouped.
CREATE OR REPLACE FUNCTION arcollect_bench.check_agreement(p_figure text, p_grouping text)
RETURNS text
LANGUAGE plpgsql
AS $$
DECLARE
    a      text;
    b      text;
    agrees boolean;
    detail text;
    differ bigint;
    ngroups bigint;
BEGIN
    SELECT sql INTO STRICT a FROM arcollect_bench.query
    WHERE figure = p_figure AND grouping = p_grouping AND kind = 'arcollect';
    SELECT sql INTO STRICT b FROM arcollect_bench.query
    WHERE figure = p_figure AND grouping = p_grouping AND kind = 'sql';
    IF p_grouping = 'one group' THEN
        EXECUTE format('SELECT a.v IS NOT DISTINCT FROM b.v, format(%L, a.v, b.v)
                        FROM (%s) AS a CROSS JOIN (%s) AS b',
                       'arcollect %s, plain SQL %s', a, b)
            INTO agrees, detail;
    ELSE
        EXECUTE format('SELECT count(*) FILTER (WHERE a.v IS DISTINCT FROM b.v), count(*)
                        FROM (%s) AS a FULL JOIN (%s) AS b USING (customer_id)', a, b)
            INTO differ, ngroups;
        agrees := differ = 0;
        detail := format('%s of %s customers differ', differ, ngroups);
    END IF;
    INSERT INTO arcollect_bench.agreement VALUES (p_figure, p_grouping, agrees, detail);
    RETURN format('check %-20s %-12s %s: %s', p_figure, p_grouping,
                  CASE WHEN agrees THEN 'agree' ELSE 'DIFFER' END, detail);
END
$$;
