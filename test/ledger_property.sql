-- Runs as role arcollect_suite with an empty search_path (README, Tests).
-- Property: whatever sequence of INSERT, UPDATE, DELETE, COPY and TRUNCATE
-- hits an attached billing table and payments table -- partial payments,
-- credit notes, overpayments, write-offs, voids, deletes, key changes,
-- unusable rows, bulk statements -- arcollect.reconcile finds nothing
-- after every statement.  The sequence is random with a fixed seed, so a
-- failure names a step that can be replayed.
BEGIN;
SELECT tap.plan(262);

SET LOCAL client_min_messages = error;	-- quarantine warnings are expected

CREATE TABLE billing.prop_invoice (
    id          integer PRIMARY KEY,
    customer    text NOT NULL,
    amount      numeric(12,2),
    issued      date,
    due         date,
    currency    char(3),
    paid        numeric(12,2) DEFAULT 0,
    status      text
);
CREATE TABLE billing.prop_payment (
    id          serial PRIMARY KEY,
    invoice_id  integer,
    amount      numeric(12,2),
    paid_on     date,
    kind        text
);

SELECT tap.is(arcollect.attach('billing.prop_invoice', key => 'id', customer => 'customer', amount => 'amount',
                           due_on => 'due', issued_on => 'issued', currency => 'currency',
                           paid => 'paid', status => 'status'),
          0::bigint, 'attach an empty billing table');
SELECT tap.is(arcollect.attach_payments('billing.prop_payment', invoice_key => 'invoice_id', amount => 'amount',
                                    paid_on => 'paid_on', kind => 'kind'),
          0::bigint, 'attach an empty payments table');

-- One random statement against the two tables; returns what it did.
CREATE FUNCTION pg_temp.random_statement(step integer) RETURNS text
LANGUAGE plpgsql AS $fn$
DECLARE
    op integer := floor(random() * 17);
    n integer;
    base integer := step * 10000;
