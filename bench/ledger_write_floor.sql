-- The tables of bench/ledger_write_floor.sh: the narrow billing table of
-- ledger_setup_narrow.sql (narrow_plain, and narrow_ledger attached to the
-- receivables ledger), and six more copies of it, each with a statement
-- trigger that does part of what the ledger's trigger does, written in
-- plain SQL.  Each trigger writes to tables of its own, so that every
-- variant's targets grow alike from round to round.
--
--   narrow_bare     a statement trigger that does nothing, without a
--                   transition table: the call of the trigger alone;
--   narrow_noop     the same with a transition table: the trigger
--                   mechanism the ledger uses (capturing the new rows,
--                   firing once per statement);
--   narrow_shadow   INSERT ... SELECT from the transition table of what the
--                   ledger writes for a new invoice: one row of the shape
--                   of arcollect.invoice, with its indexes (the primary key
--                   (invoice_key text COLLATE "C", attachment_id) and the
--                   partial index), and for a partly paid one an entry row
--                   of the shape of arcollect.entry (identity, CHECK);
--   narrow_shadow_noindex  the same rows, the invoice shadow without index;
--   narrow_minimal  one (key bigint, attachment integer) row per new
--                   invoice, no index: the least a design that writes a
--                   row per invoice can write;
--   narrow_minimal_key  the same with a primary key on (key, attachment):
--                   the least a design that looks a row up by key can
--                   write.
--
-- The shadows are made LIKE the ledger's own tables so that they follow
-- its columns; the values are the ones the ledger's fast path books for a
-- row of this table (src/ledger_fastpath.c, booking_add): the key as text,
-- the amounts, in_billing, booked_amount and booked_on from the row, and a
-- payment entry of minus the amount paid, effective today (the table maps
-- no payment date) or on the issue date if that is later.
\ir ledger_setup_narrow.sql

DROP TABLE IF EXISTS narrow_bare, narrow_noop, narrow_shadow, narrow_shadow_noindex,
                     narrow_minimal, narrow_minimal_key, floor_invoice, floor_entry,
                     floor_invoice_noindex, floor_entry_noindex, floor_minimal, floor_minimal_key;

CREATE TABLE narrow_bare (LIKE narrow_plain INCLUDING ALL);
CREATE TABLE narrow_noop (LIKE narrow_plain INCLUDING ALL);
CREATE TABLE narrow_shadow (LIKE narrow_plain INCLUDING ALL);
CREATE TABLE narrow_shadow_noindex (LIKE narrow_plain INCLUDING ALL);
CREATE TABLE narrow_minimal (LIKE narrow_plain INCLUDING ALL);
CREATE TABLE narrow_minimal_key (LIKE narrow_plain INCLUDING ALL);

CREATE TABLE floor_invoice (LIKE arcollect.invoice INCLUDING DEFAULTS INCLUDING CONSTRAINTS
                                                   INCLUDING INDEXES);
CREATE TABLE floor_entry (LIKE arcollect.entry INCLUDING DEFAULTS INCLUDING CONSTRAINTS
                                               INCLUDING IDENTITY);
CREATE TABLE floor_invoice_noindex (LIKE arcollect.invoice INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
CREATE TABLE floor_entry_noindex (LIKE arcollect.entry INCLUDING DEFAULTS INCLUDING CONSTRAINTS
                                                       INCLUDING IDENTITY);
CREATE TABLE floor_minimal (invoice_key bigint NOT NULL, attachment_id integer NOT NULL);
CREATE TABLE floor_minimal_key (invoice_key bigint, attachment_id integer,
                                PRIMARY KEY (invoice_key, attachment_id));

CREATE OR REPLACE FUNCTION floor_noop() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RETURN NULL;
END
$$;

-- One function per target pair: a static statement is planned once per
-- session, as the ledger's fast path needs no planning at all; a dynamic
-- one would add planning to every single-row INSERT.
CREATE OR REPLACE FUNCTION floor_shadow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO floor_invoice (attachment_id, invoice_key, customer_id, currency, issued_on,
                               due_on, amount, paid, void_amount, in_billing, booked_amount,
                               booked_on, booked_at)
    SELECT 1, n.id::text, n.customer, n.currency, n.issued_on, n.due_on, n.total,
           n.amount_paid, 0, true, n.total, n.issued_on, now()
      FROM new_rows n;
    INSERT INTO floor_entry (attachment_id, invoice_key, kind, amount, effective_on,
                             source_attachment_id, recorded_at)
    SELECT 1, n.id::text, 'payment', -n.amount_paid, greatest(current_date, n.issued_on), 1, now()
      FROM new_rows n
     WHERE n.amount_paid <> 0;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION floor_shadow_noindex() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO floor_invoice_noindex (attachment_id, invoice_key, customer_id, currency,
                                       issued_on, due_on, amount, paid, void_amount, in_billing,
                                       booked_amount, booked_on, booked_at)
    SELECT 1, n.id::text, n.customer, n.currency, n.issued_on, n.due_on, n.total,
           n.amount_paid, 0, true, n.total, n.issued_on, now()
      FROM new_rows n;
    INSERT INTO floor_entry_noindex (attachment_id, invoice_key, kind, amount, effective_on,
                                     source_attachment_id, recorded_at)
    SELECT 1, n.id::text, 'payment', -n.amount_paid, greatest(current_date, n.issued_on), 1, now()
      FROM new_rows n
     WHERE n.amount_paid <> 0;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION floor_minimal() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO floor_minimal (invoice_key, attachment_id) SELECT n.id, 1 FROM new_rows n;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION floor_minimal_key() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO floor_minimal_key (invoice_key, attachment_id) SELECT n.id, 1 FROM new_rows n;
    RETURN NULL;
END
$$;

CREATE TRIGGER floor AFTER INSERT ON narrow_bare FOR EACH STATEMENT EXECUTE FUNCTION floor_noop();
-- As the ledger's trigger: AFTER INSERT, once per statement, the new rows
-- in a transition table.
CREATE TRIGGER floor AFTER INSERT ON narrow_noop REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION floor_noop();
CREATE TRIGGER floor AFTER INSERT ON narrow_shadow REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION floor_shadow();
CREATE TRIGGER floor AFTER INSERT ON narrow_shadow_noindex REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION floor_shadow_noindex();
CREATE TRIGGER floor AFTER INSERT ON narrow_minimal REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION floor_minimal();
CREATE TRIGGER floor AFTER INSERT ON narrow_minimal_key REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION floor_minimal_key();
