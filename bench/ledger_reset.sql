-- Included by the setup files of bench/ledger_trigger.sh and
-- bench/ledger_reads.sh: detaches and drops every table they create, then
-- empties the receivables ledger, so that runs start alike.  Run it only on
-- a database of its own: it truncates arcollect's tables.
CREATE EXTENSION IF NOT EXISTS arcollect;
SELECT arcollect.detach(billing_table)
  FROM arcollect.attachment
 WHERE detached_at IS NULL
   AND billing_table IN (to_regclass('payments_ledger'), to_regclass('billing_ledger'),
                         to_regclass('narrow_ledger'))
 ORDER BY kind DESC;
DROP TABLE IF EXISTS payments_plain, payments_ledger, billing_plain, billing_ledger,
                     narrow_plain, narrow_ledger;
TRUNCATE arcollect.entry, arcollect.quarantine, arcollect.invoice, arcollect.customer_setting, arcollect.attachment CASCADE;
