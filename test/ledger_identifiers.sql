-- Runs as role arcollect_suite with an empty search_path (README, Tests).
-- No column name of an attached table collides with a name the generated
-- SQL uses.  Every word of every statement arcollect generates (the sync
-- statements of every event, from transition tables and from the
-- table's current rows, and reconcile's) -- aliases, CTE names,
-- output column names, keywords -- becomes a column of a billing table
-- and of a payments table, the mapped columns themselves are named after
-- the generated SQL's own aliases and output columns, and every kind of
-- write is then booked and reconciled.  The same again with the columns
-- added after attach (ALTER TABLE ADD COLUMN), and with tables named
-- after the generated SQL's CTEs.
BEGIN;
SELECT tap.plan(62);

SET LOCAL client_min_messages = error;	-- quarantine warnings are expected

-- Reference tables with names the generated SQL cannot contain.
CREATE TABLE billing.ref_inv (ref_key integer PRIMARY KEY, ref_cust text NOT NULL, ref_amount numeric,
                      ref_due date, ref_issued date, ref_cur text, ref_paid numeric,
                      ref_owner text, ref_status text);
CREATE TABLE billing.ref_inv_open (ref_key integer PRIMARY KEY, ref_cust text NOT NULL, ref_amount numeric,
                           ref_due date, ref_issued date, ref_open numeric);
CREATE TABLE billing.ref_pay (ref_id serial PRIMARY KEY, ref_inv integer, ref_amount numeric,
                      ref_paid_on date, ref_kind text);
SELECT arcollect.attach('billing.ref_inv', key => 'ref_key', customer => 'ref_cust', amount => 'ref_amount',
                        due_on => 'ref_due', issued_on => 'ref_issued', currency => 'ref_cur',
                        paid => 'ref_paid', owner => 'ref_owner', status => 'ref_status');
SELECT arcollect.attach('billing.ref_inv_open', key => 'ref_key', customer => 'ref_cust', amount => 'ref_amount',
                        due_on => 'ref_due', issued_on => 'ref_issued', open => 'ref_open',
                        default_currency => 'EUR');
SELECT arcollect.attach_payments('billing.ref_pay', invoice_key => 'ref_inv', amount => 'ref_amount',
                                 paid_on => 'ref_paid_on', kind => 'ref_kind', invoices => 'billing.ref_inv');

-- Every statement generated for them, from the transition tables and
-- from the tables' current rows.  (Reading the generated SQL is the
-- extension owner's: the helpers that build it are internal.)
CREATE TEMP TABLE generated_sql (tbl text, event text, sql text);
SET ROLE NONE;
INSERT INTO generated_sql
SELECT a.billing_table::text, e.event || CASE WHEN c THEN ' current' ELSE '' END,
       arcollect._sync_sql(a.attachment_id, e.event, c)
  FROM arcollect.attachment a
 CROSS JOIN unnest('{INSERT,UPDATE,DELETE,TRUNCATE,IMPORT}'::text[]) e(event)
 CROSS JOIN unnest('{false,true}'::boolean[]) c
 WHERE a.billing_table IN ('billing.ref_inv'::regclass, 'billing.ref_inv_open'::regclass, 'billing.ref_pay'::regclass)
UNION ALL
SELECT a.billing_table::text, 'reconcile', (arcollect._reconcile_sql(a.billing_table)).statement
  FROM arcollect.attachment a
 WHERE a.billing_table IN ('billing.ref_inv'::regclass, 'billing.ref_inv_open'::regclass, 'billing.ref_pay'::regclass);
RESET ROLE;

-- Every word in them, as written and folded, but the reference tables'
-- own names and the system columns' (which no table may have).
CREATE TEMP TABLE used_name AS
SELECT DISTINCT w.name
  FROM generated_sql g
 CROSS JOIN LATERAL regexp_matches(g.sql, '[A-Za-z_][A-Za-z0-9_$]*', 'g') m
 CROSS JOIN LATERAL (VALUES (m[1]), (lower(m[1]))) w(name)
 WHERE w.name !~* '^ref_'
   AND lower(w.name) NOT IN ('ctid', 'xmin', 'xmax', 'cmin', 'cmax', 'tableoid', 'oid');

