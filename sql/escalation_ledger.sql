-- The escalation follows the ledger in the same transaction
-- (src/escalation_trigger.c, the hook at the end of the ledger trigger's
-- statement): a payment, credit note or write-off that leaves a customer
-- nothing escalatable overdue ends its escalation (reason paid), cancels
-- its planned touchpoints and releases its credit hold, whether it comes
-- through a billing table's paid column or a payments table, by INSERT or
-- COPY, one row or many, for one customer or several; a partial payment
-- changes nothing; a customer without an open escalation or a hold costs
-- no recompute; arcollect.escalation_trigger = off switches it off; a
-- recompute that fails never fails the billing write (a WARNING says the
-- next run catches up); a billing writer needs no grant on arcollect.
-- Every date is relative to today (the hook recomputes as of today).
--
-- The policy el_ladder: 1 email at +1, 2 credit_hold email at +10.  Every
-- invoice below is due 20 days ago (unless said), so a recompute as of
-- today plans step 2 (step 1 superseded) and sets a hold.  Billing tables
-- keyed by integer (el_bill_i, with a paid column), text (el_bill_t) and
-- uuid (el_bill_u), each with a payments table (el_pay_i, el_pay_t,
-- el_pay_u, with a kind column):
--   ela  I1 1000 EUR   paid through el_bill_i's paid column (UPDATE)
--   elb  I2 300, I3 200 EUR   100 paid on I2 (a partial payment), then the
--        rest of both by a COPY that pays elc too
--   elc  I4 400 EUR
--   eld  EL-T1 600 EUR    a credit note, and ele's write-off, in one INSERT
--   ele  EL-T2 450 EUR    written off
--   elf  EL-T3 250 EUR, EL-T4 350 USD: EL-T3 paid, the USD escalation goes on
--   elg  I5 500 EUR due in 20 days: no escalation, costs no recompute
--   elh  I6 700 EUR    paid with the setting off
--   eli  I7 800 EUR    paid in a transaction rolled back
--   elj  U1 900 EUR    paid while the recompute fails
--   elk  U2 320 EUR    paid by a role with no grant on arcollect
--   ell  I9 600 EUR    paid in a SERIALIZABLE transaction
\set SHOW_CONTEXT never
SET client_min_messages = warning;
CREATE TABLE el_bill_i (id integer PRIMARY KEY, cust text NOT NULL, amount numeric NOT NULL,
                        paid numeric NOT NULL DEFAULT 0, issued date NOT NULL, due date NOT NULL,
                        cur text NOT NULL);
CREATE TABLE el_bill_t (id text PRIMARY KEY, cust text NOT NULL, amount numeric NOT NULL,
                        issued date NOT NULL, due date NOT NULL, cur text NOT NULL);
CREATE TABLE el_bill_u (id uuid PRIMARY KEY, cust text NOT NULL, amount numeric NOT NULL,
                        issued date NOT NULL, due date NOT NULL, cur text NOT NULL);
CREATE TABLE el_pay_i (invoice integer NOT NULL, amount numeric NOT NULL,
                       paid_on date NOT NULL DEFAULT current_date, kind text);
CREATE TABLE el_pay_t (invoice text NOT NULL, amount numeric NOT NULL, paid_on date NOT NULL, kind text);
CREATE TABLE el_pay_u (invoice uuid NOT NULL, amount numeric NOT NULL, paid_on date NOT NULL, kind text);
SELECT arcollect.attach('el_bill_i', key => 'id', customer => 'cust', amount => 'amount', paid => 'paid',
                        due_on => 'due', issued_on => 'issued', currency => 'cur') AS imported;
SELECT arcollect.attach('el_bill_' || k, key => 'id', customer => 'cust', amount => 'amount',
                        due_on => 'due', issued_on => 'issued', currency => 'cur') AS imported
  FROM (VALUES ('t'), ('u')) v(k);
SELECT arcollect.attach_payments('el_pay_' || k, invoice_key => 'invoice', amount => 'amount',
                                 paid_on => 'paid_on', kind => 'kind', invoices => ('el_bill_' || k)::regclass) AS imported
  FROM (VALUES ('i'), ('t'), ('u')) v(k);
INSERT INTO el_bill_i (id, cust, amount, issued, due, cur)
SELECT k, c, a, current_date - 50, current_date + d, 'EUR'
  FROM (VALUES (1, 'ela', 1000, -20), (2, 'elb', 300, -20), (3, 'elb', 200, -20), (4, 'elc', 400, -20),
               (5, 'elg', 500, 20), (6, 'elh', 700, -20), (7, 'eli', 800, -20),
               (9, 'ell', 600, -20)) v(k, c, a, d);
