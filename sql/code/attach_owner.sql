-- What attach, attach_payments and detach do with the extension owner's
-- rights, for a caller (the entry points of attach.sql call these through
-- src/ledger_gate.c, with the caller as their first argument): this file
-- is the one to review for what a caller can make arcollect do.  Every
-- action is checked against the caller's rights by one rule,
-- _check_rights, and the mapping by one validation, _check_mapping
-- (attach_checks.sql), both at registration (_attach_register), before
-- anything is locked or written.  Internal: executable by the extension
-- owner only (ledger_grants.sql).
--
-- The other code that runs with the extension owner's rights: the
-- billing-table trigger (src/ledger_trigger.c, which only books what the
-- writer wrote), reconcile's statement builder (src/ledger_gate.c, whose
-- statement then runs with the caller's rights), the DDL event triggers
-- (ledger_ddl.sql) and the customer view's edit trigger (customer.sql).

-- The rule for who may act on the attachment of table tbl (attach it,
-- attach it again, detach it, or name it as the invoices of a payments
-- table), given the columns cols the attachment maps: its owner (a member
-- of the owning role), or a role with the TRIGGER privilege on the table
-- and SELECT on each of those columns (on the table or on the column).
-- The ledger holds every row of an attached table, so a caller whom
-- row-level security would show only some of them may not either.
-- Raises insufficient_privilege naming what is missing.
CREATE OR REPLACE FUNCTION arcollect._check_rights(caller regrole, tbl regclass, cols name[])
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    c record;
    unreadable name;
BEGIN
    SELECT pg_has_role(caller, r.relowner, 'USAGE') AS owns,
           r.relrowsecurity AND NOT (u.rolsuper OR u.rolbypassrls)
               AND (r.relforcerowsecurity OR NOT pg_has_role(caller, r.relowner, 'USAGE')) AS row_security
      INTO STRICT c
      FROM pg_class r, pg_roles u
     WHERE r.oid = tbl AND u.oid = caller;
    IF NOT c.owns THEN
        IF NOT has_table_privilege(caller, tbl, 'TRIGGER') THEN
            RAISE EXCEPTION 'permission denied for table %', tbl
                USING ERRCODE = 'insufficient_privilege',
                      DETAIL = format('Role %s neither owns table %s nor has the TRIGGER privilege on it.', caller, tbl),
                      HINT = 'Attaching or detaching a table needs its ownership, or TRIGGER on it and SELECT on the columns the mapping names.';
        END IF;
        SELECT a.attname INTO unreadable
          FROM unnest(cols) m(col)
          JOIN pg_attribute a ON a.attrelid = tbl AND a.attname = m.col AND a.attnum > 0 AND NOT a.attisdropped
         WHERE NOT has_column_privilege(caller, tbl, a.attnum, 'SELECT')
         LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'permission denied for column "%" of table %', unreadable, tbl
                USING ERRCODE = 'insufficient_privilege',
                      DETAIL = format('The mapping names column "%s", which role %s may not read.', unreadable, caller),
                      HINT = 'Attaching or detaching a table needs its ownership, or TRIGGER on it and SELECT on the columns the mapping names.';
        END IF;
    END IF;
    IF c.row_security THEN
        RAISE EXCEPTION 'row-level security of table % applies to role %', tbl, caller
            USING ERRCODE = 'insufficient_privilege',
                  DETAIL = 'The ledger holds every row of an attached table, also rows its policies hide from the role.',
                  HINT = 'Attach the table as its owner (without FORCE ROW LEVEL SECURITY) or as a role with BYPASSRLS.';
    END IF;
END
$fn$;

-- (Re)creates arcollect's four statement-level triggers on tbl and its
-- partitions.  One trigger per event, because a trigger with transition
-- tables can only have one event.
CREATE OR REPLACE FUNCTION arcollect._install_triggers(tbl regclass)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    PERFORM arcollect._install_table_triggers(t) FROM arcollect._trigger_tables(tbl) t;
END
$fn$;

