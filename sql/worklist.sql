-- Today's worklist (arcollect.worklist): the calls and meetings the ladder
-- planned that are due by the end of today, per owner in priority order
-- (escalatable overdue × (1 + risk score / 100)), leaving out customers
-- paused today and contacts the rules forbid today.  Every date is
-- relative to today.  Calls may be made at any hour here, so that the
-- hour the suite runs at changes nothing.
--
-- The policy wl_ladder: 1 call at +10.  Each customer (EUR, owner Zoe
-- unless said) owes an invoice due 20 days ago (wlg: due 40 days ago,
-- paid 30 days late on earlier invoices, so its risk score is higher):
--   wla  1000                     listed
--   wlb  5000                     listed first (largest amount)
--   wlg   950, riskier: its risk score (by hand, README's risk score):
--        days late (1500×30 + 950×40)/2450 = 33.88 → 35×33.88/60 = 19.76,
--        late share 4/4 → 20, overdue share 1 → 20, oldest 40/120 → 8.33:
--        68.10 (68.095 rounded); wla's: days late 20 → 11.67, late 1/1 → 20, overdue 1 → 20,
--        oldest 20/120 → 4.17: 55.83.  Weights 950 × 1.6810 = 1596.95 and
--        1000 × 1.5583 = 1558.30: wlg comes before wla, though it owes less
--   wlc  2000, disputed whole with the triggers off: paused, absent
--   wld  3000, do_not_contact set after the run: forbidden, absent
--   wle  4000, reached by phone this morning (calls pause 7 days after a
--        reached call): forbidden, absent
--   wlf   700, owner Yan: first in Yan's queue
\set SHOW_CONTEXT never
SET client_min_messages = warning;
CREATE TEMP TABLE wl_call_rule AS SELECT * FROM arcollect.contact_rule WHERE channel = 'call';
UPDATE arcollect.contact_rule SET window_start = '00:00', window_end = '23:59:59.999999',
                                  pause_after_reached_days = 7, max_attempts = 10
 WHERE channel = 'call';
CREATE TABLE wl_bill (id text PRIMARY KEY, cust text NOT NULL, amount numeric, issued date, due date,
                      cur text NOT NULL);
SELECT arcollect.attach('wl_bill', key => 'id', customer => 'cust', amount => 'amount', due_on => 'due',
                        issued_on => 'issued', currency => 'cur') AS imported;
CREATE TABLE wl_pay (id text NOT NULL, amount numeric NOT NULL, paid date NOT NULL);
SELECT arcollect.attach_payments('wl_pay', invoice_key => 'id', amount => 'amount', paid_on => 'paid',
                                 invoices => 'wl_bill') AS imported;
INSERT INTO wl_bill
SELECT k, c, a, current_date - 50, current_date - 20, 'EUR'
  FROM (VALUES ('WLA1', 'wla', 1000), ('WLB1', 'wlb', 5000), ('WLC1', 'wlc', 2000),
               ('WLD1', 'wld', 3000), ('WLE1', 'wle', 4000), ('WLF1', 'wlf', 700)) v(k, c, a);
-- wlg: three invoices paid 30 days late, one open 40 days overdue
INSERT INTO wl_bill VALUES ('WLG1', 'wlg', 950, current_date - 70, current_date - 40, 'EUR');
INSERT INTO wl_bill SELECT 'WLG' || n, 'wlg', 500, current_date - 200 + 30 * n, current_date - 170 + 30 * n, 'EUR'
  FROM generate_series(2, 4) n;
INSERT INTO wl_pay SELECT 'WLG' || n, 500, current_date - 140 + 30 * n FROM generate_series(2, 4) n;
INSERT INTO arcollect.policy (policy_name) VALUES ('wl_ladder');
INSERT INTO arcollect.policy_step (policy_name, step_no, days_from_due, channel, template_name, action,
                                   min_overdue_amount) VALUES
    ('wl_ladder', 1, 10, 'call', 'call_script', 'call', 0);
UPDATE arcollect.customer SET escalation_policy = 'wl_ladder', owner = CASE customer_id WHEN 'wlf' THEN 'Yan' ELSE 'Zoe' END
 WHERE customer_id LIKE 'wl_';
SELECT e.customer_id, e.touchpoints_planned AS planned
  FROM (VALUES ('wla'), ('wlb'), ('wlc'), ('wld'), ('wle'), ('wlf'), ('wlg')) c(id)
 CROSS JOIN LATERAL (SELECT c.id AS customer_id, x.* FROM arcollect.escalate_customer(c.id) x) e;

-- before anything changes, every customer is in its owner's queue
SELECT owner, customer_id, priority, channel FROM arcollect.worklist
 WHERE customer_id LIKE 'wl_' ORDER BY owner, priority;

-- wlc disputes all it owes, with the triggers off: its episode stays
-- open and its call planned, but it is paused today
SET arcollect.escalation_trigger = off;
SELECT arcollect.open_dispute('WLC1', 'pricing') > 0 AS disputed;
RESET arcollect.escalation_trigger;
-- wld may no longer be contacted at all
UPDATE arcollect.customer SET do_not_contact = true WHERE customer_id = 'wld';
-- wle was reached by phone an hour ago
SELECT arcollect.log_touchpoint('wle', 'call', outcome => 'reached', done_at => now() - interval '1 hour') > 0
       AS logged;
SELECT t.customer_id, t.status FROM arcollect.touchpoint t
 JOIN arcollect.escalation_step s USING (touchpoint_id)
 WHERE t.customer_id IN ('wlc', 'wld', 'wle') ORDER BY 1;

-- the queues now: wlc, wld and wle are gone, the rest in priority order
SELECT owner, customer_id, priority, channel, overdue_amount, oldest_days_overdue, broken_promise, reason
  FROM arcollect.worklist WHERE customer_id LIKE 'wl_' ORDER BY owner, priority;
-- the priority is the documented weight, highest first, per owner
SELECT bool_and(w.earlier >= w.weight) AS priority_follows_weight, count(*) AS rows_checked
  FROM (SELECT overdue_amount * (1 + risk_score / 100) AS weight,
               lag(overdue_amount * (1 + risk_score / 100)) OVER (PARTITION BY owner ORDER BY priority) AS earlier
          FROM arcollect.worklist WHERE customer_id LIKE 'wl_') w
 WHERE w.earlier IS NOT NULL;
-- wlg's risk is higher than wla's, which lifts it above wla though it owes less
SELECT customer_id, risk_score, round(overdue_amount * (1 + risk_score / 100), 2) AS weight, priority
  FROM arcollect.worklist
 WHERE customer_id IN ('wla', 'wlg') ORDER BY priority;

-- paid: the ledger's hook ends wlb's episode, and it leaves the queue
INSERT INTO wl_pay VALUES ('WLB1', 5000, current_date);
SELECT count(*) AS wlb_listed FROM arcollect.worklist WHERE customer_id = 'wlb';

-- no array or json column, as every BI view
SELECT a.attname, format_type(a.atttypid, a.atttypmod)
  FROM pg_attribute a WHERE a.attrelid = 'arcollect.worklist'::regclass AND a.attnum > 0
 ORDER BY a.attnum;

-- The cap counts the planned call itself once, as one of the attempts:
-- with at most 10 calls in 7 days (the rule above), a call planned today
-- after 9 calls made in the 6 days before is the 10th and is listed; one
-- planned after 10 made would be the 11th and is not (so is one planned
-- after 9 made, where a 10th is made later the same day).  (Owner Xia,
-- customers wlcap9, wlcap10 and wlcap9b, each owing 800 overdue 20 days.)
INSERT INTO wl_bill SELECT 'WLCAP' || c, c, 800, current_date - 50, current_date - 20, 'EUR'
  FROM unnest(ARRAY['wlcap9', 'wlcap10', 'wlcap9b']) c;
UPDATE arcollect.customer SET escalation_policy = 'wl_ladder', owner = 'Xia' WHERE customer_id LIKE 'wlcap%';
-- calls made on days 1 to 6 before today, none that reached anyone
SELECT count(arcollect.log_touchpoint(c.id, 'call', outcome => 'no_answer',
                                      done_at => now() - interval '1 day' * (1 + n % 6)))
       AS calls_made
  FROM (VALUES ('wlcap9', 9), ('wlcap10', 10), ('wlcap9b', 9)) c(id, made)
 CROSS JOIN LATERAL generate_series(1, c.made) n;
SELECT e.customer_id, e.touchpoints_planned AS planned
  FROM (VALUES ('wlcap9'), ('wlcap10'), ('wlcap9b')) c(id)
 CROSS JOIN LATERAL (SELECT c.id AS customer_id, x.* FROM arcollect.escalate_customer(c.id) x) e
 ORDER BY 1;
SELECT arcollect.log_touchpoint('wlcap9b', 'call', outcome => 'no_answer', done_at => now()) > 0 AS tenth_made;
SELECT owner, customer_id, priority FROM arcollect.worklist WHERE owner = 'Xia' ORDER BY priority;

-- the call rule as it was, for the tests that follow
UPDATE arcollect.contact_rule r SET window_start = o.window_start, window_end = o.window_end,
       pause_after_reached_days = o.pause_after_reached_days, max_attempts = o.max_attempts
  FROM wl_call_rule o WHERE r.channel = o.channel;