INSERT INTO el_bill_t
SELECT k, c, a, current_date - 50, current_date - 20, cur
  FROM (VALUES ('EL-T1', 'eld', 600, 'EUR'), ('EL-T2', 'ele', 450, 'EUR'),
               ('EL-T3', 'elf', 250, 'EUR'), ('EL-T4', 'elf', 350, 'USD')) v(k, c, a, cur);
INSERT INTO el_bill_u
SELECT k::uuid, c, a, current_date - 50, current_date - 20, 'EUR'
  FROM (VALUES ('00000000-0000-0000-0000-0000000000a1', 'elj', 900),
               ('00000000-0000-0000-0000-0000000000a2', 'elk', 320)) v(k, c, a);
INSERT INTO arcollect.policy (policy_name) VALUES ('el_ladder');
INSERT INTO arcollect.policy_step (policy_name, step_no, days_from_due, channel, template_name, action,
                                   min_overdue_amount) VALUES
    ('el_ladder', 1, 1, 'email', 'friendly_reminder', 'remind', 0),
    ('el_ladder', 2, 10, 'email', 'credit_hold_notice', 'credit_hold', 0);
UPDATE arcollect.customer SET escalation_policy = 'el_ladder', owner = 'Mia Becker'
 WHERE customer_id LIKE 'el_';
SELECT e.customer_id, e.currency_count, e.planned, e.superseded, e.holds_set
  FROM (SELECT DISTINCT customer_id FROM arcollect.customer WHERE customer_id LIKE 'el_') c
 CROSS JOIN LATERAL (SELECT c.customer_id, x.customers_advanced AS currency_count,
                            x.touchpoints_planned AS planned, x.steps_superseded AS superseded, x.holds_set
                       FROM arcollect.escalate_customer(c.customer_id) x) e
 ORDER BY 1;

-- what each customer's escalations (per currency), touchpoints and holds are now
CREATE VIEW el_state AS
SELECT c.customer_id,
       (SELECT string_agg(format('%s %s %s', e.currency, e.step_no, coalesce('ended ' || e.end_reason, 'open')),
                          ', ' ORDER BY e.escalation_id)
          FROM arcollect.escalation e WHERE e.customer_id = c.customer_id) AS escalations,
       (SELECT string_agg(format('%s %s %s%s', t.currency, t.step_no, t.status, ' ' || t.reason), ', '
                          ORDER BY t.touchpoint_id)
          FROM arcollect.touchpoint t WHERE t.customer_id = c.customer_id) AS touchpoints,
       (SELECT string_agg(format('%s %s', h.currency, coalesce('released ' || h.released_reason, 'in force')),
                          ', ' ORDER BY h.hold_id)
          FROM arcollect.credit_hold h WHERE h.customer_id = c.customer_id) AS holds
  FROM (SELECT DISTINCT customer_id FROM arcollect.customer WHERE customer_id LIKE 'el_') c;
SELECT * FROM el_state ORDER BY 1;

-- The recomputes of a statement are counted by the calls of
-- preview_escalations (one per customer recomputed), as the difference
-- made by the statements of a transaction (the counts of finished
-- transactions are added to the statistics only now and then).
SET track_functions = 'all';
CREATE VIEW el_previews AS
SELECT coalesce(sum(f.calls), 0) AS previews
  FROM pg_catalog.pg_stat_xact_user_functions f
 WHERE f.schemaname = 'arcollect' AND f.funcname = 'preview_escalations';

-- ela: its invoice paid in full through the billing table's paid column;
-- seen in the same transaction, one recompute
BEGIN;
SELECT previews AS before FROM el_previews \gset
UPDATE el_bill_i SET paid = amount WHERE id = 1;
SELECT * FROM el_state WHERE customer_id = 'ela';
SELECT previews - :before AS previews FROM el_previews;
COMMIT;

-- elb: a partial payment (one row) leaves 400 overdue: nothing changes
INSERT INTO el_pay_i VALUES (2, 100, current_date, NULL);
SELECT * FROM el_state WHERE customer_id = 'elb';
-- elb and elc: a COPY of several payments pays both off; one statement,
-- two customers, recomputed together by one preview of the two
BEGIN;
SELECT previews AS before FROM el_previews \gset
COPY el_pay_i (invoice, amount, kind) FROM stdin;
2	150	payment
2	50	pay
3	200	receipt
4	400	\N
\.
SELECT previews - :before AS previews FROM el_previews;
COMMIT;
SELECT * FROM el_state WHERE customer_id IN ('elb', 'elc') ORDER BY 1;

