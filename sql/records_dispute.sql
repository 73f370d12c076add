-- Disputes: the reasons, opening a dispute (by invoice key, with the
-- billing table when two hold the key), the amount rule (the open
-- disputes of an invoice together dispute at most its open amount), the
-- life cycle with every refused change, plain INSERT and UPDATE held to
-- the same rules, the reader views, and all of it done by a collector
-- with the grants doc/ledger.md gives.  Errors are shown as SQLSTATE and
-- message, one line each (rd_try).
SET client_min_messages = warning;
CREATE FUNCTION rd_try(stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE stmt;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ' ' || SQLERRM;
END
$$;

-- The identifiers the messages name, whatever disputes earlier tests
-- (the README's examples) opened.
SELECT setval('arcollect.dispute_dispute_id_seq', 1000) AS first_dispute_id_after;

-- Two billing tables that both hold invoice key RDI-1.  RDI-2 is paid,
-- RDI-3 partly (200.00 open).
CREATE TABLE rd_bill_a (id text PRIMARY KEY, cust text NOT NULL, amount numeric(12,2), paid numeric(12,2),
                        paid_on date, issued date, due date, cur text);
CREATE TABLE rd_bill_b (id text PRIMARY KEY, cust text NOT NULL, amount numeric(12,2), issued date, due date);
INSERT INTO rd_bill_a VALUES ('RDI-1', 'rd1', 1000.00, 0, NULL, '2025-03-01', '2025-03-31', 'EUR'),
                             ('RDI-2', 'rd1', 500.00, 500.00, '2025-03-20', '2025-03-01', '2025-03-31', 'EUR'),
                             ('RDI-3', 'rd2', 300.00, 100.00, '2025-03-20', '2025-03-05', '2025-04-04', 'USD');
INSERT INTO rd_bill_b VALUES ('RDI-1', 'rd9', 80.00, '2025-03-02', '2025-04-01');
SELECT arcollect.attach('rd_bill_a', key => 'id', customer => 'cust', amount => 'amount', paid => 'paid',
                        paid_on => 'paid_on', due_on => 'due', issued_on => 'issued', currency => 'cur');
SELECT arcollect.attach('rd_bill_b', key => 'id', customer => 'cust', amount => 'amount', due_on => 'due',
                        issued_on => 'issued', default_currency => 'GBP');

-- find_invoice: the invoice a record names, its customer, currency and
-- open amount now.
SELECT rd_try($$SELECT arcollect.find_invoice('RDI-1')$$);
SELECT customer_id, currency, open_amount FROM arcollect.find_invoice('RDI-1', 'rd_bill_a');
SELECT customer_id, currency, open_amount FROM arcollect.find_invoice('RDI-1', 'rd_bill_b');
SELECT customer_id, currency, open_amount FROM arcollect.find_invoice('RDI-3');
-- Only tables the ledger follows now: a detached table's invoices, and a
-- dropped one's, are not found (the ledger keeps their history, but no
-- longer knows what is open on them), so they neither answer for a key nor
-- make it ambiguous.
CREATE TABLE rd_bill_gone (id text PRIMARY KEY, cust text NOT NULL, amount numeric(12,2), issued date, due date);
CREATE TABLE rd_bill_left (LIKE rd_bill_gone INCLUDING ALL);
INSERT INTO rd_bill_gone VALUES ('RDI-3', 'rd8', 10.00, '2025-03-02', '2025-04-01'),
                                ('RDI-G', 'rd8', 10.00, '2025-03-02', '2025-04-01');
INSERT INTO rd_bill_left SELECT * FROM rd_bill_gone;
UPDATE rd_bill_left SET id = 'RDI-L' WHERE id = 'RDI-G';
SELECT arcollect.attach('rd_bill_gone', key => 'id', customer => 'cust', amount => 'amount', due_on => 'due',
                        issued_on => 'issued', default_currency => 'EUR') AS gone_imported,
       arcollect.attach('rd_bill_left', key => 'id', customer => 'cust', amount => 'amount', due_on => 'due',
                        issued_on => 'issued', default_currency => 'EUR') AS left_imported;
SELECT arcollect.detach('rd_bill_left');
DROP TABLE rd_bill_gone;
SELECT customer_id, currency, open_amount FROM arcollect.find_invoice('RDI-3');
SELECT rd_try($$SELECT arcollect.find_invoice('RDI-G')$$) AS dropped_table_invoice;
SELECT rd_try($$SELECT arcollect.find_invoice('RDI-L')$$) AS detached_table_invoice;
DROP TABLE rd_bill_left;

-- The reasons: the nine seeded ones; users add their own, spelled as the
-- seeded ones are.
SELECT reason_code, seeded FROM arcollect.dispute_reason WHERE seeded ORDER BY reason_code;
INSERT INTO arcollect.dispute_reason (reason_code, description) VALUES ('damaged_in_transit', 'Damaged on the way to the customer.');
SELECT reason_code, seeded FROM arcollect.dispute_reason WHERE reason_code = 'damaged_in_transit';
SELECT rd_try($$INSERT INTO arcollect.dispute_reason VALUES ('Late Delivery', 'x')$$) AS spaces_and_capitals,
       rd_try($$INSERT INTO arcollect.dispute_reason VALUES ('late__delivery', 'x')$$) AS double_underscore,
       rd_try($$INSERT INTO arcollect.dispute_reason VALUES ('_late', 'x')$$) AS leading_underscore,
       rd_try($$INSERT INTO arcollect.dispute_reason VALUES ('late_', 'x')$$) AS trailing_underscore,
       rd_try($$INSERT INTO arcollect.dispute_reason VALUES ('', 'x')$$) AS empty;
SELECT rd_try(format($$INSERT INTO arcollect.dispute_reason VALUES (%L, 'x')$$, repeat('a', 64))) AS too_long;

-- open_dispute refuses, naming the value: an unknown reason, an unknown
-- or ambiguous key, a billing table that is not one, an amount that is
-- not positive or more than is open, an invoice with nothing open.
SELECT rd_try($$SELECT arcollect.open_dispute('RDI-3', 'pricey')$$);
SELECT rd_try($$SELECT arcollect.open_dispute('RDI-3', NULL)$$);
SELECT rd_try($$SELECT arcollect.open_dispute('NOPE', 'pricing')$$);
SELECT rd_try($$SELECT arcollect.open_dispute(NULL, 'pricing')$$);
SELECT rd_try($$SELECT arcollect.open_dispute('RDI-1', 'pricing')$$);
SELECT rd_try($$SELECT arcollect.open_dispute('RDI-1', 'pricing', billing_table => 'rd_try_not_a_table')$$);
SELECT rd_try($$SELECT arcollect.open_dispute('RDI-1', 'pricing', billing_table => 'arcollect.attachment')$$);
SELECT rd_try($$SELECT arcollect.open_dispute('RDI-3', 'pricing', 0)$$);
SELECT rd_try($$SELECT arcollect.open_dispute('RDI-3', 'pricing', -5)$$);
SELECT rd_try($$SELECT arcollect.open_dispute('RDI-3', 'pricing', 200.01)$$);
SELECT rd_try($$SELECT arcollect.open_dispute('RDI-2', 'pricing')$$);
SELECT rd_try($$SELECT arcollect.open_dispute('RDI-2', 'pricing', 1)$$);
SELECT rd_try($$SELECT arcollect.open_dispute('RDI-3', 'pricing', opened_on => NULL)$$);
SELECT count(*) AS disputes_after_refusals FROM arcollect.dispute WHERE customer_id LIKE 'rd%';

-- A partial dispute of RDI-3 (50.00 of 200.00), then one without an
-- amount: it disputes the 150.00 left.  A third finds nothing left.
SELECT arcollect.open_dispute('RDI-3', 'quality', 50, note => 'two units broken', owner => 'maria',
                              opened_on => '2025-04-01') AS d1 \gset
SELECT arcollect.open_dispute('RDI-3', 'damaged_in_transit', opened_on => '2025-04-02') AS d2 \gset
SELECT rd_try($$SELECT arcollect.open_dispute('RDI-3', 'other', 0.01)$$);
-- The key in two billing tables, named by its table.
SELECT arcollect.open_dispute('RDI-1', 'tax', 190, billing_table => 'rd_bill_a', opened_on => '2025-04-03') AS d3 \gset
SELECT arcollect.open_dispute('RDI-1', 'missing_po', billing_table => 'rd_bill_b', opened_on => '2025-04-03') AS d4 \gset
SELECT dispute_id - :d1 AS n, billing_table, invoice_key, customer_id, currency, reason_code, disputed_amount,
       open_amount, due_on, status, owner, opened_on, closed_on, note,
       created_by = current_user AS by_me, days_open = current_date - opened_on AS days_open_to_today
  FROM arcollect.disputes WHERE dispute_id >= :d1 ORDER BY dispute_id;
-- What escalation leaves out, per invoice.
SELECT billing_table, invoice_key, customer_id, currency, disputed_amount, open_disputes
  FROM arcollect.invoice_disputed_amount WHERE customer_id LIKE 'rd%' ORDER BY billing_table, invoice_key;

-- The life cycle: open -> resolved | rejected | credited, each final.
-- close_dispute refuses an unknown dispute, a status that does not close
-- one, a date before the opening, and any change of a closed dispute.
SELECT rd_try(format($$SELECT arcollect.close_dispute(%s, 'open')$$, :d1));
SELECT rd_try(format($$SELECT arcollect.close_dispute(%s, 'settled')$$, :d1));
SELECT rd_try(format($$SELECT arcollect.close_dispute(%s, NULL)$$, :d1));
SELECT rd_try($$SELECT arcollect.close_dispute(-1, 'resolved')$$);
SELECT rd_try(format($$SELECT arcollect.close_dispute(%s, 'resolved', closed_on => '2025-03-31')$$, :d1));
SELECT rd_try(format($$SELECT arcollect.close_dispute(%s, 'resolved', closed_on => NULL)$$, :d1));
SELECT arcollect.close_dispute(:d1, 'credited', 'credit note CN-7 for the two units', '2025-04-10');
SELECT arcollect.close_dispute(:d2, 'rejected', closed_on => '2025-04-02');
SELECT arcollect.close_dispute(:d3, 'resolved', 'customer accepted the rate', '2025-04-20');
SELECT arcollect.close_dispute(:d4, 'rejected', 'PO number sent', '2025-04-03');
SELECT rd_try(format($$SELECT arcollect.close_dispute(%s, %L)$$, d, s)) AS refused
  FROM unnest(ARRAY[:d1, :d2, :d3]) d CROSS JOIN unnest(ARRAY['resolved', 'rejected', 'credited']) s
 ORDER BY d, s;
SELECT rd_try(format($$UPDATE arcollect.dispute SET status = 'open', closed_on = NULL, closed_by = NULL,
                       closed_at = NULL WHERE dispute_id = %s$$, :d3)) AS reopen;
SELECT dispute_id - :d1 AS n, invoice_key, reason_code, disputed_amount, status, opened_on, closed_on,
       CASE WHEN status <> 'open' THEN days_open END AS days_open, note, closed_by = current_user AS closed_by_me
  FROM arcollect.disputes WHERE dispute_id >= :d1 ORDER BY dispute_id;
-- Closed disputes leave the escalation view; RDI-3's amount is free again
-- (what was disputed, not the invoice, decides the end: the invoice can
-- still be disputed again).
SELECT billing_table, invoice_key, disputed_amount, open_disputes
  FROM arcollect.invoice_disputed_amount WHERE customer_id LIKE 'rd%' ORDER BY billing_table, invoice_key;
SELECT arcollect.open_dispute('RDI-3', 'pricing', 200, opened_on => '2025-04-11') - :d1 AS n;

-- A payment does not close or shrink a dispute: the disputed amount may
-- then be more than what is open (escalation takes the smaller).
UPDATE rd_bill_a SET paid = 950.00, paid_on = '2025-04-15' WHERE id = 'RDI-1';
SELECT arcollect.open_dispute('RDI-1', 'pricing', 50, billing_table => 'rd_bill_a', opened_on => '2025-04-16') - :d1 AS n;
SELECT rd_try($$SELECT arcollect.open_dispute('RDI-1', 'pricing', billing_table => 'rd_bill_a')$$);
UPDATE rd_bill_a SET paid = 990.00 WHERE id = 'RDI-1';
SELECT d.invoice_key, d.disputed_amount, d.open_amount
  FROM arcollect.disputes d WHERE d.status = 'open' AND d.customer_id LIKE 'rd%' ORDER BY d.dispute_id;

-- A plain INSERT is held to the same rules: the invoice must be one, its
-- customer and currency are filled (or must be the invoice's), the amount
-- is checked, a dispute starts open, the reason must exist (the foreign
-- key).
SELECT attachment_id AS att_a FROM arcollect.attachment WHERE billing_table = 'rd_bill_a'::regclass \gset
SELECT rd_try(format($$INSERT INTO arcollect.dispute (attachment_id, invoice_key, reason_code, disputed_amount)
                       VALUES (%s, 'RDI-1', 'pricing', 1)$$, :att_a)) AS open_amount_all_disputed;
SELECT rd_try(format($$INSERT INTO arcollect.dispute (attachment_id, invoice_key, reason_code, disputed_amount)
                       VALUES (%s, 'NOPE', 'pricing', 1)$$, :att_a)) AS unknown_key;
SELECT rd_try($$INSERT INTO arcollect.dispute (attachment_id, invoice_key, reason_code, disputed_amount)
                VALUES (-1, 'RDI-1', 'pricing', 1)$$) AS unknown_attachment;
SELECT arcollect.close_dispute(dispute_id, 'rejected', closed_on => '2025-04-16')
  FROM arcollect.dispute WHERE invoice_key = 'RDI-1' AND attachment_id = :att_a AND status = 'open';
SELECT rd_try(format($$INSERT INTO arcollect.dispute (attachment_id, invoice_key, customer_id, reason_code, disputed_amount)
                       VALUES (%s, 'RDI-1', 'rd2', 'pricing', 1)$$, :att_a)) AS other_customer;
SELECT rd_try(format($$INSERT INTO arcollect.dispute (attachment_id, invoice_key, currency, reason_code, disputed_amount)
                       VALUES (%s, 'RDI-1', 'USD', 'pricing', 1)$$, :att_a)) AS other_currency;
SELECT rd_try(format($$INSERT INTO arcollect.dispute (attachment_id, invoice_key, reason_code, disputed_amount)
                       VALUES (%s, 'RDI-1', 'pricing', 10.01)$$, :att_a)) AS too_much;
SELECT rd_try(format($$INSERT INTO arcollect.dispute (attachment_id, invoice_key, reason_code, disputed_amount)
                       VALUES (%s, 'RDI-1', 'pricing', -1)$$, :att_a)) AS negative;
SELECT rd_try(format($$INSERT INTO arcollect.dispute (attachment_id, invoice_key, reason_code, status, closed_on,
                                                      closed_by, closed_at)
                       VALUES (%s, 'RDI-1', 'pricing', 'resolved', current_date, current_user, now())$$, :att_a)) AS born_closed;
SELECT rd_try(format($$INSERT INTO arcollect.dispute (attachment_id, invoice_key, reason_code)
                       VALUES (%s, 'RDI-1', 'no_such_reason')$$, :att_a)) AS unknown_reason;
INSERT INTO arcollect.dispute (attachment_id, invoice_key, reason_code, created_by)
VALUES (:att_a, 'RDI-1', 'terms', 'somebody_else')
RETURNING dispute_id - :d1 AS n, customer_id, currency, disputed_amount, status, created_by = current_user AS by_me;

-- A plain UPDATE: raising an open dispute's amount is checked again,
-- lowering it is not; its invoice cannot change; a plain close records
-- who and when.
SELECT max(dispute_id) AS d9 FROM arcollect.dispute \gset
SELECT rd_try(format($$UPDATE arcollect.dispute SET disputed_amount = 10.01 WHERE dispute_id = %s$$, :d9)) AS raise;
SELECT rd_try(format($$UPDATE arcollect.dispute SET disputed_amount = 4 WHERE dispute_id = %s$$, :d9)) AS lower;
SELECT rd_try(format($$UPDATE arcollect.dispute SET disputed_amount = 0 WHERE dispute_id = %s$$, :d9)) AS zero;
SELECT rd_try(format($$UPDATE arcollect.dispute SET invoice_key = 'RDI-3' WHERE dispute_id = %s$$, :d9)) AS other_invoice;
SELECT rd_try(format($$UPDATE arcollect.dispute SET created_by = 'x' WHERE dispute_id = %s$$, :d9)) AS other_creator;
SELECT rd_try(format($$UPDATE arcollect.dispute SET closed_on = '2025-05-01' WHERE dispute_id = %s$$, :d9)) AS closed_while_open;
UPDATE arcollect.dispute SET status = 'resolved' WHERE dispute_id = :d9
RETURNING disputed_amount, status, closed_on = current_date AS today, closed_by = current_user AS by_me, closed_at = now() AS now;

-- Past disputes (created before this transaction: a restore, an import)
-- are held to the table's constraints only.
INSERT INTO arcollect.dispute (attachment_id, invoice_key, customer_id, currency, reason_code, disputed_amount,
                               status, opened_on, closed_on, created_by, created_at, closed_by, closed_at)
VALUES (:att_a, 'RDI-2', 'rd1', 'EUR', 'pricing', 500, 'resolved', '2025-03-05', '2025-03-15',
        'old_system', '2025-03-05 10:00+00', 'old_system', '2025-03-15 10:00+00')
RETURNING dispute_id - :d1 AS n, status, created_by;
SELECT rd_try(format($$INSERT INTO arcollect.dispute (attachment_id, invoice_key, customer_id, currency, reason_code,
                                                      disputed_amount, opened_on, closed_on, status, closed_by, closed_at, created_at)
                       VALUES (%s, 'RDI-2', 'rd1', 'EUR', 'pricing', 5, '2025-03-05', '2025-03-01', 'resolved', 'x', now(),
                               '2025-03-05')$$, :att_a)) AS closed_before_opened;

-- A collector (not a superuser) with the grants of doc/ledger.md opens,
-- reads and closes disputes; PUBLIC has nothing on the tables.
SELECT c.relname,
       NOT EXISTS (SELECT FROM aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) g
                    WHERE g.grantee = 0) AS public_has_nothing
  FROM pg_class c
 WHERE c.relnamespace = 'arcollect'::regnamespace
   AND c.relname IN ('dispute_reason', 'dispute', 'dispute_dispute_id_seq', 'disputes', 'invoice_disputed_amount')
 ORDER BY c.relname;
CREATE ROLE bi_reader NOLOGIN;
CREATE ROLE collector NOLOGIN;
CREATE ROLE ar_admin NOLOGIN;
-- (not echoed: the grants change as objects are added; the test shows
-- what they allow)
\set ECHO none
\i doc/ledger_roles.sql
\set ECHO all
SET ROLE collector;
SELECT arcollect.open_dispute('RDI-1', 'quantity', 1, billing_table => 'rd_bill_b', opened_on => '2025-05-01') AS d10 \gset
SELECT rd_try($$SELECT arcollect.open_dispute('RDI-1', 'quantity', 1)$$);
SELECT arcollect.close_dispute(:d10, 'resolved', 'sorted out by phone', '2025-05-02');
SELECT rd_try(format($$SELECT arcollect.close_dispute(%s, 'credited')$$, :d10));
SELECT invoice_key, reason_code, disputed_amount, status, created_by, closed_by, note
  FROM arcollect.disputes WHERE dispute_id = :d10;
SELECT rd_try($$INSERT INTO arcollect.dispute_reason VALUES ('rude_collector', 'x')$$) AS collector_adds_reason;
SELECT rd_try($$DELETE FROM arcollect.dispute$$) AS collector_deletes;
-- The restore path is the table owner's: a collector who gives a past
-- created_at gets now() and every rule (a dispute starts open, at most
-- the open amount).
SELECT rd_try(format($$INSERT INTO arcollect.dispute (attachment_id, invoice_key, reason_code, status, opened_on, closed_on,
                                                      closed_by, closed_at, created_at)
                       VALUES (%s, 'RDI-1', 'pricing', 'resolved', '2025-01-01', '2025-01-02', 'x', now(),
                               '2025-01-01')$$, :att_a)) AS collector_imports_closed;
SELECT rd_try(format($$INSERT INTO arcollect.dispute (attachment_id, invoice_key, reason_code, disputed_amount, created_at)
                       VALUES (%s, 'RDI-1', 'pricing', 100000, '2025-01-01')$$, :att_a)) AS collector_imports_too_much;
INSERT INTO arcollect.dispute (attachment_id, invoice_key, reason_code, disputed_amount, opened_on, created_at)
VALUES (:att_a, 'RDI-1', 'pricing', 0.01, '2025-05-01', '2025-01-01')
RETURNING invoice_key, disputed_amount, created_at = now() AS created_now, created_by;
RESET ROLE;
SET ROLE bi_reader;
SELECT count(*) > 0 AS bi_reads FROM arcollect.disputes;
SELECT rd_try($$SELECT arcollect.open_dispute('RDI-3', 'quantity', 1)$$) AS bi_opens;
RESET ROLE;
SET ROLE ar_admin;
SELECT rd_try($$INSERT INTO arcollect.dispute_reason VALUES ('rude_collector', 'The customer complains about the collector.')$$) AS admin_adds_reason;
RESET ROLE;
DROP OWNED BY bi_reader, collector, ar_admin;
DROP ROLE bi_reader, collector, ar_admin;

DELETE FROM arcollect.dispute WHERE customer_id LIKE 'rd%';
DELETE FROM arcollect.dispute_reason WHERE reason_code IN ('damaged_in_transit', 'rude_collector');
SELECT arcollect.detach('rd_bill_a'), arcollect.detach('rd_bill_b');
DROP TABLE rd_bill_a, rd_bill_b;
DROP FUNCTION rd_try(text);
