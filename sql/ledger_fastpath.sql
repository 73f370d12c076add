-- The C fast path (INSERT and COPY of new invoices) books what the SQL
-- statement books, and writes the ledger tables only when it can write
-- them as an INSERT would: a ledger column it does not fill must take
-- NULL (no NOT NULL, no default, no CHECK), and the tables must be heap
-- tables; otherwise every row goes to the SQL statement.  The setting
-- arcollect.ledger_fast_path switches it off.  Also the parts of the fast
-- path that only unusual rows reach: a void invoice (its void entry), a
-- non-ASCII currency (left to the SQL statement, which quarantines it),
-- and a key the ledger holds although the billing table does not (the
-- invoice and its entries are taken back and the SQL statement books the
-- key).
\set VERBOSITY terse
SET client_min_messages = warning;

CREATE TABLE fp_inv (
    id      integer PRIMARY KEY,
    cust    text NOT NULL,
    amt     numeric(12,2),
    iss     date,
    due     date,
    paid    numeric(12,2),
    cur     text,
    status  text
);
SELECT arcollect.attach('fp_inv', key => 'id', customer => 'cust', amount => 'amt', due_on => 'due',
                        issued_on => 'iss', paid => 'paid', currency => 'cur', status => 'status');

CREATE VIEW fp_ledger AS
SELECT i.invoice_key AS id, i.amount, i.paid, i.void_amount, i.status, i.in_billing
  FROM arcollect.invoice i JOIN arcollect.attachment a USING (attachment_id)
 WHERE a.billing_table = 'fp_inv'::regclass;
-- (effective_on is today for a void, the issue date for a payment dated
-- before it: shown as a difference from today or as the date)
CREATE VIEW fp_entries AS
SELECT e.invoice_key AS id, e.kind, e.amount,
       CASE WHEN e.effective_on = current_date THEN 'today' ELSE e.effective_on::text END AS effective
  FROM arcollect.entry e JOIN arcollect.attachment a USING (attachment_id)
 WHERE a.billing_table = 'fp_inv'::regclass;

-- 1. A void invoice that arrives paid in part: booked at 100, a payment
-- of -30 and a void of paid - amount = 30 - 100 = -70, both on the day
-- they are seen (paid_on is not mapped; today is after the issue date).
-- Status matching folds ASCII letters: 'VOID' is void.
INSERT INTO fp_inv VALUES (1, 'c1', 100, '2025-01-01', '2025-01-31', 30, 'EUR', 'VOID');
SELECT * FROM fp_ledger ORDER BY id;
SELECT * FROM fp_entries ORDER BY id, kind;

-- 2. A ledger out of step: invoice 1 deleted from the billing table with
-- the triggers off (replication), then inserted again, paid and void.
-- The ledger still holds key 1 as in the billing table, so the fast path
-- skips the lookup, finds the key at the primary key's check, and takes
-- the invoice and its two entries back; the SQL statement then books the
-- change: amount 100 -> 200 (an adjustment of +100 on the issue date),
-- paid 30 -> 50 (a payment of -20), void 200 - 50 = 150 (void_amount
-- -150, a void entry of -150 + 70 = -80).
SET session_replication_role = replica;
DELETE FROM fp_inv WHERE id = 1;
RESET session_replication_role;
INSERT INTO fp_inv VALUES (1, 'c1', 200, '2025-01-01', '2025-01-31', 50, 'EUR', 'void');
SELECT * FROM fp_ledger WHERE id = '1';
SELECT * FROM fp_entries WHERE id = '1' ORDER BY kind, amount;
SELECT * FROM arcollect.reconcile('fp_inv');

-- 3. A currency code of three bytes, one not ASCII ('ÉU'): the fast
-- path leaves the row to the SQL statement, which quarantines it
-- (unknown_currency); the row beside it is booked.
INSERT INTO fp_inv VALUES (2, 'c1', 10, '2025-01-01', '2025-01-31', 0, 'ÉU', NULL),
                          (3, 'c1', 10, '2025-01-01', '2025-01-31', 0, 'eur', NULL);
SELECT invoice_key, reason FROM arcollect.quarantine q JOIN arcollect.attachment a USING (attachment_id)
 WHERE a.billing_table = 'fp_inv'::regclass ORDER BY invoice_key;
SELECT * FROM fp_ledger ORDER BY id;

