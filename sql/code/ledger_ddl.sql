-- Keeping attachments in step with DDL on attached tables, by event
-- triggers (sql/schema/ledger_ddl.sql creates them):
--
-- * Before a command that may change an attached table (ddl_command_start),
--   _ddl_snapshot notes, for every attachment, the tables below its table,
--   whether its key is unique and the column numbers of its mapped
--   columns: once the command has run, the catalogs no longer say what it
--   removed or renamed.
-- * A dropped table leaves its attachment detached, with billing_table
--   NULL (its OID may be reused by a new table) and the name it had in
--   dropped_table_name.  Its ledger rows stay, as after detach.
-- * A table created in, attached to, detached from or dropped from the
--   tree of an attached table (partitions and inheritance children alike)
--   gets or loses arcollect's triggers (statement triggers fire only for
--   the table a statement names, so each one has its own), and the rows
--   that came or went with it are booked.
-- * What the ledger cannot follow is refused at the DDL: an attached
--   table becoming a partition or inheritance child, a temporary or
--   unlogged table in an attached tree, a table in two attached trees,
--   and (in strict mode) a change that breaks the column mapping or a
--   table joining with unusable rows.
-- * A renamed mapped column is followed: the mapping takes the new name.
-- * A command that loosens the invoice key (its unique index or NOT NULL
--   dropped, inheritance children added) is warned about.

-- The state of every attachment that _ddl_snapshot notes (see above), as
-- {"attachment_id": {"members": [oid, ...], "key_unique": bool,
-- "columns": {"column name": attnum, ...}}}.
CREATE OR REPLACE FUNCTION arcollect._attachments_state()
RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT coalesce(jsonb_object_agg(a.attachment_id, jsonb_build_object(
               'members', (SELECT coalesce(jsonb_agg(t::oid), '[]')
                             FROM arcollect._trigger_tables(a.billing_table) t
                            WHERE t <> a.billing_table),
               'key_unique', a.kind = 'invoices' AND arcollect._key_is_unique(a.attachment_id),
               'columns', (SELECT jsonb_object_agg(t.attname, t.attnum)
                             FROM pg_catalog.pg_attribute t
                            WHERE t.attrelid = a.billing_table AND t.attnum > 0 AND NOT t.attisdropped
                              AND t.attname IN (SELECT m.col FROM arcollect._mapping(a) m)))), '{}')
      FROM arcollect.attachment a
     WHERE a.detached_at IS NULL;
END;

-- Where the state is kept until the end of the transaction: in backend
-- memory, out of users' sight (src/ledger_ddl.c).
CREATE OR REPLACE FUNCTION arcollect._ddl_state_set(state jsonb)
RETURNS void
AS 'MODULE_PATHNAME', 'arcollect_ddl_state_set'
LANGUAGE C VOLATILE;

CREATE OR REPLACE FUNCTION arcollect._ddl_state()
RETURNS jsonb
AS 'MODULE_PATHNAME', 'arcollect_ddl_state'
LANGUAGE C VOLATILE;

-- The state noted before the command running now (or {}).
CREATE OR REPLACE FUNCTION arcollect._state_before()
RETURNS jsonb
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
RETURN coalesce(arcollect._ddl_state(), '{}');

CREATE OR REPLACE FUNCTION arcollect._ddl_snapshot()
RETURNS event_trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    PERFORM arcollect._ddl_state_set(
        CASE WHEN EXISTS (SELECT FROM arcollect.attachment x WHERE x.detached_at IS NULL)
             THEN arcollect._attachments_state() ELSE '{}' END);
END
$fn$;

