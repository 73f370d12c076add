-- The data of bench/escalation_trigger.sh, in two parts (psql variable
-- part): part=table empties the receivables ledger and the escalation
-- state and makes the billing table et_bill, attached, and the payments
-- tables et_pay (attached, as et_bill's payments) and et_pay_plain (the
-- same, not attached); the script then COPYs the invoices into et_bill
-- (the rows of et_invoice_rows below, through the ledger's trigger);
-- part=state writes the escalation state a run leaves, and analyzes.
--
-- Variables: invoices, customers.  Every date is relative to today: the
-- trigger recomputes as of today.
--
-- Invoice i (1 .. invoices) belongs to customer c = 1 + (i - 1) % customers
-- ('C' || c), as its invoice k = (i - 1) / customers (0, 1, ...), in the
-- customer's currency (EUR, USD or GBP by c % 3), 50.00 to 5049.00, a
-- quarter of them 25.00 paid.  A tenth of the customers are in dunning
-- (c % 10 = 0): their invoice k = 0 is 20 days overdue, the default
-- ladder's call (step 3, at 15 days); every other invoice is due in 10
-- days or more (no step, not even the pre-due reminder at -3).
--
-- The escalation state (part=state) is what a run as of today leaves, and
-- what arcollect.preview_escalations then finds nothing to add to: for
-- each customer in dunning an open escalation at step 3 with its call
-- planned (the steps before it superseded), and for one in five of them
-- (c % 50 = 0) a credit hold in force.  It is written here directly: a
-- run over this many customers takes far longer today (bench/README.md,
-- the escalation run) and would write the same.
--
-- The payments of one COPY (et_payment_rows, for the script to COPY out):
-- one per invoice of the first `payments` invoices, dated yesterday;
-- those of the overdue invoices of half the customers in dunning
-- (c % 20 = 0) pay what is open, so that their escalations end (and the
-- holds of c % 100 = 0 are released); every other one pays 10.00.
\set ON_ERROR_STOP 1
SELECT :'part' = 'table' AS table_part \gset

\if :table_part
CREATE EXTENSION IF NOT EXISTS arcollect;
SELECT arcollect.detach(billing_table)
  FROM arcollect.attachment
 WHERE detached_at IS NULL AND billing_table IN (to_regclass('et_pay'), to_regclass('et_bill'))
 ORDER BY kind DESC;
DROP TABLE IF EXISTS et_pay, et_pay_plain, et_bill;
TRUNCATE arcollect.escalation_run, arcollect.escalation, arcollect.escalation_step, arcollect.credit_hold,
         arcollect.late_fee_claim, arcollect.touchpoint, arcollect.touchpoint_invoice,
         arcollect.dispute, arcollect.payment_plan, arcollect.promise,
         arcollect.entry, arcollect.quarantine, arcollect.invoice, arcollect.customer_setting,
         arcollect.attachment CASCADE;

CREATE TABLE et_bill (
    id          bigint PRIMARY KEY,
    customer    text NOT NULL,
    total       numeric(14,2) NOT NULL,
    amount_paid numeric(14,2) NOT NULL DEFAULT 0,
    currency    char(3) NOT NULL,
    issued_on   date NOT NULL,
    due_on      date NOT NULL,
    owner       text
);
SELECT arcollect.attach('et_bill', key => 'id', customer => 'customer', amount => 'total',
                        due_on => 'due_on', issued_on => 'issued_on', currency => 'currency',
                        paid => 'amount_paid', owner => 'owner');
-- the payments tables of bench/ledger_setup_payments.sql
CREATE TABLE et_pay_plain (
    payment_id  bigint PRIMARY KEY,
    invoice_id  bigint NOT NULL,
    amount      numeric(14,2) NOT NULL,
    paid_on     date NOT NULL
);
CREATE TABLE et_pay (LIKE et_pay_plain INCLUDING ALL);
SELECT arcollect.attach_payments('et_pay', invoice_key => 'invoice_id', amount => 'amount',
                                 paid_on => 'paid_on', invoices => 'et_bill');

CREATE VIEW et_invoice_rows AS
SELECT i AS id, 'C' || c AS customer, round((50 + (i::bigint * 7919) % 5000)::numeric, 2) AS total,
       CASE WHEN i % 4 = 0 THEN 25 ELSE 0 END AS amount_paid,
       (ARRAY['GBP', 'EUR', 'USD'])[1 + c % 3] AS currency,
       due_on - 30 AS issued_on, due_on, 'Collector ' || (c % 25) AS owner
  FROM (SELECT i, c, k,
               CASE WHEN c % 10 = 0 AND k = 0 THEN current_date - 20 ELSE current_date + 10 + 3 * k END AS due_on
          FROM (SELECT i, 1 + (i - 1) % :customers AS c, (i - 1) / :customers AS k
                  FROM generate_series(1, :invoices) i) g) h;
CREATE VIEW et_payment_rows AS
SELECT b.id AS payment_id, b.id AS invoice_id,
       CASE WHEN substr(b.customer, 2)::int % 20 = 0 AND b.due_on < current_date THEN b.total - b.amount_paid
            ELSE 10.00 END AS amount,
       current_date - 1 AS paid_on
  FROM et_bill b;
\else
-- What a run as of today leaves: the stage's step reached by each
-- customer in dunning (step 3), its call planned, a hold for some.
CREATE TEMP TABLE et_reached AS
SELECT s.customer_id, s.currency, s.policy_name, s.step_no, s.days_from_due, s.action, s.channel,
       s.template_name, c.owner
  FROM arcollect.escalation_stage(current_date) s
  JOIN arcollect.customer c ON c.customer_id = s.customer_id
 WHERE s.step_no IS NOT NULL;
INSERT INTO arcollect.escalation (customer_id, currency, policy_name, started_on, step_no, days_from_due)
SELECT customer_id, currency, policy_name, current_date - 5, step_no, days_from_due FROM et_reached;
INSERT INTO arcollect.touchpoint (customer_id, currency, channel, status, owner, planned_for, policy_name,
                                  step_no, subject, body)
SELECT customer_id, currency, channel, 'planned', owner, current_date + time '08:00', policy_name, step_no,
       'Your account', 'Call script'
  FROM et_reached;
INSERT INTO arcollect.escalation_step (escalation_id, step_no, days_from_due, action, channel, template_name,
                                       touchpoint_id, taken_on)
SELECT e.escalation_id, r.step_no, r.days_from_due, r.action, r.channel, r.template_name, t.touchpoint_id,
       current_date - 5
  FROM et_reached r
  JOIN arcollect.escalation e ON e.customer_id = r.customer_id AND e.currency = r.currency
  JOIN arcollect.touchpoint t ON t.customer_id = r.customer_id AND t.currency = r.currency;
INSERT INTO arcollect.credit_hold (customer_id, currency, since, reason, escalation_id)
SELECT e.customer_id, e.currency, current_date - 5, 'bench', e.escalation_id
  FROM arcollect.escalation e
 WHERE substr(e.customer_id, 2)::int % 50 = 0;
VACUUM ANALYZE;
\endif
