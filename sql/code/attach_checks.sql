-- Checks and lookups of attaching: whether a table can be attached, its
-- mapping and key, and the tables an attachment books.  They only read
-- the catalog; what acts on a caller's behalf is in attach_owner.sql, the
-- entry points in attach.sql.  Internal: executable by the extension
-- owner only (ledger_grants.sql).

-- The base types a mapping parameter accepts (domains over them are
-- fine), or NULL for any type.
CREATE OR REPLACE FUNCTION arcollect._mapping_types(param text)
RETURNS text[]
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
RETURN CASE
    WHEN param IN ('amount', 'paid', 'open') THEN '{numeric,smallint,integer,bigint}'::text[]
    WHEN param IN ('due_on', 'issued_on', 'paid_on')
        THEN '{date,timestamp without time zone,timestamp with time zone}'::text[]
    WHEN param = 'currency' THEN '{text,character varying,character}'::text[]
END;

-- What is wrong with column col of table tbl as the mapping parameter
-- param: NULL when it exists and has a type the parameter accepts, else
-- an error message, SQLSTATE, detail and hint.
CREATE OR REPLACE FUNCTION arcollect._column_problem(tbl regclass, param text, col text,
                                          OUT message text, OUT sqlstate text,
                                          OUT detail text, OUT hint text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    allowed text[] := arcollect._mapping_types(param);
    att record;
BEGIN
    SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type_name,
           format_type(arcollect._base_type(a.atttypid), NULL) AS base_name
      INTO att
      FROM pg_attribute a
     WHERE a.attrelid = tbl AND a.attname = col AND a.attnum > 0 AND NOT a.attisdropped;
    IF NOT FOUND THEN
        message := format('column "%s" of table %s does not exist', col, tbl);
        sqlstate := '42703';
        detail := format('The %s parameter names column "%s", which %s does not have.', param, col, tbl);
        hint := 'Give the column name exactly as it is stored: case-sensitive and without quotes.';
    ELSIF allowed IS NOT NULL AND NOT att.base_name = ANY (allowed) THEN
        message := format('column "%s" of table %s has the wrong type for %s', col, tbl, param);
        sqlstate := '42804';
        detail := format('Column "%s" is of type %s; the %s parameter needs one of: %s.',
                         col, att.type_name, param, array_to_string(allowed, ', '));
        hint := 'Map a column of one of those types, or add a generated column that converts it.';
    END IF;
END
$fn$;

-- What is wrong with the mapping of an attachment now (a mapped column
-- renamed, dropped or changed to a type it does not accept since attach,
-- or its time zone gone from the time zone database), or NULL.  The
-- trigger checks this before it books anything.
CREATE OR REPLACE FUNCTION arcollect._mapping_problem(attachment_id integer)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT p.message
      FROM arcollect.attachment a
     CROSS JOIN LATERAL arcollect._mapping(a) m
     CROSS JOIN LATERAL arcollect._column_problem(a.billing_table, m.param, m.col) p
     WHERE a.attachment_id = _mapping_problem.attachment_id
       AND p.message IS NOT NULL
    UNION ALL
    SELECT format('time zone "%s" of table %s is not known', a.time_zone, a.billing_table)
      FROM arcollect.attachment a
     WHERE a.attachment_id = _mapping_problem.attachment_id AND NOT arcollect.is_time_zone(a.time_zone)
     LIMIT 1;
END;

-- The time_zone parameter of attach or attach_payments for table tbl,
-- checked: a name the TimeZone setting accepts.
CREATE OR REPLACE FUNCTION arcollect._checked_time_zone(tbl regclass, zone text)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF zone IS NULL OR NOT arcollect.is_time_zone(zone) THEN
        RAISE EXCEPTION 'unknown time zone "%" for table %', zone, tbl
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'The time zone of an attachment says which day a timestamptz value falls on.',
                  HINT = 'Give a name from pg_timezone_names, such as ''UTC'' or ''Europe/Paris''.';
    END IF;
    RETURN zone;
END
$fn$;

-- Which kind of Citus table tbl is (distributed, reference or local: a
-- table of the coordinator added to Citus's metadata), or NULL when Citus
-- does not manage it or is not installed.  Citus's catalog is read
-- through dynamic SQL: it exists only where Citus does.
CREATE OR REPLACE FUNCTION arcollect._citus_table_kind(tbl regclass)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    kind text;
BEGIN
    IF to_regclass('pg_catalog.pg_dist_partition') IS NULL THEN
        RETURN NULL;
    END IF;
    EXECUTE $q$SELECT CASE WHEN p.partmethod <> 'n' THEN 'distributed'
                          WHEN p.repmodel = 't' THEN 'reference'
                          ELSE 'local' END
                 FROM pg_catalog.pg_dist_partition p WHERE p.logicalrelid = $1$q$
       INTO kind USING tbl;
    RETURN kind;
END
$fn$;

-- Checks that tbl is a table arcollect can attach as kind (invoices or
-- payments): an ordinary or partitioned table outside the arcollect
-- schema, not one of Citus's (_citus_table_kind), not attached as the
-- other kind, permanent, neither a partition nor an inheritance child,
-- and with no table below it that another attached table books (see
-- _tree_problem).
CREATE OR REPLACE FUNCTION arcollect._check_attachable(tbl regclass, kind text)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    c record;
    p record;
    citus_kind text;
BEGIN
    SELECT r.relkind, n.nspname INTO c
      FROM pg_class r JOIN pg_namespace n ON n.oid = r.relnamespace
     WHERE r.oid = tbl;
    IF c.relkind NOT IN ('r', 'p') THEN
        RAISE EXCEPTION '% is not a table', tbl
            USING ERRCODE = 'wrong_object_type',
                  DETAIL = 'arcollect attaches to ordinary and partitioned tables only.';
    END IF;
    IF c.nspname = 'arcollect' THEN
        RAISE EXCEPTION 'table % belongs to arcollect', tbl
            USING ERRCODE = 'wrong_object_type',
                  DETAIL = 'arcollect''s own tables cannot be attached to the ledger.';
    END IF;
    citus_kind := arcollect._citus_table_kind(tbl);
    IF citus_kind IS NOT NULL THEN
        RAISE EXCEPTION 'table % is a Citus % table', tbl, citus_kind
            USING ERRCODE = 'feature_not_supported',
                  DETAIL = 'Citus keeps its rows in shards (on the workers, or on every node), where the ledger''s trigger would book into each node''s own ledger and this one would see none of it.',
                  HINT = format('Attach a table that Citus does not manage (SELECT undistribute_table(%L) makes it one); arcollect''s aggregates run on distributed tables as they are.', tbl::text);
    END IF;
    SELECT * INTO p FROM arcollect._tree_problem(tbl);
    CASE p.problem
    WHEN 'partition' THEN
        RAISE EXCEPTION 'table % is a partition of %', tbl, p.other
            USING ERRCODE = 'wrong_object_type',
                  HINT = 'Attach the partitioned table; writes to its partitions are booked too.';
    WHEN 'inherits' THEN
        RAISE EXCEPTION 'table % inherits from %', tbl, p.other
            USING ERRCODE = 'wrong_object_type',
                  DETAIL = 'Writes through the parent table would not be booked.',
                  HINT = 'Attach the parent table; the rows of its inheritance children are booked with it.';
    WHEN 'temporary' THEN
        RAISE EXCEPTION 'table % is temporary', p.member
            USING ERRCODE = 'wrong_object_type',
                  DETAIL = 'A temporary table goes away with its session without telling the ledger, which would keep its invoices open.',
                  HINT = 'Attach a permanent table.';
    WHEN 'unlogged' THEN
        RAISE EXCEPTION 'table % is unlogged', p.member
            USING ERRCODE = 'wrong_object_type',
                  DETAIL = 'Crash recovery empties an unlogged table without telling the ledger, which would keep its invoices open.',
                  HINT = format('Make it logged first: ALTER TABLE %s SET LOGGED.', p.member);
    WHEN 'shared' THEN
        RAISE EXCEPTION 'table % is booked by attached table % already', p.member, p.other
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'Its rows would be booked in both ledgers.',
                  HINT = format('Detach %s first, or remove %s from it.', p.other, p.member);
    ELSE
    END CASE;
    IF EXISTS (SELECT FROM arcollect.attachment t WHERE t.billing_table = tbl AND t.kind <> $2) THEN
        RAISE EXCEPTION 'table % is attached as a % table', tbl,
                        CASE $2 WHEN 'invoices' THEN 'payments' ELSE 'billing' END
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Detach it with arcollect.detach first.';
    END IF;
END
$fn$;

-- Whether column col of table tbl is a key the ledger can follow invoices
-- by: NOT NULL, with a primary key or unique index of its own (its one key
-- column; INCLUDE columns are fine), valid, immediate (not deferrable),
-- neither partial nor on an expression.
CREATE OR REPLACE FUNCTION arcollect._key_index_ok(tbl regclass, col name)
RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
RETURN EXISTS (
    SELECT FROM pg_catalog.pg_index i
      JOIN pg_catalog.pg_attribute t ON t.attrelid = i.indrelid AND t.attnum = i.indkey[0]
     WHERE i.indrelid = tbl AND i.indisunique AND i.indimmediate AND i.indisvalid
       AND i.indnkeyatts = 1 AND i.indpred IS NULL AND i.indexprs IS NULL
       AND t.attname = col AND t.attnotnull);

-- Whether the invoice key of an invoices attachment is unique now: a key
-- as attach requires (_key_index_ok) and no inheritance children, whose
-- rows count as the table's but which no unique index spans.  A key that
-- is not (its index or NOT NULL dropped since attach) makes the ledger
-- statements look for repeated and missing keys (ledger_sync.sql).
CREATE OR REPLACE FUNCTION arcollect._key_is_unique(attachment_id integer)
RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
RETURN (SELECT arcollect._key_index_ok(a.billing_table, a.key_column)
               AND NOT EXISTS (SELECT FROM pg_catalog.pg_inherits h
                                 JOIN pg_catalog.pg_class c ON c.oid = h.inhrelid
                                WHERE h.inhparent = a.billing_table AND NOT c.relispartition)
          FROM arcollect.attachment a
         WHERE a.attachment_id = _key_is_unique.attachment_id);

-- Checks the mapping of attachment a against its table as it is now:
-- every mapped column exists and has a type its parameter accepts, and
-- the key of a billing table identifies a row.  Raises the first problem.
CREATE OR REPLACE FUNCTION arcollect._check_mapping(a arcollect.attachment)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    p record;
BEGIN
    SELECT x.* INTO p
      FROM arcollect._mapping(a) m
     CROSS JOIN LATERAL arcollect._column_problem(a.billing_table, m.param, m.col) x
     WHERE x.message IS NOT NULL
     LIMIT 1;
    IF p.message IS NOT NULL THEN
        RAISE EXCEPTION '%', p.message
            USING ERRCODE = p.sqlstate, DETAIL = p.detail, HINT = p.hint;
    END IF;

    -- The ledger follows invoices by key, so the key must identify a row.
    IF a.kind = 'invoices' AND NOT arcollect._key_index_ok(a.billing_table, a.key_column) THEN
        RAISE EXCEPTION 'key column "%" of table % is not a unique, not-null column', a.key_column, a.billing_table
            USING ERRCODE = 'invalid_column_reference',
                  DETAIL = 'The ledger follows invoices by their key, so the key column needs a primary key or a unique index of its own (not deferrable) and NOT NULL.',
                  HINT = format('For example: ALTER TABLE %s ADD UNIQUE (%I), ALTER COLUMN %I SET NOT NULL.',
                                a.billing_table, a.key_column, a.key_column);
    END IF;
END
$fn$;

-- The tables whose writes an attachment of tbl books: tbl and everything
-- below it, partitions and inheritance children alike (a query on tbl
-- reads them all, and so do attach and reconcile).  Statement-level
-- triggers fire only for the table a statement names, so each of them
-- needs its own.
CREATE OR REPLACE FUNCTION arcollect._trigger_tables(tbl regclass)
RETURNS SETOF regclass
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    WITH RECURSIVE tree(relid) AS (
        SELECT tbl::oid
        UNION
        SELECT h.inhrelid FROM pg_catalog.pg_inherits h JOIN tree ON h.inhparent = tree.relid)
    SELECT tree.relid::regclass FROM tree;
END;

-- What keeps tbl and the tables below it from being booked as one
-- attached table, or no row:
--   partition, inherits  tbl is a partition or an inheritance child of
--                        other: writes through other would not be booked
--                        (or be booked twice, when other is attached)
--   temporary            member goes away with its session, and no DDL
--                        event tells the ledger: its invoices stay open
--   unlogged             crash recovery empties member, without telling
--                        the ledger either
--   shared               member is also below other, an attached table:
--                        its rows would be booked in both ledgers
CREATE OR REPLACE FUNCTION arcollect._tree_problem(tbl regclass,
                                                   OUT problem text, OUT member regclass, OUT other regclass)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    WITH mine AS (SELECT t FROM arcollect._trigger_tables(tbl) t),
         others AS (SELECT x.billing_table AS root, t
                      FROM arcollect.attachment x, arcollect._trigger_tables(x.billing_table) t
                     WHERE x.detached_at IS NULL AND x.billing_table <> tbl)
    SELECT p.problem, p.member, p.other
      FROM (SELECT 1 AS rank, CASE WHEN c.relispartition THEN 'partition' ELSE 'inherits' END AS problem,
                   tbl AS member, h.inhparent::regclass AS other
              FROM pg_catalog.pg_inherits h JOIN pg_catalog.pg_class c ON c.oid = h.inhrelid
             WHERE h.inhrelid = tbl
            UNION ALL
            SELECT 2, CASE c.relpersistence WHEN 't' THEN 'temporary' ELSE 'unlogged' END, mine.t, NULL
              FROM mine JOIN pg_catalog.pg_class c ON c.oid = mine.t
             WHERE c.relpersistence <> 'p'
            UNION ALL
            SELECT 3, 'shared', mine.t, others.root
              FROM mine JOIN others ON others.t = mine.t) p
     ORDER BY p.rank
     LIMIT 1;
END;

-- Number of arcollect triggers on tbl (4 when attached).
CREATE OR REPLACE FUNCTION arcollect._trigger_count(tbl regclass)
RETURNS integer
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
RETURN (SELECT count(*) FROM pg_catalog.pg_trigger g
         WHERE g.tgrelid = tbl AND g.tgfoid = 'arcollect.ledger_trigger()'::pg_catalog.regprocedure);
