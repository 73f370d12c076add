-- DDL on attached tables ends with a ledger that ties out, or is refused
-- with an SQLSTATE and a hint: partitions and inheritance children that
-- come and go (also by DROP), attached tables that would become part of
-- another table, temporary and unlogged tables, and strict attachments
-- whose rows or mapping a DDL would make unusable.  A renamed mapped
-- column is followed.
SET client_min_messages = warning;
\set SHOW_CONTEXT never

CREATE TABLE ddl_invoice (
    id      integer NOT NULL PRIMARY KEY,
    cust    text NOT NULL,
    amt     numeric(12,2),
    iss     date,
    due     date
) PARTITION BY RANGE (id);
CREATE TABLE ddl_invoice_1 PARTITION OF ddl_invoice FOR VALUES FROM (0) TO (100);
CREATE TABLE ddl_invoice_2 PARTITION OF ddl_invoice FOR VALUES FROM (100) TO (200);
CREATE TABLE ddl_invoice_3 PARTITION OF ddl_invoice FOR VALUES FROM (200) TO (300)
    PARTITION BY RANGE (id);
CREATE TABLE ddl_invoice_3a PARTITION OF ddl_invoice_3 FOR VALUES FROM (200) TO (250);
SELECT arcollect.attach('ddl_invoice', key => 'id', customer => 'cust', amount => 'amt',
                        due_on => 'due', issued_on => 'iss', default_currency => 'EUR');
-- 20 EUR in each partition
INSERT INTO ddl_invoice VALUES (1, 'a', 20, '2025-01-01', '2025-01-31'),
                               (101, 'b', 20, '2025-01-01', '2025-01-31'),
                               (201, 'c', 20, '2025-01-01', '2025-01-31');
CREATE TEMP VIEW ddl_open AS
SELECT i.invoice_key, coalesce(oa.open_amount, 0) AS open_amount, i.in_billing
  FROM arcollect.invoice i LEFT JOIN arcollect._open_amount oa USING (attachment_id, invoice_key) JOIN arcollect.attachment a USING (attachment_id)
 WHERE a.billing_table = 'ddl_invoice'::regclass;

-- Dropping a partition that holds an invoice voids it: the rows went
-- without a DELETE, and the ledger follows what is left in the table.
DROP TABLE ddl_invoice_1;
SELECT * FROM ddl_open ORDER BY invoice_key::int;
SELECT * FROM arcollect.reconcile('ddl_invoice');
-- So does dropping a whole subtree (a sub-partitioned partition), and
-- detaching a partition and dropping it afterwards.
DROP TABLE ddl_invoice_3;
ALTER TABLE ddl_invoice DETACH PARTITION ddl_invoice_2;
DROP TABLE ddl_invoice_2;
SELECT * FROM ddl_open ORDER BY invoice_key::int;
SELECT * FROM arcollect.reconcile('ddl_invoice');

-- An attached table cannot become a partition of another table, attached
-- or not: writes through that table would not be booked in its ledger, or
-- would be booked in both (55000).
CREATE TABLE ddl_other (id integer NOT NULL PRIMARY KEY, cust text NOT NULL, amt numeric(12,2),
                        iss date, due date);
SELECT arcollect.attach('ddl_other', key => 'id', customer => 'cust', amount => 'amt',
                        due_on => 'due', issued_on => 'iss', default_currency => 'EUR');
INSERT INTO ddl_other VALUES (301, 'd', 5, '2025-01-01', '2025-01-31');
\set VERBOSITY default
ALTER TABLE ddl_invoice ATTACH PARTITION ddl_other FOR VALUES FROM (300) TO (400);
\set VERBOSITY terse
\echo SQLSTATE :LAST_ERROR_SQLSTATE
CREATE TABLE ddl_unattached (id integer NOT NULL PRIMARY KEY, cust text NOT NULL, amt numeric(12,2),
                             iss date, due date) PARTITION BY RANGE (id);
