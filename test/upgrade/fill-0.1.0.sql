-- Fills a database that has arcollect 0.1.0 (its scripts and its library)
-- with what a user of that release would have: billing tables attached
-- with several mappings, a payments table, a partitioned table, rows in
-- quarantine, customers edited by hand, a detached and a dropped table.
-- Then keeps, in schema upgrade_check, what the upgrade must keep: the
-- identity of every row of every arcollect table (its primary key, or the
-- whole row), and the balances and open items at past dates.
SET client_min_messages = error;

CREATE TABLE bill (id int PRIMARY KEY, cust text NOT NULL, amount numeric(12,2), issued date,
                   due date, cur text, paid numeric(12,2) DEFAULT 0, rep text, status text);
CREATE TABLE pay (id serial PRIMARY KEY, bill_id int, amount numeric(12,2), paid_on date, kind text);
SELECT arcollect.attach('bill', key => 'id', customer => 'cust', amount => 'amount', due_on => 'due',
                        issued_on => 'issued', currency => 'cur', paid => 'paid', owner => 'rep',
                        status => 'status');
SELECT arcollect.attach_payments('pay', invoice_key => 'bill_id', amount => 'amount',
                                 paid_on => 'paid_on', kind => 'kind');
INSERT INTO bill SELECT g, 'C' || g % 7, 100 + g, date '2025-01-01' + g, date '2025-02-01' + g,
                        CASE WHEN g % 50 = 0 THEN 'BAD' ELSE 'EUR' END, 0, 'rep' || g % 3, 'open'
                   FROM generate_series(1, 300) g;
INSERT INTO pay (bill_id, amount, paid_on, kind)
SELECT g, 30, date '2025-03-01' + g % 20, (ARRAY['payment', 'credit note', 'write-off', 'nonsense'])[1 + g % 4]
  FROM generate_series(1, 200) g;
-- 9999: a key known only from payments (0.1.0 gave it an invoice row)
INSERT INTO pay (bill_id, amount, paid_on) VALUES (9999, 5, '2025-04-01');
UPDATE bill SET paid = 10 WHERE id % 3 = 0;
UPDATE bill SET status = 'void' WHERE id % 17 = 0;
DELETE FROM bill WHERE id % 11 = 0;
DELETE FROM pay WHERE id % 13 = 0;
UPDATE arcollect.customer SET segment = 'key account', credit_limit = 1000, name = 'Customer one',
       time_zone = 'Europe/Paris', opt_out_channels = '{sms}' WHERE customer_id = 'C1';
UPDATE arcollect.customer SET owner = 'alice', do_not_contact = true WHERE customer_id = 'C2';
UPDATE arcollect.customer SET escalation_policy = 'gentle' WHERE customer_id = 'C3';
-- a customer created by hand, not billed yet
INSERT INTO arcollect.customer (customer_id, name, segment) VALUES ('H1', 'Prospect', 'smb');
-- what a DBA granted on 0.1.0's customer table: a collector edits the
-- customers, a BI role reads two columns (0.2.0's customer is a view,
-- which must carry both over)
DO $do$
BEGIN
    CREATE ROLE upgrade_collector NOLOGIN;
EXCEPTION WHEN duplicate_object THEN
END
$do$;
DO $do$
BEGIN
    CREATE ROLE upgrade_bi NOLOGIN;
EXCEPTION WHEN duplicate_object THEN
END
$do$;
GRANT SELECT, UPDATE ON arcollect.customer TO upgrade_collector WITH GRANT OPTION;
GRANT SELECT (customer_id, segment) ON arcollect.customer TO upgrade_bi;

CREATE TABLE pbill (id bigint PRIMARY KEY, cust text NOT NULL, amount numeric, issued timestamptz,
                    due date) PARTITION BY RANGE (id);