-- The active attachment whose tree holds tbl (tbl's own, or the nearest
-- ancestor's), or NULL.
CREATE OR REPLACE FUNCTION arcollect._attachment_of(tbl regclass)
RETURNS integer
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    WITH RECURSIVE up(relid, depth) AS (
        SELECT tbl::oid, 0
        UNION ALL
        SELECT h.inhparent, up.depth + 1 FROM pg_catalog.pg_inherits h JOIN up ON h.inhrelid = up.relid)
    SELECT x.attachment_id
      FROM up JOIN arcollect.attachment x ON x.billing_table = up.relid AND x.detached_at IS NULL
     ORDER BY up.depth
     LIMIT 1;
END;

-- Refuses, at the end of a DDL command, what would keep the ledger of the
-- attached table tbl from tying out (see _tree_problem); the error undoes
-- the command.
CREATE OR REPLACE FUNCTION arcollect._refuse_tree_problem(tbl regclass)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    p record;
BEGIN
    SELECT * INTO p FROM arcollect._tree_problem(tbl);
    CASE p.problem
    WHEN 'partition', 'inherits' THEN
        RAISE EXCEPTION 'attached table % cannot become % of %', tbl,
              CASE p.problem WHEN 'partition' THEN 'a partition' ELSE 'an inheritance child' END, p.other
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = format('Writes through %s would not be booked in the ledger of %s, or would be booked twice.',
                                  p.other, tbl),
                  HINT = format('Detach %s first (arcollect.detach); attach %s instead to book all the tables below it.',
                                tbl, p.other);
    WHEN 'temporary' THEN
        RAISE EXCEPTION 'temporary table % cannot be part of attached table %', p.member, tbl
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'A temporary table goes away with its session without telling the ledger, which would keep its invoices open.',
                  HINT = 'Use a permanent table.';
    WHEN 'unlogged' THEN
        RAISE EXCEPTION '% cannot be unlogged',
              CASE WHEN p.member = tbl THEN format('attached table %s', tbl)
                   ELSE format('table %s of attached table %s', p.member, tbl) END
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'Crash recovery empties an unlogged table without telling the ledger, which would keep its invoices open.',
                  HINT = format('Keep %s logged, or detach %s first (arcollect.detach).', p.member, tbl);
    WHEN 'shared' THEN
        RAISE EXCEPTION 'table % cannot be part of both attached tables % and %', p.member, tbl, p.other
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'Its rows would be booked in both ledgers.',
                  HINT = 'Detach one of the two tables first (arcollect.detach).';
    ELSE
    END CASE;
END
$fn$;

-- Follows the renames of mapped columns of attachment_id made by the
-- command running now: the mapping takes the new names.  before is the
-- state noted before the command (_attachments_state).
CREATE OR REPLACE FUNCTION arcollect._follow_renames(attachment_id integer, before jsonb)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    r record;
BEGIN
    FOR r IN
        SELECT old.name AS old_name, t.attname AS new_name
          FROM pg_event_trigger_ddl_commands() c
          JOIN arcollect.attachment a ON a.attachment_id = _follow_renames.attachment_id
                                     AND c.objid = a.billing_table
          -- a renamed column is reported with its number
          JOIN pg_attribute t ON t.attrelid = c.objid AND t.attnum = c.objsubid
          JOIN jsonb_each_text(before -> _follow_renames.attachment_id::text -> 'columns') old(name, attnum)
            ON old.attnum::smallint = t.attnum
         WHERE c.classid = 'pg_class'::regclass AND c.object_type = 'table column'
           AND old.name <> t.attname
    LOOP
        UPDATE arcollect.attachment a
           SET key_column = CASE WHEN a.key_column = r.old_name THEN r.new_name ELSE a.key_column END,
               customer_column = CASE WHEN a.customer_column = r.old_name THEN r.new_name ELSE a.customer_column END,
               amount_column = CASE WHEN a.amount_column = r.old_name THEN r.new_name ELSE a.amount_column END,
               due_on_column = CASE WHEN a.due_on_column = r.old_name THEN r.new_name ELSE a.due_on_column END,
               issued_on_column = CASE WHEN a.issued_on_column = r.old_name THEN r.new_name ELSE a.issued_on_column END,
               currency_column = CASE WHEN a.currency_column = r.old_name THEN r.new_name ELSE a.currency_column END,
               paid_column = CASE WHEN a.paid_column = r.old_name THEN r.new_name ELSE a.paid_column END,
               open_column = CASE WHEN a.open_column = r.old_name THEN r.new_name ELSE a.open_column END,
               owner_column = CASE WHEN a.owner_column = r.old_name THEN r.new_name ELSE a.owner_column END,
               status_column = CASE WHEN a.status_column = r.old_name THEN r.new_name ELSE a.status_column END,
               invoice_key_column = CASE WHEN a.invoice_key_column = r.old_name THEN r.new_name ELSE a.invoice_key_column END,
               paid_on_column = CASE WHEN a.paid_on_column = r.old_name THEN r.new_name ELSE a.paid_on_column END,
               kind_column = CASE WHEN a.kind_column = r.old_name THEN r.new_name ELSE a.kind_column END
         WHERE a.attachment_id = _follow_renames.attachment_id;
    END LOOP;
END
$fn$;

-- After a command that changed attachment_id's table: true when its
-- mapping still holds.  When a mapped column was dropped or given a type
-- its parameter does not take, a strict attachment refuses the command
-- (the ledger could no longer book every write, which strict mode
-- promises); any other warns, as the trigger does on every write until
-- the table is attached again.
CREATE OR REPLACE FUNCTION arcollect._mapping_holds(attachment_id integer)
RETURNS boolean
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    a arcollect.attachment;
    problem text := arcollect._mapping_problem(attachment_id);
BEGIN
    IF problem IS NULL THEN
        RETURN true;
    END IF;
    SELECT * INTO STRICT a FROM arcollect.attachment t WHERE t.attachment_id = _mapping_holds.attachment_id;
    IF a.strict_mode THEN
        RAISE EXCEPTION 'the mapping of table % to the receivables ledger would break', a.billing_table
            USING ERRCODE = 'dependent_objects_still_exist',
                  DETAIL = format('After this command, %s.  The table is attached in strict mode, where every write is booked or refused, which needs every mapped column.', problem),
                  HINT = 'Attach the table again with a mapping that does without the column, or with strict => false, before changing it.';
    END IF;
    RAISE WARNING '%; the receivables ledger no longer books table %', problem, a.billing_table
        USING DETAIL = 'Writes to the table go through, with a warning, but are not booked until the table is attached again.',
              HINT = 'Attach the table again with arcollect.attach (or attach_payments) with the new mapping; it brings the ledger up to date.';
    RETURN false;
END
$fn$;

-- Warns that the invoice key of attachment_id is no longer unique, and
-- what the ledger does about it (ledger_sync.sql).
CREATE OR REPLACE FUNCTION arcollect._warn_loose_key(attachment_id integer)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    a arcollect.attachment;
    what text;
BEGIN
    SELECT * INTO STRICT a FROM arcollect.attachment t WHERE t.attachment_id = _warn_loose_key.attachment_id;
    what := CASE
        WHEN NOT arcollect._key_index_ok(a.billing_table, a.key_column)
             AND EXISTS (SELECT FROM pg_attribute t
                          WHERE t.attrelid = a.billing_table AND t.attname = a.key_column AND NOT t.attnotnull)
            THEN format('Column "%s" may be NULL now', a.key_column)
        WHEN NOT arcollect._key_index_ok(a.billing_table, a.key_column)
            THEN format('Column "%s" has no primary key or unique index of its own any more', a.key_column)
        ELSE format('A unique index on column "%s" does not cover the rows of inheritance children', a.key_column)
    END;
    RAISE WARNING 'the invoice key of table % no longer identifies one row', a.billing_table
        USING DETAIL = what || ': the receivables ledger quarantines every row of a key that repeats (duplicate_key) and rows without a key (missing_invoice_key), and books writes more slowly, until the key is unique again.',
              HINT = CASE WHEN what LIKE 'A unique index%'
                          THEN 'Keep the keys of the inheritance children apart from the parent''s and from each other''s (see arcollect.quarantine), or use a partitioned table instead.'
                          ELSE format('Correct the rows that break the key, then restore it: ALTER TABLE %s ADD PRIMARY KEY (%I).',
                                      a.billing_table, a.key_column) END;
END
$fn$;

CREATE OR REPLACE FUNCTION arcollect._forget_dropped_tables()
RETURNS event_trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    before jsonb := arcollect._state_before();
    gone integer[];
    att record;
BEGIN
    WITH dropped AS (
        UPDATE arcollect.attachment a
           SET billing_table = NULL, dropped_table_name = d.object_identity,
               detached_at = coalesce(a.detached_at, now())
          FROM pg_event_trigger_dropped_objects() d
         WHERE d.classid = 'pg_class'::regclass AND d.objsubid = 0
           AND a.billing_table::oid = d.objid
        RETURNING a.attachment_id)
    SELECT array_agg(dropped.attachment_id) INTO gone FROM dropped;
    IF gone IS NOT NULL THEN
        DELETE FROM arcollect.quarantine q WHERE q.attachment_id = ANY (gone);
        DELETE FROM arcollect.quarantine_release r WHERE r.attachment_id = ANY (gone);
    END IF;

    FOR att IN
        WITH d AS (SELECT * FROM pg_event_trigger_dropped_objects() d
                    WHERE d.classid IN ('pg_class'::regclass, 'pg_constraint'::regclass))
        SELECT x.attachment_id, x.billing_table,
               -- tables below it that this command dropped
               EXISTS (SELECT FROM d JOIN jsonb_array_elements_text(before -> x.attachment_id::text -> 'members') m(relid)
                           ON m.relid::oid = d.objid
                        WHERE d.classid = 'pg_class'::regclass AND d.objsubid = 0) AS lost_table,
               EXISTS (SELECT FROM d WHERE d.objid = x.billing_table AND d.objsubid > 0) AS lost_column,
               coalesce((before -> x.attachment_id::text ->> 'key_unique')::boolean, false)
                   AND EXISTS (SELECT FROM d WHERE d.object_type IN ('index', 'table constraint')) AS key_at_risk
          FROM arcollect.attachment x
         WHERE x.detached_at IS NULL AND EXISTS (SELECT FROM d)
    LOOP
        CONTINUE WHEN arcollect._trigger_count(att.billing_table) <> 4;
        IF att.lost_table THEN
            -- its rows went without a DELETE: compare the ledger with what is left
            PERFORM arcollect._import_reported(att.attachment_id);
        END IF;
        -- ALTER TABLE is followed at its end (_follow_partitions); this
        -- is for DROP INDEX and what a DROP ... CASCADE takes along
        CONTINUE WHEN tg_tag IN ('ALTER TABLE', 'CREATE TABLE');
        IF att.lost_column THEN
            PERFORM arcollect._mapping_holds(att.attachment_id);
        END IF;
        IF att.key_at_risk AND NOT arcollect._key_is_unique(att.attachment_id) THEN
            PERFORM arcollect._warn_loose_key(att.attachment_id);
        END IF;
    END LOOP;
END
$fn$;

-- At the end of CREATE TABLE and ALTER TABLE: refuses what the ledger
-- cannot follow, follows renamed columns, gives new tables in an attached
-- tree their triggers and takes them off tables that left, books the rows
-- that came or went, and warns about a loosened key.
CREATE OR REPLACE FUNCTION arcollect._follow_partitions()
RETURNS event_trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    before jsonb := arcollect._state_before();
    orphans regclass[];
    a record;
    t regclass;
    changed boolean;
    has_rows boolean;
BEGIN
    IF NOT EXISTS (SELECT FROM arcollect.attachment x WHERE x.detached_at IS NULL) THEN
        RETURN;
    END IF;

    -- Tables with arcollect's triggers that no attached table holds any
    -- more: detached partitions, inheritance children that left.
    SELECT array_agg(DISTINCT g.tgrelid::regclass) INTO orphans
      FROM pg_trigger g
     WHERE g.tgfoid = 'arcollect.ledger_trigger()'::regprocedure
       AND arcollect._attachment_of(g.tgrelid) IS NULL;

    FOR a IN
        WITH cmd AS (SELECT DISTINCT c.objid FROM pg_event_trigger_ddl_commands() c
                      WHERE c.classid = 'pg_class'::regclass)
        SELECT x.attachment_id, x.billing_table, x.kind,
               coalesce((before -> x.attachment_id::text ->> 'key_unique')::boolean, false) AS key_was_unique,
               -- tables that left it (orphans now)
               EXISTS (SELECT FROM jsonb_array_elements_text(before -> x.attachment_id::text -> 'members') m(relid)
                        WHERE m.relid::oid = ANY (orphans::oid[])) AS lost_table
          FROM arcollect.attachment x
         WHERE x.detached_at IS NULL
           AND EXISTS (SELECT FROM cmd
                        WHERE x.attachment_id = arcollect._attachment_of(cmd.objid)
                           -- its table joined another one's tree
                           OR EXISTS (SELECT FROM pg_inherits h
                                       WHERE h.inhrelid = x.billing_table AND h.inhparent = cmd.objid)
                           OR before -> x.attachment_id::text -> 'members' @> to_jsonb(cmd.objid))
         -- an attached table that became part of another: report it as such
         ORDER BY EXISTS (SELECT FROM pg_inherits h WHERE h.inhrelid = x.billing_table) DESC, x.attachment_id
    LOOP
        -- The table's own triggers come from attach.  Without them (in the
        -- middle of a pg_restore, which creates every trigger itself once
        -- the data is in) this leaves the attachment alone.
        CONTINUE WHEN arcollect._trigger_count(a.billing_table) <> 4;
        PERFORM arcollect._refuse_tree_problem(a.billing_table);
        PERFORM arcollect._follow_renames(a.attachment_id, before);
        -- with a broken mapping nothing can be booked (the trigger warns)
        CONTINUE WHEN NOT arcollect._mapping_holds(a.attachment_id);

        changed := a.lost_table;
        -- tables that came: triggers, and their rows
        FOR t IN SELECT p FROM arcollect._trigger_tables(a.billing_table) p
                  WHERE arcollect._trigger_count(p) <> 4 LOOP
            PERFORM arcollect._install_table_triggers(t);
            EXECUTE format('SELECT EXISTS (SELECT FROM %s)', t) INTO STRICT has_rows;
            changed := changed OR has_rows;
        END LOOP;
        -- (no snapshot before a command split over two transactions, such
        -- as DETACH PARTITION CONCURRENTLY: then the orphans are this one's)
        changed := changed OR (before = '{}' AND orphans IS NOT NULL);
        IF changed THEN
            PERFORM arcollect._import_reported(a.attachment_id);
        END IF;
        IF a.kind = 'invoices' AND a.key_was_unique AND NOT arcollect._key_is_unique(a.attachment_id) THEN
            PERFORM arcollect._warn_loose_key(a.attachment_id);
        END IF;
    END LOOP;

    -- tables that went lose their triggers
    IF orphans IS NOT NULL THEN
        PERFORM arcollect._drop_table_triggers(o) FROM unnest(orphans) o;
    END IF;
END
$fn$;
