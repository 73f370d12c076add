-- Runs as role arcollect_suite with an empty search_path (README, Tests).
-- pg_dump and pg_restore keep every record: whatever tables arcollect
-- registers with pg_extension_config_dump (pg_extension.extconfig), a
-- restored database holds exactly the rows of the dumped one, table by
-- table (to_jsonb of every row, compared both ways with EXCEPT ALL), and
-- its sequences go on from the same value.  The tables are read off the
-- catalog, not listed here, so a record kind added later is covered as
-- soon as it is registered; the records are filled through the public
-- functions, each only when the function exists (to_regprocedure), so
-- this file runs before and after a record kind is merged.
--
-- The dump holds disputes that a fresh check would refuse: one closed (a
-- new dispute starts open) and one disputing more than is open now (its
-- invoice was paid since).  pg_restore loads them through the dispute
-- trigger (COPY fires it); what lets them in is the trigger's restore
-- path, rows that say they were created before the transaction, inserted
-- by the tables' owner (sql/code/dispute.sql); without it the restore
-- stops at the closed dispute.  The dump is restored twice, statement by
-- statement and in one transaction (--single-transaction).  Not with
-- --jobs: the extension's foreign keys (a dispute's reason) exist before
-- the data is loaded, and parallel jobs load the tables in no fixed
-- order (README, Restore and import).
--
-- As test/ledger_dump_restore.sql, the scenario needs committed data, so
-- it runs in databases of its own through a shell (COPY FROM PROGRAM),
-- as the DBA (a superuser), who fills the records too; every session has
-- an empty search_path.
BEGIN;
SELECT tap.plan(7);

-- What the shell reports: (database, what, value) lines.
CREATE TEMP TABLE restore_result (db text, what text, value text);

SET ROLE NONE;
SELECT setting AS bindir FROM pg_catalog.pg_config WHERE name = 'BINDIR' \gset
RESET ROLE;

