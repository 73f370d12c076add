-- Access to arcollect by role: arcollect.grant_access(role, access) gives
-- a role one of three levels, arcollect.revoke_access(role) takes
-- everything back.  What each level may do is one list, the view
-- arcollect.access_privilege; grant_access grants its rows and nothing
-- else.
--
--   reader     USAGE on the schema and SELECT on every table and view but
--              the quarantine's: BI tools read the views, and the reading
--              functions (open_items, customer_risk, ...) and the views
--              run with the caller's rights, so they read the tables
--              below too.  Quarantine holds billing rows as they were
--              written (every mapped column), which is the admins' to
--              look after; record_lock is the collectors' turn-taking.
--   collector  a reader that also records touchpoints, disputes,
--              promises and payment plans (the record functions run with
--              the caller's rights: these are the tables they write),
--              edits customers' settings, releases credit holds and
--              claims late fees (which the escalation run does).
--   admin      a collector that also reads quarantine, attaches and
--              detaches tables, edits dispute reasons, policies, contact
--              rules, message templates and channel costs, and runs the
--              escalation (it plans touchpoints, takes steps and sets
--              holds).
--
-- No level lets a role read through arcollect what it could not read
-- directly: the BI views are security_invoker, and every function but
-- the internal ones (never granted: ledger_grants.sql) runs with the
-- caller's rights.  Levels are made of these grants only, so a grant
-- made by hand besides them stays until revoke_access, which revokes
-- every privilege on the schema and its objects.
--
-- A reader or collector may be limited to the customers of one owner
-- (grant_access's owner): arcollect.access_scope records it, and
-- row-level security on the tables that hold customers' rows
-- (access_policies.sql) lets the role see, and write, those customers'
-- rows only; the views read with the caller's rights, so they show only
-- those too.
--
-- A role's access follows the objects there are when it is granted: after
-- ALTER EXTENSION arcollect UPDATE, grant it again (new views are then
-- included).

CREATE OR REPLACE VIEW arcollect.access_privilege (access, privilege, object_type, object_name) AS
WITH data AS (
    SELECT c.oid::regclass::text AS object_name, c.relname
      FROM pg_catalog.pg_class c
     WHERE c.relnamespace = 'arcollect'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
)
SELECT 'reader', 'USAGE', 'SCHEMA', 'arcollect'
UNION ALL
SELECT 'reader', 'SELECT', 'TABLE', d.object_name
  FROM data d
 WHERE d.relname NOT IN ('quarantine', 'quarantine_release', '_quarantine_held', 'quarantined_rows',
                         'record_lock', 'access_scope')
UNION ALL
SELECT 'collector', g.privilege, 'TABLE', g.object_name
  FROM (VALUES
        -- customers' settings (through the view)
        ('UPDATE', 'arcollect.customer'),
        -- disputes (open_dispute, close_dispute)
        ('INSERT, UPDATE', 'arcollect.dispute'),
        -- payment plans: made, then ended (cancel_payment_plan,
        -- settle_commitments); nothing else of a plan changes
        ('INSERT', 'arcollect.payment_plan'),
        ('UPDATE (status, ended_on, note)', 'arcollect.payment_plan'),
        ('INSERT', 'arcollect.plan_invoice'),
        ('INSERT', 'arcollect.plan_installment'),
        -- a new dispute or covered invoice first takes its turn here, so
        -- that two at once are checked one by one
        ('SELECT, INSERT, UPDATE', 'arcollect.record_lock'),
        -- touchpoints and promises (log_touchpoint, complete_touchpoint,
        -- promise_to_pay, cancel_promise)
        ('INSERT, UPDATE', 'arcollect.touchpoint'),
        ('INSERT, UPDATE', 'arcollect.touchpoint_invoice'),
        ('INSERT, UPDATE', 'arcollect.promise'),
        -- late-payment fees claimed (claim_late_fees); the billing system
        -- invoices them
        ('INSERT', 'arcollect.late_fee_claim'),
        -- credit holds released (release_credit_hold), and the escalation
        -- a dispute, plan or promise makes needless ended, by the record
        -- triggers of escalation_events.sql (they never take a step)
        ('UPDATE (released_on, released_reason)', 'arcollect.credit_hold'),
        ('UPDATE (ended_on, end_reason)', 'arcollect.escalation')) g(privilege, object_name)
UNION ALL
SELECT 'admin', 'SELECT', 'TABLE', d.object_name
  FROM data d
 WHERE d.relname IN ('quarantine', 'quarantine_release', '_quarantine_held', 'quarantined_rows', 'record_lock',
                     'access_scope')
UNION ALL
SELECT 'admin', g.privilege, g.object_type, g.object_name
  FROM (VALUES
        ('EXECUTE', 'FUNCTION', 'arcollect.attach'),
        ('EXECUTE', 'FUNCTION', 'arcollect.attach_payments'),
        ('EXECUTE', 'FUNCTION', 'arcollect.detach'),
        ('INSERT, UPDATE, DELETE', 'TABLE', 'arcollect.dispute_reason'),
        ('INSERT, UPDATE, DELETE', 'TABLE', 'arcollect.policy'),
        ('INSERT, UPDATE, DELETE', 'TABLE', 'arcollect.policy_step'),
        ('INSERT, UPDATE, DELETE', 'TABLE', 'arcollect.segment_policy'),
        -- contact rules are changed, never added or deleted (one per
        -- channel)
        ('UPDATE', 'TABLE', 'arcollect.contact_rule'),
        ('INSERT, UPDATE, DELETE', 'TABLE', 'arcollect.message_template'),
        ('INSERT, UPDATE, DELETE', 'TABLE', 'arcollect.channel_cost'),
        -- the escalation run (CALL arcollect.run_escalations; it also
        -- settles plans and promises, claims fees and plans touchpoints)
        ('INSERT, UPDATE', 'TABLE', 'arcollect.escalation_run'),
        -- what the last complete run saw (one row, replaced by the next)
        ('INSERT, DELETE', 'TABLE', 'arcollect.escalation_inputs'),
        ('INSERT, UPDATE', 'TABLE', 'arcollect.escalation'),
        ('INSERT, UPDATE', 'TABLE', 'arcollect.escalation_step'),
        ('INSERT, UPDATE', 'TABLE', 'arcollect.credit_hold'),
        ('INSERT, UPDATE', 'TABLE', 'arcollect.late_fee_claim'),
        ('UPDATE', 'TABLE', 'arcollect.payment_plan'),
        ('UPDATE', 'TABLE', 'arcollect.promise')) g(privilege, object_type, object_name);

COMMENT ON VIEW arcollect.access_privilege IS
'What each access level of arcollect.grant_access gives, one privilege on one object a row: a collector also has the reader''s rows, an admin the collector''s.';
COMMENT ON COLUMN arcollect.access_privilege.access IS 'The lowest level that has the privilege: reader, collector or admin.';
COMMENT ON COLUMN arcollect.access_privilege.privilege IS 'The privilege, as GRANT writes it (a column list in parentheses for column privileges).';
COMMENT ON COLUMN arcollect.access_privilege.object_type IS 'SCHEMA, TABLE (tables and views) or FUNCTION.';
COMMENT ON COLUMN arcollect.access_privilege.object_name IS 'The object, schema-qualified.';

REVOKE ALL ON arcollect.access_privilege FROM PUBLIC;

CREATE OR REPLACE FUNCTION arcollect.revoke_access(role regrole)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    PERFORM arcollect.check_access_granter(role);
    EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA arcollect FROM %s', role);
    EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA arcollect FROM %s', role);
    EXECUTE format('REVOKE ALL ON ALL FUNCTIONS IN SCHEMA arcollect FROM %s', role);
    EXECUTE format('REVOKE ALL ON ALL PROCEDURES IN SCHEMA arcollect FROM %s', role);
    EXECUTE format('REVOKE ALL ON SCHEMA arcollect FROM %s', role);
    DELETE FROM arcollect.access_scope s WHERE s.role = revoke_access.role;
END
$fn$;

COMMENT ON FUNCTION arcollect.revoke_access(regrole) IS
'Takes back every privilege the role has on schema arcollect and its objects (what grant_access gave, and any grant made by hand), and the limit to one owner''s customers. Run by the extension''s owner or a superuser.';

CREATE OR REPLACE FUNCTION arcollect.grant_access(role regrole, access text, owner text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    p record;
BEGIN
    PERFORM arcollect.check_access_granter(role);
    IF access IS NULL OR access NOT IN ('reader', 'collector', 'admin') THEN
        RAISE EXCEPTION 'unknown access level "%"', access
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Give reader (read every view, for BI tools), collector (a reader who records touchpoints, disputes, promises and plans) or admin (everything, attaching tables and editing policies too).';
    END IF;
    IF owner IS NOT NULL AND access = 'admin' THEN
        RAISE EXCEPTION 'an admin cannot be limited to the customers of an owner'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'An admin attaches tables and runs the escalation for every customer.',
                  HINT = 'Limit a reader or a collector, or leave owner out.';
    ELSIF owner IS NOT NULL
          AND (SELECT r.rolsuper OR r.rolbypassrls FROM pg_catalog.pg_roles r WHERE r.oid = role) THEN
        RAISE EXCEPTION 'role % bypasses row-level security and cannot be limited to the customers of an owner', role
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Limit a role that is neither a superuser nor BYPASSRLS.';
    END IF;
    -- exactly the level asked for: what the role had before goes first
    PERFORM arcollect.revoke_access(role);
    FOR p IN SELECT a.privilege, a.object_type, a.object_name
               FROM arcollect.access_privilege a
              WHERE a.access = 'reader'
                 OR a.access = 'collector' AND grant_access.access IN ('collector', 'admin')
                 OR a.access = 'admin' AND grant_access.access = 'admin'
    LOOP
        EXECUTE format('GRANT %s ON %s %s TO %s', p.privilege, p.object_type, p.object_name, role);
    END LOOP;
    IF owner IS NOT NULL THEN
        INSERT INTO arcollect.access_scope (role, owner) VALUES (grant_access.role, grant_access.owner);
    END IF;
END
$fn$;

COMMENT ON FUNCTION arcollect.grant_access(regrole, text, text) IS
'Gives a role one access level to arcollect, replacing what it had: reader (every view and table but quarantine, read-only: for BI tools), collector (a reader that also records touchpoints, disputes, promises and payment plans) or admin (everything: attaching tables, quarantine, policies, contact rules, templates, channel costs, the escalation run). With owner, a reader or collector sees and records only the customers of that owner (arcollect.customer.owner), by row-level security. arcollect.access_privilege lists the grants. Run by the extension''s owner or a superuser.';

-- Who may grant and revoke: the roles that hold arcollect's objects'
-- privileges to give, that is the extension's owner (and superusers); a
-- GRANT by anyone else would only warn that nothing was granted.
CREATE OR REPLACE FUNCTION arcollect.check_access_granter(role regrole)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    owner oid := (SELECT e.extowner FROM pg_catalog.pg_extension e WHERE e.extname = 'arcollect');
BEGIN
    IF role IS NULL THEN
        RAISE EXCEPTION 'role must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    ELSIF role = 0 THEN
        RAISE EXCEPTION 'PUBLIC cannot be given access to arcollect'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Give access to the roles that need it, or to a group role they are members of.';
    ELSIF NOT pg_catalog.pg_has_role(current_user, owner, 'USAGE') THEN
        RAISE EXCEPTION 'only the owner of extension arcollect (%) can give or take back access to it',
                        pg_catalog.pg_get_userbyid(owner)
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Run it as the extension''s owner or as a superuser.';
    END IF;
END
$fn$;

COMMENT ON FUNCTION arcollect.check_access_granter(regrole) IS
'Refuses (SQLSTATE 42501) a caller who cannot give access to arcollect, that is anyone but the extension''s owner and superusers, and a NULL role or PUBLIC (22023); grant_access and revoke_access call it first.';
