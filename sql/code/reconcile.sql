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

    IF a.kind = 'payments' THEN
        statement := format(
            $q$WITH b AS MATERIALIZED (%s),
     want AS (SELECT b.k, sum(-b.amt) AS total FROM b WHERE b.reason IS NULL GROUP BY b.k),
     have AS (SELECT e.invoice_key AS k, sum(e.amount) AS total
                FROM arcollect.entry e WHERE e.source_attachment_id = $1 GROUP BY e.invoice_key),
     bad AS (SELECT b.row_data, count(*) AS n FROM b WHERE b.reason IS NOT NULL GROUP BY b.row_data),
     quar AS (SELECT q.row_data, count(*) AS n FROM arcollect._quarantine_held q
               WHERE q.attachment_id = $1 GROUP BY q.row_data)
SELECT coalesce(want.k, have.k)::text, 'payments of the invoice differ'::text,
       coalesce(want.total, 0), coalesce(have.total, 0)
  FROM want FULL JOIN have ON have.k = want.k
 WHERE coalesce(want.total, 0) <> coalesce(have.total, 0)
UNION ALL
SELECT coalesce(bad.row_data, quar.row_data)->>%L, 'quarantine does not match the unusable rows',
       coalesce(bad.n, 0)::numeric, coalesce(quar.n, 0)::numeric
  FROM bad FULL JOIN quar ON quar.row_data = bad.row_data
 WHERE coalesce(bad.n, 0) <> coalesce(quar.n, 0)$q$,
            arcollect._payment_rows_sql(a, arcollect._table_sql(a.billing_table)), a.invoice_key_column);
        RETURN;
    END IF;

    statement := format(
        $q$WITH b AS MATERIALIZED (%s),
     good AS (SELECT b.*, CASE WHEN b.is_void THEN 0 ELSE b.amt - b.paid END AS open_part
                FROM b WHERE b.reason IS NULL),
     l AS (SELECT i.*, i.amount - i.paid + i.void_amount AS open_part
             FROM arcollect.invoice i WHERE i.attachment_id = $1),
     -- the history the billing table booked: its bookings and its own
     -- entries (a payments table's are checked by its own reconcile)
     e AS (SELECT x.invoice_key, sum(x.amount) AS total
             FROM arcollect._history x
            WHERE x.attachment_id = $1 AND x.source_attachment_id = $1
            GROUP BY x.invoice_key),
     q AS (SELECT x.invoice_key, x.reason FROM arcollect._quarantine_held x
            WHERE x.attachment_id = $1 AND x.row_kind = 'invoice' AND x.invoice_key IS NOT NULL),
     -- rows without a key are matched by their data
     nb AS (%s),
     nq AS (SELECT x.row_data, count(*) AS n FROM arcollect._quarantine_held x
             WHERE x.attachment_id = $1 AND x.row_kind = 'invoice' AND x.invoice_key IS NULL
             GROUP BY x.row_data)
SELECT r.k::text, r.problem, r.table_value, r.ledger_value
  FROM (SELECT coalesce(g.k, l.invoice_key) AS k,
               CASE WHEN g.k IS NULL THEN 'in the ledger but not in the table'
                    WHEN l.invoice_key IS NULL THEN 'missing from the ledger'
                    WHEN (g.cust, g.cur, g.iss, g.due, g.amt, g.owner, g.status)
                         IS DISTINCT FROM
                         (l.customer_id, l.currency, l.issued_on, l.due_on, l.amount, l.owner, l.status)
                         THEN 'invoice details differ'
                    WHEN g.open_part <> l.open_part THEN 'open amount differs'
               END AS problem,
               g.open_part AS table_value, l.open_part AS ledger_value
          FROM good g
          FULL JOIN (SELECT * FROM l WHERE l.in_billing) l ON l.invoice_key = g.k
        UNION ALL
        SELECT l.invoice_key, 'invoice gone from the table still open in the ledger', 0, l.open_part
          FROM l WHERE NOT l.in_billing AND l.open_part <> 0
        UNION ALL
        SELECT coalesce(l.invoice_key, e.invoice_key), 'history does not add up to the open amount',
               coalesce(l.open_part, 0), coalesce(e.total, 0)
          FROM l FULL JOIN e ON e.invoice_key = l.invoice_key
         WHERE coalesce(l.open_part, 0) <> coalesce(e.total, 0)
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
