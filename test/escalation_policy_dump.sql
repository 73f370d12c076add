-- Runs as role arcollect_suite with an empty search_path (README, Tests).
-- pg_dump and pg_restore keep the escalation policies as they were
-- edited.  The installed policy default is not dumped while it is as
-- installed (the restore's install makes it); once an admin edits it (a
-- step inserted and the ones after it renumbered, a step dropped), the
-- whole edited ladder is dumped, and restoring it into a fresh install
-- replaces the installed one (sql/code/escalation_policy.sql), with no
-- step of the installed ladder left over.  A policy of the users' own,
-- a segment's policy and customers naming policies come back too.
-- Restored statement by statement and in one transaction
-- (--single-transaction); a database whose default was never edited
-- restores it once, still seeded.  As test/ledger_dump_restore.sql, in
-- databases of their own through a shell (COPY FROM PROGRAM), as the DBA.
BEGIN;
SELECT tap.plan(8);

CREATE TEMP TABLE dump_result (db text, what text, value text);

SET ROLE NONE;
SELECT setting AS bindir FROM pg_catalog.pg_config WHERE name = 'BINDIR' \gset
RESET ROLE;

SELECT replace(replace(replace($sh$
set -e
export PGHOST='@HOST@' PGPORT=@PORT@ PATH='@BINDIR@':$PATH
export PGOPTIONS='-c client_min_messages=error -c search_path='
edited=arcollect_policy_edited_$$
plain=arcollect_policy_plain_$$
single=arcollect_policy_single_$$
asis=arcollect_policy_asis_$$
asis_dst=arcollect_policy_asis_dst_$$
file=$(mktemp /tmp/arcollect_policy.XXXXXX)
for db in $edited $plain $single $asis $asis_dst; do
    psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $db" >/dev/null
done
psql -X -q -v ON_ERROR_STOP=1 -d $asis -c 'CREATE EXTENSION arcollect' >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d $edited >/dev/null <<'SQL'
CREATE EXTENSION arcollect;
BEGIN;
UPDATE arcollect.policy_step SET step_no = step_no + 1 WHERE policy_name = 'default' AND step_no >= 3;
INSERT INTO arcollect.policy_step (policy_name, step_no, days_from_due, channel, template_name, action)
VALUES ('default', 3, 7, 'sms', 'sms_reminder', 'remind');
DELETE FROM arcollect.policy_step WHERE policy_name = 'default' AND action = 'agency_referral';
COMMIT;
INSERT INTO arcollect.policy (policy_name, description) VALUES ('gentle', 'Later and softer.');
INSERT INTO arcollect.policy_step (policy_name, step_no, days_from_due, channel, template_name, action,
                                   min_overdue_amount, fee_regime, interest_rate)
VALUES ('gentle', 1, 10, 'email', 'friendly_reminder', 'remind', 0, NULL, NULL),
       ('gentle', 2, 45, 'email', 'late_fee_notice', 'fee', 100, 'uk', 0.0925);
INSERT INTO arcollect.segment_policy (segment, policy_name) VALUES ('smb', 'gentle');
INSERT INTO arcollect.customer (customer_id, segment, escalation_policy)
VALUES ('c1', 'smb', NULL), ('c2', 'smb', 'default'), ('c3', NULL, NULL);
SQL
check="SELECT 'policy', count(*) || ' ' || md5(string_agg(t::text, ',' ORDER BY t.policy_name)) FROM arcollect.policy t
UNION ALL SELECT 'policy_step', count(*) || ' ' || md5(string_agg(t::text, ',' ORDER BY t.policy_name, t.step_no)) FROM arcollect.policy_step t
UNION ALL SELECT 'segment_policy', count(*) || ' ' || md5(string_agg(t::text, ',' ORDER BY t.segment)) FROM arcollect.segment_policy t
UNION ALL SELECT 'customer_policy', string_agg(t::text, ',' ORDER BY t.customer_id) FROM arcollect.customer_policy t
UNION ALL SELECT 'default', string_agg(t.step_no || ':' || t.days_from_due || ':' || t.action, ' ' ORDER BY t.step_no) || ' seeded ' || (SELECT p.seeded FROM arcollect.policy p WHERE p.policy_name = 'default') FROM arcollect.policy_step t WHERE t.policy_name = 'default'"
pg_dump -Fc -d $edited -f "$file"
pg_restore -d $plain "$file"
pg_restore --single-transaction -d $single "$file"
for db in $edited $plain $single; do
    psql -X -At -F '|' -d $db -c "$check" | sed "s/^/${db%_$$}|/"
done
pg_dump -Fc -d $asis -f "$file"
pg_restore -d $asis_dst "$file"
for db in $asis $asis_dst; do
    psql -X -At -F '|' -d $db -c "$check" | sed "s/^/${db%_$$}|/"
done
rm -f "$file"
# (dropped a moment later, once this script's session can acknowledge it:
# see test/ledger_dump_restore.sql)
(sleep 2; for db in $edited $plain $single $asis $asis_dst; do psql -X -q -d postgres -c "DROP DATABASE $db"; done) \
    >/dev/null 2>&1 </dev/null &
$sh$,
    '@HOST@', :'HOST'), '@PORT@', :'PORT'), '@BINDIR@', :'bindir') AS script \gset
SET ROLE NONE;
COPY dump_result FROM PROGRAM :'script' (FORMAT csv, DELIMITER '|');
RESET ROLE;

SELECT tap.is((SELECT value FROM dump_result WHERE db = 'arcollect_policy_edited' AND what = 'default'),
              '1:-3:remind 2:1:remind 3:7:remind 4:15:call 5:30:letter 6:60:final_notice seeded false',
              'the edited default ladder, as the admin left it, is the user''s');
SELECT tap.is((SELECT value FROM dump_result WHERE db = r AND what = 'default'),
              (SELECT value FROM dump_result WHERE db = 'arcollect_policy_edited' AND what = 'default'),
              format('%s: the restored default is the edited ladder, no installed step left over', r))
  FROM unnest(ARRAY['arcollect_policy_plain', 'arcollect_policy_single']) r;
SELECT tap.is((SELECT string_agg(d.what || ' ' || d.value, E'\n' ORDER BY d.what) FROM dump_result d WHERE d.db = r),
              (SELECT string_agg(d.what || ' ' || d.value, E'\n' ORDER BY d.what) FROM dump_result d
                WHERE d.db = 'arcollect_policy_edited'),
              format('%s: every policy, step, segment policy and customer''s policy as dumped', r))
  FROM unnest(ARRAY['arcollect_policy_plain', 'arcollect_policy_single']) r;
SELECT tap.is((SELECT value FROM dump_result WHERE db = 'arcollect_policy_plain' AND what = 'customer_policy'),
              '(c1,gentle,segment),(c2,default,customer),(c3,default,default)',
              'the customers follow the policies they followed');
SELECT tap.is((SELECT value FROM dump_result WHERE db = 'arcollect_policy_asis_dst' AND what = 'default'),
              '1:-3:remind 2:1:remind 3:15:call 4:30:letter 5:60:final_notice 6:90:agency_referral seeded true',
              'a default never edited is restored as installed, once, still seeded');
SELECT tap.is((SELECT string_agg(d.what || ' ' || d.value, E'\n' ORDER BY d.what) FROM dump_result d
                WHERE d.db = 'arcollect_policy_asis_dst'),
              (SELECT string_agg(d.what || ' ' || d.value, E'\n' ORDER BY d.what) FROM dump_result d
                WHERE d.db = 'arcollect_policy_asis'),
              'and the policy tables are as in the dumped database');

SELECT * FROM tap.finish();
ROLLBACK;