SELECT tap.cmp_ok((SELECT count(*) FROM used_name), '>', 150::bigint,
              'the generated SQL uses more than 150 names');
SELECT tap.ok((SELECT array_agg(name) FROM used_name) @> '{s,r,v,w,k,src,n,o,b,cust,amt,pon,reason,row_data}',
          'among them the aliases, CTE names and output columns');

-- CREATE TABLE name (mapped columns, then a text column for every used
-- name that is not mapped); mapped is a list of (name, type).
CREATE FUNCTION pg_temp.create_with_names(tbl text, mapped text[], add_later boolean)
RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
    others text := (SELECT string_agg(format('%I text', u.name), ', ' ORDER BY u.name)
                      FROM used_name u
                     WHERE u.name <> ALL (SELECT mapped[i][1] FROM generate_subscripts(mapped, 1) i));
    cols text := (SELECT string_agg(format('%I %s', mapped[i][1], mapped[i][2]), ', ' ORDER BY i)
                    FROM generate_subscripts(mapped, 1) i);
BEGIN
    IF add_later THEN
        EXECUTE format('CREATE TABLE %s (%s)', tbl, cols);
    ELSE
        EXECUTE format('CREATE TABLE %s (%s, %s)', tbl, cols, others);
    END IF;
END
$fn$;

CREATE FUNCTION pg_temp.add_names(tbl regclass) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
    EXECUTE (SELECT format('ALTER TABLE %s %s', tbl,
                           string_agg(format('ADD COLUMN %I text', u.name), ', ' ORDER BY u.name))
               FROM used_name u
              WHERE NOT EXISTS (SELECT FROM pg_attribute t WHERE t.attrelid = tbl AND t.attname = u.name));
END
$fn$;

-- The mapped columns take the names of the generated SQL's aliases and
-- output columns, some swapped (a column named "due" holds the issue date).
CREATE FUNCTION pg_temp.make_tables(inv text, pay text, add_later boolean) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM pg_temp.create_with_names(inv,
        '{{s,integer PRIMARY KEY},{cust,text},{k,numeric},{iss,date},{due,date},{r,text},{amt,numeric},{status,text},{owner,text}}',
        add_later);
    PERFORM pg_temp.create_with_names(pay,
        '{{w,serial PRIMARY KEY},{k,integer},{pon,numeric},{amt,date},{r,text}}', add_later);
    EXECUTE format($a$SELECT arcollect.attach(%L, key => 's', customer => 'cust', amount => 'k',
                                              due_on => 'iss', issued_on => 'due', currency => 'r',
                                              paid => 'amt', owner => 'status', status => 'owner')$a$, inv);
    EXECUTE format($a$SELECT arcollect.attach_payments(%L, invoice_key => 'k', amount => 'pon',
                                                       paid_on => 'amt', kind => 'r', invoices => %L)$a$,
                   pay, inv);
    IF add_later THEN
        PERFORM pg_temp.add_names(inv::regclass);
        PERFORM pg_temp.add_names(pay::regclass);
    END IF;
END
$fn$;

-- Nothing out of line between the ledger and both tables.
CREATE FUNCTION pg_temp.problems(inv regclass, pay regclass) RETURNS bigint
LANGUAGE sql AS $$
    SELECT (SELECT count(*) FROM arcollect.reconcile(inv)) + (SELECT count(*) FROM arcollect.reconcile(pay))
$$;