CREATE OR REPLACE FUNCTION arcollect._install_table_triggers(tbl regclass)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    PERFORM arcollect._drop_table_triggers(tbl);
    EXECUTE format('CREATE TRIGGER arcollect_ledger_insert AFTER INSERT ON %s'
                   ' REFERENCING NEW TABLE AS arcollect_new'
                   ' FOR EACH STATEMENT EXECUTE FUNCTION arcollect.ledger_trigger()', tbl);
    EXECUTE format('CREATE TRIGGER arcollect_ledger_update AFTER UPDATE ON %s'
                   ' REFERENCING OLD TABLE AS arcollect_old NEW TABLE AS arcollect_new'
                   ' FOR EACH STATEMENT EXECUTE FUNCTION arcollect.ledger_trigger()', tbl);
    EXECUTE format('CREATE TRIGGER arcollect_ledger_delete AFTER DELETE ON %s'
                   ' REFERENCING OLD TABLE AS arcollect_old'
                   ' FOR EACH STATEMENT EXECUTE FUNCTION arcollect.ledger_trigger()', tbl);
    EXECUTE format('CREATE TRIGGER arcollect_ledger_truncate AFTER TRUNCATE ON %s'
                   ' FOR EACH STATEMENT EXECUTE FUNCTION arcollect.ledger_trigger()', tbl);
END
$fn$;

-- Drops arcollect's triggers from tbl and its partitions, if there.
CREATE OR REPLACE FUNCTION arcollect._drop_triggers(tbl regclass)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    PERFORM arcollect._drop_table_triggers(t) FROM arcollect._trigger_tables(tbl) t;
END
$fn$;

CREATE OR REPLACE FUNCTION arcollect._drop_table_triggers(tbl regclass)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    t name;
BEGIN
    FOR t IN SELECT g.tgname FROM pg_trigger g
              WHERE g.tgrelid = tbl AND g.tgfoid = 'arcollect.ledger_trigger()'::regprocedure
    LOOP
        EXECUTE format('DROP TRIGGER %I ON %s', t, tbl);
    END LOOP;
END
$fn$;

-- Takes the lock of modes[i] on table tbls[i] (ONLY that table), for
-- every i, waiting while holding none of them.  Attaching and detaching
-- lock tables that writers may have written in any order, so taking them
-- one after the other could wait for a writer while holding a table that
-- writer goes on to write: a deadlock.  Instead every lock is tried
-- without waiting; when one is taken, all are let go (with the
-- subtransaction) and that one alone is waited for, then let go, and
-- everything is tried again.  lock_timeout applies to each wait.
CREATE OR REPLACE FUNCTION arcollect._lock_tables(tbls regclass[], modes text[])
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    busy integer;
BEGIN
    LOOP
        BEGIN
            FOR i IN 1 .. coalesce(cardinality(tbls), 0) LOOP
                busy := i;
                EXECUTE format('LOCK TABLE ONLY %s IN %s MODE NOWAIT', tbls[i], modes[i]);
            END LOOP;
            RETURN;
        EXCEPTION WHEN lock_not_available THEN
            NULL;
        END;
        BEGIN
            EXECUTE format('LOCK TABLE ONLY %s IN %s MODE', tbls[busy], modes[busy]);
            -- (raised to let the lock go with the subtransaction)
            RAISE EXCEPTION USING ERRCODE = 'raise_exception';
        EXCEPTION WHEN raise_exception THEN
            NULL;
        END;
    END LOOP;
END
$fn$;

-- Locks what attaching (importing) or detaching attachment a writes,
-- before it touches the ledger (_lock_tables): its table and the tables
-- below it, in the mode dropping (ACCESS EXCLUSIVE) or creating (SHARE
-- ROW EXCLUSIVE) its triggers takes; and, when importing, in SHARE mode
-- so that they are not written meanwhile, the tables whose writers write
-- the same ledger rows as its import: for a payments table the billing
-- table its payments belong to, for a billing table the payments tables
-- attached to it.  (Detaching only writes the attachment's own
-- quarantine.)
CREATE OR REPLACE FUNCTION arcollect._attach_lock(a arcollect.attachment, importing boolean)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    mine regclass[] := ARRAY(SELECT arcollect._trigger_tables(a.billing_table));
    mode text := CASE WHEN EXISTS (SELECT FROM unnest(mine) t WHERE arcollect._trigger_count(t) > 0)
                      THEN 'ACCESS EXCLUSIVE' ELSE 'SHARE ROW EXCLUSIVE' END;
    related regclass[] := ARRAY(
        SELECT t
          FROM arcollect.attachment x, arcollect._trigger_tables(x.billing_table) t
         WHERE importing AND x.detached_at IS NULL AND x.billing_table IS NOT NULL
           AND x.billing_table <> a.billing_table
           AND (x.attachment_id = a.invoices_attachment_id
                OR (a.kind = 'invoices' AND x.invoices_attachment_id = a.attachment_id
                    AND a.attachment_id IS NOT NULL))
           AND EXISTS (SELECT FROM pg_catalog.pg_class c WHERE c.oid = t));
