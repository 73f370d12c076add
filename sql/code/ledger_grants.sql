-- Privileges of the receivables ledger.
--
-- PUBLIC gets nothing on ledger data: tables and views are readable and
-- writable only by roles that are granted access (see doc/ledger.md for
-- the grants of a BI, collector and admin role).  Attaching a table is an
-- administrator's job, so attach, attach_payments and detach, and the
-- trigger function itself, are not executable by PUBLIC either.  Reading
-- functions run with the caller's rights and need no revoke: without
-- SELECT on the ledger they return nothing but an error.

REVOKE ALL ON arcollect.attachment, arcollect.invoice, arcollect.entry,
              arcollect.quarantine, arcollect.quarantine_release, arcollect._quarantine_held,
              arcollect.customer, arcollect.customer_setting,
              arcollect.quarantined_rows, arcollect.ledger_entries, arcollect._history,
              arcollect._open_amount
    FROM PUBLIC;
REVOKE ALL ON SEQUENCE arcollect.attachment_attachment_id_seq,
                       arcollect.entry_entry_id_seq,
                       arcollect.quarantine_quarantine_id_seq
    FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION arcollect.ledger_trigger(),
                           arcollect.attach(regclass, text, text, text, text, text, text, text, text,
                                            text, text, boolean, text, text[], text[], text, text),
                           arcollect.attach_payments(regclass, text, text, text, text, regclass, boolean, text),
                           arcollect.detach(regclass)
    FROM PUBLIC;

-- Internal helpers (every function named arcollect._*) are the extension
-- owner's alone: the entry points run them with its rights after checking
-- the caller's, and some act on any table they are given.  Revoked from
-- PUBLIC and from any role a DBA granted them to (0.1.0's documentation
-- recommended granting some), at every install and upgrade.
DO $do$
DECLARE
    f record;
BEGIN
    FOR f IN SELECT p.oid::regprocedure AS fn, g.grantee
               FROM pg_catalog.pg_proc p
              CROSS JOIN LATERAL pg_catalog.aclexplode(coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))) g
              WHERE p.pronamespace = 'arcollect'::regnamespace AND p.proname LIKE '\_%'
                AND g.privilege_type = 'EXECUTE' AND g.grantee <> p.proowner
    LOOP
        EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM %s', f.fn,
                       CASE WHEN f.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_catalog.pg_get_userbyid(f.grantee)) END);
    END LOOP;
END
$do$;
