-- The views for BI on a small ledger whose figures are worked out by hand
-- in the comments.  Dates of the EUR and USD invoices are counted from
-- today (d), so that the views as of today show the same figures every
-- day; the GBP ones are fixed, for the months of kpi_monthly and
-- collector_performance.  Then the access levels: what grant_access
-- grants, and the row-level security it relies on.
--
-- The views read the whole ledger, which the tests before this one have
-- filled: it starts from a fresh extension (its tables are dropped with
-- it; the tests before it are done with them).
SET client_min_messages = warning;
DROP EXTENSION arcollect CASCADE;
CREATE EXTENSION arcollect;
RESET client_min_messages;
CREATE TABLE bi_bill (id int PRIMARY KEY, customer text NOT NULL, amount numeric(12,2) NOT NULL,
                      issued date NOT NULL, due date NOT NULL, currency text NOT NULL, owner text);
CREATE TABLE bi_pay (id serial PRIMARY KEY, invoice int NOT NULL, amount numeric(12,2) NOT NULL, paid date NOT NULL);
SELECT arcollect.attach('bi_bill', key => 'id', customer => 'customer', amount => 'amount', due_on => 'due',
                        issued_on => 'issued', currency => 'currency', owner => 'owner') AS booked;
SELECT arcollect.attach_payments('bi_pay', invoice_key => 'invoice', amount => 'amount', paid_on => 'paid') AS booked;
INSERT INTO bi_bill VALUES
    (1, 'north', 1000, current_date - 100, current_date - 70, 'EUR', 'ana'),   -- 70 days past due
    (2, 'north',  500, current_date - 40,  current_date - 10, 'EUR', 'ana'),   -- 10
    (3, 'north',  200, current_date - 5,   current_date + 25, 'EUR', 'ana'),   -- not due
    (4, 'south',  800, current_date - 130, current_date - 100, 'EUR', 'ben'),
    (5, 'south',  300, current_date - 50,  current_date - 35, 'EUR', 'ben'),
    (6, 'east',   400, current_date - 20,  current_date,      'USD', 'ana'),   -- due today: current
    (10, 'west', 1000, '2025-03-05', '2025-04-04', 'GBP', 'cy'),
    (11, 'west',  500, '2025-03-20', '2025-03-31', 'GBP', 'cy'),
    (12, 'west',  600, '2025-02-10', '2025-03-12', 'GBP', 'cy');
-- north pays 400 of invoice 1; south pays invoice 4 80 days late and 350
-- on invoice 5, 50 more than it owes; west pays invoice 12 early, 200 of
-- invoice 11 on its due date, invoice 10 16 days late
INSERT INTO bi_pay (invoice, amount, paid) VALUES
    (1, 400, current_date - 60), (4, 800, current_date - 20), (5, 350, current_date - 1),
    (12, 600, '2025-03-10'), (11, 200, '2025-03-31'), (10, 1000, '2025-04-20');
SELECT arcollect.open_dispute('2', 'pricing', 200, opened_on => current_date - 3, billing_table => 'bi_bill') > 0 AS opened;
SELECT arcollect.open_dispute('11', 'quantity', 100, opened_on => '2025-03-25', billing_table => 'bi_bill') > 0 AS opened;
SELECT arcollect.close_dispute(dispute_id, 'rejected', closed_on => '2025-04-02')
  FROM arcollect.dispute WHERE invoice_key = '11';
UPDATE arcollect.customer SET segment = 'retail', credit_limit = 1000 WHERE customer_id IN ('north', 'west');

-- The aging today.  north: 200 current, 500 in 1-30 (200 of it disputed),
-- 600 in 61-90; south: invoice 4 paid, -50 in 31-60 (overpaid); east:
-- 400 current.
SELECT * FROM arcollect.aging_report ORDER BY customer_id, currency;
-- per owner: ana has north (EUR) and east (USD), ben south
SELECT * FROM arcollect.aging_by_owner ORDER BY owner, currency;
-- as of 60 days ago: invoice 1 10 days past due, 600 open (paid 400 that
-- day); invoice 4 40 days past due, 800 open; nothing else issued yet;
-- with bounds of 15 and 45 days
SELECT customer_id, currency, owner, bucket_index, bucket, amount, disputed
  FROM arcollect.aging_report(current_date - 60, '{15,45}')
 WHERE currency <> 'GBP' ORDER BY customer_id, bucket_index;
-- the default bounds as of today, per bucket, tie out to the balance
SELECT r.currency, sum(r.amount) AS aged, b.balance
  FROM arcollect.aging_report(current_date) r
  JOIN arcollect.receivables_balance(current_date) b USING (currency)
 GROUP BY r.currency, b.balance ORDER BY 1;

-- Customer summaries.  south paid invoice 4 80 days late and invoice 5
-- 34 days late (it closed on d - 1, due d - 35): weighted (800 x 80 +
-- 300 x 34) / 1100 = 67.45 days, payment index 40 - 7.45 / 30 x 10 =
-- 37.5, rounded 38.  north is over its limit of 1000 and has the open
-- dispute.
SELECT customer_id, currency, owner, segment, balance, overdue, oldest_days_overdue,
       round(average_payment_delay, 2) AS average_payment_delay, payment_index,
       open_disputes, disputed_amount, credit_limit, over_credit_limit
  FROM arcollect.customer_summary WHERE currency <> 'GBP' ORDER BY customer_id, currency;
