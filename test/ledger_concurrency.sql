-- Runs as role arcollect_suite with an empty search_path (README, Tests).
-- Concurrency: billing writes and payments from different sessions, for
-- the same invoice keys at the same moment, leave the ledger in line with
-- both tables.  Two dblink sessions (a: billing, b: payments) hold their
-- transactions open while the other writes; this session checks who
-- waits and what the ledger says once both have committed.
--
-- The tables must be committed for the other sessions to see them, so
-- this file does not run in one rolled-back transaction: it drops its
-- tables at the end.  The other sessions log in as this session's role,
-- with an empty search_path too.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
DROP TABLE IF EXISTS billing.conc_inv, billing.conc_pay;
CREATE TABLE billing.conc_inv (
    id      text PRIMARY KEY,
    cust    text NOT NULL,
    amt     numeric(12,2) NOT NULL,
    iss     date NOT NULL,
    due     date NOT NULL
);
CREATE TABLE billing.conc_pay (
    id      serial PRIMARY KEY,
    inv     text NOT NULL,
    amt     numeric(12,2) NOT NULL,
    paid_on date NOT NULL
);
SELECT arcollect.attach('billing.conc_inv', key => 'id', customer => 'cust', amount => 'amt',
                        due_on => 'due', issued_on => 'iss', default_currency => 'EUR') AS attached \gset
SELECT arcollect.attach_payments('billing.conc_pay', invoice_key => 'inv', amount => 'amt',
                                 paid_on => 'paid_on', invoices => 'billing.conc_inv') AS attached \gset

-- (dblink_connect_u: dblink_connect refuses a role that is not a
-- superuser a connection without a password)
SELECT format('dbname=%s host=%s port=%s user=%s options=''-c search_path=''',
              current_database(), :'HOST', :'PORT', current_user) AS conn \gset
SELECT dblink.dblink_connect_u('a', :'conn') AS a, dblink.dblink_connect_u('b', :'conn') AS b \gset

-- Whether session s is still waiting on its statement after a moment.
CREATE FUNCTION pg_temp.waiting(s text) RETURNS boolean
LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM pg_sleep(0.3);
    RETURN dblink.dblink_is_busy(s) = 1;
END
$fn$;

-- Collects the outcome of the statement sent to session s: 'ok' or the
-- error's SQLSTATE.
CREATE FUNCTION pg_temp.outcome(s text) RETURNS text
LANGUAGE plpgsql AS $fn$
DECLARE
    result text := 'ok';
BEGIN
    BEGIN
        PERFORM * FROM dblink.dblink_get_result(s) AS t(status text);
    EXCEPTION WHEN OTHERS THEN
        result := SQLSTATE;
    END;
    -- the empty result that ends an asynchronous query
    PERFORM * FROM dblink.dblink_get_result(s, false) AS t(status text);
    RETURN result;
END
$fn$;

CREATE FUNCTION pg_temp.open_amount(k text) RETURNS numeric
LANGUAGE sql AS $fn$
    SELECT oa.open_amount FROM arcollect._open_amount oa
      JOIN arcollect.attachment a USING (attachment_id)
     WHERE a.billing_table = 'billing.conc_inv'::regclass AND oa.invoice_key = k
$fn$;

CREATE FUNCTION pg_temp.problems() RETURNS bigint
LANGUAGE sql AS $fn$
    SELECT (SELECT count(*) FROM arcollect.reconcile('billing.conc_inv'))
         + (SELECT count(*) FROM arcollect.reconcile('billing.conc_pay'))
$fn$;

SELECT tap.plan(24);

SELECT tap.is((SELECT s FROM dblink.dblink('b', $$SELECT current_user || ' "' || current_setting('search_path') || '"'$$)
                             AS t(s text)),
              current_user || ' ""', 'the other sessions are this role''s, with an empty search_path');

