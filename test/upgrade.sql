-- Runs as role arcollect_suite with an empty search_path (README, Tests).
-- ALTER EXTENSION arcollect UPDATE from every released version.
--
-- scripts/test.sh built each release listed in test/upgrade/releases from
-- its commit, ran it on this cluster, and filled a database
-- arcollect_from_<version> with it (test/upgrade/fill-<version>.sql)
-- before restarting the cluster on this tree's build.  Here each of those
-- databases is upgraded, then compared with a fresh install of the newest
-- version made in a database of its own: the same objects, definitions,
-- comments and privileges (test/include/catalog_snapshot.sql); every row
-- kept; the same balances and open items at past dates; a ledger that
-- ties out; and triggers that book new writes with the new code.
--
-- Creating databases and extensions and updating an extension are the
-- DBA's: the sessions this file opens log in as the superuser the
-- connection is (session_user), with the default search_path the fill
-- scripts had (the open items they kept name their tables unqualified).
\set snapshot `cat test/include/catalog_snapshot.sql`
BEGIN;
SET LOCAL client_min_messages = warning;

CREATE TEMP TABLE upgraded AS
SELECT d.datname, substr(d.datname, length('arcollect_from_') + 1) AS version
  FROM pg_database d WHERE d.datname LIKE 'arcollect\_from\_%' ORDER BY 1;

SELECT tap.plan(5 + 17 * (SELECT count(*)::integer FROM upgraded));

SELECT tap.cmp_ok((SELECT count(*) FROM upgraded), '>=', 1::bigint,
                  'the suite prepared a database for every release (at least one)');

-- (dblink_connect_u: dblink_connect refuses a role that is not a
-- superuser a connection without a password)
SELECT format('dbname=%s host=%s port=%s user=%s', '%s', :'HOST', :'PORT', session_user) AS conn_template \gset
\o /dev/null
SELECT dblink.dblink_connect_u('dba', format(:'conn_template', current_database()));

-- A fresh install of the newest version, in a database of its own.
SELECT dblink.dblink_exec('dba', 'DROP DATABASE IF EXISTS arcollect_upgrade_fresh');
SELECT dblink.dblink_exec('dba', 'CREATE DATABASE arcollect_upgrade_fresh');
SELECT dblink.dblink_connect_u('fresh', format(:'conn_template', 'arcollect_upgrade_fresh'));
SELECT dblink.dblink_exec('fresh', 'CREATE EXTENSION arcollect');
CREATE TEMP TABLE fresh_catalog AS
SELECT * FROM dblink.dblink('fresh', :'snapshot') AS t(kind text, object text, definition text);
SELECT dblink.dblink_disconnect('fresh');
\o

-- The checks for one upgraded database, as TAP lines.
CREATE FUNCTION pg_temp.upgrade_checks(db text, version text, conn_template text, snapshot text)
RETURNS SETOF text
LANGUAGE plpgsql AS $fn$
DECLARE
    problem text;
    n bigint;
