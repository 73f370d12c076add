-- Statements that other triggers run inside a write to an attached table
-- are booked before the write that fired them (their statement triggers
-- fire first), so that write's transition tables no longer say what the
-- table holds.  The ledger must still end as the table ends, with the
-- history a user expects.  Each shape below: its trigger, one write, the
-- ledger and history of the keys written, and reconcile (no rows).
\set SHOW_CONTEXT never
SET client_min_messages = warning;

CREATE TABLE nest_inv (
    id      integer PRIMARY KEY,
    cust    text NOT NULL,
    amt     numeric(12,2),
    iss     date,
    due     date,
    status  text,
    parent  integer REFERENCES nest_inv ON DELETE CASCADE ON UPDATE CASCADE
);
SELECT arcollect.attach('nest_inv', key => 'id', customer => 'cust', amount => 'amt', due_on => 'due',
                        issued_on => 'iss', status => 'status', owner => 'parent',
                        default_currency => 'EUR');

CREATE VIEW nest_ledger AS
SELECT i.invoice_key AS id, i.amount, coalesce(oa.open_amount, 0) AS open_amount, i.status, i.owner, i.in_billing
  FROM arcollect.invoice i LEFT JOIN arcollect._open_amount oa USING (attachment_id, invoice_key) JOIN arcollect.attachment a USING (attachment_id)
 WHERE a.billing_table = 'nest_inv'::regclass;
CREATE VIEW nest_history AS
SELECT e.invoice_key AS id, e.kind, e.amount, e.entry_id
  FROM arcollect.ledger_entries e WHERE e.billing_table = 'nest_inv';

-- 1. An AFTER INSERT row trigger that updates the new row: booked once,
-- at the amount the row ends with (100 + 5), no adjustment.
CREATE FUNCTION nest_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE nest_inv SET amt = amt + 5, status = 'open' WHERE id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER bump AFTER INSERT ON nest_inv FOR EACH ROW WHEN (NEW.status = 'bump')
    EXECUTE FUNCTION nest_bump();
INSERT INTO nest_inv VALUES (1, 'c1', 100, '2025-01-01', '2025-01-31', 'bump');
SELECT * FROM nest_ledger WHERE id = '1';
SELECT id, kind, amount FROM nest_history WHERE id = '1' ORDER BY entry_id NULLS FIRST;
SELECT * FROM arcollect.reconcile('nest_inv');

-- 2. One that deletes the new row: no phantom open invoice; the key keeps
-- an empty row (nothing booked, not in the table), left by the DELETE so
-- that the INSERT's fast path leaves the key to the sync statement.
CREATE FUNCTION nest_drop() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM nest_inv WHERE id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER drop_it AFTER INSERT ON nest_inv FOR EACH ROW WHEN (NEW.status = 'drop')
    EXECUTE FUNCTION nest_drop();
INSERT INTO nest_inv VALUES (2, 'c1', 100, '2025-01-01', '2025-01-31', 'drop'),
                            (3, 'c1', 100, '2025-01-01', '2025-01-31', 'open');
SELECT * FROM nest_ledger WHERE id IN ('2', '3') ORDER BY id::int;
SELECT * FROM arcollect.reconcile('nest_inv');

-- 3. A BEFORE INSERT row trigger that voids the customer's other open
-- invoices: 1 and 3 are voided (their open 105 and 100 go to 0) and 4 is
-- booked.
CREATE FUNCTION nest_replace() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE nest_inv SET status = 'void' WHERE cust = NEW.cust AND status = 'open';
    NEW.status := 'open';
    RETURN NEW;
END $$;
CREATE TRIGGER replaces BEFORE INSERT ON nest_inv FOR EACH ROW WHEN (NEW.status = 'replaces')
    EXECUTE FUNCTION nest_replace();
INSERT INTO nest_inv VALUES (4, 'c1', 70, '2025-01-01', '2025-01-31', 'replaces');
SELECT * FROM nest_ledger WHERE id IN ('1', '3', '4') ORDER BY id::int;
SELECT * FROM arcollect.reconcile('nest_inv');

-- 4. Statement triggers that update the rows just inserted (doubling
-- their amount): one named to fire before arcollect's (they fire in name
-- order), one after.  Before: booked once at 200.  After: booked at 100,
-- then the update is booked as an adjustment of +100.
CREATE FUNCTION nest_double() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE nest_inv SET amt = amt * 2, status = 'doubled'
     WHERE id IN (SELECT n.id FROM new_rows n WHERE n.status = TG_ARGV[0]);
    RETURN NULL;
