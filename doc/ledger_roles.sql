-- read-only BI role
GRANT USAGE ON SCHEMA arcollect TO bi_reader;
GRANT SELECT ON arcollect.invoice, arcollect.entry, arcollect._history, arcollect.customer,
                arcollect.attachment, arcollect.ledger_entries TO bi_reader;

-- collectors: read the ledger, edit customers
GRANT USAGE ON SCHEMA arcollect TO collector;
GRANT SELECT ON arcollect.invoice, arcollect.entry, arcollect._history,
                arcollect.attachment, arcollect.ledger_entries TO collector;
GRANT SELECT, UPDATE ON arcollect.customer TO collector;

-- collectors: touchpoints and promises to pay (find_invoice and
-- customer_open_amounts read arcollect._open_amount with the caller's rights)
GRANT SELECT, INSERT, UPDATE ON arcollect.touchpoint, arcollect.touchpoint_invoice,
                                arcollect.promise TO collector;
GRANT SELECT ON arcollect._open_amount, arcollect.touchpoints, arcollect.touchpoint_invoices,
                arcollect.promises TO collector;
GRANT SELECT ON arcollect.touchpoint, arcollect.touchpoint_invoice, arcollect.promise,
                arcollect._open_amount, arcollect.touchpoints, arcollect.touchpoint_invoices,
                arcollect.promises TO bi_reader;

-- admins: attach tables and look after quarantine
GRANT USAGE ON SCHEMA arcollect TO ar_admin;
GRANT SELECT ON ALL TABLES IN SCHEMA arcollect TO ar_admin;
GRANT UPDATE ON arcollect.customer TO ar_admin;
GRANT EXECUTE ON FUNCTION arcollect.attach, arcollect.attach_payments, arcollect.detach TO ar_admin;
