-- Upgrade to 0.2.0, last part: new tables or event triggers that need the
-- new code, and data migration, run after the code of sql/code/ is
-- replayed.

-- The aggregates' state is arcollect.aggregate_state
-- (sql/schema/aggregate_state.sql), no longer internal, so that Citus
-- pushes them down to its workers.  The code replayed before this file
-- replaced each aggregate in place (CREATE OR REPLACE AGGREGATE keeps its
-- grants and comment, and the user's views that call it) with support
-- functions that take the new state; 0.1.0's, which take internal, and
-- its serialize and deserialize functions go.
DROP FUNCTION
    arcollect.aging_transfn(internal, date, numeric, date),
    arcollect.aging_transfn(internal, date, numeric, date, integer[]),
    arcollect.aging_combinefn(internal, internal),
    arcollect.aging_serialize(internal),
    arcollect.aging_deserialize(bytea, internal),
    arcollect.aging_finalfn(internal),
    arcollect.avg_payment_delay_transfn(internal, date, date, numeric),
    arcollect.avg_payment_delay_combinefn(internal, internal),
    arcollect.avg_payment_delay_serialize(internal),
    arcollect.avg_payment_delay_deserialize(bytea, internal),
    arcollect.avg_payment_delay_finalfn(internal),
    arcollect.avg_days_late_transfn(internal, date, date),
    arcollect.avg_days_late_combinefn(internal, internal),
    arcollect.avg_days_late_serialize(internal),
    arcollect.avg_days_late_deserialize(bytea, internal),
    arcollect.avg_days_late_finalfn(internal),
    arcollect.dso_transfn(internal, date, numeric, numeric, date),
    arcollect.dso_transfn(internal, date, numeric, numeric, date, integer),
    arcollect.best_possible_dso_transfn(internal, date, date, numeric, numeric, date),
    arcollect.best_possible_dso_transfn(internal, date, date, numeric, numeric, date, integer),
    arcollect.dso_combinefn(internal, internal),
    arcollect.dso_serialize(internal),
    arcollect.dso_deserialize(bytea, internal),
    arcollect.dso_finalfn(internal),
    arcollect.dso_countback_transfn(internal, date, numeric, numeric, date),
    arcollect.dso_countback_combinefn(internal, internal),
    arcollect.dso_countback_serialize(internal),
    arcollect.dso_countback_deserialize(bytea, internal),
    arcollect.dso_countback_finalfn(internal),
    arcollect.risk_score_transfn(internal, date, date, numeric, numeric, date),
    arcollect.risk_score_combinefn(internal, internal),
    arcollect.risk_score_serialize(internal),
    arcollect.risk_score_deserialize(bytea, internal),
    arcollect.risk_score_finalfn(internal);

-- Payments are append-only (sql/schema/ledger_tables.sql): a payments
-- table's trigger writes entries only, and arcollect.invoice loses
-- applied and open_amount.  Nothing is lost: both are derivable from the
-- history, applied as the sum of an invoice's entries from payments
-- tables, open_amount as booked_amount plus all of its entries
-- (arcollect._open_amount).  Dropped here, once the code replayed before
-- this file no longer reads them; without CASCADE, so that the upgrade
-- fails rather than drop a view or function of the user's that reads
-- them.
ALTER TABLE arcollect.invoice DROP COLUMN applied, DROP COLUMN open_amount;
-- 0.1.0 gave a key known only from payments an invoice row holding
-- nothing but its applied amount; 0.2.0 has its entries only.  Such rows
-- go (never booked, not in the billing table, nothing else in them), so
-- that an upgraded ledger is what a fresh one would be; their entries
-- stay, and the invoice is booked with them when it is billed.
DELETE FROM arcollect.invoice i
 WHERE i.booked_on IS NULL AND NOT i.in_billing AND i.booked_amount = 0
   AND i.customer_id IS NULL AND i.currency IS NULL AND i.issued_on IS NULL AND i.due_on IS NULL
   AND i.amount = 0 AND i.paid = 0 AND i.void_amount = 0 AND i.owner IS NULL AND i.status IS NULL;
COMMENT ON TABLE arcollect.invoice IS
'What the billing table says of every invoice it has held, one row per invoice key and attachment. Its current open amount is booked_amount plus the sum of its rows in arcollect.entry (see arcollect.open_items); the part the billing table accounts for, amount - paid + void_amount, equals booked_amount plus the entries the billing table booked. A key known only from payments has entries and no row here.';
COMMENT ON COLUMN arcollect.invoice.issued_on IS 'Issue date; NULL for a key written by a statement that deleted its row or made it unusable before it was ever booked.';
COMMENT ON COLUMN arcollect.invoice.in_billing IS 'True while a usable row with this key is in the billing table; false after a delete or while quarantined.';
COMMENT ON COLUMN arcollect.invoice.booked_amount IS 'Amount the invoice was first booked with (its first entry in the history, kind invoice or credit_note); 0 until the billing table has had a usable row of the invoice. Later changes are rows of arcollect.entry.';
COMMENT ON COLUMN arcollect.invoice.booked_on IS 'Date the booking takes effect: the issue date when the invoice was first booked; NULL while it never was.';

-- The quarantine's unique key is on a digest of the invoice key, which
-- may be longer than a btree entry takes (arcollect._key_digest is new).
DROP INDEX arcollect.quarantine_invoice_key;
CREATE UNIQUE INDEX quarantine_invoice_key
    ON arcollect.quarantine (attachment_id, arcollect._key_digest(invoice_key))
    WHERE row_kind = 'invoice';
COMMENT ON COLUMN arcollect.quarantine.reason IS 'Why the row was not used: key_too_long, duplicate_key, missing_customer, customer_too_long, owner_too_long, missing_amount, invalid_amount, missing_issue_date, missing_due_date, invalid_date, due_before_issue, missing_currency, unknown_currency, negative_amount, missing_open_amount, missing_invoice_key, missing_paid_on or unknown_kind.';

-- attach and attach_payments have new parameters (see -before.sql): the
-- roles 0.1.0's were granted to by name keep them (not PUBLIC, which 0.2.0
-- does not give them to).
DO $do$
DECLARE
    g record;
