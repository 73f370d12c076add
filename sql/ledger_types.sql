-- Column types: the fast path in C and the SQL statements read every
-- column the same way; a type defined in the database is read by its
-- output function, never by a cast its owner wrote; a mapped column whose
-- type changes after attach stops the booking with a warning instead of
-- a wrong reading; a deferrable key is refused.
\set VERBOSITY terse

-- A type with casts that must never run: arcollect writes the ledger with
-- its own rights.
CREATE TYPE shady AS (v text);
CREATE FUNCTION shady_text(shady) RETURNS text LANGUAGE plpgsql
    AS $$BEGIN RAISE EXCEPTION 'the cast of shady to text ran'; END$$;
CREATE FUNCTION shady_json(shady) RETURNS json LANGUAGE plpgsql
    AS $$BEGIN RAISE EXCEPTION 'the cast of shady to json ran'; END$$;
CREATE CAST (shady AS text) WITH FUNCTION shady_text(shady);
CREATE CAST (shady AS json) WITH FUNCTION shady_json(shady);
CREATE TYPE doc_state AS ENUM ('open', 'void');

CREATE TABLE typed_invoice (
    id      bigint PRIMARY KEY,
    cust    shady NOT NULL,
    amt     numeric(12,2),
    iss     date,
    due     date,
    state   doc_state,
    settled boolean NOT NULL DEFAULT false,
    note    shady
);
SELECT arcollect.attach('typed_invoice', key => 'id', customer => 'cust', amount => 'amt',
                        due_on => 'due', issued_on => 'iss', status => 'state',
                        default_currency => 'EUR');
-- one row through the fast path, one unusable (quarantined with its
-- mapped columns only: not note, nor settled), and an enum status that
-- voids
INSERT INTO typed_invoice VALUES (1, ROW('acme'), 100, '2025-01-01', '2025-01-31', 'open', false, ROW('n1')),
                                 (2, ROW('acme'), 50, '2025-01-01', NULL, 'open', false, ROW('n2'));
UPDATE typed_invoice SET state = 'void' WHERE id = 1;
SELECT invoice_key, customer_id, status, coalesce(oa.open_amount, 0) AS open_amount FROM arcollect.invoice i
  LEFT JOIN arcollect._open_amount oa USING (attachment_id, invoice_key) JOIN arcollect.attachment a USING (attachment_id)
 WHERE a.billing_table = 'typed_invoice'::regclass ORDER BY invoice_key;
SELECT invoice_key, reason, row_data FROM arcollect.quarantined_rows
 WHERE table_name = 'typed_invoice';
SELECT * FROM arcollect.reconcile('typed_invoice');

-- A boolean status: its cast to text says "true" where its output says
-- "t"; the fast path leaves such a table to the SQL statements, so both
-- agree.
SELECT arcollect.attach('typed_invoice', key => 'id', customer => 'cust', amount => 'amt',
                        due_on => 'due', issued_on => 'iss', status => 'settled',
                        default_currency => 'EUR', void_statuses => '{true}');
INSERT INTO typed_invoice VALUES (3, ROW('acme'), 30, '2025-01-01', '2025-01-31', 'open', true, NULL),
                                 (4, ROW('acme'), 40, '2025-01-01', '2025-01-31', 'open', false, NULL);
SELECT invoice_key, status, coalesce(oa.open_amount, 0) AS open_amount FROM arcollect.invoice i
  LEFT JOIN arcollect._open_amount oa USING (attachment_id, invoice_key) JOIN arcollect.attachment a USING (attachment_id)
 WHERE a.billing_table = 'typed_invoice'::regclass AND invoice_key IN ('3', '4') ORDER BY invoice_key;
SELECT * FROM arcollect.reconcile('typed_invoice');

-- A new customer's owner is the least of its rows' owners, on both paths.
CREATE TABLE owned_invoice (id int PRIMARY KEY, cust text NOT NULL, amt numeric, iss date, due date, rep text);
SELECT arcollect.attach('owned_invoice', key => 'id', customer => 'cust', amount => 'amt',
                        due_on => 'due', issued_on => 'iss', owner => 'rep', default_currency => 'EUR');
INSERT INTO owned_invoice VALUES (1, 'owned-1', 10, '2025-01-01', '2025-01-31', NULL),
                                 (2, 'owned-1', 10, '2025-01-01', '2025-01-31', 'zed'),
                                 (3, 'owned-1', 10, '2025-01-01', '2025-01-31', 'amy');
SELECT customer_id, owner FROM arcollect.customer WHERE customer_id = 'owned-1';

-- The ledger's own indexes rebuilt under a session that has the table
-- cached: the next write finds the new ones.
REINDEX INDEX CONCURRENTLY arcollect.invoice_pkey;
INSERT INTO owned_invoice VALUES (4, 'owned-2', 10, '2025-01-01', '2025-01-31', 'bob');
SELECT * FROM arcollect.reconcile('owned_invoice');

-- A mapped column changed to a type it may not have: the change and the
-- writes go through, the ledger is left alone with a warning (at the DDL
-- and at every write), and attaching again with a good mapping catches up.
ALTER TABLE owned_invoice ALTER amt TYPE float8;
INSERT INTO owned_invoice VALUES (5, 'owned-2', 2.5, '2025-01-01', '2025-01-31', 'bob');
SELECT count(*) AS billing_rows FROM owned_invoice;
ALTER TABLE owned_invoice ALTER amt TYPE numeric;
SELECT arcollect.attach('owned_invoice', key => 'id', customer => 'cust', amount => 'amt',
                        due_on => 'due', issued_on => 'iss', owner => 'rep', default_currency => 'EUR');
SELECT * FROM arcollect.reconcile('owned_invoice');

-- A deferrable unique key does not identify a row at statement end.
CREATE TABLE deferred_invoice (id int NOT NULL, cust text NOT NULL, amt numeric, iss date, due date,
                               UNIQUE (id) DEFERRABLE);
SELECT arcollect.attach('deferred_invoice', key => 'id', customer => 'cust', amount => 'amt',
                        due_on => 'due', issued_on => 'iss', default_currency => 'EUR');