-- 1. An invoice is being inserted (not committed) when a payment for it
--    arrives: the payment does not wait (it writes entries only), and
--    applies to it.
SELECT dblink.dblink_exec('a', 'BEGIN');
SELECT dblink.dblink_exec('a', $$INSERT INTO billing.conc_inv VALUES ('K1', 'c1', 100, '2025-01-01', '2025-01-31')$$);
SELECT dblink.dblink_send_query('b', $$INSERT INTO billing.conc_pay (inv, amt, paid_on) VALUES ('K1', 40, '2025-01-10')$$);
SELECT tap.ok(NOT pg_temp.waiting('b'), 'a payment for an invoice being inserted does not wait for it');
SELECT dblink.dblink_exec('a', 'COMMIT');
SELECT tap.is(pg_temp.outcome('b'), 'ok', 'the payment goes through');
SELECT tap.is(pg_temp.open_amount('K1'), 60.00, 'the invoice is booked with the payment applied');
SELECT tap.is(pg_temp.problems(), 0::bigint, 'ledger agrees with both tables');

-- 2. A payment names a key the billing table does not have yet (not
--    committed) when the invoice is inserted: the invoice does not wait
--    for the payment (no invoice row is written for it), and is booked
--    with it once both committed.
SELECT dblink.dblink_exec('b', 'BEGIN');
SELECT dblink.dblink_exec('b', $$INSERT INTO billing.conc_pay (inv, amt, paid_on) VALUES ('K2', 30, '2025-01-12')$$);
SELECT dblink.dblink_send_query('a', $$INSERT INTO billing.conc_inv VALUES ('K2', 'c1', 100, '2025-01-02', '2025-02-01')$$);
SELECT tap.ok(NOT pg_temp.waiting('a'), 'an invoice whose key a pending payment names does not wait for the payment');
SELECT dblink.dblink_exec('b', 'COMMIT');
SELECT tap.is(pg_temp.outcome('a'), 'ok', 'the invoice goes through');
SELECT tap.is(pg_temp.open_amount('K2'), 70.00, 'the invoice is booked with the earlier payment applied');
SELECT tap.is(pg_temp.problems(), 0::bigint, 'ledger agrees with both tables');

-- 3. The same, but the payment is rolled back: the invoice is booked in
--    full, with nothing applied.
SELECT dblink.dblink_exec('b', 'BEGIN');
SELECT dblink.dblink_exec('b', $$INSERT INTO billing.conc_pay (inv, amt, paid_on) VALUES ('K3', 30, '2025-01-12')$$);
SELECT dblink.dblink_send_query('a', $$INSERT INTO billing.conc_inv VALUES ('K3', 'c2', 100, '2025-01-03', '2025-02-02')$$);
SELECT tap.ok(NOT pg_temp.waiting('a'), 'the invoice does not wait for the pending payment');
SELECT dblink.dblink_exec('b', 'ROLLBACK');
SELECT tap.is(pg_temp.outcome('a'), 'ok', 'the invoice goes through, the payment rolled back');
SELECT tap.is(pg_temp.open_amount('K3'), 100.00, 'the invoice is booked in full');
SELECT tap.is(pg_temp.problems(), 0::bigint, 'ledger agrees with both tables');

-- 4. Two bulk loads of disjoint keys at once, with payments for keys of
--    both arriving while neither has committed.
SELECT dblink.dblink_exec('a', 'BEGIN');
SELECT dblink.dblink_exec('a', $$INSERT INTO billing.conc_inv SELECT 'A' || g, 'c' || g % 7, 10 * g, '2025-02-01', '2025-03-01'
                                   FROM generate_series(1, 2000) g$$);
SELECT dblink.dblink_exec('b', 'BEGIN');
-- (customers of their own: see 6 for a customer both create)
SELECT dblink.dblink_exec('b', $$INSERT INTO billing.conc_inv SELECT 'B' || g, 'd' || g % 5, 5 * g, '2025-02-02', '2025-03-02'
                                   FROM generate_series(1, 2000) g$$);
-- payments for B keys go in b's own transaction; for A keys from a
-- third session, which does not wait for a
SELECT dblink.dblink_exec('b', $$INSERT INTO billing.conc_pay (inv, amt, paid_on)
                                 SELECT 'B' || g, 1, '2025-02-10' FROM generate_series(1, 2000, 3) g$$);
