-- read-only BI role
GRANT USAGE ON SCHEMA arcollect TO bi_reader;
GRANT SELECT ON arcollect.invoice, arcollect.entry, arcollect._history, arcollect.customer,
                arcollect.attachment, arcollect.ledger_entries TO bi_reader;
GRANT SELECT ON arcollect.dispute_reason, arcollect.dispute, arcollect.disputes,
                arcollect.invoice_disputed_amount TO bi_reader;

-- collectors: read the ledger, edit customers
GRANT USAGE ON SCHEMA arcollect TO collector;
GRANT SELECT ON arcollect.invoice, arcollect.entry, arcollect._history,
                arcollect.attachment, arcollect.ledger_entries TO collector;
GRANT SELECT, UPDATE ON arcollect.customer TO collector;
-- collectors: open and close disputes (arcollect.find_invoice, which
-- open_dispute calls, reads open amounts in arcollect._open_amount)
GRANT SELECT ON arcollect._open_amount, arcollect.dispute_reason, arcollect.disputes,
                arcollect.invoice_disputed_amount TO collector;
GRANT SELECT, INSERT, UPDATE ON arcollect.dispute TO collector;

-- collectors: make, cancel and settle payment plans, changing nothing of
-- a plan but how it ended
GRANT SELECT, INSERT ON arcollect.payment_plan, arcollect.plan_invoice,
                        arcollect.plan_installment TO collector;
GRANT UPDATE (status, ended_on, note) ON arcollect.payment_plan TO collector;
-- (a new dispute or covered invoice first takes its turn in
-- arcollect.record_lock, so that two at once are checked one by one)
GRANT SELECT, INSERT, UPDATE ON arcollect.record_lock TO collector;
GRANT SELECT ON arcollect.installment, arcollect.payment_plans TO collector;
GRANT SELECT ON arcollect.payment_plan, arcollect.plan_invoice, arcollect.plan_installment,
                arcollect.installment, arcollect.payment_plans TO bi_reader;

-- collectors: touchpoints and promises to pay (customer_open_amounts,
-- like find_invoice, reads arcollect._open_amount with the caller's rights)
GRANT SELECT, INSERT, UPDATE ON arcollect.touchpoint, arcollect.touchpoint_invoice,
                                arcollect.promise TO collector;
GRANT SELECT ON arcollect.touchpoints, arcollect.touchpoint_invoices, arcollect.promises TO collector;
GRANT SELECT ON arcollect.touchpoint, arcollect.touchpoint_invoice, arcollect.promise,
                arcollect._open_amount, arcollect.touchpoints, arcollect.touchpoint_invoices,
                arcollect.promises TO bi_reader;
-- escalation policies: collectors and BI read them
GRANT SELECT ON arcollect.policy, arcollect.policy_step, arcollect.segment_policy,
                arcollect.customer_policy TO collector, bi_reader;
-- collectors: claim late-payment fees (arcollect.claim_late_fees, which
-- the escalation run calls); the billing system invoices what they claim
GRANT SELECT, INSERT ON arcollect.late_fee_claim TO collector;
GRANT SELECT ON arcollect.late_fee_claims TO collector;
GRANT SELECT ON arcollect.late_fee_claim, arcollect.late_fee_claims TO bi_reader;
-- escalation: collectors and BI read the runs, episodes, holds and the
-- outbox; collectors release holds and mark what the outbox sent
GRANT SELECT ON arcollect.escalation_run, arcollect.escalation, arcollect.escalation_step,
                arcollect.credit_hold, arcollect.credit_holds, arcollect.outbox,
                arcollect.unrendered_messages TO collector, bi_reader;
GRANT UPDATE (released_on, released_reason) ON arcollect.credit_hold TO collector;
-- (a dispute, plan or promise written ends the escalation it makes
-- needless, cancelling its planned touchpoints, and releases the hold:
-- the record triggers of sql/code/escalation_events.sql, which run with
-- the collector's rights; they never take a step)
GRANT UPDATE (ended_on, end_reason) ON arcollect.escalation TO collector;
-- contact rules: collectors and BI read them (arcollect.contact_decision
-- reads them, the customer and its touchpoints with the caller's rights)
GRANT SELECT ON arcollect.contact_rule TO collector, bi_reader;
-- message templates: collectors and BI read them (collectors render the
-- dunning ladder's messages with arcollect.render_touchpoint)
GRANT SELECT ON arcollect.message_template TO collector, bi_reader;
-- the cash forecast: collectors and BI read it (arcollect.cash_forecast
-- reads the ledger and the records above with the caller's rights)
GRANT SELECT ON arcollect.cash_forecast TO collector, bi_reader;

-- admins: attach tables and look after quarantine
GRANT USAGE ON SCHEMA arcollect TO ar_admin;
GRANT SELECT ON ALL TABLES IN SCHEMA arcollect TO ar_admin;
GRANT UPDATE ON arcollect.customer TO ar_admin;
GRANT INSERT, UPDATE, DELETE ON arcollect.dispute_reason TO ar_admin;
GRANT EXECUTE ON FUNCTION arcollect.attach, arcollect.attach_payments, arcollect.detach TO ar_admin;
GRANT INSERT, UPDATE, DELETE ON arcollect.policy, arcollect.policy_step, arcollect.segment_policy TO ar_admin;
-- admins: run the escalation (CALL arcollect.run_escalations; it also
-- settles plans and promises, claims fees and plans touchpoints)
GRANT INSERT, UPDATE ON arcollect.escalation_run, arcollect.escalation, arcollect.escalation_step,
                        arcollect.credit_hold, arcollect.touchpoint, arcollect.touchpoint_invoice,
                        arcollect.late_fee_claim TO ar_admin;
GRANT UPDATE ON arcollect.payment_plan, arcollect.promise TO ar_admin;
GRANT UPDATE ON arcollect.contact_rule TO ar_admin;
GRANT INSERT, UPDATE, DELETE ON arcollect.message_template TO ar_admin;
