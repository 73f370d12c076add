-- Privileges of the receivables ledger.
--
-- PUBLIC gets nothing on ledger data: tables and views are readable and
-- writable only by roles that are granted access (see doc/ledger.md for
-- the grants of a BI, collector and admin role).  Attaching a table is an
-- administrator's job, so the SECURITY DEFINER helpers behind attach and
-- detach, and the trigger function itself, are not executable by PUBLIC
-- either.  Reading functions run with the caller's rights and need no
-- revoke: without SELECT on the ledger they return nothing but an error.

REVOKE ALL ON arcollect.attachment, arcollect.invoice, arcollect.entry,
              arcollect.quarantine, arcollect.customer,
              arcollect.quarantined_rows, arcollect.ledger_entries, arcollect._history
    FROM PUBLIC;
REVOKE ALL ON SEQUENCE arcollect.attachment_attachment_id_seq,
                       arcollect.entry_entry_id_seq,
                       arcollect.quarantine_quarantine_id_seq
    FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION arcollect.ledger_trigger(),
                           arcollect._attach_register(arcollect.attachment),
                           arcollect._detach_register(regclass),
                           arcollect._payments_clear(integer)
    FROM PUBLIC;
