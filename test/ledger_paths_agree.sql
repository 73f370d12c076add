-- Runs as role arcollect_suite with an empty search_path (README, Tests).
-- Property: the C fast path and the SQL statement book the same ledger.
-- Two databases get the same billing and payments tables and the same
-- seeded random statements: arcollect_paths_on with the fast path
-- (arcollect.ledger_fast_path = on, the default), arcollect_paths_off
-- with it off, so that every INSERT and COPY there is booked by the SQL
-- statement.  Their ledger tables must then hold the same rows, every
-- column compared but generated identifiers and timestamps (the columns
-- are read from the catalog, so that a column added or removed is
-- compared too), and reconcile finds nothing in either.
--
-- Four table shapes between them map every column type attach accepts
-- (keys, customers, owners and statuses of several types, an enum
-- status among them; amounts numeric, smallint, integer, bigint; dates
-- date, timestamp, timestamptz; currencies text, varchar, char(3)), paid
-- or open columns, with and without paid_on and default currency; two of
-- them have an AFTER ROW trigger of their own that updates the inserted
-- row.  The statements: multi-row INSERT and COPY (one of more than a
-- thousand rows, which the fast path writes in batches), updates of any
-- column and of the key, deletes and re-inserts of the same keys, and
-- payments (of every kind, for keys billed or not yet billed); rows
-- carry non-ASCII text and statuses, NULLs, void and credit statuses, and
-- every reason for quarantine an invoice or payment row can have with a
-- unique key.
--
-- Creating databases is the DBA's: the sessions this file opens log in
-- as the superuser the connection is (session_user).
BEGIN;
SELECT tap.plan(10);
SET LOCAL client_min_messages = warning;

SELECT format('dbname=%s host=%s port=%s user=%s', '%s', :'HOST', :'PORT', session_user) AS conn_template \gset
\o /dev/null
SELECT dblink.dblink_connect_u('dba', format(:'conn_template', current_database()));
SELECT dblink.dblink_exec('dba', 'DROP DATABASE IF EXISTS ' || d) FROM unnest('{arcollect_paths_on,arcollect_paths_off}'::text[]) d;
SELECT dblink.dblink_exec('dba', 'CREATE DATABASE ' || d) FROM unnest('{arcollect_paths_on,arcollect_paths_off}'::text[]) d;
SELECT dblink.dblink_connect_u('on', format(:'conn_template', 'arcollect_paths_on'));
SELECT dblink.dblink_connect_u('off', format(:'conn_template', 'arcollect_paths_off')
                                      || ' options=''-c arcollect.ledger_fast_path=off''');
\o

-- Runs statements in both databases, "on" first (ending them with a
-- command: dblink_exec takes no rows back).
CREATE FUNCTION pg_temp.both(sql text) RETURNS integer
LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM dblink.dblink_exec('on', sql || '; SET application_name = ''paths''');
    PERFORM dblink.dblink_exec('off', sql || '; SET application_name = ''paths''');
    RETURN 1;
END
$fn$;

SELECT pg_temp.both($$SET client_min_messages = error; CREATE EXTENSION arcollect; CREATE SCHEMA billing;
                      CREATE TYPE billing.state AS ENUM ('open', 'void', 'VOID', 'credit', 'ÉCHU', 'échu', 'annulée')$$);
SELECT tap.is((SELECT s FROM dblink.dblink('on', 'SHOW arcollect.ledger_fast_path') t(s text))
              || '/' || (SELECT s FROM dblink.dblink('off', 'SHOW arcollect.ledger_fast_path') t(s text)),
              'on/off', 'one database books with the fast path, the other without');

-- The table shapes: the type of each mapped column.
CREATE TEMP TABLE shape (v integer PRIMARY KEY, key_t text, cust_t text, amt_t text, iss_t text, due_t text,
                         money_t text, money_col text, cur_t text, rep_t text, status_t text, paid_on_t text,
                         default_cur text, nested boolean);
