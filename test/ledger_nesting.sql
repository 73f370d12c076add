-- Runs as role arcollect_suite with an empty search_path (README, Tests).
-- Property: whatever the triggers of the user's on an attached billing
-- table and payments table write while a statement runs -- row triggers
-- that update or delete the rows just written, a BEFORE trigger that
-- writes other rows, statement triggers before and after arcollect's, a
-- foreign key of the table to itself with cascades -- reconcile finds
-- nothing after any statement of a random sequence, and the ledger's
-- history adds up.  The sequence is random with a fixed seed.
BEGIN;
SELECT tap.plan(203);

SET LOCAL client_min_messages = error;	-- quarantine warnings are expected

CREATE TABLE billing.nest_invoice (
    id        integer PRIMARY KEY,
    customer  text NOT NULL,
    amount    numeric(12,2),
    issued    date,
    due       date,
    paid      numeric(12,2) DEFAULT 0,
    status    text,
    parent    integer REFERENCES billing.nest_invoice ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE TABLE billing.nest_payment (
    id          serial PRIMARY KEY,
    invoice_id  integer,
    amount      numeric(12,2),
    paid_on     date,
    kind        text
);
SELECT tap.is(arcollect.attach('billing.nest_invoice', key => 'id', customer => 'customer',
                               amount => 'amount', due_on => 'due', issued_on => 'issued',
                               paid => 'paid', status => 'status', owner => 'parent',
                               default_currency => 'EUR'),
              0::bigint, 'attach an empty billing table');
SELECT tap.is(arcollect.attach_payments('billing.nest_payment', invoice_key => 'invoice_id',
                                        amount => 'amount', paid_on => 'paid_on', kind => 'kind'),
              0::bigint, 'attach an empty payments table');

-- The triggers; what each does depends on the row's status (invoices)
-- or amount (payments), which the random statements vary.
CREATE FUNCTION pg_temp.after_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    CASE NEW.status
    WHEN 'bump' THEN UPDATE billing.nest_invoice SET amount = amount + 5, status = 'open' WHERE id = NEW.id;
    WHEN 'drop' THEN DELETE FROM billing.nest_invoice WHERE id = NEW.id;
    WHEN 'pay' THEN UPDATE billing.nest_invoice SET paid = amount, status = 'paid' WHERE id = NEW.id;
    WHEN 'bad' THEN UPDATE billing.nest_invoice SET due = issued - 1, status = 'broken' WHERE id = NEW.id;
    ELSE NULL;
    END CASE;
    RETURN NULL;
END $$;
CREATE TRIGGER after_row AFTER INSERT OR UPDATE OF status ON billing.nest_invoice
    FOR EACH ROW EXECUTE FUNCTION pg_temp.after_row();

CREATE FUNCTION pg_temp.before_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = 'replaces' THEN
        UPDATE billing.nest_invoice SET status = 'void' WHERE customer = NEW.customer AND id <> NEW.id
                                                         AND status IS DISTINCT FROM 'void';
        NEW.status := 'open';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER before_row BEFORE INSERT ON billing.nest_invoice
    FOR EACH ROW EXECUTE FUNCTION pg_temp.before_row();

CREATE FUNCTION pg_temp.statement_double() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE billing.nest_invoice SET amount = amount * 2, status = 'doubled'
     WHERE id IN (SELECT n.id FROM new_rows n WHERE n.status = TG_ARGV[0]);
    RETURN NULL;
END $$;
-- (statement triggers fire in name order: "a..." before arcollect's, "z..." after)
CREATE TRIGGER a_double AFTER INSERT ON billing.nest_invoice REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION pg_temp.statement_double('early');
CREATE TRIGGER z_double AFTER INSERT ON billing.nest_invoice REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION pg_temp.statement_double('late');

CREATE FUNCTION pg_temp.payment_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.amount = 13 THEN
        DELETE FROM billing.nest_payment WHERE id = NEW.id;
    ELSIF NEW.paid_on IS NULL AND NEW.amount > 100 THEN
        UPDATE billing.nest_payment SET paid_on = date '2025-03-01' WHERE id = NEW.id;
    ELSIF NEW.amount > 200 THEN
        UPDATE billing.nest_payment SET amount = round(amount / 2, 2), paid_on = NULL WHERE id = NEW.id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER payment_row AFTER INSERT ON billing.nest_payment
    FOR EACH ROW EXECUTE FUNCTION pg_temp.payment_row();

-- One random statement; returns what it did.
CREATE FUNCTION pg_temp.random_statement(step integer) RETURNS text
LANGUAGE plpgsql AS $fn$
DECLARE
    op integer := floor(random() * 12);
    n integer := 1 + floor(random() * 4);
    base integer := step * 100;
BEGIN
    CASE op
    WHEN 0, 1, 2 THEN
        INSERT INTO billing.nest_invoice (id, customer, amount, issued, due, status)
        SELECT base + g, 'C' || floor(random() * 4), round((10 + random() * 300)::numeric, 2),
               date '2025-01-01' + g, date '2025-02-01' + g,
               (ARRAY['open', 'bump', 'drop', 'pay', 'bad', 'replaces', 'early', 'late', NULL])[1 + floor(random() * 9)::int]
          FROM generate_series(1, n) g;
        RETURN format('insert %s invoices', n);
    WHEN 3 THEN
        UPDATE billing.nest_invoice
           SET status = (ARRAY['bump', 'drop', 'pay', 'bad', 'replaces', 'open', 'void'])[1 + floor(random() * 7)::int]
         WHERE id IN (SELECT id FROM billing.nest_invoice ORDER BY random() LIMIT n);
        RETURN 'status';
    WHEN 4 THEN
        UPDATE billing.nest_invoice SET amount = amount + 1, due = due + 1
         WHERE id IN (SELECT id FROM billing.nest_invoice ORDER BY random() LIMIT n);
        RETURN 'amount and due date';
    WHEN 5 THEN
        -- children: their parent is mapped (as the owner)
        UPDATE billing.nest_invoice c SET parent = p.id
          FROM (SELECT id FROM billing.nest_invoice ORDER BY random() LIMIT 1) p
         WHERE c.id IN (SELECT id FROM billing.nest_invoice ORDER BY random() LIMIT n);
        RETURN 'parents';
    WHEN 6 THEN
        -- a key change cascades to the children's parent
        UPDATE billing.nest_invoice SET id = id + 50000
         WHERE id IN (SELECT id FROM billing.nest_invoice WHERE id < 50000 ORDER BY random() LIMIT 1);
        RETURN 'key change';
    WHEN 7 THEN
        -- a delete cascades to the children
        DELETE FROM billing.nest_invoice WHERE id IN (SELECT id FROM billing.nest_invoice ORDER BY random() LIMIT 1);
        RETURN 'delete';
    WHEN 8 THEN
        WITH gone AS (DELETE FROM billing.nest_invoice
                       WHERE id IN (SELECT id FROM billing.nest_invoice WHERE parent IS NULL ORDER BY random() LIMIT 1)
                      RETURNING *)
        INSERT INTO billing.nest_invoice (id, customer, amount, issued, due, paid, status)
        SELECT g.id, g.customer, g.amount + 1, g.issued, g.due, g.paid, g.status FROM gone g;
        RETURN 'writable CTE';
    WHEN 9, 10 THEN
        INSERT INTO billing.nest_payment (invoice_id, amount, paid_on, kind)
        SELECT (SELECT id FROM billing.nest_invoice ORDER BY random() LIMIT 1),
               (ARRAY[13, 20, 150, 250, 40.5])[1 + floor(random() * 5)::int],
               CASE WHEN random() < 0.3 THEN NULL ELSE date '2025-02-01' + floor(random() * 30)::int END,
               (ARRAY['payment', 'credit note', 'write-off', 'gift'])[1 + floor(random() * 4)::int]
          FROM generate_series(1, n);
        RETURN format('insert %s payments', n);
    ELSE
        DELETE FROM billing.nest_payment WHERE id IN (SELECT id FROM billing.nest_payment ORDER BY random() LIMIT 2);
        RETURN 'delete payments';
    END CASE;
END
$fn$;

CREATE FUNCTION pg_temp.problems() RETURNS bigint
LANGUAGE sql AS $$
    SELECT (SELECT count(*) FROM arcollect.reconcile('billing.nest_invoice'))
         + (SELECT count(*) FROM arcollect.reconcile('billing.nest_payment'))
$$;

CREATE FUNCTION pg_temp.run_steps(steps integer) RETURNS SETOF text
LANGUAGE plpgsql AS $fn$
DECLARE
    what text;
BEGIN
    FOR step IN 1 .. steps LOOP
        what := pg_temp.random_statement(step);
        RETURN NEXT tap.is(pg_temp.problems(), 0::bigint,
                           format('step %s (%s): ledger agrees with the tables', step, what));
    END LOOP;
END
$fn$;

SELECT setseed(0.2718);
SELECT * FROM pg_temp.run_steps(200);

-- The history adds up: what the billing table booked (bookings and its
-- own entries) sums to what its invoice rows say is open.
SELECT tap.is((SELECT coalesce(sum(e.amount), 0) FROM arcollect.entry e JOIN arcollect.attachment a USING (attachment_id)
                WHERE a.billing_table = 'billing.nest_invoice'::regclass AND e.source_attachment_id = e.attachment_id)
              + (SELECT sum(i.booked_amount) FROM arcollect.invoice i JOIN arcollect.attachment a USING (attachment_id)
                  WHERE a.billing_table = 'billing.nest_invoice'::regclass),
              (SELECT sum(i.amount - i.paid + i.void_amount) FROM arcollect.invoice i JOIN arcollect.attachment a USING (attachment_id)
                WHERE a.billing_table = 'billing.nest_invoice'::regclass),
              'bookings plus entries equal the sum of the open amounts');

SELECT * FROM tap.finish();
ROLLBACK;
