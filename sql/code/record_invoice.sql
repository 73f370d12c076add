-- How a collections record names an invoice: by its key as text, with
-- the billing table only when two attached billing tables hold the key.
-- Only the billing tables the ledger follows now count.  One lookup for every record kind (disputes, plans, touchpoints), so
-- that an unknown or ambiguous key is refused the same way everywhere.
--
-- It runs with the caller's rights (a role that cannot read the ledger's
-- invoices cannot learn of one through it), which is why it is a public
-- function rather than an internal one: internal functions are the
-- extension owner's alone (ledger_grants.sql), and the record functions
-- that call it run with their caller's rights too.

CREATE OR REPLACE FUNCTION arcollect.find_invoice(invoice_key text,
                                                  billing_table regclass DEFAULT NULL,
                                                  OUT attachment_id integer,
                                                  OUT customer_id text,
                                                  OUT currency text,
                                                  OUT open_amount numeric)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    tables text;
    found_count integer;
BEGIN
    IF invoice_key IS NULL THEN
        RAISE EXCEPTION 'invoice key must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF billing_table IS NOT NULL AND NOT EXISTS (
           SELECT FROM arcollect.attachment a
            WHERE a.billing_table = find_invoice.billing_table AND a.kind = 'invoices'
              AND a.detached_at IS NULL) THEN
        RAISE EXCEPTION 'table % is not a billing table attached to the receivables ledger', billing_table
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Name a table attached with arcollect.attach, or pass NULL.';
    END IF;
    SELECT pg_catalog.count(*), pg_catalog.string_agg(a.billing_table::text, ', ' ORDER BY a.billing_table::text),
           pg_catalog.min(i.attachment_id), pg_catalog.min(i.customer_id), pg_catalog.min(i.currency)
      INTO found_count, tables, attachment_id, customer_id, currency
      FROM arcollect.invoice i
      JOIN arcollect.attachment a ON a.attachment_id = i.attachment_id
     WHERE i.invoice_key = find_invoice.invoice_key COLLATE "C"
       AND i.in_billing
       -- a detached or dropped table's invoices keep their history, but
       -- the ledger no longer knows what is open on them
       AND a.detached_at IS NULL AND a.billing_table IS NOT NULL
       AND (find_invoice.billing_table IS NULL OR a.billing_table = find_invoice.billing_table);
    IF found_count = 0 THEN
        RAISE EXCEPTION 'invoice "%" is not in the receivables ledger', invoice_key
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = CASE WHEN billing_table IS NULL
                                THEN 'No attached billing table holds a usable row with that key.'
                                ELSE format('Billing table %s holds no usable row with that key.', billing_table) END,
                  HINT = 'Check the key, and arcollect.quarantine if the row is in the billing table.';
    ELSIF found_count > 1 THEN
        RAISE EXCEPTION 'invoice key "%" is in more than one billing table', invoice_key
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('Billing tables %s hold it.', tables),
                  HINT = 'Pass billing_table to say which invoice is meant.';
    END IF;
    SELECT o.open_amount INTO open_amount
      FROM arcollect._open_amount o
     WHERE o.attachment_id = find_invoice.attachment_id
       AND o.invoice_key = find_invoice.invoice_key COLLATE "C";
END
$fn$;

COMMENT ON FUNCTION arcollect.find_invoice(text, regclass) IS
'The invoice a collections record names by key (and billing table when the key is in several): its attachment, customer, currency and open amount now. An unknown or ambiguous key is an error (SQLSTATE 22023).';