BEGIN
    PERFORM dblink.dblink_connect_u('up', format(conn_template, db));

    -- (1) the upgrade itself
    BEGIN
        PERFORM dblink.dblink_exec('up', 'ALTER EXTENSION arcollect UPDATE');
        problem := NULL;
    EXCEPTION WHEN OTHERS THEN
        problem := SQLERRM;
    END;
    RETURN NEXT tap.is(problem, NULL, format('from %s: ALTER EXTENSION arcollect UPDATE succeeds', version));
    -- what the rows are now, kept the way fill-<version>.sql kept them before
    PERFORM dblink.dblink_exec('up', $q$
        CREATE TABLE upgrade_check.rows_after (table_name text, identity jsonb);
        DO $do$
        DECLARE
            t regclass;
        BEGIN
            FOR t IN SELECT DISTINCT table_name::regclass FROM upgrade_check.rows_before LOOP
                EXECUTE format('INSERT INTO upgrade_check.rows_after SELECT %L, to_jsonb(r) FROM %s r', t, t);
            END LOOP;
        END
        $do$;$q$);
    RETURN NEXT tap.is((SELECT v FROM dblink.dblink('up', $q$SELECT extversion FROM pg_extension WHERE extname = 'arcollect'$q$)
                                   AS t(v text)),
                       (SELECT default_version FROM pg_available_extensions WHERE name = 'arcollect'),
                       format('from %s: the database is at the newest version', version));

    -- what the DBA granted on 0.1.0's customer table holds on the view;
    -- then those grants go, so that the catalog compares with a fresh
    -- install (which has none; the privilege functions need no USAGE on
    -- the schema, which the fill script leaves alone: an ACL once granted
    -- and revoked is no longer the default one)
    RETURN NEXT tap.is((SELECT v FROM dblink.dblink('up', $q$
                            SELECT array_agg(p ORDER BY p) FROM unnest(ARRAY['SELECT', 'UPDATE', 'INSERT', 'DELETE']) p
                             WHERE has_table_privilege('upgrade_collector', 'arcollect.customer', p || ' WITH GRANT OPTION')$q$)
                                AS t(v text[])),
                       ARRAY['SELECT', 'UPDATE'],
                       format('from %s: a role granted SELECT and UPDATE on the customer table has them on the view, grant option included', version));
    RETURN NEXT tap.is((SELECT v FROM dblink.dblink('up', $q$
                            SELECT array_agg(a.attname::text ORDER BY a.attname)
                              FROM pg_attribute a
                             WHERE a.attrelid = 'arcollect.customer'::regclass AND a.attnum > 0
                               AND has_column_privilege('upgrade_bi', a.attrelid, a.attnum, 'SELECT')$q$)
                                AS t(v text[])),
                       ARRAY['customer_id', 'segment'],
                       format('from %s: a role granted two columns of the customer table reads those two on the view, and no other', version));
    PERFORM dblink.dblink_exec('up', $q$
        REVOKE ALL ON arcollect.customer FROM upgrade_collector CASCADE;
        REVOKE ALL ON arcollect.customer FROM upgrade_bi;$q$);

    -- (2) the same objects as a fresh install
    CREATE TEMP TABLE up_catalog ON COMMIT DROP AS
    SELECT * FROM dblink.dblink('up', snapshot) AS t(kind text, object text, definition text);
    SELECT string_agg(x.kind || ' ' || x.object, E'\n' ORDER BY x.kind, x.object) INTO problem
      FROM (SELECT * FROM fresh_catalog EXCEPT ALL SELECT * FROM up_catalog) x;
    RETURN NEXT tap.is(problem, NULL,
                       format('from %s: nothing of a fresh install is missing or different after the upgrade', version));
    SELECT string_agg(x.kind || ' ' || x.object, E'\n' ORDER BY x.kind, x.object) INTO problem
      FROM (SELECT * FROM up_catalog EXCEPT ALL SELECT * FROM fresh_catalog) x;
    RETURN NEXT tap.is(problem, NULL,
                       format('from %s: the upgrade leaves nothing a fresh install does not have', version));
    DROP TABLE up_catalog;

    -- (3) every row kept, and the ledger says what it said
    SELECT string_agg(x.table_name || ' ' || x.identity::text, E'\n') INTO problem
      FROM dblink.dblink('up', $q$
            SELECT b.table_name, b.identity FROM upgrade_check.rows_before b
             WHERE NOT EXISTS (SELECT FROM upgrade_check.rows_after a
                                WHERE a.table_name = b.table_name AND a.identity @> b.identity)
               -- (but the invoice rows of keys known only from payments: see below)
               AND NOT (b.table_name::regclass = 'arcollect.invoice'::regclass
                        AND EXISTS (SELECT FROM upgrade_check.payment_keys_before k
                                     WHERE b.identity = jsonb_build_object('invoice_key', k.invoice_key,
                                                                           'attachment_id', k.attachment_id)))$q$)
           AS x(table_name text, identity jsonb);
    RETURN NEXT tap.is(problem, NULL, format('from %s: every row of every arcollect table is kept', version));
    -- keys known only from payments lose their invoice row and keep their
    -- payments in the history
    RETURN NEXT tap.cmp_ok((SELECT c FROM dblink.dblink('up', 'SELECT count(*) FROM upgrade_check.payment_keys_before')
                                          AS t(c bigint)),
                           '>=', 1::bigint, format('from %s: the filled database had keys known only from payments', version));
    RETURN NEXT tap.is((SELECT string_agg(k, ', ') FROM dblink.dblink('up', $q$
                            SELECT k.invoice_key FROM upgrade_check.payment_keys_before k
                             WHERE EXISTS (SELECT FROM arcollect.invoice i
                                            WHERE i.attachment_id = k.attachment_id AND i.invoice_key = k.invoice_key)
                                OR k.open_amount IS DISTINCT FROM
                                   (SELECT sum(x.amount) FROM arcollect._history x
                                     WHERE x.attachment_id = k.attachment_id AND x.invoice_key = k.invoice_key)$q$)
                                AS t(k text)),
                       NULL, format('from %s: keys known only from payments have no invoice row and keep their payments', version));
    SELECT count(*) INTO n FROM dblink.dblink('up', 'SELECT 1 FROM upgrade_check.rows_before') AS t(x int);
    RETURN NEXT tap.cmp_ok(n, '>', 500::bigint, format('from %s: the filled database had rows to keep', version));
    RETURN NEXT tap.is((SELECT string_agg(t.c, E'\n') FROM dblink.dblink('up', $q$
                            SELECT coalesce(b.customer_id, a.customer_id) || ': ' || coalesce(b::text, '-') || ' became ' || coalesce(a::text, '-')
                              FROM (SELECT customer_id, name, owner, segment, credit_limit, time_zone, do_not_contact,
                                           opt_out_channels, escalation_policy, first_seen_attachment_id, created_at
                                      FROM upgrade_check.customers_before) b
                              FULL JOIN (SELECT customer_id, name, owner, segment, credit_limit, time_zone, do_not_contact,
                                                opt_out_channels, escalation_policy, first_seen_attachment_id, created_at
                                           FROM arcollect.customer) a ON a.customer_id = b.customer_id
                             WHERE a IS DISTINCT FROM b$q$) AS t(c text)),
                       NULL, format('from %s: every customer reads as before, with every edit users made', version));
    RETURN NEXT tap.is((SELECT count(*) FROM dblink.dblink('up', $q$
                            (SELECT * FROM upgrade_check.balances_before
                             EXCEPT SELECT d.as_of, b.currency, b.balance
                                      FROM (SELECT DISTINCT as_of FROM upgrade_check.balances_before) d
                                     CROSS JOIN LATERAL arcollect.receivables_balance(d.as_of) b)
                            UNION ALL
                            (SELECT d.as_of, b.currency, b.balance
                               FROM (SELECT DISTINCT as_of FROM upgrade_check.balances_before) d
                              CROSS JOIN LATERAL arcollect.receivables_balance(d.as_of) b
                             EXCEPT SELECT * FROM upgrade_check.balances_before)$q$)
                            AS t(as_of date, currency text, balance numeric)),
                       0::bigint, format('from %s: the balances at past dates are the same', version));
    RETURN NEXT tap.is((SELECT count(*) FROM dblink.dblink('up', $q$
                            WITH now AS (SELECT d.as_of, o.billing_table::text AS billing_table, o.invoice_key,
                                                o.currency, o.open_amount
                                           FROM (SELECT DISTINCT as_of FROM upgrade_check.open_items_before) d
                                          CROSS JOIN LATERAL arcollect.open_items(d.as_of) o)
                            (SELECT * FROM upgrade_check.open_items_before EXCEPT SELECT * FROM now)
                            UNION ALL
                            (SELECT * FROM now EXCEPT SELECT * FROM upgrade_check.open_items_before)$q$)
                            AS t(as_of date, billing_table text, invoice_key text, currency text, open_amount numeric)),
                       0::bigint, format('from %s: the open items at past dates are the same', version));

    -- (4) the triggers book new writes with the new code
    RETURN NEXT tap.is((SELECT string_agg(t.a || ': ' || r.invoice_key || ' ' || r.problem, E'\n')
                          FROM dblink.dblink('up', $q$SELECT billing_table::text FROM arcollect.attachment
                                                       WHERE detached_at IS NULL$q$) AS t(a text)
                         CROSS JOIN LATERAL dblink.dblink('up', format('SELECT invoice_key, problem FROM arcollect.reconcile(%L)', t.a))
                               AS r(invoice_key text, problem text)),
                       NULL, format('from %s: the upgraded ledger ties out with every attached table', version));
    PERFORM dblink.dblink_exec('up', $q$
        SET client_min_messages = error;
        INSERT INTO bill SELECT g, 'N' || g % 5, 500 + g, current_date - 40 + g % 30, current_date - 10 + g % 30,
                                'EUR', 0, 'rep1', 'open'
                           FROM generate_series(1001, 1200) g;
        UPDATE bill SET paid = amount / 2 WHERE id BETWEEN 1001 AND 1050;
        UPDATE bill SET amount = amount + 1 WHERE id % 7 = 0;
        DELETE FROM bill WHERE id BETWEEN 1190 AND 1200;
        INSERT INTO pay (bill_id, amount, paid_on, kind)
        SELECT g, 25, current_date, 'payment' FROM generate_series(1001, 1100) g;
        DELETE FROM pay WHERE bill_id BETWEEN 1090 AND 1100;
        INSERT INTO pbill SELECT g, 'P' || g % 3, 3 * g, now(), current_date + 30 FROM generate_series(1901, 1998) g;
        TRUNCATE pbill_1;
        INSERT INTO bill VALUES (9999, 'Z9', 500, current_date - 5, current_date + 25, 'EUR', 0, 'rep2', 'open');
        COPY bill FROM PROGRAM 'seq 2001 2100 | sed "s/.*/&,Z1,10,2025-06-01,2025-07-01,EUR,0,rep2,open/"' (FORMAT csv);$q$);
    RETURN NEXT tap.is((SELECT string_agg(t.a || ': ' || r.invoice_key || ' ' || r.problem, E'\n')
                          FROM dblink.dblink('up', $q$SELECT billing_table::text FROM arcollect.attachment
                                                       WHERE detached_at IS NULL$q$) AS t(a text)
                         CROSS JOIN LATERAL dblink.dblink('up', format('SELECT invoice_key, problem FROM arcollect.reconcile(%L)', t.a))
                               AS r(invoice_key text, problem text)),
                       NULL, format('from %s: after new writes the ledger still ties out', version));
    RETURN NEXT tap.is((SELECT c FROM dblink.dblink('up', $q$
                            SELECT count(*) FROM arcollect.invoice i JOIN arcollect.attachment a USING (attachment_id)
                             WHERE a.billing_table = 'bill'::regclass AND CASE WHEN i.invoice_key ~ '^[0-9]+$' THEN i.invoice_key::int END BETWEEN 1001 AND 2100
                               AND i.in_billing$q$) AS t(c bigint)),
                       289::bigint, format('from %s: the new invoices are in the ledger', version));
    -- 9999, known only from a payment of 5 before the upgrade, billed now
    RETURN NEXT tap.is((SELECT o FROM dblink.dblink('up', $q$
                            SELECT open_amount FROM arcollect.open_items()
                             WHERE billing_table = 'bill'::regclass AND invoice_key = '9999'$q$) AS t(o numeric)),
                       495::numeric, format('from %s: a key known only from payments is billed with its payment', version));
    PERFORM dblink.dblink_disconnect('up');
