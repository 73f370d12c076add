-- Reading the ledger: open items and the receivables balance at any date,
-- and the history of every invoice.
--
-- The open amount of an invoice at a date is its booked amount (once its
-- booking date has passed) plus its entries effective on or before that
-- date (see ledger_sync.sql for how entries are dated); nothing stores
-- it.  Keys known only from payments have entries and no invoice row:
-- open_items and receivables_balance leave them out until the invoice
-- is billed (they have no issue date), ledger_entries shows them.
-- receivables_balance adds up the rows of open_items, so an aging report
-- built from open_items(d) always ties out to receivables_balance(d).

-- The whole history as one relation: each invoice's booking (kept in its
-- invoice row) and every entry after it.
CREATE OR REPLACE VIEW arcollect._history WITH (security_invoker = true) AS
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
COMMENT ON COLUMN arcollect._history.attachment_id IS 'The invoices attachment of the invoice.';
COMMENT ON COLUMN arcollect._history.invoice_key IS 'The invoice key, as text.';
COMMENT ON COLUMN arcollect._history.kind IS 'invoice or credit_note for the booking, else the kind of the entry.';
COMMENT ON COLUMN arcollect._history.amount IS 'Change of the open amount (the booked amount for the booking).';
COMMENT ON COLUMN arcollect._history.effective_on IS 'Date the change takes effect.';
COMMENT ON COLUMN arcollect._history.source_attachment_id IS 'The attached table whose write produced the change.';
COMMENT ON COLUMN arcollect._history.recorded_at IS 'When the change was written.';
COMMENT ON COLUMN arcollect._history.entry_id IS 'The entry; NULL for the booking.';

-- The open amount of every key now: all of its history, whatever the
-- dates (a payment dated tomorrow counts).  The ledger stores no current
-- amount (payments only append entries, see ledger_tables.sql), so this
-- is where it is derived, for readers that want it without a date; a key
-- known only from payments is here too, with no invoice row.
CREATE OR REPLACE VIEW arcollect._open_amount WITH (security_invoker = true) AS
SELECT x.attachment_id, x.invoice_key, sum(x.amount) AS open_amount
  FROM arcollect._history x
 GROUP BY x.attachment_id, x.invoice_key;

COMMENT ON VIEW arcollect._open_amount IS
'Internal: the open amount of every invoice key now (booking and every entry, whatever its date; negative when overpaid), keys known only from payments included.';
COMMENT ON COLUMN arcollect._open_amount.attachment_id IS 'The invoices attachment of the invoice.';
COMMENT ON COLUMN arcollect._open_amount.invoice_key IS 'The invoice key, as text.';
COMMENT ON COLUMN arcollect._open_amount.open_amount IS 'Open amount now: the booking plus every entry, whatever its date.';