SELECT dblink.dblink_connect_u('c', :'conn') AS c \gset
SELECT dblink.dblink_send_query('c', $$INSERT INTO billing.conc_pay (inv, amt, paid_on)
                                       SELECT 'A' || g, 2, '2025-02-11' FROM generate_series(1, 2000, 2) g$$);
SELECT tap.ok(NOT pg_temp.waiting('c'), 'payments for keys being loaded do not wait for the load');
SELECT dblink.dblink_exec('b', 'COMMIT');
SELECT dblink.dblink_exec('a', 'COMMIT');
SELECT tap.is(pg_temp.outcome('c'), 'ok', 'the payments go through');
SELECT tap.is((SELECT sum(pg_temp.open_amount('A' || g)) FROM generate_series(1, 2000) g),
              (SELECT sum(10 * g) FROM generate_series(1, 2000) g)::numeric - 2 * 1000,
              'open amounts of the first load, payments applied');
SELECT tap.is((SELECT sum(pg_temp.open_amount('B' || g)) FROM generate_series(1, 2000) g),
              (SELECT sum(5 * g) FROM generate_series(1, 2000) g)::numeric - 667,
              'open amounts of the second load, payments applied');
SELECT tap.is(pg_temp.problems(), 0::bigint, 'ledger agrees with both tables');

-- 5. A key the ledger still holds as billed comes back in an INSERT: the
--    billing row went away while the trigger was not firing (as when
--    rows are replicated with session_replication_role = replica), so
--    the fast path does not expect the key.  The ledger's primary key
--    catches it, the fast path takes its row back, and the general
--    statement books the change.  (Only a superuser may set
--    session_replication_role: the delete is the session's superuser's.)
SET ROLE NONE;
SET session_replication_role = replica;
DELETE FROM billing.conc_inv WHERE id = 'K3';
RESET session_replication_role;
RESET ROLE;
INSERT INTO billing.conc_inv VALUES ('K3', 'c3', 120, '2025-01-04', '2025-02-04'), ('K5', 'c3', 10, '2025-01-04', '2025-02-04');
SELECT tap.is(pg_temp.open_amount('K3'), 120.00, 'a key the ledger still held is booked anew');
SELECT tap.is(pg_temp.problems(), 0::bigint, 'ledger agrees with both tables');

-- 6. Two transactions bill the same new customer: neither waits for the
--    other (customers are derived from the invoices, and billing writes
--    write none); when the first rolls back, the customer is there with
--    the second's invoice.  (specs/ledger_new_customer_*.spec go through
--    every isolation level.)
SELECT dblink.dblink_exec('a', 'BEGIN');
SELECT dblink.dblink_exec('a', $$INSERT INTO billing.conc_inv VALUES ('N1', 'brand-new', 10, '2025-03-01', '2025-03-31')$$);
SELECT dblink.dblink_send_query('b', $$INSERT INTO billing.conc_inv VALUES ('N2', 'brand-new', 20, '2025-03-01', '2025-03-31')$$);
SELECT tap.ok(NOT pg_temp.waiting('b'), 'an invoice for a customer another transaction is billing does not wait');
SELECT tap.is(pg_temp.outcome('b'), 'ok', 'it goes through while the other transaction is open');
SELECT dblink.dblink_exec('a', 'ROLLBACK');
SELECT tap.is((SELECT count(*) FROM arcollect.customer WHERE customer_id = 'brand-new'), 1::bigint,
              'the customer exists: the second transaction''s invoice names it');
SELECT tap.is(pg_temp.problems(), 0::bigint, 'ledger agrees with both tables');

SELECT * FROM tap.finish();

SELECT dblink.dblink_disconnect('a'), dblink.dblink_disconnect('b'), dblink.dblink_disconnect('c');
SELECT arcollect.detach('billing.conc_pay'), arcollect.detach('billing.conc_inv');
DROP TABLE billing.conc_inv, billing.conc_pay;