-- Every kind of write, each followed by a check; returns the checks.
CREATE FUNCTION pg_temp.exercise(inv regclass, pay regclass, label text) RETURNS SETOF text
LANGUAGE plpgsql AS $fn$
BEGIN
    -- new invoices (the fast path), one unusable (due before issue)
    EXECUTE format($q$INSERT INTO %s (s, cust, k, iss, due, r, amt, status, owner, src, reason)
                      VALUES (1, 'c1', 100, '2025-01-31', '2025-01-01', 'EUR', 0, 'ann', 'open', 'x', 'y'),
                             (2, 'c1', 200, '2025-02-28', '2025-02-01', 'eur', 50, 'bob', 'open', 'x', 'y'),
                             (3, 'c2', 300, '2025-01-01', '2025-02-01', 'EUR', 0, 'ann', 'open', 'x', 'y')$q$, inv);
    RETURN NEXT tap.is(pg_temp.problems(inv, pay), 0::bigint, label || ': INSERT of invoices');
    RETURN NEXT tap.is((SELECT count(*) FROM arcollect.quarantine q JOIN arcollect.attachment a USING (attachment_id)
                     WHERE a.billing_table = inv), 1::bigint, label || ': the unusable invoice is in quarantine');
    EXECUTE format($q$UPDATE %s SET k = k + 5, owner = 'VOID' WHERE s = 2$q$, inv);
    EXECUTE format($q$UPDATE %s SET iss = '2025-03-01', s = 30 WHERE s = 3$q$, inv);
    RETURN NEXT tap.is(pg_temp.problems(inv, pay), 0::bigint, label || ': UPDATE of invoices (amount, void, key)');
    EXECUTE format($q$DELETE FROM %s WHERE s = 30$q$, inv);
    -- a deleted key coming back goes through the SQL statement
    EXECUTE format($q$INSERT INTO %s (s, cust, k, iss, due, r, amt) VALUES (30, 'c2', 30, '2025-03-01', '2025-01-01', 'USD', 0)$q$, inv);
    RETURN NEXT tap.is(pg_temp.problems(inv, pay), 0::bigint, label || ': DELETE, and the key inserted again');

    EXECUTE format($q$INSERT INTO %s (k, pon, amt, r, src, n)
                      VALUES (1, 40, '2025-01-10', 'payment', 'x', 'y'),
                             (1, 10, '2025-01-11', 'credit note', 'x', 'y'),
                             (30, 5, NULL, 'payment', 'x', 'y'),
                             (99, 5, '2025-01-11', 'gift', 'x', 'y')$q$, pay);
    RETURN NEXT tap.is(pg_temp.problems(inv, pay), 0::bigint, label || ': INSERT of payments');
    RETURN NEXT tap.is((SELECT count(*) FROM arcollect.quarantine q JOIN arcollect.attachment a USING (attachment_id)
                     WHERE a.billing_table = pay), 2::bigint, label || ': two unusable payments in quarantine');
    EXECUTE format($q$UPDATE %s SET pon = pon * 2, amt = coalesce(amt, '2025-01-20') WHERE k IN (1, 30)$q$, pay);
    RETURN NEXT tap.is(pg_temp.problems(inv, pay), 0::bigint, label || ': UPDATE of payments');
    EXECUTE format($q$DELETE FROM %s WHERE r = 'gift' OR pon = 20$q$, pay);
    RETURN NEXT tap.is(pg_temp.problems(inv, pay), 0::bigint, label || ': DELETE of payments');
    RETURN NEXT tap.is((SELECT sum(open_amount) FROM arcollect._open_amount oa JOIN arcollect.attachment a USING (attachment_id)
                     WHERE a.billing_table = inv),
                   -- 1: 100 - 80 = 20; 2: void, 0; 30: 30 - 10 = 20
                   40::numeric, label || ': open amounts as computed by hand');
END
$fn$;

CREATE FUNCTION pg_temp.truncate_both(inv regclass, pay regclass, label text) RETURNS SETOF text
LANGUAGE plpgsql AS $fn$
BEGIN
    EXECUTE format('TRUNCATE %s', pay);
    RETURN NEXT tap.is(pg_temp.problems(inv, pay), 0::bigint, label || ': TRUNCATE of payments');
    EXECUTE format('TRUNCATE %s', inv);
    RETURN NEXT tap.is(pg_temp.problems(inv, pay), 0::bigint, label || ': TRUNCATE of invoices');
