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
--
-- Which other columns an UPDATE may change is one list too
-- (arcollect.record_column_rule), read by the trigger function
-- arcollect._guard_final: what was agreed or observed when the record was
-- made never changes, the rest only until the status is final, the
-- free-text note always.  The same trigger holds a stored completed,
-- broken or kept to what the payments say (the status functions).

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

-- Which column of each record an UPDATE may change, and when.  One list,
-- read by arcollect._guard_final, which every record table runs before an
-- UPDATE:
--
--   never         set when the record is made: its identifier, who made
--                 it and when, and what it is about and was agreed (a
--                 dispute's invoice, a plan's customer, currency and
--                 terms, a promise's amount and date); to change those,
--                 end the record and make another (its schedule and
--                 invoices are fixed by arcollect._plan_fixed)
--   until final   while the record's status is not final: how it is
--                 worked (a dispute's owner, reason and amount, a planned
--                 touchpoint's every detail, the touchpoint a promise was
--                 taken in) and how it ends (with the change of status)
--   always        the free-text note: a final record is history, to
--                 which a collector may only add a word
--   life cycle    the status, as arcollect.status_transition allows
--
-- Every column of the four tables is listed (the test records_integrity
-- checks): one added later is refused until it is.
CREATE OR REPLACE VIEW arcollect.record_column_rule (record_kind, column_name, may_change) AS
VALUES ('dispute', 'dispute_id', 'never'),
       ('dispute', 'attachment_id', 'never'),
       ('dispute', 'invoice_key', 'never'),
       ('dispute', 'customer_id', 'never'),
       ('dispute', 'currency', 'never'),
       ('dispute', 'opened_on', 'never'),
       ('dispute', 'created_by', 'never'),
       ('dispute', 'created_at', 'never'),
       ('dispute', 'reason_code', 'until final'),
       ('dispute', 'disputed_amount', 'until final'),
       ('dispute', 'owner', 'until final'),
       ('dispute', 'closed_on', 'until final'),
       ('dispute', 'closed_by', 'until final'),
       ('dispute', 'closed_at', 'until final'),
       ('dispute', 'note', 'always'),
       ('dispute', 'status', 'life cycle'),
       ('payment_plan', 'plan_id', 'never'),
       ('payment_plan', 'customer_id', 'never'),
       ('payment_plan', 'currency', 'never'),
       ('payment_plan', 'grace_days', 'never'),
       ('payment_plan', 'created_on', 'never'),
       ('payment_plan', 'created_by', 'never'),
       ('payment_plan', 'created_at', 'never'),
       ('payment_plan', 'ended_on', 'until final'),
       ('payment_plan', 'note', 'always'),
       ('payment_plan', 'status', 'life cycle'),
       ('promise', 'promise_id', 'never'),
       ('promise', 'customer_id', 'never'),
       ('promise', 'currency', 'never'),
       ('promise', 'amount', 'never'),
       ('promise', 'made_on', 'never'),
       ('promise', 'promised_on', 'never'),
       ('promise', 'created_by', 'never'),
       ('promise', 'created_at', 'never'),
       ('promise', 'touchpoint_id', 'until final'),
       ('promise', 'settled_on', 'until final'),
       ('promise', 'note', 'always'),
       ('promise', 'status', 'life cycle'),
       ('touchpoint', 'touchpoint_id', 'never'),
       ('touchpoint', 'created_by', 'never'),
       ('touchpoint', 'created_at', 'never'),
       ('touchpoint', 'customer_id', 'until final'),
       ('touchpoint', 'currency', 'until final'),
       ('touchpoint', 'channel', 'until final'),
       ('touchpoint', 'direction', 'until final'),
       ('touchpoint', 'outcome', 'until final'),
       ('touchpoint', 'owner', 'until final'),
       ('touchpoint', 'planned_for', 'until final'),
       ('touchpoint', 'done_at', 'until final'),
       ('touchpoint', 'policy_name', 'until final'),
       ('touchpoint', 'step_no', 'until final'),
       ('touchpoint', 'reason', 'until final'),
       ('touchpoint', 'subject', 'until final'),
       ('touchpoint', 'body', 'until final'),
       ('touchpoint', 'notes', 'always'),
       ('touchpoint', 'status', 'life cycle');

COMMENT ON VIEW arcollect.record_column_rule IS
'Which column of each collections record an UPDATE may change: never (set when the record is made), until final (while its status is not final), always (the free-text note), life cycle (the status, as arcollect.status_transition allows).';
-- Not data, as the life cycles (and read by every UPDATE of a record,
-- with the updating role's rights).
GRANT SELECT ON arcollect.record_column_rule TO PUBLIC;
COMMENT ON COLUMN arcollect.record_column_rule.record_kind IS 'dispute, payment_plan, promise or touchpoint.';
COMMENT ON COLUMN arcollect.record_column_rule.column_name IS 'Column of the record''s table.';
COMMENT ON COLUMN arcollect.record_column_rule.may_change IS 'never, until final, always or life cycle.';

-- BEFORE UPDATE trigger of a record table (TG_ARGV as _guard_status's),
-- fired after _guard_status (trigger names: <table>_writable), so that a
-- status change the life cycle does not allow is named as such first.
--
-- It refuses a change arcollect.record_column_rule does not allow, and a
-- stored completed, broken or kept the payments do not support: a plan
-- stored as completed or broken must be so as of the ended_on it stores
-- (arcollect.payment_plan_status), a promise stored as kept or broken as
-- of its settled_on (arcollect.promise_status).  The status functions
-- read the row as it was (active or open): a BEFORE trigger sees the
-- table before this row's change.  settle_commitments stores what they
-- say, so it passes; cancelled is a collector's decision, whatever the
-- payments.  One status function call per record stored so: what
-- settle_commitments settles for a day.
CREATE OR REPLACE FUNCTION arcollect._guard_final()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    kind text := TG_ARGV[0];
    old_row jsonb := pg_catalog.to_jsonb(OLD);
    record_name text := format('%s %s', replace(TG_ARGV[0], '_', ' '), old_row ->> TG_ARGV[1]);
    is_final boolean;
    never text;
    not_now text;
    as_of date;
    supported text;
BEGIN
    is_final := NOT EXISTS (SELECT FROM arcollect.status_transition t
                             WHERE t.record_kind = kind AND t.from_status = OLD.status);
    SELECT pg_catalog.string_agg(n.key, ', ' ORDER BY n.key)
                FILTER (WHERE r.may_change IS NULL OR r.may_change = 'never'),
           pg_catalog.string_agg(n.key, ', ' ORDER BY n.key)
                FILTER (WHERE r.may_change = 'until final' AND is_final)
      INTO never, not_now
      FROM pg_catalog.jsonb_each(pg_catalog.to_jsonb(NEW)) n
      LEFT JOIN arcollect.record_column_rule r ON r.record_kind = kind AND r.column_name = n.key
     WHERE n.value IS DISTINCT FROM old_row -> n.key;
    IF never IS NOT NULL THEN
        RAISE EXCEPTION '% cannot change its %', record_name, never
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('These are set when a %s is made: %s.', replace(kind, '_', ' '),
                                  (SELECT pg_catalog.string_agg(r.column_name, ', ')
                                     FROM arcollect.record_column_rule r
                                    WHERE r.record_kind = kind AND r.may_change = 'never')),
                  HINT = 'To change what was agreed, end the record and make another one.';
    ELSIF not_now IS NOT NULL THEN
        RAISE EXCEPTION '% is %, a final status: its % cannot change', record_name, OLD.status, not_now
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = format('Once a %s''s status is final only its %s may change.', replace(kind, '_', ' '),
                                  (SELECT pg_catalog.string_agg(r.column_name, ', ')
                                     FROM arcollect.record_column_rule r
                                    WHERE r.record_kind = kind AND r.may_change = 'always')),
                  HINT = 'Add to the note, or make a new record.';
    END IF;

    IF NEW.status IS DISTINCT FROM OLD.status THEN
        IF kind = 'payment_plan' AND NEW.status IN ('completed', 'broken') THEN
            as_of := NEW.ended_on;
            SELECT s.status INTO supported
              FROM arcollect.payment_plan_status(as_of) s WHERE s.plan_id = NEW.plan_id;
        ELSIF kind = 'promise' AND NEW.status IN ('kept', 'broken') THEN
            as_of := NEW.settled_on;
            SELECT s.status INTO supported
              FROM arcollect.promise_status(as_of) s WHERE s.promise_id = NEW.promise_id;
        ELSE
            RETURN NEW;
        END IF;
        -- (no date: the table's CHECK refuses it)
        IF as_of IS NOT NULL AND supported IS DISTINCT FROM NEW.status THEN
            RAISE EXCEPTION '% is not % as of %: its payments make it %', record_name, NEW.status, as_of,
                            coalesce(supported, 'not yet made')
                USING ERRCODE = 'object_not_in_prerequisite_state',
                      DETAIL = format('A %s is stored as %s only for a date its payments make it so (arcollect.%s_status).',
                                      replace(kind, '_', ' '), NEW.status, kind),
                      HINT = 'arcollect.settle_commitments stores what the payments say; a collector may cancel it.';
        END IF;
    END IF;
    RETURN NEW;
END
$fn$;

COMMENT ON FUNCTION arcollect._guard_final() IS
'Internal: BEFORE UPDATE trigger of the collections record tables; refuses a change of a column arcollect.record_column_rule does not allow then (SQLSTATE 22023 for one set when the record is made, 55000 once its status is final), and a plan or promise stored as completed, broken or kept for a date its payments do not make it so (55000).';

-- Who made a record and when: BEFORE INSERT trigger of the record tables
-- (an UPDATE cannot change them: arcollect.record_column_rule).  An
-- INSERT gets current_user and now() whatever it gives, but on the
-- restore and import path: a row that says it was created before the
-- current transaction began, inserted by a role with the privileges of
-- the table's owner (pg_restore), keeps what it says.  This is the one
-- statement of that path: a table's own checks that a restored row is
-- spared (a dispute's, against its invoice's open amount today) run
-- after this trigger and know such a row by a created_at other than
-- now().  Only the owner, who could disable the triggers anyway, so the
-- path gives it nothing more; anyone else (a collector with INSERT) who
-- gives a created_at gets now(), and the checks.
CREATE OR REPLACE FUNCTION arcollect._record_created()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF NOT (NEW.created_at < pg_catalog.now()
            AND pg_catalog.pg_has_role((SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = TG_RELID),
                                       'USAGE')) THEN
        NEW.created_by := current_user;
        NEW.created_at := pg_catalog.now();
    END IF;
    RETURN NEW;
END
$fn$;

COMMENT ON FUNCTION arcollect._record_created() IS
'Internal: BEFORE INSERT trigger of the collections record tables; records current_user and now() as created_by and created_at, but for a row the table''s owner restores (created before this transaction), which keeps its own.';
