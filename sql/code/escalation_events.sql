-- The escalation follows what a customer owes at once: when the ledger
-- books a payment, a credit note or a write-off (anything that lowers an
-- open amount), and when a dispute, a payment plan or a promise is made
-- or changes status, the customer's stage is recomputed in the same
-- transaction (as of today) and what it no longer needs is undone: an
-- escalation with nothing escalatable overdue left ends with the reason
-- (paid, disputed, plan or promise) and its planned touchpoints are
-- cancelled with it; a credit hold whose escalatable overdue is gone is
-- released.  Planned means not made, whatever day it was planned for: a
-- touchpoint planned for a day gone by that nobody completed was, as far
-- as the record goes, never sent (a sender marks what it sent with
-- complete_touchpoint), so it is cancelled like one planned for tomorrow
-- (SPEC 2.5: the planned touchpoints no longer needed are cancelled).
-- Left planned, it would stay in the outbox and the worklist, and dun a
-- customer whose reason to be dunned is gone; marked done, it would say a
-- message went out that nobody recorded sending.  Done, skipped and
-- cancelled ones are final and are not touched.
-- arcollect.end_escalations below is that recompute, for a set
-- of customers; the triggers (src/escalation_trigger.c: the record
-- triggers below, and the hook at the end of the ledger trigger's
-- statement) gather the customers of a statement and call it once.
--
-- The triggers never plan.  The record triggers run with the rights of
-- whoever wrote the record, usually a collector, who may cancel
-- touchpoints, end episodes and release holds (doc/ledger.md,
-- Privileges) but not take steps or claim fees; and a step planned from
-- a collector's dispute would be planned at an hour no run chose.  (The
-- ledger's hook runs with the ledger's rights, since whoever writes a
-- billing table has none on arcollect's, and plans nothing either.)
-- What escalates again (a dispute resolved, a plan cancelled, a plan or
-- promise broken) is planned by the next run (arcollect.run_escalations),
-- which settles plans and promises first: a promise whose date passed, or
-- a plan whose installment went unpaid past its grace days, is broken by
-- the run that settles it, and that run plans the step reached, for its
-- own date.  settle_commitments called by hand stores the broken status;
-- the step follows at the next run.  During a run's settlement the
-- triggers stand aside (the run sets arcollect.escalation_trigger off for
-- that transaction): the run recomputes every customer itself, for its
-- date.  A run that planned while payments or records were written
-- undoes, once its batches are in, what they made needless
-- (src/escalation_turns.c).
--
-- Statement-level AFTER triggers with transition tables: one recompute
-- per statement, for its distinct customers, after its rows are in (for
-- a plan, after its covered invoices or installments, whichever come
-- last: a plan covers its invoices once it has both).  An update fires
-- them whatever it changed, not only the status: PostgreSQL refuses a
-- column list on a trigger with transition tables, and a recompute that
-- finds nothing to undo writes nothing.  The setting
-- arcollect.escalation_trigger (default on) switches them off, and the
-- ledger's hook, for a bulk load of records or payments followed by a
-- run.