BEGIN
    CASE op
    WHEN 0, 1 THEN
        -- a few new invoices, about one in ten unusable
        n := 1 + floor(random() * 5);
        INSERT INTO billing.prop_invoice
        SELECT base + g, 'C' || floor(random() * 8),
               CASE WHEN random() < 0.05 THEN -10 ELSE round((10 + random() * 500)::numeric, 2) END,
               date '2025-01-01' + floor(random() * 60)::int,
               CASE WHEN random() < 0.04 THEN NULL ELSE date '2025-03-15' + floor(random() * 30)::int END,
               CASE WHEN random() < 0.04 THEN 'XYZ' WHEN random() < 0.5 THEN 'EUR' ELSE 'USD' END,
               0, NULL
          FROM generate_series(1, n) g;
        RETURN format('insert %s invoices', n);
    WHEN 2 THEN
        -- a bulk insert (the COPY path), some keys known to the ledger
        -- already (deleted invoices coming back, keys first seen in payments)
        INSERT INTO billing.prop_invoice
        SELECT k, 'C' || (k % 9), round((5 + (k % 97) * 3.5)::numeric, 2),
               date '2025-01-01' + (k % 50), date '2025-02-20' + (k % 40),
               'EUR', 0, NULL
          FROM (SELECT base + g AS k FROM generate_series(1, 1200) g
                UNION
                SELECT DISTINCT p.invoice_id FROM billing.prop_payment p
                 WHERE p.invoice_id IS NOT NULL
                   AND NOT EXISTS (SELECT FROM billing.prop_invoice i WHERE i.id = p.invoice_id)) keys
        ON CONFLICT DO NOTHING;
        RETURN 'bulk insert';
    WHEN 3 THEN
        -- partial payment, full payment or overpayment in the paid column
        UPDATE billing.prop_invoice SET paid = round(amount * (ARRAY[0.3, 1, 1.2])[1 + floor(random() * 3)::int], 2)
         WHERE id IN (SELECT id FROM billing.prop_invoice ORDER BY random() LIMIT 1 + floor(random() * 4)::int);
        RETURN 'paid column';
    WHEN 4 THEN
        UPDATE billing.prop_invoice SET amount = amount + 7, due = due + 3
         WHERE id IN (SELECT id FROM billing.prop_invoice ORDER BY random() LIMIT 3);
        RETURN 'amount and due date';
    WHEN 5 THEN
        UPDATE billing.prop_invoice SET issued = issued - 5
         WHERE id IN (SELECT id FROM billing.prop_invoice ORDER BY random() LIMIT 2);
        RETURN 'issue date';
    WHEN 6 THEN
        UPDATE billing.prop_invoice SET status = (ARRAY['void', 'credit', NULL, 'open'])[1 + floor(random() * 4)::int],
                                amount = CASE WHEN random() < 0.5 THEN -abs(amount) ELSE abs(amount) END
         WHERE id IN (SELECT id FROM billing.prop_invoice ORDER BY random() LIMIT 2);
        RETURN 'status and sign';
    WHEN 7 THEN
        -- key change
        UPDATE billing.prop_invoice SET id = id + 5000
         WHERE id IN (SELECT id FROM billing.prop_invoice ORDER BY random() LIMIT 2)
           AND NOT EXISTS (SELECT FROM billing.prop_invoice x WHERE x.id = prop_invoice.id + 5000);
        RETURN 'key change';
    WHEN 8 THEN
        -- fix unusable rows
        UPDATE billing.prop_invoice SET due = coalesce(due, issued + 30), currency = 'EUR', amount = abs(amount)
         WHERE id IN (SELECT id FROM billing.prop_invoice
                       WHERE due IS NULL OR currency = 'XYZ' OR amount < 0 ORDER BY random() LIMIT 3);
        RETURN 'fix unusable rows';
    WHEN 9 THEN
        DELETE FROM billing.prop_invoice WHERE id IN (SELECT id FROM billing.prop_invoice ORDER BY random() LIMIT 2);
        RETURN 'delete invoices';
    WHEN 10, 11, 12 THEN
        -- payments, credit notes, write-offs; some for unknown or NULL keys
        n := 1 + floor(random() * 4);
        INSERT INTO billing.prop_payment (invoice_id, amount, paid_on, kind)
        SELECT CASE WHEN random() < 0.05 THEN NULL
                    WHEN random() < 0.1 THEN base + 999
                    ELSE (SELECT id FROM billing.prop_invoice ORDER BY random() LIMIT 1) END,
               round((1 + random() * 300)::numeric, 2),
               CASE WHEN random() < 0.03 THEN NULL ELSE date '2025-02-01' + floor(random() * 60)::int END,
               (ARRAY['payment', 'Payment', 'credit note', 'write-off', NULL, 'gift'])[1 + floor(random() * 6)::int]
          FROM generate_series(1, n);
        RETURN format('insert %s payments', n);
    WHEN 13 THEN
        UPDATE billing.prop_payment SET amount = amount / 2, paid_on = coalesce(paid_on, date '2025-03-01') + 1
         WHERE id IN (SELECT id FROM billing.prop_payment ORDER BY random() LIMIT 2);
        RETURN 'update payments';
    WHEN 14 THEN
        UPDATE billing.prop_payment SET invoice_id = (SELECT id FROM billing.prop_invoice ORDER BY random() LIMIT 1),
                                kind = CASE WHEN kind = 'gift' THEN 'payment' ELSE kind END
         WHERE id IN (SELECT id FROM billing.prop_payment ORDER BY random() LIMIT 2);
        RETURN 'move payments';
    WHEN 15 THEN
        DELETE FROM billing.prop_payment WHERE id IN (SELECT id FROM billing.prop_payment ORDER BY random() LIMIT 2);
        RETURN 'delete payments';
    ELSE
        IF random() < 0.3 THEN
            TRUNCATE billing.prop_payment;
            RETURN 'truncate payments';
        END IF;
        UPDATE billing.prop_invoice SET customer = customer || 'x'
         WHERE id IN (SELECT id FROM billing.prop_invoice ORDER BY random() LIMIT 2);
        RETURN 'customer change';
    END CASE;
END
$fn$;

CREATE FUNCTION pg_temp.problems() RETURNS bigint
LANGUAGE sql AS $$
    SELECT (SELECT count(*) FROM arcollect.reconcile('billing.prop_invoice'))
         + (SELECT count(*) FROM arcollect.reconcile('billing.prop_payment'))
$$;

SELECT setseed(0.4242);