SELECT replace(replace(replace($sh$
set -e
export PGHOST='@HOST@' PGPORT=@PORT@ PATH='@BINDIR@':$PATH
export PGOPTIONS='-c client_min_messages=error -c search_path='
src=arcollect_records_src_$$
single=arcollect_records_single_$$
plain=arcollect_records_plain_$$
file=$(mktemp /tmp/arcollect_records.XXXXXX)
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $src" -c "CREATE DATABASE $single" \
     -c "CREATE DATABASE $plain" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d $src >/dev/null <<'SQL'
CREATE EXTENSION arcollect;
CREATE SCHEMA rbilling;
CREATE TABLE rbilling.bill (id text PRIMARY KEY, cust text NOT NULL, amount numeric(12,2), issued date,
                            due date, cur text, paid numeric(12,2) DEFAULT 0);
SELECT arcollect.attach('rbilling.bill', key => 'id', customer => 'cust', amount => 'amount', due_on => 'due',
                        issued_on => 'issued', currency => 'cur', paid => 'paid');
INSERT INTO rbilling.bill VALUES
    ('RDR-1', 'RD1', 100, current_date - 60, current_date - 30, 'EUR', 0),
    ('RDR-2', 'RD1', 200, current_date - 50, current_date - 20, 'EUR', 0),
    ('RDR-3', 'RD2', 300, current_date - 40, current_date - 10, 'USD', 0),
    ('RDR-4', 'RD3', 400, current_date - 40, current_date - 10, 'EUR', 0);
-- a reason of the users' own, and disputes: one closed, one that
-- disputes more than is open once the invoice is partly paid
INSERT INTO arcollect.dispute_reason (reason_code, description) VALUES ('wrong_address', 'Billed to the wrong address.');
SELECT arcollect.open_dispute('RDR-1', 'wrong_address', 80, note => 'see letter');
SELECT arcollect.close_dispute(arcollect.open_dispute('RDR-2', 'pricing', 20), 'credited', E'credit note\nto follow');
SELECT arcollect.open_dispute('RDR-2', 'quantity', 30);
UPDATE rbilling.bill SET paid = 50 WHERE id = 'RDR-1';
-- the record kinds of the other functions, where they exist
DO $do$
DECLARE
    tp bigint;
BEGIN
    IF pg_catalog.to_regprocedure('arcollect.create_payment_plan(text, date[], numeric[], text[], integer, date)') IS NOT NULL THEN
        PERFORM arcollect.create_payment_plan('RD2', ARRAY[current_date + 10, current_date + 40], ARRAY[100, 200]::numeric[],
                                              ARRAY['RDR-3']);
    END IF;
    IF pg_catalog.to_regprocedure('arcollect.log_touchpoint(text, text, text, text, text, timestamptz, text)') IS NOT NULL THEN
        tp := arcollect.log_touchpoint('RD3', 'call', outcome => 'promise', notes => 'will pay half');
        INSERT INTO arcollect.touchpoint_invoice (touchpoint_id, invoice_key) VALUES (tp, 'RDR-4');
    END IF;
    IF pg_catalog.to_regprocedure('arcollect.promise_to_pay(text, numeric, date, date, bigint)') IS NOT NULL THEN
        PERFORM arcollect.promise_to_pay('RD3', 200, current_date + 7, touchpoint_id => tp);
    END IF;
    -- an installed message template edited (dumped, and on restore in
    -- place of the installed one) and one of the users' own
    IF pg_catalog.to_regclass('arcollect.message_template') IS NOT NULL THEN
        UPDATE arcollect.message_template SET subject = 'Reminder: {{total_overdue}} {{currency}} overdue'
         WHERE template_name = 'friendly_reminder' AND language = 'en' AND channel = 'email';
        INSERT INTO arcollect.message_template (template_name, language, channel, subject, body)
        VALUES ('thanks', 'en', 'email', 'Thank you', E'Dear {{customer_name}},\nthank you for your payment.');
    END IF;
END
$do$;
SQL
# Every row of every table arcollect registers, and every sequence's
# state, as (what, value) lines: the table's name and to_jsonb of a row.
# (Backslashes doubled for COPY: to_jsonb writes a newline as \n.)
rows() {
    psql -X -At -F '	' -v ON_ERROR_STOP=1 -d "$1" <<'SQL' | sed 's/\\/\\\\/g; s/^/'"$2"'	/'
SELECT format(CASE c.relkind WHEN 'S' THEN 'SELECT %L, to_jsonb(s) FROM (SELECT last_value, is_called FROM %s) s'
                             ELSE 'SELECT %L, to_jsonb(t) FROM %s t' END,
              c.oid::regclass, c.oid::regclass)
  FROM pg_catalog.pg_extension e
 CROSS JOIN LATERAL pg_catalog.unnest(e.extconfig) x(relid)
  JOIN pg_catalog.pg_class c ON c.oid = x.relid
 WHERE e.extname = 'arcollect'
\gexec
SQL
}
pg_dump -Fc -d $src -f "$file"
pg_restore --single-transaction --exit-on-error -d $single "$file"
pg_restore --exit-on-error -d $plain "$file"
rows $src src
rows $single single
rows $plain plain
for db in $plain $single; do
    psql -X -At -F '	' -v ON_ERROR_STOP=1 -d $db <<'SQL' | sed "s/^/${db%_*}	/; s/^arcollect_records_//"
SELECT 'seeded reasons', count(*) || ' ' || count(DISTINCT reason_code) FROM arcollect.dispute_reason WHERE seeded;
SELECT 'new dispute', arcollect.open_dispute('RDR-2', 'other', 10);
SELECT 'disputed RDR-2', disputed_amount FROM arcollect.invoice_disputed_amount WHERE invoice_key = 'RDR-2';
SQL
done
rm -f "$file"
# (dropped in the background, a moment later: see test/ledger_dump_restore.sql)
(sleep 2; psql -X -q -d postgres -c "DROP DATABASE $src" -c "DROP DATABASE $single" \
               -c "DROP DATABASE $plain") >/dev/null 2>&1 </dev/null &
$sh$,
    '@HOST@', :'HOST'), '@PORT@', :'PORT'), '@BINDIR@', :'bindir') AS script \gset
