-- Runs as role arcollect_suite with an empty search_path (README, Tests).
-- A late fee is claimed, and a fee step lists an invoice, on what is
-- overdue and not under dispute, never on the disputed part: an invoice
-- partly disputed is claimed on the rest, one disputed whole is neither
-- claimed nor listed, one not disputed is claimed on its open amount.
--
-- Two GBP customers (uk regime, 12.25 % a year) each owe three invoices
-- due 2025-01-31; disputes opened 2025-02-10; everything as of
-- 2025-03-02 (30 days overdue).  By hand (METRICS.md: interest =
-- amount x rate x days / 365, UK bands 40 below 1,000, 70 from 1,000):
--   -1  4,000.00, 3,500.00 disputed: claimed on 500.00
--       40 and 500 x 0.1225 x 30 / 365 = 5.0342 -> 5.03
--   -2  2,000.00, disputed whole: not claimed, not listed
--   -3  1,500.00, no dispute: claimed on 1,500.00
--       70 and 1500 x 0.1225 x 30 / 365 = 15.1027 -> 15.10
-- fdd claims with arcollect.claim_late_fees itself; fdr through a fee
-- step (policy fd_fee: a fee at +30 days) planned by escalate_customer,
-- whose touchpoint lists the invoices with those amounts and whose
-- message states 110.00 compensation and 20.13 interest.
BEGIN;
SELECT tap.plan(6);
SET LOCAL client_min_messages = warning;

CREATE TABLE billing.fd_bill (id text PRIMARY KEY, cust text NOT NULL, amount numeric(12,2), issued date, due date);
SELECT arcollect.attach('billing.fd_bill', key => 'id', customer => 'cust', amount => 'amount', due_on => 'due',
                        issued_on => 'issued', default_currency => 'GBP') IS NOT NULL AS attached \gset
INSERT INTO billing.fd_bill
SELECT c || '-' || n, c, a, '2025-01-01', '2025-01-31'
  FROM unnest('{fdd,fdr}'::text[]) c, (VALUES (1, 4000.00), (2, 2000.00), (3, 1500.00)) v(n, a);
SELECT count(arcollect.open_dispute(c || '-1', 'pricing', 3500.00, opened_on => '2025-02-10'))
       + count(arcollect.open_dispute(c || '-2', 'quality', opened_on => '2025-02-10')) AS disputes
  FROM unnest('{fdd,fdr}'::text[]) c \gset
INSERT INTO arcollect.policy (policy_name) VALUES ('fd_fee');
INSERT INTO arcollect.policy_step (policy_name, step_no, days_from_due, channel, template_name, action,
                                   min_overdue_amount, fee_regime, interest_rate)
VALUES ('fd_fee', 1, 30, 'email', 'late_fee_notice', 'fee', 0, 'uk', 0.1225);
UPDATE arcollect.customer SET owner = 'Zoe', escalation_policy = 'fd_fee' WHERE customer_id IN ('fdd', 'fdr');

CREATE TEMP TABLE fd_want (suffix text, open_amount numeric, compensation numeric, interest numeric);
INSERT INTO fd_want VALUES ('-1', 500.00, 40, 5.03), ('-3', 1500.00, 70, 15.10);

SELECT tap.set_eq($$SELECT invoice_key, compensation, interest
                      FROM arcollect.claim_late_fees('fdd', 'GBP', 'uk', 0.1225, '2025-03-02')$$,
                  $$SELECT 'fdd' || suffix, compensation, interest FROM pg_temp.fd_want$$,
                  'claim_late_fees claims the partly disputed invoice on its undisputed part, the undisputed one whole, the one disputed whole not at all');
SELECT tap.set_eq($$SELECT invoice_key, open_amount FROM arcollect.late_fee_claims WHERE customer_id = 'fdd'$$,
                  $$SELECT 'fdd' || suffix, open_amount FROM pg_temp.fd_want$$,
                  'the claims record the undisputed amount they were computed on');

SELECT tap.is((SELECT touchpoints_planned FROM arcollect.escalate_customer('fdr', '2025-03-02')), 1,
              'the fee step of fdr is planned');
SELECT tap.set_eq($$SELECT ti.invoice_key, ti.open_amount FROM arcollect.touchpoint_invoice ti
                      JOIN arcollect.touchpoint t USING (touchpoint_id) WHERE t.customer_id = 'fdr'$$,
                  $$SELECT 'fdr' || suffix, open_amount FROM pg_temp.fd_want$$,
                  'its touchpoint lists the invoices with what is not disputed, and not the one disputed whole');
SELECT tap.set_eq($$SELECT c.invoice_key, c.open_amount, c.compensation, c.interest
                      FROM arcollect.late_fee_claims c
                      JOIN arcollect.touchpoint t USING (touchpoint_id) WHERE t.customer_id = 'fdr'$$,
                  $$SELECT 'fdr' || suffix, open_amount, compensation, interest FROM pg_temp.fd_want$$,
                  'the fee step claims on those amounts');
SELECT tap.ok((SELECT t.body LIKE '%110.00%' AND t.body LIKE '%20.13%' AND t.body NOT LIKE '%4,000.00%'
                 FROM arcollect.touchpoint t WHERE t.customer_id = 'fdr'),
              'its message states 110.00 compensation and 20.13 interest, and no full open amount of a disputed invoice');

SELECT * FROM tap.finish();
ROLLBACK;
