-- The billing and payments tables of bench/ledger_contention.sh, named
-- after psql variable t (plain or ledger): the same definition for both.
CREATE TABLE contention_invoice_:t (
    id bigint PRIMARY KEY, customer text NOT NULL, total numeric(12,2) NOT NULL,
    paid numeric(12,2) NOT NULL DEFAULT 0, currency char(3) NOT NULL,
    issued_on date NOT NULL, due_on date NOT NULL);
CREATE TABLE contention_payment_:t (
    id bigserial PRIMARY KEY, invoice_id bigint NOT NULL, amount numeric(12,2) NOT NULL,
    received_on date NOT NULL);