SET ROLE NONE;
COPY restore_result FROM PROGRAM :'script';
RESET ROLE;

CREATE TEMP TABLE restored_row AS
SELECT db, what AS relation, value::jsonb AS row_value FROM restore_result WHERE what LIKE 'arcollect.%';

-- Every table arcollect registers, with the rows it should have: a table
-- left empty would prove nothing.
SELECT tap.is((SELECT string_agg(relation, ', ' ORDER BY relation)
                 FROM (SELECT DISTINCT relation FROM restored_row WHERE db = 'src') r
                WHERE relation IN ('arcollect.attachment', 'arcollect.invoice', 'arcollect.entry',
                                   'arcollect.dispute', 'arcollect.dispute_reason',
                                   'arcollect.dispute_dispute_id_seq')),
              'arcollect.attachment, arcollect.dispute, arcollect.dispute_dispute_id_seq, arcollect.dispute_reason, arcollect.entry, arcollect.invoice',
              'the dumped database had attachments, invoices, entries, disputes and a reason of the users''');
SELECT tap.is((SELECT string_agg(DISTINCT relation, ', ' ORDER BY relation)
                 FROM restored_row
                WHERE db = 'src'
                  AND relation IN ('arcollect.payment_plan', 'arcollect.plan_installment', 'arcollect.plan_invoice', 'arcollect.promise',
                                   'arcollect.touchpoint', 'arcollect.touchpoint_invoice')),
              (SELECT string_agg(DISTINCT c.oid::regclass::text, ', ' ORDER BY c.oid::regclass::text)
                 FROM pg_catalog.pg_class c
                WHERE c.oid IN (pg_catalog.to_regclass('arcollect.payment_plan'), pg_catalog.to_regclass('arcollect.plan_installment'), pg_catalog.to_regclass('arcollect.plan_invoice'),
                                pg_catalog.to_regclass('arcollect.promise'), pg_catalog.to_regclass('arcollect.touchpoint'),
                                pg_catalog.to_regclass('arcollect.touchpoint_invoice'))),
              'it had a row in each table of plans, promises and touchpoints this version has');

-- Each restored database against the dumped one, both ways: a row lost,
-- one made twice or one changed shows, with its table.
SELECT tap.is((SELECT string_agg(format('%s %s %s', side, relation, row_value), E'\n' ORDER BY relation, side)
                 FROM (SELECT 'lost' AS side, * FROM
                        (SELECT relation, row_value FROM restored_row WHERE db = 'src'
                         EXCEPT ALL
                         SELECT relation, row_value FROM restored_row WHERE db = d) l
                       UNION ALL
                       SELECT 'added', * FROM
                        (SELECT relation, row_value FROM restored_row WHERE db = d
                         EXCEPT ALL
                         SELECT relation, row_value FROM restored_row WHERE db = 'src') a) diff),
              NULL, format('restored by pg_restore%s: every row of every registered table, and every sequence, as dumped',
                           CASE d WHEN 'single' THEN ' --single-transaction' ELSE '' END))
  FROM unnest(ARRAY['plain', 'single']) d;

-- The seeded reasons are not dumped (a restore installs them, the dump
-- holds only the users'), so they are there once.
SELECT tap.is((SELECT string_agg(db || ' ' || value, ', ' ORDER BY db) FROM restore_result WHERE what = 'seeded reasons'),
              'plain 9 9, single 9 9', 'the seeded reasons are in a restored database once each');

-- The restored sequence and trigger: a new dispute takes the next id
-- (the dump held 3) and is checked against what is open now (RDR-2:
-- 200 open, 30 under open dispute, then 10 more).
SELECT tap.is((SELECT string_agg(db || ' ' || value, ', ' ORDER BY db) FROM restore_result WHERE what = 'new dispute'),
              'plain 4, single 4', 'a new dispute in a restored database gets the next id');
SELECT tap.is((SELECT string_agg(db || ' ' || value, ', ' ORDER BY db) FROM restore_result WHERE what = 'disputed RDR-2'),
              'plain 40, single 40', 'and counts with the restored open disputes of its invoice');

SELECT * FROM tap.finish();
ROLLBACK;
