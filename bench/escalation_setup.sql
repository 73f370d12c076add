-- The data of bench/escalation_run.sh, in two parts (psql variable
-- part): part=table empties the receivables ledger and the escalation
-- state and makes the billing table esc_bill, attached; the script then
-- COPYs the invoices into it (the rows of escalation_rows below, through
-- the ledger's trigger, as a billing load does); part=records adds the
-- collections records and the customers' settings, and analyzes.
--
-- Variables: invoices, customers, as_of (the date of the first run).
--
-- Invoice i (1 .. invoices) belongs to customer c = 1 + (i - 1) % customers
-- ('C' || c), as its invoice k = (i - 1) / customers (0, 1, ...): every
-- customer has invoices / customers invoices, one due every 7 days, the
-- oldest (k = 0) due age(c) days before as_of, where
--     age(c) = (c x 7919) % 130 - 10,  from -10 to 119
-- spread evenly over the customers: as of as_of, about 7/130 of them are
-- more than 3 days before their first due date (no step), and the others
-- reach each step of the default ladder (-3, +1, +15, +30, +60, +90 days)
-- in proportion to its span; each day later, about 1/130 of them cross a
-- step's day.  Every invoice is open (50.00 to 5049.00, a quarter of them
-- 25.00 paid), in the customer's currency (EUR, USD or GBP by c % 3);
-- every tenth customer (c % 10 = 0) also owes in a second currency (its
-- odd k), which escalates on its own.  Every customer has an owner (the
-- invoices' owner column: 25 collectors), so the messages render; a tenth
-- are in New York or Berlin (their touchpoints are planned for 08:00
-- there).
--
-- The records (part=records), as of as_of:
--   c % 100 = 1   its oldest invoice disputed whole (opened as_of - 5)
--   c % 500 = 2   a payment plan made as_of - 20 over its two oldest
--                 invoices, two installments (as_of + 10, as_of + 40)
--   c % 200 = 3   a promise (made as_of - 2) of its oldest invoice's open
--                 amount by as_of + 7: open, it covers that invoice
--   c % 400 = 7   a promise made as_of - 10 for as_of - 3: broken when the
--                 run settles, so nothing held back
\set ON_ERROR_STOP 1
SELECT :'part' = 'table' AS table_part \gset

\if :table_part
CREATE EXTENSION IF NOT EXISTS arcollect;
SELECT arcollect.detach(billing_table)
  FROM arcollect.attachment
 WHERE detached_at IS NULL AND billing_table = to_regclass('esc_bill');
DROP TABLE IF EXISTS esc_bill;
TRUNCATE arcollect.escalation_run, arcollect.escalation, arcollect.escalation_step, arcollect.credit_hold,
         arcollect.late_fee_claim, arcollect.touchpoint, arcollect.touchpoint_invoice,
         arcollect.dispute, arcollect.payment_plan, arcollect.promise,
         arcollect.entry, arcollect.quarantine, arcollect.invoice, arcollect.customer_setting,
         arcollect.attachment CASCADE;

CREATE TABLE esc_bill (
    id          bigint PRIMARY KEY,
    customer    text NOT NULL,
    total       numeric(14,2) NOT NULL,
    amount_paid numeric(14,2) NOT NULL DEFAULT 0,
    currency    char(3) NOT NULL,
    issued_on   date NOT NULL,
    due_on      date NOT NULL,
    owner       text
);
SELECT arcollect.attach('esc_bill', key => 'id', customer => 'customer', amount => 'total',
                        due_on => 'due_on', issued_on => 'issued_on', currency => 'currency',
                        paid => 'amount_paid', owner => 'owner');

-- The rows the script COPYs into esc_bill (it reads the view with COPY
-- ... TO STDOUT), described above.
CREATE VIEW escalation_rows AS
SELECT i AS id, 'C' || c AS customer,
       round((50 + (i::bigint * 7919) % 5000)::numeric, 2) AS total,
       CASE WHEN i % 4 = 0 THEN 25 ELSE 0 END AS amount_paid,
       CASE WHEN c % 10 = 0 AND k % 2 = 1 THEN CASE WHEN c % 3 = 2 THEN 'EUR' ELSE 'USD' END
            ELSE (ARRAY['GBP', 'EUR', 'USD'])[1 + c % 3] END AS currency,
       due_on - 30 AS issued_on, due_on, 'Collector ' || (c % 25) AS owner
  FROM (SELECT i, c, k, :'as_of'::date - ((c * 7919) % 130 - 10) + 7 * k AS due_on
          FROM (SELECT i, 1 + (i - 1) % :customers AS c, (i - 1) / :customers AS k
                  FROM generate_series(1, :invoices) i) g) h;
\else
DROP VIEW IF EXISTS escalation_rows;
-- time zones: through the view, as a user sets them
UPDATE arcollect.customer
   SET time_zone = CASE WHEN substr(customer_id, 2)::int % 20 = 5 THEN 'America/New_York' ELSE 'Europe/Berlin' END
 WHERE substr(customer_id, 2)::int % 10 = 5;

-- The records, through the functions a collector calls.
CREATE TEMP TABLE esc_oldest AS
SELECT customer, id, k, total - amount_paid AS open_amount
  FROM (SELECT b.*, row_number() OVER (PARTITION BY customer ORDER BY due_on, id) - 1 AS k
          FROM esc_bill b
         WHERE substr(customer, 2)::int % 100 IN (1, 2, 3, 7)) x
 WHERE k < 2;

SELECT count(arcollect.open_dispute(id::text, 'pricing', opened_on => :'as_of'::date - 5)) AS disputes
  FROM esc_oldest WHERE substr(customer, 2)::int % 100 = 1 AND k = 0;

SELECT count(*) AS plans
  FROM (SELECT arcollect.create_payment_plan(customer, ARRAY[:'as_of'::date + 10, :'as_of'::date + 40],
                                             ARRAY[round(sum(open_amount) / 2, 2),
                                                   sum(open_amount) - round(sum(open_amount) / 2, 2)],
                                             array_agg(id::text), created_on => :'as_of'::date - 20)
          FROM esc_oldest WHERE substr(customer, 2)::int % 500 = 2 GROUP BY customer) p;

SELECT count(arcollect.promise_to_pay(customer, open_amount, :'as_of'::date + 7, :'as_of'::date - 2)) AS open_promises
  FROM esc_oldest WHERE substr(customer, 2)::int % 200 = 3 AND k = 0;
SELECT count(arcollect.promise_to_pay(customer, open_amount, :'as_of'::date - 3, :'as_of'::date - 10)) AS promises_to_break
  FROM esc_oldest WHERE substr(customer, 2)::int % 400 = 7 AND k = 0;

VACUUM ANALYZE;
\endif
