-- The date each invoice was paid, as the ledger's history tells it: the
-- paid_on that arcollect.risk_score (and avg_payment_delay, avg_days_late)
-- take, for invoices whose billing table keeps no such date, or keeps
-- only the date of its latest change.
--
-- The ledger dates changes by the day, so the rule reads the open amount
-- at the end of each day: an invoice is paid as of as_of once its open
-- amount is zero or below at the end of every day from some day through
-- as_of, and it was paid on the first of those days.  A later change that
-- opens it again (a reversed payment, a raised amount) makes it unpaid
-- from that day on, and the payment that closes it again dates it anew; a
-- payment on the issue date pays it that day.  Only invoices have a paid
-- date: a key booked at zero or below (a credit note), and an invoice not
-- booked by as_of, have NULL, as has an invoice open at as_of.
--
-- Like open_items, it reads arcollect.invoice and arcollect.entry
-- directly with the caller's rights, and is an SQL function without a
-- SET clause so the planner inlines it into the caller's query (see
-- open_items.sql).  Every invoice issued by as_of has a row; with
-- customer_id, every such invoice of that customer, with customers, of
-- those customers (both: of the customer if it is one of them).  The
-- customers are arguments rather than a filter on the result because the
-- running balance is a window over the history: a filter on the result
-- would be applied after sorting the whole ledger's history, the
-- arguments are applied to the scans, so customer_risk sorts one
-- customer's history, which the index on arcollect.invoice (customer_id)
-- and the one on arcollect.entry (invoice_key, attachment_id) find
-- (open_items.sql says how a constant argument reaches the scans).

CREATE OR REPLACE FUNCTION arcollect.invoice_paid_on(as_of date DEFAULT current_date,
                                                     customer_id text DEFAULT NULL,
                                                     customers text[] DEFAULT NULL)
RETURNS TABLE (
    billing_table regclass,
    invoice_key text,
    customer_id text,
    paid_on date)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT a.billing_table, i.invoice_key, i.customer_id,
           CASE WHEN i.booked_amount > 0 AND i.booked_on <= invoice_paid_on.as_of THEN p.paid_on END
      FROM arcollect.invoice i
      JOIN arcollect.attachment a ON a.attachment_id = i.attachment_id
      LEFT JOIN (
            -- the first day of the last run of days that end at or below zero
            SELECT s.attachment_id, s.invoice_key,
                   min(s.effective_on) FILTER (WHERE s.highest_from_here <= 0) AS paid_on
              FROM (SELECT d.attachment_id, d.invoice_key, d.effective_on,
                           max(d.balance) OVER (PARTITION BY d.attachment_id, d.invoice_key
                                                ORDER BY d.effective_on
                                                ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING)
                             AS highest_from_here
                      FROM (SELECT c.attachment_id, c.invoice_key, c.effective_on,
                                   sum(sum(c.amount)) OVER (PARTITION BY c.attachment_id, c.invoice_key
                                                            ORDER BY c.effective_on
                                                            ROWS UNBOUNDED PRECEDING) AS balance
                              FROM (SELECT b.attachment_id, b.invoice_key,
                                           b.booked_on AS effective_on, b.booked_amount AS amount
                                      FROM arcollect.invoice b
                                     WHERE b.booked_on <= invoice_paid_on.as_of
                                       AND (invoice_paid_on.customer_id IS NULL
                                            OR b.customer_id = invoice_paid_on.customer_id)
                                       AND (invoice_paid_on.customers IS NULL
                                            OR b.customer_id = ANY (invoice_paid_on.customers))
                                    UNION ALL
                                    SELECT e.attachment_id, e.invoice_key, e.effective_on, e.amount
                                      FROM arcollect.entry e
                                      JOIN arcollect.invoice j
                                        ON j.attachment_id = e.attachment_id AND j.invoice_key = e.invoice_key
                                     WHERE e.effective_on <= invoice_paid_on.as_of
                                       AND (invoice_paid_on.customer_id IS NULL
                                            OR j.customer_id = invoice_paid_on.customer_id)
                                       AND (invoice_paid_on.customers IS NULL
                                            OR j.customer_id = ANY (invoice_paid_on.customers))) c
                             GROUP BY c.attachment_id, c.invoice_key, c.effective_on) d) s
             GROUP BY s.attachment_id, s.invoice_key) p
        ON p.attachment_id = i.attachment_id AND p.invoice_key = i.invoice_key
     WHERE i.issued_on <= invoice_paid_on.as_of
       AND (invoice_paid_on.customer_id IS NULL OR i.customer_id = invoice_paid_on.customer_id)
       AND (invoice_paid_on.customers IS NULL OR i.customer_id = ANY (invoice_paid_on.customers));
END;

COMMENT ON FUNCTION arcollect.invoice_paid_on(date, text, text[]) IS
'Every invoice issued on or before as_of (of one customer, when customer_id is given; of the customers given, when customers is), with the date it was paid as of as_of: the first day of the last run of days, through as_of, at whose end its open amount was zero or below; NULL while it is open, for a credit note, and for an invoice not booked by as_of.';