-- The recompute of a set of customers, as of a date.  Only a customer
-- with an open escalation or a credit hold in force has something to end
-- or release (the preview's end and release_hold rows come from those):
-- the others are left out, by the indexes on the open ones, so a payment
-- of a customer who is not in dunning costs nothing more (the ledger's
-- statement keeps to the same customers: ledger_sync.sql, _lowered_sql).
-- For the rest, the end and release_hold changes of
-- arcollect.preview_escalations, written by
-- arcollect.apply_escalation_changes: one preview of exactly those
-- customers (its customers argument, a PL/pgSQL variable the planner
-- sees as a constant, reaches the ledger's indexes: open_items.sql), so
-- that one payment reads its customer's rows and a bulk load of payments
-- its customers' in one statement.  (Nothing to undo: no write, so no
-- privilege on the escalation tables is asked of a caller who wrote a
-- record.)
--
-- The episodes to end are locked first, in order, so that two recomputes
-- ending the same ones take turns instead of deadlocking.  Then the
-- touchpoints that a run planned concurrently into an episode that has
-- ended (it read the episode as open before the end committed) are
-- cancelled with the episode's reason, as ending it does; this is read
-- after the ends were written, so it sees the run's touchpoints once its
-- batch committed (src/escalation_turns.c).
CREATE OR REPLACE FUNCTION arcollect.end_escalations(customer_ids text[], as_of date DEFAULT current_date,
                                                     OUT escalations_ended integer,
                                                     OUT touchpoints_cancelled integer,
                                                     OUT holds_released integer)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    -- (in the collation of the escalation tables' customer_id, so that
    -- their indexes find them)
    customers text[] COLLATE "C";
    followed text[] COLLATE "C";
    undo arcollect.escalation_change[];
    done record;
BEGIN
    IF as_of IS NULL THEN
        RAISE EXCEPTION 'as_of must not be NULL' USING ERRCODE = 'null_value_not_allowed',
              HINT = 'Give the date to recompute the escalations as of, such as current_date.';
    END IF;
    escalations_ended := 0; touchpoints_cancelled := 0; holds_released := 0;
    customers := ARRAY(SELECT DISTINCT x.id FROM pg_catalog.unnest(customer_ids) x(id)
                        WHERE x.id IS NOT NULL ORDER BY 1);
    -- (one semi-join per table, as _lowered_sql says why)
    followed := ARRAY(SELECT c.id FROM pg_catalog.unnest(customers) c(id)
                       WHERE c.id IN (SELECT e.customer_id FROM arcollect.escalation e WHERE e.ended_on IS NULL)
                      UNION
                      SELECT c.id FROM pg_catalog.unnest(customers) c(id)
                       WHERE c.id IN (SELECT h.customer_id FROM arcollect.credit_hold h WHERE h.released_on IS NULL)
                      ORDER BY 1);
    IF pg_catalog.cardinality(followed) > 0 THEN
        undo := ARRAY(SELECT p FROM arcollect.preview_escalations(end_escalations.as_of, NULL, followed) p
                       WHERE p.change IN ('end', 'release_hold'));
    END IF;
    IF pg_catalog.cardinality(undo) > 0 THEN
        PERFORM FROM arcollect.escalation e
          WHERE e.escalation_id IN (SELECT u.escalation_id FROM pg_catalog.unnest(undo) u WHERE u.change = 'end')
          ORDER BY e.escalation_id
            FOR NO KEY UPDATE;
        SELECT * INTO done FROM arcollect.apply_escalation_changes(end_escalations.as_of, undo);
        escalations_ended := done.escalations_ended;
        touchpoints_cancelled := done.touchpoints_cancelled;
        holds_released := done.holds_released;
    END IF;

    -- (looked for first: a caller with nothing to cancel needs no UPDATE)
    IF EXISTS (SELECT FROM arcollect.touchpoint t
                 JOIN arcollect.escalation_step s ON s.touchpoint_id = t.touchpoint_id
                 JOIN arcollect.escalation e ON e.escalation_id = s.escalation_id
                WHERE t.customer_id = ANY (customers) AND t.status = 'planned' AND e.ended_on IS NOT NULL) THEN
        WITH cancelled AS (
            UPDATE arcollect.touchpoint t SET status = 'cancelled', reason = e.end_reason
              FROM arcollect.escalation_step s
              JOIN arcollect.escalation e ON e.escalation_id = s.escalation_id
             WHERE t.customer_id = ANY (customers) AND t.status = 'planned'
               AND s.touchpoint_id = t.touchpoint_id AND e.ended_on IS NOT NULL
            RETURNING t.touchpoint_id)
        SELECT touchpoints_cancelled + count(*) INTO touchpoints_cancelled FROM cancelled;
    END IF;
END
$fn$;

COMMENT ON FUNCTION arcollect.end_escalations(text[], date) IS
'Recomputes the escalation of the given customers as of as_of (default today) and undoes what they no longer need, as the run would: ends each escalation with nothing escalatable left (reason paid, disputed, plan or promise), cancelling its planned touchpoints, and releases each credit hold whose escalatable overdue amount is gone; plans nothing. Customers without an open escalation or a hold in force cost nothing. Returns what it wrote. The ledger and the collections records call it after every payment, credit note, write-off, dispute, plan or promise (unless arcollect.escalation_trigger is off); it runs with the caller''s rights.';

-- Whether the ledger's trigger recomputes the customers a statement paid
-- (src/escalation_trigger.c): arcollect.escalation_trigger on, and the
-- transaction not SERIALIZABLE (the recompute's reads could then make the
-- billing write fail to serialize: the next run catches up).  The
-- ledger's statements ask it (ledger_sync.sql, _lowered_sql).
CREATE OR REPLACE FUNCTION arcollect._escalation_follows_ledger()
RETURNS boolean
AS 'MODULE_PATHNAME', 'arcollect_escalation_follows_ledger'
LANGUAGE C STABLE;

COMMENT ON FUNCTION arcollect._escalation_follows_ledger() IS
'Internal: whether the ledger trigger recomputes the escalation of the customers whose open amounts a statement lowered: arcollect.escalation_trigger on, and the transaction not SERIALIZABLE.';

-- The statement-level AFTER trigger of the records below, in C
-- (src/escalation_trigger.c): the customers of the statement's rows, or
-- for the tables of a plan the plans', to arcollect.end_escalations.
-- Not SECURITY DEFINER: it runs with the rights of whoever wrote the
-- record.
CREATE OR REPLACE FUNCTION arcollect._escalate_after_record()
RETURNS trigger
AS 'MODULE_PATHNAME', 'arcollect_escalate_after_record'
LANGUAGE C;

COMMENT ON FUNCTION arcollect._escalate_after_record() IS
'Internal: statement-level AFTER trigger of arcollect.dispute, payment_plan, plan_invoice, plan_installment and promise; recomputes the distinct customers of the statement with arcollect.end_escalations(customers, current_date) (it never plans). Off when the setting arcollect.escalation_trigger is off.';

-- For the escalation run, once its batches committed: waits until the
-- transactions that recomputed escalations after an event, while it
-- planned, have ended, so that it sees what they wrote
-- (src/escalation_turns.c).
CREATE OR REPLACE FUNCTION arcollect.wait_for_escalation_events()
RETURNS void
AS 'MODULE_PATHNAME', 'arcollect_wait_for_escalation_events'
LANGUAGE C VOLATILE;

COMMENT ON FUNCTION arcollect.wait_for_escalation_events() IS
'Waits until every transaction that is recomputing escalations after a payment, dispute, plan or promise (or did, and has not ended) has ended, without making later ones wait; arcollect.run_escalations calls it before it undoes, for the customers it planned, what such events made needless.';

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
