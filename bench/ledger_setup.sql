-- Tables for bench/ledger_trigger.sh: two identical billing tables, one of
-- them attached to the receivables ledger.  A typical billing table: a
-- surrogate key, a unique invoice number, an index on the customer, and a
-- few columns the ledger does not map.
CREATE EXTENSION IF NOT EXISTS arcollect;
SELECT arcollect.detach(billing_table)
  FROM arcollect.attachment
 WHERE billing_table = to_regclass('billing_ledger') AND detached_at IS NULL;
DROP TABLE IF EXISTS billing_plain, billing_ledger;
-- Start from an empty ledger, so that runs are comparable.
TRUNCATE arcollect.entry, arcollect.quarantine, arcollect.invoice, arcollect.customer, arcollect.attachment CASCADE;

CREATE TABLE billing_plain (
    invoice_id      bigint PRIMARY KEY,
    customer_id     integer NOT NULL,
    invoice_number  text NOT NULL,
    amount          numeric(14,2) NOT NULL,
    currency        char(3) NOT NULL,
    issued_on       date NOT NULL,
    due_on          date NOT NULL,
    amount_paid     numeric(14,2) NOT NULL DEFAULT 0,
    status          text NOT NULL DEFAULT 'open',
    description     text,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX ON billing_plain (invoice_number);
CREATE INDEX ON billing_plain (customer_id);
CREATE TABLE billing_ledger (LIKE billing_plain INCLUDING ALL);

SELECT arcollect.attach('billing_ledger', key => 'invoice_id', customer => 'customer_id',
                        amount => 'amount', due_on => 'due_on', issued_on => 'issued_on',
                        currency => 'currency', paid => 'amount_paid', status => 'status');
