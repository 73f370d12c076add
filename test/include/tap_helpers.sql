-- Helpers for the pgTAP files that look at plans and results (included
-- with \ir inside their transaction): run a query that returns one
-- bigint, and show a query's plan.  Dynamic SQL is needed because pgTAP's
-- functions are parallel unsafe: a query that calls them is never planned
-- in parallel itself.  They live in pg_temp, which needs no schema of
-- one's own and is never searched for functions: call them qualified,
-- pg_temp.tap_scalar(...) and pg_temp.tap_plan(...).
CREATE FUNCTION pg_temp.tap_scalar(query text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    result bigint;
BEGIN
    EXECUTE query INTO result;
    RETURN result;
END
$$;

CREATE FUNCTION pg_temp.tap_plan(query text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    line text;
    result text := '';
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || query LOOP
        result := result || line || E'\n';
    END LOOP;
    RETURN result;
END
$$;