INSERT INTO shape VALUES
    (0, 'text', 'text', 'numeric', 'date', 'timestamptz', 'integer', 'paid', 'text', 'text', 'text',
     'timestamp', 'EUR', false),
    (1, 'integer', 'varchar(40)', 'smallint', 'timestamp', 'date', 'numeric(14,2)', 'open', 'varchar(8)',
     'varchar(1200)', 'varchar(12)', NULL, 'EUR', true),
    (2, 'varchar(20)', 'char(12)', 'integer', 'timestamptz', 'timestamp', 'bigint', 'paid', 'char(3)', 'text',
     'billing.state', 'date', NULL, false),
    (3, 'numeric', 'integer', 'bigint', 'date', 'date', 'smallint', 'open', 'text', 'char(8)', 'char(12)',
     NULL, NULL, true);

-- Key n of shape v, as text.
CREATE FUNCTION pg_temp.key(v integer, n integer) RETURNS text
LANGUAGE sql AS $$
    SELECT CASE v WHEN 0 THEN 'k' || n WHEN 1 THEN n::text WHEN 2 THEN 'ké' || n ELSE (n / 4.0)::text END
$$;

CREATE FUNCTION pg_temp.lit(value text, type text) RETURNS text
LANGUAGE sql AS $$ SELECT coalesce(quote_literal(value), 'NULL') || '::' || type $$;

CREATE FUNCTION pg_temp.pick(a text[]) RETURNS text
LANGUAGE sql AS $$ SELECT a[1 + floor(random() * cardinality(a))::integer] $$;

-- A random billing row of shape s with key n, as a parenthesized list of
-- literals in column order; one in four is unusable, for a random reason.
CREATE FUNCTION pg_temp.invoice_row(s shape, n integer) RETURNS text
LANGUAGE plpgsql AS $fn$
DECLARE
    bad integer := CASE WHEN random() < 0.25 THEN floor(random() * 15)::integer ELSE -1 END;
    k text := pg_temp.key(s.v, n);
    cust text := pg_temp.pick(CASE WHEN s.cust_t = 'integer' THEN '{1,2,3,4,5,6}'
                                   ELSE '{c1,c2,c3,Müller,東京,Zoë}' END::text[]);
    status text := pg_temp.pick('{NULL,open,open,void,VOID,ÉCHU,échu,annulée,credit}');
    amt integer := 1 + floor(random() * 2000)::integer;
    iss date := date '2025-01-01' + floor(random() * 300)::integer;
    due date;
    paid integer := CASE WHEN random() < 0.4 THEN 0 ELSE floor(random() * (amt + 200))::integer END;
    money text;
    cur text := pg_temp.pick('{EUR,usd," gbp ",NULL}');
    rep text := pg_temp.pick('{ann,Zoë,bob,NULL}');
    paid_on text := CASE WHEN random() < 0.3 THEN NULL ELSE (iss + floor(random() * 90)::integer)::text END;
    note text := CASE WHEN random() < 0.3 THEN 'nest' END;
    iss_text text;
    due_text text;
    amt_text text;
BEGIN
    IF status = 'credit' AND random() < 0.7 THEN
        amt := -amt;
        paid := 0;
    END IF;
    due := iss + floor(random() * 60)::integer;
    iss_text := iss || ' 13:30';
    due_text := due || ' 08:15';
    amt_text := amt::text;
    money := CASE s.money_col WHEN 'paid' THEN paid::text ELSE (amt - paid)::text END;
    CASE bad
        WHEN 0 THEN cust := NULL;
        WHEN 1 THEN cust := CASE WHEN s.cust_t = 'text' THEN repeat('é', 600) END;
        WHEN 2 THEN amt_text := NULL;
        WHEN 3 THEN amt_text := CASE WHEN s.amt_t = 'numeric' THEN '1e40' END;
        WHEN 4 THEN iss_text := NULL;
        WHEN 5 THEN due_text := NULL;
        WHEN 6 THEN iss_text := 'infinity';
        WHEN 7 THEN due_text := (iss - 5)::text;
        WHEN 8 THEN cur := NULL;
        WHEN 9 THEN cur := 'XXX';
        WHEN 10 THEN cur := 'ÉU';  -- three bytes, one not ASCII
        WHEN 11 THEN amt_text := (-abs(amt))::text; status := 'open';
        WHEN 12 THEN money := NULL;
        WHEN 13 THEN rep := CASE WHEN s.rep_t IN ('text', 'varchar(1200)') THEN repeat('x', 1001) END;
        WHEN 14 THEN k := CASE WHEN s.v = 0 THEN repeat('k', 1001) || n ELSE k END;
        ELSE NULL;
    END CASE;
    RETURN format('(%s)', concat_ws(', ', pg_temp.lit(k, s.key_t), pg_temp.lit(cust, s.cust_t),
                                    pg_temp.lit(amt_text, s.amt_t), pg_temp.lit(iss_text, s.iss_t),
                                    pg_temp.lit(due_text, s.due_t), pg_temp.lit(money, s.money_t),
                                    pg_temp.lit(cur, s.cur_t), pg_temp.lit(rep, s.rep_t),
                                    pg_temp.lit(status, s.status_t),
                                    pg_temp.lit(paid_on, coalesce(s.paid_on_t, 'date')),
                                    pg_temp.lit(note, 'text')));
