-- Runs as role arcollect_suite with an empty search_path (README, Tests).
-- Property: the session settings of the writer and of the reader do not
-- change the ledger, and the fast path in C books what the SQL statement
-- books.  For keys of several types, the same random statements run
-- against three copies of a billing table and its payments table: copy A
-- written, and reconciled, under random DateStyle, TimeZone,
-- IntervalStyle, extra_float_digits, bytea_output and lc_* settings, copy
-- B under the defaults, and copy C, whose tables have a trigger of their
-- own (so that every statement is booked by the SQL statement, from the
-- tables' current rows), under random settings again.  The three end with
-- the same ledger, row for row, and reconcile finds nothing in any after
-- any statement.  The settings the trigger pins in C and those the SQL
-- function pins with SET clauses are the same list.
BEGIN;
SELECT tap.plan(70);

SET LOCAL client_min_messages = error;	-- quarantine warnings are expected

-- 1. One list of settings.
-- (The trigger and the C entry points, attach and reconcile among them,
-- pin the list itself; _import, which event triggers and the upgrade call
-- too, and _paid_redate are the SQL functions that run generated
-- statements, with EXECUTE or through arcollect._ledger_run.)
SELECT tap.is((SELECT array_agg(p.proname::text ORDER BY p.proname) FROM pg_proc p
            WHERE p.pronamespace = 'arcollect'::regnamespace
              AND p.prosrc ~ '\mEXECUTE\M|_ledger_run\('
              AND p.prosrc ~ '_(sync|reconcile|invoice_rows|payment_rows)_sql\('),
          '{_import,_paid_redate}',
          'the SQL functions that run generated statements are _import and _paid_redate');
-- (arcollect._pinned_settings() is internal, the extension owner's.)
CREATE TEMP TABLE pinned (setting text);
SET ROLE NONE;
INSERT INTO pinned SELECT name || '=' || setting FROM arcollect._pinned_settings();
RESET ROLE;
SELECT tap.set_eq($$SELECT unnest(proconfig) FROM pg_proc WHERE oid = 'arcollect._import(integer)'::regprocedure$$,
                  $$SELECT setting FROM pinned$$,
                  '_import pins the settings the trigger pins');
SELECT tap.set_eq($$SELECT unnest(proconfig) FROM pg_proc WHERE oid = 'arcollect._paid_redate(integer)'::regprocedure$$,
                  $$SELECT setting FROM pinned$$,
                  '_paid_redate pins the settings the trigger pins');

-- 2. The property.
CREATE FUNCTION pg_temp.nothing() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NULL; END$$;

-- Key n of each type, as an expression whose value does
-- not depend on the session's settings.
CREATE FUNCTION pg_temp.key_sql(key_type text, n integer) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE key_type
        WHEN 'integer' THEN n::text
        WHEN 'numeric' THEN format('(%s / 4.0)', n)
        WHEN 'float8' THEN format('(%s * 1.1)::float8', n)
        WHEN 'date' THEN format('(date ''2025-01-01'' + %s)', n)
        WHEN 'timestamptz' THEN format('(timestamptz ''2025-01-01 00:00:00+00'' + %s * interval ''7 hours 13 minutes'')', n)
        WHEN 'text' THEN format('(''K'' || %s)', n)
        WHEN 'uuid' THEN format('md5(''%s'')::uuid', n)
        WHEN 'interval' THEN format('(%s * interval ''1 day 90 minutes'')', n)
    END
$$;

-- An instant, hour h of 2025 (UTC): issue and due dates, customers.
CREATE FUNCTION pg_temp.at_sql(h integer) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT format('(timestamptz ''2025-01-01 00:00:00+00'' + %s * interval ''1 hour'')', h)
$$;

-- Random settings, from the values each takes (the lc_* ones from the
-- locales this server has).
CREATE TEMP TABLE setting_choice (name text, value text);
INSERT INTO setting_choice
SELECT 'DateStyle', unnest('{"ISO, MDY","ISO, DMY","SQL, DMY","SQL, MDY","Postgres, DMY","Postgres, YMD",German}'::text[])
UNION ALL SELECT 'TimeZone', unnest('{UTC,Asia/Tokyo,America/Los_Angeles,Pacific/Kiritimati,Pacific/Pago_Pago,Asia/Kathmandu,Etc/GMT+12}'::text[])
UNION ALL SELECT 'IntervalStyle', unnest('{postgres,postgres_verbose,sql_standard,iso_8601}'::text[])
UNION ALL SELECT 'extra_float_digits', unnest('{-15,-14,-3,0,1,2,3}'::text[])
UNION ALL SELECT 'bytea_output', unnest('{hex,escape}'::text[]);
INSERT INTO setting_choice
SELECT l.name, c.collcollate
  FROM pg_collation c CROSS JOIN unnest('{lc_monetary,lc_numeric,lc_time}'::text[]) l(name)
 WHERE c.collprovider = 'c' AND c.collencoding IN (-1, pg_char_to_encoding(getdatabaseencoding()));

CREATE TEMP TABLE default_setting AS
SELECT DISTINCT s.name, current_setting(s.name) AS value FROM setting_choice s;

CREATE FUNCTION pg_temp.use_random_settings() RETURNS void
LANGUAGE sql AS $$
    SELECT set_config(c.name, c.value, true)
      FROM (SELECT DISTINCT ON (s.name) s.name, s.value FROM setting_choice s
             ORDER BY s.name, random()) c
$$;

CREATE FUNCTION pg_temp.use_default_settings() RETURNS void
LANGUAGE sql AS $$
    SELECT set_config(d.name, d.value, true) FROM default_setting d
$$;

-- Three copies (suffixes a, b and c) of a billing table and a payments
-- table with keys of key_type, attached in the time zone zone; c's with a
-- trigger that does nothing.  Settings-
-- sensitive columns (a timestamptz customer, float, interval, bytea and
-- money columns) go into quarantine's row_data.
CREATE FUNCTION pg_temp.make_tables(key_type text, zone text) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
    c text;
BEGIN
    FOREACH c IN ARRAY ARRAY['a', 'b', 'c'] LOOP
        EXECUTE format($q$CREATE TABLE %1$s (id %2$s PRIMARY KEY, cust timestamptz NOT NULL, amt numeric(12,2),
                                             iss timestamptz, due timestamptz, paid numeric(12,2), status text,
                                             f float8, iv interval, b bytea, m money, d date)$q$,
                       format('billing.st_%s_%s', key_type, c), key_type);
        EXECUTE format($q$CREATE TABLE %1$s (id serial PRIMARY KEY, inv %2$s, amt numeric(12,2),
                                             paid_on timestamptz, kind text, f float8)$q$,
                       format('billing.sp_%s_%s', key_type, c), key_type);
        PERFORM arcollect.attach(format('billing.st_%s_%s', key_type, c), key => 'id', customer => 'cust',
                                 amount => 'amt', due_on => 'due', issued_on => 'iss', paid => 'paid',
                                 status => 'status', default_currency => 'EUR', time_zone => zone);
        PERFORM arcollect.attach_payments(format('billing.sp_%s_%s', key_type, c), invoice_key => 'inv',
                                          amount => 'amt', paid_on => 'paid_on', kind => 'kind',
                                          invoices => format('billing.st_%s_%s', key_type, c)::regclass);
    END LOOP;
    EXECUTE format('CREATE TRIGGER a_nothing AFTER INSERT OR UPDATE OR DELETE ON billing.st_%s_c'
                   ' FOR EACH STATEMENT EXECUTE FUNCTION pg_temp.nothing()', key_type);
    EXECUTE format('CREATE TRIGGER a_nothing AFTER INSERT OR UPDATE OR DELETE ON billing.sp_%s_c'
                   ' FOR EACH STATEMENT EXECUTE FUNCTION pg_temp.nothing()', key_type);
END
$fn$;

-- One random statement as text: %1$s is the billing table, %2$s the
-- payments table.  next is the next unused key number.
CREATE FUNCTION pg_temp.random_statement(key_type text, next integer) RETURNS text
LANGUAGE plpgsql AS $fn$
DECLARE
    op integer := floor(random() * 12);
    r integer := floor(random() * 10);
    h integer := floor(random() * 2000);
BEGIN
    CASE op
    WHEN 0, 1, 2 THEN
        -- new invoices (the fast path), some paid, void, credit or unusable
        RETURN format($q$INSERT INTO %%1$s (id, cust, amt, iss, due, paid, status, f, iv, b, m, d)
                         VALUES (%s, %s, 100.25, %s, %s, %s, %L, 1.3, '1 day 2 hours', '\x01ff', 12.5, date '2025-03-04'),
                                (%s, %s, -30, %s, %s, 0, %L, 0.1, '3 months', '\x00', 1, date '2025-12-31')$q$,
                      pg_temp.key_sql(key_type, next), pg_temp.at_sql(h % 97), pg_temp.at_sql(h),
                      CASE WHEN r = 0 THEN 'NULL' ELSE pg_temp.at_sql(h + 24 * r) END,
                      CASE WHEN r < 3 THEN '100.25' ELSE '0' END,
                      (ARRAY['open', 'void', 'Open', 'paid'])[1 + r % 4],
                      pg_temp.key_sql(key_type, next + 1), pg_temp.at_sql(h % 89), pg_temp.at_sql(h),
                      pg_temp.at_sql(h + 30), (ARRAY['credit', 'open'])[1 + r % 2]);
    WHEN 3 THEN
        -- keys seen before (deleted ones come back through the SQL statement)
        RETURN format($q$INSERT INTO %%1$s (id, cust, amt, iss, due, f)
                         SELECT %s, %s, 50, %s, %s, 2.675 FROM generate_series(1, 1)
                         ON CONFLICT DO NOTHING$q$,
                      pg_temp.key_sql(key_type, 1 + (h % greatest(next - 1, 1))), pg_temp.at_sql(h % 7),
                      pg_temp.at_sql(h), pg_temp.at_sql(h + 100));
    WHEN 4 THEN
        RETURN format($q$UPDATE %%1$s SET status = %L WHERE id IN (SELECT id FROM %%1$s ORDER BY id LIMIT 3 OFFSET %s)$q$,
                      (ARRAY['void', 'open', 'disputed', 'credit'])[1 + r % 4], r);
    WHEN 5 THEN
        RETURN format($q$UPDATE %%1$s SET amt = amt + 1, paid = coalesce(paid, 0) + 10,
                                        iss = iss + interval '5 hours', due = due + interval '11 hours'
                         WHERE id IN (SELECT id FROM %%1$s ORDER BY id LIMIT 2 OFFSET %s)$q$, r);
    WHEN 6 THEN
        RETURN format($q$UPDATE %%1$s SET due = coalesce(due, iss + interval '30 days'), amt = abs(amt), cust = cust + interval '1 minute'
                         WHERE id IN (SELECT id FROM %%1$s ORDER BY id LIMIT 2 OFFSET %s)$q$, r);
    WHEN 7 THEN
        -- key change
        RETURN format($q$UPDATE %%1$s SET id = %s WHERE id IN (SELECT id FROM %%1$s ORDER BY id LIMIT 1 OFFSET %s)$q$,
                      pg_temp.key_sql(key_type, 100000 + next), r);
    WHEN 8 THEN
        RETURN format($q$DELETE FROM %%1$s WHERE id IN (SELECT id FROM %%1$s ORDER BY id LIMIT 1 OFFSET %s)$q$, r);
    WHEN 9, 10 THEN
        -- payments, one for a key not billed, some unusable (no date, unknown kind)
        RETURN format($q$INSERT INTO %%2$s (inv, amt, paid_on, kind, f)
                         VALUES ((SELECT id FROM %%1$s ORDER BY id LIMIT 1 OFFSET %s), 20, %s, %L, 1.3),
                                (%s, 5, %s, 'payment', 0.3),
                                (%s, 7, %s, %L, 2.5)$q$,
                      r, pg_temp.at_sql(h + 200), (ARRAY['payment', 'credit note', 'write-off', 'gift'])[1 + r % 4],
                      pg_temp.key_sql(key_type, 1 + h % next), pg_temp.at_sql(h + 300),
                      pg_temp.key_sql(key_type, 1 + r), CASE WHEN r < 3 THEN 'NULL' ELSE pg_temp.at_sql(h + 5) END,
                      (ARRAY['Payment', 'CASH', 'credit'])[1 + r % 3]);
    ELSE
        IF r < 5 THEN
            RETURN format($q$DELETE FROM %%2$s WHERE id IN (SELECT id FROM %%2$s ORDER BY id LIMIT 2 OFFSET %s)$q$, r);
        END IF;
        RETURN format($q$UPDATE %%2$s SET amt = amt + 1, paid_on = coalesce(paid_on, %s)
                         WHERE id IN (SELECT id FROM %%2$s ORDER BY id LIMIT 2 OFFSET %s)$q$,
                      pg_temp.at_sql(h), r - 5);
    END CASE;
END
$fn$;

-- The problems reconcile finds for one copy.
CREATE FUNCTION pg_temp.problems(key_type text, copy text) RETURNS bigint
LANGUAGE sql AS $$
    SELECT (SELECT count(*) FROM arcollect.reconcile(format('billing.st_%s_%s', key_type, copy)::regclass))
         + (SELECT count(*) FROM arcollect.reconcile(format('billing.sp_%s_%s', key_type, copy)::regclass))
$$;

-- Runs steps random statements on the copies; returns the problems
-- reconcile found after them, summed.
CREATE FUNCTION pg_temp.run(key_type text, steps integer) RETURNS bigint
LANGUAGE plpgsql AS $fn$
DECLARE
    stmt text;
    problems bigint := 0;
BEGIN
    FOR step IN 1 .. steps LOOP
        stmt := pg_temp.random_statement(key_type, 2 * step - 1);
        PERFORM pg_temp.use_random_settings();
        EXECUTE format(stmt, format('billing.st_%s_a', key_type), format('billing.sp_%s_a', key_type));
        PERFORM pg_temp.use_random_settings();
        problems := problems + pg_temp.problems(key_type, 'a');
        PERFORM pg_temp.use_default_settings();
        EXECUTE format(stmt, format('billing.st_%s_b', key_type), format('billing.sp_%s_b', key_type));
        problems := problems + pg_temp.problems(key_type, 'b');
        PERFORM pg_temp.use_random_settings();
        EXECUTE format(stmt, format('billing.st_%s_c', key_type), format('billing.sp_%s_c', key_type));
        problems := problems + pg_temp.problems(key_type, 'c');
        PERFORM pg_temp.use_default_settings();
    END LOOP;
    RETURN problems;
END
$fn$;

-- A copy's ledger, as the ledger's own types (compared, not printed).
-- Rows that carry nothing (never booked, not in the table) are left out: booking from current rows leaves one for a key it
-- saw deleted or unusable, for the fast path's sake (ledger_trigger.c).
CREATE FUNCTION pg_temp.invoices_of(tbl text)
RETURNS TABLE (invoice_key text, customer_id text, issued_on date, due_on date, amount numeric, paid numeric,
               void_amount numeric, open_amount numeric, status text, in_billing boolean,
               booked_amount numeric, booked_on date)
LANGUAGE sql AS $$
    SELECT i.invoice_key, i.customer_id, i.issued_on, i.due_on, i.amount, i.paid, i.void_amount,
           oa.open_amount, i.status, i.in_billing, i.booked_amount, i.booked_on
      FROM arcollect.invoice i LEFT JOIN arcollect._open_amount oa USING (attachment_id, invoice_key)
      JOIN arcollect.attachment a USING (attachment_id)
     WHERE a.billing_table = tbl::regclass
       AND (i.booked_on IS NOT NULL OR i.in_billing)
$$;

CREATE FUNCTION pg_temp.entries_of(tbl text)
RETURNS TABLE (invoice_key text, kind text, amount numeric, effective_on date, from_payments boolean, n bigint)
LANGUAGE sql AS $$
    SELECT e.invoice_key, e.kind, e.amount, e.effective_on, e.source_attachment_id <> e.attachment_id, count(*)
      FROM arcollect.entry e JOIN arcollect.attachment a USING (attachment_id)
     WHERE a.billing_table = tbl::regclass
     GROUP BY 1, 2, 3, 4, 5
$$;

CREATE FUNCTION pg_temp.quarantine_of(inv text, pay text)
RETURNS TABLE (row_kind text, invoice_key text, reason text, row_data jsonb)
LANGUAGE sql AS $$
    SELECT q.row_kind, q.invoice_key, q.reason, q.row_data
      FROM arcollect.quarantine q JOIN arcollect.attachment a USING (attachment_id)
     WHERE a.billing_table IN (inv::regclass, pay::regclass)
$$;

-- For each key type: run, then compare the copies.
CREATE FUNCTION pg_temp.check_type(key_type text, zone text, steps integer) RETURNS SETOF text
LANGUAGE plpgsql AS $fn$
DECLARE
    a text := format('billing.st_%s_a', key_type);
    b text := format('billing.st_%s_b', key_type);
    c text := format('billing.st_%s_c', key_type);
BEGIN
    PERFORM pg_temp.make_tables(key_type, zone);
    RETURN NEXT tap.is(pg_temp.run(key_type, steps), 0::bigint,
                   format('%s keys: reconcile finds nothing after any statement, under any settings', key_type));
    RETURN NEXT tap.cmp_ok((SELECT count(*) FROM pg_temp.invoices_of(b)), '>', (steps / 4)::bigint,
                       format('%s keys: the ledger has invoices', key_type));
    RETURN NEXT tap.set_eq(format('SELECT * FROM pg_temp.invoices_of(%L)', a),
                       format('SELECT * FROM pg_temp.invoices_of(%L)', b),
                       format('%s keys: the same invoices whatever the writer''s settings', key_type));
    RETURN NEXT tap.set_eq(format('SELECT * FROM pg_temp.entries_of(%L)', a),
                       format('SELECT * FROM pg_temp.entries_of(%L)', b),
                       format('%s keys: the same history whatever the writer''s settings', key_type));
    RETURN NEXT tap.set_eq(format('SELECT * FROM pg_temp.quarantine_of(%L, %L)', a, format('billing.sp_%s_a', key_type)),
                       format('SELECT * FROM pg_temp.quarantine_of(%L, %L)', b, format('billing.sp_%s_b', key_type)),
                       format('%s keys: the same quarantine whatever the writer''s settings', key_type));
    RETURN NEXT tap.set_eq(format('SELECT * FROM pg_temp.invoices_of(%L)', c),
                       format('SELECT * FROM pg_temp.invoices_of(%L)', b),
                       format('%s keys: the SQL statement books the invoices the fast path books', key_type));
    RETURN NEXT tap.set_eq(format('SELECT * FROM pg_temp.entries_of(%L)', c),
                       format('SELECT * FROM pg_temp.entries_of(%L)', b),
                       format('%s keys: ... and the same history', key_type));
    RETURN NEXT tap.set_eq(format('SELECT * FROM pg_temp.quarantine_of(%L, %L)', c, format('billing.sp_%s_c', key_type)),
                       format('SELECT * FROM pg_temp.quarantine_of(%L, %L)', b, format('billing.sp_%s_b', key_type)),
                       format('%s keys: ... and the same quarantine', key_type));
END
$fn$;

SELECT setseed(0.815);
SELECT * FROM pg_temp.check_type('integer', 'UTC', 40);
SELECT * FROM pg_temp.check_type('numeric', 'Asia/Kolkata', 40);
SELECT * FROM pg_temp.check_type('float8', 'America/St_Johns', 40);
SELECT * FROM pg_temp.check_type('date', 'Asia/Tokyo', 40);
SELECT * FROM pg_temp.check_type('timestamptz', 'America/New_York', 40);
SELECT * FROM pg_temp.check_type('text', 'UTC', 40);
SELECT * FROM pg_temp.check_type('uuid', 'Pacific/Chatham', 40);
SELECT * FROM pg_temp.check_type('interval', 'UTC', 40);

-- Keys are written the way the defaults write them: dates ISO, floats
-- with the digits that read back as the same float, timestamps ISO in
-- the attachment's time zone (New York: -05 or -04).
SELECT tap.is((SELECT count(*) FROM pg_temp.invoices_of('billing.st_date_a')
                WHERE invoice_key !~ '^\d{4}-\d\d-\d\d$'), 0::bigint,
              'date keys are ISO dates');
SELECT tap.is((SELECT count(*) FROM pg_temp.invoices_of('billing.st_float8_a') i
                WHERE i.in_billing
                  AND NOT EXISTS (SELECT FROM billing.st_float8_a t WHERE t.id = i.invoice_key::float8)),
              0::bigint, 'float keys read back as the float of the billing row');
SELECT tap.is((SELECT count(*) FROM pg_temp.invoices_of('billing.st_timestamptz_a')
                WHERE invoice_key !~ '^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d-0[45]$'), 0::bigint,
              'timestamptz keys are written in the attachment''s time zone');

SELECT * FROM tap.finish();
ROLLBACK;
