-- The main job's simulation: an application's billing table and its
-- receipts table, attached to arcollect, and the quarter that ends today
-- lived day by day.  Every morning the day's invoices are issued, the
-- day's receipts arrive, collectors record what customers told them, and
-- arcollect.run_escalations plans the day's reminders, calls and letters;
-- a stand-in for the mail and phone systems then marks what was planned
-- for the day as done.  Six months of invoices and receipts before the
-- quarter give every customer a payment history.
--
-- Everything lives in schema arcollect_demo, made afresh each run.  The
-- customers (a fixed seed): 36 customers of three collectors, most
-- billed in euros, a few in pounds, in three time zones; each has a
-- payment habit (prompt, slow, late, stopped).  Six of them carry the
-- quarter's stories, which the script writes day by day rather than
-- draws: one stops paying (and climbs the whole ladder), one disputes an
-- invoice (rejected later), one keeps a payment plan, one breaks one,
-- one keeps a promise to pay and one breaks it.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS arcollect_demo CASCADE;
CREATE SCHEMA arcollect_demo;
CREATE EXTENSION IF NOT EXISTS arcollect;

-- The quarter: the 91 days ending today; day 0 is its first morning.
SELECT current_date - 90 AS day0 \gset

-- The application's tables, and arcollect attached to them.
CREATE TABLE arcollect_demo.billing (
    invoice_no  bigint PRIMARY KEY,
    customer_id text NOT NULL,
    amount      numeric(12,2) NOT NULL,
    issued_on   date NOT NULL,
    due_on      date NOT NULL,
    currency    char(3) NOT NULL,
    salesperson text NOT NULL
);
CREATE TABLE arcollect_demo.receipt (
    receipt_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    invoice_no  bigint NOT NULL,
    amount      numeric(12,2) NOT NULL,
    received_on date NOT NULL
);
SELECT arcollect.attach('arcollect_demo.billing', key => 'invoice_no', customer => 'customer_id',
                        amount => 'amount', due_on => 'due_on', issued_on => 'issued_on',
                        currency => 'currency', owner => 'salesperson') AS attached \gset
SELECT arcollect.attach_payments('arcollect_demo.receipt', invoice_key => 'invoice_no',
                                 amount => 'amount', paid_on => 'received_on',
                                 invoices => 'arcollect_demo.billing') AS attached \gset

-- The customers.  Who owns them, their currency, time zone and language,
-- their habit: the six story customers first.
SELECT setseed(0.2026);
CREATE TABLE arcollect_demo.generated_customer AS
SELECT format('C%s', lpad(n::text, 3, '0')) AS customer_id,
       (ARRAY['Ana', 'Ben', 'Chloe'])[1 + n % 3] AS collector,
       CASE WHEN n % 9 = 4 THEN 'GBP' ELSE 'EUR' END AS currency,
       (ARRAY['Europe/Berlin', 'Europe/London', 'America/New_York'])[1 + n % 3] AS time_zone,
       CASE WHEN n % 4 = 1 THEN 'de' ELSE 'en' END AS language,
       CASE n WHEN 1 THEN 'never_again' WHEN 2 THEN 'disputes' WHEN 3 THEN 'keeps_plan'
              WHEN 4 THEN 'breaks_plan' WHEN 5 THEN 'keeps_promise' WHEN 6 THEN 'breaks_promise'
              ELSE CASE WHEN r < 0.50 THEN 'prompt' WHEN r < 0.80 THEN 'slow'
                        WHEN r < 0.95 THEN 'late' ELSE 'stopped' END
       END AS habit,
       (ARRAY[14, 30, 30, 45])[1 + (random() * 3)::int] AS terms_days
FROM (SELECT n, random() AS r FROM generate_series(1, 36) AS n) AS c;

INSERT INTO arcollect.customer (customer_id, name, time_zone, language)
SELECT customer_id, format('Customer %s', customer_id), time_zone, language
FROM arcollect_demo.generated_customer;
-- the collector owns the customer (the billing table's salesperson is
-- the default owner; what a user sets wins)
UPDATE arcollect.customer AS c SET owner = g.collector
FROM arcollect_demo.generated_customer AS g WHERE g.customer_id = c.customer_id;