END
$fn$;

-- A random payments row for key n of shape s (inv, amt, paid_on, kind).
CREATE FUNCTION pg_temp.payment_row(s shape, n integer) RETURNS text
LANGUAGE plpgsql AS $fn$
DECLARE
    bad integer := CASE WHEN random() < 0.2 THEN floor(random() * 4)::integer ELSE -1 END;
    k text := pg_temp.key(s.v, n);
    amt text := (1 + floor(random() * 500)::integer)::text;
    paid_on text := (date '2025-02-01' + floor(random() * 300)::integer)::text;
    kind text := pg_temp.pick('{NULL,payment,payment,credit_note,write_off,Credit_Note}');
BEGIN
    CASE bad
        WHEN 0 THEN k := NULL;
        WHEN 1 THEN amt := NULL;
        WHEN 2 THEN paid_on := NULL;
        WHEN 3 THEN kind := 'refund';
        ELSE NULL;
    END CASE;
    RETURN format('(%s)', concat_ws(', ', pg_temp.lit(k, s.key_t), pg_temp.lit(amt, s.amt_t),
                                    pg_temp.lit(paid_on, s.iss_t), pg_temp.lit(kind, 'text')));
END
$fn$;

-- The tables of shape s in both databases, attached.
CREATE FUNCTION pg_temp.make_tables(s shape) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
    t text := 'billing.inv' || s.v;
BEGIN
    PERFORM pg_temp.both(format($q$
        SET client_min_messages = error;
        CREATE TABLE %1$s (id %2$s PRIMARY KEY, cust %3$s, amt %4$s, iss %5$s, due %6$s, %7$I %8$s,
                           cur %9$s, rep %10$s, status %11$s, paid_on %12$s, note text);
        CREATE TABLE billing.pay%13$s (id serial PRIMARY KEY, inv %2$s, amt %4$s, paid_on %5$s, kind text);
        SELECT arcollect.attach(%1$L, key => 'id', customer => 'cust', amount => 'amt', due_on => 'due',
                                issued_on => 'iss', %7$s => %7$L, currency => 'cur', owner => 'rep',
                                status => 'status', paid_on => %14$L, default_currency => %15$L,
                                void_statuses => '{void,voided,cancelled,canceled,annulée,ÉCHU}');
        SELECT arcollect.attach_payments('billing.pay%13$s', invoice_key => 'inv', amount => 'amt',
                                         paid_on => 'paid_on', kind => 'kind', invoices => %1$L);$q$,
        t, s.key_t, s.cust_t, s.amt_t, s.iss_t, s.due_t, s.money_col, s.money_t, s.cur_t, s.rep_t,
        s.status_t, coalesce(s.paid_on_t, 'date'), s.v, CASE WHEN s.paid_on_t IS NOT NULL THEN 'paid_on' END,
        s.default_cur));
    IF s.nested THEN
        -- a trigger of the user's that updates the row just inserted
        PERFORM pg_temp.both(format($q$
            CREATE FUNCTION billing.touch%1$s() RETURNS trigger LANGUAGE plpgsql AS $t$
            BEGIN
                UPDATE billing.inv%1$s SET note = 'touched', amt = amt + 1 WHERE id = NEW.id;
                RETURN NULL;
            END $t$;
            CREATE TRIGGER touch AFTER INSERT ON billing.inv%1$s FOR EACH ROW
                WHEN (NEW.note = 'nest') EXECUTE FUNCTION billing.touch%1$s();$q$, s.v));
    END IF;
END
$fn$;

