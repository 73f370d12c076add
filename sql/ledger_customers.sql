-- Customers: arcollect.customer shows every customer the ledger's invoices
-- name (derived on read: billing writes never write a customer) and what
-- users set about them (arcollect.customer_setting, written through the
-- view).  (Other tests' customers are in the database too: this one's
-- are vc*.)
CREATE TABLE cust_bill (id int PRIMARY KEY, cust text NOT NULL, amount numeric, issued date, due date,
                        rep text);
SELECT arcollect.attach('cust_bill', key => 'id', customer => 'cust', amount => 'amount', due_on => 'due',
                        issued_on => 'issued', owner => 'rep', default_currency => 'EUR');
SELECT attachment_id AS attached FROM arcollect.attachment WHERE billing_table = 'cust_bill'::regclass \gset
-- Owners 'zoe', 'amy' and 'Bob': the derived owner is the smallest in
-- byte order, 'Bob' ('B' = 0x42 sorts before 'a' = 0x61).  vc2 has no owner.
INSERT INTO cust_bill VALUES (1, 'vc1', 10, '2025-01-01', '2025-01-31', 'zoe'),
                             (2, 'vc1', 20, '2025-01-02', '2025-02-01', 'amy'),
                             (3, 'vc2', 30, '2025-01-03', '2025-02-02', NULL);
UPDATE cust_bill SET cust = 'vc1', rep = 'Bob' WHERE id = 3;   -- SQL path: vc2 has no invoice left
SELECT customer_id, owner, segment, time_zone, do_not_contact, opt_out_channels,
       first_seen_attachment_id = :attached AS first_seen, created_at IS NOT NULL AS created
  FROM arcollect.customer WHERE customer_id LIKE 'vc%' ORDER BY customer_id;
SELECT count(*) AS settings FROM arcollect.customer_setting WHERE customer_id LIKE 'vc%';

-- Editing another column does not pin the owner: it keeps following the
-- invoices ('amy' once 'Bob' goes).
UPDATE arcollect.customer SET segment = 'enterprise', credit_limit = 500 WHERE customer_id = 'vc1';
UPDATE cust_bill SET rep = 'zoe' WHERE id = 3;
SELECT customer_id, owner, segment, credit_limit FROM arcollect.customer WHERE customer_id = 'vc1';
SELECT customer_id, owner, segment FROM arcollect.customer_setting WHERE customer_id LIKE 'vc%';
-- An owner set is kept; set to NULL, the invoices' owner is back.
UPDATE arcollect.customer SET owner = 'maria' WHERE customer_id = 'vc1';
UPDATE cust_bill SET rep = 'aaron' WHERE id = 1;
SELECT customer_id, owner FROM arcollect.customer WHERE customer_id = 'vc1';
UPDATE arcollect.customer SET owner = NULL WHERE customer_id = 'vc1';
SELECT customer_id, owner FROM arcollect.customer WHERE customer_id = 'vc1';

-- A customer not billed yet can be created, and then billed.
INSERT INTO arcollect.customer (customer_id, name, time_zone) VALUES ('vc9', 'Nine', 'Europe/Paris');
SELECT customer_id, name, owner, time_zone, do_not_contact, opt_out_channels, first_seen_attachment_id
  FROM arcollect.customer WHERE customer_id = 'vc9';
INSERT INTO cust_bill VALUES (9, 'vc9', 90, '2025-01-09', '2025-02-08', 'kim');
SELECT customer_id, name, owner, time_zone, first_seen_attachment_id = :attached AS first_seen
  FROM arcollect.customer WHERE customer_id = 'vc9';
-- DELETE removes what was set: a billed customer stays, with the defaults.
DELETE FROM arcollect.customer WHERE customer_id IN ('vc1', 'vc9');
SELECT customer_id, name, owner, segment, credit_limit, time_zone FROM arcollect.customer
 WHERE customer_id LIKE 'vc%' ORDER BY 1;
-- ... and a customer no invoice names goes.
INSERT INTO arcollect.customer (customer_id) VALUES ('vc0');
DELETE FROM arcollect.customer WHERE customer_id = 'vc0';
SELECT count(*) AS vc0 FROM arcollect.customer WHERE customer_id = 'vc0';

-- Bad edits fail with the constraint's SQLSTATE (23514), the derived
-- columns cannot be written (428C9).
\set VERBOSITY sqlstate
UPDATE arcollect.customer SET time_zone = 'Mars/Olympus' WHERE customer_id = 'vc1';
UPDATE arcollect.customer SET opt_out_channels = '{pigeon}' WHERE customer_id = 'vc1';
UPDATE arcollect.customer SET credit_limit = -1 WHERE customer_id = 'vc1';
UPDATE arcollect.customer SET time_zone = NULL WHERE customer_id = 'vc1';
UPDATE arcollect.customer SET created_at = now() - interval '1 year' WHERE customer_id = 'vc1';
UPDATE arcollect.customer SET first_seen_attachment_id = 0 WHERE customer_id = 'vc1';
UPDATE arcollect.customer SET customer_id = 'vc7' WHERE customer_id = 'vc1';
\set VERBOSITY default
SELECT count(*) AS settings FROM arcollect.customer_setting WHERE customer_id LIKE 'vc%';

-- A query for one customer reads only that customer's invoices and
-- settings: the condition reaches both tables, and their indexes (the
-- invoices through arcollect.invoice (customer_id)).
-- Each scan of the invoices in the plan, with the line after it (its
-- condition); the settings are read through their primary key.  (Of the
-- invoices, which index scan the planner picks, plain, bitmap or
-- index-only, depends on what it knows of the table: it is left out.)
CREATE FUNCTION pg_temp.invoice_scans(query text) RETURNS SETOF text
LANGUAGE plpgsql AS $fn$
DECLARE
    plan text[] := '{}';
    line text;
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || query LOOP
        plan := plan || line;
    END LOOP;
    FOR i IN 1 .. cardinality(plan) LOOP
        IF plan[i] ~ ' on (invoice|customer_setting) ' THEN
            RETURN NEXT regexp_replace(regexp_replace(plan[i], '^[ ->]*', ''),
                                       '^(Bitmap Heap Scan|Index Only Scan using invoice_customer|Index Scan using invoice_customer) on invoice',
                                       'index scan on invoice')
                        || ' / ' || regexp_replace(trim(plan[i + 1]), '^(Recheck|Index) Cond', 'Cond');
        END IF;
    END LOOP;
END
$fn$;
SELECT * FROM pg_temp.invoice_scans($$SELECT * FROM arcollect.customer WHERE customer_id = 'vc1'$$) ORDER BY 1;

SELECT arcollect.detach('cust_bill');
DROP TABLE cust_bill;