-- Invoices from six months before the quarter to its last day, about two
-- a month per customer, and when each would be paid in full by habit.
-- The story customers pay like slow ones until their story starts, and
-- then only as the script says (paid_on NULL from the quarter on).
CREATE TABLE arcollect_demo.generated_invoice AS
WITH drawn AS (
    SELECT c.*, :'day0'::date - 180 + (random() * 270)::int AS issued_on,
           round((200 + random() * 4800)::numeric, 2) AS amount, random() AS r
    FROM arcollect_demo.generated_customer AS c, generate_series(1, 18)
)
SELECT row_number() OVER (ORDER BY issued_on, customer_id, amount) + 10000 AS invoice_no,
       customer_id, currency, collector, issued_on, issued_on + terms_days AS due_on, amount,
       CASE WHEN habit = 'prompt' THEN issued_on + terms_days - 6 + (r * 10)::int
            WHEN habit IN ('slow', 'disputes', 'keeps_plan', 'breaks_plan', 'keeps_promise',
                           'breaks_promise', 'never_again')
                 THEN issued_on + terms_days + (r * 30)::int
            WHEN habit = 'late' THEN issued_on + terms_days + 25 + (r * 60)::int
            WHEN issued_on < :'day0'::date - 120 THEN issued_on + terms_days + 40 + (r * 40)::int
       END AS would_pay_on
FROM drawn;
-- a story customer pays nothing by habit once the quarter has begun
UPDATE arcollect_demo.generated_invoice AS i SET would_pay_on = NULL
FROM arcollect_demo.generated_customer AS c
WHERE c.customer_id = i.customer_id AND c.habit NOT IN ('prompt', 'slow', 'late', 'stopped')
  AND i.would_pay_on >= :'day0'::date;