-- west owes 300 of invoice 11 since 2025-03-31; it paid invoice 12 2 days
-- early and invoice 10 16 days late: (600 x -2 + 1000 x 16) / 1600 = 9.25
-- days, payment index 80 - 9.25 / 15 x 10 = 73.8
SELECT customer_id, currency, balance, overdue, average_payment_delay, payment_index, over_credit_limit
  FROM arcollect.customer_summary('west');
SELECT customer_id, currency, balance FROM arcollect.customer_summary('south');
SELECT count(*) AS rows FROM arcollect.customer_summary('nobody');

-- KPIs of March 2025, in GBP: ending AR 1000 + 300, all of it current
-- (invoice 10 due 04-04, 11 due 03-31), beginning AR 600 (invoice 12),
-- sales 1500, collected 800.  DSO = BPDSO = 1300 / 1500 x 31 = 26.87,
-- CEI = (600 + 1500 - 1300) / (600 + 1500 - 1300) = 100 %, collection
-- rate 800 / (600 + 500) = 72.73 %, turnover 1500 / 950 = 1.58, 19.63
-- days.  April: AR 1300 -> 300, none current, no sales (DSO NULL), CEI
-- (1300 - 300) / 1300 = 76.92 %, invoice 10 (1000) due and paid: 100 %.
SELECT month, currency, as_of, days, credit_sales, cash_collected, beginning_ar, ending_ar, current_ar,
       round(dso, 2) AS dso, round(best_possible_dso, 2) AS bpdso, round(average_days_delinquent, 2) AS add,
       round(cei, 2) AS cei, round(percent_current, 2) AS pct_current, amount_due, collected_on_due,
       round(collection_rate, 2) AS collection_rate, round(ar_turnover, 2) AS turnover,
       round(turnover_days, 2) AS turnover_days
  FROM arcollect.kpi_monthly
 WHERE month IN ('2025-03-01', '2025-04-01') AND currency = 'GBP' ORDER BY month;
SELECT month, segment, currency, credit_sales, ending_ar, round(dso, 2) AS dso
  FROM arcollect.segment_kpis WHERE month = '2025-03-01' ORDER BY segment;
-- no month after this one
SELECT count(*) AS rows FROM arcollect.monthly_kpis(current_date + 40);

-- Disputes open today: invoice 2's, 3 days old.
SELECT * FROM arcollect.dispute_summary;

-- cy in March 2025: 800 collected in two payments; a call (about all west
-- owes: west is billed in GBP only) and an email at 5.00 and 0.10; a
-- promise made and kept (200 by 03-31, paid that day); the dispute of
-- 03-25 opened, closed in April.  Cost per collection 5.10 / 800.
INSERT INTO arcollect.channel_cost VALUES ('call', 'GBP', 5.00), ('email', 'GBP', 0.10);
SELECT arcollect.log_touchpoint('west', 'call', outcome => 'promise', done_at => '2025-03-15 10:00+00') > 0 AS logged;
INSERT INTO arcollect.touchpoint (customer_id, currency, channel, status, done_at, outcome)
VALUES ('west', 'GBP', 'email', 'done', '2025-03-20 09:00+00', 'sent');
SELECT arcollect.promise_to_pay('west', 200, '2025-03-31', made_on => '2025-03-15') > 0 AS promised;
SELECT * FROM arcollect.collector_performance WHERE owner = 'cy' ORDER BY month;

-- Access.  What each level grants besides reading (a reader reads every
-- table and view but these: the quarantine's and the limits', which
-- admins read).
SELECT access, privilege, object_type, object_name FROM arcollect.access_privilege
 WHERE access <> 'reader' OR privilege <> 'SELECT' ORDER BY access, object_name, privilege;
SELECT object_name FROM arcollect.access_privilege WHERE access = 'admin' AND privilege = 'SELECT' ORDER BY 1;
-- The policies of the row-level security that limits a role to an
-- owner's customers, as generated.
SELECT tablename, policyname, cmd, qual, with_check = qual AS checks_the_same
  FROM pg_policies WHERE schemaname = 'arcollect' AND tablename IN ('invoice', 'entry') ORDER BY 1;
SELECT count(*) AS tables_with_the_policy FROM pg_policies WHERE schemaname = 'arcollect';
CREATE ROLE bi_views_ana NOLOGIN;
SELECT arcollect.grant_access('bi_views_ana', 'collector', owner => 'ana');
SELECT * FROM arcollect.access_scope;
SET ROLE bi_views_ana;
SELECT customer_id, currency, total FROM arcollect.aging_report ORDER BY 1, 2;
RESET ROLE;
SELECT arcollect.grant_access('bi_views_ana', 'admin', owner => 'ana');
SELECT arcollect.grant_access('bi_views_ana', 'manager');
SELECT arcollect.revoke_access('bi_views_ana');
SELECT count(*) AS limits FROM arcollect.access_scope;
DROP ROLE bi_views_ana;