BEGIN
    FOR g IN SELECT f.new_fn, x.grantee, x.is_grantable
               FROM (VALUES ('arcollect.attach_0_1_0(regclass, text, text, text, text, text, text, text, text, text, text, boolean, text, text[], text[])'::pg_catalog.regprocedure,
                             'arcollect.attach(regclass, text, text, text, text, text, text, text, text, text, text, boolean, text, text[], text[], text, text)'::pg_catalog.regprocedure),
                            ('arcollect.attach_payments_0_1_0(regclass, text, text, text, text, regclass, boolean)'::pg_catalog.regprocedure,
                             'arcollect.attach_payments(regclass, text, text, text, text, regclass, boolean, text)'::pg_catalog.regprocedure)) f(old_fn, new_fn)
               JOIN pg_catalog.pg_proc p ON p.oid = f.old_fn
              CROSS JOIN LATERAL pg_catalog.aclexplode(p.proacl) x
              WHERE x.privilege_type = 'EXECUTE' AND x.grantee <> 0 AND x.grantee <> p.proowner
    LOOP
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO %I%s', g.new_fn,
                       pg_catalog.pg_get_userbyid(g.grantee),
                       CASE WHEN g.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
    END LOOP;
END
$do$;
DROP FUNCTION arcollect.attach_0_1_0(regclass, text, text, text, text, text, text, text, text, text,
                                     text, boolean, text, text[], text[]);
DROP FUNCTION arcollect.attach_payments_0_1_0(regclass, text, text, text, text, regclass, boolean);

-- The state of attached tables noted before each DDL command
-- (sql/schema/ledger_ddl.sql).
CREATE EVENT TRIGGER arcollect_ddl_snapshot ON ddl_command_start
    WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE', 'DROP TABLE', 'DROP INDEX', 'DROP SCHEMA',
                 'DROP OWNED', 'DROP TYPE', 'DROP DOMAIN', 'DROP EXTENSION', 'DROP FUNCTION',
                 'DROP PROCEDURE', 'DROP ROUTINE')
    EXECUTE FUNCTION arcollect._ddl_snapshot();

-- 0.1.0 attached temporary tables, which went with their session without
-- a DDL event: such an attachment still names the table's old OID.  It is
-- marked dropped, as a dropped table's is (its ledger rows stay).
WITH dead AS (
    UPDATE arcollect.attachment a
       SET dropped_table_name = format('(table with OID %s, gone)', a.billing_table::oid),
           billing_table = NULL, detached_at = coalesce(a.detached_at, now())
     WHERE a.billing_table IS NOT NULL
       AND NOT EXISTS (SELECT FROM pg_catalog.pg_class c WHERE c.oid = a.billing_table)
    RETURNING a.attachment_id)
