-- The roles that see only some customers: the option of
-- arcollect.grant_access(role, access, owner) that limits a reader or
-- collector to the customers an owner (arcollect.customer.owner) looks
-- after.  Row-level security on the tables that hold customers' rows
-- reads it (sql/code/access_policies.sql); grant_access and revoke_access
-- write it.

CREATE TABLE arcollect.access_scope (
    role   regrole PRIMARY KEY,
    owner  text NOT NULL
) USING heap;

COMMENT ON TABLE arcollect.access_scope IS
'Roles limited to the customers of one owner by arcollect.grant_access(role, access, owner): the role, and every role that is a member of it, sees and records only the customers whose owner (arcollect.customer.owner) this is. Written by grant_access and revoke_access.';
COMMENT ON COLUMN arcollect.access_scope.role IS 'The role limited (and its members).';
COMMENT ON COLUMN arcollect.access_scope.owner IS 'The owner whose customers it sees, as arcollect.customer.owner spells it.';

SELECT pg_catalog.pg_extension_config_dump('arcollect.access_scope', '');