END
$fn$;

-- A new build installed, the update not run yet: the oldest release's SQL
-- objects with this library.  Billing writes go through and the ledger
-- waits; the update brings it up to date.
\o /dev/null
SELECT dblink.dblink_exec('dba', 'CREATE DATABASE arcollect_upgrade_window');
SELECT dblink.dblink_connect_u('window', format(:'conn_template', 'arcollect_upgrade_window'));
SELECT dblink.dblink_exec('window', format('CREATE EXTENSION arcollect VERSION %L', min(version)))
  FROM (SELECT version FROM pg_available_extension_versions WHERE name = 'arcollect'
         ORDER BY string_to_array(version, '.')::int[] LIMIT 1) v;
\o
SELECT tap.lives_ok(format('SELECT dblink.dblink_exec(%L, %L)', 'window', $q$
    SET client_min_messages = error;
    CREATE TABLE wbill (id int PRIMARY KEY, cust text NOT NULL, amount numeric, issued date, due date);
    SELECT arcollect.attach('wbill', key => 'id', customer => 'cust', amount => 'amount', due_on => 'due',
                            issued_on => 'issued', default_currency => 'EUR');
    INSERT INTO wbill SELECT g, 'W' || g % 3, g, '2025-01-01', '2025-02-01' FROM generate_series(1, 100) g;
    UPDATE wbill SET amount = amount + 1 WHERE id <= 10;
    DELETE FROM wbill WHERE id > 90;$q$),
    'with the old SQL objects and the new library, billing writes go through');
