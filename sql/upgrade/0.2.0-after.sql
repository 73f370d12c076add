-- Upgrade to 0.2.0, last part: new tables or event triggers that need the
-- new code, and data migration, run after the code of sql/code/ is
-- replayed.

-- Between installing this build and running the update, the trigger
-- booked nothing (its library and the old SQL objects do not go
-- together; see src/ledger_trigger.c), so every attached table whose
-- ledger no longer ties out is brought up to date: billing tables first,
-- then the payments tables that apply to them.  Changes the billing data
-- does not date are dated today, as the trigger would have dated them.
DO $do$
DECLARE
    a record;
BEGIN
    FOR a IN SELECT t.attachment_id, t.billing_table FROM arcollect.attachment t
              WHERE t.detached_at IS NULL ORDER BY t.kind = 'payments', t.attachment_id LOOP
        IF EXISTS (SELECT FROM arcollect.reconcile(a.billing_table)) THEN
            PERFORM arcollect._import(a.attachment_id);
        END IF;
    END LOOP;
END
$do$;
