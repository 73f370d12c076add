-- The escalation follows the collections records at once: when a
-- dispute, a payment plan or a promise is made or changes status, the
-- customer's stage is recomputed in the same transaction (as of today)
-- and what it no longer needs is undone: an escalation with nothing
-- escalatable overdue left ends with the reason (paid, disputed, plan or
-- promise) and its planned touchpoints are cancelled with it; a credit
-- hold whose escalatable overdue is gone is released.
--
-- The triggers never plan.  They run with the rights of whoever wrote
-- the record, usually a collector, who may cancel touchpoints, end
-- episodes and release holds (doc/ledger.md, Privileges) but not take
-- steps or claim fees; and a step planned from a collector's dispute
-- would be planned at an hour no run chose.  What escalates again (a
-- dispute resolved, a plan cancelled, a plan or promise broken) is
-- planned by the next run (arcollect.run_escalations), which settles
-- plans and promises first: a promise whose date passed, or a plan whose
-- installment went unpaid past its grace days, is broken by the run that
-- settles it, and that run plans the step reached, for its own date.
-- settle_commitments called by hand stores the broken status; the step
-- follows at the next run.  During a run's settlement the triggers stand
-- aside (the run sets arcollect.escalation_trigger off for that
-- transaction): the run recomputes every customer itself, for its date.
--
-- Statement-level AFTER triggers with transition tables: one recompute
-- per distinct customer of the statement, after its rows are in (for a
-- plan, after its covered invoices or installments, whichever come last:
-- a plan covers its invoices once it has both).  An update fires them
-- whatever it changed, not only the status: PostgreSQL refuses a column
-- list on a trigger with transition tables, and a recompute that finds
-- nothing to undo writes nothing.  The setting
-- arcollect.escalation_trigger (default on) switches them off, for a bulk
-- load of records followed by a run.

CREATE OR REPLACE FUNCTION arcollect._escalate_after_record()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    enabled text := coalesce(nullif(pg_catalog.current_setting('arcollect.escalation_trigger', true), ''), 'on');
    customers text[];
    who text;
    undo arcollect.escalation_change[];
BEGIN
    IF NOT enabled::boolean THEN
        RETURN NULL;
    END IF;
    -- TG_ARGV[0]: whether the rows name their customer, or their plan
    IF TG_ARGV[0] = 'plan' THEN
        customers := ARRAY(SELECT p.customer_id FROM arcollect.payment_plan p
                            WHERE p.plan_id IN (SELECT r.plan_id FROM new_rows r));
    ELSE
        customers := ARRAY(SELECT r.customer_id FROM new_rows r);
    END IF;
    FOR who IN SELECT DISTINCT u FROM pg_catalog.unnest(customers) u ORDER BY 1 LOOP
        undo := ARRAY(SELECT c FROM arcollect.preview_escalations(current_date, who) c
                       WHERE c.change IN ('end', 'release_hold'));
        -- (nothing to undo: no write, so no privilege on the escalation
        -- tables is asked of whoever wrote the record)
        CONTINUE WHEN pg_catalog.cardinality(undo) = 0;
        PERFORM arcollect.apply_escalation_changes(current_date, undo);
    END LOOP;
    RETURN NULL;
END
$fn$;

COMMENT ON FUNCTION arcollect._escalate_after_record() IS
'Internal: statement-level AFTER trigger of arcollect.dispute, payment_plan, plan_invoice, plan_installment and promise; for each distinct customer of the statement, ends the escalations and releases the credit holds that arcollect.preview_escalations(current_date, customer) finds no longer needed (it never plans). Off when the setting arcollect.escalation_trigger is off.';

CREATE OR REPLACE TRIGGER dispute_escalation_insert AFTER INSERT ON arcollect.dispute
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION arcollect._escalate_after_record('customer');
CREATE OR REPLACE TRIGGER dispute_escalation_update AFTER UPDATE ON arcollect.dispute
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION arcollect._escalate_after_record('customer');
CREATE OR REPLACE TRIGGER plan_invoice_escalation AFTER INSERT ON arcollect.plan_invoice
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION arcollect._escalate_after_record('plan');
CREATE OR REPLACE TRIGGER plan_installment_escalation AFTER INSERT ON arcollect.plan_installment
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION arcollect._escalate_after_record('plan');
CREATE OR REPLACE TRIGGER payment_plan_escalation_update AFTER UPDATE ON arcollect.payment_plan
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION arcollect._escalate_after_record('customer');
CREATE OR REPLACE TRIGGER promise_escalation_insert AFTER INSERT ON arcollect.promise
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION arcollect._escalate_after_record('customer');
CREATE OR REPLACE TRIGGER promise_escalation_update AFTER UPDATE ON arcollect.promise
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION arcollect._escalate_after_record('customer');