DELETE FROM arcollect.quarantine q USING dead WHERE q.attachment_id = dead.attachment_id;

-- Quarantine keeps only the mapped columns of a row (0.1.0 kept the whole
-- row, unmapped columns too, which whoever reads quarantine could read).
-- 0.1.0 named each value by its column and wrote it as 0.2.0 does, so
-- keeping the mapped columns' values gives what 0.2.0 writes.  (Before
-- the re-import below, which compares quarantine with the tables.)
UPDATE arcollect.quarantine q
   SET row_data = (SELECT coalesce(pg_catalog.jsonb_object_agg(e.key, e.value), '{}')
                     FROM pg_catalog.jsonb_each(q.row_data) e
                    WHERE e.key IN (SELECT m.col::text FROM arcollect._mapping(a) m))
  FROM arcollect.attachment a
 WHERE a.attachment_id = q.attachment_id;

COMMENT ON COLUMN arcollect.quarantine.row_data IS
'The mapped columns of the row as it was written (key and mapped fields, what its owner needs to correct it): a JSON object of column names and values as text; for duplicate_key, the JSON array of the objects of the rows that share the key.';

-- Statuses.  0.1.0 stored void_statuses and credit_statuses lowered in
-- the database's collation but compared the rows' statuses with ASCII
-- letters folded only, so a status given with upper-case non-ASCII
-- letters ('ANNULÉ', stored 'annulé') never matched its own spelling.
-- The stored values already are what the new rule (arcollect.ascii_lower)
-- makes of a lower-case spelling, but the spelling given is lost: add, for
-- each stored status with such letters, its upper-case spelling folded by
-- the new rule ('annulÉ'), so that both the all-lower-case and the
-- all-upper-case spellings match.  Rows with the added spellings become
-- void or credit notes: the re-import below books them.  (Attaching a
-- table again with its lists replaces them exactly.)
WITH spelled AS (
    SELECT a.attachment_id,
           ARRAY(SELECT x.v
                   FROM (SELECT arcollect.ascii_lower(upper(u.s)) AS v, min(u.n) AS n
                           FROM unnest(a.void_statuses) WITH ORDINALITY u(s, n) GROUP BY 1) x
                  WHERE x.v <> ALL (a.void_statuses) ORDER BY x.n) AS void_added,
           ARRAY(SELECT x.v
                   FROM (SELECT arcollect.ascii_lower(upper(u.s)) AS v, min(u.n) AS n
                           FROM unnest(a.credit_statuses) WITH ORDINALITY u(s, n) GROUP BY 1) x
                  WHERE x.v <> ALL (a.credit_statuses) ORDER BY x.n) AS credit_added
      FROM arcollect.attachment a)
UPDATE arcollect.attachment a
   SET void_statuses = a.void_statuses || s.void_added,
       credit_statuses = a.credit_statuses || s.credit_added
  FROM spelled s
 WHERE s.attachment_id = a.attachment_id
   AND cardinality(s.void_added) + cardinality(s.credit_added) > 0;

-- Between installing this build and running the update, the trigger
-- booked nothing (its library and the old SQL objects do not go
-- together; see src/ledger_trigger.c), so every attached table whose
-- ledger no longer ties out is brought up to date: billing tables first,
-- then the payments tables that apply to them.  Changes the billing data
-- does not date are dated today, as the trigger would have dated them.
DO $do$
DECLARE
    a record;
BEGIN
    FOR a IN SELECT t.attachment_id, t.billing_table FROM arcollect.attachment t
              WHERE t.detached_at IS NULL ORDER BY t.kind = 'payments', t.attachment_id LOOP
        IF EXISTS (SELECT FROM arcollect.reconcile(a.billing_table)) THEN
            PERFORM arcollect._import(a.attachment_id);
        END IF;
    END LOOP;
END
$do$;

-- 0.1.0 built quarantine data from every column of the row.
DROP FUNCTION arcollect._row_json_sql(regclass, text);