-- Before the quarter: its invoices and receipts, in bulk (a payment
-- before its invoice's issue date moves to the issue date).
INSERT INTO arcollect_demo.billing
SELECT invoice_no, customer_id, amount, issued_on, due_on, currency, collector
FROM arcollect_demo.generated_invoice WHERE issued_on < :'day0'::date;
INSERT INTO arcollect_demo.receipt (invoice_no, amount, received_on)
SELECT invoice_no, amount, greatest(would_pay_on, issued_on)
FROM arcollect_demo.generated_invoice
WHERE issued_on < :'day0'::date AND would_pay_on < :'day0'::date;

-- Pays a customer's oldest open invoices in a currency up to an amount,
-- on a day: what a customer's bank transfer does once the application has
-- matched it.  Open amounts as the application knows them (its invoices
-- less its receipts).
CREATE FUNCTION arcollect_demo.pay_oldest(who text, total numeric, on_day date)
RETURNS numeric
LANGUAGE plpgsql AS $fn$
DECLARE
    left_to_pay numeric := total;
    item record;
BEGIN
    FOR item IN
        SELECT b.invoice_no, b.amount - coalesce(sum(r.amount), 0) AS open
        FROM arcollect_demo.billing AS b
        LEFT JOIN arcollect_demo.receipt AS r USING (invoice_no)
        WHERE b.customer_id = who AND b.issued_on <= on_day
        GROUP BY b.invoice_no, b.amount, b.due_on
        HAVING b.amount - coalesce(sum(r.amount), 0) > 0
        ORDER BY b.due_on, b.invoice_no
    LOOP
        EXIT WHEN left_to_pay <= 0;
        INSERT INTO arcollect_demo.receipt (invoice_no, amount, received_on)
        VALUES (item.invoice_no, least(item.open, left_to_pay), on_day);
        left_to_pay := left_to_pay - least(item.open, left_to_pay);
    END LOOP;
    RETURN total - left_to_pay;
END
$fn$;

-- What a customer owes overdue in its currency on a day, from the ledger.
CREATE FUNCTION arcollect_demo.overdue(who text, on_day date)
RETURNS numeric
LANGUAGE sql STABLE AS $fn$
    SELECT coalesce(sum(open_amount), 0)
    FROM arcollect.open_items(on_day)
    WHERE customer_id = who AND due_on < on_day AND open_amount > 0
$fn$;

-- The stories, by day of the quarter.
CREATE FUNCTION arcollect_demo.stories(k integer, today date)
RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
    owed numeric;
    third numeric;
    oldest text;
BEGIN
    IF k = 30 THEN
        -- C002 disputes the price of its oldest open invoice, in full
        SELECT invoice_key INTO oldest FROM arcollect.open_items(today)
        WHERE customer_id = 'C002' AND open_amount > 0 ORDER BY due_on, invoice_key LIMIT 1;
        PERFORM arcollect.open_dispute(oldest, 'pricing', note => 'Customer says the agreed discount is missing',
                                       owner => 'Chloe', opened_on => today);
    ELSIF k = 70 THEN
        -- the price was right: the dispute is rejected, and escalation resumes
        PERFORM arcollect.close_dispute(d.dispute_id, 'rejected', 'Contract checked: price as agreed', today)
        FROM arcollect.dispute AS d WHERE d.customer_id = 'C002' AND d.status = 'open';
    END IF;

    IF k IN (40, 44) THEN
        -- C003 (day 40) and C004 (day 44) agree to pay what is overdue in
        -- three installments, two weeks apart
        owed := arcollect_demo.overdue(CASE k WHEN 40 THEN 'C003' ELSE 'C004' END, today);
        third := round(owed / 3, 2);
        PERFORM arcollect.create_payment_plan(CASE k WHEN 40 THEN 'C003' ELSE 'C004' END,
                                              ARRAY[today + 10, today + 24, today + 38],
                                              ARRAY[third, third, owed - 2 * third],
                                              created_on => today);
    END IF;
    -- C003 pays every installment on its day; C004 only the first
    PERFORM arcollect_demo.pay_oldest(p.customer_id, i.amount, today)
    FROM arcollect.payment_plan AS p
    JOIN arcollect.plan_installment AS i USING (plan_id)
    WHERE i.due_on = today
      AND (p.customer_id = 'C003' OR (p.customer_id = 'C004' AND i.installment_no = 1));

    IF k = 50 THEN
        -- C005 promises on a call to pay all that is overdue within a week,
        -- and pays a day early
        PERFORM arcollect.promise_to_pay('C005', arcollect_demo.overdue('C005', today), today + 7,
                                         made_on => today);
    ELSIF k = 56 THEN
        PERFORM arcollect_demo.pay_oldest('C005', p.amount, today)
        FROM arcollect.promise AS p WHERE p.customer_id = 'C005';
    ELSIF k = 60 THEN
        -- C006 promises the same, and does not pay
        PERFORM arcollect.promise_to_pay('C006', arcollect_demo.overdue('C006', today), today + 7,
                                         made_on => today);
    END IF;
END
$fn$;

-- What the mail, print and phone systems do with the day's work: every
-- message planned for the day is sent; of the calls, two in three reach
-- the customer.  The calls of the last week are left to the collectors,
-- who are behind: they are today's worklist.  (A real sender reads arcollect.outbox, which checks
-- as of today; in the simulation each day is "today" in turn.)
CREATE FUNCTION arcollect_demo.send_the_days_work(today date)
RETURNS void
LANGUAGE sql AS $fn$
    SELECT arcollect.complete_touchpoint(
               t.touchpoint_id,
               CASE WHEN t.channel <> 'call' THEN 'sent'
                    WHEN t.touchpoint_id % 3 = 0 THEN 'no_answer' ELSE 'reached' END,
               done_at => t.planned_for)
    FROM arcollect.touchpoint AS t
    WHERE t.status = 'planned' AND t.planned_for < (today + 1)::timestamp AT TIME ZONE 'UTC'
      AND (t.channel <> 'call' OR today < current_date - 6);
$fn$;

-- The quarter, day by day.  Each morning's run commits its batches, so
-- the loop runs outside any transaction block (a DO at the top level may
-- call a procedure that commits).
\echo 'simulating the quarter day by day (91 runs of arcollect.run_escalations) ...'
DO $quarter$
DECLARE
    k integer;
    today date;
BEGIN
    FOR k IN 0..90 LOOP
        today := current_date - 90 + k;
        INSERT INTO arcollect_demo.billing
        SELECT invoice_no, customer_id, amount, issued_on, due_on, currency, collector
        FROM arcollect_demo.generated_invoice WHERE issued_on = today;
        INSERT INTO arcollect_demo.receipt (invoice_no, amount, received_on)
        SELECT invoice_no, amount, today
        FROM arcollect_demo.generated_invoice
        WHERE would_pay_on = today;
        PERFORM arcollect_demo.stories(k, today);
        COMMIT;
        CALL arcollect.run_escalations(today);
        PERFORM arcollect_demo.send_the_days_work(today);
        COMMIT;
    END LOOP;
END
$quarter$;