END $$;
CREATE TRIGGER a_double AFTER INSERT ON nest_inv REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION nest_double('early');
CREATE TRIGGER z_double AFTER INSERT ON nest_inv REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION nest_double('late');
INSERT INTO nest_inv VALUES (5, 'c2', 100, '2025-01-01', '2025-01-31', 'early'),
                            (6, 'c2', 100, '2025-01-01', '2025-01-31', 'late');
SELECT * FROM nest_ledger WHERE id IN ('5', '6') ORDER BY id::int;
SELECT id, kind, amount FROM nest_history WHERE id IN ('5', '6') ORDER BY id::int, entry_id NULLS FIRST;
SELECT * FROM arcollect.reconcile('nest_inv');

-- 5. A deferred constraint trigger that fixes the amount at commit: the
-- fix is booked when it is made (adjustment +10).
CREATE FUNCTION nest_fix() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE nest_inv SET amt = amt + 10, status = 'fixed' WHERE id = NEW.id;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER fix_at_commit AFTER INSERT ON nest_inv
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.status = 'deferred')
    EXECUTE FUNCTION nest_fix();
BEGIN;
INSERT INTO nest_inv VALUES (7, 'c2', 50, '2025-01-01', '2025-01-31', 'deferred');
SELECT * FROM nest_ledger WHERE id = '7';
COMMIT;
SELECT * FROM nest_ledger WHERE id = '7';
SELECT id, kind, amount FROM nest_history WHERE id = '7' ORDER BY entry_id NULLS FIRST;
SELECT * FROM arcollect.reconcile('nest_inv');

-- 6. A writable CTE that deletes an invoice and inserts it again,
-- corrected (80 -> 81): voided, then booked again.
INSERT INTO nest_inv VALUES (8, 'c3', 80, '2025-01-01', '2025-01-31', 'open');
WITH gone AS (DELETE FROM nest_inv WHERE id = 8 RETURNING *)
INSERT INTO nest_inv SELECT g.id, g.cust, g.amt + 1, g.iss, g.due, g.status, g.parent FROM gone g;
SELECT * FROM nest_ledger WHERE id = '8';
SELECT * FROM arcollect.reconcile('nest_inv');

-- The same on a table without triggers of its own (booked from the
-- transition tables: the DELETE is booked first there).
CREATE TABLE nest_plain (id integer PRIMARY KEY, cust text NOT NULL, amt numeric, iss date, due date);
SELECT arcollect.attach('nest_plain', key => 'id', customer => 'cust', amount => 'amt', due_on => 'due',
                        issued_on => 'iss', default_currency => 'EUR');
INSERT INTO nest_plain VALUES (1, 'c3', 80, '2025-01-01', '2025-01-31'), (2, 'c3', 20, '2025-01-01', '2025-01-31');
WITH gone AS (DELETE FROM nest_plain WHERE id = 1 RETURNING *)
INSERT INTO nest_plain SELECT g.id, g.cust, g.amt + 1, g.iss, g.due FROM gone g;
-- and a key moved away while a new row takes it
WITH moved AS (UPDATE nest_plain SET id = 3 WHERE id = 2 RETURNING *)
INSERT INTO nest_plain SELECT 2, m.cust, 5, m.iss, m.due FROM moved m;
SELECT i.invoice_key, i.amount, coalesce(oa.open_amount, 0) AS open_amount, i.in_billing FROM arcollect.invoice i
  LEFT JOIN arcollect._open_amount oa USING (attachment_id, invoice_key) JOIN arcollect.attachment a USING (attachment_id)
 WHERE a.billing_table = 'nest_plain'::regclass ORDER BY i.invoice_key;
SELECT * FROM arcollect.reconcile('nest_plain');

-- 7. The foreign key of the table to itself: an invoice that is its own
-- parent changes key (the cascade updates its parent, mapped as the
-- owner, to the new key), and deleting a parent deletes its children.
INSERT INTO nest_inv VALUES (10, 'c4', 10, '2025-01-01', '2025-01-31', 'open', NULL);
UPDATE nest_inv SET parent = 10 WHERE id = 10;
INSERT INTO nest_inv VALUES (11, 'c4', 11, '2025-01-01', '2025-01-31', 'open', 10),
                            (12, 'c4', 12, '2025-01-01', '2025-01-31', 'open', 11);