ALTER TABLE ddl_unattached ATTACH PARTITION ddl_other FOR VALUES FROM (300) TO (400);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
CREATE TABLE ddl_parent (id integer, cust text, amt numeric(12,2), iss date, due date);
ALTER TABLE ddl_other INHERIT ddl_parent;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- Detached first, it can: its rows are booked by the partitioned table,
-- while its old attachment keeps its history.
SELECT arcollect.detach('ddl_other');
ALTER TABLE ddl_invoice ATTACH PARTITION ddl_other FOR VALUES FROM (300) TO (400);
SELECT * FROM ddl_open ORDER BY invoice_key::int;
SELECT * FROM arcollect.reconcile('ddl_invoice');

-- Temporary and unlogged tables: refused at attach and at the DDL that
-- would put them into an attached table.
CREATE TEMP TABLE ddl_temp (id integer PRIMARY KEY, cust text NOT NULL, amt numeric(12,2),
                            iss date, due date);
\set VERBOSITY default
SELECT arcollect.attach('ddl_temp', key => 'id', customer => 'cust', amount => 'amt',
                        due_on => 'due', issued_on => 'iss', default_currency => 'EUR');
\set VERBOSITY terse
\echo SQLSTATE :LAST_ERROR_SQLSTATE
CREATE UNLOGGED TABLE ddl_unlogged (id integer PRIMARY KEY, cust text NOT NULL, amt numeric(12,2),
                                    iss date, due date);
\set VERBOSITY default
SELECT arcollect.attach('ddl_unlogged', key => 'id', customer => 'cust', amount => 'amt',
                        due_on => 'due', issued_on => 'iss', default_currency => 'EUR');
\set VERBOSITY terse
\echo SQLSTATE :LAST_ERROR_SQLSTATE
ALTER TABLE ddl_invoice ATTACH PARTITION ddl_unlogged FOR VALUES FROM (400) TO (500);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
CREATE UNLOGGED TABLE ddl_invoice_5 PARTITION OF ddl_invoice FOR VALUES FROM (500) TO (600);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
\set VERBOSITY default
ALTER TABLE ddl_other SET UNLOGGED;
\set VERBOSITY terse
\echo SQLSTATE :LAST_ERROR_SQLSTATE
CREATE TABLE ddl_plain (id integer PRIMARY KEY, cust text NOT NULL, amt numeric(12,2), iss date, due date);
SELECT arcollect.attach('ddl_plain', key => 'id', customer => 'cust', amount => 'amt',
                        due_on => 'due', issued_on => 'iss', default_currency => 'EUR');
ALTER TABLE ddl_plain SET UNLOGGED;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
CREATE TEMP TABLE ddl_plain_temp_child () INHERITS (ddl_plain);
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- Strict mode: a partition that would bring an unusable row is refused
-- at the DDL (23514), as attaching the table would be; a good one is
-- booked.
SELECT arcollect.attach('ddl_invoice', key => 'id', customer => 'cust', amount => 'amt',
                        due_on => 'due', issued_on => 'iss', default_currency => 'EUR', strict => true);
