-- The life cycles of the collections records: which status changes each
-- kind of record allows.  One list of transitions (the view
-- arcollect.status_transition), read by one trigger
-- function that every record table runs before an UPDATE of its status,
-- so that a plain UPDATE is held to the same life cycle as the functions
-- that change a status (close_dispute, cancel_payment_plan,
-- settle_commitments, complete_touchpoint, ...).
--
--   dispute        open -> resolved | rejected | credited
--   payment_plan   active -> completed | broken | cancelled
--   promise        open -> kept | broken | cancelled
--   touchpoint     planned -> done | skipped | cancelled
--
-- Every other status is final.  Leaving a status unchanged is always
-- allowed (an UPDATE of another column).

CREATE OR REPLACE VIEW arcollect.status_transition (record_kind, from_status, to_status) AS
VALUES ('dispute', 'open', 'resolved'),
       ('dispute', 'open', 'rejected'),
       ('dispute', 'open', 'credited'),
       ('payment_plan', 'active', 'completed'),
       ('payment_plan', 'active', 'broken'),
       ('payment_plan', 'active', 'cancelled'),
       ('promise', 'open', 'kept'),
       ('promise', 'open', 'broken'),
       ('promise', 'open', 'cancelled'),
       ('touchpoint', 'planned', 'done'),
       ('touchpoint', 'planned', 'skipped'),
       ('touchpoint', 'planned', 'cancelled');

COMMENT ON VIEW arcollect.status_transition IS
'The life cycles of the collections records: the status changes each kind of record allows (a status that has none is final). Leaving a status unchanged is always allowed.';
-- Not data: anyone may read the life cycles (an application shows the
-- actions a record allows from it).
GRANT SELECT ON arcollect.status_transition TO PUBLIC;
COMMENT ON COLUMN arcollect.status_transition.record_kind IS 'dispute, payment_plan, promise or touchpoint.';
COMMENT ON COLUMN arcollect.status_transition.from_status IS 'Status the record is in.';
COMMENT ON COLUMN arcollect.status_transition.to_status IS 'Status it may go to.';

-- BEFORE UPDATE trigger of a record table: TG_ARGV[0] is the record kind,
-- TG_ARGV[1] the name of its identifier column (for the message).
CREATE OR REPLACE FUNCTION arcollect._guard_status()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF NEW.status IS DISTINCT FROM OLD.status
       AND NOT EXISTS (SELECT FROM arcollect.status_transition t
                        WHERE t.record_kind = TG_ARGV[0]
                          AND t.from_status = OLD.status AND t.to_status = NEW.status) THEN
        RAISE EXCEPTION '% % cannot go from status "%" to "%"',
                        replace(TG_ARGV[0], '_', ' '), pg_catalog.to_jsonb(OLD) ->> TG_ARGV[1],
                        OLD.status, NEW.status
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = CASE WHEN EXISTS (SELECT FROM arcollect.status_transition t
                                              WHERE t.record_kind = TG_ARGV[0]
                                                AND t.from_status = OLD.status)
                                THEN 'That change is not part of its life cycle.'
                                ELSE format('Status "%s" is final.', OLD.status) END,
                  HINT = 'See the life cycle of the record in the README (Collections records).';
    END IF;
    RETURN NEW;
END
$fn$;

COMMENT ON FUNCTION arcollect._guard_status() IS
'Internal: BEFORE UPDATE trigger of the collections record tables; refuses a status change the record''s life cycle does not allow (SQLSTATE 55000).';

-- Who made a record and when: BEFORE INSERT OR UPDATE OF created_by,
-- created_at trigger of the record tables.  An INSERT gets current_user
-- and now() whatever it gives, an UPDATE cannot change them.  The one
-- exception is the restore path that arcollect._dispute_check describes:
-- a row created before this transaction, inserted by a role with the
-- privileges of the table's owner (pg_restore), keeps what it says.
CREATE OR REPLACE FUNCTION arcollect._record_created()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NOT (NEW.created_at < pg_catalog.now()
                AND pg_catalog.pg_has_role((SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = TG_RELID),
                                           'USAGE')) THEN
            NEW.created_by := current_user;
            NEW.created_at := pg_catalog.now();
        END IF;
    ELSIF (NEW.created_by, NEW.created_at) IS DISTINCT FROM (OLD.created_by, OLD.created_at) THEN
        RAISE EXCEPTION '% % cannot change who made it or when', replace(TG_ARGV[0], '_', ' '),
                        pg_catalog.to_jsonb(OLD) ->> TG_ARGV[1]
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'created_by and created_at are set when the record is made.';
    END IF;
    RETURN NEW;
END
$fn$;

COMMENT ON FUNCTION arcollect._record_created() IS
'Internal: BEFORE INSERT OR UPDATE trigger of the collections record tables; an INSERT records current_user and now() as created_by and created_at (but for a restore by the table''s owner), an UPDATE cannot change them (SQLSTATE 22023).';
