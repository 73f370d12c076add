-- The disputes open on a date: opened by then and not closed by then (a
-- dispute closed on a day is no longer open at the end of it).  The one
-- definition the BI views (aging_report's disputed amounts,
-- customer_summary, dispute_summary), customer_risk, the cash forecast
-- and the escalation (arcollect.invoice_disputed_amount below, which
-- escalation_invoices reads for its as_of) read.
--
-- An inlinable SQL function (no SET clause, see open_items.sql), with the
-- caller's rights: it reads arcollect.dispute and arcollect.attachment.

CREATE OR REPLACE FUNCTION arcollect.disputes_open_on(as_of date DEFAULT current_date)
RETURNS TABLE (
    dispute_id bigint,
    billing_table regclass,
    invoice_key text,
    customer_id text,
    currency text,
    reason_code text,
    disputed_amount numeric,
    owner text,
    opened_on date)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT d.dispute_id, a.billing_table, d.invoice_key, d.customer_id, d.currency, d.reason_code,
           d.disputed_amount, d.owner, d.opened_on
      FROM arcollect.dispute d
      JOIN arcollect.attachment a ON a.attachment_id = d.attachment_id
     WHERE d.opened_on <= disputes_open_on.as_of
       AND (d.closed_on IS NULL OR d.closed_on > disputes_open_on.as_of);
END;

COMMENT ON FUNCTION arcollect.disputes_open_on(date) IS
'The disputes open at the end of as_of: opened on or before it and not closed by then, with their invoice, customer, currency, reason and amount.';

-- What escalation leaves out of an invoice as of a date: the sum of the
-- amounts of its disputes open on that date (arcollect.disputes_open_on),
-- so that escalation as of a past date sees neither a dispute opened
-- later nor misses one resolved since.  Not out of aging or the balance,
-- which show what the customer owes, disputed or not.  Payments since a
-- dispute was opened may leave less open than that: escalation leaves
-- out at most the open amount, least(open_amount, disputed_amount).
-- Inlinable SQL, caller's rights, as disputes_open_on; the view is
-- today's.
CREATE OR REPLACE FUNCTION arcollect.invoice_disputed_amount(as_of date DEFAULT current_date)
RETURNS TABLE (
    billing_table regclass,
    invoice_key text,
    customer_id text,
    currency text,
    disputed_amount numeric,
    open_disputes bigint)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT d.billing_table, d.invoice_key, d.customer_id, d.currency,
           sum(d.disputed_amount), count(*)
      FROM arcollect.disputes_open_on(invoice_disputed_amount.as_of) d
     GROUP BY d.billing_table, d.invoice_key, d.customer_id, d.currency;
END;

COMMENT ON FUNCTION arcollect.invoice_disputed_amount(date) IS
'The amount under dispute at the end of as_of of every invoice that had a dispute open then (arcollect.disputes_open_on), which escalation as of that date leaves out (at most the invoice''s open amount); aging and the balance do not.';

CREATE OR REPLACE VIEW arcollect.invoice_disputed_amount WITH (security_invoker = true) AS
SELECT d.billing_table, d.invoice_key, d.customer_id, d.currency, d.disputed_amount, d.open_disputes
  FROM arcollect.invoice_disputed_amount(current_date) d;

COMMENT ON VIEW arcollect.invoice_disputed_amount IS
'The amount under open dispute today of every invoice that has an open dispute, which escalation leaves out (at most the invoice''s open amount); aging and the balance do not. arcollect.invoice_disputed_amount(as_of) is the same for any date.';
COMMENT ON COLUMN arcollect.invoice_disputed_amount.billing_table IS 'Billing table of the invoice; NULL once the table is dropped.';
COMMENT ON COLUMN arcollect.invoice_disputed_amount.invoice_key IS 'The invoice key, as text.';
COMMENT ON COLUMN arcollect.invoice_disputed_amount.customer_id IS 'Customer of the invoice.';
COMMENT ON COLUMN arcollect.invoice_disputed_amount.currency IS 'Currency of the invoice and the amount.';
COMMENT ON COLUMN arcollect.invoice_disputed_amount.disputed_amount IS 'Sum of the amounts of the invoice''s open disputes; may be more than its open amount now, if it was paid since.';
COMMENT ON COLUMN arcollect.invoice_disputed_amount.open_disputes IS 'Number of open disputes of the invoice.';

REVOKE ALL ON arcollect.invoice_disputed_amount FROM PUBLIC;
