-- How billing rows become ledger rows: the SQL that the C trigger
-- (src/ledger_trigger.c), arcollect.attach and arcollect.reconcile run.
--
-- The statements are generated here, once per attachment and event, from
-- the column mapping in arcollect.attachment: every column name goes
-- through format('%I'), every value is a $n parameter.  The trigger
-- prepares the text once per backend and runs it once per statement, with
-- the statement's transition tables registered as arcollect_new and
-- arcollect_old.  Parameters of every statement:
--   $1 integer  the attachment being synced
--   $2 integer  the invoices attachment whose ledger rows it writes
--               (itself for a billing table)
--   $3 text     default currency
--   $4 text[]   status values meaning void
--   $5 text[]   status values meaning credit note
-- Every statement returns one row: rows seen, rows quarantined, the key
-- (as messages show it) and reason of the first quarantined row, the
-- number of invoices whose payments it dated today for want of a date
-- (IMPORT only; 0 for the trigger's events); and a trigger event's
-- statement, a sixth column: the customers whose open amounts it lowered
-- (_lowered_sql), whose escalation the trigger then brings up to date
-- (src/escalation_trigger.c).
--
-- Dating rule: a change is dated by the billing data when it can be
-- (the issue date of an invoice, the paid_on date of a payment, also when
-- it is corrected or deleted later, and the paid_on date of a billing
-- table's paid or open column, when one is mapped); changes the billing
-- data does not date (the paid or open column without paid_on, a void
-- status, a deleted or quarantined invoice) are dated the day arcollect
-- sees them.  Neither is ever before the issue date.

-- The attached table as the generated SQL names it: always with its
-- schema, so that no CTE of a statement can take its place (a regclass
-- printed as text leaves the schema out when the search path shows the
-- table, and the pinned search path shows pg_temp's tables).
CREATE OR REPLACE FUNCTION arcollect._table_sql(tbl regclass)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT format('%I.%I', n.nspname, c.relname)
      FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE c.oid = tbl;
END;

-- The type a domain is over (through domains over domains); other types
-- are their own base.
CREATE OR REPLACE FUNCTION arcollect._base_type(t oid)
RETURNS oid
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    WITH RECURSIVE d(oid, base) AS (
        SELECT y.oid, y.typbasetype FROM pg_catalog.pg_type y WHERE y.oid = t
        UNION ALL
        SELECT y.oid, y.typbasetype FROM pg_catalog.pg_type y JOIN d ON y.oid = d.base
         WHERE d.base <> 0)
    SELECT d.oid FROM d WHERE d.base = 0;
END;

-- How the generated SQL reads column col of table tbl (under alias) as
-- text.  A built-in type by its cast to text, as col::text would.  A type
-- defined in the database by its output function instead: its owner may
-- have given it a cast to text, a function that the trigger, which runs
-- with arcollect's rights, must not run.  (The fast path in C reads
-- columns the same way.)
CREATE OR REPLACE FUNCTION arcollect._text_sql(tbl regclass, col name, alias text)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT CASE WHEN y.oid < 16384    -- FirstNormalObjectId: built in
                THEN format('(%s.%I)::text', alias, col)
                ELSE format('pg_catalog.textin(%s(%s.%I))', y.typoutput::regproc, alias, col)
           END
      FROM pg_catalog.pg_attribute t
      JOIN pg_catalog.pg_type y ON y.oid = arcollect._base_type(t.atttypid)
     WHERE t.attrelid = tbl AND t.attname = col;
END;

-- The columns an attachment maps, one row per mapping parameter that
-- names one, in the order attach takes them.  Everything arcollect reads
-- from an attached table is in these columns.
CREATE OR REPLACE FUNCTION arcollect._mapping(a arcollect.attachment)
RETURNS TABLE (param text, col name)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT m.param, m.col
      FROM (VALUES (1, 'key', a.key_column), (2, 'invoice_key', a.invoice_key_column),
                   (3, 'customer', a.customer_column), (4, 'amount', a.amount_column),
                   (5, 'due_on', a.due_on_column), (6, 'issued_on', a.issued_on_column),
                   (7, 'paid_on', a.paid_on_column), (8, 'currency', a.currency_column),
                   (9, 'paid', a.paid_column), (10, 'open', a.open_column),
                   (11, 'owner', a.owner_column), (12, 'status', a.status_column),
                   (13, 'kind', a.kind_column)) m(n, param, col)
     WHERE m.col IS NOT NULL
     ORDER BY m.n;
END;

-- The mapped columns of a row of an attachment's table (under alias), as
-- a jsonb object of column names and values as text (see _text_sql: no
-- cast to json of the row's types is run), for quarantine: what the
-- table's owner needs to find and correct the row.  Never the columns the
-- mapping does not name: attaching needs SELECT on the mapped columns
-- only, and whoever reads quarantine reads this.
CREATE OR REPLACE FUNCTION arcollect._row_data_sql(a arcollect.attachment, alias text)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT 'pg_catalog.jsonb_build_object('
           || string_agg(format('%L, %s', m.col, arcollect._text_sql(a.billing_table, m.col, alias)),
                         ', ' ORDER BY m.col)
           || ')'
      FROM (SELECT DISTINCT c.col FROM arcollect._mapping(a) c) m;
END;

-- The mapped rows of an invoices attachment read from source (a
-- transition table name or the quoted billing table): one row per source
-- row with the invoice fields as ledger types and the quarantine reason,
-- NULL for a usable row.  The row's quarantine data is not carried
-- along: building it for every row of a COPY doubles the cost of reading
-- it; see _quarantine_rows_sql.
--
-- (OFFSET 0 keeps the planner from pulling w's subquery up, which would
-- copy the call of the booking rules into each use of reason: they run
-- once per row.)
-- Text is read in the "C" collation, whatever the column's: the ledger
-- compares and folds bytes (a nondeterministic collation would make the
-- statement's comparisons depend on it, and clash with the ledger's).
-- Whether a row can be booked, and how its currency and status are read,
-- are the booking rules of ledger_rules.sql, which the fast path in C
-- calls too.  The paid or
-- open column is read as it is (pin) and the amount paid worked out only
-- for a usable row: amount - open of two huge amounts would overflow.
-- pon is the date of the paid or open column (paid_on), when mapped.
CREATE OR REPLACE FUNCTION arcollect._invoice_rows_sql(a arcollect.attachment, source text)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    cur_expr text := CASE WHEN a.currency_column IS NULL THEN '$3'
                          ELSE format('arcollect.ledger_currency_of(%s, $3)',
                                      arcollect._text_sql(a.billing_table, a.currency_column, 's')) END;
    pin_expr text := CASE WHEN a.paid_column IS NOT NULL
                              THEN format('coalesce((s.%I)::numeric, 0)', a.paid_column)
                          WHEN a.open_column IS NOT NULL
                              THEN format('(s.%I)::numeric', a.open_column)
                          ELSE '0::numeric' END;
    paid_expr text := CASE WHEN a.open_column IS NOT NULL THEN 'w.amt - w.pin' ELSE 'w.pin' END;
    status_expr text := CASE WHEN a.status_column IS NULL THEN 'NULL::text'
                             ELSE arcollect._text_sql(a.billing_table, a.status_column, 's') END;
    owner_expr text := CASE WHEN a.owner_column IS NULL THEN 'NULL::text'
                            ELSE arcollect._text_sql(a.billing_table, a.owner_column, 's') END;
    pon_expr text := CASE WHEN a.paid_on_column IS NULL THEN 'NULL::date'
                          ELSE format('(s.%I)::date', a.paid_on_column) END;
BEGIN
    RETURN format(
        $q$SELECT w.k, w.cust, w.cur, w.iss, w.due, w.amt,
       CASE WHEN w.reason IS NULL THEN %1$s END AS paid, w.pon, w.owner, w.status,
       w.is_void, w.is_credit, w.reason
  FROM (SELECT v.*,
               arcollect.ledger_invoice_problem(v.k, v.cust, v.owner, v.amt, v.pin, v.iss, v.due,
                                                v.pon, v.cur, v.is_credit) AS reason
          FROM (SELECT %2$s COLLATE "C" AS k,
                       %3$s COLLATE "C" AS cust,
                       %4$s COLLATE "C" AS cur,
                       (s.%5$I)::date AS iss,
                       (s.%6$I)::date AS due,
                       (s.%7$I)::numeric AS amt,
                       %8$s AS pin,
                       %9$s AS pon,
                       %10$s COLLATE "C" AS owner,
                       %11$s COLLATE "C" AS status,
                       coalesce(arcollect.ascii_lower(%11$s COLLATE "C") = ANY ($4), false) AS is_void,
                       coalesce(arcollect.ascii_lower(%11$s COLLATE "C") = ANY ($5), false) AS is_credit
                  FROM %12$s s) v
        OFFSET 0) w$q$,
        paid_expr,
        arcollect._text_sql(a.billing_table, a.key_column, 's'),
        arcollect._text_sql(a.billing_table, a.customer_column, 's'),
        cur_expr, a.issued_on_column, a.due_on_column, a.amount_column,
        pin_expr, pon_expr, owner_expr, status_expr, source);
END
$fn$;

-- The mapped rows of _invoice_rows_sql where the invoice key may repeat
-- (the billing table's key is not unique any more: arcollect._key_is_unique):
-- every row of a key that several rows share is unusable too, as
-- duplicate_key, since the ledger cannot tell which of them is the
-- invoice.  source must hold every row of each key it holds.
CREATE OR REPLACE FUNCTION arcollect._keyed_rows_sql(a arcollect.attachment, source text)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
RETURN format(
    $q$SELECT r.k, r.cust, r.cur, r.iss, r.due, r.amt, r.paid, r.pon, r.owner, r.status, r.is_void, r.is_credit,
       CASE WHEN r.k IS NOT NULL AND count(*) OVER (PARTITION BY r.k) > 1 THEN 'duplicate_key'
            ELSE r.reason END AS reason
  FROM (%s) r$q$,
    arcollect._invoice_rows_sql(a, source));

-- The rows of the billing table of a (under alias s) whose key is one of
-- the keys of the transition tables named in transitions (the key column
-- of each read as col): a condition for the billing table's WHERE that
-- finds them by an index on the key where the table has one.  keys is a
-- query of the same keys as text, as the ledger writes them.  A built-in
-- type is compared as itself, which an index can answer (equal values
-- with different text, such as 1.0 and 1.00 in numeric, are told apart
-- by the caller, by the text); any other type by its text, since its
-- equality operator is a function of whoever owns the type.
CREATE OR REPLACE FUNCTION arcollect._key_filter_sql(a arcollect.attachment, transitions text[], keys text)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT CASE WHEN y.oid < 16384 AND (y.typcategory IN ('N', 'S', 'D', 'B') OR y.oid = 'uuid'::regtype)
                THEN format('s.%I IN (%s)', a.key_column,
                            (SELECT string_agg(format('SELECT o.%I FROM %s o', a.key_column, tr), ' UNION ALL ')
                               FROM unnest(transitions) tr))
                ELSE format('%s COLLATE "C" IN (%s)',
                            arcollect._text_sql(a.billing_table, a.key_column, 's'), keys)
           END
      FROM pg_catalog.pg_attribute t
      JOIN pg_catalog.pg_type y ON y.oid = arcollect._base_type(t.atttypid)
     WHERE t.attrelid = a.billing_table AND t.attname = a.key_column;
END;

-- The unusable rows of an invoices attachment as quarantine rows, given
-- the mapped rows in CTE src: looked up again in source by key, and only
-- when there are any (the EXISTS is evaluated once, before the scan).  A
-- key is one quarantine row: for a key several rows share (duplicate_key),
-- its row_data is the JSON array of their rows.  (PL/pgSQL: 0.1.0's SQL
-- function body depended on the attachment's row type, which kept its
-- upgrade from adding a column to arcollect.attachment until the function
-- was dropped.)
CREATE OR REPLACE FUNCTION arcollect._quarantine_rows_sql(a arcollect.attachment, source text)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    RETURN format(
        $q$SELECT $1, 'invoice', x.k, x.reason,
       CASE WHEN count(*) = 1 THEN (array_agg(x.j))[1] ELSE pg_catalog.jsonb_agg(x.j ORDER BY x.j) END
  FROM (SELECT b.k, b.reason, %s AS j
          FROM %s s
          JOIN (SELECT DISTINCT src.k, src.reason FROM src WHERE src.reason IS NOT NULL) b
            ON b.k = %s COLLATE "C"
         WHERE EXISTS (SELECT FROM src WHERE src.reason IS NOT NULL)) x
 GROUP BY x.k, x.reason$q$,
        arcollect._row_data_sql(a, 's'), source,
        arcollect._text_sql(a.billing_table, a.key_column, 's'));
END
$fn$;

-- The statement that takes the rows of CTE gone (column row_data) out of
-- the quarantine of attachment $1, for rows of kind row_kind that have no
-- key of their own (payments, billing rows without an invoice key) and
-- are matched by their data: one arcollect.quarantine_release row per
-- row of gone.  Appended, not deleted: two writers taking out two rows
-- of the same data would both pick the same quarantine row
-- (ledger_tables.sql).
CREATE OR REPLACE FUNCTION arcollect._quarantine_release_sql(row_kind text, gone text)
RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
RETURN format(
    $q$INSERT INTO arcollect.quarantine_release (attachment_id, row_kind, row_data)
               SELECT $1, %L, g.row_data FROM %s g$q$,
    row_kind, gone);

-- The mapped rows of a payments attachment read from source: invoice key,
-- the amount, the date, the kind (payment, credit_note or write_off), the
-- quarantine reason and, for an unusable row, its quarantine data (the
-- payment has no key of its own: quarantine finds it by that).  The data
-- is defined in the innermost query and used in a CASE only: the planner
-- pulls the subqueries up, so it is built for unusable rows alone.
CREATE OR REPLACE FUNCTION arcollect._payment_rows_sql(a arcollect.attachment, source text)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    kind_expr text := CASE WHEN a.kind_column IS NULL THEN '''payment'''
                           ELSE format(
        $k$CASE translate(arcollect.ascii_lower(%s COLLATE "C"), ' -_', '')
               WHEN 'payment' THEN 'payment' WHEN 'pay' THEN 'payment'
               WHEN 'receipt' THEN 'payment' WHEN 'cash' THEN 'payment'
               WHEN 'creditnote' THEN 'credit_note' WHEN 'credit' THEN 'credit_note'
               WHEN 'creditmemo' THEN 'credit_note'
               WHEN 'writeoff' THEN 'write_off' WHEN 'baddebt' THEN 'write_off'
               ELSE CASE WHEN (s.%I) IS NULL THEN 'payment' END
           END$k$, arcollect._text_sql(a.billing_table, a.kind_column, 's'), a.kind_column) END;
BEGIN
    RETURN format(
        $q$SELECT w.k, w.amt, w.pon, w.kind, w.reason,
       CASE WHEN w.reason IS NULL THEN NULL ELSE w.row_data END AS row_data
  FROM (SELECT v.*,
               CASE WHEN v.k IS NULL THEN 'missing_invoice_key'
                    WHEN NOT arcollect.ledger_text_fits(v.k) THEN 'key_too_long'
                    WHEN v.amt IS NULL THEN 'missing_amount'
                    WHEN NOT arcollect.ledger_amount_usable(v.amt) THEN 'invalid_amount'
                    WHEN v.pon IS NULL THEN 'missing_paid_on'
                    WHEN NOT arcollect.ledger_date_usable(v.pon) THEN 'invalid_date'
                    WHEN v.kind IS NULL THEN 'unknown_kind'
               END AS reason
          FROM (SELECT %1$s COLLATE "C" AS k,
                       (s.%2$I)::numeric AS amt,
                       (s.%3$I)::date AS pon,
                       %4$s AS kind,
                       %5$s AS row_data
                  FROM %6$s s) v) w$q$,
        arcollect._text_sql(a.billing_table, a.invoice_key_column, 's'),
        a.amount_column, a.paid_on_column, kind_expr, arcollect._row_data_sql(a, 's'), source);
END
$fn$;

-- An invoice key as messages show it: a key too long to book would fill
-- the screen, so it is cut to its first 40 characters.
CREATE OR REPLACE FUNCTION arcollect._message_key(key text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN CASE WHEN length(key) > 40 THEN left(key, 40) || '...' ELSE key END;

-- Where the sync statement of an invoices attachment (_sync_sql) reads
-- the rows of an event from, as pieces of it:
--   head         its first CTEs: src, the mapped rows of the touched keys
--                (_invoice_rows_sql), and touched, the keys to compare
--                with the ledger
--   rows_source  the relation src was read from, for the quarantine rows
--   keyless      CTEs (after a comma) that keep the quarantine of rows
--                without a key, and keyless_count the number of such rows
--                the event wrote
--   unique_key   whether the key is unique (arcollect._key_is_unique)
-- While the key is unique, the transition tables hold the whole state of
-- every key they name.  Once it is not, a key's rows may be elsewhere in
-- the table (or in an inheritance child), so src reads every row of the
-- touched keys from the table itself, and the rows of a repeated key are
-- unusable (_keyed_rows_sql).  Rows without a key cannot be followed by
-- key: their quarantine rows are matched by their data.
CREATE OR REPLACE FUNCTION arcollect._invoice_source_sql(a arcollect.attachment, event text,
                                                         current_rows boolean,
                                                         OUT head text, OUT rows_source text,
                                                         OUT keyless text, OUT keyless_count text,
                                                         OUT unique_key boolean)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    tbl text := arcollect._table_sql(a.billing_table);
    -- the transition tables of the event
    trans text[] := CASE event WHEN 'INSERT' THEN '{arcollect_new}' WHEN 'DELETE' THEN '{arcollect_old}'
                               WHEN 'UPDATE' THEN '{arcollect_new,arcollect_old}' ELSE '{}' END;
    keys text;
    row_json text := arcollect._row_data_sql(a, 's');
    key_null text := format('s.%I IS NULL', a.key_column);
BEGIN
    unique_key := arcollect._key_is_unique(a.attachment_id);
    keyless := '';
    keyless_count := '0';
    IF event IN ('IMPORT', 'TRUNCATE') THEN
        rows_source := tbl;
        head := format($h$src AS MATERIALIZED (%s),
     touched AS (SELECT src.k FROM src
                 UNION SELECT i.invoice_key FROM arcollect.invoice i WHERE i.attachment_id = $1 AND i.in_billing
                 UNION SELECT q.invoice_key FROM arcollect.quarantine q
                  WHERE q.attachment_id = $1 AND q.row_kind = 'invoice')$h$,
                       CASE WHEN unique_key THEN arcollect._invoice_rows_sql(a, tbl)
                            ELSE arcollect._keyed_rows_sql(a, tbl) END);
        -- (src counts the rows without a key here: it is the whole table)
        keyless := format($k$,
     qndel AS (DELETE FROM arcollect.quarantine q
                WHERE q.attachment_id = $1 AND q.row_kind = 'invoice' AND q.invoice_key IS NULL),
     qnrel AS (DELETE FROM arcollect.quarantine_release r
                WHERE r.attachment_id = $1 AND r.row_kind = 'invoice')$k$)
            || CASE WHEN unique_key THEN '' ELSE format($k$,
     qnins AS (INSERT INTO arcollect.quarantine (attachment_id, row_kind, invoice_key, reason, row_data)
               SELECT $1, 'invoice', NULL, 'missing_invoice_key', %s FROM %s s WHERE %s)$k$,
                 row_json, tbl, key_null) END;
        RETURN;
    END IF;

    -- a table with writing triggers of its own: the touched keys' rows as
    -- they are now (see _sync_sql), and every touched key, since its rows
    -- may be gone
    IF unique_key AND current_rows THEN
        rows_source := arcollect._current_rows_sql(a, event);
        head := format($h$src AS MATERIALIZED (%s),
     touched AS (SELECT src.k FROM src %s)$h$,
                       arcollect._invoice_rows_sql(a, rows_source),
                       (SELECT string_agg(format('UNION SELECT %s COLLATE "C" FROM %s %s',
                                                 arcollect._text_sql(a.billing_table, a.key_column, x.alias),
                                                 x.t, x.alias), ' ')
                          FROM (SELECT t, CASE t WHEN 'arcollect_new' THEN 'n' ELSE 'o' END AS alias
                                  FROM unnest(trans) t) x));
        RETURN;
    END IF;

    IF unique_key THEN
        rows_source := CASE WHEN event = 'DELETE' THEN format('(SELECT * FROM %s WHERE false)', tbl)
                            ELSE 'arcollect_new' END;
        head := format($h$src AS MATERIALIZED (%s),
     touched AS (SELECT src.k FROM src %s)$h$,
                       arcollect._invoice_rows_sql(a, rows_source),
                       CASE WHEN event = 'INSERT' THEN ''
                            ELSE 'UNION SELECT ' || arcollect._text_sql(a.billing_table, a.key_column, 'o')
                                 || ' COLLATE "C" FROM arcollect_old o' END);
        RETURN;
    END IF;

    keys := (SELECT string_agg(format('SELECT %s COLLATE "C" AS k FROM %s o',
                                      arcollect._text_sql(a.billing_table, a.key_column, 'o'), t), ' UNION ')
               FROM unnest(trans) t);
    rows_source := format('(SELECT s.* FROM %s s WHERE %s)', tbl,
                          arcollect._key_filter_sql(a, trans, 'SELECT keys.k FROM keys'));
    head := format($h$keys AS (%s),
     src AS MATERIALIZED (SELECT x.* FROM (%s) x WHERE x.k IN (SELECT keys.k FROM keys)),
     touched AS (SELECT keys.k FROM keys WHERE keys.k IS NOT NULL)$h$,
                   keys, arcollect._keyed_rows_sql(a, rows_source));
    keyless := format($k$,
     knew AS (SELECT %1$s AS row_data FROM %2$s s WHERE %4$s),
     kold AS (SELECT %1$s AS row_data FROM %3$s s WHERE %4$s),
     qndel AS (%5$s),
     qnins AS (INSERT INTO arcollect.quarantine (attachment_id, row_kind, invoice_key, reason, row_data)
               SELECT $1, 'invoice', NULL, 'missing_invoice_key', x.row_data
                 FROM (SELECT knew.row_data FROM knew EXCEPT ALL SELECT kold.row_data FROM kold) x)$k$,
                      row_json,
                      CASE WHEN 'arcollect_new' = ANY (trans) THEN 'arcollect_new'
                           ELSE format('(SELECT * FROM %s WHERE false)', tbl) END,
                      CASE WHEN 'arcollect_old' = ANY (trans) THEN 'arcollect_old'
                           ELSE format('(SELECT * FROM %s WHERE false)', tbl) END,
                      key_null,
                      arcollect._quarantine_release_sql('invoice',
                          '(SELECT kold.row_data FROM kold EXCEPT ALL SELECT knew.row_data FROM knew)'));
    keyless_count := '(SELECT count(*) FROM knew)';
END
$fn$;

-- The last column of a trigger event's statement, after a comma: the
-- distinct customers (text[]) that the query customers (one column)
-- gives, or NULL when the trigger does not recompute escalations
-- (arcollect._escalation_follows_ledger: arcollect.escalation_trigger off,
-- or a SERIALIZABLE transaction), without running it then.  The callers
-- give the customers of the invoices whose open amounts the statement
-- lowered: whatever the entry's kind, that is what can take a
-- customer's escalation away (a payment, a credit note, a write-off, a
-- void, an amount corrected down).  Of those, the column keeps the ones
-- whose escalation that can end, as arcollect.end_escalations does:
-- those with an open escalation or a credit hold in force.  The trigger
-- recomputes them, so that a customer in dunning who paid is not
-- reminded (src/escalation_trigger.c).
--
-- The two kinds are two semi-joins, one per table: the planner probes
-- the open ones' indexes for the customer of a statement of a few rows,
-- and hashes the open ones once for a bulk load.  (A semi-join with
-- their UNION hashes all of them for a single payment too; ORed EXISTS
-- are costed as if probed once per row, which makes the statement of a
-- bulk load look expensive enough to JIT-compile, for seconds.)
CREATE OR REPLACE FUNCTION arcollect._lowered_sql(customers text)
RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
RETURN format(
    $q$,
       CASE WHEN arcollect._escalation_follows_ledger()
            THEN ARRAY(WITH lowered AS MATERIALIZED (%s)
                       SELECT l.c FROM lowered l(c)
                        WHERE l.c IN (SELECT e.customer_id FROM arcollect.escalation e WHERE e.ended_on IS NULL)
                       UNION
                       SELECT l.c FROM lowered l(c)
                        WHERE l.c IN (SELECT h.customer_id FROM arcollect.credit_hold h
                                       WHERE h.released_on IS NULL)) END AS lowered$q$,
    customers);

-- The statement that brings the ledger in line with one event on an
-- attached table.  event is INSERT, UPDATE, DELETE, TRUNCATE (the trigger
-- events) or IMPORT (attach: the whole table).  (New invoices inserted
-- into a billing table are mostly booked by the trigger's fast path in C,
-- src/ledger_fastpath.c; the INSERT statement books what it leaves.)
--
-- TRUNCATE is booked as IMPORT, by comparing the ledger with what is left
-- in the table: the table may be partitioned and only one partition
-- truncated.  For a payments table, whose rows have no key of their own,
-- the trigger first takes back everything the table booked
-- (arcollect._payments_clear), as attach_payments does.
--
-- Statements can be booked out of order.  A statement that other
-- triggers on the table run (an AFTER ROW trigger updating the row just
-- inserted, a statement trigger firing before arcollect's, a foreign key
-- of the table to itself) is booked before the statement that fired it;
-- and among the statements of one query (its writable CTEs), a DELETE of
-- a key can then be booked after the INSERT of the same key that followed
-- it.  The transition tables of the statement booked last no longer say
-- what the table holds.  So when nested -- the trigger says so when other
-- triggers on the table may write in this event's statements -- a
-- billing table's statement books the touched keys from the table's rows
-- as they are now, looked up by the keys of its transition tables, as
-- attach compares the whole table.  (Without other triggers, the
-- statements of a query are booked in the order they finish, which for
-- two that touch one key is the order they touched it: the second could
-- not see the first's rows.)  A payments table's bookings are
-- differences, which add up in any order; only its quarantine, when
-- nested, is compared with the table's unusable rows now
-- (_payment_quarantine_sql).
CREATE OR REPLACE FUNCTION arcollect._sync_sql(attachment_id integer, event text,
                                    nested boolean DEFAULT false)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    a arcollect.attachment;
    tbl text;
    nothing text;
    current_rows boolean;
    r record;
BEGIN
    SELECT * INTO a FROM arcollect.attachment t WHERE t.attachment_id = _sync_sql.attachment_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'attachment % does not exist', attachment_id
            USING ERRCODE = 'undefined_object';
    END IF;
    tbl := arcollect._table_sql(a.billing_table);
    -- no rows, with the table's columns
    nothing := format('(SELECT * FROM %s WHERE false)', tbl);
    IF event NOT IN ('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'IMPORT') THEN
        RAISE EXCEPTION 'unknown ledger event "%"', event
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    IF event = 'TRUNCATE' THEN
        event := 'IMPORT';
    END IF;
    -- (IMPORT reads the table anyway)
    current_rows := coalesce(nested, false) AND event <> 'IMPORT';

    -- A payments table's statement appends entries (and keeps its
    -- quarantine) and writes no row of arcollect.invoice: a row that it
    -- updated would be updated by every payment of the invoice and by
    -- the billing writes of it too, and two transactions writing
    -- payments for the same invoices, or a payment and a billing UPDATE
    -- of its invoice, would wait on each other, deadlock, or fail to
    -- serialize, where without arcollect they never conflict.  The
    -- current open amount is derived on read (open_items.sql).
    IF a.kind = 'payments' THEN
        RETURN format(
            $q$WITH n AS MATERIALIZED (%s),
     o AS MATERIALIZED (%s),
     mv AS (SELECT n.k, n.kind, n.pon, -n.amt AS amount FROM n WHERE n.reason IS NULL
            UNION ALL
            SELECT o.k, o.kind, o.pon, o.amt FROM o WHERE o.reason IS NULL),
     net AS (SELECT mv.k, mv.kind, mv.pon, sum(mv.amount) AS amount
               FROM mv GROUP BY mv.k, mv.kind, mv.pon),
     ent AS (INSERT INTO arcollect.entry (attachment_id, invoice_key, kind, amount, effective_on, source_attachment_id)
             SELECT $2, net.k, net.kind, net.amount, net.pon, $1 FROM net WHERE net.amount <> 0),
     %s$q$,
            arcollect._payment_rows_sql(a, CASE WHEN event IN ('INSERT', 'UPDATE') THEN 'arcollect_new'
                                                WHEN event = 'IMPORT' THEN tbl
                                                ELSE nothing END),
            arcollect._payment_rows_sql(a, CASE WHEN event IN ('DELETE', 'UPDATE') THEN 'arcollect_old'
                                                ELSE nothing END),
            arcollect._payment_quarantine_sql(a, current_rows,
                CASE WHEN event = 'IMPORT' THEN ''
                     -- the customers of the invoices its new rows name
                     -- (paid, credited or written off), as the ledger
                     -- knows them (a key it has no invoice of has none
                     -- yet).  A join with n as it is, whose rows the
                     -- planner counts: of ent or of n's usable rows it
                     -- guesses a few dozen, of n's distinct keys 200, and
                     -- then looks a bulk load's invoices up one by one.
                     -- (A refund among them costs a recompute that finds
                     -- nothing to undo.)
                     ELSE arcollect._lowered_sql(
                              $c$SELECT i.customer_id FROM n
                                   JOIN arcollect.invoice i ON i.invoice_key = n.k AND i.attachment_id = $2$c$)
                END));
    END IF;

    -- An invoices attachment: the state of every touched key is compared
    -- with the ledger's and the difference booked.
    r := arcollect._invoice_source_sql(a, event, current_rows);
    RETURN format(
        $q$WITH %1$s,
     cur AS (SELECT i.invoice_key, i.customer_id, i.currency, i.issued_on, i.due_on, i.amount,
                    i.paid, i.void_amount, i.owner, i.status, i.in_billing, i.booked_on
               FROM arcollect.invoice i
              WHERE i.attachment_id = $1 AND %2$s
                FOR UPDATE OF i),
     d AS (SELECT %3$s AS k,
                  v.k IS NOT NULL AS present, v.pon,
                  c.invoice_key IS NOT NULL AS known,
                  c.booked_on IS NOT NULL AS booked,
                  c.amount AS o_amt, c.issued_on AS o_iss,
                  coalesce(c.paid, 0) AS o_paid, coalesce(c.void_amount, 0) AS o_void,
                  CASE WHEN v.k IS NOT NULL THEN v.amt ELSE coalesce(c.amount, 0) END AS n_amt,
                  CASE WHEN v.k IS NOT NULL THEN v.iss ELSE c.issued_on END AS n_iss,
                  CASE WHEN v.k IS NOT NULL THEN v.paid ELSE coalesce(c.paid, 0) END AS n_paid,
                  CASE WHEN v.k IS NULL THEN coalesce(c.paid - c.amount, 0)
                       WHEN v.is_void THEN v.paid - v.amt
                       ELSE 0 END AS n_void,
                  CASE WHEN v.k IS NOT NULL THEN v.cust ELSE c.customer_id END AS cust,
                  CASE WHEN v.k IS NOT NULL THEN v.cur ELSE c.currency END AS cur,
                  CASE WHEN v.k IS NOT NULL THEN v.due ELSE c.due_on END AS due,
                  CASE WHEN v.k IS NOT NULL THEN v.owner ELSE c.owner END AS owner,
                  CASE WHEN v.k IS NOT NULL THEN v.status ELSE c.status END AS status,
                  c.customer_id AS o_cust, c.currency AS o_cur, c.due_on AS o_due,
                  c.owner AS o_owner, c.status AS o_status, c.in_billing AS o_in_billing
             %4$s),
     ent AS (INSERT INTO arcollect.entry (attachment_id, invoice_key, kind, amount, effective_on, source_attachment_id)
             SELECT $1, d.k, e.kind, e.amount, e.effective_on, $1
               FROM d CROSS JOIN LATERAL (VALUES
                    -- (a first booking is kept in the invoice row instead)
                    ('adjustment',
                     CASE WHEN NOT d.booked THEN 0
                          WHEN d.o_iss <> d.n_iss THEN d.n_amt
                          ELSE d.n_amt - d.o_amt END,
                     d.n_iss),
                    ('adjustment',
                     CASE WHEN d.booked AND d.o_iss <> d.n_iss THEN -d.o_amt ELSE 0 END,
                     d.o_iss),
                    ('payment', d.o_paid - d.n_paid, arcollect._effective_on(d.pon, d.n_iss)),
                    ('void', d.n_void - d.o_void, arcollect._effective_on(NULL, d.n_iss))
                    ) e(kind, amount, effective_on)
              WHERE e.amount <> 0
             RETURNING invoice_key, amount),
     up AS (INSERT INTO arcollect.invoice AS i
                   (attachment_id, invoice_key, customer_id, currency, issued_on, due_on, amount, paid,
                    void_amount, owner, status, in_billing,
                    booked_amount, booked_on, booked_at)
            SELECT $1, d.k, d.cust, d.cur, d.n_iss, d.due, d.n_amt, d.n_paid, d.n_void,
                   d.owner, d.status, d.present,
                   CASE WHEN d.present THEN d.n_amt ELSE 0 END,
                   CASE WHEN d.present THEN d.n_iss END,
                   CASE WHEN d.present THEN now() END
              FROM d
             -- (from current rows, a touched key neither booked nor usable in
             -- the table gets an empty row: a statement booked before the
             -- INSERT of the key, which deleted it or made it unusable, is
             -- then known to the fast path, which leaves the key to the
             -- INSERT's sync statement; see ledger_trigger.c)
             WHERE NOT d.known
                OR (d.cust, d.cur, d.n_iss, d.due, d.n_amt, d.n_paid, d.n_void, d.owner, d.status, d.present)
                   IS DISTINCT FROM
                   (d.o_cust, d.o_cur, d.o_iss, d.o_due, d.o_amt, d.o_paid, d.o_void, d.o_owner, d.o_status, d.o_in_billing)
            ON CONFLICT (attachment_id, invoice_key) DO UPDATE
               SET customer_id = excluded.customer_id, currency = excluded.currency,
                   issued_on = excluded.issued_on, due_on = excluded.due_on,
                   amount = excluded.amount, paid = excluded.paid, void_amount = excluded.void_amount,
                   owner = excluded.owner, status = excluded.status,
                   in_billing = excluded.in_billing,
                   -- the first booking of a key whose row a statement booked
                   -- before its INSERT left empty (see above)
                   booked_amount = CASE WHEN i.booked_on IS NULL THEN excluded.booked_amount
                                        ELSE i.booked_amount END,
                   booked_at = CASE WHEN i.booked_on IS NULL THEN excluded.booked_at
                                    ELSE i.booked_at END,
                   booked_on = coalesce(i.booked_on, excluded.booked_on)),
     %5$s
     qins AS (INSERT INTO arcollect.quarantine AS q (attachment_id, row_kind, invoice_key, reason, row_data)
              %6$s
              ON CONFLICT (attachment_id, arcollect._key_digest(invoice_key)) WHERE row_kind = 'invoice'
              DO UPDATE
                 SET reason = excluded.reason, row_data = excluded.row_data,
                     quarantined_at = excluded.quarantined_at)%7$s
SELECT (SELECT count(*) FROM src) + %8$s AS rows_seen,
       (SELECT count(*) FROM src WHERE src.reason IS NOT NULL) + %8$s AS rows_quarantined,
       (SELECT arcollect._message_key(f.k) FROM src f WHERE f.reason IS NOT NULL LIMIT 1) AS first_key,
       coalesce((SELECT f.reason FROM src f WHERE f.reason IS NOT NULL LIMIT 1),
                CASE WHEN %8$s > 0 THEN 'missing_invoice_key' END) AS first_reason,
       %9$s AS payments_undated%10$s$q$,
        r.head,
        -- The ledger rows of the touched keys: for a trigger event, one
        -- probe of the ledger's key index per key, whatever the size of
        -- the ledger (small statements are planned without sequential
        -- scans, ledger_trigger.c), never a scan of all the attachment's
        -- rows: under SERIALIZABLE every row read takes a predicate lock,
        -- and a write of any of them by another transaction would
        -- conflict with this one.  (For IMPORT, a join: it reads them all.)
        CASE WHEN event = 'IMPORT' THEN 'i.invoice_key IN (SELECT touched.k FROM touched)'
             ELSE 'i.invoice_key = ANY (ARRAY(SELECT touched.k FROM touched))' END,
        -- every touched key (from current rows), or those of src and cur
        CASE WHEN current_rows THEN 't.k' ELSE 'coalesce(v.k, c.invoice_key)' END,
        CASE WHEN current_rows THEN
            $j$FROM touched t
             LEFT JOIN (SELECT * FROM src WHERE src.reason IS NULL) v ON v.k = t.k
             LEFT JOIN cur c ON c.invoice_key = t.k$j$
        ELSE
            $j$FROM (SELECT * FROM src WHERE src.reason IS NULL) v
             FULL JOIN cur c ON c.invoice_key = v.k$j$
        END,
        -- a freshly inserted key cannot be in quarantine already, while
        -- keys are unique (unless statements run by other triggers put it
        -- there)
        CASE WHEN event = 'INSERT' AND r.unique_key AND NOT current_rows THEN '' ELSE
        -- (found through the quarantine's index on the key's digest).
        -- Only keys that may be quarantined are looked for: a key the
        -- ledger holds as in the billing table is not, and when the
        -- statement touched no other key the quarantine is not read at
        -- all (the EXISTS is evaluated once, before the scan), so that
        -- under SERIALIZABLE an update of booked invoices takes no
        -- predicate lock on the quarantine, which another writer's
        -- quarantined row would conflict with.
        $d$qkeys AS (SELECT touched.k FROM touched
                EXCEPT SELECT src.k FROM src WHERE src.reason IS NOT NULL
                EXCEPT SELECT cur.invoice_key FROM cur WHERE cur.in_billing),
     qdel AS (DELETE FROM arcollect.quarantine q
               WHERE q.attachment_id = $1 AND q.row_kind = 'invoice'
                 AND (arcollect._key_digest(q.invoice_key), q.invoice_key) IN
                     (SELECT arcollect._key_digest(qkeys.k), qkeys.k FROM qkeys)
                 AND EXISTS (SELECT FROM qkeys)),$d$
        END,
        arcollect._quarantine_rows_sql(a, r.rows_source),
        r.keyless, r.keyless_count,
        CASE WHEN event = 'IMPORT'
             THEN '(SELECT count(*) FROM d WHERE d.o_paid <> d.n_paid AND d.pon IS NULL)'
             ELSE '0::bigint' END,
        -- the customers, as the billing table says now, of the invoices
        -- it paid, voided or corrected down
        CASE WHEN event = 'IMPORT' THEN ''
             ELSE arcollect._lowered_sql(
                      'SELECT d.cust FROM d WHERE d.k IN (SELECT ent.invoice_key FROM ent WHERE ent.amount < 0)')
        END);
END
$fn$;

-- The rows of the attached table, as they are now, whose keys the
-- transition tables of event hold (see _sync_sql), looked up by the
-- equality of the key's unique index.  (Without such an index, which
-- attach requires but may since have been dropped, by the key as text.)
CREATE OR REPLACE FUNCTION arcollect._current_rows_sql(a arcollect.attachment, event text)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    eq text;
    keys text;
BEGIN
    SELECT format('OPERATOR(%I.%s)', n.nspname, o.oprname) INTO eq
      FROM pg_catalog.pg_index i
      JOIN pg_catalog.pg_attribute t ON t.attrelid = i.indrelid AND t.attnum = i.indkey[0]
      JOIN pg_catalog.pg_opclass c ON c.oid = i.indclass[0]
      JOIN pg_catalog.pg_amop p ON p.amopfamily = c.opcfamily AND p.amopmethod = c.opcmethod
                               AND p.amoplefttype = c.opcintype AND p.amoprighttype = c.opcintype
                               AND p.amopstrategy = 3    -- BTEqualStrategyNumber
      JOIN pg_catalog.pg_operator o ON o.oid = p.amopopr
      JOIN pg_catalog.pg_namespace n ON n.oid = o.oprnamespace
     WHERE i.indrelid = a.billing_table AND i.indisunique AND i.indimmediate AND i.indnkeyatts = 1
       AND i.indpred IS NULL AND i.indexprs IS NULL AND t.attname = a.key_column
     ORDER BY i.indisprimary DESC
     LIMIT 1;
    IF eq IS NULL THEN
        keys := concat_ws(' UNION ALL ',
            CASE WHEN event IN ('INSERT', 'UPDATE') THEN
                format('SELECT %s FROM arcollect_new n', arcollect._text_sql(a.billing_table, a.key_column, 'n')) END,
            CASE WHEN event IN ('UPDATE', 'DELETE') THEN
                format('SELECT %s FROM arcollect_old o', arcollect._text_sql(a.billing_table, a.key_column, 'o')) END);
        RETURN format('(SELECT s.* FROM %s s WHERE %s IN (%s))', arcollect._table_sql(a.billing_table),
                      arcollect._text_sql(a.billing_table, a.key_column, 's'), keys);
    END IF;
    keys := concat_ws(' UNION ALL ',
        CASE WHEN event IN ('INSERT', 'UPDATE') THEN format('SELECT n.%I FROM arcollect_new n', a.key_column) END,
        CASE WHEN event IN ('UPDATE', 'DELETE') THEN format('SELECT o.%I FROM arcollect_old o', a.key_column) END);
    RETURN format('(SELECT s.* FROM %s s WHERE s.%I %s ANY (%s))',
                  arcollect._table_sql(a.billing_table), a.key_column, eq, keys);
END
$fn$;

-- The quarantine part of a payments table's sync statement, given its
-- mapped rows n (new) and o (old), and its result row.  A payment has no
-- key of its own: quarantine holds one row per unusable payment row,
-- found again by its data.  By default the statement adds the unusable
-- new rows and takes out, for each unusable old row, one quarantine row
-- of the same data (_quarantine_release_sql), but for data both an old
-- and a new row have (an update of a column the mapping does not name):
-- those stay as they are.  When nested (see _sync_sql), for each data of
-- an unusable new or old row, quarantine is made to hold as many rows as
-- the table holds now (looked up by invoice key, as text: a payments
-- table need not have an index on it; only when the statement touched
-- unusable rows).  lowered is the result's last column after a comma, or
-- nothing (see _sync_sql).
CREATE OR REPLACE FUNCTION arcollect._payment_quarantine_sql(a arcollect.attachment, nested boolean,
                                                             lowered text)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF NOT nested THEN
        RETURN format($q$qdel AS (%s),
     qins AS (INSERT INTO arcollect.quarantine (attachment_id, row_kind, invoice_key, reason, row_data)
              SELECT $1, 'payment', x.k, x.reason, x.row_data
                FROM (SELECT n.k, n.reason, n.row_data,
                             row_number() OVER (PARTITION BY n.row_data) AS rn
                        FROM n WHERE n.reason IS NOT NULL) x
               WHERE x.rn > (SELECT count(*) FROM o WHERE o.reason IS NOT NULL AND o.row_data = x.row_data))
SELECT count(*) AS rows_seen, count(*) FILTER (WHERE n.reason IS NOT NULL) AS rows_quarantined,
       (SELECT arcollect._message_key(f.k) FROM n f WHERE f.reason IS NOT NULL LIMIT 1) AS first_key,
       (SELECT f.reason FROM n f WHERE f.reason IS NOT NULL LIMIT 1) AS first_reason,
       0::bigint AS payments_undated%s
  FROM n$q$,
            arcollect._quarantine_release_sql('payment',
                '(SELECT o.row_data FROM o WHERE o.reason IS NOT NULL EXCEPT ALL SELECT n.row_data FROM n WHERE n.reason IS NOT NULL)'),
            lowered);
    END IF;
    RETURN format($q$bad AS (SELECT n.k, n.row_data FROM n WHERE n.reason IS NOT NULL
             UNION ALL
             SELECT o.k, o.row_data FROM o WHERE o.reason IS NOT NULL),
     now_bad AS MATERIALIZED (
             SELECT c.k, c.reason, c.row_data, row_number() OVER (PARTITION BY c.row_data) AS rn
               FROM (%s) c
              WHERE c.reason IS NOT NULL AND c.row_data IN (SELECT bad.row_data FROM bad)),
     held AS (SELECT q.quarantine_id, q.row_data,
                     row_number() OVER (PARTITION BY q.row_data ORDER BY q.quarantine_id) AS rn
                FROM arcollect._quarantine_held q
               WHERE q.attachment_id = $1 AND q.row_kind = 'payment'
                 AND q.row_data IN (SELECT bad.row_data FROM bad)),
     qdel AS (%s),
     qins AS (INSERT INTO arcollect.quarantine (attachment_id, row_kind, invoice_key, reason, row_data)
              SELECT $1, 'payment', b.k, b.reason, b.row_data FROM now_bad b
               WHERE NOT EXISTS (SELECT FROM held h WHERE h.row_data = b.row_data AND h.rn = b.rn)),
     still_bad AS (SELECT b.k, b.reason FROM now_bad b
                    WHERE b.row_data IN (SELECT n.row_data FROM n WHERE n.reason IS NOT NULL))
SELECT count(*) AS rows_seen, (SELECT count(*) FROM still_bad) AS rows_quarantined,
       (SELECT arcollect._message_key(f.k) FROM still_bad f LIMIT 1) AS first_key,
       (SELECT f.reason FROM still_bad f LIMIT 1) AS first_reason,
       0::bigint AS payments_undated%s
  FROM n$q$,
        arcollect._payment_rows_sql(a, format(
            '(SELECT s.* FROM %s s WHERE EXISTS (SELECT FROM bad) AND EXISTS (SELECT FROM bad WHERE bad.k IS NOT DISTINCT FROM %s COLLATE "C"))',
            arcollect._table_sql(a.billing_table),
            arcollect._text_sql(a.billing_table, a.invoice_key_column, 's'))),
        -- the held rows the table no longer has
        arcollect._quarantine_release_sql('payment', $g$(SELECT h.row_data FROM held h
                      WHERE NOT EXISTS (SELECT FROM now_bad b WHERE b.row_data = h.row_data AND b.rn = h.rn))$g$),
        lowered);
END
$fn$;

-- Takes back everything a payments table booked (its entries, by more
-- entries, and its quarantine), for TRUNCATE and for attaching the table
-- again.  Like every payment, it writes no row of arcollect.invoice.
-- Returns true so that the sync statement can wait for it.
CREATE OR REPLACE FUNCTION arcollect._payments_clear(payments_attachment_id integer)
RETURNS boolean
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    WITH net AS (
        SELECT e.attachment_id, e.invoice_key, e.kind, e.effective_on, sum(e.amount) AS amount
          FROM arcollect.entry e
         WHERE e.source_attachment_id = payments_attachment_id
         GROUP BY e.attachment_id, e.invoice_key, e.kind, e.effective_on
        HAVING sum(e.amount) <> 0)
    INSERT INTO arcollect.entry (attachment_id, invoice_key, kind, amount, effective_on, source_attachment_id)
    SELECT net.attachment_id, net.invoice_key, net.kind, -net.amount, net.effective_on, payments_attachment_id
      FROM net;

    DELETE FROM arcollect.quarantine q WHERE q.attachment_id = payments_attachment_id;
    DELETE FROM arcollect.quarantine_release r WHERE r.attachment_id = payments_attachment_id;
    RETURN true;
END
$fn$;

-- Takes back the payments that an invoices attachment booked from its
-- paid or open column, for the invoices whose billing row now dates them
-- (paid_on), so that the import that follows books them again on that
-- date: for attaching a table again with a paid_on column it did not
-- have (attach warns when it dates payments today for want of one).  Each
-- payment is taken back on its own date: the history is added to, never
-- rewritten.  Invoices without a paid_on date, deleted or quarantined
-- ones keep theirs.
-- (It reads the table with the settings the trigger reads it with, as
-- arcollect._import does.)
CREATE OR REPLACE FUNCTION arcollect._paid_redate(attachment_id integer)
RETURNS void
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
BEGIN
    SELECT * INTO STRICT a FROM arcollect.attachment t WHERE t.attachment_id = _paid_redate.attachment_id;
    -- until the function returns (its SET clause scopes it)
    PERFORM pg_catalog.set_config('TimeZone', a.time_zone, true);
    EXECUTE format(
        $q$WITH src AS MATERIALIZED (%s),
     k AS (SELECT i.invoice_key
             FROM arcollect.invoice i JOIN src ON src.k = i.invoice_key
            WHERE i.attachment_id = $1 AND i.in_billing AND i.paid <> 0
              AND src.reason IS NULL AND src.pon IS NOT NULL
              FOR UPDATE OF i),
     net AS (SELECT e.invoice_key, e.effective_on, sum(e.amount) AS amount
               FROM arcollect.entry e
              WHERE e.attachment_id = $1 AND e.source_attachment_id = $1 AND e.kind = 'payment'
                AND e.invoice_key IN (SELECT k.invoice_key FROM k)
              GROUP BY e.invoice_key, e.effective_on
             HAVING sum(e.amount) <> 0),
     ent AS (INSERT INTO arcollect.entry (attachment_id, invoice_key, kind, amount, effective_on, source_attachment_id)
             SELECT $1, net.invoice_key, 'payment', -net.amount, net.effective_on, $1 FROM net)
UPDATE arcollect.invoice i
   SET paid = i.paid + x.amount
  FROM (SELECT net.invoice_key, sum(net.amount) AS amount FROM net GROUP BY net.invoice_key) x
 WHERE i.attachment_id = $1 AND i.invoice_key = x.invoice_key$q$,
        arcollect._invoice_rows_sql(a, arcollect._table_sql(a.billing_table)))
    USING a.attachment_id, a.attachment_id, a.default_currency, a.void_statuses, a.credit_statuses;
END
$fn$;

-- The settings the trigger reads and writes the ledger with
-- (src/ledger_settings.c), TimeZone with its default (the trigger uses
-- the attachment's).  The functions that run the generated statements
-- pin the same ones with SET clauses; test/ledger_settings.sql compares.
CREATE OR REPLACE FUNCTION arcollect._pinned_settings(OUT name text, OUT setting text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'arcollect_pinned_settings'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- Runs a generated statement for its SQL callers (attach's import and
-- the DDL event triggers, through _import) with the five parameters
-- above, returning its rows as the
-- caller's column definition list says.  An error is reported with a short
-- context naming step (such as 'receivables ledger: importing table t')
-- instead of the whole generated statement (src/ledger_error.c).
CREATE OR REPLACE FUNCTION arcollect._ledger_run(step text, sql text,
                                                 attachment_id integer,
                                                 invoices_attachment_id integer,
                                                 default_currency text,
                                                 void_statuses text[],
                                                 credit_statuses text[])
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'arcollect_ledger_run'
LANGUAGE C VOLATILE;

CREATE OR REPLACE FUNCTION arcollect.ledger_trigger()
RETURNS trigger
AS 'MODULE_PATHNAME', 'arcollect_ledger_trigger'
LANGUAGE C;
-- Not SECURITY DEFINER: the function switches to its owner's rights and
-- pins search_path itself, more cheaply (see src/ledger_trigger.c).

COMMENT ON FUNCTION arcollect.ledger_trigger() IS
'Statement-level AFTER trigger that arcollect.attach and arcollect.attach_payments install on attached tables; keeps the receivables ledger in line with every INSERT, UPDATE, DELETE, COPY and TRUNCATE.';
