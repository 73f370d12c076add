-- Attaching and detaching billing and payments tables.
--
-- attach, attach_payments and detach run with the caller's rights, so
-- creating or dropping the trigger needs the caller's own privilege on the
-- table (owner or TRIGGER).  Only the ledger writes go through the
-- SECURITY DEFINER helpers below, which refuse to work on a table unless
-- the caller has just put arcollect's triggers on it (or taken them off).

-- The base types a mapping parameter accepts (domains over them are
-- fine), or NULL for any type.
CREATE OR REPLACE FUNCTION arcollect._mapping_types(param text)
RETURNS text[]
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
RETURN CASE
    WHEN param IN ('amount', 'paid', 'open') THEN '{numeric,smallint,integer,bigint}'::text[]
    WHEN param IN ('due_on', 'issued_on', 'paid_on')
        THEN '{date,timestamp without time zone,timestamp with time zone}'::text[]
    WHEN param = 'currency' THEN '{text,character varying,character}'::text[]
END;

-- What is wrong with column col of table tbl as the mapping parameter
-- param: NULL when it exists and has a type the parameter accepts, else
-- an error message, SQLSTATE, detail and hint.
CREATE OR REPLACE FUNCTION arcollect._column_problem(tbl regclass, param text, col text,
                                          OUT message text, OUT sqlstate text,
                                          OUT detail text, OUT hint text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    allowed text[] := arcollect._mapping_types(param);
    att record;
BEGIN
    SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type_name,
           format_type(arcollect._base_type(a.atttypid), NULL) AS base_name
      INTO att
      FROM pg_attribute a
     WHERE a.attrelid = tbl AND a.attname = col AND a.attnum > 0 AND NOT a.attisdropped;
    IF NOT FOUND THEN
        message := format('column "%s" of table %s does not exist', col, tbl);
        sqlstate := '42703';
        detail := format('The %s parameter names column "%s", which %s does not have.', param, col, tbl);
        hint := 'Give the column name exactly as it is stored: case-sensitive and without quotes.';
    ELSIF allowed IS NOT NULL AND NOT att.base_name = ANY (allowed) THEN
        message := format('column "%s" of table %s has the wrong type for %s', col, tbl, param);
        sqlstate := '42804';
        detail := format('Column "%s" is of type %s; the %s parameter needs one of: %s.',
                         col, att.type_name, param, array_to_string(allowed, ', '));
        hint := 'Map a column of one of those types, or add a generated column that converts it.';
    END IF;
END
$fn$;

-- Finds column col of table tbl for the mapping parameter param, or raises
-- what is wrong with it.  Returns the column's name.
CREATE OR REPLACE FUNCTION arcollect._mapped_column(tbl regclass, param text, col text)
RETURNS name
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    p record := arcollect._column_problem(tbl, param, col);
BEGIN
    IF p.message IS NOT NULL THEN
        RAISE EXCEPTION '%', p.message
            USING ERRCODE = p.sqlstate, DETAIL = p.detail, HINT = p.hint;
    END IF;
    RETURN col;
END
$fn$;

-- What is wrong with the mapping of an attachment now (a mapped column
-- renamed, dropped or changed to a type it does not accept since attach),
-- or NULL.  The trigger checks this before it books anything.
CREATE OR REPLACE FUNCTION arcollect._mapping_problem(attachment_id integer)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT p.message
      FROM arcollect.attachment a
     CROSS JOIN LATERAL (VALUES
            ('key', a.key_column), ('customer', a.customer_column), ('amount', a.amount_column),
            ('due_on', a.due_on_column), ('issued_on', a.issued_on_column),
            ('currency', a.currency_column), ('paid', a.paid_column), ('open', a.open_column),
            ('owner', a.owner_column), ('status', a.status_column),
            ('invoice_key', a.invoice_key_column), ('paid_on', a.paid_on_column),
            ('kind', a.kind_column)) m(param, col)
     CROSS JOIN LATERAL arcollect._column_problem(a.billing_table, m.param, m.col) p
     WHERE a.attachment_id = _mapping_problem.attachment_id
       AND m.col IS NOT NULL AND p.message IS NOT NULL
     LIMIT 1;
END;

-- Checks that tbl is a table arcollect can attach: an ordinary or
-- partitioned table outside the arcollect schema.
CREATE OR REPLACE FUNCTION arcollect._check_attachable(tbl regclass)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    c record;
BEGIN
    SELECT r.relkind, r.relispartition, n.nspname INTO c
      FROM pg_class r JOIN pg_namespace n ON n.oid = r.relnamespace
     WHERE r.oid = tbl;
    IF c.relkind NOT IN ('r', 'p') THEN
        RAISE EXCEPTION '% is not a table', tbl
            USING ERRCODE = 'wrong_object_type',
                  DETAIL = 'arcollect attaches to ordinary and partitioned tables only.';
    END IF;
    IF c.relispartition THEN
        RAISE EXCEPTION 'table % is a partition of %', tbl, pg_partition_root(tbl)
            USING ERRCODE = 'wrong_object_type',
                  HINT = 'Attach the partitioned table; writes to its partitions are booked too.';
    END IF;
    IF c.nspname = 'arcollect' THEN
        RAISE EXCEPTION 'table % belongs to arcollect', tbl
            USING ERRCODE = 'wrong_object_type',
                  DETAIL = 'arcollect''s own tables cannot be attached to the ledger.';
    END IF;
    IF NOT has_table_privilege(tbl, 'SELECT') OR NOT has_table_privilege(tbl, 'TRIGGER') THEN
        RAISE EXCEPTION 'permission denied for table %', tbl
            USING ERRCODE = 'insufficient_privilege',
                  DETAIL = 'Attaching a table needs the SELECT and TRIGGER privileges on it.';
    END IF;
END
$fn$;

-- The tables whose writes an attachment of tbl books: tbl and, when it is
-- partitioned, all its partitions.  Statement-level triggers fire only
-- for the table a statement names, so each of them needs its own.
CREATE OR REPLACE FUNCTION arcollect._trigger_tables(tbl regclass)
RETURNS SETOF regclass
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT t.relid FROM pg_catalog.pg_partition_tree(tbl) t
    UNION
    SELECT tbl;
END;

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

-- Number of arcollect triggers on tbl (4 when attached).
CREATE OR REPLACE FUNCTION arcollect._trigger_count(tbl regclass)
RETURNS integer
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
RETURN (SELECT count(*) FROM pg_catalog.pg_trigger g
         WHERE g.tgrelid = tbl AND g.tgfoid = 'arcollect.ledger_trigger()'::pg_catalog.regprocedure);

-- Brings the ledger of an attachment in line with the whole table, as
-- attaching does: for a payments table, by taking back what it booked and
-- booking its rows again.  Returns the sync statement's counts.
CREATE OR REPLACE FUNCTION arcollect._import(attachment_id integer,
                                  OUT rows_seen bigint, OUT rows_quarantined bigint,
                                  OUT first_key text, OUT first_reason text)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    a arcollect.attachment;
BEGIN
    SELECT * INTO STRICT a FROM arcollect.attachment t WHERE t.attachment_id = _import.attachment_id;
    IF a.kind = 'payments' THEN
        PERFORM arcollect._payments_clear(a.attachment_id);
    END IF;
    EXECUTE arcollect._sync_sql(a.attachment_id, 'IMPORT')
       INTO rows_seen, rows_quarantined, first_key, first_reason
      USING a.attachment_id, coalesce(a.invoices_attachment_id, a.attachment_id), a.default_currency,
            a.void_statuses, a.credit_statuses;
END
$fn$;

-- Records the attachment a (a new one, or new settings for a table
-- attached before, keeping its ledger) and books the rows already in the
-- table.  Returns the number of rows booked; unusable rows go to
-- quarantine (or, in strict mode, fail the call).
CREATE OR REPLACE FUNCTION arcollect._attach_register(a arcollect.attachment)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    id integer;
    r record;
BEGIN
    IF arcollect._trigger_count(a.billing_table) <> 4 THEN
        RAISE EXCEPTION 'table % has no arcollect triggers', a.billing_table
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Use arcollect.attach or arcollect.attach_payments.';
    END IF;

    SELECT t.attachment_id INTO id FROM arcollect.attachment t WHERE t.billing_table = a.billing_table;
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
               strict_mode = a.strict_mode, attached_at = now(), detached_at = NULL
         WHERE t.attachment_id = id;
    ELSE
        INSERT INTO arcollect.attachment
               (billing_table, kind, invoices_attachment_id, key_column, customer_column,
                amount_column, due_on_column, issued_on_column, currency_column, paid_column,
                open_column, owner_column, status_column, invoice_key_column, paid_on_column,
                kind_column, default_currency, void_statuses, credit_statuses, strict_mode)
        VALUES (a.billing_table, a.kind, a.invoices_attachment_id, a.key_column, a.customer_column,
                a.amount_column, a.due_on_column, a.issued_on_column, a.currency_column, a.paid_column,
                a.open_column, a.owner_column, a.status_column, a.invoice_key_column, a.paid_on_column,
                a.kind_column, a.default_currency, a.void_statuses, a.credit_statuses, a.strict_mode)
        RETURNING attachment_id INTO id;
    END IF;

    r := arcollect._import(id);
    IF r.rows_quarantined > 0 THEN
        IF a.strict_mode THEN
            RAISE EXCEPTION 'row with invoice key "%" of table % cannot be used: %',
                  coalesce(r.first_key, '(none)'), a.billing_table, arcollect.quarantine_reason_text(r.first_reason)
                USING ERRCODE = 'check_violation',
                      DETAIL = format('%s of the table cannot be used, and the table is attached in strict mode.',
                                      CASE WHEN r.rows_quarantined = 1 THEN 'One row'
                                           ELSE r.rows_quarantined || ' rows' END),
                      HINT = 'Correct the rows, or attach with strict => false to quarantine them.';
        END IF;
        RAISE WARNING 'arcollect quarantined % of table %',
              CASE WHEN r.rows_quarantined = 1 THEN 'one row' ELSE r.rows_quarantined || ' rows' END,
              a.billing_table
            USING DETAIL = format('The first has invoice key "%s": %s.', coalesce(r.first_key, '(none)'),
                                  arcollect.quarantine_reason_text(r.first_reason)),
                  HINT = 'See arcollect.quarantine; a row leaves quarantine once it is corrected in the table.';
    END IF;
    RETURN r.rows_seen - r.rows_quarantined;
END
$fn$;

-- Marks the attachment of tbl detached, once the caller has taken
-- arcollect's triggers off it.  The ledger rows stay.
CREATE OR REPLACE FUNCTION arcollect._detach_register(tbl regclass)
RETURNS void
LANGUAGE plpgsql VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    id integer;
BEGIN
    IF arcollect._trigger_count(tbl) <> 0 THEN
        RAISE EXCEPTION 'table % still has arcollect triggers', tbl
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Use arcollect.detach.';
    END IF;
    UPDATE arcollect.attachment t SET detached_at = now()
     WHERE t.billing_table = tbl AND t.detached_at IS NULL
    RETURNING t.attachment_id INTO id;
    DELETE FROM arcollect.quarantine q WHERE q.attachment_id = id;
END
$fn$;

CREATE OR REPLACE FUNCTION arcollect.attach(
    billing_table regclass,
    key text,
    customer text,
    amount text,
    due_on text,
    issued_on text,
    currency text DEFAULT NULL,
    paid text DEFAULT NULL,
    open text DEFAULT NULL,
    owner text DEFAULT NULL,
    status text DEFAULT NULL,
    strict boolean DEFAULT false,
    default_currency text DEFAULT NULL,
    void_statuses text[] DEFAULT '{void,voided,cancelled,canceled}',
    credit_statuses text[] DEFAULT '{credit,credit note,credit_note,credit memo,credit_memo}')
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
-- The parameters are read as $1 ... $15: open, key and strict are also
-- PL/pgSQL keywords.
DECLARE
    tbl regclass := $1;
    a arcollect.attachment;
    key_ok boolean;
BEGIN
    IF tbl IS NULL OR $2 IS NULL OR $3 IS NULL OR $4 IS NULL OR $5 IS NULL OR $6 IS NULL THEN
        RAISE EXCEPTION 'attach needs billing_table, key, customer, amount, due_on and issued_on'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF $8 IS NOT NULL AND $9 IS NOT NULL THEN
        RAISE EXCEPTION 'give paid or open, not both'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'paid names the column of the amount paid so far, open the column of the amount still open; either one determines the other.';
    END IF;
    IF $7 IS NULL AND $13 IS NULL THEN
        RAISE EXCEPTION 'attach needs a currency column or a default currency for table %', tbl
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Give currency => the currency column, or default_currency => an ISO 4217 code such as ''EUR''.';
    END IF;
    IF $13 IS NOT NULL AND NOT arcollect.is_currency_code(upper($13)) THEN
        RAISE EXCEPTION 'unknown currency code "%"', $13
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Give an ISO 4217 code such as ''EUR'' or ''USD''.';
    END IF;
    PERFORM arcollect._check_attachable(tbl);
    IF EXISTS (SELECT FROM arcollect.attachment t WHERE t.billing_table = tbl AND t.kind <> 'invoices') THEN
        RAISE EXCEPTION 'table % is attached as a payments table', tbl
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Detach it with arcollect.detach first.';
    END IF;

    a.billing_table := tbl;
    a.kind := 'invoices';
    a.key_column := arcollect._mapped_column(tbl, 'key', $2);
    a.customer_column := arcollect._mapped_column(tbl, 'customer', $3);
    a.amount_column := arcollect._mapped_column(tbl, 'amount', $4);
    a.due_on_column := arcollect._mapped_column(tbl, 'due_on', $5);
    a.issued_on_column := arcollect._mapped_column(tbl, 'issued_on', $6);
    IF $7 IS NOT NULL THEN
        a.currency_column := arcollect._mapped_column(tbl, 'currency', $7);
    END IF;
    IF $8 IS NOT NULL THEN
        a.paid_column := arcollect._mapped_column(tbl, 'paid', $8);
    END IF;
    IF $9 IS NOT NULL THEN
        a.open_column := arcollect._mapped_column(tbl, 'open', $9);
    END IF;
    IF $10 IS NOT NULL THEN
        a.owner_column := arcollect._mapped_column(tbl, 'owner', $10);
    END IF;
    IF $11 IS NOT NULL THEN
        a.status_column := arcollect._mapped_column(tbl, 'status', $11);
    END IF;
    a.strict_mode := coalesce($12, false);
    a.default_currency := upper($13);
    a.void_statuses := (SELECT coalesce(array_agg(lower(s)), '{}') FROM unnest($14) s);
    a.credit_statuses := (SELECT coalesce(array_agg(lower(s)), '{}') FROM unnest($15) s);

    -- The ledger follows invoices by key, so the key must identify a row.
    SELECT EXISTS (
        SELECT FROM pg_index i JOIN pg_attribute t ON t.attrelid = i.indrelid AND t.attnum = i.indkey[0]
         WHERE i.indrelid = tbl AND i.indisunique AND i.indimmediate AND i.indnatts = 1 AND i.indpred IS NULL
           AND i.indexprs IS NULL AND t.attname = a.key_column AND t.attnotnull)
      INTO key_ok;
    IF NOT key_ok THEN
        RAISE EXCEPTION 'key column "%" of table % is not a unique, not-null column', a.key_column, tbl
            USING ERRCODE = 'invalid_column_reference',
                  DETAIL = 'The ledger follows invoices by their key, so the key column needs a primary key or a unique index of its own (not deferrable) and NOT NULL.',
                  HINT = format('For example: ALTER TABLE %s ADD UNIQUE (%I), ALTER COLUMN %I SET NOT NULL.',
                                tbl, a.key_column, a.key_column);
    END IF;

    PERFORM arcollect._install_triggers(tbl);
    RETURN arcollect._attach_register(a);
END
$fn$;

COMMENT ON FUNCTION arcollect.attach(regclass, text, text, text, text, text, text, text, text, text, text, boolean, text, text[], text[]) IS
'Attaches the receivables ledger to a billing table: validates the column mapping, installs the ledger trigger, books the rows already there and returns how many it booked. Attaching an attached table again replaces its mapping and brings its ledger in line.';

CREATE OR REPLACE FUNCTION arcollect.attach_payments(
    payments_table regclass,
    invoice_key text,
    amount text,
    paid_on text,
    kind text DEFAULT NULL,
    invoices regclass DEFAULT NULL,
    strict boolean DEFAULT false)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    tbl regclass := $1;
    a arcollect.attachment;
    inv_id integer;
    n integer;
BEGIN
    IF tbl IS NULL OR $2 IS NULL OR $3 IS NULL OR $4 IS NULL THEN
        RAISE EXCEPTION 'attach_payments needs payments_table, invoice_key, amount and paid_on'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    PERFORM arcollect._check_attachable(tbl);
    IF EXISTS (SELECT FROM arcollect.attachment t WHERE t.billing_table = tbl AND t.kind <> 'payments') THEN
        RAISE EXCEPTION 'table % is attached as a billing table', tbl
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Detach it with arcollect.detach first.';
    END IF;
    IF $6 IS NULL THEN
        SELECT min(t.attachment_id), count(*) INTO inv_id, n
          FROM arcollect.attachment t WHERE t.kind = 'invoices' AND t.detached_at IS NULL;
        IF n <> 1 THEN
            RAISE EXCEPTION 'attach_payments needs to know which billing table % belongs to', tbl
                USING ERRCODE = 'invalid_parameter_value',
                      DETAIL = format('%s billing tables are attached.', n),
                      HINT = 'Give invoices => the billing table whose invoice keys the payments name.';
        END IF;
    ELSE
        SELECT t.attachment_id INTO inv_id
          FROM arcollect.attachment t WHERE t.billing_table = $6 AND t.kind = 'invoices';
        IF NOT FOUND THEN
            RAISE EXCEPTION 'table % is not an attached billing table', $6
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'Attach it with arcollect.attach first.';
        END IF;
    END IF;

    a.billing_table := tbl;
    a.kind := 'payments';
    a.invoices_attachment_id := inv_id;
    a.invoice_key_column := arcollect._mapped_column(tbl, 'invoice_key', $2);
    a.amount_column := arcollect._mapped_column(tbl, 'amount', $3);
    a.paid_on_column := arcollect._mapped_column(tbl, 'paid_on', $4);
    IF $5 IS NOT NULL THEN
        a.kind_column := arcollect._mapped_column(tbl, 'kind', $5);
    END IF;
    a.strict_mode := coalesce($7, false);
    a.void_statuses := '{}';
    a.credit_statuses := '{}';

    PERFORM arcollect._install_triggers(tbl);
    RETURN arcollect._attach_register(a);
END
$fn$;

COMMENT ON FUNCTION arcollect.attach_payments(regclass, text, text, text, text, regclass, boolean) IS
'Attaches a table of payments, credit notes and write-offs to the ledger: each row reduces the open amount of the invoice it names, on its paid_on date. Returns how many rows it booked.';

CREATE OR REPLACE FUNCTION arcollect.detach(billing_table regclass)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF NOT EXISTS (SELECT FROM arcollect.attachment t
                    WHERE t.billing_table = $1 AND t.detached_at IS NULL) THEN
        RAISE EXCEPTION 'table % is not attached', $1
            USING ERRCODE = 'undefined_object';
    END IF;
    PERFORM arcollect._drop_triggers($1);
    PERFORM arcollect._detach_register($1);
END
$fn$;

COMMENT ON FUNCTION arcollect.detach(regclass) IS
'Removes the ledger trigger from an attached table. The ledger keeps the table''s invoices and their history; attaching the table again brings them up to date.';
