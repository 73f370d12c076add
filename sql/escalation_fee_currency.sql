-- A fee step whose regime fixes its sums in another currency than the
-- customer owes (an eu step, EUR 40, for a customer owing GBP or JPY)
-- claims nothing and sends nothing: its touchpoint is skipped with the
-- reason, and the escalation goes on, for that customer and for the
-- others.  Before, claim_late_fees raised its error (SQLSTATE 22023) out
-- of the step, which aborted the whole batch of the run and every
-- customer after it.  The uk regime the same way for EUR.
\set SHOW_CONTEXT never
SET client_min_messages = warning;
CREATE TABLE fc_bill (id text PRIMARY KEY, cust text NOT NULL, amount numeric, issued date, due date,
                      cur text NOT NULL);
SELECT arcollect.attach('fc_bill', key => 'id', customer => 'cust', amount => 'amount', due_on => 'due',
                        issued_on => 'issued', currency => 'cur') AS imported;
-- 20 days overdue: the fee step (at +10) is reached
INSERT INTO fc_bill
SELECT k, c, a, current_date - 50, current_date - 20, cur
  FROM (VALUES ('FCE1', 'fc_eur', 1000, 'EUR'), ('FCG1', 'fc_gbp', 1000, 'GBP'),
               ('FCJ1', 'fc_jpy', 100000, 'JPY'), ('FCU1', 'fc_uk_eur', 1000, 'EUR')) v(k, c, a, cur);
INSERT INTO arcollect.policy (policy_name) VALUES ('fc_eu'), ('fc_uk');
INSERT INTO arcollect.policy_step (policy_name, step_no, days_from_due, channel, template_name, action,
                                   min_overdue_amount, fee_regime, interest_rate) VALUES
    ('fc_eu', 1, 10, 'email', 'late_fee_notice', 'fee', 0, 'eu', 0.10),
    ('fc_uk', 1, 10, 'email', 'late_fee_notice', 'fee', 0, 'uk', 0.10);
UPDATE arcollect.customer SET escalation_policy = 'fc_eu', owner = 'Mia Becker'
 WHERE customer_id IN ('fc_eur', 'fc_gbp', 'fc_jpy');
UPDATE arcollect.customer SET escalation_policy = 'fc_uk', owner = 'Mia Becker'
 WHERE customer_id = 'fc_uk_eur';
SELECT c.id AS customer_id, x.touchpoints_planned AS planned, x.touchpoints_skipped AS skipped
  FROM (VALUES ('fc_eur'), ('fc_gbp'), ('fc_jpy'), ('fc_uk_eur')) c(id)
 CROSS JOIN LATERAL arcollect.escalate_customer(c.id) x;
SELECT t.customer_id, t.currency, t.status, t.reason, t.body IS NOT NULL AS rendered
  FROM arcollect.touchpoint t WHERE t.customer_id LIKE 'fc\_%' ORDER BY t.customer_id;
SELECT customer_id, currency, compensation FROM arcollect.late_fee_claim
 WHERE customer_id LIKE 'fc\_%' ORDER BY customer_id;
SELECT arcollect.detach('fc_bill');
DROP TABLE fc_bill;
