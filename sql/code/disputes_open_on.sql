-- The disputes open on a date: opened by then and not closed by then (a
-- dispute closed on a day is no longer open at the end of it).  The one
-- definition the BI views (aging_report's disputed amounts,
-- customer_summary, dispute_summary) and customer_risk read; the
-- escalation reads the disputes open now (arcollect.invoice_disputed_amount),
-- which is the same set for today but for a dispute opened on a later day.
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
