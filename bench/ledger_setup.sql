-- The WIDE billing table of bench/ledger_trigger.sh: two identical tables,
-- one of them attached to the receivables ledger.  A typical billing table
-- that has grown: a surrogate key, a unique invoice number, an index on the
-- customer, and a few columns the ledger does not map (eleven columns,
-- three indexes).
\ir ledger_reset.sql

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
