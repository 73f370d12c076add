-- Reading the ledger: open items and the receivables balance at any date,
-- and the history of every invoice.
--
-- The open amount of an invoice at a date is its booked amount (once its
-- booking date has passed) plus its entries effective on or before that
-- date (see ledger_sync.sql for how entries are dated); nothing stores
-- it.  Keys known only from payments have entries and no invoice row:
-- open_items and receivables_balance leave them out until the invoice
-- is billed (they have no issue date), ledger_entries shows them.  open_items,
-- receivables_balance and ledger_entries all read the history through
-- arcollect._history, so an aging report built from open_items(d) always
-- ties out to receivables_balance(d): both add up the same rows.

-- The whole history as one relation: each invoice's booking (kept in its
-- invoice row) and every entry after it.
CREATE OR REPLACE VIEW arcollect._history AS
SELECT i.attachment_id, i.invoice_key,
       CASE WHEN i.booked_amount < 0 THEN 'credit_note' ELSE 'invoice' END AS kind,
       i.booked_amount AS amount, i.booked_on AS effective_on,
       i.attachment_id AS source_attachment_id, i.booked_at AS recorded_at,
       NULL::bigint AS entry_id
  FROM arcollect.invoice i
 WHERE i.booked_on IS NOT NULL
UNION ALL
SELECT e.attachment_id, e.invoice_key, e.kind, e.amount, e.effective_on,
       e.source_attachment_id, e.recorded_at, e.entry_id
  FROM arcollect.entry e;

COMMENT ON VIEW arcollect._history IS
'Internal: every change of every invoice''s open amount, its booking included; read through arcollect.ledger_entries.';

-- The open amount of every key now: all of its history, whatever the
-- dates (a payment dated tomorrow counts).  The ledger stores no current
-- amount (payments only append entries, see ledger_tables.sql), so this
-- is where it is derived, for readers that want it without a date; a key
-- known only from payments is here too, with no invoice row.
CREATE OR REPLACE VIEW arcollect._open_amount AS
SELECT x.attachment_id, x.invoice_key, sum(x.amount) AS open_amount
  FROM arcollect._history x
 GROUP BY x.attachment_id, x.invoice_key;

COMMENT ON VIEW arcollect._open_amount IS
'Internal: the open amount of every invoice key now (booking and every entry, whatever its date; negative when overpaid), keys known only from payments included.';

CREATE OR REPLACE FUNCTION arcollect.open_items(as_of date DEFAULT current_date)
RETURNS TABLE (
    invoice_key text,
    customer_id text,
    currency text,
    issued_on date,
    due_on date,
    amount numeric,
    open_amount numeric,
    owner text,
    status text,
    billing_table regclass,
    in_billing boolean)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT i.invoice_key, i.customer_id, i.currency, i.issued_on, i.due_on, i.amount,
           coalesce(e.open_amount, 0), i.owner, i.status, a.billing_table, i.in_billing
      FROM arcollect.invoice i
      JOIN arcollect.attachment a ON a.attachment_id = i.attachment_id
      LEFT JOIN (SELECT x.attachment_id, x.invoice_key, sum(x.amount) AS open_amount
                   FROM arcollect._history x
                  WHERE x.effective_on <= open_items.as_of
                  GROUP BY x.attachment_id, x.invoice_key) e
             ON e.attachment_id = i.attachment_id AND e.invoice_key = i.invoice_key
     WHERE i.issued_on <= open_items.as_of
       AND (i.in_billing OR coalesce(e.open_amount, 0) <> 0);
END;

COMMENT ON FUNCTION arcollect.open_items(date) IS
'Every invoice issued on or before as_of with its open amount at that date (negative when overpaid). Invoices deleted from the billing table are left out once nothing is open on them.';

CREATE OR REPLACE FUNCTION arcollect.receivables_balance(as_of date DEFAULT current_date,
                                              billing_table regclass DEFAULT NULL)
RETURNS TABLE (currency text, balance numeric)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT i.currency, sum(x.amount)
      FROM arcollect._history x
      JOIN arcollect.invoice i ON i.attachment_id = x.attachment_id AND i.invoice_key = x.invoice_key
      JOIN arcollect.attachment a ON a.attachment_id = i.attachment_id
     WHERE x.effective_on <= receivables_balance.as_of
       AND i.issued_on <= receivables_balance.as_of
       AND (receivables_balance.billing_table IS NULL
            OR a.billing_table = receivables_balance.billing_table)
     GROUP BY i.currency
     ORDER BY i.currency;
END;

COMMENT ON FUNCTION arcollect.receivables_balance(date, regclass) IS
'Receivables balance per currency at the end of as_of: every change up to that date of every invoice issued by then; of one billing table, or of all when billing_table is NULL.';

CREATE OR REPLACE VIEW arcollect.ledger_entries AS
SELECT e.entry_id,
       coalesce(a.billing_table::text, a.dropped_table_name) AS billing_table,
       e.invoice_key,
       i.customer_id,
       i.currency,
       e.kind,
       e.amount,
       e.effective_on,
       coalesce(s.billing_table::text, s.dropped_table_name) AS source_table,
       e.recorded_at
  FROM arcollect._history e
  JOIN arcollect.attachment a ON a.attachment_id = e.attachment_id
  JOIN arcollect.attachment s ON s.attachment_id = e.source_attachment_id
  LEFT JOIN arcollect.invoice i ON i.attachment_id = e.attachment_id AND i.invoice_key = e.invoice_key;

COMMENT ON VIEW arcollect.ledger_entries IS
'The history of the receivables ledger: every change of an invoice''s open amount, with its kind and date.';
COMMENT ON COLUMN arcollect.ledger_entries.entry_id IS 'Order in which the changes after the booking were recorded; NULL for the booking of the invoice itself (kind invoice or credit_note), which comes first.';
COMMENT ON COLUMN arcollect.ledger_entries.billing_table IS 'Billing table of the invoice.';
COMMENT ON COLUMN arcollect.ledger_entries.invoice_key IS 'Invoice key.';
COMMENT ON COLUMN arcollect.ledger_entries.customer_id IS 'Customer of the invoice.';
COMMENT ON COLUMN arcollect.ledger_entries.currency IS 'Currency of the invoice.';
COMMENT ON COLUMN arcollect.ledger_entries.kind IS 'invoice, payment, credit_note, write_off, void or adjustment.';
COMMENT ON COLUMN arcollect.ledger_entries.amount IS 'Change of the open amount: positive raises it, negative lowers it.';
COMMENT ON COLUMN arcollect.ledger_entries.effective_on IS 'Date the change takes effect.';
COMMENT ON COLUMN arcollect.ledger_entries.source_table IS 'The table whose write produced the change (billing or payments table).';
COMMENT ON COLUMN arcollect.ledger_entries.recorded_at IS 'When the change was recorded.';
