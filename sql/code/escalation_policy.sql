-- Escalation policies (tables in sql/schema/escalation_policy.sql): the
-- rules a policy and its steps are held to beyond their constraints, and
-- which policy a customer follows.
--
-- - Within a policy, days_from_due increases strictly with step_no.  The
--   check runs when the transaction commits (a deferred constraint
--   trigger), on the whole policy, so that an admin edits a ladder as a
--   ladder: insert a step between two and renumber the ones after it, or
--   move two steps' days, in one transaction.
-- - The policy default is every customer's fallback: it cannot be dropped
--   or renamed (its steps can be edited, or all removed).
-- - seeded marks a policy the extension installed and nobody edited; it
--   and its steps are left out of dumps.  Any UPDATE of the policy, and
--   any INSERT, UPDATE or DELETE of one of its steps, makes the policy
--   the user's (seeded false, for good), so that pg_dump keeps the whole
--   edited ladder.  A restore loads it into a database whose install made
--   the seeded one again: a user's policy row inserted under the name of
--   a seeded one replaces it, steps included (the restored steps follow).
--   Users never write seeded rows: an INSERT or UPDATE stores false.

-- BEFORE INSERT OR UPDATE OR DELETE trigger of arcollect.policy.
CREATE OR REPLACE FUNCTION arcollect._policy_edit()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.policy_name = 'default'
       AND (TG_OP = 'DELETE' OR NEW.policy_name IS DISTINCT FROM 'default') THEN
        RAISE EXCEPTION 'policy "default" cannot be %', CASE TG_OP WHEN 'DELETE' THEN 'dropped' ELSE 'renamed' END
            USING ERRCODE = 'restrict_violation',
                  DETAIL = 'Every customer whose own and segment settings name no policy follows the policy default.',
                  HINT = 'Edit its steps (arcollect.policy_step) instead.';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    NEW.seeded := false;
    IF TG_OP = 'INSERT'
       AND EXISTS (SELECT FROM arcollect.policy p WHERE p.policy_name = NEW.policy_name AND p.seeded) THEN
        -- the user's ladder in place of the installed one (a restore)
        DELETE FROM arcollect.policy_step s WHERE s.policy_name = NEW.policy_name;
        UPDATE arcollect.policy p
           SET description = NEW.description, created_by = NEW.created_by, created_at = NEW.created_at
         WHERE p.policy_name = NEW.policy_name;
        RETURN NULL;
    END IF;
    RETURN NEW;
END
$fn$;

COMMENT ON FUNCTION arcollect._policy_edit() IS
'BEFORE trigger of arcollect.policy: keeps the policy default, makes every row written the user''s (seeded false), and lets a user''s policy replace a seeded one of the same name (a restore).';

CREATE OR REPLACE TRIGGER policy_edit
    BEFORE INSERT OR UPDATE OR DELETE ON arcollect.policy
    FOR EACH ROW EXECUTE FUNCTION arcollect._policy_edit();

-- AFTER INSERT OR UPDATE OR DELETE trigger of arcollect.policy_step: an
-- edited step makes its policy the user's.
CREATE OR REPLACE FUNCTION arcollect._policy_step_edit()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    UPDATE arcollect.policy p
       SET seeded = false
     WHERE p.seeded
       AND p.policy_name IN (CASE WHEN TG_OP <> 'INSERT' THEN OLD.policy_name END,
                             CASE WHEN TG_OP <> 'DELETE' THEN NEW.policy_name END);
    RETURN NULL;
END
$fn$;

COMMENT ON FUNCTION arcollect._policy_step_edit() IS
'AFTER trigger of arcollect.policy_step: a step inserted, changed or deleted makes its policy the user''s (seeded false), so that pg_dump keeps the edited ladder.';

CREATE OR REPLACE TRIGGER policy_step_edit
    AFTER INSERT OR UPDATE OR DELETE ON arcollect.policy_step
    FOR EACH ROW EXECUTE FUNCTION arcollect._policy_step_edit();

-- Deferred constraint trigger of arcollect.policy_step: at commit, the
-- days of the policy of each step inserted or changed increase strictly
-- with step_no.  (Deleting a step cannot break the order.)
CREATE OR REPLACE FUNCTION arcollect._policy_step_order()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    bad record;
BEGIN
    SELECT s.step_no, s.days_from_due, s.prev_no, s.prev_days INTO bad
      FROM (SELECT t.step_no, t.days_from_due,
                   pg_catalog.lag(t.step_no) OVER w AS prev_no,
                   pg_catalog.lag(t.days_from_due) OVER w AS prev_days
              FROM arcollect.policy_step t
             WHERE t.policy_name = NEW.policy_name
            WINDOW w AS (ORDER BY t.step_no)) s
     WHERE s.days_from_due <= s.prev_days
     ORDER BY s.step_no
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'step % of policy "%" is at % days from due, not after step % at % days',
                        bad.step_no, NEW.policy_name, bad.days_from_due, bad.prev_no, bad.prev_days
            USING ERRCODE = 'check_violation',
                  DETAIL = 'Within a policy, days_from_due increases strictly with step_no.',
                  HINT = 'Number the steps in the order they are taken; renumber them in the transaction that inserts or moves one.';
    END IF;
    RETURN NULL;
END
$fn$;

COMMENT ON FUNCTION arcollect._policy_step_order() IS
'Deferred constraint trigger of arcollect.policy_step: at commit, within the policy of each step written, days_from_due increases strictly with step_no.';

-- (a constraint trigger cannot be created OR REPLACE)
DROP TRIGGER IF EXISTS policy_step_order ON arcollect.policy_step;
CREATE CONSTRAINT TRIGGER policy_step_order
    AFTER INSERT OR UPDATE ON arcollect.policy_step
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION arcollect._policy_step_order();

-- Which policy a customer follows: the one definition.
CREATE OR REPLACE VIEW arcollect.customer_policy WITH (security_invoker = true) AS
SELECT c.customer_id,
       coalesce(c.escalation_policy COLLATE "C", sp.policy_name, 'default') AS policy_name,
       CASE WHEN c.escalation_policy IS NOT NULL THEN 'customer'
            WHEN sp.policy_name IS NOT NULL THEN 'segment'
            ELSE 'default' END AS source
  FROM arcollect.customer c
  LEFT JOIN arcollect.segment_policy sp ON sp.segment = c.segment COLLATE "C";

COMMENT ON VIEW arcollect.customer_policy IS
'The escalation policy each customer follows: the one its own settings name (arcollect.customer.escalation_policy), else its segment''s (arcollect.segment_policy), else default.';
COMMENT ON COLUMN arcollect.customer_policy.customer_id IS 'The customer (every customer of arcollect.customer).';
COMMENT ON COLUMN arcollect.customer_policy.policy_name IS 'The policy it follows (arcollect.policy).';
COMMENT ON COLUMN arcollect.customer_policy.source IS 'Where the policy comes from: customer (its own setting), segment (its segment''s policy) or default.';

REVOKE ALL ON arcollect.policy, arcollect.policy_step, arcollect.segment_policy, arcollect.customer_policy
    FROM PUBLIC;