END
$fn$;

-- 1. The columns are there when the tables are attached.
SELECT tap.lives_ok($$SELECT pg_temp.make_tables('billing.names_inv', 'billing.names_pay', false)$$,
                'tables with a column of every used name attach');
SELECT tap.cmp_ok((SELECT count(*) FROM pg_attribute WHERE attrelid = 'billing.names_inv'::regclass AND attnum > 0),
              '>', 150::bigint, 'the billing table has a column of every name');
SELECT * FROM pg_temp.exercise('billing.names_inv', 'billing.names_pay', 'columns at attach');
COPY billing.names_inv (s, cust, k, iss, due, r, amt) FROM STDIN;
40	c4	10	2025-01-01	2025-01-31	EUR	0
41	c4	10	2025-01-01	\N	EUR	0
\.
COPY billing.names_pay (k, pon, amt, r) FROM STDIN;
40	4	2025-01-05	payment
40	4	\N	payment
\.
SELECT tap.is(pg_temp.problems('billing.names_inv', 'billing.names_pay'), 0::bigint, 'columns at attach: COPY into both tables');
SELECT * FROM pg_temp.truncate_both('billing.names_inv', 'billing.names_pay', 'columns at attach');

-- The same tables with triggers of their own: booked from their current
-- rows (the keys come back: the SQL statement books them).
CREATE FUNCTION pg_temp.nothing() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NULL; END$$;
CREATE TRIGGER a_nothing AFTER INSERT OR UPDATE OR DELETE ON billing.names_inv
    FOR EACH STATEMENT EXECUTE FUNCTION pg_temp.nothing();
CREATE TRIGGER a_nothing AFTER INSERT OR UPDATE OR DELETE ON billing.names_pay
    FOR EACH STATEMENT EXECUTE FUNCTION pg_temp.nothing();
SELECT * FROM pg_temp.exercise('billing.names_inv', 'billing.names_pay', 'current rows');
SELECT * FROM pg_temp.truncate_both('billing.names_inv', 'billing.names_pay', 'current rows');

-- 2. The columns are added after attach.
SELECT tap.lives_ok($$SELECT pg_temp.make_tables('billing.later_inv', 'billing.later_pay', true)$$,
                'tables attached, then given a column of every used name');
SELECT tap.cmp_ok((SELECT count(*) FROM pg_attribute WHERE attrelid = 'billing.later_pay'::regclass AND attnum > 0),
              '>', 150::bigint, 'the payments table has a column of every name');
SELECT * FROM pg_temp.exercise('billing.later_inv', 'billing.later_pay', 'columns added later');
SELECT * FROM pg_temp.truncate_both('billing.later_inv', 'billing.later_pay', 'columns added later');

-- 3. Tables named after CTEs of the generated SQL (temporary tables
-- cannot be attached; a temporary table of the same name as a CTE is in
-- the session too, and must capture nothing either).
CREATE TEMP TABLE src (k text);
CREATE TEMP TABLE touched (k text);
SELECT tap.lives_ok($$SELECT pg_temp.make_tables('billing.src', 'billing.n', false)$$,
                'tables named src and n attach');
SELECT * FROM pg_temp.exercise('billing.src', 'billing.n', 'tables named src and n');
SELECT * FROM pg_temp.truncate_both('billing.src', 'billing.n', 'tables named src and n');
SELECT tap.lives_ok($$SELECT pg_temp.make_tables('billing.b', 'billing.o', true)$$,
                'tables named b and o attach');
SELECT * FROM pg_temp.exercise('billing.b', 'billing.o', 'tables named b and o');

SELECT * FROM tap.finish();
ROLLBACK;
