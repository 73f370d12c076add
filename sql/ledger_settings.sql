-- The session settings of whoever writes or reads an attached table do
-- not change what is booked.  arcollect reads every value with settings
-- of its own (DateStyle ISO, IntervalStyle postgres, extra_float_digits 1,
-- bytea_output hex, lc_monetary C) and converts timestamptz values to
-- dates, and dates the changes it sees "today", in the attachment's time
-- zone (time_zone: by default the TimeZone of the session that attaches).
\set SHOW_CONTEXT never
SET client_min_messages = warning;

CREATE TABLE set_tz_invoice (
    id      integer PRIMARY KEY,
    cust    text NOT NULL,
    amt     numeric(12,2),
    iss     timestamptz,
    due     timestamptz,
    state   text
);
-- Attached from a session in UTC: the attachment's time zone is UTC.
SET TimeZone = 'UTC';
SELECT arcollect.attach('set_tz_invoice', key => 'id', customer => 'cust', amount => 'amt',
                        due_on => 'due', issued_on => 'iss', status => 'state',
                        default_currency => 'EUR');
SELECT time_zone FROM arcollect.attachment WHERE billing_table = 'set_tz_invoice'::regclass;
-- Issued at 20:00 UTC on 10 January: in UTC (the attachment's time zone)
-- that is 2025-01-10, whatever the writer's time zone.
SET TimeZone = 'Asia/Tokyo';
INSERT INTO set_tz_invoice VALUES (1, 'c1', 100, '2025-01-10 20:00+00', '2025-02-09 20:00+00', 'open');
SET TimeZone = 'America/Los_Angeles';
INSERT INTO set_tz_invoice VALUES (2, 'c1', 100, '2025-01-10 20:00+00', '2025-02-09 20:00+00', 'open');
-- A status-only update from Tokyo (where it is already 11 January)
-- changes nothing but the status: no adjustment.
SET TimeZone = 'Asia/Tokyo';
UPDATE set_tz_invoice SET state = 'disputed';
SHOW TimeZone;  -- the writer's settings are left as they were
RESET TimeZone;
SELECT invoice_key, issued_on, due_on, status FROM arcollect.invoice i JOIN arcollect.attachment a USING (attachment_id)
 WHERE a.billing_table = 'set_tz_invoice'::regclass ORDER BY invoice_key;
SELECT count(*) AS entries FROM arcollect.ledger_entries WHERE billing_table = 'set_tz_invoice' AND entry_id IS NOT NULL;
SET TimeZone = 'Pacific/Kiritimati';
SELECT * FROM arcollect.reconcile('set_tz_invoice');
SHOW TimeZone;  -- and the reader's
RESET TimeZone;

-- Attached in Tokyo time: the same instants are 11 January and 10
-- February there; attaching again re-dates the invoices (the booking is
-- corrected by adjustments dated by the issue dates: -100 on 2025-01-10,
-- +100 on 2025-01-11).
SELECT arcollect.attach('set_tz_invoice', key => 'id', customer => 'cust', amount => 'amt',
                        due_on => 'due', issued_on => 'iss', status => 'state',
                        default_currency => 'EUR', time_zone => 'Asia/Tokyo');
SELECT time_zone FROM arcollect.attachment WHERE billing_table = 'set_tz_invoice'::regclass;
SELECT invoice_key, issued_on, due_on FROM arcollect.invoice i JOIN arcollect.attachment a USING (attachment_id)
 WHERE a.billing_table = 'set_tz_invoice'::regclass ORDER BY invoice_key;
SELECT invoice_key, kind, amount, effective_on FROM arcollect.ledger_entries
 WHERE billing_table = 'set_tz_invoice' AND invoice_key = '1' ORDER BY entry_id NULLS FIRST;
SELECT arcollect.attach('set_tz_invoice', key => 'id', customer => 'cust', amount => 'amt',
                        due_on => 'due', issued_on => 'iss', default_currency => 'EUR',
                        time_zone => 'Mars/Olympus');
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- Keys and customers of every type are read as text with arcollect's
-- settings: a float key is 1.3 whatever extra_float_digits says, a date
-- key 2025-01-02 whatever the DateStyle, a bytea customer \x01ff whatever
-- bytea_output, an interval customer "1 day" whatever the IntervalStyle.
CREATE TABLE set_float_invoice (id float8 PRIMARY KEY, cust bytea NOT NULL, amt numeric, iss date, due date);
CREATE TABLE set_date_invoice (id date PRIMARY KEY, cust interval NOT NULL, amt numeric, iss date, due date);
SELECT arcollect.attach('set_float_invoice', key => 'id', customer => 'cust', amount => 'amt',
                        due_on => 'due', issued_on => 'iss', default_currency => 'EUR');
SELECT arcollect.attach('set_date_invoice', key => 'id', customer => 'cust', amount => 'amt',
                        due_on => 'due', issued_on => 'iss', default_currency => 'EUR');
SET extra_float_digits = -14;
SET bytea_output = 'escape';
SET DateStyle = 'SQL, DMY';
SET IntervalStyle = 'iso_8601';
INSERT INTO set_float_invoice VALUES (1.3, '\x01ff', 10, '2025-01-01', '2025-01-31');
INSERT INTO set_date_invoice VALUES ('2025-01-02', '1 day', 10, '2025-01-01', '2025-01-31');
UPDATE set_float_invoice SET amt = 20;
UPDATE set_date_invoice SET amt = 20;
SELECT current_setting('extra_float_digits') AS extra_float_digits, current_setting('bytea_output') AS bytea_output,
       current_setting('DateStyle') AS datestyle, current_setting('IntervalStyle') AS intervalstyle;
SELECT invoice_key, customer_id, amount FROM arcollect.invoice i JOIN arcollect.attachment a USING (attachment_id)
 WHERE a.billing_table IN ('set_float_invoice'::regclass, 'set_date_invoice'::regclass) ORDER BY invoice_key;
SELECT * FROM arcollect.reconcile('set_float_invoice');
SELECT * FROM arcollect.reconcile('set_date_invoice');
RESET ALL;
SET client_min_messages = warning;
SELECT * FROM arcollect.reconcile('set_float_invoice');
SELECT * FROM arcollect.reconcile('set_date_invoice');

-- A quarantined payment (no date) deleted under another DateStyle leaves
-- quarantine: its row is found by the same text.
CREATE TABLE set_payment (id serial PRIMARY KEY, inv date, amt numeric, paid date);
SELECT arcollect.attach_payments('set_payment', invoice_key => 'inv', amount => 'amt', paid_on => 'paid',
                                 invoices => 'set_date_invoice');
INSERT INTO set_payment (inv, amt, paid) VALUES ('2025-01-02', 5, NULL), ('2025-01-02', 5, '2025-01-10');
SELECT reason, row_data->>'inv' AS inv FROM arcollect.quarantined_rows WHERE table_name = 'set_payment';
SET DateStyle = 'SQL, DMY';
DELETE FROM set_payment;
RESET DateStyle;
SELECT count(*) AS quarantined FROM arcollect.quarantined_rows WHERE table_name = 'set_payment';
SELECT * FROM arcollect.reconcile('set_payment');
SELECT * FROM arcollect.reconcile('set_date_invoice');
