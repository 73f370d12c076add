-- Quarantine: the reasons a billing or payments row can be refused, in
-- words for messages and reports.  The rows themselves are in
-- arcollect.quarantine (ledger_tables.sql).

CREATE OR REPLACE FUNCTION arcollect.quarantine_reason_text(reason text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN CASE reason
    WHEN 'key_too_long' THEN 'the invoice key is longer than 1000 bytes'
    WHEN 'missing_customer' THEN 'the customer is missing'
    WHEN 'customer_too_long' THEN 'the customer is longer than 1000 bytes'
    WHEN 'owner_too_long' THEN 'the owner is longer than 1000 bytes'
    WHEN 'missing_amount' THEN 'the amount is missing'
    WHEN 'invalid_amount' THEN 'an amount is NaN, infinite or too large (10^38 or more)'
    WHEN 'missing_issue_date' THEN 'the issue date is missing'
    WHEN 'missing_due_date' THEN 'the due date is missing'
    WHEN 'invalid_date' THEN 'a date is infinity or -infinity'
    WHEN 'due_before_issue' THEN 'the due date is before the issue date'
    WHEN 'missing_currency' THEN 'the currency is missing'
    WHEN 'unknown_currency' THEN 'the currency is not an ISO 4217 code'
    WHEN 'negative_amount' THEN 'the amount is negative but the row is not a credit note'
    WHEN 'missing_open_amount' THEN 'the open amount is missing'
    WHEN 'missing_invoice_key' THEN 'the invoice key is missing'
    WHEN 'duplicate_key' THEN 'another row has the same invoice key'
    WHEN 'missing_paid_on' THEN 'the payment date is missing'
    WHEN 'unknown_kind' THEN 'the kind is not payment, credit note or write-off'
    ELSE reason
END;

COMMENT ON FUNCTION arcollect.quarantine_reason_text(text) IS
'The quarantine reason code in words, for messages and reports.';

-- The quarantine rows still held: arcollect.quarantine less, for rows
-- matched by their data (payments, billing rows without an invoice key),
-- the oldest rows of each data that arcollect.quarantine_release takes
-- out.  (A filter on attachment_id reaches inside the window.)
CREATE OR REPLACE VIEW arcollect._quarantine_held AS
SELECT x.quarantine_id, x.attachment_id, x.row_kind, x.invoice_key, x.reason, x.row_data, x.quarantined_at
  FROM (SELECT q.*,
               CASE WHEN q.row_kind = 'payment' OR q.invoice_key IS NULL
                    THEN row_number() OVER (PARTITION BY q.attachment_id, q.row_kind, q.row_data
                                            ORDER BY q.quarantine_id) END AS rn
          FROM arcollect.quarantine q) x
 WHERE x.rn IS NULL
    OR x.rn > (SELECT count(*) FROM arcollect.quarantine_release r
                WHERE r.attachment_id = x.attachment_id AND r.row_kind = x.row_kind
                  AND r.row_data = x.row_data);

COMMENT ON VIEW arcollect._quarantine_held IS
'The rows of arcollect.quarantine still held: without those that arcollect.quarantine_release takes out.';
COMMENT ON COLUMN arcollect._quarantine_held.quarantine_id IS 'As in arcollect.quarantine.';
COMMENT ON COLUMN arcollect._quarantine_held.attachment_id IS 'As in arcollect.quarantine.';
COMMENT ON COLUMN arcollect._quarantine_held.row_kind IS 'As in arcollect.quarantine.';
COMMENT ON COLUMN arcollect._quarantine_held.invoice_key IS 'As in arcollect.quarantine.';
COMMENT ON COLUMN arcollect._quarantine_held.reason IS 'As in arcollect.quarantine.';
COMMENT ON COLUMN arcollect._quarantine_held.row_data IS 'As in arcollect.quarantine.';
COMMENT ON COLUMN arcollect._quarantine_held.quarantined_at IS 'As in arcollect.quarantine.';

CREATE OR REPLACE VIEW arcollect.quarantined_rows AS
SELECT q.quarantine_id,
       coalesce(a.billing_table::text, a.dropped_table_name) AS table_name,
       q.row_kind,
       q.invoice_key,
       q.reason,
       arcollect.quarantine_reason_text(q.reason) AS reason_text,
       q.row_data,
       q.quarantined_at
  FROM arcollect._quarantine_held q
  JOIN arcollect.attachment a ON a.attachment_id = q.attachment_id;

COMMENT ON VIEW arcollect.quarantined_rows IS
'Billing and payment rows arcollect could not use, with the table they are in and the reason in words.';
COMMENT ON COLUMN arcollect.quarantined_rows.quarantine_id IS 'Identifier of the quarantined row.';
COMMENT ON COLUMN arcollect.quarantined_rows.table_name IS 'The attached table the row is in.';
COMMENT ON COLUMN arcollect.quarantined_rows.row_kind IS 'invoice (a billing-table row) or payment (a payments-table row).';
COMMENT ON COLUMN arcollect.quarantined_rows.invoice_key IS 'The invoice key of the row, when it has one.';
COMMENT ON COLUMN arcollect.quarantined_rows.reason IS 'Reason code, for filtering.';
COMMENT ON COLUMN arcollect.quarantined_rows.reason_text IS 'Why the row was not used, in words.';
COMMENT ON COLUMN arcollect.quarantined_rows.row_data IS 'The mapped columns of the row as it was written, as a JSON object of column names and values as text.';
COMMENT ON COLUMN arcollect.quarantined_rows.quarantined_at IS 'When the row went to quarantine.';