BEGIN
    PERFORM arcollect._lock_tables(
        mine || related,
        array_fill(mode, ARRAY[cardinality(mine)]) || array_fill('SHARE'::text, ARRAY[cardinality(related)]));
END
$fn$;

-- Brings the ledger of an attachment in line with the whole table, as
-- attaching does: for a payments table, by taking back what it booked and
-- booking its rows again.  Returns the sync statement's counts (see
-- ledger_sync.sql).
-- It reads the table with the settings the trigger reads it with
-- (src/ledger_settings.c lists them; test/ledger_settings.sql checks the
-- SET clauses against the list), TimeZone the attachment's.
CREATE OR REPLACE FUNCTION arcollect._import(attachment_id integer,
                                  OUT rows_seen bigint, OUT rows_quarantined bigint,
                                  OUT first_key text, OUT first_reason text,
                                  OUT payments_undated bigint)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET DateStyle = 'ISO, MDY'
SET IntervalStyle = 'postgres'
SET extra_float_digits = 1
SET bytea_output = 'hex'
SET lc_monetary = 'C'
SET TimeZone = 'UTC'
AS $fn$
DECLARE
    a arcollect.attachment;
    step text;
    sql text;
BEGIN
    SELECT * INTO STRICT a FROM arcollect.attachment t WHERE t.attachment_id = _import.attachment_id;
    -- until the function returns (its SET clause scopes it)
    PERFORM pg_catalog.set_config('TimeZone', a.time_zone, true);
    IF a.kind = 'payments' THEN
        PERFORM arcollect._payments_clear(a.attachment_id);
    END IF;
    step := format('receivables ledger: importing table %s', a.billing_table);
    sql := arcollect._sync_sql(a.attachment_id, 'IMPORT');
    -- (one line: an error's context quotes this statement)
    SELECT * FROM arcollect._ledger_run(step, sql, a.attachment_id, coalesce(a.invoices_attachment_id, a.attachment_id), a.default_currency, a.void_statuses, a.credit_statuses) AS r(s bigint, q bigint, k text, reason text, u bigint) INTO rows_seen, rows_quarantined, first_key, first_reason, payments_undated;
END
$fn$;

-- Reports the rows an import of attachment_id could not use (count, and
-- the key and reason of the first): in strict mode an error, which undoes
-- the attach or DDL statement that imported, else a WARNING.
CREATE OR REPLACE FUNCTION arcollect._report_import(attachment_id integer, quarantined bigint,
                                                    first_key text, first_reason text)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    a arcollect.attachment;
BEGIN
    IF quarantined = 0 THEN
        RETURN;
    END IF;
    SELECT * INTO STRICT a FROM arcollect.attachment t WHERE t.attachment_id = _report_import.attachment_id;
    IF a.strict_mode THEN
        RAISE EXCEPTION 'row with invoice key "%" of table % cannot be used: %',
              coalesce(first_key, '(none)'), a.billing_table, arcollect.quarantine_reason_text(first_reason)
            USING ERRCODE = 'check_violation',
                  DETAIL = format('%s of the table cannot be used, and the table is attached in strict mode.',
                                  CASE WHEN quarantined = 1 THEN 'One row' ELSE quarantined || ' rows' END),
                  HINT = 'Correct the rows, or attach with strict => false to quarantine them.';
    END IF;
    RAISE WARNING 'arcollect quarantined % of table %',
          CASE WHEN quarantined = 1 THEN 'one row' ELSE quarantined || ' rows' END, a.billing_table
        USING DETAIL = format('The first has invoice key "%s": %s.', coalesce(first_key, '(none)'),
                              arcollect.quarantine_reason_text(first_reason)),
              HINT = 'See arcollect.quarantine; a row leaves quarantine once it is corrected in the table.';
END
$fn$;

-- Brings the ledger of an attachment in line with its table (_import), as
-- the DDL event triggers do, and reports the rows it could not use
-- (_report_import).  Returns the number of rows booked.
CREATE OR REPLACE FUNCTION arcollect._import_reported(attachment_id integer)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    r record := arcollect._import(attachment_id);
BEGIN
    PERFORM arcollect._report_import(attachment_id, r.rows_quarantined, r.first_key, r.first_reason);
    RETURN r.rows_seen - r.rows_quarantined;
END
$fn$;

-- Records the attachment a for caller (a new one, or new settings for a
-- table attached before, keeping its ledger), installs the triggers and
-- books the rows already in the table.  Whatever built a, the table, the
-- mapping and the caller's rights are checked here, on the billing table
-- and, for a payments table, on the billing table its keys refer to.
-- Returns the number of rows booked; unusable rows go to quarantine (or,
-- in strict mode, fail the call).  A billing table attached again with a
-- new paid_on column has the payments of its paid column dated by it
-- (_paid_redate).  Payments the import has no date for are dated today,
-- with a WARNING: the history before the attach is unknown.
CREATE OR REPLACE FUNCTION arcollect._attach_register(caller regrole, a arcollect.attachment)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    id integer;
    old_paid_on name;
    inv arcollect.attachment;
    r record;
BEGIN
    PERFORM arcollect._check_attachable(a.billing_table, a.kind);
    PERFORM arcollect._check_mapping(a);
    PERFORM arcollect._check_rights(caller, a.billing_table, ARRAY(SELECT m.col FROM arcollect._mapping(a) m));
    IF a.kind = 'payments' THEN
        SELECT * INTO inv FROM arcollect.attachment t
         WHERE t.attachment_id = a.invoices_attachment_id AND t.kind = 'invoices' AND t.billing_table IS NOT NULL;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'attachment % is not a billing table', a.invoices_attachment_id
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        PERFORM arcollect._check_rights(caller, inv.billing_table, ARRAY(SELECT m.col FROM arcollect._mapping(inv) m));
    END IF;

    -- (a is new: its attachment_id is the table's current one, if any)
    a.attachment_id := (SELECT t.attachment_id FROM arcollect.attachment t WHERE t.billing_table = a.billing_table);
    PERFORM arcollect._attach_lock(a, true);
    PERFORM arcollect._install_triggers(a.billing_table);
    SELECT t.attachment_id, t.paid_on_column INTO id, old_paid_on
      FROM arcollect.attachment t WHERE t.billing_table = a.billing_table;
    IF FOUND THEN
        UPDATE arcollect.attachment t
           SET kind = a.kind, invoices_attachment_id = a.invoices_attachment_id,
               key_column = a.key_column, customer_column = a.customer_column,
               amount_column = a.amount_column, due_on_column = a.due_on_column,
               issued_on_column = a.issued_on_column, currency_column = a.currency_column,
               paid_column = a.paid_column, open_column = a.open_column,
               owner_column = a.owner_column, status_column = a.status_column,
               invoice_key_column = a.invoice_key_column, paid_on_column = a.paid_on_column,
               kind_column = a.kind_column, default_currency = a.default_currency,
               void_statuses = a.void_statuses, credit_statuses = a.credit_statuses,
               strict_mode = a.strict_mode, time_zone = a.time_zone,
               attached_at = now(), detached_at = NULL
         WHERE t.attachment_id = id;
    ELSE
        INSERT INTO arcollect.attachment
               (billing_table, kind, invoices_attachment_id, key_column, customer_column,
                amount_column, due_on_column, issued_on_column, currency_column, paid_column,
                open_column, owner_column, status_column, invoice_key_column, paid_on_column,
                kind_column, default_currency, void_statuses, credit_statuses, strict_mode, time_zone)
        VALUES (a.billing_table, a.kind, a.invoices_attachment_id, a.key_column, a.customer_column,
                a.amount_column, a.due_on_column, a.issued_on_column, a.currency_column, a.paid_column,
                a.open_column, a.owner_column, a.status_column, a.invoice_key_column, a.paid_on_column,
                a.kind_column, a.default_currency, a.void_statuses, a.credit_statuses, a.strict_mode,
                a.time_zone)
        RETURNING attachment_id INTO id;
        old_paid_on := a.paid_on_column;
    END IF;

    IF a.kind = 'invoices' AND a.paid_on_column IS DISTINCT FROM old_paid_on
       AND a.paid_on_column IS NOT NULL THEN
        PERFORM arcollect._paid_redate(id);
    END IF;
    r := arcollect._import(id);
    PERFORM arcollect._report_import(id, r.rows_quarantined, r.first_key, r.first_reason);
    IF r.payments_undated > 0 AND a.paid_on_column IS NULL THEN
        RAISE WARNING 'arcollect dated the payments of % of table % today',
              CASE WHEN r.payments_undated = 1 THEN 'one invoice' ELSE r.payments_undated || ' invoices' END,
              a.billing_table
            USING DETAIL = format('Column "%s" says they were paid, in part or in full, but no column says when: the ledger counts them as paid today, and as-of reports for earlier dates show them still open (the history before today is unknown).',
                                  coalesce(a.paid_column, a.open_column)),
                  HINT = 'Attach the table again with paid_on => the column that dates the amount paid; it dates these payments and later ones.';
    ELSIF r.payments_undated > 0 THEN
        RAISE WARNING 'arcollect dated the payments of % of table % today',
              CASE WHEN r.payments_undated = 1 THEN 'one invoice' ELSE r.payments_undated || ' invoices' END,
              a.billing_table
            USING DETAIL = format('Column "%s" says they were paid, in part or in full, but their column "%s" is empty: the ledger counts them as paid today, and as-of reports for earlier dates show them still open.',
                                  coalesce(a.paid_column, a.open_column), a.paid_on_column),
                  HINT = format('Later changes of rows that have a date in column "%s" are dated by it.', a.paid_on_column);
    END IF;
    RETURN r.rows_seen - r.rows_quarantined;
END
$fn$;

-- arcollect.attach for caller: checks the parameters and builds the
-- attachment that _attach_register checks and records.  The parameters
-- after caller are attach's, read as $2 ... $18: open, key and strict are
-- also PL/pgSQL keywords.
CREATE OR REPLACE FUNCTION arcollect._attach(
    caller regrole,
    billing_table regclass,
    key text,
    customer text,
    amount text,
    due_on text,
    issued_on text,
    currency text,
    paid text,
    open text,
    owner text,
    status text,
    strict boolean,
    default_currency text,
    void_statuses text[],
    credit_statuses text[],
    paid_on text,
    time_zone text)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    tbl regclass := $2;
    a arcollect.attachment;
BEGIN
    IF tbl IS NULL OR $3 IS NULL OR $4 IS NULL OR $5 IS NULL OR $6 IS NULL OR $7 IS NULL THEN
        RAISE EXCEPTION 'attach needs billing_table, key, customer, amount, due_on and issued_on'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF $9 IS NOT NULL AND $10 IS NOT NULL THEN
        RAISE EXCEPTION 'give paid or open, not both'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'paid names the column of the amount paid so far, open the column of the amount still open; either one determines the other.';
    END IF;
    IF $17 IS NOT NULL AND $9 IS NULL AND $10 IS NULL THEN
        RAISE EXCEPTION 'paid_on needs paid or open'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'paid_on names the column that dates the amount paid, given by the paid or open column.',
                  HINT = 'Give paid => or open => as well, or leave paid_on out.';
    END IF;
    IF $8 IS NULL AND $14 IS NULL THEN
        RAISE EXCEPTION 'attach needs a currency column or a default currency for table %', tbl
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Give currency => the currency column, or default_currency => an ISO 4217 code such as ''EUR''.';
    END IF;
    IF $14 IS NOT NULL AND NOT arcollect.is_currency_code(arcollect.ascii_upper($14)) THEN
        RAISE EXCEPTION 'unknown currency code "%"', $14
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Give an ISO 4217 code such as ''EUR'' or ''USD''.';
    END IF;

    a.billing_table := tbl;
    a.kind := 'invoices';
    a.key_column := $3;
    a.customer_column := $4;
    a.amount_column := $5;
    a.due_on_column := $6;
    a.issued_on_column := $7;
    a.currency_column := $8;
    a.paid_column := $9;
    a.open_column := $10;
    a.owner_column := $11;
    a.status_column := $12;
    a.paid_on_column := $17;
    a.strict_mode := coalesce($13, false);
    -- by default the time zone of the session that attaches
    a.time_zone := arcollect._checked_time_zone(tbl, coalesce($18, pg_catalog.current_setting('TimeZone')));
    -- folded as the rows' values are before they are compared (arcollect.ascii_lower)
    a.default_currency := arcollect.ascii_upper($14);
    a.void_statuses := (SELECT coalesce(array_agg(arcollect.ascii_lower(s)), '{}') FROM unnest($15) s);
    a.credit_statuses := (SELECT coalesce(array_agg(arcollect.ascii_lower(s)), '{}') FROM unnest($16) s);
    RETURN arcollect._attach_register(caller, a);
END
$fn$;

-- arcollect.attach_payments for caller: checks the parameters, finds the
-- billing table the payments refer to, and builds the attachment that
-- _attach_register checks and records.
CREATE OR REPLACE FUNCTION arcollect._attach_payments(
    caller regrole,
    payments_table regclass,
    invoice_key text,
    amount text,
    paid_on text,
    kind text,
    invoices regclass,
    strict boolean,
    time_zone text)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    tbl regclass := $2;
    a arcollect.attachment;
    inv_id integer;
    n integer;
BEGIN
    IF tbl IS NULL OR $3 IS NULL OR $4 IS NULL OR $5 IS NULL THEN
        RAISE EXCEPTION 'attach_payments needs payments_table, invoice_key, amount and paid_on'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    -- the table's own problems first (_attach_register checks again)
    PERFORM arcollect._check_attachable(tbl, 'payments');
    IF $7 IS NULL THEN
        SELECT min(t.attachment_id), count(*) INTO inv_id, n
          FROM arcollect.attachment t
         WHERE t.kind = 'invoices' AND t.detached_at IS NULL
           -- (an attachment whose table went without a DDL event is dead)
           AND EXISTS (SELECT FROM pg_class c WHERE c.oid = t.billing_table);
        IF n <> 1 THEN
            RAISE EXCEPTION 'attach_payments needs to know which billing table % belongs to', tbl
                USING ERRCODE = 'invalid_parameter_value',
                      DETAIL = format('%s billing tables are attached.', n),
                      HINT = 'Give invoices => the billing table whose invoice keys the payments name.';
        END IF;
    ELSE
        SELECT t.attachment_id INTO inv_id
          FROM arcollect.attachment t WHERE t.billing_table = $7 AND t.kind = 'invoices';
        IF NOT FOUND THEN
            RAISE EXCEPTION 'table % is not an attached billing table', $7
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'Attach it with arcollect.attach first.';
        END IF;
    END IF;

    a.billing_table := tbl;
    a.kind := 'payments';
    a.invoices_attachment_id := inv_id;
    a.invoice_key_column := $3;
    a.amount_column := $4;
    a.paid_on_column := $5;
    a.kind_column := $6;
    a.strict_mode := coalesce($8, false);
    -- by default the time zone of the billing table the keys belong to
    a.time_zone := arcollect._checked_time_zone(
        tbl, coalesce($9, (SELECT t.time_zone FROM arcollect.attachment t WHERE t.attachment_id = inv_id)));
    a.void_statuses := '{}';
    a.credit_statuses := '{}';
    RETURN arcollect._attach_register(caller, a);
END
$fn$;

-- arcollect.detach for caller: takes arcollect's triggers off the table
-- and marks its attachment detached.  The ledger rows stay; quarantine
-- goes, as the rows are no longer watched.
CREATE OR REPLACE FUNCTION arcollect._detach(caller regrole, billing_table regclass)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    a arcollect.attachment;
BEGIN
    SELECT * INTO a FROM arcollect.attachment t WHERE t.billing_table = $2 AND t.detached_at IS NULL;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'table % is not attached', $2
            USING ERRCODE = 'undefined_object';
    END IF;
    PERFORM arcollect._check_rights(caller, $2, ARRAY(SELECT m.col FROM arcollect._mapping(a) m));
    PERFORM arcollect._attach_lock(a, false);
    PERFORM arcollect._drop_triggers($2);
    UPDATE arcollect.attachment t SET detached_at = now() WHERE t.attachment_id = a.attachment_id;
    DELETE FROM arcollect.quarantine q WHERE q.attachment_id = a.attachment_id;
    DELETE FROM arcollect.quarantine_release r WHERE r.attachment_id = a.attachment_id;
END
$fn$;
