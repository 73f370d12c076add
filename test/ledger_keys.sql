-- Runs as role arcollect_suite with an empty search_path (README, Tests).
-- A billing table's key loosened after attach, every way it can be, on
-- keys of many types, on plain, partitioned and inheritance tables: every
-- write goes through (INSERT, COPY, UPDATE, DELETE), the rows of a key
-- that repeats or is missing are quarantined, reconcile finds nothing
-- after each statement, and once the rows are fixed nothing is held and
-- the ledger has every invoice.
-- (The COPYs read FROM PROGRAM, which only a superuser may: they, and
-- arcollect's internal helper _key_is_unique, run as the superuser.)
BEGIN;
SELECT tap.plan(7 * 6 * 10 + 1);

SET LOCAL client_min_messages = error;	-- quarantine and key warnings are expected

CREATE TYPE billing.key_enum AS ENUM ('k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7', 'k8', 'k9');
CREATE DOMAIN billing.key_domain AS text CHECK (VALUE LIKE 'D%');

-- The type typ, qualified: the suite's own types are in schema billing.
CREATE FUNCTION pg_temp.key_type(typ text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN typ IN ('key_enum', 'key_domain') THEN 'billing.' || typ ELSE typ END
$$;

-- The key of type typ for number n, as an SQL literal.
CREATE FUNCTION pg_temp.key_literal(typ text, n integer) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE typ
        WHEN 'integer' THEN n::text
        WHEN 'bigint' THEN (n + 10000000000)::text
        WHEN 'numeric(10,2)' THEN quote_literal(n || '.50')
        WHEN 'varchar(20)' THEN quote_literal('INV-' || n)
        WHEN 'uuid' THEN quote_literal(md5(n::text)::uuid)
        WHEN 'key_enum' THEN quote_literal('k' || n)
        WHEN 'key_domain' THEN quote_literal('D' || n)
    END || '::' || pg_temp.key_type(typ)
$$;

-- Reconcile finds nothing on tbl: one TAP line.
CREATE FUNCTION pg_temp.ties_out(tbl regclass, what text) RETURNS text
LANGUAGE sql AS $$
    SELECT tap.is((SELECT count(*) FROM arcollect.reconcile(tbl)), 0::bigint, what || ': ledger ties out')
$$;

-- One scenario: a table with a key of type typ, attached, loosened by
-- way, then written; ten TAP lines.
CREATE FUNCTION pg_temp.scenario(typ text, way text) RETURNS SETOF text
LANGUAGE plpgsql AS $fn$
DECLARE
    t text := 'key_' || translate(typ, '(),', '___') || '_' || way;
    tr regclass;
    k1 text := pg_temp.key_literal(typ, 1);
    k2 text := pg_temp.key_literal(typ, 2);
    k3 text := pg_temp.key_literal(typ, 3);
    k4 text := pg_temp.key_literal(typ, 4);
    k5 text := pg_temp.key_literal(typ, 5);
    row_tail text := $$, 'c', 10.00, date '2025-01-01', date '2025-01-31'$$;
    writes text := format('%s / %s', typ, way);
    nullable boolean;
    -- with DROP NOT NULL the unique index stays: keys cannot repeat, and
    -- the statements that repeat a key write keys 7 and 8 instead
    repeats boolean := way <> 'drop_not_null';
    d1 text := CASE WHEN repeats THEN k1 ELSE pg_temp.key_literal(typ, 7) END;
    d3 text := CASE WHEN repeats THEN k3 ELSE pg_temp.key_literal(typ, 8) END;
    u3 text := CASE WHEN repeats THEN k3 ELSE pg_temp.key_literal(typ, 9) END;
    target text;
BEGIN
    EXECUTE format('CREATE TABLE billing.%I (id %s NOT NULL%s, cust text NOT NULL, amt numeric(12,2),'
                   ' iss date, due date)%s',
                   t, pg_temp.key_type(typ), CASE WHEN way IN ('drop_index', 'drop_not_null') THEN '' ELSE ' PRIMARY KEY' END,
                   CASE WHEN way = 'partitioned' THEN ' PARTITION BY HASH (id)' ELSE '' END);
    tr := format('billing.%I', t)::regclass;
    IF way = 'partitioned' THEN
        EXECUTE format('CREATE TABLE billing.%I PARTITION OF billing.%I FOR VALUES WITH (MODULUS 2, REMAINDER 0)', t || '_0', t);
        EXECUTE format('CREATE TABLE billing.%I PARTITION OF billing.%I FOR VALUES WITH (MODULUS 2, REMAINDER 1)', t || '_1', t);
    END IF;
    IF way IN ('drop_index', 'drop_not_null') THEN
        EXECUTE format('CREATE UNIQUE INDEX %I ON billing.%I (id)', t || '_key', t);
    END IF;
    PERFORM arcollect.attach(tr, key => 'id', customer => 'cust', amount => 'amt',
                             due_on => 'due', issued_on => 'iss', default_currency => 'EUR');
    EXECUTE format('INSERT INTO billing.%I VALUES (%s%s), (%s%s)', t, k1, row_tail, k2, row_tail);

    -- loosen the key
    CASE way
    WHEN 'drop_pk', 'partitioned' THEN
        EXECUTE format('ALTER TABLE billing.%I DROP CONSTRAINT %I', t, t || '_pkey');
    WHEN 'drop_index' THEN
        EXECUTE format('DROP INDEX billing.%I', t || '_key');
    WHEN 'drop_not_null' THEN
        EXECUTE format('ALTER TABLE billing.%I ALTER id DROP NOT NULL', t);
    WHEN 'inherits' THEN
        EXECUTE format('CREATE TABLE billing.%I (note text) INHERITS (billing.%I)', t || '_child', t);
    WHEN 'alter_inherit' THEN
        EXECUTE format('CREATE TABLE billing.%I (LIKE billing.%I, note text)', t || '_child', t);
        EXECUTE format('INSERT INTO billing.%I VALUES (%s%s)', t || '_child', k5, row_tail);
        EXECUTE format('ALTER TABLE billing.%I INHERIT billing.%I', t || '_child', t);
    END CASE;
    SET ROLE NONE;  -- arcollect's internal helpers are for the extension's owner only
    RETURN NEXT tap.ok(NOT arcollect._key_is_unique((SELECT attachment_id FROM arcollect.attachment
                                                      WHERE billing_table = tr)),
                       writes || ': the key is loose');
    RESET ROLE;
    nullable := NOT (SELECT attnotnull FROM pg_attribute WHERE attrelid = tr AND attname = 'id');

    -- (a child has no key index of its own: the copies go there)
    target := CASE WHEN way IN ('inherits', 'alter_inherit') THEN t || '_child' ELSE t END;
    -- a second row with key 1
    EXECUTE format('INSERT INTO billing.%I VALUES (%s, %L, 11.00, date ''2025-01-02'', date ''2025-02-01'')',
                   target, d1, 'd');
    RETURN NEXT pg_temp.ties_out(tr, writes || ', INSERT of a repeated key');
    -- COPY of two rows with key 3
    SET ROLE NONE;  -- COPY FROM PROGRAM is a superuser's
    EXECUTE format($c$COPY billing.%I (id, cust, amt, iss, due) FROM PROGRAM 'printf "%%s\tc\t3.00\t2025-01-01\t2025-01-31\n%%s\td\t3.00\t2025-01-01\t2025-01-31\n" %s %s'$c$,
                   target, trim(both '''' from split_part(k3, '::', 1)),
                   trim(both '''' from split_part(d3, '::', 1)));
    RESET ROLE;
    RETURN NEXT pg_temp.ties_out(tr, writes || ', COPY of a repeated key');
    -- UPDATE of a repeated key, and of a good key into a repeated one
    EXECUTE format('UPDATE billing.%I SET amt = amt + 1 WHERE id IN (%s, %s)', t, k1, d1);
    EXECUTE format('UPDATE billing.%I SET id = %s WHERE id = %s', t, u3, k2);
    RETURN NEXT pg_temp.ties_out(tr, writes || ', UPDATE');
    -- a row without a key, where the key may be NULL now
    IF nullable THEN
        EXECUTE format('INSERT INTO billing.%I VALUES (NULL%s), (NULL%s)', t, row_tail, row_tail);
    END IF;
    RETURN NEXT pg_temp.ties_out(tr, writes || ', INSERT without a key');
    RETURN NEXT tap.is((SELECT count(*) FROM arcollect._quarantine_held q JOIN arcollect.attachment a USING (attachment_id)
                     WHERE a.billing_table = tr),
                   (CASE WHEN repeats THEN 2 ELSE 0 END + CASE WHEN nullable THEN 2 ELSE 0 END)::bigint,
                   writes || ': the repeated keys 1 and 3 held, and the rows without a key');
    -- fixing: delete one row of key 1, give the rows of key 3 keys of their own
    EXECUTE format('DELETE FROM billing.%I WHERE id = %s AND cust = %L', t, d1, 'd');
    RETURN NEXT pg_temp.ties_out(tr, writes || ', DELETE of a repeated row');
    EXECUTE format('UPDATE billing.%I SET id = %s WHERE id = %s AND cust = %L AND amt = 3.00', t, k4, d3, 'd');
    EXECUTE format('UPDATE billing.%I SET id = %s WHERE id = %s AND cust = %L AND amt = 10.00', t, k2, u3, 'c');
    IF nullable THEN
        EXECUTE format('DELETE FROM billing.%I WHERE id IS NULL AND ctid = (SELECT min(ctid) FROM billing.%I WHERE id IS NULL)', t, t);
        EXECUTE format('UPDATE billing.%I SET id = %s WHERE id IS NULL', t, pg_temp.key_literal(typ, 6));
    END IF;
    RETURN NEXT pg_temp.ties_out(tr, writes || ', rows fixed');
    RETURN NEXT tap.is((SELECT count(*) FROM arcollect._quarantine_held q JOIN arcollect.attachment a USING (attachment_id)
                     WHERE a.billing_table = tr), 0::bigint, writes || ': nothing held once fixed');
    RETURN NEXT tap.is((SELECT sum(oa.open_amount) FROM arcollect._open_amount oa JOIN arcollect.attachment a USING (attachment_id)
                     WHERE a.billing_table = tr),
                   (SELECT sum(x) FROM pg_temp.amounts(tr) x),
                   writes || ': the ledger holds every invoice');
END
$fn$;

CREATE FUNCTION pg_temp.amounts(tbl regclass) RETURNS SETOF numeric
LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY EXECUTE format('SELECT amt FROM %s', tbl);
END
$$;

SELECT pg_temp.scenario(typ, way)
  FROM unnest(ARRAY['integer', 'bigint', 'numeric(10,2)', 'varchar(20)', 'uuid', 'key_enum', 'key_domain']) typ,
       unnest(ARRAY['drop_pk', 'drop_index', 'drop_not_null', 'partitioned', 'inherits', 'alter_inherit']) way;

-- A key index created again makes the key unique again.
CREATE UNIQUE INDEX ON billing.key_integer_drop_index (id);
SET ROLE NONE;  -- arcollect's internal helpers are for the extension's owner only
SELECT tap.ok(arcollect._key_is_unique((SELECT attachment_id FROM arcollect.attachment
                                         WHERE billing_table = 'billing.key_integer_drop_index'::regclass)),
              'a key index created again makes the key unique again');
RESET ROLE;

SELECT * FROM tap.finish();
ROLLBACK;