-- 0.1.0's helpers behind attach and detach, which trusted their callers:
-- 0.2.0 registers attachments with _attach_register(caller, attachment)
-- and _detach, which check the caller's rights, and checks a table with
-- _check_attachable(table, kind) and a mapping with _check_mapping.
DROP FUNCTION arcollect._attach_register(arcollect.attachment);
DROP FUNCTION arcollect._detach_register(regclass);
DROP FUNCTION arcollect._check_attachable(regclass);
DROP FUNCTION arcollect._mapped_column(regclass, text, text);

-- The extension's comment is the control file's, which CREATE EXTENSION
-- applies and ALTER EXTENSION UPDATE does not: 0.1.0 advertised dunning,
-- which arcollect does not have yet.  Keep this text equal to the control
-- file's comment.
COMMENT ON EXTENSION arcollect IS
    'Accounts-receivable collections: receivables ledger, aging, DSO, CEI, payment index, risk score';

-- What 0.2.0 refuses or books differently, in attachments made by 0.1.0:
-- unlogged tables (crash recovery empties them without telling the
-- ledger), and inheritance children, which 0.2.0 books with their parent
-- (0.1.0 put no triggers on them).
DO $do$
DECLARE
    r record;
BEGIN
    FOR r IN
        SELECT a.billing_table, c.relpersistence = 'u' AS unlogged,
               EXISTS (SELECT FROM pg_catalog.pg_inherits h WHERE h.inhparent = a.billing_table
                          AND arcollect._trigger_count(h.inhrelid::regclass) <> 4) AS children
          FROM arcollect.attachment a JOIN pg_catalog.pg_class c ON c.oid = a.billing_table
         WHERE a.detached_at IS NULL AND c.relkind = 'r'
    LOOP
        IF r.unlogged THEN
            RAISE WARNING 'attached table % is unlogged', r.billing_table
                USING DETAIL = 'Crash recovery empties an unlogged table without telling the ledger, which would keep its invoices open.',
                      HINT = format('ALTER TABLE %s SET LOGGED, or detach it.', r.billing_table);
        END IF;
        IF r.children THEN
            RAISE WARNING 'writes into the inheritance children of attached table % are not booked yet', r.billing_table
                USING DETAIL = 'The ledger now books the rows of inheritance children with their parent.',
                      HINT = 'Attach the table again (arcollect.attach with its mapping): it puts the triggers on them.';
        END IF;
    END LOOP;
END
$do$;

-- Customers (see -before.sql): what users set in 0.1.0's table moves to
-- arcollect.customer_setting, so that arcollect.customer shows every
-- customer as it did.  0.1.0 wrote the owner of a new customer itself and
-- kept no trace of edits, so a row is moved when it differs from what the
-- view now derives from the invoices: a customer no invoice names
-- (created by hand), an owner other than the derived one (only that owner
-- is kept; an owner equal to it keeps following the invoices), or any
-- other setting away from its default.  created_at is kept with it (the
-- time a customer was created by hand cannot be derived).
-- Escalation policies (sql/schema/escalation_policy.sql): a customer's
-- escalation_policy now names a policy of arcollect.policy.  0.1.0 had no
-- policies, only the name, so a name that is not a policy yet becomes one,
-- a copy of the installed default ladder (the user's: an admin edits it,
-- pg_dump keeps it), and a WARNING says so.  A name that cannot be a
-- policy name stops the upgrade: the customers keep it until it is
-- renamed, on 0.1.0.
DO $do$
DECLARE
    bad text;
    made text;