-- eld and ele: a credit note and a write-off in one INSERT
INSERT INTO el_pay_t VALUES ('EL-T1', 600, current_date, 'credit note'), ('EL-T2', 450, current_date, 'write-off');
SELECT * FROM el_state WHERE customer_id IN ('eld', 'ele') ORDER BY 1;
SELECT e.invoice_key, e.kind, e.amount FROM arcollect.ledger_entries e
 WHERE e.invoice_key IN ('EL-T1', 'EL-T2') AND e.kind <> 'invoice' ORDER BY 1;

-- elf: its EUR invoice paid; its USD escalation and hold go on
INSERT INTO el_pay_t VALUES ('EL-T3', 250, current_date, NULL);
SELECT * FROM el_state WHERE customer_id = 'elf';

-- elg: no escalation and no hold, so a payment costs no recompute; nor
-- do a new invoice of elf's booked paid already (the fast path books
-- only new invoices, which never lower what a customer owes overdue) and
-- an update that books nothing
BEGIN;
SELECT previews AS before FROM el_previews \gset
INSERT INTO el_pay_i VALUES (5, 500, current_date, NULL);
INSERT INTO el_bill_i VALUES (8, 'elf', 90, 90, current_date - 50, current_date - 20, 'EUR');
UPDATE el_bill_i SET amount = amount WHERE id = 8;
SELECT previews - :before AS previews FROM el_previews;
COMMIT;
SELECT * FROM el_state WHERE customer_id IN ('elf', 'elg') ORDER BY 1;

-- elh: paid with the setting off, and ell in a SERIALIZABLE transaction
-- (where the recompute's reads could make the payment fail to
-- serialize): nothing, and no recompute; the next recompute
-- (arcollect.end_escalations, as a later event or run would) ends them
BEGIN;
SELECT previews AS before FROM el_previews \gset
SET LOCAL arcollect.escalation_trigger = off;
INSERT INTO el_pay_i VALUES (6, 700, current_date, NULL);
SELECT previews - :before AS previews FROM el_previews;
COMMIT;
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT previews AS before FROM el_previews \gset
INSERT INTO el_pay_i VALUES (9, 600, current_date, NULL);
SELECT previews - :before AS previews FROM el_previews;
COMMIT;
SELECT * FROM el_state WHERE customer_id IN ('elh', 'ell') ORDER BY 1;
SELECT * FROM arcollect.end_escalations(ARRAY['elh', 'ell', 'elg', 'nobody']);
SELECT * FROM el_state WHERE customer_id IN ('elh', 'ell') ORDER BY 1;

-- eli: what the hook wrote is rolled back with the payment
BEGIN;
INSERT INTO el_pay_i VALUES (7, 800, current_date, NULL);
SELECT * FROM el_state WHERE customer_id = 'eli';
ROLLBACK;
SELECT * FROM el_state WHERE customer_id = 'eli';

-- elj: the recompute fails (touchpoints may not be changed): the payment
-- is booked all the same, with a WARNING, and the escalation stays open
CREATE FUNCTION el_frozen() RETURNS trigger LANGUAGE plpgsql AS
$$BEGIN RAISE EXCEPTION 'touchpoints are frozen'; END$$;
CREATE TRIGGER el_frozen BEFORE UPDATE ON arcollect.touchpoint FOR EACH ROW EXECUTE FUNCTION el_frozen();
INSERT INTO el_pay_u VALUES ('00000000-0000-0000-0000-0000000000a1', 900, current_date, NULL);
DROP TRIGGER el_frozen ON arcollect.touchpoint;
DROP FUNCTION el_frozen();
SELECT count(*) AS booked FROM arcollect.ledger_entries
 WHERE invoice_key = '00000000-0000-0000-0000-0000000000a1' AND kind = 'payment';
SELECT * FROM el_state WHERE customer_id = 'elj';

-- elk: paid by a role that may write the payments table and nothing of
-- arcollect; the hook runs with the ledger's rights
CREATE ROLE el_writer NOLOGIN;
GRANT INSERT ON el_pay_u TO el_writer;
SET ROLE el_writer;
INSERT INTO el_pay_u VALUES ('00000000-0000-0000-0000-0000000000a2', 320, current_date, NULL);
RESET ROLE;
SELECT * FROM el_state WHERE customer_id = 'elk';

-- every payments table and billing table agrees with the ledger
SELECT count(*) AS disagreements
  FROM (VALUES ('el_bill_i'), ('el_bill_t'), ('el_bill_u'), ('el_pay_i'), ('el_pay_t'), ('el_pay_u')) v(t)
 CROSS JOIN LATERAL arcollect.reconcile(v.t::regclass) r;

RESET track_functions;
DROP VIEW el_previews, el_state;
DROP OWNED BY el_writer;
DROP ROLE el_writer;