-- 250 random statements, each checked.
CREATE FUNCTION pg_temp.run_steps(steps integer) RETURNS SETOF text
LANGUAGE plpgsql AS $fn$
DECLARE
    what text;
BEGIN
    FOR step IN 1 .. steps LOOP
        what := pg_temp.random_statement(step);
        RETURN NEXT tap.is(pg_temp.problems(), 0::bigint,
                       format('step %s (%s): ledger agrees with the tables', step, what));
    END LOOP;
END
$fn$;
SELECT * FROM pg_temp.run_steps(250);

-- COPY, small and big, into both tables.
COPY billing.prop_invoice (id, customer, amount, issued, due, currency, paid, status) FROM STDIN;
9000001	CX	120.00	2025-01-05	2025-02-04	EUR	20.00	\N
9000002	CX	80.00	2025-01-06	\N	EUR	0	\N
9000003	CY	-40.00	2025-01-07	2025-01-07	EUR	0	credit
9000004	CY	55.00	2025-01-07	2025-01-01	EUR	0	\N
\.
SELECT tap.is(pg_temp.problems(), 0::bigint, 'COPY of invoices, some unusable: ledger agrees');

COPY billing.prop_payment (invoice_id, amount, paid_on, kind) FROM STDIN;
9000001	50.00	2025-02-01	payment
9000001	60.00	2025-02-10	payment
9000003	10.00	2025-02-10	credit note
\N	10.00	2025-02-10	payment
\.
SELECT tap.is(pg_temp.problems(), 0::bigint, 'COPY of payments with an overpayment: ledger agrees');

-- A COPY of 3000 invoices (the bulk path of the trigger), six of them in
-- an unknown currency.
\copy billing.prop_invoice (id, customer, amount, issued, due, currency, paid) FROM PROGRAM 'awk ''BEGIN { for (g = 1; g <= 3000; g++) printf "%d\tCZ%d\t%d\t2025-01-%02d\t2025-02-%02d\t%s\t%d\n", 9100000 + g, g % 50, 100 + g % 7, 1 + g % 28, 1 + g % 28, (g % 500 == 0 ? "ABC" : "USD"), g % 3 * 10 }'''
SELECT tap.is(pg_temp.problems(), 0::bigint, 'COPY of 3000 invoices: ledger agrees');
SELECT tap.is((SELECT count(*) FROM arcollect.quarantine q JOIN arcollect.attachment a USING (attachment_id)
            WHERE a.billing_table = 'billing.prop_invoice'::regclass AND q.invoice_key LIKE '91%'),
          6::bigint, 'the 6 rows with an unknown currency are in quarantine');

UPDATE billing.prop_invoice SET paid = amount WHERE id > 9100000;
SELECT tap.is(pg_temp.problems(), 0::bigint, 'bulk update paying 3000 invoices: ledger agrees');
DELETE FROM billing.prop_invoice WHERE id > 9100000;
SELECT tap.is(pg_temp.problems(), 0::bigint, 'bulk delete: ledger agrees');
TRUNCATE billing.prop_invoice;
SELECT tap.is(pg_temp.problems(), 0::bigint, 'truncate of the billing table: ledger agrees');
SELECT tap.is((SELECT count(*) FROM arcollect.invoice i JOIN arcollect.attachment a USING (attachment_id)
            WHERE a.billing_table = 'billing.prop_invoice'::regclass AND i.in_billing),
          0::bigint, 'after truncate no invoice is in billing');

-- The history adds up: bookings and entries sum to the current open amounts.
-- (What billing tables booked, bookings and their own entries, adds up to
-- what the invoice rows say is open; payments' entries are reconciled
-- with their tables.)
SELECT tap.is((SELECT sum(amount) FROM arcollect.entry WHERE source_attachment_id = attachment_id)
              + (SELECT sum(booked_amount) FROM arcollect.invoice),
          (SELECT sum(amount - paid + void_amount) FROM arcollect.invoice),
          'bookings plus billing entries equal the sum of the billing open amounts');
SELECT tap.is((SELECT sum(open_amount) FROM arcollect._open_amount),
          (SELECT sum(amount) FROM arcollect.entry) + (SELECT sum(booked_amount) FROM arcollect.invoice),
          'the open amounts now are the whole history');

SELECT * FROM tap.finish();
ROLLBACK;