-- open_items and receivables_balance are SQL functions without a SET
-- clause so that the planner inlines them into the query that calls them:
-- it then plans them with the caller's date (not a generic plan guessing
-- what a third of the rows is), in parallel where it pays, and leaves out
-- the columns the caller does not read.  A SET clause (search_path) would
-- forbid that; a BEGIN ATOMIC body needs none, since every name in it is
-- bound when the function is created.
--
-- The open amount at as_of is the booking from the invoice row itself
-- plus one sum per key over arcollect.entry alone, joined on the key: one
-- aggregate over the entries and one hash join, where a sum over
-- arcollect._history would aggregate every invoice row as well and then
-- join them again.  It is the same sum as that of the history rows
-- effective by as_of, which arcollect._history lists and _open_amount
-- adds up for today (test/ledger_asof.sql compares them at many dates).
--
-- open_items(as_of, customers) is the rule; open_items(as_of) calls it
-- for every customer.  The customers are an argument rather than a filter
-- on the result because the entries are summed before the join: a filter
-- on the result reaches the invoice scan and not the aggregate, which
-- would still sum every entry of the ledger for one customer (seconds at
-- a million invoices).  As an argument, a constant array (the caller's,
-- or a PL/pgSQL variable in a custom plan) turns "customers IS NULL OR
-- ..." into either nothing at all, so that every customer is planned as
-- before, or a filter the indexes on arcollect.invoice (customer_id) and
-- arcollect.entry (invoice_key, attachment_id) answer: the entries summed
-- are those of one of two branches, every entry (customers NULL) or the
-- entries of those customers' invoices, joined (customers given), and the
-- planner drops the branch whose constant condition is false.  So it
-- reads their rows only, and counts them right (ledger_tables.sql;
-- bench/README.md, customer access).  (A semi-join or an array of keys
-- in an OR would be planned before the OR is folded, or be guessed at ten
-- rows, which made the joins above them loop over every pair.)
CREATE OR REPLACE FUNCTION arcollect.open_items(as_of date, customers text[])
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
BEGIN ATOMIC
    SELECT o.invoice_key, o.customer_id, o.currency, o.issued_on, o.due_on, o.amount,
           o.open_amount, o.owner, o.status, a.billing_table, o.in_billing
      FROM (SELECT i.attachment_id, i.invoice_key, i.customer_id, i.currency, i.issued_on,
                   i.due_on, i.amount, i.owner, i.status, i.in_billing,
                   CASE WHEN i.booked_on <= open_items.as_of THEN i.booked_amount ELSE 0 END
                   + coalesce(e.total, 0) AS open_amount
              FROM arcollect.invoice i
              LEFT JOIN (SELECT x.attachment_id, x.invoice_key, sum(x.amount) AS total
                           FROM (SELECT y.attachment_id, y.invoice_key, y.amount, y.effective_on
                                   FROM arcollect.entry y
                                  WHERE open_items.customers IS NULL
                                 UNION ALL
                                 SELECT y.attachment_id, y.invoice_key, y.amount, y.effective_on
                                   FROM arcollect.invoice j
                                   JOIN arcollect.entry y
                                     ON y.invoice_key = j.invoice_key AND y.attachment_id = j.attachment_id
                                  WHERE open_items.customers IS NOT NULL
                                    AND j.customer_id = ANY (open_items.customers)) x
                          WHERE x.effective_on <= open_items.as_of
                          GROUP BY x.attachment_id, x.invoice_key) e
                     ON e.attachment_id = i.attachment_id AND e.invoice_key = i.invoice_key
             WHERE i.issued_on <= open_items.as_of
               AND (open_items.customers IS NULL OR i.customer_id = ANY (open_items.customers))) o
      JOIN arcollect.attachment a ON a.attachment_id = o.attachment_id
     WHERE o.in_billing OR o.open_amount <> 0;
END;

COMMENT ON FUNCTION arcollect.open_items(date, text[]) IS
'The open items of the customers given (every customer when customers is NULL): every invoice of theirs issued on or before as_of with its open amount at that date (negative when overpaid), as open_items(as_of) lists them. Reads only those customers'' rows of the ledger.';

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
BEGIN ATOMIC
    SELECT o.invoice_key, o.customer_id, o.currency, o.issued_on, o.due_on, o.amount,
           o.open_amount, o.owner, o.status, o.billing_table, o.in_billing
      FROM arcollect.open_items(open_items.as_of, NULL::text[]) o;
END;

COMMENT ON FUNCTION arcollect.open_items(date) IS
'Every invoice issued on or before as_of with its open amount at that date (negative when overpaid). Invoices deleted from the billing table are left out once nothing is open on them.';

-- The balance is the sum of open_items(as_of) per currency, so that an
-- aging report over open_items(as_of) ties out to it by construction.
CREATE OR REPLACE FUNCTION arcollect.receivables_balance(as_of date DEFAULT current_date,
                                              billing_table regclass DEFAULT NULL)
RETURNS TABLE (currency text, balance numeric)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT o.currency, sum(o.open_amount)
      FROM arcollect.open_items(receivables_balance.as_of) o
     WHERE receivables_balance.billing_table IS NULL
        OR o.billing_table = receivables_balance.billing_table
     GROUP BY o.currency
     ORDER BY o.currency;
END;

COMMENT ON FUNCTION arcollect.receivables_balance(date, regclass) IS
'Receivables balance per currency at the end of as_of: the sum of the open amounts of open_items(as_of); of one billing table, or of all when billing_table is NULL.';

CREATE OR REPLACE VIEW arcollect.ledger_entries WITH (security_invoker = true) AS
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
