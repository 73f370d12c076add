-- pg_dump and pg_restore into a fresh database keep every ledger row:
-- attachments, invoices, entries, quarantine, customers and the sequences,
-- and the restored trigger goes on booking writes.  The dump needs
-- committed data, so the scenario runs in databases of its own through a
-- shell (COPY FROM PROGRAM; the suite runs as a superuser).
BEGIN;
SELECT plan(8);

CREATE TEMP TABLE dump_result (line text);

DO $do$
DECLARE
    script text;
BEGIN
    script := $sh$
set -e
export PGHOST='@HOST@' PGPORT=@PORT@ PATH='@BINDIR@':$PATH PGOPTIONS='-c client_min_messages=error'
src=arcollect_dump_src_$$
dst=arcollect_dump_dst_$$
file=$(mktemp /tmp/arcollect_dump.XXXXXX)
psql -X -q -d postgres -c "CREATE DATABASE $src" -c "CREATE DATABASE $dst" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d $src >/dev/null <<'SQL'
CREATE EXTENSION arcollect;
CREATE TABLE bill (id int PRIMARY KEY, cust text NOT NULL, amount numeric(12,2), issued date,
                   due date, cur text, paid numeric(12,2) DEFAULT 0);
CREATE TABLE pay (id serial PRIMARY KEY, bill_id int, amount numeric(12,2), paid_on date, kind text);
SELECT arcollect.attach('bill', key => 'id', customer => 'cust', amount => 'amount', due_on => 'due',
                        issued_on => 'issued', currency => 'cur', paid => 'paid');
SELECT arcollect.attach_payments('pay', invoice_key => 'bill_id', amount => 'amount', paid_on => 'paid_on',
                                 kind => 'kind');
INSERT INTO bill SELECT g, 'C' || g % 7, 100 + g, date '2025-01-01' + g, date '2025-02-01' + g,
                        CASE WHEN g % 50 = 0 THEN 'BAD' ELSE 'EUR' END, 0
                   FROM generate_series(1, 500) g;
INSERT INTO pay (bill_id, amount, paid_on, kind)
SELECT g, 30, date '2025-03-01' + g % 20, (ARRAY['payment', 'credit note', 'write-off', 'nonsense'])[1 + g % 4]
  FROM generate_series(1, 300) g;
UPDATE bill SET paid = 10 WHERE id % 3 = 0;
DELETE FROM bill WHERE id % 11 = 0;
UPDATE arcollect.customer SET segment = 'key account', credit_limit = 1000 WHERE customer_id = 'C1';
CREATE TABLE pbill (id int PRIMARY KEY, cust text NOT NULL, amount numeric(12,2), issued date, due date)
    PARTITION BY RANGE (id);
CREATE TABLE pbill_1 PARTITION OF pbill FOR VALUES FROM (0) TO (1000);
SELECT arcollect.attach('pbill', key => 'id', customer => 'cust', amount => 'amount', due_on => 'due',
                        issued_on => 'issued', default_currency => 'EUR');
INSERT INTO pbill SELECT g, 'P' || g % 3, 10 * g, date '2025-01-01' + g, date '2025-02-01' + g
                    FROM generate_series(1, 50) g;
SQL
pg_dump -Fc -d $src -f "$file"
pg_restore -d $dst "$file"
check="SELECT 'attachment ' || count(*) || ' ' || md5(string_agg(t::text, ',' ORDER BY t.attachment_id)) FROM (SELECT attachment_id, billing_table, kind, key_column, strict_mode, detached_at FROM arcollect.attachment) t
UNION ALL SELECT 'invoice ' || count(*) || ' ' || md5(string_agg(t::text, ',' ORDER BY t.invoice_key)) FROM arcollect.invoice t
UNION ALL SELECT 'entry ' || count(*) || ' ' || md5(string_agg(t::text, ',' ORDER BY t.entry_id)) FROM arcollect.entry t
UNION ALL SELECT 'quarantine ' || count(*) || ' ' || md5(string_agg(t::text, ',' ORDER BY t.quarantine_id)) FROM arcollect.quarantine t
UNION ALL SELECT 'customer ' || count(*) || ' ' || md5(string_agg(t::text, ',' ORDER BY t.customer_id)) FROM arcollect.customer t
UNION ALL SELECT 'sequences ' || (SELECT last_value FROM arcollect.entry_entry_id_seq) || ' ' || (SELECT last_value FROM arcollect.quarantine_quarantine_id_seq) || ' ' || (SELECT last_value FROM arcollect.attachment_attachment_id_seq)"
psql -X -At -d $src -c "$check" | sed 's/^/src /'
psql -X -At -d $dst -c "$check" | sed 's/^/dst /'
psql -X -At -d $dst -c "INSERT INTO bill VALUES (9001, 'C9', 42, '2025-06-01', '2025-07-01', 'EUR', 0)" \
     -c "INSERT INTO pay (bill_id, amount, paid_on, kind) VALUES (9001, 2, '2025-06-15', 'payment')" \
     -c "INSERT INTO pbill_1 VALUES (999, 'P1', 5, '2025-06-01', '2025-07-01')" \
     -c "SELECT 'restored trigger ' || (SELECT open_amount FROM arcollect.invoice WHERE invoice_key = '9001') || ' ' || ((SELECT count(*) FROM arcollect.reconcile('bill')) + (SELECT count(*) FROM arcollect.reconcile('pay')) + (SELECT count(*) FROM arcollect.reconcile('pbill'))) || ' ' || (SELECT count(*) FROM arcollect.invoice WHERE invoice_key = '999')" \
     | grep '^restored'
rm -f "$file"
# DROP DATABASE waits until every backend has acknowledged it, including
# the one running this script, which only can once the script has ended:
# so the two databases are dropped in the background, a moment later.
(sleep 2; psql -X -q -d postgres -c "DROP DATABASE $src" -c "DROP DATABASE $dst") >/dev/null 2>&1 </dev/null &
$sh$;
    -- (replace, not format: the script is full of %)
    script := replace(replace(replace(script,
        '@HOST@', split_part(current_setting('unix_socket_directories'), ',', 1)),
        '@PORT@', current_setting('port')),
        '@BINDIR@', (SELECT setting FROM pg_catalog.pg_config WHERE name = 'BINDIR'));
    EXECUTE format('COPY dump_result FROM PROGRAM %L', script);
END
$do$;

SELECT is((SELECT line FROM dump_result WHERE line LIKE 'dst ' || t || ' %'),
          (SELECT 'dst' || substr(line, 4) FROM dump_result WHERE line LIKE 'src ' || t || ' %'),
          format('%s rows survive pg_dump and pg_restore', t))
  FROM unnest(ARRAY['attachment', 'invoice', 'entry', 'quarantine', 'customer', 'sequences']) t;
SELECT ok((SELECT count(*) FROM dump_result WHERE line ~ '^src (invoice|entry|quarantine|customer) [1-9]') = 4,
          'the dumped ledger was not empty');
SELECT is((SELECT line FROM dump_result WHERE line LIKE 'restored%'), 'restored trigger 40.00 0 1',
          'the restored triggers (a partition''s too) book new writes and reconcile finds nothing');

SELECT * FROM finish();
ROLLBACK;
