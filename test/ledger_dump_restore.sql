-- Runs as role arcollect_suite with an empty search_path (README, Tests).
-- pg_dump and pg_restore into a fresh database keep every ledger row:
-- attachments, invoices, entries, quarantine, customers and the sequences,
-- and the restored trigger goes on booking writes.  The dump needs
-- committed data, so the scenario runs in databases of its own through a
-- shell (COPY FROM PROGRAM): there the DBA (a superuser) creates the
-- databases and the extension, dumps and restores, and this session's
-- role owns the billing tables, attaches them, adds a partition and
-- writes them, before the dump and after the restore; every session has
-- an empty search_path.
\set suite_role_sql `cat test/include/suite_role.sql`
BEGIN;
SELECT tap.plan(9);

CREATE TEMP TABLE dump_result (line text);

-- The server's own psql, pg_dump and pg_restore.  (pg_config is readable
-- by superusers only.)
SET ROLE NONE;
SELECT setting AS bindir FROM pg_catalog.pg_config WHERE name = 'BINDIR' \gset
RESET ROLE;

-- (replace, not format: the script is full of %)
SELECT replace(replace(replace(replace(replace($sh$
set -e
export PGHOST='@HOST@' PGPORT=@PORT@ PATH='@BINDIR@':$PATH
export PGOPTIONS='-c client_min_messages=error -c search_path='
src=arcollect_dump_src_$$
dst=arcollect_dump_dst_$$
file=$(mktemp /tmp/arcollect_dump.XXXXXX)
psql -X -q -d postgres -c "CREATE DATABASE $src" -c "CREATE DATABASE $dst" >/dev/null
# The DBA creates the extension and grants the application's role what it
# needs (test/include/suite_role.sql); the billing tables are the role's.
psql -X -q -v ON_ERROR_STOP=1 -d $src -c 'CREATE EXTENSION arcollect' -f - >/dev/null <<'SQL'
@SUITE_ROLE_SQL@
SQL
psql -X -q -v ON_ERROR_STOP=1 -U @ROLE@ -d $src >/dev/null <<'SQL'
CREATE TABLE billing.bill (id int PRIMARY KEY, cust text NOT NULL, amount numeric(12,2), issued date,
                   due date, cur text, paid numeric(12,2) DEFAULT 0);
CREATE TABLE billing.pay (id serial PRIMARY KEY, bill_id int, amount numeric(12,2), paid_on date, kind text);
SELECT arcollect.attach('billing.bill', key => 'id', customer => 'cust', amount => 'amount', due_on => 'due',
                        issued_on => 'issued', currency => 'cur', paid => 'paid');
SELECT arcollect.attach_payments('billing.pay', invoice_key => 'bill_id', amount => 'amount', paid_on => 'paid_on',
                                 kind => 'kind');
INSERT INTO billing.bill SELECT g, 'C' || g % 7, 100 + g, date '2025-01-01' + g, date '2025-02-01' + g,
                        CASE WHEN g % 50 = 0 THEN 'BAD' ELSE 'EUR' END, 0
                   FROM generate_series(1, 500) g;
INSERT INTO billing.pay (bill_id, amount, paid_on, kind)
SELECT g, 30, date '2025-03-01' + g % 20, (ARRAY['payment', 'credit note', 'write-off', 'nonsense'])[1 + g % 4]
  FROM generate_series(1, 300) g;
UPDATE billing.bill SET paid = 10 WHERE id % 3 = 0;
DELETE FROM billing.bill WHERE id % 11 = 0;
UPDATE arcollect.customer SET segment = 'key account', credit_limit = 1000 WHERE customer_id = 'C1';
UPDATE arcollect.customer SET owner = 'alice', opt_out_channels = '{sms}' WHERE customer_id = 'C2';
CREATE TABLE billing.pbill (id int PRIMARY KEY, cust text NOT NULL, amount numeric(12,2), issued date, due date)
    PARTITION BY RANGE (id);
CREATE TABLE billing.pbill_1 PARTITION OF billing.pbill FOR VALUES FROM (0) TO (1000);
SELECT arcollect.attach('billing.pbill', key => 'id', customer => 'cust', amount => 'amount', due_on => 'due',
                        issued_on => 'issued', default_currency => 'EUR');
INSERT INTO billing.pbill SELECT g, 'P' || g % 3, 10 * g, date '2025-01-01' + g, date '2025-02-01' + g
                    FROM generate_series(1, 50) g;
CREATE TABLE billing.pbill_2 PARTITION OF billing.pbill FOR VALUES FROM (1000) TO (2000);
INSERT INTO billing.pbill_2 VALUES (1500, 'P2', 15, '2025-03-01', '2025-04-01');
SQL
pg_dump -Fc -d $src -f "$file"
pg_restore -d $dst "$file"
check="SELECT 'attachment ' || count(*) || ' ' || md5(string_agg(t::text, ',' ORDER BY t.attachment_id)) FROM (SELECT attachment_id, billing_table, kind, key_column, strict_mode, detached_at FROM arcollect.attachment) t
UNION ALL SELECT 'invoice ' || count(*) || ' ' || md5(string_agg(t::text, ',' ORDER BY t.invoice_key)) FROM arcollect.invoice t
UNION ALL SELECT 'entry ' || count(*) || ' ' || md5(string_agg(t::text, ',' ORDER BY t.entry_id)) FROM arcollect.entry t
UNION ALL SELECT 'quarantine ' || count(*) || ' ' || md5(string_agg(t::text, ',' ORDER BY t.quarantine_id)) FROM arcollect.quarantine t
UNION ALL SELECT 'customer ' || count(*) || ' ' || md5(string_agg(t::text, ',' ORDER BY t.customer_id)) FROM arcollect.customer t
UNION ALL SELECT 'customer_setting ' || count(*) || ' ' || md5(string_agg(t::text, ',' ORDER BY t.customer_id)) FROM arcollect.customer_setting t
UNION ALL SELECT 'sequences ' || (SELECT last_value FROM arcollect.entry_entry_id_seq) || ' ' || (SELECT last_value FROM arcollect.quarantine_quarantine_id_seq) || ' ' || (SELECT last_value FROM arcollect.attachment_attachment_id_seq)"
psql -X -At -d $src -c "$check" | sed 's/^/src /'
psql -X -At -d $dst -c "$check" | sed 's/^/dst /'
psql -X -At -U @ROLE@ -d $dst -c "INSERT INTO billing.bill VALUES (9001, 'C9', 42, '2025-06-01', '2025-07-01', 'EUR', 0)" \
     -c "INSERT INTO billing.pay (bill_id, amount, paid_on, kind) VALUES (9001, 2, '2025-06-15', 'payment')" \
     -c "INSERT INTO billing.pbill_1 VALUES (999, 'P1', 5, '2025-06-01', '2025-07-01')" \
     -c "INSERT INTO billing.pbill_2 VALUES (1999, 'P2', 5, '2025-06-01', '2025-07-01')" \
     -c "SELECT 'restored trigger ' || (SELECT open_amount FROM arcollect._open_amount WHERE invoice_key = '9001') || ' ' || ((SELECT count(*) FROM arcollect.reconcile('billing.bill')) + (SELECT count(*) FROM arcollect.reconcile('billing.pay')) + (SELECT count(*) FROM arcollect.reconcile('billing.pbill'))) || ' ' || (SELECT count(*) FROM arcollect.invoice WHERE invoice_key IN ('999', '1999'))" \
     | grep '^restored'
rm -f "$file"
# DROP DATABASE waits until every backend has acknowledged it, including
# the one running this script, which only can once the script has ended:
# so the two databases are dropped in the background, a moment later.
(sleep 2; psql -X -q -d postgres -c "DROP DATABASE $src" -c "DROP DATABASE $dst") >/dev/null 2>&1 </dev/null &
$sh$,
    '@HOST@', :'HOST'), '@PORT@', :'PORT'), '@BINDIR@', :'bindir'), '@ROLE@', current_user),
    '@SUITE_ROLE_SQL@', :'suite_role_sql') AS script \gset
-- Running programs on the server (pg_dump, pg_restore) is the DBA's: the
-- session's superuser runs the script, which logs in as this session's
-- role for what the application does.
SET ROLE NONE;
COPY dump_result FROM PROGRAM :'script';
RESET ROLE;

SELECT tap.is((SELECT line FROM dump_result WHERE line LIKE 'dst ' || t || ' %'),
              (SELECT 'dst' || substr(line, 4) FROM dump_result WHERE line LIKE 'src ' || t || ' %'),
              format('%s rows survive pg_dump and pg_restore', t))
  FROM unnest(ARRAY['attachment', 'invoice', 'entry', 'quarantine', 'customer', 'customer_setting', 'sequences']) t;
SELECT tap.ok((SELECT count(*) FROM dump_result WHERE line ~ '^src (invoice|entry|quarantine|customer|customer_setting) [1-9]') = 5,
              'the dumped ledger was not empty');
SELECT tap.is((SELECT line FROM dump_result WHERE line LIKE 'restored%'), 'restored trigger 40.00 0 2',
              'the restored triggers (partitions'' too) book new writes and reconcile finds nothing');

SELECT * FROM tap.finish();
ROLLBACK;
