-- The invoices of the Citus test (test/citus/run.sh), run on the
-- coordinator: :rows invoices of 300 customers issued over two years and a
-- half, in a local table and in one distributed by customer_id, holding
-- the same rows.  Among them, rows with a NULL in every column the
-- aggregates read, credit notes, partly paid and unpaid invoices, rows
-- issued after the as-of date, and amounts outside the aggregates'
-- 128-bit fast path (ten decimals; 25 digits), so that the states the
-- workers send the coordinator carry numeric parts too.
\set ON_ERROR_STOP on
SET citus.shard_count = 8;

CREATE TABLE invoice_local (
    invoice_id  bigint NOT NULL,
    customer_id integer NOT NULL,
    issued_on   date,
    due_on      date,
    paid_on     date,
    amount      numeric,
    open_amount numeric
);

INSERT INTO invoice_local
SELECT n, customer_id, issued_on, due_on, paid_on, amount,
       CASE WHEN paid_on IS NULL OR paid_on > date '2026-06-30' THEN amount
            WHEN n % 10 = 0 THEN round(amount / 3, 2)
            ELSE 0 END AS open_amount
FROM (SELECT n, customer_id, issued_on, issued_on + terms AS due_on,
             CASE WHEN n % 9 = 0 THEN NULL ELSE issued_on + terms - 12 + (n * 7919 % 61)::int END AS paid_on,
             CASE WHEN n % 997 = 0 THEN 1234567890123456789012.34
                  WHEN n % 101 = 0 THEN 10.0123456789
                  WHEN n % 50 = 0 THEN -(n * 13 % 5000) / 100.0
                  ELSE (n * 9973 % 2500000) / 100.0 + 20 END AS amount
        FROM (SELECT n, 1 + (n * 7727 % 300)::int AS customer_id,
                     date '2024-01-01' + (n * 104729 % 930)::int AS issued_on,
                     (ARRAY[30, 45, 60])[1 + n % 3] AS terms
                FROM generate_series(1::bigint, :rows) AS n) AS i) AS j;

-- a NULL in each column an aggregate reads, on a few rows each
UPDATE invoice_local SET issued_on = NULL WHERE invoice_id % 211 = 1;
UPDATE invoice_local SET due_on = NULL WHERE invoice_id % 223 = 2;
UPDATE invoice_local SET amount = NULL WHERE invoice_id % 227 = 3;
UPDATE invoice_local SET open_amount = NULL WHERE invoice_id % 229 = 4;

CREATE TABLE invoice (LIKE invoice_local);
SELECT create_distributed_table('invoice', 'customer_id');
INSERT INTO invoice SELECT * FROM invoice_local;
ANALYZE invoice_local;
ANALYZE invoice;