CREATE TABLE pbill_1 PARTITION OF pbill FOR VALUES FROM (0) TO (1000);
CREATE TABLE pbill_2 PARTITION OF pbill FOR VALUES FROM (1000) TO (2000);
SELECT arcollect.attach('pbill', key => 'id', customer => 'cust', amount => 'amount', due_on => 'due',
                        issued_on => 'issued', default_currency => 'USD');
INSERT INTO pbill SELECT g * 37, 'P' || g % 3, 10 * g, timestamptz '2025-01-01 12:00+00' + g * interval '1 day',
                         date '2025-02-01' + g
                    FROM generate_series(1, 50) g;
INSERT INTO pbill VALUES (1999, 'P9', 5, '2025-03-01', '2025-02-01');  -- due before issue: quarantined

CREATE TABLE old_bill (code text PRIMARY KEY, cust text NOT NULL, amount numeric, issued date, due date);
SELECT arcollect.attach('old_bill', key => 'code', customer => 'cust', amount => 'amount',
                        due_on => 'due', issued_on => 'issued', default_currency => 'GBP');
INSERT INTO old_bill VALUES ('A-1', 'G1', 70, '2025-01-10', '2025-02-10'), ('A-2', 'G1', 30, '2025-01-11', '2025-02-11');
SELECT arcollect.detach('old_bill');

CREATE TABLE gone_bill (id int PRIMARY KEY, cust text NOT NULL, amount numeric, issued date, due date);
SELECT arcollect.attach('gone_bill', key => 'id', customer => 'cust', amount => 'amount',
                        due_on => 'due', issued_on => 'issued', default_currency => 'EUR');
INSERT INTO gone_bill VALUES (1, 'D1', 40, '2025-01-05', '2025-02-05');
DROP TABLE gone_bill;

-- What the upgrade must keep.
CREATE SCHEMA upgrade_check;
CREATE TABLE upgrade_check.rows_before (table_name text, identity jsonb);
DO $do$
DECLARE
    t regclass;
    pk text;
BEGIN
    FOR t IN SELECT c FROM pg_extension e, unnest(e.extconfig) c
              WHERE e.extname = 'arcollect' AND (SELECT relkind FROM pg_class WHERE oid = c) = 'r' LOOP
        SELECT string_agg(format('%L, r.%I', a.attname, a.attname), ', ' ORDER BY k.n) INTO pk
          FROM pg_index i CROSS JOIN unnest(i.indkey) WITH ORDINALITY k(attnum, n)
          JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
         WHERE i.indrelid = t AND i.indisprimary;
        EXECUTE format('INSERT INTO upgrade_check.rows_before SELECT %L, %s FROM %s r', t,
                       coalesce('jsonb_build_object(' || pk || ')', 'to_jsonb(r)'), t);
    END LOOP;
END
$do$;
-- every customer as users see it (0.2.0 derives some of it from the
-- invoices and keeps what users set in a table of its own)
CREATE TABLE upgrade_check.customers_before AS SELECT * FROM arcollect.customer;
CREATE TABLE upgrade_check.balances_before AS
SELECT d AS as_of, b.currency, b.balance
  FROM unnest(ARRAY[date '2025-01-15', '2025-03-01', '2025-06-30', current_date]) d
 CROSS JOIN LATERAL arcollect.receivables_balance(d) b;
CREATE TABLE upgrade_check.open_items_before AS
SELECT d AS as_of, o.billing_table::text AS billing_table, o.invoice_key, o.currency, o.open_amount
  FROM unnest(ARRAY[date '2025-02-15', current_date]) d
 CROSS JOIN LATERAL arcollect.open_items(d) o;
-- Keys known only from payments: 0.2.0 keeps their entries and no
-- invoice row (0.2.0-after.sql); their open amount now, to compare.
CREATE TABLE upgrade_check.payment_keys_before AS
SELECT i.attachment_id, i.invoice_key, i.open_amount
  FROM arcollect.invoice i
 WHERE i.booked_on IS NULL AND NOT i.in_billing;