-- One random statement on the tables of shape s.
CREATE FUNCTION pg_temp.random_statement(s shape) RETURNS text
LANGUAGE plpgsql AS $fn$
DECLARE
    t text := 'billing.inv' || s.v;
    p text := 'billing.pay' || s.v;
    r float8 := random();
    keys integer[];
    new_keys integer[];
    k text;
BEGIN
    -- distinct keys: invoices are written with keys 1 to 30, payments
    -- and key changes name keys up to 40 (not billed, or not yet)
    keys := ARRAY(SELECT g FROM generate_series(1, 40) g ORDER BY random()
                   LIMIT 1 + floor(random() * 4)::integer);
    new_keys := ARRAY(SELECT g FROM generate_series(1, 30) g ORDER BY random()
                       LIMIT 1 + floor(random() * 4)::integer);
    IF r < 0.25 THEN
        RETURN format('INSERT INTO %s VALUES %s ON CONFLICT DO NOTHING', t,
                      (SELECT string_agg(pg_temp.invoice_row(s, n), ', ') FROM unnest(new_keys) n));
    ELSIF r < 0.35 THEN
        RETURN format($q$COPY (SELECT * FROM (VALUES %2$s) v WHERE NOT EXISTS (SELECT FROM %1$s t WHERE t.id = v.column1))
                           TO '/tmp/arcollect_paths_%3$s.copy';
                         COPY %1$s FROM '/tmp/arcollect_paths_%3$s.copy'$q$,
                      t, (SELECT string_agg(pg_temp.invoice_row(s, n), ', ') FROM unnest(new_keys) n),
                      pg_backend_pid());
    ELSIF r < 0.55 THEN
        RETURN format('UPDATE %s SET %s WHERE id IN (%s)', t,
                      pg_temp.pick(ARRAY['amt = amt + 7', 'amt = NULL', 'cust = ' || pg_temp.lit(CASE WHEN s.cust_t = 'integer' THEN '7' ELSE 'Müller' END, s.cust_t),
                                         'cust = ' || pg_temp.lit('3', s.cust_t),
                                         'status = ' || pg_temp.lit(pg_temp.pick('{void,ÉCHU,échu,open,credit}'), s.status_t),
                                         'status = NULL', 'cur = ' || pg_temp.lit('XXX', s.cur_t),
                                         'cur = ' || pg_temp.lit('usd', s.cur_t), 'due = iss', 'due = NULL',
                                         format('%I = %I / 2', s.money_col, s.money_col),
                                         format('%I = amt', s.money_col), 'note = ''x''']),
                      (SELECT string_agg(pg_temp.lit(pg_temp.key(s.v, n), s.key_t), ', ') FROM unnest(keys) n));
    ELSIF r < 0.62 THEN
        -- the key changes (to one that may have been deleted before)
        k := pg_temp.lit(pg_temp.key(s.v, 1 + floor(random() * 40)::integer), s.key_t);
        RETURN format('UPDATE %1$s SET id = %2$s WHERE id = %3$s AND NOT EXISTS (SELECT FROM %1$s WHERE id = %2$s)',
                      t, k, pg_temp.lit(pg_temp.key(s.v, keys[1]), s.key_t));
    ELSIF r < 0.72 THEN
        RETURN format('DELETE FROM %s WHERE id IN (%s)', t,
                      (SELECT string_agg(pg_temp.lit(pg_temp.key(s.v, n), s.key_t), ', ') FROM unnest(keys) n));
    ELSIF r < 0.92 THEN
        RETURN format('INSERT INTO %s (inv, amt, paid_on, kind) VALUES %s', p,
                      (SELECT string_agg(pg_temp.payment_row(s, n), ', ') FROM unnest(keys) n));
    ELSE
        RETURN format(pg_temp.pick(ARRAY['DELETE FROM %s WHERE id %% 3 = 0', 'UPDATE %s SET amt = amt + 1 WHERE id %% 4 = 1',
                                         'UPDATE %s SET kind = NULL WHERE id %% 5 = 2']), p);
    END IF;
END
$fn$;

SELECT setseed(0.4242);
SELECT pg_temp.make_tables(s) FROM shape s ORDER BY v;
-- 80 random statements per shape, shapes interleaved
SELECT count(pg_temp.both(pg_temp.random_statement(s)))
  FROM generate_series(1, 80) i CROSS JOIN shape s \gset