-- 4. A ledger column the fast path does not fill, NOT NULL DEFAULT 0 (as
-- an upgrade script could add one): the new invoice gets the default,
-- because the fast path leaves such a table to the SQL statement (and
-- says so in the server log, once per backend and table).
ALTER TABLE arcollect.invoice ADD COLUMN fp_extra integer NOT NULL DEFAULT 0;
SET client_min_messages = log;
INSERT INTO fp_inv VALUES (4, 'c1', 10, '2025-01-01', '2025-01-31', 0, 'EUR', NULL);
SET client_min_messages = warning;
SELECT invoice_key, fp_extra FROM arcollect.invoice i JOIN arcollect.attachment a USING (attachment_id)
 WHERE a.billing_table = 'fp_inv'::regclass AND invoice_key = '4';
ALTER TABLE arcollect.invoice DROP COLUMN fp_extra;
-- A CHECK constraint the fast path does not know, even on a column it
-- fills: it would not evaluate it, so it leaves the table to the SQL
-- statement, which does (and refuses the second row, as an INSERT of the
-- ledger row would).  NOT VALID: the rows of the tests before stay.
ALTER TABLE arcollect.invoice ADD CONSTRAINT fp_small CHECK (amount < 1000) NOT VALID;
SET client_min_messages = log;
INSERT INTO fp_inv VALUES (40, 'c1', 10, '2025-01-01', '2025-01-31', 0, 'EUR', NULL);
SET client_min_messages = warning;
INSERT INTO fp_inv VALUES (41, 'c1', 5000, '2025-01-01', '2025-01-31', 0, 'EUR', NULL);
ALTER TABLE arcollect.invoice DROP CONSTRAINT fp_small;
SELECT invoice_key, amount FROM arcollect.invoice i JOIN arcollect.attachment a USING (attachment_id)
 WHERE a.billing_table = 'fp_inv'::regclass AND invoice_key IN ('40', '41');
-- a column that may be NULL, without default or CHECK, keeps the fast
-- path: it stays NULL
ALTER TABLE arcollect.invoice ADD COLUMN fp_note text;
SET client_min_messages = log;
INSERT INTO fp_inv VALUES (5, 'c1', 10, '2025-01-01', '2025-01-31', 0, 'EUR', NULL);
SET client_min_messages = warning;
SELECT invoice_key, fp_note FROM arcollect.invoice i JOIN arcollect.attachment a USING (attachment_id)
 WHERE a.billing_table = 'fp_inv'::regclass AND invoice_key = '5';
ALTER TABLE arcollect.invoice DROP COLUMN fp_note;

-- 5. A ledger table of another table access method (one with heap's
-- handler: the fast path cannot tell, and does not guess): the SQL
-- statement books the write.
CREATE ACCESS METHOD fp_heap2 TYPE TABLE HANDLER heap_tableam_handler;
ALTER TABLE arcollect.entry SET ACCESS METHOD fp_heap2;
SET client_min_messages = log;
INSERT INTO fp_inv VALUES (6, 'c1', 10, '2025-01-01', '2025-01-31', 4, 'EUR', NULL);
SET client_min_messages = warning;
ALTER TABLE arcollect.entry SET ACCESS METHOD heap;
DROP ACCESS METHOD fp_heap2;
SELECT * FROM fp_entries WHERE id = '6';
SELECT relname, amname FROM pg_class c JOIN pg_am a ON a.oid = c.relam
 WHERE c.relnamespace = 'arcollect'::regnamespace AND c.relkind = 'r' AND a.amname <> 'heap';

-- 6. arcollect.ledger_fast_path = off: the SQL statement books every
-- write, the same way.  Only a superuser (or a role granted SET on it)
-- may change it.
SHOW arcollect.ledger_fast_path;
SET arcollect.ledger_fast_path = off;
INSERT INTO fp_inv VALUES (7, 'c1', 100, '2025-01-01', '2025-01-31', 30, 'EUR', 'VOID');
RESET arcollect.ledger_fast_path;
SELECT * FROM fp_ledger WHERE id IN ('1', '7') ORDER BY id;
SELECT * FROM fp_entries WHERE id = '7' ORDER BY kind;
CREATE ROLE fp_writer;
SET ROLE fp_writer;
SET arcollect.ledger_fast_path = off;
RESET ROLE;
DROP ROLE fp_writer;
SELECT * FROM arcollect.reconcile('fp_inv');

SELECT arcollect.detach('fp_inv');
DROP VIEW fp_ledger, fp_entries;
DROP TABLE fp_inv;
