-- The payments tables of bench/ledger_trigger.sh and bench/ledger_reads.sh:
-- two identical tables of payments (a key, the invoice paid, the amount,
-- the date), one of them attached to the ledger as the payments of the
-- billing table :'billing' (attached already).
DROP TABLE IF EXISTS payments_plain, payments_ledger;
CREATE TABLE payments_plain (
    payment_id  bigint PRIMARY KEY,
    invoice_id  bigint NOT NULL,
    amount      numeric(14,2) NOT NULL,
    paid_on     date NOT NULL
);
CREATE TABLE payments_ledger (LIKE payments_plain INCLUDING ALL);

SELECT arcollect.attach_payments('payments_ledger', invoice_key => 'invoice_id',
                                 amount => 'amount', paid_on => 'paid_on',
                                 invoices => :'billing');
