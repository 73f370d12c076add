-- Tie-out: where the ledger and an attached table disagree.
--
-- reconcile reads the attached table through the same column mapping as
-- the trigger (arcollect._invoice_rows_sql / _payment_rows_sql), and
-- compares, key by key, what the table says with what the ledger holds;
-- it also checks that the history a billing table booked adds up to what
-- its invoice rows say is open (amount - paid + void_amount: the payments
-- of payments tables are entries only, which their own reconcile checks
-- against their tables) and that quarantine holds exactly the unusable
-- rows.  It runs
-- with the caller's rights: it needs SELECT on the table's mapped columns
-- and on the ledger.  The statement is built by _reconcile_sql, an
-- internal helper, so reconcile is a C function (src/ledger_gate.c) that
-- builds it with the extension owner's rights and runs it with the
-- caller's.

-- The tie-out statement of billing_table, with the parameters it takes
-- (those of every sync statement, see ledger_sync.sql) and the time zone
-- it runs in (the attachment's: reconcile reads the table with the
-- settings the trigger reads it with, whatever the caller's).
CREATE OR REPLACE FUNCTION arcollect._reconcile_sql(billing_table regclass,
                                         OUT statement text, OUT attachment_id integer,
                                         OUT invoices_attachment_id integer, OUT default_currency text,
                                         OUT void_statuses text[], OUT credit_statuses text[],
                                         OUT time_zone text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    a arcollect.attachment;
BEGIN
    SELECT * INTO a FROM arcollect.attachment t WHERE t.billing_table = $1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'table % is not attached', $1
            USING ERRCODE = 'undefined_object',
                  HINT = 'Attach it with arcollect.attach or arcollect.attach_payments.';
    END IF;

    IF NOT EXISTS (SELECT FROM pg_class c WHERE c.oid = a.billing_table) THEN
        RAISE EXCEPTION 'table with OID % does not exist', a.billing_table::oid
            USING ERRCODE = 'undefined_table',
                  HINT = 'The attachment outlived its table; arcollect.attachment keeps its ledger rows.';
    END IF;

    attachment_id := a.attachment_id;
    invoices_attachment_id := coalesce(a.invoices_attachment_id, a.attachment_id);
    default_currency := a.default_currency;
    void_statuses := a.void_statuses;
    credit_statuses := a.credit_statuses;
    time_zone := a.time_zone;

    -- The table's rows (b) are read through the mapping in every pass
    -- that needs them rather than materialized: writing and reading back
    -- a tuplestore of every row costs several times what converting them
    -- again does.
    IF a.kind = 'payments' THEN
        -- one aggregate over the table's rows and its entries together,
        -- rather than one each and a join of the two
        statement := format(
            $q$WITH b AS NOT MATERIALIZED (%1$s),
     sums AS (SELECT x.k, sum(x.want) AS want, sum(x.have) AS have
                FROM (SELECT b.k, -b.amt AS want, 0 AS have FROM b WHERE b.reason IS NULL
                      UNION ALL
                      SELECT e.invoice_key, 0, e.amount
                        FROM arcollect.entry e WHERE e.source_attachment_id = $1) x
               GROUP BY x.k),
     bad AS (SELECT b.row_data, count(*) AS n FROM b WHERE b.reason IS NOT NULL GROUP BY b.row_data),
     quar AS (SELECT q.row_data, count(*) AS n FROM arcollect._quarantine_held q
               WHERE q.attachment_id = $1 GROUP BY q.row_data)
SELECT sums.k::text, 'payments of the invoice differ'::text, sums.want, sums.have
  FROM sums
 WHERE sums.want <> sums.have
UNION ALL
SELECT coalesce(bad.row_data, quar.row_data)->>%2$L, 'quarantine does not match the unusable rows',
       coalesce(bad.n, 0)::numeric, coalesce(quar.n, 0)::numeric
  FROM bad FULL JOIN quar ON quar.row_data = bad.row_data
 WHERE coalesce(bad.n, 0) <> coalesce(quar.n, 0)$q$,
            arcollect._payment_rows_sql(a, arcollect._table_sql(a.billing_table)), a.invoice_key_column);
        RETURN;
    END IF;

    -- The checks of each invoice are made in one pass: the rows of the
    -- table (g; an unusable one joins nothing, the quarantine checks below
    -- are about it) joined to the ledger's invoices (l; one the table no
    -- longer holds joins no row of the table) and to the history the
    -- billing table booked for them (e: its own entries, a payments
    -- table's are checked by its own reconcile; the booking is in l), and
    -- each joined row gives up to three problems.  (Filtering the usable
    -- rows before the join would make the planner guess a few hundred of
    -- them, the selectivity of a function's result being NULL, and sort
    -- both sides for a merge join instead of hashing one.)
    statement := format(
        $q$WITH b AS NOT MATERIALIZED (%1$s),
     l AS (SELECT i.*, i.amount - i.paid + i.void_amount AS open_part,
                  CASE WHEN i.booked_on IS NOT NULL THEN i.booked_amount ELSE 0 END AS booked
             FROM arcollect.invoice i WHERE i.attachment_id = $1),
     e AS (SELECT x.invoice_key, sum(x.amount) AS total
             FROM arcollect.entry x
            WHERE x.attachment_id = $1 AND x.source_attachment_id = $1
            GROUP BY x.invoice_key),
     c AS (SELECT coalesce(g.k, l.invoice_key, e.invoice_key) AS k,
                  CASE WHEN g.reason IS NOT NULL THEN NULL
                       WHEN g.k IS NULL THEN CASE WHEN l.in_billing THEN 'in the ledger but not in the table' END
                       WHEN l.invoice_key IS NULL THEN 'missing from the ledger'
                       WHEN (g.cust, g.cur, g.iss, g.due, g.amt, g.owner, g.status)
                            IS DISTINCT FROM
                            (l.customer_id, l.currency, l.issued_on, l.due_on, l.amount, l.owner, l.status)
                            THEN 'invoice details differ'
                       WHEN g.open_part <> l.open_part THEN 'open amount differs'
                  END AS row_problem,
                  CASE WHEN NOT l.in_billing AND l.open_part <> 0
                       THEN 'invoice gone from the table still open in the ledger' END AS gone_problem,
                  CASE WHEN coalesce(l.open_part, 0) <> coalesce(l.booked, 0) + coalesce(e.total, 0)
                       THEN 'history does not add up to the open amount' END AS history_problem,
                  g.open_part AS table_open, l.open_part AS ledger_open,
                  coalesce(l.booked, 0) + coalesce(e.total, 0) AS history_total
             FROM (SELECT b.*, CASE WHEN b.is_void THEN 0 ELSE b.amt - b.paid END AS open_part FROM b) g
             FULL JOIN l ON l.invoice_key = CASE WHEN g.reason IS NULL THEN g.k END AND l.in_billing
             FULL JOIN e ON e.invoice_key = l.invoice_key),
     q AS (SELECT x.invoice_key, x.reason FROM arcollect._quarantine_held x
            WHERE x.attachment_id = $1 AND x.row_kind = 'invoice' AND x.invoice_key IS NOT NULL),
     -- rows without a key are matched by their data
     nb AS (%2$s),
     nq AS (SELECT x.row_data, count(*) AS n FROM arcollect._quarantine_held x
             WHERE x.attachment_id = $1 AND x.row_kind = 'invoice' AND x.invoice_key IS NULL
             GROUP BY x.row_data)
SELECT r.k::text, r.problem, r.table_value, r.ledger_value
  FROM (SELECT c.k, p.problem, p.table_value, p.ledger_value
          FROM c
         CROSS JOIN LATERAL (VALUES (c.row_problem, c.table_open, c.ledger_open),
                                    (c.gone_problem, 0, c.ledger_open),
                                    (c.history_problem, coalesce(c.ledger_open, 0), c.history_total))
               p (problem, table_value, ledger_value)
         WHERE c.row_problem IS NOT NULL OR c.gone_problem IS NOT NULL OR c.history_problem IS NOT NULL
        UNION ALL
        SELECT coalesce(b.k, q.invoice_key),
               CASE WHEN q.invoice_key IS NULL THEN 'unusable row not in quarantine'
                    WHEN b.k IS NULL THEN 'quarantined row no longer unusable'
                    ELSE 'quarantine reason out of date' END,
               NULL, NULL
          FROM (SELECT DISTINCT b.k, b.reason FROM b WHERE b.reason IS NOT NULL AND b.k IS NOT NULL) b
          FULL JOIN q ON q.invoice_key = b.k
         WHERE b.k IS NULL OR q.invoice_key IS NULL OR b.reason <> q.reason
        UNION ALL
        SELECT NULL, 'quarantine does not match the rows without a key',
               coalesce(nb.n, 0), coalesce(nq.n, 0)
          FROM nb FULL JOIN nq ON nq.row_data = nb.row_data
         WHERE coalesce(nb.n, 0) <> coalesce(nq.n, 0)) r
 WHERE r.problem IS NOT NULL
 ORDER BY 1, 2$q$,
        -- (while the key is unique and not null, no key repeats or is missing)
        CASE WHEN arcollect._key_is_unique(a.attachment_id)
             THEN arcollect._invoice_rows_sql(a, arcollect._table_sql(a.billing_table))
             ELSE arcollect._keyed_rows_sql(a, arcollect._table_sql(a.billing_table)) END,
        CASE WHEN arcollect._key_is_unique(a.attachment_id)
             THEN 'SELECT NULL::jsonb AS row_data, 0::bigint AS n WHERE false'
             ELSE format('SELECT %s AS row_data, count(*) AS n FROM %s s WHERE s.%I IS NULL GROUP BY 1',
                         arcollect._row_data_sql(a, 's'), arcollect._table_sql(a.billing_table), a.key_column) END);
END
$fn$;

CREATE OR REPLACE FUNCTION arcollect.reconcile(billing_table regclass)
RETURNS TABLE (invoice_key text, problem text, table_value numeric, ledger_value numeric)
LANGUAGE C STABLE
AS 'MODULE_PATHNAME', 'arcollect_reconcile';

COMMENT ON FUNCTION arcollect.reconcile(regclass) IS
'One row per invoice where the ledger and the attached billing or payments table disagree, with the problem and both values; no rows when they agree.';
