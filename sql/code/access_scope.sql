-- The limit to one owner's customers, as row-level security reads it
-- (access_policies.sql, and the owner-rights view arcollect.customer):
-- whether a role is limited, and the customers it sees.  A role is
-- limited when it is a member (inheriting) of a role in
-- arcollect.access_scope; superusers and BYPASSRLS roles never are.
--
-- SECURITY DEFINER: which customers an owner has is what the limited
-- role may not read itself (every customer's owner), and the lookup reads
-- the customers as the extension's owner, whom row-level security does
-- not filter, so a policy that calls it does not call itself.  So that
-- no role learns another's customers through it, scope_customers answers
-- only for a role the session's user may become (SET ROLE needs that
-- membership, so a policy always qualifies).  Each is called once per
-- query, as an InitPlan of the policies.
CREATE OR REPLACE FUNCTION arcollect.access_scoped(role regrole)
RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    -- (PL/pgSQL keeps the plans of these for the session: every query on
    -- the customers' tables calls it, so it costs little; most databases
    -- limit no one, which the first query answers)
    IF NOT EXISTS (SELECT FROM arcollect.access_scope) THEN
        RETURN false;
    END IF;
    RETURN (SELECT NOT r.rolsuper AND NOT r.rolbypassrls
                   AND EXISTS (SELECT FROM arcollect.access_scope s JOIN pg_catalog.pg_roles g ON g.oid = s.role
                                WHERE pg_catalog.pg_has_role(access_scoped.role, s.role, 'USAGE'))
              FROM pg_catalog.pg_roles r WHERE r.oid = access_scoped.role);
END
$fn$;

COMMENT ON FUNCTION arcollect.access_scoped(regrole) IS
'Whether the role sees only the customers of some owners (arcollect.access_scope, through its own row or a role it is a member of); never for a superuser or a BYPASSRLS role.';

CREATE OR REPLACE FUNCTION arcollect.scope_customers(role regrole)
RETURNS SETOF text
LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF NOT pg_catalog.pg_has_role(session_user, scope_customers.role, 'MEMBER') THEN
        RAISE EXCEPTION 'role % is not one the session''s user may act as', scope_customers.role
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Ask for the customers of the current role: scope_customers(current_user::regrole).';
    END IF;
    RETURN QUERY
    SELECT c.customer_id
      FROM arcollect.customer c
     WHERE c.owner IN (SELECT s.owner FROM arcollect.access_scope s
                         JOIN pg_catalog.pg_roles g ON g.oid = s.role
                        WHERE pg_catalog.pg_has_role(scope_customers.role, s.role, 'USAGE'));
END
$fn$;

COMMENT ON FUNCTION arcollect.scope_customers(regrole) IS
'The customers a role limited by arcollect.access_scope sees: those whose owner is one it is limited to. Only for a role the session''s user is a member of (SQLSTATE 42501 otherwise).';