SELECT tap.cmp_ok((SELECT n FROM dblink.dblink('window', $q$SELECT count(*) FROM arcollect.reconcile('wbill')$q$) t(n bigint)),
                  '>', 0::bigint, 'the ledger waits for the update (reconcile shows what it has not booked)');
-- The aggregates' state changed type since 0.1.0 (internal then): the
-- new library refuses to run under 0.1.0's aggregates rather than give
-- PostgreSQL a state it would not keep.
SELECT tap.throws_ok(format('SELECT * FROM dblink.dblink(%L, %L) t(a text)', 'window',
                            $q$SELECT arcollect.aging(due, amount, date '2025-03-01')::text FROM wbill$q$),
                     '55000', NULL,
                     'with the old SQL objects and the new library, an aggregate stops and says to update');
SELECT tap.is((SELECT n FROM dblink.dblink('window', $q$
                   ALTER EXTENSION arcollect UPDATE;
                   SELECT count(*) FROM arcollect.reconcile('wbill')$q$) t(n bigint)),
              0::bigint, 'after ALTER EXTENSION arcollect UPDATE the ledger ties out');
\o /dev/null
SELECT dblink.dblink_disconnect('window');
SELECT dblink.dblink_exec('dba', 'DROP DATABASE arcollect_upgrade_window');
\o

SELECT t.line FROM upgraded u
 CROSS JOIN LATERAL (SELECT * FROM pg_temp.upgrade_checks(u.datname, u.version, :'conn_template', :'snapshot')) t(line);

\o /dev/null
SELECT dblink.dblink_exec('dba', 'DROP DATABASE arcollect_upgrade_fresh');
SELECT dblink.dblink_disconnect('dba');
\o

SELECT * FROM tap.finish();
ROLLBACK;