UPDATE nest_inv SET id = 13 WHERE id = 10;
SELECT * FROM nest_ledger WHERE id IN ('10', '11', '12', '13') ORDER BY id::int;
SELECT * FROM arcollect.reconcile('nest_inv');
DELETE FROM nest_inv WHERE id = 13;
SELECT * FROM nest_ledger WHERE id IN ('10', '11', '12', '13') ORDER BY id::int;
SELECT * FROM arcollect.reconcile('nest_inv');

-- 8. COPY fires the row triggers too.
COPY nest_inv (id, cust, amt, iss, due, status) FROM STDIN;
20	c5	100	2025-01-01	2025-01-31	bump
21	c5	100	2025-01-01	2025-01-31	drop
22	c5	100	2025-01-01	2025-01-31	early
\.
SELECT * FROM nest_ledger WHERE id IN ('20', '21', '22') ORDER BY id::int;
SELECT * FROM arcollect.reconcile('nest_inv');

-- 9. A partitioned billing table: a row trigger on the partitioned table
-- (cloned to every partition), and one on a single partition only.
CREATE TABLE nest_part (id integer PRIMARY KEY, cust text NOT NULL, amt numeric, iss date, due date)
    PARTITION BY RANGE (id);
CREATE TABLE nest_part_1 PARTITION OF nest_part FOR VALUES FROM (0) TO (100);
CREATE TABLE nest_part_2 PARTITION OF nest_part FOR VALUES FROM (100) TO (200);
SELECT arcollect.attach('nest_part', key => 'id', customer => 'cust', amount => 'amt', due_on => 'due',
                        issued_on => 'iss', default_currency => 'EUR');
CREATE FUNCTION nest_part_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE nest_part SET amt = amt + TG_ARGV[0]::numeric WHERE id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER bump_all AFTER INSERT ON nest_part FOR EACH ROW EXECUTE FUNCTION nest_part_bump('1');
CREATE TRIGGER bump_2 AFTER INSERT ON nest_part_2 FOR EACH ROW EXECUTE FUNCTION nest_part_bump('100');
INSERT INTO nest_part VALUES (1, 'p1', 10, '2025-01-01', '2025-01-31'), (101, 'p1', 10, '2025-01-01', '2025-01-31');
INSERT INTO nest_part_2 VALUES (102, 'p1', 10, '2025-01-01', '2025-01-31');
SELECT i.invoice_key, i.amount FROM arcollect.invoice i JOIN arcollect.attachment a USING (attachment_id)
 WHERE a.billing_table = 'nest_part'::regclass ORDER BY i.invoice_key;
SELECT * FROM arcollect.reconcile('nest_part');

-- 10. A payments table whose trigger deletes unusable payments (no date)
-- and rounds the others up: no phantom in quarantine, and the payment is
-- booked at the amount it ends with (30.50 -> 31).
CREATE TABLE nest_pay (id serial PRIMARY KEY, inv integer, amt numeric(12,2), paid date);
SELECT arcollect.attach_payments('nest_pay', invoice_key => 'inv', amount => 'amt', paid_on => 'paid',
                                 invoices => 'nest_inv');
CREATE FUNCTION nest_pay_clean() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.paid IS NULL THEN
        DELETE FROM nest_pay WHERE id = NEW.id;
    ELSE
        UPDATE nest_pay SET amt = ceil(amt) WHERE id = NEW.id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER clean AFTER INSERT ON nest_pay FOR EACH ROW EXECUTE FUNCTION nest_pay_clean();
INSERT INTO nest_pay (inv, amt, paid) VALUES (4, 30.50, '2025-01-10'), (4, 5, NULL);
SELECT count(*) AS quarantined FROM arcollect.quarantined_rows WHERE table_name = 'nest_pay';
SELECT id, kind, amount FROM nest_history WHERE id = '4' ORDER BY entry_id NULLS FIRST;
SELECT * FROM nest_ledger WHERE id = '4';
SELECT * FROM arcollect.reconcile('nest_pay');
SELECT * FROM arcollect.reconcile('nest_inv');
