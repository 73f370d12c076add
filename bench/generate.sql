-- Benchmark data: :n invoices across :m customers, issued over the two years
-- (730 days) ending at :as_of.  Run by bench/run.sh with
--   psql -v n=10000000 -v m=100000 -v as_of=2026-06-30 -v seed=0.42 -f bench/generate.sql
-- One INSERT ... SELECT over generate_series, seeded, so the same variables
-- give the same rows.
--
-- The shape, per invoice:
--   customer_id  skewed: customer k gets about (k/m)^(-1/3) times the
--                average share, so low ids are big accounts
--   issued_on    uniform over the 730 days ending at :as_of
--   due_on       issued_on + terms; terms 30 (50%), 45 (30%) or 60 (20%)
--   amount       numeric(14,2), 20 to 25,020, skewed towards small amounts;
--                2% are credit notes with a negative amount
--   paid_on      due_on + delay, delay = -15 + 120 * u^3 days (median on
--                terms, mean 15 days late, at most 105 late), never before
--                issued_on; NULL when that date is after :as_of (not paid
--                yet) and for the 1% that are never paid
--   open_amount  numeric(14,2): 0 when paid; the full amount when unpaid,
--                except 10% of unpaid ones that are partly paid; credit
--                notes are applied 0 to 60 days after issue (paid_on then,
--                open 0) and until then open with their negative amount
\set ON_ERROR_STOP on

DROP SCHEMA IF EXISTS arcollect_bench CASCADE;
CREATE SCHEMA arcollect_bench;

SELECT setseed(:seed) \gset

BEGIN;

-- Created in the loading transaction so that with wal_level=minimal the
-- load writes no WAL.
CREATE TABLE arcollect_bench.invoice (
    invoice_id  bigint NOT NULL,
    customer_id integer NOT NULL,
    issued_on   date NOT NULL,
    due_on      date NOT NULL,
    amount      numeric(14,2) NOT NULL,
    paid_on     date,
    open_amount numeric(14,2) NOT NULL
);

INSERT INTO arcollect_bench.invoice
SELECT invoice_id, customer_id, issued_on, due_on, amount,
       CASE WHEN settled_on <= :'as_of'::date THEN settled_on END,
       CASE
           WHEN settled_on <= :'as_of'::date THEN 0
           WHEN credit THEN amount
           WHEN u_partial < 0.10 THEN round(amount * (0.2 + 0.7 * u_paid_share)::numeric, 2)
           ELSE amount
       END
FROM (
    SELECT invoice_id, customer_id, issued_on, due_on, amount, credit,
           u_partial, u_paid_share,
           CASE
               WHEN credit THEN issued_on + floor(60 * u_delay)::integer
               WHEN u_never < 0.01 THEN NULL
               ELSE greatest(due_on - 15 + floor(120 * u_delay ^ 3)::integer, issued_on)
           END AS settled_on
    FROM (
        SELECT i AS invoice_id,
               least(:m, 1 + floor(:m * u_customer ^ 1.5)::integer) AS customer_id,
               :'as_of'::date - floor(730 * u_issued)::integer AS issued_on,
               :'as_of'::date - floor(730 * u_issued)::integer
                   + CASE WHEN u_terms < 0.5 THEN 30 WHEN u_terms < 0.8 THEN 45 ELSE 60 END
                   AS due_on,
               round(((CASE WHEN u_credit < 0.02 THEN -1 ELSE 1 END)
                      * (20 + 25000 * u_amount ^ 4))::numeric, 2) AS amount,
               u_credit < 0.02 AS credit,
               u_delay, u_never, u_partial, u_paid_share
        FROM (
            -- OFFSET 0 keeps this level from being pulled up, so each
            -- random() is drawn once per row however often it is used.
            SELECT i, random() AS u_customer, random() AS u_issued,
                   random() AS u_terms, random() AS u_amount,
                   random() AS u_credit, random() AS u_delay,
                   random() AS u_never, random() AS u_partial,
                   random() AS u_paid_share
            FROM generate_series(1, :n) AS i
            OFFSET 0
        ) AS draws
    ) AS invoices
) AS settled;

-- What was generated, so that run.sh can reuse the table for the same
-- parameters.
CREATE TABLE arcollect_bench.dataset (
    invoices    bigint NOT NULL,
    customers   integer NOT NULL,
    as_of       date NOT NULL,
    seed        float8 NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO arcollect_bench.dataset (invoices, customers, as_of, seed)
VALUES (:n, :m, :'as_of', :seed);

COMMIT;

-- Sets hint bits and the visibility map and gives the planner statistics,
-- so the first timed scan does not pay for them.
VACUUM (FREEZE, ANALYZE) arcollect_bench.invoice;
