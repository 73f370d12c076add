-- The data of bench/bi_views.sh (psql variables invoices and customers):
-- empties the receivables ledger and the records, makes the billing
-- table bi_bill (with an owner column) and the payments table bi_pay,
-- attaches both, and fills them through the ledger's triggers, as a
-- billing load does.
--
-- Invoice i belongs to customer c = 1 + (i - 1) % customers ('C' || c),
-- in EUR (every tenth customer: USD), owned by 'Collector ' || (c % 100)
-- (1,000 customers each);
-- issued over the 730 days up to today, due 30 days later, 50.00 to
-- 5049.00.  Four invoices in five are paid once due has come, from 20
-- days early to 40 days late (never after today), a tenth of those in
-- part only; one in a thousand with something open is disputed (open
-- since 10 days after its issue), half of those closed since; a third of
-- the customers have a segment.
\set ON_ERROR_STOP 1
CREATE EXTENSION IF NOT EXISTS arcollect;
SELECT arcollect.detach(billing_table)
  FROM arcollect.attachment
 WHERE detached_at IS NULL AND billing_table IN (to_regclass('bi_bill'), to_regclass('bi_pay'));
DROP TABLE IF EXISTS bi_bill, bi_pay;
TRUNCATE arcollect.escalation_run, arcollect.escalation, arcollect.escalation_step, arcollect.credit_hold,
         arcollect.late_fee_claim, arcollect.touchpoint, arcollect.touchpoint_invoice,
         arcollect.dispute, arcollect.payment_plan, arcollect.promise,
         arcollect.entry, arcollect.quarantine, arcollect.invoice, arcollect.customer_setting,
         arcollect.attachment CASCADE;

CREATE TABLE bi_bill (
    id          bigint PRIMARY KEY,
    customer    text NOT NULL,
    total       numeric(14,2) NOT NULL,
    currency    char(3) NOT NULL,
    issued_on   date NOT NULL,
    due_on      date NOT NULL,
    owner       text
);
CREATE TABLE bi_pay (
    payment_id  bigint PRIMARY KEY,
    invoice_id  bigint NOT NULL,
    amount      numeric(14,2) NOT NULL,
    paid_on     date NOT NULL
);
SELECT arcollect.attach('bi_bill', key => 'id', customer => 'customer', amount => 'total',
                        due_on => 'due_on', issued_on => 'issued_on', currency => 'currency',
                        owner => 'owner') AS attached;
SELECT arcollect.attach_payments('bi_pay', invoice_key => 'invoice_id', amount => 'amount',
                                 paid_on => 'paid_on') AS attached;

INSERT INTO bi_bill
SELECT i, 'C' || c, round((50 + (i * 7919) % 5000)::numeric, 2),
       CASE WHEN c % 10 = 0 THEN 'USD' ELSE 'EUR' END,
       current_date - 730 + (i % 730)::int, current_date - 700 + (i % 730)::int,
       'Collector ' || (c % 100)
  FROM (SELECT i, 1 + (i - 1) % :customers AS c FROM generate_series(1, :invoices::bigint) i) g;
INSERT INTO bi_pay
SELECT i, i, round((50 + (i * 7919) % 5000)::numeric * CASE WHEN i % 50 = 0 THEN 0.5 ELSE 1 END, 2),
       current_date - 700 + (i % 730)::int + (i % 61)::int - 20
  FROM generate_series(1, :invoices::bigint) i
 WHERE i % 5 <> 0 AND current_date - 700 + (i % 730)::int + (i % 61)::int - 20 <= current_date;

UPDATE arcollect.customer SET segment = (ARRAY['enterprise', 'mid-market', 'smb'])[1 + substr(customer_id, 2)::int % 3]
 WHERE substr(customer_id, 2)::int % 3 = 0;
SELECT count(arcollect.open_dispute(o.invoice_key, 'pricing', opened_on => least(o.issued_on + 10, current_date),
                                    billing_table => 'bi_bill')) AS disputes
  FROM arcollect.open_items() o
 WHERE o.open_amount > 0 AND o.invoice_key::bigint % 1000 = 7;
SELECT count(arcollect.close_dispute(d.dispute_id, 'resolved', closed_on => current_date)) AS closed
  FROM arcollect.dispute d WHERE d.dispute_id % 2 = 0;

-- The worklist's queue (bench/bi_views.sql times one owner's): the 1,000
-- customers of Collector 7 follow bench_call, one call from the day after
-- due, planned for those who owe something overdue (what a run would
-- plan for them: preview_escalations and apply_escalation_changes),
-- and calls may be made at any hour (so that the hour the bench runs at
-- changes nothing).
INSERT INTO arcollect.policy (policy_name) VALUES ('bench_call') ON CONFLICT DO NOTHING;
INSERT INTO arcollect.policy_step (policy_name, step_no, days_from_due, channel, template_name, action,
                                   min_overdue_amount)
SELECT 'bench_call', 1, 1, 'call', 'call_script', 'call', 0
 WHERE NOT EXISTS (SELECT FROM arcollect.policy_step WHERE policy_name = 'bench_call');
UPDATE arcollect.contact_rule SET window_start = '00:00', window_end = '23:59:59.999999' WHERE channel = 'call';
UPDATE arcollect.customer SET escalation_policy = 'bench_call' WHERE owner = 'Collector 7';
SELECT x.touchpoints_planned AS calls_planned
  FROM arcollect.apply_escalation_changes(current_date, ARRAY(
           SELECT p FROM arcollect.preview_escalations(current_date, NULL, ARRAY(
                             SELECT c.customer_id FROM arcollect.customer c WHERE c.owner = 'Collector 7')) p)) x;

VACUUM ANALYZE;
CHECKPOINT;
SELECT (SELECT count(*) FROM arcollect.invoice) AS invoices, (SELECT count(*) FROM arcollect.entry) AS entries,
       (SELECT count(*) FROM arcollect.open_items() WHERE open_amount <> 0) AS open_items,
       (SELECT count(DISTINCT customer_id) FROM arcollect.open_items() WHERE open_amount <> 0) AS customers_owing;