-- a COPY of 1500 new invoices per shape (keys above the pool's), some
-- paid, some void, some unusable
SELECT count(pg_temp.both(format($q$COPY (SELECT * FROM (VALUES %2$s) v) TO '/tmp/arcollect_paths_%3$s.copy';
                                    COPY %1$s FROM '/tmp/arcollect_paths_%3$s.copy'$q$,
                                 'billing.inv' || s.v,
                                 (SELECT string_agg(pg_temp.invoice_row(s, n), ', ') FROM generate_series(1001, 2500) n),
                                 pg_backend_pid())))
  FROM shape s \gset
-- and more random statements on what that left
SELECT count(pg_temp.both(pg_temp.random_statement(s)))
  FROM generate_series(1, 20) i CROSS JOIN shape s \gset
-- (the program reads what COPY writes: one that exits first, as rm does,
-- makes the COPY fail now and then with a broken pipe)
SELECT pg_temp.both(format('COPY (SELECT 1) TO PROGRAM ''cat > /dev/null; rm -f /tmp/arcollect_paths_%s.copy''', pg_backend_pid()));

-- The rows of ledger table tbl in database db, every column but
-- generated identifiers and timestamps, as text.
CREATE FUNCTION pg_temp.ledger_rows(db text, tbl text) RETURNS SETOF text
LANGUAGE plpgsql AS $fn$
DECLARE
    cols text := (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)
                    FROM pg_attribute a
                   WHERE a.attrelid = ('arcollect.' || tbl)::regclass AND a.attnum > 0 AND NOT a.attisdropped
                     AND a.attidentity = ''
                     AND a.atttypid NOT IN ('timestamptz'::regtype, 'timestamp'::regtype));
BEGIN
    RETURN QUERY SELECT r FROM dblink.dblink(db, format('SELECT ROW(%s)::text FROM arcollect.%I', cols, tbl)) t(r text);
END
$fn$;

-- The tables to compare, and that each has rows to compare.
CREATE TEMP TABLE ledger_table AS
SELECT unnest('{attachment,invoice,entry,quarantine,customer}'::text[]) AS tbl;
SELECT tap.ok((SELECT bool_and(EXISTS (SELECT FROM pg_temp.ledger_rows('on', tbl))) FROM ledger_table),
              'every ledger table has rows');
SELECT tap.bag_eq(format('SELECT pg_temp.ledger_rows(''on'', %L)', tbl),
                  format('SELECT pg_temp.ledger_rows(''off'', %L)', tbl),
                  format('arcollect.%s: the same rows with and without the fast path', tbl))
  FROM ledger_table ORDER BY tbl;

-- The statements reached what they are meant to: every reason for
-- quarantine of a table with a unique key, void and credit bookings.
SELECT tap.is((SELECT array_agg(DISTINCT r ORDER BY r)
                 FROM dblink.dblink('on', 'SELECT reason FROM arcollect.quarantine') t(r text)),
              '{customer_too_long,due_before_issue,invalid_amount,invalid_date,key_too_long,missing_amount,missing_currency,missing_customer,missing_due_date,missing_invoice_key,missing_issue_date,missing_open_amount,missing_paid_on,negative_amount,owner_too_long,unknown_currency,unknown_kind}',
              'the statements quarantined rows for every reason');
SELECT tap.is((SELECT array_agg(DISTINCT r ORDER BY r)
                 FROM dblink.dblink('on', 'SELECT kind FROM arcollect.entry') t(r text)),
              '{adjustment,credit_note,payment,void,write_off}',
              'the statements booked entries of every kind');

SELECT tap.is((SELECT sum(n)::integer FROM unnest('{on,off}'::text[]) db,
                     LATERAL dblink.dblink(db, $q$SELECT count(*) FROM arcollect.attachment a,
                                                  LATERAL arcollect.reconcile(a.billing_table) r
                                                  WHERE a.kind = 'invoices'$q$) t(n bigint)),
              0, 'reconcile finds nothing in either database');

\o /dev/null
SELECT dblink.dblink_disconnect('on'), dblink.dblink_disconnect('off');
SELECT dblink.dblink_exec('dba', 'DROP DATABASE ' || d) FROM unnest('{arcollect_paths_on,arcollect_paths_off}'::text[]) d;
SELECT dblink.dblink_disconnect('dba');
\o

SELECT * FROM tap.finish();
ROLLBACK;
