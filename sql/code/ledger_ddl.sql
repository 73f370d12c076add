-- Keeping attachments in step with DDL on attached tables, by event
-- triggers:
--
-- * A dropped table leaves its attachment detached, with billing_table
--   NULL (its OID may be reused by a new table) and the name it had in
--   dropped_table_name.  Its ledger rows stay, as after detach.
-- * A partition created in, attached to or detached from an attached
--   partitioned table gets or loses arcollect's triggers (statement
--   triggers fire only for the table a statement names, so each partition
--   has its own), and rows that came or went with it are booked.

CREATE OR REPLACE FUNCTION arcollect._forget_dropped_tables()
RETURNS event_trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    gone integer[];
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
    END IF;
END
$fn$;

CREATE OR REPLACE FUNCTION arcollect._follow_partitions()
RETURNS event_trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    a record;
    t regclass;
    changed boolean;
    has_rows boolean;
BEGIN
    IF NOT EXISTS (SELECT FROM arcollect.attachment x WHERE x.detached_at IS NULL) THEN
        RETURN;
    END IF;
    FOR a IN
        SELECT DISTINCT x.attachment_id, x.billing_table
          FROM pg_event_trigger_ddl_commands() c
          JOIN arcollect.attachment x
            ON x.detached_at IS NULL
           AND x.billing_table = coalesce(pg_partition_root(c.objid), c.objid::regclass)
         WHERE c.classid = 'pg_class'::regclass
    LOOP
        -- The table's own triggers come from attach.  Without them (in the
        -- middle of a pg_restore, which creates every trigger itself once
        -- the data is in) this leaves the partitions alone too.
        CONTINUE WHEN arcollect._trigger_count(a.billing_table) <> 4;
        changed := false;
        -- partitions that came: triggers, and their rows
        FOR t IN SELECT p FROM arcollect._trigger_tables(a.billing_table) p
                  WHERE arcollect._trigger_count(p) <> 4 LOOP
            PERFORM arcollect._install_table_triggers(t);
            EXECUTE format('SELECT EXISTS (SELECT FROM %s)', t) INTO STRICT has_rows;
            changed := changed OR has_rows;
        END LOOP;
        -- partitions that went: no more triggers, and their rows leave
        FOR t IN SELECT DISTINCT g.tgrelid::regclass FROM pg_trigger g
                  WHERE g.tgfoid = 'arcollect.ledger_trigger()'::regprocedure
                    AND NOT EXISTS (SELECT FROM arcollect.attachment x
                                     WHERE x.detached_at IS NULL
                                       AND x.billing_table = coalesce(pg_partition_root(g.tgrelid),
                                                                      g.tgrelid::regclass)) LOOP
            PERFORM arcollect._drop_table_triggers(t);
            changed := true;
        END LOOP;
        IF changed THEN
            PERFORM arcollect._import(a.attachment_id);
        END IF;
    END LOOP;
END
$fn$;