CREATE TABLE ddl_invoice_6 (LIKE ddl_invoice);
INSERT INTO ddl_invoice_6 VALUES (601, 'e', 7, '2025-01-01', '2024-12-31');
\set VERBOSITY default
ALTER TABLE ddl_invoice ATTACH PARTITION ddl_invoice_6 FOR VALUES FROM (600) TO (700);
\set VERBOSITY terse
\echo SQLSTATE :LAST_ERROR_SQLSTATE
UPDATE ddl_invoice_6 SET due = '2025-01-31';
ALTER TABLE ddl_invoice ATTACH PARTITION ddl_invoice_6 FOR VALUES FROM (600) TO (700);
SELECT * FROM ddl_open WHERE invoice_key = '601';
-- Inheritance children are booked as partitions are; not strict, their
-- unusable rows go to quarantine, and leave with the child.  (A child may
-- repeat its parent's keys: see ledger_keys.)
CREATE TABLE ddl_plain_child () INHERITS (ddl_plain);
INSERT INTO ddl_plain_child VALUES (1, 'f', 7, '2025-01-01', '2024-12-31');
SELECT invoice_key, reason FROM arcollect.quarantined_rows WHERE table_name = 'ddl_plain';
SELECT tgrelid::regclass AS table_name, count(*) AS triggers FROM pg_trigger
 WHERE tgfoid = 'arcollect.ledger_trigger()'::regprocedure AND tgrelid::regclass::text LIKE 'ddl\_plain%'
 GROUP BY 1 ORDER BY tgrelid::regclass::text;
SELECT * FROM arcollect.reconcile('ddl_plain');
ALTER TABLE ddl_plain_child NO INHERIT ddl_plain;
SELECT tgrelid::regclass AS table_name, count(*) AS triggers FROM pg_trigger
 WHERE tgfoid = 'arcollect.ledger_trigger()'::regprocedure AND tgrelid::regclass::text LIKE 'ddl\_plain%'
 GROUP BY 1 ORDER BY tgrelid::regclass::text;
SELECT invoice_key, reason FROM arcollect.quarantined_rows WHERE table_name = 'ddl_plain';
CREATE TABLE ddl_plain_child2 (LIKE ddl_plain);
INSERT INTO ddl_plain_child2 VALUES (2, 'g', 7, '2025-01-01', '2024-12-31');
ALTER TABLE ddl_plain_child2 INHERIT ddl_plain;
SELECT invoice_key, reason FROM arcollect.quarantined_rows WHERE table_name = 'ddl_plain';
SELECT * FROM arcollect.reconcile('ddl_plain');

-- A renamed mapped column is followed, strict or not: the mapping takes
-- the new name and writes are booked.
ALTER TABLE ddl_invoice RENAME COLUMN amt TO amount;
SELECT amount_column FROM arcollect.attachment WHERE billing_table = 'ddl_invoice'::regclass;
INSERT INTO ddl_invoice VALUES (602, 'e', 8, '2025-01-01', '2025-01-31');
SELECT * FROM arcollect.reconcile('ddl_invoice');
ALTER TABLE ddl_plain RENAME cust TO customer;
INSERT INTO ddl_plain VALUES (3, 'h', 9, '2025-01-01', '2025-01-31');
SELECT customer_column FROM arcollect.attachment WHERE billing_table = 'ddl_plain'::regclass;
SELECT * FROM arcollect.reconcile('ddl_plain');

-- Dropping or retyping a mapped column of a strict table is refused
-- (2BP01): the ledger could no longer book every write.  Non-strict, the
-- DDL warns, and so does every write until the table is attached again.
\set VERBOSITY default
ALTER TABLE ddl_invoice DROP COLUMN due;
\set VERBOSITY terse
\echo SQLSTATE :LAST_ERROR_SQLSTATE
ALTER TABLE ddl_invoice ALTER amount TYPE text;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
ALTER TABLE ddl_invoice ALTER amount TYPE numeric(14,2);
INSERT INTO ddl_invoice VALUES (603, 'e', 8, '2025-01-01', '2025-01-31');
SELECT * FROM arcollect.reconcile('ddl_invoice');
ALTER TABLE ddl_plain DROP COLUMN due;
INSERT INTO ddl_plain VALUES (4, 'h', 9, '2025-01-01');
SELECT count(*) AS billing_rows FROM ddl_plain;

-- DDL the event triggers do not see (they do not fire while
-- session_replication_role is replica): a strict table then refuses the
-- writes it cannot book (55000), where another warns.
SET session_replication_role = replica;
ALTER TABLE ddl_invoice DROP COLUMN due;
RESET session_replication_role;
INSERT INTO ddl_invoice VALUES (604, 'e', 8, '2025-01-01');
\echo SQLSTATE :LAST_ERROR_SQLSTATE

DROP VIEW ddl_open;
