-- History and as-of queries: partial payments, an overpayment, a credit
-- note on the billing table, a credit note and write-offs in a payments
-- table.  open_items(d) gives each invoice's open amount at d, and an
-- aging report built from it ties out to receivables_balance(d), also
-- for invoices paid after d.  The analytics aggregates run on the ledger.
\set SHOW_CONTEXT never
SET datestyle = ISO;

CREATE TABLE ar_invoice (
    number    text PRIMARY KEY,
    client    text NOT NULL,
    amount    numeric(12,2) NOT NULL,
    issued    date NOT NULL,
    due       date NOT NULL,
    currency  text NOT NULL,
    doc_type  text NOT NULL DEFAULT 'invoice'
);
CREATE TABLE ar_payment (
    id        serial PRIMARY KEY,
    number    text NOT NULL,
    amount    numeric(12,2) NOT NULL,
    paid_on   date NOT NULL,
    kind      text NOT NULL DEFAULT 'payment'
);
SELECT arcollect.attach('ar_invoice', key => 'number', customer => 'client', amount => 'amount',
                        due_on => 'due', issued_on => 'issued', currency => 'currency',
                        status => 'doc_type');
SELECT arcollect.attach_payments('ar_payment', invoice_key => 'number', amount => 'amount',
                                 paid_on => 'paid_on', kind => 'kind', invoices => 'ar_invoice');

INSERT INTO ar_invoice VALUES
    ('A1', 'north', 1000.00, '2025-01-10', '2025-02-09', 'EUR', 'invoice'),
    ('A2', 'north',  500.00, '2025-02-01', '2025-03-03', 'EUR', 'invoice'),
    ('A3', 'south',  300.00, '2025-02-15', '2025-03-17', 'EUR', 'invoice'),
    ('A4', 'south', -100.00, '2025-02-20', '2025-02-20', 'EUR', 'credit'),
    ('A5', 'west',   200.00, '2025-01-05', '2025-01-20', 'USD', 'invoice');
INSERT INTO ar_payment (number, amount, paid_on, kind) VALUES
    ('A1', 400.00, '2025-02-20', 'payment'),      -- partial
    ('A1', 600.00, '2025-03-25', 'payment'),      -- the rest, after 2025-03-15
    ('A2', 550.00, '2025-03-10', 'payment'),      -- 50 overpaid
    ('A3', 100.00, '2025-03-01', 'credit note'),
    ('A3',  50.00, '2025-04-10', 'write-off'),
    ('A5', 200.00, '2025-03-31', 'write-off');

CREATE TEMP VIEW history AS
SELECT e.* FROM arcollect.ledger_entries e WHERE e.billing_table = 'ar_invoice';

-- Every change, with its kind and date.
SELECT invoice_key, kind, amount, effective_on, source_table
  FROM history ORDER BY invoice_key, effective_on, kind;

-- Open items on 2025-03-15: A1 600 (paid in full only on 03-25), A2 -50
-- (overpaid), A3 200 (credit note 100; write-off only on 04-10), the credit
-- note A4 -100, A5 200 USD (written off on 03-31).
SELECT invoice_key, customer_id, currency, issued_on, due_on, amount, open_amount
  FROM arcollect.open_items('2025-03-15') WHERE billing_table = 'ar_invoice'::regclass
 ORDER BY invoice_key;

-- Aging as of three dates, per currency, and the balance on each date:
-- the bucket totals equal the balance.
SELECT d.as_of, o.currency,
       arcollect.aging(o.due_on, o.open_amount, d.as_of) AS buckets,
       sum(o.open_amount) AS aging_total,
       (SELECT b.balance FROM arcollect.receivables_balance(d.as_of, 'ar_invoice') b
         WHERE b.currency = o.currency) AS balance
  FROM (VALUES (date '2025-02-10'), (date '2025-03-15'), (date '2025-04-30')) d(as_of)
 CROSS JOIN LATERAL arcollect.open_items(d.as_of) o
 WHERE o.billing_table = 'ar_invoice'::regclass
 GROUP BY d.as_of, o.currency
 ORDER BY d.as_of, o.currency;

-- Today every EUR invoice is settled but A2 (-50), A3 (150) and A4 (-100).
SELECT invoice_key, open_amount FROM arcollect.open_items() WHERE billing_table = 'ar_invoice'::regclass
 ORDER BY invoice_key;

-- Correcting a payment rewrites nothing: the correction is one more entry,
-- dated like the payment it corrects, so the history as now known is
-- consistent and the old entries stay.
UPDATE ar_payment SET amount = 450.00 WHERE number = 'A1' AND paid_on = '2025-02-20';
SELECT invoice_key, kind, amount, effective_on FROM history WHERE invoice_key = 'A1'
 ORDER BY effective_on, amount;
SELECT invoice_key, open_amount FROM arcollect.open_items('2025-03-15') WHERE invoice_key = 'A1';

-- The analytics core on the ledger.  DSO (simple, 90 days) for EUR as of
-- 2025-03-15: open 550 - 50 + 200 - 100 = 600 (A1 after the correction)
-- over sales 1000 + 500 + 300 - 100 = 1700, times 90 = 31.76 days.
SELECT round(arcollect.dso(issued_on, amount, open_amount, date '2025-03-15', 90), 2) AS dso_eur
  FROM arcollect.open_items('2025-03-15')
 WHERE billing_table = 'ar_invoice'::regclass AND currency = 'EUR';

-- Amount-weighted payment delay per customer from the payment entries:
-- north paid 450 on A1 11 days late, 600 on A1 44 days late and 550 on A2
-- 7 days late: (450*11 + 600*44 + 550*7) / 1600 = 35200 / 1600 = 22.00.
SELECT i.customer_id,
       round(arcollect.avg_payment_delay(i.due_on, p.effective_on, -p.amount), 2) AS avg_delay
  FROM (SELECT invoice_key, effective_on, sum(amount) AS amount
          FROM history WHERE kind = 'payment' GROUP BY 1, 2 HAVING sum(amount) <> 0) p
  JOIN arcollect.invoice i ON i.invoice_key = p.invoice_key
 GROUP BY i.customer_id ORDER BY i.customer_id;
