-- The date each invoice was paid, as the ledger's history tells it: the
-- paid_on that arcollect.risk_score (and avg_payment_delay, avg_days_late)
-- take, for invoices whose billing table keeps no such date, or keeps
-- only the date of its latest change.
--
-- An invoice is paid as of as_of once its open amount, after falling to
-- zero or below, stays there through as_of; it was paid on the date of
-- the change that took it there.  A later change that opens it again (a
-- reversed payment, a raised amount) makes it unpaid from that change on,
-- and the payment that closes it again dates it anew.  The changes are
-- read in the order the open amount went through them: by date, the
-- booking first on its date, then the entries in the order they were
-- recorded; so a payment on the issue date pays the invoice that day.  A
-- key whose open amount was never above zero (a credit note) was never
-- paid: its paid_on is NULL, as is that of an invoice open at as_of.
--
-- Like open_items, it reads arcollect.invoice and arcollect.entry
-- directly with the caller's rights, and is an SQL function without a
-- SET clause so the planner inlines it into the caller's query (see
-- open_items.sql).  Every invoice issued by as_of has a row.

CREATE OR REPLACE FUNCTION arcollect.invoice_paid_on(as_of date DEFAULT current_date)
RETURNS TABLE (
    billing_table regclass,
    invoice_key text,
    paid_on date)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT a.billing_table, i.invoice_key, p.paid_on
      FROM arcollect.invoice i
      JOIN arcollect.attachment a ON a.attachment_id = i.attachment_id
      LEFT JOIN (
            -- the first change of the last stretch at or below zero,
            -- provided the open amount was above zero just before it
            SELECT s.attachment_id, s.invoice_key,
                   min(s.effective_on) FILTER (WHERE s.balance - s.amount > 0
                                                 AND s.highest_from_here <= 0) AS paid_on
              FROM (SELECT r.attachment_id, r.invoice_key, r.effective_on, r.amount, r.balance,
                           max(r.balance) OVER (PARTITION BY r.attachment_id, r.invoice_key
                                                ORDER BY r.effective_on, r.entry_id NULLS FIRST
                                                ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING)
                             AS highest_from_here
                      FROM (SELECT h.attachment_id, h.invoice_key, h.effective_on, h.amount, h.entry_id,
                                   sum(h.amount) OVER (PARTITION BY h.attachment_id, h.invoice_key
                                                       ORDER BY h.effective_on, h.entry_id NULLS FIRST
                                                       ROWS UNBOUNDED PRECEDING) AS balance
                              FROM (SELECT b.attachment_id, b.invoice_key, b.booked_on AS effective_on,
                                           b.booked_amount AS amount, NULL::bigint AS entry_id
                                      FROM arcollect.invoice b
                                     WHERE b.booked_on <= invoice_paid_on.as_of
                                    UNION ALL
                                    SELECT e.attachment_id, e.invoice_key, e.effective_on,
                                           e.amount, e.entry_id
                                      FROM arcollect.entry e
                                     WHERE e.effective_on <= invoice_paid_on.as_of) h) r) s
             GROUP BY s.attachment_id, s.invoice_key) p
        ON p.attachment_id = i.attachment_id AND p.invoice_key = i.invoice_key
     WHERE i.issued_on <= invoice_paid_on.as_of;
END;

COMMENT ON FUNCTION arcollect.invoice_paid_on(date) IS
'Every invoice issued on or before as_of with the date it was paid as of as_of: the date of the change after which its open amount stayed at or below zero through as_of; NULL while it is open, and for a key whose open amount was never above zero.';