BEGIN
    SELECT string_agg(DISTINCT pg_catalog.quote_literal(o.escalation_policy), ', ') INTO bad
      FROM arcollect.customer_0_1_0 o
     WHERE NOT (o.escalation_policy ~ '^[a-z][a-z0-9]*(_[a-z0-9]+)*$' AND length(o.escalation_policy) <= 63);
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'escalation policy names % cannot be policy names', bad
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'arcollect 0.2.0 names escalation policies in lower-case letters and digits with single underscores between words, at most 63 characters, and customers name existing ones.',
                  HINT = 'On 0.1.0, UPDATE arcollect.customer SET escalation_policy = ... with such names (or NULL), then update the extension.';
    END IF;
    WITH named AS (
        INSERT INTO arcollect.policy (policy_name, description)
        SELECT DISTINCT o.escalation_policy,
               'Made by the upgrade to arcollect 0.2.0 for the customers that named it, as a copy of the default ladder.'
          FROM arcollect.customer_0_1_0 o
         WHERE o.escalation_policy IS NOT NULL
           AND NOT EXISTS (SELECT FROM arcollect.policy p WHERE p.policy_name = o.escalation_policy)
        RETURNING policy_name),
    steps AS (
        INSERT INTO arcollect.policy_step
               (policy_name, step_no, days_from_due, channel, template_name, action,
                min_overdue_amount, fee_regime, interest_rate)
        SELECT n.policy_name, s.step_no, s.days_from_due, s.channel, s.template_name, s.action,
               s.min_overdue_amount, s.fee_regime, s.interest_rate
          FROM named n CROSS JOIN arcollect.policy_step s
         WHERE s.policy_name = 'default')
    SELECT string_agg(pg_catalog.quote_literal(n.policy_name), ', ' ORDER BY n.policy_name) INTO made FROM named n;
    IF made IS NOT NULL THEN
        RAISE WARNING 'escalation policies % made as copies of the default policy', made
            USING DETAIL = 'Customers named them; arcollect 0.2.0 knows a policy by its steps.',
                  HINT = 'Edit their steps in arcollect.policy_step.';
    END IF;
END
$do$;
INSERT INTO arcollect.customer_setting
       (customer_id, name, owner, segment, credit_limit, time_zone, do_not_contact,
        opt_out_channels, escalation_policy, created_at)
SELECT o.customer_id, o.name, CASE WHEN o.owner IS DISTINCT FROM d.owner THEN o.owner END,
       o.segment, o.credit_limit, o.time_zone, o.do_not_contact, o.opt_out_channels,
       o.escalation_policy, o.created_at
  FROM arcollect.customer_0_1_0 o
  LEFT JOIN arcollect.customer d ON d.customer_id = o.customer_id
 WHERE d.customer_id IS NULL OR o.owner IS DISTINCT FROM d.owner
    OR o.name IS NOT NULL OR o.segment IS NOT NULL OR o.credit_limit IS NOT NULL
    OR o.time_zone <> 'UTC' OR o.do_not_contact OR o.opt_out_channels <> '{}'
    OR o.escalation_policy IS NOT NULL;

-- The roles granted rights on 0.1.0's table (a collector's UPDATE, a BI
-- role's SELECT) get them on the view, on the table or on the columns
-- they were given.
DO $do$
DECLARE
    g record;
BEGIN
    FOR g IN SELECT x.privilege_type, x.grantee, x.is_grantable, NULL::name AS col
               FROM pg_catalog.pg_class c
              CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) x
              WHERE c.oid = 'arcollect.customer_0_1_0'::pg_catalog.regclass
                AND x.grantee <> 0 AND x.grantee <> c.relowner
                AND x.privilege_type IN ('SELECT', 'INSERT', 'UPDATE', 'DELETE', 'REFERENCES', 'TRIGGER')
             UNION ALL
             SELECT x.privilege_type, x.grantee, x.is_grantable, a.attname
               FROM pg_catalog.pg_attribute a
              CROSS JOIN LATERAL pg_catalog.aclexplode(a.attacl) x
              WHERE a.attrelid = 'arcollect.customer_0_1_0'::pg_catalog.regclass AND a.attnum > 0
                AND x.grantee <> 0
                AND x.privilege_type IN ('SELECT', 'INSERT', 'UPDATE', 'REFERENCES')
    LOOP
        EXECUTE format('GRANT %s%s ON arcollect.customer TO %I%s', g.privilege_type,
                       CASE WHEN g.col IS NOT NULL THEN format(' (%I)', g.col) ELSE '' END,
                       pg_catalog.pg_get_userbyid(g.grantee),
                       CASE WHEN g.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
    END LOOP;
END
$do$;
-- (out of the extension first: that also takes it out of the tables
-- pg_dump dumps, which DROP TABLE alone leaves behind)
ALTER EXTENSION arcollect DROP TABLE arcollect.customer_0_1_0;
DROP TABLE arcollect.customer_0_1_0;

-- A customer's invoices and an invoice's entries are found by index
-- (sql/schema/ledger_tables.sql: invoice_customer, entry_invoice), so
-- that one customer's open items read that customer's rows only.
CREATE INDEX invoice_customer ON arcollect.invoice (customer_id);
CREATE INDEX entry_invoice ON arcollect.entry (invoice_key, attachment_id);
