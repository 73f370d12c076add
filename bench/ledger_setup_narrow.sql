-- The NARROW billing table of bench/ledger_trigger.sh and
-- bench/ledger_reads.sh: the table an application engineer creates first
-- (a bigint primary key, the customer, the total, the amount paid, the
-- currency, issue and due dates, no other index).  Two identical tables,
-- one of them attached to the receivables ledger.
\ir ledger_reset.sql

CREATE TABLE narrow_plain (
    id          bigint PRIMARY KEY,
    customer    text NOT NULL,
    total       numeric(14,2) NOT NULL,
    amount_paid numeric(14,2) NOT NULL DEFAULT 0,
    currency    char(3) NOT NULL,
    issued_on   date NOT NULL,
    due_on      date NOT NULL
);
CREATE TABLE narrow_ledger (LIKE narrow_plain INCLUDING ALL);

SELECT arcollect.attach('narrow_ledger', key => 'id', customer => 'customer',
                        amount => 'total', due_on => 'due_on', issued_on => 'issued_on',
                        currency => 'currency', paid => 'amount_paid');
